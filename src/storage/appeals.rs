//! Appeals against decisions: reconsideration and litigation (section four of the report).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{agencies, appeals};
use super::{insert_returning_id, DbConnection};

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = appeals)]
pub struct AppealRow {
    pub id: i64,
    pub case_id: i64,
    pub agency_id: i64,
    pub kind: String,
    pub filed_on: NaiveDate,
    pub result: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = appeals, treat_none_as_default_value = false)]
pub struct NewAppealRow<'a> {
    pub case_id: i64,
    pub agency_id: i64,
    pub kind: &'a str,
    pub filed_on: NaiveDate,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

/// Insert an appeal; returns its id.
///
/// # Errors
/// A database error.
pub fn insert(conn: &mut DbConnection, row: &NewAppealRow<'_>) -> QueryResult<i64> {
    insert_returning_id!(conn, appeals::table, appeals::id, row)
}

/// The appeal with `id` and the path of its agency, if any.
///
/// # Errors
/// A database error.
pub fn find_with_path(conn: &mut DbConnection, id: i64) -> QueryResult<Option<(AppealRow, String)>> {
    appeals::table
        .inner_join(agencies::table)
        .filter(appeals::id.eq(id))
        .select((AppealRow::as_select(), agencies::path))
        .get_result(conn)
        .optional()
}

/// The appeal with `id`.
///
/// # Errors
/// `NotFound` or a database error.
pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<AppealRow> {
    appeals::table.find(id).select(AppealRow::as_select()).get_result(conn)
}

/// Record an appeal's result, only if it has none yet; returns whether it was recorded.
///
/// # Errors
/// A database error.
pub fn decide(conn: &mut DbConnection, id: i64, result: &str, decided_on: NaiveDate) -> QueryResult<bool> {
    let updated = diesel::update(appeals::table.filter(appeals::id.eq(id)).filter(appeals::result.is_null()))
        .set((appeals::result.eq(result), appeals::decided_on.eq(decided_on)))
        .execute(conn)?;
    Ok(updated == 1)
}

/// The appeals of a case, in order.
///
/// # Errors
/// A database error.
pub fn of_case(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<AppealRow>> {
    appeals::table.filter(appeals::case_id.eq(case_id)).order(appeals::id).select(AppealRow::as_select()).load(conn)
}

/// Appeals of agencies whose path starts with `scope`, optionally of one agency only, by id after `after`.
///
/// # Errors
/// A database error.
pub fn list(
    conn: &mut DbConnection,
    scope: &str,
    agency_id: Option<i64>,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AppealRow>> {
    let visible = agencies::table.filter(agencies::path.like(format!("{scope}%"))).select(agencies::id);
    let mut query = appeals::table
        .filter(appeals::agency_id.eq_any(visible))
        .order(appeals::id)
        .limit(limit)
        .select(AppealRow::as_select())
        .into_boxed();
    if let Some(agency_id) = agency_id {
        query = query.filter(appeals::agency_id.eq(agency_id));
    }
    if let Some(after) = after {
        query = query.filter(appeals::id.gt(after));
    }
    query.load(conn)
}
