//! Header mapping: which input column holds which canonical field.

use crate::config::Config;
use crate::schema::{self, Field, FIELDS};

use super::error::{IngestError, MissingField, PresentHeader};
use super::values::fold;

/// Where each canonical field was found.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    /// `FIELDS[i]` → input column index, when present.
    pub columns: Vec<Option<usize>>,
    /// Input columns no field maps to (kept out of the way).
    pub unmapped: Vec<usize>,
}

impl HeaderMap {
    /// Input column index of a canonical field.
    pub fn column_of(&self, name: &str) -> Option<usize> {
        FIELDS
            .iter()
            .position(|f| f.name == name)
            .and_then(|i| self.columns[i])
    }
}

/// Normalise a header for matching: full-width folded, spaces and `*` (Excel's
/// "required" marker) removed.
fn normalise(header: &str) -> String {
    fold(header)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .collect()
}

/// A normalised header without a trailing bracketed note: 立案日期(年月日) → 立案日期.
fn without_note(normalised: &str) -> &str {
    let trimmed = normalised.trim_end_matches([')', '）', ']', '】']);
    if trimmed.len() == normalised.len() {
        return normalised;
    }
    match trimmed.rfind(['(', '（', '[', '【']) {
        Some(i) if i > 0 => &normalised[..i],
        _ => normalised,
    }
}

/// Other names exports and clerks give the fields (ledger.md's headers are
/// always accepted; jiucuo.toml's `[ledger.headers]` adds more). Matched
/// only after every exact and configured name, to headers still free.
pub const SYNONYMS: &[(&str, &[&str])] = &[
    (
        schema::CASE_ID,
        &[
            "案号",
            "案件号",
            "编号",
            "案件编码",
            "监督案件编号",
            "案卷号",
        ],
    ),
    (
        schema::UNIT,
        &[
            "被监督单位",
            "执法机关",
            "执法主体",
            "单位名称",
            "执法部门",
            "责任单位",
            "被监督执法单位",
        ],
    ),
    (schema::UNIT_KIND, &["单位类别", "单位性质"]),
    (
        schema::DOMAIN,
        &["领域", "所属领域", "行业领域", "执法条线"],
    ),
    (
        schema::MATTER_TYPE,
        &["事项类别", "执法行为类别", "行政行为类别"],
    ),
    (
        schema::OFFICERS,
        &[
            "责任人",
            "执法人员",
            "涉及执法人员",
            "责任人员",
            "当事执法人员",
            "涉及人员执法证号",
        ],
    ),
    (
        schema::ERROR_TYPE,
        &[
            "问题类别",
            "错误类型",
            "问题种类",
            "差错类型",
            "过错类型",
            "问题性质",
        ],
    ),
    (
        schema::SUBJECTIVE_FAULT,
        &["是否主观过错", "主观原因", "是否主观原因"],
    ),
    (schema::SOURCE, &["来源", "线索来源", "问题来源"]),
    (
        schema::FILED_ON,
        &["立案时间", "受理日期", "受理时间", "立案日"],
    ),
    (schema::VERIFIED_ON, &["核实时间", "核查日期", "核查时间"]),
    (schema::DECIDED_ON, &["认定时间", "作出认定日期", "认定日"]),
    (schema::NOTIFIED_ON, &["告知时间", "送达日期"]),
    (schema::CORRECTED_ON, &["纠错时间", "纠正日期"]),
    (schema::ARCHIVED_ON, &["归档时间"]),
    (schema::APPRAISAL_DAYS, &["鉴定天数", "技术调查时间"]),
    (schema::EXTENSION_DAYS, &["延期天数", "延长期限"]),
    (schema::INVESTIGATORS, &["调查人员数", "调查人员人数"]),
    // only names that hold the outcome words: an outcome outside its set
    // rejects the row, so a free-text "处理结果" column must not map here
    (schema::OUTCOME, &["认定结论"]),
    (schema::CLAUSE, &["适用条款项", "依据条款", "条款"]),
    (schema::REVIEW_APPLIED_ON, &["复核申请时间"]),
    (schema::REVIEW_DECIDED_ON, &["复核决定时间"]),
    (schema::REVIEW_RESULT, &["复核结论"]),
    (schema::RECTIFY_DUE, &["整改时限", "整改截止日期"]),
    (schema::RECTIFIED_ON, &["整改完成时间"]),
    (schema::COMPLAINT_FINDING, &["核查结论"]),
    (schema::REPORTER_FEEDBACK_ON, &["举报人反馈日期"]),
    (schema::CLARIFIED_ON, &["澄清正名时间"]),
    (schema::MALICIOUS_REPORT, &["是否恶意举报"]),
    (
        schema::SUMMARY,
        &["案情", "案情摘要", "基本案情", "问题描述", "简要情况"],
    ),
];

/// The built-in other names of a field.
pub fn synonyms(field: &str) -> &'static [&'static str] {
    SYNONYMS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(&[], |(_, names)| names)
}

/// How a field's header was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    /// ledger.md's header, the field's own name, or a jiucuo.toml alias.
    Named,
    /// One of the built-in [`SYNONYMS`]: likely, worth a look.
    Synonym,
}

/// Every field matched in one candidate header row, and what is missing.
#[derive(Debug, Clone)]
pub struct HeaderMatch {
    pub map: HeaderMap,
    /// `FIELDS[i]` → how it was found, when found.
    pub how: Vec<Option<Matched>>,
    pub missing: Vec<MissingField>,
}

impl HeaderMatch {
    /// Fields found (a required one counts double): which of several rows
    /// is the header.
    pub fn score(&self) -> usize {
        FIELDS
            .iter()
            .zip(&self.map.columns)
            .filter(|(_, c)| c.is_some())
            .map(|(f, _)| if f.required { 2 } else { 1 })
            .sum()
    }
}

/// Match headers to canonical fields: first every field's own names (ledger.md's
/// header, its canonical name, jiucuo.toml's aliases), then the built-in
/// synonyms for the fields still missing, each to a header still free.
pub fn match_headers(headers: &[String], config: &Config) -> HeaderMatch {
    let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    let mut taken = vec![false; headers.len()];
    let mut columns: Vec<Option<usize>> = vec![None; FIELDS.len()];
    let mut how: Vec<Option<Matched>> = vec![None; FIELDS.len()];
    let find = |names: &[String], taken: &[bool]| {
        names.iter().find_map(|alias| {
            let alias = normalise(alias);
            (0..headers.len())
                .find(|&i| !taken[i] && normalised[i] == alias)
                .or_else(|| {
                    (0..headers.len()).find(|&i| !taken[i] && without_note(&normalised[i]) == alias)
                })
        })
    };
    for (k, field) in FIELDS.iter().enumerate() {
        if let Some(i) = find(&config.header_aliases(field), &taken) {
            taken[i] = true;
            columns[k] = Some(i);
            how[k] = Some(Matched::Named);
        }
    }
    for (k, field) in FIELDS.iter().enumerate() {
        if columns[k].is_some() {
            continue;
        }
        let names: Vec<String> = synonyms(field.name).iter().map(|s| s.to_string()).collect();
        if let Some(i) = find(&names, &taken) {
            taken[i] = true;
            columns[k] = Some(i);
            how[k] = Some(Matched::Synonym);
        }
    }
    let missing: Vec<MissingField> = FIELDS
        .iter()
        .zip(&columns)
        .filter(|(f, c)| f.required && c.is_none())
        .map(|(f, _)| MissingField {
            field: f.name,
            header: f.header,
            suggestion: suggest(f, config, headers, &taken),
        })
        .collect();
    let unmapped = (0..headers.len()).filter(|&i| !taken[i]).collect();
    HeaderMatch {
        map: HeaderMap { columns, unmapped },
        how,
        missing,
    }
}

/// Map input headers to canonical fields; a missing required field is an error
/// naming it and suggesting the nearest header present, and listing the
/// headers found with the nearest known name of each.
pub fn map_headers(headers: &[String], config: &Config) -> Result<HeaderMap, IngestError> {
    let matched = match_headers(headers, config);
    if matched.missing.is_empty() {
        return Ok(matched.map);
    }
    Err(missing_columns(headers, matched, None, config))
}

/// The error for a header row that lacks required fields: what is missing,
/// and every header of that row with the nearest known name.
pub fn missing_columns(
    headers: &[String],
    matched: HeaderMatch,
    header_row: Option<i64>,
    config: &Config,
) -> IngestError {
    IngestError::MissingColumns {
        missing: matched.missing,
        present: headers
            .iter()
            .filter(|h| !h.trim().is_empty())
            .map(|h| PresentHeader {
                text: h.clone(),
                nearest: nearest_field(h, config),
            })
            .collect(),
        header_row,
    }
}

/// All the names a field is known by: its own, configured and built-in.
fn known_names(field: &Field, config: &Config) -> Vec<String> {
    let mut names = config.header_aliases(field);
    names.extend(synonyms(field.name).iter().map(|s| s.to_string()));
    names
}

/// ledger.md's header of the field whose names are nearest to `header`
/// (stricter than [`suggest`]: two-character names differ by half at one
/// character, 序号 against 编号).
pub fn nearest_field(header: &str, config: &Config) -> Option<&'static str> {
    let n = normalise(header);
    FIELDS
        .iter()
        .map(|f| {
            let score = known_names(f, config)
                .iter()
                .map(|a| similarity(&normalise(a), &n))
                .fold(0.0_f64, f64::max);
            (score, f.header)
        })
        .filter(|(score, _)| *score > 0.55)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, h)| h)
}

/// The unmapped header most similar to any alias of the field.
fn suggest(field: &Field, config: &Config, headers: &[String], taken: &[bool]) -> Option<String> {
    let aliases: Vec<String> = known_names(field, config)
        .iter()
        .map(|a| normalise(a))
        .collect();
    headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !taken[*i] && !h.trim().is_empty())
        .map(|(_, h)| {
            let n = normalise(h);
            let score = aliases
                .iter()
                .map(|a| similarity(a, &n))
                .fold(0.0_f64, f64::max);
            (score, h)
        })
        .filter(|(score, _)| *score >= 0.34)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, h)| h.clone())
}

/// Similarity of two short headers: normalised Levenshtein on characters, with
/// a bonus when one contains the other (案件编号 vs 监督案件编号).
fn similarity(a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let lev = strsim::normalized_levenshtein(a, b);
    if a.contains(b) || b.contains(a) {
        lev.max(0.6)
    } else {
        lev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    const REQUIRED: &[&str] = &[
        "案件编号",
        "执法单位",
        "执法领域",
        "执法事项类别",
        "问题类型",
        "立案日期",
    ];

    #[test]
    fn reference_headers_map_and_extras_stay_out_of_the_way() {
        let mut h = headers(REQUIRED);
        h.push("备注".into());
        let map = map_headers(&h, &Config::default()).unwrap();
        assert_eq!(map.column_of("case_id"), Some(0));
        assert_eq!(map.column_of("filed_on"), Some(5));
        assert_eq!(map.column_of("outcome"), None);
        assert_eq!(map.unmapped, vec![6]);
    }

    #[test]
    fn configured_alias_and_full_width_spaces_match() {
        let mut config = Config::default();
        config
            .ledger
            .headers
            .insert("case_id".into(), vec!["监督案件编号".into()]);
        let h = headers(&[
            "监督案件编号",
            "执法单位",
            "　执法领域 ",
            "执法事项类别",
            "问题类型*",
            "立案日期",
        ]);
        let map = map_headers(&h, &config).unwrap();
        assert_eq!(map.column_of("case_id"), Some(0));
        assert_eq!(map.column_of("domain"), Some(2));
        assert_eq!(map.column_of("error_type"), Some(4));
    }

    #[test]
    fn missing_required_field_suggests_nearest_header() {
        let h = headers(&[
            "序号",
            "案件代码",
            "执法单位",
            "执法领域",
            "执法事项类别",
            "问题类型",
            "立案时点",
        ]);
        let err = map_headers(&h, &Config::default()).unwrap_err();
        match &err {
            IngestError::MissingColumns { missing, .. } => {
                assert_eq!(missing.len(), 2);
                assert_eq!(missing[0].field, "case_id");
                assert_eq!(missing[0].suggestion.as_deref(), Some("案件代码"));
                assert_eq!(missing[1].field, "filed_on");
                assert_eq!(missing[1].suggestion.as_deref(), Some("立案时点"));
            }
            other => panic!("unexpected {other:?}"),
        }
        let text = err.to_string();
        // every header found, with the nearest known name where one is near
        assert!(text.contains("案件代码（最接近“案件编号”）"), "{text}");
        assert!(text.contains("立案时点（最接近“立案日期”）"), "{text}");
        assert!(text.contains("序号（无相近的标准列）"), "{text}");
        assert!(text.contains("、执法单位、"), "{text}");
    }

    #[test]
    fn common_variants_map_through_synonyms_after_exact_names() {
        let h = headers(&[
            "案号",
            "被监督单位",
            "领域",
            "执法事项类别",
            "问题类别",
            "立案时间（年月日）",
            "责任人",
            "认定时间",
            // an exact name wins over a synonym of the same field
            "编号",
            "案件编号",
        ]);
        let m = match_headers(&h, &Config::default());
        assert!(m.missing.is_empty(), "{:?}", m.missing);
        let col = |f: &str| m.map.column_of(f);
        assert_eq!(col("case_id"), Some(9));
        assert_eq!(col("unit"), Some(1));
        assert_eq!(col("domain"), Some(2));
        assert_eq!(col("error_type"), Some(4));
        assert_eq!(col("filed_on"), Some(5));
        assert_eq!(col("officers"), Some(6));
        assert_eq!(col("decided_on"), Some(7));
        assert_eq!(m.map.unmapped, vec![0, 8]);
        let k = FIELDS.iter().position(|f| f.name == "unit").unwrap();
        assert_eq!(m.how[k], Some(Matched::Synonym));
        let k = FIELDS.iter().position(|f| f.name == "matter_type").unwrap();
        assert_eq!(m.how[k], Some(Matched::Named));
        // every synonym names a real field, and no name is given to two fields
        let mut seen = std::collections::HashSet::new();
        for (field, names) in SYNONYMS {
            assert!(FIELDS.iter().any(|f| f.name == *field), "{field}");
            for n in *names {
                assert!(seen.insert(normalise(n)), "{n} twice");
                assert!(
                    !FIELDS.iter().any(|f| normalise(f.header) == normalise(n)),
                    "{n}"
                );
            }
        }
    }
}
