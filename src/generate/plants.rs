//! The planted patterns: repeat groups (art. 12(5), with the cases that must
//! not be flagged), deadlines worked out by hand from the holiday schedule,
//! and risk points sized to stand out after the multiple-testing correction.

use std::collections::HashMap;

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::cases::{add_days, decide, ordinary_case, plant_case, settle, Case, Plant};
use super::truth::{PlantedHotspot, PlantedNotRepeat, PlantedNoticeEffect, PlantedRepeat, Truth};
use super::world::{
    date, error_share, pick, volume, Quarter, Unit, World, DEPARTMENTS, ERRORS, STREETS,
};

/// Planted cases for the repeat analysis (art. 12(5)); truth resolved after ids.
pub(super) struct RepeatGroup {
    pub(super) kind: &'static str,
    /// expected flags: (member index, officer, kind, prior member indices, inconsistent)
    pub(super) flags: Vec<(usize, String, &'static str, Vec<usize>, bool)>,
    /// members that must not be flagged: (member, officer, why)
    pub(super) clean: Vec<(usize, String, &'static str)>,
    pub(super) members: Vec<Case>,
}

/// What the repeat groups draw from: the units, the reserved officers each
/// unit still has, and the round (the second round's dates are a week later).
pub(super) struct Drawer<'a> {
    units: &'a [Unit],
    next_reserved: HashMap<usize, usize>,
    round: i64,
}

impl Drawer<'_> {
    /// The next reserved officer of unit `u` (never in background cases).
    fn officer(&mut self, u: usize) -> String {
        let k = self.next_reserved.entry(u).or_insert(0);
        *k += 1;
        self.units[u].reserved[*k - 1].clone()
    }

    /// A unit, an error type (never the catch-all 其他, which is not "the
    /// same problem") and a first filing date.
    fn base(&self, rng: &mut ChaCha8Rng) -> (usize, &'static str, NaiveDate) {
        let u = rng.random_range(0..self.units.len());
        let error = loop {
            let e = *pick(rng, ERRORS);
            if e != crate::analysis::repeats::CATCH_ALL {
                break e;
            }
        };
        let day = add_days(date(2025, 4, 1), rng.random_range(0..420) + self.round * 7);
        (u, error, day)
    }
}

/// The repeat groups, each pattern twice.
type Pattern = fn(&mut ChaCha8Rng, &mut Drawer) -> RepeatGroup;
const PATTERNS: [Pattern; 11] = [
    group_subjective,
    group_after_tolerance,
    group_inconsistent,
    group_tolerance_decided_later,
    group_multi_officer,
    group_same_day,
    group_empty_subjective,
    group_art11_mitigation,
    group_prior_no_error,
    group_prior_undecided,
    group_catch_all,
];

pub(super) fn repeat_groups(rng: &mut ChaCha8Rng, units: &[Unit]) -> Vec<RepeatGroup> {
    let mut drawer = Drawer {
        units,
        next_reserved: HashMap::new(),
        round: 0,
    };
    let mut groups = Vec::new();
    for round in 0..2 {
        drawer.round = round;
        for pattern in PATTERNS {
            groups.push(pattern(rng, &mut drawer));
        }
    }
    groups
}

/// How a planted case is decided: days after filing, outcome, (article, item).
type Decision = (i64, &'static str, (u8, u8));

/// A planted case: whether its cause was subjective, and its decision if any.
type PlantedCase = (Option<bool>, Option<Decision>);

impl Drawer<'_> {
    /// The shape of most repeat patterns: one officer, one problem, an
    /// earlier case and one `gap` days later, each decided when given (the
    /// draws in the order the generator always made them).
    fn pair(
        &mut self,
        rng: &mut ChaCha8Rng,
        earlier: PlantedCase,
        gap: i64,
        later: PlantedCase,
    ) -> (String, Vec<Case>) {
        let (u, e, d) = self.base(rng);
        let o = self.officer(u);
        let mut cases = Vec::with_capacity(2);
        for (filed, (subjective, decision)) in [(d, earlier), (add_days(d, gap), later)] {
            let mut c = plant_case(rng, self.units, u, e, filed, vec![o.clone()], subjective);
            if let Some((after, outcome, clause)) = decision {
                decide(rng, &mut c, after, outcome, clause);
            }
            cases.push(c);
        }
        (o, cases)
    }
}

/// same problem, both subjective → R-subjective
fn group_subjective(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (o, members) = w.pair(
        rng,
        (Some(true), Some((20, "不予容错", (12, 1)))),
        60,
        (Some(true), Some((20, "不予容错", (12, 5)))),
    );
    RepeatGroup {
        kind: "subjective",
        flags: vec![(1, o, "R-subjective", vec![0], false)],
        clean: vec![],
        members,
    }
}

/// after tolerance → R-after-tolerance
fn group_after_tolerance(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (o, members) = w.pair(
        rng,
        (Some(false), Some((20, "免责", (10, 2)))),
        50,
        (Some(false), Some((20, "不予容错", (12, 5)))),
    );
    RepeatGroup {
        kind: "after-tolerance",
        flags: vec![(1, o, "R-after-tolerance", vec![0], false)],
        clean: vec![],
        members,
    }
}

/// both kinds, and the later case tolerated anyway → inconsistent
fn group_inconsistent(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (o, members) = w.pair(
        rng,
        (Some(true), Some((20, "从轻", (10, 1)))),
        45,
        (Some(true), Some((20, "免责", (10, 3)))),
    );
    RepeatGroup {
        kind: "inconsistent",
        flags: vec![
            (1, o.clone(), "R-subjective", vec![0], true),
            (1, o, "R-after-tolerance", vec![0], true),
        ],
        clean: vec![],
        members,
    }
}

/// earlier tolerance decided only after the later case was filed → not a repeat
fn group_tolerance_decided_later(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (o, members) = w.pair(
        rng,
        (Some(false), Some((30, "免责", (10, 4)))),
        10,
        (Some(false), Some((30, "不予容错", (12, 2)))),
    );
    RepeatGroup {
        kind: "tolerance-decided-later",
        flags: vec![],
        clean: vec![(1, o, "在先容错决定晚于本案立案")],
        members,
    }
}

/// multi-officer cases count for each officer
fn group_multi_officer(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (u, e, d) = w.base(rng);
    let (o1, o2, o3) = (w.officer(u), w.officer(u), w.officer(u));
    let mut a = plant_case(
        rng,
        w.units,
        u,
        e,
        d,
        vec![o1.clone(), o2.clone()],
        Some(true),
    );
    decide(rng, &mut a, 20, "不予容错", (12, 1));
    let b = plant_case(
        rng,
        w.units,
        u,
        e,
        add_days(d, 30),
        vec![o1.clone()],
        Some(true),
    );
    let c = plant_case(
        rng,
        w.units,
        u,
        e,
        add_days(d, 40),
        vec![o2.clone(), o3.clone()],
        Some(true),
    );
    RepeatGroup {
        kind: "multi-officer",
        flags: vec![
            (1, o1, "R-subjective", vec![0], false),
            (2, o2, "R-subjective", vec![0], false),
        ],
        clean: vec![(2, o3, "该人员此前无同类案件")],
        members: vec![a, b, c],
    }
}

/// two cases filed and decided the same day: ordered by case id
fn group_same_day(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (o, members) = w.pair(
        rng,
        (Some(true), Some((0, "不予容错", (12, 1)))),
        0,
        (Some(true), Some((0, "不予容错", (12, 1)))),
    );
    RepeatGroup {
        kind: "same-day",
        flags: vec![(1, o, "R-subjective", vec![0], false)],
        clean: vec![],
        members,
    }
}

/// an empty subjective_fault is not 是
fn group_empty_subjective(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (o, members) = w.pair(rng, (Some(true), None), 30, (None, None));
    RepeatGroup {
        kind: "empty-subjective",
        flags: vec![],
        clean: vec![(1, o, "主观过错为空，不视为“是”")],
        members,
    }
}

/// a mitigation under art. 11 is not 容错免责 treatment
fn group_art11_mitigation(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (o, members) = w.pair(
        rng,
        (Some(false), Some((20, "减轻", (11, 2)))),
        40,
        (Some(false), None),
    );
    RepeatGroup {
        kind: "art11-mitigation",
        flags: vec![],
        clean: vec![(1, o, "在先案件依第十一条减轻处理，不属容错免责处理")],
        members,
    }
}

/// an earlier case found 履职尽责 establishes no error
fn group_prior_no_error(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (o, members) = w.pair(
        rng,
        (Some(true), Some((20, "履职尽责", (9, 3)))),
        40,
        (Some(true), None),
    );
    RepeatGroup {
        kind: "prior-no-error",
        flags: vec![],
        clean: vec![(1, o, "在先案件认定为履职尽责")],
        members,
    }
}

/// an earlier case still undecided establishes nothing
fn group_prior_undecided(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (o, members) = w.pair(rng, (Some(true), None), 40, (Some(true), None));
    RepeatGroup {
        kind: "prior-undecided",
        flags: vec![],
        clean: vec![(1, o, "在先案件尚未认定")],
        members,
    }
}

/// the catch-all type is never the same problem
fn group_catch_all(rng: &mut ChaCha8Rng, w: &mut Drawer) -> RepeatGroup {
    let (u, _, d) = w.base(rng);
    let o = w.officer(u);
    let mut a = plant_case(rng, w.units, u, "其他", d, vec![o.clone()], Some(true));
    decide(rng, &mut a, 20, "不予容错", (12, 1));
    let b = plant_case(
        rng,
        w.units,
        u,
        "其他",
        add_days(d, 40),
        vec![o.clone()],
        Some(true),
    );
    RepeatGroup {
        kind: "catch-all",
        flags: vec![],
        clean: vec![(1, o, "“其他”不视为同一问题")],
        members: vec![a, b],
    }
}

/// (filed, decided, notified, appraisal, extension, rule, status, deadline, days_late, why)
pub(super) type DeadlinePlant = (
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
///
/// Long: a table of hand-worked plants, one entry per case and rule, each with its reason.
pub(super) fn deadline_plants(dirty: bool) -> Vec<DeadlinePlant> {
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
/// The signal of a plant that is a warned point's rate after its notice,
/// not a risk point.
pub(super) const AFTER_NOTICE: &str = "after-notice";

pub(super) struct HotspotPlant {
    pub(super) quarter: usize,
    pub(super) dims: &'static str,
    pub(super) unit: Option<usize>,
    pub(super) domain: Option<&'static str>,
    pub(super) error: Option<&'static str>,
    pub(super) signal: &'static str,
    pub(super) cases: usize,
    /// One of the notice-effect pair (drawn from a stream of its own).
    pub(super) notice_effect: bool,
}

/// The random stream of the notice-effect plants.
const NOTICE_EFFECT_STREAM: u64 = 7;

/// Cases planted in a cell whose expected count (all cases) is `expected`:
/// enough that the cell stands out after multiple-testing correction even
/// when, without volume, the planted cases raise the unit's own expectation.
pub(super) fn plant_size(expected: f64) -> usize {
    (2.0 * expected + 8.0 * expected.sqrt() + 10.0)
        .ceil()
        .max(16.0) as usize
}

/// Long: one entry per planted risk point, each sized from its expected count in its quarter.
pub(super) fn hotspot_plants(
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
        notice_effect: false,
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
        notice_effect: false,
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
        notice_effect: false,
    });
    // persistent unit × error_type in 2025Q3 and 2025Q4 (after the notice
    // of 2025Q3 the rate stays: a notice without effect)
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
            notice_effect: false,
        });
    }
    // a notice that works: a concentrated unit × error_type point in
    // 2026Q1 (an alarm: the unit is warned) whose excess halves in 2026Q2
    // (the "after" cases are not a risk point of their own: truth lists
    // them as the notice's effect, not as a hotspot)
    let effect_street = (0..STREETS.len())
        .map(|k| (street + 2 + k) % STREETS.len())
        .find(|s| *s != street && *s != other_street)
        .expect("three streets");
    let e = "事实不清证据不足";
    let qi = q_index("2026Q1");
    // twice a plain plant, so that half of it after the
    // notice is a change a test of two quarters can see
    let before = plant_size(cases_in(qi) * unit_share(effect_street, qi) * error_share(e)) * 2;
    out.push(HotspotPlant {
        quarter: qi,
        dims: "unit×error_type",
        unit: Some(effect_street),
        domain: None,
        error: Some(e),
        signal: "concentrated",
        cases: before,
        notice_effect: true,
    });
    out.push(HotspotPlant {
        quarter: q_index("2026Q2"),
        dims: "unit×error_type",
        unit: Some(effect_street),
        domain: None,
        error: Some(e),
        signal: AFTER_NOTICE,
        cases: before / 2,
        notice_effect: true,
    });
    out
}

pub(super) fn hotspot_cases(
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

/// Every planted case, in filing order, and the plants they serve.
pub(super) struct Planted {
    pub(super) cases: Vec<Case>,
    pub(super) groups: Vec<RepeatGroup>,
    pub(super) deadlines: Vec<DeadlinePlant>,
    pub(super) hot: Vec<HotspotPlant>,
}

impl Planted {
    /// The planted cases (none when `plants` is false).
    pub(super) fn new(
        rng: &mut ChaCha8Rng,
        world: &World,
        rows: usize,
        dirty: bool,
        plants: bool,
    ) -> Planted {
        let units = &world.units;
        let mut cases: Vec<Case> = Vec::new();
        let groups = if plants {
            repeat_groups(rng, units)
        } else {
            Vec::new()
        };
        for (g, group) in groups.iter().enumerate() {
            for (m, member) in group.members.iter().enumerate() {
                let mut c = member.clone();
                c.plant = Some(Plant::Repeat(g, m));
                cases.push(c);
            }
        }
        let deadlines = if plants {
            deadline_plants(dirty)
        } else {
            Vec::new()
        };
        for (i, p) in deadlines.iter().enumerate() {
            let u = rng.random_range(0..units.len());
            let mut c = plant_case(rng, units, u, "超期办理", p.0, vec![], Some(false));
            c.appraisal = p.3;
            c.extension = p.4;
            if let Some(decided) = p.1 {
                c.decided = Some(decided);
                c.clause = Some((9, 1));
                settle(rng, &mut c, "履职尽责");
                c.notified = p.2;
                c.archived = None;
            }
            c.plant = Some(Plant::Deadline(i));
            cases.push(c);
        }
        let hot = if plants {
            hotspot_plants(rng, units, &world.qs, &world.q_weights, rows)
        } else {
            Vec::new()
        };
        // the notice-effect plants draw from a stream of their own, so that
        // every other case of a seed is what it was before they existed
        let mut apart = rng.clone();
        apart.set_stream(NOTICE_EFFECT_STREAM);
        for plant in &hot {
            let r = if plant.notice_effect {
                &mut apart
            } else {
                &mut *rng
            };
            cases.extend(hotspot_cases(r, units, &world.qs, plant));
        }
        cases.sort_by_key(|c| c.filed);
        Planted {
            cases,
            groups,
            deadlines,
            hot,
        }
    }

    /// What was planted, into the truth: the repeat flags (and the cases
    /// that must not be flagged) by the ids the members were given, and the
    /// risk points.
    pub(super) fn record(
        &self,
        world: &World,
        member_ids: &HashMap<(usize, usize), String>,
        truth: &mut Truth,
    ) {
        for (g, group) in self.groups.iter().enumerate() {
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
        for (i, plant) in self.hot.iter().enumerate() {
            let unit = plant
                .unit
                .map(|u| world.units[u].name.to_string())
                .unwrap_or_default();
            // a notice's effect: the plant of the quarter before and this
            // one (halved), or the persistent plant's two quarters (kept)
            let before = i.checked_sub(1).map(|b| &self.hot[b]);
            if let Some(b) = before.filter(|b| {
                b.unit == plant.unit
                    && b.error == plant.error
                    && b.dims == "unit×error_type"
                    && b.quarter + 1 == plant.quarter
            }) {
                truth.notice_effects.push(PlantedNoticeEffect {
                    unit: unit.clone(),
                    error_type: plant.error.unwrap_or("").into(),
                    notice_quarter: world.qs[b.quarter].label(),
                    after_quarter: world.qs[plant.quarter].label(),
                    effect: if plant.signal == AFTER_NOTICE {
                        "halved"
                    } else {
                        "none"
                    }
                    .into(),
                });
            }
            if plant.signal == AFTER_NOTICE {
                continue;
            }
            truth.hotspots.push(PlantedHotspot {
                window: world.qs[plant.quarter].label(),
                dims: plant.dims.into(),
                unit: plant
                    .unit
                    .map(|u| world.units[u].name.to_string())
                    .unwrap_or_default(),
                domain: plant.domain.unwrap_or("").into(),
                error_type: plant.error.unwrap_or("").into(),
                signal: plant.signal.into(),
                planted_cases: plant.cases,
                needs_volume: plant.dims == "unit×domain",
            });
        }
    }
}
