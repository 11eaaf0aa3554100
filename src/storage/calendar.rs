//! The working-day calendar as stored data, with the history of its changes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{calendar_changes, calendar_years};
use super::DbConnection;

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = calendar_years)]
pub struct CalendarYearRow {
    pub year: i32,
    pub notices: String,
    pub rest_days: String,
    pub work_days: String,
    pub source: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: Option<i64>,
}

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = calendar_changes)]
pub struct CalendarChangeRow {
    pub id: i64,
    pub year: i32,
    pub changed_at: NaiveDateTime,
    pub changed_by: Option<i64>,
    pub notice: String,
    pub previous: Option<String>,
    pub data: String,
}

/// Every stored year, ascending.
///
/// # Errors
/// A database error.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<CalendarYearRow>> {
    calendar_years::table.order(calendar_years::year).select(CalendarYearRow::as_select()).load(conn)
}

/// The stored year, if any.
///
/// # Errors
/// A database error.
pub fn find(conn: &mut DbConnection, year: i32) -> QueryResult<Option<CalendarYearRow>> {
    calendar_years::table.find(year).select(CalendarYearRow::as_select()).get_result(conn).optional()
}

/// Insert or replace a year (one statement: concurrent first writes of a year do not collide).
///
/// # Errors
/// A database error.
pub fn put(conn: &mut DbConnection, row: &CalendarYearRow) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
    diesel::sql_query(
        "INSERT INTO calendar_years (year, notices, rest_days, work_days, source, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (year) DO UPDATE SET notices = excluded.notices, \
         rest_days = excluded.rest_days, work_days = excluded.work_days, source = excluded.source, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind::<Integer, _>(row.year)
    .bind::<Text, _>(&row.notices)
    .bind::<Text, _>(&row.rest_days)
    .bind::<Text, _>(&row.work_days)
    .bind::<Text, _>(&row.source)
    .bind::<Timestamp, _>(row.updated_at)
    .bind::<Nullable<BigInt>, _>(row.updated_by)
    .execute(conn)?;
    Ok(())
}

/// Record a change of a year.
///
/// # Errors
/// A database error.
pub fn insert_change(
    conn: &mut DbConnection,
    year: i32,
    changed_at: NaiveDateTime,
    changed_by: Option<i64>,
    notice: &str,
    previous: Option<&str>,
    data: &str,
) -> QueryResult<()> {
    diesel::insert_into(calendar_changes::table)
        .values((
            calendar_changes::year.eq(year),
            calendar_changes::changed_at.eq(changed_at),
            calendar_changes::changed_by.eq(changed_by),
            calendar_changes::notice.eq(notice),
            calendar_changes::previous.eq(previous),
            calendar_changes::data.eq(data),
        ))
        .execute(conn)?;
    Ok(())
}

/// The changes of a year, oldest first.
///
/// # Errors
/// A database error.
pub fn changes(conn: &mut DbConnection, year: i32) -> QueryResult<Vec<CalendarChangeRow>> {
    calendar_changes::table
        .filter(calendar_changes::year.eq(year))
        .order(calendar_changes::id)
        .select(CalendarChangeRow::as_select())
        .load(conn)
}

/// The id of the latest change of any year (0 when none): instances compare it to reload.
///
/// # Errors
/// A database error.
pub fn latest_change(conn: &mut DbConnection) -> QueryResult<i64> {
    calendar_changes::table
        .select(diesel::dsl::max(calendar_changes::id))
        .first::<Option<i64>>(conn)
        .map(|id| id.unwrap_or(0))
}
