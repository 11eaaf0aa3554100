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
