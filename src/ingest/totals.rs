//! Totals and subtotals rows (合计/总计/小计/共计) that a hand-kept ledger
//! adds under its cases: recognised, taken out before any checking and
//! reported as skipped, like blank rows; never rejected as a bad case.
//!
//! A record is a totals row when its first non-empty cell is one of the
//! words (alone, or followed by a colon, a bracket or a count such as
//! "合计：20件"), its case-id cell holds no case id (empty, that same cell,
//! or a count), and every other non-empty cell is a number or a count
//! ("20", "20件", "1,204", "35.5%").

use polars::prelude::*;

use super::error::IngestError;
use super::raw::{raw_col, RawTable};
use super::values::fold;
use crate::schema::ROW;

const WORDS: &[&str] = &["合计", "总计", "小计", "共计"];

/// A skipped totals row: its row key and the text it starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalsRow {
    pub row: i64,
    pub text: String,
}

fn squeeze(s: &str) -> String {
    fold(s).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether a cell is a number or a count: digits with separators, an
/// optional sign and an optional unit of count or percent sign.
fn is_count(cell: &str) -> bool {
    let s = squeeze(cell);
    let body = s.trim_end_matches([
        '件', '人', '个', '项', '起', '次', '条', '家', '户', '%', '个',
    ]);
    let body = body.strip_prefix(['-', '+']).unwrap_or(body);
    !body.is_empty()
        && body.chars().any(|c| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
}

/// Whether the first non-empty cell reads as a totals label.
pub(crate) fn is_totals_label(cell: &str) -> bool {
    // most cells are case ids: settled by their first character, unallocated
    if !cell
        .trim_start()
        .starts_with(|c: char| WORDS.iter().any(|w| w.starts_with(c)))
    {
        return false;
    }
    let s = squeeze(cell);
    WORDS.iter().any(|w| {
        s.strip_prefix(w).is_some_and(|rest| {
            let rest = rest.trim_start_matches([':', '：']);
            rest.is_empty() || rest.starts_with(['(', '（', '[', '【']) || is_count(rest)
        })
    })
}

/// Take the totals rows out of `table`, returning them in row order.
/// `case_id_column` is the input column of the case id, when mapped.
pub fn take_totals_rows(
    table: &mut RawTable,
    case_id_column: Option<usize>,
) -> Result<Vec<TotalsRow>, IngestError> {
    let err = |e: PolarsError| IngestError::container("校验", e);
    let width = table.headers.len();
    let columns: Vec<StringChunked> = (0..width)
        .filter_map(|j| table.frame.column(&raw_col(j)).ok())
        .map(|c| c.str().cloned())
        .collect::<PolarsResult<_>>()
        .map_err(err)?;
    // (row index, column) of each row whose first non-empty cell is a
    // totals label. Most rows are settled by their first column, read once.
    let mut labelled: Vec<(usize, usize)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    if let Some(column) = columns.first() {
        for (i, cell) in column.iter().enumerate() {
            match cell {
                Some(cell) if !cell.trim().is_empty() => {
                    if is_totals_label(cell) {
                        labelled.push((i, 0));
                    }
                }
                _ => open.push(i),
            }
        }
    }
    for (j, column) in columns.iter().enumerate().skip(1) {
        if open.is_empty() {
            break;
        }
        open.retain(|&i| match column.get(i) {
            Some(cell) if !cell.trim().is_empty() => {
                if is_totals_label(cell) {
                    labelled.push((i, j));
                }
                false
            }
            _ => true,
        });
    }
    labelled.sort_unstable();
    let height = table.frame.height();
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (i, j) in labelled {
        let case_id_ok = match case_id_column {
            Some(c) if c != j => columns
                .get(c)
                .and_then(|col| col.get(i))
                .is_none_or(|id| id.trim().is_empty() || is_count(id)),
            _ => true,
        };
        let rest_are_counts = columns
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != j)
            .filter_map(|(_, col)| col.get(i))
            .filter(|cell| !cell.trim().is_empty())
            .all(is_count);
        if case_id_ok && rest_are_counts {
            found.push((i, j));
        }
    }
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let rows = table.frame.column(ROW).and_then(|c| c.i64()).map_err(err)?;
    let totals: Vec<TotalsRow> = found
        .iter()
        .map(|&(i, j)| TotalsRow {
            row: rows.get(i).unwrap_or(0),
            text: columns[j].get(i).unwrap_or("").trim().to_string(),
        })
        .collect();
    let mut keep = vec![true; height];
    for (i, _) in found {
        keep[i] = false;
    }
    // a totals row's own field count says nothing about a case
    table
        .ragged
        .retain(|r| !totals.iter().any(|t| t.row == r.row));
    let mask = BooleanChunked::from_iter_values("keep".into(), keep.into_iter());
    table.frame = table.frame.filter(&mask).map_err(err)?;
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_counts() {
        for label in [
            "合计",
            " 合 计 ",
            "总计：",
            "小计（件）",
            "共计:20件",
            "合计 20",
        ] {
            assert!(is_totals_label(label), "{label}");
        }
        for label in ["合计执法单位", "合同纠纷", "JC2025-001", "总计划"] {
            assert!(!is_totals_label(label), "{label}");
        }
        for count in ["20", "20件", "1,204", "35.5%", "３件", "-3"] {
            assert!(is_count(count), "{count}");
        }
        for text in ["东城街道", "2025-03-01", "件", "", "JC1"] {
            assert!(!is_count(text), "{text}");
        }
    }

    fn table(rows: &[&[&str]]) -> RawTable {
        let width = rows[0].len();
        let mut columns: Vec<Column> = (0..width)
            .map(|j| {
                let v: Vec<Option<&str>> = rows
                    .iter()
                    .map(|r| Some(r[j]).filter(|s| !s.is_empty()))
                    .collect();
                Column::new(raw_col(j).into(), v)
            })
            .collect();
        let keys: Vec<i64> = (2..2 + rows.len() as i64).collect();
        columns.push(Column::new(ROW.into(), keys));
        let frame = DataFrame::new_infer_height(columns).unwrap();
        let headers = (0..width).map(|j| format!("h{j}")).collect();
        super::super::raw::drop_blank_records(headers, frame).unwrap()
    }

    #[test]
    fn totals_rows_are_taken_out_and_cases_stay() {
        let mut t = table(&[
            &["JC1", "东城街道", "2025-03-01"],
            &["合计", "20件", ""],
            &["", "小计", "3"],
            // a case id beside the label: a case, whatever else it holds
            &["JC2", "合计", "3"],
            // a label with text beside it: not a totals row
            &["合计", "东城街道", ""],
        ]);
        let totals = take_totals_rows(&mut t, Some(0)).unwrap();
        assert_eq!(
            totals,
            vec![
                TotalsRow {
                    row: 3,
                    text: "合计".into()
                },
                TotalsRow {
                    row: 4,
                    text: "小计".into()
                }
            ]
        );
        let rows: Vec<i64> = t
            .frame
            .column(ROW)
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(rows, vec![2, 5, 6]);
    }
}
