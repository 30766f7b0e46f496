//! Command-line types (clap). Nothing else in the crate imports clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "jiucuo",
    version,
    about = "纠错：行政执法履职尽责容错纠错案件台账分析工具",
    long_about = "读取行政执法监督案件台账（CSV/XLSX/Parquet/Arrow），校验每一行，计算办理期限、重复错误（第十二条第（五）项）、易错风险点（第二十一条），并生成报告。\n\n退出码：0 正常；1 发现问题（配合 --fail-on-error 等选项）；2 输入或用法有误。"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 校验台账：逐行核对，输出问题清单与拒收文件
    Validate(ValidateArgs),
    /// 办理期限（第十五至二十二条）：逐案逐项判断是否按期
    Deadlines(DeadlinesArgs),
    /// 重复错误（第十二条第（五）项）：按人员列出重复出现的同类失误
    Repeats(RepeatsArgs),
    /// 判断某人员在某问题上是否因第十二条第（五）项不予容错（被阻却时退出码为 1）
    Check(CheckArgs),
    /// 易错风险点（第二十一条）：频发、集中、上升、持续
    Hotspots(HotspotsArgs),
    /// 认定结果与条款适用、复核、整改、举报反馈统计
    Outcomes(OutcomesArgs),
    /// 一次读入台账，写出全部分析表
    Analyze(AnalyzeArgs),
    /// 口径比较：同一台账按两种口径（对办法的两种理解）分析，列出结果的差别
    Whatif(WhatifArgs),
    /// 运行 SQL 查询（queries/ 中的命名查询或自己的 .sql 文件）
    Query(QueryArgs),
    /// 生成报告：季度报告、警示提醒函、试点评估报告（Word、HTML、Excel）
    Report(ReportArgs),
    /// 生成图表（SVG 与 PNG）：单位×领域热力图、问题类型帕累托图、认定结果趋势、问题率漏斗图、期限执行、条款适用
    Charts(ChartsArgs),
    /// 生成带说明的默认配置文件 jiucuo.toml
    Init(InitArgs),
    /// 生成空白台账模板（XLSX，含下拉选项）
    Template(TemplateArgs),
    /// 生成模拟台账（含名册、执法量与埋设情况说明）
    Generate(GenerateArgs),
    /// 用内置模拟数据运行全部流程并写出全部结果
    Demo(DemoArgs),
    /// 启动本机网页工作台（载入台账、概览、报告、核查、设置），在浏览器中使用
    Serve(ServeArgs),
}

/// Where the ledger comes from and how to read it.
#[derive(Debug, Clone, Args)]
pub struct LedgerArgs {
    /// 案件台账文件（.csv、.xlsx、.parquet、.arrow/.feather/.ipc）
    pub ledger: PathBuf,
    /// 配置文件（默认：当前目录的 jiucuo.toml，如有）
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// CSV 编码：auto、utf-8、gbk
    #[arg(long, value_name = "ENC")]
    pub encoding: Option<String>,
    /// XLSX 工作表名称（默认读取表头与台账相符的全部工作表）
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Csv,
    Json,
    Ndjson,
    Parquet,
    Arrow,
    ArrowStream,
    Xlsx,
}

/// How a result table is written.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// 输出格式（默认：终端上为 table，否则为 csv；或按 --output 的扩展名）
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// 输出文件（默认：标准输出）
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV 不写 BOM（默认写 BOM，便于 Excel 正确打开）
    #[arg(long)]
    pub no_bom: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub ledger: LedgerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// 拒收文件（XLSX；默认：当前目录下“台账文件名.rejects.xlsx”，仅在有拒收行时写出）
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// 有拒收行时以退出码 1 结束
    #[arg(long)]
    pub fail_on_error: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// 输出路径
    #[arg(long, default_value = "jiucuo.toml")]
    pub out: PathBuf,
    /// 覆盖已有文件
    #[arg(long)]
    pub force: bool,
    /// 按此台账文件的表头生成 [ledger.headers] 映射（推测项标注“请核对”）
    #[arg(long, value_name = "LEDGER")]
    pub from: Option<PathBuf>,
    /// 配合 --from：CSV 编码（auto、utf-8、gbk）
    #[arg(long, value_name = "ENC", requires = "from")]
    pub encoding: Option<String>,
    /// 配合 --from：XLSX 工作表名称（默认取表头最像台账的一张）
    #[arg(long, value_name = "NAME", requires = "from")]
    pub sheet: Option<String>,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// 输出的 XLSX 文件
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// 案件行数
    #[arg(long, default_value_t = 5000)]
    pub rows: usize,
    /// 随机种子（同一种子生成完全相同的文件）
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 输出文件夹
    #[arg(long)]
    pub out: PathBuf,
    /// 混入各类错误行（用于检验校验功能）
    #[arg(long)]
    pub dirty: bool,
    /// 不埋设任何规律（重复失误、期限、风险点）：只有基准比例的台账，用于检验误报
    #[arg(long)]
    pub no_plants: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// 端口（只在本机 127.0.0.1 上监听；0 = 任选空闲端口）
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// 启动后用默认浏览器打开工作台
    #[arg(long)]
    pub open: bool,
    /// 配置文件（默认：当前目录的 jiucuo.toml；“设置”页保存到此文件）
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// 上传文件大小上限（MB）
    #[arg(long, value_name = "MB", default_value_t = 500)]
    pub max_upload_mb: u64,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// 输出文件夹
    #[arg(long, default_value = "jiucuo-demo")]
    pub out: PathBuf,
    /// 模拟案件行数
    #[arg(long, default_value_t = 5000)]
    pub rows: usize,
}

#[derive(Debug, Args)]
pub struct DeadlinesArgs {
    #[command(flatten)]
    pub ledger: LedgerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// 基准日：此后发生的事项视为尚未发生（默认：今天）
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct RepeatsArgs {
    #[command(flatten)]
    pub ledger: LedgerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// “同一问题”还要求执法领域相同
    #[arg(long)]
    pub same_domain: bool,
    /// 只看该天数以内的在先案件（0 = 不限）
    #[arg(long, value_name = "DAYS")]
    pub lookback_days: Option<u32>,
    /// 基准日：此后发生的事项视为尚未发生（默认：今天）
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// 人员名册（有则按执法证号识别同一人员）
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub ledger: LedgerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// 人员（执法证号或姓名，与台账“涉及人员”一致）
    #[arg(long)]
    pub officer: String,
    /// 问题类型
    #[arg(long)]
    pub problem: String,
    /// 执法领域（给出时只看同一领域）
    #[arg(long)]
    pub domain: Option<String>,
    /// 本次失误属主观原因
    #[arg(long)]
    pub subjective: bool,
    /// 拟作认定的日期（默认：今天）：此后发生的事项视为尚未发生
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// 拟认定的案件在台账中的编号：按其立案日期比对，且不与自身比对
    #[arg(long, value_name = "ID", conflicts_with = "filed")]
    pub case: Option<String>,
    /// 拟认定案件的立案日期（不在台账中时；默认：认定日期）
    #[arg(long, value_name = "DATE")]
    pub filed: Option<String>,
    /// 人员名册（有则按执法证号识别同一人员）
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
}

/// Which period to analyse.
#[derive(Debug, Clone, Args)]
pub struct PeriodArgs {
    /// 季度，如 2026Q3 或 2026年第三季度
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub quarter: Option<String>,
    /// 起始日期（与 --to 同用）
    #[arg(long, requires = "to", value_name = "DATE")]
    pub from: Option<String>,
    /// 截止日期（与 --from 同用）
    #[arg(long, requires = "from", value_name = "DATE")]
    pub to: Option<String>,
}

#[derive(Debug, Args)]
pub struct HotspotsArgs {
    #[command(flatten)]
    pub ledger: LedgerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    /// 执法量文件（有则按执法量测算期望件数，并分析单位×领域）
    #[arg(long, value_name = "FILE")]
    pub volume: Option<PathBuf>,
    /// 基准日：此后发生的事项视为尚未发生（默认：今天）
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// 人员名册（有则按执法证号识别同一人员）
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct OutcomesArgs {
    #[command(flatten)]
    pub ledger: LedgerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// 基准日：此后发生的事项视为尚未发生（默认：今天）
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// 人员名册（有则按执法证号识别同一人员）
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub ledger: LedgerArgs,
    /// 执法量文件
    #[arg(long, value_name = "FILE")]
    pub volume: Option<PathBuf>,
    /// 人员名册（有则按执法证号识别同一人员）
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// 基准日：此后发生的事项视为尚未发生（默认：今天）
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// 输出文件夹
    #[arg(long)]
    pub out: PathBuf,
    /// 输出格式
    #[arg(long, value_enum, default_value = "csv")]
    pub format: FormatArg,
    /// CSV 不写 BOM
    #[arg(long)]
    pub no_bom: bool,
}

#[derive(Debug, Args)]
pub struct WhatifArgs {
    /// 台账与口径 A（--config，默认当前目录的 jiucuo.toml 或内置默认口径）
    #[command(flatten)]
    pub ledger: LedgerArgs,
    /// 口径 B：配置文件，或内置口径名称：工作日计算短期间、第十一条计为容错、
    /// 容错后再犯须主观原因、同一问题限同一领域、只看一年内在先案件（在口径 A 上改这一项）
    #[arg(long, value_name = "FILE|NAME")]
    pub vs: String,
    /// 执法量文件
    #[arg(long, value_name = "FILE")]
    pub volume: Option<PathBuf>,
    /// 人员名册（有则按执法证号识别同一人员）
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// 基准日：此后发生的事项视为尚未发生（默认：今天）
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// 输出文件夹
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// 案件台账文件（--list 时可省略）
    pub ledger: Option<PathBuf>,
    /// 自己的 .sql 文件
    #[arg(conflicts_with_all = ["name", "list"])]
    pub sql_file: Option<PathBuf>,
    /// 命名查询的名称（见 --list）
    #[arg(long, conflicts_with = "list")]
    pub name: Option<String>,
    /// 列出全部命名查询及用途
    #[arg(long)]
    pub list: bool,
    /// 配置文件
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// CSV 编码：auto、utf-8、gbk
    #[arg(long, value_name = "ENC")]
    pub encoding: Option<String>,
    /// XLSX 工作表名称（默认读取表头与台账相符的全部工作表）
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    #[command(flatten)]
    pub period: PeriodArgs,
    /// 基准日：此后发生的事项视为尚未发生（默认：今天）
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// 执法量文件（注册为 volume 表）
    #[arg(long, value_name = "FILE")]
    pub volume: Option<PathBuf>,
    /// 人员名册（注册为 roster 表）
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    /// 向区政府的季度报告（第十九条）
    Quarterly,
    /// 各单位警示提醒函（第二十、二十一条）
    Warnings,
    /// 试点期评估报告（第二十四条）
    Review,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// 报告类型
    #[arg(value_enum)]
    pub kind: ReportKind,
    #[command(flatten)]
    pub ledger: LedgerArgs,
    /// 季度（季度报告、警示提醒函必填），如 2026Q3
    #[arg(long)]
    pub quarter: Option<String>,
    /// 执法量文件
    #[arg(long, value_name = "FILE")]
    pub volume: Option<PathBuf>,
    /// 人员名册（配合 --names 显示姓名）
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// 显示人员姓名（默认只显示执法证号）
    #[arg(long)]
    pub names: bool,
    /// 在案件清单中列出简要案情（默认不列）
    #[arg(long)]
    pub summaries: bool,
    /// 报告基准日（默认：季度最后一天；评估报告为试点结束日与今天中较早者）
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// 输出文件夹
    #[arg(long)]
    pub out: PathBuf,
    /// 试点评估报告加“口径比较”一章：与此口径（配置文件或内置口径名称，见 whatif）的结果比较
    #[arg(long, value_name = "FILE|NAME")]
    pub compare: Option<String>,
    /// 试点评估报告：提醒函登记（执法单位、发函日期、问题类型；CSV 或 XLSX）。不给出时按本工具的发函规则认定发函
    #[arg(long, value_name = "FILE")]
    pub letters: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ChartsArgs {
    #[command(flatten)]
    pub ledger: LedgerArgs,
    /// 季度，如 2026Q3 或 2026年第三季度（热力图、帕累托图、漏斗图、期限执行只统计该季度立案的案件；默认全部）
    #[arg(long)]
    pub quarter: Option<String>,
    /// 执法量文件（漏斗图需要；没有则不生成漏斗图）
    #[arg(long, value_name = "FILE")]
    pub volume: Option<PathBuf>,
    /// 基准日：此后发生的事项视为尚未发生（默认：今天）
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// 输出文件夹（每幅图写出 名称.svg 与 名称.png）
    #[arg(long)]
    pub out: PathBuf,
}
