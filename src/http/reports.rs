//! `/api/v1/reports/annual/{year}`: sections two to four of the annual report, computed from the
//! cases, exported as JSON, CSV, XLSX or a printable page, opened cell by cell, sealed and
//! compared with the seal.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AuthUser;
use super::cases::CaseSummary;
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{Json, Query};
use super::pagination::{cursor_for_case, Page, PageParams};
use super::AppState;
use crate::domain::ids::{AgencyId, CaseId, UserId};
use crate::domain::{limits, Violation};
use crate::report::model::{Column, RowKey};
use crate::report::{self, AnnualReport, SectionTwo, Template};
use crate::service::report::SealRow;
use crate::service::report::{self as service, ReportRequest, ReportView};

/// An export format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    #[default]
    Json,
    Csv,
    Xlsx,
    Html,
}

/// Which report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    pub agency_id: AgencyId,
    /// `2019` or `2021`; default: the year's own (2019 up to 2020, 2021 after).
    pub template: Option<Template>,
    /// Compile the agency's whole subtree (default false).
    pub include_descendants: Option<bool>,
    /// `json` (default), `csv`, `xlsx` or `html`.
    #[param(inline)]
    pub format: Option<Format>,
    /// `true`: the live figures even when the year is sealed.
    pub live: Option<bool>,
}

pub(super) fn request(
    year: i32,
    agency_id: AgencyId,
    template: Option<Template>,
    include_descendants: Option<bool>,
) -> Result<ReportRequest, ApiError> {
    if !limits::YEARS.contains(&year) {
        let (from, to) = (limits::YEARS.start(), limits::YEARS.end());
        return Err(Violation::field("validation_failed", "year", format!("年份应在{from}至{to}之间")).into());
    }
    Ok(ReportRequest { year, agency_id, template, include_descendants: include_descendants.unwrap_or(false) })
}

/// The seal of a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SealInfo {
    pub id: i64,
    #[serde(serialize_with = "super::rfc3339")]
    pub sealed_at: NaiveDateTime,
    pub sealed_by: i64,
    pub template: String,
    /// SHA-256 (hex) of the canonical JSON of the sealed report.
    pub content_hash: String,
    pub reason: Option<String>,
    /// SHA-256 (hex) of the canonical content of the whole document sealed with the figures
    /// (answered when sealing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_hash: Option<String>,
    /// The version of the written parts the sealed document prints (answered when sealing;
    /// `null`: none was written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_version: Option<Option<i32>>,
}

impl From<&SealRow> for SealInfo {
    fn from(seal: &SealRow) -> Self {
        Self {
            id: seal.id,
            sealed_at: seal.sealed_at,
            sealed_by: seal.sealed_by,
            template: seal.template.clone(),
            content_hash: seal.content_hash.clone(),
            reason: seal.reason.clone(),
            document_hash: None,
            text_version: None,
        }
    }
}

/// The report in the API's JSON shape, with its seal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportResponse {
    #[serde(flatten)]
    pub report: AnnualReport,
    /// The report's title: the agency, the year and 本级 or 汇总.
    pub title: String,
    pub include_descendants: bool,
    /// The seal in force; `null` when the figures are live.
    pub sealed: Option<SealInfo>,
    /// For a sealed year: whether the cases now give other figures (see the drift endpoint).
    pub live_differs: Option<bool>,
}

fn render(view: ReportView, format: Format, include_descendants: bool) -> Result<HttpResponse, ApiError> {
    let report = &view.report;
    let scope = if include_descendants { "-compiled" } else { "" };
    let name = format!("gongkai-report-{}-{}{scope}", report.year, report.agency_id);
    let attach = |ext: &str| (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{ext}\""));
    let failed = |e: report::ReportError| ApiError::internal(e);
    Ok(match format {
        Format::Json => HttpResponse::Ok().json(ReportResponse {
            title: report.title(),
            sealed: view.seal.as_ref().map(SealInfo::from),
            live_differs: view.live_differs,
            include_descendants,
            report: view.report,
        }),
        Format::Csv => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(attach("csv"))
            .body(report::csv::render_csv(report)),
        Format::Xlsx => HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header(attach("xlsx"))
            .body(report::xlsx::render_xlsx(report).map_err(failed)?),
        Format::Html => {
            HttpResponse::Ok().content_type("text/html; charset=utf-8").body(report::html::render_html(report))
        }
    })
}

/// The annual report's statistical sections for an agency and year, computed from the cases (or
/// the sealed figures when the year is sealed), with the five checks.
#[utoipa::path(tag = "reports", params(("year" = i32, Path, description = "The reported year"), ReportParams),
    responses((status = 200, description = "The report", content(
        (ReportResponse = "application/json"),
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "text/html"))), ReadErrors))]
#[get("/reports/annual/{year}")]
async fn annual_report(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    params: Query<ReportParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let request = request(year.into_inner(), params.agency_id, params.template, params.include_descendants)?;
    let live = params.live.unwrap_or(false);
    let view = state
        .db
        .read(move |conn| {
            if live {
                service::live(conn, &user, &request).map(|report| ReportView { report, seal: None, live_differs: None })
            } else {
                service::view(conn, &user, &request)
            }
        })
        .await?;
    render(view, params.format.unwrap_or_default(), request.include_descendants)
}

/// Which cell to open.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CellParams {
    pub agency_id: AgencyId,
    /// A row key of section three, e.g. `new_received`, `withheld_state_secret`, `carried_forward`.
    pub row: String,
    /// A column key: `natural_person` … `other_org`, or `total`.
    pub column: String,
    pub template: Option<Template>,
    pub include_descendants: Option<bool>,
}

/// The cases behind one cell of section three (live figures), newest first.
#[utoipa::path(tag = "reports", params(("year" = i32, Path, description = "The reported year"), CellParams, PageParams),
    responses((status = 200, description = "The cases", body = Page<CaseSummary>), ReadErrors))]
#[get("/reports/annual/{year}/cases")]
async fn cell_cases(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    params: Query<CellParams>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<CaseSummary>>, ApiError> {
    let params = params.into_inner();
    let request = request(year.into_inner(), params.agency_id, params.template, params.include_descendants)?;
    let row = RowKey::parse(&params.row)
        .ok_or_else(|| Violation::field("validation_failed", "row", format!("“{}”不是报表的行", params.row)))?;
    let column = Column::parse(&params.column)
        .ok_or_else(|| Violation::field("validation_failed", "column", format!("“{}”不是报表的列", params.column)))?;
    let limit = page.limit()?;
    let before = page.cursor_received()?;
    let rows =
        state.db.read(move |conn| service::cell_cases(conn, &user, &request, row, column, before, limit + 1)).await?;
    let (calendar, today) = (state.calendar(), state.today());
    Ok(web::Json(Page::from_rows(
        rows,
        limit,
        |(c, _)| {
            let (day, id) = service::cell_position(row, c);
            cursor_for_case(day, id)
        },
        |(c, a)| CaseSummary::build(c, a, &calendar, today),
    )))
}

/// Which report to seal.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SealParams {
    pub agency_id: AgencyId,
    pub template: Option<Template>,
    pub include_descendants: Option<bool>,
}

/// Why a report is sealed again.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SealRequest {
    /// Required to seal a year again (after approved corrections).
    pub reason: Option<String>,
}

/// Seal the report (supervisors): its figures, checks, template and content hash are stored, and
/// later changes that alter them need a supervisor and a reason.
#[utoipa::path(tag = "reports", request_body = SealRequest,
    params(("year" = i32, Path, description = "The reported year"), SealParams),
    responses((status = 201, description = "The seal", body = SealInfo), WriteErrors))]
#[post("/reports/annual/{year}/seal")]
async fn seal_report(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    params: Query<SealParams>,
    body: Json<SealRequest>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let request = request(year.into_inner(), params.agency_id, params.template, params.include_descendants)?;
    let reason = super::cases::reason_of(body.0.reason.as_deref())?;
    let snapshot = state.snapshot();
    let (seal, document) = state
        .db
        .write(move |conn| {
            let seal = service::seal(conn, &user, &request, reason.as_deref(), snapshot.today, snapshot.at)?;
            let document = crate::service::report_text::seal_document_info(conn, seal.id)?;
            Ok::<_, crate::service::ServiceError>((seal, document))
        })
        .await?;
    let mut info = SealInfo::from(&seal);
    if let Some((text_version, hash)) = document {
        info.document_hash = Some(hash);
        info.text_version = Some(text_version);
    }
    Ok(HttpResponse::Created().json(info))
}

/// One cell whose sealed and live values differ.
#[derive(Debug, Serialize, ToSchema)]
pub struct CellDiffResponse {
    /// `section_two`, `section_three` or `section_four`.
    pub section: String,
    /// The item (section two, e.g. `licensing`), row key (section three) or appeal kind (section four).
    pub row: String,
    pub column: String,
    pub sealed: i64,
    pub live: i64,
}

/// An event recorded after the seal that can have changed the figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct DriftEvent {
    pub case_id: CaseId,
    pub case_number: String,
    pub seq: i32,
    pub kind: String,
    pub effective_on: NaiveDate,
    #[serde(serialize_with = "super::rfc3339")]
    pub recorded_at: NaiveDateTime,
    pub actor_id: Option<UserId>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// The differences between a sealed report and today's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct DriftResponse {
    pub seal: SealInfo,
    pub live_hash: String,
    pub live_differs: bool,
    pub cells: Vec<CellDiffResponse>,
    pub events: Vec<DriftEvent>,
    /// Whether the written parts (一, 五, 六) differ from those the sealed document prints.
    pub text_changed: bool,
    /// The version of the written parts the sealed document prints (`null`: none, or a seal made
    /// before documents were sealed).
    pub sealed_text_version: Option<i32>,
    /// The latest version of the written parts (`null`: none written).
    pub text_version: Option<i32>,
}

/// Compare the sealed report with the live figures: the differing cells and the events since the seal.
#[utoipa::path(tag = "reports", params(("year" = i32, Path, description = "The reported year"), SealParams),
    responses((status = 200, description = "The drift", body = DriftResponse), ReadErrors))]
#[get("/reports/annual/{year}/drift")]
async fn drift(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    params: Query<SealParams>,
) -> Result<web::Json<DriftResponse>, ApiError> {
    let params = params.into_inner();
    let request = request(year.into_inner(), params.agency_id, params.template, params.include_descendants)?;
    let drift = state.db.read(move |conn| service::drift(conn, &user, &request)).await?;
    let events = drift
        .events
        .into_iter()
        .map(|(case_id, case_number, e)| DriftEvent {
            payload: e.event.payload(),
            case_id,
            case_number,
            seq: e.seq,
            kind: e.event.kind().to_owned(),
            effective_on: e.effective_on,
            recorded_at: e.recorded_at,
            actor_id: e.actor_id,
        })
        .collect();
    Ok(web::Json(DriftResponse {
        text_changed: drift.text.text_changed,
        sealed_text_version: drift.text.sealed_version,
        text_version: drift.text.current_version,
        live_differs: drift.live_differs,
        seal: SealInfo::from(&drift.seal),
        live_hash: drift.live_hash,
        cells: drift
            .cells
            .into_iter()
            .map(|c| CellDiffResponse {
                section: c.section.to_string(),
                row: c.row,
                column: c.column,
                sealed: c.sealed,
                live: c.live,
            })
            .collect(),
        events,
    }))
}

/// Which agency's section two.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyParam {
    pub agency_id: AgencyId,
}

/// Section two figures as entered.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionTwoResponse {
    pub agency_id: AgencyId,
    pub year: i32,
    pub figures: SectionTwo,
    #[serde(serialize_with = "super::rfc3339")]
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
}

/// The proactive-disclosure figures (section two) of an agency and year.
#[utoipa::path(tag = "reports", params(("year" = i32, Path, description = "The reported year"), AgencyParam),
    responses((status = 200, description = "The figures", body = SectionTwoResponse), ReadErrors))]
#[get("/reports/annual/{year}/section-two")]
async fn get_section_two(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    params: Query<AgencyParam>,
) -> Result<web::Json<SectionTwoResponse>, ApiError> {
    let (year, agency_id) = (year.into_inner(), params.agency_id);
    request(year, agency_id, None, None)?;
    let (row, figures) = state.db.read(move |conn| service::get_section_two(conn, &user, agency_id, year)).await?;
    Ok(web::Json(SectionTwoResponse {
        agency_id,
        year,
        figures,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
    }))
}

/// Which agency's section two, and why a sealed year's figures change.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SectionTwoParams {
    pub agency_id: AgencyId,
    /// Required (from a supervisor) when the year's report is sealed.
    pub amendment_reason: Option<String>,
}

fn from_value<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T, ApiError> {
    let bytes = serde_json::to_vec(value).map_err(ApiError::internal)?;
    super::extract::parse_json(&bytes)
}

/// Parse section two by its `template` tag first, so that an error names the field's full path
/// (an internally tagged enum would buffer the body and lose it).
pub(crate) fn parse_section_two(mut value: serde_json::Value) -> Result<SectionTwo, ApiError> {
    use crate::report::section_two::{SectionTwo2019, SectionTwo2021};
    let object = value
        .as_object_mut()
        .ok_or_else(|| Violation::field("validation_failed", "", "应为一个含有 template 字段的对象"))?;
    let template = object.remove("template");
    match template.as_ref().and_then(serde_json::Value::as_str) {
        Some("2019") => Ok(SectionTwo::Y2019(from_value::<SectionTwo2019>(&value)?)),
        Some("2021") => Ok(SectionTwo::Y2021(from_value::<SectionTwo2021>(&value)?)),
        _ => Err(Violation::field(
            "validation_failed",
            "template",
            "应为 \"2019\"（2019年表格式）或 \"2021\"（2021年表格式）",
        )
        .into()),
    }
}

/// Enter or replace the section two figures (officers and above); they appear in the HTML and
/// XLSX exports of a report in the same template.
#[utoipa::path(tag = "reports", request_body = SectionTwo, params(("year" = i32, Path, description = "The reported year"), SectionTwoParams),
    responses((status = 200, description = "The figures", body = SectionTwoResponse), WriteErrors))]
#[put("/reports/annual/{year}/section-two")]
async fn put_section_two(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    params: Query<SectionTwoParams>,
    body: Json<serde_json::Value>,
) -> Result<web::Json<SectionTwoResponse>, ApiError> {
    let params = params.into_inner();
    let (year, agency_id) = (year.into_inner(), params.agency_id);
    request(year, agency_id, None, None)?;
    let figures = parse_section_two(body.0)?;
    let reason = super::cases::reason_of(params.amendment_reason.as_deref())?;
    let at = state.now();
    let stored = figures.clone();
    let row = state
        .db
        .write(move |conn| service::put_section_two(conn, &user, agency_id, year, &stored, reason.as_deref(), at))
        .await?;
    Ok(web::Json(SectionTwoResponse {
        agency_id,
        year,
        figures,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
    }))
}
