//! Header mapping: which input column holds which canonical field.

use crate::config::Config;
use crate::schema::{Field, FIELDS};

use super::error::{IngestError, MissingField};
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

/// Map input headers to canonical fields; a missing required field is an error
/// naming it and suggesting the nearest header present.
pub fn map_headers(headers: &[String], config: &Config) -> Result<HeaderMap, IngestError> {
    let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    let mut taken = vec![false; headers.len()];
    let mut columns = Vec::with_capacity(FIELDS.len());
    for field in FIELDS {
        let found = config.header_aliases(field).iter().find_map(|alias| {
            let alias = normalise(alias);
            (0..headers.len()).find(|&i| !taken[i] && normalised[i] == alias)
        });
        if let Some(i) = found {
            taken[i] = true;
        }
        columns.push(found);
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
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns {
            missing,
            present: headers.iter().filter(|h| !h.is_empty()).cloned().collect(),
        });
    }
    let unmapped = (0..headers.len()).filter(|&i| !taken[i]).collect();
    Ok(HeaderMap { columns, unmapped })
}

/// The unmapped header most similar to any alias of the field.
fn suggest(field: &Field, config: &Config, headers: &[String], taken: &[bool]) -> Option<String> {
    let aliases: Vec<String> = config
        .header_aliases(field)
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
            "案件编码",
            "执法单位",
            "执法领域",
            "执法事项类别",
            "问题类型",
            "立案时间",
        ]);
        let err = map_headers(&h, &Config::default()).unwrap_err();
        match &err {
            IngestError::MissingColumns { missing, .. } => {
                assert_eq!(missing.len(), 2);
                assert_eq!(missing[0].field, "case_id");
                assert_eq!(missing[0].suggestion.as_deref(), Some("案件编码"));
                assert_eq!(missing[1].field, "filed_on");
                assert_eq!(missing[1].suggestion.as_deref(), Some("立案时间"));
            }
            other => panic!("unexpected {other:?}"),
        }
        let text = err.to_string();
        assert!(
            text.contains("案件编号") && text.contains("案件编码"),
            "{text}"
        );
    }
}
