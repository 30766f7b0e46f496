//! What a decision (认定) established, in one place for every analysis
//! (rules.md §3–§4): whether a case is an established error, whether its
//! outcome granted 容错免责 treatment, and whether a named reporter is owed
//! feedback (art. 22).

use polars::prelude::*;

use crate::schema as s;

/// Complaint findings that establish no error (举报不属实、查无实据).
pub const UNFOUNDED: &[&str] = &["不属实", "查无实据"];

/// The outcome that finds no error.
pub const NO_ERROR: &str = "履职尽责";

/// How a decision treated the officer under arts. 10–11 (rules.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Not 容错免责 treatment.
    None,
    /// 免责, or 减轻/从轻 under art. 10 (or art. 11 when so configured).
    Tolerance,
    /// 减轻/从轻 citing no article 10 or 11 clause: counted as tolerance,
    /// marked `basis_uncertain`.
    ToleranceUncertain,
}

impl Treatment {
    pub fn grants_tolerance(self) -> bool {
        self != Treatment::None
    }

    /// The treatment of a code of [`treatment_code_expr`].
    pub fn from_code(code: Option<u8>) -> Treatment {
        match code {
            Some(1) => Treatment::Tolerance,
            Some(2) => Treatment::ToleranceUncertain,
            _ => Treatment::None,
        }
    }
}

/// [`treatment`] as a UInt8 code per row: 0 none, 1 tolerance, 2 tolerance
/// without an art. 10/11 clause.
pub fn treatment_code_expr(art11_is_tolerance: bool) -> Expr {
    let article = col(s::CLAUSE_ARTICLE);
    let mitigated = when(article.clone().eq(lit(10)))
        .then(lit(1u8))
        .when(article.eq(lit(11)))
        .then(lit(if art11_is_tolerance { 1u8 } else { 0u8 }))
        .otherwise(lit(2u8));
    when(text_in(s::OUTCOME, &["免责"]))
        .then(lit(1u8))
        .when(text_in(s::OUTCOME, &["减轻", "从轻"]))
        .then(mitigated)
        .otherwise(lit(0u8))
        .cast(DataType::UInt8)
}

/// [`is_cleared`] as a boolean expression.
pub fn cleared_expr() -> Expr {
    col(s::DECIDED_ON)
        .is_not_null()
        .and(text_in(s::OUTCOME, &[NO_ERROR]).or(text_in(s::COMPLAINT_FINDING, UNFOUNDED)))
}

/// The treatment of an outcome with the article of its clause.
/// `art11_is_tolerance`: a 减轻/从轻 under art. 11 counts as tolerance.
pub fn treatment(
    outcome: Option<&str>,
    article: Option<i32>,
    art11_is_tolerance: bool,
) -> Treatment {
    match (outcome, article) {
        (Some("免责"), _) => Treatment::Tolerance,
        (Some("减轻" | "从轻"), Some(10)) => Treatment::Tolerance,
        (Some("减轻" | "从轻"), Some(11)) if art11_is_tolerance => Treatment::Tolerance,
        (Some("减轻" | "从轻"), Some(11)) => Treatment::None,
        (Some("减轻" | "从轻"), _) => Treatment::ToleranceUncertain,
        _ => Treatment::None,
    }
}

/// Whether a decided case is an established error: an outcome other than
/// 履职尽责 and a complaint finding other than 不属实/查无实据. A decision
/// with no recorded outcome establishes nothing.
pub fn is_established(decided: bool, outcome: Option<&str>, finding: Option<&str>) -> bool {
    decided
        && outcome.is_some_and(|o| o != NO_ERROR)
        && !finding.is_some_and(|f| UNFOUNDED.contains(&f))
}

/// Whether a decided case found no error (履职尽责, or an unfounded complaint).
pub fn is_cleared(decided: bool, outcome: Option<&str>, finding: Option<&str>) -> bool {
    decided && (outcome == Some(NO_ERROR) || finding.is_some_and(|f| UNFOUNDED.contains(&f)))
}

fn text_in(name: &str, values: &[&str]) -> Expr {
    values
        .iter()
        .map(|v| col(name).eq(lit(*v)))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false))
        .fill_null(lit(false))
}

/// [`is_established`] as a boolean expression over the ledger's columns
/// (text or categorical).
pub fn established_expr() -> Expr {
    col(s::DECIDED_ON)
        .is_not_null()
        .and(col(s::OUTCOME).is_not_null())
        .and(text_in(s::OUTCOME, &[NO_ERROR]).not())
        .and(text_in(s::COMPLAINT_FINDING, UNFOUNDED).not())
}

/// Undecided cases (no decision by the as-of date).
pub fn pending_expr() -> Expr {
    col(s::DECIDED_ON).is_null()
}

/// [`Treatment::grants_tolerance`] as a boolean expression.
pub fn tolerance_expr(art11_is_tolerance: bool) -> Expr {
    let mitigated = text_in(s::OUTCOME, &["减轻", "从轻"]);
    // Art. 10, no clause or another article: tolerance (the last two marked
    // uncertain by the row function); art. 11 only when so configured.
    let by_clause = col(s::CLAUSE_ARTICLE)
        .neq(lit(11))
        .fill_null(lit(true))
        .or(lit(art11_is_tolerance));
    text_in(s::OUTCOME, &["免责"]).or(mitigated.and(by_clause))
}

/// Art. 22: a decided 实名举报 case whose complaint was found 不属实 or
/// 查无实据, or whose outcome granted tolerance, is owed feedback to the
/// reporter.
pub fn feedback_owed_expr(art11_is_tolerance: bool) -> Expr {
    col(s::DECIDED_ON)
        .is_not_null()
        .and(text_in(s::SOURCE, &["实名举报"]))
        .and(text_in(s::COMPLAINT_FINDING, UNFOUNDED).or(tolerance_expr(art11_is_tolerance)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_follows_arts_10_and_11() {
        use Treatment as T;
        assert_eq!(treatment(Some("免责"), None, false), T::Tolerance);
        assert_eq!(treatment(Some("减轻"), Some(10), false), T::Tolerance);
        assert_eq!(treatment(Some("从轻"), Some(11), false), T::None);
        assert_eq!(treatment(Some("从轻"), Some(11), true), T::Tolerance);
        assert_eq!(treatment(Some("减轻"), None, false), T::ToleranceUncertain);
        assert_eq!(treatment(Some("不予容错"), Some(12), false), T::None);
        assert_eq!(treatment(Some("履职尽责"), Some(9), false), T::None);
        assert_eq!(treatment(None, None, false), T::None);
    }

    #[test]
    fn expressions_agree_with_the_row_functions() {
        let outcomes = [
            Some("免责"),
            Some("减轻"),
            Some("从轻"),
            Some("减轻"),
            Some("不予容错"),
            Some("履职尽责"),
            None,
            Some("从轻"),
        ];
        let articles = [
            None,
            Some(10),
            Some(11),
            None,
            Some(12),
            Some(9),
            None,
            Some(12),
        ];
        let findings = [
            None,
            Some("属实"),
            None,
            Some("不属实"),
            Some("查无实据"),
            None,
            None,
            None,
        ];
        let decided = [
            Some(1),
            Some(1),
            Some(1),
            Some(1),
            Some(1),
            Some(1),
            None,
            Some(1),
        ];
        let sources = ["实名举报"; 8];
        let df = df!(
            s::OUTCOME => outcomes,
            s::CLAUSE_ARTICLE => articles,
            s::COMPLAINT_FINDING => findings,
            s::DECIDED_ON => decided,
            s::SOURCE => sources,
        )
        .unwrap();
        for art11 in [false, true] {
            let out = df
                .clone()
                .lazy()
                .select([
                    established_expr().alias("e"),
                    cleared_expr().alias("c"),
                    treatment_code_expr(art11).alias("code"),
                    tolerance_expr(art11).alias("t"),
                    feedback_owed_expr(art11).alias("f"),
                ])
                .collect()
                .unwrap();
            for i in 0..8 {
                let get = |c: &str| out.column(c).unwrap().bool().unwrap().get(i);
                let treated = treatment(outcomes[i], articles[i], art11);
                let code = out.column("code").unwrap().u8().unwrap().get(i);
                assert_eq!(Treatment::from_code(code), treated, "row {i} art11 {art11}");
                assert_eq!(
                    get("c"),
                    Some(is_cleared(decided[i].is_some(), outcomes[i], findings[i])),
                    "row {i}"
                );
                let t = treated.grants_tolerance();
                assert_eq!(get("t"), Some(t), "row {i} art11 {art11}");
                assert_eq!(
                    get("e"),
                    Some(is_established(
                        decided[i].is_some(),
                        outcomes[i],
                        findings[i]
                    )),
                    "row {i}"
                );
                let owed = decided[i].is_some()
                    && (findings[i].is_some_and(|f| UNFOUNDED.contains(&f)) || t);
                assert_eq!(get("f"), Some(owed), "row {i}");
            }
        }
    }
}
