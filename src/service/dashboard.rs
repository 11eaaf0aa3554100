//! The officers' dashboard of an agency: open cases by status, due soon, overdue, concluded late.

use chrono::{Datelike, NaiveDate};

use super::{agencies as agency_service, Actor, Now, ServiceResult};
use crate::domain::case::CaseSummary;
use crate::domain::ids::AgencyId;
use crate::domain::CaseStatus;
use crate::storage::{deadlines, DbConnection};

/// "Due soon" means due within this many working days.
pub const DUE_SOON_WORKING_DAYS: u32 = 5;

/// The dashboard of an agency (or of its subtree).
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub agency_id: AgencyId,
    pub today: NaiveDate,
    pub open_by_status: Vec<(CaseStatus, i64)>,
    pub due_soon_until: NaiveDate,
    /// Running cases due from today to `due_soon_until`, earliest first (at most the limit).
    pub due_soon: Vec<CaseSummary>,
    pub due_soon_count: i64,
    /// Overdue cases, earliest due first (at most the limit).
    pub overdue: Vec<CaseSummary>,
    pub overdue_count: i64,
    pub concluded_late_this_year: i64,
    pub concluded_this_year: i64,
}

/// The dashboard of a visible agency (with `include_descendants`, of its subtree), listing at
/// most `limit` cases per list.
///
/// # Errors
/// 404 invisible agency.
pub fn dashboard(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: AgencyId,
    include_descendants: bool,
    limit: i64,
    now: Now<'_>,
) -> ServiceResult<Dashboard> {
    let agency = agency_service::get_visible(conn, actor, agency_id)?;
    let ids = deadlines::agency_ids(conn, &agency, include_descendants)?;
    let today = now.today;
    let until = now.calendar.add_working_days(today, DUE_SOON_WORKING_DAYS);
    let (due_soon, due_soon_count) = deadlines::due_between(conn, &ids, today, until, limit)?;
    let (overdue, overdue_count) = deadlines::overdue(conn, &ids, today, limit)?;
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let (concluded_this_year, concluded_late_this_year) = deadlines::concluded_between(conn, &ids, year_start, today)?;
    Ok(Dashboard {
        agency_id,
        today,
        open_by_status: deadlines::open_by_status(conn, &ids)?,
        due_soon_until: until,
        due_soon,
        due_soon_count,
        overdue,
        overdue_count,
        concluded_late_this_year,
        concluded_this_year,
    })
}
