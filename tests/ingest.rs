//! Ledger ingest on the real binary: every container and encoding reads to
//! the same canonical frame, every bad-input kind yields its finding, the
//! rejects file feeds back, header aliases and Excel serial dates work.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use jiucuo::config::Config;
use jiucuo::ingest::{self, Encoding, Ledger, ReadOptions};
use polars::prelude::*;
use rust_xlsxwriter::{Format, Workbook};

use crate::util::{self, opt, texts, Fixture, Grid, JsonFinding};

// -------------------------------------------------------------------------------------------
// The hand-written ledger of the agreement test
// -------------------------------------------------------------------------------------------

const HEADERS: &[&str] = &[
    "案件编号",
    "执法单位",
    "单位类型",
    "执法领域",
    "执法事项类别",
    "涉及人员",
    "问题类型",
    "主观过错",
    "案件来源",
    "立案日期",
    "核实日期",
    "认定日期",
    "告知日期",
    "延长天数",
    "调查人数",
    "是否听证",
    "认定结果",
    "适用条款",
    "简要案情",
];

/// Eight cases covering every written date form (incl. datetimes and missing
/// markers), the boolean words, list separators and clause forms. A-006 has an
/// unknown problem type (kept, warned); A-008 an invalid matter type (rejected).
const ROWS: &[&[&str]] = &[
    &[
        "A-001",
        "区市场监督管理局",
        "区政府部门",
        "市场监管",
        "行政处罚",
        "370112001、370112002",
        "违反法定程序",
        "是",
        "执法监督检查",
        "2025-03-01",
        "2025/3/3",
        "2025年4月1日",
        "20250403",
        "10",
        "2",
        "否",
        "不予容错",
        "第十二条第（一）项",
        "经办人称\"已告知\"，当事人否认, 已复核",
    ],
    &[
        "A-002",
        "山大路街道办事处",
        "街道办事处",
        "城市管理",
        "行政检查",
        "王伟；李娜",
        "文书瑕疵",
        "否",
        "实名举报",
        "2025年3月1日",
        "2025.3.4",
        "2025-04-10 14:30",
        "2025/4/12",
        "",
        "3",
        "是",
        "免责",
        "第10条第5项",
        "",
    ],
    &[
        "A-003",
        "区生态环境分局",
        "区政府部门",
        "生态环境",
        "行政许可",
        "370112003",
        "超期办理",
        "√",
        "匿名举报",
        "20250301",
        "20250305",
        "2025-05-06",
        "2025-05-08",
        "30",
        "2",
        "否",
        "从轻",
        "10(5)",
        "",
    ],
    &[
        "A-004",
        "区应急管理局",
        "区政府部门",
        "应急管理",
        "行政强制",
        "370112004、王伟",
        "裁量不当",
        "×",
        "上级交办",
        "2025.3.1",
        "2025-03-06",
        "2025.5.20",
        "2025年5月22日",
        "",
        "2",
        "否",
        "不予容错",
        "十二.五",
        "",
    ],
    &[
        "A-005",
        "洪家楼街道办事处",
        "街道办事处",
        "住房城乡建设",
        "行政确认",
        "",
        "滥用职权",
        "否",
        "部门移送",
        "2025-03-01 09:15:00",
        "2025/3/7",
        "",
        "",
        "",
        "2",
        "是",
        "",
        "",
        "",
    ],
    &[
        "A-006",
        "区交通运输局",
        "区政府部门",
        "交通运输",
        "行政征收征用",
        "刘洋",
        "执法态度问题",
        "",
        "其他",
        "2025/3/1",
        "-",
        "无",
        "/",
        "",
        "2",
        "否",
        "履职尽责",
        "第九条第（三）项",
        "多行\n案情",
    ],
    &[
        "A-007",
        "区卫生健康局",
        "区政府部门",
        "卫生健康",
        "行政裁决",
        "陈静; 赵敏",
        "其他",
        "否",
        "执法监督检查",
        "2025年3月10日",
        "2025年3月12日",
        "2025年4月9日 16时",
        "2025-04-10",
        "",
        "2",
        "否",
        "减轻",
        "第十一条第（二）项",
        "",
    ],
    &[
        "A-008",
        "区农业农村局",
        "区政府部门",
        "农业农村",
        "行政奖励",
        "",
        "文书瑕疵",
        "否",
        "执法监督检查",
        "2025-03-15",
        "",
        "",
        "",
        "",
        "2",
        "否",
        "",
        "",
        "",
    ],
];

/// The dates of the four date columns, worked out by hand (with the time of
/// day where the cell has one), one per row of [`ROWS`]; "" = missing.
const FILED: [&str; 8] = [
    "2025-03-01",
    "2025-03-01",
    "2025-03-01",
    "2025-03-01",
    "2025-03-01 09:15",
    "2025-03-01",
    "2025-03-10",
    "2025-03-15",
];
const VERIFIED: [&str; 8] = [
    "2025-03-03",
    "2025-03-04",
    "2025-03-05",
    "2025-03-06",
    "2025-03-07",
    "",
    "2025-03-12",
    "",
];
const DECIDED: [&str; 8] = [
    "2025-04-01",
    "2025-04-10 14:30",
    "2025-05-06",
    "2025-05-20",
    "",
    "",
    "2025-04-09 16:00",
    "",
];
const NOTIFIED: [&str; 8] = [
    "2025-04-03",
    "2025-04-12",
    "2025-05-08",
    "2025-05-22",
    "",
    "",
    "2025-04-10",
    "",
];
/// Officers per row, `;`-joined (hand-split).
const OFFICERS: [&str; 8] = [
    "370112001;370112002",
    "王伟;李娜",
    "370112003",
    "370112004;王伟",
    "",
    "刘洋",
    "陈静;赵敏",
    "",
];

fn agreement_grid() -> Grid {
    Grid::new(HEADERS, ROWS)
}

fn datetime(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_hms_opt(0, 0, 0).unwrap())
        })
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The date part of each hand-worked value, for the analysed rows (A-001..A-007).
fn dates_of(values: &[&str]) -> Vec<Option<String>> {
    values[..7]
        .iter()
        .map(|v| (!v.is_empty()).then(|| v[..10].to_string()))
        .collect()
}

/// Excel's 1900 date system: days since 1899-12-30 (for dates after 1900-02-28).
fn excel_serial(d: NaiveDate) -> f64 {
    (d - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64
}

/// The agreement ledger as Excel would hold it: 立案日期, 认定日期 and 告知日期
/// are real date (or date-time) cells, 核实日期 holds bare serial numbers,
/// the day counts are numbers, 是否听证 real booleans, the rest text.
fn agreement_xlsx(grid: &Grid) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let datetime_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (j, h) in grid.headers.iter().enumerate() {
        ws.write_string(0, j as u16, h).unwrap();
    }
    let dates: [(&str, &[&str; 8]); 3] = [
        ("立案日期", &FILED),
        ("认定日期", &DECIDED),
        ("告知日期", &NOTIFIED),
    ];
    for (i, row) in grid.rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (j, text) in row.iter().enumerate() {
            let c = j as u16;
            let header = grid.headers[j].as_str();
            let iso = dates
                .iter()
                .find(|(h, _)| *h == header)
                .map(|(_, v)| v[i])
                .or((header == "核实日期").then(|| VERIFIED[i]));
            match (header, iso) {
                (_, Some(iso)) if !iso.is_empty() => {
                    let t = datetime(iso);
                    if header == "核实日期" {
                        ws.write_number(r, c, excel_serial(t.date())).unwrap();
                    } else if iso.len() > 10 {
                        ws.write_datetime_with_format(r, c, t, &datetime_fmt)
                            .unwrap();
                    } else {
                        ws.write_date_with_format(r, c, t.date(), &date_fmt)
                            .unwrap();
                    }
                }
                _ if text.is_empty() => {}
                ("延长天数" | "调查人数", _) => {
                    ws.write_number(r, c, text.parse::<f64>().unwrap()).unwrap();
                }
                ("是否听证", _) => {
                    ws.write_boolean(r, c, text == "是").unwrap();
                }
                _ => {
                    ws.write_string(r, c, text).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The agreement ledger as a typed Parquet file (as a database export would
/// hold it): real dates and date-times, integers, booleans and a list column.
fn typed_frame(grid: &Grid) -> DataFrame {
    let mut df = grid.frame();
    let n = grid.rows.len();
    let filed: Vec<Option<NaiveDate>> = FILED.iter().map(|v| Some(datetime(v).date())).collect();
    let decided: Vec<Option<NaiveDateTime>> = DECIDED
        .iter()
        .map(|v| (!v.is_empty()).then(|| datetime(v)))
        .collect();
    let int_col = |h: &str| -> Vec<Option<i64>> {
        let j = grid.column(h);
        grid.rows.iter().map(|r| r[j].parse().ok()).collect()
    };
    let j = grid.column("主观过错");
    let fault: Vec<Option<bool>> = grid
        .rows
        .iter()
        .map(|r| match r[j].as_str() {
            "是" | "√" => Some(true),
            "否" | "×" => Some(false),
            _ => None,
        })
        .collect();
    let officers: Vec<Option<Series>> = OFFICERS
        .iter()
        .map(|v| (!v.is_empty()).then(|| Series::new("".into(), v.split(';').collect::<Vec<_>>())))
        .collect();
    let officers: ListChunked = officers.into_iter().collect();
    let replacements: Vec<Column> = vec![
        Column::new("立案日期".into(), filed),
        Series::new("认定日期".into(), decided)
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap()
            .into_column(),
        Column::new("调查人数".into(), int_col("调查人数")),
        Column::new("延长天数".into(), int_col("延长天数")),
        Column::new("主观过错".into(), fault),
        officers
            .into_series()
            .with_name("涉及人员".into())
            .into_column(),
    ];
    for c in replacements {
        assert_eq!(c.len(), n);
        let name = c.name().to_string();
        df.replace(&name, c).unwrap();
    }
    df
}

fn read_lib(path: &Path, encoding: Encoding) -> Ledger {
    let opts = ReadOptions {
        encoding,
        sheet: None,
        keep_summaries: true,
    };
    ingest::read_ledger(path, &opts, &Config::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Column-by-column comparison with a readable failure.
fn assert_same_frame(what: &str, a: &DataFrame, b: &DataFrame) {
    assert_eq!(
        a.get_column_names(),
        b.get_column_names(),
        "{what}: columns"
    );
    for name in a.get_column_names() {
        assert_eq!(
            a.column(name).unwrap().dtype(),
            b.column(name).unwrap().dtype(),
            "{what}: dtype of {name}"
        );
        assert_eq!(texts(a, name), texts(b, name), "{what}: column {name}");
    }
    assert!(a.equals_missing(b), "{what}: frames differ");
}

#[test]
fn every_container_and_encoding_reads_the_same_ledger() {
    let fx = Fixture::new();
    let grid = agreement_grid();
    let utf8 = grid.csv("\n");
    let crlf = grid.csv("\r\n");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&crlf);
    assert!(!unmappable, "fixture is representable in GBK");
    let files = [
        fx.write("utf8.csv", &utf8),
        fx.write("bom.csv", format!("\u{FEFF}{utf8}")),
        fx.write("gbk.csv", &gbk),
        fx.write("excel.xlsx", agreement_xlsx(&grid)),
        fx.path("text.parquet"),
        fx.path("text.arrow"),
        fx.path("typed.parquet"),
        fx.path("typed.feather"),
        fx.path("stream.ipc"),
    ];
    util::write_parquet(&files[4], &grid.frame());
    util::write_ipc(&files[5], &grid.frame());
    util::write_parquet(&files[6], &typed_frame(&grid));
    util::write_ipc(&files[7], &typed_frame(&grid));
    util::write_ipc_stream(&files[8], &grid.frame());

    // The reference reading, checked against values worked out by hand.
    let reference = read_lib(&files[0], Encoding::Auto);
    let cases = &reference.cases;
    assert_eq!(
        (
            reference.accounting.read,
            reference.accounting.analysed,
            reference.accounting.rejected
        ),
        (8, 7, 1)
    );
    assert_eq!(
        texts(cases, "case_id"),
        opt(&["A-001", "A-002", "A-003", "A-004", "A-005", "A-006", "A-007"])
    );
    assert_eq!(
        texts(cases, "row"),
        opt(&["2", "3", "4", "5", "6", "7", "8"])
    );
    assert_eq!(texts(cases, "filed_on"), dates_of(&FILED));
    assert_eq!(texts(cases, "verified_on"), dates_of(&VERIFIED));
    assert_eq!(texts(cases, "decided_on"), dates_of(&DECIDED));
    assert_eq!(texts(cases, "notified_on"), dates_of(&NOTIFIED));
    assert_eq!(texts(cases, "officers"), opt(&OFFICERS[..7]));
    assert_eq!(
        texts(cases, "subjective_fault"),
        opt(&["true", "false", "true", "false", "false", "", "false"])
    );
    assert_eq!(
        texts(cases, "hearing_held"),
        opt(&["false", "true", "false", "false", "true", "false", "false"])
    );
    assert_eq!(
        texts(cases, "extension_days"),
        opt(&["10", "", "30", "", "", "", ""])
    );
    assert_eq!(
        texts(cases, "investigators"),
        opt(&["2", "3", "2", "2", "2", "2", "2"])
    );
    assert_eq!(
        texts(cases, "outcome"),
        opt(&[
            "不予容错",
            "免责",
            "从轻",
            "不予容错",
            "",
            "履职尽责",
            "减轻"
        ])
    );
    assert_eq!(
        texts(cases, "clause_article"),
        opt(&["12", "10", "10", "12", "", "9", "11"])
    );
    assert_eq!(
        texts(cases, "clause_item"),
        opt(&["1", "5", "5", "5", "", "3", "2"])
    );
    assert_eq!(
        texts(cases, "summary"),
        opt(&[
            "经办人称\"已告知\"，当事人否认, 已复核",
            "",
            "",
            "",
            "",
            "多行\n案情",
            ""
        ])
    );
    assert_eq!(
        texts(cases, "unit_kind"),
        opt(&[
            "区政府部门",
            "街道办事处",
            "区政府部门",
            "区政府部门",
            "街道办事处",
            "区政府部门",
            "区政府部门"
        ])
    );

    // Every other container agrees with it, in the library and on the binary.
    let expected_findings = vec![
        (
            7,
            "问题类型".to_string(),
            "error-type-unknown".to_string(),
            "warning".to_string(),
        ),
        (
            9,
            "执法事项类别".to_string(),
            "enum-invalid".to_string(),
            "error".to_string(),
        ),
    ];
    let mut json_by_file = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let ledger = read_lib(path, Encoding::Auto);
        assert_same_frame(&name, &reference.cases, &ledger.cases);
        assert_eq!(ledger.findings, reference.findings, "{name}: findings");
        let run = fx
            .jiucuo(["validate", name.as_str(), "--format", "json"])
            .ok();
        assert_eq!(run.accounting(), (8, 7, 1), "{name}");
        let findings = run.findings();
        let keys: Vec<_> = findings.iter().map(JsonFinding::key).collect();
        assert_eq!(keys, expected_findings, "{name}");
        assert_eq!(findings[0].value, "执法态度问题");
        assert_eq!(findings[0].case_id.as_deref(), Some("A-006"));
        assert_eq!(findings[1].value, "行政奖励");
        assert_eq!(findings[1].case_id.as_deref(), Some("A-008"));
        json_by_file.push((name, run.stdout));
    }
    for (name, json) in &json_by_file[1..] {
        assert_eq!(
            String::from_utf8_lossy(json),
            String::from_utf8_lossy(&json_by_file[0].1),
            "{name}: byte-identical findings"
        );
    }

    // A database export naming its columns by the canonical field names.
    let mut english = grid.clone();
    for (header, field) in [
        ("案件编号", "case_id"),
        ("执法单位", "unit"),
        ("单位类型", "unit_kind"),
        ("执法领域", "domain"),
        ("执法事项类别", "matter_type"),
        ("涉及人员", "officers"),
        ("问题类型", "error_type"),
        ("主观过错", "subjective_fault"),
        ("案件来源", "source"),
        ("立案日期", "filed_on"),
        ("核实日期", "verified_on"),
        ("认定日期", "decided_on"),
        ("告知日期", "notified_on"),
        ("延长天数", "extension_days"),
        ("调查人数", "investigators"),
        ("是否听证", "hearing_held"),
        ("认定结果", "outcome"),
        ("适用条款", "clause"),
        ("简要案情", "summary"),
    ] {
        english.rename(header, field);
    }
    util::write_parquet(&fx.path("english.parquet"), &english.frame());
    let ledger = read_lib(&fx.path("english.parquet"), Encoding::Auto);
    assert_same_frame("english.parquet", &reference.cases, &ledger.cases);
    assert!(ledger.unmapped_headers.is_empty());
}

#[test]
fn csv_encoding_can_be_forced_and_a_wrong_guess_is_explained() {
    let fx = Fixture::new();
    let grid = agreement_grid();
    let crlf = grid.csv("\r\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&crlf);
    fx.write("ledger.csv", &gbk);
    fx.write("utf8.csv", grid.csv("\n"));
    let auto = fx
        .jiucuo(["validate", "ledger.csv", "--format", "json"])
        .ok();
    let forced = fx
        .jiucuo([
            "validate",
            "ledger.csv",
            "--format",
            "json",
            "--encoding",
            "gbk",
        ])
        .ok();
    let utf8 = fx.jiucuo(["validate", "utf8.csv", "--format", "json"]).ok();
    assert_eq!(forced.stdout, auto.stdout);
    assert_eq!(forced.stdout, utf8.stdout);
    assert_eq!(forced.accounting(), (8, 7, 1));
    let forced_lib = read_lib(&fx.path("ledger.csv"), Encoding::Gb18030);
    let utf8_lib = read_lib(&fx.path("utf8.csv"), Encoding::Utf8);
    assert_same_frame("gbk forced", &utf8_lib.cases, &forced_lib.cases);

    std::fs::remove_file(fx.path("ledger.rejects.xlsx")).unwrap();
    let wrong = fx
        .jiucuo([
            "validate",
            "ledger.csv",
            "--format",
            "json",
            "--encoding",
            "utf-8",
        ])
        .expect_code(2);
    assert!(wrong.stdout.is_empty(), "no findings table on a read error");
    assert!(wrong.stderr.contains("ledger.csv"), "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("不是有效的 UTF-8"),
        "{}",
        wrong.stderr
    );
    assert!(wrong.stderr.contains("--encoding gbk"), "{}", wrong.stderr);
    assert!(!fx.path("ledger.rejects.xlsx").exists());

    let unknown = fx
        .jiucuo(["validate", "ledger.csv", "--encoding", "latin-1"])
        .expect_code(2);
    assert!(unknown.stderr.contains("latin-1"), "{}", unknown.stderr);
}

// -------------------------------------------------------------------------------------------
// One finding per bad-input kind
// -------------------------------------------------------------------------------------------

const BAD_HEADERS: &[&str] = &[
    "案件编号",
    "执法单位",
    "执法领域",
    "执法事项类别",
    "问题类型",
    "主观过错",
    "案件来源",
    "立案日期",
    "核实日期",
    "认定日期",
    "延长天数",
    "调查人数",
    "认定结果",
    "适用条款",
];

/// A good case; each row of the bad-input ledger changes one or two cells.
const GOOD: [&str; 14] = [
    "B-00",
    "区市场监督管理局",
    "市场监管",
    "行政处罚",
    "违反法定程序",
    "否",
    "执法监督检查",
    "2025-04-01",
    "2025-04-03",
    "2025-04-20",
    "",
    "2",
    "履职尽责",
    "第九条第（一）项",
];

/// (case id, changes, expected findings as (column, code, severity)), one per
/// spreadsheet row from row 2 on.
type BadRow = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str, &'static str)],
);

const BAD_ROWS: &[BadRow] = &[
    ("B-01", &[], &[("案件编号", "duplicate-kept", "warning")]),
    ("", &[], &[("案件编号", "required-missing", "error")]),
    (
        "B-03",
        &[("执法单位", "无")],
        &[("执法单位", "required-missing", "error")],
    ),
    (
        "B-04",
        &[("立案日期", "2025-02-30")],
        &[("立案日期", "date-invalid", "error")],
    ),
    (
        "B-05",
        &[("认定日期", "2025-13-01")],
        &[("认定日期", "date-invalid", "error")],
    ),
    (
        "B-06",
        &[("执法事项类别", "行政奖励")],
        &[("执法事项类别", "enum-invalid", "error")],
    ),
    (
        "B-07",
        &[("认定结果", "部分免责")],
        &[("认定结果", "enum-invalid", "error")],
    ),
    ("B-01", &[], &[("案件编号", "duplicate-case", "error")]),
    (
        "B-09",
        &[("问题类型", "执法态度问题")],
        &[("问题类型", "error-type-unknown", "warning")],
    ),
    (
        "B-10",
        &[("适用条款", "第X条")],
        &[("适用条款", "clause-invalid", "warning")],
    ),
    (
        "B-11",
        &[("适用条款", "第九条第（十二）项")],
        &[("适用条款", "clause-out-of-range", "warning")],
    ),
    (
        "B-12",
        &[("适用条款", "第十二条第（一）项")],
        &[("适用条款", "clause-outcome-mismatch", "warning")],
    ),
    (
        "B-13",
        &[("核实日期", "2025-03-28")],
        &[("核实日期", "chronology", "warning")],
    ),
    (
        "B-14",
        &[("延长天数", "45")],
        &[("延长天数", "extension-over-30", "warning")],
    ),
    (
        "B-15",
        &[("立案日期", "2025-01-15")],
        &[("立案日期", "outside-pilot", "warning")],
    ),
    (
        "B-16",
        &[("调查人数", "若干")],
        &[("调查人数", "int-invalid", "warning")],
    ),
    (
        "B-17",
        &[("主观过错", "不详")],
        &[("主观过错", "bool-invalid", "warning")],
    ),
    (
        "B-18",
        &[("案件来源", "群众来电")],
        &[("案件来源", "enum-unknown", "warning")],
    ),
    (
        "B-19",
        &[("调查人数", "-2")],
        &[("调查人数", "int-negative", "warning")],
    ),
    (
        "B-20",
        &[("执法单位", ""), ("立案日期", "-")],
        &[
            ("执法单位", "required-missing", "error"),
            ("立案日期", "required-missing", "error"),
        ],
    ),
    (
        "B-21",
        &[("调查人数", "9999999999")],
        &[("调查人数", "int-too-large", "warning")],
    ),
];

fn bad_grid() -> Grid {
    let rows: Vec<Vec<String>> = BAD_ROWS
        .iter()
        .map(|(id, changes, _)| {
            let mut row: Vec<String> = GOOD.iter().map(|s| s.to_string()).collect();
            row[0] = id.to_string();
            for (h, v) in *changes {
                let j = BAD_HEADERS.iter().position(|x| x == h).unwrap();
                row[j] = v.to_string();
            }
            row
        })
        .collect();
    Grid {
        headers: BAD_HEADERS.iter().map(|s| s.to_string()).collect(),
        rows,
    }
}

/// Expected findings, in output order (row, then column as the file names it).
fn bad_expected() -> Vec<(i64, String, String, String)> {
    let mut out = Vec::new();
    for (i, (_, _, findings)) in BAD_ROWS.iter().enumerate() {
        for (column, code, severity) in *findings {
            out.push((
                i as i64 + 2,
                column.to_string(),
                code.to_string(),
                severity.to_string(),
            ));
        }
    }
    out.sort();
    out
}

/// Spreadsheet rows with an error finding, worked out from [`BAD_ROWS`].
fn bad_rejected_rows() -> Vec<usize> {
    BAD_ROWS
        .iter()
        .enumerate()
        .filter(|(_, (_, _, f))| f.iter().any(|(_, _, s)| *s == "error"))
        .map(|(i, _)| i + 2)
        .collect()
}

#[test]
fn each_bad_input_kind_yields_its_finding_and_rejects_only_errors() {
    let fx = Fixture::new();
    let grid = bad_grid();
    fx.write("ledger.csv", grid.csv("\n"));
    let run = fx
        .jiucuo([
            "validate",
            "ledger.csv",
            "--format",
            "json",
            "--rejects",
            "out/rejects.xlsx",
        ])
        .ok();
    let findings = run.findings();
    let mut keys: Vec<_> = findings.iter().map(JsonFinding::key).collect();
    keys.sort();
    assert_eq!(keys, bad_expected());
    let rejected = bad_rejected_rows();
    assert_eq!(rejected, [3, 4, 5, 6, 7, 8, 9, 21]);
    let n = BAD_ROWS.len();
    assert_eq!(run.accounting(), (n, n - rejected.len(), rejected.len()));

    // Each finding names its case, its raw value and its column.
    for f in &findings {
        let i = f.row as usize - 2;
        let raw = &grid.rows[i][grid.column(&f.column)];
        assert_eq!(&f.value, raw, "{f:?}");
        let id = &grid.rows[i][0];
        assert_eq!(
            f.case_id.as_deref(),
            Some(id.as_str()).filter(|s| !s.is_empty()),
            "{f:?}"
        );
        assert!(!f.message.is_empty());
        if !matches!(
            f.code.as_str(),
            "duplicate-case"
                | "duplicate-kept"
                | "extension-over-30"
                | "outside-pilot"
                | "int-negative"
                | "int-too-large"
        ) {
            assert!(f.message.contains(&f.column), "{f:?}");
        }
    }
    // A duplicate names both rows.
    let dup = findings
        .iter()
        .find(|f| f.code == "duplicate-case")
        .unwrap();
    assert!(dup.message.contains("第2行"), "{dup:?}");
    let kept = findings
        .iter()
        .find(|f| f.code == "duplicate-kept")
        .unwrap();
    assert!(kept.message.contains("第9行"), "{kept:?}");
    // The outside-pilot and chronology messages carry the dates.
    let pilot = findings.iter().find(|f| f.code == "outside-pilot").unwrap();
    assert!(pilot.message.contains("2025-01-15"), "{pilot:?}");

    // Warnings keep the row, errors reject it; a negative count is not used.
    let ledger = read_lib(&fx.path("ledger.csv"), Encoding::Auto);
    let kept_rows: Vec<Option<String>> = (2..=n + 1)
        .filter(|r| !rejected.contains(r))
        .map(|r| Some(r.to_string()))
        .collect();
    assert_eq!(texts(&ledger.cases, "row"), kept_rows);
    let investigators = texts(&ledger.cases, "investigators");
    let row_of = |r: usize| {
        kept_rows
            .iter()
            .position(|x| x.as_deref() == Some(&r.to_string()))
            .unwrap()
    };
    assert_eq!(investigators[row_of(17)], None, "若干 not used");
    assert_eq!(investigators[row_of(20)], None, "-2 not used");
    assert_eq!(investigators[row_of(2)].as_deref(), Some("2"));
    assert_eq!(
        texts(&ledger.cases, "extension_days")[row_of(15)].as_deref(),
        Some("45")
    );

    // The rejects file: the rejected rows unchanged, plus 拒收原因.
    let cells = util::xlsx_cells(&fx.path("out/rejects.xlsx"));
    let mut header = grid.headers.clone();
    header.push("拒收原因".into());
    assert_eq!(cells[0], header);
    assert_eq!(cells.len(), rejected.len() + 1);
    for (k, row) in rejected.iter().enumerate() {
        let got = &cells[k + 1];
        assert_eq!(
            got[..n_cols()],
            grid.rows[row - 2][..],
            "rejects row for row {row}"
        );
        let reason = &got[n_cols()];
        assert!(reason.contains(&format!("原第{row}行")), "{reason}");
        for f in findings
            .iter()
            .filter(|f| f.row == *row as i64 && f.severity == "error")
        {
            assert!(reason.contains(&f.message), "{reason} lacks {}", f.message);
        }
        for f in findings
            .iter()
            .filter(|f| f.row == *row as i64 && f.severity == "warning")
        {
            assert!(!reason.contains(&f.message), "warning in reasons: {reason}");
        }
    }
}

fn n_cols() -> usize {
    BAD_HEADERS.len()
}

#[test]
fn the_rejects_file_feeds_back_once_fixed() {
    let fx = Fixture::new();
    let grid = bad_grid();
    fx.write("ledger.csv", grid.csv("\n"));
    fx.jiucuo(["validate", "ledger.csv", "--format", "json"])
        .ok();
    // Default rejects path: the ledger's name, in the working folder.
    let rejects = fx.path("ledger.rejects.xlsx");
    let cells = util::xlsx_cells(&rejects);

    // Fed back unchanged, the same rows fail for the same reasons, except the
    // duplicate, whose first copy is not in the rejects file.
    let again = fx
        .jiucuo([
            "validate",
            "ledger.rejects.xlsx",
            "--format",
            "json",
            "--rejects",
            "again.xlsx",
        ])
        .ok();
    assert_eq!(again.accounting(), (8, 1, 7));
    assert!(
        again.stderr.contains("拒收原因"),
        "unmapped column is named: {}",
        again.stderr
    );
    let codes: Vec<(i64, String)> = again
        .findings()
        .iter()
        .map(|f| (f.row, f.code.clone()))
        .collect();
    let expected: Vec<(i64, String)> = [
        (2, "required-missing"),
        (3, "required-missing"),
        (4, "date-invalid"),
        (5, "date-invalid"),
        (6, "enum-invalid"),
        (7, "enum-invalid"),
        (9, "required-missing"),
        (9, "required-missing"),
    ]
    .iter()
    .map(|(r, c)| (*r, c.to_string()))
    .collect();
    assert_eq!(codes, expected);
    // The new rejects file has the same layout: the old reasons are
    // replaced, not kept as a second 拒收原因 column.
    let again_cells = util::xlsx_cells(&fx.path("again.xlsx"));
    assert_eq!(again_cells[0], cells[0]);
    assert_eq!(again_cells.len(), 8);
    assert!(
        again_cells[1][n_cols()].starts_with("原第2行："),
        "{:?}",
        again_cells[1]
    );

    // Fix the cells in the spreadsheet and feed it back: all accepted.
    let fixes: &[(usize, &str, &str)] = &[
        (1, "案件编号", "B-02"),
        (2, "执法单位", "区市场监督管理局"),
        (3, "立案日期", "2025-04-01"),
        (4, "认定日期", "2025-04-20"),
        (5, "执法事项类别", "行政处罚"),
        (6, "认定结果", "免责"),
        (6, "适用条款", "第十条第（一）项"),
        (7, "案件编号", "B-08"),
        (8, "执法单位", "区市场监督管理局"),
        (8, "立案日期", "2025/4/1"),
    ];
    let mut fixed = cells.clone();
    for (r, h, v) in fixes {
        let j = cells[0].iter().position(|x| x == h).unwrap();
        fixed[*r][j] = v.to_string();
    }
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (i, row) in fixed.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(i as u32, j as u16, v).unwrap();
            }
        }
    }
    fx.write("fixed.xlsx", wb.save_to_buffer().unwrap());
    let run = fx
        .jiucuo([
            "validate",
            "fixed.xlsx",
            "--format",
            "json",
            "--fail-on-error",
        ])
        .ok();
    assert_eq!(run.accounting(), (8, 8, 0));
    assert_eq!(run.findings(), vec![]);
    assert!(
        !fx.path("fixed.rejects.xlsx").exists(),
        "no rejects file without rejects"
    );
    let ledger = read_lib(&fx.path("fixed.xlsx"), Encoding::Auto);
    assert_eq!(
        texts(&ledger.cases, "case_id"),
        opt(&["B-02", "B-03", "B-04", "B-05", "B-06", "B-07", "B-08", "B-20"])
    );
    assert_eq!(texts(&ledger.cases, "filed_on"), opt(&["2025-04-01"; 8]));
}

// -------------------------------------------------------------------------------------------
// Header mapping
// -------------------------------------------------------------------------------------------

#[test]
fn configured_header_aliases_map_onto_the_canonical_fields() {
    let fx = Fixture::new();
    let grid = agreement_grid();
    let mut aliased = grid.clone();
    for (from, to) in [
        ("案件编号", "监督案件编号"),
        ("执法单位", "被监督单位"),
        ("立案日期", "立案时间"),
        ("认定结果", "处理结果"),
        ("执法领域", "执法领域*"),
    ] {
        aliased.rename(from, to);
    }
    fx.write("reference.csv", grid.csv("\n"));
    fx.write("aliased.csv", aliased.csv("\n"));
    fx.write(
        "cfg/jiucuo.toml",
        "[ledger.headers]\n\
         case_id = [\"监督案件编号\"]\n\
         unit = [\"被监督单位\", \"单位名称\"]\n\
         filed_on = [\"立案时间\"]\n\
         outcome = [\"处理结果\"]\n",
    );
    let reference = fx
        .jiucuo(["validate", "reference.csv", "--format", "json"])
        .ok();
    let run = fx
        .jiucuo([
            "validate",
            "aliased.csv",
            "--format",
            "json",
            "--config",
            "cfg/jiucuo.toml",
        ])
        .ok();
    assert_eq!(run.accounting(), (8, 7, 1));
    let strip = |fs: Vec<JsonFinding>| -> Vec<(i64, String, String)> {
        fs.into_iter().map(|f| (f.row, f.code, f.value)).collect()
    };
    assert_eq!(strip(run.findings()), strip(reference.findings()));
    assert!(!run.stderr.contains("未识别的列"), "{}", run.stderr);

    let config = Config::load(Some(&fx.path("cfg/jiucuo.toml"))).unwrap();
    let opts = ReadOptions {
        encoding: Encoding::Auto,
        sheet: None,
        keep_summaries: true,
    };
    let a = ingest::read_ledger(&fx.path("aliased.csv"), &opts, &config).unwrap();
    let b = read_lib(&fx.path("reference.csv"), Encoding::Auto);
    assert_same_frame("aliased", &b.cases, &a.cases);
}

#[test]
fn a_missing_required_column_is_named_with_the_nearest_header() {
    let fx = Fixture::new();
    let mut grid = agreement_grid();
    grid.rename("立案日期", "立案时点");
    fx.write("ledger.csv", grid.csv("\n"));
    let run = fx
        .jiucuo(["validate", "ledger.csv", "--format", "json"])
        .expect_code(2);
    assert!(run.stdout.is_empty());
    let err = &run.stderr;
    assert!(err.starts_with("错误："), "{err}");
    assert!(err.contains("ledger.csv"), "{err}");
    assert!(err.contains("缺少必填列“立案日期”"), "{err}");
    assert!(err.contains("filed_on"), "{err}");
    assert!(err.contains("是否指“立案时点”"), "{err}");
    // the headers found, each with the nearest ledger header
    assert!(err.contains("立案时点（最接近“立案日期”）"), "{err}");
    assert!(err.contains("init --from"), "{err}");
    assert!(err.contains("[ledger.headers]"), "{err}");
    assert!(
        !err.contains("案件编号”（case_id）"),
        "only the missing field: {err}"
    );

    // Two missing, one with nothing close to suggest.
    let mut grid = agreement_grid();
    grid.rename("案件编号", "备注");
    grid.rename("立案日期", "立案时点");
    fx.write("two.csv", grid.csv("\n"));
    let run = fx.jiucuo(["validate", "two.csv"]).expect_code(2);
    assert!(
        run.stderr.contains("缺少必填列“案件编号”（case_id）"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("缺少必填列“立案日期”（filed_on）"),
        "{}",
        run.stderr
    );

    // A common variant (立案时间) is a built-in synonym: read without a mapping.
    let mut grid = agreement_grid();
    grid.rename("立案日期", "立案时间");
    fx.write("variant.csv", grid.csv("\n"));
    let variant = fx
        .jiucuo(["validate", "variant.csv", "--format", "json"])
        .ok();
    fx.write("reference.csv", agreement_grid().csv("\n"));
    let reference = fx
        .jiucuo(["validate", "reference.csv", "--format", "json"])
        .ok();
    assert_eq!(variant.accounting(), reference.accounting());
}

// -------------------------------------------------------------------------------------------
// Excel serial dates
// -------------------------------------------------------------------------------------------

#[test]
fn excel_serial_numbers_in_date_columns_are_dates() {
    let fx = Fixture::new();
    let headers = [
        "案件编号",
        "执法单位",
        "执法领域",
        "执法事项类别",
        "问题类型",
        "立案日期",
        "认定日期",
    ];
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (j, h) in headers.iter().enumerate() {
        ws.write_string(0, j as u16, *h).unwrap();
    }
    // 45717 = 2025-03-01; 45717.75 is 18:00 that day; 45000 = 2023-03-15
    // (731 days from 2023-03-01 to 2025-03-01, so 45717 - 45000 = 717 days back
    // from 2025-03-01 lands 14 days after 2023-03-01).
    let rows: [(&str, f64, Option<f64>); 3] = [
        ("S-1", 45717.0, Some(45747.0)),
        ("S-2", 45717.75, None),
        ("S-3", 45000.0, None),
    ];
    for (i, (id, filed, decided)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (j, v) in [*id, "区农业农村局", "农业农村", "行政检查", "其他"]
            .iter()
            .enumerate()
        {
            ws.write_string(r, j as u16, *v).unwrap();
        }
        ws.write_number(r, 5, *filed).unwrap();
        if let Some(d) = decided {
            ws.write_number(r, 6, *d).unwrap();
        }
    }
    fx.write("serial.xlsx", wb.save_to_buffer().unwrap());
    let ledger = read_lib(&fx.path("serial.xlsx"), Encoding::Auto);
    assert_eq!(
        texts(&ledger.cases, "filed_on"),
        opt(&["2025-03-01", "2025-03-01", "2023-03-15"])
    );
    // 45747 = 45717 + 30 = 2025-03-31.
    assert_eq!(
        texts(&ledger.cases, "decided_on"),
        opt(&["2025-03-31", "", ""])
    );
    let run = fx
        .jiucuo(["validate", "serial.xlsx", "--format", "json"])
        .ok();
    let f = run.findings();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        f[0].key(),
        (
            4,
            "立案日期".into(),
            "outside-pilot".into(),
            "warning".into()
        )
    );
    assert!(f[0].message.contains("2023-03-15"), "{:?}", f[0]);

    // The same serial typed into a CSV cell.
    fx.write(
        "serial.csv",
        "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期\nS-1,区农业农村局,农业农村,行政检查,其他,45717\n",
    );
    let csv = read_lib(&fx.path("serial.csv"), Encoding::Auto);
    assert_eq!(texts(&csv.cases, "filed_on"), opt(&["2025-03-01"]));
}

// -------------------------------------------------------------------------------------------
// Sheets, odd encodings, row numbers
// -------------------------------------------------------------------------------------------

#[test]
fn a_named_sheet_is_read_and_a_wrong_name_lists_the_sheets() {
    let fx = Fixture::new();
    let grid = agreement_grid();
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write_string(0, 0, "本表由系统导出").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("台账").unwrap();
    for (i, record) in std::iter::once(&grid.headers).chain(&grid.rows).enumerate() {
        for (j, v) in record.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(i as u32, j as u16, v).unwrap();
            }
        }
    }
    fx.write("book.xlsx", wb.save_to_buffer().unwrap());
    fx.write("ledger.csv", grid.csv("\n"));
    let csv = fx
        .jiucuo(["validate", "ledger.csv", "--format", "json"])
        .ok();
    let named = fx
        .jiucuo([
            "validate",
            "book.xlsx",
            "--sheet",
            "台账",
            "--format",
            "json",
        ])
        .ok();
    assert_eq!(named.accounting(), (8, 7, 1));
    assert_eq!(named.stdout, csv.stdout);

    // Without --sheet every sheet is looked at: the notes sheet's one
    // "header" maps to nothing, so it is listed and passed over.
    let all = fx
        .jiucuo(["validate", "book.xlsx", "--format", "json"])
        .ok();
    assert_eq!(all.stdout, csv.stdout);
    assert!(
        all.stderr.contains("未读取的工作表：“说明”"),
        "{}",
        all.stderr
    );
    // Named, the notes sheet is the ledger: its missing columns are the error.
    let notes = fx
        .jiucuo(["validate", "book.xlsx", "--sheet", "说明"])
        .expect_code(2);
    assert!(notes.stderr.contains("缺少必填列"), "{}", notes.stderr);
    let wrong = fx
        .jiucuo(["validate", "book.xlsx", "--sheet", "台帐"])
        .expect_code(2);
    assert!(wrong.stderr.contains("台帐"), "{}", wrong.stderr);
    assert!(wrong.stderr.contains("说明、台账"), "{}", wrong.stderr);
}

#[test]
fn unreadable_files_are_refused_with_a_reason() {
    let fx = Fixture::new();
    // Excel's "Unicode text" is UTF-16.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in agreement_grid().csv("\r\n").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    fx.write("unicode.csv", utf16);
    let run = fx.jiucuo(["validate", "unicode.csv"]).expect_code(2);
    assert!(run.stderr.contains("UTF-16"), "{}", run.stderr);

    fx.write("ledger.xls", b"\xD0\xCF\x11\xE0");
    let run = fx.jiucuo(["validate", "ledger.xls"]).expect_code(2);
    assert!(run.stderr.contains(".xlsx"), "{}", run.stderr);

    fx.write("broken.xlsx", b"not a zip");
    let run = fx.jiucuo(["validate", "broken.xlsx"]).expect_code(2);
    assert!(run.stderr.contains("broken.xlsx"), "{}", run.stderr);

    fx.write("empty.csv", "");
    let run = fx.jiucuo(["validate", "empty.csv"]).expect_code(2);
    assert!(run.stderr.contains("为空"), "{}", run.stderr);

    let run = fx.jiucuo(["validate", "missing.csv"]).expect_code(2);
    assert!(run.stderr.contains("missing.csv"), "{}", run.stderr);
}

#[test]
fn rows_are_numbered_as_the_spreadsheet_shows_them() {
    let fx = Fixture::new();
    let headers = "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,简要案情";
    // Row 2 good; row 3 blank; row 4 a two-line cell (still one spreadsheet
    // row) with a bad date; row 5 all-empty cells; row 6 a bad matter type.
    let csv = format!(
        "{headers}\n\
         R-2,区农业农村局,农业农村,行政检查,其他,2025-04-01,\n\
         \n\
         R-4,区农业农村局,农业农村,行政检查,其他,2025-04-31,\"第一行\n第二行\"\n\
         ,,,,,,\n\
         R-6,区农业农村局,农业农村,行政奖励,其他,2025-04-01,\n"
    );
    fx.write("ledger.csv", &csv);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let cells: [(u32, [&str; 7]); 4] = [
        (
            0,
            [
                "案件编号",
                "执法单位",
                "执法领域",
                "执法事项类别",
                "问题类型",
                "立案日期",
                "简要案情",
            ],
        ),
        (
            1,
            [
                "R-2",
                "区农业农村局",
                "农业农村",
                "行政检查",
                "其他",
                "2025-04-01",
                "",
            ],
        ),
        (
            3,
            [
                "R-4",
                "区农业农村局",
                "农业农村",
                "行政检查",
                "其他",
                "2025-04-31",
                "第一行\n第二行",
            ],
        ),
        (
            5,
            [
                "R-6",
                "区农业农村局",
                "农业农村",
                "行政奖励",
                "其他",
                "2025-04-01",
                "",
            ],
        ),
    ];
    for (r, values) in cells {
        for (j, v) in values.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, j as u16, *v).unwrap();
            }
        }
    }
    fx.write("ledger.xlsx", wb.save_to_buffer().unwrap());
    for file in ["ledger.csv", "ledger.xlsx"] {
        let run = fx.jiucuo(["validate", file, "--format", "json"]).ok();
        let rows: Vec<(i64, String)> = run
            .findings()
            .into_iter()
            .map(|f| (f.row, f.code))
            .collect();
        assert_eq!(
            rows,
            [
                (4, "date-invalid".to_string()),
                (6, "enum-invalid".to_string())
            ],
            "{file}"
        );
        // Blank rows are skipped, said so, and not counted as read.
        assert_eq!(run.accounting(), (3, 1, 2), "{file}");
        assert!(
            run.stderr.contains("跳过全空行 2 行"),
            "{file}: {}",
            run.stderr
        );
    }
}

#[test]
fn years_outside_1900_to_2200_are_errors_in_every_written_form() {
    let fx = Fixture::new();
    // Each form below is one of the common written forms; the year range
    // must hold for it as it does for the rare forms.
    let cells = [
        ("Y-2", "0025-03-01"),
        ("Y-3", "2250/3/1"),
        ("Y-4", "1800.3.1"),
        ("Y-5", "22250101"),
        ("Y-6", "1899年12月31日"),
        ("Y-7", "2201-01-01"),
    ];
    let mut csv =
        String::from("案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,认定日期\n");
    for (id, filed) in cells {
        csv.push_str(&format!(
            "{id},区农业农村局,农业农村,行政检查,其他,{filed},\n"
        ));
    }
    // The boundaries themselves are dates (1900-01-01 is outside the pilot).
    csv.push_str("Y-8,区农业农村局,农业农村,行政检查,其他,1900-01-01,2200-12-31\n");
    fx.write("ledger.csv", csv);
    let run = fx
        .jiucuo(["validate", "ledger.csv", "--format", "json"])
        .ok();
    let got: Vec<(i64, String, String, String)> =
        run.findings().iter().map(JsonFinding::key).collect();
    let mut want: Vec<(i64, String, String, String)> = (2..=7)
        .map(|r| (r, "立案日期".into(), "date-invalid".into(), "error".into()))
        .collect();
    want.push((
        8,
        "立案日期".into(),
        "outside-pilot".into(),
        "warning".into(),
    ));
    assert_eq!(got, want);
    for f in run.findings().iter().filter(|f| f.code == "date-invalid") {
        assert!(f.message.contains("年份"), "{f:?}");
    }
    assert_eq!(run.accounting(), (7, 1, 6));
}

#[test]
fn a_missing_marker_in_a_list_cell_means_no_officers() {
    let fx = Fixture::new();
    let mut csv =
        String::from("案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,涉及人员\n");
    for (id, officers) in [
        ("L-1", "无"),
        ("L-2", "-"),
        ("L-3", "/"),
        ("L-4", "　无 "),
        ("L-5", ""),
        ("L-6", "王伟"),
        ("L-7", "王伟，无名氏"),
    ] {
        csv.push_str(&format!(
            "{id},区农业农村局,农业农村,行政检查,其他,2025-04-01,{officers}\n"
        ));
    }
    fx.write("ledger.csv", csv);
    let ledger = read_lib(&fx.path("ledger.csv"), Encoding::Auto);
    assert_eq!(
        texts(&ledger.cases, "officers"),
        opt(&["", "", "", "", "", "王伟", "王伟;无名氏"])
    );
    let run = fx
        .jiucuo(["validate", "ledger.csv", "--format", "json"])
        .ok();
    assert_eq!(run.findings(), vec![]);
}

#[test]
fn cells_longer_than_excel_holds_do_not_break_the_rejects_or_xlsx_output() {
    let fx = Fixture::new();
    let long_summary = "长".repeat(40_000);
    // U+20000 takes two UTF-16 units: 20000 of them are 40000 units.
    let long_date = "\u{20000}".repeat(20_000);
    let csv = format!(
        "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,简要案情\n\
         H-2,区农业农村局,农业农村,行政奖励,其他,2025-04-01,{long_summary}\n\
         H-3,区农业农村局,农业农村,行政检查,其他,{long_date},短\n\
         H-4,区农业农村局,农业农村,行政检查,其他,2025-04-01,{long_summary}\n"
    );
    fx.write("ledger.csv", csv);
    let run = fx
        .jiucuo([
            "validate",
            "ledger.csv",
            "--format",
            "xlsx",
            "--output",
            "f.xlsx",
        ])
        .ok();
    assert_eq!(run.accounting(), (3, 1, 2));
    // Excel's limit is 32767 UTF-16 units per cell: 32767 × 长, 16383 × U+20000.
    let rejects = util::xlsx_cells(&fx.path("ledger.rejects.xlsx"));
    assert_eq!(rejects.len(), 3);
    assert_eq!(
        rejects[1][..6],
        [
            "H-2",
            "区农业农村局",
            "农业农村",
            "行政奖励",
            "其他",
            "2025-04-01"
        ]
    );
    assert_eq!(rejects[1][6], "长".repeat(32_767));
    assert!(
        rejects[1][7].contains("“简要案情”列内容超过"),
        "{}",
        rejects[1][7]
    );
    assert_eq!(rejects[2][5], "\u{20000}".repeat(16_383));
    assert_eq!(rejects[2][6], "短");
    assert!(
        rejects[2][7].contains("“立案日期”列内容超过"),
        "{}",
        rejects[2][7]
    );
    let findings = util::xlsx_cells(&fx.path("f.xlsx"));
    assert_eq!(findings.len(), 3);
    assert_eq!(
        findings[2][3],
        "\u{20000}".repeat(16_383),
        "value cut to fit"
    );
    // JSON keeps the whole value.
    let json = fx
        .jiucuo(["validate", "ledger.csv", "--format", "json"])
        .ok();
    assert_eq!(json.findings()[1].value, long_date);
}

#[test]
fn zoned_timestamps_keep_the_date_their_zone_shows() {
    let fx = Fixture::new();
    let grid = Grid::new(
        &[
            "案件编号",
            "执法单位",
            "执法领域",
            "执法事项类别",
            "问题类型",
            "立案日期",
            "认定日期",
        ],
        &[
            &[
                "Z-1",
                "区农业农村局",
                "农业农村",
                "行政检查",
                "其他",
                "",
                "",
            ],
            &[
                "Z-2",
                "区农业农村局",
                "农业农村",
                "行政检查",
                "其他",
                "",
                "",
            ],
        ],
    );
    let mut df = grid.frame();
    // 2025-03-01T00:00Z is 20148 days × 86400 s = 1740787200 s after the epoch.
    // 立案日期: 00:30 and 23:30 on 1 March in Shanghai (UTC+8), i.e.
    // 2025-02-28T16:30Z and 2025-03-01T15:30Z.
    let shanghai = TimeZone::opt_try_new(Some("Asia/Shanghai")).unwrap();
    let filed = Series::new("立案日期".into(), [1_740_760_200_000i64, 1_740_843_000_000])
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, shanghai))
        .unwrap();
    // 认定日期: 2025-03-20T23:30Z tagged UTC is 20 March; a naive 07:59 stays that day.
    let utc = TimeZone::opt_try_new(Some("UTC")).unwrap();
    let day_20 = 1_740_787_200_000i64 + 19 * 86_400_000 + 84_600_000;
    let decided = Series::new("认定日期".into(), [Some(day_20), None])
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, utc))
        .unwrap();
    df.replace("立案日期", filed.into_column()).unwrap();
    df.replace("认定日期", decided.into_column()).unwrap();
    util::write_parquet(&fx.path("zoned.parquet"), &df);
    let ledger = read_lib(&fx.path("zoned.parquet"), Encoding::Auto);
    assert_eq!(
        texts(&ledger.cases, "filed_on"),
        opt(&["2025-03-01", "2025-03-01"])
    );
    assert_eq!(texts(&ledger.cases, "decided_on"), opt(&["2025-03-20", ""]));
    let run = fx
        .jiucuo(["validate", "zoned.parquet", "--format", "json"])
        .ok();
    assert_eq!(run.findings(), vec![], "nothing before the pilot period");
}

// -------------------------------------------------------------------------------------------
// Streaming: the ledger does not depend on how the CSV is cut into chunks
// -------------------------------------------------------------------------------------------

/// Read CSV bytes with a given chunk size (bytes of text per chunk).
fn read_csv(
    bytes: &[u8],
    encoding: Encoding,
    keep_summaries: bool,
    chunk_bytes: usize,
) -> Result<Ledger, ingest::IngestError> {
    let opts = ReadOptions {
        encoding,
        sheet: None,
        keep_summaries,
    };
    ingest::read_ledger_from(
        std::io::Cursor::new(bytes),
        ingest::Format::Csv,
        &opts,
        &Config::default(),
        chunk_bytes,
    )
}

/// [`read_csv`] with summaries, expected to succeed.
fn read_chunked(bytes: &[u8], encoding: Encoding, chunk_bytes: usize) -> Ledger {
    read_csv(bytes, encoding, true, chunk_bytes)
        .unwrap_or_else(|e| panic!("chunk size {chunk_bytes}: {e}"))
}

/// A dirty generated ledger with every file-level oddity added: a title line
/// above the header, blank lines, a header repeated mid-file, ragged records,
/// a multi-line quoted cell, and case ids repeated far apart (first copy
/// rejected for another reason in one case, kept in the other).
fn streaming_ledger() -> (String, Vec<String>) {
    let data = jiucuo::generate::generate(400, 7, true).unwrap();
    let text = data.ledger_csv.trim_start_matches('\u{feff}').to_string();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header = lines[0].clone();
    let width = header.split(',').count();
    let row = |id: &str, date: &str, summary: &str| {
        let mut cells = vec![String::new(); width];
        cells[0] = id.into();
        cells[1] = "区城市管理局".into();
        cells[3] = "城市管理".into();
        cells[4] = "行政处罚".into();
        cells[6] = "其他".into();
        cells[9] = date.into();
        cells[width - 1] = summary.into();
        cells.join(",")
    };
    // first copy of DUP-A has an unreadable date (rejected), the second is kept;
    // DUP-B's first copy is kept and its two later copies are rejected.
    lines.insert(5, row("DUP-A", "2025-02-30", "甲"));
    lines.insert(9, row("DUP-B", "2025-05-06", "\"两行\n案情\""));
    lines.insert(100, String::new());
    lines.insert(101, String::new());
    lines.insert(200, header.clone());
    lines.insert(201, row("RAG-1", "2025-06-01", "多,一列"));
    lines.insert(202, "RAG-2,区城市管理局".to_string());
    lines.push(row("DUP-A", "2025-07-01", "乙"));
    lines.push(row("DUP-B", "2025-07-02", "丙"));
    lines.push(row("DUP-B", "2025-07-03", "丁"));
    let expected_dups = vec!["DUP-A".to_string(), "DUP-B".to_string()];
    let body = lines.join("\r\n");
    (format!("2026年监督案件台账\r\n{body}\r\n"), expected_dups)
}

fn assert_same_ledger(what: &str, a: &Ledger, b: &Ledger) {
    assert_eq!(a.accounting, b.accounting, "{what}: accounting");
    assert_eq!(a.findings, b.findings, "{what}: findings");
    assert_eq!(a.title_lines, b.title_lines, "{what}: title lines");
    assert_eq!(a.raw.blank_rows, b.raw.blank_rows, "{what}: blank rows");
    assert_eq!(a.raw.headers, b.raw.headers, "{what}: headers");
    assert_same_frame(&format!("{what}: cases"), &a.cases, &b.cases);
    assert_same_frame(
        &format!("{what}: rejected raw rows"),
        &a.raw.frame,
        &b.raw.frame,
    );
}

#[test]
fn a_csv_read_in_chunks_gives_the_same_ledger_as_read_whole() {
    let (csv, dups) = streaming_ledger();
    let whole = read_chunked(csv.as_bytes(), Encoding::Auto, usize::MAX);
    // The oddities are all seen in the whole read (so that the comparison means something).
    let codes = |l: &Ledger, code: &str| l.findings.iter().filter(|f| f.code == code).count();
    assert_eq!(whole.title_lines, ["2026年监督案件台账"]);
    assert_eq!(whole.raw.blank_rows.len(), 2);
    assert_eq!(codes(&whole, "header-repeated"), 1);
    assert_eq!(codes(&whole, "row-too-many-fields"), 1);
    assert_eq!(codes(&whole, "row-too-few-fields"), 1);
    for id in &dups {
        assert!(
            whole
                .findings
                .iter()
                .any(|f| f.code == "duplicate-case" && f.case_id.as_deref() == Some(id)),
            "{id} not found as duplicate"
        );
    }
    // DUP-A: the later copy is kept because the first was rejected anyway.
    let kept: Vec<i64> = whole
        .findings
        .iter()
        .filter(|f| f.code == "duplicate-kept")
        .filter(|f| f.case_id.as_deref() == Some("DUP-A"))
        .map(|f| f.row)
        .collect();
    assert_eq!(kept.len(), 1);
    assert!(kept[0] > 300, "DUP-A kept at row {}", kept[0]);
    let a = whole.accounting;
    assert_eq!(a.read, a.analysed + a.rejected);
    // Units and the enumerations are held as categoricals (memory); read as
    // text they are the cells of the file.
    for name in jiucuo::schema::CATEGORICAL_FIELDS {
        let dtype = whole.cases.column(name).unwrap().dtype().clone();
        assert!(
            matches!(dtype, DataType::Categorical(..)),
            "{name}: {dtype:?}"
        );
    }
    let text = jiucuo::schema::as_text(&whole.cases).collect().unwrap();
    let units: std::collections::BTreeSet<&str> = text
        .column("unit")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert!(
        units.iter().all(|u| csv.contains(&format!(",{u},"))),
        "{units:?}"
    );
    // about 20 chunks, and 4 (chunks smaller than a record: see ingest::chunks tests)
    for chunk in [5_000, 30_000] {
        let chunked = read_chunked(csv.as_bytes(), Encoding::Auto, chunk);
        assert_same_ledger(&format!("chunk {chunk} B"), &whole, &chunked);
    }
    // The same in GB18030: decoding block by block agrees.
    let (gbk, _, _) = encoding_rs::GB18030.encode(&csv);
    let chunked = read_chunked(&gbk, Encoding::Auto, 5_000);
    assert_same_ledger("GBK, chunk 5000 B", &whole, &chunked);
    // Without summaries: the same ledger, its 简要案情 column all null.
    let lean = read_csv(csv.as_bytes(), Encoding::Auto, false, 5_000).unwrap();
    let summary = lean.cases.column("summary").unwrap();
    assert_eq!(summary.dtype(), &DataType::String);
    assert_eq!(summary.null_count(), lean.cases.height());
    assert!(whole.cases.column("summary").unwrap().null_count() < whole.cases.height());
    let mut expected = whole.clone();
    expected.cases = expected
        .cases
        .lazy()
        .with_column(lit(NULL).cast(DataType::String).alias("summary"))
        .collect()
        .unwrap();
    assert_same_ledger("without summaries", &expected, &lean);
}

#[test]
fn a_later_chunk_in_another_encoding_is_refused_with_its_lines() {
    let (csv, _) = streaming_ledger();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    let (utf8_part, gbk_part) = lines.split_at(250);
    let mut bytes = utf8_part.join("\r\n").into_bytes();
    bytes.extend_from_slice(b"\r\n");
    // physical lines so far (a quoted cell spans two), the next one is GBK
    let first_gbk_line = bytes.iter().filter(|b| **b == b'\n').count() + 1;
    let gbk_text = gbk_part.join("\r\n");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&gbk_text);
    bytes.extend_from_slice(&gbk);
    for chunk in [usize::MAX, 4096] {
        let e = read_csv(&bytes, Encoding::Auto, true, chunk)
            .map(|l| l.accounting)
            .expect_err("a mixed file must be refused");
        let msg = e.to_string();
        // line 1 (the title) is UTF-8 Chinese
        assert!(msg.contains("第1行是 UTF-8"), "chunk {chunk}: {msg}");
        assert!(
            msg.contains(&format!("第{first_gbk_line}行是 GBK")),
            "chunk {chunk}: {msg}"
        );
    }
}

/// The next chunk is read on a second thread while this one is checked: an
/// error found by the checking side half-way through the file must stop the
/// reading side and come back as the error (a hang here would be a
/// deadlock between the two).
///
/// The error used is a unit column overflowing its two-byte codes, and the
/// category sets of the ledger are shared by every read in a process: run
/// in this test process, it left no room for the units of the tests after it
/// (they failed now and then, by test order). So the body runs in a process
/// of its own: this test binary, asked for that one ignored test.
#[test]
fn an_error_found_mid_file_stops_the_read_ahead_and_is_returned() {
    let name = "ingest::read_ahead_stopped_by_a_mid_file_error";
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--ignored", "--test-threads=1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "run in a process of its own by an_error_found_mid_file_stops_the_read_ahead_and_is_returned"]
fn read_ahead_stopped_by_a_mid_file_error() {
    let mut body = String::from("案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期\n");
    // distinct units: the 65,536th overflows the coded column, 34 k rows before the end
    for i in 0..100_000 {
        body.push_str(&format!(
            "A{i},单位{i},市场监管,行政处罚,文书瑕疵,2025-04-01\n"
        ));
    }
    let e = read_csv(body.as_bytes(), Encoding::Auto, false, 64 << 10)
        .map(|l| l.accounting)
        .expect_err("an overflowing unit column must be refused");
    let msg = e.to_string();
    assert!(msg.contains("“执法单位”列的不同取值超过 65535 个"), "{msg}");
}

/// Two UTF-8 exports with a byte-order mark pasted together leave a BOM at
/// the start of a line mid-file. Read whole or in chunks of any size (the
/// parser's batches begin anywhere), the ledger is the same and the BOM is
/// not part of the case id. (Found by the CSV fuzz target: a batch starting
/// on that line lost the BOM, the whole read kept it.)
#[test]
fn a_byte_order_mark_mid_file_reads_the_same_in_any_chunking() {
    let export = "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期\nA1,甲局,市场监管,行政处罚,文书瑕疵,2026-04-01\n";
    let second = "B1,乙局,市场监管,行政处罚,文书瑕疵,2026-04-02\n";
    let bytes: Vec<u8> = [
        b"\xEF\xBB\xBF".as_slice(),
        export.as_bytes(),
        b"\xEF\xBB\xBF",
        second.as_bytes(),
    ]
    .concat();
    let whole = read_chunked(&bytes, Encoding::Auto, usize::MAX);
    let ids = |l: &Ledger| -> Vec<Option<String>> {
        l.cases
            .column("case_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(String::from))
            .collect()
    };
    assert_eq!(
        ids(&whole),
        [Some("A1".to_string()), Some("B1".to_string())]
    );
    for chunk in 1..=120 {
        let chunked = read_chunked(&bytes, Encoding::Auto, chunk);
        assert_eq!(whole.accounting, chunked.accounting, "chunk {chunk}");
        assert_eq!(whole.findings, chunked.findings, "chunk {chunk}");
        assert_eq!(ids(&whole), ids(&chunked), "chunk {chunk}");
    }
}
