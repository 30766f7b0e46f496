//! What the commands show the user: result tables on stdout or in a file,
//! a spinner on a terminal, the error chain, the exit code of findings.

use std::io::IsTerminal;

use anyhow::Result;
use polars::prelude::DataFrame;

use super::resolve;
use crate::cli::OutputArgs;
use crate::output::{self, WriteOptions};

/// Exit code when findings were asked to fail the run.
pub const EXIT_FINDINGS: i32 = 1;

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
