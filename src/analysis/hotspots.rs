//! Error-prone risk points under art. 21 (rules.md §4): cells of
//! (unit, error_type), (domain, error_type) and (unit, domain) per window,
//! flagged as frequent, concentrated (exact Poisson tests with
//! Benjamini–Hochberg, or funnel limits with enforcement volume), rising or
//! persistent, with their evidence.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use polars::prelude::*;
use polars_arrow::array::{Array, Utf8ViewArray};

use super::TextByRow;

use super::period::{quarters_between, Quarter, Window};
use super::repeats::{self, RepeatParams};
use super::stats::{self, FunnelLevel};
use crate::config::HotspotConfig;
use crate::ingest::parse::date_from_days;
use crate::schema as s;

/// The ledger columns the analysis reads (a large run frees the others first).
pub const READS: &[&str] = &[
    s::CASE_ID,
    s::UNIT,
    s::DOMAIN,
    s::ERROR_TYPE,
    s::FILED_ON,
    s::OUTCOME,
    // the unit-level repeats (`unit_repeats`)
    s::SUBJECTIVE_FAULT,
    s::DECIDED_ON,
];

/// Output columns (outputs.md §hotspots), plus `unit_repeats`: of a
/// unit×error_type cell's cases, how many repeat the problem at unit level
/// (rules.md §3, [`repeats::unit_repeat_rows`]); empty for the other kinds.
pub const COLUMNS: &[&str] = &[
    "window",
    "dims",
    "unit",
    "domain",
    "error_type",
    "count",
    "weighted",
    "expected",
    "ratio",
    "p_value",
    "q_value",
    "signals",
    "level",
    "case_ids",
    "unit_repeats",
];

/// The three kinds of cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dims {
    UnitError,
    DomainError,
    UnitDomain,
}

impl Dims {
    pub const ALL: [Dims; 3] = [Dims::UnitError, Dims::DomainError, Dims::UnitDomain];

    pub fn label(self) -> &'static str {
        match self {
            Dims::UnitError => "unit×error_type",
            Dims::DomainError => "domain×error_type",
            Dims::UnitDomain => "unit×domain",
        }
    }

    /// The two ledger columns that key the cell.
    pub fn keys(self) -> (&'static str, &'static str) {
        match self {
            Dims::UnitError => (s::UNIT, s::ERROR_TYPE),
            Dims::DomainError => (s::DOMAIN, s::ERROR_TYPE),
            Dims::UnitDomain => (s::UNIT, s::DOMAIN),
        }
    }
}

/// Which windows to analyse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Every quarter the data spans.
    AllQuarters,
    Quarter(Quarter),
    Range(NaiveDate, NaiveDate),
}

/// Thresholds (jiucuo.toml [hotspots]).
#[derive(Debug, Clone)]
pub struct HotspotParams {
    pub min_count: u32,
    pub q_threshold: f64,
    pub rising_p: f64,
    pub rising_quarters: u32,
    pub rising_min_quarters: u32,
    pub persistent_quarters: u32,
    pub overdispersion: bool,
    pub winsor: f64,
    pub weights: BTreeMap<String, f64>,
    /// The pilot period: the observation span never extends beyond it (a
    /// stray case filed before the pilot must not make a quarter look observed).
    pub pilot: (NaiveDate, NaiveDate),
    /// What "the same problem" is, and the lookback, for the unit-level
    /// repeats (jiucuo.toml [repeats], as for officers).
    pub repeats: RepeatParams,
}

impl HotspotParams {
    pub fn new(
        c: &HotspotConfig,
        pilot: &crate::config::PilotConfig,
        repeats: RepeatParams,
    ) -> Self {
        HotspotParams {
            min_count: c.min_count,
            q_threshold: c.q_threshold,
            rising_p: c.rising_p,
            rising_quarters: c.rising_quarters,
            rising_min_quarters: c.rising_min_quarters,
            persistent_quarters: c.persistent_quarters.max(2),
            overdispersion: c.overdispersion,
            winsor: c.winsor,
            weights: c.weights.clone(),
            pilot: (pilot.start, pilot.end),
            repeats,
        }
    }
}

/// Enforcement volume (执法量): actions per unit × domain × quarter; a row with
/// an empty domain is a unit total.
#[derive(Debug, Clone, Default)]
pub struct Volume {
    entries: HashMap<(Quarter, String, String), f64>,
    /// Per quarter and unit: the unit's total (the sum of its domain rows, or
    /// its total row when it has no domain rows).
    unit_totals: HashMap<(Quarter, String), f64>,
    /// Per quarter and domain: the sum over units.
    domain_totals: HashMap<(Quarter, String), f64>,
    /// Per quarter: the sum of the unit totals.
    quarter_totals: HashMap<Quarter, f64>,
}

impl Volume {
    pub fn new(rows: impl IntoIterator<Item = (Quarter, String, String, f64)>) -> Volume {
        let mut entries = HashMap::new();
        for (q, u, d, v) in rows {
            *entries.entry((q, u, d)).or_insert(0.0) += v;
        }
        // Totals are summed in sorted order, so that they never depend on
        // the hash map's iteration order.
        let mut sorted: Vec<(&(Quarter, String, String), &f64)> = entries.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let mut by_domains: BTreeMap<(Quarter, String), f64> = BTreeMap::new();
        let mut total_rows: BTreeMap<(Quarter, String), f64> = BTreeMap::new();
        let mut domain_totals = HashMap::new();
        for ((q, u, d), v) in sorted {
            if d.is_empty() {
                total_rows.insert((*q, u.clone()), *v);
            } else {
                *by_domains.entry((*q, u.clone())).or_insert(0.0) += v;
                *domain_totals.entry((*q, d.clone())).or_insert(0.0) += v;
            }
        }
        // a unit's domain rows win over its total row
        let mut totals = total_rows;
        totals.extend(by_domains);
        let mut quarter_totals = HashMap::new();
        for ((q, _), v) in &totals {
            *quarter_totals.entry(*q).or_insert(0.0) += v;
        }
        Volume {
            entries,
            unit_totals: totals.into_iter().collect(),
            domain_totals,
            quarter_totals,
        }
    }

    /// The volume as a table: `unit, domain, quarter, actions`, sorted.
    pub fn to_frame(&self) -> PolarsResult<DataFrame> {
        let mut rows: Vec<(&Quarter, &String, &String, &f64)> = self
            .entries
            .iter()
            .map(|((q, u, d), v)| (q, u, d, v))
            .collect();
        rows.sort_by(|a, b| (a.1, a.2, a.0).cmp(&(b.1, b.2, b.0)));
        df!(
            "unit" => rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            "domain" => rows.iter().map(|r| Some(r.2.clone()).filter(|d| !d.is_empty())).collect::<Vec<_>>(),
            "quarter" => rows.iter().map(|r| r.0.label()).collect::<Vec<_>>(),
            "actions" => rows.iter().map(|r| *r.3 as i64).collect::<Vec<_>>(),
        )
    }

    fn quarter_value(&self, q: Quarter, unit: Option<&str>, domain: Option<&str>) -> Option<f64> {
        match (unit, domain) {
            (Some(u), Some(d)) => self
                .entries
                .get(&(q, u.to_string(), d.to_string()))
                .copied(),
            (Some(u), None) => self.unit_totals.get(&(q, u.to_string())).copied(),
            (None, Some(d)) => self.domain_totals.get(&(q, d.to_string())).copied(),
            (None, None) => self.quarter_totals.get(&q).copied(),
        }
    }

    /// Volume in a window; a range takes each overlapping quarter pro rata.
    fn value(&self, w: &Window, unit: Option<&str>, domain: Option<&str>) -> Option<f64> {
        let (a, b) = (w.first_day(), w.last_day());
        let mut total = None;
        for q in quarters_between(a, b) {
            let (qa, qb) = (q.first_day().max(a), q.last_day().min(b));
            let share = ((qb - qa).num_days() + 1) as f64
                / ((q.last_day() - q.first_day()).num_days() + 1) as f64;
            if let Some(v) = self.quarter_value(q, unit, domain) {
                total = Some(total.unwrap_or(0.0) + v * share);
            }
        }
        total
    }

    /// Every unit the volume file names.
    pub fn units(&self) -> BTreeSet<String> {
        self.entries.keys().map(|(_, u, _)| u.clone()).collect()
    }

    /// Volume of one unit in a window (all its domains; a range takes each
    /// overlapping quarter pro rata); None when the file has no figure for it.
    pub fn unit_volume(&self, w: &Window, unit: &str) -> Option<f64> {
        self.value(w, Some(unit), None)
    }

    /// Volume of a cell: the volume of the unit and/or domain it concerns.
    fn of_cell(&self, w: &Window, dims: Dims, k1: &str, k2: &str) -> Option<f64> {
        match dims {
            Dims::UnitError => self.value(w, Some(k1), None),
            Dims::DomainError => self.value(w, None, Some(k1)),
            Dims::UnitDomain => self.value(w, Some(k1), Some(k2)),
        }
    }
}

type CellKey = (String, String);
type Counts = HashMap<CellKey, (u64, f64)>;

/// Counts and weighted counts per cell of one kind in one window.
fn cell_counts(cases: &LazyFrame, w: &Window, dims: Dims) -> PolarsResult<Counts> {
    let in_window = cases.clone().filter(w.filed_within());
    Ok(grouped_cell_counts(in_window, dims, lit(0i64))?
        .remove(&0)
        .unwrap_or_default())
}

/// The quarter of the filing date as [`Quarter::index`].
fn quarter_index() -> Expr {
    col(s::FILED_ON).dt().year().cast(DataType::Int64) * lit(4i64)
        + col(s::FILED_ON).dt().quarter().cast(DataType::Int64)
        - lit(1i64)
}

/// [`cell_counts`] for every calendar quarter at once, by quarter label.
fn quarterly_cell_counts(cases: &LazyFrame, dims: Dims) -> PolarsResult<HashMap<String, Counts>> {
    Ok(grouped_cell_counts(cases.clone(), dims, quarter_index())?
        .into_iter()
        .map(|(q, counts)| (Quarter::from_index(q).label(), counts))
        .collect())
}

/// Counts and weighted counts per cell of one kind, for each value of `group`
/// (an Int64 expression of the case row), in one pass.
fn grouped_cell_counts(
    cases: LazyFrame,
    dims: Dims,
    group: Expr,
) -> PolarsResult<HashMap<i64, Counts>> {
    let (k1, k2) = dims.keys();
    let df = cases
        .filter(
            col(s::FILED_ON)
                .is_not_null()
                .and(col(k1).is_not_null())
                .and(col(k2).is_not_null()),
        )
        // The cast: a literal group (one window) would otherwise come out Int32.
        .group_by([
            group.cast(DataType::Int64).alias("__g"),
            col(k1).alias("k1"),
            col(k2).alias("k2"),
        ])
        .agg([
            len().cast(DataType::UInt64).alias("n"),
            col("__weight").sum().alias("w"),
        ])
        .with_columns([
            col("k1").cast(DataType::String),
            col("k2").cast(DataType::String),
        ])
        .collect()?;
    let g = df.column("__g")?.i64()?.clone();
    let a = df.column("k1")?.str()?.clone();
    let b = df.column("k2")?.str()?.clone();
    let n = df.column("n")?.u64()?.clone();
    let wt = df.column("w")?.f64()?.clone();
    let mut out: HashMap<i64, Counts> = HashMap::new();
    for i in 0..df.height() {
        let Some(g) = g.get(i) else { continue };
        out.entry(g).or_default().insert(
            (
                a.get(i).unwrap_or("").to_string(),
                b.get(i).unwrap_or("").to_string(),
            ),
            (n.get(i).unwrap_or(0), wt.get(i).unwrap_or(0.0)),
        );
    }
    Ok(out)
}

/// One tested or flagged cell of one window.
#[derive(Debug, Clone)]
struct Cell {
    dims: Dims,
    key: CellKey,
    count: u64,
    weighted: f64,
    expected: Option<f64>,
    p: Option<f64>,
    q: Option<f64>,
    funnel: Option<FunnelLevel>,
    frequent: bool,
    concentrated: bool,
    rising: bool,
    persistent: bool,
}

impl Cell {
    fn stat_flagged(&self) -> bool {
        self.concentrated || self.rising
    }

    fn signals(&self) -> Vec<&'static str> {
        let mut v = vec![];
        if self.frequent {
            v.push("frequent");
        }
        if self.concentrated {
            v.push("concentrated");
        }
        if self.rising {
            v.push("rising");
        }
        if self.persistent {
            v.push("persistent");
        }
        v
    }

    fn level(&self, with_volume: bool) -> &'static str {
        if self.concentrated {
            let alarm = if with_volume {
                self.funnel == Some(FunnelLevel::Alarm)
            } else {
                self.p.is_some_and(|p| p < 0.001)
            };
            if alarm {
                "alarm"
            } else {
                "warning"
            }
        } else if self.rising || self.persistent {
            "warning"
        } else {
            "watch"
        }
    }
}

/// Shared state of one run.
struct Run<'a> {
    cases: LazyFrame,
    p: &'a HotspotParams,
    volume: Option<&'a Volume>,
    /// First and last filing dates in the data: windows are only partly
    /// observed at the edges, and rates are compared per observed day.
    data_first: NaiveDate,
    data_last: NaiveDate,
    cache: HashMap<(String, Dims), Counts>,
    /// Kinds whose counts for every quarter are in the cache already.
    by_quarter: BTreeSet<Dims>,
}

impl Run<'_> {
    /// Share of a window's days inside the data's span (0 … 1).
    fn coverage(&self, w: &Window) -> f64 {
        let (a, b) = (
            w.first_day().max(self.data_first),
            w.last_day().min(self.data_last),
        );
        if b < a {
            return 0.0;
        }
        ((b - a).num_days() + 1) as f64 / ((w.last_day() - w.first_day()).num_days() + 1) as f64
    }

    fn counts(&mut self, w: &Window, dims: Dims) -> PolarsResult<&Counts> {
        let key = (w.label(), dims);
        if !self.cache.contains_key(&key) {
            let c = match w {
                // every quarter of a kind in one pass over the cases
                Window::Quarter(_) if !self.by_quarter.contains(&dims) => {
                    for (label, counts) in quarterly_cell_counts(&self.cases, dims)? {
                        self.cache.insert((label, dims), counts);
                    }
                    self.by_quarter.insert(dims);
                    self.cache.remove(&key).unwrap_or_default()
                }
                Window::Quarter(_) => Counts::new(),
                Window::Range(..) => cell_counts(&self.cases, w, dims)?,
            };
            self.cache.insert(key.clone(), c);
        }
        Ok(&self.cache[&key])
    }

    /// Test every cell of every kind in one window (one BH family).
    fn window(
        &mut self,
        w: &Window,
        previous_flags: &BTreeSet<(Dims, CellKey)>,
    ) -> PolarsResult<Vec<Cell>> {
        let mut cells = Vec::new();
        for dims in Dims::ALL {
            let counts = self.counts(w, dims)?.clone();
            let expected = self.expected(w, dims, &counts);
            let tau2 = self.tau2(&counts, &expected);
            let previous: Vec<Window> = w
                .previous(self.p.rising_quarters)
                .into_iter()
                .filter(|pw| self.coverage(pw) > 0.0)
                .collect();
            let prev_coverage: f64 = previous.iter().map(|pw| self.coverage(pw)).sum();
            let this_coverage = self.coverage(w);
            let mut prev_counts: Vec<Counts> = Vec::new();
            for pw in &previous {
                prev_counts.push(self.counts(pw, dims)?.clone());
            }
            let mut keys: Vec<&CellKey> = counts.keys().collect();
            keys.sort();
            for key in keys {
                let (count, weighted) = counts[key];
                let e = expected.get(key).copied().flatten();
                let p = e
                    .filter(|e| *e > 0.0)
                    .map(|e| stats::poisson_upper_tail(count, e));
                let rising = if previous.len() as u32 >= self.p.rising_min_quarters
                    && count >= self.p.min_count as u64
                {
                    // the earlier windows' rate per observed day, scaled to this window
                    let before: u64 = prev_counts
                        .iter()
                        .map(|c| c.get(key).map(|x| x.0).unwrap_or(0))
                        .sum();
                    let mean = before as f64 / prev_coverage * this_coverage;
                    stats::poisson_upper_tail(count, mean) < self.p.rising_p
                } else {
                    false
                };
                cells.push(Cell {
                    dims,
                    key: key.clone(),
                    count,
                    weighted,
                    expected: e,
                    p,
                    q: None,
                    funnel: match (self.volume, e) {
                        (Some(_), Some(e)) => Some(stats::funnel_level(count, e, tau2)),
                        _ => None,
                    },
                    frequent: count >= self.p.min_count as u64,
                    concentrated: false,
                    rising,
                    persistent: false,
                });
            }
        }
        let ps: Vec<f64> = cells.iter().map(|c| c.p.unwrap_or(f64::NAN)).collect();
        let qs = stats::benjamini_hochberg(&ps);
        for (c, q) in cells.iter_mut().zip(qs) {
            c.q = q.is_finite().then_some(q);
            c.concentrated = c.q.is_some_and(|q| q < self.p.q_threshold);
            c.persistent = c.stat_flagged() && previous_flags.contains(&(c.dims, c.key.clone()));
        }
        Ok(cells)
    }

    /// Expected counts: from enforcement volume when given, else from margins.
    fn expected(&self, w: &Window, dims: Dims, counts: &Counts) -> HashMap<CellKey, Option<f64>> {
        let total: f64 = counts.values().map(|c| c.0 as f64).sum();
        let mut rows: HashMap<&str, f64> = HashMap::new();
        let mut colsum: HashMap<&str, f64> = HashMap::new();
        for ((a, b), (n, _)) in counts {
            *rows.entry(a).or_default() += *n as f64;
            *colsum.entry(b).or_default() += *n as f64;
        }
        match self.volume {
            None => counts
                .keys()
                .map(|k| {
                    let e = if total > 0.0 {
                        rows[k.0.as_str()] * colsum[k.1.as_str()] / total
                    } else {
                        0.0
                    };
                    (k.clone(), Some(e))
                })
                .collect(),
            Some(v) => {
                let all_volume = v.value(w, None, None).filter(|x| *x > 0.0);
                counts
                    .keys()
                    .map(|k| {
                        // the rate of the cell's "column": all cases, or the error type's cases
                        let numerator = match dims {
                            Dims::UnitDomain => total,
                            _ => colsum[k.1.as_str()],
                        };
                        let e = match (v.of_cell(w, dims, &k.0, &k.1), all_volume) {
                            (Some(cell_vol), Some(all)) => Some(cell_vol * numerator / all),
                            _ => None,
                        };
                        (k.clone(), e)
                    })
                    .collect()
            }
        }
    }

    fn tau2(&self, counts: &Counts, expected: &HashMap<CellKey, Option<f64>>) -> Option<f64> {
        if !(self.p.overdispersion && self.volume.is_some()) {
            return None;
        }
        let mut keys: Vec<&CellKey> = counts.keys().collect();
        keys.sort();
        let (o, e): (Vec<f64>, Vec<f64>) = keys
            .iter()
            .filter_map(|k| {
                expected
                    .get(*k)
                    .copied()
                    .flatten()
                    .map(|e| (counts[*k].0 as f64, e))
            })
            .unzip();
        stats::overdispersion(&o, &e, self.p.winsor).map(|od| od.tau2)
    }
}

fn weight_expr(weights: &BTreeMap<String, f64>) -> Expr {
    let undecided = weights.get("未认定").copied().unwrap_or(1.0);
    let mut expr = lit(1.0);
    for (outcome, w) in weights {
        expr = when(col(s::OUTCOME).eq(lit(outcome.as_str())))
            .then(lit(*w))
            .otherwise(expr);
    }
    when(col(s::OUTCOME).is_null())
        .then(lit(undecided))
        .otherwise(expr)
        .alias("__weight")
}

/// Risk points of the ledger for the period (pure: no clock, no I/O).
pub fn hotspots(
    cases: &DataFrame,
    volume: Option<&Volume>,
    period: Period,
    p: &HotspotParams,
) -> PolarsResult<DataFrame> {
    let filed = cases.column(s::FILED_ON)?.date()?.physical().clone();
    let (Some(min), Some(max)) = (filed.min(), filed.max()) else {
        return empty();
    };
    let data_first = date_from_days(min).max(p.pilot.0);
    let data_last = date_from_days(max).min(p.pilot.1).max(data_first);
    // Units, domains and error types stay as the ledger holds them
    // (categorical): counted first, turned into text after.
    let lf = cases
        .clone()
        .lazy()
        .select([
            col(s::CASE_ID),
            col(s::UNIT),
            col(s::DOMAIN),
            col(s::ERROR_TYPE),
            col(s::FILED_ON),
            col(s::OUTCOME),
        ])
        .with_column(weight_expr(&p.weights));
    let mut run = Run {
        cases: lf.clone(),
        p,
        volume,
        data_first,
        data_last,
        cache: HashMap::new(),
        by_quarter: BTreeSet::new(),
    };

    // Windows to compute (chronologically) and which of them to report.
    let (computed, reported): (Vec<Window>, BTreeSet<String>) = match period {
        Period::AllQuarters => {
            let qs: Vec<Window> = quarters_between(data_first, data_last)
                .into_iter()
                .map(Window::Quarter)
                .collect();
            let labels = qs.iter().map(|w| w.label()).collect();
            (qs, labels)
        }
        Period::Quarter(q) => {
            let mut ws: Vec<Window> = (1..p.persistent_quarters as i64)
                .rev()
                .map(|k| Window::Quarter(Quarter::from_index(q.index() - k)))
                .filter(|w| w.last_day() >= data_first)
                .collect();
            ws.push(Window::Quarter(q));
            (ws, [q.label()].into_iter().collect())
        }
        Period::Range(a, b) => {
            let w = Window::Range(a, b);
            (vec![w], [w.label()].into_iter().collect())
        }
    };

    let mut flagged_before: BTreeSet<(Dims, CellKey)> = BTreeSet::new();
    let mut out: Vec<(Window, Cell)> = Vec::new();
    for w in &computed {
        let cells = run.window(w, &flagged_before)?;
        flagged_before = cells
            .iter()
            .filter(|c| c.stat_flagged())
            .map(|c| (c.dims, c.key.clone()))
            .collect();
        if reported.contains(&w.label()) {
            out.extend(
                cells
                    .into_iter()
                    .filter(|c| !c.signals().is_empty())
                    .map(|c| (*w, c)),
            );
        }
    }
    assemble(cases, &lf, out, volume.is_some(), &p.repeats)
}

/// A cell of the output by its text: window label, dims label, k1, k2.
type ListedKey = (String, String, String, String);

/// The rows of each flagged cell's cases, in case-id text order, before they
/// become the `case_ids` lists (by row number: 4 bytes an id).
#[derive(Default)]
struct CellRows {
    rows: Vec<IdxSize>,
    of: HashMap<ListedKey, std::ops::Range<usize>>,
}

/// Rows of the flagged cells of one kind: in any quarters at once (`range`
/// None; each wanted cell with its quarter's [`Quarter::index`]), or in one
/// date range (each wanted cell with 0).
fn case_rows(
    cases: &LazyFrame,
    ids: &CaseIds,
    dims: Dims,
    range: Option<&Window>,
    wanted: &[(i64, CellKey)],
    into: &mut CellRows,
) -> PolarsResult<()> {
    let (k1, k2) = dims.keys();
    let wanted: Vec<(i64, CellKey)> = wanted
        .iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let keys = df!(
        "__q" => wanted.iter().map(|(q, _)| *q).collect::<Vec<_>>(),
        "k1" => wanted.iter().map(|(_, k)| k.0.clone()).collect::<Vec<_>>(),
        "k2" => wanted.iter().map(|(_, k)| k.1.clone()).collect::<Vec<_>>(),
    )?;
    let (within, group) = match range {
        Some(w) => (w.filed_within(), lit(0i64)),
        None => (col(s::FILED_ON).is_not_null(), quarter_index()),
    };
    let selected = cases
        .clone()
        .with_row_index("__row", None)
        .filter(within)
        .select([
            col("__row"),
            group.alias("__q"),
            col(k1).alias("k1"),
            col(k2).alias("k2"),
        ]);
    let label = |q: i64| match range {
        Some(w) => w.label(),
        None => Quarter::from_index(q).label(),
    };
    ids.place(
        selected,
        keys_as_in(cases, dims, keys.lazy())?,
        &["__q", "k1", "k2"],
        wanted
            .iter()
            .map(|(q, (a, b))| (label(*q), dims.label().to_string(), a.clone(), b.clone())),
        into,
    )
}

/// The ledger's case ids, listed per cell in text order without carrying
/// the text through joins, groupings or sorts: every case of a flagged cell
/// is listed (30 M ids at 10 M cases), and the lists share the ledger's text.
struct CaseIds<'a> {
    text: &'a StringChunked,
    /// Row numbers in case-id text order.
    order: IdxCa,
}

impl<'a> CaseIds<'a> {
    fn new(cases: &'a DataFrame) -> PolarsResult<CaseIds<'a>> {
        let text = cases.column(s::CASE_ID)?.str()?;
        let order = text.arg_sort(SortOptions::default().with_maintain_order(true));
        Ok(CaseIds { text, order })
    }

    /// For each row of `wanted` (the cell keys `keys`, each set of keys
    /// once; `named` gives each its output key), the rows of `selected`
    /// (`__row` and `keys`) with those keys, in case-id text order.
    fn place(
        &self,
        selected: LazyFrame,
        wanted: LazyFrame,
        keys: &[&str],
        named: impl ExactSizeIterator<Item = ListedKey>,
        into: &mut CellRows,
    ) -> PolarsResult<()> {
        let n_cells = named.len();
        let on: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
        // Which cell each row belongs to (a row is in at most one: the keys
        // of `wanted` are distinct). The order of the pairs does not matter.
        let pairs = selected
            .join(
                wanted.with_row_index("__cell", None),
                on.clone(),
                on,
                JoinArgs::new(JoinType::Inner),
            )
            .select([col("__row"), col("__cell")])
            .collect_with_engine(Engine::Streaming)?
            .unwrap_single();
        let mut cell_of_row = vec![IdxSize::MAX; self.text.len()];
        let mut counts = vec![0usize; n_cells];
        let rows = pairs.column("__row")?.idx()?;
        let cells = pairs.column("__cell")?.idx()?;
        for (row, cell) in rows.iter().zip(cells.iter()) {
            if let (Some(row), Some(cell)) = (row, cell) {
                cell_of_row[row as usize] = cell;
                counts[cell as usize] += 1;
            }
        }
        drop(pairs);
        // Each cell's rows, placed in text order (a counting sort).
        let base = into.rows.len();
        let mut next = Vec::with_capacity(n_cells);
        let mut at = base;
        for (key, n) in named.zip(&counts) {
            next.push(at);
            into.of.insert(key, at..at + n);
            at += n;
        }
        into.rows.resize(at, 0);
        for row in self.order.iter().flatten() {
            let cell = cell_of_row[row as usize];
            if cell != IdxSize::MAX {
                into.rows[next[cell as usize]] = row;
                next[cell as usize] += 1;
            }
        }
        Ok(())
    }

    /// The case ids of `rows` as one text array whose values point into the
    /// ledger's own buffers (polars' gather over many chunks copies the text).
    fn gather<'r>(
        &self,
        rows: impl Iterator<Item = &'r IdxSize>,
        n: usize,
    ) -> PolarsResult<Utf8ViewArray> {
        use polars_arrow::array::View;
        let text = TextByRow::new(self.text);
        let mut buffer_base = Vec::new();
        let mut buffers = Vec::new();
        for c in text.chunks() {
            buffer_base.push(buffers.len() as u32);
            buffers.extend(c.data_buffers().iter().cloned());
        }
        let has_nulls = self.text.null_count() > 0;
        let mut views: Vec<View> = Vec::with_capacity(n);
        let mut valid = has_nulls.then(|| polars_arrow::bitmap::MutableBitmap::with_capacity(n));
        for &r in rows {
            let (chunk, i) = text
                .locate(r as usize)
                .ok_or_else(|| polars_err!(OutOfBounds: "case row {r}"))?;
            let array = text.chunks()[chunk];
            let mut view = array.views()[i];
            if view.length > View::MAX_INLINE_SIZE {
                view.buffer_idx += buffer_base[chunk];
            }
            views.push(view);
            if let Some(v) = valid.as_mut() {
                v.push(array.is_valid(i));
            }
        }
        Utf8ViewArray::try_new(
            ArrowDataType::Utf8View,
            views.into(),
            buffers.into(),
            valid.map(Into::into),
        )
    }
}

/// Wanted cell keys (`k1`, `k2` text) in the dtypes the cases hold the
/// cell's columns in (text or categorical), so that they join.
fn keys_as_in(cases: &LazyFrame, dims: Dims, wanted: LazyFrame) -> PolarsResult<LazyFrame> {
    let (k1, k2) = dims.keys();
    let schema = cases.clone().collect_schema()?;
    let dtype = |name: &str| {
        schema
            .get(name)
            .cloned()
            .ok_or_else(|| polars_err!(ColumnNotFound: "{name}"))
    };
    Ok(wanted.with_columns([col("k1").cast(dtype(k1)?), col("k2").cast(dtype(k2)?)]))
}

/// The output rows of the flagged `cells` of `ledger` (read through `cases`).
fn assemble(
    ledger: &DataFrame,
    cases: &LazyFrame,
    cells: Vec<(Window, Cell)>,
    with_volume: bool,
    same_problem: &RepeatParams,
) -> PolarsResult<DataFrame> {
    if cells.is_empty() {
        return empty();
    }
    let ids = &CaseIds::new(ledger)?;
    let mut groups: BTreeMap<(String, Dims), (Window, Vec<CellKey>)> = BTreeMap::new();
    for (w, c) in &cells {
        groups
            .entry((w.label(), c.dims))
            .or_insert_with(|| (*w, vec![]))
            .1
            .push(c.key.clone());
    }
    // Every case of every flagged cell, by row number.
    let mut listed = CellRows::default();
    let mut quarterly: BTreeMap<Dims, Vec<(i64, CellKey)>> = BTreeMap::new();
    for ((_, dims), (w, keys)) in &groups {
        match w {
            Window::Quarter(q) => quarterly
                .entry(*dims)
                .or_default()
                .extend(keys.iter().map(|k| (q.index(), k.clone()))),
            Window::Range(..) => {
                let wanted: Vec<(i64, CellKey)> = keys.iter().map(|k| (0, k.clone())).collect();
                case_rows(cases, ids, *dims, Some(w), &wanted, &mut listed)?
            }
        }
    }
    for (dims, wanted) in quarterly {
        case_rows(cases, ids, dims, None, &wanted, &mut listed)?;
    }
    // Of each unit×error_type cell's cases, those that repeat at unit level.
    let unit_repeats: Vec<Option<i64>> = if cells.iter().any(|(_, c)| c.dims == Dims::UnitError) {
        let repeat = repeats::unit_repeat_rows(ledger, same_problem)?;
        cells
            .iter()
            .map(|(w, c)| {
                (c.dims == Dims::UnitError).then(|| {
                    let key = (
                        w.label(),
                        c.dims.label().to_string(),
                        c.key.0.clone(),
                        c.key.1.clone(),
                    );
                    let rows = listed.of.get(&key).cloned().unwrap_or(0..0);
                    listed.rows[rows]
                        .iter()
                        .filter(|&&r| repeat[r as usize])
                        .count() as i64
                })
            })
            .collect()
    } else {
        vec![None; cells.len()]
    };
    let col_of = |c: &Cell, which: &str| -> Option<String> {
        let (k1, k2) = c.dims.keys();
        if k1 == which {
            Some(c.key.0.clone())
        } else if k2 == which {
            Some(c.key.1.clone())
        } else {
            None
        }
    };
    let list = |items: Vec<Vec<String>>, name: &str| -> Series {
        let mut ca: ListChunked = items
            .into_iter()
            .map(|v| Some(Series::new("".into(), v)))
            .collect();
        ca.rename(name.into());
        ca.into_series()
    };
    let df = df!(
        "window" => cells.iter().map(|(w, _)| w.label()).collect::<Vec<_>>(),
        "dims" => cells.iter().map(|(_, c)| c.dims.label()).collect::<Vec<_>>(),
        "unit" => cells.iter().map(|(_, c)| col_of(c, s::UNIT)).collect::<Vec<_>>(),
        "domain" => cells.iter().map(|(_, c)| col_of(c, s::DOMAIN)).collect::<Vec<_>>(),
        "error_type" => cells.iter().map(|(_, c)| col_of(c, s::ERROR_TYPE)).collect::<Vec<_>>(),
        "count" => cells.iter().map(|(_, c)| c.count as i64).collect::<Vec<_>>(),
        "weighted" => cells.iter().map(|(_, c)| c.weighted).collect::<Vec<_>>(),
        "expected" => cells.iter().map(|(_, c)| c.expected).collect::<Vec<_>>(),
        "ratio" => cells.iter().map(|(_, c)| c.expected.filter(|e| *e > 0.0).map(|e| c.count as f64 / e)).collect::<Vec<_>>(),
        "p_value" => cells.iter().map(|(_, c)| c.p).collect::<Vec<_>>(),
        "q_value" => cells.iter().map(|(_, c)| c.q).collect::<Vec<_>>(),
        "signals" => list(cells.iter().map(|(_, c)| c.signals().iter().map(|x| x.to_string()).collect()).collect(), "signals"),
        "level" => cells.iter().map(|(_, c)| c.level(with_volume)).collect::<Vec<_>>(),
        "k1" => cells.iter().map(|(_, c)| c.key.0.clone()).collect::<Vec<_>>(),
        "k2" => cells.iter().map(|(_, c)| c.key.1.clone()).collect::<Vec<_>>(),
        "unit_repeats" => unit_repeats,
    )?;
    let mut df = df
        .lazy()
        .sort_by_exprs(
            [
                col("window"),
                col("weighted"),
                col("dims"),
                col("unit"),
                col("domain"),
                col("error_type"),
            ],
            SortMultipleOptions::default()
                .with_order_descending_multi([false, true, false, false, false, false])
                .with_nulls_last(false)
                .with_maintain_order(true),
        )
        .collect()?;
    // The lists, built once in the final order (a cell without cases, or
    // not listed, has an empty list).
    let text = |name: &str| -> PolarsResult<Vec<String>> {
        Ok(df
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect())
    };
    let (window, dims, k1, k2) = (text("window")?, text("dims")?, text("k1")?, text("k2")?);
    let ranges: Vec<std::ops::Range<usize>> = (0..df.height())
        .map(|i| {
            let key = (
                window[i].clone(),
                dims[i].clone(),
                k1[i].clone(),
                k2[i].clone(),
            );
            listed.of.get(&key).cloned().unwrap_or(0..0)
        })
        .collect();
    let mut offsets: Vec<i64> = Vec::with_capacity(ranges.len() + 1);
    offsets.push(0);
    for r in &ranges {
        offsets.push(offsets[offsets.len() - 1] + r.len() as i64);
    }
    let n = *offsets.last().unwrap_or(&0) as usize;
    let values = ids.gather(ranges.iter().flat_map(|r| listed.rows[r.clone()].iter()), n)?;
    drop(listed);
    let lists = polars_arrow::array::ListArray::<i64>::try_new(
        polars_arrow::array::ListArray::<i64>::default_datatype(ArrowDataType::Utf8View),
        polars_arrow::offset::OffsetsBuffer::try_from(offsets)?,
        values.boxed(),
        None,
    )?;
    df.with_column(ListChunked::with_chunk("case_ids".into(), lists).into_column())?;
    df.select(COLUMNS.iter().copied())
}

fn empty() -> PolarsResult<DataFrame> {
    let str_list = DataType::List(Box::new(DataType::String));
    let schema: Vec<(&str, DataType)> = vec![
        ("window", DataType::String),
        ("dims", DataType::String),
        ("unit", DataType::String),
        ("domain", DataType::String),
        ("error_type", DataType::String),
        ("count", DataType::Int64),
        ("weighted", DataType::Float64),
        ("expected", DataType::Float64),
        ("ratio", DataType::Float64),
        ("p_value", DataType::Float64),
        ("q_value", DataType::Float64),
        ("signals", str_list.clone()),
        ("level", DataType::String),
        ("case_ids", str_list),
        ("unit_repeats", DataType::Int64),
    ];
    DataFrame::new_infer_height(
        schema
            .into_iter()
            .map(|(n, t)| Column::new_empty(n.into(), &t))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HotspotConfig;
    use crate::ingest::parse::days_since_epoch;

    /// `n` cases of (unit, domain, error) filed on `day`, outcome 不予容错.
    fn cases(spec: &[(&str, &str, &str, usize, NaiveDate)]) -> DataFrame {
        let mut id = 0;
        let (mut ids, mut u, mut d, mut e, mut f, mut o) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for (unit, domain, error, n, day) in spec {
            for _ in 0..*n {
                id += 1;
                ids.push(format!("C{id:03}"));
                u.push(*unit);
                d.push(*domain);
                e.push(*error);
                f.push(days_since_epoch(*day));
                o.push("不予容错");
            }
        }
        let df = df!(
            s::CASE_ID => ids,
            s::UNIT => u,
            s::DOMAIN => d,
            s::ERROR_TYPE => e,
            s::FILED_ON => f,
            s::OUTCOME => o,
        )
        .unwrap();
        as_ledger(df)
    }

    /// Filing days (days since 1970) as dates; no case decided, no
    /// subjective fault recorded.
    fn as_ledger(df: DataFrame) -> DataFrame {
        df.lazy()
            .with_columns([
                col(s::FILED_ON).cast(DataType::Date),
                lit(NULL).cast(DataType::Boolean).alias(s::SUBJECTIVE_FAULT),
                lit(NULL).cast(DataType::Date).alias(s::DECIDED_ON),
            ])
            .collect()
            .unwrap()
    }

    /// Of a unit×error_type risk point's cases, those its unit repeats
    /// (rules.md §3 at unit level) are counted; other kinds have none.
    #[test]
    fn unit_error_cells_count_the_cases_their_unit_repeats() {
        let df = cases(&[
            ("U1", "市场监管", "E1", 1, day(2025, 1, 10)), // C001
            ("U1", "市场监管", "E1", 4, day(2025, 5, 10)), // C002..C005
            ("U2", "市场监管", "E1", 4, day(2025, 5, 10)), // C006..C009
        ]);
        // C001 granted tolerance (decided 2025-02-01): U1's four Q2 cases
        // repeat after it. U2: C006 and C008 subjective, so C008 repeats C006.
        let outcome: Vec<&str> = (1..=9)
            .map(|i| if i == 1 { "免责" } else { "不予容错" })
            .collect();
        let decided: Vec<Option<i32>> = (1..=9)
            .map(|i| (i == 1).then(|| days_since_epoch(day(2025, 2, 1))))
            .collect();
        let subjective: Vec<Option<bool>> = (1..=9)
            .map(|i| (i == 6 || i == 8).then_some(true))
            .collect();
        let df = df
            .lazy()
            .with_columns([
                Series::new(s::OUTCOME.into(), outcome).lit(),
                Series::new(s::DECIDED_ON.into(), decided)
                    .lit()
                    .cast(DataType::Date),
                Series::new(s::SUBJECTIVE_FAULT.into(), subjective).lit(),
            ])
            .collect()
            .unwrap();
        let out = hotspots(&df, None, Period::AllQuarters, &params()).unwrap();
        let repeats_of = |dims: &str, k1: &str, k2: &str| -> Option<i64> {
            let f = out
                .clone()
                .lazy()
                .filter(
                    col("window")
                        .eq(lit("2025Q2"))
                        .and(col("dims").eq(lit(dims)))
                        .and(col("error_type").eq(lit(k2)).or(col("domain").eq(lit(k2))))
                        .and(col("unit").eq(lit(k1)).or(col("domain").eq(lit(k1)))),
                )
                .collect()
                .unwrap();
            assert_eq!(f.height(), 1, "{dims} {k1} {k2}: {out}");
            f.column("unit_repeats").unwrap().i64().unwrap().get(0)
        };
        assert_eq!(repeats_of("unit×error_type", "U1", "E1"), Some(4));
        assert_eq!(repeats_of("unit×error_type", "U2", "E1"), Some(1));
        assert_eq!(repeats_of("domain×error_type", "市场监管", "E1"), None);
        assert_eq!(repeats_of("unit×domain", "U1", "市场监管"), None);
        assert_eq!(
            out.get_column_names().last().unwrap().as_str(),
            "unit_repeats"
        );
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn params() -> HotspotParams {
        let pilot = crate::config::PilotConfig {
            start: day(2024, 1, 1),
            ..Default::default()
        };
        HotspotParams::new(
            &HotspotConfig::default(),
            &pilot,
            RepeatParams {
                same_domain: false,
                lookback_days: 0,
            },
        )
    }

    fn row(
        out: &DataFrame,
        dims: &str,
        k: &str,
    ) -> (
        i64,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        Vec<String>,
        String,
    ) {
        let f = out
            .clone()
            .lazy()
            .filter(
                col("dims").eq(lit(dims)).and(
                    col("unit")
                        .eq(lit(k))
                        .or(col("domain").eq(lit(k)))
                        .or(col("error_type").eq(lit(k))),
                ),
            )
            .collect()
            .unwrap();
        assert_eq!(f.height(), 1, "{dims} {k}: {f}");
        let sig = f
            .column("signals")
            .unwrap()
            .list()
            .unwrap()
            .get_as_series(0)
            .unwrap();
        (
            f.column("count").unwrap().i64().unwrap().get(0).unwrap(),
            f.column("expected").unwrap().f64().unwrap().get(0),
            f.column("p_value").unwrap().f64().unwrap().get(0),
            f.column("q_value").unwrap().f64().unwrap().get(0),
            sig.str()
                .unwrap()
                .iter()
                .map(|x| x.unwrap().to_string())
                .collect(),
            f.column("level")
                .unwrap()
                .str()
                .unwrap()
                .get(0)
                .unwrap()
                .to_string(),
        )
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("a value");
        assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "{a} vs {b}");
    }

    #[test]
    fn margins_expected_p_and_bh_q_match_scipy() {
        // Numbers from tests/reference/hotspots_reference.py (scipy.stats.poisson.sf,
        // statsmodels multipletests fdr_bh over the 11 non-empty cells).
        let q2 = day(2025, 5, 10);
        let df = cases(&[
            ("U1", "市场监管", "E1", 15, q2),
            ("U1", "市场监管", "E2", 1, q2),
            ("U1", "市场监管", "E3", 1, q2),
            ("U2", "市场监管", "E1", 1, q2),
            ("U2", "市场监管", "E2", 4, q2),
            ("U2", "市场监管", "E3", 5, q2),
        ]);
        let out = hotspots(&df, None, Period::AllQuarters, &params()).unwrap();
        let (n, e, p, q, signals, level) = row(&out, "unit×error_type", "E1");
        assert_eq!(n, 15);
        close(e, 10.074074074074074);
        close(p, 0.08737325088945988);
        close(q, 0.4296659770104141);
        assert_eq!(signals, ["frequent"]);
        assert_eq!(level, "watch");
        let f = out
            .clone()
            .lazy()
            .filter(
                col("unit")
                    .eq(lit("U2"))
                    .and(col("error_type").eq(lit("E3"))),
            )
            .collect()
            .unwrap();
        close(
            f.column("p_value").unwrap().f64().unwrap().get(0),
            0.07492148728280187,
        );
        close(
            f.column("q_value").unwrap().f64().unwrap().get(0),
            0.4296659770104141,
        );
        // U1×E2 (1 case) fires nothing and is absent; the weighted count is 3 per 不予容错 case.
        assert_eq!(
            out.clone()
                .lazy()
                .filter(
                    col("unit")
                        .eq(lit("U1"))
                        .and(col("error_type").eq(lit("E2")))
                )
                .collect()
                .unwrap()
                .height(),
            0
        );
        assert_eq!(
            out.column("weighted").unwrap().f64().unwrap().get(0),
            Some(51.0)
        );
        let (_, _, p, q, _, _) = row(&out, "unit×domain", "U2");
        close(p, 0.5420702855281478);
        close(q, 0.7693217330353334);
        // sorted by weighted descending within the window
        let w: Vec<f64> = out
            .column("weighted")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert!(w.windows(2).all(|x| x[0] >= x[1]), "{w:?}");
    }

    #[test]
    fn volume_totals_prefer_domain_rows_and_prorate_ranges() {
        let q3 = Quarter { year: 2025, q: 3 };
        let q4 = Quarter { year: 2025, q: 4 };
        let vol = Volume::new([
            // U1 has domain rows (100 + 50) and a total row the domain rows override
            (q3, "U1".into(), "D1".into(), 100.0),
            (q3, "U1".into(), "D2".into(), 50.0),
            (q3, "U1".into(), String::new(), 999.0),
            // U2 has only a total row
            (q3, "U2".into(), String::new(), 200.0),
            (q3, "U3".into(), "D1".into(), 30.0),
            // a repeated row adds up
            (q3, "U3".into(), "D1".into(), 5.0),
            (q4, "U1".into(), "D1".into(), 40.0),
        ]);
        let w = Window::Quarter(q3);
        assert_eq!(vol.value(&w, Some("U1"), None), Some(150.0));
        assert_eq!(vol.value(&w, Some("U2"), None), Some(200.0));
        assert_eq!(vol.value(&w, Some("U3"), Some("D1")), Some(35.0));
        assert_eq!(vol.value(&w, Some("U2"), Some("D1")), None);
        assert_eq!(vol.value(&w, None, Some("D1")), Some(135.0));
        assert_eq!(vol.value(&w, None, Some("D9")), None);
        // 150 (U1) + 200 (U2) + 35 (U3)
        assert_eq!(vol.value(&w, None, None), Some(385.0));
        assert_eq!(
            vol.value(&Window::Quarter(Quarter { year: 2026, q: 1 }), None, None),
            None
        );
        // 2025-09-01..2025-10-31: 30/92 of Q3 and 31/92 of Q4
        let range = Window::Range(day(2025, 9, 1), day(2025, 10, 31));
        let want = 150.0 * 30.0 / 92.0 + 40.0 * 31.0 / 92.0;
        assert!((vol.value(&range, Some("U1"), None).unwrap() - want).abs() < 1e-9);
    }

    #[test]
    fn volume_funnel_flags_concentration_at_warning_level() {
        // tests/reference/hotspots_reference.py "with volume": U1 34 vs 22 expected,
        // p = 0.010508606225725648, q = 0.02627151556431412 (< 0.05), between the
        // 95% (31.16) and 99.8% (37.39) funnel limits → warning.
        let q3 = day(2025, 8, 1);
        let df = cases(&[("U1", "D", "E1", 34, q3), ("U2", "D", "E1", 10, q3)]);
        let q = Quarter { year: 2025, q: 3 };
        let vol = Volume::new([
            (q, "U1".into(), "D".into(), 1000.0),
            (q, "U2".into(), "D".into(), 1000.0),
        ]);
        let out = hotspots(&df, Some(&vol), Period::Quarter(q), &params()).unwrap();
        let (n, e, p, qv, signals, level) = row(&out, "unit×domain", "U1");
        assert_eq!(n, 34);
        close(e, 22.0);
        close(p, 0.010508606225725648);
        close(qv, 0.02627151556431412);
        assert_eq!(signals, ["frequent", "concentrated"]);
        assert_eq!(level, "warning");
        let (_, _, _, _, signals, _) = row(&out, "unit×error_type", "U2");
        assert_eq!(signals, ["frequent"]);
    }

    #[test]
    fn every_quarter_lists_its_own_cases_in_text_order_across_chunks() {
        // One cell (U1×D×E1) in 2025Q3 and 2025Q4, its case ids out of text
        // order in the rows, the ledger in two chunks; U2 is background.
        let frame = |rows: &[(&str, &str, NaiveDate)]| {
            let df = df!(
                s::CASE_ID => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                s::UNIT => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                s::DOMAIN => vec!["D"; rows.len()],
                s::ERROR_TYPE => vec!["E1"; rows.len()],
                s::FILED_ON => rows.iter().map(|r| days_since_epoch(r.2)).collect::<Vec<_>>(),
                s::OUTCOME => vec!["不予容错"; rows.len()],
            )
            .unwrap();
            as_ledger(df)
        };
        // Ids longer than 12 bytes live in the chunks' buffers (shorter
        // ones inside the array's views): both kinds are listed.
        let (q3, q4) = (day(2025, 8, 1), day(2025, 11, 1));
        let mut df = frame(&[
            ("监督案件-K10", "U1", q3),
            ("监督案件-K9", "U1", q4),
            ("监督案件-K2", "U1", q3),
            ("B1", "U2", q3),
            ("监督案件-K30", "U1", q4),
        ]);
        df.vstack_mut_owned(frame(&[
            ("监督案件-K1", "U1", q3),
            ("监督案件-K4", "U1", q4),
            ("B2", "U2", q4),
            ("K0", "U1", q4),
            ("监督案件-K100", "U1", q3),
        ]))
        .unwrap();
        assert_eq!(df.first_col_n_chunks(), 2);
        let out = hotspots(&df, None, Period::AllQuarters, &params()).unwrap();
        let ids = |window: &str| -> Vec<String> {
            let f = out
                .clone()
                .lazy()
                .filter(
                    col("window")
                        .eq(lit(window))
                        .and(col("dims").eq(lit("unit×domain")))
                        .and(col("unit").eq(lit("U1"))),
                )
                .collect()
                .unwrap();
            assert_eq!(f.height(), 1, "{window}: {out}");
            let list = f
                .column("case_ids")
                .unwrap()
                .list()
                .unwrap()
                .get_as_series(0)
                .unwrap();
            list.str()
                .unwrap()
                .iter()
                .map(|v| v.unwrap().to_string())
                .collect()
        };
        // byte order of the text: "K1" < "K10" < "K100" < "K2"; "K0" (ASCII)
        // before "监" (E7 9B 91)
        assert_eq!(
            ids("2025Q3"),
            [
                "监督案件-K1",
                "监督案件-K10",
                "监督案件-K100",
                "监督案件-K2"
            ]
        );
        assert_eq!(
            ids("2025Q4"),
            ["K0", "监督案件-K30", "监督案件-K4", "监督案件-K9"]
        );
        // a date range lists its own cases the same way
        let range = Period::Range(day(2025, 8, 1), day(2025, 12, 31));
        let out = hotspots(&df, None, range, &params()).unwrap();
        let listed = out
            .lazy()
            .filter(
                col("dims")
                    .eq(lit("unit×domain"))
                    .and(col("unit").eq(lit("U1"))),
            )
            .collect()
            .unwrap();
        assert_eq!(
            listed.column("window").unwrap().str().unwrap().get(0),
            Some("2025-08-01..2025-12-31")
        );
        let range_ids: Vec<String> = listed
            .column("case_ids")
            .unwrap()
            .list()
            .unwrap()
            .get_as_series(0)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect();
        assert_eq!(
            range_ids,
            [
                "K0",
                "监督案件-K1",
                "监督案件-K10",
                "监督案件-K100",
                "监督案件-K2",
                "监督案件-K30",
                "监督案件-K4",
                "监督案件-K9"
            ]
        );
    }

    #[test]
    fn rising_against_previous_quarters_and_persistent() {
        // U1×E1: 1, 2, 1 cases in 2025Q1–Q3, then 8 in Q4: P(X ≥ 8 | mean 4/3)
        // = 7.644e-5 (scipy.stats.poisson.sf(7, 4/3) = 7.644261015364005e-05) → rising.
        let mut spec = vec![
            ("U1", "D", "E1", 1, day(2025, 2, 1)),
            ("U1", "D", "E1", 2, day(2025, 5, 1)),
            ("U1", "D", "E1", 1, day(2025, 8, 1)),
            ("U1", "D", "E1", 8, day(2025, 11, 1)),
        ];
        // background so the margins are not degenerate, spanning the whole
        // year so that every quarter is fully observed
        for (m, d) in [(1, 1), (5, 2), (8, 3), (12, 31)] {
            spec.push(("U2", "D", "E2", 3, day(2025, m, d)));
        }
        let df = cases(&spec);
        let out = hotspots(
            &df,
            None,
            Period::Quarter(Quarter { year: 2025, q: 4 }),
            &params(),
        )
        .unwrap();
        let (n, _, _, _, signals, level) = row(&out, "unit×error_type", "E1");
        assert_eq!(n, 8);
        assert!(signals.contains(&"rising".to_string()), "{signals:?}");
        assert_eq!(level, "warning");
        // the same cell in Q3 (1 case) was not flagged, so nothing is persistent
        assert!(!signals.contains(&"persistent".to_string()));
        // with only one earlier quarter of data the rising test does not run
        let late = cases(&[
            ("U1", "D", "E1", 1, day(2025, 7, 1)),
            ("U1", "D", "E1", 8, day(2025, 11, 1)),
            ("U2", "D", "E2", 3, day(2025, 12, 31)),
        ]);
        let out = hotspots(
            &late,
            None,
            Period::Quarter(Quarter { year: 2025, q: 4 }),
            &params(),
        )
        .unwrap();
        let (_, _, _, _, signals, _) = row(&out, "unit×error_type", "E1");
        assert!(!signals.contains(&"rising".to_string()), "{signals:?}");
    }

    /// The ledger as ingest holds it (categorical units, domains, error
    /// types, outcomes) gives the same risk points, case ids included, for
    /// every quarter and for a date range.
    #[test]
    fn categorical_ledger_columns_give_the_same_risk_points() {
        let mut spec = vec![
            ("区甲局", "市场监管", "文书瑕疵", 9, day(2025, 11, 1)),
            ("区乙局", "城市管理", "超期办理", 2, day(2025, 10, 3)),
            ("街道丙", "城市管理", "文书瑕疵", 1, day(2025, 12, 1)),
        ];
        for (m, d) in [(1, 1), (5, 2), (8, 3), (12, 31)] {
            spec.push(("区乙局", "市场监管", "其他", 3, day(2025, m, d)));
        }
        let df = cases(&spec);
        let coded = s::as_stored(df.clone()).unwrap();
        assert!(matches!(
            coded.column(s::UNIT).unwrap().dtype(),
            DataType::Categorical(..)
        ));
        let range = Period::Range(day(2025, 10, 1), day(2025, 12, 31));
        for period in [Period::AllQuarters, range] {
            let plain = hotspots(&df, None, period, &params()).unwrap();
            let cat = hotspots(&coded, None, period, &params()).unwrap();
            assert!(plain.height() > 0, "the crafted cell fires");
            assert!(plain.equals_missing(&cat), "{plain}\n{cat}");
        }
    }
}
