//! The case page's 承办与督办 section: who handles the case and where, the forms to take it, assign
//! it, route it, sign for or return it, and supervisors' chases — each posting to a route of its
//! own and coming back to the case page (with the refusal shown there when there is one).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use serde_json::{json, Value};

use super::case::render_case_notice;
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::ids::{AgencyId, CaseId, UserId};
use crate::domain::lifecycle::StepKind;
use crate::domain::workflow::Person;
use crate::service::workflow::{self, Answer, AssignInput, ChaseInput};
use crate::service::ServiceError;
use crate::web::context::{see_other, PageContext, PostPage};
use crate::web::error::PageError;
use crate::web::messages;

/// Who and which units the workflow events of a case name, by id.
#[derive(Debug, Default)]
pub struct Names {
    people: HashMap<UserId, String>,
    units: HashMap<AgencyId, String>,
}

impl Names {
    /// The timeline's details of a workflow event: the units and people it names.
    pub fn details(&self, event: &CaseEvent) -> Vec<(String, String)> {
        let unit = |id: &AgencyId| self.units.get(id).cloned().unwrap_or_else(|| format!("机构 {id}"));
        let person = |id: &Option<UserId>| {
            id.map_or_else(
                || "（无）".to_string(),
                |id| self.people.get(&id).cloned().unwrap_or_else(|| format!("用户 {id}")),
            )
        };
        let pair = |label: &str, value: String| (label.to_string(), value);
        match event {
            CaseEvent::Assigned { unit_id, handler_id, previous_unit_id, previous_handler_id, .. } => {
                let mut details = vec![pair("承办单位", unit(unit_id)), pair("承办人", person(handler_id))];
                if previous_handler_id.is_some() || previous_unit_id != unit_id {
                    details
                        .push(pair("原承办", format!("{}，{}", unit(previous_unit_id), person(previous_handler_id))));
                }
                details
            }
            CaseEvent::Routed { unit_id, from_unit_id, .. } => {
                vec![pair("转办单位", unit(from_unit_id)), pair("转办至", unit(unit_id))]
            }
            CaseEvent::RoutingAccepted { unit_id, .. } => vec![pair("签收单位", unit(unit_id))],
            CaseEvent::RoutingReturned { unit_id, to_unit_id, .. } => {
                vec![pair("退回单位", unit(unit_id)), pair("退回至", unit(to_unit_id))]
            }
            _ => Vec::new(),
        }
    }
}

/// The people and units the workflow events name.
fn named(events: &[RecordedEvent]) -> (Vec<UserId>, Vec<AgencyId>) {
    let (mut people, mut units) = (Vec::new(), Vec::new());
    for e in events {
        match &e.event {
            CaseEvent::Assigned { unit_id, handler_id, previous_unit_id, previous_handler_id, .. } => {
                units.extend([*unit_id, *previous_unit_id]);
                people.extend([*handler_id, *previous_handler_id].into_iter().flatten());
            }
            CaseEvent::Routed { unit_id, from_unit_id, .. }
            | CaseEvent::RoutingAccepted { unit_id, from_unit_id }
            | CaseEvent::RoutingReturned { unit_id, to_unit_id: from_unit_id, .. } => {
                units.extend([*unit_id, *from_unit_id]);
            }
            _ => {}
        }
    }
    (people, units)
}

/// The section's data for `case_workflow.html`, and the names its events' timeline shows.
///
/// # Errors
/// 404 for an invisible case; a database error.
pub async fn section(ctx: &PageContext, id: CaseId, events: &[RecordedEvent]) -> Result<(Value, Names), PageError> {
    let (named_people, named_units) = named(events);
    let page = ctx.read(move |conn, actor| workflow::page(conn, actor, id, &named_people, &named_units)).await?;
    let names = Names {
        people: page.people.iter().map(|p| (p.id, p.name.clone())).collect(),
        units: page.named_units.iter().map(|u| (u.id, u.name.clone())).collect(),
    };
    let today = ctx.state.today();
    let name = |id: Option<UserId>| {
        id.and_then(|id| page.people.iter().find(|p| p.id == id)).map_or_else(String::new, |p| p.name.clone())
    };
    let me = ctx.actor().user_id;
    let h = &page.handling;
    let chases: Vec<Value> = page
        .chases
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "matter": c.matter, "due_on": c.due_on.to_string(), "open": c.is_open(),
                "late": c.is_late(today), "step": c.step.map(StepKind::label),
                "recorded_on": c.recorded_on.to_string(), "recorded_by": name(Some(c.recorded_by)),
                "closed_on": c.closed_on.map(|d| d.to_string()), "closed_by": name(c.closed_by),
                "close_note": c.close_note, "closed_by_step": c.closed_by_seq.is_some() && c.close_note.is_none(),
            })
        })
        .collect();
    let person = |p: &Person| (p.id.get(), format!("{}（{}）", p.name, p.role.label()));
    let steps: Vec<(&str, &str)> =
        StepKind::ALL.iter().filter(|k| k.closes_chase()).map(|k| (k.as_str(), k.label())).collect();
    let value = json!({
        "agency": h.agency.name,
        "unit": h.unit.name,
        "unit_is_agency": h.unit.id == h.agency.id,
        "handler": h.handler.as_ref().map(|p| p.name.clone()),
        "handler_is_me": h.handler.as_ref().is_some_and(|p| p.id == me),
        "routed_to": h.routed_to.as_ref().map(|u| u.name.clone()),
        "version": h.version,
        "offered": page.offered,
        "handlers": page.handlers.iter().filter(|p| Some(p.id) != h.handler.as_ref().map(|x| x.id)).map(person).collect::<Vec<_>>(),
        "units": page.units.iter().map(|u| (u.id.get(), u.name.clone())).collect::<Vec<_>>(),
        "chases": chases,
        "steps": steps,
        "me": me.get(),
        "earliest_due": today.to_string(),
    });
    Ok((value, names))
}

/// After a form: back to the case's section, or the case page with the refusal shown in it.
async fn done(ctx: &PageContext, id: CaseId, result: Result<(), ServiceError>) -> Result<HttpResponse, PageError> {
    let message = match result {
        Ok(()) => return Ok(see_other(&format!("/cases/{}#workflow", id.get()))),
        Err(ServiceError::Invalid(v)) => (StatusCode::UNPROCESSABLE_ENTITY, messages::violation(&v)),
        Err(ServiceError::Conflict { code, detail }) => (StatusCode::CONFLICT, messages::sentence(code, &detail)),
        Err(ServiceError::Forbidden(detail)) => (StatusCode::FORBIDDEN, detail),
        Err(other) => return Err(other.into()),
    };
    render_case_notice(ctx, id, message.0, message.1).await
}

fn number<T>(form_value: Option<String>, make: fn(i64) -> T) -> Option<T> {
    form_value.and_then(|v| v.parse::<i64>().ok()).map(make)
}

/// 分派、改派 or 由我承办: `handler_id` (`me` for oneself), `reason`, the `version` shown.
#[post("/cases/{id}/assignment")]
pub async fn assign(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let id = CaseId::new(id.into_inner());
    let handler_id = match form.optional("handler_id").as_deref() {
        Some("me") => Some(ctx.actor().user_id),
        other => number(other.map(str::to_owned), UserId::new),
    };
    let input = AssignInput {
        handler_id,
        unit_id: number(form.optional("unit_id"), AgencyId::new),
        reason: form.optional("reason"),
        expected_version: form.optional("version").and_then(|v| v.parse().ok()),
    };
    let now = ctx.state.snapshot();
    let result = ctx.write(move |conn, actor| workflow::assign(conn, actor, id, &input, &now.now())).await;
    done(&ctx, id, result.map(drop)).await
}

/// 转办 to a unit of the receiving agency's subtree.
#[post("/cases/{id}/routing")]
pub async fn route(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let id = CaseId::new(id.into_inner());
    let Some(unit) = number(form.optional("unit_id"), AgencyId::new) else {
        let message = "请选择转办的单位".to_string();
        return render_case_notice(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, message).await;
    };
    let note = form.optional("note");
    let now = ctx.state.snapshot();
    let result =
        ctx.write(move |conn, actor| workflow::route(conn, actor, id, unit, note.as_deref(), &now.now())).await;
    done(&ctx, id, result.map(drop)).await
}

/// 签收 the routed case.
#[post("/cases/{id}/routing/accept")]
pub async fn accept(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let ctx = page.ctx;
    let id = CaseId::new(id.into_inner());
    let now = ctx.state.snapshot();
    let result =
        ctx.write(move |conn, actor| workflow::answer_routing(conn, actor, id, Answer::Accept, &now.now())).await;
    done(&ctx, id, result.map(drop)).await
}

/// 退回 the routed case with a reason.
#[post("/cases/{id}/routing/return")]
pub async fn send_back(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let id = CaseId::new(id.into_inner());
    let reason = form.optional("reason");
    let now = ctx.state.snapshot();
    let result = ctx
        .write(move |conn, actor| {
            workflow::answer_routing(conn, actor, id, Answer::Return { reason: reason.as_deref() }, &now.now())
        })
        .await;
    done(&ctx, id, result.map(drop)).await
}

/// 督办: `matter`, `due_on`, optionally the `step` that settles it.
#[post("/cases/{id}/chases")]
pub async fn chase(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let id = CaseId::new(id.into_inner());
    let due_on = match form.optional("due_on") {
        None => None,
        Some(text) => match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                let message = "督办期限的日期无效（格式：2019-03-05）".to_string();
                return render_case_notice(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, message).await;
            }
        },
    };
    let input = ChaseInput { matter: form.get("matter").to_owned(), due_on, step: form.optional("step") };
    let now = ctx.state.snapshot();
    let result = ctx.write(move |conn, actor| workflow::chase(conn, actor, id, &input, &now.now())).await;
    done(&ctx, id, result.map(drop)).await
}

/// 结束督办 with a note.
#[post("/cases/{id}/chases/{chase_id}/close")]
pub async fn close_chase(page: PostPage, path: web::Path<(i64, i64)>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let (id, chase_id) = path.into_inner();
    let id = CaseId::new(id);
    let note = form.optional("note");
    let now = ctx.state.snapshot();
    let result = ctx
        .write(move |conn, actor| workflow::close_chase(conn, actor, id, chase_id, note.as_deref(), &now.now()))
        .await;
    done(&ctx, id, result.map(drop)).await
}
