//! The documents of cases: their rows (the bytes are in the blob store, [`super::blobs`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{documents, users};
use super::{insert_returning_id, key, DbConnection, StorageResult};
use crate::domain::documents::{Document, DocumentKind, Withdrawal};
use crate::domain::ids::{CaseId, UserId};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = documents)]
struct DocumentRow {
    id: i64,
    case_id: i64,
    kind: String,
    filename: String,
    sha256: String,
    size: i64,
    media_type: String,
    uploaded_by: i64,
    uploaded_at: NaiveDateTime,
    event_seq: i32,
    withdrawn_at: Option<NaiveDateTime>,
    withdrawn_by: Option<i64>,
    withdraw_reason: Option<String>,
}

fn convert((row, uploader): (DocumentRow, String)) -> StorageResult<Document> {
    let withdrawal = match (row.withdrawn_at, row.withdraw_reason) {
        (Some(at), Some(reason)) => Some(Withdrawal { at, by: row.withdrawn_by.map(UserId::new), reason }),
        _ => None,
    };
    Ok(Document {
        id: row.id,
        case_id: CaseId::new(row.case_id),
        kind: key(&row.kind, DocumentKind::parse, "documents.kind")?,
        filename: row.filename,
        sha256: row.sha256,
        size: row.size,
        media_type: row.media_type,
        uploaded_by: UserId::new(row.uploaded_by),
        uploaded_by_name: uploader,
        uploaded_at: row.uploaded_at,
        event_seq: row.event_seq,
        withdrawal,
    })
}

#[derive(Insertable)]
#[diesel(table_name = documents)]
struct NewDocumentRow<'a> {
    case_id: i64,
    kind: &'a str,
    filename: &'a str,
    sha256: &'a str,
    size: i64,
    media_type: &'a str,
    uploaded_by: i64,
    uploaded_at: NaiveDateTime,
    event_seq: i32,
}

/// A document to insert.
#[derive(Clone, Debug)]
pub struct NewDocument<'a> {
    pub case_id: CaseId,
    pub kind: DocumentKind,
    pub filename: &'a str,
    pub sha256: &'a str,
    pub size: i64,
    pub media_type: &'a str,
    pub uploaded_by: UserId,
    pub uploaded_at: NaiveDateTime,
    pub event_seq: i32,
}

/// Insert a document; returns its id.
///
/// # Errors
/// A database error.
pub fn insert(conn: &mut DbConnection, new: &NewDocument<'_>) -> StorageResult<i64> {
    let row = NewDocumentRow {
        case_id: new.case_id.get(),
        kind: new.kind.as_str(),
        filename: new.filename,
        sha256: new.sha256,
        size: new.size,
        media_type: new.media_type,
        uploaded_by: new.uploaded_by.get(),
        uploaded_at: new.uploaded_at,
        event_seq: new.event_seq,
    };
    Ok(insert_returning_id!(conn, documents::table, documents::id, &row)?)
}

/// The document with `id`, if any.
///
/// # Errors
/// A database error or a corrupt row.
pub fn find(conn: &mut DbConnection, id: i64) -> StorageResult<Option<Document>> {
    documents::table
        .inner_join(users::table.on(users::id.eq(documents::uploaded_by)))
        .filter(documents::id.eq(id))
        .select((DocumentRow::as_select(), users::name))
        .get_result(conn)
        .optional()?
        .map(convert)
        .transpose()
}

/// The documents of a case, oldest first (withdrawn ones included).
///
/// # Errors
/// A database error or a corrupt row.
pub fn of_case(conn: &mut DbConnection, case_id: CaseId) -> StorageResult<Vec<Document>> {
    documents::table
        .inner_join(users::table.on(users::id.eq(documents::uploaded_by)))
        .filter(documents::case_id.eq(case_id.get()))
        .order(documents::id.asc())
        .select((DocumentRow::as_select(), users::name))
        .load(conn)?
        .into_iter()
        .map(convert)
        .collect()
}

/// Mark a document withdrawn unless it already is; whether it was.
///
/// # Errors
/// A database error.
pub fn withdraw(conn: &mut DbConnection, id: i64, by: UserId, at: NaiveDateTime, reason: &str) -> StorageResult<bool> {
    let changed =
        diesel::update(documents::table.filter(documents::id.eq(id)).filter(documents::withdrawn_at.is_null()))
            .set((
                documents::withdrawn_at.eq(Some(at)),
                documents::withdrawn_by.eq(Some(by.get())),
                documents::withdraw_reason.eq(Some(reason)),
            ))
            .execute(conn)?;
    Ok(changed == 1)
}

/// Every distinct blob the documents name (for backups).
///
/// # Errors
/// A database error.
pub fn all_hashes(conn: &mut DbConnection) -> StorageResult<Vec<String>> {
    Ok(documents::table.select(documents::sha256).distinct().order(documents::sha256.asc()).load(conn)?)
}
