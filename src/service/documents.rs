//! Case documents (案件材料): upload, list, download, withdraw. Authorised like the case: a
//! document of a case the caller does not see does not exist for them (404). Uploading is for the
//! roles that register requests (the desk scans the application), withdrawing for those that
//! handle them; anyone who sees the case reads its documents.
//!
//! A voided case (a registration made by mistake) takes no new documents **[product rule]**: it
//! counts nowhere and nobody works on it; its documents stay readable, and may still be withdrawn
//! (a file put on the wrong case is exactly what one would withdraw).

use chrono::NaiveDateTime;

use super::cases::{facts, get_visible};
use super::{Actor, Db, ServiceError, ServiceResult};
use crate::domain::case::Case;
use crate::domain::china_date;
use crate::domain::documents::{self, Document, DocumentKind, FileType, Filename};
use crate::domain::event::CaseEvent;
use crate::domain::ids::CaseId;
use crate::domain::{CaseStatus, Violation};
/// The store of the documents' files (content-addressed under `files.dir`).
pub use crate::storage::blobs::BlobStore;
use crate::storage::{documents as store, DbConnection};

/// A file checked for upload: its name, the type its content shows, its hash and its bytes.
#[derive(Clone, Debug)]
pub struct CheckedFile {
    pub kind: DocumentKind,
    pub filename: Filename,
    pub file_type: FileType,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

impl CheckedFile {
    /// Check an uploaded file: a valid name, content not empty, of an accepted type that its
    /// name agrees with. CPU work (hashing): run it off the async executor.
    ///
    /// # Errors
    /// 422 `invalid_filename`, `empty_document`, `document_type_not_allowed`,
    /// `document_type_mismatch`.
    pub fn check(kind: DocumentKind, filename: &str, bytes: Vec<u8>) -> Result<Self, Violation> {
        let filename = Filename::parse(filename)?;
        if bytes.is_empty() {
            return Err(Violation::field("empty_document", "file", "文件内容为空"));
        }
        let file_type = documents::file_type(&filename, &bytes)?;
        let sha256 = documents::sha256_hex(&bytes);
        Ok(Self { kind, filename, file_type, sha256, bytes })
    }

    fn size(&self) -> i64 {
        i64::try_from(self.bytes.len()).unwrap_or(i64::MAX)
    }
}

fn not_found() -> ServiceError {
    ServiceError::NotFound { what: "document", code: "document_not_found" }
}

/// Whether the caller may attach a document to the case now (checked before a large body is read).
///
/// # Errors
/// 404 invisible case, 403 role, 409 voided case.
pub fn may_upload(conn: &mut DbConnection, actor: &Actor, case_id: CaseId) -> ServiceResult<()> {
    case_for_upload(conn, actor, case_id).map(|_| ())
}

/// The case a new document may be attached to, by the caller.
fn case_for_upload(conn: &mut DbConnection, actor: &Actor, case_id: CaseId) -> ServiceResult<Case> {
    let case = get_visible(conn, actor, case_id)?;
    actor.require(actor.role.can_register(), "上传案件材料")?;
    if case.status == CaseStatus::Voided {
        return Err(ServiceError::conflict("case_voided", "案件登记已作废，不能再上传材料"));
    }
    Ok(case)
}

/// Upload a document: check the case and the caller, store the file (kept once per content),
/// then record the document and its `document_added` event in one transaction.
///
/// The file is written before that transaction (on SQLite a write transaction is shared with
/// the writes queued beside it, which must not wait for a large file to reach the disk); when
/// the transaction then fails, the stored file is unreferenced and harmless (see
/// [`crate::storage::blobs`]).
///
/// # Errors
/// 404 invisible case, 403 role, 409 voided case or a concurrent change, an I/O or database error.
pub async fn upload(
    db: &Db,
    files: &BlobStore,
    actor: Actor,
    case_id: CaseId,
    file: CheckedFile,
    at: NaiveDateTime,
) -> ServiceResult<Document> {
    let checker = actor.clone();
    db.read(move |conn| case_for_upload(conn, &checker, case_id).map(|_| ())).await?;
    let (files, file) = (files.clone(), std::sync::Arc::new(file));
    let stored = file.clone();
    actix_web::rt::task::spawn_blocking(move || files.put(&stored.sha256, &stored.bytes))
        .await
        .map_err(|e| ServiceError::Storage(crate::storage::StorageError::Io(std::io::Error::other(e))))?
        .map_err(|e| ServiceError::Storage(crate::storage::StorageError::Io(e)))?;
    db.write(move |conn| record_upload(conn, &actor, case_id, &file, at)).await
}

/// Record an uploaded document whose file is stored: the row and the `document_added` event.
///
/// # Errors
/// As [`upload`].
pub fn record_upload(
    conn: &mut DbConnection,
    actor: &Actor,
    case_id: CaseId,
    file: &CheckedFile,
    at: NaiveDateTime,
) -> ServiceResult<Document> {
    let case = case_for_upload(conn, actor, case_id)?;
    let event_seq = i32::try_from(case.version + 1).map_err(|_| facts::version_conflict())?;
    let id = store::insert(
        conn,
        &store::NewDocument {
            case_id,
            kind: file.kind,
            filename: file.filename.as_str(),
            sha256: &file.sha256,
            size: file.size(),
            media_type: file.file_type.media_type(),
            uploaded_by: actor.user_id,
            uploaded_at: at,
            event_seq,
        },
    )?;
    let event = CaseEvent::DocumentAdded {
        document_id: id,
        kind: file.kind,
        filename: file.filename.as_str().to_owned(),
        sha256: file.sha256.clone(),
        size: file.size(),
        media_type: file.file_type.media_type().to_owned(),
    };
    facts::append(conn, &case, event, Some(actor.user_id), china_date(at), at)?;
    store::find(conn, id)?.ok_or_else(|| ServiceError::corrupt("the document just written is missing"))
}

/// The documents of a case, oldest first, withdrawn ones included.
///
/// # Errors
/// 404 when the case is not visible.
pub fn of_case(conn: &mut DbConnection, actor: &Actor, case_id: CaseId) -> ServiceResult<Vec<Document>> {
    get_visible(conn, actor, case_id)?;
    Ok(store::of_case(conn, case_id)?)
}

/// A document the caller sees (its case is visible).
///
/// # Errors
/// 404 when it does not exist or its case is not visible.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: i64) -> ServiceResult<Document> {
    let document = store::find(conn, id)?.ok_or_else(not_found)?;
    get_visible(conn, actor, document.case_id).map_err(|_| not_found())?;
    Ok(document)
}

/// A document and its bytes, for a download.
///
/// # Errors
/// 404 as [`get`]; `Corrupt` when its file is missing or damaged in the store.
pub fn download(
    conn: &mut DbConnection,
    actor: &Actor,
    files: &BlobStore,
    id: i64,
) -> ServiceResult<(Document, Vec<u8>)> {
    let document = get(conn, actor, id)?;
    let bytes = files
        .read(&document.sha256)
        .map_err(|e| ServiceError::corrupt(format!("the file of document {id} cannot be read: {e}")))?;
    if documents::sha256_hex(&bytes) != document.sha256 {
        return Err(ServiceError::corrupt(format!("the file of document {id} is damaged")));
    }
    Ok((document, bytes))
}

/// Withdraw a document with a reason: it stays stored and listed, marked, and the case's history
/// records the withdrawal.
///
/// # Errors
/// 404 as [`get`], 403 for roles that do not handle cases, 409 when already withdrawn or the
/// case changed concurrently.
pub fn withdraw(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    reason: &str,
    at: NaiveDateTime,
) -> ServiceResult<Document> {
    let document = get(conn, actor, id)?;
    actor.require(actor.role.can_handle(), "撤回案件材料")?;
    let already = || ServiceError::conflict("document_already_withdrawn", "该材料已经撤回");
    if document.withdrawal.is_some() {
        return Err(already());
    }
    let case = get_visible(conn, actor, document.case_id)?;
    if !store::withdraw(conn, id, actor.user_id, at, reason)? {
        return Err(already());
    }
    let event = CaseEvent::DocumentWithdrawn { document_id: id, reason: reason.to_owned() };
    facts::append(conn, &case, event, Some(actor.user_id), china_date(at), at)?;
    store::find(conn, id)?.ok_or_else(not_found)
}
