//! Every step of a case after its intake: load the state, let the lifecycle rules decide, store
//! the event with its projection, sub-records and letter — in the caller's transaction.

use chrono::{Datelike, NaiveDate};

use super::{details, get_visible, load_state, seals_of, CaseDetails};
use crate::domain::case::Case;
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::fees::FeeBasis;
use crate::domain::ids::{AppealId, CaseId};
use crate::domain::lifecycle::{
    self, check_version, project, CaseState, Ctx, FeeNotice, IntakeCorrection, Refusal, Step, Transition, Who,
};
use crate::domain::reply::{CaseFacts, EarlierCase};
use crate::domain::{LetterKind, Outcome};
use crate::service::{letters, Actor, Now, ServiceError, ServiceResult};
use crate::storage::letters as letter_store;
use crate::storage::steps::NewFeeNotice;
use crate::storage::{appeals, applicants, cases, steps as step_store, DbConnection};

/// Load a visible case's state for a change.
fn load(conn: &mut DbConnection, actor: &Actor, id: CaseId) -> ServiceResult<CaseState> {
    let case = get_visible(conn, actor, id)?;
    let events = cases::all_events(conn, id)?;
    load_state(conn, case, events)
}

/// The case's number among its applicant's requests to its agency in its month of receipt (what a
/// per-request fee is counted by).
///
/// # Errors
/// A database error.
pub fn nth_request(conn: &mut DbConnection, case: &Case) -> ServiceResult<u32> {
    let month_start = case.received_on.with_day(1).unwrap_or(case.received_on);
    let counted = step_store::requests_in_month(conn, case, month_start)?;
    Ok(u32::try_from(counted.len()).unwrap_or(u32::MAX))
}

/// The facts a step's input needs from storage: the per-request fee counts the applicant's
/// requests of the month; a repeated request's decision names the earlier case, found among
/// those the caller sees.
fn resolve(conn: &mut DbConnection, actor: &Actor, state: &CaseState, step: Step) -> ServiceResult<Step> {
    match step {
        Step::IssueFeeNotice(notice @ FeeNotice { basis: FeeBasis::PerRequest, .. }) => {
            let case = &state.case;
            let month_start = case.received_on.with_day(1).unwrap_or(case.received_on);
            let counted = step_store::requests_in_month(conn, case, month_start)?;
            // The case's number among the requests counted (itself included): what `nth_request` says.
            let nth = u32::try_from(counted.len()).unwrap_or(u32::MAX);
            Ok(Step::IssueFeeNotice(FeeNotice { nth_request: Some(nth), counted, ..notice }))
        }
        Step::Decide(mut decision) => {
            if let Some(id) = decision.repeats_case_id {
                decision.earlier = earlier_case(conn, actor, &state.case, id)?;
            }
            Ok(Step::Decide(decision))
        }
        other => Ok(other),
    }
}

/// The case a repeated request of `this` refers to, when the caller sees it, with its decision
/// letter's number and whether it was made by the same applicant.
fn earlier_case(conn: &mut DbConnection, actor: &Actor, this: &Case, id: CaseId) -> ServiceResult<Option<EarlierCase>> {
    let case = match get_visible(conn, actor, id) {
        Ok(case) => case,
        Err(ServiceError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let document_number = letter_store::of_case(conn, id)?
        .into_iter()
        .rfind(|l| l.kind == LetterKind::Decision)
        .map(|l| l.document_number);
    let same_applicant = crate::service::similar::same_applicant(conn, this, &case)?;
    Ok(Some(EarlierCase {
        id: case.id,
        case_number: case.case_number,
        applicant_id: case.applicant_id,
        same_applicant,
        agency_id: case.agency_id,
        outcome: case.outcome,
        concluded_on: case.concluded_on,
        document_number,
    }))
}

/// How a step is asked for, besides its input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The version the request is based on (`If-Match`): a stale one is refused.
    pub expected_version: Option<i64>,
    /// Why a change that touches a sealed year is made (supervisors).
    pub amendment_reason: Option<String>,
    /// Send the step's letter even though the step is entered after the fact.
    pub notify: bool,
}

/// Take a step on a case: checks visibility (404), the role (403), the expected version (409),
/// the state and the step's rules ([`lifecycle::decide`]), then stores it.
///
/// # Errors
/// As [`lifecycle::decide`], plus 404 for an invisible case and 409 for a stale version.
pub fn take(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    step: Step,
    options: &Options,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let state = load(conn, actor, id)?;
    if super::awaits_signature(conn, actor, &state.case)? {
        return Err(ServiceError::forbidden("案件已转办至本单位，尚未签收：请先签收，再办理"));
    }
    if let Some(kind) = step.kind() {
        if !lifecycle::role_allows(actor.role, kind) {
            return Err(lifecycle::forbidden(actor.role, kind).into());
        }
    }
    check_version(&state.case, options.expected_version)?;
    let step = resolve(conn, actor, &state, step)?;
    let mut seals = seals_of(conn, &state.case, &now)?;
    if let Step::CorrectIntake(IntakeCorrection { agency_id: Some(target), received_on, .. }) = &step {
        // Moved to another agency the caller sees: the seals of both count.
        crate::service::agencies::get_visible(conn, actor, *target)?;
        let from = received_on.map_or(state.case.received_on, |on| on.min(state.case.received_on));
        seals = seals.union(&super::seals_since(conn, *target, from, &now)?);
    }
    let ctx = Ctx { today: now.today, calendar: now.calendar, rules: now.rules, seals: &seals };
    let transition = lifecycle::decide(&state, actor.who(), &step, options.amendment_reason.as_deref(), &ctx)?;
    store(conn, state, transition, actor.who(), options.notify, &now)
}

/// Take a step on an appeal of a case (its result): the appeal names the case.
///
/// # Errors
/// As [`take`]; 404 for an invisible appeal.
pub fn take_on_appeal(
    conn: &mut DbConnection,
    actor: &Actor,
    appeal_id: AppealId,
    step: Step,
    options: &Options,
    now: Now<'_>,
) -> ServiceResult<CaseDetails> {
    let appeal = crate::service::appeals::get(conn, actor, appeal_id)?;
    take(conn, actor, appeal.case_id, step, options, now)
}

/// Store a decided transition: its sub-records, the item outcomes, the event and the projection
/// (version-checked), then queue the letter it owes.
///
/// # Errors
/// 409 when the case changed concurrently; a database error.
pub(crate) fn store(
    conn: &mut DbConnection,
    mut state: CaseState,
    transition: Transition,
    who: Who,
    notify: bool,
    now: &Now<'_>,
) -> ServiceResult<CaseDetails> {
    let Transition { effective_on, mut event, item_outcomes, clear_item_outcomes } = transition;
    let case_id = state.case.id;
    // Sub-records first: the event carries the id of the one it creates.
    match &mut event {
        CaseEvent::ConsultationStarted { consultation_id, party_kind, party, reply_due, .. } => {
            *consultation_id =
                step_store::insert_consultation(conn, case_id, *party_kind, party, effective_on, *reply_due)?;
        }
        CaseEvent::ConsultationReplied { consultation_id, opinion, .. } => {
            step_store::reply_consultation(conn, *consultation_id, effective_on, *opinion)?;
        }
        CaseEvent::FeeNoticeIssued { fee_notice_id, basis, pages, nth_request, amount_fen, pay_by, .. } => {
            *fee_notice_id = Some(step_store::insert_fee_notice(
                conn,
                &NewFeeNotice {
                    case_id,
                    issued_on: effective_on,
                    basis: *basis,
                    pages: *pages,
                    nth_request: *nth_request,
                    amount_fen: *amount_fen,
                    pay_by: *pay_by,
                },
            )?);
        }
        CaseEvent::FeePaid { fee_notice_id: Some(id), .. } => step_store::pay_fee(conn, *id, effective_on)?,
        CaseEvent::AppealFiled { appeal_id, kind, .. } => {
            let created_by = who.user_id.unwrap_or(state.case.created_by);
            // The unique index refuses the same case, kind and filing date again, also when two
            // arrive at once.
            let inserted =
                appeals::insert(conn, case_id, state.case.agency_id, *kind, effective_on, created_by, now.at);
            *appeal_id = Some(match inserted {
                Err(crate::storage::StorageError::Query(e)) if crate::storage::is_unique_violation(&e) => {
                    return Err(ServiceError::conflict(
                        "appeal_duplicate",
                        "该案件已登记同一类型、同一申请日期的复议或诉讼，不能重复登记",
                    ));
                }
                other => other?,
            });
        }
        CaseEvent::AppealDecided { appeal_id: Some(id), result, .. }
            if !appeals::decide(conn, *id, *result, effective_on)? =>
        {
            return Err(ServiceError::conflict("appeal_decided", "该复议诉讼的结果已经登记"));
        }
        CaseEvent::LetterServed { letter_id, .. } => letter_store::mark_served(conn, *letter_id, effective_on)?,
        CaseEvent::IntakeCorrected { after, .. } => {
            cases::update_intake(conn, case_id, after)?;
            if let Some(items) = &after.items {
                cases::replace_items(conn, case_id, items)?;
            }
        }
        CaseEvent::StepRevoked { seq, .. } => {
            // The tables the report counts from follow; the others are read through the events.
            match state.events.iter().find(|e| e.seq == *seq).map(|e| &e.event) {
                Some(CaseEvent::AppealFiled { appeal_id: Some(id), .. }) => appeals::delete(conn, *id)?,
                Some(CaseEvent::AppealDecided { appeal_id: Some(id), .. }) => appeals::reset_result(conn, *id)?,
                _ => {}
            }
        }
        _ => {}
    }
    if clear_item_outcomes {
        cases::clear_item_outcomes(conn, case_id)?;
    }
    for &(item, outcome) in &item_outcomes {
        cases::set_item_outcome(conn, item, outcome)?;
    }
    let version = state.case.version;
    let seq = i32::try_from(version + 1).map_err(|_| ServiceError::conflict("too_many_events", "案件事件过多"))?;
    let recorded = RecordedEvent { seq, effective_on, recorded_at: now.at, actor_id: who.user_id, event };
    state.events.push(recorded.clone());
    let projection = project(&state.events, now.calendar, now.rules, now.today);
    if !cases::update_versioned(conn, case_id, version, &projection, now.at)? {
        return Err(super::facts::version_conflict());
    }
    cases::insert_event(conn, case_id, &recorded)?;
    // The state as it now reads back, without reading the case again.
    apply(&mut state, &projection, &recorded.event, now);
    crate::service::workflow::settle_chases(conn, &state.case, &state.events, &recorded)?;
    reload_sub_records(conn, &mut state, &recorded.event, !item_outcomes.is_empty() || clear_item_outcomes)?;
    let applicant = applicants::get(conn, state.case.applicant_id)?;
    let details = details(state, applicant, now);
    issue_letters(conn, &details, &recorded, notify, now)?;
    Ok(details)
}

/// The letters a recorded event owes: the step's own; for an amendment, a new decision letter
/// replacing the one issued; for a revoked step whose letter went out, a rectification.
fn issue_letters(
    conn: &mut DbConnection,
    details: &CaseDetails,
    recorded: &RecordedEvent,
    notify: bool,
    now: &Now<'_>,
) -> ServiceResult<()> {
    match &recorded.event {
        CaseEvent::Amended { outcome, .. } => {
            // The reply in force replaces the earlier one: a withdrawal stays confirmed by a
            // withdrawal confirmation, any other outcome is answered by a decision letter.
            let earlier = letter_store::of_case(conn, details.case().id)?
                .into_iter()
                .rfind(|l| matches!(l.kind, LetterKind::Decision | LetterKind::WithdrawalConfirmation));
            let withdrawal = lifecycle::withdrawn(&details.state.events) && *outcome == Outcome::OtherMisc;
            let kind = if withdrawal { LetterKind::WithdrawalConfirmation } else { LetterKind::Decision };
            let letter =
                letters::ToIssue { kind, consultation_id: None, event: recorded, notify, earlier: earlier.as_ref() };
            letters::issue(conn, details, &letter, now)?;
        }
        CaseEvent::StepRevoked { seq, .. } => {
            let sent = letter_store::of_case(conn, details.case().id)?
                .into_iter()
                .filter(|l| l.event_seq == *seq && l.delivery != letters::Delivery::Recorded)
                .collect::<Vec<_>>();
            for letter in &sent {
                let kind = LetterKind::Rectification;
                let rectification =
                    letters::ToIssue { kind, consultation_id: None, event: recorded, notify, earlier: Some(letter) };
                letters::issue(conn, details, &rectification, now)?;
            }
        }
        event => {
            if let Some(kind) = lifecycle::letter_owed(event) {
                let consultation_id = match event {
                    CaseEvent::ConsultationStarted { consultation_id, .. } => Some(*consultation_id),
                    _ => None,
                };
                letters::issue(
                    conn,
                    details,
                    &letters::ToIssue { kind, consultation_id, event: recorded, notify, earlier: None },
                    now,
                )?;
            }
            // Art. 32: each third party that objected is told in writing of a decision to
            // disclose nonetheless, of its content and its reasons.
            if let CaseEvent::Decided { over_objection_reason: Some(_), .. } = event {
                let facts = CaseFacts::of(&details.state.events, details.clock.fee_pay_by);
                for consultation_id in facts.objecting_third_parties {
                    let notice = letters::ToIssue {
                        kind: LetterKind::DisclosureNoticeToThirdParty,
                        consultation_id: Some(consultation_id),
                        event: recorded,
                        notify,
                        earlier: None,
                    };
                    letters::issue(conn, details, &notice, now)?;
                }
            }
        }
    }
    Ok(())
}

/// Write the new projection (and corrected intake facts) into the loaded case, as the update did.
fn apply(state: &mut CaseState, projection: &lifecycle::Projection, event: &CaseEvent, now: &Now<'_>) {
    let case = &mut state.case;
    if let CaseEvent::IntakeCorrected { after, .. } = event {
        case.received_on = after.received_on;
        case.year = chrono::Datelike::year(&after.received_on);
        case.submitted_on = after.submitted_on;
        case.channel = after.channel;
        case.agency_id = after.agency_id;
        case.applicant.name.clone_from(&after.applicant_name);
        case.applicant.phone.clone_from(&after.applicant_phone);
        case.applicant.email.clone_from(&after.applicant_email);
        case.applicant.address.clone_from(&after.applicant_address);
        case.description.clone_from(&after.description);
    }
    case.status = projection.status;
    case.outcome = projection.outcome;
    case.concluded_on = projection.concluded_on;
    case.decision_basis.clone_from(&projection.decision_basis);
    case.due_on = projection.due_on;
    case.paused = projection.paused;
    case.extended = projection.extended;
    case.lapses_on = projection.lapses_on;
    case.version += 1;
    case.updated_at = now.at;
}

/// Read again the sub-records the event changed.
fn reload_sub_records(
    conn: &mut DbConnection,
    state: &mut CaseState,
    event: &CaseEvent,
    items_changed: bool,
) -> ServiceResult<()> {
    let id = state.case.id;
    match event {
        CaseEvent::ConsultationStarted { .. } | CaseEvent::ConsultationReplied { .. } => {
            state.consultations = step_store::consultations(conn, id)?;
        }
        CaseEvent::FeeNoticeIssued { .. } | CaseEvent::FeePaid { .. } => {
            state.fee_notices = step_store::fee_notices(conn, id)?;
        }
        CaseEvent::AppealFiled { .. } | CaseEvent::AppealDecided { .. } => state.appeals = appeals::of_case(conn, id)?,
        CaseEvent::StepRevoked { .. } => {
            state.consultations = step_store::consultations(conn, id)?;
            state.fee_notices = step_store::fee_notices(conn, id)?;
            state.appeals = appeals::of_case(conn, id)?;
            lifecycle::apply_revocations(state);
        }
        _ => {}
    }
    if items_changed || matches!(event, CaseEvent::IntakeCorrected { after, .. } if after.items.is_some()) {
        state.items = cases::items(conn, id)?;
    }
    Ok(())
}

/// Conclude a case whose correction or fee has lapsed, as the system (no actor), dated the day
/// after the deadline. Returns the outcome, or `None` when the case is no longer lapsed.
///
/// # Errors
/// 409 `year_sealed` when the lapse falls in a sealed year (a supervisor must conclude it); a
/// database error or corrupt data.
pub fn conclude_lapsed(conn: &mut DbConnection, id: CaseId, now: Now<'_>) -> ServiceResult<Option<Outcome>> {
    let case = cases::get(conn, id)?;
    let events = cases::all_events(conn, id)?;
    let state = load_state(conn, case, events)?;
    let seals = seals_of(conn, &state.case, &now)?;
    let ctx = Ctx { today: now.today, calendar: now.calendar, rules: now.rules, seals: &seals };
    let system = Who { user_id: None, role: crate::domain::Role::Admin };
    let transition = match lifecycle::decide(&state, system, &Step::ConcludeLapsed, None, &ctx) {
        Ok(transition) => transition,
        Err(Refusal::Conflict { code: "not_lapsed" | "case_concluded", .. }) => return Ok(None),
        Err(refusal) => return Err(refusal.into()),
    };
    let outcome = match &transition.event {
        CaseEvent::Decided { outcome, .. } => *outcome,
        _ => return Err(ServiceError::corrupt("a lapse concludes with a decision")),
    };
    store(conn, state, transition, system, false, &now)?;
    Ok(Some(outcome))
}

/// Recompute the projection of every case received in `[from, to]` (after the calendar changed).
/// Returns how many.
///
/// # Errors
/// A database error or corrupt data.
pub fn recompute_clocks(conn: &mut DbConnection, from: NaiveDate, to: NaiveDate, now: Now<'_>) -> ServiceResult<usize> {
    let ids = cases::ids_received_between(conn, from, to)?;
    for &id in &ids {
        let events = cases::all_events(conn, id)?;
        cases::set_projection(conn, id, &project(&events, now.calendar, now.rules, now.today))?;
    }
    Ok(ids.len())
}
