//! The letters a case owes: issued with their step (rendered once, numbered, stored, sent), and
//! what became of them (print queue, posting, service). Their data is drawn in `data.rs`.

mod data;

use chrono::Datelike;
use sha2::{Digest, Sha256};

use super::cases::{self, CaseDetails};
use super::{outbox, Actor, Now, ServiceError, ServiceResult};
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::ids::{CaseId, ConsultationId};
use crate::notify::letters::{LetterData, LetterKind};
use crate::storage::letters::{self as letter_store, NewLetter};
pub use crate::storage::letters::{AgencySettings, Delivery, IssuedLetter, PrintStatus};
use crate::storage::{agencies, DbConnection};
use data::{of_details, Source};

/// The data of one letter of a case (the consultation letter of `consultation_id`, or of the
/// latest consultation), as it would be rendered now.
///
/// # Errors
/// 404 invisible case or unknown consultation; 409 when the step the letter belongs to has not
/// happened, or a setting the letter must print is missing (`agency_settings_missing`).
pub fn data(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    kind: LetterKind,
    consultation_id: Option<ConsultationId>,
    now: Now<'_>,
) -> ServiceResult<LetterData> {
    let details = cases::get(conn, actor, id, now)?;
    let agency = agencies::get(conn, details.case().agency_id)?;
    let settings = letter_store::settings(conn, agency.id)?;
    let source =
        Source { agency_name: &agency.name, settings: &settings, kind, consultation_id, earlier: None, delivery: None };
    of_details(&details, source, now)
}

/// A letter a step owes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ToIssue<'a> {
    pub kind: LetterKind,
    /// For a consultation letter or a notice to a third party: which consultation.
    pub consultation_id: Option<ConsultationId>,
    /// The step it belongs to.
    pub event: &'a RecordedEvent,
    /// Send it even though the step was entered after the fact.
    pub notify: bool,
    /// The earlier letter it replaces or withdraws.
    pub earlier: Option<&'a IssuedLetter>,
}

/// Issue a letter of a case: render it once with its own document number, store it, and send it
/// (queue the e-mail) unless it goes by post or was entered after the fact (`recorded`; `notify`
/// overrides that). `event` is the step it belongs to; `earlier` the letter it replaces or withdraws.
///
/// # Errors
/// 409 `agency_settings_missing` when a setting the letter must print is missing (the step is then
/// not recorded either: it is one transaction); a template that fails to render; a database error.
pub(crate) fn issue(
    conn: &mut DbConnection,
    details: &CaseDetails,
    letter: &ToIssue<'_>,
    now: &Now<'_>,
) -> ServiceResult<IssuedLetter> {
    let ToIssue { kind, consultation_id, event, notify, earlier } = *letter;
    let case = details.case();
    let agency = agencies::get(conn, case.agency_id)?;
    let settings = letter_store::settings(conn, agency.id)?;
    let reason = match &event.event {
        CaseEvent::StepRevoked { reason, .. } | CaseEvent::Amended { reason, .. } => reason.as_str(),
        _ => "",
    };
    // Letters to a consulted or notified party (and their rectifications) go by post: its address
    // is not recorded.
    let to_party = kind.to_party() || (kind == LetterKind::Rectification && earlier.is_some_and(|l| l.kind.to_party()));
    let email = if to_party { None } else { case.applicant.email.clone() };
    let backdated = now.letter_policy.is_backdated(event.effective_on, now.today) && !notify;
    let delivery = match email {
        _ if backdated => Delivery::Recorded,
        Some(_) => Delivery::Email,
        None => Delivery::Print,
    };
    let source = Source {
        agency_name: &agency.name,
        settings: &settings,
        kind,
        consultation_id,
        earlier: earlier.map(|l| (l, reason)),
        delivery: Some(delivery),
    };
    let mut data = of_details(details, source, *now)?;
    let year = data.issued_on.year();
    let number = letter_store::next_number(conn, agency.id, now.letter_policy.counter(kind), year)?;
    let prefix = settings.document_prefix.as_deref().unwrap_or(&agency.code);
    data.document_number = now.letter_policy.document_number(prefix, kind, year, number);
    let rendered = now.letters.render(&data).map_err(|e| ServiceError::corrupt(format!("letter {kind}: {e}")))?;
    let recipient = data.recipient().to_owned();
    let outbox_id = match (&email, delivery) {
        (Some(address), Delivery::Email) => Some(outbox::enqueue(
            conn,
            &outbox::Draft {
                case_id: Some(case.id),
                reference: &case.case_number,
                kind: kind.as_str(),
                recipient: Some(address),
                subject: &rendered.subject,
                text: &rendered.text,
                html: &rendered.html,
            },
            now,
        )?),
        _ => None,
    };
    let sha256 = hex::encode(Sha256::digest(rendered.html.as_bytes()));
    let id = letter_store::insert(
        conn,
        &NewLetter {
            case_id: case.id,
            agency_id: agency.id,
            kind,
            year,
            number,
            document_number: &data.document_number,
            event_seq: event.seq,
            consultation_id,
            issued_on: data.issued_on,
            recipient: &recipient,
            subject: &rendered.subject,
            body_html: &rendered.html,
            body_text: &rendered.text,
            sha256: &sha256,
            refers_to: earlier.map(|l| l.id),
            delivery,
            outbox_id,
            created_at: now.at,
        },
    )?;
    Ok(IssuedLetter {
        id,
        case_id: case.id,
        agency_id: agency.id,
        kind,
        year,
        number,
        document_number: data.document_number,
        event_seq: event.seq,
        consultation_id,
        issued_on: data.issued_on,
        recipient,
        subject: rendered.subject,
        body_html: rendered.html,
        body_text: rendered.text,
        sha256,
        refers_to: earlier.map(|l| l.id),
        delivery,
        outbox_id,
        printed_at: None,
        posted_on: None,
        tracking_number: None,
        served_on: None,
        created_at: now.at,
    })
}

/// A letter and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterState {
    pub letter: IssuedLetter,
    /// For a letter sent by e-mail: its outbox message's status (`pending`, `sent`, `failed`, …).
    pub email_status: Option<String>,
}

/// The letters issued for a visible case, in the order issued, with where each stands.
///
/// # Errors
/// 404 invisible case.
pub fn of_case(conn: &mut DbConnection, actor: &Actor, id: CaseId) -> ServiceResult<Vec<LetterState>> {
    let messages = outbox::of_case(conn, actor, id)?;
    Ok(letter_store::of_case(conn, id)?
        .into_iter()
        .map(|letter| {
            let email_status =
                letter.outbox_id.and_then(|m| messages.iter().find(|x| x.id == m)).map(|m| m.status.clone());
            LetterState { letter, email_status }
        })
        .collect())
}

/// The stored copy of a case's letter of `kind` (of the consultation, when given): the one with
/// `document_number`, or the latest. `None` when none was stored (a case entered before letters
/// were kept): the caller may render one from the case.
///
/// # Errors
/// 404 invisible case, or no stored letter has `document_number`.
pub fn stored(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    kind: LetterKind,
    consultation_id: Option<ConsultationId>,
    document_number: Option<&str>,
) -> ServiceResult<Option<IssuedLetter>> {
    cases::get_visible(conn, actor, id)?;
    let all = letter_store::of_case(conn, id)?;
    let mut matching =
        all.into_iter().filter(|l| l.kind == kind && consultation_id.is_none_or(|c| l.consultation_id == Some(c)));
    match document_number {
        Some(number) => matching
            .find(|l| l.document_number == number)
            .map(Some)
            .ok_or(ServiceError::NotFound { what: "letter", code: "letter_not_found" }),
        None => Ok(matching.next_back()),
    }
}

/// A posted letter the caller sees.
fn visible_letter(conn: &mut DbConnection, actor: &Actor, id: i64) -> ServiceResult<IssuedLetter> {
    match letter_store::find_with_path(conn, id)? {
        // A unit that handles the case sees its letters too.
        Some((letter, path))
            if actor.sees(&path) || crate::service::cases::get_visible(conn, actor, letter.case_id).is_ok() =>
        {
            Ok(letter)
        }
        _ => Err(ServiceError::NotFound { what: "letter", code: "letter_not_found" }),
    }
}

/// The letters to print, printed, posted or served, of the agencies the caller sees.
///
/// # Errors
/// 404 invisible agency.
pub fn print_queue(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: Option<crate::domain::AgencyId>,
    status: PrintStatus,
    after: Option<i64>,
    limit: i64,
) -> ServiceResult<Vec<IssuedLetter>> {
    if let Some(agency_id) = agency_id {
        super::agencies::get_visible(conn, actor, agency_id)?;
    }
    Ok(letter_store::print_queue(conn, actor.scope.as_deref().unwrap_or("/"), agency_id, status, after, limit)?)
}

fn require_posted_letter(letter: &IssuedLetter) -> ServiceResult<()> {
    if letter.delivery == Delivery::Print {
        Ok(())
    } else {
        Err(ServiceError::conflict("letter_not_posted", "此文书不以邮寄方式送达（已通过电子邮件发送或仅存档）"))
    }
}

/// Record that a letter to be posted was printed.
///
/// # Errors
/// 403 for auditors; 404 invisible letter; 409 for a letter not sent by post.
pub fn mark_printed(conn: &mut DbConnection, actor: &Actor, id: i64, now: Now<'_>) -> ServiceResult<IssuedLetter> {
    let letter = visible_letter(conn, actor, id)?;
    actor.require(actor.role.can_register(), "登记文书打印")?;
    require_posted_letter(&letter)?;
    letter_store::mark_printed(conn, id, now.at)?;
    visible_letter(conn, actor, id)
}

/// Record that a letter was posted on `posted_on`, with its tracking number.
///
/// # Errors
/// As [`mark_printed`]; 422 for a date before the letter's or in the future.
pub fn mark_posted(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    posted_on: chrono::NaiveDate,
    tracking_number: Option<&str>,
    now: Now<'_>,
) -> ServiceResult<IssuedLetter> {
    let letter = visible_letter(conn, actor, id)?;
    actor.require(actor.role.can_register(), "登记文书寄出")?;
    require_posted_letter(&letter)?;
    if posted_on < letter.issued_on || posted_on > now.today {
        return Err(crate::domain::Violation::field(
            "validation_failed",
            "posted_on",
            format!("寄出日期应在文书日期{}与今天之间", crate::domain::cn_date(letter.issued_on)),
        )
        .into());
    }
    letter_store::mark_posted(conn, id, posted_on, tracking_number, now.at)?;
    visible_letter(conn, actor, id)
}

/// Record that a posted letter was received (送达) on `served_on`: a step of its case, which moves
/// a consultation's reply period and a fee's payment period.
///
/// # Errors
/// As [`mark_printed`]; as the case's steps (a sealed year, a closed case).
pub fn record_service(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    served_on: chrono::NaiveDate,
    now: Now<'_>,
) -> ServiceResult<IssuedLetter> {
    let letter = visible_letter(conn, actor, id)?;
    require_posted_letter(&letter)?;
    if letter.served_on.is_some() {
        return Err(ServiceError::conflict("letter_served", "此文书的送达已经登记"));
    }
    let step = crate::domain::lifecycle::Step::RecordService {
        letter_id: id,
        kind: letter.kind,
        consultation_id: letter.consultation_id,
        issued_on: letter.issued_on,
        served_on,
    };
    super::cases::steps::take(conn, actor, letter.case_id, step, &super::cases::steps::Options::default(), now)?;
    visible_letter(conn, actor, id)
}
