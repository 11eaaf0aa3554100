//! The lifecycle steps of a case between intake and decision: correction, consultation,
//! extension, fee notice and payment.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::AuthUser;
use super::cases::{respond, CaseResponse, ConsultationResponse};
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{expected_version, Json};
use super::AppState;
use crate::domain::case::limits;
use crate::domain::error::Errors;
use crate::domain::fees::FeeBasis;
use crate::domain::types::{Opinion, PartyKind};
use crate::service::cases::{self, CorrectionRequest, Extension, FeeNotice, NewConsultation};

/// The correction notice (补正告知书, Art. 30): once, within 7 working days of receipt.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequestBody {
    pub issued_on: NaiveDate,
    /// The applicant's deadline to correct (inclusive).
    pub respond_by: NaiveDate,
    /// What must be corrected.
    pub matters: String,
    pub version: Option<i64>,
}

/// The corrected application arrived.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionBody {
    pub received_on: NaiveDate,
    pub version: Option<i64>,
}

/// A consultation of a third party (Art. 32) or a co-producing agency (Art. 34).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationBody {
    pub party_kind: PartyKind,
    /// Who is consulted.
    pub party: String,
    pub sent_on: NaiveDate,
    pub version: Option<i64>,
}

/// The consulted party's reply, or `none` when no answer came.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationReplyBody {
    pub replied_on: NaiveDate,
    pub opinion: Opinion,
    pub version: Option<i64>,
}

/// The one extension (延期, Art. 33 ¶2), approved by the head of the disclosure office.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    pub approved_on: NaiveDate,
    /// 1–20.
    #[schema(minimum = 1, maximum = 20)]
    pub working_days: u32,
    pub reason: String,
    /// The day the applicant was told; no later than the current due date.
    pub notified_on: NaiveDate,
    pub version: Option<i64>,
}

/// A fee notice (收费通知书); the amount is computed from the 109号 scales.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeNoticeBody {
    pub issued_on: NaiveDate,
    pub basis: FeeBasis,
    /// Required for `per_page`.
    #[schema(minimum = 1)]
    pub pages: Option<u32>,
    pub version: Option<i64>,
}

/// The fee was paid.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeePaymentBody {
    pub paid_on: NaiveDate,
    pub version: Option<i64>,
}

/// Issue the correction notice; the clock stops until the corrected application arrives.
#[utoipa::path(tag = "cases", request_body = CorrectionRequestBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/correction-request")]
async fn request_correction(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<CorrectionRequestBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    let matters = errors.text("matters", &body.matters, limits::DESCRIPTION);
    errors.finish()?;
    let request = CorrectionRequest { issued_on: body.issued_on, respond_by: body.respond_by, matters };
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let details = state
        .db
        .write(move |conn| cases::request_correction(conn, &user, id, &request, version, snapshot.now()))
        .await?;
    respond(details)
}

/// Record the corrected application: a fresh 20-working-day period starts from its receipt.
#[utoipa::path(tag = "cases", request_body = CorrectionBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/correction")]
async fn receive_correction(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<CorrectionBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let details = state
        .db
        .write(move |conn| cases::receive_correction(conn, &user, id, body.received_on, version, snapshot.now()))
        .await?;
    respond(details)
}

/// Start a consultation; the clock pauses until the reply. The party has 15 working days.
#[utoipa::path(tag = "cases", request_body = ConsultationBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 201, description = "The consultation", body = ConsultationResponse), WriteErrors))]
#[post("/cases/{id}/consultations")]
async fn start_consultation(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<ConsultationBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    let party = errors.text("party", &body.party, limits::ADDRESS);
    errors.finish()?;
    let consultation = NewConsultation { party_kind: body.party_kind.as_str(), party, sent_on: body.sent_on };
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let (row, _) = state
        .db
        .write(move |conn| cases::start_consultation(conn, &user, id, &consultation, version, snapshot.now()))
        .await?;
    Ok(HttpResponse::Created().json(ConsultationResponse::try_from(row)?))
}

/// The consultations of a case.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The consultations", body = Vec<ConsultationResponse>), ReadErrors))]
#[get("/cases/{id}/consultations")]
async fn list_consultations(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<ConsultationResponse>>, ApiError> {
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let details = state.db.read(move |conn| cases::get(conn, &user, id, snapshot.now())).await?;
    Ok(web::Json(details.consultations.into_iter().map(ConsultationResponse::try_from).collect::<Result<_, _>>()?))
}

/// Record the reply to a consultation; its pause ends on the reply date.
#[utoipa::path(tag = "cases", request_body = ConsultationReplyBody,
    params(("id" = i64, Path, description = "Case id"), ("cid" = i64, Path, description = "Consultation id"),
        ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/consultations/{cid}/reply")]
async fn reply_consultation(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(i64, i64)>,
    body: Json<ConsultationReplyBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let ((id, cid), snapshot) = (path.into_inner(), state.snapshot());
    let opinion = body.opinion.as_str();
    let details = state
        .db
        .write(move |conn| {
            cases::reply_consultation(conn, &user, id, cid, body.replied_on, opinion, version, snapshot.now())
        })
        .await?;
    respond(details)
}

/// Extend the reply period (supervisors and admins; once; at most 20 working days; approved and
/// notified no later than the current due date).
#[utoipa::path(tag = "cases", request_body = ExtensionBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/extension")]
async fn extend(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<ExtensionBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    let reason = errors.text("reason", &body.reason, limits::DESCRIPTION);
    errors.finish()?;
    let extension = Extension {
        approved_on: body.approved_on,
        notified_on: body.notified_on,
        working_days: body.working_days,
        reason,
    };
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let details =
        state.db.write(move |conn| cases::extend(conn, &user, id, &extension, version, snapshot.now())).await?;
    respond(details)
}

/// Issue a fee notice; the amount is computed and the clock pauses until payment.
#[utoipa::path(tag = "cases", request_body = FeeNoticeBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/fee-notice")]
async fn issue_fee_notice(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<FeeNoticeBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    match (body.basis, body.pages) {
        (FeeBasis::PerPage, None | Some(0)) => {
            errors.add("pages", "the number of pages (at least 1) is required for per_page")
        }
        (FeeBasis::PerRequest, Some(_)) => {
            errors.add("pages", "is only for per_page: fees are per request or per page, never both")
        }
        _ => {}
    }
    errors.finish()?;
    let notice = FeeNotice { issued_on: body.issued_on, basis: body.basis, pages: body.pages };
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let details =
        state.db.write(move |conn| cases::issue_fee_notice(conn, &user, id, &notice, version, snapshot.now())).await?;
    respond(details)
}

/// Record the payment of the fee; the clock runs again.
#[utoipa::path(tag = "cases", request_body = FeePaymentBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/fee-payment")]
async fn pay_fee(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<FeePaymentBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let details =
        state.db.write(move |conn| cases::pay_fee(conn, &user, id, body.paid_on, version, snapshot.now())).await?;
    respond(details)
}

/// A correction of a concluded case's outcome or conclusion date (supervisors).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentBody {
    pub outcome: Option<crate::domain::Outcome>,
    pub concluded_on: Option<NaiveDate>,
    /// Why the recorded facts are corrected (kept in the `amended` event).
    pub reason: String,
    pub version: Option<i64>,
}

/// Amend a concluded case (supervisors): the previous and new values and the reason are recorded.
/// When the change alters a sealed report, it shows up in that report's drift.
#[utoipa::path(tag = "cases", request_body = AmendmentBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The amended case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/amendment")]
async fn amend(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<AmendmentBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    let reason = errors.text("reason", &body.reason, 2000);
    errors.finish()?;
    let amendment = cases::Amendment { outcome: body.outcome, concluded_on: body.concluded_on, reason };
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let details =
        state.db.write(move |conn| cases::amend(conn, &user, id, &amendment, version, snapshot.now())).await?;
    respond(details)
}

/// How a letter is wanted.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LetterParams {
    /// `html` (printable A4 page, default) or `text`.
    pub format: Option<String>,
    /// For `consultation_letter`: which consultation (default: the latest).
    pub consultation_id: Option<i64>,
}

/// The letter of a step, filled from the case: `acknowledgement` (受理回执), `correction_notice`
/// (补正告知书), `extension_notice` (延期答复告知书), `consultation_letter` (征求第三方意见书),
/// `fee_notice` (收费通知书) or `decision` (政府信息公开申请答复书, worded per outcome code).
#[utoipa::path(tag = "cases",
    params(("id" = i64, Path, description = "Case id"), ("kind" = inline(crate::notify::letters::LetterKind), Path, description = "The letter"), LetterParams),
    responses((status = 200, description = "The letter", content((String = "text/html"), (String = "text/plain"))), ReadErrors,
        (status = 409, description = "The step the letter belongs to has not happened", body = super::error::Problem, content_type = "application/problem+json")))]
#[get("/cases/{id}/letters/{kind}")]
async fn letter(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(i64, String)>,
    params: web::Query<LetterParams>,
) -> Result<HttpResponse, ApiError> {
    use crate::notify::letters::LetterKind;
    let (id, kind) = path.into_inner();
    let kind = LetterKind::parse(&kind).ok_or_else(|| {
        crate::domain::Violation::field("validation_failed", "kind", format!("`{kind}` is not a letter kind"))
    })?;
    let text = match params.format.as_deref() {
        None | Some("html") => false,
        Some("text") => true,
        Some(other) => {
            return Err(crate::domain::Violation::field(
                "validation_failed",
                "format",
                format!("`{other}`: use html or text"),
            )
            .into())
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
