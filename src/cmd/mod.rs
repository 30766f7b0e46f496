//! The commands: each file resolves its flags (cmd/resolve.rs) before it
//! reads any data, loads what it needs (cmd/load.rs), runs the analyses
//! through the pipeline and writes what the user asked for. Nothing below
//! this layer prints to the terminal except the pipeline's notes.

mod analyze;
mod charts;
mod check;
mod demo;
mod load;
mod query;
mod report;
pub mod resolve;
mod simple;
mod ui;
mod validate;
mod whatif;

use anyhow::Result;

use crate::cli::{Cli, Command};

pub use demo::{demo_quarter, DEMO_SEED};
pub use load::report_accounting;
pub use report::{prepare_run, render as render_reports, unknown_in_ledger};
pub use ui::{error_chain, Progress, EXIT_FINDINGS};
pub use whatif::compare_for_report;

/// Run one command; Ok(exit code).
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Deadlines(a) => simple::deadlines(a),
        Command::Repeats(a) => simple::repeats(a),
        Command::Check(a) => check::run(a),
        Command::Hotspots(a) => simple::hotspots(a),
        Command::Outcomes(a) => simple::outcomes(a),
        Command::Analyze(a) => analyze::run(a),
        Command::Whatif(a) => whatif::run(a),
        Command::Query(a) => query::run(a),
        Command::Report(a) => report::run(a),
        Command::Charts(a) => charts::run(a),
        Command::Init(a) => simple::init(a),
        Command::Template(a) => simple::template(a),
        Command::Generate(a) => simple::generate(a),
        Command::Demo(a) => demo::run(&a.out, a.rows),
        // the workbench sits above the commands (it uses them): main.rs runs it
        Command::Serve(_) => anyhow::bail!("serve 由 main.rs 启动"),
    }
}
