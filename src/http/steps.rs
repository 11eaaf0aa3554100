//! The lifecycle steps of a case between intake and decision: correction, consultation,
//! extension, fee notice and payment; the amendment of a concluded case; its letters.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::AuthUser;
use super::cases::{reason_of, respond, step, CaseResponse, ConsultationResponse};
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{expected_version, Json};
use super::AppState;
use crate::domain::error::Errors;
use crate::domain::fees::FeeBasis;
use crate::domain::ids::{CaseId, ConsultationId};
use crate::domain::lifecycle::{Amendment, CorrectionRequest, Extension, FeeNotice, NewConsultation, Step};
use crate::domain::types::{Opinion, PartyKind};
use crate::domain::{limits, LetterKind, Outcome, Violation};
use crate::service::cases;

/// The correction notice (补正告知书, Art. 30): once, within 7 working days of receipt.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequestBody {
    pub issued_on: NaiveDate,
    /// The applicant's deadline to correct (inclusive).
    pub respond_by: NaiveDate,
    /// What must be corrected.
    #[schema(max_length = 4000)]
    pub matters: String,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// The corrected application arrived.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionBody {
    pub received_on: NaiveDate,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// A consultation of a third party (Art. 32) or a co-producing agency (Art. 34).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationBody {
    pub party_kind: PartyKind,
    /// Who is consulted.
    #[schema(max_length = 500)]
    pub party: String,
    pub sent_on: NaiveDate,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// The consulted party's reply, or `none` when no answer came.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationReplyBody {
    pub replied_on: NaiveDate,
    pub opinion: Opinion,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// The one extension (延期, Art. 33 ¶2), approved by the head of the disclosure office.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    pub approved_on: NaiveDate,
    /// 1–20.
    #[schema(minimum = 1, maximum = 20)]
    pub working_days: u32,
    #[schema(max_length = 4000)]
    pub reason: String,
    /// The day the applicant was told; no later than the current due date.
    pub notified_on: NaiveDate,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// A fee notice (收费通知书); the amount is computed from the 109号 scales.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeNoticeBody {
    pub issued_on: NaiveDate,
    pub basis: FeeBasis,
    /// Required for `per_page`.
    #[schema(minimum = 1, maximum = 100000)]
    pub pages: Option<u32>,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// The fee was paid.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeePaymentBody {
    pub paid_on: NaiveDate,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// Issue the correction notice; the clock stops until the corrected application arrives.
#[utoipa::path(tag = "cases", request_body = CorrectionRequestBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/correction-request")]
pub(crate) async fn request_correction(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<CorrectionRequestBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    let matters = errors.text("matters", &body.matters, limits::MATTERS);
    errors.finish()?;
    let reason = reason_of(body.amendment_reason.as_deref())?;
    let request = CorrectionRequest { issued_on: body.issued_on, respond_by: body.respond_by, matters };
    respond(step(state, user, id.into_inner(), Step::RequestCorrection(request), version, reason).await?)
}

/// Record the corrected application: a fresh 20-working-day period starts from its receipt.
#[utoipa::path(tag = "cases", request_body = CorrectionBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/correction")]
pub(crate) async fn receive_correction(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<CorrectionBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let reason = reason_of(body.amendment_reason.as_deref())?;
    let correction = Step::ReceiveCorrection { received_on: body.received_on };
    respond(step(state, user, id.into_inner(), correction, version, reason).await?)
}

/// Start a consultation; the clock pauses until the reply. The party has 15 working days.
#[utoipa::path(tag = "cases", request_body = ConsultationBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 201, description = "The consultation", body = ConsultationResponse), WriteErrors))]
#[post("/cases/{id}/consultations")]
pub(crate) async fn start_consultation(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<ConsultationBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    let party = errors.text("party", &body.party, limits::PARTY);
    errors.finish()?;
    let reason = reason_of(body.amendment_reason.as_deref())?;
    let consultation = NewConsultation { party_kind: body.party_kind, party, sent_on: body.sent_on };
    let details = step(state, user, id.into_inner(), Step::StartConsultation(consultation), version, reason).await?;
    // The consultation just created is the case's latest.
    let created = details
        .state
        .consultations
        .into_iter()
        .max_by_key(|c| c.id)
        .ok_or_else(|| ApiError::corrupt("the new consultation is missing"))?;
    Ok(HttpResponse::Created().json(ConsultationResponse::from(created)))
}

/// The consultations of a case.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The consultations", body = Vec<ConsultationResponse>), ReadErrors))]
#[get("/cases/{id}/consultations")]
pub(crate) async fn list_consultations(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
) -> Result<web::Json<Vec<ConsultationResponse>>, ApiError> {
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let details = state.db.read(move |conn| cases::get(conn, &user, id, snapshot.now())).await?;
    Ok(web::Json(details.state.consultations.into_iter().map(ConsultationResponse::from).collect()))
}

/// Record the reply to a consultation; its pause ends on the reply date.
#[utoipa::path(tag = "cases", request_body = ConsultationReplyBody,
    params(("id" = i64, Path, description = "Case id"), ("cid" = i64, Path, description = "Consultation id"),
        ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/consultations/{cid}/reply")]
pub(crate) async fn reply_consultation(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(CaseId, ConsultationId)>,
    body: Json<ConsultationReplyBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let reason = reason_of(body.amendment_reason.as_deref())?;
    let (id, consultation_id) = path.into_inner();
    let reply = Step::ReplyConsultation { consultation_id, replied_on: body.replied_on, opinion: body.opinion };
    respond(step(state, user, id, reply, version, reason).await?)
}

/// Extend the reply period (supervisors and admins; once; at most 20 working days; approved and
/// notified no later than the current due date).
#[utoipa::path(tag = "cases", request_body = ExtensionBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/extension")]
pub(crate) async fn extend(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<ExtensionBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    let reason = errors.text("reason", &body.reason, limits::DESCRIPTION);
    errors.finish()?;
    let amendment_reason = reason_of(body.amendment_reason.as_deref())?;
    let extension = Extension {
        approved_on: body.approved_on,
        notified_on: body.notified_on,
        working_days: body.working_days,
        reason,
    };
    respond(step(state, user, id.into_inner(), Step::Extend(extension), version, amendment_reason).await?)
}

/// Issue a fee notice; the amount is computed and the clock pauses until payment.
#[utoipa::path(tag = "cases", request_body = FeeNoticeBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/fee-notice")]
pub(crate) async fn issue_fee_notice(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<FeeNoticeBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    match (body.basis, body.pages) {
        (FeeBasis::PerPage, None | Some(0)) => errors.add("pages", "按量计收时必须填写页数（至少1页）"),
        (FeeBasis::PerPage, Some(pages)) if pages > limits::MAX_PAGES => {
            errors.add("pages", format!("页数不得超过{}", limits::MAX_PAGES))
        }
        (FeeBasis::PerRequest, Some(_)) => errors.add("pages", "页数只用于按量计收：按件计收与按量计收不能同时适用"),
        _ => {}
    }
    errors.finish()?;
    let reason = reason_of(body.amendment_reason.as_deref())?;
    let notice = FeeNotice { issued_on: body.issued_on, basis: body.basis, pages: body.pages, nth_request: None };
    respond(step(state, user, id.into_inner(), Step::IssueFeeNotice(notice), version, reason).await?)
}

/// Record the payment of the fee; the clock runs again.
#[utoipa::path(tag = "cases", request_body = FeePaymentBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/fee-payment")]
pub(crate) async fn pay_fee(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<FeePaymentBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let reason = reason_of(body.amendment_reason.as_deref())?;
    respond(step(state, user, id.into_inner(), Step::PayFee { paid_on: body.paid_on }, version, reason).await?)
}

/// A correction of a concluded case's outcome or conclusion date (supervisors).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentBody {
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    /// Why the recorded facts are corrected (kept in the `amended` event).
    #[schema(max_length = 2000)]
    pub reason: String,
    pub version: Option<i64>,
}

/// Amend a concluded case (supervisors): the previous and new values and the reason are recorded.
/// When the change alters a sealed report, it shows up in that report's drift.
#[utoipa::path(tag = "cases", request_body = AmendmentBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The amended case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/amendment")]
pub(crate) async fn amend(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<AmendmentBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    let reason = errors.text("reason", &body.reason, limits::REASON);
    errors.finish()?;
    let amendment = Amendment { outcome: body.outcome, concluded_on: body.concluded_on, reason };
    respond(step(state, user, id.into_inner(), Step::Amend(amendment), version, None).await?)
}

/// How a letter is wanted.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LetterParams {
    /// `html` (printable A4 page, default) or `text`.
    pub format: Option<String>,
    /// For `consultation_letter`: which consultation (default: the latest).
    pub consultation_id: Option<ConsultationId>,
}

/// The letter of a step, filled from the case: `acknowledgement` (受理回执), `correction_notice`
/// (补正告知书), `extension_notice` (延期答复告知书), `consultation_letter` (征求第三方意见书),
/// `fee_notice` (收费通知书) or `decision` (政府信息公开申请答复书, worded per outcome code).
#[utoipa::path(tag = "cases",
    params(("id" = i64, Path, description = "Case id"), ("kind" = inline(LetterKind), Path, description = "The letter"), LetterParams),
    responses((status = 200, description = "The letter", content((String = "text/html"), (String = "text/plain"))), ReadErrors,
        (status = 409, description = "The step the letter belongs to has not happened", body = super::error::Problem, content_type = "application/problem+json")))]
#[get("/cases/{id}/letters/{kind}")]
pub(crate) async fn letter(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(CaseId, String)>,
    params: web::Query<LetterParams>,
) -> Result<HttpResponse, ApiError> {
    let (id, kind) = path.into_inner();
    let kind = LetterKind::parse(&kind)
        .ok_or_else(|| Violation::field("validation_failed", "kind", format!("“{kind}”不是文书类型")))?;
    let text = match params.format.as_deref() {
        None | Some("html") => false,
        Some("text") => true,
        Some(other) => {
            return Err(Violation::field("validation_failed", "format", format!("“{other}”：应为 html 或 text")).into())
        }
    };
    let (consultation_id, snapshot) = (params.consultation_id, state.snapshot());
    let data = state
        .db
        .read(move |conn| crate::service::letters::data(conn, &user, id, kind, consultation_id, snapshot.now()))
        .await?;
    let letter = state.letters.render(&data).map_err(ApiError::internal)?;
    Ok(if text {
        HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(letter.text)
    } else {
        HttpResponse::Ok().content_type("text/html; charset=utf-8").body(letter.html)
    })
}
