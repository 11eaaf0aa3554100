//! Who handles a case and where, and supervisors' chases: `/cases/{id}/assignment`,
//! `/cases/{id}/routing` (and its `accept` and `return`), `/users/{id}/reassign`,
//! `/cases/{id}/chases` and `/chases`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AuthUser;
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{expected_version, Json};
use super::AppState;
use crate::domain::ids::{AgencyId, CaseId, UserId};
use crate::domain::lifecycle::StepKind;
use crate::domain::workflow::{Chase, Person, Unit};
use crate::domain::CaseStatus;
use crate::service::workflow::{self, Answer, AssignInput, ChaseInput, HandlingView};

/// An agency named in an answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRef {
    pub id: AgencyId,
    pub name: String,
}

impl From<Unit> for UnitRef {
    fn from(unit: Unit) -> Self {
        Self { id: unit.id, name: unit.name }
    }
}

/// A person named in an answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: UserId,
    pub name: String,
}

impl From<Person> for PersonRef {
    fn from(person: Person) -> Self {
        Self { id: person.id, name: person.name }
    }
}

/// Who handles a case now.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandlingResponse {
    pub case_id: CaseId,
    /// The case's version after the change (for `If-Match`).
    pub version: i64,
    pub status: CaseStatus,
    /// The receiving agency (the case is answered and reported under it).
    pub agency: UnitRef,
    /// The handling unit.
    pub unit: UnitRef,
    pub handler: Option<PersonRef>,
    /// A routing not yet signed for or returned.
    pub routed_to: Option<UnitRef>,
}

impl From<HandlingView> for HandlingResponse {
    fn from(view: HandlingView) -> Self {
        Self {
            case_id: view.case_id,
            version: view.version,
            status: view.status,
            agency: view.agency.into(),
            unit: view.unit.into(),
            handler: view.handler.map(Into::into),
            routed_to: view.routed_to.map(Into::into),
        }
    }
}

/// An assignment: a handler and/or a handling unit; a reason when the case changes hands.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentBody {
    pub handler_id: Option<UserId>,
    pub unit_id: Option<AgencyId>,
    /// Required when the case already has another handler.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    pub version: Option<i64>,
}

/// Who handles a case.
#[utoipa::path(tag = "workflow", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "Who handles the case", body = HandlingResponse), ReadErrors))]
#[get("/cases/{id}/assignment")]
pub(crate) async fn get_assignment(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
) -> Result<web::Json<HandlingResponse>, ApiError> {
    let id = id.into_inner();
    let view = state.db.read(move |conn| workflow::handling(conn, &user, id)).await?;
    Ok(web::Json(view.into()))
}

/// Assign a case to a handler and/or a handling unit, or reassign it (with a reason). A
/// supervisor over the unit assigns; an officer may take an unassigned case of their own unit.
#[utoipa::path(tag = "workflow", request_body = AssignmentBody,
    params(("id" = i64, Path, description = "Case id"), ("If-Match" = Option<String>, Header, description = "The expected version")),
    responses((status = 200, description = "Who handles the case now", body = HandlingResponse), WriteErrors))]
#[post("/cases/{id}/assignment")]
pub(crate) async fn assign(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    body: Json<AssignmentBody>,
) -> Result<web::Json<HandlingResponse>, ApiError> {
    let body = body.0;
    let input = AssignInput {
        handler_id: body.handler_id,
        unit_id: body.unit_id,
        reason: body.reason,
        expected_version: expected_version(&req, body.version)?,
    };
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let view = state.db.write(move |conn| workflow::assign(conn, &user, id, &input, &snapshot.now())).await?;
    Ok(web::Json(view.into()))
}

/// Moving every open case of a person to another.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignBody {
    /// The new handler.
    pub handler_id: UserId,
    #[schema(max_length = 2000)]
    pub reason: String,
}

/// The cases moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReassignResponse {
    pub moved: usize,
    pub case_ids: Vec<CaseId>,
}

/// Reassign every open case the user handles (someone leaving or on leave), all or none.
#[utoipa::path(tag = "workflow", request_body = ReassignBody,
    params(("id" = i64, Path, description = "The user whose cases move")),
    responses((status = 200, description = "The cases moved", body = ReassignResponse), WriteErrors))]
#[post("/users/{id}/reassign")]
pub(crate) async fn reassign_all(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<UserId>,
    body: Json<ReassignBody>,
) -> Result<web::Json<ReassignResponse>, ApiError> {
    let (from, body, snapshot) = (id.into_inner(), body.0, state.snapshot());
    let moved = state
        .db
        .write(move |conn| workflow::reassign_all(conn, &user, from, body.handler_id, &body.reason, &snapshot.now()))
        .await?;
    Ok(web::Json(ReassignResponse { moved: moved.len(), case_ids: moved }))
}

/// Routing a case to a unit (转办).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingBody {
    pub unit_id: AgencyId,
    /// What the unit is asked to do.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Route a case to a unit of the receiving agency's subtree; the unit signs for it or returns it.
#[utoipa::path(tag = "workflow", request_body = RoutingBody,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "Who handles the case now", body = HandlingResponse), WriteErrors))]
#[post("/cases/{id}/routing")]
pub(crate) async fn route(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
    body: Json<RoutingBody>,
) -> Result<web::Json<HandlingResponse>, ApiError> {
    let (id, body, snapshot) = (id.into_inner(), body.0, state.snapshot());
    let view = state
        .db
        .write(move |conn| workflow::route(conn, &user, id, body.unit_id, body.note.as_deref(), &snapshot.now()))
        .await?;
    Ok(web::Json(view.into()))
}

/// The unit the case was routed to signs for it (签收) and handles it from now on.
#[utoipa::path(tag = "workflow", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "Who handles the case now", body = HandlingResponse), WriteErrors))]
#[post("/cases/{id}/routing/accept")]
pub(crate) async fn accept_routing(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
) -> Result<web::Json<HandlingResponse>, ApiError> {
    let (id, snapshot) = (id.into_inner(), state.snapshot());
    let view =
        state.db.write(move |conn| workflow::answer_routing(conn, &user, id, Answer::Accept, &snapshot.now())).await?;
    Ok(web::Json(view.into()))
}

/// Returning a routed case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    /// Why the unit returns it (required).
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// The unit the case was routed to returns it with a reason (退回): back to the sender's queue.
#[utoipa::path(tag = "workflow", request_body = ReturnBody,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "Who handles the case now", body = HandlingResponse), WriteErrors))]
#[post("/cases/{id}/routing/return")]
pub(crate) async fn return_routing(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
    body: Json<ReturnBody>,
) -> Result<web::Json<HandlingResponse>, ApiError> {
    let (id, body, snapshot) = (id.into_inner(), body.0, state.snapshot());
    let view = state
        .db
        .write(move |conn| {
            let answer = Answer::Return { reason: body.reason.as_deref() };
            workflow::answer_routing(conn, &user, id, answer, &snapshot.now())
        })
        .await?;
    Ok(web::Json(view.into()))
}

// ------------------------------------------------------------------ chases

/// A chase (督办).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChaseResponse {
    pub id: i64,
    pub case_id: CaseId,
    /// What is asked.
    pub matter: String,
    /// The date it must be done by.
    pub due_on: NaiveDate,
    /// The step that settles it, if one was named.
    pub step: Option<StepKind>,
    pub recorded_on: NaiveDate,
    pub recorded_by: UserId,
    pub open: bool,
    /// Open past its date.
    pub late: bool,
    pub closed_on: Option<NaiveDate>,
    pub closed_by: Option<UserId>,
    pub close_note: Option<String>,
    /// The event (`seq`) that closed it: the step taken, or the explicit closing.
    pub closed_by_seq: Option<i32>,
}

impl ChaseResponse {
    fn new(chase: Chase, today: NaiveDate) -> Self {
        Self {
            open: chase.is_open(),
            late: chase.is_late(today),
            id: chase.id,
            case_id: chase.case_id,
            matter: chase.matter,
            due_on: chase.due_on,
            step: chase.step,
            recorded_on: chase.recorded_on,
            recorded_by: chase.recorded_by,
            closed_on: chase.closed_on,
            closed_by: chase.closed_by,
            close_note: chase.close_note,
            closed_by_seq: chase.closed_by_seq,
        }
    }
}

/// A chase to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChaseBody {
    #[schema(max_length = 4000)]
    pub matter: String,
    pub due_on: NaiveDate,
    /// The step that settles it (`decision`, `extension`, `correction_request`, `consultation`,
    /// `fee_notice`, `reasons_request`); otherwise it closes when the case concludes or explicitly.
    pub step: Option<String>,
}

/// Chase an open case (督办): a supervisor of its agency or an ancestor.
#[utoipa::path(tag = "workflow", request_body = ChaseBody,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 201, description = "The chase", body = ChaseResponse), WriteErrors))]
#[post("/cases/{id}/chases")]
pub(crate) async fn create_chase(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
    body: Json<ChaseBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, body, snapshot) = (id.into_inner(), body.0, state.snapshot());
    let today = snapshot.today;
    let input = ChaseInput { matter: body.matter, due_on: Some(body.due_on), step: body.step };
    let chase = state.db.write(move |conn| workflow::chase(conn, &user, id, &input, &snapshot.now())).await?;
    Ok(HttpResponse::Created().json(ChaseResponse::new(chase, today)))
}

/// The chases of a case, open and closed.
#[utoipa::path(tag = "workflow", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The chases", body = ChaseList), ReadErrors))]
#[get("/cases/{id}/chases")]
pub(crate) async fn case_chases(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
) -> Result<web::Json<ChaseList>, ApiError> {
    let (id, today) = (id.into_inner(), state.today());
    let chases = state.db.read(move |conn| workflow::chases(conn, &user, id)).await?;
    Ok(web::Json(ChaseList { items: chases.into_iter().map(|c| ChaseResponse::new(c, today)).collect() }))
}

/// Chases.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChaseList {
    pub items: Vec<ChaseResponse>,
}

/// Closing a chase.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseChaseBody {
    /// What was done (required).
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Close a chase explicitly with a note.
#[utoipa::path(tag = "workflow", request_body = CloseChaseBody,
    params(("id" = i64, Path, description = "Case id"), ("chase_id" = i64, Path, description = "Chase id")),
    responses((status = 200, description = "The chase", body = ChaseResponse), WriteErrors))]
#[post("/cases/{id}/chases/{chase_id}/close")]
pub(crate) async fn close_chase(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(CaseId, i64)>,
    body: Json<CloseChaseBody>,
) -> Result<web::Json<ChaseResponse>, ApiError> {
    let ((id, chase_id), body, snapshot) = (path.into_inner(), body.0, state.snapshot());
    let today = snapshot.today;
    let chase = state
        .db
        .write(move |conn| workflow::close_chase(conn, &user, id, chase_id, body.note.as_deref(), &snapshot.now()))
        .await?;
    Ok(web::Json(ChaseResponse::new(chase, today)))
}

/// Which open chases to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChaseListParams {
    /// The agency whose subtree's cases are listed (which must be visible); the caller's whole
    /// scope when absent.
    pub agency_id: Option<AgencyId>,
}

/// An open chase with its case.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenChaseResponse {
    #[serde(flatten)]
    pub chase: ChaseResponse,
    pub case_number: String,
    pub agency_id: AgencyId,
    pub unit_id: AgencyId,
    pub handler_id: Option<UserId>,
    pub routed_to: Option<AgencyId>,
    /// The case's reply due date.
    pub case_due_on: Option<NaiveDate>,
}

/// Open chases.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenChaseList {
    pub items: Vec<OpenChaseResponse>,
}

/// The open chases of the cases received in an agency's subtree, earliest due first (at most 500).
#[utoipa::path(tag = "workflow", params(ChaseListParams),
    responses((status = 200, description = "Open chases", body = OpenChaseList), ReadErrors))]
#[get("/chases")]
pub(crate) async fn open_chases(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<ChaseListParams>,
) -> Result<web::Json<OpenChaseList>, ApiError> {
    let (agency_id, today) = (params.agency_id, state.today());
    let rows = state.db.read(move |conn| workflow::open_chases(conn, &user, agency_id, 500)).await?;
    let items = rows
        .into_iter()
        .map(|row| OpenChaseResponse {
            unit_id: row.handling.unit(row.agency_id),
            handler_id: row.handling.handler_id,
            routed_to: row.handling.routed_to,
            case_number: row.case_number,
            agency_id: row.agency_id,
            case_due_on: row.case_due_on,
            chase: ChaseResponse::new(row.chase, today),
        })
        .collect();
    Ok(web::Json(OpenChaseList { items }))
}
