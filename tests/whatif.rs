//! `jiucuo whatif` on a hand-made ledger whose differences are worked out
//! by hand: under each reading exactly the cases it should change, and
//! nothing else.

use crate::util::{csv_records, Fixture};

/// Three cases of one unit, every date a working day in March 2026 (no
/// holiday between 03-02 and 03-23):
/// - K1: decided Mon 03-02, told Tue 03-10. Seven calendar days end Mon
///   03-09 (late by a day); seven working days (03-03 … 03-11) end Wed 03-11
///   (met).
/// - R1: officer P1's 文书瑕疵, 减轻 under art. 11 (11.1), decided 03-10.
/// - R2: P1's 文书瑕疵 again, filed 03-16 after R1's decision, 不予容错, no
///   subjective cause. Not a 12(5) candidate while art. 11 mitigates
///   (default); a “tolerated before” candidate when art. 11 counts as
///   tolerance.
///
/// Every other check is met under both readings: decisions within days of
/// filing, told the next day, two investigators.
const LEDGER: &str = "\
案件编号,执法单位,执法领域,执法事项类别,问题类型,涉及人员,主观过错,立案日期,认定日期,告知日期,认定结果,适用条款,调查人数
K1,甲局,市场监管,行政处罚,超期办理,P9,否,2026-02-24,2026-03-02,2026-03-10,不予容错,第十二条第（二）项,2
R1,甲局,市场监管,行政处罚,文书瑕疵,P1,否,2026-03-02,2026-03-10,2026-03-11,减轻,第十一条第（一）项,2
R2,甲局,市场监管,行政处罚,文书瑕疵,P1,否,2026-03-16,2026-03-20,2026-03-21,不予容错,第十二条第（二）项,2
";

fn whatif(fx: &Fixture, vs: &str, out: &str) -> String {
    let run = fx
        .jiucuo([
            "whatif",
            "l.csv",
            "--vs",
            vs,
            "--as-of",
            "2026-06-30",
            "--out",
            out,
        ])
        .ok();
    run.stderr.clone()
}

fn table(fx: &Fixture, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = String::from_utf8(fx.read(path)).unwrap();
    csv_records(text.trim_start_matches('\u{feff}'))
}

/// Rows of a count table whose `change` is not 0, as `key/key…=change`.
fn changed(fx: &Fixture, path: &str, keys: &[&str]) -> Vec<String> {
    let (h, rows) = table(fx, path);
    let at = |n: &str| h.iter().position(|x| x == n).unwrap();
    rows.iter()
        .filter(|r| r[at("change")] != "0")
        .map(|r| {
            let k: Vec<&str> = keys.iter().map(|n| r[at(n)].as_str()).collect();
            format!("{}={}", k.join("/"), r[at("change")])
        })
        .collect()
}

#[test]
fn working_days_for_short_periods_change_exactly_the_late_notice() {
    let fx = Fixture::new();
    fx.write("l.csv", LEDGER);
    let said = whatif(&fx, "工作日计算短期间", "w");
    let (h, cases) = table(&fx, "w/逐案差异.csv");
    assert_eq!(h, ["case_id", "what", "under_a", "under_b"]);
    assert_eq!(
        cases,
        [[
            "K1",
            "期限：决定后7日内告知（第十七条）",
            "逾期完成",
            "按期"
        ]],
        "{said}"
    );
    assert_eq!(
        changed(&fx, "w/期限状态.csv", &["rule", "status"]),
        ["D17-notify/late=-1", "D17-notify/met=1"]
    );
    assert!(changed(&fx, "w/重复失误比对.csv", &["item"]).is_empty());
    assert_eq!(table(&fx, "w/警示提醒函差异.csv").1.len(), 0);
    assert_eq!(table(&fx, "w/风险点差异.csv").1.len(), 0);
    assert!(said.contains("办理期限：1 项检查的状态不同"), "{said}");
    assert!(said.contains("逐案差异 1 条"), "{said}");

    // the same reading written as a file gives the same tables
    fx.write("b.toml", "[calendar]\nworking_day_short_periods = true\n");
    whatif(&fx, "b.toml", "f");
    for name in ["逐案差异", "期限状态", "重复失误比对"] {
        assert_eq!(
            fx.read(&format!("w/{name}.csv")),
            fx.read(&format!("f/{name}.csv")),
            "{name}"
        );
    }
}

#[test]
fn art_11_as_tolerance_flags_exactly_the_officer_tolerated_before() {
    let fx = Fixture::new();
    fx.write("l.csv", LEDGER);
    let said = whatif(&fx, "第十一条计为容错", "w");
    let (_, cases) = table(&fx, "w/逐案差异.csv");
    assert_eq!(
        cases,
        [[
            "R2",
            "第十二条第（五）项比对（人员 P1）",
            "未标记",
            "容错后再次出现"
        ]],
        "{said}"
    );
    assert!(changed(&fx, "w/期限状态.csv", &["rule", "status"]).is_empty());
    assert_eq!(
        changed(&fx, "w/重复失误比对.csv", &["item"]),
        [
            "可能属于第十二条第（五）项情形的案件=1",
            "涉及执法人员=1",
            "人员×案件=1",
            "其中：容错后再次出现=1",
        ]
    );
    assert!(said.contains("可能属于的案件 A 0 件，B 1 件"), "{said}");
    // the workbook says what A and B are, in Chinese
    let about = crate::util::xlsx_cells(&fx.path("w/口径比较.xlsx"));
    assert_eq!(about[1][0], "口径 A");
    assert!(about[2][1].contains("依第十一条减轻、从轻处理计为容错免责处理"));
}

#[test]
fn an_unknown_reading_is_refused_with_the_names_there_are() {
    let fx = Fixture::new();
    fx.write("l.csv", LEDGER);
    let run = fx
        .jiucuo(["whatif", "l.csv", "--vs", "宽松口径", "--out", "w"])
        .expect_code(2);
    let err = run.stderr.clone();
    assert!(
        err.contains("宽松口径") && err.contains("工作日计算短期间"),
        "{err}"
    );
    assert!(!fx.path("w/逐案差异.csv").exists());
}

#[test]
fn the_review_compares_readings_in_a_chapter_of_its_own() {
    let fx = Fixture::new();
    fx.write("l.csv", LEDGER);
    fx.jiucuo([
        "report",
        "review",
        "l.csv",
        "--as-of",
        "2026-06-30",
        "--compare",
        "工作日计算短期间",
        "--out",
        "r",
    ])
    .ok();
    let html = String::from_utf8(fx.read("r/试点评估报告.html")).unwrap();
    assert!(html.contains("九、口径比较") && html.contains("十、统计口径说明"));
    assert!(html.contains("期限检查中有1项状态不同"), "{html}");
    assert!(html.contains("经比对可能属于第十二条第（五）项情形的案件由0件变为0件"));
    // the printed table: the notice rule's late check becomes met
    let row = |status: &str, a: &str, b: &str, change: &str| {
        format!("<td>决定后7日内告知（第十七条）</td><td>{status}</td><td>{a}</td><td>{b}</td><td>{change}</td>")
    };
    assert!(html.contains(&row("逾期完成", "1", "0", "-1")), "{html}");
    assert!(html.contains(&row("按期", "2", "3", "1")), "{html}");
    // the case-level list is in the Excel appendix
    let sheets = crate::util::xlsx_sheets(&fx.path("r/试点评估报告.xlsx"));
    let (_, cases) = sheets
        .iter()
        .find(|(n, _)| n == "口径比较：逐案差异")
        .expect("case list sheet");
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[1][0], "K1");
    // without --compare there is no such chapter; other reports refuse it
    fx.jiucuo([
        "report",
        "review",
        "l.csv",
        "--as-of",
        "2026-06-30",
        "--out",
        "p",
    ])
    .ok();
    let plain = String::from_utf8(fx.read("p/试点评估报告.html")).unwrap();
    assert!(!plain.contains("口径比较") && plain.contains("九、统计口径说明"));
    fx.jiucuo([
        "report",
        "quarterly",
        "l.csv",
        "--quarter",
        "2026Q1",
        "--compare",
        "工作日计算短期间",
        "--out",
        "q",
    ])
    .expect_code(2);
}

/// Open at the pilot's end (2027-02-28), worked out by hand:
/// - 甲: A1 filed 02-20 (8 days: within 30), A7 filed 02-01 (27 days; decided
///   only on 03-15, after the pilot), A2 filed 2026-12-01 (89 days: 61–90);
///   A5's rectification is due 03-31 (not yet due); A6 rectified.
/// - 乙: A3 filed 2026-10-01 (150 days: over 90); A4's rectification was due
///   01-31 and is not done (overdue).
#[test]
fn what_is_left_open_at_expiry_by_unit_and_age() {
    let fx = Fixture::new();
    fx.write(
        "l.csv",
        "\
案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,认定日期,认定结果,适用条款,整改期限,整改完成日期
A1,甲局,市场监管,行政处罚,文书瑕疵,2027-02-20,,,,,
A2,甲局,市场监管,行政处罚,文书瑕疵,2026-12-01,,,,,
A3,乙局,市场监管,行政处罚,文书瑕疵,2026-10-01,,,,,
A4,乙局,市场监管,行政处罚,文书瑕疵,2026-06-01,2026-06-20,不予容错,第十二条第（二）项,2027-01-31,
A5,甲局,市场监管,行政处罚,文书瑕疵,2026-06-01,2026-06-20,不予容错,第十二条第（二）项,2027-03-31,
A6,甲局,市场监管,行政处罚,文书瑕疵,2026-06-01,2026-06-20,不予容错,第十二条第（二）项,2026-12-31,2026-12-20
A7,甲局,市场监管,行政处罚,文书瑕疵,2027-02-01,2027-03-15,不予容错,第十二条第（二）项,,
",
    );
    fx.jiucuo([
        "report",
        "review",
        "l.csv",
        "--as-of",
        "2027-02-28",
        "--out",
        "r",
    ])
    .ok();
    let html = String::from_utf8(fx.read("r/试点评估报告.html")).unwrap();
    assert!(html.contains("七、试点期满时的未结事项"), "{html}");
    assert!(
        html.contains(
            "截至2027年2月28日，试点期间立案、尚未作出认定的案件4件，其中立案已超过30日的2件"
        ),
        "{html}"
    );
    assert!(html.contains("已过整改期限仍未完成整改的1件，整改尚未到期的1件"));
    // unit, open, ≤30, 31–60, 61–90, >90, rectification overdue, not due
    let jia = "<td>甲局</td><td>3</td><td>2</td><td>0</td><td>1</td><td>0</td><td>0</td><td>1</td>";
    assert!(html.contains(jia), "{html}");
    assert!(
        html.contains(
            "<td>乙局</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td><td>1</td><td>0</td>"
        ),
        "{html}"
    );
    // read later, the chapter still states the pilot's end as it stood then
    fx.jiucuo([
        "report",
        "review",
        "l.csv",
        "--as-of",
        "2027-04-30",
        "--out",
        "l",
    ])
    .ok();
    let late = String::from_utf8(fx.read("l/试点评估报告.html")).unwrap();
    assert!(
        late.contains("截至2027年2月28日，试点期间立案、尚未作出认定的案件4件"),
        "{late}"
    );
    assert!(
        late.contains(jia) && late.contains("已过整改期限仍未完成整改的1件，整改尚未到期的1件")
    );
    // before the pilot's end the chapter says so
    fx.jiucuo([
        "report",
        "review",
        "l.csv",
        "--as-of",
        "2027-01-15",
        "--out",
        "e",
    ])
    .ok();
    let early = String::from_utf8(fx.read("e/试点评估报告.html")).unwrap();
    assert!(early.contains("七、截至基准日的未结事项") && early.contains("试点尚未期满"));
}

/// A reading file is put over reading A: with A counting art. 11 as
/// tolerance, a file that only turns on working days keeps that, so the
/// only difference is still the late notice (were B the file alone, R2's
/// flag would differ too).
#[test]
fn a_reading_file_changes_only_what_it_states() {
    let fx = Fixture::new();
    fx.write("l.csv", LEDGER);
    fx.write("a.toml", "[repeats]\nart11_is_tolerance = true\n");
    fx.write("b.toml", "[calendar]\nworking_day_short_periods = true\n");
    fx.jiucuo([
        "whatif",
        "l.csv",
        "--config",
        "a.toml",
        "--vs",
        "b.toml",
        "--as-of",
        "2026-06-30",
        "--out",
        "w",
    ])
    .ok();
    let (_, cases) = table(&fx, "w/逐案差异.csv");
    assert_eq!(
        cases,
        [[
            "K1",
            "期限：决定后7日内告知（第十七条）",
            "逾期完成",
            "按期"
        ]]
    );
}
