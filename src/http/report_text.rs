//! The written parts of the annual report (`…/text`), the figures they can use (`…/text/figures`)
//! and the whole document (`…/document`, DOCX or a printable page).

use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AuthUser;
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{if_match_version, Json, Query};
use super::pagination::{cursor_for, Page, PageParams};
use super::reports::request;
use super::AppState;
use crate::domain::fees::FeeFigures;
use crate::domain::ids::AgencyId;
use crate::domain::report_text::{AdditionalSection, ReportText};
use crate::domain::Violation;
use crate::report::document::figures::RequestTotals;
use crate::report::document::{docx, html, AnnualDocument};
use crate::report::Template;
use crate::service::report_text::{self as service, DocumentView, NewText, TextVersion};

/// Which agency's text, and which version (default: the latest).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TextParams {
    pub agency_id: AgencyId,
    /// A version saved earlier (1, 2, …); default the latest.
    pub version: Option<i32>,
}

/// The written parts of a report, one saved version.
#[derive(Debug, Serialize, ToSchema)]
pub struct TextResponse {
    pub agency_id: AgencyId,
    pub year: i32,
    /// 一、总体情况: paragraphs separated by a blank line; a paragraph starting with （一）, （二）… is
    /// a sub-heading.
    pub overview: String,
    /// 五、存在的主要问题及改进情况.
    pub problems_and_improvements: String,
    /// 六、其他需要报告的事项.
    pub other_matters: String,
    /// Sections added before 六 (template-2019 years only); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_sections: Vec<AdditionalSection>,
    /// 1 for the first save, then one more for each.
    pub version: i32,
    /// Who saved this version.
    pub updated_by: i64,
    #[serde(serialize_with = "super::rfc3339")]
    pub updated_at: NaiveDateTime,
    /// Why a sealed year's text was changed; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amendment_reason: Option<String>,
}

impl From<TextVersion> for TextResponse {
    fn from(v: TextVersion) -> Self {
        Self {
            agency_id: v.agency_id,
            year: v.year,
            overview: v.text.overview,
            problems_and_improvements: v.text.problems_and_improvements,
            other_matters: v.text.other_matters,
            additional_sections: v.text.additional_sections,
            version: v.version,
            updated_by: v.updated_by,
            updated_at: v.updated_at,
            amendment_reason: v.amendment_reason,
        }
    }
}

/// The written parts of a report on a year (officers and above write them).
#[utoipa::path(tag = "reports", params(("year" = i32, Path, description = "The reported year"), TextParams),
    responses((status = 200, description = "The text", body = TextResponse), ReadErrors))]
#[get("/reports/annual/{year}/text")]
async fn get_text(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    params: Query<TextParams>,
) -> Result<web::Json<TextResponse>, ApiError> {
    let (year, params) = (year.into_inner(), params.into_inner());
    request(year, params.agency_id, None, None)?;
    let version =
        state.db.read(move |conn| service::get_text(conn, &user, params.agency_id, year, params.version)).await?;
    Ok(web::Json(version.into()))
}

/// A new version of the written parts. Every part is required (an empty text is a part not yet
/// written); the whole text is replaced and the earlier versions are kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextRequest {
    /// 一、总体情况.
    pub overview: String,
    /// 五、存在的主要问题及改进情况.
    pub problems_and_improvements: String,
    /// 六、其他需要报告的事项.
    pub other_matters: String,
    /// Sections added before 六, in order (template-2019 years, up to 2020, only).
    #[serde(default)]
    pub additional_sections: Vec<AdditionalSection>,
    /// Required (from a supervisor) when the year's report is sealed; may also be given as a
    /// query parameter.
    pub amendment_reason: Option<String>,
    /// The version this text was edited from (0 for the first); a stale one is refused with 409.
    /// May also be sent as `If-Match`.
    pub version: Option<i32>,
}

/// Which agency's text, and why a sealed year's text changes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PutTextParams {
    pub agency_id: AgencyId,
    /// Required (from a supervisor) when the year's report is sealed (or give it in the body).
    pub amendment_reason: Option<String>,
}

/// Save the written parts of a report (officers and above; a sealed year needs a supervisor and
/// an `amendment_reason`). Answers the saved version.
#[utoipa::path(tag = "reports", request_body = TextRequest,
    params(("year" = i32, Path, description = "The reported year"), PutTextParams,
        ("If-Match" = Option<String>, Header, description = "The version the text was edited from")),
    responses((status = 200, description = "The saved version", body = TextResponse), WriteErrors))]
#[put("/reports/annual/{year}/text")]
async fn put_text(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    year: web::Path<i32>,
    params: Query<PutTextParams>,
    body: Json<TextRequest>,
) -> Result<web::Json<TextResponse>, ApiError> {
    let (year, params, body) = (year.into_inner(), params.into_inner(), body.0);
    request(year, params.agency_id, None, None)?;
    let reason = match (body.amendment_reason.as_deref(), params.amendment_reason.as_deref()) {
        (Some(a), Some(b)) if a.trim() != b.trim() => {
            return Err(Violation::field(
                "validation_failed",
                "amendment_reason",
                "请求正文与查询参数中的变更理由（amendment_reason）不一致",
            )
            .into())
        }
        (a, b) => super::cases::reason_of(a.or(b))?,
    };
    let expected = expected_version(&req, body.version)?;
    let raw = ReportText {
        overview: body.overview,
        problems_and_improvements: body.problems_and_improvements,
        other_matters: body.other_matters,
        additional_sections: body.additional_sections,
    };
    let at = state.now();
    let agency_id = params.agency_id;
    let new = NewText { text: raw, expected_version: expected, amendment_reason: reason };
    let saved = state.db.write(move |conn| service::put_text(conn, &user, agency_id, year, new, at)).await?;
    Ok(web::Json(saved.into()))
}

/// The version a writer edited from: `If-Match` or the body's `version`, which must agree.
fn expected_version(req: &HttpRequest, body: Option<i32>) -> Result<Option<i32>, ApiError> {
    let header = if_match_version(req)?
        .map(|v| {
            i32::try_from(v)
                .map_err(|_| ApiError::bad_request("invalid_if_match", "If-Match 应为文字部分的版本号，例如 \"3\""))
        })
        .transpose()?;
    match (header, body) {
        (Some(h), Some(b)) if h != b => Err(Violation::field(
            "version_mismatch",
            "version",
            format!("请求正文中的版本号为{b}，而 If-Match 为{h}，两者不一致"),
        )
        .into()),
        (Some(v), _) | (None, Some(v)) if v < 0 => {
            Err(Violation::field("validation_failed", "version", "版本号不能为负数").into())
        }
        (h, b) => Ok(h.or(b)),
    }
}

/// One saved version, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TextVersionSummary {
    pub version: i32,
    pub updated_by: i64,
    #[serde(serialize_with = "super::rfc3339")]
    pub updated_at: NaiveDateTime,
    /// Why a sealed year's text was changed.
    pub amendment_reason: Option<String>,
}

/// Which agency's versions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionsParams {
    pub agency_id: AgencyId,
}

/// Every saved version of the written parts, newest first (read one with `…/text?version=N`).
#[utoipa::path(tag = "reports", params(("year" = i32, Path, description = "The reported year"), VersionsParams, PageParams),
    responses((status = 200, description = "The versions", body = Page<TextVersionSummary>), ReadErrors))]
#[get("/reports/annual/{year}/text/versions")]
async fn text_versions(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    params: Query<VersionsParams>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<TextVersionSummary>>, ApiError> {
    let (year, agency_id) = (year.into_inner(), params.agency_id);
    request(year, agency_id, None, None)?;
    let limit = page.limit()?;
    let before = page.cursor_id()?;
    let versions = state.db.read(move |conn| service::list_versions(conn, &user, agency_id, year)).await?;
    let rows: Vec<TextVersion> = versions
        .into_iter()
        .filter(|v| before.is_none_or(|b| i64::from(v.version) < b))
        .take(usize::try_from(limit + 1).unwrap_or(usize::MAX))
        .collect();
    Ok(web::Json(Page::from_rows(
        rows,
        limit,
        |v| cursor_for(i64::from(v.version)),
        |v| TextVersionSummary {
            version: v.version,
            updated_by: v.updated_by,
            updated_at: v.updated_at,
            amendment_reason: v.amendment_reason,
        },
    )))
}

/// Which report's figures.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresParams {
    pub agency_id: AgencyId,
    /// `2019` or `2021`; default: the year's own.
    pub template: Option<Template>,
    /// The agency's whole subtree (default false).
    pub include_descendants: Option<bool>,
}

/// The sentences offered for the text, from the figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestedSentences {
    /// For 一、总体情况: the year's requests and their change against last year.
    pub overview: String,
    /// For 六、其他需要报告的事项: the information-processing fees.
    pub other_matters: String,
}

/// The figures the written parts can use, from the cases, with sentences stating them.
#[derive(Debug, Serialize, ToSchema)]
pub struct TextFiguresResponse {
    pub agency_id: AgencyId,
    pub year: i32,
    pub include_descendants: bool,
    /// The year's requests (the report's figures: the sealed ones for a sealed year).
    pub requests: RequestTotals,
    /// Last year's; `null` when last year cannot be reported on.
    pub previous_year: Option<RequestTotals>,
    /// This year's less last year's.
    pub change: Option<RequestTotals>,
    /// The year's fee notices, payments (amounts in fen) and requests lapsed for non-payment,
    /// counted from the fee events (revoked steps and voided cases left out).
    pub fees: FeeFigures,
    pub sentences: SuggestedSentences,
}

/// The figures for 一 (requests received, concluded and carried forward, against last year) and
/// 六 (information-processing fees), with sentences the author can keep or edit.
#[utoipa::path(tag = "reports", params(("year" = i32, Path, description = "The reported year"), FiguresParams),
    responses((status = 200, description = "The figures", body = TextFiguresResponse), ReadErrors))]
#[get("/reports/annual/{year}/text/figures")]
async fn text_figures(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    params: Query<FiguresParams>,
) -> Result<web::Json<TextFiguresResponse>, ApiError> {
    let params = params.into_inner();
    let request = request(year.into_inner(), params.agency_id, params.template, params.include_descendants)?;
    let figures = state.db.read(move |conn| service::text_figures(conn, &user, &request)).await?;
    Ok(web::Json(TextFiguresResponse {
        agency_id: params.agency_id,
        year: figures.year,
        include_descendants: request.include_descendants,
        sentences: SuggestedSentences { overview: figures.overview_sentence(), other_matters: figures.fee_sentence() },
        requests: figures.requests,
        previous_year: figures.previous_year,
        change: figures.change,
        fees: figures.fees,
    }))
}

/// A format of the whole document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    /// A Word document.
    #[default]
    Docx,
    /// A printable HTML page.
    Html,
}

/// Which document, in which format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentParams {
    pub agency_id: AgencyId,
    /// `docx` (default) or `html`.
    #[param(inline)]
    pub format: Option<DocumentFormat>,
    /// `2019` or `2021`; default: the year's own.
    pub template: Option<Template>,
    /// Compile the agency's whole subtree (the text stays the agency's own; default false).
    pub include_descendants: Option<bool>,
    /// `true`: today's figures and the latest text even when the year is sealed.
    pub live: Option<bool>,
}

/// The header carrying the SHA-256 of the document's canonical content (for a sealed document,
/// the seal's `document_hash`).
pub const DOCUMENT_HASH_HEADER: &str = "x-document-sha256";

/// A document as a response in `format`, offered for download under its Chinese title.
///
/// # Errors
/// 500 when the package cannot be written.
pub fn document_response(document: &AnnualDocument, format: DocumentFormat) -> Result<HttpResponse, ApiError> {
    let hash = document.content_hash().map_err(ApiError::internal)?;
    let (content_type, ext, body) = match format {
        DocumentFormat::Docx => (docx::CONTENT_TYPE, "docx", docx::render_docx(document).map_err(ApiError::internal)?),
        DocumentFormat::Html => (html::CONTENT_TYPE, "html", html::render_html(document).into_bytes()),
    };
    let disposition = document.content_disposition(ext, format == DocumentFormat::Docx);
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((DOCUMENT_HASH_HEADER, hash))
        .body(body))
}

/// The whole annual report, ready to publish: title, preamble, 一 to 六 with the tables of
/// sections two to four in the official layout. For a sealed year the document stored with the
/// seal, byte for byte; otherwise (or with `live=true`) today's figures and the latest text.
#[utoipa::path(tag = "reports", params(("year" = i32, Path, description = "The reported year"), DocumentParams),
    responses((status = 200, description = "The document", content(
        (String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (String = "text/html"))), ReadErrors))]
#[get("/reports/annual/{year}/document")]
async fn report_document(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    params: Query<DocumentParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let request = request(year.into_inner(), params.agency_id, params.template, params.include_descendants)?;
    let live = params.live.unwrap_or(false);
    let DocumentView { document, .. } =
        state.db.read(move |conn| service::document(conn, &user, &request, live)).await?;
    document_response(&document, params.format.unwrap_or_default())
}
