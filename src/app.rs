//! Command dispatch: resolve arguments into a configuration, run, report.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;

use crate::analysis::deadlines::{self, DeadlineParams};
use crate::analysis::hotspots::{self, HotspotParams, Period, Volume};
use crate::analysis::outcomes;
use crate::analysis::period::Quarter;
use crate::analysis::repeats::{self, RepeatParams};
use crate::calendar::Calendar;

use crate::cli::{self, Cli, Command, FormatArg};
use crate::config::Config;
use crate::ingest::{self, Encoding, Ledger, ReadOptions, Severity};
use crate::output::{self, TableFormat, WriteOptions};

/// Exit code when findings were asked to fail the run.
pub const EXIT_FINDINGS: i32 = 1;

/// The whole error chain, one cause per clause.
pub fn error_chain(err: &anyhow::Error) -> String {
    err.chain()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n  原因：")
}

/// Run one command; Ok(exit code).
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Validate(a) => validate(a),
        Command::Deadlines(a) => cmd_deadlines(a),
        Command::Repeats(a) => cmd_repeats(a),
        Command::Check(a) => cmd_check(a),
        Command::Hotspots(a) => cmd_hotspots(a),
        Command::Outcomes(a) => cmd_outcomes(a),
        Command::Analyze(a) => cmd_analyze(a),
        Command::Charts(a) => crate::chart::cmd::run(a),
        Command::Init(a) => init(a),
        Command::Template(a) => {
            let bytes = crate::template::blank_ledger()?;
            crate::fsutil::write_atomic(&a.out, &bytes)?;
            eprintln!("已写出空白台账模板：{}", a.out.display());
            Ok(0)
        }
        Command::Generate(a) => {
            let written = crate::generate::write_dataset(&a.out, a.rows, a.seed, a.dirty)?;
            for p in written {
                eprintln!("已写出：{}", p.display());
            }
            Ok(0)
        }
        Command::Demo(a) => crate::demo::run(&a.out, a.rows),
    }
}

/// A ledger ready for analysis, read with the resolved options.
pub struct Loaded {
    pub ledger: Ledger,
    pub config: Config,
    pub path: PathBuf,
}

/// Read, validate and print the accounting line for any ledger command.
pub fn load(args: &cli::LedgerArgs) -> Result<Loaded> {
    let config = Config::load(args.config.as_deref())?;
    let enc_text = args
        .encoding
        .clone()
        .unwrap_or_else(|| config.ledger.encoding.clone());
    let encoding = Encoding::parse(&enc_text)
        .with_context(|| format!("不认识的编码“{enc_text}”（可用：auto、utf-8、gbk）"))?;
    let sheet = args
        .sheet
        .clone()
        .or_else(|| Some(config.ledger.sheet.clone()).filter(|s| !s.is_empty()));
    let opts = ReadOptions { encoding, sheet };
    let progress = Progress::start(&format!("读取 {}", args.ledger.display()));
    let ledger = ingest::read_ledger(&args.ledger, &opts, &config);
    progress.finish();
    let ledger = ledger?;
    report_accounting(&ledger, &args.ledger);
    Ok(Loaded {
        ledger,
        config,
        path: args.ledger.clone(),
    })
}

/// `read N, analysed A, rejected R` plus a Chinese line, on stderr.
pub fn report_accounting(ledger: &Ledger, path: &Path) {
    let a = ledger.accounting;
    eprintln!("{a}");
    let warnings = ledger
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    eprintln!(
        "{}：读取 {} 行，纳入分析 {} 行，拒收 {} 行，警告 {} 条",
        path.display(),
        a.read,
        a.analysed,
        a.rejected,
        warnings
    );
    if !ledger.raw.blank_rows.is_empty() {
        eprintln!(
            "（跳过全空行 {} 行，不计入读取行数）",
            ledger.raw.blank_rows.len()
        );
    }
    if !ledger.unmapped_headers.is_empty() {
        eprintln!(
            "未识别的列（未纳入分析，原样保留在拒收文件中）：{}",
            ledger.unmapped_headers.join("、")
        );
    }
}

/// Resolve the output format: explicit, else from the file extension, else by terminal.
pub fn resolve_format(args: &cli::OutputArgs) -> TableFormat {
    if let Some(f) = args.format {
        return match f {
            FormatArg::Table => TableFormat::Table,
            FormatArg::Csv => TableFormat::Csv,
            FormatArg::Json => TableFormat::Json,
            FormatArg::Ndjson => TableFormat::Ndjson,
            FormatArg::Parquet => TableFormat::Parquet,
            FormatArg::Arrow => TableFormat::Arrow,
            FormatArg::ArrowStream => TableFormat::ArrowStream,
            FormatArg::Xlsx => TableFormat::Xlsx,
        };
    }
    let by_ext = args
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match by_ext.as_deref() {
        Some("csv") => TableFormat::Csv,
        Some("json") => TableFormat::Json,
        Some("ndjson" | "jsonl") => TableFormat::Ndjson,
        Some("parquet") => TableFormat::Parquet,
        Some("arrow" | "ipc" | "feather") => TableFormat::Arrow,
        Some("arrows") => TableFormat::ArrowStream,
        Some("xlsx") => TableFormat::Xlsx,
        Some("txt") => TableFormat::Table,
        _ if args.output.is_none() && std::io::stdout().is_terminal() => TableFormat::Table,
        _ => TableFormat::Csv,
    }
}

/// Write one result table as the user asked.
pub fn write_table(df: &DataFrame, args: &cli::OutputArgs) -> Result<()> {
    let format = resolve_format(args);
    let bytes = output::render(df, format, WriteOptions { bom: !args.no_bom })?;
    output::emit(&bytes, format, args.output.as_deref())
}

fn validate(a: cli::ValidateArgs) -> Result<i32> {
    let loaded = load(&a.ledger)?;
    let ledger = &loaded.ledger;
    let table = ingest::findings_frame(&ledger.findings)?;
    write_table(&table, &a.output)?;
    if ledger.accounting.rejected > 0 {
        let path = a
            .rejects
            .clone()
            .unwrap_or_else(|| default_rejects_path(&loaded.path));
        let bytes = crate::rejects::rejects_xlsx(ledger)?;
        crate::fsutil::write_atomic(&path, &bytes)?;
        eprintln!(
            "拒收的 {} 行已原样写入 {}（末列“拒收原因”）：在 Excel 中改正后可直接重新导入",
            ledger.accounting.rejected,
            path.display()
        );
        if a.fail_on_error {
            return Ok(EXIT_FINDINGS);
        }
    }
    Ok(0)
}

fn default_rejects_path(ledger: &Path) -> PathBuf {
    let stem = ledger
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "ledger".into());
    PathBuf::from(format!(
        "{}.rejects.xlsx",
        crate::fsutil::safe_file_stem(&stem)
    ))
}

fn init(a: cli::InitArgs) -> Result<i32> {
    if a.out.exists() && !a.force {
        bail!("{} 已存在；如要覆盖，请加 --force", a.out.display());
    }
    crate::fsutil::write_atomic(&a.out, crate::config::DEFAULT_TOML.as_bytes())?;
    eprintln!(
        "已写出默认配置：{}（每项均附说明，修改后即生效）",
        a.out.display()
    );
    Ok(0)
}

/// A spinner on stderr while long work runs; silent when stderr is not a terminal.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub fn start(message: &str) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(bar))
    }

    pub fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Parse a date argument in any ledger form (2026-11-30, 2026/11/30, 2026年11月30日).
pub fn parse_date_arg(text: &str, what: &str) -> Result<NaiveDate> {
    match ingest::values::parse_date(text) {
        Ok(Some(d)) => Ok(d),
        _ => {
            bail!("{what}“{text}”不是有效日期（可用格式：2026-11-30、2026/11/30、2026年11月30日）")
        }
    }
}

/// The as-of date: given, else today (the only place jiucuo reads the clock).
pub fn as_of(arg: Option<&str>) -> Result<NaiveDate> {
    match arg {
        Some(t) => parse_date_arg(t, "--as-of"),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

/// The holiday calendar: the file named in jiucuo.toml, else the built-in one.
pub fn calendar(config: &Config) -> Result<Calendar> {
    if config.calendar.holidays.is_empty() {
        return Ok(Calendar::embedded());
    }
    let path = Path::new(&config.calendar.holidays);
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取节假日文件 {}", path.display()))?;
    Calendar::from_csv(&text).with_context(|| format!("节假日文件 {} 有误", path.display()))
}

pub fn deadline_params(config: &Config, as_of: NaiveDate) -> DeadlineParams {
    DeadlineParams {
        as_of,
        due_soon_days: config.deadlines.due_soon_days,
        working_day_short_periods: config.calendar.working_day_short_periods,
    }
}

pub fn repeat_params(config: &Config) -> RepeatParams {
    RepeatParams {
        same_domain: config.repeats.same_domain,
        lookback_days: config.repeats.lookback_days,
    }
}

fn period(args: &cli::PeriodArgs) -> Result<Period> {
    if let Some(q) = &args.quarter {
        let quarter = Quarter::parse(q)
            .with_context(|| format!("--quarter “{q}”无法识别（可用：2026Q3、2026年第三季度）"))?;
        return Ok(Period::Quarter(quarter));
    }
    match (&args.from, &args.to) {
        (Some(a), Some(b)) => {
            let (a, b) = (parse_date_arg(a, "--from")?, parse_date_arg(b, "--to")?);
            if b < a {
                bail!("--to {b} 早于 --from {a}");
            }
            Ok(Period::Range(a, b))
        }
        _ => Ok(Period::AllQuarters),
    }
}

fn volume(path: Option<&Path>, config: &Config) -> Result<Option<Volume>> {
    let Some(p) = path else { return Ok(None) };
    let opts = ReadOptions {
        encoding: Encoding::parse(&config.ledger.encoding).unwrap_or(Encoding::Auto),
        sheet: None,
    };
    Ok(Some(ingest::auxiliary::read_volume(p, &opts)?))
}

fn warn_assumed_calendar(table: &DataFrame) {
    if let Ok(notes) = table.column("note").and_then(|c| c.str().cloned()) {
        let n = notes.iter().flatten().count();
        if n > 0 {
            eprintln!("注意：有 {n} 项期限落在节假日表未覆盖的年份，仅按周末顺延（见 note 列）；请在节假日文件中补充该年安排");
        }
    }
}

fn cmd_deadlines(a: cli::DeadlinesArgs) -> Result<i32> {
    let loaded = load(&a.ledger)?;
    let cal = calendar(&loaded.config)?;
    let p = deadline_params(&loaded.config, as_of(a.as_of.as_deref())?);
    let table = deadlines::deadlines(&loaded.ledger.cases, &cal, &p)?;
    warn_assumed_calendar(&table);
    write_table(&table, &a.output)?;
    Ok(0)
}

fn cmd_repeats(a: cli::RepeatsArgs) -> Result<i32> {
    let loaded = load(&a.ledger)?;
    let mut p = repeat_params(&loaded.config);
    p.same_domain |= a.same_domain;
    if let Some(days) = a.lookback_days {
        p.lookback_days = days;
    }
    write_table(&repeats::repeats(&loaded.ledger.cases, &p)?, &a.output)?;
    Ok(0)
}

fn cmd_check(a: cli::CheckArgs) -> Result<i32> {
    let loaded = load(&a.ledger)?;
    let p = repeat_params(&loaded.config);
    let day = as_of(a.as_of.as_deref())?;
    let r = repeats::check(
        &loaded.ledger.cases,
        &a.officer,
        &a.problem,
        a.domain.as_deref(),
        day,
        a.subjective,
        &p,
    )?;
    let ids = Series::new("prior_case_ids".into(), r.prior_case_ids.clone());
    let table = df!(
        "officer" => [r.officer.clone()],
        "problem" => [r.problem.clone()],
        "barred" => [r.barred],
        "reason" => [r.reason.clone()],
        "prior_case_ids" => ListChunked::from_iter([Some(ids)]).into_series(),
    )?;
    write_table(&table, &a.output)?;
    eprintln!("{}", r.reason);
    Ok(if r.barred { EXIT_FINDINGS } else { 0 })
}

fn cmd_hotspots(a: cli::HotspotsArgs) -> Result<i32> {
    let loaded = load(&a.ledger)?;
    let vol = volume(a.volume.as_deref(), &loaded.config)?;
    let p = HotspotParams::new(&loaded.config.hotspots, &loaded.config.pilot);
    let table = hotspots::hotspots(&loaded.ledger.cases, vol.as_ref(), period(&a.period)?, &p)?;
    write_table(&table, &a.output)?;
    Ok(0)
}

fn cmd_outcomes(a: cli::OutcomesArgs) -> Result<i32> {
    let loaded = load(&a.ledger)?;
    write_table(&outcomes::outcomes(&loaded.ledger.cases)?, &a.output)?;
    Ok(0)
}

/// Every analysis table of one ledger, as written by `analyze`.
pub struct Analyses {
    pub deadlines: DataFrame,
    pub repeats: DataFrame,
    pub hotspots: DataFrame,
    pub outcomes: DataFrame,
    pub validate: DataFrame,
}

/// Run every analysis on a loaded ledger.
pub fn run_analyses(
    ledger: &Ledger,
    config: &Config,
    volume: Option<&Volume>,
    as_of: NaiveDate,
) -> Result<Analyses> {
    let cal = calendar(config)?;
    Ok(Analyses {
        deadlines: deadlines::deadlines(&ledger.cases, &cal, &deadline_params(config, as_of))?,
        repeats: repeats::repeats(&ledger.cases, &repeat_params(config))?,
        hotspots: hotspots::hotspots(
            &ledger.cases,
            volume,
            Period::AllQuarters,
            &HotspotParams::new(&config.hotspots, &config.pilot),
        )?,
        outcomes: outcomes::outcomes(&ledger.cases)?,
        validate: ingest::findings_frame(&ledger.findings)?,
    })
}

/// Write the analyses into `dir` as deadlines.<ext> … validate.<ext>.
pub fn write_analyses(
    a: &Analyses,
    dir: &Path,
    format: TableFormat,
    opts: WriteOptions,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (name, df) in [
        ("deadlines", &a.deadlines),
        ("repeats", &a.repeats),
        ("hotspots", &a.hotspots),
        ("outcomes", &a.outcomes),
        ("validate", &a.validate),
    ] {
        let path = dir.join(format!("{name}.{}", format.extension()));
        crate::fsutil::write_atomic(&path, &output::render(df, format, opts)?)?;
        written.push(path);
    }
    Ok(written)
}

fn cmd_analyze(a: cli::AnalyzeArgs) -> Result<i32> {
    let loaded = load(&a.ledger)?;
    let vol = volume(a.volume.as_deref(), &loaded.config)?;
    let day = as_of(a.as_of.as_deref())?;
    let progress = Progress::start("分析中");
    let analyses = run_analyses(&loaded.ledger, &loaded.config, vol.as_ref(), day);
    progress.finish();
    let analyses = analyses?;
    warn_assumed_calendar(&analyses.deadlines);
    let format = resolve_format(&cli::OutputArgs {
        format: Some(a.format),
        output: None,
        no_bom: a.no_bom,
    });
    let mut written = write_analyses(&analyses, &a.out, format, WriteOptions { bom: !a.no_bom })?;
    if loaded.ledger.accounting.rejected > 0 {
        let path = a.out.join("rejects.xlsx");
        crate::fsutil::write_atomic(&path, &crate::rejects::rejects_xlsx(&loaded.ledger)?)?;
        written.push(path);
    }
    for p in &written {
        eprintln!("已写出：{}", p.display());
    }
    Ok(0)
}
