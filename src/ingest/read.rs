//! Readers for the accepted containers: CSV (UTF-8, BOM, GB18030), XLSX, Parquet, Arrow IPC.
//!
//! Every reader yields a [`RawTable`]: the header texts as found, and one
//! String column per input column plus the spreadsheet row number of each
//! record, so that every later step can name the row a user sees.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, DataType as _, Reader};
use polars::prelude::*;

use super::values;
use super::IngestError;
use crate::schema::ROW;

/// Container format, told by the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Parquet,
    Ipc,
}

impl Format {
    /// The format of a file name, by extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(Format::Csv),
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "parquet" | "pq" => Some(Format::Parquet),
            "arrow" | "arrows" | "feather" | "ipc" => Some(Format::Ipc),
            _ => None,
        }
    }
}

/// CSV text encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Auto,
    Utf8,
    Gb18030,
}

impl Encoding {
    pub fn parse(s: &str) -> Option<Encoding> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "" | "auto" => Some(Encoding::Auto),
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Some(Encoding::Gb18030),
            _ => None,
        }
    }
}

/// How to read one file.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub encoding: Encoding,
    /// XLSX sheet name; None = first sheet.
    pub sheet: Option<String>,
    /// Keep the case summaries (简要案情) in the typed frame. Only report
    /// case lists with `--summaries` and ad-hoc queries read them; without
    /// them the column is all null and a large ledger needs about a quarter
    /// less memory.
    pub keep_summaries: bool,
}

/// An input table before any interpretation: headers as found, all cells as text.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// Header texts in input order (may be empty or repeated).
    pub headers: Vec<String>,
    /// Columns `c0..cN` (String) and `row` (spreadsheet row number, Int64).
    pub frame: DataFrame,
    /// Which encoding a CSV was read in (for the notice line).
    pub encoding_used: Option<&'static str>,
    /// Fully blank records that were skipped (their row numbers).
    pub blank_rows: Vec<i64>,
    /// CSV records with more or fewer fields than the header.
    pub ragged: Vec<Ragged>,
    /// Field count of every CSV record, header included (empty for other formats).
    pub field_counts: Vec<u32>,
    /// Title lines above the header (not records).
    pub title_lines: Vec<String>,
    /// Spreadsheet row number of the header.
    pub header_row: i64,
}

/// A CSV record whose field count differs from the header's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ragged {
    /// Spreadsheet row number.
    pub row: i64,
    pub fields: usize,
    pub expected: usize,
    /// The text beyond the header's last column (for too many fields).
    pub extra: String,
}

/// Field count of every CSV record (quote-aware), and for records with more
/// fields than `expected` (by default the first record's, the header), the
/// text beyond its last field. A blank line is a record of one empty field.
pub fn scan_records(text: &str, expected: Option<usize>) -> Vec<(usize, Option<String>)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut expected: Option<usize> = expected;
    let mut start = 0;
    while start < bytes.len() {
        // Most records are one line without quotes: their fields are its
        // commas plus one (a vectorised count instead of a byte-by-byte walk).
        let rest = &bytes[start..];
        let line = memchr::memchr(b'\n', rest).map(|n| &rest[..n]);
        let plain = line.filter(|line| memchr::memchr(b'"', line).is_none());
        let (fields, extra, next) = match plain {
            Some(line) => {
                let fields = line.iter().filter(|&&b| b == b',').count() + 1;
                if expected.is_some_and(|e| fields > e) {
                    scan_record(text, start, expected)
                } else {
                    (fields, None, start + line.len() + 1)
                }
            }
            None => scan_record(text, start, expected),
        };
        out.push((fields, extra));
        expected.get_or_insert(fields);
        start = next;
    }
    out
}

/// The record starting at byte `start`, quote-aware: its field count, the
/// text beyond field `expected` if it has more, and where the next begins.
fn scan_record(
    text: &str,
    start: usize,
    expected: Option<usize>,
) -> (usize, Option<String>, usize) {
    let bytes = text.as_bytes();
    let (mut fields, mut quoted) = (1usize, false);
    let mut extra_from: Option<usize> = None;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                fields += 1;
                if expected.is_some_and(|e| fields == e + 1) {
                    extra_from = Some(i + 1);
                }
            }
            b'\n' if !quoted => {
                let end = if i > start && bytes[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                let extra = extra_from.map(|f| text.get(f..end).unwrap_or("").to_string());
                return (fields, extra, i + 1);
            }
            _ => {}
        }
    }
    let extra = extra_from.map(|f| text.get(f..).unwrap_or("").trim_end().to_string());
    (fields, extra, bytes.len())
}

/// Records whose field count differs from `expected` (default: the first
/// record's, which is then skipped as the header), numbered from 1 = the
/// first record of `records`.
pub(crate) fn ragged_records(
    records: Vec<(usize, Option<String>)>,
    expected: Option<usize>,
) -> Vec<Ragged> {
    let (expected, skip) = match (expected, records.first()) {
        (Some(e), _) => (e, 0),
        (None, Some(&(e, _))) => (e, 1),
        (None, None) => return vec![],
    };
    records
        .into_iter()
        .enumerate()
        .skip(skip)
        // a blank line is one empty field: the blank-row rule handles it
        .filter(|(_, (n, extra))| *n != expected && !(*n == 1 && extra.is_none()))
        .map(|(i, (fields, extra))| Ragged {
            row: i as i64 + 1,
            fields,
            expected,
            extra: extra.unwrap_or_default(),
        })
        .collect()
}

/// Internal name of input column `i` in a [`RawTable`] frame.
pub fn raw_col(i: usize) -> String {
    format!("c{i}")
}

/// Read any supported file into a [`RawTable`].
pub fn read_raw(path: &Path, opts: &ReadOptions) -> Result<RawTable, IngestError> {
    let format = Format::from_path(path).ok_or_else(|| IngestError::UnknownFormat {
        path: path.to_path_buf(),
    })?;
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_raw_bytes(&bytes, format, opts).map_err(|e| e.with_path(path))
}

/// Read in-memory bytes of a known format (used by tests and the fuzz target).
pub fn read_raw_bytes(
    bytes: &[u8],
    format: Format,
    opts: &ReadOptions,
) -> Result<RawTable, IngestError> {
    match format {
        Format::Csv => read_csv(bytes, opts.encoding),
        Format::Xlsx => read_xlsx(bytes, opts.sheet.as_deref()),
        Format::Parquet => {
            let df = ParquetReader::new(Cursor::new(bytes))
                .finish()
                .map_err(|e| IngestError::container("Parquet", e))?;
            typed_to_raw(df)
        }
        Format::Ipc => read_ipc(bytes),
    }
}

fn read_csv(bytes: &[u8], encoding: Encoding) -> Result<RawTable, IngestError> {
    // One block: the whole file.
    super::chunks::CsvChunks::new(Cursor::new(bytes), encoding, usize::MAX).first_chunk()
}

/// Turn a headerless all-String frame whose first row holds the headers into a RawTable.
pub(crate) fn frame_with_header_row(
    df: DataFrame,
    header_row: i64,
) -> Result<RawTable, IngestError> {
    if df.height() == 0 {
        return Err(IngestError::Empty);
    }
    let mut headers = Vec::with_capacity(df.width());
    let mut columns = Vec::with_capacity(df.width() + 1);
    for (i, column) in df.columns().iter().enumerate() {
        let ca = column
            .as_materialized_series()
            .str()
            .map_err(|e| IngestError::container("CSV", e))?
            .clone();
        headers.push(ca.get(0).unwrap_or("").trim().to_string());
        let body = ca.slice(1, df.height() - 1);
        columns.push(body.with_name(raw_col(i).into()).into_column());
    }
    let n = df.height() - 1;
    let rows: Vec<i64> = (0..n as i64).map(|i| i + header_row + 1).collect();
    columns.push(Column::new(ROW.into(), rows));
    let frame =
        DataFrame::new_infer_height(columns).map_err(|e| IngestError::container("CSV", e))?;
    let mut table = drop_blank_records(headers, frame)?;
    table.header_row = header_row;
    Ok(table)
}

/// Remove records whose every cell is empty, remembering their row numbers.
pub(crate) fn drop_blank_records(
    headers: Vec<String>,
    frame: DataFrame,
) -> Result<RawTable, IngestError> {
    // A record is filled when some cell holds more than white space; most
    // are settled by their first cell, so later columns look only at the rest.
    let height = frame.height();
    let mut filled = vec![false; height];
    let mut open = height;
    for i in 0..headers.len() {
        if open == 0 {
            break;
        }
        let Ok(column) = frame.column(&raw_col(i)) else {
            continue;
        };
        let cells = column
            .str()
            .map_err(|e| IngestError::container("表格", e))?;
        for (is_filled, cell) in filled.iter_mut().zip(cells.iter()) {
            if !*is_filled && cell.is_some_and(|c| !c.trim().is_empty()) {
                *is_filled = true;
                open -= 1;
            }
        }
    }
    let blank_rows: Vec<i64> = frame
        .column(ROW)
        .and_then(|c| c.i64().cloned())
        .map_err(|e| IngestError::container("表格", e))?
        .iter()
        .zip(&filled)
        .filter(|(_, f)| !**f)
        .filter_map(|(r, _)| r)
        .collect();
    let frame = if blank_rows.is_empty() {
        frame
    } else {
        let mask = BooleanChunked::from_iter_values("filled".into(), filled.into_iter());
        frame
            .filter(&mask)
            .map_err(|e| IngestError::container("表格", e))?
    };
    Ok(RawTable {
        headers,
        frame,
        encoding_used: None,
        blank_rows,
        ragged: Vec::new(),
        field_counts: Vec::new(),
        title_lines: Vec::new(),
        header_row: 1,
    })
}

fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<RawTable, IngestError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        IngestError::Container {
            format: "XLSX",
            message: format!("不是可读取的 Excel 工作簿（{e}）。请确认文件未损坏，且是 .xlsx 格式"),
        }
    })?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.trim() == s.trim())
            .cloned()
            .ok_or_else(|| IngestError::Container {
                format: "XLSX",
                message: format!("没有名为“{s}”的工作表（现有：{}）", names.join("、")),
            })?,
        None => names.first().cloned().ok_or(IngestError::Empty)?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| IngestError::Container {
            format: "XLSX",
            message: format!("无法读取工作表“{name}”：{e}"),
        })?;
    let first_row = range.start().map(|(r, _)| r as i64 + 1).unwrap_or(1);
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
        row_numbers.push(first_row + 1 + i as i64);
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
    table.header_row = first_row;
    Ok(table)
}

/// Text of one spreadsheet cell as a user would read it.
fn cell_text(cell: &Data) -> String {
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

fn read_ipc(bytes: &[u8]) -> Result<RawTable, IngestError> {
    // Arrow IPC file first, then the streaming format.
    let df = match IpcReader::new(Cursor::new(bytes)).finish() {
        Ok(df) => df,
        Err(file_err) => IpcStreamReader::new(Cursor::new(bytes))
            .finish()
            .map_err(|_| IngestError::container("Arrow IPC", file_err))?,
    };
    typed_to_raw(df)
}

/// A typed frame (Parquet, IPC) to text cells, as a spreadsheet would show them.
fn typed_to_raw(df: DataFrame) -> Result<RawTable, IngestError> {
    let headers: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    if headers.is_empty() {
        return Err(IngestError::Empty);
    }
    let mut columns = Vec::with_capacity(headers.len() + 1);
    for (i, column) in df.columns().iter().enumerate() {
        let series = column.as_materialized_series();
        let text = match series.dtype() {
            DataType::List(_) => list_to_text(series),
            DataType::Datetime(_, _) => local_dates(series).and_then(|s| s.cast(&DataType::String)),
            _ => series.cast(&DataType::String),
        }
        .map_err(|e| IngestError::Container {
            format: "列式文件",
            message: format!("列“{}”无法转为文本：{e}", headers[i]),
        })?;
        columns.push(text.with_name(raw_col(i).into()).into_column());
    }
    let rows: Vec<i64> = (0..df.height() as i64).map(|i| i + 2).collect();
    columns.push(Column::new(ROW.into(), rows));
    let frame =
        DataFrame::new_infer_height(columns).map_err(|e| IngestError::container("列式文件", e))?;
    drop_blank_records(headers, frame)
}

/// The calendar date of each timestamp as its own time zone shows it: a
/// Parquet timestamp 2025-03-01 00:30 tagged Asia/Shanghai is 1 March, not
/// the UTC day before (which a plain cast to Date gives).
fn local_dates(series: &Series) -> PolarsResult<Series> {
    let name = series.name().clone();
    let frame = series
        .clone()
        .into_frame()
        .lazy()
        .select([col(name.clone()).dt().date()])
        .collect()?;
    Ok(frame.column(&name)?.as_materialized_series().clone())
}

/// A list column (e.g. officers stored as a list) joined with 、.
fn list_to_text(series: &Series) -> PolarsResult<Series> {
    let as_text = series.cast(&DataType::List(Box::new(DataType::String)))?;
    let list = as_text.list()?;
    let joined: Vec<Option<String>> = (0..list.len())
        .map(|i| {
            let item = list.get_as_series(i)?;
            let parts: Vec<String> = item
                .str()
                .ok()?
                .iter()
                .flatten()
                .map(String::from)
                .collect();
            Some(parts.join("、"))
        })
        .collect();
    Ok(Series::new(series.name().clone(), joined))
}

/// Whether a cell text counts as missing (shared rule with the value parsers).
pub fn is_missing(s: Option<&str>) -> bool {
    s.is_none_or(values::is_missing)
}

impl RawTable {
    /// Fields in the header record (CSV), else the number of headers.
    pub fn header_fields(&self) -> usize {
        usize::try_from(self.header_row - 1)
            .ok()
            .and_then(|i| self.field_counts.get(i))
            .map_or(self.headers.len(), |n| *n as usize)
    }

    /// The CSV record index (0 = first line) of data row `k` of the frame.
    fn header_record_index(&self, k: usize) -> Option<usize> {
        let row = self
            .frame
            .column(crate::schema::ROW)
            .ok()?
            .i64()
            .ok()?
            .get(k)?;
        usize::try_from(row - 1).ok()
    }

    /// Treat data record `k` (0-based) as the header: the records above it
    /// are title lines (a sheet title over the table), not data.
    pub fn promote_header(&self, k: usize) -> Option<(RawTable, Vec<String>)> {
        if k >= self.frame.height() {
            return None;
        }
        let cells: Vec<String> = (0..self.headers.len())
            .map(|i| {
                self.frame
                    .column(&raw_col(i))
                    .ok()
                    .and_then(|c| {
                        c.str()
                            .ok()
                            .and_then(|s| s.get(k).map(|x| x.trim().to_string()))
                    })
                    .unwrap_or_default()
            })
            .collect();
        let titles: Vec<String> = std::iter::once(self.headers.join(" "))
            .chain((0..k).map(|r| {
                (0..self.headers.len())
                    .filter_map(|i| {
                        self.frame
                            .column(&raw_col(i))
                            .ok()
                            .and_then(|c| c.str().ok().and_then(|s| s.get(r).map(String::from)))
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let frame = self.frame.slice(k as i64 + 1, self.frame.height() - k - 1);
        // Field counts are judged against the promoted header's record.
        let header_record = self.header_record_index(k);
        let ragged =
            match header_record.and_then(|h| self.field_counts.get(h).map(|n| (h, *n as usize))) {
                Some((h, expected)) => self
                    .field_counts
                    .iter()
                    .enumerate()
                    .skip(h + 1)
                    .filter(|(_, n)| **n as usize != expected && **n > 1)
                    .map(|(i, n)| Ragged {
                        row: i as i64 + 1,
                        fields: *n as usize,
                        expected,
                        extra: String::new(),
                    })
                    .collect(),
                None => Vec::new(),
            };
        Some((
            RawTable {
                headers: cells,
                frame,
                encoding_used: self.encoding_used,
                blank_rows: self.blank_rows.clone(),
                ragged,
                field_counts: self.field_counts.clone(),
                title_lines: self.title_lines.clone(),
                header_row: header_record.map_or(self.header_row, |h| h as i64 + 1),
            },
            titles,
        ))
    }
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
    fn records_are_counted_alike_with_and_without_quotes() {
        let text = "a,b,c\r\n\
                    1,2,3\n\
                    1,\"2,x\",3\n\
                    1,2,3,4,5\r\n\
                    \n\
                    1,\"two\nlines\",3,\"4,\"\n\
                    1,2";
        let got = scan_records(text, None);
        let want: Vec<(usize, Option<String>)> = vec![
            (3, None),                  // the header sets 3 fields
            (3, None),                  // plain
            (3, None),                  // a comma inside quotes
            (5, Some("4,5".into())),    // two more, \r\n cut off
            (1, None),                  // a blank line
            (4, Some("\"4,\"".into())), // quoted line break and extra
            (2, None),                  // last line without a break
        ];
        assert_eq!(got, want);
        // with the width given, the first record is judged too
        assert_eq!(
            scan_records("1,2,3,4\n", Some(2)),
            [(4, Some("3,4".into()))]
        );
        assert_eq!(scan_records("1,2,3,4", Some(2)), [(4, Some("3,4".into()))]);
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
