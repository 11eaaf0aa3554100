//! The outbox of a case: the letters its steps owe the applicant, queued in the step's own
//! transaction and delivered by the worker in `notify::outbox`.

use super::cases;
use super::{Actor, Now, ServiceResult};
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;

use crate::storage::outbox::{self, NewOutboxRow, OutboxRow};
use crate::storage::DbConnection;

/// A message of the outbox as its case shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    /// The letter kind, or `reminder` for a digest.
    pub kind: String,
    pub recipient: Option<String>,
    pub subject: String,
    pub message_id: String,
    /// `pending`, `sending`, `sent`, `failed` or `print`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

impl From<OutboxRow> for OutboxMessage {
    fn from(row: OutboxRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            recipient: row.recipient,
            subject: row.subject,
            message_id: row.message_id,
            status: row.status,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            created_at: row.created_at,
            sent_at: row.sent_at,
        }
    }
}

/// A Message-ID unique to this queueing: random, with the case number for people reading headers.
fn message_id(case_number: &str) -> String {
    let token: u64 = rand::random();
    let local: String =
        case_number.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("<{token:016x}.{local}@gongkai.invalid>")
}

/// A message to queue.
#[derive(Clone, Copy, Debug)]
pub struct Draft<'a> {
    pub case_id: Option<CaseId>,
    /// Put into the Message-ID (a case number, a digest's date).
    pub reference: &'a str,
    pub kind: &'a str,
    /// `None`: no address is known; the letter is printed and posted.
    pub recipient: Option<&'a str>,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// Queue a message; returns its id.
///
/// # Errors
/// A database error.
pub fn enqueue(conn: &mut DbConnection, draft: &Draft<'_>, now: &Now<'_>) -> ServiceResult<i64> {
    let recipient = draft.recipient.map(str::trim).filter(|r| !r.is_empty());
    let message_id = message_id(draft.reference);
    Ok(outbox::insert(
        conn,
        &NewOutboxRow {
            case_id: draft.case_id.map(CaseId::get),
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

/// The messages of a case the caller sees, oldest first.
///
/// # Errors
/// 404 invisible case.
pub fn of_case(conn: &mut DbConnection, actor: &Actor, case_id: CaseId) -> ServiceResult<Vec<OutboxMessage>> {
    let case = cases::get_visible(conn, actor, case_id)?;
    Ok(outbox::of_case(conn, case.id.get())?.into_iter().map(OutboxMessage::from).collect())
}

/// How many messages wait, are being sent, or were given up on (for the metrics).
///
/// # Errors
/// A database error.
pub fn queue_depth(conn: &mut DbConnection) -> ServiceResult<Vec<(&'static str, i64)>> {
    Ok(crate::storage::outbox::count_queue(conn)?)
}
