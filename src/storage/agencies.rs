//! Agencies and their tree (materialised `path` of ids, e.g. `/1/4/9/`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::agencies;
use super::{insert_returning_id, DbConnection, StorageResult};
use crate::domain::case::Agency;
use crate::domain::ids::AgencyId;

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = agencies)]
pub(crate) struct AgencyRow {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub parent_id: Option<i64>,
    pub path: String,
    pub created_at: NaiveDateTime,
    pub accepts_online_applications: bool,
}

impl From<AgencyRow> for Agency {
    fn from(row: AgencyRow) -> Self {
        Self {
            id: AgencyId::new(row.id),
            name: row.name,
            code: row.code,
            parent_id: row.parent_id.map(AgencyId::new),
            path: row.path,
            created_at: row.created_at,
            accepts_online_applications: row.accepts_online_applications,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = agencies, treat_none_as_default_value = false)]
struct NewAgencyRow<'a> {
    name: &'a str,
    code: &'a str,
    parent_id: Option<i64>,
    path: &'a str,
    created_at: NaiveDateTime,
    accepts_online_applications: bool,
}

/// Insert an agency under `parent` (whose path it extends) and return it.
///
/// # Errors
/// A database error (a duplicate code is a unique violation).
pub fn insert(
    conn: &mut DbConnection,
    name: &str,
    code: &str,
    parent: Option<&Agency>,
    accepts_online_applications: bool,
    now: NaiveDateTime,
) -> StorageResult<Agency> {
    let parent_path = parent.map_or("/", |p| p.path.as_str());
    let row = NewAgencyRow {
        name,
        code,
        parent_id: parent.map(|p| p.id.get()),
        path: parent_path,
        created_at: now,
        accepts_online_applications,
    };
    let id = insert_returning_id!(conn, agencies::table, agencies::id, &row)?;
    let path = format!("{parent_path}{id}/");
    diesel::update(agencies::table.find(id)).set(agencies::path.eq(&path)).execute(conn)?;
    get(conn, AgencyId::new(id))
}

/// The agency with `id`.
///
/// # Errors
/// `NotFound` or a database error.
pub fn get(conn: &mut DbConnection, id: AgencyId) -> StorageResult<Agency> {
    Ok(agencies::table.find(id.get()).select(AgencyRow::as_select()).get_result(conn)?.into())
}

/// The agency with `id`, if any.
///
/// # Errors
/// A database error.
pub fn find(conn: &mut DbConnection, id: AgencyId) -> StorageResult<Option<Agency>> {
    Ok(agencies::table.find(id.get()).select(AgencyRow::as_select()).get_result(conn).optional()?.map(Agency::from))
}

/// Open or close the agency for online applications.
///
/// # Errors
/// A database error.
pub fn set_accepts_online_applications(conn: &mut DbConnection, id: AgencyId, accepts: bool) -> StorageResult<()> {
    diesel::update(agencies::table.find(id.get()))
        .set(agencies::accepts_online_applications.eq(accepts))
        .execute(conn)?;
    Ok(())
}

/// The agencies open for online applications, by name.
///
/// # Errors
/// A database error.
pub fn list_online(conn: &mut DbConnection) -> StorageResult<Vec<Agency>> {
    Ok(agencies::table
        .filter(agencies::accepts_online_applications.eq(true))
        .select(AgencyRow::as_select())
        .order((agencies::name, agencies::id))
        .load(conn)?
        .into_iter()
        .map(Agency::from)
        .collect())
}

/// Whether an agency with `code` exists.
///
/// # Errors
/// A database error.
pub fn code_exists(conn: &mut DbConnection, code: &str) -> StorageResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(agencies::table.filter(agencies::code.eq(code)))).get_result(conn)?)
}

/// Agencies whose path starts with `scope` (all when `None`), ordered by id, after `after`.
///
/// # Errors
/// A database error.
pub fn list(
    conn: &mut DbConnection,
    scope: Option<&str>,
    parent_id: Option<AgencyId>,
    after: Option<AgencyId>,
    limit: i64,
) -> StorageResult<Vec<Agency>> {
    let mut query = agencies::table.select(AgencyRow::as_select()).order(agencies::id).limit(limit).into_boxed();
    if let Some(scope) = scope {
        query = query.filter(agencies::path.like(format!("{scope}%")));
    }
    if let Some(parent_id) = parent_id {
        query = query.filter(agencies::parent_id.eq(parent_id.get()));
    }
    if let Some(after) = after {
        query = query.filter(agencies::id.gt(after.get()));
    }
    Ok(query.load(conn)?.into_iter().map(Agency::from).collect())
}
