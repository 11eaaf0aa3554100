//! The letters a case owes: their data drawn from the case, its events and its clock.

use chrono::NaiveDate;
use serde_json::Value;

use super::cases::{self, CaseDetails, Now};
use super::{Actor, ServiceError, ServiceResult};
use crate::domain::{Channel, Outcome};
use crate::notify::letters::{
    ConsultationData, CorrectionData, DecisionData, ExtensionData, FeeData, LetterData, LetterKind,
};
use crate::storage::cases::EventRow;
use crate::storage::{agencies, cases as case_store, DbConnection};

fn not_applicable(what: &str) -> ServiceError {
    ServiceError::conflict("letter_not_applicable", format!("the case has no {what}: this letter does not exist yet"))
}

fn payload(events: &[EventRow], kind: &str) -> Option<(NaiveDate, Value)> {
    events
        .iter()
        .rev()
        .find(|e| e.kind == kind)
        .map(|e| (e.effective_on, serde_json::from_str(&e.payload).unwrap_or(Value::Null)))
}

fn text(value: &Value, field: &str) -> String {
    value.get(field).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// The data of one letter of a case (the consultation letter of `consultation_id`, or of the
/// latest consultation).
///
/// # Errors
/// 404 invisible case or unknown consultation; 409 when the step the letter belongs to has not
/// happened.
pub fn data(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    kind: LetterKind,
    consultation_id: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<LetterData> {
    let details = cases::get(conn, actor, id, now)?;
    of_details(conn, details, kind, consultation_id, now)
}

/// The data of one letter of a case already loaded (no visibility check: the caller has one).
///
/// # Errors
/// As [`data`].
pub(super) fn of_details(
    conn: &mut DbConnection,
    details: CaseDetails,
    kind: LetterKind,
    consultation_id: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<LetterData> {
    let agency = agencies::get(conn, details.case.agency_id)?;
    let events = case_store::all_events(conn, details.case.id)?;
    of_parts(details, agency.name, &events, kind, consultation_id, now)
}

/// The data of one letter from the case, its agency's name and all its events, already at hand.
///
/// # Errors
/// As [`data`].
pub(super) fn of_parts(
    details: CaseDetails,
    agency_name: String,
    events: &[EventRow],
    kind: LetterKind,
    consultation_id: Option<i64>,
    now: Now<'_>,
) -> ServiceResult<LetterData> {
    let CaseDetails { case, applicant, clock, consultations, fee_notices, .. } = details;
    let channel = Channel::parse(&case.channel).ok_or_else(|| ServiceError::corrupt("cases.channel"))?;
    let mut data = LetterData {
        kind,
        agency_name,
        case_number: case.case_number.clone(),
        applicant_name: applicant.name,
        applicant_address: applicant.address,
        channel,
        received_on: case.received_on,
        issued_on: case.received_on,
        description: case.description.clone(),
        due_on: clock.due_on,
        correction: None,
        extension: None,
        consultation: None,
        fee: None,
        decision: None,
    };
    match kind {
        LetterKind::Acknowledgement => {
            // The due date as the acknowledgement stated it: 20 working days from receipt.
            data.due_on = Some(now.calendar.add_working_days(case.received_on, now.rules.allowance));
        }
        LetterKind::CorrectionNotice => {
            let (on, payload) =
                payload(events, "correction_requested").ok_or_else(|| not_applicable("correction notice"))?;
            let respond_by = clock.correction_respond_by.ok_or_else(|| not_applicable("correction notice"))?;
            data.issued_on = on;
            data.correction = Some(CorrectionData { matters: text(&payload, "matters"), respond_by });
        }
        LetterKind::ExtensionNotice => {
            let (on, payload) = payload(events, "extended").ok_or_else(|| not_applicable("extension"))?;
            let extension = clock.extension.as_ref().ok_or_else(|| not_applicable("extension"))?;
            data.issued_on = extension.notified_on.max(on);
            let new_due_on = clock.due_on.or(case.due_on).unwrap_or(on);
            data.extension = Some(ExtensionData {
                working_days: extension.working_days,
                reason: text(&payload, "reason"),
                new_due_on,
            });
        }
        LetterKind::ConsultationLetter => {
            let consultation = match consultation_id {
                Some(cid) => consultations
                    .iter()
                    .find(|c| c.id == cid)
                    .ok_or(ServiceError::NotFound { what: "consultation", code: "consultation_not_found" })?,
                None => consultations.last().ok_or_else(|| not_applicable("consultation"))?,
            };
            data.issued_on = consultation.sent_on;
            data.consultation =
                Some(ConsultationData { party: consultation.party.clone(), reply_due: consultation.reply_due });
        }
        LetterKind::FeeNotice => {
            let fee = fee_notices.last().ok_or_else(|| not_applicable("fee notice"))?;
            let explanation =
                payload(events, "fee_notice_issued").map(|(_, p)| text(&p, "explanation")).unwrap_or_default();
            data.issued_on = fee.issued_on;
            data.fee = Some(FeeData {
                basis_label: if fee.basis == "per_page" { "按量收费".into() } else { "按件收费".into() },
                amount_fen: fee.amount_fen,
                explanation,
                pay_by: fee.pay_by,
            });
        }
        LetterKind::Decision => {
            let (Some(outcome), Some(on)) = (case.outcome.as_deref().and_then(Outcome::parse), case.concluded_on)
            else {
                return Err(not_applicable("decision"));
            };
            data.issued_on = on;
            data.decision = Some(DecisionData { outcome, basis: case.decision_basis.clone(), decided_on: on });
        }
    }
    Ok(data)
}
