//! The workbench in a real browser: headless Chromium driven through
//! chromedriver (WebDriver) uploads the generated ledger by the file input,
//! waits for the overview, and downloads the quarterly report, which must
//! be the CLI's bytes. Screenshots of each page go to the target folder
//! (`<target>/tmp/workbench-screenshots/`) for a person to look at.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

use crate::util::Fixture;
use crate::workbench::{flagged, generated, Server};

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// chromedriver on a free port, stopped when dropped.
struct Driver(Child, u16);

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "chromedriver starts"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver(child, port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn shots_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("workbench-screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Wait until `f` holds (polling), or fail saying what was awaited.
async fn until<F, Fut>(what: &str, secs: u64, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !f().await {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "waited {secs} s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn a_person_loads_the_ledger_and_downloads_the_quarterly_report() {
    assert!(
        have("chromedriver") && have("chromium"),
        "chromium and chromedriver are needed: run scripts/setup.sh (it installs Debian's chromium and chromium-driver)"
    );
    let fx = Fixture::new();
    generated(&fx, 2000);
    fx.jiucuo([
        "report",
        "quarterly",
        "data/ledger.csv",
        "--quarter",
        "2026Q3",
        "--as-of",
        "2026-11-30",
        "--volume",
        "data/volume.csv",
        "--roster",
        "data/roster.csv",
        "--out",
        "cli",
    ])
    .ok();
    let server = Server::start(&fx, &[]);
    let driver = Driver::start();
    let downloads = fx.path("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(drive(&fx, &server, driver.1, &downloads));
    let name = "季度报告-2026Q3.docx";
    assert!(
        std::fs::read(downloads.join(name)).unwrap() == fx.read(&format!("cli/{name}")),
        "the downloaded report is the CLI's"
    );
}

/// Long: one person's way through the pages, each step one call, with a
/// screenshot of every page.
async fn drive(fx: &Fixture, server: &Server, driver_port: u16, downloads: &Path) {
    let profile = fx.path("chromium-profile");
    let caps = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=1300,1800", "--lang=zh-CN",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
            },
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session");
    let base = server.origin();
    let shots = shots_dir();
    let shot = |name: &'static str| {
        let c = c.clone();
        let path = shots.join(format!("{name}.png"));
        async move {
            let png = c.screenshot().await.expect("screenshot");
            std::fs::write(path, png).unwrap();
        }
    };

    // the address printed at start (with the token)
    c.goto(&format!("{base}/?token={}", server.token))
        .await
        .unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/");
    assert_eq!(
        c.current_url().await.unwrap().query(),
        None,
        "token taken out"
    );
    shot("01-load-empty").await;

    for kind in ["ledger", "volume", "roster"] {
        let path = fx.path(&format!("data/{kind}.csv"));
        c.find(Locator::Css(&format!("#file-{kind}")))
            .await
            .unwrap()
            .send_keys(&path.display().to_string())
            .await
            .unwrap();
    }
    c.execute(
        "document.querySelector('[name=quarter]').value = '2026Q3';\
         document.querySelector('[name=as_of]').value = '2026-11-30';",
        vec![],
    )
    .await
    .unwrap();
    c.find(Locator::Css("#start"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until("the overview", 300, || {
        let c = c.clone();
        async move { c.current_url().await.is_ok_and(|u| u.path() == "/overview") }
    })
    .await;
    let figures = c
        .find(Locator::Css("#figures"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(figures.contains("本季度立案"), "{figures}");
    assert!(c.find(Locator::Css("figure.chart svg")).await.is_ok());
    shot("02-overview").await;

    // sorting a table by a header click
    let risk = "#table-risk";
    let th = c
        .find(Locator::Css(&format!("{risk} thead th:nth-child(6)")))
        .await
        .unwrap();
    th.click().await.unwrap();
    let first: i64 = c
        .find(Locator::Css(&format!("{risk} tbody tr td:nth-child(6)")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let all = c
        .find_all(Locator::Css(&format!("{risk} tbody tr td:nth-child(6)")))
        .await
        .unwrap();
    let mut smallest = i64::MAX;
    for e in all {
        smallest = smallest.min(e.text().await.unwrap().trim().parse().unwrap());
    }
    assert_eq!(first, smallest, "ascending after one click");

    c.goto(&format!("{base}/")).await.unwrap();
    let accounting = c
        .find(Locator::Css("#accounting"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        accounting.starts_with("读取 2000 行，纳入分析"),
        "{accounting}"
    );
    shot("03-load-checked").await;

    c.goto(&format!("{base}/reports")).await.unwrap();
    c.find(Locator::Css("#make-quarterly"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let link = "#report-quarterly a[href$='.docx']";
    until("the report's links", 120, || {
        let c = c.clone();
        async move { c.find(Locator::Css(link)).await.is_ok() }
    })
    .await;
    shot("04-reports").await;
    c.find(Locator::Css(link))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = downloads.join("季度报告-2026Q3.docx");
    until("the download", 60, || {
        let d = done.clone();
        async move { d.exists() }
    })
    .await;

    // the check page: an officer the CLI flags (its earlier cases listed)
    let (officer, problem, priors) = flagged(fx);
    c.goto(&format!("{base}/check")).await.unwrap();
    c.find(Locator::Css("[name=officer]"))
        .await
        .unwrap()
        .send_keys(&officer)
        .await
        .unwrap();
    c.find(Locator::Css(&format!(
        "[name=problem] option[value='{problem}']"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.find(Locator::Css("form.check button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until("the answer", 60, || {
        let c = c.clone();
        async move { c.find(Locator::Css("#answer")).await.is_ok() }
    })
    .await;
    let answer = c
        .find(Locator::Css("#answer"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(answer.contains("不得容错免责"), "{answer}");
    for id in &priors {
        assert!(answer.contains(id.as_str()), "{id} in {answer}");
    }
    assert!(!answer.contains('"'), "names print as text: {answer}");
    shot("05-check").await;
    c.goto(&format!("{base}/settings")).await.unwrap();
    shot("06-settings").await;

    // a file dropped on a box is taken as that box's file
    c.goto(&format!("{base}/")).await.unwrap();
    c.execute(
        "const t = new DataTransfer();\
         t.items.add(new File(['执法单位,发函日期,问题类型\\n'], '发函登记.csv'));\
         const box = document.querySelector('.drop[data-kind=letters]');\
         box.dispatchEvent(new DragEvent('drop', { dataTransfer: t, bubbles: true, cancelable: true }));",
        vec![],
    )
    .await
    .unwrap();
    let shown = c
        .find(Locator::Css("#current-letters"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(shown, "已选择：发函登记.csv");
    let files: serde_json::Value = c
        .execute(
            "return document.getElementById('file-letters').files.length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(files, json!(1), "the dropped file is the input's");
    c.close().await.unwrap();
}
