//! Every limit the service enforces, in one place: the statutory periods (with their articles)
//! and the product's own bounds on dates, years and texts.

use chrono::NaiveDate;

/// The reply period (Art. 33 ¶1): 20 working days from receipt.
pub const REPLY_PERIOD: u32 = 20;
/// The correction notice must be issued within 7 working days of receipt (Art. 30).
pub const CORRECTION_NOTICE_LIMIT: u32 = 7;
/// A consulted third party (Art. 32) and a consulted agency (Art. 34) have 15 working days from
/// receiving the letter to answer.
pub const CONSULTATION_REPLY_LIMIT: u32 = 15;
/// The one extension is of at most 20 working days (Art. 33 ¶2).
pub const MAX_EXTENSION: u32 = 20;
/// The applicant has 20 working days to pay a fee (国办函〔2020〕109号 第七条).
pub const FEE_PAYMENT_LIMIT: u32 = 20;

/// The earliest date the service accepts anywhere (input, filters, cursors) **[product rule]**:
/// the founding of the People's Republic; no disclosure request is older.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1949, 10, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// The years an annual report or a calendar may be asked for.
pub const YEARS: std::ops::RangeInclusive<i32> = 1949..=2200;

/// Longest accepted texts, in characters.
pub const NAME: usize = 200;
pub const DESCRIPTION: usize = 4000;
pub const ITEM: usize = 2000;
pub const ITEMS: usize = 100;
pub const PHONE: usize = 50;
pub const EMAIL: usize = 254;
pub const ADDRESS: usize = 500;
pub const ID_NUMBER: usize = 64;
/// A case number (申请编号) brought in from an agency's ledger.
pub const CASE_NUMBER: usize = 64;
pub const BASIS: usize = 8000;
/// A reason (extension, amendment, void, correction of the intake).
pub const REASON: usize = 2000;
/// The matters a correction notice lists.
pub const MATTERS: usize = 4000;
/// A consulted party's name.
pub const PARTY: usize = 500;
/// A text search.
pub const QUERY: usize = 200;
/// Pages of a per-page fee notice.
pub const MAX_PAGES: u32 = 100_000;
