//! Word (.docx) rendering in the official-document layout of GB/T 9704-2012:
//! A4, margins top 37 mm / left 28 mm, text block 156 × 225 mm, title 2号
//! 小标宋, body 3号 仿宋 at 22 lines × 28 characters, headings 一、黑体 /
//! （一）楷体 / 1. 仿宋, page numbers `— 1 —` in 4号 宋体 (odd pages right,
//! even pages left, one character in). The East-Asian font is set on every run.

use std::collections::BTreeMap;
use std::io::Cursor;

use anyhow::{Context, Result};
use docx_rs::*;

use super::markup::Block;
use super::markup::Chart;
use super::table::ReportTable;

/// Twips per millimetre.
const MM: f64 = 56.6929;
pub const PAGE_W: u32 = 11906;
pub const PAGE_H: u32 = 16838;
pub const MARGIN_TOP: i32 = (37.0 * MM) as i32 + 1; // 2098
pub const MARGIN_LEFT: i32 = (28.0 * MM) as i32 + 1; // 1588
pub const TEXT_W: i32 = (156.0 * MM) as i32; // 8844
pub const TEXT_H: i32 = (225.0 * MM) as i32; // 12755
/// 225 mm / 22 lines, in twips.
pub const LINE_PITCH: i32 = TEXT_H / 22; // 579
pub const FANGSONG: &str = "仿宋_GB2312";
pub const HEITI: &str = "黑体";
pub const KAITI: &str = "楷体_GB2312";
pub const XIAOBIAOSONG: &str = "方正小标宋简体";
pub const SONGTI: &str = "宋体";
const LATIN: &str = "Times New Roman";
/// Half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt, 小四 12 pt.
pub const SIZE_2: usize = 44;
pub const SIZE_3: usize = 32;
pub const SIZE_4: usize = 28;
pub const SIZE_XIAO4: usize = 24;
/// Rows shown per table in Word (the Excel appendix has all).
pub const MAX_ROWS: usize = 60;

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN)
        .hi_ansi(LATIN)
        .cs(LATIN)
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn exact_lines() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(LINE_PITCH)
        .before(0)
        .after(0)
}

fn body_paragraph(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, FANGSONG, SIZE_3))
        .align(AlignmentType::Both)
        .line_spacing(exact_lines())
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(SIZE_3 as i32 * 20)),
            None,
            None,
        )
}

fn heading(level: u8, text: &str) -> Paragraph {
    let (font, bold) = match level {
        1 => (HEITI, false),
        2 => (KAITI, false),
        _ => (FANGSONG, true),
    };
    let mut r = run(text, font, SIZE_3);
    if bold {
        r = r.bold();
    }
    Paragraph::new()
        .add_run(r)
        .line_spacing(exact_lines())
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(SIZE_3 as i32 * 20)),
            None,
            None,
        )
}

/// `— 1 —` with a PAGE field, 4号 宋体.
fn page_number(align: AlignmentType, indent_left: i32, indent_right: i32) -> Footer {
    let r = |t: &str| run(t, SONGTI, SIZE_4);
    let field = |ch: FieldCharType| {
        Run::new()
            .fonts(fonts(SONGTI))
            .size(SIZE_4)
            .add_field_char(ch, false)
    };
    let p = Paragraph::new()
        .align(align)
        .indent(Some(indent_left), None, Some(indent_right), None)
        .add_run(r("— "))
        .add_run(field(FieldCharType::Begin))
        .add_run(
            Run::new()
                .fonts(fonts(SONGTI))
                .size(SIZE_4)
                .add_instr_text(InstrText::PAGE(InstrPAGE::new())),
        )
        .add_run(field(FieldCharType::Separate))
        .add_run(r("1"))
        .add_run(field(FieldCharType::End))
        .add_run(r(" —"));
    Footer::new().add_paragraph(p)
}

fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    (w > 0 && h > 0).then_some((w, h))
}

fn table(t: &ReportTable) -> Vec<DocumentChild> {
    let d = t.display(MAX_ROWS);
    let cell_para = |text: &str, head: bool| {
        let font = if head { HEITI } else { FANGSONG };
        Paragraph::new()
            .add_run(run(text, font, SIZE_XIAO4))
            .align(AlignmentType::Center)
    };
    let width = d.headers.len().max(1);
    let col_w = TEXT_W as usize / width;
    let mut rows = vec![TableRow::new(
        d.headers
            .iter()
            .map(|h| {
                TableCell::new()
                    .width(col_w, WidthType::Dxa)
                    .add_paragraph(cell_para(h, true))
            })
            .collect(),
    )];
    if d.rows.is_empty() {
        let mut cells = vec![TableCell::new()
            .width(col_w, WidthType::Dxa)
            .add_paragraph(cell_para("无", false))];
        cells.extend((1..width).map(|_| {
            TableCell::new()
                .width(col_w, WidthType::Dxa)
                .add_paragraph(cell_para("", false))
        }));
        rows.push(TableRow::new(cells));
    }
    for r in &d.rows {
        rows.push(TableRow::new(
            r.iter()
                .map(|c| {
                    TableCell::new()
                        .width(col_w, WidthType::Dxa)
                        .add_paragraph(cell_para(c, false))
                })
                .collect(),
        ));
    }
    let caption = Paragraph::new()
        .add_run(run(
            &format!("{}（数据：{}）", d.title, d.source),
            HEITI,
            SIZE_XIAO4,
        ))
        .align(AlignmentType::Center);
    vec![
        DocumentChild::Paragraph(Box::new(caption)),
        DocumentChild::Table(Box::new(
            Table::new(rows)
                .width(TEXT_W as usize, WidthType::Dxa)
                .set_grid(vec![col_w; width])
                .align(TableAlignmentType::Center),
        )),
    ]
}

/// Render blocks to .docx bytes.
///
/// Long: the document's parts in the order GB/T 9704 lays them out, each a few lines.
pub fn render(
    blocks: &[Block],
    tables: &BTreeMap<String, ReportTable>,
    charts: &BTreeMap<String, Chart>,
) -> Result<Vec<u8>> {
    let right = PAGE_W as i32 - MARGIN_LEFT - TEXT_W;
    let bottom = PAGE_H as i32 - MARGIN_TOP - TEXT_H;
    let one_char = SIZE_4 as i32 * 10;
    let mut docx = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .left(MARGIN_LEFT)
                .right(right)
                .bottom(bottom)
                .header(851)
                .footer(1304),
        )
        .default_fonts(fonts(FANGSONG))
        .default_size(SIZE_3)
        .footer(page_number(AlignmentType::Right, 0, one_char))
        .even_footer(page_number(AlignmentType::Left, one_char, 0))
        .created_at("2025-03-01T00:00:00Z");
    docx.document.section_property = docx.document.section_property.clone().doc_grid(
        DocGrid::with_empty()
            .grid_type(DocGridType::LinesAndChars)
            .line_pitch(LINE_PITCH as usize)
            .char_space(0),
    );
    let mut image_no = 0;
    for block in blocks {
        docx = match block {
            Block::Title(t) => docx.add_paragraph(
                Paragraph::new()
                    .add_run(run(t, XIAOBIAOSONG, SIZE_2))
                    .align(AlignmentType::Center)
                    .line_spacing(
                        LineSpacing::new()
                            .line_rule(LineSpacingType::Exact)
                            .line(LINE_PITCH * 3 / 2)
                            .before(0)
                            .after(LINE_PITCH as u32),
                    ),
            ),
            Block::Subtitle(t) => docx.add_paragraph(
                Paragraph::new()
                    .add_run(run(t, KAITI, SIZE_3))
                    .align(AlignmentType::Center)
                    .line_spacing(exact_lines()),
            ),
            Block::Heading(level, t) => docx.add_paragraph(heading(*level, t)),
            Block::Paragraph(t) => docx.add_paragraph(body_paragraph(t)),
            Block::Signature(t) => docx.add_paragraph(
                Paragraph::new()
                    .add_run(run(t, FANGSONG, SIZE_3))
                    .align(AlignmentType::Right)
                    .line_spacing(exact_lines())
                    .indent(None, None, Some(SIZE_3 as i32 * 40), None),
            ),
            Block::Table(name) => match tables.get(name) {
                Some(t) => {
                    let mut d = docx;
                    for child in table(t) {
                        d = match child {
                            DocumentChild::Paragraph(p) => d.add_paragraph(*p),
                            DocumentChild::Table(t) => d.add_table(*t),
                            _ => d,
                        };
                    }
                    d
                }
                None => docx.add_paragraph(body_paragraph(&format!("（表“{name}”不可用）"))),
            },
            Block::Chart(name) => match charts
                .get(name)
                .and_then(|c| c.png.as_ref().map(|p| (c, p)))
            {
                Some((c, png)) => {
                    image_no += 1;
                    let (w, h) = png_size(png).unwrap_or((1600, 1000));
                    let width_emu: u32 = 156 * 36_000;
                    let height_emu = (width_emu as u64 * h as u64 / w as u64) as u32;
                    let pic = Pic::new(png)
                        .size(width_emu, height_emu)
                        .id(format!("rIdImage{image_no}"));
                    docx.add_paragraph(
                        Paragraph::new()
                            .add_run(Run::new().add_image(pic))
                            .align(AlignmentType::Center),
                    )
                    .add_paragraph(
                        Paragraph::new()
                            .add_run(run(&c.title, KAITI, SIZE_XIAO4))
                            .align(AlignmentType::Center),
                    )
                }
                None => docx.add_paragraph(body_paragraph(&format!(
                    "（图“{name}”未生成：缺少中文字体或数据）"
                ))),
            },
        };
    }
    let mut buf = Cursor::new(Vec::new());
    docx.build().pack(&mut buf).context("生成 Word 文件失败")?;
    Ok(buf.into_inner())
}
