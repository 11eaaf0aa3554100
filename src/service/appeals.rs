//! Appeals against decisions (section four of the report): administrative reconsideration
//! (行政复议) and litigation (行政诉讼), directly or after reconsideration. Filing and deciding
//! are steps of the case ([`crate::domain::lifecycle`]); these are the reads.

use chrono::NaiveDate;

use super::cases::{get_visible, steps};
use super::{agencies as agency_service, Actor, Now, ServiceError, ServiceResult};
use crate::domain::case::Appeal;
use crate::domain::ids::{AgencyId, AppealId, CaseId};
use crate::domain::lifecycle::Step;
use crate::domain::types::{AppealKind, AppealResult};
use crate::storage::{appeals, DbConnection};

/// File an appeal against a concluded case; returns it.
///
/// # Errors
/// As [`steps::take`]: 409 for an open case or a duplicate, 422 for a date before the decision,
/// litigation after reconsideration without a decided reconsideration, or a direct suit where
/// reconsideration must come first (see [`crate::domain::remedies`]).
pub fn file(
    conn: &mut DbConnection,
    actor: &Actor,
    case_id: CaseId,
    kind: AppealKind,
    filed_on: NaiveDate,
    options: &steps::Options,
    now: Now<'_>,
) -> ServiceResult<Appeal> {
    let details = steps::take(conn, actor, case_id, Step::FileAppeal { kind, filed_on }, options, now)?;
    details
        .state
        .appeals
        .iter()
        .rfind(|a| a.kind == kind && a.filed_on == filed_on)
        .cloned()
        .ok_or_else(|| ServiceError::corrupt("the new appeal is missing"))
}

/// The appeal with `id`, if the caller sees it.
///
/// # Errors
/// 404 when it does not exist or is not visible.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: AppealId) -> ServiceResult<Appeal> {
    match appeals::find_with_path(conn, id)? {
        // A unit that handles the case sees its appeals too.
        Some((appeal, path)) if actor.sees(&path) || super::cases::get_visible(conn, actor, appeal.case_id).is_ok() => {
            Ok(appeal)
        }
        _ => Err(ServiceError::NotFound { what: "appeal", code: "appeal_not_found" }),
    }
}

/// Record the result of an appeal; returns it.
///
/// # Errors
/// 404 invisible appeal; 409 when a result is recorded already; 422 for a date outside filing..today.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    id: AppealId,
    result: AppealResult,
    decided_on: NaiveDate,
    options: &steps::Options,
    now: Now<'_>,
) -> ServiceResult<Appeal> {
    let step = Step::DecideAppeal { appeal_id: id, result, decided_on };
    let details = steps::take_on_appeal(conn, actor, id, step, options, now)?;
    details.state.appeals.into_iter().find(|a| a.id == id).ok_or_else(|| ServiceError::corrupt("the appeal is missing"))
}

/// The appeals of a visible case.
///
/// # Errors
/// 404 invisible case.
pub fn of_case(conn: &mut DbConnection, actor: &Actor, case_id: CaseId) -> ServiceResult<Vec<Appeal>> {
    get_visible(conn, actor, case_id)?;
    Ok(appeals::of_case(conn, case_id)?)
}

/// The appeals the caller sees (of `agency_id` only, when given), by id after `after`.
///
/// # Errors
/// 404 invisible agency.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: Option<AgencyId>,
    after: Option<AppealId>,
    limit: i64,
) -> ServiceResult<Vec<Appeal>> {
    if let Some(agency_id) = agency_id {
        agency_service::get_visible(conn, actor, agency_id)?;
    }
    Ok(appeals::list(conn, actor.scope.as_deref().unwrap_or("/"), agency_id, after, limit)?)
}
