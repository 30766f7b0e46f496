//! `jiucuo whatif`: one read of the ledger, every analysis under reading A
//! and under reading B, and what differs between them
//! (`pipeline::whatif`), as CSV tables and one Excel workbook.

use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

use super::load;
use super::resolve::{self, LedgerSource};
use super::ui::Progress;
use crate::analysis::deadlines;
use crate::analysis::repeats::Identities;
use crate::cli;
use crate::config::{Config, READINGS};
use crate::ingest::auxiliary::Volume;
use crate::output::{self, TableFormat, WriteOptions};
use crate::pipeline::whatif::{self, Comparison, ReadingResult};
use crate::pipeline::{self, RunInputs, Staging, STREAMED_CASES_PER_PASS};

/// Reading B: a built-in reading or a configuration file, put over A.
pub(super) fn reading_b(a: &Config, vs: &str) -> Result<(Config, String)> {
    if let Some((name, what, overrides)) = READINGS.iter().find(|(n, _, _)| *n == vs) {
        let config = a.with_overrides(overrides, Path::new(name))?;
        return Ok((config, format!("口径 A，但{what}（内置口径“{name}”）")));
    }
    let path = Path::new(vs);
    if !path.exists() {
        let names: Vec<&str> = READINGS.iter().map(|r| r.0).collect();
        anyhow::bail!(
            "--vs {vs}：既不是配置文件，也不是内置口径名称（可用：{}）",
            names.join("、")
        );
    }
    // a file's settings are put over A: a whole configuration replaces
    // it, a few lines (as in readings/) change just those
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("无法读取口径文件 {}：{e}", path.display()))?;
    Ok((
        a.with_overrides(&text, path)?,
        format!("口径 A，但按配置文件 {} 中所列各项", path.display()),
    ))
}

pub fn run(a: cli::WhatifArgs) -> Result<i32> {
    let day = resolve::as_of(a.as_of.as_deref())?;
    crate::fsutil::ensure_writable_dir(&a.out)?;
    let source = LedgerSource::resolve(&a.ledger, false)?;
    let config_a = source.config.clone();
    let (config_b, b_is) = reading_b(&config_a, &a.vs)?;
    let a_is = match &a.ledger.config {
        Some(p) => format!("配置文件 {}", p.display()),
        None if Path::new("jiucuo.toml").exists() => "当前目录的 jiucuo.toml".to_string(),
        None => "内置默认口径".to_string(),
    };
    let vol = load::volume(a.volume.as_deref(), &source.side_files())?;
    let ros = load::roster(a.roster.as_deref(), &source.side_files())?;
    let ids = pipeline::identities(ros.as_ref())?;
    let ledger = load::ledger(&source)?;
    let progress = Progress::start("口径比较中");
    let result = (|| -> Result<(ReadingResult, ReadingResult)> {
        // one read of the ledger, analysed under each reading in turn (the
        // scope note is said once)
        let (cases_a, _) = pipeline::scoped(ledger.cases.clone(), &config_a, day)?;
        let ra = analyse_under(cases_a, &config_a, vol.as_ref(), ids.as_ref(), day)?;
        let (cases_b, _) = crate::analysis::scope::as_of_view(
            ledger.cases.clone(),
            day,
            (config_b.pilot.start, config_b.pilot.end),
        )?;
        let rb = analyse_under(cases_b, &config_b, vol.as_ref(), ids.as_ref(), day)?;
        Ok((ra, rb))
    })();
    progress.finish();
    let (ra, rb) = result?;
    let c = whatif::compare(&ra, &rb)?;
    let written = write(&a.out, &c, &a_is, &b_is)?;
    eprintln!("{}", summary(&c, &ra, &rb, &a_is, &b_is)?);
    for p in &written {
        eprintln!("已写出：{}", p.display());
    }
    Ok(0)
}

/// Every analysis of the cases under one reading (the deadlines kept as
/// case, rule and status only).
pub(super) fn analyse_under(
    cases: DataFrame,
    config: &Config,
    volume: Option<&Volume>,
    identities: Option<&Identities>,
    day: NaiveDate,
) -> Result<ReadingResult> {
    let cal = resolve::calendar(config)?;
    let inputs = RunInputs {
        config,
        volume,
        identities,
        as_of: day,
    };
    let staging = Staging::for_cases(cases.height());
    let keep_deadlines = |cases: &DataFrame| -> Result<DataFrame> {
        let mut parts: Vec<DataFrame> = Vec::new();
        deadlines::deadlines_in_parts(
            cases,
            &cal,
            &pipeline::deadline_params(config, day),
            STREAMED_CASES_PER_PASS,
            |part, _| -> Result<()> {
                parts.push(as_strings(&part, &["case_id", "rule", "status"])?);
                Ok(())
            },
        )?;
        let mut all = match parts.first() {
            Some(p) => p.clone(),
            None => DataFrame::new(
                0,
                ["case_id", "rule", "status"]
                    .iter()
                    .map(|n| Column::new((*n).into(), Vec::<String>::new()))
                    .collect(),
            )?,
        };
        for p in parts.iter().skip(1) {
            all.vstack_mut(p)?;
        }
        Ok(all)
    };
    let run = pipeline::analyse(cases, &inputs, staging, false, keep_deadlines, |_, _, _| {
        Ok(())
    })?;
    let letter_levels = if config.letters.level == "warning" {
        vec!["alarm".to_string(), "warning".to_string()]
    } else {
        vec!["alarm".to_string()]
    };
    Ok(ReadingResult {
        deadlines: run.deadlines,
        repeats: as_strings(&run.repeats, &["case_id", "officer", "kind"])?,
        hotspots: as_strings(
            &run.hotspots,
            &["window", "dims", "unit", "domain", "error_type", "level"],
        )?,
        letter_levels,
    })
}

/// The comparison of reading A (`config`) with `vs` on the ledger's cases
/// (as read, before the as-of scope), for `report review --compare`.
pub fn compare_for_report(
    cases: &DataFrame,
    config: &Config,
    vs: &str,
    volume: Option<&Volume>,
    identities: Option<&Identities>,
    day: NaiveDate,
) -> Result<whatif::Compared> {
    let (config_b, b_is) = reading_b(config, vs)?;
    let view = |c: &Config| {
        crate::analysis::scope::as_of_view(cases.clone(), day, (c.pilot.start, c.pilot.end))
            .map(|(v, _)| v)
    };
    let ra = analyse_under(view(config)?, config, volume, identities, day)?;
    let rb = analyse_under(view(&config_b)?, &config_b, volume, identities, day)?;
    Ok(whatif::Compared {
        b_is,
        comparison: whatif::compare(&ra, &rb)?,
        notices: (whatif::notice_count(&ra)?, whatif::notice_count(&rb)?),
    })
}

/// The named columns as text (categories and all).
fn as_strings(df: &DataFrame, names: &[&str]) -> Result<DataFrame> {
    Ok(df
        .clone()
        .lazy()
        .select(
            names
                .iter()
                .map(|n| col(*n).cast(DataType::String))
                .collect::<Vec<_>>(),
        )
        .collect()?)
}

/// The tables: (file stem and sheet name, frame).
fn tables(c: &Comparison) -> [(&'static str, &DataFrame); 6] {
    [
        ("期限状态", &c.deadlines),
        ("重复失误比对", &c.repeats),
        ("风险点级别", &c.risk_points),
        ("风险点差异", &c.risk_point_changes),
        ("警示提醒函差异", &c.notices),
        ("逐案差异", &c.cases),
    ]
}

/// CSV per table (column names as outputs, English) and one workbook with
/// Chinese headers, its first sheet saying what A and B are.
fn write(out: &Path, c: &Comparison, a_is: &str, b_is: &str) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let opts = WriteOptions { bom: true };
    for (name, df) in tables(c) {
        let path = out.join(format!("{name}.csv"));
        crate::fsutil::write_atomic(&path, &output::render(df, TableFormat::Csv, opts)?)?;
        written.push(path);
    }
    let about = df!(
        "口径" => ["口径 A", "口径 B"],
        "说明" => [a_is, b_is],
    )?;
    let labelled: Vec<(String, DataFrame)> = tables(c)
        .into_iter()
        .map(|(name, df)| Ok((name.to_string(), chinese_headers(df)?)))
        .collect::<Result<_>>()?;
    let mut sheets: Vec<(&str, &DataFrame)> = vec![("说明", &about)];
    sheets.extend(labelled.iter().map(|(n, d)| (n.as_str(), d)));
    let path = out.join("口径比较.xlsx");
    crate::fsutil::write_atomic(&path, &output::render_xlsx(&sheets)?)?;
    written.push(path);
    Ok(written)
}

fn chinese_headers(df: &DataFrame) -> Result<DataFrame> {
    let mut df = df.clone();
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    for n in names {
        let label = match n.as_str() {
            "rule_name" => "期限规则".to_string(),
            "rule" => "规则编号".to_string(),
            "count_a" | "under_a" => "口径A".to_string(),
            "count_b" | "under_b" => "口径B".to_string(),
            "level_a" => "口径A级别".to_string(),
            "level_b" => "口径B级别".to_string(),
            "change" => "变化（B−A）".to_string(),
            "what" => "项目".to_string(),
            other => crate::report::table::label(other),
        };
        df.rename(&n, label.into())?;
    }
    Ok(df)
}

/// What changed, in a few lines for the terminal.
fn summary(
    c: &Comparison,
    a: &ReadingResult,
    b: &ReadingResult,
    a_is: &str,
    b_is: &str,
) -> Result<String> {
    let sum = |df: &DataFrame, col: &str| -> Result<i64> {
        Ok(df.column(col)?.i64()?.iter().flatten().sum())
    };
    let deadline_cases = (0..c.cases.height())
        .filter(|i| {
            c.cases
                .column("what")
                .ok()
                .and_then(|w| w.str().ok()?.get(*i).map(|s| s.starts_with("期限")))
                .unwrap_or(false)
        })
        .count();
    let candidates =
        |df: &DataFrame| -> Result<i64> { Ok(df.column("count_a")?.i64()?.get(0).unwrap_or(0)) };
    let cand_b = c.repeats.column("count_b")?.i64()?.get(0).unwrap_or(0);
    Ok(format!(
        "口径 A：{a_is}\n口径 B：{b_is}\n办理期限：{deadline_cases} 项检查的状态不同\n第十二条第（五）项比对：可能属于的案件 A {} 件，B {cand_b} 件\n易错风险点（告警、预警）：A {} 个，B {} 个；级别不同的 {} 个\n警示提醒函：A {} 份，B {} 份；{} 个单位不同\n逐案差异 {} 条",
        candidates(&c.repeats)?,
        sum(&c.risk_points, "count_a")?,
        sum(&c.risk_points, "count_b")?,
        c.risk_point_changes.height(),
        whatif::notice_count(a)?,
        whatif::notice_count(b)?,
        c.notices.height(),
        c.cases.height(),
    ))
}
