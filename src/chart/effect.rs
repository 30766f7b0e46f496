//! Warned risk points before and after their notice (the review, issue 21):
//! one row per point, its rate ratio (after ÷ before) as a dot with its 95 %
//! interval on a log scale and a line at 1 (no change); the pooled ratios of
//! the warned points and of the comparison points at the foot. Drawn from
//! the review's figures (`report::model::effect`), not from the tables.
//! 2400 px wide, `HEADER + rows × ROW` px tall.

use super::font::FontChoice;
use super::inputs::Drawn;
use super::palette::{self, Rgb};
use super::scene::{self, Chrome, HAlign, Marker, Painter, Stroke, Swatch, VAlign};

pub const NAME: &str = "warning_effect";
pub const TITLE: &str = "发函前后失误率之比";

const ROW: f64 = 74.0;
const HEADER: f64 = 760.0;
const IMPROVED: Rgb = (0x33, 0x6b, 0xa2);
const WORSE: Rgb = (0x76, 0x1a, 0x25);

/// One row of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectPoint {
    pub label: String,
    pub ratio: f64,
    pub low: f64,
    pub high: f64,
    /// A pooled ratio (drawn as a diamond, below the points).
    pub pooled: bool,
}

fn colour(p: &EffectPoint) -> Rgb {
    if p.high < 1.0 {
        IMPROVED
    } else if p.low > 1.0 {
        WORSE
    } else {
        palette::AXIS
    }
}

/// The chart of `points` (their order kept); `scope` says what they are.
pub fn chart(points: &[EffectPoint], scope: &str, font: &FontChoice) -> Drawn {
    let notes = vec![
        "圆点为发函后与发函前失误率之比，横线为其95%区间；小于1表示发函后下降。横轴为对数刻度。".to_string(),
        "菱形为合并计算的比值（Mantel–Haenszel法）：发函的风险点，及同期被标记、所在单位未收到提醒函的风险点。".to_string(),
    ];
    // a ratio of 0 (no error after) sits at the axis's left end
    let finite: Vec<&EffectPoint> = points
        .iter()
        .filter(|p| p.ratio.is_finite() && p.low.is_finite() && p.high.is_finite() && p.high > 0.0)
        .collect();
    let height = (HEADER + finite.len().max(1) as f64 * ROW).max(900.0) as u32;
    let mut p = Painter::new(font, super::inputs::WIDTH, height);
    let legend = vec![
        (Swatch::Fill(IMPROVED), "改善".to_string()),
        (Swatch::Fill(palette::AXIS), "未见明显变化".to_string()),
        (Swatch::Fill(WORSE), "恶化".to_string()),
    ];
    let area = p.chrome(&Chrome {
        title: TITLE.to_string(),
        subtitle: scope.to_string(),
        legend,
        notes: notes.clone(),
    });
    if finite.is_empty() {
        p.no_data(area, "没有可比较的发函风险点");
        return Drawn {
            name: NAME,
            title: TITLE.to_string(),
            notes,
            scene: p.finish(),
        };
    }
    // the axis spans every interval and 1, on powers of two and ten
    let lo = finite
        .iter()
        .map(|q| q.low)
        .filter(|v| *v > 0.0)
        .fold(1.0f64, f64::min)
        .max(0.01);
    let hi = finite
        .iter()
        .map(|q| q.high)
        .fold(1.0f64, f64::max)
        .min(100.0);
    let (lo, hi) = (lo * 0.8, hi * 1.25);
    let label_w = finite
        .iter()
        .map(|q| p.measure(&q.label, scene::LABEL))
        .fold(0.0, f64::max)
        .min(area.width() * 0.45);
    let x0 = area.x0 + label_w + 40.0;
    let x1 = area.x1 - 40.0;
    let axis_h = p.line_height(scene::TICK) + 24.0;
    let row_h = ((area.height() - axis_h) / finite.len() as f64).min(ROW);
    let x = |v: f64| x0 + (v.ln() - lo.ln()) / (hi.ln() - lo.ln()) * (x1 - x0);
    let y_end = area.y0 + row_h * finite.len() as f64;
    let ticks: Vec<f64> = [0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
        .into_iter()
        .filter(|t| *t >= lo && *t <= hi)
        .collect();
    for t in &ticks {
        let px = x(*t);
        let stroke = if (*t - 1.0).abs() < 1e-9 {
            Stroke::new(palette::INK, 3.0)
        } else {
            Stroke::new(palette::GRID, 2.0)
        };
        p.segment((px, area.y0), (px, y_end), stroke);
        p.text_at(
            &scene::tick_text(*t),
            px,
            y_end + 12.0,
            scene::TICK,
            palette::GREY_TEXT,
            HAlign::Center,
            VAlign::Top,
        );
    }
    for (i, q) in finite.iter().enumerate() {
        let cy = area.y0 + row_h * (i as f64 + 0.5);
        if q.pooled {
            p.rect(
                area.x0,
                cy - row_h / 2.0 + 2.0,
                area.x1,
                cy + row_h / 2.0 - 2.0,
                palette::BAND,
            );
        }
        p.label(&q.label, x0 - 16.0, cy, HAlign::Right);
        let c = colour(q);
        p.segment(
            (x(q.low.max(lo)), cy),
            (x(q.high.min(hi)), cy),
            Stroke::new(c, 5.0),
        );
        let marker = if q.pooled {
            Marker::Diamond
        } else {
            Marker::Dot
        };
        p.marker(marker, x(q.ratio.clamp(lo, hi)), cy, row_h * 0.22, c);
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

    fn point(label: &str, ratio: f64, low: f64, high: f64, pooled: bool) -> EffectPoint {
        EffectPoint {
            label: label.into(),
            ratio,
            low,
            high,
            pooled,
        }
    }

    #[test]
    fn each_point_is_a_row_with_its_label_and_the_pooled_ones_last() {
        let points = [
            point("2026Q1 华山街道 事实不清证据不足", 0.54, 0.29, 0.97, false),
            point("2025Q3 港沟街道 超期办理", 1.03, 0.63, 1.68, false),
            point("发函的风险点（合并）", 0.4, 0.3, 0.54, true),
        ];
        let font = FontChoice::fallback();
        let d = chart(&points, "范围：试点期间发函的风险点", &font);
        let texts: Vec<&str> = d.scene.texts().collect();
        for want in [
            TITLE,
            "2026Q1 华山街道 事实不清证据不足",
            "发函的风险点（合并）",
            "1",
            "改善",
        ] {
            assert!(texts.contains(&want), "{want} missing from {texts:?}");
        }
        assert_eq!(d.scene.height, (HEADER + 3.0 * ROW).max(900.0) as u32);
        assert_eq!(colour(&points[0]), IMPROVED);
        assert_eq!(colour(&points[1]), palette::AXIS);
        // nothing to draw: said so
        let empty = chart(&[], "范围", &font);
        assert!(empty.scene.texts().any(|t| t == "没有可比较的发函风险点"));
    }
}
