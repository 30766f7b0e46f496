//! The workbench (`jiucuo serve`) over real HTTP: a server on an ephemeral
//! 127.0.0.1 port, driven by a plain HTTP/1.1 client so every header
//! (Host, Origin, Cookie) is the test's own.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::Fixture;

/// A running `jiucuo serve`, stopped with SIGTERM when dropped.
pub struct Server {
    child: Option<Child>,
    /// Kept open: the server's later lines must not meet a closed pipe.
    _stdout: BufReader<std::process::ChildStdout>,
    pub port: u16,
    pub token: String,
}

/// One answer.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    /// Start the binary in the fixture's folder and read its address.
    pub fn start(fx: &Fixture, extra: &[&str]) -> Server {
        Server::start_with_env(fx, extra, &[])
    }

    pub fn start_with_env(fx: &Fixture, extra: &[&str], env: &[(&str, String)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jiucuo"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .current_dir(fx.dir())
            .env("TMPDIR", fx.path(".tmp"))
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start jiucuo serve");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        stdout.read_line(&mut line).expect("address line");
        let url = line.trim().rsplit('：').next().unwrap_or("").to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "printed: {line}");
        let port: u16 = url["http://127.0.0.1:".len()..]
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let token = url.rsplit("token=").next().unwrap().to_string();
        assert_eq!(token.len(), 64, "a 256-bit token: {url}");
        Server {
            child: Some(child),
            _stdout: stdout,
            port,
            token,
        }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn cookie(&self) -> String {
        format!("jiucuo_{}={}", self.port, self.token)
    }

    /// A request with exactly these headers (plus Content-Length and Connection).
    pub fn raw(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        s.write_all(head.as_bytes()).unwrap();
        // the server may answer (413) before reading the whole body
        let _ = s.write_all(body);
        read_answer(s)
    }

    /// A request as the workbench's own page makes it.
    pub fn request(&self, method: &str, path: &str, extra: &[(&str, &str)], body: &[u8]) -> Answer {
        let host = format!("127.0.0.1:{}", self.port);
        let (cookie, origin) = (self.cookie(), self.origin());
        let mut h = vec![("Host", host.as_str()), ("Cookie", cookie.as_str())];
        if method != "GET" {
            h.push(("Origin", origin.as_str()));
        }
        h.extend_from_slice(extra);
        self.raw(method, path, &h, body)
    }

    pub fn get(&self, path: &str) -> Answer {
        self.request("GET", path, &[], b"")
    }

    pub fn post(&self, path: &str, form: &str) -> Answer {
        self.request(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        )
    }

    pub fn upload(&self, kind: &str, name: &str, bytes: &[u8]) -> Answer {
        let encoded = percent(name);
        self.request(
            "PUT",
            &format!("/upload/{kind}"),
            &[("X-File-Name", encoded.as_str())],
            bytes,
        )
    }

    /// Upload a file that must be taken.
    pub fn upload_ok(&self, kind: &str, name: &str, bytes: &[u8]) {
        let a = self.upload(kind, name, bytes);
        assert_eq!(a.status, 200, "{}", a.text());
    }

    /// Each file downloads with exactly these bytes (the CLI's).
    pub fn assert_downloads(&self, want: &[(String, Vec<u8>)], what: &str) {
        for (name, bytes) in want {
            let d = self.get(&format!("/download/{}", percent(name)));
            assert_eq!(d.status, 200, "{name}");
            assert!(d.body == *bytes, "{name} {what}differs from the CLI's");
        }
    }

    /// Start an analysis and wait for it to end; the final status JSON.
    pub fn analyse(&self, form: &str) -> String {
        let a = self.post("/analyze", form);
        assert_eq!(a.status, 303, "{}", a.text());
        assert_eq!(a.header("location"), Some("/progress"));
        self.wait()
    }

    pub fn wait(&self) -> String {
        let start = Instant::now();
        loop {
            let s = self.get("/status").text();
            if !s.contains("\"running\"") {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(300), "analysis hangs");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stop as Ctrl+C would (SIGTERM) and wait; the exit code.
    pub fn stop(&mut self) -> i32 {
        self.signal("-TERM")
    }

    /// Send a signal (`-TERM`, `-HUP`) and wait; the exit code.
    pub fn signal(&mut self, which: &str) -> i32 {
        let mut child = self.child.take().expect("running");
        Command::new("kill")
            .args([which, &child.id().to_string()])
            .status()
            .expect("kill");
        let start = Instant::now();
        loop {
            if let Some(s) = child.try_wait().expect("wait") {
                return s.code().unwrap_or(-1);
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("the workbench did not stop on SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
    }
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn read_answer(mut s: TcpStream) -> Answer {
    let mut all = Vec::new();
    s.read_to_end(&mut all).expect("read answer");
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&all[..split]).into_owned();
    let mut body = all[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16)
                .unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + n]);
            rest = &rest[eol + 2 + n + 2..];
        }
        body = out;
    }
    Answer {
        status,
        headers,
        body,
    }
}

/// A generated ledger with its side files in `data/` of the fixture.
pub fn generated(fx: &Fixture, rows: usize) {
    fx.jiucuo([
        "generate",
        "--rows",
        &rows.to_string(),
        "--seed",
        "20250301",
        "--dirty",
        "--out",
        "data",
    ])
    .ok();
}

/// Upload the generated ledger, volume and roster.
pub fn upload_generated(server: &Server, fx: &Fixture) {
    for kind in ["ledger", "volume", "roster"] {
        server.upload_ok(
            kind,
            &format!("{kind}.csv"),
            &fx.read(&format!("data/{kind}.csv")),
        );
    }
}

const QUARTER: &str = "2026Q3";
const AS_OF: &str = "2026-11-30";

/// The rows `jiucuo <command> data/ledger.csv --as-of AS_OF` lists, as JSON.
fn cli_rows(fx: &Fixture, command: &str) -> Vec<serde_json::Value> {
    let out = fx
        .jiucuo([
            command,
            "data/ledger.csv",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ])
        .ok()
        .stdout_text();
    serde_json::from_str(&out).unwrap()
}

/// An officer the CLI's `check` bars, the problem, and the earlier cases it names.
pub fn flagged(fx: &Fixture) -> (String, String, Vec<String>) {
    let rows = cli_rows(fx, "repeats");
    let row = rows
        .iter()
        .find(|r| r["kind"] == "R-after-tolerance")
        .expect("a planted repeat");
    let (officer, problem) = (
        row["officer"].as_str().unwrap().to_string(),
        row["problem"].as_str().unwrap().to_string(),
    );
    let cli = fx
        .jiucuo([
            "check",
            "data/ledger.csv",
            "--officer",
            &officer,
            "--problem",
            &problem,
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ])
        .expect_code(1)
        .stdout_text();
    let answer: Vec<serde_json::Value> = serde_json::from_str(&cli).unwrap();
    let priors = answer[0]["prior_case_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    (officer, problem, priors)
}

/// The files a CLI run wrote into `dir`, by name.
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p: PathBuf| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The download links of the Reports page for one report.
fn links(page: &str, prefix: &str) -> Vec<String> {
    page.replace("&#x2f;", "/")
        .split("href=\"/download/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .filter(|s| s.starts_with(&percent(prefix)))
        .collect()
}

#[test]
fn the_page_flow_gives_the_cli_figures_and_its_bytes() {
    let fx = Fixture::new();
    generated(&fx, 2000);
    // the CLI's own accounting and reports, for comparison
    let cli = fx.jiucuo(["validate", "data/ledger.csv"]).ok();
    let (read, analysed, rejected) = cli.accounting();
    assert!(rejected > 0, "the dirty ledger has rejected rows");
    let side = [
        "--volume",
        "data/volume.csv",
        "--roster",
        "data/roster.csv",
        "--as-of",
        AS_OF,
    ];
    for kind in ["quarterly", "warnings"] {
        let mut args = vec!["report", kind, "data/ledger.csv", "--quarter", QUARTER];
        args.extend_from_slice(&side);
        let out = format!("cli-{kind}");
        args.extend_from_slice(&["--out", &out]);
        fx.jiucuo(&args).ok();
    }
    let mut args = vec!["report", "review", "data/ledger.csv"];
    args.extend_from_slice(&side);
    args.extend_from_slice(&["--out", "cli-review"]);
    fx.jiucuo(&args).ok();

    let server = Server::start(&fx, &[]);
    // the token in the address sets the cookie and is taken out of the address
    let first = server.raw(
        "GET",
        &format!("/?token={}", server.token),
        &[("Host", &format!("127.0.0.1:{}", server.port))],
        b"",
    );
    assert_eq!(first.status, 303);
    assert_eq!(first.header("location"), Some("/"));
    let set = first.header("set-cookie").unwrap();
    assert!(set.starts_with(&server.cookie()), "{set}");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    // every page asset is the workbench's own
    let load = server.get("/").text();
    assert!(
        !load.contains("http://") && !load.contains("https://"),
        "{load}"
    );
    assert_eq!(server.get("/assets/app.js").status, 200);
    // before a ledger is loaded the other pages lead back to Load
    assert_eq!(server.get("/overview").status, 303);

    upload_generated(&server, &fx);
    let status = server.analyse(&format!("quarter={QUARTER}&as_of={AS_OF}"));
    assert!(status.contains("\"done\""), "{status}");
    assert_eq!(
        server.get("/progress").header("location"),
        Some("/overview")
    );

    // Load: the accounting line, the findings errors first, the rejects
    let load = server.get("/").text();
    let line = format!("读取 {read} 行，纳入分析 {analysed} 行，拒收 {rejected} 行");
    assert!(load.contains(&line), "{line} not in the page");
    let first_warning = load.find("<tr class=\"warn\">").unwrap();
    let last_error = load.rfind("<tr class=\"bad\">").unwrap();
    assert!(last_error < first_warning, "errors are listed first");
    assert_eq!(
        load.matches("<tr class=\"bad\">").count(),
        rejected,
        "one error line per rejected row of the dirty ledger"
    );
    let rejects = server.get("/download/rejects.xlsx");
    assert_eq!(rejects.status, 200);
    let path = fx.write("rejects.xlsx", &rejects.body);
    let rows = crate::util::xlsx_cells(&path);
    assert_eq!(rows.len() - 1, rejected, "one rejects row per rejected row");

    // Overview: the quarterly report's own sentences, charts, tables
    let overview = server.get("/overview");
    assert_eq!(overview.status, 200);
    let o = overview.text();
    assert!(o.contains("2026年第三季度概览"));
    assert!(o.contains("<svg"), "charts inline");
    assert!(o.contains("id=\"card-overdue\"") && o.contains("id=\"card-due-soon\""));
    assert!(
        o.contains("id=\"table-risk\""),
        "the quarter has risk points"
    );
    let html = std::fs::read_to_string(fx.path("cli-quarterly/季度报告-2026Q3.html")).unwrap();
    let first_finding = o
        .split("<ol class=\"findings-text\"><li>")
        .nth(1)
        .unwrap()
        .split("</li>")
        .next()
        .unwrap();
    assert!(
        html.contains(first_finding),
        "the overview's first sentence is the report's: {first_finding}"
    );

    // the deadline cards count what `deadlines` lists as overdue / due soon
    let rows = cli_rows(&fx, "deadlines");
    let count = |status: &str| rows.iter().filter(|r| r["status"] == status).count();
    assert!(count("overdue") > 0 && count("due-soon") > 0);
    assert!(o.contains(&format!("逾期未完成 <b>{}</b> 项", count("overdue"))));
    assert!(o.contains(&format!("临期 <b>{}</b> 项", count("due-soon"))));

    // Reports: the bytes the CLI writes
    for (kind, prefix) in [("quarterly", "季度报告"), ("review", "试点评估报告")] {
        let made = server.post(&format!("/reports/{kind}"), "compare=");
        assert_eq!(made.status, 303, "{}", made.text());
        let page = server.get("/reports");
        assert_eq!(page.status, 200);
        let got = links(&page.text(), prefix);
        let want = files_in(&fx.path(&format!("cli-{kind}")));
        assert_eq!(got.len(), want.len(), "{kind}: {got:?}");
        server.assert_downloads(&want, "");
        for (name, _) in &want {
            let d = server.get(&format!("/download/{}", percent(name)));
            assert!(d
                .header("content-disposition")
                .unwrap()
                .contains(&percent(name)));
        }
    }
    let made = server.post("/reports/warnings", "");
    assert_eq!(made.status, 303);
    let page = server.get("/reports").text();
    let zip_name = links(&page, "警示提醒函");
    assert_eq!(zip_name, [percent("警示提醒函-2026Q3.zip")]);
    let zip = server.get(&format!("/download/{}", zip_name[0]));
    assert_eq!(zip.header("content-type"), Some("application/zip"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body)).unwrap();
    let want = files_in(&fx.path("cli-warnings"));
    assert!(!want.is_empty(), "the generated quarter has warned units");
    assert_eq!(archive.len(), want.len());
    for (name, bytes) in &want {
        let mut f = archive.by_name(name).unwrap();
        let mut got = Vec::new();
        f.read_to_end(&mut got).unwrap();
        assert!(got == *bytes, "{name} in the zip differs from the CLI's");
    }
    // another quarter of the same files: read once, the same accounting and
    // rejects, the quarter's own figures (as the CLI's report states them)
    let mut args = vec![
        "report",
        "quarterly",
        "data/ledger.csv",
        "--quarter",
        "2026Q2",
    ];
    args.extend_from_slice(&side);
    args.extend_from_slice(&["--out", "cli-q2"]);
    fx.jiucuo(&args).ok();
    let status = server.analyse(&format!("quarter=2026Q2&as_of={AS_OF}"));
    assert!(
        status.contains("\"done\"") && status.contains("\"reused\":true"),
        "{status}"
    );
    assert!(server.get("/").text().contains(&line));
    assert!(server.get("/download/rejects.xlsx").body == rejects.body);
    let o2 = server.get("/overview").text();
    let html2 = std::fs::read_to_string(fx.path("cli-q2/季度报告-2026Q2.html")).unwrap();
    let first2 = o2
        .split("<ol class=\"findings-text\"><li>")
        .nth(1)
        .unwrap()
        .split("</li>")
        .next()
        .unwrap();
    assert!(html2.contains(first2), "{first2}");
    assert_ne!(first2, first_finding);
    // the reused ledger's reports are the CLI's too
    assert_eq!(server.post("/reports/quarterly", "").status, 303);
    server.assert_downloads(&files_in(&fx.path("cli-q2")), "(reused ledger) ");
    // changed settings read the files again, and apply
    assert_eq!(
        server.post("/settings", "deadlines.due_soon_days=7").status,
        200
    );
    let status = server.analyse(&format!("quarter=2026Q2&as_of={AS_OF}"));
    assert!(status.contains("\"reused\":false"), "{status}");
    assert!(server.get("/overview").text().contains("7个工作日内到期"));
    // a new analysis starts with no reports: none of the last one is offered
    let page = server.get("/reports").text();
    assert!(links(&page, "").is_empty(), "no stale downloads");
    let old = server.get(&format!("/download/{}", percent("季度报告-2026Q3.docx")));
    assert_eq!(old.status, 404);
}

#[test]
fn the_review_with_a_letters_register_and_another_reading_is_the_clis() {
    let fx = Fixture::new();
    generated(&fx, 1500);
    let letters = "执法单位,发函日期,问题类型\n区住房和城乡建设局,2026-04-15,违反法定程序\n区住房和城乡建设局,2026-04-15,适用依据错误\n";
    fx.write("letters.csv", letters);
    let reading = "工作日计算短期间";
    fx.jiucuo([
        "report",
        "review",
        "data/ledger.csv",
        "--as-of",
        AS_OF,
        "--letters",
        "letters.csv",
        "--compare",
        reading,
        "--out",
        "cli",
    ])
    .ok();
    let server = Server::start(&fx, &[]);
    server.upload_ok("ledger", "ledger.csv", &fx.read("data/ledger.csv"));
    server.upload_ok("letters", "发函登记.csv", letters.as_bytes());
    assert!(server.analyse(&format!("as_of={AS_OF}")).contains("done"));
    let made = server.post("/reports/review", &format!("compare={}", percent(reading)));
    assert_eq!(made.status, 303, "{}", made.text());
    let page = server.get("/reports").text();
    let want = files_in(&fx.path("cli"));
    assert_eq!(links(&page, "试点评估报告").len(), want.len());
    let html = String::from_utf8(
        want.iter()
            .find(|(n, _)| n.ends_with(".html"))
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(
        html.contains(reading),
        "the CLI's review compares the reading"
    );
    server.assert_downloads(&want, "");
    // an unknown reading is refused with the names that exist
    let bad = server.post("/reports/review", "compare=nope");
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains(reading), "{}", bad.text());
}

#[test]
fn check_answers_as_the_check_command() {
    let fx = Fixture::new();
    generated(&fx, 2000);
    let (officer, problem, priors) = flagged(&fx);
    let (officer, problem) = (officer.as_str(), problem.as_str());
    assert!(!priors.is_empty());

    let server = Server::start(&fx, &[]);
    server.upload_ok("ledger", "台账.csv", &fx.read("data/ledger.csv"));
    assert!(server
        .analyse(&format!("quarter={QUARTER}&as_of={AS_OF}"))
        .contains("done"));
    let page = server
        .post(
            "/check",
            &format!("officer={}&problem={}", percent(officer), percent(problem)),
        )
        .text();
    assert!(
        page.contains("不得容错免责（第十二条第（五）项）"),
        "{page}"
    );
    let table = page.split("在先案件</caption>").nth(1).unwrap();
    for id in &priors {
        assert!(table.contains(id.as_str()), "earlier case {id} listed");
    }
    assert_eq!(
        table.matches("<tr><td>").count(),
        priors.len(),
        "exactly the earlier cases"
    );
    // an officer with no record is not barred
    let page = server
        .post(
            "/check",
            &format!("officer=无此人&problem={}", percent(problem)),
        )
        .text();
    assert!(page.contains("未发现第十二条第（五）项情形"), "{page}");
}

#[test]
fn settings_are_checked_and_saved_to_the_configuration() {
    let fx = Fixture::new();
    let server = Server::start(&fx, &[]);
    let page = server.get("/settings").text();
    assert!(page.contains("name=\"deadlines.due_soon_days\" value=\"5\""));
    assert!(page.contains("尚未办结的事项"), "each key with its meaning");
    // a refused value names the key and what is accepted; nothing is saved
    let bad = server.post(
        "/settings",
        "report.catch_all_share=1.5&deadlines.due_soon_days=7",
    );
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("catch_all_share") && bad.text().contains("0 到 1"));
    assert!(!fx.path("jiucuo.toml").exists());
    let bad = server.post("/settings", "deadlines.due_soon_days=%E4%BA%94");
    assert!(bad.text().contains("[deadlines] due_soon_days") && bad.text().contains("整数"));
    // a good value is saved, the file keeps its comments, the CLI reads it
    let ok = server.post(
        "/settings",
        "deadlines.due_soon_days=7&report.office=%E6%9F%90%E5%8C%BA%E5%8F%B8%E6%B3%95%E5%B1%80",
    );
    assert_eq!(ok.status, 200, "{}", ok.text());
    let saved = String::from_utf8(fx.read("jiucuo.toml")).unwrap();
    assert!(saved.contains("due_soon_days = 7"), "{saved}");
    assert!(saved.contains("office = \"某区司法局\""), "{saved}");
    assert!(saved.contains("# 尚未办结的事项"), "comments kept");
    let c = jiucuo::config::Config::from_toml(&saved, Path::new("jiucuo.toml")).unwrap();
    assert_eq!(c.deadlines.due_soon_days, 7);
    assert_eq!(c.report.office, "某区司法局");
    assert!(server.get("/settings").text().contains("value=\"7\""));
    // a file named with --config that is not there yet starts from the
    // defaults (not ./jiucuo.toml) and is where Settings saves
    let other = Server::start(&fx, &["--config", "其他.toml"]);
    assert!(other
        .get("/settings")
        .text()
        .contains("name=\"deadlines.due_soon_days\" value=\"5\""));
    assert_eq!(other.post("/settings", "report.reply_days=20").status, 200);
    let written = String::from_utf8(fx.read("其他.toml")).unwrap();
    assert!(written.contains("reply_days = 20") && written.contains("due_soon_days = 5"));
}

#[test]
fn strangers_are_refused() {
    let fx = Fixture::new();
    let server = Server::start(&fx, &[]);
    let host = format!("127.0.0.1:{}", server.port);
    let cookie = server.cookie();
    // no token, a wrong one
    assert_eq!(server.raw("GET", "/", &[("Host", &host)], b"").status, 403);
    let wrong = format!("jiucuo_{}={}", server.port, "0".repeat(64));
    assert_eq!(
        server
            .raw("GET", "/", &[("Host", &host), ("Cookie", &wrong)], b"")
            .status,
        403
    );
    let a = server.raw("GET", "/assets/app.js", &[("Host", &host)], b"");
    assert_eq!(a.status, 403, "assets too");
    // a foreign Host (DNS rebinding), even with the token
    for h in ["evil.example", "localhost:1", "127.0.0.1"] {
        let a = server.raw(
            "GET",
            &format!("/?token={}", server.token),
            &[("Host", h), ("Cookie", &cookie)],
            b"",
        );
        assert_eq!(a.status, 403, "Host {h}");
    }
    // a POST from another page, or with no origin at all
    let form = [
        ("Host", host.as_str()),
        ("Cookie", cookie.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let mut evil = form.to_vec();
    evil.push(("Origin", "http://evil.example"));
    assert_eq!(
        server
            .raw("POST", "/settings", &evil, b"report.office=x")
            .status,
        403
    );
    assert_eq!(
        server
            .raw("POST", "/settings", &form, b"report.office=x")
            .status,
        403
    );
    let mut referer = form.to_vec();
    let r = format!("http://127.0.0.1:{}.evil.example/", server.port);
    referer.push(("Referer", &r));
    assert_eq!(
        server
            .raw("POST", "/settings", &referer, b"report.office=x")
            .status,
        403
    );
    assert!(!fx.path("jiucuo.toml").exists(), "nothing was saved");
    // the workbench itself is reachable, with headers that keep others out
    let ok = server.get("/");
    assert_eq!(ok.status, 200);
    let csp = ok.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(ok.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn uploads_are_capped_private_and_removed_at_shutdown() {
    let fx = Fixture::new();
    let mut server = Server::start(&fx, &["--max-upload-mb", "1"]);
    let big = vec![b'a'; (1 << 20) + 1];
    let a = server.upload("ledger", "big.csv", &big);
    assert_eq!(a.status, 413);
    assert!(a.text().contains("超过上传上限 1 MB"), "{}", a.text());
    // a body without a length is cut off at the cap as it streams
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let head = format!(
        "PUT /upload/ledger HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {}\r\nOrigin: {}\r\nX-File-Name: big.csv\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        server.port,
        server.cookie(),
        server.origin()
    );
    s.write_all(head.as_bytes()).unwrap();
    for _ in 0..20 {
        let chunk = vec![b'b'; 100_000];
        if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_err()
            || s.write_all(&chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n");
    assert_eq!(read_answer(s).status, 413);
    // a file name is never a path
    let a = server.upload("ledger", "../../escape.csv", b"x");
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(!fx.path("escape.csv").exists() && !fx.dir().join("../escape.csv").exists());
    let a = server.upload("ledger", "notes.exe", b"x");
    assert_eq!(a.status, 415);
    assert!(a.text().contains("notes.exe"));

    let tmp = fx.path(".tmp");
    let dirs: Vec<PathBuf> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("jiucuo-") && n.contains("-workbench-")
        })
        .collect();
    assert_eq!(dirs.len(), 1, "one private folder");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dirs[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    let stored: Vec<String> = std::fs::read_dir(&dirs[0])
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(stored, ["ledger.csv"], "stored under our own name");
    assert_eq!(server.stop(), 0);
    assert!(!dirs[0].exists(), "removed at shutdown");
    // the terminal closed (SIGHUP): removed too
    let mut server = Server::start(&fx, &[]);
    server.upload_ok("ledger", "a.csv", b"x");
    assert_eq!(server.signal("-HUP"), 0);
    let left = std::fs::read_dir(&tmp)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("-workbench-")
        })
        .count();
    assert_eq!(left, 0, "removed when the terminal closes");
}

#[test]
fn bad_files_get_a_chinese_error_and_the_workbench_goes_on() {
    let fx = Fixture::new();
    generated(&fx, 500);
    let server = Server::start(&fx, &[]);
    // a workbook that is not one
    server.upload_ok(
        "ledger",
        "坏台账.xlsx",
        b"PK\x03\x04 this is not a workbook",
    );
    let s = server.analyse("");
    assert!(s.contains("\"failed\""), "{s}");
    let page = server.get("/progress");
    assert_eq!(page.status, 422);
    let text = page.text();
    assert!(
        text.contains("坏台账.xlsx"),
        "names the user's file: {text}"
    );
    assert!(!text.contains("-workbench-"), "not our private path");
    assert!(text.contains("XLSX") || text.contains("xlsx"));
    // a GBK export with a byte that is no GBK character
    let csv = String::from_utf8(fx.read("data/ledger.csv")).unwrap();
    let (mut gbk, _, _) = encoding_rs::GBK.encode(csv.trim_start_matches('\u{feff}'));
    let gbk = gbk.to_mut();
    let at = gbk.iter().rposition(|b| *b == b'\n').unwrap() - 3;
    gbk[at] = 0xFF;
    server.upload_ok("ledger", "国标台账.csv", gbk);
    let s = server.analyse("");
    assert!(s.contains("\"failed\""), "{s}");
    let answer = server.get("/progress").text().replace("&#x2f;", "/");
    assert!(
        answer.contains("国标台账.csv：文件既不是有效的 UTF-8，也不是有效的 GBK/GB18030 编码"),
        "the bad byte is reported with the user's file name: {answer}"
    );
    assert!(answer.contains("另存为"), "and what to do");
    // the next request is served: a good ledger loads
    server.upload_ok("ledger", "ledger.csv", &fx.read("data/ledger.csv"));
    assert!(server
        .analyse(&format!("as_of={AS_OF}"))
        .contains("\"done\""));
    assert_eq!(server.get("/overview").status, 200);
    // a quarter alone is reported as of its last day, as `report` does
    assert!(server.analyse("quarter=2026Q2").contains("\"done\""));
    assert!(server.get("/overview").text().contains("基准日 2026-06-30"));
    // a bad quarter is refused with what to type
    let a = server.post("/analyze", "quarter=2026Q5");
    assert_eq!(a.status, 400);
    assert!(a.text().contains("2026Q5"), "{}", a.text());
}

#[test]
fn unit_names_with_markup_are_shown_as_text() {
    let fx = Fixture::new();
    generated(&fx, 2000);
    let csv = String::from_utf8(fx.read("data/ledger.csv")).unwrap();
    let evil = "<script>alert(1)</script>局";
    // the unit with most cases, renamed everywhere
    let unit = "区住房和城乡建设局";
    assert!(csv.contains(unit));
    let csv = csv.replace(unit, evil);
    let server = Server::start(&fx, &[]);
    server.upload_ok("ledger", "<b>台账</b>.csv", csv.as_bytes());
    assert!(server
        .analyse(&format!("quarter={QUARTER}&as_of={AS_OF}"))
        .contains("done"));
    for page in ["/", "/overview", "/reports"] {
        let t = server.get(page).text();
        assert!(!t.contains("<script>alert"), "{page} shows raw markup");
        assert!(!t.contains("<b>台账"), "{page} shows the raw file name");
    }
    let o = server.get("/overview").text();
    assert!(
        o.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;局")
            || o.contains("&lt;script&gt;alert(1)&lt;/script&gt;局"),
        "the name is shown as text"
    );
}

#[test]
fn one_analysis_at_a_time_and_it_can_be_cancelled() {
    let fx = Fixture::new();
    generated(&fx, 60_000);
    let server = Server::start(&fx, &[]);
    server.upload_ok("ledger", "ledger.csv", &fx.read("data/ledger.csv"));
    assert_eq!(server.post("/analyze", "").status, 303);
    // a second one waits for the first
    let again = server.post("/analyze", "");
    assert_eq!(again.status, 409, "{}", again.text());
    assert!(again.text().contains("已有一项分析正在进行"));
    let progress = server.get("/progress");
    assert_eq!(progress.status, 200);
    assert!(progress.text().contains("正在分析"));
    assert_eq!(
        server.upload("ledger", "x.csv", b"x").status,
        409,
        "no upload under a running analysis"
    );
    assert_eq!(server.post("/cancel", "").status, 303);
    let s = server.wait();
    assert!(s.contains("\"cancelled\""), "{s}");
    assert!(server.get("/progress").text().contains("分析已取消"));
    assert_eq!(
        server.get("/overview").status,
        303,
        "nothing half-analysed is shown"
    );
    // nothing of the cancelled run is left but the upload
    let private: Vec<PathBuf> = std::fs::read_dir(fx.path(".tmp"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("-workbench-"))
        .collect();
    assert_eq!(private.len(), 1);
    let inside: Vec<String> = std::fs::read_dir(&private[0])
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(inside, ["ledger.csv"]);
}

#[cfg(unix)]
#[test]
fn open_gives_the_browser_a_private_page_not_the_token() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new();
    // a stand-in for the desktop's opener, recording what it was given
    let bin = fx.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opener = bin.join("xdg-open");
    let record = fx.path("opened.txt");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", record.display()),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let server = Server::start_with_env(&fx, &["--open"], &[("PATH", path)]);
    let start = Instant::now();
    while !record.exists() || std::fs::read(&record).unwrap().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(20), "the opener ran");
        std::thread::sleep(Duration::from_millis(50));
    }
    let opened = std::fs::read_to_string(&record).unwrap();
    assert!(
        !opened.contains(&server.token),
        "no token on a command line"
    );
    assert!(
        opened.contains("-workbench-") && opened.ends_with("open.html"),
        "{opened}"
    );
    let page = std::fs::read_to_string(&opened).unwrap();
    assert!(page.contains(&format!("{}/?token={}", server.origin(), server.token)));
}

#[test]
fn an_excel_ledger_loads_as_the_cli_reads_it() {
    let fx = Fixture::new();
    generated(&fx, 800);
    // the generated ledger as an Excel workbook of text cells
    let text = String::from_utf8(fx.read("data/ledger.csv")).unwrap();
    let (headers, records) = crate::util::csv_records(&text);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (r, rec) in records.iter().enumerate() {
        for (c, v) in rec.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    fx.write("台账.xlsx", wb.save_to_buffer().unwrap());
    let cli = fx.jiucuo(["validate", "台账.xlsx"]).ok();
    let (read, analysed, rejected) = cli.accounting();
    fx.jiucuo([
        "report",
        "quarterly",
        "台账.xlsx",
        "--quarter",
        QUARTER,
        "--as-of",
        AS_OF,
        "--out",
        "cli",
    ])
    .ok();
    let server = Server::start(&fx, &[]);
    server.upload_ok("ledger", "台账.xlsx", &fx.read("台账.xlsx"));
    let status = server.analyse(&format!("quarter={QUARTER}&as_of={AS_OF}"));
    assert!(status.contains("\"done\""), "{status}");
    let line = format!("读取 {read} 行，纳入分析 {analysed} 行，拒收 {rejected} 行");
    assert!(server.get("/").text().contains(&line), "{line}");
    assert_eq!(server.post("/reports/quarterly", "").status, 303);
    server.assert_downloads(&files_in(&fx.path("cli")), "");
}
