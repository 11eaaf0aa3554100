//! Pure types and rules of the disclosure-request domain. No web, database or mail code here.

pub mod calendar;
pub mod case;
pub mod clock;
pub mod error;
pub mod fees;
pub mod identity;
pub mod types;

pub use error::{FieldError, Violation};
pub use types::{ApplicantCategory, CaseStatus, Channel, IdType, Outcome, Role};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

/// The calendar date in China (UTC+8, no daylight saving) at the UTC instant `now`. Every legal
/// date (receipt, deadlines, the report year) is a local date.
pub fn china_date(now: NaiveDateTime) -> NaiveDate {
    (now + TimeDelta::hours(8)).date()
}
