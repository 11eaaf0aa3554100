//! 案件: the list with the API's filters and cursor paging; the case page (read-only for now);
//! the print view of its letters.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::ids::{AgencyId, CaseId, ConsultationId};
use crate::domain::CaseStatus;
use crate::http::pagination::{cursor_for_case, PageParams};
use crate::notify::letters::LetterKind;
use crate::service::cases::CaseFilter;
use crate::service::letters::Delivery;
use crate::service::{cases, letters, ServiceError};
use crate::web::context::PageContext;
use crate::web::error::PageError;
use crate::web::pages::dashboard::{agencies_and_choice, agency_options};
use crate::web::url_encode;
use crate::web::view::CaseLine;

/// Cases per page of the list.
const PAGE: i64 = 50;

/// The list's filters, as typed (kept as text so that a bad one can be shown again).
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    agency_id: Option<String>,
    status: Option<String>,
    received_from: Option<String>,
    received_to: Option<String>,
    overdue: Option<String>,
    due_before: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// 案件: the list.
#[get("/cases")]
pub async fn cases_page(ctx: PageContext, params: web::Query<ListParams>) -> Result<HttpResponse, PageError> {
    let params = params.into_inner();
    let mut errors = std::collections::BTreeMap::new();
    let mut date = |field: &str, value: &Option<String>| -> Option<NaiveDate> {
        let text = present(value)?;
        let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        if parsed.is_none() {
            errors.insert(field.to_string(), "不是有效的日期（格式：2019-03-05）".to_string());
        }
        parsed
    };
    let received_from = date("received_from", &params.received_from);
    let received_to = date("received_to", &params.received_to);
    let due_before = date("due_before", &params.due_before);
    let status = present(&params.status).and_then(|s| {
        let parsed = CaseStatus::parse(s);
        if parsed.is_none() {
            errors.insert("status".to_string(), "请从列表中选择".to_string());
        }
        parsed
    });
    let agency_id = present(&params.agency_id).and_then(|a| {
        let parsed = a.parse::<i64>().ok().map(AgencyId::new);
        if parsed.is_none() {
            errors.insert("agency_id".to_string(), "请从列表中选择".to_string());
        }
        parsed
    });
    let q = present(&params.q).map(str::to_string);
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        errors.insert("q".to_string(), "最多 200 个字符".to_string());
    }
    let overdue = present(&params.overdue).is_some();
    let paging = PageParams { limit: None, cursor: present(&params.cursor).map(str::to_string) };
    let before = paging.cursor_received().map_err(|_| PageError::Rejected {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid_cursor",
        detail: "翻页链接已失效，请回到第一页。".to_string(),
    })?;
    let (agencies, _) = agencies_and_choice(&ctx, None).await?;
    let today = ctx.state.today();
    let filter = CaseFilter {
        agency_id,
        status,
        received_from,
        received_to,
        due_before,
        overdue_on: overdue.then_some(today),
        open_only: false,
        applicant_id: None,
        q,
        before,
        scope: None,
    };
    let mut rows = if errors.is_empty() {
        ctx.read(move |conn, actor| cases::list(conn, actor, filter, PAGE + 1)).await?
    } else {
        Vec::new()
    };
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > PAGE;
    rows.truncate(usize::try_from(PAGE).unwrap_or(50));
    let next_cursor = if more { rows.last().map(|(c, _)| cursor_for_case(c.received_on, c.id)) } else { None };
    let cases: Vec<CaseLine> = rows.into_iter().map(|(c, a)| CaseLine::new(c, a)).collect();
    let statuses: Vec<(String, String)> =
        CaseStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    // The filters as a query, for the paging links.
    let query = [
        ("agency_id", &params.agency_id),
        ("status", &params.status),
        ("received_from", &params.received_from),
        ("received_to", &params.received_to),
        ("overdue", &params.overdue),
        ("due_before", &params.due_before),
        ("q", &params.q),
    ]
    .iter()
    .filter_map(|(key, value)| present(value).map(|v| format!("{key}={}", url_encode(v))))
    .collect::<Vec<_>>()
    .join("&");
    ctx.render_status(
        status,
        "cases.html",
        json!({
            "cases": cases,
            "next_cursor": next_cursor.map(|c| url_encode(&c)),
            "query": query,
            "first_page": params.cursor.is_none(),
            "errors": errors,
            "filters": {
                "agency_id": params.agency_id, "status": params.status, "received_from": params.received_from,
                "received_to": params.received_to, "overdue": overdue, "due_before": params.due_before, "q": params.q,
            },
            "agencies": agency_options(&agencies),
            "statuses": statuses,
        }),
    )
}

/// The names of the payload fields the timeline shows, with their Chinese names.
const EVENT_FIELDS: &[(&str, &str)] = &[
    ("matters", "补正事项"),
    ("respond_by", "补正期限"),
    ("party", "征求对象"),
    ("opinion", "意见"),
    ("working_days", "延长工作日"),
    ("reason", "理由"),
    ("notified_on", "告知日期"),
    ("amount_fen", "金额（分）"),
    ("outcome", "办理结果"),
    ("basis", "依据"),
    ("result", "结果"),
    ("amendment_reason", "更改原因"),
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

/// The case page: number, applicant (with the full identity number: the read is audited), status,
/// due date and its explanation, the timeline, the letters and their delivery.
#[get("/cases/{id}")]
pub async fn case_page(ctx: PageContext, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let id = CaseId::new(id.into_inner());
    let snapshot = ctx.state.snapshot();
    let (details, events, issued) = ctx
        .read(move |conn, actor| {
            let details = cases::get(conn, actor, id, snapshot.now())?;
            let events = cases::events(conn, actor, id, 0, 500)?;
            let issued = letters::of_case(conn, actor, id)?;
            Ok((details, events, issued))
        })
        .await?;
    let explanation = details.clock.explain_zh();
    let case = details.case();
    let timeline: Vec<Value> = events
        .iter()
        .map(|e| {
            let payload = e.event.payload();
            json!({
                "seq": e.seq, "kind": e.event.kind(), "effective_on": e.effective_on.to_string(),
                "recorded_at": (e.recorded_at + chrono::TimeDelta::hours(8)).format("%Y-%m-%d %H:%M").to_string(),
                "by_system": e.actor_id.is_none(), "details": event_details(&payload),
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
    let applicant = &details.applicant;
    ctx.render(
        "case.html",
        json!({
            "case": {
                "id": case.id, "case_number": case.case_number, "status": case.status, "channel": case.channel,
                "submitted_on": case.submitted_on.map(|d| d.to_string()), "received_on": case.received_on.to_string(),
                "description": case.description, "outcome": case.outcome,
                "concluded_on": case.concluded_on.map(|d| d.to_string()), "basis": case.decision_basis,
                "version": case.version,
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
        }),
    )
}

#[derive(Debug, Deserialize)]
pub struct LetterParams {
    consultation_id: Option<i64>,
    /// The document number of an earlier copy (default: the latest).
    number: Option<String>,
}

/// The print view of a letter of the case (A4; the letter's own page).
#[get("/cases/{id}/letters/{kind}")]
pub async fn letter_page(
    ctx: PageContext,
    path: web::Path<(i64, String)>,
    params: web::Query<LetterParams>,
) -> Result<HttpResponse, PageError> {
    let (id, kind) = path.into_inner();
    let id = CaseId::new(id);
    let kind = LetterKind::parse(&kind).ok_or(PageError::NotFound)?;
    let consultation_id = params.consultation_id.map(ConsultationId::new);
    let (number, snapshot) = (params.number.clone(), ctx.state.snapshot());
    // The copy stored when the step was recorded, as the API serves it; a case entered before
    // letters were kept has none, and its letter is rendered from the case.
    let html = ctx
        .read(move |conn, actor| match letters::stored(conn, actor, id, kind, consultation_id, number.as_deref())? {
            Some(stored) => Ok(stored.body_html),
            None => {
                let data = letters::data(conn, actor, id, kind, consultation_id, snapshot.now())?;
                let rendered = snapshot.letters.render(&data).map_err(|e| ServiceError::corrupt(e.to_string()))?;
                Ok(rendered.html)
            }
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(html))
}
