//! The console's work lists: what waits for the applicant and which consultations await a reply.

use diesel::prelude::*;

use super::cases::{CaseRow, OPEN_STATUSES};
use super::schema::{cases, consultations};
use super::steps::ConsultationRow;
use super::{DbConnection, StorageResult};
use crate::domain::case::{Case, Consultation};
use crate::domain::CaseStatus;

/// Open cases of `agency_ids` in one of `statuses`, the soonest lapse first (then by id), at most
/// `limit`, and how many there are.
///
/// # Errors
/// A database error or corrupt data.
pub fn open_in_statuses(
    conn: &mut DbConnection,
    agency_ids: &[i64],
    statuses: &[CaseStatus],
    limit: i64,
) -> StorageResult<(Vec<Case>, i64)> {
    let keys: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let filter = cases::agency_id.eq_any(agency_ids.to_vec()).and(cases::status.eq_any(keys));
    let rows: Vec<CaseRow> = cases::table
        .filter(filter.clone())
        .order((cases::lapses_on.asc(), cases::id.asc()))
        .limit(limit)
        .select(CaseRow::as_select())
        .load(conn)?;
    let count = cases::table.filter(filter).count().get_result(conn)?;
    Ok((rows.into_iter().map(Case::try_from).collect::<StorageResult<_>>()?, count))
}

/// Consultations without a reply of open cases of `agency_ids`, the earliest reply due first,
/// with their case's number, at most `limit`, and how many there are. Open is a status of
/// [`OPEN_STATUSES`] (a voided case is not open), which the (agency, status) index finds without
/// reading the agencies' concluded cases.
///
/// # Errors
/// A database error or corrupt data.
pub fn unanswered_consultations(
    conn: &mut DbConnection,
    agency_ids: &[i64],
    limit: i64,
) -> StorageResult<(Vec<(Consultation, String)>, i64)> {
    let filter = cases::agency_id
        .eq_any(agency_ids.to_vec())
        .and(cases::status.eq_any(OPEN_STATUSES))
        .and(consultations::replied_on.is_null());
    let rows: Vec<(ConsultationRow, String)> = consultations::table
        .inner_join(cases::table)
        .filter(filter.clone())
        .order((consultations::reply_due.asc(), consultations::id.asc()))
        .limit(limit)
        .select((ConsultationRow::as_select(), cases::case_number))
        .load(conn)?;
    let count = consultations::table.inner_join(cases::table).filter(filter).count().get_result(conn)?;
    let rows =
        rows.into_iter().map(|(c, number)| Ok((Consultation::try_from(c)?, number))).collect::<StorageResult<_>>()?;
    Ok((rows, count))
}
