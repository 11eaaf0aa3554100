//! The audit trail.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{agencies, audit_log, cases, users};
use super::DbConnection;

#[derive(Queryable, Selectable, Insertable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
pub struct AuditRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub at: NaiveDateTime,
    pub user_id: Option<i64>,
    pub method: String,
    pub path: String,
    pub status: i32,
    pub case_id: Option<i64>,
    pub remote_addr: Option<String>,
    pub action: String,
    /// How many requests the entry stands for (failed authentications are aggregated per
    /// address and minute; 1 for everything else).
    pub count: i32,
}

/// Rows per INSERT statement when appending entries (a full chunk is one prepared statement).
const ROWS_PER_INSERT: usize = 100;

/// Append entries, many rows per statement (one round trip per chunk instead of per entry).
///
/// # Errors
/// A database error.
pub fn insert(conn: &mut DbConnection, rows: &[AuditRow]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        super::per_backend!(conn, |c| diesel::insert_into(audit_log::table).values(chunk).execute(c)?);
    }
    Ok(())
}

/// Append one entry and return its id (for an aggregated entry that later requests add to).
///
/// # Errors
/// A database error.
pub fn insert_one(conn: &mut DbConnection, row: &AuditRow) -> QueryResult<i64> {
    super::insert_returning_id!(conn, audit_log::table, audit_log::id, row)
}

/// Add `n` requests to the aggregated entry `id`.
///
/// # Errors
/// A database error.
pub fn add_to_count(conn: &mut DbConnection, id: i64, n: i32) -> QueryResult<usize> {
    diesel::update(audit_log::table.find(id)).set(audit_log::count.eq(audit_log::count + n)).execute(conn)
}

/// Filters of the audit list.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Path prefix of the agencies the caller sees (`None`: everything).
    pub scope: Option<String>,
    pub case_id: Option<i64>,
    pub user_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub before_id: Option<i64>,
}

/// Entries matching `filter`, newest first.
///
/// # Errors
/// A database error.
pub fn list(conn: &mut DbConnection, filter: &AuditFilter, limit: i64) -> QueryResult<Vec<AuditRow>> {
    let mut query =
        audit_log::table.select(AuditRow::as_select()).order(audit_log::id.desc()).limit(limit).into_boxed();
    if let Some(scope) = &filter.scope {
        let visible_agencies = agencies::table.filter(agencies::path.like(format!("{scope}%"))).select(agencies::id);
        let visible_cases = cases::table.filter(cases::agency_id.eq_any(visible_agencies)).select(cases::id.nullable());
        let visible_agencies =
            agencies::table.filter(agencies::path.like(format!("{scope}%"))).select(agencies::id.nullable());
        let visible_users = users::table.filter(users::agency_id.eq_any(visible_agencies)).select(users::id.nullable());
        query = query.filter(audit_log::case_id.eq_any(visible_cases).or(audit_log::user_id.eq_any(visible_users)));
    }
    if let Some(case_id) = filter.case_id {
        query = query.filter(audit_log::case_id.eq(case_id));
    }
    if let Some(user_id) = filter.user_id {
        query = query.filter(audit_log::user_id.eq(user_id));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::at.le(to));
    }
    if let Some(before) = filter.before_id {
        query = query.filter(audit_log::id.lt(before));
    }
    query.load(conn)
}
