//! Applicants: records of their own, matched on their identity document when one is given.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::applicants;
use super::{per_backend, DbConnection};

/// An applicant as shown on cases and in lists (the row's timestamps are not read: nothing shows
/// them, and each is a text parse on SQLite).
#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = applicants)]
pub struct ApplicantRow {
    pub id: i64,
    pub category: String,
    pub name: String,
    pub id_type: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// The fields of an applicant as the intake gives them.
#[derive(Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = applicants, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ApplicantFields<'a> {
    pub category: &'a str,
    pub name: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub address: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

/// Find the applicant with this identity document, or create one; the name, category and contact
/// details are updated to the latest intake. Returns the applicant as stored, in one statement
/// (an upsert with `RETURNING`), safe under concurrent intakes of the same applicant.
///
/// # Errors
/// A database error.
pub fn upsert(
    conn: &mut DbConnection,
    identity: Option<(&str, &str)>,
    fields: &ApplicantFields<'_>,
) -> QueryResult<ApplicantRow> {
    let created_at = applicants::created_at.eq(fields.updated_at);
    let Some((id_type, id_number)) = identity else {
        let values = (fields.clone(), created_at);
        return per_backend!(conn, |c| diesel::insert_into(applicants::table)
            .values(values)
            .returning(ApplicantRow::as_returning())
            .get_result(c));
    };
    let values = (fields.clone(), applicants::id_type.eq(id_type), applicants::id_number.eq(id_number), created_at);
    // ON CONFLICT DO UPDATE never aborts the transaction, on either backend; the row it returns is
    // the earlier applicant's, with the latest details.
    per_backend!(conn, |c| diesel::insert_into(applicants::table)
        .values(values)
        .on_conflict((applicants::id_type, applicants::id_number))
        .do_update()
        .set(fields)
        .returning(ApplicantRow::as_returning())
        .get_result(c))
}

/// The applicant with `id`.
///
/// # Errors
/// `NotFound` or a database error.
pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<ApplicantRow> {
    applicants::table.find(id).select(ApplicantRow::as_select()).get_result(conn)
}
