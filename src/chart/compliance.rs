//! Deadline compliance (rules.md §2) in two panels of 100% stacked bars: by
//! rule (in rule order) and by unit (most problems first: share late,
//! overdue or in breach, then name). Each bar splits the rule checks into
//! met / pending / due-soon / late / overdue / breach, with shares printed
//! where they fit and the number of checks at the end.
//! 2400 px wide, `HEADER + (rules + units) × ROW` px tall (at least 1500).

use std::collections::BTreeMap;

use polars::prelude::*;

use super::font::FontChoice;
use super::inputs::{ChartError, ChartInputs, Drawn};
use super::labels;
use super::palette::{self, STATUSES};
use super::scene::{self, Area, Chrome, HAlign, Painter, Stroke, Swatch, VAlign};

pub const NAME: &str = "compliance";
pub const TITLE: &str = "办理期限执行情况";

const ROW: f64 = 66.0;
const HEADER: f64 = 720.0;

/// Checks of one rule or unit, per status in [`STATUSES`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub key: String,
    pub counts: Vec<u64>,
}

impl Row {
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Share of checks late, overdue or in breach.
    pub fn problem_share(&self) -> f64 {
        let bad: u64 = STATUSES
            .iter()
            .zip(&self.counts)
            .filter(|((s, _, _), _)| matches!(*s, "late" | "overdue" | "breach"))
            .map(|(_, n)| n)
            .sum();
        bad as f64 / self.total().max(1) as f64
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub by_rule: Vec<Row>,
    pub by_unit: Vec<Row>,
    pub scope: String,
}

fn rows(pairs: &BTreeMap<(String, String), u64>) -> Vec<Row> {
    let mut out: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for ((key, status), n) in pairs {
        let row = out.entry(key).or_insert_with(|| vec![0; STATUSES.len()]);
        if let Some(k) = STATUSES.iter().position(|(s, _, _)| s == status) {
            row[k] += n;
        }
    }
    out.into_iter()
        .map(|(k, counts)| Row {
            key: k.to_string(),
            counts,
        })
        .collect()
}

impl Model {
    pub fn from_inputs(inputs: &ChartInputs) -> PolarsResult<Model> {
        let cases = super::inputs::cases_in_window(inputs.cases, inputs.window, &[])?;
        let checks = match inputs.window {
            None => inputs.deadlines.clone(),
            Some(w) => inputs.deadlines.clone().filter(w.filed_within()),
        };
        // One pass over the checks (a scan of the spilled table): counts by
        // rule, unit and status, summed two ways.
        let (text, counts) = super::inputs::count_groups(checks, &["rule", "unit", "status"])?;
        let mut rule_status = BTreeMap::new();
        let mut unit_status = BTreeMap::new();
        for (((rule, unit), status), n) in text[0]
            .iter()
            .zip(text[1].iter())
            .zip(text[2].iter())
            .zip(counts)
        {
            let (Some(rule), Some(unit), Some(status)) = (rule, unit, status) else {
                continue;
            };
            *rule_status
                .entry((rule.to_string(), status.to_string()))
                .or_insert(0) += n;
            *unit_status
                .entry((unit.to_string(), status.to_string()))
                .or_insert(0) += n;
        }
        let mut by_rule = rows(&rule_status);
        by_rule.sort_by(|a, b| {
            labels::rule_order(&a.key)
                .cmp(&labels::rule_order(&b.key))
                .then(a.key.cmp(&b.key))
        });
        let mut by_unit = rows(&unit_status);
        by_unit.sort_by(|a, b| {
            b.problem_share()
                .total_cmp(&a.problem_share())
                .then(a.key.cmp(&b.key))
        });
        let mut scope = super::inputs::scope_text(inputs.window, &cases)?;
        if let Some(d) = inputs.as_of {
            scope.push_str(&format!("；未办结事项按 {d} 判断"));
        }
        Ok(Model {
            by_rule,
            by_unit,
            scope,
        })
    }
}

/// The compliance chart of the inputs.
pub fn chart(inputs: &ChartInputs, font: &FontChoice) -> Result<Drawn, ChartError> {
    let m = Model::from_inputs(inputs)?;
    let units: Vec<String> = m.by_unit.iter().map(|r| r.key.clone()).collect();
    let unit_labels = labels::unit_labels(&units);
    let mut notes = vec![
        "每条规则对每件适用的案件检查一次；“未到期”“即将到期”为尚未办结、期限未过（即将到期：剩余不超过 5 个工作日）；无期限的规则只分“按期/符合”与“不符合规定”。"
            .to_string(),
        "单位按逾期、超期与不符合的占比从高到低排列；条末数字为检查项数。".to_string(),
    ];
    if labels::units_shortened(&units, &unit_labels) {
        notes.push("单位名称按简称显示（“街道办事处”简称“街道”）。".to_string());
    }
    let n_rows = (m.by_rule.len() + m.by_unit.len()) as f64;
    let height = (HEADER + n_rows * ROW).max(1500.0) as u32;
    let mut p = Painter::new(font, super::inputs::WIDTH, height);
    let legend = STATUSES
        .iter()
        .map(|(_, zh, c)| (Swatch::Fill(*c), zh.to_string()))
        .collect();
    let area = p.chrome(&Chrome {
        title: TITLE.to_string(),
        subtitle: m.scope.clone(),
        legend,
        notes: notes.clone(),
    });
    if m.by_rule.is_empty() {
        p.no_data(area, "本期无期限检查项");
    } else {
        let rule_labels: Vec<String> = m
            .by_rule
            .iter()
            .map(|r| labels::rule_label(&r.key))
            .collect();
        let all_labels: Vec<&String> = rule_labels.iter().chain(&unit_labels).collect();
        let label_w = all_labels
            .iter()
            .map(|l| p.measure(l, scene::LABEL))
            .fold(0.0, f64::max)
            .min(area.width() * 0.4);
        let row_h = ((area.height() - 2.0 * panel_title_h(&p)) / n_rows).min(ROW);
        let mut y = area.y0;
        y = panel(
            &mut p,
            area,
            y,
            row_h,
            label_w,
            "按规则",
            &m.by_rule,
            &rule_labels,
        );
        panel(
            &mut p,
            area,
            y,
            row_h,
            label_w,
            "按执法单位",
            &m.by_unit,
            &unit_labels,
        );
    }
    Ok(Drawn {
        name: NAME,
        title: TITLE.to_string(),
        notes,
        scene: p.finish(),
    })
}

fn panel_title_h(p: &Painter) -> f64 {
    p.line_height(scene::LABEL) + 24.0
}

/// One panel from `y`; returns the y below it.
#[allow(clippy::too_many_arguments)]
fn panel(
    p: &mut Painter,
    area: Area,
    y: f64,
    row_h: f64,
    label_w: f64,
    title: &str,
    rows: &[Row],
    row_labels: &[String],
) -> f64 {
    let th = panel_title_h(p);
    p.label(title, area.x0, y + th / 2.0, HAlign::Left);
    let total_w = p.measure("n=00000", scene::VALUE) + 20.0;
    let x0 = area.x0 + label_w + 24.0;
    let x1 = area.x1 - total_w;
    let mut top = y + th;
    for (row, label) in rows.iter().zip(row_labels) {
        let cy = top + row_h / 2.0;
        let label = labels::fit(label, label_w, p.size(scene::LABEL), p.font);
        p.label(&label, x0 - 16.0, cy, HAlign::Right);
        let total = row.total().max(1) as f64;
        let (b0, b1) = (top + row_h * 0.14, top + row_h * 0.86);
        let mut x = x0;
        for ((_, _, colour), n) in STATUSES.iter().zip(&row.counts) {
            if *n == 0 {
                continue;
            }
            let share = *n as f64 / total;
            let w = share * (x1 - x0);
            p.bar(x, b0, x + w, b1, *colour);
            let text = super::labels::percent(share);
            if p.measure(&text, scene::VALUE * 0.85) + 12.0 <= w {
                p.text_at(
                    &text,
                    x + w / 2.0,
                    cy,
                    scene::VALUE * 0.85,
                    palette::text_on(*colour),
                    HAlign::Center,
                    VAlign::Middle,
                );
            }
            x += w;
        }
        p.value(
            &format!("n={}", row.total()),
            x1 + 14.0,
            cy,
            HAlign::Left,
            palette::GREY_TEXT,
        );
        top += row_h;
    }
    p.segment((x0, y + th), (x0, top), Stroke::new(palette::AXIS, 2.0));
    top + 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testdata;

    fn counts(rows: &[Row], key: &str) -> Vec<u64> {
        rows.iter().find(|r| r.key == key).unwrap().counts.clone()
    }

    #[test]
    fn statuses_by_rule_and_unit() {
        let t = testdata::tables();
        let m = Model::from_inputs(&t.inputs(None)).unwrap();
        // STATUSES order: met, pending, due-soon, late, overdue, breach
        let keys: Vec<&str> = m.by_rule.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["D16-two", "D17-decide", "D20-rectify"]);
        assert_eq!(counts(&m.by_rule, "D16-two"), [1, 0, 0, 0, 0, 1]);
        assert_eq!(counts(&m.by_rule, "D17-decide"), [4, 0, 0, 1, 1, 0]);
        assert_eq!(counts(&m.by_rule, "D20-rectify"), [0, 1, 1, 0, 0, 0]);
        // 王舍人: 3 of 6 are problems; 区住建局: none → 王舍人 first
        assert_eq!(m.by_unit[0].key, testdata::WANG);
        assert_eq!(counts(&m.by_unit, testdata::WANG), [3, 0, 0, 1, 1, 1]);
        assert_eq!(counts(&m.by_unit, testdata::ZHUJIAN), [2, 1, 1, 0, 0, 0]);
        assert!(m.scope.contains("2025-11-30"));
    }

    #[test]
    fn a_window_keeps_the_checks_of_cases_filed_in_it() {
        let t = testdata::tables();
        let m = Model::from_inputs(&t.inputs(Some(testdata::q3()))).unwrap();
        // Q3 cases: A3, A4, B1, B2
        assert_eq!(counts(&m.by_rule, "D17-decide"), [3, 0, 0, 0, 1, 0]);
        assert!(!m.by_rule.iter().any(|r| r.key == "D16-two"));
    }

    #[test]
    fn scene_labels_rules_and_units() {
        let t = testdata::tables();
        let d = chart(&t.inputs(None), &FontChoice::fallback()).unwrap();
        let texts: Vec<&str> = d.scene.texts().collect();
        for want in [
            TITLE,
            "按规则",
            "按执法单位",
            "立案后30日内调查终结（第十七条）",
            "王舍人街道",
            "超期未办",
            "n=6",
        ] {
            assert!(texts.contains(&want), "{want} missing from {texts:?}");
        }
    }
}
