//! `jiucuo demo`: the main job on built-in generated data — generate,
//! validate, analyse, chart and report — writing everything into one folder.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::ui::Progress;
use super::{load, resolve};
use crate::config::Config;
use crate::ingest::{self, Encoding, ReadOptions};
use crate::output::{TableFormat, WriteOptions};
use crate::period::{Quarter, Window};
use crate::pipeline::{self, Staging};
use crate::report::model::Basis;
use crate::report::run::{warnings_summary, ReportOptions, ReportRun, ReportScope};

/// Seed of the built-in demo data.
pub const DEMO_SEED: u64 = 20250301;

/// The quarter the demo reports on: the last complete quarter before the export date.
pub fn demo_quarter() -> Quarter {
    Quarter::of(crate::generate::as_of()).prev()
}

/// Generate, validate, analyse and report into `out`; print a Chinese summary.
///
/// Long: the demo is the main job end to end (generate, read, check,
/// analyse, chart, report, list what was written), each step one call.
pub fn run(out: &Path, rows: usize) -> Result<i32> {
    crate::fsutil::ensure_writable_dir(out)?;
    let data_dir = out.join("data");
    let progress = Progress::start("生成模拟台账");
    let generated = crate::generate::write_dataset(&data_dir, rows, DEMO_SEED, true, true);
    progress.finish();
    generated?;
    let mut written: Vec<(PathBuf, String)> = vec![
        (
            data_dir.join("ledger.csv"),
            "模拟案件台账（含各类问题行）".into(),
        ),
        (data_dir.join("roster.csv"), "人员名册".into()),
        (data_dir.join("volume.csv"), "执法量".into()),
        (data_dir.join("truth.json"), "埋设情况说明".into()),
    ];
    let ledger_path = data_dir.join("ledger.csv");
    let config = Config::default();
    let opts = ReadOptions {
        encoding: Encoding::Auto,
        sheet: None,
        keep_summaries: true,
    };
    let ledger = ingest::read_ledger(&ledger_path, &opts, &config)?;
    load::report_accounting(&ledger, &ledger_path);
    let volume = ingest::auxiliary::read_volume(&data_dir.join("volume.csv"), &opts)?;
    let roster = ingest::auxiliary::read_roster(&data_dir.join("roster.csv"), &opts)?;
    let as_of = crate::generate::as_of();
    let quarter = demo_quarter();

    // Validation and every analysis table.
    written.extend(write_checks(&ledger, out)?);
    // Every analysis and chart, once, for the analysis tables and the reports.
    let progress = Progress::start("分析、绘制图表");
    let calendar = resolve::calendar(&config)?;
    let font = resolve::font(&config);
    if let Some(m) = font.message() {
        eprintln!("{m}");
    }
    // the demo also writes the charts on their own (图表/): full width
    let scope = ReportScope {
        as_of,
        window: Some(Window::Quarter(quarter)),
        png_width: None,
        staging: Staging::for_cases(ledger.cases.height()),
        font: &font,
        calendar: &calendar,
    };
    let (cases, in_scope) = pipeline::scoped(ledger.cases.clone(), &config, as_of)?;
    let basis = Basis::new(&config, &ledger, &in_scope, true);
    let run = ReportRun::prepare(
        cases,
        ingest::findings_frame(&ledger.findings, &ledger.labels)?,
        &config,
        Some(&volume),
        Some(roster),
        scope,
        basis,
    );
    progress.finish();
    let run = run?;
    let analysis_dir = out.join("分析");
    for p in pipeline::write_analyses(
        &run.analyses,
        &analysis_dir,
        TableFormat::Csv,
        WriteOptions::default(),
    )? {
        written.push((p, "分析结果表（CSV）".into()));
    }

    // Charts and reports.
    let progress = Progress::start("生成报告");
    let n_warnings = write_reports(&run, &config, quarter, as_of, out, &mut written);
    progress.finish();
    let n_warnings = n_warnings?;
    eprintln!(
        "\n演示完成。模拟台账 {} 行（其中拒收 {} 行），基准日 {}，报告季度 {}。",
        ledger.accounting.read,
        ledger.accounting.rejected,
        as_of,
        quarter.label_zh()
    );
    eprintln!("共写出 {} 个文件，位于 {}：", written.len(), out.display());
    eprintln!("  data/   模拟台账、人员名册、执法量、埋设情况说明");
    eprintln!("  校验/   校验问题清单、拒收行");
    eprintln!("  分析/   办理期限、重复错误、易错风险点、认定结果、校验问题（CSV）");
    eprintln!(
        "  图表/   {}幅图（SVG 与 PNG，{}）",
        run.chart_set.charts.len(),
        quarter.label_zh()
    );
    eprintln!("  报告/   季度报告、警示提醒函 {n_warnings} 份、试点评估报告（Word、HTML、Excel）");
    eprintln!("{}", warnings_summary(&config, n_warnings));
    eprintln!(
        "\n不用命令行：运行 jiucuo serve --open，在浏览器中载入 {} 及同一文件夹的执法量、人员名册，报告季度选{}、基准日填 {}，即可在概览和报告中看到同样的数字。",
        ledger_path.display(),
        quarter.label_zh(),
        as_of
    );
    Ok(0)
}

/// The validation outputs: the findings and the rejected rows.
fn write_checks(ledger: &ingest::Ledger, out: &Path) -> Result<Vec<(PathBuf, String)>> {
    let check_dir = out.join("校验");
    let findings = ingest::findings_frame(&ledger.findings, &ledger.labels)?;
    let validate_path = check_dir.join("validate.xlsx");
    crate::fsutil::write_atomic(
        &validate_path,
        &crate::output::render_xlsx(&[("校验问题", &findings)])?,
    )?;
    let rejects_path = check_dir.join("rejects.xlsx");
    crate::fsutil::write_atomic(&rejects_path, &crate::rejects::rejects_xlsx(ledger)?)?;
    Ok(vec![
        (validate_path, "校验问题清单".into()),
        (rejects_path, "拒收行（改正后可重新导入）".into()),
    ])
}

/// The charts on their own and the three reports; the number of warning
/// notices.
fn write_reports(
    run: &ReportRun,
    config: &Config,
    quarter: Quarter,
    as_of: chrono::NaiveDate,
    out: &Path,
    written: &mut Vec<(PathBuf, String)>,
) -> Result<usize> {
    let chart_dir = out.join("图表");
    super::charts::write(&run.chart_set, &chart_dir)?;
    for c in &run.chart_set.charts {
        written.push((chart_dir.join(format!("{}.svg", c.name)), c.title.clone()));
        if c.png.is_some() {
            written.push((chart_dir.join(format!("{}.png", c.name)), c.title.clone()));
        }
    }
    let o = ReportOptions {
        names: false,
        summaries: false,
    };
    let report_dir = out.join("报告");
    let mut reports = vec![run.quarterly(config, quarter, as_of, &o)?];
    reports.extend(run.warnings(config, quarter, as_of, &o)?);
    reports.push(run.review(config, as_of, &o, None, None)?);
    for r in &reports {
        for p in crate::report::write(r, &report_dir)? {
            written.push((p, r.title.clone()));
        }
    }
    Ok(reports.len() - 2)
}
