//! Signing in to the staff console: Argon2id password hashes, sign-in names, and sessions kept in
//! the database (only the SHA-256 of a session's cookie value is stored, so logout, a password
//! change or a deactivation ends a session on every instance at once, and sessions survive a
//! restart).
//!
//! Hashing and verifying a password takes tens of milliseconds of CPU on purpose: callers run
//! [`hash_password`] outside any transaction (on a blocking thread), and [`check_credentials`]
//! on a read connection, never on the single SQLite writer.

use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use chrono::{NaiveDateTime, TimeDelta};
use rand::RngCore;

use super::auth::hash_token;
use super::{users as user_service, Actor, ServiceError, ServiceResult};
use crate::domain::ids::{AgencyId, UserId};
use crate::domain::sign_in::{Login, Password};
use crate::domain::{Role, Violation};
use crate::storage::sessions::LoginRow;
use crate::storage::{is_unique_violation, sessions, DbConnection, StorageError};

/// How long a session lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused for this long has ended.
    pub idle_timeout: TimeDelta,
    /// A session this old has ended, however busy.
    pub lifetime: TimeDelta,
}

impl SessionPolicy {
    /// How stale `last_seen_at` may be before a request records the use again: a write per page
    /// view would be wasted, and the idle timeout is minutes, not seconds.
    pub fn touch_after(&self) -> TimeDelta {
        (self.idle_timeout / 10).min(TimeDelta::seconds(60))
    }
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle_timeout: TimeDelta::minutes(30), lifetime: TimeDelta::hours(12) }
    }
}

/// The Argon2id PHC string of a password (salted with 16 random bytes; the crate's default
/// parameters, which follow the OWASP recommendation: 19 MiB, 2 passes, 1 lane).
///
/// # Errors
/// `Corrupt` when hashing fails (it does not for valid parameters).
pub fn hash_password(password: &Password) -> ServiceResult<String> {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| ServiceError::corrupt(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash).
pub fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash that no password is checked against for real: verifying against it when the name is
/// unknown makes a failed sign-in take as long whether or not the name exists.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        Password::parse("decoy password, never valid", "password")
            .ok()
            .and_then(|p| hash_password(&p).ok())
            .unwrap_or_default()
    })
}

/// The id of the active user whose sign-in name is `login` and whose password is `password`.
/// `None` for anything else (unknown name, wrong password, no password set, deactivated), without
/// saying which.
///
/// # Errors
/// A database error.
pub fn check_credentials(conn: &mut DbConnection, login: &str, password: &str) -> ServiceResult<Option<i64>> {
    let found = match Login::parse(login) {
        Ok(login) => sessions::find_login(conn, login.as_str())?,
        Err(_) => None,
    };
    match found {
        Some(LoginRow { user_id, active: true, password_hash: Some(hash) }) => {
            Ok(verify_password(&hash, password).then_some(user_id))
        }
        _ => {
            verify_password(decoy_hash(), password);
            Ok(None)
        }
    }
}

/// A session just started: the cookie value (shown to the browser only) and its CSRF token.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub cookie_value: String,
    pub csrf_token: String,
}

fn random_token(prefix: &str) -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Start a session for `user_id` (found by [`check_credentials`]); also removes the sessions of
/// every user that have ended by `policy`.
///
/// # Errors
/// 409 `user_inactive` when the user was deactivated meanwhile; a database error.
pub fn start_session(
    conn: &mut DbConnection,
    user_id: i64,
    policy: SessionPolicy,
    now: NaiveDateTime,
) -> ServiceResult<NewSession> {
    let user = crate::storage::users::get(conn, user_id)?;
    if !user.active {
        return Err(ServiceError::conflict("user_inactive", "该用户已停用"));
    }
    sessions::delete_expired(conn, now - policy.idle_timeout, now - policy.lifetime)?;
    let cookie_value = random_token("gks_");
    let csrf_token = random_token("");
    sessions::insert(conn, user_id, &hash_token(&cookie_value), &csrf_token, now)?;
    Ok(NewSession { cookie_value, csrf_token })
}

/// A valid session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub actor: Actor,
    pub csrf_token: String,
    /// The use should be recorded ([`touch`]) so that the idle timeout starts again.
    pub needs_touch: bool,
}

/// What a session cookie is worth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionCheck {
    Valid(Session),
    /// It existed but ended by time (idle or too old): the caller may [`end_session`] it.
    Expired {
        id: i64,
    },
    /// No such session (never was, signed out, ended by a password change or deactivation).
    Unknown,
}

/// Look the session with cookie value `cookie_value` up.
///
/// # Errors
/// A database error.
pub fn check_session(
    conn: &mut DbConnection,
    cookie_value: &str,
    policy: SessionPolicy,
    now: NaiveDateTime,
) -> ServiceResult<SessionCheck> {
    let Some(row) = sessions::find(conn, &hash_token(cookie_value))? else {
        return Ok(SessionCheck::Unknown);
    };
    if now - row.last_seen_at >= policy.idle_timeout || now - row.created_at >= policy.lifetime {
        return Ok(SessionCheck::Expired { id: row.id });
    }
    let user = row.user;
    let Some(role) = Role::parse(&user.role) else {
        return Err(ServiceError::corrupt("users.role"));
    };
    if !user.active || (user.agency_id.is_some() && row.agency_path.is_none()) {
        return Ok(SessionCheck::Unknown);
    }
    Ok(SessionCheck::Valid(Session {
        id: row.id,
        actor: Actor {
            user_id: UserId::new(user.id),
            name: user.name,
            role,
            agency_id: user.agency_id.map(AgencyId::new),
            scope: row.agency_path,
        },
        csrf_token: row.csrf_token,
        needs_touch: now - row.last_seen_at >= policy.touch_after(),
    }))
}

/// Record that the session was used now.
///
/// # Errors
/// A database error.
pub fn touch(conn: &mut DbConnection, session_id: i64, now: NaiveDateTime) -> ServiceResult<()> {
    sessions::touch(conn, session_id, now)?;
    Ok(())
}

/// End one session (sign-out, or an expired one found).
///
/// # Errors
/// A database error.
pub fn end_session(conn: &mut DbConnection, session_id: i64) -> ServiceResult<()> {
    sessions::delete(conn, session_id)?;
    Ok(())
}

/// End every session of a user; returns how many there were.
///
/// # Errors
/// A database error.
pub fn end_sessions_of(conn: &mut DbConnection, user_id: i64) -> ServiceResult<usize> {
    Ok(sessions::delete_of_user(conn, user_id)?)
}

/// Set the sign-in name and/or password hash of a user, without an acting user (the command
/// line, or a use case that checked the actor already). A new password ends the user's sessions.
///
/// # Errors
/// 422 `login_taken` when another user has the name.
pub fn set_credentials_unchecked(
    conn: &mut DbConnection,
    user_id: i64,
    login: Option<&Login>,
    password_hash: Option<&str>,
) -> ServiceResult<()> {
    if let Some(login) = login {
        match sessions::user_with_login(conn, login.as_str())? {
            Some(other) if other != user_id => return Err(login_taken(login)),
            _ => {}
        }
        sessions::set_login(conn, user_id, login.as_str()).map_err(|e| {
            if is_unique_violation(&e) {
                login_taken(login)
            } else {
                ServiceError::Storage(StorageError::Query(e))
            }
        })?;
    }
    if let Some(hash) = password_hash {
        sessions::set_password_hash(conn, user_id, hash)?;
        sessions::delete_of_user(conn, user_id)?;
    }
    Ok(())
}

/// Set the password of the user with sign-in name `login` without an acting user (the command
/// line); returns how many of the user's sessions ended.
///
/// # Errors
/// 404 when no user has the name.
pub fn set_password_by_login(conn: &mut DbConnection, login: &Login, password_hash: &str) -> ServiceResult<usize> {
    let user_id = sessions::user_with_login(conn, login.as_str())?
        .ok_or(ServiceError::NotFound { what: "user", code: "user_not_found" })?;
    let ended = sessions::count_of_user(conn, user_id)?;
    set_credentials_unchecked(conn, user_id, None, Some(password_hash))?;
    Ok(usize::try_from(ended).unwrap_or(0))
}

fn login_taken(login: &Login) -> ServiceError {
    Violation::field("login_taken", "login", format!("用户名“{login}”已被占用")).into()
}

/// Set a user's sign-in name and/or password as an administrator (inside the administrator's
/// subtree). Setting a password ends the user's sessions.
///
/// # Errors
/// 403 for other roles, 404 outside the caller's subtree, 409 for a deactivated user, 422
/// `login_taken`.
pub fn set_credentials(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: i64,
    login: Option<&Login>,
    password_hash: Option<&str>,
) -> ServiceResult<crate::storage::users::UserRow> {
    actor.require(actor.role.can_administer(), "manage users")?;
    let user = user_service::get(conn, actor, user_id)?;
    if !user.active {
        return Err(ServiceError::conflict("user_inactive", "该用户已停用"));
    }
    set_credentials_unchecked(conn, user_id, login, password_hash)?;
    Ok(user)
}

/// Check the caller's current password (before changing it).
///
/// # Errors
/// 422 `wrong_password` on `current_password`.
pub fn verify_own_password(conn: &mut DbConnection, actor: &Actor, current: &str) -> ServiceResult<()> {
    let hash = sessions::password_hash(conn, actor.user_id.get())?;
    match hash {
        Some(hash) if verify_password(&hash, current) => Ok(()),
        _ => Err(Violation::field("wrong_password", "current_password", "当前密码不正确").into()),
    }
}

/// Replace the caller's own password (checked with [`verify_own_password`] first): every session
/// of the caller ends, this one included.
///
/// # Errors
/// A database error.
pub fn set_own_password(conn: &mut DbConnection, actor: &Actor, password_hash: &str) -> ServiceResult<()> {
    sessions::set_password_hash(conn, actor.user_id.get(), password_hash)?;
    sessions::delete_of_user(conn, actor.user_id.get())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let password = Password::parse("正确的密码 correct", "password").unwrap();
        let hash = hash_password(&password).unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct"));
        assert!(verify_password(&hash, "正确的密码 correct"));
        assert!(!verify_password(&hash, "正确的密码 wrong"));
        assert!(!verify_password("not a hash", "正确的密码 correct"));
        let again = hash_password(&password).unwrap();
        assert_ne!(hash, again, "salted");
    }

    #[test]
    fn sessions_touch_at_most_every_minute() {
        let policy = SessionPolicy { idle_timeout: TimeDelta::minutes(30), lifetime: TimeDelta::hours(8) };
        assert_eq!(policy.touch_after(), TimeDelta::seconds(60));
        let short = SessionPolicy { idle_timeout: TimeDelta::seconds(100), lifetime: TimeDelta::hours(8) };
        assert_eq!(short.touch_after(), TimeDelta::seconds(10));
    }
}
