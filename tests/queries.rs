//! Every named query on generated data, checked against the same question
//! answered independently: plain Rust over the ledger's rows, or over the
//! analysis outputs the query reads.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use crate::util::{csv_records, Fixture};

struct Case {
    id: String,
    unit: String,
    domain: String,
    error: String,
    filed: NaiveDate,
    decided: Option<NaiveDate>,
    outcome: String,
    clause: String,
}

fn quarter(d: NaiveDate) -> String {
    format!("{}Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

/// The ledger read independently (dates through the tool's documented forms).
fn cases(fx: &Fixture) -> Vec<Case> {
    let (h, rows) = csv_records(&String::from_utf8(fx.read("g/ledger.csv")).unwrap());
    let c = |name: &str| h.iter().position(|x| x == name).unwrap();
    let d = |s: &str| jiucuo::ingest::values::parse_date(s).ok().flatten();
    rows.iter()
        .map(|r| Case {
            id: r[c("案件编号")].clone(),
            unit: r[c("执法单位")].clone(),
            domain: r[c("执法领域")].clone(),
            error: r[c("问题类型")].clone(),
            filed: d(&r[c("立案日期")]).unwrap(),
            decided: d(&r[c("认定日期")]),
            outcome: r[c("认定结果")].clone(),
            clause: r[c("适用条款")].clone(),
        })
        .collect()
}

fn query(fx: &Fixture, name: &str, quarter: Option<&str>) -> Vec<Value> {
    let mut args = vec![
        "query",
        "g/ledger.csv",
        "--name",
        name,
        "--as-of",
        "2026-11-30",
        "--format",
        "json",
    ];
    if let Some(q) = quarter {
        args.extend(["--quarter", q]);
    }
    let run = fx.jiucuo(args).ok();
    serde_json::from_slice::<Value>(&run.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn i(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or_else(|| panic!("{k} in {v}"))
}

fn st(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or("").to_string()
}

const Q: &str = "2026Q2";

#[test]
fn ledger_queries_match_plain_counts() {
    let fx = Fixture::new();
    fx.jiucuo(["generate", "--rows", "1200", "--seed", "31", "--out", "g"])
        .ok();
    let cases = cases(&fx);
    let in_q: Vec<&Case> = cases.iter().filter(|c| quarter(c.filed) == Q).collect();

    // by_unit
    let rows = query(&fx, "by_unit", Some(Q));
    let mut expect: BTreeMap<&str, (i64, i64, i64, i64, i64)> = BTreeMap::new();
    for c in &in_q {
        let e = expect.entry(&c.unit).or_default();
        e.0 += 1;
        if !c.outcome.is_empty() {
            e.1 += 1;
        } else {
            e.4 += 1;
        }
        if ["免责", "减轻", "从轻"].contains(&c.outcome.as_str()) {
            e.2 += 1;
        }
        if c.outcome == "不予容错" {
            e.3 += 1;
        }
    }
    assert_eq!(rows.len(), expect.len());
    for r in &rows {
        let e = expect[st(r, "unit").as_str()];
        assert_eq!(
            (
                i(r, "filed"),
                i(r, "decided"),
                i(r, "lenient"),
                i(r, "not_tolerated"),
                i(r, "open")
            ),
            e,
            "{r}"
        );
    }
    assert!(
        rows.windows(2)
            .all(|w| i(&w[0], "filed") >= i(&w[1], "filed")),
        "sorted by filed"
    );

    // by_domain: counts and the most frequent error type (ties: first in text order)
    for r in query(&fx, "by_domain", Some(Q)) {
        let mine: Vec<&&Case> = in_q
            .iter()
            .filter(|c| c.domain == st(&r, "domain"))
            .collect();
        assert_eq!(i(&r, "filed"), mine.len() as i64);
        let mut by_error: BTreeMap<&str, i64> = BTreeMap::new();
        for c in &mine {
            *by_error.entry(&c.error).or_default() += 1;
        }
        let max = *by_error.values().max().unwrap();
        let top = by_error.iter().find(|(_, n)| **n == max).unwrap().0;
        assert_eq!(
            (st(&r, "top_error_type"), i(&r, "top_error_count")),
            (top.to_string(), max)
        );
    }

    // overview_by_quarter: filed by filing quarter, decided by decision quarter, open at quarter end
    for r in query(&fx, "overview_by_quarter", None) {
        let q = st(&r, "quarter");
        assert_eq!(
            i(&r, "filed"),
            cases.iter().filter(|c| quarter(c.filed) == q).count() as i64,
            "{q}"
        );
        let decided: Vec<&Case> = cases
            .iter()
            .filter(|c| {
                c.decided.map(quarter).as_deref() == Some(q.as_str()) && !c.outcome.is_empty()
            })
            .collect();
        assert_eq!(i(&r, "decided"), decided.len() as i64, "{q}");
        assert_eq!(
            i(&r, "不予容错"),
            decided.iter().filter(|c| c.outcome == "不予容错").count() as i64
        );
        let open = cases
            .iter()
            .filter(|c| quarter(c.filed) <= q && c.decided.is_none_or(|d| quarter(d) > q))
            .count();
        assert_eq!(i(&r, "open_at_end"), open as i64, "{q}");
    }

    // outcome_shares: decisions of the quarter
    let rows = query(&fx, "outcome_shares", Some(Q));
    let decided_q: Vec<&Case> = cases
        .iter()
        .filter(|c| c.decided.map(quarter).as_deref() == Some(Q))
        .collect();
    for r in &rows {
        let n = decided_q
            .iter()
            .filter(|c| c.outcome == st(r, "outcome"))
            .count() as i64;
        assert_eq!(i(r, "count"), n);
        // JSON floats carry six decimals
        assert!((r["share"].as_f64().unwrap() - n as f64 / decided_q.len() as f64).abs() < 1e-6);
    }

    // clause_use: every item listed, counts of decided cases citing it
    let rows = query(&fx, "clause_use", None);
    assert_eq!(rows.len(), 9 + 10 + 3 + 7);
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for c in cases
        .iter()
        .filter(|c| c.decided.is_some() && !c.outcome.is_empty())
    {
        if let Ok(Some(cl)) = jiucuo::ingest::values::parse_clause(&c.clause) {
            *counts.entry(cl.code()).or_default() += 1;
        }
    }
    for r in &rows {
        assert_eq!(
            i(r, "count"),
            counts.get(&st(r, "clause")).copied().unwrap_or(0),
            "{r}"
        );
    }
    let truth: Value = serde_json::from_slice(&fx.read("g/truth.json")).unwrap();
    for unused in truth["unused_clause_items"].as_array().unwrap() {
        let r = rows.iter().find(|r| r["clause"] == *unused).unwrap();
        assert_eq!(i(r, "count"), 0, "{unused} is never cited");
    }

    // cases_in_quarter
    let rows = query(&fx, "cases_in_quarter", Some(Q));
    assert_eq!(rows.len(), in_q.len());
    let ids: Vec<String> = rows.iter().map(|r| st(r, "case_id")).collect();
    assert!(in_q.iter().all(|c| ids.contains(&c.id)));
}

#[test]
fn analysis_queries_match_the_analysis_outputs() {
    let fx = Fixture::new();
    fx.jiucuo(["generate", "--rows", "1200", "--seed", "32", "--out", "g"])
        .ok();
    fx.jiucuo([
        "analyze",
        "g/ledger.csv",
        "--as-of",
        "2026-11-30",
        "--format",
        "json",
        "--out",
        "an",
    ])
    .ok();
    let load = |f: &str| {
        serde_json::from_slice::<Value>(&fx.read(f))
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let (deadlines, repeats, hotspots) = (
        load("an/deadlines.json"),
        load("an/repeats.json"),
        load("an/hotspots.json"),
    );
    let cases = cases(&fx);
    let filed_q: BTreeMap<&str, String> = cases
        .iter()
        .map(|c| (c.id.as_str(), quarter(c.filed)))
        .collect();

    let overdue = query(&fx, "overdue_list", None);
    assert_eq!(
        overdue.len(),
        deadlines
            .iter()
            .filter(|d| d["status"] == "overdue")
            .count()
    );
    assert!(overdue
        .windows(2)
        .all(|w| i(&w[0], "days_late") >= i(&w[1], "days_late")));

    let compliance = query(&fx, "deadline_compliance", Some(Q));
    for r in &compliance {
        let mine: Vec<&Value> = deadlines
            .iter()
            .filter(|d| d["rule"] == r["rule"] && filed_q[d["case_id"].as_str().unwrap()] == Q)
            .collect();
        assert_eq!(i(r, "total"), mine.len() as i64);
        for (col, status) in [
            ("met", "met"),
            ("late", "late"),
            ("overdue", "overdue"),
            ("due_soon", "due-soon"),
            ("pending", "pending"),
            ("breach", "breach"),
        ] {
            assert_eq!(
                i(r, col),
                mine.iter().filter(|d| d["status"] == status).count() as i64,
                "{} {col}",
                st(r, "rule")
            );
        }
    }

    let repeat_list = query(&fx, "repeat_list", Some(Q));
    assert_eq!(
        repeat_list.len(),
        repeats
            .iter()
            .filter(|r| filed_q[r["case_id"].as_str().unwrap()] == Q)
            .count()
    );

    let top = query(&fx, "top_risk_points", Some(Q));
    assert_eq!(
        top.len(),
        hotspots
            .iter()
            .filter(|h| h["window"] == Q && (h["level"] == "alarm" || h["level"] == "warning"))
            .count()
    );

    let rate = query(&fx, "repeat_rate_by_quarter", None);
    for r in &rate {
        let q = st(r, "quarter");
        let flagged: std::collections::BTreeSet<&str> = repeats
            .iter()
            .map(|x| x["case_id"].as_str().unwrap())
            .filter(|id| filed_q[id] == q)
            .collect();
        assert_eq!(i(r, "repeat_cases"), flagged.len() as i64, "{q}");
    }
}

#[test]
fn every_named_query_runs_and_broken_queries_explain_themselves() {
    let fx = Fixture::new();
    fx.jiucuo(["generate", "--rows", "400", "--seed", "33", "--out", "g"])
        .ok();
    let list = fx.jiucuo(["query", "--list"]).ok().stdout_text();
    let names: Vec<String> = list
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    assert!(names.len() >= 16, "{list}");
    for line in list.lines() {
        assert!(
            line.split_whitespace().count() >= 2,
            "each query has a purpose: {line}"
        );
    }
    for name in &names {
        let run = fx.jiucuo([
            "query",
            "g/ledger.csv",
            "--name",
            name,
            "--quarter",
            "2026Q2",
            "--as-of",
            "2026-11-30",
            "--format",
            "csv",
        ]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    }
    fx.write("broken.sql", "-- 坏查询\nSELEC unit FROM cases\n");
    let run = fx
        .jiucuo(["query", "g/ledger.csv", "broken.sql"])
        .expect_code(2);
    assert!(
        run.stderr.contains("broken.sql") && run.stderr.contains("执行失败"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("cases:") && run.stderr.contains("filed_quarter"),
        "lists tables and columns: {}",
        run.stderr
    );
    fx.write("nocol.sql", "SELECT no_such_column FROM cases\n");
    let run = fx
        .jiucuo(["query", "g/ledger.csv", "nocol.sql"])
        .expect_code(2);
    assert!(run.stderr.contains("no_such_column"), "{}", run.stderr);
    let run = fx
        .jiucuo(["query", "g/ledger.csv", "--name", "by_unit"])
        .expect_code(2);
    assert!(
        run.stderr.contains("--quarter"),
        "a missing parameter names the flag: {}",
        run.stderr
    );
    let run = fx
        .jiucuo(["query", "g/ledger.csv", "--name", "nope"])
        .expect_code(2);
    assert!(
        run.stderr.contains("overview_by_quarter"),
        "lists the queries: {}",
        run.stderr
    );
}

#[test]
fn a_user_folder_overrides_and_adds_queries() {
    let fx = Fixture::new();
    fx.jiucuo(["generate", "--rows", "600", "--seed", "34", "--out", "g"])
        .ok();
    fx.write(
        "q/by_unit.sql",
        "-- 改写的分单位查询\nSELECT unit, COUNT(*) AS n FROM cases GROUP BY unit ORDER BY unit\n",
    );
    fx.write(
        "q/mine.sql",
        "\u{feff}-- 我的查询\nSELECT COUNT(*) AS n FROM cases\n",
    );
    fx.write("jiucuo.toml", "[paths]\nqueries = \"q\"\n");
    let list = fx.jiucuo(["query", "--list"]).ok().stdout_text();
    assert!(
        list.contains("改写的分单位查询") && list.contains("我的查询"),
        "{list}"
    );
    let run = fx
        .jiucuo([
            "query",
            "g/ledger.csv",
            "--name",
            "mine",
            "--format",
            "json",
        ])
        .ok();
    let v: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(v[0]["n"].as_i64().unwrap(), 600);
}

/// A generated ledger of 600 rows (`seed`) in `g/`, the user's queries
/// `files` (name, SQL) in the configured folder `q/`, and the JSON rows of
/// the query `name` on the ledger.
fn user_query(fx: &Fixture, seed: u64, files: &[(&str, &str)], name: &str) -> Vec<Value> {
    let seed = seed.to_string();
    fx.jiucuo(["generate", "--rows", "600", "--seed", &seed, "--out", "g"])
        .ok();
    for (file, sql) in files {
        fx.write(&format!("q/{file}.sql"), sql);
    }
    fx.write("jiucuo.toml", "[paths]\nqueries = \"q\"\n");
    let run = fx
        .jiucuo(["query", "g/ledger.csv", "--name", name, "--format", "json"])
        .ok();
    serde_json::from_slice::<Value>(&run.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The ledger holds units, domains and the enumerations as categoricals to
/// save memory; a user's SQL still sees plain text: string functions work,
/// ordering is by the text, and results compare with string literals.
#[test]
fn text_columns_take_string_functions_in_user_queries() {
    let fx = Fixture::new();
    let sql =
        "-- 街道的案件\nSELECT unit, outcome, COUNT(*) AS n, MAX(LENGTH(domain)) AS domain_len \
               FROM cases WHERE unit LIKE '%街道%' AND outcome = '免责' \
               GROUP BY unit, outcome ORDER BY unit\n";
    let got = user_query(&fx, 35, &[("streets", sql)], "streets");
    let mut want: BTreeMap<String, (i64, usize)> = BTreeMap::new();
    for c in cases(&fx) {
        if c.unit.contains("街道") && c.outcome == "免责" {
            let e = want.entry(c.unit.clone()).or_default();
            e.0 += 1;
            e.1 = e.1.max(c.domain.chars().count());
        }
    }
    assert!(!want.is_empty(), "the generator plants street offices");
    let got: Vec<(String, String, i64, i64)> = got
        .iter()
        .map(|v| {
            (
                st(v, "unit"),
                st(v, "outcome"),
                i(v, "n"),
                i(v, "domain_len"),
            )
        })
        .collect();
    let want: Vec<(String, String, i64, i64)> = want
        .into_iter()
        .map(|(u, (n, len))| (u, "免责".to_string(), n, len as i64))
        .collect();
    assert_eq!(got, want, "sorted by the unit's text, counts by plain Rust");
}

/// `case_officers` (a row per case and officer) is built when a query reads
/// it: its rows match the ledger's 涉及人员 lists, split here independently of
/// the query engine, and `--list`-style errors still name its columns.
#[test]
fn case_officers_has_a_row_per_case_and_officer() {
    let fx = Fixture::new();
    let files = [
        (
            "officers",
            "-- 人员\nSELECT officer, COUNT(*) AS n, MIN(unit) AS unit FROM case_officers \
             GROUP BY officer ORDER BY officer\n",
        ),
        ("broken", "-- 错误\nSELECT nope FROM case_officers\n"),
    ];
    let got: Vec<(String, i64)> = user_query(&fx, 36, &files, "officers")
        .iter()
        .map(|v| (st(v, "officer"), i(v, "n")))
        .collect();
    let (h, rows) = csv_records(&String::from_utf8(fx.read("g/ledger.csv")).unwrap());
    let at = h.iter().position(|x| x == "涉及人员").unwrap();
    let mut want: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rows {
        for o in jiucuo::ingest::values::split_list(&r[at]) {
            *want.entry(o).or_default() += 1;
        }
    }
    assert!(want.len() > 10, "the generator names officers");
    assert_eq!(got, want.into_iter().collect::<Vec<_>>());
    let broken = fx.jiucuo(["query", "g/ledger.csv", "--name", "broken"]);
    assert!(
        broken
            .stderr
            .contains("case_officers: case_id, officer, unit"),
        "{}",
        broken.stderr
    );
}
