//! Cases: reads and lists here; the intake in [`intake`]; every later step in [`steps`].
//!
//! A step is "load, decide, store": the case's state is loaded ([`load_state`]), the pure
//! lifecycle rules decide ([`crate::domain::lifecycle::decide`]), and [`steps`] stores the event,
//! the projection, the sub-records and the letter in the caller's transaction.

pub mod facts;
pub mod intake;
pub mod steps;

use chrono::{Datelike, NaiveDate};

use super::{agencies as agency_service, report, Actor, Now, ServiceError, ServiceResult};
use crate::domain::case::{Applicant, Case, CaseSummary};
use crate::domain::clock::Clock;
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::ids::{AgencyId, CaseId};
use crate::domain::lifecycle::{self, CaseState, Ctx, OfferedStep, StepKind};
use crate::domain::seal::Seals;
use crate::storage::cases;
pub use crate::storage::cases::CaseFilter;
use crate::storage::{appeals, steps as step_store, workflow as workflow_store, DbConnection};

pub use intake::IdempotencyKey;

/// A case with everything shown on its page, and its clock as of today.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseDetails {
    /// The case, its events and sub-records.
    pub state: CaseState,
    pub applicant: Applicant,
    pub clock: Clock,
}

impl CaseDetails {
    /// The case's projection.
    pub fn case(&self) -> &Case {
        &self.state.case
    }
}

pub(super) fn not_found() -> ServiceError {
    ServiceError::NotFound { what: "case", code: "case_not_found" }
}

/// The case with `id` if the caller sees it.
///
/// # Errors
/// 404 when it does not exist or is not visible.
pub fn get_visible(conn: &mut DbConnection, actor: &Actor, id: CaseId) -> ServiceResult<Case> {
    match cases::find_with_path(conn, id)? {
        Some((case, path)) if actor.sees(&path) || sees_as_unit(conn, actor, &case)? => Ok(case),
        _ => Err(not_found()),
    }
}

/// Whether the caller reaches the case only as the unit it was routed to and has not signed for
/// yet: that unit reads it, signs for it or returns it, and takes no step before it signs.
///
/// # Errors
/// A database error.
pub(crate) fn awaits_signature(conn: &mut DbConnection, actor: &Actor, case: &Case) -> ServiceResult<bool> {
    if case.handling.routed_to.is_none() || actor.scope.is_none() {
        return Ok(false);
    }
    let holders = [case.agency_id, case.handling.unit(case.agency_id)];
    Ok(!workflow_store::units(conn, &holders)?.iter().any(|unit| actor.sees(&unit.path)))
}

/// Whether the caller sees a case received outside their scope because it is handled in, or
/// routed to, a unit of their scope (a department works what the office routed to it).
fn sees_as_unit(conn: &mut DbConnection, actor: &Actor, case: &Case) -> ServiceResult<bool> {
    let units: Vec<AgencyId> = [case.handling.unit_id, case.handling.routed_to].into_iter().flatten().collect();
    if units.is_empty() || actor.scope.is_none() {
        return Ok(false);
    }
    Ok(workflow_store::units(conn, &units)?.iter().any(|unit| actor.sees(&unit.path)))
}

/// The state of a case whose events are loaded: its sub-records are read only when its events
/// show it has some (they are only ever created with their event, and events are never deleted).
///
/// # Errors
/// A database error or corrupt data.
pub(crate) fn load_state(conn: &mut DbConnection, case: Case, events: Vec<RecordedEvent>) -> ServiceResult<CaseState> {
    let has = |f: fn(&CaseEvent) -> bool| events.iter().any(|e| f(&e.event));
    let items = if may_have_items(&events) { cases::items(conn, case.id)? } else { Vec::new() };
    let consultations = if has(|e| matches!(e, CaseEvent::ConsultationStarted { .. })) {
        step_store::consultations(conn, case.id)?
    } else {
        Vec::new()
    };
    let fee_notices = if has(|e| matches!(e, CaseEvent::FeeNoticeIssued { .. })) {
        step_store::fee_notices(conn, case.id)?
    } else {
        Vec::new()
    };
    let appeals =
        if has(|e| matches!(e, CaseEvent::AppealFiled { .. })) { appeals::of_case(conn, case.id)? } else { Vec::new() };
    let mut state = CaseState { case, events, items, consultations, fee_notices, appeals };
    lifecycle::apply_revocations(&mut state);
    Ok(state)
}

/// Whether the case may have items: they are only ever written at intake, whose `received` event
/// lists them (no such event: ask the database).
fn may_have_items(events: &[RecordedEvent]) -> bool {
    let listed = events.iter().find_map(|e| match &e.event {
        CaseEvent::Received { items, .. } => Some(items.len()),
        _ => None,
    });
    listed != Some(0)
}

/// The details of a loaded state on `now.today`.
pub(crate) fn details(state: CaseState, applicant: Applicant, now: &Now<'_>) -> CaseDetails {
    let clock = lifecycle::clock_of(&state.events, now.calendar, now.rules, now.today);
    CaseDetails { state, applicant, clock }
}

/// The case with everything on its page, if the caller sees it.
///
/// # Errors
/// 404 when it does not exist or is not visible.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: CaseId, now: Now<'_>) -> ServiceResult<CaseDetails> {
    match cases::find_page(conn, id)? {
        Some((case, path, applicant, events)) if actor.sees(&path) || sees_as_unit(conn, actor, &case)? => {
            Ok(details(load_state(conn, case, events)?, applicant, &now))
        }
        _ => Err(not_found()),
    }
}

/// What the case page offers the caller besides the case: the steps allowed now with their
/// dates, the events that may be revoked, and the applicant's count of requests this month (for
/// a per-request fee).
#[derive(Clone, Debug, PartialEq)]
pub struct StepsOffered {
    pub steps: Vec<OfferedStep>,
    /// Seqs of the events a revocation may name, newest first (when revocation is offered).
    pub revocable: Vec<i32>,
    /// The case's number among its applicant's requests to the agency in its month of receipt
    /// (when a fee notice is offered).
    pub nth_request_in_month: Option<u32>,
}

/// The case's page and the steps the caller may take on it now.
///
/// # Errors
/// 404 when it does not exist or is not visible.
pub fn with_allowed_steps(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    now: Now<'_>,
) -> ServiceResult<(CaseDetails, StepsOffered)> {
    let details = get(conn, actor, id, now)?;
    if awaits_signature(conn, actor, details.case())? {
        let none = StepsOffered { steps: Vec::new(), revocable: Vec::new(), nth_request_in_month: None };
        return Ok((details, none));
    }
    let seals = seals_of(conn, details.case(), &now)?;
    let ctx = Ctx { today: now.today, calendar: now.calendar, rules: now.rules, seals: &seals };
    let steps = lifecycle::offered_steps(&details.state, actor.who(), &ctx);
    let offers = |kind| steps.iter().any(|s| s.kind == kind);
    let revocable = if offers(StepKind::Revocation) { lifecycle::revocable_steps(&details.state) } else { Vec::new() };
    let nth_request_in_month =
        if offers(StepKind::FeeNotice) { Some(steps::nth_request(conn, details.case())?) } else { None };
    Ok((details, StepsOffered { steps, revocable, nth_request_in_month }))
}

/// The sealed years a change to `case` may touch: from its receipt year up to last year (the
/// current year is never sealed, so a case of this year needs no query).
///
/// # Errors
/// A database error.
pub(crate) fn seals_of(conn: &mut DbConnection, case: &Case, now: &Now<'_>) -> ServiceResult<Seals> {
    seals_since(conn, case.agency_id, case.received_on, now)
}

/// The sealed years of `agency_id` from `from`'s year up to last year.
///
/// # Errors
/// A database error.
pub(crate) fn seals_since(
    conn: &mut DbConnection,
    agency_id: AgencyId,
    from: NaiveDate,
    now: &Now<'_>,
) -> ServiceResult<Seals> {
    let last_year = now.today.year() - 1;
    if from.year() > last_year {
        return Ok(Seals::none());
    }
    let agency = crate::storage::agencies::get(conn, agency_id)?;
    Ok(Seals::of(report::sealed_years(conn, &agency, from.year(), last_year)?))
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
) -> ServiceResult<Vec<(CaseSummary, Applicant)>> {
    if let Some(agency_id) = filter.agency_id {
        agency_service::get_visible(conn, actor, agency_id)?;
    }
    if let Some(unit_id) = filter.unit_id {
        agency_service::get_visible(conn, actor, unit_id)?;
    }
    filter.scope = actor.scope.clone();
    filter.routed_in = routed_in(conn, actor)?;
    Ok(cases::list(conn, &filter, limit)?)
}

/// The cases the caller sees beyond their scope ([`workflow_store::routed_in`]): none for a
/// caller at the top of a tree, where nothing is received above them.
///
/// # Errors
/// A database error.
pub fn routed_in(conn: &mut DbConnection, actor: &Actor) -> ServiceResult<Vec<CaseId>> {
    match actor.scope.as_deref() {
        Some(scope) if scope.matches('/').count() > 2 => Ok(workflow_store::routed_in(conn, scope)?),
        _ => Ok(Vec::new()),
    }
}

/// The case's events after `after_seq`, in order.
///
/// # Errors
/// 404 when the case does not exist or is not visible.
pub fn events(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    after_seq: i32,
    limit: i64,
) -> ServiceResult<Vec<RecordedEvent>> {
    get_visible(conn, actor, id)?;
    Ok(cases::events(conn, id, after_seq, limit)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::ApplicantId;
    use crate::domain::{ApplicantCategory, Channel};

    fn received(items: &[&str]) -> RecordedEvent {
        let on = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        RecordedEvent {
            seq: 1,
            effective_on: on,
            recorded_at: on.and_hms_opt(9, 0, 0).unwrap(),
            actor_id: None,
            event: CaseEvent::Received {
                channel: Channel::Post,
                submitted_on: None,
                received_on: on,
                applicant_id: ApplicantId::new(1),
                applicant_category: ApplicantCategory::NaturalPerson,
                case_number: "NS-2026-00001".into(),
                description: "x".into(),
                items: items.iter().map(|s| (*s).to_owned()).collect(),
                sealed_override: None,
            },
        }
    }

    #[test]
    fn items_are_looked_up_unless_the_intake_listed_none() {
        assert!(!may_have_items(&[received(&[])]));
        assert!(may_have_items(&[received(&["2024年预算"])]));
        // Without the intake event, the database is asked.
        assert!(may_have_items(&[]));
    }
}
