use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn unit(id: i64, path: &str, name: &str) -> Unit {
    Unit { id: AgencyId::new(id), name: name.into(), path: path.into() }
}

fn person(id: i64, role: Role, agency: i64) -> Person {
    Person {
        id: UserId::new(id),
        name: format!("用户{id}"),
        role,
        agency_id: Some(AgencyId::new(agency)),
        active: true,
    }
}

fn caller(p: &Person, scope: &'static str) -> Caller<'static> {
    Caller { id: p.id, role: p.role, agency_id: p.agency_id, scope: Some(scope) }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

struct World {
    office: Unit,
    dept: Unit,
    other_dept: Unit,
    elsewhere: Unit,
}

fn world() -> World {
    World {
        office: unit(1, "/1/", "某区政府办公室"),
        dept: unit(2, "/1/2/", "区财政局"),
        other_dept: unit(3, "/1/3/", "区教育局"),
        elsewhere: unit(9, "/9/", "另一区政府"),
    }
}

fn view<'a>(w: &'a World, unit: &'a Unit, handler: Option<&'a Person>, routed: Option<&'a Unit>) -> CaseView<'a> {
    CaseView { agency: &w.office, unit, handler, routed_to: routed, status: CaseStatus::Received }
}

#[test]
fn a_supervisor_assigns_an_officer_of_the_unit_and_reassigns_only_with_a_reason() {
    let w = world();
    let boss = person(1, Role::Supervisor, 1);
    let alice = person(2, Role::Officer, 1);
    let bob = person(3, Role::Officer, 1);
    let v = view(&w, &w.office, None, None);
    let event =
        assign(&v, &caller(&boss, "/1/"), &Assignment { unit: None, handler: Some(&alice), reason: None }).unwrap();
    assert_eq!(
        event,
        CaseEvent::Assigned {
            unit_id: w.office.id,
            handler_id: Some(alice.id),
            previous_unit_id: w.office.id,
            previous_handler_id: None,
            reason: None
        }
    );
    let v = view(&w, &w.office, Some(&alice), None);
    let again = assign(&v, &caller(&boss, "/1/"), &Assignment { unit: None, handler: Some(&bob), reason: None });
    assert!(matches!(again, Err(Refusal::Conflict { code: "already_assigned", .. })));
    let blank = assign(&v, &caller(&boss, "/1/"), &Assignment { unit: None, handler: Some(&bob), reason: Some("  ") });
    assert!(matches!(blank, Err(Refusal::Conflict { code: "already_assigned", .. })));
    let ok = assign(&v, &caller(&boss, "/1/"), &Assignment { unit: None, handler: Some(&bob), reason: Some("休假") });
    assert!(matches!(ok, Ok(CaseEvent::Assigned { reason: Some(r), .. }) if r == "休假"));
    let same = assign(&v, &caller(&boss, "/1/"), &Assignment { unit: None, handler: Some(&alice), reason: None });
    assert!(matches!(same, Err(Refusal::Conflict { code: "assignment_unchanged", .. })));
}

#[test]
fn an_officer_only_takes_an_unassigned_case_of_their_unit_for_themselves_and_a_clerk_nothing() {
    let w = world();
    let alice = person(2, Role::Officer, 1);
    let bob = person(3, Role::Officer, 1);
    let clerk = person(4, Role::Clerk, 1);
    let v = view(&w, &w.office, None, None);
    let own = Assignment { unit: None, handler: Some(&alice), reason: None };
    assert!(assign(&v, &caller(&alice, "/1/"), &own).is_ok());
    let other = Assignment { unit: None, handler: Some(&bob), reason: None };
    assert!(matches!(assign(&v, &caller(&alice, "/1/"), &other), Err(Refusal::Forbidden(_))));
    assert!(matches!(assign(&v, &caller(&clerk, "/1/"), &own), Err(Refusal::Forbidden(_))));
    let taken = view(&w, &w.office, Some(&bob), None);
    assert!(matches!(
        assign(&taken, &caller(&alice, "/1/"), &own),
        Err(Refusal::Conflict { code: "already_assigned", .. })
    ));
    // A department's officer does not take a case the office handles.
    let dept_officer = person(5, Role::Officer, 2);
    let theirs = Assignment { unit: None, handler: Some(&dept_officer), reason: None };
    assert!(matches!(assign(&v, &caller(&dept_officer, "/1/2/"), &theirs), Err(Refusal::Forbidden(_))));
}

#[test]
fn units_stay_in_the_receiving_agencys_subtree_and_handlers_in_their_unit() {
    let w = world();
    let boss = person(1, Role::Supervisor, 1);
    let v = view(&w, &w.office, None, None);
    let outside = Assignment { unit: Some(&w.elsewhere), handler: None, reason: None };
    assert!(matches!(
        assign(&v, &caller(&boss, "/1/"), &outside),
        Err(Refusal::Invalid(Violation { code: "unit_outside_agency", .. }))
    ));
    let office_officer = person(2, Role::Officer, 1);
    let wrong = Assignment { unit: Some(&w.dept), handler: Some(&office_officer), reason: None };
    assert!(matches!(
        assign(&v, &caller(&boss, "/1/"), &wrong),
        Err(Refusal::Invalid(Violation { code: "handler_not_in_unit", .. }))
    ));
    let mut gone = person(6, Role::Officer, 2);
    gone.active = false;
    let inactive = Assignment { unit: Some(&w.dept), handler: Some(&gone), reason: None };
    assert!(matches!(assign(&v, &caller(&boss, "/1/"), &inactive), Err(Refusal::Invalid(_))));
    let to_dept = Assignment { unit: Some(&w.dept), handler: None, reason: None };
    assert!(matches!(assign(&v, &caller(&boss, "/1/"), &to_dept), Ok(CaseEvent::Assigned { handler_id: None, .. })));
}

#[test]
fn routing_is_signed_for_or_returned_with_a_reason_by_the_unit_it_was_sent_to() {
    let w = world();
    let officer = person(2, Role::Officer, 1);
    let v = view(&w, &w.office, None, None);
    let routed = route(&v, &caller(&officer, "/1/"), &w.dept, None).unwrap();
    assert_eq!(routed, CaseEvent::Routed { unit_id: w.dept.id, from_unit_id: w.office.id, note: None });
    assert!(matches!(
        route(&v, &caller(&officer, "/1/"), &w.elsewhere, None),
        Err(Refusal::Invalid(Violation { code: "unit_outside_agency", .. }))
    ));
    assert!(matches!(route(&v, &caller(&officer, "/1/"), &w.office, None), Err(Refusal::Invalid(_))));

    let pending = view(&w, &w.office, None, Some(&w.dept));
    assert!(matches!(
        route(&pending, &caller(&officer, "/1/"), &w.other_dept, None),
        Err(Refusal::Conflict { code: "routing_pending", .. })
    ));
    let dept_officer = person(5, Role::Officer, 2);
    let other_officer = person(7, Role::Officer, 3);
    assert!(matches!(accept(&pending, &caller(&other_officer, "/1/3/")), Err(Refusal::Forbidden(_))));
    // The office's officer sees the case but it was sent to the department.
    assert!(matches!(accept(&pending, &caller(&officer, "/1/")), Err(Refusal::Forbidden(_))));
    assert!(matches!(
        send_back(&pending, &caller(&dept_officer, "/1/2/"), Some(" ")),
        Err(Refusal::Invalid(Violation { code: "reason_required", .. }))
    ));
    assert!(send_back(&pending, &caller(&dept_officer, "/1/2/"), Some("不属于本单位职责")).is_ok());
    let accepted = accept(&pending, &caller(&dept_officer, "/1/2/")).unwrap();
    let handling = apply(
        &Handling { unit_id: None, handler_id: Some(officer.id), routed_to: Some(w.dept.id) },
        w.office.id,
        &accepted,
    );
    assert_eq!(handling, Handling { unit_id: Some(w.dept.id), handler_id: None, routed_to: None });
    assert!(matches!(accept(&v, &caller(&dept_officer, "/1/2/")), Err(Refusal::Conflict { code: "not_routed", .. })));
}

#[test]
fn chases_come_from_supervisors_over_the_receiving_agency_on_open_cases() {
    let w = world();
    let boss = person(1, Role::Supervisor, 1);
    let dept_boss = person(8, Role::Supervisor, 2);
    let officer = person(2, Role::Officer, 1);
    let v = view(&w, &w.dept, None, None);
    let request = ChaseRequest { matter: "请于期限内答复", due_on: Some(day(10)), step: Some("decision") };
    let event = chase(&v, &caller(&boss, "/1/"), &request, day(5)).unwrap();
    assert!(matches!(event, CaseEvent::ChaseRecorded { step: Some(StepKind::Decision), .. }));
    assert!(matches!(chase(&v, &caller(&dept_boss, "/1/2/"), &request, day(5)), Err(Refusal::Forbidden(_))));
    assert!(matches!(chase(&v, &caller(&officer, "/1/"), &request, day(5)), Err(Refusal::Forbidden(_))));
    let past = ChaseRequest { due_on: Some(day(4)), ..request.clone() };
    assert!(matches!(chase(&v, &caller(&boss, "/1/"), &past, day(5)), Err(Refusal::Invalid(_))));
    let bad_step = ChaseRequest { step: Some("void"), ..request.clone() };
    assert!(matches!(chase(&v, &caller(&boss, "/1/"), &bad_step, day(5)), Err(Refusal::Invalid(_))));
    let concluded = CaseView { status: CaseStatus::Concluded, ..v.clone() };
    assert!(matches!(
        chase(&concluded, &caller(&boss, "/1/"), &request, day(5)),
        Err(Refusal::Conflict { code: "case_concluded", .. })
    ));
}

fn a_chase(id: i64, step: Option<StepKind>, closed: bool) -> Chase {
    Chase {
        id,
        case_id: crate::domain::ids::CaseId::new(1),
        matter: "m".into(),
        due_on: day(10),
        step,
        recorded_on: day(1),
        recorded_by: UserId::new(1),
        closed_on: closed.then(|| day(2)),
        closed_by: None,
        close_note: None,
        closed_by_seq: None,
    }
}

#[test]
fn a_step_settles_the_chases_that_named_it_and_a_conclusion_settles_all() {
    let chases = vec![
        a_chase(1, Some(StepKind::Extension), false),
        a_chase(2, Some(StepKind::Decision), false),
        a_chase(3, None, false),
        a_chase(4, Some(StepKind::Extension), true),
    ];
    let ids = |v: Vec<&Chase>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(settled_by(&chases, Some(StepKind::Extension), false)), vec![1]);
    assert_eq!(ids(settled_by(&chases, Some(StepKind::Decision), true)), vec![1, 2, 3]);
    assert_eq!(ids(settled_by(&chases, None, false)), Vec::<i64>::new());
    assert!(a_chase(1, None, false).is_late(day(11)));
    assert!(!a_chase(1, None, false).is_late(day(10)));
}

proptest! {
    /// A due date is before the threshold exactly when today is more than `n` working days past it.
    #[test]
    fn the_late_threshold_separates_cases_late_by_more_than_n_working_days(n in 0u32..30, back in 0i64..120, offset in 0i64..400) {
        let calendar = crate::domain::calendar::Calendar::shipped().unwrap();
        let today = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(offset);
        let threshold = late_by_more_than(&calendar, today, n);
        let due = today - chrono::Duration::days(back);
        prop_assert_eq!(due < threshold, calendar.working_days_between(due, today) > i64::from(n));
    }

    /// Whatever the events, the handling stays consistent: the unit is never stored as the
    /// receiving agency itself, and a pending routing ends with a signature or a return.
    #[test]
    fn handling_follows_the_events(ops in prop::collection::vec(0u8..4, 0..30)) {
        let office = AgencyId::new(1);
        let dept = AgencyId::new(2);
        let mut handling = Handling::default();
        for op in ops {
            let event = match op {
                0 => CaseEvent::Assigned { unit_id: office, handler_id: Some(UserId::new(5)), previous_unit_id: handling.unit(office), previous_handler_id: handling.handler_id, reason: None },
                1 => CaseEvent::Routed { unit_id: dept, from_unit_id: handling.unit(office), note: None },
                2 => CaseEvent::RoutingAccepted { unit_id: dept, from_unit_id: handling.unit(office) },
                _ => CaseEvent::RoutingReturned { unit_id: dept, to_unit_id: handling.unit(office), reason: "r".into() },
            };
            let before = handling.clone();
            handling = apply(&handling, office, &event);
            prop_assert_ne!(handling.unit_id, Some(office));
            match op {
                1 => prop_assert_eq!(handling.routed_to, Some(dept)),
                2 => { prop_assert_eq!(handling.routed_to, None); prop_assert_eq!(handling.handler_id, None); prop_assert_eq!(handling.unit(office), dept); }
                3 => { prop_assert_eq!(handling.routed_to, None); prop_assert_eq!(handling.unit_id, before.unit_id); prop_assert_eq!(handling.handler_id, before.handler_id); }
                _ => {}
            }
        }
    }
}

#[test]
fn the_console_offers_what_the_rules_allow() {
    let w = world();
    let boss = person(1, Role::Supervisor, 1);
    let officer = person(2, Role::Officer, 1);
    let clerk = person(4, Role::Clerk, 1);
    let dept_officer = person(5, Role::Officer, 2);
    let v = view(&w, &w.office, None, None);
    assert_eq!(
        offered(&v, &caller(&boss, "/1/")),
        Offered { claim: false, assign: true, route: true, answer: false, chase: true }
    );
    assert_eq!(
        offered(&v, &caller(&officer, "/1/")),
        Offered { claim: true, assign: false, route: true, answer: false, chase: false }
    );
    assert_eq!(offered(&v, &caller(&clerk, "/1/")), Offered::default());
    let pending = view(&w, &w.office, Some(&officer), Some(&w.dept));
    assert_eq!(
        offered(&pending, &caller(&dept_officer, "/1/2/")),
        Offered { claim: false, assign: false, route: false, answer: true, chase: false }
    );
    // Each offer agrees with the rule it stands for.
    for p in [&boss, &officer, &clerk, &dept_officer] {
        let scope = if p.agency_id == Some(AgencyId::new(2)) { "/1/2/" } else { "/1/" };
        let c = caller(p, scope);
        for v in [&v, &pending] {
            let o = offered(v, &c);
            let claim = Assignment { unit: None, handler: Some(p), reason: None };
            assert_eq!(o.claim && p.role == Role::Officer, o.claim && assign(v, &c, &claim).is_ok());
            assert_eq!(o.route, route(v, &c, &w.other_dept, None).is_ok() || route(v, &c, &w.dept, None).is_ok());
            assert_eq!(o.answer, accept(v, &c).is_ok());
            let request = ChaseRequest { matter: "m", due_on: Some(day(10)), step: None };
            assert_eq!(o.chase, chase(v, &c, &request, day(5)).is_ok());
        }
    }
}
