//! The bad rows `--dirty` mixes in: one mutation each, with the finding
//! validation must report for it.

use std::collections::HashMap;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::schema;

/// One dirty mutation: (column, new value, code, severity, finding column field).
pub(super) struct Dirt {
    pub(super) field: &'static str,
    pub(super) value: &'static str,
    pub(super) code: &'static str,
    pub(super) severity: &'static str,
}

pub(super) const DIRT: &[Dirt] = &[
    Dirt {
        field: schema::CASE_ID,
        value: "",
        code: "required-missing",
        severity: "error",
    },
    Dirt {
        field: schema::UNIT,
        value: " ",
        code: "required-missing",
        severity: "error",
    },
    Dirt {
        field: schema::FILED_ON,
        value: "-",
        code: "required-missing",
        severity: "error",
    },
    Dirt {
        field: schema::DECIDED_ON,
        value: "2025-13-01",
        code: "date-invalid",
        severity: "error",
    },
    Dirt {
        field: schema::FILED_ON,
        value: "2025-02-30",
        code: "date-invalid",
        severity: "error",
    },
    Dirt {
        field: schema::MATTER_TYPE,
        value: "行政奖励",
        code: "enum-invalid",
        severity: "error",
    },
    Dirt {
        field: schema::OUTCOME,
        value: "部分免责",
        code: "enum-invalid",
        severity: "error",
    },
    Dirt {
        field: schema::CASE_ID,
        value: "<dup>",
        code: "duplicate-case",
        severity: "error",
    },
    Dirt {
        field: schema::ERROR_TYPE,
        value: "执法态度问题",
        code: "error-type-unknown",
        severity: "warning",
    },
    Dirt {
        field: schema::CLAUSE,
        value: "第X条",
        code: "clause-invalid",
        severity: "warning",
    },
    Dirt {
        field: schema::CLAUSE,
        value: "第九条第（十二）项",
        code: "clause-out-of-range",
        severity: "warning",
    },
    Dirt {
        field: schema::CLAUSE,
        value: "<mismatch>",
        code: "clause-outcome-mismatch",
        severity: "warning",
    },
    Dirt {
        field: schema::VERIFIED_ON,
        value: "<before-filed>",
        code: "chronology",
        severity: "warning",
    },
    Dirt {
        field: schema::FILED_ON,
        value: "2025-01-15",
        code: "outside-pilot",
        severity: "warning",
    },
    Dirt {
        field: schema::INVESTIGATORS,
        value: "若干",
        code: "int-invalid",
        severity: "warning",
    },
    Dirt {
        field: schema::SUBJECTIVE_FAULT,
        value: "不详",
        code: "bool-invalid",
        severity: "warning",
    },
    Dirt {
        field: schema::SOURCE,
        value: "群众来电",
        code: "enum-unknown",
        severity: "warning",
    },
];

/// Which background cases get which mutation, and which early case's id the
/// duplicate copies.
pub(super) struct DirtPlan {
    /// background index → index into [`DIRT`]
    pub(super) at: HashMap<usize, usize>,
    pub(super) dup_source: Option<usize>,
}

impl DirtPlan {
    /// Distinct background cases (never a planted one), one mutation each;
    /// the duplicate copies an id from early in the file. None unless `dirty`.
    pub(super) fn new(rng: &mut ChaCha8Rng, dirty: bool, n_background: usize) -> DirtPlan {
        let mut at: HashMap<usize, usize> = HashMap::new();
        let mut dup_source: Option<usize> = None;
        if dirty {
            let mut taken = std::collections::HashSet::new();
            for k in 0..DIRT.len() {
                loop {
                    let bg = rng.random_range(n_background / 10..n_background);
                    if taken.insert(bg) {
                        at.insert(bg, k);
                        break;
                    }
                }
            }
            dup_source = Some(rng.random_range(0..n_background / 10));
        }
        DirtPlan { at, dup_source }
    }
}
