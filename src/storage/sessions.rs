//! Sign-in: users' sign-in names and password hashes, and the sessions of signed-in browsers
//! (stored by the SHA-256 of their cookie value only).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{agencies, sessions, users};
use super::users::UserRow;
use super::{insert_returning_id, DbConnection};

/// What signing in needs to know of a user found by sign-in name.
#[derive(Queryable, Clone, Debug, PartialEq, Eq)]
pub struct LoginRow {
    pub user_id: i64,
    pub active: bool,
    pub password_hash: Option<String>,
}

/// A stored session with its user and the path of the user's agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub id: i64,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub user: UserRow,
    pub agency_path: Option<String>,
}

/// The user whose sign-in name is `login` (already normalised), if any.
///
/// # Errors
/// A database error.
pub fn find_login(conn: &mut DbConnection, login: &str) -> QueryResult<Option<LoginRow>> {
    users::table
        .filter(users::login.eq(login))
        .select((users::id, users::active, users::password_hash))
        .get_result(conn)
        .optional()
}

/// The id of the user whose sign-in name is `login`, if any.
///
/// # Errors
/// A database error.
pub fn user_with_login(conn: &mut DbConnection, login: &str) -> QueryResult<Option<i64>> {
    users::table.filter(users::login.eq(login)).select(users::id).get_result(conn).optional()
}

/// Set a user's sign-in name.
///
/// # Errors
/// A database error (a name taken by another user is a unique violation).
pub fn set_login(conn: &mut DbConnection, user_id: i64, login: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id)).set(users::login.eq(login)).execute(conn)
}

/// Set a user's password hash (a PHC string).
///
/// # Errors
/// A database error.
pub fn set_password_hash(conn: &mut DbConnection, user_id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id)).set(users::password_hash.eq(hash)).execute(conn)
}

/// The password hash of a user, if one is set.
///
/// # Errors
/// A database error.
pub fn password_hash(conn: &mut DbConnection, user_id: i64) -> QueryResult<Option<String>> {
    users::table.find(user_id).select(users::password_hash).get_result(conn)
}

/// Store a new session; returns its id.
///
/// # Errors
/// A database error.
pub fn insert(
    conn: &mut DbConnection,
    user_id: i64,
    token_hash: &str,
    csrf_token: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    insert_returning_id!(
        conn,
        sessions::table,
        sessions::id,
        (
            sessions::token_hash.eq(token_hash),
            sessions::user_id.eq(user_id),
            sessions::csrf_token.eq(csrf_token),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
        )
    )
}

/// The session whose cookie hashes to `token_hash`, with its user, if it exists.
///
/// # Errors
/// A database error.
pub fn find(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<SessionRow>> {
    let row: Option<(i64, String, NaiveDateTime, NaiveDateTime, UserRow, Option<String>)> = sessions::table
        .inner_join(users::table.left_join(agencies::table))
        .filter(sessions::token_hash.eq(token_hash))
        .select((
            sessions::id,
            sessions::csrf_token,
            sessions::created_at,
            sessions::last_seen_at,
            UserRow::as_select(),
            agencies::path.nullable(),
        ))
        .get_result(conn)
        .optional()?;
    Ok(row.map(|(id, csrf_token, created_at, last_seen_at, user, agency_path)| SessionRow {
        id,
        csrf_token,
        created_at,
        last_seen_at,
        user,
        agency_path,
    }))
}

/// Record that the session was used at `now`.
///
/// # Errors
/// A database error.
pub fn touch(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id)).set(sessions::last_seen_at.eq(now)).execute(conn)
}

/// Delete the session with `id`.
///
/// # Errors
/// A database error.
pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(id)).execute(conn)
}

/// Delete every session of `user_id`; returns how many there were.
///
/// # Errors
/// A database error.
pub fn delete_of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

/// Delete the sessions idle since before `idle_before` or started before `started_before`.
///
/// # Errors
/// A database error.
pub fn delete_expired(
    conn: &mut DbConnection,
    idle_before: NaiveDateTime,
    started_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        sessions::table.filter(sessions::last_seen_at.lt(idle_before).or(sessions::created_at.lt(started_before))),
    )
    .execute(conn)
}

/// How many sessions `user_id` has.
///
/// # Errors
/// A database error.
pub fn count_of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<i64> {
    sessions::table.filter(sessions::user_id.eq(user_id)).count().get_result(conn)
}
