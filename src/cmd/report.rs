//! `jiucuo report quarterly|warnings|review`.

use anyhow::{bail, Result};
use chrono::NaiveDate;

use super::load;
use super::resolve::{self, LedgerSource};
use super::ui::Progress;
use crate::cli::{self, ReportKind};
use crate::period::{Quarter, Window};
use crate::pipeline::{self, Staging};
use crate::report::model::Basis;
use crate::report::run::{warnings_summary, ReportOptions, ReportRun, ReportScope};

pub fn run(a: cli::ReportArgs) -> Result<i32> {
    let quarter = match (&a.quarter, a.kind) {
        (Some(q), _) => Some(resolve::quarter(q)?),
        (None, ReportKind::Review) => None,
        (None, _) => bail!("季度报告和警示提醒函需要 --quarter，例如 --quarter 2026Q3"),
    };
    let as_of = match &a.as_of {
        Some(t) => Some(resolve::date(t, "--as-of")?),
        None => None,
    };
    if a.compare.is_some() && a.kind != ReportKind::Review {
        bail!("--compare 只用于试点评估报告（report review）");
    }
    if a.letters.is_some() && a.kind != ReportKind::Review {
        bail!("--letters 只用于试点评估报告（report review）");
    }
    crate::fsutil::ensure_writable_dir(&a.out)?;
    let source = LedgerSource::resolve(&a.ledger, a.summaries)?;
    let config = &source.config;
    let day = match (as_of, quarter) {
        (Some(d), _) => d,
        (None, Some(q)) => q.last_day(),
        (None, None) => resolve::today().min(config.pilot.end),
    };
    let cal = resolve::calendar(config)?;
    let font = resolve::font(config);
    let vol = load::volume(a.volume.as_deref(), &source.side_files())?;
    let ros = load::roster(a.roster.as_deref(), &source.side_files())?;
    let letters = match &a.letters {
        Some(p) => Some(crate::ingest::auxiliary::read_letters(
            p,
            &source.side_files(),
        )?),
        None => None,
    };
    if a.names && ros.is_none() {
        eprintln!("注意：--names 需要同时给出 --roster 人员名册，否则仍显示执法证号");
    }
    let mut ledger = load::ledger(&source)?;
    if let Some(l) = &letters {
        for note in unknown_in_ledger(l, &ledger.cases)? {
            eprintln!("{note}");
        }
    }
    if let Some(m) = font.message() {
        eprintln!("{m}");
    }
    let compared = match &a.compare {
        Some(vs) => {
            let ids = pipeline::identities(ros.as_ref())?;
            let progress = Progress::start("口径比较中");
            let c = super::whatif::compare_for_report(
                &ledger.cases,
                config,
                vs,
                vol.as_ref(),
                ids.as_ref(),
                day,
            );
            progress.finish();
            Some(c?)
        }
        None => None,
    };
    let progress = Progress::start("生成报告");
    let cases = std::mem::take(&mut ledger.cases);
    let run = prepare_run(
        cases,
        &ledger,
        config,
        vol.as_ref(),
        ros,
        quarter,
        day,
        &font,
        &cal,
    );
    progress.finish();
    let run = run?;
    let o = ReportOptions {
        names: a.names,
        summaries: a.summaries,
    };
    let reports = render(
        &run,
        config,
        a.kind,
        quarter,
        day,
        &o,
        compared.as_ref(),
        letters.as_deref(),
    )?;
    let mut written = Vec::new();
    for r in &reports {
        written.extend(crate::report::write(r, &a.out)?);
    }
    for p in &written {
        eprintln!("已写出：{}", p.display());
    }
    if a.kind == ReportKind::Warnings {
        eprintln!("{}", warnings_summary(config, reports.len()));
        let reply_by = cal
            .period_end(day, config.report.reply_days, false)
            .deadline;
        if !reports.is_empty() && reply_by < resolve::today() {
            eprintln!(
                "注意：提醒函要求的回复期限 {reply_by} 已过（按基准日 {day} 计算）；如今天发函，请加 --as-of 指定发函日期"
            );
        }
    }
    Ok(0)
}

/// Analyse `cases` (the ledger's, as read) for the reports as of `day`:
/// the run `report` and the workbench both make, so both write the same bytes.
#[allow(clippy::too_many_arguments)]
pub fn prepare_run(
    cases: polars::prelude::DataFrame,
    ledger: &crate::ingest::Ledger,
    config: &crate::config::Config,
    vol: Option<&crate::ingest::auxiliary::Volume>,
    ros: Option<polars::prelude::DataFrame>,
    quarter: Option<Quarter>,
    day: NaiveDate,
    font: &crate::chart::font::FontChoice,
    cal: &crate::calendar::Calendar,
) -> Result<ReportRun> {
    let (cases, scope) = pipeline::scoped(cases, config, day)?;
    let basis = Basis::new(config, ledger, &scope, ros.is_some());
    let report_scope = ReportScope {
        as_of: day,
        window: quarter.map(Window::Quarter),
        png_width: Some(crate::chart::REPORT_PNG_WIDTH),
        staging: Staging::for_cases(cases.height()),
        font,
        calendar: cal,
    };
    ReportRun::prepare(
        cases,
        crate::ingest::findings_frame(&ledger.findings, &ledger.labels)?,
        config,
        vol,
        ros,
        report_scope,
        basis,
    )
}

/// The reports of one kind (a quarter is needed for all but the review).
#[allow(clippy::too_many_arguments)]
pub fn render(
    run: &ReportRun,
    config: &crate::config::Config,
    kind: ReportKind,
    quarter: Option<Quarter>,
    day: NaiveDate,
    o: &ReportOptions,
    compared: Option<&crate::pipeline::whatif::Compared>,
    letters: Option<&[crate::ingest::auxiliary::Letter]>,
) -> Result<Vec<crate::report::Rendered>> {
    Ok(match (kind, quarter) {
        (ReportKind::Quarterly, Some(q)) => vec![run.quarterly(config, q, day, o)?],
        (ReportKind::Warnings, Some(q)) => run.warnings(config, q, day, o)?,
        (ReportKind::Review, _) => vec![run.review(config, day, o, compared, letters)?],
        (_, None) => bail!("季度报告和警示提醒函需要指定季度，例如 2026Q3"),
    })
}

/// A note for each unit or problem type of the register that no case of
/// the ledger has (a misspelt name would give its letter no errors to
/// compare: 无法检验 in the review).
pub fn unknown_in_ledger(
    letters: &[crate::ingest::auxiliary::Letter],
    cases: &polars::prelude::DataFrame,
) -> Result<Vec<String>> {
    use polars::prelude::*;
    let known = |name: &str| -> Result<std::collections::BTreeSet<String>> {
        let c = cases.column(name)?.cast(&DataType::String)?;
        Ok(c.str()?.iter().flatten().map(String::from).collect())
    };
    let (units, types) = (
        known(crate::schema::UNIT)?,
        known(crate::schema::ERROR_TYPE)?,
    );
    let mut notes = Vec::new();
    for l in letters {
        if !units.contains(&l.unit) {
            notes.push(format!(
                "注意：提醒函登记中的执法单位“{}”在台账中没有案件，请核对名称（该函无法比较）",
                l.unit
            ));
        } else if !types.contains(&l.error_type) {
            notes.push(format!(
                "注意：提醒函登记中{}的问题类型“{}”在台账中没有，请核对名称（该函无法比较）",
                l.unit, l.error_type
            ));
        }
    }
    notes.dedup();
    Ok(notes)
}
