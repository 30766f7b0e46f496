//! Chinese labels on the charts: unit names shortened by a fixed rule, long
//! category names wrapped to a width, short names of error types and
//! deadline rules, quarter labels.
//!
//! Unit names ([`unit_label`]):
//! 1. surrounding spaces are trimmed and a trailing parenthesised alias is
//!    dropped (`区市场监督管理局（区知识产权局）` → `区市场监督管理局`);
//! 2. a street office loses 办事处, a township government 人民政府
//!    (`王舍人街道办事处` → `王舍人街道`, `唐王镇人民政府` → `唐王镇`);
//!    district departments (`区住房和城乡建设局`) stay as they are;
//! 3. a name still longer than [`MAX_UNIT_CHARS`] characters keeps its first
//!    `MAX_UNIT_CHARS − 1` characters and ends in `…`.
//!
//! [`unit_labels`] applies the rule to a set of units and keeps the full names
//! of any units whose short labels would coincide.

use std::collections::BTreeMap;

use super::font::FontChoice;

/// Longest unit label, in characters.
pub const MAX_UNIT_CHARS: usize = 12;

/// Suffixes shortened in unit names (longest first).
const UNIT_SUFFIXES: &[(&str, &str)] = &[
    ("街道办事处", "街道"),
    ("镇人民政府", "镇"),
    ("乡人民政府", "乡"),
];

/// Short names of long error types, used on chart axes (and listed in the note).
pub const SHORT_ERROR_TYPES: &[(&str, &str)] = &[
    ("未执行重大执法决定法制审核制度", "未执行法制审核"),
    ("未执行执法全过程记录制度", "未执行全过程记录"),
    ("未执行执法公示制度", "未执行公示制度"),
];

/// The chart label of one unit name (see the module docs for the rule).
pub fn unit_label(name: &str) -> String {
    let mut s = name.trim().to_string();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if s.ends_with(close) {
            if let Some(i) = s.rfind(open) {
                if i > 0 {
                    s = s[..i].trim_end().to_string();
                }
            }
        }
    }
    for (long, short) in UNIT_SUFFIXES {
        if let Some(stem) = s.strip_suffix(long) {
            if !stem.is_empty() {
                s = format!("{stem}{short}");
                break;
            }
        }
    }
    if s.chars().count() > MAX_UNIT_CHARS {
        s = s.chars().take(MAX_UNIT_CHARS - 1).collect::<String>() + "…";
    }
    s
}

/// Labels for a set of units, in the same order: [`unit_label`], except that
/// units whose labels would coincide keep their full (trimmed) names.
pub fn unit_labels(units: &[String]) -> Vec<String> {
    let short: Vec<String> = units.iter().map(|u| unit_label(u)).collect();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &short {
        *seen.entry(s.as_str()).or_default() += 1;
    }
    units
        .iter()
        .zip(&short)
        .map(|(full, s)| {
            if seen[s.as_str()] > 1 {
                full.trim().to_string()
            } else {
                s.clone()
            }
        })
        .collect()
}

/// Whether any label shortened a unit name (the chart then says how).
pub fn units_shortened(units: &[String], labels: &[String]) -> bool {
    units.iter().zip(labels).any(|(u, l)| u.trim() != l)
}

/// The axis label of an error type.
pub fn error_type_label(name: &str) -> String {
    SHORT_ERROR_TYPES
        .iter()
        .find(|(long, _)| *long == name)
        .map(|(_, short)| short.to_string())
        .unwrap_or_else(|| name.to_string())
}

/// The label of a deadline rule: what it asks and its article, never the id.
pub fn rule_label(rule: &str) -> String {
    crate::analysis::deadlines::rule_name(rule)
        .map(str::to_string)
        .unwrap_or_else(|| rule.to_string())
}

/// Position of a rule in the measures' order (unknown rules last).
pub fn rule_order(rule: &str) -> usize {
    crate::analysis::deadlines::rule_order(rule)
}

/// `2025Q3` → ["2025年", "第三季度"]; anything else unchanged, one line.
pub fn quarter_lines(label: &str) -> Vec<String> {
    match crate::period::Quarter::parse(label) {
        Some(q) => {
            let zh = q.label_zh();
            let year = format!("{}年", q.year);
            vec![year.clone(), zh[year.len()..].to_string()]
        }
        None => vec![label.to_string()],
    }
}

/// Break `text` into at most `max_lines` lines no wider than `width` pixels at
/// font `size`, with lines of similar length. Runs of ASCII letters and digits
/// (`D17`, `10.10`) are not split; Chinese breaks between any two characters.
/// When the text does not fit, the last line ends in `…`.
pub fn wrap(text: &str, width: f64, size: f64, font: &FontChoice, max_lines: usize) -> Vec<String> {
    if max_lines <= 1 || font.text_width(text, size) <= width {
        return vec![fit(text, width, size, font)];
    }
    let tokens = tokens(text);
    if tokens.len() <= 40 {
        for lines in 2..=max_lines.min(tokens.len()) {
            if let Some(best) = balanced(&tokens, lines, width, size, font) {
                return best;
            }
        }
    }
    finish(
        greedy(&tokens, width, size, font),
        max_lines,
        width,
        size,
        font,
    )
}

/// The split of `tokens` into exactly `lines` lines that fit `width` with
/// the narrowest widest line; among equals, the one with longer early lines.
fn balanced(
    tokens: &[String],
    lines: usize,
    width: f64,
    size: f64,
    font: &FontChoice,
) -> Option<Vec<String>> {
    fn splits(
        n: usize,
        parts: usize,
        from: usize,
        acc: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if parts == 1 {
            out.push(acc.clone());
            return;
        }
        for cut in from + 1..=n - parts + 1 {
            acc.push(cut);
            splits(n, parts - 1, cut, acc, out);
            acc.pop();
        }
    }
    let mut all = Vec::new();
    splits(tokens.len(), lines, 0, &mut Vec::new(), &mut all);
    // (widest line, sum of squared widths, widths, lines): smaller is better,
    // then longer early lines.
    type Candidate = (f64, f64, Vec<f64>, Vec<String>);
    let mut best: Option<Candidate> = None;
    for cuts in all {
        let bounds: Vec<usize> = std::iter::once(0)
            .chain(cuts.iter().copied())
            .chain(std::iter::once(tokens.len()))
            .collect();
        let text: Vec<String> = bounds
            .windows(2)
            .map(|w| tokens[w[0]..w[1]].concat().trim().to_string())
            .collect();
        let widths: Vec<f64> = text.iter().map(|l| font.text_width(l, size)).collect();
        let widest = widths.iter().copied().fold(0.0, f64::max);
        if widest > width || text.iter().any(|l| l.is_empty()) {
            continue;
        }
        let spread: f64 = widths.iter().map(|w| w * w).sum();
        let better = match &best {
            None => true,
            Some((w, sp, ws, _)) => {
                let (dw, dsp) = (widest - w, spread - sp);
                let tol = 1e-6;
                dw < -tol
                    || (dw.abs() <= tol && dsp < -tol)
                    || (dw.abs() <= tol
                        && dsp.abs() <= tol
                        && widths
                            .iter()
                            .zip(ws)
                            .find(|(a, b)| (*a - *b).abs() > tol)
                            .is_some_and(|(a, b)| a > b))
            }
        };
        if better {
            best = Some((widest, spread, widths, text));
        }
    }
    best.map(|b| b.3)
}

/// Fill lines up to `width` (for running text such as notes).
pub fn wrap_greedy(
    text: &str,
    width: f64,
    size: f64,
    font: &FontChoice,
    max_lines: usize,
) -> Vec<String> {
    let lines = greedy(&tokens(text), width, size, font);
    finish(lines, max_lines.max(1), width, size, font)
}

fn greedy(tokens: &[String], limit: f64, size: f64, font: &FontChoice) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for t in tokens {
        let candidate = format!("{current}{t}");
        if !current.trim().is_empty() && font.text_width(candidate.trim_end(), size) > limit {
            lines.push(std::mem::take(&mut current).trim_end().to_string());
            current = t.trim_start().to_string();
        } else {
            current = candidate;
        }
    }
    if !current.trim().is_empty() {
        lines.push(current.trim_end().to_string());
    }
    lines
}

/// At most `max_lines` lines, the overflow cut with `…` on the last one.
fn finish(
    mut lines: Vec<String>,
    max_lines: usize,
    width: f64,
    size: f64,
    font: &FontChoice,
) -> Vec<String> {
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).concat();
        let cut = fit(&rest, width, size, font);
        lines.push(if cut == rest {
            format!("{rest}…")
        } else {
            cut
        });
    }
    lines
        .into_iter()
        .map(|l| fit(&l, width, size, font))
        .collect()
}

/// `text`, or its longest prefix that fits `width` followed by `…`.
pub fn fit(text: &str, width: f64, size: f64, font: &FontChoice) -> String {
    if font.text_width(text, size) <= width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (1..chars.len()).rev() {
        let s: String = chars[..n].iter().collect::<String>() + "…";
        if font.text_width(&s, size) <= width {
            return s;
        }
    }
    "…".to_string()
}

/// Unbreakable pieces: single non-ASCII characters, or runs of ASCII
/// non-space characters with their leading space.
fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii() && !c.is_ascii_whitespace() {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
        if c.is_ascii_whitespace() {
            run.push(c);
        } else {
            out.push(c.to_string());
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// A share as a percentage with no decimals (`93%`), or one below 10% (`4.5%`).
pub(crate) fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 9.95 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_are_shortened_by_the_documented_rule() {
        assert_eq!(unit_label("王舍人街道办事处"), "王舍人街道");
        assert_eq!(unit_label(" 港沟街道办事处 "), "港沟街道");
        assert_eq!(unit_label("区住房和城乡建设局"), "区住房和城乡建设局");
        assert_eq!(unit_label("区市场监督管理局"), "区市场监督管理局");
        assert_eq!(
            unit_label("区市场监督管理局（区知识产权局）"),
            "区市场监督管理局"
        );
        assert_eq!(unit_label("唐王镇人民政府"), "唐王镇");
        assert_eq!(unit_label("街道办事处"), "街道办事处");
        assert_eq!(
            unit_label("区城市管理和综合行政执法局直属执法大队"),
            "区城市管理和综合行政执…"
        );
        assert_eq!(
            unit_label("区城市管理和综合行政执法局直属执法大队")
                .chars()
                .count(),
            MAX_UNIT_CHARS
        );
    }

    #[test]
    fn colliding_short_labels_keep_full_names() {
        let units: Vec<String> = ["王舍人街道办事处", "王舍人街道", "郭店街道办事处"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let labels = unit_labels(&units);
        assert_eq!(labels, ["王舍人街道办事处", "王舍人街道", "郭店街道"]);
        assert!(units_shortened(&units, &labels));
        let plain = vec!["区应急管理局".to_string()];
        assert!(!units_shortened(&plain, &unit_labels(&plain)));
    }

    #[test]
    fn wrapping_balances_lines_and_keeps_numbers_whole() {
        let f = FontChoice::fallback(); // CJK 1 em, ASCII 0.55 em
        assert_eq!(
            wrap("事实不清证据不足", 400.0, 100.0, &f, 3),
            ["事实不清", "证据不足"]
        );
        assert_eq!(
            wrap("违反法定程序", 400.0, 100.0, &f, 3),
            ["违反法", "定程序"]
        );
        // the widest line as narrow as possible, early lines longer
        assert_eq!(
            wrap("不履行法定职责", 300.0, 100.0, &f, 3),
            ["不履行", "法定", "职责"]
        );
        assert_eq!(wrap("裁量不当", 400.0, 100.0, &f, 3), ["裁量不当"]);
        // too long for two lines: the last one is cut with an ellipsis
        let lines = wrap("未执行重大执法决定法制审核制度", 400.0, 100.0, &f, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'), "{lines:?}");
        assert!(lines.iter().all(|l| f.text_width(l, 100.0) <= 400.0));
        // ASCII runs stay whole
        let lines = wrap("D22-feedback 向实名举报人反馈", 900.0, 100.0, &f, 2);
        assert_eq!(lines[0], "D22-feedback");
        assert_eq!(fit("区住房和城乡建设局", 500.0, 100.0, &f), "区住房和…");
        // three characters per line at most: balanced within three lines
        assert_eq!(
            wrap("事实不清证据不足", 300.0, 100.0, &f, 3),
            ["事实不", "清证据", "不足"]
        );
        // notes fill their lines
        assert_eq!(
            wrap_greedy("一二三四五六七", 300.0, 100.0, &f, 5),
            ["一二三", "四五六", "七"]
        );
    }

    #[test]
    fn rule_and_error_type_and_quarter_labels() {
        assert_eq!(rule_label("D17-decide"), "立案后30日内调查终结（第十七条）");
        assert_eq!(rule_label("D99-x"), "D99-x");
        assert!(rule_order("D15-handle") < rule_order("D22-feedback"));
        assert_eq!(
            error_type_label("未执行重大执法决定法制审核制度"),
            "未执行法制审核"
        );
        assert_eq!(error_type_label("裁量不当"), "裁量不当");
        assert_eq!(quarter_lines("2025Q3"), ["2025年", "第三季度"]);
        assert_eq!(quarter_lines("其他"), ["其他"]);
    }
}
