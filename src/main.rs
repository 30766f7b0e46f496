//! The `jiucuo` binary: parse arguments, run, map errors to exit codes.

use clap::Parser;

#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
