//! The deadline queries of the dashboard, the reminder digests and the sweep: open cases by
//! status, due soon, overdue, concluded late. "Overdue" here mirrors the one rule
//! ([`crate::domain::clock::is_overdue`]): an open status and a due date before today.

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::cases::{CaseSummaryRow, OPEN_STATUSES};
use super::schema::{agencies, cases, sweep_runs};
use super::{key, DbConnection, StorageResult};
use crate::domain::case::{Agency, CaseSummary};
use crate::domain::ids::{AgencyId, UserId};
use crate::domain::CaseStatus;

/// The ids of an agency and, with `include_descendants`, of every agency under it.
///
/// # Errors
/// A database error.
pub fn agency_ids(conn: &mut DbConnection, agency: &Agency, include_descendants: bool) -> StorageResult<Vec<i64>> {
    if !include_descendants {
        return Ok(vec![agency.id.get()]);
    }
    Ok(agencies::table.filter(agencies::path.like(format!("{}%", agency.path))).select(agencies::id).load(conn)?)
}

/// Open cases of the agencies, per status.
///
/// # Errors
/// A database error or corrupt data.
pub fn open_by_status(conn: &mut DbConnection, agency_ids: &[i64]) -> StorageResult<Vec<(CaseStatus, i64)>> {
    let rows: Vec<(String, i64)> = cases::table
        .filter(cases::agency_id.eq_any(agency_ids))
        .filter(cases::status.eq_any(OPEN_STATUSES))
        .group_by(cases::status)
        .select((cases::status, count_star()))
        .order(cases::status)
        .load(conn)?;
    rows.into_iter().map(|(s, n)| Ok((key(&s, CaseStatus::parse, "cases.status")?, n))).collect()
}

/// Open, running (not paused) cases due from `from` to `to`, earliest first: up to `limit` of
/// them, and how many there are.
///
/// # Errors
/// A database error or corrupt data.
pub fn due_between(
    conn: &mut DbConnection,
    agency_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> StorageResult<(Vec<CaseSummary>, i64)> {
    let filter = cases::agency_id
        .eq_any(agency_ids)
        .and(cases::status.eq_any(OPEN_STATUSES))
        .and(cases::paused.eq(false))
        .and(cases::due_on.between(from, to));
    let rows: Vec<CaseSummaryRow> = cases::table
        .filter(filter.clone())
        .order((cases::due_on, cases::id))
        .limit(limit)
        .select(CaseSummaryRow::as_select())
        .load(conn)?;
    let count = cases::table.filter(filter).count().get_result(conn)?;
    Ok((rows.into_iter().map(CaseSummary::try_from).collect::<StorageResult<_>>()?, count))
}

/// Cases overdue on `today`, earliest due first: up to `limit` of them, and how many there are.
///
/// # Errors
/// A database error or corrupt data.
pub fn overdue(
    conn: &mut DbConnection,
    agency_ids: &[i64],
    today: NaiveDate,
    limit: i64,
) -> StorageResult<(Vec<CaseSummary>, i64)> {
    let filter =
        cases::agency_id.eq_any(agency_ids).and(cases::status.eq_any(OPEN_STATUSES)).and(cases::due_on.lt(today));
    let rows: Vec<CaseSummaryRow> = cases::table
        .filter(filter.clone())
        .order((cases::due_on, cases::id))
        .limit(limit)
        .select(CaseSummaryRow::as_select())
        .load(conn)?;
    let count = cases::table.filter(filter).count().get_result(conn)?;
    Ok((rows.into_iter().map(CaseSummary::try_from).collect::<StorageResult<_>>()?, count))
}

/// Cases of the agencies concluded from `from` to `to`, and how many of them after their due date.
///
/// # Errors
/// A database error.
pub fn concluded_between(
    conn: &mut DbConnection,
    agency_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> StorageResult<(i64, i64)> {
    let concluded = cases::agency_id.eq_any(agency_ids).and(cases::concluded_on.between(from, to));
    let all = cases::table.filter(concluded.clone()).count().get_result(conn)?;
    let late = cases::table
        .filter(concluded)
        .filter(cases::concluded_on.nullable().gt(cases::due_on.nullable()))
        .count()
        .get_result(conn)?;
    Ok((all, late))
}

/// Whose reminder is being made: a handler gets the cases they handle first, then their unit's
/// unassigned ones; a supervisor gets every case of their agency and of their unit.
#[derive(Clone, Copy, Debug)]
pub enum Recipient {
    Handler { user_id: UserId, unit: AgencyId },
    Supervisor { agency: AgencyId },
}

/// The open cases a recipient's reminder lists: overdue on `today` or running and due by
/// `until`, earliest due first, at most `limit`. A case with a handler is the handler's alone;
/// one without is reminded to the officers of its unit (and a routed one to the unit it was sent
/// to).
///
/// # Errors
/// A database error or corrupt data.
pub fn to_remind(
    conn: &mut DbConnection,
    recipient: Recipient,
    today: NaiveDate,
    until: NaiveDate,
    limit: i64,
) -> StorageResult<Vec<CaseSummary>> {
    let mut query = cases::table.into_boxed::<super::DbBackend>();
    match recipient {
        Recipient::Handler { user_id, unit } => {
            let unit = unit.get();
            let in_unit = cases::unit_id.eq(unit).or(cases::unit_id.is_null().and(cases::agency_id.eq(unit)));
            query = query.filter(
                cases::handler_id
                    .eq(user_id.get())
                    .or(cases::handler_id.is_null().and(in_unit))
                    .or(cases::routed_to.eq(unit)),
            );
        }
        Recipient::Supervisor { agency } => {
            query = query.filter(cases::agency_id.eq(agency.get()).or(cases::unit_id.eq(agency.get())));
        }
    }
    let rows: Vec<CaseSummaryRow> = query
        .filter(cases::status.eq_any(OPEN_STATUSES))
        .filter(cases::due_on.lt(today).or(cases::paused.eq(false).and(cases::due_on.le(until))))
        .order((cases::due_on, cases::id))
        .limit(limit)
        .select(CaseSummaryRow::as_select())
        .load(conn)?;
    rows.into_iter().map(CaseSummary::try_from).collect()
}

/// Claim the sweep of `day` (one instance per day); returns whether this call claimed it.
///
/// # Errors
/// A database error.
pub fn claim_sweep_day(conn: &mut DbConnection, day: NaiveDate, at: chrono::NaiveDateTime) -> StorageResult<bool> {
    use diesel::sql_types::{Date, Timestamp};
    let inserted = diesel::sql_query(
        "INSERT INTO sweep_runs (day, started_at, concluded) VALUES ($1, $2, 0) ON CONFLICT (day) DO NOTHING",
    )
    .bind::<Date, _>(day)
    .bind::<Timestamp, _>(at)
    .execute(conn)?;
    Ok(inserted == 1)
}

/// Record the end of the sweep of `day`.
///
/// # Errors
/// A database error.
pub fn finish_sweep_day(
    conn: &mut DbConnection,
    day: NaiveDate,
    at: chrono::NaiveDateTime,
    concluded: usize,
) -> StorageResult<()> {
    diesel::update(sweep_runs::table.find(day))
        .set((sweep_runs::finished_at.eq(at), sweep_runs::concluded.eq(i32::try_from(concluded).unwrap_or(i32::MAX))))
        .execute(conn)?;
    Ok(())
}
