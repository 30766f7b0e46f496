//! The integration-test binary: runs the real `jiucuo` on fixture files.

mod util;

mod analyses;
mod architecture;
mod browser;
mod charts;
mod commands;
mod findings;
mod generated;
mod hostile;
mod ingest;
mod queries;
mod rendering;
mod reports;
mod whatif;
mod workbench;
mod workbooks;
