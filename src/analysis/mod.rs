//! Analyses of the validated ledger: deadlines, repeats, risk points, outcomes.

pub mod deadlines;
pub mod determination;
pub mod effect;
pub mod hotspots;
pub mod outcomes;
pub mod repeats;
pub mod scope;
pub mod stats;

use polars::prelude::{DataFrame, PolarsResult, StringChunked};
use polars::series::IsSorted;
use polars_arrow::array::{Array, Utf8ViewArray};

/// Whether the cases' rows are in case-id text order, as ingest flags a
/// ledger after comparing every neighbouring pair of ids: analyses that walk
/// cases in that order take the rows as they are instead of sorting ids.
pub(crate) fn listed_in_case_id_order(cases: &DataFrame) -> PolarsResult<bool> {
    Ok(cases
        .column(crate::schema::CASE_ID)?
        .as_materialized_series()
        .is_sorted_flag()
        == IsSorted::Ascending)
}

/// A text column of many chunks read by row, without a contiguous copy.
pub(crate) struct TextByRow<'a> {
    chunks: Vec<&'a Utf8ViewArray>,
    /// Row of each chunk's first value.
    starts: Vec<usize>,
}

impl<'a> TextByRow<'a> {
    pub(crate) fn new(text: &'a StringChunked) -> Self {
        let chunks: Vec<&Utf8ViewArray> = text.downcast_iter().collect();
        let mut starts = Vec::with_capacity(chunks.len());
        let mut row = 0;
        for c in &chunks {
            starts.push(row);
            row += c.len();
        }
        TextByRow { chunks, starts }
    }

    /// The column's chunks, in order.
    pub(crate) fn chunks(&self) -> &[&'a Utf8ViewArray] {
        &self.chunks
    }

    /// The chunk holding `row`, and the row's place in it.
    pub(crate) fn locate(&self, row: usize) -> Option<(usize, usize)> {
        let chunk = self.starts.partition_point(|&s| s <= row).checked_sub(1)?;
        let i = row - self.starts[chunk];
        (i < self.chunks[chunk].len()).then_some((chunk, i))
    }

    pub(crate) fn get(&self, row: usize) -> Option<&'a str> {
        let (chunk, i) = self.locate(row)?;
        let values = self.chunks[chunk];
        values.is_valid(i).then(|| values.value(i))
    }
}
