//! Arbitrary bytes as an XLSX workbook through the whole ledger ingest —
//! every sheet, merged regions filled, sheets laid out as one table — and
//! `init --from`'s header guess: a clear error or a ledger, never a panic.
#![no_main]

use jiucuo::config::Config;
use jiucuo::ingest::{read_ledger_from, workbook, Encoding, Format, ReadOptions};
use libfuzzer_sys::fuzz_target;

/// jiucuo turns a panic inside the XLSX parser (calamine) into an error;
/// libFuzzer's hook would abort on it before that. The hook is replaced by
/// one that prints and returns: a panic that escapes jiucuo still reaches
/// the harness, which aborts on it (a finding).
fn panics_reach_the_harness_only_when_uncaught() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| eprintln!("caught or not: {info}")));
    });
}

fuzz_target!(|data: &[u8]| {
    panics_reach_the_harness_only_when_uncaught();
    let config = Config::default();
    let opts = ReadOptions { encoding: Encoding::Auto, sheet: None, keep_summaries: true };
    if let Ok(ledger) = read_ledger_from(data, Format::Xlsx, &opts, &config, usize::MAX) {
        // every row accounted for
        assert_eq!(ledger.accounting.read, ledger.accounting.analysed + ledger.accounting.rejected);
    }
    if let Ok(book) = workbook::read_workbook(data, None) {
        for sheet in book.sheets {
            let _ = jiucuo::ingest::header_row(sheet.table, &config);
        }
    }
});
