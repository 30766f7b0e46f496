//! Report models: the numbers and tables each template receives, every one
//! taken from a named query (queries/*.sql) so a reader can trace it, and
//! every sentence that states a conclusion fired by a number the report
//! prints (rules.md §5). One file per report; what they share is here.

mod common;
mod effect;
mod quarterly;
mod review;
mod warning;

pub use common::{clause_zh, date_zh, pct, Basis, Inputs, RiskPointText, Share};
pub use quarterly::{quarterly, Quarterly};
pub use review::{review, Review};
pub use warning::{warning, warning_units, Warning};
