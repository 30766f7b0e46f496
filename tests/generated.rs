//! `jiucuo generate` and the truth file it writes: the same seed gives the
//! same bytes, and validate finds exactly the planted dirt.

use crate::util::{self, Fixture};

#[derive(serde::Deserialize)]
struct Truth {
    rows: usize,
    findings: Vec<TruthFinding>,
}

#[derive(serde::Deserialize)]
struct TruthFinding {
    row: i64,
    case_id: String,
    column: String,
    code: String,
    severity: String,
}

fn truth(fx: &Fixture, dir: &str) -> Truth {
    serde_json::from_slice(&fx.read(&format!("{dir}/truth.json"))).expect("truth.json")
}

/// The finding codes of the ledger contract that dirty data plants.
const KINDS: [&str; 15] = [
    "required-missing",
    "date-invalid",
    "enum-invalid",
    "duplicate-case",
    "duplicate-kept",
    "error-type-unknown",
    "clause-invalid",
    "clause-out-of-range",
    "clause-outcome-mismatch",
    "chronology",
    "extension-over-30",
    "outside-pilot",
    "int-invalid",
    "bool-invalid",
    "enum-unknown",
];

#[test]
fn generated_dirty_data_yields_exactly_the_planted_findings() {
    let fx = Fixture::new();
    for seed in [3u64, 17, 2025] {
        let dir = format!("s{seed}");
        let s = seed.to_string();
        fx.jiucuo([
            "generate", "--rows", "1500", "--seed", &s, "--out", &dir, "--dirty",
        ])
        .ok();
        let truth = truth(&fx, &dir);
        assert_eq!(truth.rows, 1500);
        let run = fx
            .jiucuo([
                "validate",
                &format!("{dir}/ledger.csv"),
                "--format",
                "json",
                "--rejects",
                &format!("{dir}/rejects.xlsx"),
            ])
            .ok();
        let mut got: Vec<(i64, String, String, String, String)> = run
            .findings()
            .into_iter()
            .map(|f| {
                (
                    f.row,
                    f.code,
                    f.severity,
                    f.case_id.unwrap_or_default(),
                    f.column,
                )
            })
            .collect();
        let mut want: Vec<(i64, String, String, String, String)> = truth
            .findings
            .iter()
            .map(|f| {
                (
                    f.row,
                    f.code.clone(),
                    f.severity.clone(),
                    f.case_id.clone(),
                    f.column.clone(),
                )
            })
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "seed {seed}");
        // Every kind of bad input is planted (the two sides cannot agree on
        // an empty list).
        let mut codes: Vec<&str> = truth.findings.iter().map(|f| f.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        let mut kinds = KINDS.to_vec();
        kinds.sort_unstable();
        assert_eq!(codes, kinds, "seed {seed}");
        let mut rejected: Vec<i64> = truth
            .findings
            .iter()
            .filter(|f| f.severity == "error")
            .map(|f| f.row)
            .collect();
        rejected.sort_unstable();
        rejected.dedup();
        let r = rejected.len();
        assert!(r > 0, "dirty data rejects rows");
        assert_eq!(run.accounting(), (1500, 1500 - r, r), "seed {seed}");
        let cells = util::xlsx_cells(&fx.path(&format!("{dir}/rejects.xlsx")));
        assert_eq!(
            cells.len(),
            r + 1,
            "seed {seed}: one rejects row per rejected row"
        );
    }
}

#[test]
fn generated_clean_data_has_no_findings() {
    let fx = Fixture::new();
    fx.jiucuo([
        "generate", "--rows", "1500", "--seed", "3", "--out", "clean",
    ])
    .ok();
    assert!(truth(&fx, "clean").findings.is_empty());
    let run = fx
        .jiucuo([
            "validate",
            "clean/ledger.csv",
            "--format",
            "json",
            "--fail-on-error",
        ])
        .ok();
    assert_eq!(run.findings(), vec![]);
    assert_eq!(run.accounting(), (1500, 1500, 0));
    assert!(!fx.path("ledger.rejects.xlsx").exists());
}

#[test]
fn generator_is_deterministic_per_seed() {
    let fx = Fixture::new();
    let gen = |dir: &str, seed: &str, dirty: bool| {
        let mut args = vec!["generate", "--rows", "600", "--seed", seed, "--out", dir];
        if dirty {
            args.push("--dirty");
        }
        fx.jiucuo(&args).ok();
    };
    gen("a", "5", true);
    gen("b", "5", true);
    gen("c", "6", true);
    gen("d", "5", false);
    for file in ["ledger.csv", "roster.csv", "volume.csv", "truth.json"] {
        let a = fx.read(&format!("a/{file}"));
        assert!(!a.is_empty(), "{file}");
        assert_eq!(a, fx.read(&format!("b/{file}")), "same seed: {file}");
    }
    assert_ne!(fx.read("a/ledger.csv"), fx.read("c/ledger.csv"));
    assert_ne!(fx.read("a/truth.json"), fx.read("c/truth.json"));
    assert_ne!(
        fx.read("a/ledger.csv"),
        fx.read("d/ledger.csv"),
        "dirty differs from clean"
    );
    let ledger = String::from_utf8(fx.read("a/ledger.csv")).unwrap();
    assert!(ledger.starts_with('\u{FEFF}'));
    let header = ledger
        .trim_start_matches('\u{FEFF}')
        .lines()
        .next()
        .unwrap();
    assert_eq!(header, crate::commands::REFERENCE_HEADERS.join(","));
}
