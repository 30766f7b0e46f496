//! What the report models share: their inputs (tables, catalog, config,
//! as-of date), the data-quality line and the 统计口径说明 every report
//! states, the risk-point and repeat texts, and the number formats.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::period::Quarter;
use crate::query::{self, NamedQuery, Params, Tables};
use crate::report::markup::inline;
use crate::report::table::{term, ReportTable};

/// Everything the report models read.
pub struct Inputs<'a> {
    pub tables: &'a Tables,
    pub catalog: &'a BTreeMap<String, NamedQuery>,
    pub config: &'a Config,
    pub as_of: NaiveDate,
    pub roster: Option<&'a DataFrame>,
    /// Rows, readings and as-of date every report states.
    pub basis: &'a Basis,
    /// The date a warned unit replies by (a working day).
    pub reply_by: NaiveDate,
    /// Enforcement volume was given (expected counts rest on it).
    pub with_volume: bool,
    /// Officer names instead of ids (from the roster).
    pub names: bool,
    /// Case summaries in case lists.
    pub summaries: bool,
}

impl Inputs<'_> {
    /// Run a named query.
    pub fn query(&self, name: &str, quarter: Option<Quarter>) -> Result<DataFrame> {
        let q = self
            .catalog
            .get(name)
            .with_context(|| format!("报告需要的查询 {name} 不存在（queries/{name}.sql）"))?;
        let params = Params {
            quarter,
            from: quarter.map(|q| q.first_day()),
            to: quarter.map(|q| q.last_day()),
            as_of: Some(self.as_of),
        };
        let result = query::run(q, self.tables, &params)?;
        crate::diag::memory(&format!("query {name}"));
        Ok(result)
    }

    pub(super) fn table(
        &self,
        name: &str,
        title: &str,
        quarter: Option<Quarter>,
    ) -> Result<ReportTable> {
        Ok(ReportTable::new(
            title,
            format!("queries/{name}.sql"),
            self.query(name, quarter)?,
        ))
    }

    /// Officer ids → names (with --names and a roster), else unchanged.
    fn officer_label(&self) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        if let (true, Some(r)) = (self.names, self.roster) {
            if let (Ok(ids), Ok(names)) = (
                r.column("officer_id").and_then(|c| c.str().cloned()),
                r.column("name").and_then(|c| c.str().cloned()),
            ) {
                for (i, n) in ids.iter().zip(names.iter()) {
                    if let (Some(i), Some(n)) = (i, n) {
                        map.insert(i.to_string(), n.to_string());
                    }
                }
            }
        }
        map
    }

    /// Replace the officer column with names when asked.
    pub(super) fn with_names(&self, df: DataFrame) -> Result<DataFrame> {
        let map = self.officer_label();
        if map.is_empty() || df.column("officer").is_err() {
            return Ok(df);
        }
        let officers = df.column("officer")?.str()?.clone();
        let named: Vec<Option<String>> = officers
            .iter()
            .map(|o| o.map(|o| map.get(o).cloned().unwrap_or_else(|| o.to_string())))
            .collect();
        let mut df = df;
        df.with_column(Column::new("officer".into(), named))?;
        Ok(df)
    }
}

/// What every report states about the numbers it prints (rules.md §5
/// 统计口径说明): the as-of date, the rows read, analysed, rejected and left
/// out, and the readings of the measures in force.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Basis {
    pub as_of: String,
    /// One line on the data's quality, for the report's opening.
    pub quality: String,
    /// The readings in force, one sentence each, for the closing 统计口径说明.
    pub readings: Vec<String>,
    /// The readings a warning notice's figures rest on, shortly (the as-of
    /// date, risk points, art. 12(5) and tolerance, officers).
    pub notice_readings: Vec<String>,
    /// Rows of the closing accounting sentence.
    pub rows: String,
}

impl Basis {
    /// The basis of a run on `ledger` as it stood on `scope.as_of`.
    /// `roster`: officers were matched through a roster.
    pub fn new(
        config: &Config,
        ledger: &crate::ingest::Ledger,
        scope: &crate::analysis::scope::Scope,
        roster: bool,
    ) -> Basis {
        let a = ledger.accounting;
        // Rows kept with a warning, other than those left out of every
        // figure for their filing date (outside the pilot).
        let warned: BTreeSet<i64> = ledger
            .findings
            .iter()
            .filter(|f| {
                f.severity == crate::ingest::Severity::Warning
                    && f.code != "outside-pilot"
                    && f.code != "merged-cell-filled"
            })
            .map(|f| f.row)
            .collect();
        let mut left_out = Vec::new();
        if scope.outside_pilot > 0 {
            left_out.push(format!("试点期间以外立案的{}件", scope.outside_pilot));
        }
        if scope.filed_after_as_of > 0 {
            left_out.push(format!("基准日之后立案的{}件", scope.filed_after_as_of));
        }
        let left_out = if left_out.is_empty() {
            String::new()
        } else {
            format!("；通过校验的案件中，{}不属统计范围", left_out.join("、"))
        };
        let quality = format!(
            "本报告依据的案件台账共{}行，其中{}行通过校验，{}行因必填项缺失、日期无法识别等原因未通过校验、未纳入统计{}；通过校验的案件中有{}行存在数据质量提示（如条款与认定结果不符、日期先后矛盾），已按台账原样统计。",
            a.read,
            a.analysed,
            a.rejected,
            left_out,
            warned.len()
        );
        let rows = format!(
            "台账读取{}行 = 通过校验{}行 + 未通过校验{}行{}。",
            a.read, a.analysed, a.rejected, left_out
        );
        let as_of = scope.as_of.map(date_zh).unwrap_or_default();
        Basis {
            readings: readings(config, &as_of, roster),
            notice_readings: notice_readings(config, &as_of, roster),
            as_of,
            quality,
            rows,
        }
    }
}

/// The readings a warning notice's figures rest on, each in a sentence or
/// two (a notice keeps to three pages): the as-of date, risk points,
/// art. 12(5) and tolerance, officers. The same settings as [`readings`].
fn notice_readings(config: &Config, as_of: &str, roster: bool) -> Vec<String> {
    let r = &config.repeats;
    let h = &config.hotspots;
    vec![
        format!("统计基准日为{as_of}，基准日之后发生的事项视为尚未发生。"),
        format!(
            "易错风险点只计已作出认定、且认定存在失误的案件，与按全区水平测算的应有件数比较；“集中”“上升”经多重比较校正（错误发现率{}），窗口内不少于{}件方予标记。",
            pct(h.q_threshold),
            h.min_count
        ),
        format!(
            "第十二条第（五）项比对：“同一问题”指问题类型相同{}；只以在后案件立案前已认定存在失误的在先案件为依据{}；依第十一条减轻、从轻处理{}容错免责处理。",
            if r.same_domain { "且执法领域相同" } else { "" },
            if r.lookback_days == 0 {
                String::new()
            } else {
                format!("（{}日以内立案的）", r.lookback_days)
            },
            if r.art11_is_tolerance { "计为" } else { "不计为" }
        ),
        if roster {
            "执法人员按人员名册中的执法证号识别。".into()
        } else {
            "执法人员按台账“涉及人员”栏的填写识别。".into()
        },
    ]
}

/// The readings of the measures the numbers rest on (art. 23: the 区司法局
/// interprets them), each where the text leaves room or an option is set.
fn readings(config: &Config, as_of: &str, roster: bool) -> Vec<String> {
    let r = &config.repeats;
    let h = &config.hotspots;
    let mut out = vec![format!(
        "统计基准日为{as_of}：基准日之后发生的认定、告知、复核、整改、反馈等事项均视为尚未发生，基准日之后立案的案件不计入。"
    )];
    out.push(if config.calendar.working_day_short_periods {
        "期限计算：期间自事件次日起算；十日以内的期间按工作日计算，其余按自然日计算，届满日为法定节假日或休息日的顺延至其后第一个工作日（按国务院办公厅公布的节假日安排，含调休上班日）。".into()
    } else {
        "期限计算：期间自事件次日起算，按自然日计算，届满日为法定节假日或休息日的顺延至其后第一个工作日（按国务院办公厅公布的节假日安排，含调休上班日）。".into()
    });
    out.push("第十七条调查终结期限为立案之日起30日，另加第十六条技术调查天数；批准延长的（最长30日），自顺延后的届满日起算，延长后的届满日再行顺延。依第十五条移交被监督单位自行调查的案件，不适用第十七条期限。".into());
    out.push("第十九条复核申请期限自告知日期起算（台账未记载送达日期，以告知日期代替）。".into());
    out.push(if config.deadlines.feedback_days == 0 {
        "第二十二条未规定向实名举报人反馈的期限：已反馈的计为已办结，未反馈的计为待反馈，不作逾期判断。".into()
    } else {
        format!(
            "向实名举报人反馈（第二十二条）按自认定之日起{}日计算期限（本机构设定，办法未规定期限）。",
            config.deadlines.feedback_days
        )
    });
    let mut same = String::from("问题类型相同");
    if r.same_domain {
        same.push_str("且执法领域相同");
    }
    let mut catch_all = vec!["“其他”".to_string()];
    catch_all.extend(r.excluded_types.iter().map(|t| format!("“{}”", inline(t))));
    out.push(format!(
        "第十二条第（五）项“同一问题”指{same}，{}等兜底类问题类型不作比对；只有在后案件立案前已经认定、且认定存在失误（不含履职尽责及举报经查不属实、查无实据）的在先案件，才作为比对依据；{}。",
        catch_all.join("、"),
        if r.lookback_days == 0 {
            "在先案件不限时间".to_string()
        } else {
            format!("只看{}日以内立案的在先案件", r.lookback_days)
        }
    ));
    out.push(format!(
        "“容错免责处理”指免责，以及依第十条减轻、从轻处理；依第十一条减轻、从轻处理{}；减轻、从轻未载明条款的计为容错免责处理并标注“依据待核实”。“给予容错免责处理后再次出现同样失误”{}。",
        if r.art11_is_tolerance {
            "亦计入（本机构设定）"
        } else {
            "属减轻责任，不计入"
        },
        if r.after_tolerance_needs_subjective {
            "须本次失误亦出于主观原因（本机构设定）"
        } else {
            "不要求本次失误出于主观原因"
        }
    ));
    out.push(if roster {
        "执法人员按人员名册中的执法证号识别（姓名与证号视为同一人）。".into()
    } else {
        "执法人员按台账“涉及人员”栏的填写识别（未提供人员名册）。".into()
    });
    out.push(format!(
        "易错风险点只计已作出认定、且认定存在失误的案件（不含履职尽责及举报经查不属实、查无实据的案件），尚未认定的另列；一个单位某类问题的应有件数按全区同一执法领域的问题构成测算，一个领域某类问题的应有件数按该领域失误总数和全区问题构成测算（提供执法量时均按执法量测算）；“集中”与“上升”检验在同一季度内统一作多重比较校正（错误发现率{}），且窗口内不少于{}件方予标记；{}“上升”与同一单位（领域）同类问题此前{}个季度比较；集中且经校正后偶然出现的概率低于{}（或超出执法量漏斗图99.8%控制限）的、或连续{}个季度被标记的为告警。",
        pct(h.q_threshold),
        h.min_count,
        if h.overdispersion {
            "各单元格离散度超出随机波动时，按其离散度放宽集中检验；"
        } else {
            ""
        },
        h.rising_lookback,
        h.alarm_q,
        h.persistent_quarters
    ));
    out
}

/// Who issues a report, as the 版头 and 落款 print it ([report] in jiucuo.toml).
#[derive(Debug, Clone, Serialize)]
pub struct Issuer {
    /// The issuing body (发文机关).
    pub office: String,
    /// `历司〔2026〕　号` (the number left for registration), or empty.
    pub doc_number: String,
    /// `签发人：张三`, or empty.
    pub signer: String,
    /// The contact line of a notice, or empty.
    pub contact: String,
    /// The printing office of the 版记, or empty.
    pub issued_by: String,
}

impl Issuer {
    pub fn of(config: &Config, as_of: NaiveDate) -> Issuer {
        let r = &config.report;
        let prefix = inline(r.doc_prefix.trim());
        Issuer {
            office: inline(&r.office),
            doc_number: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}〔{}〕　号", as_of.year())
            },
            signer: if r.signer.trim().is_empty() {
                String::new()
            } else {
                format!("签发人：{}", inline(r.signer.trim()))
            },
            contact: inline(r.contact.trim()),
            issued_by: inline(r.issued_by.trim()),
        }
    }
}

/// `2026Q3`, or `2026Q4（至11月30日）` for a quarter not ended by `as_of`.
pub(super) fn quarter_label_as_of(q: Quarter, as_of: NaiveDate) -> String {
    if q.last_day() > as_of {
        format!("{}（至{}月{}日）", q.label(), as_of.month(), as_of.day())
    } else {
        q.label()
    }
}

/// A table's `quarter` column with a quarter that has not ended by the
/// as-of date marked so (`2026Q4（至11月30日）`): no table names a period
/// as if complete before it has ended.
pub(super) fn mark_unfinished_quarters(df: DataFrame, as_of: NaiveDate) -> Result<DataFrame> {
    let Ok(column) = df.column("quarter").and_then(|c| c.str().cloned()) else {
        return Ok(df);
    };
    let marked: Vec<Option<String>> = column
        .iter()
        .map(|v| {
            v.map(|label| match Quarter::parse(label) {
                Some(q) if q.first_day() <= as_of => quarter_label_as_of(q, as_of),
                _ => label.to_string(),
            })
        })
        .collect();
    let mut df = df;
    df.with_column(Column::new("quarter".into(), marked))?;
    Ok(df)
}

/// Enforcement actions per (unit, quarter label) from the volume table
/// (`unit, domain, quarter, actions`): the sum of the unit's domain rows,
/// else its total row (empty domain) — never both.
pub(super) fn unit_actions(volume: &DataFrame) -> BTreeMap<(String, String), f64> {
    let mut domains: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut totals: BTreeMap<(String, String), f64> = BTreeMap::new();
    for i in 0..volume.height() {
        let key = (str_at(volume, "unit", i), str_at(volume, "quarter", i));
        let a = float_at(volume, "actions", i).max(0.0);
        if str_at(volume, "domain", i).is_empty() {
            *totals.entry(key).or_default() += a;
        } else {
            *domains.entry(key).or_default() += a;
        }
    }
    for (k, v) in totals {
        domains.entry(k).or_insert(v);
    }
    domains
}

/// `2026年11月30日`
pub fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `12.3%`
pub fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", x * 100.0)
    } else {
        "—".into()
    }
}

pub(super) fn ratio(a: i64, b: i64) -> f64 {
    if b > 0 {
        a as f64 / b as f64
    } else {
        f64::NAN
    }
}

/// `增加 12.5%` / `减少 3.0%` / `持平` / `无可比数据`
pub(super) fn change(now: i64, before: i64) -> String {
    if before <= 0 {
        return "无可比数据".into();
    }
    let c = (now - before) as f64 / before as f64;
    if c.abs() < 0.0005 {
        "持平".into()
    } else if c > 0.0 {
        format!("增加{}", pct(c))
    } else {
        format!("减少{}", pct(-c))
    }
}

pub(super) fn int_at(df: &DataFrame, col: &str, row: usize) -> i64 {
    df.column(col)
        .ok()
        .and_then(|c| c.get(row).ok())
        .and_then(|v| v.extract::<i64>())
        .unwrap_or(0)
}

pub(super) fn float_at(df: &DataFrame, col: &str, row: usize) -> f64 {
    df.column(col)
        .ok()
        .and_then(|c| c.get(row).ok())
        .and_then(|v| v.extract::<f64>())
        .unwrap_or(f64::NAN)
}

pub(super) fn str_at(df: &DataFrame, col: &str, row: usize) -> String {
    df.column(col)
        .ok()
        .and_then(|c| c.str().ok().and_then(|s| s.get(row).map(inline)))
        .unwrap_or_default()
}

pub(super) fn list_at(df: &DataFrame, col: &str, row: usize) -> Vec<String> {
    df.column(col)
        .ok()
        .and_then(|c| c.list().ok().and_then(|l| l.get_as_series(row)))
        .and_then(|s| {
            s.str()
                .ok()
                .map(|x| x.iter().flatten().map(inline).collect())
        })
        .unwrap_or_default()
}

pub(super) fn row_where(df: &DataFrame, col: &str, value: &str) -> Option<usize> {
    let c = df.column(col).ok()?.str().ok()?.clone();
    let found = c.iter().position(|v| v == Some(value));
    found
}

pub(super) fn sum_col(df: &DataFrame, col: &str) -> i64 {
    (0..df.height()).map(|i| int_at(df, col, i)).sum()
}

/// Filter a frame to rows whose `col` equals `value`.
pub(super) fn only(df: &DataFrame, col: &str, value: &str) -> Result<DataFrame> {
    Ok(df
        .clone()
        .lazy()
        .filter(polars::prelude::col(col).eq(lit(value)))
        .collect()?)
}

/// Distinct candidate cases, officers, and audit counts of a repeat list.
pub(super) struct RepeatCounts {
    pub case_ids: BTreeSet<String>,
    pub officers: BTreeSet<String>,
    /// Candidates already given 容错免责 treatment.
    pub inconsistent: BTreeSet<String>,
    /// Candidates resting on a 减轻/从轻 without an art. 10/11 clause.
    pub uncertain: BTreeSet<String>,
}

impl RepeatCounts {
    pub(super) fn of(repeats: &DataFrame) -> RepeatCounts {
        let flag = |name: &str, i: usize| {
            repeats
                .column(name)
                .ok()
                .and_then(|c| c.bool().ok().and_then(|b| b.get(i)))
                == Some(true)
        };
        let ids = |name: &str| -> BTreeSet<String> {
            (0..repeats.height())
                .filter(|i| flag(name, *i))
                .map(|i| str_at(repeats, "case_id", i))
                .collect()
        };
        RepeatCounts {
            case_ids: (0..repeats.height())
                .map(|i| str_at(repeats, "case_id", i))
                .collect(),
            officers: (0..repeats.height())
                .map(|i| str_at(repeats, "officer", i))
                .collect(),
            inconsistent: ids("inconsistent"),
            uncertain: ids("basis_uncertain"),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Share {
    pub name: String,
    pub count: i64,
    pub share: String,
}

/// One risk point as the text states it.
#[derive(Debug, Serialize)]
pub struct RiskPointText {
    pub what: String,
    /// How its expected count was formed, in words.
    pub method: String,
    /// Established errors.
    pub count: i64,
    /// Cases of the cell not yet decided.
    pub undecided: i64,
    pub expected: String,
    pub ratio: String,
    pub signals: String,
    pub level: String,
    /// Art. 12(5) candidates among the cell's cases, and their officers.
    pub officer_repeat_cases: i64,
    pub officer_repeat_people: i64,
    /// Cases within a year after an earlier error of the cell was rectified.
    pub after_correction: i64,
}

pub(super) fn risk_text(df: &DataFrame, row: usize, with_volume: bool) -> RiskPointText {
    let dims = str_at(df, "dims", row);
    let method = match (dims.as_str(), with_volume) {
        ("unit×error_type", false) => "按全区同一执法领域的问题构成测算",
        ("unit×error_type", true) => "按本单位执法量和全区同领域的失误率测算",
        ("domain×error_type", false) => "按该领域失误总数和全区问题构成测算",
        _ => "按执法量和全区失误率测算",
    }
    .to_string();
    let what = match dims.as_str() {
        "unit×error_type" => format!(
            "{}的“{}”问题",
            str_at(df, "unit", row),
            str_at(df, "error_type", row)
        ),
        "domain×error_type" => format!(
            "{}领域的“{}”问题",
            str_at(df, "domain", row),
            str_at(df, "error_type", row)
        ),
        _ => format!(
            "{}在{}领域的失误",
            str_at(df, "unit", row),
            str_at(df, "domain", row)
        ),
    };
    let e = float_at(df, "expected", row);
    let r = float_at(df, "ratio", row);
    RiskPointText {
        what,
        method,
        count: int_at(df, "count", row),
        undecided: int_at(df, "undecided", row),
        expected: if e.is_finite() {
            format!("{e:.1}")
        } else {
            "—".into()
        },
        ratio: if r.is_finite() {
            format!("{r:.1}")
        } else {
            "—".into()
        },
        signals: list_at(df, "signals", row)
            .iter()
            .map(|s| term(s).to_string())
            .collect::<Vec<_>>()
            .join("、"),
        level: term(&str_at(df, "level", row)).to_string(),
        officer_repeat_cases: repeat_part(&str_at(df, "officer_repeats", row), '件'),
        officer_repeat_people: repeat_part(&str_at(df, "officer_repeats", row), '人'),
        after_correction: int_at(df, "after_correction", row),
    }
}

/// Columns of a risk-point table the printed reports show.
pub(super) const RISK_COLUMNS: &[&str] = &[
    "risk_point",
    "established",
    "undecided",
    "expected",
    "ratio",
    "signals",
    "level",
];

/// The risk-point table with a first column naming each point in words.
pub(super) fn with_risk_point_names(mut risks: DataFrame, with_volume: bool) -> Result<DataFrame> {
    let names: Vec<String> = (0..risks.height())
        .map(|i| risk_text(&risks, i, with_volume).what)
        .collect();
    risks.insert_column(0, Column::new("risk_point".into(), names))?;
    risks.rename("count", "established".into())?;
    Ok(risks)
}

/// The number before `unit` in an `officer_repeats` text (`3件/2人`); 0
/// when empty.
fn repeat_part(text: &str, unit: char) -> i64 {
    text.split('/')
        .find(|p| p.ends_with(unit))
        .and_then(|p| p.trim_end_matches(unit).parse().ok())
        .unwrap_or(0)
}

/// Days of quarter `q` the data can speak for: inside the pilot and up to
/// the as-of date.
pub(super) fn observed_days(q: Quarter, pilot: (NaiveDate, NaiveDate), as_of: NaiveDate) -> i64 {
    let first = q.first_day().max(pilot.0);
    let last = q.last_day().min(pilot.1).min(as_of);
    ((last - first).num_days() + 1).max(0)
}

/// Days of a whole quarter.
pub(super) fn quarter_days(q: Quarter) -> i64 {
    (q.last_day() - q.first_day()).num_days() + 1
}

/// `增加 12.5%` / `减少 3.0%` / `持平` on rates.
pub(super) fn change_rate(now: f64, before: f64) -> String {
    if before.is_nan() || before <= 0.0 {
        return "无可比数据".into();
    }
    let c = (now - before) / before;
    if c.abs() < 0.0005 {
        "持平".into()
    } else if c > 0.0 {
        format!("增加{}", pct(c))
    } else {
        format!("减少{}", pct(-c))
    }
}

/// Average days of a month (a Gregorian year / 12).
const MONTH_DAYS: f64 = 365.2425 / 12.0;

/// One sentence comparing a quarter's (filed, decided) with an earlier
/// quarter's: on counts when both quarters are whole, else per month and
/// saying why (rules.md §5: periods of unequal length are compared as rates).
pub(super) fn compare_quarters(
    what: &str,
    now: (i64, i64),
    now_days: (i64, i64),
    before: (i64, i64),
    before_days: (i64, i64),
    before_label: &str,
) -> Option<String> {
    if before_days.0 <= 0 {
        return None;
    }
    if now_days.0 == now_days.1 && before_days.0 == before_days.1 {
        return Some(format!(
            "{what}，立案数{}，认定数{}。",
            change(now.0, before.0),
            change(now.1, before.1)
        ));
    }
    let mut why = Vec::new();
    if before_days.0 < before_days.1 {
        why.push(format!("{before_label}在试点期间内仅{}天", before_days.0));
    }
    if now_days.0 < now_days.1 {
        why.push(format!("本季度截至基准日仅{}天", now_days.0));
    }
    let month = |n: i64, days: i64| n as f64 / (days as f64 / MONTH_DAYS);
    let (fn_, fb) = (month(now.0, now_days.0), month(before.0, before_days.0));
    let (dn, db) = (month(now.1, now_days.0), month(before.1, before_days.0));
    Some(format!(
        "{what}，因{}，两季度件数不可直接比较，按月均计算：月均立案由{fb:.1}件变为{fn_:.1}件（{}），月均认定由{db:.1}件变为{dn:.1}件（{}）。",
        why.join("、"),
        change_rate(fn_, fb),
        change_rate(dn, db)
    ))
}

pub use crate::schema::clause_zh;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_units_actions_are_its_domains_or_else_its_total() {
        let v = df!(
            "unit" => ["甲", "甲", "甲", "乙"],
            "domain" => [None, Some("市场监管"), Some("城市管理"), None::<&str>],
            "quarter" => ["2026Q1"; 4],
            "actions" => [1000i64, 600, 400, 300],
        )
        .unwrap();
        let a = unit_actions(&v);
        assert_eq!(a[&("甲".to_string(), "2026Q1".to_string())], 1000.0);
        assert_eq!(a[&("乙".to_string(), "2026Q1".to_string())], 300.0);
    }

    #[test]
    fn a_quarter_not_ended_by_the_as_of_date_is_marked() {
        let df = df!("quarter" => ["2026Q3", "2026Q4"], "filed" => [3i64, 4]).unwrap();
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let out = mark_unfinished_quarters(df.clone(), as_of).unwrap();
        let q: Vec<&str> = out
            .column("quarter")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(q, ["2026Q3", "2026Q4（至11月30日）"]);
        // on the quarter's last day it has ended
        let end = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let out = mark_unfinished_quarters(df, end).unwrap();
        assert_eq!(
            out.column("quarter").unwrap().str().unwrap().get(1),
            Some("2026Q4")
        );
    }

    #[test]
    fn a_notice_states_the_readings_of_its_figures_and_no_deadline_rule() {
        let mut config = Config::default();
        let notice = notice_readings(&config, "2026年11月30日", false);
        assert!(notice[0].starts_with("统计基准日为2026年11月30日"));
        let text = notice.join("\n");
        for needed in [
            "第十二条第（五）项",
            "依第十一条减轻、从轻处理不计为容错免责处理",
            "执法人员按台账",
            "错误发现率5.0%",
            "不少于3件",
        ] {
            assert!(text.contains(needed), "{needed}: {text}");
        }
        for deadline in ["期限", "第十七条", "复核", "实名举报人"] {
            assert!(!text.contains(deadline), "{deadline}: {text}");
        }
        // the settings in force, as the long readings state them
        config.repeats.art11_is_tolerance = true;
        config.repeats.same_domain = true;
        config.repeats.lookback_days = 365;
        let text = notice_readings(&config, "x", true).join("\n");
        for needed in [
            "处理计为容错免责处理",
            "且执法领域相同",
            "365日以内",
            "人员名册",
        ] {
            assert!(text.contains(needed), "{needed}: {text}");
        }
    }

    #[test]
    fn officer_repeats_text_is_read_back_as_numbers() {
        assert_eq!(repeat_part("3件/2人", '件'), 3);
        assert_eq!(repeat_part("3件/2人", '人'), 2);
        assert_eq!(repeat_part("", '件'), 0);
    }
}
