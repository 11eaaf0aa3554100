//! 年度报告文字部分: the form for 一、总体情况, 五、存在的主要问题及改进情况 and 六、其他需要报告的事项
//! (and, for template-2019 years, sections added before 六) with the sentences the cases' figures
//! offer, the versions kept, and the downloads of the whole document (DOCX, printable page).
//! Saved by the same use case as `PUT /api/v1/reports/annual/{year}/text`.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpResponse};
use chrono::TimeDelta;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::ids::AgencyId;
use crate::domain::report_text::{AdditionalSection, ReportText, ADDITIONAL_MAX};
use crate::report::document::{chinese_number, docx, html, OTHER_MATTERS};
use crate::report::Template;
use crate::service::report::ReportRequest;
use crate::service::report_text::{self as service, NewText, TextVersion};
use crate::service::ServiceError;
use crate::web::context::{see_other, FormData, PageContext, PostPage};
use crate::web::error::PageError;
use crate::web::view::field_errors;

/// Which agency and year (and, for the document, which template, scope and figures).
#[derive(Debug, Default, Deserialize)]
pub struct TextPageParams {
    agency_id: Option<i64>,
    year: Option<i32>,
    saved: Option<i32>,
    template: Option<String>,
    descendants: Option<String>,
    live: Option<String>,
    format: Option<String>,
}

fn bad(detail: &str) -> PageError {
    PageError::Rejected {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "validation_failed",
        detail: detail.to_owned(),
    }
}

fn agency_and_year(agency_id: Option<i64>, year: Option<i32>) -> Result<(AgencyId, i32), PageError> {
    let agency_id = agency_id.map(AgencyId::new).ok_or_else(|| bad("请选择机关。"))?;
    let year = year.filter(|y| crate::domain::limits::YEARS.contains(y)).ok_or_else(|| bad("请选择年度。"))?;
    Ok((agency_id, year))
}

/// The form's values of a text.
fn values_of(text: &ReportText) -> Map<String, Value> {
    let mut values = Map::new();
    values.insert("overview".into(), json!(text.overview));
    values.insert("problems_and_improvements".into(), json!(text.problems_and_improvements));
    values.insert("other_matters".into(), json!(text.other_matters));
    for (i, section) in text.additional_sections.iter().enumerate() {
        values.insert(format!("additional_sections[{i}].title"), json!(section.title));
        values.insert(format!("additional_sections[{i}].text"), json!(section.text));
    }
    values
}

/// The text the form holds, and the version it was edited from.
fn text_of(form: &FormData) -> (ReportText, Option<i32>) {
    let additional = (0..ADDITIONAL_MAX)
        .map(|i| AdditionalSection {
            title: form.get(&format!("additional_sections[{i}].title")).to_owned(),
            text: form.get(&format!("additional_sections[{i}].text")).to_owned(),
        })
        .filter(|s| !s.title.trim().is_empty() || !s.text.trim().is_empty())
        .collect();
    let text = ReportText {
        overview: form.get("overview").to_owned(),
        problems_and_improvements: form.get("problems_and_improvements").to_owned(),
        other_matters: form.get("other_matters").to_owned(),
        additional_sections: additional,
    };
    (text, form.get("version").parse().ok())
}

/// Show the form with `values` (and `errors`, after a refused save).
async fn show(
    ctx: &PageContext,
    status: StatusCode,
    agency_id: AgencyId,
    year: i32,
    mut values: Map<String, Value>,
    errors: std::collections::BTreeMap<String, String>,
    saved: Option<i32>,
) -> Result<HttpResponse, PageError> {
    let request = ReportRequest { year, agency_id, template: None, include_descendants: false };
    let (versions, names, figures, sealed, agency) = ctx
        .read(move |conn, actor| {
            let versions = service::list_versions(conn, actor, agency_id, year)?;
            let names = service::author_names(conn, &versions)?;
            let figures = service::text_figures(conn, actor, &request)?;
            let sealed = service::text_sealed(conn, actor, agency_id, year)?;
            let agency = crate::service::agencies::get_visible(conn, actor, agency_id)?;
            Ok((versions, names, figures, sealed, agency))
        })
        .await?;
    let latest: Option<&TextVersion> = versions.first();
    if values.is_empty() {
        // A new text starts from the sentences the figures offer; a saved one from its last version.
        values = match latest {
            Some(v) => values_of(&v.text),
            None => values_of(&ReportText {
                overview: figures.overview_sentence(),
                other_matters: figures.fee_sentence(),
                ..ReportText::default()
            }),
        };
        values.insert("version".into(), json!(latest.map_or(0, |v| v.version)));
    }
    let additional_allowed = Template::for_year(year) == Template::Y2019;
    let filled = (0..ADDITIONAL_MAX)
        .filter(|i| values.get(&format!("additional_sections[{i}].title")).is_some_and(|t| t != ""))
        .count();
    let slots: Vec<usize> =
        if additional_allowed { (0..(filled + 1).min(ADDITIONAL_MAX)).collect() } else { Vec::new() };
    let list: Vec<Value> = versions
        .iter()
        .map(|v| {
            json!({
                "version": v.version,
                "author": names.get(&v.updated_by).cloned().unwrap_or_else(|| format!("用户{}", v.updated_by)),
                "at": (v.updated_at + TimeDelta::hours(8)).format("%Y-%m-%d %H:%M").to_string(),
                "reason": v.amendment_reason,
            })
        })
        .collect();
    let query = format!("agency_id={agency_id}&year={year}");
    ctx.render_status(
        status,
        "report_text.html",
        json!({
            "agency_name": agency.name,
            "year": year,
            "agency_id": agency_id,
            "query": query,
            "values": values,
            "errors": errors,
            "saved": saved,
            "sealed": sealed,
            "may_write": ctx.actor().role.can_handle(),
            "additional_allowed": additional_allowed,
            "slots": slots,
            "other_label": format!("{}、{OTHER_MATTERS}", chinese_number(6 + if additional_allowed { filled } else { 0 })),
            "sentences": { "overview": figures.overview_sentence(), "other_matters": figures.fee_sentence() },
            "versions": list,
        }),
    )
}

/// 年度报告文字部分: the form with the latest version (or the offered sentences).
#[get("/reports/text")]
pub async fn text_page(ctx: PageContext, params: web::Query<TextPageParams>) -> Result<HttpResponse, PageError> {
    let params = params.into_inner();
    let (agency_id, year) = agency_and_year(params.agency_id, params.year)?;
    show(&ctx, StatusCode::OK, agency_id, year, Map::new(), Default::default(), params.saved).await
}

/// The form's fields, by the paths the use case's errors name.
fn fields() -> Vec<String> {
    let mut fields: Vec<String> = ["overview", "problems_and_improvements", "other_matters", "amendment_reason"]
        .iter()
        .map(|f| (*f).to_owned())
        .collect();
    fields.push("additional_sections".into());
    for i in 0..ADDITIONAL_MAX {
        fields.push(format!("additional_sections[{i}].title"));
        fields.push(format!("additional_sections[{i}].text"));
    }
    fields
}

/// Save a new version; a refused one shows the form again with what was typed.
#[post("/reports/text")]
pub async fn save_text(page: PostPage) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let (agency_id, year) = agency_and_year(form.get("agency_id").parse().ok(), form.get("year").parse().ok())?;
    let (text, version) = text_of(&form);
    let reason = form.optional("amendment_reason");
    let at = ctx.state.now();
    let new = NewText { text, expected_version: version, amendment_reason: reason };
    let saved = ctx.write(move |conn, actor| service::put_text(conn, actor, agency_id, year, new, at)).await;
    match saved {
        Ok(saved) => Ok(see_other(&format!("/reports/text?agency_id={agency_id}&year={year}&saved={}", saved.version))),
        Err(error @ (ServiceError::Invalid(_) | ServiceError::Conflict { .. })) => {
            let (status, violation) = match error {
                ServiceError::Invalid(v) => (StatusCode::UNPROCESSABLE_ENTITY, v),
                ServiceError::Conflict { code, detail } => {
                    (StatusCode::CONFLICT, crate::domain::Violation { code, detail, errors: Vec::new() })
                }
                _ => return Err(PageError::internal(error)),
            };
            let names = fields();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let errors = field_errors(&violation, &names);
            let values: Map<String, Value> = form.values().into_iter().map(|(k, v)| (k, Value::String(v))).collect();
            show(&ctx, status, agency_id, year, values, errors, None).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The whole document for download: `format=docx` (default) or `html`; the sealed one for a
/// sealed year unless `live`.
#[get("/reports/document")]
pub async fn document_download(
    ctx: PageContext,
    params: web::Query<TextPageParams>,
) -> Result<HttpResponse, PageError> {
    let params = params.into_inner();
    let (agency_id, year) = agency_and_year(params.agency_id, params.year)?;
    let template = match params.template.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(Template::parse(t).ok_or_else(|| bad("没有这种报表格式。"))?),
    };
    let include_descendants = params.descendants.as_deref().is_some_and(|d| !d.is_empty() && d != "0");
    let request = ReportRequest { year, agency_id, template, include_descendants };
    let live = params.live.is_some();
    let view = ctx.read(move |conn, actor| service::document(conn, actor, &request, live)).await?;
    let document = &view.document;
    let (content_type, ext, body, attachment) = match params.format.as_deref().unwrap_or("docx") {
        "docx" => (docx::CONTENT_TYPE, "docx", docx::render_docx(document).map_err(PageError::internal)?, true),
        "html" => (html::CONTENT_TYPE, "html", html::render_html(document).into_bytes(), false),
        _ => return Err(bad("没有这种下载格式。")),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, document.content_disposition(ext, attachment)))
        .body(body))
}
