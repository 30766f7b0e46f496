//! The generated world: the district's units with their domains, officers
//! and enforcement volume, the quarters of the pilot, the weighted lists
//! cases are drawn from, and the drawing helpers.

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The export date of generated data: the as-of date of its planted statuses.
pub fn as_of() -> NaiveDate {
    date(2026, 11, 30)
}

/// First and last filing dates of generated cases.
pub(super) fn span() -> (NaiveDate, NaiveDate) {
    (date(2025, 3, 1), date(2026, 11, 20))
}

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date")
}

/// Smallest ledger the planted patterns fit in.
pub const MIN_ROWS: usize = 400;

pub(super) const STREETS: &[&str] = &[
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
pub(super) const STREET_DOMAINS: &[&str] = &[
    "城市管理",
    "应急管理",
    "生态环境",
    "市场监管",
    "住房城乡建设",
];
pub(super) const DEPARTMENTS: &[(&str, &[&str])] = &[
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
pub(super) const MATTERS: &[(&str, f64)] = &[
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
pub(super) const ERRORS: &[(&str, f64)] = &[
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
pub(super) const SOURCES: &[(&str, f64)] = &[
    ("执法监督检查", 40.0),
    ("实名举报", 15.0),
    ("匿名举报", 15.0),
    ("上级交办", 12.0),
    ("部门移送", 10.0),
    ("其他", 8.0),
];
pub(super) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
pub(super) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强", "海燕",
    "晓东",
];
/// Items never cited in generated data (so clause-use tables show zeros).
pub(super) const UNUSED_ITEMS: &[(u8, u8)] = &[(10, 9), (12, 6), (9, 8)];
pub(super) const CN_DIGITS: &[&str] = &[
    "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
];

pub(super) struct Unit {
    pub(super) name: &'static str,
    pub(super) kind: &'static str,
    /// (domain, base quarterly enforcement actions)
    pub(super) domains: Vec<(&'static str, f64)>,
    pub(super) officers: Vec<String>,
    pub(super) reserved: Vec<String>,
}

/// A calendar quarter within the generated span.
#[derive(Clone, Copy)]
pub(super) struct Quarter {
    pub(super) year: i32,
    pub(super) q: u32,
    pub(super) first: NaiveDate,
    pub(super) last: NaiveDate,
    /// Share of the quarter inside the span (partial first/last quarters).
    pub(super) fraction: f64,
}

impl Quarter {
    pub(super) fn label(&self) -> String {
        format!("{}Q{}", self.year, self.q)
    }
}

pub(super) fn quarters() -> Vec<Quarter> {
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

pub(super) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, f64)]) -> &'a T {
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

pub(super) fn pick_index(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
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

pub(super) fn error_share(name: &str) -> f64 {
    let total: f64 = ERRORS.iter().map(|(_, w)| w).sum();
    ERRORS
        .iter()
        .find(|(e, _)| *e == name)
        .map(|(_, w)| w / total)
        .unwrap_or(0.0)
}

pub(super) fn build_units(rng: &mut ChaCha8Rng, rows: usize) -> Vec<Unit> {
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

pub(super) fn new_unit(
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

pub(super) fn officer_name(id: &str) -> String {
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
pub(super) fn volume(units: &[Unit], u: usize, d: usize, q: &Quarter) -> f64 {
    let base = units[u].domains[d].1;
    let wobble = 1.0 + 0.02 * (((u * 7 + d * 3 + q.q as usize) % 5) as f64 - 2.0) / 2.0;
    (base * wobble * q.fraction).round().max(1.0)
}

/// The generated district: its units, the pilot's quarters, and each
/// quarter's weight (its total enforcement volume) for drawing cases.
pub(super) struct World {
    pub(super) units: Vec<Unit>,
    pub(super) qs: Vec<Quarter>,
    pub(super) q_weights: Vec<f64>,
}

impl World {
    pub(super) fn new(rng: &mut ChaCha8Rng, rows: usize) -> World {
        let units = build_units(rng, rows);
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
        World {
            units,
            qs,
            q_weights,
        }
    }

    /// Filing dates of `n` background cases, sorted, weighted by quarterly
    /// volume: (quarter, date).
    pub(super) fn background_dates(
        &self,
        rng: &mut ChaCha8Rng,
        n: usize,
    ) -> Vec<(usize, NaiveDate)> {
        let mut filed: Vec<(usize, NaiveDate)> = (0..n)
            .map(|_| {
                let qi = pick_index(rng, &self.q_weights);
                let q = &self.qs[qi];
                (
                    qi,
                    q.first + Duration::days(rng.random_range(0..=(q.last - q.first).num_days())),
                )
            })
            .collect();
        filed.sort_by_key(|x| x.1);
        filed
    }

    /// roster.csv: every officer (reserved ones too) with a name and a unit.
    pub(super) fn roster_csv(&self) -> String {
        use std::fmt::Write as _;
        let mut roster = String::from("\u{FEFF}执法证号,姓名,执法单位,人员类别\n");
        for unit in &self.units {
            for (k, o) in unit.officers.iter().chain(&unit.reserved).enumerate() {
                let kind = if k % 9 == 8 {
                    "辅助人员"
                } else {
                    "执法证"
                };
                let _ = writeln!(roster, "{o},{},{},{kind}", officer_name(o), unit.name);
            }
        }
        roster
    }

    /// volume.csv: every unit × domain × quarter.
    pub(super) fn volume_csv(&self) -> String {
        use std::fmt::Write as _;
        let mut vol = String::from("\u{FEFF}执法单位,执法领域,季度,执法量\n");
        for q in &self.qs {
            for (u, unit) in self.units.iter().enumerate() {
                for (d, (domain, _)) in unit.domains.iter().enumerate() {
                    let _ = writeln!(
                        vol,
                        "{},{domain},{},{}",
                        unit.name,
                        q.label(),
                        volume(&self.units, u, d, q) as i64
                    );
                }
            }
        }
        vol
    }
}
