//! What every chart reads and returns: the inputs (cases, deadlines,
//! outcomes, volume, window), a drawn chart, the set of charts, and the
//! counting helpers the charts share.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::render;
use super::scene::Scene;
use crate::ingest::auxiliary::Volume;
use crate::period::{date_from_days, Window};
use crate::schema as s;

/// Width of every chart in pixels.
pub const WIDTH: u32 = 2400;

/// The analysis tables the charts are drawn from.
#[derive(Clone)]
pub struct ChartInputs<'a> {
    /// The ledger's canonical case frame (`Ledger::cases`).
    pub cases: &'a DataFrame,
    /// The deadline table with each row's case `filed_on`
    /// (`pipeline::DeadlineTable::scan`, or `deadlines::with_filed_on`).
    pub deadlines: LazyFrame,
    /// `analysis::outcomes::outcomes(...)`.
    pub outcomes: &'a DataFrame,
    /// Enforcement volume, for the funnel plot.
    pub volume: Option<&'a Volume>,
    /// Only cases filed in this window (None = all cases).
    pub window: Option<Window>,
    /// The as-of date the deadlines were judged at (shown on the chart).
    pub as_of: Option<NaiveDate>,
}

/// A rendered chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem: `heatmap`, `pareto`, `trend`, `funnel`, `compliance`, `clause_use`.
    pub name: &'static str,
    /// Chinese title, as drawn on the chart.
    pub title: String,
    /// Notes drawn under the chart (also useful as a caption).
    pub notes: Vec<String>,
    pub width: u32,
    pub height: u32,
    pub svg: String,
    /// None when no CJK font was found (PNG would show boxes).
    pub png: Option<Vec<u8>>,
}

/// A chart that could not be drawn, and why (in Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub name: &'static str,
    pub title: String,
    pub reason: String,
}

/// Every chart of one run.
#[derive(Debug, Clone, Default)]
pub struct ChartSet {
    pub charts: Vec<Chart>,
    pub skipped: Vec<Skipped>,
}

/// A chart built in memory, before rendering.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub name: &'static str,
    pub title: String,
    pub notes: Vec<String>,
    pub scene: Scene,
}

/// What a chart function gives.
#[derive(Debug, Clone)]
pub enum Built {
    Drawn(Drawn),
    Skipped(Skipped),
}

/// Why charts could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("图表数据有误：{0}")]
    Data(#[from] PolarsError),
    #[error(transparent)]
    Render(#[from] render::RenderError),
}

/// The cases filed in the window (all cases without one), with only
/// `columns` and `filed_on`: a chart reads two or three of the ledger's
/// columns, and filtering all of them copied the quarter's rows whole.
pub(crate) fn cases_in_window(
    cases: &DataFrame,
    window: Option<Window>,
    columns: &[&str],
) -> PolarsResult<DataFrame> {
    let mut wanted: Vec<&str> = vec![s::FILED_ON];
    wanted.extend(columns.iter().filter(|c| **c != s::FILED_ON));
    let picked = cases.select(wanted)?;
    let Some(w) = window else {
        return Ok(picked);
    };
    picked.lazy().filter(w.filed_within()).collect()
}

/// First and last filing date of the cases.
pub(crate) fn filed_span(cases: &DataFrame) -> PolarsResult<Option<(NaiveDate, NaiveDate)>> {
    let days = cases.column(s::FILED_ON)?.date()?.physical().clone();
    Ok(match (days.min(), days.max()) {
        (Some(a), Some(b)) => Some((date_from_days(a), date_from_days(b))),
        _ => None,
    })
}

/// "范围：…" — which cases a chart counts.
pub(crate) fn scope_text(window: Option<Window>, cases: &DataFrame) -> PolarsResult<String> {
    let n = cases.height();
    Ok(match window {
        Some(Window::Quarter(q)) => format!("范围：{}立案的案件（共 {n} 件）", q.label_zh()),
        Some(Window::Range(a, b)) => format!("范围：{a} 至 {b} 立案的案件（共 {n} 件）"),
        None => match filed_span(cases)? {
            Some((a, b)) => format!("范围：全部案件，立案日期 {a} 至 {b}（共 {n} 件）"),
            None => "范围：全部案件（共 0 件）".to_string(),
        },
    })
}

/// Rows per distinct combination of the text (or categorical) `columns`,
/// rows with a null skipped: counted by polars, read back as strings.
pub(crate) fn count_groups(
    rows: LazyFrame,
    columns: &[&str],
) -> PolarsResult<(Vec<StringChunked>, Vec<u64>)> {
    let keys: Vec<Expr> = columns.iter().map(|c| col(*c)).collect();
    let counted = rows
        .select(keys.clone())
        .drop_nulls(None)
        .group_by(keys)
        .agg([len().alias("__n")])
        .with_columns(
            columns
                .iter()
                .map(|c| col(*c).cast(DataType::String))
                .collect::<Vec<_>>(),
        )
        // Streamed: a count over the spilled deadline table (50 M rows at
        // 10 M cases) filters and counts it a morsel at a time. Whole-number
        // counts are the same whatever the order morsels are counted in.
        .collect_with_engine(Engine::Streaming)?
        .unwrap_single();
    let text = columns
        .iter()
        .map(|c| counted.column(c).and_then(|s| s.str().cloned()))
        .collect::<PolarsResult<Vec<_>>>()?;
    let n = counted.column("__n")?.cast(&DataType::UInt64)?;
    Ok((text, n.u64()?.iter().map(|v| v.unwrap_or(0)).collect()))
}

/// Counts of the distinct values of one text column (nulls skipped).
pub(crate) fn count_values(df: &DataFrame, column: &str) -> PolarsResult<BTreeMap<String, u64>> {
    let (text, n) = count_groups(df.clone().lazy(), &[column])?;
    Ok(text[0]
        .iter()
        .zip(n)
        .filter_map(|(v, n)| Some((v?.to_string(), n)))
        .collect())
}

/// Counts of the distinct pairs of two text columns (rows with a null skipped).
pub(crate) fn count_pairs(
    df: &DataFrame,
    a: &str,
    b: &str,
) -> PolarsResult<BTreeMap<(String, String), u64>> {
    let (text, n) = count_groups(df.clone().lazy(), &[a, b])?;
    Ok(text[0]
        .iter()
        .zip(text[1].iter())
        .zip(n)
        .filter_map(|((x, y), n)| Some(((x?.to_string(), y?.to_string()), n)))
        .collect())
}

/// Keys ordered by count descending, then by name.
pub(crate) fn by_count_desc(counts: &BTreeMap<String, u64>) -> Vec<String> {
    let mut keys: Vec<(&String, &u64)> = counts.iter().collect();
    keys.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    keys.into_iter().map(|(k, _)| k.clone()).collect()
}
