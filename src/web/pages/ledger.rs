//! 台账: export an agency's ledger (the same stream as `GET /api/v1/cases/export`) and import one
//! (the same check and import as `POST /api/v1/imports`): a dry run first, then the import, with
//! every problem listed by row and column.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use crate::domain::ids::AgencyId;
use crate::domain::CaseStatus;
use crate::http::error::ApiError;
use crate::http::ledger::{run_import, stream_ledger};
use crate::ledger::Format;
use crate::service::ledger::import::{ImportOptions, ImportReport};
use crate::service::ledger::ExportRequest;
use crate::web::context::{PageContext, UploadPage};
use crate::web::error::PageError;
use crate::web::messages;
use crate::web::pages::dashboard::{agencies_and_choice, agency_options};

/// Problems listed on the page at most (the rest are counted).
const SHOWN_PROBLEMS: usize = 500;

/// What the API's answer means for a page.
fn page_error(error: ApiError) -> PageError {
    match error {
        ApiError::NotFound { .. } => PageError::NotFound,
        ApiError::Forbidden(detail) => PageError::Forbidden(detail),
        ApiError::Invalid(v) => PageError::Rejected {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: v.code,
            detail: messages::violation(&v),
        },
        ApiError::BadRequest { code, detail, .. } => {
            PageError::Rejected { status: StatusCode::BAD_REQUEST, code, detail }
        }
        ApiError::Conflict { code, detail } => {
            PageError::Rejected { status: StatusCode::CONFLICT, code, detail: messages::sentence(code, &detail) }
        }
        ApiError::PayloadTooLarge { limit } => PageError::Rejected {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload_too_large",
            detail: format!("文件超过 {} MB。", limit / (1024 * 1024)),
        },
        ApiError::Unavailable => PageError::Unavailable,
        other => PageError::internal(other),
    }
}

async fn show(
    ctx: &PageContext,
    status: StatusCode,
    agency_id: Option<i64>,
    report: Option<serde_json::Value>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let (agencies, chosen) = agencies_and_choice(ctx, agency_id).await?;
    let statuses: Vec<(&str, &str)> = CaseStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect();
    ctx.render_status(
        status,
        "ledger.html",
        json!({
            "options": agency_options(&agencies), "agency_id": chosen, "statuses": statuses,
            "may_import": ctx.actor().role.can_register(), "report": report, "error": error,
        }),
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct LedgerParams {
    agency_id: Option<i64>,
}

/// 台账: the export and import forms.
#[get("/ledger")]
pub async fn ledger_page(ctx: PageContext, params: web::Query<LedgerParams>) -> Result<HttpResponse, PageError> {
    show(&ctx, StatusCode::OK, params.agency_id, None, None).await
}

/// The export's filters as typed in the form.
#[derive(Debug, Default, Deserialize)]
pub struct ExportForm {
    agency_id: Option<i64>,
    format: Option<String>,
    descendants: Option<String>,
    status: Option<String>,
    received_from: Option<String>,
    received_to: Option<String>,
    concluded_from: Option<String>,
    concluded_to: Option<String>,
}

fn bad(detail: String) -> PageError {
    PageError::Rejected { status: StatusCode::UNPROCESSABLE_ENTITY, code: "validation_failed", detail }
}

fn date(label: &str, value: Option<&str>) -> Result<Option<NaiveDate>, PageError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bad(format!("{label}“{v}”不是有效的日期（格式：2019-03-05）。"))),
    }
}

/// 导出台账: the ledger as a file, streamed.
#[get("/cases/export")]
pub async fn export(ctx: PageContext, params: web::Query<ExportForm>) -> Result<HttpResponse, PageError> {
    let p = params.into_inner();
    let agency_id = AgencyId::new(p.agency_id.ok_or_else(|| bad("请选择机关。".into()))?);
    let format = match p.format.as_deref() {
        None | Some("xlsx") => Format::Xlsx,
        Some("csv") => Format::Csv,
        Some(_) => return Err(bad("没有这种文件格式。".into())),
    };
    let status = match p.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(CaseStatus::parse(s).ok_or_else(|| bad("请从列表中选择办理状态。".into()))?),
    };
    let request = ExportRequest {
        agency_id,
        include_descendants: p.descendants.is_some(),
        status,
        received_from: date("收到日期（起）", p.received_from.as_deref())?,
        received_to: date("收到日期（止）", p.received_to.as_deref())?,
        concluded_from: date("办结日期（起）", p.concluded_from.as_deref())?,
        concluded_to: date("办结日期（止）", p.concluded_to.as_deref())?,
    };
    stream_ledger(&ctx.state, ctx.actor().clone(), request, format).await.map_err(page_error)
}

/// The format of an uploaded file: by its name, else by its first bytes (an XLSX is a zip).
fn format_of(name: &str, bytes: &[u8]) -> Format {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        Format::Csv
    } else if lower.ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        Format::Xlsx
    } else {
        Format::Csv
    }
}

fn report_json(report: &ImportReport, dry_run: bool) -> serde_json::Value {
    json!({
        "dry_run": dry_run, "written": report.written(), "rows": report.rows, "created": report.created,
        "already_present": report.already_present, "invalid": report.invalid, "import_id": report.import_id,
        "problems": report.problems.iter().take(SHOWN_PROBLEMS).collect::<Vec<_>>(),
        "more_problems": report.problems.len().saturating_sub(SHOWN_PROBLEMS),
    })
}

/// 检查 / 导入: check the file (a dry run) or import it, and show what was found and done.
#[post("/ledger/import")]
pub async fn import(page: UploadPage) -> Result<HttpResponse, PageError> {
    let UploadPage { ctx, form, file, .. } = page;
    let agency = form.optional("agency_id").and_then(|a| a.parse::<i64>().ok());
    let Some(agency_id) = agency else {
        return show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, None, None, Some("请选择机关。".into())).await;
    };
    let Some(file) = file.filter(|f| !f.bytes.is_empty()) else {
        let message = "请选择要导入的台账文件（XLSX 或 CSV）。".to_string();
        return show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(agency_id), None, Some(message)).await;
    };
    let mode = form.optional("mode").unwrap_or_else(|| "dry_run".into());
    let (dry_run, skip_invalid) = (mode == "dry_run", mode == "skip_invalid");
    let format = format_of(&file.name, &file.bytes);
    let options = ImportOptions::for_file(AgencyId::new(agency_id), &file.name, &file.bytes, dry_run, skip_invalid);
    let mapping = form.optional("mapping");
    let result = run_import(&ctx.state, ctx.actor().clone(), file.bytes, format, mapping.as_deref(), options).await;
    match result {
        Ok(report) => {
            let status = if !report.written() && !dry_run && report.invalid > 0 {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            show(&ctx, status, Some(agency_id), Some(report_json(&report, dry_run)), None).await
        }
        // A file that is not a ledger, a missing column, …: said above the form.
        Err(ApiError::Invalid(v)) => {
            show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(agency_id), None, Some(messages::violation(&v))).await
        }
        Err(e) => Err(page_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_by_its_name_or_else_by_its_first_bytes() {
        assert_eq!(format_of("台账.CSV", b"PK\x03\x04"), Format::Csv);
        assert_eq!(format_of("台账.xlsx", b""), Format::Xlsx);
        assert_eq!(format_of("台账", b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(format_of("台账.txt", "申请编号,".as_bytes()), Format::Csv);
    }
}
