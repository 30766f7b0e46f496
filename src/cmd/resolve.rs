//! Flags resolved into what the commands use, before any data is read: a
//! typo in `--quarter`, `--as-of`, `--encoding` or the configuration is
//! reported at once, not after minutes of reading a large ledger. The one
//! place jiucuo reads the clock is [`today`].

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::chart::font::FontChoice;
use crate::cli::{self, FormatArg};
use crate::config::Config;
use crate::ingest::{self, Encoding, ReadOptions};
use crate::output::TableFormat;
use crate::period::{Period, Quarter};

/// Today's date: the only reading of the clock.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A date flag in any ledger form (2026-11-30, 2026/11/30, 2026年11月30日).
pub fn date(text: &str, what: &str) -> Result<NaiveDate> {
    match ingest::values::parse_date(text) {
        Ok(Some(d)) => Ok(d),
        _ => {
            bail!("{what}“{text}”不是有效日期（可用格式：2026-11-30、2026/11/30、2026年11月30日）")
        }
    }
}

/// The as-of date: given, else today.
pub fn as_of(arg: Option<&str>) -> Result<NaiveDate> {
    match arg {
        Some(t) => date(t, "--as-of"),
        None => Ok(today()),
    }
}

/// A `--quarter` flag (`2026Q3`, `2026年第三季度`).
pub fn quarter(text: &str) -> Result<Quarter> {
    Quarter::parse(text)
        .with_context(|| format!("--quarter “{text}”无法识别（可用：2026Q3、2026年第三季度）"))
}

/// The period flags: a quarter, a date range, or every quarter.
pub fn period(args: &cli::PeriodArgs) -> Result<Period> {
    if let Some(q) = &args.quarter {
        return Ok(Period::Quarter(quarter(q)?));
    }
    match (&args.from, &args.to) {
        (Some(a), Some(b)) => {
            let (a, b) = (date(a, "--from")?, date(b, "--to")?);
            if b < a {
                bail!("--to {b} 早于 --from {a}");
            }
            Ok(Period::Range(a, b))
        }
        _ => Ok(Period::AllQuarters),
    }
}

/// The output format: explicit, else from the file extension, else by terminal.
pub fn format(args: &cli::OutputArgs) -> TableFormat {
    use std::io::IsTerminal;
    if let Some(f) = args.format {
        return table_format(f);
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

/// The table format of a `--format` value.
pub fn table_format(f: FormatArg) -> TableFormat {
    match f {
        FormatArg::Table => TableFormat::Table,
        FormatArg::Csv => TableFormat::Csv,
        FormatArg::Json => TableFormat::Json,
        FormatArg::Ndjson => TableFormat::Ndjson,
        FormatArg::Parquet => TableFormat::Parquet,
        FormatArg::Arrow => TableFormat::Arrow,
        FormatArg::ArrowStream => TableFormat::ArrowStream,
        FormatArg::Xlsx => TableFormat::Xlsx,
    }
}

/// A CSV encoding, from the flag or the configuration; an unknown one is an
/// error for every file (ledger, volume, roster alike).
pub fn encoding(flag: Option<&str>, config: &Config) -> Result<Encoding> {
    let text = flag.unwrap_or(&config.ledger.encoding);
    Encoding::parse(text).with_context(|| {
        let whence = if flag.is_some() {
            "--encoding".to_string()
        } else {
            "jiucuo.toml [ledger] encoding".to_string()
        };
        format!("{whence} “{text}”无法识别（可用：auto、utf-8、gbk）")
    })
}

/// How the optional files (volume, roster, letters register) are read: the
/// encoding the ledger is read with, the first sheet.
pub fn side_file_options(encoding: Encoding) -> ReadOptions {
    ReadOptions {
        encoding,
        sheet: None,
        keep_summaries: true,
    }
}

/// Where a ledger comes from and how it is read, resolved without opening it.
pub struct LedgerSource {
    pub path: PathBuf,
    pub format: ingest::Format,
    pub options: ReadOptions,
    pub config: Config,
}

impl LedgerSource {
    /// Resolve the ledger flags and the configuration (read here: it is
    /// small, and its errors come before any data is read).
    pub fn resolve(args: &cli::LedgerArgs, keep_summaries: bool) -> Result<LedgerSource> {
        let config = Config::load(args.config.as_deref())?;
        let encoding = encoding(args.encoding.as_deref(), &config)?;
        let sheet = args
            .sheet
            .clone()
            .or_else(|| Some(config.ledger.sheet.clone()).filter(|s| !s.is_empty()));
        let format = ingest::Format::from_path(&args.ledger).ok_or_else(|| {
            ingest::IngestError::UnknownFormat {
                path: args.ledger.clone(),
            }
        })?;
        Ok(LedgerSource {
            path: args.ledger.clone(),
            format,
            options: ReadOptions {
                encoding,
                sheet,
                keep_summaries,
            },
            config,
        })
    }

    /// The optional files' read options (the ledger's encoding).
    pub fn side_files(&self) -> ReadOptions {
        side_file_options(self.options.encoding)
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

/// The CJK font for charts: jiucuo.toml [paths] font, JIUCUO_FONT, then known paths.
pub fn font(config: &Config) -> FontChoice {
    let configured = (!config.paths.font.is_empty()).then(|| PathBuf::from(&config.paths.font));
    let env = std::env::var_os(crate::chart::font::ENV_VAR);
    FontChoice::find(configured.as_deref(), env.as_deref())
}
