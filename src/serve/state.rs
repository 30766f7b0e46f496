//! What the workbench holds between requests: the uploads, the one job
//! that may be running, and the session of the last finished analysis.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDate;
use polars::prelude::DataFrame;

use crate::config::Config;
use crate::ingest::auxiliary::{Letter, Volume};
use crate::ingest::Ledger;
use crate::period::Quarter;
use crate::report::run::ReportRun;

/// The files a user can upload, in page order: (kind, label, required).
pub const UPLOADS: &[(&str, &str, bool)] = &[
    ("ledger", "案件台账", true),
    ("volume", "执法量（选填）", false),
    ("roster", "人员名册（选填）", false),
    ("letters", "提醒函发函登记（选填，用于试点评估报告）", false),
];

/// One uploaded file: stored as `<kind>.<ext>` in the private folder; its
/// own name is only ever shown (escaped), never used as a path.
#[derive(Debug, Clone)]
pub struct Upload {
    pub kind: &'static str,
    /// A number of its own: the same serial is the very same upload.
    pub serial: u64,
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
}

/// The workbench: set at start, shared by every request.
pub struct App {
    pub token: String,
    /// `127.0.0.1:PORT`: the only Host accepted.
    pub host: String,
    /// The token cookie's name (cookies are not port-bound, so it names the port).
    pub cookie: String,
    /// The private (0700) folder of uploads and generated files.
    pub dir: PathBuf,
    /// Where the settings are read from and saved to.
    pub config_path: PathBuf,
    pub max_upload: u64,
    pub config: Mutex<Config>,
    pub uploads: Mutex<BTreeMap<&'static str, Upload>>,
    pub job: Mutex<Option<Arc<Job>>>,
    pub session: Mutex<Option<Arc<Session>>>,
    /// A counter numbering each analysis' folder and each upload.
    pub runs: AtomicU64,
}

/// Lock a mutex even if a thread panicked while holding it: the data are
/// replaced whole, never left half-written.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl App {
    /// `http://127.0.0.1:PORT`: the only Origin accepted on POST.
    pub fn origin(&self) -> String {
        format!("http://{}", self.host)
    }

    /// The job running now, if any.
    pub fn running(&self) -> Option<Arc<Job>> {
        lock(&self.job).clone().filter(|j| !j.finished())
    }

    pub fn session(&self) -> Option<Arc<Session>> {
        lock(&self.session).clone()
    }

    pub fn config(&self) -> Config {
        lock(&self.config).clone()
    }
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Cancelled,
    Failed(String),
}

/// One analysis: its stage and progress, read by the progress page.
pub struct Job {
    pub stage: Mutex<String>,
    pub done_bytes: AtomicU64,
    pub total_bytes: u64,
    pub cancel: AtomicBool,
    pub outcome: Mutex<Option<Outcome>>,
    /// The ledger of the last analysis was reused (same files and settings).
    pub reused: AtomicBool,
    /// The thread, joined at shutdown before the private folder goes.
    pub thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Job {
    pub fn new(total_bytes: u64) -> Job {
        Job {
            stage: Mutex::new("准备中".into()),
            done_bytes: AtomicU64::new(0),
            total_bytes,
            cancel: AtomicBool::new(false),
            outcome: Mutex::new(None),
            reused: AtomicBool::new(false),
            thread: Mutex::new(None),
        }
    }

    pub fn set_stage(&self, s: &str) {
        *lock(&self.stage) = s.to_string();
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    pub fn finished(&self) -> bool {
        lock(&self.outcome).is_some()
    }

    /// Share of the ledger's bytes read, 0–100.
    pub fn percent(&self) -> u64 {
        let done = self.done_bytes.load(Ordering::Relaxed);
        (done.saturating_mul(100))
            .checked_div(self.total_bytes)
            .unwrap_or(0)
            .min(100)
    }
}

/// A ledger reader that counts bytes for the progress page and stops when
/// the user cancels.
pub struct Counting<R> {
    pub inner: R,
    pub job: Arc<Job>,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.job.cancelled() {
            return Err(std::io::Error::other("已取消"));
        }
        let n = self.inner.read(buf)?;
        self.job.done_bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The last finished analysis: what the overview, reports and check pages show.
pub struct Session {
    pub uploads: Vec<Upload>,
    pub config: Config,
    pub ledger: Ledger,
    /// The validation findings as a table (errors first).
    pub findings: DataFrame,
    pub volume: Option<Volume>,
    pub letters: Option<Vec<Letter>>,
    /// Notes for the user (letters register names the ledger lacks, font).
    pub notes: Vec<String>,
    pub quarter: Quarter,
    pub as_of: NaiveDate,
    pub run: ReportRun,
    /// This analysis' own folder (rejects, reports).
    pub dir: PathBuf,
    /// The overview, rendered once.
    pub overview: super::overview::Overview,
    /// The ledger's enforcement domains (the check page's choices).
    pub domains: Vec<String>,
    /// Reports generated from this analysis: download name → file.
    pub downloads: Mutex<BTreeMap<String, PathBuf>>,
    /// Held while reports are written (one set at a time: a double click
    /// must not write one folder twice at once).
    pub writing: Mutex<()>,
}

impl Session {
    pub fn path_in(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// Replace each upload's stored path in `message` by the name the user gave it.
pub fn plain_paths(uploads: &[Upload], message: &str) -> String {
    let mut m = message.to_string();
    for u in uploads {
        m = m.replace(&u.path.display().to_string(), &u.name);
    }
    m
}

/// The stored path of an upload kind: `<dir>/<kind>.<ext>`.
pub fn stored_path(dir: &Path, kind: &str, ext: &str) -> PathBuf {
    dir.join(format!("{kind}.{ext}"))
}
