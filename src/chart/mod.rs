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
pub mod font;
pub mod funnel;
pub mod heatmap;
pub mod labels;
pub mod palette;
mod par;
pub mod pareto;
pub mod render;
pub mod scene;
pub mod sfnt;
pub mod trend;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

pub use font::FontChoice;
pub use scene::Scene;

use crate::ingest::auxiliary::Volume;
use crate::period::date_from_days;
use crate::period::Window;
use crate::schema as s;

/// Width of every chart in pixels.
pub const WIDTH: u32 = 2400;

/// The analysis tables the charts are drawn from.
#[derive(Clone)]
pub struct ChartInputs<'a> {
    /// The ledger's canonical case frame (`Ledger::cases`).
    pub cases: &'a DataFrame,
    /// The deadline table with each row's case `filed_on`
    /// (`pipeline::DeadlineTable::scan`, or `deadlines::with_filed_on`).
    pub deadlines: LazyFrame,
    /// `analysis::outcomes::outcomes(...)`.
    pub outcomes: &'a DataFrame,
    /// Enforcement volume, for the funnel plot.
    pub volume: Option<&'a Volume>,
    /// Only cases filed in this window (None = all cases).
    pub window: Option<Window>,
    /// The as-of date the deadlines were judged at (shown on the chart).
    pub as_of: Option<NaiveDate>,
}

/// A rendered chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem: `heatmap`, `pareto`, `trend`, `funnel`, `compliance`, `clause_use`.
    pub name: &'static str,
    /// Chinese title, as drawn on the chart.
    pub title: String,
    /// Notes drawn under the chart (also useful as a caption).
    pub notes: Vec<String>,
    pub width: u32,
    pub height: u32,
    pub svg: String,
    /// None when no CJK font was found (PNG would show boxes).
    pub png: Option<Vec<u8>>,
}

/// A chart that could not be drawn, and why (in Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub name: &'static str,
    pub title: String,
    pub reason: String,
}

/// Every chart of one run.
#[derive(Debug, Clone, Default)]
pub struct ChartSet {
    pub charts: Vec<Chart>,
    pub skipped: Vec<Skipped>,
}

/// A chart built in memory, before rendering.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub name: &'static str,
    pub title: String,
    pub notes: Vec<String>,
    pub scene: Scene,
}

/// What a chart function gives.
#[derive(Debug, Clone)]
pub enum Built {
    Drawn(Drawn),
    Skipped(Skipped),
}

/// Why charts could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("图表数据有误：{0}")]
    Data(#[from] PolarsError),
    #[error(transparent)]
    Render(#[from] render::RenderError),
}

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

/// The cases filed in the window (all cases without one), with only
/// `columns` and `filed_on`: a chart reads two or three of the ledger's
/// columns, and filtering all of them copied the quarter's rows whole.
pub(crate) fn cases_in_window(
    cases: &DataFrame,
    window: Option<Window>,
    columns: &[&str],
) -> PolarsResult<DataFrame> {
    let mut wanted: Vec<&str> = vec![s::FILED_ON];
    wanted.extend(columns.iter().filter(|c| **c != s::FILED_ON));
    let picked = cases.select(wanted)?;
    let Some(w) = window else {
        return Ok(picked);
    };
    picked.lazy().filter(w.filed_within()).collect()
}

/// First and last filing date of the cases.
pub(crate) fn filed_span(cases: &DataFrame) -> PolarsResult<Option<(NaiveDate, NaiveDate)>> {
    let days = cases.column(s::FILED_ON)?.date()?.physical().clone();
    Ok(match (days.min(), days.max()) {
        (Some(a), Some(b)) => Some((date_from_days(a), date_from_days(b))),
        _ => None,
    })
}

/// "范围：…" — which cases a chart counts.
pub(crate) fn scope_text(window: Option<Window>, cases: &DataFrame) -> PolarsResult<String> {
    let n = cases.height();
    Ok(match window {
        Some(Window::Quarter(q)) => format!("范围：{}立案的案件（共 {n} 件）", q.label_zh()),
        Some(Window::Range(a, b)) => format!("范围：{a} 至 {b} 立案的案件（共 {n} 件）"),
        None => match filed_span(cases)? {
            Some((a, b)) => format!("范围：全部案件，立案日期 {a} 至 {b}（共 {n} 件）"),
            None => "范围：全部案件（共 0 件）".to_string(),
        },
    })
}

/// Rows per distinct combination of the text (or categorical) `columns`,
/// rows with a null skipped: counted by polars, read back as strings.
pub(crate) fn count_groups(
    rows: LazyFrame,
    columns: &[&str],
) -> PolarsResult<(Vec<StringChunked>, Vec<u64>)> {
    let keys: Vec<Expr> = columns.iter().map(|c| col(*c)).collect();
    let counted = rows
        .select(keys.clone())
        .drop_nulls(None)
        .group_by(keys)
        .agg([len().alias("__n")])
        .with_columns(
            columns
                .iter()
                .map(|c| col(*c).cast(DataType::String))
                .collect::<Vec<_>>(),
        )
        // Streamed: a count over the spilled deadline table (50 M rows at
        // 10 M cases) filters and counts it a morsel at a time. Whole-number
        // counts are the same whatever the order morsels are counted in.
        .collect_with_engine(Engine::Streaming)?
        .unwrap_single();
    let text = columns
        .iter()
        .map(|c| counted.column(c).and_then(|s| s.str().cloned()))
        .collect::<PolarsResult<Vec<_>>>()?;
    let n = counted.column("__n")?.cast(&DataType::UInt64)?;
    Ok((text, n.u64()?.iter().map(|v| v.unwrap_or(0)).collect()))
}

/// Counts of the distinct values of one text column (nulls skipped).
pub(crate) fn count_values(df: &DataFrame, column: &str) -> PolarsResult<BTreeMap<String, u64>> {
    let (text, n) = count_groups(df.clone().lazy(), &[column])?;
    Ok(text[0]
        .iter()
        .zip(n)
        .filter_map(|(v, n)| Some((v?.to_string(), n)))
        .collect())
}

/// Counts of the distinct pairs of two text columns (rows with a null skipped).
pub(crate) fn count_pairs(
    df: &DataFrame,
    a: &str,
    b: &str,
) -> PolarsResult<BTreeMap<(String, String), u64>> {
    let (text, n) = count_groups(df.clone().lazy(), &[a, b])?;
    Ok(text[0]
        .iter()
        .zip(text[1].iter())
        .zip(n)
        .filter_map(|((x, y), n)| Some(((x?.to_string(), y?.to_string()), n)))
        .collect())
}

/// Keys ordered by count descending, then by name.
pub(crate) fn by_count_desc(counts: &BTreeMap<String, u64>) -> Vec<String> {
    let mut keys: Vec<(&String, &u64)> = counts.iter().collect();
    keys.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    keys.into_iter().map(|(k, _)| k.clone()).collect()
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
pub(crate) mod testdata;

#[cfg(test)]
mod tests {
    use super::*;
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
        assert!(svg("compliance").contains("D17-decide"));
        assert!(svg("clause_use").contains(">\n10.9\n</text>"));
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
