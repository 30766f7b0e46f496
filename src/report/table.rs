//! Result tables as a reader sees them: Chinese column labels, shares as
//! percentages, lists joined with 、 — shared by the HTML and Word renderers.

use polars::prelude::*;

use crate::output::{cell_text, float_text};

/// A table placed in a report, with the query it came from. The Excel
/// appendix holds the whole frame; the printed report shows its first
/// `print_rows` rows of `print_columns` (a summary, not the case lists).
#[derive(Debug, Clone)]
pub struct ReportTable {
    pub title: String,
    /// The named query (queries/NAME.sql) or analysis the table comes from.
    pub source: String,
    pub frame: DataFrame,
    /// Rows printed in Word and HTML (None: up to the renderer's cap).
    pub print_rows: Option<usize>,
    /// Columns printed in Word and HTML, in this order (empty: all).
    pub print_columns: Vec<&'static str>,
    /// Every number column is a share (0–1), printed as a percentage.
    pub shares: bool,
}

impl ReportTable {
    pub fn new(title: impl Into<String>, source: impl Into<String>, frame: DataFrame) -> Self {
        ReportTable {
            title: title.into(),
            source: source.into(),
            frame,
            print_rows: None,
            print_columns: Vec::new(),
            shares: false,
        }
    }

    /// Every number column is a share, printed as a percentage.
    pub fn percent_columns(mut self) -> Self {
        self.shares = true;
        self
    }

    /// Print only the first `n` rows (the appendix has all).
    pub fn top(mut self, n: usize) -> Self {
        self.print_rows = Some(n);
        self
    }

    /// Print only these columns (the appendix has all); a name the frame
    /// lacks is skipped.
    pub fn columns(mut self, names: &[&'static str]) -> Self {
        self.print_columns = names.to_vec();
        self
    }
}

/// A table ready to print.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplayTable {
    pub title: String,
    pub source: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Chinese label of a result column.
///
/// Long: the table of Chinese column labels, one line each.
pub fn label(column: &str) -> String {
    let l = match column {
        "quarter" | "window" => "季度",
        "unit" => "执法单位",
        "domain" => "执法领域",
        "error_type" | "problem" => "问题类型",
        "filed" => "立案",
        "decided" => "已认定",
        "open" | "open_at_end" => "未结",
        "tolerated" => "给予容错",
        "lenient" => "免责、减轻、从轻",
        "not_tolerated" => "不予容错",
        "outcome" => "认定结果",
        "count" => "件数",
        "undecided" => "尚未认定",
        "officer_repeats" => "其中可能属第十二条第（五）项",
        "after_correction" => "整改后一年内再发",
        "basis_uncertain" => "容错依据待核实",
        "pending_priors" => "在先未认定案件",
        "not_due" => "尚未到期",
        "transferred" => "移交调查",
        "note" => "说明",
        "decided_on" => "认定日期",
        "rising_p" => "上升检验概率（p值）",
        "rising_q" => "上升检验校正后（q值）",
        "share" => "占比",
        "clause" => "条款",
        "cited_decisions" => "引用条款的认定数",
        "case_id" => "案件编号",
        "rule" => "期限规则",
        "article" => "条",
        "start" => "起算日",
        "deadline" => "期限",
        "actual" => "完成日",
        "days_late" => "逾期天数",
        "status" => "状态",
        "total" => "合计",
        "met" => "按期",
        "late" => "逾期完成",
        "overdue" => "逾期未结",
        "due_soon" => "临期",
        "pending" => "未到期",
        "breach" => "违反",
        "met_rate" => "按期率",
        "officer" => "人员",
        "kind" => "类型",
        "prior_case_ids" => "在先案件",
        "first_prior_on" => "最早在先立案日",
        "gap_days" => "间隔天数",
        "inconsistent" => "已给予容错免责",
        "dims" => "风险点类型",
        "risk_point" => "风险点",
        "inconsistent_cases" => "其中已给予容错免责",
        "filed_per_1000_actions" => "每千件执法立案数",
        "errors_before" => "发函前失误",
        "exposure_before" => "发函前基数",
        "errors_after" => "发函后失误",
        "exposure_after" => "发函后基数",
        "rate_ratio" => "失误率之比",
        "ratio_low" => "95%区间下限",
        "ratio_high" => "95%区间上限",
        "verdict" => "判断",
        "age_30" => "立案30日以内",
        "age_60" => "31至60日",
        "age_90" => "61至90日",
        "age_over_90" => "90日以上",
        "oldest_filed_on" => "最早立案日期",
        "rectify_overdue" => "整改逾期未完成",
        "rectify_not_due" => "整改尚未到期",
        "count_a" | "under_a" => "口径A（现行）",
        "count_b" | "under_b" => "口径B",
        "level_a" => "口径A级别",
        "level_b" => "口径B级别",
        "change" => "变化（B−A）",
        "what" => "项目",
        "rule_name" => "期限规则",
        "established" => "已认定失误",
        "weighted" => "按认定结果加权件数",
        "expected" => "应有件数",
        "ratio" => "倍数",
        "p_value" => "偶然出现的概率（p值）",
        "q_value" => "多重比较校正后（q值）",
        "signals" => "特征",
        "level" => "级别",
        "case_ids" => "案件",
        "applications" => "复核申请",
        "application_rate" => "申请率",
        "changed" => "变更或撤销",
        "reviewed" => "已复核",
        "changed_rate" => "改变率",
        "on_time" => "按期完成",
        "not_done" => "逾期未完成",
        "top_error_type" => "最多的问题类型",
        "top_error_count" => "件数（最多类型）",
        "item" => "项目",
        "group" => "范围",
        "base" => "基数",
        "section" => "类别",
        "filed_on" => "立案日期",
        "summary" => "简要案情",
        "flagged" => "被标记",
        "cooled" => "其后降温",
        "median_days" => "中位天数",
        "p90_days" => "90%分位天数",
        "max_days" => "最长天数",
        "within_limit" => "期限内占比",
        "cases" => "案件数",
        "repeat_cases" => "可能属第十二条第（五）项",
        "repeat_rate" => "占比",
        other => other,
    };
    l.to_string()
}

/// Text of a signal / level / status / kind for readers.
pub use crate::schema::term_zh as term;

/// A column of shares (0–1), printed as a percentage.
pub fn is_share(column: &str) -> bool {
    column == "share" || column.ends_with("_rate") || column == "within_limit"
}

/// A code as a reader reads it: rule ids and clause codes in words,
/// signals, levels and kinds in Chinese.
pub fn reader_text(column: &str, text: &str) -> String {
    match column {
        "rule" => crate::analysis::deadlines::rule_name(text)
            .map(str::to_string)
            .unwrap_or_else(|| text.to_string()),
        "clause" => crate::schema::clause_zh(text),
        _ => term(text).to_string(),
    }
}

fn display_cell(column: &str, v: &AnyValue, shares: bool) -> String {
    match v {
        AnyValue::Null => String::new(),
        AnyValue::Float64(f) if shares => format!("{:.1}%", f * 100.0),
        AnyValue::Boolean(b) => term(if *b { "true" } else { "false" }).to_string(),
        AnyValue::Float64(f) if is_share(column) => format!("{:.1}%", f * 100.0),
        AnyValue::Float64(f) if column == "p_value" || column == "q_value" => {
            if *f < 0.0001 {
                format!("{f:.1e}")
            } else {
                format!("{f:.4}")
            }
        }
        AnyValue::Float64(f) if matches!(column, "expected" | "ratio" | "weighted") => {
            format!("{f:.1}")
        }
        AnyValue::Float64(f) => {
            let r = (f * 100.0).round() / 100.0;
            float_text(r)
        }
        AnyValue::List(s) => s
            .iter()
            .map(|x| term(&cell_text(&x)).to_string())
            .collect::<Vec<_>>()
            .join("、"),
        other => reader_text(column, &cell_text(other)),
    }
}

impl ReportTable {
    /// Rows as text, with at most `max_rows` rows (or the table's own
    /// print limit; the rest are counted in the title) of its printed columns.
    pub fn display(&self, max_rows: usize) -> DisplayTable {
        let df = &self.frame;
        let max_rows = self.print_rows.map_or(max_rows, |n| n.min(max_rows));
        let columns: Vec<(&str, &Series)> = if self.print_columns.is_empty() {
            df.columns()
                .iter()
                .map(|c| (c.name().as_str(), c.as_materialized_series()))
                .collect()
        } else {
            self.print_columns
                .iter()
                .filter_map(|n| df.column(n).ok())
                .map(|c| (c.name().as_str(), c.as_materialized_series()))
                .collect()
        };
        let headers = columns.iter().map(|(c, _)| label(c)).collect();
        let n = df.height().min(max_rows);
        let rows = (0..n)
            .map(|i| {
                columns
                    .iter()
                    .map(|(name, s)| {
                        s.get(i)
                            .map(|v| {
                                crate::report::markup::inline(&display_cell(name, &v, self.shares))
                            })
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        let title = if df.height() > max_rows {
            format!(
                "{}（前{max_rows}项，共{}项见Excel附表）",
                self.title,
                df.height()
            )
        } else {
            self.title.clone()
        };
        DisplayTable {
            title,
            source: self.source.clone(),
            headers,
            rows,
        }
    }
}
