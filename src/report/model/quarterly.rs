//! The quarterly report to the district government (art. 19).

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;
use serde::Serialize;

use super::common::{
    compare_quarters, date_zh, float_at, int_at, mark_unfinished_quarters, observed_days, only,
    pct, quarter_days, ratio, risk_text, row_where, str_at, sum_col, with_risk_point_names, Basis,
    Inputs, Issuer, RepeatCounts, RiskPointText, Share, RISK_COLUMNS,
};
use crate::period::Quarter;
use crate::report::table::ReportTable;

/// The quarterly report's context: the parts below, flattened (the
/// template reads `{{ filed }}`, `{{ risk_points }}` …).
#[derive(Debug, Serialize)]
pub struct Quarterly {
    #[serde(flatten)]
    pub issuer: Issuer,
    pub quarter: String,
    pub quarter_code: String,
    pub date: String,
    pub basis: Basis,
    #[serde(flatten)]
    pub totals: Totals,
    #[serde(flatten)]
    pub decisions: Decisions,
    #[serde(flatten)]
    pub spread: Spread,
    #[serde(flatten)]
    pub risks: Risks,
    #[serde(flatten)]
    pub repeats: RepeatFacts,
    #[serde(flatten)]
    pub timeliness: Timeliness,
    #[serde(flatten)]
    pub follow_up: FollowUp,
    pub recommendations: Vec<String>,
    /// The summary on the first page: at most five findings, one sentence
    /// each, every one stating its number.
    pub findings: Vec<String>,
    /// File name of the Excel appendix (set when the report is written).
    pub appendix: String,
}

/// Columns of the deadline table the printed report shows.
const COMPLIANCE_COLUMNS: &[&str] = &[
    "rule", "total", "met", "late", "overdue", "breach", "met_rate",
];

/// The first page's findings (at most five), each one sentence stating the
/// number it rests on and, where there is one, its comparison.
fn findings(
    totals: &Totals,
    decisions: &Decisions,
    risks: &Risks,
    repeats: &RepeatFacts,
    timeliness: &Timeliness,
    as_of: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let compared = totals
        .previous
        .as_deref()
        .map(|p| format!("；{}", p.trim_end_matches('。')))
        .unwrap_or_default();
    out.push(format!(
        "本季度立案{}件，作出认定{}件{compared}。",
        totals.filed, totals.decided
    ));
    out.push(format!(
        "在本季度作出的{}件认定中，给予容错免责处理{}件，占{}；不予容错{}件，占{}。",
        totals.decided,
        decisions.tolerated,
        decisions.tolerated_share,
        decisions.not_tolerated,
        decisions.not_tolerated_share
    ));
    out.push(match risks.risk_points.first() {
        Some(r) => format!(
            "识别告警级易错风险点{}个、预警级{}个，最突出的是{}，已认定失误{}件，为应有件数（{}件）的{}倍。",
            risks.risk_alarm, risks.risk_warning, r.what, r.count, r.expected, r.ratio
        ),
        None => "本季度未发现达到预警以上级别的易错风险点。".into(),
    });
    out.push(if repeats.repeat_cases > 0 {
        let inconsistent = if repeats.inconsistent_cases > 0 {
            format!("，其中{}件已给予容错免责处理", repeats.inconsistent_cases)
        } else {
            String::new()
        };
        format!(
            "经比对，本季度立案案件中有{}件可能属于第十二条第（五）项情形，涉及{}名执法人员{inconsistent}，需在认定时核实。",
            repeats.repeat_cases, repeats.repeat_officers
        )
    } else {
        "经比对，本季度立案案件中未发现可能属于第十二条第（五）项情形的案件。".into()
    });
    out.push(format!(
        "调查终结期限（第十七条）适用{}件，按期完成率{}；截至{as_of}，超过期限仍未完成的事项{}项。",
        timeliness.decide_total, timeliness.decide_met_rate, timeliness.overdue
    ));
    out.truncate(5);
    out
}

/// Cases filed, decided and open, and the comparisons with earlier quarters.
#[derive(Debug, Serialize)]
pub struct Totals {
    pub filed: i64,
    pub decided: i64,
    /// Cases filed by the quarter's end (or the as-of date) still undecided then.
    pub open_at_end: i64,
    /// `季末` or `基准日` (when the as-of date falls inside the quarter).
    pub open_when: String,
    /// Comparison sentences (counts, or per month for unequal periods).
    pub previous: Option<String>,
    pub year_before: Option<String>,
}

/// The quarter's decisions by outcome and by the basis of tolerance.
#[derive(Debug, Serialize)]
pub struct Decisions {
    pub outcomes: Vec<Share>,
    /// 免责 and 减轻/从轻 under art. 10 (容错免责 treatment).
    pub tolerated: i64,
    pub tolerated_share: String,
    /// 减轻/从轻 under art. 11 (mitigation, not 容错).
    pub mitigated_art11: i64,
    /// 减轻/从轻 citing no art. 10/11 clause.
    pub mitigated_unclear: i64,
    /// The reading in force: art. 11 mitigations count as tolerance.
    pub art11_is_tolerance: bool,
    pub not_tolerated: i64,
    pub not_tolerated_share: String,
}

/// How the quarter's cases spread over units and domains.
#[derive(Debug, Serialize)]
pub struct Spread {
    pub unit_count: usize,
    pub top_units: Vec<Share>,
    pub domain_count: usize,
    pub top_domains: Vec<Share>,
    /// Cases of the quarter not yet decided (not counted in risk points).
    pub undecided: i64,
}

/// The quarter's risk points.
#[derive(Debug, Serialize)]
pub struct Risks {
    pub risk_alarm: usize,
    pub risk_warning: usize,
    pub risk_points: Vec<RiskPointText>,
    /// Alarm-level risk points of units (the rest are domain×error_type).
    #[serde(skip)]
    pub unit_alarms: usize,
    /// Units that get a notice.
    #[serde(skip)]
    pub notice_units: usize,
}

/// The quarter's art. 12(5) candidates and citations without basis.
#[derive(Debug, Serialize)]
pub struct RepeatFacts {
    pub repeat_cases: usize,
    pub repeat_officers: usize,
    pub inconsistent_cases: usize,
    pub uncertain_cases: usize,
    pub cited_without_basis: usize,
}

/// Deadlines of the quarter's cases, and what is overdue at the as-of date.
#[derive(Debug, Serialize)]
pub struct Timeliness {
    pub overdue: usize,
    pub decide_total: i64,
    pub decide_met_rate: String,
}

/// Review, rectification, feedback, clarification and transfers since the
/// pilot began.
#[derive(Debug, Serialize)]
pub struct FollowUp {
    pub review_applications: i64,
    pub review_changed: i64,
    pub rectify_on_time: i64,
    pub rectify_late: i64,
    pub rectify_overdue: i64,
    pub rectify_not_due: i64,
    pub feedback_owed: i64,
    pub feedback_given: i64,
    pub feedback_within_7: i64,
    pub malicious: i64,
    pub clarified: i64,
    pub transferred: i64,
}

/// The printed numbers the recommendations fire on.
#[derive(Debug, Default, Clone)]
pub struct QuarterFacts {
    pub risk_alarm: usize,
    pub risk_warning: usize,
    /// Units with a risk point of their own at the notice level.
    pub notice_units: usize,
    /// Alarm-level risk points of units (the others are domain×error_type).
    pub unit_alarms: usize,
    pub letters_level_alarm: bool,
    pub repeat_cases: usize,
    pub inconsistent_cases: usize,
    pub cited_without_basis: usize,
    pub overdue: usize,
    pub feedback_owed: i64,
    pub feedback_given: i64,
    pub malicious: i64,
    pub clarified: i64,
}

/// The recommendations: each fired by a number the report prints, citing
/// it, proposing what the office itself can do under the measures.
pub fn recommendations(f: &QuarterFacts) -> Vec<String> {
    let mut recs = Vec::new();
    if f.notice_units > 0 {
        let level = if f.letters_level_alarm {
            "告警级"
        } else {
            "预警级以上"
        };
        recs.push(format!(
            "向本季度出现{level}易错风险点的{}个单位发出警示提醒函，要求其分析原因、完善制度并报送改进措施（第二十条、第二十一条）。",
            f.notice_units
        ));
    }
    let tracked = if f.letters_level_alarm {
        f.risk_warning
    } else {
        0
    };
    let domain_alarms = f.risk_alarm.saturating_sub(f.unit_alarms);
    if tracked + domain_alarms > 0 {
        recs.push(format!(
            "将{}个未发函的风险点（领域层面的告警级风险点及预警级风险点）纳入下一季度跟踪分析（第二十一条）。",
            tracked + domain_alarms
        ));
    }
    if f.repeat_cases > 0 {
        recs.push(format!(
            "对经比对可能属于第十二条第（五）项情形的{}件案件，逐件核实在先失误及其认定情况（尚未认定的在认定时核实）。",
            f.repeat_cases
        ));
    }
    if f.inconsistent_cases > 0 {
        recs.push(format!(
            "对其中{}件已给予容错免责处理的案件，复查认定依据（第十二条第（五）项）。",
            f.inconsistent_cases
        ));
    }
    if f.cited_without_basis > 0 {
        recs.push(format!(
            "对{}件以第十二条第（五）项不予容错、但台账中未见同类在先失误记录的案件，核实认定依据并补正台账。",
            f.cited_without_basis
        ));
    }
    if f.overdue > 0 {
        recs.push(format!(
            "督促办结截至基准日已超过期限仍未完成的{}项事项（第十五条至第二十条）。",
            f.overdue
        ));
    }
    if f.feedback_given < f.feedback_owed {
        recs.push(format!(
            "尚有{}件应向实名举报人反馈的案件未见反馈记录，请及时反馈（第二十二条）。",
            f.feedback_owed - f.feedback_given
        ));
    }
    if f.clarified < f.malicious {
        recs.push(format!(
            "经查属恶意举报的案件中尚有{}件未见澄清正名记录，请依第二十二条为相关执法人员澄清正名。",
            f.malicious - f.clarified
        ));
    }
    recs
}

/// The report's tables, by the key its template names them with.
type Tables = BTreeMap<String, ReportTable>;

/// Add a named query's result as a table; `print` limits what the printed
/// report shows of it (the Excel appendix has it whole).
fn add(
    tables: &mut Tables,
    key: &str,
    title: &str,
    source: &str,
    frame: DataFrame,
    print: impl FnOnce(ReportTable) -> ReportTable,
) {
    let table = ReportTable::new(title, format!("queries/{source}.sql"), frame);
    tables.insert(key.to_string(), print(table));
}

/// Print the table whole.
fn whole(t: ReportTable) -> ReportTable {
    t
}

/// Tables and context of the quarterly report.
pub fn quarterly(inputs: &Inputs, q: Quarter) -> Result<(Quarterly, Tables)> {
    let mut tables = Tables::new();
    let config = inputs.config;
    let totals = totals(inputs, q, &mut tables)?;
    let decisions = decisions(inputs, q, &mut tables)?;
    let spread = spread(inputs, q, totals.filed, &mut tables)?;
    let risks = risks(inputs, q, &mut tables)?;
    let repeats = repeat_facts(inputs, q, &mut tables)?;
    let timeliness = timeliness(inputs, q, &mut tables)?;
    let follow_up = follow_up(inputs, &mut tables)?;
    let facts = QuarterFacts {
        risk_alarm: risks.risk_alarm,
        risk_warning: risks.risk_warning,
        notice_units: risks.notice_units,
        unit_alarms: risks.unit_alarms,
        letters_level_alarm: config.letters.level != "warning",
        repeat_cases: repeats.repeat_cases,
        inconsistent_cases: repeats.inconsistent_cases,
        cited_without_basis: repeats.cited_without_basis,
        overdue: timeliness.overdue,
        feedback_owed: follow_up.feedback_owed,
        feedback_given: follow_up.feedback_given,
        malicious: follow_up.malicious,
        clarified: follow_up.clarified,
    };
    let date = date_zh(inputs.as_of);
    let findings = findings(&totals, &decisions, &risks, &repeats, &timeliness, &date);
    let ctx = Quarterly {
        issuer: Issuer::of(config, inputs.as_of),
        quarter: q.label_zh(),
        quarter_code: q.label(),
        date: date_zh(inputs.as_of),
        basis: inputs.basis.clone(),
        totals,
        decisions,
        spread,
        risks,
        repeats,
        timeliness,
        follow_up,
        recommendations: recommendations(&facts),
        findings,
        appendix: String::new(),
    };
    Ok((ctx, tables))
}

/// Filed, decided and open, with the comparisons (per month when the
/// quarters differ in length).
fn totals(inputs: &Inputs, q: Quarter, tables: &mut Tables) -> Result<Totals> {
    let config = inputs.config;
    let pilot = (config.pilot.start, config.pilot.end);
    let days = |x: Quarter| (observed_days(x, pilot, inputs.as_of), quarter_days(x));
    let overview = inputs
        .query("overview_by_quarter", None)?
        .lazy()
        .filter(col("quarter").lt_eq(lit(q.label())))
        .collect()?;
    let at = |x: Quarter| -> (i64, i64, i64) {
        match row_where(&overview, "quarter", &x.label()) {
            Some(r) => (
                int_at(&overview, "filed", r),
                int_at(&overview, "decided", r),
                int_at(&overview, "open_at_end", r),
            ),
            None => (0, 0, 0),
        }
    };
    let (filed, decided, open_at_end) = at(q);
    let compare = |x: Quarter, what: &str| {
        let (f, d, _) = at(x);
        compare_quarters(
            what,
            (filed, decided),
            days(q),
            (f, d),
            days(x),
            &x.label_zh(),
        )
    };
    let previous = compare(
        q.prev(),
        &format!("与上一季度（{}）相比", q.prev().label_zh()),
    );
    let year = Quarter::from_index(q.index() - 4);
    let year_before = compare(year, &format!("与上年同期（{}）相比", year.label_zh()));
    let (open_days, whole_days) = days(q);
    add(
        tables,
        "overview",
        &format!(
            "各季度立案、认定与未结情况（试点以来，截至{}）",
            date_zh(inputs.as_of)
        ),
        "overview_by_quarter",
        mark_unfinished_quarters(overview, inputs.as_of)?,
        whole,
    );
    Ok(Totals {
        filed,
        decided,
        open_at_end,
        open_when: if open_days < whole_days {
            "基准日".into()
        } else {
            "季末".into()
        },
        previous,
        year_before,
    })
}

/// The quarter's decisions by outcome, and 免责/减轻/从轻 by their basis.
fn decisions(inputs: &Inputs, q: Quarter, tables: &mut Tables) -> Result<Decisions> {
    let art11_is_tolerance = inputs.config.repeats.art11_is_tolerance;
    let shares = inputs.query("outcome_shares", Some(q))?;
    let outcomes: Vec<Share> = (0..shares.height())
        .map(|i| Share {
            name: str_at(&shares, "outcome", i),
            count: int_at(&shares, "count", i),
            share: pct(float_at(&shares, "share", i)),
        })
        .collect();
    let decided_q = sum_col(&shares, "count");
    let basis_of = inputs.query("tolerance_basis", Some(q))?;
    let by_basis = |name: &str| {
        row_where(&basis_of, "basis", name)
            .map(|r| int_at(&basis_of, "count", r))
            .unwrap_or(0)
    };
    let art11 = by_basis("依第十一条减轻、从轻");
    let unclear = by_basis("减轻、从轻未载明第十条或第十一条");
    let tolerated = by_basis("免责")
        + by_basis("依第十条减轻、从轻")
        + unclear
        + if art11_is_tolerance { art11 } else { 0 };
    let not_tolerated = outcomes
        .iter()
        .filter(|o| o.name == "不予容错")
        .map(|o| o.count)
        .sum::<i64>();
    add(
        tables,
        "outcome_shares",
        &format!("{}认定结果构成", q.label_zh()),
        "outcome_shares",
        shares,
        whole,
    );
    Ok(Decisions {
        outcomes,
        tolerated,
        tolerated_share: pct(ratio(tolerated, decided_q)),
        mitigated_art11: if art11_is_tolerance { 0 } else { art11 },
        mitigated_unclear: unclear,
        art11_is_tolerance,
        not_tolerated,
        not_tolerated_share: pct(ratio(not_tolerated, decided_q)),
    })
}

/// The quarter's cases by unit and by domain.
fn spread(inputs: &Inputs, q: Quarter, filed: i64, tables: &mut Tables) -> Result<Spread> {
    let by_unit = inputs.query("by_unit", Some(q))?;
    let top_units = (0..by_unit.height().min(3))
        .map(|i| Share {
            name: str_at(&by_unit, "unit", i),
            count: int_at(&by_unit, "filed", i),
            share: pct(ratio(int_at(&by_unit, "filed", i), filed)),
        })
        .collect();
    let unit_count = by_unit.height();
    let undecided = sum_col(&by_unit, "open");
    add(
        tables,
        "by_unit",
        &format!("分单位情况（{}立案案件，按立案数排列）", q.label_zh()),
        "by_unit",
        by_unit,
        |t| t.top(10),
    );
    let by_domain = inputs.query("by_domain", Some(q))?;
    let top_domains = (0..by_domain.height().min(3))
        .map(|i| Share {
            name: str_at(&by_domain, "domain", i),
            count: int_at(&by_domain, "filed", i),
            share: str_at(&by_domain, "top_error_type", i),
        })
        .collect();
    let domain_count = by_domain.height();
    add(
        tables,
        "by_domain",
        &format!("分执法领域情况（{}立案案件）", q.label_zh()),
        "by_domain",
        by_domain,
        whole,
    );
    Ok(Spread {
        unit_count,
        top_units,
        domain_count,
        top_domains,
        undecided,
    })
}

/// The quarter's risk points at warning level or above.
fn risks(inputs: &Inputs, q: Quarter, tables: &mut Tables) -> Result<Risks> {
    let risks = inputs.query("top_risk_points", Some(q))?;
    let level = |i: usize| str_at(&risks, "level", i);
    let count = |what: &str| (0..risks.height()).filter(|i| level(*i) == what).count();
    let unit_alarms = (0..risks.height())
        .filter(|i| level(*i) == "alarm" && !str_at(&risks, "unit", *i).is_empty())
        .count();
    let out = Risks {
        risk_alarm: count("alarm"),
        risk_warning: count("warning"),
        risk_points: (0..risks.height().min(3))
            .map(|i| risk_text(&risks, i, inputs.with_volume))
            .collect(),
        unit_alarms,
        notice_units: super::warning::warning_units(inputs, q)?.len(),
    };
    add(
        tables,
        "risk_points",
        &format!("{}易错风险点（告警、预警级）", q.label_zh()),
        "top_risk_points",
        with_risk_point_names(risks.drop_many(["case_ids"]), inputs.with_volume)?,
        |t| t.top(10).columns(RISK_COLUMNS),
    );
    Ok(out)
}

/// The quarter's art. 12(5) candidates, and 12(5) cited without basis.
fn repeat_facts(inputs: &Inputs, q: Quarter, tables: &mut Tables) -> Result<RepeatFacts> {
    // counted by officer id, before names replace them
    let repeats = inputs.query("repeat_list", Some(q))?;
    let counts = RepeatCounts::of(&repeats);
    add(
        tables,
        "repeats",
        "经比对可能属于第十二条第（五）项情形的案件（需在认定时核实）",
        "repeat_list",
        inputs.with_names(repeats)?,
        whole,
    );
    let cited = inputs.query("cited_without_basis", Some(q))?;
    let cited_without_basis = cited.height();
    add(
        tables,
        "cited_without_basis",
        "以第十二条第（五）项不予容错但未见同类在先失误记录的案件",
        "cited_without_basis",
        cited,
        whole,
    );
    Ok(RepeatFacts {
        repeat_cases: counts.case_ids.len(),
        repeat_officers: counts.officers.len(),
        inconsistent_cases: counts.inconsistent.len(),
        uncertain_cases: counts.uncertain.len(),
        cited_without_basis,
    })
}

/// Deadline compliance of the quarter's cases; what is overdue.
fn timeliness(inputs: &Inputs, q: Quarter, tables: &mut Tables) -> Result<Timeliness> {
    let compliance = inputs.query("deadline_compliance", Some(q))?;
    let (decide_total, decide_rate) = match row_where(&compliance, "rule", "D17-decide") {
        Some(r) => (
            int_at(&compliance, "total", r),
            float_at(&compliance, "met_rate", r),
        ),
        None => (0, f64::NAN),
    };
    add(
        tables,
        "compliance",
        &format!("期限执行情况（{}立案案件）", q.label_zh()),
        "deadline_compliance",
        compliance,
        |t| t.columns(COMPLIANCE_COLUMNS),
    );
    let overdue = inputs.query("overdue_list", None)?;
    let n = overdue.height();
    add(
        tables,
        "overdue",
        &format!("逾期未办结事项（截至{}）", date_zh(inputs.as_of)),
        "overdue_list",
        overdue,
        whole,
    );
    Ok(Timeliness {
        overdue: n,
        decide_total,
        decide_met_rate: pct(decide_rate),
    })
}

/// Review, rectification, feedback, clarification and transfers.
fn follow_up(inputs: &Inputs, tables: &mut Tables) -> Result<FollowUp> {
    let review = inputs.query("review_by_unit", None)?;
    let (review_applications, review_changed) = (
        sum_col(&review, "applications"),
        sum_col(&review, "changed"),
    );
    add(
        tables,
        "review",
        "复核情况（试点以来）",
        "review_by_unit",
        review,
        whole,
    );
    let rect = inputs.query("rectification", None)?;
    let rectify = [
        sum_col(&rect, "on_time"),
        sum_col(&rect, "late"),
        sum_col(&rect, "not_done"),
        sum_col(&rect, "not_due"),
    ];
    add(
        tables,
        "rectification",
        "整改情况（试点以来）",
        "rectification",
        rect,
        whole,
    );
    let fb = inputs.query("feedback", None)?;
    let pick = |section: &str, item: &str, what: &str| {
        let rows = only(&fb, "section", section).ok()?;
        let r = row_where(&rows, "item", item)?;
        Some(int_at(&rows, what, r))
    };
    let feedback = [
        pick("reporter_feedback", "已反馈", "base").unwrap_or(0),
        pick("reporter_feedback", "已反馈", "count").unwrap_or(0),
        pick("feedback_days", "7日内", "count").unwrap_or(0),
        pick("clarification", "已澄清正名", "base").unwrap_or(0),
        pick("clarification", "已澄清正名", "count").unwrap_or(0),
    ];
    add(
        tables,
        "feedback",
        "举报反馈与澄清正名（试点以来）",
        "feedback",
        fb,
        whole,
    );
    let transfers = inputs.query("transfers_by_unit", None)?;
    let transferred = sum_col(&transfers, "transferred");
    add(
        tables,
        "transfers",
        "移交被监督单位自行调查的案件（第十五条，试点以来）",
        "transfers_by_unit",
        transfers,
        whole,
    );
    Ok(FollowUp {
        review_applications,
        review_changed,
        rectify_on_time: rectify[0],
        rectify_late: rectify[1],
        rectify_overdue: rectify[2],
        rectify_not_due: rectify[3],
        feedback_owed: feedback[0],
        feedback_given: feedback[1],
        feedback_within_7: feedback[2],
        malicious: feedback[3],
        clarified: feedback[4],
        transferred,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_recommendation_fires_on_its_number_and_cites_it() {
        assert!(recommendations(&QuarterFacts {
            letters_level_alarm: true,
            ..Default::default()
        })
        .is_empty());
        // 3 alarm-level risk points: 2 of units (one unit has both), 1 of a
        // domain; 3 warning-level ones.
        let recs = recommendations(&QuarterFacts {
            risk_alarm: 3,
            risk_warning: 3,
            notice_units: 1,
            unit_alarms: 2,
            letters_level_alarm: true,
            repeat_cases: 4,
            inconsistent_cases: 1,
            cited_without_basis: 5,
            overdue: 6,
            feedback_owed: 9,
            feedback_given: 2,
            malicious: 3,
            clarified: 3,
        });
        let text = recs.join("\n");
        for needle in [
            "告警级易错风险点的1个单位发出警示提醒函",
            "将4个未发函的风险点",
            "4件案件",
            "1件已给予容错免责处理",
            "5件以第十二条第（五）项",
            "6项事项",
            "尚有7件",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        // no invented step, target or tool name; clarification is complete
        for absent in ["负责人审批", "90%", "jiucuo", "澄清正名记录"] {
            assert!(!text.contains(absent), "{absent}: {text}");
        }
        assert_eq!(recs.len(), 7);
    }

    #[test]
    fn a_domain_alarm_earns_no_notice() {
        // One domain×error_type alarm and no unit alarm: no notice is
        // proposed (none is written), the point is tracked.
        let recs = recommendations(&QuarterFacts {
            risk_alarm: 1,
            letters_level_alarm: true,
            ..Default::default()
        });
        assert_eq!(recs.len(), 1, "{recs:?}");
        assert!(!recs[0].contains("警示提醒函"), "{recs:?}");
        assert!(recs[0].contains("1个未发函的风险点"), "{recs:?}");
    }

    #[test]
    fn quarters_of_unequal_length_are_compared_per_month() {
        let q1 = Quarter::parse("2025Q1").unwrap();
        let q2 = Quarter::parse("2026Q1").unwrap();
        let pilot = (
            chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2027, 2, 28).unwrap(),
        );
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        // 2025Q1: 31 days (March); 2026Q1: 90 days. 100 cases in March, 300
        // in 2026Q1: per month 100/(31/30.436875) = 98.2 and 300/(90/30.436875)
        // = 101.5, an increase of 3.3 %, not the 200 % the counts suggest.
        let before_days = (observed_days(q1, pilot, as_of), quarter_days(q1));
        let now_days = (observed_days(q2, pilot, as_of), quarter_days(q2));
        assert_eq!(before_days, (31, 90));
        assert_eq!(now_days, (90, 90));
        let text = compare_quarters(
            "与上年同期相比",
            (300, 300),
            now_days,
            (100, 100),
            before_days,
            "2025年第一季度",
        )
        .unwrap();
        assert!(text.contains("按月均计算"), "{text}");
        assert!(
            text.contains("月均立案由98.2件变为101.5件（增加3.3%）"),
            "{text}"
        );
        assert!(!text.contains("200"), "{text}");
        // two whole quarters: counts
        let text = compare_quarters(
            "与上一季度相比",
            (120, 90),
            (90, 90),
            (100, 100),
            (91, 91),
            "x",
        )
        .unwrap();
        assert_eq!(text, "与上一季度相比，立案数增加20.0%，认定数减少10.0%。");
    }
}
