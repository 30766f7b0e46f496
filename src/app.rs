//! Command dispatch: resolve arguments into a configuration, run, report.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use polars::prelude::*;

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
