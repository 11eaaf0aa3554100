//! Who handles a case, and where: the handling unit (承办单位, an agency in the receiving agency's
//! subtree), the handler (承办人, an officer of that unit), routing to a unit (转办) which the unit
//! signs for (签收) or returns with a reason (退回), and a supervisor's chases (督办).
//!
//! None of this changes the statutory lifecycle or the report: the receiving agency stays the
//! agency the case is answered and reported under (Regulation Art. 4 ¶2: the disclosure office
//! organises the answer; the department holding the information works it). These are the
//! office's internal rules, written down here once; the service reads them and the console
//! offers what they allow.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::Errors;
use super::event::CaseEvent;
use super::ids::{AgencyId, UserId};
use super::lifecycle::{Refusal, StepKind};
use super::types::{CaseStatus, Role};
use super::{cn_date, limits, Violation};

/// Who handles a case, as stored beside it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handling {
    /// The handling unit; `None`: the receiving agency itself.
    pub unit_id: Option<AgencyId>,
    pub handler_id: Option<UserId>,
    /// A routing not yet signed for or returned: the unit it was sent to.
    pub routed_to: Option<AgencyId>,
}

impl Handling {
    /// The handling unit of a case received by `agency_id`.
    pub fn unit(&self, agency_id: AgencyId) -> AgencyId {
        self.unit_id.unwrap_or(agency_id)
    }
}

/// An agency as the rules need it: its id, name and materialised path (`/1/4/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub id: AgencyId,
    pub name: String,
    pub path: String,
}

impl Unit {
    /// Whether `other` is this agency or one of its descendants.
    pub fn contains(&self, other: &Unit) -> bool {
        other.path.starts_with(&self.path)
    }
}

/// A person as the rules need them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<AgencyId>,
    pub active: bool,
}

impl Person {
    /// Whether the person may handle cases of `unit`: an active officer or supervisor of it.
    pub fn may_handle_in(&self, unit: AgencyId) -> bool {
        self.active && matches!(self.role, Role::Officer | Role::Supervisor) && self.agency_id == Some(unit)
    }
}

/// The case as the workflow rules see it.
#[derive(Clone, Debug)]
pub struct CaseView<'a> {
    /// The receiving agency.
    pub agency: &'a Unit,
    /// The handling unit (the receiving agency when none was set).
    pub unit: &'a Unit,
    pub handler: Option<&'a Person>,
    /// The unit a pending routing was sent to.
    pub routed_to: Option<&'a Unit>,
    pub status: CaseStatus,
}

impl CaseView<'_> {
    fn is_open(&self) -> bool {
        self.status.is_open()
    }
}

/// The caller as the workflow rules see them.
#[derive(Clone, Debug)]
pub struct Caller<'a> {
    pub id: UserId,
    pub role: Role,
    pub agency_id: Option<AgencyId>,
    /// The caller's scope (agency path prefix); `None`: every agency.
    pub scope: Option<&'a str>,
}

impl Caller<'_> {
    fn sees(&self, unit: &Unit) -> bool {
        self.scope.is_none_or(|scope| unit.path.starts_with(scope))
    }

    /// A supervisor (or administrator) over `unit`: of it or of an ancestor.
    fn supervises(&self, unit: &Unit) -> bool {
        matches!(self.role, Role::Supervisor | Role::Admin) && self.sees(unit)
    }
}

fn forbidden(detail: &str) -> Refusal {
    Refusal::Forbidden(detail.to_owned())
}

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Refusal {
    Refusal::Invalid(Violation::field(code, field, message))
}

fn voided(view: &CaseView<'_>) -> Result<(), Refusal> {
    if view.status == CaseStatus::Voided {
        return Err(Refusal::conflict("case_voided", "该登记已作废，不能再办理"));
    }
    Ok(())
}

/// An optional reason: trimmed, non-empty when given, within the limit.
fn reason_of(field: &str, reason: Option<&str>) -> Result<Option<String>, Refusal> {
    let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(None) };
    let mut errors = Errors::default();
    let reason = errors.text(field, reason, limits::REASON);
    errors.finish().map_err(Refusal::Invalid)?;
    Ok(Some(reason))
}

/// An assignment asked for: a new unit and/or handler, and why when the case changes hands.
#[derive(Clone, Debug)]
pub struct Assignment<'a> {
    pub unit: Option<&'a Unit>,
    pub handler: Option<&'a Person>,
    pub reason: Option<&'a str>,
}

/// Assign or reassign a case. A supervisor over the handling unit assigns anyone who may handle
/// cases in the unit, and may move the case to another unit of the receiving agency's subtree;
/// an officer may only take an unassigned case of their own unit for themselves. A case that
/// already has a handler changes hands only with a reason (else 409 `already_assigned`: two
/// people assigning at once do not silently overwrite each other).
///
/// # Errors
/// 403 for the caller, 409 for the case's state, 422 for the unit, handler or reason.
pub fn assign(view: &CaseView<'_>, caller: &Caller<'_>, request: &Assignment<'_>) -> Result<CaseEvent, Refusal> {
    voided(view)?;
    if !caller.role.can_handle() {
        return Err(forbidden("只有承办人员和负责人可以分派案件"));
    }
    if request.unit.is_none() && request.handler.is_none() {
        return Err(invalid("validation_failed", "handler_id", "请指定承办人或承办单位"));
    }
    if let Some(to) = view.routed_to {
        return Err(Refusal::conflict("routing_pending", format!("案件已转办至{}，待其签收或退回后才能分派", to.name)));
    }
    let unit = request.unit.unwrap_or(view.unit);
    if !view.agency.contains(unit) {
        return Err(invalid(
            "unit_outside_agency",
            "unit_id",
            format!("承办单位须为受理机关{}或其下属机构", view.agency.name),
        ));
    }
    let supervisor = caller.supervises(view.unit) && caller.supervises(unit);
    if !supervisor {
        let claims_own = caller.role == Role::Officer
            && request.handler.is_some_and(|h| h.id == caller.id)
            && unit.id == view.unit.id
            && caller.agency_id == Some(unit.id);
        if !claims_own {
            return Err(forbidden("只有负责人可以分派或改派案件；承办人只能认领本单位未分派的案件"));
        }
    }
    // A unit without a handler named keeps the handler only when they work in the new unit.
    let handler = match request.handler {
        Some(person) if !person.may_handle_in(unit.id) => {
            return Err(invalid(
                "handler_not_in_unit",
                "handler_id",
                format!("{}不是{}的在职承办人员", person.name, unit.name),
            ));
        }
        Some(person) => Some(person),
        None => view.handler.filter(|h| h.may_handle_in(unit.id)),
    };
    let handler_id = handler.map(|h| h.id);
    let previous_handler_id = view.handler.map(|h| h.id);
    if handler_id == previous_handler_id && unit.id == view.unit.id {
        return Err(Refusal::conflict("assignment_unchanged", "案件已由该承办单位和承办人办理"));
    }
    let reason = reason_of("reason", request.reason)?;
    let changes_hands = previous_handler_id.is_some() && handler_id != previous_handler_id;
    if changes_hands && reason.is_none() {
        let name = view.handler.map_or("他人", |h| h.name.as_str());
        return Err(Refusal::conflict("already_assigned", format!("该案件已由{name}承办；改派须说明理由（reason）")));
    }
    Ok(CaseEvent::Assigned {
        unit_id: unit.id,
        handler_id,
        previous_unit_id: view.unit.id,
        previous_handler_id,
        reason,
    })
}

/// Route an open case to another unit of the receiving agency's subtree (转办): an officer or
/// supervisor of the unit holding it. The unit signs for it or returns it.
///
/// # Errors
/// 403 for the caller, 409 for the case's state, 422 for the unit or note.
pub fn route(view: &CaseView<'_>, caller: &Caller<'_>, to: &Unit, note: Option<&str>) -> Result<CaseEvent, Refusal> {
    may_route(view, caller)?;
    if !view.agency.contains(to) {
        return Err(invalid(
            "unit_outside_agency",
            "unit_id",
            format!("只能转办至受理机关{}或其下属机构", view.agency.name),
        ));
    }
    if to.id == view.unit.id {
        return Err(invalid("routing_same_unit", "unit_id", format!("案件已由{}承办", to.name)));
    }
    Ok(CaseEvent::Routed { unit_id: to.id, from_unit_id: view.unit.id, note: reason_of("note", note)? })
}

/// Whether the caller may route the case now, whatever the unit.
fn may_route(view: &CaseView<'_>, caller: &Caller<'_>) -> Result<(), Refusal> {
    voided(view)?;
    if !caller.role.can_handle() || !caller.sees(view.unit) {
        return Err(forbidden("只有承办单位的承办人员和负责人可以转办案件"));
    }
    if !view.is_open() {
        return Err(Refusal::conflict("case_concluded", "案件已办结，不能转办"));
    }
    if let Some(pending) = view.routed_to {
        return Err(Refusal::conflict("routing_pending", format!("案件已转办至{}，待其签收或退回", pending.name)));
    }
    Ok(())
}

/// What the console offers a caller on a case now: each is the rule's own test.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Offered {
    /// Take the unassigned case for oneself.
    pub claim: bool,
    /// Assign or reassign a handler of the unit.
    pub assign: bool,
    pub route: bool,
    /// Sign for or return the pending routing.
    pub answer: bool,
    pub chase: bool,
}

/// What the caller may do on the case now ([`Offered`]).
pub fn offered(view: &CaseView<'_>, caller: &Caller<'_>) -> Offered {
    let settled = view.status != CaseStatus::Voided && view.routed_to.is_none();
    Offered {
        claim: settled
            && view.handler.is_none()
            && caller.role == Role::Officer
            && caller.agency_id == Some(view.unit.id),
        assign: settled && caller.supervises(view.unit),
        route: may_route(view, caller).is_ok(),
        answer: routing_for(view, caller).is_ok(),
        chase: may_chase(view, caller).is_ok(),
    }
}

/// The pending routing a caller of the receiving unit may answer.
fn routing_for<'a>(view: &CaseView<'a>, caller: &Caller<'_>) -> Result<&'a Unit, Refusal> {
    voided(view)?;
    let Some(to) = view.routed_to else {
        return Err(Refusal::conflict("not_routed", "该案件没有待签收的转办"));
    };
    if !caller.role.can_handle() {
        return Err(forbidden("只有承办人员和负责人可以签收或退回转办"));
    }
    let own_unit = caller.agency_id == Some(to.id);
    if !own_unit && !caller.supervises(to) {
        return Err(Refusal::Forbidden(format!("该案件转办至{}，只有该单位可以签收或退回", to.name)));
    }
    Ok(to)
}

/// The receiving unit signs for a routed case (签收): it becomes the handling unit, without a
/// handler until one is assigned or an officer takes it.
///
/// # Errors
/// 403 for a caller of another unit, 409 when nothing is pending.
pub fn accept(view: &CaseView<'_>, caller: &Caller<'_>) -> Result<CaseEvent, Refusal> {
    let to = routing_for(view, caller)?;
    Ok(CaseEvent::RoutingAccepted { unit_id: to.id, from_unit_id: view.unit.id })
}

/// The receiving unit returns a routed case with its reason (退回): it goes back to the unit that
/// sent it, with its handler.
///
/// # Errors
/// 403 for a caller of another unit, 409 when nothing is pending, 422 without a reason.
pub fn send_back(view: &CaseView<'_>, caller: &Caller<'_>, reason: Option<&str>) -> Result<CaseEvent, Refusal> {
    let to = routing_for(view, caller)?;
    let Some(reason) = reason_of("reason", reason)? else {
        return Err(invalid("reason_required", "reason", "退回须说明理由"));
    };
    Ok(CaseEvent::RoutingReturned { unit_id: to.id, to_unit_id: view.unit.id, reason })
}

/// The handling after an event of this module (other events leave it as it is).
pub fn apply(handling: &Handling, agency_id: AgencyId, event: &CaseEvent) -> Handling {
    let mut next = handling.clone();
    let unit_or_none = |unit: AgencyId| (unit != agency_id).then_some(unit);
    match event {
        CaseEvent::Assigned { unit_id, handler_id, .. } => {
            next.unit_id = unit_or_none(*unit_id);
            next.handler_id = *handler_id;
        }
        CaseEvent::Routed { unit_id, .. } => next.routed_to = Some(*unit_id),
        CaseEvent::RoutingAccepted { unit_id, .. } => {
            next.unit_id = unit_or_none(*unit_id);
            next.handler_id = None;
            next.routed_to = None;
        }
        CaseEvent::RoutingReturned { .. } => next.routed_to = None,
        _ => {}
    }
    next
}

// ------------------------------------------------------------------ chases

/// A chase asked for: what is to be done, by when, and optionally the step that settles it.
#[derive(Clone, Debug)]
pub struct ChaseRequest<'a> {
    pub matter: &'a str,
    pub due_on: Option<NaiveDate>,
    pub step: Option<&'a str>,
}

/// A supervisor of the case's agency or an ancestor chases an open case (督办): what is asked and
/// the date it must be done by (today or later). When a step is named, taking it closes the
/// chase; every open chase closes when the case concludes.
///
/// # Errors
/// 403 for the caller, 409 for a concluded case, 422 for the input.
pub fn chase(
    view: &CaseView<'_>,
    caller: &Caller<'_>,
    request: &ChaseRequest<'_>,
    today: NaiveDate,
) -> Result<CaseEvent, Refusal> {
    may_chase(view, caller)?;
    let mut errors = Errors::default();
    let matter = errors.text("matter", request.matter, limits::MATTERS);
    match request.due_on {
        None => errors.add("due_on", "不能为空"),
        Some(due) if due < today => errors.add("due_on", format!("办结期限不能早于今天（{}）", cn_date(today))),
        Some(_) => {}
    }
    let step = match request.step.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(key) => match StepKind::parse(key) {
            Some(kind) if kind.closes_chase() => Some(kind),
            _ => {
                errors.add("step", format!("未知或不可督办的办理步骤：{key}"));
                None
            }
        },
    };
    errors.finish().map_err(Refusal::Invalid)?;
    let due_on = request.due_on.unwrap_or(today);
    Ok(CaseEvent::ChaseRecorded { chase_id: 0, matter, due_on, step })
}

/// Whether the caller may chase the case now.
fn may_chase(view: &CaseView<'_>, caller: &Caller<'_>) -> Result<(), Refusal> {
    voided(view)?;
    if !caller.supervises(view.agency) {
        return Err(forbidden("只有受理机关或其上级机关的负责人可以督办"));
    }
    if !view.is_open() {
        return Err(Refusal::conflict("case_concluded", "案件已办结，不能督办"));
    }
    Ok(())
}

/// A chase as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chase {
    pub id: i64,
    pub case_id: super::ids::CaseId,
    pub matter: String,
    pub due_on: NaiveDate,
    pub step: Option<StepKind>,
    pub recorded_on: NaiveDate,
    pub recorded_by: UserId,
    pub closed_on: Option<NaiveDate>,
    pub closed_by: Option<UserId>,
    pub close_note: Option<String>,
    /// The step (its event's seq) that settled it.
    pub closed_by_seq: Option<i32>,
}

impl Chase {
    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }

    /// Open past its date.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due_on < today
    }
}

/// Close an open chase explicitly with a note: a supervisor who may chase the case.
///
/// # Errors
/// 403 for the caller, 409 when already closed, 422 without a note.
pub fn close_chase(
    view: &CaseView<'_>,
    caller: &Caller<'_>,
    chase: &Chase,
    note: Option<&str>,
) -> Result<CaseEvent, Refusal> {
    if !caller.supervises(view.agency) {
        return Err(forbidden("只有受理机关或其上级机关的负责人可以结束督办"));
    }
    if !chase.is_open() {
        return Err(Refusal::conflict("chase_closed", "该督办事项已经结束"));
    }
    let Some(note) = reason_of("note", note)? else {
        return Err(invalid("note_required", "note", "结束督办须说明办理情况"));
    };
    Ok(CaseEvent::ChaseClosed { chase_id: chase.id, note })
}

/// The open chases a step settles: those that named its kind, or all of them when the step
/// concluded the case.
pub fn settled_by(chases: &[Chase], step: Option<StepKind>, concluded: bool) -> Vec<&Chase> {
    chases.iter().filter(|c| c.is_open() && (concluded || (step.is_some() && c.step == step))).collect()
}

/// The first due date that is NOT more than `n` working days overdue on `today`: a case still
/// open is overdue by more than `n` working days exactly when its due date is before it
/// (the supervisors' view of badly late cases).
pub fn late_by_more_than(calendar: &super::calendar::Calendar, today: NaiveDate, n: u32) -> NaiveDate {
    // Working days from a due date to today only grow as the due date moves back.
    let mut date = today;
    loop {
        let previous = date.pred_opt().unwrap_or(date);
        if previous == date || calendar.working_days_between(previous, today) > i64::from(n) {
            return date;
        }
        date = previous;
    }
}

#[cfg(test)]
#[path = "workflow_tests.rs"]
mod tests;
