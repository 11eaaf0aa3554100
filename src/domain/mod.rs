//! Pure types and rules of the disclosure-request domain. No web, database or mail code here.

pub mod calendar;
pub mod case;
pub mod clock;
pub mod documents;
pub mod error;
pub mod event;
pub mod fees;
pub mod identity;
pub mod ids;
pub mod intake;
pub mod ledger;
pub mod letters;
pub mod lifecycle;
pub mod limits;
pub mod remedies;
pub mod reply;
pub mod report_text;
pub mod seal;
pub mod sign_in;
pub mod similarity;
pub mod submission;
pub mod types;
pub mod workflow;

pub use error::{FieldError, Violation};
pub use ids::{AgencyId, AppealId, ApplicantId, CaseId, ConsultationId, FeeNoticeId, ItemId, UserId};
pub use types::{AppealKind, ApplicantCategory, CaseStatus, Channel, IdType, LetterKind, Outcome, Role};

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};

/// The calendar date in China (UTC+8, no daylight saving) at the UTC instant `now`. Every legal
/// date (receipt, deadlines, the report year) is a local date.
pub fn china_date(now: NaiveDateTime) -> NaiveDate {
    (now + TimeDelta::hours(8)).date()
}

/// A date as written in Chinese documents and messages: `2019年3月5日`.
pub fn cn_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}
