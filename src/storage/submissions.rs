//! Online applications waiting for the intake desk (see `domain::submission`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{agencies, cases, submissions};
use super::{insert_returning_id, key, DbConnection, StorageError, StorageResult};
use crate::domain::ids::{AgencyId, CaseId, SubmissionId, UserId};
use crate::domain::intake::{ApplicantIdentity, NewApplicant};
use crate::domain::submission::{Delivery, DeliveryForm, DeliveryMethod, NewSubmission, Submission, SubmissionStatus};
use crate::domain::{ApplicantCategory, IdType};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = submissions)]
struct SubmissionRow {
    id: i64,
    submission_number: String,
    agency_id: i64,
    applicant_category: String,
    applicant_name: String,
    applicant_id_type: Option<String>,
    applicant_id_number: Option<String>,
    applicant_phone: Option<String>,
    applicant_email: Option<String>,
    applicant_address: Option<String>,
    description: String,
    items: String,
    delivery_form: String,
    delivery_method: String,
    submitted_at: NaiveDateTime,
    status: String,
    reject_reason: Option<String>,
    decided_at: Option<NaiveDateTime>,
    decided_by: Option<i64>,
    case_id: Option<i64>,
    query_code_hash: String,
    withdrawal_requested_at: Option<NaiveDateTime>,
}

impl TryFrom<SubmissionRow> for Submission {
    type Error = StorageError;

    fn try_from(row: SubmissionRow) -> StorageResult<Self> {
        let identity = match (row.applicant_id_type, row.applicant_id_number) {
            (Some(id_type), Some(number)) => Some(ApplicantIdentity {
                id_type: key(&id_type, IdType::parse, "submissions.applicant_id_type")?,
                number,
            }),
            (None, None) => None,
            _ => return Err(StorageError::Corrupt(format!("submission {}: id_type without id_number", row.id))),
        };
        let items: Vec<String> = serde_json::from_str(&row.items)
            .map_err(|e| StorageError::Corrupt(format!("submission {}: items: {e}", row.id)))?;
        Ok(Self {
            id: SubmissionId::new(row.id),
            submission_number: row.submission_number,
            agency_id: AgencyId::new(row.agency_id),
            applicant: NewApplicant {
                category: key(&row.applicant_category, ApplicantCategory::parse, "submissions.applicant_category")?,
                name: row.applicant_name,
                identity,
                phone: row.applicant_phone,
                email: row.applicant_email,
                address: row.applicant_address,
            },
            description: row.description,
            items,
            delivery: Delivery {
                form: key(&row.delivery_form, DeliveryForm::parse, "submissions.delivery_form")?,
                method: key(&row.delivery_method, DeliveryMethod::parse, "submissions.delivery_method")?,
            },
            submitted_at: row.submitted_at,
            status: key(&row.status, SubmissionStatus::parse, "submissions.status")?,
            reject_reason: row.reject_reason,
            decided_at: row.decided_at,
            decided_by: row.decided_by.map(UserId::new),
            case_id: row.case_id.map(CaseId::new),
            query_code_hash: row.query_code_hash,
            withdrawal_requested_at: row.withdrawal_requested_at,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = submissions, treat_none_as_default_value = false)]
struct NewSubmissionRow<'a> {
    submission_number: &'a str,
    agency_id: i64,
    applicant_category: &'a str,
    applicant_name: &'a str,
    applicant_id_type: Option<&'a str>,
    applicant_id_number: Option<&'a str>,
    applicant_phone: Option<&'a str>,
    applicant_email: Option<&'a str>,
    applicant_address: Option<&'a str>,
    description: &'a str,
    items: String,
    delivery_form: &'a str,
    delivery_method: &'a str,
    submitted_at: NaiveDateTime,
    status: &'a str,
    query_code_hash: &'a str,
    idempotency_key: Option<&'a str>,
    request_hash: &'a str,
    requester: Option<&'a str>,
}

/// What is stored with a new submission besides its content.
#[derive(Clone, Copy, Debug)]
pub struct Stamp<'a> {
    pub submission_number: &'a str,
    pub query_code_hash: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub request_hash: &'a str,
    pub requester: Option<&'a str>,
    pub at: NaiveDateTime,
}

/// Store a new, pending submission; returns its id.
///
/// # Errors
/// A database error (a number or idempotency key used before is a unique violation).
pub fn insert(conn: &mut DbConnection, new: &NewSubmission, stamp: &Stamp<'_>) -> StorageResult<SubmissionId> {
    let a = &new.applicant;
    let items = serde_json::to_string(&new.items).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let row = NewSubmissionRow {
        submission_number: stamp.submission_number,
        agency_id: new.agency_id.get(),
        applicant_category: a.category.as_str(),
        applicant_name: &a.name,
        applicant_id_type: a.identity.as_ref().map(|i| i.id_type.as_str()),
        applicant_id_number: a.identity.as_ref().map(|i| i.number.as_str()),
        applicant_phone: a.phone.as_deref(),
        applicant_email: a.email.as_deref(),
        applicant_address: a.address.as_deref(),
        description: &new.description,
        items,
        delivery_form: new.delivery.form.as_str(),
        delivery_method: new.delivery.method.as_str(),
        submitted_at: stamp.at,
        status: SubmissionStatus::Pending.as_str(),
        query_code_hash: stamp.query_code_hash,
        idempotency_key: stamp.idempotency_key,
        request_hash: stamp.request_hash,
        requester: stamp.requester,
    };
    Ok(SubmissionId::new(insert_returning_id!(conn, submissions::table, submissions::id, &row)?))
}

/// The submission with `id`, if any.
///
/// # Errors
/// A database error or a corrupt row.
pub fn find(conn: &mut DbConnection, id: SubmissionId) -> StorageResult<Option<Submission>> {
    submissions::table
        .find(id.get())
        .select(SubmissionRow::as_select())
        .get_result(conn)
        .optional()?
        .map(Submission::try_from)
        .transpose()
}

/// The submission with this number, or the one that became the case with this case number.
///
/// # Errors
/// A database error or a corrupt row.
pub fn find_by_number(conn: &mut DbConnection, number: &str) -> StorageResult<Option<Submission>> {
    let by_number = submissions::table
        .filter(submissions::submission_number.eq(number))
        .select(SubmissionRow::as_select())
        .get_result(conn)
        .optional()?;
    let row = match by_number {
        Some(row) => Some(row),
        None => submissions::table
            .inner_join(cases::table)
            .filter(cases::case_number.eq(number))
            .select(SubmissionRow::as_select())
            .get_result(conn)
            .optional()?,
    };
    row.map(Submission::try_from).transpose()
}

/// The submission that became the case `case_id`, if it came online.
///
/// # Errors
/// A database error or a corrupt row.
pub fn find_by_case(conn: &mut DbConnection, case_id: CaseId) -> StorageResult<Option<Submission>> {
    submissions::table
        .filter(submissions::case_id.eq(case_id.get()))
        .select(SubmissionRow::as_select())
        .get_result(conn)
        .optional()?
        .map(Submission::try_from)
        .transpose()
}

/// The id and request hash of the submission stored with `idempotency_key`, if any.
///
/// # Errors
/// A database error.
pub fn find_idempotent(
    conn: &mut DbConnection,
    idempotency_key: &str,
) -> StorageResult<Option<(SubmissionId, String)>> {
    Ok(submissions::table
        .filter(submissions::idempotency_key.eq(idempotency_key))
        .select((submissions::id, submissions::request_hash))
        .get_result::<(i64, String)>(conn)
        .optional()?
        .map(|(id, hash)| (SubmissionId::new(id), hash)))
}

/// Replace the query code's hash (a retried submission is answered with a new code).
///
/// # Errors
/// A database error.
pub fn set_query_code_hash(conn: &mut DbConnection, id: SubmissionId, hash: &str) -> StorageResult<()> {
    diesel::update(submissions::table.find(id.get())).set(submissions::query_code_hash.eq(hash)).execute(conn)?;
    Ok(())
}

/// Settle a pending submission: confirmed or rejected, by `user` at `at`. Conditional on the
/// status being still `pending`, so that of two concurrent settlements exactly one changes the
/// row (on PostgreSQL the second waits for the first's row lock and then matches nothing).
/// Returns whether this call settled it.
///
/// # Errors
/// A database error.
pub fn settle(
    conn: &mut DbConnection,
    id: SubmissionId,
    status: SubmissionStatus,
    reject_reason: Option<&str>,
    user: UserId,
    at: NaiveDateTime,
) -> StorageResult<bool> {
    let changed = diesel::update(
        submissions::table
            .filter(submissions::id.eq(id.get()))
            .filter(submissions::status.eq(SubmissionStatus::Pending.as_str())),
    )
    .set((
        submissions::status.eq(status.as_str()),
        submissions::reject_reason.eq(reject_reason),
        submissions::decided_at.eq(Some(at)),
        submissions::decided_by.eq(Some(user.get())),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Link a confirmed submission to the case it became.
///
/// # Errors
/// A database error.
pub fn set_case(conn: &mut DbConnection, id: SubmissionId, case_id: CaseId) -> StorageResult<()> {
    diesel::update(submissions::table.find(id.get()))
        .set(submissions::case_id.eq(Some(case_id.get())))
        .execute(conn)?;
    Ok(())
}

/// Record the applicant's request to withdraw (the first one counts).
///
/// # Errors
/// A database error.
pub fn request_withdrawal(conn: &mut DbConnection, id: SubmissionId, at: NaiveDateTime) -> StorageResult<()> {
    diesel::update(
        submissions::table.filter(submissions::id.eq(id.get())).filter(submissions::withdrawal_requested_at.is_null()),
    )
    .set(submissions::withdrawal_requested_at.eq(Some(at)))
    .execute(conn)?;
    Ok(())
}

/// Submissions of agencies whose path starts with `scope` (all when `None`), oldest first.
///
/// # Errors
/// A database error or a corrupt row.
pub fn list(
    conn: &mut DbConnection,
    scope: Option<&str>,
    agency_id: Option<AgencyId>,
    status: Option<SubmissionStatus>,
    limit: i64,
) -> StorageResult<Vec<Submission>> {
    let mut query = submissions::table
        .inner_join(agencies::table)
        .select(SubmissionRow::as_select())
        .order((submissions::submitted_at, submissions::id))
        .limit(limit)
        .into_boxed();
    if let Some(scope) = scope {
        query = query.filter(agencies::path.like(format!("{scope}%")));
    }
    if let Some(agency_id) = agency_id {
        query = query.filter(submissions::agency_id.eq(agency_id.get()));
    }
    if let Some(status) = status {
        query = query.filter(submissions::status.eq(status.as_str()));
    }
    query.load(conn)?.into_iter().map(Submission::try_from).collect()
}
