//! Arbitrary bytes as an XLSX workbook through the whole ledger ingest —
//! every sheet, merged regions filled, sheets laid out as one table — and
//! `init --from`'s header guess: a clear error or a ledger, never a panic.
#![no_main]

use jiucuo::config::Config;
use jiucuo::ingest::{read_ledger_from, workbook, Encoding, Format, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
