//! Hostile and malformed input: clear Chinese errors or accounted warnings,
//! never a panic, never a silent drop; outputs atomic; input untouched.

use crate::util::Fixture;

const HEADER: &str = "案件编号,执法单位,执法领域,执法事项类别,问题类型,立案日期\n";

fn no_panic(run: &crate::util::Run) {
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
    assert!(
        run.code == 0 || run.code == 1 || run.code == 2,
        "exit code {}",
        run.code
    );
}

#[test]
fn malformed_files_give_clear_errors() {
    let fx = Fixture::new();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", vec![], "为空"),
        (
            "utf16.csv",
            {
                let mut b = vec![0xFF, 0xFE];
                for u in HEADER.encode_utf16() {
                    b.extend(u.to_le_bytes());
                }
                b
            },
            "UTF-16",
        ),
        (
            "mixed.csv",
            {
                let mut b = HEADER.as_bytes().to_vec();
                b.extend("A1,区市场监督管理局,市场监管,行政处罚,文书瑕疵,2025-04-01\n".as_bytes());
                let (gbk, _, _) = encoding_rs::GBK
                    .encode("A2,区市场监督管理局,市场监管,行政处罚,文书瑕疵,2025-04-02\n");
                b.extend(gbk.iter());
                b
            },
            "混用",
        ),
        (
            "notreally.xlsx",
            b"PK\x03\x04this is not a workbook".to_vec(),
            "Excel",
        ),
        (
            "fake.xlsx",
            {
                // a real zip of something else
                let mut buf = std::io::Cursor::new(Vec::new());
                let mut z = zip::ZipWriter::new(&mut buf);
                z.start_file("hello.txt", zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut z, b"hello").unwrap();
                z.finish().unwrap();
                buf.into_inner()
            },
            "XLSX",
        ),
        ("ledger.docx", b"x".to_vec(), "无法识别文件格式"),
    ];
    for (name, bytes, expect) in cases {
        fx.write(name, &bytes);
        let run = fx.jiucuo(["validate", name]);
        no_panic(&run);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains(expect),
            "{name}: expected “{expect}” in {}",
            run.stderr
        );
        assert!(run.stderr.starts_with("错误："), "{name}: {}", run.stderr);
    }
}

#[test]
fn headers_only_ragged_rows_and_repeated_headers_are_accounted() {
    let fx = Fixture::new();
    fx.write("h.csv", HEADER);
    let run = fx.jiucuo(["validate", "h.csv", "--format", "json"]).ok();
    assert_eq!(run.accounting(), (0, 0, 0));
    // every analysis copes with an empty ledger
    for cmd in ["deadlines", "repeats", "hotspots", "outcomes"] {
        let run = fx.jiucuo(
            [cmd, "h.csv", "--format", "csv", "--as-of", "2026-11-30"]
                .iter()
                .filter(|a| cmd == "deadlines" || !a.starts_with("--as-of") && **a != "2026-11-30")
                .copied()
                .collect::<Vec<_>>(),
        );
        no_panic(&run);
        assert_eq!(run.code, 0, "{cmd}: {}", run.stderr);
    }
    let body = format!(
        "{HEADER}A1,U,D,行政处罚,文书瑕疵,2025-04-01\nA2,U,D,行政处罚,文书瑕疵,2025-04-01,多余,内容\nA3,U,D\n{HEADER}\"A4\",U,D,行政处罚,文书瑕疵,2025-04-0"
    );
    fx.write("r.csv", body);
    let run = fx.jiucuo(["validate", "r.csv", "--format", "json"]).ok();
    let (read, analysed, rejected) = run.accounting();
    assert_eq!((read, analysed, rejected), (5, 1, 4));
    let f = run.findings();
    let codes: Vec<(i64, &str)> = f.iter().map(|x| (x.row, x.code.as_str())).collect();
    assert!(codes.contains(&(3, "row-too-many-fields")), "{codes:?}");
    assert!(codes.contains(&(4, "row-too-few-fields")), "{codes:?}");
    assert!(codes.contains(&(5, "header-repeated")), "{codes:?}");
    // the truncated last record (date cut short) is rejected, not dropped
    assert!(codes.contains(&(6, "date-invalid")), "{codes:?}");
    let extra = f.iter().find(|x| x.code == "row-too-many-fields").unwrap();
    assert!(extra.message.contains("多余,内容"), "{}", extra.message);
}

#[test]
fn many_identical_rows_keep_the_first_and_account_for_all() {
    let fx = Fixture::new();
    // 1 M rows run in the benchmark (bench/); 50 k keeps the debug test quick
    let n = 50_000;
    let mut body = String::with_capacity(n * 60);
    body.push_str(HEADER);
    for _ in 0..n {
        body.push_str("A1,区市场监督管理局,市场监管,行政处罚,文书瑕疵,2025-04-01\n");
    }
    fx.write("same.csv", body);
    let run = fx
        .jiucuo([
            "validate", "same.csv", "--format", "csv", "--output", "f.csv",
        ])
        .ok();
    assert_eq!(run.accounting(), (n, 1, n - 1));
}

/// The ledger holds units, domains and error types coded in two bytes: a
/// column with more than 65,535 distinct values (a mis-mapped case-id
/// column, say) is a clear error naming the column, with no output.
#[test]
fn a_unit_column_with_a_distinct_value_per_row_is_refused_by_name() {
    let fx = Fixture::new();
    let n = 65_536 + 10;
    let mut body = String::with_capacity(n * 70);
    body.push_str(HEADER);
    for i in 0..n {
        body.push_str(&format!(
            "A{i},单位{i},市场监管,行政处罚,文书瑕疵,2025-04-01\n"
        ));
    }
    fx.write("units.csv", body);
    let run = fx
        .jiucuo([
            "validate",
            "units.csv",
            "--format",
            "csv",
            "--output",
            "f.csv",
        ])
        .expect_code(2);
    no_panic(&run);
    assert!(
        run.stderr.contains("“执法单位”列的不同取值超过 65535 个"),
        "{}",
        run.stderr
    );
    assert!(!fx.path("f.csv").exists());
    // 65,535 distinct units are still read.
    let mut body = String::from(HEADER);
    for i in 0..65_535 {
        body.push_str(&format!(
            "A{i},单位{i},市场监管,行政处罚,文书瑕疵,2025-04-01\n"
        ));
    }
    fx.write("most.csv", body);
    let run = fx
        .jiucuo([
            "validate", "most.csv", "--format", "csv", "--output", "f.csv",
        ])
        .ok();
    assert_eq!(run.accounting(), (65_535, 65_535, 0));
}

#[test]
fn an_unusable_temporary_folder_fails_clearly_and_writes_no_output() {
    let fx = Fixture::new();
    fx.jiucuo(["generate", "--rows", "400", "--seed", "4", "--out", "g"])
        .ok();
    let query_with_tmpdir = |dir: &std::path::Path| {
        fx.jiucuo_with_env(
            [
                "query",
                "g/ledger.csv",
                "--name",
                "overdue_list",
                "--output",
                "out.csv",
            ],
            &[("TMPDIR", dir.to_str().unwrap())],
        )
    };
    let run = query_with_tmpdir(&fx.path("no-such-folder")).expect_code(2);
    no_panic(&run);
    assert!(run.stderr.contains("临时文件夹"), "{}", run.stderr);
    assert!(run.stderr.contains("TMPDIR"), "{}", run.stderr);
    assert!(!fx.path("out.csv").exists());
    // With a usable one the same query runs and leaves no spill behind.
    let tmp = fx.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    query_with_tmpdir(&tmp).ok();
    assert!(fx.path("out.csv").exists());
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
}

#[test]
fn outputs_are_atomic_and_the_input_is_never_modified() {
    let fx = Fixture::new();
    fx.jiucuo([
        "generate", "--rows", "3000", "--seed", "2", "--out", "g", "--dirty",
    ])
    .ok();
    let before = fx.read("g/ledger.csv");
    fx.jiucuo(["validate", "g/ledger.csv", "--rejects", "g/rej.xlsx"])
        .ok();
    fx.jiucuo([
        "analyze",
        "g/ledger.csv",
        "--out",
        "g/an",
        "--as-of",
        "2026-11-30",
    ])
    .ok();
    assert_eq!(fx.read("g/ledger.csv"), before, "input untouched");
    // kill a run while it writes: the target is the old file or a whole new one
    let old = b"old complete file\n".to_vec();
    fx.write("out/deadlines.csv", &old);
    let complete = fx.read("g/an/deadlines.csv");
    for delay_ms in [50u64, 300, 800, 1500, 2500] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jiucuo"))
            .args([
                "analyze",
                "g/ledger.csv",
                "--out",
                "out",
                "--as-of",
                "2026-11-30",
            ])
            .current_dir(fx.dir())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = fx.read("out/deadlines.csv");
        assert!(
            now == old || now == complete,
            "partial file after kill at {delay_ms} ms ({} bytes)",
            now.len()
        );
        let leftovers: Vec<String> = std::fs::read_dir(fx.path("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        for l in leftovers {
            // a killed run may leave its temporary file, never the target
            assert!(l.starts_with(".jiucuo-"), "{l}");
        }
    }
    // an output folder that cannot be created fails cleanly, naming it
    fx.write("blocker", "a file, not a folder");
    let run = fx.jiucuo([
        "analyze",
        "g/ledger.csv",
        "--out",
        "blocker/sub",
        "--as-of",
        "2026-11-30",
    ]);
    no_panic(&run);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("blocker"), "{}", run.stderr);
}

mod fuzzish {
    use proptest::prelude::*;

    /// Ingest never panics, accounts for every row, and reads the same in
    /// chunks of `chunk` bytes as whole.
    fn ingest(bytes: &[u8], chunk: usize) {
        let opts = jiucuo::ingest::ReadOptions {
            encoding: jiucuo::ingest::Encoding::Auto,
            sheet: None,
            keep_summaries: true,
        };
        let config = jiucuo::config::Config::default();
        let read = |chunk_bytes| {
            jiucuo::ingest::read_ledger_from(
                std::io::Cursor::new(bytes),
                jiucuo::ingest::Format::Csv,
                &opts,
                &config,
                chunk_bytes,
            )
        };
        match (read(usize::MAX), read(chunk)) {
            (Ok(whole), Ok(chunked)) => {
                let a = whole.accounting;
                assert_eq!(a.read, a.analysed + a.rejected);
                assert_eq!(a, chunked.accounting);
                assert_eq!(whole.findings, chunked.findings);
                assert!(whole.cases.equals_missing(&chunked.cases));
            }
            (Err(_), Err(_)) => {}
            (w, c) => panic!(
                "whole and chunked reads disagree: {:?} vs {:?}",
                w.map(|l| l.accounting),
                c.map(|l| l.accounting)
            ),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        /// Random bytes after a valid header never panic the CSV ingest,
        /// whatever is read is accounted for, and chunking changes nothing.
        #[test]
        fn csv_ingest_never_panics(body in proptest::collection::vec(any::<u8>(), 0..400), chunk in 1usize..200) {
            let mut bytes = super::HEADER.as_bytes().to_vec();
            bytes.extend(body);
            ingest(&bytes, chunk);
        }

        /// Random text made of ledger-ish pieces never panics either.
        #[test]
        fn csv_ingest_never_panics_on_ledgerish_text(cells in proptest::collection::vec(r#"[A-Za-z0-9,"\n年月日/.是否、；第十条（）-]{0,12}"#, 0..40), chunk in 1usize..200) {
            let mut text = super::HEADER.to_string();
            text.push_str(&cells.join(","));
            ingest(text.as_bytes(), chunk);
        }
    }
}

#[test]
fn a_title_line_above_the_table_is_skipped_and_rows_keep_their_numbers() {
    let fx = Fixture::new();
    for (name, title) in [
        ("t1.csv", "2026年第三季度监督案件台账\n"),
        ("t2.csv", "2026年第三季度监督案件台账,,,,,\n,,,,,\n"),
    ] {
        fx.write(name, format!("{title}{HEADER}A1,U,D,行政处罚,文书瑕疵,2025-04-01\nA2,U,D,行政处罚,文书瑕疵,2025-13-01\n"));
        let run = fx.jiucuo(["validate", name, "--format", "json"]).ok();
        assert_eq!(run.accounting(), (2, 1, 1), "{name}");
        assert!(run.stderr.contains("标题"), "{}", run.stderr);
        let f = run.findings();
        // title line(s), the header, A1, then A2
        let expected_row = title.lines().count() as i64 + 3;
        assert_eq!(
            (f[0].row, f[0].code.as_str()),
            (expected_row, "date-invalid"),
            "{name}"
        );
    }
}

/// A run killed with SIGKILL cannot remove its spill folder (it holds case
/// data): the next run removes the folders of runs that are gone.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_runs_spill_folder_is_removed_by_the_next_run() {
    let fx = Fixture::new();
    fx.jiucuo(["generate", "--rows", "400", "--seed", "2", "--out", "g"])
        .ok();
    let stale = fx.path(".tmp/jiucuo-4000000000-xyz");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("part-00000.arrow"), b"case data").unwrap();
    fx.jiucuo([
        "query",
        "g/ledger.csv",
        "--name",
        "by_unit",
        "--quarter",
        "2026Q2",
    ])
    .ok();
    assert!(!stale.exists(), "the dead run's folder is gone");
    // and the run's own folders went with it
    let left: Vec<_> = std::fs::read_dir(fx.path(".tmp")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}
