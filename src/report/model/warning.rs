//! A warning notice (警示提醒函) to one unit (arts. 20–21): only for a unit
//! with a risk point of its own at the configured level, stating only its
//! own facts.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use polars::prelude::*;
use serde::Serialize;

use super::common::{
    date_zh, only, risk_text, str_at, with_risk_point_names, Basis, Inputs, Issuer, RepeatCounts,
    RiskPointText, RISK_COLUMNS,
};
use crate::period::Quarter;
use crate::report::markup::inline;
use crate::report::table::ReportTable;

/// One unit's warning notice context.
#[derive(Debug, Serialize)]
pub struct Warning {
    #[serde(flatten)]
    pub issuer: Issuer,
    pub unit: String,
    pub quarter: String,
    pub date: String,
    pub basis: Basis,
    /// The reply date, a working day.
    pub reply_by: String,
    /// `告警级` or `预警级以上`: why the unit gets the notice.
    pub level: String,
    pub risk_points: Vec<RiskPointText>,
    pub repeat_cases: usize,
    pub repeat_officers: usize,
    /// File name of the Excel appendix (set when the notice is written).
    pub appendix: String,
}

/// The risk-point levels that earn a notice ([letters] level).
fn letter_levels(inputs: &Inputs) -> &'static [&'static str] {
    if inputs.config.letters.level == "warning" {
        &["alarm", "warning"]
    } else {
        &["alarm"]
    }
}

/// The unit's own risk points (unit×error_type, unit×domain) of the quarter
/// at a level that earns a notice.
fn own_risk_points(inputs: &Inputs, q: Quarter) -> Result<DataFrame> {
    let levels = Series::new("".into(), letter_levels(inputs));
    Ok(inputs
        .query("top_risk_points", Some(q))?
        .lazy()
        .filter(
            col("unit")
                .is_not_null()
                .and(col("level").is_in(lit(levels).implode(false), false)),
        )
        .collect()?)
}

/// Units that get a notice: those with a risk point of their own at the
/// configured level (rules.md §4 "Warning notices"), in text order.
pub fn warning_units(inputs: &Inputs, q: Quarter) -> Result<Vec<String>> {
    let risks = own_risk_points(inputs, q)?;
    let units: BTreeSet<String> = (0..risks.height())
        .map(|i| str_at(&risks, "unit", i))
        .collect();
    Ok(units.into_iter().collect())
}

/// The context and tables of one unit's notice; nothing of another unit.
pub fn warning(
    inputs: &Inputs,
    q: Quarter,
    unit: &str,
) -> Result<(Warning, BTreeMap<String, ReportTable>)> {
    let mut tables = BTreeMap::new();
    let risks = only(&own_risk_points(inputs, q)?, "unit", unit)?;
    let risk_points = (0..risks.height())
        .map(|i| risk_text(&risks, i, inputs.with_volume))
        .collect();
    let repeats = own_priors_only(
        inputs,
        unit,
        only(&inputs.query("repeat_list", Some(q))?, "unit", unit)?,
    )?;
    // counted by officer id, before names replace them
    let counts = RepeatCounts::of(&repeats);
    let repeats = inputs.with_names(repeats)?;
    let cases = listed_cases(inputs, q, unit, &risks)?;
    tables.insert(
        "cases".into(),
        ReportTable::new(
            "易错风险点所涉案件",
            "queries/cases_in_quarter.sql",
            cases.drop_many(["unit"]),
        ),
    );
    tables.insert(
        "risk_points".into(),
        ReportTable::new(
            "本单位易错风险点",
            "queries/top_risk_points.sql",
            without_unit_name(
                with_risk_point_names(risks.drop_many(["window", "case_ids"]), inputs.with_volume)?,
                unit,
            )?,
        )
        .columns(RISK_COLUMNS),
    );
    tables.insert(
        "repeats".into(),
        ReportTable::new(
            "本单位经比对可能属于第十二条第（五）项情形的案件（需在认定时核实）",
            "queries/repeat_list.sql",
            // dates of earlier cases are another unit's when an officer moved
            repeats.drop_many(["unit", "first_prior_on", "gap_days"]),
        ),
    );
    let level = if inputs.config.letters.level == "warning" {
        "预警级以上"
    } else {
        "告警级"
    };
    Ok((
        Warning {
            issuer: Issuer::of(inputs.config, inputs.as_of),
            unit: inline(unit),
            quarter: q.label_zh(),
            date: date_zh(inputs.as_of),
            basis: inputs.basis.clone(),
            reply_by: date_zh(inputs.reply_by),
            level: level.into(),
            risk_points,
            repeat_cases: counts.case_ids.len(),
            repeat_officers: counts.officers.len(),
            appendix: String::new(),
        },
        tables,
    ))
}

/// Risk-point names without the unit's own name (the notice is addressed
/// to it): `“违反法定程序”问题`, `住房城乡建设领域的失误`.
fn without_unit_name(mut risks: DataFrame, unit: &str) -> Result<DataFrame> {
    let named = risks.column("risk_point")?.str()?.clone();
    let unit = inline(unit);
    let short: Vec<Option<String>> = named
        .iter()
        .map(|n| {
            n.map(|n| {
                n.strip_prefix(&format!("{unit}的"))
                    .or_else(|| n.strip_prefix(&format!("{unit}在")))
                    .unwrap_or(n)
                    .to_string()
            })
        })
        .collect();
    risks.with_column(Column::new("risk_point".into(), short))?;
    Ok(risks)
}

/// The repeat list with prior cases of another unit removed (an officer who
/// moved): a unit's notice shows nothing of another unit.
fn own_priors_only(inputs: &Inputs, unit: &str, mut repeats: DataFrame) -> Result<DataFrame> {
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
    for list in ["prior_case_ids", "pending_priors"] {
        if repeats.height() == 0 {
            break;
        }
        let priors = repeats.column(list)?.list()?.clone();
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
        ca.rename(list.into());
        repeats.with_column(ca.into_series().into_column())?;
    }
    Ok(repeats)
}

/// The cases the unit's risk points rest on (summaries only when asked).
fn listed_cases(inputs: &Inputs, q: Quarter, unit: &str, risks: &DataFrame) -> Result<DataFrame> {
    let listed: BTreeSet<String> = (0..risks.height())
        .flat_map(|i| super::common::list_at(risks, "case_ids", i))
        .collect();
    let listed = Series::new("".into(), listed.into_iter().collect::<Vec<_>>());
    let mut cases = only(&inputs.query("cases_in_quarter", Some(q))?, "unit", unit)?
        .lazy()
        .filter(col("case_id").is_in(lit(listed).implode(false), false))
        .collect()?;
    if !inputs.summaries {
        cases = cases.drop("summary")?;
    }
    Ok(cases)
}
