//! `jiucuo charts` end to end on a generated ledger: every chart as SVG and
//! PNG at the documented size, Chinese labels in the SVG text, byte-identical
//! reruns, the no-font path, the funnel without volume, `--quarter`.
//!
//! Include from tests/tests.rs with `mod charts;`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The CJK font scripts/setup.sh installs.
const WQY: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

const CHARTS: [(&str, &str); 6] = [
    ("heatmap", "各执法单位分领域案件数"),
    ("pareto", "问题类型帕累托图"),
    ("trend", "各季度认定结果"),
    ("funnel", "各执法单位问题率漏斗图"),
    ("compliance", "办理期限执行情况"),
    ("clause_use", "条款适用情况（第九条至第十二条）"),
];

/// A generated ledger (600 rows, seed 5) with its volume and truth file.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let out = jiucuo(dir.path())
            .args(["generate", "--rows", "600", "--seed", "5", "--out", "data"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Fixture { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `jiucuo charts data/ledger.csv --as-of 2026-11-30 --out OUT` plus `extra`.
    fn charts(&self, out: &str, extra: &[&str], font: Option<&str>) -> Output {
        let mut c = jiucuo(self.dir.path());
        c.args([
            "charts",
            "data/ledger.csv",
            "--as-of",
            "2026-11-30",
            "--out",
            out,
        ])
        .args(extra);
        if let Some(f) = font {
            c.env("JIUCUO_FONT", f);
        }
        c.output().unwrap()
    }

    fn unused_clause_items(&self) -> Vec<String> {
        let truth = std::fs::read_to_string(self.path("data/truth.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&truth).unwrap();
        v["unused_clause_items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    }
}

/// The binary, run in `dir` (so no stray jiucuo.toml is picked up), with
/// no font chosen through the environment.
fn jiucuo(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiucuo"));
    c.current_dir(dir).env_remove("JIUCUO_FONT");
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Width and height from a PNG's IHDR (bytes 16..24), after checking the signature.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

/// Total length of the compressed image data (IDAT chunks).
fn idat_len(png: &[u8]) -> usize {
    let mut at = 8;
    let mut total = 0;
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]) as usize;
        if &png[at + 4..at + 8] == b"IDAT" {
            total += len;
        }
        at += 12 + len;
    }
    total
}

/// `width` and `height` of the root `<svg>` element.
fn svg_size(svg: &str) -> (u32, u32) {
    let tag = &svg[svg.find("<svg").unwrap()..];
    let tag = &tag[..tag.find('>').unwrap()];
    let attr = |name: &str| -> u32 {
        let key = format!("{name}=\"");
        let start = tag.find(&key).unwrap() + key.len();
        tag[start..start + tag[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    (attr("width"), attr("height"))
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

#[test]
fn charts_are_written_as_svg_and_png_and_reruns_are_identical() {
    let fx = Fixture::new();
    let font = Path::new(WQY).exists().then_some(WQY);
    if font.is_none() {
        eprintln!("{WQY} missing (run scripts/setup.sh): PNG checks skipped");
    }
    let run = fx.charts("out1", &["--volume", "data/volume.csv"], font);
    assert!(run.status.success(), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(err.contains("已写出图表 6 幅"), "{err}");
    let out = fx.path("out1");
    let blank =
        jiucuo::chart::render::encode_png(&vec![255u8; 2400 * 1500 * 3], 2400, 1500).unwrap();
    for (name, title) in CHARTS {
        let svg = String::from_utf8(read(&out, &format!("{name}.svg"))).unwrap();
        assert!(svg.contains(&format!("<title>{title}</title>")), "{name}");
        assert!(
            svg.contains(&format!("{title}\n</text>")),
            "{name}: title not kept as text"
        );
        let (w, h) = svg_size(&svg);
        assert_eq!(w, 2400, "{name}");
        match name {
            "pareto" | "trend" => assert_eq!(h, 1500),
            "funnel" => assert_eq!(h, 1600),
            _ => assert!(h >= 1500, "{name}: {h}"),
        }
        if font.is_some() {
            let png = read(&out, &format!("{name}.png"));
            assert_eq!(png_size(&png), (w, h), "{name}: PNG and SVG sizes differ");
            // a blank white image compresses to a small fraction of a chart
            assert!(
                idat_len(&png) > 4 * idat_len(&blank),
                "{name}: PNG looks blank ({} vs blank {})",
                idat_len(&png),
                idat_len(&blank)
            );
        }
    }
    let text = |name: &str| String::from_utf8(read(&out, &format!("{name}.svg"))).unwrap();
    let heatmap = text("heatmap");
    assert!(
        heatmap.contains(">\n王舍人街道\n</text>"),
        "short street-office name"
    );
    assert!(!heatmap.contains("王舍人街道办事处\n"), "long name kept");
    assert!(heatmap.contains(">\n区住房和城乡建设局\n</text>"));
    let compliance = text("compliance");
    // rules by what they ask and their article, never by their ids
    for rule in [
        "移交后30日内办结（第十五条）",
        "立案后30日内调查终结（第十七条）",
        "向实名举报人反馈（第二十二条）",
    ] {
        assert!(compliance.contains(rule), "{rule}");
    }
    assert!(!compliance.contains("D15-handle"));
    let clause_use = text("clause_use");
    // items under their article's band in words, never as codes
    assert!(clause_use.contains(">\n第（十）项\n</text>"));
    assert!(!clause_use.contains(">\n10.10\n</text>"));
    let mut unused = fx.unused_clause_items();
    unused.sort();
    assert_eq!(unused, ["10.9", "12.6", "9.8"]);
    assert!(clause_use.contains("0（未适用）"));
    assert!(clause_use.contains(
        "未适用的条款项（3 项）：第九条第（八）项、第十条第（九）项、第十二条第（六）项"
    ));

    // The same input gives the same bytes.
    let again = fx.charts("out2", &["--volume", "data/volume.csv"], font);
    assert!(again.status.success(), "{}", stderr(&again));
    let files = |dir: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let (a, b) = (files(&out), files(&fx.path("out2")));
    assert_eq!(a, b);
    assert_eq!(a.len(), if font.is_some() { 12 } else { 6 });
    for f in &a {
        assert!(
            read(&out, f) == read(&fx.path("out2"), f),
            "{f} differs between runs"
        );
    }
}

#[test]
fn without_a_cjk_font_svgs_are_written_and_pngs_skipped() {
    let fx = Fixture::new();
    let run = fx.charts("out", &["--volume", "data/volume.csv"], Some("none"));
    assert!(run.status.success(), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(err.contains("PNG 图已跳过"), "{err}");
    assert!(err.contains("apt-get install fonts-wqy-microhei"), "{err}");
    assert!(err.contains("[paths]"), "{err}");
    let out = fx.path("out");
    for (name, title) in CHARTS {
        let svg = String::from_utf8(read(&out, &format!("{name}.svg"))).unwrap();
        assert!(svg.contains(&format!("{title}\n</text>")), "{name}");
        assert!(
            !out.join(format!("{name}.png")).exists(),
            "{name}.png written"
        );
    }
}

#[test]
fn a_configured_font_that_cannot_be_used_is_named() {
    let fx = Fixture::new();
    std::fs::write(
        fx.path("jiucuo.toml"),
        "[paths]\nfont = \"/nonexistent/fonts/kai.ttf\"\n",
    )
    .unwrap();
    // JIUCUO_FONT=none: only the configured font is tried
    let run = fx.charts("out", &["--config", "jiucuo.toml"], Some("none"));
    assert!(run.status.success(), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(err.contains("/nonexistent/fonts/kai.ttf：不存在"), "{err}");
    assert!(err.contains("PNG 图已跳过"), "{err}");
}

#[test]
fn the_funnel_needs_volume_and_a_quarter_narrows_the_scope() {
    let fx = Fixture::new();
    let run = fx.charts("out", &["--quarter", "2025年第四季度"], Some("none"));
    assert!(run.status.success(), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(err.contains("已写出图表 5 幅"), "{err}");
    assert!(err.contains("未提供执法量文件"), "{err}");
    let out = fx.path("out");
    assert!(!out.join("funnel.svg").exists());
    let heatmap = String::from_utf8(read(&out, "heatmap.svg")).unwrap();
    assert!(
        heatmap.contains("范围：2025年第四季度立案的案件"),
        "scope missing"
    );

    let bad = fx.charts("bad", &["--quarter", "2025Q5"], Some("none"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--quarter"), "{}", stderr(&bad));
}
