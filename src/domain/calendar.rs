//! The national working-day calendar (国务院办公厅节假日安排) as data.
//!
//! A date is a working day when it is Monday–Friday and not a rest day of that year's notice, or
//! when the notice makes a weekend day a working day (调休上班). Years without loaded data fall back
//! to the Monday–Friday rule; every answer that relied on such a year is `provisional`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// One year's holiday notice: the rest days (whole holiday periods) and make-up working days.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearCalendar {
    /// The notices the year's data comes from, e.g. `国办发明电〔2019〕16号`.
    pub notices: Vec<String>,
    /// Every day of the official holiday periods, weekend days included.
    pub rest_days: BTreeSet<NaiveDate>,
    /// Weekend days made working days.
    pub work_days: BTreeSet<NaiveDate>,
}

/// Why a year's calendar data was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("日历数据不是有效的 TOML：{0}")]
    Syntax(String),
    #[error("{date}不属于{year}年，却列在该年的日历中")]
    WrongYear { year: i32, date: NaiveDate },
    #[error("{0}同时被列为放假日和调休上班日")]
    Both(NaiveDate),
    #[error("{0}是周一至周五的工作日，不能列为调休上班日（调休上班日应为周末）")]
    WorkDayOnWeekday(NaiveDate),
    #[error("年份{0}超出1949至2200的范围")]
    YearOutOfRange(i32),
}

impl YearCalendar {
    /// Check that every listed date belongs to `year`, that no date is both a rest day and a
    /// working day, and that make-up working days are weekend days.
    ///
    /// # Errors
    /// The first rule the data breaks.
    pub fn validate(&self, year: i32) -> Result<(), CalendarError> {
        if !(1949..=2200).contains(&year) {
            return Err(CalendarError::YearOutOfRange(year));
        }
        for &date in self.rest_days.iter().chain(self.work_days.iter()) {
            if date.year() != year {
                return Err(CalendarError::WrongYear { year, date });
            }
        }
        if let Some(&date) = self.rest_days.intersection(&self.work_days).next() {
            return Err(CalendarError::Both(date));
        }
        if let Some(&date) = self.work_days.iter().find(|d| !is_weekend(**d)) {
            return Err(CalendarError::WorkDayOnWeekday(date));
        }
        Ok(())
    }
}

/// The calendar of every loaded year.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    years: BTreeMap<String, YearCalendar>,
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// The calendar shipped with the product (`config/calendar/cn-calendar.toml`, 2018–2026).
    ///
    /// # Errors
    /// Only if the shipped file is broken, which a unit test rules out.
    pub fn shipped() -> Result<Self, CalendarError> {
        Self::from_toml(include_str!("../../config/calendar/cn-calendar.toml"))
    }

    /// Parse the TOML layout of `config/calendar/cn-calendar.toml`.
    ///
    /// # Errors
    /// Malformed TOML, a malformed date, or a year whose data breaks [`YearCalendar::validate`].
    pub fn from_toml(text: &str) -> Result<Self, CalendarError> {
        let file: CalendarFile = toml::from_str(text).map_err(|e| CalendarError::Syntax(e.message().to_string()))?;
        let mut years = BTreeMap::new();
        for (key, data) in file.years {
            let year: i32 = key.parse().map_err(|_| CalendarError::Syntax(format!("`{key}` is not a year")))?;
            data.validate(year)?;
            years.insert(year, data);
        }
        Ok(Self { years })
    }

    /// Build a calendar from already validated years.
    pub fn from_years(years: impl IntoIterator<Item = (i32, YearCalendar)>) -> Self {
        Self { years: years.into_iter().collect() }
    }

    /// Replace (or add) one year.
    ///
    /// # Errors
    /// The data breaks [`YearCalendar::validate`].
    pub fn set_year(&mut self, year: i32, data: YearCalendar) -> Result<(), CalendarError> {
        data.validate(year)?;
        self.years.insert(year, data);
        Ok(())
    }

    /// The loaded data of `year`, if any.
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    /// The years with loaded data, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Whether the notice data of `date`'s year is loaded.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.years.contains_key(&date.year())
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.years.get(&date.year()) {
            Some(y) if y.work_days.contains(&date) => true,
            Some(y) if y.rest_days.contains(&date) => false,
            _ => !is_weekend(date),
        }
    }

    /// Whether `date` is a rest day on a weekday (a holiday that moves deadlines).
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        !is_weekend(date) && !self.is_working_day(date)
    }

    /// Whether `date` is a weekend day made a working day.
    pub fn is_make_up_day(&self, date: NaiveDate) -> bool {
        is_weekend(date) && self.is_working_day(date)
    }

    /// The `n`-th working day counted from the first working day after `from`
    /// (`n = 0` gives `from` itself).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut date = from;
        let mut left = n;
        while left > 0 {
            date = next_day(date);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// The number of working days `d` with `from < d <= to`; negative when `to < from`
    /// (then it counts `to < d <= from`). Constant work per year of the range: weekdays by
    /// arithmetic, then the notices' rest days and make-up days inside the range.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let mut count = weekdays_through(to) - weekdays_through(from);
        for (_, year) in self.years.range(from.year()..=to.year()) {
            let after = |d: &&NaiveDate| **d > from && **d <= to;
            count -= count_i64(year.rest_days.iter().filter(after).filter(|d| !is_weekend(**d)).count());
            count += count_i64(year.work_days.iter().filter(after).count());
        }
        count
    }
}

/// Monday–Friday days from 0001-01-01 (a Monday) through `date`.
fn weekdays_through(date: NaiveDate) -> i64 {
    let days = i64::from(date.num_days_from_ce()) - 1;
    days.div_euclid(7) * 5 + (days.rem_euclid(7) + 1).min(5)
}

/// A count as `i64` (a count of days never exceeds it).
fn count_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The day after `date`, saturating at the end of chrono's range.
pub fn next_day(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn shipped_calendar_loads_2018_to_2026() {
        let cal = Calendar::shipped().unwrap();
        assert_eq!(cal.years().collect::<Vec<_>>(), (2018..=2026).collect::<Vec<_>>());
    }

    #[test]
    fn make_up_saturday_is_a_working_day_and_holiday_monday_is_not() {
        let cal = Calendar::shipped().unwrap();
        assert!(cal.is_working_day(d("2019-02-02")));
        assert!(cal.is_make_up_day(d("2019-02-02")));
        assert!(!cal.is_working_day(d("2019-02-04")));
        assert!(cal.is_holiday(d("2019-02-04")));
        assert!(!cal.is_working_day(d("2019-02-09")));
    }

    #[test]
    fn twenty_working_days_from_an_ordinary_tuesday() {
        let cal = Calendar::shipped().unwrap();
        // 2019-03-05 is a Tuesday; 20 working days later with no holiday is Tuesday 2019-04-02.
        assert_eq!(cal.add_working_days(d("2019-03-05"), 20), d("2019-04-02"));
        assert_eq!(cal.working_days_between(d("2019-03-05"), d("2019-04-02")), 20);
        assert_eq!(cal.working_days_between(d("2019-04-02"), d("2019-03-05")), -20);
    }

    fn naive_between(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> i64 {
        let (lo, hi, sign) = if to < from { (to, from, -1) } else { (from, to, 1) };
        let mut count = 0;
        let mut date = lo;
        while date < hi {
            date = next_day(date);
            if cal.is_working_day(date) {
                count += 1;
            }
        }
        sign * count
    }

    proptest::proptest! {
        #[test]
        fn counting_by_arithmetic_matches_counting_day_by_day(a in 0u64..4500, b in 0u64..4500) {
            let cal = Calendar::shipped().unwrap();
            let base = d("2016-06-01");
            let (from, to) = (base + chrono::Days::new(a), base + chrono::Days::new(b));
            proptest::prop_assert_eq!(cal.working_days_between(from, to), naive_between(&cal, from, to));
        }
    }

    #[test]
    fn a_year_without_data_uses_monday_to_friday() {
        let cal = Calendar::shipped().unwrap();
        assert!(!cal.covers(d("2030-01-01")));
        assert!(cal.is_working_day(d("2030-01-01")));
        assert!(!cal.is_working_day(d("2030-01-05")));
    }

    #[test]
    fn a_date_listed_in_the_wrong_year_is_rejected() {
        let text = "[years.2020]\nnotices = []\nrest_days = [\"2019-01-01\"]\nwork_days = []\n";
        assert_eq!(Calendar::from_toml(text), Err(CalendarError::WrongYear { year: 2020, date: d("2019-01-01") }));
    }

    #[test]
    fn a_weekday_listed_as_make_up_day_is_rejected() {
        let text = "[years.2020]\nnotices = []\nrest_days = []\nwork_days = [\"2020-01-06\"]\n";
        assert_eq!(Calendar::from_toml(text), Err(CalendarError::WorkDayOnWeekday(d("2020-01-06"))));
    }
}
