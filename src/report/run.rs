//! A report run: the analyses of a ledger, every table registered for the
//! named queries, and the charts drawn once; then each report (quarterly,
//! warning notices, review) rendered from them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

use super::markup::Chart;
use super::model::{self, Basis};
use super::{Rendered, Templates};
use crate::calendar::Calendar;
use crate::chart::font::FontChoice;
use crate::config::Config;
use crate::ingest::auxiliary::Volume;
use crate::period::{Quarter, Window};
use crate::pipeline::{self, Analyses, DeadlineTable, RunInputs, Staging};
use crate::query::{self, Tables};

/// Options shared by the report commands and the demo.
pub struct ReportOptions {
    pub names: bool,
    pub summaries: bool,
}

/// What a report run covers.
#[derive(Clone, Copy)]
pub struct ReportScope<'a> {
    pub as_of: NaiveDate,
    /// The charts' period (None: the whole ledger).
    pub window: Option<Window>,
    /// Width of the charts' PNGs in pixels (None: the charts' own width).
    pub png_width: Option<u32>,
    pub staging: Staging,
    /// The CJK font the charts are drawn with.
    pub font: &'a FontChoice,
    /// The holiday calendar (deadlines; a notice's reply date).
    pub calendar: &'a Calendar,
}

/// Everything a report run needs, loaded once.
pub struct ReportRun {
    /// The analysis tables (also registered in `tables`), as `analyze`
    /// writes them.
    pub analyses: Analyses,
    pub tables: Tables,
    pub catalog: BTreeMap<String, query::NamedQuery>,
    pub roster: Option<DataFrame>,
    pub charts: BTreeMap<String, Chart>,
    /// The charts as drawn (with any skipped ones), for writing as files.
    pub chart_set: crate::chart::ChartSet,
    pub templates: Templates,
    /// The rows, readings and as-of date every report states (统计口径说明).
    pub basis: model::Basis,
    /// The holiday calendar (a warned unit's reply date is a working day).
    pub calendar: Calendar,
    /// Enforcement volume was given.
    pub with_volume: bool,
    /// The charts' font (the review draws its own effect chart).
    pub font: crate::chart::font::FontChoice,
    /// Width of the charts' PNGs.
    pub png_width: Option<u32>,
}

impl ReportRun {
    /// Analyse the ledger's cases (taken: see `Staging`) for the as-of date,
    /// register every table and draw the charts.
    /// `cases` is the ledger as it stood on `scope.as_of` ([`scoped`]);
    /// `basis` says so in the reports.
    pub fn prepare(
        cases: DataFrame,
        validate: DataFrame,
        config: &Config,
        volume: Option<&Volume>,
        roster: Option<DataFrame>,
        scope: ReportScope<'_>,
        basis: Basis,
    ) -> Result<ReportRun> {
        let ids = pipeline::identities(roster.as_ref())?;
        let cal = scope.calendar.clone();
        // The charts need only the deadlines and outcomes: they are drawn
        // while the repeats and hotspots are still being computed.
        let draw = |cases: &DataFrame, deadlines: &DeadlineTable, outcomes: &DataFrame| {
            let inputs = crate::chart::ChartInputs {
                cases,
                deadlines: deadlines.scan()?,
                outcomes,
                volume,
                window: scope.window,
                as_of: Some(scope.as_of),
            };
            let drawn = crate::chart::render_all_at(&inputs, scope.font, scope.png_width)?;
            crate::diag::memory("charts drawn");
            Ok(drawn)
        };
        let inputs = RunInputs {
            config,
            volume,
            identities: ids.as_ref(),
            as_of: scope.as_of,
        };
        let spill_deadlines = |cases: &DataFrame| {
            DeadlineTable::compute(cases, &cal, &pipeline::deadline_params(config, scope.as_of))
        };
        let run = pipeline::analyse(cases, &inputs, scope.staging, true, spill_deadlines, draw)?;
        crate::diag::memory("analyses computed");
        let analyses = Analyses {
            deadlines: run.deadlines,
            repeats: run.repeats,
            hotspots: run.hotspots,
            outcomes: run.outcomes,
            validate,
        };
        let cases = run
            .cases
            .ok_or_else(|| anyhow::anyhow!("the run kept no cases"))?;
        let tables = query::tables_of(&cases, &analyses, volume, roster.as_ref())?;
        crate::diag::memory("query tables registered");
        let catalog = query::catalog(config.queries_dir().as_deref())?;
        let dir = (!config.paths.reports.is_empty()).then(|| PathBuf::from(&config.paths.reports));
        let chart_set = run.after;
        let charts = chart_set
            .charts
            .iter()
            .map(|c| {
                let chart = Chart {
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
            templates: Templates::new(dir),
            basis,
            calendar: cal,
            with_volume: volume.is_some(),
            font: scope.font.clone(),
            png_width: scope.png_width,
        })
    }

    fn inputs<'a>(
        &'a self,
        config: &'a Config,
        as_of: NaiveDate,
        o: &ReportOptions,
    ) -> model::Inputs<'a> {
        model::Inputs {
            tables: &self.tables,
            catalog: &self.catalog,
            config,
            as_of,
            roster: self.roster.as_ref(),
            basis: &self.basis,
            with_volume: self.with_volume,
            reply_by: self
                .calendar
                .period_end(as_of, config.report.reply_days, false)
                .deadline,
            names: o.names,
            summaries: o.summaries,
        }
    }

    /// The quarterly report's numbers, as its text states them (the
    /// workbench's overview shows the same figures).
    pub fn quarterly_facts(
        &self,
        config: &Config,
        q: Quarter,
        as_of: NaiveDate,
    ) -> Result<model::Quarterly> {
        let o = ReportOptions {
            names: false,
            summaries: false,
        };
        Ok(model::quarterly(&self.inputs(config, as_of, &o), q)?.0)
    }

    /// The quarterly report (art. 19).
    pub fn quarterly(
        &self,
        config: &Config,
        q: Quarter,
        as_of: NaiveDate,
        o: &ReportOptions,
    ) -> Result<Rendered> {
        let inputs = self.inputs(config, as_of, o);
        let (mut ctx, tables) = model::quarterly(&inputs, q)?;
        let stem = format!("季度报告-{}", q.label());
        ctx.appendix = format!("{}.xlsx", crate::fsutil::safe_file_stem(&stem));
        let text = self.templates.render("quarterly.txt", &ctx)?;
        let title = format!("关于{}行政执法履职尽责容错纠错工作情况的报告", q.label_zh());
        super::finish(&self.templates, &stem, &title, &text, &tables, &self.charts)
    }

    /// One warning notice per unit with a risk point of its own at the
    /// configured level (arts. 20–21).
    pub fn warnings(
        &self,
        config: &Config,
        q: Quarter,
        as_of: NaiveDate,
        o: &ReportOptions,
    ) -> Result<Vec<Rendered>> {
        let inputs = self.inputs(config, as_of, o);
        let mut out = Vec::new();
        for unit in model::warning_units(&inputs, q)? {
            let (mut ctx, tables) = model::warning(&inputs, q, &unit)?;
            let stem = format!("警示提醒函-{}-{}", q.label(), unit);
            ctx.appendix = format!("{}.xlsx", crate::fsutil::safe_file_stem(&stem));
            let text = self.templates.render("warning.txt", &ctx)?;
            let none = std::collections::BTreeMap::new();
            out.push(super::finish(
                &self.templates,
                &stem,
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
        compared: Option<&crate::pipeline::whatif::Compared>,
        letters: Option<&[crate::ingest::auxiliary::Letter]>,
    ) -> Result<Rendered> {
        let inputs = self.inputs(config, as_of, o);
        let (ctx, tables) = model::review(&inputs, compared, letters)?;
        let mut charts = self.charts.clone();
        let drawn = crate::chart::effect::chart(
            &ctx.effect.points,
            &format!("范围：{}中可比较的风险点", ctx.effect.source),
            &self.font,
        );
        let (series, quarters) = &ctx.compliance_series;
        let trend = crate::chart::compliance_trend::chart(series, quarters, &self.font);
        for d in [drawn, trend] {
            let c = crate::chart::render(&d, &self.font, self.png_width)?;
            charts.insert(
                c.name.to_string(),
                Chart {
                    name: c.name.to_string(),
                    title: c.title,
                    svg: c.svg,
                    png: c.png,
                },
            );
        }
        let text = self.templates.render("review.txt", &ctx)?;
        super::finish(
            &self.templates,
            "试点评估报告",
            "关于行政执法履职尽责容错纠错实施办法试点情况的评估报告",
            &text,
            &tables,
            &charts,
        )
    }
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
