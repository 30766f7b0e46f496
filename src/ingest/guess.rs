//! `jiucuo init --from LEDGER`: a jiucuo.toml whose `[ledger.headers]`
//! maps that file's own headers, every guess marked for a person to confirm.

use std::path::Path;

use super::error::IngestError;
use super::mapping::Matched;
use super::read::{Format, ReadOptions};
use super::{header_row, workbook, RawTable};
use crate::config::{Config, DEFAULT_TOML};
use crate::schema::FIELDS;

/// How one field was found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldGuess {
    /// By its ledger.md header or name: nothing to confirm.
    Named(String),
    /// By a built-in synonym: to confirm.
    Synonym(String),
    /// Not found; this header is the nearest by name: to confirm.
    Similar(String),
    /// Not found, nothing near.
    Absent,
}

/// The header row of a ledger file and what each field maps to.
#[derive(Debug, Clone)]
pub struct HeaderGuess {
    /// The sheet the header row is on (workbooks).
    pub sheet: Option<String>,
    /// Spreadsheet row of the header.
    pub header_row: i64,
    /// `FIELDS[i]`'s guess.
    pub fields: Vec<FieldGuess>,
    /// Headers no field maps to.
    pub unmapped: Vec<String>,
}

/// Read the file's header row (the sheet that names most fields, for a
/// workbook) and guess each field's header. Nothing beyond the first rows
/// of a CSV is read.
pub fn header_guess(
    path: &Path,
    opts: &ReadOptions,
    config: &Config,
) -> Result<HeaderGuess, IngestError> {
    let format = Format::from_path(path).ok_or_else(|| IngestError::UnknownFormat {
        path: path.to_path_buf(),
    })?;
    let io = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tables: Vec<(Option<String>, RawTable)> = match format {
        Format::Csv => {
            let file = std::fs::File::open(path).map_err(io)?;
            let mut chunks = super::chunks::CsvChunks::new(file, opts.encoding, 1 << 16);
            vec![(None, chunks.first_chunk().map_err(|e| e.with_path(path))?)]
        }
        Format::Xlsx => {
            let bytes = std::fs::read(path).map_err(io)?;
            workbook::read_workbook(&bytes, opts.sheet.as_deref())
                .map_err(|e| e.with_path(path))?
                .sheets
                .into_iter()
                .map(|s| (Some(s.name), s.table))
                .collect()
        }
        _ => {
            let bytes = std::fs::read(path).map_err(io)?;
            let raw =
                super::read::read_raw_bytes(&bytes, format, opts).map_err(|e| e.with_path(path))?;
            vec![(None, raw)]
        }
    };
    let mut best: Option<(usize, HeaderGuess)> = None;
    for (sheet, raw) in tables {
        let (table, _, matched) = header_row(raw, config);
        let score = matched.score();
        if best.as_ref().is_some_and(|(s, _)| *s >= score) {
            continue;
        }
        let mut fields: Vec<FieldGuess> = FIELDS
            .iter()
            .zip(matched.map.columns.iter().zip(&matched.how))
            .map(|(_, (column, how))| match (column, how) {
                (Some(i), Some(Matched::Synonym)) => FieldGuess::Synonym(table.headers[*i].clone()),
                (Some(i), _) => FieldGuess::Named(table.headers[*i].clone()),
                (None, _) => FieldGuess::Absent,
            })
            .collect();
        // a nearest header for each missing required field, if still free
        let mut unmapped: Vec<String> = matched
            .map
            .unmapped
            .iter()
            .map(|i| table.headers[*i].clone())
            .filter(|h| !h.trim().is_empty())
            .collect();
        for m in &matched.missing {
            let Some(k) = FIELDS.iter().position(|f| f.name == m.field) else {
                continue;
            };
            if let Some(s) = &m.suggestion {
                if let Some(pos) = unmapped.iter().position(|h| h == s) {
                    fields[k] = FieldGuess::Similar(unmapped.remove(pos));
                }
            }
        }
        let guess = HeaderGuess {
            sheet,
            header_row: super::rows::row_of(table.header_row),
            fields,
            unmapped,
        };
        best = Some((score, guess));
    }
    best.map(|(_, g)| g).ok_or(IngestError::Empty)
}

/// Text safe inside a TOML comment: control characters become spaces.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A TOML string literal.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The commented default configuration with its `[ledger.headers]`
/// section written for the guessed file, and `[ledger] sheet` set when the
/// mapping was made from one named sheet.
pub fn config_for(guess: &HeaderGuess, source: &str, sheet: Option<&str>) -> String {
    let mut section = Vec::new();
    section.push(format!(
        "# 以下映射按 {}{} 第{}行的表头生成。标“请核对”的为推测，核对无误后可删去该注释；",
        comment_text(source),
        guess
            .sheet
            .as_ref()
            .map(|s| format!(" 的工作表“{}”", comment_text(s)))
            .unwrap_or_default(),
        guess.header_row
    ));
    section.push("# 必填字段未找到时，请把本单位表中对应列的表头填入引号内。".to_string());
    section.push("[ledger.headers]".to_string());
    for (field, guess) in FIELDS.iter().zip(&guess.fields) {
        let need = if field.required { "必填" } else { "选填" };
        let line = match guess {
            FieldGuess::Named(h) => format!("{} = [{}]  # {need}", field.name, quoted(h)),
            FieldGuess::Synonym(h) => format!(
                "{} = [{}]  # {need}；按常见别名推测为“{}”，请核对",
                field.name,
                quoted(h),
                field.header
            ),
            FieldGuess::Similar(h) => format!(
                "{} = [{}]  # {need}；未找到“{}”，按名称相近推测，请核对",
                field.name,
                quoted(h),
                field.header
            ),
            FieldGuess::Absent if field.required => format!(
                "{} = [{}]  # 必填；本表中未找到，请填入对应列的表头",
                field.name,
                quoted(field.header)
            ),
            FieldGuess::Absent => format!(
                "{} = [{}]  # 选填；本表中无此列",
                field.name,
                quoted(field.header)
            ),
        };
        section.push(line);
    }
    if !guess.unmapped.is_empty() {
        let names: Vec<String> = guess.unmapped.iter().map(|h| format!("“{h}”")).collect();
        section.push(format!(
            "# 本表中未对应任何字段的列（不纳入分析）：{}",
            comment_text(&names.join("、"))
        ));
    }
    let text = replace_headers_section(DEFAULT_TOML, &section.join("\n"));
    match sheet {
        Some(name) => text.replacen(
            "\nsheet = \"\"\n",
            &format!("\nsheet = {}\n", quoted(name)),
            1,
        ),
        None => text,
    }
}

/// `text` with its `[ledger.headers]` section (and the comment lines just
/// above it) replaced by `section`.
fn replace_headers_section(text: &str, section: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim() == "[ledger.headers]") else {
        return format!("{text}\n{section}\n");
    };
    let mut first = start;
    while first > 0 && lines[first - 1].starts_with('#') {
        first -= 1;
    }
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |p| start + 1 + p);
    let mut out: Vec<&str> = lines[..first].to_vec();
    out.push(section);
    out.push("");
    out.extend(&lines[end..]);
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Bytes of a guessed configuration read back, for the tests and the
/// command's own check: the file must load.
pub fn check(text: &str) -> Result<Config, String> {
    Config::from_toml(text, Path::new("jiucuo.toml")).map_err(|e| e.to_string())
}
