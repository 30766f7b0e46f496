//! The office's own workbooks as they are kept by hand: merged cells,
//! several sheets, other header names, totals rows, dates in every form a
//! workbook stores them. Each fixture is built here; the expected
//! accounting is worked out from how it was built.

use std::io::{Read, Write};

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::util::{csv_records, Fixture, Grid, Run};

trait Query {
    /// `jiucuo query FILE q.sql --format csv`, expected to succeed.
    fn query(&self, file: &str, sql: &str) -> Run;
}

impl Query for Fixture {
    fn query(&self, file: &str, sql: &str) -> Run {
        let name = format!("q-{}.sql", file.replace('.', "-"));
        self.write(&name, sql);
        self.jiucuo([
            "query",
            file,
            &name,
            "--as-of",
            "2026-11-30",
            "--format",
            "csv",
        ])
        .ok()
    }
}

const HEADERS: &[&str] = &[
    "案件编号",
    "执法单位",
    "执法领域",
    "执法事项类别",
    "问题类型",
    "立案日期",
    "涉及人员",
];

/// Twenty clean cases, grouped by unit as a hand-kept ledger is: 东城街道
/// rows 2–7, 西城街道 rows 8–13, 区城市管理局 rows 14–21 (spreadsheet rows,
/// header = 1). Cases 1–10 were filed in 2025, 11–20 in 2026.
fn twenty() -> Grid {
    let rows: Vec<Vec<String>> = (1..=20)
        .map(|i| {
            let (unit, domain) = match i {
                1..=6 => ("东城街道", "城市管理"),
                7..=12 => ("西城街道", "市场监管"),
                _ => ("区城市管理局", "城市管理"),
            };
            let filed = if i <= 10 {
                format!("2025-04-{i:02}")
            } else {
                format!("2026-02-{:02}", i - 10)
            };
            vec![
                format!("JC-{i:03}"),
                unit.to_string(),
                domain.to_string(),
                "行政处罚".to_string(),
                "文书瑕疵".to_string(),
                filed,
                format!("3701{i:04}"),
            ]
        })
        .collect();
    Grid {
        headers: HEADERS.iter().map(|s| s.to_string()).collect(),
        rows,
    }
}

/// Write `headers` and `rows` as text cells from sheet row `top` (0-based).
fn write_grid(ws: &mut Worksheet, top: u32, headers: &[String], rows: &[Vec<String>]) {
    for (j, h) in headers.iter().enumerate() {
        ws.write_string(top, j as u16, h).unwrap();
    }
    for (i, row) in rows.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(top + 1 + i as u32, j as u16, v).unwrap();
            }
        }
    }
}

fn one_sheet(grid: &Grid) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("台账").unwrap();
    write_grid(ws, 0, &grid.headers, &grid.rows);
    wb.save_to_buffer().unwrap()
}

/// The grid with every run of equal values in `columns` merged (as a clerk
/// merges a unit's name over its rows); the runs, as (column, first row,
/// last row) in 0-based sheet coordinates.
fn merged(grid: &Grid, columns: &[usize]) -> (Vec<u8>, Vec<(usize, u32, u32)>) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("台账").unwrap();
    write_grid(ws, 0, &grid.headers, &grid.rows);
    let mut runs = Vec::new();
    let plain = Format::new();
    for &j in columns {
        let mut start = 0;
        while start < grid.rows.len() {
            let value = &grid.rows[start][j];
            let len = grid.rows[start..]
                .iter()
                .take_while(|r| &r[j] == value)
                .count();
            if len > 1 {
                let (r0, r1) = (start as u32 + 1, (start + len) as u32);
                ws.merge_range(r0, j as u16, r1, j as u16, value, &plain)
                    .unwrap();
                runs.push((j, r0, r1));
            }
            start += len;
        }
    }
    (wb.save_to_buffer().unwrap(), runs)
}

/// The grid split over two sheets at `at` (rows before it on the first),
/// after a notes sheet that is not a ledger.
fn two_sheets(grid: &Grid, names: (&str, &str), at: usize) -> Vec<u8> {
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("填表说明").unwrap();
    notes.write_string(0, 0, "本台账按年度分表").unwrap();
    notes.write_string(1, 0, "日期请填写为 2025-03-01").unwrap();
    let first = wb.add_worksheet();
    first.set_name(names.0).unwrap();
    write_grid(first, 0, &grid.headers, &grid.rows[..at]);
    let second = wb.add_worksheet();
    second.set_name(names.1).unwrap();
    write_grid(second, 0, &grid.headers, &grid.rows[at..]);
    wb.save_to_buffer().unwrap()
}

// -------------------------------------------------------------------------------------------
// Merged cells
// -------------------------------------------------------------------------------------------

#[test]
fn merged_unit_and_domain_cells_fill_every_row_of_their_region() {
    let fx = Fixture::new();
    let grid = twenty();
    // 执法单位 (column 1) and 执法领域 (column 2) merged per unit: 6 + 6 + 8
    // rows for units; domains 城市管理 6, 市场监管 6, 城市管理 8.
    let (bytes, runs) = merged(&grid, &[1, 2]);
    assert_eq!(runs.len(), 6, "{runs:?}");
    fx.write("merged.xlsx", bytes);
    fx.write("plain.csv", grid.csv("\n"));
    let m = fx
        .jiucuo(["validate", "merged.xlsx", "--format", "json"])
        .ok();
    // Nothing is wrong with any row: all 20 analysed.
    assert_eq!(m.accounting(), (20, 20, 0));
    let findings = m.findings();
    // One warning per region, on its first row: rows 2, 8, 14 for both columns.
    let mut got: Vec<(i64, String, String)> = findings
        .iter()
        .map(|f| (f.row, f.column.clone(), f.code.clone()))
        .collect();
    got.sort();
    let mut want = Vec::new();
    for row in [2, 8, 14] {
        for column in ["执法单位", "执法领域"] {
            want.push((row, column.to_string(), "merged-cell-filled".to_string()));
        }
    }
    want.sort();
    assert_eq!(got, want);
    assert!(findings.iter().all(|f| f.severity == "warning"));
    let unit_rows_8 = findings
        .iter()
        .find(|f| f.row == 14 && f.column == "执法单位")
        .unwrap();
    // rows 15–21 filled: 7 cells
    assert!(
        unit_rows_8.message.contains("第14–21行")
            && unit_rows_8.message.contains("第15–21行")
            && unit_rows_8.message.contains("共7格")
            && unit_rows_8.message.contains("区城市管理局"),
        "{}",
        unit_rows_8.message
    );
    assert_eq!(unit_rows_8.case_id.as_deref(), Some("JC-013"));

    // The analysed cases are those of the same ledger kept without merges.
    let from_csv = fx.query(
        "plain.csv",
        "SELECT case_id, unit, domain FROM cases ORDER BY case_id",
    );
    let from_merged = fx.query(
        "merged.xlsx",
        "SELECT case_id, unit, domain FROM cases ORDER BY case_id",
    );
    assert_eq!(from_merged.stdout, from_csv.stdout);
    let (_, records) = csv_records(&from_csv.stdout_text());
    assert_eq!(records.len(), 20);
}

#[test]
fn a_merged_title_above_the_header_is_a_title_not_data() {
    let fx = Fixture::new();
    let grid = twenty();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 6, "2025—2026年执法监督案件台账", &Format::new())
        .unwrap();
    write_grid(ws, 1, &grid.headers, &grid.rows);
    fx.write("titled.xlsx", wb.save_to_buffer().unwrap());
    let run = fx
        .jiucuo(["validate", "titled.xlsx", "--format", "json"])
        .ok();
    assert_eq!(run.accounting(), (20, 20, 0));
    assert!(run.findings().is_empty(), "{:?}", run.findings());
    assert!(
        run.stderr.contains("2025—2026年执法监督案件台账"),
        "{}",
        run.stderr
    );
}

// -------------------------------------------------------------------------------------------
// Several sheets
// -------------------------------------------------------------------------------------------

#[test]
fn every_ledger_sheet_is_read_and_rows_name_their_sheet() {
    let fx = Fixture::new();
    let mut grid = twenty();
    // On the 2026 sheet (cases 11–20 on sheet rows 2–11): case 12 (row 3)
    // has a date that does not exist; case 14 (row 5) repeats case 1's id.
    let filed = grid.column("立案日期");
    grid.rows[11][filed] = "2026-02-30".into();
    grid.rows[13][0] = "JC-001".into();
    fx.write("book.xlsx", two_sheets(&grid, ("2025年", "2026年"), 10));
    let run = fx.jiucuo(["validate", "book.xlsx", "--format", "json"]);
    // 10 + 10 read; two rejected.
    assert_eq!(run.accounting(), (20, 18, 2));
    assert!(
        run.stderr
            .contains("读取了 2 张工作表：“2025年”10行、“2026年”10行"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("未读取的工作表：“填表说明”"),
        "{}",
        run.stderr
    );
    let findings = run.findings();
    let errors: Vec<(Option<&str>, i64, &str)> = findings
        .iter()
        .filter(|f| f.severity == "error")
        .map(|f| (f.sheet.as_deref(), f.row, f.code.as_str()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (Some("2026年"), 3, "date-invalid"),
            (Some("2026年"), 5, "duplicate-case")
        ]
    );
    let dup = findings
        .iter()
        .find(|f| f.code == "duplicate-case")
        .unwrap();
    assert!(
        dup.message.contains("工作表“2025年”第2行"),
        "{}",
        dup.message
    );
    let kept = findings
        .iter()
        .find(|f| f.code == "duplicate-kept")
        .unwrap();
    assert_eq!((kept.sheet.as_deref(), kept.row), (Some("2025年"), 2));
    assert!(
        kept.message.contains("工作表“2026年”第5行"),
        "{}",
        kept.message
    );

    // The rejects file names each row's sheet.
    fx.jiucuo(["validate", "book.xlsx", "--rejects", "rejects.xlsx"]);
    let cells = crate::util::xlsx_cells(&fx.path("rejects.xlsx"));
    let reasons: Vec<&String> = cells.iter().skip(1).map(|r| r.last().unwrap()).collect();
    assert_eq!(reasons.len(), 2);
    assert!(
        reasons[0].starts_with("原工作表“2026年”第3行"),
        "{}",
        reasons[0]
    );
    assert!(
        reasons[1].starts_with("原工作表“2026年”第5行"),
        "{}",
        reasons[1]
    );

    // Queried, each case says its sheet and its row there.
    let q = fx.query(
        "book.xlsx",
        "SELECT case_id, sheet, row FROM cases WHERE case_id IN ('JC-002', 'JC-013') ORDER BY case_id",
    );
    let (_, records) = csv_records(&q.stdout_text());
    assert_eq!(
        records,
        vec![
            vec!["JC-002".to_string(), "2025年".into(), "3".into()],
            vec!["JC-013".to_string(), "2026年".into(), "4".into()],
        ]
    );

    // --sheet reads one sheet, its rows numbered plainly.
    let one = fx
        .jiucuo([
            "validate",
            "book.xlsx",
            "--sheet",
            "2026年",
            "--format",
            "json",
        ])
        .ok();
    assert_eq!(one.accounting(), (10, 9, 1));
    let f = one.findings();
    assert!(f.iter().all(|f| f.sheet.is_none()));
    assert_eq!(f[0].row, 3);
}

#[test]
fn sheets_with_columns_in_another_order_or_name_read_alike() {
    let fx = Fixture::new();
    let grid = twenty();
    // the 2026 sheet: columns reversed, case id and filing date by other names
    let mut later = Grid {
        headers: grid.headers.iter().rev().cloned().collect(),
        rows: grid.rows[10..]
            .iter()
            .map(|r| r.iter().rev().cloned().collect())
            .collect(),
    };
    later.rename("案件编号", "案号");
    later.rename("立案日期", "立案时间");
    let mut wb = Workbook::new();
    let a = wb.add_worksheet();
    a.set_name("2025年").unwrap();
    write_grid(a, 0, &grid.headers, &grid.rows[..10]);
    let b = wb.add_worksheet();
    b.set_name("2026年").unwrap();
    write_grid(b, 0, &later.headers, &later.rows);
    fx.write("mixed.xlsx", wb.save_to_buffer().unwrap());
    fx.write("plain.csv", grid.csv("\n"));
    let sql = "SELECT case_id, unit, domain, matter_type, error_type, filed_on FROM cases ORDER BY case_id";
    let csv = fx.query("plain.csv", sql);
    let xlsx = fx.query("mixed.xlsx", sql);
    assert_eq!(xlsx.accounting(), (20, 20, 0));
    assert_eq!(xlsx.stdout_text(), csv.stdout_text());
}

#[test]
fn a_workbook_without_a_ledger_sheet_lists_what_it_looked_at() {
    let fx = Fixture::new();
    let mut wb = Workbook::new();
    let a = wb.add_worksheet();
    a.set_name("封面").unwrap();
    a.write_string(0, 0, "2026年台账").unwrap();
    let b = wb.add_worksheet();
    b.set_name("统计").unwrap();
    b.write_string(0, 0, "单位").unwrap();
    b.write_string(0, 1, "件数").unwrap();
    fx.write("none.xlsx", wb.save_to_buffer().unwrap());
    let run = fx.jiucuo(["validate", "none.xlsx"]).expect_code(2);
    assert!(
        run.stderr.contains("没有一张工作表的表头与案件台账相符"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("“封面”") && run.stderr.contains("“统计”"),
        "{}",
        run.stderr
    );
}

// -------------------------------------------------------------------------------------------
// Header variants
// -------------------------------------------------------------------------------------------

#[test]
fn common_header_variants_read_and_init_from_maps_the_rest() {
    let fx = Fixture::new();
    let mut grid = twenty();
    grid.rename("案件编号", "案号");
    grid.rename("执法单位", "被监督单位");
    grid.rename("立案日期", "立案时间");
    fx.write("variants.xlsx", one_sheet(&grid));
    let run = fx
        .jiucuo(["validate", "variants.xlsx", "--format", "json"])
        .ok();
    assert_eq!(run.accounting(), (20, 20, 0));

    // A header no table knows: the error names the headers of the row with
    // the nearest known name, and init --from writes a mapping to confirm.
    let mut odd = twenty();
    odd.rename("执法领域", "执法领域分类");
    odd.rename("问题类型", "问题所属类型");
    odd.headers.insert(0, "序号".into());
    for (i, r) in odd.rows.iter_mut().enumerate() {
        r.insert(0, (i + 1).to_string());
    }
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "区行政执法监督案件登记表").unwrap();
    write_grid(ws, 2, &odd.headers, &odd.rows);
    fx.write("odd.xlsx", wb.save_to_buffer().unwrap());
    let err = fx.jiucuo(["validate", "odd.xlsx"]).expect_code(2);
    assert!(
        err.stderr.contains("缺少必填列“执法领域”"),
        "{}",
        err.stderr
    );
    assert!(
        err.stderr.contains("缺少必填列“问题类型”"),
        "{}",
        err.stderr
    );
    // the header row (sheet row 3) was found though two names are unknown
    assert!(
        err.stderr
            .contains("表中第3行现有列：序号（无相近的标准列）、案件编号、"),
        "{}",
        err.stderr
    );
    assert!(
        err.stderr.contains("执法领域分类（最接近“执法领域”）"),
        "{}",
        err.stderr
    );

    fx.jiucuo(["init", "--from", "odd.xlsx", "--out", "odd.toml"])
        .ok();
    let toml = String::from_utf8(fx.read("odd.toml")).unwrap();
    assert!(
        toml.contains(
            "domain = [\"执法领域分类\"]  # 必填；未找到“执法领域”，按名称相近推测，请核对"
        ),
        "{toml}"
    );
    assert!(
        toml.contains("error_type = [\"问题所属类型\"]  # 必填；未找到“问题类型”"),
        "{toml}"
    );
    assert!(
        toml.contains("case_id = [\"案件编号\"]  # 必填\n"),
        "{toml}"
    );
    assert!(toml.contains("“序号”"), "{toml}");
    // the rest of the default configuration is there
    assert!(
        toml.contains("[pilot]") && toml.contains("[calendar]"),
        "{toml}"
    );
    let run = fx
        .jiucuo([
            "validate", "odd.xlsx", "--config", "odd.toml", "--format", "json",
        ])
        .ok();
    assert_eq!(run.accounting(), (20, 20, 0));

    fx.jiucuo(["init", "--from", "variants.xlsx", "--out", "v.toml"])
        .ok();
    let toml = String::from_utf8(fx.read("v.toml")).unwrap();
    assert!(
        toml.contains("case_id = [\"案号\"]  # 必填；按常见别名推测为“案件编号”，请核对"),
        "{toml}"
    );
    assert!(
        toml.contains("unit_kind = [\"单位类型\"]  # 选填；本表中无此列"),
        "{toml}"
    );
    // a mapping made from one named sheet keeps reading that sheet
    fx.jiucuo([
        "init", "--from", "odd.xlsx", "--sheet", "Sheet1", "--out", "one.toml",
    ])
    .ok();
    let toml = String::from_utf8(fx.read("one.toml")).unwrap();
    assert!(toml.contains("\nsheet = \"Sheet1\"\n"), "{toml}");
    // an existing file is kept unless --force
    let again = fx
        .jiucuo(["init", "--from", "variants.xlsx", "--out", "v.toml"])
        .expect_code(2);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
}

// -------------------------------------------------------------------------------------------
// Totals rows
// -------------------------------------------------------------------------------------------

#[test]
fn a_totals_row_is_skipped_and_reported_not_rejected() {
    let fx = Fixture::new();
    let mut grid = twenty();
    let mut total = vec![String::new(); grid.headers.len()];
    total[0] = "合计".into();
    total[1] = "20件".into();
    grid.rows.push(total);
    fx.write("totals.xlsx", one_sheet(&grid));
    fx.write("totals.csv", grid.csv("\n"));
    // as often typed: the label merged over four columns, the count beside it
    let plain = twenty();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_grid(ws, 0, &plain.headers, &plain.rows);
    ws.merge_range(21, 0, 21, 3, "合计", &Format::new())
        .unwrap();
    ws.write_string(21, 4, "20件").unwrap();
    fx.write("merged-total.xlsx", wb.save_to_buffer().unwrap());
    // and in a CSV with only the two fields (a short record)
    fx.write("short.csv", format!("{}合计,20件\n", plain.csv("\n")));
    for file in [
        "totals.xlsx",
        "totals.csv",
        "merged-total.xlsx",
        "short.csv",
    ] {
        let run = fx.jiucuo(["validate", file, "--format", "json"]).ok();
        assert_eq!(run.accounting(), (20, 20, 0), "{file}");
        assert!(run.findings().is_empty(), "{file}: {:?}", run.findings());
        assert!(
            run.stderr.contains("跳过合计/小计行 1 行（第22行“合计”）"),
            "{file}: {}",
            run.stderr
        );
    }
}

// -------------------------------------------------------------------------------------------
// Dates
// -------------------------------------------------------------------------------------------

/// A workbook whose 立案日期 cells hold 2025-03-01 (serial 45717 counted
/// from 1900; 44255 from 1904) in every way a workbook stores a date.
fn dates_book(serial: f64) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (j, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, j as u16, *h).unwrap();
    }
    let formats = [
        "yyyy\"年\"m\"月\"d\"日\"",
        "m/d/yyyy",
        "yyyy.mm.dd",
        "[$-804]yyyy年m月d日",
        "dd-mmm-yy",
        "yyyy-mm-dd hh:mm",
    ];
    let mut row = 1u32;
    let mut put = |ws: &mut Worksheet, write: &dyn Fn(&mut Worksheet, u32)| {
        ws.write_string(row, 0, format!("D{row:02}")).unwrap();
        ws.write_string(row, 1, "东城街道").unwrap();
        ws.write_string(row, 2, "城市管理").unwrap();
        ws.write_string(row, 3, "行政处罚").unwrap();
        ws.write_string(row, 4, "文书瑕疵").unwrap();
        write(ws, row);
        row += 1;
    };
    for f in formats {
        let format = Format::new().set_num_format(f);
        put(ws, &|ws, r| {
            ws.write_number_with_format(r, 5, serial, &format).unwrap();
        });
    }
    // a date-time with a time of day: the day counts
    let with_time = Format::new().set_num_format("yyyy/m/d h:mm");
    put(ws, &|ws, r| {
        ws.write_number_with_format(r, 5, serial + 0.6, &with_time)
            .unwrap();
    });
    // the serial as a General number and as text
    put(ws, &|ws, r| {
        ws.write_number(r, 5, serial).unwrap();
    });
    put(ws, &|ws, r| {
        ws.write_string(r, 5, format!("{serial}")).unwrap();
    });
    for text in [
        "2025年3月1日",
        "2025.3.1",
        "20250301",
        "2025/3/1",
        "2025-03-01",
    ] {
        put(ws, &|ws, r| {
            ws.write_string(r, 5, text).unwrap();
        });
    }
    wb.save_to_buffer().unwrap()
}

/// The same workbook marked as counting days from 1904 (as old Mac Excel
/// saves): `<workbookPr date1904="1"/>` in xl/workbook.xml.
fn as_1904(bytes: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        if name == "xl/workbook.xml" {
            let text = String::from_utf8(data).unwrap();
            assert!(text.contains("<workbookPr"), "{text}");
            data = text
                .replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
                .into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn filed_dates(fx: &Fixture, file: &str) -> Vec<String> {
    let run = fx.query(file, "SELECT case_id, filed_on FROM cases ORDER BY case_id");
    assert_eq!(run.accounting(), (14, 14, 0), "{file}: {}", run.stderr);
    let (_, records) = csv_records(&run.stdout_text());
    records.into_iter().map(|r| r[1].clone()).collect()
}

#[test]
fn dates_read_in_every_form_a_workbook_stores_them_also_counted_from_1904() {
    let fx = Fixture::new();
    let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap().to_string();
    fx.write("dates.xlsx", dates_book(45717.0));
    let got = filed_dates(&fx, "dates.xlsx");
    assert_eq!(got, vec![day.clone(); 14]);
    // 1904 system: 2025-03-01 is day 44255 (1,462 days fewer); the text
    // dates are the same words.
    fx.write("mac.xlsx", as_1904(&dates_book(44255.0)));
    let got = filed_dates(&fx, "mac.xlsx");
    assert_eq!(got, vec![day; 14]);
}

// -------------------------------------------------------------------------------------------
// One ledger, four ways of keeping it: the same analysis
// -------------------------------------------------------------------------------------------

#[test]
fn the_same_ledger_as_csv_one_sheet_merged_and_two_sheets_analyses_alike() {
    let fx = Fixture::new();
    fx.jiucuo(["generate", "--rows", "400", "--seed", "11", "--out", "gen"])
        .ok();
    let text = String::from_utf8(fx.read("gen/ledger.csv")).unwrap();
    let (headers, mut rows) = csv_records(text.trim_start_matches('\u{feff}'));
    let unit = headers.iter().position(|h| h == "执法单位").unwrap();
    let domain = headers.iter().position(|h| h == "执法领域").unwrap();
    // kept by hand: grouped by unit and domain, in filing order within
    rows.sort_by(|a, b| (&a[unit], &a[domain], &a[0]).cmp(&(&b[unit], &b[domain], &b[0])));
    let grid = Grid { headers, rows };
    fx.write("ledger.csv", grid.csv("\r\n"));
    fx.write("one.xlsx", one_sheet(&grid));
    let (bytes, runs) = merged(&grid, &[unit, domain]);
    assert!(runs.len() > 10, "{runs:?}");
    fx.write("merged.xlsx", bytes);
    fx.write(
        "two.xlsx",
        two_sheets(&grid, ("上半", "下半"), grid.rows.len() / 2),
    );
    let mut outputs = Vec::new();
    for file in ["ledger.csv", "one.xlsx", "merged.xlsx", "two.xlsx"] {
        let out = format!("out-{file}");
        let run = fx
            .jiucuo([
                "analyze",
                file,
                "--as-of",
                "2026-11-30",
                "--format",
                "csv",
                "--out",
                &out,
            ])
            .ok();
        assert_eq!(run.accounting(), (400, 400, 0), "{file}");
        outputs.push(out);
    }
    for table in [
        "deadlines.csv",
        "hotspots.csv",
        "outcomes.csv",
        "repeats.csv",
    ] {
        let base = fx.read(&format!("{}/{table}", outputs[0]));
        assert!(base.len() > 100, "{table} is not empty");
        for other in &outputs[1..] {
            assert!(
                fx.read(&format!("{other}/{table}")) == base,
                "{other}/{table} differs from the CSV's"
            );
        }
    }
    // No findings in the CSV or one-sheet read; the merged one warns per region.
    assert_eq!(
        fx.read(&format!("{}/validate.csv", outputs[1])),
        fx.read(&format!("{}/validate.csv", outputs[0]))
    );
    let merged_findings =
        String::from_utf8(fx.read(&format!("{}/validate.csv", outputs[2]))).unwrap();
    assert_eq!(
        merged_findings.matches("merged-cell-filled").count(),
        runs.len(),
        "{merged_findings}"
    );
}

/// Writes this file's fixture workbooks as seeds of the `xlsx_ingest` fuzz
/// target (`cargo test --test integration write_fuzz_seeds -- --ignored`).
#[test]
#[ignore = "writes fuzz seeds into the source tree"]
fn write_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/xlsx_ingest");
    let grid = twenty();
    let mut with_total = twenty();
    let mut total = vec![String::new(); with_total.headers.len()];
    total[0] = "合计".into();
    total[1] = "20件".into();
    with_total.rows.push(total);
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("merged.xlsx", merged(&grid, &[1, 2]).0),
        (
            "two-sheets.xlsx",
            two_sheets(&grid, ("2025年", "2026年"), 10),
        ),
        ("totals.xlsx", one_sheet(&with_total)),
        ("dates-1904.xlsx", as_1904(&dates_book(44255.0))),
    ];
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// The input the XLSX fuzz target found: a cell reference whose row number
/// overflows calamine 0.38's arithmetic (a panic where overflow checks are
/// on, as in this debug build). A clear error, not a crash.
#[test]
fn a_workbook_that_breaks_the_xlsx_parser_gets_a_clear_error() {
    let fx = Fixture::new();
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/calamine-cell-ref-overflow.xlsx"
    ))
    .unwrap();
    fx.write("broken.xlsx", bytes);
    let run = fx.jiucuo(["validate", "broken.xlsx"]).expect_code(2);
    assert!(run.stderr.contains("broken.xlsx"), "{}", run.stderr);
    assert!(
        run.stderr.contains("工作簿内部数据异常")
            || run.stderr.contains("不是可读取的 Excel 工作簿"),
        "{}",
        run.stderr
    );
}

/// A workbook whose sheet XML is rewritten: `from` → `to` in sheet1.xml.
fn patched_sheet(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            data = String::from_utf8(data)
                .unwrap()
                .replace(from, to)
                .into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Cells far apart in a crafted sheet would make the XLSX parser allocate a
/// grid of terabytes; a cell beyond Excel's last row is refused by position.
#[test]
fn a_sheet_spanning_more_than_excel_holds_gets_a_clear_error() {
    let fx = Fixture::new();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "案件编号").unwrap();
    ws.write_string(1, 0, "A1").unwrap();
    ws.write_string(2, 0, "A2").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    // row 3 moved to row 4,000,000 (beyond Excel's 1,048,576 rows)
    fx.write(
        "far.xlsx",
        patched_sheet(&bytes, "r=\"A3\"", "r=\"A4000000\""),
    );
    let run = fx.jiucuo(["validate", "far.xlsx"]).expect_code(2);
    assert!(
        run.stderr.contains("超出 Excel 工作表的范围"),
        "{}",
        run.stderr
    );
    // within Excel but spanning rows 1 to 1,000,000 and columns A to XFD
    fx.write(
        "wide.xlsx",
        patched_sheet(&bytes, "r=\"A3\"", "r=\"XFD1000000\""),
    );
    let run = fx.jiucuo(["validate", "wide.xlsx"]).expect_code(2);
    assert!(run.stderr.contains("表格范围过大"), "{}", run.stderr);
}
