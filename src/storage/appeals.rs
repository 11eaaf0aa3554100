//! Appeals against decisions: reconsideration and litigation (section four of the report).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{agencies, appeals};
use super::{insert_returning_id, key, DbConnection, StorageError, StorageResult};
use crate::domain::case::Appeal;
use crate::domain::ids::{AgencyId, AppealId, CaseId, UserId};
use crate::domain::types::{AppealKind, AppealResult};

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = appeals)]
struct AppealRow {
    id: i64,
    case_id: i64,
    agency_id: i64,
    kind: String,
    filed_on: NaiveDate,
    result: Option<String>,
    decided_on: Option<NaiveDate>,
    created_by: i64,
    created_at: NaiveDateTime,
}

impl TryFrom<AppealRow> for Appeal {
    type Error = StorageError;

    fn try_from(row: AppealRow) -> StorageResult<Self> {
        Ok(Self {
            id: AppealId::new(row.id),
            case_id: CaseId::new(row.case_id),
            agency_id: AgencyId::new(row.agency_id),
            kind: key(&row.kind, AppealKind::parse, "appeals.kind")?,
            filed_on: row.filed_on,
            result: row.result.as_deref().map(|r| key(r, AppealResult::parse, "appeals.result")).transpose()?,
            decided_on: row.decided_on,
            created_by: UserId::new(row.created_by),
            created_at: row.created_at,
        })
    }
}

fn convert(rows: Vec<AppealRow>) -> StorageResult<Vec<Appeal>> {
    rows.into_iter().map(Appeal::try_from).collect()
}

/// Insert an appeal of a case; returns its id.
///
/// # Errors
/// A database error.
pub fn insert(
    conn: &mut DbConnection,
    case_id: CaseId,
    agency_id: AgencyId,
    kind: AppealKind,
    filed_on: NaiveDate,
    created_by: UserId,
    created_at: NaiveDateTime,
) -> StorageResult<AppealId> {
    let row = (
        appeals::case_id.eq(case_id.get()),
        appeals::agency_id.eq(agency_id.get()),
        appeals::kind.eq(kind.as_str()),
        appeals::filed_on.eq(filed_on),
        appeals::created_by.eq(created_by.get()),
        appeals::created_at.eq(created_at),
    );
    Ok(AppealId::new(insert_returning_id!(conn, appeals::table, appeals::id, row)?))
}

/// The appeal with `id` and the path of its agency, if any.
///
/// # Errors
/// A database error or corrupt data.
pub fn find_with_path(conn: &mut DbConnection, id: AppealId) -> StorageResult<Option<(Appeal, String)>> {
    let row: Option<(AppealRow, String)> = appeals::table
        .inner_join(agencies::table)
        .filter(appeals::id.eq(id.get()))
        .select((AppealRow::as_select(), agencies::path))
        .get_result(conn)
        .optional()?;
    row.map(|(appeal, path)| Ok((Appeal::try_from(appeal)?, path))).transpose()
}

/// The appeal with `id`.
///
/// # Errors
/// `NotFound`, a database error or corrupt data.
pub fn get(conn: &mut DbConnection, id: AppealId) -> StorageResult<Appeal> {
    Appeal::try_from(appeals::table.find(id.get()).select(AppealRow::as_select()).get_result(conn)?)
}

/// Record an appeal's result, unless one is recorded already; returns whether it was.
///
/// # Errors
/// A database error.
pub fn decide(
    conn: &mut DbConnection,
    id: AppealId,
    result: AppealResult,
    decided_on: NaiveDate,
) -> StorageResult<bool> {
    let updated = diesel::update(appeals::table.filter(appeals::id.eq(id.get())).filter(appeals::result.is_null()))
        .set((appeals::result.eq(result.as_str()), appeals::decided_on.eq(decided_on)))
        .execute(conn)?;
    Ok(updated == 1)
}

/// The appeals of a case, in the order filed.
///
/// # Errors
/// A database error or corrupt data.
pub fn of_case(conn: &mut DbConnection, case_id: CaseId) -> StorageResult<Vec<Appeal>> {
    convert(
        appeals::table
            .filter(appeals::case_id.eq(case_id.get()))
            .order(appeals::id)
            .select(AppealRow::as_select())
            .load(conn)?,
    )
}

/// Appeals of the agencies under `scope` (and of `agency_id` only, when given), by id after `after`.
///
/// # Errors
/// A database error or corrupt data.
pub fn list(
    conn: &mut DbConnection,
    scope: &str,
    agency_id: Option<AgencyId>,
    after: Option<AppealId>,
    limit: i64,
) -> StorageResult<Vec<Appeal>> {
    let visible = agencies::table.filter(agencies::path.like(format!("{scope}%"))).select(agencies::id);
    let mut query = appeals::table
        .filter(appeals::agency_id.eq_any(visible))
        .order(appeals::id)
        .limit(limit)
        .select(AppealRow::as_select())
        .into_boxed();
    if let Some(agency_id) = agency_id {
        query = query.filter(appeals::agency_id.eq(agency_id.get()));
    }
    if let Some(after) = after {
        query = query.filter(appeals::id.gt(after.get()));
    }
    convert(query.load(conn)?)
}

/// Remove an appeal recorded by mistake (its filing was revoked; the events keep the history).
///
/// # Errors
/// A database error.
pub fn delete(conn: &mut DbConnection, id: AppealId) -> StorageResult<()> {
    diesel::delete(appeals::table.find(id.get())).execute(conn)?;
    Ok(())
}

/// Undo an appeal's recorded result (its recording was revoked).
///
/// # Errors
/// A database error.
pub fn reset_result(conn: &mut DbConnection, id: AppealId) -> StorageResult<()> {
    diesel::update(appeals::table.find(id.get()))
        .set((appeals::result.eq(None::<String>), appeals::decided_on.eq(None::<NaiveDate>)))
        .execute(conn)?;
    Ok(())
}
