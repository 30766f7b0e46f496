//! Streaming CSV reader: the file is read in blocks of whole records, each
//! decoded and turned into a [`RawTable`] chunk of its own, so that a 10 M-row
//! export never sits in memory as text all at once.
//!
//! Blocks end after a line break outside quotes; a line break byte (0x0A)
//! never occurs inside a UTF-8 or GB18030 character, so cutting there never
//! splits a character. Encoding detection, title lines above the header,
//! ragged records and blank rows are judged the same way as for a whole file:
//! the first block decides the encoding, and a later block that contradicts
//! it is an error naming the lines.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use polars::prelude::*;

use super::error::IngestError;
use super::raw::{drop_blank_records, frame_with_header_row, raw_col, scan_records};
use super::raw::{ragged_records, RawTable};
use crate::schema::ROW;

/// Records the first block holds at least (title lines, the header and some
/// rows), so that a title above the header is always seen in one piece.
const FIRST_BLOCK_RECORDS: usize = 16;

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

/// How the blocks are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoding {
    /// UTF-8 because the user said so or the file starts with a BOM: a bad
    /// byte is an error.
    Utf8Strict,
    /// UTF-8 so far (auto-detection): a later block that is not UTF-8 makes
    /// the file GB18030 if everything before was ASCII, else a mixed file.
    Utf8Tentative,
    /// GB18030 forced by the user.
    GbkStrict,
    /// GB18030 by auto-detection: lines that are UTF-8 Chinese mean a mixed file.
    GbkDetected,
}

/// CSV records read block by block from any reader.
pub struct CsvChunks<R: Read> {
    reader: R,
    /// Unconsumed bytes; always start at a record boundary.
    buf: Vec<u8>,
    eof: bool,
    requested: Encoding,
    decoding: Option<Decoding>,
    chunk_bytes: usize,
    /// File byte offset of `buf[0]` (for error messages).
    offset: u64,
    /// Record index (0 = first line) of the first record in `buf`.
    next_record: usize,
    /// Physical line (1-based) of the first byte of `buf`.
    next_line: usize,
    /// First line holding UTF-8 Chinese, first line holding GBK bytes.
    utf8_line: Option<usize>,
    gbk_line: Option<usize>,
    /// Header width and texts once the first chunk is known.
    header: Option<(usize, Vec<String>)>,
    started: bool,
    had_bom: bool,
    /// The last block decoded ended a line (the next begins one).
    at_line_start: bool,
}

impl<R: Read> CsvChunks<R> {
    /// A reader yielding chunks of about `chunk_bytes` of text each.
    pub fn new(reader: R, encoding: Encoding, chunk_bytes: usize) -> CsvChunks<R> {
        CsvChunks {
            reader,
            buf: Vec::new(),
            eof: false,
            requested: encoding,
            decoding: None,
            chunk_bytes: chunk_bytes.max(1),
            offset: 0,
            next_record: 0,
            next_line: 1,
            utf8_line: None,
            gbk_line: None,
            header: None,
            started: false,
            had_bom: false,
            at_line_start: true,
        }
    }

    /// The header chosen for the file (after any title lines were promoted
    /// away): later chunks carry these headers and are judged against `fields`.
    pub fn set_header(&mut self, fields: usize, headers: Vec<String>) {
        self.header = Some((fields, headers));
    }

    /// The first chunk: title lines, the header and the first records.
    /// `Err(Empty)` when the file holds nothing but white space.
    pub fn first_chunk(&mut self) -> Result<RawTable, IngestError> {
        let block = self.next_block(FIRST_BLOCK_RECORDS)?;
        let text = self.decode(&block)?;
        if text.trim().is_empty() && self.buf.is_empty() {
            return Err(IngestError::Empty);
        }
        let records = scan_records(&text, None);
        // A title line above the table ("2026年第三季度监督案件台账") has fewer
        // fields than the header; the CSV reader sizes its columns by the first
        // line, so such lines are cut off first and reported.
        let skip = records.iter().take(6).take_while(|(n, _)| *n == 1).count();
        let skip = if records.get(skip).is_some_and(|(n, _)| *n > 1) {
            skip
        } else {
            0
        };
        let offset = record_offset(&text, skip);
        let titles: Vec<String> = text[..offset]
            .lines()
            .map(|l| l.replace(',', " ").trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        let body = &text[offset..];
        let df = read_block(body, None)?;
        let mut table = frame_with_header_row(df, skip as i64 + 1)?;
        table.encoding_used = Some(self.encoding_name());
        table.title_lines = titles;
        table.field_counts = records
            .iter()
            .map(|(n, _)| (*n).min(u32::MAX as usize) as u32)
            .collect();
        table.ragged = ragged_records(scan_records(body, None), None)
            .into_iter()
            .map(|mut r| {
                r.row += skip as i64;
                r
            })
            .collect();
        self.next_record += records.len();
        self.started = true;
        Ok(table)
    }

    /// The next chunk of records, or None at the end of the file.
    /// [`CsvChunks::set_header`] must have been called.
    pub fn next_chunk(&mut self) -> Result<Option<RawTable>, IngestError> {
        let Some((fields, headers)) = self.header.clone() else {
            return Ok(None);
        };
        if !self.started {
            return Ok(None);
        }
        let block = self.next_block(1)?;
        if block.is_empty() {
            return Ok(None);
        }
        let text = self.decode(&block)?;
        let records = scan_records(&text, Some(fields));
        let first_row = self.next_record as i64 + 1;
        let ragged = ragged_records(records.clone(), Some(fields))
            .into_iter()
            .map(|mut r| {
                // ragged_records numbers the block's records from 1
                r.row += first_row - 1;
                r
            })
            .collect();
        self.next_record += records.len();
        let df = read_block(&text, Some(fields))?;
        let n = df.height() as i64;
        let mut columns: Vec<Column> = df.into_columns();
        columns.push(Column::new(
            ROW.into(),
            (first_row..first_row + n).collect::<Vec<i64>>(),
        ));
        let frame =
            DataFrame::new_infer_height(columns).map_err(|e| IngestError::container("CSV", e))?;
        let mut table = drop_blank_records(headers, frame)?;
        table.ragged = ragged;
        table.encoding_used = Some(self.encoding_name());
        Ok(Some(table))
    }

    fn encoding_name(&self) -> &'static str {
        match self.decoding {
            Some(Decoding::GbkStrict | Decoding::GbkDetected) => "GB18030",
            _ if self.had_bom => "UTF-8（带BOM）",
            _ => "UTF-8",
        }
    }

    /// Read until the buffer holds `chunk_bytes` and at least `min_records`
    /// whole records (or the file ends); split off those records.
    fn next_block(&mut self, min_records: usize) -> Result<Vec<u8>, IngestError> {
        loop {
            if !self.eof && self.buf.len() < self.chunk_bytes {
                self.fill()?;
                continue;
            }
            if self.eof {
                return Ok(std::mem::take(&mut self.buf));
            }
            let (records, end) = record_ends(&self.buf, self.chunk_bytes, min_records);
            if records >= min_records && end > 0 {
                let rest = self.buf.split_off(end);
                return Ok(std::mem::replace(&mut self.buf, rest));
            }
            self.fill()?;
        }
    }

    fn fill(&mut self) -> Result<(), IngestError> {
        let want = self.chunk_bytes.clamp(64 << 10, 64 << 20);
        let before = self.buf.len();
        (&mut self.reader)
            .take(want as u64)
            .read_to_end(&mut self.buf)
            .map_err(|e| IngestError::Container {
                format: "CSV",
                message: format!("读取中断：{e}"),
            })?;
        if self.buf.len() == before {
            self.eof = true;
        }
        Ok(())
    }

    /// Decode one block, deciding (first block) or checking (later ones) the
    /// encoding; a byte-order mark at the start of any line (two UTF-8
    /// exports pasted together leave one mid-file) is dropped, wherever the
    /// blocks and the parser's batches happen to begin.
    fn decode<'a>(&mut self, block: &'a [u8]) -> Result<Cow<'a, str>, IngestError> {
        let text = self.decode_block(block)?;
        let at_start = self.at_line_start;
        if let Some(last) = text.chars().last() {
            self.at_line_start = last == '\n';
        }
        Ok(drop_line_start_boms(text, at_start))
    }

    fn decode_block<'a>(&mut self, block: &'a [u8]) -> Result<Cow<'a, str>, IngestError> {
        let mut bytes = block;
        if self.decoding.is_none() {
            let had_bom = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
                Some(rest) => {
                    bytes = rest;
                    true
                }
                None => false,
            };
            if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
                return Err(IngestError::Encoding {
                    message:
                        "文件是 UTF-16 编码。请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”后重试"
                            .into(),
                });
            }
            self.decoding = Some(match self.requested {
                Encoding::Utf8 => Decoding::Utf8Strict,
                Encoding::Gb18030 => Decoding::GbkStrict,
                Encoding::Auto if had_bom => Decoding::Utf8Strict,
                Encoding::Auto if utf8(bytes).is_ok() => Decoding::Utf8Tentative,
                Encoding::Auto => Decoding::GbkDetected,
            });
            if had_bom {
                self.offset += 3;
                self.had_bom = true;
            }
        }
        let first_line = self.next_line;
        let offset = self.offset;
        self.next_line += bytes.iter().filter(|b| **b == b'\n').count();
        self.offset += bytes.len() as u64;
        let decoding = self.decoding.unwrap_or(Decoding::Utf8Strict);
        match decoding {
            Decoding::Utf8Strict => match utf8(bytes) {
                Ok(text) => Ok(Cow::Borrowed(text)),
                Err(e) => Err(IngestError::Encoding {
                    message: format!(
                        "文件在第 {} 字节处不是有效的 UTF-8。如为 GBK 编码，请去掉 --encoding utf-8 或改用 --encoding gbk",
                        offset + e.valid_up_to() as u64 + 1
                    ),
                }),
            },
            Decoding::Utf8Tentative => match utf8(bytes) {
                Ok(text) => {
                    if self.utf8_line.is_none() && !text.is_ascii() {
                        self.note_lines(bytes, first_line);
                    }
                    Ok(Cow::Borrowed(text))
                }
                Err(_) => {
                    // Not UTF-8 after all: fine only if nothing before was UTF-8 Chinese.
                    self.decoding = Some(Decoding::GbkDetected);
                    self.decode_gbk(bytes, first_line, true)
                }
            },
            Decoding::GbkDetected => self.decode_gbk(bytes, first_line, true),
            Decoding::GbkStrict => self.decode_gbk(bytes, first_line, false),
        }
    }

    /// Remember the first UTF-8 Chinese line and the first GBK line of a block.
    fn note_lines(&mut self, bytes: &[u8], first_line: usize) {
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            if self.utf8_line.is_some() && self.gbk_line.is_some() {
                return;
            }
            if line.is_ascii() {
                continue;
            }
            match std::str::from_utf8(line) {
                Ok(_) => self.utf8_line = self.utf8_line.or(Some(first_line + i)),
                Err(_) => self.gbk_line = self.gbk_line.or(Some(first_line + i)),
            }
        }
    }

    fn decode_gbk<'a>(
        &mut self,
        bytes: &'a [u8],
        first_line: usize,
        detect_mixed: bool,
    ) -> Result<Cow<'a, str>, IngestError> {
        if detect_mixed {
            // A file that is not UTF-8 as a whole but has UTF-8 lines with
            // Chinese text mixes two encodings (two exports pasted together):
            // decoding it either way would garble part of it.
            self.note_lines(bytes, first_line);
            if let (Some(u), Some(g)) = (self.utf8_line, self.gbk_line) {
                return Err(IngestError::Encoding {
                    message: format!(
                        "文件混用了两种编码：第{u}行是 UTF-8，第{g}行是 GBK（常见于把两个导出文件拼在一起）。请在 Excel 中分别打开后另存为“CSV UTF-8”再合并"
                    ),
                });
            }
        }
        let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
        if had_errors {
            return Err(IngestError::Encoding {
                message: "文件既不是有效的 UTF-8，也不是有效的 GBK/GB18030 编码（可能混用了两种编码）。请用 Excel 另存为“CSV UTF-8”后重试".into(),
            });
        }
        Ok(Cow::Owned(text.into_owned()))
    }
}

/// `text` without a U+FEFF at the start of a line (`at_start`: the text
/// begins a line); borrowed when there is none.
fn drop_line_start_boms(text: Cow<'_, str>, at_start: bool) -> Cow<'_, str> {
    const BOM: char = '\u{FEFF}';
    if !text.contains(BOM) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut line_start = at_start;
    for c in text.chars() {
        if !(line_start && c == BOM) {
            out.push(c);
            line_start = c == '\n';
        }
    }
    Cow::Owned(out)
}

/// `bytes` as UTF-8 text: validated with SIMD, the error (with the position
/// of the first bad byte) from the standard library.
fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => std::str::from_utf8(bytes),
    }
}

/// Whole records at the start of `bytes` (quote-aware): those ending within
/// `limit` bytes, and more if fewer than `min_records` do. Returns (records,
/// byte end of the last one); end 0 = not one whole record.
fn record_ends(bytes: &[u8], limit: usize, min_records: usize) -> (usize, usize) {
    let (mut records, mut end) = (0usize, 0usize);
    while let Some(newline) = record_end(bytes, end) {
        if newline + 1 > limit && records >= min_records.max(1) {
            break;
        }
        records += 1;
        end = newline + 1;
    }
    (records, end)
}

/// The line break ending the record that starts at `start` (quote-aware),
/// found by jumping from quote to quote and line break to line break.
fn record_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut quoted = false;
    let mut at = start;
    loop {
        let i = at + memchr::memchr2(b'"', b'\n', bytes.get(at..)?)?;
        if bytes[i] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            return Some(i);
        }
        at = i + 1;
    }
}

/// Byte offset where CSV record `n` (0-based) starts (quote-aware).
pub(crate) fn record_offset(text: &str, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let (mut quoted, mut seen) = (false, 0);
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                seen += 1;
                if seen == n {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Parse a block of CSV text into String columns `c0..`: the width of the
/// first line, or `fields` columns (extra fields cut, missing ones null).
fn read_block(text: &str, fields: Option<usize>) -> Result<DataFrame, IngestError> {
    let mut options = CsvReadOptions::default()
        .with_has_header(false)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|p| {
            p.with_truncate_ragged_lines(true)
                .with_missing_is_null(true)
        });
    if let Some(n) = fields {
        let schema: Schema = (0..n)
            .map(|i| Field::new(raw_col(i).into(), DataType::String))
            .collect();
        options = options.with_schema(Some(Arc::new(schema)));
    }
    options
        .into_reader_with_file_handle(Cursor::new(text.as_bytes()))
        .finish()
        .map_err(|e| IngestError::container("CSV", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_is_dropped_only_at_the_start_of_a_line() {
        let t =
            |s: &str, at_start: bool| drop_line_start_boms(Cow::Borrowed(s), at_start).into_owned();
        assert_eq!(
            t("\u{FEFF}a,b\n\u{FEFF}c\u{FEFF}d\n", true),
            "a,b\nc\u{FEFF}d\n"
        );
        // a block that begins mid-line keeps it
        assert_eq!(t("\u{FEFF}x\n", false), "\u{FEFF}x\n");
        assert!(matches!(
            drop_line_start_boms(Cow::Borrowed("abc"), true),
            Cow::Borrowed(_)
        ));
    }

    type Records = Vec<(i64, Vec<Option<String>>)>;

    /// (row, cells) of every chunk's records, in order, plus blank rows and ragged rows.
    fn records(csv: &[u8], chunk: usize) -> (Records, Vec<i64>, Vec<i64>) {
        let mut chunks = CsvChunks::new(Cursor::new(csv), Encoding::Auto, chunk);
        let first = chunks.first_chunk().unwrap();
        chunks.set_header(first.header_fields(), first.headers.clone());
        let mut tables = vec![first];
        while let Some(t) = chunks.next_chunk().unwrap() {
            tables.push(t);
        }
        let (mut out, mut blank, mut ragged) = (vec![], vec![], vec![]);
        for t in tables {
            let rows = t.frame.column(ROW).unwrap().i64().unwrap().clone();
            for (k, row) in rows.iter().enumerate() {
                let cells = (0..t.headers.len())
                    .map(|i| {
                        t.frame
                            .column(&raw_col(i))
                            .unwrap()
                            .str()
                            .unwrap()
                            .get(k)
                            .map(String::from)
                    })
                    .collect();
                out.push((row.unwrap(), cells));
            }
            blank.extend(t.blank_rows);
            ragged.extend(t.ragged.iter().map(|r| r.row));
        }
        (out, blank, ragged)
    }

    #[test]
    fn every_chunk_size_reads_the_same_records_with_the_same_row_numbers() {
        // 14 plain rows fill the first block; the oddities come in later chunks.
        let plain: String = (1..=14).map(|i| format!("B{i},甲,x\n")).collect();
        let csv = format!(
            "台账标题\n编号,单位,案情\n{plain}A1,甲,\"两行\n案情\"\n\nA2,乙,x\nA3,丙,\"逗,号\"\nA4,丁\nA5,戊,y,多余\n,,\nA6,己,z"
        );
        let whole = records(csv.as_bytes(), usize::MAX);
        // Rows as a spreadsheet shows them: title 1, header 2, B1..B14 3..16,
        // A1 17 (two lines), blank 18, …
        let ids: Vec<(i64, Option<String>)> = whole
            .0
            .iter()
            .map(|(r, c)| (*r, c[0].clone()))
            .skip(14)
            .collect();
        assert_eq!(
            ids,
            [
                (17, Some("A1".into())),
                (19, Some("A2".into())),
                (20, Some("A3".into())),
                (21, Some("A4".into())),
                (22, Some("A5".into())),
                (24, Some("A6".into()))
            ]
        );
        assert_eq!(whole.0[14].1[2].as_deref(), Some("两行\n案情"));
        assert_eq!(whole.1, [18, 23]);
        assert_eq!(whole.2, [21, 22]);
        for chunk in 1..csv.len() + 2 {
            assert_eq!(records(csv.as_bytes(), chunk), whole, "chunk {chunk}");
        }
    }
}
