//! Writing the ledger: every case in filing order (planted and background
//! merged), its id, its cells, the dirty mutation it carries, and what the
//! truth records of it.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rand_chacha::ChaCha8Rng;

use super::cases::{add_days, background, Case, Plant};
use super::cells::{cells, col, csv_cell};
use super::dirt::{DirtPlan, DIRT};
use super::plants::Planted;
use super::truth::{PlantedDeadline, PlantedFinding, Truth};
use super::world::{as_of, World};
use crate::schema::{self, FIELDS};

/// The ledger CSV being written, and what its writing needs to remember.
pub(super) struct Ledger {
    pub(super) out: String,
    /// (repeat group, member) → the member's case id.
    pub(super) member_ids: HashMap<(usize, usize), String>,
    seq_per_year: HashMap<i32, usize>,
    /// The id and row of the early case the duplicate copies.
    dup_id: Option<String>,
    dup_row: usize,
}

impl Ledger {
    /// An empty ledger: BOM and the reference header.
    pub(super) fn new(rows: usize) -> Ledger {
        let mut out = String::with_capacity(rows * 420);
        out.push('\u{FEFF}');
        out.push_str(
            &FIELDS
                .iter()
                .map(|f| f.header)
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
        Ledger {
            out,
            member_ids: HashMap::new(),
            seq_per_year: HashMap::new(),
            dup_id: None,
            dup_row: 0,
        }
    }

    /// Every case, planted and background merged in filing order.
    pub(super) fn emit_all(
        &mut self,
        rng: &mut ChaCha8Rng,
        world: &World,
        planted: &Planted,
        background_dates: &[(usize, NaiveDate)],
        dirt: &DirtPlan,
        truth: &mut Truth,
    ) {
        let rows = planted.cases.len() + background_dates.len();
        let (mut bi, mut pi) = (0usize, 0usize);
        for pos in 0..rows {
            let take_planted = pi < planted.cases.len()
                && (bi >= background_dates.len()
                    || planted.cases[pi].filed <= Some(background_dates[bi].1));
            let (case, bg) = if take_planted {
                pi += 1;
                (planted.cases[pi - 1].clone(), None)
            } else {
                let (qi, d) = background_dates[bi];
                bi += 1;
                (
                    background(rng, &world.units, &world.qs[qi], d),
                    Some(bi - 1),
                )
            };
            self.emit(rng, world, &case, bg, pos, planted, dirt, truth);
        }
    }

    /// One case at position `pos` (its spreadsheet row is `pos + 2`); `bg`:
    /// its background index, if it is not planted.
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        rng: &mut ChaCha8Rng,
        world: &World,
        case: &Case,
        bg: Option<usize>,
        pos: usize,
        planted: &Planted,
        dirt: &DirtPlan,
        truth: &mut Truth,
    ) {
        let year = case.filed.map(|d| d.year()).unwrap_or(2025);
        let seq = self.seq_per_year.entry(year).or_insert(0);
        *seq += 1;
        let id = format!("JC{year}-{:06}", *seq);
        match &case.plant {
            Some(Plant::Repeat(g, m)) => {
                self.member_ids.insert((*g, *m), id.clone());
            }
            Some(Plant::Deadline(i)) => {
                let p = &planted.deadlines[*i];
                truth.deadlines.push(PlantedDeadline {
                    case_id: id.clone(),
                    rule: p.5.into(),
                    status: p.6.into(),
                    deadline: p.7.to_string(),
                    days_late: p.8,
                    why: p.9.into(),
                });
            }
            None => {}
        }
        let mut row = cells(rng, &world.units, case, &id);
        if bg.is_some() && bg == dirt.dup_source {
            self.dup_id = Some(id.clone());
            self.dup_row = pos + 2;
        }
        if let Some(k) = bg.and_then(|b| dirt.at.get(&b)) {
            self.apply_dirt(*k, case, &mut row, pos, truth);
        }
        if case.extension.is_some_and(|days| days > 30) {
            // The dirty deadline plant's over-long extension (art. 17 allows 30).
            truth.findings.push(PlantedFinding {
                row: pos + 2,
                case_id: row[0].clone(),
                column: schema::header_of(schema::EXTENSION_DAYS).to_string(),
                code: "extension-over-30".into(),
                severity: "warning".into(),
            });
        }
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            csv_cell(&mut self.out, cell);
        }
        self.out.push('\n');
    }

    /// Mutation `k` of [`DIRT`] on a row, and the finding it must yield.
    fn apply_dirt(&self, k: usize, case: &Case, row: &mut [String], pos: usize, truth: &mut Truth) {
        let dirt = &DIRT[k];
        let c = col(dirt.field);
        let value = match dirt.value {
            "<dup>" => self.dup_id.clone().unwrap_or_default(),
            "<mismatch>" => {
                // a clause of art. 12 on a case granted tolerance, or art. 9 otherwise
                row[col(schema::OUTCOME)] = "免责".into();
                if row[col(schema::DECIDED_ON)].is_empty() {
                    let d = case.filed.map(|f| add_days(f, 20)).unwrap_or(as_of());
                    row[col(schema::DECIDED_ON)] = d.to_string();
                }
                "第十二条第（一）项".into()
            }
            "<before-filed>" => case
                .filed
                .map(|f| add_days(f, -3).to_string())
                .unwrap_or_default(),
            v => v.to_string(),
        };
        row[c] = value;
        if dirt.field == schema::FILED_ON && dirt.code == "outside-pilot" {
            // keep the rest of the record consistent with the earlier filing
            for later in LATER_THAN_FILING {
                row[col(later)] = String::new();
            }
        }
        let reported_id = if dirt.field == schema::CASE_ID && dirt.code == "required-missing" {
            String::new()
        } else {
            row[0].clone()
        };
        truth.findings.push(PlantedFinding {
            row: pos + 2,
            case_id: reported_id,
            column: schema::header_of(dirt.field).to_string(),
            code: dirt.code.into(),
            severity: dirt.severity.into(),
        });
        if dirt.code == "duplicate-case" {
            truth.findings.push(PlantedFinding {
                row: self.dup_row,
                case_id: row[0].clone(),
                column: schema::header_of(schema::CASE_ID).to_string(),
                code: "duplicate-kept".into(),
                severity: "warning".into(),
            });
        }
    }
}

/// What a record filed before the pilot cannot have yet: every later event
/// and what the decision found.
const LATER_THAN_FILING: [&str; 20] = [
    schema::VERIFIED_ON,
    schema::DECIDED_ON,
    schema::NOTIFIED_ON,
    schema::CORRECTED_ON,
    schema::ARCHIVED_ON,
    schema::TRANSFERRED_ON,
    schema::REVIEW_APPLIED_ON,
    schema::HANDLED_ON,
    schema::HANDLING_REPORTED_ON,
    schema::REVIEW_DECIDED_ON,
    schema::OUTCOME,
    schema::CLAUSE,
    schema::REVIEW_RESULT,
    schema::RECTIFY_DUE,
    schema::RECTIFY_EXTENDED_TO,
    schema::RECTIFIED_ON,
    schema::REPORTER_FEEDBACK_ON,
    schema::CLARIFIED_ON,
    schema::MALICIOUS_REPORT,
    schema::COMPLAINT_FINDING,
];
