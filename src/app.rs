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
use crate::analysis::repeats::{self, Identities, RepeatParams};
use crate::analysis::scope;
use crate::calendar::Calendar;
use crate::query::{self, Tables};

use crate::cli::{self, Cli, Command, FormatArg};
use crate::config::Config;
use crate::ingest::{self, Encoding, Finding, Ledger, ReadOptions, Severity};
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
        Command::Query(a) => cmd_query(a),
        Command::Report(a) => cmd_report(a),
        Command::Charts(a) => crate::chart::cmd::run(a),
        Command::Init(a) => init(a),
        Command::Template(a) => {
            let bytes = crate::template::blank_ledger()?;
            crate::fsutil::write_atomic(&a.out, &bytes)?;
            eprintln!("已写出空白台账模板：{}", a.out.display());
            Ok(0)
        }
        Command::Generate(a) => {
            let written =
                crate::generate::write_dataset(&a.out, a.rows, a.seed, a.dirty, !a.no_plants)?;
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

/// Read, validate and print the accounting line for any ledger command
/// (without case summaries: see [`load_with_summaries`]).
pub fn load(args: &cli::LedgerArgs) -> Result<Loaded> {
    load_with_summaries(args, false)
}

/// [`load`], keeping the case summaries (ad-hoc queries, reports with `--summaries`).
pub fn load_with_summaries(args: &cli::LedgerArgs, keep_summaries: bool) -> Result<Loaded> {
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
    let opts = ReadOptions {
        encoding,
        sheet,
        keep_summaries,
    };
    let path = &args.ledger;
    let format = ingest::Format::from_path(path)
        .ok_or_else(|| ingest::IngestError::UnknownFormat { path: path.clone() })?;
    let file = std::fs::File::open(path).map_err(|source| ingest::IngestError::Io {
        path: path.clone(),
        source,
    })?;
    let bar = read_progress(path, &file);
    crate::diag::memory("reading starts");
    let ledger = ingest::read_ledger_from(
        bar.wrap_read(file),
        format,
        &opts,
        &config,
        ingest::CHUNK_BYTES,
    )
    .map_err(|e| e.with_path(path));
    bar.finish_and_clear();
    let ledger = ledger?;
    crate::diag::memory("ledger read");
    crate::diag::frame_sizes("ledger", &ledger.cases);
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
    if !ledger.title_lines.is_empty() {
        eprintln!(
            "表头上方有 {} 行标题（{}），已跳过，不计入读取行数",
            ledger.title_lines.len(),
            ledger
                .title_lines
                .iter()
                .map(|t| crate::ingest::preview(t))
                .collect::<Vec<_>>()
                .join("；")
        );
    }
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

/// A byte progress bar for reading a ledger: on a terminal, for large files;
/// hidden otherwise.
fn read_progress(path: &Path, file: &std::fs::File) -> indicatif::ProgressBar {
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len < 16 << 20 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "读取并校验 {msg} [{bar:30}] {bytes}/{total_bytes} {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(path.display().to_string());
    bar
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
        feedback_days: config.deadlines.feedback_days,
        art11_is_tolerance: config.repeats.art11_is_tolerance,
    }
}

pub fn repeat_params(config: &Config) -> RepeatParams {
    let r = &config.repeats;
    RepeatParams {
        same_domain: r.same_domain,
        lookback_days: r.lookback_days,
        excluded_types: r.excluded_types.clone(),
        art11_is_tolerance: r.art11_is_tolerance,
        after_tolerance_needs_subjective: r.after_tolerance_needs_subjective,
    }
}

pub fn hotspot_params(config: &Config, as_of: NaiveDate) -> HotspotParams {
    HotspotParams::new(&config.hotspots, &config.pilot, as_of)
}

/// The cases as they stood on `as_of`, within the pilot ([`scope`]); what
/// was left out is said on stderr.
pub fn scoped(
    cases: DataFrame,
    config: &Config,
    as_of: NaiveDate,
) -> Result<(DataFrame, scope::Scope)> {
    let (view, s) = scope::as_of_view(cases, as_of, (config.pilot.start, config.pilot.end))?;
    let note = s.note();
    if !note.is_empty() {
        eprintln!("注意：{note}");
    }
    Ok((view, s))
}

/// What every analysis of a run reads besides the cases.
#[derive(Clone, Copy)]
pub struct RunInputs<'a> {
    pub config: &'a Config,
    pub volume: Option<&'a Volume>,
    pub identities: Option<&'a Identities>,
    pub as_of: NaiveDate,
}

/// Officer identities from a roster frame (rules.md §3).
pub fn identities(roster: Option<&DataFrame>) -> Result<Option<Identities>> {
    Ok(match roster {
        Some(r) => Some(Identities::from_roster(r)?),
        None => None,
    })
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
        keep_summaries: true,
    };
    Ok(Some(ingest::auxiliary::read_volume(p, &opts)?))
}

/// Deadline rows computed on weekends only (a year the holiday file lacks).
fn assumed_calendar_rows(table: &DataFrame) -> usize {
    table
        .column("note")
        .map(|c| c.len() - c.null_count())
        .unwrap_or(0)
}

fn warn_assumed_calendar(rows: usize) {
    if rows > 0 {
        eprintln!("注意：有 {rows} 项期限落在节假日表未覆盖的年份，仅按周末顺延（见 note 列）；请在节假日文件中补充该年安排");
    }
}

fn cmd_deadlines(a: cli::DeadlinesArgs) -> Result<i32> {
    let day = as_of(a.as_of.as_deref())?;
    let loaded = load(&a.ledger)?;
    let cal = calendar(&loaded.config)?;
    let (cases, _) = scoped(loaded.ledger.cases, &loaded.config, day)?;
    let p = deadline_params(&loaded.config, day);
    let table = deadlines::deadlines(&cases, &cal, &p)?;
    warn_assumed_calendar(assumed_calendar_rows(&table));
    write_table(&table, &a.output)?;
    Ok(0)
}

fn cmd_repeats(a: cli::RepeatsArgs) -> Result<i32> {
    let day = as_of(a.as_of.as_deref())?;
    let loaded = load(&a.ledger)?;
    let ros = roster(a.roster.as_deref(), &loaded.config)?;
    let ids = identities(ros.as_ref())?;
    let mut p = repeat_params(&loaded.config);
    p.same_domain |= a.same_domain;
    if let Some(days) = a.lookback_days {
        p.lookback_days = days;
    }
    let (cases, _) = scoped(loaded.ledger.cases, &loaded.config, day)?;
    write_table(&repeats::repeats(&cases, &p, ids.as_ref())?, &a.output)?;
    Ok(0)
}

fn cmd_check(a: cli::CheckArgs) -> Result<i32> {
    let day = as_of(a.as_of.as_deref())?;
    let loaded = load(&a.ledger)?;
    let ros = roster(a.roster.as_deref(), &loaded.config)?;
    let ids = identities(ros.as_ref())?;
    let p = repeat_params(&loaded.config);
    let (cases, _) = scoped(loaded.ledger.cases, &loaded.config, day)?;
    let query = repeats::CheckQuery {
        officer: &a.officer,
        problem: &a.problem,
        domain: a.domain.as_deref(),
        as_of: day,
        subjective: a.subjective,
    };
    let r = repeats::check(&cases, &query, &p, ids.as_ref())?;
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
    let day = as_of(a.as_of.as_deref())?;
    let which = period(&a.period)?;
    let loaded = load(&a.ledger)?;
    let vol = volume(a.volume.as_deref(), &loaded.config)?;
    let ros = roster(a.roster.as_deref(), &loaded.config)?;
    let ids = identities(ros.as_ref())?;
    let (cases, _) = scoped(loaded.ledger.cases, &loaded.config, day)?;
    let p = hotspot_params(&loaded.config, day);
    let table = hotspots::hotspots(&cases, vol.as_ref(), which, &p)?;
    let repeats = repeats::repeats(&cases, &repeat_params(&loaded.config), ids.as_ref())?;
    let table = hotspots::with_officer_repeats(table, &repeats)?;
    write_table(&table, &a.output)?;
    Ok(0)
}

fn cmd_outcomes(a: cli::OutcomesArgs) -> Result<i32> {
    let day = as_of(a.as_of.as_deref())?;
    let loaded = load(&a.ledger)?;
    let ros = roster(a.roster.as_deref(), &loaded.config)?;
    let ids = identities(ros.as_ref())?;
    let (cases, _) = scoped(loaded.ledger.cases, &loaded.config, day)?;
    let inputs = RunInputs {
        config: &loaded.config,
        volume: None,
        identities: ids.as_ref(),
        as_of: day,
    };
    let base = run_analysis("outcomes", &cases, &inputs)?;
    let repeats = run_analysis("repeats", &cases, &inputs)?;
    let table = with_cited_without_basis(&cases, &repeats, base)?;
    write_table(&table, &a.output)?;
    Ok(0)
}

/// Every analysis table of one ledger, as written by `analyze`.
pub struct Analyses {
    pub deadlines: DeadlineTable,
    pub repeats: DataFrame,
    pub hotspots: DataFrame,
    pub outcomes: DataFrame,
    pub validate: DataFrame,
}

/// The deadline table of a run (five rows a case), spilled to Arrow IPC files
/// part by part as it is computed and scanned per query, never held whole.
pub struct DeadlineTable {
    spill: std::sync::Arc<crate::spill::Spill>,
}

impl DeadlineTable {
    /// Compute the deadlines of `cases` into a spill.
    pub fn compute(
        cases: &DataFrame,
        cal: &Calendar,
        p: &deadlines::DeadlineParams,
    ) -> Result<Self> {
        let mut spill = crate::spill::Spill::new()?;
        deadlines::deadlines_in_parts(
            cases,
            cal,
            p,
            STREAMED_CASES_PER_PASS,
            |part, slice| -> Result<()> {
                // As text: a query's filter on a text column then reaches
                // the scan and keeps only the matching rows of each part.
                let part = crate::schema::plan_as_text(deadlines::with_filed_on(
                    part.lazy(),
                    slice.clone().lazy(),
                ))
                .collect()?;
                spill.write(part)
            },
        )?;
        Ok(DeadlineTable {
            spill: std::sync::Arc::new(spill),
        })
    }

    /// The table as outputs.md lists it, plus each row's case `filed_on`
    /// (for period filters), as a lazy scan.
    pub fn scan(&self) -> PolarsResult<LazyFrame> {
        self.spill.scan()
    }

    /// The table as outputs.md lists it, in memory.
    pub fn collect(&self) -> PolarsResult<DataFrame> {
        self.scan()?
            .select(
                deadlines::COLUMNS
                    .iter()
                    .map(|c| col(*c))
                    .collect::<Vec<_>>(),
            )
            .collect()
    }
}

/// Ledgers up to this many cases have their analyses run side by side;
/// larger ones one after another, so that their peaks of memory do not add
/// up, with the case table narrowed (and, for queries, spilled) half-way:
/// `Staging`.
const SIDE_BY_SIDE_MAX_CASES: usize = 2_000_000;

/// Cases whose deadlines `analyze` computes and writes at a time on a large
/// ledger (the memory of one part is about 1 KB a case).
const STREAMED_CASES_PER_PASS: usize = 250_000;

/// Names of the analyses, in the order `analyze` writes them.
const ANALYSIS_NAMES: [&str; 5] = ["deadlines", "repeats", "hotspots", "outcomes", "validate"];

/// One analysis of a ledger's cases, by its output name (the deadlines, never
/// held whole, are written in parts or spilled: `DeadlineTable`; the
/// validation table comes from the findings). The hotspots and outcomes
/// come without what they take from the repeats: [`complete_with_repeats`].
fn run_analysis(name: &str, cases: &DataFrame, inputs: &RunInputs) -> Result<DataFrame> {
    let config = inputs.config;
    Ok(match name {
        "repeats" => repeats::repeats(cases, &repeat_params(config), inputs.identities)?,
        "hotspots" => hotspots::hotspots(
            cases,
            inputs.volume,
            Period::AllQuarters,
            &hotspot_params(config, inputs.as_of),
        )?,
        "outcomes" => outcomes::outcomes(cases, inputs.as_of, config.repeats.art11_is_tolerance)?,
        other => bail!("unknown analysis {other}"),
    })
}

/// The outcomes with the cases cited under 12(5) without basis (from the
/// repeats of the same cases).
fn with_cited_without_basis(
    cases: &DataFrame,
    repeats: &DataFrame,
    outcomes: DataFrame,
) -> Result<DataFrame> {
    let listed = repeats::cited_without_basis(cases, repeats)?;
    let rows = outcomes::cited_without_basis_rows(cases, &listed)?;
    Ok(outcomes::with_cited_without_basis(outcomes, rows)?)
}

/// The hotspots and outcomes completed with what they take from the
/// repeats: `officer_repeats`, and the 12(5) citations without basis.
fn complete_with_repeats(
    cases: &DataFrame,
    repeats: &DataFrame,
    hotspots: DataFrame,
    outcomes: DataFrame,
) -> Result<(DataFrame, DataFrame)> {
    Ok((
        hotspots::with_officer_repeats(hotspots, repeats)?,
        with_cited_without_basis(cases, repeats, outcomes)?,
    ))
}

/// How a run holds the ledger while its analyses are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staging {
    /// The analyses side by side, the whole table in memory throughout.
    SideBySide,
    /// One after another: once the deadlines and outcomes (which read every
    /// column) are done, the table is spilled for the queries and only the
    /// columns of the repeats and hotspots stay in memory.
    OneAfterAnother,
}

impl Staging {
    /// Side by side up to `SIDE_BY_SIDE_MAX_CASES` cases, staged above.
    pub fn for_cases(n: usize) -> Staging {
        if n > SIDE_BY_SIDE_MAX_CASES {
            Staging::OneAfterAnother
        } else {
            Staging::SideBySide
        }
    }
}

/// The ledger's cases as the queries read them once the analyses are done.
pub enum CaseTable {
    Memory(DataFrame),
    /// Written to Arrow IPC files: each query reads only its columns.
    Spilled(std::sync::Arc<crate::spill::Spill>),
}

impl CaseTable {
    pub fn scan(&self) -> PolarsResult<LazyFrame> {
        match self {
            CaseTable::Memory(df) => Ok(df.clone().lazy()),
            CaseTable::Spilled(spill) => spill.scan(),
        }
    }
}

/// The cases with only the columns the repeats and hotspots read (the
/// others freed unless shared).
fn narrowed(cases: DataFrame) -> PolarsResult<DataFrame> {
    let mut reads: Vec<&str> = repeats::READS.to_vec();
    reads.extend(hotspots::READS);
    // the 12(5) citations without basis
    reads.push(crate::schema::CLAUSE_ITEM);
    reads.sort_unstable();
    reads.dedup();
    let few = cases.select(reads)?;
    drop(cases);
    crate::diag::memory("cases narrowed");
    Ok(few)
}

/// Run every analysis on the cases of a loaded ledger (taken: a large
/// ledger's columns are freed as soon as no analysis needs them). `cases`
/// is the ledger as it stood on `inputs.as_of` ([`scoped`]).
pub fn run_analyses(
    cases: DataFrame,
    findings: &[Finding],
    inputs: &RunInputs,
) -> Result<(Analyses, CaseTable)> {
    let staging = Staging::for_cases(cases.height());
    let (analyses, (), cases) =
        run_analyses_then(cases, findings, inputs, staging, |_, _, _| Ok(()))?;
    Ok((analyses, cases))
}

fn thread_lost() -> anyhow::Error {
    anyhow::anyhow!("分析线程意外中止")
}

/// Run every analysis and, as soon as the deadlines and outcomes are ready,
/// `then` on the cases, the deadlines and the outcomes (the report's charts),
/// beside the repeats and hotspots still running.
pub fn run_analyses_then<R: Send>(
    cases: DataFrame,
    findings: &[Finding],
    inputs: &RunInputs,
    staging: Staging,
    then: impl FnOnce(&DataFrame, LazyFrame, &DataFrame) -> Result<R> + Send,
) -> Result<(Analyses, R, CaseTable)> {
    let config = inputs.config;
    let cal = calendar(config)?;
    let validate = || -> Result<DataFrame> {
        let table = ingest::findings_frame(findings)?;
        crate::diag::memory("validate computed");
        Ok(table)
    };
    let one = |name: &str, cases: &DataFrame| {
        let table = run_analysis(name, cases, inputs);
        crate::diag::memory(&format!("{name} computed"));
        table
    };
    let spill_deadlines = |cases: &DataFrame| {
        let table = DeadlineTable::compute(cases, &cal, &deadline_params(config, inputs.as_of));
        crate::diag::memory("deadlines spilled");
        table
    };
    if staging == Staging::OneAfterAnother {
        let deadlines = spill_deadlines(&cases)?;
        let outcomes = one("outcomes", &cases)?;
        let after = then(&cases, deadlines.scan()?, &outcomes)?;
        // The queries read the cases from files; the repeats and hotspots
        // need a dozen of the columns.
        let mut spill = crate::spill::Spill::new()?;
        spill.write_in_parts(&cases, STREAMED_CASES_PER_PASS)?;
        crate::diag::memory("cases spilled");
        let few = narrowed(cases)?;
        let repeats = one("repeats", &few)?;
        let hotspots = one("hotspots", &few)?;
        let (hotspots, outcomes) = complete_with_repeats(&few, &repeats, hotspots, outcomes)?;
        drop(few);
        let analyses = Analyses {
            deadlines,
            repeats,
            hotspots,
            outcomes,
            validate: validate()?,
        };
        let cases = CaseTable::Spilled(std::sync::Arc::new(spill));
        return Ok((analyses, after, cases));
    }
    // The analyses are independent: run them side by side (each is partly
    // single-threaded Rust over sorted rows).
    let (analyses, after) = std::thread::scope(|scope| {
        let cases = &cases;
        let first = scope.spawn(|| -> Result<_> {
            let outcomes = scope.spawn(|| one("outcomes", cases));
            let deadlines = spill_deadlines(cases)?;
            let outcomes = outcomes.join().map_err(|_| thread_lost())??;
            let after = then(cases, deadlines.scan()?, &outcomes)?;
            Ok((deadlines, outcomes, after))
        });
        let r = scope.spawn(|| one("repeats", cases));
        let hotspots = one("hotspots", cases);
        let repeats = r.join().map_err(|_| thread_lost())??;
        let (deadlines, outcomes, after) = first.join().map_err(|_| thread_lost())??;
        let (hotspots, outcomes) = complete_with_repeats(cases, &repeats, hotspots?, outcomes)?;
        let analyses = Analyses {
            deadlines,
            repeats,
            hotspots,
            outcomes,
            validate: validate()?,
        };
        anyhow::Ok((analyses, after))
    })?;
    Ok((analyses, after, CaseTable::Memory(cases)))
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
        ("deadlines", &a.deadlines.collect()?),
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
    let day = as_of(a.as_of.as_deref())?;
    let format = resolve_format(&cli::OutputArgs {
        format: Some(a.format),
        output: None,
        no_bom: a.no_bom,
    });
    crate::fsutil::ensure_writable_dir(&a.out)?;
    let mut loaded = load(&a.ledger)?;
    let vol = volume(a.volume.as_deref(), &loaded.config)?;
    let ros = roster(a.roster.as_deref(), &loaded.config)?;
    let ids = identities(ros.as_ref())?;
    let opts = WriteOptions { bom: !a.no_bom };
    let progress = Progress::start("分析中");
    // Taken from the ledger: a large one's columns are freed as soon as no
    // analysis needs them.
    let (cases, _) = scoped(
        std::mem::take(&mut loaded.ledger.cases),
        &loaded.config,
        day,
    )?;
    let (config, findings) = (&loaded.config, &loaded.ledger.findings);
    let inputs = RunInputs {
        config,
        volume: vol.as_ref(),
        identities: ids.as_ref(),
        as_of: day,
    };
    let result = (|| -> Result<Vec<PathBuf>> {
        let cal = calendar(config)?;
        let path_of = |name: &str| a.out.join(format!("{name}.{}", format.extension()));
        // The deadlines (a row per case and rule) are written pass by pass,
        // never held whole; the result is the number of rows computed on
        // weekends only.
        let write_deadlines = |cases: &DataFrame| -> Result<usize> {
            let mut writer = output::PartWriter::create(&path_of("deadlines"), format, opts)?;
            let mut assumed = 0;
            deadlines::deadlines_in_parts(
                cases,
                &cal,
                &deadline_params(config, day),
                STREAMED_CASES_PER_PASS,
                |part, _| -> Result<()> {
                    assumed += assumed_calendar_rows(&part);
                    writer.write(part)
                },
            )?;
            writer.finish()?;
            crate::diag::memory("deadlines written");
            Ok(assumed)
        };
        let write = |name: &str, df: &DataFrame| -> Result<()> {
            crate::fsutil::write_atomic(&path_of(name), &output::render(df, format, opts)?)?;
            crate::diag::memory(&format!("{name} written"));
            Ok(())
        };
        let compute = |name: &str, cases: &DataFrame| -> Result<DataFrame> {
            let df = run_analysis(name, cases, &inputs)?;
            crate::diag::memory(&format!("{name} computed"));
            Ok(df)
        };
        // The repeats, the hotspots and outcomes completed from them, and
        // the validation table, written.
        let write_rest =
            |cases: &DataFrame, repeats: DataFrame, hotspots, outcomes| -> Result<()> {
                let (hotspots, outcomes) =
                    complete_with_repeats(cases, &repeats, hotspots, outcomes)?;
                write("repeats", &repeats)?;
                write("hotspots", &hotspots)?;
                write("outcomes", &outcomes)?;
                write("validate", &ingest::findings_frame(findings)?)
            };
        let assumed = if Staging::for_cases(cases.height()) == Staging::SideBySide {
            // Side by side: each analysis is partly single-threaded.
            std::thread::scope(|scope| -> Result<usize> {
                let cases = &cases;
                let deadlines = scope.spawn(|| write_deadlines(cases));
                let repeats = scope.spawn(|| compute("repeats", cases));
                let hotspots = compute("hotspots", cases)?;
                let outcomes = compute("outcomes", cases)?;
                let repeats = repeats.join().map_err(|_| thread_lost())??;
                write_rest(cases, repeats, hotspots, outcomes)?;
                deadlines.join().map_err(|_| thread_lost())?
            })?
        } else {
            // A large ledger: the deadlines written and dropped before the
            // rest is computed, so that their peaks of memory do not add up,
            // and the columns only the deadlines and outcomes read freed
            // before the repeats and hotspots.
            let assumed = write_deadlines(&cases)?;
            let outcomes = compute("outcomes", &cases)?;
            let few = narrowed(cases)?;
            let repeats = compute("repeats", &few)?;
            let hotspots = compute("hotspots", &few)?;
            write_rest(&few, repeats, hotspots, outcomes)?;
            assumed
        };
        warn_assumed_calendar(assumed);
        Ok(ANALYSIS_NAMES.into_iter().map(path_of).collect())
    })();
    progress.finish();
    let mut written = result?;
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

/// The tables registered for SQL: the ledger (with `filed_quarter` and
/// `decided_quarter`), one row per case × officer, the optional files and
/// every analysis result.
pub fn sql_tables(
    cases: &CaseTable,
    analyses: &Analyses,
    volume: Option<&Volume>,
    roster: Option<&DataFrame>,
) -> Result<Tables> {
    // The ledger with two quarter labels: a plan, so that each query computes
    // (and casts to text) only the columns and rows it reads.
    let plan = cases.scan()?;
    let cases_plan = plan.clone().with_columns([
        outcomes::quarter_expr(crate::schema::FILED_ON).alias("filed_quarter"),
        outcomes::quarter_expr(crate::schema::DECIDED_ON).alias("decided_quarter"),
    ]);
    let mut t = Tables::default();
    // One row per case × officer: built only for the queries that read it.
    t.insert_on_demand("case_officers", repeats::case_officers(plan));
    t.insert_on_demand("cases", cases_plan);
    if let CaseTable::Spilled(spill) = cases {
        t.keep(spill.clone());
    }
    t.insert_spilled("deadlines", &analyses.deadlines.spill)?;
    t.insert("repeats", analyses.repeats.clone());
    t.insert("hotspots", analyses.hotspots.clone());
    t.insert("outcomes", analyses.outcomes.clone());
    t.insert("validate", analyses.validate.clone());
    if let Some(v) = volume {
        t.insert("volume", v.to_frame()?);
    }
    if let Some(r) = roster {
        t.insert("roster", r.clone());
    }
    Ok(t)
}

fn roster(path: Option<&Path>, config: &Config) -> Result<Option<DataFrame>> {
    let Some(p) = path else { return Ok(None) };
    let opts = ReadOptions {
        encoding: Encoding::parse(&config.ledger.encoding).unwrap_or(Encoding::Auto),
        sheet: None,
        keep_summaries: true,
    };
    Ok(Some(ingest::auxiliary::read_roster(p, &opts)?))
}

fn query_dir(config: &Config) -> Option<PathBuf> {
    (!config.paths.queries.is_empty()).then(|| PathBuf::from(&config.paths.queries))
}

fn cmd_query(a: cli::QueryArgs) -> Result<i32> {
    if a.list {
        let config = Config::load(a.config.as_deref())?;
        let catalog = query::catalog(query_dir(&config).as_deref())?;
        let width = catalog.keys().map(|k| k.len()).max().unwrap_or(0);
        for q in catalog.values() {
            let origin = match &q.source {
                query::Source::Embedded => String::new(),
                query::Source::File(p) => format!("（{}）", p.display()),
            };
            println!("{:width$}  {}{origin}", q.name, q.purpose);
        }
        return Ok(0);
    }
    let Some(ledger_path) = a.ledger.clone() else {
        bail!("请给出台账文件，例如：jiucuo query ledger.csv --name overview_by_quarter");
    };
    let day = as_of(a.as_of.as_deref())?;
    let params = query_params(&a.period, day)?;
    let ledger_args = cli::LedgerArgs {
        ledger: ledger_path,
        config: a.config.clone(),
        encoding: a.encoding.clone(),
        sheet: a.sheet.clone(),
    };
    // a user's query may read any column, summaries included
    let mut loaded = load_with_summaries(&ledger_args, true)?;
    let named = match (&a.sql_file, &a.name) {
        (Some(file), _) => query::NamedQuery {
            name: file
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default(),
            purpose: String::new(),
            sql: query::load_file(file)?,
            source: query::Source::File(file.clone()),
        },
        (None, Some(name)) => {
            let mut catalog = query::catalog(query_dir(&loaded.config).as_deref())?;
            let available = catalog.keys().cloned().collect::<Vec<_>>().join("、");
            catalog.remove(name).ok_or(query::QueryError::Unknown {
                name: name.clone(),
                available,
            })?
        }
        (None, None) => bail!("请给出 .sql 文件或 --name 查询名（jiucuo query --list 查看全部）"),
    };
    let vol = volume(a.volume.as_deref(), &loaded.config)?;
    let ros = roster(a.roster.as_deref(), &loaded.config)?;
    let ids = identities(ros.as_ref())?;
    let (cases, _) = scoped(
        std::mem::take(&mut loaded.ledger.cases),
        &loaded.config,
        day,
    )?;
    let inputs = RunInputs {
        config: &loaded.config,
        volume: vol.as_ref(),
        identities: ids.as_ref(),
        as_of: day,
    };
    let (analyses, cases) = run_analyses(cases, &loaded.ledger.findings, &inputs)?;
    let tables = sql_tables(&cases, &analyses, vol.as_ref(), ros.as_ref())?;
    let df = query::run(&named, &tables, &params)?;
    write_table(&df, &a.output)?;
    Ok(0)
}

/// Query placeholders from the period flags.
pub fn query_params(period_args: &cli::PeriodArgs, as_of: NaiveDate) -> Result<query::Params> {
    let mut p = query::Params {
        as_of: Some(as_of),
        ..Default::default()
    };
    match period(period_args)? {
        Period::Quarter(q) => {
            p.quarter = Some(q);
            p.from = Some(q.first_day());
            p.to = Some(q.last_day());
        }
        Period::Range(a, b) => {
            p.from = Some(a);
            p.to = Some(b);
        }
        Period::AllQuarters => {}
    }
    Ok(p)
}

/// Options shared by the report commands and the demo.
pub struct ReportOptions {
    pub names: bool,
    pub summaries: bool,
}

/// What a report run covers.
#[derive(Debug, Clone, Copy)]
pub struct ReportScope {
    pub as_of: NaiveDate,
    /// The charts' period (None: the whole ledger).
    pub window: Option<crate::analysis::period::Window>,
    /// Width of the charts' PNGs in pixels (None: the charts' own width).
    pub png_width: Option<u32>,
    pub staging: Staging,
}

/// Everything a report run needs, loaded once.
pub struct ReportRun {
    /// The analysis tables (also registered in `tables`), as `analyze`
    /// writes them.
    pub analyses: Analyses,
    pub tables: Tables,
    pub catalog: std::collections::BTreeMap<String, query::NamedQuery>,
    pub roster: Option<DataFrame>,
    pub charts: std::collections::BTreeMap<String, crate::report::Chart>,
    /// The charts as drawn (with any skipped ones), for writing as files.
    pub chart_set: crate::chart::ChartSet,
    pub templates: crate::report::Templates,
    /// The rows, readings and as-of date every report states (统计口径说明).
    pub basis: crate::report::model::Basis,
    /// The holiday calendar (a warned unit's reply date is a working day).
    pub calendar: Calendar,
}

/// The CJK font for charts: jiucuo.toml [paths] font, JIUCUO_FONT, then known paths.
pub fn find_font(config: &Config) -> crate::chart::font::FontChoice {
    let configured = (!config.paths.font.is_empty()).then(|| PathBuf::from(&config.paths.font));
    let env = std::env::var_os(crate::chart::font::ENV_VAR);
    crate::chart::font::FontChoice::find(configured.as_deref(), env.as_deref())
}

impl ReportRun {
    /// Analyse the ledger's cases (taken: see `Staging`) for the as-of date,
    /// register every table and draw the charts.
    /// `cases` is the ledger as it stood on `scope.as_of` ([`scoped`]);
    /// `basis` says so in the reports.
    pub fn prepare(
        cases: DataFrame,
        findings: &[Finding],
        config: &Config,
        volume: Option<&Volume>,
        roster: Option<DataFrame>,
        scope: ReportScope,
        basis: crate::report::model::Basis,
    ) -> Result<ReportRun> {
        let ids = identities(roster.as_ref())?;
        let font = find_font(config);
        if let Some(m) = font.message() {
            eprintln!("{m}");
        }
        // The charts need only the deadlines and outcomes: they are drawn
        // while the repeats and hotspots are still being computed.
        let draw = |cases: &DataFrame, deadlines: LazyFrame, outcomes: &DataFrame| {
            let inputs = crate::chart::ChartInputs {
                cases,
                deadlines,
                outcomes,
                volume,
                window: scope.window,
                as_of: Some(scope.as_of),
            };
            let drawn = crate::chart::render_all_at(&inputs, &font, scope.png_width)?;
            crate::diag::memory("charts drawn");
            Ok(drawn)
        };
        let inputs = RunInputs {
            config,
            volume,
            identities: ids.as_ref(),
            as_of: scope.as_of,
        };
        let (analyses, chart_set, cases) =
            run_analyses_then(cases, findings, &inputs, scope.staging, draw)?;
        crate::diag::memory("analyses computed");
        let tables = sql_tables(&cases, &analyses, volume, roster.as_ref())?;
        crate::diag::memory("query tables registered");
        let catalog = query::catalog(query_dir(config).as_deref())?;
        let dir = (!config.paths.reports.is_empty()).then(|| PathBuf::from(&config.paths.reports));
        let charts = chart_set
            .charts
            .iter()
            .map(|c| {
                let chart = crate::report::Chart {
                    name: c.name.to_string(),
                    title: c.title.clone(),
                    svg: c.svg.clone(),
                    png: c.png.clone(),
                };
                (c.name.to_string(), chart)
            })
            .collect();
        Ok(ReportRun {
            analyses,
            tables,
            catalog,
            roster,
            charts,
            chart_set,
            templates: crate::report::Templates::new(dir),
            basis,
            calendar: calendar(config)?,
        })
    }

    fn inputs<'a>(
        &'a self,
        config: &'a Config,
        as_of: NaiveDate,
        o: &ReportOptions,
    ) -> crate::report::model::Inputs<'a> {
        crate::report::model::Inputs {
            tables: &self.tables,
            catalog: &self.catalog,
            config,
            as_of,
            roster: self.roster.as_ref(),
            basis: &self.basis,
            reply_by: self
                .calendar
                .period_end(as_of, config.report.reply_days, false)
                .deadline,
            names: o.names,
            summaries: o.summaries,
        }
    }

    /// The quarterly report (art. 19).
    pub fn quarterly(
        &self,
        config: &Config,
        q: Quarter,
        as_of: NaiveDate,
        o: &ReportOptions,
    ) -> Result<crate::report::Rendered> {
        let inputs = self.inputs(config, as_of, o);
        let (ctx, tables) = crate::report::model::quarterly(&inputs, q)?;
        let text = self.templates.render("quarterly.txt", &ctx)?;
        let title = format!("关于{}行政执法履职尽责容错纠错工作情况的报告", q.label_zh());
        crate::report::finish(
            &self.templates,
            &format!("季度报告-{}", q.label()),
            &title,
            &text,
            &tables,
            &self.charts,
        )
    }

    /// One warning notice per unit with risk points or repeats (arts. 20–21, 12(5)).
    pub fn warnings(
        &self,
        config: &Config,
        q: Quarter,
        as_of: NaiveDate,
        o: &ReportOptions,
    ) -> Result<Vec<crate::report::Rendered>> {
        let inputs = self.inputs(config, as_of, o);
        let mut out = Vec::new();
        for unit in crate::report::model::warning_units(&inputs, q)? {
            let (ctx, tables) = crate::report::model::warning(&inputs, q, &unit)?;
            let text = self.templates.render("warning.txt", &ctx)?;
            let none = std::collections::BTreeMap::new();
            out.push(crate::report::finish(
                &self.templates,
                &format!("警示提醒函-{}-{}", q.label(), unit),
                &format!("警示提醒函（{}）", ctx.unit),
                &text,
                &tables,
                &none,
            )?);
        }
        Ok(out)
    }

    /// The pilot review (art. 24).
    pub fn review(
        &self,
        config: &Config,
        as_of: NaiveDate,
        o: &ReportOptions,
    ) -> Result<crate::report::Rendered> {
        let inputs = self.inputs(config, as_of, o);
        let (ctx, tables) = crate::report::model::review(&inputs)?;
        let text = self.templates.render("review.txt", &ctx)?;
        crate::report::finish(
            &self.templates,
            "试点评估报告",
            "行政执法履职尽责容错纠错实施办法试点情况评估报告",
            &text,
            &tables,
            &self.charts,
        )
    }
}

fn cmd_report(a: cli::ReportArgs) -> Result<i32> {
    use crate::cli::ReportKind;
    let quarter =
        match (&a.quarter, a.kind) {
            (Some(q), _) => Some(Quarter::parse(q).with_context(|| {
                format!("--quarter “{q}”无法识别（可用：2026Q3、2026年第三季度）")
            })?),
            (None, ReportKind::Review) => None,
            (None, _) => bail!("季度报告和警示提醒函需要 --quarter，例如 --quarter 2026Q3"),
        };
    let as_of_arg = match &a.as_of {
        Some(t) => Some(parse_date_arg(t, "--as-of")?),
        None => None,
    };
    crate::fsutil::ensure_writable_dir(&a.out)?;
    let mut loaded = load_with_summaries(&a.ledger, a.summaries)?;
    let config = &loaded.config;
    let day = match (as_of_arg, quarter) {
        (Some(d), _) => d,
        (None, Some(q)) => q.last_day(),
        (None, None) => chrono::Local::now().date_naive().min(config.pilot.end),
    };
    let (cases, scope) = scoped(std::mem::take(&mut loaded.ledger.cases), config, day)?;
    let basis = crate::report::model::Basis::new(config, &loaded.ledger, &scope, ros_given(&a));
    let vol = volume(a.volume.as_deref(), config)?;
    let ros = roster(a.roster.as_deref(), config)?;
    if a.names && ros.is_none() {
        eprintln!("注意：--names 需要同时给出 --roster 人员名册，否则仍显示执法证号");
    }
    let progress = Progress::start("生成报告");
    let window = quarter.map(crate::analysis::period::Window::Quarter);
    let png_width = Some(crate::chart::REPORT_PNG_WIDTH);
    let report_scope = ReportScope {
        as_of: day,
        window,
        png_width,
        staging: Staging::for_cases(cases.height()),
    };
    let run = ReportRun::prepare(
        cases,
        &loaded.ledger.findings,
        config,
        vol.as_ref(),
        ros,
        report_scope,
        basis,
    );
    progress.finish();
    let run = run?;
    let o = ReportOptions {
        names: a.names,
        summaries: a.summaries,
    };
    let reports = match (a.kind, quarter) {
        (ReportKind::Quarterly, Some(q)) => vec![run.quarterly(config, q, day, &o)?],
        (ReportKind::Warnings, Some(q)) => run.warnings(config, q, day, &o)?,
        _ => vec![run.review(config, day, &o)?],
    };
    let mut written = Vec::new();
    for r in &reports {
        written.extend(crate::report::write(r, &a.out)?);
    }
    for p in &written {
        eprintln!("已写出：{}", p.display());
    }
    if a.kind == ReportKind::Warnings {
        eprintln!("{}", warnings_summary(config, reports.len()));
    }
    Ok(0)
}

/// Whether a report run was given a roster (officers matched by credential).
fn ros_given(a: &cli::ReportArgs) -> bool {
    a.roster.is_some()
}

/// One line on how many warning notices were written and why (rules.md §4).
pub fn warnings_summary(config: &Config, n: usize) -> String {
    let level = if config.letters.level == "warning" {
        "预警级以上"
    } else {
        "告警级"
    };
    if n == 0 {
        format!("本季度没有单位出现{level}易错风险点，未发警示提醒函")
    } else {
        format!("本季度 {n} 个单位出现{level}易错风险点，各发警示提醒函一份（只发给有{level}风险点的单位）")
    }
}
