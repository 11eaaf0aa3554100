//! The outbox of a case: the letters its steps owe the applicant, queued in the step's own
//! transaction and delivered by the worker in `notify::outbox`.

use serde_json::Value;

use super::cases::{self, CaseDetails, Now};
use super::{Actor, ServiceError, ServiceResult};
use crate::notify::letters::{LetterData, LetterKind};
use crate::storage::outbox::{self, NewOutboxRow, OutboxRow};
use crate::storage::DbConnection;

/// The letter a step owes, by the step's event kind (and the consultation it started). A
/// withdrawal is answered with the decision letter (its outcome is `other_misc`, whose wording
/// confirms the conclusion). Steps without a letter to the applicant give `None`.
pub(super) fn letter_for(step_kind: &str, payload: &Value) -> Option<(LetterKind, Option<i64>)> {
    let kind = match step_kind {
        "received" => LetterKind::Acknowledgement,
        "correction_requested" => LetterKind::CorrectionNotice,
        "extended" => LetterKind::ExtensionNotice,
        "consultation_started" => LetterKind::ConsultationLetter,
        "fee_notice_issued" => LetterKind::FeeNotice,
        "decided" | "withdrawn" => LetterKind::Decision,
        _ => return None,
    };
    Some((kind, payload.get("consultation_id").and_then(Value::as_i64)))
}

/// A stable, unique Message-ID chosen at insert, so that every resend of the message carries it.
fn message_id(case_number: &str) -> String {
    let token: u64 = rand::random();
    let local: String =
        case_number.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("<{token:016x}.{local}@gongkai.invalid>")
}

/// A message to queue.
#[derive(Clone, Copy, Debug)]
pub struct Draft<'a> {
    pub case_id: Option<i64>,
    /// Goes into the Message-ID (the case number, or the digest's day).
    pub reference: &'a str,
    pub kind: &'a str,
    pub recipient: Option<&'a str>,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// Queue a message. Without a recipient it is marked `print` (to be printed and posted).
///
/// # Errors
/// A database error.
pub fn enqueue(conn: &mut DbConnection, draft: &Draft<'_>, now: &Now<'_>) -> ServiceResult<i64> {
    let recipient = draft.recipient.map(str::trim).filter(|r| !r.is_empty());
    let message_id = message_id(draft.reference);
    Ok(outbox::insert(
        conn,
        &NewOutboxRow {
            case_id: draft.case_id,
            kind: draft.kind,
            recipient,
            subject: draft.subject,
            body_text: draft.text,
            body_html: draft.html,
            message_id: &message_id,
            status: if recipient.is_some() { "pending" } else { "print" },
            attempts: 0,
            next_attempt_at: now.at,
            created_at: now.at,
        },
    )?)
}

/// Render the letter `kind` of a case just changed and queue it, addressed to the applicant (a
/// consultation letter goes to the consulted party, whose address is not recorded: `print`).
///
/// # Errors
/// A database error, or a template that fails to render.
pub(super) fn enqueue_letter(
    conn: &mut DbConnection,
    details: &CaseDetails,
    kind: LetterKind,
    consultation_id: Option<i64>,
    now: &Now<'_>,
) -> ServiceResult<i64> {
    let data = super::letters::of_details(conn, details.clone(), kind, consultation_id, *now)?;
    enqueue_data(conn, details, &data, now)
}

/// Render the letter of `data`, drawn from `details`, and queue it as [`enqueue_letter`] does.
///
/// # Errors
/// As [`enqueue_letter`].
pub(super) fn enqueue_data(
    conn: &mut DbConnection,
    details: &CaseDetails,
    data: &LetterData,
    now: &Now<'_>,
) -> ServiceResult<i64> {
    let kind = data.kind;
    let recipient = match kind {
        LetterKind::ConsultationLetter => None,
        _ => details.applicant.email.clone(),
    };
    let letter = now.letters.render(data).map_err(|e| ServiceError::corrupt(format!("letter {kind}: {e}")))?;
    let draft = Draft {
        case_id: Some(details.case.id),
        reference: &details.case.case_number,
        kind: kind.as_str(),
        recipient: recipient.as_deref(),
        subject: &letter.subject,
        text: &letter.text,
        html: &letter.html,
    };
    enqueue(conn, &draft, now)
}

/// The messages of a case the caller sees, oldest first.
///
/// # Errors
/// 404 when the case does not exist or is not visible.
pub fn of_case(conn: &mut DbConnection, actor: &Actor, case_id: i64) -> ServiceResult<Vec<OutboxRow>> {
    let case = cases::get_visible(conn, actor, case_id)?;
    Ok(outbox::of_case(conn, case.id)?)
}
