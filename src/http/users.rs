//! `/api/v1/users`: users and their tokens (administrators).

use actix_web::{get, post, put, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{AuthUser, FreshAuthUser};
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{Json, Query};
use super::pagination::{cursor_for, Page, PageParams};
use super::AppState;
use crate::domain::sign_in::{Login, Password};
use crate::domain::{Role, Violation};
use crate::service::sign_in;
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
    /// The unique sign-in name for the staff console: 2–64 letters, digits or `. _ - @`, stored
    /// in lowercase.
    #[serde(default)]
    #[schema(example = "lisi")]
    pub login: Option<String>,
    /// The console password (8–128 characters); only its Argon2id hash is stored.
    #[serde(default)]
    #[schema(format = Password)]
    pub password: Option<String>,
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
    /// The sign-in name of the staff console; `null` when none is set.
    pub login: Option<String>,
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
            login: row.login,
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
    // The role first: nobody else gets the server to hash passwords.
    user.require(user.role.can_administer(), "manage users")?;
    let (login, password_hash) = credentials(body.login.as_deref(), body.password.as_deref()).await?;
    let now = state.now();
    let created = state
        .db
        .write(move |conn| {
            let mut created = users::create(conn, &user, &body.name, body.role, body.agency_id, now)?;
            users::set_email(conn, created.user.id, body.email.as_deref())?;
            sign_in::set_credentials_unchecked(conn, created.user.id, login.as_ref(), password_hash.as_deref())?;
            created.user.login = login.map(|l| l.as_str().to_string());
            Ok::<_, ServiceError>(created)
        })
        .await?;
    Ok(HttpResponse::Created().json(UserWithTokenResponse::try_from(created)?))
}

/// Parse an optional sign-in name and hash an optional password (on a blocking thread: hashing
/// is slow on purpose), reporting both fields' errors at once.
///
/// # Errors
/// 422 naming `login` and/or `password`.
pub(crate) async fn credentials(
    login: Option<&str>,
    password: Option<&str>,
) -> Result<(Option<Login>, Option<String>), ApiError> {
    let mut errors = Vec::new();
    let login = login.map(Login::parse).transpose().map_err(|e| errors.extend(e.errors)).ok().flatten();
    let password = password.map(|p| Password::parse(p, "password")).transpose().map_err(|e| errors.extend(e.errors));
    Violation::check(errors)?;
    let hash = match password.ok().flatten() {
        Some(password) => {
            Some(web::block(move || sign_in::hash_password(&password)).await.map_err(ApiError::internal)??)
        }
        None => None,
    };
    Ok((login, hash))
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

/// A user's new sign-in name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetLoginRequest {
    /// 2–64 letters, digits or `. _ - @`; stored in lowercase; unique.
    #[schema(example = "lisi")]
    pub login: String,
}

/// Set a user's sign-in name for the staff console (administrators, inside their subtree).
#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "User id")), request_body = SetLoginRequest,
    responses((status = 200, description = "The user", body = UserResponse), WriteErrors))]
#[put("/users/{id}/login")]
async fn set_login(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: Json<SetLoginRequest>,
) -> Result<web::Json<UserResponse>, ApiError> {
    let id = id.into_inner();
    let (login, _) = credentials(Some(&body.0.login), None).await?;
    let row = state
        .db
        .write(move |conn| {
            sign_in::set_credentials(conn, &user, id, login.as_ref(), None)?;
            users::get(conn, &user, id)
        })
        .await?;
    Ok(web::Json(row.try_into()?))
}

/// A user's new console password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    /// 8–128 characters; only its Argon2id hash is stored.
    #[schema(format = Password)]
    pub password: String,
}

/// Set or reset a user's console password (administrators, inside their subtree). Every console
/// session of the user ends at once; API tokens are not affected.
#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "User id")), request_body = SetPasswordRequest,
    responses((status = 200, description = "The user", body = UserResponse), WriteErrors))]
#[post("/users/{id}/password")]
async fn set_password(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: Json<SetPasswordRequest>,
) -> Result<web::Json<UserResponse>, ApiError> {
    let id = id.into_inner();
    // The role is checked before the (slow) hashing, so that others cannot make the server hash.
    user.require(user.role.can_administer(), "manage users")?;
    let (_, hash) = credentials(None, Some(&body.0.password)).await?;
    let row = state.db.write(move |conn| sign_in::set_credentials(conn, &user, id, None, hash.as_deref())).await?;
    Ok(web::Json(row.try_into()?))
}
