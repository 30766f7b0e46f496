//! Determination outcomes by quarter of decision: stacked bars, one segment
//! per outcome (履职尽责 … 不予容错), counts printed where they fit and totals
//! above the bars. Undecided cases have no quarter of decision, so they are
//! not stacked: their number is stated in a note under the chart.
//! 2400 × 1500 px.

use polars::prelude::*;

use super::font::FontChoice;
use super::inputs::{ChartError, ChartInputs, Drawn};
use super::labels;
use super::palette;
use super::scene::{self, Area, Chrome, HAlign, Painter, Swatch, VAlign};
use crate::schema as s;

pub const NAME: &str = "trend";
pub const TITLE: &str = "各季度认定结果";
pub const HEIGHT: u32 = 1500;

/// Counts per quarter of decision and outcome (in `schema::OUTCOMES` order).
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// (quarter label `2025Q3`, counts per outcome)
    pub quarters: Vec<(String, Vec<u64>)>,
    /// Cases with no decision yet.
    pub undecided: u64,
}

impl Model {
    pub fn from_inputs(inputs: &ChartInputs) -> PolarsResult<Model> {
        let o = inputs.outcomes;
        let section = o.column("section")?.str()?;
        let group = o.column("group")?.str()?;
        let item = o.column("item")?.str()?;
        let count = o.column("count")?.i64()?;
        let mut by_quarter: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
        for i in 0..o.height() {
            if section.get(i) != Some("outcome_by_quarter") {
                continue;
            }
            let (Some(g), Some(it)) = (group.get(i), item.get(i)) else {
                continue;
            };
            let Some(k) = s::OUTCOMES.iter().position(|x| *x == it) else {
                continue;
            };
            let row = by_quarter
                .entry(g.to_string())
                .or_insert_with(|| vec![0; s::OUTCOMES.len()]);
            row[k] += count.get(i).unwrap_or(0).max(0) as u64;
        }
        let undecided = inputs
            .cases
            .clone()
            .lazy()
            .filter(col(s::DECIDED_ON).is_null().or(col(s::OUTCOME).is_null()))
            .select([len()])
            .collect()?
            .column("len")?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(0)
            .unwrap_or(0);
        // A report on a quarter shows the trend up to that quarter, not after it.
        let last = inputs
            .window
            .map(|w| crate::period::Quarter::of(w.last_day()).label());
        Ok(Model {
            quarters: by_quarter
                .into_iter()
                .filter(|(q, _)| last.as_ref().is_none_or(|l| q <= l))
                .collect(),
            undecided,
        })
    }

    pub fn decided(&self) -> u64 {
        self.quarters.iter().flat_map(|q| q.1.iter()).sum()
    }
}

/// The outcome trend of the inputs.
pub fn chart(inputs: &ChartInputs, font: &FontChoice) -> Result<Drawn, ChartError> {
    let m = Model::from_inputs(inputs)?;
    let mut notes = vec!["按认定日期所在季度统计；柱顶数字为该季度认定的案件总数。".to_string()];
    if m.undecided > 0 {
        notes.push(format!(
            "另有 {} 件尚未认定（无认定日期或认定结果），没有认定季度，不计入本图。",
            m.undecided
        ));
    }
    let mut p = Painter::new(font, super::inputs::WIDTH, HEIGHT);
    let legend = s::OUTCOMES
        .iter()
        .zip(palette::OUTCOME_COLOURS)
        .map(|(o, c)| (Swatch::Fill(*c), o.to_string()))
        .collect();
    let area = p.chrome(&Chrome {
        title: TITLE.to_string(),
        subtitle: format!("范围：全部已认定案件（共 {} 件）", m.decided()),
        legend,
        notes: notes.clone(),
    });
    if m.quarters.is_empty() {
        p.no_data(area, "尚无已认定案件");
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
    let totals: Vec<u64> = m.quarters.iter().map(|q| q.1.iter().sum()).collect();
    let max = totals.iter().copied().max().unwrap_or(1) as f64;
    let cols = p.columns(area, m.quarters.len(), max, None, |p, slot| {
        m.quarters
            .iter()
            .map(|(q, _)| {
                let lines = labels::quarter_lines(q);
                lines
                    .iter()
                    .map(|l| labels::fit(l, slot - 8.0, p.size(scene::TICK), p.font))
                    .collect()
            })
            .collect()
    });
    let scale = cols.counts;
    let seg_min = p.line_height(scene::VALUE);
    let half = (cols.slot * 0.3).min(140.0);
    for (i, (_, counts)) in m.quarters.iter().enumerate() {
        let cx = cols.centre(i);
        let mut base = 0u64;
        for (k, n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            let fill = palette::OUTCOME_COLOURS[k];
            let (yb, yt) = (scale.y(base as f64), scale.y((base + n) as f64));
            p.bar(cx - half, yt, cx + half, yb, fill);
            if yb - yt >= seg_min {
                p.value(
                    &n.to_string(),
                    cx,
                    (yb + yt) / 2.0,
                    HAlign::Center,
                    palette::text_on(fill),
                );
            }
            base += n;
        }
        let top = scale.y(base as f64) - 8.0;
        p.text_at(
            &base.to_string(),
            cx,
            top,
            scene::VALUE,
            palette::INK,
            HAlign::Center,
            VAlign::Bottom,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::testdata;

    #[test]
    fn quarters_of_decision_and_the_undecided_count() {
        let t = testdata::tables();
        let m = Model::from_inputs(&t.inputs(None)).unwrap();
        // OUTCOMES order: 履职尽责, 免责, 减轻, 从轻, 不予容错
        assert_eq!(
            m.quarters,
            vec![
                ("2025Q2".to_string(), vec![0, 1, 0, 0, 1]),
                ("2025Q3".to_string(), vec![1, 0, 1, 0, 0]),
                ("2025Q4".to_string(), vec![0, 1, 0, 0, 0]),
            ]
        );
        assert_eq!(m.undecided, 1);
        assert_eq!(m.decided(), 5);
    }

    #[test]
    fn scene_names_quarters_and_outcomes() {
        let t = testdata::tables();
        let d = chart(&t.inputs(None), &FontChoice::fallback()).unwrap();
        let texts: Vec<&str> = d.scene.texts().collect();
        for want in [TITLE, "2025年", "第三季度", "履职尽责", "不予容错"] {
            assert!(texts.contains(&want), "{want} missing from {texts:?}");
        }
        assert!(d.notes.iter().any(|n| n.contains("另有 1 件尚未认定")));
    }
}
