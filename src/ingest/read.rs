//! Readers for the accepted containers: CSV (UTF-8, BOM, GB18030), XLSX, Parquet, Arrow IPC.
//!
//! Every reader yields a [`RawTable`]: the header texts as found, and one
//! String column per input column plus the spreadsheet row number of each
//! record, so that every later step can name the row a user sees.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, DataType as _, Reader};
use polars::prelude::*;

use super::chunks::Encoding;
use super::error::IngestError;
use super::raw::{drop_blank_records, raw_col, RawTable};
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
