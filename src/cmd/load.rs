//! Reading what a command resolved: the ledger (with a progress bar on a
//! terminal and the row accounting on stderr), the volume and the roster.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Result;
use polars::prelude::DataFrame;

use super::resolve::LedgerSource;
use crate::ingest::auxiliary::Volume;
use crate::ingest::{self, Ledger, ReadOptions, Severity};

/// Read and validate the ledger, and print its accounting line.
pub fn ledger(source: &LedgerSource) -> Result<Ledger> {
    let path = &source.path;
    let file = std::fs::File::open(path).map_err(|source| ingest::IngestError::Io {
        path: path.clone(),
        source,
    })?;
    let bar = read_progress(path, &file);
    crate::diag::memory("reading starts");
    let ledger = ingest::read_ledger_from(
        bar.wrap_read(file),
        source.format,
        &source.options,
        &source.config,
        ingest::CHUNK_BYTES,
    )
    .map_err(|e| e.with_path(path));
    bar.finish_and_clear();
    let ledger = ledger?;
    crate::diag::memory("ledger read");
    crate::diag::frame_sizes("ledger", &ledger.cases);
    report_accounting(&ledger, path);
    Ok(ledger)
}

/// The volume file, if given.
pub fn volume(path: Option<&Path>, opts: &ReadOptions) -> Result<Option<Volume>> {
    Ok(match path {
        Some(p) => Some(ingest::auxiliary::read_volume(p, opts)?),
        None => None,
    })
}

/// The roster, if given.
pub fn roster(path: Option<&Path>, opts: &ReadOptions) -> Result<Option<DataFrame>> {
    Ok(match path {
        Some(p) => Some(ingest::auxiliary::read_roster(p, opts)?),
        None => None,
    })
}

/// `read N, analysed A, rejected R` plus a Chinese line, on stderr.
pub fn report_accounting(ledger: &Ledger, path: &Path) {
    let a = ledger.accounting;
    eprintln!("{a}");
    let warnings = ledger
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    eprintln!(
        "{}：读取 {} 行，纳入分析 {} 行，拒收 {} 行，警告 {} 条",
        path.display(),
        a.read,
        a.analysed,
        a.rejected,
        warnings
    );
    if !ledger.title_lines.is_empty() {
        eprintln!(
            "表头上方有 {} 行标题（{}），已跳过，不计入读取行数",
            ledger.title_lines.len(),
            ledger
                .title_lines
                .iter()
                .map(|t| ingest::values::preview(t))
                .collect::<Vec<_>>()
                .join("；")
        );
    }
    if ledger.sheets_read.len() > 1 {
        let parts: Vec<String> = ledger
            .sheets_read
            .iter()
            .map(|(name, n)| format!("“{}”{n}行", ingest::values::preview(name)))
            .collect();
        eprintln!("读取了 {} 张工作表：{}", parts.len(), parts.join("、"));
    }
    if !ledger.sheets_skipped.is_empty() {
        let parts: Vec<String> = ledger
            .sheets_skipped
            .iter()
            .map(|(name, why)| format!("“{}”（{why}）", ingest::values::preview(name)))
            .collect();
        eprintln!(
            "未读取的工作表：{}。如台账就在其中，请用 --sheet 指定该表，或核对其表头",
            parts.join("、")
        );
    }
    if !ledger.totals_rows.is_empty() {
        let parts: Vec<String> = ledger
            .totals_rows
            .iter()
            .map(|t| {
                format!(
                    "{}“{}”",
                    ledger.labels.label(t.row),
                    ingest::values::preview(&t.text)
                )
            })
            .collect();
        eprintln!(
            "跳过合计/小计行 {} 行（{}），不计入读取行数",
            parts.len(),
            parts.join("、")
        );
    }
    if !ledger.raw.blank_rows.is_empty() {
        eprintln!(
            "（跳过全空行 {} 行，不计入读取行数）",
            ledger.raw.blank_rows.len()
        );
    }
    if !ledger.unmapped_headers.is_empty() {
        eprintln!(
            "未识别的列（未纳入分析，原样保留在拒收文件中）：{}",
            ledger.unmapped_headers.join("、")
        );
    }
}

/// A byte progress bar for reading a ledger: on a terminal, for large files;
/// hidden otherwise.
fn read_progress(path: &Path, file: &std::fs::File) -> indicatif::ProgressBar {
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len < 16 << 20 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "读取并校验 {msg} [{bar:30}] {bytes}/{total_bytes} {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(path.display().to_string());
    bar
}
