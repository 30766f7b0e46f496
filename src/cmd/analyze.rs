//! `jiucuo analyze`: read once, write every analysis table (the deadlines
//! part by part as they are computed, never held whole).

use std::path::PathBuf;

use anyhow::Result;
use polars::prelude::DataFrame;

use super::load;
use super::resolve::{self, LedgerSource};
use super::ui::Progress;
use crate::analysis::deadlines;
use crate::cli;
use crate::ingest;
use crate::output::{self, WriteOptions};
use crate::pipeline::{self, RunInputs, Staging, ANALYSIS_NAMES, STREAMED_CASES_PER_PASS};

pub fn run(a: cli::AnalyzeArgs) -> Result<i32> {
    let day = resolve::as_of(a.as_of.as_deref())?;
    let format = resolve::table_format(a.format);
    let opts = WriteOptions { bom: !a.no_bom };
    crate::fsutil::ensure_writable_dir(&a.out)?;
    let source = LedgerSource::resolve(&a.ledger, false)?;
    let cal = resolve::calendar(&source.config)?;
    let vol = load::volume(a.volume.as_deref(), &source.side_files())?;
    let ros = load::roster(a.roster.as_deref(), &source.side_files())?;
    let ids = pipeline::identities(ros.as_ref())?;
    let mut ledger = load::ledger(&source)?;
    let config = &source.config;
    let progress = Progress::start("分析中");
    // Taken from the ledger: a large one's columns are freed as soon as no
    // analysis needs them.
    let (cases, _) = pipeline::scoped(std::mem::take(&mut ledger.cases), config, day)?;
    let inputs = RunInputs {
        config,
        volume: vol.as_ref(),
        identities: ids.as_ref(),
        as_of: day,
    };
    let path_of = |name: &str| a.out.join(format!("{name}.{}", format.extension()));
    let result = (|| -> Result<Vec<PathBuf>> {
        // The deadlines (a row per case and rule) are written pass by pass;
        // the result is the number of rows computed on weekends only.
        let write_deadlines = |cases: &DataFrame| -> Result<usize> {
            let mut writer = output::PartWriter::create(&path_of("deadlines"), format, opts)?;
            let mut assumed = 0;
            deadlines::deadlines_in_parts(
                cases,
                &cal,
                &pipeline::deadline_params(config, day),
                STREAMED_CASES_PER_PASS,
                |part, _| -> Result<()> {
                    assumed += pipeline::assumed_calendar_rows(&part);
                    writer.write(part)
                },
            )?;
            writer.finish()?;
            Ok(assumed)
        };
        let staging = Staging::for_cases(cases.height());
        let run = pipeline::analyse(
            cases,
            &inputs,
            staging,
            false,
            write_deadlines,
            |_, _, _| Ok(()),
        )?;
        let write = |name: &str, df: &DataFrame| -> Result<()> {
            crate::fsutil::write_atomic(&path_of(name), &output::render(df, format, opts)?)?;
            crate::diag::memory(&format!("{name} written"));
            Ok(())
        };
        write("repeats", &run.repeats)?;
        write("hotspots", &run.hotspots)?;
        write("outcomes", &run.outcomes)?;
        write(
            "validate",
            &ingest::findings_frame(&ledger.findings, &ledger.labels)?,
        )?;
        pipeline::warn_assumed_calendar(run.deadlines);
        Ok(ANALYSIS_NAMES.into_iter().map(path_of).collect())
    })();
    progress.finish();
    let mut written = result?;
    if ledger.accounting.rejected > 0 {
        let path = a.out.join("rejects.xlsx");
        crate::fsutil::write_atomic(&path, &crate::rejects::rejects_xlsx(&ledger)?)?;
        written.push(path);
    }
    for p in &written {
        eprintln!("已写出：{}", p.display());
    }
    Ok(0)
}
