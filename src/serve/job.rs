//! The analysis the Load page starts: read the uploads, validate, analyse
//! for the chosen quarter and as-of date, exactly as `jiucuo report` does.

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use chrono::NaiveDate;

use super::stack::THREAD_STACK;
use super::state::{lock, plain_paths, App, Counting, Job, Outcome, Session, Upload};
use crate::cmd::resolve;
use crate::config::Config;
use crate::ingest::{self, Severity};
use crate::period::Quarter;

/// What the user chose on the Load or Overview page.
#[derive(Debug, Clone, Copy)]
pub struct Choice {
    pub quarter: Option<Quarter>,
    pub as_of: Option<NaiveDate>,
}

/// The as-of date and quarter when the user leaves them empty: today (not
/// after the pilot's end) and the last quarter ended by then.
pub fn defaults(today: NaiveDate, pilot_end: NaiveDate) -> (NaiveDate, Quarter) {
    let as_of = today.min(pilot_end);
    let q = Quarter::of(as_of);
    let quarter = if q.last_day() == as_of { q } else { q.prev() };
    (as_of, quarter)
}

/// Start the analysis on a thread of its own; the job is registered before
/// this returns, so the progress page finds it.
pub fn start(app: Arc<App>, choice: Choice) -> Result<Arc<Job>, String> {
    // the uploads stay locked until the job is registered: an upload
    // finishing now cannot replace a file this job is about to read
    let held = lock(&app.uploads);
    let uploads: Vec<Upload> = held.values().cloned().collect();
    let ledger = uploads
        .iter()
        .find(|u| u.kind == "ledger")
        .ok_or_else(|| "请先选择案件台账文件".to_string())?
        .clone();
    let mut slot = lock(&app.job);
    if slot.as_ref().is_some_and(|j| !j.finished()) {
        return Err("已有一项分析正在进行：请等待其完成，或先取消".into());
    }
    let job = Arc::new(Job::new(ledger.bytes));
    *slot = Some(job.clone());
    drop(slot);
    drop(held);
    let j = job.clone();
    let spawned = std::thread::Builder::new()
        .name("jiucuo-analysis".into())
        .stack_size(THREAD_STACK)
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                analyse(&app, &j, &uploads, choice)
            }));
            let outcome = match result {
                // a cancel that came after the last check still cancels,
                // and what the run wrote goes
                Ok(Ok(session)) if j.cancelled() => {
                    let _ = std::fs::remove_dir_all(&session.dir);
                    Outcome::Cancelled
                }
                _ if j.cancelled() => Outcome::Cancelled,
                Ok(Ok(session)) => {
                    let old = lock(&app.session).replace(Arc::new(session));
                    // the replaced analysis' files (rejects, reports) go,
                    // once a report being written from it is done
                    if let Some(old) = old {
                        let _writing = lock(&old.writing);
                        let _ = std::fs::remove_dir_all(&old.dir);
                    }
                    Outcome::Done
                }
                Ok(Err(e)) => Outcome::Failed(plain_paths(&uploads, &crate::cmd::error_chain(&e))),
                Err(_) => Outcome::Failed(
                    "分析时发生内部错误（程序缺陷）：请将台账与本页截图发给维护人员".into(),
                ),
            };
            *lock(&j.outcome) = Some(outcome);
        });
    match spawned {
        Ok(handle) => *lock(&job.thread) = Some(handle),
        Err(e) => *lock(&job.outcome) = Some(Outcome::Failed(format!("无法启动分析：{e}"))),
    }
    Ok(job)
}

fn check_cancel(job: &Job) -> Result<()> {
    if job.cancelled() {
        return Err(anyhow!("已取消"));
    }
    Ok(())
}

/// The files of an analysis, read and validated.
struct Loaded {
    ledger: ingest::Ledger,
    volume: Option<crate::ingest::auxiliary::Volume>,
    roster: Option<polars::prelude::DataFrame>,
    letters: Option<Vec<crate::ingest::auxiliary::Letter>>,
    /// The folder of the analysis they were read for, when they are reused
    /// (its rejects and findings files are the same).
    from: Option<std::path::PathBuf>,
}

/// The last analysis read the very same uploads under the same settings.
fn same_files(a: &[Upload], b: &[Upload]) -> bool {
    let key = |u: &[Upload]| -> Vec<(&str, u64)> { u.iter().map(|u| (u.kind, u.serial)).collect() };
    key(a) == key(b)
}

/// Read the uploads, or take them from the last analysis when neither they
/// nor the settings changed (another quarter or as-of date of the same files).
fn load(app: &App, job: &Arc<Job>, uploads: &[Upload], config: &Config) -> Result<Loaded> {
    if let Some(prev) = app
        .session()
        .filter(|s| same_files(&s.uploads, uploads) && s.config == *config)
    {
        job.set_stage("沿用已读取的台账");
        job.reused.store(true, std::sync::atomic::Ordering::Relaxed);
        job.done_bytes
            .store(job.total_bytes, std::sync::atomic::Ordering::Relaxed);
        return Ok(Loaded {
            ledger: prev.ledger.clone(),
            volume: prev.volume.clone(),
            roster: prev.run.roster.clone(),
            letters: prev.letters.clone(),
            from: Some(prev.dir.clone()),
        });
    }
    let find = |kind: &str| uploads.iter().find(|u| u.kind == kind);
    let ledger_upload = find("ledger").context("请先选择案件台账文件")?;
    let format = ingest::Format::from_path(&ledger_upload.path).context("台账文件类型无法识别")?;
    let encoding = resolve::encoding(None, config)?;
    let sheet = Some(config.ledger.sheet.clone()).filter(|s| !s.is_empty());
    let opts = ingest::ReadOptions {
        encoding,
        sheet,
        keep_summaries: false,
    };
    let side = resolve::side_file_options(encoding);
    job.set_stage("读取并校验案件台账");
    let file = std::fs::File::open(&ledger_upload.path)?;
    let ledger = ingest::read_ledger_from(
        Counting {
            inner: file,
            job: job.clone(),
        },
        format,
        &opts,
        config,
        ingest::CHUNK_BYTES,
    )
    .map_err(|e| e.with_path(&ledger_upload.path))?;
    check_cancel(job)?;
    job.set_stage("读取执法量、人员名册等附表");
    let volume = match find("volume") {
        Some(u) => Some(ingest::auxiliary::read_volume(&u.path, &side)?),
        None => None,
    };
    let roster = match find("roster") {
        Some(u) => Some(ingest::auxiliary::read_roster(&u.path, &side)?),
        None => None,
    };
    let letters = match find("letters") {
        Some(u) => Some(ingest::auxiliary::read_letters(&u.path, &side)?),
        None => None,
    };
    Ok(Loaded {
        ledger,
        volume,
        roster,
        letters,
        from: None,
    })
}

/// Read, validate and analyse.
///
/// Long: the CLI's `report` sequence (configuration, side files, ledger,
/// letters note, run), each step one call, with a stage for the progress page.
fn analyse(app: &App, job: &Arc<Job>, uploads: &[Upload], choice: Choice) -> Result<Session> {
    let config = app.config();
    let Loaded {
        mut ledger,
        volume,
        roster,
        letters,
        from,
    } = load(app, job, uploads, &config)?;
    let mut notes = Vec::new();
    if let Some(l) = &letters {
        notes.extend(crate::cmd::unknown_in_ledger(l, &ledger.cases)?);
    }
    // as `report`: a quarter alone is reported as of its last day; an
    // as-of date alone on the last quarter ended by then
    let (as_of, quarter) = match (choice.quarter, choice.as_of) {
        (Some(q), Some(d)) => (d, q),
        (Some(q), None) => (q.last_day(), q),
        (None, Some(d)) => (d, defaults(d, config.pilot.end).1),
        (None, None) => defaults(resolve::today(), config.pilot.end),
    };
    check_cancel(job)?;
    job.set_stage("分析期限、重复错误与易错风险点，绘制图表");
    let cal = resolve::calendar(&config)?;
    let font = resolve::font(&config);
    if let Some(m) = font.message() {
        notes.push(m.to_string());
    }
    let run = crate::cmd::prepare_run(
        ledger.cases.clone(),
        &ledger,
        &config,
        volume.as_ref(),
        roster,
        Some(quarter),
        as_of,
        &font,
        &cal,
    )?;
    check_cancel(job)?;
    job.set_stage("整理概览");
    let (scoped, _) = crate::pipeline::scoped(ledger.cases.clone(), &config, as_of)?;
    check_cancel(job)?;
    let n = app.runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = app.dir.join(format!("run-{n}"));
    std::fs::create_dir_all(&dir)?;
    // the folder (rejects: personal data) goes unless the session keeps it
    let folder = RemoveOnDrop(Some(dir.clone()));
    for name in ["rejects.xlsx", "validate.xlsx"] {
        let bytes = match (&from, name) {
            (Some(prev), _) => std::fs::read(prev.join(name))?,
            (None, "rejects.xlsx") => crate::rejects::rejects_xlsx(&ledger)?,
            (None, _) => crate::output::render_xlsx(&[(
                "校验问题",
                &ingest::findings_frame(&ledger.findings, &ledger.labels)?,
            )])?,
        };
        crate::fsutil::write_atomic(&dir.join(name), &bytes)?;
    }
    // the raw cells were needed for the rejects file only: let them go
    // (at 1 M rows they are as large as the ledger itself)
    ledger.raw.frame = polars::prelude::DataFrame::default();
    let overview = super::overview::Overview::build(&run, &config, quarter, as_of, &scoped)?;
    let errors_first = errors_first(&ledger);
    let domains = domains(&scoped);
    folder.keep();
    Ok(Session {
        uploads: uploads.to_vec(),
        config,
        findings: errors_first,
        ledger,
        volume,
        letters,
        notes,
        quarter,
        as_of,
        run,
        dir,
        overview,
        domains,
        downloads: Default::default(),
        writing: Default::default(),
    })
}

/// A folder removed when dropped, unless kept.
struct RemoveOnDrop(Option<std::path::PathBuf>);

impl RemoveOnDrop {
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(d) = &self.0 {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// The ledger's enforcement domains, sorted (the check page's choices).
fn domains(cases: &polars::prelude::DataFrame) -> Vec<String> {
    let names: std::collections::BTreeSet<String> = cases
        .column(crate::schema::DOMAIN)
        .ok()
        .and_then(|c| c.cast(&polars::prelude::DataType::String).ok())
        .map(|c| {
            c.str()
                .map(|s| s.iter().flatten().map(String::from).collect())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    names.into_iter().collect()
}

/// The findings as the Load page lists them: errors before warnings, each
/// group in row order.
fn errors_first(ledger: &ingest::Ledger) -> polars::prelude::DataFrame {
    let mut f: Vec<&ingest::Finding> = ledger.findings.iter().collect();
    f.sort_by_key(|x| (x.severity != Severity::Error, x.row));
    let owned: Vec<ingest::Finding> = f.into_iter().cloned().collect();
    ingest::findings_frame(&owned, &ledger.labels).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_take_the_last_quarter_ended() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let end = d("2027-02-28");
        assert_eq!(
            defaults(d("2026-12-04"), end),
            (d("2026-12-04"), Quarter::of(d("2026-08-01")))
        );
        // the last day of a quarter reports on that quarter
        assert_eq!(
            defaults(d("2026-09-30"), end).1,
            Quarter::of(d("2026-09-30"))
        );
        // after the pilot: its last day, and the quarter before it
        assert_eq!(
            defaults(d("2027-06-01"), end),
            (end, Quarter::of(d("2026-12-31")))
        );
    }
}
