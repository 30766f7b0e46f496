//! Heat map of case counts by unit × domain, with the count printed in every
//! cell and row and column totals. Units (rows) and domains (columns) are
//! ordered by their totals, largest first, ties by name. Height: 2400 px wide,
//! `HEADER + (units + 1) × ROW` px tall (at least 1500).

use polars::prelude::*;

use super::font::FontChoice;
use super::inputs::{ChartError, ChartInputs, Drawn};
use super::labels;
use super::palette::{self, Rgb};
use super::scene::{self, Area, Chrome, HAlign, Painter, Stroke, VAlign};
use crate::schema as s;

pub const NAME: &str = "heatmap";
pub const TITLE: &str = "各执法单位分领域案件数";

const ROW: f64 = 68.0;
/// Zero counts are printed in light grey.
const ZERO: Rgb = (160, 160, 160);
const HEADER: f64 = 560.0;

/// Counts per unit × domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Full unit names, in row order.
    pub units: Vec<String>,
    pub domains: Vec<String>,
    /// `counts[unit][domain]`.
    pub counts: Vec<Vec<u64>>,
    pub scope: String,
}

impl Model {
    pub fn from_inputs(inputs: &ChartInputs) -> PolarsResult<Model> {
        let cases =
            super::inputs::cases_in_window(inputs.cases, inputs.window, &[s::UNIT, s::DOMAIN])?;
        let pairs = super::inputs::count_pairs(&cases, s::UNIT, s::DOMAIN)?;
        let mut unit_totals = std::collections::BTreeMap::new();
        let mut domain_totals = std::collections::BTreeMap::new();
        for ((u, d), n) in &pairs {
            *unit_totals.entry(u.clone()).or_insert(0) += n;
            *domain_totals.entry(d.clone()).or_insert(0) += n;
        }
        let units = super::inputs::by_count_desc(&unit_totals);
        let domains = super::inputs::by_count_desc(&domain_totals);
        let counts = units
            .iter()
            .map(|u| {
                domains
                    .iter()
                    .map(|d| pairs.get(&(u.clone(), d.clone())).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        Ok(Model {
            units,
            domains,
            counts,
            scope: super::inputs::scope_text(inputs.window, &cases)?,
        })
    }
}

/// The heat map of the inputs.
pub fn chart(inputs: &ChartInputs, font: &FontChoice) -> Result<Drawn, ChartError> {
    let m = Model::from_inputs(inputs)?;
    let unit_labels = labels::unit_labels(&m.units);
    let mut notes =
        vec!["格内数字为案件数，颜色越深案件越多；单位按案件总数从多到少排列。".to_string()];
    if labels::units_shortened(&m.units, &unit_labels) {
        notes.push("单位名称按简称显示（“街道办事处”简称“街道”）。".to_string());
    }
    let height = (HEADER + (m.units.len() as f64 + 1.0) * ROW).max(1500.0) as u32;
    let mut p = Painter::new(font, super::inputs::WIDTH, height);
    let area = p.chrome(&Chrome {
        title: TITLE.to_string(),
        subtitle: m.scope.clone(),
        legend: Vec::new(),
        notes: notes.clone(),
    });
    if m.units.is_empty() {
        p.no_data(area, "本期无案件");
    } else {
        draw(&mut p, area, &m, &unit_labels);
    }
    Ok(Drawn {
        name: NAME,
        title: TITLE.to_string(),
        notes,
        scene: p.finish(),
    })
}

/// Where the grid of cells sits.
struct Grid {
    /// Left and top edges of the cells.
    x0: f64,
    y0: f64,
    cell_w: f64,
    row_h: f64,
    /// Centre of the totals column.
    total_x: f64,
}

impl Grid {
    fn cell_x(&self, j: usize) -> f64 {
        self.x0 + self.cell_w * j as f64
    }
    fn row_y(&self, i: usize) -> f64 {
        self.y0 + self.row_h * i as f64
    }
}

fn draw(p: &mut Painter, area: Area, m: &Model, unit_labels: &[String]) {
    let label_w = unit_labels
        .iter()
        .map(|l| p.measure(l, scene::LABEL))
        .fold(0.0, f64::max)
        + 30.0;
    let total_w = p
        .measure("合计", scene::LABEL)
        .max(p.measure("00000", scene::VALUE))
        + 40.0;
    let x0 = area.x0 + label_w;
    let cell_w = ((area.x1 - total_w - x0) / m.domains.len() as f64).min(320.0);
    // Column headers: domain names, wrapped to the cell width.
    let headers: Vec<Vec<String>> = m
        .domains
        .iter()
        .map(|d| labels::wrap(d, cell_w - 12.0, p.size(scene::LABEL), p.font, 2))
        .collect();
    let lines = headers.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let y0 = area.y0 + p.line_height(scene::LABEL) * lines + 16.0;
    let g = Grid {
        x0,
        y0,
        cell_w,
        row_h: ((area.y1 - y0) / (m.units.len() as f64 + 1.0)).min(ROW),
        total_x: x0 + cell_w * m.domains.len() as f64 + total_w / 2.0,
    };
    for (j, lines) in headers.iter().enumerate() {
        let cx = g.cell_x(j) + cell_w / 2.0;
        p.lines_at(
            lines,
            cx,
            y0 - 10.0,
            scene::LABEL,
            palette::INK,
            HAlign::Center,
            VAlign::Bottom,
        );
    }
    p.text_at(
        "合计",
        g.total_x,
        y0 - 10.0,
        scene::LABEL,
        palette::INK,
        HAlign::Center,
        VAlign::Bottom,
    );
    cells(p, &g, m, unit_labels);
    totals(p, &g, m);
}

/// One row per unit: its label, the coloured cells with their counts, its total.
fn cells(p: &mut Painter, g: &Grid, m: &Model, unit_labels: &[String]) {
    let max = m.counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    for (i, row) in m.counts.iter().enumerate() {
        let (y, cy) = (g.row_y(i), g.row_y(i) + g.row_h / 2.0);
        p.label(&unit_labels[i], g.x0 - 16.0, cy, HAlign::Right);
        for (j, n) in row.iter().enumerate() {
            let x = g.cell_x(j);
            let fill = palette::heat(*n as f64 / max);
            p.rect(x, y, x + g.cell_w, y + g.row_h, fill);
            let colour: Rgb = if *n == 0 {
                ZERO
            } else {
                palette::text_on(fill)
            };
            p.value(
                &n.to_string(),
                x + g.cell_w / 2.0,
                cy,
                HAlign::Center,
                colour,
            );
        }
        let total: u64 = row.iter().sum();
        p.value(
            &total.to_string(),
            g.total_x,
            cy,
            HAlign::Center,
            palette::INK,
        );
    }
    // White lines between the cells, a frame around them.
    let (x1, y1) = (g.cell_x(m.domains.len()), g.row_y(m.units.len()));
    let white = Stroke::new(palette::WHITE, 2.0);
    for j in 1..m.domains.len() {
        p.segment((g.cell_x(j), g.y0), (g.cell_x(j), y1), white);
    }
    for i in 1..m.units.len() {
        p.segment((g.x0, g.row_y(i)), (x1, g.row_y(i)), white);
    }
    let frame = Area {
        x0: g.x0,
        y0: g.y0,
        x1,
        y1,
    };
    p.frame(frame, Stroke::new(palette::AXIS, 2.0));
}

/// The 合计 row: totals per domain and the grand total.
fn totals(p: &mut Painter, g: &Grid, m: &Model) {
    let cy = g.row_y(m.units.len()) + g.row_h / 2.0;
    p.label("合计", g.x0 - 16.0, cy, HAlign::Right);
    for j in 0..m.domains.len() {
        let total: u64 = m.counts.iter().map(|r| r[j]).sum();
        p.value(
            &total.to_string(),
            g.cell_x(j) + g.cell_w / 2.0,
            cy,
            HAlign::Center,
            palette::INK,
        );
    }
    let grand: u64 = m.counts.iter().flatten().sum();
    p.value(
        &grand.to_string(),
        g.total_x,
        cy,
        HAlign::Center,
        palette::INK,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testdata;

    #[test]
    fn counts_by_unit_and_domain_largest_first() {
        let t = testdata::tables();
        let m = Model::from_inputs(&t.inputs(None)).unwrap();
        assert_eq!(m.units, ["王舍人街道办事处", "区住房和城乡建设局"]);
        // 3 cases each: ties go by name (住 U+4F4F before 城 U+57CE)
        assert_eq!(m.domains, ["住房城乡建设", "城市管理"]);
        assert_eq!(m.counts, vec![vec![1, 3], vec![2, 0]]);
        let q3 = Model::from_inputs(&t.inputs(Some(testdata::q3()))).unwrap();
        // 2 cases each: 区 (U+533A) before 王 (U+738B)
        assert_eq!(q3.units, [testdata::ZHUJIAN, testdata::WANG]);
        assert_eq!(q3.counts, vec![vec![2, 0], vec![1, 1]]);
        assert!(
            q3.scope.contains("2025年第三季度立案的案件（共 4 件）"),
            "{}",
            q3.scope
        );
    }

    #[test]
    fn scene_prints_labels_values_and_zeros() {
        let t = testdata::tables();
        let f = FontChoice::fallback();
        let d = chart(&t.inputs(None), &f).unwrap();
        let texts: Vec<&str> = d.scene.texts().collect();
        for want in [
            TITLE,
            "王舍人街道",
            "区住房和城乡建设局",
            "城市管理",
            "0",
            "3",
            "合计",
            "6",
        ] {
            assert!(texts.contains(&want), "{want} missing from {texts:?}");
        }
        assert_eq!(d.scene.width, 2400);
        assert_eq!(d.scene.height, 1500);
    }
}
