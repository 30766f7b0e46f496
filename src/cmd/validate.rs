//! `jiucuo validate`: the findings table and the rejects file.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::load;
use super::resolve::LedgerSource;
use super::ui::{write_table, EXIT_FINDINGS};
use crate::cli;
use crate::ingest;

pub fn run(a: cli::ValidateArgs) -> Result<i32> {
    let source = LedgerSource::resolve(&a.ledger, false)?;
    let ledger = load::ledger(&source)?;
    let table = ingest::findings_frame(&ledger.findings, &ledger.labels)?;
    write_table(&table, &a.output)?;
    if ledger.accounting.rejected > 0 {
        let path = a
            .rejects
            .clone()
            .unwrap_or_else(|| default_rejects_path(&source.path));
        let bytes = crate::rejects::rejects_xlsx(&ledger)?;
        crate::fsutil::write_atomic(&path, &bytes)?;
        eprintln!(
            "拒收的 {} 行已原样写入 {}（末列“拒收原因”）：在 Excel 中改正后可直接重新导入",
            ledger.accounting.rejected,
            path.display()
        );
        if a.fail_on_error {
            return Ok(EXIT_FINDINGS);
        }
    }
    Ok(0)
}

fn default_rejects_path(ledger: &Path) -> PathBuf {
    let stem = ledger
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "ledger".into());
    PathBuf::from(format!(
        "{}.rejects.xlsx",
        crate::fsutil::safe_file_stem(&stem)
    ))
}
