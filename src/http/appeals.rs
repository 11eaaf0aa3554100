//! Appeals: reconsideration and litigation against decisions (section four of the report).

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::auth::AuthUser;
pub use super::cases::AppealResponse;
use super::cases::{options, StepBody};
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{Json, Query};
use super::pagination::{cursor_for, Page, PageParams};
use super::AppState;
use crate::domain::ids::{AgencyId, AppealId, CaseId};
use crate::domain::lifecycle::Step;
use crate::domain::types::{AppealKind, AppealResult};
use crate::service::appeals;
use crate::service::cases::steps::Options;

/// The applicant applied for reconsideration or sued.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileAppealRequest {
    pub kind: AppealKind,
    pub filed_on: NaiveDate,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// The appeal was decided.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealResultRequest {
    pub result: AppealResult,
    pub decided_on: NaiveDate,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// Record an appeal against a concluded case.
#[utoipa::path(tag = "appeals", request_body = FileAppealRequest, params(("id" = i64, Path, description = "Case id")),
    responses((status = 201, description = "The appeal", body = AppealResponse), WriteErrors))]
#[post("/cases/{id}/appeals")]
pub(crate) async fn file_appeal(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
    body: Json<FileAppealRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let options = options(None, body.amendment_reason.as_deref(), None)?;
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let row = state
        .db
        .write(move |conn| appeals::file(conn, &user, id, body.kind, body.filed_on, &options, snapshot.now()))
        .await?;
    Ok(HttpResponse::Created().json(AppealResponse::from(row)))
}

impl StepBody for FileAppealRequest {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let options = options(None, self.amendment_reason.as_deref(), None)?;
        Ok((Step::FileAppeal { kind: self.kind, filed_on: self.filed_on }, options))
    }
}

impl StepBody for AppealResultRequest {
    type Path = AppealId;

    fn into_step(self, appeal_id: AppealId, _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let options = options(None, self.amendment_reason.as_deref(), None)?;
        Ok((Step::DecideAppeal { appeal_id, result: self.result, decided_on: self.decided_on }, options))
    }
}

/// The appeals of a case.
#[utoipa::path(tag = "appeals", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The appeals", body = Vec<AppealResponse>), ReadErrors))]
#[get("/cases/{id}/appeals")]
pub(crate) async fn case_appeals(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
) -> Result<web::Json<Vec<AppealResponse>>, ApiError> {
    let id = id.into_inner();
    let rows = state.db.read(move |conn| appeals::of_case(conn, &user, id)).await?;
    Ok(web::Json(rows.into_iter().map(AppealResponse::from).collect()))
}

/// Record the result of an appeal.
#[utoipa::path(tag = "appeals", request_body = AppealResultRequest, params(("id" = i64, Path, description = "Appeal id")),
    responses((status = 200, description = "The decided appeal", body = AppealResponse), WriteErrors))]
#[post("/appeals/{id}/result")]
pub(crate) async fn appeal_result(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<AppealId>,
    body: Json<AppealResultRequest>,
) -> Result<web::Json<AppealResponse>, ApiError> {
    let body = body.0;
    let options = options(None, body.amendment_reason.as_deref(), None)?;
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let row = state
        .db
        .write(move |conn| appeals::decide(conn, &user, id, body.result, body.decided_on, &options, snapshot.now()))
        .await?;
    Ok(web::Json(row.into()))
}

/// Get one appeal.
#[utoipa::path(tag = "appeals", params(("id" = i64, Path, description = "Appeal id")),
    responses((status = 200, description = "The appeal", body = AppealResponse), ReadErrors))]
#[get("/appeals/{id}")]
pub(crate) async fn get_appeal(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<AppealId>,
) -> Result<web::Json<AppealResponse>, ApiError> {
    let id = id.into_inner();
    let row = state.db.read(move |conn| appeals::get(conn, &user, id)).await?;
    Ok(web::Json(row.into()))
}

/// Filters of the appeal list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppealListParams {
    /// Only this agency's appeals.
    pub agency_id: Option<AgencyId>,
}

/// The appeals of the agencies the caller sees.
#[utoipa::path(tag = "appeals", params(AppealListParams, PageParams),
    responses((status = 200, description = "A page of appeals", body = Page<AppealResponse>), ReadErrors))]
#[get("/appeals")]
pub(crate) async fn list_appeals(
    state: web::Data<AppState>,
    user: AuthUser,
    params: Query<AppealListParams>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<AppealResponse>>, ApiError> {
    let limit = page.limit()?;
    let after = page.cursor_id()?.map(AppealId::new);
    let agency_id = params.agency_id;
    let rows = state.db.read(move |conn| appeals::list(conn, &user, agency_id, after, limit + 1)).await?;
    Ok(web::Json(Page::from_rows(rows, limit, |r| cursor_for(r.id.get()), AppealResponse::from)))
}
