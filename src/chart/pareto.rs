//! Pareto chart of error types: bars in descending order of cases (其他 last),
//! with the cumulative share as a line on a 0–100% axis and the 80% mark.
//! 2400 × 1500 px.

use polars::prelude::*;

use super::font::FontChoice;
use super::inputs::{ChartError, ChartInputs, Drawn};
use super::labels;
use super::palette;
use super::scene::{self, Area, Chrome, HAlign, Marker, Painter, Stroke, Swatch, YScale};
use crate::schema as s;

pub const NAME: &str = "pareto";
pub const TITLE: &str = "问题类型帕累托图";
pub const HEIGHT: u32 = 1500;

/// The catch-all error type, always drawn last.
const OTHER: &str = "其他";

/// Error types with their counts, in bar order.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub types: Vec<(String, u64)>,
    pub scope: String,
}

impl Model {
    pub fn from_inputs(inputs: &ChartInputs) -> PolarsResult<Model> {
        let cases = super::inputs::cases_in_window(inputs.cases, inputs.window, &[s::ERROR_TYPE])?;
        let counts = super::inputs::count_values(&cases, s::ERROR_TYPE)?;
        let mut order = super::inputs::by_count_desc(&counts);
        if let Some(i) = order.iter().position(|t| t == OTHER) {
            let other = order.remove(i);
            order.push(other);
        }
        Ok(Model {
            types: order.into_iter().map(|t| (t.clone(), counts[&t])).collect(),
            scope: super::inputs::scope_text(inputs.window, &cases)?,
        })
    }

    pub fn total(&self) -> u64 {
        self.types.iter().map(|t| t.1).sum()
    }

    /// Cumulative share after each bar.
    pub fn cumulative(&self) -> Vec<f64> {
        let total = self.total().max(1) as f64;
        let mut run = 0;
        self.types
            .iter()
            .map(|(_, n)| {
                run += n;
                run as f64 / total
            })
            .collect()
    }
}

/// The Pareto chart of the inputs.
pub fn chart(inputs: &ChartInputs, font: &FontChoice) -> Result<Drawn, ChartError> {
    let m = Model::from_inputs(inputs)?;
    let mut notes = vec![format!(
        "按案件数从多到少排列（“其他”列在最后）；折线为累计占比，虚线为 80%。共 {} 件。",
        m.total()
    )];
    let short: Vec<String> = labels::SHORT_ERROR_TYPES
        .iter()
        .filter(|(long, _)| m.types.iter().any(|(t, _)| t == long))
        .map(|(long, short)| format!("“{short}”即“{long}”"))
        .collect();
    if !short.is_empty() {
        notes.push(format!("简称：{}。", short.join("；")));
    }
    let mut p = Painter::new(font, super::inputs::WIDTH, HEIGHT);
    let area = p.chrome(&Chrome {
        title: TITLE.to_string(),
        subtitle: m.scope.clone(),
        legend: vec![
            (Swatch::Fill(palette::BAR), "案件数".to_string()),
            (Swatch::Line(palette::LINE, false), "累计占比".to_string()),
        ],
        notes: notes.clone(),
    });
    if m.types.is_empty() {
        p.no_data(area, "本期无案件");
    } else {
        draw(&mut p, area, &m);
    }
    Ok(Drawn {
        name: NAME,
        title: TITLE.to_string(),
        notes,
        scene: p.finish(),
    })
}

fn draw(p: &mut Painter, area: Area, m: &Model) {
    let max = m.types.iter().map(|t| t.1).max().unwrap_or(1) as f64;
    let cols = p.columns(area, m.types.len(), max, Some("累计占比"), |p, slot| {
        m.types
            .iter()
            .map(|(t, _)| {
                labels::wrap(
                    &labels::error_type_label(t),
                    slot - 10.0,
                    p.size(scene::TICK),
                    p.font,
                    3,
                )
            })
            .collect()
    });
    let (plot, counts) = (cols.plot, cols.counts);
    let share_scale = YScale { plot, top: 1.0 };
    let y80 = share_scale.y(0.8);
    let dash = Stroke::new(palette::GREY_TEXT, 3.0);
    p.dashed(&[(plot.x0, y80), (plot.x1, y80)], dash, 18.0, 12.0);
    let half = cols.slot * 0.31;
    for (i, (_, n)) in m.types.iter().enumerate() {
        let cx = cols.centre(i);
        p.bar(
            cx - half,
            counts.y(*n as f64),
            cx + half,
            plot.y1,
            palette::BAR,
        );
    }
    let cum = m.cumulative();
    let pts: Vec<(f64, f64)> = cum
        .iter()
        .enumerate()
        .map(|(i, c)| (cols.centre(i), share_scale.y(*c)))
        .collect();
    p.path(pts.clone(), Stroke::new(palette::LINE, 5.0));
    // Counts above the bars (inside the bar top when the line passes there);
    // cumulative shares above their points, or below when a count is in the way.
    let lh = p.line_height(scene::VALUE);
    for (i, ((x, y), c)) in pts.iter().zip(&cum).enumerate() {
        let n = m.types[i].1;
        let top = counts.y(n as f64);
        let mut label_y = top - 8.0 - lh / 2.0;
        let mut colour = palette::INK;
        if (y - label_y).abs() < lh && plot.y1 - top > 2.0 * lh {
            label_y = top + 8.0 + lh / 2.0;
            colour = palette::text_on(palette::BAR);
        }
        p.value(&n.to_string(), *x, label_y, HAlign::Center, colour);
        p.marker(Marker::Dot, *x, *y, 10.0, palette::LINE);
        let above = y - lh * 0.9;
        let clash = (above - label_y).abs() < lh;
        let ly = if clash { y + lh * 0.9 } else { above };
        p.boxed_text(
            &super::labels::percent(*c),
            *x,
            ly,
            scene::VALUE * 0.9,
            palette::LINE,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testdata;

    #[test]
    fn bars_descend_with_other_last_and_shares_accumulate() {
        let t = testdata::tables();
        let m = Model::from_inputs(&t.inputs(None)).unwrap();
        let names: Vec<&str> = m.types.iter().map(|t| t.0.as_str()).collect();
        // 文 (U+6587) sorts before 未 (U+672A) among the ties of one case
        assert_eq!(
            names,
            [
                "违反法定程序",
                "文书瑕疵",
                "未执行重大执法决定法制审核制度",
                "其他"
            ]
        );
        let cum = m.cumulative();
        let want = [3.0 / 6.0, 4.0 / 6.0, 5.0 / 6.0, 1.0];
        assert!(
            cum.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12),
            "{cum:?}"
        );
    }

    #[test]
    fn scene_uses_short_names_and_explains_them() {
        let t = testdata::tables();
        let d = chart(&t.inputs(None), &FontChoice::fallback()).unwrap();
        let texts: Vec<&str> = d.scene.texts().collect();
        assert!(texts.contains(&TITLE));
        assert!(
            texts.contains(&"50%") && texts.contains(&"100%"),
            "{texts:?}"
        );
        assert!(d
            .notes
            .iter()
            .any(|n| n.contains("“未执行法制审核”即“未执行重大执法决定法制审核制度”")));
        assert_eq!((d.scene.width, d.scene.height), (2400, 1500));
    }
}
