//! Arbitrary bytes as an XLSX workbook: a clear error or a ledger, never a panic.
#![no_main]

use jiucuo::config::Config;
use jiucuo::ingest::{ledger_from_raw, read::read_raw_bytes, Encoding, Format, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions { encoding: Encoding::Auto, sheet: None, keep_summaries: true };
    if let Ok(raw) = read_raw_bytes(data, Format::Xlsx, &opts) {
        let _ = ledger_from_raw(raw, &Config::default());
    }
});
