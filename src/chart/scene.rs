//! The in-memory chart: a list of shapes and texts in pixel coordinates
//! ([`Scene`]), built by the chart functions through a [`Painter`] that also
//! measures text with the chart font and draws the common parts (title,
//! legend, notes, value axes). A scene is replayed on plotters' SVG and bitmap
//! backends by `render`, so both formats show exactly the same chart.

use super::font::FontChoice;
use super::palette::{self, Rgb};

/// Text sizes as the em in pixels (the width of 中), whatever the font: a
/// chart 2400 px wide prints 156 mm wide in a report (the 公文 text
/// block), so 49 px is 9 pt there, the least any text may have.
pub const TITLE: f64 = 66.0;
pub const SUBTITLE: f64 = 50.0;
pub const LABEL: f64 = 50.0;
pub const TICK: f64 = 49.0;
pub const VALUE: f64 = 49.0;
pub const NOTE: f64 = 49.0;
pub const LEGEND: f64 = 49.0;
/// Width in pixels the charts print at 156 mm (for [`points_at_print`]).
pub const PRINT_WIDTH_PX: f64 = 2400.0;

/// Points an em of `em_px` pixels measures when the chart prints 156 mm wide.
pub fn points_at_print(em_px: f64) -> f64 {
    em_px * 156.0 / PRINT_WIDTH_PX / 25.4 * 72.0
}

/// Outer margin of every chart.
pub const MARGIN: f64 = 70.0;

/// Horizontal anchor of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HAlign {
    Left,
    Center,
    Right,
}

/// Vertical anchor of a text: where the ideographic em box sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VAlign {
    Top,
    Middle,
    Bottom,
}

/// A line style.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stroke {
    pub color: Rgb,
    pub width: f64,
}

impl Stroke {
    pub fn new(color: Rgb, width: f64) -> Stroke {
        Stroke { color, width }
    }
}

/// One text.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub color: Rgb,
    pub h: HAlign,
    pub v: VAlign,
    /// Rotated a quarter turn counter-clockwise (reads bottom to top).
    pub vertical: bool,
}

/// One drawing instruction.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Rect {
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        fill: Option<Rgb>,
        stroke: Option<Stroke>,
    },
    Path {
        points: Vec<(f64, f64)>,
        stroke: Stroke,
    },
    Polygon {
        points: Vec<(f64, f64)>,
        fill: Rgb,
    },
    Circle {
        x: f64,
        y: f64,
        r: f64,
        fill: Option<Rgb>,
        stroke: Option<Stroke>,
    },
    Text(Text),
}

/// A chart in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub items: Vec<Item>,
}

impl Scene {
    /// Every text of the chart, in drawing order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match i {
            Item::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
    }
}

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Area {
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
}

/// What a legend entry shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Swatch {
    Fill(Rgb),
    /// A line; dashed when the flag is set.
    Line(Rgb, bool),
    Marker(Marker, Rgb),
}

/// Point markers (distinct shapes, for greyscale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    OpenCircle,
    Dot,
    Square,
    Diamond,
}

/// The parts every chart has.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub title: String,
    /// The scope (period, population) under the title.
    pub subtitle: String,
    pub legend: Vec<(Swatch, String)>,
    /// Footnotes, one paragraph each.
    pub notes: Vec<String>,
}

/// Builds a [`Scene`], measuring text with the chart font.
pub struct Painter<'a> {
    pub font: &'a FontChoice,
    pub scene: Scene,
}

impl<'a> Painter<'a> {
    /// A white canvas.
    pub fn new(font: &'a FontChoice, width: u32, height: u32) -> Painter<'a> {
        let mut p = Painter {
            font,
            scene: Scene {
                width,
                height,
                items: Vec::new(),
            },
        };
        p.rect(0.0, 0.0, width as f64, height as f64, palette::WHITE);
        p
    }

    pub fn finish(self) -> Scene {
        self.scene
    }

    pub fn width(&self) -> f64 {
        self.scene.width as f64
    }

    /// The plotters font size whose em is `em` pixels in the chart font.
    pub fn size(&self, em: f64) -> f64 {
        em / self.font.em_ratio()
    }

    /// Width in pixels of a text whose em is `em` pixels.
    pub fn measure(&self, text: &str, em: f64) -> f64 {
        self.font.text_width(text, self.size(em))
    }

    /// Height of one line of text (1.25 em).
    pub fn line_height(&self, em: f64) -> f64 {
        (em * 1.25).round()
    }

    pub fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, fill: Rgb) {
        self.scene.items.push(Item::Rect {
            x0,
            y0,
            x1,
            y1,
            fill: Some(fill),
            stroke: None,
        });
    }

    /// A filled rectangle with an outline (so light fills show on white).
    pub fn bar(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, fill: Rgb) {
        if (x1 - x0).abs() < 0.5 || (y1 - y0).abs() < 0.5 {
            return;
        }
        self.scene.items.push(Item::Rect {
            x0,
            y0,
            x1,
            y1,
            fill: Some(fill),
            stroke: Some(Stroke::new(palette::AXIS, 2.0)),
        });
    }

    pub fn frame(&mut self, a: Area, stroke: Stroke) {
        self.scene.items.push(Item::Rect {
            x0: a.x0,
            y0: a.y0,
            x1: a.x1,
            y1: a.y1,
            fill: None,
            stroke: Some(stroke),
        });
    }

    pub fn path(&mut self, points: Vec<(f64, f64)>, stroke: Stroke) {
        if points.len() >= 2 {
            self.scene.items.push(Item::Path { points, stroke });
        }
    }

    pub fn segment(&mut self, a: (f64, f64), b: (f64, f64), stroke: Stroke) {
        self.path(vec![a, b], stroke);
    }

    /// A dashed polyline: dashes of `on` pixels with gaps of `off` pixels.
    pub fn dashed(&mut self, points: &[(f64, f64)], stroke: Stroke, on: f64, off: f64) {
        let mut drawing = true;
        let mut left = on;
        let mut current: Vec<(f64, f64)> = points.first().copied().into_iter().collect();
        for w in points.windows(2) {
            let (mut a, b) = (w[0], w[1]);
            let mut len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            while len > left {
                let t = left / len;
                let m = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                if drawing {
                    current.push(m);
                    self.path(std::mem::take(&mut current), stroke);
                } else {
                    current = vec![m];
                }
                drawing = !drawing;
                len -= left;
                left = if drawing { on } else { off };
                a = m;
            }
            left -= len;
            if drawing {
                current.push(b);
            } else {
                current = vec![b];
            }
        }
        if drawing {
            self.path(current, stroke);
        }
    }

    pub fn marker(&mut self, m: Marker, x: f64, y: f64, r: f64, color: Rgb) {
        let outline = Some(Stroke::new(color, 4.0));
        match m {
            Marker::OpenCircle => self.scene.items.push(Item::Circle {
                x,
                y,
                r,
                fill: Some(palette::WHITE),
                stroke: outline,
            }),
            Marker::Dot => self.scene.items.push(Item::Circle {
                x,
                y,
                r,
                fill: Some(color),
                stroke: outline,
            }),
            Marker::Square => {
                let s = r * 0.9;
                self.scene.items.push(Item::Rect {
                    x0: x - s,
                    y0: y - s,
                    x1: x + s,
                    y1: y + s,
                    fill: Some(color),
                    stroke: None,
                })
            }
            Marker::Diamond => self.scene.items.push(Item::Polygon {
                points: vec![
                    (x, y - r * 1.3),
                    (x + r * 1.3, y),
                    (x, y + r * 1.3),
                    (x - r * 1.3, y),
                ],
                fill: color,
            }),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn text_at(
        &mut self,
        text: &str,
        x: f64,
        y: f64,
        em: f64,
        color: Rgb,
        h: HAlign,
        v: VAlign,
    ) {
        if text.is_empty() {
            return;
        }
        let size = self.size(em);
        self.scene.items.push(Item::Text(Text {
            text: text.to_string(),
            x,
            y,
            size,
            color,
            h,
            v,
            vertical: false,
        }));
    }

    /// A category label (ink, label size), vertically centred on `y`.
    pub fn label(&mut self, text: &str, x: f64, y: f64, h: HAlign) {
        self.text_at(text, x, y, LABEL, palette::INK, h, VAlign::Middle);
    }

    /// A number (value size), vertically centred on `y`.
    pub fn value(&mut self, text: &str, x: f64, y: f64, h: HAlign, color: Rgb) {
        self.text_at(text, x, y, VALUE, color, h, VAlign::Middle);
    }

    /// Text read bottom to top, centred on (x, y).
    pub fn text_vertical(&mut self, text: &str, x: f64, y: f64, em: f64, color: Rgb) {
        let size = self.size(em);
        self.scene.items.push(Item::Text(Text {
            text: text.to_string(),
            x,
            y,
            size,
            color,
            h: HAlign::Center,
            v: VAlign::Middle,
            vertical: true,
        }));
    }

    /// Several lines centred as a block on (x, y) vertically per `v`.
    #[allow(clippy::too_many_arguments)]
    pub fn lines_at(
        &mut self,
        lines: &[String],
        x: f64,
        y: f64,
        em: f64,
        color: Rgb,
        h: HAlign,
        v: VAlign,
    ) {
        let lh = self.line_height(em);
        let total = lh * lines.len() as f64;
        let top = match v {
            VAlign::Top => y,
            VAlign::Middle => y - total / 2.0,
            VAlign::Bottom => y - total,
        };
        for (i, line) in lines.iter().enumerate() {
            let cy = top + lh * (i as f64 + 0.5);
            self.text_at(line, x, cy, em, color, h, VAlign::Middle);
        }
    }

    /// Title, subtitle and legend at the top, notes at the bottom; returns
    /// the area left for the plot.
    pub fn chrome(&mut self, c: &Chrome) -> Area {
        let w = self.width();
        let h = self.scene.height as f64;
        let mut y = MARGIN * 0.8;
        self.text_at(
            &c.title,
            w / 2.0,
            y,
            TITLE,
            palette::INK,
            HAlign::Center,
            VAlign::Top,
        );
        y += self.line_height(TITLE) + 4.0;
        if !c.subtitle.is_empty() {
            self.text_at(
                &c.subtitle,
                w / 2.0,
                y,
                SUBTITLE,
                palette::GREY_TEXT,
                HAlign::Center,
                VAlign::Top,
            );
            y += self.line_height(SUBTITLE);
        }
        if !c.legend.is_empty() {
            y += 20.0;
            y += self.legend(&c.legend, w / 2.0, y);
        }
        let mut bottom = h - MARGIN * 0.6;
        let note_lines: Vec<String> = c
            .notes
            .iter()
            .flat_map(|n| super::labels::wrap_greedy(n, w - 2.0 * MARGIN, NOTE, self.font, 4))
            .collect();
        let lh = self.line_height(NOTE);
        for line in note_lines.iter().rev() {
            bottom -= lh;
            self.text_at(
                line,
                MARGIN,
                bottom + lh / 2.0,
                NOTE,
                palette::GREY_TEXT,
                HAlign::Left,
                VAlign::Middle,
            );
        }
        Area {
            x0: MARGIN,
            y0: y + 30.0,
            x1: w - MARGIN,
            y1: bottom - 20.0,
        }
    }

    /// One centred row of legend entries at `y` (top); returns its height.
    /// Entries wrap to more rows when they do not fit the width.
    pub fn legend(&mut self, entries: &[(Swatch, String)], cx: f64, y: f64) -> f64 {
        let sw = LEGEND * 1.6;
        let gap = LEGEND * 0.9;
        let lh = self.line_height(LEGEND) + 10.0;
        let widths: Vec<f64> = entries
            .iter()
            .map(|(_, label)| sw + 16.0 + self.measure(label, LEGEND))
            .collect();
        let avail = self.width() - 2.0 * MARGIN;
        let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
        let mut used = 0.0;
        for (i, w) in widths.iter().enumerate() {
            let need = if used == 0.0 { *w } else { used + gap + w };
            if need > avail && used > 0.0 {
                rows.push(vec![i]);
                used = *w;
            } else {
                if let Some(r) = rows.last_mut() {
                    r.push(i);
                }
                used = need;
            }
        }
        for (r, row) in rows.iter().enumerate() {
            let total: f64 =
                row.iter().map(|i| widths[*i]).sum::<f64>() + gap * (row.len() as f64 - 1.0);
            let mut x = cx - total / 2.0;
            let cy = y + lh * (r as f64 + 0.5);
            for i in row {
                let (swatch, label) = &entries[*i];
                self.swatch(swatch, x, cy, sw);
                self.text_at(
                    label,
                    x + sw + 16.0,
                    cy,
                    LEGEND,
                    palette::INK,
                    HAlign::Left,
                    VAlign::Middle,
                );
                x += widths[*i] + gap;
            }
        }
        lh * rows.len() as f64
    }

    fn swatch(&mut self, s: &Swatch, x: f64, cy: f64, w: f64) {
        let h = w * 0.6;
        match s {
            Swatch::Fill(c) => self.bar(x, cy - h / 2.0, x + w, cy + h / 2.0, *c),
            Swatch::Line(c, dashed) => {
                let pts = [(x, cy), (x + w, cy)];
                if *dashed {
                    self.dashed(&pts, Stroke::new(*c, 5.0), 16.0, 10.0);
                } else {
                    self.path(pts.to_vec(), Stroke::new(*c, 5.0));
                }
            }
            Swatch::Marker(m, c) => self.marker(*m, x + w / 2.0, cy, h / 2.5, *c),
        }
    }

    /// "无数据" in the middle of an area.
    pub fn no_data(&mut self, a: Area, text: &str) {
        self.text_at(
            text,
            (a.x0 + a.x1) / 2.0,
            (a.y0 + a.y1) / 2.0,
            LABEL,
            palette::GREY_TEXT,
            HAlign::Center,
            VAlign::Middle,
        );
    }
}

/// Which side of the plot a value axis is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

/// Linear map of values 0 … `top` onto the plot's height.
#[derive(Debug, Clone, Copy)]
pub struct YScale {
    pub plot: Area,
    pub top: f64,
}

impl YScale {
    pub fn y(&self, v: f64) -> f64 {
        self.plot.y1 - (v / self.top).clamp(0.0, 1.0) * self.plot.height()
    }
}

impl Painter<'_> {
    /// Space a value axis needs beside the plot: tick labels and the rotated title.
    pub fn axis_space(&self, tick_labels: &[String], title: &str) -> f64 {
        let widest = tick_labels
            .iter()
            .map(|t| self.measure(t, TICK))
            .fold(0.0, f64::max);
        let title_space = if title.is_empty() {
            0.0
        } else {
            self.line_height(LABEL) + 16.0
        };
        widest + 24.0 + title_space
    }

    /// A value axis: tick labels at `values` (gridlines across the plot for
    /// the left axis), the axis line, and the title read bottom to top.
    pub fn value_axis(
        &mut self,
        scale: YScale,
        values: &[f64],
        tick_labels: &[String],
        side: Side,
        title: &str,
    ) {
        let plot = scale.plot;
        let x = match side {
            Side::Left => plot.x0,
            Side::Right => plot.x1,
        };
        for (v, label) in values.iter().zip(tick_labels) {
            let y = scale.y(*v);
            if side == Side::Left && *v > 0.0 {
                self.segment((plot.x0, y), (plot.x1, y), Stroke::new(palette::GRID, 2.0));
            }
            let (tx, h) = match side {
                Side::Left => (x - 14.0, HAlign::Right),
                Side::Right => (x + 14.0, HAlign::Left),
            };
            self.segment((x - 6.0, y), (x + 6.0, y), Stroke::new(palette::AXIS, 2.0));
            self.text_at(label, tx, y, TICK, palette::GREY_TEXT, h, VAlign::Middle);
        }
        self.segment((x, plot.y0), (x, plot.y1), Stroke::new(palette::AXIS, 2.0));
        if !title.is_empty() {
            let space = self.axis_space(tick_labels, title);
            let lh = self.line_height(LABEL);
            let tx = match side {
                Side::Left => x - space + lh / 2.0,
                Side::Right => x + space - lh / 2.0,
            };
            self.text_vertical(title, tx, (plot.y0 + plot.y1) / 2.0, LABEL, palette::INK);
        }
    }

    /// Text on a white box (readable over bars and lines).
    pub fn boxed_text(&mut self, text: &str, x: f64, y: f64, size: f64, color: Rgb) {
        let w = self.measure(text, size) + 12.0;
        let h = self.line_height(size);
        self.scene.items.push(Item::Rect {
            x0: x - w / 2.0,
            y0: y - h / 2.0,
            x1: x + w / 2.0,
            y1: y + h / 2.0,
            fill: Some(palette::WHITE),
            stroke: Some(Stroke::new(color, 2.0)),
        });
        self.text_at(text, x, y, size, color, HAlign::Center, VAlign::Middle);
    }
}

/// A column chart's frame: one slot per category across the plot.
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    pub plot: Area,
    pub slot: f64,
    /// The count axis (left).
    pub counts: YScale,
}

impl Columns {
    /// Centre of slot `i`.
    pub fn centre(&self, i: usize) -> f64 {
        self.plot.x0 + self.slot * (i as f64 + 0.5)
    }
}

impl Painter<'_> {
    /// Frame a column chart of `n` categories with counts up to `max`: count
    /// axis at the left, optionally a 0–100% axis at the right, and under each
    /// slot the label lines `labels` gives for the slot width.
    pub fn columns(
        &mut self,
        area: Area,
        n: usize,
        max: f64,
        share_axis: Option<&str>,
        labels: impl Fn(&Painter, f64) -> Vec<Vec<String>>,
    ) -> Columns {
        let title = "案件数（件）";
        let ticks = nice_ticks(max * 1.08, 5);
        let tick_labels: Vec<String> = ticks.iter().map(|v| tick_text(*v)).collect();
        let shares = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
        let share_labels: Vec<String> = shares.iter().map(|v| super::labels::percent(*v)).collect();
        let x0 = area.x0 + self.axis_space(&tick_labels, title);
        let x1 = match share_axis {
            Some(t) => area.x1 - self.axis_space(&share_labels, t),
            None => area.x1,
        };
        let slot = (x1 - x0) / n.max(1) as f64;
        let cats = labels(self, slot);
        let lines = cats.iter().map(Vec::len).max().unwrap_or(1) as f64;
        let plot = Area {
            x0,
            y0: area.y0 + 20.0,
            x1,
            y1: area.y1 - lines * self.line_height(TICK) - 20.0,
        };
        let cols = Columns {
            plot,
            slot,
            counts: YScale {
                plot,
                top: *ticks.last().unwrap_or(&1.0),
            },
        };
        self.value_axis(cols.counts, &ticks, &tick_labels, Side::Left, title);
        if let Some(t) = share_axis {
            let scale = YScale { plot, top: 1.0 };
            self.value_axis(scale, &shares, &share_labels, Side::Right, t);
        }
        for (i, lines) in cats.iter().enumerate() {
            let (x, y) = (cols.centre(i), plot.y1 + 14.0);
            self.lines_at(lines, x, y, TICK, palette::INK, HAlign::Center, VAlign::Top);
        }
        self.segment(
            (plot.x0, plot.y1),
            (plot.x1, plot.y1),
            Stroke::new(palette::AXIS, 3.0),
        );
        cols
    }
}

/// Tick values 0, step, … up to the first one ≥ `max`, with a 1-2-5 step
/// giving about `target` intervals (at least one interval).
pub fn nice_ticks(max: f64, target: usize) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * mag);
    let n = (max / step - 1e-9).ceil().max(1.0) as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// A tick value as text: integers plainly, else up to two decimals.
pub fn tick_text(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_text_prints_at_nine_points_or_more_in_a_report() {
        // 2400 px over 156 mm: 49 px is 49 × 156 / 2400 = 3.185 mm = 9.03 pt
        for em in [TITLE, SUBTITLE, LABEL, TICK, VALUE, NOTE, LEGEND] {
            assert!(
                points_at_print(em) >= 9.0,
                "{em} px is {} pt",
                points_at_print(em)
            );
        }
        assert!((points_at_print(49.0) - 9.03).abs() < 0.01);
        // a font whose em is 0.85 of its plotters size is drawn larger to match
        let font = FontChoice::fallback();
        let p = Painter::new(&font, 2400, 1500);
        assert!((p.size(LABEL) * p.font.em_ratio() - LABEL).abs() < 1e-9);
    }

    use super::*;

    #[test]
    fn nice_ticks_cover_the_maximum_with_round_steps() {
        assert_eq!(
            nice_ticks(485.0, 5),
            [0.0, 100.0, 200.0, 300.0, 400.0, 500.0]
        );
        assert_eq!(nice_ticks(7.0, 5), [0.0, 2.0, 4.0, 6.0, 8.0]);
        let unit = nice_ticks(0.0, 5);
        assert_eq!(unit.len(), 6);
        assert!((unit[5] - 1.0).abs() < 1e-12);
        assert_eq!(nice_ticks(100.0, 4), [0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(tick_text(25.0), "25");
        assert_eq!(tick_text(0.25), "0.25");
        assert_eq!(tick_text(2.5), "2.5");
    }

    #[test]
    fn dashes_alternate_along_a_line() {
        let f = FontChoice::fallback();
        let mut p = Painter::new(&f, 100, 100);
        let before = p.scene.items.len();
        p.dashed(
            &[(0.0, 0.0), (100.0, 0.0)],
            Stroke::new((0, 0, 0), 1.0),
            10.0,
            10.0,
        );
        let dashes: Vec<&Item> = p.scene.items[before..].iter().collect();
        assert_eq!(dashes.len(), 5);
        match dashes[1] {
            Item::Path { points, .. } => assert_eq!(points, &vec![(20.0, 0.0), (30.0, 0.0)]),
            other => panic!("{other:?}"),
        }
    }
}
