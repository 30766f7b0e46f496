//! The review's answer to “did the warnings work?” (issue 21): each
//! warned risk point's rate of established errors per exposure in the
//! flagged quarter and the next whole quarter, tested exactly; pooled over
//! all notices; and set against the same change in risk points flagged at
//! `warning` level in the same quarters that got no notice (regression to
//! the mean lowers every flagged cell).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use polars::prelude::*;
use serde::Serialize;

use super::common::{str_at, Inputs};
use crate::analysis::determination::established_expr;
use crate::analysis::effect::{
    conditional_rate_ratio, mantel_haenszel, ratio_of_ratios, BeforeAfter, RateRatio, Verdict,
};
use crate::chart::effect::EffectPoint;
use crate::ingest::auxiliary::Letter;
use crate::period::Quarter;
use crate::report::table::ReportTable;
use crate::schema as s;

/// Days after the next quarter's end before its cases count as decided
/// (art. 17: 30 days, and at most 30 more on extension).
pub const SETTLE_DAYS: i64 = 60;

/// What the chapter states.
#[derive(Debug, Serialize, Default)]
pub struct EffectText {
    /// Where the notices come from, in words.
    pub source: String,
    /// Warned risk points with a next quarter settled by the as-of date.
    pub notices: usize,
    pub improved: usize,
    pub unchanged: usize,
    pub worsened: usize,
    /// Pooled ratio of the warned points (`0.62（95%区间0.45–0.85）`), or empty.
    pub pooled: String,
    pub comparison_cells: usize,
    pub comparison: String,
    /// The warned ratio against the comparison ratio, or empty.
    pub difference: String,
    /// 改善 / 未见明显变化 / 恶化 of the difference, or empty.
    pub difference_verdict: String,
    /// The chart's rows: each warned point, then the pooled ratios.
    #[serde(skip)]
    pub points: Vec<EffectPoint>,
}

/// Established errors per (unit, error type, quarter of filing), and cases
/// per (unit, quarter) as the exposure when no volume is given.
struct Counts {
    errors: BTreeMap<(String, String, Quarter), u64>,
    cases: BTreeMap<(String, Quarter), u64>,
    volume: Option<BTreeMap<(String, Quarter), f64>>,
}

impl Counts {
    fn of(inputs: &Inputs) -> Result<Counts> {
        let df = inputs
            .tables
            .lazy("cases")
            .context("cases 表缺失")?
            .select([
                col(s::UNIT).cast(DataType::String),
                col(s::ERROR_TYPE).cast(DataType::String),
                col(s::FILED_ON),
                established_expr().alias("established"),
            ])
            .collect()?;
        let units = df.column(s::UNIT)?.str()?.clone();
        let types = df.column(s::ERROR_TYPE)?.str()?.clone();
        let filed = df.column(s::FILED_ON)?.date()?.physical().clone();
        let est = df.column("established")?.bool()?.clone();
        let mut errors = BTreeMap::new();
        let mut cases = BTreeMap::new();
        for i in 0..df.height() {
            let (Some(u), Some(d)) = (units.get(i), filed.get(i)) else {
                continue;
            };
            let q = Quarter::of(crate::period::date_from_days(d));
            *cases.entry((u.to_string(), q)).or_insert(0) += 1;
            if est.get(i) == Some(true) {
                let e = types.get(i).unwrap_or_default().to_string();
                *errors.entry((u.to_string(), e, q)).or_insert(0) += 1;
            }
        }
        let volume = match inputs.tables.lazy("volume") {
            Some(v) => Some(
                super::common::unit_actions(&v.collect()?)
                    .into_iter()
                    .filter_map(|((u, q), a)| Quarter::parse(&q).map(|q| ((u, q), a)))
                    .collect(),
            ),
            None => None,
        };
        Ok(Counts {
            errors,
            cases,
            volume,
        })
    }

    fn exposure(&self, unit: &str, q: Quarter) -> f64 {
        let key = (unit.to_string(), q);
        match &self.volume {
            Some(v) => v.get(&key).copied().unwrap_or(0.0),
            None => self.cases.get(&key).copied().unwrap_or(0) as f64,
        }
    }

    fn cell(&self, unit: &str, error: &str, q: Quarter) -> BeforeAfter {
        let errors = |q: Quarter| {
            self.errors
                .get(&(unit.to_string(), error.to_string(), q))
                .copied()
                .unwrap_or(0)
        };
        BeforeAfter {
            before: errors(q),
            exposure_before: self.exposure(unit, q),
            after: errors(q.next()),
            exposure_after: self.exposure(unit, q.next()),
        }
    }
}

/// A unit × error-type risk point of a quarter: (quarter, unit, error type).
type Cell = (Quarter, String, String);

/// Unit × error-type risk points by quarter: (warned, comparison). Warned:
/// at a level that earns a notice (or named in the register); comparison:
/// flagged (alarm or warning) points of units that got no notice that
/// quarter. Only quarters whose next quarter has ended `SETTLE_DAYS` before
/// the as-of date, inside the pilot.
fn flagged_cells(inputs: &Inputs, letters: Option<&[Letter]>) -> Result<(Vec<Cell>, Vec<Cell>)> {
    let levels: &[&str] = if inputs.config.letters.level == "warning" {
        &["alarm", "warning"]
    } else {
        &["alarm"]
    };
    let h = inputs
        .tables
        .lazy("hotspots")
        .context("hotspots 表缺失")?
        .select([
            col("window").cast(DataType::String),
            col("dims").cast(DataType::String),
            col("unit").cast(DataType::String),
            col("error_type").cast(DataType::String),
            col("level").cast(DataType::String),
        ])
        .collect()?;
    // both quarters whole inside the pilot (a part-quarter's cases against a
    // whole quarter's exposure would bias the rate), the after one settled
    let pilot = &inputs.config.pilot;
    let settled = |q: Quarter| {
        let next = q.next();
        next.last_day() + chrono::Duration::days(SETTLE_DAYS) <= inputs.as_of
            && q.first_day() >= pilot.start
            && next.last_day() <= pilot.end
    };
    let (mut warned, mut flagged) = (BTreeSet::new(), BTreeSet::<Cell>::new());
    for i in 0..h.height() {
        let Some(q) = Quarter::parse(&str_at(&h, "window", i)) else {
            continue;
        };
        if str_at(&h, "dims", i) != "unit×error_type" || !settled(q) {
            continue;
        }
        let cell = (q, str_at(&h, "unit", i), str_at(&h, "error_type", i));
        let level = str_at(&h, "level", i);
        if levels.contains(&level.as_str()) {
            warned.insert(cell.clone());
        }
        if level == "alarm" || level == "warning" {
            flagged.insert(cell);
        }
    }
    if let Some(sent) = letters {
        // the register decides who was warned: the quarter before the one a
        // letter was sent in is the flagged one
        warned = sent
            .iter()
            .map(|l| {
                (
                    Quarter::of(l.sent_on).prev(),
                    l.unit.clone(),
                    l.error_type.clone(),
                )
            })
            .filter(|(q, ..)| settled(*q))
            .collect();
    }
    // comparison: flagged points of units that got no notice that quarter
    let warned_units: BTreeSet<(Quarter, String)> =
        warned.iter().map(|(q, u, _)| (*q, u.clone())).collect();
    let comparison: BTreeSet<Cell> = flagged
        .into_iter()
        .filter(|(q, u, _)| !warned_units.contains(&(*q, u.clone())))
        .collect();
    Ok((
        warned.into_iter().collect(),
        comparison.into_iter().collect(),
    ))
}

fn ratio_text(r: &RateRatio) -> String {
    format!("{:.2}（95%区间{:.2}–{:.2}）", r.ratio, r.low, r.high)
}

/// The chapter's figures, and its table of warned risk points (top 10
/// printed, all in the appendix).
pub fn warning_effect(
    inputs: &Inputs,
    tables: &mut BTreeMap<String, ReportTable>,
    letters: Option<&[Letter]>,
) -> Result<EffectText> {
    let counts = Counts::of(inputs)?;
    let (warned, comparison) = flagged_cells(inputs, letters)?;
    let mut rows: Vec<(Quarter, String, String, BeforeAfter, Option<RateRatio>)> = warned
        .iter()
        .map(|(q, u, e)| {
            let c = counts.cell(u, e, *q);
            (*q, u.clone(), e.clone(), c, conditional_rate_ratio(&c))
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let verdicts: Vec<Option<Verdict>> =
        rows.iter().map(|r| r.4.as_ref().map(Verdict::of)).collect();
    let count = |v: Verdict| verdicts.iter().filter(|x| **x == Some(v)).count();
    let pooled = mantel_haenszel(&rows.iter().map(|r| r.3).collect::<Vec<_>>());
    let comparison_cells: Vec<BeforeAfter> = comparison
        .iter()
        .map(|(q, u, e)| counts.cell(u, e, *q))
        .collect();
    let compared = mantel_haenszel(&comparison_cells);
    let difference = match (&pooled, &compared) {
        (Some(w), Some(c)) => Some(ratio_of_ratios(w, c)),
        _ => None,
    };
    let mut points: Vec<EffectPoint> = rows
        .iter()
        .filter_map(|(q, u, e, _, r)| {
            r.map(|r| EffectPoint {
                label: format!(
                    "{} {} {}",
                    q.label(),
                    crate::chart::labels::unit_label(u),
                    e
                ),
                ratio: r.ratio,
                low: r.low,
                high: r.high,
                pooled: false,
            })
        })
        .collect();
    for (label, r) in [
        ("发函的风险点（合并）", &pooled),
        ("同期未收到提醒函的风险点（合并）", &compared),
    ] {
        if let Some(r) = r {
            points.push(EffectPoint {
                label: label.into(),
                ratio: r.ratio,
                low: r.low,
                high: r.high,
                pooled: true,
            });
        }
    }
    let text = EffectText {
        points,
        source: match letters {
            Some(l) => format!("提醒函登记（{}条）", l.len()),
            None => "本工具的发函规则（未提供提醒函登记）".into(),
        },
        notices: rows.len(),
        improved: count(Verdict::Improved),
        unchanged: count(Verdict::NoClearChange),
        worsened: count(Verdict::Worsened),
        pooled: pooled.as_ref().map(ratio_text).unwrap_or_default(),
        comparison_cells: comparison_cells.len(),
        comparison: compared.as_ref().map(ratio_text).unwrap_or_default(),
        difference: difference.as_ref().map(ratio_text).unwrap_or_default(),
        difference_verdict: difference
            .as_ref()
            .map(|d| Verdict::of(d).zh().to_string())
            .unwrap_or_default(),
    };
    let f = |x: f64| if x.is_finite() { Some(x) } else { None };
    let frame = df!(
        "quarter" => rows.iter().map(|r| r.0.label()).collect::<Vec<_>>(),
        "unit" => rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        "error_type" => rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
        "errors_before" => rows.iter().map(|r| r.3.before as i64).collect::<Vec<_>>(),
        "exposure_before" => rows.iter().map(|r| r.3.exposure_before).collect::<Vec<_>>(),
        "errors_after" => rows.iter().map(|r| r.3.after as i64).collect::<Vec<_>>(),
        "exposure_after" => rows.iter().map(|r| r.3.exposure_after).collect::<Vec<_>>(),
        "rate_ratio" => rows.iter().map(|r| r.4.and_then(|x| f(x.ratio))).collect::<Vec<_>>(),
        "ratio_low" => rows.iter().map(|r| r.4.and_then(|x| f(x.low))).collect::<Vec<_>>(),
        "ratio_high" => rows.iter().map(|r| r.4.and_then(|x| f(x.high))).collect::<Vec<_>>(),
        "verdict" => verdicts.iter().map(|v| v.map_or("无法检验", |v| v.zh())).collect::<Vec<_>>(),
    )?;
    tables.insert(
        "warning_effect".into(),
        ReportTable::new(
            "发函的风险点在发函前后的失误率",
            "analysis: effect（精确条件检验）",
            frame,
        )
        .top(10)
        .columns(&[
            "quarter",
            "unit",
            "error_type",
            "errors_before",
            "errors_after",
            "rate_ratio",
            "ratio_low",
            "ratio_high",
            "verdict",
        ]),
    );
    Ok(text)
}
