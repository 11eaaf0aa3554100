//! The case list: its filters ([`CaseFilter`]), the page query, the text search's plan and the
//! overdue look-ahead on PostgreSQL.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::cases::CaseSummaryRow;
use super::schema::{agencies, applicants, cases};
use super::search::{self, Plan};
use super::{DbBackend, DbConnection, StorageError, StorageResult};
use crate::domain::case::{Applicant, CaseSummary};
use crate::domain::ids::{AgencyId, ApplicantId, CaseId, UserId};
use crate::domain::CaseStatus;

/// Filters of the case list. `scope` is the caller's agency path prefix (`None`: everything).
#[derive(Debug, Default, Clone)]
pub struct CaseFilter {
    pub scope: Option<String>,
    pub agency_id: Option<AgencyId>,
    pub status: Option<CaseStatus>,
    pub open_only: bool,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    /// Open cases whose due date is before this date.
    pub due_before: Option<NaiveDate>,
    /// Open cases whose due date is before this date: overdue on it ([`crate::domain::clock::is_overdue`]).
    pub overdue_on: Option<NaiveDate>,
    pub applicant_id: Option<ApplicantId>,
    pub q: Option<String>,
    /// Keyset pagination: only cases after this (receipt date, id) in the list's order.
    pub before: Option<(NaiveDate, CaseId)>,
    /// The cases the caller sees beyond `scope`: received above it, handled in or routed to a
    /// unit of it ([`super::workflow::routed_in`]).
    pub routed_in: Vec<CaseId>,
    /// Cases handled by this person.
    pub handler_id: Option<UserId>,
    /// Cases handled in this unit, or routed to it and not yet signed for or returned.
    pub unit_id: Option<AgencyId>,
    /// Cases without a handler.
    pub unassigned: bool,
}

/// The statuses of open cases (an IN list, so that the (status, …) indexes serve it).
pub const OPEN_STATUSES: [&str; 4] = ["received", "awaiting_correction", "in_consultation", "awaiting_fee"];

/// Apply every filter of a case list but `q` to a boxed query over `cases` (alone or joined).
macro_rules! case_filters {
    ($query:expr, $filter:expr, $due_ids:expr) => {{
        let mut query = $query;
        let filter: &CaseFilter = $filter;
        if let Some(scope) = &filter.scope {
            if filter.routed_in.is_empty() {
                query = query.filter(cases::agency_id.eq_any(agencies_under(scope)));
            } else {
                let routed_in: Vec<i64> = filter.routed_in.iter().map(|id| id.get()).collect();
                query = query.filter(cases::agency_id.eq_any(agencies_under(scope)).or(cases::id.eq_any(routed_in)));
            }
        }
        if let Some(agency_id) = filter.agency_id {
            query = query.filter(cases::agency_id.eq(agency_id.get()));
        }
        if let Some(handler_id) = filter.handler_id {
            query = query.filter(cases::handler_id.eq(handler_id.get()));
        }
        if let Some(unit_id) = filter.unit_id {
            let unit = unit_id.get();
            query = query.filter(
                cases::unit_id
                    .eq(unit)
                    .or(cases::routed_to.eq(unit))
                    .or(cases::unit_id.is_null().and(cases::agency_id.eq(unit))),
            );
        }
        if filter.unassigned {
            query = query.filter(cases::handler_id.is_null());
        }
        match filter.status {
            Some(status) => query = query.filter(cases::status.eq(status.as_str())),
            // A voided case is listed only when asked for.
            None => query = query.filter(cases::status.ne(CaseStatus::Voided.as_str())),
        }
        if filter.open_only {
            query = query.filter(cases::status.eq_any(OPEN_STATUSES));
        }
        if let Some(from) = filter.received_from {
            query = query.filter(cases::received_on.ge(from));
        }
        if let Some(to) = filter.received_to {
            query = query.filter(cases::received_on.le(to));
        }
        if let Some(date) = filter.due_before {
            query = query.filter(cases::status.eq_any(OPEN_STATUSES)).filter(cases::due_on.lt(date));
        }
        if let Some(date) = filter.overdue_on {
            query = query.filter(cases::status.eq_any(OPEN_STATUSES)).filter(cases::due_on.lt(date));
        }
        if let Some(ids) = $due_ids {
            query = query.filter(cases::id.eq_any(ids));
        }
        if let Some(applicant_id) = filter.applicant_id {
            query = query.filter(cases::applicant_id.eq(applicant_id.get()));
        }
        if let Some((received_on, id)) = filter.before {
            query = query.filter(
                cases::received_on.lt(received_on).or(cases::received_on.eq(received_on).and(cases::id.lt(id.get()))),
            );
        }
        query
    }};
}

/// Cases matching `filter`, most recently received first (then newest registration), with their
/// applicants, at most `limit`. A text search (`q`) is served as [`super::search`] describes.
///
/// # Errors
/// A database error or corrupt data.
pub fn list(conn: &mut DbConnection, filter: &CaseFilter, limit: i64) -> StorageResult<Vec<(CaseSummary, Applicant)>> {
    let rows = match &filter.q {
        None => {
            let due_ids = overdue_ids(conn, filter)?;
            list_page(conn, filter, due_ids, limit, None)?
        }
        Some(q) => search::bounded(conn, |conn| {
            let due_ids = overdue_ids(conn, filter)?;
            // First the next few cases of the list ([`search::PROBE`]): a common term fills its page among them
            // (without asking the index for its many candidates, which PostgreSQL would collect
            // whole), and a short list ends there.
            let full = |rows: &Vec<_>| i64::try_from(rows.len()).is_ok_and(|n: i64| n >= limit);
            // On SQLite only for a term too short for the index: FTS5 hands out the first candidates
            // of a common term without collecting them all, and the look along the list cost it more
            // than it saved (docs/performance.md); a short term is walked along the list anyway, and
            // without the look first every such search measured a window of 20,000 cases before its
            // page (the case-list benchmark at 32 connections fell from 1,687 to 200 lists/s). The
            // answers are the same either way.
            let short = q.chars().count() < search::INDEXED_CHARS;
            let probe = if matches!(conn, DbConnection::Postgresql(_)) || short { search::probe() } else { 0 };
            if probe > 0 {
                let probe_end = window_end(conn, filter, due_ids.clone(), probe)?;
                let rows = list_page(conn, filter, due_ids.clone(), limit, Some((q, Scope::From(probe_end))))?;
                if probe_end.is_none() || full(&rows) {
                    return Ok(rows);
                }
            }
            match search::plan(conn, q)? {
                Plan::Candidates(ids) => Ok(list_page(conn, filter, due_ids, limit, Some((q, Scope::Ids(ids))))?),
                Plan::Walk => {
                    let end = window_end(conn, filter, due_ids.clone(), search::WINDOW)?;
                    let rows = list_page(conn, filter, due_ids, limit, Some((q, Scope::From(end))))?;
                    // The window ended before the page was full: the rest of the list may hold more.
                    if end.is_some() && !full(&rows) {
                        return Err(StorageError::SearchTooBroad);
                    }
                    Ok(rows)
                }
            }
        })?,
    };
    rows.into_iter().map(|(c, a)| Ok((CaseSummary::try_from(c)?, Applicant::try_from(a)?))).collect()
}

/// Where a search looks.
enum Scope {
    /// Among these cases.
    Ids(Vec<i64>),
    /// From the cursor down to this case of the list's order (`None`: to the end).
    From(search::WindowEnd),
}

/// One page of the list (rows as stored), with the text search's test and scope when given.
fn list_page(
    conn: &mut DbConnection,
    filter: &CaseFilter,
    due_ids: Option<Vec<i64>>,
    limit: i64,
    search: Option<(&str, Scope)>,
) -> QueryResult<Vec<(CaseSummaryRow, super::applicants::ApplicantRow)>> {
    let query = cases::table
        .inner_join(applicants::table)
        .select((CaseSummaryRow::as_select(), super::applicants::ApplicantRow::as_select()))
        .order((cases::received_on.desc(), cases::id.desc()))
        .limit(limit)
        .into_boxed::<DbBackend>();
    let mut query = case_filters!(query, filter, due_ids);
    if let Some((q, scope)) = search {
        query = query.filter(search::search_matches!(conn, q));
        match scope {
            Scope::Ids(ids) => query = query.filter(cases::id.eq_any(ids)),
            Scope::From(Some((received_on, id))) => {
                // The plain bound first, so that the planner ends its walk of the list's index
                // there (SQLite evaluates the OR as a filter only, and walked on to the end).
                query = query.filter(cases::received_on.ge(received_on)).filter(
                    cases::received_on.gt(received_on).or(cases::received_on.eq(received_on).and(cases::id.ge(id))),
                );
            }
            Scope::From(None) => {}
        }
    }
    query.load(conn)
}

/// The last case of a walked search's window: the `size`-th case of the list (from the cursor,
/// with its filters), if the list is that long.
fn window_end(
    conn: &mut DbConnection,
    filter: &CaseFilter,
    due_ids: Option<Vec<i64>>,
    size: i64,
) -> QueryResult<search::WindowEnd> {
    let query = cases::table
        .select((cases::received_on, cases::id))
        .order((cases::received_on.desc(), cases::id.desc()))
        .limit(1)
        .offset(size - 1)
        .into_boxed::<DbBackend>();
    case_filters!(query, filter, due_ids).get_result(conn).optional()
}

/// More open cases past their due date than this, and the list runs as one query.
const OVERDUE_IDS_MAX: usize = 10_000;

/// On PostgreSQL, for a list filtered by due date: the ids of the open cases due before it.
///
/// PostgreSQL misjudges how few those are (it takes status and due date as independent, while
/// concluded cases have past due dates and open ones mostly future ones: 4,075 estimated, 107 in
/// fact on a million cases), so for `ORDER BY received_on DESC … LIMIT` it walks the list order
/// and filters tens of thousands of rows (20 ms alone, 230 ms under load). Read first through
/// `cases_open_due`, the ids let it fetch and sort only those cases. Without a LIMIT, because
/// with one the generic plan of the prepared statement scans the table. When there are very many,
/// walking the list order finds a page quickly, and the list is one query again. SQLite's planner
/// uses `cases_open_due` by itself.
fn overdue_ids(conn: &mut DbConnection, filter: &CaseFilter) -> StorageResult<Option<Vec<i64>>> {
    let due = [filter.due_before, filter.overdue_on].into_iter().flatten().min();
    let (DbConnection::Postgresql(c), Some(date)) = (conn, due) else { return Ok(None) };
    // Only the cases the list can show: the caller's agencies, the agency asked for.
    let mut ids = cases::table
        .filter(cases::status.eq_any(OPEN_STATUSES))
        .filter(cases::due_on.lt(date))
        .select(cases::id)
        .into_boxed::<diesel::pg::Pg>();
    if let Some(scope) = &filter.scope {
        if filter.routed_in.is_empty() {
            ids = ids.filter(cases::agency_id.eq_any(agencies_under(scope)));
        } else {
            let routed_in: Vec<i64> = filter.routed_in.iter().map(|id| id.get()).collect();
            ids = ids.filter(cases::agency_id.eq_any(agencies_under(scope)).or(cases::id.eq_any(routed_in)));
        }
    }
    if let Some(agency_id) = filter.agency_id {
        ids = ids.filter(cases::agency_id.eq(agency_id.get()));
    }
    let ids: Vec<i64> = ids.load(c)?;
    Ok((ids.len() <= OVERDUE_IDS_MAX).then_some(ids))
}

/// The ids of the agencies whose path starts with `scope` (an agency and everything under it).
pub fn agencies_under(
    scope: &str,
) -> diesel::dsl::Select<diesel::dsl::Filter<agencies::table, diesel::dsl::Like<agencies::path, String>>, agencies::id>
{
    agencies::table.filter(agencies::path.like(format!("{scope}%"))).select(agencies::id)
}
