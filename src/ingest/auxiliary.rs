//! Optional files: the enforcement volume (执法量) and the officer roster (人员名册).

use std::path::Path;

use polars::prelude::*;

use super::read::{raw_col, read_raw, RawTable, ReadOptions};
use super::values::{self, fold};
use super::IngestError;
use crate::analysis::hotspots::Volume;
use crate::analysis::period::Quarter;
use crate::schema::{roster, volume, ROW};

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
    let rows = raw
        .frame
        .column(ROW)
        .and_then(|c| c.i64().cloned())
        .map_err(|e| IngestError::container("执法量", e))?;
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for idx in 0..raw.frame.height() {
        let row = rows.get(idx).unwrap_or(0);
        let unit = cell(&raw, cols[0], idx);
        let domain = cell(&raw, cols[1], idx).unwrap_or_default();
        let quarter_text = cell(&raw, cols[2], idx).unwrap_or_default();
        let actions_text = cell(&raw, cols[3], idx).unwrap_or_default();
        let quarter = Quarter::parse(&quarter_text);
        let actions = values::parse_int(&actions_text)
            .ok()
            .flatten()
            .filter(|a| *a >= 0);
        match (unit, quarter, actions) {
            (Some(u), Some(q), Some(a)) => entries.push((q, u, domain, a as f64)),
            (None, _, _) => problems.push(format!("第{row}行“执法单位”为空")),
            (_, None, _) => problems.push(format!(
                "第{row}行“季度”的“{}”无法识别（可用：2025Q2、2025年第二季度）",
                super::preview(&quarter_text)
            )),
            (_, _, None) => problems.push(format!(
                "第{row}行“执法量”的“{}”不是非负整数",
                super::preview(&actions_text)
            )),
        }
    }
    if !problems.is_empty() {
        let more = problems.len().saturating_sub(20);
        let mut text = problems.into_iter().take(20).collect::<Vec<_>>().join("；");
        if more > 0 {
            text.push_str(&format!("；另有 {more} 处"));
        }
        return Err(IngestError::InFile {
            path: path.to_path_buf(),
            inner: Box::new(IngestError::Container {
                format: "执法量",
                message: format!("{text}。请改正后重试"),
            }),
        });
    }
    Ok(Volume::new(entries))
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
