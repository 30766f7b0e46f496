//! Error-prone risk points under art. 21 (rules.md §4): cells of
//! (unit, error_type) and (domain, error_type), and (unit, domain) when
//! enforcement volume is given, per window; established errors counted
//! against an expectation (indirect standardisation by domain, or the
//! volume), tested for concentration (exact Poisson, widened by the cells'
//! over-dispersion) and for a rise against the cell's own previous quarters
//! (conditional exact binomial on exposure), both in one Benjamini–Hochberg
//! family per window; with the evidence a warning notice cites.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use polars::prelude::*;
use polars_arrow::array::{Array, Utf8ViewArray};

use super::determination;
use super::stats::{self, FunnelLevel};
use super::TextByRow;
use crate::config::HotspotConfig;
use crate::period::{date_from_days, days_since_epoch};
use crate::period::{quarters_between, Period, Window};
use crate::schema as s;

/// The ledger columns the analysis reads (a large run frees the others first).
pub const READS: &[&str] = &[
    s::CASE_ID,
    s::UNIT,
    s::DOMAIN,
    s::ERROR_TYPE,
    s::FILED_ON,
    s::DECIDED_ON,
    s::OUTCOME,
    s::COMPLAINT_FINDING,
    s::RECTIFIED_ON,
];

/// Output columns (outputs.md §hotspots).
pub const COLUMNS: &[&str] = &[
    "window",
    "dims",
    "unit",
    "domain",
    "error_type",
    "count",
    "pending",
    "weighted",
    "expected",
    "ratio",
    "p_value",
    "q_value",
    "rising_p",
    "rising_q",
    "signals",
    "level",
    "officer_repeats",
    "after_correction",
    "case_ids",
];

/// Days after a rectification within which a new error of the same cell
/// counts as `after_correction` (rules.md §4).
pub const AFTER_CORRECTION_DAYS: i32 = 365;

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

    /// The cell key of a (unit, domain, error) triple.
    fn key(self, (u, d, e): (u32, u32, u32)) -> (u32, u32) {
        match self {
            Dims::UnitError => (u, e),
            Dims::DomainError => (d, e),
            Dims::UnitDomain => (u, d),
        }
    }
}

/// Thresholds (jiucuo.toml [hotspots]) and the run's dates.
#[derive(Debug, Clone)]
pub struct HotspotParams {
    pub min_count: u32,
    pub q_threshold: f64,
    pub alarm_q: f64,
    pub rising_lookback: u32,
    pub rising_min_quarters: u32,
    pub persistent_quarters: u32,
    pub overdispersion: bool,
    pub winsor: f64,
    pub weights: BTreeMap<String, f64>,
    /// The pilot period: history outside it does not count as full quarters.
    pub pilot: (NaiveDate, NaiveDate),
    /// The as-of date: a quarter is full only if it ended by then.
    pub as_of: NaiveDate,
}

impl HotspotParams {
    pub fn new(c: &HotspotConfig, pilot: &crate::config::PilotConfig, as_of: NaiveDate) -> Self {
        HotspotParams {
            min_count: c.min_count,
            q_threshold: c.q_threshold,
            alarm_q: c.alarm_q,
            rising_lookback: c.rising_lookback.max(1),
            rising_min_quarters: c.rising_min_quarters,
            persistent_quarters: c.persistent_quarters.max(1),
            overdispersion: c.overdispersion,
            winsor: c.winsor,
            weights: c.weights.clone(),
            pilot: (pilot.start, pilot.end),
            as_of,
        }
    }

    /// A window wholly inside the pilot and ended by the as-of date.
    fn full(&self, w: &Window) -> bool {
        w.first_day() >= self.pilot.0 && w.last_day() <= self.pilot.1.min(self.as_of)
    }

    /// A window with any day inside the pilot up to the as-of date.
    fn observed(&self, w: &Window) -> bool {
        w.last_day() >= self.pilot.0 && w.first_day() <= self.pilot.1.min(self.as_of)
    }
}
use crate::ingest::auxiliary::Volume;

/// Established errors, undecided cases and severity of a group of cases.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Tally {
    /// Established errors (rules.md §4 "what is counted").
    n: u64,
    /// Cases not decided by the as-of date.
    pending: u64,
    /// Severity-weighted established errors.
    weighted: f64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.n += other.n;
        self.pending += other.pending;
        self.weighted += other.weighted;
    }
}

/// A text column as dense codes in text order (null = `u32::MAX`) and the
/// text of each code.
fn coded(column: &Column) -> PolarsResult<(Vec<u32>, Vec<String>)> {
    let as_category = match column.dtype() {
        DataType::Categorical(..) | DataType::Enum(..) => column.clone(),
        _ => column.cast(&s::categorical())?,
    };
    let physical = as_category.to_physical_repr().cast(&DataType::UInt32)?;
    let raw: Vec<u32> = physical
        .u32()?
        .iter()
        .map(|c| c.unwrap_or(u32::MAX))
        .collect();
    // The text of each code, read from its first row.
    let mut first: HashMap<u32, usize> = HashMap::new();
    for (row, c) in raw.iter().enumerate() {
        if *c != u32::MAX {
            first.entry(*c).or_insert(row);
        }
    }
    let mut firsts: Vec<(u32, usize)> = first.into_iter().collect();
    firsts.sort_unstable_by_key(|x| x.1);
    let rows = IdxCa::from_vec(
        "".into(),
        firsts.iter().map(|(_, r)| *r as IdxSize).collect(),
    );
    let text = column.cast(&DataType::String)?.take(&rows)?;
    let text = text.str()?;
    let mut named: Vec<(String, u32)> = firsts
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (text.get(i).unwrap_or("").to_string(), *c))
        .collect();
    named.sort();
    let dense: HashMap<u32, u32> = named
        .iter()
        .enumerate()
        .map(|(i, (_, c))| (*c, i as u32))
        .collect();
    let codes = raw
        .iter()
        .map(|c| dense.get(c).copied().unwrap_or(u32::MAX))
        .collect();
    Ok((codes, named.into_iter().map(|(t, _)| t).collect()))
}

/// Names by code, extended by the volume file's units and domains.
#[derive(Debug, Default)]
struct Names {
    units: Vec<String>,
    domains: Vec<String>,
    errors: Vec<String>,
}

impl Names {
    fn code(list: &mut Vec<String>, name: &str) -> u32 {
        match list.iter().position(|x| x == name) {
            Some(i) => i as u32,
            None => {
                list.push(name.to_string());
                list.len() as u32 - 1
            }
        }
    }
}

/// What the analysis needs of each case, as numbers.
struct Rows {
    filed: Vec<i32>,
    established: Vec<bool>,
    pending: Vec<bool>,
    weight: Vec<f64>,
    unit: Vec<u32>,
    domain: Vec<u32>,
    error: Vec<u32>,
    rectified: Vec<Option<i32>>,
}

impl Rows {
    fn read(cases: &DataFrame, weights: &BTreeMap<String, f64>) -> PolarsResult<(Rows, Names)> {
        let derived = cases
            .clone()
            .lazy()
            .select([
                determination::established_expr().alias("established"),
                determination::pending_expr().alias("pending"),
                weight_expr(weights),
            ])
            .collect()?;
        let bools = |name: &str| -> PolarsResult<Vec<bool>> {
            Ok(derived
                .column(name)?
                .bool()?
                .iter()
                .map(|b| b == Some(true))
                .collect())
        };
        let (unit, units) = coded(cases.column(s::UNIT)?)?;
        let (domain, domains) = coded(cases.column(s::DOMAIN)?)?;
        let (error, errors) = coded(cases.column(s::ERROR_TYPE)?)?;
        let rows = Rows {
            filed: cases
                .column(s::FILED_ON)?
                .date()?
                .physical()
                .iter()
                .map(|d| d.unwrap_or(i32::MIN))
                .collect(),
            established: bools("established")?,
            pending: bools("pending")?,
            weight: derived
                .column("__weight")?
                .f64()?
                .iter()
                .map(|w| w.unwrap_or(0.0))
                .collect(),
            unit,
            domain,
            error,
            rectified: cases
                .column(s::RECTIFIED_ON)?
                .date()?
                .physical()
                .iter()
                .collect(),
        };
        Ok((
            rows,
            Names {
                units,
                domains,
                errors,
            },
        ))
    }

    fn len(&self) -> usize {
        self.filed.len()
    }

    /// The (unit, domain, error) of a row, if it has all three.
    fn triple(&self, row: usize) -> Option<(u32, u32, u32)> {
        let t = (self.unit[row], self.domain[row], self.error[row]);
        (t.0 != u32::MAX && t.1 != u32::MAX && t.2 != u32::MAX).then_some(t)
    }
}

/// The severity weight of an established error (`__weight`).
fn weight_expr(weights: &BTreeMap<String, f64>) -> Expr {
    let mut expr = lit(0.0);
    for (outcome, w) in weights {
        expr = when(col(s::OUTCOME).eq(lit(outcome.as_str())))
            .then(lit(*w))
            .otherwise(expr);
    }
    expr.alias("__weight")
}

/// One window's tallies per (unit, domain, error).
type Fine = BTreeMap<(u32, u32, u32), Tally>;

/// One window's tallies per cell of one kind.
type Cells = BTreeMap<(u32, u32), Tally>;

/// Per cell key of each kind: the (day, row) of each rectified error.
type Rectifications = HashMap<(Dims, (u32, u32)), Vec<(i32, IdxSize)>>;

/// Sums of a window's established errors over each margin.
#[derive(Debug, Default)]
struct Margins {
    unit: HashMap<u32, f64>,
    unit_domain: HashMap<(u32, u32), f64>,
    domain_error: HashMap<(u32, u32), f64>,
    domain: HashMap<u32, f64>,
    error: HashMap<u32, f64>,
    total: f64,
    /// The domains each unit has established errors in.
    unit_domains: BTreeMap<u32, Vec<u32>>,
}

impl Margins {
    fn of(fine: &Fine) -> Margins {
        let mut m = Margins::default();
        for (&(u, d, e), t) in fine {
            if t.n == 0 {
                continue;
            }
            let n = t.n as f64;
            *m.unit.entry(u).or_default() += n;
            *m.unit_domain.entry((u, d)).or_default() += n;
            *m.domain_error.entry((d, e)).or_default() += n;
            *m.domain.entry(d).or_default() += n;
            *m.error.entry(e).or_default() += n;
            m.total += n;
        }
        let mut pairs: Vec<&(u32, u32)> = m.unit_domain.keys().collect();
        pairs.sort_unstable();
        for (u, d) in pairs {
            m.unit_domains.entry(*u).or_default().push(*d);
        }
        m
    }

    fn get<K: std::hash::Hash + Eq>(map: &HashMap<K, f64>, k: &K) -> f64 {
        map.get(k).copied().unwrap_or(0.0)
    }
}

/// One tested cell of one window.
#[derive(Debug, Clone)]
struct Cell {
    dims: Dims,
    key: (u32, u32),
    tally: Tally,
    expected: Option<f64>,
    p: Option<f64>,
    q: Option<f64>,
    rising_p: Option<f64>,
    rising_q: Option<f64>,
    funnel: Option<FunnelLevel>,
    frequent: bool,
    concentrated: bool,
    rising: bool,
    persistent: bool,
}

impl Cell {
    fn flagged(&self) -> bool {
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

    /// rules.md §4 "Levels".
    fn level(&self, alarm_q: f64) -> Option<&'static str> {
        let strong = self.concentrated
            && (self.q.is_some_and(|q| q < alarm_q) || self.funnel == Some(FunnelLevel::Alarm));
        if self.persistent || strong {
            Some("alarm")
        } else if self.flagged() {
            Some("warning")
        } else if self.frequent {
            Some("watch")
        } else {
            None
        }
    }
}

/// One analysis run: the windows computed, their tallies and margins.
struct Run<'a> {
    p: &'a HotspotParams,
    volume: Option<&'a Volume>,
    names: Names,
    /// Computed windows, in time order.
    windows: Vec<Window>,
    margins: Vec<Margins>,
    /// Per window and kind: the tallies of each cell.
    tallies: Vec<BTreeMap<Dims, Cells>>,
}

impl<'a> Run<'a> {
    fn new(
        rows: &Rows,
        mut names: Names,
        windows: Vec<Window>,
        volume: Option<&'a Volume>,
        p: &'a HotspotParams,
    ) -> Run<'a> {
        let starts: Vec<i32> = windows
            .iter()
            .map(|w| days_since_epoch(w.first_day()))
            .collect();
        let ends: Vec<i32> = windows
            .iter()
            .map(|w| days_since_epoch(w.last_day()))
            .collect();
        let mut fine: Vec<Fine> = vec![Fine::new(); windows.len()];
        for row in 0..rows.len() {
            let Some(triple) = rows.triple(row) else {
                continue;
            };
            let day = rows.filed[row];
            let Some(wi) = window_of(&starts, &ends, day) else {
                continue;
            };
            let t = fine[wi].entry(triple).or_default();
            if rows.established[row] {
                t.n += 1;
                t.weighted += rows.weight[row];
            } else if rows.pending[row] {
                t.pending += 1;
            }
        }
        if let Some(v) = volume {
            for u in v.units() {
                Names::code(&mut names.units, &u);
            }
            for d in v.domains() {
                Names::code(&mut names.domains, &d);
            }
        }
        let margins = fine.iter().map(Margins::of).collect();
        let tallies = fine
            .iter()
            .map(|f| {
                let mut by: BTreeMap<Dims, Cells> = BTreeMap::new();
                for (&triple, t) in f {
                    for dims in Dims::ALL {
                        by.entry(dims)
                            .or_default()
                            .entry(dims.key(triple))
                            .or_default()
                            .add(t);
                    }
                }
                by
            })
            .collect();
        Run {
            p,
            volume,
            names,
            windows,
            margins,
            tallies,
        }
    }

    fn tally(&self, wi: usize, dims: Dims, key: (u32, u32)) -> Tally {
        self.tallies[wi]
            .get(&dims)
            .and_then(|m| m.get(&key))
            .copied()
            .unwrap_or_default()
    }

    /// The cell's expected established errors in window `wi` (rules.md §4
    /// "Expected counts"); None when it cannot be formed.
    fn expected(&self, wi: usize, dims: Dims, (a, b): (u32, u32)) -> Option<f64> {
        let m = &self.margins[wi];
        match (self.volume, dims) {
            (None, Dims::UnitError) => {
                // Indirect standardisation: the unit's errors in each domain
                // × the error type's share of the district's errors there.
                let (u, e) = (a, b);
                let doms = m.unit_domains.get(&u)?;
                Some(
                    doms.iter()
                        .map(|d| {
                            let in_domain = Margins::get(&m.domain, d);
                            if in_domain > 0.0 {
                                Margins::get(&m.unit_domain, &(u, *d))
                                    * Margins::get(&m.domain_error, &(*d, e))
                                    / in_domain
                            } else {
                                0.0
                            }
                        })
                        .sum(),
                )
            }
            (None, Dims::DomainError) => (m.total > 0.0)
                .then(|| Margins::get(&m.domain, &a) * Margins::get(&m.error, &b) / m.total),
            (None, Dims::UnitDomain) => None,
            (Some(v), dims) => self.expected_with_volume(v, wi, dims, (a, b)),
        }
    }

    fn expected_with_volume(
        &self,
        v: &Volume,
        wi: usize,
        dims: Dims,
        (a, b): (u32, u32),
    ) -> Option<f64> {
        let (w, m) = (&self.windows[wi], &self.margins[wi]);
        let names = &self.names;
        let positive = |x: Option<f64>| x.filter(|x| *x > 0.0);
        match dims {
            Dims::UnitError => {
                let (u, e) = (a, b);
                let unit = names.units.get(u as usize)?;
                let domains = v.domains_of(unit);
                if domains.is_empty() {
                    // Only a unit total: the district's rate of the error type.
                    let all = positive(v.value(w, None, None))?;
                    return Some(v.value(w, Some(unit), None)? * Margins::get(&m.error, &e) / all);
                }
                // Every domain of the unit needs a figure for the window
                // (the unit's and the district's), and so does every domain
                // the unit has errors in: otherwise no expectation can be
                // formed, and the cell is not tested.
                let errors_in = m.unit_domains.get(&u).cloned().unwrap_or_default();
                let uncovered = errors_in
                    .iter()
                    .any(|d| !domains.contains(&names.domains[*d as usize]));
                if uncovered {
                    return None;
                }
                let mut sum = 0.0;
                for domain in &domains {
                    let mine = v.value(w, Some(unit), Some(domain))?;
                    let all = positive(v.value(w, None, Some(domain)))?;
                    let rate = match names.domains.iter().position(|x| x == domain) {
                        Some(dc) => Margins::get(&m.domain_error, &(dc as u32, e)) / all,
                        None => 0.0,
                    };
                    sum += mine * rate;
                }
                Some(sum)
            }
            Dims::DomainError => {
                let domain = names.domains.get(a as usize)?;
                let all = positive(v.value(w, None, None))?;
                Some(v.value(w, None, Some(domain))? * Margins::get(&m.error, &b) / all)
            }
            Dims::UnitDomain => {
                let unit = names.units.get(a as usize)?;
                let domain = names.domains.get(b as usize)?;
                let all = positive(v.value(w, None, Some(domain)))?;
                Some(v.value(w, Some(unit), Some(domain))? * Margins::get(&m.domain, &b) / all)
            }
        }
    }

    /// Every cell of a kind that could hold errors in window `wi`, for the
    /// over-dispersion estimate (zero cells included).
    fn grid(&self, wi: usize, dims: Dims) -> BTreeSet<(u32, u32)> {
        let m = &self.margins[wi];
        let mut units: BTreeSet<u32> = m.unit_domains.keys().copied().collect();
        let mut domains: BTreeSet<u32> = m.domain.keys().copied().collect();
        let errors: BTreeSet<u32> = m.error.keys().copied().collect();
        let mut grid = BTreeSet::new();
        if let Some(v) = self.volume {
            let code = |list: &Vec<String>, name: &str| {
                list.iter().position(|x| x == name).map(|i| i as u32)
            };
            units.extend(v.units().iter().filter_map(|u| code(&self.names.units, u)));
            domains.extend(
                v.domains()
                    .iter()
                    .filter_map(|d| code(&self.names.domains, d)),
            );
            if dims == Dims::UnitDomain {
                for (u, d) in v.unit_domains() {
                    if let (Some(u), Some(d)) =
                        (code(&self.names.units, &u), code(&self.names.domains, &d))
                    {
                        grid.insert((u, d));
                    }
                }
                grid.extend(m.unit_domain.keys().copied());
                return grid;
            }
        }
        let rows: &BTreeSet<u32> = match dims {
            Dims::UnitError => &units,
            Dims::DomainError => &domains,
            Dims::UnitDomain => return grid,
        };
        for r in rows {
            for e in &errors {
                grid.insert((*r, *e));
            }
        }
        grid
    }

    /// τ² of the cells of a kind in window `wi` (None: not over-dispersed,
    /// or the option is off).
    fn tau2(&self, wi: usize, dims: Dims) -> Option<f64> {
        if !self.p.overdispersion {
            return None;
        }
        let (o, e): (Vec<f64>, Vec<f64>) = self
            .grid(wi, dims)
            .into_iter()
            .filter_map(|key| {
                let e = self.expected(wi, dims, key).filter(|e| *e > 0.0)?;
                Some((self.tally(wi, dims, key).n as f64, e))
            })
            .unzip();
        stats::overdispersion(&o, &e, self.p.winsor).map(|od| od.tau2)
    }

    /// The earlier windows the rising test compares window `wi` with (those
    /// observed in the pilot), if enough of them are full quarters.
    fn history(&self, wi: usize) -> Option<Vec<usize>> {
        let w = &self.windows[wi];
        let earlier: Vec<usize> = w
            .previous(self.p.rising_lookback)
            .iter()
            .filter(|pw| self.p.observed(pw))
            .filter_map(|pw| self.windows.iter().position(|x| x == pw))
            .collect();
        let full = earlier
            .iter()
            .filter(|i| self.p.full(&self.windows[**i]))
            .count();
        (full as u32 >= self.p.rising_min_quarters && !earlier.is_empty()).then_some(earlier)
    }

    /// The cell's exposure in window `wi` for the rising test: what the
    /// district's rate of the cell's column that window (all errors, or the
    /// error type's) gives the cell's row (its volume, or without volume its
    /// established errors). The cell is compared with its own history, so
    /// what does not change over time (a unit's remit) cancels; what does
    /// (the volume, the district's trend) is taken out.
    fn exposure(&self, wi: usize, dims: Dims, (a, b): (u32, u32)) -> Option<f64> {
        let m = &self.margins[wi];
        let column = match dims {
            Dims::UnitDomain => m.total,
            _ => Margins::get(&m.error, &b),
        };
        match self.volume {
            None => {
                let row = match dims {
                    Dims::UnitError => Margins::get(&m.unit, &a),
                    Dims::DomainError => Margins::get(&m.domain, &a),
                    Dims::UnitDomain => return None,
                };
                Some(if m.total > 0.0 {
                    row * column / m.total
                } else {
                    0.0
                })
            }
            Some(v) => {
                let (w, names) = (&self.windows[wi], &self.names);
                let row = match dims {
                    Dims::UnitError => v.value(w, Some(names.units.get(a as usize)?), None),
                    Dims::DomainError => v.value(w, None, Some(names.domains.get(a as usize)?)),
                    Dims::UnitDomain => v.value(
                        w,
                        Some(names.units.get(a as usize)?),
                        Some(names.domains.get(b as usize)?),
                    ),
                }?;
                let all = v.value(w, None, None).filter(|x| *x > 0.0)?;
                Some(row * column / all)
            }
        }
    }

    /// Rising: conditional on the cell's errors over the window and its
    /// history, the window's share against its share of the exposure:
    /// one-sided exact binomial p.
    fn rising_p(&self, wi: usize, history: &[usize], dims: Dims, key: (u32, u32)) -> Option<f64> {
        let now = self.tally(wi, dims, key).n;
        let e_now = self.exposure(wi, dims, key)?;
        let mut total = now;
        let mut exposure = e_now;
        for &h in history {
            total += self.tally(h, dims, key).n;
            exposure += self.exposure(h, dims, key)?;
        }
        if !(e_now > 0.0 && exposure > 0.0) {
            return None;
        }
        Some(stats::binomial_upper_tail(now, total, e_now / exposure))
    }

    /// Test every non-empty cell of every kind in window `wi` (one BH family).
    fn test_window(&self, wi: usize) -> Vec<Cell> {
        let history = self.history(wi);
        let mut cells = Vec::new();
        for dims in Dims::ALL {
            if dims == Dims::UnitDomain && self.volume.is_none() {
                continue;
            }
            let tau2 = self.tau2(wi, dims);
            let Some(by_key) = self.tallies[wi].get(&dims) else {
                continue;
            };
            for (&key, tally) in by_key {
                if tally.n == 0 && tally.pending == 0 {
                    continue;
                }
                let expected = self.expected(wi, dims, key);
                let tested = tally.n > 0;
                let p = expected
                    .filter(|e| *e > 0.0 && tested)
                    .map(|e| stats::poisson_gamma_upper_tail(tally.n, e, tau2.unwrap_or(0.0)));
                let rising_p = match (&history, tested) {
                    (Some(h), true) => self.rising_p(wi, h, dims, key),
                    _ => None,
                };
                cells.push(Cell {
                    dims,
                    key,
                    tally: *tally,
                    expected,
                    p,
                    q: None,
                    rising_p,
                    rising_q: None,
                    funnel: match (self.volume, expected) {
                        (Some(_), Some(e)) => Some(stats::funnel_level(tally.n, e, tau2)),
                        _ => None,
                    },
                    frequent: tally.n >= u64::from(self.p.min_count),
                    concentrated: false,
                    rising: false,
                    persistent: false,
                });
            }
        }
        // One Benjamini–Hochberg family: every concentration and rising test.
        let mut family: Vec<f64> = cells.iter().map(|c| c.p.unwrap_or(f64::NAN)).collect();
        family.extend(cells.iter().map(|c| c.rising_p.unwrap_or(f64::NAN)));
        let q = stats::benjamini_hochberg(&family);
        let n = cells.len();
        for (i, c) in cells.iter_mut().enumerate() {
            c.q = Some(q[i]).filter(|x| x.is_finite());
            c.rising_q = Some(q[n + i]).filter(|x| x.is_finite());
            let below = |q: Option<f64>| q.is_some_and(|q| q < self.p.q_threshold);
            // A risk point is first a problem that occurs frequently.
            c.concentrated = c.frequent && below(c.q);
            c.rising = c.frequent && below(c.rising_q);
        }
        cells
    }
}

/// The window holding a day (windows sorted and disjoint).
fn window_of(starts: &[i32], ends: &[i32], day: i32) -> Option<usize> {
    let i = starts.partition_point(|s| *s <= day).checked_sub(1)?;
    (day <= ends[i]).then_some(i)
}

/// The windows of a period to compute (with the history the rising and
/// persistence tests look back on), in time order, and those to report.
fn windows_of(
    period: Period,
    data: (NaiveDate, NaiveDate),
    p: &HotspotParams,
) -> (Vec<Window>, Vec<Window>) {
    let reported: Vec<Window> = match period {
        Period::AllQuarters => quarters_between(data.0, data.1)
            .into_iter()
            .map(Window::Quarter)
            .collect(),
        Period::Quarter(q) => vec![Window::Quarter(q)],
        Period::Range(a, b) => vec![Window::Range(a, b)],
    };
    let back = p.persistent_quarters.saturating_sub(1) + p.rising_lookback;
    let mut computed: Vec<Window> = Vec::new();
    for w in &reported {
        computed.push(*w);
        computed.extend(w.previous(back).into_iter().filter(|pw| p.observed(pw)));
    }
    computed.sort_by_key(|w| (w.first_day(), w.last_day()));
    computed.dedup();
    (computed, reported)
}

/// Risk points of the ledger for the period (pure: no clock, no I/O). The
/// cases are the ledger as it stood on `p.as_of` ([`super::scope`]).
/// `officer_repeats` is left empty: [`with_officer_repeats`] fills it from
/// the repeats table.
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
    let data_last = date_from_days(max)
        .min(p.pilot.1)
        .min(p.as_of)
        .max(data_first);
    let (computed, reported) = windows_of(period, (data_first, data_last), p);
    let (rows, names) = Rows::read(cases, &p.weights)?;
    let run = Run::new(&rows, names, computed, volume, p);
    let mut tested: Vec<Vec<Cell>> = (0..run.windows.len())
        .map(|wi| run.test_window(wi))
        .collect();
    // Persistent: flagged in this window and each of the previous ones.
    let flagged: Vec<BTreeSet<(Dims, (u32, u32))>> = tested
        .iter()
        .map(|cells| {
            cells
                .iter()
                .filter(|c| c.flagged())
                .map(|c| (c.dims, c.key))
                .collect()
        })
        .collect();
    for (wi, cells) in tested.iter_mut().enumerate() {
        let before: Option<Vec<usize>> = run.windows[wi]
            .previous(p.persistent_quarters.saturating_sub(1))
            .iter()
            .map(|pw| run.windows.iter().position(|x| x == pw))
            .collect();
        for c in cells.iter_mut() {
            c.persistent = c.flagged()
                && before
                    .as_ref()
                    .is_some_and(|b| b.iter().all(|i| flagged[*i].contains(&(c.dims, c.key))));
        }
    }
    let mut out: Vec<(usize, Cell)> = Vec::new();
    for (wi, cells) in tested.into_iter().enumerate() {
        if reported.contains(&run.windows[wi]) {
            out.extend(
                cells
                    .into_iter()
                    .filter(|c| c.level(p.alarm_q).is_some())
                    .map(|c| (wi, c)),
            );
        }
    }
    assemble(cases, &rows, &run, out)
}

/// A flagged cell's text: (unit, domain, error_type), the cell's two.
fn cell_text<'n>(names: &'n Names, dims: Dims, (a, b): (u32, u32)) -> [Option<&'n str>; 3] {
    let get = |list: &'n Vec<String>, i: u32| list.get(i as usize).map(String::as_str);
    match dims {
        Dims::UnitError => [get(&names.units, a), None, get(&names.errors, b)],
        Dims::DomainError => [None, get(&names.domains, a), get(&names.errors, b)],
        Dims::UnitDomain => [get(&names.units, a), get(&names.domains, b), None],
    }
}

/// Each reported cell's established cases, in case-id text order, and the
/// days each reported cell key's established errors were rectified (any
/// window), in one pass over the cases.
fn list_cases(
    cases: &DataFrame,
    rows: &Rows,
    run: &Run,
    cells: &[(usize, Cell)],
) -> PolarsResult<(Vec<Vec<IdxSize>>, Rectifications)> {
    let wanted: HashMap<(usize, Dims, (u32, u32)), usize> = cells
        .iter()
        .enumerate()
        .map(|(i, (wi, c))| ((*wi, c.dims, c.key), i))
        .collect();
    let wanted_keys: BTreeSet<(Dims, (u32, u32))> =
        cells.iter().map(|(_, c)| (c.dims, c.key)).collect();
    let kinds: Vec<Dims> = wanted_keys
        .iter()
        .map(|(d, _)| *d)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let starts: Vec<i32> = run
        .windows
        .iter()
        .map(|w| days_since_epoch(w.first_day()))
        .collect();
    let ends: Vec<i32> = run
        .windows
        .iter()
        .map(|w| days_since_epoch(w.last_day()))
        .collect();
    // Each cell's established cases, in case-id text order; and the days
    // each wanted cell's established errors were rectified, any window.
    let ids = cases.column(s::CASE_ID)?.str()?;
    let order: Vec<usize> = if super::listed_in_case_id_order(cases)? {
        (0..rows.len()).collect()
    } else {
        ids.arg_sort(SortOptions::default().with_maintain_order(true))
            .iter()
            .flatten()
            .map(|r| r as usize)
            .collect()
    };
    let mut listed: Vec<Vec<IdxSize>> = vec![Vec::new(); cells.len()];
    let mut rectified: Rectifications = HashMap::new();
    for &row in &order {
        if !rows.established[row] {
            continue;
        }
        let Some(triple) = rows.triple(row) else {
            continue;
        };
        let wi = window_of(&starts, &ends, rows.filed[row]);
        for &dims in &kinds {
            let key = dims.key(triple);
            if let Some(wi) = wi {
                if let Some(&i) = wanted.get(&(wi, dims, key)) {
                    listed[i].push(row as IdxSize);
                }
            }
            if let Some(day) = rows.rectified[row] {
                if wanted_keys.contains(&(dims, key)) {
                    rectified
                        .entry((dims, key))
                        .or_default()
                        .push((day, row as IdxSize));
                }
            }
        }
    }
    for days in rectified.values_mut() {
        days.sort_unstable();
    }
    Ok((listed, rectified))
}

/// Of each cell's listed cases, those filed 1 to 365 days after another
/// established error of the same cell key was rectified.
fn after_correction(
    rows: &Rows,
    cells: &[(usize, Cell)],
    listed: &[Vec<IdxSize>],
    rectified: &Rectifications,
) -> Vec<i64> {
    cells
        .iter()
        .zip(listed)
        .map(|((_, c), rs)| {
            let Some(days) = rectified.get(&(c.dims, c.key)) else {
                return 0;
            };
            rs.iter()
                .filter(|r| {
                    let filed = rows.filed[**r as usize];
                    // the latest rectification before the filing, of another case
                    let k = days.partition_point(|d| d.0 < filed);
                    days[..k]
                        .iter()
                        .rev()
                        .find(|d| d.1 != **r)
                        .is_some_and(|d| filed - d.0 <= AFTER_CORRECTION_DAYS)
                })
                .count() as i64
        })
        .collect()
}

/// The output rows of the reported `cells`: each with its established
/// cases listed in case-id order and its `after_correction` count.
fn assemble(
    cases: &DataFrame,
    rows: &Rows,
    run: &Run,
    mut cells: Vec<(usize, Cell)>,
) -> PolarsResult<DataFrame> {
    if cells.is_empty() {
        return empty();
    }
    let names = &run.names;
    let label = |wi: usize| run.windows[wi].label();
    // Output order (outputs.md): window, weighted descending, dims, unit,
    // domain, error_type.
    cells.sort_by(|(wa, a), (wb, b)| {
        label(*wa)
            .cmp(&label(*wb))
            .then(b.tally.weighted.total_cmp(&a.tally.weighted))
            .then(a.dims.label().cmp(b.dims.label()))
            .then_with(|| cell_text(names, a.dims, a.key).cmp(&cell_text(names, b.dims, b.key)))
    });
    let (listed, rectified) = list_cases(cases, rows, run, &cells)?;
    let after_correction = after_correction(rows, &cells, &listed, &rectified);
    let ids = cases.column(s::CASE_ID)?.str()?;
    let text = |f: &dyn Fn(&Cell) -> Option<String>| -> Vec<Option<String>> {
        cells.iter().map(|(_, c)| f(c)).collect()
    };
    let num = |f: &dyn Fn(&Cell) -> Option<f64>| -> Vec<Option<f64>> {
        cells.iter().map(|(_, c)| f(c)).collect()
    };
    let part = |c: &Cell, k: usize| cell_text(names, c.dims, c.key)[k].map(String::from);
    let mut signals = ListStringChunkedBuilder::new("signals".into(), cells.len(), cells.len() * 2);
    for (_, c) in &cells {
        signals.append_values_iter(c.signals().into_iter());
    }
    let mut offsets: Vec<i64> = Vec::with_capacity(cells.len() + 1);
    offsets.push(0);
    for l in &listed {
        offsets.push(offsets[offsets.len() - 1] + l.len() as i64);
    }
    let n_ids = *offsets.last().unwrap_or(&0) as usize;
    let values = gather_ids(ids, listed.iter().flatten(), n_ids)?;
    drop(listed);
    let case_ids = polars_arrow::array::ListArray::<i64>::try_new(
        polars_arrow::array::ListArray::<i64>::default_datatype(ArrowDataType::Utf8View),
        polars_arrow::offset::OffsetsBuffer::try_from(offsets)?,
        values.boxed(),
        None,
    )?;
    let df = df!(
        "window" => cells.iter().map(|(wi, _)| label(*wi)).collect::<Vec<_>>(),
        "dims" => cells.iter().map(|(_, c)| c.dims.label()).collect::<Vec<_>>(),
        "unit" => text(&|c| part(c, 0)),
        "domain" => text(&|c| part(c, 1)),
        "error_type" => text(&|c| part(c, 2)),
        "count" => cells.iter().map(|(_, c)| c.tally.n as i64).collect::<Vec<_>>(),
        "pending" => cells.iter().map(|(_, c)| c.tally.pending as i64).collect::<Vec<_>>(),
        "weighted" => cells.iter().map(|(_, c)| c.tally.weighted).collect::<Vec<_>>(),
        "expected" => num(&|c| c.expected),
        "ratio" => num(&|c| c.expected.filter(|e| *e > 0.0).map(|e| c.tally.n as f64 / e)),
        "p_value" => num(&|c| c.p),
        "q_value" => num(&|c| c.q),
        "rising_p" => num(&|c| c.rising_p),
        "rising_q" => num(&|c| c.rising_q),
        "signals" => signals.finish().into_series(),
        "level" => cells.iter().map(|(_, c)| c.level(run.p.alarm_q).unwrap_or("watch")).collect::<Vec<_>>(),
        "officer_repeats" => vec![None::<String>; cells.len()],
        "after_correction" => after_correction,
    )?;
    let mut df = df;
    df.with_column(ListChunked::with_chunk("case_ids".into(), case_ids).into_column())?;
    df.select(COLUMNS.iter().copied())
}

/// The case ids of `rows` as one text array whose values point into the
/// ledger's own buffers (polars' gather over many chunks copies the text).
fn gather_ids<'r>(
    ids: &StringChunked,
    rows: impl Iterator<Item = &'r IdxSize>,
    n: usize,
) -> PolarsResult<Utf8ViewArray> {
    use polars_arrow::array::View;
    let text = TextByRow::new(ids);
    let mut buffer_base = Vec::new();
    let mut buffers = Vec::new();
    for c in text.chunks() {
        buffer_base.push(buffers.len() as u32);
        buffers.extend(c.data_buffers().iter().cloned());
    }
    let has_nulls = ids.null_count() > 0;
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

/// The hotspots table with `officer_repeats` filled from the repeats table
/// (rules.md §4): of each cell's cases, those flagged under art. 12(5), and
/// how many officers they concern, as `N件/M人` (empty when none).
pub fn with_officer_repeats(hotspots: DataFrame, repeats: &DataFrame) -> PolarsResult<DataFrame> {
    if hotspots.height() == 0 {
        return Ok(hotspots);
    }
    let case_ids = repeats.column("case_id")?.str()?;
    let officers = repeats.column("officer")?.str()?;
    let mut flagged: HashMap<&str, Vec<&str>> = HashMap::new();
    for (c, o) in case_ids.iter().zip(officers.iter()) {
        if let (Some(c), Some(o)) = (c, o) {
            flagged.entry(c).or_default().push(o);
        }
    }
    let lists = hotspots.column("case_ids")?.list()?;
    let mut out: Vec<Option<String>> = Vec::with_capacity(hotspots.height());
    for array in lists.downcast_iter() {
        let values = array
            .values()
            .as_any()
            .downcast_ref::<Utf8ViewArray>()
            .ok_or_else(|| polars_err!(ComputeError: "case_ids are not a list of text"))?;
        for i in 0..array.len() {
            let (start, end) = array.offsets().start_end(i);
            let mut cases = 0usize;
            let mut people: BTreeSet<&str> = BTreeSet::new();
            for j in start..end {
                if let Some(os) = values.get(j).and_then(|id| flagged.get(id)) {
                    cases += 1;
                    people.extend(os.iter().copied());
                }
            }
            out.push((cases > 0).then(|| format!("{cases}件/{}人", people.len())));
        }
    }
    let mut hotspots = hotspots;
    hotspots.with_column(Column::new("officer_repeats".into(), out))?;
    Ok(hotspots)
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
        ("pending", DataType::Int64),
        ("weighted", DataType::Float64),
        ("expected", DataType::Float64),
        ("ratio", DataType::Float64),
        ("p_value", DataType::Float64),
        ("q_value", DataType::Float64),
        ("rising_p", DataType::Float64),
        ("rising_q", DataType::Float64),
        ("signals", str_list.clone()),
        ("level", DataType::String),
        ("officer_repeats", DataType::String),
        ("after_correction", DataType::Int64),
        ("case_ids", str_list),
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
    use crate::period::Quarter;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// How a test case was decided.
    #[derive(Clone, Copy)]
    enum Kind {
        /// 不予容错, decided ten days after filing.
        Error,
        /// 履职尽责: no error.
        Cleared,
        /// A complaint found 不属实.
        Unfounded,
        /// Not decided.
        Pending,
        /// An error rectified on the given day.
        Rectified(NaiveDate),
    }

    /// `n` cases of (unit, domain, error) filed on `filed`, decided as `kind`.
    type Spec<'a> = (&'a str, &'a str, &'a str, usize, NaiveDate, Kind);

    fn ledger(spec: &[Spec]) -> DataFrame {
        let mut id = 0;
        let (mut ids, mut u, mut d, mut e, mut f) = (vec![], vec![], vec![], vec![], vec![]);
        let (mut dec, mut out, mut find, mut rect) = (vec![], vec![], vec![], vec![]);
        for (unit, domain, error, n, filed, kind) in spec {
            for _ in 0..*n {
                id += 1;
                ids.push(format!("C{id:04}"));
                u.push(*unit);
                d.push(*domain);
                e.push(*error);
                let filed_day = days_since_epoch(*filed);
                f.push(filed_day);
                let decided = (!matches!(kind, Kind::Pending)).then_some(filed_day + 10);
                dec.push(decided);
                out.push(match kind {
                    Kind::Pending => None,
                    Kind::Cleared => Some("履职尽责"),
                    _ => Some("不予容错"),
                });
                find.push(matches!(kind, Kind::Unfounded).then_some("不属实"));
                rect.push(match kind {
                    Kind::Rectified(r) => Some(days_since_epoch(*r)),
                    _ => None,
                });
            }
        }
        df!(
            s::CASE_ID => ids,
            s::UNIT => u,
            s::DOMAIN => d,
            s::ERROR_TYPE => e,
            s::FILED_ON => f,
            s::DECIDED_ON => dec,
            s::OUTCOME => out,
            s::COMPLAINT_FINDING => find,
            s::RECTIFIED_ON => rect,
        )
        .unwrap()
        .lazy()
        .with_columns([
            col(s::FILED_ON).cast(DataType::Date),
            col(s::DECIDED_ON).cast(DataType::Date),
            col(s::RECTIFIED_ON).cast(DataType::Date),
        ])
        .collect()
        .unwrap()
    }

    fn params() -> HotspotParams {
        HotspotParams::new(
            &HotspotConfig::default(),
            &crate::config::PilotConfig::default(),
            day(2026, 12, 31),
        )
    }

    /// The output row of one cell (dims, unit-or-domain, second key).
    fn cell(out: &DataFrame, window: &str, dims: Dims, k1: &str, k2: &str) -> Option<DataFrame> {
        let (c1, c2) = dims.keys();
        let f = out
            .clone()
            .lazy()
            .filter(
                col("window")
                    .eq(lit(window))
                    .and(col("dims").eq(lit(dims.label())))
                    .and(col(c1).eq(lit(k1)))
                    .and(col(c2).eq(lit(k2))),
            )
            .collect()
            .unwrap();
        (f.height() == 1).then_some(f)
    }

    fn f64_of(df: &DataFrame, c: &str) -> Option<f64> {
        df.column(c).unwrap().f64().unwrap().get(0)
    }

    fn signals(df: &DataFrame) -> Vec<String> {
        df.column("signals")
            .unwrap()
            .list()
            .unwrap()
            .get_as_series(0)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|x| x.unwrap().to_string())
            .collect()
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("a value");
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1e-300), "{a} vs {b}");
    }

    #[test]
    fn unit_cells_are_compared_with_the_district_in_the_same_domains() {
        // 2025Q3. 市场监管 (D1) errors are mostly A, 生态环境 (D2) mostly B.
        // U1 works only in D1: A 32, B 8. U2 only in D2: A 4, B 36.
        // U3 in both: D1 A 16, B 4; D2 A 4, B 16.
        // N(D1) = 60 (A 48, B 12); N(D2) = 60 (A 8, B 52); N = 120, N(A) = 56.
        // Indirect standardisation:
        //   E(U1, A) = 40 × 48/60 = 32 (ratio 1: its remit, not a risk);
        //   E(U3, A) = 20 × 48/60 + 20 × 8/60 = 18.6667;
        //   E(U2, B) = 40 × 52/60 = 34.6667.
        // From the table's margins it would have been 40 × 56/120 = 18.67
        // for (U1, A), and 32 cases would have looked concentrated.
        // domain×error_type from margins: E(D1, A) = 60 × 56/120 = 28.
        let q3 = day(2025, 8, 5);
        let df = ledger(&[
            ("U1", "D1", "A", 32, q3, Kind::Error),
            ("U1", "D1", "B", 8, q3, Kind::Error),
            ("U2", "D2", "A", 4, q3, Kind::Error),
            ("U2", "D2", "B", 36, q3, Kind::Error),
            ("U3", "D1", "A", 16, q3, Kind::Error),
            ("U3", "D1", "B", 4, q3, Kind::Error),
            ("U3", "D2", "A", 4, q3, Kind::Error),
            ("U3", "D2", "B", 16, q3, Kind::Error),
        ]);
        let out = hotspots(
            &df,
            None,
            Period::Quarter(Quarter { year: 2025, q: 3 }),
            &params(),
        )
        .unwrap();
        let u1a = cell(&out, "2025Q3", Dims::UnitError, "U1", "A").unwrap();
        close(f64_of(&u1a, "expected"), 32.0);
        close(f64_of(&u1a, "ratio"), 1.0);
        assert_eq!(signals(&u1a), ["frequent"]);
        let u3a = cell(&out, "2025Q3", Dims::UnitError, "U3", "A").unwrap();
        close(
            f64_of(&u3a, "expected"),
            20.0 * 48.0 / 60.0 + 20.0 * 8.0 / 60.0,
        );
        let u2b = cell(&out, "2025Q3", Dims::UnitError, "U2", "B").unwrap();
        close(f64_of(&u2b, "expected"), 40.0 * 52.0 / 60.0);
        let d1a = cell(&out, "2025Q3", Dims::DomainError, "D1", "A").unwrap();
        close(f64_of(&d1a, "expected"), 28.0);
        // Without volume there are no unit×domain cells (they only measure remit).
        let kinds = out.column("dims").unwrap().str().unwrap();
        assert!(kinds.iter().all(|k| k != Some("unit×domain")));
        // No unit cell is flagged: every unit works like the district.
        let levels = out.column("level").unwrap().str().unwrap();
        let flagged = kinds
            .iter()
            .zip(levels.iter())
            .filter(|(k, l)| *k == Some("unit×error_type") && *l != Some("watch"))
            .count();
        assert_eq!(flagged, 0, "{out}");
    }

    /// Ten units of one domain: per quarter each has `a` errors of type A
    /// and `b` of type B; in 2026Q2 unit U01 has `u1` of A.
    fn series(quarters: &[(NaiveDate, usize, usize)], u1: usize) -> DataFrame {
        let units: Vec<String> = (1..=10).map(|i| format!("U{i:02}")).collect();
        let mut spec: Vec<(String, &str, usize, NaiveDate)> = Vec::new();
        for (k, (filed, a, b)) in quarters.iter().enumerate() {
            for u in &units {
                let last = k + 1 == quarters.len();
                let a = if last && u == "U01" { u1 } else { *a };
                spec.push((u.clone(), "A", a, *filed));
                spec.push((u.clone(), "B", *b, *filed));
            }
        }
        let spec: Vec<Spec> = spec
            .iter()
            .map(|(u, e, n, f)| (u.as_str(), "D1", *e, *n, *f, Kind::Error))
            .collect();
        ledger(&spec)
    }

    fn history(last: (usize, usize)) -> Vec<(NaiveDate, usize, usize)> {
        vec![
            (day(2025, 5, 10), 2, 18),
            (day(2025, 8, 10), 2, 18),
            (day(2025, 11, 10), 2, 18),
            (day(2026, 2, 10), 2, 18),
            (day(2026, 5, 10), last.0, last.1),
        ]
    }

    fn volume_of(quarters: &[&str], per_unit: f64) -> Volume {
        Volume::new(quarters.iter().flat_map(|q| {
            (1..=10).map(move |i| {
                (
                    Quarter::parse(q).unwrap(),
                    format!("U{i:02}"),
                    "D1".to_string(),
                    per_unit,
                )
            })
        }))
    }

    #[test]
    fn a_district_wide_increase_is_not_a_rise() {
        let q = Period::Quarter(Quarter { year: 2026, q: 2 });
        // Every unit doubles every error in 2026Q2 (A 4, B 36).
        // U01's A: E per earlier quarter = 20 × 20/200 = 2 (8 in all); in
        // 2026Q2 E = 40 × 40/400 = 4, so π = 4/12; 4 of 12 errors fall in
        // 2026Q2: P(Bin(12, 1/3) ≥ 4) = 0.6069253219077941.
        let out = hotspots(&series(&history((4, 36)), 4), None, q, &params()).unwrap();
        let u1a = cell(&out, "2026Q2", Dims::UnitError, "U01", "A").unwrap();
        close(f64_of(&u1a, "rising_p"), 0.6069253219077941);
        // Every unit's A triples instead (A 6, B 18): absorbed by the
        // district's share of A that quarter.
        let out2 = hotspots(&series(&history((6, 18)), 6), None, q, &params()).unwrap();
        for out in [&out, &out2] {
            for i in 0..out.height() {
                let sig = out.column("signals").unwrap().list().unwrap();
                let sig = sig.get_as_series(i).unwrap();
                assert!(
                    !sig.str().unwrap().iter().any(|s| s == Some("rising")),
                    "{out}"
                );
            }
        }
    }

    #[test]
    fn with_volume_a_units_own_rise_is_flagged_and_the_districts_is_not() {
        let q = Period::Quarter(Quarter { year: 2026, q: 2 });
        let vol = volume_of(&["2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2"], 100.0);
        // 2026Q2: U01 has 20 of A, the others 4 each (as before). E for
        // U01's A = 100 × N(D1, A)/1000: 4 in each earlier quarter (16),
        // 100 × 56/1000 = 5.6 now: π = 5.6/21.6; 20 of 36 errors now:
        // P(Bin(36, 0.259259…) ≥ 20) = 1.5222395620386267e-4.
        let hist = |a, b| {
            let mut h = history((a, b));
            for x in h.iter_mut().take(4) {
                x.1 = 4;
                x.2 = 16;
            }
            h
        };
        let out = hotspots(&series(&hist(4, 16), 20), Some(&vol), q, &params()).unwrap();
        let u1a = cell(&out, "2026Q2", Dims::UnitError, "U01", "A").unwrap();
        close(f64_of(&u1a, "rising_p"), 1.5222395620386267e-4);
        assert!(signals(&u1a).contains(&"rising".to_string()), "{u1a}");
        close(f64_of(&u1a, "expected"), 5.6);
        // Every unit doubles A (8 each): π = 8/24, P(Bin(24, 1/3) ≥ 8) = 0.5762.
        let out = hotspots(&series(&hist(8, 16), 8), Some(&vol), q, &params()).unwrap();
        let u1a = cell(&out, "2026Q2", Dims::UnitError, "U01", "A").unwrap();
        close(f64_of(&u1a, "rising_p"), 0.5761953516216166);
        assert!(!signals(&u1a).contains(&"rising".to_string()));
    }

    #[test]
    fn only_established_errors_count_and_recurrence_after_correction_is_shown() {
        // U1 × A in 2025Q3: 3 errors, 2 found 履职尽责, 2 complaints found
        // 不属实, 4 undecided → count 3, pending 4; the case list holds the 3.
        // An error of the same cell filed in 2025Q2 was rectified on
        // 2025-07-01: of the 3, those filed after that day and within 365
        // days (07-02 and 08-20, not 07-01 itself) are after_correction: 2.
        let df = ledger(&[
            (
                "U1",
                "D1",
                "A",
                1,
                day(2025, 5, 5),
                Kind::Rectified(day(2025, 7, 1)),
            ),
            ("U1", "D1", "A", 1, day(2025, 7, 1), Kind::Error),
            ("U1", "D1", "A", 1, day(2025, 7, 2), Kind::Error),
            ("U1", "D1", "A", 1, day(2025, 8, 20), Kind::Error),
            ("U1", "D1", "A", 2, day(2025, 7, 5), Kind::Cleared),
            ("U1", "D1", "A", 2, day(2025, 7, 6), Kind::Unfounded),
            ("U1", "D1", "A", 4, day(2025, 9, 1), Kind::Pending),
            ("U2", "D1", "B", 5, day(2025, 7, 2), Kind::Error),
        ]);
        let out = hotspots(
            &df,
            None,
            Period::Quarter(Quarter { year: 2025, q: 3 }),
            &params(),
        )
        .unwrap();
        let c = cell(&out, "2025Q3", Dims::UnitError, "U1", "A").unwrap();
        let int = |name: &str| c.column(name).unwrap().i64().unwrap().get(0).unwrap();
        assert_eq!((int("count"), int("pending")), (3, 4));
        close(f64_of(&c, "weighted"), 9.0);
        assert_eq!(int("after_correction"), 2);
        let ids = c
            .column("case_ids")
            .unwrap()
            .list()
            .unwrap()
            .get_as_series(0)
            .unwrap();
        assert_eq!(ids.len(), 3);
    }

    #[test]
    fn a_unit_whose_volume_lacks_the_window_is_not_tested() {
        // U1 works in D1 and D2; the volume file gives D2 only for 2025Q2.
        // In 2025Q3 its expectation cannot be formed (leaving D2 out would
        // understate it and flag U1): no expected count, no test.
        let q2 = Quarter::parse("2025Q2").unwrap();
        let q3 = Quarter::parse("2025Q3").unwrap();
        let mut rows = vec![];
        for q in [q2, q3] {
            for (u, d) in [("U1", "D1"), ("U2", "D1"), ("U3", "D1")] {
                rows.push((q, u.to_string(), d.to_string(), 100.0));
            }
        }
        rows.push((q2, "U1".to_string(), "D2".to_string(), 100.0));
        rows.push((q2, "U4".to_string(), "D2".to_string(), 100.0));
        rows.push((q3, "U4".to_string(), "D2".to_string(), 100.0));
        let vol = Volume::new(rows);
        let f = day(2025, 8, 5);
        let df = ledger(&[
            ("U1", "D1", "A", 5, f, Kind::Error),
            ("U1", "D2", "A", 9, f, Kind::Error),
            ("U2", "D1", "A", 5, f, Kind::Error),
            ("U3", "D1", "A", 5, f, Kind::Error),
            ("U4", "D2", "A", 9, f, Kind::Error),
        ]);
        let out = hotspots(&df, Some(&vol), Period::Quarter(q3), &params()).unwrap();
        let u1 = cell(&out, "2025Q3", Dims::UnitError, "U1", "A").unwrap();
        assert_eq!(f64_of(&u1, "expected"), None, "{u1}");
        assert_eq!(signals(&u1), ["frequent"]);
        // U2 is covered: 100 × 15/300 (D1's rate of A) = 5
        let u2 = cell(&out, "2025Q3", Dims::UnitError, "U2", "A").unwrap();
        close(f64_of(&u2, "expected"), 5.0);
    }

    #[test]
    fn persistence_honours_every_number_of_quarters() {
        // U1 × A far above expectation in 2025Q2, Q3 and Q4 (with volume:
        // U1 has 100 actions, the other nine units 100 each, A 1 each).
        let quarters = ["2025Q2", "2025Q3", "2025Q4"];
        let vol = volume_of(&quarters, 100.0);
        let mut spec: Vec<(String, NaiveDate, usize)> = Vec::new();
        for filed in [day(2025, 5, 10), day(2025, 8, 10), day(2025, 11, 10)] {
            for i in 1..=10 {
                spec.push((format!("U{i:02}"), filed, if i == 1 { 25 } else { 1 }));
            }
        }
        let spec: Vec<Spec> = spec
            .iter()
            .map(|(u, f, n)| (u.as_str(), "D1", "A", *n, *f, Kind::Error))
            .collect();
        let df = ledger(&spec);
        let level = |k: u32, q: u32| {
            let p = HotspotParams {
                persistent_quarters: k,
                ..params()
            };
            let out = hotspots(&df, Some(&vol), Period::AllQuarters, &p).unwrap();
            let c = cell(&out, &format!("2025Q{q}"), Dims::UnitError, "U01", "A").unwrap();
            signals(&c).contains(&"persistent".to_string())
        };
        assert_eq!([level(1, 2), level(1, 3), level(1, 4)], [true, true, true]);
        assert_eq!([level(2, 2), level(2, 3), level(2, 4)], [false, true, true]);
        assert_eq!(
            [level(3, 2), level(3, 3), level(3, 4)],
            [false, false, true]
        );
    }

    #[test]
    fn officer_repeats_count_the_cells_flagged_cases_and_officers() {
        let q3 = day(2025, 8, 5);
        let df = ledger(&[("U1", "D1", "A", 4, q3, Kind::Error)]);
        let p = HotspotParams {
            min_count: 1,
            ..params()
        };
        let out = hotspots(&df, None, Period::Quarter(Quarter { year: 2025, q: 3 }), &p).unwrap();
        let repeats = df!(
            "case_id" => ["C0002", "C0002", "C0004", "C9999"],
            "officer" => ["甲", "乙", "甲", "丙"],
        )
        .unwrap();
        let out = with_officer_repeats(out, &repeats).unwrap();
        let c = cell(&out, "2025Q3", Dims::UnitError, "U1", "A").unwrap();
        assert_eq!(
            c.column("officer_repeats").unwrap().str().unwrap().get(0),
            Some("2件/2人")
        );
    }

    /// The ledger as ingest holds it (categorical text) gives the same table.
    #[test]
    fn categorical_ledger_columns_give_the_same_risk_points() {
        let q = Period::Quarter(Quarter { year: 2026, q: 2 });
        let df = series(&history((2, 18)), 12);
        let coded = s::as_stored(df.clone()).unwrap();
        let a = hotspots(&df, None, q, &params()).unwrap();
        let b = hotspots(&coded, None, q, &params()).unwrap();
        assert!(a.height() > 0);
        assert!(a.equals_missing(&b), "{a}\n{b}");
    }
}
