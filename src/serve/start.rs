//! Starting and stopping the workbench: the listener on 127.0.0.1, the
//! token, the private folder, the shutdown on Ctrl+C or SIGTERM.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};

use super::pages;
use super::stack::THREAD_STACK;
use super::state::{lock, App};
use crate::cli::ServeArgs;
use crate::config::Config;

/// Run the workbench until Ctrl+C (or SIGTERM); Ok(exit code).
pub fn run(a: ServeArgs) -> Result<i32> {
    let config_path = a
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("jiucuo.toml"));
    // a file named but not there yet is where Settings will save: the
    // defaults until then (never ./jiucuo.toml in its place)
    let config = match &a.config {
        Some(p) if !p.exists() => Config::default(),
        given => Config::load(given.as_deref())?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(THREAD_STACK)
        .enable_all()
        .build()
        .context("无法启动工作台的网络服务")?;
    runtime.block_on(serve(a, config, config_path))
}

/// A random token of 32 bytes from the operating system, as hex.
fn new_token() -> Result<String> {
    use rand::TryRngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut b)
        .map_err(|e| anyhow::anyhow!("无法取得随机数：{e}"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// The private folder of uploads and generated files (0700 on Unix).
fn private_dir() -> Result<tempfile::TempDir> {
    // `jiucuo-<pid>-…`: the spill folders' name, so the folder of a
    // workbench that was killed is removed at the next start of any run
    crate::spill::remove_stale(&std::env::temp_dir());
    let prefix = format!("jiucuo-{}-workbench-", std::process::id());
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o700));
    }
    b.tempdir().context("无法创建工作台的临时文件夹")
}

async fn serve(a: ServeArgs, config: Config, config_path: PathBuf) -> Result<i32> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", a.port))
        .await
        .with_context(|| {
            format!(
                "无法在 127.0.0.1:{} 启动工作台（端口可能已被占用）：请用 --port 指定其他端口，或 --port 0 任选空闲端口",
                a.port
            )
        })?;
    let port = listener.local_addr()?.port();
    let dir = private_dir()?;
    let token = new_token()?;
    let host = format!("127.0.0.1:{port}");
    let app = Arc::new(App {
        token: token.clone(),
        cookie: format!("jiucuo_{port}"),
        host: host.clone(),
        dir: dir.path().to_path_buf(),
        config_path,
        max_upload: a.max_upload_mb.saturating_mul(1 << 20),
        config: Mutex::new(config),
        uploads: Mutex::new(BTreeMap::new()),
        job: Mutex::new(None),
        session: Mutex::new(None),
        runs: AtomicU64::new(0),
    });
    let url = format!("http://{host}/?token={token}");
    // A closed stdout (the window's output discarded) must not stop the
    // workbench: these lines are for the person who started it.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "jiucuo 工作台已启动：{url}");
    let _ = writeln!(
        out,
        "请在浏览器中打开上面的地址（地址中的令牌即访问凭证，请勿转发）。数据只在本机处理。按 Ctrl+C 停止。"
    );
    let _ = out.flush();
    if a.open {
        open_browser(dir.path(), &url);
    }
    let router = pages::router(app.clone());
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown(dir.path().to_path_buf()))
        .await
        .context("工作台的网络服务意外停止")?;
    // Stop a running analysis and wait for its thread: it must not write
    // into the folder after the folder is gone.
    if let Some(job) = app.running() {
        job.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        say("正在等待进行中的分析停止……");
    }
    let thread = lock(&app.job).as_ref().and_then(|j| lock(&j.thread).take());
    if let Some(t) = thread {
        let _ = t.join();
    }
    let path = dir.path().to_path_buf();
    dir.close().with_context(|| {
        format!(
            "无法删除工作台的临时文件夹 {}：请手动删除（其中有上传的台账）",
            path.display()
        )
    })?;
    say("工作台已停止，上传的文件已删除。");
    Ok(0)
}

/// A line for the person at the console; a closed terminal (after SIGHUP)
/// is no error.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// This process' spill folders (`jiucuo-<pid>-…` in the system temporary
/// folder), for an exit that skips their own clean-up.
fn remove_own_spills() {
    let prefix = format!("jiucuo-{}-", std::process::id());
    if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Ctrl+C, or SIGTERM or SIGHUP (the terminal closed) on Unix; the console
/// window closed on Windows. A second one while the server winds down
/// removes the private folder and exits at once.
async fn shutdown(dir: PathBuf) {
    stop_signal().await;
    say("正在停止工作台……（再按一次 Ctrl+C 立即停止）");
    tokio::spawn(async move {
        stop_signal().await;
        let _ = std::fs::remove_dir_all(&dir);
        remove_own_spills();
        std::process::exit(130);
    });
}

async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let on = |kind: SignalKind| async move {
            match signal(kind) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = on(SignalKind::terminate()) => {},
            _ = on(SignalKind::hangup()) => {},
        }
    }
    #[cfg(windows)]
    {
        let close = async {
            match tokio::signal::windows::ctrl_close() {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = close => {},
        }
    }
    #[cfg(not(any(unix, windows)))]
    ctrl_c.await;
}

/// Open the default browser at `url` (best effort: the address is printed
/// anyway). The browser is given a page in the private folder that leads
/// on to the address, not the address itself: a command line is visible to
/// every user of the machine, the token in it would be too.
fn open_browser(dir: &std::path::Path, url: &str) {
    let page = dir.join("open.html");
    let html = format!(
        "<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={url}\"><title>jiucuo</title>"
    );
    if crate::fsutil::write_atomic(&page, html.as_bytes()).is_err() {
        say("未能自动打开浏览器：请手动打开上面的地址");
        return;
    }
    let target = page.display().to_string();
    let url = target.as_str();
    let result = if cfg!(target_os = "windows") {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if result.is_err() {
        say("未能自动打开浏览器：请手动打开上面的地址");
    }
}
