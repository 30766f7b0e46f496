//! CSV bytes (any encoding, any shape) through the whole ingest: read,
//! map headers, parse values, validate. Must never panic, every row read is
//! accounted for, and reading in small chunks gives the same ledger as
//! reading the file whole.
#![no_main]

use jiucuo::config::Config;
use jiucuo::ingest::{read_ledger_from, Encoding, Format, ReadOptions};
use libfuzzer_sys::fuzz_target;

const HEADER: &[u8] = "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期,认定日期,认定结果,适用条款,涉及人员,主观过错,延长天数\n".as_bytes();

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions { encoding: Encoding::Auto, sheet: None, keep_summaries: true };
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    // half the inputs get a valid header so that the value parsers are reached
    let bytes: Vec<u8> = if control & 1 == 0 {
        HEADER.iter().chain(rest.iter()).copied().collect()
    } else {
        rest.to_vec()
    };
    // chunks of 1 to 128 bytes: most records straddle a chunk boundary
    let chunk = usize::from(control >> 1) + 1;
    let config = Config::default();
    let read = |chunk_bytes| {
        read_ledger_from(std::io::Cursor::new(&bytes), Format::Csv, &opts, &config, chunk_bytes)
    };
    match (read(usize::MAX), read(chunk)) {
        (Ok(whole), Ok(chunked)) => {
            let a = whole.accounting;
            assert_eq!(a.read, a.analysed + a.rejected);
            assert_eq!(a, chunked.accounting);
            assert_eq!(whole.findings, chunked.findings);
            assert!(whole.cases.equals_missing(&chunked.cases));
            assert!(whole.raw.frame.equals_missing(&chunked.raw.frame));
        }
        (Err(_), Err(_)) => {}
        (w, c) => panic!(
            "whole and chunked reads disagree: {:?} vs {:?}",
            w.map(|l| l.accounting),
            c.map(|l| l.accounting)
        ),
    }
});
