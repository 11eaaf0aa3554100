//! The audit trail: who did what, when, from where. Entries are written in batches by the HTTP
//! server's audit writer and read by auditors.

use super::{Actor, ServiceResult};
use crate::storage::audit;
pub use crate::storage::audit::{AuditFilter, AuditRow};
use crate::storage::DbConnection;

/// Store a batch of entries (one statement per 100 rows).
///
/// # Errors
/// A database error.
pub fn insert_batch(conn: &mut DbConnection, rows: &[AuditRow]) -> ServiceResult<()> {
    Ok(audit::insert(conn, rows)?)
}

/// Append one entry and return its id (an aggregated entry that later requests add to).
///
/// # Errors
/// A database error.
pub fn insert_one(conn: &mut DbConnection, row: &AuditRow) -> ServiceResult<i64> {
    Ok(audit::insert_one(conn, row)?)
}

/// Add `n` requests to the aggregated entry `id`.
///
/// # Errors
/// A database error.
pub fn add_to_count(conn: &mut DbConnection, id: i64, n: i32) -> ServiceResult<()> {
    audit::add_to_count(conn, id, n)?;
    Ok(())
}

/// Whether storing entries failed because the database refused the entries themselves (a
/// constraint), so that retrying cannot help; anything else (connection, lock, I/O) may pass.
pub fn is_lasting(error: &super::ServiceError) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error as E};
    matches!(
        error,
        super::ServiceError::Storage(crate::storage::StorageError::Query(
            E::DatabaseError(K::UniqueViolation | K::ForeignKeyViolation | K::NotNullViolation | K::CheckViolation, _)
                | E::SerializationError(_)
                | E::QueryBuilderError(_)
        ))
    )
}

/// The entries matching `filter`, newest first, within the caller's scope.
///
/// # Errors
/// 403 for roles other than auditor and admin.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    mut filter: AuditFilter,
    limit: i64,
) -> ServiceResult<Vec<AuditRow>> {
    actor.require(matches!(actor.role, crate::domain::Role::Auditor | crate::domain::Role::Admin), "查看审计记录")?;
    filter.scope.clone_from(&actor.scope);
    Ok(audit::list(conn, &filter, limit)?)
}
