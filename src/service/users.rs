//! Users and tokens: created by the command line or by administrators over the API.

use chrono::NaiveDateTime;

use super::auth::{generate_token, hash_token};
use super::{agencies as agency_service, Actor, ServiceError, ServiceResult};
use crate::domain::error::Errors;
use crate::domain::AgencyId;
use crate::domain::{Role, Violation};
use crate::storage::users;
pub use crate::storage::users::UserRow;
use crate::storage::{agencies, DbConnection};

/// A user just created, with the only copy of its token.
#[derive(Clone, Debug)]
pub struct CreatedUser {
    pub user: UserRow,
    pub token: String,
}

/// Create a user and a token without an acting user (the command line).
///
/// # Errors
/// 422 when the agency does not exist, or a role other than admin/auditor has no agency.
pub fn create_unchecked(
    conn: &mut DbConnection,
    name: &str,
    role: Role,
    agency_id: Option<i64>,
    now: NaiveDateTime,
) -> ServiceResult<CreatedUser> {
    let mut errors = Errors::default();
    let name = errors.text("name", name, 200);
    if agency_id.is_none() && !role.may_be_unbound() {
        errors.add("agency_id", format!("“{}”角色的用户必须属于一个机关（agency）", role.label()));
    }
    errors.finish()?;
    if let Some(id) = agency_id {
        if agencies::find(conn, AgencyId::new(id))?.is_none() {
            return Err(Violation::field("agency_not_found", "agency_id", format!("没有编号为{id}的机关")).into());
        }
    }
    let user = users::insert(conn, &name, role.as_str(), agency_id, now)?;
    let token = generate_token();
    users::insert_token(conn, user.id, &hash_token(&token), now)?;
    Ok(CreatedUser { user, token })
}

/// Create a user as an administrator: inside the administrator's subtree only.
///
/// # Errors
/// 403 for other roles; 404 for an invisible agency; 422 as [`create_unchecked`].
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    name: &str,
    role: Role,
    agency_id: Option<i64>,
    now: NaiveDateTime,
) -> ServiceResult<CreatedUser> {
    let actor = &super::auth::current(conn, actor)?;
    actor.require(actor.role.can_administer(), "管理用户")?;
    match agency_id {
        Some(id) => {
            agency_service::get_visible(conn, actor, AgencyId::new(id))?;
        }
        None if actor.scope.is_some() => {
            return Err(Violation::field(
                "agency_required",
                "agency_id",
                "所属机关的管理员只能在本机关及其下属机关中创建用户",
            )
            .into())
        }
        None => {}
    }
    create_unchecked(conn, name, role, agency_id, now)
}

/// The calling user's own record.
///
/// # Errors
/// A database error (the caller was just authenticated, so the user exists).
pub fn me(conn: &mut DbConnection, id: crate::domain::UserId) -> ServiceResult<UserRow> {
    Ok(users::get(conn, id.get())?)
}

/// The user with `id` if the caller administers it.
///
/// # Errors
/// 403 for non-admins, 404 when it does not exist or is outside the caller's subtree.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> ServiceResult<UserRow> {
    actor.require(actor.role.can_administer() || actor.role == Role::Auditor, "查看用户")?;
    let user = users::find(conn, id)?.ok_or(ServiceError::NotFound { what: "user", code: "user_not_found" })?;
    let visible = match (user.agency_id, &actor.scope) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(agency_id), Some(_)) => {
            agencies::find(conn, AgencyId::new(agency_id))?.is_some_and(|a| actor.sees(&a.path))
        }
    };
    if visible {
        Ok(user)
    } else {
        Err(ServiceError::NotFound { what: "user", code: "user_not_found" })
    }
}

/// Users the caller administers (or audits), by id after `after`.
///
/// # Errors
/// 403 for other roles.
pub fn list(conn: &mut DbConnection, actor: &Actor, after: Option<i64>, limit: i64) -> ServiceResult<Vec<UserRow>> {
    actor.require(actor.role.can_administer() || actor.role == Role::Auditor, "查看用户")?;
    Ok(users::list(conn, actor.scope.as_deref(), after, limit)?)
}

/// Activate or deactivate a user; deactivation also revokes every token and ends every console
/// session.
///
/// # Errors
/// 403 for non-admins or for the caller itself, 404 outside the caller's subtree.
pub fn set_active(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    active: bool,
    now: NaiveDateTime,
) -> ServiceResult<UserRow> {
    let actor = &super::auth::current(conn, actor)?;
    actor.require(actor.role.can_administer(), "管理用户")?;
    let user = get(conn, actor, id)?;
    // Nobody changes their own standing: an administrator neither deactivates nor (having been
    // deactivated on another instance, say) re-activates themselves.
    if user.id == actor.user_id.get() {
        return Err(ServiceError::forbidden(if active {
            "管理员不能重新启用自己的账号"
        } else {
            "管理员不能停用自己的账号"
        }));
    }
    users::set_active(conn, id, active)?;
    if !active {
        users::revoke_tokens(conn, id, now)?;
        super::sign_in::end_sessions_of(conn, id)?;
    }
    Ok(users::get(conn, id)?)
}

/// Issue a new token for a user (the previous ones stay valid unless `revoke_others`).
///
/// # Errors
/// 403 for non-admins, 404 outside the caller's subtree, 409 for an inactive user.
pub fn issue_token(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    revoke_others: bool,
    now: NaiveDateTime,
) -> ServiceResult<CreatedUser> {
    let actor = &super::auth::current(conn, actor)?;
    actor.require(actor.role.can_administer(), "管理用户")?;
    let user = get(conn, actor, id)?;
    if !user.active {
        return Err(ServiceError::conflict("user_inactive", "该用户已停用"));
    }
    if revoke_others {
        users::revoke_tokens(conn, id, now)?;
    }
    let token = generate_token();
    users::insert_token(conn, id, &hash_token(&token), now)?;
    Ok(CreatedUser { user, token })
}

/// Set a user's e-mail address (for the daily reminder digest), checked: at most 200 characters,
/// one `@` with text on both sides, no spaces.
///
/// # Errors
/// 422 for an address that is not one.
pub fn set_email(conn: &mut DbConnection, user_id: i64, email: Option<&str>) -> ServiceResult<()> {
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    if let Some(email) = email {
        // The mailer's own parser: the reminder digests go to this address.
        let valid = email.chars().count() <= 200 && crate::notify::address::is_sendable(email);
        if !valid {
            return Err(Violation::field("validation_failed", "email", "不是有效的电子邮件地址").into());
        }
    }
    users::set_email(conn, user_id, email)?;
    Ok(())
}
