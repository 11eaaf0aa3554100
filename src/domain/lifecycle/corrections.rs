//! Mistakes put right: a registration voided, the intake's facts corrected, a step revoked, and
//! the service (送达) of a posted letter recorded.

use chrono::NaiveDate;

use super::project::{effective, received_on, revoked};
use super::steps::{forbidden, plain};
use super::{CaseState, Ctx, IntakeCorrection, Refusal, StepKind, Transition, Who};
use crate::domain::error::Violation;
use crate::domain::event::{CaseEvent, IntakeFacts, RecordedEvent};
use crate::domain::ids::ConsultationId;
use crate::domain::{china_date, cn_date, limits, LetterKind};

/// Voiding or correcting a registration: a supervisor always; an officer only for a request
/// they registered themselves, on the day they registered it (a slip noticed at once).
///
/// # Errors
/// 403 otherwise.
pub(super) fn own_registration_today(
    state: &CaseState,
    who: Who,
    kind: StepKind,
    ctx: &Ctx<'_>,
) -> Result<(), Refusal> {
    if kind == StepKind::Void && !state.appeals.is_empty() {
        return Err(Refusal::conflict("appeals_recorded", "本案已登记复议诉讼，不能作废：请先撤销复议诉讼的登记"));
    }
    if who.role.can_supervise() {
        return Ok(());
    }
    let own = who.user_id == Some(state.case.created_by);
    if own && china_date(state.case.created_at) == ctx.today {
        Ok(())
    } else {
        let _ = forbidden;
        Err(Refusal::Forbidden(format!("承办人只能在登记当日{}本人登记的申请；其他情形须由负责人办理", kind.label())))
    }
}

/// The intake's facts as they stand.
fn facts(state: &CaseState) -> IntakeFacts {
    let case = &state.case;
    IntakeFacts {
        received_on: received_on(&state.events).unwrap_or(case.received_on),
        submitted_on: case.submitted_on,
        channel: case.channel,
        agency_id: case.agency_id,
        applicant_name: case.applicant.name.clone(),
        applicant_phone: case.applicant.phone.clone(),
        applicant_email: case.applicant.email.clone(),
        applicant_address: case.applicant.address.clone(),
        description: case.description.clone(),
        items: None,
    }
}

/// The correction's transition and the date from which it changes the figures.
pub(super) fn correct_intake(
    state: &CaseState,
    correction: &IntakeCorrection,
    ctx: &Ctx<'_>,
) -> Result<(Transition, NaiveDate), Refusal> {
    let before = facts(state);
    let mut after = before.clone();
    if let Some(on) = correction.received_on {
        after.received_on = on;
    }
    if let Some(on) = correction.submitted_on {
        after.submitted_on = on;
    }
    if let Some(channel) = correction.channel {
        after.channel = channel;
    }
    if let Some(agency) = correction.agency_id {
        after.agency_id = agency;
    }
    if let Some(p) = &correction.applicant {
        after.applicant_name.clone_from(&p.name);
        after.applicant_phone.clone_from(&p.phone);
        after.applicant_email.clone_from(&p.email);
        after.applicant_address.clone_from(&p.address);
    }
    if let Some(description) = &correction.description {
        after.description.clone_from(description);
    }
    let old_items: Vec<String> = state.items.iter().map(|i| i.description.clone()).collect();
    if let Some(items) = correction.items.as_ref().filter(|items| **items != old_items) {
        if state.items.iter().any(|i| i.outcome.is_some()) {
            return Err(Refusal::conflict("items_decided", "申请事项已有办理结果，不能再更正"));
        }
        after.items = Some(items.clone());
    }
    if after == before {
        return Err(Violation::field("nothing_to_correct", "reason", "没有要更正的内容：请给出与登记不同的信息").into());
    }
    if after.received_on > ctx.today || after.received_on < limits::EARLIEST_DATE {
        return Err(Violation::field(
            "validation_failed",
            "received_on",
            format!("收到申请日期应在{}与今天之间", cn_date(limits::EARLIEST_DATE)),
        )
        .into());
    }
    // The receipt starts the clock: it may not move after a step already taken.
    let first_step = effective(&state.events).iter().filter(|e| e.event.is_dated_step()).map(|e| e.effective_on).min();
    if let Some(first) = first_step.filter(|first| after.received_on > *first) {
        return Err(Violation::field(
            "date_after_step",
            "received_on",
            format!("收到申请日期不得晚于本案第一个办理步骤的日期{}", cn_date(first)),
        )
        .into());
    }
    if after.submitted_on.is_some_and(|s| s > after.received_on) {
        return Err(Violation::field("validation_failed", "submitted_on", "提交日期不得晚于收到申请日期").into());
    }
    let from = before.received_on.min(after.received_on);
    let event = CaseEvent::IntakeCorrected {
        before: Box::new(before),
        after: Box::new(after),
        reason: correction.reason.clone(),
        sealed_override: None,
    };
    Ok((plain(ctx.today, event), from))
}

/// The events that may be revoked now: the latest step of the handling (nothing after it still
/// counts), an appeal's latest step, a void or an intake correction — newest first.
pub(super) fn revocable(state: &CaseState) -> impl Iterator<Item = &RecordedEvent> {
    let counting = effective(&state.events);
    let last_step = counting.iter().rev().find(|e| e.event.is_dated_step()).map(|e| e.seq);
    let has_appeals = counting.iter().any(|e| matches!(e.event, CaseEvent::AppealFiled { .. }));
    let amended_after = |seq: i32| counting.iter().any(|e| e.seq > seq && matches!(e.event, CaseEvent::Amended { .. }));
    let decided_appeals: Vec<_> = counting
        .iter()
        .filter_map(|e| match e.event {
            CaseEvent::AppealDecided { appeal_id, .. } => appeal_id,
            _ => None,
        })
        .collect();
    let ok: Vec<i32> = counting
        .iter()
        .filter(|e| match &e.event {
            CaseEvent::Received { .. } | CaseEvent::StepRevoked { .. } => false,
            CaseEvent::Decided { .. } | CaseEvent::Withdrawn { .. } => {
                Some(e.seq) == last_step && !has_appeals && !amended_after(e.seq)
            }
            event if event.is_dated_step() => Some(e.seq) == last_step,
            CaseEvent::Amended { .. } => !has_appeals && !amended_after(e.seq),
            CaseEvent::AppealFiled { appeal_id, .. } => appeal_id.is_none_or(|id| !decided_appeals.contains(&id)),
            _ => true,
        })
        .map(|e| e.seq)
        .collect();
    state.events.iter().rev().filter(move |e| ok.contains(&e.seq))
}

/// The revocation's transition and the date from which it changes the figures.
pub(super) fn revoke(
    state: &CaseState,
    seq: i32,
    reason: &str,
    ctx: &Ctx<'_>,
) -> Result<(Transition, NaiveDate), Refusal> {
    let target =
        state.events.iter().find(|e| e.seq == seq).ok_or(Refusal::NotFound { what: "step", code: "step_not_found" })?;
    if revoked(&state.events).contains(&seq) {
        return Err(Refusal::conflict("step_revoked", "该步骤已被撤销"));
    }
    if !revocable(state).any(|e| e.seq == seq) {
        return Err(Refusal::conflict(
            "step_not_revocable",
            match target.event {
                CaseEvent::Received { .. } => "登记本身不能撤销：误登记的申请请作废".to_owned(),
                CaseEvent::StepRevoked { .. } => "撤销不能再撤销".to_owned(),
                _ => "此步骤之后还有仍然有效的步骤（或复议诉讼、更正），请先撤销其后的步骤".to_owned(),
            },
        ));
    }
    let clear = target.event.concludes();
    let event = CaseEvent::StepRevoked { seq, reason: reason.to_owned(), sealed_override: None };
    let mut t = plain(ctx.today, event);
    t.clear_item_outcomes = clear;
    Ok((t, target.effective_on))
}

/// The service of a posted letter.
///
/// # Errors
/// 422 for a date before the letter's or in the future.
pub(super) fn record_service(
    letter_id: i64,
    kind: LetterKind,
    consultation_id: Option<ConsultationId>,
    issued_on: NaiveDate,
    served_on: NaiveDate,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    if served_on < issued_on || served_on > ctx.today {
        return Err(Violation::field(
            "validation_failed",
            "served_on",
            format!("送达日期应在文书日期{}与今天之间", cn_date(issued_on)),
        )
        .into());
    }
    let event = CaseEvent::LetterServed { letter_id, letter_kind: kind, consultation_id, sealed_override: None };
    Ok(plain(served_on, event))
}
