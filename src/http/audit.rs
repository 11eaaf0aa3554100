//! The audit trail: a middleware records every change requested over the API, every failed
//! authentication and every read of a case page (which shows the full identity number), with who,
//! when and from which address; `GET /api/v1/audit` lists it for auditors and administrators.

use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::{get, web, HttpMessage};
use chrono::{NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AuthUser;
use super::error::{ApiError, ReadErrors};
use super::pagination::{cursor_for, Page, PageParams};
use super::AppState;
use crate::service::audit::{self, AuditFilter, AuditRow};
use crate::service::Db;
use crate::service::ServiceError;

/// The authenticated user of a request, left in its extensions by the [`AuthUser`] extractor.
#[derive(Clone, Copy, Debug)]
pub struct AuditUser(pub i64);

/// Sends entries to a writer thread that stores them in batches (on SQLite inside the group
/// commit of the database's writer thread, on PostgreSQL one transaction per batch), so auditing
/// adds no write transaction to each request.
pub struct AuditSink {
    sender: SyncSender<AuditRow>,
}

impl AuditSink {
    /// Start the writer thread on `db`.
    ///
    /// # Errors
    /// The thread cannot be started.
    pub fn start(db: Db) -> std::io::Result<Self> {
        let (sender, receiver) = sync_channel(10_000);
        std::thread::Builder::new().name("gongkai-audit".into()).spawn(move || write_loop(&db, &receiver))?;
        Ok(Self { sender })
    }

    /// Queue an entry (waits when the writer is 10,000 entries behind).
    pub fn record(&self, row: AuditRow) {
        if self.sender.send(row).is_err() {
            tracing::error!("the audit writer stopped; an entry was not recorded");
        }
    }
}

/// Most entries in one transaction.
const MAX_BATCH: usize = 500;

/// How long the writer gathers entries after the first one of a batch. Under load, storing each
/// entry as it came made batches of a few entries: a transaction (and on PostgreSQL a commit)
/// every few reads. An entry is stored at most this much later than without the wait.
const GATHER: Duration = Duration::from_millis(20);

fn write_loop(db: &Db, receiver: &Receiver<AuditRow>) {
    loop {
        let first = match receiver.recv_timeout(Duration::from_secs(3600)) {
            Ok(row) => row,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut batch = vec![first];
        let deadline = std::time::Instant::now() + GATHER;
        let mut disconnected = false;
        while batch.len() < MAX_BATCH {
            match receiver.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
                Ok(row) => batch.push(row),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    disconnected = true;
                    break;
                }
            }
        }
        let entries = batch.len();
        let stored =
            db.write_queued_blocking(move |conn| -> Result<(), ServiceError> { audit::insert_batch(conn, &batch) });
        if let Err(e) = stored {
            tracing::error!(error = %e, entries, "audit entries could not be stored");
        }
        if disconnected {
            return;
        }
    }
}

/// The case a path is about, if any (`/api/v1/cases/42/…`).
fn case_of(path: &str) -> Option<i64> {
    path.strip_prefix("/api/v1/cases/")?.split('/').next()?.parse().ok()
}

/// What to record of a finished request, if anything.
fn action(method: &Method, path: &str, status: StatusCode) -> Option<&'static str> {
    if !path.starts_with("/api/v1/") {
        return None;
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS {
        return Some("authentication_failed");
    }
    if *method != Method::GET && *method != Method::HEAD {
        return Some("change");
    }
    let is_case_page = path.strip_prefix("/api/v1/cases/").is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit()));
    (is_case_page && status.is_success()).then_some("read_identity_number")
}

/// The middleware: runs the request, then records it when [`action`] says so.
pub async fn record<B: MessageBody>(
    request: ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let method = request.method().clone();
    let path = request.path().to_string();
    let remote = request.peer_addr().map(|a| a.ip().to_string());
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let response = next.call(request).await?;
    let status = response.status();
    if let (Some(action), Some(state)) = (action(&method, &path, status), state) {
        let user_id = response.request().extensions().get::<AuditUser>().map(|u| u.0);
        state.audit.record(AuditRow {
            id: 0,
            at: Utc::now().naive_utc(),
            user_id,
            method: method.to_string(),
            case_id: case_of(&path),
            path: path.chars().take(500).collect(),
            status: i32::from(status.as_u16()),
            remote_addr: remote,
            action: action.to_string(),
        });
    }
    Ok(response)
}

/// Filters of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub case_id: Option<i64>,
    pub user_id: Option<i64>,
    /// From this instant (RFC 3339, e.g. `2026-11-26T00:00:00Z`).
    pub from: Option<chrono::DateTime<Utc>>,
    /// Up to this instant (RFC 3339).
    pub to: Option<chrono::DateTime<Utc>>,
}

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    #[serde(serialize_with = "super::rfc3339")]
    pub at: NaiveDateTime,
    /// `null` when no valid token was given.
    pub user_id: Option<i64>,
    pub method: String,
    pub path: String,
    pub status: i32,
    pub case_id: Option<i64>,
    pub remote_addr: Option<String>,
    /// `change`, `read_identity_number` or `authentication_failed`.
    pub action: String,
}

/// The audit trail, newest first (auditors and administrators; bound to an agency, they see the
/// entries of its cases and users).
#[utoipa::path(tag = "audit", params(AuditParams, PageParams),
    responses((status = 200, description = "A page of entries", body = Page<AuditEntry>), ReadErrors))]
#[get("/audit")]
async fn list_audit(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<AuditParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    let limit = page.limit()?;
    let params = params.into_inner();
    let filter = AuditFilter {
        scope: user.scope.clone(),
        case_id: params.case_id,
        user_id: params.user_id,
        from: params.from.map(|t| t.naive_utc()),
        to: params.to.map(|t| t.naive_utc()),
        before_id: page.cursor_id()?,
    };
    let rows = state.db.read(move |conn| audit::list(conn, &user, filter, limit + 1)).await?;
    Ok(web::Json(Page::from_rows(
        rows,
        limit,
        |r| cursor_for(r.id),
        |r| AuditEntry {
            id: r.id,
            at: r.at,
            user_id: r.user_id,
            method: r.method,
            path: r.path,
            status: r.status,
            case_id: r.case_id,
            remote_addr: r.remote_addr,
            action: r.action,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_identity_reads_and_failed_logins_are_recorded_and_nothing_else() {
        assert_eq!(action(&Method::POST, "/api/v1/cases", StatusCode::CREATED), Some("change"));
        assert_eq!(action(&Method::POST, "/api/v1/cases/7/decision", StatusCode::CONFLICT), Some("change"));
        assert_eq!(action(&Method::GET, "/api/v1/cases/7", StatusCode::OK), Some("read_identity_number"));
        assert_eq!(action(&Method::GET, "/api/v1/cases/7", StatusCode::NOT_FOUND), None);
        assert_eq!(action(&Method::GET, "/api/v1/cases/7/events", StatusCode::OK), None);
        assert_eq!(action(&Method::GET, "/api/v1/cases", StatusCode::UNAUTHORIZED), Some("authentication_failed"));
        assert_eq!(action(&Method::GET, "/healthz", StatusCode::OK), None);
        assert_eq!(case_of("/api/v1/cases/42/letters/decision"), Some(42));
        assert_eq!(case_of("/api/v1/cases"), None);
    }
}
