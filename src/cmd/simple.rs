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
use crate::ingest::guess;
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
    let defaults = crate::config::Config::default();
    // every flag before the ledger is opened
    let encoding = super::resolve::encoding(a.encoding.as_deref(), &defaults)?;
    if let Some(from) = &a.from {
        if crate::ingest::Format::from_path(from).is_none() {
            bail!(crate::ingest::IngestError::UnknownFormat { path: from.clone() });
        }
    }
    if a.out.exists() && !a.force {
        bail!("{} 已存在；如要覆盖，请加 --force", a.out.display());
    }
    let Some(from) = &a.from else {
        crate::fsutil::write_atomic(&a.out, crate::config::DEFAULT_TOML.as_bytes())?;
        eprintln!(
            "已写出默认配置：{}（每项均附说明，修改后即生效）",
            a.out.display()
        );
        return Ok(0);
    };
    let opts = crate::ingest::ReadOptions {
        encoding,
        sheet: a.sheet.clone(),
        keep_summaries: false,
    };
    let guess = guess::header_guess(from, &opts, &defaults)?;
    let name = from
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = guess::config_for(&guess, &name, a.sheet.as_deref());
    guess::check(&text).map_err(|e| anyhow::anyhow!("生成的配置无法读回（程序错误）：{e}"))?;
    crate::fsutil::write_atomic(&a.out, text.as_bytes())?;
    report_guess(&guess, &a.out);
    Ok(0)
}

/// What `init --from` found, in a few lines.
fn report_guess(g: &guess::HeaderGuess, out: &std::path::Path) {
    use crate::schema::FIELDS;
    let pick = |want: fn(&guess::FieldGuess) -> bool| -> Vec<String> {
        FIELDS
            .iter()
            .zip(&g.fields)
            .filter(|(_, f)| want(f))
            .map(|(field, f)| match f {
                guess::FieldGuess::Synonym(h) | guess::FieldGuess::Similar(h) => {
                    format!("{}→“{}”", field.header, h)
                }
                _ => field.header.to_string(),
            })
            .collect()
    };
    let named = pick(|f| matches!(f, guess::FieldGuess::Named(_))).len();
    let guessed = pick(|f| {
        matches!(
            f,
            guess::FieldGuess::Synonym(_) | guess::FieldGuess::Similar(_)
        )
    });
    let missing: Vec<String> = FIELDS
        .iter()
        .zip(&g.fields)
        .filter(|(field, f)| field.required && **f == guess::FieldGuess::Absent)
        .map(|(field, _)| field.header.to_string())
        .collect();
    eprintln!(
        "已写出配置：{}（表头在{}第{}行；{named} 列与标准表头一致）",
        out.display(),
        g.sheet
            .as_ref()
            .map(|s| format!("工作表“{s}”"))
            .unwrap_or_default(),
        g.header_row
    );
    if !guessed.is_empty() {
        eprintln!("推测的对应（已标“请核对”）：{}", guessed.join("、"));
    }
    if !missing.is_empty() {
        eprintln!(
            "未找到的必填列：{}。请在该文件 [ledger.headers] 中填入本单位表中对应列的表头",
            missing.join("、")
        );
    }
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
