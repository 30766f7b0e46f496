//! What `generate` planted, written as truth.json for tests and for the
//! reader of the demo.

use serde::Serialize;

/// What was planted, for tests and for the reader of the demo.
#[derive(Debug, Default, Serialize)]
pub struct Truth {
    pub seed: u64,
    pub rows: usize,
    pub dirty: bool,
    /// Patterns were planted (false: base rates only).
    pub plants: bool,
    pub as_of: String,
    pub findings: Vec<PlantedFinding>,
    pub repeats: Vec<PlantedRepeat>,
    pub not_repeats: Vec<PlantedNotRepeat>,
    pub deadlines: Vec<PlantedDeadline>,
    pub hotspots: Vec<PlantedHotspot>,
    /// Warned risk points and what their notice did to the rate after it.
    pub notice_effects: Vec<PlantedNoticeEffect>,
    pub unused_clause_items: Vec<String>,
}

/// A warned unit × error-type point: `halved` (its excess halves in the
/// quarter after the notice) or `none` (its rate stays).
#[derive(Debug, Clone, Serialize)]
pub struct PlantedNoticeEffect {
    pub unit: String,
    pub error_type: String,
    pub notice_quarter: String,
    pub after_quarter: String,
    pub effect: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlantedFinding {
    pub row: usize,
    pub case_id: String,
    pub column: String,
    pub code: String,
    pub severity: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlantedRepeat {
    pub case_id: String,
    pub officer: String,
    pub kind: String,
    pub prior_case_ids: Vec<String>,
    pub inconsistent: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlantedNotRepeat {
    pub case_id: String,
    pub officer: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlantedDeadline {
    pub case_id: String,
    pub rule: String,
    pub status: String,
    pub deadline: String,
    pub days_late: i64,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlantedHotspot {
    pub window: String,
    pub dims: String,
    pub unit: String,
    pub domain: String,
    pub error_type: String,
    pub signal: String,
    pub planted_cases: usize,
    /// Detectable only with the volume file (unit×domain cells exist only
    /// with volume, rules.md §4).
    pub needs_volume: bool,
}
