//! `/api/v1/submissions`: the intake desk's queue of online applications, confirmed into cases
//! or rejected.

use actix_web::{get, post, web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AuthUser;
use super::cases::intake::{IntakeResponse, WarningResponse};
use super::cases::responses::CaseResponse;
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{parse_json, Json, Query};
use super::AppState;
use crate::domain::ids::{AgencyId, CaseId, SubmissionId};
use crate::domain::submission::{Delivery, Submission, SubmissionStatus};
use crate::domain::{ApplicantCategory, Violation};
use crate::service::submissions;

/// Filters of the queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmissionListParams {
    pub agency_id: Option<AgencyId>,
    pub status: Option<SubmissionStatus>,
    /// At most this many, 1–500 (default 200).
    pub limit: Option<i64>,
}

/// The applicant as they gave themselves online.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionApplicant {
    pub category: ApplicantCategory,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// An online application in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionResponse {
    pub id: SubmissionId,
    pub submission_number: String,
    pub agency_id: AgencyId,
    #[serde(serialize_with = "super::rfc3339")]
    pub submitted_at: NaiveDateTime,
    /// The day in China it was submitted.
    pub submitted_on: NaiveDate,
    /// Working days from the day of submission to today (0 on the day itself).
    pub age_working_days: i64,
    pub status: SubmissionStatus,
    pub applicant: SubmissionApplicant,
    pub description: String,
    pub items: Vec<String>,
    pub delivery: Delivery,
    pub reject_reason: Option<String>,
    pub case_id: Option<CaseId>,
    /// The applicant asked on the status page to withdraw.
    pub withdrawal_requested: bool,
}

fn response(s: Submission, calendar: &crate::domain::calendar::Calendar, today: NaiveDate) -> SubmissionResponse {
    let submitted_on = s.submitted_on();
    SubmissionResponse {
        id: s.id,
        age_working_days: calendar.working_days_between(submitted_on, today).max(0),
        submission_number: s.submission_number,
        agency_id: s.agency_id,
        submitted_at: s.submitted_at,
        submitted_on,
        status: s.status,
        applicant: SubmissionApplicant {
            category: s.applicant.category,
            name: s.applicant.name,
            id_number: s.applicant.identity.map(|i| i.number),
            phone: s.applicant.phone,
            email: s.applicant.email,
            address: s.applicant.address,
        },
        description: s.description,
        items: s.items,
        delivery: s.delivery,
        reject_reason: s.reject_reason,
        case_id: s.case_id,
        withdrawal_requested: s.withdrawal_requested_at.is_some(),
    }
}

/// The queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionList {
    pub items: Vec<SubmissionResponse>,
}

/// Online applications of the agencies the caller sees, oldest first (clerks and up).
#[utoipa::path(tag = "submissions", params(SubmissionListParams),
    responses((status = 200, description = "The queue", body = SubmissionList), ReadErrors))]
#[get("/submissions")]
pub(crate) async fn list_submissions(
    state: web::Data<AppState>,
    user: AuthUser,
    params: Query<SubmissionListParams>,
) -> Result<web::Json<SubmissionList>, ApiError> {
    let limit = params.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) {
        return Err(Violation::field("validation_failed", "limit", "应在1至500之间").into());
    }
    let (agency_id, status) = (params.agency_id, params.status);
    let rows = state.db.read(move |conn| submissions::list(conn, &user, agency_id, false, status, limit)).await?;
    let (calendar, today) = (state.calendar(), state.today());
    Ok(web::Json(SubmissionList { items: rows.into_iter().map(|s| response(s, &calendar, today)).collect() }))
}

/// The confirmation of an online application.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The day the agency confirmed it, i.e. the legal receipt date (Art. 31 (3)); default
    /// today; not before the day of submission, not in the future.
    pub received_on: Option<NaiveDate>,
}

/// Confirm an online application: it becomes a case (channel `online`, received on the day of
/// the confirmation), answered as `POST /cases` answers. A second confirmation (or one after a
/// rejection) is refused with 409.
#[utoipa::path(tag = "submissions", request_body = ConfirmRequest,
    params(("id" = i64, Path, description = "Submission id")),
    responses((status = 201, description = "The new case", body = IntakeResponse), WriteErrors))]
#[post("/submissions/{id}/confirm")]
pub(crate) async fn confirm(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<SubmissionId>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // The body is optional: none (or blank) confirms today; one that is there must be right.
    let request: ConfirmRequest =
        if body.iter().all(u8::is_ascii_whitespace) { ConfirmRequest::default() } else { parse_json(&body)? };
    let received_on = request.received_on;
    let snapshot = state.snapshot();
    let registered =
        state.db.write(move |conn| submissions::confirm(conn, &user, id, received_on, snapshot.now())).await?;
    let response = IntakeResponse {
        warnings: registered
            .warnings
            .into_iter()
            .map(|w| WarningResponse { code: w.code.to_owned(), message: w.message })
            .collect(),
        case: CaseResponse::from(registered.details),
    };
    Ok(HttpResponse::Created().json(response))
}

/// The rejection of an online application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why it is not a disclosure request (a complaint, a consultation, …); shown to the applicant.
    #[schema(max_length = 2000)]
    pub reason: String,
}

/// Reject an online application as not a disclosure request. A second rejection (or one after
/// a confirmation) is refused with 409.
#[utoipa::path(tag = "submissions", request_body = RejectRequest,
    params(("id" = i64, Path, description = "Submission id")),
    responses((status = 200, description = "The rejected submission", body = SubmissionResponse), WriteErrors))]
#[post("/submissions/{id}/reject")]
pub(crate) async fn reject(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<SubmissionId>,
    body: Json<RejectRequest>,
) -> Result<web::Json<SubmissionResponse>, ApiError> {
    let id = id.into_inner();
    let reason = body.0.reason;
    let now = state.now();
    let submission = state.db.write(move |conn| submissions::reject(conn, &user, id, &reason, now)).await?;
    let (calendar, today) = (state.calendar(), state.today());
    Ok(web::Json(response(submission, &calendar, today)))
}
