//! Repeat requests: the requests that may have been made by the same applicant as a case (found
//! by exact, indexed look-ups — never by a text search), and the numbers of their decision
//! letters. Which of them are the same applicant, and how alike they read, is the domain's
//! ([`crate::domain::similarity`]).

use std::collections::HashMap;

use diesel::prelude::*;

use super::cases::CaseSummaryRow;
use super::schema::{agencies, applicants, cases, letters};
use super::{DbConnection, StorageResult};
use crate::domain::case::{Case, CaseSummary};
use crate::domain::ids::{ApplicantId, CaseId};
use crate::domain::LetterKind;

/// A request that may repeat a case: its columns, its agency's path (for visibility) and its
/// applicant record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub case: CaseSummary,
    pub agency_path: String,
    pub applicant_id: ApplicantId,
    /// The applicant record carries an identity document.
    pub has_identity: bool,
}

/// The requests received on or before `case`'s receipt date, other than `case` itself and those
/// voided, under the same applicant record or with the same name and the same phone or e-mail
/// written on the application; newest first, at most `limit`. Each branch is an index look-up
/// (`cases_applicant`, `cases_applicant_phone`, `cases_applicant_email`).
///
/// # Errors
/// A database error or corrupt data.
pub fn candidates(conn: &mut DbConnection, case: &Case, limit: i64) -> StorageResult<Vec<Candidate>> {
    let name = case.applicant.name.as_str();
    let by_applicant = cases::applicant_id.eq(case.applicant_id.get());
    // A missing phone or e-mail matches nothing (`= NULL` is never true).
    let by_phone = cases::applicant_phone.eq(case.applicant.phone.as_deref()).and(cases::applicant_name.eq(name));
    let by_email = cases::applicant_email.eq(case.applicant.email.as_deref()).and(cases::applicant_name.eq(name));
    let rows: Vec<(CaseSummaryRow, String, i64, bool)> = cases::table
        .inner_join(agencies::table)
        .inner_join(applicants::table)
        .filter(by_applicant.or(by_phone.nullable()).or(by_email.nullable()))
        .filter(cases::received_on.le(case.received_on))
        .filter(cases::id.ne(case.id.get()))
        .filter(cases::status.ne("voided"))
        .order((cases::received_on.desc(), cases::id.desc()))
        .limit(limit)
        .select((CaseSummaryRow::as_select(), agencies::path, cases::applicant_id, applicants::id_number.is_not_null()))
        .load(conn)?;
    rows.into_iter()
        .map(|(row, agency_path, applicant_id, has_identity)| {
            Ok(Candidate {
                case: CaseSummary::try_from(row)?,
                agency_path,
                applicant_id: ApplicantId::new(applicant_id),
                has_identity,
            })
        })
        .collect()
}

/// Whether the applicant record `id` carries an identity document.
///
/// # Errors
/// A database error (`NotFound` for an unknown id).
pub fn has_identity(conn: &mut DbConnection, id: ApplicantId) -> StorageResult<bool> {
    Ok(applicants::table.find(id.get()).select(applicants::id_number.is_not_null()).get_result(conn)?)
}

/// The document number of the latest decision letter of each of `ids` that has one.
///
/// # Errors
/// A database error.
pub fn decision_letters(conn: &mut DbConnection, ids: &[CaseId]) -> StorageResult<HashMap<CaseId, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let raw: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    let rows: Vec<(i64, String)> = letters::table
        .filter(letters::case_id.eq_any(raw))
        .filter(letters::kind.eq(LetterKind::Decision.as_str()))
        .order(letters::id.asc())
        .select((letters::case_id, letters::document_number))
        .load(conn)?;
    // In id order, so the latest letter of a case is the one kept.
    Ok(rows.into_iter().map(|(id, number)| (CaseId::new(id), number)).collect())
}
