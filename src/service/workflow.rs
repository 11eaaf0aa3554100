//! Who handles a case and where, and supervisors' chases: load the case and the people and units
//! named, let [`crate::domain::workflow`] decide, store the handling columns (or the chase) and the
//! event in the caller's transaction.

use chrono::NaiveDate;

use super::cases::{facts, get_visible};
use super::{Actor, Now, ServiceError, ServiceResult};
use crate::domain::case::Case;
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::ids::{AgencyId, CaseId, UserId};
use crate::domain::lifecycle::{check_version, StepKind};
use crate::domain::workflow::{self, Assignment, Caller, CaseView, Chase, ChaseRequest, Person, Unit};
use crate::domain::{CaseStatus, Violation};
use crate::storage::workflow::{self as store, Closing, NewChase, OpenChase};
use crate::storage::DbConnection;

/// Who handles a case now, with the names a person reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandlingView {
    pub case_id: CaseId,
    pub version: i64,
    pub status: CaseStatus,
    pub agency: Unit,
    pub unit: Unit,
    pub handler: Option<Person>,
    pub routed_to: Option<Unit>,
}

/// The case's agencies and people, loaded for the rules.
struct Loaded {
    case: Case,
    units: Vec<Unit>,
    people: Vec<Person>,
}

impl Loaded {
    fn unit(&self, id: AgencyId) -> ServiceResult<&Unit> {
        self.units.iter().find(|u| u.id == id).ok_or_else(|| ServiceError::corrupt(format!("机构 {id} 不存在")))
    }

    fn person(&self, id: UserId) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    fn view(&self) -> ServiceResult<CaseView<'_>> {
        let handling = &self.case.handling;
        Ok(CaseView {
            agency: self.unit(self.case.agency_id)?,
            unit: self.unit(handling.unit(self.case.agency_id))?,
            handler: handling.handler_id.and_then(|id| self.person(id)),
            routed_to: handling.routed_to.map(|id| self.unit(id)).transpose()?,
            status: self.case.status,
        })
    }

    fn handling_view(&self) -> ServiceResult<HandlingView> {
        let view = self.view()?;
        Ok(HandlingView {
            case_id: self.case.id,
            version: self.case.version,
            status: self.case.status,
            agency: view.agency.clone(),
            unit: view.unit.clone(),
            handler: view.handler.cloned(),
            routed_to: view.routed_to.cloned(),
        })
    }
}

/// Load a visible case with its units and people, and those a request names (`extra_*`).
fn load(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    extra_units: &[AgencyId],
    extra_people: &[UserId],
) -> ServiceResult<Loaded> {
    let case = get_visible(conn, actor, id)?;
    load_case(conn, case, extra_units, extra_people)
}

fn load_case(
    conn: &mut DbConnection,
    case: Case,
    extra_units: &[AgencyId],
    extra_people: &[UserId],
) -> ServiceResult<Loaded> {
    let h = &case.handling;
    let mut unit_ids: Vec<AgencyId> = [Some(case.agency_id), h.unit_id, h.routed_to].into_iter().flatten().collect();
    unit_ids.extend_from_slice(extra_units);
    let mut person_ids: Vec<UserId> = h.handler_id.into_iter().collect();
    person_ids.extend_from_slice(extra_people);
    let units = store::units(conn, &unit_ids)?;
    let people = store::people(conn, &person_ids)?;
    Ok(Loaded { case, units, people })
}

fn caller(actor: &Actor) -> Caller<'_> {
    Caller { id: actor.user_id, role: actor.role, agency_id: actor.agency_id, scope: actor.scope.as_deref() }
}

/// Who handles a visible case.
///
/// # Errors
/// 404 when the case is not visible.
pub fn handling(conn: &mut DbConnection, actor: &Actor, id: CaseId) -> ServiceResult<HandlingView> {
    load(conn, actor, id, &[], &[])?.handling_view()
}

/// Store an event of this module with the handling it leaves, version-checked.
fn record(
    conn: &mut DbConnection,
    loaded: &mut Loaded,
    actor: &Actor,
    event: CaseEvent,
    now: &Now<'_>,
) -> ServiceResult<RecordedEvent> {
    let handling = workflow::apply(&loaded.case.handling, loaded.case.agency_id, &event);
    let recorded = facts::append(conn, &loaded.case, event, Some(actor.user_id), now.today, now.at)?;
    if handling != loaded.case.handling {
        store::set_handling(conn, loaded.case.id, &handling)?;
    }
    loaded.case.handling = handling;
    loaded.case.version += 1;
    Ok(recorded)
}

/// An assignment as asked for through the API or the console.
#[derive(Clone, Debug, Default)]
pub struct AssignInput {
    pub handler_id: Option<UserId>,
    pub unit_id: Option<AgencyId>,
    pub reason: Option<String>,
    /// The version the request is based on (`If-Match`).
    pub expected_version: Option<i64>,
}

fn unknown(field: &str, message: &str) -> ServiceError {
    ServiceError::Invalid(Violation::field("validation_failed", field, message))
}

/// Assign or reassign a case ([`workflow::assign`]).
///
/// # Errors
/// 404 invisible case; 403, 409 and 422 as the rules say; 422 for an unknown unit or person.
pub fn assign(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    input: &AssignInput,
    now: &Now<'_>,
) -> ServiceResult<HandlingView> {
    let mut loaded = load(conn, actor, id, input.unit_id.as_slice(), input.handler_id.as_slice())?;
    assign_loaded(conn, actor, &mut loaded, input, now)?;
    loaded.handling_view()
}

fn assign_loaded(
    conn: &mut DbConnection,
    actor: &Actor,
    loaded: &mut Loaded,
    input: &AssignInput,
    now: &Now<'_>,
) -> ServiceResult<RecordedEvent> {
    check_version(&loaded.case, input.expected_version)?;
    let unit = match input.unit_id {
        Some(id) => Some(loaded.units.iter().find(|u| u.id == id).ok_or_else(|| unknown("unit_id", "机构不存在"))?),
        None => None,
    };
    let handler = match input.handler_id {
        Some(id) => Some(loaded.person(id).ok_or_else(|| unknown("handler_id", "用户不存在"))?),
        None => None,
    };
    let request = Assignment { unit, handler, reason: input.reason.as_deref() };
    let event = workflow::assign(&loaded.view()?, &caller(actor), &request)?;
    record(conn, loaded, actor, event, now)
}

/// Reassign every open case a person handles (a person leaving or on leave) to another, in one
/// transaction: all move or none does. Only a supervisor over each case's unit may.
///
/// # Errors
/// 403/409/422 for the first case the rules refuse, naming it; 422 for an unknown person.
pub fn reassign_all(
    conn: &mut DbConnection,
    actor: &Actor,
    from: UserId,
    to: UserId,
    reason: &str,
    now: &Now<'_>,
) -> ServiceResult<Vec<CaseId>> {
    actor.require(actor.role.can_supervise(), "批量改派案件")?;
    for id in [from, to] {
        visible_person(conn, actor, id)?;
    }
    if reason.trim().is_empty() {
        return Err(ServiceError::Invalid(Violation::field("reason_required", "reason", "批量改派须说明理由")));
    }
    let ids = store::open_cases_of(conn, from)?;
    let input =
        AssignInput { handler_id: Some(to), unit_id: None, reason: Some(reason.to_owned()), expected_version: None };
    let mut moved = Vec::with_capacity(ids.len());
    for id in ids {
        let case = match get_visible(conn, actor, id) {
            Ok(case) => case,
            // Cases the supervisor does not see are not theirs to move.
            Err(ServiceError::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        let number = case.case_number.clone();
        let mut loaded = load_case(conn, case, &[], &[to])?;
        if loaded.person(to).is_none() {
            return Err(unknown("handler_id", "用户不存在"));
        }
        assign_loaded(conn, actor, &mut loaded, &input, now).map_err(|e| in_case(e, &number))?;
        moved.push(id);
    }
    Ok(moved)
}

/// A person bound to an agency the caller sees (404 otherwise, as for anything out of sight).
fn visible_person(conn: &mut DbConnection, actor: &Actor, id: UserId) -> ServiceResult<Person> {
    let not_found = || ServiceError::NotFound { what: "user", code: "user_not_found" };
    let person = store::people(conn, &[id])?.into_iter().next().ok_or_else(not_found)?;
    let agency = person.agency_id.map(|a| store::units(conn, &[a])).transpose()?.unwrap_or_default();
    let seen = match (&actor.scope, agency.first()) {
        (None, _) => true,
        (Some(_), Some(unit)) => actor.sees(&unit.path),
        (Some(_), None) => false,
    };
    if seen {
        Ok(person)
    } else {
        Err(not_found())
    }
}

/// A refusal about one case of a batch, naming it.
fn in_case(error: ServiceError, number: &str) -> ServiceError {
    match error {
        ServiceError::Forbidden(detail) => ServiceError::Forbidden(format!("案件{number}：{detail}")),
        ServiceError::Conflict { code, detail } => {
            ServiceError::Conflict { code, detail: format!("案件{number}：{detail}") }
        }
        ServiceError::Invalid(mut v) => {
            v.detail = format!("案件{number}：{}", v.detail);
            ServiceError::Invalid(v)
        }
        other => other,
    }
}

/// Route a case to a unit ([`workflow::route`]).
///
/// # Errors
/// 404 invisible case; 403, 409 and 422 as the rules say.
pub fn route(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    unit_id: AgencyId,
    note: Option<&str>,
    now: &Now<'_>,
) -> ServiceResult<HandlingView> {
    let mut loaded = load(conn, actor, id, &[unit_id], &[])?;
    let to = loaded.units.iter().find(|u| u.id == unit_id).ok_or_else(|| unknown("unit_id", "机构不存在"))?;
    let event = workflow::route(&loaded.view()?, &caller(actor), to, note)?;
    record(conn, &mut loaded, actor, event, now)?;
    loaded.handling_view()
}

/// The unit signs for a routed case, or returns it with a reason.
#[derive(Clone, Copy, Debug)]
pub enum Answer<'a> {
    Accept,
    Return { reason: Option<&'a str> },
}

/// Answer a routing ([`workflow::accept`], [`workflow::send_back`]).
///
/// # Errors
/// 404 invisible case; 403, 409 and 422 as the rules say.
pub fn answer_routing(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    answer: Answer<'_>,
    now: &Now<'_>,
) -> ServiceResult<HandlingView> {
    let mut loaded = load(conn, actor, id, &[], &[])?;
    let view = loaded.view()?;
    let event = match answer {
        Answer::Accept => workflow::accept(&view, &caller(actor))?,
        Answer::Return { reason } => workflow::send_back(&view, &caller(actor), reason)?,
    };
    record(conn, &mut loaded, actor, event, now)?;
    loaded.handling_view()
}

/// The people with these ids, for the names a list shows (names of colleagues are not secret).
///
/// # Errors
/// A database error.
pub fn people(conn: &mut DbConnection, ids: &[UserId]) -> ServiceResult<Vec<Person>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(store::people(conn, ids)?)
}

/// What the case page shows of who handles a case, and the choices its forms offer.
#[derive(Clone, Debug)]
pub struct WorkflowPage {
    pub handling: HandlingView,
    pub offered: workflow::Offered,
    /// Who may handle cases of the handling unit (for assigning), when assigning is offered.
    pub handlers: Vec<Person>,
    /// The units of the receiving agency's subtree other than the handling one (for routing),
    /// when routing is offered.
    pub units: Vec<Unit>,
    pub chases: Vec<Chase>,
    /// The people named by the chases and by the `named_people` asked for.
    pub people: Vec<Person>,
    /// The units named by the `named_units` asked for.
    pub named_units: Vec<Unit>,
}

/// The case page's view of who handles a visible case and what the caller may do about it.
///
/// # Errors
/// 404 invisible case.
pub fn page(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    named_people: &[UserId],
    named_units: &[AgencyId],
) -> ServiceResult<WorkflowPage> {
    let loaded = load(conn, actor, id, &[], &[])?;
    let offered = workflow::offered(&loaded.view()?, &caller(actor));
    let handling = loaded.handling_view()?;
    let handlers = if offered.assign { store::handlers_of(conn, handling.unit.id)? } else { Vec::new() };
    let units = if offered.route {
        store::units_under(conn, &handling.agency.path)?.into_iter().filter(|u| u.id != handling.unit.id).collect()
    } else {
        Vec::new()
    };
    let chases = store::chases_of(conn, id)?;
    let mut ids: Vec<UserId> = chases.iter().flat_map(|c| [Some(c.recorded_by), c.closed_by]).flatten().collect();
    ids.extend_from_slice(named_people);
    ids.sort_unstable();
    ids.dedup();
    let people = store::people(conn, &ids)?;
    let named_units = if named_units.is_empty() { Vec::new() } else { store::units(conn, named_units)? };
    Ok(WorkflowPage { handling, offered, handlers, units, chases, people, named_units })
}

// ------------------------------------------------------------------ chases

/// A chase as asked for.
#[derive(Clone, Debug, Default)]
pub struct ChaseInput {
    pub matter: String,
    pub due_on: Option<NaiveDate>,
    pub step: Option<String>,
}

/// Chase a case ([`workflow::chase`]); returns the chase.
///
/// # Errors
/// 404 invisible case; 403, 409 and 422 as the rules say.
pub fn chase(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    input: &ChaseInput,
    now: &Now<'_>,
) -> ServiceResult<Chase> {
    let mut loaded = load(conn, actor, id, &[], &[])?;
    let request = ChaseRequest { matter: &input.matter, due_on: input.due_on, step: input.step.as_deref() };
    let mut event = workflow::chase(&loaded.view()?, &caller(actor), &request, now.today)?;
    let CaseEvent::ChaseRecorded { chase_id, matter, due_on, step } = &mut event else {
        return Err(ServiceError::corrupt("督办规则返回了其他事件"));
    };
    *chase_id = store::insert_chase(
        conn,
        &NewChase {
            case_id: id,
            agency_id: loaded.case.agency_id,
            matter,
            due_on: *due_on,
            step: *step,
            recorded_on: now.today,
            recorded_by: actor.user_id,
            recorded_at: now.at,
        },
    )?;
    let chase_id = *chase_id;
    record(conn, &mut loaded, actor, event, now)?;
    chase_of(conn, id, chase_id)
}

fn chase_of(conn: &mut DbConnection, case_id: CaseId, chase_id: i64) -> ServiceResult<Chase> {
    store::chases_of(conn, case_id)?
        .into_iter()
        .find(|c| c.id == chase_id)
        .ok_or(ServiceError::NotFound { what: "chase", code: "chase_not_found" })
}

/// Close a chase explicitly with a note ([`workflow::close_chase`]).
///
/// # Errors
/// 404 invisible case or unknown chase; 403, 409 and 422 as the rules say.
pub fn close_chase(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    chase_id: i64,
    note: Option<&str>,
    now: &Now<'_>,
) -> ServiceResult<Chase> {
    let mut loaded = load(conn, actor, id, &[], &[])?;
    let chase = chase_of(conn, id, chase_id)?;
    let event = workflow::close_chase(&loaded.view()?, &caller(actor), &chase, note)?;
    let CaseEvent::ChaseClosed { note, .. } = &event else {
        return Err(ServiceError::corrupt("督办规则返回了其他事件"));
    };
    let note = note.clone();
    let recorded = record(conn, &mut loaded, actor, event, now)?;
    let closing = Closing { on: now.today, by: Some(actor.user_id), note: Some(&note), seq: recorded.seq };
    store::close_chases(conn, &[chase_id], &closing)?;
    chase_of(conn, id, chase_id)
}

/// The chases of a visible case.
///
/// # Errors
/// 404 invisible case.
pub fn chases(conn: &mut DbConnection, actor: &Actor, id: CaseId) -> ServiceResult<Vec<Chase>> {
    get_visible(conn, actor, id)?;
    Ok(store::chases_of(conn, id)?)
}

/// The open chases of the cases received in a visible agency's subtree (the caller's whole
/// scope when none is named), earliest due first.
///
/// # Errors
/// 404 invisible agency.
pub fn open_chases(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: Option<AgencyId>,
    limit: i64,
) -> ServiceResult<Vec<OpenChase>> {
    let scope = match agency_id {
        Some(id) => Some(super::agencies::get_visible(conn, actor, id)?.path),
        None => actor.scope.clone(),
    };
    Ok(store::open_chases(conn, scope.as_deref(), limit)?)
}

/// The open cases received in a visible agency's subtree (the caller's scope when none is named)
/// that are overdue by more than `n` working days, most recently received first, at most `limit`.
///
/// # Errors
/// 404 invisible agency.
pub fn late_cases(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: Option<AgencyId>,
    n: u32,
    limit: i64,
    now: &Now<'_>,
) -> ServiceResult<Vec<crate::domain::case::CaseSummary>> {
    let scope = match agency_id {
        Some(id) => Some(super::agencies::get_visible(conn, actor, id)?.path),
        None => actor.scope.clone(),
    };
    let filter = crate::storage::cases::CaseFilter {
        scope,
        overdue_on: Some(workflow::late_by_more_than(now.calendar, now.today, n)),
        ..Default::default()
    };
    Ok(crate::storage::cases::list(conn, &filter, limit)?.into_iter().map(|(case, _)| case).collect())
}

/// After a step was stored: close the open chases it settles (those naming its kind; all when it
/// concluded or voided the case), recording the step's event as what closed them.
///
/// # Errors
/// A database error.
pub(crate) fn settle_chases(
    conn: &mut DbConnection,
    case: &Case,
    events: &[RecordedEvent],
    recorded: &RecordedEvent,
) -> ServiceResult<()> {
    if !events.iter().any(|e| matches!(e.event, CaseEvent::ChaseRecorded { .. })) {
        return Ok(());
    }
    let chases = store::chases_of(conn, case.id)?;
    let step = StepKind::of_event(&recorded.event);
    let settled: Vec<i64> =
        workflow::settled_by(&chases, step, !case.status.is_open()).into_iter().map(|c| c.id).collect();
    if !settled.is_empty() {
        let closing = Closing { on: recorded.effective_on, by: recorded.actor_id, note: None, seq: recorded.seq };
        store::close_chases(conn, &settled, &closing)?;
    }
    Ok(())
}
