//! The Overview page's content, built once per analysis: the quarterly
//! report's own figures and sentences, the charts, and the tables of risk
//! points, repeat candidates and deadlines in words.

use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::period::Quarter;
use crate::report::model::Quarterly;
use crate::report::run::ReportRun;
use crate::report::table::ReportTable;
use crate::schema;

/// Rows a page table shows at most (the Excel appendix has all).
const PAGE_ROWS: usize = 300;

/// A key figure.
#[derive(Debug, Serialize)]
pub struct Figure {
    pub label: &'static str,
    pub value: String,
    pub note: String,
    /// `alarm` (red), `soon` (yellow) or empty.
    pub tone: &'static str,
}

/// A table as the page shows it: Chinese headers, cells in words.
#[derive(Debug, Serialize)]
pub struct TableView {
    pub id: &'static str,
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Rows in all (more than shown when capped).
    pub total: usize,
}

/// A chart drawn inline.
#[derive(Debug, Serialize)]
pub struct ChartView {
    pub title: String,
    pub svg: String,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub quarter: String,
    pub quarter_zh: String,
    pub as_of: String,
    pub figures: Vec<Figure>,
    pub findings: Vec<String>,
    pub overdue: TableView,
    pub due_soon: TableView,
    pub risk_points: TableView,
    /// Watch-level cells (frequent only): listed apart, folded.
    pub watch: TableView,
    pub repeats: TableView,
    pub charts: Vec<ChartView>,
}

fn view(id: &'static str, table: ReportTable) -> TableView {
    let total = table.frame.height();
    let d = table.display(PAGE_ROWS);
    TableView {
        id,
        title: d.title,
        headers: d.headers,
        rows: d.rows,
        total,
    }
}

impl Overview {
    /// The overview of `run` for quarter `q` as of `as_of`; `scoped` are the
    /// cases as they stood then.
    pub fn build(
        run: &ReportRun,
        config: &Config,
        q: Quarter,
        as_of: NaiveDate,
        scoped: &DataFrame,
    ) -> Result<Overview> {
        // the report's model runs its queries while the tables are read
        let (facts, tables) = std::thread::scope(|scope| {
            // a main-thread-sized stack: polars' plans are deep in debug builds
            let facts = std::thread::Builder::new()
                .stack_size(super::stack::THREAD_STACK)
                .spawn_scoped(scope, || run.quarterly_facts(config, q, as_of));
            let tables = (|| -> Result<_> {
                Ok((
                    deadline_cards(run, config, as_of)?,
                    risk_tables(run, q)?,
                    repeat_table(run, q, scoped)?,
                ))
            })();
            (facts.map(|f| f.join()), tables)
        });
        let facts = facts?.map_err(|_| anyhow::anyhow!("统计季度报告数字时发生内部错误"))??;
        let ((overdue, due_soon), (risk_points, watch), repeats) = tables?;
        let charts = run
            .charts
            .values()
            .map(|c| ChartView {
                title: c.title.clone(),
                svg: strip_prolog(&c.svg).to_string(),
            })
            .collect();
        Ok(Overview {
            quarter: q.label(),
            quarter_zh: q.label_zh(),
            as_of: as_of.to_string(),
            figures: figures(&facts, config, as_of, overdue.total, due_soon.total),
            findings: facts.findings,
            overdue,
            due_soon,
            risk_points,
            watch,
            repeats,
            charts,
        })
    }
}

/// The items overdue and due soon at the as-of date, from one scan of the
/// spilled deadline table filtered as it is read.
fn deadline_cards(
    run: &ReportRun,
    config: &Config,
    as_of: NaiveDate,
) -> Result<(TableView, TableView)> {
    let open = run
        .analyses
        .deadlines
        .scan()?
        .filter(col("status").is_in(
            lit(Series::new("s".into(), ["overdue", "due-soon"])).implode(false),
            false,
        ))
        .select(["case_id", "unit", "rule", "deadline", "days_late", "status"].map(col))
        .collect()?;
    let by_status = |status: &str, columns: &[&'static str], title: String| -> Result<_> {
        let df = open
            .clone()
            .lazy()
            .filter(col("status").eq(lit(status)))
            .sort(["deadline", "case_id", "rule"], Default::default())
            .collect()?;
        Ok(ReportTable::new(title, "deadlines", df).columns(columns))
    };
    let overdue = by_status(
        "overdue",
        &["case_id", "unit", "rule", "deadline", "days_late"],
        format!("截至{as_of}超过期限仍未完成的事项"),
    )?;
    let due_soon = by_status(
        "due-soon",
        &["case_id", "unit", "rule", "deadline"],
        format!("{}个工作日内到期的事项", config.deadlines.due_soon_days),
    )?;
    Ok((view("overdue", overdue), view("due-soon", due_soon)))
}

/// The quarter's risk points: alarm and warning ones, and the watch level
/// apart.
fn risk_tables(run: &ReportRun, q: Quarter) -> Result<(TableView, TableView)> {
    const RISK_COLUMNS: &[&str] = &[
        "level",
        "dims",
        "unit",
        "domain",
        "error_type",
        "established",
        "undecided",
        "expected",
        "ratio",
        "signals",
    ];
    let hot = run
        .analyses
        .hotspots
        .clone()
        .lazy()
        .filter(col("window").eq(lit(q.label())))
        // alarm before warning; within a level as ranked
        .with_row_index("order", None)
        .sort_by_exprs(
            [
                when(col("level").eq(lit("alarm")))
                    .then(lit(0))
                    .otherwise(lit(1)),
                col("order"),
            ],
            Default::default(),
        )
        .drop(cols(["order"]))
        // undecided cases of the cell (`pending` reads 未到期 elsewhere)
        .with_columns([
            col("pending").alias("undecided"),
            col("count").alias("established"),
        ])
        .collect()?;
    let level_is = |watch: bool| -> Result<DataFrame> {
        let is_watch = col("level").eq(lit("watch"));
        let keep = if watch { is_watch } else { is_watch.not() };
        Ok(hot.clone().lazy().filter(keep).collect()?)
    };
    let risk = ReportTable::new(
        format!("{}告警级、预警级易错风险点", q.label_zh()),
        "hotspots",
        level_is(false)?,
    )
    .columns(RISK_COLUMNS);
    let watch = ReportTable::new(
        format!("{}关注级（只频发，不发函、不写入报告正文）", q.label_zh()),
        "hotspots",
        level_is(true)?,
    )
    .columns(RISK_COLUMNS);
    Ok((view("risk", risk), view("watch", watch)))
}

/// The art. 12(5) candidates among the cases filed in the quarter, as the
/// quarterly report counts them.
fn repeat_table(run: &ReportRun, q: Quarter, scoped: &DataFrame) -> Result<TableView> {
    let filed = scoped
        .clone()
        .lazy()
        .filter(
            col(schema::FILED_ON)
                .gt_eq(lit(q.first_day()))
                .and(col(schema::FILED_ON).lt_eq(lit(q.last_day()))),
        )
        .select([col(schema::CASE_ID)]);
    let rep = run
        .analyses
        .repeats
        .clone()
        .lazy()
        .semi_join(filed, col("case_id"), col(schema::CASE_ID))
        .collect()?;
    let table = ReportTable::new(
        format!("{}立案案件中可能属第十二条第（五）项情形的", q.label_zh()),
        "repeats",
        rep,
    )
    .columns(&[
        "case_id",
        "officer",
        "unit",
        "problem",
        "kind",
        "prior_case_ids",
        "gap_days",
        "outcome",
        "inconsistent",
    ]);
    Ok(view("repeats", table))
}

/// The key figures: the quarterly report's numbers, and the deadline cards' counts.
fn figures(
    facts: &Quarterly,
    config: &Config,
    as_of: NaiveDate,
    overdue: usize,
    due_soon: usize,
) -> Vec<Figure> {
    let tone = |on: bool, t: &'static str| if on { t } else { "" };
    vec![
        Figure {
            label: "本季度立案",
            value: format!("{}件", facts.totals.filed),
            note: facts.totals.previous.clone().unwrap_or_default(),
            tone: "",
        },
        Figure {
            label: "本季度作出认定",
            value: format!("{}件", facts.totals.decided),
            note: format!(
                "给予容错免责{}件（{}），不予容错{}件（{}）",
                facts.decisions.tolerated,
                facts.decisions.tolerated_share,
                facts.decisions.not_tolerated,
                facts.decisions.not_tolerated_share
            ),
            tone: "",
        },
        Figure {
            label: "易错风险点",
            value: format!(
                "告警{}个、预警{}个",
                facts.risks.risk_alarm, facts.risks.risk_warning
            ),
            note: "第二十一条".into(),
            tone: tone(facts.risks.risk_alarm > 0, "alarm"),
        },
        Figure {
            label: "第十二条第（五）项",
            value: format!("{}件", facts.repeats.repeat_cases),
            note: format!(
                "涉及{}名执法人员，其中已给予容错免责{}件",
                facts.repeats.repeat_officers, facts.repeats.inconsistent_cases
            ),
            tone: "",
        },
        Figure {
            label: "逾期未完成",
            value: format!("{overdue}项"),
            note: format!("截至{as_of}"),
            tone: tone(overdue > 0, "alarm"),
        },
        Figure {
            label: "临期",
            value: format!("{due_soon}项"),
            note: format!("{}个工作日内到期", config.deadlines.due_soon_days),
            tone: tone(due_soon > 0, "soon"),
        },
    ]
}

/// The SVG element alone (an XML prolog cannot stand inside HTML).
fn strip_prolog(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}
