//! Machine-readable result tables: table, csv, json, ndjson, parquet, arrow, xlsx
//! (outputs.md). Untrusted text is defused for spreadsheets; bytes are stable.

use anyhow::{bail, Context, Result};
use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as XlsxFormat, Workbook};

/// Output format of a result table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Table,
    Csv,
    Json,
    Ndjson,
    Parquet,
    Arrow,
    ArrowStream,
    Xlsx,
}

impl TableFormat {
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Table => "txt",
            TableFormat::Csv => "csv",
            TableFormat::Json => "json",
            TableFormat::Ndjson => "ndjson",
            TableFormat::Parquet => "parquet",
            TableFormat::Arrow => "arrow",
            TableFormat::ArrowStream => "arrows",
            TableFormat::Xlsx => "xlsx",
        }
    }

    pub fn is_binary(self) -> bool {
        matches!(
            self,
            TableFormat::Parquet
                | TableFormat::Arrow
                | TableFormat::ArrowStream
                | TableFormat::Xlsx
        )
    }
}

/// Options for text formats.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    pub bom: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { bom: true }
    }
}

/// Render a frame in `format`.
pub fn render(df: &DataFrame, format: TableFormat, opts: WriteOptions) -> Result<Vec<u8>> {
    // Categorical columns leave as plain text: the contract's types are strings.
    let df = crate::schema::text_frame(df)?;
    let df = df.as_ref();
    match format {
        TableFormat::Table => Ok(render_table(df)?.into_bytes()),
        TableFormat::Csv => render_csv(df, opts.bom),
        TableFormat::Json => render_json(df, false),
        TableFormat::Ndjson => render_json(df, true),
        TableFormat::Parquet => {
            let mut buf = Vec::new();
            let mut df = df.clone();
            ParquetWriter::new(&mut buf)
                .finish(&mut df)
                .map_err(|e| anyhow::anyhow!("写 Parquet 失败：{e}"))?;
            Ok(buf)
        }
        TableFormat::Arrow => {
            let mut buf = Vec::new();
            let mut df = df.clone();
            IpcWriter::new(&mut buf)
                .finish(&mut df)
                .map_err(|e| anyhow::anyhow!("写 Arrow IPC 失败：{e}"))?;
            Ok(buf)
        }
        TableFormat::ArrowStream => {
            let mut buf = Vec::new();
            let mut df = df.clone();
            IpcStreamWriter::new(&mut buf)
                .finish(&mut df)
                .map_err(|e| anyhow::anyhow!("写 Arrow IPC 流失败：{e}"))?;
            Ok(buf)
        }
        TableFormat::Xlsx => render_xlsx(&[("结果", df)]),
    }
}

/// A table written in parts, each as it is computed, into a file that
/// appears (atomically) only when [`PartWriter::finish`] is called. CSV,
/// NDJSON and Parquet are written part by part, so a long table need never be
/// held whole; the other formats gather the parts and write them at the end.
/// The bytes are those of [`render`] on the parts stacked, except that
/// Parquet's row groups end where parts end.
pub struct PartWriter {
    file: crate::fsutil::AtomicFile,
    format: TableFormat,
    opts: WriteOptions,
    parquet: Option<polars::io::parquet::write::BatchedWriter<std::fs::File>>,
    gathered: Option<DataFrame>,
    parts: usize,
}

impl PartWriter {
    pub fn create(path: &std::path::Path, format: TableFormat, opts: WriteOptions) -> Result<Self> {
        Ok(PartWriter {
            file: crate::fsutil::AtomicFile::create(path)?,
            format,
            opts,
            parquet: None,
            gathered: None,
            parts: 0,
        })
    }

    /// Append the next part (every part has the same columns).
    pub fn write(&mut self, part: DataFrame) -> Result<()> {
        use std::io::Write;
        let first = self.parts == 0;
        self.parts += 1;
        let part = crate::schema::text_frame(&part)?.into_owned();
        let shown = self.file.path().display().to_string();
        let io = |e: std::io::Error| anyhow::anyhow!("写入 {shown} 失败（磁盘已满？）：{e}");
        match self.format {
            TableFormat::Csv => {
                let bytes = render_csv_rows(&part, first.then_some(self.opts.bom))?;
                self.file.write_all(&bytes).map_err(io)?;
            }
            TableFormat::Ndjson => {
                let bytes = render_json(&part, true)?;
                self.file.write_all(&bytes).map_err(io)?;
            }
            TableFormat::Parquet => {
                let mut part = part;
                let chunked = polars::frame::chunk_df_for_writing(&mut part, 512 * 512)?;
                if self.parquet.is_none() {
                    let file = self.file.try_clone_file().map_err(io)?;
                    self.parquet = Some(ParquetWriter::new(file).batched(chunked.schema())?);
                }
                if let Some(w) = self.parquet.as_mut() {
                    w.write_batch(&chunked)
                        .map_err(|e| anyhow::anyhow!("写 Parquet 失败：{e}"))?;
                }
            }
            _ => match self.gathered.as_mut() {
                Some(all) => {
                    all.vstack_mut_owned(part)?;
                }
                None => self.gathered = Some(part),
            },
        }
        Ok(())
    }

    /// Complete the file and put it in place (after at least one part: the
    /// parts carry the columns).
    pub fn finish(mut self) -> Result<()> {
        use std::io::Write;
        if self.parts == 0 {
            bail!("内部错误：{} 没有写入任何内容", self.file.path().display());
        }
        if let Some(w) = self.parquet.take() {
            w.finish()
                .map_err(|e| anyhow::anyhow!("写 Parquet 失败：{e}"))?;
        }
        if let Some(all) = self.gathered.take() {
            let bytes = render(&all, self.format, self.opts)?;
            self.file.write_all(&bytes)?;
        }
        self.file.commit()
    }
}

/// A cell value as text: dates ISO, lists `;`-joined, floats at fixed precision.
pub fn cell_text(v: &AnyValue) -> String {
    match v {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Boolean(b) => b.to_string(),
        AnyValue::Float64(f) => float_text(*f),
        AnyValue::Float32(f) => float_text(*f as f64),
        AnyValue::Date(d) => crate::period::date_from_days(*d).to_string(),
        AnyValue::List(s) => s
            .iter()
            .map(|v| cell_text(&v))
            .collect::<Vec<_>>()
            .join(";"),
        other => other.to_string(),
    }
}

/// Floats with at most 6 significant decimals, no trailing zeros, never `-0`.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        return String::new();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f != 0.0 && f.abs() < 1e-4 {
        return format!("{f:.3e}");
    }
    let s = format!("{f:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// Spreadsheet formula injection: text starting with = + - @ (or tab/CR)
/// gets a leading apostrophe in CSV.
pub fn defuse_csv(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

fn csv_field(s: &str, out: &mut String) {
    let s = defuse_csv(s);
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&s);
    }
}

fn render_csv(df: &DataFrame, bom: bool) -> Result<Vec<u8>> {
    render_csv_rows(df, Some(bom))
}

/// CSV lines of `df`, preceded by the header line (and the BOM when asked)
/// unless `header` is None.
fn render_csv_rows(df: &DataFrame, header: Option<bool>) -> Result<Vec<u8>> {
    let mut out = String::with_capacity(df.height() * df.width() * 8 + 64);
    if let Some(bom) = header {
        if bom {
            out.push('\u{FEFF}');
        }
        let names = df.get_column_names();
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_field(n, &mut out);
        }
        out.push('\n');
    }
    let columns: Vec<&Series> = df
        .columns()
        .iter()
        .map(|c| c.as_materialized_series())
        .collect();
    for row in 0..df.height() {
        for (i, s) in columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let v = s.get(row)?;
            let text = cell_text(&v);
            if matches!(
                v,
                AnyValue::String(_) | AnyValue::StringOwned(_) | AnyValue::List(_)
            ) {
                csv_field(&text, &mut out);
            } else {
                out.push_str(&text);
            }
        }
        out.push('\n');
    }
    Ok(out.into_bytes())
}

fn json_value(v: &AnyValue) -> serde_json::Value {
    use serde_json::Value;
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(*b),
        AnyValue::Int8(_)
        | AnyValue::Int16(_)
        | AnyValue::Int32(_)
        | AnyValue::Int64(_)
        | AnyValue::UInt8(_)
        | AnyValue::UInt16(_)
        | AnyValue::UInt32(_)
        | AnyValue::UInt64(_) => v.extract::<i64>().map(Value::from).unwrap_or(Value::Null),
        AnyValue::Float64(_) | AnyValue::Float32(_) => {
            let f = v.extract::<f64>().unwrap_or(f64::NAN);
            float_text(f)
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or(Value::Null)
        }
        AnyValue::List(s) => Value::Array(s.iter().map(|x| json_value(&x)).collect()),
        other => Value::String(cell_text(other)),
    }
}

fn render_json(df: &DataFrame, lines: bool) -> Result<Vec<u8>> {
    let names = df.get_column_names();
    let columns: Vec<&Series> = df
        .columns()
        .iter()
        .map(|c| c.as_materialized_series())
        .collect();
    let mut out = Vec::new();
    if !lines {
        out.push(b'[');
    }
    for row in 0..df.height() {
        if !lines && row > 0 {
            out.push(b',');
        }
        if !lines {
            out.push(b'\n');
        }
        // Written key by key: serde_json's Map sorts keys, and the contract
        // (outputs.md) wants the columns' order in every format.
        out.push(b'{');
        for (k, (name, s)) in names.iter().zip(&columns).enumerate() {
            if k > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, name.as_str())?;
            out.push(b':');
            serde_json::to_writer(&mut out, &json_value(&s.get(row)?))?;
        }
        out.push(b'}');
        if lines {
            out.push(b'\n');
        }
    }
    if !lines {
        out.extend_from_slice(b"\n]\n");
    }
    Ok(out)
}

fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// An aligned plain-text table for a terminal (CJK characters count double).
pub fn render_table(df: &DataFrame) -> Result<String> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let columns: Vec<&Series> = df
        .columns()
        .iter()
        .map(|c| c.as_materialized_series())
        .collect();
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        let mut r = Vec::with_capacity(columns.len());
        for s in &columns {
            let text = cell_text(&s.get(row)?);
            let text: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            r.push(crate::ingest::values::preview(&text));
        }
        cells.push(r);
    }
    let mut widths: Vec<usize> = names.iter().map(|n| display_width(n)).collect();
    for r in &cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(display_width(c));
        }
    }
    let mut out = String::new();
    let line = |row: &[String], out: &mut String| {
        let parts: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - display_width(c))))
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(&names, &mut out);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&rule, &mut out);
    for r in &cells {
        line(r, &mut out);
    }
    Ok(out)
}

/// A workbook whose bytes depend only on its content (fixed creation date).
pub fn new_workbook() -> Workbook {
    let mut wb = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2025, 3, 1).expect("valid date");
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    wb
}

/// Excel sheet names: at most 31 characters, none of []:*?/\ .
pub fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if cleaned.trim().is_empty() {
        "Sheet".into()
    } else {
        cleaned
    }
}

/// One sheet per table: header frozen, column widths fitted, dates as dates,
/// every text written as text (never a formula).
pub fn render_xlsx(sheets: &[(&str, &DataFrame)]) -> Result<Vec<u8>> {
    let styled: Vec<XlsxSheet> = sheets
        .iter()
        .map(|(name, frame)| XlsxSheet {
            name,
            frame,
            percent_columns: Vec::new(),
            for_print: false,
        })
        .collect();
    render_xlsx_sheets(&styled)
}

/// A sheet of a workbook meant for readers (a report's Excel appendix).
pub struct XlsxSheet<'a> {
    pub name: &'a str,
    pub frame: &'a DataFrame,
    /// Columns of shares (0–1) shown as percentages.
    pub percent_columns: Vec<String>,
    /// Filters on the header, and printing set up: A4 landscape, one page
    /// wide, the header row on every page.
    pub for_print: bool,
}

/// [`render_xlsx`] with per-sheet styles.
pub fn render_xlsx_sheets(sheets: &[XlsxSheet]) -> Result<Vec<u8>> {
    let mut wb = new_workbook();
    let header = XlsxFormat::new().set_bold().set_background_color("D9E1F2");
    let date = XlsxFormat::new().set_num_format("yyyy-mm-dd");
    let percent = XlsxFormat::new().set_num_format("0.0%");
    for sheet in sheets {
        let df = sheet.frame;
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(sheet.name))?;
        for (j, column) in df.columns().iter().enumerate() {
            let j = j as u16;
            let s = column.as_materialized_series();
            let as_percent = sheet.percent_columns.iter().any(|c| c == s.name().as_str());
            ws.write_string_with_format(0, j, s.name().as_str(), &header)?;
            let mut width = display_width(s.name()).max(6);
            for row in 0..df.height() {
                let r = row as u32 + 1;
                match s.get(row)? {
                    AnyValue::Null => {}
                    AnyValue::Date(d) => {
                        let day = crate::period::date_from_days(d);
                        ws.write_date_with_format(r, j, day, &date)?;
                        width = width.max(10);
                    }
                    AnyValue::Boolean(b) => {
                        ws.write_boolean(r, j, b)?;
                    }
                    v @ (AnyValue::Float64(_) | AnyValue::Float32(_)) => {
                        let f = v.extract::<f64>().unwrap_or(f64::NAN);
                        if f.is_finite() && as_percent {
                            ws.write_number_with_format(r, j, f, &percent)?;
                        } else if f.is_finite() {
                            ws.write_number(r, j, f)?;
                        }
                    }
                    v if v.dtype().is_integer() => {
                        if let Some(i) = v.extract::<i64>() {
                            ws.write_number(r, j, i as f64)?;
                        }
                    }
                    v => {
                        let text = cell_text(&v);
                        width = width.max(display_width(&text).min(60));
                        ws.write_string(r, j, strip_xml_invalid(&text))?;
                    }
                }
            }
            ws.set_column_width(j, (width + 2) as f64)?;
        }
        ws.set_freeze_panes(1, 0)?;
        if sheet.for_print && df.width() > 0 {
            ws.autofilter(0, 0, df.height() as u32, df.width() as u16 - 1)?;
            ws.set_paper_size(9); // A4
            ws.set_landscape();
            ws.set_print_fit_to_pages(1, 0);
            ws.set_repeat_rows(0, 0)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// XML 1.0 cannot hold most control characters; a cell holds at most
/// [`EXCEL_CELL_MAX`] UTF-16 units.
fn strip_xml_invalid(s: &str) -> String {
    let kept: String = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect();
    fit_excel_cell(&kept).into_owned()
}

/// Most text one Excel cell holds, in UTF-16 code units (what Excel and
/// rust_xlsxwriter count: a character outside the BMP counts twice).
pub const EXCEL_CELL_MAX: usize = 32_767;

/// `s` cut at a character boundary to fit one Excel cell; borrowed when it fits.
pub fn fit_excel_cell(s: &str) -> std::borrow::Cow<'_, str> {
    // UTF-8 never has fewer bytes than UTF-16 has code units.
    if s.len() <= EXCEL_CELL_MAX {
        return s.into();
    }
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > EXCEL_CELL_MAX {
            return s[..i].to_string().into();
        }
    }
    s.into()
}

/// Write rendered bytes to a file (atomically) or stdout.
pub fn emit(bytes: &[u8], format: TableFormat, output: Option<&std::path::Path>) -> Result<()> {
    match output {
        Some(path) => crate::fsutil::write_atomic(path, bytes),
        None => {
            use std::io::{IsTerminal, Write};
            if format.is_binary() && std::io::stdout().is_terminal() {
                bail!(
                    "{} 是二进制格式，不能直接显示在终端上：请用 --output 文件名 指定输出文件",
                    format.extension()
                );
            }
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|_| out.flush())
                .or_else(|e| {
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .context("写到标准输出失败")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_defuses_formulas_and_quotes() {
        let df = df!("a" => ["=HYPERLINK(\"x\")", "+cmd|' /C calc'!A0", "@SUM(1)", "-1", "普通, 文本"], "n" => [1i64, -2, 3, 4, 5]).unwrap();
        let text = String::from_utf8(render_csv(&df, false).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "a,n");
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"x\"\")\",1");
        assert_eq!(lines[2], "'+cmd|' /C calc'!A0,-2");
        assert_eq!(lines[3], "'@SUM(1),3");
        assert_eq!(lines[4], "'-1,4");
        assert_eq!(lines[5], "\"普通, 文本\",5");
    }

    #[test]
    fn excel_cells_are_cut_in_utf16_units_at_char_boundaries() {
        assert_eq!(fit_excel_cell("短"), "短");
        let fits = "长".repeat(EXCEL_CELL_MAX);
        assert_eq!(fit_excel_cell(&fits), fits);
        assert_eq!(fit_excel_cell(&"长".repeat(40_000)), fits);
        // U+20000 is two UTF-16 units: 16383 of them (32766 units) fit.
        assert_eq!(
            fit_excel_cell(&"\u{20000}".repeat(20_000)),
            "\u{20000}".repeat(16_383)
        );
    }

    #[test]
    fn categorical_columns_are_written_as_text() {
        let df = df!("unit" => ["乙局", "甲局", "乙局"], "n" => [1i64, 2, 3])
            .unwrap()
            .lazy()
            .with_column(col("unit").cast(crate::schema::categorical()))
            .collect()
            .unwrap();
        let bytes = render(&df, TableFormat::Parquet, WriteOptions { bom: false }).unwrap();
        let back = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .unwrap();
        assert_eq!(back.column("unit").unwrap().dtype(), &DataType::String);
        let units: Vec<_> = back
            .column("unit")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(units, ["乙局", "甲局", "乙局"]);
        let csv = render(&df, TableFormat::Csv, WriteOptions { bom: false }).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "unit,n\n乙局,1\n甲局,2\n乙局,3\n"
        );
    }

    /// Three parts of a table with text, categorical, list, date and float
    /// columns (text that needs quoting and defusing included).
    fn parts() -> Vec<DataFrame> {
        let part = |ids: &[&str], units: &[&str], n: &[i64]| {
            df!(
                "case_id" => ids,
                "unit" => units,
                "days" => n.iter().map(|d| *d as i32).collect::<Vec<_>>(),
                "share" => n.iter().map(|x| *x as f64 / 3.0).collect::<Vec<_>>(),
                "n" => n,
            )
            .unwrap()
            .lazy()
            .with_columns([
                col("unit").cast(crate::schema::categorical()),
                col("days").cast(DataType::Date),
            ])
            .collect()
            .unwrap()
        };
        vec![
            part(&["A1", "A2"], &["甲局", "=HYPERLINK(\"x\")"], &[1, 2]),
            part(&[], &[], &[]),
            part(
                &["B1", "B,2", "B\"3"],
                &["乙局", "甲局", "丙, 局"],
                &[3, -4, 5],
            ),
        ]
    }

    fn stacked(parts: &[DataFrame]) -> DataFrame {
        let mut all = parts[0].clone();
        for p in &parts[1..] {
            all.vstack_mut(p).unwrap();
        }
        all
    }

    #[test]
    fn a_table_written_in_parts_is_the_table_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let whole = stacked(&parts());
        for format in [
            TableFormat::Csv,
            TableFormat::Ndjson,
            TableFormat::Json,
            TableFormat::Xlsx,
            TableFormat::Arrow,
        ] {
            let path = dir.path().join(format!("t.{}", format.extension()));
            let opts = WriteOptions { bom: true };
            let mut w = PartWriter::create(&path, format, opts).unwrap();
            for p in parts() {
                w.write(p).unwrap();
            }
            assert!(!path.exists(), "{format:?}: no file before finish");
            w.finish().unwrap();
            let want = render(&whole, format, opts).unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), want, "{format:?}");
        }
        // Parquet: the same table read back (row groups end where parts end).
        let path = dir.path().join("t.parquet");
        let mut w =
            PartWriter::create(&path, TableFormat::Parquet, WriteOptions::default()).unwrap();
        for p in parts() {
            w.write(p).unwrap();
        }
        w.finish().unwrap();
        let back = ParquetReader::new(std::fs::File::open(&path).unwrap())
            .finish()
            .unwrap();
        let want = crate::schema::as_text(&whole).collect().unwrap();
        assert!(back.equals_missing(&want), "{back}\n{want}");
        assert_eq!(back.column("unit").unwrap().dtype(), &DataType::String);
    }

    #[test]
    fn a_table_abandoned_in_parts_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deadlines.csv");
        std::fs::write(&path, "old\n").unwrap();
        let mut w = PartWriter::create(&path, TableFormat::Csv, WriteOptions::default()).unwrap();
        w.write(parts().remove(0)).unwrap();
        drop(w);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
        let w = PartWriter::create(&path, TableFormat::Csv, WriteOptions::default()).unwrap();
        assert!(w.finish().is_err(), "a table needs at least one part");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
    }

    #[test]
    fn json_keys_keep_the_column_order() {
        let df = df!("row" => [2i64], "case_id" => [Some("A\"1")], "b" => [None::<&str>]).unwrap();
        let text = String::from_utf8(render_json(&df, true).unwrap()).unwrap();
        assert_eq!(text, "{\"row\":2,\"case_id\":\"A\\\"1\",\"b\":null}\n");
        let text = String::from_utf8(render_json(&df, false).unwrap()).unwrap();
        assert_eq!(
            text,
            "[\n{\"row\":2,\"case_id\":\"A\\\"1\",\"b\":null}\n]\n"
        );
    }

    #[test]
    fn floats_are_fixed_precision() {
        assert_eq!(float_text(0.1 + 0.2), "0.3");
        assert_eq!(float_text(2.0), "2");
        assert_eq!(float_text(-0.0), "0");
        assert_eq!(float_text(0.00001234), "1.234e-5");
    }

    #[test]
    fn table_aligns_wide_characters() {
        let df = df!("单位" => ["区市场监管局", "a"], "n" => [1i64, 22]).unwrap();
        let t = render_table(&df).unwrap();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(display_width(lines[2]), display_width("区市场监管局  1"));
        assert!(lines[3].starts_with("a             22"), "{t}");
    }
}
