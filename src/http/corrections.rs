//! Mistakes put right: void a registration, correct the intake, revoke a step (issue 14).

use actix_web::{post, web, HttpRequest};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::AuthUser;
use super::cases::{options, respond, take_step, CaseResponse, StepBody};
use super::error::{ApiError, WriteErrors};
use super::extract::Json;
use super::AppState;
use crate::domain::case::Particulars;
use crate::domain::error::Errors;
use crate::domain::ids::{AgencyId, CaseId};
use crate::domain::intake::check_intake_dates;
use crate::domain::lifecycle::{IntakeCorrection, Step};
use crate::domain::{limits, Channel, Violation};
use crate::service::cases::steps::Options;

/// Void a registration made by mistake.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    /// Why (a test entry, a double registration, …); kept in the case's history.
    #[schema(max_length = 2000)]
    pub reason: String,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the case counts in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

fn reason(errors: &mut Errors, reason: &str) -> String {
    errors.text("reason", reason, limits::REASON)
}

/// Void a case registered by mistake: it leaves the report, the lists (unless asked for with
/// `status=voided`), the dashboard and the reminders, and keeps its events and letters. An
/// officer voids a case they registered themselves on the day they registered it; a supervisor
/// any case.
#[utoipa::path(tag = "cases", request_body = VoidRequest,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The voided case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/void")]
pub(crate) async fn void(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<VoidRequest>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for VoidRequest {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let mut errors = Errors::default();
        let why = reason(&mut errors, &self.reason);
        errors.finish()?;
        Ok((Step::Void { reason: why }, options(self.version, self.amendment_reason.as_deref(), None)?))
    }
}

/// The applicant's particulars as they should have been registered.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticularsRequest {
    #[schema(max_length = 200)]
    pub name: String,
    #[schema(max_length = 50)]
    pub phone: Option<String>,
    #[schema(max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 500)]
    pub address: Option<String>,
}

/// The facts of the intake to correct; the fields left out stay as registered.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeCorrectionRequest {
    /// Why; kept in the case's history.
    #[schema(max_length = 2000)]
    pub reason: String,
    pub received_on: Option<NaiveDate>,
    /// `null` keeps it; to clear it, send `clear_submitted_on: true`.
    pub submitted_on: Option<NaiveDate>,
    #[serde(default)]
    pub clear_submitted_on: bool,
    pub channel: Option<Channel>,
    /// Another agency the caller sees (the case is then counted there).
    pub agency_id: Option<AgencyId>,
    pub applicant: Option<ParticularsRequest>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    /// The items asked for, replacing the registered ones (only while none has an outcome).
    #[schema(max_items = 100)]
    pub items: Option<Vec<String>>,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the case counts in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// Correct the intake of a case (receipt and submission dates, channel, agency, the applicant's
/// particulars, what is asked): the deadlines are recomputed and the report follows; the drift of
/// a sealed year shows it. Same roles as the void.
#[utoipa::path(tag = "cases", request_body = IntakeCorrectionRequest,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The corrected case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/intake-correction")]
pub(crate) async fn correct_intake(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<IntakeCorrectionRequest>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for IntakeCorrectionRequest {
    type Path = ();

    fn into_step(self, (): (), today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let body = self;
        let mut errors = Errors::default();
        let why = reason(&mut errors, &body.reason);
        let applicant = body.applicant.as_ref().map(|a| Particulars {
            name: errors.text("applicant.name", &a.name, limits::NAME),
            phone: errors.optional_text("applicant.phone", a.phone.as_deref(), limits::PHONE),
            email: errors.optional_text("applicant.email", a.email.as_deref(), limits::EMAIL),
            address: errors.optional_text("applicant.address", a.address.as_deref(), limits::ADDRESS),
        });
        let description = body.description.as_deref().map(|d| errors.text("description", d, limits::DESCRIPTION));
        let items = body.items.as_ref().map(|items| {
            if items.len() > limits::ITEMS {
                errors.add("items", format!("申请事项不得超过{}项", limits::ITEMS));
            }
            items.iter().enumerate().map(|(i, d)| errors.text(&format!("items[{i}]"), d, limits::ITEM)).collect()
        });
        if let Some(received_on) = body.received_on {
            check_intake_dates(&mut errors, body.submitted_on, received_on, today);
        }
        errors.finish()?;
        if body.clear_submitted_on && body.submitted_on.is_some() {
            return Err(Violation::field("validation_failed", "submitted_on", "不能同时填写并清除提交日期").into());
        }
        let correction = IntakeCorrection {
            received_on: body.received_on,
            submitted_on: if body.clear_submitted_on { Some(None) } else { body.submitted_on.map(Some) },
            channel: body.channel,
            agency_id: body.agency_id,
            applicant,
            description,
            items,
            reason: why,
        };
        Ok((Step::CorrectIntake(correction), options(body.version, body.amendment_reason.as_deref(), None)?))
    }
}

/// Revoke a step recorded by mistake.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// Why; kept in the case's history and printed on the rectification letter.
    #[schema(max_length = 2000)]
    pub reason: String,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the step falls in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// Revoke the step recorded as event `seq` (supervisors): it stops counting — the clock and the
/// report as if it had not happened — and stays in the history. Only the latest step that still
/// counts may be revoked (or an appeal's latest step, a void, an intake correction). A letter
/// already sent cannot be unsent: revoking its step issues a short rectification letter.
#[utoipa::path(tag = "cases", request_body = RevokeRequest,
    params(("id" = i64, Path, description = "Case id"), ("seq" = i32, Path, description = "The event of the step"),
        ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/steps/{seq}/revoke")]
pub(crate) async fn revoke(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(CaseId, i32)>,
    body: Json<RevokeRequest>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let (id, seq) = path.into_inner();
    respond(take_step(state, user, &req, id, body.0, seq).await?)
}

impl StepBody for RevokeRequest {
    type Path = i32;

    fn into_step(self, seq: i32, _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let mut errors = Errors::default();
        let why = reason(&mut errors, &self.reason);
        errors.finish()?;
        Ok((Step::Revoke { seq, reason: why }, options(self.version, self.amendment_reason.as_deref(), None)?))
    }
}
