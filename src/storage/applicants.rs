//! Applicants: records of their own, matched on their identity document when one is given.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamp};

use super::schema::applicants;
use super::{insert_returning_id, DbConnection};

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
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
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
/// details are updated to the latest intake. Safe under concurrent intakes of the same applicant.
///
/// # Errors
/// A database error.
pub fn upsert(
    conn: &mut DbConnection,
    identity: Option<(&str, &str)>,
    fields: &ApplicantFields<'_>,
) -> QueryResult<i64> {
    let Some((id_type, id_number)) = identity else {
        return insert_returning_id!(
            conn,
            applicants::table,
            applicants::id,
            (fields.clone(), applicants::created_at.eq(fields.updated_at))
        );
    };
    // ON CONFLICT DO NOTHING is the same SQL on both backends and never aborts the transaction.
    diesel::sql_query(
        "INSERT INTO applicants (category, name, id_type, id_number, phone, email, address, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (id_type, id_number) DO NOTHING",
    )
    .bind::<Text, _>(fields.category)
    .bind::<Text, _>(fields.name)
    .bind::<Text, _>(id_type)
    .bind::<Text, _>(id_number)
    .bind::<Nullable<Text>, _>(fields.phone)
    .bind::<Nullable<Text>, _>(fields.email)
    .bind::<Nullable<Text>, _>(fields.address)
    .bind::<Timestamp, _>(fields.updated_at)
    .execute(conn)?;
    let id = applicants::table
        .filter(applicants::id_type.eq(id_type))
        .filter(applicants::id_number.eq(id_number))
        .select(applicants::id)
        .get_result(conn)?;
    diesel::update(applicants::table.find(id)).set(fields).execute(conn)?;
    Ok(id)
}

/// The applicant with `id`.
///
/// # Errors
/// `NotFound` or a database error.
pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<ApplicantRow> {
    applicants::table.find(id).select(ApplicantRow::as_select()).get_result(conn)
}
