//! What changes between two readings of the measures (`jiucuo whatif`,
//! issue 21): the same cases analysed under reading A and reading B, and
//! the differences — per deadline rule the checks by status, the art. 12(5)
//! candidates, the risk points by level, the warning notices, and every
//! case whose status or flag differs. Pure functions of the two readings'
//! tables; the command reads and writes.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use polars::prelude::*;

use crate::analysis::deadlines::{rule_name, rule_order};

/// One reading's results, as far as the comparison needs them.
pub struct ReadingResult {
    /// `case_id, rule, status`, sorted by case id then rule (the order the
    /// deadline table comes in).
    pub deadlines: DataFrame,
    /// The repeats table (outputs.md).
    pub repeats: DataFrame,
    /// The hotspots table (outputs.md).
    pub hotspots: DataFrame,
    /// Risk-point levels that earn a notice under this reading's `[letters]`.
    pub letter_levels: Vec<String>,
}

/// What differs between two readings.
pub struct Comparison {
    /// `rule, rule_name, status, count_a, count_b, change`.
    pub deadlines: DataFrame,
    /// `item, count_a, count_b, change`.
    pub repeats: DataFrame,
    /// `window, level, count_a, count_b, change`.
    pub risk_points: DataFrame,
    /// `window, unit, under_a, under_b` for each unit whose notice differs.
    pub notices: DataFrame,
    /// `window, dims, unit, domain, error_type, level_a, level_b` for each
    /// risk point whose level differs (`无`: not a risk point).
    pub risk_point_changes: DataFrame,
    /// `case_id, what, under_a, under_b`: every case whose deadline status
    /// or art. 12(5) flag differs.
    pub cases: DataFrame,
}

/// A comparison with what reading B is, for a report's 口径比较 chapter.
pub struct Compared {
    /// What reading B is, in words.
    pub b_is: String,
    pub comparison: Comparison,
    /// Warning notices under A and under B (all quarters).
    pub notices: (usize, usize),
}

/// Chinese word of a deadline status.
fn status_zh(s: &str) -> &str {
    crate::schema::term_zh(s)
}

const NONE: &str = "无";
const NOT_APPLICABLE: &str = "不适用";
const NOT_FLAGGED: &str = "未标记";

fn strings<'a>(df: &'a DataFrame, name: &str) -> Result<Vec<Option<&'a str>>> {
    Ok(df.column(name)?.str()?.iter().collect())
}

/// Compare reading A with reading B.
pub fn compare(a: &ReadingResult, b: &ReadingResult) -> Result<Comparison> {
    let mut cases = CaseDiffs::default();
    let deadlines = deadline_changes(&a.deadlines, &b.deadlines, &mut cases)?;
    let repeats = repeat_changes(&a.repeats, &b.repeats, &mut cases)?;
    let (risk_points, risk_point_changes) = risk_changes(&a.hotspots, &b.hotspots)?;
    let notices = notice_changes(a, b)?;
    Ok(Comparison {
        deadlines,
        repeats,
        risk_points,
        notices,
        risk_point_changes,
        cases: cases.frame()?,
    })
}

/// Case-level differences, collected in order.
#[derive(Default)]
struct CaseDiffs {
    rows: BTreeSet<(String, String, String, String)>,
}

impl CaseDiffs {
    fn push(&mut self, case: &str, what: String, a: String, b: String) {
        self.rows.insert((case.to_string(), what, a, b));
    }

    fn frame(self) -> Result<DataFrame> {
        let n = self.rows.len();
        let mut cols: [Vec<String>; 4] = Default::default();
        for (c, w, a, b) in self.rows {
            cols[0].push(c);
            cols[1].push(w);
            cols[2].push(a);
            cols[3].push(b);
        }
        let [c, w, a, b] = cols;
        Ok(DataFrame::new(
            n,
            vec![
                Column::new("case_id".into(), c),
                Column::new("what".into(), w),
                Column::new("under_a".into(), a),
                Column::new("under_b".into(), b),
            ],
        )?)
    }
}

/// A walk over two tables sorted by (case_id, rule): counts by rule and
/// status under each reading, and each check whose status differs (or that
/// applies under one reading only).
fn deadline_changes(a: &DataFrame, b: &DataFrame, cases: &mut CaseDiffs) -> Result<DataFrame> {
    let rows = |df: &DataFrame| -> Result<Vec<(String, String, String)>> {
        let (c, r, s) = (
            strings(df, "case_id")?,
            strings(df, "rule")?,
            strings(df, "status")?,
        );
        Ok(c.into_iter()
            .zip(r)
            .zip(s)
            .map(|((c, r), s)| {
                (
                    c.unwrap_or_default().to_string(),
                    r.unwrap_or_default().to_string(),
                    s.unwrap_or_default().to_string(),
                )
            })
            .collect())
    };
    let (ra, rb) = (rows(a)?, rows(b)?);
    let mut counts: BTreeMap<(usize, String, String), (i64, i64)> = BTreeMap::new();
    let key = |rule: &str, status: &str| (rule_order(rule), rule.to_string(), status.to_string());
    for (_, r, s) in &ra {
        counts.entry(key(r, s)).or_default().0 += 1;
    }
    for (_, r, s) in &rb {
        counts.entry(key(r, s)).or_default().1 += 1;
    }
    let (mut i, mut j) = (0, 0);
    let what = |rule: &str| format!("期限：{}", rule_name(rule).unwrap_or(rule));
    while i < ra.len() || j < rb.len() {
        let ka = ra.get(i).map(|x| (&x.0, rule_order(&x.1), &x.1));
        let kb = rb.get(j).map(|x| (&x.0, rule_order(&x.1), &x.1));
        match (ka, kb) {
            (Some(x), Some(y)) if x == y => {
                if ra[i].2 != rb[j].2 {
                    cases.push(
                        &ra[i].0,
                        what(&ra[i].1),
                        status_zh(&ra[i].2).into(),
                        status_zh(&rb[j].2).into(),
                    );
                }
                i += 1;
                j += 1;
            }
            (Some(x), y) if y.is_none() || Some(x) < y => {
                cases.push(
                    &ra[i].0,
                    what(&ra[i].1),
                    status_zh(&ra[i].2).into(),
                    NOT_APPLICABLE.into(),
                );
                i += 1;
            }
            _ => {
                cases.push(
                    &rb[j].0,
                    what(&rb[j].1),
                    NOT_APPLICABLE.into(),
                    status_zh(&rb[j].2).into(),
                );
                j += 1;
            }
        }
    }
    let n = counts.len();
    let (mut rule, mut name, mut status, mut ca, mut cb, mut change) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for ((_, r, s), (x, y)) in counts {
        name.push(rule_name(&r).unwrap_or(&r).to_string());
        rule.push(r);
        status.push(s);
        ca.push(x);
        cb.push(y);
        change.push(y - x);
    }
    Ok(DataFrame::new(
        n,
        vec![
            Column::new("rule".into(), rule),
            Column::new("rule_name".into(), name),
            Column::new("status".into(), status),
            Column::new("count_a".into(), ca),
            Column::new("count_b".into(), cb),
            Column::new("change".into(), change),
        ],
    )?)
}

/// (case, officer) → the kinds of flag it carries.
fn repeat_flags(df: &DataFrame) -> Result<BTreeMap<(String, String), BTreeSet<String>>> {
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    if df.height() == 0 {
        return Ok(out);
    }
    let (c, o, k) = (
        strings(df, "case_id")?,
        strings(df, "officer")?,
        strings(df, "kind")?,
    );
    for ((c, o), k) in c.into_iter().zip(o).zip(k) {
        out.entry((
            c.unwrap_or_default().to_string(),
            o.unwrap_or_default().to_string(),
        ))
        .or_default()
        .insert(k.unwrap_or_default().to_string());
    }
    Ok(out)
}

fn kinds_zh(kinds: Option<&BTreeSet<String>>) -> String {
    match kinds {
        Some(k) if !k.is_empty() => k
            .iter()
            .map(|x| crate::schema::term_zh(x))
            .collect::<Vec<_>>()
            .join("、"),
        _ => NOT_FLAGGED.into(),
    }
}

/// Art. 12(5) candidates under each reading (cases, officers, officer ×
/// case records, by kind), and each case whose flag differs.
fn repeat_changes(a: &DataFrame, b: &DataFrame, cases: &mut CaseDiffs) -> Result<DataFrame> {
    let (fa, fb) = (repeat_flags(a)?, repeat_flags(b)?);
    let keys: BTreeSet<&(String, String)> = fa.keys().chain(fb.keys()).collect();
    for key in keys {
        let (x, y) = (fa.get(key), fb.get(key));
        if x != y {
            cases.push(
                &key.0,
                format!("第十二条第（五）项比对（人员 {}）", key.1),
                kinds_zh(x),
                kinds_zh(y),
            );
        }
    }
    let tally = |f: &BTreeMap<(String, String), BTreeSet<String>>| -> Vec<i64> {
        let case_ids: BTreeSet<&String> = f.keys().map(|k| &k.0).collect();
        let officers: BTreeSet<&String> = f.keys().map(|k| &k.1).collect();
        let kind = |name: &str| f.values().filter(|k| k.contains(name)).count() as i64;
        vec![
            case_ids.len() as i64,
            officers.len() as i64,
            f.len() as i64,
            kind("R-subjective"),
            kind("R-after-tolerance"),
        ]
    };
    let (ta, tb) = (tally(&fa), tally(&fb));
    let items = vec![
        "可能属于第十二条第（五）项情形的案件",
        "涉及执法人员",
        "人员×案件",
        "其中：主观原因重复",
        "其中：容错后再次出现",
    ];
    let change: Vec<i64> = ta.iter().zip(&tb).map(|(x, y)| y - x).collect();
    Ok(DataFrame::new(
        items.len(),
        vec![
            Column::new("item".into(), items),
            Column::new("count_a".into(), ta),
            Column::new("count_b".into(), tb),
            Column::new("change".into(), change),
        ],
    )?)
}

type CellKey = (String, String, String, String, String);

/// Risk points (levels alarm and warning; `watch` cells are not risk
/// points) by cell.
fn risk_cells(df: &DataFrame) -> Result<BTreeMap<CellKey, String>> {
    let mut out = BTreeMap::new();
    if df.height() == 0 {
        return Ok(out);
    }
    let cols: Vec<Vec<Option<&str>>> = ["window", "dims", "unit", "domain", "error_type", "level"]
        .iter()
        .map(|n| strings(df, n))
        .collect::<Result<_>>()?;
    for i in 0..df.height() {
        let at = |k: usize| {
            cols.get(k)
                .and_then(|c| c[i])
                .unwrap_or_default()
                .to_string()
        };
        let level = at(5);
        if level == "alarm" || level == "warning" {
            out.insert((at(0), at(1), at(2), at(3), at(4)), level);
        }
    }
    Ok(out)
}

/// Risk points by window and level under each reading, and each cell
/// whose level differs.
fn risk_changes(a: &DataFrame, b: &DataFrame) -> Result<(DataFrame, DataFrame)> {
    let (ca, cb) = (risk_cells(a)?, risk_cells(b)?);
    let mut by_level: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for ((w, ..), l) in &ca {
        by_level.entry((w.clone(), l.clone())).or_default().0 += 1;
    }
    for ((w, ..), l) in &cb {
        by_level.entry((w.clone(), l.clone())).or_default().1 += 1;
    }
    let n = by_level.len();
    let (mut w, mut l, mut x, mut y, mut d) = (vec![], vec![], vec![], vec![], vec![]);
    for ((window, level), (p, q)) in by_level {
        w.push(window);
        l.push(status_zh(&level).to_string());
        x.push(p);
        y.push(q);
        d.push(q - p);
    }
    let counts = DataFrame::new(
        n,
        vec![
            Column::new("window".into(), w),
            Column::new("level".into(), l),
            Column::new("count_a".into(), x),
            Column::new("count_b".into(), y),
            Column::new("change".into(), d),
        ],
    )?;
    let keys: BTreeSet<&CellKey> = ca.keys().chain(cb.keys()).collect();
    let mut cols: [Vec<String>; 7] = Default::default();
    for k in keys {
        let (p, q) = (ca.get(k), cb.get(k));
        if p == q {
            continue;
        }
        let level = |v: Option<&String>| v.map_or(NONE.to_string(), |l| status_zh(l).to_string());
        for (col, v) in cols.iter_mut().zip([
            k.0.clone(),
            crate::schema::term_zh(&k.1).to_string(),
            k.2.clone(),
            k.3.clone(),
            k.4.clone(),
            level(p),
            level(q),
        ]) {
            col.push(v);
        }
    }
    let n = cols[0].len();
    let names = [
        "window",
        "dims",
        "unit",
        "domain",
        "error_type",
        "level_a",
        "level_b",
    ];
    let changes = DataFrame::new(
        n,
        names
            .iter()
            .zip(cols)
            .map(|(name, v)| Column::new((*name).into(), v))
            .collect(),
    )?;
    Ok((counts, changes))
}

/// (window, unit) of the units that get a notice under a reading: a risk
/// point of their own at a level that earns one.
fn notice_units(r: &ReadingResult) -> Result<BTreeSet<(String, String)>> {
    Ok(risk_cells(&r.hotspots)?
        .into_iter()
        .filter(|((_, _, unit, ..), level)| !unit.is_empty() && r.letter_levels.contains(level))
        .map(|((w, _, unit, ..), _)| (w, unit))
        .collect())
}

/// Units whose warning notice differs between the readings.
fn notice_changes(a: &ReadingResult, b: &ReadingResult) -> Result<DataFrame> {
    let (na, nb) = (notice_units(a)?, notice_units(b)?);
    let mut cols: [Vec<String>; 4] = Default::default();
    for k in na.symmetric_difference(&nb).collect::<BTreeSet<_>>() {
        let yes =
            |s: &BTreeSet<(String, String)>| if s.contains(k) { "发函" } else { "不发函" };
        for (col, v) in
            cols.iter_mut()
                .zip([k.0.clone(), k.1.clone(), yes(&na).into(), yes(&nb).into()])
        {
            col.push(v);
        }
    }
    let n = cols[0].len();
    Ok(DataFrame::new(
        n,
        ["window", "unit", "under_a", "under_b"]
            .iter()
            .zip(cols)
            .map(|(name, v)| Column::new((*name).into(), v))
            .collect(),
    )?)
}

/// The number of notices under a reading (for the summary line).
pub fn notice_count(r: &ReadingResult) -> Result<usize> {
    Ok(notice_units(r)?.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deadlines(rows: &[(&str, &str, &str)]) -> DataFrame {
        df!(
            "case_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "rule" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "status" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    fn repeats(rows: &[(&str, &str, &str)]) -> DataFrame {
        df!(
            "case_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "officer" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "kind" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    fn hotspots(rows: &[(&str, &str, &str)]) -> DataFrame {
        // window, unit ("" for a domain cell), level
        df!(
            "window" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "dims" => rows.iter().map(|r| if r.1.is_empty() { "domain×error_type" } else { "unit×error_type" }).collect::<Vec<_>>(),
            "unit" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "domain" => rows.iter().map(|_| "市场监管").collect::<Vec<_>>(),
            "error_type" => rows.iter().map(|_| "文书瑕疵").collect::<Vec<_>>(),
            "level" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    fn reading(d: DataFrame, r: DataFrame, h: DataFrame) -> ReadingResult {
        ReadingResult {
            deadlines: d,
            repeats: r,
            hotspots: h,
            letter_levels: vec!["alarm".into()],
        }
    }

    #[test]
    fn only_what_differs_is_listed_and_the_counts_move_by_it() {
        let a = reading(
            deadlines(&[
                ("C1", "D17-decide", "met"),
                ("C1", "D17-notify", "late"),
                ("C2", "D17-decide", "met"),
                ("C3", "D17-decide", "late"),
            ]),
            repeats(&[("C3", "P1", "R-subjective")]),
            hotspots(&[("2026Q2", "甲局", "alarm"), ("2026Q2", "", "warning")]),
        );
        let b = reading(
            deadlines(&[
                ("C1", "D17-decide", "met"),
                ("C1", "D17-notify", "met"),
                ("C2", "D17-decide", "met"),
                ("C2", "D22-feedback", "pending"),
                ("C3", "D17-decide", "late"),
            ]),
            repeats(&[
                ("C3", "P1", "R-subjective"),
                ("C3", "P1", "R-after-tolerance"),
            ]),
            hotspots(&[("2026Q2", "甲局", "warning"), ("2026Q2", "", "warning")]),
        );
        let c = compare(&a, &b).unwrap();
        // C1's notice check late → met; C2's feedback applies under B only;
        // P1 on C3 gains a second kind
        let list: Vec<String> = (0..c.cases.height())
            .map(|i| {
                c.cases
                    .get_row(i)
                    .unwrap()
                    .0
                    .iter()
                    .map(|v| v.get_str().unwrap().to_string())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        assert_eq!(
            list,
            [
                "C1|期限：决定后7日内告知（第十七条）|逾期完成|按期",
                "C2|期限：向实名举报人反馈（第二十二条）|不适用|未到期",
                "C3|第十二条第（五）项比对（人员 P1）|主观原因重复|容错后再次出现、主观原因重复",
            ]
        );
        let changed: Vec<(String, i64)> = (0..c.deadlines.height())
            .filter_map(|i| {
                let row = c.deadlines.get_row(i).unwrap().0;
                let change = row[5].extract::<i64>().unwrap();
                (change != 0).then(|| {
                    (
                        format!(
                            "{}/{}",
                            row[0].get_str().unwrap(),
                            row[2].get_str().unwrap()
                        ),
                        change,
                    )
                })
            })
            .collect();
        assert_eq!(
            changed,
            [
                ("D17-notify/late".to_string(), -1),
                ("D17-notify/met".to_string(), 1),
                ("D22-feedback/pending".to_string(), 1),
            ]
        );
        // the unit's alarm fell to a warning: its notice goes
        assert_eq!(c.risk_point_changes.height(), 1);
        assert_eq!(c.notices.height(), 1);
        let row = c.notices.get_row(0).unwrap().0;
        assert_eq!(row[2].get_str(), Some("发函"));
        assert_eq!(row[3].get_str(), Some("不发函"));
        // candidates: one case, one officer under both; the second kind is new
        let kinds: Vec<i64> = c
            .repeats
            .column("change")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(kinds, [0, 0, 0, 0, 1]);
    }

    #[test]
    fn the_same_reading_changes_nothing() {
        let r = || {
            reading(
                deadlines(&[("C1", "D17-decide", "met")]),
                repeats(&[("C1", "P1", "R-subjective")]),
                hotspots(&[("2026Q2", "甲局", "alarm")]),
            )
        };
        let c = compare(&r(), &r()).unwrap();
        assert_eq!(c.cases.height(), 0);
        assert_eq!(c.notices.height(), 0);
        assert_eq!(c.risk_point_changes.height(), 0);
        assert!(c
            .deadlines
            .column("change")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .all(|x| x == 0));
    }
}
