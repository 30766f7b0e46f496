//! Determination outcomes and clause use (rules.md §5): outcome shares by
//! quarter, unit and domain; use of every article item 9.1 … 12.7 (zeros
//! included); review (复核) and rectification by unit; art. 22 feedback
//! (coverage and days) and clarification of malicious reports; art. 15
//! transfers by unit; and, from the repeats, 12(5) cited without basis.
//! One long table: `section, group, item, count, base, share`.

use polars::prelude::*;

use chrono::NaiveDate;

use super::determination;
use crate::period::Quarter;
use crate::period::{date_from_days, days_since_epoch};
use crate::schema as s;

/// Output columns.
pub const COLUMNS: &[&str] = &["section", "group", "item", "count", "base", "share"];

/// The catch-all item of each article (第九条第（九）项 …).
pub const CATCH_ALL_ITEMS: [&str; 4] = ["9.9", "10.10", "11.3", "12.7"];

/// Rectification states (art. 20), in the table's order.
pub const RECTIFY_STATES: [&str; 4] = ["按期完成", "逾期完成", "逾期未完成", "未到期"];

/// Days from the decision to feedback (art. 22 sets no period).
pub const FEEDBACK_DAYS: [&str; 4] = ["7日内", "8至15日", "16至30日", "30日以上"];

/// Rows of the `cited_without_basis` section: each case decided 不予容错
/// under 12(5) that no earlier case flags (rules.md §3), by its unit; count
/// 1, base the unit's decisions citing 12(5). `listed` is
/// [`super::repeats::cited_without_basis`] for the same cases.
pub fn cited_without_basis_rows(cases: &DataFrame, listed: &DataFrame) -> PolarsResult<DataFrame> {
    let cited = s::as_text(cases)
        .filter(
            col(s::DECIDED_ON)
                .is_not_null()
                .and(col(s::CLAUSE_ARTICLE).eq(lit(12)))
                .and(col(s::CLAUSE_ITEM).eq(lit(5))),
        )
        .group_by([col(s::UNIT).alias("group")])
        .agg([len().cast(DataType::Int64).alias("base")]);
    listed
        .clone()
        .lazy()
        .select([
            lit("cited_without_basis").alias("section"),
            col(s::UNIT).cast(DataType::String).alias("group"),
            col(s::CASE_ID).cast(DataType::String).alias("item"),
            lit(1i64).cast(DataType::Int64).alias("count"),
        ])
        .join(
            cited,
            [col("group")],
            [col("group")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            (col("count").cast(DataType::Float64) / col("base").cast(DataType::Float64))
                .alias("share"),
        )
        .select(COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
}

/// The outcomes table with the `cited_without_basis` rows, in the table's order.
pub fn with_cited_without_basis(outcomes: DataFrame, rows: DataFrame) -> PolarsResult<DataFrame> {
    if rows.height() == 0 {
        return Ok(outcomes);
    }
    let rows = rows
        .lazy()
        .with_column(col("base").fill_null(lit(0i64)))
        .collect()?;
    outcomes
        .vstack(&rows)?
        .lazy()
        .with_row_index("__i", None)
        .sort_by_exprs(
            [col("section"), col("group"), col("__i")],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select(COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
}

/// Every article item of arts. 9–12, in order ("9.1" … "12.7").
pub fn clause_items() -> Vec<String> {
    [(9u8, 9u8), (10, 10), (11, 3), (12, 7)]
        .iter()
        .flat_map(|(a, n)| (1..=*n).map(move |i| format!("{a}.{i}")))
        .collect()
}

/// Quarter label of a date column (`2025Q3`).
pub fn quarter_expr(date_col: &str) -> Expr {
    concat_str(
        [
            col(date_col).dt().year().cast(DataType::String),
            lit("Q"),
            col(date_col).dt().quarter().cast(DataType::String),
        ],
        "",
        false,
    )
}

/// Rows of one section: for each group, every item in `items` (zeros kept).
fn section(
    name: &str,
    counts: LazyFrame,
    groups: Vec<String>,
    items: &[String],
    base: LazyFrame,
) -> PolarsResult<LazyFrame> {
    let grid = df!(
        "group" => groups.iter().flat_map(|g| items.iter().map(move |_| g.clone())).collect::<Vec<_>>(),
        "item" => groups.iter().flat_map(|_| items.iter().cloned()).collect::<Vec<_>>(),
        "__order" => groups.iter().flat_map(|_| 0..items.len() as i64).collect::<Vec<_>>(),
    )?;
    Ok(grid
        .lazy()
        .join(
            counts,
            [col("group"), col("item")],
            [col("group"), col("item")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            base,
            [col("group")],
            [col("group")],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            lit(name).alias("section"),
            col("group"),
            col("item"),
            col("count").fill_null(lit(0i64)).cast(DataType::Int64),
            col("base").fill_null(lit(0i64)).cast(DataType::Int64),
            col("__order"),
        ]))
}

fn distinct(df: &DataFrame, expr: Expr) -> PolarsResult<Vec<String>> {
    let d = df
        .clone()
        .lazy()
        .select([expr.alias("g")])
        .filter(col("g").is_not_null())
        .unique(None, UniqueKeepStrategy::First)
        .with_column(col("g").cast(DataType::String))
        .sort(["g"], Default::default())
        .collect()?;
    Ok(d.column("g")?
        .str()?
        .iter()
        .flatten()
        .map(String::from)
        .collect())
}

fn count_by(lf: &LazyFrame, group: Expr, item: Expr) -> LazyFrame {
    lf.clone()
        .group_by([group.alias("group"), item.alias("item")])
        .agg([len().cast(DataType::Int64).alias("count")])
        .with_columns([
            col("group").cast(DataType::String),
            col("item").cast(DataType::String),
        ])
}

fn base_by(lf: &LazyFrame, group: Expr) -> LazyFrame {
    lf.clone()
        .group_by([group.alias("group")])
        .agg([len().cast(DataType::Int64).alias("base")])
        .with_column(col("group").cast(DataType::String))
}

/// The outcomes table (pure). `cases` is the ledger as it stood on
/// `as_of` ([`super::scope`]); `art11_is_tolerance` as in rules.md §3 (a
/// tolerance owes a named reporter feedback).
pub fn outcomes(
    cases: &DataFrame,
    as_of: NaiveDate,
    art11_is_tolerance: bool,
) -> PolarsResult<DataFrame> {
    // Units, domains and outcomes stay as the ledger holds them (categorical)
    // through the filters and counts; only the counted groups become text.
    let all = cases.clone().lazy();
    let decided = all.clone().filter(
        col(s::DECIDED_ON)
            .is_not_null()
            .and(col(s::OUTCOME).is_not_null()),
    );
    let mut parts = outcome_sections(&decided)?;
    parts.extend(clause_sections(&decided)?);
    parts.extend(review_sections(&decided)?);
    parts.push(rectification_section(&decided, as_of)?);
    parts.extend(feedback_sections(&all, &decided, art11_is_tolerance)?);
    parts.push(transfer_section(&all)?);
    concat(parts, UnionArgs::default())?
        .with_column(
            when(col("base").gt(lit(0)))
                .then(col("count").cast(DataType::Float64) / col("base").cast(DataType::Float64))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("share"),
        )
        .sort_by_exprs(
            [col("section"), col("group"), col("__order")],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select(COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        // Streamed: the dozen counts over the filtered ledger would otherwise
        // each gather their rows at once (10 M cases: +1.5 GB). Every figure
        // is a whole-number count (shares are divided after), so the result
        // does not depend on the order rows are counted in.
        .collect_with_engine(Engine::Streaming)
        .map(|r| r.unwrap_single())
}

/// The distinct units of a plan's rows (only that column is read).
fn units_of(lf: &LazyFrame) -> PolarsResult<Vec<String>> {
    distinct(&lf.clone().select([col(s::UNIT)]).collect()?, col(s::UNIT))
}

/// Outcomes by the quarter of the decision, by unit and by domain.
fn outcome_sections(decided: &LazyFrame) -> PolarsResult<Vec<LazyFrame>> {
    // Only the columns read back here (the ledger is large).
    let decided_df = decided
        .clone()
        .select([col(s::DECIDED_ON), col(s::UNIT), col(s::DOMAIN)])
        .collect()?;
    let outcomes: Vec<String> = s::OUTCOMES.iter().map(|o| o.to_string()).collect();
    // The quarters of the distinct decision days (a few hundred days, not a
    // quarter per case).
    let quarters: Vec<String> = {
        let days = decided_df.column(s::DECIDED_ON)?.date()?.physical().clone();
        let distinct: PlHashSet<i32> = days.iter().flatten().collect();
        let mut q: Vec<Quarter> = distinct
            .into_iter()
            .map(|d| Quarter::of(date_from_days(d)))
            .collect();
        q.sort();
        q.dedup();
        q.iter().map(|q| q.label()).collect()
    };
    let mut parts = Vec::new();
    for (name, group, groups) in [
        ("outcome_by_quarter", quarter_expr(s::DECIDED_ON), quarters),
        (
            "outcome_by_unit",
            col(s::UNIT),
            distinct(&decided_df, col(s::UNIT))?,
        ),
        (
            "outcome_by_domain",
            col(s::DOMAIN),
            distinct(&decided_df, col(s::DOMAIN))?,
        ),
    ] {
        parts.push(section(
            name,
            count_by(decided, group.clone(), col(s::OUTCOME)),
            groups,
            &outcomes,
            base_by(decided, group),
        )?);
    }
    Ok(parts)
}

/// Clause use over all decided cases citing a clause (every item, zeros
/// kept), and the catch-all items (9.9, 10.10, 11.3, 12.7) by unit among
/// the unit's decisions citing a clause (rules.md §5).
fn clause_sections(decided: &LazyFrame) -> PolarsResult<Vec<LazyFrame>> {
    let cited = decided.clone().filter(
        col(s::CLAUSE_ARTICLE)
            .is_not_null()
            .and(col(s::CLAUSE_ITEM).is_not_null()),
    );
    let item_code = concat_str(
        [
            col(s::CLAUSE_ARTICLE).cast(DataType::String),
            lit("."),
            col(s::CLAUSE_ITEM).cast(DataType::String),
        ],
        "",
        false,
    );
    let catch_all: Vec<String> = CATCH_ALL_ITEMS.iter().map(|x| x.to_string()).collect();
    Ok(vec![
        section(
            "clause_use",
            count_by(&cited, lit("全部"), item_code.clone()),
            vec!["全部".into()],
            &clause_items(),
            base_by(&cited, lit("全部")),
        )?,
        section(
            "catch_all_by_unit",
            count_by(&cited, col(s::UNIT), item_code),
            units_of(&cited)?,
            &catch_all,
            base_by(&cited, col(s::UNIT)),
        )?,
    ])
}

/// Review (复核) by unit: applications among decided cases; changed or
/// revoked among decided reviews.
fn review_sections(decided: &LazyFrame) -> PolarsResult<Vec<LazyFrame>> {
    let units = units_of(decided)?;
    let applied = decided
        .clone()
        .filter(col(s::REVIEW_APPLIED_ON).is_not_null());
    let reviewed = decided.clone().filter(col(s::REVIEW_RESULT).is_not_null());
    let changed = reviewed
        .clone()
        .filter(col(s::REVIEW_RESULT).neq(lit("维持")));
    Ok(vec![
        section(
            "review_by_unit",
            count_by(&applied, col(s::UNIT), lit("复核申请")),
            units.clone(),
            &["复核申请".to_string()],
            base_by(decided, col(s::UNIT)),
        )?,
        section(
            "review_changed_by_unit",
            count_by(&changed, col(s::UNIT), lit("变更或撤销")),
            units,
            &["变更或撤销".to_string()],
            base_by(&reviewed, col(s::UNIT)),
        )?,
    ])
}

/// Rectification by unit (art. 20), of decided cases with a due date: done
/// on time, done late, overdue and not done, not yet due; against the
/// extended date if any.
fn rectification_section(decided: &LazyFrame, as_of: NaiveDate) -> PolarsResult<LazyFrame> {
    let due = decided.clone().filter(
        col(s::RECTIFY_DUE)
            .is_not_null()
            .or(col(s::RECTIFY_EXTENDED_TO).is_not_null()),
    );
    let deadline = coalesce(&[col(s::RECTIFY_EXTENDED_TO), col(s::RECTIFY_DUE)]);
    let as_of_day = lit(days_since_epoch(as_of)).cast(DataType::Date);
    let state = when(
        col(s::RECTIFIED_ON)
            .is_not_null()
            .and(col(s::RECTIFIED_ON).lt_eq(deadline.clone())),
    )
    .then(lit(RECTIFY_STATES[0]))
    .when(col(s::RECTIFIED_ON).is_not_null())
    .then(lit(RECTIFY_STATES[1]))
    .when(deadline.lt(as_of_day))
    .then(lit(RECTIFY_STATES[2]))
    .otherwise(lit(RECTIFY_STATES[3]));
    let states: Vec<String> = RECTIFY_STATES.iter().map(|x| x.to_string()).collect();
    section(
        "rectification_by_unit",
        count_by(&due, col(s::UNIT), state),
        units_of(&due)?,
        &states,
        base_by(&due, col(s::UNIT)),
    )
}

/// Art. 22: feedback owed to named reporters, given, and how soon; and
/// clarification (澄清正名), owed for malicious reports only.
fn feedback_sections(
    all: &LazyFrame,
    decided: &LazyFrame,
    art11_is_tolerance: bool,
) -> PolarsResult<Vec<LazyFrame>> {
    let owed = all
        .clone()
        .filter(determination::feedback_owed_expr(art11_is_tolerance));
    let given = owed
        .clone()
        .filter(col(s::REPORTER_FEEDBACK_ON).is_not_null());
    let days = (col(s::REPORTER_FEEDBACK_ON).cast(DataType::Int32)
        - col(s::DECIDED_ON).cast(DataType::Int32))
    .cast(DataType::Int64);
    let bucket = when(days.clone().lt_eq(lit(7i64)))
        .then(lit(FEEDBACK_DAYS[0]))
        .when(days.clone().lt_eq(lit(15i64)))
        .then(lit(FEEDBACK_DAYS[1]))
        .when(days.lt_eq(lit(30i64)))
        .then(lit(FEEDBACK_DAYS[2]))
        .otherwise(lit(FEEDBACK_DAYS[3]));
    let buckets: Vec<String> = FEEDBACK_DAYS.iter().map(|x| x.to_string()).collect();
    let malicious = decided
        .clone()
        .filter(col(s::MALICIOUS_REPORT).eq(lit(true)).fill_null(lit(false)));
    let cleared = malicious.clone().filter(col(s::CLARIFIED_ON).is_not_null());
    Ok(vec![
        section(
            "reporter_feedback",
            count_by(&given, lit("实名举报"), lit("已反馈")),
            vec!["实名举报".into()],
            &["已反馈".to_string()],
            base_by(&owed, lit("实名举报")),
        )?,
        section(
            "feedback_days",
            count_by(&given, lit("已反馈"), bucket),
            vec!["已反馈".into()],
            &buckets,
            base_by(&given, lit("已反馈")),
        )?,
        section(
            "clarification",
            count_by(&cleared, lit("恶意举报"), lit("已澄清正名")),
            vec!["恶意举报".into()],
            &["已澄清正名".to_string()],
            base_by(&malicious, lit("恶意举报")),
        )?,
    ])
}

/// Art. 15: cases transferred to the unit to investigate, by unit.
fn transfer_section(all: &LazyFrame) -> PolarsResult<LazyFrame> {
    let transferred = all.clone().filter(col(s::TRANSFERRED_ON).is_not_null());
    section(
        "transfer_by_unit",
        count_by(&transferred, col(s::UNIT), lit("移交调查")),
        units_of(all)?,
        &["移交调查".to_string()],
        base_by(all, col(s::UNIT)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::days_since_epoch;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> Option<i32> {
        Some(days_since_epoch(
            NaiveDate::from_ymd_opt(y, m, day).unwrap(),
        ))
    }

    #[test]
    fn shares_zero_items_and_sections() {
        let none: Vec<Option<i32>> = vec![None; 4];
        let df = df!(
            s::CASE_ID => ["A", "B", "C", "D"],
            s::UNIT => ["U1", "U1", "U2", "U2"],
            s::DOMAIN => ["D1", "D1", "D1", "D2"],
            s::DECIDED_ON => [d(2025, 5, 1), d(2025, 8, 1), d(2025, 8, 2), None],
            s::OUTCOME => [Some("免责"), Some("不予容错"), Some("免责"), None],
            s::CLAUSE_ARTICLE => [Some(10i32), Some(12), Some(10), None],
            s::CLAUSE_ITEM => [Some(5i32), Some(1), Some(5), None],
            s::REVIEW_APPLIED_ON => [None, d(2025, 8, 10), None, None],
            s::REVIEW_RESULT => [None, Some("撤销"), None, None],
            s::RECTIFY_DUE => [None, d(2025, 9, 1), None, None],
            s::RECTIFY_EXTENDED_TO => none,
            s::RECTIFIED_ON => [None, d(2025, 9, 2), None, None],
            s::SOURCE => [Some("实名举报"), None, Some("实名举报"), None],
            s::COMPLAINT_FINDING => [Some("不属实"), None, Some("属实"), None],
            s::REPORTER_FEEDBACK_ON => [d(2025, 5, 3), None, None, None],
            s::CLARIFIED_ON => [d(2025, 5, 20), None, None, None],
            s::MALICIOUS_REPORT => [Some(true), None, None, None],
            s::TRANSFERRED_ON => [None, d(2025, 7, 2), None, None],
            s::FILED_ON => [d(2025, 4, 1), d(2025, 7, 1), d(2025, 7, 20), d(2025, 9, 1)],
        )
        .unwrap()
        .lazy()
        .with_columns(
            [
                s::DECIDED_ON,
                s::REVIEW_APPLIED_ON,
                s::RECTIFY_DUE,
                s::RECTIFY_EXTENDED_TO,
                s::RECTIFIED_ON,
                s::REPORTER_FEEDBACK_ON,
                s::CLARIFIED_ON,
                s::TRANSFERRED_ON,
                s::FILED_ON,
            ]
            .iter()
            .map(|c| col(*c).cast(DataType::Date))
            .collect::<Vec<_>>(),
        )
        .collect()
        .unwrap();
        let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let out = outcomes(&df, as_of, false).unwrap();
        let get = |section: &str, group: &str, item: &str| -> (i64, i64, Option<f64>) {
            let f = out
                .clone()
                .lazy()
                .filter(
                    col("section")
                        .eq(lit(section))
                        .and(col("group").eq(lit(group)))
                        .and(col("item").eq(lit(item))),
                )
                .collect()
                .unwrap();
            assert_eq!(f.height(), 1, "{section}/{group}/{item}");
            (
                f.column("count").unwrap().i64().unwrap().get(0).unwrap(),
                f.column("base").unwrap().i64().unwrap().get(0).unwrap(),
                f.column("share").unwrap().f64().unwrap().get(0),
            )
        };
        // 2025Q3: B 不予容错, C 免责 → 1 of 2 each; 减轻 shown as zero
        assert_eq!(
            get("outcome_by_quarter", "2025Q3", "免责"),
            (1, 2, Some(0.5))
        );
        assert_eq!(
            get("outcome_by_quarter", "2025Q3", "减轻"),
            (0, 2, Some(0.0))
        );
        assert_eq!(get("outcome_by_unit", "U1", "免责"), (1, 2, Some(0.5)));
        // 10.5 cited twice of three cited decisions; 9.8 never → zero row
        assert_eq!(get("clause_use", "全部", "10.5"), (2, 3, Some(2.0 / 3.0)));
        assert_eq!(get("clause_use", "全部", "9.8"), (0, 3, Some(0.0)));
        assert_eq!(
            out.clone()
                .lazy()
                .filter(col("section").eq(lit("clause_use")))
                .collect()
                .unwrap()
                .height(),
            29
        );
        assert_eq!(get("review_by_unit", "U1", "复核申请"), (1, 2, Some(0.5)));
        assert_eq!(
            get("review_changed_by_unit", "U1", "变更或撤销"),
            (1, 1, Some(1.0))
        );
        assert_eq!(
            get("review_changed_by_unit", "U2", "变更或撤销"),
            (0, 0, None)
        );
        assert_eq!(
            get("rectification_by_unit", "U1", "逾期完成"),
            (1, 1, Some(1.0))
        );
        assert_eq!(
            get("rectification_by_unit", "U1", "逾期未完成"),
            (0, 1, Some(0.0))
        );
        // A is owed feedback (不属实) and got it; C (属实, but 免责 = tolerance) is owed and did not
        assert_eq!(
            get("reporter_feedback", "实名举报", "已反馈"),
            (1, 2, Some(0.5))
        );
        // A was fed back two days after the decision (05-01 → 05-03)
        assert_eq!(get("feedback_days", "已反馈", "7日内"), (1, 1, Some(1.0)));
        // clarification is counted against malicious reports only: A
        assert_eq!(
            get("clarification", "恶意举报", "已澄清正名"),
            (1, 1, Some(1.0))
        );
        // the catch-all items by unit: no case cites one; U1 has 2 citing decisions
        assert_eq!(get("catch_all_by_unit", "U1", "12.7"), (0, 2, Some(0.0)));
        // B was transferred to U1 (art. 15): 1 of U1's 2 cases
        assert_eq!(get("transfer_by_unit", "U1", "移交调查"), (1, 2, Some(0.5)));
        // The ledger as ingest holds it (categorical text) gives the same table.
        let coded = s::as_stored(df).unwrap();
        assert!(matches!(
            coded.column(s::UNIT).unwrap().dtype(),
            DataType::Categorical(..)
        ));
        let again = outcomes(&coded, as_of, false).unwrap();
        assert!(out.equals_missing(&again), "{out}\n{again}");
    }
}
