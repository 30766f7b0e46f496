//! Diagnostics for benchmarking: with `JIUCUO_TRACE_MEMORY` set, the stages of
//! a run print the process's resident memory (now and peak) on stderr.

/// Print the resident set size now and its peak so far, after `stage`.
pub fn memory(stage: &str) {
    if std::env::var_os("JIUCUO_TRACE_MEMORY").is_none() {
        return;
    }
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
        (Some(now), Some(peak)) => eprintln!("[memory] {stage}: {now} MiB, peak {peak} MiB"),
        _ => eprintln!("[memory] {stage}: not available on this system"),
    }
}
