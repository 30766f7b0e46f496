//! Test harness: a temporary working folder, fixture writers, and a builder
//! that runs the real `jiucuo` binary and captures what a user would see.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader};
use polars::prelude::*;

/// A temporary folder that is also the working directory of every run (so
/// default outputs such as `ledger.rejects.xlsx` and a stray `jiucuo.toml`
/// stay inside it).
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        // the runs' own temporary folder (spills): a killed run's leftovers
        // go with the fixture instead of staying in the system's
        std::fs::create_dir(dir.path().join(".tmp")).expect("fixture temp folder");
        Fixture { dir }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Write bytes to `name` inside the fixture folder; returns the path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create fixture folder");
        }
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    /// A run of the binary with the fixture folder as working directory.
    pub fn jiucuo<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.jiucuo_with_env(args, &[])
    }

    /// [`Fixture::jiucuo`] with extra environment variables.
    pub fn jiucuo_with_env<I, S>(&self, args: I, env: &[(&str, &str)]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out = Command::new(env!("CARGO_BIN_EXE_jiucuo"))
            .args(args)
            .current_dir(self.dir())
            .env_remove("RUST_BACKTRACE")
            .env("TMPDIR", self.path(".tmp"))
            .envs(env.iter().copied())
            .output()
            .expect("run jiucuo");
        Run {
            code: out
                .status
                .code()
                .expect("exit code (not killed by a signal)"),
            stdout: out.stdout,
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// What a run of the binary left behind.
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn stdout_text(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }

    /// Panics (showing stderr) unless the exit code is `code`.
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code {} (expected {code})\nstderr:\n{}",
            self.code, self.stderr
        );
        self
    }

    pub fn ok(self) -> Run {
        self.expect_code(0)
    }

    /// The `(read, analysed, rejected)` of the summary line on stderr.
    pub fn accounting(&self) -> (usize, usize, usize) {
        let line = self
            .stderr
            .lines()
            .find(|l| l.starts_with("read "))
            .unwrap_or_else(|| panic!("no accounting line in stderr:\n{}", self.stderr));
        let nums: Vec<usize> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().expect("number"))
            .collect();
        assert_eq!(
            line,
            format!(
                "read {}, analysed {}, rejected {}",
                nums[0], nums[1], nums[2]
            ),
            "summary line has the contract's shape"
        );
        (nums[0], nums[1], nums[2])
    }

    /// stdout parsed as a JSON array of findings.
    pub fn findings(&self) -> Vec<JsonFinding> {
        let v: serde_json::Value = serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not JSON ({e}):\n{}", self.stdout_text());
        });
        v.as_array()
            .expect("a JSON array")
            .iter()
            .map(JsonFinding::from_json)
            .collect()
    }
}

/// One record of `validate --format json`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct JsonFinding {
    /// The sheet, for a ledger read from several sheets of a workbook.
    pub sheet: Option<String>,
    pub row: i64,
    pub case_id: Option<String>,
    pub column: String,
    pub value: String,
    pub severity: String,
    pub code: String,
    pub message: String,
}

impl JsonFinding {
    fn from_json(v: &serde_json::Value) -> JsonFinding {
        let obj = v.as_object().expect("a JSON object");
        let keys: Vec<&str> = obj
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "sheet")
            .collect();
        let mut sorted_expected = [
            "row", "case_id", "column", "value", "severity", "code", "message",
        ];
        sorted_expected.sort_unstable();
        let mut sorted_keys = keys.clone();
        sorted_keys.sort_unstable();
        assert_eq!(sorted_keys, sorted_expected, "finding keys");
        let text = |k: &str| {
            obj[k]
                .as_str()
                .unwrap_or_else(|| panic!("{k}: {v}"))
                .to_string()
        };
        JsonFinding {
            sheet: obj
                .get("sheet")
                .map(|s| s.as_str().expect("sheet is text").to_string()),
            row: obj["row"].as_i64().expect("row is an integer"),
            case_id: obj["case_id"].as_str().map(String::from),
            column: text("column"),
            value: text("value"),
            severity: text("severity"),
            code: text("code"),
            message: text("message"),
        }
    }

    /// `(row, column, code, severity)`: what a test usually pins down.
    pub fn key(&self) -> (i64, String, String, String) {
        (
            self.row,
            self.column.clone(),
            self.code.clone(),
            self.severity.clone(),
        )
    }
}

/// The keys of one JSON object in the order written (serde_json's `Value`
/// would sort them).
pub fn json_keys(object: &str) -> Vec<String> {
    struct Keys(Vec<String>);
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Keys, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((k, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                        keys.push(k);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(Visit)
        }
    }
    serde_json::from_str::<Keys>(object)
        .expect("a JSON object")
        .0
}

/// A ledger written as a grid of text cells (header row first).
#[derive(Debug, Clone)]
pub struct Grid {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Grid {
    pub fn new(headers: &[&str], rows: &[&[&str]]) -> Grid {
        for r in rows {
            assert_eq!(r.len(), headers.len(), "row width: {r:?}");
        }
        Grid {
            headers: headers.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
        }
    }

    pub fn column(&self, header: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("no column {header}"))
    }

    /// Rename a header in place.
    pub fn rename(&mut self, from: &str, to: &str) {
        let j = self.column(from);
        self.headers[j] = to.to_string();
    }

    /// RFC 4180 CSV text with the given line ending.
    pub fn csv(&self, eol: &str) -> String {
        let mut out = String::new();
        for record in std::iter::once(&self.headers).chain(&self.rows) {
            let cells: Vec<String> = record.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&cells.join(","));
            out.push_str(eol);
        }
        out
    }

    /// All-String polars frame (empty cells are null).
    pub fn frame(&self) -> DataFrame {
        let columns: Vec<Column> = self
            .headers
            .iter()
            .enumerate()
            .map(|(j, h)| {
                let values: Vec<Option<&str>> = self
                    .rows
                    .iter()
                    .map(|r| Some(r[j].as_str()).filter(|s| !s.is_empty()))
                    .collect();
                Column::new(h.as_str().into(), values)
            })
            .collect();
        DataFrame::new_infer_height(columns).expect("frame")
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn write_parquet(path: &Path, df: &DataFrame) {
    let mut df = df.clone();
    let file = std::fs::File::create(path).expect("create parquet");
    ParquetWriter::new(file)
        .finish(&mut df)
        .expect("write parquet");
}

pub fn write_ipc(path: &Path, df: &DataFrame) {
    let mut df = df.clone();
    let file = std::fs::File::create(path).expect("create arrow");
    IpcWriter::new(file).finish(&mut df).expect("write arrow");
}

/// The Arrow IPC streaming format (what some tools write under `.ipc`).
pub fn write_ipc_stream(path: &Path, df: &DataFrame) {
    let mut df = df.clone();
    let file = std::fs::File::create(path).expect("create arrow stream");
    IpcStreamWriter::new(file)
        .finish(&mut df)
        .expect("write arrow stream");
}

pub fn read_parquet(path: &Path) -> DataFrame {
    let file = std::fs::File::open(path).expect("open parquet");
    ParquetReader::new(file).finish().expect("read parquet")
}

/// The first sheet of a workbook as text cells (row 1 = index 0), as calamine reads it.
pub fn xlsx_cells(path: &Path) -> Vec<Vec<String>> {
    xlsx_sheets(path).remove(0).1
}

/// Every sheet of a workbook, by name, as text cells.
pub fn xlsx_sheets(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).expect("open xlsx");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let cells = sheet_cells(&mut book, &name);
            (name, cells)
        })
        .collect()
}

fn sheet_cells<R: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<R>,
    name: &str,
) -> Vec<Vec<String>> {
    let range = book.worksheet_range(name).expect("sheet");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => b.to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

/// A column of a frame as text (dates ISO, lists `;`-joined), for assertions.
pub fn texts(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let s = df
        .column(name)
        .unwrap_or_else(|e| panic!("column {name}: {e}"))
        .as_materialized_series()
        .clone();
    let s = match s.dtype() {
        DataType::List(_) => {
            let list = s.list().expect("list");
            (0..list.len())
                .map(|i| {
                    list.get_as_series(i).map(|v| {
                        v.str()
                            .expect("list of text")
                            .iter()
                            .map(|x| x.unwrap_or("").to_string())
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                })
                .collect::<StringChunked>()
                .into_series()
        }
        _ => s.cast(&DataType::String).expect("cast to text"),
    };
    s.str()
        .expect("text")
        .iter()
        .map(|v| v.map(String::from))
        .collect()
}

/// `Some(text)` for each item, `None` for `""`.
pub fn opt(values: &[&str]) -> Vec<Option<String>> {
    values
        .iter()
        .map(|v| Some(v.to_string()).filter(|s| !s.is_empty()))
        .collect()
}

/// A plain CSV reader for checking outputs independently of the tool:
/// returns the header and the records (quotes, commas and newlines in quotes).
pub fn csv_records(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    let mut it = rows.into_iter();
    let header = it.next().unwrap_or_default();
    (header, it.collect())
}
