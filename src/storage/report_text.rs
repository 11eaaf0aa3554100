//! The written parts of the annual report (every version kept), what a seal stores of the whole
//! document, and the fee events the text's figures are counted from.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::cases::EventRow;
use super::schema::{case_events, cases, fee_notices, report_texts, sealed_report_documents, sealed_reports, users};
use super::{insert_returning_id, DbConnection, StorageResult};
use crate::domain::event::RecordedEvent;

/// One saved version of a text.
#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = report_texts)]
pub struct TextRow {
    pub id: i64,
    pub agency_id: i64,
    pub year: i32,
    pub version: i32,
    pub overview: String,
    pub problems_and_improvements: String,
    pub other_matters: String,
    /// JSON array of the added sections.
    pub additional_sections: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
    pub amendment_reason: Option<String>,
}

/// A version to store.
#[derive(Insertable, Debug)]
#[diesel(table_name = report_texts, treat_none_as_default_value = false)]
pub struct NewTextRow<'a> {
    pub agency_id: i64,
    pub year: i32,
    pub version: i32,
    pub overview: &'a str,
    pub problems_and_improvements: &'a str,
    pub other_matters: &'a str,
    pub additional_sections: &'a str,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
    pub amendment_reason: Option<&'a str>,
}

/// Take the agency's text lock for the rest of the transaction, so that saves of its texts
/// follow one another: on PostgreSQL a row lock on the agency (`FOR NO KEY UPDATE`, which does
/// not hold up the rows that merely reference the agency); SQLite runs one write at a time anyway.
///
/// # Errors
/// A database error.
pub fn lock_agency(conn: &mut DbConnection, agency_id: i64) -> QueryResult<()> {
    if let DbConnection::Postgresql(c) = conn {
        diesel::sql_query("SELECT id FROM agencies WHERE id = $1 FOR NO KEY UPDATE")
            .bind::<diesel::sql_types::BigInt, _>(agency_id)
            .execute(c)?;
    }
    Ok(())
}

/// Store a version; returns its id. A version number taken already (a concurrent save) is a
/// unique violation.
///
/// # Errors
/// A database error.
pub fn insert(conn: &mut DbConnection, row: &NewTextRow<'_>) -> QueryResult<i64> {
    insert_returning_id!(conn, report_texts::table, report_texts::id, row)
}

/// The latest version of an agency's text on a year, if any was saved.
///
/// # Errors
/// A database error.
pub fn latest(conn: &mut DbConnection, agency_id: i64, year: i32) -> QueryResult<Option<TextRow>> {
    report_texts::table
        .filter(report_texts::agency_id.eq(agency_id))
        .filter(report_texts::year.eq(year))
        .order(report_texts::version.desc())
        .select(TextRow::as_select())
        .get_result(conn)
        .optional()
}

/// One version of an agency's text on a year.
///
/// # Errors
/// A database error.
pub fn version(conn: &mut DbConnection, agency_id: i64, year: i32, version: i32) -> QueryResult<Option<TextRow>> {
    report_texts::table
        .filter(report_texts::agency_id.eq(agency_id))
        .filter(report_texts::year.eq(year))
        .filter(report_texts::version.eq(version))
        .select(TextRow::as_select())
        .get_result(conn)
        .optional()
}

/// Every version of an agency's text on a year, newest first.
///
/// # Errors
/// A database error.
pub fn list(conn: &mut DbConnection, agency_id: i64, year: i32) -> QueryResult<Vec<TextRow>> {
    report_texts::table
        .filter(report_texts::agency_id.eq(agency_id))
        .filter(report_texts::year.eq(year))
        .order(report_texts::version.desc())
        .select(TextRow::as_select())
        .load(conn)
}

/// The names of users, by id (the authors of versions).
///
/// # Errors
/// A database error.
pub fn user_names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    users::table.filter(users::id.eq_any(ids.to_vec())).select((users::id, users::name)).load(conn)
}

/// Whether the agency's report on `year` is sealed, alone or compiled (the text is printed in
/// both).
///
/// # Errors
/// A database error.
pub fn year_sealed(conn: &mut DbConnection, agency_id: i64, year: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        sealed_reports::table.filter(sealed_reports::agency_id.eq(agency_id)).filter(sealed_reports::year.eq(year)),
    ))
    .get_result(conn)
}

/// What a seal stores of the whole document.
#[derive(Queryable, Selectable, Insertable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = sealed_report_documents)]
pub struct SealDocumentRow {
    pub seal_id: i64,
    /// The text version printed; `None` when none was written.
    pub text_version: Option<i32>,
    /// The canonical JSON of the document.
    pub document: String,
    /// Its SHA-256, lowercase hex.
    pub document_hash: String,
}

/// Store the document of a seal.
///
/// # Errors
/// A database error.
pub fn insert_seal_document(conn: &mut DbConnection, row: &SealDocumentRow) -> QueryResult<()> {
    diesel::insert_into(sealed_report_documents::table).values(row).execute(conn).map(|_| ())
}

/// The document a seal stored, if it stored one (seals made before documents existed did not).
///
/// # Errors
/// A database error.
pub fn seal_document(conn: &mut DbConnection, seal_id: i64) -> QueryResult<Option<SealDocumentRow>> {
    sealed_report_documents::table.find(seal_id).select(SealDocumentRow::as_select()).get_result(conn).optional()
}

/// The fee notices, payments and revocations of the cases of `ids` (voided ones left out) that
/// had a fee notice issued or paid in `[from, to]`, each case's events in order. The candidates
/// come from `fee_notices` (a small table); the events decide what counts.
///
/// # Errors
/// A database error, or an event that cannot be read.
pub fn fee_events(
    conn: &mut DbConnection,
    ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> StorageResult<Vec<Vec<RecordedEvent>>> {
    let candidates = fee_notices::table
        .inner_join(cases::table)
        .filter(cases::agency_id.eq_any(ids.to_vec()))
        .filter(cases::status.ne("voided"))
        .filter(fee_notices::issued_on.between(from, to).or(fee_notices::paid_on.between(from, to)))
        .select(fee_notices::case_id);
    let rows: Vec<EventRow> = case_events::table
        .filter(case_events::case_id.eq_any(candidates))
        .filter(case_events::kind.eq_any(["fee_notice_issued", "fee_paid", "step_revoked"]))
        .order((case_events::case_id, case_events::seq))
        .select(EventRow::as_select())
        .load(conn)?;
    let mut cases: Vec<Vec<RecordedEvent>> = Vec::new();
    let mut last_case = None;
    for row in rows {
        let case_id = row.case_id;
        let event = RecordedEvent::try_from(row)?;
        match cases.last_mut() {
            Some(events) if last_case == Some(case_id) => events.push(event),
            _ => cases.push(vec![event]),
        }
        last_case = Some(case_id);
    }
    Ok(cases)
}
