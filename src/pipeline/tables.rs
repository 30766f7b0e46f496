//! The tables a run holds for queries and reports: the deadline table
//! spilled to files and scanned per query, the cases in memory or spilled,
//! and the analysis tables as `analyze` writes them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use polars::prelude::*;

use crate::analysis::deadlines;
use crate::calendar::Calendar;
use crate::output::{self, TableFormat, WriteOptions};
use crate::spill::Spill;

/// Cases whose deadlines are computed and written (or spilled) at a time on
/// a large ledger (the memory of one part is about 1 KB a case).
pub const STREAMED_CASES_PER_PASS: usize = 250_000;

/// The deadline table of a run (five rows a case), spilled to Arrow IPC files
/// part by part as it is computed and scanned per query, never held whole.
pub struct DeadlineTable {
    spill: Arc<Spill>,
}

impl DeadlineTable {
    /// Compute the deadlines of `cases` into a spill.
    pub fn compute(
        cases: &DataFrame,
        cal: &Calendar,
        p: &deadlines::DeadlineParams,
    ) -> Result<Self> {
        let mut spill = Spill::new()?;
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
            spill: Arc::new(spill),
        })
    }

    /// The table as outputs.md lists it, plus each row's case `filed_on`
    /// (for period filters), as a lazy scan.
    pub fn scan(&self) -> PolarsResult<LazyFrame> {
        self.spill.scan()
    }

    /// The spill, to keep it alive as long as a plan reads it.
    pub fn spill(&self) -> &Arc<Spill> {
        &self.spill
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

/// The ledger's cases as the queries read them once the analyses are done.
pub enum CaseTable {
    Memory(DataFrame),
    /// Written to Arrow IPC files: each query reads only its columns.
    Spilled(Arc<Spill>),
}

impl CaseTable {
    pub fn scan(&self) -> PolarsResult<LazyFrame> {
        match self {
            CaseTable::Memory(df) => Ok(df.clone().lazy()),
            CaseTable::Spilled(spill) => spill.scan(),
        }
    }
}

/// Every analysis table of one ledger, as `analyze` writes them.
pub struct Analyses {
    pub deadlines: DeadlineTable,
    pub repeats: DataFrame,
    pub hotspots: DataFrame,
    pub outcomes: DataFrame,
    pub validate: DataFrame,
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
