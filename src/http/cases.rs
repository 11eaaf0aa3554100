//! `/api/v1/cases`: intake, reads, lists, events, decision and withdrawal.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::appeals::AppealResponse;
use super::auth::AuthUser;
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{expected_version, Json};
use super::pagination::{cursor_for_case, Page, PageParams};
use super::AppState;
use crate::domain::calendar::Calendar;
use crate::domain::case::{self as case_rules, limits, ApplicantInput, NewCase};
use crate::domain::clock::{Clock, ExtensionExplanation};
use crate::domain::error::Errors;
use crate::domain::fees::FeeBasis;
use crate::domain::identity::mask;
use crate::domain::types::{AppealResult, Opinion, PartyKind};
use crate::domain::{ApplicantCategory, CaseStatus, Channel, IdType, Outcome, Violation};
use crate::service::cases::{self, CaseDetails, Decision, IdempotencyKey};
use crate::service::ServiceError;
use crate::storage::applicants::ApplicantRow;
use crate::storage::cases::{CaseFilter, CaseSummaryRow, EventRow};
use crate::storage::is_unique_violation;
use crate::storage::steps::ConsultationRow;
use crate::storage::StorageError;

// ---------------------------------------------------------------- requests

/// The applicant of a new request.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantRequest {
    /// The report column: natural person or one of the five kinds of organisation.
    pub category: ApplicantCategory,
    #[schema(example = "张三")]
    pub name: String,
    /// Defaults to `resident_id_card` for natural persons and `unified_social_credit_code` for organisations.
    pub id_type: Option<IdType>,
    /// Checked: resident identity numbers (MOD 11-2) and unified social credit codes (MOD 31).
    #[schema(example = "11010519491231002X")]
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// One piece of information asked for.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRequest {
    pub description: String,
}

/// A new disclosure request, registered the day it arrives.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCaseRequest {
    pub agency_id: i64,
    pub channel: Channel,
    /// The day the applicant submitted (posted, sent), when known.
    pub submitted_on: Option<NaiveDate>,
    /// The legal receipt date (Art. 31): it starts the reply period. Not in the future.
    #[schema(example = "2019-03-05")]
    pub received_on: NaiveDate,
    pub applicant: ApplicantRequest,
    /// What is asked for.
    #[schema(example = "2018年南山区棚户区改造补偿标准文件")]
    pub description: String,
    /// The separate pieces of information asked for, if more than one.
    #[serde(default)]
    pub items: Vec<ItemRequest>,
    /// Required (from a supervisor) when the receipt date lies in a year whose annual report is
    /// sealed: why the back-dated request is registered now.
    pub amendment_reason: Option<String>,
}

impl CreateCaseRequest {
    /// Turn the request into a validated intake.
    ///
    /// # Errors
    /// Every field error at once.
    pub fn validate(&self, today: NaiveDate) -> Result<NewCase, Violation> {
        let mut errors = Errors::default();
        let a = &self.applicant;
        let applicant = case_rules::parse_applicant(
            &mut errors,
            "applicant",
            &ApplicantInput {
                category: Some(a.category),
                name: &a.name,
                id_type: a.id_type,
                id_number: a.id_number.as_deref(),
                phone: a.phone.as_deref(),
                email: a.email.as_deref(),
                address: a.address.as_deref(),
            },
        );
        let description = errors.text("description", &self.description, limits::DESCRIPTION);
        if self.items.len() > limits::ITEMS {
            errors.add("items", format!("at most {} items", limits::ITEMS));
        }
        let items: Vec<String> = self
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| errors.text(&format!("items[{i}].description"), &item.description, limits::ITEM))
            .collect();
        case_rules::check_intake_dates(&mut errors, self.submitted_on, self.received_on, today);
        errors.finish()?;
        let applicant = applicant.ok_or_else(|| Violation::field("validation_failed", "applicant", "is invalid"))?;
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

/// The outcome of one item of the case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemOutcomeRequest {
    /// The item's id (from the case's `items`).
    pub id: i64,
    pub outcome: Outcome,
}

/// The decision (答复) that concludes a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    #[schema(example = "2019-03-20")]
    pub decided_on: NaiveDate,
    /// The case outcome. May be left out when the items' outcomes determine it (all the same, or
    /// some disclosed and some not → `partially_disclosed`); must agree with them when given.
    pub outcome: Option<Outcome>,
    /// The reasons and legal basis stated in the reply.
    pub basis: Option<String>,
    /// Each item's outcome: all of the case's items, or none.
    #[serde(default)]
    pub items: Vec<ItemOutcomeRequest>,
    /// The version the decision is based on (or send `If-Match`).
    pub version: Option<i64>,
    /// Required (from a supervisor) when the decision date lies in a year whose report is sealed.
    pub amendment_reason: Option<String>,
}

/// The applicant withdrew the request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRequest {
    pub withdrawn_on: NaiveDate,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    pub amendment_reason: Option<String>,
}

// ---------------------------------------------------------------- responses

/// The applicant as shown on a case (full identity number) or in a list (masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicantResponse {
    pub id: i64,
    pub category: ApplicantCategory,
    pub name: String,
    pub id_type: Option<IdType>,
    /// Full on the case itself; masked (`110105********002X`) in lists.
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// One item of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResponse {
    pub id: i64,
    pub position: i32,
    pub description: String,
    pub outcome: Option<Outcome>,
}

/// The deadline as of today.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockSummary {
    /// The statutory reply deadline; `null` while it cannot be known (awaiting a correction, or
    /// paused before the period was used up).
    pub due_on: Option<NaiveDate>,
    /// Working days from today to `due_on`, negative when overdue; while paused, the working days
    /// left in the period (frozen); `null` once concluded or while awaiting a correction.
    pub working_days_left: Option<i64>,
    /// The clock is stopped (correction outstanding, consultation or fee pause).
    pub paused: bool,
    pub extended: bool,
    /// Open and past its due date.
    pub overdue: bool,
    /// Concluded after its due date.
    pub late: Option<bool>,
    /// Some date involved lies in a year without calendar data (Monday–Friday was assumed).
    pub provisional: bool,
}

/// The correction step of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionInfo {
    /// The last day a correction notice may be issued (7 working days after receipt).
    pub notice_deadline: NaiveDate,
    pub requested_on: Option<NaiveDate>,
    pub respond_by: Option<NaiveDate>,
    /// While outstanding: the day the request lapses if nothing arrives.
    pub lapses_on: Option<NaiveDate>,
    pub corrected_on: Option<NaiveDate>,
}

/// A consultation of a third party or another agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationResponse {
    pub id: i64,
    pub case_id: i64,
    pub party_kind: PartyKind,
    pub party: String,
    pub sent_on: NaiveDate,
    /// 15 working days after sending (Art. 32).
    pub reply_due: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub opinion: Option<Opinion>,
}

/// The fee notice of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeResponse {
    pub issued_on: NaiveDate,
    pub basis: FeeBasis,
    pub pages: Option<i32>,
    /// For `per_request`: the request's number among the applicant's requests that month.
    pub nth_request: Option<i32>,
    pub amount_fen: i64,
    /// The last day to pay (20 working days after the notice).
    pub pay_by: NaiveDate,
    pub paid_on: Option<NaiveDate>,
}

/// A case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseResponse {
    pub id: i64,
    /// Unique per agency and year, e.g. `NS-2019-00042`.
    pub case_number: String,
    pub agency_id: i64,
    pub status: CaseStatus,
    pub channel: Channel,
    pub submitted_on: Option<NaiveDate>,
    pub received_on: NaiveDate,
    #[serde(flatten)]
    pub clock: ClockSummary,
    pub applicant: ApplicantResponse,
    pub description: String,
    pub items: Vec<ItemResponse>,
    pub correction: CorrectionInfo,
    pub consultations: Vec<ConsultationResponse>,
    pub extension: Option<ExtensionExplanation>,
    pub fee: Option<FeeResponse>,
    pub appeals: Vec<AppealResponse>,
    /// A reconsideration or court corrected the decision (纠正).
    pub corrected_on_appeal: bool,
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    pub basis: Option<String>,
    /// Increases with every change; send it back as `If-Match` or `version` to detect lost updates.
    pub version: i64,
    #[serde(serialize_with = "super::rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::rfc3339")]
    pub updated_at: NaiveDateTime,
}

/// A case in a list (the identity number is masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: i64,
    pub case_number: String,
    pub agency_id: i64,
    pub status: CaseStatus,
    pub channel: Channel,
    pub received_on: NaiveDate,
    #[serde(flatten)]
    pub clock: ClockSummary,
    pub applicant: ApplicantResponse,
    pub description: String,
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    pub version: i64,
}

/// One recorded fact of a case's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    /// 1, 2, 3, … in the order recorded.
    pub seq: i32,
    /// `received`, `correction_requested`, `correction_received`, `consultation_started`,
    /// `consultation_replied`, `extended`, `fee_notice_issued`, `fee_paid`, `decided`, `withdrawn`.
    pub kind: String,
    /// The legal date of the step.
    pub effective_on: NaiveDate,
    /// When it was recorded (UTC).
    #[serde(serialize_with = "super::rfc3339")]
    pub recorded_at: NaiveDateTime,
    /// Who recorded it (`null` for the system, e.g. the daily sweep).
    pub actor_id: Option<i64>,
    /// The step's details.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// The full explanation of a case's deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockResponse {
    pub case_id: i64,
    /// The date the explanation is computed for (today in China).
    pub today: NaiveDate,
    #[serde(flatten)]
    pub clock: Clock,
    /// The same in sentences a citizen understands.
    pub explanation: Vec<String>,
    /// The holiday notices of the calendar years used.
    pub notices: Vec<YearNotices>,
}

/// The notices a year's calendar data comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearNotices {
    pub year: i32,
    /// Empty when the year has no data (then `provisional` is true).
    pub notices: Vec<String>,
}

pub(super) fn parse<T>(value: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T, ApiError> {
    parse(value).ok_or_else(|| ApiError::corrupt(what))
}

/// The summary from the stored projection (lists).
fn stored_clock(case: &CaseSummaryRow, calendar: &Calendar, today: NaiveDate) -> ClockSummary {
    let concluded = case.status == CaseStatus::Concluded.as_str();
    let running = !concluded && !case.paused;
    ClockSummary {
        due_on: case.due_on,
        working_days_left: case.due_on.filter(|_| running).map(|due| calendar.working_days_between(today, due)),
        paused: case.paused,
        extended: case.extended,
        overdue: running && case.due_on.is_some_and(|due| due < today),
        late: match (case.concluded_on, case.due_on) {
            (Some(on), Some(due)) => Some(on > due),
            _ => None,
        },
        provisional: !calendar.covers(case.received_on) || case.due_on.is_some_and(|d| !calendar.covers(d)),
    }
}

/// The summary from the live clock (a case's own page).
fn live_clock(clock: &Clock) -> ClockSummary {
    ClockSummary {
        due_on: clock.due_on,
        working_days_left: clock.working_days_left,
        paused: clock.paused,
        extended: clock.extended,
        overdue: clock.overdue,
        late: clock.late,
        provisional: clock.provisional,
    }
}

fn applicant_response(row: ApplicantRow, masked: bool) -> Result<ApplicantResponse, ApiError> {
    Ok(ApplicantResponse {
        id: row.id,
        category: parse(&row.category, ApplicantCategory::parse, "applicants.category")?,
        id_type: row.id_type.as_deref().map(|t| parse(t, IdType::parse, "applicants.id_type")).transpose()?,
        id_number: row.id_number.map(|n| if masked { mask(&n) } else { n }),
        name: row.name,
        phone: row.phone,
        email: row.email,
        address: row.address,
    })
}

fn outcome_of(value: Option<&str>) -> Result<Option<Outcome>, ApiError> {
    value.map(|o| parse(o, Outcome::parse, "outcome")).transpose()
}

impl TryFrom<ConsultationRow> for ConsultationResponse {
    type Error = ApiError;
    fn try_from(row: ConsultationRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.id,
            case_id: row.case_id,
            party_kind: parse(&row.party_kind, PartyKind::parse, "consultations.party_kind")?,
            party: row.party,
            sent_on: row.sent_on,
            reply_due: row.reply_due,
            replied_on: row.replied_on,
            opinion: row.opinion.as_deref().map(|o| parse(o, Opinion::parse, "consultations.opinion")).transpose()?,
        })
    }
}

impl CaseResponse {
    fn build(details: CaseDetails) -> Result<Self, ApiError> {
        let CaseDetails { case, applicant, items, clock, consultations, fee_notices, appeals } = details;
        let appeals: Vec<AppealResponse> =
            appeals.into_iter().map(AppealResponse::try_from).collect::<Result<_, _>>()?;
        let fee = fee_notices
            .into_iter()
            .next_back()
            .map(|f| {
                Ok::<_, ApiError>(FeeResponse {
                    issued_on: f.issued_on,
                    basis: match f.basis.as_str() {
                        "per_page" => FeeBasis::PerPage,
                        "per_request" => FeeBasis::PerRequest,
                        _ => return Err(ApiError::corrupt("fee_notices.basis")),
                    },
                    pages: f.pages,
                    nth_request: f.nth_request,
                    amount_fen: f.amount_fen,
                    pay_by: f.pay_by,
                    paid_on: f.paid_on,
                })
            })
            .transpose()?;
        Ok(Self {
            clock: live_clock(&clock),
            status: parse(&case.status, CaseStatus::parse, "cases.status")?,
            channel: parse(&case.channel, Channel::parse, "cases.channel")?,
            outcome: outcome_of(case.outcome.as_deref())?,
            applicant: applicant_response(applicant, false)?,
            items: items
                .into_iter()
                .map(|i| {
                    Ok(ItemResponse {
                        id: i.id,
                        position: i.position,
                        outcome: outcome_of(i.outcome.as_deref())?,
                        description: i.description,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            correction: CorrectionInfo {
                notice_deadline: clock.correction_notice_deadline,
                requested_on: clock.correction_requested_on,
                respond_by: clock.correction_respond_by,
                lapses_on: clock.correction_lapses_on,
                corrected_on: clock.corrected_on,
            },
            consultations: consultations.into_iter().map(ConsultationResponse::try_from).collect::<Result<_, _>>()?,
            extension: clock.extension.clone(),
            fee,
            corrected_on_appeal: appeals.iter().any(|a| a.result == Some(AppealResult::Corrected)),
            appeals,
            id: case.id,
            case_number: case.case_number,
            agency_id: case.agency_id,
            submitted_on: case.submitted_on,
            received_on: case.received_on,
            description: case.description,
            concluded_on: case.concluded_on,
            basis: case.decision_basis,
            version: case.version,
            created_at: case.created_at,
            updated_at: case.updated_at,
        })
    }
}

impl CaseSummary {
    pub(super) fn build(
        case: CaseSummaryRow,
        applicant: ApplicantRow,
        calendar: &Calendar,
        today: NaiveDate,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            clock: stored_clock(&case, calendar, today),
            status: parse(&case.status, CaseStatus::parse, "cases.status")?,
            channel: parse(&case.channel, Channel::parse, "cases.channel")?,
            outcome: outcome_of(case.outcome.as_deref())?,
            applicant: applicant_response(applicant, true)?,
            id: case.id,
            case_number: case.case_number,
            agency_id: case.agency_id,
            received_on: case.received_on,
            description: case.description,
            concluded_on: case.concluded_on,
            version: case.version,
        })
    }
}

impl TryFrom<EventRow> for EventResponse {
    type Error = ApiError;
    fn try_from(row: EventRow) -> Result<Self, ApiError> {
        Ok(Self {
            payload: serde_json::from_str(&row.payload).map_err(ApiError::internal)?,
            seq: row.seq,
            kind: row.kind,
            effective_on: row.effective_on,
            recorded_at: row.recorded_at,
            actor_id: row.actor_id,
        })
    }
}

pub(super) fn respond(details: CaseDetails) -> Result<web::Json<CaseResponse>, ApiError> {
    Ok(web::Json(CaseResponse::build(details)?))
}

// ---------------------------------------------------------------- handlers

/// Validate an optional `amendment_reason`: trimmed, non-empty, at most 2,000 characters.
pub(super) fn reason_of(reason: Option<&str>) -> Result<Option<String>, ApiError> {
    let mut errors = Errors::default();
    let reason = errors.optional_text("amendment_reason", reason, 2000);
    errors.finish()?;
    Ok(reason)
}

fn idempotency_key(req: &HttpRequest, body: &CreateCaseRequest) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Violation::field(
            "invalid_idempotency_key",
            "Idempotency-Key",
            "must be 1–200 visible ASCII characters",
        )
        .into());
    }
    let canonical = serde_json::to_vec(body).map_err(ApiError::internal)?;
    Ok(Some(IdempotencyKey { key: key.to_string(), request_hash: hex::encode(Sha256::digest(canonical)) }))
}

/// Register a request. With an `Idempotency-Key` that the caller already used for the same
/// request, the case created then is returned (200) instead of a new one.
#[utoipa::path(tag = "cases", request_body = CreateCaseRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried intake return the first result")),
    responses(
        (status = 201, description = "The new case", body = CaseResponse),
        (status = 200, description = "The case created earlier with the same Idempotency-Key", body = CaseResponse),
        WriteErrors))]
#[post("/cases")]
async fn create_case(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: Json<CreateCaseRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let key = idempotency_key(&req, &body)?;
    let new = body.validate(state.today())?;
    let reason = reason_of(body.amendment_reason.as_deref())?;
    let attempt = || {
        let (state, user, new, key, reason) = (state.clone(), user.clone(), new.clone(), key.clone(), reason.clone());
        async move {
            let snapshot = state.snapshot();
            state
                .db
                .write(move |conn| cases::intake(conn, &user, &new, key.as_ref(), reason.as_deref(), snapshot.now()))
                .await
        }
    };
    let result = match attempt().await {
        // Two first uses of one key raced (PostgreSQL): the loser now finds the winner's case.
        Err(ServiceError::Storage(StorageError::Query(e))) if key.is_some() && is_unique_violation(&e) => {
            attempt().await
        }
        other => other,
    };
    let (details, created) = result?;
    let response = CaseResponse::build(details)?;
    Ok(if created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(response))
}

/// Filters of the case list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListParams {
    /// Only this agency (which must be visible).
    pub agency_id: Option<i64>,
    pub status: Option<CaseStatus>,
    /// Received on or after this date.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this date.
    pub received_to: Option<NaiveDate>,
    /// `true`: only open, running cases past their due date; `false`: only open cases.
    pub overdue: Option<bool>,
    /// Only open cases due before this date.
    pub due_before: Option<NaiveDate>,
    /// Only this applicant's cases.
    pub applicant_id: Option<i64>,
    /// Text in the description, the case number or the applicant's name.
    pub q: Option<String>,
}

/// List the cases the caller sees, most recently received first.
#[utoipa::path(tag = "cases", params(CaseListParams, PageParams),
    responses((status = 200, description = "A page of cases", body = Page<CaseSummary>), ReadErrors))]
#[get("/cases")]
async fn list_cases(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<CaseListParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<CaseSummary>>, ApiError> {
    let limit = page.limit()?;
    let params = params.into_inner();
    if params.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(Violation::field("validation_failed", "q", "must be at most 200 characters").into());
    }
    let today = state.today();
    let filter = CaseFilter {
        agency_id: params.agency_id,
        status: params.status.map(|s| s.as_str().to_string()),
        received_from: params.received_from,
        received_to: params.received_to,
        due_before: params.due_before,
        overdue_on: params.overdue.filter(|o| *o).map(|_| today),
        open_only: params.overdue == Some(false),
        applicant_id: params.applicant_id,
        q: params.q.filter(|q| !q.trim().is_empty()),
        before: page.cursor_received()?,
        scope: None,
    };
    let rows = state.db.read(move |conn| cases::list(conn, &user, filter, limit + 1)).await?;
    let calendar = state.calendar();
    let page = Page::from_rows(
        rows,
        limit,
        |(c, _)| cursor_for_case(c.received_on, c.id),
        |(c, a)| CaseSummary::build(c, a, &calendar, today),
    );
    Ok(web::Json(Page { items: page.items.into_iter().collect::<Result<_, _>>()?, next_cursor: page.next_cursor }))
}

/// Get a case with the applicant's full details and its clock as of today.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The case", body = CaseResponse), ReadErrors))]
#[get("/cases/{id}")]
async fn get_case(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let id = id.into_inner();
    let snapshot = state.snapshot();
    let details = state.db.read(move |conn| cases::get(conn, &user, id, snapshot.now())).await?;
    respond(details)
}

/// Explain the case's deadline: start, allowance, pauses, extension, holidays and make-up days
/// that moved it, the calendar years and notices used, and whether the data covered every date.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The explanation", body = ClockResponse), ReadErrors))]
#[get("/cases/{id}/clock")]
async fn case_clock(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<ClockResponse>, ApiError> {
    let id = id.into_inner();
    let snapshot = state.snapshot();
    let today = snapshot.today;
    let calendar = snapshot.calendar.clone();
    let details = state.db.read(move |conn| cases::get(conn, &user, id, snapshot.now())).await?;
    let clock = details.clock;
    let notices = clock
        .calendar_years
        .iter()
        .map(|&year| YearNotices { year, notices: calendar.year(year).map(|y| y.notices.clone()).unwrap_or_default() })
        .collect();
    Ok(web::Json(ClockResponse { case_id: id, today, explanation: clock.explain_zh(), notices, clock }))
}

/// Paging of a case's events.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventListParams {
    /// Only events after this sequence number.
    #[param(minimum = 0)]
    pub after_seq: Option<i32>,
    /// At most this many events, 1–500 (default 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The case's events, in the order recorded. Events are never changed or deleted.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id"), EventListParams),
    responses((status = 200, description = "The events", body = Vec<EventResponse>), ReadErrors))]
#[get("/cases/{id}/events")]
async fn case_events(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    params: web::Query<EventListParams>,
) -> Result<web::Json<Vec<EventResponse>>, ApiError> {
    let id = id.into_inner();
    let after = params.after_seq.unwrap_or(0);
    if after < 0 {
        return Err(Violation::field("validation_failed", "after_seq", "must not be negative").into());
    }
    let limit = params.limit.unwrap_or(500);
    if !(1..=500).contains(&limit) {
        return Err(Violation::field("validation_failed", "limit", "must be between 1 and 500").into());
    }
    let rows = state.db.read(move |conn| cases::events(conn, &user, id, after, limit)).await?;
    Ok(web::Json(rows.into_iter().map(EventResponse::try_from).collect::<Result<_, _>>()?))
}

/// A message of a case's outbox: a letter queued by a step, and what became of its delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessageResponse {
    pub id: i64,
    /// The letter: `acknowledgement`, `correction_notice`, `extension_notice`,
    /// `consultation_letter`, `fee_notice`, `decision`.
    pub kind: String,
    /// The e-mail address (`null`: none known, the letter is to be printed and posted).
    pub recipient: Option<String>,
    pub subject: String,
    /// The Message-ID every (re)send carries.
    pub message_id: String,
    /// `pending`, `sending`, `sent`, `failed` or `print`.
    pub status: String,
    /// Delivery attempts started.
    pub attempts: i32,
    /// When the next attempt is due (UTC; for `pending`).
    #[serde(serialize_with = "super::rfc3339")]
    pub next_attempt_at: NaiveDateTime,
    /// The latest delivery error.
    pub last_error: Option<String>,
    /// When it was queued (UTC).
    #[serde(serialize_with = "super::rfc3339")]
    pub created_at: NaiveDateTime,
    /// When the mail server accepted it (UTC).
    #[serde(serialize_with = "super::rfc3339_opt")]
    pub sent_at: Option<NaiveDateTime>,
}

impl From<crate::storage::outbox::OutboxRow> for OutboxMessageResponse {
    fn from(row: crate::storage::outbox::OutboxRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            recipient: row.recipient,
            subject: row.subject,
            message_id: row.message_id,
            status: row.status,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            created_at: row.created_at,
            sent_at: row.sent_at,
        }
    }
}

/// The case's outbox: every letter its steps queued for the applicant, oldest first, with its
/// delivery status.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The messages", body = Vec<OutboxMessageResponse>), ReadErrors))]
#[get("/cases/{id}/outbox")]
async fn case_outbox(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<OutboxMessageResponse>>, ApiError> {
    let id = id.into_inner();
    let rows = state.db.read(move |conn| crate::service::outbox::of_case(conn, &user, id)).await?;
    Ok(web::Json(rows.into_iter().map(OutboxMessageResponse::from).collect()))
}

/// Record the decision and conclude the case.
#[utoipa::path(tag = "cases", request_body = DecisionRequest,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The concluded case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/decision")]
async fn decide(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<DecisionRequest>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let mut errors = Errors::default();
    let basis = errors.optional_text("basis", body.basis.as_deref(), limits::BASIS);
    errors.finish()?;
    let decision = Decision {
        decided_on: body.decided_on,
        outcome: body.outcome,
        basis,
        items: body.items.iter().map(|i| (i.id, i.outcome)).collect(),
        amendment_reason: reason_of(body.amendment_reason.as_deref())?,
    };
    let id = id.into_inner();
    let snapshot = state.snapshot();
    let details =
        state.db.write(move |conn| cases::decide(conn, &user, id, &decision, version, snapshot.now())).await?;
    respond(details)
}

/// Record that the applicant withdrew the request; the case concludes as `other_misc`.
#[utoipa::path(tag = "cases", request_body = WithdrawalRequest,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The concluded case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/withdrawal")]
async fn withdraw(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<WithdrawalRequest>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    let body = body.0;
    let version = expected_version(&req, body.version)?;
    let reason = reason_of(body.amendment_reason.as_deref())?;
    let id = id.into_inner();
    let snapshot = state.snapshot();
    let details = state
        .db
        .write(move |conn| {
            cases::withdraw(conn, &user, id, body.withdrawn_on, version, reason.as_deref(), snapshot.now())
        })
        .await?;
    respond(details)
}
