//! Working-day calendar for deadlines: official holiday schedules plus a weekends-only fallback.
//!
//! The holiday file (`data/holidays-cn.csv`, embedded as [`EMBEDDED_HOLIDAYS`]) has one row per
//! special date, `date,kind,name`, where `kind` is `holiday` (a statutory day off, including
//! weekend days inside the holiday block) or `workday` (a make-up working day on a weekend,
//! 调休上班). A year is *covered* only when a `# covers: YYYY` comment line declares it. For a
//! date in a year that is not covered only Saturdays and Sundays are rest days, and every result
//! that depended on such a date carries `assumed == true`.
//!
//! All arithmetic is done on day numbers (`i64`), so no input date that chrono can represent can
//! overflow or panic; results beyond chrono's range saturate at [`NaiveDate::MAX`]. Computations
//! walk from one special date of the file to the next and use closed-form weekday arithmetic in
//! between, so their cost is bounded by the size of the file, not by the number of days.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use chrono::{Datelike, NaiveDate};

/// The holiday schedule shipped with the program.
pub const EMBEDDED_HOLIDAYS: &str = include_str!("../data/holidays-cn.csv");

/// Errors found while reading a holiday file. Line numbers are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("节假日文件第{line}行：“{value}” 不是有效日期（格式：2025-03-01）")]
    BadDate { line: usize, value: String },
    #[error("节假日文件第{line}行：“{value}” 不是有效类型（应为 holiday 或 workday）")]
    UnknownKind { line: usize, value: String },
    #[error("节假日文件第{line}行：日期 {date} 重复（第{first_line}行已出现）")]
    DuplicateDate {
        line: usize,
        date: NaiveDate,
        first_line: usize,
    },
    #[error("节假日文件第{line}行：“{value}” 字段数不对，应为“日期,类型,名称”三列")]
    BadRow { line: usize, value: String },
    #[error("节假日文件第{line}行：“{value}” 不是有效年份声明（格式：# covers: 2025）")]
    BadCoversYear { line: usize, value: String },
    #[error(
        "节假日文件第{line}行：{date} 是{weekday}，本来就是工作日，不能标为调休上班（workday）"
    )]
    WorkdayOnWeekday {
        line: usize,
        date: NaiveDate,
        weekday: &'static str,
    },
    #[error(
        "节假日文件第{line}行：日期 {date} 所在的{year}年没有用“# covers: {year}”声明，请补上该行"
    )]
    YearNotDeclared {
        line: usize,
        date: NaiveDate,
        year: i32,
    },
}

/// What kind of day a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DayKind {
    /// A working day: Monday to Friday outside holidays, or a make-up working weekend day.
    Working,
    /// An ordinary weekend day.
    Rest,
    /// A statutory holiday listed in the holiday file.
    Holiday,
}

/// The end of a period, with a flag telling whether the result relied on the weekends-only rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodEnd {
    pub deadline: NaiveDate,
    /// Some day examined lies in a year the holiday file does not cover, so the weekends-only
    /// rule was used for it.
    pub assumed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Special {
    working: bool,
    name: String,
}

/// Holiday calendar: special dates from the holiday file plus the set of covered years.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    special: BTreeMap<NaiveDate, Special>,
    covered: BTreeSet<i32>,
}

// ---------------------------------------------------------------------------
// Day-number helpers. Day numbers are `num_days_from_ce`, as i64; day 1 is
// 0001-01-01, a Monday.

fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

/// 0 = Monday … 6 = Sunday.
fn weekday_index(n: i64) -> i64 {
    (n - 1).rem_euclid(7)
}

fn is_weekday_number(n: i64) -> bool {
    weekday_index(n) < 5
}

/// The date for a day number, saturating at chrono's limits.
fn date_saturating(n: i64) -> NaiveDate {
    if n <= day_number(NaiveDate::MIN) {
        NaiveDate::MIN
    } else if n >= day_number(NaiveDate::MAX) {
        NaiveDate::MAX
    } else {
        i32::try_from(n)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .unwrap_or(NaiveDate::MAX)
    }
}

/// Number of Monday–Friday days in `(a, b]` (0 if `b <= a`).
fn weekdays_between(a: i64, b: i64) -> i64 {
    if b <= a {
        return 0;
    }
    let n = b - a;
    let rem = n % 7;
    let start = weekday_index(a);
    let partial = (1..=rem).filter(|i| (start + i) % 7 < 5).count() as i64;
    (n / 7) * 5 + partial
}

/// The day number of the `n`-th Monday–Friday day after `a` (`n >= 1`).
fn add_weekdays(a: i64, n: i64) -> i64 {
    // Move a weekend start back to its Friday: no weekday lies in between.
    let w = weekday_index(a);
    let a = if w >= 5 { a - (w - 4) } else { a };
    let w = weekday_index(a);
    let monday = a - w;
    let pos = w + n;
    monday + (pos / 5) * 7 + pos % 5
}

fn weekday_name(d: NaiveDate) -> &'static str {
    match weekday_index(day_number(d)) {
        0 => "星期一",
        1 => "星期二",
        2 => "星期三",
        3 => "星期四",
        4 => "星期五",
        5 => "星期六",
        _ => "星期日",
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    // Strict `YYYY-MM-DD`: chrono's parser alone would also accept unpadded fields.
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// If `line` (already trimmed, starting with `#`) is a `# covers:` declaration, returns its
/// value text.
fn covers_value(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches('#').trim_start();
    let head = rest.get(..7)?;
    if head.eq_ignore_ascii_case("covers:") {
        Some(rest[7..].trim())
    } else {
        None
    }
}

impl Calendar {
    /// The calendar of the embedded holiday file.
    pub fn embedded() -> Calendar {
        Calendar::from_csv(EMBEDDED_HOLIDAYS)
            .expect("the embedded data/holidays-cn.csv must be valid (checked by a unit test)")
    }

    /// A calendar without any special dates or covered years: weekends only, always assumed.
    pub fn weekends_only() -> Calendar {
        Calendar::default()
    }

    /// Parses a holiday file (see the module documentation for the format).
    ///
    /// Long: every malformed line of the holiday file gets its own message naming the line.
    pub fn from_csv(text: &str) -> Result<Calendar, CalendarError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut special = BTreeMap::new();
        let mut first_seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        let mut covered = BTreeSet::new();
        let mut seen_data = false;

        for (idx, raw) in text.lines().enumerate() {
            let line_no = idx + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if line.starts_with('#') {
                if let Some(value) = covers_value(line) {
                    let year = value
                        .parse::<i32>()
                        .ok()
                        .filter(|y| NaiveDate::from_ymd_opt(*y, 1, 1).is_some())
                        .ok_or_else(|| CalendarError::BadCoversYear {
                            line: line_no,
                            value: value.to_string(),
                        })?;
                    covered.insert(year);
                }
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if !seen_data {
                seen_data = true;
                let is_header = fields.len() == 3
                    && fields[0].eq_ignore_ascii_case("date")
                    && fields[1].eq_ignore_ascii_case("kind")
                    && fields[2].eq_ignore_ascii_case("name");
                if is_header {
                    continue;
                }
            }
            if fields.len() != 3 {
                return Err(CalendarError::BadRow {
                    line: line_no,
                    value: line.to_string(),
                });
            }
            let date = parse_date(fields[0]).ok_or_else(|| CalendarError::BadDate {
                line: line_no,
                value: fields[0].to_string(),
            })?;
            let working = match fields[1].to_ascii_lowercase().as_str() {
                "holiday" => false,
                "workday" => true,
                _ => {
                    return Err(CalendarError::UnknownKind {
                        line: line_no,
                        value: fields[1].to_string(),
                    })
                }
            };
            if working && is_weekday_number(day_number(date)) {
                return Err(CalendarError::WorkdayOnWeekday {
                    line: line_no,
                    date,
                    weekday: weekday_name(date),
                });
            }
            if let Some(&first_line) = first_seen.get(&date) {
                return Err(CalendarError::DuplicateDate {
                    line: line_no,
                    date,
                    first_line,
                });
            }
            first_seen.insert(date, line_no);
            special.insert(
                date,
                Special {
                    working,
                    name: fields[2].to_string(),
                },
            );
        }

        // Rows are sorted by date, so report the earliest offending date's line.
        if let Some((&date, &line)) = first_seen
            .iter()
            .find(|(d, _)| !covered.contains(&d.year()))
        {
            return Err(CalendarError::YearNotDeclared {
                line,
                date,
                year: date.year(),
            });
        }
        Ok(Calendar { special, covered })
    }

    /// Whether the holiday file declares `year` (`# covers: YYYY`).
    pub fn covers(&self, year: i32) -> bool {
        self.covered.contains(&year)
    }

    /// The declared years, ascending.
    pub fn covered_years(&self) -> Vec<i32> {
        self.covered.iter().copied().collect()
    }

    /// The kind of `d`: the holiday file first, otherwise Saturday/Sunday are [`DayKind::Rest`].
    pub fn day_kind(&self, d: NaiveDate) -> DayKind {
        match self.special.get(&d) {
            Some(s) if s.working => DayKind::Working,
            Some(_) => DayKind::Holiday,
            None if is_weekday_number(day_number(d)) => DayKind::Working,
            None => DayKind::Rest,
        }
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        self.day_kind(d) == DayKind::Working
    }

    /// The festival name the holiday file gives for `d` (a holiday or a make-up working day).
    pub fn festival(&self, d: NaiveDate) -> Option<&str> {
        self.special.get(&d).map(|s| s.name.as_str())
    }

    /// Whether some year in `from..=to` is not covered.
    fn any_uncovered(&self, from: i32, to: i32) -> bool {
        if to < from {
            return false;
        }
        let span = i64::from(to) - i64::from(from) + 1;
        let declared = self.covered.range(from..=to).count() as i64;
        declared < span
    }

    /// Whether some day in the day-number range `[a, b]` lies in an uncovered year.
    fn assumed_for(&self, a: i64, b: i64) -> bool {
        if b < a {
            return false;
        }
        self.any_uncovered(date_saturating(a).year(), date_saturating(b).year())
    }

    /// Day number of the `n`-th working day strictly after day number `start` (`n >= 1`).
    /// May lie beyond chrono's range; callers saturate.
    fn nth_working_after(&self, start: i64, n: i64) -> i64 {
        let max = day_number(NaiveDate::MAX);
        if start >= max {
            return start.saturating_add(1);
        }
        let lower = if start < day_number(NaiveDate::MIN) {
            Bound::Unbounded
        } else {
            Bound::Excluded(date_saturating(start))
        };
        let mut cur = start;
        let mut remaining = n;
        for (date, s) in self.special.range((lower, Bound::Unbounded)) {
            let sd = day_number(*date);
            // Plain stretch (cur, sd - 1]: weekdays only.
            let plain = weekdays_between(cur, sd - 1);
            if plain >= remaining {
                return add_weekdays(cur, remaining);
            }
            remaining -= plain;
            if s.working {
                remaining -= 1;
                if remaining == 0 {
                    return sd;
                }
            }
            cur = sd;
        }
        add_weekdays(cur, remaining)
    }

    /// End of a period of `days` days after `event`.
    ///
    /// Calendar days (`working_days == false`): the period starts the day after the event and
    /// ends at the end of `event + days`; if that last day is not a working day the period ends
    /// on the next working day. With `working_days == true` the period counts `days` working
    /// days after the event instead (the last counted day is by construction a working day).
    /// With `days == 0` both modes give the event day rolled forward to a working day.
    ///
    /// `assumed` is set when a day examined (the nominal last day and any day rolled over, or
    /// every counted day) lies in a year the holiday file does not cover.
    pub fn period_end(&self, event: NaiveDate, days: u32, working_days: bool) -> PeriodEnd {
        let e = day_number(event);
        if days == 0 {
            return self.roll_forward(event);
        }
        if working_days {
            let end = self.nth_working_after(e, i64::from(days));
            let deadline = date_saturating(end);
            PeriodEnd {
                deadline,
                assumed: self.assumed_for(e + 1, day_number(deadline)),
            }
        } else {
            self.roll_forward(date_saturating(e + i64::from(days)))
        }
    }

    /// The next working day on or after `d`. `assumed` is set when a day examined lies in a year
    /// the holiday file does not cover. Saturates at [`NaiveDate::MAX`].
    pub fn roll_forward(&self, d: NaiveDate) -> PeriodEnd {
        let n = day_number(d);
        let end = if self.is_working_day(d) {
            n
        } else {
            self.nth_working_after(n, 1)
        };
        let deadline = date_saturating(end);
        PeriodEnd {
            deadline,
            assumed: self.assumed_for(n, day_number(deadline)),
        }
    }

    /// Number of working days in `(from, to]` (0 if `to <= from`), and whether any of those days
    /// lies in a year the holiday file does not cover.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> (i64, bool) {
        if to <= from {
            return (0, false);
        }
        let (a, b) = (day_number(from), day_number(to));
        let mut count = weekdays_between(a, b);
        let range = (Bound::Excluded(from), Bound::Included(to));
        for (date, s) in self.special.range(range) {
            let plain = is_weekday_number(day_number(*date));
            match (plain, s.working) {
                (true, false) => count -= 1,
                (false, true) => count += 1,
                _ => {}
            }
        }
        (count, self.assumed_for(a + 1, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cal() -> Calendar {
        Calendar::embedded()
    }

    fn end(deadline: NaiveDate, assumed: bool) -> PeriodEnd {
        PeriodEnd { deadline, assumed }
    }

    /// Day-by-day reference implementation of the working-day count.
    fn naive_nth_working_after(c: &Calendar, start: NaiveDate, n: u32) -> NaiveDate {
        let mut cur = start;
        let mut left = n;
        while left > 0 {
            cur = cur.succ_opt().unwrap();
            if c.is_working_day(cur) {
                left -= 1;
            }
        }
        cur
    }

    #[test]
    fn embedded_file_parses_and_covers_2025_2026() {
        let c = cal();
        assert_eq!(c.covered_years(), vec![2025, 2026]);
        assert!(c.covers(2025) && c.covers(2026));
        assert!(!c.covers(2024) && !c.covers(2027));
    }

    #[test]
    fn embedded_counts_per_year() {
        // Counted by hand from the notices.
        // 2025: 元旦 1 + 春节 8 + 清明 3 + 劳动节 5 + 端午 3 + 国庆中秋 8 = 28 holiday days;
        //       make-up workdays 01-26, 02-08, 04-27, 09-28, 10-11 = 5.
        // 2026: 元旦 3 + 春节 9 + 清明 3 + 劳动节 5 + 端午 3 + 中秋 3 + 国庆 7 = 33;
        //       make-up workdays 01-04, 02-14, 02-28, 05-09, 09-20, 10-10 = 6.
        let c = cal();
        for (year, holidays, workdays) in [(2025, 28, 5), (2026, 33, 6)] {
            let (mut h, mut w) = (0, 0);
            let mut day = d(year, 1, 1);
            while day.year() == year {
                match c.day_kind(day) {
                    DayKind::Holiday => h += 1,
                    DayKind::Working if c.festival(day).is_some() => w += 1,
                    _ => {}
                }
                day = day.succ_opt().unwrap();
            }
            assert_eq!((h, w), (holidays, workdays), "year {year}");
        }
        // Working days in the year: 2025 has 261 weekdays − 18 weekday holidays + 5 = 248;
        // 2026 has 261 weekdays − 19 weekday holidays + 6 = 248.
        assert_eq!(
            c.working_days_between(d(2024, 12, 31), d(2025, 12, 31)),
            (248, false)
        );
        assert_eq!(
            c.working_days_between(d(2025, 12, 31), d(2026, 12, 31)),
            (248, false)
        );
    }

    #[test]
    fn day_kinds_and_names() {
        let c = cal();
        assert_eq!(c.day_kind(d(2025, 10, 1)), DayKind::Holiday);
        assert_eq!(c.day_kind(d(2025, 10, 4)), DayKind::Holiday); // Saturday inside block
        assert_eq!(c.day_kind(d(2025, 10, 11)), DayKind::Working); // make-up Saturday
        assert_eq!(c.day_kind(d(2025, 10, 12)), DayKind::Rest); // ordinary Sunday
        assert_eq!(c.day_kind(d(2025, 10, 13)), DayKind::Working); // Monday
        assert_eq!(c.day_kind(d(2027, 1, 1)), DayKind::Working); // uncovered Friday
        assert_eq!(c.day_kind(d(2027, 1, 2)), DayKind::Rest); // uncovered Saturday
        assert_eq!(c.festival(d(2025, 10, 3)), Some("国庆节、中秋节"));
        assert_eq!(c.festival(d(2026, 9, 26)), Some("中秋节"));
        assert_eq!(c.festival(d(2026, 2, 28)), Some("春节"));
        assert_eq!(c.festival(d(2026, 3, 2)), None);
        assert!(!c.is_working_day(d(2026, 2, 16)));
        assert!(c.is_working_day(d(2026, 1, 4)));
    }

    #[test]
    fn thirty_days_into_national_day_holiday() {
        // 2025-09-06 + 30 = 2025-10-06 (holiday 10-01..10-08) → Thursday 2025-10-09.
        assert_eq!(
            cal().period_end(d(2025, 9, 6), 30, false),
            end(d(2025, 10, 9), false)
        );
    }

    #[test]
    fn thirty_days_into_spring_festival_2026() {
        // 2026-01-17 + 30 = 2026-02-16 (春节 02-15..02-23) → Tuesday 2026-02-24.
        assert_eq!(
            cal().period_end(d(2026, 1, 17), 30, false),
            end(d(2026, 2, 24), false)
        );
    }

    #[test]
    fn make_up_saturday_is_a_valid_last_day() {
        // 2026-02-21 + 7 = 2026-02-28, a make-up working Saturday.
        assert_eq!(
            cal().period_end(d(2026, 2, 21), 7, false),
            end(d(2026, 2, 28), false)
        );
        // 2025-10-04 + 7 = 2025-10-11, make-up Saturday.
        assert_eq!(
            cal().period_end(d(2025, 10, 4), 7, false),
            end(d(2025, 10, 11), false)
        );
    }

    #[test]
    fn ordinary_weekend_rolls_to_monday() {
        // 2025-03-01 + 7 = 2025-03-08 (Saturday) → Monday 2025-03-10.
        assert_eq!(
            cal().period_end(d(2025, 3, 1), 7, false),
            end(d(2025, 3, 10), false)
        );
        // 2025-03-02 + 7 = 2025-03-09 (Sunday) → Monday 2025-03-10.
        assert_eq!(
            cal().period_end(d(2025, 3, 2), 7, false),
            end(d(2025, 3, 10), false)
        );
        // A weekday last day stays: 2025-03-03 + 7 = Monday 2025-03-10.
        assert_eq!(
            cal().period_end(d(2025, 3, 3), 7, false),
            end(d(2025, 3, 10), false)
        );
    }

    #[test]
    fn holiday_ending_on_weekend_rolls_over_both() {
        // 2025-05-31..06-02 端午: 2025-05-01 + 30 = 2025-05-31 (Sat, holiday) → Tue 2025-06-03.
        assert_eq!(
            cal().period_end(d(2025, 5, 1), 30, false),
            end(d(2025, 6, 3), false)
        );
        // 2026-09-27 (Sun, 中秋) → Monday 2026-09-28.
        assert_eq!(
            cal().period_end(d(2026, 9, 17), 10, false),
            end(d(2026, 9, 28), false)
        );
    }

    #[test]
    fn uncovered_year_is_assumed() {
        let c = cal();
        // 2026-12-20 + 15 = 2027-01-04 (Monday in 2027, not covered).
        assert_eq!(
            c.period_end(d(2026, 12, 20), 15, false),
            end(d(2027, 1, 4), true)
        );
        // 2026-12-20 + 13 = 2027-01-02 (Saturday) → Monday 2027-01-04, weekends only:
        // the real 元旦 2027 schedule is not known to the file.
        assert_eq!(
            c.period_end(d(2026, 12, 20), 13, false),
            end(d(2027, 1, 4), true)
        );
        // Ending in 2026 is not assumed: 2026-12-01 + 10 = Friday 2026-12-11.
        assert_eq!(
            c.period_end(d(2026, 12, 1), 10, false),
            end(d(2026, 12, 11), false)
        );
        // A covered Saturday 2026-12-26 rolls to Monday 2026-12-28, all inside 2026.
        assert_eq!(
            c.period_end(d(2026, 12, 16), 10, false),
            end(d(2026, 12, 28), false)
        );
        // Rolling over the year end: 2026-12-31 is Thursday, so 2026-12-21 + 10 stays.
        assert_eq!(
            c.period_end(d(2026, 12, 21), 10, false),
            end(d(2026, 12, 31), false)
        );
        // An event in 2024 whose last day is in 2025 is not assumed: only days examined count.
        assert_eq!(
            c.period_end(d(2024, 12, 20), 15, false),
            end(d(2025, 1, 6), false) // 2025-01-04 Sat → 01-06 Mon
        );
    }

    #[test]
    fn rolling_from_covered_into_uncovered_year_is_assumed() {
        // A file covering only 2025: 2025-12-27 (Saturday) rolls into 2025-12-29, not assumed;
        // 2024-12-28 (Saturday, 2024 uncovered) rolls to Monday 2024-12-30, assumed.
        let c = Calendar::from_csv("# covers: 2025\n").unwrap();
        assert_eq!(c.roll_forward(d(2025, 12, 27)), end(d(2025, 12, 29), false));
        assert_eq!(c.roll_forward(d(2024, 12, 28)), end(d(2024, 12, 30), true));
        // Last day Saturday 2026-01-03 of a file covering 2026 only, counted from 2025.
        let c = Calendar::from_csv("# covers: 2026\n2026-01-01,holiday,元旦\n").unwrap();
        let (n, assumed) = c.working_days_between(d(2025, 12, 30), d(2026, 1, 2));
        assert_eq!((n, assumed), (2, true)); // 12-31 Wed, 01-02 Fri; 12-31 lies in 2025
    }

    #[test]
    fn working_day_counting() {
        let c = cal();
        // 10-01..10-08 holiday, 10-09 Thu=1, 10-10 Fri=2, 10-11 make-up Sat=3,
        // 10-13 Mon=4, 10-14 Tue=5.
        assert_eq!(
            c.period_end(d(2025, 9, 30), 5, true),
            end(d(2025, 10, 14), false)
        );
        // 3 working days after 2025-10-08 → 10-09, 10-10, 10-11 (make-up Saturday).
        assert_eq!(
            c.period_end(d(2025, 10, 8), 3, true),
            end(d(2025, 10, 11), false)
        );
        // 2026 Spring Festival: 02-13 Fri; 02-14 make-up Sat=1; 02-15..02-23 holiday;
        // 02-24 Tue=2, 02-25=3, 02-26=4, 02-27=5, 02-28 make-up Sat=6, 03-02 Mon=7.
        assert_eq!(
            c.period_end(d(2026, 2, 13), 7, true),
            end(d(2026, 3, 2), false)
        );
        // 15 working days after 2025-04-20 (Sun): 04-21..04-25 = 5, 04-27 make-up Sun = 6,
        // 04-28..04-30 = 9, 05-01..05-05 holiday, 05-06..05-09 = 13, 05-12 = 14, 05-13 = 15.
        assert_eq!(
            c.period_end(d(2025, 4, 20), 15, true),
            end(d(2025, 5, 13), false)
        );
        // Into 2027: 2026-12-30 Wed; 12-31 Thu = 1, 2027-01-01 Fri = 2 (weekends-only), 01-04 = 3.
        assert_eq!(
            c.period_end(d(2026, 12, 30), 3, true),
            end(d(2027, 1, 4), true)
        );
        // Zero days: the event day itself, rolled forward.
        assert_eq!(
            c.period_end(d(2025, 10, 3), 0, true),
            end(d(2025, 10, 9), false)
        );
        assert_eq!(
            c.period_end(d(2025, 10, 3), 0, false),
            end(d(2025, 10, 9), false)
        );
    }

    #[test]
    fn working_days_between_examples() {
        let c = cal();
        // (2025-09-30, 2025-10-14]: 10-09, 10-10, 10-11, 10-13, 10-14 = 5.
        assert_eq!(
            c.working_days_between(d(2025, 9, 30), d(2025, 10, 14)),
            (5, false)
        );
        // (2025-09-26 Fri, 2025-09-30 Tue]: 09-28 make-up Sun, 09-29, 09-30 = 3.
        assert_eq!(
            c.working_days_between(d(2025, 9, 26), d(2025, 9, 30)),
            (3, false)
        );
        // Entirely inside the Spring Festival 2026 block: 0.
        assert_eq!(
            c.working_days_between(d(2026, 2, 14), d(2026, 2, 23)),
            (0, false)
        );
        // Ordinary week: (Mon 2025-03-03, Mon 2025-03-10] = 5.
        assert_eq!(
            c.working_days_between(d(2025, 3, 3), d(2025, 3, 10)),
            (5, false)
        );
        // to <= from.
        assert_eq!(
            c.working_days_between(d(2025, 3, 10), d(2025, 3, 10)),
            (0, false)
        );
        assert_eq!(
            c.working_days_between(d(2025, 3, 10), d(2025, 3, 3)),
            (0, false)
        );
        // Across into 2027: (2026-12-30, 2027-01-04] = 12-31, 01-01, 01-04 = 3, assumed.
        assert_eq!(
            c.working_days_between(d(2026, 12, 30), d(2027, 1, 4)),
            (3, true)
        );
    }

    #[test]
    fn fast_paths_agree_with_day_by_day_reference() {
        let c = cal();
        let mut event = d(2024, 11, 1);
        while event <= d(2027, 2, 1) {
            for n in [1u32, 2, 3, 5, 7, 10, 15, 20, 30, 60] {
                let got = c.period_end(event, n, true).deadline;
                assert_eq!(got, naive_nth_working_after(&c, event, n), "{event} +{n}");
                assert_eq!(c.working_days_between(event, got).0, i64::from(n));
                let last = event + chrono::Days::new(u64::from(n));
                let mut want = last;
                while !c.is_working_day(want) {
                    want = want.succ_opt().unwrap();
                }
                assert_eq!(c.period_end(event, n, false).deadline, want);
            }
            event = event.succ_opt().unwrap();
        }
    }

    #[test]
    fn weekday_helpers_match_chrono() {
        // Day 1 (0001-01-01) is a Monday.
        for day in [NaiveDate::MIN, d(1, 1, 1), d(2025, 10, 11), NaiveDate::MAX] {
            assert_eq!(
                weekday_index(day_number(day)),
                i64::from(day.weekday().num_days_from_monday())
            );
        }
        let base = day_number(d(2025, 1, 1));
        for a in base..base + 14 {
            for n in 1..40 {
                let r = add_weekdays(a, n);
                assert!(is_weekday_number(r));
                assert_eq!(weekdays_between(a, r), n);
                assert_eq!(weekdays_between(a, r - 1), n - 1);
            }
        }
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        let c = cal();
        for event in [NaiveDate::MIN, NaiveDate::MAX, d(2025, 1, 1)] {
            for days in [0, 1, 400, u32::MAX] {
                for wd in [false, true] {
                    let r = c.period_end(event, days, wd);
                    assert!(r.deadline >= event);
                }
            }
            let _ = c.roll_forward(event);
            let _ = c.working_days_between(NaiveDate::MIN, event);
            let _ = c.working_days_between(event, NaiveDate::MAX);
        }
        // Saturation at the top.
        assert_eq!(
            c.period_end(d(2025, 1, 1), u32::MAX, true).deadline,
            NaiveDate::MAX
        );
        let far = c.period_end(d(2025, 1, 1), u32::MAX, false);
        assert!(far.assumed);
        // A weekends-only calendar is always assumed.
        let w = Calendar::weekends_only();
        assert_eq!(w.roll_forward(d(2025, 10, 4)), end(d(2025, 10, 6), true));
        // A covered file that marks a whole long stretch as holiday still terminates.
        let mut text = String::from("# covers: 2030\n");
        let mut day = d(2030, 1, 1);
        while day.year() == 2030 {
            text.push_str(&format!("{day},holiday,测试\n"));
            day = day.succ_opt().unwrap();
        }
        let h = Calendar::from_csv(&text).unwrap();
        // 2031-01-01 is a Wednesday, in an uncovered year.
        assert_eq!(h.roll_forward(d(2030, 3, 1)), end(d(2031, 1, 1), true));
        assert_eq!(
            h.working_days_between(d(2029, 12, 31), d(2030, 12, 31)),
            (0, false)
        );
    }

    #[test]
    fn from_csv_ignores_comments_blank_lines_and_header() {
        let text = "\u{feff}# a comment\n\n   \ndate,kind,name\n# covers: 2030\n\
                    #covers:2031\n  2030-10-01 , holiday , 国庆节 \n\n# trailing\n";
        let c = Calendar::from_csv(text).unwrap();
        assert_eq!(c.covered_years(), vec![2030, 2031]);
        assert_eq!(c.day_kind(d(2030, 10, 1)), DayKind::Holiday);
        assert_eq!(c.festival(d(2030, 10, 1)), Some("国庆节"));
        // A declared year with no rows at all.
        assert_eq!(c.day_kind(d(2031, 10, 1)), DayKind::Working);
        assert!(!c.roll_forward(d(2031, 10, 1)).assumed);
        // Empty file: nothing covered.
        assert_eq!(
            Calendar::from_csv("").unwrap().covered_years(),
            Vec::<i32>::new()
        );
    }

    #[test]
    fn from_csv_rejects_bad_date() {
        let err =
            Calendar::from_csv("# covers: 2025\ndate,kind,name\n\n\n2025-13-01,holiday,元旦\n")
                .unwrap_err();
        assert_eq!(
            err,
            CalendarError::BadDate {
                line: 5,
                value: "2025-13-01".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "节假日文件第5行：“2025-13-01” 不是有效日期（格式：2025-03-01）"
        );
        for bad in ["2025-3-1", "2025/03/01", "20250301", "2025-02-29", ""] {
            let text = format!("# covers: 2025\n{bad},holiday,x\n");
            assert!(
                matches!(
                    Calendar::from_csv(&text),
                    Err(CalendarError::BadDate { line: 2, .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn from_csv_rejects_unknown_kind() {
        let err = Calendar::from_csv("# covers: 2025\n2025-01-01,假期,元旦\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "节假日文件第2行：“假期” 不是有效类型（应为 holiday 或 workday）"
        );
    }

    #[test]
    fn from_csv_rejects_duplicate_date() {
        let err = Calendar::from_csv(
            "# covers: 2025\n2025-01-01,holiday,元旦\n2025-01-02,holiday,元旦\n2025-01-01,holiday,元旦\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "节假日文件第4行：日期 2025-01-01 重复（第2行已出现）"
        );
    }

    #[test]
    fn from_csv_rejects_other_mistakes() {
        let e = Calendar::from_csv("# covers: 2025\n2025-01-01,holiday\n").unwrap_err();
        assert!(matches!(e, CalendarError::BadRow { line: 2, .. }), "{e}");
        let e = Calendar::from_csv("# covers: 二〇二五\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "节假日文件第1行：“二〇二五” 不是有效年份声明（格式：# covers: 2025）"
        );
        // 2025-01-02 is a Thursday: a make-up workday there is a typo.
        let e = Calendar::from_csv("# covers: 2025\n2025-01-02,workday,元旦\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "节假日文件第2行：2025-01-02 是星期四，本来就是工作日，不能标为调休上班（workday）"
        );
        // Rows for a year without `# covers:`.
        let e = Calendar::from_csv(
            "# covers: 2025\n2025-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "节假日文件第3行：日期 2027-01-01 所在的2027年没有用“# covers: 2027”声明，请补上该行"
        );
        // The declaration may follow the rows.
        assert!(Calendar::from_csv("2027-01-01,holiday,元旦\n# covers: 2027\n").is_ok());
    }
}

/// Cross-check against the `chinese_holiday` crate (enable with `--features holiday-crosscheck`).
#[cfg(all(test, feature = "holiday-crosscheck"))]
mod crosscheck {
    use super::*;
    use chinese_holiday::DayKind as K;

    #[test]
    fn agrees_with_chinese_holiday_crate() {
        let c = Calendar::embedded();
        // The crate panics after 2026-12-25.
        let mut day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
        let mut checked = 0;
        while day <= last {
            let theirs = chinese_holiday::chinese_holiday(&day);
            assert_eq!(
                c.is_working_day(day),
                theirs.is_workday(),
                "{day}: {theirs:?}"
            );
            let festival = match theirs {
                K::NewYearsDayHoliday | K::NewYearsDayWorkday => Some("元旦"),
                K::SpringFestivalHoliday | K::SpringFestivalWorkday => Some("春节"),
                K::ChingMingFestivalHoliday | K::ChingMingFestivalWorkday => Some("清明节"),
                K::InternationalWorkersDayHoliday | K::InternationalWorkersDayWorkday => {
                    Some("劳动节")
                }
                K::DragonBoatFestivalHoliday | K::DragonBoatFestivalWorkday => Some("端午节"),
                K::MidAutumnFestivalHoliday | K::MidAutumnFestivalWorkday => Some("中秋节"),
                K::NationalDayHoliday | K::NationalDayWorkday => Some("国庆节"),
                _ => None,
            };
            match (festival, c.festival(day)) {
                (None, None) => {}
                (Some(f), Some(mine)) => assert!(mine.contains(f), "{day}: {mine} vs {f}"),
                (f, mine) => panic!("{day}: crate {f:?}, file {mine:?}"),
            }
            checked += 1;
            day = day.succ_opt().unwrap();
        }
        assert_eq!(checked, 365 + 354);
    }
}
