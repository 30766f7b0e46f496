//! One self-contained HTML file per report: inline CSS (A4 print rules) and
//! inline SVG charts; every piece of untrusted text is escaped.

use std::collections::BTreeMap;

use super::markup::Block;
use super::markup::Chart;
use super::table::ReportTable;

/// Rows shown per table in the HTML (the Excel appendix has all).
pub const MAX_ROWS: usize = 200;

/// Escape text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Render blocks to a complete HTML document.
pub fn render(
    title: &str,
    css: &str,
    blocks: &[Block],
    tables: &BTreeMap<String, ReportTable>,
    charts: &BTreeMap<String, Chart>,
) -> String {
    let mut body = String::new();
    for block in blocks {
        match block {
            Block::Masthead {
                issuer,
                number,
                signer,
            } => body.push_str(&format!(
                "<header class=\"masthead\"><p class=\"issuer\">{}</p><p class=\"number{}\"><span>{}</span><span>{}</span></p></header>\n",
                escape(issuer),
                if signer.is_empty() { " alone" } else { "" },
                escape(number),
                escape(signer)
            )),
            Block::Colophon { office, date } => body.push_str(&format!(
                "<footer class=\"colophon\"><span>{}</span><span>{}</span></footer>\n",
                escape(office),
                escape(date)
            )),
            Block::Title(t) => body.push_str(&format!("<h1>{}</h1>\n", escape(t))),
            Block::Subtitle(t) => {
                body.push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape(t)))
            }
            Block::Heading(level, t) => {
                let l = (*level + 1).min(4);
                body.push_str(&format!("<h{l}>{}</h{l}>\n", escape(t)));
            }
            Block::Paragraph(t) => body.push_str(&format!("<p>{}</p>\n", escape(t))),
            Block::Signature(t) => {
                body.push_str(&format!("<p class=\"signature\">{}</p>\n", escape(t)))
            }
            Block::Addressee(t) => {
                body.push_str(&format!("<p class=\"addressee\">{}</p>\n", escape(t)))
            }
            Block::Table(name) => match tables.get(name) {
                Some(t) => body.push_str(&table_html(t)),
                None => body.push_str(&format!(
                    "<p class=\"missing\">（表“{}”不可用）</p>\n",
                    escape(name)
                )),
            },
            // in the Excel appendix only
            Block::Appendix(_) => {}
            Block::Chart(name) => match charts.get(name) {
                Some(c) => body.push_str(&format!(
                    "<figure>{}<figcaption>{}</figcaption></figure>\n",
                    strip_xml_prolog(&c.svg),
                    escape(&c.title)
                )),
                None => body.push_str(&format!(
                    "<p class=\"missing\">（图“{}”不可用）</p>\n",
                    escape(name)
                )),
            },
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{}\n</style>\n</head>\n<body>\n<main>\n{}</main>\n</body>\n</html>\n",
        escape(title),
        css,
        body
    )
}

fn strip_xml_prolog(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => "",
    }
}

fn table_html(t: &ReportTable) -> String {
    let d = t.display(MAX_ROWS);
    // the query behind it is named in the Excel appendix's 说明 sheet
    let mut out = format!(
        "<table>\n<caption>{}</caption>\n<thead><tr>",
        escape(&d.title)
    );
    for h in &d.headers {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    if d.rows.is_empty() {
        out.push_str(&format!(
            "<tr><td colspan=\"{}\" class=\"empty\">无</td></tr>\n",
            d.headers.len().max(1)
        ));
    }
    for row in &d.rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{}</td>", escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_text() {
        assert_eq!(
            escape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        assert_eq!(
            escape("\"><img src=x onerror=alert(1)>"),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
    }
}
