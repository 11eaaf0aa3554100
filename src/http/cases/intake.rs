//! `POST /api/v1/cases`: the intake.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::options;
use super::responses::CaseResponse;
use crate::domain::error::Errors;
use crate::domain::ids::AgencyId;
use crate::domain::intake::{self, ApplicantInput, NewCase};
use crate::domain::{limits, ApplicantCategory, Channel, IdType, Violation};
use crate::http::auth::AuthUser;
use crate::http::error::{ApiError, WriteErrors};
use crate::http::extract::Json;
use crate::http::AppState;
use crate::service::cases::{intake::register, IdempotencyKey};

/// The applicant of a new request.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantRequest {
    /// The report column: natural person or one of the five kinds of organisation.
    pub category: ApplicantCategory,
    #[schema(example = "张三", max_length = 200)]
    pub name: String,
    /// Defaults to `resident_id_card` for natural persons and `unified_social_credit_code` for organisations.
    pub id_type: Option<IdType>,
    /// Checked: resident identity numbers (MOD 11-2, a province code, a birth date from 1900 to
    /// today) and unified social credit codes (MOD 31).
    #[schema(example = "11010519491231002X", max_length = 64)]
    pub id_number: Option<String>,
    #[schema(max_length = 50)]
    pub phone: Option<String>,
    #[schema(max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 500)]
    pub address: Option<String>,
}

impl ApplicantRequest {
    /// The validated applicant (`None` when invalid: the errors say why), field paths under
    /// `applicant`.
    pub fn parse(&self, errors: &mut Errors, today: NaiveDate) -> Option<crate::domain::intake::NewApplicant> {
        let applicant = intake::parse_applicant(
            errors,
            "applicant",
            &ApplicantInput {
                category: Some(self.category),
                name: &self.name,
                id_type: self.id_type,
                id_number: self.id_number.as_deref(),
                phone: self.phone.as_deref(),
                email: self.email.as_deref(),
                address: self.address.as_deref(),
            },
            today,
        );
        // The mailer's own parser, so that an address taken in is one its letters can go to.
        let email = self.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        if let Some(message) = email.and_then(crate::notify::address::check) {
            if !errors.has("applicant.email") {
                errors.add("applicant.email", message);
            }
        }
        applicant
    }
}

/// The items' descriptions, each checked.
pub fn parse_items(errors: &mut Errors, items: &[ItemRequest]) -> Vec<String> {
    if items.len() > limits::ITEMS {
        errors.add("items", format!("申请事项不得超过{}项", limits::ITEMS));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| errors.text(&format!("items[{i}].description"), &item.description, limits::ITEM))
        .collect()
}

/// One piece of information asked for.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRequest {
    #[schema(max_length = 2000)]
    pub description: String,
}

/// A new disclosure request, registered the day it arrives.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCaseRequest {
    pub agency_id: AgencyId,
    pub channel: Channel,
    /// The day the applicant submitted (posted, sent), when known.
    pub submitted_on: Option<NaiveDate>,
    /// The legal receipt date (Art. 31): it starts the reply period. From 1949-10-01 to today.
    #[schema(example = "2019-03-05")]
    pub received_on: NaiveDate,
    pub applicant: ApplicantRequest,
    /// What is asked for.
    #[schema(example = "2018年南山区棚户区改造补偿标准文件", max_length = 4000)]
    pub description: String,
    /// The separate pieces of information asked for, if more than one.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub items: Vec<ItemRequest>,
    /// Required (from a supervisor) when the receipt date lies in a year whose annual report is
    /// sealed: why the back-dated request is registered now.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
    /// Send the acknowledgement even though the request is registered more than
    /// `mail.backdated_days` after its receipt (by default it is kept, printable, not mailed).
    pub notify: Option<bool>,
}

impl CreateCaseRequest {
    /// Turn the request into a validated intake.
    ///
    /// # Errors
    /// Every field error at once.
    pub fn validate(&self, today: NaiveDate) -> Result<NewCase, Violation> {
        let mut errors = Errors::default();
        let applicant = self.applicant.parse(&mut errors, today);
        let description = errors.text("description", &self.description, limits::DESCRIPTION);
        let items = parse_items(&mut errors, &self.items);
        intake::check_intake_dates(&mut errors, self.submitted_on, self.received_on, today);
        errors.finish()?;
        let applicant =
            applicant.ok_or_else(|| Violation::field("validation_failed", "applicant", "申请人信息无效"))?;
        Ok(NewCase {
            agency_id: self.agency_id,
            channel: self.channel,
            submitted_on: self.submitted_on,
            received_on: self.received_on,
            applicant,
            description,
            items,
        })
    }
}

/// Something the desk should know about a registered request (it was registered nonetheless).
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningResponse {
    /// `applicant_name_differs`: the identity document is on file under another name (the case
    /// keeps the name given now; earlier cases keep theirs); `applicant_category_differs`.
    pub code: String,
    /// For the desk, in Chinese.
    pub message: String,
}

/// The registered case, and what the desk should check.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeResponse {
    #[serde(flatten)]
    pub case: CaseResponse,
    pub warnings: Vec<WarningResponse>,
}

/// The `Idempotency-Key` header of `req` with the hash of `body`.
///
/// # Errors
/// 422 for a key that is empty, longer than 200 or not visible ASCII.
pub fn idempotency_key<B: Serialize>(req: &HttpRequest, body: &B) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            Violation::field("invalid_idempotency_key", "Idempotency-Key", "应为1至200个可见的ASCII字符").into()
        );
    }
    Ok(Some(IdempotencyKey::for_request(key, body).map_err(ApiError::internal)?))
}

/// Register a request. With an `Idempotency-Key` that the caller already used for the same
/// request, the case created then is returned (200) instead of a new one.
#[utoipa::path(tag = "cases", request_body = CreateCaseRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried intake return the first result")),
    responses(
        (status = 201, description = "The new case", body = IntakeResponse),
        (status = 200, description = "The case created earlier with the same Idempotency-Key", body = IntakeResponse),
        WriteErrors))]
#[post("/cases")]
pub(crate) async fn create_case(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: Json<CreateCaseRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let key = idempotency_key(&req, &body)?;
    let new = body.validate(state.today())?;
    let options = options(None, body.amendment_reason.as_deref(), body.notify)?;
    let attempt = || {
        let (state, user, new, key, options) = (state.clone(), user.clone(), new.clone(), key.clone(), options.clone());
        async move {
            let snapshot = state.snapshot();
            state.db.write(move |conn| register(conn, &user, &new, key.as_ref(), &options, snapshot.now())).await
        }
    };
    let result = match attempt().await {
        // Two first uses of one key raced (PostgreSQL): the loser now finds the winner's case.
        Err(e) if key.is_some() && e.is_unique_violation() => attempt().await,
        other => other,
    };
    let registered = result?;
    let response = IntakeResponse {
        warnings: registered
            .warnings
            .into_iter()
            .map(|w| WarningResponse { code: w.code.to_owned(), message: w.message })
            .collect(),
        case: CaseResponse::from(registered.details),
    };
    Ok(if registered.created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(response))
}
