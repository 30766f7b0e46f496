//! jiucuo (纠错): analysis of the supervision office's case ledger under the
//! district's measures on duty fulfilment, error tolerance and error correction.

pub mod analysis;
pub mod calendar;
pub mod chart;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod diag;
pub mod fsutil;
pub mod generate;
pub mod ingest;
pub mod output;
pub mod period;
pub mod pipeline;
pub mod query;
pub mod rejects;
pub mod report;
pub mod schema;
pub mod serve;
pub mod spill;
pub mod template;
