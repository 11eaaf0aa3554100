//! `/api/v1/agencies`: the agency tree.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::{AuthUser, FreshAuthUser};
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{Json, Query};
use super::pagination::{cursor_for, Page, PageParams};
use super::AppState;
use crate::domain::case::{Agency, CaseSummary};
use crate::domain::ids::{AgencyId, CaseId};
use crate::domain::CaseStatus;
use crate::service::agencies::{self, NewAgency};

/// A new agency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAgencyRequest {
    #[schema(example = "鹤岗市南山区人民政府")]
    pub name: String,
    /// Short code used in case numbers (`NS-2019-00042`): 1–16 of A–Z, 0–9, `-`; unique.
    #[schema(example = "NS")]
    pub code: String,
    /// The parent agency; `null` for a root (only administrators not bound to an agency).
    pub parent_id: Option<AgencyId>,
    /// Whether the public may apply to it online (`/apply`, `POST /api/v1/public/applications`); default false.
    #[serde(default)]
    pub accepts_online_applications: bool,
}

/// A change of an agency (administrators); absent fields are kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAgencyRequest {
    /// Open (`true`) or close the agency for online applications.
    pub accepts_online_applications: Option<bool>,
}

/// An agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyResponse {
    pub id: AgencyId,
    pub name: String,
    pub code: String,
    pub parent_id: Option<AgencyId>,
    #[serde(serialize_with = "super::rfc3339")]
    pub created_at: NaiveDateTime,
    pub accepts_online_applications: bool,
}

impl From<Agency> for AgencyResponse {
    fn from(row: Agency) -> Self {
        Self {
            id: row.id,
            name: row.name,
            code: row.code,
            parent_id: row.parent_id,
            created_at: row.created_at,
            accepts_online_applications: row.accepts_online_applications,
        }
    }
}

/// Create an agency (administrators).
#[utoipa::path(tag = "agencies", request_body = CreateAgencyRequest,
    responses((status = 201, description = "The agency", body = AgencyResponse), WriteErrors))]
#[post("/agencies")]
async fn create_agency(
    state: web::Data<AppState>,
    user: FreshAuthUser,
    body: Json<CreateAgencyRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut new = NewAgency::parse(&body.name, &body.code, body.parent_id)?;
    new.accepts_online_applications = body.accepts_online_applications;
    let now = state.now();
    let row = state.db.write(move |conn| agencies::create(conn, &user, &new, now)).await?;
    Ok(HttpResponse::Created().json(AgencyResponse::from(row)))
}

/// Change an agency (administrators): whether it takes online applications.
#[utoipa::path(tag = "agencies", request_body = UpdateAgencyRequest,
    params(("id" = i64, Path, description = "Agency id")),
    responses((status = 200, description = "The agency", body = AgencyResponse), WriteErrors))]
#[patch("/agencies/{id}")]
async fn update_agency(
    state: web::Data<AppState>,
    user: FreshAuthUser,
    id: web::Path<AgencyId>,
    body: Json<UpdateAgencyRequest>,
) -> Result<web::Json<AgencyResponse>, ApiError> {
    let id = id.into_inner();
    let accepts = body.0.accepts_online_applications;
    let row = state
        .db
        .write(move |conn| match accepts {
            Some(accepts) => agencies::set_accepts_online_applications(conn, &user, id, accepts),
            None => agencies::get_visible(conn, &user, id),
        })
        .await?;
    Ok(web::Json(row.into()))
}

/// Filters of the agency list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyListParams {
    /// Only the direct children of this agency.
    pub parent_id: Option<AgencyId>,
}

/// List the agencies the caller sees (its own and its descendants).
#[utoipa::path(tag = "agencies", params(AgencyListParams, PageParams),
    responses((status = 200, description = "A page of agencies", body = Page<AgencyResponse>), ReadErrors))]
#[get("/agencies")]
async fn list_agencies(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: Query<AgencyListParams>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<AgencyResponse>>, ApiError> {
    let limit = page.limit()?;
    let after = page.cursor_id()?.map(AgencyId::new);
    let parent_id = filter.parent_id;
    let rows = state.db.read(move |conn| agencies::list(conn, &user, parent_id, after, limit + 1)).await?;
    Ok(web::Json(Page::from_rows(rows, limit, |r| cursor_for(r.id.get()), AgencyResponse::from)))
}

/// Get one agency.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Agency id")),
    responses((status = 200, description = "The agency", body = AgencyResponse), ReadErrors))]
#[get("/agencies/{id}")]
async fn get_agency(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<AgencyId>,
) -> Result<web::Json<AgencyResponse>, ApiError> {
    let id = id.into_inner();
    let row = state.db.read(move |conn| agencies::get_visible(conn, &user, id)).await?;
    Ok(web::Json(row.into()))
}

/// Options of the dashboard.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// Include the agency's descendants (default false).
    pub include_descendants: Option<bool>,
    /// How many cases to list under due soon and overdue, 1–200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// A case on the dashboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardCase {
    pub id: CaseId,
    pub case_number: String,
    pub agency_id: AgencyId,
    pub status: CaseStatus,
    pub received_on: chrono::NaiveDate,
    pub due_on: Option<chrono::NaiveDate>,
    /// Working days from today to the due date (negative when overdue).
    pub working_days_left: Option<i64>,
}

/// Open cases by status.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: CaseStatus,
    pub count: i64,
}

/// An agency's deadlines at a glance.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardResponse {
    pub agency_id: AgencyId,
    pub today: chrono::NaiveDate,
    pub open_by_status: Vec<StatusCount>,
    pub open_total: i64,
    /// Running cases due from today to this date (the next 5 working days).
    pub due_soon_until: chrono::NaiveDate,
    pub due_soon_count: i64,
    pub due_soon: Vec<DashboardCase>,
    pub overdue_count: i64,
    pub overdue: Vec<DashboardCase>,
    pub concluded_this_year: i64,
    /// Concluded this year after the due date.
    pub concluded_late_this_year: i64,
}

/// Open cases by status, cases due in the next 5 working days, overdue cases, and cases
/// concluded late this year.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Agency id"), DashboardParams),
    responses((status = 200, description = "The dashboard", body = DashboardResponse), ReadErrors))]
#[get("/agencies/{id}/dashboard")]
async fn dashboard(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<AgencyId>,
    params: Query<DashboardParams>,
) -> Result<web::Json<DashboardResponse>, ApiError> {
    let limit = params.limit.unwrap_or(20);
    if !(1..=200).contains(&limit) {
        return Err(crate::domain::Violation::field("validation_failed", "limit", "应在1至200之间").into());
    }
    let (id, descendants, snapshot) = (id.into_inner(), params.include_descendants.unwrap_or(false), state.snapshot());
    let calendar = snapshot.calendar.clone();
    let board = state
        .db
        .read(move |conn| crate::service::dashboard::dashboard(conn, &user, id, descendants, limit, snapshot.now()))
        .await?;
    let today = board.today;
    let case = |c: CaseSummary| DashboardCase {
        working_days_left: c.due_on.map(|due| calendar.working_days_between(today, due)),
        id: c.id,
        case_number: c.case_number,
        agency_id: c.agency_id,
        status: c.status,
        received_on: c.received_on,
        due_on: c.due_on,
    };
    Ok(web::Json(DashboardResponse {
        agency_id: board.agency_id,
        today,
        open_total: board.open_by_status.iter().map(|(_, n)| n).sum(),
        open_by_status: board.open_by_status.into_iter().map(|(status, count)| StatusCount { status, count }).collect(),
        due_soon_until: board.due_soon_until,
        due_soon_count: board.due_soon_count,
        due_soon: board.due_soon.into_iter().map(case).collect(),
        overdue_count: board.overdue_count,
        overdue: board.overdue.into_iter().map(case).collect(),
        concluded_this_year: board.concluded_this_year,
        concluded_late_this_year: board.concluded_late_this_year,
    }))
}
