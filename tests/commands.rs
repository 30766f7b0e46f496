//! The commands around the ledger: `template`, `init`, `generate`, and the
//! output formats and exit codes of `validate`.

use std::io::Read;

use polars::prelude::*;

use crate::util::{self, Fixture, JsonFinding};

/// The reference headers of ledger.md, in its order (written out from the spec).
pub(crate) const REFERENCE_HEADERS: [&str; 37] = [
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
    "纠错日期",
    "归档日期",
    "技术调查天数",
    "延长天数",
    "调查人数",
    "应回避未回避",
    "是否听证",
    "联合调查",
    "移交日期",
    "移交办结日期",
    "办结报备日期",
    "认定结果",
    "适用条款",
    "复核申请日期",
    "复核决定日期",
    "复核结果",
    "整改期限",
    "整改延期至",
    "整改完成日期",
    "举报核查结论",
    "反馈举报人日期",
    "澄清正名日期",
    "恶意举报",
    "简要案情",
];

/// Spreadsheet column letters of a 0-based index (A, …, Z, AA, …).
fn column_letters(mut j: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (j % 26) as u8);
        if j < 26 {
            break;
        }
        j = j / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

fn zip_entry(path: &std::path::Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = ::zip::ZipArchive::new(file).expect("xlsx is a zip");
    let mut entry = archive.by_name(name).expect("entry present");
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    text
}

/// `(sqref, formula1)` of every `<dataValidation>` of a worksheet XML.
fn data_validations(xml: &str) -> Vec<(String, String)> {
    xml.split("<dataValidation ")
        .skip(1)
        .map(|part| {
            let attr = |name: &str| {
                let start = part.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                part[start..].split('"').next().unwrap().to_string()
            };
            let f1 = part
                .split("<formula1>")
                .nth(1)
                .and_then(|s| s.split("</formula1>").next())
                .unwrap_or("")
                .to_string();
            (attr("sqref"), f1)
        })
        .collect()
}

#[test]
fn template_has_reference_headers_and_enum_dropdowns() {
    let fx = Fixture::new();
    let run = fx.jiucuo(["template", "--out", "t.xlsx"]).ok();
    assert!(run.stderr.contains("t.xlsx"), "{}", run.stderr);
    let cells = util::xlsx_cells(&fx.path("t.xlsx"));
    assert_eq!(cells[0], REFERENCE_HEADERS);

    let xml = zip_entry(&fx.path("t.xlsx"), "xl/worksheets/sheet1.xml");
    let rules = data_validations(&xml);
    let dropdown = |header: &str| -> String {
        let j = REFERENCE_HEADERS.iter().position(|h| *h == header).unwrap();
        let letter = column_letters(j);
        rules
            .iter()
            .find(|(sqref, _)| sqref.starts_with(&format!("{letter}2:{letter}")))
            .unwrap_or_else(|| panic!("no dropdown on {header} ({letter}): {rules:?}"))
            .1
            .clone()
    };
    let list = |items: &[&str]| format!("\"{}\"", items.join(","));
    assert_eq!(
        dropdown("执法事项类别"),
        list(&[
            "行政处罚",
            "行政许可",
            "行政强制",
            "行政检查",
            "行政收费",
            "行政确认",
            "行政登记",
            "行政给付",
            "行政裁决",
            "行政征收征用"
        ])
    );
    assert_eq!(
        dropdown("认定结果"),
        list(&["履职尽责", "免责", "减轻", "从轻", "不予容错"])
    );
    assert_eq!(dropdown("单位类型"), list(&["街道办事处", "区政府部门"]));
    assert_eq!(
        dropdown("案件来源"),
        list(&[
            "执法监督检查",
            "实名举报",
            "匿名举报",
            "上级交办",
            "部门移送",
            "其他"
        ])
    );
    assert_eq!(dropdown("复核结果"), list(&["维持", "变更", "撤销"]));
    assert_eq!(
        dropdown("举报核查结论"),
        list(&["属实", "部分属实", "不属实", "查无实据"])
    );
    for b in [
        "主观过错",
        "应回避未回避",
        "是否听证",
        "联合调查",
        "恶意举报",
    ] {
        assert_eq!(dropdown(b), list(&["是", "否"]), "{b}");
    }
    // 4 enums besides matter/outcome, 5 booleans, and those two: 11 dropdowns.
    assert_eq!(rules.len(), 11, "{rules:?}");

    // The blank template is itself a valid (empty) ledger.
    let run = fx.jiucuo(["validate", "t.xlsx", "--format", "json"]).ok();
    assert_eq!(run.accounting(), (0, 0, 0));
    assert_eq!(run.findings(), vec![]);
}

/// A ledger with two rejected rows and one warning.
const SMALL: &str = "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,调查人数\n\
C-1,区农业农村局,农业农村,行政检查,其他,2025-04-01,2\n\
,区农业农村局,农业农村,行政检查,其他,2025-04-02,2\n\
C-3,区农业农村局,农业农村,行政检查,新问题,2025-04-03,2\n\
C-4,区农业农村局,农业农村,行政检查,其他,2025-04-31,2\n";

const CLEAN: &str = "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期\n\
C-1,区农业农村局,农业农村,行政检查,其他,2025-04-01\n\
C-3,区农业农村局,农业农村,行政检查,新问题,2025-04-03\n";

#[test]
fn init_writes_a_config_that_reads_back_and_is_not_overwritten() {
    let fx = Fixture::new();
    fx.write("ledger.csv", SMALL);
    let baseline = fx
        .jiucuo(["validate", "ledger.csv", "--format", "json"])
        .ok();

    let run = fx.jiucuo(["init", "--out", "cfg/jiucuo.toml"]).ok();
    assert!(run.stderr.contains("cfg/jiucuo.toml"), "{}", run.stderr);
    let written = fx.read("cfg/jiucuo.toml");
    let text = String::from_utf8(written.clone()).unwrap();
    assert!(text.contains("[ledger.headers]"), "{text}");
    let with_config = fx
        .jiucuo([
            "validate",
            "ledger.csv",
            "--format",
            "json",
            "--config",
            "cfg/jiucuo.toml",
        ])
        .ok();
    assert_eq!(with_config.stdout, baseline.stdout);
    assert_eq!(with_config.accounting(), (4, 2, 2));

    // Not overwritten without --force; overwritten with it.
    fx.write("cfg/jiucuo.toml", "# mine\n");
    let refused = fx
        .jiucuo(["init", "--out", "cfg/jiucuo.toml"])
        .expect_code(2);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(fx.read("cfg/jiucuo.toml"), b"# mine\n");
    fx.jiucuo(["init", "--out", "cfg/jiucuo.toml", "--force"])
        .ok();
    assert_eq!(fx.read("cfg/jiucuo.toml"), written);

    // The default location is the working folder, where validate picks it up.
    fx.jiucuo(["init"]).ok();
    assert_eq!(fx.read("jiucuo.toml"), written);
    let picked = fx
        .jiucuo(["validate", "ledger.csv", "--format", "json"])
        .ok();
    assert_eq!(picked.stdout, baseline.stdout);
    // A broken one in the working folder is reported, not ignored.
    fx.write("jiucuo.toml", "[ledger]\nencodng = \"gbk\"\n");
    let broken = fx.jiucuo(["validate", "ledger.csv"]).expect_code(2);
    assert!(broken.stderr.contains("jiucuo.toml"), "{}", broken.stderr);
}

#[test]
fn fail_on_error_exits_1_only_when_rows_are_rejected() {
    let fx = Fixture::new();
    fx.write("bad.csv", SMALL);
    fx.write("warn.csv", CLEAN);
    let run = fx
        .jiucuo(["validate", "bad.csv", "--format", "json", "--fail-on-error"])
        .expect_code(1);
    assert_eq!(run.accounting(), (4, 2, 2));
    assert!(fx.path("bad.rejects.xlsx").exists());
    fx.jiucuo(["validate", "bad.csv", "--format", "json"]).ok();
    // Warnings alone do not fail the run.
    let run = fx
        .jiucuo([
            "validate",
            "warn.csv",
            "--format",
            "json",
            "--fail-on-error",
        ])
        .ok();
    assert_eq!(run.accounting(), (2, 2, 0));
    let codes: Vec<String> = run.findings().into_iter().map(|f| f.code).collect();
    assert_eq!(codes, ["error-type-unknown"]);
}

/// One expected finding: (row, case_id, column, value, severity, code).
type Expected = (
    i64,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The findings of [`SMALL`], worked out by hand.
fn small_expected() -> Vec<Expected> {
    vec![
        (3, None, "案件编号", "", "error", "required-missing"),
        (
            4,
            Some("C-3"),
            "问题类型",
            "新问题",
            "warning",
            "error-type-unknown",
        ),
        (
            5,
            Some("C-4"),
            "立案日期",
            "2025-04-31",
            "error",
            "date-invalid",
        ),
    ]
}

const COLUMNS: [&str; 7] = [
    "row", "case_id", "column", "value", "severity", "code", "message",
];

#[test]
fn findings_are_written_in_every_output_format() {
    let fx = Fixture::new();
    fx.write("ledger.csv", SMALL);
    let json = fx
        .jiucuo(["validate", "ledger.csv", "--format", "json"])
        .ok();
    let findings = json.findings();
    let got: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f.row,
                f.case_id.as_deref(),
                f.column.as_str(),
                f.value.as_str(),
                f.severity.as_str(),
                f.code.as_str(),
            )
        })
        .collect();
    assert_eq!(got, small_expected());

    let out = |format: &str, file: &str, extra: &[&str]| {
        let mut args = vec![
            "validate",
            "ledger.csv",
            "--format",
            format,
            "--output",
            file,
        ];
        args.extend_from_slice(extra);
        let run = fx.jiucuo(&args).ok();
        assert!(run.stdout.is_empty(), "{format}: table goes to the file");
        assert_eq!(run.accounting(), (4, 2, 2));
        fx.read(file)
    };

    // json to a file is what stdout showed, keys in the contract's order.
    assert_eq!(out("json", "f.json", &[]), json.stdout);
    let text = json.stdout_text();
    let records: Vec<&str> = text.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(records.len(), findings.len());
    for record in records {
        let record = record.trim_end_matches(',');
        assert_eq!(util::json_keys(record), COLUMNS, "{record}");
    }

    // csv: BOM by default, --no-bom drops it; same records otherwise.
    let csv = out("csv", "f.csv", &[]);
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let plain = out("csv", "plain.csv", &["--no-bom"]);
    assert!(!plain.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(&csv[3..], &plain[..]);
    let text = String::from_utf8(plain).unwrap();
    assert_eq!(text.lines().next().unwrap(), COLUMNS.join(","));
    let df = CsvReadOptions::default()
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(std::io::Cursor::new(text.into_bytes()))
        .finish()
        .unwrap();
    assert_frame_matches("csv", &df, &findings);

    // ndjson: one object per line.
    let nd = String::from_utf8(out("ndjson", "f.ndjson", &[])).unwrap();
    for line in nd.lines() {
        assert_eq!(util::json_keys(line), COLUMNS, "{line}");
    }
    let lines: Vec<serde_json::Value> = nd
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let as_array: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(serde_json::Value::Array(lines), as_array);

    // parquet: typed columns in contract order.
    out("parquet", "f.parquet", &[]);
    let df = util::read_parquet(&fx.path("f.parquet"));
    assert_eq!(df.column("row").unwrap().dtype(), &DataType::Int64);
    assert_frame_matches("parquet", &df, &findings);

    // xlsx: header row, then one row per finding.
    out("xlsx", "f.xlsx", &[]);
    let cells = util::xlsx_cells(&fx.path("f.xlsx"));
    assert_eq!(cells[0], COLUMNS);
    assert_eq!(cells.len(), findings.len() + 1);
    for (row, f) in cells[1..].iter().zip(&findings) {
        let expected = [
            f.row.to_string(),
            f.case_id.clone().unwrap_or_default(),
            f.column.clone(),
            f.value.clone(),
            f.severity.clone(),
            f.code.clone(),
            f.message.clone(),
        ];
        assert_eq!(row[..], expected[..]);
    }

    // The format follows the extension when not given.
    let run = fx
        .jiucuo(["validate", "ledger.csv", "--output", "by-ext.json"])
        .ok();
    assert!(run.stdout.is_empty());
    assert_eq!(fx.read("by-ext.json"), json.stdout);
}

/// A findings frame read back from csv/parquet equals the JSON records.
fn assert_frame_matches(what: &str, df: &DataFrame, findings: &[JsonFinding]) {
    assert_eq!(
        df.get_column_names()
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
        COLUMNS,
        "{what}"
    );
    assert_eq!(df.height(), findings.len(), "{what}");
    let col = |name: &str| util::texts(df, name);
    for (i, f) in findings.iter().enumerate() {
        assert_eq!(col("row")[i], Some(f.row.to_string()), "{what}");
        assert_eq!(col("case_id")[i], f.case_id, "{what}");
        assert_eq!(
            col("column")[i].as_deref(),
            Some(f.column.as_str()),
            "{what}"
        );
        assert_eq!(
            col("value")[i].clone().unwrap_or_default(),
            f.value,
            "{what}"
        );
        assert_eq!(
            col("severity")[i].as_deref(),
            Some(f.severity.as_str()),
            "{what}"
        );
        assert_eq!(col("code")[i].as_deref(), Some(f.code.as_str()), "{what}");
        assert_eq!(
            col("message")[i].as_deref(),
            Some(f.message.as_str()),
            "{what}"
        );
    }
}

/// Every file the demo writes, relative to its folder, sorted.
fn tree(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn demo_writes_every_report_and_is_byte_identical_across_runs() {
    let fx = Fixture::new();
    for out in ["d1", "d2"] {
        let run = fx.jiucuo(["demo", "--rows", "800", "--out", out]).ok();
        assert!(run.stderr.contains("演示完成"), "{}", run.stderr);
        let (read, analysed, rejected) = run.accounting();
        assert_eq!((read, analysed + rejected), (800, 800));
    }
    let files = tree(&fx.path("d1"));
    assert_eq!(files, tree(&fx.path("d2")));
    let names: Vec<String> = files
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    for ext in ["docx", "html", "xlsx", "csv", "json"] {
        assert!(
            names.iter().any(|n| n.ends_with(ext)),
            "no .{ext} in {names:?}"
        );
    }
    for want in [
        "报告/季度报告-2026Q3.docx",
        "报告/试点评估报告.html",
        "分析/hotspots.csv",
        "校验/rejects.xlsx",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("报告/警示提醒函-2026Q3-")),
        "warning notices"
    );
    for f in &files {
        assert_eq!(
            std::fs::read(fx.path("d1").join(f)).unwrap(),
            std::fs::read(fx.path("d2").join(f)).unwrap(),
            "{} differs between two demo runs",
            f.display()
        );
    }
}

/// Every flag is checked before the ledger is opened: a typo is reported at
/// once, and on a ledger path that does not exist it is the flag's error,
/// not the file's.
#[test]
fn flags_are_checked_before_the_ledger_is_read() {
    let fx = Fixture::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["hotspots", "nope.csv", "--quarter", "2026Q5"],
            "--quarter",
        ),
        (
            &[
                "report",
                "quarterly",
                "nope.csv",
                "--quarter",
                "2026Q9",
                "--out",
                "r",
            ],
            "--quarter",
        ),
        (
            &[
                "charts",
                "nope.csv",
                "--quarter",
                "二〇二六年",
                "--out",
                "c",
            ],
            "--quarter",
        ),
        (
            &["deadlines", "nope.csv", "--as-of", "2026-13-01"],
            "--as-of",
        ),
        (
            &["analyze", "nope.csv", "--as-of", "昨天", "--out", "a"],
            "--as-of",
        ),
        (
            &[
                "query",
                "nope.csv",
                "--name",
                "by_unit",
                "--from",
                "2026-01-01",
                "--to",
                "x",
            ],
            "--to",
        ),
        (&["repeats", "nope.csv", "--encoding", "big5"], "--encoding"),
        (
            &[
                "check",
                "nope.csv",
                "--officer",
                "甲",
                "--problem",
                "文书瑕疵",
                "--filed",
                "x",
            ],
            "--filed",
        ),
        (
            &["query", "nope.csv", "--name", "no_such_query"],
            "no_such_query",
        ),
    ];
    for (args, flag) in cases {
        let run = fx.jiucuo(*args).expect_code(2);
        assert!(run.stderr.contains(flag), "{args:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("nope.csv"),
            "{args:?} opened the ledger first: {}",
            run.stderr
        );
    }
    // --format is checked by the argument parser itself
    let run = fx.jiucuo(["outcomes", "nope.csv", "--format", "docx"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("docx"), "{}", run.stderr);
}
