//! Fuzz target for the per-cell value parsers: none may panic, and each accepted value must
//! survive a round trip through its canonical text form.
#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;

// Included by path so that the target does not depend on (or build) the main crate.
#[path = "../../src/ingest/values.rs"]
#[allow(dead_code)]
mod values;

use values::*;

const ENUM: &[&str] = &["行政处罚", "党纪处分", "无", "A 类", "Ｂ类"];

fuzz_target!(|data: &[u8]| {
    if data.len() >= 8 {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&data[..8]);
        if let Some(d) = excel_serial_to_date(f64::from_le_bytes(raw)) {
            assert!((1900..=9999).contains(&d.year()), "{d}");
        }
    }
    let s = String::from_utf8_lossy(data);
    let s: &str = &s;

    let folded = fold(s);
    assert_eq!(fold(&folded), folded, "fold is idempotent");
    let _ = is_missing(s);

    if let Ok(Some(d)) = parse_date(s) {
        assert!((1900..=2200).contains(&d.year()), "{s:?} -> {d}");
        assert_eq!(parse_date(&d.format("%Y-%m-%d").to_string()), Ok(Some(d)));
        assert_eq!(parse_date(&d.format("%Y年%-m月%-d日").to_string()), Ok(Some(d)));
    }
    if let Ok(v) = folded.parse::<f64>() {
        let _ = excel_serial_to_date(v);
    }

    let _ = parse_bool(s);

    if let Ok(Some(n)) = parse_int(s) {
        assert_eq!(parse_int(&n.to_string()), Ok(Some(n)));
    }

    let list = split_list(s);
    for piece in &list {
        assert!(!piece.is_empty());
        assert_eq!(piece.trim(), piece.as_str());
    }
    assert_eq!(split_list(&list.join("、")), list, "split_list round trip");

    match match_enum(s, ENUM) {
        Ok(Some(v)) => assert!(ENUM.contains(&v)),
        Ok(None) => assert!(is_missing(s)),
        Err(e) => assert!(e.reason.contains("行政处罚、党纪处分")),
    }

    if let Ok(Some(c)) = parse_clause(s) {
        let _ = c.in_range();
        let _ = c.supports("免责");
        assert_eq!(parse_clause(&c.code()), Ok(Some(c)), "clause code round trip");
    }

    if let Ok(Some((y, q))) = parse_quarter(s) {
        assert!((1..=4).contains(&q));
        assert_eq!(parse_quarter(&format!("{y}Q{q}")), Ok(Some((y, q))));
    }
});
