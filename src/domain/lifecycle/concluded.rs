//! The steps of a concluded case: the amendment of its conclusion and its appeals.

use chrono::NaiveDate;

use super::decision::check_outcome_against_state;
use super::steps::{not_concluded, plain};
use super::{Amendment, CaseState, Ctx, Refusal, Transition};
use crate::domain::clock;
use crate::domain::cn_date;
use crate::domain::error::Violation;
use crate::domain::event::{CaseEvent, PreviousConclusion};
use crate::domain::ids::AppealId;
use crate::domain::intake::check_step_date;
use crate::domain::remedies;
use crate::domain::types::{AppealKind, AppealResult, Outcome};

/// The amendment's transition and the date from which it changes the figures.
pub(super) fn amend(
    state: &CaseState,
    amendment: &Amendment,
    ctx: &Ctx<'_>,
) -> Result<(Transition, NaiveDate), Refusal> {
    let case = &state.case;
    let (Some(old_outcome), Some(old_on)) = (case.outcome, case.concluded_on) else {
        return Err(not_concluded());
    };
    let outcome = amendment.outcome.unwrap_or(old_outcome);
    let on = amendment.concluded_on.unwrap_or(old_on);
    let new_basis = amendment.basis.as_deref().filter(|b| case.decision_basis.as_deref() != Some(*b));
    if outcome == old_outcome && on == old_on && new_basis.is_none() {
        return Err(Violation::field("nothing_to_amend", "outcome", "请给出不同的办理结果、办结日期或答复说明").into());
    }
    check_step_date("concluded_on", on, case.received_on, ctx.today)?;
    // The history up to the conclusion decides whether a lapse outcome is possible on `on`.
    let before: Vec<_> = state.events.iter().filter(|e| !e.event.concludes()).cloned().collect();
    let received = super::received_on(&state.events).unwrap_or(case.received_on);
    let last_step = super::effective(&before)
        .iter()
        .filter(|e| e.event.is_dated_step())
        .map(|e| e.effective_on)
        .max()
        .map_or(received, |last| last.max(received));
    if on < last_step {
        return Err(Violation::field(
            "date_before_previous_step",
            "concluded_on",
            format!("不得早于本案办结前最后一个办理步骤的日期{}", cn_date(last_step)),
        )
        .into());
    }
    let clock = clock::compute(ctx.calendar, ctx.rules, &super::clock_events(&before), on);
    if matches!(outcome, Outcome::OtherCorrectionOverdue | Outcome::OtherFeeUnpaid) {
        check_outcome_against_state(&clock, outcome, on)?;
    }
    // The amended reply is a new letter: it must state what its outcome requires. A new outcome
    // needs its own text; the same outcome keeps the decision's unless a new one is given.
    let withdrawal = super::decision::withdrawn(&state.events) && outcome == Outcome::OtherMisc;
    if (outcome != old_outcome || new_basis.is_some()) && !withdrawal {
        let basis = if outcome == old_outcome {
            amendment.basis.as_deref().or(case.decision_basis.as_deref())
        } else {
            amendment.basis.as_deref()
        };
        super::decision::check_amended(state, &clock, outcome, basis, on)?;
    }
    let item_outcomes =
        if outcome == old_outcome { Vec::new() } else { state.items.iter().map(|i| (i.id, outcome)).collect() };
    let transition = Transition {
        effective_on: ctx.today,
        event: CaseEvent::Amended {
            previous: PreviousConclusion { outcome: old_outcome, concluded_on: old_on },
            outcome,
            concluded_on: on,
            reason: amendment.reason.clone(),
            basis: amendment.basis.clone(),
            sealed_override: None,
        },
        item_outcomes,
        clear_item_outcomes: false,
    };
    Ok((transition, on.min(old_on)))
}

pub(super) fn file_appeal(
    state: &CaseState,
    kind: AppealKind,
    filed_on: NaiveDate,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    let (Some(concluded_on), Some(outcome)) = (state.case.concluded_on, state.case.outcome) else {
        return Err(not_concluded());
    };
    check_step_date("filed_on", filed_on, state.case.received_on, ctx.today)?;
    if filed_on < concluded_on {
        return Err(Violation::field(
            "date_before_decision",
            "filed_on",
            format!("不得早于答复日期{}", cn_date(concluded_on)),
        )
        .into());
    }
    if state.appeals.iter().any(|a| a.kind == kind && a.filed_on == filed_on) {
        return Err(Refusal::conflict(
            "appeal_duplicate",
            format!("本案已登记{}提起的同类{}", cn_date(filed_on), kind.label()),
        ));
    }
    match kind {
        AppealKind::LitigationAfterReconsideration => {
            let decided = state
                .appeals
                .iter()
                .any(|a| a.kind == AppealKind::Reconsideration && a.decided_on.is_some_and(|d| d <= filed_on));
            if !decided {
                return Err(Violation::field(
                    "no_reconsideration",
                    "kind",
                    "复议后起诉须本案已有在起诉之日或之前作出决定的行政复议",
                )
                .into());
            }
        }
        AppealKind::LitigationDirect if !remedies::direct_suit_allowed(outcome, filed_on) => {
            return Err(Violation::field(
                "reconsideration_required",
                "kind",
                format!(
                    "自{}起，对不提供政府信息的答复不服的，应当先申请行政复议（《中华人民共和国行政复议法》第二十三条第一款第（四）项）",
                    cn_date(remedies::RECONSIDERATION_FIRST_FROM)
                ),
            )
            .into());
        }
        _ => {}
    }
    Ok(plain(filed_on, CaseEvent::AppealFiled { appeal_id: None, kind, sealed_override: None }))
}

pub(super) fn decide_appeal(
    state: &CaseState,
    appeal_id: AppealId,
    result: AppealResult,
    decided_on: NaiveDate,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    let appeal = state
        .appeals
        .iter()
        .find(|a| a.id == appeal_id)
        .ok_or(Refusal::NotFound { what: "appeal", code: "appeal_not_found" })?;
    if appeal.result.is_some() {
        return Err(Refusal::conflict("appeal_decided", "该复议诉讼的结果已经登记"));
    }
    if decided_on < appeal.filed_on || decided_on > ctx.today {
        return Err(Violation::field(
            "validation_failed",
            "decided_on",
            format!("应当在提起日期{}与今天之间", cn_date(appeal.filed_on)),
        )
        .into());
    }
    Ok(plain(
        decided_on,
        CaseEvent::AppealDecided { appeal_id: Some(appeal_id), kind: appeal.kind, result, sealed_override: None },
    ))
}
