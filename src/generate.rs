//! `jiucuo generate`: a realistic synthetic ledger (with roster and volume
//! files) carrying planted patterns, and a truth file listing what was planted.
//!
//! The same rows and seed give the same bytes. Cases are emitted in filing
//! order and written as they are made, so a million rows need little memory.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::schema::{self, FIELDS};

/// The export date of generated data: the as-of date of its planted statuses.
pub fn as_of() -> NaiveDate {
    date(2026, 11, 30)
}

/// First and last filing dates of generated cases.
fn span() -> (NaiveDate, NaiveDate) {
    (date(2025, 3, 1), date(2026, 11, 20))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date")
}

/// Smallest ledger the planted patterns fit in.
pub const MIN_ROWS: usize = 400;

const STREETS: &[&str] = &[
    "山大路街道办事处",
    "洪家楼街道办事处",
    "东风街道办事处",
    "全福街道办事处",
    "华山街道办事处",
    "荷花路街道办事处",
    "王舍人街道办事处",
    "鲍山街道办事处",
    "郭店街道办事处",
    "唐冶街道办事处",
    "港沟街道办事处",
    "彩石街道办事处",
];
const STREET_DOMAINS: &[&str] = &[
    "城市管理",
    "应急管理",
    "生态环境",
    "市场监管",
    "住房城乡建设",
];
const DEPARTMENTS: &[(&str, &[&str])] = &[
    ("区市场监督管理局", &["市场监管"]),
    ("区生态环境分局", &["生态环境"]),
    ("区综合行政执法局", &["城市管理", "住房城乡建设"]),
    ("区应急管理局", &["应急管理"]),
    ("区交通运输局", &["交通运输"]),
    ("区自然资源局", &["自然资源"]),
    ("区住房和城乡建设局", &["住房城乡建设"]),
    ("区卫生健康局", &["卫生健康"]),
    ("区文化和旅游局", &["文化旅游"]),
    ("区农业农村局", &["农业农村"]),
];
const MATTERS: &[(&str, f64)] = &[
    ("行政处罚", 45.0),
    ("行政检查", 20.0),
    ("行政许可", 12.0),
    ("行政强制", 8.0),
    ("行政确认", 3.0),
    ("行政登记", 3.0),
    ("行政收费", 2.0),
    ("行政给付", 2.0),
    ("行政裁决", 2.0),
    ("行政征收征用", 3.0),
];
const ERRORS: &[(&str, f64)] = &[
    ("违反法定程序", 18.0),
    ("事实不清证据不足", 14.0),
    ("适用依据错误", 10.0),
    ("超越职权", 3.0),
    ("滥用职权", 2.0),
    ("不履行法定职责", 8.0),
    ("超期办理", 12.0),
    ("未执行执法公示制度", 6.0),
    ("未执行执法全过程记录制度", 8.0),
    ("未执行重大执法决定法制审核制度", 4.0),
    ("裁量不当", 9.0),
    ("文书瑕疵", 10.0),
    ("应移送未移送", 3.0),
    ("其他", 3.0),
];
const SOURCES: &[(&str, f64)] = &[
    ("执法监督检查", 40.0),
    ("实名举报", 15.0),
    ("匿名举报", 15.0),
    ("上级交办", 12.0),
    ("部门移送", 10.0),
    ("其他", 8.0),
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强", "海燕",
    "晓东",
];
/// Items never cited in generated data (so clause-use tables show zeros).
const UNUSED_ITEMS: &[(u8, u8)] = &[(10, 9), (12, 6), (9, 8)];
const CN_DIGITS: &[&str] = &[
    "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
];

/// What was planted, for tests and for the reader of the demo.
#[derive(Debug, Default, Serialize)]
pub struct Truth {
    pub seed: u64,
    pub rows: usize,
    pub dirty: bool,
    /// Patterns were planted (false: base rates only).
    pub plants: bool,
    pub as_of: String,
    pub findings: Vec<PlantedFinding>,
    pub repeats: Vec<PlantedRepeat>,
    pub not_repeats: Vec<PlantedNotRepeat>,
    pub deadlines: Vec<PlantedDeadline>,
    pub hotspots: Vec<PlantedHotspot>,
    pub unused_clause_items: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlantedFinding {
    pub row: usize,
    pub case_id: String,
    pub column: String,
    pub code: String,
    pub severity: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlantedRepeat {
    pub case_id: String,
    pub officer: String,
    pub kind: String,
    pub prior_case_ids: Vec<String>,
    pub inconsistent: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlantedNotRepeat {
    pub case_id: String,
    pub officer: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlantedDeadline {
    pub case_id: String,
    pub rule: String,
    pub status: String,
    pub deadline: String,
    pub days_late: i64,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlantedHotspot {
    pub window: String,
    pub dims: String,
    pub unit: String,
    pub domain: String,
    pub error_type: String,
    pub signal: String,
    pub planted_cases: usize,
    /// Detectable only with the volume file (unit×domain cells exist only
    /// with volume, rules.md §4).
    pub needs_volume: bool,
}

struct Unit {
    name: &'static str,
    kind: &'static str,
    /// (domain, base quarterly enforcement actions)
    domains: Vec<(&'static str, f64)>,
    officers: Vec<String>,
    reserved: Vec<String>,
}

/// A calendar quarter within the generated span.
#[derive(Clone, Copy)]
struct Quarter {
    year: i32,
    q: u32,
    first: NaiveDate,
    last: NaiveDate,
    /// Share of the quarter inside the span (partial first/last quarters).
    fraction: f64,
}

impl Quarter {
    fn label(&self) -> String {
        format!("{}Q{}", self.year, self.q)
    }
}

fn quarters() -> Vec<Quarter> {
    let (start, end) = span();
    let mut out = Vec::new();
    let (mut y, mut q) = (start.year(), (start.month() - 1) / 3 + 1);
    loop {
        let qfirst = date(y, (q - 1) * 3 + 1, 1);
        let qnext = if q == 4 {
            date(y + 1, 1, 1)
        } else {
            date(y, q * 3 + 1, 1)
        };
        let qlast = qnext - Duration::days(1);
        if qfirst > end {
            break;
        }
        let first = qfirst.max(start);
        let last = qlast.min(end);
        let fraction =
            ((last - first).num_days() + 1) as f64 / ((qlast - qfirst).num_days() + 1) as f64;
        out.push(Quarter {
            year: y,
            q,
            first,
            last,
            fraction,
        });
        if q == 4 {
            y += 1;
            q = 1;
        } else {
            q += 1;
        }
    }
    out
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, f64)]) -> &'a T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

fn pick_index(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn error_share(name: &str) -> f64 {
    let total: f64 = ERRORS.iter().map(|(_, w)| w).sum();
    ERRORS
        .iter()
        .find(|(e, _)| *e == name)
        .map(|(_, w)| w / total)
        .unwrap_or(0.0)
}

fn build_units(rng: &mut ChaCha8Rng, rows: usize) -> Vec<Unit> {
    // about four cases per officer over the pilot, whatever the size
    let extra = rows / (22 * 4);
    let mut units = Vec::new();
    for (u, name) in STREETS.iter().enumerate() {
        let domains = STREET_DOMAINS
            .iter()
            .map(|d| (*d, rng.random_range(150.0..700.0_f64).round()))
            .collect();
        units.push(new_unit(
            rng,
            units.len(),
            name,
            "街道办事处",
            domains,
            6 + u % 5 + extra,
        ));
    }
    for (name, doms) in DEPARTMENTS {
        let domains = doms
            .iter()
            .map(|d| (*d, rng.random_range(700.0..2600.0_f64).round()))
            .collect();
        units.push(new_unit(
            rng,
            units.len(),
            name,
            "区政府部门",
            domains,
            10 + units.len() % 7 + extra,
        ));
    }
    units
}

fn new_unit(
    _rng: &mut ChaCha8Rng,
    index: usize,
    name: &'static str,
    kind: &'static str,
    domains: Vec<(&'static str, f64)>,
    officers: usize,
) -> Unit {
    let officers = (1..=officers)
        .map(|k| format!("370112{:02}{:04}", index + 1, k))
        .collect();
    let reserved = (1..=30)
        .map(|k| format!("370112{:02}9{:04}", index + 1, k))
        .collect();
    Unit {
        name,
        kind,
        domains,
        officers,
        reserved,
    }
}

fn officer_name(id: &str) -> String {
    let h = id.bytes().fold(1469598103934665603u64, |h, b| {
        (h ^ b as u64).wrapping_mul(1099511628211)
    });
    format!(
        "{}{}",
        SURNAMES[(h % SURNAMES.len() as u64) as usize],
        GIVEN[((h / 31) % GIVEN.len() as u64) as usize]
    )
}

/// Volume of a unit × domain in a quarter (seasonal wobble, partial quarters scaled).
fn volume(units: &[Unit], u: usize, d: usize, q: &Quarter) -> f64 {
    let base = units[u].domains[d].1;
    let wobble = 1.0 + 0.02 * (((u * 7 + d * 3 + q.q as usize) % 5) as f64 - 2.0) / 2.0;
    (base * wobble * q.fraction).round().max(1.0)
}

/// One ledger record before formatting.
#[derive(Clone, Default)]
struct Case {
    unit: usize,
    domain: &'static str,
    matter: &'static str,
    officers: Vec<String>,
    error: &'static str,
    subjective: Option<bool>,
    source: &'static str,
    filed: Option<NaiveDate>,
    verified: Option<NaiveDate>,
    decided: Option<NaiveDate>,
    notified: Option<NaiveDate>,
    corrected: Option<NaiveDate>,
    archived: Option<NaiveDate>,
    appraisal: Option<i64>,
    extension: Option<i64>,
    investigators: i64,
    recusal: bool,
    hearing: bool,
    joint: bool,
    transferred: Option<NaiveDate>,
    handled: Option<NaiveDate>,
    handling_reported: Option<NaiveDate>,
    outcome: Option<&'static str>,
    clause: Option<(u8, u8)>,
    review_applied: Option<NaiveDate>,
    review_decided: Option<NaiveDate>,
    review_result: Option<&'static str>,
    rectify_due: Option<NaiveDate>,
    rectify_extended: Option<NaiveDate>,
    rectified: Option<NaiveDate>,
    complaint: Option<&'static str>,
    feedback: Option<NaiveDate>,
    clarified: Option<NaiveDate>,
    /// The report was found malicious (art. 22: clarification owed).
    malicious: bool,
    summary: String,
    /// Plant label: what truth entry this case serves.
    plant: Option<Plant>,
}

#[derive(Clone)]
enum Plant {
    /// A repeat group member: (group, position in group).
    Repeat(usize, usize),
    Deadline(usize),
}

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    d + Duration::days(n)
}

fn limit(d: NaiveDate) -> Option<NaiveDate> {
    (d <= as_of()).then_some(d)
}

fn clause_for(rng: &mut ChaCha8Rng, outcome: &str) -> (u8, u8) {
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
fn process(rng: &mut ChaCha8Rng, c: &mut Case, established: bool) {
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
fn settle(rng: &mut ChaCha8Rng, c: &mut Case, outcome: &'static str) {
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

fn summary(
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
fn background(rng: &mut ChaCha8Rng, units: &[Unit], q: &Quarter, filed: NaiveDate) -> Case {
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

fn ordinary_case(
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

/// Planted cases for the repeat analysis (art. 12(5)); truth resolved after ids.
struct RepeatGroup {
    kind: &'static str,
    /// expected flags: (member index, officer, kind, prior member indices, inconsistent)
    flags: Vec<(usize, String, &'static str, Vec<usize>, bool)>,
    /// members that must not be flagged: (member, officer, why)
    clean: Vec<(usize, String, &'static str)>,
    members: Vec<Case>,
}

fn plant_case(
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

fn decide(rng: &mut ChaCha8Rng, c: &mut Case, after: i64, outcome: &'static str, clause: (u8, u8)) {
    c.decided = Some(add_days(c.filed.expect("filed"), after));
    c.clause = Some(clause);
    settle(rng, c, outcome);
}

fn repeat_groups(rng: &mut ChaCha8Rng, units: &[Unit]) -> Vec<RepeatGroup> {
    let mut groups = Vec::new();
    let mut next_reserved: HashMap<usize, usize> = HashMap::new();
    let mut officer = |u: usize| {
        let k = next_reserved.entry(u).or_insert(0);
        *k += 1;
        units[u].reserved[*k - 1].clone()
    };
    for round in 0..2 {
        let base = |rng: &mut ChaCha8Rng| {
            let u = rng.random_range(0..units.len());
            // never the catch-all 其他, which is not "the same problem"
            let error = loop {
                let e = *pick(rng, ERRORS);
                if e != crate::analysis::repeats::CATCH_ALL {
                    break e;
                }
            };
            let d = add_days(date(2025, 4, 1), rng.random_range(0..420) + round * 7);
            (u, error, d)
        };
        // a. same problem, both subjective → R-subjective
        let (u, e, d) = base(rng);
        let o = officer(u);
        let mut a = plant_case(rng, units, u, e, d, vec![o.clone()], Some(true));
        decide(rng, &mut a, 20, "不予容错", (12, 1));
        let mut b = plant_case(
            rng,
            units,
            u,
            e,
            add_days(d, 60),
            vec![o.clone()],
            Some(true),
        );
        decide(rng, &mut b, 20, "不予容错", (12, 5));
        groups.push(RepeatGroup {
            kind: "subjective",
            flags: vec![(1, o, "R-subjective", vec![0], false)],
            clean: vec![],
            members: vec![a, b],
        });
        // b. after tolerance → R-after-tolerance
        let (u, e, d) = base(rng);
        let o = officer(u);
        let mut a = plant_case(rng, units, u, e, d, vec![o.clone()], Some(false));
        decide(rng, &mut a, 20, "免责", (10, 2));
        let mut b = plant_case(
            rng,
            units,
            u,
            e,
            add_days(d, 50),
            vec![o.clone()],
            Some(false),
        );
        decide(rng, &mut b, 20, "不予容错", (12, 5));
        groups.push(RepeatGroup {
            kind: "after-tolerance",
            flags: vec![(1, o, "R-after-tolerance", vec![0], false)],
            clean: vec![],
            members: vec![a, b],
        });
        // c. both kinds, and the later case tolerated anyway → inconsistent
        let (u, e, d) = base(rng);
        let o = officer(u);
        let mut a = plant_case(rng, units, u, e, d, vec![o.clone()], Some(true));
        decide(rng, &mut a, 20, "从轻", (10, 1));
        let mut b = plant_case(
            rng,
            units,
            u,
            e,
            add_days(d, 45),
            vec![o.clone()],
            Some(true),
        );
        decide(rng, &mut b, 20, "免责", (10, 3));
        groups.push(RepeatGroup {
            kind: "inconsistent",
            flags: vec![
                (1, o.clone(), "R-subjective", vec![0], true),
                (1, o, "R-after-tolerance", vec![0], true),
            ],
            clean: vec![],
            members: vec![a, b],
        });
        // d. earlier tolerance decided only after the later case was filed → not a repeat
        let (u, e, d) = base(rng);
        let o = officer(u);
        let mut a = plant_case(rng, units, u, e, d, vec![o.clone()], Some(false));
        decide(rng, &mut a, 30, "免责", (10, 4));
        let mut b = plant_case(
            rng,
            units,
            u,
            e,
            add_days(d, 10),
            vec![o.clone()],
            Some(false),
        );
        decide(rng, &mut b, 30, "不予容错", (12, 2));
        groups.push(RepeatGroup {
            kind: "tolerance-decided-later",
            flags: vec![],
            clean: vec![(1, o, "在先容错决定晚于本案立案")],
            members: vec![a, b],
        });
        // e. multi-officer cases count for each officer
        let (u, e, d) = base(rng);
        let (o1, o2, o3) = (officer(u), officer(u), officer(u));
        let mut a = plant_case(
            rng,
            units,
            u,
            e,
            d,
            vec![o1.clone(), o2.clone()],
            Some(true),
        );
        decide(rng, &mut a, 20, "不予容错", (12, 1));
        let b = plant_case(
            rng,
            units,
            u,
            e,
            add_days(d, 30),
            vec![o1.clone()],
            Some(true),
        );
        let c = plant_case(
            rng,
            units,
            u,
            e,
            add_days(d, 40),
            vec![o2.clone(), o3.clone()],
            Some(true),
        );
        groups.push(RepeatGroup {
            kind: "multi-officer",
            flags: vec![
                (1, o1, "R-subjective", vec![0], false),
                (2, o2, "R-subjective", vec![0], false),
            ],
            clean: vec![(2, o3, "该人员此前无同类案件")],
            members: vec![a, b, c],
        });
        // f. two cases filed and decided the same day: ordered by case id
        let (u, e, d) = base(rng);
        let o = officer(u);
        let mut a = plant_case(rng, units, u, e, d, vec![o.clone()], Some(true));
        decide(rng, &mut a, 0, "不予容错", (12, 1));
        let mut b = plant_case(rng, units, u, e, d, vec![o.clone()], Some(true));
        decide(rng, &mut b, 0, "不予容错", (12, 1));
        groups.push(RepeatGroup {
            kind: "same-day",
            flags: vec![(1, o, "R-subjective", vec![0], false)],
            clean: vec![],
            members: vec![a, b],
        });
        // g. an empty subjective_fault is not 是
        let (u, e, d) = base(rng);
        let o = officer(u);
        let a = plant_case(rng, units, u, e, d, vec![o.clone()], Some(true));
        let b = plant_case(rng, units, u, e, add_days(d, 30), vec![o.clone()], None);
        groups.push(RepeatGroup {
            kind: "empty-subjective",
            flags: vec![],
            clean: vec![(1, o, "主观过错为空，不视为“是”")],
            members: vec![a, b],
        });
        // h. a mitigation under art. 11 is not 容错免责 treatment
        let (u, e, d) = base(rng);
        let o = officer(u);
        let mut a = plant_case(rng, units, u, e, d, vec![o.clone()], Some(false));
        decide(rng, &mut a, 20, "减轻", (11, 2));
        let b = plant_case(
            rng,
            units,
            u,
            e,
            add_days(d, 40),
            vec![o.clone()],
            Some(false),
        );
        groups.push(RepeatGroup {
            kind: "art11-mitigation",
            flags: vec![],
            clean: vec![(1, o, "在先案件依第十一条减轻处理，不属容错免责处理")],
            members: vec![a, b],
        });
        // i. an earlier case found 履职尽责 establishes no error
        let (u, e, d) = base(rng);
        let o = officer(u);
        let mut a = plant_case(rng, units, u, e, d, vec![o.clone()], Some(true));
        decide(rng, &mut a, 20, "履职尽责", (9, 3));
        let b = plant_case(
            rng,
            units,
            u,
            e,
            add_days(d, 40),
            vec![o.clone()],
            Some(true),
        );
        groups.push(RepeatGroup {
            kind: "prior-no-error",
            flags: vec![],
            clean: vec![(1, o, "在先案件认定为履职尽责")],
            members: vec![a, b],
        });
        // j. an earlier case still undecided establishes nothing
        let (u, e, d) = base(rng);
        let o = officer(u);
        let a = plant_case(rng, units, u, e, d, vec![o.clone()], Some(true));
        let b = plant_case(
            rng,
            units,
            u,
            e,
            add_days(d, 40),
            vec![o.clone()],
            Some(true),
        );
        groups.push(RepeatGroup {
            kind: "prior-undecided",
            flags: vec![],
            clean: vec![(1, o, "在先案件尚未认定")],
            members: vec![a, b],
        });
        // k. the catch-all type is never the same problem
        let (u, _, d) = base(rng);
        let o = officer(u);
        let mut a = plant_case(rng, units, u, "其他", d, vec![o.clone()], Some(true));
        decide(rng, &mut a, 20, "不予容错", (12, 1));
        let b = plant_case(
            rng,
            units,
            u,
            "其他",
            add_days(d, 40),
            vec![o.clone()],
            Some(true),
        );
        groups.push(RepeatGroup {
            kind: "catch-all",
            flags: vec![],
            clean: vec![(1, o, "“其他”不视为同一问题")],
            members: vec![a, b],
        });
    }
    groups
}

/// (filed, decided, notified, appraisal, extension, rule, status, deadline, days_late, why)
type DeadlinePlant = (
    NaiveDate,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<i64>,
    Option<i64>,
    &'static str,
    &'static str,
    NaiveDate,
    i64,
    &'static str,
);

/// Deadline plants, worked out by hand from the 2025/2026 holiday schedule
/// for the as-of date 2026-11-30.
fn deadline_plants(dirty: bool) -> Vec<DeadlinePlant> {
    let d = date;
    vec![
        (
            d(2025, 9, 6),
            Some(d(2025, 10, 9)),
            Some(d(2025, 10, 10)),
            None,
            None,
            "D17-decide",
            "met",
            d(2025, 10, 9),
            0,
            "30日届满于2025-10-06（国庆中秋假期），顺延至10-09",
        ),
        (
            d(2025, 9, 6),
            Some(d(2025, 10, 10)),
            Some(d(2025, 10, 11)),
            None,
            None,
            "D17-decide",
            "late",
            d(2025, 10, 9),
            1,
            "顺延后期限10-09，10-10认定，逾期1日",
        ),
        (
            d(2026, 1, 17),
            Some(d(2026, 2, 24)),
            Some(d(2026, 2, 25)),
            None,
            None,
            "D17-decide",
            "met",
            d(2026, 2, 24),
            0,
            "30日届满于2026-02-16（春节假期），顺延至02-24",
        ),
        (
            d(2026, 2, 2),
            Some(d(2026, 2, 21)),
            Some(d(2026, 3, 2)),
            None,
            None,
            "D17-notify",
            "late",
            d(2026, 2, 28),
            2,
            "7日届满于2026-02-28（调休上班的星期六），不顺延；03-02告知，逾期2日",
        ),
        (
            d(2025, 6, 2),
            Some(d(2025, 7, 14)),
            Some(d(2025, 7, 15)),
            Some(10),
            None,
            "D17-decide",
            "met",
            d(2025, 7, 14),
            0,
            "30日+技术调查10日届满于2025-07-12（星期六），顺延至07-14",
        ),
        (
            d(2025, 4, 1),
            Some(d(2025, 6, 3)),
            Some(d(2025, 6, 4)),
            None,
            Some(if dirty { 45 } else { 30 }),
            "D17-decide",
            "met",
            d(2025, 6, 5),
            0,
            "30日届满于2025-05-01（劳动节假期），顺延至05-06；批准延长（超过30日的部分不计）自05-06起算30日，届满于06-05",
        ),
        (
            d(2026, 9, 1),
            None,
            None,
            None,
            None,
            "D17-decide",
            "overdue",
            d(2026, 10, 8),
            53,
            "30日届满于2026-10-01（国庆假期），顺延至10-08；至11-30未认定，逾期53日",
        ),
        (
            d(2026, 11, 3),
            None,
            None,
            None,
            None,
            "D17-decide",
            "due-soon",
            d(2026, 12, 3),
            0,
            "期限2026-12-03，至11-30仅余3个工作日",
        ),
        (
            d(2026, 11, 20),
            None,
            None,
            None,
            None,
            "D17-decide",
            "pending",
            d(2026, 12, 21),
            0,
            "30日届满于2026-12-20（星期日），顺延至12-21",
        ),
    ]
}

/// Hotspot plants: extra cases making a cell stand out, sized to the data.
struct HotspotPlant {
    quarter: usize,
    dims: &'static str,
    unit: Option<usize>,
    domain: Option<&'static str>,
    error: Option<&'static str>,
    signal: &'static str,
    cases: usize,
}

/// Cases planted in a cell whose expected count (all cases) is `expected`:
/// enough that the cell stands out after multiple-testing correction even
/// when, without volume, the planted cases raise the unit's own expectation.
fn plant_size(expected: f64) -> usize {
    (2.0 * expected + 8.0 * expected.sqrt() + 10.0)
        .ceil()
        .max(16.0) as usize
}

fn hotspot_plants(
    rng: &mut ChaCha8Rng,
    units: &[Unit],
    qs: &[Quarter],
    q_weights: &[f64],
    rows: usize,
) -> Vec<HotspotPlant> {
    let total_w: f64 = q_weights.iter().sum();
    let q_index = |label: &str| {
        qs.iter()
            .position(|q| q.label() == label)
            .expect("quarter in span")
    };
    let unit_share = |u: usize, qi: usize| -> f64 {
        let q = &qs[qi];
        let all: f64 = (0..units.len())
            .flat_map(|x| (0..units[x].domains.len()).map(move |d| (x, d)))
            .map(|(x, d)| volume(units, x, d, q))
            .sum();
        let mine: f64 = (0..units[u].domains.len())
            .map(|d| volume(units, u, d, q))
            .sum();
        mine / all
    };
    let cases_in = |qi: usize| rows as f64 * q_weights[qi] / total_w;
    let street = rng.random_range(0..STREETS.len());
    let dept = STREETS.len() + rng.random_range(0..DEPARTMENTS.len());
    let other_street = (street + 1 + rng.random_range(0..STREETS.len() - 1)) % STREETS.len();
    let mut out = Vec::new();
    // concentrated unit × error_type in 2026Q2
    let qi = q_index("2026Q2");
    let e = "未执行执法全过程记录制度";
    out.push(HotspotPlant {
        quarter: qi,
        dims: "unit×error_type",
        unit: Some(street),
        domain: None,
        error: Some(e),
        signal: "concentrated",
        cases: plant_size(cases_in(qi) * unit_share(street, qi) * error_share(e)),
    });
    // concentrated domain × error_type in 2025Q4
    let qi = q_index("2025Q4");
    let e = "应移送未移送";
    let dom = "生态环境";
    let dom_share: f64 = {
        let q = &qs[qi];
        let all: f64 = (0..units.len())
            .flat_map(|x| (0..units[x].domains.len()).map(move |d| (x, d)))
            .map(|(x, d)| volume(units, x, d, q))
            .sum();
        let mine: f64 = (0..units.len())
            .flat_map(|x| (0..units[x].domains.len()).map(move |d| (x, d)))
            .filter(|(x, d)| units[*x].domains[*d].0 == dom)
            .map(|(x, d)| volume(units, x, d, q))
            .sum();
        mine / all
    };
    out.push(HotspotPlant {
        quarter: qi,
        dims: "domain×error_type",
        unit: None,
        domain: Some(dom),
        error: Some(e),
        signal: "concentrated",
        cases: plant_size(cases_in(qi) * dom_share * error_share(e)),
    });
    // rising unit × domain in 2026Q3 (a department, its main domain)
    let qi = q_index("2026Q3");
    let share = volume(units, dept, 0, &qs[qi])
        / (0..units.len())
            .flat_map(|x| (0..units[x].domains.len()).map(move |d| (x, d)))
            .map(|(x, d)| volume(units, x, d, &qs[qi]))
            .sum::<f64>();
    out.push(HotspotPlant {
        quarter: qi,
        dims: "unit×domain",
        unit: Some(dept),
        domain: Some(units[dept].domains[0].0),
        error: None,
        signal: "rising",
        cases: plant_size(cases_in(qi) * share),
    });
    // persistent unit × error_type in 2025Q3 and 2025Q4
    let e = "超期办理";
    for label in ["2025Q3", "2025Q4"] {
        let qi = q_index(label);
        out.push(HotspotPlant {
            quarter: qi,
            dims: "unit×error_type",
            unit: Some(other_street),
            domain: None,
            error: Some(e),
            signal: if label == "2025Q4" {
                "persistent"
            } else {
                "concentrated"
            },
            cases: plant_size(cases_in(qi) * unit_share(other_street, qi) * error_share(e)),
        });
    }
    out
}

fn hotspot_cases(
    rng: &mut ChaCha8Rng,
    units: &[Unit],
    qs: &[Quarter],
    plant: &HotspotPlant,
) -> Vec<Case> {
    let q = &qs[plant.quarter];
    let days = (q.last - q.first).num_days();
    (0..plant.cases)
        .map(|_| {
            let filed = add_days(q.first, rng.random_range(0..=days));
            let (u, domain) = match (plant.unit, plant.domain) {
                (Some(u), Some(d)) => (u, d),
                (Some(u), None) => (
                    u,
                    units[u].domains[rng.random_range(0..units[u].domains.len())].0,
                ),
                (None, Some(d)) => {
                    let having: Vec<usize> = (0..units.len())
                        .filter(|x| units[*x].domains.iter().any(|(n, _)| *n == d))
                        .collect();
                    (having[rng.random_range(0..having.len())], d)
                }
                (None, None) => unreachable!("a plant names a unit or a domain"),
            };
            let error = plant.error.unwrap_or_else(|| *pick(rng, ERRORS));
            ordinary_case(rng, units, u, domain, error, filed, true)
        })
        .collect()
}

fn fmt_date(rng: &mut ChaCha8Rng, d: Option<NaiveDate>) -> String {
    let Some(d) = d else { return String::new() };
    match rng.random_range(0..100) {
        0..=69 => d.format("%Y-%m-%d").to_string(),
        70..=79 => format!("{}/{}/{}", d.year(), d.month(), d.day()),
        80..=87 => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        88..=94 => d.format("%Y%m%d").to_string(),
        _ => format!("{}.{}.{}", d.year(), d.month(), d.day()),
    }
}

fn fmt_clause(rng: &mut ChaCha8Rng, c: Option<(u8, u8)>) -> String {
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

fn fmt_bool(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

fn csv_cell(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// The formatted cells of one case, in FIELDS order.
fn cells(rng: &mut ChaCha8Rng, units: &[Unit], c: &Case, id: &str) -> Vec<String> {
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

fn col(name: &str) -> usize {
    FIELDS
        .iter()
        .position(|f| f.name == name)
        .expect("known field")
}

/// One dirty mutation: (column, new value, code, severity, finding column field).
struct Dirt {
    field: &'static str,
    value: &'static str,
    code: &'static str,
    severity: &'static str,
}

const DIRT: &[Dirt] = &[
    Dirt {
        field: schema::CASE_ID,
        value: "",
        code: "required-missing",
        severity: "error",
    },
    Dirt {
        field: schema::UNIT,
        value: " ",
        code: "required-missing",
        severity: "error",
    },
    Dirt {
        field: schema::FILED_ON,
        value: "-",
        code: "required-missing",
        severity: "error",
    },
    Dirt {
        field: schema::DECIDED_ON,
        value: "2025-13-01",
        code: "date-invalid",
        severity: "error",
    },
    Dirt {
        field: schema::FILED_ON,
        value: "2025-02-30",
        code: "date-invalid",
        severity: "error",
    },
    Dirt {
        field: schema::MATTER_TYPE,
        value: "行政奖励",
        code: "enum-invalid",
        severity: "error",
    },
    Dirt {
        field: schema::OUTCOME,
        value: "部分免责",
        code: "enum-invalid",
        severity: "error",
    },
    Dirt {
        field: schema::CASE_ID,
        value: "<dup>",
        code: "duplicate-case",
        severity: "error",
    },
    Dirt {
        field: schema::ERROR_TYPE,
        value: "执法态度问题",
        code: "error-type-unknown",
        severity: "warning",
    },
    Dirt {
        field: schema::CLAUSE,
        value: "第X条",
        code: "clause-invalid",
        severity: "warning",
    },
    Dirt {
        field: schema::CLAUSE,
        value: "第九条第（十二）项",
        code: "clause-out-of-range",
        severity: "warning",
    },
    Dirt {
        field: schema::CLAUSE,
        value: "<mismatch>",
        code: "clause-outcome-mismatch",
        severity: "warning",
    },
    Dirt {
        field: schema::VERIFIED_ON,
        value: "<before-filed>",
        code: "chronology",
        severity: "warning",
    },
    Dirt {
        field: schema::FILED_ON,
        value: "2025-01-15",
        code: "outside-pilot",
        severity: "warning",
    },
    Dirt {
        field: schema::INVESTIGATORS,
        value: "若干",
        code: "int-invalid",
        severity: "warning",
    },
    Dirt {
        field: schema::SUBJECTIVE_FAULT,
        value: "不详",
        code: "bool-invalid",
        severity: "warning",
    },
    Dirt {
        field: schema::SOURCE,
        value: "群众来电",
        code: "enum-unknown",
        severity: "warning",
    },
];

/// Everything a generation run produces.
pub struct Dataset {
    pub ledger_csv: String,
    pub roster_csv: String,
    pub volume_csv: String,
    pub truth: Truth,
}

/// Generate a dataset of `rows` cases, with every planted pattern.
pub fn generate(rows: usize, seed: u64, dirty: bool) -> Result<Dataset> {
    generate_with(rows, seed, dirty, true)
}

/// Generate a dataset of `rows` cases; `plants` = false plants nothing (no
/// repeats, deadline or risk-point patterns: base rates only, for measuring
/// false alarms).
pub fn generate_with(rows: usize, seed: u64, dirty: bool, plants: bool) -> Result<Dataset> {
    if rows < MIN_ROWS {
        bail!("--rows 至少为 {MIN_ROWS}（埋设的规律需要足够的案件）");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let units = build_units(&mut rng, rows);
    let qs = quarters();
    let q_weights: Vec<f64> = qs
        .iter()
        .map(|q| {
            (0..units.len())
                .flat_map(|u| (0..units[u].domains.len()).map(move |d| (u, d)))
                .map(|(u, d)| volume(&units, u, d, q))
                .sum()
        })
        .collect();

    // Planted cases first, so the background fills up to `rows`.
    let mut planted: Vec<Case> = Vec::new();
    let groups = if plants {
        repeat_groups(&mut rng, &units)
    } else {
        Vec::new()
    };
    for (g, group) in groups.iter().enumerate() {
        for (m, member) in group.members.iter().enumerate() {
            let mut c = member.clone();
            c.plant = Some(Plant::Repeat(g, m));
            planted.push(c);
        }
    }
    let deadlines = if plants {
        deadline_plants(dirty)
    } else {
        Vec::new()
    };
    for (i, p) in deadlines.iter().enumerate() {
        let u = rng.random_range(0..units.len());
        let mut c = plant_case(&mut rng, &units, u, "超期办理", p.0, vec![], Some(false));
        c.appraisal = p.3;
        c.extension = p.4;
        if let Some(decided) = p.1 {
            c.decided = Some(decided);
            c.clause = Some((9, 1));
            settle(&mut rng, &mut c, "履职尽责");
            c.notified = p.2;
            c.archived = None;
        }
        c.plant = Some(Plant::Deadline(i));
        planted.push(c);
    }
    let hot = if plants {
        hotspot_plants(&mut rng, &units, &qs, &q_weights, rows)
    } else {
        Vec::new()
    };
    for plant in &hot {
        planted.extend(hotspot_cases(&mut rng, &units, &qs, plant));
    }
    if planted.len() + 50 > rows {
        bail!("--rows {rows} 太少：埋设案件已有 {} 件", planted.len());
    }
    planted.sort_by_key(|c| c.filed);

    // Background filing dates, sorted, weighted by quarterly volume.
    let n_background = rows - planted.len();
    let mut filed: Vec<(usize, NaiveDate)> = (0..n_background)
        .map(|_| {
            let qi = pick_index(&mut rng, &q_weights);
            let q = &qs[qi];
            (
                qi,
                add_days(q.first, rng.random_range(0..=(q.last - q.first).num_days())),
            )
        })
        .collect();
    filed.sort_by_key(|x| x.1);

    // Dirty rows: distinct background cases (never a planted one), one
    // mutation each; the duplicate copies an id from early in the file.
    let mut dirt_at: HashMap<usize, usize> = HashMap::new();
    let mut dup_source: Option<usize> = None;
    if dirty {
        let mut taken = std::collections::HashSet::new();
        for k in 0..DIRT.len() {
            loop {
                let bg = rng.random_range(n_background / 10..n_background);
                if taken.insert(bg) {
                    dirt_at.insert(bg, k);
                    break;
                }
            }
        }
        dup_source = Some(rng.random_range(0..n_background / 10));
    }

    let mut truth = Truth {
        seed,
        rows,
        dirty,
        plants,
        as_of: as_of().to_string(),
        unused_clause_items: UNUSED_ITEMS
            .iter()
            .map(|(a, i)| format!("{a}.{i}"))
            .collect(),
        ..Truth::default()
    };
    let mut out = String::with_capacity(rows * 420);
    out.push('\u{FEFF}');
    out.push_str(
        &FIELDS
            .iter()
            .map(|f| f.header)
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push('\n');
    let mut member_ids: HashMap<(usize, usize), String> = HashMap::new();
    let mut seq_per_year: HashMap<i32, usize> = HashMap::new();
    let mut dup_id: Option<String> = None;
    let mut dup_row = 0usize;
    let (mut bi, mut pi) = (0usize, 0usize);
    for pos in 0..rows {
        let take_planted =
            pi < planted.len() && (bi >= filed.len() || planted[pi].filed <= Some(filed[bi].1));
        let (case, bg) = if take_planted {
            pi += 1;
            (planted[pi - 1].clone(), None)
        } else {
            let (qi, d) = filed[bi];
            bi += 1;
            (background(&mut rng, &units, &qs[qi], d), Some(bi - 1))
        };
        let year = case.filed.map(|d| d.year()).unwrap_or(2025);
        let seq = seq_per_year.entry(year).or_insert(0);
        *seq += 1;
        let id = format!("JC{year}-{:06}", *seq);
        match &case.plant {
            Some(Plant::Repeat(g, m)) => {
                member_ids.insert((*g, *m), id.clone());
            }
            Some(Plant::Deadline(i)) => {
                let p = &deadlines[*i];
                truth.deadlines.push(PlantedDeadline {
                    case_id: id.clone(),
                    rule: p.5.into(),
                    status: p.6.into(),
                    deadline: p.7.to_string(),
                    days_late: p.8,
                    why: p.9.into(),
                });
            }
            None => {}
        }
        let mut row = cells(&mut rng, &units, &case, &id);
        if bg.is_some() && bg == dup_source {
            dup_id = Some(id.clone());
            dup_row = pos + 2;
        }
        if let Some(k) = bg.and_then(|b| dirt_at.get(&b)) {
            let dirt = &DIRT[*k];
            let c = col(dirt.field);
            let value = match dirt.value {
                "<dup>" => dup_id.clone().unwrap_or_default(),
                "<mismatch>" => {
                    // a clause of art. 12 on a case granted tolerance, or art. 9 otherwise
                    row[col(schema::OUTCOME)] = "免责".into();
                    if row[col(schema::DECIDED_ON)].is_empty() {
                        let d = case.filed.map(|f| add_days(f, 20)).unwrap_or(as_of());
                        row[col(schema::DECIDED_ON)] = d.to_string();
                    }
                    "第十二条第（一）项".into()
                }
                "<before-filed>" => case
                    .filed
                    .map(|f| add_days(f, -3).to_string())
                    .unwrap_or_default(),
                v => v.to_string(),
            };
            row[c] = value;
            if dirt.field == schema::FILED_ON && dirt.code == "outside-pilot" {
                // keep the rest of the record consistent with the earlier filing
                for later in [
                    schema::VERIFIED_ON,
                    schema::DECIDED_ON,
                    schema::NOTIFIED_ON,
                    schema::CORRECTED_ON,
                    schema::ARCHIVED_ON,
                    schema::TRANSFERRED_ON,
                    schema::REVIEW_APPLIED_ON,
                    schema::HANDLED_ON,
                    schema::HANDLING_REPORTED_ON,
                    schema::REVIEW_DECIDED_ON,
                ] {
                    row[col(later)] = String::new();
                }
                for rest in [
                    schema::OUTCOME,
                    schema::CLAUSE,
                    schema::REVIEW_RESULT,
                    schema::RECTIFY_DUE,
                    schema::RECTIFY_EXTENDED_TO,
                    schema::RECTIFIED_ON,
                    schema::REPORTER_FEEDBACK_ON,
                    schema::CLARIFIED_ON,
                    schema::MALICIOUS_REPORT,
                    schema::COMPLAINT_FINDING,
                ] {
                    row[col(rest)] = String::new();
                }
            }
            let reported_id = if dirt.field == schema::CASE_ID && dirt.code == "required-missing" {
                String::new()
            } else {
                row[0].clone()
            };
            truth.findings.push(PlantedFinding {
                row: pos + 2,
                case_id: reported_id,
                column: schema::header_of(dirt.field).to_string(),
                code: dirt.code.into(),
                severity: dirt.severity.into(),
            });
            if dirt.code == "duplicate-case" {
                truth.findings.push(PlantedFinding {
                    row: dup_row,
                    case_id: row[0].clone(),
                    column: schema::header_of(schema::CASE_ID).to_string(),
                    code: "duplicate-kept".into(),
                    severity: "warning".into(),
                });
            }
        }
        if case.extension.is_some_and(|days| days > 30) {
            // The dirty deadline plant's over-long extension (art. 17 allows 30).
            truth.findings.push(PlantedFinding {
                row: pos + 2,
                case_id: row[0].clone(),
                column: schema::header_of(schema::EXTENSION_DAYS).to_string(),
                code: "extension-over-30".into(),
                severity: "warning".into(),
            });
        }
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_cell(&mut out, cell);
        }
        out.push('\n');
    }
    truth
        .findings
        .sort_by(|a, b| (a.row, &a.code).cmp(&(b.row, &b.code)));

    for (g, group) in groups.iter().enumerate() {
        let id = |m: usize| member_ids[&(g, m)].clone();
        for (m, officer, kind, priors, inconsistent) in &group.flags {
            let mut prior_ids: Vec<String> = priors.iter().map(|p| id(*p)).collect();
            let mut this = id(*m);
            if group.kind == "same-day" && this < prior_ids[0] {
                std::mem::swap(&mut this, &mut prior_ids[0]);
            }
            truth.repeats.push(PlantedRepeat {
                case_id: this,
                officer: officer.clone(),
                kind: (*kind).into(),
                prior_case_ids: prior_ids,
                inconsistent: *inconsistent,
            });
        }
        for (m, officer, why) in &group.clean {
            truth.not_repeats.push(PlantedNotRepeat {
                case_id: id(*m),
                officer: officer.clone(),
                why: (*why).into(),
            });
        }
    }
    for plant in &hot {
        truth.hotspots.push(PlantedHotspot {
            window: qs[plant.quarter].label(),
            dims: plant.dims.into(),
            unit: plant
                .unit
                .map(|u| units[u].name.to_string())
                .unwrap_or_default(),
            domain: plant.domain.unwrap_or("").into(),
            error_type: plant.error.unwrap_or("").into(),
            signal: plant.signal.into(),
            planted_cases: plant.cases,
            needs_volume: plant.dims == "unit×domain",
        });
    }

    let mut roster = String::from("\u{FEFF}执法证号,姓名,执法单位,人员类别\n");
    for unit in &units {
        for (k, o) in unit.officers.iter().chain(&unit.reserved).enumerate() {
            let kind = if k % 9 == 8 {
                "辅助人员"
            } else {
                "执法证"
            };
            let _ = writeln!(roster, "{o},{},{},{kind}", officer_name(o), unit.name);
        }
    }
    let mut vol = String::from("\u{FEFF}执法单位,执法领域,季度,执法量\n");
    for q in &qs {
        for (u, unit) in units.iter().enumerate() {
            for (d, (domain, _)) in unit.domains.iter().enumerate() {
                let _ = writeln!(
                    vol,
                    "{},{domain},{},{}",
                    unit.name,
                    q.label(),
                    volume(&units, u, d, q) as i64
                );
            }
        }
    }
    Ok(Dataset {
        ledger_csv: out,
        roster_csv: roster,
        volume_csv: vol,
        truth,
    })
}

/// Generate and write ledger.csv, roster.csv, volume.csv and truth.json into `dir`.
pub fn write_dataset(
    dir: &Path,
    rows: usize,
    seed: u64,
    dirty: bool,
    plants: bool,
) -> Result<Vec<PathBuf>> {
    let data = generate_with(rows, seed, dirty, plants)?;
    let files = [
        ("ledger.csv", data.ledger_csv.into_bytes()),
        ("roster.csv", data.roster_csv.into_bytes()),
        ("volume.csv", data.volume_csv.into_bytes()),
        ("truth.json", serde_json::to_vec_pretty(&data.truth)?),
    ];
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        crate::fsutil::write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
