//! Each step's rules: who may take it, in which state, and what its input must satisfy. Every
//! dated step passes the one seal guard ([`seal::guard`]).

use chrono::NaiveDate;

use super::{concluded, corrections, decision, reasons};
use super::{
    CaseState, CorrectionRequest, Ctx, Extension, FeeNotice, NewConsultation, Refusal, Step, StepKind, Transition, Who,
};
use crate::domain::clock::Clock;
use crate::domain::cn_date;
use crate::domain::error::Violation;
use crate::domain::event::CaseEvent;
use crate::domain::fees::{self, FeeBasis};
use crate::domain::ids::ConsultationId;
use crate::domain::intake::check_step_date;
use crate::domain::seal;
use crate::domain::types::{AppealKind, CaseStatus, Opinion, Role};

/// Whether `role` may take steps of `kind` at all.
pub fn role_allows(role: Role, kind: StepKind) -> bool {
    match kind {
        StepKind::Correction | StepKind::FeePayment | StepKind::ReasonsReply => role.can_register(),
        StepKind::Extension | StepKind::Amendment | StepKind::Revocation => role.can_supervise(),
        // An officer only for a registration of their own on the day they made it (see
        // `corrections::own_registration_today`).
        StepKind::Void | StepKind::IntakeCorrection => role.can_handle(),
        StepKind::CorrectionRequest
        | StepKind::Consultation
        | StepKind::ConsultationReply
        | StepKind::FeeNotice
        | StepKind::ReasonsRequest
        | StepKind::Decision
        | StepKind::Withdrawal
        | StepKind::Appeal
        | StepKind::AppealResult => role.can_handle(),
    }
}

/// The refusal of a step to a role that may not take it.
pub fn forbidden(role: Role, kind: StepKind) -> Refusal {
    Refusal::Forbidden(format!("“{}”角色不能办理“{}”", role.label(), kind.label()))
}

fn invalid_state(kind: StepKind, allowed: &[CaseStatus], status: CaseStatus) -> Refusal {
    let allowed: Vec<&str> = allowed.iter().map(|s| s.label()).collect();
    Refusal::conflict(
        "invalid_state",
        format!("案件处于“{}”状态时才能办理“{}”，当前为“{}”", allowed.join("”或“"), kind.label(), status.label()),
    )
}

fn require_status(kind: StepKind, allowed: &[CaseStatus], status: CaseStatus) -> Result<(), Refusal> {
    if allowed.contains(&status) {
        Ok(())
    } else {
        Err(invalid_state(kind, allowed, status))
    }
}

pub(super) fn not_concluded() -> Refusal {
    Refusal::conflict("case_not_concluded", "案件尚未办结")
}

/// The checks of a step that do not depend on its input: the role, whether the case is open or
/// concluded, and the state the step needs. `decide` runs them first, in this order, so the
/// refusal of an impossible step is the same whatever its input.
pub(super) fn precondition(
    state: &CaseState,
    clock: &Clock,
    who: Who,
    kind: StepKind,
    ctx: &Ctx<'_>,
) -> Result<(), Refusal> {
    let role = who.role;
    if !role_allows(role, kind) {
        return Err(forbidden(role, kind));
    }
    let status = clock.status;
    if status == CaseStatus::Voided && kind != StepKind::Revocation {
        return Err(Refusal::conflict("case_voided", "案件登记已作废，不能再办理（负责人可撤销作废）"));
    }
    let concluded = status == CaseStatus::Concluded;
    match kind {
        StepKind::Void | StepKind::IntakeCorrection => {
            return corrections::own_registration_today(state, who, kind, ctx);
        }
        StepKind::Revocation => return Ok(()),
        StepKind::Amendment | StepKind::Appeal | StepKind::AppealResult => {
            return if concluded { Ok(()) } else { Err(not_concluded()) };
        }
        _ if concluded => {
            let on = state.case.concluded_on.or(clock.concluded_on).map(cn_date).unwrap_or_default();
            return Err(Refusal::conflict("case_concluded", format!("案件已于{on}办结")));
        }
        _ => {}
    }
    match kind {
        StepKind::CorrectionRequest => {
            if clock.correction_requested_on.is_some() {
                return Err(Violation::field(
                    "correction_already_requested",
                    "issued_on",
                    "补正告知只能发出一次（条例第三十条：一次性告知）",
                )
                .into());
            }
            require_status(kind, &[CaseStatus::Received], status)
        }
        StepKind::Correction => require_status(kind, &[CaseStatus::AwaitingCorrection], status),
        StepKind::Consultation => require_status(kind, &[CaseStatus::Received, CaseStatus::InConsultation], status),
        StepKind::Extension => {
            if clock.extended {
                return Err(Violation::field(
                    "extension_already_granted",
                    "approved_on",
                    "答复期限只能延长一次（条例第三十三条第二款）",
                )
                .into());
            }
            require_status(kind, &[CaseStatus::Received], status)
        }
        StepKind::FeeNotice => {
            if clock.fee_notice_on.is_some() {
                return Err(Violation::field("fee_already_issued", "issued_on", "一件申请只能发出一次收费通知").into());
            }
            require_status(kind, &[CaseStatus::Received, CaseStatus::InConsultation], status)
        }
        StepKind::FeePayment => require_status(kind, &[CaseStatus::AwaitingFee], status),
        StepKind::ReasonsRequest => {
            if reasons::requested(state).is_some() {
                return Err(Violation::field(
                    "reasons_already_requested",
                    "requested_on",
                    "本案已要求申请人说明理由（条例第三十五条）",
                )
                .into());
            }
            require_status(kind, &[CaseStatus::Received, CaseStatus::InConsultation], status)
        }
        StepKind::ReasonsReply => match reasons::requested(state) {
            Some(r) if r.given_on.is_none() => Ok(()),
            Some(_) => Err(Refusal::conflict("reasons_given", "申请人说明的理由已经登记")),
            None => Err(Refusal::conflict("reasons_not_requested", "本案没有要求申请人说明理由")),
        },
        StepKind::ConsultationReply
        | StepKind::Decision
        | StepKind::Withdrawal
        | StepKind::Amendment
        | StepKind::Appeal
        | StepKind::AppealResult
        | StepKind::Void
        | StepKind::IntakeCorrection
        | StepKind::Revocation => Ok(()),
    }
}

/// The dates a step of `kind` may carry, when the precondition holds: `None` when no date would
/// be accepted.
fn window(state: &CaseState, clock: &Clock, kind: StepKind, ctx: &Ctx<'_>) -> Option<(NaiveDate, NaiveDate)> {
    let last = state.last_step_on();
    let today = ctx.today;
    let (from, to) = match kind {
        StepKind::CorrectionRequest => (last, today.min(clock.correction_notice_deadline)),
        StepKind::Correction => (last, today.min(clock.correction_respond_by?)),
        StepKind::Consultation
        | StepKind::Withdrawal
        | StepKind::FeeNotice
        | StepKind::ReasonsRequest
        | StepKind::ReasonsReply => (last, today),
        StepKind::ConsultationReply => {
            state.consultations.iter().find(|c| c.replied_on.is_none())?;
            (last, today)
        }
        StepKind::Extension => (last, today.min(clock.due_on?)),
        StepKind::FeePayment => (last, today.min(clock.fee_pay_by?)),
        StepKind::Decision => match clock.status {
            CaseStatus::Received => (last, today),
            CaseStatus::AwaitingCorrection => (last.max(clock.correction_lapses_on?), today),
            CaseStatus::AwaitingFee => (last.max(clock.fee_lapses_on?), today),
            _ => return None,
        },
        StepKind::Amendment => (state.case.concluded_on?, today),
        StepKind::Appeal => {
            let from = state.case.concluded_on?;
            // A reconsideration is always admissible, once per filing day.
            let days = usize::try_from((today - from).num_days() + 1).unwrap_or(0);
            let filed = state.appeals.iter().filter(|a| a.kind == AppealKind::Reconsideration).count();
            (filed < days).then_some(())?;
            (from, today)
        }
        StepKind::AppealResult => {
            let filed = state.appeals.iter().filter(|a| a.result.is_none()).map(|a| a.filed_on).min()?;
            (filed, today)
        }
        StepKind::Void | StepKind::IntakeCorrection => (today, today),
        StepKind::Revocation => (corrections::revocable(state).next()?.effective_on, today),
    };
    (from <= to).then_some((from, to))
}

/// The dates the step may carry when it is offered now: its precondition holds and some date
/// would be accepted, by this role given the seals. `None`: not offered.
pub(super) fn offered_window(
    state: &CaseState,
    clock: &Clock,
    who: Who,
    kind: StepKind,
    ctx: &Ctx<'_>,
) -> Option<(NaiveDate, NaiveDate)> {
    precondition(state, clock, who, kind, ctx).ok()?;
    let guard_from = match kind {
        // These change the figures from the receipt on.
        StepKind::Void | StepKind::IntakeCorrection => Some(state.case.received_on),
        _ => None,
    };
    let (earliest, latest) = window(state, clock, kind, ctx)?;
    // The latest date touches the fewest sealed years.
    (who.role.can_supervise() || ctx.seals.touched_since(guard_from.unwrap_or(latest)).is_empty())
        .then_some((earliest, latest))
}

/// Check a step's date: not before the receipt or the previous step, not in the future.
pub(super) fn check_date(state: &CaseState, field: &str, date: NaiveDate, ctx: &Ctx<'_>) -> Result<(), Refusal> {
    check_step_date(field, date, state.case.received_on, ctx.today)?;
    let last = state.last_step_on();
    if date < last {
        return Err(Violation::field(
            "date_before_previous_step",
            field,
            format!("不得早于本案上一个办理步骤的日期{}", cn_date(last)),
        )
        .into());
    }
    Ok(())
}

pub(super) fn plain(effective_on: NaiveDate, event: CaseEvent) -> Transition {
    Transition { effective_on, event, item_outcomes: Vec::new(), clear_item_outcomes: false }
}

/// See [`super::decide`].
pub(super) fn decide(
    state: &CaseState,
    who: Who,
    step: &Step,
    reason: Option<&str>,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    let clock = state.clock(ctx);
    match step.kind() {
        Some(kind) => precondition(state, &clock, who, kind, ctx)?,
        None if clock.status == CaseStatus::Concluded => {
            return Err(Refusal::conflict("case_concluded", "案件已办结"));
        }
        None => {}
    }
    let (mut transition, guard_from, reason) = match step {
        Step::RequestCorrection(request) => (request_correction(state, &clock, request, ctx)?, None, reason),
        Step::ReceiveCorrection { received_on } => {
            (receive_correction(state, &clock, *received_on, ctx)?, None, reason)
        }
        Step::StartConsultation(consultation) => (start_consultation(state, consultation, ctx)?, None, reason),
        Step::ReplyConsultation { consultation_id, replied_on, opinion } => {
            (reply_consultation(state, *consultation_id, *replied_on, *opinion, ctx)?, None, reason)
        }
        Step::Extend(extension) => (extend(state, &clock, extension, ctx)?, None, reason),
        Step::IssueFeeNotice(notice) => (issue_fee_notice(state, notice, ctx)?, None, reason),
        Step::PayFee { paid_on } => (pay_fee(state, &clock, *paid_on, ctx)?, None, reason),
        Step::RequestReasons(request) => (reasons::request(state, request, ctx)?, None, reason),
        Step::ReceiveReasons { received_on, reasons: given } => {
            (reasons::receive(state, *received_on, given, ctx)?, None, reason)
        }
        Step::Decide(decision) => (decision::decide_case(state, &clock, decision, ctx)?, None, reason),
        Step::Withdraw { withdrawn_on } => (decision::withdraw(state, *withdrawn_on, ctx)?, None, reason),
        Step::Amend(amendment) => {
            let (transition, from) = concluded::amend(state, amendment, ctx)?;
            // The amendment's own reason is the reason for overriding the seal.
            (transition, Some(from), Some(amendment.reason.as_str()))
        }
        Step::FileAppeal { kind, filed_on } => (concluded::file_appeal(state, *kind, *filed_on, ctx)?, None, reason),
        Step::DecideAppeal { appeal_id, result, decided_on } => {
            (concluded::decide_appeal(state, *appeal_id, *result, *decided_on, ctx)?, None, reason)
        }
        Step::ConcludeLapsed => (decision::conclude_lapsed(state, &clock, ctx)?, None, None),
        Step::Void { reason: why } => {
            let t = plain(ctx.today, CaseEvent::Voided { reason: why.clone(), sealed_override: None });
            (t, Some(state.case.received_on), reason)
        }
        Step::CorrectIntake(correction) => {
            let (t, from) = corrections::correct_intake(state, correction, ctx)?;
            (t, Some(from), reason)
        }
        Step::Revoke { seq, reason: why } => {
            let (t, from) = corrections::revoke(state, *seq, why, ctx)?;
            (t, Some(from), reason)
        }
        Step::RecordService { letter_id, kind, consultation_id, issued_on, served_on } => {
            if !who.role.can_register() {
                return Err(Refusal::Forbidden(format!("“{}”角色不能登记送达", who.role.label())));
            }
            let t = corrections::record_service(*letter_id, *kind, *consultation_id, *issued_on, *served_on, ctx)?;
            (t, None, reason)
        }
    };
    let from = guard_from.unwrap_or(transition.effective_on);
    let sealed_override = seal::guard(ctx.seals, from, who.role, reason)?;
    transition.event.set_sealed_override(sealed_override);
    Ok(transition)
}

fn request_correction(
    state: &CaseState,
    clock: &Clock,
    request: &CorrectionRequest,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    check_date(state, "issued_on", request.issued_on, ctx)?;
    let deadline = clock.correction_notice_deadline;
    if request.issued_on > deadline {
        return Err(Violation::field(
            "correction_notice_too_late",
            "issued_on",
            format!(
                "补正告知应当自收到申请之日起{}个工作日内发出，即不晚于{}（条例第三十条）",
                ctx.rules.correction_notice_limit,
                cn_date(deadline)
            ),
        )
        .into());
    }
    if request.respond_by <= request.issued_on {
        return Err(Violation::field("validation_failed", "respond_by", "补正期限应当晚于补正告知的日期").into());
    }
    Ok(plain(
        request.issued_on,
        CaseEvent::CorrectionRequested {
            respond_by: request.respond_by,
            matters: request.matters.clone(),
            sealed_override: None,
        },
    ))
}

fn receive_correction(
    state: &CaseState,
    clock: &Clock,
    received_on: NaiveDate,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    check_date(state, "received_on", received_on, ctx)?;
    if let Some(respond_by) = clock.correction_respond_by.filter(|by| received_on > *by) {
        return Err(Violation::field(
            "correction_lapsed",
            "received_on",
            format!(
                "补正期限已于{}届满，申请人逾期未补正，视为放弃申请（办结结果应为 other_correction_overdue）",
                cn_date(respond_by)
            ),
        )
        .into());
    }
    Ok(plain(received_on, CaseEvent::CorrectionReceived { received_on, sealed_override: None }))
}

fn start_consultation(state: &CaseState, consultation: &NewConsultation, ctx: &Ctx<'_>) -> Result<Transition, Refusal> {
    check_date(state, "sent_on", consultation.sent_on, ctx)?;
    let reply_due = ctx.calendar.add_working_days(consultation.sent_on, ctx.rules.consultation_reply_limit);
    Ok(plain(
        consultation.sent_on,
        CaseEvent::ConsultationStarted {
            consultation_id: ConsultationId::new(0),
            party_kind: consultation.party_kind,
            party: consultation.party.clone(),
            reply_due,
            sealed_override: None,
        },
    ))
}

fn reply_consultation(
    state: &CaseState,
    consultation_id: ConsultationId,
    replied_on: NaiveDate,
    opinion: Opinion,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    let consultation = state
        .consultations
        .iter()
        .find(|c| c.id == consultation_id)
        .ok_or(Refusal::NotFound { what: "consultation", code: "consultation_not_found" })?;
    if consultation.replied_on.is_some() {
        return Err(Refusal::conflict("consultation_replied", "该征求意见已登记答复"));
    }
    check_date(state, "replied_on", replied_on, ctx)?;
    Ok(plain(replied_on, CaseEvent::ConsultationReplied { consultation_id, opinion, sealed_override: None }))
}

fn extend(state: &CaseState, clock: &Clock, extension: &Extension, ctx: &Ctx<'_>) -> Result<Transition, Refusal> {
    let max = ctx.rules.max_extension;
    if extension.working_days == 0 || extension.working_days > max {
        return Err(Violation::field(
            "extension_too_long",
            "working_days",
            format!("延长期限为1至{max}个工作日（条例第三十三条第二款）"),
        )
        .into());
    }
    check_date(state, "approved_on", extension.approved_on, ctx)?;
    if extension.notified_on < extension.approved_on {
        return Err(Violation::field("validation_failed", "notified_on", "告知日期不得早于批准日期").into());
    }
    check_step_date("notified_on", extension.notified_on, state.case.received_on, ctx.today)?;
    let due = clock.due_on.ok_or_else(|| Refusal::conflict("clock_not_running", "案件当前没有进行中的答复期限"))?;
    for (field, date) in [("approved_on", extension.approved_on), ("notified_on", extension.notified_on)] {
        if date > due {
            return Err(Violation::field(
                "extension_too_late",
                field,
                format!("延期应当在答复期限{}届满前经批准并告知申请人（条例第三十三条第二款）", cn_date(due)),
            )
            .into());
        }
    }
    Ok(plain(
        extension.approved_on,
        CaseEvent::Extended {
            approved_on: extension.approved_on,
            notified_on: extension.notified_on,
            working_days: extension.working_days,
            reason: extension.reason.clone(),
            previous_due_on: due,
            sealed_override: None,
        },
    ))
}

fn issue_fee_notice(state: &CaseState, notice: &FeeNotice, ctx: &Ctx<'_>) -> Result<Transition, Refusal> {
    check_date(state, "issued_on", notice.issued_on, ctx)?;
    let quote = match notice.basis {
        FeeBasis::PerRequest => fees::per_request(notice.nth_request.unwrap_or(1)),
        FeeBasis::PerPage => {
            let pages =
                notice.pages.ok_or_else(|| Violation::field("validation_failed", "pages", "按量计收时必须填写页数"))?;
            fees::per_page(pages)
        }
    };
    if quote.amount_fen == 0 {
        return Err(
            Violation::field("no_fee_due", "basis", format!("按收费标准无需收费：{}", quote.explanation)).into()
        );
    }
    let pay_by = ctx.calendar.add_working_days(notice.issued_on, ctx.rules.fee_payment_limit);
    Ok(plain(
        notice.issued_on,
        CaseEvent::FeeNoticeIssued {
            fee_notice_id: None,
            basis: notice.basis,
            pages: notice.pages,
            nth_request: match notice.basis {
                FeeBasis::PerRequest => notice.nth_request,
                FeeBasis::PerPage => None,
            },
            amount_fen: quote.amount_fen,
            explanation: quote.explanation,
            pay_by,
            counted: match notice.basis {
                FeeBasis::PerRequest => notice.counted.clone(),
                FeeBasis::PerPage => Vec::new(),
            },
            sealed_override: None,
        },
    ))
}

fn pay_fee(state: &CaseState, clock: &Clock, paid_on: NaiveDate, ctx: &Ctx<'_>) -> Result<Transition, Refusal> {
    check_date(state, "paid_on", paid_on, ctx)?;
    let notice = state.fee_notices.iter().rev().find(|f| f.paid_on.is_none());
    // The clock's last day counts from the notice's delivery when recorded (the stored one from
    // its date): a payment the law still allows is never refused.
    let pay_by = clock.fee_pay_by.or(notice.map(|n| n.pay_by));
    if let Some(pay_by) = pay_by.filter(|by| paid_on > *by) {
        return Err(Violation::field(
            "fee_lapsed",
            "paid_on",
            format!(
                "缴费期限已于{}届满，申请人逾期未缴费，视为放弃申请（办结结果应为 other_fee_unpaid）",
                cn_date(pay_by)
            ),
        )
        .into());
    }
    Ok(plain(
        paid_on,
        CaseEvent::FeePaid {
            fee_notice_id: notice.map(|n| n.id),
            amount_fen: notice.map_or(0, |n| n.amount_fen),
            sealed_override: None,
        },
    ))
}
