//! Facts of a case outside its statutory lifecycle — who handles it, where it is routed, chases,
//! documents. They are appended to the case's events like the steps (dated, with who recorded
//! them, version-checked) but change none of the columns the lifecycle derives.

use chrono::NaiveDate;

use crate::domain::case::Case;
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::ids::UserId;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::{cases, DbConnection};

/// The refusal when the case changed between reading it and writing the fact.
pub(crate) fn version_conflict() -> ServiceError {
    ServiceError::conflict("version_conflict", "案件已被他人同时修改，请刷新后重试")
}

/// Append `event` as the case's next event, in the caller's transaction, only if the case is
/// still at the version it was read with (`case.version`); otherwise 409 and nothing is written.
///
/// # Errors
/// 409 when the case changed concurrently; a database error.
pub(crate) fn append(
    conn: &mut DbConnection,
    case: &Case,
    event: CaseEvent,
    actor_id: Option<UserId>,
    effective_on: NaiveDate,
    at: chrono::NaiveDateTime,
) -> ServiceResult<RecordedEvent> {
    let seq = i32::try_from(case.version + 1).map_err(|_| ServiceError::conflict("too_many_events", "案件事件过多"))?;
    if !cases::touch_versioned(conn, case.id, case.version, at)? {
        return Err(version_conflict());
    }
    let recorded = RecordedEvent { seq, effective_on, recorded_at: at, actor_id, event };
    cases::insert_event(conn, case.id, &recorded)?;
    Ok(recorded)
}
