//! The workbench's pages and their actions: Load, Progress, Overview,
//! Reports, Check, Settings, and the downloads. Pages are minijinja
//! templates (auto-escaped HTML) embedded in the binary.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path as FsPath, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use futures_util::StreamExt;
use minijinja::Environment;
use serde::Deserialize;
use serde_json::Value;

use super::job::{self, Choice};
use super::settings;
use super::state::{lock, stored_path, App, Outcome, Session, Upload, UPLOADS};
use crate::cli::ReportKind;
use crate::cmd::resolve;
use crate::ingest::Format;

/// A template context: `ctx! { name => value, … }` (any Serialize value).
macro_rules! ctx {
    ($($k:ident => $v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m = serde_json::Map::new();
        $( m.insert(stringify!($k).to_string(), serde_json::to_value(&$v).unwrap_or(Value::Null)); )*
        Value::Object(m)
    }};
}

/// The page templates and assets, all in the binary.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("web/base.html")),
    ("load.html", include_str!("web/load.html")),
    ("progress.html", include_str!("web/progress.html")),
    ("overview.html", include_str!("web/overview.html")),
    ("reports.html", include_str!("web/reports.html")),
    ("check.html", include_str!("web/check.html")),
    ("settings.html", include_str!("web/settings.html")),
    ("message.html", include_str!("web/message.html")),
];
const APP_CSS: &str = include_str!("web/app.css");
const APP_JS: &str = include_str!("web/app.js");

fn environment() -> &'static Environment<'static> {
    static ENV: std::sync::OnceLock<Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, text) in TEMPLATES {
            // the templates are ours and tested: a syntax error is a bug
            env.add_template(name, text)
                .unwrap_or_else(|e| panic!("workbench template {name}: {e}"));
        }
        env
    })
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(load_page))
        .route("/assets/app.css", get(|| asset(APP_CSS, "text/css")))
        .route("/assets/app.js", get(|| asset(APP_JS, "text/javascript")))
        .route("/upload/{kind}", put(upload))
        .route("/upload/{kind}/remove", post(remove_upload))
        .route("/analyze", post(analyze))
        .route("/progress", get(progress_page))
        .route("/status", get(status))
        .route("/cancel", post(cancel))
        .route("/overview", get(overview_page))
        .route("/reports", get(reports_page))
        .route("/reports/{kind}", post(make_reports))
        .route("/download/{name}", get(download))
        .route("/check", get(check_page).post(check))
        .route("/settings", get(settings_page).post(save_settings))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            super::guard::check,
        ))
        .with_state(app)
}

async fn asset(text: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, format!("{kind}; charset=utf-8")),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        text,
    )
        .into_response()
}

/// Render a page with the navigation's context.
fn page(app: &App, name: &str, active: &str, ctx: Value) -> Response {
    page_with(app, StatusCode::OK, name, active, ctx)
}

fn page_with(app: &App, status: StatusCode, name: &str, active: &str, ctx: Value) -> Response {
    let session = app.session();
    let loaded = session.as_ref().map(|s| {
        let a = s.ledger.accounting;
        ctx! {
            name => s.uploads.iter().find(|u| u.kind == "ledger").map(|u| u.name.clone()),
            read => a.read, analysed => a.analysed, rejected => a.rejected,
            quarter => s.overview.quarter_zh.clone(), as_of => s.overview.as_of.clone(),
        }
    });
    let base = ctx! { active => active, loaded => loaded, busy => app.running().is_some() };
    let env = environment();
    let html = env
        .get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(merge(ctx, base))));
    match html {
        Ok(h) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            h,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("页面生成失败（程序缺陷）：{e}"),
        )
            .into_response(),
    }
}

/// The keys of `b` put into `a`.
fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(a), Value::Object(b)) = (&mut a, b) {
        a.extend(b);
    }
    a
}

/// A page with one message (an error, or what happened), and where to go next.
fn message(app: &App, status: StatusCode, title: &str, lines: &[String]) -> Response {
    page_with(
        app,
        status,
        "message.html",
        "",
        ctx! { title => title, lines => lines },
    )
}

/// The answer while an analysis runs (409), saying what to do.
fn busy(app: &App, what: &str) -> Response {
    message(app, StatusCode::CONFLICT, "正在分析", &[what.to_string()])
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

async fn not_found(State(app): State<Arc<App>>) -> Response {
    message(
        &app,
        StatusCode::NOT_FOUND,
        "页面不存在",
        &["请从上方的菜单进入各页面。".into()],
    )
}

// ---------------------------------------------------------------- Load

async fn load_page(State(app): State<Arc<App>>) -> Response {
    let uploads = lock(&app.uploads).clone();
    let slots: Vec<Value> = UPLOADS
        .iter()
        .map(|(kind, label, required)| {
            let u = uploads.get(kind);
            ctx! {
                kind => kind, label => label, required => required,
                name => u.map(|u| u.name.clone()), bytes => u.map(|u| size_text(u.bytes)),
            }
        })
        .collect();
    let config = app.config();
    let (as_of, quarter) = job::defaults(resolve::today(), config.pilot.end);
    let session = app.session();
    let (chosen_q, chosen_day) = session
        .as_ref()
        .map(|s| (s.quarter.label(), s.as_of.to_string()))
        .unwrap_or((quarter.label(), as_of.to_string()));
    let checked = session.as_ref().map(|s| checked_view(s));
    page(
        &app,
        "load.html",
        "load",
        ctx! {
            slots => slots, quarters => quarter_choices(&config, &chosen_q), as_of => chosen_day,
            checked => checked, max_mb => app.max_upload >> 20,
        },
    )
}

/// The pilot's quarters for the quarter choice: (code, words, chosen).
fn quarter_choices(config: &crate::config::Config, chosen: &str) -> Vec<Value> {
    let mut q = crate::period::Quarter::of(config.pilot.start);
    let last = crate::period::Quarter::of(config.pilot.end);
    let mut out = Vec::new();
    while q <= last {
        out.push(ctx! { code => q.label(), words => q.label_zh(), chosen => q.label() == chosen });
        q = q.next();
    }
    out
}

/// The accounting line and the findings, errors first.
fn checked_view(s: &Session) -> Value {
    let a = s.ledger.accounting;
    let f = &s.findings;
    let shown = f.height().min(500);
    let col = |name: &str| -> Vec<String> {
        f.column(name)
            .ok()
            .map(|c| {
                (0..shown)
                    .map(|i| {
                        c.get(i)
                            .map(|v| crate::output::cell_text(&v))
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (row, case, column, value, severity, message) = (
        col("row"),
        col("case_id"),
        col("column"),
        col("value"),
        col("severity"),
        col("message"),
    );
    let rows: Vec<Value> = (0..shown)
        .map(|i| {
            ctx! {
                error => severity[i] == "error",
                severity => if severity[i] == "error" { "拒收" } else { "警告" },
                row => row[i].clone(), case_id => case[i].clone(), column => column[i].clone(),
                value => value[i].clone(), message => message[i].clone(),
            }
        })
        .collect();
    let warnings = s
        .ledger
        .findings
        .iter()
        .filter(|f| f.severity == crate::ingest::Severity::Warning)
        .count();
    ctx! {
        read => a.read, analysed => a.analysed, rejected => a.rejected, warnings => warnings,
        rows => rows, total => f.height(), notes => s.notes.clone(),
        title_lines => s.ledger.title_lines.len(), unmapped => s.ledger.unmapped_headers.join("、"),
    }
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

/// The name the page sent (percent-encoded by the page: headers are ASCII).
fn decode_name(raw: &str) -> String {
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(raw).collect();
    crate::report::markup::inline(&String::from_utf8_lossy(&bytes))
}

async fn upload(
    State(app): State<Arc<App>>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some((kind, label, _)) = UPLOADS.iter().find(|u| u.0 == kind).copied() else {
        return message(&app, StatusCode::NOT_FOUND, "无此类文件", &[]);
    };
    if app.running().is_some() {
        return busy(
            &app,
            "正在进行一项分析：请等待其完成，或先取消，再上传文件。",
        );
    }
    let name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(decode_name)
        .unwrap_or_default();
    let ext = match stored_extension(kind, label, &name) {
        Ok(ext) => ext,
        Err((status, why)) => return message(&app, status, "文件类型无法识别", &[why]),
    };
    let too_big = || {
        message(
            &app,
            StatusCode::PAYLOAD_TOO_LARGE,
            "文件过大",
            &[format!(
                "“{name}”超过上传上限 {} MB：可在启动时用 --max-upload-mb 调整上限，或拆分文件。",
                app.max_upload >> 20
            )],
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.max_upload) {
        return too_big();
    }
    // a file of its own for each upload (removed if the upload stops)
    let part = match tempfile::Builder::new()
        .prefix(kind)
        .suffix(".part")
        .tempfile_in(&app.dir)
    {
        Ok(p) => p,
        Err(e) => {
            return message(
                &app,
                StatusCode::INTERNAL_SERVER_ERROR,
                "无法保存上传的文件",
                &[e.to_string()],
            )
        }
    };
    let bytes = match receive(body, part.as_file(), app.max_upload).await {
        Ok(Some(n)) => n,
        Ok(None) => return too_big(),
        Err(e) => {
            return message(
                &app,
                StatusCode::BAD_REQUEST,
                "上传未完成",
                &[format!("“{name}”上传未完成（{e}）：请重新选择文件上传。")],
            );
        }
    };
    if let Some(refused) = swap_in(&app, kind, &name, part, bytes, &ext) {
        return refused;
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("已上传{label}：{name}（{}）", size_text(bytes)),
    )
        .into_response()
}

/// Put a received upload in place of the kind's last one: under the
/// uploads' lock, which an analysis takes to start, so never while one
/// reads the files. The refusal, if it is refused.
fn swap_in(
    app: &App,
    kind: &'static str,
    name: &str,
    part: tempfile::NamedTempFile,
    bytes: u64,
    ext: &str,
) -> Option<Response> {
    let path = stored_path(&app.dir, kind, ext);
    let mut uploads = lock(&app.uploads);
    if app.running().is_some() {
        return Some(busy(
            app,
            "上传期间开始了一项分析：请等待其完成后重新上传。",
        ));
    }
    if let Some(old) = uploads.remove(kind) {
        let _ = std::fs::remove_file(&old.path);
    }
    if let Err(e) = part.persist(&path) {
        return Some(message(
            app,
            StatusCode::INTERNAL_SERVER_ERROR,
            "无法保存上传的文件",
            &[e.error.to_string()],
        ));
    }
    uploads.insert(
        kind,
        Upload {
            kind,
            serial: app.runs.fetch_add(1, Ordering::Relaxed),
            name: name.to_string(),
            path,
            bytes,
        },
    );
    drop(uploads);
    None
}

/// The extension an upload is stored under (the stored name is ours: the
/// kind and this extension, never the user's name), or why its type is refused.
fn stored_extension(kind: &str, label: &str, name: &str) -> Result<String, (StatusCode, String)> {
    let format = Format::from_path(FsPath::new(name));
    let accepted = match kind {
        "ledger" => format.is_some(),
        _ => matches!(format, Some(Format::Csv | Format::Xlsx)),
    };
    if !accepted {
        let what = if kind == "ledger" {
            "CSV、XLSX、Parquet 或 Arrow（.arrow/.feather/.ipc）"
        } else {
            "CSV 或 XLSX"
        };
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("“{name}”不是{label}可用的文件类型：请选择{what}文件。"),
        ));
    }
    let ext = FsPath::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    // Format accepted it, so letters and digits only; checked all the same
    if ext.is_empty() || !ext.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err((StatusCode::BAD_REQUEST, format!("“{name}”的文件名有误")));
    }
    Ok(ext)
}

/// Write the body to `part`: Ok(Some(bytes)), Ok(None) past `cap`. The
/// writes block (a local disk): off the async workers.
async fn receive(body: Body, mut part: &std::fs::File, cap: u64) -> std::io::Result<Option<u64>> {
    let mut stream = body.into_data_stream();
    let mut n: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(std::io::Error::other)?;
        n += chunk.len() as u64;
        if n > cap {
            return Ok(None);
        }
        tokio::task::block_in_place(|| part.write_all(&chunk))?;
    }
    tokio::task::block_in_place(|| part.sync_all())?;
    Ok(Some(n))
}

async fn remove_upload(State(app): State<Arc<App>>, Path(kind): Path<String>) -> Response {
    // under the uploads' lock, which an analysis takes to start
    let mut uploads = lock(&app.uploads);
    if app.running().is_none() {
        if let Some(old) = uploads.remove(kind.as_str()) {
            let _ = std::fs::remove_file(&old.path);
        }
    }
    drop(uploads);
    see_other("/")
}

#[derive(Deserialize)]
struct AnalyzeForm {
    #[serde(default)]
    quarter: String,
    #[serde(default)]
    as_of: String,
}

fn choice(f: &AnalyzeForm) -> Result<Choice, String> {
    let quarter = match f.quarter.trim() {
        "" => None,
        q => Some(resolve::quarter(q).map_err(|e| e.to_string())?),
    };
    let as_of = match f.as_of.trim() {
        "" => None,
        d => Some(resolve::date(d, "基准日").map_err(|e| e.to_string())?),
    };
    Ok(Choice { quarter, as_of })
}

async fn analyze(State(app): State<Arc<App>>, Form(f): Form<AnalyzeForm>) -> Response {
    let c = match choice(&f) {
        Ok(c) => c,
        Err(e) => return message(&app, StatusCode::BAD_REQUEST, "季度或基准日有误", &[e]),
    };
    match job::start(app.clone(), c) {
        Ok(_) => see_other("/progress"),
        Err(e) => message(&app, StatusCode::CONFLICT, "无法开始分析", &[e]),
    }
}

// ---------------------------------------------------------------- Progress

fn job_state(app: &App) -> Option<(String, String, u64, Option<String>)> {
    let job = lock(&app.job).clone()?;
    let outcome = lock(&job.outcome).clone();
    let (state, message) = match outcome {
        None => ("running", None),
        Some(Outcome::Done) => ("done", None),
        Some(Outcome::Cancelled) => ("cancelled", None),
        Some(Outcome::Failed(m)) => ("failed", Some(m)),
    };
    let stage = lock(&job.stage).clone();
    Some((state.to_string(), stage, job.percent(), message))
}

async fn progress_page(State(app): State<Arc<App>>) -> Response {
    let Some((state, stage, percent, failure)) = job_state(&app) else {
        return see_other("/");
    };
    match state.as_str() {
        "done" => see_other("/overview"),
        "failed" => {
            let mut lines: Vec<String> = failure
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect();
            lines.push("请改正文件后重新上传，或返回“载入”页选择其他文件。".into());
            message(
                &app,
                StatusCode::UNPROCESSABLE_ENTITY,
                "台账未能读取或分析",
                &lines,
            )
        }
        _ => page(
            &app,
            "progress.html",
            "load",
            ctx! { state => state, stage => stage, percent => percent },
        ),
    }
}

async fn status(State(app): State<Arc<App>>) -> Response {
    let v = match job_state(&app) {
        Some((state, stage, percent, message)) => serde_json::json!({
            "state": state, "stage": stage, "percent": percent, "message": message,
            "reused": lock(&app.job).as_ref().is_some_and(|j| j.reused.load(Ordering::Relaxed)),
        }),
        None => serde_json::json!({ "state": "idle" }),
    };
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

async fn cancel(State(app): State<Arc<App>>) -> Response {
    if let Some(job) = app.running() {
        job.cancel.store(true, Ordering::Relaxed);
        job.set_stage("正在取消：当前这一步完成后即停止");
    }
    see_other("/progress")
}

// ---------------------------------------------------------------- Overview

async fn overview_page(State(app): State<Arc<App>>) -> Response {
    let Some(s) = app.session() else {
        return see_other("/");
    };
    page(
        &app,
        "overview.html",
        "overview",
        ctx! {
            o => &s.overview,
            quarters => quarter_choices(&s.config, &s.quarter.label()), as_of => s.as_of.to_string(),
        },
    )
}

// ---------------------------------------------------------------- Reports

/// The reports that can be made, with their files once made.
fn report_kinds() -> [(ReportKind, &'static str, &'static str); 3] {
    [
        (ReportKind::Quarterly, "quarterly", "季度报告（报区政府）"),
        (
            ReportKind::Warnings,
            "warnings",
            "警示提醒函（每个单位一份，打包下载）",
        ),
        (ReportKind::Review, "review", "试点评估报告"),
    ]
}

async fn reports_page(State(app): State<Arc<App>>) -> Response {
    let Some(s) = app.session() else {
        return see_other("/");
    };
    let downloads = lock(&s.downloads).clone();
    let kinds: Vec<Value> = report_kinds()
        .iter()
        .map(|(_, id, label)| {
            let files: Vec<Value> = downloads
                .keys()
                .filter(|n| kind_of_download(n) == *id)
                .map(|n| {
                    let label = match n.rsplit('.').next() {
                        Some("docx") => "Word 文件",
                        Some("html") => "网页",
                        Some("xlsx") => "Excel 附表",
                        Some("zip") => "全部提醒函（压缩包）",
                        _ => "文件",
                    };
                    ctx! { name => n, label => label, href => format!("/download/{}", percent_encode(n)) }
                })
                .collect();
            ctx! { id => id, label => label, files => files }
        })
        .collect();
    let readings: Vec<Value> = crate::config::READINGS
        .iter()
        .map(|(name, what, _)| ctx! { name => name, what => what })
        .collect();
    page(
        &app,
        "reports.html",
        "reports",
        ctx! {
            kinds => kinds, readings => readings, quarter => s.overview.quarter_zh.clone(),
            as_of => s.overview.as_of.clone(), letters => s.letters.is_some(),
        },
    )
}

/// Which report a download belongs to (by the file's own name, which we made).
fn kind_of_download(name: &str) -> &'static str {
    if name.starts_with("季度报告") {
        "quarterly"
    } else if name.starts_with("警示提醒函") {
        "warnings"
    } else {
        "review"
    }
}

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    compare: String,
}

async fn make_reports(
    State(app): State<Arc<App>>,
    Path(kind): Path<String>,
    Form(f): Form<ReportForm>,
) -> Response {
    let Some(s) = app.session() else {
        return see_other("/");
    };
    let Some((kind, id, _)) = report_kinds().into_iter().find(|k| k.1 == kind) else {
        return message(&app, StatusCode::NOT_FOUND, "无此报告", &[]);
    };
    if app.running().is_some() {
        return busy(&app, "正在进行一项分析：请等待其完成后再生成报告。");
    }
    let compare = Some(f.compare.trim().to_string()).filter(|c| !c.is_empty());
    let (session, app2) = (s.clone(), app.clone());
    let made = tokio::task::spawn_blocking(move || {
        write_reports(&app2, &session, kind, id, compare.as_deref())
    })
    .await;
    match made {
        Ok(Ok(files)) => {
            let mut d = lock(&s.downloads);
            d.retain(|n, _| kind_of_download(n) != id);
            d.extend(files);
            drop(d);
            see_other("/reports")
        }
        Ok(Err(e)) => message(
            &app,
            StatusCode::UNPROCESSABLE_ENTITY,
            "报告未能生成",
            &[super::state::plain_paths(
                &s.uploads,
                &crate::cmd::error_chain(&e),
            )],
        ),
        Err(_) => message(
            &app,
            StatusCode::INTERNAL_SERVER_ERROR,
            "报告未能生成",
            &["生成报告时发生内部错误（程序缺陷）：请将台账与本页截图发给维护人员".into()],
        ),
    }
}

/// Write one kind of report into the session's folder as `report` does;
/// the warnings also as one zip. Download name → file.
fn write_reports(
    app: &App,
    s: &Arc<Session>,
    kind: ReportKind,
    id: &str,
    compare: Option<&str>,
) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let _writing = lock(&s.writing);
    // a new analysis replaced this one meanwhile: its folder is going
    if !app.session().is_some_and(|cur| Arc::ptr_eq(&cur, s)) {
        anyhow::bail!("台账已重新分析：请在“报告”页重新生成");
    }
    let rendered = render(s, kind, compare)?;
    let dir = s.dir.join(id);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let mut files = Vec::new();
    for r in &rendered {
        for p in crate::report::write(r, &dir)? {
            files.push(p);
        }
    }
    let named = |p: PathBuf| {
        let n = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (n, p)
    };
    if kind == ReportKind::Warnings {
        let name = format!("警示提醒函-{}.zip", s.quarter.label());
        let zip_path = dir.join(&name);
        crate::fsutil::write_atomic(&zip_path, &zip_files(&files)?)?;
        return Ok(vec![named(zip_path)]);
    }
    Ok(files.into_iter().map(named).collect())
}

/// One kind of report of the session, rendered as `report` renders it.
fn render(
    s: &Session,
    kind: ReportKind,
    compare: Option<&str>,
) -> anyhow::Result<Vec<crate::report::Rendered>> {
    let compared = match (kind, compare) {
        (ReportKind::Review, Some(vs)) => {
            let roster = s.run.roster.as_ref();
            let ids = crate::pipeline::identities(roster)?;
            Some(crate::cmd::compare_for_report(
                &s.ledger.cases,
                &s.config,
                vs,
                s.volume.as_ref(),
                ids.as_ref(),
                s.as_of,
            )?)
        }
        _ => None,
    };
    let o = crate::report::run::ReportOptions {
        names: false,
        summaries: false,
    };
    let quarter = (kind != ReportKind::Review).then_some(s.quarter);
    // The review covers the whole pilot: its run has no quarter, as
    // `report review` makes it (the charts differ from a quarter's).
    let review_run = match kind {
        ReportKind::Review => Some(crate::cmd::prepare_run(
            s.ledger.cases.clone(),
            &s.ledger,
            &s.config,
            s.volume.as_ref(),
            s.run.roster.clone(),
            None,
            s.as_of,
            &s.run.font,
            &s.run.calendar,
        )?),
        _ => None,
    };
    crate::cmd::render_reports(
        review_run.as_ref().unwrap_or(&s.run),
        &s.config,
        kind,
        quarter,
        s.as_of,
        &o,
        compared.as_ref(),
        s.letters.as_deref(),
    )
}

/// The files in one zip, in name order, with fixed times (same bytes each time).
fn zip_files(files: &[PathBuf]) -> anyhow::Result<Vec<u8>> {
    let mut sorted: Vec<&PathBuf> = files.iter().collect();
    sorted.sort();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for p in sorted {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        z.start_file(name, opts)?;
        z.write_all(&std::fs::read(p)?)?;
    }
    Ok(z.finish()?.into_inner())
}

async fn download(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let Some(s) = app.session() else {
        return see_other("/");
    };
    let path = match name.as_str() {
        "rejects.xlsx" | "validate.xlsx" => Some(s.path_in(&name)),
        _ => lock(&s.downloads).get(&name).cloned(),
    };
    let Some(path) = path else {
        return message(
            &app,
            StatusCode::NOT_FOUND,
            "文件不存在",
            &["请先在“报告”页生成该报告。".into()],
        );
    };
    let bytes = match tokio::task::block_in_place(|| std::fs::read(&path)) {
        Ok(b) => b,
        Err(e) => {
            return message(
                &app,
                StatusCode::NOT_FOUND,
                "文件无法读取",
                &[e.to_string()],
            )
        }
    };
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("html") => "text/html; charset=utf-8",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    };
    let shown = match name.as_str() {
        "rejects.xlsx" => "拒收行.xlsx".to_string(),
        "validate.xlsx" => "校验问题清单.xlsx".to_string(),
        other => other.to_string(),
    };
    let disposition = format!(
        "attachment; filename=\"download.{}\"; filename*=UTF-8''{}",
        path.extension().and_then(|e| e.to_str()).unwrap_or("bin"),
        percent_encode(&shown)
    );
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// RFC 5987 encoding of a file name.
fn percent_encode(s: &str) -> String {
    // RFC 3986 unreserved characters stay; everything else is encoded
    const ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, ENCODED).to_string()
}

// ---------------------------------------------------------------- Check

#[derive(Deserialize, Default)]
struct CheckForm {
    #[serde(default)]
    officer: String,
    #[serde(default)]
    problem: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    filed: String,
    #[serde(default)]
    subjective: Option<String>,
}

async fn check_page(State(app): State<Arc<App>>) -> Response {
    check_view(&app, &CheckForm::default(), None)
}

fn check_view(app: &App, f: &CheckForm, answer: Option<Value>) -> Response {
    let Some(s) = app.session() else {
        return see_other("/");
    };
    page(
        app,
        "check.html",
        "check",
        ctx! {
            problems => s.config.ledger.error_types.clone(), answer => answer, domains => &s.domains,
            officer => f.officer.clone(), problem => f.problem.clone(), domain => f.domain.clone(),
            filed => f.filed.clone(), subjective => f.subjective.is_some(),
            as_of => s.as_of.to_string(),
        },
    )
}

async fn check(State(app): State<Arc<App>>, Form(f): Form<CheckForm>) -> Response {
    let Some(s) = app.session() else {
        return see_other("/");
    };
    // over every case: off the async workers
    let (s2, f) = (s.clone(), f);
    let (answer, f) = tokio::task::spawn_blocking(move || {
        let a = match check_answer(&s2, &f) {
            Ok(a) => a,
            Err(e) => ctx! { error => e },
        };
        (a, f)
    })
    .await
    .unwrap_or_else(|_| {
        (
            ctx! { error => "核查时发生内部错误（程序缺陷）" },
            CheckForm::default(),
        )
    });
    check_view(&app, &f, Some(answer))
}

/// Art. 12(5) for the officer and problem of the form, as `jiucuo check` answers.
fn check_answer(s: &Session, f: &CheckForm) -> Result<Value, String> {
    use polars::prelude::*;
    let officer = f.officer.trim();
    let problem = f.problem.trim();
    if officer.is_empty() || problem.is_empty() {
        return Err("请填写执法人员（执法证号或姓名）并选择问题类型".into());
    }
    let filed = match f.filed.trim() {
        "" => s.as_of,
        d => resolve::date(d, "立案日期").map_err(|e| e.to_string())?,
    };
    let domain = Some(f.domain.trim()).filter(|d| !d.is_empty());
    let ids = crate::pipeline::identities(s.run.roster.as_ref()).map_err(|e| e.to_string())?;
    let query = crate::analysis::repeats::CheckQuery {
        officer,
        problem,
        domain,
        as_of: s.as_of,
        filed,
        case_id: None,
        subjective: f.subjective.is_some(),
    };
    let p = crate::pipeline::repeat_params(&s.config);
    // the ledger as it stood on the as-of date (not kept: as large as the ledger)
    let (scoped, _) = crate::pipeline::scoped(s.ledger.cases.clone(), &s.config, s.as_of)
        .map_err(|e| e.to_string())?;
    let r = crate::analysis::repeats::check(&scoped, &query, &p, ids.as_ref())
        .map_err(|e| e.to_string())?;
    use crate::schema::*;
    let ids_series = Series::new("ids".into(), r.prior_case_ids.clone());
    let prior = scoped
        .clone()
        .lazy()
        .filter(col(CASE_ID).is_in(lit(ids_series).implode(false), false))
        // the stored codes as text (categorical columns print quoted)
        .select([
            col(CASE_ID).cast(DataType::String),
            col(UNIT).cast(DataType::String),
            col(DOMAIN).cast(DataType::String),
            col(ERROR_TYPE).cast(DataType::String),
            col(FILED_ON),
            col(DECIDED_ON),
            col(OUTCOME).cast(DataType::String),
        ])
        .sort([FILED_ON, CASE_ID], Default::default())
        .collect()
        .map_err(|e| e.to_string())?;
    let table = crate::report::table::ReportTable::new("在先案件", "check", prior).display(200);
    Ok(ctx! {
        barred => r.barred, reason => r.reason, headers => table.headers, rows => table.rows,
    })
}

// ---------------------------------------------------------------- Settings

async fn settings_page(State(app): State<Arc<App>>) -> Response {
    settings_view(&app, &[], false)
}

fn settings_view(app: &App, errors: &[String], saved: bool) -> Response {
    let config = app.config();
    page_with(
        app,
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        "settings.html",
        "settings",
        ctx! {
            sections => settings::sections(&config),
            errors => errors, saved => saved,
            path => app.config_path.display().to_string(),
        },
    )
}

async fn save_settings(
    State(app): State<Arc<App>>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let config = app.config();
    match settings::apply(&config, &app.config_path, &form) {
        Ok((new, text)) => {
            if let Err(e) = crate::fsutil::write_atomic(&app.config_path, text.as_bytes()) {
                return settings_view(&app, &[format!("无法保存配置文件：{e}")], false);
            }
            *lock(&app.config) = new;
            settings_view(&app, &[], true)
        }
        Err(errors) => settings_view(&app, &errors, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        // a syntax error would make every request fail: caught here first
        let env = environment();
        for (name, _) in TEMPLATES {
            env.get_template(name)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn names_decode_as_the_page_encodes_them() {
        assert_eq!(decode_name("%E5%8F%B0%E8%B4%A6.csv"), "台账.csv");
        assert_eq!(decode_name("a%2"), "a%2");
        assert_eq!(decode_name("%0A%E5"), " \u{fffd}");
        assert_eq!(
            percent_encode("季度 报告.docx"),
            "%E5%AD%A3%E5%BA%A6%20%E6%8A%A5%E5%91%8A.docx"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_name_header_decodes(raw in "[ -~]{0,60}") {
            let _ = decode_name(&raw);
        }
    }
}
