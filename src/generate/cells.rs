//! A case as the ledger's CSV cells: dates, clauses and booleans in the
//! forms an office's export mixes, and CSV quoting.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::cases::Case;
use super::world::{Unit, CN_DIGITS};
use crate::schema::FIELDS;

pub(super) fn fmt_date(rng: &mut ChaCha8Rng, d: Option<NaiveDate>) -> String {
    let Some(d) = d else { return String::new() };
    match rng.random_range(0..100) {
        0..=69 => d.format("%Y-%m-%d").to_string(),
        70..=79 => format!("{}/{}/{}", d.year(), d.month(), d.day()),
        80..=87 => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        88..=94 => d.format("%Y%m%d").to_string(),
        _ => format!("{}.{}.{}", d.year(), d.month(), d.day()),
    }
}

pub(super) fn fmt_clause(rng: &mut ChaCha8Rng, c: Option<(u8, u8)>) -> String {
    let Some((a, i)) = c else {
        return String::new();
    };
    match rng.random_range(0..10) {
        0..=4 => format!(
            "第{}条第（{}）项",
            CN_DIGITS[a as usize], CN_DIGITS[i as usize]
        ),
        5..=6 => format!("第{a}条第{i}项"),
        7..=8 => format!("{a}({i})"),
        _ => format!("{}.{}", CN_DIGITS[a as usize], CN_DIGITS[i as usize]),
    }
}

pub(super) fn fmt_bool(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

pub(super) fn csv_cell(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// The formatted cells of one case, in FIELDS order.
pub(super) fn cells(rng: &mut ChaCha8Rng, units: &[Unit], c: &Case, id: &str) -> Vec<String> {
    let unit = &units[c.unit];
    let opt_int = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    vec![
        id.to_string(),
        unit.name.to_string(),
        unit.kind.to_string(),
        c.domain.to_string(),
        c.matter.to_string(),
        c.officers.join("、"),
        c.error.to_string(),
        c.subjective.map(fmt_bool).unwrap_or("").to_string(),
        c.source.to_string(),
        fmt_date(rng, c.filed),
        fmt_date(rng, c.verified),
        fmt_date(rng, c.decided),
        fmt_date(rng, c.notified),
        fmt_date(rng, c.corrected),
        fmt_date(rng, c.archived),
        opt_int(c.appraisal),
        opt_int(c.extension),
        c.investigators.to_string(),
        fmt_bool(c.recusal).to_string(),
        fmt_bool(c.hearing).to_string(),
        fmt_bool(c.joint).to_string(),
        fmt_date(rng, c.transferred),
        fmt_date(rng, c.handled),
        fmt_date(rng, c.handling_reported),
        c.outcome.unwrap_or("").to_string(),
        fmt_clause(rng, c.clause),
        fmt_date(rng, c.review_applied),
        fmt_date(rng, c.review_decided),
        c.review_result.unwrap_or("").to_string(),
        fmt_date(rng, c.rectify_due),
        fmt_date(rng, c.rectify_extended),
        fmt_date(rng, c.rectified),
        c.complaint.unwrap_or("").to_string(),
        fmt_date(rng, c.feedback),
        fmt_date(rng, c.clarified),
        match (c.complaint, c.malicious) {
            (None, _) => "",
            (Some(_), true) => "是",
            (Some(_), false) => "否",
        }
        .to_string(),
        c.summary.clone(),
    ]
}

pub(super) fn col(name: &str) -> usize {
    FIELDS
        .iter()
        .position(|f| f.name == name)
        .expect("known field")
}
