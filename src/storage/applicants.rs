//! Applicants: records of their own, matched on their identity document when one is given.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::applicants;
use super::{key, per_backend, DbConnection, StorageError, StorageResult};
use crate::domain::case::Applicant;
use crate::domain::ids::ApplicantId;
use crate::domain::intake::{ApplicantIdentity, NewApplicant};
use crate::domain::{ApplicantCategory, IdType};

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = applicants)]
pub(crate) struct ApplicantRow {
    pub id: i64,
    pub category: String,
    pub name: String,
    pub id_type: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

impl TryFrom<ApplicantRow> for Applicant {
    type Error = StorageError;

    fn try_from(row: ApplicantRow) -> StorageResult<Self> {
        let identity = match (row.id_type, row.id_number) {
            (Some(id_type), Some(number)) => {
                Some(ApplicantIdentity { id_type: key(&id_type, IdType::parse, "applicants.id_type")?, number })
            }
            (None, None) => None,
            _ => return Err(StorageError::Corrupt(format!("applicant {}: id_type without id_number", row.id))),
        };
        Ok(Self {
            id: ApplicantId::new(row.id),
            category: key(&row.category, ApplicantCategory::parse, "applicants.category")?,
            name: row.name,
            identity,
            phone: row.phone,
            email: row.email,
            address: row.address,
        })
    }
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = applicants, treat_none_as_default_value = false)]
struct ApplicantFields<'a> {
    category: &'a str,
    name: &'a str,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    address: Option<&'a str>,
    updated_at: NaiveDateTime,
}

/// What a later request under the same identity document updates: the latest contact details.
#[derive(AsChangeset, Clone, Debug)]
#[diesel(table_name = applicants, treat_none_as_null = true)]
struct LatestContact<'a> {
    phone: Option<&'a str>,
    email: Option<&'a str>,
    address: Option<&'a str>,
    updated_at: NaiveDateTime,
}

/// Insert the applicant, or — when one with the same identity document exists — update that
/// record's contact details (never its name or category: a differing name is the caller's to
/// report); returns the stored record.
///
/// # Errors
/// A database error.
pub fn upsert(conn: &mut DbConnection, applicant: &NewApplicant, now: NaiveDateTime) -> StorageResult<Applicant> {
    let fields = ApplicantFields {
        category: applicant.category.as_str(),
        name: &applicant.name,
        phone: applicant.phone.as_deref(),
        email: applicant.email.as_deref(),
        address: applicant.address.as_deref(),
        updated_at: now,
    };
    let created_at = applicants::created_at.eq(now);
    let row = match &applicant.identity {
        None => {
            let values = (fields.clone(), created_at);
            per_backend!(conn, |c| diesel::insert_into(applicants::table)
                .values(values)
                .returning(ApplicantRow::as_returning())
                .get_result(c))?
        }
        Some(identity) => {
            let latest =
                LatestContact { phone: fields.phone, email: fields.email, address: fields.address, updated_at: now };
            let values = (
                fields.clone(),
                applicants::id_type.eq(identity.id_type.as_str()),
                applicants::id_number.eq(identity.number.as_str()),
                created_at,
            );
            // ON CONFLICT DO UPDATE never aborts the transaction, on either backend; the row it
            // returns is the earlier applicant's, with the latest details.
            per_backend!(conn, |c| diesel::insert_into(applicants::table)
                .values(values)
                .on_conflict((applicants::id_type, applicants::id_number))
                .do_update()
                .set(&latest)
                .returning(ApplicantRow::as_returning())
                .get_result(c))?
        }
    };
    Applicant::try_from(row)
}

/// The id of the applicant with this identity document, if one is on file.
///
/// # Errors
/// A database error.
pub fn find_by_identity(conn: &mut DbConnection, id_type: IdType, number: &str) -> StorageResult<Option<ApplicantId>> {
    let id: Option<i64> = applicants::table
        .filter(applicants::id_type.eq(id_type.as_str()))
        .filter(applicants::id_number.eq(number))
        .select(applicants::id)
        .first(conn)
        .optional()?;
    Ok(id.map(ApplicantId::new))
}

/// The applicant with `id`.
///
/// # Errors
/// `NotFound`, a database error or corrupt data.
pub fn get(conn: &mut DbConnection, id: ApplicantId) -> StorageResult<Applicant> {
    Applicant::try_from(applicants::table.find(id.get()).select(ApplicantRow::as_select()).get_result(conn)?)
}
