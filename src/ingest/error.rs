//! What can go wrong reading a ledger: a finding on one cell (a row kept
//! with a warning, or rejected with an error), or a file that cannot be
//! read at all.

use std::path::{Path, PathBuf};

use polars::prelude::PolarsError;

/// A required field that was not found.
#[derive(Debug, Clone)]
pub struct MissingField {
    pub field: &'static str,
    pub header: &'static str,
    pub suggestion: Option<String>,
}

/// A header of the row taken as the header row, with the ledger header
/// nearest to it (for the error that lists what was found).
#[derive(Debug, Clone)]
pub struct PresentHeader {
    pub text: String,
    pub nearest: Option<&'static str>,
}

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
    #[error("{}", missing_columns_message(missing, present, *header_row))]
    MissingColumns {
        missing: Vec<MissingField>,
        present: Vec<PresentHeader>,
        /// Spreadsheet row of the headers listed, when not the first.
        header_row: Option<i64>,
    },
    #[error("{}", no_ledger_sheet_message(tried, first))]
    NoLedgerSheet {
        /// (sheet, why it is not the ledger)
        tried: Vec<(String, String)>,
        first: Box<IngestError>,
    },
    #[error("{}：{inner}", path.display())]
    InFile {
        path: PathBuf,
        inner: Box<IngestError>,
    },
}

fn no_ledger_sheet_message(tried: &[(String, String)], first: &IngestError) -> String {
    let sheets: Vec<String> = tried
        .iter()
        .map(|(name, why)| format!("“{name}”（{why}）"))
        .collect();
    format!(
        "工作簿中没有一张工作表的表头与案件台账相符：{}。第一张工作表的情况：\n{first}",
        sheets.join("、")
    )
}

fn missing_columns_message(
    missing: &[MissingField],
    present: &[PresentHeader],
    header_row: Option<i64>,
) -> String {
    let mut lines: Vec<String> = missing
        .iter()
        .map(|m| match &m.suggestion {
            Some(s) => format!("缺少必填列“{}”（{}）；是否指“{s}”？", m.header, m.field),
            None => format!("缺少必填列“{}”（{}）", m.header, m.field),
        })
        .collect();
    let found: Vec<String> = present
        .iter()
        .map(|h| match h.nearest {
            Some(n) if n == h.text.trim() => h.text.clone(),
            Some(n) => format!("{}（最接近“{n}”）", h.text),
            None => format!("{}（无相近的标准列）", h.text),
        })
        .collect();
    let row = header_row.map(|r| format!("第{r}行")).unwrap_or_default();
    lines.push(format!(
        "表中{row}现有列：{}。如本单位表头不同，请在 jiucuo.toml 的 [ledger.headers] 中加入别名（jiucuo init --from 台账文件 可按本表表头生成配置）",
        found.join("、")
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
