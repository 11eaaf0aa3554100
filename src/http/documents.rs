//! Case documents (案件材料): upload (the file as the raw body), list, download, withdraw.

use actix_web::http::header;
use actix_web::{get, post, web, HttpMessage as _, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::audit::AuditCase;
use super::auth::AuthUser;
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::{Json, Query};
use super::AppState;
use crate::domain::documents::{withdrawal_reason, Document, DocumentKind};
use crate::domain::ids::CaseId;
use crate::service::documents::{self, CheckedFile};

/// What to call the file and what it is.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    pub kind: DocumentKind,
    /// The file's name (Chinese allowed; its extension must agree with the content).
    #[param(max_length = 200)]
    pub filename: String,
}

/// A document of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentResponse {
    pub id: i64,
    pub case_id: CaseId,
    pub kind: DocumentKind,
    /// The kind in Chinese.
    pub kind_label: &'static str,
    pub filename: String,
    /// SHA-256 of the content (64 hex digits).
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    /// The type sniffed from the content (the file is served with it).
    pub media_type: String,
    #[serde(serialize_with = "super::rfc3339")]
    pub uploaded_at: NaiveDateTime,
    pub uploaded_by: i64,
    pub uploaded_by_name: String,
    /// The `seq` of the case's `document_added` event.
    pub event_seq: i32,
    pub withdrawn: bool,
    #[serde(serialize_with = "super::rfc3339_opt")]
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawn_by: Option<i64>,
    pub withdraw_reason: Option<String>,
    /// Where the file is downloaded.
    pub download: String,
}

impl From<Document> for DocumentResponse {
    fn from(d: Document) -> Self {
        let withdrawal = d.withdrawal;
        Self {
            id: d.id,
            case_id: d.case_id,
            kind: d.kind,
            kind_label: d.kind.label(),
            filename: d.filename,
            sha256: d.sha256,
            size: d.size,
            media_type: d.media_type,
            uploaded_at: d.uploaded_at,
            uploaded_by: d.uploaded_by.get(),
            uploaded_by_name: d.uploaded_by_name,
            event_seq: d.event_seq,
            withdrawn: withdrawal.is_some(),
            withdrawn_at: withdrawal.as_ref().map(|w| w.at),
            withdrawn_by: withdrawal.as_ref().and_then(|w| w.by).map(|u| u.get()),
            withdraw_reason: withdrawal.map(|w| w.reason),
            download: format!("/api/v1/documents/{}", d.id),
        }
    }
}

/// The documents of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    /// Oldest first; withdrawn ones included (`withdrawn: true`).
    pub items: Vec<DocumentResponse>,
}

/// Withdraw a document.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawDocumentRequest {
    /// Why (required); kept with the document and in the case's history.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// The refusal of a body over the limit.
fn too_large(limit: usize) -> ApiError {
    ApiError::TooLarge {
        code: "document_too_large",
        detail: format!("文件超过了{}字节（{} MB）的上限", limit, limit / (1024 * 1024)),
    }
}

/// Read the body, refusing it as soon as it exceeds `limit` (never holding more than `limit` bytes;
/// a declared `Content-Length` over it is refused before reading anything).
async fn read_limited(req: &HttpRequest, mut payload: web::Payload, state: &AppState) -> Result<Vec<u8>, ApiError> {
    let limit = state.document_limit;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(too_large(limit));
    }
    let read = async {
        let mut body = Vec::with_capacity(declared.map_or(0, |n| usize::try_from(n).unwrap_or(0)));
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| ApiError::bad_request("unreadable_body", "无法读取请求正文"))?;
            if body.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    actix_web::rt::time::timeout(state.document_timeout, read).await.map_err(|_| ApiError::BodyTimeout)?
}

/// Attach a file to a case: the body is the file itself (any `Content-Type`; the type is sniffed
/// from the content, and the name's extension must agree with it). Accepted: PDF, OFD, PNG, JPEG,
/// TIFF, GIF, WebP, DOCX/XLSX/PPTX, DOC/XLS/PPT, plain text and CSV (UTF-8 or GB18030). The same
/// content is stored once however often it is uploaded. Recorded as a `document_added` event.
/// Clerks, officers, supervisors and administrators; not on a voided case.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id"), UploadParams),
    request_body(description = "The file", content((Vec<u8> = "application/octet-stream"))),
    responses(
        (status = 201, description = "The document", body = DocumentResponse),
        (status = 422, description = "Empty file, bad name, a type not accepted (`document_type_not_allowed`) or a name disguising the content (`document_type_mismatch`)", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than `files.max_bytes` (`document_too_large`)", body = super::error::Problem, content_type = "application/problem+json"),
        WriteErrors))]
#[post("/cases/{id}/documents")]
pub(crate) async fn upload_document(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CaseId>,
    params: Query<UploadParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (case_id, params) = (id.into_inner(), params.0);
    // Refuse an invisible case or a role before reading a large body.
    let actor = user.0.clone();
    state.db.read(move |conn| documents::may_upload(conn, &actor, case_id)).await?;
    let bytes = read_limited(&req, payload, &state).await?;
    let file = web::block(move || CheckedFile::check(params.kind, &params.filename, bytes))
        .await
        .map_err(ApiError::internal)??;
    let at = state.now();
    let document = documents::upload(&state.db, &state.files, user.0, case_id, file, at).await?;
    Ok(HttpResponse::Created().json(DocumentResponse::from(document)))
}

/// The documents of a case, oldest first, withdrawn ones included and marked.
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The documents", body = DocumentList), ReadErrors))]
#[get("/cases/{id}/documents")]
pub(crate) async fn list_documents(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CaseId>,
) -> Result<web::Json<DocumentList>, ApiError> {
    let id = id.into_inner();
    let items = state.db.read(move |conn| documents::of_case(conn, &user, id)).await?;
    Ok(web::Json(DocumentList { items: items.into_iter().map(DocumentResponse::from).collect() }))
}

/// `Content-Disposition: attachment` with the name in UTF-8 (RFC 6266 / RFC 5987 `filename*`)
/// and an ASCII fallback for clients that do not read it.
pub fn attachment(name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let fallback: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-._ ".contains(c) { c } else { '_' }).collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A document's file as a download (withdrawn ones too: the record keeps them).
pub fn file_response(document: &Document, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, document.media_type.clone()))
        .insert_header((header::CONTENT_DISPOSITION, attachment(&document.filename)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes)
}

/// Download a document: the file with its sniffed `Content-Type`, as an attachment under its
/// name. Authorised like its case (a document of a case the caller does not see: 404); every
/// download is in the audit trail (`download_document`, with the case).
#[utoipa::path(tag = "cases", params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, description = "The file, with the type sniffed from its content at upload",
        content((Vec<u8> = "application/pdf"), (Vec<u8> = "application/ofd"), (Vec<u8> = "image/png"),
            (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/tiff"), (Vec<u8> = "image/gif"), (Vec<u8> = "image/webp"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            (Vec<u8> = "application/msword"), (Vec<u8> = "application/vnd.ms-excel"),
            (Vec<u8> = "application/vnd.ms-powerpoint"), (String = "text/plain"), (String = "text/csv")),
        headers(("Content-Disposition" = String, description = "attachment; filename*=UTF-8''…"))), ReadErrors))]
#[get("/documents/{id}")]
pub(crate) async fn download_document(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (id, files) = (id.into_inner(), state.files.clone());
    let (document, bytes) = state.db.read(move |conn| documents::download(conn, &user, &files, id)).await?;
    req.extensions_mut().insert(AuditCase(document.case_id.get()));
    Ok(file_response(&document, bytes))
}

/// Withdraw a document with a reason: it is never deleted; it stays listed (marked) and
/// downloadable, and the case's history records the withdrawal. Officers, supervisors and
/// administrators; a second withdrawal is 409.
#[utoipa::path(tag = "cases", request_body = WithdrawDocumentRequest,
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, description = "The withdrawn document", body = DocumentResponse), WriteErrors))]
#[post("/documents/{id}/withdraw")]
pub(crate) async fn withdraw_document(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<WithdrawDocumentRequest>,
) -> Result<web::Json<DocumentResponse>, ApiError> {
    let reason = withdrawal_reason(body.0.reason.as_deref())?;
    let (id, at) = (id.into_inner(), state.now());
    let document = state.db.write(move |conn| documents::withdraw(conn, &user, id, &reason, at)).await?;
    req.extensions_mut().insert(AuditCase(document.case_id.get()));
    Ok(web::Json(document.into()))
}
