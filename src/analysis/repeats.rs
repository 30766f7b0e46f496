//! Repeat errors under art. 12(5) (rules.md §3): per officer, a case that
//! repeats the same problem after an earlier subjective error
//! (`R-subjective`) or after tolerance was granted for it
//! (`R-after-tolerance`), with the audit flag `inconsistent`.

use chrono::NaiveDate;
use polars::prelude::*;
use polars_arrow::array::{Array, Utf8ViewArray};

use super::{listed_in_case_id_order, TextByRow};

use crate::ingest::parse::{date_from_days, days_since_epoch};
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
];

/// Parameters of the repeat analysis (jiucuo.toml [repeats]).
#[derive(Debug, Clone)]
pub struct RepeatParams {
    /// "The same problem" also requires the same domain.
    pub same_domain: bool,
    /// Earlier cases count only if filed at most this many days before; 0 = unlimited.
    pub lookback_days: u32,
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

/// The "same problem" label of a case.
fn problem_expr(same_domain: bool) -> Expr {
    if same_domain {
        concat_str(
            [col(s::ERROR_TYPE), lit("（"), col(s::DOMAIN), lit("）")],
            "",
            false,
        )
    } else {
        col(s::ERROR_TYPE)
    }
}

/// A case of an actor and problem, by its row in the sorted frame (whose
/// `case_id` column names it).
#[derive(Clone, Copy)]
struct Prior {
    filed: i32,
    decided: Option<i32>,
    subjective: bool,
    tolerated: bool,
}

/// One case × officer of the repeat scan, as numbers.
struct Entry {
    officer: u32,
    problem: u32,
    filed: i32,
    /// Place of the case × officer pair in the ledger's order.
    pair: u32,
    /// Row of the case.
    case: u32,
}

/// One flagged case before it becomes a row.
struct Flag {
    row: usize,
    kind: RepeatKind,
    priors: Vec<usize>,
}

/// Scan rows sorted by (actor, problem, filed_on, case_id) and flag repeats;
/// `same_group(i, j)`: rows i and j have the same actor and problem.
fn scan_groups(
    same_group: impl Fn(usize, usize) -> bool,
    len: usize,
    row: impl Fn(usize) -> Prior,
    lookback_days: u32,
) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut start = 0;
    while start < len {
        let mut end = start + 1;
        while end < len && same_group(start, end) {
            end += 1;
        }
        for i in start..end {
            let me = row(i);
            let window =
                |p: &Prior| lookback_days == 0 || me.filed - p.filed <= lookback_days as i32;
            let earlier = (start..i).filter(|&j| window(&row(j)));
            let subjective: Vec<usize> = if me.subjective {
                earlier.clone().filter(|&j| row(j).subjective).collect()
            } else {
                vec![]
            };
            let tolerated: Vec<usize> = earlier
                .filter(|&j| {
                    let prior = row(j);
                    prior.tolerated && prior.decided.is_some_and(|d| d <= me.filed)
                })
                .collect();
            if !subjective.is_empty() {
                flags.push(Flag {
                    row: i,
                    kind: RepeatKind::Subjective,
                    priors: subjective,
                });
            }
            if !tolerated.is_empty() {
                flags.push(Flag {
                    row: i,
                    kind: RepeatKind::AfterTolerance,
                    priors: tolerated,
                });
            }
        }
        start = end;
    }
    flags
}

/// `__tolerated`: the case's outcome grants tolerance (免责, 减轻, 从轻).
fn tolerated_expr() -> Expr {
    // Compared value by value: a categorical outcome is compared on its
    // codes, without a text copy of the column.
    s::TOLERANCE_OUTCOMES
        .iter()
        .map(|o| col(s::OUTCOME).eq(lit(*o)))
        .reduce(|a, b| a.or(b))
        .expect("tolerance outcomes")
        .fill_null(lit(false))
        .alias("__tolerated")
}

/// What the scans derive per case: `problem` (the "same problem" label, as
/// a category) and `__tolerated`.
fn derived_facts(cases: &DataFrame, p: &RepeatParams) -> PolarsResult<DataFrame> {
    cases
        .clone()
        .lazy()
        .select([
            problem_expr(p.same_domain)
                .cast(s::categorical())
                .alias("problem"),
            tolerated_expr(),
        ])
        .collect()
}

/// The rows of a frame with `filed_on`, `decided_on`, `subjective_fault` and
/// `__tolerated`.
fn priors_from(df: &DataFrame) -> PolarsResult<Vec<Prior>> {
    let filed = df.column(s::FILED_ON)?.date()?.physical();
    let decided = df.column(s::DECIDED_ON)?.date()?.physical();
    let subjective = df.column(s::SUBJECTIVE_FAULT)?.bool()?;
    let tolerated = df.column("__tolerated")?.bool()?;
    Ok(filed
        .iter()
        .zip(decided.iter())
        .zip(subjective.iter().zip(tolerated.iter()))
        .map(|((filed, decided), (subjective, tolerated))| Prior {
            filed: filed.unwrap_or(i32::MIN),
            decided,
            subjective: subjective == Some(true),
            tolerated: tolerated == Some(true),
        })
        .collect())
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

/// Every repeat flag of every officer (pure: no clock, no I/O).
pub fn repeats(cases: &DataFrame, p: &RepeatParams) -> PolarsResult<DataFrame> {
    // Facts of each case, one row a case: the ledger's own columns (shared,
    // not copied: collecting them through a plan copied them, 350 MB at 10 M
    // cases) beside the two derived ones, the problem as a category and
    // whether the case's outcome granted tolerance.
    let derived = derived_facts(cases, p)?;
    let ledger = |name: &str| cases.column(name).cloned();
    let facts = DataFrame::new_infer_height(vec![
        ledger(s::CASE_ID)?,
        derived.column("problem")?.clone(),
        ledger(s::FILED_ON)?,
        ledger(s::DECIDED_ON)?,
        ledger(s::SUBJECTIVE_FAULT)?,
        derived.column("__tolerated")?.clone(),
        ledger(s::UNIT)?,
        ledger(s::OUTCOME)?,
    ])?;
    drop(derived);
    let case_facts = priors_from(&facts)?;
    let problems = codes(facts.column("problem")?)?;
    let ids = TextByRow::new(facts.column(s::CASE_ID)?.str()?);

    // One entry per case and officer (a case with three officers counts for
    // each), as numbers: sorting them groups an officer's cases of one problem
    // in filing order without sorting the officers' text. The officers are
    // read in place from the ledger's list column.
    let mut officer_code: PlHashMap<&str, u32> = PlHashMap::default();
    let mut inline_code: PlHashMap<u128, u32> = PlHashMap::default();
    let mut officer_names: Vec<&str> = Vec::new();
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
            if lists.is_valid(i) && case_facts[case].filed != i32::MIN {
                let (start, end) = lists.offsets().start_end(i);
                for j in (start..end).filter(|&j| names.is_valid(j)) {
                    // A name of at most 12 bytes (four Chinese characters)
                    // is held whole in its view: looked up as that number.
                    let view = names.views()[j];
                    let new_code = || {
                        officer_names.push(names.value(j));
                        officer_names.len() as u32 - 1
                    };
                    let code = if view.is_inline() {
                        *inline_code.entry(view.as_u128()).or_insert_with(new_code)
                    } else {
                        *officer_code.entry(names.value(j)).or_insert_with(new_code)
                    };
                    entries.push(Entry {
                        officer: code,
                        problem: problems[case],
                        filed: case_facts[case].filed,
                        pair: entries.len() as u32,
                        case: case as u32,
                    });
                }
            }
            case += 1;
        }
    }
    drop((officer_code, inline_code));
    // Same-day cases of an officer and problem go by case id (text order):
    // sorted by the numbers first, then only the runs of equal numbers by
    // their text (comparing text across the whole sort cost more than the
    // sort itself). A ledger listed in case-id order has them in text order
    // already: row order breaks the ties.
    entries.sort_unstable_by_key(|e| (e.officer, e.problem, e.filed, e.pair));
    let same_day =
        |a: &Entry, b: &Entry| (a.officer, a.problem, a.filed) == (b.officer, b.problem, b.filed);
    if !listed_in_case_id_order(cases)? {
        for run in entries.chunk_by_mut(same_day).filter(|run| run.len() > 1) {
            run.sort_unstable_by(|a, b| {
                ids.get(a.case as usize)
                    .cmp(&ids.get(b.case as usize))
                    .then(a.pair.cmp(&b.pair))
            });
        }
    }
    let fact = |i: usize| case_facts[entries[i].case as usize];
    let flags = scan_groups(
        |i, j| entries[i].officer == entries[j].officer && entries[i].problem == entries[j].problem,
        entries.len(),
        fact,
        p.lookback_days,
    );

    // What each flag reports, as numbers: the scan's working data (2 × 225
    // MB at 10 M cases) is freed before the rows are built.
    let mut prior_cases: Vec<u32> = Vec::with_capacity(flags.iter().map(|f| f.priors.len()).sum());
    let mut found: Vec<Found> = flags
        .into_iter()
        .map(|f| {
            let start = prior_cases.len();
            prior_cases.extend(f.priors.iter().map(|j| entries[*j].case));
            let nearest = *f.priors.last().expect("a flag has priors");
            Found {
                case: entries[f.row].case,
                officer: entries[f.row].officer,
                kind: f.kind,
                filed: fact(f.row).filed,
                first_prior_on: fact(f.priors[0]).filed,
                gap_days: fact(f.row).filed - fact(nearest).filed,
                priors: start..prior_cases.len(),
            }
        })
        .collect();
    drop(entries);
    drop(case_facts);
    drop(problems);
    // The output's order (outputs.md): officer, filing date, case id, kind,
    // all as text; the sort is stable, so equal rows keep the scan's order.
    let id = |case: u32| ids.get(case as usize);
    found.sort_by(|a, b| {
        officer_names[a.officer as usize]
            .cmp(officer_names[b.officer as usize])
            .then(a.filed.cmp(&b.filed))
            .then_with(|| id(a.case).cmp(&id(b.case)))
            .then(a.kind.id().cmp(b.kind.id()))
    });

    // Only the flagged rows become text.
    let flagged_cases =
        IdxCa::from_vec("".into(), found.iter().map(|f| f.case as IdxSize).collect());
    let flagged = facts
        .select([s::UNIT, "problem", s::OUTCOME])?
        .take(&flagged_cases)?;
    drop(flagged_cases);
    let flagged = s::as_text(&flagged).collect()?;
    let outcomes = flagged.column(s::OUTCOME)?.str()?;
    let mut prior_ids =
        ListStringChunkedBuilder::new("prior_case_ids".into(), found.len(), prior_cases.len());
    for f in &found {
        prior_ids.append_values_iter(
            prior_cases[f.priors.clone()]
                .iter()
                .map(|case| id(*case).unwrap_or("")),
        );
    }
    let prior_ids = prior_ids.finish();
    let out = df!(
        "case_id" => found.iter().map(|f| id(f.case)).collect::<Vec<_>>(),
        "officer" => found.iter().map(|f| officer_names[f.officer as usize]).collect::<Vec<_>>(),
        "unit" => flagged.column(s::UNIT)?.as_materialized_series().clone(),
        "problem" => flagged.column("problem")?.as_materialized_series().clone(),
        "kind" => found.iter().map(|f| f.kind.id()).collect::<Vec<_>>(),
        "prior_case_ids" => prior_ids.into_series(),
        "first_prior_on" => found.iter().map(|f| f.first_prior_on).collect::<Vec<_>>(),
        "gap_days" => found.iter().map(|f| f.gap_days as i64).collect::<Vec<_>>(),
        "outcome" => flagged.column(s::OUTCOME)?.as_materialized_series().clone(),
        "inconsistent" => outcomes.iter().map(|o| o.is_some_and(s::grants_tolerance)).collect::<Vec<_>>(),
    )?;
    out.lazy()
        .with_column(col("first_prior_on").cast(DataType::Date))
        .select(COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
}

/// One flag of the repeat scan, as what its row reports.
struct Found {
    case: u32,
    officer: u32,
    kind: RepeatKind,
    filed: i32,
    first_prior_on: i32,
    gap_days: i32,
    /// Its prior cases, in the scan's shared list.
    priors: std::ops::Range<usize>,
}

/// Unit-level repeats (rules.md §3: "the same analysis at unit level", which
/// feeds the risk points of §4): for each row of `cases`, whether its unit
/// already had an earlier case of the same problem that makes it a repeat by
/// either limb of art. 12(5) — both with a subjective fault, or the earlier
/// one granted tolerance and decided on or before this one's filing day —
/// within the lookback window. "Earlier" and "the same problem" are as for
/// officers; cases without an officer count too (the unit is the actor).
/// A case without filing date, unit or problem is never a repeat.
///
/// One linear pass per unit and problem over the cases in filing order: a
/// unit holds thousands of cases of one problem, so the officers' scan, which
/// lists every prior case, would be quadratic here.
pub fn unit_repeat_rows(cases: &DataFrame, p: &RepeatParams) -> PolarsResult<Vec<bool>> {
    let derived = derived_facts(cases, p)?;
    let facts = DataFrame::new_infer_height(vec![
        cases.column(s::FILED_ON)?.clone(),
        cases.column(s::DECIDED_ON)?.clone(),
        cases.column(s::SUBJECTIVE_FAULT)?.clone(),
        derived.column("__tolerated")?.clone(),
    ])?;
    let case_facts = priors_from(&facts)?;
    drop(facts);
    let problems = codes(derived.column("problem")?)?;
    drop(derived);
    let units = codes(cases.column(s::UNIT)?)?;
    let ids = TextByRow::new(cases.column(s::CASE_ID)?.str()?);
    let key = |i: u32| {
        let i = i as usize;
        (units[i], problems[i], case_facts[i].filed)
    };
    // Same-day cases of a unit and problem go by case id (text order): by
    // the numbers first, then each run of equal numbers by its text. The
    // numbers are sorted packed into one u128 each, (unit, problem, filing
    // day, row) from the high bits down, so that comparing two reads no
    // other memory (the filing day's sign bit flipped: i32 order as u32).
    let mut packed: Vec<u128> = (0..case_facts.len())
        .filter(|&i| {
            case_facts[i].filed != i32::MIN && units[i] != u32::MAX && problems[i] != u32::MAX
        })
        .map(|i| {
            let (unit, problem, filed) = key(i as u32);
            (u128::from(unit) << 96)
                | (u128::from(problem) << 64)
                | (u128::from(filed as u32 ^ 0x8000_0000) << 32)
                | i as u128
        })
        .collect();
    packed.sort_unstable();
    let mut order: Vec<u32> = packed.iter().map(|k| *k as u32).collect();
    drop(packed);
    if !listed_in_case_id_order(cases)? {
        for run in order
            .chunk_by_mut(|&a, &b| key(a) == key(b))
            .filter(|run| run.len() > 1)
        {
            run.sort_unstable_by(|&a, &b| {
                ids.get(a as usize)
                    .cmp(&ids.get(b as usize))
                    .then(a.cmp(&b))
            });
        }
    }
    let window = |me: i32, prior: i32| p.lookback_days == 0 || me - prior <= p.lookback_days as i32;
    let mut repeat = vec![false; case_facts.len()];
    let mut start = 0;
    while start < order.len() {
        let group = (
            units[order[start] as usize],
            problems[order[start] as usize],
        );
        // The latest earlier subjective case's filing day.
        let mut last_subjective: Option<i32> = None;
        // Earlier tolerated cases in the window as (filed, decided), oldest
        // first, each decided strictly earlier than every one after it (a
        // case decided no earlier than a newer one can never be the earliest
        // decision in a window again): the front is the window's earliest
        // decision.
        let mut tolerated: std::collections::VecDeque<(i32, i32)> = Default::default();
        let mut k = start;
        while k < order.len() && (units[order[k] as usize], problems[order[k] as usize]) == group {
            let row = order[k] as usize;
            let me = case_facts[row];
            while tolerated
                .front()
                .is_some_and(|&(filed, _)| !window(me.filed, filed))
            {
                tolerated.pop_front();
            }
            let subjective =
                me.subjective && last_subjective.is_some_and(|filed| window(me.filed, filed));
            let after_tolerance = tolerated
                .front()
                .is_some_and(|&(_, decided)| decided <= me.filed);
            repeat[row] = subjective || after_tolerance;
            if me.subjective {
                last_subjective = Some(me.filed);
            }
            if let (true, Some(decided)) = (me.tolerated, me.decided) {
                while tolerated.back().is_some_and(|&(_, d)| d >= decided) {
                    tolerated.pop_back();
                }
                tolerated.push_back((me.filed, decided));
            }
            k += 1;
        }
        start = k;
    }
    Ok(repeat)
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

/// Is tolerance barred by art. 12(5) for a case about to be decided (filed
/// on `as_of`), and by which earlier cases? `subjective`: the new error has a
/// subjective cause (then earlier subjective errors of the same problem bar it too).
pub fn check(
    cases: &DataFrame,
    officer: &str,
    problem: &str,
    domain: Option<&str>,
    as_of: NaiveDate,
    subjective: bool,
    p: &RepeatParams,
) -> PolarsResult<CheckResult> {
    let mut filter = col("officer")
        .eq(lit(officer))
        .and(col(s::ERROR_TYPE).eq(lit(problem)));
    if let Some(d) = domain {
        filter = filter.and(col(s::DOMAIN).eq(lit(d)));
    }
    let mine = case_officers(s::as_text(cases))
        .filter(
            filter.and(col(s::FILED_ON).lt_eq(lit(days_since_epoch(as_of)).cast(DataType::Date))),
        )
        .with_column(tolerated_expr())
        .sort(
            [s::FILED_ON, s::CASE_ID],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()?;
    let rows = priors_from(&mine)?;
    let case_ids = mine.column(s::CASE_ID)?.str()?;
    let id = |i: usize| case_ids.get(i).unwrap_or("").to_string();
    let today = days_since_epoch(as_of);
    let in_window = |r: &Prior| p.lookback_days == 0 || today - r.filed <= p.lookback_days as i32;
    let tolerated: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            let r = &rows[i];
            in_window(r) && r.tolerated && r.decided.is_some_and(|d| d <= today)
        })
        .collect();
    let subjective_priors: Vec<usize> = (0..rows.len())
        .filter(|&i| in_window(&rows[i]) && rows[i].subjective)
        .collect();
    let describe = |rs: &[usize]| {
        rs.iter()
            .map(|&i| format!("{}（{}立案）", id(i), date_from_days(rows[i].filed)))
            .collect::<Vec<_>>()
            .join("、")
    };
    let (barred, reason, ids): (bool, String, Vec<usize>) = if !tolerated.is_empty() {
        (
            true,
            format!("该人员曾就“{problem}”获容错免责处理（{}），再次出现同样错误，依第十二条第（五）项不予容错", describe(&tolerated)),
            tolerated,
        )
    } else if !subjective_priors.is_empty() && subjective {
        (
            true,
            format!("该人员此前已因主观原因在“{problem}”上出现失误（{}），本次亦属主观原因，依第十二条第（五）项不予容错", describe(&subjective_priors)),
            subjective_priors,
        )
    } else if !subjective_priors.is_empty() {
        (
            false,
            format!("此前有主观原因的同类失误（{}）：如本次亦属主观原因，则依第十二条第（五）项不予容错（加 --subjective 判断）", describe(&subjective_priors)),
            subjective_priors,
        )
    } else {
        (
            false,
            format!("未发现该人员在“{problem}”上的在先同类案件，第十二条第（五）项不构成障碍"),
            vec![],
        )
    };
    Ok(CheckResult {
        officer: officer.to_string(),
        problem: problem.to_string(),
        barred,
        reason,
        prior_case_ids: ids.into_iter().map(id).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<i32> {
        Some(days_since_epoch(
            NaiveDate::from_ymd_opt(y, m, day).unwrap(),
        ))
    }

    /// Cases: (id, officers, error, subjective, filed, decided, outcome)
    type Row<'a> = (
        &'a str,
        &'a [&'a str],
        &'a str,
        Option<bool>,
        Option<i32>,
        Option<i32>,
        Option<&'a str>,
    );

    fn frame(rows: &[Row]) -> DataFrame {
        let officers: Vec<Series> = rows.iter().map(|r| Series::new("".into(), r.1)).collect();
        let mut officers: ListChunked = officers.into_iter().map(Some).collect();
        officers.rename(s::OFFICERS.into());
        df!(
            s::CASE_ID => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            s::OFFICERS => officers.into_series(),
            s::UNIT => rows.iter().map(|_| "区市场监督管理局").collect::<Vec<_>>(),
            s::DOMAIN => rows.iter().map(|_| "市场监管").collect::<Vec<_>>(),
            s::ERROR_TYPE => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            s::SUBJECTIVE_FAULT => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            s::FILED_ON => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            s::DECIDED_ON => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
            s::OUTCOME => rows.iter().map(|r| r.6).collect::<Vec<_>>(),
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
        RepeatParams {
            same_domain: false,
            lookback_days: 0,
        }
    }

    /// (case, officer, kind, priors, gap, inconsistent)
    fn flat(out: &DataFrame) -> Vec<(String, String, String, Vec<String>, i64, bool)> {
        let g = |c: &str| out.column(c).unwrap().clone();
        (0..out.height())
            .map(|i| {
                let priors = g("prior_case_ids")
                    .list()
                    .unwrap()
                    .get_as_series(i)
                    .unwrap();
                (
                    g("case_id").str().unwrap().get(i).unwrap().to_string(),
                    g("officer").str().unwrap().get(i).unwrap().to_string(),
                    g("kind").str().unwrap().get(i).unwrap().to_string(),
                    priors
                        .str()
                        .unwrap()
                        .iter()
                        .map(|x| x.unwrap().to_string())
                        .collect(),
                    g("gap_days").i64().unwrap().get(i).unwrap(),
                    g("inconsistent").bool().unwrap().get(i).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn multi_officer_cases_count_for_each_officer() {
        let df = frame(&[
            (
                "A",
                &["甲", "乙"],
                "文书瑕疵",
                Some(true),
                d(2025, 4, 1),
                d(2025, 4, 20),
                Some("不予容错"),
            ),
            (
                "B",
                &["甲"],
                "文书瑕疵",
                Some(true),
                d(2025, 5, 1),
                None,
                None,
            ),
            (
                "C",
                &["乙", "丙"],
                "文书瑕疵",
                Some(true),
                d(2025, 5, 11),
                None,
                None,
            ),
        ]);
        let got = flat(&repeats(&df, &params()).unwrap());
        assert_eq!(
            got,
            // sorted by officer: 乙 (U+4E59) before 甲 (U+7532)
            vec![
                (
                    "C".into(),
                    "乙".into(),
                    "R-subjective".into(),
                    vec!["A".into()],
                    40,
                    false
                ),
                (
                    "B".into(),
                    "甲".into(),
                    "R-subjective".into(),
                    vec!["A".into()],
                    30,
                    false
                ),
            ]
        );
    }

    #[test]
    fn same_day_cases_are_ordered_by_case_id() {
        let df = frame(&[
            (
                "X2",
                &["甲"],
                "超期办理",
                Some(true),
                d(2025, 6, 1),
                None,
                None,
            ),
            (
                "X1",
                &["甲"],
                "超期办理",
                Some(true),
                d(2025, 6, 1),
                None,
                None,
            ),
        ]);
        let got = flat(&repeats(&df, &params()).unwrap());
        assert_eq!(
            got,
            vec![(
                "X2".into(),
                "甲".into(),
                "R-subjective".into(),
                vec!["X1".into()],
                0,
                false
            )]
        );
    }

    /// The frame with its case ids flagged as sorted (as ingest flags a
    /// ledger listed in case-id order).
    fn with_sorted_ids(mut df: DataFrame) -> DataFrame {
        let mut ids = df.column(s::CASE_ID).unwrap().str().unwrap().clone();
        ids.set_sorted_flag(polars::series::IsSorted::Ascending);
        df.replace(s::CASE_ID, ids.into_column()).unwrap();
        df
    }

    #[test]
    fn same_day_cases_in_case_id_order_keep_their_order_when_flagged() {
        // Three same-day cases of one officer listed in case-id text order
        // ("X10" < "X9"): each repeats every one before it.
        let case = |id| {
            (
                id,
                &["甲"][..],
                "超期办理",
                Some(true),
                d(2025, 6, 1),
                None,
                None,
            )
        };
        let df = frame(&[case("X1"), case("X10"), case("X9")]);
        let want = vec![
            (
                "X10".to_string(),
                "甲".to_string(),
                "R-subjective".to_string(),
                vec!["X1".to_string()],
                0,
                false,
            ),
            (
                "X9".into(),
                "甲".into(),
                "R-subjective".into(),
                vec!["X1".into(), "X10".into()],
                0,
                false,
            ),
        ];
        assert!(!listed_in_case_id_order(&df).unwrap());
        assert_eq!(flat(&repeats(&df, &params()).unwrap()), want);
        let flagged = with_sorted_ids(df);
        assert!(listed_in_case_id_order(&flagged).unwrap());
        assert_eq!(flat(&repeats(&flagged, &params()).unwrap()), want);
    }

    #[test]
    fn tolerance_decided_after_the_later_filing_does_not_count() {
        // A tolerated (免责) but decided 2025-05-01, after B was filed 04-10: not a repeat.
        // C filed 05-02, after the decision: R-after-tolerance (gap 04-01 → 05-02 = 31 days),
        // and C itself tolerated → inconsistent.
        let df = frame(&[
            (
                "A",
                &["甲"],
                "裁量不当",
                Some(false),
                d(2025, 4, 1),
                d(2025, 5, 1),
                Some("免责"),
            ),
            (
                "B",
                &["甲"],
                "裁量不当",
                Some(false),
                d(2025, 4, 10),
                None,
                None,
            ),
            (
                "C",
                &["甲"],
                "裁量不当",
                Some(false),
                d(2025, 5, 2),
                d(2025, 5, 20),
                Some("从轻"),
            ),
        ]);
        let got = flat(&repeats(&df, &params()).unwrap());
        assert_eq!(
            got,
            vec![(
                "C".into(),
                "甲".into(),
                "R-after-tolerance".into(),
                vec!["A".into()],
                31,
                true
            )]
        );
    }

    #[test]
    fn empty_subjective_fault_is_not_yes_and_problems_must_match() {
        let df = frame(&[
            (
                "A",
                &["甲"],
                "文书瑕疵",
                Some(true),
                d(2025, 4, 1),
                None,
                None,
            ),
            ("B", &["甲"], "文书瑕疵", None, d(2025, 5, 1), None, None),
            (
                "C",
                &["甲"],
                "超期办理",
                Some(true),
                d(2025, 6, 1),
                None,
                None,
            ),
        ]);
        assert_eq!(repeats(&df, &params()).unwrap().height(), 0);
    }

    #[test]
    fn both_limbs_give_two_rows_and_lookback_limits() {
        let rows: &[Row] = &[
            (
                "A",
                &["甲"],
                "文书瑕疵",
                Some(true),
                d(2025, 3, 5),
                d(2025, 3, 20),
                Some("减轻"),
            ),
            (
                "B",
                &["甲"],
                "文书瑕疵",
                Some(true),
                d(2025, 9, 1),
                d(2025, 9, 20),
                Some("免责"),
            ),
        ];
        let got = flat(&repeats(&frame(rows), &params()).unwrap());
        assert_eq!(
            got,
            // kinds sort as text: R-after-tolerance before R-subjective
            vec![
                (
                    "B".into(),
                    "甲".into(),
                    "R-after-tolerance".into(),
                    vec!["A".into()],
                    180,
                    true
                ),
                (
                    "B".into(),
                    "甲".into(),
                    "R-subjective".into(),
                    vec!["A".into()],
                    180,
                    true
                ),
            ]
        );
        let short = RepeatParams {
            same_domain: false,
            lookback_days: 90,
        };
        assert_eq!(repeats(&frame(rows), &short).unwrap().height(), 0);
    }

    #[test]
    fn check_bars_after_tolerance_and_names_the_cases() {
        let df = frame(&[
            (
                "A",
                &["甲"],
                "文书瑕疵",
                Some(false),
                d(2025, 3, 5),
                d(2025, 3, 20),
                Some("免责"),
            ),
            (
                "B",
                &["乙"],
                "文书瑕疵",
                Some(true),
                d(2025, 3, 5),
                None,
                None,
            ),
        ]);
        let as_of = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let r = check(&df, "甲", "文书瑕疵", None, as_of, false, &params()).unwrap();
        assert!(r.barred);
        assert_eq!(r.prior_case_ids, vec!["A".to_string()]);
        let r = check(&df, "乙", "文书瑕疵", None, as_of, false, &params()).unwrap();
        assert!(!r.barred);
        let r = check(&df, "乙", "文书瑕疵", None, as_of, true, &params()).unwrap();
        assert!(r.barred);
        let early = NaiveDate::from_ymd_opt(2025, 3, 10).unwrap();
        let r = check(&df, "甲", "文书瑕疵", None, early, false, &params()).unwrap();
        assert!(!r.barred, "tolerance not yet decided on 03-10");
    }

    /// The ledger as ingest holds it (units, domains, error types and
    /// outcomes categorical) gives the same flags and text as plain strings,
    /// with and without the same-domain rule.
    #[test]
    fn categorical_ledger_columns_give_the_same_flags() {
        let mut df = frame(&[
            (
                "A",
                &["甲"],
                "文书瑕疵",
                Some(true),
                d(2025, 4, 1),
                d(2025, 4, 10),
                Some("免责"),
            ),
            (
                "B",
                &["甲"],
                "文书瑕疵",
                Some(true),
                d(2025, 5, 1),
                d(2025, 5, 9),
                Some("减轻"),
            ),
            (
                "C",
                &["甲", "乙"],
                "文书瑕疵",
                Some(false),
                d(2025, 6, 1),
                None,
                None,
            ),
            (
                "D",
                &["乙"],
                "超期办理",
                Some(true),
                d(2025, 6, 2),
                None,
                None,
            ),
            (
                "E",
                &["乙"],
                "超期办理",
                Some(true),
                d(2025, 7, 2),
                None,
                Some("从轻"),
            ),
        ]);
        // C is in another domain: it repeats A and B only without the rule.
        let domains = Series::new(
            s::DOMAIN.into(),
            ["市场监管", "市场监管", "城市管理", "交通运输", "交通运输"],
        );
        df.with_column(domains.into_column()).unwrap();
        let coded = s::as_stored(df.clone()).unwrap();
        assert!(matches!(
            coded.column(s::UNIT).unwrap().dtype(),
            DataType::Categorical(..)
        ));
        for same_domain in [false, true] {
            let p = RepeatParams {
                same_domain,
                lookback_days: 0,
            };
            let plain = repeats(&df, &p).unwrap();
            let cat = repeats(&coded, &p).unwrap();
            assert!(plain.equals_missing(&cat), "{plain}\n{cat}");
            assert_eq!(cat.column("unit").unwrap().dtype(), &DataType::String);
            let flagged: Vec<String> = flat(&cat)
                .into_iter()
                .map(|r| format!("{}:{}:{}", r.0, r.1, r.2))
                .collect();
            // 乙 (U+4E59) sorts before 甲 (U+7532)
            let want: &[&str] = if same_domain {
                &[
                    "E:乙:R-subjective",
                    "B:甲:R-after-tolerance",
                    "B:甲:R-subjective",
                ]
            } else {
                &[
                    "E:乙:R-subjective",
                    "B:甲:R-after-tolerance",
                    "B:甲:R-subjective",
                    "C:甲:R-after-tolerance",
                ]
            };
            assert_eq!(flagged, want, "same_domain {same_domain}");
            assert_eq!(
                unit_repeat_rows(&coded, &p).unwrap(),
                unit_repeat_rows(&df, &p).unwrap()
            );
        }
    }

    /// `frame` with each case's unit.
    fn with_units(mut df: DataFrame, units: &[&str]) -> DataFrame {
        df.with_column(Series::new(s::UNIT.into(), units).into_column())
            .unwrap();
        df
    }

    /// Worked by hand from rules.md §3 with the unit as the actor.
    #[test]
    fn a_unit_repeats_a_problem_after_its_own_subjective_error_or_tolerance() {
        let df = with_units(
            frame(&[
                // first of 甲局's 文书瑕疵: no repeat
                (
                    "A",
                    &["甲"],
                    "文书瑕疵",
                    Some(true),
                    d(2025, 4, 1),
                    d(2025, 4, 20),
                    Some("免责"),
                ),
                // A's tolerance is decided after B is filed; B not subjective
                (
                    "B",
                    &["乙"],
                    "文书瑕疵",
                    Some(false),
                    d(2025, 4, 10),
                    None,
                    None,
                ),
                // same day as B (after it by id), no officer: subjective after A
                ("C", &[], "文书瑕疵", Some(true), d(2025, 4, 10), None, None),
                // another problem of the unit
                (
                    "D",
                    &["甲"],
                    "超期办理",
                    Some(false),
                    d(2025, 5, 1),
                    None,
                    None,
                ),
                // another unit
                (
                    "E",
                    &["丙"],
                    "文书瑕疵",
                    Some(true),
                    d(2025, 5, 1),
                    None,
                    None,
                ),
                // after A's tolerance (decided 04-20)
                (
                    "F",
                    &["丁"],
                    "文书瑕疵",
                    Some(false),
                    d(2025, 5, 1),
                    None,
                    None,
                ),
                // 426 days after A, the only tolerated case; subjective empty
                ("G", &["甲"], "文书瑕疵", None, d(2026, 6, 1), None, None),
                // subjective; the latest earlier subjective case is C, 418 days before
                (
                    "H",
                    &["乙"],
                    "文书瑕疵",
                    Some(true),
                    d(2026, 6, 2),
                    None,
                    None,
                ),
            ]),
            &[
                "甲局", "甲局", "甲局", "甲局", "乙局", "甲局", "甲局", "甲局",
            ],
        );
        let unlimited = unit_repeat_rows(&df, &params()).unwrap();
        assert_eq!(
            unlimited,
            [false, false, true, false, false, true, true, true]
        );
        let year = RepeatParams {
            same_domain: false,
            lookback_days: 365,
        };
        assert_eq!(
            unit_repeat_rows(&df, &year).unwrap(),
            [false, false, true, false, false, true, false, false]
        );
    }

    /// The linear scan against the definition read literally (every pair),
    /// on random ledgers: ties on the filing day, cases without a date,
    /// tolerance decided late, lookback windows.
    #[test]
    fn unit_repeats_match_the_definition_pair_by_pair() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for round in 0..20 {
            let n = 120;
            let mut ids: Vec<String> = (0..n).map(|_| format!("C{:04}", next(10_000))).collect();
            // Every other round lists the cases in case-id order (equal
            // ids possible), flagged as ingest flags such a ledger: ties of
            // a day then go by row order instead of a sort by text.
            let in_id_order = round % 2 == 1;
            if in_id_order {
                ids.sort();
            }
            let units: Vec<&str> = (0..n)
                .map(|_| ["甲局", "乙局", "丙局"][next(3) as usize])
                .collect();
            let errors: Vec<&str> = (0..n)
                .map(|_| ["文书瑕疵", "超期办理"][next(2) as usize])
                .collect();
            let subjective: Vec<Option<bool>> = (0..n)
                .map(|_| [Some(true), Some(false), None][next(3) as usize])
                .collect();
            let base = days_since_epoch(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
            let filed: Vec<Option<i32>> = (0..n)
                .map(|_| (next(20) > 0).then(|| base + next(300) as i32))
                .collect();
            let outcomes: Vec<Option<&str>> = (0..n)
                .map(|_| [Some("免责"), Some("减轻"), Some("不予容错"), None][next(4) as usize])
                .collect();
            let decided: Vec<Option<i32>> = (0..n)
                .map(|i| match (filed[i], outcomes[i]) {
                    (Some(f), Some(_)) => Some(f + next(120) as i32),
                    _ => None,
                })
                .collect();
            let officers: Vec<Series> = (0..n).map(|_| Series::new("".into(), ["甲"])).collect();
            let mut officers: ListChunked = officers.into_iter().map(Some).collect();
            officers.rename(s::OFFICERS.into());
            let df = df!(
                s::CASE_ID => &ids,
                s::OFFICERS => officers.into_series(),
                s::UNIT => &units,
                s::DOMAIN => (0..n).map(|_| "市场监管").collect::<Vec<_>>(),
                s::ERROR_TYPE => &errors,
                s::SUBJECTIVE_FAULT => &subjective,
                s::FILED_ON => &filed,
                s::DECIDED_ON => &decided,
                s::OUTCOME => &outcomes,
            )
            .unwrap()
            .lazy()
            .with_columns([
                col(s::FILED_ON).cast(DataType::Date),
                col(s::DECIDED_ON).cast(DataType::Date),
            ])
            .collect()
            .unwrap();
            let df = if in_id_order { with_sorted_ids(df) } else { df };
            assert_eq!(listed_in_case_id_order(&df).unwrap(), in_id_order);
            let lookback = [0, 30, 90][round % 3];
            let p = RepeatParams {
                same_domain: false,
                lookback_days: lookback,
            };
            let want: Vec<bool> = (0..n)
                .map(|i| {
                    let Some(fi) = filed[i] else { return false };
                    (0..n).any(|j| {
                        let Some(fj) = filed[j] else { return false };
                        let earlier = (fj, &ids[j], j) < (fi, &ids[i], i);
                        let in_window = lookback == 0 || fi - fj <= lookback as i32;
                        let tolerated = matches!(outcomes[j], Some("免责" | "减轻" | "从轻"))
                            && decided[j].is_some_and(|dj| dj <= fi);
                        let both_subjective =
                            subjective[i] == Some(true) && subjective[j] == Some(true);
                        j != i
                            && units[j] == units[i]
                            && errors[j] == errors[i]
                            && earlier
                            && in_window
                            && (tolerated || both_subjective)
                    })
                })
                .collect();
            assert_eq!(unit_repeat_rows(&df, &p).unwrap(), want, "round {round}");
        }
    }
}
