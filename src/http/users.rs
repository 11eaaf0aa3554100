//! `/api/v1/users`: users and their tokens (administrators).

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{AuthUser, FreshAuthUser};
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{Json, Query};
use super::pagination::{cursor_for, Page, PageParams};
use super::AppState;
use crate::domain::Role;
use crate::service::users::UserRow;
use crate::service::users::{self, CreatedUser};
use crate::service::{Actor, ServiceError};

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[schema(example = "李四")]
    pub name: String,
    pub role: Role,
    /// The user's agency; only `admin` and `auditor` may have none (then they see every agency).
    pub agency_id: Option<i64>,
    /// The user's e-mail address: officers and supervisors with one get the daily reminder digest.
    #[serde(default)]
    #[schema(example = "lisi@example.gov.cn")]
    pub email: Option<String>,
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<i64>,
    pub active: bool,
    #[serde(serialize_with = "super::rfc3339")]
    pub created_at: NaiveDateTime,
}

/// A user with a new token, shown only this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserWithTokenResponse {
    pub user: UserResponse,
    /// The bearer token. Only its hash is stored: it cannot be shown again.
    pub token: String,
}

impl TryFrom<UserRow> for UserResponse {
    type Error = ApiError;
    fn try_from(row: UserRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.id,
            role: Role::parse(&row.role).ok_or_else(|| ApiError::corrupt("users.role"))?,
            name: row.name,
            agency_id: row.agency_id,
            active: row.active,
            created_at: row.created_at,
        })
    }
}

impl TryFrom<CreatedUser> for UserWithTokenResponse {
    type Error = ApiError;
    fn try_from(created: CreatedUser) -> Result<Self, ApiError> {
        Ok(Self { user: created.user.try_into()?, token: created.token })
    }
}

/// Create a user and its first token (administrators, inside their subtree).
#[utoipa::path(tag = "users", request_body = CreateUserRequest,
    responses((status = 201, description = "The user and its token", body = UserWithTokenResponse), WriteErrors))]
#[post("/users")]
async fn create_user(
    state: web::Data<AppState>,
    user: FreshAuthUser,
    body: Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let now = state.now();
    let created = state
        .db
        .write(move |conn| {
            let created = users::create(conn, &user, &body.name, body.role, body.agency_id, now)?;
            users::set_email(conn, created.user.id, body.email.as_deref())?;
            Ok::<_, ServiceError>(created)
        })
        .await?;
    Ok(HttpResponse::Created().json(UserWithTokenResponse::try_from(created)?))
}

/// List users (administrators and auditors; within their subtree).
#[utoipa::path(tag = "users", params(PageParams),
    responses((status = 200, description = "A page of users", body = Page<UserResponse>), ReadErrors))]
#[get("/users")]
async fn list_users(
    state: web::Data<AppState>,
    user: AuthUser,
    page: Query<PageParams>,
) -> Result<web::Json<Page<UserResponse>>, ApiError> {
    let limit = page.limit()?;
    let after = page.cursor_id()?;
    let rows = state.db.read(move |conn| users::list(conn, &user, after, limit + 1)).await?;
    let page = Page::from_rows(rows, limit, |r| cursor_for(r.id), UserResponse::try_from);
    Ok(web::Json(Page { items: page.items.into_iter().collect::<Result<_, _>>()?, next_cursor: page.next_cursor }))
}

/// The caller itself.
#[utoipa::path(tag = "users", responses((status = 200, description = "The caller", body = UserResponse), ReadErrors))]
#[get("/users/me")]
async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<UserResponse>, ApiError> {
    let id = user.user_id;
    let row = state.db.read(move |conn| crate::service::users::me(conn, id).map_err(ApiError::from)).await?;
    Ok(web::Json(row.try_into()?))
}

/// Get one user.
#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "User id")),
    responses((status = 200, description = "The user", body = UserResponse), ReadErrors))]
#[get("/users/{id}")]
async fn get_user(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<UserResponse>, ApiError> {
    let id = id.into_inner();
    let row = state.db.read(move |conn| users::get(conn, &user, id)).await?;
    Ok(web::Json(row.try_into()?))
}

async fn set_active(
    state: web::Data<AppState>,
    actor: Actor,
    id: i64,
    active: bool,
) -> Result<web::Json<UserResponse>, ApiError> {
    let now = state.now();
    let row = state.db.write(move |conn| users::set_active(conn, &actor, id, active, now)).await?;
    state.auth_cache.clear();
    Ok(web::Json(row.try_into()?))
}

/// Deactivate a user: its tokens are revoked and it can no longer sign in.
#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "User id")),
    responses((status = 200, description = "The deactivated user", body = UserResponse), WriteErrors))]
#[post("/users/{id}/deactivate")]
async fn deactivate_user(
    state: web::Data<AppState>,
    user: FreshAuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<UserResponse>, ApiError> {
    set_active(state, user.0 .0, id.into_inner(), false).await
}

/// Reactivate a user (it needs a new token: the old ones stay revoked).
#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "User id")),
    responses((status = 200, description = "The reactivated user", body = UserResponse), WriteErrors))]
#[post("/users/{id}/activate")]
async fn activate_user(
    state: web::Data<AppState>,
    user: FreshAuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<UserResponse>, ApiError> {
    set_active(state, user.0 .0, id.into_inner(), true).await
}

/// Options of a new token.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueTokenRequest {
    /// Revoke the user's other tokens (default false).
    #[serde(default)]
    pub revoke_others: bool,
}

/// Issue a new token for a user.
#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "User id")), request_body = IssueTokenRequest,
    responses((status = 201, description = "The user and its new token", body = UserWithTokenResponse), WriteErrors))]
#[post("/users/{id}/tokens")]
async fn issue_token(
    state: web::Data<AppState>,
    user: FreshAuthUser,
    id: web::Path<i64>,
    body: Json<IssueTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let revoke = body.0.revoke_others;
    let now = state.now();
    let created = state.db.write(move |conn| users::issue_token(conn, &user, id, revoke, now)).await?;
    if revoke {
        state.auth_cache.clear();
    }
    Ok(HttpResponse::Created().json(UserWithTokenResponse::try_from(created)?))
}
