//! Per-cell value parsers for ledger spreadsheets: dates, booleans, integers, lists, enums, clause citations and quarters.
//!
//! Self-contained (std, chrono, thiserror only) so that the fuzz target can include it with `#[path]`.
//! Every parser folds full-width characters to half-width and trims the cell first (see [`fold`]).
//! No function here panics on any `&str`; the fixed-shape parsers reject cells longer than
//! [`MAX_CELL_CHARS`] characters before doing any other work.
//!
//! Error reasons are in Chinese and describe the problem and the accepted forms; they do not repeat
//! the whole cell value, so callers should prefix them with the row, column and value.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate};

/// Cells longer than this (in characters) are rejected by the date, integer, boolean, clause and
/// quarter parsers without further work.
pub const MAX_CELL_CHARS: usize = 200;

/// Earliest and latest accepted years for dates and quarters.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;

/// Last valid Excel serial day number (9999-12-31).
const MAX_EXCEL_SERIAL: i64 = 2_958_465;

const DATE_FORMS: &str = "可用格式：2025-03-01、2025/3/1、2025.3.1、20250301、2025年3月1日，可带时间，也可用Excel日期序列号如45717";
const TIME_FORMS: &str = "时间可写作 14:30、14:30:00、14时30分";
const BOOL_FORMS: &str = "可用：是/否、有/无、Y/N、yes/no、true/false、1/0、√/×、✓/✗、对/错";
const INT_FORMS: &str = "可用格式：3、+3、-3、3.0、3天、十二";
const CLAUSE_FORMS: &str =
    "可用格式：第十条第（五）项、第十条（五）、第10条第5项、10(5)、10.5、10-5、第十条";
const QUARTER_FORMS: &str =
    "可用格式：2025Q2、2025-Q2、2025年第二季度、2025年第2季度、2025年二季度";

/// A cell value that could not be parsed; `reason` is a Chinese explanation of what is wrong and
/// which forms are accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ValueError {
    pub reason: String,
}

fn err(reason: impl Into<String>) -> ValueError {
    ValueError {
        reason: reason.into(),
    }
}

fn too_long(s: &str) -> bool {
    // The byte check is O(1); the char count is then bounded by 4 * MAX_CELL_CHARS bytes.
    s.len() > MAX_CELL_CHARS * 4 || s.chars().count() > MAX_CELL_CHARS
}

fn too_long_err(kind: &str) -> ValueError {
    err(format!("内容超过{MAX_CELL_CHARS}个字符，不是有效{kind}"))
}

// ---------------------------------------------------------------------------------------------
// Folding and missing markers
// ---------------------------------------------------------------------------------------------

/// Characters trimmed from both ends of a cell besides Unicode white space (which already covers
/// NBSP and U+3000): BOM and zero-width characters.
fn is_trim_char(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{180E}'
        )
}

fn trim_cell(s: &str) -> &str {
    s.trim_matches(is_trim_char)
}

fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn needs_fold(c: char) -> bool {
    matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}')
}

/// Full-width → half-width for U+FF01..U+FF5E and U+3000 (ideographic space), then trim (also
/// trims U+FEFF, NBSP, zero-width spaces). Borrows when nothing but trimming is needed.
pub fn fold(s: &str) -> Cow<'_, str> {
    let t = trim_cell(s);
    if !t.chars().any(needs_fold) {
        return Cow::Borrowed(t);
    }
    let folded: String = t.chars().map(fold_char).collect();
    let trimmed = trim_cell(&folded);
    if trimmed.len() == folded.len() {
        Cow::Owned(folded)
    } else {
        Cow::Owned(trimmed.to_string())
    }
}

/// Missing-marker test on an already folded cell.
fn is_missing_folded(t: &str) -> bool {
    matches!(t, "" | "-" | "/" | "无" | "—" | "——")
        || t.eq_ignore_ascii_case("N/A")
        || t.eq_ignore_ascii_case("NULL")
}

/// True for the missing markers after fold: "", "-", "/", "无", "—", "——", "－" (folds to "-"),
/// "N/A", "NULL" (case-insensitive).
pub fn is_missing(s: &str) -> bool {
    is_missing_folded(&fold(s))
}

// ---------------------------------------------------------------------------------------------
// Small scanning helpers
// ---------------------------------------------------------------------------------------------

/// A forward cursor over a `&str`; `pos` is always on a char boundary, so slicing never panics.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor { s, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.rest().is_empty()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn eat_any(&mut self, cs: &[char]) -> Option<char> {
        let c = self.peek()?;
        if cs.contains(&c) {
            self.pos += c.len_utf8();
            Some(c)
        } else {
            None
        }
    }

    fn eat_str(&mut self, t: &str) -> bool {
        if self.rest().starts_with(t) {
            self.pos += t.len();
            true
        } else {
            false
        }
    }

    fn eat_str_ignore_ascii_case(&mut self, t: &str) -> bool {
        let r = self.rest();
        match r.get(..t.len()) {
            Some(head) if head.eq_ignore_ascii_case(t) => {
                self.pos += t.len();
                true
            }
            _ => false,
        }
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let r = self.rest();
        let n = r.find(|c: char| !f(c)).unwrap_or(r.len());
        self.pos += n;
        r.get(..n).unwrap_or("")
    }

    fn digits(&mut self) -> &'a str {
        self.take_while(|c| c.is_ascii_digit())
    }

    /// Skips white space (and zero-width characters); returns whether anything was skipped.
    fn skip_ws(&mut self) -> bool {
        !self.take_while(is_trim_char).is_empty()
    }
}

/// Value of an ASCII digit string; None if empty or it overflows u64.
fn digits_value(d: &str) -> Option<u64> {
    if d.is_empty() {
        return None;
    }
    d.bytes().try_fold(0u64, |acc, b| {
        acc.checked_mul(10)?
            .checked_add(u64::from(b.wrapping_sub(b'0')))
    })
}

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Characters of a Chinese numeral run; 百 and 千 are included only so that "一百" is reported as
/// one unrecognised number rather than a stray character.
fn is_cn_num_char(c: char) -> bool {
    matches!(c, '十' | '百' | '千') || cn_digit(c).is_some()
}

/// Chinese numerals 零..九十九: 五, 十, 十二, 二十, 二十三 (and 一十二). 两 (2) only on its own
/// ("两十" and "十两" are rejected).
fn parse_cn_small(t: &str) -> Option<u32> {
    let mut it = t.chars();
    let a = it.next();
    let b = it.next();
    let c = it.next();
    if it.next().is_some() {
        return None;
    }
    // A digit 1..=9 next to 十 (not 零, not 两).
    let digit = |ch: char| match ch {
        '两' => None,
        _ => cn_digit(ch).filter(|&d| d >= 1),
    };
    match (a?, b, c) {
        ('十', None, None) => Some(10),
        (d, None, None) => cn_digit(d),
        ('十', Some(u), None) => Some(10 + digit(u)?),
        (t, Some('十'), None) => Some(digit(t)? * 10),
        (t, Some('十'), Some(u)) => Some(digit(t)? * 10 + digit(u)?),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

fn date_err() -> ValueError {
    err(format!("不是有效日期（{DATE_FORMS}）"))
}

fn year_range_err(y: i64) -> ValueError {
    err(format!("年份{y}超出范围（应在{MIN_YEAR}–{MAX_YEAR}之间）"))
}

fn make_date(y: u64, m: u64, d: u64) -> Result<NaiveDate, ValueError> {
    let year = i32::try_from(y).unwrap_or(i32::MAX);
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(year_range_err(i64::from(year)));
    }
    if !(1..=12).contains(&m) {
        return Err(err(format!(
            "日期不存在：月份{m}不在1–12之间（{DATE_FORMS}）"
        )));
    }
    let (mu, du) = (m as u32, u32::try_from(d).unwrap_or(u32::MAX));
    NaiveDate::from_ymd_opt(year, mu, du).ok_or_else(|| {
        err(format!(
            "日期不存在：{year}年{m}月没有{d}日（{DATE_FORMS}）"
        ))
    })
}

/// Excel serial (f64) to date in the 1900 date system, including Excel's fake 1900-02-29:
/// serial 1 = 1900-01-01, 59 = 1900-02-28, 60 (the non-existent 1900-02-29) → None,
/// 61 = 1900-03-01. The time of day is dropped after rounding to the nearest millisecond (so
/// 45717.99999999999 is 2025-03-02). None if NaN, infinite or outside 1..=2958465 (9999-12-31).
pub fn excel_serial_to_date(serial: f64) -> Option<NaiveDate> {
    const MS_PER_DAY: f64 = 86_400_000.0;
    if !serial.is_finite() || !(0.0..=(MAX_EXCEL_SERIAL + 1) as f64).contains(&serial) {
        return None;
    }
    let ms = (serial * MS_PER_DAY).round();
    let day = (ms / MS_PER_DAY).floor() as i64;
    if !(1..=MAX_EXCEL_SERIAL).contains(&day) || day == 60 {
        return None;
    }
    // Before the fake leap day, serial n is n days after 1899-12-31; after it, one day less.
    let base = if day < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    base.checked_add_days(Days::new(day as u64))
}

/// A cell made only of an Excel serial day number: `int` has 1..=5 digits, `frac` is the digits
/// after a decimal point, if any.
fn parse_serial(int: &str, frac: Option<&str>, from_1904: bool) -> Result<NaiveDate, ValueError> {
    let n = digits_value(int).ok_or_else(date_err)?;
    if int.len() == 4 && (MIN_YEAR as u64..=MAX_YEAR as u64).contains(&n) {
        // "2025" or "2025.3": a year (and month), not a serial in 1905.
        return Err(err(format!("只有年份或年月，缺少日（{DATE_FORMS}）")));
    }
    if from_1904 {
        // day 0 = 1904-01-01, no fake leap day; a fraction is the time of day
        let date = NaiveDate::from_ymd_opt(1904, 1, 1)
            .and_then(|d| d.checked_add_days(Days::new(n)))
            .ok_or_else(date_err)?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
            return Err(year_range_err(i64::from(date.year())));
        }
        return Ok(date);
    }
    if n == 0 {
        return Err(err(format!(
            "Excel日期序列号必须从1（1900-01-01）开始（{DATE_FORMS}）"
        )));
    }
    if n == 60 {
        return Err(err(
            "Excel日期序列号60对应的1900年2月29日并不存在（Excel的闰年错误），请改填实际日期",
        ));
    }
    let value = match frac {
        None => n as f64,
        Some(f) => format!("{int}.{f}")
            .parse::<f64>()
            .map_err(|_| date_err())?,
    };
    let date = excel_serial_to_date(value).ok_or_else(date_err)?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return Err(year_range_err(i64::from(date.year())));
    }
    Ok(date)
}

/// Parses a time of day (which is then dropped) up to the end of the cursor:
/// `H:MM[:SS[.fff]]`, `H时[M分[S秒]]`, `H点[M分[S秒]]`, optionally preceded by 上午/下午 or
/// followed by AM/PM, and optionally followed by `Z` or a `±HH[:MM]` offset.
///
/// Long: one pass over the accepted time-of-day forms after a date.
fn parse_time(c: &mut Cursor<'_>) -> bool {
    c.skip_ws();
    let mut twelve_hour = c.eat_str("上午") || c.eat_str("下午");
    c.skip_ws();
    let h = c.digits();
    if h.is_empty() || h.len() > 2 {
        return false;
    }
    let hour = digits_value(h).unwrap_or(99);
    let (mut minute, mut second) = (0, 0);
    if c.eat(':') {
        let m = c.digits();
        if m.len() != 2 {
            return false;
        }
        minute = digits_value(m).unwrap_or(99);
        if c.eat(':') {
            let s = c.digits();
            if s.len() != 2 {
                return false;
            }
            second = digits_value(s).unwrap_or(99);
            if c.eat('.') {
                let f = c.digits();
                if f.is_empty() || f.len() > 9 {
                    return false;
                }
            }
        }
    } else if c.eat('时') || c.eat('点') {
        c.skip_ws();
        let m = c.digits();
        if !m.is_empty() {
            if m.len() > 2 {
                return false;
            }
            minute = digits_value(m).unwrap_or(99);
            c.skip_ws();
            if !c.eat('分') {
                return false;
            }
            c.skip_ws();
            let s = c.digits();
            if !s.is_empty() {
                if s.len() > 2 {
                    return false;
                }
                second = digits_value(s).unwrap_or(99);
                c.skip_ws();
                if !c.eat('秒') {
                    return false;
                }
            }
        }
    } else {
        return false;
    }
    c.skip_ws();
    if !twelve_hour && (c.eat_str_ignore_ascii_case("AM") || c.eat_str_ignore_ascii_case("PM")) {
        twelve_hour = true;
        c.skip_ws();
    }
    let utc = c.eat('Z') || c.eat('z');
    if !utc && c.eat_any(&['+', '-']).is_some() {
        let oh = c.digits();
        if oh.len() != 2 || digits_value(oh).unwrap_or(99) > 14 {
            return false;
        }
        c.eat(':');
        let om = c.digits();
        if !(om.is_empty() || om.len() == 2 && digits_value(om).unwrap_or(99) <= 59) {
            return false;
        }
    }
    c.skip_ws();
    let hour_ok = if twelve_hour {
        (1..=12).contains(&hour) || hour == 0
    } else {
        hour <= 23
    };
    c.at_end() && hour_ok && minute <= 59 && second <= 60
}

/// Parses a date cell. Accepted: 2025-03-01, 2025/3/1, 2025.3.1, 20250301, 2025年3月1日 (日
/// optional), padded or not; any of those followed by a time that is dropped ("2025-03-01 14:30",
/// "2025/3/1 8:05:09", "2025-03-01T08:00:00", "2025年3月1日 14时"); an Excel serial day number of
/// up to 5 integer digits ("45717", "45717.625") in the 1900 date system (60 is rejected).
/// Full-width digits and separators are folded first. Ok(None) for missing markers. Invalid
/// calendar dates and years outside 1900..=2200 are errors. A bare 4-digit number in 1900..=2200
/// (or such a number with a fraction, "2025.3") is taken as an incomplete date, not a serial.
///
/// Long: one pass over every accepted date form (ledger.md §Values), each form a few lines.
pub fn parse_date(s: &str) -> Result<Option<NaiveDate>, ValueError> {
    parse_date_in(s, false)
}

/// As [`parse_date`], in a workbook that counts days from 1904 (old Mac
/// Excel): a bare serial number n is n days after 1904-01-01.
pub fn parse_date_1904(s: &str) -> Result<Option<NaiveDate>, ValueError> {
    parse_date_in(s, true)
}

fn parse_date_in(s: &str, from_1904: bool) -> Result<Option<NaiveDate>, ValueError> {
    if too_long(s) {
        return Err(too_long_err("日期"));
    }
    let f = fold(s);
    let t: &str = &f;
    if is_missing_folded(t) {
        return Ok(None);
    }
    let mut c = Cursor::new(t);
    let run = c.digits();
    if run.is_empty() {
        return Err(date_err());
    }
    if c.at_end() {
        return match run.len() {
            8 => compact_date(run).map(Some),
            1..=5 => parse_serial(run, None, from_1904).map(Some),
            _ => Err(date_err()),
        };
    }
    if run.len() <= 5 && c.peek() == Some('.') {
        let save = c.pos;
        c.bump();
        let frac = c.digits();
        if !frac.is_empty() && c.at_end() {
            return parse_serial(run, Some(frac), from_1904).map(Some);
        }
        c.pos = save;
    }

    let mut ended_with_ri = false;
    let (y, m, d) = if run.len() == 8 {
        let date = compact_date(run)?;
        (
            date.year() as u64,
            u64::from(date.month()),
            u64::from(date.day()),
        )
    } else if run.len() == 4 {
        let y = digits_value(run).ok_or_else(date_err)?;
        c.skip_ws();
        let sep = c.eat_any(&['-', '/', '.', '年']).ok_or_else(date_err)?;
        if sep == '年' {
            c.skip_ws();
            let m = one_or_two_digits(&mut c)?;
            c.skip_ws();
            if !c.eat('月') {
                return Err(date_err());
            }
            c.skip_ws();
            let d = one_or_two_digits(&mut c)?;
            let save = c.pos;
            c.skip_ws();
            if c.eat('日') {
                ended_with_ri = true;
            } else {
                c.pos = save;
            }
            (y, m, d)
        } else {
            let m = one_or_two_digits(&mut c)?;
            if !c.eat(sep) {
                return Err(date_err());
            }
            let d = one_or_two_digits(&mut c)?;
            (y, m, d)
        }
    } else {
        return Err(date_err());
    };

    if !c.at_end() {
        let had_ws = c.skip_ws();
        let had_t = !had_ws && (c.eat('T') || c.eat('t'));
        if !(had_ws || had_t || ended_with_ri) {
            return Err(date_err());
        }
        if !parse_time(&mut c) {
            return Err(err(format!(
                "日期后面的时间部分无法识别（{TIME_FORMS}；{DATE_FORMS}）"
            )));
        }
    }
    make_date(y, m, d).map(Some)
}

fn one_or_two_digits(c: &mut Cursor<'_>) -> Result<u64, ValueError> {
    let d = c.digits();
    if d.is_empty() || d.len() > 2 {
        return Err(date_err());
    }
    digits_value(d).ok_or_else(date_err)
}

fn compact_date(run: &str) -> Result<NaiveDate, ValueError> {
    let part = |r: std::ops::Range<usize>| run.get(r).and_then(digits_value).ok_or_else(date_err);
    make_date(part(0..4)?, part(4..6)?, part(6..8)?)
}

// ---------------------------------------------------------------------------------------------
// Booleans
// ---------------------------------------------------------------------------------------------

/// Booleans, case-insensitive after fold: 是/否, 有/无 (and 没有), Y/N, yes/no, true/false, 1/0,
/// √/×, ✓/✗ (✔/✘), 对/错. Missing markers other than 无 ("", "-", "/", "—", "——", N/A, NULL)
/// give Ok(None); 无 means false here.
pub fn parse_bool(s: &str) -> Result<Option<bool>, ValueError> {
    if too_long(s) {
        return Err(too_long_err("的是/否值"));
    }
    let f = fold(s);
    let t: &str = &f;
    match t {
        "是" | "有" | "对" | "1" | "√" | "✓" | "✔" => return Ok(Some(true)),
        "否" | "无" | "没有" | "错" | "0" | "×" | "✗" | "✘" => return Ok(Some(false)),
        _ => {}
    }
    if is_missing_folded(t) {
        return Ok(None);
    }
    for (word, value) in [
        ("y", true),
        ("yes", true),
        ("true", true),
        ("n", false),
        ("no", false),
        ("false", false),
    ] {
        if t.eq_ignore_ascii_case(word) {
            return Ok(Some(value));
        }
    }
    Err(err(format!("不是有效的是/否值（{BOOL_FORMS}）")))
}

// ---------------------------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------------------------

fn int_err() -> ValueError {
    err(format!("不是有效整数（{INT_FORMS}）"))
}

/// Integers: "3", "+3", "-3", "3.0" (a fraction of zeros only), full-width "３", a trailing unit
/// 天/日/人 ("3天", "3 天"), Chinese numerals 零..九十九 ("十二", "二十", "两"). "3.5" is an
/// error; missing markers give Ok(None). The sign is only allowed with Arabic digits.
pub fn parse_int(s: &str) -> Result<Option<i64>, ValueError> {
    if too_long(s) {
        return Err(too_long_err("整数"));
    }
    let f = fold(s);
    let mut t: &str = &f;
    if is_missing_folded(t) {
        return Ok(None);
    }
    if let Some(stripped) = t.strip_suffix(['天', '日', '人']) {
        t = trim_cell(stripped);
    }
    let mut c = Cursor::new(t);
    if c.peek().is_some_and(is_cn_num_char) {
        let run = c.take_while(is_cn_num_char);
        if !c.at_end() {
            return Err(int_err());
        }
        return parse_cn_small(run)
            .map(|v| Some(i64::from(v)))
            .ok_or_else(int_err);
    }
    let negative = match c.eat_any(&['+', '-']) {
        Some('-') => true,
        Some(_) => false,
        None => false,
    };
    let int = c.digits();
    if int.is_empty() {
        return Err(int_err());
    }
    if c.eat('.') {
        let frac = c.digits();
        if !c.at_end() || frac.is_empty() {
            return Err(int_err());
        }
        if frac.bytes().any(|b| b != b'0') {
            return Err(err(format!("不是整数：含有小数部分（{INT_FORMS}）")));
        }
    }
    if !c.at_end() {
        return Err(int_err());
    }
    let overflow = || err(format!("数值超出范围（{INT_FORMS}）"));
    let magnitude = digits_value(int).ok_or_else(overflow)?;
    let value = if negative {
        0i64.checked_sub_unsigned(magnitude).ok_or_else(overflow)?
    } else {
        i64::try_from(magnitude).map_err(|_| overflow())?
    };
    Ok(Some(value))
}

// ---------------------------------------------------------------------------------------------
// Lists and enums
// ---------------------------------------------------------------------------------------------

/// Lists: fold, split on 、 ; ； , ， and newlines (\n, \r\n, \r), trim each piece, drop empty
/// pieces, keep order and remove duplicates keeping the first. Missing markers are not treated
/// specially ("无" gives ["无"]); check [`is_missing`] on the whole cell first if needed.
pub fn split_list(s: &str) -> Vec<String> {
    let f = fold(s);
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for piece in f.split(['、', ';', ',', '\n', '\r']) {
        let p = trim_cell(piece);
        if !p.is_empty() && seen.insert(p) {
            out.push(p.to_string());
        }
    }
    out
}

fn squeeze_ws(s: &str) -> String {
    s.chars().filter(|&c| !is_trim_char(c)).collect()
}

/// Enums: fold and trim, then exact match against `allowed` (each allowed value is folded too);
/// returns the canonical allowed value. A value whose internal white space differs also matches
/// ("行政 处罚" → "行政处罚"). An exact match wins over the missing markers (so "无" can be an
/// allowed value); otherwise missing markers give Ok(None). Anything else is an error listing the
/// allowed values joined by "、".
pub fn match_enum<'a>(s: &str, allowed: &[&'a str]) -> Result<Option<&'a str>, ValueError> {
    let f = fold(s);
    if let Some(&a) = allowed.iter().find(|a| fold(a) == f) {
        return Ok(Some(a));
    }
    if is_missing_folded(&f) {
        return Ok(None);
    }
    let squeezed = squeeze_ws(&f);
    if let Some(&a) = allowed.iter().find(|a| squeeze_ws(&fold(a)) == squeezed) {
        return Ok(Some(a));
    }
    if allowed.is_empty() {
        Err(err("不是允许的取值（没有可选值）"))
    } else {
        Err(err(format!(
            "不是允许的取值（可选：{}）",
            allowed.join("、")
        )))
    }
}

// ---------------------------------------------------------------------------------------------
// Clauses
// ---------------------------------------------------------------------------------------------

/// A clause citation of the measures: article (条) and optional item (项).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Clause {
    pub article: u8,
    pub item: Option<u8>,
}

impl Clause {
    /// Article 9 has items 1–9, 10: 1–10, 11: 1–3, 12: 1–7; an article alone (item None) is in
    /// range if the article is 9..=12.
    pub fn in_range(&self) -> bool {
        let max_item = match self.article {
            9 => 9,
            10 => 10,
            11 => 3,
            12 => 7,
            _ => return false,
        };
        match self.item {
            None => true,
            Some(i) => (1..=max_item).contains(&i),
        }
    }

    /// Outcomes it supports: art 9 → 履职尽责; 10 → 免责, 减轻, 从轻; 11 → 减轻, 从轻;
    /// 12 → 不予容错. False for a clause that is not [`in_range`](Self::in_range). The outcome is
    /// folded (trimmed) before comparison.
    pub fn supports(&self, outcome: &str) -> bool {
        if !self.in_range() {
            return false;
        }
        let o = fold(outcome);
        match self.article {
            9 => o == "履职尽责",
            10 => matches!(&*o, "免责" | "减轻" | "从轻"),
            11 => matches!(&*o, "减轻" | "从轻"),
            12 => o == "不予容错",
            _ => false,
        }
    }

    /// "10.5" or "10" (item None): the canonical text form used in outputs.
    pub fn code(&self) -> String {
        match self.item {
            Some(i) => format!("{}.{}", self.article, i),
            None => self.article.to_string(),
        }
    }
}

fn clause_err() -> ValueError {
    err(format!("不是有效的条款编号（{CLAUSE_FORMS}）"))
}

/// One article or item number: Arabic digits (must fit u8) or Chinese numerals 零..九十九.
fn clause_number(c: &mut Cursor<'_>) -> Result<u8, ValueError> {
    match c.peek() {
        Some(ch) if ch.is_ascii_digit() => {
            let run = c.digits();
            match digits_value(run).and_then(|v| u8::try_from(v).ok()) {
                Some(v) => Ok(v),
                None if run.len() <= 12 => {
                    Err(err(format!("条款编号中的数字{run}过大（{CLAUSE_FORMS}）")))
                }
                None => Err(err(format!("条款编号中的数字过大（{CLAUSE_FORMS}）"))),
            }
        }
        Some(ch) if is_cn_num_char(ch) => {
            let run = c.take_while(is_cn_num_char);
            match parse_cn_small(run) {
                Some(v) => Ok(v as u8),
                None => Err(err(format!(
                    "条款编号中的中文数字“{run}”无法识别（{CLAUSE_FORMS}）"
                ))),
            }
        }
        _ => Err(clause_err()),
    }
}

/// `(N)` with optional white space inside, after the opening bracket was eaten.
fn bracketed_number(c: &mut Cursor<'_>) -> Result<u8, ValueError> {
    c.skip_ws();
    let n = clause_number(c)?;
    c.skip_ws();
    if !c.eat(')') {
        return Err(clause_err());
    }
    Ok(n)
}

/// Clause citations: 第十条第（五）项, 第十条第(五)项, 第十条（五）, 第十条第五项, 第十条五项,
/// 第10条第5项, 10(5), 10（5）, 10.5, 10-5, 十二.五, 十二、五, 第10条, 第十条, 10, 十 — with
/// full-width digits and brackets, optional white space between parts, and an optional prefix
/// "《…》" and/or "办法". Chinese numerals 零..九十九 (covering 一..二十四 and 一..二十). Forms with
/// 款 are rejected. Ok(None) for missing markers. Numbers above 255 are errors; the range of
/// the measures is not checked here (see [`Clause::in_range`]).
///
/// Long: one pass over every accepted way of citing an article item.
pub fn parse_clause(s: &str) -> Result<Option<Clause>, ValueError> {
    if too_long(s) {
        return Err(too_long_err("的条款编号"));
    }
    let f = fold(s);
    let t: &str = &f;
    if is_missing_folded(t) {
        return Ok(None);
    }
    if t.contains('款') {
        return Err(err(format!(
            "条款编号不支持“款”，请写成“第十条第（五）项”的形式（{CLAUSE_FORMS}）"
        )));
    }
    let mut c = Cursor::new(t);
    if c.eat('《') {
        loop {
            match c.bump() {
                Some('》') => break,
                Some(_) => {}
                None => return Err(err(format!("书名号《》没有闭合（{CLAUSE_FORMS}）"))),
            }
        }
        c.skip_ws();
    }
    if c.eat_str("办法") {
        c.skip_ws();
    }
    let di = c.eat('第');
    c.skip_ws();
    let article = clause_number(&mut c)?;
    c.skip_ws();
    let tiao = c.eat('条');
    if di && !tiao {
        return Err(clause_err());
    }
    c.skip_ws();
    if c.at_end() {
        return Ok(Some(Clause {
            article,
            item: None,
        }));
    }
    let item = if tiao {
        c.eat('第');
        c.skip_ws();
        if c.eat('(') {
            let n = bracketed_number(&mut c)?;
            c.skip_ws();
            c.eat('项');
            n
        } else {
            let n = clause_number(&mut c)?;
            c.skip_ws();
            if !c.eat('项') {
                return Err(clause_err());
            }
            n
        }
    } else if c.eat('(') {
        let n = bracketed_number(&mut c)?;
        c.skip_ws();
        c.eat('项');
        n
    } else if c.eat_any(&['.', '-', '、']).is_some() {
        c.skip_ws();
        let n = clause_number(&mut c)?;
        c.skip_ws();
        c.eat('项');
        n
    } else {
        return Err(clause_err());
    };
    c.skip_ws();
    if !c.at_end() {
        return Err(clause_err());
    }
    Ok(Some(Clause {
        article,
        item: Some(item),
    }))
}

// ---------------------------------------------------------------------------------------------
// Quarters
// ---------------------------------------------------------------------------------------------

fn quarter_err() -> ValueError {
    err(format!("不是有效季度（{QUARTER_FORMS}）"))
}

fn quarter_digit(c: &mut Cursor<'_>) -> Result<u64, ValueError> {
    let d = c.digits();
    if d.is_empty() || d.len() > 2 {
        return Err(quarter_err());
    }
    digits_value(d).ok_or_else(quarter_err)
}

/// Quarter labels: "2025Q2", "2025q2", "2025-Q2", "2025 Q2", "2025年Q2", "2025年第二季度",
/// "2025年第2季度", "2025年二季度" → (2025, 2). Years outside 1900..=2200 and quarters outside
/// 1..=4 are errors; missing markers give Ok(None).
pub fn parse_quarter(s: &str) -> Result<Option<(i32, u32)>, ValueError> {
    if too_long(s) {
        return Err(too_long_err("季度"));
    }
    let f = fold(s);
    let t: &str = &f;
    if is_missing_folded(t) {
        return Ok(None);
    }
    let mut c = Cursor::new(t);
    let y = c.digits();
    if y.len() != 4 {
        return Err(quarter_err());
    }
    let year = digits_value(y).ok_or_else(quarter_err)?;
    c.skip_ws();
    let q = if c.eat('-') {
        c.skip_ws();
        if c.eat_any(&['Q', 'q']).is_none() {
            return Err(quarter_err());
        }
        quarter_digit(&mut c)?
    } else if c.eat_any(&['Q', 'q']).is_some() {
        quarter_digit(&mut c)?
    } else if c.eat('年') {
        c.skip_ws();
        if c.eat_any(&['Q', 'q']).is_some() {
            quarter_digit(&mut c)?
        } else {
            c.eat('第');
            c.skip_ws();
            let q = if c.peek().is_some_and(|ch| ch.is_ascii_digit()) {
                quarter_digit(&mut c)?
            } else {
                let run = c.take_while(is_cn_num_char);
                u64::from(parse_cn_small(run).ok_or_else(quarter_err)?)
            };
            c.skip_ws();
            if !c.eat_str("季度") {
                return Err(quarter_err());
            }
            q
        }
    } else {
        return Err(quarter_err());
    };
    c.skip_ws();
    if !c.at_end() {
        return Err(quarter_err());
    }
    let year = year as i32;
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(year_range_err(i64::from(year)));
    }
    if !(1..=4).contains(&q) {
        return Err(err(format!("季度应为1–4，不能是{q}（{QUARTER_FORMS}）")));
    }
    Ok(Some((year, q as u32)))
}

/// A cell value shortened for messages (hostile 10 MB cells stay readable).
pub fn preview(value: &str) -> String {
    const MAX: usize = 40;
    let cleaned: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX + 1)
        .collect();
    if cleaned.chars().count() > MAX {
        format!("{}…", cleaned.chars().take(MAX).collect::<String>())
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    /// ASCII → full-width (the inverse of `fold` for U+0021..U+007E and the space).
    fn to_fullwidth(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                ' ' => '\u{3000}',
                _ => c,
            })
            .collect()
    }

    /// 1..=99 in Chinese numerals: 五, 十, 十二, 二十, 二十四.
    fn to_cn(n: u32) -> String {
        const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        let (t, u) = ((n / 10) as usize, (n % 10) as usize);
        let mut s = String::new();
        if t > 1 {
            s.push_str(D[t]);
        }
        if t >= 1 {
            s.push('十');
        }
        if u > 0 || t == 0 {
            s.push_str(D[u]);
        }
        s
    }

    fn date_ok(s: &str) -> NaiveDate {
        match parse_date(s) {
            Ok(Some(d)) => d,
            other => panic!("{s:?} should parse as a date, got {other:?}"),
        }
    }

    fn date_err_reason(s: &str) -> String {
        match parse_date(s) {
            Err(e) => e.reason,
            other => panic!("{s:?} should be rejected, got {other:?}"),
        }
    }

    fn clause(article: u8, item: Option<u8>) -> Clause {
        Clause { article, item }
    }

    // ----- fold / is_missing -------------------------------------------------------------------

    #[test]
    fn fold_full_width_and_trim() {
        assert_eq!(fold("２０２５－０３－０１"), "2025-03-01");
        assert_eq!(fold("（五）"), "(五)");
        assert_eq!(fold("ＡＢＣ～！"), "ABC~!");
        assert_eq!(fold("\u{FEFF} abc\u{00A0}"), "abc");
        assert_eq!(fold("\u{200B}\u{3000}x\u{3000}y\u{200D}\t\n"), "x y");
        assert_eq!(fold("　　"), "");
        assert!(matches!(fold("  plain  "), Cow::Borrowed("plain")));
        assert!(matches!(fold("３"), Cow::Owned(_)));
        // Characters outside U+FF01..U+FF5E are left alone.
        assert_eq!(fold("、《》｟"), "、《》｟");
    }

    #[test]
    fn missing_markers() {
        for s in [
            "",
            "  ",
            "-",
            "/",
            "无",
            "—",
            "——",
            "－",
            "／",
            "N/A",
            "n/a",
            "Ｎ／Ａ",
            "NULL",
            "null",
            "Null",
            " 无 ",
            "\u{3000}无\u{FEFF}",
        ] {
            assert!(is_missing(s), "{s:?} should be missing");
        }
        for s in ["0", "否", "无效", "NA", "--", "x", "none"] {
            assert!(!is_missing(s), "{s:?} should not be missing");
        }
    }

    // ----- dates -------------------------------------------------------------------------------

    #[test]
    fn date_written_forms() {
        let d = ymd(2025, 3, 1);
        for s in [
            "2025-03-01",
            "2025-3-1",
            "2025/3/1",
            "2025/03/01",
            "2025.3.1",
            "2025.03.01",
            "20250301",
            "2025年3月1日",
            "2025年03月01日",
            "2025年3月1",
            "2025 年 3 月 1 日",
            "２０２５－０３－０１",
            "２０２５年３月１日",
            " 2025-03-01\u{3000}",
        ] {
            assert_eq!(date_ok(s), d, "{s:?}");
        }
        assert_eq!(date_ok("2024-12-31"), ymd(2024, 12, 31));
        assert_eq!(date_ok("1900-01-01"), ymd(1900, 1, 1));
        assert_eq!(date_ok("2200-12-31"), ymd(2200, 12, 31));
    }

    #[test]
    fn date_with_time_dropped() {
        let d = ymd(2025, 3, 1);
        for s in [
            "2025-03-01 14:30",
            "2025/3/1 8:05:09",
            "2025-03-01T08:00:00",
            "2025-03-01t08:00",
            "2025-03-01T08:00:00Z",
            "2025-03-01T08:00:00+08:00",
            "2025-03-01 00:00:00.000",
            "2025年3月1日 14时",
            "2025年3月1日14时30分",
            "2025年3月1日 14时30分05秒",
            "2025年3月1日 8点",
            "2025年3月1日 下午2时",
            "2025/3/1 2:30 PM",
            "20250301 14:30",
            "2025-03-01\u{3000}14:30",
            "2025-03-01\u{00A0}14:30",
            "２０２５／３／１　１４：３０",
        ] {
            assert_eq!(date_ok(s), d, "{s:?}");
        }
    }

    #[test]
    fn excel_serials_hand_worked() {
        // Days from 1900-01-01 to 2025-01-01: 125 years * 365 + 31 leap days (1904..=2024;
        // 1900 is not a leap year) = 45656. Serial 1 is 1900-01-01, and Excel counts the fake
        // 1900-02-29, so 2025-01-01 = 45656 + 1 + 1 = 45658. Then +31 (Jan) +28 (Feb 2025) =
        // 45717 for 2025-03-01.
        assert_eq!(date_ok("45658"), ymd(2025, 1, 1));
        assert_eq!(date_ok("45717"), ymd(2025, 3, 1));
        assert_eq!(date_ok("45717.625"), ymd(2025, 3, 1));
        assert_eq!(date_ok("４５７１７"), ymd(2025, 3, 1));
        assert_eq!(date_ok("1"), ymd(1900, 1, 1));
        assert_eq!(date_ok("59"), ymd(1900, 2, 28));
        assert_eq!(date_ok("61"), ymd(1900, 3, 1));
        assert_eq!(date_ok("0061"), ymd(1900, 3, 1));
        assert_eq!(date_ok("99999"), ymd(2173, 10, 13));
        assert!(date_err_reason("60").contains("1900年2月29日"));
        assert!(date_err_reason("60.5").contains("1900年2月29日"));
        assert!(date_err_reason("0").contains("从1"));
        assert!(date_err_reason("0.5").contains("从1"));
        // 6 and 7 digits are neither serials (max 5 digits) nor compact dates.
        assert!(date_err_reason("457170").contains("不是有效日期"));
        assert!(date_err_reason("2958465").contains("不是有效日期"));
        // A bare year or year.month is an incomplete date, not a 1905 serial.
        assert!(date_err_reason("2025").contains("缺少日"));
        assert!(date_err_reason("2025.3").contains("缺少日"));
        assert!(date_err_reason("-45717").contains("不是有效日期"));
        assert!(date_err_reason("45717.").contains("不是有效日期"));
    }

    #[test]
    fn excel_serial_f64() {
        assert_eq!(excel_serial_to_date(45717.0), Some(ymd(2025, 3, 1)));
        assert_eq!(excel_serial_to_date(45658.0), Some(ymd(2025, 1, 1)));
        assert_eq!(excel_serial_to_date(45717.625), Some(ymd(2025, 3, 1)));
        assert_eq!(
            excel_serial_to_date(45_717.999_999_999_99),
            Some(ymd(2025, 3, 2))
        );
        assert_eq!(excel_serial_to_date(1.0), Some(ymd(1900, 1, 1)));
        assert_eq!(excel_serial_to_date(59.9), Some(ymd(1900, 2, 28)));
        assert_eq!(excel_serial_to_date(60.0), None);
        assert_eq!(excel_serial_to_date(60.5), None);
        assert_eq!(excel_serial_to_date(61.0), Some(ymd(1900, 3, 1)));
        assert_eq!(excel_serial_to_date(2_958_465.0), Some(ymd(9999, 12, 31)));
        assert_eq!(excel_serial_to_date(2_958_465.5), Some(ymd(9999, 12, 31)));
        assert_eq!(excel_serial_to_date(2_958_466.0), None);
        assert_eq!(excel_serial_to_date(0.0), None);
        assert_eq!(excel_serial_to_date(0.999), None);
        assert_eq!(excel_serial_to_date(-1.0), None);
        assert_eq!(excel_serial_to_date(f64::NAN), None);
        assert_eq!(excel_serial_to_date(f64::INFINITY), None);
        assert_eq!(excel_serial_to_date(f64::NEG_INFINITY), None);
        assert_eq!(excel_serial_to_date(f64::MAX), None);
        assert_eq!(excel_serial_to_date(f64::MIN_POSITIVE), None);
    }

    #[test]
    fn date_missing() {
        for s in ["", "-", "/", "无", "—", "N/A", "null", "　"] {
            assert_eq!(parse_date(s), Ok(None), "{s:?}");
        }
    }

    #[test]
    fn date_invalid_calendar_and_range() {
        assert!(date_err_reason("2025-02-30").contains("2025年2月没有30日"));
        assert!(date_err_reason("2025-02-29").contains("2025年2月没有29日"));
        assert!(date_err_reason("2100-02-29").contains("2100年2月没有29日"));
        assert_eq!(date_ok("2024-02-29"), ymd(2024, 2, 29));
        assert_eq!(date_ok("2000-02-29"), ymd(2000, 2, 29));
        assert!(date_err_reason("2025-13-01").contains("月份13"));
        assert!(date_err_reason("2025-00-10").contains("月份0"));
        assert!(date_err_reason("2025-04-00").contains("没有0日"));
        assert!(date_err_reason("20250230").contains("2025年2月没有30日"));
        assert!(date_err_reason("2025年2月30日").contains("2025年2月没有30日"));
        assert!(date_err_reason("1899-12-31").contains("年份1899"));
        assert!(date_err_reason("2201-01-01").contains("年份2201"));
        assert!(date_err_reason("00000000").contains("年份0"));
    }

    #[test]
    fn date_malformed() {
        for s in [
            "abc",
            "2025-3/1",
            "2025/3-1",
            "2025年3/1",
            "25-3-1",
            "2025-3",
            "2025-3-",
            "2025-003-01",
            "3/1/2025",
            "2025-03-01x",
            "2025-03-01 14",
            "2025-03-01T",
            "2025年3月",
            "二〇二五年三月一日",
            "2025—03—01",
        ] {
            let r = date_err_reason(s);
            assert!(r.contains("可用格式"), "{s:?}: {r}");
        }
        for s in [
            "2025-03-01 25:00",
            "2025-03-01 14:60",
            "2025-03-01 14:3",
            "2025-03-01 abc",
            "2025年3月1日 14时30",
            "2025/3/1 13:00 PM",
        ] {
            let r = date_err_reason(s);
            assert!(r.contains("时间部分"), "{s:?}: {r}");
        }
    }

    #[test]
    fn date_too_long() {
        let s = format!("2025-03-01{}", "0".repeat(300));
        assert!(date_err_reason(&s).contains("超过200个字符"));
        let huge = "9".repeat(1_000_000);
        assert!(parse_date(&huge).is_err());
    }

    // ----- booleans ----------------------------------------------------------------------------

    #[test]
    fn bool_forms() {
        for s in [
            "是",
            "有",
            "对",
            "Y",
            "y",
            "yes",
            "YES",
            "Yes",
            "true",
            "TRUE",
            "1",
            "√",
            "✓",
            "✔",
            "Ｙ",
            "ｙｅｓ",
            "１",
            " 是 ",
        ] {
            assert_eq!(parse_bool(s), Ok(Some(true)), "{s:?}");
        }
        for s in [
            "否",
            "无",
            "没有",
            "错",
            "N",
            "n",
            "no",
            "NO",
            "false",
            "False",
            "0",
            "×",
            "✗",
            "✘",
            "Ｎ",
            "０",
            "\u{3000}无",
        ] {
            assert_eq!(parse_bool(s), Ok(Some(false)), "{s:?}");
        }
        for s in ["", "-", "/", "—", "N/A", "null", "－"] {
            assert_eq!(parse_bool(s), Ok(None), "{s:?}");
        }
        for s in ["maybe", "是否", "2", "x", "X", "yess", "t", "f"] {
            let e = parse_bool(s).expect_err(s);
            assert!(e.reason.contains("是/否"), "{s:?}: {}", e.reason);
        }
    }

    // ----- integers ----------------------------------------------------------------------------

    #[test]
    fn int_forms() {
        let cases: &[(&str, i64)] = &[
            ("3", 3),
            ("+3", 3),
            ("-3", -3),
            ("3.0", 3),
            ("3.00", 3),
            ("03", 3),
            ("３", 3),
            ("＋３", 3),
            ("3天", 3),
            ("3 天", 3),
            ("3日", 3),
            ("3人", 3),
            ("3.0天", 3),
            ("0", 0),
            ("零", 0),
            ("〇", 0),
            ("一", 1),
            ("两", 2),
            ("两人", 2),
            ("十", 10),
            ("十二", 12),
            ("一十二", 12),
            ("二十", 20),
            ("二十三", 23),
            ("九十九", 99),
            ("十二天", 12),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ];
        for &(s, v) in cases {
            assert_eq!(parse_int(s), Ok(Some(v)), "{s:?}");
        }
        for s in ["", "-", "/", "无", "N/A"] {
            assert_eq!(parse_int(s), Ok(None), "{s:?}");
        }
    }

    #[test]
    fn int_errors() {
        let reason = |s: &str| parse_int(s).expect_err(s).reason;
        assert!(reason("3.5").contains("小数"));
        assert!(reason("0.1").contains("小数"));
        assert!(reason("9223372036854775808").contains("超出范围"));
        assert!(reason("-9223372036854775809").contains("超出范围"));
        assert!(reason(&"9".repeat(150)).contains("超出范围"));
        for s in [
            "abc", "3.", ".5", "3a", "+-3", "--3", "+", "3天天", "一百", "十十", "十两", "两十",
            "零五", "-三", "1,000", "1e3", "三3",
        ] {
            assert!(reason(s).contains("不是有效整数"), "{s:?}: {}", reason(s));
        }
        assert!(reason(&"1".repeat(201)).contains("超过200个字符"));
    }

    // ----- lists -------------------------------------------------------------------------------

    #[test]
    fn list_forms() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(split_list("张三、李四"), v(&["张三", "李四"]));
        assert_eq!(split_list("张三;李四；王五"), v(&["张三", "李四", "王五"]));
        assert_eq!(split_list("张三,李四，王五"), v(&["张三", "李四", "王五"]));
        assert_eq!(
            split_list("张三\n李四\r\n王五\r赵六"),
            v(&["张三", "李四", "王五", "赵六"])
        );
        assert_eq!(
            split_list(" 张三 、、 李四 ,\u{3000}"),
            v(&["张三", "李四"])
        );
        assert_eq!(split_list("李四、张三、李四、 张三 "), v(&["李四", "张三"]));
        assert_eq!(split_list("Ａ，Ｂ"), v(&["A", "B"]));
        assert_eq!(split_list("行政 处罚、x"), v(&["行政 处罚", "x"]));
        assert_eq!(split_list(""), Vec::<String>::new());
        assert_eq!(split_list("、;,\n"), Vec::<String>::new());
        assert_eq!(split_list("无"), v(&["无"]));
    }

    // ----- enums -------------------------------------------------------------------------------

    #[test]
    fn enum_matching() {
        let allowed = ["行政处罚", "党纪处分", "诫勉谈话"];
        assert_eq!(match_enum("行政处罚", &allowed), Ok(Some("行政处罚")));
        assert_eq!(
            match_enum(" 党纪处分\u{3000}", &allowed),
            Ok(Some("党纪处分"))
        );
        assert_eq!(match_enum("行政 处罚", &allowed), Ok(Some("行政处罚")));
        assert_eq!(
            match_enum("诫勉\u{3000}谈话", &allowed),
            Ok(Some("诫勉谈话"))
        );
        for s in ["", "-", "无", "N/A"] {
            assert_eq!(match_enum(s, &allowed), Ok(None), "{s:?}");
        }
        let e = match_enum("警告", &allowed).expect_err("not allowed");
        assert!(
            e.reason.contains("行政处罚、党纪处分、诫勉谈话"),
            "{}",
            e.reason
        );
        assert!(match_enum("行政", &allowed).is_err());
        // Full-width allowed values and cells fold on both sides.
        assert_eq!(match_enum("A类", &["Ａ类", "B类"]), Ok(Some("Ａ类")));
        assert_eq!(match_enum("Ｂ类", &["Ａ类", "B类"]), Ok(Some("B类")));
        // An allowed value that is also a missing marker wins.
        assert_eq!(match_enum("无", &["有", "无"]), Ok(Some("无")));
        assert_eq!(match_enum("-", &["有", "无"]), Ok(None));
        assert!(match_enum("x", &[]).is_err());
    }

    // ----- clauses -----------------------------------------------------------------------------

    #[test]
    fn clause_range_support_code() {
        for (a, max) in [(9u8, 9u8), (10, 10), (11, 3), (12, 7)] {
            assert!(clause(a, None).in_range());
            assert!(!clause(a, Some(0)).in_range());
            for i in 1..=max {
                assert!(clause(a, Some(i)).in_range(), "{a}.{i}");
            }
            assert!(!clause(a, Some(max + 1)).in_range(), "{a}.{}", max + 1);
        }
        for a in [0u8, 1, 8, 13, 24, 255] {
            assert!(!clause(a, None).in_range());
            assert!(!clause(a, Some(1)).in_range());
        }
        assert!(clause(9, Some(3)).supports("履职尽责"));
        assert!(!clause(9, Some(3)).supports("免责"));
        for o in ["免责", "减轻", "从轻", " 免责 "] {
            assert!(clause(10, Some(5)).supports(o), "{o}");
        }
        assert!(!clause(10, Some(5)).supports("不予容错"));
        assert!(clause(11, Some(1)).supports("减轻"));
        assert!(clause(11, None).supports("从轻"));
        assert!(!clause(11, Some(1)).supports("免责"));
        assert!(clause(12, Some(7)).supports("不予容错"));
        assert!(!clause(12, Some(8)).supports("不予容错"));
        assert!(!clause(13, None).supports("免责"));
        assert_eq!(clause(10, Some(5)).code(), "10.5");
        assert_eq!(clause(10, None).code(), "10");
        assert_eq!(clause(9, Some(10)).code(), "9.10");
        assert!(clause(9, Some(1)) < clause(10, None));
        assert!(clause(10, None) < clause(10, Some(1)));
    }

    #[test]
    fn clause_forms() {
        let c105 = Some(clause(10, Some(5)));
        for s in [
            "第十条第（五）项",
            "第十条第(五)项",
            "第十条（五）",
            "第十条(五)",
            "第十条第五项",
            "第十条五项",
            "第10条第5项",
            "第10条第(5)项",
            "第１０条第（５）项",
            "10(5)",
            "10（5）",
            "１０（５）",
            "10.5",
            "10-5",
            "10、5",
            "十.五",
            "十、五",
            "10(5)项",
            "第 10 条 第 5 项",
            "《实施办法》第十条第（五）项",
            "《办法》 第10条第5项",
            "办法第十条第（五）项",
            "《实施办法》10.5",
        ] {
            assert_eq!(parse_clause(s), Ok(c105), "{s:?}");
        }
        assert_eq!(parse_clause("十二.五"), Ok(Some(clause(12, Some(5)))));
        assert_eq!(parse_clause("十二、五"), Ok(Some(clause(12, Some(5)))));
        assert_eq!(
            parse_clause("《实施办法》第十二条第（五）项"),
            Ok(Some(clause(12, Some(5))))
        );
        for s in [
            "第10条",
            "第十条",
            "10",
            "十",
            "１０",
            "《实施办法》第十条",
            "办法第十条",
        ] {
            assert_eq!(parse_clause(s), Ok(Some(clause(10, None))), "{s:?}");
        }
        // Range is not checked here.
        assert_eq!(
            parse_clause("第二十四条第（二十）项"),
            Ok(Some(clause(24, Some(20))))
        );
        assert_eq!(parse_clause("13.11"), Ok(Some(clause(13, Some(11)))));
        assert_eq!(parse_clause("255.255"), Ok(Some(clause(255, Some(255)))));
        assert_eq!(parse_clause("第九十九条"), Ok(Some(clause(99, None))));
        for s in ["", "-", "无", "/", "N/A"] {
            assert_eq!(parse_clause(s), Ok(None), "{s:?}");
        }
    }

    #[test]
    fn clause_errors() {
        let reason = |s: &str| parse_clause(s).expect_err(s).reason;
        assert!(reason("第十条第二款").contains("款"));
        assert!(reason("第十条第二款第（五）项").contains("款"));
        assert!(reason("第256条").contains("256"));
        assert!(reason("10.300").contains("300"));
        assert!(reason(&format!("第{}条", "9".repeat(40))).contains("过大"));
        assert!(reason("《实施办法第十条").contains("书名号"));
        assert!(reason("第十十条").contains("十十"));
        assert!(reason("第一百条").contains("一百"));
        for s in [
            "abc",
            "第十",
            "第十条第五",
            "第十条第（五项",
            "10(5",
            "10 5",
            "10..5",
            "10.5.1",
            "10.5项项",
            "第十条第（五）项、第十一条",
            "第十条之规定",
            "条",
            "第条",
            "10条5",
        ] {
            let r = reason(s);
            assert!(r.contains("可用格式"), "{s:?}: {r}");
        }
        assert!(reason(&"十".repeat(201)).contains("超过200个字符"));
    }

    /// Every written form of a clause (before optional full-width folding).
    fn clause_forms_for(a: u8, item: Option<u8>) -> Vec<String> {
        let arts = [a.to_string(), to_cn(u32::from(a))];
        let mut out = Vec::new();
        for art in &arts {
            match item {
                None => {
                    out.push(format!("第{art}条"));
                    out.push(art.clone());
                    out.push(format!("《实施办法》第{art}条"));
                    out.push(format!("办法 第 {art} 条"));
                }
                Some(i) => {
                    for it in [i.to_string(), to_cn(u32::from(i))] {
                        out.extend([
                            format!("第{art}条第（{it}）项"),
                            format!("第{art}条第({it})项"),
                            format!("第{art}条（{it}）"),
                            format!("第{art}条({it})"),
                            format!("第{art}条第{it}项"),
                            format!("第{art}条{it}项"),
                            format!("第 {art} 条 第 ( {it} ) 项"),
                            format!("{art}({it})"),
                            format!("{art}（{it}）"),
                            format!("{art}.{it}"),
                            format!("{art}-{it}"),
                            format!("{art}、{it}"),
                            format!("《实施办法》第{art}条第（{it}）项"),
                            format!("办法第{art}条第{it}项"),
                        ]);
                    }
                }
            }
        }
        out
    }

    fn all_clauses_in_range() -> Vec<Clause> {
        let mut v = Vec::new();
        for (a, max) in [(9u8, 9u8), (10, 10), (11, 3), (12, 7)] {
            v.push(clause(a, None));
            v.extend((1..=max).map(|i| clause(a, Some(i))));
        }
        v
    }

    #[test]
    fn clause_every_form_every_clause_exhaustive() {
        let mut n = 0;
        for cl in all_clauses_in_range() {
            assert!(cl.in_range());
            for form in clause_forms_for(cl.article, cl.item) {
                for s in [form.clone(), to_fullwidth(&form)] {
                    assert_eq!(parse_clause(&s), Ok(Some(cl)), "{s:?}");
                    n += 1;
                }
            }
            // The canonical code parses back too.
            assert_eq!(parse_clause(&cl.code()), Ok(Some(cl)));
        }
        assert!(n > 1000, "{n}");
    }

    // ----- quarters ----------------------------------------------------------------------------

    #[test]
    fn quarter_forms() {
        for s in [
            "2025Q2",
            "2025q2",
            "2025-Q2",
            "2025-q2",
            "2025 Q2",
            "2025年Q2",
            "2025年第二季度",
            "2025年第2季度",
            "2025年二季度",
            "2025年2季度",
            "2025 年 第 二 季度",
            "２０２５Ｑ２",
            "２０２５年第２季度",
        ] {
            assert_eq!(parse_quarter(s), Ok(Some((2025, 2))), "{s:?}");
        }
        assert_eq!(parse_quarter("2024年第四季度"), Ok(Some((2024, 4))));
        assert_eq!(parse_quarter("2024Q1"), Ok(Some((2024, 1))));
        for s in ["", "-", "无"] {
            assert_eq!(parse_quarter(s), Ok(None));
        }
        let reason = |s: &str| parse_quarter(s).expect_err(s).reason;
        assert!(reason("2025Q5").contains("不能是5"));
        assert!(reason("2025Q0").contains("不能是0"));
        assert!(reason("2025年第五季度").contains("不能是5"));
        assert!(reason("1899Q1").contains("年份1899"));
        for s in [
            "2025",
            "Q2",
            "25Q2",
            "2025Q",
            "2025Q22x",
            "2025年第二季",
            "2025年第二",
            "2025-2",
            "2025年第十十季度",
            "2025Q2季度",
        ] {
            assert!(reason(s).contains("可用格式"), "{s:?}: {}", reason(s));
        }
    }

    // ----- no-panic regressions ----------------------------------------------------------------

    /// Feeds `s` to every parser and checks the invariants the fuzz target checks.
    fn run_all(s: &str) {
        let folded = fold(s);
        assert_eq!(fold(&folded), folded, "fold is idempotent: {s:?}");
        let _ = is_missing(s);
        if let Ok(Some(d)) = parse_date(s) {
            assert!((MIN_YEAR..=MAX_YEAR).contains(&d.year()), "{s:?} -> {d}");
            assert_eq!(parse_date(&d.to_string()), Ok(Some(d)));
        }
        let _ = parse_bool(s);
        if let Ok(Some(n)) = parse_int(s) {
            assert_eq!(parse_int(&n.to_string()), Ok(Some(n)));
        }
        let list = split_list(s);
        assert_eq!(split_list(&list.join("、")), list, "{s:?}");
        let allowed = ["行政处罚", "无", "A 类"];
        if let Ok(Some(v)) = match_enum(s, &allowed) {
            assert!(allowed.contains(&v));
        }
        if let Ok(Some(c)) = parse_clause(s) {
            let _ = (c.in_range(), c.supports(s));
            assert_eq!(parse_clause(&c.code()), Ok(Some(c)), "{s:?}");
        }
        if let Ok(Some((y, q))) = parse_quarter(s) {
            assert_eq!(parse_quarter(&format!("{y}Q{q}")), Ok(Some((y, q))));
        }
        if let Ok(v) = s.parse::<f64>() {
            let _ = excel_serial_to_date(v);
        }
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for s in [
            "\u{0}",
            "𝟘𝟙",
            "2025年\u{10FFFF}",
            "《",
            "《》",
            "第",
            "第十条第（",
            "2025-03-01T",
            "2025-03-01 上午",
            "2025-03-01 14:30+",
            "2025-03-01 14:30+0800",
            "99999.99999999999999999999",
            "45717.0000000000000000000000000000000000001",
            "2025Q",
            "十十十十",
            "\u{FF5E}\u{FF01}\u{3000}",
            "ａ",
            "٣",
            "\r\n\r\n",
        ] {
            run_all(s);
        }
        run_all(&"、".repeat(100_000));
        run_all(&"a、".repeat(100_000));
    }

    // ----- properties --------------------------------------------------------------------------

    const DATE_FORMATS: [&str; 5] = [
        "%Y-%m-%d",
        "%Y/%-m/%-d",
        "%Y.%m.%d",
        "%Y%m%d",
        "%Y年%-m月%-d日",
    ];

    fn date_strategy() -> impl Strategy<Value = NaiveDate> {
        let first = ymd(1900, 1, 1);
        let span = (ymd(2200, 12, 31) - first).num_days() as u64;
        (0..=span).prop_map(move |n| first + Days::new(n))
    }

    fn interesting_chars() -> impl Strategy<Value = String> {
        let pieces: Vec<&str> = vec![
            "0", "1", "2", "5", "9", "45717", "2025", "-", "/", ".", ":", " ", "T", "Z", "+", "年",
            "月", "日", "时", "分", "秒", "点", "第", "条", "项", "款", "(", ")", "（", "）", "《",
            "》", "办法", "十", "二", "五", "零", "两", "Q", "季度", "、", ";", "，", "\n", "是",
            "无", "天", "　", "\u{FEFF}", "\u{200B}", "上午", "PM", "２", "é", "𝟘",
        ];
        prop::collection::vec(prop::sample::select(pieces), 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn date_every_written_form_round_trips(
            date in date_strategy(),
            fmt in 0usize..DATE_FORMATS.len(),
            time in 0usize..6,
            h in 0u32..24, m in 0u32..60, s in 0u32..60,
            fullwidth in any::<bool>(),
        ) {
            let mut text = date.format(DATE_FORMATS[fmt]).to_string();
            let suffix = match time {
                0 => String::new(),
                1 => format!(" {h:02}:{m:02}"),
                2 => format!(" {h}:{m:02}:{s:02}"),
                3 => format!("T{h:02}:{m:02}:{s:02}"),
                4 if fmt == 4 => format!(" {h}时{m}分"),
                4 => format!(" {h:02}:{m:02}:{s:02}.000"),
                _ if fmt == 4 => format!("{h}时"),
                _ => format!(" {h}:{m:02}"),
            };
            text.push_str(&suffix);
            if fullwidth {
                text = to_fullwidth(&text);
            }
            prop_assert_eq!(parse_date(&text), Ok(Some(date)), "{:?}", text);
        }

        #[test]
        fn excel_serial_matches_offset(date in date_strategy()) {
            // For dates from 1900-03-01 on, the serial is days since 1899-12-30.
            prop_assume!(date >= ymd(1900, 3, 1));
            let serial = (date - ymd(1899, 12, 30)).num_days();
            prop_assert_eq!(excel_serial_to_date(serial as f64), Some(date));
            prop_assert_eq!(excel_serial_to_date(serial as f64 + 0.75), Some(date));
            // 4-digit numbers in 1900..=2200 are read as an incomplete date (a year), not a serial.
            if serial <= 99_999 && !(1900..=2200).contains(&serial) {
                prop_assert_eq!(parse_date(&serial.to_string()), Ok(Some(date)));
            }
        }

        #[test]
        fn parsers_never_panic_regex(s in ".*") {
            run_all(&s);
        }

        #[test]
        fn parsers_never_panic_unicode(s in any::<String>()) {
            run_all(&s);
        }

        #[test]
        fn parsers_never_panic_interesting(s in interesting_chars()) {
            run_all(&s);
        }

        #[test]
        fn clause_random_form_round_trips(
            idx in 0usize..all_clauses_in_range().len(),
            pick in any::<prop::sample::Index>(),
            fullwidth in any::<bool>(),
        ) {
            let cl = all_clauses_in_range()[idx];
            let forms = clause_forms_for(cl.article, cl.item);
            let mut s = forms[pick.index(forms.len())].clone();
            if fullwidth {
                s = to_fullwidth(&s);
            }
            prop_assert_eq!(parse_clause(&s), Ok(Some(cl)), "{:?}", s);
        }

        #[test]
        fn split_list_round_trips(
            raw in prop::collection::vec("[a-z0-9\u{4e00}-\u{9fa5}]{1,5}( [a-z\u{4e00}-\u{9fa5}]{1,3})?", 0..8),
            sep in prop::sample::select(vec!["、", ";", "；", ",", "，", "\n", "\r\n", " 、 ", "，\u{3000}"]),
        ) {
            let mut xs: Vec<String> = Vec::new();
            for x in raw {
                if !xs.contains(&x) {
                    xs.push(x);
                }
            }
            prop_assert_eq!(split_list(&xs.join(sep)), xs);
        }

        #[test]
        fn int_round_trips(n in any::<i64>(), fullwidth in any::<bool>(), unit in 0usize..4) {
            let mut s = n.to_string();
            s.push_str(["", "天", "人", " 日"][unit]);
            if fullwidth {
                s = to_fullwidth(&s);
            }
            prop_assert_eq!(parse_int(&s), Ok(Some(n)), "{:?}", s);
        }

        #[test]
        fn cn_int_round_trips(n in 1u32..100) {
            prop_assert_eq!(parse_int(&to_cn(n)), Ok(Some(i64::from(n))));
        }

        #[test]
        fn quarter_round_trips(year in 1900i32..=2200, q in 1u32..=4, form in 0usize..6, fullwidth in any::<bool>()) {
            let mut s = match form {
                0 => format!("{year}Q{q}"),
                1 => format!("{year}q{q}"),
                2 => format!("{year}-Q{q}"),
                3 => format!("{year}年第{}季度", to_cn(q)),
                4 => format!("{year}年第{q}季度"),
                _ => format!("{year}年{}季度", to_cn(q)),
            };
            if fullwidth {
                s = to_fullwidth(&s);
            }
            prop_assert_eq!(parse_quarter(&s), Ok(Some((year, q))), "{:?}", s);
        }
    }
}
