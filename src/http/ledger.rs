//! The case ledger (台账): `GET /api/v1/cases/export` streams an agency's ledger as XLSX or CSV;
//! `POST /api/v1/imports` brings an agency's existing ledger in.

use std::io::Write;

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AuthUser;
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::Query;
use super::AppState;
use crate::domain::ids::AgencyId;
use crate::domain::ledger::{parse_mapping, Problem};
use crate::domain::CaseStatus;
use crate::ledger::write::LedgerWriter;
use crate::ledger::Format;
use crate::service::ledger::import::{self, file_violation, ImportOptions, ImportReport};
use crate::service::ledger::{self, ExportRequest};
use crate::service::ServiceError;

/// Which cases the ledger holds, and its format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// The agency (which must be visible).
    pub agency_id: AgencyId,
    /// `xlsx` or `csv`.
    #[param(inline)]
    pub format: Format,
    /// Also the agency's sub-agencies.
    pub include_descendants: Option<bool>,
    pub status: Option<CaseStatus>,
    /// Received on or after this date.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this date.
    pub received_to: Option<NaiveDate>,
    /// Concluded on or after this date.
    pub concluded_from: Option<NaiveDate>,
    /// Concluded on or before this date.
    pub concluded_to: Option<NaiveDate>,
}

/// Bytes sent to the client at a time.
const CHUNK: usize = 64 * 1024;

/// A writer whose bytes go to the response, a chunk at a time (from a blocking thread).
pub struct ChannelWriter {
    buffer: Vec<u8>,
    sender: tokio::sync::mpsc::Sender<Result<web::Bytes, std::io::Error>>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = web::Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK)));
        self.sender.blocking_send(Ok(chunk)).map_err(|_| std::io::Error::other("the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The file name of a download, as `Content-Disposition` carries it (RFC 6266, UTF-8).
pub fn attachment(name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"ledger\"; filename*=UTF-8''{encoded}")
}

/// Stream the ledger of `request` as `format`: the caller's right to it is checked first (so a
/// refusal is an ordinary error), then the cases are read a page at a time and written as they
/// come, so a ledger of any size needs neither its rows in memory nor a long wait for the first byte.
///
/// # Errors
/// 404 for an invisible agency, 422 for dates out of order.
pub async fn stream_ledger(
    state: &AppState,
    user: crate::service::Actor,
    request: ExportRequest,
    format: Format,
) -> Result<HttpResponse, ApiError> {
    let plan_request = request.clone();
    let plan = state.db.read(move |conn| ledger::plan(conn, &user, &plan_request)).await?;
    let file_name = format!("{}台账_{}.{}", plan.agency_name, state.today(), format.extension());
    let (sender, receiver) = tokio::sync::mpsc::channel(8);
    let db = state.db.clone();
    let failed = sender.clone();
    actix_web::rt::spawn(async move {
        let result = db
            .read(move |conn| -> Result<u64, ServiceError> {
                let out = ChannelWriter { buffer: Vec::with_capacity(CHUNK), sender };
                let broken = |e: crate::ledger::write::WriteError| ServiceError::corrupt(format!("ledger export: {e}"));
                let mut writer = LedgerWriter::new(format, out).map_err(broken)?;
                let rows = ledger::export(conn, &plan, &mut |entry| writer.write(entry).map_err(broken))?;
                writer.finish().map_err(broken)?;
                Ok(rows)
            })
            .await;
        if let Err(error) = result {
            // The client sees the download break off rather than a file that looks complete.
            tracing::warn!(%error, "ledger export stopped");
            let _ = failed.send(Err(std::io::Error::other("export failed"))).await;
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .insert_header((header::CONTENT_DISPOSITION, attachment(&file_name)))
        .streaming(stream))
}

/// The ledger (台账) of an agency as XLSX or CSV: one row per case, oldest receipt first, with the
/// header 申请编号, 收到申请日期, 申请方式, 申请人类型, 申请人姓名或名称, 证件号码, 联系方式, 申请内容,
/// 办理状态, 答复期限, 答复日期, 办理结果, 依据, 是否补正, 是否征求意见, 是否延期, 收费金额, 复议诉讼情况.
/// Identity numbers are whole for clerks, officers, supervisors and administrators, masked for
/// auditors. Streamed; each export is recorded in the audit trail.
#[utoipa::path(tag = "cases", params(ExportParams),
    responses((status = 200, description = "The ledger", content(
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "text/csv"))), ReadErrors))]
#[get("/cases/export")]
pub(crate) async fn export_ledger(
    state: web::Data<AppState>,
    user: AuthUser,
    params: Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let request = ExportRequest {
        agency_id: p.agency_id,
        include_descendants: p.include_descendants == Some(true),
        status: p.status,
        received_from: p.received_from,
        received_to: p.received_to,
        concluded_from: p.concluded_from,
        concluded_to: p.concluded_to,
    };
    stream_ledger(&state, user.0, request, p.format).await
}

/// How to import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The agency whose ledger it is (the caller must be able to register its requests).
    pub agency_id: AgencyId,
    /// Check only; write nothing (200).
    pub dry_run: Option<bool>,
    /// Write the valid rows even when others are invalid.
    pub skip_invalid: Option<bool>,
    /// The file's name, for the import's record.
    #[param(max_length = 255)]
    pub file_name: Option<String>,
    /// Columns the ledger names otherwise: `原列名=台账列名`, several separated by `;`
    /// (e.g. `来件日期=收到申请日期`).
    #[param(max_length = 2000)]
    pub mapping: Option<String>,
}

/// What an import found and did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    /// Data rows in the file.
    pub rows: u32,
    /// Cases created; in a dry run, the valid rows not yet on file (created if the others were
    /// corrected or skipped).
    pub created: u32,
    /// Rows already on file (same case number for the agency, or the same file imported before).
    pub already_present: u32,
    /// Rows with at least one problem.
    pub invalid: u32,
    /// Every problem, by row and column.
    pub problems: Vec<Problem>,
    /// The recorded import, when cases were written.
    pub import_id: Option<i64>,
}

impl From<ImportReport> for ImportResponse {
    fn from(r: ImportReport) -> Self {
        Self {
            rows: r.rows,
            created: r.created,
            already_present: r.already_present,
            invalid: r.invalid,
            problems: r.problems,
            import_id: r.import_id,
        }
    }
}

/// Read a request body of at most `limit` bytes within `timeout`.
///
/// # Errors
/// 413 over the limit, 408 too slow, 400 unreadable.
pub async fn read_body(
    mut payload: web::Payload,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<Vec<u8>, ApiError> {
    let read = async {
        let mut body = Vec::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| ApiError::bad_request("unreadable_body", "无法读取请求正文"))?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    actix_web::rt::time::timeout(timeout, read).await.map_err(|_| ApiError::BodyTimeout)?
}

/// Check a file and, unless a dry run, import it.
///
/// # Errors
/// 4xx for a file that is not a ledger, the caller's rights, the agency.
pub async fn run_import(
    state: &AppState,
    user: crate::service::Actor,
    bytes: Vec<u8>,
    format: Format,
    mapping: Option<&str>,
    options: ImportOptions,
) -> Result<ImportReport, ApiError> {
    let mapping = parse_mapping(mapping)
        .map_err(|e| ApiError::Invalid(crate::domain::Violation::field(e.code(), "mapping", e.message())))?;
    let (agency_id, today) = (options.agency_id, state.today());
    if bytes.is_empty() {
        return Err(ApiError::Invalid(file_violation(&crate::ledger::FileError::EmptySheet)));
    }
    let checked = web::block(move || import::check(&bytes, format, &mapping, agency_id, today, &mut |_| {}))
        .await
        .map_err(ApiError::internal)??;
    let snapshot = state.snapshot();
    let dry_run = options.dry_run;
    let work = move |conn: &mut crate::service::DbConnection| {
        import::import(conn, &user, &options, checked, snapshot.now(), &mut |_| {})
    };
    Ok(if dry_run { state.db.read(work).await? } else { state.db.write(work).await? })
}

/// Import an agency's ledger (台账): the body is the file, `Content-Type`
/// `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` or `text/csv`. Columns are
/// found by their Chinese headers (the export's and the usual variants; `mapping` for others)
/// below any title rows. Every row is checked before anything is written; by default nothing is
/// written unless every row is valid (422 with the problems), with `skip_invalid=true` the valid
/// rows are. Rows already on file are reported, not written twice. One transaction.
#[utoipa::path(tag = "cases", params(ImportParams),
    request_body(description = "The ledger file", content(
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "text/csv"))),
    responses(
        (status = 201, description = "Cases written", body = ImportResponse),
        (status = 200, description = "A dry run, or nothing new to write", body = ImportResponse),
        (status = 415, description = "Neither XLSX nor CSV", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid rows, nothing written (code `invalid_rows`, with this body's fields as extension members), or a file that is not a ledger", body = ImportResponse, content_type = "application/problem+json"),
        WriteErrors))]
#[post("/imports")]
pub(crate) async fn import_ledger(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    params: Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let media_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let format = Format::of_media_type(media_type).ok_or_else(|| {
        ApiError::UnsupportedMediaType(format!(
            "Content-Type 应为 {}（XLSX 工作簿）或 text/csv（CSV 文件）",
            crate::ledger::XLSX_MEDIA_TYPE
        ))
    })?;
    let bytes = read_body(payload, state.import_limit, state.import_timeout).await?;
    let file_name = params
        .file_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| format!("ledger.{}", format.extension()), str::to_string);
    let options = ImportOptions::for_file(
        params.agency_id,
        &file_name,
        &bytes,
        params.dry_run == Some(true),
        params.skip_invalid == Some(true),
    );
    let dry_run = options.dry_run;
    let report = run_import(&state, user.0, bytes, format, params.mapping.as_deref(), options).await?;
    if !report.written() && !dry_run && report.invalid > 0 {
        return Ok(refused(report));
    }
    let status = if report.written() { actix_web::http::StatusCode::CREATED } else { actix_web::http::StatusCode::OK };
    Ok(HttpResponse::build(status).json(ImportResponse::from(report)))
}

/// An import refused for its invalid rows: 422, `application/problem+json` like every error, with
/// the import's answer (`rows`, `created`, `already_present`, `invalid`, `problems`) as extension
/// members (RFC 9457 §3.2).
fn refused(report: ImportReport) -> HttpResponse {
    let status = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    let detail = format!(
        "{}行中有{}行不符合规则，未导入任何一行：请按 problems 逐行改正后重新导入，或以 skip_invalid=true 只导入其余各行",
        report.rows, report.invalid
    );
    let mut body = serde_json::to_value(ImportResponse::from(report)).unwrap_or_default();
    if let Some(map) = body.as_object_mut() {
        map.insert("type".into(), "https://gongkai.example/problems/invalid_rows".into());
        map.insert("title".into(), super::error::title_of(status).into());
        map.insert("status".into(), status.as_u16().into());
        map.insert("detail".into(), detail.into());
        map.insert("code".into(), "invalid_rows".into());
    }
    HttpResponse::build(status).content_type("application/problem+json").json(body)
}
