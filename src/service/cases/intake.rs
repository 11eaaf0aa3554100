//! The intake (登记): a request registered the day it arrives, with its acknowledgement queued.

use chrono::Datelike;

use super::steps::Options;
use super::{get, seals_since, CaseDetails};
use crate::domain::case::{Applicant, Case, Particulars};
use crate::domain::clock::{self, ClockEvent};
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::ids::CaseId;
use crate::domain::intake::{NewApplicant, NewCase};
use crate::domain::lifecycle::{self, CaseState};
use crate::domain::workflow::Handling;
use crate::domain::{seal, CaseStatus, LetterKind, Violation};
use crate::service::{agencies as agency_service, letters, Actor, Now, ServiceResult};
use crate::storage::{applicants, cases, DbConnection};

/// Something the desk should know about an intake that was nevertheless registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Stable, e.g. `applicant_name_differs`.
    pub code: &'static str,
    pub message: String,
}

/// A registered (or, for a repeated idempotency key, earlier) case.
#[derive(Clone, Debug)]
pub struct Registered {
    pub details: CaseDetails,
    /// `false`: the idempotency key was used before and this is the case created then.
    pub created: bool,
    pub warnings: Vec<Warning>,
}

/// An `Idempotency-Key` with the hash of the request it came with.
#[derive(Clone, Debug)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

impl IdempotencyKey {
    /// The key with the SHA-256 of the request's JSON: the same key with another request is
    /// refused, so one key cannot stand for two different requests.
    ///
    /// # Errors
    /// The request cannot be written as JSON.
    pub fn for_request(key: &str, request: &impl serde::Serialize) -> Result<Self, serde_json::Error> {
        use sha2::{Digest, Sha256};
        let canonical = serde_json::to_vec(request)?;
        Ok(Self { key: key.to_string(), request_hash: hex::encode(Sha256::digest(canonical)) })
    }
}

/// Register a request; returns the new case. With an idempotency key already used by the caller
/// for the same request, returns the case created then (`created: false`). (The case is read
/// in the same transaction, which needs it for the acknowledgement anyway, so that the caller
/// needs no second database task to answer.)
///
/// # Errors
/// 403 for roles that may not register, 404 for an invisible agency, 409 for a receipt date in a
/// sealed year without a supervisor's reason, 422 for an idempotency key reused with a different
/// request.
pub fn register(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewCase,
    idempotency: Option<&IdempotencyKey>,
    options: &Options,
    now: Now<'_>,
) -> ServiceResult<Registered> {
    let (amendment_reason, notify) = (options.amendment_reason.as_deref(), options.notify);
    actor.require(actor.role.can_register(), "登记申请")?;
    if let Some(key) = idempotency {
        if let Some((hash, case_id)) = cases::find_idempotent(conn, actor.user_id, &key.key)? {
            if hash != key.request_hash {
                return Err(Violation::field(
                    "idempotency_key_reused",
                    "Idempotency-Key",
                    "此幂等键已用于另一项不同的登记",
                )
                .into());
            }
            return Ok(Registered { details: get(conn, actor, case_id, now)?, created: false, warnings: Vec::new() });
        }
    }
    let agency = agency_service::get_visible(conn, actor, new.agency_id)?;
    let seals = seals_since(conn, agency.id, new.received_on, &now)?;
    let sealed_override = seal::guard(&seals, new.received_on, actor.role, amendment_reason)?;
    // Before the case number is allocated: on PostgreSQL that row lock is held until the commit,
    // and each statement run before it is one fewer while intakes into the agency queue.
    let applicant = applicants::upsert(conn, &new.applicant, now.at)?;
    let warnings = warnings_of(&new.applicant, &applicant);
    let year = new.received_on.year();
    let number = cases::next_number(conn, agency.id, year)?;
    let case_number = format!("{}-{year}-{number:05}", agency.code);
    let received = clock::compute(now.calendar, now.rules, &[ClockEvent::Received { on: new.received_on }], now.today);
    // The case as it will read back: written from this, and answered with it rather than read
    // back (the applicant, who may be an earlier one, was read above; the items, which get their
    // ids from the database, are read).
    let mut case = Case {
        id: CaseId::new(0),
        agency_id: agency.id,
        case_number,
        year,
        channel: new.channel,
        submitted_on: new.submitted_on,
        received_on: new.received_on,
        applicant_id: applicant.id,
        applicant_category: new.applicant.category,
        applicant: Particulars {
            name: new.applicant.name.clone(),
            phone: new.applicant.phone.clone(),
            email: new.applicant.email.clone(),
            address: new.applicant.address.clone(),
        },
        description: new.description.clone(),
        status: CaseStatus::Received,
        outcome: None,
        concluded_on: None,
        decision_basis: None,
        due_on: received.due_on,
        paused: false,
        extended: false,
        version: 1,
        created_by: actor.user_id,
        created_at: now.at,
        updated_at: now.at,
        lapses_on: None,
        handling: Handling::default(),
    };
    case.id = cases::insert(conn, &case)?;
    cases::insert_items(conn, case.id, &new.items)?;
    let event = RecordedEvent {
        seq: 1,
        effective_on: new.received_on,
        recorded_at: now.at,
        actor_id: Some(actor.user_id),
        event: CaseEvent::Received {
            channel: new.channel,
            submitted_on: new.submitted_on,
            received_on: new.received_on,
            applicant_id: applicant.id,
            applicant_category: new.applicant.category,
            case_number: case.case_number.clone(),
            description: new.description.clone(),
            items: new.items.clone(),
            sealed_override,
        },
    };
    cases::insert_event(conn, case.id, &event)?;
    let items = if new.items.is_empty() { Vec::new() } else { cases::items(conn, case.id)? };
    let case_id = case.id;
    let state = CaseState {
        case,
        events: vec![event],
        items,
        consultations: Vec::new(),
        fee_notices: Vec::new(),
        appeals: Vec::new(),
    };
    debug_assert_eq!(lifecycle::letter_owed(&state.events[0].event), Some(LetterKind::Acknowledgement));
    let details = CaseDetails { state, applicant, clock: received };
    // The acknowledgement, issued with the case.
    let acknowledgement = letters::ToIssue {
        kind: LetterKind::Acknowledgement,
        consultation_id: None,
        event: &details.state.events[0],
        notify,
        earlier: None,
    };
    letters::issue(conn, &details, &acknowledgement, &now)?;
    if let Some(key) = idempotency {
        cases::insert_idempotent(conn, actor.user_id, &key.key, &key.request_hash, case_id, now.at)?;
    }
    Ok(Registered { details, created: true, warnings })
}

/// What an intake should tell the desk about the applicant on file.
fn warnings_of(given: &NewApplicant, on_file: &Applicant) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if given.identity.is_some() && on_file.name != given.name {
        warnings.push(Warning {
            code: "applicant_name_differs",
            message: format!(
                "该证件号码已登记的申请人姓名或名称为“{}”，与本次填写的“{}”不一致：本申请按本次填写的登记，此前的申请不受影响；请核对证件",
                on_file.name, given.name
            ),
        });
    }
    if on_file.category != given.category {
        warnings.push(Warning {
            code: "applicant_category_differs",
            message: format!(
                "该证件号码此前登记的申请人类型为“{}”，本次为“{}”",
                on_file.category.label(),
                given.category.label()
            ),
        });
    }
    warnings
}

/// The earlier requests, newest first and at most `limit`, of the applicant whose identity
/// document this is, among the cases the caller sees — what the intake desk is shown when an
/// applicant on file is at the desk (each with the particulars as given on it; nothing of the
/// cases of agencies the caller does not see). An invalid number has none.
///
/// # Errors
/// 403 for roles that do not register requests; a database error.
pub fn earlier_requests(
    conn: &mut DbConnection,
    actor: &Actor,
    id_type: crate::domain::IdType,
    number: &str,
    today: chrono::NaiveDate,
    limit: i64,
) -> ServiceResult<Vec<(crate::domain::case::CaseSummary, Applicant)>> {
    actor.require(actor.role.can_register(), "登记申请")?;
    let Ok(number) = crate::domain::intake::check_identity(id_type, number.trim(), today) else {
        return Ok(Vec::new());
    };
    let Some(applicant_id) = applicants::find_by_identity(conn, id_type, &number)? else {
        return Ok(Vec::new());
    };
    let filter = super::CaseFilter { applicant_id: Some(applicant_id), ..super::CaseFilter::default() };
    super::list(conn, actor, filter, limit)
}
