//! The rate met of each deadline rule per quarter of filing (the review,
//! issue 21), as small multiples: one panel per rule, the quarters along,
//! the same vertical scale in every panel so that panels compare. Drawn
//! from the review's table (`report::model::review`). 2400 px wide.

use super::font::FontChoice;
use super::inputs::Drawn;
use super::palette;
use super::scene::{self, Chrome, HAlign, Marker, Painter, Stroke, VAlign};

pub const NAME: &str = "compliance_trend";
pub const TITLE: &str = "各项期限按期率的变化";

const COLUMNS: usize = 2;
const PANEL_H: f64 = 330.0;
const HEADER: f64 = 520.0;

/// One rule's rates met, per quarter (None: no check done or due).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSeries {
    pub rule: String,
    pub rates: Vec<Option<f64>>,
}

/// The small multiples of `series` over `quarters` (labels like 2025Q3).
pub fn chart(series: &[RuleSeries], quarters: &[String], font: &FontChoice) -> Drawn {
    let notes = vec![
        "按期率 = 按期 ÷（按期 + 逾期完成 + 逾期未结 + 违反），按立案季度统计；各小图纵轴刻度相同。"
            .to_string(),
    ];
    let rows = series.len().div_ceil(COLUMNS).max(1);
    let height = (HEADER + rows as f64 * PANEL_H) as u32;
    let mut p = Painter::new(font, super::inputs::WIDTH, height);
    let area = p.chrome(&Chrome {
        title: TITLE.to_string(),
        subtitle: format!(
            "范围：试点期间立案的案件（{}至{}）",
            quarters.first().map(String::as_str).unwrap_or(""),
            quarters.last().map(String::as_str).unwrap_or("")
        ),
        legend: Vec::new(),
        notes: notes.clone(),
    });
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.rates.iter().flatten().copied())
        .collect();
    if all.is_empty() || quarters.is_empty() {
        p.no_data(area, "本期无期限检查项");
        return Drawn {
            name: NAME,
            title: TITLE.to_string(),
            notes,
            scene: p.finish(),
        };
    }
    // one scale for all: from a tenth below the lowest rate (at most 0.5) to 100 %
    let bottom = ((all.iter().copied().fold(1.0, f64::min) - 0.05) * 10.0).floor() / 10.0;
    let bottom = bottom.clamp(0.0, 0.9);
    let panel_w = area.width() / COLUMNS as f64;
    let panel_h = (area.height() / rows as f64).min(PANEL_H);
    for (k, s) in series.iter().enumerate() {
        let (cx, cy) = (k % COLUMNS, k / COLUMNS);
        let x0 = area.x0 + cx as f64 * panel_w + 150.0;
        let x1 = area.x0 + (cx + 1) as f64 * panel_w - 40.0;
        let top = area.y0 + cy as f64 * panel_h;
        let y0 = top + p.line_height(scene::LABEL) + 16.0;
        let y1 = top + panel_h - p.line_height(scene::TICK) - 24.0;
        p.text_at(
            &s.rule,
            x0,
            top,
            scene::LABEL,
            palette::INK,
            HAlign::Left,
            VAlign::Top,
        );
        let y = |v: f64| y1 - (v - bottom) / (1.0 - bottom) * (y1 - y0);
        for v in [bottom, (bottom + 1.0) / 2.0, 1.0] {
            p.segment((x0, y(v)), (x1, y(v)), Stroke::new(palette::GRID, 2.0));
            p.text_at(
                &format!("{:.0}%", v * 100.0),
                x0 - 12.0,
                y(v),
                scene::TICK,
                palette::GREY_TEXT,
                HAlign::Right,
                VAlign::Middle,
            );
        }
        let n = quarters.len();
        let x = |i: usize| {
            if n == 1 {
                (x0 + x1) / 2.0
            } else {
                x0 + (x1 - x0) * i as f64 / (n - 1) as f64
            }
        };
        // the first and last quarter under the axis
        for i in [0, n - 1] {
            p.text_at(
                &quarters[i],
                x(i),
                y1 + 12.0,
                scene::TICK,
                palette::GREY_TEXT,
                if i == 0 { HAlign::Left } else { HAlign::Right },
                VAlign::Top,
            );
        }
        let points: Vec<(f64, f64)> = s
            .rates
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|v| (x(i), y(v.max(bottom)))))
            .collect();
        if points.len() > 1 {
            p.path(points.clone(), Stroke::new(palette::INK, 4.0));
        }
        for (px, py) in points {
            p.marker(Marker::Dot, px, py, 9.0, palette::INK);
        }
    }
    Drawn {
        name: NAME,
        title: TITLE.to_string(),
        notes,
        scene: p.finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_panel_per_rule_on_one_scale() {
        let quarters: Vec<String> = ["2025Q2", "2025Q3", "2025Q4"].map(String::from).to_vec();
        let series = vec![
            RuleSeries {
                rule: "立案后30日内调查终结（第十七条）".into(),
                rates: vec![Some(0.85), Some(0.9), None],
            },
            RuleSeries {
                rule: "决定后7日内告知（第十七条）".into(),
                rates: vec![Some(0.95), Some(0.97), Some(0.99)],
            },
            RuleSeries {
                rule: "按期整改（第二十条）".into(),
                rates: vec![None, None, Some(0.7)],
            },
        ];
        let d = chart(&series, &quarters, &FontChoice::fallback());
        let texts: Vec<&str> = d.scene.texts().collect();
        for want in [
            TITLE,
            "立案后30日内调查终结（第十七条）",
            "按期整改（第二十条）",
            "2025Q2",
            "2025Q4",
            "100%",
            "60%",
        ] {
            assert!(texts.contains(&want), "{want} missing from {texts:?}");
        }
        // two columns: three rules make two rows of panels
        assert_eq!(d.scene.height, (HEADER + 2.0 * PANEL_H) as u32);
        let empty = chart(&[], &quarters, &FontChoice::fallback());
        assert!(empty.scene.texts().any(|t| t == "本期无期限检查项"));
    }
}
