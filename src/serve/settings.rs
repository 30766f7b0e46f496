//! The Settings page: every key of jiucuo.toml with its meaning (the
//! comments of the annotated default file) and its value in force; single
//! values are editable, checked as the CLI checks them, and saved into the
//! file line by line so its comments and other keys stay as they were.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::config::{Config, DEFAULT_TOML};

/// Each section and key in words, for the page (the file keeps its keys).
const NAMES: &[(&str, &str)] = &[
    ("ledger", "台账的读取"),
    ("ledger.encoding", "CSV 编码"),
    ("ledger.sheet", "工作表名称"),
    ("ledger.error_types", "问题类型清单"),
    ("ledger.headers", "表头别名"),
    ("pilot", "试点期间"),
    ("pilot.start", "开始日期"),
    ("pilot.end", "结束日期"),
    ("calendar", "节假日与期间计算"),
    ("calendar.holidays", "节假日文件"),
    ("calendar.working_day_short_periods", "十日以内按工作日计算"),
    ("deadlines", "办理期限"),
    ("deadlines.due_soon_days", "临期提示天数（工作日）"),
    ("deadlines.feedback_days", "向举报人反馈的期限（日）"),
    ("repeats", "重复失误（第十二条第（五）项）"),
    ("repeats.same_domain", "“同一问题”还须同一领域"),
    ("repeats.lookback_days", "只看多少天内的在先案件"),
    ("repeats.excluded_types", "不视为“同一问题”的兜底类型"),
    ("repeats.art11_is_tolerance", "第十一条从轻减轻计为容错"),
    (
        "repeats.after_tolerance_needs_subjective",
        "容错后再犯也须主观原因",
    ),
    ("hotspots", "易错风险点（第二十一条）的统计方法"),
    ("hotspots.min_count", "频发：最少失误件数"),
    ("hotspots.q_threshold", "集中、上升的显著性水平"),
    ("hotspots.alarm_q", "告警的显著性水平"),
    ("hotspots.rising_lookback", "上升：比较前几个季度"),
    ("hotspots.rising_min_quarters", "上升：至少需要的季度数"),
    ("hotspots.persistent_quarters", "持续：连续被标记的季度数"),
    ("hotspots.overdispersion", "按单位间差异放宽判断"),
    ("hotspots.winsor", "计算差异时两端缩尾比例"),
    ("hotspots.weights", "严重程度权重"),
    ("letters", "警示提醒函"),
    ("letters.level", "发函的风险点级别"),
    ("paths", "自定义文件"),
    ("paths.queries", "自定义查询文件夹"),
    ("paths.reports", "自定义报告模板文件夹"),
    ("paths.font", "图表中文字体文件"),
    ("report", "报告的发文信息与修订建议"),
    ("report.office", "发文机关"),
    ("report.doc_prefix", "发文字号前缀"),
    ("report.signer", "签发人"),
    ("report.contact", "联系人及电话"),
    ("report.issued_by", "印发机关（版记）"),
    ("report.reply_days", "提醒函要求回复的天数"),
    ("report.catch_all_share", "兜底条款占比超过即建议修订"),
    ("report.late_share", "期限逾期占比超过即建议修订"),
];

/// Sections a user seldom changes, shown folded (statistics and paths).
const FOLDED: &[&str] = &["hotspots", "paths", "ledger"];

/// The words for a section or `section.key`; the key itself when it has none.
pub fn name_of(field: &str) -> &str {
    NAMES
        .iter()
        .find(|(k, _)| *k == field)
        .map_or(field, |(_, n)| *n)
}

/// The settings of one section, as the page groups them.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub key: String,
    pub name: String,
    pub folded: bool,
    pub settings: Vec<Setting>,
}

/// Every key grouped by section, in the file's order.
pub fn sections(config: &Config) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for s in settings(config) {
        match out.last_mut() {
            Some(last) if last.key == s.section => last.settings.push(s),
            _ => out.push(Section {
                key: s.section.clone(),
                name: name_of(&s.section).to_string(),
                folded: FOLDED.contains(&s.section.as_str()),
                settings: vec![s],
            }),
        }
    }
    out
}

/// How a key's value is edited and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Bool,
    Integer,
    Number,
    Date,
    Text,
    /// Lists and tables: shown, edited in the file itself.
    Shown,
}

/// One key as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    pub section: String,
    pub key: String,
    /// `section.key`: the form field's name.
    pub field: String,
    /// The key in words.
    pub name: String,
    pub value: String,
    pub meaning: String,
    pub kind: Kind,
}

/// The meaning of each `section.key` from the default file's comments: the
/// comment lines right above the key and any comment after its value; a key
/// right under another with no comment of its own shares its meaning
/// (`[pilot] start`, `end`). With each, its place in the file.
fn meanings() -> BTreeMap<String, (usize, String)> {
    let mut out = BTreeMap::new();
    let mut section = String::new();
    let mut comments: Vec<String> = Vec::new();
    let mut previous: Option<String> = None;
    for line in DEFAULT_TOML.lines() {
        let t = line.trim();
        if let Some(s) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s.to_string();
            // a sub-table (`[ledger.headers]`) is one key of its parent
            if section.contains('.') && !comments.is_empty() {
                let n = out.len();
                out.insert(section.clone(), (n, comments.join(" ")));
            }
            comments.clear();
            previous = None;
        } else if let Some(c) = t.strip_prefix('#') {
            comments.push(c.trim().to_string());
        } else if let Some((k, rest)) = t.split_once('=') {
            let key = k.trim().trim_matches('"');
            if !key.is_empty() && !line.starts_with(' ') {
                let mut m = comments.join(" ");
                if let Some((_, after)) = split_comment(rest) {
                    if !m.is_empty() {
                        m.push(' ');
                    }
                    m.push_str(after.trim());
                }
                if m.is_empty() {
                    m = previous.clone().unwrap_or_default();
                }
                previous = Some(m.clone());
                let n = out.len();
                if section.contains('.') {
                    out.entry(section.clone()).or_insert((n, m));
                } else {
                    out.insert(format!("{section}.{key}"), (n, m));
                }
            }
            comments.clear();
        } else if t.is_empty() {
            comments.clear();
            previous = None;
        }
    }
    out
}

/// Split `value  # comment` at the comment, minding quoted strings.
fn split_comment(rest: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\\' if quoted => escaped = !escaped,
            '"' if !escaped => quoted = !quoted,
            '#' if !quoted => return Some((&rest[..i], &rest[i + 1..])),
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    None
}

fn kind_of(v: &toml::Value) -> Kind {
    match v {
        toml::Value::Boolean(_) => Kind::Bool,
        toml::Value::Integer(_) => Kind::Integer,
        toml::Value::Float(_) => Kind::Number,
        toml::Value::Datetime(_) => Kind::Date,
        toml::Value::String(_) => Kind::Text,
        _ => Kind::Shown,
    }
}

fn shown(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => a.iter().map(shown).collect::<Vec<_>>().join("、"),
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, v)| format!("{k}：{}", shown(v)))
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}

/// Every key of `config` in the default file's order, with its meaning.
pub fn settings(config: &Config) -> Vec<Setting> {
    let meanings = meanings();
    let table = toml::Table::try_from(config).unwrap_or_default();
    let mut out = Vec::new();
    for (section, keys) in &table {
        let toml::Value::Table(keys) = keys else {
            continue;
        };
        for (key, v) in keys {
            let field = format!("{section}.{key}");
            let Some((place, meaning)) = meanings.get(&field) else {
                // keys the default file does not list (legacy, unset options)
                continue;
            };
            let kind = kind_of(v);
            let value = match shown(v) {
                t if t.is_empty() && kind == Kind::Shown => "（无）".to_string(),
                t => t,
            };
            out.push((
                *place,
                Setting {
                    name: name_of(&field).to_string(),
                    section: section.clone(),
                    key: key.clone(),
                    value,
                    meaning: meaning.clone(),
                    kind,
                    field,
                },
            ));
        }
    }
    out.sort_by_key(|(place, _)| *place);
    out.into_iter().map(|(_, s)| s).collect()
}

/// The TOML literal of a submitted value, or why it is refused (in Chinese,
/// naming the key and what is accepted).
fn literal(s: &Setting, text: &str) -> Result<String, String> {
    let t = text.trim();
    let name = format!("[{}] {}", s.section, s.key);
    match s.kind {
        Kind::Bool => match t {
            "true" | "false" => Ok(t.to_string()),
            _ => Err(format!("{name} = “{t}”无法识别：只能是 true 或 false")),
        },
        Kind::Integer => t
            .parse::<u32>()
            .map(|v| v.to_string())
            .map_err(|_| format!("{name} = “{t}”无法识别：须为不小于 0 的整数，如 5")),
        Kind::Number => match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(format!("{v:?}")),
            _ => Err(format!("{name} = “{t}”无法识别：须为数字，如 0.05")),
        },
        Kind::Date => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(|d| d.to_string())
            .map_err(|_| format!("{name} = “{t}”无法识别：须为日期，如 2027-02-28")),
        Kind::Text => Ok(toml::Value::String(t.to_string()).to_string()),
        Kind::Shown => Err(format!("{name} 请直接编辑配置文件")),
    }
}

/// Put `key = literal` into `section` of the file text: the key's own line
/// when it has one (keeping its comment), else right under the section's
/// header, else in a new section at the end.
fn set_line(text: &str, section: &str, key: &str, literal: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header = format!("[{section}]");
    let start = lines.iter().position(|l| l.trim() == header);
    let Some(start) = start else {
        let mut t = text.trim_end().to_string();
        t.push_str(&format!("\n\n{header}\n{key} = {literal}\n"));
        return t;
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| start + 1 + i);
    let own = (start + 1..end).find(|&i| {
        let l = lines[i].trim_start();
        l.split_once('=')
            .is_some_and(|(k, _)| k.trim().trim_matches('"') == key && !l.starts_with('#'))
    });
    match own {
        Some(i) => {
            let comment = lines[i]
                .split_once('=')
                .and_then(|(_, rest)| split_comment(rest))
                .map(|(_, c)| format!("  #{c}"))
                .unwrap_or_default();
            lines[i] = format!("{key} = {literal}{comment}");
        }
        None => lines.insert(start + 1, format!("{key} = {literal}")),
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Apply the submitted values to the file `path` (or the default file when
/// it does not exist yet): Ok(new configuration and its text) or every
/// refused value. Values equal to the one in force are left alone.
pub fn apply(
    config: &Config,
    path: &Path,
    form: &BTreeMap<String, String>,
) -> Result<(Config, String), Vec<String>> {
    let current = settings(config);
    let mut text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DEFAULT_TOML.to_string(),
        Err(e) => return Err(vec![format!("无法读取配置文件 {}：{e}", path.display())]),
    };
    let mut errors = Vec::new();
    for s in current.iter().filter(|s| s.kind != Kind::Shown) {
        let Some(v) = form.get(&s.field) else {
            continue;
        };
        if v.trim() == s.value.trim() {
            continue;
        }
        match literal(s, v) {
            Ok(lit) => text = set_line(&text, &s.section, &s.key, &lit),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match Config::from_toml(&text, path) {
        Ok(c) => Ok((c, text)),
        Err(e) => Err(vec![e.to_string()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_key_has_a_meaning() {
        let s = settings(&Config::default());
        let due = s
            .iter()
            .find(|s| s.field == "deadlines.due_soon_days")
            .unwrap();
        assert_eq!(due.value, "5");
        assert_eq!(due.kind, Kind::Integer);
        assert!(due.meaning.contains("临期"), "{}", due.meaning);
        let case_id = s.iter().find(|s| s.field == "ledger.headers").unwrap();
        assert_eq!(case_id.kind, Kind::Shown);
        // keys in the file's order; a key under another shares its meaning
        let keys: Vec<&str> = s.iter().map(|s| s.field.as_str()).collect();
        let at = |k: &str| keys.iter().position(|x| *x == k).unwrap();
        assert!(at("pilot.start") < at("pilot.end"));
        assert!(at("hotspots.min_count") < at("hotspots.alarm_q"));
        let end = s.iter().find(|s| s.field == "pilot.end").unwrap();
        assert!(end.meaning.contains("试点期间"), "{}", end.meaning);
        // every key and section has a name in words
        for x in &s {
            assert_ne!(x.name, x.field, "{} has no name", x.field);
            assert_ne!(
                name_of(&x.section),
                x.section,
                "[{}] has no name",
                x.section
            );
        }
        let groups = sections(&Config::default());
        assert_eq!(groups.len(), 9);
        assert!(groups.iter().find(|g| g.key == "hotspots").unwrap().folded);
        // sections in the default file's order
        assert_eq!(s[0].section, "ledger");
        assert_eq!(s.last().unwrap().section, "report");
    }

    #[test]
    fn a_value_is_saved_on_its_own_line_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jiucuo.toml");
        let c = Config::default();
        let mut form = BTreeMap::new();
        form.insert("deadlines.due_soon_days".to_string(), "7".to_string());
        form.insert("report.office".to_string(), "某区司法局 # 一".to_string());
        let (c2, text) = apply(&c, &path, &form).unwrap();
        assert_eq!(c2.deadlines.due_soon_days, 7);
        assert_eq!(c2.report.office, "某区司法局 # 一");
        // the comment of the key's line and of the file are kept
        assert!(text.contains("due_soon_days = 7\n"), "{text}");
        assert!(text.contains("# 尚未办结的事项"));
        // a refused value names the key and what is accepted
        form.insert("report.catch_all_share".to_string(), "1.5".to_string());
        let e = apply(&c, &path, &form).unwrap_err();
        assert!(
            e[0].contains("catch_all_share") && e[0].contains("0 到 1"),
            "{e:?}"
        );
        form.insert("report.catch_all_share".to_string(), "很多".to_string());
        let e = apply(&c, &path, &form).unwrap_err();
        assert!(e[0].contains("[report] catch_all_share") && e[0].contains("须为数字"));
        form.remove("report.catch_all_share");
        form.insert("repeats.same_domain".to_string(), "是".to_string());
        let e = apply(&c, &path, &form).unwrap_err();
        assert!(e[0].contains("true 或 false"), "{e:?}");
    }

    proptest::proptest! {
        /// Whatever a form sends, the answer is a checked configuration or
        /// refusals; never a panic, never an unchecked file.
        #[test]
        fn any_submitted_value_is_checked(
            key in proptest::sample::select(vec![
                "deadlines.due_soon_days", "report.catch_all_share", "pilot.end",
                "repeats.same_domain", "report.office", "letters.level", "ledger.headers",
            ]),
            value in "\\PC{0,40}",
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("jiucuo.toml");
            let mut form = BTreeMap::new();
            form.insert(key.to_string(), value);
            if let Ok((c, text)) = apply(&Config::default(), &path, &form) {
                proptest::prop_assert_eq!(Config::from_toml(&text, &path).unwrap(), c);
            }
        }
    }

    #[test]
    fn a_missing_key_goes_under_its_section() {
        let t = set_line("[a]\nx = 1\n[b]\ny = 2\n", "b", "z", "3");
        assert_eq!(t, "[a]\nx = 1\n[b]\nz = 3\ny = 2\n");
        let t = set_line("[a]\nx = 1  # one\n", "a", "x", "2");
        assert_eq!(t, "[a]\nx = 2  # one\n");
        let t = set_line("[a]\nx = 1\n", "c", "k", "\"v\"");
        assert_eq!(t, "[a]\nx = 1\n\n[c]\nk = \"v\"\n");
    }
}
