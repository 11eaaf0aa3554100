//! The lifecycle steps of a case between intake and decision: correction, consultation,
//! extension, fee notice and payment; the amendment of a concluded case; its letters.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::AuthUser;
use super::cases::{options, respond, take_step, CaseResponse, ConsultationResponse, StepBody};
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::Json;
use super::AppState;
use crate::domain::error::Errors;
use crate::domain::fees::FeeBasis;
use crate::domain::ids::{CaseId, ConsultationId};
use crate::domain::lifecycle::{
    Amendment, CorrectionRequest, Extension, FeeNotice, NewConsultation, ReasonsRequest, Step,
};
use crate::domain::types::{Opinion, PartyKind};
use crate::domain::{limits, LetterKind, Outcome, Violation};
use crate::service::cases::steps::Options;
use crate::service::{cases, ServiceError};

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
    /// Send the step's letter even though the step is entered more than `mail.backdated_days`
    /// after its date (by default such a letter is kept, printable, and not mailed).
    pub notify: Option<bool>,
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
    /// Send the step's letter even though the step is entered more than `mail.backdated_days`
    /// after its date (by default such a letter is kept, printable, and not mailed).
    pub notify: Option<bool>,
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
    /// Send the step's letter even though the step is entered more than `mail.backdated_days`
    /// after its date (by default such a letter is kept, printable, and not mailed).
    pub notify: Option<bool>,
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
    /// Send the step's letter even though the step is entered more than `mail.backdated_days`
    /// after its date (by default such a letter is kept, printable, and not mailed).
    pub notify: Option<bool>,
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
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for CorrectionRequestBody {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let mut errors = Errors::default();
        let matters = errors.text("matters", &self.matters, limits::MATTERS);
        errors.finish()?;
        let request = CorrectionRequest { issued_on: self.issued_on, respond_by: self.respond_by, matters };
        Ok((Step::RequestCorrection(request), options(self.version, self.amendment_reason.as_deref(), self.notify)?))
    }
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
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for CorrectionBody {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let options = options(self.version, self.amendment_reason.as_deref(), None)?;
        Ok((Step::ReceiveCorrection { received_on: self.received_on }, options))
    }
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
    let details = take_step(state, user, &req, id.into_inner(), body.0, ()).await?;
    // The consultation just created is the case's latest.
    let created = details
        .state
        .consultations
        .into_iter()
        .max_by_key(|c| c.id)
        .ok_or_else(|| ApiError::corrupt("the new consultation is missing"))?;
    Ok(HttpResponse::Created().json(ConsultationResponse::from(created)))
}

impl StepBody for ConsultationBody {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let mut errors = Errors::default();
        let party = errors.text("party", &self.party, limits::PARTY);
        errors.finish()?;
        let consultation = NewConsultation { party_kind: self.party_kind, party, sent_on: self.sent_on };
        let options = options(self.version, self.amendment_reason.as_deref(), self.notify)?;
        Ok((Step::StartConsultation(consultation), options))
    }
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
    let (id, consultation_id) = path.into_inner();
    respond(take_step(state, user, &req, id, body.0, consultation_id).await?)
}

impl StepBody for ConsultationReplyBody {
    type Path = ConsultationId;

    fn into_step(self, consultation_id: ConsultationId, _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let options = options(self.version, self.amendment_reason.as_deref(), None)?;
        Ok((Step::ReplyConsultation { consultation_id, replied_on: self.replied_on, opinion: self.opinion }, options))
    }
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
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for ExtensionBody {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let mut errors = Errors::default();
        let reason = errors.text("reason", &self.reason, limits::DESCRIPTION);
        errors.finish()?;
        let extension = Extension {
            approved_on: self.approved_on,
            notified_on: self.notified_on,
            working_days: self.working_days,
            reason,
        };
        Ok((Step::Extend(extension), options(self.version, self.amendment_reason.as_deref(), self.notify)?))
    }
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
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for FeeNoticeBody {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let notice = self.notice()?;
        Ok((Step::IssueFeeNotice(notice), options(self.version, self.amendment_reason.as_deref(), self.notify)?))
    }
}

impl FeeNoticeBody {
    /// The notice asked for, its pages checked against its basis.
    ///
    /// # Errors
    /// 422 `validation_failed` at `pages`.
    pub fn notice(&self) -> Result<FeeNotice, ApiError> {
        let mut errors = Errors::default();
        match (self.basis, self.pages) {
            (FeeBasis::PerPage, None | Some(0)) => errors.add("pages", "按量计收时必须填写页数（至少1页）"),
            (FeeBasis::PerPage, Some(pages)) if pages > limits::MAX_PAGES => {
                errors.add("pages", format!("页数不得超过{}", limits::MAX_PAGES))
            }
            (FeeBasis::PerRequest, Some(_)) => {
                errors.add("pages", "页数只用于按量计收：按件计收与按量计收不能同时适用")
            }
            _ => {}
        }
        errors.finish()?;
        Ok(FeeNotice {
            issued_on: self.issued_on,
            basis: self.basis,
            pages: self.pages,
            nth_request: None,
            counted: Vec::new(),
        })
    }
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
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for FeePaymentBody {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let options = options(self.version, self.amendment_reason.as_deref(), None)?;
        Ok((Step::PayFee { paid_on: self.paid_on }, options))
    }
}

/// The applicant is asked to explain the reasons for requests whose number or frequency is
/// clearly beyond a reasonable range (Art. 35).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonsRequestBody {
    pub requested_on: NaiveDate,
    /// The applicant's deadline to explain (inclusive).
    pub respond_by: NaiveDate,
    /// What makes the requests clearly excessive (their number, frequency, period), printed in
    /// the letter.
    #[schema(max_length = 4000)]
    pub grounds: String,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
    /// Send the step's letter even though the step is entered more than `mail.backdated_days`
    /// after its date (by default such a letter is kept, printable, and not mailed).
    pub notify: Option<bool>,
}

/// The applicant's explanation arrived (Art. 35).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonsBody {
    pub received_on: NaiveDate,
    /// The reasons given, as the officer summarises them.
    #[schema(max_length = 4000)]
    pub reasons: String,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
}

/// Ask the applicant to explain the reasons for clearly excessive requests (Art. 35), once; the
/// applicant is sent a `reasons_request`. A decision `not_processed_excessive` needs it, and the
/// explanation or the end of its deadline. The reply period keeps running.
#[utoipa::path(tag = "cases", request_body = ReasonsRequestBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/reasons-request")]
pub(crate) async fn request_reasons(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<ReasonsRequestBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for ReasonsRequestBody {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let mut errors = Errors::default();
        let grounds = errors.text("grounds", &self.grounds, limits::MATTERS);
        errors.finish()?;
        let request = ReasonsRequest { requested_on: self.requested_on, respond_by: self.respond_by, grounds };
        Ok((Step::RequestReasons(request), options(self.version, self.amendment_reason.as_deref(), self.notify)?))
    }
}

/// Record the applicant's explanation (Art. 35).
#[utoipa::path(tag = "cases", request_body = ReasonsBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/reasons")]
pub(crate) async fn receive_reasons(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<ReasonsBody>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for ReasonsBody {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let mut errors = Errors::default();
        let reasons = errors.text("reasons", &self.reasons, limits::MATTERS);
        errors.finish()?;
        let options = options(self.version, self.amendment_reason.as_deref(), None)?;
        Ok((Step::ReceiveReasons { received_on: self.received_on, reasons }, options))
    }
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
    /// The officer's text of the amended reply (as a decision's `basis`): required when the new
    /// outcome needs one (a refusal's reason, a route); a new outcome keeps none of the old text.
    /// An amendment cannot name other facts (the responsible agency, the earlier case): revoke
    /// the decision and decide again.
    #[schema(max_length = 8000)]
    pub basis: Option<String>,
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
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for AmendmentBody {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let mut errors = Errors::default();
        let reason = errors.text("reason", &self.reason, limits::REASON);
        let basis = errors.optional_text("basis", self.basis.as_deref(), limits::BASIS);
        errors.finish()?;
        let amendment = Amendment { outcome: self.outcome, concluded_on: self.concluded_on, reason, basis };
        Ok((Step::Amend(amendment), options(self.version, None, None)?))
    }
}

/// How a letter is wanted.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LetterParams {
    /// `html` (printable A4 page, default) or `text`.
    pub format: Option<String>,
    /// For `consultation_letter` and `disclosure_notice_to_third_party`: which consultation
    /// (default: the latest).
    pub consultation_id: Option<ConsultationId>,
    /// An earlier letter of this kind, by its document number (default: the latest).
    #[param(max_length = 100)]
    pub number: Option<String>,
}

/// A letter of the case as issued, byte for byte: `acknowledgement` (受理回执), `correction_notice`
/// (补正告知书), `extension_notice` (延期答复告知书), `consultation_letter` (征求第三方意见书, or
/// 征求意见函 to an agency), `reasons_request` (说明理由通知书), `fee_notice` (收费通知书), `decision`
/// (政府信息公开申请答复书), `withdrawal_confirmation` (撤回申请确认书),
/// `disclosure_notice_to_third_party` (决定公开告知书) or `rectification` (更正告知书) — the latest
/// of its kind (of the consultation, when given), or the one `number` names. For a case entered
/// before letters were kept, the letter is rendered from the case (the response then says
/// `X-Letter-Source: rendered`).
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
    let (consultation_id, number, snapshot) = (params.consultation_id, params.number.clone(), state.snapshot());
    let found = state
        .db
        .read(move |conn| {
            use crate::service::letters;
            match letters::stored(conn, &user, id, kind, consultation_id, number.as_deref())? {
                Some(stored) => Ok((stored.body_html, stored.body_text, "stored")),
                None => {
                    let data = letters::data(conn, &user, id, kind, consultation_id, snapshot.now())?;
                    let rendered = snapshot.letters.render(&data).map_err(|e| ServiceError::corrupt(e.to_string()))?;
                    Ok::<_, ServiceError>((rendered.html, rendered.text, "rendered"))
                }
            }
        })
        .await?;
    let (html, plain, source) = found;
    let mut response = HttpResponse::Ok();
    response.insert_header(("X-Letter-Source", source));
    Ok(if text {
        response.content_type("text/plain; charset=utf-8").body(plain)
    } else {
        response.content_type("text/html; charset=utf-8").body(html)
    })
}

/// A letter as issued, and where it stands.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct LetterResponse {
    pub id: i64,
    pub case_id: CaseId,
    pub kind: LetterKind,
    /// Its own document number, e.g. `南政信公答〔2026〕12号`.
    pub document_number: String,
    pub issued_on: NaiveDate,
    /// The addressee: the applicant, or the consulted party.
    pub recipient: String,
    pub subject: String,
    /// SHA-256 (hex) of the letter's HTML as issued.
    pub sha256: String,
    /// `email`, `print` (printed and posted) or `recorded` (kept, not sent: entered after the fact).
    pub delivery: crate::service::letters::Delivery,
    /// `pending`, `sending`, `sent`, `failed` for e-mail; `print`, `printed`, `posted`, `served`
    /// for post; `recorded`.
    pub status: String,
    pub consultation_id: Option<ConsultationId>,
    /// The earlier letter this one corrects.
    pub refers_to: Option<i64>,
    #[serde(serialize_with = "super::rfc3339_opt")]
    pub printed_at: Option<chrono::NaiveDateTime>,
    pub posted_on: Option<NaiveDate>,
    pub tracking_number: Option<String>,
    pub served_on: Option<NaiveDate>,
}

impl From<crate::service::letters::LetterState> for LetterResponse {
    fn from(state: crate::service::letters::LetterState) -> Self {
        use crate::service::letters::Delivery;
        let l = state.letter;
        let status = match l.delivery {
            Delivery::Email => state.email_status.unwrap_or_else(|| "pending".to_owned()),
            Delivery::Recorded => "recorded".to_owned(),
            Delivery::Print if l.served_on.is_some() => "served".to_owned(),
            Delivery::Print if l.posted_on.is_some() => "posted".to_owned(),
            Delivery::Print if l.printed_at.is_some() => "printed".to_owned(),
            Delivery::Print => "print".to_owned(),
        };
        Self {
            id: l.id,
            case_id: l.case_id,
            kind: l.kind,
            document_number: l.document_number,
            issued_on: l.issued_on,
            recipient: l.recipient,
            subject: l.subject,
            sha256: l.sha256,
            delivery: l.delivery,
            status,
            consultation_id: l.consultation_id,
            refers_to: l.refers_to,
            printed_at: l.printed_at,
            posted_on: l.posted_on,
            tracking_number: l.tracking_number,
            served_on: l.served_on,
        }
    }
}

/// Every letter issued for the case, in the order issued: its document number, its date, how it
/// went out and where it stands.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The letters", body = Vec<LetterResponse>), ReadErrors))]
#[get("/cases/{id}/letters")]
pub(crate) async fn case_letters(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
) -> Result<web::Json<Vec<LetterResponse>>, ApiError> {
    let id = id.into_inner();
    let letters = state.db.read(move |conn| crate::service::letters::of_case(conn, &user, id)).await?;
    Ok(web::Json(letters.into_iter().map(LetterResponse::from).collect()))
}
