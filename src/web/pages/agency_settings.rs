//! 文书设置: what an agency's letters print besides the case — the prefix of their document
//! numbers, the disclosure office's contact line, the reconsideration body and the court named in
//! the remedies, how a fee is paid. A decision or a fee notice is refused while what it needs is
//! missing, so this page is where a new agency starts. The form is read into the API's own body
//! (`PUT /api/v1/agencies/{id}/settings`) and stored by the same use case.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde_json::{json, Map, Value};

use crate::domain::ids::AgencyId;
use crate::http::error::ApiError;
use crate::http::extract::parse_json;
use crate::http::letters::AgencySettingsBody;
use crate::service::agencies;
use crate::service::ServiceError;
use crate::storage::letters::AgencySettings;
use crate::web::context::{see_other, PageContext, PostPage};
use crate::web::error::PageError;
use crate::web::view::field_errors;

/// The form's fields: the body's.
const FIELDS: &[&str] = &["document_prefix", "contact", "reconsideration_body", "court", "fee_payment"];

fn values_of(settings: &AgencySettings) -> Map<String, Value> {
    let mut values = Map::new();
    for (field, value) in [
        ("document_prefix", &settings.document_prefix),
        ("contact", &settings.contact),
        ("reconsideration_body", &settings.reconsideration_body),
        ("court", &settings.court),
        ("fee_payment", &settings.fee_payment),
    ] {
        values.insert(field.to_string(), json!(value));
    }
    values
}

async fn show(
    ctx: &PageContext,
    status: StatusCode,
    id: AgencyId,
    values: Option<Map<String, Value>>,
    errors: std::collections::BTreeMap<String, String>,
    saved: bool,
) -> Result<HttpResponse, PageError> {
    let (agency, settings) = ctx
        .read(move |conn, actor| Ok((agencies::get_visible(conn, actor, id)?, agencies::settings(conn, actor, id)?)))
        .await?;
    let updated_at =
        settings.updated_at.map(|at| (at + chrono::TimeDelta::hours(8)).format("%Y-%m-%d %H:%M").to_string());
    ctx.render_status(
        status,
        "agency_settings.html",
        json!({
            "agency": {"id": agency.id, "name": agency.name, "code": agency.code},
            "values": values.unwrap_or_else(|| values_of(&settings)),
            "errors": errors, "saved": saved, "updated_at": updated_at,
            "may_change": ctx.actor().role.can_supervise(),
        }),
    )
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SettingsParams {
    saved: Option<String>,
}

/// 文书设置 of an agency.
#[get("/agencies/{id}/settings")]
pub async fn settings_page(
    ctx: PageContext,
    id: web::Path<i64>,
    params: web::Query<SettingsParams>,
) -> Result<HttpResponse, PageError> {
    let saved = params.saved.is_some();
    show(&ctx, StatusCode::OK, AgencyId::new(id.into_inner()), None, Default::default(), saved).await
}

/// 保存文书设置.
#[post("/agencies/{id}/settings")]
pub async fn save_settings(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let id = AgencyId::new(id.into_inner());
    let mut body = Map::new();
    for field in FIELDS {
        if let Some(value) = form.optional(field) {
            body.insert((*field).to_string(), Value::String(value));
        }
    }
    let typed = body.clone();
    let again = |violation: crate::domain::Violation| field_errors(&violation, FIELDS);
    let bytes = serde_json::to_vec(&Value::Object(body)).map_err(PageError::internal)?;
    let settings = match parse_json::<AgencySettingsBody>(&bytes) {
        Ok(body) => AgencySettings::from(body),
        Err(ApiError::Invalid(v)) => {
            return show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, id, Some(typed), again(v), false).await
        }
        Err(e) => return Err(PageError::internal(e)),
    };
    let now = ctx.state.now();
    match ctx.write(move |conn, actor| agencies::put_settings(conn, actor, id, &settings, now)).await {
        Ok(_) => Ok(see_other(&format!("/agencies/{id}/settings?saved=1"))),
        Err(ServiceError::Invalid(v)) => {
            show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, id, Some(typed), again(v), false).await
        }
        Err(e) => Err(e.into()),
    }
}
