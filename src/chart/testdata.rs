//! A six-case ledger with hand-made analysis tables for the chart tests.
//!
//! | case | unit | domain | error type | filed | decided | outcome | clause |
//! |---|---|---|---|---|---|---|---|
//! | A1 | 王舍人街道办事处 | 城市管理 | 违反法定程序 | 2025-04-10 | 2025-05-06 | 免责 | 10.5 |
//! | A2 | 王舍人街道办事处 | 城市管理 | 违反法定程序 | 2025-05-12 | 2025-06-10 | 不予容错 | 12.1 |
//! | A3 | 王舍人街道办事处 | 城市管理 | 未执行重大执法决定法制审核制度 | 2025-07-01 | 2025-07-20 | 履职尽责 | 9.1 |
//! | A4 | 王舍人街道办事处 | 住房城乡建设 | 文书瑕疵 | 2025-08-15 | – | – | – |
//! | B1 | 区住房和城乡建设局 | 住房城乡建设 | 违反法定程序 | 2025-07-03 | 2025-08-01 | 减轻 | 11.1 |
//! | B2 | 区住房和城乡建设局 | 住房城乡建设 | 其他 | 2025-09-30 | 2025-10-09 | 免责 | 10.5 |

use chrono::NaiveDate;
use polars::prelude::*;

use super::inputs::ChartInputs;
use crate::ingest::auxiliary::Volume;
use crate::period::days_since_epoch;
use crate::period::{Quarter, Window};
use crate::schema as s;

pub const WANG: &str = "王舍人街道办事处";
pub const ZHUJIAN: &str = "区住房和城乡建设局";

pub struct Tables {
    pub cases: DataFrame,
    pub deadlines: DataFrame,
    pub outcomes: DataFrame,
    pub volume: Volume,
}

impl Tables {
    pub fn inputs(&self, window: Option<Window>) -> ChartInputs<'_> {
        ChartInputs {
            cases: &self.cases,
            deadlines: crate::analysis::deadlines::with_filed_on(
                self.deadlines.clone().lazy(),
                self.cases.clone().lazy(),
            ),
            outcomes: &self.outcomes,
            volume: Some(&self.volume),
            window,
            as_of: NaiveDate::from_ymd_opt(2025, 11, 30),
        }
    }
}

fn d(text: &str) -> Option<i32> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(days_since_epoch)
}

pub fn q3() -> Window {
    Window::Quarter(Quarter { year: 2025, q: 3 })
}

pub fn cases() -> DataFrame {
    let none_date: Vec<Option<i32>> = vec![None; 6];
    let none_text: Vec<Option<&str>> = vec![None; 6];
    df!(
        s::CASE_ID => ["A1", "A2", "A3", "A4", "B1", "B2"],
        s::UNIT => [WANG, WANG, WANG, WANG, ZHUJIAN, ZHUJIAN],
        s::DOMAIN => ["城市管理", "城市管理", "城市管理", "住房城乡建设", "住房城乡建设", "住房城乡建设"],
        s::ERROR_TYPE => ["违反法定程序", "违反法定程序", "未执行重大执法决定法制审核制度", "文书瑕疵", "违反法定程序", "其他"],
        s::FILED_ON => ["2025-04-10", "2025-05-12", "2025-07-01", "2025-08-15", "2025-07-03", "2025-09-30"].map(d),
        s::DECIDED_ON => [d("2025-05-06"), d("2025-06-10"), d("2025-07-20"), None, d("2025-08-01"), d("2025-10-09")],
        s::OUTCOME => [Some("免责"), Some("不予容错"), Some("履职尽责"), None, Some("减轻"), Some("免责")],
        s::CLAUSE_ARTICLE => [Some(10i32), Some(12), Some(9), None, Some(11), Some(10)],
        s::CLAUSE_ITEM => [Some(5i32), Some(1), Some(1), None, Some(1), Some(5)],
        s::REVIEW_APPLIED_ON => none_date.clone(),
        s::REVIEW_RESULT => none_text.clone(),
        s::RECTIFY_DUE => none_date.clone(),
        s::RECTIFY_EXTENDED_TO => none_date.clone(),
        s::RECTIFIED_ON => none_date.clone(),
        s::SOURCE => none_text.clone(),
        s::COMPLAINT_FINDING => none_text,
        s::REPORTER_FEEDBACK_ON => none_date.clone(),
        s::CLARIFIED_ON => none_date.clone(),
        s::TRANSFERRED_ON => none_date,
        s::MALICIOUS_REPORT => [None::<bool>; 6],
    )
    .unwrap()
    .lazy()
    .with_columns(
        [
            s::FILED_ON,
            s::DECIDED_ON,
            s::REVIEW_APPLIED_ON,
            s::RECTIFY_DUE,
            s::RECTIFY_EXTENDED_TO,
            s::RECTIFIED_ON,
            s::REPORTER_FEEDBACK_ON,
            s::CLARIFIED_ON,
            s::TRANSFERRED_ON,
        ]
        .iter()
        .map(|c| col(*c).cast(DataType::Date))
        .collect::<Vec<_>>(),
    )
    .collect()
    .unwrap()
}

/// By rule: D16-two met 1 breach 1; D17-decide met 4 late 1 overdue 1;
/// D20-rectify due-soon 1 pending 1. By unit: 王舍人 met 3 late 1 breach 1
/// overdue 1; 区住建局 met 2 due-soon 1 pending 1.
pub fn deadlines() -> DataFrame {
    let rows = [
        ("A1", WANG, "D17-decide", "met"),
        ("A1", WANG, "D16-two", "met"),
        ("A2", WANG, "D17-decide", "late"),
        ("A2", WANG, "D16-two", "breach"),
        ("A3", WANG, "D17-decide", "met"),
        ("A4", WANG, "D17-decide", "overdue"),
        ("B1", ZHUJIAN, "D17-decide", "met"),
        ("B1", ZHUJIAN, "D20-rectify", "due-soon"),
        ("B2", ZHUJIAN, "D17-decide", "met"),
        ("B2", ZHUJIAN, "D20-rectify", "pending"),
    ];
    df!(
        "case_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "unit" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "rule" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "status" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    )
    .unwrap()
}

/// 2025Q3 volume: 王舍人 400 (300 + 100), 区住建局 600.
pub fn volume() -> Volume {
    let q = Quarter { year: 2025, q: 3 };
    Volume::new([
        (q, WANG.to_string(), "城市管理".to_string(), 300.0),
        (q, WANG.to_string(), "住房城乡建设".to_string(), 100.0),
        (q, ZHUJIAN.to_string(), "住房城乡建设".to_string(), 600.0),
    ])
}

pub fn tables() -> Tables {
    let cases = cases();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let outcomes = crate::analysis::outcomes::outcomes(&cases, as_of, false).unwrap();
    Tables {
        cases,
        deadlines: deadlines(),
        outcomes,
        volume: volume(),
    }
}
