//! 登记申请: the intake form with every field of Art. 29, checked by the same rules as the API
//! (`CreateCaseRequest::validate`) and registered by the same use case (`service::cases::intake`).
//! The form carries an idempotency key, so a double click or a resent form registers once.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde_json::json;

use crate::domain::ids::{AgencyId, CaseId};
use crate::domain::{ApplicantCategory, Channel, FieldError, IdType, Violation};
use crate::http::cases::{ApplicantRequest, CreateCaseRequest, ItemRequest};
use crate::service::cases::steps::Options;
use crate::service::cases::{self, IdempotencyKey};
use crate::service::ServiceError;
use crate::web::context::{see_other, FormData, PageContext, PostPage};
use crate::web::error::PageError;
use crate::web::pages::dashboard::{agencies_and_choice, agency_options};
use crate::web::view::{field_errors, CaseLine};

/// The form's fields, by the paths the API's errors name.
const FIELDS: &[&str] = &[
    "agency_id",
    "channel",
    "submitted_on",
    "received_on",
    "applicant.category",
    "applicant.name",
    "applicant.id_type",
    "applicant.id_number",
    "applicant.phone",
    "applicant.email",
    "applicant.address",
    "description",
    "items",
];

fn choices<T: Copy>(all: &[T], key: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|&v| (key(v).to_string(), label(v).to_string())).collect()
}

fn new_form_key() -> String {
    format!("console-{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>())
}

async fn show(
    ctx: &PageContext,
    status: StatusCode,
    values: serde_json::Value,
    errors: std::collections::BTreeMap<String, String>,
) -> Result<HttpResponse, PageError> {
    let (list, _) = agencies_and_choice(ctx, None).await?;
    ctx.render_status(
        status,
        "intake.html",
        json!({
            "values": values,
            "errors": errors,
            "agencies": agency_options(&list),
            "channels": choices(Channel::ALL, Channel::as_str, Channel::label),
            "categories": choices(ApplicantCategory::ALL, ApplicantCategory::as_str, ApplicantCategory::label),
            "id_types": choices(IdType::ALL, IdType::as_str, IdType::label),
        }),
    )
}

/// 登记申请: the empty form (receipt date today, the user's agency, in person).
#[get("/intake")]
pub async fn intake_form(ctx: PageContext) -> Result<HttpResponse, PageError> {
    ctx.actor().require(ctx.actor().role.can_register(), "register requests")?;
    let values = json!({
        "agency_id": ctx.actor().agency_id.map(|id| id.to_string()),
        "channel": Channel::InPerson.as_str(),
        "received_on": ctx.state.today().to_string(),
        "applicant.category": ApplicantCategory::NaturalPerson.as_str(),
        "idempotency_key": new_form_key(),
    });
    show(&ctx, StatusCode::OK, values, Default::default()).await
}

/// The form as the API's request, and what could not even be read (a missing choice, a date
/// that is not one); unreadable fields get a placeholder so the rules still check the rest.
fn request_of(form: &FormData, today: NaiveDate) -> (CreateCaseRequest, Vec<FieldError>) {
    let mut unreadable = Vec::new();
    let mut choice = |field: &str| -> Option<String> {
        let value = form.optional(field);
        if value.is_none() {
            unreadable.push(FieldError::new(field, "必须填写"));
        }
        value
    };
    let agency = choice("agency_id");
    let channel = choice("channel");
    let category = choice("applicant.category");
    let received = form.optional("received_on");
    let mut unreadable_choice = |field: &str| unreadable.push(FieldError::new(field, "请从列表中选择"));
    let agency_id = AgencyId::new(agency.as_deref().map_or(0, |a| {
        a.parse::<i64>().unwrap_or_else(|_| {
            unreadable_choice("agency_id");
            0
        })
    }));
    let channel = channel.as_deref().map_or(Channel::InPerson, |c| {
        Channel::parse(c).unwrap_or_else(|| {
            unreadable_choice("channel");
            Channel::InPerson
        })
    });
    let category = category.as_deref().map_or(ApplicantCategory::NaturalPerson, |c| {
        ApplicantCategory::parse(c).unwrap_or_else(|| {
            unreadable_choice("applicant.category");
            ApplicantCategory::NaturalPerson
        })
    });
    let id_type = form.optional("applicant.id_type").and_then(|t| {
        let parsed = IdType::parse(&t);
        if parsed.is_none() {
            unreadable_choice("applicant.id_type");
        }
        parsed
    });
    let mut date = |field: &str, value: Option<String>| -> Option<NaiveDate> {
        let value = value?;
        let parsed = NaiveDate::parse_from_str(&value, "%Y-%m-%d").ok();
        if parsed.is_none() {
            unreadable.push(FieldError::new(field, "不是有效的日期（格式：2019-03-05）"));
        }
        parsed
    };
    let submitted_on = date("submitted_on", form.optional("submitted_on"));
    let received_on = match received {
        None => {
            unreadable.push(FieldError::new("received_on", "必须填写"));
            today
        }
        value => date("received_on", value).unwrap_or(today),
    };
    let items = items_of(form);
    let request = CreateCaseRequest {
        agency_id,
        channel,
        submitted_on,
        received_on,
        applicant: ApplicantRequest {
            category,
            name: form.get("applicant.name").to_string(),
            id_type,
            id_number: form.optional("applicant.id_number"),
            phone: form.optional("applicant.phone"),
            email: form.optional("applicant.email"),
            address: form.optional("applicant.address"),
        },
        description: form.get("description").to_string(),
        items,
        // A back-dated request into a sealed year needs a supervisor's reason: through the API
        // for now (the page says so when the service refuses with `year_sealed`).
        amendment_reason: None,
        notify: None,
    };
    (request, unreadable)
}

/// The items of a request, one per line of the form's box (blank lines left out).
pub(crate) fn items_of(form: &FormData) -> Vec<ItemRequest> {
    form.get("items")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| ItemRequest { description: line.to_string() })
        .collect()
}

/// The API's field paths of item errors (`items[2].description`) all belong to the one box.
pub(crate) fn on_form(mut violation: Violation) -> Violation {
    for error in &mut violation.errors {
        if error.field.starts_with("items") {
            error.field = "items".to_string();
        }
    }
    violation
}

/// 登记: register the request, or show the form again with each field's message.
#[post("/intake")]
pub async fn intake_submit(page: PostPage) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let today = ctx.state.today();
    let (request, mut problems) = request_of(&form, today);
    let validated = request.validate(today);
    let again = |violation: Violation| {
        let values = serde_json::to_value(form.values()).unwrap_or_default();
        (values, field_errors(&on_form(violation), FIELDS))
    };
    let new = match validated {
        Ok(new) if problems.is_empty() => new,
        validated => {
            if let Err(v) = validated {
                // A field that could not be read has its message already.
                let fresh: Vec<FieldError> =
                    v.errors.into_iter().filter(|e| !problems.iter().any(|p| p.field == e.field)).collect();
                problems.extend(fresh);
            }
            let violation = Violation::check(problems)
                .err()
                .unwrap_or_else(|| Violation::field("validation_failed", "_", "填写有误"));
            let (values, errors) = again(violation);
            return show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, values, errors).await;
        }
    };
    let key = match form.optional("idempotency_key") {
        Some(key) => Some(
            IdempotencyKey::for_request(&key.chars().take(200).collect::<String>(), &request)
                .map_err(PageError::internal)?,
        ),
        None => None,
    };
    let attempt = || {
        let (new, key, snapshot) = (new.clone(), key.clone(), ctx.state.snapshot());
        ctx.write(move |conn, actor| {
            cases::intake::register(conn, actor, &new, key.as_ref(), &Options::default(), snapshot.now())
        })
    };
    let result = match attempt().await {
        // Two submissions of one form raced: the second now finds the first one's case.
        Err(e) if key.is_some() && e.is_unique_violation() => attempt().await,
        other => other,
    };
    match result {
        // A warning (say, the name differs from the applicant's on file) is shown with the
        // result itself; otherwise the browser is sent to the result's own address.
        Ok(registered) if !registered.warnings.is_empty() => {
            let warnings: Vec<String> = registered.warnings.into_iter().map(|w| w.message).collect();
            let id = registered.details.case().id;
            let similar = ctx.read(move |conn, actor| crate::service::similar::of_case(conn, actor, id)).await?;
            render_registered(&ctx, &registered.details, &warnings, &similar)
        }
        Ok(registered) => Ok(see_other(&format!("/intake/registered/{}", registered.details.case().id))),
        Err(ServiceError::Invalid(violation)) => {
            let (values, errors) = again(violation);
            show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, values, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct ApplicantParams {
    id_type: Option<String>,
    id_number: Option<String>,
}

/// Earlier requests shown at most.
const EARLIER: i64 = 10;

/// The applicant on file (a piece of the intake form): the earlier requests under this identity
/// document among the cases the user sees, newest first, and the particulars of the latest.
#[get("/intake/applicant")]
pub async fn applicant_on_file(
    ctx: PageContext,
    params: web::Query<ApplicantParams>,
) -> Result<HttpResponse, PageError> {
    let id_type = params.id_type.as_deref().and_then(IdType::parse).unwrap_or(IdType::ResidentIdCard);
    let number = params.id_number.clone().unwrap_or_default();
    let today = ctx.state.today();
    let mut rows = ctx
        .read(move |conn, actor| cases::intake::earlier_requests(conn, actor, id_type, &number, today, EARLIER + 1))
        .await?;
    let more = rows.len() > usize::try_from(EARLIER).unwrap_or(10);
    rows.truncate(usize::try_from(EARLIER).unwrap_or(10));
    let latest =
        rows.first().map(|(_, a)| json!({"name": a.name, "phone": a.phone, "email": a.email, "address": a.address}));
    let cases: Vec<CaseLine> = rows.into_iter().map(|(c, a)| CaseLine::new(c, a)).collect();
    ctx.render("intake_applicant.html", json!({"cases": cases, "more": more, "latest": latest}))
}

/// After 登记: the case number, the due date and the acknowledgement to print.
#[get("/intake/registered/{id}")]
pub async fn registered_page(ctx: PageContext, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let id = CaseId::new(id.into_inner());
    let snapshot = ctx.state.snapshot();
    let (details, similar) = ctx
        .read(move |conn, actor| {
            let details = cases::get(conn, actor, id, snapshot.now())?;
            Ok((details, crate::service::similar::of_case(conn, actor, id)?))
        })
        .await?;
    render_registered(&ctx, &details, &[], &similar)
}

fn render_registered(
    ctx: &PageContext,
    details: &cases::CaseDetails,
    warnings: &[String],
    similar: &[crate::service::similar::SimilarCase],
) -> Result<HttpResponse, PageError> {
    ctx.render(
        "registered.html",
        json!({
            "id": details.case().id,
            "case_number": details.case().case_number,
            "received_on": details.case().received_on.to_string(),
            "due_on": details.clock.due_on.map(|d| d.to_string()),
            "applicant": details.applicant.name,
            "explanation": details.clock.explain_zh(),
            "warnings": warnings,
            // The intake desk sees at once whether the applicant asked the same before (no link
            // to decide here: that is done on the case page).
            "similar": super::similar::section(details.case().id, similar, None),
        }),
    )
}
