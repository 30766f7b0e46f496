//! One generated case: its draw (unit, domain, error, officers), and the
//! process after filing — verification, decision, notification, review,
//! rectification, feedback, archiving — within the limits unless the draw
//! says late, and nothing after the export date.

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::world::{
    as_of, officer_name, pick, pick_index, volume, Quarter, Unit, ERRORS, MATTERS, SOURCES,
    UNUSED_ITEMS,
};
use crate::schema;

/// One ledger record before formatting.
#[derive(Clone, Default)]
pub(super) struct Case {
    pub(super) unit: usize,
    pub(super) domain: &'static str,
    pub(super) matter: &'static str,
    pub(super) officers: Vec<String>,
    pub(super) error: &'static str,
    pub(super) subjective: Option<bool>,
    pub(super) source: &'static str,
    pub(super) filed: Option<NaiveDate>,
    pub(super) verified: Option<NaiveDate>,
    pub(super) decided: Option<NaiveDate>,
    pub(super) notified: Option<NaiveDate>,
    pub(super) corrected: Option<NaiveDate>,
    pub(super) archived: Option<NaiveDate>,
    pub(super) appraisal: Option<i64>,
    pub(super) extension: Option<i64>,
    pub(super) investigators: i64,
    pub(super) recusal: bool,
    pub(super) hearing: bool,
    pub(super) joint: bool,
    pub(super) transferred: Option<NaiveDate>,
    pub(super) handled: Option<NaiveDate>,
    pub(super) handling_reported: Option<NaiveDate>,
    pub(super) outcome: Option<&'static str>,
    pub(super) clause: Option<(u8, u8)>,
    pub(super) review_applied: Option<NaiveDate>,
    pub(super) review_decided: Option<NaiveDate>,
    pub(super) review_result: Option<&'static str>,
    pub(super) rectify_due: Option<NaiveDate>,
    pub(super) rectify_extended: Option<NaiveDate>,
    pub(super) rectified: Option<NaiveDate>,
    pub(super) complaint: Option<&'static str>,
    pub(super) feedback: Option<NaiveDate>,
    pub(super) clarified: Option<NaiveDate>,
    /// The report was found malicious (art. 22: clarification owed).
    pub(super) malicious: bool,
    pub(super) summary: String,
    /// Plant label: what truth entry this case serves.
    pub(super) plant: Option<Plant>,
}

#[derive(Clone)]
pub(super) enum Plant {
    /// A repeat group member: (group, position in group).
    Repeat(usize, usize),
    Deadline(usize),
}

pub(super) fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    d + Duration::days(n)
}

pub(super) fn limit(d: NaiveDate) -> Option<NaiveDate> {
    (d <= as_of()).then_some(d)
}

pub(super) fn clause_for(rng: &mut ChaCha8Rng, outcome: &str) -> (u8, u8) {
    loop {
        let c = match outcome {
            "履职尽责" => (9, rng.random_range(1..=9)),
            "免责" => (10, rng.random_range(1..=10)),
            "减轻" | "从轻" => {
                if rng.random_bool(0.5) {
                    (10, rng.random_range(1..=10))
                } else {
                    (11, rng.random_range(1..=3))
                }
            }
            _ => (12, rng.random_range(1..=7)),
        };
        // Art. 12(5) is reserved for planted repeats so that background cases
        // never claim a repeat the data does not show.
        if !UNUSED_ITEMS.contains(&c) && c != (12, 5) {
            return c;
        }
    }
}

/// Fill in the process after filing: verification, decision, notification,
/// review, rectification, feedback, archiving — all within the limits unless
/// the draw says late, and nothing after the export date.
pub(super) fn process(rng: &mut ChaCha8Rng, c: &mut Case, established: bool) {
    let filed = c.filed.expect("background cases are filed");
    c.verified = limit(add_days(filed, rng.random_range(2..=8)));
    if rng.random_bool(0.10) {
        c.appraisal = Some(rng.random_range(5..=20));
    }
    if rng.random_bool(0.15) {
        c.extension = Some(rng.random_range(10..=30));
    }
    let allowed = 30 + c.appraisal.unwrap_or(0) + c.extension.unwrap_or(0);
    let took = if rng.random_bool(0.12) {
        allowed + rng.random_range(12..=40)
    } else {
        rng.random_range(8..=allowed)
    };
    if rng.random_bool(0.15) {
        let t = add_days(filed, rng.random_range(1..=5));
        c.transferred = limit(t);
        if c.transferred.is_some() {
            let h = add_days(
                t,
                if rng.random_bool(0.15) {
                    rng.random_range(31..=45)
                } else {
                    rng.random_range(8..=28)
                },
            );
            c.handled = limit(h);
            if c.handled.is_some() {
                c.handling_reported = limit(add_days(
                    h,
                    if rng.random_bool(0.1) {
                        rng.random_range(9..=15)
                    } else {
                        rng.random_range(1..=6)
                    },
                ));
            }
        }
    }
    let decided = add_days(filed, took);
    if decided > as_of() || c.verified.is_none_or(|v| v > decided) {
        return; // still open at export
    }
    c.decided = Some(decided);
    let outcome = if established {
        // A planted risk point: an error is found (one draw, as below).
        *pick(
            rng,
            &[
                ("不予容错", 50.0),
                ("从轻", 20.0),
                ("减轻", 10.0),
                ("免责", 20.0),
            ],
        )
    } else if c.subjective == Some(true) {
        *pick(
            rng,
            &[
                ("不予容错", 60.0),
                ("从轻", 12.0),
                ("减轻", 8.0),
                ("免责", 5.0),
                ("履职尽责", 15.0),
            ],
        )
    } else {
        *pick(
            rng,
            &[
                ("履职尽责", 40.0),
                ("免责", 22.0),
                ("从轻", 12.0),
                ("减轻", 7.0),
                ("不予容错", 19.0),
            ],
        )
    };
    settle(rng, c, outcome);
}

/// Outcome and everything after the decision.
pub(super) fn settle(rng: &mut ChaCha8Rng, c: &mut Case, outcome: &'static str) {
    let decided = c.decided.expect("settled cases are decided");
    c.outcome = Some(outcome);
    if c.clause.is_none() {
        c.clause = Some(clause_for(rng, outcome));
    }
    let notified = add_days(
        decided,
        if rng.random_bool(0.08) {
            rng.random_range(9..=15)
        } else {
            rng.random_range(1..=6)
        },
    );
    c.notified = limit(notified);
    let corrective = matches!(outcome, "不予容错" | "从轻" | "减轻");
    if corrective {
        c.corrected = limit(add_days(decided, rng.random_range(5..=40)));
    }
    if outcome == "不予容错" || (corrective && rng.random_bool(0.4)) {
        let due = add_days(decided, 30);
        c.rectify_due = Some(due);
        let roll = rng.random::<f64>();
        let done = if roll < 0.80 {
            Some(add_days(decided, rng.random_range(5..=30)))
        } else if roll < 0.90 {
            let ext = add_days(due, 30);
            c.rectify_extended = Some(ext);
            Some(add_days(due, rng.random_range(1..=30)))
        } else if roll < 0.95 {
            Some(add_days(due, rng.random_range(3..=20)))
        } else {
            None
        };
        c.rectified = done.and_then(limit);
    }
    if corrective && c.notified.is_some() && rng.random_bool(0.15) {
        let late = rng.random_bool(0.05);
        let applied = add_days(
            notified,
            if late {
                rng.random_range(16..=25)
            } else {
                rng.random_range(1..=15)
            },
        );
        c.review_applied = limit(applied);
        if c.review_applied.is_some() {
            let took = if rng.random_bool(0.05) {
                rng.random_range(31..=45)
            } else {
                rng.random_range(5..=30)
            };
            c.review_decided = limit(add_days(applied, took));
            if c.review_decided.is_some() {
                c.review_result = Some(*pick(
                    rng,
                    &[("维持", 70.0), ("变更", 20.0), ("撤销", 10.0)],
                ));
            }
        }
    }
    if matches!(c.source, "实名举报" | "匿名举报") {
        c.complaint = Some(*pick(
            rng,
            &[
                ("属实", 35.0),
                ("部分属实", 20.0),
                ("不属实", 25.0),
                ("查无实据", 20.0),
            ],
        ));
        let owed =
            matches!(c.complaint, Some("不属实" | "查无实据")) || schema::grants_tolerance(outcome);
        if c.source == "实名举报" && owed && rng.random_bool(0.9) {
            c.feedback = limit(add_days(decided, rng.random_range(1..=10)));
        }
        // Some untrue reports are found malicious (恶意中伤、诬告陷害):
        // clarification is owed for those (art. 22).
        if matches!(c.complaint, Some("不属实")) && rng.random_bool(0.3) {
            c.malicious = true;
            if rng.random_bool(0.8) {
                c.clarified = limit(add_days(decided, rng.random_range(5..=20)));
            }
        }
    }
    let last = [
        c.notified,
        c.corrected,
        c.rectified,
        c.review_decided,
        c.handling_reported,
        Some(decided),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(decided);
    if rng.random_bool(0.85) {
        c.archived = limit(add_days(last, rng.random_range(3..=15)));
    }
}

pub(super) fn summary(
    rng: &mut ChaCha8Rng,
    unit: &Unit,
    matter: &str,
    error: &str,
    officers: &[String],
) -> String {
    let mut s = format!("{}在{}工作中存在“{}”问题", unit.name, matter, error);
    if let Some(o) = officers.first() {
        if rng.random_bool(0.3) {
            let _ = write!(s, "，经办人{}称已按流程办理", officer_name(o));
        }
    }
    match rng.random_range(0..100) {
        0 => s.push_str("；附件<script>alert(1)</script>"),
        1 => s = format!("=HYPERLINK(\"http://example.invalid\",\"{s}\")"),
        2 => s.push_str("，当事人称\"未收到\"告知书,\n已补正"),
        _ => s.push('。'),
    }
    s
}

/// A background case in quarter `q` for unit × domain chosen by volume.
pub(super) fn background(
    rng: &mut ChaCha8Rng,
    units: &[Unit],
    q: &Quarter,
    filed: NaiveDate,
) -> Case {
    let cells: Vec<(usize, usize)> = units
        .iter()
        .enumerate()
        .flat_map(|(u, unit)| (0..unit.domains.len()).map(move |d| (u, d)))
        .collect();
    let weights: Vec<f64> = cells
        .iter()
        .map(|(u, d)| volume(units, *u, *d, q))
        .collect();
    let (u, d) = cells[pick_index(rng, &weights)];
    let error = *pick(rng, ERRORS);
    ordinary_case(rng, units, u, units[u].domains[d].0, error, filed, false)
}

pub(super) fn ordinary_case(
    rng: &mut ChaCha8Rng,
    units: &[Unit],
    u: usize,
    domain: &'static str,
    error: &'static str,
    filed: NaiveDate,
    established: bool,
) -> Case {
    let unit = &units[u];
    let n_off = *pick(rng, &[(0usize, 8.0), (1, 64.0), (2, 23.0), (3, 5.0)]);
    let mut officers: Vec<String> = Vec::new();
    while officers.len() < n_off.min(unit.officers.len()) {
        let o = unit.officers[rng.random_range(0..unit.officers.len())].clone();
        if !officers.contains(&o) {
            officers.push(o);
        }
    }
    let matter = *pick(rng, MATTERS);
    let subjective = match rng.random_range(0..100) {
        0..=14 => Some(true),
        15..=94 => Some(false),
        _ => None,
    };
    // Drawn here, where the struct literal used to draw it: same random sequence.
    let source = *pick(rng, SOURCES);
    let mut c = Case {
        unit: u,
        domain,
        matter,
        error,
        subjective,
        source,
        filed: Some(filed),
        investigators: if rng.random_bool(0.02) {
            1
        } else {
            rng.random_range(2..=3)
        },
        recusal: rng.random_bool(0.005),
        hearing: rng.random_bool(0.03),
        joint: rng.random_bool(0.05),
        summary: summary(rng, unit, matter, error, &officers),
        officers,
        ..Case::default()
    };
    if established {
        // Not a complaint: its finding could clear it.
        c.source = "执法监督检查";
    }
    process(rng, &mut c, established);
    c
}

pub(super) fn plant_case(
    rng: &mut ChaCha8Rng,
    units: &[Unit],
    u: usize,
    error: &'static str,
    filed: NaiveDate,
    officers: Vec<String>,
    subjective: Option<bool>,
) -> Case {
    let unit = &units[u];
    let domain = unit.domains[0].0;
    Case {
        unit: u,
        domain,
        matter: "行政处罚",
        error,
        subjective,
        source: "执法监督检查",
        filed: Some(filed),
        verified: Some(add_days(filed, 3)),
        investigators: 2,
        summary: summary(rng, unit, "行政处罚", error, &officers),
        officers,
        ..Case::default()
    }
}

pub(super) fn decide(
    rng: &mut ChaCha8Rng,
    c: &mut Case,
    after: i64,
    outcome: &'static str,
    clause: (u8, u8),
) {
    c.decided = Some(add_days(c.filed.expect("filed"), after));
    c.clause = Some(clause);
    settle(rng, c, outcome);
}
