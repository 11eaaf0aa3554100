//! `/api/v1/agencies`: the agency tree.

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AuthUser;
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::Json;
use super::pagination::{Page, PageParams};
use super::AppState;
use crate::service::agencies::{self, NewAgency};
use crate::storage::agencies::AgencyRow;

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
    pub parent_id: Option<i64>,
}

/// An agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyResponse {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub parent_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl From<AgencyRow> for AgencyResponse {
    fn from(row: AgencyRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            code: row.code,
            parent_id: row.parent_id,
            created_at: row.created_at,
        }
    }
}

/// Create an agency (administrators).
#[utoipa::path(tag = "agencies", request_body = CreateAgencyRequest,
    responses((status = 201, description = "The agency", body = AgencyResponse), WriteErrors))]
#[post("/agencies")]
async fn create_agency(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateAgencyRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let new = NewAgency::parse(&body.name, &body.code, body.parent_id)?;
    let now = state.now();
    let row = state
        .db
        .write(move |conn| agencies::create(conn, &user, &new, now))
        .await?;
    Ok(HttpResponse::Created().json(AgencyResponse::from(row)))
}

/// Filters of the agency list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyListParams {
    /// Only the direct children of this agency.
    pub parent_id: Option<i64>,
}

/// List the agencies the caller sees (its own and its descendants).
#[utoipa::path(tag = "agencies", params(AgencyListParams, PageParams),
    responses((status = 200, description = "A page of agencies", body = Page<AgencyResponse>), ReadErrors))]
#[get("/agencies")]
async fn list_agencies(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<AgencyListParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AgencyResponse>>, ApiError> {
    let limit = page.limit()?;
    let after = page.cursor_id()?;
    let parent_id = filter.parent_id;
    let rows = state
        .db
        .read(move |conn| agencies::list(conn, &user, parent_id, after, limit + 1))
        .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |r| r.id, AgencyResponse::from)))
}

/// Get one agency.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Agency id")),
    responses((status = 200, description = "The agency", body = AgencyResponse), ReadErrors))]
#[get("/agencies/{id}")]
async fn get_agency(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<AgencyResponse>, ApiError> {
    let id = id.into_inner();
    let row = state
        .db
        .read(move |conn| agencies::get_visible(conn, &user, id))
        .await?;
    Ok(web::Json(row.into()))
}
