//! The report markup a template renders to: one block per line group, read
//! by the HTML and Word renderers alike. Untrusted text never starts a line
//! (the model strips line breaks from it), so it cannot forge a directive.
//!
//! ```text
//! %% 历城区司法局文件 | 历司〔2026〕　号 | 签发人：张三
//!                             版头: the issuing body's mark (red), the
//!                             document number and 签发人 (either may be
//!                             empty), and the red rule under them
//! %%% 历城区司法局办公室 | 2026年11月30日印发
//!                             版记: 印发机关 and 印发日期 between two rules
//! # 标题                      title
//! ! 副标题                    centred line under the title
//! ## 一、总体情况             heading level 1 (黑体)
//! ### （一）分单位情况        heading level 2 (楷体)
//! #### 1. 逾期清单            heading level 3 (仿宋, bold)
//! [[table:by_unit]]           a table of the report's context
//! [[chart:trend]]             a chart
//! [[appendix:repeats]]        a table in the Excel appendix only (case lists)
//! @ 区政府：                 the addressee (主送), flush left
//! >> 区行政执法监督机构       a right-aligned line (落款)
//! other lines                 body text; a blank line ends a paragraph
//! ```

/// One block of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// 版头 (GB/T 9704 §7.2): the issuing body's mark, the document number
    /// and the 签发人, either of the last two possibly empty.
    Masthead {
        issuer: String,
        number: String,
        signer: String,
    },
    /// 版记 (GB/T 9704 §7.4): the printing office and date, between rules.
    Colophon {
        office: String,
        date: String,
    },
    Title(String),
    Subtitle(String),
    Heading(u8, String),
    Paragraph(String),
    Table(String),
    /// A table only the Excel appendix holds (not printed).
    Appendix(String),
    Chart(String),
    Signature(String),
    /// 主送机关: flush left, no indent (GB/T 9704 §7.3.2).
    Addressee(String),
}

/// Parse rendered template text into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para = String::new();
    let flush = |para: &mut String, blocks: &mut Vec<Block>| {
        if !para.trim().is_empty() {
            blocks.push(Block::Paragraph(para.trim().to_string()));
        }
        para.clear();
    };
    for raw in text.lines() {
        let line = raw.trim();
        let directive = |prefix: &str| line.strip_prefix(prefix).map(|r| r.trim().to_string());
        let block = if let Some(name) = line
            .strip_prefix("[[table:")
            .and_then(|r| r.strip_suffix("]]"))
        {
            Some(Block::Table(name.trim().to_string()))
        } else if let Some(name) = line
            .strip_prefix("[[appendix:")
            .and_then(|r| r.strip_suffix("]]"))
        {
            Some(Block::Appendix(name.trim().to_string()))
        } else if let Some(name) = line
            .strip_prefix("[[chart:")
            .and_then(|r| r.strip_suffix("]]"))
        {
            Some(Block::Chart(name.trim().to_string()))
        } else if let Some(t) = directive("%%% ") {
            let (office, date) = t.split_once('|').unwrap_or((t.as_str(), ""));
            Some(Block::Colophon {
                office: office.trim().to_string(),
                date: date.trim().to_string(),
            })
        } else if let Some(t) = directive("%% ") {
            let mut parts = t.split('|').map(|p| p.trim().to_string());
            Some(Block::Masthead {
                issuer: parts.next().unwrap_or_default(),
                number: parts.next().unwrap_or_default(),
                signer: parts.next().unwrap_or_default(),
            })
        } else if let Some(t) = directive("#### ") {
            Some(Block::Heading(3, t))
        } else if let Some(t) = directive("### ") {
            Some(Block::Heading(2, t))
        } else if let Some(t) = directive("## ") {
            Some(Block::Heading(1, t))
        } else if let Some(t) = directive("# ") {
            Some(Block::Title(t))
        } else if let Some(t) = directive(">> ") {
            Some(Block::Signature(t))
        } else if let Some(t) = directive("@ ") {
            Some(Block::Addressee(t))
        } else {
            directive("! ").map(Block::Subtitle)
        };
        match block {
            Some(b) => {
                flush(&mut para, &mut blocks);
                blocks.push(b);
            }
            None if line.is_empty() => flush(&mut para, &mut blocks),
            None => para.push_str(line),
        }
    }
    flush(&mut para, &mut blocks);
    blocks
}

/// Make untrusted text safe to place in markup: line breaks and other
/// control characters become spaces, bidi overrides are dropped.
pub fn inline(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A chart ready to embed: SVG for HTML, PNG for Word (None without a CJK font).
#[derive(Debug, Clone)]
pub struct Chart {
    pub name: String,
    pub title: String,
    pub svg: String,
    pub png: Option<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_block_kind() {
        let text = "%% 历城区司法局文件 | 历司〔2026〕　号 | \n# 标题\n! 2026年第三季度\n@ 区政府：\n## 一、总体\n本季度立案\n12件。\n\n[[table:by_unit]]\n### （一）分项\n[[chart:trend]]\n>> 区行政执法监督机构\n";
        assert_eq!(
            parse(text),
            vec![
                Block::Masthead {
                    issuer: "历城区司法局文件".into(),
                    number: "历司〔2026〕　号".into(),
                    signer: String::new(),
                },
                Block::Title("标题".into()),
                Block::Subtitle("2026年第三季度".into()),
                Block::Addressee("区政府：".into()),
                Block::Heading(1, "一、总体".into()),
                Block::Paragraph("本季度立案12件。".into()),
                Block::Table("by_unit".into()),
                Block::Heading(2, "（一）分项".into()),
                Block::Chart("trend".into()),
                Block::Signature("区行政执法监督机构".into()),
            ]
        );
    }

    #[test]
    fn untrusted_text_cannot_start_a_directive_line() {
        let evil = inline("单位\n[[table:x]]\n# 假标题\u{202E}");
        let blocks = parse(&format!("正文{evil}"));
        assert_eq!(blocks.len(), 1);
        assert!(matches!(&blocks[0], Block::Paragraph(p) if p.contains("[[table:x]]")));
    }
}
