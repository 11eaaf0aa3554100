//! The officers' dashboard of an agency: open cases by status, due soon, overdue, concluded late.

use chrono::{Datelike, NaiveDate};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::cases::Now;
use super::{agencies as agency_service, Actor, ServiceResult};
use crate::storage::cases::CaseRow;
use crate::storage::schema::{agencies, cases};
use crate::storage::DbConnection;

/// How many working days ahead counts as "due soon".
pub const DUE_SOON_WORKING_DAYS: u32 = 5;

/// The figures of the dashboard.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub agency_id: i64,
    pub today: NaiveDate,
    /// Open cases per status key.
    pub open_by_status: Vec<(String, i64)>,
    /// The last day that counts as due soon.
    pub due_soon_until: NaiveDate,
    /// Running cases due from today up to `due_soon_until`, soonest first (at most `limit`).
    pub due_soon: Vec<CaseRow>,
    pub due_soon_count: i64,
    /// Running cases past their due date, most overdue first (at most `limit`).
    pub overdue: Vec<CaseRow>,
    pub overdue_count: i64,
    /// Cases concluded this year after their due date, and all concluded this year.
    pub concluded_late_this_year: i64,
    pub concluded_this_year: i64,
}

/// The dashboard of an agency (and its descendants when asked).
///
/// # Errors
/// 404 for an invisible agency.
pub fn dashboard(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: i64,
    include_descendants: bool,
    limit: i64,
    now: Now<'_>,
) -> ServiceResult<Dashboard> {
    let agency = agency_service::get_visible(conn, actor, agency_id)?;
    let ids: Vec<i64> = if include_descendants {
        agencies::table.filter(agencies::path.like(format!("{}%", agency.path))).select(agencies::id).load(conn)?
    } else {
        vec![agency.id]
    };
    let open = cases::agency_id.eq_any(ids.clone()).and(cases::status.ne("concluded"));
    let open_by_status: Vec<(String, i64)> = cases::table
        .filter(open.clone())
        .group_by(cases::status)
        .select((cases::status, count_star()))
        .order(cases::status)
        .load(conn)?;
    let today = now.today;
    let until = now.calendar.add_working_days(today, DUE_SOON_WORKING_DAYS);
    let running = open.clone().and(cases::paused.eq(false));
    let due_soon_filter = cases::due_on.ge(today).and(cases::due_on.le(until));
    let due_soon = cases::table
        .filter(running.clone())
        .filter(due_soon_filter)
        .order((cases::due_on, cases::id))
        .limit(limit)
        .select(CaseRow::as_select())
        .load(conn)?;
    let due_soon_count = cases::table.filter(running.clone()).filter(due_soon_filter).count().get_result(conn)?;
    let overdue = cases::table
        .filter(running.clone())
        .filter(cases::due_on.lt(today))
        .order((cases::due_on, cases::id))
        .limit(limit)
        .select(CaseRow::as_select())
        .load(conn)?;
    let overdue_count = cases::table.filter(running).filter(cases::due_on.lt(today)).count().get_result(conn)?;
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let concluded = cases::agency_id.eq_any(ids).and(cases::concluded_on.between(year_start, today));
    let concluded_this_year = cases::table.filter(concluded.clone()).count().get_result(conn)?;
    let concluded_late_this_year = cases::table
        .filter(concluded)
        .filter(cases::concluded_on.nullable().gt(cases::due_on.nullable()))
        .count()
        .get_result(conn)?;
    Ok(Dashboard {
        agency_id,
        today,
        open_by_status,
        due_soon_until: until,
        due_soon,
        due_soon_count,
        overdue,
        overdue_count,
        concluded_late_this_year,
        concluded_this_year,
    })
}
