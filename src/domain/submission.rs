//! Online applications (网上申请): a submission waits until the agency confirms it — then it
//! is a case received that day (Art. 31 (3)) — or rejects it as not a disclosure request. The
//! applicant follows it with the submission number and a query code (查询码).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::error::Violation;
use super::ids::{AgencyId, CaseId, SubmissionId, UserId};
use super::intake::NewApplicant;

/// A validated online application, before it is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSubmission {
    pub agency_id: AgencyId,
    pub applicant: NewApplicant,
    pub description: String,
    pub items: Vec<String>,
    pub delivery: Delivery,
}

/// The form and way of obtaining the information wanted (Art. 29 (3)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    pub form: DeliveryForm,
    pub method: DeliveryMethod,
}

/// A stored online application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    pub id: SubmissionId,
    pub submission_number: String,
    pub agency_id: AgencyId,
    pub applicant: NewApplicant,
    pub description: String,
    pub items: Vec<String>,
    pub delivery: Delivery,
    /// UTC.
    pub submitted_at: chrono::NaiveDateTime,
    pub status: SubmissionStatus,
    pub reject_reason: Option<String>,
    pub decided_at: Option<chrono::NaiveDateTime>,
    pub decided_by: Option<UserId>,
    pub case_id: Option<CaseId>,
    pub query_code_hash: String,
    pub withdrawal_requested_at: Option<chrono::NaiveDateTime>,
}

impl Submission {
    /// The day (in China) it was submitted: the case's submitted date once confirmed.
    pub fn submitted_on(&self) -> NaiveDate {
        super::china_date(self.submitted_at)
    }
}

/// Where a submission stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// Waiting for the intake desk.
    Pending,
    /// Confirmed: it is a case, received on the day of the confirmation.
    Confirmed,
    /// Not a disclosure request (a complaint, a consultation, …); the reason is given.
    Rejected,
}

impl SubmissionStatus {
    pub const ALL: &'static [Self] = &[Self::Pending, Self::Confirmed, Self::Rejected];

    /// The stable key (JSON, database).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
        }
    }

    /// The value of a stored key.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.as_str() == key)
    }

    /// The status in plain Chinese, for the applicant.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "已提交，等待机关确认收到",
            Self::Confirmed => "机关已确认收到，正在办理",
            Self::Rejected => "机关认为不属于政府信息公开申请，未予受理",
        }
    }
}

/// The form in which the information is wanted (Art. 29 (3)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryForm {
    Paper,
    Electronic,
    Inspection,
}

impl DeliveryForm {
    pub const ALL: &'static [Self] = &[Self::Paper, Self::Electronic, Self::Inspection];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paper => "paper",
            Self::Electronic => "electronic",
            Self::Inspection => "inspection",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.as_str() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Paper => "纸质",
            Self::Electronic => "电子数据",
            Self::Inspection => "当场查阅",
        }
    }
}

/// The way the information is to be obtained (Art. 29 (3)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    PickUp,
    Post,
    Email,
    Online,
}

impl DeliveryMethod {
    pub const ALL: &'static [Self] = &[Self::PickUp, Self::Post, Self::Email, Self::Online];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PickUp => "pick_up",
            Self::Post => "post",
            Self::Email => "email",
            Self::Online => "online",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.as_str() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::PickUp => "自行领取",
            Self::Post => "邮寄",
            Self::Email => "电子邮件",
            Self::Online => "网上获取",
        }
    }
}

/// The alphabet of query codes: digits and capitals without 0/O, 1/I/L (read over the phone,
/// copied from a screen) **[product rule]**.
pub const QUERY_CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Length of a query code: 31^12 ≈ 7.9 × 10^17 codes (about 59 bits).
pub const QUERY_CODE_LEN: usize = 12;

/// A query code from `QUERY_CODE_LEN` random values (each taken modulo the alphabet; the caller
/// draws them uniformly below the alphabet's size).
pub fn query_code_from(indices: &[usize]) -> String {
    indices.iter().map(|i| char::from(QUERY_CODE_ALPHABET[i % QUERY_CODE_ALPHABET.len()])).collect()
}

/// What is stored of a query code: SHA-256 (hex) of its normalised form. The code is random with
/// about 59 bits and look-ups are rate-limited, so a fast hash suffices.
pub fn hash_query_code(code: &str) -> String {
    let normalised: String = code.trim().chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    hex::encode(Sha256::digest(format!("gongkai-query-code:{normalised}").as_bytes()))
}

/// Whether `code` is the one whose hash is `stored`, compared in constant time (the time does not
/// depend on where the hashes first differ).
pub fn query_code_matches(stored: &str, code: &str) -> bool {
    let given = hash_query_code(code);
    let (a, b) = (stored.as_bytes(), given.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The receipt date of a confirmed online application. Art. 31 (3): an application submitted
/// over the internet is received on the day both sides confirm it — the agency's confirmation,
/// today unless the desk records an earlier confirmation. It cannot precede the submission, nor
/// lie in the future.
///
/// # Errors
/// `received_on` before the submission's day or after today.
pub fn receipt_date_of_confirmation(
    submitted_on: NaiveDate,
    received_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, Violation> {
    let date = received_on.unwrap_or(today);
    if date < submitted_on {
        return Err(Violation::field(
            "received_before_submission",
            "received_on",
            format!("确认收到的日期不能早于网上提交的日期（{}）", super::cn_date(submitted_on)),
        ));
    }
    if date > today {
        return Err(Violation::field("date_in_future", "received_on", "确认收到的日期不能晚于今天"));
    }
    Ok(date)
}

/// An arithmetic challenge from two operands 1–20 **[product rule]**: `a + b` or, when `a > b`,
/// `a - b`, written in Chinese so that the page, not a script, reads it cheaply.
pub fn arithmetic_challenge(a: i64, b: i64, subtract: bool) -> (String, i64) {
    if subtract && a > b {
        (format!("{a} 减 {b} 等于多少？"), a - b)
    } else {
        (format!("{a} 加 {b} 等于多少？"), a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_receipt_date_is_the_confirmation_day_not_before_submission_nor_in_the_future() {
        let (submitted, today) = (day("2026-12-01"), day("2026-12-04"));
        assert_eq!(receipt_date_of_confirmation(submitted, None, today).unwrap(), today);
        assert_eq!(receipt_date_of_confirmation(submitted, Some(submitted), today).unwrap(), submitted);
        let early = receipt_date_of_confirmation(submitted, Some(day("2026-11-30")), today).unwrap_err();
        assert_eq!(early.code, "received_before_submission");
        let late = receipt_date_of_confirmation(submitted, Some(day("2026-12-05")), today).unwrap_err();
        assert_eq!(late.code, "date_in_future");
    }

    #[test]
    fn a_query_code_matches_its_hash_only() {
        let code = query_code_from(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30]);
        assert_eq!(code, "23456789ABCZ");
        let stored = hash_query_code(&code);
        assert!(query_code_matches(&stored, &code));
        assert!(query_code_matches(&stored, " 2345 6789 abcz "), "spaces and case are forgiven");
        assert!(!query_code_matches(&stored, "23456789ABCY"));
        assert!(!query_code_matches(&stored, ""));
        assert!(!stored.contains(&code));
    }

    #[test]
    fn the_alphabet_has_no_ambiguous_characters() {
        for c in b"01IOL" {
            assert!(!QUERY_CODE_ALPHABET.contains(c));
        }
    }

    #[test]
    fn keys_round_trip() {
        for s in SubmissionStatus::ALL {
            assert_eq!(SubmissionStatus::parse(s.as_str()), Some(*s));
        }
        for f in DeliveryForm::ALL {
            assert_eq!(DeliveryForm::parse(f.as_str()), Some(*f));
        }
        for m in DeliveryMethod::ALL {
            assert_eq!(DeliveryMethod::parse(m.as_str()), Some(*m));
        }
    }

    #[test]
    fn arithmetic_challenges_have_their_answer() {
        assert_eq!(arithmetic_challenge(7, 5, true), ("7 减 5 等于多少？".to_string(), 2));
        assert_eq!(arithmetic_challenge(3, 5, true), ("3 加 5 等于多少？".to_string(), 8));
    }
}
