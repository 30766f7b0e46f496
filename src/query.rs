//! Named SQL queries (queries/*.sql) run by polars SQL over the ledger and
//! the analysis results. Embedded in the binary; a folder named in
//! jiucuo.toml ([paths] queries) overrides or adds files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;
use polars::sql::SQLContext;

use crate::ingest::auxiliary::Volume;
use crate::period::Quarter;
use crate::pipeline::{Analyses, CaseTable};

/// The queries shipped with jiucuo.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("by_domain", include_str!("../queries/by_domain.sql")),
    ("by_unit", include_str!("../queries/by_unit.sql")),
    (
        "cases_in_quarter",
        include_str!("../queries/cases_in_quarter.sql"),
    ),
    (
        "catch_all_by_unit",
        include_str!("../queries/catch_all_by_unit.sql"),
    ),
    (
        "cited_without_basis",
        include_str!("../queries/cited_without_basis.sql"),
    ),
    ("clause_use", include_str!("../queries/clause_use.sql")),
    (
        "deadline_compliance",
        include_str!("../queries/deadline_compliance.sql"),
    ),
    ("feedback", include_str!("../queries/feedback.sql")),
    (
        "outcome_shares",
        include_str!("../queries/outcome_shares.sql"),
    ),
    ("overdue_list", include_str!("../queries/overdue_list.sql")),
    (
        "overview_by_quarter",
        include_str!("../queries/overview_by_quarter.sql"),
    ),
    (
        "processing_times",
        include_str!("../queries/processing_times.sql"),
    ),
    (
        "rectification",
        include_str!("../queries/rectification.sql"),
    ),
    ("repeat_list", include_str!("../queries/repeat_list.sql")),
    (
        "repeat_rate_by_quarter",
        include_str!("../queries/repeat_rate_by_quarter.sql"),
    ),
    (
        "review_by_unit",
        include_str!("../queries/review_by_unit.sql"),
    ),
    (
        "risk_point_followup",
        include_str!("../queries/risk_point_followup.sql"),
    ),
    (
        "tolerance_basis",
        include_str!("../queries/tolerance_basis.sql"),
    ),
    (
        "top_risk_points",
        include_str!("../queries/top_risk_points.sql"),
    ),
    (
        "transfers_by_unit",
        include_str!("../queries/transfers_by_unit.sql"),
    ),
];

/// Where a query's text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Embedded,
    File(PathBuf),
}

/// A named query and its one-line purpose (its first `-- ` comment).
#[derive(Debug, Clone)]
pub struct NamedQuery {
    pub name: String,
    pub purpose: String,
    pub sql: String,
    pub source: Source,
}

/// Why a query could not run.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("没有名为“{name}”的查询（可用：{available}）。用 jiucuo query --list 查看全部")]
    Unknown { name: String, available: String },
    #[error("无法读取查询文件 {}：{source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("查询“{name}”需要参数 ${{{param}}}：请加 {flag}")]
    MissingParam {
        name: String,
        param: String,
        flag: String,
    },
    #[error("查询“{name}”（{origin}）执行失败：{message}\n可用的表和列：\n{tables}")]
    Sql {
        name: String,
        origin: String,
        message: String,
        tables: String,
    },
}

fn purpose_of(sql: &str) -> String {
    sql.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("--").map(|p| p.trim().to_string()))
        .unwrap_or_default()
}

/// Every available query: embedded ones, then the user's folder (same name overrides).
pub fn catalog(user_dir: Option<&Path>) -> Result<BTreeMap<String, NamedQuery>, QueryError> {
    let mut out = BTreeMap::new();
    for (name, sql) in EMBEDDED {
        out.insert(
            name.to_string(),
            NamedQuery {
                name: name.to_string(),
                purpose: purpose_of(sql),
                sql: sql.to_string(),
                source: Source::Embedded,
            },
        );
    }
    if let Some(dir) = user_dir {
        let entries = std::fs::read_dir(dir).map_err(|source| QueryError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")))
            .collect();
        paths.sort();
        for path in paths {
            let sql = load_file(&path)?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            out.insert(
                name.clone(),
                NamedQuery {
                    name,
                    purpose: purpose_of(&sql),
                    sql,
                    source: Source::File(path),
                },
            );
        }
    }
    Ok(out)
}

/// Read a .sql file (UTF-8, BOM allowed, or GB18030 as Notepad may save it).
pub fn load_file(path: &Path) -> Result<String, QueryError> {
    let bytes = std::fs::read(path).map_err(|source| QueryError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(decode_sql(&bytes))
}

/// SQL text from bytes: UTF-8 (BOM stripped), else GB18030.
pub fn decode_sql(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// Values substituted for `${quarter}`, `${from}`, `${to}`, `${as_of}`.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pub quarter: Option<Quarter>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub as_of: Option<NaiveDate>,
}

impl Params {
    /// Substitute the placeholders; only validated dates and quarters are
    /// ever inserted, so no user text reaches the SQL this way.
    pub fn apply(&self, name: &str, sql: &str) -> Result<String, QueryError> {
        let mut out = sql.to_string();
        let values = [
            (
                "quarter",
                self.quarter.map(|q| q.label()),
                "--quarter 2026Q3",
            ),
            (
                "from",
                self.from.map(|d| d.to_string()),
                "--from 2026-07-01",
            ),
            ("to", self.to.map(|d| d.to_string()), "--to 2026-09-30"),
            (
                "as_of",
                self.as_of.map(|d| d.to_string()),
                "--as-of 2026-11-30",
            ),
        ];
        for (key, value, flag) in values {
            let placeholder = format!("${{{key}}}");
            if out.contains(&placeholder) {
                match value {
                    Some(v) => out = out.replace(&placeholder, &v),
                    None => {
                        return Err(QueryError::MissingParam {
                            name: name.to_string(),
                            param: key.to_string(),
                            flag: flag.to_string(),
                        })
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The tables a query can read.
#[derive(Default)]
pub struct Tables {
    pub tables: BTreeMap<String, DataFrame>,
    /// Tables computed only when a query reads them (large derived ones).
    pub on_demand: BTreeMap<String, LazyFrame>,
    /// The files of spilled tables, kept while the tables are.
    spills: Vec<std::sync::Arc<crate::spill::Spill>>,
}

impl Tables {
    pub fn insert(&mut self, name: &str, df: DataFrame) {
        self.tables.insert(name.to_string(), df);
    }

    /// A table built by `plan` each time a query reads it.
    pub fn insert_on_demand(&mut self, name: &str, plan: LazyFrame) {
        self.on_demand.insert(name.to_string(), plan);
    }

    /// Keep `spill`'s files while the tables are (a plan scans them).
    pub fn keep(&mut self, spill: std::sync::Arc<crate::spill::Spill>) {
        self.spills.push(spill);
    }

    /// A table spilled to files, scanned each time a query reads it.
    pub fn insert_spilled(
        &mut self,
        name: &str,
        spill: &std::sync::Arc<crate::spill::Spill>,
    ) -> PolarsResult<()> {
        self.insert_on_demand(name, spill.scan()?);
        self.keep(spill.clone());
        Ok(())
    }

    /// A table by name, as a plan (text columns as the ledger holds them).
    pub fn lazy(&self, name: &str) -> Option<LazyFrame> {
        match self.tables.get(name) {
            Some(df) => Some(df.clone().lazy()),
            None => self.on_demand.get(name).cloned(),
        }
    }

    /// "table: col1, col2, …" lines for error messages and --list.
    pub fn describe(&self) -> String {
        let mut lines: BTreeMap<&str, String> = self
            .tables
            .iter()
            .map(|(name, df)| {
                let cols: Vec<String> = df
                    .get_column_names()
                    .iter()
                    .map(|c| c.to_string())
                    .collect();
                (name.as_str(), cols.join(", "))
            })
            .collect();
        for (name, plan) in &self.on_demand {
            let cols = plan
                .clone()
                .collect_schema()
                .map(|s| {
                    s.iter_names()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            lines.insert(name.as_str(), cols);
        }
        lines
            .into_iter()
            .map(|(name, cols)| format!("  {name}: {cols}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The result with each text column's characters in buffers of its own
/// where it holds a small part of what it points into: a filter keeps the
/// buffers of every row it read (at 10 M cases the 200 k-row overdue list
/// held the 1.1 GB text of the whole spilled deadline table).
fn text_in_own_buffers(df: DataFrame) -> PolarsResult<DataFrame> {
    const SMALL: usize = 1 << 16;
    let columns = df
        .columns()
        .iter()
        .map(|c| {
            let Ok(ca) = c.str() else {
                return Ok(c.clone());
            };
            let wasteful = |a: &&polars_arrow::array::Utf8ViewArray| {
                a.total_buffer_len() > SMALL && a.total_buffer_len() > 2 * a.total_bytes_len()
            };
            if !ca.downcast_iter().any(|a| wasteful(&a)) {
                return Ok(c.clone());
            }
            let chunks = ca.downcast_iter().map(|a| {
                if wasteful(&a) {
                    a.clone().gc()
                } else {
                    a.clone()
                }
            });
            Ok(StringChunked::from_chunk_iter(c.name().clone(), chunks).into_column())
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new_infer_height(columns)
}

/// Run one query over the tables.
pub fn run(query: &NamedQuery, tables: &Tables, params: &Params) -> Result<DataFrame, QueryError> {
    let sql = params.apply(&query.name, &query.sql)?;
    let mut ctx = SQLContext::new();
    for (name, df) in &tables.tables {
        ctx.register(name, crate::schema::as_text(df));
    }
    for (name, plan) in &tables.on_demand {
        ctx.register(name, crate::schema::plan_as_text(plan.clone()));
    }
    let origin = match &query.source {
        Source::Embedded => "内置".to_string(),
        Source::File(p) => p.display().to_string(),
    };
    ctx.execute(&sql)
        .and_then(|lf| lf.collect())
        .and_then(text_in_own_buffers)
        .map_err(|e| QueryError::Sql {
            name: query.name.clone(),
            origin,
            message: e.to_string(),
            tables: tables.describe(),
        })
}

/// The tables registered for SQL: the ledger (with `filed_quarter` and
/// `decided_quarter`), one row per case × officer, the optional files and
/// every analysis result.
pub fn tables_of(
    cases: &CaseTable,
    analyses: &Analyses,
    volume: Option<&Volume>,
    roster: Option<&DataFrame>,
) -> anyhow::Result<Tables> {
    // The ledger with two quarter labels: a plan, so that each query computes
    // (and casts to text) only the columns and rows it reads.
    let plan = cases.scan()?;
    let cases_plan = plan.clone().with_columns([
        crate::analysis::outcomes::quarter_expr(crate::schema::FILED_ON).alias("filed_quarter"),
        crate::analysis::outcomes::quarter_expr(crate::schema::DECIDED_ON).alias("decided_quarter"),
    ]);
    let mut t = Tables::default();
    // One row per case × officer: built only for the queries that read it.
    t.insert_on_demand(
        "case_officers",
        crate::analysis::repeats::case_officers(plan),
    );
    t.insert_on_demand("cases", cases_plan);
    if let CaseTable::Spilled(spill) = cases {
        t.keep(spill.clone());
    }
    t.insert_spilled("deadlines", analyses.deadlines.spill())?;
    t.insert("repeats", analyses.repeats.clone());
    t.insert("hotspots", analyses.hotspots.clone());
    t.insert("outcomes", analyses.outcomes.clone());
    t.insert("validate", analyses.validate.clone());
    if let Some(v) = volume {
        t.insert("volume", v.to_frame()?);
    }
    if let Some(r) = roster {
        t.insert("roster", r.clone());
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffer_bytes(df: &DataFrame, name: &str) -> usize {
        df.column(name)
            .unwrap()
            .str()
            .unwrap()
            .downcast_iter()
            .map(|a| a.total_buffer_len())
            .sum()
    }

    #[test]
    fn a_few_rows_filtered_from_many_keep_only_their_own_text() {
        // 20,000 ids of 25 bytes (too long to sit inside the views): 500 kB
        // of text, of which the 3 rows kept need 75 bytes.
        let ids: Vec<String> = (0..20_000)
            .map(|i| format!("监督案件编号-{i:06}"))
            .collect();
        let keep: Vec<bool> = (0..20_000).map(|i| i % 7_000 == 0).collect();
        let df = df!("case_id" => &ids, "n" => (0..20_000).collect::<Vec<i64>>()).unwrap();
        let filtered = df.filter(&BooleanChunked::new("".into(), &keep)).unwrap();
        assert!(buffer_bytes(&filtered, "case_id") >= 500_000);
        let compact = text_in_own_buffers(filtered.clone()).unwrap();
        assert_eq!(compact, filtered);
        assert_eq!(buffer_bytes(&compact, "case_id"), 3 * 25);
        // A column that uses most of its buffers is left as it is.
        let whole = text_in_own_buffers(df.clone()).unwrap();
        assert_eq!(
            buffer_bytes(&whole, "case_id"),
            buffer_bytes(&df, "case_id")
        );
    }
}
