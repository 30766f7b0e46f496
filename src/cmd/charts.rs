//! `jiucuo charts`: read the ledger (and volume), run the analyses the charts
//! need, find the font, write `<name>.svg` and `<name>.png` per chart, and
//! print a Chinese summary. All file and environment access of the charts
//! lives here.

use std::path::Path;

use anyhow::Result;

use super::load;
use super::resolve::{self, LedgerSource};
use super::ui::Progress;
use crate::analysis::outcomes;
use crate::chart::{render_all, ChartInputs, ChartSet, FontChoice};
use crate::cli::ChartsArgs;
use crate::period::Window;
use crate::pipeline::{self, DeadlineTable};

/// Run the command; Ok(exit code).
pub fn run(a: ChartsArgs) -> Result<i32> {
    let window = match &a.quarter {
        Some(q) => Some(Window::Quarter(resolve::quarter(q)?)),
        None => None,
    };
    let as_of = resolve::as_of(a.as_of.as_deref())?;
    let source = LedgerSource::resolve(&a.ledger, false)?;
    let cal = resolve::calendar(&source.config)?;
    let font = resolve::font(&source.config);
    let volume = load::volume(a.volume.as_deref(), &source.side_files())?;
    let ledger = load::ledger(&source)?;
    let (cases, _) = pipeline::scoped(ledger.cases, &source.config, as_of)?;
    let cases = &cases;
    let deadlines = DeadlineTable::compute(
        cases,
        &cal,
        &pipeline::deadline_params(&source.config, as_of),
    )?;
    let outcomes = outcomes::outcomes(cases, as_of, source.config.repeats.art11_is_tolerance)?;
    let inputs = ChartInputs {
        cases,
        deadlines: deadlines.scan()?,
        outcomes: &outcomes,
        volume: volume.as_ref(),
        window,
        as_of: Some(as_of),
    };
    let progress = Progress::start("绘制图表");
    let set = render_all(&inputs, &font);
    progress.finish();
    let set = set?;
    let written = write(&set, &a.out)?;
    eprintln!("{}", summary(&set, &font, &a.out, written));
    Ok(0)
}

/// Write every chart's files into `dir`; returns the number of files.
pub fn write(set: &ChartSet, dir: &Path) -> Result<usize> {
    let mut n = 0;
    for c in &set.charts {
        crate::fsutil::write_atomic(&dir.join(format!("{}.svg", c.name)), c.svg.as_bytes())?;
        n += 1;
        if let Some(png) = &c.png {
            crate::fsutil::write_atomic(&dir.join(format!("{}.png", c.name)), png)?;
            n += 1;
        }
    }
    Ok(n)
}

/// What was written, what was skipped and why, in Chinese.
pub fn summary(set: &ChartSet, font: &FontChoice, dir: &Path, files: usize) -> String {
    let mut out = format!(
        "已写出图表 {} 幅（共 {} 个文件）到 {}：\n",
        set.charts.len(),
        files,
        dir.display()
    );
    for c in &set.charts {
        let formats = if c.png.is_some() {
            format!(
                "{0}.svg、{0}.png（{1}×{2} 像素）",
                c.name, c.width, c.height
            )
        } else {
            format!("{}.svg", c.name)
        };
        out.push_str(&format!("  {}：{}\n", c.title, formats));
    }
    for s in &set.skipped {
        out.push_str(&format!(
            "  未生成 {}（{}）：{}\n",
            s.title, s.name, s.reason
        ));
    }
    if let Some(path) = font.path() {
        out.push_str(&format!("中文字体：{}", path.display()));
    }
    if let Some(msg) = font.message() {
        if font.has_cjk() {
            out.push('\n');
        }
        out.push_str(&msg);
    }
    out.trim_end().to_string()
}
