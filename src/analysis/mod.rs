//! Analyses of the validated ledger: deadlines, repeats, risk points, outcomes.

pub mod stats;
