//! Analyses of the validated ledger: deadlines, repeats, risk points, outcomes.

pub mod deadlines;
pub mod hotspots;
pub mod outcomes;
pub mod period;
pub mod repeats;
pub mod stats;
