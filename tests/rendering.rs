//! The reports as a reader sees them: the Word files printed to PDF by
//! LibreOffice (the office suite of the domestic desktops many offices use),
//! and the pages read back with poppler's pdftotext. scripts/setup.sh
//! installs both; without LibreOffice the test says so and stops (nothing
//! else can lay out a Word file).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::Fixture;

/// Whether a tool runs (poppler's tools take -v, LibreOffice --version).
fn have(tool: &str) -> bool {
    let flag = if tool == "soffice" { "--version" } else { "-v" };
    Command::new(tool)
        .arg(flag)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Every .docx of `dir` printed to PDF in `out` (one LibreOffice run with a
/// profile of its own, so tests running side by side do not share one).
fn print_to_pdf(fx: &Fixture, dir: &Path, out: &str) -> PathBuf {
    let out = fx.path(out);
    std::fs::create_dir_all(&out).unwrap();
    let mut docs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "docx"))
        .collect();
    docs.sort();
    let profile = format!("file://{}", fx.path("lo-profile").display());
    let status = Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(&docs)
        .output()
        .expect("soffice runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    out
}

fn pages(pdf: &Path) -> usize {
    let info = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let text = String::from_utf8_lossy(&info.stdout).to_string();
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().unwrap())
        .unwrap_or_else(|| panic!("no page count for {}: {text}", pdf.display()))
}

/// The text of pages `first..=last` (all when None), in reading order or
/// as laid out.
fn text(pdf: &Path, range: Option<(usize, usize)>, layout: bool) -> String {
    let mut cmd = Command::new("pdftotext");
    if let Some((f, l)) = range {
        cmd.args(["-f", &f.to_string(), "-l", &l.to_string()]);
    }
    if layout {
        cmd.arg("-layout");
    }
    let out = cmd.arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Characters a printed line holds, a half-width one counting half, spaces
/// (pdftotext puts them around Latin runs) not at all.
fn line_chars(line: &str) -> f64 {
    line.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) as f64 / 2.0)
        .sum()
}

/// Text without the spaces and line ends pdftotext puts around Latin runs
/// and at a cell's wrap.
fn flat(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pdf_named(dir: &Path, prefix: &str) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix}*.pdf in {}", dir.display()))
}

/// Nothing meant for machines reaches a printed page.
fn no_internal_codes(name: &str, text: &str) {
    let rule_id = regex_lite_rule_id(text);
    assert!(rule_id.is_none(), "{name}: rule id {rule_id:?}");
    for code in [
        "queries/",
        ".sql",
        "p值",
        "q值",
        "p 值",
        "q 值",
        "×",
        "frequent",
        "concentrated",
        "rising",
        "alarm",
        "warning",
        "R-after",
        "R-subjective",
        "TRUE",
        "FALSE",
        "jiucuo",
    ] {
        assert!(!text.contains(code), "{name} prints “{code}”");
    }
}

/// A deadline rule id such as `D17-decide` in the text.
fn regex_lite_rule_id(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len().saturating_sub(4)).find_map(|i| {
        (chars[i] == 'D'
            && chars[i + 1].is_ascii_digit()
            && chars[i + 2].is_ascii_digit()
            && chars[i + 3] == '-')
            .then(|| chars[i..(i + 8).min(chars.len())].iter().collect())
    })
}

#[test]
fn printed_reports_keep_to_their_length_and_form() {
    if !have("soffice") || !have("pdftotext") {
        eprintln!("SKIPPED: LibreOffice (soffice) or poppler (pdftotext) is not installed; run scripts/setup.sh");
        return;
    }
    let fx = Fixture::new();
    fx.jiucuo(["demo", "--out", "d"]).ok();
    let pdfs = print_to_pdf(&fx, &fx.path("d/报告"), "pdf");
    let quarterly = pdf_named(&pdfs, "季度报告");
    let notice = pdf_named(&pdfs, "警示提醒函");
    let review = pdf_named(&pdfs, "试点评估报告");

    // lengths a reader gets through (issue 20)
    assert!(
        pages(&quarterly) <= 12,
        "quarterly: {} pages",
        pages(&quarterly)
    );
    assert!(pages(&notice) <= 3, "notice: {} pages", pages(&notice));
    assert!(pages(&review) <= 20, "review: {} pages", pages(&review));

    // the quarterly report opens with the summary: the findings from the
    // first page, the proposals by the second, no table or chart before them
    let first = text(&quarterly, Some((1, 1)), false);
    assert!(first.contains("一、主要情况"), "{first}");
    for n in 1..=3 {
        assert!(first.contains(&format!("{n}. ")), "finding {n}: {first}");
    }
    let summary = text(&quarterly, Some((1, 2)), false);
    assert!(
        summary.contains("5. ") && summary.contains("二、工作建议"),
        "{summary}"
    );
    assert!(
        !first.contains("三、总体情况") && !first.contains("各季度"),
        "{first}"
    );
    // 3号 body lines of 28 characters (GB/T 9704): the longest line of the
    // first page's body holds 28, none more
    let layout = text(&quarterly, Some((1, 1)), true);
    let widest = layout
        .lines()
        .filter(|l| !l.contains("关于") && !l.contains('—'))
        .map(line_chars)
        .fold(0.0, f64::max);
    assert!(
        (27.5..=28.5).contains(&widest),
        "widest body line holds {widest} characters:\n{layout}"
    );

    // tables print whole words: quarter labels and unit names on one line
    let all = text(&quarterly, None, false);
    for q in ["2025Q1", "2025Q4", "2026Q3"] {
        assert!(all.contains(q), "quarter label {q} cut");
    }
    for unit in ["区住房和城乡建设局", "东风街道办事处"] {
        assert!(
            all.lines().any(|l| l.contains(unit)),
            "unit name {unit} broken over lines"
        );
    }
    // the case lists are in the Excel appendix, which the report names
    assert!(all.contains("季度报告-2026Q3.xlsx"));
    assert!(!all.contains("经比对可能属于第十二条第（五）项情形的案件（需在认定时核实）"));

    // the notice: issued by the office, to the unit, sealed before its 附件
    let n = text(&notice, None, false);
    assert!(n.contains("历城区司法局") && n.contains("区住房和城乡建设局："));
    let last_body_page = text(
        &notice,
        Some((pages(&notice) - 1, pages(&notice) - 1)),
        false,
    );
    assert!(
        flat(&last_body_page).contains("历城区司法局2026年11月30日"),
        "the 落款 is on the page before the 附件: {last_body_page}"
    );

    // the review names the quarter under way as unfinished
    let r = text(&review, None, false);
    assert!(flat(&r).contains("2026Q4（至11月30日）"), "{r}");
    assert!(!r.contains("确需保留"));

    for (name, t) in [("quarterly", &all), ("notice", &n), ("review", &r)] {
        no_internal_codes(name, t);
    }
}

#[test]
fn a_district_of_ten_thousand_cases_still_gets_a_short_quarterly_report() {
    if !have("soffice") || !have("pdfinfo") {
        eprintln!("SKIPPED: LibreOffice (soffice) or poppler (pdfinfo) is not installed; run scripts/setup.sh");
        return;
    }
    let fx = Fixture::new();
    fx.jiucuo(["generate", "--rows", "10000", "--seed", "5", "--out", "g"])
        .ok();
    fx.jiucuo([
        "report",
        "quarterly",
        "g/ledger.csv",
        "--volume",
        "g/volume.csv",
        "--quarter",
        "2026Q3",
        "--out",
        "r",
    ])
    .ok();
    let pdfs = print_to_pdf(&fx, &fx.path("r"), "pdf");
    let quarterly = pdf_named(&pdfs, "季度报告");
    assert!(pages(&quarterly) <= 12, "{} pages", pages(&quarterly));
    no_internal_codes("quarterly 10k", &text(&quarterly, None, false));
}
