//! `GET /api/v1/cases/{id}/similar`: the same applicant's earlier requests that read like this one
//! (重复申请), best first.

use actix_web::{get, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::AuthUser;
use super::error::{ApiError, ReadErrors};
use super::AppState;
use crate::domain::ids::{AgencyId, CaseId};
use crate::domain::{CaseStatus, Outcome};
use crate::service::similar::{self, SimilarCase};

/// An earlier request of the same applicant whose content is similar.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarCaseResponse {
    pub case_id: CaseId,
    pub case_number: String,
    /// How alike the two descriptions read, from the minimum listed (0.35) to 1 (the same text
    /// once punctuation and whitespace are ignored): a weighted Dice coefficient of their
    /// character bigrams.
    pub score: f64,
    pub outcome: Option<Outcome>,
    pub status: CaseStatus,
    pub received_on: NaiveDate,
    pub concluded_on: Option<NaiveDate>,
    pub description: String,
    pub agency_id: AgencyId,
    /// The document number of its decision letter, when one is on record.
    pub decision_letter_number: Option<String>,
}

impl From<SimilarCase> for SimilarCaseResponse {
    fn from(similar: SimilarCase) -> Self {
        let case = similar.case;
        Self {
            case_id: case.id,
            case_number: case.case_number,
            score: (similar.score * 1000.0).round() / 1000.0,
            outcome: case.outcome,
            status: case.status,
            received_on: case.received_on,
            concluded_on: case.concluded_on,
            description: case.description,
            agency_id: case.agency_id,
            decision_letter_number: similar.decision_letter,
        }
    }
}

/// The similar earlier requests of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarCasesResponse {
    /// Best first; at most 10.
    pub items: Vec<SimilarCaseResponse>,
}

/// The same applicant's earlier requests (received on or before this one, not voided, visible to
/// the caller) whose descriptions are similar to this case's, best first: candidates for
/// concluding it as `not_processed_repeated` with `repeats_case_id`. The same applicant is the
/// same identity document or, where one of the two requests gave none, the same name and the same
/// phone or e-mail.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The similar earlier requests", body = SimilarCasesResponse), ReadErrors))]
#[get("/cases/{id}/similar")]
pub(crate) async fn similar_cases(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
) -> Result<web::Json<SimilarCasesResponse>, ApiError> {
    let id = id.into_inner();
    let items = state.db.read(move |conn| similar::of_case(conn, &user, id)).await?;
    Ok(web::Json(SimilarCasesResponse { items: items.into_iter().map(SimilarCaseResponse::from).collect() }))
}
