//! Use of every article item 9.1 … 12.7 (rules.md §5) as horizontal bars,
//! grouped under their articles and coloured like the outcomes they support.
//! Items never invoked stay on the chart as `0（未适用）` and are listed in a
//! note. 2400 px wide, `HEADER + (items + articles) × ROW` px tall.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::font::FontChoice;
use super::inputs::{ChartError, ChartInputs, Drawn};
use super::palette::{self, ARTICLE_COLOURS};
use super::scene::{self, Area, Chrome, HAlign, Painter, Stroke, VAlign};
use crate::analysis::outcomes::clause_items;

pub const NAME: &str = "clause_use";
pub const TITLE: &str = "条款适用情况（第九条至第十二条）";

const ROW: f64 = 50.0;
const HEADER: f64 = 480.0;

/// Label of a never-invoked item.
pub const UNUSED: &str = "0（未适用）";

/// Uses of each item, in article order.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// (item `10.9`, article, count)
    pub items: Vec<(String, i32, u64)>,
    /// Decided cases citing a clause.
    pub base: u64,
}

impl Model {
    pub fn from_inputs(inputs: &ChartInputs) -> PolarsResult<Model> {
        let o = inputs.outcomes;
        let section = o.column("section")?.str()?;
        let item = o.column("item")?.str()?;
        let count = o.column("count")?.i64()?;
        let base_col = o.column("base")?.i64()?;
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut base = 0;
        for i in 0..o.height() {
            if section.get(i) != Some("clause_use") {
                continue;
            }
            if let Some(it) = item.get(i) {
                *counts.entry(it.to_string()).or_insert(0) +=
                    count.get(i).unwrap_or(0).max(0) as u64;
                base = base.max(base_col.get(i).unwrap_or(0).max(0) as u64);
            }
        }
        let items = clause_items()
            .into_iter()
            .map(|it| {
                let article = it
                    .split('.')
                    .next()
                    .and_then(|a| a.parse().ok())
                    .unwrap_or(0);
                let n = counts.get(&it).copied().unwrap_or(0);
                (it, article, n)
            })
            .collect();
        Ok(Model { items, base })
    }

    pub fn unused(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter(|(_, _, n)| *n == 0)
            .map(|(it, _, _)| it.as_str())
            .collect()
    }
}

/// The clause-use chart of the inputs.
pub fn chart(inputs: &ChartInputs, font: &FontChoice) -> Result<Drawn, ChartError> {
    let m = Model::from_inputs(inputs)?;
    let unused = m.unused();
    let mut notes = vec![format!(
        "统计已认定且注明适用条款的案件 {} 件，每件计其适用的一个条款项。",
        m.base
    )];
    notes.push(if unused.is_empty() {
        "各条款项均有适用。".to_string()
    } else {
        format!(
            "未适用的条款项（{} 项）：{}。",
            unused.len(),
            unused
                .iter()
                .map(|c| crate::schema::clause_zh(c))
                .collect::<Vec<_>>()
                .join("、")
        )
    });
    let n_rows = (m.items.len() + ARTICLE_COLOURS.len()) as f64;
    let height = (HEADER + n_rows * ROW).max(1500.0) as u32;
    let mut p = Painter::new(font, super::inputs::WIDTH, height);
    let area = p.chrome(&Chrome {
        title: TITLE.to_string(),
        subtitle: format!("范围：全部已认定且注明适用条款的案件（共 {} 件）", m.base),
        legend: Vec::new(),
        notes: notes.clone(),
    });
    draw(&mut p, area, &m);
    Ok(Drawn {
        name: NAME,
        title: TITLE.to_string(),
        notes,
        scene: p.finish(),
    })
}

/// An item under its article's band: `10.9` → `第（九）项`.
fn item_label(code: &str) -> String {
    let full = crate::schema::clause_zh(code);
    match full.split_once('条') {
        Some((_, item)) if !item.is_empty() => item.to_string(),
        _ => full,
    }
}

fn draw(p: &mut Painter, area: Area, m: &Model) {
    let max = m.items.iter().map(|i| i.2).max().unwrap_or(0) as f64;
    let ticks = scene::nice_ticks(max.max(1.0) * 1.05, 6);
    let top = *ticks.last().unwrap_or(&1.0);
    let label_w = m
        .items
        .iter()
        .map(|(it, _, _)| p.measure(&item_label(it), scene::LABEL))
        .fold(0.0, f64::max);
    let x0 = area.x0 + label_w.max(p.measure("第十一条", scene::LABEL) * 0.5) + 40.0;
    let x1 = area.x1 - p.measure(UNUSED, scene::VALUE) - 30.0;
    let axis_h = p.line_height(scene::TICK) + 20.0;
    let n_rows = (m.items.len() + ARTICLE_COLOURS.len()) as f64;
    let row_h = ((area.height() - axis_h) / n_rows).min(ROW);
    let x = |v: f64| x0 + v / top * (x1 - x0);
    let y_end = area.y0 + row_h * n_rows;
    // Vertical gridlines and the value axis at the bottom.
    for v in &ticks {
        let px = x(*v);
        if *v > 0.0 {
            p.segment((px, area.y0), (px, y_end), Stroke::new(palette::GRID, 2.0));
        }
        p.segment(
            (px, y_end),
            (px, y_end + 8.0),
            Stroke::new(palette::AXIS, 2.0),
        );
        p.text_at(
            &scene::tick_text(*v),
            px,
            y_end + 12.0,
            scene::TICK,
            palette::GREY_TEXT,
            HAlign::Center,
            VAlign::Top,
        );
    }
    p.segment((x0, y_end), (x1, y_end), Stroke::new(palette::AXIS, 2.0));
    p.segment((x0, area.y0), (x0, y_end), Stroke::new(palette::AXIS, 3.0));
    let mut y = area.y0;
    for (article, heading, colour) in ARTICLE_COLOURS {
        // a band across the chart, over the gridlines
        p.rect(area.x0, y + 2.0, area.x1, y + row_h - 2.0, palette::BAND);
        p.label(heading, area.x0 + 12.0, y + row_h / 2.0, HAlign::Left);
        y += row_h;
        for (it, _, n) in m.items.iter().filter(|i| i.1 == *article) {
            let cy = y + row_h / 2.0;
            p.label(&item_label(it), x0 - 16.0, cy, HAlign::Right);
            if *n == 0 {
                p.value(UNUSED, x0 + 12.0, cy, HAlign::Left, (0x76, 0x1a, 0x25));
            } else {
                let end = x(*n as f64);
                p.bar(x0, y + row_h * 0.15, end, y + row_h * 0.85, *colour);
                p.value(&n.to_string(), end + 12.0, cy, HAlign::Left, palette::INK);
            }
            y += row_h;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testdata;

    #[test]
    fn every_item_with_zeros() {
        let t = testdata::tables();
        let m = Model::from_inputs(&t.inputs(None)).unwrap();
        assert_eq!(m.items.len(), 29);
        assert_eq!(m.base, 5);
        let get = |it: &str| m.items.iter().find(|i| i.0 == it).unwrap().2;
        assert_eq!(get("10.5"), 2);
        assert_eq!(get("9.1"), 1);
        assert_eq!(get("10.9"), 0);
        assert_eq!(m.unused().len(), 29 - 4);
        assert_eq!(m.items[9], ("10.1".to_string(), 10, 0));
    }

    #[test]
    fn scene_shows_unused_items() {
        let t = testdata::tables();
        let d = chart(&t.inputs(None), &FontChoice::fallback()).unwrap();
        let texts: Vec<&str> = d.scene.texts().collect();
        for want in [
            TITLE,
            "第（九）项",
            "第（七）项",
            UNUSED,
            "第十条 容错免责",
            "2",
        ] {
            assert!(texts.contains(&want), "{want} missing from {texts:?}");
        }
        assert!(d.notes.iter().any(|n| n.contains("第十条第（九）项")));
        assert!(!texts.contains(&"10.9"), "clause codes are for machines");
        assert_eq!(d.scene.height, (HEADER + 33.0 * ROW) as u32);
    }
}
