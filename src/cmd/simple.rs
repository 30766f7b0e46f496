//! The one-table analysis commands (`deadlines`, `repeats`, `hotspots`,
//! `outcomes`) and the ones that read no ledger (`init`, `template`,
//! `generate`). Each resolves its flags, reads the ledger, takes the view
//! as of `--as-of` and writes its table.

use anyhow::{bail, Result};

use super::load;
use super::resolve::{self, LedgerSource};
use super::ui::write_table;
use crate::analysis::{deadlines, hotspots, repeats};
use crate::cli;
use crate::pipeline::{self, RunInputs};

pub fn deadlines(a: cli::DeadlinesArgs) -> Result<i32> {
    let day = resolve::as_of(a.as_of.as_deref())?;
    let source = LedgerSource::resolve(&a.ledger, false)?;
    let cal = resolve::calendar(&source.config)?;
    let ledger = load::ledger(&source)?;
    let (cases, _) = pipeline::scoped(ledger.cases, &source.config, day)?;
    let p = pipeline::deadline_params(&source.config, day);
    let table = deadlines::deadlines(&cases, &cal, &p)?;
    pipeline::warn_assumed_calendar(pipeline::assumed_calendar_rows(&table));
    write_table(&table, &a.output)?;
    Ok(0)
}

pub fn repeats(a: cli::RepeatsArgs) -> Result<i32> {
    let day = resolve::as_of(a.as_of.as_deref())?;
    let source = LedgerSource::resolve(&a.ledger, false)?;
    let ros = load::roster(a.roster.as_deref(), &source.side_files())?;
    let ids = pipeline::identities(ros.as_ref())?;
    let mut p = pipeline::repeat_params(&source.config);
    p.same_domain |= a.same_domain;
    if let Some(days) = a.lookback_days {
        p.lookback_days = days;
    }
    let ledger = load::ledger(&source)?;
    let (cases, _) = pipeline::scoped(ledger.cases, &source.config, day)?;
    write_table(&repeats::repeats(&cases, &p, ids.as_ref())?, &a.output)?;
    Ok(0)
}

pub fn hotspots(a: cli::HotspotsArgs) -> Result<i32> {
    let day = resolve::as_of(a.as_of.as_deref())?;
    let which = resolve::period(&a.period)?;
    let source = LedgerSource::resolve(&a.ledger, false)?;
    let vol = load::volume(a.volume.as_deref(), &source.side_files())?;
    let ros = load::roster(a.roster.as_deref(), &source.side_files())?;
    let ids = pipeline::identities(ros.as_ref())?;
    let ledger = load::ledger(&source)?;
    let config = &source.config;
    let (cases, _) = pipeline::scoped(ledger.cases, config, day)?;
    let p = pipeline::hotspot_params(config, day);
    let table = hotspots::hotspots(&cases, vol.as_ref(), which, &p)?;
    let repeats = repeats::repeats(&cases, &pipeline::repeat_params(config), ids.as_ref())?;
    let table = hotspots::with_officer_repeats(table, &repeats)?;
    write_table(&table, &a.output)?;
    Ok(0)
}

pub fn outcomes(a: cli::OutcomesArgs) -> Result<i32> {
    let day = resolve::as_of(a.as_of.as_deref())?;
    let source = LedgerSource::resolve(&a.ledger, false)?;
    let ros = load::roster(a.roster.as_deref(), &source.side_files())?;
    let ids = pipeline::identities(ros.as_ref())?;
    let ledger = load::ledger(&source)?;
    let (cases, _) = pipeline::scoped(ledger.cases, &source.config, day)?;
    let inputs = RunInputs {
        config: &source.config,
        volume: None,
        identities: ids.as_ref(),
        as_of: day,
    };
    let base = pipeline::run_analysis("outcomes", &cases, &inputs)?;
    let repeats = pipeline::run_analysis("repeats", &cases, &inputs)?;
    let table = pipeline::with_cited_without_basis(&cases, &repeats, base)?;
    write_table(&table, &a.output)?;
    Ok(0)
}

pub fn init(a: cli::InitArgs) -> Result<i32> {
    if a.out.exists() && !a.force {
        bail!("{} 已存在；如要覆盖，请加 --force", a.out.display());
    }
    crate::fsutil::write_atomic(&a.out, crate::config::DEFAULT_TOML.as_bytes())?;
    eprintln!(
        "已写出默认配置：{}（每项均附说明，修改后即生效）",
        a.out.display()
    );
    Ok(0)
}

pub fn template(a: cli::TemplateArgs) -> Result<i32> {
    let bytes = crate::template::blank_ledger()?;
    crate::fsutil::write_atomic(&a.out, &bytes)?;
    eprintln!("已写出空白台账模板：{}", a.out.display());
    Ok(0)
}

pub fn generate(a: cli::GenerateArgs) -> Result<i32> {
    let written = crate::generate::write_dataset(&a.out, a.rows, a.seed, a.dirty, !a.no_plants)?;
    for p in written {
        eprintln!("已写出：{}", p.display());
    }
    Ok(0)
}
