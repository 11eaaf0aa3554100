//! 案件: the list with the API's filters and cursor paging; the print view of a case's letters.
//! The case page itself is [`super::case`].

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use crate::domain::ids::{AgencyId, CaseId, ConsultationId, UserId};
use crate::domain::CaseStatus;
use crate::http::pagination::{cursor_for_case, PageParams};
use crate::notify::letters::LetterKind;
use crate::service::cases::CaseFilter;
use crate::service::{cases, letters, workflow, ServiceError};
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
    /// `me`: the caller's cases; `unit`: the caller's unit's; `unassigned`: open cases without a handler.
    handling: Option<String>,
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
    let me = ctx.actor().user_id;
    let (mut handler_id, mut unit_id, mut unassigned) = (None, None, false);
    match present(&params.handling) {
        None => {}
        Some("me") => handler_id = Some(me),
        Some("unit") => match ctx.actor().agency_id {
            Some(agency) => unit_id = Some(agency),
            None => {
                errors.insert("handling".to_string(), "您不属于任何机关，没有本单位案件".to_string());
            }
        },
        Some("unassigned") => unassigned = true,
        Some(_) => {
            errors.insert("handling".to_string(), "请从列表中选择".to_string());
        }
    }
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
        applicant_id: None,
        q,
        before,
        handler_id,
        unit_id,
        unassigned,
        open_only: unassigned,
        ..CaseFilter::default()
    };
    // The page's cases and the names of their handlers, in one read.
    let (mut rows, people) = if errors.is_empty() {
        ctx.read(move |conn, actor| {
            let rows = cases::list(conn, actor, filter, PAGE + 1)?;
            let mut ids: Vec<UserId> = rows.iter().filter_map(|(c, _)| c.handling.handler_id).collect();
            ids.sort_unstable();
            ids.dedup();
            Ok((rows, workflow::people(conn, &ids)?))
        })
        .await?
    } else {
        (Vec::new(), Vec::new())
    };
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > PAGE;
    rows.truncate(usize::try_from(PAGE).unwrap_or(50));
    let next_cursor = if more { rows.last().map(|(c, _)| cursor_for_case(c.received_on, c.id)) } else { None };
    let cases: Vec<CaseLine> = rows
        .into_iter()
        .map(|(c, a)| {
            let handler =
                c.handling.handler_id.and_then(|id| people.iter().find(|p| p.id == id)).map(|p| p.name.clone());
            CaseLine { handler, ..CaseLine::new(c, a) }
        })
        .collect();
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
        ("handling", &params.handling),
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
                "handling": params.handling,
            },
            "handlings": [("me", "我承办的"), ("unit", "本单位的"), ("unassigned", "未分派的（办理中）")],
            "agencies": agency_options(&agencies),
            "statuses": statuses,
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
