//! Ledger ingest: read any accepted file, map headers, parse values, validate,
//! and account for every row (analysed or rejected, with why).

pub mod auxiliary;
pub mod mapping;
pub mod parse;
pub mod read;
pub mod validate;
pub mod values;

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::config::Config;
use crate::schema::{self, ROW};
pub use read::{Encoding, Format, RawTable, ReadOptions};

/// Whether a finding rejects its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One data-quality finding on one cell (outputs.md §validate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Spreadsheet row number (header = row 1).
    pub row: i64,
    pub case_id: Option<String>,
    /// The column's header as it appears in the file.
    pub column: String,
    pub value: String,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("无法读取 {path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}：无法识别文件格式（可用：.csv、.xlsx、.parquet、.arrow/.feather/.ipc）", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("文件为空或只有表头以外的空行，没有可读取的内容")]
    Empty,
    #[error("{message}")]
    Encoding { message: String },
    #[error("{format} 文件无法读取：{message}")]
    Container {
        format: &'static str,
        message: String,
    },
    #[error("{}", missing_columns_message(missing, present))]
    MissingColumns {
        missing: Vec<mapping::MissingField>,
        present: Vec<String>,
    },
    #[error("{}：{inner}", path.display())]
    InFile {
        path: PathBuf,
        inner: Box<IngestError>,
    },
}

fn missing_columns_message(missing: &[mapping::MissingField], present: &[String]) -> String {
    let mut lines: Vec<String> = missing
        .iter()
        .map(|m| match &m.suggestion {
            Some(s) => format!("缺少必填列“{}”（{}）；是否指“{s}”？", m.header, m.field),
            None => format!("缺少必填列“{}”（{}）", m.header, m.field),
        })
        .collect();
    lines.push(format!(
        "表中现有列：{}。如本单位表头不同，请在 jiucuo.toml 的 [ledger.headers] 中加入别名（jiucuo init 可生成模板）",
        present.join("、")
    ));
    lines.join("\n")
}

impl IngestError {
    pub(crate) fn container(format: &'static str, e: PolarsError) -> IngestError {
        IngestError::Container {
            format,
            message: e.to_string(),
        }
    }

    /// Attach the file name (once).
    pub fn with_path(self, path: &Path) -> IngestError {
        match self {
            e @ (IngestError::Io { .. }
            | IngestError::UnknownFormat { .. }
            | IngestError::InFile { .. }) => e,
            other => IngestError::InFile {
                path: path.to_path_buf(),
                inner: Box::new(other),
            },
        }
    }
}

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

/// Read and validate a ledger file.
pub fn read_ledger(
    path: &Path,
    opts: &ReadOptions,
    config: &Config,
) -> Result<Ledger, IngestError> {
    let raw = read::read_raw(path, opts)?;
    ledger_from_raw(raw, config).map_err(|e| e.with_path(path))
}

/// Validate an already-read table.
pub fn ledger_from_raw(raw: RawTable, config: &Config) -> Result<Ledger, IngestError> {
    let (raw, map, title_lines) = locate_header(raw, config)?;
    let parsed = parse::parse_values(&raw, &map)?;
    let mut findings = parsed.findings;
    let row_findings = validate::validate_rows(&parsed.frame, &raw, &map, config, &findings)?;
    findings.extend(row_findings);
    findings.extend(validate::ragged(&raw, &parsed.frame)?);
    findings.extend(validate::repeated_headers(&raw, &parsed.frame)?);
    let dup = validate::duplicates(&parsed.frame, &raw, &map, &findings)?;
    findings.extend(dup);
    findings.sort_by(|a, b| {
        (a.row, &a.column, a.code, &a.message).cmp(&(b.row, &b.column, b.code, &b.message))
    });
    findings.dedup();
    let read = raw.frame.height();
    let rejected_rows: Vec<i64> = {
        let mut r: Vec<i64> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.row)
            .collect();
        r.dedup();
        r
    };
    let cases = drop_rows(&parsed.frame, &rejected_rows)?;
    drop(parsed.frame);
    // From here on the raw cells are only needed for the rejects file.
    let mut raw = raw;
    raw.frame = keep_rows(&raw.frame, &rejected_rows)?;
    let cases = clean_dropped_values(cases, &findings)?;
    let accounting = Accounting {
        read,
        analysed: cases.height(),
        rejected: read - cases.height(),
    };
    let unmapped_headers = map
        .unmapped
        .iter()
        .map(|i| raw.headers[*i].clone())
        .filter(|h| !h.is_empty())
        .collect();
    Ok(Ledger {
        cases,
        findings,
        raw,
        unmapped_headers,
        accounting,
        title_lines,
    })
}

/// The header is the first row, or — for sheets with a title above the
/// table — one of the next few rows whose cells name the required fields.
fn locate_header(
    raw: RawTable,
    config: &Config,
) -> Result<(RawTable, mapping::HeaderMap, Vec<String>), IngestError> {
    match mapping::map_headers(&raw.headers, config) {
        Ok(map) => {
            let titles = raw.title_lines.clone();
            Ok((raw, map, titles))
        }
        Err(first_error) => {
            for k in 0..5 {
                let Some((candidate, titles)) = raw.promote_header(k) else {
                    break;
                };
                if let Ok(map) = mapping::map_headers(&candidate.headers, config) {
                    let mut all = raw.title_lines.clone();
                    all.extend(titles);
                    return Ok((candidate, map, all));
                }
            }
            Err(first_error)
        }
    }
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
    if !findings.iter().any(|f| f.code == "int-negative") {
        return Ok(df);
    }
    let ints: Vec<Expr> = schema::FIELDS
        .iter()
        .filter(|f| f.ty == schema::FieldType::Int)
        .map(|f| {
            when(col(f.name).lt(lit(0)))
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

/// A cell value shortened for messages (hostile 10 MB cells stay readable).
pub fn preview(value: &str) -> String {
    const MAX: usize = 40;
    let cleaned: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX + 1)
        .collect();
    if cleaned.chars().count() > MAX {
        format!("{}…", cleaned.chars().take(MAX).collect::<String>())
    } else {
        cleaned
    }
}

/// The findings table of outputs.md §validate:
/// `row, case_id, column, value, severity, code, message`.
pub fn findings_frame(findings: &[Finding]) -> PolarsResult<DataFrame> {
    df!(
        "row" => findings.iter().map(|f| f.row).collect::<Vec<_>>(),
        "case_id" => findings.iter().map(|f| f.case_id.clone()).collect::<Vec<_>>(),
        "column" => findings.iter().map(|f| f.column.clone()).collect::<Vec<_>>(),
        "value" => findings.iter().map(|f| f.value.clone()).collect::<Vec<_>>(),
        "severity" => findings.iter().map(|f| f.severity.as_str()).collect::<Vec<_>>(),
        "code" => findings.iter().map(|f| f.code).collect::<Vec<_>>(),
        "message" => findings.iter().map(|f| f.message.clone()).collect::<Vec<_>>(),
    )
}
