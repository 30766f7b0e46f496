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

/// Spacing between characters of 3号 text, in twips: 16 pt characters at
/// 320 twips less 5 put 28 characters on the 8844-twip line (315 × 28 =
/// 8820), the GB/T 9704 line, in every office suite (a character grid is
/// read differently by each).
pub const CHAR_SPACING: i32 = -5;

/// A run of 3号 text at 28 characters a line.
fn line_run(text: &str, font: &str) -> Run {
    run(text, font, SIZE_3).character_spacing(CHAR_SPACING)
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
        .add_run(line_run(text, FANGSONG))
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
    let mut r = line_run(text, font);
    if bold {
        r = r.bold();
    }
    Paragraph::new()
        .add_run(r)
        .keep_next(true)
        .line_spacing(exact_lines())
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(SIZE_3 as i32 * 20)),
            None,
            None,
        )
}

/// Red of the 版头 (GB/T 9704 §7.2.2, §7.2.5).
const RED: &str = "C00000";

/// The 版头: the issuing body's mark in red 小标宋, the document number
/// (centred, or flush left one character in with the 签发人 flush right one
/// character in), and the red rule under them, two lines above the title.
fn masthead(issuer: &str, number: &str, signer: &str) -> Vec<Paragraph> {
    let mark = Paragraph::new()
        .add_run(
            Run::new()
                .add_text(issuer)
                .fonts(fonts(XIAOBIAOSONG))
                .size(60)
                .color(RED),
        )
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().before(0).after(0));
    let one_char = SIZE_3 as i32 * 10;
    let mut line = Paragraph::new().line_spacing(exact_lines().after(2 * LINE_PITCH as u32));
    if signer.is_empty() && number.is_empty() {
        // no number line: the red rule right under the mark
        line = line.line_spacing(
            LineSpacing::new()
                .line_rule(LineSpacingType::Exact)
                .line(LINE_PITCH / 2)
                .before(0)
                .after(2 * LINE_PITCH as u32),
        );
    } else if signer.is_empty() {
        line = line
            .add_run(line_run(number, FANGSONG))
            .align(AlignmentType::Center);
    } else {
        line = both_ends(
            line,
            line_run(number, FANGSONG),
            line_run(signer, KAITI),
            one_char,
        );
    }
    line.property = line.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .size(12)
                .space(4)
                .color(RED),
        ),
    );
    vec![mark, line]
}

/// `p` holding `left` flush left and `right` flush right, `inset` twips in
/// from either edge (a right tab stop at the far end).
fn both_ends(p: Paragraph, left: Run, right: Run, inset: i32) -> Paragraph {
    p.add_run(left)
        .add_run(Run::new().add_tab())
        .add_run(right)
        .indent(Some(inset), None, Some(inset), None)
        .add_tab(
            Tab::new()
                .val(TabValueType::Right)
                .pos((TEXT_W - 2 * inset) as usize),
        )
}

/// The 版记: the printing office flush left and the date flush right, one
/// character in, in 4号 仿宋, between two black rules (GB/T 9704 §7.4).
fn colophon(office: &str, date: &str) -> Paragraph {
    let one_char = SIZE_4 as i32 * 10;
    let rule = |pos| ParagraphBorder::new(pos).size(8).space(1).color("000000");
    let mut p = both_ends(
        Paragraph::new(),
        run(office, FANGSONG, SIZE_4),
        run(date, FANGSONG, SIZE_4),
        one_char,
    )
    .line_spacing(exact_lines().before(LINE_PITCH as u32));
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty()
            .set(rule(ParagraphBorderPosition::Top))
            .set(rule(ParagraphBorderPosition::Bottom)),
    );
    p
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

/// Twips a cell needs around its text: Word's default cell margins and a
/// little slack (suites differ in how they round glyph advances).
const CELL_PAD: usize = 2 * 108 + 60;
/// Table text: 小四 (12 pt), or 五号 (10.5 pt) for a table too wide for it.
const TABLE_SIZES: [usize; 2] = [SIZE_XIAO4, 21];

/// Half-width columns `text` takes on one line.
fn text_cols(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// Half-width columns of the longest run of `text` that cannot break: a
/// quarter label, a number, a case id; a Chinese text breaks between any
/// two characters, so two of them.
fn unbreakable_cols(text: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w == 1 && !c.is_whitespace() {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
            longest = longest.max(w);
        }
    }
    longest.max(4)
}

/// Whether a cell reads as a number (right-aligned): digits with a sign,
/// separators, a decimal point or a percent sign.
fn is_number(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+' | '%'))
}

/// Column widths in twips summing to the text block, and the font size
/// (half-points) of the table: each column as wide as its longest cell (a
/// header may take two lines); when they do not fit, the widest columns
/// give way first, each down to no less than its longest unbreakable run (a
/// quarter label or a number is never cut), first in 小四, else in 五号.
pub fn column_widths(headers: &[String], rows: &[Vec<String>]) -> (Vec<usize>, usize) {
    let n = headers.len().max(1);
    let total = TEXT_W as usize;
    let column = |j: usize| {
        let head = headers.get(j).map(String::as_str).unwrap_or("");
        let cells = rows.iter().filter_map(|r| r.get(j)).map(String::as_str);
        // a header on two lines: half its characters, rounded up to a whole one
        let head_need = text_cols(head).div_ceil(4) * 2;
        let need = cells
            .clone()
            .map(text_cols)
            .max()
            .unwrap_or(0)
            .max(head_need);
        let hard = cells
            .map(unbreakable_cols)
            .max()
            .unwrap_or(4)
            .max(unbreakable_cols(head));
        (need.max(4), hard.min(need.max(4)))
    };
    let cols: Vec<(usize, usize)> = (0..n).map(column).collect();
    for size in TABLE_SIZES {
        let twips = |c: usize| c * size * 10 / 2 + CELL_PAD;
        let need: Vec<usize> = cols.iter().map(|c| twips(c.0)).collect();
        let min: Vec<usize> = cols.iter().map(|c| twips(c.1)).collect();
        let (sum_need, sum_min): (usize, usize) = (need.iter().sum(), min.iter().sum());
        let widths: Vec<usize> = if sum_need <= total {
            need.iter().map(|&w| w * total / sum_need).collect()
        } else if sum_min <= total {
            capped(&need, &min, total)
        } else {
            continue;
        };
        return (fill_to(widths, total), size);
    }
    // too many columns for the page in any size: in proportion to need
    let size = TABLE_SIZES[1];
    let need: Vec<usize> = cols.iter().map(|c| c.1 * size * 5 + CELL_PAD).collect();
    let sum: usize = need.iter().sum();
    (
        fill_to(need.iter().map(|&w| w * total / sum).collect(), total),
        size,
    )
}

/// Widths `min(need, max(cap, min))` for the largest cap whose sum fits
/// `total`: the widest columns give way first (a long name wraps before a
/// short list does).
fn capped(need: &[usize], min: &[usize], total: usize) -> Vec<usize> {
    let width = |cap: usize| -> Vec<usize> {
        need.iter()
            .zip(min)
            .map(|(&w, &m)| w.min(cap.max(m)))
            .collect()
    };
    let (mut lo, mut hi) = (0, need.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if width(mid).iter().sum::<usize>() <= total {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    width(lo)
}

/// Widths whose sum is made exactly `total` on the last column.
fn fill_to(mut widths: Vec<usize>, total: usize) -> Vec<usize> {
    let used: usize = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last = (*last + total).saturating_sub(used);
    }
    widths
}

/// A table cell: its width, its text in 小四 off the line grid (so rows are
/// as tall as their text), numbers right-aligned, headers centred in 黑体.
fn cell(text: &str, width: usize, size: usize, head: bool) -> TableCell {
    let (font, align) = if head {
        (HEITI, AlignmentType::Center)
    } else if is_number(text) {
        (FANGSONG, AlignmentType::Right)
    } else {
        (FANGSONG, AlignmentType::Left)
    };
    TableCell::new().width(width, WidthType::Dxa).add_paragraph(
        Paragraph::new()
            .add_run(run(text, font, size))
            .align(align)
            .snap_to_grid(false)
            .line_spacing(LineSpacing::new().before(0).after(0)),
    )
}

fn table(t: &ReportTable) -> Vec<DocumentChild> {
    let d = t.display(MAX_ROWS);
    let width = d.headers.len().max(1);
    let mut body = d.rows.clone();
    if body.is_empty() {
        let mut empty = vec![String::new(); width];
        empty[0] = "无".into();
        body.push(empty);
    }
    let (widths, size) = column_widths(&d.headers, &body);
    // the header row repeats on every page (marked for ooxml::finish);
    // no row breaks across pages
    let mut rows = vec![TableRow::new(
        d.headers
            .iter()
            .zip(&widths)
            .map(|(h, w)| cell(h, *w, size, true))
            .collect(),
    )
    .cant_split()
    .row_height(1.0)
    .height_rule(HeightRule::AtLeast)];
    for r in &body {
        rows.push(
            TableRow::new(
                r.iter()
                    .zip(&widths)
                    .map(|(c, w)| cell(c, *w, size, false))
                    .collect(),
            )
            .cant_split(),
        );
    }
    let caption = Paragraph::new()
        // the query behind it is named in the Excel appendix's 说明 sheet
        .add_run(run(&d.title, HEITI, SIZE_XIAO4))
        .align(AlignmentType::Center)
        .keep_next(true);
    vec![
        DocumentChild::Paragraph(Box::new(caption)),
        DocumentChild::Table(Box::new(
            Table::new(rows)
                .width(TEXT_W as usize, WidthType::Dxa)
                .set_grid(widths)
                .layout(TableLayoutType::Fixed)
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
            .grid_type(DocGridType::Lines)
            .line_pitch(LINE_PITCH as usize)
            .char_space(0),
    );
    let mut image_no = 0;
    let mut previous: Option<&Block> = None;
    for block in blocks {
        // the 落款 block: room for the seal above its first line; what
        // follows it (附件) starts on a page of its own
        let after_signature =
            matches!(previous, Some(Block::Signature(_))) && !matches!(block, Block::Signature(_));
        let first_signature =
            matches!(block, Block::Signature(_)) && !matches!(previous, Some(Block::Signature(_)));
        previous = Some(block);
        docx = match block {
            Block::Colophon { office, date } => docx.add_paragraph(colophon(office, date)),
            Block::Masthead {
                issuer,
                number,
                signer,
            } => masthead(issuer, number, signer)
                .into_iter()
                .fold(docx, |d, p| d.add_paragraph(p)),
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
                    .add_run(line_run(t, KAITI))
                    .align(AlignmentType::Center)
                    .line_spacing(exact_lines()),
            ),
            Block::Heading(level, t) => {
                docx.add_paragraph(heading(*level, t).page_break_before(after_signature))
            }
            Block::Paragraph(t) => docx.add_paragraph(body_paragraph(t)),
            Block::Addressee(t) => docx.add_paragraph(
                Paragraph::new()
                    .add_run(line_run(t, FANGSONG))
                    .align(AlignmentType::Left)
                    .line_spacing(exact_lines()),
            ),
            Block::Signature(t) => {
                // the seal presses down on the 署名 and date, its top within
                // a line of the text (GB/T 9704 §7.3.5.1)
                let seal = if first_signature {
                    2 * LINE_PITCH as u32
                } else {
                    0
                };
                docx.add_paragraph(
                    Paragraph::new()
                        .add_run(line_run(t, FANGSONG))
                        .align(AlignmentType::Right)
                        .line_spacing(exact_lines().before(seal))
                        .keep_next(true)
                        .indent(None, None, Some(SIZE_3 as i32 * 40), None),
                )
            }
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
            // in the Excel appendix only
            Block::Appendix(_) => docx,
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
    super::ooxml::finish(&buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn columns_fill_the_text_block_and_keep_quarter_labels_whole() {
        let headers = texts(&["季度", "执法单位", "件数", "占比"]);
        let rows = vec![
            texts(&["2026Q3", "区住房和城乡建设局", "100", "31.9%"]),
            texts(&["2026Q2", "东城街道", "7", "2.0%"]),
        ];
        let (widths, size) = column_widths(&headers, &rows);
        assert_eq!(widths.iter().sum::<usize>(), TEXT_W as usize);
        assert_eq!(size, SIZE_XIAO4);
        // "2026Q3" (6 half-width columns at 120 twips) plus the cell margins
        assert!(widths[0] >= 6 * 120 + CELL_PAD, "{widths:?}");
        // the unit name is the widest column and fits on one line
        assert!(widths[1] >= 18 * 120 + CELL_PAD, "{widths:?}");
        // a wide table gives way, still summing to the block, quarters whole
        let headers: Vec<String> = (0..9).map(|i| format!("第{i}列的较长表头")).collect();
        let row: Vec<String> = (0..9)
            .map(|i| {
                if i == 0 {
                    "2026Q3".into()
                } else {
                    "区住房和城乡建设局执法大队".into()
                }
            })
            .collect();
        let (widths, size) = column_widths(&headers, &[row]);
        assert_eq!(widths.iter().sum::<usize>(), TEXT_W as usize);
        assert!(widths[0] >= 6 * size * 5 + CELL_PAD, "{widths:?} at {size}");
    }

    #[test]
    fn numbers_are_told_from_text() {
        for n in ["100", "31.9%", "-3", "1,204", "2.19"] {
            assert!(is_number(n), "{n}");
        }
        for t in ["2026Q3", "东城街道", "6件/6人", "", "单位×领域"] {
            assert!(!is_number(t), "{t}");
        }
    }

    #[test]
    fn the_package_declares_chinese_fonts_and_repeats_header_rows() {
        let frame = polars::prelude::df!("unit" => ["东城街道"], "count" => [3i64]).unwrap();
        let mut tables = BTreeMap::new();
        tables.insert(
            "t".to_string(),
            ReportTable::new("表", "queries/by_unit.sql", frame),
        );
        let blocks = vec![Block::Title("标题".into()), Block::Table("t".into())];
        let bytes = render(&blocks, &tables, &BTreeMap::new()).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut part = |name: &str| {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
            s
        };
        let fonts = part("word/fontTable.xml");
        for (name, alt) in [
            ("方正小标宋简体", "宋体"),
            ("仿宋_GB2312", "仿宋"),
            ("黑体", "SimHei"),
            ("楷体_GB2312", "楷体"),
        ] {
            assert!(
                fonts.contains(&format!(
                    r#"<w:font w:name="{name}"><w:altName w:val="{alt}" /><w:charset w:val="86" />"#
                )),
                "{name}: {fonts}"
            );
        }
        let doc = part("word/document.xml");
        assert_eq!(doc.matches("<w:tblHeader />").count(), 1, "{doc}");
        assert!(!doc.contains(crate::report::ooxml::HEADER_ROW_MARK));
        assert_eq!(doc.matches("<w:cantSplit />").count(), 2, "{doc}");
        // the grid's columns sum to the 156 mm text block
        let grid: usize = doc
            .split("<w:gridCol w:w=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse::<usize>().unwrap())
            .sum();
        assert_eq!(grid, TEXT_W as usize);
    }
}
