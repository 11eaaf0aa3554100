//! 案件材料 on the case page: the list of a case's documents, their downloads (audited like the
//! API's), the upload form (multipart, works without JavaScript) and the withdraw forms. The
//! section's data is loaded here, in [`section`], and shown by `case_documents.html`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde_json::{json, Value};

use super::case::render_case_with_documents;
use crate::domain::documents::{media_type_label, withdrawal_reason, Document, DocumentKind};
use crate::domain::ids::CaseId;
use crate::service::documents::{self, CheckedFile};
use crate::service::ServiceError;
use crate::web::context::{see_other, DocumentFile, PageContext, PostPage, UploadPage};
use crate::web::error::PageError;
use crate::web::messages;

/// A size for people: `820 字节`, `35.2 KB`, `1.4 MB`.
fn size_text(bytes: i64) -> String {
    let b = u32::try_from(bytes.clamp(0, i64::from(u32::MAX))).map_or(f64::MAX, f64::from);
    if bytes < 1024 {
        format!("{bytes} 字节")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    }
}

fn local(at: chrono::NaiveDateTime) -> String {
    (at + chrono::TimeDelta::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

fn item(d: &Document) -> Value {
    json!({
        "id": d.id,
        "kind": d.kind.label(),
        "filename": d.filename,
        "size": size_text(d.size),
        "type": media_type_label(&d.media_type),
        "uploaded_by": d.uploaded_by_name,
        "uploaded_at": local(d.uploaded_at),
        "withdrawn": d.withdrawal.is_some(),
        "withdrawn_at": d.withdrawal.as_ref().map(|w| local(w.at)),
        "withdraw_reason": d.withdrawal.as_ref().map(|w| w.reason.clone()),
    })
}

/// The section's data: the documents, what the user may do, and a message to show (a refusal,
/// or the upload just done).
///
/// # Errors
/// 404 for an invisible case; a database error.
pub async fn section(ctx: &PageContext, id: CaseId, message: Option<Notice>) -> Result<Value, PageError> {
    let items = ctx.read(move |conn, actor| documents::of_case(conn, actor, id)).await?;
    let role = ctx.actor().role;
    let kinds: Vec<(&str, &str)> = DocumentKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect();
    let (error, done) = match message {
        Some(Notice::Error(text)) => (Some(text), None),
        Some(Notice::Done(text)) => (None, Some(text)),
        None => (None, None),
    };
    Ok(json!({
        "items": items.iter().map(item).collect::<Vec<_>>(),
        "may_upload": role.can_register(),
        "may_withdraw": role.can_handle(),
        "kinds": kinds,
        "max_mb": ctx.state.document_limit / (1024 * 1024),
        "error": error,
        "done": done,
    }))
}

/// A message of the section.
#[derive(Clone, Debug)]
pub enum Notice {
    Error(String),
    Done(String),
}

/// A refusal shown on the case page (status, message), or a page error when there is no page.
fn refusal(error: ServiceError) -> Result<(StatusCode, String), PageError> {
    match PageError::from(error) {
        PageError::Rejected { status, detail, .. } => Ok((status, detail)),
        PageError::Forbidden(detail) => Ok((StatusCode::FORBIDDEN, detail)),
        other => Err(other),
    }
}

/// The case page again, with the refusal in its documents section.
async fn show(ctx: &PageContext, id: CaseId, status: StatusCode, message: String) -> Result<HttpResponse, PageError> {
    render_case_with_documents(ctx, id, status, Some(Notice::Error(message))).await
}

/// 上传材料: the form's kind and file.
#[post("/cases/{id}/documents")]
pub async fn upload(page: UploadPage<DocumentFile>, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let UploadPage { ctx, form, file, .. } = page;
    let id = CaseId::new(id.into_inner());
    let Some(kind) = DocumentKind::parse(form.get("kind")) else {
        return show(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, "请选择材料类别。".to_string()).await;
    };
    let Some(file) = file else {
        return show(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, "请选择要上传的文件。".to_string()).await;
    };
    let checked = match web::block(move || CheckedFile::check(kind, &file.name, file.bytes)).await {
        Ok(Ok(checked)) => checked,
        Ok(Err(violation)) => {
            return show(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, messages::violation(&violation)).await
        }
        Err(e) => return Err(PageError::internal(e)),
    };
    let at = ctx.state.now();
    match documents::upload(&ctx.state.db, &ctx.state.files, ctx.actor().clone(), id, checked, at).await {
        Ok(_) => Ok(see_other(&format!("/cases/{}?document=uploaded#documents", id.get()))),
        Err(e) => {
            let (status, message) = refusal(e)?;
            show(&ctx, id, status, message).await
        }
    }
}

/// A document's file, downloaded from the case page (in the audit trail like the API's).
#[get("/cases/{id}/documents/{document_id}")]
pub async fn download(ctx: PageContext, path: web::Path<(i64, i64)>) -> Result<HttpResponse, PageError> {
    let (case_id, document_id) = path.into_inner();
    let files = ctx.state.files.clone();
    let (document, bytes) = ctx.read(move |conn, actor| documents::download(conn, actor, &files, document_id)).await?;
    if document.case_id.get() != case_id {
        return Err(PageError::NotFound);
    }
    Ok(crate::http::documents::file_response(&document, bytes))
}

/// 撤回材料: the reason is required.
#[post("/cases/{id}/documents/{document_id}/withdraw")]
pub async fn withdraw(page: PostPage, path: web::Path<(i64, i64)>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let (case_id, document_id) = path.into_inner();
    let id = CaseId::new(case_id);
    let reason = match withdrawal_reason(Some(form.get("reason"))) {
        Ok(reason) => reason,
        Err(_) => return show(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, "撤回材料须填写理由。".to_string()).await,
    };
    let at = ctx.state.now();
    let result = ctx
        .write(move |conn, actor| {
            let document = documents::get(conn, actor, document_id)?;
            if document.case_id != id {
                return Err(ServiceError::NotFound { what: "document", code: "document_not_found" });
            }
            documents::withdraw(conn, actor, document_id, &reason, at)
        })
        .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/cases/{case_id}?document=withdrawn#documents"))),
        Err(e) => {
            let (status, message) = refusal(e)?;
            show(&ctx, id, status, message).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(820), "820 字节");
        assert_eq!(size_text(36_045), "35.2 KB");
        assert_eq!(size_text(1_468_006), "1.4 MB");
    }
}
