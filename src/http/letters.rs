//! `/api/v1/letters`: the print queue of posted letters, and what became of each (printed,
//! posted, served); `/api/v1/agencies/{id}/settings`: what an agency's letters print.

use actix_web::{get, post, put, web};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AuthUser;
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::Json;
use super::pagination::{cursor_for, Page, PageParams};
use super::steps::LetterResponse;
use super::AppState;
use crate::domain::error::Errors;
use crate::domain::ids::AgencyId;
use crate::service::agencies::{self, AgencySettings};
use crate::service::letters::{self, LetterState, PrintStatus};

/// Which letters of the print queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PrintQueueParams {
    /// `print` (to be printed, the default), `printed`, `posted` or `served`.
    #[param(inline)]
    pub status: Option<PrintStatus>,
    /// Only this agency's letters.
    pub agency_id: Option<AgencyId>,
}

fn response(letter: letters::IssuedLetter) -> LetterResponse {
    LetterResponse::from(LetterState { letter, email_status: None })
}

/// The letters sent by post of the agencies the caller sees, oldest first: to print, printed
/// and not yet posted, posted and not yet served, or served.
#[utoipa::path(tag = "letters", params(PrintQueueParams, PageParams),
    responses((status = 200, description = "A page of letters", body = Page<LetterResponse>), ReadErrors))]
#[get("/letters")]
pub(crate) async fn print_queue(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<PrintQueueParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<LetterResponse>>, ApiError> {
    let limit = page.limit()?;
    let after = page.cursor_id()?;
    let (agency_id, status) = (params.agency_id, params.status.unwrap_or(PrintStatus::Print));
    let rows =
        state.db.read(move |conn| letters::print_queue(conn, &user, agency_id, status, after, limit + 1)).await?;
    Ok(web::Json(Page::from_rows(rows, limit, |l| cursor_for(l.id), response)))
}

/// Record that a letter was printed.
#[utoipa::path(tag = "letters", params(("id" = i64, Path, description = "Letter id")),
    responses((status = 200, description = "The letter", body = LetterResponse), WriteErrors))]
#[post("/letters/{id}/printed")]
pub(crate) async fn mark_printed(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<LetterResponse>, ApiError> {
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let letter = state.db.write(move |conn| letters::mark_printed(conn, &user, id, snapshot.now())).await?;
    Ok(web::Json(response(letter)))
}

/// A letter was posted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostedRequest {
    pub posted_on: NaiveDate,
    /// The postal tracking number (挂号信、EMS).
    #[schema(max_length = 100)]
    pub tracking_number: Option<String>,
}

/// Record that a letter was posted, with its tracking number.
#[utoipa::path(tag = "letters", request_body = PostedRequest, params(("id" = i64, Path, description = "Letter id")),
    responses((status = 200, description = "The letter", body = LetterResponse), WriteErrors))]
#[post("/letters/{id}/posted")]
pub(crate) async fn mark_posted(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: Json<PostedRequest>,
) -> Result<web::Json<LetterResponse>, ApiError> {
    let body = body.0;
    let mut errors = Errors::default();
    let tracking = errors.optional_text("tracking_number", body.tracking_number.as_deref(), 100);
    errors.finish()?;
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let letter = state
        .db
        .write(move |conn| letters::mark_posted(conn, &user, id, body.posted_on, tracking.as_deref(), snapshot.now()))
        .await?;
    Ok(web::Json(response(letter)))
}

/// A posted letter was received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServedRequest {
    /// The day of service (送达), e.g. from the signed receipt.
    pub served_on: NaiveDate,
}

/// Record the service (送达) of a posted letter. For a consultation letter its reply period, for
/// a fee notice its payment period counts from that day.
#[utoipa::path(tag = "letters", request_body = ServedRequest, params(("id" = i64, Path, description = "Letter id")),
    responses((status = 200, description = "The letter", body = LetterResponse), WriteErrors))]
#[post("/letters/{id}/served")]
pub(crate) async fn mark_served(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: Json<ServedRequest>,
) -> Result<web::Json<LetterResponse>, ApiError> {
    let (id, served_on, snapshot) = (id.into_inner(), body.0.served_on, state.snapshot());
    let letter =
        state.db.write(move |conn| letters::record_service(conn, &user, id, served_on, snapshot.now())).await?;
    Ok(web::Json(response(letter)))
}

/// What an agency's letters print besides the case.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencySettingsBody {
    /// The prefix of the letters' document numbers, e.g. `南政信公` (default: the agency's code).
    #[schema(max_length = 40)]
    pub document_prefix: Option<String>,
    /// The disclosure office's contact line (address, telephone, office hours), printed on every
    /// letter.
    #[schema(max_length = 500)]
    pub contact: Option<String>,
    /// The reconsideration body named in the remedies (行政复议机关). Every decision letter and
    /// notice of a disclosure over an objection names it: without it they are refused
    /// (`agency_settings_missing`).
    #[schema(max_length = 200)]
    pub reconsideration_body: Option<String>,
    /// The court named in the remedies (管辖法院), for a direct suit and one after reconsideration.
    /// Required as `reconsideration_body`.
    #[schema(max_length = 200)]
    pub court: Option<String>,
    /// How a fee is paid (缴纳方式): payee, account, reference to give; one line each. Every fee
    /// notice prints it: without it a fee notice is refused (`agency_settings_missing`).
    #[schema(max_length = 1000)]
    pub fee_payment: Option<String>,
}

impl From<AgencySettingsBody> for AgencySettings {
    /// The settings as stored: each text trimmed, an empty one left out.
    fn from(body: AgencySettingsBody) -> Self {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Self {
            document_prefix: clean(body.document_prefix),
            contact: clean(body.contact),
            reconsideration_body: clean(body.reconsideration_body),
            court: clean(body.court),
            fee_payment: clean(body.fee_payment),
            updated_at: None,
        }
    }
}

/// The settings with when they were last changed (the fields of [`AgencySettingsBody`] and
/// `updated_at`, written out rather than flattened so that the schema allows exactly these).
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencySettingsResponse {
    pub document_prefix: Option<String>,
    pub contact: Option<String>,
    pub reconsideration_body: Option<String>,
    pub court: Option<String>,
    pub fee_payment: Option<String>,
    #[serde(serialize_with = "super::rfc3339_opt")]
    pub updated_at: Option<NaiveDateTime>,
}

fn settings_response(s: AgencySettings) -> AgencySettingsResponse {
    AgencySettingsResponse {
        updated_at: s.updated_at,
        document_prefix: s.document_prefix,
        contact: s.contact,
        reconsideration_body: s.reconsideration_body,
        court: s.court,
        fee_payment: s.fee_payment,
    }
}

/// The letter settings of an agency.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Agency id")),
    responses((status = 200, description = "The settings", body = AgencySettingsResponse), ReadErrors))]
#[get("/agencies/{id}/settings")]
pub(crate) async fn get_settings(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<AgencyId>,
) -> Result<web::Json<AgencySettingsResponse>, ApiError> {
    let id = id.into_inner();
    let settings = state.db.read(move |conn| agencies::settings(conn, &user, id)).await?;
    Ok(web::Json(settings_response(settings)))
}

/// Replace the letter settings of an agency (supervisors and administrators).
#[utoipa::path(tag = "agencies", request_body = AgencySettingsBody, params(("id" = i64, Path, description = "Agency id")),
    responses((status = 200, description = "The settings", body = AgencySettingsResponse), WriteErrors))]
#[put("/agencies/{id}/settings")]
pub(crate) async fn put_settings(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<AgencyId>,
    body: Json<AgencySettingsBody>,
) -> Result<web::Json<AgencySettingsResponse>, ApiError> {
    let settings = AgencySettings::from(body.0);
    let (id, now) = (id.into_inner(), state.now());
    let stored = state.db.write(move |conn| agencies::put_settings(conn, &user, id, &settings, now)).await?;
    Ok(web::Json(settings_response(stored)))
}
