//! Row-level validation: required fields, duplicates, taxonomy, clauses,
//! chronology, limits and the pilot period (ledger.md, issue "validate").

use std::collections::HashMap;

use polars::prelude::*;

use super::error::{Finding, IngestError, Severity};
use super::mapping::HeaderMap;
use super::raw::{raw_col, RawTable};
use super::values::Clause;
use crate::config::Config;
use crate::period::{date_from_days, days_since_epoch};
use crate::schema::{self, FieldType, FIELDS, ROW};

/// Date pairs (earlier, later) that must not be reversed.
pub const CHRONOLOGY: &[(&str, &str)] = &[
    (schema::FILED_ON, schema::VERIFIED_ON),
    (schema::FILED_ON, schema::DECIDED_ON),
    (schema::FILED_ON, schema::TRANSFERRED_ON),
    (schema::FILED_ON, schema::ARCHIVED_ON),
    (schema::DECIDED_ON, schema::NOTIFIED_ON),
    (schema::DECIDED_ON, schema::CORRECTED_ON),
    (schema::DECIDED_ON, schema::REVIEW_APPLIED_ON),
    (schema::TRANSFERRED_ON, schema::HANDLED_ON),
    (schema::HANDLED_ON, schema::HANDLING_REPORTED_ON),
    (schema::REVIEW_APPLIED_ON, schema::REVIEW_DECIDED_ON),
];

/// Everything needed to phrase a finding about a cell.
struct Cells<'a> {
    typed: &'a DataFrame,
    raw: &'a RawTable,
    map: &'a HeaderMap,
    rows: Int64Chunked,
    case_ids: StringChunked,
}

impl Cells<'_> {
    fn header(&self, field: &str) -> String {
        match self.map.column_of(field) {
            Some(i) => self.raw.headers[i].clone(),
            None => schema::header_of(field).to_string(),
        }
    }

    fn raw_value(&self, field: &str, idx: usize) -> String {
        self.map
            .column_of(field)
            .and_then(|i| self.raw.frame.column(&raw_col(i)).ok())
            .and_then(|c| c.str().ok().and_then(|s| s.get(idx).map(String::from)))
            .unwrap_or_default()
    }

    fn finding(
        &self,
        idx: usize,
        field: &str,
        severity: Severity,
        code: &'static str,
        message: String,
    ) -> Finding {
        Finding {
            row: self.rows.get(idx).unwrap_or(0),
            case_id: self.case_ids.get(idx).map(String::from),
            column: self.header(field),
            value: self.raw_value(field, idx),
            severity,
            code,
            message,
        }
    }

    /// A date column as day numbers (they order as the dates do).
    fn days(&self, field: &str) -> PolarsResult<Vec<Option<i32>>> {
        Ok(self
            .typed
            .column(field)?
            .date()?
            .physical()
            .iter()
            .collect())
    }
}

/// Row checks on the typed frame; `value_findings` are those of the parse step
/// (used to tell "empty" from "unreadable").
pub fn validate_rows(
    typed: &DataFrame,
    raw: &RawTable,
    map: &HeaderMap,
    config: &Config,
    value_findings: &[Finding],
) -> Result<Vec<Finding>, IngestError> {
    let err = |e: PolarsError| IngestError::container("校验", e);
    let cells = Cells {
        typed,
        raw,
        map,
        rows: typed
            .column(ROW)
            .and_then(|c| c.i64().cloned())
            .map_err(err)?,
        case_ids: typed
            .column(schema::CASE_ID)
            .and_then(|c| c.str().cloned())
            .map_err(err)?,
    };
    let mut out = Vec::new();
    required(&cells, value_findings, &mut out).map_err(err)?;
    error_types(&cells, config, &mut out).map_err(err)?;
    clauses(&cells, &mut out).map_err(err)?;
    chronology(&cells, &mut out).map_err(err)?;
    limits(&cells, config, &mut out).map_err(err)?;
    Ok(out)
}

fn required(cells: &Cells, value_findings: &[Finding], out: &mut Vec<Finding>) -> PolarsResult<()> {
    let unreadable: std::collections::HashSet<(i64, &str)> = value_findings
        .iter()
        .map(|f| (f.row, f.column.as_str()))
        .collect();
    for field in FIELDS.iter().filter(|f| f.required) {
        let header = cells.header(field.name);
        let nulls = cells.typed.column(field.name)?.is_null();
        for (idx, null) in nulls.iter().enumerate() {
            let row = cells.rows.get(idx).unwrap_or(0);
            if null == Some(true) && !unreadable.contains(&(row, header.as_str())) {
                out.push(cells.finding(
                    idx,
                    field.name,
                    Severity::Error,
                    "required-missing",
                    format!("必填的“{header}”为空，请补填后重新导入"),
                ));
            }
        }
    }
    Ok(())
}

fn error_types(cells: &Cells, config: &Config, out: &mut Vec<Finding>) -> PolarsResult<()> {
    let known: std::collections::HashSet<&str> = config
        .ledger
        .error_types
        .iter()
        .map(String::as_str)
        .collect();
    let header = cells.header(schema::ERROR_TYPE);
    let column = cells.typed.column(schema::ERROR_TYPE)?.str()?.clone();
    for (idx, v) in column.iter().enumerate() {
        if let Some(v) = v {
            if !known.contains(v) {
                out.push(cells.finding(
                    idx,
                    schema::ERROR_TYPE,
                    Severity::Warning,
                    "error-type-unknown",
                    format!(
                        "“{header}”列的“{}”不在问题类型表中（已保留；如为新类型，请加入 jiucuo.toml 的 error_types）",
                        super::values::preview(v)
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn clauses(cells: &Cells, out: &mut Vec<Finding>) -> PolarsResult<()> {
    let article = cells.typed.column(schema::CLAUSE_ARTICLE)?.i32()?.clone();
    let item = cells.typed.column(schema::CLAUSE_ITEM)?.i32()?.clone();
    let outcome = cells.typed.column(schema::OUTCOME)?.str()?.clone();
    let header = cells.header(schema::CLAUSE);
    for idx in 0..article.len() {
        let Some(a) = article.get(idx) else { continue };
        let clause = Clause {
            article: a.clamp(0, 255) as u8,
            item: item.get(idx).map(|i| i.clamp(0, 255) as u8),
        };
        // the cited text is looked up only for a finding (most rows have none)
        let cited = || cells.raw_value(schema::CLAUSE, idx);
        if !clause.in_range() {
            out.push(cells.finding(
                idx,
                schema::CLAUSE,
                Severity::Warning,
                "clause-out-of-range",
                format!(
                    "“{header}”列的“{}”超出办法条款范围（第九条第（一）至（九）项、第十条第（一）至（十）项、第十一条第（一）至（三）项、第十二条第（一）至（七）项）",
                    super::values::preview(&cited())
                ),
            ));
        } else if let Some(o) = outcome.get(idx) {
            if !clause.supports(o) {
                out.push(cells.finding(
                    idx,
                    schema::CLAUSE,
                    Severity::Warning,
                    "clause-outcome-mismatch",
                    format!(
                        "“{header}”列的“{}”（第{}条）不支撑认定结果“{o}”（第九条对应履职尽责，第十条对应免责/减轻/从轻，第十一条对应减轻/从轻，第十二条对应不予容错）",
                        super::values::preview(&cited()),
                        clause.article
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn chronology(cells: &Cells, out: &mut Vec<Finding>) -> PolarsResult<()> {
    let mut cache: HashMap<&str, Vec<Option<i32>>> = HashMap::new();
    for (earlier, later) in CHRONOLOGY {
        for name in [earlier, later] {
            if !cache.contains_key(name) {
                cache.insert(name, cells.days(name)?);
            }
        }
        let (a, b) = (&cache[earlier], &cache[later]);
        for idx in 0..a.len() {
            if let (Some(x), Some(y)) = (a[idx], b[idx]) {
                if y < x {
                    out.push(cells.finding(
                        idx,
                        later,
                        Severity::Warning,
                        "chronology",
                        format!(
                            "“{}”{} 早于“{}”{}，时间顺序不可能，请核对",
                            cells.header(later),
                            date_from_days(y),
                            cells.header(earlier),
                            date_from_days(x)
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn limits(cells: &Cells, config: &Config, out: &mut Vec<Finding>) -> PolarsResult<()> {
    let extension = cells.typed.column(schema::EXTENSION_DAYS)?.i64()?.clone();
    for (idx, v) in extension.iter().enumerate() {
        if let Some(v) = v {
            if v > 30 {
                out.push(cells.finding(
                    idx,
                    schema::EXTENSION_DAYS,
                    Severity::Warning,
                    "extension-over-30",
                    format!("延长 {v} 天超过第十七条规定的 30 天上限（期限计算按 30 天计）"),
                ));
            }
        }
    }
    for field in FIELDS.iter().filter(|f| f.ty == FieldType::Int) {
        let ints = cells.typed.column(field.name)?.i64()?.clone();
        for (idx, v) in ints.iter().enumerate() {
            if let Some(v) = v {
                if v < 0 {
                    out.push(cells.finding(
                        idx,
                        field.name,
                        Severity::Warning,
                        "int-negative",
                        format!("“{}”为负数 {v}（该值不予采用）", cells.header(field.name)),
                    ));
                } else if v > i32::MAX as i64 {
                    out.push(cells.finding(
                        idx,
                        field.name,
                        Severity::Warning,
                        "int-too-large",
                        format!(
                            "“{}”数值过大 {v}（该值不予采用，请核对是否录入有误）",
                            cells.header(field.name)
                        ),
                    ));
                }
            }
        }
    }
    let filed = cells.days(schema::FILED_ON)?;
    let (start, end) = (config.pilot.start, config.pilot.end);
    let pilot = days_since_epoch(start)..=days_since_epoch(end);
    for (idx, d) in filed.into_iter().enumerate() {
        if let Some(d) = d {
            if !pilot.contains(&d) {
                let d = date_from_days(d);
                out.push(cells.finding(
                    idx,
                    schema::FILED_ON,
                    Severity::Warning,
                    "outside-pilot",
                    format!("立案日期 {d} 不在试点期间（{start} 至 {end}，第二十四条）内"),
                ));
            }
        }
    }
    Ok(())
}

/// Duplicate case ids: among rows without other errors the first copy stays
/// (with a warning naming the others); every other copy is rejected.
/// `copies` holds (row, case id) of every row whose id may repeat, by row.
pub fn duplicates(
    copies: &[(i64, String)],
    header: &str,
    errors_so_far: &[Finding],
    labels: &super::rows::RowLabels,
) -> Vec<Finding> {
    let rejected: std::collections::HashSet<i64> = errors_so_far
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.row)
        .collect();
    let mut groups: HashMap<&str, Vec<i64>> = HashMap::new();
    for (row, id) in copies {
        groups.entry(id.as_str()).or_default().push(*row);
    }
    let mut out = Vec::new();
    let mut dups: Vec<_> = groups.into_iter().filter(|(_, v)| v.len() > 1).collect();
    dups.sort();
    for (id, rows) in dups {
        let kept = rows
            .iter()
            .copied()
            .find(|r| !rejected.contains(r))
            .unwrap_or(rows[0]);
        let others: Vec<String> = rows
            .iter()
            .filter(|r| **r != kept)
            .map(|r| labels.label(*r))
            .collect();
        let mk = |row: i64, severity, code, message| Finding {
            row,
            case_id: Some(id.to_string()),
            column: header.to_string(),
            value: id.to_string(),
            severity,
            code,
            message,
        };
        if !rejected.contains(&kept) {
            out.push(mk(
                kept,
                Severity::Warning,
                "duplicate-kept",
                format!(
                    "案件编号“{}”重复（另见{}）：保留本行，其余拒收",
                    super::values::preview(id),
                    others.join("、")
                ),
            ));
        }
        for row in rows.into_iter().filter(|r| *r != kept) {
            out.push(mk(
                row,
                Severity::Error,
                "duplicate-case",
                format!(
                    "案件编号“{}”与{}重复，本行拒收（如确为不同案件，请更正编号）",
                    super::values::preview(id),
                    labels.label(kept)
                ),
            ));
        }
    }
    out
}

/// The `column` of a finding about a whole record.
pub const WHOLE_ROW: &str = "（整行）";

fn case_id_of(typed: &DataFrame) -> Result<HashMap<i64, String>, IngestError> {
    let err = |e: PolarsError| IngestError::container("校验", e);
    let rows = typed
        .column(ROW)
        .and_then(|c| c.i64().cloned())
        .map_err(err)?;
    let ids = typed
        .column(schema::CASE_ID)
        .and_then(|c| c.str().cloned())
        .map_err(err)?;
    Ok(rows
        .iter()
        .zip(ids.iter())
        .filter_map(|(r, id)| Some((r?, id?.to_string())))
        .collect())
}

/// CSV records with more fields than the header are rejected (the extra
/// cells would otherwise be lost); records with fewer get a warning (the
/// missing trailing cells count as empty).
pub fn ragged(raw: &RawTable, typed: &DataFrame) -> Result<Vec<Finding>, IngestError> {
    if raw.ragged.is_empty() {
        return Ok(vec![]);
    }
    let ids = case_id_of(typed)?;
    Ok(raw
        .ragged
        .iter()
        .map(|r| {
            let (severity, code, message) = if r.fields > r.expected {
                (
                    Severity::Error,
                    "row-too-many-fields",
                    format!(
                        "本行有{}列，比表头多{}列（多出的内容：“{}”），可能是某个单元格中的逗号未加引号；请核对后重新导入",
                        r.fields,
                        r.fields - r.expected,
                        super::values::preview(&r.extra)
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    "row-too-few-fields",
                    format!("本行只有{}列，比表头少{}列，缺少的列按空白处理", r.fields, r.expected - r.fields),
                )
            };
            Finding {
                row: r.row,
                case_id: ids.get(&r.row).cloned(),
                column: WHOLE_ROW.into(),
                value: r.extra.chars().take(200).collect(),
                severity,
                code,
                message,
            }
        })
        .collect())
}

/// A record that repeats the header (two exports concatenated) is rejected:
/// more than half of its named cells equal their column's header.
pub fn repeated_headers(raw: &RawTable) -> Result<Vec<Finding>, IngestError> {
    let err = |e: PolarsError| IngestError::container("校验", e);
    let named: Vec<(usize, &String)> = raw
        .headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.is_empty())
        .collect();
    if named.len() < 2 || raw.frame.height() == 0 {
        return Ok(vec![]);
    }
    // Cells equal to their column's header (trimmed), counted per record
    // in place (no trimmed copy of the text).
    let mut same = vec![0u32; raw.frame.height()];
    for (i, header) in &named {
        let cells = raw
            .frame
            .column(&raw_col(*i))
            .and_then(|c| c.str())
            .map_err(err)?;
        for (count, cell) in same.iter_mut().zip(cells.iter()) {
            if cell.is_some_and(|c| c.trim() == header.as_str()) {
                *count += 1;
            }
        }
    }
    let rows = raw.frame.column(ROW).and_then(|c| c.i64()).map_err(err)?;
    let rows: Vec<Option<i64>> = rows
        .iter()
        .zip(&same)
        .filter(|(_, &count)| count as usize * 2 > named.len())
        .map(|(row, _)| row)
        .collect();
    Ok(rows
        .into_iter()
        .flatten()
        .map(|row| Finding {
            row,
            case_id: None,
            column: WHOLE_ROW.into(),
            value: String::new(),
            severity: Severity::Error,
            code: "header-repeated",
            message: "本行是重复的表头（常见于把几个导出文件拼在一起），已拒收；删除此行即可"
                .into(),
        })
        .collect())
}
