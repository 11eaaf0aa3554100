//! The request for reasons (Art. 35): when the number or frequency of an applicant's requests is
//! clearly beyond a reasonable range, the agency may ask for the reasons; if it finds them
//! unreasonable (or none come by the deadline) it tells the applicant that the request is not
//! processed (`not_processed_excessive`). **[product rule]** The request does not pause the
//! reply period: Art. 35 provides no pause, and when the reasons are reasonable but the period
//! cannot be kept, the agency sets a later reasonable date and tells the applicant.

use chrono::NaiveDate;

use super::steps::{check_date, plain};
use super::{CaseState, Ctx, ReasonsRequest, Refusal, Transition};
use crate::domain::error::Violation;
use crate::domain::event::CaseEvent;
use crate::domain::reply::{CaseFacts, ReasonsFacts};

/// The request for reasons on record, if any.
pub(super) fn requested(state: &CaseState) -> Option<ReasonsFacts> {
    CaseFacts::of(&state.events, None).reasons
}

pub(super) fn request(state: &CaseState, request: &ReasonsRequest, ctx: &Ctx<'_>) -> Result<Transition, Refusal> {
    check_date(state, "requested_on", request.requested_on, ctx)?;
    if request.respond_by <= request.requested_on {
        return Err(
            Violation::field("validation_failed", "respond_by", "说明理由的期限应当晚于要求说明理由的日期").into()
        );
    }
    Ok(plain(
        request.requested_on,
        CaseEvent::ReasonsRequested {
            respond_by: request.respond_by,
            grounds: request.grounds.clone(),
            sealed_override: None,
        },
    ))
}

pub(super) fn receive(
    state: &CaseState,
    received_on: NaiveDate,
    reasons: &str,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    check_date(state, "received_on", received_on, ctx)?;
    Ok(plain(received_on, CaseEvent::ReasonsGiven { reasons: reasons.to_owned(), sealed_override: None }))
}
