//! Funnel plot of units' error rates (cases filed ÷ enforcement volume)
//! against their volume, with exact Poisson 95% and 99.8% limits around the
//! overall rate (Spiegelhalter 2005; `analysis::stats`). Needs the volume
//! file: without it the chart is skipped with the reason. 2400 × 1600 px.

use std::collections::BTreeSet;

use polars::prelude::*;

use super::font::FontChoice;
use super::inputs::{Built, ChartError, ChartInputs, Drawn, Skipped};
use super::labels;
use super::palette::{self, Rgb};
use super::scene::{
    self, Area, Chrome, HAlign, Marker, Painter, Side, Stroke, Swatch, VAlign, YScale,
};
use crate::analysis::stats::{
    poisson_funnel_lower, poisson_funnel_upper, ALARM_LEVEL, WARNING_LEVEL,
};
use crate::period::Window;
use crate::schema as s;

pub const NAME: &str = "funnel";
pub const TITLE: &str = "各执法单位问题率漏斗图";
pub const HEIGHT: u32 = 1600;

/// Rates are shown per this many enforcement actions.
const PER: f64 = 1000.0;

const ABOVE_WARNING: Rgb = (0xcf, 0x57, 0x26);
const ABOVE_ALARM: Rgb = (0x76, 0x1a, 0x25);
const BELOW: Rgb = (0x33, 0x6b, 0xa2);

/// Where a unit lies against the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Inside,
    AboveWarning,
    AboveAlarm,
    BelowWarning,
}

impl Level {
    fn marker(self) -> (Marker, Rgb) {
        match self {
            Level::Inside => (Marker::OpenCircle, palette::AXIS),
            Level::AboveWarning => (Marker::Dot, ABOVE_WARNING),
            Level::AboveAlarm => (Marker::Square, ABOVE_ALARM),
            Level::BelowWarning => (Marker::Diamond, BELOW),
        }
    }

    /// The unit against the limits for `expected` cases.
    pub fn of(cases: u64, expected: f64) -> Level {
        let o = cases as f64;
        if o > poisson_funnel_upper(expected, ALARM_LEVEL) {
            Level::AboveAlarm
        } else if o > poisson_funnel_upper(expected, WARNING_LEVEL) {
            Level::AboveWarning
        } else if o < poisson_funnel_lower(expected, WARNING_LEVEL) {
            Level::BelowWarning
        } else {
            Level::Inside
        }
    }
}

/// One unit on the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub unit: String,
    pub volume: f64,
    pub cases: u64,
    pub level: Level,
}

/// Units' cases and volumes in the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Sorted by unit name.
    pub points: Vec<Point>,
    /// Overall rate: cases per action over the plotted units.
    pub rate: f64,
    pub cases: u64,
    pub volume: f64,
    /// Units with cases but no volume figure (not plotted).
    pub missing: Vec<String>,
    pub scope: String,
    /// The window was the span of the data (volume taken pro rata).
    pub whole_span: bool,
}

impl Model {
    /// The model, or why the funnel cannot be drawn (in Chinese).
    pub fn from_inputs(inputs: &ChartInputs) -> PolarsResult<Result<Model, String>> {
        let Some(volume) = inputs.volume else {
            return Ok(Err(
                "未提供执法量文件（--volume），无法计算各单位问题率，漏斗图未生成。".into(),
            ));
        };
        let cases = super::inputs::cases_in_window(inputs.cases, inputs.window, &[s::UNIT])?;
        let (window, whole_span) = match (inputs.window, super::inputs::filed_span(&cases)?) {
            (Some(w), _) => (w, false),
            (None, Some((a, b))) => (Window::Range(a, b), true),
            (None, None) => return Ok(Err("没有案件，漏斗图未生成。".into())),
        };
        if cases.height() == 0 {
            return Ok(Err(format!(
                "{}没有立案的案件，漏斗图未生成。",
                window_words(inputs.window)
            )));
        }
        let counts = super::inputs::count_values(&cases, s::UNIT)?;
        let units: BTreeSet<String> = counts.keys().cloned().chain(volume.units()).collect();
        let mut points = Vec::new();
        let mut missing = Vec::new();
        for u in units {
            let n = counts.get(&u).copied().unwrap_or(0);
            match volume.unit_volume(&window, &u).filter(|v| *v > 0.0) {
                Some(v) => points.push(Point {
                    unit: u,
                    volume: v,
                    cases: n,
                    level: Level::Inside,
                }),
                None if n > 0 => missing.push(u),
                None => {}
            }
        }
        let total_cases: u64 = points.iter().map(|p| p.cases).sum();
        let total_volume: f64 = points.iter().map(|p| p.volume).sum();
        if points.is_empty() || total_volume <= 0.0 {
            return Ok(Err(format!(
                "执法量文件中没有与{}台账单位对应的执法量，漏斗图未生成。",
                window_words(inputs.window)
            )));
        }
        let rate = total_cases as f64 / total_volume;
        for p in &mut points {
            p.level = Level::of(p.cases, rate * p.volume);
        }
        Ok(Ok(Model {
            points,
            rate,
            cases: total_cases,
            volume: total_volume,
            missing,
            scope: super::inputs::scope_text(inputs.window, &cases)?,
            whole_span,
        }))
    }
}

fn window_words(w: Option<Window>) -> String {
    match w {
        Some(Window::Quarter(q)) => q.label_zh(),
        Some(Window::Range(a, b)) => format!("{a} 至 {b} "),
        None => String::new(),
    }
}

fn rate_text(r: f64) -> String {
    format!("{:.2}‰", r * PER)
}

/// The funnel plot of the inputs, or why it was skipped.
pub fn chart(inputs: &ChartInputs, font: &FontChoice) -> Result<Built, ChartError> {
    let m = match Model::from_inputs(inputs)? {
        Ok(m) => m,
        Err(reason) => {
            return Ok(Built::Skipped(Skipped {
                name: NAME,
                title: TITLE.to_string(),
                reason,
            }))
        }
    };
    let mut notes = vec![
        "问题率 = 立案案件数 ÷ 执法量；控制限为围绕总体问题率的精确泊松 95% 与 99.8% 限，执法量越大限越窄；限外单位标注名称。"
            .to_string(),
    ];
    if m.whole_span {
        notes.push("执法量按立案日期跨度内各季度折算（首尾季度按天数比例）。".to_string());
    }
    if !m.missing.is_empty() {
        notes.push(format!(
            "执法量文件中无数据、未纳入的单位：{}。",
            labels::unit_labels(&m.missing).join("、")
        ));
    }
    let mut p = Painter::new(font, super::inputs::WIDTH, HEIGHT);
    let area = p.chrome(&Chrome {
        title: TITLE.to_string(),
        subtitle: format!(
            "{}；总体问题率 {}（{} 件 ÷ 执法量 {:.0} 件次）",
            m.scope,
            rate_text(m.rate),
            m.cases,
            m.volume
        ),
        legend: vec![
            (Swatch::Line(palette::BAR, false), "总体问题率".to_string()),
            (Swatch::Line(palette::INK, true), "95% 控制限".to_string()),
            (
                Swatch::Line(palette::INK, false),
                "99.8% 控制限".to_string(),
            ),
            (
                Swatch::Marker(Marker::OpenCircle, palette::AXIS),
                "限内".to_string(),
            ),
            (
                Swatch::Marker(Marker::Dot, ABOVE_WARNING),
                "高于 95% 上限".to_string(),
            ),
            (
                Swatch::Marker(Marker::Square, ABOVE_ALARM),
                "高于 99.8% 上限".to_string(),
            ),
            (
                Swatch::Marker(Marker::Diamond, BELOW),
                "低于 95% 下限".to_string(),
            ),
        ],
        notes: notes.clone(),
    });
    draw(&mut p, area, &m);
    Ok(Built::Drawn(Drawn {
        name: NAME,
        title: TITLE.to_string(),
        notes,
        scene: p.finish(),
    }))
}

/// Rate per `PER` at a limit for a unit of volume `v`.
fn limit(rate: f64, v: f64, level: f64, upper: bool) -> f64 {
    let e = rate * v;
    let count = if upper {
        poisson_funnel_upper(e, level)
    } else {
        poisson_funnel_lower(e, level)
    };
    count / v * PER
}

/// The plot area and its scales: volume across, rate per mille up.
struct Frame {
    plot: Area,
    ys: YScale,
    x_top: f64,
}

impl Frame {
    fn x(&self, volume: f64) -> f64 {
        self.plot.x0 + volume / self.x_top * self.plot.width()
    }
}

fn rate_of(q: &Point) -> f64 {
    q.cases as f64 / q.volume * PER
}

fn draw(p: &mut Painter, area: Area, m: &Model) {
    let f = axes(p, area, m);
    // Overall rate and the limits.
    let yc = f.ys.y(m.rate * PER);
    p.segment(
        (f.plot.x0, yc),
        (f.plot.x1, yc),
        Stroke::new(palette::BAR, 4.0),
    );
    let min_v = m
        .points
        .iter()
        .map(|q| q.volume)
        .fold(f64::INFINITY, f64::min);
    let start = (min_v * 0.5).min(f.x_top * 0.02).max(f.x_top * 0.002);
    let steps = 300;
    let vs: Vec<f64> = (0..=steps)
        .map(|i| start + (f.x_top - start) * i as f64 / steps as f64)
        .collect();
    for (level, dashed) in [(WARNING_LEVEL, true), (ALARM_LEVEL, false)] {
        for upper in [true, false] {
            let pts: Vec<(f64, f64)> = vs
                .iter()
                .map(|v| (f.x(*v), limit(m.rate, *v, level, upper)))
                .collect();
            curve(p, &pts, f.ys, dashed);
        }
    }
    units(p, &f, m);
}

/// Both axes, scaled to show every unit and the 99.8% limit at the smallest one.
fn axes(p: &mut Painter, area: Area, m: &Model) -> Frame {
    let max_v = m.points.iter().map(|q| q.volume).fold(0.0, f64::max);
    let min_v = m
        .points
        .iter()
        .map(|q| q.volume)
        .fold(f64::INFINITY, f64::min);
    let x_ticks = scene::nice_ticks(max_v * 1.05, 6);
    let max_rate = m.points.iter().map(rate_of).fold(0.0, f64::max);
    let y_max = (max_rate * 1.1).max(limit(m.rate, min_v, ALARM_LEVEL, true) * 1.05);
    let y_ticks = scene::nice_ticks(y_max, 6);
    let y_labels: Vec<String> = y_ticks.iter().map(|v| scene::tick_text(*v)).collect();
    let y_title = "问题率（每千件次执法）";
    let lh = p.line_height(scene::TICK);
    let plot = Area {
        x0: area.x0 + p.axis_space(&y_labels, y_title),
        y0: area.y0 + 10.0,
        x1: area.x1 - 40.0,
        y1: area.y1 - lh * 2.0 - 30.0,
    };
    let f = Frame {
        plot,
        ys: YScale {
            plot,
            top: *y_ticks.last().unwrap_or(&1.0),
        },
        x_top: *x_ticks.last().unwrap_or(&1.0),
    };
    p.value_axis(f.ys, &y_ticks, &y_labels, Side::Left, y_title);
    let tick = Stroke::new(palette::AXIS, 2.0);
    for v in &x_ticks {
        let px = f.x(*v);
        p.segment((px, plot.y1), (px, plot.y1 + 10.0), tick);
        let text = scene::tick_text(*v);
        p.text_at(
            &text,
            px,
            plot.y1 + 16.0,
            scene::TICK,
            palette::GREY_TEXT,
            HAlign::Center,
            VAlign::Top,
        );
    }
    p.segment(
        (plot.x0, plot.y1),
        (plot.x1, plot.y1),
        Stroke::new(palette::AXIS, 3.0),
    );
    let cx = (plot.x0 + plot.x1) / 2.0;
    p.text_at(
        "执法量（件次）",
        cx,
        plot.y1 + 16.0 + lh,
        scene::LABEL,
        palette::INK,
        HAlign::Center,
        VAlign::Top,
    );
    f
}

/// Units: markers, then names beside those outside the limits.
fn units(p: &mut Painter, f: &Frame, m: &Model) {
    let r = 13.0;
    let spots: Vec<(f64, f64)> = m
        .points
        .iter()
        .map(|q| (f.x(q.volume), f.ys.y(rate_of(q))))
        .collect();
    for (q, (mx, my)) in m.points.iter().zip(&spots) {
        let (marker, colour) = q.level.marker();
        p.marker(marker, *mx, *my, r, colour);
    }
    let mut taken: Vec<Area> = spots
        .iter()
        .map(|(mx, my)| Area {
            x0: mx - r,
            y0: my - r,
            x1: mx + r,
            y1: my + r,
        })
        .collect();
    for (q, spot) in m.points.iter().zip(&spots) {
        if q.level != Level::Inside {
            let label = labels::unit_label(&q.unit);
            place_label(p, &label, *spot, q.level.marker().1, f.plot, &mut taken);
        }
    }
}

/// Put a unit's name beside its marker where it overlaps nothing placed so
/// far: right or left, level with it or moved up/down by whole lines (then
/// with a leader line).
fn place_label(
    p: &mut Painter,
    label: &str,
    (mx, my): (f64, f64),
    colour: Rgb,
    plot: Area,
    taken: &mut Vec<Area>,
) {
    let w = p.measure(label, scene::VALUE);
    let lh = p.line_height(scene::VALUE);
    let gap = 24.0;
    let overlaps = |a: &Area, b: &Area| a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
    let shifts = [0.0, -1.0, 1.0, -2.0, 2.0, -3.0, 3.0, -4.0, 4.0];
    let mut choice = None;
    'search: for k in shifts {
        for right in [true, false] {
            let cy = my + k * lh;
            let x0 = if right { mx + gap } else { mx - gap - w };
            let bbox = Area {
                x0: x0 - 4.0,
                y0: cy - lh / 2.0,
                x1: x0 + w + 4.0,
                y1: cy + lh / 2.0,
            };
            let inside = bbox.x0 >= plot.x0
                && bbox.x1 <= plot.x1
                && bbox.y0 >= plot.y0
                && bbox.y1 <= plot.y1;
            if inside && !taken.iter().any(|t| overlaps(t, &bbox)) {
                choice = Some((x0, cy, right, bbox));
                break 'search;
            }
        }
    }
    let (x0, cy, right, bbox) = choice.unwrap_or_else(|| {
        let bbox = Area {
            x0: mx + gap,
            y0: my - lh / 2.0,
            x1: mx + gap + w,
            y1: my + lh / 2.0,
        };
        (mx + gap, my, true, bbox)
    });
    if (cy - my).abs() > 1.0 {
        let end = if right { x0 - 4.0 } else { x0 + w + 4.0 };
        p.segment((mx, my), (end, cy), Stroke::new(colour, 2.0));
    }
    p.value(label, x0, cy, HAlign::Left, colour);
    taken.push(bbox);
}

/// A limit curve in rate units, clipped to the plot (broken where it leaves).
fn curve(p: &mut Painter, pts: &[(f64, f64)], ys: YScale, dashed: bool) {
    let stroke = Stroke::new(palette::INK, 3.0);
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |p: &mut Painter, run: &mut Vec<(f64, f64)>| {
        let r = std::mem::take(run);
        if dashed {
            p.dashed(&r, stroke, 18.0, 12.0);
        } else {
            p.path(r, stroke);
        }
    };
    for (px, rate) in pts {
        if rate.is_finite() && *rate <= ys.top {
            run.push((*px, ys.y(*rate)));
        } else {
            flush(p, &mut run);
        }
    }
    flush(p, &mut run);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testdata;

    #[test]
    fn rates_against_volume_in_the_quarter() {
        let t = testdata::tables();
        let m = Model::from_inputs(&t.inputs(Some(testdata::q3())))
            .unwrap()
            .unwrap();
        // Q3: 王舍人 2 cases / 400, 区住建局 2 / 600; overall 4 / 1000
        assert!((m.rate - 0.004).abs() < 1e-12);
        assert_eq!(m.points.len(), 2);
        assert_eq!(m.points[0].unit, testdata::ZHUJIAN);
        assert_eq!((m.points[0].cases, m.points[0].volume), (2, 600.0));
        assert!(m.points.iter().all(|p| p.level == Level::Inside));
        assert!(m.missing.is_empty());
    }

    #[test]
    fn levels_follow_the_exact_poisson_limits() {
        // expected 10: the 95% upper limit is below 17, the 99.8% one below 21
        assert_eq!(Level::of(10, 10.0), Level::Inside);
        assert_eq!(Level::of(17, 10.0), Level::AboveWarning);
        assert_eq!(Level::of(21, 10.0), Level::AboveAlarm);
        assert_eq!(Level::of(3, 10.0), Level::BelowWarning);
    }

    #[test]
    fn skipped_with_a_reason_without_volume() {
        let t = testdata::tables();
        let mut inputs = t.inputs(None);
        inputs.volume = None;
        match chart(&inputs, &FontChoice::fallback()).unwrap() {
            Built::Skipped(s) => {
                assert_eq!(s.name, NAME);
                assert!(s.reason.contains("未提供执法量文件"), "{}", s.reason);
            }
            Built::Drawn(_) => panic!("drawn without volume"),
        }
    }

    #[test]
    fn units_without_volume_are_listed() {
        let t = testdata::tables();
        // 2025Q2 has cases (王舍人) but no volume at all
        let q2 = Window::Quarter(crate::period::Quarter { year: 2025, q: 2 });
        let r = Model::from_inputs(&t.inputs(Some(q2))).unwrap();
        assert!(r.unwrap_err().contains("2025年第二季度"));
    }
}
