//! Canonical ledger columns, their reference headers, types and enum sets (ledger.md).

/// Spreadsheet row number of an input record (header = row 1, first record = row 2).
pub const ROW: &str = "row";

pub const CASE_ID: &str = "case_id";
pub const UNIT: &str = "unit";
pub const UNIT_KIND: &str = "unit_kind";
pub const DOMAIN: &str = "domain";
pub const MATTER_TYPE: &str = "matter_type";
pub const OFFICERS: &str = "officers";
pub const ERROR_TYPE: &str = "error_type";
pub const SUBJECTIVE_FAULT: &str = "subjective_fault";
pub const SOURCE: &str = "source";
pub const FILED_ON: &str = "filed_on";
pub const VERIFIED_ON: &str = "verified_on";
pub const DECIDED_ON: &str = "decided_on";
pub const NOTIFIED_ON: &str = "notified_on";
pub const CORRECTED_ON: &str = "corrected_on";
pub const ARCHIVED_ON: &str = "archived_on";
pub const APPRAISAL_DAYS: &str = "appraisal_days";
pub const EXTENSION_DAYS: &str = "extension_days";
pub const INVESTIGATORS: &str = "investigators";
pub const RECUSAL_BREACH: &str = "recusal_breach";
pub const HEARING_HELD: &str = "hearing_held";
pub const JOINT_INVESTIGATION: &str = "joint_investigation";
pub const TRANSFERRED_ON: &str = "transferred_on";
pub const HANDLED_ON: &str = "handled_on";
pub const HANDLING_REPORTED_ON: &str = "handling_reported_on";
pub const OUTCOME: &str = "outcome";
pub const CLAUSE: &str = "clause";
pub const CLAUSE_ARTICLE: &str = "clause_article";
pub const CLAUSE_ITEM: &str = "clause_item";
pub const REVIEW_APPLIED_ON: &str = "review_applied_on";
pub const REVIEW_DECIDED_ON: &str = "review_decided_on";
pub const REVIEW_RESULT: &str = "review_result";
pub const RECTIFY_DUE: &str = "rectify_due";
pub const RECTIFY_EXTENDED_TO: &str = "rectify_extended_to";
pub const RECTIFIED_ON: &str = "rectified_on";
pub const COMPLAINT_FINDING: &str = "complaint_finding";
pub const REPORTER_FEEDBACK_ON: &str = "reporter_feedback_on";
pub const CLARIFIED_ON: &str = "clarified_on";
pub const MALICIOUS_REPORT: &str = "malicious_report";
pub const SUMMARY: &str = "summary";

pub const UNIT_KINDS: &[&str] = &["街道办事处", "区政府部门"];
pub const MATTER_TYPES: &[&str] = &[
    "行政处罚",
    "行政许可",
    "行政强制",
    "行政检查",
    "行政收费",
    "行政确认",
    "行政登记",
    "行政给付",
    "行政裁决",
    "行政征收征用",
];
pub const SOURCES: &[&str] = &[
    "执法监督检查",
    "实名举报",
    "匿名举报",
    "上级交办",
    "部门移送",
    "其他",
];
pub const OUTCOMES: &[&str] = &["履职尽责", "免责", "减轻", "从轻", "不予容错"];
/// Outcomes that grant tolerance (第三章 容错免责).
pub const TOLERANCE_OUTCOMES: &[&str] = &["免责", "减轻", "从轻"];
pub const REVIEW_RESULTS: &[&str] = &["维持", "变更", "撤销"];
pub const COMPLAINT_FINDINGS: &[&str] = &["属实", "部分属实", "不属实", "查无实据"];

/// The default error taxonomy (arts. 6, 8 and 12).
pub const DEFAULT_ERROR_TYPES: &[&str] = &[
    "违反法定程序",
    "事实不清证据不足",
    "适用依据错误",
    "超越职权",
    "滥用职权",
    "不履行法定职责",
    "超期办理",
    "未执行执法公示制度",
    "未执行执法全过程记录制度",
    "未执行重大执法决定法制审核制度",
    "裁量不当",
    "文书瑕疵",
    "应移送未移送",
    "其他",
];

/// Value type of a ledger field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Date,
    Int,
    Bool,
    Enum(&'static [&'static str]),
    List,
    Clause,
}

/// One canonical ledger field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub header: &'static str,
    pub ty: FieldType,
    pub required: bool,
}

const fn f(name: &'static str, header: &'static str, ty: FieldType, required: bool) -> Field {
    Field {
        name,
        header,
        ty,
        required,
    }
}

use FieldType::*;

/// Every case-ledger field in reference-export order.
pub const FIELDS: &[Field] = &[
    f(CASE_ID, "案件编号", Text, true),
    f(UNIT, "执法单位", Text, true),
    f(UNIT_KIND, "单位类型", Enum(UNIT_KINDS), false),
    f(DOMAIN, "执法领域", Text, true),
    f(MATTER_TYPE, "执法事项类别", Enum(MATTER_TYPES), true),
    f(OFFICERS, "涉及人员", List, false),
    f(ERROR_TYPE, "问题类型", Text, true),
    f(SUBJECTIVE_FAULT, "主观过错", Bool, false),
    f(SOURCE, "案件来源", Enum(SOURCES), false),
    f(FILED_ON, "立案日期", Date, true),
    f(VERIFIED_ON, "核实日期", Date, false),
    f(DECIDED_ON, "认定日期", Date, false),
    f(NOTIFIED_ON, "告知日期", Date, false),
    f(CORRECTED_ON, "纠错日期", Date, false),
    f(ARCHIVED_ON, "归档日期", Date, false),
    f(APPRAISAL_DAYS, "技术调查天数", Int, false),
    f(EXTENSION_DAYS, "延长天数", Int, false),
    f(INVESTIGATORS, "调查人数", Int, false),
    f(RECUSAL_BREACH, "应回避未回避", Bool, false),
    f(HEARING_HELD, "是否听证", Bool, false),
    f(JOINT_INVESTIGATION, "联合调查", Bool, false),
    f(TRANSFERRED_ON, "移交日期", Date, false),
    f(HANDLED_ON, "移交办结日期", Date, false),
    f(HANDLING_REPORTED_ON, "办结报备日期", Date, false),
    f(OUTCOME, "认定结果", Enum(OUTCOMES), false),
    f(CLAUSE, "适用条款", Clause, false),
    f(REVIEW_APPLIED_ON, "复核申请日期", Date, false),
    f(REVIEW_DECIDED_ON, "复核决定日期", Date, false),
    f(REVIEW_RESULT, "复核结果", Enum(REVIEW_RESULTS), false),
    f(RECTIFY_DUE, "整改期限", Date, false),
    f(RECTIFY_EXTENDED_TO, "整改延期至", Date, false),
    f(RECTIFIED_ON, "整改完成日期", Date, false),
    f(
        COMPLAINT_FINDING,
        "举报核查结论",
        Enum(COMPLAINT_FINDINGS),
        false,
    ),
    f(REPORTER_FEEDBACK_ON, "反馈举报人日期", Date, false),
    f(CLARIFIED_ON, "澄清正名日期", Date, false),
    f(MALICIOUS_REPORT, "恶意举报", Bool, false),
    f(SUMMARY, "简要案情", Text, false),
];

/// Text fields with few distinct values (units, domains, error types, clauses
/// and the enumerations): the typed ledger holds them as polars Categorical,
/// one or two bytes a row instead of a string each (see [`stored_categorical`]).
pub const CATEGORICAL_FIELDS: &[&str] = &[
    UNIT,
    UNIT_KIND,
    DOMAIN,
    MATTER_TYPE,
    ERROR_TYPE,
    SOURCE,
    OUTCOME,
    CLAUSE,
    REVIEW_RESULT,
    COMPLAINT_FINDING,
];

/// The dtype of [`CATEGORICAL_FIELDS`] in the typed ledger (the process-wide
/// categories, so that frames read in chunks stack and join).
pub fn categorical() -> polars::prelude::DataType {
    polars::prelude::DataType::from_categories(polars::prelude::Categories::global())
}

/// The dtype the typed ledger holds categorical field `name` in: a category
/// set of the field's own (shared by every chunk of a read, so they stack),
/// coded in one byte for the closed lists ledger.md enumerates (values outside
/// them never reach the typed ledger) and in two for free text (units,
/// domains, error types, clauses: at most 65,535 distinct values, checked in
/// [`as_stored`]). At 10 M cases this is 250 MB less than four-byte codes.
pub fn stored_categorical(name: &str) -> polars::prelude::DataType {
    use polars::prelude::{CategoricalPhysical, Categories, DataType};
    let closed = FIELDS
        .iter()
        .any(|f| f.name == name && matches!(f.ty, FieldType::Enum(_)));
    let physical = if closed {
        CategoricalPhysical::U8
    } else {
        CategoricalPhysical::U16
    };
    DataType::from_categories(Categories::new(
        name.into(),
        "jiucuo.ledger".into(),
        physical,
    ))
}

/// Whole-number fields (day counts, people): parsed as Int64, held as Int32
/// (validation drops values beyond Int32 with a warning, as it does
/// negative ones).
pub const INT32_FIELDS: &[&str] = &[APPRAISAL_DAYS, EXTENSION_DAYS, INVESTIGATORS];

/// The frame in the types ingest holds the ledger in: those of
/// [`CATEGORICAL_FIELDS`] it has as Categorical, of [`INT32_FIELDS`] as Int32.
pub fn as_stored(
    df: polars::prelude::DataFrame,
) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let present = |names: &[&'static str]| -> Vec<&'static str> {
        names
            .iter()
            .copied()
            .filter(|n| df.column(n).is_ok())
            .collect()
    };
    let (coded, whole) = (present(CATEGORICAL_FIELDS), present(INT32_FIELDS));
    let casts: Vec<Expr> = coded
        .iter()
        .map(|name| col(*name).cast(stored_categorical(name)))
        .chain(
            whole
                .iter()
                .map(|name| col(*name).strict_cast(DataType::Int32)),
        )
        .collect();
    df.clone()
        .lazy()
        .with_columns(casts)
        .collect()
        .map_err(|e| {
            // The category set spans the whole read: it overflows in the chunk
            // that brings the 65,536th distinct value. Name the column.
            let full = coded.iter().find(|name| {
                df.column(name)
                    .and_then(|c| c.cast(&stored_categorical(name)))
                    .is_err()
            });
            match full {
                Some(name) if e.to_string().contains("categories") => polars_err!(ComputeError:
                "“{}”列的不同取值超过 65535 个：请检查该列是否误填了案件编号、日期等逐案不同的内容",
                header_of(name)),
                _ => e,
            }
        })
}

/// A frame with its categorical columns as plain text, lazily: only the
/// columns a query goes on to use are converted. The analyses read the
/// ledger through this, so they see strings whatever the ledger holds.
pub fn as_text(df: &polars::prelude::DataFrame) -> polars::prelude::LazyFrame {
    with_text(polars::prelude::IntoLazy::lazy(df.clone()), df.schema())
}

/// [`as_text`] for a plan (its schema resolved without running it).
pub fn plan_as_text(plan: polars::prelude::LazyFrame) -> polars::prelude::LazyFrame {
    match plan.clone().collect_schema() {
        Ok(schema) => with_text(plan, &schema),
        Err(_) => plan,
    }
}

/// The frame itself when it holds no categorical column, else its text copy.
pub fn text_frame(
    df: &polars::prelude::DataFrame,
) -> polars::prelude::PolarsResult<std::borrow::Cow<'_, polars::prelude::DataFrame>> {
    use std::borrow::Cow;
    if text_casts(df.schema()).is_empty() {
        Ok(Cow::Borrowed(df))
    } else {
        as_text(df).collect().map(Cow::Owned)
    }
}

fn with_text(
    plan: polars::prelude::LazyFrame,
    schema: &polars::prelude::Schema,
) -> polars::prelude::LazyFrame {
    let casts = text_casts(schema);
    if casts.is_empty() {
        plan
    } else {
        plan.with_columns(casts)
    }
}

/// Casts of a schema's categorical columns to text.
fn text_casts(schema: &polars::prelude::Schema) -> Vec<polars::prelude::Expr> {
    use polars::prelude::*;
    schema
        .iter()
        .filter(|(_, dt)| matches!(dt, DataType::Categorical(..) | DataType::Enum(..)))
        .map(|(name, _)| col(name.clone()).cast(DataType::String))
        .collect()
}

/// The field with this canonical name.
pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// Reference header of a canonical field (the name itself when unknown).
pub fn header_of(name: &str) -> &str {
    field(name).map(|f| f.header).unwrap_or(name)
}

/// Whether an outcome grants tolerance (免责, 减轻, 从轻).
pub fn grants_tolerance(outcome: &str) -> bool {
    TOLERANCE_OUTCOMES.contains(&outcome)
}

/// Roster (人员名册) fields.
pub mod roster {
    pub const OFFICER_ID: &str = "officer_id";
    pub const NAME: &str = "name";
    pub const UNIT: &str = "unit";
    pub const CREDENTIAL: &str = "credential";
    pub const HEADERS: &[(&str, &str)] = &[
        (OFFICER_ID, "执法证号"),
        (NAME, "姓名"),
        (UNIT, "执法单位"),
        (CREDENTIAL, "人员类别"),
    ];
}

/// Enforcement-volume (执法量) fields.
pub mod volume {
    pub const UNIT: &str = "unit";
    pub const DOMAIN: &str = "domain";
    pub const QUARTER: &str = "quarter";
    pub const ACTIONS: &str = "actions";
    pub const HEADERS: &[(&str, &str)] = &[
        (UNIT, "执法单位"),
        (DOMAIN, "执法领域"),
        (QUARTER, "季度"),
        (ACTIONS, "执法量"),
    ];
}

/// The register of warning notices sent (提醒函登记), for the review.
pub mod letters {
    pub const UNIT: &str = "unit";
    pub const SENT_ON: &str = "sent_on";
    pub const ERROR_TYPE: &str = "error_type";
    pub const HEADERS: &[(&str, &str)] = &[
        (UNIT, "执法单位"),
        (SENT_ON, "发函日期"),
        (ERROR_TYPE, "问题类型"),
    ];
}

/// `10.5` → `第十条第（五）项`
pub fn clause_zh(code: &str) -> String {
    const N: [&str; 13] = [
        "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
    ];
    let mut parts = code.split('.');
    let a = parts
        .next()
        .and_then(|x| x.parse::<usize>().ok())
        .filter(|x| *x <= 12);
    let i = parts
        .next()
        .and_then(|x| x.parse::<usize>().ok())
        .filter(|x| *x <= 12);
    match (a, i) {
        (Some(a), Some(i)) => format!("第{}条第（{}）项", N[a], N[i]),
        (Some(a), None) => format!("第{}条", N[a]),
        _ => code.to_string(),
    }
}

/// Text of a signal / level / status / kind for readers.
pub fn term_zh(value: &str) -> &str {
    match value {
        "frequent" => "频发",
        "concentrated" => "集中",
        "rising" => "上升",
        "persistent" => "持续",
        "alarm" => "告警",
        "warning" => "预警",
        "watch" => "关注",
        "met" => "按期",
        "late" => "逾期完成",
        "overdue" => "逾期未结",
        "due-soon" => "临期",
        "pending" => "未到期",
        "breach" => "违反",
        "R-subjective" => "主观原因重复",
        "R-after-tolerance" => "容错后再次出现",
        "unit×error_type" => "单位与问题类型",
        "domain×error_type" => "领域与问题类型",
        "unit×domain" => "单位与领域",
        "true" => "是",
        "false" => "否",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_and_headers_are_unique() {
        let mut names: Vec<_> = FIELDS.iter().map(|f| f.name).collect();
        let mut headers: Vec<_> = FIELDS.iter().map(|f| f.header).collect();
        names.sort();
        headers.sort();
        names.dedup();
        headers.dedup();
        assert_eq!(names.len(), FIELDS.len());
        assert_eq!(headers.len(), FIELDS.len());
    }

    #[test]
    fn required_fields_match_ledger_contract() {
        let required: Vec<_> = FIELDS
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect();
        assert_eq!(
            required,
            [CASE_ID, UNIT, DOMAIN, MATTER_TYPE, ERROR_TYPE, FILED_ON]
        );
    }
}
