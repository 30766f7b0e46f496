//! Several sheets of one workbook as one table: the sheets may order their
//! columns differently or name a field by different headers, so each
//! sheet's columns are laid out in one shared order (a field's column where
//! the first sheet naming it has it; other columns by header text, new ones
//! at the end), and each sheet's rows get keys of their own sheet
//! ([`super::rows`]).

use polars::prelude::*;

use super::error::IngestError;
use super::mapping::HeaderMap;
use super::raw::{raw_col, RawTable};
use super::rows;
use crate::schema::{FIELDS, ROW};

/// The sheets' tables in one column layout, with the header map of that
/// layout. The first sheet's rows keep their row numbers as keys.
pub fn one_layout(
    sheets: Vec<(String, RawTable, HeaderMap)>,
) -> Result<(RawTable, HeaderMap, Vec<RawTable>), IngestError> {
    let mut headers: Vec<String> = Vec::new();
    let mut field_columns: Vec<Option<usize>> = vec![None; FIELDS.len()];
    // per sheet: its input column i → the shared column
    let mut placements: Vec<Vec<usize>> = Vec::with_capacity(sheets.len());
    for (_, table, map) in &sheets {
        let mut used = vec![false; headers.len()];
        let mut place = Vec::with_capacity(table.headers.len());
        for (i, header) in table.headers.iter().enumerate() {
            let field = map.columns.iter().position(|c| *c == Some(i));
            let target = match field {
                Some(k) => field_columns[k],
                None => (0..headers.len()).find(|&u| {
                    !used[u] && !field_columns.contains(&Some(u)) && headers[u] == *header
                }),
            };
            let u = target.unwrap_or_else(|| {
                headers.push(header.clone());
                used.push(false);
                headers.len() - 1
            });
            if let Some(k) = field {
                field_columns[k] = Some(u);
            }
            used[u] = true;
            place.push(u);
        }
        placements.push(place);
    }
    let unmapped = (0..headers.len())
        .filter(|u| !field_columns.contains(&Some(*u)))
        .collect();
    let map = HeaderMap {
        columns: field_columns,
        unmapped,
    };
    let mut tables = Vec::with_capacity(sheets.len());
    for (k, ((_, table, _), place)) in sheets.into_iter().zip(placements).enumerate() {
        tables.push(relaid(table, &place, &headers, k)?);
    }
    let first = tables.first().cloned().ok_or(IngestError::Empty)?;
    Ok((first, map, tables))
}

/// One sheet's table in the shared layout, its rows keyed by sheet `k`.
fn relaid(
    table: RawTable,
    place: &[usize],
    headers: &[String],
    k: usize,
) -> Result<RawTable, IngestError> {
    let err = |e: PolarsError| IngestError::container("XLSX", e);
    let height = table.frame.height();
    let mut columns = Vec::with_capacity(headers.len() + 1);
    for u in 0..headers.len() {
        let column = match place.iter().position(|p| *p == u) {
            Some(i) => table
                .frame
                .column(&raw_col(i))
                .map_err(err)?
                .clone()
                .with_name(raw_col(u).into()),
            None => Column::full_null(raw_col(u).into(), height, &DataType::String),
        };
        columns.push(column);
    }
    let keys: Int64Chunked = table
        .frame
        .column(ROW)
        .and_then(|c| c.i64())
        .map_err(err)?
        .apply_values(|row| rows::key(k, row));
    columns.push(keys.with_name(ROW.into()).into_column());
    let frame = DataFrame::new(height, columns).map_err(err)?;
    let blank_rows = table.blank_rows.iter().map(|r| rows::key(k, *r)).collect();
    Ok(RawTable {
        headers: headers.to_vec(),
        frame,
        blank_rows,
        header_row: rows::key(k, table.header_row),
        merged: Vec::new(),
        ..table
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::ingest::mapping::map_headers;

    fn sheet(headers: &[&str], cells: &[&[&str]], first_row: i64) -> (String, RawTable, HeaderMap) {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let mut columns: Vec<Column> = (0..headers.len())
            .map(|j| {
                let v: Vec<Option<&str>> = cells.iter().map(|r| Some(r[j])).collect();
                Column::new(raw_col(j).into(), v)
            })
            .collect();
        let keys: Vec<i64> = (first_row..first_row + cells.len() as i64).collect();
        columns.push(Column::new(ROW.into(), keys));
        let frame = DataFrame::new_infer_height(columns).unwrap();
        let table = crate::ingest::raw::drop_blank_records(headers.clone(), frame).unwrap();
        let map = map_headers(&headers, &Config::default()).unwrap();
        ("s".into(), table, map)
    }

    #[test]
    fn sheets_in_other_orders_and_names_share_one_layout() {
        let a = sheet(
            &[
                "案件编号",
                "执法单位",
                "执法领域",
                "执法事项类别",
                "问题类型",
                "立案日期",
                "备注",
            ],
            &[&[
                "A1",
                "东城",
                "城管",
                "行政处罚",
                "文书瑕疵",
                "2025-03-01",
                "x",
            ]],
            2,
        );
        // columns moved, two named by synonyms, an extra column of its own
        let b = sheet(
            &[
                "备注",
                "立案时间",
                "案号",
                "执法单位",
                "执法领域",
                "执法事项类别",
                "问题类型",
                "附件",
            ],
            &[&[
                "y",
                "2026-01-05",
                "B1",
                "西城",
                "市场监管",
                "行政检查",
                "超期办理",
                "z",
            ]],
            3,
        );
        let (_, map, tables) = one_layout(vec![a, b]).unwrap();
        let first = &tables[0];
        assert_eq!(
            first.headers[..7],
            [
                "案件编号",
                "执法单位",
                "执法领域",
                "执法事项类别",
                "问题类型",
                "立案日期",
                "备注"
            ]
        );
        assert_eq!(first.headers[7], "附件");
        assert_eq!(map.column_of("case_id"), Some(0));
        assert_eq!(map.column_of("filed_on"), Some(5));
        assert_eq!(map.unmapped, vec![6, 7]);
        let second = &tables[1];
        let cell = |t: &RawTable, u: usize| {
            t.frame
                .column(&raw_col(u))
                .unwrap()
                .str()
                .unwrap()
                .get(0)
                .map(String::from)
        };
        assert_eq!(cell(second, 0).as_deref(), Some("B1"));
        assert_eq!(cell(second, 5).as_deref(), Some("2026-01-05"));
        assert_eq!(cell(second, 6).as_deref(), Some("y"));
        assert_eq!(cell(second, 7).as_deref(), Some("z"));
        assert_eq!(cell(first, 7), None);
        let key = second
            .frame
            .column(ROW)
            .unwrap()
            .i64()
            .unwrap()
            .get(0)
            .unwrap();
        assert_eq!((rows::row_of(key), key / rows::SHEET_STRIDE), (3, 1));
    }
}
