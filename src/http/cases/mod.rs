//! `/api/v1/cases`: intake ([`intake`]), reads, lists, events, the clock, the outbox, the
//! decision and the withdrawal; the other steps are in [`super::steps`].

pub mod intake;
pub mod responses;

use actix_web::{get, post, web, HttpRequest};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub use intake::{ApplicantRequest, CreateCaseRequest, ItemRequest};
pub use responses::{
    AppealResponse, ApplicantResponse, CaseResponse, CaseSummary, ClockResponse, ClockSummary, ConsultationResponse,
    CorrectionInfo, EventResponse, FeeResponse, ItemResponse, OutboxMessageResponse, YearNotices,
};

use super::auth::AuthUser;
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{expected_version, Json};
use super::pagination::{cursor_for_case, Page, PageParams};
use super::AppState;
use crate::domain::error::Errors;
use crate::domain::ids::{AgencyId, ApplicantId, CaseId, ItemId, UserId};
use crate::domain::lifecycle::{Decision, ItemDecision, Step};
use crate::domain::reply::ResponsibleAgency;
use crate::domain::{limits, CaseStatus, Outcome, Violation};
use crate::service::cases::steps::{self, Options};
use crate::service::cases::{self, CaseDetails, CaseFilter};

/// Validate an optional `amendment_reason`: trimmed, non-empty, at most 2,000 characters.
pub(super) fn reason_of(reason: Option<&str>) -> Result<Option<String>, ApiError> {
    let mut errors = Errors::default();
    let reason = errors.optional_text("amendment_reason", reason, limits::REASON);
    errors.finish()?;
    Ok(reason)
}

pub(super) fn respond(details: CaseDetails) -> Result<web::Json<CaseResponse>, ApiError> {
    Ok(web::Json(CaseResponse::from(details)))
}

/// A step's request body as both doors take it — the API's JSON and the console's form, which
/// is read into the same body — turned into the domain's step and the request's options in one
/// place, so that both check the input the same way.
pub trait StepBody: serde::de::DeserializeOwned {
    /// What the path names besides the case (a consultation, an event, an appeal), or `()`.
    type Path;

    /// The step and its options; `expected_version` is the body's `version`.
    ///
    /// # Errors
    /// 422 for a text over its limit or another rule of the input alone.
    fn into_step(self, path: Self::Path, today: NaiveDate) -> Result<(Step, Options), ApiError>;
}

/// Take the step a body asks for: the `If-Match` header, when sent, is the expected version.
pub(super) async fn take_step<B: StepBody>(
    state: web::Data<AppState>,
    user: AuthUser,
    req: &HttpRequest,
    id: CaseId,
    body: B,
    path: B::Path,
) -> Result<CaseDetails, ApiError> {
    let (step_input, mut options) = body.into_step(path, state.today())?;
    options.expected_version = expected_version(req, options.expected_version)?;
    step(state, user, id, step_input, options).await
}

/// Take a step on a case and answer with the case.
pub(super) async fn step(
    state: web::Data<AppState>,
    user: AuthUser,
    id: CaseId,
    step: Step,
    options: Options,
) -> Result<CaseDetails, ApiError> {
    let snapshot = state.snapshot();
    Ok(state.db.write(move |conn| steps::take(conn, &user, id, step, &options, snapshot.now())).await?)
}

/// The options of a step request: its version, the reason for touching a sealed year, `notify`.
pub(super) fn options(
    version: Option<i64>,
    amendment_reason: Option<&str>,
    notify: Option<bool>,
) -> Result<Options, ApiError> {
    Ok(Options {
        expected_version: version,
        amendment_reason: reason_of(amendment_reason)?,
        notify: notify == Some(true),
    })
}

/// The outcome of one item of the case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemOutcomeRequest {
    /// The item's id (from the case's `items`).
    pub id: ItemId,
    pub outcome: Outcome,
    /// The officer's text on this item, printed under it: the reason of a refusal or partial
    /// disclosure (required for those), the route to information already public or to a
    /// publication (required), where and how to obtain what is provided, the search made, …
    #[schema(max_length = 8000)]
    pub basis: Option<String>,
}

/// The agency responsible for disclosing the information (Art. 36 (5)).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponsibleAgencyRequest {
    #[schema(max_length = 200)]
    pub name: String,
    /// Its address, telephone or other contact.
    #[schema(max_length = 500)]
    pub contact: String,
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
    /// The officer's text printed in the reply under the outcome's own wording: the reason of a
    /// refusal or partial disclosure (Art. 36 (3), 37), the route to information already public
    /// (36 (1)) or to a publication (39 ¶2), the reason it is not this agency's (36 (5)) — each
    /// required for those outcomes —, how to obtain what is provided (36 (2)), the search made
    /// (36 (4)), and the like. For a reply by items, general remarks.
    #[schema(max_length = 8000)]
    pub basis: Option<String>,
    /// Each item's outcome and text: all of the case's items, or none. A reply by items answers
    /// each in a paragraph of its own.
    #[serde(default)]
    pub items: Vec<ItemOutcomeRequest>,
    /// Art. 36 (1): the information disclosed has already been made public; `basis` says how to
    /// obtain it. Only with `disclosed`.
    #[serde(default)]
    pub already_public: bool,
    /// Art. 36 (5): the information is not this agency's to disclose; the agency that is, named
    /// with its contact in the reply. Only with `unavailable_not_held` (without it, that outcome
    /// answers Art. 36 (4): the information does not exist).
    pub responsible_agency: Option<ResponsibleAgencyRequest>,
    /// Art. 36 (6): the earlier case of the same applicant this agency has answered; its number
    /// and decision date are printed. Required for `not_processed_repeated`.
    pub repeats_case_id: Option<CaseId>,
    /// Art. 32: why the information is disclosed although a consulted third party objected
    /// (required for `disclosed` after an objection). Each objecting third party is sent a
    /// `disclosure_notice_to_third_party` with the content disclosed and this reason.
    #[schema(max_length = 8000)]
    pub over_objection_reason: Option<String>,
    /// The version the decision is based on (or send `If-Match`).
    pub version: Option<i64>,
    /// Required (from a supervisor) when the decision date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
    /// Send the step's letter even though the step is entered more than `mail.backdated_days`
    /// after its date (by default such a letter is kept, printable, and not mailed).
    pub notify: Option<bool>,
}

/// The applicant withdrew the request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRequest {
    pub withdrawn_on: NaiveDate,
    pub version: Option<i64>,
    /// Required (from a supervisor) when the date lies in a year whose report is sealed.
    #[schema(max_length = 2000)]
    pub amendment_reason: Option<String>,
    /// Send the step's letter even though the step is entered more than `mail.backdated_days`
    /// after its date (by default such a letter is kept, printable, and not mailed).
    pub notify: Option<bool>,
}

/// Filters of the case list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListParams {
    /// Only this agency (which must be visible).
    pub agency_id: Option<AgencyId>,
    pub status: Option<CaseStatus>,
    /// Received on or after this date.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this date.
    pub received_to: Option<NaiveDate>,
    /// `true`: only cases overdue today (open and past their due date); `false`: only open cases.
    pub overdue: Option<bool>,
    /// Only open cases due before this date.
    pub due_before: Option<NaiveDate>,
    /// Only this applicant's cases.
    pub applicant_id: Option<ApplicantId>,
    /// Text in the description, the case number or the applicant's name.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only the cases this person handles: a user id, or `me`.
    #[param(value_type = Option<String>, example = "me")]
    pub handler_id: Option<String>,
    /// Only the cases handled in this unit, or routed to it and not yet signed for or returned.
    pub unit_id: Option<AgencyId>,
    /// `true`: only cases without a handler.
    pub unassigned: Option<bool>,
}

/// A `handler_id` of a query: a user id, or `me` for the caller.
pub(crate) fn handler_of(value: Option<&str>, me: UserId) -> Result<Option<UserId>, ApiError> {
    match value.map(str::trim) {
        None => Ok(None),
        Some("me") => Ok(Some(me)),
        Some(text) => text.parse::<i64>().map(|id| Some(UserId::new(id))).map_err(|_| {
            ApiError::bad_request("invalid_query", "查询参数 handler_id 无效：应为用户编号或 me".to_string())
        }),
    }
}

/// List the cases the caller sees, most recently received first.
#[utoipa::path(tag = "cases", params(CaseListParams, PageParams),
    responses((status = 200, description = "A page of cases", body = Page<CaseSummary>), ReadErrors))]
#[get("/cases")]
pub(crate) async fn list_cases(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<CaseListParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<CaseSummary>>, ApiError> {
    let limit = page.limit()?;
    let params = params.into_inner();
    if params.q.as_ref().is_some_and(|q| q.chars().count() > limits::QUERY) {
        return Err(Violation::field("validation_failed", "q", format!("不得超过{}个字符", limits::QUERY)).into());
    }
    let today = state.today();
    let filter = CaseFilter {
        agency_id: params.agency_id,
        status: params.status,
        received_from: params.received_from,
        received_to: params.received_to,
        due_before: params.due_before,
        overdue_on: params.overdue.filter(|o| *o).map(|_| today),
        open_only: params.overdue == Some(false),
        applicant_id: params.applicant_id,
        q: params.q.filter(|q| !q.trim().is_empty()),
        before: page.cursor_received()?,
        handler_id: handler_of(params.handler_id.as_deref(), user.user_id)?,
        unit_id: params.unit_id,
        unassigned: params.unassigned == Some(true),
        ..CaseFilter::default()
    };
    // Searches take turns (`database.search_concurrency`); other lists do not wait for them.
    let _search_slot = match filter.q {
        Some(_) => Some(state.search_slots.acquire().await.map_err(|_| ApiError::Unavailable)?),
        None => None,
    };
    let rows = state.db.read(move |conn| cases::list(conn, &user, filter, limit + 1)).await?;
    let calendar = state.calendar();
    let page = Page::from_rows(
        rows,
        limit,
        |(c, _)| cursor_for_case(c.received_on, c.id),
        |(c, a)| CaseSummary::build(c, a, &calendar, today),
    );
    Ok(web::Json(page))
}

/// Get a case with the applicant's full details and its clock as of today.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The case", body = CaseResponse), ReadErrors))]
#[get("/cases/{id}")]
pub(crate) async fn get_case(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
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
pub(crate) async fn case_clock(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
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
pub(crate) async fn case_events(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
    params: web::Query<EventListParams>,
) -> Result<web::Json<Vec<EventResponse>>, ApiError> {
    let id = id.into_inner();
    let after = params.after_seq.unwrap_or(0);
    if after < 0 {
        return Err(Violation::field("validation_failed", "after_seq", "不得为负数").into());
    }
    let limit = params.limit.unwrap_or(500);
    if !(1..=500).contains(&limit) {
        return Err(Violation::field("validation_failed", "limit", "应在1至500之间").into());
    }
    let events = state.db.read(move |conn| cases::events(conn, &user, id, after, limit)).await?;
    Ok(web::Json(events.into_iter().map(EventResponse::from).collect()))
}

/// The case's outbox: every letter its steps queued for the applicant, oldest first, with its
/// delivery status.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The messages", body = Vec<OutboxMessageResponse>), ReadErrors))]
#[get("/cases/{id}/outbox")]
pub(crate) async fn case_outbox(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
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
pub(crate) async fn decide(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<DecisionRequest>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for DecisionRequest {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let body = self;
        let mut errors = Errors::default();
        let basis = errors.optional_text("basis", body.basis.as_deref(), limits::BASIS);
        let items = body
            .items
            .iter()
            .enumerate()
            .map(|(index, i)| ItemDecision {
                id: i.id,
                outcome: i.outcome,
                basis: errors.optional_text(&format!("items[{index}].basis"), i.basis.as_deref(), limits::BASIS),
            })
            .collect();
        let responsible_agency = body.responsible_agency.as_ref().map(|a| ResponsibleAgency {
            name: errors.text("responsible_agency.name", &a.name, limits::NAME),
            contact: errors.text("responsible_agency.contact", &a.contact, limits::ADDRESS),
        });
        let over_objection_reason =
            errors.optional_text("over_objection_reason", body.over_objection_reason.as_deref(), limits::BASIS);
        errors.finish()?;
        let decision = Decision {
            decided_on: body.decided_on,
            outcome: body.outcome,
            basis,
            items,
            already_public: body.already_public,
            responsible_agency,
            repeats_case_id: body.repeats_case_id,
            earlier: None,
            over_objection_reason,
        };
        Ok((Step::Decide(decision), options(body.version, body.amendment_reason.as_deref(), body.notify)?))
    }
}

/// Record that the applicant withdrew the request; the case concludes as `other_misc` and the
/// applicant is sent a `withdrawal_confirmation` (no reply on the substance, no remedies).
#[utoipa::path(tag = "cases", request_body = WithdrawalRequest,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "The concluded case", body = CaseResponse), WriteErrors))]
#[post("/cases/{id}/withdrawal")]
pub(crate) async fn withdraw(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<WithdrawalRequest>,
) -> Result<web::Json<CaseResponse>, ApiError> {
    respond(take_step(state, user, &req, id.into_inner(), body.0, ()).await?)
}

impl StepBody for WithdrawalRequest {
    type Path = ();

    fn into_step(self, (): (), _today: NaiveDate) -> Result<(Step, Options), ApiError> {
        let options = options(self.version, self.amendment_reason.as_deref(), self.notify)?;
        Ok((Step::Withdraw { withdrawn_on: self.withdrawn_on }, options))
    }
}
