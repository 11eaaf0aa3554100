//! The cells of a ledger as read from a workbook or a CSV file, and dates in the notations
//! ledgers use: Excel dates and serial numbers, `2019-03-05`, `2019/3/5` and `2019年3月5日`.

use chrono::{Datelike, NaiveDate};

/// One cell's content.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number (an Excel serial number in a date column).
    Number(f64),
    /// A number formatted as a date or time in the workbook: its serial number.
    Date(f64),
    Bool(bool),
    /// An error value such as `#N/A`.
    Error(String),
    /// A formula (its value is not taken: it may be stale or depend on other sheets).
    Formula(String),
}

impl Cell {
    /// Whether the cell holds nothing (white space counts as nothing).
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, as a person reads it (numbers without a needless `.0`).
    pub fn text(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(text) => text.trim().to_owned(),
            Self::Number(n) | Self::Date(n) => number_text(*n),
            Self::Bool(true) => "TRUE".to_owned(),
            Self::Bool(false) => "FALSE".to_owned(),
            Self::Error(e) => e.clone(),
            Self::Formula(f) => format!("={f}"),
        }
    }
}

/// A number as text: integers without a fraction (identity numbers and phone numbers typed into
/// a number cell lose nothing below 2^53).
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// Excel's day 0 in the 1900 date system as counted after its leap-year bug: serial 61 is
/// 1900-03-01, and every later serial counts days from 1899-12-30.
const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1899, 12, 30) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// The largest serial number Excel has a date for (9999-12-31).
pub const MAX_SERIAL: i64 = 2_958_465;

/// The date of an Excel serial number (1900 date system; the time of day, a fraction, is
/// dropped). Serials 1–59 are January and February 1900 (Excel's non-existent 29 February 1900 is
/// serial 60 and has no date).
pub fn serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || serial < 1.0 {
        return None;
    }
    let days = format!("{:.0}", serial.floor()).parse::<i64>().ok()?;
    if days > MAX_SERIAL || days == 60 {
        return None;
    }
    let from_epoch = if days < 60 { days + 1 } else { days };
    EPOCH.checked_add_days(chrono::Days::new(u64::try_from(from_epoch).ok()?))
}

/// The Excel serial number of a date from 1900-03-01 on.
pub fn date_to_serial(date: NaiveDate) -> i64 {
    (date - EPOCH).num_days()
}

/// Why a cell is not a date.
pub fn date_message(shown: &str) -> String {
    format!("“{shown}”不是有效的日期：请写作 2019-03-05、2019/3/5 或 2019年3月5日，或使用 Excel 的日期格式")
}

/// The date in a cell: an Excel date, a serial number (or an eight-digit `20190305`), or text in
/// one of the notations `2019-03-05`, `2019/3/5`, `2019.3.5`, `2019年3月5日`, `20190305`, with or
/// without a time after it. `Ok(None)` for an empty cell.
///
/// # Errors
/// A Chinese message quoting the cell.
pub fn parse_date(cell: &Cell) -> Result<Option<NaiveDate>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(text) if text.trim().is_empty() => Ok(None),
        Cell::Text(text) => parse_date_text(text).map(Some).ok_or_else(|| date_message(text.trim())),
        Cell::Date(serial) => serial_to_date(*serial).map(Some).ok_or_else(|| date_message(&number_text(*serial))),
        Cell::Number(n) => {
            let shown = number_text(*n);
            if shown.len() == 8 && shown.bytes().all(|b| b.is_ascii_digit()) {
                return parse_date_text(&shown).map(Some).ok_or_else(|| date_message(&shown));
            }
            serial_to_date(*n).map(Some).ok_or_else(|| date_message(&shown))
        }
        other => Err(date_message(&other.text())),
    }
}

/// A date written as text, see [`parse_date`].
pub fn parse_date_text(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    // A time after the date (`2019-03-05 00:00:00`, `2019-03-05T09:30`) is dropped.
    let date_part = text.split([' ', 'T', '\u{3000}']).next().unwrap_or(text);
    if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(date_part, "%Y%m%d").ok();
    }
    let numbers: Vec<&str> =
        date_part.split(['-', '/', '.', '年', '月', '日', '－', '／', '．']).filter(|p| !p.is_empty()).collect();
    let ascii_digits = |p: &&str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    let [year, month, day] = numbers.as_slice() else { return None };
    if ![year, month, day].iter().all(|p| ascii_digits(p)) || year.len() != 4 || month.len() > 2 || day.len() > 2 {
        return None;
    }
    // `2019年3月5日` must end with 日 and use 年 and 月 together; separators must not be mixed.
    let chinese = date_part.contains('年');
    if chinese && !(date_part.ends_with('日') && date_part.contains('月')) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// A date as the export writes it in text (CSV): `2019-03-05`.
pub fn iso(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn f(serial: i64) -> f64 {
        f64::from(i32::try_from(serial).unwrap())
    }

    #[test]
    fn the_four_notations_give_the_same_date() {
        let want = Some(d(2019, 3, 5));
        assert_eq!(parse_date(&Cell::Text("2019-03-05".into())), Ok(want));
        assert_eq!(parse_date(&Cell::Text("2019/3/5".into())), Ok(want));
        assert_eq!(parse_date(&Cell::Text("2019年3月5日".into())), Ok(want));
        assert_eq!(parse_date(&Cell::Date(43529.0)), Ok(want));
        assert_eq!(parse_date(&Cell::Number(43529.0)), Ok(want));
        assert_eq!(parse_date(&Cell::Text(" 2019-3-5 00:00:00 ".into())), Ok(want));
        assert_eq!(parse_date(&Cell::Text("20190305".into())), Ok(want));
        assert_eq!(parse_date(&Cell::Number(20_190_305.0)), Ok(want));
        assert_eq!(parse_date(&Cell::Text("2019.3.5".into())), Ok(want));
        assert_eq!(parse_date(&Cell::Date(43529.75)), Ok(want), "the time of day is dropped");
    }

    #[test]
    fn the_example_ledgers_serials_are_its_dates() {
        assert_eq!(serial_to_date(45686.0), Some(d(2025, 1, 29)));
        assert_eq!(serial_to_date(45684.0), Some(d(2025, 1, 27)));
        assert_eq!(date_to_serial(d(2025, 1, 29)), 45686);
    }

    #[test]
    fn excels_first_days_and_its_missing_leap_day() {
        assert_eq!(serial_to_date(1.0), Some(d(1900, 1, 1)));
        assert_eq!(serial_to_date(59.0), Some(d(1900, 2, 28)));
        assert_eq!(serial_to_date(60.0), None);
        assert_eq!(serial_to_date(61.0), Some(d(1900, 3, 1)));
        assert_eq!(serial_to_date(f(MAX_SERIAL)), Some(d(9999, 12, 31)));
        assert_eq!(serial_to_date(f(MAX_SERIAL + 1)), None);
        assert_eq!(serial_to_date(0.0), None);
        assert_eq!(serial_to_date(-3.0), None);
        assert_eq!(serial_to_date(f64::NAN), None);
    }

    #[test]
    fn text_that_is_not_a_date_is_refused_with_the_notations_named() {
        for text in ["尚未答复", "2019-02-30", "2019/13/1", "19-3-5", "2019年3月", "2019-3-5-1", "3/5/2019"] {
            let message = parse_date(&Cell::Text(text.into())).unwrap_err();
            assert!(message.contains(text) && message.contains("2019年3月5日"), "{message}");
        }
        assert!(parse_date(&Cell::Bool(true)).is_err());
        assert_eq!(parse_date(&Cell::Text("  ".into())), Ok(None));
        assert_eq!(parse_date(&Cell::Empty), Ok(None));
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(Cell::Number(110105194912310021.0).text().len(), 18);
        assert_eq!(Cell::Number(13800000000.0).text(), "13800000000");
        assert_eq!(Cell::Number(12.5).text(), "12.5");
    }

    proptest! {
        #[test]
        fn a_date_and_its_serial_number_go_both_ways(days in 0i64..2_900_000) {
            let date = d(1900, 3, 1) + chrono::Days::new(u64::try_from(days).unwrap());
            prop_assume!(date <= d(9999, 12, 31));
            let serial = date_to_serial(date);
            prop_assert_eq!(serial_to_date(f(serial)), Some(date));
            prop_assert_eq!(serial_to_date(f(serial) + 0.999), Some(date));
            prop_assert_eq!(parse_date_text(&iso(date)), Some(date));
            let chinese = format!("{}年{}月{}日", date.year(), date.month(), date.day());
            prop_assert_eq!(parse_date_text(&chinese), Some(date));
        }

        #[test]
        fn consecutive_serials_are_consecutive_days(serial in 61i64..MAX_SERIAL) {
            let a = serial_to_date(f(serial)).unwrap();
            let b = serial_to_date(f(serial + 1)).unwrap();
            prop_assert_eq!(b - a, chrono::TimeDelta::days(1));
        }
    }
}
