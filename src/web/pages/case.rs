//! 案件详情: the case with its applicant, status and due date explained in the clock's sentences,
//! the timeline of its events, its letters and their delivery, and the forms of the steps the
//! user may take now ([`super::step_forms`], taken by [`super::steps`]).

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::documents::Notice;
use super::similar;
use super::step_forms::{self, FormsInput};
use super::steps::OpenForm;
use crate::domain::cn_date;
use crate::domain::fees::yuan;
use crate::domain::ids::CaseId;
use crate::domain::lifecycle::StepKind;
use crate::service::letters::Delivery;
use crate::service::{cases, letters};
use crate::web::context::PageContext;
use crate::web::error::PageError;
use crate::web::pages::dashboard::{agencies_and_choice, agency_options};
use crate::web::url_encode;

/// The names of the payload fields the timeline shows, with their Chinese names.
const EVENT_FIELDS: &[(&str, &str)] = &[
    ("matters", "补正事项"),
    ("respond_by", "补正期限"),
    ("party", "征求对象"),
    ("opinion", "意见"),
    ("working_days", "延长工作日"),
    ("reason", "理由"),
    ("notified_on", "告知日期"),
    ("amount_fen", "金额"),
    ("outcome", "办理结果"),
    ("basis", "依据"),
    ("result", "结果"),
    ("amendment_reason", "更改原因"),
    ("matter", "督办事项"),
    ("due_on", "督办期限"),
    ("note", "说明"),
    ("filename", "文件名"),
];

fn event_details(payload: &Value) -> Vec<(String, String)> {
    EVENT_FIELDS
        .iter()
        .filter_map(|(key, label)| {
            let value = payload.get(*key)?;
            let text = match value {
                Value::String(s) if *key == "outcome" => {
                    crate::domain::Outcome::parse(s).map_or_else(|| s.clone(), |o| o.label().to_string())
                }
                Value::String(s) if *key == "opinion" => {
                    crate::domain::types::Opinion::parse(s).map_or_else(|| s.clone(), |o| o.label().to_string())
                }
                Value::String(s) if *key == "result" => {
                    crate::domain::types::AppealResult::parse(s).map_or_else(|| s.clone(), |r| r.label().to_string())
                }
                Value::Number(n) if *key == "amount_fen" => n.as_i64().map_or_else(|| n.to_string(), yuan),
                Value::String(s) => s.clone(),
                Value::Null => return None,
                other => other.to_string(),
            };
            Some(((*label).to_string(), text))
        })
        .collect()
}

/// Where a letter stands, in words: how it goes out and what became of it.
fn letter_status(state: &letters::LetterState) -> String {
    let letter = &state.letter;
    let mut text = match letter.delivery {
        Delivery::Email => match state.email_status.as_deref() {
            Some("sent") => "电子邮件已发送".to_string(),
            Some("failed") => "电子邮件发送失败".to_string(),
            Some("pending" | "sending") | None => "电子邮件待发送".to_string(),
            Some(other) => format!("电子邮件：{other}"),
        },
        Delivery::Print => match letter.posted_on {
            Some(on) => format!("{on} 已邮寄"),
            None => "待打印邮寄".to_string(),
        },
        Delivery::Recorded => "已存档（补录，未发送）".to_string(),
    };
    if let Some(on) = letter.served_on {
        text.push_str(&format!("；{on} 送达"));
    }
    text
}

#[derive(Debug, Default, Deserialize)]
pub struct CaseParams {
    /// The step just taken (after a form was saved).
    done: Option<String>,
    /// `uploaded` or `withdrawn`: what was just done to the case's documents.
    document: Option<String>,
    /// Open the decision form as a repeat of this earlier case (from 该申请人此前的相似申请).
    repeats: Option<i64>,
}

/// The case page: number, applicant (with the full identity number: the read is audited), status,
/// due date and its explanation, the timeline, the letters and their delivery, and the steps.
#[get("/cases/{id}")]
pub async fn case_page(
    ctx: PageContext,
    id: web::Path<i64>,
    params: web::Query<CaseParams>,
) -> Result<HttpResponse, PageError> {
    let done = params.done.as_deref().and_then(StepKind::parse);
    let documents = match params.document.as_deref() {
        Some("uploaded") => Some(Notice::Done("材料已上传。".to_string())),
        Some("withdrawn") => Some(Notice::Done("材料已撤回。".to_string())),
        _ => None,
    };
    let shown = Shown { done, documents, repeats: params.repeats, ..Shown::default() };
    render(&ctx, CaseId::new(id.into_inner()), StatusCode::OK, shown).await
}

/// The case page with a step's form shown again (after a refusal or a fee's preview).
///
/// # Errors
/// 404 for an invisible case; a database error.
pub async fn render_case(
    ctx: &PageContext,
    id: CaseId,
    status: StatusCode,
    open: Option<OpenForm>,
) -> Result<HttpResponse, PageError> {
    render(ctx, id, status, Shown { open, ..Shown::default() }).await
}

/// The case page with a refusal of its 承办与督办 section shown there.
///
/// # Errors
/// 404 for an invisible case; a database error.
pub async fn render_case_notice(
    ctx: &PageContext,
    id: CaseId,
    status: StatusCode,
    message: String,
) -> Result<HttpResponse, PageError> {
    render(ctx, id, status, Shown { workflow_error: Some(message), ..Shown::default() }).await
}

/// The case page with a message in its documents section (a refused upload or withdrawal).
///
/// # Errors
/// 404 for an invisible case; a database error.
pub async fn render_case_with_documents(
    ctx: &PageContext,
    id: CaseId,
    status: StatusCode,
    documents: Option<Notice>,
) -> Result<HttpResponse, PageError> {
    render(ctx, id, status, Shown { documents, ..Shown::default() }).await
}

// Each argument is one thing a caller may show on the page (a form sent back, a step just taken,
// a refusal of the workflow section, a documents notice, the decision opened as a repeat).
/// What the case page shows besides the case itself.
#[derive(Default)]
struct Shown {
    /// A step's form sent back (refused, or a fee's preview).
    open: Option<OpenForm>,
    /// The step just taken.
    done: Option<StepKind>,
    /// A refusal of the 承办与督办 section.
    workflow_error: Option<String>,
    /// What the documents section says (a refusal, or what was just done).
    documents: Option<Notice>,
    /// The earlier case a decision form starts from as a repeated request.
    repeats: Option<i64>,
}

async fn render(ctx: &PageContext, id: CaseId, status: StatusCode, shown: Shown) -> Result<HttpResponse, PageError> {
    let Shown { mut open, done, workflow_error, documents, repeats } = shown;
    let snapshot = ctx.state.snapshot();
    let (details, offered, issued, withdrawal, similar) = ctx
        .read(move |conn, actor| {
            let (details, offered) = cases::with_allowed_steps(conn, actor, id, snapshot.now())?;
            let issued = letters::of_case(conn, actor, id)?;
            let withdrawal = crate::service::submissions::withdrawal_requested(conn, actor, id)?;
            let similar = crate::service::similar::of_case(conn, actor, id)?;
            Ok((details, offered, issued, withdrawal, similar))
        })
        .await?;
    let decision_latest = offered.steps.iter().find(|s| s.kind == StepKind::Decision).map(|s| s.latest);
    if let (None, Some(earlier), Some(latest)) = (&open, repeats, decision_latest) {
        open = Some(similar::repeat_form(earlier, latest));
    }
    let events = &details.state.events;
    let (workflow, names) = super::workflow::section(ctx, id, events).await?;
    // The applicant's other requests, only when a decision may name the one it repeats.
    let earlier = if offered.steps.iter().any(|s| s.kind == StepKind::Decision) {
        let filter = cases::CaseFilter { applicant_id: Some(details.case().applicant_id), ..Default::default() };
        let this = id;
        ctx.read(move |conn, actor| cases::list(conn, actor, filter, 21))
            .await?
            .into_iter()
            .filter(|(c, _)| c.id != this)
            .map(|(c, _)| {
                let outcome = c.outcome.map_or("未办结", |o| o.label());
                (c.id.get(), format!("{}（{}收到，{}）", c.case_number, cn_date(c.received_on), outcome))
            })
            .collect()
    } else {
        Vec::new()
    };
    let earlier = similar::with_similar(earlier, &similar);
    // The agency's letter settings, when a step whose letter needs them is offered.
    let needs_settings = offered.steps.iter().any(|s| matches!(s.kind, StepKind::Decision | StepKind::FeeNotice));
    let settings = if needs_settings {
        Some(ctx.read(move |conn, actor| crate::service::agencies::settings_of_case(conn, actor, id)).await?)
    } else {
        None
    };
    // The agencies a case may be moved to, only when its intake may be corrected.
    let agencies = if offered.steps.iter().any(|s| s.kind == StepKind::IntakeCorrection) {
        agency_options(&agencies_and_choice(ctx, None).await?.0)
    } else {
        Vec::new()
    };
    let documents = super::documents::section(ctx, id, documents).await?;
    let explanation = details.clock.explain_zh();
    let case = details.case();
    let timeline: Vec<Value> = events
        .iter()
        .map(|e| {
            let payload = e.event.payload();
            let details = [names.details(&e.event), event_details(&payload)].concat();
            json!({
                "seq": e.seq, "kind": e.event.kind(), "effective_on": e.effective_on.to_string(),
                "recorded_at": (e.recorded_at + chrono::TimeDelta::hours(8)).format("%Y-%m-%d %H:%M").to_string(),
                "by_system": e.actor_id.is_none(), "details": details,
            })
        })
        .collect();
    let letters: Vec<Value> = issued
        .iter()
        .map(|state| {
            let l = &state.letter;
            json!({
                "title": l.kind.title(),
                "document_number": l.document_number,
                "kind": l.kind.as_str(),
                "number": url_encode(&l.document_number),
                "recipient": l.recipient,
                "issued_on": l.issued_on.to_string(),
                "status": letter_status(state),
            })
        })
        .collect();
    // A form sent back for a step the case no longer allows (someone else changed it): its
    // message and what was typed are shown above the steps, since no form of its kind is.
    let unoffered = open.as_ref().and_then(|o| {
        let kind = StepKind::parse(&o.kind)?;
        let offered_now = offered.steps.iter().any(|s| s.kind == kind);
        (!offered_now).then(|| {
            let typed: Vec<&String> =
                o.values.iter().filter(|(k, v)| *k != "version" && !v.trim().is_empty()).map(|(_, v)| v).collect();
            json!({"label": kind.label(), "message": o.errors.get("_"), "typed": typed})
        })
    });
    let forms = step_forms::forms(&FormsInput {
        details: &details,
        offered: &offered,
        events,
        open: open.as_ref(),
        actor: ctx.actor(),
        agencies: &agencies,
        earlier: &earlier,
        settings: settings.as_ref(),
        today: ctx.state.today(),
    });
    let applicant = &details.applicant;
    ctx.render_status(
        status,
        "case.html",
        json!({
            "case": {
                "id": case.id, "case_number": case.case_number, "status": case.status, "channel": case.channel,
                "submitted_on": case.submitted_on.map(|d| d.to_string()), "received_on": case.received_on.to_string(),
                "description": case.description, "outcome": case.outcome,
                "concluded_on": case.concluded_on.map(|d| d.to_string()), "basis": case.decision_basis,
                "version": case.version,
                "withdrawal_requested_on": withdrawal.map(|at| crate::domain::china_date(at).to_string()),
            },
            "applicant": {
                "category": applicant.category, "name": applicant.name,
                "id_type": applicant.identity.as_ref().map(|i| i.id_type),
                "id_number": applicant.identity.as_ref().map(|i| i.number.clone()),
                "phone": applicant.phone, "email": applicant.email, "address": applicant.address,
            },
            "items": details.state.items.iter().map(|i| json!({"position": i.position, "description": i.description, "outcome": i.outcome})).collect::<Vec<_>>(),
            "clock": details.clock,
            "explanation": explanation,
            "timeline": timeline,
            "letters": letters,
            "consultations": details.state.consultations.iter().map(|c| json!({
                "party_kind": c.party_kind, "party": c.party, "sent_on": c.sent_on.to_string(),
                "reply_due": c.reply_due.to_string(), "replied_on": c.replied_on.map(|d| d.to_string()), "opinion": c.opinion,
            })).collect::<Vec<_>>(),
            "appeals": details.state.appeals.iter().map(|a| json!({
                "kind": a.kind.label(), "filed_on": a.filed_on.to_string(),
                "result": a.result.map(|r| r.label()), "decided_on": a.decided_on.map(|d| d.to_string()),
            })).collect::<Vec<_>>(),
            "forms": forms,
            "workflow": workflow,
            "workflow_error": workflow_error,
            "similar": similar::section(id, &similar, decision_latest),
            "unoffered": unoffered,
            "done": done.map(StepKind::label),
            "documents": documents,
        }),
    )
}
