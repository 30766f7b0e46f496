//! The two parts of a Word package docx-rs cannot write, set after it has
//! packed the document: a font table that declares the Chinese fonts of
//! GB/T 9704 with their East-Asian names and fallbacks, and header rows that
//! repeat on every page (`w:tblHeader`). Every other part is copied as it is,
//! in its order, with the fixed timestamp, so outputs stay byte-identical.

use std::io::{Cursor, Read, Write};

use anyhow::{Context, Result};

/// What a header row carries out of docx-rs (a one-twip minimum height,
/// used nowhere else) and becomes here.
pub const HEADER_ROW_MARK: &str = r#"<w:trHeight w:val="1" w:hRule="atLeast" />"#;
const HEADER_ROW: &str = "<w:tblHeader />";

/// The fonts a GB/T 9704 document names, each with the font a desktop
/// without it should use (w:altName) and the GB2312 character set.
const FONTS: &[(&str, &str, &str)] = &[
    // (name, fallback, family)
    ("方正小标宋简体", "宋体", "roman"),
    ("仿宋_GB2312", "仿宋", "modern"),
    ("仿宋", "FangSong", "modern"),
    ("楷体_GB2312", "楷体", "modern"),
    ("楷体", "KaiTi", "modern"),
    ("黑体", "SimHei", "modern"),
    ("宋体", "SimSun", "auto"),
    ("Times New Roman", "", "roman"),
];

/// The font table part.
pub fn font_table() -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    );
    for (name, alt, family) in FONTS {
        xml.push_str(&format!(r#"<w:font w:name="{name}">"#));
        if !alt.is_empty() {
            xml.push_str(&format!(r#"<w:altName w:val="{alt}" />"#));
        }
        let charset = if alt.is_empty() { "00" } else { "86" };
        xml.push_str(&format!(
            r#"<w:charset w:val="{charset}" /><w:family w:val="{family}" /><w:pitch w:val="variable" /></w:font>"#
        ));
    }
    xml.push_str("</w:fonts>");
    xml
}

/// The package with its font table replaced and its marked header rows
/// made to repeat.
pub fn finish(docx: &[u8]) -> Result<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).context("Word 文件打包异常")?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).context("Word 文件打包异常")?;
        let name = part.name().context("Word 文件打包异常")?.to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).context("Word 文件打包异常")?;
        let data = match name.as_str() {
            "word/fontTable.xml" => font_table().into_bytes(),
            "word/document.xml" => String::from_utf8(data)
                .context("Word 文件打包异常")?
                .replace(HEADER_ROW_MARK, HEADER_ROW)
                .into_bytes(),
            _ => data,
        };
        out.start_file(name, options).context("Word 文件打包异常")?;
        out.write_all(&data).context("Word 文件打包异常")?;
    }
    Ok(out.finish().context("Word 文件打包异常")?.into_inner())
}
