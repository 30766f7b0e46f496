//! CSV bytes (any encoding, any shape) through the whole ingest: read,
//! map headers, parse values, validate. Must never panic, and every row
//! read is accounted for.
#![no_main]

use jiucuo::config::Config;
use jiucuo::ingest::{ledger_from_raw, read::read_raw_bytes, Encoding, Format, ReadOptions};
use libfuzzer_sys::fuzz_target;

const HEADER: &[u8] = "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,认定日期,认定结果,适用条款,涉及人员,主观过错,延长天数\n".as_bytes();

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions { encoding: Encoding::Auto, sheet: None, keep_summaries: true };
    // half the inputs get a valid header so that the value parsers are reached
    let bytes: Vec<u8> = if data.first().is_some_and(|b| b & 1 == 0) {
        HEADER.iter().chain(data.iter().skip(1)).copied().collect()
    } else {
        data.to_vec()
    };
    if let Ok(raw) = read_raw_bytes(&bytes, Format::Csv, &opts) {
        if let Ok(ledger) = ledger_from_raw(raw, &Config::default()) {
            let a = ledger.accounting;
            assert_eq!(a.read, a.analysed + a.rejected);
        }
    }
});
