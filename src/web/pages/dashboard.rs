//! 工作台: the open cases of the user's agency and its descendants by status, those due within 5
//! working days, the overdue ones, what waits for the applicant, the unanswered consultations.
//! The figures are the dashboard API's (the same use case).

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::case::{Agency, Case, CaseSummary};
use crate::domain::ids::AgencyId;
use crate::domain::ids::SubmissionId;
use crate::domain::submission::SubmissionStatus;
use crate::domain::CaseStatus;
use crate::service::{agencies, dashboard, submissions, workflow, worklist};
use crate::web::context::{see_other, PageContext, PostPage};
use crate::web::error::PageError;
use crate::web::view::excerpt;

/// Lines shown per list (each list says how many there are in all).
const LINES: i64 = 20;

#[derive(Debug, Deserialize)]
pub struct DashboardParams {
    agency_id: Option<i64>,
    /// `0` for the agency alone; its descendants are included by default.
    descendants: Option<u8>,
    /// The supervisors' view: cases overdue by more than this many working days (default 5).
    late_days: Option<u32>,
}

/// The default of the supervisors' view of badly late cases, in working days.
const LATE_DAYS: u32 = 5;

#[derive(Debug, Serialize)]
struct Line {
    id: i64,
    case_number: String,
    status: &'static str,
    received_on: String,
    due_on: Option<String>,
    lapses_on: Option<String>,
    description: String,
}

impl From<CaseSummary> for Line {
    fn from(case: CaseSummary) -> Self {
        Self {
            id: case.id.get(),
            case_number: case.case_number,
            status: case.status.as_str(),
            received_on: case.received_on.to_string(),
            due_on: case.due_on.map(|d| d.to_string()),
            lapses_on: None,
            description: excerpt(&case.description, 40),
        }
    }
}

impl From<Case> for Line {
    fn from(case: Case) -> Self {
        Self {
            id: case.id.get(),
            case_number: case.case_number,
            status: case.status.as_str(),
            received_on: case.received_on.to_string(),
            due_on: case.due_on.map(|d| d.to_string()),
            lapses_on: case.lapses_on.map(|d| d.to_string()),
            description: excerpt(&case.description, 40),
        }
    }
}

/// The agencies a user may choose from, and the one shown: the user's own, else the first
/// top-level agency.
pub(crate) async fn agencies_and_choice(
    ctx: &PageContext,
    asked: Option<i64>,
) -> Result<(Vec<Agency>, Option<AgencyId>), PageError> {
    let list = ctx.read(|conn, actor| agencies::list(conn, actor, None, None, 1000)).await?;
    let chosen = asked
        .map(AgencyId::new)
        .or(ctx.actor().agency_id)
        .or_else(|| list.iter().find(|a| a.parent_id.is_none()).or(list.first()).map(|a| a.id));
    Ok((list, chosen))
}

/// The agencies as choices, indented by depth.
pub(crate) fn agency_options(list: &[Agency]) -> Vec<(i64, String)> {
    let mut rows: Vec<&Agency> = list.iter().collect();
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    let top = rows.iter().map(|a| a.path.matches('/').count()).min().unwrap_or(0);
    rows.iter()
        .map(|a| {
            let depth = a.path.matches('/').count().saturating_sub(top);
            (a.id.get(), format!("{}{}（{}）", "　".repeat(depth), a.name, a.code))
        })
        .collect()
}

/// 工作台.
#[get("/dashboard")]
pub async fn dashboard_page(ctx: PageContext, params: web::Query<DashboardParams>) -> Result<HttpResponse, PageError> {
    let (list, chosen) = agencies_and_choice(&ctx, params.agency_id).await?;
    let options = agency_options(&list);
    let Some(agency_id) = chosen else {
        return ctx.render("dashboard.html", json!({ "options": options, "agency_id": null }));
    };
    let descendants = params.descendants != Some(0);
    let snapshot = ctx.state.snapshot();
    let late_days = params.late_days.unwrap_or(LATE_DAYS).min(250);
    let (figures, work, queue, chases, late) = ctx
        .read(move |conn, actor| {
            let figures = dashboard::dashboard(conn, actor, agency_id, descendants, LINES, snapshot.now())?;
            // The supervisors' view: open chases and badly late cases of the whole subtree.
            let chases = workflow::open_chases(conn, actor, Some(agency_id), 200)?;
            let late = workflow::late_cases(conn, actor, Some(agency_id), late_days, LINES, &snapshot.now())?;
            let work = worklist::worklist(conn, actor, agency_id, descendants, LINES)?;
            // The intake desk's queue: the online applications waiting for confirmation.
            let queue = if actor.role.can_register() {
                submissions::list(conn, actor, Some(agency_id), descendants, Some(SubmissionStatus::Pending), 200)?
            } else {
                Vec::new()
            };
            Ok((figures, work, queue, chases, late))
        })
        .await?;
    let (calendar, today) = (ctx.state.calendar(), ctx.state.today());
    let queue: Vec<_> = queue
        .into_iter()
        .map(|s| {
            let submitted_on = s.submitted_on();
            json!({
                "id": s.id, "number": s.submission_number, "submitted_on": submitted_on.to_string(),
                "age": calendar.working_days_between(submitted_on, today).max(0),
                "applicant": s.applicant.name, "description": excerpt(&s.description, 60),
                "withdrawal_requested": s.withdrawal_requested_at.is_some(),
            })
        })
        .collect();
    let by_status: Vec<(String, i64)> = CaseStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| {
            let count = figures.open_by_status.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
            (s.as_str().to_string(), count)
        })
        .collect();
    let open_total: i64 = by_status.iter().map(|(_, n)| n).sum();
    let consultations: Vec<_> = work
        .consultations
        .into_iter()
        .map(|(c, number)| {
            json!({
                "case_id": c.case_id, "case_number": number, "party": c.party, "party_kind": c.party_kind.as_str(),
                "sent_on": c.sent_on.to_string(), "reply_due": c.reply_due.to_string(),
            })
        })
        .collect();
    let chases: Vec<_> = chases
        .into_iter()
        .map(|c| {
            json!({
                "case_id": c.chase.case_id, "case_number": c.case_number, "matter": c.chase.matter,
                "due_on": c.chase.due_on.to_string(), "late": c.chase.is_late(today),
                "recorded_on": c.chase.recorded_on.to_string(), "routed": c.handling.routed_to.is_some(),
                "assigned": c.handling.handler_id.is_some(),
            })
        })
        .collect();
    ctx.render(
        "dashboard.html",
        json!({
            "chases": chases,
            "late_days": late_days,
            "late": late.into_iter().map(Line::from).collect::<Vec<_>>(),
            "options": options, "agency_id": agency_id, "descendants": descendants,
            "queue": queue, "today": today.to_string(),
            "by_status": by_status, "open_total": open_total,
            "due_soon_until": figures.due_soon_until.to_string(),
            "due_soon": figures.due_soon.into_iter().map(Line::from).collect::<Vec<_>>(),
            "due_soon_count": figures.due_soon_count,
            "overdue": figures.overdue.into_iter().map(Line::from).collect::<Vec<_>>(),
            "overdue_count": figures.overdue_count,
            "waiting": work.waiting_for_applicant.into_iter().map(Line::from).collect::<Vec<_>>(),
            "waiting_count": work.waiting_for_applicant_count,
            "consultations": consultations,
            "consultations_count": work.consultations_count,
            "concluded_this_year": figures.concluded_this_year,
            "concluded_late_this_year": figures.concluded_late_this_year,
            "year": figures.today.format("%Y").to_string(),
        }),
    )
}

/// 确认收到 an online application: it becomes a case received on the date given (Art. 31 (3)).
#[post("/submissions/{id}/confirm")]
pub async fn confirm_submission(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let id = SubmissionId::new(id.into_inner());
    let received_on = match form.optional("received_on") {
        None => None,
        Some(text) => Some(chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| PageError::Rejected {
            status: actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            detail: "确认收到的日期无效（格式：2019-03-05）".to_string(),
        })?),
    };
    let snapshot = ctx.state.snapshot();
    let registered =
        ctx.write(move |conn, actor| submissions::confirm(conn, actor, id, received_on, snapshot.now())).await?;
    Ok(see_other(&format!("/intake/registered/{}", registered.details.case().id)))
}

/// 退回 an online application as not a disclosure request, with the reason the applicant reads.
#[post("/submissions/{id}/reject")]
pub async fn reject_submission(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let id = SubmissionId::new(id.into_inner());
    let reason = form.get("reason").to_string();
    let now = ctx.state.now();
    ctx.write(move |conn, actor| submissions::reject(conn, actor, id, &reason, now)).await?;
    Ok(see_other("/dashboard"))
}
