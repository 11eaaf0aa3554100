//! Cases: intake, reads, lists, events, decision and withdrawal.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde_json::json;

use super::{agencies as agency_service, Actor, ServiceError, ServiceResult};
use crate::domain::calendar::Calendar;
use crate::domain::case::{check_step_date, roll_up, NewCase};
use crate::domain::{CaseStatus, Outcome, Violation};
use crate::storage::applicants::{self, ApplicantFields, ApplicantRow};
use crate::storage::cases::{self, CaseChanges, CaseFilter, CaseRow, EventRow, ItemRow, NewCaseRow, NewEventRow};
use crate::storage::DbConnection;

/// The statutory reply period in working days (Art. 33).
pub const REPLY_WORKING_DAYS: u32 = 20;

/// A case with everything shown on its page.
#[derive(Clone, Debug)]
pub struct CaseDetails {
    pub case: CaseRow,
    pub applicant: ApplicantRow,
    pub items: Vec<ItemRow>,
}

/// What the caller's clock and calendar say "now" is.
#[derive(Clone, Copy, Debug)]
pub struct Now<'a> {
    pub at: NaiveDateTime,
    pub today: NaiveDate,
    pub calendar: &'a Calendar,
}

/// An `Idempotency-Key` with the hash of the request it came with.
#[derive(Clone, Debug)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

/// A validated decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub decided_on: NaiveDate,
    pub outcome: Option<Outcome>,
    pub basis: Option<String>,
    /// Outcomes of individual items: (item id, outcome).
    pub items: Vec<(i64, Outcome)>,
}

fn not_found() -> ServiceError {
    ServiceError::NotFound {
        what: "case",
        code: "case_not_found",
    }
}

fn load_details(conn: &mut DbConnection, case: CaseRow) -> ServiceResult<CaseDetails> {
    let applicant = applicants::get(conn, case.applicant_id)?;
    let items = cases::items(conn, case.id)?;
    Ok(CaseDetails { case, applicant, items })
}

/// The case with `id` if the caller sees it.
///
/// # Errors
/// 404 when it does not exist or is not visible.
pub fn get_visible(conn: &mut DbConnection, actor: &Actor, id: i64) -> ServiceResult<CaseRow> {
    match cases::find_with_path(conn, id)? {
        Some((case, path)) if actor.sees(&path) => Ok(case),
        _ => Err(not_found()),
    }
}

/// Register a request. With an idempotency key already used by the caller for the same request,
/// returns the case created then and `false`.
///
/// # Errors
/// 403 for roles that may not register, 404 for an invisible agency, 422 for an idempotency key
/// reused with a different request.
pub fn intake(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewCase,
    idempotency: Option<&IdempotencyKey>,
    now: Now<'_>,
) -> ServiceResult<(CaseDetails, bool)> {
    actor.require(actor.role.can_register(), "register requests")?;
    if let Some(key) = idempotency {
        if let Some((hash, case_id)) = cases::find_idempotent(conn, actor.user_id, &key.key)? {
            if hash != key.request_hash {
                return Err(Violation::field(
                    "idempotency_key_reused",
                    "Idempotency-Key",
                    "this key was used for a different request",
                )
                .into());
            }
            let case = cases::get(conn, case_id)?;
            return Ok((load_details(conn, case)?, false));
        }
    }
    let agency = agency_service::get_visible(conn, actor, new.agency_id)?;
    let applicant = &new.applicant;
    let fields = ApplicantFields {
        category: applicant.category.as_str(),
        name: &applicant.name,
        phone: applicant.phone.as_deref(),
        email: applicant.email.as_deref(),
        address: applicant.address.as_deref(),
        updated_at: now.at,
    };
    let identity = applicant
        .identity
        .as_ref()
        .map(|i| (i.id_type.as_str(), i.number.as_str()));
    let applicant_id = applicants::upsert(conn, identity, &fields)?;
    let year = new.received_on.year();
    let number = cases::next_number(conn, agency.id, year)?;
    let case_number = format!("{}-{year}-{number:05}", agency.code);
    let due_on = now.calendar.add_working_days(new.received_on, REPLY_WORKING_DAYS);
    let case_id = cases::insert(
        conn,
        &NewCaseRow {
            agency_id: agency.id,
            case_number: &case_number,
            year,
            channel: new.channel.as_str(),
            submitted_on: new.submitted_on,
            received_on: new.received_on,
            applicant_id,
            applicant_category: applicant.category.as_str(),
            description: &new.description,
            status: CaseStatus::Received.as_str(),
            due_on: Some(due_on),
            paused: false,
            extended: false,
            version: 1,
            created_by: actor.user_id,
            created_at: now.at,
            updated_at: now.at,
        },
    )?;
    cases::insert_items(conn, case_id, &new.items)?;
    let payload = json!({
        "channel": new.channel,
        "submitted_on": new.submitted_on,
        "received_on": new.received_on,
        "applicant_id": applicant_id,
        "applicant_category": applicant.category,
        "case_number": case_number,
        "description": new.description,
        "items": new.items,
    });
    append_event(conn, case_id, 1, "received", new.received_on, actor, &payload, now.at)?;
    if let Some(key) = idempotency {
        cases::insert_idempotent(conn, actor.user_id, &key.key, &key.request_hash, case_id, now.at)?;
    }
    let case = cases::get(conn, case_id)?;
    Ok((load_details(conn, case)?, true))
}

#[allow(clippy::too_many_arguments)]
fn append_event(
    conn: &mut DbConnection,
    case_id: i64,
    seq: i64,
    kind: &str,
    effective_on: NaiveDate,
    actor: &Actor,
    payload: &serde_json::Value,
    at: NaiveDateTime,
) -> ServiceResult<()> {
    let seq =
        i32::try_from(seq).map_err(|_| ServiceError::conflict("too_many_events", "the case has too many events"))?;
    let payload = payload.to_string();
    cases::insert_event(
        conn,
        &NewEventRow {
            case_id,
            seq,
            kind,
            effective_on,
            recorded_at: at,
            actor_id: Some(actor.user_id),
            payload: &payload,
        },
    )?;
    Ok(())
}

/// The case with everything on its page, if the caller sees it.
///
/// # Errors
/// 404 when it does not exist or is not visible.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> ServiceResult<CaseDetails> {
    let case = get_visible(conn, actor, id)?;
    load_details(conn, case)
}

/// Cases the caller sees that match `filter`, newest first.
///
/// # Errors
/// 404 when `filter.agency_id` names an agency the caller does not see.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    mut filter: CaseFilter,
    limit: i64,
) -> ServiceResult<Vec<(CaseRow, ApplicantRow)>> {
    if let Some(agency_id) = filter.agency_id {
        agency_service::get_visible(conn, actor, agency_id)?;
    }
    filter.scope = actor.scope.clone();
    Ok(cases::list(conn, &filter, limit)?)
}

/// The case's events after `after_seq`, in order.
///
/// # Errors
/// 404 when the case does not exist or is not visible.
pub fn events(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    after_seq: i32,
    limit: i64,
) -> ServiceResult<Vec<EventRow>> {
    get_visible(conn, actor, id)?;
    Ok(cases::events(conn, id, after_seq, limit)?)
}

/// Load a visible case for a change by a handling officer: checks the role, the optional expected
/// version and that the case is still open, and returns it with the date of its latest event.
fn open_for_change(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    action: &str,
) -> ServiceResult<(CaseRow, NaiveDate)> {
    let case = get_visible(conn, actor, id)?;
    actor.require(actor.role.can_handle(), action)?;
    if let Some(expected) = expected_version {
        if expected != case.version {
            return Err(ServiceError::conflict(
                "version_conflict",
                format!(
                    "the case is at version {}, not {expected}: reload it and try again",
                    case.version
                ),
            ));
        }
    }
    if case.status == CaseStatus::Concluded.as_str() {
        return Err(ServiceError::conflict(
            "case_concluded",
            format!(
                "the case was concluded on {}",
                case.concluded_on.map_or_else(String::new, |d| d.to_string())
            ),
        ));
    }
    let last = cases::events(conn, id, case.version as i32 - 1, 1)?
        .first()
        .map_or(case.received_on, |e| e.effective_on);
    Ok((case, last))
}

/// Check that a step's date is not before the receipt or the previous step, nor in the future.
fn check_date(field: &str, date: NaiveDate, case: &CaseRow, last: NaiveDate, today: NaiveDate) -> ServiceResult<()> {
    check_step_date(field, date, case.received_on, today)?;
    if date < last {
        return Err(Violation::field(
            "date_before_previous_step",
            field,
            format!("must not be before the case's previous step on {last}"),
        )
        .into());
    }
    Ok(())
}

/// Write the conclusion: projection (version-checked), item outcomes and the event.
#[allow(clippy::too_many_arguments)]
fn conclude(
    conn: &mut DbConnection,
    actor: &Actor,
    case: &CaseRow,
    kind: &str,
    on: NaiveDate,
    outcome: Outcome,
    basis: Option<&str>,
    payload: &serde_json::Value,
    at: NaiveDateTime,
) -> ServiceResult<CaseDetails> {
    let changes = CaseChanges {
        status: Some(CaseStatus::Concluded.as_str()),
        outcome: Some(Some(outcome.as_str())),
        concluded_on: Some(Some(on)),
        decision_basis: Some(basis),
        paused: Some(false),
        ..CaseChanges::default()
    };
    if !cases::update_versioned(conn, case.id, case.version, &changes, at)? {
        return Err(ServiceError::conflict(
            "version_conflict",
            "the case was changed concurrently: reload it and try again",
        ));
    }
    append_event(conn, case.id, case.version + 1, kind, on, actor, payload, at)?;
    let case = cases::get(conn, case.id)?;
    load_details(conn, case)
}

/// Record the decision on a case and conclude it.
///
/// # Errors
/// 404 invisible case; 403 role; 409 concluded case or stale version; 422 dates, items that do not
/// belong to the case or contradict the outcome, and lapse outcomes whose deadline has not passed.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    decision: &Decision,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let (case, last) = open_for_change(conn, actor, id, expected_version, "record decisions")?;
    check_date("decided_on", decision.decided_on, &case, last, now.today)?;
    let items = cases::items(conn, id)?;
    let item_outcomes = match_items(&items, &decision.items)?;
    let outcome = roll_up(
        &item_outcomes.iter().map(|(_, o)| *o).collect::<Vec<_>>(),
        decision.outcome,
    )?;
    match outcome {
        Outcome::OtherCorrectionOverdue => {
            return Err(Violation::field(
                "correction_not_lapsed",
                "outcome",
                "`other_correction_overdue` needs an outstanding correction request whose deadline has passed",
            )
            .into())
        }
        Outcome::OtherFeeUnpaid => {
            return Err(Violation::field(
                "fee_not_lapsed",
                "outcome",
                "`other_fee_unpaid` needs an unpaid fee notice whose payment period has passed",
            )
            .into())
        }
        _ => {}
    }
    for item in &items {
        let item_outcome = item_outcomes
            .iter()
            .find(|(i, _)| *i == item.id)
            .map_or(outcome, |(_, o)| *o);
        cases::set_item_outcome(conn, item.id, item_outcome.as_str())?;
    }
    let payload = json!({
        "outcome": outcome,
        "basis": decision.basis,
        "items": item_outcomes.iter().map(|(id, o)| json!({"id": id, "outcome": o})).collect::<Vec<_>>(),
    });
    conclude(
        conn,
        actor,
        &case,
        "decided",
        decision.decided_on,
        outcome,
        decision.basis.as_deref(),
        &payload,
        now.at,
    )
}

/// Check that the decision's items are the case's items, each once, all of them.
fn match_items(items: &[ItemRow], given: &[(i64, Outcome)]) -> ServiceResult<Vec<(i64, Outcome)>> {
    if given.is_empty() {
        return Ok(Vec::new());
    }
    let mut seen = Vec::with_capacity(given.len());
    for (index, (item_id, _)) in given.iter().enumerate() {
        if !items.iter().any(|i| i.id == *item_id) {
            return Err(Violation::field(
                "unknown_item",
                &format!("items[{index}].id"),
                format!("the case has no item {item_id}"),
            )
            .into());
        }
        if seen.contains(item_id) {
            return Err(Violation::field("duplicate_item", &format!("items[{index}].id"), "is listed twice").into());
        }
        seen.push(*item_id);
    }
    if let Some(missing) = items.iter().find(|i| !seen.contains(&i.id)) {
        return Err(Violation::field(
            "items_incomplete",
            "items",
            format!(
                "item {} (position {}) has no outcome: give every item's outcome or none",
                missing.id, missing.position
            ),
        )
        .into());
    }
    Ok(given.to_vec())
}

/// Record the applicant's withdrawal; the case concludes as `other_misc` [product rule].
///
/// # Errors
/// As [`decide`] for the case, role, version and date.
pub fn withdraw(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    withdrawn_on: NaiveDate,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let (case, last) = open_for_change(conn, actor, id, expected_version, "record withdrawals")?;
    check_date("withdrawn_on", withdrawn_on, &case, last, now.today)?;
    for item in cases::items(conn, id)? {
        cases::set_item_outcome(conn, item.id, Outcome::OtherMisc.as_str())?;
    }
    let payload = json!({ "outcome": Outcome::OtherMisc });
    conclude(
        conn,
        actor,
        &case,
        "withdrawn",
        withdrawn_on,
        Outcome::OtherMisc,
        None,
        &payload,
        now.at,
    )
}
