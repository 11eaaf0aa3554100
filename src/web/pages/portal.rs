//! The public pages (no sign-in): 网上申请 `/apply` and 申请进度查询 `/status`. The same rules as
//! the API's (`ApplicationRequest::validate`, the portal's challenge and limits) and the same use
//! cases (`service::submissions::submit`, `service::public_status`).

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::domain::ids::AgencyId;
use crate::domain::submission::{Delivery, DeliveryForm, DeliveryMethod};
use crate::domain::{ApplicantCategory, FieldError, Violation};
use crate::http::cases::intake::ApplicantRequest;
use crate::http::error::ApiError;
use crate::http::portal::Portal;
use crate::http::public::ApplicationRequest;
use crate::http::AppState;
use crate::service::cases::IdempotencyKey;
use crate::service::public_status::PublicStatus;
use crate::service::{agencies, public_status, submissions, ServiceError};
use crate::web::context::{FormData, PublicForm};
use crate::web::error::PageError;
use crate::web::pages::intake::{items_of, on_form};
use crate::web::templates;
use crate::web::view::field_errors;

/// The form's fields, by the paths the API's errors name.
const FIELDS: &[&str] = &[
    "agency_id",
    "applicant.category",
    "applicant.name",
    "applicant.id_number",
    "applicant.phone",
    "applicant.email",
    "applicant.address",
    "description",
    "items",
    "delivery.form",
    "delivery.method",
    "challenge",
];

fn page(status: StatusCode, name: &str, context: Value) -> Result<HttpResponse, PageError> {
    let html = templates::render(name, minijinja::Value::from(minijinja::value::Serde(&context)))
        .map_err(PageError::internal)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}

/// A page for a refusal of the API's kind (a per-address limit: 429 with `Retry-After`).
fn refused(error: &ApiError) -> HttpResponse {
    let response = actix_web::ResponseError::error_response(error);
    let status = response.status();
    let retry = response.headers().get(header::RETRY_AFTER).cloned();
    let body = templates::render_error(status.as_u16(), "请求过于频繁", &error.to_string(), "too_many_requests");
    let mut page = HttpResponse::build(status);
    page.content_type("text/html; charset=utf-8");
    if let Some(retry) = retry {
        page.insert_header((header::RETRY_AFTER, retry));
    }
    page.body(body)
}

fn choices<T: Copy>(all: &[T], key: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|&v| (key(v).to_string(), label(v).to_string())).collect()
}

async fn show_form(
    state: &AppState,
    status: StatusCode,
    values: Value,
    errors: std::collections::BTreeMap<String, String>,
) -> Result<HttpResponse, PageError> {
    let open = state.db.read(agencies::list_online).await?;
    let options: Vec<(i64, String)> = open.into_iter().map(|a| (a.id.get(), a.name)).collect();
    let challenge = state.portal.ask().map(|(id, question)| json!({"id": id, "question": question}));
    page(
        status,
        "apply.html",
        json!({
            "values": values,
            "errors": errors,
            "agencies": options,
            "categories": choices(ApplicantCategory::ALL, ApplicantCategory::as_str, ApplicantCategory::label),
            "forms": choices(DeliveryForm::ALL, DeliveryForm::as_str, DeliveryForm::label),
            "methods": choices(DeliveryMethod::ALL, DeliveryMethod::as_str, DeliveryMethod::label),
            "challenge": challenge,
        }),
    )
}

/// 网上申请: the form.
#[get("/apply")]
pub async fn apply_form(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let key = format!("page-{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
    let values = json!({
        "applicant.category": ApplicantCategory::NaturalPerson.as_str(),
        "delivery.form": DeliveryForm::Electronic.as_str(),
        "delivery.method": DeliveryMethod::Email.as_str(),
        "idempotency_key": key,
    });
    show_form(&state, StatusCode::OK, values, Default::default()).await
}

/// The form as the API's request, and what could not even be read.
fn request_of(form: &FormData) -> (ApplicationRequest, Vec<FieldError>) {
    let mut unreadable = Vec::new();
    let mut pick = |field: &str| -> Option<String> {
        let value = form.optional(field);
        if value.is_none() {
            unreadable.push(FieldError::new(field, "请从列表中选择"));
        }
        value
    };
    let agency_id = pick("agency_id").and_then(|a| a.parse::<i64>().ok()).unwrap_or(0);
    let category = pick("applicant.category").and_then(|c| ApplicantCategory::parse(&c));
    let delivery_form = pick("delivery.form").and_then(|c| DeliveryForm::parse(&c));
    let delivery_method = pick("delivery.method").and_then(|c| DeliveryMethod::parse(&c));
    for (field, missing) in [
        ("applicant.category", category.is_none()),
        ("delivery.form", delivery_form.is_none()),
        ("delivery.method", delivery_method.is_none()),
    ] {
        if missing && !unreadable.iter().any(|e| e.field == field) {
            unreadable.push(FieldError::new(field, "请从列表中选择"));
        }
    }
    let items = items_of(form);
    let request = ApplicationRequest {
        agency_id: AgencyId::new(agency_id),
        applicant: ApplicantRequest {
            category: category.unwrap_or(ApplicantCategory::NaturalPerson),
            name: form.get("applicant.name").to_string(),
            id_type: None,
            id_number: form.optional("applicant.id_number"),
            phone: form.optional("applicant.phone"),
            email: form.optional("applicant.email"),
            address: form.optional("applicant.address"),
        },
        description: form.get("description").to_string(),
        items,
        delivery: Delivery {
            form: delivery_form.unwrap_or(DeliveryForm::Electronic),
            method: delivery_method.unwrap_or(DeliveryMethod::Email),
        },
        challenge: None,
    };
    (request, unreadable)
}

/// 提交: store the application and show the number and query code once, or the form again.
#[post("/apply")]
pub async fn apply_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: PublicForm,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let (request, mut problems) = request_of(&form);
    let key = match form.optional("idempotency_key") {
        Some(key) => Some(
            IdempotencyKey::for_request(&key.chars().take(200).collect::<String>(), &request)
                .map_err(PageError::internal)?,
        ),
        None => None,
    };
    let again = |violation: Violation| {
        let mut values = serde_json::to_value(form.values()).unwrap_or_default();
        values["challenge_answer"] = Value::Null;
        (values, field_errors(&on_form(violation), FIELDS))
    };
    let (id, answer) = (form.get("challenge_id").to_string(), form.get("challenge_answer").to_string());
    let challenge = state.portal.check(Some((&id, &answer)), key.as_ref().map(|k| k.key.as_str()));
    if challenge.is_err() {
        problems.push(FieldError::new("challenge", "验证题回答错误或已过期，请回答新的题目"));
    }
    let validated = request.validate(state.today());
    let new = match validated {
        Ok(new) if problems.is_empty() => new,
        validated => {
            if let Err(v) = validated {
                problems.extend(
                    v.errors.into_iter().filter(|e| !problems.iter().any(|p| p.field == e.field)).collect::<Vec<_>>(),
                );
            }
            let violation = Violation::check(problems)
                .err()
                .unwrap_or_else(|| Violation::field("validation_failed", "_", "填写有误"));
            let (values, errors) = again(violation);
            return show_form(&state, StatusCode::UNPROCESSABLE_ENTITY, values, errors).await;
        }
    };
    let ip = crate::http::client::client_ip(&req);
    if let Err(e) = Portal::count(&state.portal.submissions, ip, "too_many_submissions", "网上申请") {
        return Ok(refused(&e));
    }
    let requester = ip.map(|ip| ip.to_string());
    let attempt = || {
        let (new, key, requester, snapshot) = (new.clone(), key.clone(), requester.clone(), state.snapshot());
        state.db.write(move |conn| submissions::submit(conn, &new, key.as_ref(), requester.as_deref(), snapshot.now()))
    };
    let result = match attempt().await {
        Err(e) if e.is_unique_violation() => attempt().await,
        other => other,
    };
    match result {
        Ok(submitted) => page(
            StatusCode::OK,
            "applied.html",
            json!({
                "number": submitted.submission_number,
                "code": submitted.query_code,
                "emailed": form.optional("applicant.email").is_some(),
            }),
        ),
        Err(ServiceError::Invalid(violation)) => {
            let (values, errors) = again(violation);
            show_form(&state, StatusCode::UNPROCESSABLE_ENTITY, values, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

fn status_view(v: PublicStatus) -> Value {
    json!({
        "submission_number": v.submission_number,
        "case_number": v.case_number,
        "status_text": v.status_text,
        "submitted_on": v.submitted_on.to_string(),
        "received_on": v.received_on.map(|d| d.to_string()),
        "due_on": v.due_on.map(|d| d.to_string()),
        "reject_reason": v.reject_reason,
        "clock": v.clock,
        "steps": v.steps.iter().map(|s| json!({"date": s.on.to_string(), "label": s.label})).collect::<Vec<_>>(),
        "letters": v.letters.iter().map(|l| json!({
            "title": l.title, "document_number": l.document_number, "issued_on": l.issued_on.to_string(), "text": l.text,
        })).collect::<Vec<_>>(),
        "withdrawal_requested": v.withdrawal_requested,
        "concluded": v.case_status == Some(crate::domain::CaseStatus::Concluded),
        "rejected": v.submission_status == crate::domain::submission::SubmissionStatus::Rejected,
    })
}

/// 申请进度查询: the form.
#[get("/status")]
pub async fn status_form() -> Result<HttpResponse, PageError> {
    page(StatusCode::OK, "status.html", json!({}))
}

/// Look up (or, with `withdraw`, ask to withdraw) by number and code: the same page either way,
/// and the same answer for an unknown number as for a wrong code.
async fn look_up(
    state: &AppState,
    req: &HttpRequest,
    form: &FormData,
    withdraw: bool,
) -> Result<HttpResponse, PageError> {
    if let Err(e) =
        Portal::count(&state.portal.lookups, crate::http::client::client_ip(req), "too_many_lookups", "查询")
    {
        return Ok(refused(&e));
    }
    let (number, code) = (form.get("number").trim().to_string(), form.get("code").trim().to_string());
    let typed = json!({"number": number});
    let snapshot = state.snapshot();
    let (n, c) = (number.clone(), code.clone());
    let result = if withdraw {
        state.db.write(move |conn| public_status::request_withdrawal(conn, &n, &c, snapshot.now())).await
    } else {
        state.db.read(move |conn| public_status::status(conn, &n, &c, snapshot.now())).await
    };
    match result {
        Ok(view) => page(
            StatusCode::OK,
            "status.html",
            json!({"values": typed, "code": code, "view": status_view(view), "withdrawn_now": withdraw}),
        ),
        Err(ServiceError::NotFound { .. }) => page(
            StatusCode::NOT_FOUND,
            "status.html",
            json!({"values": typed, "error": "没有找到与该编号和查询码相符的申请，请核对后重新输入。"}),
        ),
        Err(e) => Err(e.into()),
    }
}

/// 查询.
#[post("/status")]
pub async fn status_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: PublicForm,
) -> Result<HttpResponse, PageError> {
    look_up(&state, &req, &form.0, false).await
}

/// 申请撤回: recorded for the officer.
#[post("/status/withdraw")]
pub async fn withdraw_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: PublicForm,
) -> Result<HttpResponse, PageError> {
    look_up(&state, &req, &form.0, true).await
}
