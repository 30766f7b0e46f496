//! Periods: calendar quarters, analysis windows (a quarter or a date range),
//! the periods an analysis covers, and dates as the day numbers polars holds
//! them in (ledger.md §Periods). One type family for every layer.

use chrono::{Datelike, Duration, NaiveDate};

/// Days since 1970-01-01 (a polars Date's physical value).
pub fn days_since_epoch(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch")).num_days() as i32
}

/// The date of a polars Date physical value.
pub fn date_from_days(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch") + Duration::days(days as i64)
}

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    pub q: u32,
}

impl Quarter {
    pub fn of(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    /// `2025Q3`
    pub fn label(&self) -> String {
        format!("{}Q{}", self.year, self.q)
    }

    /// `2025年第三季度`
    pub fn label_zh(&self) -> String {
        const N: [&str; 5] = ["", "一", "二", "三", "四"];
        format!("{}年第{}季度", self.year, N[self.q.clamp(1, 4) as usize])
    }

    /// An index increasing by one per quarter (for arithmetic).
    pub fn index(&self) -> i64 {
        self.year as i64 * 4 + (self.q as i64 - 1)
    }

    pub fn from_index(i: i64) -> Quarter {
        Quarter {
            year: i.div_euclid(4) as i32,
            q: (i.rem_euclid(4) + 1) as u32,
        }
    }

    pub fn prev(&self) -> Quarter {
        Quarter::from_index(self.index() - 1)
    }

    pub fn next(&self) -> Quarter {
        Quarter::from_index(self.index() + 1)
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(&self) -> NaiveDate {
        Quarter::from_index(self.index() + 1).first_day() - Duration::days(1)
    }

    /// Parse `2026Q3`, `2026q3`, `2026-Q3`, `2026年第三季度`.
    pub fn parse(text: &str) -> Option<Quarter> {
        match crate::ingest::values::parse_quarter(text) {
            Ok(Some((year, q))) if (1..=4).contains(&q) => Some(Quarter { year, q }),
            _ => None,
        }
    }
}

/// An analysis window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Quarter(Quarter),
    Range(NaiveDate, NaiveDate),
}

impl Window {
    pub fn label(&self) -> String {
        match self {
            Window::Quarter(q) => q.label(),
            Window::Range(a, b) => format!("{a}..{b}"),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        match self {
            Window::Quarter(q) => q.first_day(),
            Window::Range(a, _) => *a,
        }
    }

    pub fn last_day(&self) -> NaiveDate {
        match self {
            Window::Quarter(q) => q.last_day(),
            Window::Range(_, b) => *b,
        }
    }

    /// A filter on rows whose `filed_on` falls in the window.
    pub fn filed_within(&self) -> polars::prelude::Expr {
        use polars::prelude::*;
        let day = |d: NaiveDate| lit(days_since_epoch(d)).cast(DataType::Date);
        col(crate::schema::FILED_ON)
            .gt_eq(day(self.first_day()))
            .and(col(crate::schema::FILED_ON).lt_eq(day(self.last_day())))
    }

    /// The `n` windows before this one, nearest first: previous quarters, or
    /// ranges of the same length immediately before.
    pub fn previous(&self, n: u32) -> Vec<Window> {
        match self {
            Window::Quarter(q) => (1..=n as i64)
                .map(|k| Window::Quarter(Quarter::from_index(q.index() - k)))
                .collect(),
            Window::Range(a, b) => {
                let len = (*b - *a).num_days() + 1;
                (1..=n as i64)
                    .map(|k| {
                        Window::Range(*a - Duration::days(len * k), *b - Duration::days(len * k))
                    })
                    .collect()
            }
        }
    }
}

/// The windows an analysis covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Every quarter the data spans.
    AllQuarters,
    Quarter(Quarter),
    Range(NaiveDate, NaiveDate),
}

/// Every quarter from the one holding `first` to the one holding `last`.
pub fn quarters_between(first: NaiveDate, last: NaiveDate) -> Vec<Quarter> {
    let (a, b) = (Quarter::of(first).index(), Quarter::of(last).index());
    (a..=b).map(Quarter::from_index).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_arithmetic() {
        let q = Quarter::parse("2026Q1").unwrap();
        assert_eq!(q.prev().label(), "2025Q4");
        assert_eq!(q.first_day(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(q.last_day(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        assert_eq!(
            Quarter::parse("2025年第三季度").unwrap().label_zh(),
            "2025年第三季度"
        );
        let prev = Window::Quarter(q).previous(4);
        assert_eq!(
            prev.iter().map(|w| w.label()).collect::<Vec<_>>(),
            ["2025Q4", "2025Q3", "2025Q2", "2025Q1"]
        );
        let r = Window::Range(
            NaiveDate::from_ymd_opt(2025, 3, 11).unwrap(),
            NaiveDate::from_ymd_opt(2025, 3, 20).unwrap(),
        );
        assert_eq!(r.previous(1)[0].label(), "2025-03-01..2025-03-10");
    }
}
