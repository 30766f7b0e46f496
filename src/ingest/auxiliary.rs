//! Optional files: the enforcement volume (执法量, with [`Volume`], the
//! figures the analyses divide by) and the officer roster (人员名册).

use std::path::Path;

use polars::prelude::*;

use super::error::IngestError;
use super::raw::{raw_col, RawTable};
use super::read::{read_raw, ReadOptions};
use super::values::{self, fold};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::period::{quarters_between, Quarter, Window};
use crate::schema::{letters, roster, volume, ROW};

/// Find each (field, header) of `wanted` among the table's headers.
fn columns(
    raw: &RawTable,
    wanted: &[(&str, &str)],
    required: &[&str],
    path: &Path,
) -> Result<Vec<Option<usize>>, IngestError> {
    let norm = |h: &str| {
        fold(h)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
    };
    let found: Vec<Option<usize>> = wanted
        .iter()
        .map(|(field, header)| {
            raw.headers
                .iter()
                .position(|h| norm(h) == norm(header) || norm(h) == *field)
        })
        .collect();
    let missing: Vec<String> = wanted
        .iter()
        .zip(&found)
        .filter(|((f, _), c)| c.is_none() && required.contains(f))
        .map(|((_, h), _)| format!("“{h}”"))
        .collect();
    if !missing.is_empty() {
        return Err(IngestError::InFile {
            path: path.to_path_buf(),
            inner: Box::new(IngestError::Container {
                format: "表格",
                message: format!(
                    "缺少必填列 {}（现有列：{}）",
                    missing.join("、"),
                    raw.headers.join("、")
                ),
            }),
        });
    }
    Ok(found)
}

fn cell(raw: &RawTable, col: Option<usize>, idx: usize) -> Option<String> {
    let c = col?;
    let s = raw
        .frame
        .column(&raw_col(c))
        .ok()?
        .str()
        .ok()?
        .get(idx)?
        .trim()
        .to_string();
    (!s.is_empty()).then_some(s)
}

/// Each row of a side file parsed by `parse` (given the row's cells by
/// column position and its row number), or one error naming every row
/// that could not be.
fn parse_rows<T>(
    path: &Path,
    format: &'static str,
    raw: &RawTable,
    cols: &[Option<usize>],
    parse: impl Fn(&dyn Fn(usize) -> Option<String>, i64) -> Result<T, String>,
) -> Result<Vec<T>, IngestError> {
    let rows = raw
        .frame
        .column(ROW)
        .and_then(|c| c.i64().cloned())
        .map_err(|e| IngestError::container(format, e))?;
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    for idx in 0..raw.frame.height() {
        let at = |k: usize| cell(raw, cols[k], idx);
        match parse(&at, rows.get(idx).unwrap_or(0)) {
            Ok(t) => out.push(t),
            Err(p) => problems.push(p),
        }
    }
    refuse_rows(path, format, problems)?;
    Ok(out)
}

/// The rows of a side file that could not be read, as one error naming
/// each (the first 20, and how many more); Ok when there are none.
fn refuse_rows(
    path: &Path,
    format: &'static str,
    problems: Vec<String>,
) -> Result<(), IngestError> {
    if problems.is_empty() {
        return Ok(());
    }
    let more = problems.len().saturating_sub(20);
    let mut text = problems.into_iter().take(20).collect::<Vec<_>>().join("；");
    if more > 0 {
        text.push_str(&format!("；另有 {more} 处"));
    }
    Err(IngestError::InFile {
        path: path.to_path_buf(),
        inner: Box::new(IngestError::Container {
            format,
            message: format!("{text}。请改正后重试"),
        }),
    })
}

/// Read the volume file: 执法单位, 执法领域 (empty = unit total), 季度, 执法量.
/// Any unreadable row is an error naming row, column and value.
pub fn read_volume(path: &Path, opts: &ReadOptions) -> Result<Volume, IngestError> {
    let raw = read_raw(path, opts)?;
    let cols = columns(
        &raw,
        volume::HEADERS,
        &[volume::UNIT, volume::QUARTER, volume::ACTIONS],
        path,
    )?;
    let entries = parse_rows(path, "执法量", &raw, &cols, |at, row| {
        let (unit, domain) = (at(0), at(1).unwrap_or_default());
        let quarter_text = at(2).unwrap_or_default();
        let actions_text = at(3).unwrap_or_default();
        let quarter = Quarter::parse(&quarter_text);
        let actions = values::parse_int(&actions_text)
            .ok()
            .flatten()
            .filter(|a| *a >= 0);
        match (unit, quarter, actions) {
            (Some(u), Some(q), Some(a)) => Ok((q, u, domain, a as f64)),
            (None, _, _) => Err(format!("第{row}行“执法单位”为空")),
            (_, None, _) => Err(format!(
                "第{row}行“季度”的“{}”无法识别（可用：2025Q2、2025年第二季度）",
                values::preview(&quarter_text)
            )),
            (_, _, None) => Err(format!(
                "第{row}行“执法量”的“{}”不是非负整数",
                values::preview(&actions_text)
            )),
        }
    })?;
    Ok(Volume::new(entries))
}

/// One warning notice of the register: the unit, the day it was sent, the
/// problem type of the risk point it named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Letter {
    pub unit: String,
    pub sent_on: chrono::NaiveDate,
    pub error_type: String,
}

/// Read the register of notices sent: 执法单位, 发函日期, 问题类型 (one row
/// per risk point named). Any unreadable row is an error naming row, column
/// and value; nothing is guessed.
pub fn read_letters(path: &Path, opts: &ReadOptions) -> Result<Vec<Letter>, IngestError> {
    let raw = read_raw(path, opts)?;
    let cols = columns(
        &raw,
        letters::HEADERS,
        &[letters::UNIT, letters::SENT_ON, letters::ERROR_TYPE],
        path,
    )?;
    let mut out = parse_rows(path, "提醒函登记", &raw, &cols, |at, row| {
        let date_text = at(1).unwrap_or_default();
        let date = values::parse_date(&date_text).ok().flatten();
        match (at(0), date, at(2)) {
            (Some(unit), Some(sent_on), Some(error_type)) => Ok(Letter {
                unit,
                sent_on,
                error_type,
            }),
            (None, _, _) => Err(format!("第{row}行“执法单位”为空")),
            (_, None, _) => Err(format!(
                "第{row}行“发函日期”的“{}”不是日期（如 2026-10-15）",
                values::preview(&date_text)
            )),
            (_, _, None) => Err(format!("第{row}行“问题类型”为空")),
        }
    })?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// Read the roster: 执法证号, 姓名, 执法单位, 人员类别 → a frame with
/// `officer_id, name, unit, credential` (rows without an id are skipped).
pub fn read_roster(path: &Path, opts: &ReadOptions) -> Result<DataFrame, IngestError> {
    let raw = read_raw(path, opts)?;
    let cols = columns(
        &raw,
        roster::HEADERS,
        &[roster::OFFICER_ID, roster::NAME],
        path,
    )?;
    let n = raw.frame.height();
    let get = |k: usize| (0..n).map(|i| cell(&raw, cols[k], i)).collect::<Vec<_>>();
    df!(
        roster::OFFICER_ID => get(0),
        roster::NAME => get(1),
        roster::UNIT => get(2),
        roster::CREDENTIAL => get(3),
    )
    .and_then(|df| {
        df.lazy()
            .filter(col(roster::OFFICER_ID).is_not_null())
            .collect()
    })
    .map_err(|e| IngestError::container("人员名册", e))
}

/// Enforcement volume (执法量): actions per unit × domain × quarter; a row with
/// an empty domain is a unit total.
#[derive(Debug, Clone, Default)]
pub struct Volume {
    entries: HashMap<(Quarter, String, String), f64>,
    /// Per quarter and unit: the unit's total (the sum of its domain rows, or
    /// its total row when it has no domain rows).
    unit_totals: HashMap<(Quarter, String), f64>,
    /// Per quarter and domain: the sum over units.
    domain_totals: HashMap<(Quarter, String), f64>,
    /// Per quarter: the sum of the unit totals.
    quarter_totals: HashMap<Quarter, f64>,
}

impl Volume {
    pub fn new(rows: impl IntoIterator<Item = (Quarter, String, String, f64)>) -> Volume {
        let mut entries = HashMap::new();
        for (q, u, d, v) in rows {
            *entries.entry((q, u, d)).or_insert(0.0) += v;
        }
        // Totals are summed in sorted order, so that they never depend on
        // the hash map's iteration order.
        let mut sorted: Vec<(&(Quarter, String, String), &f64)> = entries.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let mut by_domains: BTreeMap<(Quarter, String), f64> = BTreeMap::new();
        let mut total_rows: BTreeMap<(Quarter, String), f64> = BTreeMap::new();
        let mut domain_totals = HashMap::new();
        for ((q, u, d), v) in sorted {
            if d.is_empty() {
                total_rows.insert((*q, u.clone()), *v);
            } else {
                *by_domains.entry((*q, u.clone())).or_insert(0.0) += v;
                *domain_totals.entry((*q, d.clone())).or_insert(0.0) += v;
            }
        }
        // a unit's domain rows win over its total row
        let mut totals = total_rows;
        totals.extend(by_domains);
        let mut quarter_totals = HashMap::new();
        for ((q, _), v) in &totals {
            *quarter_totals.entry(*q).or_insert(0.0) += v;
        }
        Volume {
            entries,
            unit_totals: totals.into_iter().collect(),
            domain_totals,
            quarter_totals,
        }
    }

    /// The volume as a table: `unit, domain, quarter, actions`, sorted.
    pub fn to_frame(&self) -> PolarsResult<DataFrame> {
        let mut rows: Vec<(&Quarter, &String, &String, &f64)> = self
            .entries
            .iter()
            .map(|((q, u, d), v)| (q, u, d, v))
            .collect();
        rows.sort_by(|a, b| (a.1, a.2, a.0).cmp(&(b.1, b.2, b.0)));
        df!(
            "unit" => rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            "domain" => rows.iter().map(|r| Some(r.2.clone()).filter(|d| !d.is_empty())).collect::<Vec<_>>(),
            "quarter" => rows.iter().map(|r| r.0.label()).collect::<Vec<_>>(),
            "actions" => rows.iter().map(|r| *r.3 as i64).collect::<Vec<_>>(),
        )
    }

    fn quarter_value(&self, q: Quarter, unit: Option<&str>, domain: Option<&str>) -> Option<f64> {
        match (unit, domain) {
            (Some(u), Some(d)) => self
                .entries
                .get(&(q, u.to_string(), d.to_string()))
                .copied(),
            (Some(u), None) => self.unit_totals.get(&(q, u.to_string())).copied(),
            (None, Some(d)) => self.domain_totals.get(&(q, d.to_string())).copied(),
            (None, None) => self.quarter_totals.get(&q).copied(),
        }
    }

    /// Volume in a window; a range takes each overlapping quarter pro rata.
    pub fn value(&self, w: &Window, unit: Option<&str>, domain: Option<&str>) -> Option<f64> {
        let (a, b) = (w.first_day(), w.last_day());
        let mut total = None;
        for q in quarters_between(a, b) {
            let (qa, qb) = (q.first_day().max(a), q.last_day().min(b));
            let share = ((qb - qa).num_days() + 1) as f64
                / ((q.last_day() - q.first_day()).num_days() + 1) as f64;
            if let Some(v) = self.quarter_value(q, unit, domain) {
                total = Some(total.unwrap_or(0.0) + v * share);
            }
        }
        total
    }

    /// Every unit the volume file names.
    pub fn units(&self) -> BTreeSet<String> {
        self.entries.keys().map(|(_, u, _)| u.clone()).collect()
    }

    /// Volume of one unit in a window (all its domains; a range takes each
    /// overlapping quarter pro rata); None when the file has no figure for it.
    pub fn unit_volume(&self, w: &Window, unit: &str) -> Option<f64> {
        self.value(w, Some(unit), None)
    }

    /// The domains the file gives volume for the unit in (any quarter).
    pub fn domains_of(&self, unit: &str) -> BTreeSet<String> {
        self.entries
            .keys()
            .filter(|(_, u, d)| u == unit && !d.is_empty())
            .map(|(_, _, d)| d.clone())
            .collect()
    }

    /// Every (unit, domain) the file gives volume for.
    pub fn unit_domains(&self) -> BTreeSet<(String, String)> {
        self.entries
            .keys()
            .filter(|(_, _, d)| !d.is_empty())
            .map(|(_, u, d)| (u.clone(), d.clone()))
            .collect()
    }

    /// Every domain the file names.
    pub fn domains(&self) -> BTreeSet<String> {
        self.entries
            .keys()
            .filter(|(_, _, d)| !d.is_empty())
            .map(|(_, _, d)| d.clone())
            .collect()
    }
}
