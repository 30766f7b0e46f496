//! The analyses of one run, in one place: the ledger as of a date (the
//! scope), every analysis of it, and the memory plan that keeps a large
//! ledger's peaks apart (written once, for `analyze`, `query`, the reports
//! and the demo alike). Callers decide where the deadline table goes (a
//! file written part by part, or a spill scanned later) and what runs as
//! soon as the deadlines and outcomes are ready (the charts).

mod tables;
pub mod whatif;

use anyhow::{bail, Result};
use chrono::NaiveDate;
use polars::prelude::*;

use crate::analysis::deadlines::DeadlineParams;
use crate::analysis::hotspots::{self, HotspotParams};
use crate::analysis::repeats::{self, Identities, RepeatParams};
use crate::analysis::{outcomes, scope};
use crate::config::Config;
use crate::ingest::auxiliary::Volume;
use crate::period::Period;

pub use tables::{write_analyses, Analyses, CaseTable, DeadlineTable, STREAMED_CASES_PER_PASS};

/// Ledgers up to this many cases have their analyses run side by side;
/// larger ones one after another, so that their peaks of memory do not add
/// up, with the case table narrowed (and, for queries, spilled) half-way:
/// [`Staging`].
const SIDE_BY_SIDE_MAX_CASES: usize = 2_000_000;

/// Names of the analysis tables, in the order `analyze` writes them.
pub const ANALYSIS_NAMES: [&str; 5] = ["deadlines", "repeats", "hotspots", "outcomes", "validate"];

/// What every analysis of a run reads besides the cases.
#[derive(Clone, Copy)]
pub struct RunInputs<'a> {
    pub config: &'a Config,
    pub volume: Option<&'a Volume>,
    pub identities: Option<&'a Identities>,
    pub as_of: NaiveDate,
}

pub fn deadline_params(config: &Config, as_of: NaiveDate) -> DeadlineParams {
    DeadlineParams {
        as_of,
        due_soon_days: config.deadlines.due_soon_days,
        working_day_short_periods: config.calendar.working_day_short_periods,
        feedback_days: config.deadlines.feedback_days,
        art11_is_tolerance: config.repeats.art11_is_tolerance,
    }
}

pub fn repeat_params(config: &Config) -> RepeatParams {
    let r = &config.repeats;
    RepeatParams {
        same_domain: r.same_domain,
        lookback_days: r.lookback_days,
        excluded_types: r.excluded_types.clone(),
        art11_is_tolerance: r.art11_is_tolerance,
        after_tolerance_needs_subjective: r.after_tolerance_needs_subjective,
    }
}

pub fn hotspot_params(config: &Config, as_of: NaiveDate) -> HotspotParams {
    HotspotParams::new(&config.hotspots, &config.pilot, as_of)
}

/// The cases as they stood on `as_of`, within the pilot ([`scope`]); what
/// was left out is said on stderr.
pub fn scoped(
    cases: DataFrame,
    config: &Config,
    as_of: NaiveDate,
) -> Result<(DataFrame, scope::Scope)> {
    let (view, s) = scope::as_of_view(cases, as_of, (config.pilot.start, config.pilot.end))?;
    let note = s.note();
    if !note.is_empty() {
        eprintln!("注意：{note}");
    }
    Ok((view, s))
}

/// Officer identities from a roster frame (rules.md §3).
pub fn identities(roster: Option<&DataFrame>) -> Result<Option<Identities>> {
    Ok(match roster {
        Some(r) => Some(Identities::from_roster(r)?),
        None => None,
    })
}

/// One analysis of a run's cases, by its output name (the deadlines go
/// through [`analyse`]'s sink; the validation table comes from the
/// findings). The hotspots and outcomes come without what they take from
/// the repeats: [`complete_with_repeats`].
pub fn run_analysis(name: &str, cases: &DataFrame, inputs: &RunInputs) -> Result<DataFrame> {
    let config = inputs.config;
    Ok(match name {
        "repeats" => repeats::repeats(cases, &repeat_params(config), inputs.identities)?,
        "hotspots" => hotspots::hotspots(
            cases,
            inputs.volume,
            Period::AllQuarters,
            &hotspot_params(config, inputs.as_of),
        )?,
        "outcomes" => outcomes::outcomes(cases, inputs.as_of, config.repeats.art11_is_tolerance)?,
        other => bail!("unknown analysis {other}"),
    })
}

/// The outcomes with the cases cited under 12(5) without basis (from the
/// repeats of the same cases).
pub fn with_cited_without_basis(
    cases: &DataFrame,
    repeats: &DataFrame,
    outcomes: DataFrame,
) -> Result<DataFrame> {
    let listed = repeats::cited_without_basis(cases, repeats)?;
    let rows = outcomes::cited_without_basis_rows(cases, &listed)?;
    Ok(outcomes::with_cited_without_basis(outcomes, rows)?)
}

/// The hotspots and outcomes completed with what they take from the
/// repeats: `officer_repeats`, and the 12(5) citations without basis.
pub fn complete_with_repeats(
    cases: &DataFrame,
    repeats: &DataFrame,
    hotspots: DataFrame,
    outcomes: DataFrame,
) -> Result<(DataFrame, DataFrame)> {
    Ok((
        hotspots::with_officer_repeats(hotspots, repeats)?,
        with_cited_without_basis(cases, repeats, outcomes)?,
    ))
}

/// How a run holds the ledger while its analyses are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staging {
    /// The analyses side by side, the whole table in memory throughout.
    SideBySide,
    /// One after another: once the deadlines and outcomes (which read every
    /// column) are done, the table is (for queries) spilled and only the
    /// columns of the repeats and hotspots stay in memory.
    OneAfterAnother,
}

impl Staging {
    /// Side by side up to `SIDE_BY_SIDE_MAX_CASES` cases, staged above.
    pub fn for_cases(n: usize) -> Staging {
        if n > SIDE_BY_SIDE_MAX_CASES {
            Staging::OneAfterAnother
        } else {
            Staging::SideBySide
        }
    }
}

/// The cases with only the columns the repeats and hotspots read (the
/// others freed unless shared).
fn narrowed(cases: DataFrame) -> PolarsResult<DataFrame> {
    let mut reads: Vec<&str> = repeats::READS.to_vec();
    reads.extend(hotspots::READS);
    // the 12(5) citations without basis
    reads.push(crate::schema::CLAUSE_ITEM);
    reads.sort_unstable();
    reads.dedup();
    let few = cases.select(reads)?;
    drop(cases);
    crate::diag::memory("cases narrowed");
    Ok(few)
}

fn thread_lost() -> anyhow::Error {
    anyhow::anyhow!("分析线程意外中止")
}

/// Every analysis of a run. `D` is what the deadline sink made of the
/// deadline table; `R` what the `then` step returned.
pub struct Analysed<D, R> {
    pub deadlines: D,
    pub repeats: DataFrame,
    pub hotspots: DataFrame,
    pub outcomes: DataFrame,
    pub after: R,
    /// The cases for queries (when asked to keep them).
    pub cases: Option<CaseTable>,
}

/// Run every analysis of `cases` (the ledger as of `inputs.as_of`, taken: a
/// large ledger's columns are freed as soon as no analysis needs them).
///
/// `deadlines` computes and stores the deadline table (written part by part
/// or spilled: never held whole); `then` runs on the cases, the deadlines
/// and the outcomes as soon as those are ready, beside the repeats and
/// hotspots still running (the report's charts). `keep_cases`: return the
/// cases for queries (spilled when staged).
///
/// The one memory plan: side by side up to `SIDE_BY_SIDE_MAX_CASES` cases;
/// above, one after another with the cases narrowed to the dozen columns of
/// the repeats and hotspots once the deadlines and outcomes are done.
pub fn analyse<D: Send, R: Send>(
    cases: DataFrame,
    inputs: &RunInputs,
    staging: Staging,
    keep_cases: bool,
    deadlines: impl FnOnce(&DataFrame) -> Result<D> + Send,
    then: impl FnOnce(&DataFrame, &D, &DataFrame) -> Result<R> + Send,
) -> Result<Analysed<D, R>> {
    let one = |name: &str, cases: &DataFrame| {
        let table = run_analysis(name, cases, inputs);
        crate::diag::memory(&format!("{name} computed"));
        table
    };
    if staging == Staging::OneAfterAnother {
        let deadline_table = deadlines(&cases)?;
        crate::diag::memory("deadlines done");
        let outcomes = one("outcomes", &cases)?;
        let after = then(&cases, &deadline_table, &outcomes)?;
        // The queries read the cases from files; the repeats and hotspots
        // need a dozen of the columns.
        let kept = if keep_cases {
            let mut spill = crate::spill::Spill::new()?;
            spill.write_in_parts(&cases, STREAMED_CASES_PER_PASS)?;
            crate::diag::memory("cases spilled");
            Some(CaseTable::Spilled(std::sync::Arc::new(spill)))
        } else {
            None
        };
        let few = narrowed(cases)?;
        let repeats = one("repeats", &few)?;
        let hotspots = one("hotspots", &few)?;
        let (hotspots, outcomes) = complete_with_repeats(&few, &repeats, hotspots, outcomes)?;
        return Ok(Analysed {
            deadlines: deadline_table,
            repeats,
            hotspots,
            outcomes,
            after,
            cases: kept,
        });
    }
    // The analyses are independent: run them side by side (each is partly
    // single-threaded Rust over sorted rows).
    let analysed = std::thread::scope(|scope| -> Result<Analysed<D, R>> {
        let cases = &cases;
        let first = scope.spawn(|| -> Result<_> {
            let outcomes = scope.spawn(|| one("outcomes", cases));
            let deadline_table = deadlines(cases)?;
            crate::diag::memory("deadlines done");
            let outcomes = outcomes.join().map_err(|_| thread_lost())??;
            let after = then(cases, &deadline_table, &outcomes)?;
            Ok((deadline_table, outcomes, after))
        });
        let r = scope.spawn(|| one("repeats", cases));
        let hotspots = one("hotspots", cases);
        let repeats = r.join().map_err(|_| thread_lost())??;
        let (deadline_table, outcomes, after) = first.join().map_err(|_| thread_lost())??;
        let (hotspots, outcomes) = complete_with_repeats(cases, &repeats, hotspots?, outcomes)?;
        Ok(Analysed {
            deadlines: deadline_table,
            repeats,
            hotspots,
            outcomes,
            after,
            cases: None,
        })
    })?;
    Ok(Analysed {
        cases: keep_cases.then(|| CaseTable::Memory(cases)),
        ..analysed
    })
}

/// Deadline rows computed on weekends only (a year the holiday file lacks).
pub fn assumed_calendar_rows(table: &DataFrame) -> usize {
    table
        .column("note")
        .map(|c| c.len() - c.null_count())
        .unwrap_or(0)
}

/// A warning on stderr when deadlines fall in a year the holiday file lacks.
pub fn warn_assumed_calendar(rows: usize) {
    if rows > 0 {
        eprintln!("注意：有 {rows} 项期限落在节假日表未覆盖的年份，仅按周末顺延（见 note 列）；请在节假日文件中补充该年安排");
    }
}
