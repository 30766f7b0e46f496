//! The raw table every reader yields — header texts as found, one String
//! column per input column, the spreadsheet row of each record — and the
//! record-level work on CSV text (counting fields, ragged records, blank
//! records, the header row) shared by the block reader and the readers.

use polars::prelude::*;

use super::error::IngestError;
use super::values;
use crate::schema::ROW;

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
    /// Merged cell regions of a worksheet (empty for other formats).
    pub merged: Vec<MergedRegion>,
    /// The workbook counts days from 1904 (old Mac Excel): a bare serial
    /// number in a date column is read in that system.
    pub date_1904: bool,
}

/// A merged cell region of a worksheet: spreadsheet rows (1-based, both
/// ends included) and the table's column indices (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergedRegion {
    pub first_row: i64,
    pub last_row: i64,
    pub first_col: usize,
    pub last_col: usize,
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
        merged: Vec::new(),
        date_1904: false,
    })
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
                merged: self.merged.clone(),
                date_1904: self.date_1904,
            },
            titles,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
