//! Repeat errors under art. 12(5) (rules.md §3): per officer, a case that
//! repeats the same problem after an established earlier error with a
//! subjective cause (`R-subjective`) or after 容错免责 treatment for it
//! (`R-after-tolerance`), with the audit flags `inconsistent` and
//! `basis_uncertain`, and the earlier cases still undecided
//! (`pending_priors`). The tool finds candidates; the office determines.
//!
//! Art. 12(5) judges officers, never units: a case without an officer
//! appears nowhere here.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use polars::prelude::*;
use polars_arrow::array::{Array, Utf8ViewArray};

use super::determination::{self, Treatment};
use super::{listed_in_case_id_order, TextByRow};

use crate::period::{date_from_days, days_since_epoch};
use crate::schema as s;

/// Output columns (outputs.md §repeats).
pub const COLUMNS: &[&str] = &[
    "case_id",
    "officer",
    "unit",
    "problem",
    "kind",
    "prior_case_ids",
    "first_prior_on",
    "gap_days",
    "outcome",
    "inconsistent",
    "basis_uncertain",
    "pending_priors",
];

/// The ledger columns the analysis reads (a large run frees the others first).
pub const READS: &[&str] = &[
    s::CASE_ID,
    s::UNIT,
    s::DOMAIN,
    s::OFFICERS,
    s::ERROR_TYPE,
    s::SUBJECTIVE_FAULT,
    s::FILED_ON,
    s::DECIDED_ON,
    s::OUTCOME,
    s::CLAUSE_ARTICLE,
    s::COMPLAINT_FINDING,
];

/// The catch-all error type, never "the same problem" (rules.md §3).
pub const CATCH_ALL: &str = "其他";

/// Parameters of the repeat analysis (jiucuo.toml [repeats]).
#[derive(Debug, Clone, Default)]
pub struct RepeatParams {
    /// "The same problem" also requires the same domain.
    pub same_domain: bool,
    /// Earlier cases count only if filed at most this many days before; 0 = unlimited.
    pub lookback_days: u32,
    /// Catch-all types besides `其他`.
    pub excluded_types: Vec<String>,
    /// A 减轻/从轻 under art. 11 counts as tolerance.
    pub art11_is_tolerance: bool,
    /// The after-tolerance limb also needs the later case's subjective cause.
    pub after_tolerance_needs_subjective: bool,
}

impl RepeatParams {
    /// Whether an error type is a catch-all, never "the same problem".
    pub fn is_catch_all(&self, error_type: &str) -> bool {
        error_type == CATCH_ALL || self.excluded_types.iter().any(|t| t == error_type)
    }

    fn catch_all_types(&self) -> Vec<String> {
        let mut v = vec![CATCH_ALL.to_string()];
        v.extend(self.excluded_types.iter().cloned());
        v
    }

    fn within_lookback(&self, later: i32, earlier: i32) -> bool {
        self.lookback_days == 0 || later - earlier <= self.lookback_days as i32
    }
}

/// Which art. 12(5) limb a flag rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RepeatKind {
    Subjective,
    AfterTolerance,
}

impl RepeatKind {
    pub fn id(self) -> &'static str {
        match self {
            RepeatKind::Subjective => "R-subjective",
            RepeatKind::AfterTolerance => "R-after-tolerance",
        }
    }
}

/// Officer identity through the roster (人员名册): a name and its credential
/// number (执法证号) are one officer. Without a roster, officers are matched
/// as written.
#[derive(Debug, Clone, Default)]
pub struct Identities {
    ids: HashSet<String>,
    /// name → (unit, credential number) of every roster row with that name.
    by_name: HashMap<String, Vec<(Option<String>, String)>>,
}

impl Identities {
    /// From a roster frame (`officer_id, name, unit`, as ingest reads it).
    pub fn from_roster(roster: &DataFrame) -> PolarsResult<Identities> {
        let text = |name: &str| -> PolarsResult<StringChunked> {
            Ok(roster.column(name)?.cast(&DataType::String)?.str()?.clone())
        };
        let ids = text(s::roster::OFFICER_ID)?;
        let names = text(s::roster::NAME)?;
        let units = text(s::roster::UNIT)?;
        let mut out = Identities::default();
        for ((id, name), unit) in ids.iter().zip(names.iter()).zip(units.iter()) {
            let Some(id) = id.map(str::trim).filter(|i| !i.is_empty()) else {
                continue;
            };
            out.ids.insert(id.to_string());
            if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
                out.by_name
                    .entry(name.to_string())
                    .or_default()
                    .push((unit.map(String::from), id.to_string()));
            }
        }
        Ok(out)
    }

    /// The officer an entry of `涉及人员` names, as the case's unit helps
    /// tell: a credential number stays; a name the roster holds once (or
    /// once in the case's unit) becomes its credential number; anything
    /// else stays as written.
    pub fn resolve<'a>(&'a self, written: &'a str, unit: Option<&str>) -> &'a str {
        if self.ids.contains(written) {
            return written;
        }
        let Some(rows) = self.by_name.get(written) else {
            return written;
        };
        let mut distinct: Vec<&str> = rows.iter().map(|(_, id)| id.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() == 1 {
            return distinct[0];
        }
        let mut in_unit: Vec<&str> = rows
            .iter()
            .filter(|(u, _)| u.is_some() && u.as_deref() == unit)
            .map(|(_, id)| id.as_str())
            .collect();
        in_unit.sort_unstable();
        in_unit.dedup();
        if in_unit.len() == 1 {
            in_unit[0]
        } else {
            written
        }
    }
}

/// One row per case × officer (a case with three officers counts for each);
/// unit-level cases (no officer) do not appear.
pub fn case_officers(cases: LazyFrame) -> LazyFrame {
    cases
        .select([
            col(s::CASE_ID),
            col(s::OFFICERS).alias("officer"),
            col(s::UNIT),
            col(s::DOMAIN),
            col(s::ERROR_TYPE),
            col(s::SUBJECTIVE_FAULT),
            col(s::FILED_ON),
            col(s::DECIDED_ON),
            col(s::OUTCOME),
        ])
        .explode(
            cols(["officer"]),
            ExplodeOptions {
                empty_as_null: false,
                keep_nulls: false,
            },
        )
        .filter(col("officer").is_not_null())
}

/// The "same problem" label of a case: null for the catch-all types.
fn problem_expr(p: &RepeatParams) -> Expr {
    let label = if p.same_domain {
        concat_str(
            [col(s::ERROR_TYPE), lit("（"), col(s::DOMAIN), lit("）")],
            "",
            false,
        )
    } else {
        col(s::ERROR_TYPE).cast(DataType::String)
    };
    let catch_all = p
        .catch_all_types()
        .into_iter()
        .map(|t| col(s::ERROR_TYPE).eq(lit(t)))
        .reduce(|a, b| a.or(b))
        .expect("其他 is a catch-all")
        .fill_null(lit(false));
    when(catch_all)
        .then(lit(NULL).cast(DataType::String))
        .otherwise(label)
}

/// What the scan needs of one case.
#[derive(Debug, Clone, Copy)]
struct Fact {
    filed: i32,
    decided: Option<i32>,
    subjective: bool,
    /// Decided (by the as-of date) as an error: not 履职尽责, complaint not unfounded.
    established: bool,
    /// Decided as no error (履职尽责, or a complaint found unfounded).
    cleared: bool,
    treatment: Treatment,
}

/// What an officer's earlier cases of one problem say about a later case
/// (indices into the caller's list of earlier cases).
#[derive(Debug, Default, PartialEq)]
struct Judgement {
    /// Established earlier errors with a subjective cause (when the later
    /// case has one too).
    subjective: Vec<usize>,
    /// Established earlier errors given 容错免责 treatment.
    tolerance: Vec<usize>,
    /// A tolerance of `tolerance` rests on a 减轻/从轻 without an art. 10/11 clause.
    uncertain: bool,
    /// Earlier cases undecided when the later one was filed (and not since
    /// found no error): listed, never a basis.
    pending: Vec<usize>,
}

/// Judge a later case against an officer's earlier cases of the same problem.
fn judge(
    later: &Fact,
    earlier: impl Iterator<Item = (usize, Fact)>,
    p: &RepeatParams,
) -> Judgement {
    let mut j = Judgement::default();
    for (k, prior) in earlier {
        if !p.within_lookback(later.filed, prior.filed) {
            continue;
        }
        let established_then = prior.established && prior.decided.is_some_and(|d| d <= later.filed);
        if established_then {
            if later.subjective && prior.subjective {
                j.subjective.push(k);
            }
            if prior.treatment.grants_tolerance()
                && (later.subjective || !p.after_tolerance_needs_subjective)
            {
                j.tolerance.push(k);
                j.uncertain |= prior.treatment == Treatment::ToleranceUncertain;
            }
        } else if !prior.cleared {
            j.pending.push(k);
        }
    }
    j
}

/// One case × officer of the scan, as numbers.
struct Entry {
    officer: u32,
    problem: u32,
    filed: i32,
    /// Place of the case × officer pair in the ledger's order.
    pair: u32,
    /// Row of the case.
    case: u32,
}

/// A categorical (or text) column as codes for equality tests: the same
/// value, the same code; null is `u32::MAX`.
fn codes(column: &Column) -> PolarsResult<Vec<u32>> {
    let coded = match column.dtype() {
        DataType::Categorical(..) | DataType::Enum(..) => column.clone(),
        _ => column.cast(&s::categorical())?,
    };
    let physical = coded.to_physical_repr().cast(&DataType::UInt32)?;
    Ok(physical
        .u32()?
        .iter()
        .map(|c| c.unwrap_or(u32::MAX))
        .collect())
}

/// The derived facts of every case: `problem` (text, null for catch-alls),
/// `__established`, `__cleared`, `__treatment`.
fn derived_facts(cases: &DataFrame, p: &RepeatParams) -> PolarsResult<DataFrame> {
    cases
        .clone()
        .lazy()
        .select([
            problem_expr(p).cast(s::categorical()).alias("problem"),
            determination::established_expr().alias("__established"),
            determination::cleared_expr().alias("__cleared"),
            determination::treatment_code_expr(p.art11_is_tolerance).alias("__treatment"),
        ])
        .collect()
}

fn facts_of(cases: &DataFrame, derived: &DataFrame) -> PolarsResult<Vec<Fact>> {
    let filed = cases.column(s::FILED_ON)?.date()?.physical();
    let decided = cases.column(s::DECIDED_ON)?.date()?.physical();
    let subjective = cases.column(s::SUBJECTIVE_FAULT)?.bool()?;
    let established = derived.column("__established")?.bool()?;
    let cleared = derived.column("__cleared")?.bool()?;
    let treatment = derived.column("__treatment")?.u8()?;
    Ok(filed
        .iter()
        .zip(decided.iter())
        .zip(subjective.iter())
        .zip(established.iter().zip(cleared.iter()))
        .zip(treatment.iter())
        .map(
            |((((filed, decided), subjective), (established, cleared)), treatment)| Fact {
                filed: filed.unwrap_or(i32::MIN),
                decided,
                subjective: subjective == Some(true),
                established: established == Some(true),
                cleared: cleared == Some(true),
                treatment: Treatment::from_code(treatment),
            },
        )
        .collect())
}

/// Every case × officer of the ledger as numbers, grouped by (officer,
/// problem) in the order "earlier" means: filing day, then case id.
struct Scan<'a> {
    facts: Vec<Fact>,
    entries: Vec<Entry>,
    /// Officer of each code (credential numbers where the roster tells).
    officers: Vec<&'a str>,
    ids: TextByRow<'a>,
}

impl<'a> Scan<'a> {
    /// Long: one pass over the ledger's list column read in place (no copy of 14 M entries at 10 M cases), then the same-day ordering.
    fn new(
        cases: &'a DataFrame,
        derived: &DataFrame,
        identities: Option<&'a Identities>,
    ) -> PolarsResult<Scan<'a>> {
        let facts = facts_of(cases, derived)?;
        let problems = codes(derived.column("problem")?)?;
        let ids = TextByRow::new(cases.column(s::CASE_ID)?.str()?);
        // One entry per case and officer, as numbers: sorting them groups an
        // officer's cases of one problem in filing order without sorting the
        // officers' text. The officers are read in place from the ledger's
        // list column.
        let mut officer_code: PlHashMap<&str, u32> = PlHashMap::default();
        let mut inline_code: PlHashMap<u128, u32> = PlHashMap::default();
        let mut officers: Vec<&str> = Vec::new();
        let officer_lists = cases.column(s::OFFICERS)?.list()?;
        // Sized once (14 M entries at 10 M cases): growing by doubling would
        // briefly hold the old and the new buffer.
        let listed: usize = officer_lists
            .downcast_iter()
            .map(|lists| lists.values().len())
            .sum();
        let mut entries: Vec<Entry> = Vec::with_capacity(listed);
        let mut case = 0usize;
        for lists in officer_lists.downcast_iter() {
            let names = lists
                .values()
                .as_any()
                .downcast_ref::<Utf8ViewArray>()
                .ok_or_else(|| polars_err!(ComputeError: "officers are not a list of text"))?;
            for i in 0..lists.len() {
                let counted = facts[case].filed != i32::MIN && problems[case] != u32::MAX;
                if lists.is_valid(i) && counted {
                    let (start, end) = lists.offsets().start_end(i);
                    for j in (start..end).filter(|&j| names.is_valid(j)) {
                        // A name of at most 12 bytes (four Chinese characters)
                        // is held whole in its view: looked up as that number.
                        let view = names.views()[j];
                        let new_code = || {
                            officers.push(names.value(j));
                            officers.len() as u32 - 1
                        };
                        let code = if view.is_inline() {
                            *inline_code.entry(view.as_u128()).or_insert_with(new_code)
                        } else {
                            *officer_code.entry(names.value(j)).or_insert_with(new_code)
                        };
                        entries.push(Entry {
                            officer: code,
                            problem: problems[case],
                            filed: facts[case].filed,
                            pair: entries.len() as u32,
                            case: case as u32,
                        });
                    }
                }
                case += 1;
            }
        }
        drop((officer_code, inline_code));
        if let Some(identities) = identities {
            officers = resolve_officers(cases, &mut entries, officers, identities)?;
            // A case naming one officer twice (by name and by number) is
            // one case of that officer.
            entries.sort_unstable_by_key(|e| (e.officer, e.case, e.pair));
            entries.dedup_by_key(|e| (e.officer, e.case));
        }
        // Same-day cases of an officer and problem go by case id (text
        // order): sorted by the numbers first, then only the runs of equal
        // numbers by their text. A ledger listed in case-id order has them in
        // text order already: row order breaks the ties.
        entries.sort_unstable_by_key(|e| (e.officer, e.problem, e.filed, e.pair));
        let same_day = |a: &Entry, b: &Entry| {
            (a.officer, a.problem, a.filed) == (b.officer, b.problem, b.filed)
        };
        if !listed_in_case_id_order(cases)? {
            for run in entries.chunk_by_mut(same_day).filter(|run| run.len() > 1) {
                run.sort_unstable_by(|a, b| {
                    ids.get(a.case as usize)
                        .cmp(&ids.get(b.case as usize))
                        .then(a.pair.cmp(&b.pair))
                });
            }
        }
        Ok(Scan {
            facts,
            entries,
            officers,
            ids,
        })
    }

    fn fact(&self, entry: usize) -> Fact {
        self.facts[self.entries[entry].case as usize]
    }

    /// The ranges of entries of one officer and problem each.
    fn groups(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < self.entries.len() {
            let (o, p) = (self.entries[start].officer, self.entries[start].problem);
            let mut end = start + 1;
            while end < self.entries.len()
                && self.entries[end].officer == o
                && self.entries[end].problem == p
            {
                end += 1;
            }
            out.push(start..end);
            start = end;
        }
        out
    }
}

/// Officers matched through the roster: each entry's officer becomes the
/// credential number its name resolves to in the case's unit; the codes are
/// renumbered over the resolved officers.
fn resolve_officers<'a>(
    cases: &'a DataFrame,
    entries: &mut [Entry],
    written: Vec<&'a str>,
    identities: &'a Identities,
) -> PolarsResult<Vec<&'a str>> {
    let units_text = cases.column(s::UNIT)?.cast(&DataType::String)?;
    let unit_codes = codes(cases.column(s::UNIT)?)?;
    let units = units_text.str()?;
    let units = TextByRow::new(units);
    let mut resolved: Vec<&'a str> = Vec::new();
    let mut code_of: HashMap<&'a str, u32> = HashMap::new();
    let mut memo: HashMap<(u32, u32), u32> = HashMap::new();
    for e in entries.iter_mut() {
        let key = (e.officer, unit_codes[e.case as usize]);
        let code = match memo.get(&key) {
            Some(c) => *c,
            None => {
                let unit = units.get(e.case as usize);
                // The unit's text lives in this function's cast: compare it,
                // keep only the roster's or the ledger's text.
                let name = identities.resolve(written[e.officer as usize], unit);
                let next = resolved.len() as u32;
                let c = *code_of.entry(name).or_insert_with(|| {
                    resolved.push(name);
                    next
                });
                memo.insert(key, c);
                c
            }
        };
        e.officer = code;
    }
    Ok(resolved)
}

/// One flag of the scan, as what its row reports.
struct Found {
    case: u32,
    officer: u32,
    kind: RepeatKind,
    filed: i32,
    first_prior_on: i32,
    gap_days: i32,
    uncertain: bool,
    /// Its prior cases, in the scan's shared list.
    priors: std::ops::Range<usize>,
    /// Its pending earlier cases, in the scan's shared list.
    pending: std::ops::Range<usize>,
}

/// Every repeat candidate of every officer (pure: no clock, no I/O; the
/// as-of date is the view the caller passes, see [`super::scope`]).
///
/// Long: the scan's flags become the table's rows through numbers the scan shares; split, they would be passed around as a dozen vectors.
pub fn repeats(
    cases: &DataFrame,
    p: &RepeatParams,
    identities: Option<&Identities>,
) -> PolarsResult<DataFrame> {
    let derived = derived_facts(cases, p)?;
    let scan = Scan::new(cases, &derived, identities)?;
    let mut found: Vec<Found> = Vec::new();
    let mut listed: Vec<u32> = Vec::new();
    for group in scan.groups() {
        for i in group.clone() {
            let me = scan.fact(i);
            // A later case found no error repeats no mistake.
            if me.cleared {
                continue;
            }
            let j = judge(&me, (group.start..i).map(|k| (k, scan.fact(k))), p);
            let pending_start = listed.len();
            listed.extend(j.pending.iter().map(|k| scan.entries[*k].case));
            let pending = pending_start..listed.len();
            for (kind, priors, uncertain) in [
                (RepeatKind::Subjective, &j.subjective, false),
                (RepeatKind::AfterTolerance, &j.tolerance, j.uncertain),
            ] {
                let (Some(first), Some(nearest)) = (priors.first(), priors.last()) else {
                    continue;
                };
                let start = listed.len();
                listed.extend(priors.iter().map(|k| scan.entries[*k].case));
                found.push(Found {
                    case: scan.entries[i].case,
                    officer: scan.entries[i].officer,
                    kind,
                    filed: me.filed,
                    first_prior_on: scan.fact(*first).filed,
                    gap_days: me.filed - scan.fact(*nearest).filed,
                    uncertain,
                    priors: start..listed.len(),
                    pending: pending.clone(),
                });
            }
        }
    }
    // The output's order (outputs.md): officer, filing date, case id, kind,
    // all as text; the sort is stable, so equal rows keep the scan's order.
    let id = |case: u32| scan.ids.get(case as usize);
    let officers = &scan.officers;
    found.sort_by(|a, b| {
        officers[a.officer as usize]
            .cmp(officers[b.officer as usize])
            .then(a.filed.cmp(&b.filed))
            .then_with(|| id(a.case).cmp(&id(b.case)))
            .then(a.kind.id().cmp(b.kind.id()))
    });
    // Only the flagged rows become text.
    let flagged_cases =
        IdxCa::from_vec("".into(), found.iter().map(|f| f.case as IdxSize).collect());
    let flagged = DataFrame::new_infer_height(vec![
        cases.column(s::UNIT)?.clone(),
        derived.column("problem")?.clone(),
        cases.column(s::OUTCOME)?.clone(),
    ])?
    .take(&flagged_cases)?;
    let flagged = s::as_text(&flagged).collect()?;
    let own_tolerance: Vec<bool> = found
        .iter()
        .map(|f| scan.facts[f.case as usize].treatment.grants_tolerance())
        .collect();
    let list = |name: &str, pick: &dyn Fn(&Found) -> std::ops::Range<usize>| {
        let mut builder = ListStringChunkedBuilder::new(name.into(), found.len(), listed.len());
        for f in &found {
            builder.append_values_iter(listed[pick(f)].iter().map(|case| id(*case).unwrap_or("")));
        }
        builder.finish().into_series()
    };
    let out = df!(
        "case_id" => found.iter().map(|f| id(f.case)).collect::<Vec<_>>(),
        "officer" => found.iter().map(|f| officers[f.officer as usize]).collect::<Vec<_>>(),
        "unit" => flagged.column(s::UNIT)?.as_materialized_series().clone(),
        "problem" => flagged.column("problem")?.as_materialized_series().clone(),
        "kind" => found.iter().map(|f| f.kind.id()).collect::<Vec<_>>(),
        "prior_case_ids" => list("prior_case_ids", &|f| f.priors.clone()),
        "first_prior_on" => found.iter().map(|f| f.first_prior_on).collect::<Vec<_>>(),
        "gap_days" => found.iter().map(|f| f.gap_days as i64).collect::<Vec<_>>(),
        "outcome" => flagged.column(s::OUTCOME)?.as_materialized_series().clone(),
        "inconsistent" => own_tolerance,
        "basis_uncertain" => found.iter().map(|f| f.uncertain).collect::<Vec<_>>(),
        "pending_priors" => list("pending_priors", &|f| f.pending.clone()),
    )?;
    out.lazy()
        .with_column(col("first_prior_on").cast(DataType::Date))
        .select(COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
}

/// Cases decided 不予容错 under art. 12(5) (`第十二条第（五）项`) that no
/// earlier case flags (an audit finding, rules.md §3): `case_id, unit,
/// decided_on`, by case id. `repeats` is the table [`repeats`] returned for
/// the same cases.
pub fn cited_without_basis(cases: &DataFrame, repeats: &DataFrame) -> PolarsResult<DataFrame> {
    let flagged = repeats
        .clone()
        .lazy()
        .select([col("case_id")])
        .unique(None, UniqueKeepStrategy::First);
    s::as_text(cases)
        .filter(
            col(s::DECIDED_ON)
                .is_not_null()
                .and(col(s::OUTCOME).eq(lit("不予容错")))
                .and(col(s::CLAUSE_ARTICLE).eq(lit(12)))
                .and(col(s::CLAUSE_ITEM).eq(lit(5))),
        )
        .select([col(s::CASE_ID), col(s::UNIT), col(s::DECIDED_ON)])
        .join(
            flagged,
            [col(s::CASE_ID)],
            [col("case_id")],
            JoinArgs::new(JoinType::Anti),
        )
        .sort([s::CASE_ID], SortMultipleOptions::default())
        .collect()
}

/// The answer of `jiucuo check` for one officer and one problem.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub officer: String,
    pub problem: String,
    pub barred: bool,
    pub reason: String,
    pub prior_case_ids: Vec<String>,
}

/// A case about to be decided, as `jiucuo check` asks about it.
#[derive(Debug, Clone, Copy)]
pub struct CheckQuery<'a> {
    /// The officer (credential number or name, as in `涉及人员`).
    pub officer: &'a str,
    /// The error type.
    pub problem: &'a str,
    /// Only earlier cases of this domain.
    pub domain: Option<&'a str>,
    /// The decision date: the ledger as it stood then.
    pub as_of: NaiveDate,
    /// The filing date of the case about to be decided: earlier errors
    /// count only if decided by then (rules.md §3), as in [`repeats`].
    pub filed: NaiveDate,
    /// The case itself, when it is in the ledger: not its own earlier case.
    pub case_id: Option<&'a str>,
    /// The new error has a subjective cause.
    pub subjective: bool,
}

/// For a case about to be decided on `as_of`: would art. 12(5) bar
/// tolerance, and by which established earlier cases? The same rules as
/// [`repeats`]; `cases` is the ledger as it stood on `as_of`
/// ([`super::scope::as_of_view`]).
///
/// Long: the query resolved against the same scan as [`repeats`], then judged twice (as asked, and as if subjective) for the hint.
pub fn check(
    cases: &DataFrame,
    query: &CheckQuery,
    p: &RepeatParams,
    identities: Option<&Identities>,
) -> PolarsResult<CheckResult> {
    let CheckQuery {
        officer,
        problem,
        domain,
        as_of,
        filed,
        case_id,
        subjective,
    } = *query;
    let officer_id = identities.map_or(officer, |ids| ids.resolve(officer, None));
    let answer = |barred, reason: String, ids: Vec<String>| CheckResult {
        officer: officer_id.to_string(),
        problem: problem.to_string(),
        barred,
        reason,
        prior_case_ids: ids,
    };
    if p.is_catch_all(problem) {
        return Ok(answer(
            false,
            format!(
                "“{problem}”属兜底类问题类型，不视为第十二条第（五）项所称“同一问题”，不作比对"
            ),
            vec![],
        ));
    }
    let derived = derived_facts(cases, p)?;
    let error_types = cases.column(s::ERROR_TYPE)?.cast(&DataType::String)?;
    let error_types = TextByRow::new(error_types.str()?);
    let domains = cases.column(s::DOMAIN)?.cast(&DataType::String)?;
    let domains = TextByRow::new(domains.str()?);
    let scan = Scan::new(cases, &derived, identities)?;
    let filed_day = days_since_epoch(filed.min(as_of));
    let mine: Vec<usize> = (0..scan.entries.len())
        .filter(|&k| {
            let e = &scan.entries[k];
            let case = e.case as usize;
            scan.officers[e.officer as usize] == officer_id
                && error_types.get(case) == Some(problem)
                && domain.is_none_or(|d| domains.get(case) == Some(d))
                && e.filed <= filed_day
                && (case_id.is_none() || scan.ids.get(case) != case_id)
        })
        .collect();
    let later = Fact {
        filed: filed_day,
        decided: None,
        subjective,
        established: false,
        cleared: false,
        treatment: Treatment::None,
    };
    let j = judge(&later, mine.iter().map(|&k| (k, scan.fact(k))), p);
    // Without --subjective, the earlier subjective errors that would bar it.
    let j_if_subjective = judge(
        &Fact {
            subjective: true,
            ..later
        },
        mine.iter().map(|&k| (k, scan.fact(k))),
        p,
    );
    let id = |k: usize| {
        scan.ids
            .get(scan.entries[k].case as usize)
            .unwrap_or("")
            .to_string()
    };
    let describe = |ks: &[usize]| {
        ks.iter()
            .map(|&k| format!("{}（{}立案）", id(k), date_from_days(scan.fact(k).filed)))
            .collect::<Vec<_>>()
            .join("、")
    };
    let (barred, reason, basis) = verdict(problem, &j, &j_if_subjective, &describe);
    Ok(answer(
        barred,
        reason,
        basis.iter().map(|&k| id(k)).collect(),
    ))
}

/// The answer in words: barred or not, why, and the earlier cases it rests
/// on (`describe` names cases). `j` judges the case as asked; `if_subjective`
/// as if its error had a subjective cause.
fn verdict(
    problem: &str,
    j: &Judgement,
    if_subjective: &Judgement,
    describe: &dyn Fn(&[usize]) -> String,
) -> (bool, String, Vec<usize>) {
    const CANDIDATE: &str = "经比对，可能属于第十二条第（五）项情形，需在认定时核实";
    let pending_note = if j.pending.is_empty() {
        String::new()
    } else {
        format!(
            "；另有在先同类案件尚未认定（{}），不作为依据",
            describe(&j.pending)
        )
    };
    if !j.tolerance.is_empty() {
        let uncertain = if j.uncertain {
            "（其中有减轻、从轻处理未载明第十条或第十一条依据，是否属容错免责处理需核实）"
        } else {
            ""
        };
        let reason = format!(
            "该人员曾就“{problem}”获容错免责处理（{}）{uncertain}，本次再次出现同样失误：{CANDIDATE}{pending_note}",
            describe(&j.tolerance)
        );
        (true, reason, j.tolerance.clone())
    } else if !j.subjective.is_empty() {
        let reason = format!(
            "该人员此前已因主观原因在“{problem}”上出现经认定的失误（{}），本次亦属主观原因：{CANDIDATE}{pending_note}",
            describe(&j.subjective)
        );
        (true, reason, j.subjective.clone())
    } else if !if_subjective.subjective.is_empty() || !if_subjective.tolerance.is_empty() {
        let mut ks = if_subjective.subjective.clone();
        ks.extend(&if_subjective.tolerance);
        ks.sort_unstable();
        ks.dedup();
        let reason = format!(
            "此前有经认定的同类失误（{}）：如本次失误出于主观原因，则可能属于第十二条第（五）项情形（加 --subjective 判断）{pending_note}",
            describe(&ks)
        );
        (false, reason, ks)
    } else {
        let reason = format!(
            "未发现该人员在“{problem}”上经认定的在先同类失误，第十二条第（五）项不构成障碍{pending_note}"
        );
        (false, reason, vec![])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> i32 {
        days_since_epoch(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    /// One test case: officers, error type, subjective cause, filing and
    /// decision days, outcome with its clause, complaint finding.
    #[derive(Clone)]
    struct C {
        id: &'static str,
        officers: &'static [&'static str],
        unit: &'static str,
        error: &'static str,
        subjective: Option<bool>,
        filed: i32,
        decided: Option<i32>,
        outcome: Option<&'static str>,
        clause: Option<(i32, i32)>,
        finding: Option<&'static str>,
    }

    fn case(id: &'static str, officers: &'static [&'static str], filed: i32) -> C {
        C {
            id,
            officers,
            unit: "区市场监督管理局",
            error: "文书瑕疵",
            subjective: Some(false),
            filed,
            decided: None,
            outcome: None,
            clause: None,
            finding: None,
        }
    }

    impl C {
        fn decided(mut self, on: i32, outcome: &'static str, clause: Option<(i32, i32)>) -> C {
            self.decided = Some(on);
            self.outcome = Some(outcome);
            self.clause = clause;
            self
        }
        fn subjective(mut self) -> C {
            self.subjective = Some(true);
            self
        }
        fn error(mut self, e: &'static str) -> C {
            self.error = e;
            self
        }
        fn unit(mut self, u: &'static str) -> C {
            self.unit = u;
            self
        }
        fn finding(mut self, f: &'static str) -> C {
            self.finding = Some(f);
            self
        }
    }

    fn frame(rows: &[C]) -> DataFrame {
        let officers: Vec<Series> = rows
            .iter()
            .map(|r| Series::new("".into(), r.officers))
            .collect();
        let mut officers: ListChunked = officers.into_iter().map(Some).collect();
        officers.rename(s::OFFICERS.into());
        df!(
            s::CASE_ID => rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            s::OFFICERS => officers.into_series(),
            s::UNIT => rows.iter().map(|r| r.unit).collect::<Vec<_>>(),
            s::DOMAIN => rows.iter().map(|_| "市场监管").collect::<Vec<_>>(),
            s::ERROR_TYPE => rows.iter().map(|r| r.error).collect::<Vec<_>>(),
            s::SUBJECTIVE_FAULT => rows.iter().map(|r| r.subjective).collect::<Vec<_>>(),
            s::FILED_ON => rows.iter().map(|r| Some(r.filed)).collect::<Vec<_>>(),
            s::DECIDED_ON => rows.iter().map(|r| r.decided).collect::<Vec<_>>(),
            s::OUTCOME => rows.iter().map(|r| r.outcome).collect::<Vec<_>>(),
            s::CLAUSE_ARTICLE => rows.iter().map(|r| r.clause.map(|c| c.0)).collect::<Vec<_>>(),
            s::CLAUSE_ITEM => rows.iter().map(|r| r.clause.map(|c| c.1)).collect::<Vec<_>>(),
            s::COMPLAINT_FINDING => rows.iter().map(|r| r.finding).collect::<Vec<_>>(),
        )
        .unwrap()
        .lazy()
        .with_columns([
            col(s::FILED_ON).cast(DataType::Date),
            col(s::DECIDED_ON).cast(DataType::Date),
        ])
        .collect()
        .unwrap()
    }

    fn params() -> RepeatParams {
        RepeatParams::default()
    }

    /// (case, officer, kind, priors, gap, inconsistent, basis_uncertain, pending)
    type Flat = (
        String,
        String,
        String,
        Vec<String>,
        i64,
        bool,
        bool,
        Vec<String>,
    );

    fn flat(out: &DataFrame) -> Vec<Flat> {
        let g = |c: &str| out.column(c).unwrap().clone();
        let list = |c: &str, i: usize| -> Vec<String> {
            g(c).list()
                .unwrap()
                .get_as_series(i)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|x| x.unwrap().to_string())
                .collect()
        };
        (0..out.height())
            .map(|i| {
                (
                    g("case_id").str().unwrap().get(i).unwrap().to_string(),
                    g("officer").str().unwrap().get(i).unwrap().to_string(),
                    g("kind").str().unwrap().get(i).unwrap().to_string(),
                    list("prior_case_ids", i),
                    g("gap_days").i64().unwrap().get(i).unwrap(),
                    g("inconsistent").bool().unwrap().get(i).unwrap(),
                    g("basis_uncertain").bool().unwrap().get(i).unwrap(),
                    list("pending_priors", i),
                )
            })
            .collect()
    }

    fn row(case: &str, officer: &str, kind: &str, priors: &[&str], gap: i64) -> Flat {
        (
            case.into(),
            officer.into(),
            kind.into(),
            priors.iter().map(|p| p.to_string()).collect(),
            gap,
            false,
            false,
            vec![],
        )
    }

    fn run(rows: &[C]) -> Vec<Flat> {
        flat(&repeats(&frame(rows), &params(), None).unwrap())
    }

    #[test]
    fn only_established_earlier_errors_count() {
        // 甲: A (subjective, 不予容错, decided 04-20) establishes an error; B
        //     (subjective) filed 05-01 after it → R-subjective on A.
        // 乙: C (subjective) still undecided when D (subjective) is filed:
        //     establishes nothing; listed as pending only where D is flagged
        //     — and D is not flagged at all.
        // 丙: E found 履职尽责 (no error), F subjective later → nothing.
        // 丁: G a complaint found 查无实据 → nothing for H.
        // 戊: I decided 不予容错 on 06-10, after J was filed 06-01 → nothing.
        let rows = [
            case("A", &["甲"], day(2025, 4, 1)).subjective().decided(
                day(2025, 4, 20),
                "不予容错",
                Some((12, 1)),
            ),
            case("B", &["甲"], day(2025, 5, 1)).subjective(),
            case("C", &["乙"], day(2025, 4, 1)).subjective(),
            case("D", &["乙"], day(2025, 5, 1)).subjective(),
            case("E", &["丙"], day(2025, 4, 1)).subjective().decided(
                day(2025, 4, 20),
                "履职尽责",
                Some((9, 1)),
            ),
            case("F", &["丙"], day(2025, 5, 1)).subjective(),
            case("G", &["丁"], day(2025, 4, 1))
                .subjective()
                .finding("查无实据")
                .decided(day(2025, 4, 20), "不予容错", None),
            case("H", &["丁"], day(2025, 5, 1)).subjective(),
            case("I", &["戊"], day(2025, 5, 20)).subjective().decided(
                day(2025, 6, 10),
                "不予容错",
                Some((12, 1)),
            ),
            case("J", &["戊"], day(2025, 6, 1)).subjective(),
        ];
        assert_eq!(run(&rows), vec![row("B", "甲", "R-subjective", &["A"], 30)]);
    }

    #[test]
    fn pending_priors_are_listed_beside_a_flag() {
        // A established (免责, art. 10, decided 04-10) → B and C repeat
        // after tolerance; B was still undecided when C was filed: listed
        // beside C's flag, not a basis.
        let rows = [
            case("A", &["甲"], day(2025, 4, 1)).decided(day(2025, 4, 10), "免责", Some((10, 2))),
            case("B", &["甲"], day(2025, 4, 15)),
            case("C", &["甲"], day(2025, 5, 1)),
        ];
        let mut c = row("C", "甲", "R-after-tolerance", &["A"], 30);
        c.7 = vec!["B".into()];
        assert_eq!(
            run(&rows),
            vec![row("B", "甲", "R-after-tolerance", &["A"], 14), c]
        );
    }

    #[test]
    fn art_11_mitigation_is_not_tolerance_unless_configured() {
        // A 从轻 under art. 11 (a mitigation of liability) then B of the same
        // problem: no R-after-tolerance by default; with the option, one.
        // X 减轻 citing no clause: counted as tolerance, basis uncertain.
        let rows = [
            case("A", &["甲"], day(2025, 4, 1)).decided(day(2025, 4, 10), "从轻", Some((11, 1))),
            case("B", &["甲"], day(2025, 5, 1)).decided(day(2025, 5, 20), "免责", Some((10, 1))),
            case("X", &["乙"], day(2025, 4, 1)).decided(day(2025, 4, 10), "减轻", None),
            case("Y", &["乙"], day(2025, 6, 1)),
        ];
        let mut y = row("Y", "乙", "R-after-tolerance", &["X"], 61);
        y.6 = true;
        assert_eq!(run(&rows), vec![y.clone()]);
        let p = RepeatParams {
            art11_is_tolerance: true,
            ..params()
        };
        let mut b = row("B", "甲", "R-after-tolerance", &["A"], 30);
        b.5 = true; // B itself was given tolerance (免责): inconsistent
                    // 乙 (U+4E59) sorts before 甲 (U+7532)
        assert_eq!(flat(&repeats(&frame(&rows), &p, None).unwrap()), vec![y, b]);
    }

    #[test]
    fn the_after_tolerance_reading_can_require_a_subjective_cause() {
        let rows = [
            case("A", &["甲"], day(2025, 4, 1)).decided(day(2025, 4, 10), "免责", Some((10, 3))),
            case("B", &["甲"], day(2025, 5, 1)),
            case("C", &["甲"], day(2025, 6, 1)).subjective(),
        ];
        // B is still undecided when C is filed: listed beside C's flag.
        let mut c = row("C", "甲", "R-after-tolerance", &["A"], 61);
        c.7 = vec!["B".into()];
        assert_eq!(
            run(&rows),
            vec![row("B", "甲", "R-after-tolerance", &["A"], 30), c.clone()]
        );
        let p = RepeatParams {
            after_tolerance_needs_subjective: true,
            ..params()
        };
        assert_eq!(flat(&repeats(&frame(&rows), &p, None).unwrap()), vec![c]);
    }

    #[test]
    fn catch_all_types_are_never_the_same_problem() {
        let rows = [
            case("A", &["甲"], day(2025, 4, 1))
                .error("其他")
                .subjective()
                .decided(day(2025, 4, 10), "不予容错", Some((12, 1))),
            case("B", &["甲"], day(2025, 5, 1))
                .error("其他")
                .subjective(),
            case("C", &["乙"], day(2025, 4, 1))
                .error("执法不规范")
                .subjective()
                .decided(day(2025, 4, 10), "不予容错", Some((12, 1))),
            case("D", &["乙"], day(2025, 5, 1))
                .error("执法不规范")
                .subjective(),
        ];
        assert_eq!(run(&rows), vec![row("D", "乙", "R-subjective", &["C"], 30)]);
        let p = RepeatParams {
            excluded_types: vec!["执法不规范".into()],
            ..params()
        };
        assert!(repeats(&frame(&rows), &p, None).unwrap().height() == 0);
    }

    #[test]
    fn a_later_case_found_no_error_repeats_nothing_and_both_limbs_give_two_rows() {
        let rows = [
            case("A", &["甲"], day(2025, 3, 5)).subjective().decided(
                day(2025, 3, 20),
                "减轻",
                Some((10, 4)),
            ),
            case("B", &["甲"], day(2025, 9, 1)).subjective().decided(
                day(2025, 9, 20),
                "免责",
                Some((10, 5)),
            ),
            case("C", &["甲"], day(2025, 10, 1)).subjective().decided(
                day(2025, 10, 20),
                "履职尽责",
                Some((9, 2)),
            ),
        ];
        let mut after = row("B", "甲", "R-after-tolerance", &["A"], 180);
        let mut subj = row("B", "甲", "R-subjective", &["A"], 180);
        after.5 = true;
        subj.5 = true;
        // kinds sort as text: R-after-tolerance before R-subjective
        assert_eq!(run(&rows), vec![after, subj]);
        let short = RepeatParams {
            lookback_days: 90,
            ..params()
        };
        assert_eq!(repeats(&frame(&rows), &short, None).unwrap().height(), 0);
    }

    #[test]
    fn multi_officer_cases_count_for_each_and_same_day_cases_go_by_id() {
        let rows = [
            case("A", &["甲", "乙"], day(2025, 4, 1))
                .subjective()
                .decided(day(2025, 4, 20), "不予容错", Some((12, 1))),
            case("B", &["甲"], day(2025, 5, 1)).subjective(),
            case("C", &["乙", "丙"], day(2025, 5, 11)).subjective(),
            // same day, listed out of id order: X1 is the earlier one
            case("X2", &["丁"], day(2025, 6, 1)).subjective().decided(
                day(2025, 6, 1),
                "不予容错",
                Some((12, 1)),
            ),
            case("X1", &["丁"], day(2025, 6, 1)).subjective().decided(
                day(2025, 6, 1),
                "不予容错",
                Some((12, 1)),
            ),
        ];
        assert_eq!(
            run(&rows),
            vec![
                // 丁 (U+4E01) < 乙 (U+4E59) < 甲 (U+7532)
                row("X2", "丁", "R-subjective", &["X1"], 0),
                row("C", "乙", "R-subjective", &["A"], 40),
                row("B", "甲", "R-subjective", &["A"], 30),
            ]
        );
    }

    #[test]
    fn the_roster_makes_a_name_and_its_credential_one_officer() {
        // 张伟 and 37011201 are one officer in the roster; a second 张伟
        // works in another unit (37019901), told apart by the case's unit.
        let roster = df!(
            s::roster::OFFICER_ID => ["37011201", "37019901"],
            s::roster::NAME => ["张伟", "张伟"],
            s::roster::UNIT => ["区市场监督管理局", "区交通运输局"],
        )
        .unwrap();
        let ids = Identities::from_roster(&roster).unwrap();
        let rows = [
            case("A", &["37011201"], day(2025, 4, 1))
                .subjective()
                .decided(day(2025, 4, 20), "不予容错", Some((12, 1))),
            case("B", &["张伟"], day(2025, 5, 1)).subjective(),
            case("C", &["张伟"], day(2025, 5, 2))
                .subjective()
                .unit("区交通运输局"),
        ];
        assert!(
            run(&rows).is_empty(),
            "as written, three different officers"
        );
        assert_eq!(
            flat(&repeats(&frame(&rows), &params(), Some(&ids)).unwrap()),
            vec![row("B", "37011201", "R-subjective", &["A"], 30)]
        );
        assert_eq!(
            ids.resolve("张伟", None),
            "张伟",
            "ambiguous without a unit"
        );
        let on = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let q = CheckQuery {
            officer: "37011201",
            problem: "文书瑕疵",
            domain: None,
            as_of: on,
            filed: on,
            case_id: None,
            subjective: true,
        };
        let r = check(&frame(&rows), &q, &params(), Some(&ids)).unwrap();
        assert!(r.barred);
        assert_eq!(r.prior_case_ids, ["A"]);
    }

    #[test]
    fn a_case_naming_an_officer_by_name_and_number_is_one_case() {
        let roster = df!(
            s::roster::OFFICER_ID => ["37011201"],
            s::roster::NAME => ["张伟"],
            s::roster::UNIT => ["区市场监督管理局"],
        )
        .unwrap();
        let ids = Identities::from_roster(&roster).unwrap();
        // A names 张伟 twice (name and number), decided the day it was
        // filed: it is not its own earlier case; B repeats A once.
        let rows = [
            case("A", &["张伟", "37011201"], day(2025, 4, 1))
                .subjective()
                .decided(day(2025, 4, 1), "不予容错", Some((12, 1))),
            case("B", &["37011201"], day(2025, 5, 1)).subjective(),
        ];
        assert_eq!(
            flat(&repeats(&frame(&rows), &params(), Some(&ids)).unwrap()),
            vec![row("B", "37011201", "R-subjective", &["A"], 30)]
        );
    }

    #[test]
    fn check_counts_only_errors_decided_by_the_cases_own_filing() {
        // A (免责) was decided on 05-20, after B was filed on 05-01. Deciding
        // B on 06-01: A was not an established error when B was filed, so,
        // as for `repeats`, it is no basis; B itself is not its own prior.
        let rows = [
            case("A", &["甲"], day(2025, 4, 1)).decided(day(2025, 5, 20), "免责", Some((10, 1))),
            case("B", &["甲"], day(2025, 5, 1)),
        ];
        let df = frame(&rows);
        assert!(repeats(&df, &params(), None).unwrap().height() == 0);
        let on = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let q = CheckQuery {
            officer: "甲",
            problem: "文书瑕疵",
            domain: None,
            as_of: on,
            filed: NaiveDate::from_ymd_opt(2025, 5, 1).unwrap(),
            case_id: Some("B"),
            subjective: false,
        };
        let r = check(&df, &q, &params(), None).unwrap();
        assert!(!r.barred, "{r:?}");
        assert!(r.reason.contains("A（2025-04-01立案）"), "{}", r.reason);
        assert!(!r.reason.contains("B（"), "{}", r.reason);
        // a new case filed on 06-01 would be barred by A
        let q = CheckQuery {
            filed: on,
            case_id: None,
            ..q
        };
        assert!(check(&df, &q, &params(), None).unwrap().barred);
    }

    #[test]
    fn twelve_five_cited_without_an_earlier_case_is_listed() {
        // K: 不予容错 under 12(5) with an established earlier error (A): has a basis.
        // L: 不予容错 under 12(5) with no earlier case: cited without basis.
        // M: 不予容错 under 12(1): not a 12(5) citation.
        let rows = [
            case("A", &["甲"], day(2025, 4, 1)).subjective().decided(
                day(2025, 4, 20),
                "不予容错",
                Some((12, 1)),
            ),
            case("K", &["甲"], day(2025, 5, 1)).subjective().decided(
                day(2025, 5, 20),
                "不予容错",
                Some((12, 5)),
            ),
            case("L", &["乙"], day(2025, 5, 1)).subjective().decided(
                day(2025, 5, 20),
                "不予容错",
                Some((12, 5)),
            ),
            case("M", &["丙"], day(2025, 5, 1)).decided(
                day(2025, 5, 20),
                "不予容错",
                Some((12, 1)),
            ),
        ];
        let df = frame(&rows);
        let r = repeats(&df, &params(), None).unwrap();
        let out = cited_without_basis(&df, &r).unwrap();
        let ids: Vec<&str> = out
            .column(s::CASE_ID)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(ids, ["L"]);
    }

    #[test]
    fn check_follows_the_same_rules() {
        let rows = [
            case("A", &["甲"], day(2025, 3, 5)).decided(day(2025, 3, 20), "免责", Some((10, 1))),
            case("B", &["乙"], day(2025, 3, 5)).subjective().decided(
                day(2025, 3, 20),
                "不予容错",
                Some((12, 1)),
            ),
            case("C", &["丙"], day(2025, 3, 5)).subjective(),
        ];
        let df = frame(&rows);
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let check = |officer, problem, as_of, subjective| {
            let q = CheckQuery {
                officer,
                problem,
                domain: None,
                as_of,
                filed: as_of,
                case_id: None,
                subjective,
            };
            check(&df, &q, &params(), None).unwrap()
        };
        let r = check("甲", "文书瑕疵", on(2025, 6, 1), false);
        assert!(r.barred && r.prior_case_ids == ["A"], "{r:?}");
        assert!(r.reason.contains("需在认定时核实"), "{}", r.reason);
        assert!(!check("乙", "文书瑕疵", on(2025, 6, 1), false).barred);
        assert!(check("乙", "文书瑕疵", on(2025, 6, 1), true).barred);
        // C is undecided: establishes nothing, named as pending
        let r = check("丙", "文书瑕疵", on(2025, 6, 1), true);
        assert!(!r.barred && r.reason.contains("尚未认定"), "{}", r.reason);
        // 其他 is never the same problem
        assert!(!check("甲", "其他", on(2025, 6, 1), true).barred);
        // on 03-10 the tolerance was not yet decided
        assert!(!check("甲", "文书瑕疵", on(2025, 3, 10), false).barred);
    }

    /// The ledger as ingest holds it (categorical text) gives the same table.
    #[test]
    fn categorical_ledger_columns_give_the_same_flags() {
        let rows = [
            case("A", &["甲"], day(2025, 4, 1)).subjective().decided(
                day(2025, 4, 10),
                "免责",
                Some((10, 1)),
            ),
            case("B", &["甲"], day(2025, 5, 1))
                .subjective()
                .decided(day(2025, 5, 9), "减轻", None),
            case("C", &["甲", "乙"], day(2025, 6, 1)),
            case("D", &["乙"], day(2025, 6, 2))
                .error("超期办理")
                .subjective()
                .decided(day(2025, 6, 20), "不予容错", Some((12, 2))),
            case("E", &["乙"], day(2025, 7, 2))
                .error("超期办理")
                .subjective(),
        ];
        let df = frame(&rows);
        let coded = s::as_stored(df.clone()).unwrap();
        assert!(matches!(
            coded.column(s::UNIT).unwrap().dtype(),
            DataType::Categorical(..)
        ));
        for same_domain in [false, true] {
            let p = RepeatParams {
                same_domain,
                ..params()
            };
            let plain = repeats(&df, &p, None).unwrap();
            let cat = repeats(&coded, &p, None).unwrap();
            assert!(plain.equals_missing(&cat), "{plain}\n{cat}");
            assert_eq!(cat.column("unit").unwrap().dtype(), &DataType::String);
            let flagged: Vec<String> = flat(&cat)
                .into_iter()
                .map(|r| format!("{}:{}:{}", r.0, r.1, r.2))
                .collect();
            assert_eq!(
                flagged,
                [
                    "E:乙:R-subjective",
                    "B:甲:R-after-tolerance",
                    "B:甲:R-subjective",
                    "C:甲:R-after-tolerance",
                ],
                "same_domain {same_domain}"
            );
        }
    }
}
