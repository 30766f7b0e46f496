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
        missing: Vec<MissingField>,
        present: Vec<String>,
    },
    #[error("{}：{inner}", path.display())]
    InFile {
        path: PathBuf,
        inner: Box<IngestError>,
    },
}

fn missing_columns_message(missing: &[MissingField], present: &[String]) -> String {
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
