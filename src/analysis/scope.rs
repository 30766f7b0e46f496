//! The ledger as it stood on the as-of date, within the pilot (rules.md §2
//! "As-of", ledger.md §Periods): the one view every analysis and report reads.
//!
//! - A case filed after the as-of date does not exist yet; a case filed
//!   outside the pilot period is out of the measures' scope. Both are left
//!   out, and counted.
//! - Every event dated after the as-of date has not happened yet: its date is
//!   emptied, and so is what that event decided (a decision's outcome,
//!   clause, complaint finding and malice finding; a review decision's
//!   result).
//! - Dates that are set, not events (`rectify_due`, `rectify_extended_to`),
//!   are kept.

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::period::days_since_epoch;
use crate::schema as s;

/// Event dates and the fields each event decides (emptied with it).
const EVENTS: &[(&str, &[&str])] = &[
    (s::VERIFIED_ON, &[]),
    (
        s::DECIDED_ON,
        &[
            s::OUTCOME,
            s::CLAUSE,
            s::CLAUSE_ARTICLE,
            s::CLAUSE_ITEM,
            s::COMPLAINT_FINDING,
            s::MALICIOUS_REPORT,
        ],
    ),
    (s::NOTIFIED_ON, &[]),
    (s::CORRECTED_ON, &[]),
    (s::ARCHIVED_ON, &[]),
    (s::TRANSFERRED_ON, &[]),
    (s::HANDLED_ON, &[]),
    (s::HANDLING_REPORTED_ON, &[]),
    (s::REVIEW_APPLIED_ON, &[]),
    (s::REVIEW_DECIDED_ON, &[s::REVIEW_RESULT]),
    (s::RECTIFIED_ON, &[]),
    (s::REPORTER_FEEDBACK_ON, &[]),
    (s::CLARIFIED_ON, &[]),
];

/// What the view left out or changed, for the accounting and the reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    pub as_of: Option<NaiveDate>,
    /// Cases in the view.
    pub cases: usize,
    /// Cases filed after the as-of date (not yet in existence).
    pub filed_after_as_of: usize,
    /// Cases filed outside the pilot period (and not after the as-of date).
    pub outside_pilot: usize,
    /// Event dates emptied because they fall after the as-of date.
    pub later_events: usize,
}

impl Scope {
    /// One Chinese line on what was left out (empty when nothing was).
    pub fn note(&self) -> String {
        let mut parts = Vec::new();
        if self.outside_pilot > 0 {
            parts.push(format!(
                "试点期间以外立案的 {} 件不属本办法适用范围，不纳入分析",
                self.outside_pilot
            ));
        }
        if let (Some(d), true) = (self.as_of, self.filed_after_as_of > 0) {
            parts.push(format!(
                "基准日 {d} 之后立案的 {} 件尚未发生，不纳入分析",
                self.filed_after_as_of
            ));
        }
        if let (Some(d), true) = (self.as_of, self.later_events > 0) {
            parts.push(format!(
                "基准日 {d} 之后的 {} 个办理日期视为尚未发生",
                self.later_events
            ));
        }
        parts.join("；")
    }
}

/// The cases as they stood on `as_of`, within the pilot (pure). The frame is
/// returned as it is (no copy) when nothing falls outside; otherwise it is
/// rebuilt a column at a time, each old column freed as its new one is
/// made, so that a large ledger is never held twice.
pub fn as_of_view(
    cases: DataFrame,
    as_of: NaiveDate,
    pilot: (NaiveDate, NaiveDate),
) -> PolarsResult<(DataFrame, Scope)> {
    let filed = cases.column(s::FILED_ON)?.date()?.physical().clone();
    let (as_of_day, first, last) = (
        days_since_epoch(as_of),
        days_since_epoch(pilot.0),
        days_since_epoch(pilot.1),
    );
    let in_scope = |f: Option<i32>| f.is_some_and(|f| f <= as_of_day && f >= first && f <= last);
    let mut scope = Scope {
        as_of: Some(as_of),
        ..Scope::default()
    };
    for d in filed.iter().flatten() {
        if d > as_of_day {
            scope.filed_after_as_of += 1;
        } else if d < first || d > last {
            scope.outside_pilot += 1;
        }
    }
    // Where each column is to be emptied: an event after the as-of date
    // empties its own date and what the event decided.
    let mut empty_where: HashMap<&str, BooleanChunked> = HashMap::new();
    for (event, decided) in EVENTS {
        let Ok(column) = cases.column(event) else {
            continue;
        };
        let dates = column.date()?.physical();
        let later = dates
            .iter()
            .zip(filed.iter())
            .filter(|(e, f)| e.is_some_and(|e| e > as_of_day) && in_scope(*f))
            .count();
        if later == 0 {
            continue;
        }
        scope.later_events += later;
        let after: BooleanChunked = dates
            .iter()
            .map(|e| Some(e.is_some_and(|e| e > as_of_day)))
            .collect();
        for name in std::iter::once(*event).chain(decided.iter().copied()) {
            if cases.column(name).is_ok() {
                empty_where.insert(name, after.clone());
            }
        }
    }
    let dropped = scope.filed_after_as_of + scope.outside_pilot;
    if dropped == 0 && empty_where.is_empty() {
        scope.cases = cases.height();
        return Ok((cases, scope));
    }
    let keep: Option<BooleanChunked> =
        (dropped > 0).then(|| filed.iter().map(|f| Some(in_scope(f))).collect());
    let sorted = super::listed_in_case_id_order(&cases)?;
    let height = cases.height() - dropped;
    let mut columns = cases.into_columns();
    for column in columns.iter_mut() {
        if let Some(after) = empty_where.get(column.name().as_str()) {
            let nulls = Column::full_null(column.name().clone(), column.len(), column.dtype());
            *column = nulls.zip_with(after, column)?;
        }
        if let Some(keep) = &keep {
            *column = column.filter(keep)?;
        }
    }
    let mut view = DataFrame::new(height, columns)?;
    if sorted {
        // Filtering keeps the order: the ids are still in text order.
        let mut ids = view.column(s::CASE_ID)?.str()?.clone();
        ids.set_sorted_flag(polars::series::IsSorted::Ascending);
        view.replace(s::CASE_ID, ids.into_column())?;
    }
    scope.cases = view.height();
    Ok((view, scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dates(v: &[Option<NaiveDate>]) -> Vec<Option<i32>> {
        v.iter().map(|x| x.map(days_since_epoch)).collect()
    }

    #[test]
    fn later_events_are_not_yet_and_later_cases_do_not_exist() {
        let pilot = (d(2025, 3, 1), d(2027, 2, 28));
        let df = df!(
            s::CASE_ID => ["A", "B", "C", "D"],
            s::FILED_ON => dates(&[Some(d(2026, 9, 1)), Some(d(2026, 9, 5)), Some(d(2026, 10, 2)), Some(d(2025, 1, 5))]),
            s::DECIDED_ON => dates(&[Some(d(2026, 9, 20)), Some(d(2026, 10, 20)), None, None]),
            s::OUTCOME => [Some("免责"), Some("不予容错"), None, None],
            s::REVIEW_DECIDED_ON => dates(&[Some(d(2026, 10, 1)), None, None, None]),
            s::REVIEW_RESULT => [Some("撤销"), None, None, None],
            s::RECTIFY_DUE => dates(&[None, Some(d(2026, 11, 20)), None, None]),
        )
        .unwrap()
        .lazy()
        .with_columns([
            col(s::FILED_ON).cast(DataType::Date),
            col(s::DECIDED_ON).cast(DataType::Date),
            col(s::REVIEW_DECIDED_ON).cast(DataType::Date),
            col(s::RECTIFY_DUE).cast(DataType::Date),
        ])
        .collect()
        .unwrap();
        let (view, scope) = as_of_view(df, d(2026, 9, 30), pilot).unwrap();
        // C is filed after the as-of date, D before the pilot: both left out.
        let ids: Vec<&str> = view
            .column(s::CASE_ID)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(ids, ["A", "B"]);
        assert_eq!(
            (scope.filed_after_as_of, scope.outside_pilot, scope.cases),
            (1, 1, 2)
        );
        // B's decision (10-20) has not happened on 09-30: no date, no outcome.
        let decided = view.column(s::DECIDED_ON).unwrap().date().unwrap();
        assert_eq!(
            decided.physical().iter().collect::<Vec<_>>(),
            dates(&[Some(d(2026, 9, 20)), None])
        );
        let outcome = view.column(s::OUTCOME).unwrap().str().unwrap();
        assert_eq!(outcome.iter().collect::<Vec<_>>(), [Some("免责"), None]);
        // A's review decision (10-01) and its result are not known yet.
        let result = view.column(s::REVIEW_RESULT).unwrap().str().unwrap();
        assert_eq!(result.iter().collect::<Vec<_>>(), [None, None]);
        // A set date is kept.
        let due = view.column(s::RECTIFY_DUE).unwrap().date().unwrap();
        assert_eq!(
            due.physical().get(1),
            Some(days_since_epoch(d(2026, 11, 20)))
        );
        assert_eq!(scope.later_events, 2);
        assert!(scope.note().contains("1 件尚未发生"), "{}", scope.note());
    }
}
