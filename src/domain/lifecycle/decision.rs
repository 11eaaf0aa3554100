//! The steps that conclude a case: the decision (with the facts its letter states), the
//! withdrawal, and the system's conclusion of a lapsed correction or fee.

use chrono::NaiveDate;

use super::steps::check_date;
use super::{CaseState, Ctx, Decision, ItemDecision, Refusal, Transition};
use crate::domain::case::Item;
use crate::domain::clock::Clock;
use crate::domain::cn_date;
use crate::domain::error::Violation;
use crate::domain::event::{CaseEvent, ItemOutcome, RecordedEvent, SystemActor};
use crate::domain::intake::roll_up;
use crate::domain::reply::{self, CaseFacts, DecisionFacts, DecisionInput, EarlierCase, EarlierReply, ItemInput};
use crate::domain::types::{CaseStatus, Outcome};

pub(super) fn decide_case(
    state: &CaseState,
    clock: &Clock,
    decision: &Decision,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    check_date(state, "decided_on", decision.decided_on, ctx)?;
    let given = match_items(&state.items, &decision.items)?;
    let outcome = roll_up(&given.iter().map(|i| i.outcome).collect::<Vec<_>>(), decision.outcome)?;
    check_outcome_against_state(clock, outcome, decision.decided_on)?;
    let mut facts = DecisionFacts {
        already_public: decision.already_public,
        responsible_agency: decision.responsible_agency.clone(),
        repeats: None,
        over_objection_reason: decision.over_objection_reason.clone(),
    };
    let items = given
        .iter()
        .enumerate()
        .map(|(index, i)| ItemInput {
            index,
            position: state.items.iter().find(|item| item.id == i.id).map_or(0, |item| item.position),
            outcome: i.outcome,
            basis: i.basis.as_deref(),
        })
        .collect();
    let case = &state.case;
    let input = DecisionInput {
        outcome,
        basis: decision.basis.as_deref(),
        items,
        decided_on: decision.decided_on,
        facts: &facts,
        repeats_case_id: decision.repeats_case_id,
        earlier: decision.earlier.as_ref(),
        repeats_on_record: false,
        case_id: case.id,
        applicant_id: case.applicant_id,
        agency_id: case.agency_id,
    };
    reply::check_decision(&input, &CaseFacts::of(&state.events, clock.fee_pay_by))?;
    facts.repeats = decision.earlier.as_ref().map(earlier_reply);
    let item_outcomes = state
        .items
        .iter()
        .map(|item| (item.id, given.iter().find(|i| i.id == item.id).map_or(outcome, |i| i.outcome)))
        .collect();
    Ok(Transition {
        effective_on: decision.decided_on,
        event: CaseEvent::Decided {
            outcome,
            basis: decision.basis.clone(),
            items: given.iter().map(|i| ItemOutcome { id: i.id, outcome: i.outcome, basis: i.basis.clone() }).collect(),
            already_public: facts.already_public,
            responsible_agency: facts.responsible_agency,
            repeats: facts.repeats,
            over_objection_reason: facts.over_objection_reason,
            system: None,
            sealed_override: None,
        },
        item_outcomes,
        clear_item_outcomes: false,
    })
}

/// The earlier case as the letter cites it.
fn earlier_reply(earlier: &EarlierCase) -> EarlierReply {
    EarlierReply {
        case_id: earlier.id,
        case_number: earlier.case_number.clone(),
        decided_on: earlier.concluded_on.unwrap_or_default(),
        document_number: earlier.document_number.clone(),
    }
}

/// The facts of the decision in force (the latest that counts), if any.
pub fn decision_facts(events: &[RecordedEvent]) -> DecisionFacts {
    super::effective(events)
        .iter()
        .rev()
        .find_map(|e| match &e.event {
            CaseEvent::Decided { already_public, responsible_agency, repeats, over_objection_reason, .. } => {
                Some(DecisionFacts {
                    already_public: *already_public,
                    responsible_agency: responsible_agency.clone(),
                    repeats: repeats.clone(),
                    over_objection_reason: over_objection_reason.clone(),
                })
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// Whether the case's conclusion in force is a withdrawal.
pub fn withdrawn(events: &[RecordedEvent]) -> bool {
    super::effective(events)
        .iter()
        .rev()
        .find(|e| e.event.concludes())
        .is_some_and(|e| matches!(e.event, CaseEvent::Withdrawn { .. }))
}

/// An amendment that changes the outcome: the facts of the decision that still apply to the new
/// outcome must carry its letter, and `basis` is the new officer's text.
///
/// # Errors
/// 422 as [`reply::check_decision`] (an amendment cannot name new facts: revoke the decision and
/// decide again).
pub(super) fn check_amended(
    state: &CaseState,
    clock: &Clock,
    outcome: Outcome,
    basis: Option<&str>,
    concluded_on: NaiveDate,
) -> Result<(), Refusal> {
    let recorded = decision_facts(&state.events);
    let facts = DecisionFacts {
        already_public: recorded.already_public && outcome == Outcome::Disclosed,
        responsible_agency: recorded.responsible_agency.filter(|_| outcome == Outcome::UnavailableNotHeld),
        repeats: recorded.repeats.filter(|_| outcome == Outcome::NotProcessedRepeated),
        over_objection_reason: recorded.over_objection_reason.filter(|_| outcome.provides_information()),
    };
    let case = &state.case;
    let input = DecisionInput {
        outcome,
        basis,
        items: Vec::new(),
        decided_on: concluded_on,
        facts: &facts,
        repeats_case_id: facts.repeats.as_ref().map(|r| r.case_id),
        earlier: None,
        repeats_on_record: facts.repeats.is_some(),
        case_id: case.id,
        applicant_id: case.applicant_id,
        agency_id: case.agency_id,
    };
    Ok(reply::check_decision(&input, &CaseFacts::of(&state.events, clock.fee_pay_by))?)
}

/// A lapse outcome is allowed once its lapse date (the day after the applicant's deadline) is
/// reached; `code` names the refusal, `act` what the applicant may still do before it.
fn require_lapse(
    code: &'static str,
    lapses_on: Option<NaiveDate>,
    decided_on: NaiveDate,
    act: &str,
    missing: &str,
) -> Result<(), Refusal> {
    match lapses_on {
        Some(lapses) if decided_on >= lapses => Ok(()),
        Some(lapses) => Err(Violation::field(
            code,
            "decided_on",
            format!(
                "申请人可以在{}前{act}，{}起方可按逾期办结",
                cn_date(lapses.pred_opt().unwrap_or(lapses)),
                cn_date(lapses)
            ),
        )
        .into()),
        None => Err(Violation::field(code, "outcome", missing).into()),
    }
}

/// The lapse outcomes need their lapse; the other outcomes need no step outstanding.
pub(super) fn check_outcome_against_state(
    clock: &Clock,
    outcome: Outcome,
    decided_on: NaiveDate,
) -> Result<(), Refusal> {
    match outcome {
        Outcome::OtherCorrectionOverdue => require_lapse(
            "correction_not_lapsed",
            clock.correction_lapses_on,
            decided_on,
            "补正",
            "只有发出补正告知且补正期限届满仍未补正的申请，才能按“逾期不补正”办结",
        ),
        Outcome::OtherFeeUnpaid => require_lapse(
            "fee_not_lapsed",
            clock.fee_lapses_on,
            decided_on,
            "缴费",
            "只有发出收费通知且缴费期限届满仍未缴费的申请，才能按“逾期未缴费”办结",
        ),
        _ => match clock.status {
            CaseStatus::AwaitingCorrection => Err(Refusal::conflict(
                "correction_outstanding",
                "补正告知尚未答复：请登记收到的补正材料，或在补正期限届满后按“逾期不补正”（other_correction_overdue）办结",
            )),
            CaseStatus::AwaitingFee => Err(Refusal::conflict(
                "fee_outstanding",
                "收费通知尚未缴费：请登记缴费，或在缴费期限届满后按“逾期未缴费”（other_fee_unpaid）办结",
            )),
            CaseStatus::InConsultation => Err(Refusal::conflict(
                "consultation_open",
                "征求意见尚未答复：请先登记答复（对方逾期未答复的，意见选“逾期未答复”）",
            )),
            _ => Ok(()),
        },
    }
}

/// Check that the decision's items are the case's items, each once, all of them.
fn match_items(items: &[Item], given: &[ItemDecision]) -> Result<Vec<ItemDecision>, Refusal> {
    if given.is_empty() {
        return Ok(Vec::new());
    }
    let mut seen = Vec::with_capacity(given.len());
    for (index, ItemDecision { id: item_id, .. }) in given.iter().enumerate() {
        if !items.iter().any(|i| i.id == *item_id) {
            return Err(Violation::field(
                "unknown_item",
                &format!("items[{index}].id"),
                format!("本案没有编号为{item_id}的申请事项"),
            )
            .into());
        }
        if seen.contains(item_id) {
            return Err(
                Violation::field("duplicate_item", &format!("items[{index}].id"), "同一申请事项重复列出").into()
            );
        }
        seen.push(*item_id);
    }
    if let Some(missing) = items.iter().find(|i| !seen.contains(&i.id)) {
        return Err(Violation::field(
            "items_incomplete",
            "items",
            format!(
                "第{}项申请事项（编号{}）没有办理结果：请给出每一项的结果，或都不给出",
                missing.position, missing.id
            ),
        )
        .into());
    }
    Ok(given.to_vec())
}

pub(super) fn withdraw(state: &CaseState, withdrawn_on: NaiveDate, ctx: &Ctx<'_>) -> Result<Transition, Refusal> {
    check_date(state, "withdrawn_on", withdrawn_on, ctx)?;
    Ok(Transition {
        effective_on: withdrawn_on,
        event: CaseEvent::Withdrawn { outcome: Outcome::OtherMisc, sealed_override: None },
        item_outcomes: state.items.iter().map(|i| (i.id, Outcome::OtherMisc)).collect(),
        clear_item_outcomes: false,
    })
}

pub(super) fn conclude_lapsed(state: &CaseState, clock: &Clock, ctx: &Ctx<'_>) -> Result<Transition, Refusal> {
    let (outcome, on) = match (clock.status, clock.correction_lapses_on, clock.fee_lapses_on) {
        (CaseStatus::AwaitingCorrection, Some(on), _) if on <= ctx.today => (Outcome::OtherCorrectionOverdue, on),
        (CaseStatus::AwaitingFee, _, Some(on)) if on <= ctx.today => (Outcome::OtherFeeUnpaid, on),
        _ => return Err(Refusal::conflict("not_lapsed", "案件没有到期未补正或未缴费的情形")),
    };
    Ok(Transition {
        effective_on: on,
        // The letter states the lapse and its article; there is no officer's text.
        event: CaseEvent::bare_decision(outcome, Some(SystemActor::Sweep)),
        item_outcomes: state.items.iter().map(|i| (i.id, outcome)).collect(),
        clear_item_outcomes: false,
    })
}
