//! Procedural deadlines of arts. 15–22 (rules.md §2): one row per case × rule
//! that applies, with the deadline under the holiday rule and a status.

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::calendar::Calendar;
use crate::ingest::parse::{date_from_days, days_since_epoch};
use crate::schema as s;

/// Output columns (outputs.md §deadlines), plus `note` for calendar caveats.
pub const COLUMNS: &[&str] = &[
    "case_id",
    "unit",
    "rule",
    "article",
    "start",
    "deadline",
    "actual",
    "days_late",
    "status",
    "note",
];

/// Parameters of the deadline analysis.
#[derive(Debug, Clone)]
pub struct DeadlineParams {
    /// Open rules are judged against this date.
    pub as_of: NaiveDate,
    /// At most this many working days left → `due-soon`.
    pub due_soon_days: u32,
    /// Count periods of at most 10 days in working days.
    pub working_day_short_periods: bool,
}

/// A rule with a dated end event.
struct DatedRule {
    id: &'static str,
    article: i32,
    start: &'static str,
    actual: &'static str,
    /// Period length in days; None for a set date (D20).
    days: Option<Expr>,
}

fn dated_rules() -> Vec<DatedRule> {
    let capped_extension = when(col(s::EXTENSION_DAYS).gt(lit(30)))
        .then(lit(30i64))
        .otherwise(col(s::EXTENSION_DAYS))
        .fill_null(lit(0i64));
    let appraisal = col(s::APPRAISAL_DAYS).fill_null(lit(0i64));
    vec![
        DatedRule {
            id: "D15-handle",
            article: 15,
            start: s::TRANSFERRED_ON,
            actual: s::HANDLED_ON,
            days: Some(lit(30i64)),
        },
        DatedRule {
            id: "D15-report",
            article: 15,
            start: s::HANDLED_ON,
            actual: s::HANDLING_REPORTED_ON,
            days: Some(lit(7i64)),
        },
        DatedRule {
            id: "D17-decide",
            article: 17,
            start: s::FILED_ON,
            actual: s::DECIDED_ON,
            days: Some(lit(30i64) + appraisal + capped_extension),
        },
        DatedRule {
            id: "D17-notify",
            article: 17,
            start: s::DECIDED_ON,
            actual: s::NOTIFIED_ON,
            days: Some(lit(7i64)),
        },
        DatedRule {
            id: "D19-apply",
            article: 19,
            start: s::NOTIFIED_ON,
            actual: s::REVIEW_APPLIED_ON,
            days: Some(lit(15i64)),
        },
        DatedRule {
            id: "D19-decide",
            article: 19,
            start: s::REVIEW_APPLIED_ON,
            actual: s::REVIEW_DECIDED_ON,
            days: Some(lit(30i64)),
        },
        DatedRule {
            id: "D20-rectify",
            article: 20,
            start: s::DECIDED_ON,
            actual: s::RECTIFIED_ON,
            days: None,
        },
    ]
}

/// Whether a dated rule applies to a case.
fn applies(rule: &DatedRule) -> Expr {
    match rule.id {
        // An application out of time is still an application: the rule only
        // exists when one was made.
        "D19-apply" => col(s::NOTIFIED_ON)
            .is_not_null()
            .and(col(s::REVIEW_APPLIED_ON).is_not_null()),
        "D20-rectify" => col(s::RECTIFY_DUE)
            .is_not_null()
            .or(col(s::RECTIFY_EXTENDED_TO).is_not_null()),
        _ => col(rule.start).is_not_null(),
    }
}

fn null_date() -> Expr {
    lit(NULL).cast(DataType::Date)
}

/// Long table of dated rules before deadlines are looked up.
fn dated_long(cases: &LazyFrame) -> LazyFrame {
    let parts: Vec<LazyFrame> = dated_rules()
        .into_iter()
        .map(|r| {
            let (days, fixed) = match &r.days {
                Some(d) => (d.clone(), null_date()),
                None => (
                    lit(NULL).cast(DataType::Int64),
                    coalesce(&[col(s::RECTIFY_EXTENDED_TO), col(s::RECTIFY_DUE)]),
                ),
            };
            cases.clone().filter(applies(&r)).select([
                col(s::CASE_ID),
                col(s::UNIT),
                lit(r.id).alias("rule"),
                lit(r.article).alias("article"),
                col(r.start).alias("start"),
                days.cast(DataType::Int64).alias("days"),
                fixed.alias("fixed_deadline"),
                col(r.actual).alias("actual"),
            ])
        })
        .collect();
    concat(parts, UnionArgs::default()).expect("same schema for every rule")
}

/// Rules without dates of their own: `met` or `breach`.
fn check_long(cases: &LazyFrame) -> LazyFrame {
    let feedback_owed = col(s::SOURCE)
        .eq(lit("实名举报"))
        .and(col(s::DECIDED_ON).is_not_null())
        .and(
            col(s::COMPLAINT_FINDING)
                .is_in(
                    lit(Series::new("".into(), ["不属实", "查无实据"])).implode(false),
                    false,
                )
                .fill_null(lit(false))
                .or(col(s::OUTCOME)
                    .is_in(
                        lit(Series::new("".into(), s::TOLERANCE_OUTCOMES)).implode(false),
                        false,
                    )
                    .fill_null(lit(false))),
        );
    let checks: Vec<(&str, i32, Expr, Expr)> = vec![
        (
            "D16-two",
            16,
            col(s::INVESTIGATORS).is_not_null(),
            col(s::INVESTIGATORS).gt_eq(lit(2)),
        ),
        (
            "D16-recusal",
            16,
            col(s::RECUSAL_BREACH).is_not_null(),
            col(s::RECUSAL_BREACH).not(),
        ),
        (
            "D17-extend",
            17,
            col(s::EXTENSION_DAYS).is_not_null(),
            col(s::EXTENSION_DAYS).lt_eq(lit(30)),
        ),
        (
            "D22-feedback",
            22,
            feedback_owed,
            col(s::REPORTER_FEEDBACK_ON).is_not_null(),
        ),
    ];
    let parts: Vec<LazyFrame> = checks
        .into_iter()
        .map(|(id, article, applies, ok)| {
            cases.clone().filter(applies).select([
                col(s::CASE_ID),
                col(s::UNIT),
                lit(id).alias("rule"),
                lit(article).alias("article"),
                null_date().alias("start"),
                null_date().alias("deadline"),
                null_date().alias("actual"),
                lit(0i64).cast(DataType::Int64).alias("days_late"),
                when(ok)
                    .then(lit("met"))
                    .otherwise(lit("breach"))
                    .alias("status"),
                lit(NULL).cast(DataType::String).alias("note"),
            ])
        })
        .collect();
    concat(parts, UnionArgs::default()).expect("same schema for every check")
}

fn assumed_note(cal: &Calendar, deadline: NaiveDate) -> String {
    let years: Vec<String> = cal.covered_years().iter().map(|y| y.to_string()).collect();
    format!(
        "节假日表未覆盖{}年（现有：{}），期限仅按周末顺延，请补充节假日安排后复核",
        chrono::Datelike::year(&deadline),
        years.join("、")
    )
}

/// Deadlines of every applicable rule for every case (pure: the calendar and
/// the as-of date are parameters).
pub fn deadlines(cases: &DataFrame, cal: &Calendar, p: &DeadlineParams) -> PolarsResult<DataFrame> {
    let mut out: Option<DataFrame> = None;
    deadlines_in_parts(
        cases,
        cal,
        p,
        CASES_PER_PASS,
        |part, _| -> PolarsResult<()> {
            match out.as_mut() {
                Some(df) => {
                    df.vstack_mut_owned(part)?;
                }
                None => out = Some(part),
            }
            Ok(())
        },
    )?;
    out.map_or_else(|| deadlines_of(cases, cal, p), Ok)
}

/// The deadlines table in consecutive parts of at most `per_pass` cases'
/// rules, handed to `sink` in order: stacked, the parts are [`deadlines`]. A
/// caller that writes each part out never holds the whole table (five rows a
/// case). The sink also sees the part's cases.
pub fn deadlines_in_parts<E: From<PolarsError>>(
    cases: &DataFrame,
    cal: &Calendar,
    p: &DeadlineParams,
    per_pass: usize,
    mut sink: impl FnMut(DataFrame, &DataFrame) -> Result<(), E>,
) -> Result<(), E> {
    let per_pass = per_pass.max(1);
    if cases.height() <= per_pass {
        return sink(deadlines_of(cases, cal, p)?, cases);
    }
    // A large ledger in slices of cases ordered by case id: each slice's rows
    // come sorted by (case_id, rule), so the slices stacked are too, and the
    // intermediate frames of one slice are all that is alive at a time.
    let order = cases
        .column(s::CASE_ID)?
        .as_materialized_series()
        .arg_sort(SortOptions::default().with_maintain_order(true));
    let mut offset = 0;
    while offset < order.len() {
        let slice = cases.take(&order.slice(offset as i64, per_pass))?;
        let part = deadlines_of(&slice, cal, p)?;
        sink(part, &slice)?;
        drop(slice);
        offset += per_pass;
    }
    Ok(())
}

/// The deadlines with each row's case `filed_on` added (the last column):
/// lets a period filter read four bytes a row instead of joining on case ids.
pub fn with_filed_on(deadlines: LazyFrame, cases: LazyFrame) -> LazyFrame {
    deadlines.join(
        cases.select([col(s::CASE_ID), col(s::FILED_ON)]),
        [col("case_id")],
        [col(s::CASE_ID)],
        JoinArgs {
            maintain_order: MaintainOrderJoin::Left,
            ..JoinArgs::new(JoinType::Left)
        },
    )
}

/// Cases whose deadlines are computed in one pass (bounds the memory of the
/// intermediate long frames on a large ledger).
pub const CASES_PER_PASS: usize = 1_000_000;

fn deadlines_of(cases: &DataFrame, cal: &Calendar, p: &DeadlineParams) -> PolarsResult<DataFrame> {
    let lf = s::as_text(cases);
    let long = dated_long(&lf).collect()?;

    // Period ends for each distinct (start, days): exact calendar arithmetic.
    let starts = long.column("start")?.date()?.physical().clone();
    let days = long.column("days")?.i64()?.clone();
    let mut ends: HashMap<(i32, i64), (i32, bool)> = HashMap::new();
    for (st, d) in starts.iter().zip(days.iter()) {
        if let (Some(st), Some(d)) = (st, d) {
            ends.entry((st, d)).or_insert_with(|| {
                let n = d.clamp(0, u32::MAX as i64) as u32;
                let working = p.working_day_short_periods && n <= 10;
                let end = cal.period_end(date_from_days(st), n, working);
                (days_since_epoch(end.deadline), end.assumed)
            });
        }
    }
    let mut keys: Vec<_> = ends.into_iter().collect();
    keys.sort();
    let lookup = df!(
        "start" => keys.iter().map(|((st, _), _)| *st).collect::<Vec<_>>(),
        "days" => keys.iter().map(|((_, d), _)| *d).collect::<Vec<_>>(),
        "period_end" => keys.iter().map(|(_, (e, _))| *e).collect::<Vec<_>>(),
        "assumed" => keys.iter().map(|(_, (_, a))| *a).collect::<Vec<_>>(),
    )?
    .lazy()
    .with_columns([
        col("start").cast(DataType::Date),
        col("period_end").cast(DataType::Date),
    ]);

    let with_deadline = long
        .lazy()
        .join(
            lookup,
            [col("start"), col("days")],
            [col("start"), col("days")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(coalesce(&[col("fixed_deadline"), col("period_end")]).alias("deadline"))
        .collect()?;

    // Working days left for open rules (due-soon), per distinct deadline.
    let as_of = p.as_of;
    let deadlines_ca = with_deadline.column("deadline")?.date()?.physical().clone();
    let mut left: HashMap<i32, i64> = HashMap::new();
    let mut notes: HashMap<i32, String> = HashMap::new();
    for d in deadlines_ca.iter().flatten() {
        left.entry(d)
            .or_insert_with(|| cal.working_days_between(as_of, date_from_days(d)).0);
    }
    let assumed_ca = with_deadline.column("assumed")?.bool()?.clone();
    for (d, a) in deadlines_ca.iter().zip(assumed_ca.iter()) {
        if let (Some(d), Some(true)) = (d, a) {
            notes
                .entry(d)
                .or_insert_with(|| assumed_note(cal, date_from_days(d)));
        }
    }
    let mut left_keys: Vec<_> = left.into_iter().collect();
    left_keys.sort();
    let left_lookup = df!(
        "deadline" => left_keys.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
        "working_days_left" => left_keys.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
    )?
    .lazy()
    .with_column(col("deadline").cast(DataType::Date));
    let mut note_keys: Vec<_> = notes.into_iter().collect();
    note_keys.sort();
    let note_lookup = df!(
        "deadline" => note_keys.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
        "calendar_note" => note_keys.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
    )?
    .lazy()
    .with_column(col("deadline").cast(DataType::Date));

    let as_of_lit = lit(days_since_epoch(as_of)).cast(DataType::Date);
    let day_diff = |a: Expr, b: Expr| {
        a.cast(DataType::Int32).cast(DataType::Int64)
            - b.cast(DataType::Int32).cast(DataType::Int64)
    };
    let status = when(
        col("actual")
            .is_not_null()
            .and(col("actual").lt_eq(col("deadline"))),
    )
    .then(lit("met"))
    .when(col("actual").is_not_null())
    .then(lit("late"))
    .when(col("deadline").lt(as_of_lit.clone()))
    .then(lit("overdue"))
    .when(col("working_days_left").lt_eq(lit(p.due_soon_days as i64)))
    .then(lit("due-soon"))
    .otherwise(lit("pending"));
    let days_late = when(
        col("actual")
            .is_not_null()
            .and(col("actual").gt(col("deadline"))),
    )
    .then(day_diff(col("actual"), col("deadline")))
    .when(
        col("actual")
            .is_null()
            .and(col("deadline").lt(as_of_lit.clone())),
    )
    .then(day_diff(as_of_lit, col("deadline")))
    .otherwise(lit(0i64))
    .cast(DataType::Int64);
    let dated = with_deadline
        .lazy()
        .join(
            left_lookup,
            [col("deadline")],
            [col("deadline")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            note_lookup,
            [col("deadline")],
            [col("deadline")],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col(s::CASE_ID),
            col(s::UNIT),
            col("rule"),
            col("article"),
            col("start"),
            col("deadline"),
            col("actual"),
            days_late.alias("days_late"),
            status.alias("status"),
            when(col("assumed").fill_null(lit(false)))
                .then(col("calendar_note"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias("note"),
        ]);
    concat([dated, check_long(&lf)], UnionArgs::default())?
        .sort(
            ["case_id", "rule"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_columns(
            CATEGORICAL_COLUMNS
                .iter()
                .map(|c| col(*c).cast(s::categorical()))
                .collect::<Vec<_>>(),
        )
        .collect()
}

/// Text columns of the deadlines table held as categoricals (five rows a case:
/// four bytes a cell instead of a string each); writers and queries see text.
pub const CATEGORICAL_COLUMNS: &[&str] = &["unit", "rule", "status", "note"];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A minimal canonical frame: every ledger column present, all null,
    /// then the given date/int columns set.
    fn cases(
        rows: usize,
        set: &[(&str, Vec<Option<NaiveDate>>)],
        ints: &[(&str, Vec<Option<i64>>)],
    ) -> DataFrame {
        let mut columns: Vec<Column> = vec![];
        for f in s::FIELDS {
            let dtype = crate::ingest::parse::dtype_of(f.ty);
            columns.push(Column::full_null(f.name.into(), rows, &dtype));
        }
        let mut df = DataFrame::new_infer_height(columns).unwrap();
        let ids: Vec<String> = (0..rows).map(|i| format!("C{i:02}")).collect();
        df.with_column(Column::new(s::CASE_ID.into(), ids)).unwrap();
        df.with_column(Column::new(s::UNIT.into(), vec!["U"; rows]))
            .unwrap();
        for (name, v) in set {
            let days: Vec<Option<i32>> = v.iter().map(|x| x.map(days_since_epoch)).collect();
            let s = Series::new((*name).into(), days)
                .cast(&DataType::Date)
                .unwrap();
            df.with_column(s.into_column()).unwrap();
        }
        for (name, v) in ints {
            df.with_column(Column::new((*name).into(), v.clone()))
                .unwrap();
        }
        df
    }

    fn params(as_of: NaiveDate) -> DeadlineParams {
        DeadlineParams {
            as_of,
            due_soon_days: 5,
            working_day_short_periods: false,
        }
    }

    fn rows_for(out: &DataFrame, rule: &str) -> Vec<(String, Option<NaiveDate>, i64, String)> {
        let f = s::as_text(out)
            .filter(col("rule").eq(lit(rule)))
            .collect()
            .unwrap();
        let ids = f.column("case_id").unwrap().str().unwrap().clone();
        let dl = f
            .column("deadline")
            .unwrap()
            .date()
            .unwrap()
            .physical()
            .clone();
        let late = f.column("days_late").unwrap().i64().unwrap().clone();
        let st = f.column("status").unwrap().str().unwrap().clone();
        (0..f.height())
            .map(|i| {
                (
                    ids.get(i).unwrap().to_string(),
                    dl.get(i).map(date_from_days),
                    late.get(i).unwrap(),
                    st.get(i).unwrap().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn decide_rule_follows_holidays_appraisal_and_extension() {
        // C00: 2025-09-06 + 30 = 10-06 (National Day) → 10-09; decided 10-09 → met.
        // C01: same, decided 10-10 → late 1.
        // C02: 2026-01-17 + 30 = 02-16 (Spring Festival) → 02-24; decided 02-24 → met.
        // C03: 2025-06-02 + 30 + 10 appraisal = 07-12 (Sat) → 07-14; decided 07-15 → late 1.
        // C04: 2025-04-01 + 30 + min(45, 30) = 05-31 (Dragon Boat) → 06-03; decided 06-03 → met.
        let df = cases(
            5,
            &[
                (
                    s::FILED_ON,
                    vec![
                        Some(d(2025, 9, 6)),
                        Some(d(2025, 9, 6)),
                        Some(d(2026, 1, 17)),
                        Some(d(2025, 6, 2)),
                        Some(d(2025, 4, 1)),
                    ],
                ),
                (
                    s::DECIDED_ON,
                    vec![
                        Some(d(2025, 10, 9)),
                        Some(d(2025, 10, 10)),
                        Some(d(2026, 2, 24)),
                        Some(d(2025, 7, 15)),
                        Some(d(2025, 6, 3)),
                    ],
                ),
            ],
            &[
                (s::APPRAISAL_DAYS, vec![None, None, None, Some(10), None]),
                (s::EXTENSION_DAYS, vec![None, None, None, None, Some(45)]),
            ],
        );
        let out = deadlines(&df, &Calendar::embedded(), &params(d(2026, 11, 30))).unwrap();
        assert_eq!(
            rows_for(&out, "D17-decide"),
            vec![
                ("C00".into(), Some(d(2025, 10, 9)), 0, "met".into()),
                ("C01".into(), Some(d(2025, 10, 9)), 1, "late".into()),
                ("C02".into(), Some(d(2026, 2, 24)), 0, "met".into()),
                ("C03".into(), Some(d(2025, 7, 14)), 1, "late".into()),
                ("C04".into(), Some(d(2025, 6, 3)), 0, "met".into()),
            ]
        );
        // extension 45 > 30 is a breach of D17-extend
        assert_eq!(
            rows_for(&out, "D17-extend"),
            vec![("C04".into(), None, 0, "breach".into())]
        );
    }

    #[test]
    fn notify_on_make_up_saturday_is_not_moved() {
        // decided 2026-02-21 + 7 = 02-28, a make-up working Saturday: stays.
        let df = cases(
            1,
            &[
                (s::FILED_ON, vec![Some(d(2026, 2, 2))]),
                (s::DECIDED_ON, vec![Some(d(2026, 2, 21))]),
                (s::NOTIFIED_ON, vec![Some(d(2026, 3, 2))]),
            ],
            &[],
        );
        let out = deadlines(&df, &Calendar::embedded(), &params(d(2026, 11, 30))).unwrap();
        assert_eq!(
            rows_for(&out, "D17-notify"),
            vec![("C00".into(), Some(d(2026, 2, 28)), 2, "late".into())]
        );
    }

    #[test]
    fn open_cases_are_overdue_due_soon_or_pending() {
        // as of Monday 2026-11-30:
        // C00 filed 09-01 → 10-01 (National Day) → 10-08: overdue by 53 days.
        // C01 filed 11-03 → 12-03 (Thu): 3 working days left → due-soon.
        // C02 filed 11-20 → 12-20 (Sun) → 12-21: pending.
        // C03 filed 10-31 → 11-30 = as-of day itself: 0 days left, not overdue → due-soon.
        let df = cases(
            4,
            &[(
                s::FILED_ON,
                vec![
                    Some(d(2026, 9, 1)),
                    Some(d(2026, 11, 3)),
                    Some(d(2026, 11, 20)),
                    Some(d(2026, 10, 31)),
                ],
            )],
            &[],
        );
        let out = deadlines(&df, &Calendar::embedded(), &params(d(2026, 11, 30))).unwrap();
        assert_eq!(
            rows_for(&out, "D17-decide"),
            vec![
                ("C00".into(), Some(d(2026, 10, 8)), 53, "overdue".into()),
                ("C01".into(), Some(d(2026, 12, 3)), 0, "due-soon".into()),
                ("C02".into(), Some(d(2026, 12, 21)), 0, "pending".into()),
                ("C03".into(), Some(d(2026, 11, 30)), 0, "due-soon".into()),
            ]
        );
    }

    #[test]
    fn rectification_uses_extended_date_unmoved_and_uncovered_years_are_flagged() {
        // C00: due 2025-10-01 (holiday, not moved), extended to 2025-10-31, done 10-20 → met.
        // C01: due 2025-10-01, done 10-02 → late 1 (a set date is not moved off holidays).
        // C02: filed 2026-12-20 → 2027-01-19: outside the holiday file → note.
        let df = cases(
            3,
            &[
                (
                    s::FILED_ON,
                    vec![
                        Some(d(2025, 8, 1)),
                        Some(d(2025, 8, 1)),
                        Some(d(2026, 12, 20)),
                    ],
                ),
                (
                    s::DECIDED_ON,
                    vec![Some(d(2025, 8, 20)), Some(d(2025, 8, 20)), None],
                ),
                (
                    s::NOTIFIED_ON,
                    vec![Some(d(2025, 8, 21)), Some(d(2025, 8, 21)), None],
                ),
                (
                    s::RECTIFY_DUE,
                    vec![Some(d(2025, 10, 1)), Some(d(2025, 10, 1)), None],
                ),
                (
                    s::RECTIFY_EXTENDED_TO,
                    vec![Some(d(2025, 10, 31)), None, None],
                ),
                (
                    s::RECTIFIED_ON,
                    vec![Some(d(2025, 10, 20)), Some(d(2025, 10, 2)), None],
                ),
            ],
            &[],
        );
        let out = deadlines(&df, &Calendar::embedded(), &params(d(2026, 12, 1))).unwrap();
        assert_eq!(
            rows_for(&out, "D20-rectify"),
            vec![
                ("C00".into(), Some(d(2025, 10, 31)), 0, "met".into()),
                ("C01".into(), Some(d(2025, 10, 1)), 1, "late".into()),
            ]
        );
        let c02 = s::as_text(&out)
            .filter(col("case_id").eq(lit("C02")))
            .collect()
            .unwrap();
        let note = c02
            .column("note")
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .unwrap()
            .to_string();
        assert!(note.contains("2027"), "{note}");
        assert_eq!(rows_for(&c02, "D17-decide")[0].1, Some(d(2027, 1, 19)));
    }

    #[test]
    fn rules_without_dates_and_inapplicable_rules() {
        let mut df = cases(
            2,
            &[
                (s::FILED_ON, vec![Some(d(2025, 5, 6)), Some(d(2025, 5, 6))]),
                (
                    s::DECIDED_ON,
                    vec![Some(d(2025, 5, 20)), Some(d(2025, 5, 20))],
                ),
            ],
            &[(s::INVESTIGATORS, vec![Some(1), Some(2)])],
        );
        df.with_column(Column::new(s::SOURCE.into(), ["实名举报", "匿名举报"]))
            .unwrap();
        df.with_column(Column::new(
            s::COMPLAINT_FINDING.into(),
            ["不属实", "不属实"],
        ))
        .unwrap();
        let out = deadlines(&df, &Calendar::embedded(), &params(d(2026, 11, 30))).unwrap();
        assert_eq!(
            rows_for(&out, "D16-two"),
            vec![
                ("C00".into(), None, 0, "breach".into()),
                ("C01".into(), None, 0, "met".into())
            ]
        );
        // only the named report is owed feedback; none recorded → breach
        assert_eq!(
            rows_for(&out, "D22-feedback"),
            vec![("C00".into(), None, 0, "breach".into())]
        );
        // no transfer, no review, no rectification → those rules yield nothing
        for rule in [
            "D15-handle",
            "D15-report",
            "D19-apply",
            "D19-decide",
            "D20-rectify",
        ] {
            assert!(rows_for(&out, rule).is_empty(), "{rule}");
        }
        // notify is open: decided 05-20 + 7 = 05-27, long overdue
        assert_eq!(rows_for(&out, "D17-notify")[0].3, "overdue");
        // the article is the article's number (art. 16, art. 22), not text
        let articles = s::as_text(&out)
            .filter(
                col("rule")
                    .eq(lit("D16-two"))
                    .or(col("rule").eq(lit("D22-feedback"))),
            )
            .select([col("article")])
            .collect()
            .unwrap();
        let articles: Vec<Option<i32>> = articles
            .column("article")
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(articles, [Some(16), Some(22), Some(16)]);
    }

    #[test]
    fn a_large_ledger_in_passes_gives_the_same_rows_in_the_same_order() {
        let data = crate::generate::generate(600, 11, false).unwrap();
        let opts = crate::ingest::ReadOptions {
            encoding: crate::ingest::Encoding::Auto,
            sheet: None,
            keep_summaries: false,
        };
        let ledger = crate::ingest::read_ledger_from(
            std::io::Cursor::new(data.ledger_csv.as_bytes()),
            crate::ingest::Format::Csv,
            &opts,
            &crate::config::Config::default(),
            usize::MAX,
        )
        .unwrap();
        let cal = Calendar::embedded();
        let p = params(d(2026, 11, 30));
        let whole = deadlines_of(&ledger.cases, &cal, &p).unwrap();
        assert!(whole.height() > 1000, "{} rows", whole.height());
        // the cases in reverse order, 37 at a time
        let n = ledger.cases.height() as u32;
        let reversed = ledger
            .cases
            .take(&IdxCa::from_vec("i".into(), (0..n).rev().collect()))
            .unwrap();
        let mut parts: Vec<DataFrame> = Vec::new();
        deadlines_in_parts(&reversed, &cal, &p, 37, |part, _| -> PolarsResult<()> {
            parts.push(part);
            Ok(())
        })
        .unwrap();
        // every part but the last holds 37 cases' rules, in case-id order
        assert_eq!(parts.len(), (n as usize).div_ceil(37));
        let mut ids_per_part = parts
            .iter()
            .map(|p| p.column("case_id").unwrap().n_unique().unwrap());
        assert!(ids_per_part.all(|k| k <= 37));
        let mut stacked = parts[0].clone();
        for part in &parts[1..] {
            stacked.vstack_mut(part).unwrap();
        }
        assert!(whole.equals_missing(&stacked));
    }
}
