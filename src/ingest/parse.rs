//! Value parsing: raw text cells → typed canonical columns.
//!
//! Free-text columns are trimmed by a vectorised polars expression; every
//! other column goes cell by cell through the parsers of [`super::values`],
//! which read every accepted form or explain why a cell is unreadable. A
//! column holds few distinct texts (dates, yes/no, counts, enum values,
//! clauses), so each distinct text of a chunk is parsed once and looked up
//! after.

use polars::prelude::*;

use super::error::{Finding, IngestError, Severity};
use super::mapping::HeaderMap;
use super::raw::{raw_col, RawTable};
use super::values::{self, Clause, ValueError};
use crate::period::days_since_epoch;
use crate::schema::{self, Field, FieldType, FIELDS, ROW};

/// Missing-value markers of free-text columns (values::is_missing recognises
/// more for the typed ones).
const MISSING: &[&str] = &[
    "", "-", "/", "无", "—", "－", "——", "N/A", "n/a", "NULL", "null",
];

fn str_list(values: &[&str]) -> Expr {
    lit(Series::new("".into(), values)).implode(false)
}

/// Trimmed text, null when empty or (with `missing_markers`) a missing marker.
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

/// The typed canonical frame (all rows, before rejection) and the value findings.
pub struct Parsed {
    pub frame: DataFrame,
    pub findings: Vec<Finding>,
}

/// Parse every mapped field of `raw` into its canonical typed column.
pub fn parse_values(raw: &RawTable, map: &HeaderMap) -> Result<Parsed, IngestError> {
    let err = |e: PolarsError| IngestError::container("解析", e);
    // Free text: trimmed; missing markers are null except in the summary,
    // where "无" may be what was written.
    let mut texts = vec![col(ROW)];
    for (field, column) in FIELDS.iter().zip(&map.columns) {
        if let (FieldType::Text, Some(i)) = (field.ty, column) {
            let markers = field.name != schema::SUMMARY;
            texts.push(cleaned(&raw_col(*i), markers).alias(field.name));
        }
    }
    let texts = raw
        .frame
        .clone()
        .lazy()
        .select(texts)
        .collect()
        .map_err(err)?;
    let rows = texts.column(ROW).and_then(|c| c.i64()).map_err(err)?;
    let case_ids = match texts.column(schema::CASE_ID) {
        Ok(c) => c.str().map_err(err)?.clone(),
        Err(_) => StringChunked::full_null(schema::CASE_ID.into(), texts.height()),
    };
    let ctx = CellContext {
        rows,
        case_ids: &case_ids,
        date_1904: raw.date_1904,
    };
    let n = texts.height();
    let mut findings = Vec::new();
    let mut columns = Vec::with_capacity(FIELDS.len() + 3);
    columns.push(texts.column(ROW).map_err(err)?.clone());
    let mut clause_parts = None;
    for (field, column) in FIELDS.iter().zip(&map.columns) {
        let series = match (field.ty, column) {
            (FieldType::Text, Some(_)) => texts
                .column(field.name)
                .map_err(err)?
                .as_materialized_series()
                .clone(),
            (ty, None) => Series::full_null(field.name.into(), n, &dtype_of(ty)),
            (_, Some(i)) => {
                let cells = raw
                    .frame
                    .column(&raw_col(*i))
                    .and_then(|c| c.str())
                    .map_err(err)?;
                let header = &raw.headers[*i];
                let (series, extra) =
                    parse_column(field, header, cells, &ctx, &mut findings).map_err(err)?;
                if extra.is_some() {
                    clause_parts = extra;
                }
                series
            }
        };
        columns.push(series.into_column());
    }
    let (article, item) = clause_parts.unwrap_or_else(|| {
        (
            Series::full_null(schema::CLAUSE_ARTICLE.into(), n, &DataType::Int32),
            Series::full_null(schema::CLAUSE_ITEM.into(), n, &DataType::Int32),
        )
    });
    columns.push(article.into_column());
    columns.push(item.into_column());
    let frame = DataFrame::new(n, columns).map_err(err)?;
    Ok(Parsed { frame, findings })
}

struct CellContext<'a> {
    rows: &'a Int64Chunked,
    case_ids: &'a StringChunked,
    /// Bare serial numbers in date cells count from 1904 (see RawTable).
    date_1904: bool,
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
            message: format!("“{header}”列的“{}”{reason}", super::values::preview(value)),
        }
    }
}

type ClauseColumns = Option<(Series, Series)>;

/// Each distinct cell text of a column parsed once: `parse` on the first
/// sight, the remembered result after.
struct Memo<'a, T, F> {
    seen: PlHashMap<&'a str, Result<T, ValueError>>,
    parse: F,
}

impl<'a, T: Clone, F: Fn(&str) -> Result<T, ValueError>> Memo<'a, T, F> {
    fn new(parse: F) -> Self {
        Memo {
            seen: PlHashMap::default(),
            parse,
        }
    }

    fn get(&mut self, text: &'a str) -> Result<T, ValueError> {
        let parse = &self.parse;
        self.seen.entry(text).or_insert_with(|| parse(text)).clone()
    }
}

/// How an unreadable cell of a column is reported.
struct Unreadable {
    severity: Severity,
    code: &'static str,
    /// The parser's reason as the finding's message puts it.
    phrase: fn(&str) -> String,
}

impl Unreadable {
    /// The row is rejected; the parser's reason is the message.
    fn rejects(code: &'static str) -> Unreadable {
        Unreadable {
            severity: Severity::Error,
            code,
            phrase: str::to_string,
        }
    }

    /// The row stays; the value is left out.
    fn dropped(code: &'static str) -> Unreadable {
        Unreadable {
            severity: Severity::Warning,
            code,
            phrase: not_used,
        }
    }
}

/// A value not used: the row stays, the cell counts as empty.
fn not_used(reason: &str) -> String {
    format!("{reason}（该值不予采用）")
}

/// Every cell of `raw` read by `parse` (each distinct text once): None for
/// an empty cell, and for an unreadable one, which also gets a finding.
fn read_cells<T: Clone, C: FromIterator<Option<T>>>(
    raw: &StringChunked,
    parse: impl Fn(&str) -> Result<Option<T>, ValueError>,
    unreadable: Unreadable,
    header: &str,
    ctx: &CellContext,
    findings: &mut Vec<Finding>,
) -> C {
    let mut memo = Memo::new(parse);
    raw.iter()
        .enumerate()
        .map(|(idx, cell)| {
            let text = cell?;
            memo.get(text).unwrap_or_else(|e| {
                let message = (unreadable.phrase)(&e.reason);
                findings.push(ctx.finding(
                    idx,
                    header,
                    text,
                    unreadable.severity,
                    unreadable.code,
                    &message,
                ));
                None
            })
        })
        .collect()
}

/// One typed column from its raw cells, with a finding for each unreadable
/// cell; clauses also give their article and item columns.
///
/// Long: one match over the field types, each arm parsing every distinct text of the column once.
fn parse_column(
    field: &Field,
    header: &str,
    raw: &StringChunked,
    ctx: &CellContext,
    findings: &mut Vec<Finding>,
) -> PolarsResult<(Series, ClauseColumns)> {
    let name = field.name;
    match field.ty {
        FieldType::Text => Ok((raw.clone().with_name(name.into()).into_series(), None)),
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
            let unreadable = Unreadable {
                severity: Severity::Warning,
                code: "clause-invalid",
                phrase: |reason| format!("无法识别为条款：{reason}（该条款不计入条款统计）"),
            };
            let clauses: Vec<Option<Clause>> =
                read_cells(raw, values::parse_clause, unreadable, header, ctx, findings);
            let code: Vec<Option<String>> = clauses.iter().map(|c| c.map(|c| c.code())).collect();
            let article: Vec<Option<i32>> = clauses
                .iter()
                .map(|c| c.map(|c| c.article as i32))
                .collect();
            let item: Vec<Option<i32>> = clauses
                .iter()
                .map(|c| c.and_then(|c| c.item.map(|i| i as i32)))
                .collect();
            Ok((
                Series::new(name.into(), code),
                Some((
                    Series::new(schema::CLAUSE_ARTICLE.into(), article),
                    Series::new(schema::CLAUSE_ITEM.into(), item),
                )),
            ))
        }
        FieldType::Date => {
            let unreadable = Unreadable::rejects("date-invalid");
            let read = if ctx.date_1904 {
                values::parse_date_1904
            } else {
                values::parse_date
            };
            let parse = |text: &str| read(text).map(|d| d.map(days_since_epoch));
            let days: Int32Chunked = read_cells(raw, parse, unreadable, header, ctx, findings);
            Ok((days.with_name(name.into()).into_date().into_series(), None))
        }
        FieldType::Int => {
            let unreadable = Unreadable::dropped("int-invalid");
            let ints: Int64Chunked =
                read_cells(raw, values::parse_int, unreadable, header, ctx, findings);
            Ok((ints.with_name(name.into()).into_series(), None))
        }
        FieldType::Bool => {
            let unreadable = Unreadable::dropped("bool-invalid");
            let bools: BooleanChunked =
                read_cells(raw, values::parse_bool, unreadable, header, ctx, findings);
            Ok((bools.with_name(name.into()).into_series(), None))
        }
        FieldType::Enum(allowed) => {
            // An unknown matter type or outcome rejects the row; elsewhere
            // the value is only left out.
            let unreadable = if name == schema::MATTER_TYPE || name == schema::OUTCOME {
                Unreadable::rejects("enum-invalid")
            } else {
                Unreadable::dropped("enum-unknown")
            };
            let parse = |text: &str| values::match_enum(text, allowed);
            let texts: StringChunked = read_cells(raw, parse, unreadable, header, ctx, findings);
            Ok((texts.with_name(name.into()).into_series(), None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::ingest::read::{read_raw_bytes, Format, ReadOptions};

    fn parsed(csv: &str) -> Parsed {
        let opts = ReadOptions {
            encoding: crate::ingest::Encoding::Auto,
            sheet: None,
            keep_summaries: true,
        };
        let raw = read_raw_bytes(csv.as_bytes(), Format::Csv, &opts).unwrap();
        let map = super::super::mapping::map_headers(&raw.headers, &Config::default()).unwrap();
        parse_values(&raw, &map).unwrap()
    }

    /// Each distinct text is parsed once per column: every row with the same
    /// text must still get the same value, and every row with the same
    /// unreadable text a finding of its own.
    #[test]
    fn repeated_texts_give_the_same_value_and_a_finding_per_row() {
        let p = parsed(
            "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,主观过错,调查人数,认定结果\n\
             A1,甲,市场,行政处罚,程序,2025-03-05,是,2,免责\n\
             A2,甲,市场,行政 处罚,程序,2025年3月5日,否,二,减轻\n\
             A3,甲,市场,行政处罚,程序,20250305,Y,3人,免责\n\
             A4,甲,市场,行政处罚,程序,2025-13-05,也许,x,免除\n\
             A5,甲,市场,行政处罚,程序,2025-13-05,也许,x,免除\n\
             A6,甲,市场,行政处罚,程序,2025-03-05,是,2,\n",
        );
        let df = &p.frame;
        // 2025-03-05 is day 20152 after 1970-01-01 (55 years of 365 days,
        // 14 leap days 1972–2024, then 31 + 28 + 4 days into 2025).
        assert_eq!(55 * 365 + 14 + 31 + 28 + 4, 20152);
        let days: Vec<Option<i32>> = df
            .column(schema::FILED_ON)
            .unwrap()
            .date()
            .unwrap()
            .physical()
            .iter()
            .collect();
        let d = Some(20152);
        assert_eq!(days, [d, d, d, None, None, d]);
        let fault: Vec<Option<bool>> = df
            .column(schema::SUBJECTIVE_FAULT)
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            fault,
            [Some(true), Some(false), Some(true), None, None, Some(true)]
        );
        let people: Vec<Option<i64>> = df
            .column(schema::INVESTIGATORS)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(people, [Some(2), Some(2), Some(3), None, None, Some(2)]);
        let matter: Vec<Option<&str>> = df
            .column(schema::MATTER_TYPE)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(matter, [Some("行政处罚"); 6]);
        let mut got: Vec<(i64, &str, Severity)> = p
            .findings
            .iter()
            .map(|f| (f.row, f.code, f.severity))
            .collect();
        got.sort_by_key(|(row, code, _)| (*row, *code));
        let per_bad_row = |row| {
            [
                (row, "bool-invalid", Severity::Warning),
                (row, "date-invalid", Severity::Error),
                (row, "enum-invalid", Severity::Error),
                (row, "int-invalid", Severity::Warning),
            ]
        };
        let want: Vec<_> = per_bad_row(5).into_iter().chain(per_bad_row(6)).collect();
        assert_eq!(got, want);
        assert!(p.findings.iter().all(|f| f.case_id.is_some()));
    }
}
