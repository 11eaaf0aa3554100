//! Appeals against decisions (section four of the report): administrative reconsideration
//! (行政复议) and litigation (行政诉讼), directly or after reconsideration.

use chrono::NaiveDate;
use serde_json::json;

use super::cases::{append_to_concluded, get_visible, guard_sealed_since, Now};
use super::{agencies as agency_service, Actor, ServiceError, ServiceResult};
use crate::domain::case::check_step_date;
use crate::domain::types::AppealResult;
use crate::domain::{CaseStatus, Outcome, Violation};
use crate::report::model::AppealKind;
use crate::storage::appeals::{self, AppealRow, NewAppealRow};
use crate::storage::{cases, DbConnection};

/// Since this date a refusal to disclose must go to reconsideration before court (行政复议法 Art. 23).
pub fn reconsideration_first_since() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn is_refusal(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::WithheldStateSecret
            | Outcome::WithheldProhibitedByLaw
            | Outcome::WithheldEndangersSecurityStability
            | Outcome::WithheldThirdPartyRights
            | Outcome::WithheldInternalAffairs
            | Outcome::WithheldProcessInformation
            | Outcome::WithheldEnforcementCaseFiles
            | Outcome::WithheldAdministrativeInquiry
    )
}

/// Record that the applicant appealed a concluded case.
///
/// # Errors
/// 403 below officer; 404 invisible case; 409 open case; 422 dates, litigation after a
/// reconsideration that was not decided, direct litigation against a refusal since 2024.
pub fn file(
    conn: &mut DbConnection,
    actor: &Actor,
    case_id: i64,
    kind: AppealKind,
    filed_on: NaiveDate,
    amendment_reason: Option<&str>,
    now: Now<'_>,
) -> ServiceResult<AppealRow> {
    let case = get_visible(conn, actor, case_id)?;
    actor.require(actor.role.can_handle(), "record appeals")?;
    let (Some(concluded_on), Some(outcome)) = (case.concluded_on, case.outcome.as_deref().and_then(Outcome::parse))
    else {
        return Err(ServiceError::conflict("case_not_concluded", "only a concluded case can be appealed"));
    };
    if case.status != CaseStatus::Concluded.as_str() {
        return Err(ServiceError::conflict("case_not_concluded", "only a concluded case can be appealed"));
    }
    check_step_date("filed_on", filed_on, case.received_on, now.today)?;
    if filed_on < concluded_on {
        return Err(Violation::field(
            "date_before_decision",
            "filed_on",
            format!("must not be before the decision on {concluded_on}"),
        )
        .into());
    }
    match kind {
        AppealKind::LitigationAfterReconsideration => {
            let decided = appeals::of_case(conn, case_id)?
                .into_iter()
                .any(|a| a.kind == AppealKind::Reconsideration.as_str() && a.decided_on.is_some_and(|d| d <= filed_on));
            if !decided {
                return Err(Violation::field(
                    "no_reconsideration",
                    "kind",
                    "litigation after reconsideration needs a reconsideration of this case decided on or before the filing",
                )
                .into());
            }
        }
        AppealKind::LitigationDirect if is_refusal(outcome) && filed_on >= reconsideration_first_since() => {
            return Err(Violation::field(
                "reconsideration_required",
                "kind",
                "since 2024-01-01 a refusal to disclose must go to reconsideration before court (行政复议法第二十三条)",
            )
            .into());
        }
        _ => {}
    }
    let sealed_override = guard_sealed_since(conn, actor, case.agency_id, filed_on, amendment_reason, &now)?;
    let id = appeals::insert(
        conn,
        &NewAppealRow {
            case_id,
            agency_id: case.agency_id,
            kind: kind.as_str(),
            filed_on,
            created_by: actor.user_id,
            created_at: now.at,
        },
    )?;
    let payload = json!({ "appeal_id": id, "kind": kind, "sealed_override": sealed_override });
    append_to_concluded(conn, &case, "appeal_filed", filed_on, actor, &payload, now.at)?;
    Ok(appeals::get(conn, id)?)
}

/// The appeal with `id` if the caller sees its case.
///
/// # Errors
/// 404 when it does not exist or is not visible.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> ServiceResult<AppealRow> {
    match appeals::find_with_path(conn, id)? {
        Some((appeal, path)) if actor.sees(&path) => Ok(appeal),
        _ => Err(ServiceError::NotFound { what: "appeal", code: "appeal_not_found" }),
    }
}

/// Record the result of an appeal; a `corrected` result shows on the case.
///
/// # Errors
/// 403 below officer; 404 invisible appeal; 409 already decided; 422 dates.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    result: AppealResult,
    decided_on: NaiveDate,
    amendment_reason: Option<&str>,
    now: Now<'_>,
) -> ServiceResult<AppealRow> {
    let appeal = get(conn, actor, id)?;
    actor.require(actor.role.can_handle(), "record appeal results")?;
    if appeal.result.is_some() {
        return Err(ServiceError::conflict("appeal_decided", "the appeal's result is already recorded"));
    }
    check_step_date("decided_on", decided_on, appeal.filed_on, now.today).map_err(|_| {
        Violation::field(
            "validation_failed",
            "decided_on",
            format!("must be between the filing on {} and today", appeal.filed_on),
        )
    })?;
    let sealed_override = guard_sealed_since(conn, actor, appeal.agency_id, decided_on, amendment_reason, &now)?;
    if !appeals::decide(conn, id, result.as_str(), decided_on)? {
        return Err(ServiceError::conflict("appeal_decided", "the appeal's result is already recorded"));
    }
    let case = cases::get(conn, appeal.case_id)?;
    let payload = json!({ "appeal_id": id, "kind": appeal.kind, "result": result, "sealed_override": sealed_override });
    append_to_concluded(conn, &case, "appeal_decided", decided_on, actor, &payload, now.at)?;
    Ok(appeals::get(conn, id)?)
}

/// The appeals of a case.
///
/// # Errors
/// 404 invisible case.
pub fn of_case(conn: &mut DbConnection, actor: &Actor, case_id: i64) -> ServiceResult<Vec<AppealRow>> {
    get_visible(conn, actor, case_id)?;
    Ok(appeals::of_case(conn, case_id)?)
}

/// Appeals of the agencies the caller sees (optionally one agency), by id.
///
/// # Errors
/// 404 for an invisible agency.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: Option<i64>,
    after: Option<i64>,
    limit: i64,
) -> ServiceResult<Vec<AppealRow>> {
    if let Some(agency_id) = agency_id {
        agency_service::get_visible(conn, actor, agency_id)?;
    }
    Ok(appeals::list(conn, actor.scope.as_deref().unwrap_or("/"), agency_id, after, limit)?)
}
