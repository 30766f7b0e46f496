//! jiucuo.toml: header mapping, thresholds and rule parameters (rules.md), with defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::schema;

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub ledger: LedgerConfig,
    pub pilot: PilotConfig,
    pub calendar: CalendarConfig,
    pub deadlines: DeadlineConfig,
    pub repeats: RepeatConfig,
    pub hotspots: HotspotConfig,
    pub letters: LettersConfig,
    pub paths: PathsConfig,
    pub report: ReportConfig,
}

/// How the case ledger is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LedgerConfig {
    /// `auto`, `utf-8` or `gbk` (GB18030).
    pub encoding: String,
    /// XLSX sheet name; empty = every sheet whose header maps to the ledger.
    pub sheet: String,
    /// canonical field → header aliases, in addition to the reference header.
    pub headers: BTreeMap<String, Vec<String>>,
    /// The error taxonomy; values outside it are kept and warned about.
    pub error_types: Vec<String>,
}

/// The pilot period of the measures (art. 24).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PilotConfig {
    #[serde(with = "toml_date")]
    pub start: NaiveDate,
    #[serde(with = "toml_date")]
    pub end: NaiveDate,
}

/// Dates in TOML, written either bare (`2025-03-01`) or quoted.
mod toml_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Toml(toml::value::Datetime),
    }

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.format("%Y-%m-%d").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = match Raw::deserialize(d)? {
            Raw::Text(t) => t,
            Raw::Toml(t) => t.to_string(),
        };
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            serde::de::Error::custom(format!("“{text}” 不是有效日期（格式：2025-03-01）"))
        })
    }
}

/// Holiday schedule and period counting (rules.md §1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarConfig {
    /// Path of a holiday CSV replacing the built-in schedule; empty = built-in.
    pub holidays: String,
    /// Count periods of at most 10 days in working days.
    pub working_day_short_periods: bool,
}

/// Deadline statuses (rules.md §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlineConfig {
    /// Open rules with at most this many working days left are `due-soon`.
    pub due_soon_days: u32,
    /// Art. 22 sets no period for feedback to a named reporter: 0 (the
    /// default) keeps D22-feedback `pending` until feedback is recorded; N
    /// makes it an ordinary N-day rule from the decision.
    pub feedback_days: u32,
}

/// Repeat errors under art. 12(5) (rules.md §3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RepeatConfig {
    /// "The same problem" also requires the same domain.
    pub same_domain: bool,
    /// Only earlier cases filed within this many days count; 0 = unlimited.
    pub lookback_days: u32,
    /// Catch-all error types never "the same problem", besides `其他`.
    pub excluded_types: Vec<String>,
    /// A 减轻/从轻 under art. 11 counts as 容错免责 treatment.
    pub art11_is_tolerance: bool,
    /// The after-tolerance limb of art. 12(5) also needs a subjective cause.
    pub after_tolerance_needs_subjective: bool,
}

/// Risk points under art. 21 (rules.md §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HotspotConfig {
    /// A cell with fewer established errors is never flagged (frequent).
    pub min_count: u32,
    /// Benjamini–Hochberg level of the concentration and rising tests.
    pub q_threshold: f64,
    /// Concentrated at a q below this is an alarm.
    pub alarm_q: f64,
    /// Previous quarters the rising test compares with.
    #[serde(alias = "rising_quarters")]
    pub rising_lookback: u32,
    /// Full pilot quarters the rising test needs among them.
    pub rising_min_quarters: u32,
    /// Consecutive flagged quarters that make a cell persistent.
    pub persistent_quarters: u32,
    /// Widen the concentration test by the cells' over-dispersion.
    pub overdispersion: bool,
    /// An earlier version's threshold of the rising test, now tested in the
    /// Benjamini–Hochberg family at `q_threshold`: refused with an
    /// explanation rather than silently ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rising_p: Option<f64>,
    pub winsor: f64,
    /// outcome → severity weight of an established error.
    pub weights: BTreeMap<String, f64>,
}

/// Which units get a warning notice (rules.md §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LettersConfig {
    /// `alarm` (default): a unit with an alarm-level risk point of its own;
    /// `warning`: also warning-level ones.
    pub level: String,
}

/// Folders and files that override the built-in assets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PathsConfig {
    pub queries: String,
    pub reports: String,
    pub font: String,
}

/// Report wording parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// The issuing body (发文机关) named in the 版头 and the 落款.
    pub office: String,
    /// Prefix of the document number (发文字号), e.g. `历司`: the 版头 then
    /// prints `历司〔2026〕　号` with the number left for registration.
    pub doc_prefix: String,
    /// The 签发人 of the quarterly report (上行文); empty: not printed.
    pub signer: String,
    /// The contact line of a warning notice (联系人及电话); empty: none.
    pub contact: String,
    /// The printing office of the 版记 (印发机关, e.g. 历城区司法局办公室);
    /// empty: no 版记.
    pub issued_by: String,
    pub reply_days: u32,
    /// The review proposes a revision when a unit cites a catch-all item
    /// (9.9, 10.10, 11.3, 12.7) in more than this share of its decisions
    /// citing a clause (and at least 10 of them).
    pub catch_all_share: f64,
    /// The review proposes a revision when more than this share of a
    /// deadline rule's checks are late, overdue or in breach.
    pub late_share: f64,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        LedgerConfig {
            encoding: "auto".into(),
            sheet: String::new(),
            headers: BTreeMap::new(),
            error_types: schema::DEFAULT_ERROR_TYPES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

impl Default for PilotConfig {
    fn default() -> Self {
        PilotConfig {
            start: NaiveDate::from_ymd_opt(2025, 3, 1).expect("valid date"),
            end: NaiveDate::from_ymd_opt(2027, 2, 28).expect("valid date"),
        }
    }
}

impl Default for DeadlineConfig {
    fn default() -> Self {
        DeadlineConfig {
            due_soon_days: 5,
            feedback_days: 0,
        }
    }
}

impl Default for LettersConfig {
    fn default() -> Self {
        LettersConfig {
            level: "alarm".into(),
        }
    }
}

impl Default for HotspotConfig {
    fn default() -> Self {
        let weights = [
            ("不予容错", 3.0),
            ("减轻", 2.0),
            ("从轻", 2.0),
            ("免责", 1.0),
        ];
        HotspotConfig {
            min_count: 3,
            q_threshold: 0.05,
            alarm_q: 0.01,
            rising_lookback: 4,
            rising_min_quarters: 2,
            persistent_quarters: 2,
            overdispersion: true,
            rising_p: None,
            winsor: 0.1,
            weights: weights.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            office: "历城区司法局".into(),
            doc_prefix: String::new(),
            signer: String::new(),
            contact: String::new(),
            issued_by: String::new(),
            reply_days: 15,
            catch_all_share: 0.2,
            late_share: 0.15,
        }
    }
}

/// Readings of the measures the office is likely to debate (issue 21):
/// (name, what it changes, the settings it overrides: readings/NAME.toml,
/// shipped as files too). `jiucuo whatif --vs NAME` applies one to the
/// configuration in force.
pub const READINGS: &[(&str, &str, &str)] = &[
    (
        "工作日计算短期间",
        "十日以内的期间按工作日计算",
        include_str!("../readings/工作日计算短期间.toml"),
    ),
    (
        "第十一条计为容错",
        "依第十一条减轻、从轻处理计为容错免责处理",
        include_str!("../readings/第十一条计为容错.toml"),
    ),
    (
        "容错后再犯须主观原因",
        "“给予容错免责处理后再次出现同样失误”亦须本次失误出于主观原因",
        include_str!("../readings/容错后再犯须主观原因.toml"),
    ),
    (
        "同一问题限同一领域",
        "“同一问题”须问题类型相同且执法领域相同",
        include_str!("../readings/同一问题限同一领域.toml"),
    ),
    (
        "只看一年内在先案件",
        "只以365日以内立案的在先案件为比对依据",
        include_str!("../readings/只看一年内在先案件.toml"),
    ),
];

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("无法读取配置文件 {path}：{source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("配置文件 {path} 有误：{message}（可运行 jiucuo init 生成带说明的默认配置作对照）")]
    Parse { path: PathBuf, message: String },
}

impl Config {
    /// Parse configuration text; `path` only names the file in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        config.check().map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(config)
    }

    /// Load `path`, or `./jiucuo.toml` when present, else the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from("jiucuo.toml");
                if !p.exists() {
                    return Ok(Config::default());
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Config::from_toml(&text, &path)
    }

    /// This configuration with the settings of `overrides` (TOML text of
    /// some sections' keys) put over it; `name` only names it in errors.
    pub fn with_overrides(&self, overrides: &str, name: &Path) -> Result<Config, ConfigError> {
        let parse = |message: String| ConfigError::Parse {
            path: name.to_path_buf(),
            message,
        };
        let mut base = toml::Table::try_from(self).map_err(|e| parse(e.to_string()))?;
        let over: toml::Table = toml::from_str(overrides).map_err(|e| parse(e.to_string()))?;
        for (section, keys) in over {
            match (base.get_mut(&section), keys) {
                (Some(toml::Value::Table(b)), toml::Value::Table(k)) => b.extend(k),
                (_, keys) => {
                    base.insert(section, keys);
                }
            }
        }
        Config::from_toml(
            &toml::to_string(&base).map_err(|e| parse(e.to_string()))?,
            name,
        )
    }

    fn check(&self) -> Result<(), String> {
        for field in self.ledger.headers.keys() {
            if schema::field(field).is_none() {
                return Err(format!(
                    "[ledger.headers] 中的“{field}”不是台账字段（可用字段：{}）",
                    schema::FIELDS
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join("、")
                ));
            }
        }
        if self.pilot.end < self.pilot.start {
            return Err("[pilot] end 早于 start".into());
        }
        let h = &self.hotspots;
        if !(0.0..=1.0).contains(&h.q_threshold) || !(0.0..=1.0).contains(&h.alarm_q) {
            return Err("[hotspots] q_threshold 与 alarm_q 须在 0 与 1 之间".into());
        }
        if !(0.0..0.5).contains(&h.winsor) {
            return Err("[hotspots] winsor 须在 0 与 0.5 之间".into());
        }
        if h.rising_p.is_some() {
            return Err("[hotspots] rising_p 已不再使用：“上升”检验已与“集中”检验一并按 q_threshold 作多重比较校正，请删除该行".into());
        }
        if h.persistent_quarters == 0 || h.rising_lookback == 0 {
            return Err("[hotspots] persistent_quarters 与 rising_lookback 须至少为 1".into());
        }
        for key in h.weights.keys() {
            if !WEIGHT_KEYS.contains(&key.as_str()) && !LEGACY_WEIGHT_KEYS.contains(&key.as_str()) {
                return Err(format!(
                    "[hotspots.weights] 中的“{key}”不是认定结果（可用：{}）",
                    WEIGHT_KEYS.join("、")
                ));
            }
        }
        for (key, v) in [
            ("catch_all_share", self.report.catch_all_share),
            ("late_share", self.report.late_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "[report] {key} = {v} 应在 0 到 1 之间（比例，如 0.2 表示 20%）"
                ));
            }
        }
        if !LETTER_LEVELS.contains(&self.letters.level.as_str()) {
            return Err(format!(
                "[letters] level = “{}”无法识别（可用：{}）",
                self.letters.level,
                LETTER_LEVELS.join("、")
            ));
        }
        Ok(())
    }

    /// The folder of the user's named queries, if configured.
    pub fn queries_dir(&self) -> Option<PathBuf> {
        (!self.paths.queries.is_empty()).then(|| PathBuf::from(&self.paths.queries))
    }

    /// Header aliases for a canonical field: reference header, the canonical
    /// name itself, then the configured aliases.
    pub fn header_aliases(&self, field: &schema::Field) -> Vec<String> {
        let mut aliases = vec![field.header.to_string(), field.name.to_string()];
        if let Some(extra) = self.ledger.headers.get(field.name) {
            aliases.extend(extra.iter().cloned());
        }
        aliases
    }
}

/// Outcomes of an established error, the keys of `[hotspots.weights]`.
pub const WEIGHT_KEYS: &[&str] = &["不予容错", "减轻", "从轻", "免责"];
/// Keys of earlier versions' weights (undecided cases and 履职尽责 were
/// weighed then; neither is an established error now): accepted, unused.
const LEGACY_WEIGHT_KEYS: &[&str] = &["未认定", "履职尽责"];
/// Accepted values of `[letters] level`.
pub const LETTER_LEVELS: &[&str] = &["alarm", "warning"];

/// The commented default configuration written by `jiucuo init`.
pub const DEFAULT_TOML: &str = include_str!("../data/jiucuo.default.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ready_reading_changes_its_setting_and_nothing_else() {
        let base = Config::default();
        for (name, _, overrides) in READINGS {
            let read = base.with_overrides(overrides, Path::new(name)).unwrap();
            assert_ne!(read, base, "{name} changes nothing");
            let mut back = read.clone();
            back.calendar = base.calendar.clone();
            back.repeats = base.repeats.clone();
            assert_eq!(back, base, "{name} changes more than its section");
        }
        let r = base.with_overrides(READINGS[4].2, Path::new("x")).unwrap();
        assert_eq!(r.repeats.lookback_days, 365);
        assert!(!r.repeats.same_domain);
        // a bad override names the reading
        let e = base
            .with_overrides("[repeats]\nlookback_days = \"x\"\n", Path::new("坏口径"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("坏口径"), "{e}");
    }

    #[test]
    fn commented_default_equals_built_in_defaults() {
        let parsed = Config::from_toml(DEFAULT_TOML, Path::new("jiucuo.toml")).unwrap();
        let mut expected = Config::default();
        // The commented file lists every reference header as an alias example.
        expected.ledger.headers = parsed.ledger.headers.clone();
        assert_eq!(parsed, expected);
        assert_eq!(parsed.ledger.headers.len(), schema::FIELDS.len());
    }

    #[test]
    fn unknown_keys_and_fields_are_rejected_in_chinese() {
        let err = Config::from_toml("[hotspots]\nmin_cout = 3\n", Path::new("x.toml")).unwrap_err();
        assert!(err.to_string().contains("x.toml"), "{err}");
        let err = Config::from_toml("[ledger.headers]\ncase = [\"编号\"]\n", Path::new("x.toml"))
            .unwrap_err();
        assert!(err.to_string().contains("不是台账字段"), "{err}");
    }

    #[test]
    fn an_unknown_option_value_names_the_key_and_the_accepted_values() {
        let err =
            Config::from_toml("[letters]\nlevel = \"all\"\n", Path::new("x.toml")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("[letters] level") && text.contains("alarm、warning"),
            "{text}"
        );
        let err = Config::from_toml("[hotspots.weights]\n\"严重\" = 2.0\n", Path::new("x.toml"))
            .unwrap_err();
        assert!(
            err.to_string().contains("不予容错、减轻、从轻、免责"),
            "{err}"
        );
        // an older file's weights of undecided cases and 履职尽责 still load
        assert!(Config::from_toml(
            "[hotspots.weights]\n\"未认定\" = 1.0\n\"履职尽责\" = 0.0\n",
            Path::new("x.toml")
        )
        .is_ok());
        // and so does its name of the rising lookback
        let c =
            Config::from_toml("[hotspots]\nrising_quarters = 3\n", Path::new("x.toml")).unwrap();
        assert_eq!(c.hotspots.rising_lookback, 3);
    }
}
