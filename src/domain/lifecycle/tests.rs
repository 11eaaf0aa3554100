//! The lifecycle without a database: every state reached by a random history × every step × every
//! role, and the rules each step carries.

use chrono::{Days, NaiveDate, NaiveDateTime};
use proptest::prelude::*;

use super::*;
use crate::domain::calendar::Calendar;
use crate::domain::case::{Appeal, Case, Consultation, FeeNoticeRecord, Item, Particulars};
use crate::domain::clock::ClockRules;
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::fees::FeeBasis;
use crate::domain::ids::{AgencyId, AppealId, ApplicantId, CaseId, ConsultationId, FeeNoticeId, ItemId, UserId};
use crate::domain::seal::Seals;
use crate::domain::types::{
    AppealKind, AppealResult, ApplicantCategory, CaseStatus, Channel, Opinion, Outcome, PartyKind, Role,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn calendar() -> &'static Calendar {
    use std::sync::OnceLock;
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| Calendar::shipped().unwrap())
}

fn at(date: NaiveDate) -> NaiveDateTime {
    date.and_hms_opt(9, 0, 0).unwrap()
}

const ROLES: [Role; 5] = [Role::Clerk, Role::Officer, Role::Supervisor, Role::Admin, Role::Auditor];

/// A case received on `received_on`, with `items` items.
fn new_case(received_on: NaiveDate, items: usize) -> CaseState {
    let rules = ClockRules::default();
    let descriptions: Vec<String> = (1..=items).map(|i| format!("事项{i}")).collect();
    let received = RecordedEvent {
        seq: 1,
        effective_on: received_on,
        recorded_at: at(received_on),
        actor_id: Some(UserId::new(1)),
        event: CaseEvent::Received {
            channel: Channel::InPerson,
            submitted_on: None,
            received_on,
            applicant_id: ApplicantId::new(1),
            applicant_category: ApplicantCategory::NaturalPerson,
            case_number: "NS-2024-00001".into(),
            description: "申请公开".into(),
            items: descriptions.clone(),
            sealed_override: None,
        },
    };
    let p = project(std::slice::from_ref(&received), calendar(), &rules, received_on);
    CaseState {
        case: Case {
            id: CaseId::new(1),
            agency_id: AgencyId::new(1),
            case_number: "NS-2024-00001".into(),
            year: 2024,
            channel: Channel::InPerson,
            submitted_on: None,
            received_on,
            applicant_id: ApplicantId::new(1),
            applicant_category: ApplicantCategory::NaturalPerson,
            applicant: Particulars { name: "张三".into(), ..Particulars::default() },
            description: "申请公开".into(),
            status: p.status,
            outcome: None,
            concluded_on: None,
            decision_basis: None,
            due_on: p.due_on,
            paused: false,
            extended: false,
            version: 1,
            created_by: UserId::new(1),
            created_at: at(received_on),
            updated_at: at(received_on),
            lapses_on: None,
            handling: crate::domain::workflow::Handling::default(),
        },
        events: vec![received],
        items: descriptions
            .into_iter()
            .zip(1..)
            .map(|(description, n)| Item {
                id: ItemId::new(n),
                position: i32::try_from(n).unwrap(),
                description,
                outcome: None,
            })
            .collect(),
        consultations: Vec::new(),
        fee_notices: Vec::new(),
        appeals: Vec::new(),
    }
}

/// What the service stores for a transition, done in memory.
fn apply(state: &mut CaseState, t: Transition, who: Who, today: NaiveDate) {
    let rules = ClockRules::default();
    let Transition { effective_on, mut event, item_outcomes, clear_item_outcomes } = t;
    let case_id = state.case.id;
    match &mut event {
        CaseEvent::ConsultationStarted { consultation_id, party_kind, party, reply_due, .. } => {
            let id = ConsultationId::new(i64::try_from(state.consultations.len()).unwrap() + 1);
            *consultation_id = id;
            state.consultations.push(Consultation {
                id,
                case_id,
                party_kind: *party_kind,
                party: party.clone(),
                sent_on: effective_on,
                reply_due: *reply_due,
                replied_on: None,
                opinion: None,
            });
        }
        CaseEvent::ConsultationReplied { consultation_id, opinion, .. } => {
            let c = state.consultations.iter_mut().find(|c| c.id == *consultation_id).unwrap();
            c.replied_on = Some(effective_on);
            c.opinion = Some(*opinion);
        }
        CaseEvent::FeeNoticeIssued { basis, pages, nth_request, amount_fen, pay_by, .. } => {
            state.fee_notices.push(FeeNoticeRecord {
                id: FeeNoticeId::new(i64::try_from(state.fee_notices.len()).unwrap() + 1),
                case_id,
                issued_on: effective_on,
                basis: *basis,
                pages: *pages,
                nth_request: *nth_request,
                amount_fen: *amount_fen,
                pay_by: *pay_by,
                paid_on: None,
            });
        }
        CaseEvent::FeePaid { fee_notice_id: Some(id), .. } => {
            state.fee_notices.iter_mut().find(|f| f.id == *id).unwrap().paid_on = Some(effective_on);
        }
        CaseEvent::AppealFiled { appeal_id, kind, .. } => {
            let id = AppealId::new(i64::try_from(state.appeals.len()).unwrap() + 1);
            *appeal_id = Some(id);
            state.appeals.push(Appeal {
                id,
                case_id,
                agency_id: state.case.agency_id,
                kind: *kind,
                filed_on: effective_on,
                result: None,
                decided_on: None,
                created_by: UserId::new(1),
                created_at: at(effective_on),
            });
        }
        CaseEvent::AppealDecided { appeal_id: Some(id), result, .. } => {
            let a = state.appeals.iter_mut().find(|a| a.id == *id).unwrap();
            a.result = Some(*result);
            a.decided_on = Some(effective_on);
        }
        _ => {}
    }
    if let CaseEvent::IntakeCorrected { after, .. } = &event {
        state.case.received_on = after.received_on;
        state.case.description.clone_from(&after.description);
        state.case.agency_id = after.agency_id;
    }
    if clear_item_outcomes {
        state.items.iter_mut().for_each(|i| i.outcome = None);
    }
    for (item, outcome) in item_outcomes {
        state.items.iter_mut().find(|i| i.id == item).unwrap().outcome = Some(outcome);
    }
    let seq = i32::try_from(state.case.version + 1).unwrap();
    let revocation = matches!(event, CaseEvent::StepRevoked { .. });
    state.events.push(RecordedEvent { seq, effective_on, recorded_at: at(today), actor_id: who.user_id, event });
    if revocation {
        apply_revocations(state);
    }
    let p = project(&state.events, calendar(), &rules, today);
    let case = &mut state.case;
    case.status = p.status;
    case.outcome = p.outcome;
    case.concluded_on = p.concluded_on;
    case.decision_basis = p.decision_basis;
    case.due_on = p.due_on;
    case.paused = p.paused;
    case.extended = p.extended;
    case.lapses_on = p.lapses_on;
    case.version += 1;
}

fn ctx<'a>(today: NaiveDate, rules: &'a ClockRules, seals: &'a Seals) -> Ctx<'a> {
    Ctx { today, calendar: calendar(), rules, seals }
}

/// The most accepting input of a step: its latest admissible date and a value every rule takes.
fn canonical(state: &CaseState, kind: StepKind, ctx: &Ctx<'_>) -> Vec<Step> {
    let clock = state.clock(ctx);
    let today = ctx.today;
    let latest = |cap: Option<NaiveDate>| cap.map_or(today, |c| c.min(today));
    match kind {
        StepKind::CorrectionRequest => {
            let on = latest(Some(clock.correction_notice_deadline));
            vec![Step::RequestCorrection(CorrectionRequest {
                issued_on: on,
                respond_by: on + Days::new(15),
                matters: "请补充".into(),
            })]
        }
        StepKind::Correction => vec![Step::ReceiveCorrection { received_on: latest(clock.correction_respond_by) }],
        StepKind::Consultation => vec![Step::StartConsultation(NewConsultation {
            party_kind: PartyKind::ThirdParty,
            party: "某公司".into(),
            sent_on: today,
        })],
        StepKind::ConsultationReply => state
            .consultations
            .iter()
            .filter(|c| c.replied_on.is_none())
            .map(|c| Step::ReplyConsultation {
                consultation_id: c.id,
                replied_on: today,
                // Some parties object, so that decisions over an objection are walked too.
                opinion: if c.id.get() % 2 == 0 { Opinion::Objection } else { Opinion::Consent },
            })
            .collect(),
        StepKind::Extension => {
            let on = latest(clock.due_on);
            vec![Step::Extend(Extension {
                approved_on: on, notified_on: on, working_days: 10, reason: "复杂".into()
            })]
        }
        StepKind::FeeNotice => vec![Step::IssueFeeNotice(FeeNotice {
            issued_on: today,
            basis: FeeBasis::PerPage,
            pages: Some(100),
            nth_request: None,
            counted: Vec::new(),
        })],
        StepKind::FeePayment => vec![Step::PayFee { paid_on: latest(clock.fee_pay_by) }],
        StepKind::Decision => {
            let outcome = match clock.status {
                CaseStatus::AwaitingCorrection => Outcome::OtherCorrectionOverdue,
                CaseStatus::AwaitingFee => Outcome::OtherFeeUnpaid,
                _ => Outcome::Disclosed,
            };
            // A third party's objection needs the reason for disclosing nonetheless.
            let plain = Decision { decided_on: today, outcome: Some(outcome), ..Decision::default() };
            let over_objection = Decision { over_objection_reason: Some("公共利益".into()), ..plain.clone() };
            vec![Step::Decide(plain), Step::Decide(over_objection)]
        }
        StepKind::Withdrawal => vec![Step::Withdraw { withdrawn_on: today }],
        StepKind::Amendment => [Outcome::Disclosed, Outcome::UnavailableNotHeld, Outcome::UnavailableNeedsCreation]
            .into_iter()
            .filter(|o| state.case.outcome != Some(*o))
            .map(|outcome| {
                Step::Amend(Amendment {
                    outcome: Some(outcome),
                    concluded_on: None,
                    reason: "录入错误".into(),
                    basis: None,
                })
            })
            .collect(),
        StepKind::ReasonsRequest => vec![Step::RequestReasons(ReasonsRequest {
            requested_on: today,
            respond_by: today + Days::new(10),
            grounds: "一个月内申请四十件".into(),
        })],
        StepKind::ReasonsReply => vec![Step::ReceiveReasons { received_on: today, reasons: "研究需要".into() }],
        StepKind::Appeal => {
            let Some(from) = state.case.concluded_on else { return Vec::new() };
            // Any day from the decision to today, newest first: a second appeal of a kind needs
            // another filing date.
            (0..=(today - from).num_days().min(40))
                .filter_map(|back| today.checked_sub_days(Days::new(u64::try_from(back).ok()?)))
                .map(|filed_on| Step::FileAppeal { kind: AppealKind::Reconsideration, filed_on })
                .collect()
        }
        StepKind::AppealResult => state
            .appeals
            .iter()
            .filter(|a| a.result.is_none())
            .map(|a| Step::DecideAppeal { appeal_id: a.id, result: AppealResult::Upheld, decided_on: today })
            .collect(),
        StepKind::Void => vec![Step::Void { reason: "重复登记".into() }],
        StepKind::IntakeCorrection => vec![Step::CorrectIntake(IntakeCorrection {
            description: Some(format!("{}（更正）", state.case.description)),
            reason: "录入错误".into(),
            ..IntakeCorrection::default()
        })],
        StepKind::Revocation => {
            revocable_steps(state).into_iter().map(|seq| Step::Revoke { seq, reason: "误录".into() }).collect()
        }
    }
}

/// The step with its own date set to `date`; `None` for a step whose date is not its form's
/// (an appeal's result, which names its appeal; the undated corrections) or that a date inside
/// the window may still not take (an appeal: one of a kind per filing day).
fn dated(step: Step, date: NaiveDate) -> Option<Step> {
    Some(match step {
        Step::RequestCorrection(r) => {
            Step::RequestCorrection(CorrectionRequest { issued_on: date, respond_by: date + Days::new(15), ..r })
        }
        Step::ReceiveCorrection { .. } => Step::ReceiveCorrection { received_on: date },
        Step::StartConsultation(c) => Step::StartConsultation(NewConsultation { sent_on: date, ..c }),
        Step::ReplyConsultation { consultation_id, opinion, .. } => {
            Step::ReplyConsultation { consultation_id, replied_on: date, opinion }
        }
        Step::Extend(x) => Step::Extend(Extension { approved_on: date, notified_on: date, ..x }),
        Step::IssueFeeNotice(f) => Step::IssueFeeNotice(FeeNotice { issued_on: date, ..f }),
        Step::PayFee { .. } => Step::PayFee { paid_on: date },
        Step::Decide(x) => Step::Decide(Decision { decided_on: date, ..x }),
        Step::Withdraw { .. } => Step::Withdraw { withdrawn_on: date },
        _ => return None,
    })
}

fn accepted(state: &CaseState, role: Role, kind: StepKind, ctx: &Ctx<'_>) -> Option<Transition> {
    let who = Who { user_id: Some(UserId::new(7)), role };
    canonical(state, kind, ctx).into_iter().find_map(|step| decide(state, who, &step, None, ctx).ok())
}

#[test]
fn a_new_case_offers_the_steps_of_a_running_clock_by_role() {
    let (rules, seals) = (ClockRules::default(), Seals::none());
    let state = new_case(d("2024-03-04"), 0);
    let c = ctx(d("2024-03-06"), &rules, &seals);
    use StepKind::*;
    let who = |role| Who { user_id: Some(UserId::new(9)), role };
    assert_eq!(allowed_steps(&state, who(Role::Clerk), &c), Vec::<StepKind>::new());
    assert_eq!(
        allowed_steps(&state, who(Role::Officer), &c),
        vec![CorrectionRequest, Consultation, FeeNotice, ReasonsRequest, Decision, Withdrawal]
    );
    assert_eq!(
        allowed_steps(&state, who(Role::Supervisor), &c),
        vec![
            CorrectionRequest,
            Consultation,
            Extension,
            FeeNotice,
            ReasonsRequest,
            Decision,
            Withdrawal,
            Void,
            IntakeCorrection
        ]
    );
    assert_eq!(allowed_steps(&state, who(Role::Auditor), &c), Vec::<StepKind>::new());
    // The officer who registered it may void or correct it on the day of registration.
    let registrar = Who { user_id: Some(UserId::new(1)), role: Role::Officer };
    let on_the_day = ctx(d("2024-03-04"), &rules, &seals);
    let steps = allowed_steps(&state, registrar, &on_the_day);
    assert!(steps.contains(&Void) && steps.contains(&IntakeCorrection), "{steps:?}");
    assert!(!allowed_steps(&state, registrar, &c).contains(&Void), "not on a later day");
}

#[test]
fn a_correction_notice_dated_after_the_seventh_working_day_is_refused() {
    let (rules, seals) = (ClockRules::default(), Seals::none());
    let state = new_case(d("2024-03-04"), 0);
    // Seven working days after Monday 4 March 2024 is Wednesday 13 March: on the 14th a notice
    // issued on the 13th may still be recorded, one dated the 14th may not.
    let late = ctx(d("2024-03-14"), &rules, &seals);
    let officer = Who { user_id: Some(UserId::new(2)), role: Role::Officer };
    assert!(allowed_steps(&state, officer, &late).contains(&StepKind::CorrectionRequest));
    let officer = Who { user_id: Some(UserId::new(2)), role: Role::Officer };
    let step = Step::RequestCorrection(CorrectionRequest {
        issued_on: d("2024-03-14"),
        respond_by: d("2024-03-29"),
        matters: "x".into(),
    });
    let refusal = decide(&state, officer, &step, None, &late).unwrap_err();
    assert_eq!(refusal.code(), "correction_notice_too_late");
}

#[test]
fn a_step_dated_in_a_sealed_year_needs_a_supervisor_and_a_reason() {
    let rules = ClockRules::default();
    let seals = Seals::of(vec![2024]);
    let state = new_case(d("2024-12-20"), 0);
    let c = ctx(d("2025-02-10"), &rules, &seals);
    let step = Step::RequestCorrection(CorrectionRequest {
        issued_on: d("2024-12-24"),
        respond_by: d("2025-01-10"),
        matters: "x".into(),
    });
    let officer = Who { user_id: Some(UserId::new(2)), role: Role::Officer };
    assert_eq!(decide(&state, officer, &step, Some("补录"), &c).unwrap_err().code(), "year_sealed");
    let supervisor = Who { user_id: Some(UserId::new(3)), role: Role::Supervisor };
    assert_eq!(decide(&state, supervisor, &step, None, &c).unwrap_err().code(), "year_sealed");
    let t = decide(&state, supervisor, &step, Some("补录漏登的补正告知"), &c).unwrap();
    let over = t.event.sealed_override().unwrap();
    assert_eq!(over.years, vec![2024]);
}

#[test]
fn the_sweep_does_not_conclude_into_a_sealed_year() {
    let rules = ClockRules::default();
    let mut state = new_case(d("2024-12-02"), 0);
    let officer = Who { user_id: Some(UserId::new(2)), role: Role::Officer };
    let none = Seals::none();
    let step = Step::RequestCorrection(CorrectionRequest {
        issued_on: d("2024-12-03"),
        respond_by: d("2024-12-13"),
        matters: "x".into(),
    });
    let t = decide(&state, officer, &step, None, &ctx(d("2024-12-03"), &rules, &none)).unwrap();
    apply(&mut state, t, officer, d("2024-12-03"));
    let system = Who { user_id: None, role: Role::Admin };
    let sealed = Seals::of(vec![2024]);
    let refusal = decide(&state, system, &Step::ConcludeLapsed, None, &ctx(d("2025-02-01"), &rules, &sealed));
    assert_eq!(refusal.unwrap_err().code(), "year_sealed");
    let t = decide(&state, system, &Step::ConcludeLapsed, None, &ctx(d("2025-02-01"), &rules, &none)).unwrap();
    assert_eq!(t.effective_on, d("2024-12-14"));
}

#[test]
fn a_direct_suit_against_a_refusal_is_refused_from_2024() {
    let (rules, seals) = (ClockRules::default(), Seals::none());
    let officer = Who { user_id: Some(UserId::new(2)), role: Role::Officer };
    let mut state = new_case(d("2023-12-01"), 0);
    let decision = Step::Decide(Decision {
        decided_on: d("2023-12-15"),
        outcome: Some(Outcome::WithheldProcessInformation),
        basis: Some("过程性信息".into()),
        ..Decision::default()
    });
    let c = ctx(d("2023-12-15"), &rules, &seals);
    let t = decide(&state, officer, &decision, None, &c).unwrap();
    apply(&mut state, t, officer, d("2023-12-15"));
    let before = Step::FileAppeal { kind: AppealKind::LitigationDirect, filed_on: d("2023-12-29") };
    assert!(decide(&state, officer, &before, None, &ctx(d("2023-12-29"), &rules, &seals)).is_ok());
    let after = Step::FileAppeal { kind: AppealKind::LitigationDirect, filed_on: d("2024-01-02") };
    let refusal = decide(&state, officer, &after, None, &ctx(d("2024-01-02"), &rules, &seals)).unwrap_err();
    assert_eq!(refusal.code(), "reconsideration_required");
}

#[test]
fn the_same_appeal_filed_twice_is_a_conflict() {
    let (rules, seals) = (ClockRules::default(), Seals::none());
    let officer = Who { user_id: Some(UserId::new(2)), role: Role::Officer };
    let mut state = new_case(d("2024-03-04"), 0);
    let c = ctx(d("2024-03-20"), &rules, &seals);
    let decision = Step::Decide(Decision {
        decided_on: d("2024-03-20"),
        outcome: Some(Outcome::Disclosed),
        ..Decision::default()
    });
    let t = decide(&state, officer, &decision, None, &c).unwrap();
    apply(&mut state, t, officer, d("2024-03-20"));
    let c = ctx(d("2024-04-01"), &rules, &seals);
    let appeal = Step::FileAppeal { kind: AppealKind::Reconsideration, filed_on: d("2024-04-01") };
    let t = decide(&state, officer, &appeal, None, &c).unwrap();
    apply(&mut state, t, officer, d("2024-04-01"));
    assert_eq!(decide(&state, officer, &appeal, None, &c).unwrap_err().code(), "appeal_duplicate");
}

#[test]
fn an_amendment_moves_the_conclusion_the_clock_and_the_projection_see() {
    let (rules, seals) = (ClockRules::default(), Seals::none());
    let officer = Who { user_id: Some(UserId::new(2)), role: Role::Officer };
    let supervisor = Who { user_id: Some(UserId::new(3)), role: Role::Supervisor };
    let mut state = new_case(d("2024-03-04"), 0);
    let decision = Step::Decide(Decision {
        decided_on: d("2024-03-20"),
        outcome: Some(Outcome::Disclosed),
        ..Decision::default()
    });
    let t = decide(&state, officer, &decision, None, &ctx(d("2024-03-20"), &rules, &seals)).unwrap();
    apply(&mut state, t, officer, d("2024-03-20"));
    let amendment = Step::Amend(Amendment {
        outcome: None,
        concluded_on: Some(d("2024-03-18")),
        reason: "日期录错".into(),
        basis: None,
    });
    let c = ctx(d("2024-05-06"), &rules, &seals);
    let t = decide(&state, supervisor, &amendment, None, &c).unwrap();
    apply(&mut state, t, supervisor, d("2024-05-06"));
    assert_eq!(state.case.concluded_on, Some(d("2024-03-18")));
    assert_eq!(state.clock(&c).concluded_on, Some(d("2024-03-18")));
}

fn any_step() -> impl Strategy<Value = (usize, u8)> {
    (0..StepKind::ALL.len(), 0u8..5)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every state reached by a random history, every step and every role: a step is offered
    /// exactly when some input of it is accepted, and an accepted step keeps the projection
    /// consistent with the events.
    #[test]
    fn allowed_steps_are_exactly_the_steps_decide_accepts(
        received_offset in 0u64..900,
        items in 0usize..3,
        history in prop::collection::vec((any_step(), 0u64..12), 0..10),
    ) {
        let rules = ClockRules::default();
        let seals = Seals::none();
        let received = d("2022-01-03") + Days::new(received_offset);
        let mut state = new_case(received, items);
        let mut today = received;
        for ((kind_index, role_index), advance) in history {
            today = today + Days::new(advance);
            let c = ctx(today, &rules, &seals);
            for &role in &ROLES {
                let offered = allowed_steps(&state, Who { user_id: Some(UserId::new(7)), role }, &c);
                for &kind in StepKind::ALL {
                    let taken = accepted(&state, role, kind, &c);
                    prop_assert_eq!(
                        offered.contains(&kind),
                        taken.is_some(),
                        "{:?} as {:?} on {} in {:?}", kind, role, today, state.clock(&c).status
                    );
                }
            }
            // Walk on with one of the offered steps.
            let role = ROLES[usize::from(role_index)];
            let kind = StepKind::ALL[kind_index];
            if let Some(t) = accepted(&state, role, kind, &c) {
                let who = Who { user_id: Some(UserId::new(7)), role };
                apply(&mut state, t, who, today);
                let clock = state.clock(&c);
                prop_assert_eq!(state.case.status, clock.status);
                prop_assert_eq!(state.case.due_on, clock.due_on);
                prop_assert_eq!(state.case.status == CaseStatus::Concluded, state.case.outcome.is_some());
            }
        }
    }

    /// The dates a step is offered with are dates it is accepted on: a form that starts from the
    /// latest (its default) or is set to the earliest is taken.
    #[test]
    fn an_offered_step_is_accepted_on_its_earliest_and_latest_dates(
        received_offset in 0u64..900,
        history in prop::collection::vec((any_step(), 0u64..12), 0..8),
    ) {
        let (rules, seals) = (ClockRules::default(), Seals::none());
        let received = d("2022-01-03") + Days::new(received_offset);
        let mut state = new_case(received, 0);
        let mut today = received;
        for ((kind_index, role_index), advance) in history {
            today = today + Days::new(advance);
            let c = ctx(today, &rules, &seals);
            for &role in &ROLES {
                let who = Who { user_id: Some(UserId::new(7)), role };
                for offer in offered_steps(&state, who, &c) {
                    prop_assert!(offer.earliest <= offer.latest && offer.latest <= today, "{:?}", offer);
                    for date in [offer.earliest, offer.latest] {
                        // The canonical inputs of a step cover its variants (a decision with or
                        // without an objection on record): one of them, so dated, is taken.
                        let steps: Vec<Step> =
                            canonical(&state, offer.kind, &c).into_iter().filter_map(|s| dated(s, date)).collect();
                        let refusals: Vec<Refusal> =
                            steps.iter().filter_map(|step| decide(&state, who, step, None, &c).err()).collect();
                        prop_assert!(
                            steps.is_empty() || refusals.len() < steps.len(),
                            "{:?} on {} as {:?}: {:?}", offer.kind, date, role, refusals
                        );
                    }
                }
            }
            let role = ROLES[usize::from(role_index)];
            if let Some(t) = accepted(&state, role, StepKind::ALL[kind_index], &c) {
                apply(&mut state, t, Who { user_id: Some(UserId::new(7)), role }, today);
            }
        }
    }

    /// A step that is not offered is refused whatever date it carries.
    #[test]
    fn a_step_not_offered_is_refused_on_every_date(
        received_offset in 0u64..400,
        today_offset in 0u64..60,
        kind_index in 0..StepKind::ALL.len(),
        role_index in 0usize..5,
        shift in -20i64..5,
    ) {
        let (rules, seals) = (ClockRules::default(), Seals::none());
        let received = d("2023-01-02") + Days::new(received_offset);
        let state = new_case(received, 0);
        let today = received + Days::new(today_offset);
        let c = ctx(today, &rules, &seals);
        let (kind, role) = (StepKind::ALL[kind_index], ROLES[role_index]);
        if !allowed_steps(&state, Who { user_id: Some(UserId::new(7)), role }, &c).contains(&kind) {
            let who = Who { user_id: Some(UserId::new(7)), role };
            let date = today.checked_add_signed(chrono::TimeDelta::days(shift)).unwrap();
            let shifted: Vec<Step> = canonical(&state, kind, &c)
                .into_iter()
                .map(|step| match step {
                    Step::RequestCorrection(r) => Step::RequestCorrection(CorrectionRequest { issued_on: date, ..r }),
                    Step::Decide(x) => Step::Decide(Decision { decided_on: date, ..x }),
                    Step::Withdraw { .. } => Step::Withdraw { withdrawn_on: date },
                    other => other,
                })
                .collect();
            for step in shifted {
                prop_assert!(decide(&state, who, &step, None, &c).is_err());
            }
        }
    }
}

#[test]
fn step_keys_are_their_json_names_and_parse_back() {
    for &kind in StepKind::ALL {
        assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(kind.as_str()));
        assert_eq!(StepKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(StepKind::parse("launch"), None);
}
