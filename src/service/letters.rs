//! The letters a case owes: their data drawn from the case, its events and its clock.

use super::cases::{self, CaseDetails};
use super::{Actor, Now, ServiceError, ServiceResult};
use crate::domain::event::CaseEvent;
use crate::domain::fees::FeeBasis;
use crate::domain::ids::{CaseId, ConsultationId};
use crate::notify::letters::{
    ConsultationData, CorrectionData, DecisionData, ExtensionData, FeeData, LetterData, LetterKind,
};
use crate::storage::{agencies, DbConnection};

fn not_applicable(what: &str) -> ServiceError {
    ServiceError::conflict("letter_not_applicable", format!("本案尚无{what}，此文书尚不存在"))
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
    id: CaseId,
    kind: LetterKind,
    consultation_id: Option<ConsultationId>,
    now: Now<'_>,
) -> ServiceResult<LetterData> {
    let details = cases::get(conn, actor, id, now)?;
    let agency = agencies::get(conn, details.case().agency_id)?;
    of_details(&details, agency.name, kind, consultation_id, now)
}

/// The data of one letter from the case and its agency's name, already at hand.
///
/// # Errors
/// As [`data`].
pub(super) fn of_details(
    details: &CaseDetails,
    agency_name: String,
    kind: LetterKind,
    consultation_id: Option<ConsultationId>,
    now: Now<'_>,
) -> ServiceResult<LetterData> {
    let CaseDetails { state, clock, .. } = details;
    let case = &state.case;
    let latest = |pick: fn(&CaseEvent) -> bool| state.events.iter().rev().find(|e| pick(&e.event));
    let mut data = LetterData {
        kind,
        agency_name,
        case_number: case.case_number.clone(),
        // The particulars given on this application (a later one's never reach its letters).
        applicant_name: case.applicant.name.clone(),
        applicant_address: case.applicant.address.clone(),
        channel: case.channel,
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
            let event = latest(|e| matches!(e, CaseEvent::CorrectionRequested { .. }))
                .ok_or_else(|| not_applicable("补正告知"))?;
            let CaseEvent::CorrectionRequested { respond_by, matters, .. } = &event.event else {
                return Err(not_applicable("补正告知"));
            };
            data.issued_on = event.effective_on;
            data.correction = Some(CorrectionData { matters: matters.clone(), respond_by: *respond_by });
        }
        LetterKind::ExtensionNotice => {
            let event = latest(|e| matches!(e, CaseEvent::Extended { .. })).ok_or_else(|| not_applicable("延期"))?;
            let CaseEvent::Extended { notified_on, working_days, reason, .. } = &event.event else {
                return Err(not_applicable("延期"));
            };
            data.issued_on = (*notified_on).max(event.effective_on);
            let new_due_on = clock.due_on.or(case.due_on).unwrap_or(event.effective_on);
            data.extension = Some(ExtensionData { working_days: *working_days, reason: reason.clone(), new_due_on });
        }
        LetterKind::ConsultationLetter => {
            let consultation = match consultation_id {
                Some(cid) => state
                    .consultations
                    .iter()
                    .find(|c| c.id == cid)
                    .ok_or(ServiceError::NotFound { what: "consultation", code: "consultation_not_found" })?,
                None => state.consultations.last().ok_or_else(|| not_applicable("征求意见"))?,
            };
            data.issued_on = consultation.sent_on;
            data.consultation =
                Some(ConsultationData { party: consultation.party.clone(), reply_due: consultation.reply_due });
        }
        LetterKind::FeeNotice => {
            let fee = state.fee_notices.last().ok_or_else(|| not_applicable("收费通知"))?;
            let explanation = match latest(|e| matches!(e, CaseEvent::FeeNoticeIssued { .. })).map(|e| &e.event) {
                Some(CaseEvent::FeeNoticeIssued { explanation, .. }) => explanation.clone(),
                _ => String::new(),
            };
            data.issued_on = fee.issued_on;
            data.fee = Some(FeeData {
                basis_label: match fee.basis {
                    FeeBasis::PerPage => "按量计收".into(),
                    FeeBasis::PerRequest => "按件计收".into(),
                },
                amount_fen: fee.amount_fen,
                explanation,
                pay_by: fee.pay_by,
            });
        }
        LetterKind::Decision => {
            let (Some(outcome), Some(on)) = (case.outcome, case.concluded_on) else {
                return Err(not_applicable("答复"));
            };
            data.issued_on = on;
            data.decision = Some(DecisionData { outcome, basis: case.decision_basis.clone(), decided_on: on });
        }
    }
    Ok(data)
}
