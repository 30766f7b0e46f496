//! The `jiucuo` binary: parse arguments, run, map errors to exit codes.

use clap::Parser;

#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read at start-up: freed pages go back to the system
/// after one second instead of ten, and lazily purged ones at once, so the
/// blocks parsed while reading a large ledger do not stay resident on top of
/// the ledger (bench/README.md, "Memory"). Allocations over 8 MiB (a column
/// of a million rows) are not sent to jemalloc's separate arena for huge
/// ones, which hands their pages back the moment they are freed: every new
/// column then faulted in fresh pages (at 1 M rows about 900,000 faults and
/// a fifth of the run's CPU time in the kernel). `_RJEM_MALLOC_CONF` still
/// overrides them.
#[cfg(not(target_env = "msvc"))]
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8; 58] = b"dirty_decay_ms:1000,muzzy_decay_ms:0,oversize_threshold:0\0";

fn main() {
    let cli = jiucuo::cli::Cli::parse();
    let result = match cli.command {
        jiucuo::cli::Command::Serve(a) => jiucuo::serve::run(a),
        _ => jiucuo::cmd::run(cli),
    };
    let code = match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("错误：{}", jiucuo::cmd::error_chain(&err));
            2
        }
    };
    std::process::exit(code);
}
