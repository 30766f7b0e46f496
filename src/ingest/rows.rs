//! Row keys: every record of a ledger has one number that names it, the
//! `row` column of the raw and typed frames and the `row` of each finding.
//!
//! For a CSV, a columnar file or a workbook read from one sheet, the key is
//! the spreadsheet row number a user sees (header = row 1 when it is the
//! first line). A workbook read from several sheets numbers each sheet's
//! rows from 1 again, so the key also carries the sheet: the `k`-th sheet
//! read (from 0) adds `k × SHEET_STRIDE`. The first sheet's keys are its row
//! numbers, so a one-sheet workbook reads exactly as before; messages and
//! tables name a row through [`RowLabels`], never by printing a key.

/// Keys per sheet: above Excel's 1,048,576 rows.
pub const SHEET_STRIDE: i64 = 1 << 21;

/// The key of spreadsheet row `row` of the `sheet`-th sheet read.
pub fn key(sheet: usize, row: i64) -> i64 {
    sheet as i64 * SHEET_STRIDE + row
}

/// The spreadsheet row number a key names, within its sheet.
pub fn row_of(key: i64) -> i64 {
    key.rem_euclid(SHEET_STRIDE)
}

/// The sheets a ledger was read from, in reading order, to name rows by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowLabels {
    /// Names of the sheets read; empty for a file without sheets.
    pub sheets: Vec<String>,
}

impl RowLabels {
    /// Whether rows need their sheet to be told apart (several sheets read).
    pub fn several(&self) -> bool {
        self.sheets.len() > 1
    }

    /// The sheet a key's row is on, when several sheets were read.
    pub fn sheet_of(&self, key: i64) -> Option<&str> {
        if !self.several() {
            return None;
        }
        let k = usize::try_from(key.div_euclid(SHEET_STRIDE)).ok()?;
        self.sheets.get(k).map(String::as_str)
    }

    /// The row number a user sees: within its sheet when several sheets
    /// were read, else the key itself (a CSV has no row limit).
    pub fn row(&self, key: i64) -> i64 {
        if self.several() {
            row_of(key)
        } else {
            key
        }
    }

    /// How a user finds the row: 第5行, or 工作表“2026年”第5行.
    pub fn label(&self, key: i64) -> String {
        match self.sheet_of(key) {
            Some(sheet) => format!("工作表“{sheet}”第{}行", row_of(key)),
            None => format!("第{key}行"),
        }
    }
}

/// A table of cases as a user queries it: when several sheets were read,
/// `row` becomes the row within its sheet and a `sheet` column follows it;
/// otherwise the table is returned as it is.
pub fn sheet_rows(
    mut cases: polars::prelude::DataFrame,
    labels: &RowLabels,
) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    use polars::prelude::*;
    if !labels.several() {
        return Ok(cases);
    }
    let Some(at) = cases.get_column_index(crate::schema::ROW) else {
        return Ok(cases);
    };
    let keys = cases.column(crate::schema::ROW)?.i64()?.clone();
    let sheets: Vec<Option<&str>> = keys
        .iter()
        .map(|k| k.and_then(|k| labels.sheet_of(k)))
        .collect();
    let sheet = Column::new("sheet".into(), sheets);
    let rows = keys.apply_values(row_of).into_column();
    cases.replace(crate::schema::ROW, rows)?;
    cases.insert_column(at + 1, sheet)?;
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sheet_keys_are_row_numbers_and_several_name_their_sheet() {
        assert_eq!(key(0, 7), 7);
        let one = RowLabels {
            sheets: vec!["台账".into()],
        };
        assert_eq!(one.label(7), "第7行");
        assert_eq!(one.sheet_of(7), None);
        let two = RowLabels {
            sheets: vec!["2025年".into(), "2026年".into()],
        };
        let k = key(1, 5);
        assert_eq!(row_of(k), 5);
        assert_eq!(two.sheet_of(k), Some("2026年"));
        assert_eq!(two.label(k), "工作表“2026年”第5行");
        assert_eq!(two.label(key(0, 1_048_576)), "工作表“2025年”第1048576行");
        assert_eq!(RowLabels::default().label(3), "第3行");
        // a CSV beyond Excel's rows keeps its row numbers
        assert_eq!(RowLabels::default().label(2_100_000), "第2100000行");
        assert_eq!(one.row(2_100_000), 2_100_000);
        assert_eq!(two.row(k), 5);
    }
}
