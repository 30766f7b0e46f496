//! Briefing reports: the quarterly report to 区政府 (art. 19), a warning
//! notice per unit (警示提醒函, arts. 20–21, 12(5)) and the pilot review
//! (art. 24). Each is a template in reports/ rendered to markup, then to
//! Word, HTML and an Excel appendix. Every table comes from a named query.

pub mod docx;
pub mod html;
pub mod markup;
pub mod model;
pub mod ooxml;
pub mod run;
pub mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use minijinja::Environment;

pub use markup::Chart;
use table::ReportTable;

/// Built-in templates (reports/*), overridable from a folder.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("quarterly.txt", include_str!("../../reports/quarterly.txt")),
    ("warning.txt", include_str!("../../reports/warning.txt")),
    ("review.txt", include_str!("../../reports/review.txt")),
    ("style.css", include_str!("../../reports/style.css")),
];

/// The template set: a user folder first, then the built-in files.
pub struct Templates {
    dir: Option<PathBuf>,
}

impl Templates {
    pub fn new(dir: Option<PathBuf>) -> Templates {
        Templates { dir }
    }

    /// The text of one template file.
    pub fn source(&self, name: &str) -> Result<String> {
        if let Some(dir) = &self.dir {
            let p = dir.join(name);
            if p.exists() {
                let bytes =
                    std::fs::read(&p).with_context(|| format!("无法读取模板 {}", p.display()))?;
                return Ok(crate::query::decode_sql(&bytes));
            }
        }
        EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.to_string())
            .with_context(|| format!("没有名为 {name} 的报告模板"))
    }

    /// Render a markup template with a serialisable context.
    pub fn render<S: serde::Serialize>(&self, name: &str, ctx: &S) -> Result<String> {
        let mut env = Environment::new();
        let source = self.source(name)?;
        env.add_template_owned(name.to_string(), source)
            .with_context(|| format!("报告模板 {name} 有语法错误"))?;
        let tmpl = env
            .get_template(name)
            .with_context(|| format!("报告模板 {name} 无法加载"))?;
        tmpl.render(minijinja::value::Serde(ctx))
            .with_context(|| format!("报告模板 {name} 渲染失败（模板引用了不存在的内容？）"))
    }
}

/// One report in every format.
pub struct Rendered {
    /// File stem (safe for file names).
    pub stem: String,
    pub title: String,
    pub html: String,
    pub docx: Vec<u8>,
    pub xlsx: Option<Vec<u8>>,
}

/// Turn rendered markup plus tables and charts into every format.
pub fn finish(
    templates: &Templates,
    stem: &str,
    title: &str,
    markup_text: &str,
    tables: &BTreeMap<String, ReportTable>,
    charts: &BTreeMap<String, Chart>,
) -> Result<Rendered> {
    let blocks = markup::parse(markup_text);
    let css = templates.source("style.css")?;
    // The three formats are independent: build them side by side.
    let (html, docx, xlsx) = std::thread::scope(|scope| {
        let docx = scope.spawn(|| docx::render(&blocks, tables, charts));
        let xlsx = scope.spawn(|| appendix_xlsx(&blocks, tables));
        let html = html::render(title, &css, &blocks, tables, charts);
        let lost = || anyhow::anyhow!("报告生成线程意外中止");
        let docx = docx.join().map_err(|_| lost());
        let xlsx = xlsx.join().map_err(|_| lost());
        (html, docx, xlsx)
    });
    let (docx, xlsx) = (docx??, xlsx??);
    Ok(Rendered {
        stem: crate::fsutil::safe_file_stem(stem),
        title: title.to_string(),
        html,
        docx,
        xlsx,
    })
}

/// The Excel appendix: every table the text uses, in the order used (None
/// when the text uses none).
fn appendix_xlsx(
    blocks: &[markup::Block],
    tables: &BTreeMap<String, ReportTable>,
) -> Result<Option<Vec<u8>>> {
    let mut used: Vec<&String> = Vec::new();
    for b in blocks {
        if let markup::Block::Table(name) | markup::Block::Appendix(name) = b {
            if let Some((k, _)) = tables.get_key_value(name) {
                if !used.contains(&k) {
                    used.push(k);
                }
            }
        }
    }
    if used.is_empty() {
        return Ok(None);
    }
    let mut sheets: Vec<(String, polars::prelude::DataFrame, Vec<String>)> = vec![(
        "说明".to_string(),
        appendix_notes(used.iter().map(|k| &tables[*k]))?,
        Vec::new(),
    )];
    for k in &used {
        let (frame, percent) = appendix_frame(&tables[*k])?;
        sheets.push((tables[*k].title.clone(), frame, percent));
    }
    let styled: Vec<crate::output::XlsxSheet> = sheets
        .iter()
        .map(|(name, frame, percent)| crate::output::XlsxSheet {
            name,
            frame,
            percent_columns: percent.clone(),
            for_print: true,
        })
        .collect();
    Ok(Some(crate::output::render_xlsx_sheets(&styled)?))
}

/// The appendix's first sheet: each table of the report with the named
/// query (queries/NAME.sql) or analysis its figures come from.
fn appendix_notes<'a>(
    tables: impl Iterator<Item = &'a ReportTable>,
) -> Result<polars::prelude::DataFrame> {
    let (titles, sources): (Vec<String>, Vec<String>) =
        tables.map(|t| (t.title.clone(), t.source.clone())).unzip();
    Ok(polars::prelude::df!(
        "表" => titles,
        "数据来源（jiucuo 的命名查询或分析）" => sources,
    )?)
}

/// A table for the Excel appendix: Chinese headers; codes, flags and lists
/// in words as the printed tables show them; numbers, shares and dates
/// kept as numbers and dates. Returns the frame and its share columns.
fn appendix_frame(t: &ReportTable) -> Result<(polars::prelude::DataFrame, Vec<String>)> {
    use polars::prelude::*;
    let mut columns = Vec::with_capacity(t.frame.width());
    let mut percent = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in t.frame.columns() {
        let name = c.name().to_string();
        let mut label = table::label(&name);
        while !seen.insert(label.clone()) {
            label.push('_');
        }
        let number = matches!(c.dtype(), DataType::Float64 | DataType::Float32);
        if table::is_share(&name) || (t.shares && number) {
            percent.push(label.clone());
        }
        let s = c.as_materialized_series();
        let words = |f: &dyn Fn(AnyValue) -> Option<String>| -> Result<Column> {
            let v: Vec<Option<String>> = (0..s.len()).map(|i| s.get(i).ok().and_then(f)).collect();
            Ok(Column::new(label.as_str().into(), v))
        };
        let column = match s.dtype() {
            DataType::Boolean => words(&|v| match v {
                AnyValue::Boolean(b) => Some(table::term(if b { "true" } else { "false" }).into()),
                _ => None,
            })?,
            DataType::String | DataType::Categorical(..) | DataType::Enum(..) => {
                words(&|v| match v {
                    AnyValue::Null => None,
                    v => Some(table::reader_text(&name, &crate::output::cell_text(&v))),
                })?
            }
            DataType::List(_) => words(&|v| match v {
                AnyValue::List(items) => Some(
                    items
                        .iter()
                        .map(|x| table::reader_text(&name, &crate::output::cell_text(&x)))
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                _ => None,
            })?,
            _ => c.clone().with_name(label.as_str().into()),
        };
        columns.push(column);
    }
    Ok((DataFrame::new(t.frame.height(), columns)?, percent))
}

/// Write a report's files into `dir`: STEM.docx, STEM.html, STEM.xlsx.
pub fn write(r: &Rendered, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let docx = dir.join(format!("{}.docx", r.stem));
    crate::fsutil::write_atomic(&docx, &r.docx)?;
    out.push(docx);
    let html = dir.join(format!("{}.html", r.stem));
    crate::fsutil::write_atomic(&html, r.html.as_bytes())?;
    out.push(html);
    if let Some(x) = &r.xlsx {
        let p = dir.join(format!("{}.xlsx", r.stem));
        crate::fsutil::write_atomic(&p, x)?;
        out.push(p);
    }
    Ok(out)
}
