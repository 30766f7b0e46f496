//! The `jiucuo` binary: parse arguments, run, map errors to exit codes.

use clap::Parser;

fn main() {
    let cli = jiucuo::cli::Cli::parse();
    let code = match jiucuo::app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("错误：{}", jiucuo::app::error_chain(&err));
            2
        }
    };
    std::process::exit(code);
}
