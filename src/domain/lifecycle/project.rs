//! From a case's events to its clock events and to its stored projection. Revoked steps do not
//! count; a corrected intake counts with its corrected facts; a voided case counts nowhere.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::domain::calendar::Calendar;
use crate::domain::clock::{self, ClockEvent, ClockRules};
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::types::{CaseStatus, LetterKind, Outcome};

/// The seqs of the steps revoked (a revocation itself cannot be revoked).
pub fn revoked(events: &[RecordedEvent]) -> BTreeSet<i32> {
    events
        .iter()
        .filter_map(|e| match e.event {
            CaseEvent::StepRevoked { seq, .. } => Some(seq),
            _ => None,
        })
        .collect()
}

/// The events that count: every event but the revoked ones and the revocations.
pub fn effective(events: &[RecordedEvent]) -> Vec<&RecordedEvent> {
    let revoked = revoked(events);
    events.iter().filter(|e| !revoked.contains(&e.seq) && !matches!(e.event, CaseEvent::StepRevoked { .. })).collect()
}

/// The receipt date in force: the intake's, or its latest correction's.
pub fn received_on(events: &[RecordedEvent]) -> Option<NaiveDate> {
    let effective = effective(events);
    let corrected = effective.iter().rev().find_map(|e| match &e.event {
        CaseEvent::IntakeCorrected { after, .. } => Some(after.received_on),
        _ => None,
    });
    corrected.or_else(|| {
        effective.iter().find_map(|e| match e.event {
            CaseEvent::Received { .. } => Some(e.effective_on),
            _ => None,
        })
    })
}

/// The events that move the clock, in order. An amendment of the conclusion date moves the
/// conclusion; a corrected receipt date moves the start.
pub fn clock_events(events: &[RecordedEvent]) -> Vec<ClockEvent> {
    let received = received_on(events);
    let mut out = Vec::with_capacity(events.len());
    for recorded in effective(events) {
        let on = recorded.effective_on;
        let event = match &recorded.event {
            CaseEvent::Received { .. } => ClockEvent::Received { on: received.unwrap_or(on) },
            CaseEvent::CorrectionRequested { respond_by, .. } => {
                ClockEvent::CorrectionRequested { on, respond_by: *respond_by }
            }
            CaseEvent::CorrectionReceived { .. } => ClockEvent::CorrectionReceived { on },
            CaseEvent::ConsultationStarted { consultation_id, .. } => {
                ClockEvent::ConsultationStarted { consultation_id: consultation_id.get(), on }
            }
            CaseEvent::ConsultationReplied { consultation_id, .. } => {
                ClockEvent::ConsultationReplied { consultation_id: consultation_id.get(), on }
            }
            CaseEvent::Extended { approved_on, notified_on, working_days, .. } => ClockEvent::Extended {
                approved_on: *approved_on,
                notified_on: *notified_on,
                working_days: *working_days,
            },
            CaseEvent::FeeNoticeIssued { .. } => ClockEvent::FeeNoticeIssued { on },
            CaseEvent::FeePaid { .. } => ClockEvent::FeePaid { on },
            CaseEvent::Decided { .. } | CaseEvent::Withdrawn { .. } => ClockEvent::Concluded { on },
            CaseEvent::Amended { concluded_on, .. } => {
                if let Some(ClockEvent::Concluded { on }) =
                    out.iter_mut().rev().find(|e| matches!(e, ClockEvent::Concluded { .. }))
                {
                    *on = *concluded_on;
                }
                continue;
            }
            CaseEvent::LetterServed {
                letter_kind: LetterKind::ConsultationLetter, consultation_id: Some(id), ..
            } => ClockEvent::ConsultationServed { consultation_id: id.get(), on },
            CaseEvent::LetterServed { letter_kind: LetterKind::FeeNotice, .. } => ClockEvent::FeeNoticeServed { on },
            CaseEvent::LetterServed { .. }
            | CaseEvent::ReasonsRequested { .. }
            | CaseEvent::ReasonsGiven { .. }
            | CaseEvent::AppealFiled { .. }
            | CaseEvent::AppealDecided { .. }
            | CaseEvent::Voided { .. }
            | CaseEvent::IntakeCorrected { .. }
            | CaseEvent::StepRevoked { .. }
            | CaseEvent::Imported { .. }
            | CaseEvent::Assigned { .. }
            | CaseEvent::Routed { .. }
            | CaseEvent::RoutingAccepted { .. }
            | CaseEvent::RoutingReturned { .. }
            | CaseEvent::ChaseRecorded { .. }
            | CaseEvent::ChaseClosed { .. }
            | CaseEvent::DocumentAdded { .. }
            | CaseEvent::DocumentWithdrawn { .. } => continue,
        };
        out.push(event);
    }
    out
}

/// Whether the case was voided.
pub fn is_voided(events: &[RecordedEvent]) -> bool {
    effective(events).iter().any(|e| matches!(e.event, CaseEvent::Voided { .. }))
}

/// The stored columns of a case derived from its events: everything the lists and the report
/// read without replaying the events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Projection {
    pub status: CaseStatus,
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    pub decision_basis: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub paused: bool,
    pub extended: bool,
    /// While a correction or fee is outstanding: the first day the request may be concluded as lapsed.
    pub lapses_on: Option<NaiveDate>,
}

/// The projection of `events` on `today`.
pub fn project(events: &[RecordedEvent], calendar: &Calendar, rules: &ClockRules, today: NaiveDate) -> Projection {
    let clock = clock::compute(calendar, rules, &clock_events(events), today);
    let mut conclusion: Option<(Outcome, NaiveDate, Option<String>)> = None;
    for recorded in effective(events) {
        match &recorded.event {
            CaseEvent::Decided { outcome, basis, .. } if conclusion.is_none() => {
                conclusion = Some((*outcome, recorded.effective_on, basis.clone()));
            }
            CaseEvent::Withdrawn { outcome, .. } if conclusion.is_none() => {
                conclusion = Some((*outcome, recorded.effective_on, None));
            }
            CaseEvent::Amended { outcome, concluded_on, basis, .. } => {
                if let Some(c) = conclusion.as_mut() {
                    // A new outcome keeps none of the old reply's text; the same one keeps it
                    // unless replaced.
                    if c.0 != *outcome || basis.is_some() {
                        c.2.clone_from(basis);
                    }
                    c.0 = *outcome;
                    c.1 = *concluded_on;
                }
            }
            _ => {}
        }
    }
    if is_voided(events) {
        // Kept with its history, counted nowhere: no status of a living case, no conclusion.
        return Projection {
            status: CaseStatus::Voided,
            outcome: None,
            concluded_on: None,
            decision_basis: None,
            due_on: clock.due_on,
            paused: false,
            extended: clock.extended,
            lapses_on: None,
        };
    }
    let concluded = conclusion.is_some();
    Projection {
        status: clock.status,
        outcome: conclusion.as_ref().map(|c| c.0),
        concluded_on: conclusion.as_ref().map(|c| c.1),
        decision_basis: conclusion.and_then(|c| c.2),
        due_on: clock.due_on,
        paused: !concluded && clock.paused,
        extended: clock.extended,
        lapses_on: if concluded { None } else { clock.correction_lapses_on.or(clock.fee_lapses_on) },
    }
}
