//! The analyses on generated data: every planted deadline, repeat and risk
//! point is found with the planted status (truth.json), for several seeds.

use serde_json::Value;

use crate::util::Fixture;

fn json(fx: &Fixture, path: &str) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&fx.read(path)).expect("json output");
    v.as_array().expect("an array of records").clone()
}

fn s(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(x) => x.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn strings(v: &Value, k: &str) -> Vec<String> {
    v[k].as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Generate, analyse with volume, and return (truth, deadlines, repeats, hotspots).
fn analysed(fx: &Fixture, seed: u64) -> (Value, Vec<Value>, Vec<Value>, Vec<Value>) {
    let dir = format!("g{seed}");
    fx.jiucuo([
        "generate",
        "--rows",
        "1500",
        "--seed",
        &seed.to_string(),
        "--out",
        &dir,
        "--dirty",
    ])
    .ok();
    let out = format!("{dir}/an");
    let run = fx
        .jiucuo([
            "analyze",
            &format!("{dir}/ledger.csv"),
            "--volume",
            &format!("{dir}/volume.csv"),
            "--as-of",
            "2026-11-30",
            "--format",
            "json",
            "--out",
            &out,
        ])
        .ok();
    let (read, analysed, rejected) = run.accounting();
    assert_eq!((read, analysed + rejected), (1500, 1500));
    let truth: Value = serde_json::from_slice(&fx.read(&format!("{dir}/truth.json"))).unwrap();
    (
        truth,
        json(fx, &format!("{out}/deadlines.json")),
        json(fx, &format!("{out}/repeats.json")),
        json(fx, &format!("{out}/hotspots.json")),
    )
}

#[test]
fn planted_patterns_are_found_for_several_seeds() {
    let fx = Fixture::new();
    for seed in [5u64, 41, 777] {
        let (truth, deadlines, repeats, hotspots) = analysed(&fx, seed);

        let planted = truth["deadlines"].as_array().unwrap();
        assert_eq!(planted.len(), 9, "seed {seed}");
        for p in planted {
            let row = deadlines
                .iter()
                .find(|d| s(d, "case_id") == s(p, "case_id") && s(d, "rule") == s(p, "rule"))
                .unwrap_or_else(|| panic!("seed {seed}: no {} {}", s(p, "case_id"), s(p, "rule")));
            assert_eq!(
                s(row, "status"),
                s(p, "status"),
                "seed {seed} {}: {}",
                s(p, "case_id"),
                s(p, "why")
            );
            assert_eq!(
                s(row, "deadline"),
                s(p, "deadline"),
                "seed {seed} {}",
                s(p, "case_id")
            );
            assert_eq!(
                row["days_late"].as_i64(),
                p["days_late"].as_i64(),
                "seed {seed} {}",
                s(p, "case_id")
            );
        }

        for p in truth["repeats"].as_array().unwrap() {
            let row = repeats
                .iter()
                .find(|r| {
                    s(r, "case_id") == s(p, "case_id")
                        && s(r, "officer") == s(p, "officer")
                        && s(r, "kind") == s(p, "kind")
                })
                .unwrap_or_else(|| {
                    panic!(
                        "seed {seed}: repeat {} {} {} not found",
                        s(p, "case_id"),
                        s(p, "officer"),
                        s(p, "kind")
                    )
                });
            assert_eq!(
                strings(row, "prior_case_ids"),
                strings(p, "prior_case_ids"),
                "seed {seed}"
            );
            assert_eq!(
                row["inconsistent"],
                p["inconsistent"],
                "seed {seed} {}",
                s(p, "case_id")
            );
        }
        for p in truth["not_repeats"].as_array().unwrap() {
            assert!(
                !repeats
                    .iter()
                    .any(|r| s(r, "case_id") == s(p, "case_id")
                        && s(r, "officer") == s(p, "officer")),
                "seed {seed}: {} flagged for {} although {}",
                s(p, "case_id"),
                s(p, "officer"),
                s(p, "why")
            );
        }

        // Without the volume file, the planted risk points that do not need
        // it are found too (unit×domain cells exist only with volume).
        let dir = format!("g{seed}");
        fx.jiucuo([
            "hotspots",
            &format!("{dir}/ledger.csv"),
            "--as-of",
            "2026-11-30",
            "--format",
            "json",
            "--output",
            &format!("{dir}/h-novol.json"),
        ])
        .ok();
        let without = json(&fx, &format!("{dir}/h-novol.json"));
        for (p, table) in truth["hotspots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p, &hotspots))
            .chain(
                truth["hotspots"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|p| p["needs_volume"] == false)
                    .map(|p| (p, &without)),
            )
        {
            let row = table
                .iter()
                .find(|h| {
                    s(h, "window") == s(p, "window")
                        && s(h, "dims") == s(p, "dims")
                        && s(h, "unit") == s(p, "unit")
                        && s(h, "domain") == s(p, "domain")
                        && s(h, "error_type") == s(p, "error_type")
                })
                .unwrap_or_else(|| panic!("seed {seed}: planted risk point {p} not flagged"));
            let signals = strings(row, "signals");
            assert!(
                signals.contains(&s(p, "signal")),
                "seed {seed}: {p} has signals {signals:?}"
            );
            // planted cases are errors; some may still be undecided
            assert!(
                row["count"].as_i64().unwrap() + row["pending"].as_i64().unwrap()
                    >= p["planted_cases"].as_i64().unwrap()
            );
            assert_ne!(s(row, "level"), "watch");
        }
    }
}

#[test]
fn outputs_follow_the_column_contract_and_sort_order() {
    let fx = Fixture::new();
    let (_, deadlines, repeats, hotspots) = analysed(&fx, 9);
    let keys =
        |rows: &[Value]| -> Vec<String> { rows[0].as_object().unwrap().keys().cloned().collect() };
    // serde_json maps are sorted; compare as sets here and check order in CSV below
    let mut expected: Vec<String> = [
        "case_id",
        "unit",
        "rule",
        "article",
        "start",
        "deadline",
        "actual",
        "days_late",
        "status",
        "note",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect();
    expected.sort();
    let mut got = keys(&deadlines);
    got.sort();
    assert_eq!(got, expected);
    let sorted_by = |rows: &[Value], f: &dyn Fn(&Value) -> (String, String)| {
        rows.windows(2).all(|w| f(&w[0]) <= f(&w[1]))
    };
    assert!(sorted_by(&deadlines, &|r| (s(r, "case_id"), s(r, "rule"))));
    assert!(repeats
        .windows(2)
        .all(|w| s(&w[0], "officer") <= s(&w[1], "officer")));
    assert!(hotspots.windows(2).all(|w| {
        let (a, b) = (&w[0], &w[1]);
        s(a, "window") < s(b, "window")
            || (s(a, "window") == s(b, "window")
                && a["weighted"].as_f64() >= b["weighted"].as_f64())
    }));
    // CSV header order is exactly the contract's
    fx.jiucuo([
        "deadlines",
        "g9/ledger.csv",
        "--as-of",
        "2026-11-30",
        "--format",
        "csv",
        "--output",
        "d.csv",
    ])
    .ok();
    let text = String::from_utf8(fx.read("d.csv")).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "\u{feff}case_id,unit,rule,article,start,deadline,actual,days_late,status,note"
    );
    fx.jiucuo([
        "repeats",
        "g9/ledger.csv",
        "--format",
        "csv",
        "--output",
        "r.csv",
        "--no-bom",
    ])
    .ok();
    let text = String::from_utf8(fx.read("r.csv")).unwrap();
    assert_eq!(text.lines().next().unwrap(), "case_id,officer,unit,problem,kind,prior_case_ids,first_prior_on,gap_days,outcome,inconsistent,basis_uncertain,pending_priors");
    fx.jiucuo([
        "hotspots",
        "g9/ledger.csv",
        "--quarter",
        "2026Q2",
        "--format",
        "csv",
        "--output",
        "h.csv",
        "--no-bom",
    ])
    .ok();
    let text = String::from_utf8(fx.read("h.csv")).unwrap();
    assert_eq!(text.lines().next().unwrap(), "window,dims,unit,domain,error_type,count,pending,weighted,expected,ratio,p_value,q_value,rising_p,rising_q,signals,level,officer_repeats,after_correction,case_ids");
    assert!(
        text.lines().skip(1).all(|l| l.starts_with("2026Q2,")),
        "only the asked quarter"
    );
}

#[test]
fn check_bars_tolerance_for_a_planted_repeat_officer() {
    let fx = Fixture::new();
    let (truth, _, _, _) = analysed(&fx, 13);
    let after = truth["repeats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| s(r, "kind") == "R-after-tolerance" && r["inconsistent"] == false)
        .unwrap()
        .clone();
    let officer = s(&after, "officer");
    let repeats = json(&fx, "g13/an/repeats.json");
    let problem = repeats
        .iter()
        .find(|r| s(r, "case_id") == s(&after, "case_id"))
        .map(|r| s(r, "problem"))
        .unwrap();
    let run = fx.jiucuo([
        "check",
        "g13/ledger.csv",
        "--officer",
        &officer,
        "--problem",
        &problem,
        "--as-of",
        "2026-11-30",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "barred → exit 1: {}", run.stderr);
    let rows: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(rows[0]["barred"], true);
    let priors = strings(&rows[0], "prior_case_ids");
    for p in strings(&after, "prior_case_ids") {
        assert!(priors.contains(&p), "{p} in {priors:?}");
    }
    assert!(rows[0]["reason"]
        .as_str()
        .unwrap()
        .contains("第十二条第（五）项"));
    // an officer with no cases is not barred: exit 0
    let run = fx.jiucuo([
        "check",
        "g13/ledger.csv",
        "--officer",
        "无此人",
        "--problem",
        &problem,
        "--as-of",
        "2026-11-30",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0);
}

/// `hotspots --from --to` analyses one date range: every cell it reports
/// counts the cases of the ledger filed in the range with the cell's unit,
/// domain and error type (counted here from the CSV), and lists them.
#[test]
fn a_date_range_window_counts_the_cases_filed_in_it() {
    let fx = Fixture::new();
    fx.jiucuo(["generate", "--rows", "800", "--seed", "3", "--out", "g"])
        .ok();
    fx.jiucuo([
        "hotspots",
        "g/ledger.csv",
        "--from",
        "2025-10-01",
        "--to",
        "2025-12-31",
        "--format",
        "json",
        "--output",
        "h.json",
    ])
    .ok();
    let cells = json(&fx, "h.json");
    assert!(!cells.is_empty(), "the generator plants risk points");
    let text = String::from_utf8(fx.read("g/ledger.csv")).unwrap();
    let (header, rows) = crate::util::csv_records(&text);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id, unit, domain, error, filed) = (
        at("案件编号"),
        at("执法单位"),
        at("执法领域"),
        at("问题类型"),
        at("立案日期"),
    );
    let (decided, outcome, finding) = (at("认定日期"), at("认定结果"), at("举报核查结论"));
    // rules.md §4: an established error is decided, not 履职尽责, and not a
    // complaint found 不属实 / 查无实据; an undecided case is pending.
    let established = |r: &Vec<String>| {
        !r[decided].is_empty()
            && !r[outcome].is_empty()
            && r[outcome] != "履职尽责"
            && r[finding] != "不属实"
            && r[finding] != "查无实据"
    };
    let in_range = |r: &Vec<String>| {
        let d = jiucuo::ingest::values::parse_date(&r[filed])
            .ok()
            .flatten()
            .unwrap()
            .to_string();
        ("2025-10-01".to_string()..="2025-12-31".to_string()).contains(&d)
    };
    for c in &cells {
        assert_eq!(s(c, "window"), "2025-10-01..2025-12-31");
        let matches = |r: &&Vec<String>| {
            in_range(r)
                && [(unit, "unit"), (domain, "domain"), (error, "error_type")]
                    .iter()
                    .all(|(i, k)| s(c, k).is_empty() || r[*i] == s(c, k))
        };
        let mut want: Vec<String> = rows
            .iter()
            .filter(matches)
            .filter(|r| established(r))
            .map(|r| r[id].clone())
            .collect();
        want.sort();
        let pending = rows
            .iter()
            .filter(matches)
            .filter(|r| r[decided].is_empty())
            .count();
        assert_eq!(c["count"].as_i64().unwrap() as usize, want.len(), "{c}");
        assert_eq!(c["pending"].as_i64().unwrap() as usize, pending, "{c}");
        assert_eq!(strings(c, "case_ids"), want, "{c}");
    }
}
