//! `/api/v1/public/…`: the public portal's API (no sign-in): the challenge, the online
//! application, and the applicant's status look-up and withdrawal request.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cases::intake::{idempotency_key, parse_items, ApplicantRequest, ItemRequest};
use super::error::{ApiError, Problem};
use super::extract::{Json, Query};
use super::portal::Portal;
use super::AppState;
use crate::domain::error::Errors;
use crate::domain::ids::AgencyId;
use crate::domain::submission::{Delivery, NewSubmission, SubmissionStatus};
use crate::domain::{limits, LetterKind, Violation};
use crate::service::public_status::{self, PublicStatus};
use crate::service::submissions;

/// A challenge to answer with the application.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeResponse {
    /// Give it back with the answer; valid for 10 minutes, once.
    pub id: String,
    /// In Chinese, e.g. `7 加 5 等于多少？`.
    pub question: String,
}

/// A new challenge (404 `challenge_not_found` when `portal.challenge` is `off`: applications need none).
#[utoipa::path(tag = "public", security(()),
    responses((status = 200, description = "The challenge", body = ChallengeResponse),
        (status = 404, description = "Challenges are off", body = Problem, content_type = "application/problem+json")))]
#[get("/public/challenge")]
pub(crate) async fn challenge(state: web::Data<AppState>) -> Result<web::Json<ChallengeResponse>, ApiError> {
    match state.portal.ask() {
        Some((id, question)) => Ok(web::Json(ChallengeResponse { id, question })),
        None => {
            Err(ApiError::NotFound { what: "验证题（本服务未启用验证题）", code: "challenge_not_found" })
        }
    }
}

/// The answer to a challenge.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeAnswer {
    pub id: String,
    /// The number, as a JSON number or a string.
    #[schema(value_type = String)]
    pub answer: serde_json::Value,
}

/// An online application (Art. 29).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRequest {
    /// An agency open for online applications.
    pub agency_id: AgencyId,
    /// As in `POST /cases`; online, the identity document and an e-mail address or a phone number are required.
    pub applicant: ApplicantRequest,
    #[schema(max_length = 4000)]
    pub description: String,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub items: Vec<ItemRequest>,
    pub delivery: Delivery,
    /// Required unless `portal.challenge` is `off`; not part of the idempotency key's request.
    #[serde(skip_serializing)]
    pub challenge: Option<ChallengeAnswer>,
}

impl ApplicationRequest {
    /// The validated application.
    ///
    /// # Errors
    /// Every field error at once.
    pub fn validate(&self, today: NaiveDate) -> Result<NewSubmission, Violation> {
        let mut errors = Errors::default();
        let applicant = self.applicant.parse(&mut errors, today);
        let a = &self.applicant;
        if a.id_number.as_deref().is_none_or(|n| n.trim().is_empty()) {
            errors.add("applicant.id_number", "网上申请必须填写身份证件号码（《政府信息公开条例》第二十九条）");
        }
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        if blank(&a.email) && blank(&a.phone) {
            errors.add("applicant.email", "请至少填写电子邮箱或联系电话中的一项");
        }
        let description = errors.text("description", &self.description, limits::DESCRIPTION);
        let items = parse_items(&mut errors, &self.items);
        errors.finish()?;
        let applicant =
            applicant.ok_or_else(|| Violation::field("validation_failed", "applicant", "申请人信息无效"))?;
        Ok(NewSubmission { agency_id: self.agency_id, applicant, description, items, delivery: self.delivery })
    }
}

/// Told once: keep the query code.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationResponse {
    #[schema(example = "WS-20261206-7KQ4M2PX")]
    pub submission_number: String,
    /// 12 characters; shown only here (and e-mailed when an address was given).
    #[schema(example = "K7M2Q9X4HT3A")]
    pub query_code: String,
    pub status: SubmissionStatus,
}

/// Submit an online application. It waits for the agency to confirm it: the confirmation day is
/// its receipt date (Art. 31 (3)). With an `Idempotency-Key` used before for the same
/// application, nothing new is stored: 200 with the same number and a new query code.
#[utoipa::path(tag = "public", security(()), request_body = ApplicationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried application stored once")),
    responses(
        (status = 201, description = "Submitted", body = ApplicationResponse),
        (status = 200, description = "Submitted before with the same Idempotency-Key", body = ApplicationResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field, the agency or the challenge is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many applications from this address", body = Problem, content_type = "application/problem+json")))]
#[post("/public/applications")]
pub(crate) async fn apply(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<ApplicationRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let key = idempotency_key(&req, &body)?;
    let answer = body.challenge.as_ref().map(|c| {
        let given = match &c.answer {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        (c.id.clone(), given)
    });
    state
        .portal
        .check(answer.as_ref().map(|(id, a)| (id.as_str(), a.as_str())), key.as_ref().map(|k| k.key.as_str()))?;
    let new = body.validate(state.today())?;
    let ip = super::client::client_ip(&req);
    Portal::count(&state.portal.submissions, ip, "too_many_submissions", "网上申请")?;
    let requester = ip.map(|ip| ip.to_string());
    let snapshot = state.snapshot();
    let attempt = || {
        let (state, new, key, requester, snapshot) =
            (state.clone(), new.clone(), key.clone(), requester.clone(), snapshot.clone());
        async move {
            state
                .db
                .write(move |conn| submissions::submit(conn, &new, key.as_ref(), requester.as_deref(), snapshot.now()))
                .await
        }
    };
    let submitted = match attempt().await {
        // Two first uses of one key raced (PostgreSQL), or a number drawn twice: try once more.
        Err(e) if e.is_unique_violation() => attempt().await,
        other => other,
    }?;
    let response = ApplicationResponse {
        submission_number: submitted.submission_number,
        query_code: submitted.query_code,
        status: submitted.status,
    };
    Ok(if submitted.created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(response))
}

/// The number and query code of a status look-up.
#[derive(Debug, Deserialize, Serialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatusParams {
    /// The submission number, or the case number once confirmed.
    pub number: String,
    /// The query code given with the submission.
    pub code: String,
}

/// A step of the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStepResponse {
    pub date: NaiveDate,
    pub label: String,
}

/// A letter addressed to the applicant, to read and print.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicLetterResponse {
    pub kind: LetterKind,
    pub title: String,
    pub document_number: String,
    pub issued_on: NaiveDate,
    pub text: String,
    /// The letter as printed (HTML fragment).
    pub html: String,
}

/// Where an online application stands, as the applicant sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStatusResponse {
    pub submission_number: String,
    pub case_number: Option<String>,
    /// `pending`, `rejected`, or once confirmed the case's status (`received`, …, `concluded`).
    pub status: String,
    /// The status in plain Chinese.
    pub status_text: String,
    pub submitted_on: NaiveDate,
    /// The legal receipt date: the day the agency confirmed the application.
    pub received_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    /// Why the application was not taken as a disclosure request.
    pub reject_reason: Option<String>,
    /// How the due date was computed, in sentences.
    pub clock: Vec<String>,
    pub steps: Vec<PublicStepResponse>,
    pub letters: Vec<PublicLetterResponse>,
    /// The applicant asked to withdraw (an officer records the withdrawal).
    pub withdrawal_requested: bool,
}

impl From<PublicStatus> for PublicStatusResponse {
    fn from(v: PublicStatus) -> Self {
        let key = v.case_status.map_or_else(|| v.submission_status.as_str(), |c| c.as_str()).to_owned();
        Self {
            submission_number: v.submission_number,
            case_number: v.case_number,
            status: key,
            status_text: v.status_text,
            submitted_on: v.submitted_on,
            received_on: v.received_on,
            due_on: v.due_on,
            reject_reason: v.reject_reason,
            clock: v.clock,
            steps: v.steps.into_iter().map(|s| PublicStepResponse { date: s.on, label: s.label.to_owned() }).collect(),
            letters: v
                .letters
                .into_iter()
                .map(|l| PublicLetterResponse {
                    kind: l.kind,
                    title: l.title.to_owned(),
                    document_number: l.document_number,
                    issued_on: l.issued_on,
                    text: l.text,
                    html: l.html,
                })
                .collect(),
            withdrawal_requested: v.withdrawal_requested,
        }
    }
}

/// Count a look-up against the address's limit.
fn count_lookup(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    Portal::count(&state.portal.lookups, super::client::client_ip(req), "too_many_lookups", "查询")
}

/// Where an application stands. An unknown number and a wrong code both answer 404.
#[utoipa::path(tag = "public", security(()), params(StatusParams),
    responses((status = 200, description = "The status", body = PublicStatusResponse),
        (status = 400, description = "Unknown or malformed query parameters", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule (a NUL character, a wrong type)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown number or wrong code", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many look-ups from this address", body = Problem, content_type = "application/problem+json")))]
#[get("/public/status")]
pub(crate) async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: Query<StatusParams>,
) -> Result<web::Json<PublicStatusResponse>, ApiError> {
    count_lookup(&state, &req)?;
    let StatusParams { number, code } = params.0;
    let snapshot = state.snapshot();
    let view = state.db.read(move |conn| public_status::status(conn, &number, &code, snapshot.now())).await?;
    Ok(web::Json(view.into()))
}

/// Ask to withdraw the application: recorded for the officer of the case.
#[utoipa::path(tag = "public", security(()), request_body = StatusParams,
    responses((status = 200, description = "The status, with the request recorded", body = PublicStatusResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule (a NUL character, a wrong type)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown number or wrong code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Rejected or concluded already", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many look-ups from this address", body = Problem, content_type = "application/problem+json")))]
#[post("/public/withdrawal-requests")]
pub(crate) async fn withdraw(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<StatusParams>,
) -> Result<web::Json<PublicStatusResponse>, ApiError> {
    count_lookup(&state, &req)?;
    let StatusParams { number, code } = body.0;
    let snapshot = state.snapshot();
    let view =
        state.db.write(move |conn| public_status::request_withdrawal(conn, &number, &code, snapshot.now())).await?;
    Ok(web::Json(view.into()))
}
