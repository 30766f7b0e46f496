//! Diagnostics for benchmarking: with `JIUCUO_TRACE_MEMORY` set, the stages of
//! a run print the process's resident memory (now and peak) and the seconds
//! since the first trace line on stderr.

use std::sync::OnceLock;
use std::time::Instant;

/// When the first trace line was printed (the run's reading starts just before).
static TRACE_START: OnceLock<Instant> = OnceLock::new();

/// Print the resident set size now and its peak so far, after `stage`.
pub fn memory(stage: &str) {
    if std::env::var_os("JIUCUO_TRACE_MEMORY").is_none() {
        return;
    }
    let seconds = TRACE_START
        .get_or_init(Instant::now)
        .elapsed()
        .as_secs_f64();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map(|kb| kb / 1024)
    };
    match (mib("VmRSS:"), mib("VmHWM:")) {
        (Some(now), Some(peak)) => eprintln!(
            "[memory] {seconds:.2} s {stage}: {now} MiB, peak {peak} MiB (of which mapped files {} MiB)",
            mib("RssFile:").unwrap_or(0)
        ),
        _ => eprintln!("[memory] {seconds:.2} s {stage}: not available on this system"),
    }
}

/// With `JIUCUO_TRACE_MEMORY` set, print the estimated heap size of each of
/// `df`'s columns, largest first, after `stage`.
pub fn frame_sizes(stage: &str, df: &polars::prelude::DataFrame) {
    if std::env::var_os("JIUCUO_TRACE_MEMORY").is_none() {
        return;
    }
    let mut sizes: Vec<(usize, String)> = df
        .columns()
        .iter()
        .map(|c| {
            let series = c.as_materialized_series();
            let name = format!("{} ({} chunks)", c.name(), series.n_chunks());
            (series.estimated_size(), name)
        })
        .collect();
    sizes.sort_by(|a, b| b.cmp(a));
    let total: usize = sizes.iter().map(|(s, _)| s).sum();
    eprintln!(
        "[memory] {stage}: {} rows, {} MiB estimated",
        df.height(),
        total >> 20
    );
    for (size, name) in sizes {
        eprintln!("[memory]   {name}: {} MiB", size >> 20);
    }
}
