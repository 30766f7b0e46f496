//! Colours that survive greyscale printing: every categorical palette steps
//! through CIE L* (lightness) by at least [`MIN_LIGHTNESS_STEP`], so the
//! categories stay apart on a black-and-white copy; hues carry the meaning on
//! screen (green = in order, blues = tolerance granted, dark red = fault).

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// Smallest L* difference between any two colours of one palette.
pub const MIN_LIGHTNESS_STEP: f64 = 12.0;

pub const WHITE: Rgb = (255, 255, 255);
pub const BLACK: Rgb = (0, 0, 0);
/// Body text.
pub const INK: Rgb = (33, 33, 33);
/// Secondary text (subtitles, notes, tick labels).
pub const GREY_TEXT: Rgb = (85, 85, 85);
/// Axis lines and bar outlines.
pub const AXIS: Rgb = (60, 60, 60);
/// Gridlines.
pub const GRID: Rgb = (215, 215, 215);
/// Background of group headings.
pub const BAND: Rgb = (238, 238, 238);

/// Deadline statuses (outputs.md §deadlines), in legend order, with their
/// Chinese legend labels. L*: 80, 94, 66, 52, 37, 21.
pub const STATUSES: &[(&str, &str, Rgb)] = &[
    ("met", "按期/符合", (0xa7, 0xd4, 0x79)),
    ("pending", "未到期", (0xec, 0xee, 0xf2)),
    ("due-soon", "即将到期", (0xd3, 0x94, 0x2d)),
    ("late", "逾期办结", (0xcf, 0x57, 0x26)),
    ("overdue", "超期未办", (0xa4, 0x28, 0x2a)),
    ("breach", "不符合规定", (0x4b, 0x20, 0x58)),
];

/// Determination outcomes in schema order (履职尽责 … 不予容错).
/// L*: 90, 76, 60, 44, 26.
pub const OUTCOME_COLOURS: &[Rgb] = &[
    (0xce, 0xea, 0xcb),
    (0x8e, 0xc2, 0xe0),
    (0x59, 0x96, 0xc8),
    (0x33, 0x6b, 0xa2),
    (0x76, 0x1a, 0x25),
];

/// Articles 9–12, coloured like the outcomes they support. L*: 90, 70, 50, 26.
pub const ARTICLE_COLOURS: &[(i32, &str, Rgb)] = &[
    (9, "第九条 履职尽责", (0xce, 0xea, 0xcb)),
    (10, "第十条 容错免责", (0x75, 0xb3, 0xd8)),
    (11, "第十一条 从轻减轻", (0x46, 0x7a, 0xb2)),
    (12, "第十二条 不予容错", (0x76, 0x1a, 0x25)),
];

/// Single-series bars (counts).
pub const BAR: Rgb = (0x46, 0x7a, 0xb2);
/// A line drawn over bars (cumulative share).
pub const LINE: Rgb = (0x76, 0x1a, 0x25);

/// Ends of the sequential heat-map scale (white → dark blue, L* 100 → 21).
pub const HEAT_LOW: Rgb = (0xff, 0xff, 0xff);
pub const HEAT_HIGH: Rgb = (0x08, 0x30, 0x6b);

fn linear(c: u8) -> f64 {
    let c = c as f64 / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Relative luminance Y (0–1) of an sRGB colour.
pub fn luminance(c: Rgb) -> f64 {
    0.2126 * linear(c.0) + 0.7152 * linear(c.1) + 0.0722 * linear(c.2)
}

/// CIE L* (0–100): perceived lightness, what a greyscale copy keeps.
pub fn lightness(c: Rgb) -> f64 {
    let y = luminance(c);
    if y > 216.0 / 24389.0 {
        116.0 * y.cbrt() - 16.0
    } else {
        y * 24389.0 / 27.0
    }
}

/// Text colour readable on a fill: white on dark fills, ink on light ones.
pub fn text_on(fill: Rgb) -> Rgb {
    if lightness(fill) < 55.0 {
        WHITE
    } else {
        INK
    }
}

/// Colour of a heat-map cell: `t` in 0–1 along the sequential scale.
pub fn heat(t: f64) -> Rgb {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    (
        mix(HEAT_LOW.0, HEAT_HIGH.0),
        mix(HEAT_LOW.1, HEAT_HIGH.1),
        mix(HEAT_LOW.2, HEAT_HIGH.2),
    )
}

/// Colour of a deadline status (grey for an unknown one).
pub fn status_colour(status: &str) -> Rgb {
    STATUSES
        .iter()
        .find(|(s, _, _)| *s == status)
        .map(|(_, _, c)| *c)
        .unwrap_or((150, 150, 150))
}

/// Smallest pairwise L* difference within a palette (infinite for < 2 colours).
pub fn min_lightness_gap(colours: &[Rgb]) -> f64 {
    let mut gap = f64::INFINITY;
    for (i, a) in colours.iter().enumerate() {
        for b in &colours[i + 1..] {
            gap = gap.min((lightness(*a) - lightness(*b)).abs());
        }
    }
    gap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lightness_of_references() {
        assert!((lightness(WHITE) - 100.0).abs() < 1e-9);
        assert!(lightness(BLACK).abs() < 1e-9);
        // mid grey #777777 has L* ≈ 50.0
        assert!((lightness((0x77, 0x77, 0x77)) - 50.0).abs() < 0.1);
    }

    #[test]
    fn categorical_palettes_stay_apart_in_greyscale() {
        let statuses: Vec<Rgb> = STATUSES.iter().map(|s| s.2).collect();
        let articles: Vec<Rgb> = ARTICLE_COLOURS.iter().map(|a| a.2).collect();
        for (name, pal) in [
            ("statuses", statuses),
            ("outcomes", OUTCOME_COLOURS.to_vec()),
            ("articles", articles),
        ] {
            let gap = min_lightness_gap(&pal);
            assert!(gap >= MIN_LIGHTNESS_STEP, "{name}: min ΔL* {gap:.1}");
        }
        // the bar colour and the line over it differ too
        assert!(min_lightness_gap(&[BAR, LINE, WHITE]) >= MIN_LIGHTNESS_STEP);
    }

    #[test]
    fn heat_scale_darkens_monotonically() {
        let ls: Vec<f64> = (0..=10).map(|i| lightness(heat(i as f64 / 10.0))).collect();
        assert!(ls.windows(2).all(|w| w[1] < w[0]), "{ls:?}");
        assert!(ls[0] - ls[10] > 70.0);
        assert_eq!(text_on(heat(1.0)), WHITE);
        assert_eq!(text_on(heat(0.0)), INK);
    }
}
