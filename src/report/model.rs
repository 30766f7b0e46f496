//! Report models: the numbers and tables each template receives, every one
//! taken from a named query (queries/*.sql) so a reader can trace it.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use serde::Serialize;

use super::markup::inline;
use super::table::{term, ReportTable};
use crate::analysis::period::Quarter;
use crate::config::Config;
use crate::query::{self, NamedQuery, Params, Tables};

/// Everything the report models read.
pub struct Inputs<'a> {
    pub tables: &'a Tables,
    pub catalog: &'a BTreeMap<String, NamedQuery>,
    pub config: &'a Config,
    pub as_of: NaiveDate,
    pub roster: Option<&'a DataFrame>,
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

    fn table(&self, name: &str, title: &str, quarter: Option<Quarter>) -> Result<ReportTable> {
        Ok(ReportTable {
            title: title.to_string(),
            source: format!("queries/{name}.sql"),
            frame: self.query(name, quarter)?,
        })
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
    fn with_names(&self, df: DataFrame) -> Result<DataFrame> {
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

fn ratio(a: i64, b: i64) -> f64 {
    if b > 0 {
        a as f64 / b as f64
    } else {
        f64::NAN
    }
}

/// `增加 12.5%` / `减少 3.0%` / `持平` / `无可比数据`
fn change(now: i64, before: i64) -> String {
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

fn int_at(df: &DataFrame, col: &str, row: usize) -> i64 {
    df.column(col)
        .ok()
        .and_then(|c| c.get(row).ok())
        .and_then(|v| v.extract::<i64>())
        .unwrap_or(0)
}

fn float_at(df: &DataFrame, col: &str, row: usize) -> f64 {
    df.column(col)
        .ok()
        .and_then(|c| c.get(row).ok())
        .and_then(|v| v.extract::<f64>())
        .unwrap_or(f64::NAN)
}

fn str_at(df: &DataFrame, col: &str, row: usize) -> String {
    df.column(col)
        .ok()
        .and_then(|c| c.str().ok().and_then(|s| s.get(row).map(inline)))
        .unwrap_or_default()
}

fn list_at(df: &DataFrame, col: &str, row: usize) -> Vec<String> {
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

fn row_where(df: &DataFrame, col: &str, value: &str) -> Option<usize> {
    let c = df.column(col).ok()?.str().ok()?.clone();
    let found = c.iter().position(|v| v == Some(value));
    found
}

fn sum_col(df: &DataFrame, col: &str) -> i64 {
    (0..df.height()).map(|i| int_at(df, col, i)).sum()
}

/// Filter a frame to rows whose `col` equals `value`.
fn only(df: &DataFrame, col: &str, value: &str) -> Result<DataFrame> {
    Ok(df
        .clone()
        .lazy()
        .filter(polars::prelude::col(col).eq(lit(value)))
        .collect()?)
}

/// Distinct flagged cases, officers and inconsistent cases of a repeat list.
struct RepeatCounts {
    case_ids: BTreeSet<String>,
    officers: BTreeSet<String>,
    inconsistent: BTreeSet<String>,
}

impl RepeatCounts {
    fn of(repeats: &DataFrame) -> RepeatCounts {
        let flag = |i: usize| {
            repeats
                .column("inconsistent")
                .ok()
                .and_then(|c| c.bool().ok().and_then(|b| b.get(i)))
                == Some(true)
        };
        RepeatCounts {
            case_ids: (0..repeats.height())
                .map(|i| str_at(repeats, "case_id", i))
                .collect(),
            officers: (0..repeats.height())
                .map(|i| str_at(repeats, "officer", i))
                .collect(),
            inconsistent: (0..repeats.height())
                .filter(|i| flag(*i))
                .map(|i| str_at(repeats, "case_id", i))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Comparison {
    pub label: String,
    pub filed: i64,
    pub decided: i64,
    pub filed_change: String,
    pub decided_change: String,
}

#[derive(Debug, Serialize)]
pub struct Share {
    pub name: String,
    pub count: i64,
    pub share: String,
}

#[derive(Debug, Serialize)]
pub struct RiskPointText {
    pub what: String,
    pub count: i64,
    /// Of a unit×error_type cell's cases, those its unit repeats (0 for
    /// the other kinds of cell).
    pub repeats: i64,
    pub expected: String,
    pub ratio: String,
    pub signals: String,
    pub level: String,
    pub cases: String,
}

/// The quarterly report's context.
#[derive(Debug, Serialize)]
pub struct Quarterly {
    pub office: String,
    pub quarter: String,
    pub quarter_code: String,
    pub date: String,
    pub filed: i64,
    pub decided: i64,
    pub open_at_end: i64,
    pub previous: Option<Comparison>,
    pub year_before: Option<Comparison>,
    pub outcomes: Vec<Share>,
    pub tolerated: i64,
    pub tolerated_share: String,
    pub not_tolerated: i64,
    pub not_tolerated_share: String,
    pub unit_count: usize,
    pub top_units: Vec<Share>,
    pub domain_count: usize,
    pub top_domains: Vec<Share>,
    pub risk_alarm: usize,
    pub risk_warning: usize,
    pub risk_points: Vec<RiskPointText>,
    pub repeat_cases: usize,
    pub repeat_officers: usize,
    pub inconsistent_cases: usize,
    pub overdue: usize,
    pub decide_total: i64,
    pub decide_met_rate: String,
    pub review_applications: i64,
    pub review_changed: i64,
    pub rectify_on_time: i64,
    pub rectify_late: i64,
    pub rectify_open: i64,
    pub feedback_owed: i64,
    pub feedback_given: i64,
    pub clarify_base: i64,
    pub clarified: i64,
    pub recommendations: Vec<String>,
}

fn comparison(overview: &DataFrame, q: Quarter, now: (i64, i64)) -> Option<Comparison> {
    let row = row_where(overview, "quarter", &q.label())?;
    let (filed, decided) = (
        int_at(overview, "filed", row),
        int_at(overview, "decided", row),
    );
    Some(Comparison {
        label: q.label_zh(),
        filed,
        decided,
        filed_change: change(now.0, filed),
        decided_change: change(now.1, decided),
    })
}

fn risk_text(df: &DataFrame, row: usize) -> RiskPointText {
    let dims = str_at(df, "dims", row);
    let what = match dims.as_str() {
        "unit×error_type" => format!(
            "{}的“{}”",
            str_at(df, "unit", row),
            str_at(df, "error_type", row)
        ),
        "domain×error_type" => format!(
            "{}领域的“{}”",
            str_at(df, "domain", row),
            str_at(df, "error_type", row)
        ),
        _ => format!(
            "{}在{}领域",
            str_at(df, "unit", row),
            str_at(df, "domain", row)
        ),
    };
    let e = float_at(df, "expected", row);
    let r = float_at(df, "ratio", row);
    let ids = list_at(df, "case_ids", row);
    let shown: Vec<String> = ids.iter().take(5).cloned().collect();
    let cases = if ids.len() > 5 {
        format!("{}等{}件", shown.join("、"), ids.len())
    } else {
        shown.join("、")
    };
    RiskPointText {
        what,
        count: int_at(df, "count", row),
        repeats: int_at(df, "unit_repeats", row),
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
        cases,
    }
}

/// Tables and context of the quarterly report.
pub fn quarterly(
    inputs: &Inputs,
    q: Quarter,
) -> Result<(Quarterly, BTreeMap<String, ReportTable>)> {
    let mut tables = BTreeMap::new();
    let mut add = |key: &str, t: ReportTable| {
        tables.insert(key.to_string(), t);
    };
    let overview_all = inputs.query("overview_by_quarter", None)?;
    let overview = overview_all
        .clone()
        .lazy()
        .filter(col("quarter").lt_eq(lit(q.label())))
        .collect()?;
    let row = row_where(&overview, "quarter", &q.label());
    let (filed, decided, open_at_end) = match row {
        Some(r) => (
            int_at(&overview, "filed", r),
            int_at(&overview, "decided", r),
            int_at(&overview, "open_at_end", r),
        ),
        None => (0, 0, 0),
    };
    add(
        "overview",
        ReportTable {
            title: "各季度立案、认定与未结情况".into(),
            source: "queries/overview_by_quarter.sql".into(),
            frame: overview.clone(),
        },
    );

    let shares = inputs.query("outcome_shares", Some(q))?;
    let outcomes: Vec<Share> = (0..shares.height())
        .map(|i| Share {
            name: str_at(&shares, "outcome", i),
            count: int_at(&shares, "count", i),
            share: pct(float_at(&shares, "share", i)),
        })
        .collect();
    let count_of = |names: &[&str]| {
        outcomes
            .iter()
            .filter(|o| names.contains(&o.name.as_str()))
            .map(|o| o.count)
            .sum::<i64>()
    };
    let tolerated = count_of(crate::schema::TOLERANCE_OUTCOMES);
    let not_tolerated = count_of(&["不予容错"]);
    let decided_q = sum_col(&shares, "count");
    add(
        "outcome_shares",
        ReportTable {
            title: "本季度认定结果构成".into(),
            source: "queries/outcome_shares.sql".into(),
            frame: shares,
        },
    );

    let by_unit = inputs.query("by_unit", Some(q))?;
    let top_units = (0..by_unit.height().min(3))
        .map(|i| Share {
            name: str_at(&by_unit, "unit", i),
            count: int_at(&by_unit, "filed", i),
            share: pct(ratio(int_at(&by_unit, "filed", i), filed)),
        })
        .collect();
    let unit_count = by_unit.height();
    add(
        "by_unit",
        ReportTable {
            title: "分单位情况".into(),
            source: "queries/by_unit.sql".into(),
            frame: by_unit,
        },
    );
    let by_domain = inputs.query("by_domain", Some(q))?;
    let top_domains = (0..by_domain.height().min(3))
        .map(|i| Share {
            name: str_at(&by_domain, "domain", i),
            count: int_at(&by_domain, "filed", i),
            share: str_at(&by_domain, "top_error_type", i),
        })
        .collect();
    let domain_count = by_domain.height();
    add(
        "by_domain",
        ReportTable {
            title: "分执法领域情况".into(),
            source: "queries/by_domain.sql".into(),
            frame: by_domain,
        },
    );

    let risks = inputs.query("top_risk_points", Some(q))?;
    let levels: Vec<String> = (0..risks.height())
        .map(|i| str_at(&risks, "level", i))
        .collect();
    let risk_points = (0..risks.height().min(5))
        .map(|i| risk_text(&risks, i))
        .collect();
    add(
        "risk_points",
        ReportTable {
            title: "易错风险点（告警、预警）".into(),
            source: "queries/top_risk_points.sql".into(),
            frame: risks,
        },
    );

    let repeats = inputs.with_names(inputs.query("repeat_list", Some(q))?)?;
    let RepeatCounts {
        case_ids: repeat_ids,
        officers: repeat_officers,
        inconsistent,
    } = RepeatCounts::of(&repeats);
    add(
        "repeats",
        ReportTable {
            title: "重复失误清单".into(),
            source: "queries/repeat_list.sql".into(),
            frame: repeats,
        },
    );

    let compliance = inputs.query("deadline_compliance", Some(q))?;
    let (decide_total, decide_rate) = match row_where(&compliance, "rule", "D17-decide") {
        Some(r) => (
            int_at(&compliance, "total", r),
            float_at(&compliance, "met_rate", r),
        ),
        None => (0, f64::NAN),
    };
    add(
        "compliance",
        ReportTable {
            title: "期限执行情况（本季度立案案件）".into(),
            source: "queries/deadline_compliance.sql".into(),
            frame: compliance,
        },
    );
    let overdue = inputs.query("overdue_list", None)?;
    let overdue_n = overdue.height();
    add(
        "overdue",
        ReportTable {
            title: format!("逾期未结清单（截至{}）", date_zh(inputs.as_of)),
            source: "queries/overdue_list.sql".into(),
            frame: overdue,
        },
    );

    let review = inputs.query("review_by_unit", None)?;
    let (review_applications, review_changed) = (
        sum_col(&review, "applications"),
        sum_col(&review, "changed"),
    );
    add(
        "review",
        ReportTable {
            title: "复核情况（试点以来）".into(),
            source: "queries/review_by_unit.sql".into(),
            frame: review,
        },
    );
    let rect = inputs.query("rectification", None)?;
    let (on_time, late, open) = (
        sum_col(&rect, "on_time"),
        sum_col(&rect, "late"),
        sum_col(&rect, "not_done"),
    );
    add(
        "rectification",
        ReportTable {
            title: "整改情况（试点以来）".into(),
            source: "queries/rectification.sql".into(),
            frame: rect,
        },
    );
    let fb = inputs.query("feedback", None)?;
    let pick = |section: &str, what: &str| {
        row_where(&fb, "section", section)
            .map(|r| int_at(&fb, what, r))
            .unwrap_or(0)
    };
    let (feedback_owed, feedback_given) = (
        pick("reporter_feedback", "base"),
        pick("reporter_feedback", "count"),
    );
    let (clarify_base, clarified) = (
        pick("clarification", "base"),
        pick("clarification", "count"),
    );
    add(
        "feedback",
        ReportTable {
            title: "举报反馈与澄清正名（试点以来）".into(),
            source: "queries/feedback.sql".into(),
            frame: fb,
        },
    );

    let risk_alarm = levels.iter().filter(|l| *l == "alarm").count();
    let risk_warning = levels.iter().filter(|l| *l == "warning").count();
    let mut recs = Vec::new();
    if risk_alarm + risk_warning > 0 {
        recs.push(format!("针对本季度{}个告警、{}个预警的易错风险点，向相关单位发出警示提醒函，督促其分析原因、完善制度（第二十条、第二十一条）。", risk_alarm, risk_warning));
    }
    if !inconsistent.is_empty() {
        recs.push(format!(
            "对{}件已构成重复失误却仍给予容错的案件进行复查，统一适用第十二条第（五）项。",
            inconsistent.len()
        ));
    }
    if !repeat_ids.is_empty() {
        recs.push(format!("将{}名重复失误人员纳入重点提醒名单，对其再次出现同类问题的，依第十二条第（五）项不予容错。", repeat_officers.len()));
    }
    if overdue_n > 0 {
        recs.push(format!("督促办结逾期事项{overdue_n}项，超过办理期限的应说明理由并报负责人审批（第十七条、第二十条）。"));
    }
    if decide_rate.is_finite() && decide_rate < 0.9 {
        recs.push(format!(
            "本季度立案案件按期认定率为{}，低于90%，建议加强办案期限管理（第十七条）。",
            pct(decide_rate)
        ));
    }
    if feedback_given < feedback_owed {
        recs.push(format!(
            "尚有{}件实名举报未反馈举报人，请按规定及时反馈（第二十二条）。",
            feedback_owed - feedback_given
        ));
    }
    recs.push("按季度向区政府报告行政执法履职尽责容错纠错工作情况（第十九条）。".into());

    let ctx = Quarterly {
        office: inline(&inputs.config.report.office),
        quarter: q.label_zh(),
        quarter_code: q.label(),
        date: date_zh(inputs.as_of),
        filed,
        decided,
        open_at_end,
        previous: comparison(&overview, q.prev(), (filed, decided)),
        year_before: comparison(
            &overview,
            Quarter::from_index(q.index() - 4),
            (filed, decided),
        ),
        tolerated,
        tolerated_share: pct(ratio(tolerated, decided_q)),
        not_tolerated,
        not_tolerated_share: pct(ratio(not_tolerated, decided_q)),
        outcomes,
        unit_count,
        top_units,
        domain_count,
        top_domains,
        risk_alarm,
        risk_warning,
        risk_points,
        repeat_cases: repeat_ids.len(),
        repeat_officers: repeat_officers.len(),
        inconsistent_cases: inconsistent.len(),
        overdue: overdue_n,
        decide_total,
        decide_met_rate: pct(decide_rate),
        review_applications,
        review_changed,
        rectify_on_time: on_time,
        rectify_late: late,
        rectify_open: open,
        feedback_owed,
        feedback_given,
        clarify_base,
        clarified,
        recommendations: recs,
    };
    Ok((ctx, tables))
}

/// One unit's warning notice context.
#[derive(Debug, Serialize)]
pub struct Warning {
    pub office: String,
    pub unit: String,
    pub quarter: String,
    pub date: String,
    pub reply_by: String,
    pub risk_points: Vec<RiskPointText>,
    pub repeat_cases: usize,
    pub repeat_officers: usize,
    pub inconsistent_cases: usize,
    pub case_count: usize,
}

/// Units that get a notice: those with alarm/warning risk points of their own
/// (unit×error_type, unit×domain) or repeat errors in the quarter.
pub fn warning_units(inputs: &Inputs, q: Quarter) -> Result<Vec<String>> {
    let risks = inputs.query("top_risk_points", Some(q))?;
    let repeats = inputs.query("repeat_list", Some(q))?;
    let mut units = BTreeSet::new();
    for i in 0..risks.height() {
        let u = str_at(&risks, "unit", i);
        if !u.is_empty() {
            units.insert(u);
        }
    }
    for i in 0..repeats.height() {
        units.insert(str_at(&repeats, "unit", i));
    }
    Ok(units.into_iter().collect())
}

/// The context and tables of one unit's notice; nothing of another unit.
pub fn warning(
    inputs: &Inputs,
    q: Quarter,
    unit: &str,
) -> Result<(Warning, BTreeMap<String, ReportTable>)> {
    let mut tables = BTreeMap::new();
    let risks = only(&inputs.query("top_risk_points", Some(q))?, "unit", unit)?;
    let risk_points = (0..risks.height()).map(|i| risk_text(&risks, i)).collect();
    let mut repeats =
        inputs.with_names(only(&inputs.query("repeat_list", Some(q))?, "unit", unit)?)?;
    // prior cases of another unit (an officer who moved) are not shown
    let unit_case_ids: BTreeSet<String> = {
        let mine = inputs
            .tables
            .lazy("cases")
            .context("cases 表缺失")?
            .filter(col("unit").cast(DataType::String).eq(lit(unit)))
            .select([col("case_id")])
            .collect()?;
        let ids = mine.column("case_id")?.str()?.clone();
        ids.iter().flatten().map(String::from).collect()
    };
    if repeats.height() > 0 {
        let priors = repeats.column("prior_case_ids")?.list()?.clone();
        let kept: Vec<Option<Series>> = (0..priors.len())
            .map(|i| {
                priors.get_as_series(i).map(|s| {
                    let v: Vec<String> = s
                        .str()
                        .map(|x| {
                            x.iter()
                                .flatten()
                                .filter(|id| unit_case_ids.contains(*id))
                                .map(String::from)
                                .collect()
                        })
                        .unwrap_or_default();
                    Series::new("".into(), v)
                })
            })
            .collect();
        let mut ca: ListChunked = kept.into_iter().collect();
        ca.rename("prior_case_ids".into());
        repeats.with_column(ca.into_series().into_column())?;
    }
    let RepeatCounts {
        case_ids: repeat_ids,
        officers: repeat_officers,
        inconsistent,
    } = RepeatCounts::of(&repeats);
    let mut cases = only(&inputs.query("cases_in_quarter", Some(q))?, "unit", unit)?;
    if !inputs.summaries {
        cases = cases.drop("summary")?;
    }
    let case_count = cases.height();
    tables.insert(
        "risk_points".into(),
        ReportTable {
            title: "本单位易错风险点".into(),
            source: "queries/top_risk_points.sql".into(),
            frame: risks.drop_many(["window"]),
        },
    );
    tables.insert(
        "repeats".into(),
        ReportTable {
            title: "本单位重复失误".into(),
            source: "queries/repeat_list.sql".into(),
            frame: repeats.drop_many(["unit"]),
        },
    );
    tables.insert(
        "cases".into(),
        ReportTable {
            title: "本单位本季度立案案件".into(),
            source: "queries/cases_in_quarter.sql".into(),
            frame: cases.drop_many(["unit"]),
        },
    );
    let reply = inputs.as_of + chrono::Duration::days(inputs.config.report.reply_days as i64);
    Ok((
        Warning {
            office: inline(&inputs.config.report.office),
            unit: inline(unit),
            quarter: q.label_zh(),
            date: date_zh(inputs.as_of),
            reply_by: date_zh(reply),
            risk_points,
            repeat_cases: repeat_ids.len(),
            repeat_officers: repeat_officers.len(),
            inconsistent_cases: inconsistent.len(),
            case_count,
        },
        tables,
    ))
}

/// The pilot review's context.
#[derive(Debug, Serialize)]
pub struct Review {
    pub office: String,
    pub span: String,
    pub date: String,
    pub quarters: usize,
    pub filed: i64,
    pub decided: i64,
    pub never_used: Vec<String>,
    pub clause_total: usize,
    pub decide_median: String,
    pub decide_p90: String,
    pub decide_within: String,
    pub repeat_rate_first: String,
    pub repeat_rate_last: String,
    pub cooled_share: String,
    pub flagged_total: i64,
    pub cooled_total: i64,
    pub review_applications: i64,
    pub review_changed: i64,
    pub findings: Vec<String>,
}

/// Tables and context of the pilot review (art. 24).
pub fn review(inputs: &Inputs) -> Result<(Review, BTreeMap<String, ReportTable>)> {
    let mut tables = BTreeMap::new();
    let overview = inputs.table("overview_by_quarter", "各季度立案、认定与未结情况", None)?;
    let (filed, decided) = (
        sum_col(&overview.frame, "filed"),
        sum_col(&overview.frame, "decided"),
    );
    let quarters = overview.frame.height();
    let span = match (
        overview.frame.height(),
        overview
            .frame
            .column("quarter")
            .ok()
            .and_then(|c| c.str().ok().cloned()),
    ) {
        (n, Some(q)) if n > 0 => format!(
            "{}至{}",
            q.get(0)
                .and_then(Quarter::parse)
                .map(|x| x.label_zh())
                .unwrap_or_default(),
            q.get(n - 1)
                .and_then(Quarter::parse)
                .map(|x| x.label_zh())
                .unwrap_or_default()
        ),
        _ => String::new(),
    };
    tables.insert("overview".into(), overview);
    let clauses = inputs.table("clause_use", "条款适用情况（含从未适用的条款）", None)?;
    let never_used: Vec<String> = (0..clauses.frame.height())
        .filter(|i| int_at(&clauses.frame, "count", *i) == 0)
        .map(|i| clause_zh(&str_at(&clauses.frame, "clause", i)))
        .collect();
    let clause_total = clauses.frame.height();
    tables.insert("clauses".into(), clauses);
    let times = inputs.table("processing_times", "办理用时分布", None)?;
    let (decide_median, decide_p90, decide_within) =
        match row_where(&times.frame, "rule", "D17-decide") {
            Some(r) => (
                format!("{:.0}", float_at(&times.frame, "median_days", r)),
                format!("{:.0}", float_at(&times.frame, "p90_days", r)),
                pct(float_at(&times.frame, "within_limit", r)),
            ),
            None => ("—".into(), "—".into(), "—".into()),
        };
    tables.insert("times".into(), times);
    let rr = inputs.table("repeat_rate_by_quarter", "各季度重复失误率", None)?;
    let full: Vec<usize> = (0..rr.frame.height()).collect();
    let repeat_rate_first = full
        .first()
        .map(|i| pct(float_at(&rr.frame, "repeat_rate", *i)))
        .unwrap_or_else(|| "—".into());
    let repeat_rate_last = full
        .last()
        .map(|i| pct(float_at(&rr.frame, "repeat_rate", *i)))
        .unwrap_or_else(|| "—".into());
    tables.insert("repeat_rate".into(), rr);
    let follow = inputs.table("risk_point_followup", "风险点下一季度降温情况", None)?;
    let (flagged_total, cooled_total) = (
        sum_col(&follow.frame, "flagged"),
        sum_col(&follow.frame, "cooled"),
    );
    tables.insert("followup".into(), follow);
    let review_t = inputs.table("review_by_unit", "各单位复核情况", None)?;
    let (review_applications, review_changed) = (
        sum_col(&review_t.frame, "applications"),
        sum_col(&review_t.frame, "changed"),
    );
    tables.insert("review".into(), review_t);

    let mut findings = Vec::new();
    if !never_used.is_empty() {
        findings.push(format!(
            "试点期间{}等{}项条款从未适用，建议评估其表述是否明确、情形是否确需保留。",
            never_used
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("、"),
            never_used.len()
        ));
    }
    findings.push(format!("调查终结（第十七条）用时中位数{decide_median}日，90%的案件在{decide_p90}日内终结，期限内完成占比{decide_within}；建议结合延长与技术调查的实际使用情况评估30日期限。"));
    if flagged_total > 0 {
        findings.push(format!("被标记的易错风险点中，{}个在下一季度不再被标记（占{}），说明警示提醒总体有效；未降温的风险点宜纳入常态化督导。", cooled_total, pct(ratio(cooled_total, flagged_total))));
    }
    if review_applications > 0 {
        findings.push(format!("试点期间共受理复核申请{review_applications}件，改变原决定{review_changed}件（改变率{}），建议对改变率较高的单位开展认定标准培训。", pct(ratio(review_changed, review_applications))));
    }
    findings.push("建议在修订时明确第十二条第（五）项“同一问题”的认定口径，并将重复失误查询嵌入容错认定流程（jiucuo check）。".into());
    Ok((
        Review {
            office: inline(&inputs.config.report.office),
            span,
            date: date_zh(inputs.as_of),
            quarters,
            filed,
            decided,
            clause_total,
            never_used,
            decide_median,
            decide_p90,
            decide_within,
            repeat_rate_first,
            repeat_rate_last,
            cooled_share: pct(ratio(cooled_total, flagged_total)),
            flagged_total,
            cooled_total,
            review_applications,
            review_changed,
            findings,
        },
        tables,
    ))
}

/// `10.5` → `第十条第（五）项`
pub fn clause_zh(code: &str) -> String {
    const N: [&str; 13] = [
        "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
    ];
    let mut parts = code.split('.');
    let a = parts
        .next()
        .and_then(|x| x.parse::<usize>().ok())
        .filter(|x| *x <= 12);
    let i = parts
        .next()
        .and_then(|x| x.parse::<usize>().ok())
        .filter(|x| *x <= 12);
    match (a, i) {
        (Some(a), Some(i)) => format!("第{}条第（{}）项", N[a], N[i]),
        (Some(a), None) => format!("第{}条", N[a]),
        _ => code.to_string(),
    }
}
