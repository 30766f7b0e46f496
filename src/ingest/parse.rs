//! Value parsing: raw text cells → typed canonical columns.
//!
//! The common forms are parsed by vectorised polars expressions; whatever they
//! leave unparsed goes cell by cell through the parsers of [`super::values`],
//! which either read the rare form or explain why the cell is unreadable.

use std::collections::HashMap;

use polars::prelude::*;

use super::mapping::HeaderMap;
use super::read::{raw_col, RawTable};
use super::values::{self, Clause};
use super::{Finding, IngestError, Severity};
use crate::schema::{self, Field, FieldType, FIELDS, ROW};

/// Missing-value markers recognised by the vectorised pass (values::is_missing
/// recognises more in the per-cell pass).
const MISSING: &[&str] = &[
    "", "-", "/", "无", "—", "－", "——", "N/A", "n/a", "NULL", "null",
];
const TRUE_WORDS: &[&str] = &["是", "有", "y", "yes", "true", "1", "√"];
const FALSE_WORDS: &[&str] = &["否", "无", "n", "no", "false", "0", "×"];
const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d"];

fn str_list(values: &[&str]) -> Expr {
    lit(Series::new("".into(), values)).implode(false)
}

/// Trimmed text, null when empty or a missing marker.
fn cleaned(name: &str, missing_markers: bool) -> Expr {
    let s = col(name).str().strip_chars(lit(NULL));
    if missing_markers {
        when(s.clone().is_in(str_list(MISSING), false))
            .then(lit(NULL).cast(DataType::String))
            .otherwise(s)
    } else {
        when(s.clone().eq(lit("")))
            .then(lit(NULL).cast(DataType::String))
            .otherwise(s)
    }
}

/// Polars dtype of a canonical field.
pub fn dtype_of(ty: FieldType) -> DataType {
    match ty {
        FieldType::Text | FieldType::Enum(_) | FieldType::Clause => DataType::String,
        FieldType::Date => DataType::Date,
        FieldType::Int => DataType::Int64,
        FieldType::Bool => DataType::Boolean,
        FieldType::List => DataType::List(Box::new(DataType::String)),
    }
}

/// Name of the cleaned-text column of a field (first vectorised step).
fn text_col(field: &Field) -> String {
    format!("t_{}", field.name)
}

/// Cleaned text of a field's input column: trimmed, empty → null, and missing
/// markers → null except where they carry meaning (free text; 无 = false).
fn clean_expr(field: &Field, raw: &str) -> Expr {
    let markers = !(field.name == schema::SUMMARY || field.ty == FieldType::Bool);
    cleaned(raw, markers).alias(text_col(field))
}

/// Vectorised parse of one field from its cleaned text column.
fn fast_expr(field: &Field) -> Expr {
    let text = col(text_col(field));
    match field.ty {
        FieldType::Text => text,
        FieldType::Enum(allowed) => {
            let squeezed = text.str().replace_all(lit(r"\s+"), lit(""), false);
            when(squeezed.clone().is_in(str_list(allowed), false))
                .then(squeezed)
                .otherwise(lit(NULL).cast(DataType::String))
        }
        FieldType::Bool => {
            let lower = text.str().to_lowercase();
            when(lower.clone().is_in(str_list(TRUE_WORDS), false))
                .then(lit(true))
                .when(lower.is_in(str_list(FALSE_WORDS), false))
                .then(lit(false))
                .otherwise(lit(NULL).cast(DataType::Boolean))
        }
        FieldType::Int => text.cast(DataType::Int64),
        FieldType::Date => coalesce(
            &DATE_FORMATS
                .iter()
                .map(|f| {
                    text.clone().str().to_date(StrptimeOptions {
                        format: Some((*f).into()),
                        strict: false,
                        exact: true,
                        cache: true,
                    })
                })
                .collect::<Vec<_>>(),
        ),
        // Lists and clauses are parsed per cell (see `slow_pass`).
        FieldType::List | FieldType::Clause => lit(NULL).cast(dtype_of(field.ty)),
    }
}

/// Years the per-cell parser refuses ("0025-03-01") are left to it, so that it reports them.
fn year_in_range(name: &str) -> Expr {
    let year = col(name).dt().year();
    when(
        year.clone()
            .gt_eq(lit(values::MIN_YEAR))
            .and(year.lt_eq(lit(values::MAX_YEAR))),
    )
    .then(col(name))
    .otherwise(lit(NULL).cast(DataType::Date))
    .alias(name)
}

/// The typed canonical frame (all rows, before rejection) and the value findings.
pub struct Parsed {
    pub frame: DataFrame,
    pub findings: Vec<Finding>,
}

/// Parse every mapped field of `raw` into its canonical typed column.
pub fn parse_values(raw: &RawTable, map: &HeaderMap) -> Result<Parsed, IngestError> {
    // Clean each input column once, parse from the clean text, then range-check dates.
    let mut clean = vec![col(ROW)];
    let mut exprs = vec![col(ROW)];
    let mut dates = Vec::new();
    for (field, column) in FIELDS.iter().zip(&map.columns) {
        let expr = match column {
            Some(i) => {
                clean.push(clean_expr(field, &raw_col(*i)));
                fast_expr(field)
            }
            None => lit(NULL).cast(dtype_of(field.ty)),
        };
        exprs.push(expr.alias(field.name));
        if field.ty == FieldType::Date && column.is_some() {
            dates.push(year_in_range(field.name));
        }
    }
    let mut typed = raw
        .frame
        .clone()
        .lazy()
        .select(clean)
        .select(exprs)
        .with_columns(dates)
        .collect()
        .map_err(|e| IngestError::container("解析", e))?;
    let mut findings = Vec::new();
    let case_ids = typed
        .column(schema::CASE_ID)
        .and_then(|c| c.str().cloned())
        .map_err(|e| IngestError::container("解析", e))?;
    let rows = typed
        .column(ROW)
        .and_then(|c| c.i64().cloned())
        .map_err(|e| IngestError::container("解析", e))?;
    let ctx = CellContext {
        rows: &rows,
        case_ids: &case_ids,
    };
    let mut clause_parts = None;
    for (field, column) in FIELDS.iter().zip(&map.columns) {
        let Some(i) = column else { continue };
        let raw_text = raw
            .frame
            .column(&raw_col(*i))
            .and_then(|c| c.str().cloned())
            .map_err(|e| IngestError::container("解析", e))?;
        let header = &raw.headers[*i];
        let current = typed
            .column(field.name)
            .map_err(|e| IngestError::container("解析", e))?
            .as_materialized_series()
            .clone();
        let (series, extra) = slow_pass(field, header, &raw_text, &current, &ctx, &mut findings)
            .map_err(|e| IngestError::container("解析", e))?;
        typed
            .replace(field.name, series.into_column())
            .map_err(|e| IngestError::container("解析", e))?;
        if extra.is_some() {
            clause_parts = extra;
        }
    }
    let (article, item) = clause_parts.unwrap_or_else(|| {
        let n = typed.height();
        (
            Series::full_null(schema::CLAUSE_ARTICLE.into(), n, &DataType::Int32),
            Series::full_null(schema::CLAUSE_ITEM.into(), n, &DataType::Int32),
        )
    });
    typed
        .with_column(article.into_column())
        .and_then(|df| df.with_column(item.into_column()))
        .map_err(|e| IngestError::container("解析", e))?;
    Ok(Parsed {
        frame: typed,
        findings,
    })
}

struct CellContext<'a> {
    rows: &'a Int64Chunked,
    case_ids: &'a StringChunked,
}

impl CellContext<'_> {
    fn finding(
        &self,
        idx: usize,
        header: &str,
        value: &str,
        severity: Severity,
        code: &'static str,
        reason: &str,
    ) -> Finding {
        Finding {
            row: self.rows.get(idx).unwrap_or(0),
            case_id: self.case_ids.get(idx).map(String::from),
            column: header.to_string(),
            value: value.to_string(),
            severity,
            code,
            message: format!("“{header}”列的“{}”{reason}", super::preview(value)),
        }
    }
}

type ClauseColumns = Option<(Series, Series)>;

/// Second pass: cells the vectorised pass left null although the input has text.
fn slow_pass(
    field: &Field,
    header: &str,
    raw: &StringChunked,
    current: &Series,
    ctx: &CellContext,
    findings: &mut Vec<Finding>,
) -> PolarsResult<(Series, ClauseColumns)> {
    let name = field.name;
    match field.ty {
        FieldType::Text => Ok((current.clone(), None)),
        FieldType::List => {
            // Built in one list builder (a Series per cell cost as much as
            // the splitting itself).
            let mut lists = ListStringChunkedBuilder::new(name.into(), raw.len(), raw.len());
            for cell in raw.iter() {
                // "无" in 涉及人员 is a unit-level case, not an officer named 无.
                let items: Vec<String> = cell
                    .filter(|c| !values::is_missing(c))
                    .map(values::split_list)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|item| !values::is_missing(item))
                    .collect();
                if items.is_empty() {
                    lists.append_null();
                } else {
                    lists.append_values_iter(items.iter().map(String::as_str));
                }
            }
            Ok((lists.finish().into_series(), None))
        }
        FieldType::Clause => {
            let mut cache: HashMap<&str, Result<Option<Clause>, values::ValueError>> =
                HashMap::new();
            let n = raw.len();
            let (mut code, mut article, mut item) = (
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
            );
            for (idx, cell) in raw.iter().enumerate() {
                let parsed = match cell {
                    None => Ok(None),
                    Some(text) => cache
                        .entry(text)
                        .or_insert_with(|| values::parse_clause(text))
                        .clone(),
                };
                let clause = match parsed {
                    Ok(c) => c,
                    Err(e) => {
                        let value = cell.unwrap_or("");
                        findings.push(ctx.finding(
                            idx,
                            header,
                            value,
                            Severity::Warning,
                            "clause-invalid",
                            &format!("无法识别为条款：{}（该条款不计入条款统计）", e.reason),
                        ));
                        None
                    }
                };
                code.push(clause.map(|c| c.code()));
                article.push(clause.map(|c| c.article as i32));
                item.push(clause.and_then(|c| c.item.map(|i| i as i32)));
            }
            Ok((
                Series::new(name.into(), code),
                Some((
                    Series::new(schema::CLAUSE_ARTICLE.into(), article),
                    Series::new(schema::CLAUSE_ITEM.into(), item),
                )),
            ))
        }
        FieldType::Date => {
            let dates = current.date()?.physical().clone();
            let mut out: Vec<Option<i32>> = Vec::new();
            let mut patched = false;
            for (idx, (cell, fast)) in raw.iter().zip(dates.iter()).enumerate() {
                let value = match (cell, fast) {
                    (_, Some(d)) => Some(d),
                    (None, None) => None,
                    (Some(text), None) => match values::parse_date(text) {
                        Ok(Some(d)) => {
                            patched = true;
                            Some(days_since_epoch(d))
                        }
                        Ok(None) => None,
                        Err(e) => {
                            findings.push(ctx.finding(
                                idx,
                                header,
                                text,
                                Severity::Error,
                                "date-invalid",
                                &e.reason,
                            ));
                            None
                        }
                    },
                };
                out.push(value);
            }
            if !patched {
                return Ok((current.clone(), None));
            }
            let s = Int32Chunked::from_iter_options(name.into(), out.into_iter())
                .into_series()
                .cast(&DataType::Date)?;
            Ok((s, None))
        }
        FieldType::Int => {
            let ints = current.i64()?;
            let out: Vec<Option<i64>> = raw
                .iter()
                .zip(ints.iter())
                .enumerate()
                .map(|(idx, (cell, fast))| match (cell, fast) {
                    (_, Some(v)) => Some(v),
                    (None, None) => None,
                    (Some(text), None) => match values::parse_int(text) {
                        Ok(v) => v,
                        Err(e) => {
                            findings.push(ctx.finding(
                                idx,
                                header,
                                text,
                                Severity::Warning,
                                "int-invalid",
                                &format!("{}（该值不予采用）", e.reason),
                            ));
                            None
                        }
                    },
                })
                .collect();
            Ok((Series::new(name.into(), out), None))
        }
        FieldType::Bool => {
            let bools = current.bool()?;
            let out: Vec<Option<bool>> = raw
                .iter()
                .zip(bools.iter())
                .enumerate()
                .map(|(idx, (cell, fast))| match (cell, fast) {
                    (_, Some(v)) => Some(v),
                    (None, None) => None,
                    (Some(text), None) => match values::parse_bool(text) {
                        Ok(v) => v,
                        Err(e) => {
                            findings.push(ctx.finding(
                                idx,
                                header,
                                text,
                                Severity::Warning,
                                "bool-invalid",
                                &format!("{}（该值不予采用）", e.reason),
                            ));
                            None
                        }
                    },
                })
                .collect();
            Ok((Series::new(name.into(), out), None))
        }
        FieldType::Enum(allowed) => {
            let strict = name == schema::MATTER_TYPE || name == schema::OUTCOME;
            let texts = current.str()?;
            let out: Vec<Option<&str>> = raw
                .iter()
                .zip(texts.iter())
                .enumerate()
                .map(|(idx, (cell, fast))| match (cell, fast) {
                    (_, Some(v)) => allowed.iter().copied().find(|a| *a == v),
                    (None, None) => None,
                    (Some(text), None) => match values::match_enum(text, allowed) {
                        Ok(v) => v,
                        Err(e) if strict => {
                            findings.push(ctx.finding(
                                idx,
                                header,
                                text,
                                Severity::Error,
                                "enum-invalid",
                                &e.reason,
                            ));
                            None
                        }
                        Err(e) => {
                            findings.push(ctx.finding(
                                idx,
                                header,
                                text,
                                Severity::Warning,
                                "enum-unknown",
                                &format!("{}（该值不予采用）", e.reason),
                            ));
                            None
                        }
                    },
                })
                .collect();
            Ok((Series::new(name.into(), out), None))
        }
    }
}

/// Days from 1970-01-01 (polars' Date physical value).
pub fn days_since_epoch(d: chrono::NaiveDate) -> i32 {
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch")).num_days() as i32
}

/// The date of a polars Date physical value.
pub fn date_from_days(days: i32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch")
        + chrono::Duration::days(days as i64)
}
