//! Finding and registering the chart font: a CJK font from the configuration,
//! the environment or a known system path; otherwise a built-in metrics-only
//! font that lets the SVGs be laid out (the viewer draws their text) while the
//! PNGs are skipped rather than drawn with boxes.
//!
//! plotters (feature `ab_glyph`) keeps a process-wide table of fonts by family
//! name and wants `'static` bytes, so each font file is read, leaked and
//! registered at most once per process, under a private family name
//! (`jiucuo-font-N`) that never reaches the output: the SVG renderer replaces
//! it with a CSS font list.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use plotters::style::{register_font, FontDesc, FontFamily, FontStyle};

use super::sfnt::Metrics;

/// Environment variable naming a font file (or `none`: no font, SVG only).
pub const ENV_VAR: &str = "JIUCUO_FONT";

/// Known locations of CJK fonts, most suitable first (Debian/Ubuntu package
/// paths, then other Linux distributions, macOS and Windows).
pub const KNOWN_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSansSC-Regular.otf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
    "C:\\Windows\\Fonts\\simsun.ttc",
];

/// Fonts named in the SVG, for the viewer: the usual Chinese UI fonts first.
pub const SVG_FONT_LIST: &str = "WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, \
     Microsoft YaHei, PingFang SC, SimHei, sans-serif";

/// Family name of the built-in metrics-only font.
const FALLBACK_FAMILY: &str = "jiucuo-fallback";

/// Characters a usable font must draw (and tell apart).
const PROBE: [char; 3] = ['中', '错', '执'];

/// Where a candidate font path came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `[paths] font` in jiucuo.toml.
    Config,
    /// The `JIUCUO_FONT` environment variable.
    Env,
    /// A known system path.
    Known,
}

/// One candidate that was looked at, and why it was not used (None = used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub origin: Origin,
    pub path: PathBuf,
    pub problem: Option<String>,
}

/// The font the charts are drawn with.
#[derive(Debug, Clone)]
pub struct FontChoice {
    family: String,
    /// The CJK font file in use; None = the metrics-only fallback.
    path: Option<PathBuf>,
    /// Every candidate looked at, in search order.
    pub attempts: Vec<Attempt>,
    /// The search was switched off (`JIUCUO_FONT=none`).
    disabled: bool,
    /// Width of one em (of 中) per unit of plotters font size.
    em_ratio: f64,
    /// Horizontal metrics read from the font file, when it could be parsed.
    metrics: Option<Metrics>,
    /// Pixels per font unit per unit of plotters font size.
    scale: f64,
}

/// A font registered with plotters.
#[derive(Debug, Clone)]
struct Registered {
    family: String,
    metrics: Option<Metrics>,
}

/// Fonts registered so far, by path.
fn registry() -> &'static Mutex<BTreeMap<PathBuf, Registered>> {
    static REGISTRY: OnceLock<Mutex<BTreeMap<PathBuf, Registered>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(BTreeMap::new()))
}

impl FontChoice {
    /// Search in order: `configured` (jiucuo.toml `[paths] font`), `env`
    /// (`JIUCUO_FONT`), then [`KNOWN_FONTS`]. `JIUCUO_FONT=none` skips the
    /// search. Falls back to the metrics-only font when nothing usable is found.
    pub fn find(configured: Option<&Path>, env: Option<&OsStr>) -> FontChoice {
        let known: Vec<&Path> = KNOWN_FONTS.iter().map(Path::new).collect();
        Self::find_in(configured, env, &known)
    }

    /// [`FontChoice::find`] with an explicit list of known paths (for tests).
    pub fn find_in(configured: Option<&Path>, env: Option<&OsStr>, known: &[&Path]) -> FontChoice {
        let configured = configured.filter(|p| !p.as_os_str().is_empty());
        let env = env.filter(|e| !e.is_empty());
        let disabled = env.is_some_and(|e| e.eq_ignore_ascii_case("none"));
        let mut candidates: Vec<(Origin, PathBuf)> = Vec::new();
        if let Some(p) = configured {
            candidates.push((Origin::Config, p.to_path_buf()));
        }
        if !disabled {
            if let Some(e) = env {
                candidates.push((Origin::Env, PathBuf::from(e)));
            }
            candidates.extend(known.iter().map(|p| (Origin::Known, p.to_path_buf())));
        }
        let mut attempts = Vec::new();
        for (origin, path) in candidates {
            match register_file(&path) {
                Ok(reg) => {
                    attempts.push(Attempt {
                        origin,
                        path: path.clone(),
                        problem: None,
                    });
                    let mut choice = FontChoice::registered(reg, Some(path));
                    choice.attempts = attempts;
                    choice.disabled = disabled;
                    return choice;
                }
                Err(problem) => attempts.push(Attempt {
                    origin,
                    path,
                    problem: Some(problem),
                }),
            }
        }
        let mut choice = Self::fallback();
        choice.attempts = attempts;
        choice.disabled = disabled;
        choice
    }

    /// Use this font file, or fail with the reason (in Chinese).
    pub fn from_file(path: &Path) -> Result<FontChoice, String> {
        let reg = register_file(path)?;
        let mut choice = FontChoice::registered(reg, Some(path.to_path_buf()));
        choice.attempts = vec![Attempt {
            origin: Origin::Known,
            path: path.to_path_buf(),
            problem: None,
        }];
        Ok(choice)
    }

    /// The built-in metrics-only font: SVGs only.
    pub fn fallback() -> FontChoice {
        static REGISTERED: OnceLock<Registered> = OnceLock::new();
        let reg = REGISTERED.get_or_init(|| {
            let bytes: &'static [u8] = Box::leak(metrics_font().into_boxed_slice());
            // The font is built here and known to parse.
            let _ = register_font(FALLBACK_FAMILY, FontStyle::Normal, bytes);
            Registered {
                family: FALLBACK_FAMILY.to_string(),
                metrics: Metrics::parse(bytes),
            }
        });
        FontChoice::registered(reg.clone(), None)
    }

    fn registered(reg: Registered, path: Option<PathBuf>) -> FontChoice {
        let scale = reg
            .metrics
            .and_then(|m| measured_scale(&reg.family, &m))
            .unwrap_or(0.0);
        let metrics = reg.metrics.filter(|_| scale > 0.0);
        let em_ratio = match metrics {
            Some(m) => m.char_metrics('中').0 as f64 * scale,
            None => em_ratio(&reg.family),
        };
        FontChoice {
            family: reg.family,
            path,
            attempts: Vec::new(),
            disabled: false,
            em_ratio: if em_ratio > 0.2 && em_ratio < 3.0 {
                em_ratio
            } else {
                1.0
            },
            metrics,
            scale,
        }
    }

    /// The plotters family name to draw with.
    pub fn family(&self) -> &str {
        &self.family
    }

    /// Whether a real CJK font is in use (PNGs can be drawn).
    pub fn has_cjk(&self) -> bool {
        self.path.is_some()
    }

    /// The font file in use.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Width of one em per unit of plotters font size (1.0 for the fallback).
    pub fn em_ratio(&self) -> f64 {
        self.em_ratio
    }

    /// The font's metrics, with pixels per font unit per unit of font size.
    pub fn metrics(&self) -> Option<(&Metrics, f64)> {
        self.metrics.as_ref().map(|m| (m, self.scale))
    }

    /// Width in pixels of `text` at plotters font `size` (sum of advances).
    pub fn text_width(&self, text: &str, size: f64) -> f64 {
        if let Some((m, k)) = self.metrics() {
            return text
                .chars()
                .map(|c| m.char_metrics(c).0 as f64)
                .sum::<f64>()
                * k
                * size;
        }
        FontDesc::new(FontFamily::Name(&self.family), size, FontStyle::Normal)
            .box_size(text)
            .map(|(w, _)| w as f64)
            .unwrap_or_else(|_| text.chars().count() as f64 * size)
    }

    /// What the user should know about the font, in Chinese: nothing when the
    /// first candidate worked; a warning when a configured font was unusable;
    /// the full search and how to install a font when none was found.
    pub fn message(&self) -> Option<String> {
        let configured_failed: Vec<&Attempt> = self
            .attempts
            .iter()
            .filter(|a| a.origin != Origin::Known && a.problem.is_some())
            .collect();
        if let Some(path) = &self.path {
            if configured_failed.is_empty() {
                return None;
            }
            let mut text = String::new();
            for a in configured_failed {
                text.push_str(&format!(
                    "注意：{} 指定的字体 {} 无法使用（{}）；",
                    origin_zh(a.origin),
                    a.path.display(),
                    a.problem.as_deref().unwrap_or("")
                ));
            }
            text.push_str(&format!("已改用 {}。", path.display()));
            return Some(text);
        }
        let mut text = String::from(
            "未找到可显示中文的字体：只写出 SVG 图（用浏览器打开即可正常显示中文），\
             PNG 图已跳过（否则图中的中文会显示为方框）。\n",
        );
        if self.disabled {
            text.push_str("环境变量 JIUCUO_FONT=none：未查找系统字体。\n");
        }
        text.push_str("已查找：\n");
        if !self.attempts.iter().any(|a| a.origin == Origin::Config) {
            text.push_str("  jiucuo.toml [paths] font：未设置\n");
        }
        if !self.disabled && !self.attempts.iter().any(|a| a.origin == Origin::Env) {
            text.push_str("  环境变量 JIUCUO_FONT：未设置\n");
        }
        for a in &self.attempts {
            text.push_str(&format!(
                "  {}{}：{}\n",
                match a.origin {
                    Origin::Known => String::new(),
                    o => format!("{} ", origin_zh(o)),
                },
                a.path.display(),
                a.problem.as_deref().unwrap_or("")
            ));
        }
        text.push_str(
            "解决办法：安装文泉驿微米黑字体（sudo apt-get install fonts-wqy-microhei），\
             或在 jiucuo.toml 的 [paths] 中写 font = \"字体文件路径\"（.ttf/.otf/.ttc），\
             或设置环境变量 JIUCUO_FONT=字体文件路径。",
        );
        Some(text)
    }
}

fn origin_zh(o: Origin) -> &'static str {
    match o {
        Origin::Config => "jiucuo.toml [paths] font",
        Origin::Env => "环境变量 JIUCUO_FONT",
        Origin::Known => "系统字体",
    }
}

/// Read, check and register a font file, or say what is wrong with it.
fn register_file(path: &Path) -> Result<Registered, String> {
    let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = reg.get(path) {
        return Ok(r.clone());
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err("不存在".into()),
        Err(e) => return Err(format!("无法读取：{e}")),
    };
    if !looks_like_font(&bytes) {
        return Err("不是 TrueType/OpenType 字体文件".into());
    }
    let family = format!("jiucuo-font-{}", reg.len() + 1);
    // plotters keeps the font for the life of the process: leak it once.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    register_font(&family, FontStyle::Normal, bytes)
        .map_err(|_| "字体文件已损坏或格式不受支持".to_string())?;
    let metrics = Metrics::parse(bytes);
    let mapped = metrics.is_none_or(|m| PROBE.iter().all(|c| m.glyph(*c) != 0));
    if !mapped || !draws_cjk(&family) {
        return Err("不含中文字形".into());
    }
    let r = Registered { family, metrics };
    reg.insert(path.to_path_buf(), r.clone());
    Ok(r)
}

/// Pixels per font unit per unit of font size, as plotters lays text out
/// (ab_glyph scales by the font's ascent − descent, not its units per em).
fn measured_scale(family: &str, m: &Metrics) -> Option<f64> {
    let units = m.char_metrics('中').0 as f64;
    let (w, _) = FontDesc::new(FontFamily::Name(family), 1000.0, FontStyle::Normal)
        .box_size(&"中".repeat(10))
        .ok()?;
    let k = w as f64 / (10.0 * 1000.0 * units);
    (k.is_finite() && k > 0.0).then_some(k)
}

/// TrueType, OpenType (CFF) or a font collection, by its first four bytes.
fn looks_like_font(bytes: &[u8]) -> bool {
    matches!(
        bytes.get(..4),
        Some([0, 1, 0, 0]) | Some(b"OTTO") | Some(b"ttcf") | Some(b"true")
    )
}

/// Pixels the font draws for one character at a probe size.
fn glyph_pixels(family: &str, c: char) -> Vec<(i32, i32)> {
    let mut px = Vec::new();
    let font = FontDesc::new(FontFamily::Name(family), 24.0, FontStyle::Normal);
    let _ = font.draw(&c.to_string(), (0, 0), |x, y, v| {
        if v > 0.5 {
            px.push((x, y));
        }
        Ok::<(), ()>(())
    });
    px
}

/// Whether the font draws distinct, non-empty shapes for the probe characters
/// (a font without them draws its .notdef box for each, all alike).
fn draws_cjk(family: &str) -> bool {
    let shapes: Vec<Vec<(i32, i32)>> = PROBE.iter().map(|c| glyph_pixels(family, *c)).collect();
    shapes.iter().all(|s| !s.is_empty()) && shapes[0] != shapes[1] && shapes[1] != shapes[2]
}

fn em_ratio(family: &str) -> f64 {
    FontDesc::new(FontFamily::Name(family), 100.0, FontStyle::Normal)
        .box_size("中")
        .map(|(w, _)| w as f64 / 100.0)
        .ok()
        .filter(|r| *r > 0.2 && *r < 3.0)
        .unwrap_or(1.0)
}

/// A minimal TrueType font with metrics and no outlines: every character is
/// one em wide, printable ASCII 0.55 em (units per em 1000, ascent 880,
/// descent 120). It lets plotters lay text out when no CJK font exists; the
/// SVG viewer then draws the text with its own fonts.
///
/// Long: a font file built table by table (a test fixture of known metrics).
pub fn metrics_font() -> Vec<u8> {
    const ASCII_GLYPHS: u16 = 0x7E - 0x20 + 1;
    let num_glyphs = 1 + ASCII_GLYPHS;
    let be16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_be_bytes());
    let be32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_be_bytes());

    // cmap: one format-4 subtable (Windows Unicode BMP), 0x20..0x7E → 1..95.
    let mut cmap = Vec::new();
    for x in [0u16, 1, 3, 1] {
        be16(&mut cmap, x);
    }
    be32(&mut cmap, 12);
    for x in [4u16, 32, 0, 4, 4, 1, 0] {
        be16(&mut cmap, x); // format, length, language, segCountX2, searchRange, entrySelector, rangeShift
    }
    for x in [0x7E, 0xFFFF, 0, 0x20, 0xFFFF] {
        be16(&mut cmap, x); // endCode ×2, reservedPad, startCode ×2
    }
    for x in [1u16.wrapping_sub(0x20), 1, 0, 0] {
        be16(&mut cmap, x); // idDelta ×2, idRangeOffset ×2
    }

    let mut head = Vec::new();
    be32(&mut head, 0x0001_0000); // version
    be32(&mut head, 0x0001_0000); // fontRevision
    be32(&mut head, 0); // checkSumAdjustment
    be32(&mut head, 0x5F0F_3CF5); // magic
    be16(&mut head, 0x000B); // flags
    be16(&mut head, 1000); // unitsPerEm
    head.extend_from_slice(&[0; 16]); // created, modified
    for x in [0i16, -120, 1000, 880] {
        be16(&mut head, x as u16); // bbox
    }
    for x in [0u16, 8, 2, 0, 0] {
        be16(&mut head, x); // macStyle, lowestRecPPEM, direction, indexToLocFormat, glyphDataFormat
    }

    let mut hhea = Vec::new();
    be32(&mut hhea, 0x0001_0000);
    for x in [880i16, -120, 0] {
        be16(&mut hhea, x as u16); // ascender, descender, lineGap
    }
    for x in [1000u16, 0, 0, 1000, 1, 0, 0, 0, 0, 0, 0, 0, 2] {
        be16(&mut hhea, x); // advanceWidthMax … metricDataFormat, numberOfHMetrics
    }

    let mut hmtx = Vec::new();
    for x in [1000u16, 0, 550, 0] {
        be16(&mut hmtx, x);
    }
    for _ in 2..num_glyphs {
        be16(&mut hmtx, 0);
    }

    let mut maxp = Vec::new();
    be32(&mut maxp, 0x0000_5000);
    be16(&mut maxp, num_glyphs);

    let tables: [(&[u8; 4], Vec<u8>); 5] = [
        (b"cmap", cmap),
        (b"head", head),
        (b"hhea", hhea),
        (b"hmtx", hmtx),
        (b"maxp", maxp),
    ];
    let mut font = Vec::new();
    be32(&mut font, 0x0001_0000);
    for x in [tables.len() as u16, 64, 2, 16] {
        be16(&mut font, x); // numTables, searchRange, entrySelector, rangeShift
    }
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    for (tag, data) in &tables {
        font.extend_from_slice(*tag);
        be32(&mut font, 0); // checksum: not verified by readers of this font
        be32(&mut font, offset as u32);
        be32(&mut font, data.len() as u32);
        body.extend_from_slice(data);
        while body.len() % 4 != 0 {
            body.push(0);
        }
        offset = 12 + 16 * tables.len() + body.len();
    }
    font.extend_from_slice(&body);
    font
}

#[cfg(test)]
mod tests {
    use super::*;

    const WQY: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

    #[test]
    fn metrics_font_measures_cjk_one_em_and_ascii_narrower() {
        let f = FontChoice::fallback();
        assert!(!f.has_cjk());
        assert_eq!(f.text_width("中文", 100.0), 200.0);
        assert!((f.text_width("10.9", 100.0) - 220.0).abs() < 1e-9);
        assert_eq!(f.em_ratio(), 1.0);
    }

    #[test]
    fn search_order_and_message_when_nothing_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let not_font = dir.path().join("readme.ttf");
        std::fs::write(&not_font, "plain text").unwrap();
        let missing = dir.path().join("missing.ttc");
        let f = FontChoice::find_in(
            Some(&not_font),
            Some(OsStr::new("/nowhere/x.otf")),
            &[missing.as_path()],
        );
        assert!(!f.has_cjk());
        let origins: Vec<Origin> = f.attempts.iter().map(|a| a.origin).collect();
        assert_eq!(origins, [Origin::Config, Origin::Env, Origin::Known]);
        let msg = f.message().unwrap();
        assert!(msg.contains("PNG 图已跳过"), "{msg}");
        assert!(msg.contains("不是 TrueType/OpenType 字体文件"), "{msg}");
        assert!(msg.contains("/nowhere/x.otf：不存在"), "{msg}");
        assert!(msg.contains(&missing.display().to_string()), "{msg}");
        assert!(msg.contains("apt-get install fonts-wqy-microhei"), "{msg}");
        assert!(msg.contains("[paths]"), "{msg}");
    }

    #[test]
    fn none_in_the_environment_disables_the_search() {
        let f = FontChoice::find_in(None, Some(OsStr::new("none")), &[Path::new(WQY)]);
        assert!(!f.has_cjk());
        assert!(f.attempts.is_empty());
        assert!(f.message().unwrap().contains("JIUCUO_FONT=none"));
    }

    #[test]
    fn a_latin_only_font_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("latin.ttf");
        std::fs::write(&p, metrics_font()).unwrap();
        let err = FontChoice::from_file(&p).unwrap_err();
        assert_eq!(err, "不含中文字形");
    }

    #[test]
    fn the_installed_cjk_font_is_found_and_a_bad_configured_one_reported() {
        if !Path::new(WQY).exists() {
            eprintln!("skipped: {WQY} not installed (scripts/setup.sh)");
            return;
        }
        let f = FontChoice::find_in(
            Some(Path::new("/nowhere/font.ttf")),
            None,
            &[Path::new(WQY)],
        );
        assert!(f.has_cjk());
        assert_eq!(f.path(), Some(Path::new(WQY)));
        let msg = f.message().unwrap();
        assert!(
            msg.contains("/nowhere/font.ttf") && msg.contains("已改用"),
            "{msg}"
        );
        // registered once: a second search reuses the family
        let again = FontChoice::from_file(Path::new(WQY)).unwrap();
        assert_eq!(again.family(), f.family());
        assert!(again.message().is_none());
        assert!(f.text_width("中", 100.0) > 50.0);
    }
}
