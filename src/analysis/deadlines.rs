//! Procedural deadlines of arts. 15–22 (rules.md §2): one row per case × rule
//! that applies, with the deadline under the holiday rule and a status.

use chrono::NaiveDate;
use polars::prelude::*;

use crate::calendar::Calendar;
use crate::period::{date_from_days, days_since_epoch};
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
    /// D22-feedback: 0 = no period (`pending` until feedback is recorded),
    /// N = due N days after the decision.
    pub feedback_days: u32,
    /// A 减轻/从轻 under art. 11 counts as tolerance (which owes a named
    /// reporter feedback, art. 22).
    pub art11_is_tolerance: bool,
}

/// How a dated rule's deadline is set.
#[derive(Debug, Clone, Copy)]
enum Period {
    /// A period of this many days from the start event.
    Days(u32),
    /// 30 days plus the appraisal days, rolled to a working day; an approved
    /// extension (capped at 30) runs from that rolled deadline and is rolled
    /// again (D17-decide).
    Decision,
    /// A set date: the extended rectification date, else the one set (D20).
    SetDate,
}

/// What a rule checks.
#[derive(Debug, Clone, Copy)]
enum Check {
    /// An end event due within a period of a start event.
    Dated {
        start: Date,
        actual: Date,
        period: Period,
        /// The rule exists only once the end event happened: an
        /// application out of time is still an application (D19-apply).
        only_once_done: bool,
    },
    /// At least two investigators (D16-two).
    TwoInvestigators,
    /// No breach of the recusal rule (D16-recusal).
    Recusal,
    /// An extension of at most 30 days (D17-extend), when one was granted.
    ExtensionCap,
    /// Feedback to a named complainant (D22-feedback): no period unless
    /// `feedback_days` sets one.
    Feedback,
}

/// The date columns the rules read, in [`DATE_FIELDS`] order.
#[derive(Debug, Clone, Copy)]
enum Date {
    Filed,
    Decided,
    Notified,
    ReviewApplied,
    ReviewDecided,
    Transferred,
    Handled,
    HandlingReported,
    RectifyDue,
    RectifyExtendedTo,
    Rectified,
    ReporterFeedback,
}

const DATE_FIELDS: [&str; 12] = [
    s::FILED_ON,
    s::DECIDED_ON,
    s::NOTIFIED_ON,
    s::REVIEW_APPLIED_ON,
    s::REVIEW_DECIDED_ON,
    s::TRANSFERRED_ON,
    s::HANDLED_ON,
    s::HANDLING_REPORTED_ON,
    s::RECTIFY_DUE,
    s::RECTIFY_EXTENDED_TO,
    s::RECTIFIED_ON,
    s::REPORTER_FEEDBACK_ON,
];

struct Rule {
    id: &'static str,
    /// What the rule asks, in the measures' words, for readers.
    name: &'static str,
    article: i32,
    check: Check,
}

/// Every rule of rules.md §2, in the text order of their ids (the order of
/// a case's rows in the table).
const RULES: &[Rule] = &[
    Rule {
        id: "D15-handle",
        name: "移交后30日内办结（第十五条）",
        article: 15,
        check: Check::Dated {
            start: Date::Transferred,
            actual: Date::Handled,
            period: Period::Days(30),
            only_once_done: false,
        },
    },
    Rule {
        id: "D15-report",
        name: "办结后7日内报备（第十五条）",
        article: 15,
        check: Check::Dated {
            start: Date::Handled,
            actual: Date::HandlingReported,
            period: Period::Days(7),
            only_once_done: false,
        },
    },
    Rule {
        id: "D16-recusal",
        name: "应回避的已回避（第十六条）",
        article: 16,
        check: Check::Recusal,
    },
    Rule {
        id: "D16-two",
        name: "调查人员不少于2人（第十六条）",
        article: 16,
        check: Check::TwoInvestigators,
    },
    Rule {
        id: "D17-decide",
        name: "立案后30日内调查终结（第十七条）",
        article: 17,
        check: Check::Dated {
            start: Date::Filed,
            actual: Date::Decided,
            period: Period::Decision,
            only_once_done: false,
        },
    },
    Rule {
        id: "D17-extend",
        name: "延长不超过30日（第十七条）",
        article: 17,
        check: Check::ExtensionCap,
    },
    Rule {
        id: "D17-notify",
        name: "决定后7日内告知（第十七条）",
        article: 17,
        check: Check::Dated {
            start: Date::Decided,
            actual: Date::Notified,
            period: Period::Days(7),
            only_once_done: false,
        },
    },
    Rule {
        id: "D19-apply",
        name: "15日内申请复核（第十九条）",
        article: 19,
        check: Check::Dated {
            start: Date::Notified,
            actual: Date::ReviewApplied,
            period: Period::Days(15),
            only_once_done: true,
        },
    },
    Rule {
        id: "D19-decide",
        name: "复核30日内决定（第十九条）",
        article: 19,
        check: Check::Dated {
            start: Date::ReviewApplied,
            actual: Date::ReviewDecided,
            period: Period::Days(30),
            only_once_done: false,
        },
    },
    Rule {
        id: "D20-rectify",
        name: "按期整改（第二十条）",
        article: 20,
        check: Check::Dated {
            start: Date::Decided,
            actual: Date::Rectified,
            period: Period::SetDate,
            only_once_done: false,
        },
    },
    Rule {
        id: "D22-feedback",
        name: "向实名举报人反馈（第二十二条）",
        article: 22,
        check: Check::Feedback,
    },
];

/// The reader's name of a rule id (`D17-decide` → `立案后30日内调查终结（第十七条）`);
/// None for an unknown id. Reports and charts print this, never the id.
pub fn rule_name(id: &str) -> Option<&'static str> {
    RULES.iter().find(|r| r.id == id).map(|r| r.name)
}

/// Position of a rule in the text order (unknown ids last).
pub fn rule_order(id: &str) -> usize {
    RULES.iter().position(|r| r.id == id).unwrap_or(RULES.len())
}

/// The ledger columns the deadlines read.
fn reads() -> Vec<&'static str> {
    let mut names = vec![
        s::CASE_ID,
        s::UNIT,
        s::APPRAISAL_DAYS,
        s::EXTENSION_DAYS,
        s::INVESTIGATORS,
        s::RECUSAL_BREACH,
        s::SOURCE,
        s::COMPLAINT_FINDING,
        s::OUTCOME,
        s::CLAUSE_ARTICLE,
    ];
    names.extend(DATE_FIELDS);
    names
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
            // Held whole: the repeated texts as categoricals (four bytes a
            // cell instead of a string each).
            let part = part
                .lazy()
                .with_columns(
                    CATEGORICAL_COLUMNS
                        .iter()
                        .map(|c| col(*c).cast(s::categorical()))
                        .collect::<Vec<_>>(),
                )
                .collect()?;
            match out.as_mut() {
                Some(df) => {
                    df.vstack_mut_owned(part)?;
                }
                None => out = Some(part),
            }
            Ok(())
        },
    )?;
    out.ok_or_else(|| polars_err!(ComputeError: "no deadline part"))
}

/// The deadlines table in consecutive parts of at most `per_pass` cases'
/// rules, handed to `sink` in order: stacked, the parts are [`deadlines`]
/// (with plain text where [`deadlines`] holds categoricals: a part is written
/// out as text at once). A caller that writes each part out never holds the
/// whole table (five rows a case). The sink also sees the part's cases (the columns the deadlines
/// read, `case_id` and `filed_on` among them), in the part's order. An empty
/// ledger gives one empty part.
pub fn deadlines_in_parts<E: From<PolarsError>>(
    cases: &DataFrame,
    cal: &Calendar,
    p: &DeadlineParams,
    per_pass: usize,
    mut sink: impl FnMut(DataFrame, &DataFrame) -> Result<(), E>,
) -> Result<(), E> {
    let per_pass = per_pass.max(1);
    // Slices of cases ordered by case id: each slice's rows come sorted by
    // (case_id, rule), so the slices stacked are too, and only one slice's
    // rows are alive at a time.
    let read = cases.select(reads())?;
    // A ledger listed in case-id order is sliced as it is; any other is
    // gathered in that order.
    let order = if super::listed_in_case_id_order(&read)? {
        None
    } else {
        let ids = read.column(s::CASE_ID)?.as_materialized_series();
        Some(ids.arg_sort(SortOptions::default().with_maintain_order(true)))
    };
    let mut periods = Periods::new(cal, p);
    let mut offset = 0;
    loop {
        let slice = match &order {
            Some(order) => read.take(&order.slice(offset as i64, per_pass))?,
            None => read.slice(offset as i64, per_pass),
        };
        let part = deadlines_of(&slice, &mut periods)?;
        sink(part, &slice)?;
        offset += per_pass;
        if offset >= read.height() {
            return Ok(());
        }
    }
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

/// Calendar arithmetic of a run, each distinct question answered once: a
/// ledger holds a few thousand distinct (start, days) pairs and deadlines.
struct Periods<'a> {
    cal: &'a Calendar,
    p: &'a DeadlineParams,
    /// (start, days) → (deadline, computed on weekends only).
    ends: PlHashMap<(i32, i64), (i32, bool)>,
    /// deadline → working days left from the as-of date.
    left: PlHashMap<i32, i64>,
    /// deadline → the weekends-only caveat.
    notes: PlHashMap<i32, String>,
}

impl<'a> Periods<'a> {
    fn new(cal: &'a Calendar, p: &'a DeadlineParams) -> Self {
        Periods {
            cal,
            p,
            ends: PlHashMap::default(),
            left: PlHashMap::default(),
            notes: PlHashMap::default(),
        }
    }

    fn end(&mut self, start: i32, days: i64) -> (i32, bool) {
        let (cal, p) = (self.cal, self.p);
        *self.ends.entry((start, days)).or_insert_with(|| {
            let n = days.clamp(0, u32::MAX as i64) as u32;
            let working = p.working_day_short_periods && n <= 10;
            let end = cal.period_end(date_from_days(start), n, working);
            (days_since_epoch(end.deadline), end.assumed)
        })
    }

    fn working_days_left(&mut self, deadline: i32) -> i64 {
        let (cal, as_of) = (self.cal, self.p.as_of);
        *self
            .left
            .entry(deadline)
            .or_insert_with(|| cal.working_days_between(as_of, date_from_days(deadline)).0)
    }

    fn note(&mut self, deadline: i32) {
        let cal = self.cal;
        self.notes
            .entry(deadline)
            .or_insert_with(|| assumed_note(cal, date_from_days(deadline)));
    }
}

/// A row's status (outputs.md §deadlines).
#[derive(Debug, Clone, Copy)]
enum Status {
    Met,
    Late,
    Overdue,
    DueSoon,
    Pending,
    Breach,
}

impl Status {
    /// Every status, in discriminant order.
    const ALL: [Status; 6] = [
        Status::Met,
        Status::Late,
        Status::Overdue,
        Status::DueSoon,
        Status::Pending,
        Status::Breach,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Late => "late",
            Status::Overdue => "overdue",
            Status::DueSoon => "due-soon",
            Status::Pending => "pending",
            Status::Breach => "breach",
        }
    }
}

/// One row of the table being built.
struct Row {
    case: IdxSize,
    /// Index into [`RULES`].
    rule: u8,
    start: Option<i32>,
    deadline: Option<i32>,
    actual: Option<i32>,
    days_late: i64,
    status: Status,
    /// The deadline whose weekends-only caveat the row carries.
    note: Option<i32>,
}

/// A dated rule's status and days late at the as-of date.
fn judge(deadline: Option<i32>, actual: Option<i32>, periods: &mut Periods) -> (Status, i64) {
    let as_of = days_since_epoch(periods.p.as_of);
    match (actual, deadline) {
        (Some(a), Some(d)) if a <= d => (Status::Met, 0),
        (Some(a), Some(d)) => (Status::Late, i64::from(a) - i64::from(d)),
        (Some(_), None) => (Status::Late, 0),
        (None, Some(d)) if d < as_of => (Status::Overdue, i64::from(as_of) - i64::from(d)),
        (None, Some(d)) if periods.working_days_left(d) <= i64::from(periods.p.due_soon_days) => {
            (Status::DueSoon, 0)
        }
        (None, _) => (Status::Pending, 0),
    }
}

/// `texts[index]` for each index (null where the index is): a gather of
/// views into the few texts' buffer, not a string built per row.
fn texts_at(name: &str, texts: &[&str], index: Vec<Option<IdxSize>>) -> PolarsResult<Column> {
    let texts = StringChunked::from_slice(name.into(), texts);
    let index: IdxCa = index.into_iter().collect();
    Ok(texts.take(&index)?.into_column())
}

/// What the rules read of each case of a part, one vector per column.
struct Facts {
    /// In [`DATE_FIELDS`] order.
    dates: Vec<Vec<Option<i32>>>,
    appraisal: Vec<Option<i64>>,
    extension: Vec<Option<i64>>,
    investigators: Vec<Option<i64>>,
    recusal_breach: Vec<Option<bool>>,
    /// Art. 22: a named reporter is owed feedback (the one rule, shared
    /// with outcomes).
    feedback_owed: Vec<bool>,
}

impl Facts {
    fn read(cases: &DataFrame, art11_is_tolerance: bool) -> PolarsResult<Facts> {
        let date_column = |name: &str| -> PolarsResult<Vec<Option<i32>>> {
            Ok(cases.column(name)?.date()?.physical().iter().collect())
        };
        let int_column = |name: &str| -> PolarsResult<Vec<Option<i64>>> {
            // the ledger stores counts in four bytes; tests build them in eight
            Ok(cases
                .column(name)?
                .cast(&DataType::Int64)?
                .i64()?
                .iter()
                .collect())
        };
        let feedback_owed = cases
            .clone()
            .lazy()
            .select([super::determination::feedback_owed_expr(art11_is_tolerance).alias("owed")])
            .collect()?
            .column("owed")?
            .bool()?
            .iter()
            .map(|b| b == Some(true))
            .collect();
        Ok(Facts {
            dates: DATE_FIELDS
                .iter()
                .map(|name| date_column(name))
                .collect::<PolarsResult<Vec<_>>>()?,
            appraisal: int_column(s::APPRAISAL_DAYS)?,
            extension: int_column(s::EXTENSION_DAYS)?,
            investigators: int_column(s::INVESTIGATORS)?,
            recusal_breach: cases.column(s::RECUSAL_BREACH)?.bool()?.iter().collect(),
            feedback_owed,
        })
    }

    fn date(&self, d: Date, case: usize) -> Option<i32> {
        self.dates[d as usize][case]
    }
}

/// The rows of `cases` (already in case-id order): for each case, each rule
/// that applies, in rule order.
fn deadlines_of(cases: &DataFrame, periods: &mut Periods) -> PolarsResult<DataFrame> {
    let facts = Facts::read(cases, periods.p.art11_is_tolerance)?;
    let mut rows: Vec<Row> = Vec::with_capacity(cases.height() * 5);
    for i in 0..cases.height() {
        for (k, rule) in RULES.iter().enumerate() {
            rows.extend(rule_row(&facts, i, k as u8, rule, periods));
        }
    }
    frame_of(cases, &rows, periods)
}

/// Case `i`'s row of one rule, if the rule applies to it.
fn rule_row(f: &Facts, i: usize, rule: u8, r: &Rule, periods: &mut Periods) -> Option<Row> {
    let check = |ok: bool| Row {
        case: i as IdxSize,
        rule,
        start: None,
        deadline: None,
        actual: None,
        days_late: 0,
        status: if ok { Status::Met } else { Status::Breach },
        note: None,
    };
    match r.check {
        Check::TwoInvestigators => f.investigators[i].map(|k| check(k >= 2)),
        Check::Recusal => f.recusal_breach[i].map(|breach| check(!breach)),
        Check::ExtensionCap => f.extension[i]
            .filter(|days| *days > 0)
            .map(|days| check(days <= 30)),
        Check::Feedback if !f.feedback_owed[i] => None,
        Check::Feedback => {
            let (decided, given) = (f.date(Date::Decided, i), f.date(Date::ReporterFeedback, i));
            Some(match (periods.p.feedback_days, decided) {
                // no period: met once given, pending until then
                (0, _) | (_, None) => Row {
                    start: decided,
                    actual: given,
                    status: if given.is_some() {
                        Status::Met
                    } else {
                        Status::Pending
                    },
                    ..check(true)
                },
                (days, Some(st)) => {
                    let (deadline, assumed) = periods.end(st, i64::from(days));
                    let (status, days_late) = judge(Some(deadline), given, periods);
                    if assumed {
                        periods.note(deadline);
                    }
                    Row {
                        start: Some(st),
                        deadline: Some(deadline),
                        actual: given,
                        days_late,
                        status,
                        note: assumed.then_some(deadline),
                        ..check(true)
                    }
                }
            })
        }
        Check::Dated {
            start,
            actual,
            period,
            only_once_done,
        } => dated_row(f, i, rule, (start, actual, period, only_once_done), periods),
    }
}

/// Case `i`'s row of a dated rule (an end event due within a period of a
/// start event), if the rule applies to it.
fn dated_row(
    f: &Facts,
    i: usize,
    rule: u8,
    (start, actual, period, only_once_done): (Date, Date, Period, bool),
    periods: &mut Periods,
) -> Option<Row> {
    let date = |d: Date| f.date(d, i);
    let start = date(start);
    let applies = match period {
        // A rectification is ordered by a decision.
        Period::SetDate => {
            start.is_some()
                && (date(Date::RectifyDue).is_some() || date(Date::RectifyExtendedTo).is_some())
        }
        // Art. 15 replaces the office's own investigation: a transferred
        // case has no art. 17 decision period.
        Period::Decision => start.is_some() && date(Date::Transferred).is_none(),
        _ => start.is_some() && (!only_once_done || date(actual).is_some()),
    };
    if !applies {
        return None;
    }
    let (deadline, assumed) = match (period, start) {
        (Period::SetDate, _) => (
            date(Date::RectifyExtendedTo).or(date(Date::RectifyDue)),
            false,
        ),
        (Period::Days(days), Some(st)) => {
            let (end, assumed) = periods.end(st, i64::from(days));
            (Some(end), assumed)
        }
        (Period::Decision, Some(st)) => {
            let (base, assumed) = periods.end(st, 30 + f.appraisal[i].unwrap_or(0).max(0));
            // An approved extension runs from the rolled deadline, rolled again.
            match f.extension[i].map(|e| e.min(30)).filter(|e| *e > 0) {
                Some(e) => {
                    let (end, more) = periods.end(base, e);
                    (Some(end), assumed || more)
                }
                None => (Some(base), assumed),
            }
        }
        (_, None) => (None, false),
    };
    let actual = date(actual);
    let (status, days_late) = judge(deadline, actual, periods);
    let note = deadline.filter(|_| assumed);
    if let Some(d) = note {
        periods.note(d);
    }
    Some(Row {
        case: i as IdxSize,
        rule,
        start,
        deadline,
        actual,
        days_late,
        status,
        note,
    })
}

/// The table of a part's rows, a column at a time: texts gathered from
/// their few values, each case's id and unit once.
fn frame_of(cases: &DataFrame, rows: &[Row], periods: &Periods) -> PolarsResult<DataFrame> {
    let cases_of = IdxCa::from_vec("".into(), rows.iter().map(|r| r.case).collect());
    let case_ids = cases.column(s::CASE_ID)?.take(&cases_of)?;
    // Each case's unit as text once, then gathered per row.
    let units = cases
        .column(s::UNIT)?
        .cast(&DataType::String)?
        .take(&cases_of)?;
    let day_column = |name: &str, days: Vec<Option<i32>>| -> Column {
        Int32Chunked::from_iter_options(name.into(), days.into_iter())
            .into_date()
            .into_column()
    };
    let rule_ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    let statuses = Status::ALL.map(Status::as_str);
    // The part's weekends-only caveats, each text once, in order of deadline.
    let mut noted: Vec<i32> = rows.iter().filter_map(|r| r.note).collect();
    noted.sort_unstable();
    noted.dedup();
    let note_texts: Vec<&str> = noted
        .iter()
        .map(|d| periods.notes.get(d).map_or("", String::as_str))
        .collect();
    let columns = vec![
        case_ids.with_name("case_id".into()),
        units.with_name("unit".into()),
        texts_at(
            "rule",
            &rule_ids,
            rows.iter().map(|r| Some(IdxSize::from(r.rule))).collect(),
        )?,
        Column::new(
            "article".into(),
            rows.iter()
                .map(|r| RULES[usize::from(r.rule)].article)
                .collect::<Vec<i32>>(),
        ),
        day_column("start", rows.iter().map(|r| r.start).collect()),
        day_column("deadline", rows.iter().map(|r| r.deadline).collect()),
        day_column("actual", rows.iter().map(|r| r.actual).collect()),
        Column::new(
            "days_late".into(),
            rows.iter().map(|r| r.days_late).collect::<Vec<i64>>(),
        ),
        texts_at(
            "status",
            &statuses,
            rows.iter().map(|r| Some(r.status as IdxSize)).collect(),
        )?,
        texts_at(
            "note",
            &note_texts,
            rows.iter()
                .map(|r| {
                    r.note
                        .and_then(|d| noted.binary_search(&d).ok())
                        .map(|k| k as IdxSize)
                })
                .collect(),
        )?,
    ];
    DataFrame::new(rows.len(), columns)
}

/// Text columns of the whole deadlines table held as categoricals (five rows
/// a case: four bytes a cell instead of a string each); writers and queries
/// see text.
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
        for derived in [s::CLAUSE_ARTICLE, s::CLAUSE_ITEM] {
            columns.push(Column::full_null(derived.into(), rows, &DataType::Int32));
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
            feedback_days: 0,
            art11_is_tolerance: false,
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
        // C04: 2025-04-01 + 30 = 05-01 (Labour Day, off 05-01..05-05) → 05-06;
        //      the extension, capped at 30, runs from 05-06: 06-05 (Thu); decided 06-03 → met.
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
                ("C04".into(), Some(d(2025, 6, 5)), 0, "met".into()),
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
        // only the named report is owed feedback; none recorded, and art. 22
        // sets no period → pending, never breach
        assert_eq!(
            rows_for(&out, "D22-feedback"),
            vec![("C00".into(), None, 0, "pending".into())]
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

    /// (case, deadline, actual, days late, status)
    type FullRow = (String, Option<NaiveDate>, Option<NaiveDate>, i64, String);

    /// Rows of one rule.
    fn full_rows(out: &DataFrame, rule: &str) -> Vec<FullRow> {
        let f = s::as_text(out)
            .filter(col("rule").eq(lit(rule)))
            .collect()
            .unwrap();
        let day = |c: &str, i: usize| {
            f.column(c)
                .unwrap()
                .date()
                .unwrap()
                .physical()
                .get(i)
                .map(date_from_days)
        };
        (0..f.height())
            .map(|i| {
                (
                    f.column("case_id")
                        .unwrap()
                        .str()
                        .unwrap()
                        .get(i)
                        .unwrap()
                        .into(),
                    day("deadline", i),
                    day("actual", i),
                    f.column("days_late")
                        .unwrap()
                        .i64()
                        .unwrap()
                        .get(i)
                        .unwrap(),
                    f.column("status")
                        .unwrap()
                        .str()
                        .unwrap()
                        .get(i)
                        .unwrap()
                        .into(),
                )
            })
            .collect()
    }

    #[test]
    fn transferred_cases_have_no_decision_period_and_zero_extension_is_none() {
        // C00: transferred on 2025-05-06 (art. 15): no D17-decide row, even
        //      though it was never decided; D15-handle instead: 05-06 + 30 =
        //      06-05 (Thu), handled 06-10 → late 5.
        // C01: 延长天数 0 is no extension: no D17-extend row; the deadline is
        //      2025-05-06 + 30 = 06-05 (Thu), decided 06-05 → met.
        // C02: extension 10 from the rolled deadline: 2025-09-06 + 30 = 10-06
        //      (National Day) → 10-09; + 10 = 10-19 (Sun) → 10-20; decided
        //      10-20 → met. Summed with the base period (40 days from 09-06 =
        //      10-16) it would have been late.
        let df = cases(
            3,
            &[
                (
                    s::FILED_ON,
                    vec![
                        Some(d(2025, 5, 5)),
                        Some(d(2025, 5, 6)),
                        Some(d(2025, 9, 6)),
                    ],
                ),
                (s::TRANSFERRED_ON, vec![Some(d(2025, 5, 6)), None, None]),
                (s::HANDLED_ON, vec![Some(d(2025, 6, 10)), None, None]),
                (
                    s::DECIDED_ON,
                    vec![None, Some(d(2025, 6, 5)), Some(d(2025, 10, 20))],
                ),
            ],
            &[(s::EXTENSION_DAYS, vec![None, Some(0), Some(10)])],
        );
        let out = deadlines(&df, &Calendar::embedded(), &params(d(2026, 11, 30))).unwrap();
        assert_eq!(
            rows_for(&out, "D17-decide"),
            vec![
                ("C01".into(), Some(d(2025, 6, 5)), 0, "met".into()),
                ("C02".into(), Some(d(2025, 10, 20)), 0, "met".into()),
            ]
        );
        assert_eq!(
            rows_for(&out, "D15-handle"),
            vec![("C00".into(), Some(d(2025, 6, 5)), 5, "late".into())]
        );
        assert_eq!(
            rows_for(&out, "D17-extend"),
            vec![("C02".into(), None, 0, "met".into())]
        );
    }

    #[test]
    fn events_after_the_as_of_date_have_not_happened() {
        // Filed 2026-08-10 → 09-09 (Wed). Decided 10-20, notified 10-22.
        // As of 2026-09-30 the decision has not happened: D17-decide is
        // overdue by 21 days (09-30 − 09-09), not late by 41; there is no
        // D17-notify row (its start, the decision, has not happened).
        let df = cases(
            1,
            &[
                (s::FILED_ON, vec![Some(d(2026, 8, 10))]),
                (s::DECIDED_ON, vec![Some(d(2026, 10, 20))]),
                (s::NOTIFIED_ON, vec![Some(d(2026, 10, 22))]),
            ],
            &[],
        );
        let pilot = (d(2025, 3, 1), d(2027, 2, 28));
        let (view, _) =
            crate::analysis::scope::as_of_view(df.clone(), d(2026, 9, 30), pilot).unwrap();
        let out = deadlines(&view, &Calendar::embedded(), &params(d(2026, 9, 30))).unwrap();
        assert_eq!(
            full_rows(&out, "D17-decide"),
            vec![(
                "C00".into(),
                Some(d(2026, 9, 9)),
                None,
                21,
                "overdue".into()
            )]
        );
        assert!(full_rows(&out, "D17-notify").is_empty());
        // Run as of the export date, the same case was decided late by 41 days.
        let (view, _) = crate::analysis::scope::as_of_view(df, d(2026, 11, 30), pilot).unwrap();
        let out = deadlines(&view, &Calendar::embedded(), &params(d(2026, 11, 30))).unwrap();
        assert_eq!(
            full_rows(&out, "D17-decide"),
            vec![(
                "C00".into(),
                Some(d(2026, 9, 9)),
                Some(d(2026, 10, 20)),
                41,
                "late".into()
            )]
        );
    }

    #[test]
    fn feedback_has_no_period_unless_one_is_configured() {
        // Three named reports found 不属实, decided 2025-05-20:
        // C00 feedback 06-30, C01 none, C02 feedback 05-25.
        let mut df = cases(
            3,
            &[
                (s::FILED_ON, vec![Some(d(2025, 5, 6)); 3]),
                (s::DECIDED_ON, vec![Some(d(2025, 5, 20)); 3]),
                (
                    s::REPORTER_FEEDBACK_ON,
                    vec![Some(d(2025, 6, 30)), None, Some(d(2025, 5, 25))],
                ),
            ],
            &[],
        );
        df.with_column(Column::new(s::SOURCE.into(), ["实名举报"; 3]))
            .unwrap();
        df.with_column(Column::new(s::COMPLAINT_FINDING.into(), ["不属实"; 3]))
            .unwrap();
        let out = deadlines(&df, &Calendar::embedded(), &params(d(2026, 11, 30))).unwrap();
        assert_eq!(
            full_rows(&out, "D22-feedback"),
            vec![
                ("C00".into(), None, Some(d(2025, 6, 30)), 0, "met".into()),
                ("C01".into(), None, None, 0, "pending".into()),
                ("C02".into(), None, Some(d(2025, 5, 25)), 0, "met".into()),
            ]
        );
        // feedback_days = 15: 05-20 + 15 = 06-04 (Wed).
        let p = DeadlineParams {
            feedback_days: 15,
            ..params(d(2026, 11, 30))
        };
        let out = deadlines(&df, &Calendar::embedded(), &p).unwrap();
        assert_eq!(
            full_rows(&out, "D22-feedback"),
            vec![
                (
                    "C00".into(),
                    Some(d(2025, 6, 4)),
                    Some(d(2025, 6, 30)),
                    26,
                    "late".into()
                ),
                (
                    "C01".into(),
                    Some(d(2025, 6, 4)),
                    None,
                    544,
                    "overdue".into()
                ),
                (
                    "C02".into(),
                    Some(d(2025, 6, 4)),
                    Some(d(2025, 5, 25)),
                    0,
                    "met".into()
                ),
            ]
        );
    }

    #[test]
    fn a_case_lists_its_rules_in_the_text_order_of_their_ids() {
        // The table is sorted by (case_id, rule): the rules are emitted in
        // the order of RULES, which must therefore be the byte order of ids.
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);
        assert_eq!(ids.len(), 11, "D15 ×2, D16 ×2, D17 ×3, D19 ×2, D20, D22");
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
        // The generated ledger lists its cases in case-id order, so ingest
        // flags it and the whole table is cut from the cases as they are;
        // the reversed ledger below is not flagged and is gathered in order.
        let flag = |df: &DataFrame| {
            df.column(s::CASE_ID)
                .unwrap()
                .as_materialized_series()
                .is_sorted_flag()
        };
        assert_eq!(flag(&ledger.cases), polars::series::IsSorted::Ascending);
        let whole = deadlines(&ledger.cases, &cal, &p).unwrap();
        assert!(whole.height() > 1000, "{} rows", whole.height());
        // the cases in reverse order, 37 at a time
        let n = ledger.cases.height() as u32;
        let reversed = ledger
            .cases
            .take(&IdxCa::from_vec("i".into(), (0..n).rev().collect()))
            .unwrap();
        assert_ne!(flag(&reversed), polars::series::IsSorted::Ascending);
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
        // the parts carry text where the whole table holds categoricals
        let whole_text = s::text_frame(&whole).unwrap();
        assert!(whole_text.as_ref().equals_missing(&stacked));
        assert!(whole.column("rule").unwrap().dtype().is_categorical());
    }
}
