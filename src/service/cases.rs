//! Cases: intake, reads, lists, events, and every step of the lifecycle up to the conclusion.
//!
//! Each step loads the case and its events, derives the clock, checks the step against the state
//! and the legal limits, writes its sub-record (consultation, fee notice) and its event, refreshes
//! the projection from the new clock (version-checked), all in the caller's transaction.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde_json::json;

use super::clock::{clock_events, compute, projection};
use super::{agencies as agency_service, outbox, Actor, ServiceError, ServiceResult};
use crate::domain::calendar::Calendar;
use crate::domain::case::{check_step_date, roll_up, NewCase};
use crate::domain::clock::{Clock, ClockEvent, ClockRules};
use crate::domain::fees::{self, FeeBasis, FeeQuote};
use crate::domain::{CaseStatus, Outcome, Violation};
use crate::notify::letters::Letters;
use crate::storage::appeals::{self, AppealRow};
use crate::storage::applicants::{self, ApplicantFields, ApplicantRow};
use crate::storage::cases::{
    self, CaseChanges, CaseFilter, CaseRow, CaseSummaryRow, EventRow, ItemRow, NewCaseRow, NewEventRow,
};
use crate::storage::steps::{self, ConsultationRow, FeeNoticeRow, NewConsultationRow, NewFeeNoticeRow};
use crate::storage::DbConnection;

/// A case with everything shown on its page, and its clock as of today.
#[derive(Clone, Debug)]
pub struct CaseDetails {
    pub case: CaseRow,
    pub applicant: ApplicantRow,
    pub items: Vec<ItemRow>,
    pub clock: Clock,
    pub consultations: Vec<ConsultationRow>,
    pub fee_notices: Vec<FeeNoticeRow>,
    pub appeals: Vec<AppealRow>,
}

/// What "now" is for a use case: the instant, today's date in China, the calendar and the rules.
#[derive(Clone, Copy, Debug)]
pub struct Now<'a> {
    pub at: NaiveDateTime,
    pub today: NaiveDate,
    pub calendar: &'a Calendar,
    pub rules: &'a ClockRules,
    /// The letter templates, for the letters queued in the outbox.
    pub letters: &'a Letters,
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
    /// Why a decision dated in a year whose report is sealed is recorded (supervisors only).
    pub amendment_reason: Option<String>,
}

/// A validated correction notice (补正告知).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorrectionRequest {
    pub issued_on: NaiveDate,
    pub respond_by: NaiveDate,
    pub matters: String,
}

/// A validated consultation (征求意见).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewConsultation {
    /// `third_party` or `agency`.
    pub party_kind: &'static str,
    pub party: String,
    pub sent_on: NaiveDate,
}

/// A validated extension (延期).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub approved_on: NaiveDate,
    pub notified_on: NaiveDate,
    pub working_days: u32,
    pub reason: String,
}

/// A validated fee notice (收费通知).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeNotice {
    pub issued_on: NaiveDate,
    pub basis: FeeBasis,
    pub pages: Option<u32>,
}

fn not_found() -> ServiceError {
    ServiceError::NotFound { what: "case", code: "case_not_found" }
}

/// Load the page of a case whose events are already loaded.
fn details_with(
    conn: &mut DbConnection,
    case: CaseRow,
    events: &[EventRow],
    now: &Now<'_>,
) -> ServiceResult<CaseDetails> {
    let applicant = applicants::get(conn, case.applicant_id)?;
    details_of(conn, case, applicant, events, now)
}

/// Whether the case may have items: they are only ever written at intake, whose `received` event
/// lists them (an event without the list, or no such event, is answered by a query).
fn may_have_items(events: &[EventRow]) -> bool {
    let listed = events.iter().find(|e| e.kind == "received").and_then(|e| {
        let payload: serde_json::Value = serde_json::from_str(&e.payload).ok()?;
        payload.get("items").and_then(serde_json::Value::as_array).map(Vec::len)
    });
    listed != Some(0)
}

fn details_of(
    conn: &mut DbConnection,
    case: CaseRow,
    applicant: ApplicantRow,
    events: &[EventRow],
    now: &Now<'_>,
) -> ServiceResult<CaseDetails> {
    let clock = compute(&clock_events(events)?, now);
    let items = if may_have_items(events) { cases::items(conn, case.id)? } else { Vec::new() };
    // Consultations, fee notices and appeals are only ever created with their event (and events
    // are never deleted): most cases have none, and their reads then need no query for them.
    let has = |kind: &str| events.iter().any(|e| e.kind == kind);
    let consultations = if has("consultation_started") { steps::consultations(conn, case.id)? } else { Vec::new() };
    let fee_notices = if has("fee_notice_issued") { steps::fee_notices(conn, case.id)? } else { Vec::new() };
    let appeals = if has("appeal_filed") { appeals::of_case(conn, case.id)? } else { Vec::new() };
    Ok(CaseDetails { case, applicant, items, clock, consultations, fee_notices, appeals })
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

/// Register a request; returns the new case and `true`. With an idempotency key already used by
/// the caller for the same request, returns the case created then and `false`. (The case is read
/// in the same transaction, which needs it for the acknowledgement anyway, so that the caller
/// needs no second database task to answer.)
///
/// # Errors
/// 403 for roles that may not register, 404 for an invisible agency, 422 for an idempotency key
/// reused with a different request.
pub fn intake(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewCase,
    idempotency: Option<&IdempotencyKey>,
    amendment_reason: Option<&str>,
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
            return Ok((get(conn, actor, case_id, now)?, false));
        }
    }
    let agency = agency_service::get_visible(conn, actor, new.agency_id)?;
    let sealed_override = guard_sealed_since(conn, actor, agency.id, new.received_on, amendment_reason, &now)?;
    let applicant = &new.applicant;
    let fields = ApplicantFields {
        category: applicant.category.as_str(),
        name: &applicant.name,
        phone: applicant.phone.as_deref(),
        email: applicant.email.as_deref(),
        address: applicant.address.as_deref(),
        updated_at: now.at,
    };
    let identity = applicant.identity.as_ref().map(|i| (i.id_type.as_str(), i.number.as_str()));
    // Before the case number is allocated: on PostgreSQL that row lock is held until the commit,
    // and each statement run before it is one fewer while intakes into the agency queue.
    let applicant_row = applicants::upsert(conn, identity, &fields)?;
    let applicant_id = applicant_row.id;
    let year = new.received_on.year();
    let number = cases::next_number(conn, agency.id, year)?;
    let case_number = format!("{}-{year}-{number:05}", agency.code);
    let clock = compute(&[ClockEvent::Received { on: new.received_on }], &now);
    // The case as it will read back: written from this, and answered with it rather than read
    // back (the applicant, who may be an earlier one, was read above; the items, which get their
    // ids from the database, are read).
    let mut case = CaseRow {
        id: 0,
        agency_id: agency.id,
        case_number,
        year,
        channel: new.channel.as_str().to_owned(),
        submitted_on: new.submitted_on,
        received_on: new.received_on,
        applicant_id,
        applicant_category: applicant.category.as_str().to_owned(),
        description: new.description.clone(),
        status: CaseStatus::Received.as_str().to_owned(),
        outcome: None,
        concluded_on: None,
        decision_basis: None,
        due_on: clock.due_on,
        paused: false,
        extended: false,
        version: 1,
        created_by: actor.user_id,
        created_at: now.at,
        updated_at: now.at,
        lapses_on: None,
    };
    case.id = cases::insert(conn, &NewCaseRow::registered(&case))?;
    let case_id = case.id;
    cases::insert_items(conn, case_id, &new.items)?;
    let payload = json!({
        "channel": new.channel,
        "submitted_on": new.submitted_on,
        "received_on": new.received_on,
        "applicant_id": applicant_id,
        "applicant_category": applicant.category,
        "case_number": case.case_number,
        "description": new.description,
        "items": new.items,
        "sealed_override": sealed_override,
    });
    let events = [append_event(conn, case_id, 1, "received", new.received_on, Some(actor.user_id), &payload, now.at)?];
    let details = CaseDetails {
        case,
        applicant: applicant_row,
        items: if new.items.is_empty() { Vec::new() } else { cases::items(conn, case_id)? },
        clock,
        consultations: Vec::new(),
        fee_notices: Vec::new(),
        appeals: Vec::new(),
    };
    // The acknowledgement, queued with the case.
    let letter = super::letters::of_parts(
        details.clone(),
        agency.name,
        &events,
        crate::notify::letters::LetterKind::Acknowledgement,
        None,
        now,
    )?;
    outbox::enqueue_data(conn, &details, &letter, &now)?;
    if let Some(key) = idempotency {
        cases::insert_idempotent(conn, actor.user_id, &key.key, &key.request_hash, case_id, now.at)?;
    }
    Ok((details, true))
}

/// A change effective on `from` alters the report figures of `from`'s year and of every later year
/// up to last year (the current year is never sealed): refuse it in a sealed year unless a
/// supervisor gives a reason.
pub(super) fn guard_sealed_since(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: i64,
    from: NaiveDate,
    reason: Option<&str>,
    now: &Now<'_>,
) -> ServiceResult<Option<serde_json::Value>> {
    let last_year = now.today.year() - 1;
    if from.year() > last_year {
        return Ok(None);
    }
    super::report::guard_sealed(conn, actor, agency_id, from.year(), last_year, reason)
}

#[allow(clippy::too_many_arguments)]
fn append_event(
    conn: &mut DbConnection,
    case_id: i64,
    seq: i64,
    kind: &str,
    effective_on: NaiveDate,
    actor_id: Option<i64>,
    payload: &serde_json::Value,
    at: NaiveDateTime,
) -> ServiceResult<EventRow> {
    let seq =
        i32::try_from(seq).map_err(|_| ServiceError::conflict("too_many_events", "the case has too many events"))?;
    let payload = payload.to_string();
    let id = cases::insert_event(
        conn,
        &NewEventRow { case_id, seq, kind, effective_on, recorded_at: at, actor_id, payload: &payload },
    )?;
    Ok(EventRow { id, case_id, seq, kind: kind.to_owned(), effective_on, recorded_at: at, actor_id, payload })
}

/// The case with everything on its page, if the caller sees it.
///
/// # Errors
/// 404 when it does not exist or is not visible.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64, now: Now<'_>) -> ServiceResult<CaseDetails> {
    match cases::find_page(conn, id)? {
        Some((case, path, applicant, events)) if actor.sees(&path) => details_of(conn, case, applicant, &events, &now),
        _ => Err(not_found()),
    }
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
) -> ServiceResult<Vec<(CaseSummaryRow, ApplicantRow)>> {
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

/// An open case loaded for a change: its row, events and clock as of today.
struct Open {
    case: CaseRow,
    events: Vec<EventRow>,
    clock_events: Vec<ClockEvent>,
    clock: Clock,
    /// The effective date of the latest step: a new step may not be dated before it.
    last: NaiveDate,
}

impl Open {
    fn status(&self) -> CaseStatus {
        self.clock.status
    }

    /// Refuse unless the case is in one of `allowed`.
    fn require_status(&self, allowed: &[CaseStatus], step: &str) -> ServiceResult<()> {
        if allowed.contains(&self.status()) {
            return Ok(());
        }
        let allowed: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        Err(ServiceError::conflict(
            "invalid_state",
            format!("{step} is possible only when the case is {}; it is {}", allowed.join(" or "), self.status()),
        ))
    }

    /// Check a step's date: not before the receipt or the previous step, not in the future.
    fn check_date(&self, field: &str, date: NaiveDate, today: NaiveDate) -> ServiceResult<()> {
        check_step_date(field, date, self.case.received_on, today)?;
        if date < self.last {
            return Err(Violation::field(
                "date_before_previous_step",
                field,
                format!("must not be before the case's previous step on {}", self.last),
            )
            .into());
        }
        Ok(())
    }
}

/// Load a visible, open case for a change: checks visibility (404), the role (403), the optional
/// expected version (409) and that the case is not concluded (409).
fn open_for_change(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    allowed: bool,
    action: &str,
    now: &Now<'_>,
) -> ServiceResult<Open> {
    let case = get_visible(conn, actor, id)?;
    actor.require(allowed, action)?;
    if let Some(expected) = expected_version {
        if expected != case.version {
            return Err(ServiceError::conflict(
                "version_conflict",
                format!("the case is at version {}, not {expected}: reload it and try again", case.version),
            ));
        }
    }
    if case.status == CaseStatus::Concluded.as_str() {
        let on = case.concluded_on.map_or_else(String::new, |d| d.to_string());
        return Err(ServiceError::conflict("case_concluded", format!("the case was concluded on {on}")));
    }
    let events = cases::all_events(conn, id)?;
    let clock_events = clock_events(&events)?;
    let clock = compute(&clock_events, now);
    let last = events.iter().map(|e| e.effective_on).max().unwrap_or(case.received_on);
    Ok(Open { case, events, clock_events, clock, last })
}

/// A step to record: its event, the clock event it adds and, for a conclusion, the outcome.
struct Step<'a> {
    kind: &'a str,
    on: NaiveDate,
    payload: serde_json::Value,
    clock_event: Option<ClockEvent>,
    conclusion: Option<(Outcome, Option<&'a str>)>,
    actor_id: Option<i64>,
}

/// Append the step's event, refresh the projection from the new clock, version-checked, and queue
/// the letter the step owes (see [`outbox::letter_for`]).
fn record(conn: &mut DbConnection, open: Open, step: Step<'_>, now: &Now<'_>) -> ServiceResult<CaseDetails> {
    let Open { case, mut events, mut clock_events, .. } = open;
    let letter = outbox::letter_for(step.kind, &step.payload);
    if let Some(event) = step.clock_event {
        clock_events.push(event);
    }
    let clock = compute(&clock_events, now);
    let mut changes = projection(&clock);
    if let Some((outcome, basis)) = step.conclusion {
        changes.status = Some(CaseStatus::Concluded.as_str());
        changes.outcome = Some(Some(outcome.as_str()));
        changes.concluded_on = Some(Some(step.on));
        changes.decision_basis = Some(basis);
        changes.paused = Some(false);
        changes.lapses_on = Some(None);
    }
    if !cases::update_versioned(conn, case.id, case.version, &changes, now.at)? {
        return Err(ServiceError::conflict(
            "version_conflict",
            "the case was changed concurrently: reload it and try again",
        ));
    }
    append_event(conn, case.id, case.version + 1, step.kind, step.on, step.actor_id, &step.payload, now.at)?;
    let case = cases::get(conn, case.id)?;
    events.extend(cases::events(conn, case.id, case.version as i32 - 1, 1)?);
    let details = details_with(conn, case, &events, now)?;
    if let Some((kind, consultation_id)) = letter {
        outbox::enqueue_letter(conn, &details, kind, consultation_id, now)?;
    }
    Ok(details)
}

/// Record the decision on a case and conclude it.
///
/// # Errors
/// 404 invisible case; 403 role; 409 concluded case, stale version, or an outstanding step (open
/// consultation, correction or fee); 422 dates, items that do not belong to the case or
/// contradict the outcome, and lapse outcomes whose deadline has not passed.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    decision: &Decision,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let open = open_for_change(conn, actor, id, expected_version, actor.role.can_handle(), "record decisions", &now)?;
    open.check_date("decided_on", decision.decided_on, now.today)?;
    let items = cases::items(conn, id)?;
    let item_outcomes = match_items(&items, &decision.items)?;
    let outcome = roll_up(&item_outcomes.iter().map(|(_, o)| *o).collect::<Vec<_>>(), decision.outcome)?;
    check_outcome_against_state(&open, outcome, decision.decided_on)?;
    let sealed_override = guard_sealed_since(
        conn,
        actor,
        open.case.agency_id,
        decision.decided_on,
        decision.amendment_reason.as_deref(),
        &now,
    )?;
    for item in &items {
        let item_outcome = item_outcomes.iter().find(|(i, _)| *i == item.id).map_or(outcome, |(_, o)| *o);
        cases::set_item_outcome(conn, item.id, item_outcome.as_str())?;
    }
    let payload = json!({
        "outcome": outcome,
        "basis": decision.basis,
        "items": item_outcomes.iter().map(|(id, o)| json!({"id": id, "outcome": o})).collect::<Vec<_>>(),
        "sealed_override": sealed_override,
    });
    let step = Step {
        kind: "decided",
        on: decision.decided_on,
        payload,
        clock_event: Some(ClockEvent::Concluded { on: decision.decided_on }),
        conclusion: Some((outcome, decision.basis.as_deref())),
        actor_id: Some(actor.user_id),
    };
    record(conn, open, step, &now)
}

/// A lapse outcome is allowed once its lapse date (the day after the applicant's deadline) is
/// reached; `code` names the refusal, `act` what the applicant may still do before it.
fn require_lapse(
    code: &'static str,
    lapses_on: Option<NaiveDate>,
    decided_on: NaiveDate,
    act: &str,
    missing: &str,
) -> ServiceResult<()> {
    match lapses_on {
        Some(lapses) if decided_on >= lapses => Ok(()),
        Some(lapses) => Err(Violation::field(
            code,
            "decided_on",
            format!(
                "the applicant may {act} until {}; the request lapses on {lapses}",
                lapses.pred_opt().unwrap_or(lapses)
            ),
        )
        .into()),
        None => Err(Violation::field(code, "outcome", missing).into()),
    }
}

/// The lapse outcomes need their lapse; the other outcomes need no step outstanding.
fn check_outcome_against_state(open: &Open, outcome: Outcome, decided_on: NaiveDate) -> ServiceResult<()> {
    let clock = &open.clock;
    match outcome {
        Outcome::OtherCorrectionOverdue => require_lapse(
            "correction_not_lapsed",
            clock.correction_lapses_on,
            decided_on,
            "correct",
            "`other_correction_overdue` needs an outstanding correction request whose deadline has passed",
        ),
        Outcome::OtherFeeUnpaid => require_lapse(
            "fee_not_lapsed",
            clock.fee_lapses_on,
            decided_on,
            "pay",
            "`other_fee_unpaid` needs an unpaid fee notice whose payment period has passed",
        ),
        _ => match open.status() {
            CaseStatus::AwaitingCorrection => Err(ServiceError::conflict(
                "correction_outstanding",
                "a correction notice is outstanding: record the corrected application, or conclude as \
                 `other_correction_overdue` once it has lapsed",
            )),
            CaseStatus::AwaitingFee => Err(ServiceError::conflict(
                "fee_outstanding",
                "a fee notice is unpaid: record the payment, or conclude as `other_fee_unpaid` once it has lapsed",
            )),
            CaseStatus::InConsultation => Err(ServiceError::conflict(
                "consultation_open",
                "a consultation is open: record its reply (opinion `none` if the party did not answer) first",
            )),
            _ => Ok(()),
        },
    }
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
    amendment_reason: Option<&str>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let open = open_for_change(conn, actor, id, expected_version, actor.role.can_handle(), "record withdrawals", &now)?;
    open.check_date("withdrawn_on", withdrawn_on, now.today)?;
    let sealed_override = guard_sealed_since(conn, actor, open.case.agency_id, withdrawn_on, amendment_reason, &now)?;
    for item in cases::items(conn, id)? {
        cases::set_item_outcome(conn, item.id, Outcome::OtherMisc.as_str())?;
    }
    let step = Step {
        kind: "withdrawn",
        on: withdrawn_on,
        payload: json!({ "outcome": Outcome::OtherMisc, "sealed_override": sealed_override }),
        clock_event: Some(ClockEvent::Concluded { on: withdrawn_on }),
        conclusion: Some((Outcome::OtherMisc, None)),
        actor_id: Some(actor.user_id),
    };
    record(conn, open, step, &now)
}

/// Issue the correction notice (补正告知, Art. 30): once, within 7 working days of receipt.
///
/// # Errors
/// 409 unless the clock is running; 422 for a second notice, a late notice, or a deadline not
/// after the notice.
pub fn request_correction(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    request: &CorrectionRequest,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let open =
        open_for_change(conn, actor, id, expected_version, actor.role.can_handle(), "issue correction notices", &now)?;
    if open.clock.correction_requested_on.is_some() {
        return Err(Violation::field(
            "correction_already_requested",
            "issued_on",
            "a correction may be requested only once (Art. 30)",
        )
        .into());
    }
    open.require_status(&[CaseStatus::Received], "a correction notice")?;
    open.check_date("issued_on", request.issued_on, now.today)?;
    let deadline = open.clock.correction_notice_deadline;
    if request.issued_on > deadline {
        return Err(Violation::field(
            "correction_notice_too_late",
            "issued_on",
            format!("a correction notice must be issued within 7 working days of receipt, by {deadline} (Art. 30)"),
        )
        .into());
    }
    if request.respond_by <= request.issued_on {
        return Err(Violation::field("validation_failed", "respond_by", "must be after the notice's date").into());
    }
    let step = Step {
        kind: "correction_requested",
        on: request.issued_on,
        payload: json!({ "respond_by": request.respond_by, "matters": request.matters }),
        clock_event: Some(ClockEvent::CorrectionRequested { on: request.issued_on, respond_by: request.respond_by }),
        conclusion: None,
        actor_id: Some(actor.user_id),
    };
    record(conn, open, step, &now)
}

/// Record that the corrected application arrived: a fresh 20-working-day period starts.
///
/// # Errors
/// 409 unless a correction is outstanding; 422 when it arrived after the applicant's deadline.
pub fn receive_correction(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    received_on: NaiveDate,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let open =
        open_for_change(conn, actor, id, expected_version, actor.role.can_register(), "record corrections", &now)?;
    open.require_status(&[CaseStatus::AwaitingCorrection], "recording a corrected application")?;
    open.check_date("received_on", received_on, now.today)?;
    if let Some(respond_by) = open.clock.correction_respond_by.filter(|by| received_on > *by) {
        return Err(Violation::field(
            "correction_lapsed",
            "received_on",
            format!("the deadline to correct was {respond_by}; the request has lapsed (conclude it as `other_correction_overdue`)"),
        )
        .into());
    }
    let step = Step {
        kind: "correction_received",
        on: received_on,
        payload: json!({ "received_on": received_on }),
        clock_event: Some(ClockEvent::CorrectionReceived { on: received_on }),
        conclusion: None,
        actor_id: Some(actor.user_id),
    };
    record(conn, open, step, &now)
}

/// Start a consultation of a third party or another agency (Art. 32, 34): the clock pauses.
///
/// # Errors
/// 409 while a correction or fee is outstanding.
pub fn start_consultation(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    consultation: &NewConsultation,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<(ConsultationRow, CaseDetails)> {
    let open =
        open_for_change(conn, actor, id, expected_version, actor.role.can_handle(), "start consultations", &now)?;
    open.require_status(&[CaseStatus::Received, CaseStatus::InConsultation], "a consultation")?;
    open.check_date("sent_on", consultation.sent_on, now.today)?;
    let reply_due = now.calendar.add_working_days(consultation.sent_on, now.rules.consultation_reply_limit);
    let consultation_id = steps::insert_consultation(
        conn,
        &NewConsultationRow {
            case_id: id,
            party_kind: consultation.party_kind,
            party: &consultation.party,
            sent_on: consultation.sent_on,
            reply_due,
        },
    )?;
    let step = Step {
        kind: "consultation_started",
        on: consultation.sent_on,
        payload: json!({
            "consultation_id": consultation_id,
            "party_kind": consultation.party_kind,
            "party": consultation.party,
            "reply_due": reply_due,
        }),
        clock_event: Some(ClockEvent::ConsultationStarted { consultation_id, on: consultation.sent_on }),
        conclusion: None,
        actor_id: Some(actor.user_id),
    };
    let details = record(conn, open, step, &now)?;
    let row = details
        .consultations
        .iter()
        .find(|c| c.id == consultation_id)
        .cloned()
        .ok_or_else(|| ServiceError::corrupt("the new consultation is missing"))?;
    Ok((row, details))
}

/// Record the reply to a consultation (or that none came: opinion `none`); its pause ends.
///
/// # Errors
/// 404 for a consultation of another case; 409 when it was already answered.
#[allow(clippy::too_many_arguments)]
pub fn reply_consultation(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    consultation_id: i64,
    replied_on: NaiveDate,
    opinion: &'static str,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let open = open_for_change(
        conn,
        actor,
        id,
        expected_version,
        actor.role.can_handle(),
        "record consultation replies",
        &now,
    )?;
    let consultation = steps::consultations(conn, id)?
        .into_iter()
        .find(|c| c.id == consultation_id)
        .ok_or(ServiceError::NotFound { what: "consultation", code: "consultation_not_found" })?;
    if consultation.replied_on.is_some() {
        return Err(ServiceError::conflict("consultation_replied", "this consultation was already answered"));
    }
    open.check_date("replied_on", replied_on, now.today)?;
    steps::reply_consultation(conn, consultation_id, replied_on, opinion)?;
    let step = Step {
        kind: "consultation_replied",
        on: replied_on,
        payload: json!({ "consultation_id": consultation_id, "opinion": opinion }),
        clock_event: Some(ClockEvent::ConsultationReplied { consultation_id, on: replied_on }),
        conclusion: None,
        actor_id: Some(actor.user_id),
    };
    record(conn, open, step, &now)
}

/// Extend the reply period once by at most 20 working days (Art. 33 ¶2), approved by a supervisor
/// and notified to the applicant no later than the current due date.
///
/// # Errors
/// 403 below supervisor; 409 unless the clock is running; 422 for a second extension, too many
/// days, or an approval or notification after the due date.
pub fn extend(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    extension: &Extension,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let open =
        open_for_change(conn, actor, id, expected_version, actor.role.can_supervise(), "approve extensions", &now)?;
    if open.clock.extended {
        return Err(Violation::field(
            "extension_already_granted",
            "approved_on",
            "the period may be extended only once (Art. 33)",
        )
        .into());
    }
    if extension.working_days == 0 || extension.working_days > now.rules.max_extension {
        return Err(Violation::field(
            "extension_too_long",
            "working_days",
            format!("an extension is 1 to {} working days (Art. 33)", now.rules.max_extension),
        )
        .into());
    }
    open.require_status(&[CaseStatus::Received], "an extension")?;
    open.check_date("approved_on", extension.approved_on, now.today)?;
    if extension.notified_on < extension.approved_on {
        return Err(Violation::field("validation_failed", "notified_on", "must not be before the approval").into());
    }
    check_step_date("notified_on", extension.notified_on, open.case.received_on, now.today)?;
    let due = open
        .clock
        .due_on
        .ok_or_else(|| ServiceError::conflict("clock_not_running", "the case has no running due date"))?;
    for (field, date) in [("approved_on", extension.approved_on), ("notified_on", extension.notified_on)] {
        if date > due {
            return Err(Violation::field(
                "extension_too_late",
                field,
                format!("an extension must be approved and notified no later than the due date {due} (Art. 33)"),
            )
            .into());
        }
    }
    let step = Step {
        kind: "extended",
        on: extension.approved_on,
        payload: json!({
            "approved_on": extension.approved_on,
            "notified_on": extension.notified_on,
            "working_days": extension.working_days,
            "reason": extension.reason,
            "previous_due_on": due,
        }),
        clock_event: Some(ClockEvent::Extended {
            approved_on: extension.approved_on,
            notified_on: extension.notified_on,
            working_days: extension.working_days,
        }),
        conclusion: None,
        actor_id: Some(actor.user_id),
    };
    record(conn, open, step, &now)
}

/// The quote a fee notice would carry for this case.
fn quote(conn: &mut DbConnection, case: &CaseRow, notice: &FeeNotice) -> ServiceResult<(FeeQuote, Option<u32>)> {
    match notice.basis {
        FeeBasis::PerRequest => {
            let month_start = case.received_on.with_day(1).unwrap_or(case.received_on);
            let nth = cases::nth_request_in_month(conn, case, month_start)?;
            let nth = u32::try_from(nth).unwrap_or(u32::MAX);
            Ok((fees::per_request(nth), Some(nth)))
        }
        FeeBasis::PerPage => {
            let pages = notice
                .pages
                .ok_or_else(|| Violation::field("validation_failed", "pages", "is required for per_page"))?;
            Ok((fees::per_page(pages), None))
        }
    }
}

/// Issue a fee notice (国办函〔2020〕109号): the amount is computed per request (from the applicant's
/// requests to this agency in the month of receipt) or per page; the clock pauses until payment.
///
/// # Errors
/// 409 unless the clock is running; 422 for a second fee notice or when the scale charges nothing.
pub fn issue_fee_notice(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    notice: &FeeNotice,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let open = open_for_change(conn, actor, id, expected_version, actor.role.can_handle(), "issue fee notices", &now)?;
    if open.clock.fee_notice_on.is_some() {
        return Err(Violation::field("fee_already_issued", "issued_on", "a case carries at most one fee notice").into());
    }
    open.require_status(&[CaseStatus::Received, CaseStatus::InConsultation], "a fee notice")?;
    open.check_date("issued_on", notice.issued_on, now.today)?;
    let (quote, nth) = quote(conn, &open.case, notice)?;
    if quote.amount_fen == 0 {
        return Err(Violation::field("no_fee_due", "basis", format!("no fee is due: {}", quote.explanation)).into());
    }
    let pay_by = now.calendar.add_working_days(notice.issued_on, now.rules.fee_payment_limit);
    let basis = match notice.basis {
        FeeBasis::PerRequest => "per_request",
        FeeBasis::PerPage => "per_page",
    };
    steps::insert_fee_notice(
        conn,
        &NewFeeNoticeRow {
            case_id: id,
            issued_on: notice.issued_on,
            basis,
            pages: notice.pages.and_then(|p| i32::try_from(p).ok()),
            nth_request: nth.and_then(|n| i32::try_from(n).ok()),
            amount_fen: quote.amount_fen,
            pay_by,
        },
    )?;
    let step = Step {
        kind: "fee_notice_issued",
        on: notice.issued_on,
        payload: json!({
            "basis": basis,
            "pages": notice.pages,
            "nth_request": nth,
            "amount_fen": quote.amount_fen,
            "explanation": quote.explanation,
            "pay_by": pay_by,
        }),
        clock_event: Some(ClockEvent::FeeNoticeIssued { on: notice.issued_on }),
        conclusion: None,
        actor_id: Some(actor.user_id),
    };
    record(conn, open, step, &now)
}

/// Record the payment of the fee; the clock runs again.
///
/// # Errors
/// 409 unless a fee is unpaid; 422 when paid after the payment period.
pub fn pay_fee(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    paid_on: NaiveDate,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let open = open_for_change(conn, actor, id, expected_version, actor.role.can_register(), "record payments", &now)?;
    open.require_status(&[CaseStatus::AwaitingFee], "recording a payment")?;
    open.check_date("paid_on", paid_on, now.today)?;
    let notice = steps::fee_notices(conn, id)?
        .into_iter()
        .rev()
        .find(|f| f.paid_on.is_none())
        .ok_or_else(|| ServiceError::corrupt("awaiting a fee without an unpaid notice"))?;
    if paid_on > notice.pay_by {
        return Err(Violation::field(
            "fee_lapsed",
            "paid_on",
            format!(
                "the payment period ended on {}; the request has lapsed (conclude it as `other_fee_unpaid`)",
                notice.pay_by
            ),
        )
        .into());
    }
    steps::pay_fee(conn, notice.id, paid_on)?;
    let step = Step {
        kind: "fee_paid",
        on: paid_on,
        payload: json!({ "fee_notice_id": notice.id, "amount_fen": notice.amount_fen }),
        clock_event: Some(ClockEvent::FeePaid { on: paid_on }),
        conclusion: None,
        actor_id: Some(actor.user_id),
    };
    record(conn, open, step, &now)
}

/// Conclude a case whose correction or fee has lapsed, as the system (no actor), dated the day
/// after the deadline. Returns the outcome, or `None` when the case is no longer lapsed.
///
/// # Errors
/// A database error or corrupt data.
pub fn conclude_lapsed(conn: &mut DbConnection, id: i64, now: Now<'_>) -> ServiceResult<Option<Outcome>> {
    let case = cases::get(conn, id)?;
    if case.status == CaseStatus::Concluded.as_str() {
        return Ok(None);
    }
    let events = cases::all_events(conn, id)?;
    let clock_events = clock_events(&events)?;
    let clock = compute(&clock_events, &now);
    let (outcome, on) = match (clock.status, clock.correction_lapses_on, clock.fee_lapses_on) {
        (CaseStatus::AwaitingCorrection, Some(on), _) if on <= now.today => (Outcome::OtherCorrectionOverdue, on),
        (CaseStatus::AwaitingFee, _, Some(on)) if on <= now.today => (Outcome::OtherFeeUnpaid, on),
        _ => return Ok(None),
    };
    let last = events.iter().map(|e| e.effective_on).max().unwrap_or(case.received_on);
    for item in cases::items(conn, id)? {
        cases::set_item_outcome(conn, item.id, outcome.as_str())?;
    }
    let open = Open { case, events, clock_events, clock, last };
    let step = Step {
        kind: "decided",
        on,
        payload: json!({ "outcome": outcome, "system": "sweep", "basis": outcome.legal_basis() }),
        clock_event: Some(ClockEvent::Concluded { on }),
        conclusion: Some((outcome, Some(outcome.legal_basis()))),
        actor_id: None,
    };
    record(conn, open, step, &now)?;
    Ok(Some(outcome))
}

/// Recompute the derived clock columns of every case received in `[from, to]` (after the calendar
/// changed). Concluded cases keep their status; their due date is recomputed. Returns how many.
///
/// # Errors
/// A database error or corrupt data.
pub fn recompute_clocks(conn: &mut DbConnection, from: NaiveDate, to: NaiveDate, now: Now<'_>) -> ServiceResult<usize> {
    let ids = cases::ids_received_between(conn, from, to)?;
    for &id in &ids {
        let events = cases::all_events(conn, id)?;
        let clock = compute(&clock_events(&events)?, &now);
        let mut changes = projection(&clock);
        if clock.status == CaseStatus::Concluded {
            changes = CaseChanges { due_on: changes.due_on, extended: changes.extended, ..CaseChanges::default() };
        }
        cases::set_clock_columns(conn, id, &changes)?;
    }
    Ok(ids.len())
}

/// A validated amendment of a concluded case (supervisors): a corrected outcome or conclusion date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amendment {
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    pub reason: String,
}

/// Amend the outcome or the conclusion date of a concluded case, with a reason; the previous and
/// new values are recorded in the `amended` event. Item outcomes follow a new case outcome.
///
/// # Errors
/// 403 below supervisor; 409 for an open case or a stale version; 422 for a date outside
/// receipt..today or a lapse outcome whose lapse the case's history does not show.
pub fn amend(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    amendment: &Amendment,
    expected_version: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let case = get_visible(conn, actor, id)?;
    actor.require(actor.role.can_supervise(), "amend concluded cases")?;
    if let Some(expected) = expected_version.filter(|v| *v != case.version) {
        return Err(ServiceError::conflict(
            "version_conflict",
            format!("the case is at version {}, not {expected}: reload it and try again", case.version),
        ));
    }
    let (Some(old_outcome), Some(old_on)) = (case.outcome.as_deref().and_then(Outcome::parse), case.concluded_on)
    else {
        return Err(ServiceError::conflict("case_not_concluded", "only a concluded case can be amended"));
    };
    let outcome = amendment.outcome.unwrap_or(old_outcome);
    let on = amendment.concluded_on.unwrap_or(old_on);
    if outcome == old_outcome && on == old_on {
        return Err(
            Violation::field("nothing_to_amend", "outcome", "give a different outcome or conclusion date").into()
        );
    }
    check_step_date("concluded_on", on, case.received_on, now.today)?;
    let events = cases::all_events(conn, id)?;
    // The history up to the conclusion decides whether a lapse outcome is possible on `on`.
    let before: Vec<ClockEvent> =
        clock_events(&events)?.into_iter().filter(|e| !matches!(e, ClockEvent::Concluded { .. })).collect();
    let last_step = events
        .iter()
        .filter(|e| !matches!(e.kind.as_str(), "decided" | "withdrawn" | "amended") && !e.kind.starts_with("appeal"))
        .map(|e| e.effective_on)
        .max()
        .unwrap_or(case.received_on);
    if on < last_step {
        return Err(Violation::field(
            "date_before_previous_step",
            "concluded_on",
            format!("must not be before the case's last step on {last_step}"),
        )
        .into());
    }
    let clock = compute(&before, &Now { today: on, ..now });
    let open = Open { case, events, clock_events: before, clock, last: last_step };
    if matches!(outcome, Outcome::OtherCorrectionOverdue | Outcome::OtherFeeUnpaid) {
        check_outcome_against_state(&open, outcome, on)?;
    }
    let sealed_override =
        guard_sealed_since(conn, actor, open.case.agency_id, on.min(old_on), Some(&amendment.reason), &now)?;
    if outcome != old_outcome {
        for item in cases::items(conn, id)? {
            cases::set_item_outcome(conn, item.id, outcome.as_str())?;
        }
    }
    let Open { case, mut events, mut clock_events, .. } = open;
    clock_events.push(ClockEvent::Concluded { on });
    let clock = compute(&clock_events, &now);
    let changes = CaseChanges {
        outcome: Some(Some(outcome.as_str())),
        concluded_on: Some(Some(on)),
        due_on: Some(clock.due_on),
        ..CaseChanges::default()
    };
    if !cases::update_versioned(conn, id, case.version, &changes, now.at)? {
        return Err(ServiceError::conflict(
            "version_conflict",
            "the case was changed concurrently: reload it and try again",
        ));
    }
    let payload = json!({
        "previous": { "outcome": old_outcome, "concluded_on": old_on },
        "outcome": outcome,
        "concluded_on": on,
        "reason": amendment.reason,
        "sealed_override": sealed_override,
    });
    append_event(conn, id, case.version + 1, "amended", now.today, Some(actor.user_id), &payload, now.at)?;
    let case = cases::get(conn, id)?;
    events.extend(cases::events(conn, id, case.version as i32 - 1, 1)?);
    details_with(conn, case, &events, &now)
}

/// Append an event to a concluded case without changing its derived columns (appeals), bumping
/// its version.
///
/// # Errors
/// 409 when the case changed concurrently.
pub(super) fn append_to_concluded(
    conn: &mut DbConnection,
    case: &CaseRow,
    kind: &str,
    on: NaiveDate,
    actor: &Actor,
    payload: &serde_json::Value,
    at: NaiveDateTime,
) -> ServiceResult<()> {
    if !cases::touch_versioned(conn, case.id, case.version, at)? {
        return Err(ServiceError::conflict(
            "version_conflict",
            "the case was changed concurrently: reload it and try again",
        ));
    }
    append_event(conn, case.id, case.version + 1, kind, on, Some(actor.user_id), payload, at)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, payload: &str) -> EventRow {
        let on = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        EventRow {
            id: 1,
            case_id: 1,
            seq: 1,
            kind: kind.into(),
            effective_on: on,
            recorded_at: on.and_hms_opt(9, 0, 0).unwrap(),
            actor_id: None,
            payload: payload.into(),
        }
    }

    #[test]
    fn items_are_looked_up_unless_the_intake_listed_none() {
        assert!(!may_have_items(&[event("received", r#"{"items": []}"#)]));
        assert!(may_have_items(&[event("received", r#"{"items": ["2024年预算"]}"#)]));
        // Without the list, or without the intake event, the database is asked.
        assert!(may_have_items(&[event("received", r#"{"channel": "post"}"#)]));
        assert!(may_have_items(&[event("received", "not json")]));
        assert!(may_have_items(&[event("decided", r#"{"items": []}"#)]));
        assert!(may_have_items(&[]));
    }
}
