//! Readers for the accepted containers: CSV (UTF-8, BOM, GB18030), XLSX, Parquet, Arrow IPC.
//!
//! Every reader yields a [`RawTable`]: the header texts as found, and one
//! String column per input column plus the spreadsheet row number of each
//! record, so that every later step can name the row a user sees.

use std::io::Cursor;
use std::path::Path;

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

/// The named sheet, or the first that holds a table (the auxiliary files;
/// the ledger reads every sheet, see [`super::workbook`]).
fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<RawTable, IngestError> {
    let book = super::workbook::read_workbook(bytes, sheet)?;
    book.sheets
        .into_iter()
        .next()
        .map(|s| s.table)
        .ok_or(IngestError::Empty)
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
