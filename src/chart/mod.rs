//! Charts of the analyses (plotters): unit × domain heat map, Pareto of error
//! types, outcomes by quarter, funnel plot of units' error rates, deadline
//! compliance, clause use. Each chart is a pure function from the analysis
//! tables to an in-memory [`Scene`]; [`render_all`] turns the scenes into SVG
//! (always) and PNG (when a CJK font is available).
//!
//! Sizes: every chart is 2400 px wide (20.3 cm at 300 dpi; about 380 dpi when
//! placed across a 16 cm report column). Heights: pareto and trend 1500 px,
//! funnel 1600 px; heatmap, compliance and clause_use grow with their number
//! of rows (see each module). Text sizes are chosen for print at that width.
//! The PNGs embedded in Word reports are the same scenes drawn
//! [`REPORT_PNG_WIDTH`] px wide (300 dpi across the 156 mm text block).
//!
//! Scope: with a window (`--quarter`), the heat map, Pareto, funnel and
//! compliance charts count the cases *filed* in the window (the quarter of
//! incidence, ledger.md §Periods); the trend shows every quarter of decision
//! and clause use covers every decided case, since both serve the pilot review.

pub mod clause_use;
pub mod compliance;
pub mod compliance_trend;
pub mod effect;
pub mod font;
pub mod funnel;
pub mod heatmap;
pub mod inputs;
pub mod labels;
pub mod palette;
mod par;
pub mod pareto;
pub mod render;
pub mod scene;
pub mod sfnt;
pub mod trend;

pub use font::FontChoice;
pub use inputs::{Built, Chart, ChartError, ChartInputs, ChartSet, Drawn, Skipped, WIDTH};
pub use scene::Scene;

/// Build every chart in memory (pure: no files, no clock).
pub fn build_all(inputs: &ChartInputs, font: &FontChoice) -> Result<Vec<Built>, ChartError> {
    let traced = |name: &str, built: Built| {
        crate::diag::memory(&format!("chart {name} built"));
        built
    };
    Ok(vec![
        traced("heatmap", Built::Drawn(heatmap::chart(inputs, font)?)),
        traced("pareto", Built::Drawn(pareto::chart(inputs, font)?)),
        traced("trend", Built::Drawn(trend::chart(inputs, font)?)),
        traced("funnel", funnel::chart(inputs, font)?),
        traced("compliance", Built::Drawn(compliance::chart(inputs, font)?)),
        traced("clause_use", Built::Drawn(clause_use::chart(inputs, font)?)),
    ])
}

/// Width of the PNGs embedded in reports: 300 dpi across the 156 mm text
/// block of GB/T 9704 (156 / 25.4 × 300 = 1842.5). Word scales every chart to
/// the text width, so more pixels would not print sharper; the standalone
/// charts (`jiucuo charts`, the demo's 图表/) keep [`WIDTH`].
pub const REPORT_PNG_WIDTH: u32 = 1843;

/// Render one built chart: SVG always, PNG when the font has CJK glyphs,
/// drawn `png_width` pixels wide (None: the chart's own width).
pub fn render(d: &Drawn, font: &FontChoice, png_width: Option<u32>) -> Result<Chart, ChartError> {
    let svg = render::svg(&d.scene, font, &d.title)?;
    let png = if font.has_cjk() {
        Some(render::png(
            &d.scene,
            font,
            png_width.unwrap_or(d.scene.width),
        )?)
    } else {
        None
    };
    Ok(Chart {
        name: d.name,
        title: d.title.clone(),
        notes: d.notes.clone(),
        width: d.scene.width,
        height: d.scene.height,
        svg,
        png,
    })
}

/// Build and render every chart. Charts that need missing data (the funnel
/// without enforcement volume) are listed in `skipped` with the reason.
///
/// The charts are rendered side by side on the machine's cores. Each is a
/// pure function of its scene, so the bytes do not depend on the scheduling;
/// results keep the chart order, and the first error in that order is returned.
pub fn render_all(inputs: &ChartInputs, font: &FontChoice) -> Result<ChartSet, ChartError> {
    render_all_at(inputs, font, None)
}

/// [`render_all`] with the PNGs drawn `png_width` pixels wide (None: [`WIDTH`]).
pub fn render_all_at(
    inputs: &ChartInputs,
    font: &FontChoice,
    png_width: Option<u32>,
) -> Result<ChartSet, ChartError> {
    let mut set = ChartSet::default();
    let mut drawn = Vec::new();
    for b in build_all(inputs, font)? {
        match b {
            Built::Drawn(d) => drawn.push(d),
            Built::Skipped(s) => set.skipped.push(s),
        }
    }
    for chart in par::map(&drawn, |d| render(d, font, png_width)) {
        set.charts.push(chart?);
    }
    Ok(set)
}

// ---- shared data helpers ----

#[cfg(test)]
pub(crate) mod testdata;

#[cfg(test)]
mod tests {
    use super::inputs::*;
    use super::*;
    use crate::period::Window;
    use crate::schema as s;
    use polars::prelude::*;
    use std::path::Path;

    const WQY: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

    #[test]
    fn without_a_cjk_font_every_chart_is_svg_only_and_searchable() {
        let t = testdata::tables();
        let font = FontChoice::fallback();
        let set = render_all(&t.inputs(None), &font).unwrap();
        let names: Vec<&str> = set.charts.iter().map(|c| c.name).collect();
        // all data: 2025-04-10 … 2025-09-30 has volume only for 2025Q3
        assert_eq!(
            names,
            [
                "heatmap",
                "pareto",
                "trend",
                "funnel",
                "compliance",
                "clause_use"
            ]
        );
        assert!(set.skipped.is_empty());
        for c in &set.charts {
            assert!(c.png.is_none(), "{}", c.name);
            assert!(c.svg.contains(&format!("<title>{}</title>", c.title)));
            assert!(c.svg.contains(font::SVG_FONT_LIST), "{}", c.name);
            assert!(
                !c.svg.contains("jiucuo-"),
                "{}: private family leaked",
                c.name
            );
            assert!(!c.svg.contains("dy=\"0.76em\""), "{}", c.name);
        }
        let svg = |name: &str| &set.charts.iter().find(|c| c.name == name).unwrap().svg;
        assert!(svg("heatmap").contains(">\n王舍人街道\n</text>"));
        assert!(svg("heatmap").contains(">\n区住房和城乡建设局\n</text>"));
        assert!(svg("compliance").contains("立案后30日内调查终结（第十七条）"));
        assert!(!svg("compliance").contains("D17-decide"));
        assert!(svg("clause_use").contains(">\n第（九）项\n</text>"));
        assert!(svg("clause_use").contains("0（未适用）"));
    }

    #[test]
    fn a_window_without_cases_gives_empty_charts_not_errors() {
        let t = testdata::tables();
        let far = Window::Quarter(crate::period::Quarter { year: 2030, q: 1 });
        let set = render_all(&t.inputs(Some(far)), &FontChoice::fallback()).unwrap();
        let svg = |name: &str| &set.charts.iter().find(|c| c.name == name).unwrap().svg;
        assert!(svg("heatmap").contains("本期无案件"));
        assert!(svg("pareto").contains("本期无案件"));
        assert!(svg("compliance").contains("本期无期限检查项"));
        assert_eq!(set.skipped.len(), 1);
        assert!(
            set.skipped[0]
                .reason
                .contains("2030年第一季度没有立案的案件"),
            "{}",
            set.skipped[0].reason
        );
    }

    #[test]
    fn untrusted_names_are_escaped_in_the_svg() {
        let mut t = testdata::tables();
        t.cases = t
            .cases
            .clone()
            .lazy()
            .with_column(lit("<script>alert(1)</script>&").alias(s::UNIT))
            .collect()
            .unwrap();
        let set = render_all(&t.inputs(None), &FontChoice::fallback()).unwrap();
        let heatmap = &set.charts[0].svg;
        assert!(heatmap.contains("&lt;script&gt;"), "name missing");
        assert!(!heatmap.contains("<script>"));
    }

    /// The CJK test font, the test tables and their trend chart (None when
    /// the font is not installed: the PNG tests are skipped).
    fn trend_with_cjk_font() -> Option<(FontChoice, testdata::Tables, Drawn)> {
        if !Path::new(WQY).exists() {
            eprintln!("skipped: {WQY} not installed (scripts/setup.sh)");
            return None;
        }
        let font = FontChoice::from_file(Path::new(WQY)).unwrap();
        let t = testdata::tables();
        let d = trend::chart(&t.inputs(None), &font).unwrap();
        Some((font, t, d))
    }

    #[test]
    fn pngs_have_the_chart_size_ink_and_stable_bytes() {
        let Some((font, t, d)) = trend_with_cjk_font() else {
            return;
        };
        let rgb = render::rgb(&d.scene, &font).unwrap();
        assert_eq!(rgb.len(), 2400 * 1500 * 3);
        let pixels: Vec<[u8; 3]> = rgb.chunks(3).map(|p| [p[0], p[1], p[2]]).collect();
        let ink = pixels.iter().filter(|p| **p != [255, 255, 255]).count() as f64;
        let share = ink / pixels.len() as f64;
        assert!(share > 0.02 && share < 0.6, "ink share {share}");
        let colours: std::collections::BTreeSet<[u8; 3]> = pixels.iter().copied().collect();
        assert!(colours.len() > 50, "{} colours", colours.len());
        // every outcome colour is on the chart
        for c in palette::OUTCOME_COLOURS
            .iter()
            .filter(|c| **c != palette::OUTCOME_COLOURS[3])
        {
            assert!(colours.contains(&[c.0, c.1, c.2]), "{c:?} missing");
        }
        let chart = render(&d, &font, None).unwrap();
        let png = chart.png.clone().unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        assert_eq!((be(&png[16..20]), be(&png[20..24])), (2400, 1500));
        let again = render(&trend::chart(&t.inputs(None), &font).unwrap(), &font, None).unwrap();
        assert!(again.png.unwrap() == png, "PNG bytes differ between runs");
        assert_eq!(again.svg, chart.svg);
    }

    #[test]
    fn report_pngs_are_the_same_chart_drawn_smaller() {
        let Some((font, _, d)) = trend_with_cjk_font() else {
            return;
        };
        let decode = |png: &[u8]| {
            let mut r = ::png::Decoder::new(std::io::Cursor::new(png))
                .read_info()
                .unwrap();
            let mut buf = vec![0; r.output_buffer_size()];
            let info = r.next_frame(&mut buf).unwrap();
            buf.truncate(info.buffer_size());
            (info.width, info.height, buf)
        };
        let ink = |px: &[u8]| {
            let n = px.chunks(3).filter(|p| *p != [255, 255, 255]).count();
            n as f64 / (px.len() / 3) as f64
        };
        let full = render(&d, &font, None).unwrap().png.unwrap();
        let small = render(&d, &font, Some(REPORT_PNG_WIDTH)).unwrap();
        // the SVG keeps the chart's own size
        assert_eq!((small.width, small.height), (2400, 1500));
        let (w, h, small_px) = decode(small.png.as_ref().unwrap());
        // 1500 × 1843 / 2400 = 1151.875
        assert_eq!((w, h), (1843, 1152));
        let (_, _, full_px) = decode(&full);
        // everything is drawn in proportion, text included: about the same share of ink
        let (a, b) = (ink(&full_px), ink(&small_px));
        assert!(
            (a - b).abs() / a < 0.15,
            "ink share {a} at 2400 px, {b} at 1843 px"
        );
        let colours: std::collections::BTreeSet<&[u8]> = small_px.chunks(3).collect();
        for c in palette::OUTCOME_COLOURS
            .iter()
            .filter(|c| **c != palette::OUTCOME_COLOURS[3])
        {
            assert!(colours.contains(&[c.0, c.1, c.2][..]), "{c:?} missing");
        }
    }
}
