//! Excel workbooks as offices keep them: every sheet read into a
//! [`RawTable`] of its own with its merged cell regions, and the regions'
//! cells filled from their top-left cell once the header row is known.

use std::io::Cursor;

use calamine::{Cell, Data, DataRef, DataType as _, Range, Reader, SheetVisible, Xlsx};
use polars::prelude::*;

use super::error::{Finding, IngestError, Severity};
use super::raw::{drop_blank_records, raw_col, MergedRegion, RawTable};
use super::values::preview;
use crate::schema::ROW;

/// One worksheet as read.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub table: RawTable,
}

/// The sheets of a workbook that hold a table, and the others with why not.
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    pub sheets: Vec<Sheet>,
    /// (sheet name, why it holds no table): hidden, empty, a chart sheet.
    pub passed_over: Vec<(String, String)>,
}

/// Rows and columns of an Excel sheet (xlsx): a cell beyond them is not
/// one Excel wrote.
const EXCEL_ROWS: u32 = 1_048_576;
const EXCEL_COLUMNS: u32 = 16_384;
/// The most cells a sheet's table may span (rows × columns between its
/// first and last cell): a ledger of a million rows and a hundred columns.
/// calamine holds a sheet as a dense grid, so two cells far apart (A1 and
/// A4000000000 in a crafted file) would ask for terabytes.
const MAX_SPAN_CELLS: u64 = 100_000_000;

/// A sheet's non-empty cells as calamine's grid, refusing cells outside an
/// Excel sheet and a span too large to hold (a clear message, not an
/// allocation that ends the program).
fn bounded_range(book: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Range<Data>, String> {
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(r) => r,
        // a chart sheet holds no cells: an empty table, as calamine gives
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Range::default()),
        Err(e) => return Err(e.to_string()),
    };
    let mut cells = Vec::new();
    let (mut r0, mut c0, mut r1, mut c1) = (u32::MAX, u32::MAX, 0u32, 0u32);
    while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
        let (r, c) = cell.get_position();
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        if r >= EXCEL_ROWS || c >= EXCEL_COLUMNS {
            return Err(format!(
                "第{}行第{}列的单元格超出 Excel 工作表的范围（文件可能已损坏）",
                u64::from(r) + 1,
                u64::from(c) + 1
            ));
        }
        (r0, c0, r1, c1) = (r0.min(r), c0.min(c), r1.max(r), c1.max(c));
        cells.push(Cell::new((r, c), Data::from(cell.get_value().clone())));
    }
    let span = if cells.is_empty() {
        0
    } else {
        (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1)
    };
    if span > MAX_SPAN_CELLS {
        return Err(format!(
            "表格范围过大（{}行×{}列），请删除远处的空白或无用单元格后另存再试",
            r1 - r0 + 1,
            c1 - c0 + 1
        ));
    }
    Ok(Range::from_sparse(cells))
}

/// A call into the XLSX parser, a panic in it turned into an error (only
/// the parser's calls are guarded: a panic in jiucuo's own code stays one).
fn parser<T>(call: impl FnOnce() -> T) -> Result<T, IngestError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).map_err(|_| {
        container(
            "工作簿内部数据异常（单元格位置等无法解析），文件可能已损坏。请用 Excel 或 WPS 打开后另存为 .xlsx 再试".into(),
        )
    })
}

fn container(message: String) -> IngestError {
    IngestError::Container {
        format: "XLSX",
        message,
    }
}

/// Read the sheets of a workbook: the one named, or every visible sheet
/// that holds cells. A panic inside the XLSX parser (calamine 0.38 overflows
/// on a cell reference with an absurd row number when overflow checks are
/// on, as in debug builds; the fuzz target found it) becomes a clear error:
/// user data never ends the program.
pub fn read_workbook(bytes: &[u8], only: Option<&str>) -> Result<Workbook, IngestError> {
    let mut book = parser(|| Xlsx::new(Cursor::new(bytes)))?.map_err(|e| {
        container(format!(
            "不是可读取的 Excel 工作簿（{e}）。请确认文件未损坏，且是 .xlsx 格式"
        ))
    })?;
    let date_1904 = book.has_1904_epoch();
    let metadata: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect();
    let names: Vec<String> = metadata.iter().map(|(n, _)| n.clone()).collect();
    let wanted: Vec<(String, bool)> = match only {
        Some(s) => {
            let found = metadata
                .iter()
                .find(|(n, _)| n.trim() == s.trim())
                .cloned()
                .ok_or_else(|| {
                    container(format!(
                        "没有名为“{s}”的工作表（现有：{}）",
                        names.join("、")
                    ))
                })?;
            // a sheet asked for by name is read even when hidden
            vec![(found.0, true)]
        }
        None => metadata,
    };
    if wanted.is_empty() {
        return Err(IngestError::Empty);
    }
    let mut out = Workbook::default();
    let mut unreadable: Option<String> = None;
    for (name, visible) in wanted {
        if !visible {
            out.passed_over.push((name, "隐藏的工作表".into()));
            continue;
        }
        let range = match parser(|| bounded_range(&mut book, &name))? {
            Ok(range) => range,
            Err(e) => {
                let why = format!("无法读取（{e}）");
                if only.is_some() {
                    return Err(container(format!("无法读取工作表“{name}”：{e}")));
                }
                unreadable.get_or_insert(format!("无法读取工作表“{name}”：{e}"));
                out.passed_over.push((name, why));
                continue;
            }
        };
        // unreadable merge records: the cells are read as they are
        let merged = parser(|| book.merge_cells_by_sheet_name(&name))?.unwrap_or_default();
        match sheet_table(&range, &merged, date_1904) {
            Ok(table) => out.sheets.push(Sheet { name, table }),
            Err(IngestError::Empty) => out.passed_over.push((name, "空表".into())),
            Err(e) => return Err(e),
        }
    }
    if out.sheets.is_empty() {
        // no sheet read: say why the first unreadable one was not
        return Err(match unreadable {
            Some(why) => container(why),
            None => IngestError::Empty,
        });
    }
    Ok(out)
}

/// One sheet's cells as text, its first row as the headers.
fn sheet_table(
    range: &calamine::Range<Data>,
    merged: &[calamine::Dimensions],
    date_1904: bool,
) -> Result<RawTable, IngestError> {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows();
    let header_cells = rows.next().ok_or(IngestError::Empty)?;
    let headers: Vec<String> = header_cells
        .iter()
        .map(|c| cell_text(c).trim().to_string())
        .collect();
    let width = headers.len();
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(range.height()); width];
    let mut row_numbers = Vec::with_capacity(range.height());
    for (i, cells) in rows.enumerate() {
        for (j, col) in cols.iter_mut().enumerate() {
            let text = cells.get(j).map(cell_text).unwrap_or_default();
            col.push(if text.is_empty() { None } else { Some(text) });
        }
        row_numbers.push(first_row as i64 + 2 + i as i64);
    }
    let mut columns: Vec<Column> = cols
        .into_iter()
        .enumerate()
        .map(|(j, v)| Column::new(raw_col(j).into(), v))
        .collect();
    columns.push(Column::new(ROW.into(), row_numbers));
    let frame =
        DataFrame::new_infer_height(columns).map_err(|e| IngestError::container("XLSX", e))?;
    let mut table = drop_blank_records(headers, frame)?;
    table.header_row = first_row as i64 + 1;
    table.date_1904 = date_1904;
    table.merged = merged
        .iter()
        .filter(|d| d.end.1 >= first_col && d.start.1 < first_col + width as u32)
        .map(|d| MergedRegion {
            first_row: d.start.0 as i64 + 1,
            last_row: d.end.0 as i64 + 1,
            first_col: d.start.1.saturating_sub(first_col) as usize,
            last_col: ((d.end.1 - first_col) as usize).min(width.saturating_sub(1)),
        })
        .filter(|r| r.first_row <= r.last_row && r.first_col <= r.last_col)
        .collect();
    table.merged.sort_by_key(|r| (r.first_row, r.first_col));
    Ok(table)
}

/// Text of one spreadsheet cell as a user would read it.
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        Data::DateTime(dt) => match cell.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => float_text(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        // As Excel shows it: #N/A, #VALUE!, #DIV/0! …
        Data::Error(e) => e.to_string(),
    }
}

fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Fill the cells of every merged region below the header from the
/// region's top-left cell (a unit's name merged over its six rows belongs to
/// each of them); one warning per region that filled a cell, on the region's
/// first row. Regions that start in the header or above it are titles and
/// headers: nothing below is filled from them.
///
/// Long: finds each region's rows in the frame, then fills column by column.
pub fn fill_merged(
    table: &mut RawTable,
    case_id_column: Option<usize>,
) -> Result<Vec<Finding>, IngestError> {
    let err = |e: PolarsError| IngestError::container("XLSX", e);
    let regions: Vec<MergedRegion> = table
        .merged
        .iter()
        .copied()
        .filter(|r| r.first_row > table.header_row && r.first_col < table.headers.len())
        .collect();
    if regions.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<i64> = table
        .frame
        .column(ROW)
        .and_then(|c| c.i64())
        .map_err(err)?
        .into_no_null_iter()
        .collect();
    let text_at = |j: usize, i: usize| -> Result<Option<String>, IngestError> {
        let column = table.frame.column(&raw_col(j)).map_err(err)?;
        Ok(column.str().map_err(err)?.get(i).map(String::from))
    };
    // (column, row index, value) of every cell to fill, and the findings
    let mut fills: Vec<(usize, usize, String)> = Vec::new();
    let mut findings = Vec::new();
    for region in regions {
        let Ok(top) = rows.binary_search(&region.first_row) else {
            continue;
        };
        let Some(value) = text_at(region.first_col, top)? else {
            continue;
        };
        // a 合计 label merged across columns stays one cell: the totals row
        // is recognised and skipped as it is
        if super::totals::is_totals_label(&value) {
            continue;
        }
        let end = rows.partition_point(|&r| r <= region.last_row);
        let mut filled_rows: Vec<i64> = Vec::new();
        let mut cells = 0usize;
        for j in region.first_col..=region.last_col {
            for (i, &row) in rows.iter().enumerate().take(end).skip(top) {
                if text_at(j, i)?.is_none_or(|t| t.trim().is_empty()) {
                    fills.push((j, i, value.clone()));
                    filled_rows.push(row);
                    cells += 1;
                }
            }
        }
        if filled_rows.is_empty() {
            continue;
        }
        filled_rows.sort_unstable();
        filled_rows.dedup();
        let columns: String = (region.first_col..=region.last_col)
            .map(|j| format!("“{}”", preview(&table.headers[j])))
            .collect();
        let (from, to) = (filled_rows[0], filled_rows[filled_rows.len() - 1]);
        let span = if from == to {
            format!("第{from}行")
        } else {
            format!("第{from}–{to}行")
        };
        findings.push(Finding {
            row: region.first_row,
            case_id: match case_id_column {
                Some(c) => text_at(c, top)?,
                None => None,
            },
            column: table.headers[region.first_col].clone(),
            value: value.clone(),
            severity: Severity::Warning,
            code: "merged-cell-filled",
            message: format!(
                "{columns}列第{}–{}行是合并单元格，已按首格的值“{}”填入{span}（共{}格）；如不应相同，请在原表中取消合并后逐行填写",
                region.first_row,
                region.last_row,
                preview(&value),
                cells,
            ),
        });
    }
    apply_fills(table, fills)?;
    Ok(findings)
}

/// Write the filled cells into their columns.
fn apply_fills(
    table: &mut RawTable,
    mut fills: Vec<(usize, usize, String)>,
) -> Result<(), IngestError> {
    let err = |e: PolarsError| IngestError::container("XLSX", e);
    fills.sort_by_key(|f| (f.0, f.1));
    let mut start = 0;
    while start < fills.len() {
        let j = fills[start].0;
        let end = start + fills[start..].iter().take_while(|f| f.0 == j).count();
        let name = raw_col(j);
        let mut cells: Vec<Option<String>> = table
            .frame
            .column(&name)
            .and_then(|c| c.str().cloned())
            .map_err(err)?
            .iter()
            .map(|c| c.map(String::from))
            .collect();
        for (_, i, value) in &fills[start..end] {
            cells[*i] = Some(value.clone());
        }
        table
            .frame
            .replace(&name, Column::new(name.as_str().into(), cells))
            .map_err(err)?;
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::CellErrorType;

    #[test]
    fn error_cells_read_as_excel_shows_them() {
        assert_eq!(cell_text(&Data::Error(CellErrorType::NA)), "#N/A");
        assert_eq!(cell_text(&Data::Error(CellErrorType::Value)), "#VALUE!");
        assert_eq!(cell_text(&Data::Error(CellErrorType::Div0)), "#DIV/0!");
        assert_eq!(cell_text(&Data::Error(CellErrorType::Ref)), "#REF!");
    }

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(cell_text(&Data::Float(45717.0)), "45717");
        assert_eq!(cell_text(&Data::Float(2.5)), "2.5");
        assert_eq!(cell_text(&Data::Float(370112001001.0)), "370112001001");
        assert_eq!(cell_text(&Data::Int(-3)), "-3");
        assert_eq!(cell_text(&Data::Bool(true)), "true");
        assert_eq!(cell_text(&Data::Empty), "");
    }
}
