//! The daily sweep: concludes cases whose correction or fee lapsed, as system events, once per day
//! across all instances.

use chrono::{NaiveDate, NaiveDateTime};

use super::cases::steps::conclude_lapsed;
use super::{Db, Now, ServiceError, ServiceResult};
use crate::domain::ids::CaseId;
use crate::domain::Outcome;
use crate::storage::cases::lapsed_ids;
use crate::storage::{deadlines, DbConnection};

/// Claim `day` for this instance: true for the first instance that asks, false afterwards.
///
/// # Errors
/// A database error.
pub fn claim_day(conn: &mut DbConnection, day: NaiveDate, at: NaiveDateTime) -> ServiceResult<bool> {
    Ok(deadlines::claim_sweep_day(conn, day, at)?)
}

/// Record the end of a day's run.
///
/// # Errors
/// A database error.
pub fn finish_day(conn: &mut DbConnection, day: NaiveDate, at: NaiveDateTime, concluded: usize) -> ServiceResult<()> {
    Ok(deadlines::finish_sweep_day(conn, day, at, concluded)?)
}

/// Ids of the cases that have lapsed by `day` (a batch).
///
/// # Errors
/// A database error.
pub fn due(conn: &mut DbConnection, day: NaiveDate, after: Option<CaseId>, limit: i64) -> ServiceResult<Vec<CaseId>> {
    Ok(lapsed_ids(conn, day, after, limit)?)
}

/// Conclude one lapsed case (call inside its own transaction).
///
/// # Errors
/// A database error or corrupt data.
pub fn conclude(conn: &mut DbConnection, id: CaseId, now: Now<'_>) -> ServiceResult<Option<Outcome>> {
    conclude_lapsed(conn, id, now)
}

/// What one sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub day: Option<NaiveDate>,
    /// Whether this run claimed the day (false: another instance or run had it; nothing was done).
    pub claimed: bool,
    pub concluded: Vec<(CaseId, Outcome)>,
    /// Lapsed cases left open because the lapse falls in a sealed year: a supervisor concludes them.
    pub sealed: Vec<CaseId>,
    /// Lapsed cases left open because their agency's letter settings lack the reconsideration
    /// body or the court the decision letter must name.
    pub settings_missing: Vec<CaseId>,
}

/// Run the sweep for `now.today`: conclude every lapsed case, each in its own transaction. With
/// `once_per_day`, only the first run of the day across all instances does the work.
///
/// # Errors
/// A database error (cases concluded before it stay concluded).
pub fn run(db: &Db, now: Now<'_>, once_per_day: bool) -> ServiceResult<SweepReport> {
    let day = now.today;
    let claimed = db.write_blocking(|conn| claim_day(conn, day, now.at))?;
    if once_per_day && !claimed {
        return Ok(SweepReport { day: Some(day), claimed: false, ..SweepReport::default() });
    }
    let mut concluded = Vec::new();
    let mut sealed = Vec::new();
    let mut settings_missing = Vec::new();
    // By id: a case the sweep leaves open (sealed, changed meanwhile) is not read again.
    let mut after = None;
    loop {
        let batch = db.write_blocking(|conn| due(conn, day, after, 200))?;
        after = batch.last().copied();
        for id in batch.iter().copied() {
            match db.write_blocking(|conn| conclude(conn, id, now)) {
                Ok(Some(outcome)) => concluded.push((id, outcome)),
                Ok(None) => {}
                // The lapse falls in a sealed year: only a supervisor, with a reason, may conclude it.
                Err(ServiceError::Conflict { code: "year_sealed", .. }) => {
                    tracing::warn!(case = %id, "sweep left a lapsed case of a sealed year for a supervisor");
                    sealed.push(id);
                }
                // Its agency's letter settings lack what the decision letter must name (the
                // reconsideration body, the court): a person concludes it once they are entered.
                Err(ServiceError::Conflict { code: "agency_settings_missing", .. }) => {
                    tracing::warn!(case = %id, "sweep left a lapsed case whose agency's letter settings are missing");
                    settings_missing.push(id);
                }
                // An officer changed the case meanwhile: it is no longer the sweep's to conclude.
                Err(ServiceError::Conflict { .. }) => {
                    tracing::info!(case = %id, "sweep skipped a case changed meanwhile")
                }
                Err(e) => return Err(e),
            }
        }
        if batch.len() < 200 {
            break;
        }
    }
    if claimed {
        db.write_blocking(|conn| finish_day(conn, day, now.at, concluded.len()))?;
    }
    Ok(SweepReport { day: Some(day), claimed, concluded, sealed, settings_missing })
}
