//! Users and their API tokens (stored as SHA-256 hashes only).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{agencies, api_tokens, users};
use super::{insert_returning_id, DbConnection};

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub agency_id: Option<i64>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    /// The unique sign-in name of the staff console, if one is set.
    pub login: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
struct NewUserRow<'a> {
    name: &'a str,
    role: &'a str,
    agency_id: Option<i64>,
    active: bool,
    created_at: NaiveDateTime,
}

/// Insert an active user and return it.
///
/// # Errors
/// A database error.
pub fn insert(
    conn: &mut DbConnection,
    name: &str,
    role: &str,
    agency_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<UserRow> {
    let row = NewUserRow { name, role, agency_id, active: true, created_at: now };
    let id = insert_returning_id!(conn, users::table, users::id, &row)?;
    get(conn, id)
}

/// The user with `id`.
///
/// # Errors
/// `NotFound` or a database error.
pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<UserRow> {
    users::table.find(id).select(UserRow::as_select()).get_result(conn)
}

/// The user with `id`, if any.
///
/// # Errors
/// A database error.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<UserRow>> {
    users::table.find(id).select(UserRow::as_select()).get_result(conn).optional()
}

/// Users of agencies whose path starts with `scope` (all users when `None`), by id after `after`.
///
/// # Errors
/// A database error.
pub fn list(conn: &mut DbConnection, scope: Option<&str>, after: Option<i64>, limit: i64) -> QueryResult<Vec<UserRow>> {
    let mut query =
        users::table.left_join(agencies::table).select(UserRow::as_select()).order(users::id).limit(limit).into_boxed();
    if let Some(scope) = scope {
        query = query.filter(agencies::path.like(format!("{scope}%")));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    query.load(conn)
}

/// Set a user's `active` flag.
///
/// # Errors
/// A database error.
pub fn set_active(conn: &mut DbConnection, id: i64, active: bool) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set(users::active.eq(active)).execute(conn)
}

/// Store the hash of a new token for `user_id`; returns the token's id.
///
/// # Errors
/// A database error.
pub fn insert_token(conn: &mut DbConnection, user_id: i64, token_hash: &str, now: NaiveDateTime) -> QueryResult<i64> {
    insert_returning_id!(
        conn,
        api_tokens::table,
        api_tokens::id,
        (api_tokens::user_id.eq(user_id), api_tokens::token_hash.eq(token_hash), api_tokens::created_at.eq(now),)
    )
}

/// Revoke every token of `user_id` that is not yet revoked; returns how many.
///
/// # Errors
/// A database error.
pub fn revoke_tokens(conn: &mut DbConnection, user_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(api_tokens::table.filter(api_tokens::user_id.eq(user_id)).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)
}

/// The user with `id` and the path of its agency, if any.
///
/// # Errors
/// A database error.
pub fn find_with_path(conn: &mut DbConnection, id: i64) -> QueryResult<Option<(UserRow, Option<String>)>> {
    users::table
        .left_join(agencies::table)
        .filter(users::id.eq(id))
        .select((UserRow::as_select(), agencies::path.nullable()))
        .get_result(conn)
        .optional()
}

/// The user holding an unrevoked token with `token_hash`, and the path of the user's agency.
///
/// # Errors
/// A database error.
pub fn find_by_token(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<(UserRow, Option<String>)>> {
    api_tokens::table
        .inner_join(users::table.left_join(agencies::table))
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .select((UserRow::as_select(), agencies::path.nullable()))
        .get_result(conn)
        .optional()
}

/// Set (or clear) a user's e-mail address.
///
/// # Errors
/// A database error.
pub fn set_email(conn: &mut DbConnection, id: i64, email: Option<&str>) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(users::email.eq(email)).execute(conn)?;
    Ok(())
}

/// Active users bound to an agency, with an e-mail address and one of `roles`: (id, agency id,
/// e-mail address), by id.
///
/// # Errors
/// A database error.
pub fn with_email(conn: &mut DbConnection, roles: &[&str]) -> QueryResult<Vec<(i64, i64, String, String)>> {
    let rows: Vec<(i64, Option<i64>, Option<String>, String)> = users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(roles))
        .filter(users::agency_id.is_not_null())
        .filter(users::email.is_not_null())
        .order(users::id)
        .select((users::id, users::agency_id, users::email, users::role))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(id, agency, email, role)| Some((id, agency?, email?, role))).collect())
}
