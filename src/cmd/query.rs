//! `jiucuo query`: a named query or the user's own SQL over the ledger and
//! every analysis table.

use anyhow::{bail, Result};

use super::load;
use super::resolve::{self, LedgerSource};
use super::ui::write_table;
use crate::cli;
use crate::config::Config;
use crate::pipeline::{self, Analyses, DeadlineTable, RunInputs, Staging};
use crate::query::{self, Params};

/// Long: resolve every flag and the named query before reading the ledger, then one run; split, the resolved values would travel as a struct of their own.
pub fn run(a: cli::QueryArgs) -> Result<i32> {
    if a.list {
        let config = Config::load(a.config.as_deref())?;
        let catalog = query::catalog(config.queries_dir().as_deref())?;
        let width = catalog.keys().map(|k| k.len()).max().unwrap_or(0);
        for q in catalog.values() {
            let origin = match &q.source {
                query::Source::Embedded => String::new(),
                query::Source::File(p) => format!("（{}）", p.display()),
            };
            println!("{:width$}  {}{origin}", q.name, q.purpose);
        }
        return Ok(0);
    }
    let Some(ledger_path) = a.ledger.clone() else {
        bail!("请给出台账文件，例如：jiucuo query ledger.csv --name overview_by_quarter");
    };
    let day = resolve::as_of(a.as_of.as_deref())?;
    let params = params(&a.period, day)?;
    let ledger_args = cli::LedgerArgs {
        ledger: ledger_path,
        config: a.config.clone(),
        encoding: a.encoding.clone(),
        sheet: a.sheet.clone(),
    };
    // a user's query may read any column, summaries included
    let source = LedgerSource::resolve(&ledger_args, true)?;
    let config = &source.config;
    let named = match (&a.sql_file, &a.name) {
        (Some(file), _) => query::NamedQuery {
            name: file
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default(),
            purpose: String::new(),
            sql: query::load_file(file)?,
            source: query::Source::File(file.clone()),
        },
        (None, Some(name)) => {
            let mut catalog = query::catalog(config.queries_dir().as_deref())?;
            let available = catalog.keys().cloned().collect::<Vec<_>>().join("、");
            catalog.remove(name).ok_or(query::QueryError::Unknown {
                name: name.clone(),
                available,
            })?
        }
        (None, None) => bail!("请给出 .sql 文件或 --name 查询名（jiucuo query --list 查看全部）"),
    };
    let cal = resolve::calendar(config)?;
    let vol = load::volume(a.volume.as_deref(), &source.side_files())?;
    let ros = load::roster(a.roster.as_deref(), &source.side_files())?;
    let ids = pipeline::identities(ros.as_ref())?;
    let mut ledger = load::ledger(&source)?;
    let (cases, _) = pipeline::scoped(std::mem::take(&mut ledger.cases), config, day)?;
    let inputs = RunInputs {
        config,
        volume: vol.as_ref(),
        identities: ids.as_ref(),
        as_of: day,
    };
    let staging = Staging::for_cases(cases.height());
    let spill_deadlines = |cases: &polars::prelude::DataFrame| {
        DeadlineTable::compute(cases, &cal, &pipeline::deadline_params(config, day))
    };
    let run = pipeline::analyse(cases, &inputs, staging, true, spill_deadlines, |_, _, _| {
        Ok(())
    })?;
    let analyses = Analyses {
        deadlines: run.deadlines,
        repeats: run.repeats,
        hotspots: run.hotspots,
        outcomes: run.outcomes,
        validate: crate::ingest::findings_frame(&ledger.findings, &ledger.labels)?,
    };
    let cases = run
        .cases
        .ok_or_else(|| anyhow::anyhow!("the run kept no cases"))?;
    // a workbook read from several sheets: rows numbered within each sheet
    // (a staged table above 2 M cases keeps its row keys)
    let cases = match cases {
        pipeline::CaseTable::Memory(df) => {
            pipeline::CaseTable::Memory(crate::ingest::rows::sheet_rows(df, &ledger.labels)?)
        }
        staged => staged,
    };
    let tables = query::tables_of(&cases, &analyses, vol.as_ref(), ros.as_ref())?;
    let df = query::run(&named, &tables, &params)?;
    write_table(&df, &a.output)?;
    Ok(0)
}

/// Query placeholders from the period flags.
fn params(period_args: &cli::PeriodArgs, as_of: chrono::NaiveDate) -> Result<Params> {
    let mut p = Params {
        as_of: Some(as_of),
        ..Default::default()
    };
    match resolve::period(period_args)? {
        crate::period::Period::Quarter(q) => {
            p.quarter = Some(q);
            p.from = Some(q.first_day());
            p.to = Some(q.last_day());
        }
        crate::period::Period::Range(a, b) => {
            p.from = Some(a);
            p.to = Some(b);
        }
        crate::period::Period::AllQuarters => {}
    }
    Ok(p)
}
