//! Repeat requests (重复申请): the same applicant's earlier requests whose content is similar to a
//! case's, for the intake desk and the officer deciding whether the case is a repeat.
//!
//! The candidates are the requests storage finds by the applicant (record, or name and contact);
//! the domain decides which of them are the same applicant and scores their descriptions
//! ([`crate::domain::similarity`], where the choice of scoring is explained).

use super::cases::get_visible;
use super::{Actor, ServiceResult};
use crate::domain::case::{Case, CaseSummary};
use crate::domain::ids::ApplicantId;
use crate::domain::ids::CaseId;
use crate::domain::similarity::{self, ApplicantKey, MAX_ITEMS, MIN_SCORE};
use crate::storage::similar as store;
use crate::storage::DbConnection;

/// How many of the applicant's requests are compared at most (the newest): an applicant with
/// more than this many requests is rare, and their older ones are not what an officer looks for.
const CANDIDATE_LIMIT: i64 = 500;

/// An earlier request of the same applicant similar to a case.
#[derive(Clone, Debug, PartialEq)]
pub struct SimilarCase {
    pub case: CaseSummary,
    /// How alike the descriptions read, in `[MIN_SCORE, 1]`.
    pub score: f64,
    /// The document number of its decision letter, when one is on record.
    pub decision_letter: Option<String>,
}

fn key_of(case: &Case, has_identity: bool) -> ApplicantKey<'_> {
    ApplicantKey {
        applicant_id: case.applicant_id,
        has_identity,
        name: &case.applicant.name,
        phone: case.applicant.phone.as_deref(),
        email: case.applicant.email.as_deref(),
    }
}

fn key_of_summary(case: &CaseSummary, applicant_id: ApplicantId, has_identity: bool) -> ApplicantKey<'_> {
    ApplicantKey {
        applicant_id,
        has_identity,
        name: &case.applicant.name,
        phone: case.applicant.phone.as_deref(),
        email: case.applicant.email.as_deref(),
    }
}

/// The requests received on or before the case (not voided, not itself) that the caller sees,
/// made by the same applicant ([`similarity::same_applicant`]) and whose descriptions score at
/// least [`MIN_SCORE`] against the case's; best first (equal scores: the newer first), at most
/// [`MAX_ITEMS`].
///
/// Only earlier requests: a repeat refers to a request made before it (the decision names the
/// earlier case), and a later request shows this one among its own.
///
/// # Errors
/// 404 when the case does not exist or is not visible.
pub fn of_case(conn: &mut DbConnection, actor: &Actor, id: CaseId) -> ServiceResult<Vec<SimilarCase>> {
    let case = get_visible(conn, actor, id)?;
    let has_identity = store::has_identity(conn, case.applicant_id)?;
    let this = key_of(&case, has_identity);
    let candidates = store::candidates(conn, &case, CANDIDATE_LIMIT)?;
    let same: Vec<_> = candidates
        .iter()
        .filter(|c| actor.sees(&c.agency_path))
        .filter(|c| similarity::same_applicant(&this, &key_of_summary(&c.case, c.applicant_id, c.has_identity)))
        .map(|c| (&c.case, c.case.description.as_str()))
        .collect();
    let ranked = similarity::rank(&case.description, same, MIN_SCORE, MAX_ITEMS);
    let ids: Vec<CaseId> = ranked.iter().map(|(c, _)| c.id).collect();
    let mut letters = store::decision_letters(conn, &ids)?;
    Ok(ranked
        .into_iter()
        .map(|(c, score)| SimilarCase { decision_letter: letters.remove(&c.id), case: c.clone(), score })
        .collect())
}

/// Whether `earlier` was made by the same applicant as `case` ([`similarity::same_applicant`]).
///
/// # Errors
/// A database error.
pub(crate) fn same_applicant(conn: &mut DbConnection, case: &Case, earlier: &Case) -> ServiceResult<bool> {
    if case.applicant_id == earlier.applicant_id {
        return Ok(true);
    }
    let this = key_of(case, store::has_identity(conn, case.applicant_id)?);
    let that = key_of(earlier, store::has_identity(conn, earlier.applicant_id)?);
    Ok(similarity::same_applicant(&this, &that))
}
