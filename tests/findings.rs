//! Findings the office can stand behind (rules.md revision 2): on a ledger
//! with no planted risk at all, the risk points and warning notices stay
//! rare; what the rules change is checked end to end through the binary.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::util::Fixture;

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or("").to_string()
}

fn median(mut v: Vec<usize>) -> f64 {
    v.sort_unstable();
    let n = v.len();
    assert!(n > 0);
    if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    }
}

/// The pilot's full quarters up to the generated data's as-of date
/// (2026-11-30): 2025Q2 … 2026Q3.
const FULL_QUARTERS: [&str; 6] = ["2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"];

#[test]
fn a_ledger_with_no_planted_risk_raises_few_flags_and_fewer_notices() {
    let fx = Fixture::new();
    fx.jiucuo([
        "generate",
        "--rows",
        "10000",
        "--seed",
        "7",
        "--no-plants",
        "--out",
        "null",
    ])
    .ok();
    let truth: Value = serde_json::from_slice(&fx.read("null/truth.json")).unwrap();
    assert_eq!(truth["plants"], false);
    assert!(truth["hotspots"].as_array().unwrap().is_empty());
    for volume in [false, true] {
        let mut args = vec![
            "hotspots",
            "null/ledger.csv",
            "--as-of",
            "2026-11-30",
            "--format",
            "json",
            "--output",
            "h.json",
        ];
        if volume {
            args.extend(["--volume", "null/volume.csv"]);
        }
        fx.jiucuo(&args).ok();
        let cells: Vec<Value> = serde_json::from_slice(&fx.read("h.json")).unwrap();
        let mut rising: BTreeMap<String, usize> = BTreeMap::new();
        let mut unit_errors: BTreeMap<String, usize> = BTreeMap::new();
        let mut notices: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for c in &cells {
            let w = s(c, "window");
            let signals: Vec<String> = c["signals"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect();
            if signals.iter().any(|x| x == "rising") {
                *rising.entry(w.clone()).or_default() += 1;
            }
            let level = s(c, "level");
            if s(c, "dims") == "unit×error_type" && (level == "warning" || level == "alarm") {
                *unit_errors.entry(w.clone()).or_default() += 1;
            }
            // a unit gets a notice for an alarm-level risk point of its own
            if level == "alarm" && !s(c, "unit").is_empty() {
                notices.entry(w).or_default().insert(s(c, "unit"));
            }
        }
        let per_quarter = |m: &BTreeMap<String, usize>| -> Vec<usize> {
            FULL_QUARTERS
                .iter()
                .map(|q| m.get(*q).copied().unwrap_or(0))
                .collect()
        };
        let notice_counts: BTreeMap<String, usize> =
            notices.iter().map(|(k, v)| (k.clone(), v.len())).collect();
        let what = if volume {
            "with volume"
        } else {
            "without volume"
        };
        assert!(
            median(per_quarter(&rising)) <= 1.0,
            "{what}: rising flags per quarter {rising:?}"
        );
        assert!(
            median(per_quarter(&unit_errors)) <= 2.0,
            "{what}: unit×error_type cells at warning or above {unit_errors:?}"
        );
        assert!(
            median(per_quarter(&notice_counts)) <= 1.0,
            "{what}: units earning a notice {notices:?}"
        );
    }
    // The warning notices the report writes are exactly the units above.
    fx.jiucuo([
        "report",
        "warnings",
        "null/ledger.csv",
        "--quarter",
        "2026Q2",
        "--as-of",
        "2026-11-30",
        "--out",
        "w",
    ])
    .ok();
    let letters = std::fs::read_dir(fx.path("w"))
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "docx")
            })
            .count()
        })
        .unwrap_or(0);
    assert!(letters <= 1, "{letters} notices on a ledger with no risk");
}

/// Every analysis command judges the ledger as it stood on `--as-of`: an
/// earlier error decided after that date establishes nothing yet.
#[test]
fn every_analysis_command_takes_the_as_of_date() {
    let fx = Fixture::new();
    fx.write(
        "l.csv",
        "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,认定日期,认定结果,适用条款,涉及人员,主观过错\n\
         A1,区市场监督管理局,市场监管,行政处罚,文书瑕疵,2026-03-02,2026-04-20,不予容错,第十二条第（一）项,甲,是\n\
         A2,区市场监督管理局,市场监管,行政处罚,文书瑕疵,2026-05-04,,,,甲,是\n\
         A3,区市场监督管理局,市场监管,行政处罚,文书瑕疵,2026-06-01,,,,甲,是\n\
         B1,区市场监督管理局,市场监管,行政处罚,超期办理,2026-03-02,2026-04-02,不予容错,第十二条第（五）项,丙,是\n",
    );
    let flagged = |as_of: &str| -> Vec<String> {
        let run = fx
            .jiucuo(["repeats", "l.csv", "--as-of", as_of, "--format", "json"])
            .ok();
        let rows: Vec<Value> = serde_json::from_slice(&run.stdout).unwrap();
        rows.iter().map(|r| s(r, "case_id")).collect()
    };
    // A1 was decided on 04-20, before A2 (05-04) and A3 (06-01) were filed.
    assert_eq!(flagged("2026-06-30"), ["A2", "A3"]);
    // As of 04-10 A1 was undecided and A2 not yet filed: nothing.
    assert!(flagged("2026-04-10").is_empty());
    // As of 05-10 the ledger had A1 decided and A2 filed; A3 did not exist.
    assert_eq!(flagged("2026-05-10"), ["A2"]);
    let outcome_rows = |as_of: &str| -> i64 {
        let run = fx
            .jiucuo(["outcomes", "l.csv", "--as-of", as_of, "--format", "json"])
            .ok();
        let rows: Vec<Value> = serde_json::from_slice(&run.stdout).unwrap();
        rows.iter()
            .filter(|r| s(r, "section") == "outcome_by_unit" && s(r, "item") == "不予容错")
            .map(|r| r["count"].as_i64().unwrap())
            .sum()
    };
    // B1 (decided 04-02) counts from 04-02, A1 from 04-20
    assert_eq!(outcome_rows("2026-04-19"), 1);
    assert_eq!(outcome_rows("2026-04-20"), 2);
    // B1 cites 12(5) with no earlier case of 丙: listed by outcomes
    let run = fx
        .jiucuo([
            "outcomes",
            "l.csv",
            "--as-of",
            "2026-06-30",
            "--format",
            "json",
        ])
        .ok();
    let rows: Vec<Value> = serde_json::from_slice(&run.stdout).unwrap();
    let cited: Vec<String> = rows
        .iter()
        .filter(|r| s(r, "section") == "cited_without_basis")
        .map(|r| s(r, "item"))
        .collect();
    assert_eq!(cited, ["B1"]);
    // the named queries judge the ledger as of the date too
    let filed_in_q2 = |as_of: &str| -> i64 {
        let run = fx
            .jiucuo([
                "query",
                "l.csv",
                "--name",
                "overview_by_quarter",
                "--as-of",
                as_of,
                "--format",
                "json",
            ])
            .ok();
        let rows: Vec<Value> = serde_json::from_slice(&run.stdout).unwrap();
        rows.iter()
            .filter(|r| s(r, "quarter") == "2026Q2")
            .map(|r| r["filed"].as_i64().unwrap())
            .sum()
    };
    // A2 (05-04) and A3 (06-01) are filed in 2026Q2
    assert_eq!(filed_in_q2("2026-05-10"), 1);
    assert_eq!(filed_in_q2("2026-06-30"), 2);
    // The stderr says what the date left out.
    let run = fx
        .jiucuo([
            "hotspots",
            "l.csv",
            "--as-of",
            "2026-05-10",
            "--format",
            "json",
        ])
        .ok();
    assert!(
        run.stderr
            .contains("基准日 2026-05-10 之后立案的 1 件尚未发生"),
        "{}",
        run.stderr
    );
    for command in ["deadlines", "query", "charts"] {
        let mut args = vec![command, "l.csv", "--as-of", "2026-13-01"];
        if command == "query" {
            args.extend(["--name", "by_unit"]);
        }
        if command == "charts" {
            args.extend(["--out", "c"]);
        }
        let run = fx.jiucuo(&args).expect_code(2);
        assert!(
            run.stderr.contains("2026-13-01"),
            "{command}: {}",
            run.stderr
        );
    }
}
