//! The daily sweep: concludes cases whose correction or fee lapsed, as system events, once per day
//! across all instances.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Date, Timestamp};

use super::cases::{conclude_lapsed, Now};
use super::{ServiceError, ServiceResult};
use crate::domain::Outcome;
use crate::storage::cases::lapsed_ids;
use crate::storage::schema::sweep_runs;
use crate::storage::DbConnection;

/// Claim `day` for this instance: true for the first instance that asks, false afterwards.
///
/// # Errors
/// A database error.
pub fn claim_day(conn: &mut DbConnection, day: NaiveDate, at: NaiveDateTime) -> ServiceResult<bool> {
    let inserted = diesel::sql_query(
        "INSERT INTO sweep_runs (day, started_at, concluded) VALUES ($1, $2, 0) ON CONFLICT (day) DO NOTHING",
    )
    .bind::<Date, _>(day)
    .bind::<Timestamp, _>(at)
    .execute(conn)?;
    Ok(inserted == 1)
}

/// Record the end of a day's run.
///
/// # Errors
/// A database error.
pub fn finish_day(conn: &mut DbConnection, day: NaiveDate, at: NaiveDateTime, concluded: usize) -> ServiceResult<()> {
    diesel::update(sweep_runs::table.find(day))
        .set((sweep_runs::finished_at.eq(at), sweep_runs::concluded.eq(i32::try_from(concluded).unwrap_or(i32::MAX))))
        .execute(conn)?;
    Ok(())
}

/// Ids of the cases that have lapsed by `day` (a batch).
///
/// # Errors
/// A database error.
pub fn due(conn: &mut DbConnection, day: NaiveDate, limit: i64) -> ServiceResult<Vec<i64>> {
    Ok(lapsed_ids(conn, day, limit)?)
}

/// Conclude one lapsed case (call inside its own transaction).
///
/// # Errors
/// A database error or corrupt data.
pub fn conclude(conn: &mut DbConnection, id: i64, now: Now<'_>) -> ServiceResult<Option<Outcome>> {
    conclude_lapsed(conn, id, now)
}

/// What one sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub day: Option<NaiveDate>,
    /// Whether this run claimed the day (false: another instance or run had it; nothing was done).
    pub claimed: bool,
    pub concluded: Vec<(i64, Outcome)>,
}

/// Run the sweep for `now.today`: conclude every lapsed case, each in its own transaction. With
/// `once_per_day`, only the first run of the day across all instances does the work.
///
/// # Errors
/// A database error (cases concluded before it stay concluded).
pub fn run(db: &crate::storage::Db, now: Now<'_>, once_per_day: bool) -> ServiceResult<SweepReport> {
    let day = now.today;
    let claimed = db.write_blocking(|conn| claim_day(conn, day, now.at))?;
    if once_per_day && !claimed {
        return Ok(SweepReport { day: Some(day), claimed: false, concluded: Vec::new() });
    }
    let mut concluded = Vec::new();
    loop {
        let batch = db.write_blocking(|conn| due(conn, day, 200))?;
        let before = concluded.len();
        for id in batch.iter().copied() {
            match db.write_blocking(|conn| conclude(conn, id, now)) {
                Ok(Some(outcome)) => concluded.push((id, outcome)),
                Ok(None) => {}
                // An officer changed the case meanwhile: it is no longer the sweep's to conclude.
                Err(ServiceError::Conflict { .. }) => {
                    tracing::info!(case = id, "sweep skipped a case changed meanwhile")
                }
                Err(e) => return Err(e),
            }
        }
        if batch.len() < 200 || concluded.len() == before {
            break;
        }
    }
    if claimed {
        db.write_blocking(|conn| finish_day(conn, day, now.at, concluded.len()))?;
    }
    Ok(SweepReport { day: Some(day), claimed, concluded })
}
