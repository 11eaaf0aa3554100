//! The work lists of an agency beside its dashboard figures: requests waiting for the applicant
//! (a correction or a fee), with the day they lapse, and consultations awaiting a reply.

use super::{agencies as agency_service, Actor, ServiceResult};
use crate::domain::case::{Case, Consultation};
use crate::domain::ids::AgencyId;
use crate::domain::CaseStatus;
use crate::storage::{deadlines, worklist, DbConnection};

/// What waits on someone outside the agency.
#[derive(Clone, Debug)]
pub struct Worklist {
    /// Awaiting a correction or a fee payment, the soonest lapse first (at most `limit`).
    pub waiting_for_applicant: Vec<Case>,
    pub waiting_for_applicant_count: i64,
    /// Unanswered consultations of open cases, the earliest reply due first, with the case number.
    pub consultations: Vec<(Consultation, String)>,
    pub consultations_count: i64,
}

/// The work lists of an agency (and its descendants when asked).
///
/// # Errors
/// 404 for an invisible agency.
pub fn worklist(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: AgencyId,
    include_descendants: bool,
    limit: i64,
) -> ServiceResult<Worklist> {
    let agency = agency_service::get_visible(conn, actor, agency_id)?;
    let ids = deadlines::agency_ids(conn, &agency, include_descendants)?;
    let waiting = [CaseStatus::AwaitingCorrection, CaseStatus::AwaitingFee];
    let (waiting_for_applicant, waiting_for_applicant_count) = worklist::open_in_statuses(conn, &ids, &waiting, limit)?;
    let (consultations, consultations_count) = worklist::unanswered_consultations(conn, &ids, limit)?;
    Ok(Worklist { waiting_for_applicant, waiting_for_applicant_count, consultations, consultations_count })
}
