//! `jiucuo check`: art. 12(5) for one officer and one problem, for a case
//! about to be decided.

use anyhow::Result;
use polars::prelude::*;

use super::load;
use super::resolve::{self, LedgerSource};
use super::ui::{write_table, EXIT_FINDINGS};
use crate::analysis::repeats;
use crate::cli;
use crate::pipeline;

pub fn run(a: cli::CheckArgs) -> Result<i32> {
    let day = resolve::as_of(a.as_of.as_deref())?;
    let filed_flag = match &a.filed {
        Some(t) => Some(resolve::date(t, "--filed")?),
        None => None,
    };
    let source = LedgerSource::resolve(&a.ledger, false)?;
    let ros = load::roster(a.roster.as_deref(), &source.side_files())?;
    let ids = pipeline::identities(ros.as_ref())?;
    let p = pipeline::repeat_params(&source.config);
    let ledger = load::ledger(&source)?;
    let (cases, _) = pipeline::scoped(ledger.cases, &source.config, day)?;
    let filed = match (&a.case, filed_flag) {
        (Some(id), _) => case_filed_on(&cases, id)?,
        (None, Some(d)) => d,
        (None, None) => day,
    };
    let query = repeats::CheckQuery {
        officer: &a.officer,
        problem: &a.problem,
        domain: a.domain.as_deref(),
        as_of: day,
        filed,
        case_id: a.case.as_deref(),
        subjective: a.subjective,
    };
    let r = repeats::check(&cases, &query, &p, ids.as_ref())?;
    let ids = Series::new("prior_case_ids".into(), r.prior_case_ids.clone());
    let table = df!(
        "officer" => [r.officer.clone()],
        "problem" => [r.problem.clone()],
        "barred" => [r.barred],
        "reason" => [r.reason.clone()],
        "prior_case_ids" => ListChunked::from_iter([Some(ids)]).into_series(),
    )?;
    write_table(&table, &a.output)?;
    eprintln!("{}", r.reason);
    Ok(if r.barred { EXIT_FINDINGS } else { 0 })
}

/// The filing date of a case of the ledger (as of the check's date).
fn case_filed_on(cases: &DataFrame, id: &str) -> Result<chrono::NaiveDate> {
    let found = cases
        .clone()
        .lazy()
        .filter(col(crate::schema::CASE_ID).eq(lit(id)))
        .select([col(crate::schema::FILED_ON)])
        .collect()?;
    let day = found
        .column(crate::schema::FILED_ON)?
        .date()?
        .physical()
        .get(0);
    match day {
        Some(d) => Ok(crate::period::date_from_days(d)),
        None => anyhow::bail!(
            "--case “{id}”不在台账中（或在基准日之后立案、在试点期间以外）：请核对案件编号，或改用 --filed 给出立案日期"
        ),
    }
}
