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
mod validate;

use std::io::IsTerminal;

use anyhow::Result;
use polars::prelude::DataFrame;

use crate::cli::{Cli, Command, OutputArgs};
use crate::output::{self, WriteOptions};

pub use demo::{demo_quarter, DEMO_SEED};
pub use load::report_accounting;

/// Exit code when findings were asked to fail the run.
pub const EXIT_FINDINGS: i32 = 1;

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
        Command::Query(a) => query::run(a),
        Command::Report(a) => report::run(a),
        Command::Charts(a) => charts::run(a),
        Command::Init(a) => simple::init(a),
        Command::Template(a) => simple::template(a),
        Command::Generate(a) => simple::generate(a),
        Command::Demo(a) => demo::run(&a.out, a.rows),
    }
}

/// The whole error chain, each cause once: a cause whose text the message
/// before it already holds (`无法读取 x.csv：No such file…` then `No such
/// file…`) is not repeated.
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in err.chain() {
        let text = e.to_string();
        if parts.iter().any(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join("\n  原因：")
}

/// Write one result table as the user asked.
pub(crate) fn write_table(df: &DataFrame, args: &OutputArgs) -> Result<()> {
    let format = resolve::format(args);
    let bytes = output::render(df, format, WriteOptions { bom: !args.no_bom })?;
    output::emit(&bytes, format, args.output.as_deref())
}

/// A spinner on stderr while long work runs; silent when stderr is not a terminal.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub fn start(message: &str) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(bar))
    }

    pub fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_is_printed_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let err = anyhow::Error::new(io).context("无法读取 x.csv：No such file");
        assert_eq!(error_chain(&err), "无法读取 x.csv：No such file");
        let err = anyhow::anyhow!("磁盘已满").context("无法写入 y.csv");
        assert_eq!(error_chain(&err), "无法写入 y.csv\n  原因：磁盘已满");
    }
}
