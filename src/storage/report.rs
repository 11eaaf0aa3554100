//! The annual report's aggregation queries: a few GROUP BY queries over covering indexes, whose
//! cost follows the cases of the reported year (and the cases still open), not all history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::applicants::ApplicantRow;
use super::cases::CaseSummaryRow;
use super::schema::{agencies, appeals, applicants, case_events, cases, sealed_reports, section_two};
use super::{insert_returning_id, DbBackend, DbConnection};
use crate::domain::case::{Applicant, CaseSummary};
use crate::domain::event::RecordedEvent;
use crate::domain::ids::CaseId;

/// Which agencies a report covers: one agency, or its whole subtree.
#[derive(Clone, Debug)]
pub struct Scope {
    pub agency_id: i64,
    /// The agency's path when the subtree is included.
    pub subtree: Option<String>,
}

impl Scope {
    /// The agency ids of the scope (one query; the tree is small).
    ///
    /// # Errors
    /// A database error.
    pub fn ids(&self, conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
        match &self.subtree {
            None => Ok(vec![self.agency_id]),
            Some(path) => {
                agencies::table.filter(agencies::path.like(format!("{path}%"))).select(agencies::id).load(conn)
            }
        }
    }
}

/// Counts per applicant category.
pub type ByCategory = Vec<(String, i64)>;

/// The voided cases of the agencies (a handful at most): their receipt dates and categories.
/// A voided case counts nowhere; it has no conclusion, so the counts below subtract it where it
/// would otherwise count as received or open, and the main queries keep their covering indexes.
fn voided(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(NaiveDate, String)>> {
    cases::table
        .filter(cases::status.eq("voided"))
        .filter(cases::agency_id.eq_any(ids))
        .select((cases::received_on, cases::applicant_category))
        .load(conn)
}

/// `counts` less the voided cases received in `range`, per category.
fn without_voided(
    conn: &mut DbConnection,
    ids: &[i64],
    mut counts: ByCategory,
    range: impl Fn(NaiveDate) -> bool,
) -> QueryResult<ByCategory> {
    for (_, category) in voided(conn, ids)?.into_iter().filter(|(on, _)| range(*on)) {
        counts.push((category, -1));
    }
    Ok(counts)
}

/// Cases received in `[from, to]`, per category (voided ones left out).
///
/// # Errors
/// A database error.
pub fn received_between(
    conn: &mut DbConnection,
    ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<ByCategory> {
    let counts = cases::table
        .filter(cases::agency_id.eq_any(ids))
        .filter(cases::received_on.between(from, to))
        .group_by(cases::applicant_category)
        .select((cases::applicant_category, count_star()))
        .load(conn)?;
    without_voided(conn, ids, counts, |on| from <= on && on <= to)
}

/// Cases received before `day` and not concluded before it (open at the start of `day`), per
/// category. Two index ranges: never concluded, and concluded on or after `day`.
///
/// # Errors
/// A database error.
pub fn open_at_start_of(conn: &mut DbConnection, ids: &[i64], day: NaiveDate) -> QueryResult<ByCategory> {
    let open: ByCategory = cases::table
        .filter(cases::agency_id.eq_any(ids))
        .filter(cases::concluded_on.is_null())
        .filter(cases::received_on.lt(day))
        .group_by(cases::applicant_category)
        .select((cases::applicant_category, count_star()))
        .load(conn)?;
    let later: ByCategory = cases::table
        .filter(cases::agency_id.eq_any(ids))
        .filter(cases::concluded_on.ge(day))
        .filter(cases::received_on.lt(day))
        .group_by(cases::applicant_category)
        .select((cases::applicant_category, count_star()))
        .load(conn)?;
    without_voided(conn, ids, open.into_iter().chain(later).collect(), |on| on < day)
}

/// Cases received on or before `day` and not concluded by its end, per category.
///
/// # Errors
/// A database error.
pub fn open_at_end_of(conn: &mut DbConnection, ids: &[i64], day: NaiveDate) -> QueryResult<ByCategory> {
    let open: ByCategory = cases::table
        .filter(cases::agency_id.eq_any(ids))
        .filter(cases::concluded_on.is_null())
        .filter(cases::received_on.le(day))
        .group_by(cases::applicant_category)
        .select((cases::applicant_category, count_star()))
        .load(conn)?;
    let later: ByCategory = cases::table
        .filter(cases::agency_id.eq_any(ids))
        .filter(cases::concluded_on.gt(day))
        .filter(cases::received_on.le(day))
        .group_by(cases::applicant_category)
        .select((cases::applicant_category, count_star()))
        .load(conn)?;
    without_voided(conn, ids, open.into_iter().chain(later).collect(), |on| on <= day)
}

/// Cases concluded in `[from, to]`, per outcome and category.
///
/// # Errors
/// A database error.
pub fn concluded_between(
    conn: &mut DbConnection,
    ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(Option<String>, String, i64)>> {
    cases::table
        .filter(cases::agency_id.eq_any(ids))
        .filter(cases::concluded_on.between(from, to))
        .group_by((cases::outcome, cases::applicant_category))
        .select((cases::outcome, cases::applicant_category, count_star()))
        .load(conn)
}

/// Appeals decided in `[from, to]`, per kind and result.
///
/// # Errors
/// A database error.
pub fn appeals_decided_between(
    conn: &mut DbConnection,
    ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(String, Option<String>, i64)>> {
    appeals::table
        .filter(appeals::agency_id.eq_any(ids))
        .filter(appeals::decided_on.between(from, to))
        .group_by((appeals::kind, appeals::result))
        .select((appeals::kind, appeals::result, count_star()))
        .load(conn)
}

/// Appeals filed on or before `day` and not decided by its end, per kind.
///
/// # Errors
/// A database error.
pub fn appeals_pending_at_end_of(
    conn: &mut DbConnection,
    ids: &[i64],
    day: NaiveDate,
) -> QueryResult<Vec<(String, i64)>> {
    appeals::table
        .filter(appeals::agency_id.eq_any(ids))
        .filter(appeals::filed_on.le(day))
        .filter(appeals::decided_on.is_null().or(appeals::decided_on.gt(day)))
        .group_by(appeals::kind)
        .select((appeals::kind, count_star()))
        .load(conn)
}

/// Which cases a drill-down lists.
#[derive(Clone, Debug)]
pub enum CellFilter {
    ReceivedBetween(NaiveDate, NaiveDate),
    OpenAtStartOf(NaiveDate),
    OpenAtEndOf(NaiveDate),
    /// Concluded in the range with one of the outcomes (all outcomes when empty).
    ConcludedBetween(NaiveDate, NaiveDate, Vec<String>),
}

impl CellFilter {
    /// Whether the cell's cases are ordered by their conclusion date (else by their receipt date).
    pub fn by_conclusion(&self) -> bool {
        matches!(self, Self::ConcludedBetween(..))
    }
}

/// The cases behind one cell, newest first by the date that puts them there (the conclusion date
/// for the outcome rows, else the receipt date), then by id; keyset-paginated on (that date, id).
/// Ordered so, a page reads the first `limit` entries of the (agency, date) indexes instead of
/// sorting every case of the cell (100,000 in a busy agency-year) to find them. For a subtree
/// each agency's first `limit` are read so and merged: one query over all the agencies would
/// have to sort all their cases of the cell.
///
/// # Errors
/// A database error.
pub fn cell_cases(
    conn: &mut DbConnection,
    ids: &[i64],
    filter: &CellFilter,
    category: Option<&str>,
    before: Option<(NaiveDate, i64)>,
    limit: i64,
) -> super::StorageResult<Vec<(CaseSummary, Applicant)>> {
    let mut rows = Vec::new();
    for &agency in ids {
        rows.extend(agency_cell_cases(conn, agency, filter, category, before, limit)?);
    }
    let key = |c: &CaseSummary| {
        let day = if filter.by_conclusion() { c.concluded_on.unwrap_or(c.received_on) } else { c.received_on };
        (day, c.id)
    };
    rows.sort_by_key(|(c, _)| std::cmp::Reverse(key(c)));
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(rows)
}

/// One agency's part of [`cell_cases`].
fn agency_cell_cases(
    conn: &mut DbConnection,
    agency: i64,
    filter: &CellFilter,
    category: Option<&str>,
    before: Option<(NaiveDate, i64)>,
    limit: i64,
) -> super::StorageResult<Vec<(CaseSummary, Applicant)>> {
    let mut query = cases::table
        .inner_join(applicants::table)
        .filter(cases::agency_id.eq(agency))
        .filter(cases::status.ne("voided"))
        .select((CaseSummaryRow::as_select(), ApplicantRow::as_select()))
        .limit(limit)
        .into_boxed::<DbBackend>();
    query = match filter.clone() {
        CellFilter::ReceivedBetween(from, to) => query.filter(cases::received_on.between(from, to)),
        CellFilter::OpenAtStartOf(day) => query
            .filter(cases::received_on.lt(day))
            .filter(cases::concluded_on.is_null().or(cases::concluded_on.ge(day))),
        CellFilter::OpenAtEndOf(day) => query
            .filter(cases::received_on.le(day))
            .filter(cases::concluded_on.is_null().or(cases::concluded_on.gt(day))),
        CellFilter::ConcludedBetween(from, to, outcomes) => {
            let q = query.filter(cases::concluded_on.between(from, to));
            if outcomes.is_empty() {
                q
            } else {
                q.filter(cases::outcome.eq_any(outcomes))
            }
        }
    };
    if let Some(category) = category {
        query = query.filter(cases::applicant_category.eq(category.to_string()));
    }
    query = if filter.by_conclusion() {
        if let Some((day, id)) = before {
            query = query
                .filter(cases::concluded_on.le(day))
                .filter(cases::concluded_on.lt(day).or(cases::id.lt(id).and(cases::concluded_on.eq(day))));
        }
        query.order((cases::concluded_on.desc(), cases::id.desc()))
    } else {
        if let Some((day, id)) = before {
            query = query.filter(cases::received_on.le(day)).filter(cases::received_on.lt(day).or(cases::id.lt(id)));
        }
        query.order((cases::received_on.desc(), cases::id.desc()))
    };
    let rows: Vec<(CaseSummaryRow, ApplicantRow)> = query.load(conn)?;
    rows.into_iter().map(|(c, a)| Ok((CaseSummary::try_from(c)?, Applicant::try_from(a)?))).collect()
}

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = section_two)]
pub struct SectionTwoRow {
    pub agency_id: i64,
    pub year: i32,
    pub template: String,
    pub data: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
}

/// The section two figures of an agency and year, if entered.
///
/// # Errors
/// A database error.
pub fn find_section_two(conn: &mut DbConnection, agency_id: i64, year: i32) -> QueryResult<Option<SectionTwoRow>> {
    section_two::table.find((agency_id, year)).select(SectionTwoRow::as_select()).get_result(conn).optional()
}

/// The section two figures of a year entered by any of `ids`.
///
/// # Errors
/// A database error.
pub fn section_two_of(conn: &mut DbConnection, ids: &[i64], year: i32) -> QueryResult<Vec<SectionTwoRow>> {
    section_two::table
        .filter(section_two::agency_id.eq_any(ids))
        .filter(section_two::year.eq(year))
        .order(section_two::agency_id)
        .select(SectionTwoRow::as_select())
        .load(conn)
}

/// The ids and names of agencies, in the order of the tree (by materialised path).
///
/// # Errors
/// A database error.
pub fn agency_names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    agencies::table
        .filter(agencies::id.eq_any(ids))
        .order(agencies::path)
        .select((agencies::id, agencies::name))
        .load(conn)
}

/// Enter or replace the section two figures of an agency and year (one statement: concurrent
/// first entries do not collide).
///
/// # Errors
/// A database error.
pub fn put_section_two(conn: &mut DbConnection, row: &SectionTwoRow) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
    diesel::sql_query(
        "INSERT INTO section_two (agency_id, year, template, data, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (agency_id, year) DO UPDATE SET template = excluded.template, \
         data = excluded.data, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind::<BigInt, _>(row.agency_id)
    .bind::<Integer, _>(row.year)
    .bind::<Text, _>(&row.template)
    .bind::<Text, _>(&row.data)
    .bind::<Timestamp, _>(row.updated_at)
    .bind::<BigInt, _>(row.updated_by)
    .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = sealed_reports)]
pub struct SealRow {
    pub id: i64,
    pub agency_id: i64,
    pub year: i32,
    pub include_descendants: bool,
    pub template: String,
    pub figures: String,
    pub content_hash: String,
    pub sealed_at: NaiveDateTime,
    pub sealed_by: i64,
    pub reason: Option<String>,
    pub last_event_id: i64,
    /// The seal this one replaced (`None` for the first seal of its year and scope).
    pub supersedes: Option<i64>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = sealed_reports, treat_none_as_default_value = false)]
pub struct NewSealRow<'a> {
    pub agency_id: i64,
    pub year: i32,
    pub include_descendants: bool,
    pub template: &'a str,
    pub figures: &'a str,
    pub content_hash: &'a str,
    pub sealed_at: NaiveDateTime,
    pub sealed_by: i64,
    pub reason: Option<&'a str>,
    pub last_event_id: i64,
    pub supersedes: Option<i64>,
}

/// Store a seal; returns its id.
///
/// # Errors
/// A database error.
pub fn insert_seal(conn: &mut DbConnection, row: &NewSealRow<'_>) -> QueryResult<i64> {
    insert_returning_id!(conn, sealed_reports::table, sealed_reports::id, row)
}

/// The seal in force (the latest) for an agency, year and scope.
///
/// # Errors
/// A database error.
pub fn latest_seal(
    conn: &mut DbConnection,
    agency_id: i64,
    year: i32,
    include_descendants: bool,
) -> QueryResult<Option<SealRow>> {
    sealed_reports::table
        .filter(sealed_reports::agency_id.eq(agency_id))
        .filter(sealed_reports::year.eq(year))
        .filter(sealed_reports::include_descendants.eq(include_descendants))
        .order(sealed_reports::id.desc())
        .select(SealRow::as_select())
        .get_result(conn)
        .optional()
}

/// Every seal of `year` covering one of `agency_ids` directly, or through a subtree seal of one of
/// `ancestor_ids` (the agencies on the path).
///
/// # Errors
/// A database error.
pub fn seals_covering(
    conn: &mut DbConnection,
    agency_id: i64,
    ancestor_ids: &[i64],
    year: i32,
) -> QueryResult<Vec<SealRow>> {
    sealed_reports::table
        .filter(sealed_reports::year.eq(year))
        .filter(sealed_reports::agency_id.eq(agency_id).or(
            sealed_reports::agency_id.eq_any(ancestor_ids.to_vec()).and(sealed_reports::include_descendants.eq(true)),
        ))
        .select(SealRow::as_select())
        .load(conn)
}

/// The id of the latest case event (0 when none).
///
/// # Errors
/// A database error.
pub fn latest_event_id(conn: &mut DbConnection) -> QueryResult<i64> {
    case_events::table.select(diesel::dsl::max(case_events::id)).first::<Option<i64>>(conn).map(|id| id.unwrap_or(0))
}

/// Events recorded after `after_id` on cases of `ids` that can have changed a report on a period
/// ending `to`: every event dated on or before `to` (an event dated later cannot alter it), and
/// amendments (dated when they were made), which the caller filters by the dates they changed.
///
/// # Errors
/// A database error.
pub fn events_since(
    conn: &mut DbConnection,
    ids: &[i64],
    after_id: i64,
    to: NaiveDate,
    limit: i64,
) -> super::StorageResult<Vec<(CaseId, String, RecordedEvent)>> {
    let rows: Vec<(super::cases::EventRow, String)> = case_events::table
        .inner_join(cases::table)
        .filter(cases::agency_id.eq_any(ids.to_vec()))
        .filter(case_events::id.gt(after_id))
        .filter(case_events::effective_on.le(to).or(case_events::kind.eq("amended")))
        .order(case_events::id)
        .limit(limit)
        .select((super::cases::EventRow::as_select(), cases::case_number))
        .load(conn)?;
    rows.into_iter().map(|(e, number)| Ok((CaseId::new(e.case_id), number, RecordedEvent::try_from(e)?))).collect()
}
