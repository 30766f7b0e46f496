//! The pilot-period review (art. 24).

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;
use serde::Serialize;

use super::common::{
    clause_zh, date_zh, float_at, int_at, mark_unfinished_quarters, pct, quarter_label_as_of,
    ratio, row_where, str_at, sum_col, Basis, Inputs, Issuer,
};

use crate::period::Quarter;
use crate::report::table::ReportTable;

/// Full pilot quarters a quarter needs before it for a repeat rate: with
/// less history few earlier errors can exist, and the rate says nothing.
pub const REPEAT_HISTORY_QUARTERS: i64 = 2;

/// The pilot review's context.
#[derive(Debug, Serialize)]
pub struct Review {
    #[serde(flatten)]
    pub issuer: Issuer,
    pub start: String,
    pub date: String,
    pub basis: Basis,
    pub quarters: usize,
    pub filed: i64,
    pub decided: i64,
    pub never_used: Vec<String>,
    pub clause_total: usize,
    pub decide_median: String,
    pub decide_p90: String,
    pub decide_within: String,
    /// The first quarter with enough history for a repeat rate, or empty.
    pub repeat_from: String,
    pub repeat_rate_first: String,
    pub repeat_rate_last: String,
    pub repeat_last_label: String,
    pub flagged_total: i64,
    pub cooled_total: i64,
    pub review_applications: i64,
    pub review_changed: i64,
    pub findings: Vec<String>,
    /// The 口径比较 chapter (`report review --compare`), or None.
    pub compare: Option<CompareText>,
    /// What is left open at the pilot's end (or the as-of date).
    pub open_at_expiry: OpenAtExpiry,
    /// Whether the warnings worked.
    pub effect: super::effect::EffectText,
    /// Days after the next quarter's end before a notice's effect is read.
    pub settle_days: i64,
    /// Rates are per enforcement action (else per case filed).
    pub with_volume: bool,
    /// The two deadline steps least often met in time, with their shares.
    pub slowest: Vec<String>,
    /// 12(5) candidates over the pilot, those already given tolerance, and
    /// decisions citing 12(5) without an earlier error on record.
    pub repeat_total: i64,
    pub repeat_inconsistent: i64,
    pub cited_without_basis: i64,
    /// The rate met per rule and quarter, for the small-multiples chart.
    #[serde(skip)]
    pub compliance_series: (Vec<crate::chart::compliance_trend::RuleSeries>, Vec<String>),
}

/// What the 口径比较 chapter states: each figure under reading A (in force)
/// and reading B.
#[derive(Debug, Serialize)]
pub struct CompareText {
    /// What reading B is.
    pub b_is: String,
    /// Deadline checks whose status differs.
    pub deadline_checks: usize,
    pub candidates_a: i64,
    pub candidates_b: i64,
    pub risk_a: i64,
    pub risk_b: i64,
    /// Risk points whose level differs.
    pub risk_changed: usize,
    pub notices_a: usize,
    pub notices_b: usize,
    /// Units whose notice differs.
    pub notices_changed: usize,
    /// Rows of the case-level list.
    pub cases: usize,
}

/// The 口径比较 chapter's figures and tables: the deadline checks that move
/// (printed), and every table of the comparison in the Excel appendix.
fn compare_chapter(
    c: &crate::pipeline::whatif::Compared,
    tables: &mut BTreeMap<String, ReportTable>,
) -> Result<CompareText> {
    let k = &c.comparison;
    let sum = |df: &DataFrame, col: &str| sum_col(df, col);
    let moved = k
        .deadlines
        .clone()
        .lazy()
        .filter(col("change").neq(lit(0)))
        .select([
            col("rule_name").alias("rule"),
            col("status"),
            col("count_a"),
            col("count_b"),
            col("change"),
        ])
        .collect()?;
    let deadline_checks = (0..k.cases.height())
        .filter(|i| str_at(&k.cases, "what", *i).starts_with("期限"))
        .count();
    let first = |df: &DataFrame, col: &str| int_at(df, col, 0);
    let out = CompareText {
        b_is: crate::report::markup::inline(&c.b_is),
        deadline_checks,
        candidates_a: first(&k.repeats, "count_a"),
        candidates_b: first(&k.repeats, "count_b"),
        risk_a: sum(&k.risk_points, "count_a"),
        risk_b: sum(&k.risk_points, "count_b"),
        risk_changed: k.risk_point_changes.height(),
        notices_a: c.notices.0,
        notices_b: c.notices.1,
        notices_changed: k.notices.height(),
        cases: k.cases.height(),
    };
    let source = "jiucuo whatif（口径比较）";
    for (key, title, frame) in [
        ("compare_deadlines", "口径不同时期限检查状态的变化", moved),
        (
            "compare_repeats",
            "口径比较：第十二条第（五）项比对",
            k.repeats.clone(),
        ),
        (
            "compare_risk",
            "口径比较：各季度风险点",
            k.risk_points.clone(),
        ),
        (
            "compare_risk_cells",
            "口径比较：级别不同的风险点",
            k.risk_point_changes.clone(),
        ),
        (
            "compare_notices",
            "口径比较：警示提醒函不同的单位",
            k.notices.clone(),
        ),
        ("compare_cases", "口径比较：逐案差异", k.cases.clone()),
    ] {
        tables.insert(key.into(), ReportTable::new(title, source, frame));
    }
    Ok(out)
}

/// What is left open when the pilot expires (or at the as-of date, if
/// earlier): undecided cases by unit and age, rectifications still due.
#[derive(Debug, Serialize)]
pub struct OpenAtExpiry {
    /// `2027年2月28日`, or the as-of date before it.
    pub on: String,
    /// The as-of date falls before the pilot's end.
    pub before_end: bool,
    pub open: i64,
    /// Of them, filed more than 30 days before (past art. 17's 30 days,
    /// before any extension or appraisal days).
    pub open_over_30: i64,
    pub rectify_overdue: i64,
    pub rectify_not_due: i64,
}

/// Age bands of an undecided case, in days since filing: (column, upper bound).
const AGE_BANDS: [(&str, i32); 4] = [
    ("age_30", 30),
    ("age_60", 60),
    ("age_90", 90),
    ("age_over_90", i32::MAX),
];

/// Cases filed by `on` and undecided then, by unit and age band, with the
/// unit's rectifications overdue or not yet due then (rules.md §2 D20: the
/// extended date if any, else the set one).
pub fn open_at(cases: LazyFrame, on: chrono::NaiveDate) -> Result<DataFrame> {
    use crate::schema as s;
    let names = cases.clone().collect_schema()?;
    let date_or_null = |name: &str| {
        if names.contains(name) {
            col(name)
        } else {
            lit(NULL).cast(DataType::Date)
        }
    };
    let day = crate::period::days_since_epoch(on);
    let age = lit(day) - col(s::FILED_ON).cast(DataType::Int32);
    // as they stood on `on` (the pilot's end may fall before the as-of date)
    let undecided_then = col(s::DECIDED_ON)
        .is_null()
        .or(col(s::DECIDED_ON).gt(lit(on)));
    let open = col(s::FILED_ON).lt_eq(lit(on)).and(undecided_then);
    let due = coalesce(&[
        date_or_null(s::RECTIFY_EXTENDED_TO),
        date_or_null(s::RECTIFY_DUE),
    ]);
    let rectified_then = date_or_null(s::RECTIFIED_ON)
        .lt_eq(lit(on))
        .fill_null(lit(false));
    let rectifying = col(s::DECIDED_ON)
        .lt_eq(lit(on))
        .fill_null(lit(false))
        .and(due.clone().is_not_null())
        .and(rectified_then.not());
    let count = |cond: Expr| cond.cast(DataType::Int64).sum();
    let mut aggs = vec![count(open.clone()).alias("open")];
    let mut lower = -1;
    for (name, upper) in AGE_BANDS {
        aggs.push(
            count(
                open.clone()
                    .and(age.clone().gt(lit(lower)))
                    .and(age.clone().lt_eq(lit(upper))),
            )
            .alias(name),
        );
        lower = upper;
    }
    aggs.push(
        col(s::FILED_ON)
            .filter(open.clone())
            .min()
            .alias("oldest_filed_on"),
    );
    aggs.push(count(rectifying.clone().and(due.clone().lt(lit(on)))).alias("rectify_overdue"));
    aggs.push(count(rectifying.and(due.gt_eq(lit(on)))).alias("rectify_not_due"));
    Ok(cases
        .with_column(col(s::UNIT).cast(DataType::String))
        .group_by([col(s::UNIT)])
        .agg(aggs)
        .filter(
            col("open")
                .gt(lit(0))
                .or(col("rectify_overdue").gt(lit(0)))
                .or(col("rectify_not_due").gt(lit(0))),
        )
        .sort_by_exprs(
            [col("open"), col("rectify_overdue"), col(s::UNIT)],
            SortMultipleOptions::default().with_order_descending_multi([true, true, false]),
        )
        .collect()?)
}

/// Units citing a catch-all item (9.9, 10.10, 11.3, 12.7) in more than the
/// configured share of their decisions citing a clause (at least 10): the
/// table (top 10 printed) and one proposal per unit and item, at most three.
fn catch_all_findings(
    inputs: &Inputs,
    tables: &mut BTreeMap<String, ReportTable>,
) -> Result<Vec<String>> {
    let limit = inputs.config.report.catch_all_share;
    let t = inputs.table(
        "catch_all_by_unit",
        "各单位兜底条款适用情况（试点以来）",
        None,
    )?;
    let df = &t.frame;
    let mut out = Vec::new();
    for i in 0..df.height() {
        let (share, base) = (float_at(df, "share", i), int_at(df, "cited_decisions", i));
        if share > limit && base >= 10 && out.len() < 3 {
            out.push(format!(
                "{}引用兜底条款{}的认定{}件，占其引用条款认定（{}件）的{}，高于设定的{}；建议修订时细化该项情形的适用条件，并对该单位的适用情况专项检查。",
                str_at(df, "unit", i),
                clause_zh(&str_at(df, "clause", i)),
                int_at(df, "count", i),
                base,
                pct(share),
                pct(limit)
            ));
        }
    }
    tables.insert("catch_all".into(), t.top(10));
    Ok(out)
}

/// Deadline rules whose checks are late, overdue or in breach in more than
/// the configured share over the pilot: the per-quarter table of rates met
/// and one proposal per rule.
type ComplianceSeries = (Vec<crate::chart::compliance_trend::RuleSeries>, Vec<String>);

fn late_rule_findings(
    inputs: &Inputs,
    tables: &mut BTreeMap<String, ReportTable>,
) -> Result<(Vec<String>, ComplianceSeries)> {
    let limit = inputs.config.report.late_share;
    let first = Quarter::of(inputs.config.pilot.start);
    let last = Quarter::of(inputs.as_of.min(inputs.config.pilot.end));
    // rule → (met, late, overdue, breach) over the pilot, and met rate per quarter
    let mut totals: BTreeMap<(usize, String), [i64; 4]> = BTreeMap::new();
    let mut rates: BTreeMap<(usize, String), BTreeMap<String, f64>> = BTreeMap::new();
    let mut labels = Vec::new();
    let mut q = first;
    while q <= last {
        let label = quarter_label_as_of(q, inputs.as_of);
        let c = inputs.query("deadline_compliance", Some(q))?;
        for i in 0..c.height() {
            let rule = str_at(&c, "rule", i);
            let key = (crate::analysis::deadlines::rule_order(&rule), rule);
            let t = totals.entry(key.clone()).or_default();
            for (k, col) in ["met", "late", "overdue", "breach"].iter().enumerate() {
                t[k] += int_at(&c, col, i);
            }
            let rate = float_at(&c, "met_rate", i);
            if rate.is_finite() {
                rates.entry(key).or_default().insert(label.clone(), rate);
            }
        }
        labels.push(label);
        q = q.next();
    }
    let mut out = Vec::new();
    for ((_, rule), [met, late, overdue, breach]) in &totals {
        let bad = late + overdue + breach;
        let share = ratio(bad, met + bad);
        if share > limit {
            out.push(format!(
                "“{}”逾期或不符合规定的占{}（{}项中{}项），高于设定的{}；建议分析该环节用时的构成，评估期限或程序规定是否需要调整。",
                crate::analysis::deadlines::rule_name(rule).unwrap_or(rule),
                pct(share),
                met + bad,
                bad,
                pct(limit)
            ));
        }
    }
    let mut columns = vec![Column::new(
        "rule".into(),
        totals.keys().map(|(_, r)| r.clone()).collect::<Vec<_>>(),
    )];
    for label in &labels {
        columns.push(Column::new(
            label.as_str().into(),
            totals
                .keys()
                .map(|k| rates.get(k).and_then(|m| m.get(label)).copied())
                .collect::<Vec<_>>(),
        ));
    }
    let frame = DataFrame::new(totals.len(), columns)?;
    let series = totals
        .keys()
        .map(|k| crate::chart::compliance_trend::RuleSeries {
            rule: crate::analysis::deadlines::rule_name(&k.1)
                .unwrap_or(&k.1)
                .to_string(),
            rates: labels
                .iter()
                .map(|l| rates.get(k).and_then(|m| m.get(l)).copied())
                .collect(),
        })
        .collect();
    tables.insert(
        "compliance_trend".into(),
        ReportTable::new(
            "各季度立案案件的期限按期率",
            "queries/deadline_compliance.sql（逐季度）",
            frame,
        )
        .percent_columns(),
    );
    Ok((out, (series, labels)))
}

/// The overview with cases filed per 1,000 enforcement actions of the
/// quarter, for whole quarters inside the pilot, when volume is given (the
/// table unchanged otherwise).
fn per_1000_actions(inputs: &Inputs, overview: DataFrame) -> Result<DataFrame> {
    let Some(volume) = inputs.tables.lazy("volume") else {
        return Ok(overview);
    };
    let mut actions: BTreeMap<String, f64> = BTreeMap::new();
    for ((_, q), a) in super::common::unit_actions(&volume.collect()?) {
        *actions.entry(q).or_default() += a;
    }
    // whole quarters only: a part-quarter's cases against a whole
    // quarter's actions would understate the rate
    let whole = |label: &str| {
        Quarter::parse(label).is_some_and(|q| {
            q.first_day() >= inputs.config.pilot.start
                && q.last_day() <= inputs.as_of.min(inputs.config.pilot.end)
        })
    };
    let rates: Vec<Option<f64>> = (0..overview.height())
        .map(|i| {
            let label = str_at(&overview, "quarter", i);
            if !whole(&label) {
                return None;
            }
            let a = actions.get(&label).copied()?;
            (a > 0.0).then(|| int_at(&overview, "filed", i) as f64 / a * 1000.0)
        })
        .collect();
    let mut overview = overview;
    overview.with_column(Column::new("filed_per_1000_actions".into(), rates))?;
    Ok(overview)
}

/// The two steps least often met in time (`within_limit`), as
/// `立案后30日内调查终结（第十七条）（88.6%）`.
fn slowest_steps(times: &DataFrame) -> Vec<String> {
    let mut steps: Vec<(f64, String)> = (0..times.height())
        .filter_map(|i| {
            let share = float_at(times, "within_limit", i);
            share.is_finite().then(|| {
                let rule = str_at(times, "rule", i);
                let name = crate::analysis::deadlines::rule_name(&rule)
                    .unwrap_or(&rule)
                    .to_string();
                (share, format!("{name}（{}）", pct(share)))
            })
        })
        .collect();
    steps.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    steps.into_iter().take(2).map(|s| s.1).collect()
}

/// The open-at-expiry chapter: its figures, and the table by unit (top 10
/// printed, all in the appendix).
fn open_chapter(
    inputs: &Inputs,
    tables: &mut BTreeMap<String, ReportTable>,
) -> Result<OpenAtExpiry> {
    use anyhow::Context;
    let end = inputs.config.pilot.end;
    let on = inputs.as_of.min(end);
    let cases = inputs.tables.lazy("cases").context("cases 表缺失")?;
    let by_unit = open_at(cases, on)?;
    let out = OpenAtExpiry {
        on: date_zh(on),
        before_end: on < end,
        open: sum_col(&by_unit, "open"),
        open_over_30: ["age_60", "age_90", "age_over_90"]
            .iter()
            .map(|c| sum_col(&by_unit, c))
            .sum(),
        rectify_overdue: sum_col(&by_unit, "rectify_overdue"),
        rectify_not_due: sum_col(&by_unit, "rectify_not_due"),
    };
    tables.insert(
        "open_at_expiry".into(),
        ReportTable::new(
            format!(
                "截至{}尚未认定的案件与尚未完成的整改（按单位）",
                date_zh(on)
            ),
            "analysis: review::open_at",
            by_unit,
        )
        .top(10)
        .columns(&[
            "unit",
            "open",
            "age_30",
            "age_60",
            "age_90",
            "age_over_90",
            "rectify_overdue",
            "rectify_not_due",
        ]),
    );
    Ok(out)
}

/// The first quarter with `REPEAT_HISTORY_QUARTERS` whole pilot quarters before it.
pub fn first_repeat_quarter(pilot_start: chrono::NaiveDate) -> Quarter {
    let first = Quarter::of(pilot_start);
    // the pilot's first quarter is whole only if the pilot starts on its first day
    let first_full = if first.first_day() == pilot_start {
        first.index()
    } else {
        first.index() + 1
    };
    Quarter::from_index(first_full + REPEAT_HISTORY_QUARTERS)
}

/// Tables and context of the pilot review (art. 24).
/// Long: each section reads one table and keeps the numbers its sentence
/// prints; most of the length is the flat context handed to the template.
pub fn review(
    inputs: &Inputs,
    compared: Option<&crate::pipeline::whatif::Compared>,
    letters: Option<&[crate::ingest::auxiliary::Letter]>,
) -> Result<(Review, BTreeMap<String, ReportTable>)> {
    let mut tables = BTreeMap::new();
    let config = inputs.config;
    let overview = inputs.table("overview_by_quarter", "各季度立案、认定与未结情况", None)?;
    let (filed, decided) = (
        sum_col(&overview.frame, "filed"),
        sum_col(&overview.frame, "decided"),
    );
    let quarters = overview.frame.height();
    let overview = ReportTable {
        frame: mark_unfinished_quarters(per_1000_actions(inputs, overview.frame)?, inputs.as_of)?,
        ..overview
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
    let (decide_median, decide_p90, decide_within, within) =
        match row_where(&times.frame, "rule", "D17-decide") {
            Some(r) => (
                format!("{:.0}", float_at(&times.frame, "median_days", r)),
                format!("{:.0}", float_at(&times.frame, "p90_days", r)),
                pct(float_at(&times.frame, "within_limit", r)),
                float_at(&times.frame, "within_limit", r),
            ),
            None => ("—".into(), "—".into(), "—".into(), f64::NAN),
        };
    let slowest = slowest_steps(&times.frame);
    tables.insert("times".into(), times);

    let RepeatRates {
        from: repeat_from,
        first: repeat_rate_first,
        last: repeat_rate_last,
        last_label: repeat_last_label,
        total: repeat_total,
        inconsistent: repeat_inconsistent,
    } = repeat_rates(inputs, &mut tables)?;
    // 12(5) cited for decisions with no earlier error of the officer on record
    let cited_without_basis = inputs
        .tables
        .lazy("outcomes")
        .map(|o| -> Result<i64> {
            let rows = o
                .filter(
                    col("section")
                        .cast(DataType::String)
                        .eq(lit("cited_without_basis")),
                )
                .collect()?;
            Ok(rows.height() as i64)
        })
        .transpose()?
        .unwrap_or(0);

    let follow = inputs.table("risk_point_followup", "风险点下一季度是否仍被标记", None)?;
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

    // Findings for the revision: each fired by a number printed above.
    let mut findings = Vec::new();
    findings.extend(catch_all_findings(inputs, &mut tables)?);
    let (late, compliance_series) = late_rule_findings(inputs, &mut tables)?;
    findings.extend(late);
    if within.is_finite() && within < 1.0 {
        findings.push(format!("调查终结（第十七条）已完成事项中，期限内完成的占{decide_within}，用时中位数{decide_median}日、90%分位{decide_p90}日；建议结合延长审批与技术调查的实际使用情况，评估30日期限及延长规定是否需要细化。"));
    }
    if repeat_total > 0 {
        findings.push(format!("试点期间经比对共有{repeat_total}件案件可能属于第十二条第（五）项情形；建议在修订时明确“同一问题”“主观原因”的认定口径，并规定作出容错认定前查询该人员在先同类失误。"));
    }
    if review_applications > 0 {
        findings.push(format!(
            "试点期间受理复核申请{review_applications}件，改变原决定{review_changed}件（{}）；建议对改变原决定的案件逐件分析认定标准的掌握情况。",
            pct(ratio(review_changed, review_applications))
        ));
    }
    let compare = compared
        .map(|c| compare_chapter(c, &mut tables))
        .transpose()?;
    let open_at_expiry = open_chapter(inputs, &mut tables)?;
    let effect = super::effect::warning_effect(inputs, &mut tables, letters)?;
    Ok((
        Review {
            issuer: Issuer::of(config, inputs.as_of),
            start: date_zh(config.pilot.start),
            date: date_zh(inputs.as_of),
            basis: inputs.basis.clone(),
            quarters,
            filed,
            decided,
            clause_total,
            never_used,
            decide_median,
            decide_p90,
            decide_within,
            repeat_from,
            repeat_rate_first,
            repeat_rate_last,
            repeat_last_label,
            flagged_total,
            cooled_total,
            review_applications,
            review_changed,
            findings,
            compare,
            open_at_expiry,
            effect,
            settle_days: super::effect::SETTLE_DAYS,
            with_volume: inputs.with_volume,
            slowest,
            repeat_total,
            repeat_inconsistent,
            cited_without_basis,
            compliance_series,
        },
        tables,
    ))
}

/// The repeat rates of the review: only from the first quarter with enough
/// history; the table marks the earlier quarters.
struct RepeatRates {
    from: String,
    first: String,
    last: String,
    last_label: String,
    total: i64,
    /// Candidates already given 容错免责 treatment.
    inconsistent: i64,
}

fn repeat_rates(
    inputs: &Inputs,
    tables: &mut BTreeMap<String, ReportTable>,
) -> Result<RepeatRates> {
    let from = first_repeat_quarter(inputs.config.pilot.start);
    let mut rr = inputs.table(
        "repeat_rate_by_quarter",
        "各季度立案案件中经比对可能属于第十二条第（五）项情形的比例",
        None,
    )?;
    rr.frame = rr
        .frame
        .lazy()
        .with_columns([
            when(col("quarter").lt(lit(from.label())))
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(col("repeat_rate"))
                .alias("repeat_rate"),
            when(col("quarter").lt(lit(from.label())))
                .then(lit("此前不足两个完整季度，不计算比例"))
                .otherwise(lit(""))
                .alias("note"),
        ])
        .collect()?;
    let eligible: Vec<usize> = (0..rr.frame.height())
        .filter(|i| str_at(&rr.frame, "quarter", *i) >= from.label())
        .collect();
    let rate_at = |i: Option<&usize>| {
        i.map(|i| pct(float_at(&rr.frame, "repeat_rate", *i)))
            .unwrap_or_else(|| "—".into())
    };
    let repeat_rate_first = rate_at(eligible.first());
    let repeat_rate_last = rate_at(eligible.last());
    let repeat_last_label = eligible
        .last()
        .and_then(|i| Quarter::parse(&str_at(&rr.frame, "quarter", *i)))
        .map(|q| {
            if q.last_day() > inputs.as_of {
                format!("{}（截至基准日）", q.label_zh())
            } else {
                q.label_zh()
            }
        })
        .unwrap_or_default();
    let repeat_from = if eligible.is_empty() {
        String::new()
    } else {
        from.label_zh()
    };
    let total = sum_col(&rr.frame, "repeat_cases");
    let inconsistent = sum_col(&rr.frame, "inconsistent_cases");
    let rr = ReportTable {
        frame: mark_unfinished_quarters(rr.frame, inputs.as_of)?,
        ..rr
    };
    tables.insert("repeat_rate".into(), rr);
    Ok(RepeatRates {
        from: repeat_from,
        first: repeat_rate_first,
        last: repeat_rate_last,
        last_label: repeat_last_label,
        total,
        inconsistent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_rates_start_after_two_whole_pilot_quarters() {
        // The pilot starts 2025-03-01: 2025Q1 is partial, 2025Q2 and Q3 are
        // the first two whole quarters, so 2025Q4 is the first with a rate.
        let start = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        assert_eq!(first_repeat_quarter(start).label(), "2025Q4");
        let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert_eq!(first_repeat_quarter(start).label(), "2025Q3");
    }
}
