//! The rejects file: rejected input rows unchanged, plus a last column 拒收原因,
//! as an XLSX the user fixes in Excel and feeds back.

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;
use rust_xlsxwriter::Format;

use crate::ingest::raw::raw_col;
use crate::ingest::values::preview;
use crate::ingest::{Ledger, Severity};
use crate::output::{fit_excel_cell, new_workbook, EXCEL_CELL_MAX};
use crate::schema::ROW;

/// Column header of the reasons column.
pub const REASON_HEADER: &str = "拒收原因";

/// Build the rejects workbook. Every cell is written as text, exactly as read
/// (text, never a formula), so nothing is reinterpreted on the way back in;
/// only a cell longer than Excel can hold is cut, and the reason says so.
/// An input column headed 拒收原因 (a rejects file fed back) is not copied:
/// the fresh reasons replace it.
pub fn rejects_xlsx(ledger: &Ledger) -> Result<Vec<u8>> {
    let mut reasons: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for f in ledger
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
    {
        reasons.entry(f.row).or_default().push(f.message.clone());
    }
    let raw = &ledger.raw;
    let rows = raw.frame.column(ROW)?.i64()?.clone();
    // A rejects file fed back carries our previous 拒收原因: replaced, not repeated.
    let inputs: Vec<usize> = (0..raw.headers.len())
        .filter(|&i| raw.headers[i] != REASON_HEADER)
        .collect();
    let columns: Vec<StringChunked> = inputs
        .iter()
        .map(|&i| raw.frame.column(&raw_col(i)).and_then(|c| c.str().cloned()))
        .collect::<PolarsResult<_>>()?;
    let headers: Vec<&str> = inputs.iter().map(|&i| raw.headers[i].as_str()).collect();
    let mut wb = new_workbook();
    let ws = wb.add_worksheet();
    ws.set_name("拒收行")?;
    let bold = Format::new().set_bold();
    let width = headers.len() as u16;
    for (j, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, fit_excel_cell(h), &bold)?;
        ws.set_column_width(j as u16, 14)?;
    }
    ws.write_string_with_format(0, width, REASON_HEADER, &bold)?;
    ws.set_column_width(width, 60)?;
    let mut out_row = 1u32;
    for (idx, row) in rows.iter().enumerate() {
        let Some(row) = row else { continue };
        let Some(why) = reasons.get(&row) else {
            continue;
        };
        let mut cut = Vec::new();
        for (j, column) in columns.iter().enumerate() {
            if let Some(text) = column.get(idx) {
                let fitted = fit_excel_cell(text);
                if fitted.len() < text.len() {
                    cut.push(format!("“{}”", preview(headers[j])));
                }
                ws.write_string(out_row, j as u16, fitted)?;
            }
        }
        let mut reason = format!("原{}：{}", ledger.labels.label(row), why.join("；"));
        if !cut.is_empty() {
            reason.push_str(&format!(
                "。另：{}列内容超过 Excel 单元格上限（{EXCEL_CELL_MAX} 字），此处已截断，完整内容见原文件",
                cut.join("、")
            ));
        }
        ws.write_string(out_row, width, fit_excel_cell(&reason))?;
        out_row += 1;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(wb.save_to_buffer()?)
}
