//! What the applicant sees of an online application (申请进度查询): found by its number (or the
//! case's) and the query code; nothing of staff, internal notes, other cases or third parties.

use chrono::NaiveDate;

use super::{Actor, Now, ServiceError, ServiceResult};
use crate::domain::submission::{self, Submission, SubmissionStatus};
use crate::domain::types::event_label;
use crate::domain::{CaseStatus, LetterKind};
use crate::storage::{letters, submissions, DbConnection};

/// A step of the case, as the applicant reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicStep {
    pub on: NaiveDate,
    pub label: &'static str,
}

/// A letter addressed to the applicant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicLetter {
    pub kind: LetterKind,
    pub title: &'static str,
    pub document_number: String,
    pub issued_on: NaiveDate,
    pub text: String,
    pub html: String,
}

/// The applicant's view of a submission and, once confirmed, of its case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicStatus {
    pub submission_number: String,
    pub submission_status: SubmissionStatus,
    pub case_number: Option<String>,
    /// The case's status once confirmed.
    pub case_status: Option<CaseStatus>,
    /// In plain Chinese.
    pub status_text: String,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub reject_reason: Option<String>,
    /// The clock explained in sentences.
    pub clock: Vec<String>,
    pub steps: Vec<PublicStep>,
    pub letters: Vec<PublicLetter>,
    pub withdrawal_requested: bool,
}

/// The events an applicant is shown: the steps of their request, not the agency's bookkeeping
/// (corrections of records, appeals filed elsewhere, imports, the case's documents), nor steps
/// revoked as recorded by mistake **[product rule]**.
fn shown_to_applicant(kind: &str) -> bool {
    matches!(
        kind,
        "received"
            | "correction_requested"
            | "correction_received"
            | "consultation_started"
            | "consultation_replied"
            | "reasons_requested"
            | "reasons_given"
            | "extended"
            | "fee_notice_issued"
            | "fee_paid"
            | "decided"
            | "withdrawn"
            | "amended"
            | "letter_served"
    )
}

/// The letters addressed to the applicant (never a consultation letter or a notice to a third
/// party; a rectification may concern either, so it is left out) **[product rule]**.
fn addressed_to_applicant(kind: LetterKind) -> bool {
    matches!(
        kind,
        LetterKind::Acknowledgement
            | LetterKind::CorrectionNotice
            | LetterKind::ExtensionNotice
            | LetterKind::FeeNotice
            | LetterKind::Decision
            | LetterKind::ReasonsRequest
            | LetterKind::WithdrawalConfirmation
    )
}

fn not_found() -> ServiceError {
    ServiceError::NotFound { what: "submission", code: "submission_not_found" }
}

/// The submission with this number (or case number) whose query code is `code`. An unknown
/// number and a wrong code fail alike, after the same hash comparison.
fn unlock(conn: &mut DbConnection, number: &str, code: &str) -> ServiceResult<Submission> {
    let found = submissions::find_by_number(conn, number.trim())?;
    // Compare against a hash even when the number is unknown, so that both take the same time.
    let stored = found.as_ref().map_or_else(|| "0".repeat(64), |s| s.query_code_hash.clone());
    match found {
        Some(submission) if submission::query_code_matches(&stored, code) => Ok(submission),
        _ => Err(not_found()),
    }
}

/// The applicant's view.
///
/// # Errors
/// 404 (`submission_not_found`) for an unknown number or a wrong code alike.
pub fn status(conn: &mut DbConnection, number: &str, code: &str, now: Now<'_>) -> ServiceResult<PublicStatus> {
    let submission = unlock(conn, number, code)?;
    let mut view = PublicStatus {
        submission_number: submission.submission_number.clone(),
        submission_status: submission.status,
        case_number: None,
        case_status: None,
        status_text: submission.status.label().to_owned(),
        submitted_on: submission.submitted_on(),
        received_on: None,
        due_on: None,
        reject_reason: submission.reject_reason.clone(),
        clock: Vec::new(),
        steps: Vec::new(),
        letters: Vec::new(),
        withdrawal_requested: submission.withdrawal_requested_at.is_some(),
    };
    let Some(case_id) = submission.case_id else { return Ok(view) };
    // The code unlocked exactly this case; the system actor reads it.
    let details = super::cases::get(conn, &Actor::system(), case_id, now)?;
    let case = details.case();
    view.case_number = Some(case.case_number.clone());
    view.case_status = Some(case.status);
    view.status_text = match case.status {
        CaseStatus::Concluded => "已办结，答复书见下方".to_owned(),
        status => format!("{}（{}）", submission.status.label(), status.label()),
    };
    view.received_on = Some(case.received_on);
    view.due_on = details.clock.due_on;
    view.clock = details.clock.explain_zh();
    // A step recorded by mistake and revoked is not one of the request's steps.
    view.steps = crate::domain::lifecycle::effective(&details.state.events)
        .into_iter()
        .filter(|e| shown_to_applicant(e.event.kind()))
        .filter_map(|e| event_label(e.event.kind()).map(|label| PublicStep { on: e.effective_on, label }))
        .collect();
    view.letters = letters::of_case(conn, case_id)?
        .into_iter()
        .filter(|l| addressed_to_applicant(l.kind))
        .map(|l| PublicLetter {
            kind: l.kind,
            title: l.kind.title(),
            document_number: l.document_number,
            issued_on: l.issued_on,
            text: l.body_text,
            html: l.body_html,
        })
        .collect();
    Ok(view)
}

/// The applicant asks to withdraw: recorded on the submission, shown to the officers of the case
/// (who record the withdrawal itself as a step). Idempotent.
///
/// # Errors
/// 404 as [`status`]; 409 when the request is already concluded or was rejected.
pub fn request_withdrawal(
    conn: &mut DbConnection,
    number: &str,
    code: &str,
    now: Now<'_>,
) -> ServiceResult<PublicStatus> {
    let submission = unlock(conn, number, code)?;
    if submission.status == SubmissionStatus::Rejected {
        return Err(ServiceError::conflict("submission_settled", "该网上申请已被退回，无需撤回"));
    }
    if let Some(case_id) = submission.case_id {
        let case = super::cases::get_visible(conn, &Actor::system(), case_id)?;
        if case.status == CaseStatus::Concluded {
            return Err(ServiceError::conflict("case_concluded", "该申请已办结，不能再撤回"));
        }
    }
    submissions::request_withdrawal(conn, submission.id, now.at)?;
    status(conn, number, code, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_case_documents_are_not_shown_to_the_applicant() {
        assert!(shown_to_applicant("decided"));
        assert!(!shown_to_applicant("document_added"));
        assert!(!shown_to_applicant("document_withdrawn"));
    }
}
