//! `jiucuo demo`: the main job on built-in generated data.

use std::path::Path;

use anyhow::Result;

use crate::config::Config;
use crate::ingest::{self, Encoding, ReadOptions};

/// Seed of the built-in demo data.
pub const DEMO_SEED: u64 = 20250301;

/// Generate, validate and write everything into `out`; print a Chinese summary.
pub fn run(out: &Path, rows: usize) -> Result<i32> {
    let data_dir = out.join("data");
    crate::generate::write_dataset(&data_dir, rows, DEMO_SEED, true)?;
    let ledger_path = data_dir.join("ledger.csv");
    let config = Config::default();
    let opts = ReadOptions {
        encoding: Encoding::Auto,
        sheet: None,
    };
    let ledger = ingest::read_ledger(&ledger_path, &opts, &config)?;
    crate::app::report_accounting(&ledger, &ledger_path);
    let mut written = vec![
        (data_dir.join("ledger.csv"), "模拟案件台账（含各类问题行）"),
        (data_dir.join("roster.csv"), "人员名册"),
        (data_dir.join("volume.csv"), "执法量"),
        (data_dir.join("truth.json"), "埋设情况说明"),
    ];
    let findings = ingest::findings_frame(&ledger.findings)?;
    let validate_path = out.join("validate.xlsx");
    let bytes = crate::output::render_xlsx(&[("校验问题", &findings)])?;
    crate::fsutil::write_atomic(&validate_path, &bytes)?;
    written.push((validate_path, "校验问题清单"));
    let rejects_path = out.join("rejects.xlsx");
    crate::fsutil::write_atomic(&rejects_path, &crate::rejects::rejects_xlsx(&ledger)?)?;
    written.push((rejects_path, "拒收行（可改正后重新导入）"));
    eprintln!("\n演示完成，共写出 {} 个文件：", written.len());
    for (path, what) in &written {
        eprintln!("  {what}：{}", path.display());
    }
    Ok(0)
}
