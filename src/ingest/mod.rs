//! Ledger ingest: read any accepted file, map headers, parse values, validate,
//! and account for every row (analysed or rejected, with why).

pub mod auxiliary;
pub mod chunks;
pub mod error;
pub mod guess;
pub mod mapping;
pub mod parse;
pub mod raw;
pub mod read;
pub mod rows;
pub mod sheets;
pub mod totals;
pub mod validate;
pub mod values;
pub mod workbook;

use std::path::Path;

use polars::prelude::*;

use crate::config::Config;
use crate::schema::{self, ROW};
pub use chunks::Encoding;
pub use error::{Finding, IngestError, Severity};
pub use raw::RawTable;
pub use read::{Format, ReadOptions};

/// Row accounting: N = A + R.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accounting {
    pub read: usize,
    pub analysed: usize,
    pub rejected: usize,
}

impl std::fmt::Display for Accounting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "read {}, analysed {}, rejected {}",
            self.read, self.analysed, self.rejected
        )
    }
}

/// A validated ledger: the canonical frame of analysed rows, every finding,
/// and the raw table (for the rejects file).
#[derive(Debug, Clone)]
pub struct Ledger {
    /// Canonical typed columns (schema::FIELDS, plus row, clause_article, clause_item)
    /// of the analysed rows, in input order.
    pub cases: DataFrame,
    /// All findings, sorted by row, column, code.
    pub findings: Vec<Finding>,
    pub raw: RawTable,
    /// Input columns no field maps to.
    pub unmapped_headers: Vec<String>,
    pub accounting: Accounting,
    /// Title lines found above the header row (not records).
    pub title_lines: Vec<String>,
    /// The sheets the rows came from (names rows in messages and tables).
    pub labels: rows::RowLabels,
    /// Rows read from each sheet of a workbook, in reading order (empty
    /// for other files).
    pub sheets_read: Vec<(String, usize)>,
    /// Sheets of a workbook not read, with why (not the ledger, hidden, empty).
    pub sheets_skipped: Vec<(String, String)>,
    /// Totals and subtotals rows skipped (not counted as read).
    pub totals_rows: Vec<totals::TotalsRow>,
}

impl Ledger {
    /// Spreadsheet row numbers of the rejected rows, ascending.
    pub fn rejected_rows(&self) -> Vec<i64> {
        let mut rows: Vec<i64> = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.row)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }
}

/// Bytes of CSV text read, parsed and validated at a time: bounds the
/// memory a large export needs beyond its typed columns.
pub const CHUNK_BYTES: usize = 16 << 20;

/// Read and validate a ledger file.
pub fn read_ledger(
    path: &Path,
    opts: &ReadOptions,
    config: &Config,
) -> Result<Ledger, IngestError> {
    let format = Format::from_path(path).ok_or_else(|| IngestError::UnknownFormat {
        path: path.to_path_buf(),
    })?;
    let file = std::fs::File::open(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_ledger_from(file, format, opts, config, CHUNK_BYTES).map_err(|e| e.with_path(path))
}

/// Read and validate a ledger from any reader. CSV is streamed in chunks of
/// about `chunk_bytes` of text (the result does not depend on the chunk
/// size); the other containers are read whole.
pub fn read_ledger_from<R: std::io::Read + Send>(
    mut reader: R,
    format: Format,
    opts: &ReadOptions,
    config: &Config,
    chunk_bytes: usize,
) -> Result<Ledger, IngestError> {
    if format != Format::Csv {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| IngestError::Container {
                format: "文件",
                message: format!("读取中断：{e}"),
            })?;
        if format == Format::Xlsx {
            let book = workbook::read_workbook(&bytes, opts.sheet.as_deref())?;
            drop(bytes);
            return ledger_from_workbook(book, config);
        }
        let raw = read::read_raw_bytes(&bytes, format, opts)?;
        drop(bytes);
        return ledger_from_raw(raw, config);
    }
    let mut chunks = chunks::CsvChunks::new(reader, opts.encoding, chunk_bytes);
    let first = chunks.first_chunk()?;
    let (first, map, title_lines) = locate_header(first, config)?;
    chunks.set_header(first.header_fields(), first.headers.clone());
    let mut assembly = Assembly::new(&first, map, title_lines, config);
    assembly.keep_summaries = opts.keep_summaries;
    assembly.add(first)?;
    // The next chunk is read and split into cells while this one is checked:
    // each side is partly single-threaded. A rendezvous channel: the reader
    // hands a chunk over only when the checker takes it, so two chunks at
    // most are held (a buffered one would add a third, ~100 MB at 10 M).
    std::thread::scope(|scope| {
        let (ready, chunks_in) = std::sync::mpsc::sync_channel(0);
        scope.spawn(move || {
            while let Some(chunk) = chunks.next_chunk().transpose() {
                let failed = chunk.is_err();
                // an error sent over ends the reading; so does a closed
                // channel (the checking side stopped at an error of its own)
                if ready.send(chunk).is_err() || failed {
                    break;
                }
            }
        });
        for chunk in chunks_in {
            assembly.add(chunk?)?;
        }
        Ok::<(), IngestError>(())
    })?;
    assembly.finish()
}

/// Validate an already-read table (one chunk).
pub fn ledger_from_raw(raw: RawTable, config: &Config) -> Result<Ledger, IngestError> {
    let (raw, map, title_lines) = locate_header(raw, config)?;
    let mut assembly = Assembly::new(&raw, map, title_lines, config);
    assembly.add(raw)?;
    assembly.finish()
}

/// Validate the sheets of a workbook as one ledger: every sheet whose
/// header maps to the ledger (the named one with `--sheet`), the others
/// listed with why; merged cells filled; each sheet's rows keyed by sheet.
pub fn ledger_from_workbook(
    book: workbook::Workbook,
    config: &Config,
) -> Result<Ledger, IngestError> {
    let single = book.sheets.len() == 1;
    let mut located = Vec::new();
    let mut skipped = book.passed_over;
    let mut first_error = None;
    for sheet in book.sheets {
        match locate_header(sheet.table, config) {
            Ok((table, map, titles)) => located.push((sheet.name, table, map, titles)),
            Err(e) if single => return Err(e),
            Err(e) => {
                skipped.push((sheet.name, not_a_ledger(&e)));
                first_error.get_or_insert(e);
            }
        }
    }
    if located.is_empty() {
        return Err(IngestError::NoLedgerSheet {
            tried: skipped,
            first: Box::new(first_error.unwrap_or(IngestError::Empty)),
        });
    }
    let several = located.len() > 1;
    let mut filled = Vec::new();
    let mut title_lines = Vec::new();
    let mut sheets = Vec::with_capacity(located.len());
    for (k, (name, mut table, map, titles)) in located.into_iter().enumerate() {
        let findings = workbook::fill_merged(&mut table, map.column_of(schema::CASE_ID))?;
        filled.extend(findings.into_iter().map(|mut f| {
            f.row = rows::key(k, f.row);
            f
        }));
        title_lines.extend(titles.into_iter().map(|t| {
            if several {
                format!("{name}：{t}")
            } else {
                t
            }
        }));
        sheets.push((name, table, map));
    }
    let names: Vec<String> = sheets.iter().map(|s| s.0.clone()).collect();
    let (first, map, tables) = sheets::one_layout(sheets)?;
    let mut assembly = Assembly::new(&first, map, title_lines, config);
    assembly.labels = rows::RowLabels {
        sheets: names.clone(),
    };
    assembly.findings.extend(filled);
    let mut sheets_read = Vec::with_capacity(tables.len());
    for (name, table) in names.into_iter().zip(tables) {
        let before = assembly.read;
        assembly.add(table)?;
        sheets_read.push((name, assembly.read - before));
    }
    let mut ledger = assembly.finish()?;
    ledger.sheets_read = sheets_read;
    ledger.sheets_skipped = skipped;
    Ok(ledger)
}

/// Why a sheet is not the ledger, in a few words.
fn not_a_ledger(e: &IngestError) -> String {
    match e {
        IngestError::MissingColumns { missing, .. } => format!(
            "表头不是案件台账：缺少{}",
            missing
                .iter()
                .map(|m| format!("“{}”", m.header))
                .collect::<String>()
        ),
        other => values::preview(&other.to_string()),
    }
}

/// A ledger being put together chunk by chunk: each chunk is parsed and
/// checked on its own; only the rule that spans chunks — duplicate case ids —
/// waits for the end, for which the raw cells of every later copy of an id
/// (by hash) are kept beside those of the rejected rows.
struct Assembly<'a> {
    config: &'a Config,
    keep_summaries: bool,
    /// Column order of the typed frame.
    columns: Vec<PlSmallStr>,
    map: mapping::HeaderMap,
    headers: Vec<String>,
    title_lines: Vec<String>,
    encoding_used: Option<&'static str>,
    field_counts: Vec<u32>,
    header_row: i64,
    read: usize,
    blank_rows: Vec<i64>,
    findings: Vec<Finding>,
    /// Typed rows without errors, per chunk.
    cases: Vec<DataFrame>,
    /// Raw cells of rejected rows and of possible duplicates, per chunk.
    raw: Vec<DataFrame>,
    /// Hashes of the case ids seen so far.
    seen: PlHashSet<u64>,
    /// Case ids seen more than once (by hash).
    repeated: std::collections::HashSet<String>,
    /// (row, case id) of rows rejected before the duplicate rule.
    rejected_ids: Vec<(i64, String)>,
    labels: rows::RowLabels,
    totals: Vec<totals::TotalsRow>,
}

impl<'a> Assembly<'a> {
    fn new(
        first: &RawTable,
        map: mapping::HeaderMap,
        title_lines: Vec<String>,
        config: &'a Config,
    ) -> Assembly<'a> {
        Assembly {
            config,
            keep_summaries: true,
            columns: Vec::new(),
            map,
            headers: first.headers.clone(),
            title_lines,
            encoding_used: first.encoding_used,
            field_counts: first.field_counts.clone(),
            header_row: first.header_row,
            read: 0,
            blank_rows: Vec::new(),
            findings: Vec::new(),
            cases: Vec::new(),
            raw: Vec::new(),
            seen: Default::default(),
            repeated: Default::default(),
            rejected_ids: Vec::new(),
            labels: Default::default(),
            totals: Vec::new(),
        }
    }

    fn add(&mut self, mut chunk: RawTable) -> Result<(), IngestError> {
        let err = |e: PolarsError| IngestError::container("校验", e);
        let case_id_column = self.map.column_of(schema::CASE_ID);
        self.totals
            .extend(totals::take_totals_rows(&mut chunk, case_id_column)?);
        let parsed = parse::parse_values(&chunk, &self.map)?;
        let mut findings = parsed.findings;
        let row_findings =
            validate::validate_rows(&parsed.frame, &chunk, &self.map, self.config, &findings)?;
        findings.extend(row_findings);
        findings.extend(validate::ragged(&chunk, &parsed.frame)?);
        findings.extend(validate::repeated_headers(&chunk)?);
        let mut rejected: Vec<i64> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.row)
            .collect();
        rejected.sort_unstable();
        rejected.dedup();
        let rows = parsed
            .frame
            .column(ROW)
            .and_then(|c| c.i64())
            .map_err(err)?;
        let ids = parsed
            .frame
            .column(schema::CASE_ID)
            .and_then(|c| c.str())
            .map_err(err)?;
        let mut keep_raw = rejected.clone();
        for (row, id) in rows.iter().zip(ids.iter()) {
            let (Some(row), Some(id)) = (row, id) else {
                continue;
            };
            if !self.seen.insert(id_hash(id)) {
                keep_raw.push(row);
                self.repeated.insert(id.to_string());
            }
            if rejected.binary_search(&row).is_ok() {
                self.rejected_ids.push((row, id.to_string()));
            }
        }
        keep_raw.sort_unstable();
        keep_raw.dedup();
        self.read += chunk.frame.height();
        let mut cases = drop_rows(&parsed.frame, &rejected)?;
        drop(parsed.frame);
        if self.columns.is_empty() {
            self.columns = cases.get_column_names_owned();
        }
        if !self.keep_summaries {
            cases = cases.drop(schema::SUMMARY).map_err(err)?;
        }
        self.cases
            .push(schema::as_stored(clean_dropped_values(cases, &findings)?).map_err(err)?);
        self.raw.push(compact(keep_rows(&chunk.frame, &keep_raw)?)?);
        self.blank_rows.extend(chunk.blank_rows);
        self.findings.extend(findings);
        Ok(())
    }

    /// Long: the assembly's steps in order (rejects, duplicates, clean values, compact), each a few lines over the same state.
    fn finish(mut self) -> Result<Ledger, IngestError> {
        let err = |e: PolarsError| IngestError::container("校验", e);
        // Duplicate case ids, over the whole file.
        let mut copies = std::mem::take(&mut self.rejected_ids);
        copies.retain(|(_, id)| self.repeated.contains(id));
        if !self.repeated.is_empty() {
            for part in &self.cases {
                let rows = part.column(ROW).and_then(|c| c.i64()).map_err(err)?;
                let ids = part
                    .column(schema::CASE_ID)
                    .and_then(|c| c.str())
                    .map_err(err)?;
                for (row, id) in rows.iter().zip(ids.iter()) {
                    if let (Some(row), Some(id)) = (row, id) {
                        if self.repeated.contains(id) {
                            copies.push((row, id.to_string()));
                        }
                    }
                }
            }
        }
        copies.sort();
        let header = self
            .map
            .column_of(schema::CASE_ID)
            .map(|i| self.headers[i].clone())
            .unwrap_or_else(|| schema::header_of(schema::CASE_ID).to_string());
        let dup = validate::duplicates(&copies, &header, &self.findings, &self.labels);
        let mut findings = std::mem::take(&mut self.findings);
        findings.extend(dup);
        findings.sort_by(|a, b| {
            (a.row, &a.column, a.code, &a.message).cmp(&(b.row, &b.column, b.code, &b.message))
        });
        findings.dedup();
        let mut rejected_rows: Vec<i64> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.row)
            .collect();
        rejected_rows.dedup();
        let dropped_late: Vec<i64> = copies
            .iter()
            .map(|(row, _)| *row)
            .filter(|r| rejected_rows.binary_search(r).is_ok())
            .collect();
        // Only the chunks holding a late-rejected copy are filtered again.
        let parts = std::mem::take(&mut self.cases);
        let mut kept = Vec::with_capacity(parts.len());
        for part in parts {
            let rows = part.column(ROW).and_then(|c| c.i64()).map_err(err)?;
            let (lo, hi) = (rows.min().unwrap_or(0), rows.max().unwrap_or(0));
            if dropped_late.iter().any(|r| (lo..=hi).contains(r)) {
                kept.push(drop_rows(&part, &dropped_late)?);
            } else {
                kept.push(part);
            }
        }
        let mut cases = mark_sorted_case_ids(concat_frames(kept)?)?;
        if !self.keep_summaries {
            let n = cases.height();
            cases
                .with_column(Column::full_null(
                    schema::SUMMARY.into(),
                    n,
                    &DataType::String,
                ))
                .map_err(err)?;
            cases = cases.select(self.columns.clone()).map_err(err)?;
        }
        let raw_frame = keep_rows(
            &concat_frames(std::mem::take(&mut self.raw))?,
            &rejected_rows,
        )?;
        let accounting = Accounting {
            read: self.read,
            analysed: cases.height(),
            rejected: self.read - cases.height(),
        };
        let unmapped_headers = self
            .map
            .unmapped
            .iter()
            .map(|i| self.headers[*i].clone())
            .filter(|h| !h.is_empty())
            .collect();
        self.blank_rows.sort_unstable();
        Ok(Ledger {
            cases,
            findings,
            raw: RawTable {
                headers: self.headers,
                frame: raw_frame,
                encoding_used: self.encoding_used,
                blank_rows: self.blank_rows,
                ragged: Vec::new(),
                field_counts: self.field_counts,
                title_lines: self.title_lines.clone(),
                header_row: self.header_row,
                merged: Vec::new(),
                date_1904: false,
            },
            unmapped_headers,
            accounting,
            title_lines: self.title_lines,
            labels: self.labels,
            sheets_read: Vec::new(),
            sheets_skipped: Vec::new(),
            totals_rows: self.totals,
        })
    }
}

/// The same frame with its text in buffers of its own: a filtered string
/// column still points into the buffers of the whole chunk it came from, which
/// would keep every chunk's text alive for a handful of rejected rows.
fn compact(df: DataFrame) -> Result<DataFrame, IngestError> {
    let columns = df
        .columns()
        .iter()
        .map(|c| match c.dtype() {
            DataType::String => c.str().map(|ca| {
                ca.iter()
                    .collect::<StringChunked>()
                    .with_name(c.name().clone())
                    .into_column()
            }),
            _ => Ok(c.clone()),
        })
        .collect::<PolarsResult<Vec<_>>>()
        .and_then(DataFrame::new_infer_height)
        .map_err(|e| IngestError::container("校验", e))?;
    Ok(columns)
}

/// A stable 64-bit hash of a case id (only used to spot repeats cheaply).
fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    PlFixedStateQuality::default().hash_one(id)
}

/// The cases with their `case_id` column flagged as sorted when the ledger
/// lists its cases in case-id text order (as exports numbered by filing
/// usually do): the analyses that walk cases in that order (deadlines, the
/// case lists of hotspots) then take the rows as they are instead of sorting
/// a million ids. The flag is a promise polars trusts, so every neighbouring
/// pair is compared first; anything else leaves the column unflagged.
fn mark_sorted_case_ids(mut cases: DataFrame) -> Result<DataFrame, IngestError> {
    let err = |e: PolarsError| IngestError::container("校验", e);
    let mut ids = cases
        .column(schema::CASE_ID)
        .and_then(|c| c.str())
        .map_err(err)?
        .clone();
    if ids.null_count() > 0 {
        return Ok(cases);
    }
    let mut previous: Option<&str> = None;
    for id in ids.iter().flatten() {
        if previous.is_some_and(|p| p > id) {
            return Ok(cases);
        }
        previous = Some(id);
    }
    ids.set_sorted_flag(polars::series::IsSorted::Ascending);
    cases
        .replace(schema::CASE_ID, ids.into_column())
        .map_err(err)?;
    Ok(cases)
}

/// Frames of one schema stacked in order.
fn concat_frames(frames: Vec<DataFrame>) -> Result<DataFrame, IngestError> {
    let mut frames = frames.into_iter();
    let Some(mut out) = frames.next() else {
        return Err(IngestError::Empty);
    };
    for f in frames {
        out.vstack_mut_owned(f)
            .map_err(|e| IngestError::container("校验", e))?;
    }
    Ok(out)
}

/// The header row of a table: the first row, or — for sheets with a title
/// above the table — one of the next five rows, the first that names every
/// required field (by ledger.md's header, jiucuo.toml's aliases or a
/// built-in synonym); when none does, the row that names the most fields.
/// Returns the table below that row, the title lines above it and the match.
pub fn header_row(raw: RawTable, config: &Config) -> (RawTable, Vec<String>, mapping::HeaderMatch) {
    let first = mapping::match_headers(&raw.headers, config);
    if first.missing.is_empty() {
        let titles = raw.title_lines.clone();
        return (raw, titles, first);
    }
    // the nearest row so far: its score, the table below it and its titles
    // (None: the first row), and its match
    type Nearest = (usize, Option<(RawTable, Vec<String>)>, mapping::HeaderMatch);
    let mut best: Nearest = (first.score(), None, first);
    for k in 0..5 {
        let Some((candidate, titles)) = raw.promote_header(k) else {
            break;
        };
        let matched = mapping::match_headers(&candidate.headers, config);
        let complete = matched.missing.is_empty();
        if complete || matched.score() > best.0 {
            best = (matched.score(), Some((candidate, titles)), matched);
        }
        if complete {
            break;
        }
    }
    match best {
        (_, Some((candidate, titles)), matched) => {
            let mut all = raw.title_lines.clone();
            all.extend(titles);
            (candidate, all, matched)
        }
        (_, None, matched) => {
            let titles = raw.title_lines.clone();
            (raw, titles, matched)
        }
    }
}

/// The header row that names every required field, or the error listing
/// the nearest row's headers.
fn locate_header(
    raw: RawTable,
    config: &Config,
) -> Result<(RawTable, mapping::HeaderMap, Vec<String>), IngestError> {
    let (table, titles, matched) = header_row(raw, config);
    if matched.missing.is_empty() {
        return Ok((table, matched.map, titles));
    }
    let row = (table.header_row != 1).then_some(table.header_row);
    Err(mapping::missing_columns(
        &table.headers,
        matched,
        row,
        config,
    ))
}

fn keep_rows(df: &DataFrame, rows: &[i64]) -> Result<DataFrame, IngestError> {
    let set = Series::new("kept".into(), rows);
    df.clone()
        .lazy()
        .filter(col(ROW).is_in(lit(set).implode(false), false))
        .collect()
        .map_err(|e| IngestError::container("校验", e))
}

fn drop_rows(df: &DataFrame, rows: &[i64]) -> Result<DataFrame, IngestError> {
    if rows.is_empty() {
        return Ok(df.clone());
    }
    let set = Series::new("rejected".into(), rows);
    df.clone()
        .lazy()
        .filter(col(ROW).is_in(lit(set).implode(false), false).not())
        .collect()
        .map_err(|e| IngestError::container("校验", e))
}

/// Values a warning says are "not used" (negative ints) become null.
fn clean_dropped_values(df: DataFrame, findings: &[Finding]) -> Result<DataFrame, IngestError> {
    if !findings
        .iter()
        .any(|f| f.code == "int-negative" || f.code == "int-too-large")
    {
        return Ok(df);
    }
    let ints: Vec<Expr> = schema::FIELDS
        .iter()
        .filter(|f| f.ty == schema::FieldType::Int)
        .map(|f| {
            when(
                col(f.name)
                    .lt(lit(0))
                    .or(col(f.name).gt(lit(i32::MAX as i64))),
            )
            .then(lit(NULL).cast(DataType::Int64))
            .otherwise(col(f.name))
            .alias(f.name)
        })
        .collect();
    df.lazy()
        .with_columns(ints)
        .collect()
        .map_err(|e| IngestError::container("校验", e))
}

/// The findings table of outputs.md §validate:
/// `row, case_id, column, value, severity, code, message`, with `row` the
/// spreadsheet row within its sheet; a ledger read from several sheets of a
/// workbook adds a first column `sheet` naming each row's sheet.
pub fn findings_frame(findings: &[Finding], labels: &rows::RowLabels) -> PolarsResult<DataFrame> {
    let mut frame = df!(
        "row" => findings.iter().map(|f| labels.row(f.row)).collect::<Vec<_>>(),
        "case_id" => findings.iter().map(|f| f.case_id.clone()).collect::<Vec<_>>(),
        "column" => findings.iter().map(|f| f.column.clone()).collect::<Vec<_>>(),
        "value" => findings.iter().map(|f| f.value.clone()).collect::<Vec<_>>(),
        "severity" => findings.iter().map(|f| f.severity.as_str()).collect::<Vec<_>>(),
        "code" => findings.iter().map(|f| f.code).collect::<Vec<_>>(),
        "message" => findings.iter().map(|f| f.message.clone()).collect::<Vec<_>>(),
    )?;
    if labels.several() {
        let sheets: Vec<Option<&str>> = findings.iter().map(|f| labels.sheet_of(f.row)).collect();
        frame.insert_column(0, Column::new("sheet".into(), sheets))?;
    }
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::series::IsSorted;

    fn flag_of(ids: &[Option<&str>]) -> IsSorted {
        let cases = df!(schema::CASE_ID => ids, "n" => vec![1i32; ids.len()]).unwrap();
        let cases = mark_sorted_case_ids(cases).unwrap();
        assert_eq!(cases.get_column_names(), [schema::CASE_ID, "n"]);
        cases
            .column(schema::CASE_ID)
            .unwrap()
            .as_materialized_series()
            .is_sorted_flag()
    }

    #[test]
    fn case_ids_are_flagged_sorted_only_in_text_order() {
        let sorted = IsSorted::Ascending;
        assert_eq!(
            flag_of(&[
                Some("JC2025-0001"),
                Some("JC2025-0002"),
                Some("JC2026-0001")
            ]),
            sorted
        );
        // equal neighbours keep the order (duplicates are rejected later)
        assert_eq!(flag_of(&[Some("A"), Some("A"), Some("B")]), sorted);
        // text order, not number order: "A10" comes before "A9"
        assert_ne!(flag_of(&[Some("A9"), Some("A10")]), sorted);
        assert_eq!(flag_of(&[Some("A10"), Some("A9")]), sorted);
        // one pair out of order at the very end
        assert_ne!(
            flag_of(&[Some("A1"), Some("A2"), Some("A4"), Some("A3")]),
            sorted
        );
        // a missing id: never flagged
        assert_ne!(flag_of(&[Some("A1"), None]), sorted);
        assert_ne!(flag_of(&[None, Some("A1")]), sorted);
    }
}
