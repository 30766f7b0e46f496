//! Horizontal metrics read straight from a TrueType/OpenType font (or the
//! first font of a collection): character → glyph (`cmap` formats 4 and 12),
//! advance width and left side bearing (`hmtx`).
//!
//! plotters 0.3.7 draws each glyph of a bitmap text at its pen position
//! without the glyph's left side bearing, which shifts narrow glyphs and
//! Chinese punctuation (`（`, `：`) sideways in PNGs; with these metrics the
//! renderer places every glyph itself.

/// Metrics of one font face.
#[derive(Debug, Clone, Copy)]
pub struct Metrics {
    data: &'static [u8],
    cmap: Subtable,
    hmtx: usize,
    hmtx_len: usize,
    long_metrics: u16,
    pub units_per_em: u16,
}

#[derive(Debug, Clone, Copy)]
enum Subtable {
    Format4(usize),
    Format12(usize),
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    d.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]))
}

fn i16_at(d: &[u8], at: usize) -> Option<i16> {
    u16_at(d, at).map(|v| v as i16)
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// (offset, length) of a table of the face starting at `face`.
fn table(d: &[u8], face: usize, tag: &[u8; 4]) -> Option<(usize, usize)> {
    let n = u16_at(d, face + 4)? as usize;
    (0..n).find_map(|i| {
        let rec = face + 12 + 16 * i;
        (d.get(rec..rec + 4)? == tag).then_some(())?;
        let off = u32_at(d, rec + 8)? as usize;
        let len = u32_at(d, rec + 12)? as usize;
        (off.checked_add(len)? <= d.len()).then_some((off, len))
    })
}

impl Metrics {
    /// Parse the first face; None for anything unexpected.
    pub fn parse(data: &'static [u8]) -> Option<Metrics> {
        let face = if data.get(..4)? == b"ttcf" {
            u32_at(data, 12)? as usize
        } else {
            0
        };
        let (head, _) = table(data, face, b"head")?;
        let (hhea, _) = table(data, face, b"hhea")?;
        let (hmtx, hmtx_len) = table(data, face, b"hmtx")?;
        let (cmap, cmap_len) = table(data, face, b"cmap")?;
        let units_per_em = u16_at(data, head + 18)?;
        let long_metrics = u16_at(data, hhea + 34)?;
        if units_per_em == 0 || long_metrics == 0 {
            return None;
        }
        let cmap = Self::subtable(data, cmap, cmap_len)?;
        Some(Metrics {
            data,
            cmap,
            hmtx,
            hmtx_len,
            long_metrics,
            units_per_em,
        })
    }

    /// The best Unicode subtable: format 12 (full repertoire), else format 4.
    fn subtable(d: &[u8], cmap: usize, len: usize) -> Option<Subtable> {
        let n = u16_at(d, cmap + 2)? as usize;
        let mut best: Option<(u8, Subtable)> = None;
        for i in 0..n {
            let rec = cmap + 4 + 8 * i;
            let (platform, encoding) = (u16_at(d, rec)?, u16_at(d, rec + 2)?);
            let off = u32_at(d, rec + 4)? as usize;
            if off >= len {
                continue;
            }
            let at = cmap + off;
            let unicode = platform == 0 || (platform == 3 && matches!(encoding, 1 | 10));
            let candidate = match (unicode, u16_at(d, at)?) {
                (true, 12) => (2, Subtable::Format12(at)),
                (true, 4) => (1, Subtable::Format4(at)),
                _ => continue,
            };
            if best.is_none_or(|b| candidate.0 > b.0) {
                best = Some(candidate);
            }
        }
        best.map(|b| b.1)
    }

    /// Glyph of a character (0 = missing).
    pub fn glyph(&self, c: char) -> u16 {
        match self.cmap {
            Subtable::Format4(at) => self.format4(at, c as u32),
            Subtable::Format12(at) => self.format12(at, c as u32),
        }
        .unwrap_or(0)
    }

    fn format4(&self, at: usize, c: u32) -> Option<u16> {
        let d = self.data;
        if c > 0xFFFF {
            return Some(0);
        }
        let seg_x2 = u16_at(d, at + 6)? as usize;
        let ends = at + 14;
        let starts = ends + seg_x2 + 2;
        let deltas = starts + seg_x2;
        let ranges = deltas + seg_x2;
        for i in (0..seg_x2).step_by(2) {
            if c > u16_at(d, ends + i)? as u32 {
                continue;
            }
            let start = u16_at(d, starts + i)? as u32;
            if c < start {
                return Some(0);
            }
            let delta = u16_at(d, deltas + i)?;
            let range = u16_at(d, ranges + i)? as usize;
            if range == 0 {
                return Some((c as u16).wrapping_add(delta));
            }
            let g = u16_at(d, ranges + i + range + 2 * (c - start) as usize)?;
            return Some(if g == 0 { 0 } else { g.wrapping_add(delta) });
        }
        Some(0)
    }

    fn format12(&self, at: usize, c: u32) -> Option<u16> {
        let d = self.data;
        let groups = u32_at(d, at + 12)? as usize;
        let (mut lo, mut hi) = (0usize, groups);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let g = at + 16 + 12 * mid;
            let (start, end) = (u32_at(d, g)?, u32_at(d, g + 4)?);
            if c < start {
                hi = mid;
            } else if c > end {
                lo = mid + 1;
            } else {
                return Some((u32_at(d, g + 8)? + (c - start)) as u16);
            }
        }
        Some(0)
    }

    /// Advance width and left side bearing of a glyph, in font units.
    pub fn h_metrics(&self, glyph: u16) -> (u16, i16) {
        let d = self.data;
        let n = self.long_metrics as usize;
        let g = glyph as usize;
        let within = |at: usize| at + 2 <= self.hmtx + self.hmtx_len;
        let advance_at = self.hmtx + 4 * g.min(n - 1);
        let lsb_at = if g < n {
            self.hmtx + 4 * g + 2
        } else {
            self.hmtx + 4 * n + 2 * (g - n)
        };
        let advance = if within(advance_at) {
            u16_at(d, advance_at).unwrap_or(0)
        } else {
            0
        };
        let lsb = if within(lsb_at) {
            i16_at(d, lsb_at).unwrap_or(0)
        } else {
            0
        };
        (advance, lsb)
    }

    /// Advance and left side bearing of a character, in font units.
    pub fn char_metrics(&self, c: char) -> (u16, i16) {
        self.h_metrics(self.glyph(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metrics_font_reads_back() {
        let bytes: &'static [u8] = Box::leak(super::super::font::metrics_font().into_boxed_slice());
        let m = Metrics::parse(bytes).unwrap();
        assert_eq!(m.units_per_em, 1000);
        assert_eq!(m.glyph('A'), 0x41 - 0x20 + 1);
        assert_eq!(m.glyph('中'), 0);
        assert_eq!(m.char_metrics('A'), (550, 0));
        assert_eq!(m.char_metrics('中'), (1000, 0));
        assert_eq!(m.char_metrics('~'), (550, 0));
    }

    #[test]
    fn wqy_punctuation_has_its_side_bearings() {
        let path = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
        let Ok(bytes) = std::fs::read(path) else {
            eprintln!("skipped: {path} not installed");
            return;
        };
        let m = Metrics::parse(Box::leak(bytes.into_boxed_slice())).unwrap();
        assert_ne!(m.glyph('中'), 0);
        let (adv_open, lsb_open) = m.char_metrics('（');
        let (adv_close, lsb_close) = m.char_metrics('）');
        assert_eq!(adv_open, adv_close);
        // the opening bracket sits at the right of its em, the closing one at the left
        assert!(lsb_open > lsb_close, "{lsb_open} {lsb_close}");
        assert!(m.char_metrics('1').0 < m.char_metrics('中').0);
    }
}
