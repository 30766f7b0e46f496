//! Charts of the analyses (plotters): the chart font, greyscale-safe
//! palettes, Chinese labels, an in-memory scene of shapes and texts, and its
//! rendering as SVG and PNG.

pub mod font;
pub mod labels;
pub mod palette;
pub mod render;
pub mod scene;
pub mod sfnt;

pub use font::FontChoice;
pub use scene::Scene;

/// A share as a percentage with no decimals (`93%`), or one below 10% (`4.5%`).
pub(crate) fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 9.95 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}
