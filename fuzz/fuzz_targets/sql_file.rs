//! Arbitrary bytes as a .sql file: decoded, placeholders applied, run over
//! a small ledger; an error or a table, never a panic.
#![no_main]

use jiucuo::query::{decode_sql, run, NamedQuery, Params, Source, Tables};
use libfuzzer_sys::fuzz_target;
use polars::prelude::*;

fuzz_target!(|data: &[u8]| {
    let sql = decode_sql(data);
    let q = NamedQuery { name: "fuzz".into(), purpose: String::new(), sql, source: Source::Embedded };
    let mut tables = Tables::default();
    let cases = df!("case_id" => ["A1", "A2"], "unit" => ["甲", "乙"], "filed_quarter" => ["2026Q1", "2026Q2"]).unwrap();
    tables.insert("cases", cases);
    let _ = run(&q, &tables, &Params::default());
});
