//! From a case's stored events to its statutory clock, and from the clock to the projection.

use chrono::NaiveDate;
use serde_json::Value;

use super::{ServiceError, ServiceResult};
use crate::domain::clock::{self, Clock, ClockEvent, ClockRules};
use crate::storage::cases::{CaseChanges, EventRow};

use super::cases::Now;

fn date(payload: &Value, field: &str, row: &EventRow) -> ServiceResult<NaiveDate> {
    payload
        .get(field)
        .and_then(Value::as_str)
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .ok_or_else(|| ServiceError::corrupt(format!("event {} of case {} lacks `{field}`", row.seq, row.case_id)))
}

fn int(payload: &Value, field: &str, row: &EventRow) -> ServiceResult<i64> {
    payload
        .get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| ServiceError::corrupt(format!("event {} of case {} lacks `{field}`", row.seq, row.case_id)))
}

/// The clock events among a case's stored events (other kinds do not move the clock).
///
/// # Errors
/// A stored event lacks a field its kind needs (corrupt data).
pub fn clock_events(rows: &[EventRow]) -> ServiceResult<Vec<ClockEvent>> {
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let on = row.effective_on;
        let needs_payload = matches!(
            row.kind.as_str(),
            "correction_requested" | "consultation_started" | "consultation_replied" | "extended"
        );
        let payload: Value = if needs_payload {
            serde_json::from_str(&row.payload).map_err(|e| ServiceError::corrupt(e.to_string()))?
        } else {
            Value::Null
        };
        let event = match row.kind.as_str() {
            "received" => ClockEvent::Received { on },
            "correction_requested" => {
                ClockEvent::CorrectionRequested { on, respond_by: date(&payload, "respond_by", row)? }
            }
            "correction_received" => ClockEvent::CorrectionReceived { on },
            "consultation_started" => {
                ClockEvent::ConsultationStarted { consultation_id: int(&payload, "consultation_id", row)?, on }
            }
            "consultation_replied" => {
                ClockEvent::ConsultationReplied { consultation_id: int(&payload, "consultation_id", row)?, on }
            }
            "extended" => ClockEvent::Extended {
                approved_on: date(&payload, "approved_on", row)?,
                notified_on: date(&payload, "notified_on", row)?,
                working_days: u32::try_from(int(&payload, "working_days", row)?)
                    .map_err(|e| ServiceError::corrupt(e.to_string()))?,
            },
            "fee_notice_issued" => ClockEvent::FeeNoticeIssued { on },
            "fee_paid" => ClockEvent::FeePaid { on },
            "decided" | "withdrawn" => ClockEvent::Concluded { on },
            _ => continue,
        };
        events.push(event);
    }
    Ok(events)
}

/// The clock of the events on `now.today`.
pub fn compute(events: &[ClockEvent], now: &Now<'_>) -> Clock {
    clock::compute(now.calendar, now.rules, events, now.today)
}

/// The projection columns derived from a clock.
pub fn projection(clock: &Clock) -> CaseChanges<'static> {
    CaseChanges {
        status: Some(clock.status.as_str()),
        due_on: Some(clock.due_on),
        paused: Some(clock.paused),
        extended: Some(clock.extended),
        lapses_on: Some(clock.correction_lapses_on.or(clock.fee_lapses_on)),
        ..CaseChanges::default()
    }
}

/// The default rules with the configured fee pause.
pub fn rules(fee_notice_pauses: bool) -> ClockRules {
    ClockRules { fee_notice_pauses, ..ClockRules::default() }
}
