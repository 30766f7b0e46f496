//! Reports on generated and hostile data: numbers in the text agree with the
//! tables and an independent count; Word follows GB/T 9704; HTML and XLSX
//! are safe; warning notices show only their own unit; runs are reproducible.

use std::collections::BTreeSet;
use std::io::Read;

use crate::util::Fixture;

/// Text of one file inside a zip (docx/xlsx).
fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut f = z
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in archive"));
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8 entry");
    s
}

fn zip_names(bytes: &[u8]) -> Vec<String> {
    let z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    z.file_names()
        .filter_map(|n| n.ok().map(|n| n.to_string()))
        .collect()
}

/// Visible text of an HTML report (tags dropped, entities kept).
fn text_of(html: &str) -> String {
    let body = html.split("<body>").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The data cells of one HTML table row, as written.
fn cells_of(row: &str) -> Vec<&str> {
    row.split("<td>")
        .skip(1)
        .map(|c| c.split("</td>").next().unwrap())
        .collect()
}

fn number_after(text: &str, before: &str, after: &str) -> i64 {
    let start = text
        .find(before)
        .unwrap_or_else(|| panic!("“{before}” not in report"))
        + before.len();
    let rest = &text[start..];
    let end = rest
        .find(after)
        .unwrap_or_else(|| panic!("“{after}” after “{before}”"));
    rest[..end]
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {}", &rest[..end]))
}

fn generated(fx: &Fixture, seed: u64) {
    fx.jiucuo([
        "generate",
        "--rows",
        "1500",
        "--seed",
        &seed.to_string(),
        "--out",
        "g",
    ])
    .ok();
}

#[test]
fn quarterly_numbers_agree_with_tables_and_an_independent_count() {
    let fx = Fixture::new();
    generated(&fx, 21);
    fx.jiucuo([
        "report",
        "quarterly",
        "g/ledger.csv",
        "--quarter",
        "2026Q2",
        "--volume",
        "g/volume.csv",
        "--out",
        "r",
    ])
    .ok();
    let html = String::from_utf8(fx.read("r/季度报告-2026Q2.html")).unwrap();
    let text = text_of(&html);
    let filed = number_after(&text, "共立案核查履职尽责容错纠错案件", "件");
    let decided = number_after(&text, "作出认定", "件");
    // independent count over the CSV: rows whose 立案日期 falls in 2026 Q2
    let csv = String::from_utf8(fx.read("g/ledger.csv")).unwrap();
    let (header, records) = crate::util::csv_records(&csv);
    let col = header.iter().position(|h| h == "立案日期").unwrap();
    let mut count = 0;
    for row in records {
        let d = jiucuo::ingest::values::parse_date(&row[col])
            .unwrap()
            .unwrap();
        if d >= chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
            && d <= chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
        {
            count += 1;
        }
    }
    assert_eq!(
        filed, count,
        "filed in the text vs an independent count of the ledger"
    );
    // the overview table has the same numbers in the 2026Q2 row
    let row = html
        .split("<tr>")
        .find(|r| r.contains("<td>2026Q2</td>"))
        .expect("2026Q2 row in the overview table");
    let cells = cells_of(row);
    assert_eq!(cells[1].parse::<i64>().unwrap(), filed);
    assert_eq!(cells[2].parse::<i64>().unwrap(), decided);
    // and the same as the named query run on its own
    let q = fx
        .jiucuo([
            "query",
            "g/ledger.csv",
            "--name",
            "overview_by_quarter",
            "--format",
            "json",
            "--as-of",
            "2026-06-30",
        ])
        .ok();
    let rows: serde_json::Value = serde_json::from_slice(&q.stdout).unwrap();
    let r = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["quarter"] == "2026Q2")
        .unwrap();
    assert_eq!(r["filed"].as_i64().unwrap(), filed);
    assert_eq!(r["decided"].as_i64().unwrap(), decided);
    // the outcome counts in the text sum to the decided count
    let sentence = text
        .split("本季度作出的认定中")
        .nth(1)
        .expect("outcome sentence");
    let outcomes: i64 = ["履职尽责", "免责", "减轻", "从轻", "不予容错"]
        .iter()
        .map(|o| {
            sentence
                .split('，')
                .find(|p| p.starts_with(o) && p.contains("件（占"))
                .map(|p| {
                    p[o.len()..]
                        .split('件')
                        .next()
                        .unwrap()
                        .parse::<i64>()
                        .unwrap()
                })
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(outcomes, decided);
    unit_risk_points_agree_with_an_independent_count(&html, &csv);
}

/// The quarterly report's unit×error_type risk points (2026Q2, as of the
/// quarter's last day): each row's count of established errors and of
/// undecided cases, counted over the ledger CSV from rules.md §4 (decided by
/// 06-30, not 履职尽责, complaint not 不属实/查无实据; undecided: no decision
/// by 06-30); the text's figures are the table's.
fn unit_risk_points_agree_with_an_independent_count(html: &str, csv: &str) {
    let (header, records) = crate::util::csv_records(csv);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (unit, error, filed, decided, outcome, finding) = (
        at("执法单位"),
        at("问题类型"),
        at("立案日期"),
        at("认定日期"),
        at("认定结果"),
        at("举报核查结论"),
    );
    let date = |s: &str| jiucuo::ingest::values::parse_date(s).unwrap();
    let (q2_start, q2_end) = (
        chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
    );
    // the printed table names each point in words: 单位的“问题类型”问题
    let rows: Vec<Vec<&str>> = html
        .split("<tr>")
        .map(cells_of)
        .filter(|c: &Vec<&str>| c.len() == 7 && c[0].ends_with("”问题") && c[0].contains("的“"))
        // a domain×error_type point reads 某某领域的“…”问题
        .filter(|c| !c[0].split("的“").next().unwrap().ends_with("领域"))
        .collect();
    assert!(!rows.is_empty(), "a unit×error_type risk point in 2026Q2");
    let text = text_of(html);
    let mut named_in_text = 0;
    for cells in rows {
        let (u, e) = cells[0]
            .trim_end_matches("”问题")
            .split_once("的“")
            .unwrap();
        let in_q2: Vec<&Vec<String>> = records
            .iter()
            .filter(|r| r[unit] == u && r[error] == e)
            .filter(|r| {
                let f = date(&r[filed]).unwrap();
                f >= q2_start && f <= q2_end
            })
            .collect();
        let decided_by = |r: &Vec<String>| date(&r[decided]).is_some_and(|d| d <= q2_end);
        let established = in_q2
            .iter()
            .filter(|r| {
                decided_by(r)
                    && !r[outcome].is_empty()
                    && r[outcome] != "履职尽责"
                    && r[finding] != "不属实"
                    && r[finding] != "查无实据"
            })
            .count();
        let undecided = in_q2.iter().filter(|r| !decided_by(r)).count();
        assert_eq!(cells[1].parse::<usize>().unwrap(), established, "{u} {e}");
        assert_eq!(cells[2].parse::<usize>().unwrap(), undecided, "{u} {e}");
        let named = format!("{u}的“{e}”问题，已认定失误{established}件，");
        assert!(
            text.contains(&named) || !text.contains(&format!("{u}的“{e}”问题")),
            "{named} not in the text"
        );
        named_in_text += usize::from(text.contains(&named));
    }
    // the planted unit×error_type risk point is among those the text names
    assert!(
        named_in_text > 0,
        "no unit×error_type risk point named in the text"
    );
}

#[test]
fn word_file_follows_gbt_9704() {
    let fx = Fixture::new();
    generated(&fx, 22);
    fx.jiucuo([
        "report",
        "quarterly",
        "g/ledger.csv",
        "--quarter",
        "2026Q2",
        "--out",
        "r",
    ])
    .ok();
    let docx = fx.read("r/季度报告-2026Q2.docx");
    let doc = zip_entry(&docx, "word/document.xml");
    // captions name what a table shows; the query behind each is named in
    // the Excel appendix's first sheet, 说明, not in the text
    let html = String::from_utf8(fx.read("r/季度报告-2026Q2.html")).unwrap();
    assert!(!doc.contains("queries/") && !html.contains("queries/"));
    // no rule id, clause code or test statistic in the text: rules and
    // items in words, significance as 统计上 / 校正
    for code in [
        "D17-decide",
        "D15-handle",
        ">9.9<",
        ">12.5<",
        "p值",
        "q值",
        "p 值",
        "q 值",
    ] {
        assert!(!doc.contains(code) && !html.contains(code), "{code}");
    }
    assert!(doc.contains("立案后30日内调查终结（第十七条）"));
    // 28 characters a line: 3号 runs 5 twips tighter, the grid on lines only
    assert!(
        doc.contains(r#"<w:docGrid w:type="lines" w:linePitch="579""#),
        "doc grid"
    );
    assert!(
        doc.contains(r#"<w:spacing w:val="-5" />"#),
        "character spacing"
    );
    // 版头: the issuing body's mark in red over a red rule
    assert!(doc.contains("历城区司法局文件") && doc.contains(r#"w:color="C00000""#));
    let notes = crate::util::xlsx_cells(&fx.path("r/季度报告-2026Q2.xlsx"));
    assert_eq!(notes[0][0], "表");
    assert!(
        notes
            .iter()
            .skip(1)
            .all(|r| r[1].starts_with("queries/") || r[1].starts_with("analysis")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|r| r[1] == "queries/by_unit.sql"),
        "{notes:?}"
    );
    // A4, margins top 37 mm / left 28 mm, text block 156 × 225 mm (twips)
    assert!(
        doc.contains(r#"<w:pgSz w:w="11906" w:h="16838""#),
        "A4 page"
    );
    assert!(
        doc.contains(r#"w:top="2098""#) && doc.contains(r#"w:left="1588""#),
        "margins"
    );
    assert!(
        doc.contains(r#"w:right="1474""#) && doc.contains(r#"w:bottom="1985""#),
        "text block 156 × 225 mm"
    );
    // every run names an East-Asian font
    let runs = doc.matches("<w:rFonts").count();
    assert!(runs > 50);
    assert_eq!(
        doc.matches("w:eastAsia=").count(),
        runs,
        "eastAsia on every run"
    );
    // title 2号 小标宋; headings 黑体 and 楷体; body 3号 仿宋 at 22 lines (579 twips exact)
    assert!(
        doc.contains(r#"w:eastAsia="方正小标宋简体""#) && doc.contains(r#"<w:sz w:val="44" />"#)
    );
    assert!(
        doc.contains(r#"w:eastAsia="黑体""#)
            && doc.contains(r#"w:eastAsia="楷体_GB2312""#)
            && doc.contains(r#"w:eastAsia="仿宋_GB2312""#)
    );
    assert!(doc.contains(r#"<w:sz w:val="32" />"#));
    assert!(doc.contains(r#"w:line="579""#) && doc.contains(r#"w:lineRule="exact""#));
    assert!(doc.contains("三、总体情况") && doc.contains("（一）分单位情况"));
    // page numbers — 1 — in 4号 宋体 (odd right, even left)
    let names = zip_names(&docx);
    let footers: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("word/footer"))
        .collect();
    assert_eq!(footers.len(), 2, "odd and even footers: {names:?}");
    for f in footers {
        let x = zip_entry(&docx, f);
        assert!(
            x.contains("PAGE")
                && x.contains("— ")
                && x.contains(" —")
                && x.contains(r#"<w:sz w:val="28" />"#),
            "{x}"
        );
    }
    assert!(zip_entry(&docx, "word/settings.xml").contains("evenAndOddHeaders"));
    // charts are embedded inline as pictures (a CJK font is installed by scripts/setup.sh)
    let media: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("word/media/"))
        .collect();
    assert!(media.len() >= 3, "embedded chart images: {names:?}");
    // drawn at 300 dpi across the 156 mm text block: 156 / 25.4 * 300 = 1842.5 px
    let pngs: Vec<&&String> = media.iter().filter(|m| m.ends_with(".png")).collect();
    assert!(pngs.len() >= 3, "embedded PNGs: {media:?}");
    for m in pngs {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&docx[..])).unwrap();
        let mut png = Vec::new();
        z.by_name(m).unwrap().read_to_end(&mut png).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{m}");
        let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        assert_eq!(width, 1843, "{m}");
    }
    assert!(
        doc.contains("<w:drawing>") && doc.contains("<wp:inline"),
        "pictures are inline"
    );
    let html = String::from_utf8(fx.read("r/季度报告-2026Q2.html")).unwrap();
    assert!(
        html.matches("<svg").count() >= 3,
        "inline SVG charts in the HTML"
    );
    assert!(!html.contains("<?xml"), "no XML prolog inside the HTML");
}

#[test]
fn hostile_unit_names_and_summaries_are_escaped_and_defused() {
    let fx = Fixture::new();
    let evil_unit = "<script>alert(1)</script>局";
    let formula_unit = "=HYPERLINK(\"http://x\",\"点我\")";
    let mut csv = String::from("案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,认定日期,认定结果,涉及人员,主观过错,简要案情\n");
    // The hostile unit's 12 文书瑕疵 errors against ten ordinary units of the
    // same domain with 6 超期办理 each: E = 12 × 12/72 = 2, an alarm-level
    // risk point, so the unit gets a notice.
    for i in 0..12 {
        csv.push_str(&format!("A{i:02},\"{}\",市场监管,行政处罚,文书瑕疵,2026-04-{:02},2026-04-20,不予容错,P1,是,\"\"\"><img src=x onerror=alert(1)> 第{i}件\"\n", evil_unit.replace('"', "\"\""), i + 1));
    }
    for u in 0..10 {
        for i in 0..6 {
            csv.push_str(&format!(
                "N{u}{i},单位{u},市场监管,行政处罚,超期办理,2026-04-{:02},2026-04-25,不予容错,Q{u},否,\n",
                i + 1
            ));
        }
    }
    for i in 0..3 {
        csv.push_str(&format!(
            "B{i},\"{}\",市场监管,行政处罚,文书瑕疵,2026-05-0{},,,P2,是,@SUM(1)\n",
            formula_unit.replace('"', "\"\""),
            i + 1
        ));
    }
    fx.write("l.csv", csv);
    fx.jiucuo([
        "report",
        "quarterly",
        "l.csv",
        "--quarter",
        "2026Q2",
        "--out",
        "r",
    ])
    .ok();
    fx.jiucuo([
        "report",
        "warnings",
        "l.csv",
        "--quarter",
        "2026Q2",
        "--summaries",
        "--out",
        "w",
    ])
    .ok();
    let mut htmls = vec![String::from_utf8(fx.read("r/季度报告-2026Q2.html")).unwrap()];
    for e in std::fs::read_dir(fx.path("w")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            !name.contains('/') && !name.contains('<') && !name.contains('"'),
            "safe file name: {name}"
        );
        if name.ends_with(".html") {
            htmls.push(std::fs::read_to_string(&p).unwrap());
        }
    }
    assert!(htmls.len() >= 2, "a notice for the hostile unit");
    for h in &htmls {
        assert!(!h.contains("<script>"), "no raw script tag");
        assert!(!h.contains("<img"), "no injected element");
    }
    assert!(htmls
        .iter()
        .any(|h| h.contains("&lt;script&gt;alert(1)&lt;/script&gt;局")));
    // case lists (with summaries under --summaries) are in the Excel
    // appendix only, as text
    assert!(
        !htmls.iter().any(|h| h.contains("onerror=alert(1)")),
        "no case list in the printed notice"
    );
    let notice_xlsx = std::fs::read_dir(fx.path("w"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .expect("the notice's Excel appendix");
    let notice_xlsx = std::fs::read(notice_xlsx).unwrap();
    assert!(
        zip_entry(&notice_xlsx, "xl/sharedStrings.xml")
            .contains("\"&gt;&lt;img src=x onerror=alert(1)&gt;"),
        "summary kept as escaped text with --summaries"
    );
    // Excel appendix: text cells, never formulas
    let xlsx = fx.read("r/季度报告-2026Q2.xlsx");
    for name in zip_names(&xlsx)
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
    {
        let x = zip_entry(&xlsx, name);
        assert!(
            !x.contains("<f>") && !x.contains("<f "),
            "{name} holds a formula"
        );
    }
    let strings = zip_entry(&xlsx, "xl/sharedStrings.xml");
    assert!(
        strings.contains("=HYPERLINK("),
        "the unit name is kept as text"
    );
}

/// The Excel appendix reads like the report: codes, flags and lists in
/// words, shares as percentages, every sheet filtered and set up to print.
#[test]
fn the_excel_appendix_speaks_chinese_and_prints() {
    let fx = Fixture::new();
    generated(&fx, 21);
    fx.jiucuo([
        "report",
        "quarterly",
        "g/ledger.csv",
        "--quarter",
        "2026Q2",
        "--volume",
        "g/volume.csv",
        "--out",
        "r",
    ])
    .ok();
    let path = fx.path("r/季度报告-2026Q2.xlsx");
    let sheets = crate::util::xlsx_sheets(&path);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[0], "说明");
    // the case lists the printed report leaves out are here
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("经比对可能属于第十二条")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("逾期未办结事项")),
        "{names:?}"
    );
    // (dates come back from calamine as a debug text; they are dates)
    let all: Vec<&String> = sheets
        .iter()
        .flat_map(|(_, rows)| rows.iter().flatten())
        .filter(|c| !c.starts_with("DateTime("))
        .collect();
    for code in [
        "×",
        "frequent",
        "rising",
        "alarm",
        "warning",
        "R-after-tolerance",
        "R-subjective",
        "D17-decide",
        "true",
        "false",
    ] {
        assert!(
            !all.iter().any(|c| c.contains(code)),
            "appendix shows {code}"
        );
    }
    let (_, risks) = sheets
        .iter()
        .find(|(n, _)| n.contains("易错风险点"))
        .expect("risk sheet");
    let header = &risks[0];
    let at = |h: &str| {
        header
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("{h}: {header:?}"))
    };
    let (kind, level) = (at("风险点类型"), at("级别"));
    for row in &risks[1..] {
        assert!(
            ["单位与问题类型", "领域与问题类型", "单位与领域"].contains(&row[kind].as_str()),
            "{row:?}"
        );
        assert!(
            ["告警", "预警", "关注"].contains(&row[level].as_str()),
            "{row:?}"
        );
    }
    let (_, repeats) = sheets
        .iter()
        .find(|(n, _)| n.starts_with("经比对可能属于第十二条"))
        .unwrap();
    let flag = repeats[0]
        .iter()
        .position(|h| h == "已给予容错免责")
        .unwrap();
    assert!(repeats[1..]
        .iter()
        .all(|r| r[flag] == "是" || r[flag] == "否"));
    // shares are numbers shown as percentages; sheets filter and print
    let styles = zip_entry(&std::fs::read(&path).unwrap(), "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0.0%""#), "{styles}");
    let bytes = std::fs::read(&path).unwrap();
    let sheet2 = zip_entry(&bytes, "xl/worksheets/sheet2.xml");
    assert!(sheet2.contains("<autoFilter") && sheet2.contains(r#"orientation="landscape""#));
    assert!(zip_entry(&bytes, "xl/workbook.xml").contains("_xlnm.Print_Titles"));
}

#[test]
fn warning_notices_show_only_their_own_unit() {
    let fx = Fixture::new();
    generated(&fx, 23);
    // 2025Q4 holds a planted persistent unit×error_type risk point
    // (truth.json): persistent is an alarm, which earns a notice
    fx.jiucuo([
        "report",
        "warnings",
        "g/ledger.csv",
        "--quarter",
        "2025Q4",
        "--as-of",
        "2026-03-31",
        "--out",
        "w",
    ])
    .ok();
    let csv = String::from_utf8(fx.read("g/ledger.csv")).unwrap();
    let rows = crate::util::csv_records(&csv).1;
    // column positions in the reference export
    let (id_c, unit_c, off_c) = (0, 1, 5);
    let units: BTreeSet<String> = rows.iter().map(|r| r[unit_c].clone()).collect();
    let roster = String::from_utf8(fx.read("g/roster.csv")).unwrap();
    let names: BTreeSet<String> = crate::util::csv_records(&roster)
        .1
        .iter()
        .map(|r| r[1].clone())
        .collect();
    let mut notices = 0;
    for e in std::fs::read_dir(fx.path("w")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "html") {
            continue;
        }
        notices += 1;
        let html = std::fs::read_to_string(&p).unwrap();
        let text = text_of(&html);
        let me: Vec<&String> = units
            .iter()
            .filter(|u| p.to_string_lossy().contains(u.as_str()))
            .collect();
        assert_eq!(me.len(), 1, "{}", p.display());
        let me = me[0];
        for other in units.iter().filter(|u| *u != me) {
            assert!(
                !text.contains(other.as_str()),
                "{me}'s notice names {other}"
            );
        }
        for r in rows.iter().filter(|r| &r[unit_c] != me) {
            assert!(
                !text.contains(&r[id_c]),
                "{me}'s notice shows case {} of {}",
                r[id_c],
                r[unit_c]
            );
            for officer in r[off_c].split('、').filter(|o| !o.is_empty()) {
                let mine = rows
                    .iter()
                    .any(|x| &x[unit_c] == me && x[off_c].split('、').any(|y| y == officer));
                if !mine {
                    assert!(
                        !text.contains(officer),
                        "{me}'s notice shows officer {officer}"
                    );
                }
            }
        }
        for n in &names {
            assert!(
                !text.contains(n.as_str()) || n.chars().count() < 2,
                "officer name {n} without --names"
            );
        }
        // no summaries without --summaries
        assert!(
            !text.contains("工作中存在"),
            "summary text without --summaries"
        );
    }
    assert!(notices > 0);
}

#[test]
fn reports_are_byte_identical_across_runs() {
    let fx = Fixture::new();
    generated(&fx, 24);
    for out in ["a", "b"] {
        fx.jiucuo([
            "report",
            "quarterly",
            "g/ledger.csv",
            "--quarter",
            "2026Q3",
            "--volume",
            "g/volume.csv",
            "--out",
            out,
        ])
        .ok();
        fx.jiucuo([
            "report",
            "review",
            "g/ledger.csv",
            "--as-of",
            "2026-11-30",
            "--out",
            out,
        ])
        .ok();
    }
    let mut files: Vec<String> = std::fs::read_dir(fx.path("a"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    for f in files {
        assert_eq!(
            fx.read(&format!("a/{f}")),
            fx.read(&format!("b/{f}")),
            "{f} differs between runs"
        );
    }
}

/// A generated ledger read through the library (dirty: rejected rows too).
fn generated_ledger(rows: usize, seed: u64) -> (jiucuo::ingest::Ledger, String) {
    let data = jiucuo::generate::generate(rows, seed, true).unwrap();
    let opts = jiucuo::ingest::ReadOptions {
        encoding: jiucuo::ingest::Encoding::Auto,
        sheet: None,
        keep_summaries: false,
    };
    let ledger = jiucuo::ingest::read_ledger_from(
        std::io::Cursor::new(data.ledger_csv.as_bytes()),
        jiucuo::ingest::Format::Csv,
        &opts,
        &jiucuo::config::Config::default(),
        usize::MAX,
    )
    .unwrap();
    (ledger, data.volume_csv)
}

/// A large ledger's run spills the cases for the queries and narrows them
/// for the repeats and hotspots; every report must come out byte for byte
/// as from the whole table held in memory.
#[test]
fn a_staged_run_with_spilled_cases_writes_the_same_reports() {
    // the binary's main thread has 8 MB of stack; a test thread 2 MB, too
    // little for polars' planner in an unoptimised build
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(staged_and_side_by_side_reports_agree)
        .unwrap()
        .join()
        .unwrap();
}

fn staged_and_side_by_side_reports_agree() {
    use jiucuo::pipeline::Staging;
    use jiucuo::report::run::{ReportOptions, ReportRun, ReportScope};
    let fx = Fixture::new();
    let (ledger, volume_csv) = generated_ledger(1500, 23);
    std::fs::write(fx.path("volume.csv"), volume_csv).unwrap();
    let opts = jiucuo::ingest::ReadOptions {
        encoding: jiucuo::ingest::Encoding::Auto,
        sheet: None,
        keep_summaries: false,
    };
    let volume = jiucuo::ingest::auxiliary::read_volume(&fx.path("volume.csv"), &opts).unwrap();
    let config = jiucuo::config::Config::default();
    let q = jiucuo::period::Quarter::parse("2026Q2").unwrap();
    let as_of = q.last_day();
    let o = ReportOptions {
        names: false,
        summaries: false,
    };
    let font = jiucuo::cmd::resolve::font(&config);
    let calendar = jiucuo::calendar::Calendar::embedded();
    let render = |staging: Staging| {
        let scope = ReportScope {
            as_of,
            window: Some(jiucuo::period::Window::Quarter(q)),
            png_width: Some(400),
            staging,
            font: &font,
            calendar: &calendar,
        };
        let (cases, in_scope) =
            jiucuo::pipeline::scoped(ledger.cases.clone(), &config, as_of).unwrap();
        let basis = jiucuo::report::model::Basis::new(&config, &ledger, &in_scope, false);
        let run = ReportRun::prepare(
            cases,
            jiucuo::ingest::findings_frame(&ledger.findings, &ledger.labels).unwrap(),
            &config,
            Some(&volume),
            None,
            scope,
            basis,
        )
        .unwrap();
        let mut all = vec![run.quarterly(&config, q, as_of, &o).unwrap()];
        all.extend(run.warnings(&config, q, as_of, &o).unwrap());
        all.push(run.review(&config, as_of, &o, None, None).unwrap());
        all.into_iter()
            .map(|r| (r.stem, r.html, r.docx, r.xlsx))
            .collect::<Vec<_>>()
    };
    let together = render(Staging::SideBySide);
    let staged = render(Staging::OneAfterAnother);
    assert!(together.len() >= 3, "quarterly, a warning, review");
    assert!(
        together[0].1.contains("共立案核查履职尽责容错纠错案件"),
        "the quarterly report has its text"
    );
    assert_eq!(together.len(), staged.len());
    for (a, b) in together.iter().zip(&staged) {
        assert_eq!(a.0, b.0);
        assert!(a.1 == b.1, "{}: HTML differs", a.0);
        assert!(a.2 == b.2, "{}: Word differs", a.0);
        assert!(a.3 == b.3, "{}: Excel differs", a.0);
    }
}

/// The repeats and hotspots of a large run see only the columns they
/// declare reading; their tables must not change.
#[test]
fn repeats_and_hotspots_need_only_the_columns_they_declare() {
    use jiucuo::analysis::{hotspots, repeats};
    let (ledger, _) = generated_ledger(1500, 29);
    let cases = &ledger.cases;
    let rp = repeats::RepeatParams::default();
    let whole = repeats::repeats(cases, &rp, None).unwrap();
    let few = repeats::repeats(
        &cases.select(repeats::READS.iter().copied()).unwrap(),
        &rp,
        None,
    )
    .unwrap();
    assert!(whole.height() > 10, "{} repeat rows", whole.height());
    assert!(
        whole.equals_missing(&few),
        "repeats differ on the narrowed cases"
    );
    let config = jiucuo::config::Config::default();
    let hp = jiucuo::pipeline::hotspot_params(&config, jiucuo::generate::as_of());
    let whole = hotspots::hotspots(cases, None, jiucuo::period::Period::AllQuarters, &hp).unwrap();
    let narrowed = cases.select(hotspots::READS.iter().copied()).unwrap();
    let few =
        hotspots::hotspots(&narrowed, None, jiucuo::period::Period::AllQuarters, &hp).unwrap();
    assert!(whole.height() > 10, "{} hotspot rows", whole.height());
    assert!(
        whole.equals_missing(&few),
        "hotspots differ on the narrowed cases"
    );
}

/// The review's warning-effect sentence agrees with its table: the verdicts
/// counted row by row, each row's verdict following from its interval, and
/// no claim of effect without comparison cells.
#[test]
fn the_warning_effect_sentence_counts_its_table() {
    let fx = Fixture::new();
    fx.jiucuo(["demo", "--out", "d"]).ok();
    let html = String::from_utf8(fx.read("d/报告/试点评估报告.html")).unwrap();
    let text = text_of(&html);
    let table = html
        .split("发函的风险点在发函前后的失误率")
        .nth(1)
        .expect("effect table")
        .split("</table>")
        .next()
        .unwrap();
    let rows: Vec<Vec<&str>> = table
        .split("<tr>")
        .map(cells_of)
        .filter(|c: &Vec<&str>| c.len() == 9)
        .collect();
    assert!(!rows.is_empty(), "warned risk points in the demo");
    let count = |v: &str| rows.iter().filter(|r| r[8] == v).count();
    for r in &rows {
        let (low, high): (f64, f64) = (r[6].parse().unwrap(), r[7].parse().unwrap());
        let expected = if high < 1.0 {
            "改善"
        } else if low > 1.0 {
            "恶化"
        } else {
            "未见明显变化"
        };
        assert_eq!(r[8], expected, "{r:?}");
    }
    let sentence = format!(
        "共{}个发函的风险点可以比较：逐个作精确条件检验，改善{}个、未见明显变化{}个、恶化{}个",
        rows.len(),
        count("改善"),
        count("未见明显变化"),
        count("恶化")
    );
    assert!(text.contains(&sentence), "{sentence}\n{text}");
    if !text.contains("但所在单位未收到提醒函的") {
        assert!(text.contains("不能据此判断警示提醒是否有效"));
    }
    assert!(!text.contains("说明警示提醒总体有效"));
}

/// The planted notice effects (generate: a warned point whose excess halves
/// after its notice, and the persistent point whose rate stays): the review
/// calls the first 改善 with an interval below 1, never the second.
#[test]
fn the_review_sees_a_planted_notice_effect_and_not_a_null_one() {
    for seed in [21u64, 23] {
        let fx = Fixture::new();
        fx.jiucuo([
            "generate",
            "--rows",
            "5000",
            "--seed",
            &seed.to_string(),
            "--out",
            "g",
        ])
        .ok();
        fx.jiucuo([
            "report",
            "review",
            "g/ledger.csv",
            "--volume",
            "g/volume.csv",
            "--as-of",
            "2026-11-30",
            "--out",
            "r",
        ])
        .ok();
        let truth: serde_json::Value = serde_json::from_slice(&fx.read("g/truth.json")).unwrap();
        let effects = truth["notice_effects"].as_array().unwrap();
        assert_eq!(effects.len(), 2, "{effects:?}");
        let html = String::from_utf8(fx.read("r/试点评估报告.html")).unwrap();
        let table = html
            .split("发函的风险点在发函前后的失误率")
            .nth(1)
            .unwrap()
            .split("</table>")
            .next()
            .unwrap();
        for e in effects {
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            let row: Vec<&str> = table
                .split("<tr>")
                .map(cells_of)
                .find(|c: &Vec<&str>| {
                    c.len() == 9
                        && c[0] == s("notice_quarter")
                        && c[1] == s("unit")
                        && c[2] == s("error_type")
                })
                .unwrap_or_else(|| panic!("seed {seed}: {e} not in the table"));
            let high: f64 = row[7].parse().unwrap();
            match s("effect").as_str() {
                "halved" => assert!(row[8] == "改善" && high < 1.0, "seed {seed}: {row:?}"),
                _ => assert_ne!(row[8], "改善", "seed {seed}: {row:?}"),
            }
        }
    }
}

/// The review's revision proposals are rules fired by a printed number and
/// a configured share (`[report] catch_all_share`, `late_share`), worked
/// out by hand on 12 decisions of one unit: 4 cite 12.7 (33.3 % > 20 %),
/// 5 were told 10 days after the decision (late: 41.7 % > 15 %).
#[test]
fn the_reviews_proposals_fire_on_their_numbers_and_thresholds() {
    let fx = Fixture::new();
    let mut csv = String::from(
        "案件编号,执法单位,执法领域,执法事项类别,问题类型,涉及人员,立案日期,认定日期,告知日期,认定结果,适用条款,调查人数\n",
    );
    for i in 0..12u32 {
        let day = 2 + i; // filed 2026-03-02 …, decided five days later
        let told = if i < 5 { day + 5 + 10 } else { day + 5 + 1 };
        let clause = if i < 4 {
            "第十二条第（七）项"
        } else {
            "第十二条第（二）项"
        };
        csv.push_str(&format!(
            "C{i:02},甲局,市场监管,行政处罚,文书瑕疵,P{i},2026-03-{day:02},2026-03-{:02},2026-03-{told:02},不予容错,{clause},2\n",
            day + 5
        ));
    }
    fx.write("l.csv", csv);
    fx.jiucuo([
        "report",
        "review",
        "l.csv",
        "--as-of",
        "2026-06-30",
        "--out",
        "r",
    ])
    .ok();
    let text = text_of(&String::from_utf8(fx.read("r/试点评估报告.html")).unwrap());
    let catch_all = "甲局引用兜底条款第十二条第（七）项的认定4件，占其引用条款认定（12件）的33.3%，高于设定的20.0%";
    let late =
        "“决定后7日内告知（第十七条）”逾期或不符合规定的占41.7%（12项中5项），高于设定的15.0%";
    assert!(text.contains(catch_all), "{text}");
    assert!(text.contains(late), "{text}");
    // raised thresholds: neither fires
    fx.write(
        "j.toml",
        "[report]\ncatch_all_share = 0.5\nlate_share = 0.5\n",
    );
    fx.jiucuo([
        "report",
        "review",
        "l.csv",
        "--config",
        "j.toml",
        "--as-of",
        "2026-06-30",
        "--out",
        "s",
    ])
    .ok();
    let text = text_of(&String::from_utf8(fx.read("s/试点评估报告.html")).unwrap());
    assert!(
        !text.contains("兜底条款第十二条第（七）项的认定4件"),
        "{text}"
    );
    assert!(!text.contains("逾期或不符合规定的占41.7%"), "{text}");
    // a share outside 0–1 is refused, naming the key
    fx.write("k.toml", "[report]\nlate_share = 15\n");
    let run = fx
        .jiucuo([
            "report", "review", "l.csv", "--config", "k.toml", "--out", "t",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("late_share"), "{}", run.stderr);
}

/// With a register of the letters actually sent (`--letters`), the review
/// judges those and says so; a bad row is an error naming row and column.
#[test]
fn the_review_reads_the_register_of_letters_sent() {
    let fx = Fixture::new();
    fx.jiucuo(["generate", "--rows", "5000", "--seed", "21", "--out", "g"])
        .ok();
    let truth: serde_json::Value = serde_json::from_slice(&fx.read("g/truth.json")).unwrap();
    let halved = truth["notice_effects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["effect"] == "halved")
        .unwrap();
    let (unit, error) = (
        halved["unit"].as_str().unwrap(),
        halved["error_type"].as_str().unwrap(),
    );
    assert_eq!(halved["notice_quarter"], "2026Q1");
    // sent in April 2026: about 2026Q1
    fx.write(
        "letters.csv",
        format!("执法单位,发函日期,问题类型\n{unit},2026-04-15,{error}\n"),
    );
    fx.jiucuo([
        "report",
        "review",
        "g/ledger.csv",
        "--volume",
        "g/volume.csv",
        "--letters",
        "letters.csv",
        "--as-of",
        "2026-11-30",
        "--out",
        "r",
    ])
    .ok();
    let html = String::from_utf8(fx.read("r/试点评估报告.html")).unwrap();
    let text = text_of(&html);
    assert!(text.contains("下面按提醒函登记（1条）认定发函"), "{text}");
    assert!(
        text.contains("共1个发函的风险点可以比较：逐个作精确条件检验，改善1个"),
        "{text}"
    );
    let table = html.split("发函的风险点在发函前后的失误率").nth(1).unwrap();
    assert!(table.contains(&format!("<td>2026Q1</td><td>{unit}</td><td>{error}</td>")));
    // a unit the ledger does not know is named (its letter cannot be compared)
    fx.write(
        "typo.csv",
        format!("执法单位,发函日期,问题类型\n{unit}X,2026-04-15,{error}\n"),
    );
    let run = fx
        .jiucuo([
            "report",
            "review",
            "g/ledger.csv",
            "--letters",
            "typo.csv",
            "--as-of",
            "2026-11-30",
            "--out",
            "t",
        ])
        .ok();
    assert!(
        run.stderr
            .contains(&format!("执法单位“{unit}X”在台账中没有案件")),
        "{}",
        run.stderr
    );
    // a date that is not one
    fx.write(
        "bad.csv",
        format!("执法单位,发函日期,问题类型\n{unit},下周,{error}\n"),
    );
    let run = fx
        .jiucuo([
            "report",
            "review",
            "g/ledger.csv",
            "--letters",
            "bad.csv",
            "--out",
            "s",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("第2行“发函日期”的“下周”不是日期"),
        "{}",
        run.stderr
    );
}

/// The review's rate per 1,000 enforcement actions is the quarter's filings
/// over the volume file's actions for it (whole quarters only), and the
/// slowest steps it names are the two lowest shares of its own table.
#[test]
fn the_review_rates_use_the_volume_and_name_the_slowest_steps() {
    let fx = Fixture::new();
    generated(&fx, 21);
    fx.jiucuo([
        "report",
        "review",
        "g/ledger.csv",
        "--volume",
        "g/volume.csv",
        "--as-of",
        "2026-11-30",
        "--out",
        "r",
    ])
    .ok();
    let html = String::from_utf8(fx.read("r/试点评估报告.html")).unwrap();
    let volume = String::from_utf8(fx.read("g/volume.csv")).unwrap();
    let (header, rows) = crate::util::csv_records(volume.trim_start_matches('\u{feff}'));
    let (q, a) = (
        header.iter().position(|h| h == "季度").unwrap(),
        header.iter().position(|h| h == "执法量").unwrap(),
    );
    let actions = |quarter: &str| -> f64 {
        rows.iter()
            .filter(|r| {
                jiucuo::period::Quarter::parse(&r[q]).map(|x| x.label())
                    == Some(quarter.to_string())
            })
            .map(|r| r[a].parse::<f64>().unwrap())
            .sum()
    };
    let overview = html
        .split("各季度立案、认定与未结情况")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let row = |quarter: &str| -> Vec<String> {
        overview
            .split("<tr>")
            .map(cells_of)
            .find(|c: &Vec<&str>| c.first() == Some(&quarter))
            .unwrap_or_else(|| panic!("{quarter}"))
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let r = row("2025Q3");
    let expected = r[1].parse::<f64>().unwrap() / actions("2025Q3") * 1000.0;
    assert!(
        (r.last().unwrap().parse::<f64>().unwrap() - expected).abs() < 0.006,
        "{r:?} vs {expected}"
    );
    // the pilot's first quarter is a month: no rate
    assert_eq!(row("2025Q1").last().unwrap(), "");
    // the two lowest 期限内占比 of the times table, named in the text
    let times = html
        .split("办理用时分布")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let mut shares: Vec<(f64, String)> = times
        .split("<tr>")
        .map(cells_of)
        .filter(|c: &Vec<&str>| c.len() == 6)
        .map(|c| {
            (
                c[5].trim_end_matches('%').parse::<f64>().unwrap(),
                format!("{}（{}）", c[0], c[5]),
            )
        })
        .collect();
    shares.sort_by(|a, b| a.0.total_cmp(&b.0));
    let sentence = format!("期限内完成比例最低的是{}和{}", shares[0].1, shares[1].1);
    assert!(text_of(&html).contains(&sentence), "{sentence}");
}

/// Did art. 12(5) bite? Worked by hand: P1's 文书瑕疵 established (X1),
/// then again by a subjective cause (X2) yet tolerated (免责, 10.1): one
/// candidate, already given tolerance; X3 cites 12(5) with no earlier error
/// of P2 on record.
#[test]
fn the_review_counts_inconsistent_tolerance_and_12_5_without_basis() {
    let fx = Fixture::new();
    fx.write(
        "l.csv",
        "\
案件编号,执法单位,执法领域,执法事项类别,问题类型,涉及人员,主观过错,立案日期,认定日期,认定结果,适用条款
X1,甲局,市场监管,行政处罚,文书瑕疵,P1,是,2026-03-02,2026-03-06,不予容错,第十二条第（二）项
X2,甲局,市场监管,行政处罚,文书瑕疵,P1,是,2026-03-16,2026-03-20,免责,第十条第（一）项
X3,甲局,市场监管,行政处罚,超期办理,P2,是,2026-03-16,2026-03-20,不予容错,第十二条第（五）项
",
    );
    fx.jiucuo([
        "report",
        "review",
        "l.csv",
        "--as-of",
        "2026-06-30",
        "--out",
        "r",
    ])
    .ok();
    let text = text_of(&String::from_utf8(fx.read("r/试点评估报告.html")).unwrap());
    assert!(
        text.contains(
            "试点期间经比对可能属于第十二条第（五）项情形的案件共1件，其中1件已给予容错免责处理"
        ),
        "{text}"
    );
    assert!(
        text.contains("以第十二条第（五）项不予容错、但台账中未见该人员同类在先失误认定记录的1件"),
        "{text}"
    );
}

/// The office's details from jiucuo.toml reach the 版头, the 落款, the
/// contact line and the 版记; without them, none is invented.
#[test]
fn the_offices_details_come_from_the_configuration() {
    let fx = Fixture::new();
    generated(&fx, 22);
    fx.write(
        "j.toml",
        "[report]\noffice = \"某区司法局\"\ndoc_prefix = \"某司\"\nsigner = \"张三\"\ncontact = \"执法监督科，联系电话：0000-1234567\"\nissued_by = \"某区司法局办公室\"\n",
    );
    let run = |config: Option<&str>, kind: &str, out: &str| {
        let mut args = vec![
            "report",
            kind,
            "g/ledger.csv",
            "--quarter",
            "2026Q2",
            "--out",
            out,
        ];
        if let Some(c) = config {
            args.extend(["--config", c]);
        }
        fx.jiucuo(args).ok();
    };
    run(Some("j.toml"), "quarterly", "q");
    let doc = zip_entry(&fx.read("q/季度报告-2026Q2.docx"), "word/document.xml");
    for want in [
        "某区司法局文件",
        "某司〔2026〕　号",
        "签发人：张三",
        "某区司法局办公室",
        "印发",
    ] {
        assert!(doc.contains(want), "{want}");
    }
    let html = String::from_utf8(fx.read("q/季度报告-2026Q2.html")).unwrap();
    assert!(html.contains("class=\"colophon\"") && html.contains("某区司法局办公室"));
    run(Some("j.toml"), "warnings", "w");
    let notice = std::fs::read_dir(fx.path("w"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "html"))
        .expect("a notice");
    let notice = std::fs::read_to_string(notice).unwrap();
    assert!(notice.contains("（联系人：执法监督科，联系电话：0000-1234567）"));
    // defaults: the district's 司法局, no number, signer, contact or 版记
    run(None, "quarterly", "d");
    let doc = zip_entry(&fx.read("d/季度报告-2026Q2.docx"), "word/document.xml");
    assert!(doc.contains("历城区司法局文件"));
    for absent in ["〔2026〕", "签发人", "印发"] {
        assert!(!doc.contains(absent), "{absent}");
    }
}
