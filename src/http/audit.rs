//! The audit trail: a middleware records every change requested over the API, every failed
//! authentication and every read of a case page (which shows the full identity number), with who,
//! when and from which address; `GET /api/v1/audit` lists it for auditors and administrators.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::{get, web, HttpMessage};
use chrono::{DurationRound as _, NaiveDateTime, TimeDelta, Utc};
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
/// adds no write transaction to each request. A batch the database refuses for a passing reason
/// (connection lost, database down, file not writable) is kept and retried; entries that cannot
/// be kept (the queue is full while the database is down, or the database rejects them for
/// good) are counted in [`AuditSink::dropped`] and logged.
pub struct AuditSink {
    sender: SyncSender<AuditRow>,
    counters: Arc<AuditCounters>,
}

/// What happened to the audit entries (exported as metrics).
#[derive(Debug, Default)]
pub struct AuditCounters {
    /// Entries lost: queue full, writer gone, or rejected by the database for good.
    pub dropped: AtomicU64,
    /// Batches whose storing failed and was tried again.
    pub retries: AtomicU64,
}

/// Entries waiting for the writer at most (while the database is down, say); more are dropped
/// and counted rather than making requests wait.
const QUEUE: usize = 10_000;

impl AuditSink {
    /// Start the writer thread on `db`.
    ///
    /// # Errors
    /// The thread cannot be started.
    pub fn start(db: Db) -> std::io::Result<Self> {
        let (sender, receiver) = sync_channel(QUEUE);
        let counters = Arc::new(AuditCounters::default());
        let writing = counters.clone();
        std::thread::Builder::new()
            .name("gongkai-audit".into())
            .spawn(move || Writer { db, counters: writing, aggregates: Aggregates::default() }.run(&receiver))?;
        Ok(Self { sender, counters })
    }

    /// Queue an entry; never waits (a full queue drops it, counted and logged).
    pub fn record(&self, row: AuditRow) {
        match self.sender.try_send(row) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => self.count_dropped(1, "the audit queue is full"),
            Err(TrySendError::Disconnected(_)) => self.count_dropped(1, "the audit writer stopped"),
        }
    }

    fn count_dropped(&self, n: u64, why: &str) {
        let before = self.counters.dropped.fetch_add(n, Ordering::Relaxed);
        // One line for the first drop and then one per thousand, not one per request.
        if before.is_multiple_of(1000) {
            tracing::error!(dropped_total = before + n, why, "audit entries dropped");
        }
    }

    /// The counters of the trail's writer.
    pub fn counters(&self) -> &AuditCounters {
        &self.counters
    }
}

/// Most entries in one transaction.
const MAX_BATCH: usize = 500;

/// How long the writer gathers entries after the first one of a batch. Under load, storing each
/// entry as it came made batches of a few entries: a transaction (and on PostgreSQL a commit)
/// every few reads. An entry is stored at most this much later than without the wait.
const GATHER: Duration = Duration::from_millis(20);

/// The wait before the first retry of a batch the database refused; doubled up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(5);

/// The aggregated entry of failed authentications from one address in one minute.
type AggregateKey = (Option<String>, NaiveDateTime);

/// The writer thread's state.
struct Writer {
    db: Db,
    counters: Arc<AuditCounters>,
    aggregates: Aggregates,
}

/// The stored aggregate entry of each (address, minute) of the current and previous minute.
#[derive(Default)]
struct Aggregates(HashMap<AggregateKey, i64>);

/// What one batch writes.
#[derive(Default)]
struct Plan {
    rows: Vec<AuditRow>,
    /// First failed authentication of an (address, minute) in this batch, with its count.
    new_aggregates: Vec<(AggregateKey, AuditRow)>,
    /// Failed authentications to add to aggregates already stored.
    increments: HashMap<i64, i32>,
}

impl Plan {
    fn entries(&self) -> u64 {
        let added: i64 = self.increments.values().map(|n| i64::from(*n)).sum();
        let first: i64 = self.new_aggregates.iter().map(|(_, r)| i64::from(r.count)).sum();
        let rows = i64::try_from(self.rows.len()).unwrap_or(i64::MAX);
        u64::try_from(rows.saturating_add(added).saturating_add(first)).unwrap_or(0)
    }
}

fn minute_of(at: NaiveDateTime) -> NaiveDateTime {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at)
}

impl Aggregates {
    /// Sort a batch into plain entries and failed authentications (aggregated), as of `now`.
    fn plan(&mut self, batch: Vec<AuditRow>, now: NaiveDateTime) -> Plan {
        let mut plan = Plan::default();
        let now = minute_of(now);
        self.0.retain(|(_, minute), _| *minute >= now - TimeDelta::minutes(1));
        for row in batch {
            if row.action != FAILED_AUTHENTICATION {
                plan.rows.push(row);
                continue;
            }
            let key = (row.remote_addr.clone(), minute_of(row.at));
            if let Some(id) = self.0.get(&key) {
                *plan.increments.entry(*id).or_default() += 1;
            } else if let Some((_, pending)) = plan.new_aggregates.iter_mut().find(|(k, _)| *k == key) {
                pending.count = pending.count.saturating_add(1);
            } else {
                plan.new_aggregates.push((key, AuditRow { count: 1, ..row }));
            }
        }
        plan
    }
}

impl Writer {
    fn run(mut self, receiver: &Receiver<AuditRow>) {
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
            let plan = self.aggregates.plan(batch, Utc::now().naive_utc());
            self.store(plan);
            if disconnected {
                return;
            }
        }
    }

    /// Store a batch in one transaction, retrying while the database refuses it for a passing
    /// reason (new entries wait in the queue meanwhile).
    fn store(&mut self, plan: Plan) {
        let plan = Arc::new(plan);
        let mut wait = RETRY_FIRST;
        loop {
            let batch = plan.clone();
            let result = self.db.write_queued_blocking(move |conn| -> Result<Vec<i64>, ServiceError> {
                let plan = &*batch;
                audit::insert_batch(conn, &plan.rows)?;
                for (id, n) in &plan.increments {
                    audit::add_to_count(conn, *id, *n)?;
                }
                plan.new_aggregates.iter().map(|(_, row)| audit::insert_one(conn, row)).collect()
            });
            match result {
                Ok(ids) => {
                    for ((key, _), id) in plan.new_aggregates.iter().zip(ids) {
                        self.aggregates.0.insert(key.clone(), id);
                    }
                    return;
                }
                Err(e) if is_lasting(&e) => {
                    let n = plan.entries();
                    self.counters.dropped.fetch_add(n, Ordering::Relaxed);
                    tracing::error!(error = %e, entries = n, "audit entries rejected by the database; dropped");
                    return;
                }
                Err(e) => {
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, entries = plan.entries(), retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "audit entries could not be stored; retrying");
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(RETRY_MAX);
                }
            }
        }
    }
}

/// Whether the database refused the entries themselves (a constraint), so that retrying them
/// cannot help; anything else (connection, lock, I/O) may pass.
fn is_lasting(error: &ServiceError) -> bool {
    audit::is_lasting(error)
}

/// The action of a failed authentication.
const FAILED_AUTHENTICATION: &str = "authentication_failed";

/// The routes of the case page, which shows the applicant's full identity number: the API's
/// and the console's.
const CASE_PAGES: [&str; 2] = ["/api/v1/cases/{id}", "/cases/{id}"];

/// The intake form's look-up of an applicant on file by identity document (the number is in the
/// query, which is never recorded; the look-up itself is).
const APPLICANT_LOOK_UP: &str = "/intake/applicant";

/// Whether a path or route is one of the staff console's pages (not an asset, the docs or a probe).
fn is_console(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path.starts_with("/assets/")
        || path.starts_with("/docs")
        || path == "/healthz"
        || path == "/readyz"
        || path == "/metrics")
}

/// What to record of a finished request, if anything, from its method, the pattern of the route
/// that served it (`None`: no route) and its status — the API's and the console's alike. Decided
/// by the route, never by the raw path: `/cases/+18` and `/cases/%31%38` are refused before any
/// handler, and anything a handler served is classified by what it is.
fn action(method: &Method, pattern: Option<&str>, raw_path: &str, status: StatusCode) -> Option<&'static str> {
    let path = pattern.unwrap_or(raw_path);
    if !path.starts_with("/api/v1/") && !is_console(path) {
        return None;
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS {
        return Some(FAILED_AUTHENTICATION);
    }
    if *method != Method::GET && *method != Method::HEAD {
        return Some("change");
    }
    if pattern == Some(APPLICANT_LOOK_UP) && status.is_success() {
        return Some("look_up_applicant");
    }
    if pattern.is_some_and(|p| LEDGER_EXPORTS.contains(&p)) && status.is_success() {
        return Some("export_ledger");
    }
    if pattern.is_some_and(|p| DOCUMENT_DOWNLOADS.contains(&p)) && status.is_success() {
        return Some("download_document");
    }
    (pattern.is_some_and(|p| CASE_PAGES.contains(&p)) && status.is_success()).then_some("read_identity_number")
}

/// The routes of a document's download (the API's by document id, the console's under its case):
/// recorded as reads, with the document in the path.
const DOCUMENT_DOWNLOADS: [&str; 2] = ["/api/v1/documents/{id}", "/cases/{id}/documents/{document_id}"];

/// The case a handler says the request was about, when its route does not name it (a document's
/// download by document id): put in the request's extensions for the audit entry.
#[derive(Clone, Copy, Debug)]
pub struct AuditCase(pub i64);

/// The routes of the ledger export (many cases at once, with identity numbers): recorded as reads.
const LEDGER_EXPORTS: [&str; 2] = ["/api/v1/cases/export", "/cases/export"];

/// The path of a request as its route names it: the pattern with each parameter replaced by the
/// value the router extracted (`{id}` stays when the request was refused before routing).
fn route_path(pattern: &str, info: &actix_web::dev::Path<actix_web::dev::Url>) -> String {
    pattern
        .split('/')
        .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => info.get(name).unwrap_or(segment).to_string(),
            None => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The case a route is about, from the id the router extracted (`/api/v1/cases/{id}/…`, or the
/// console's `/cases/{id}/…`).
fn case_of(pattern: &str, info: &actix_web::dev::Path<actix_web::dev::Url>) -> Option<i64> {
    let about_a_case = CASE_PAGES.iter().any(|page| pattern == *page || pattern.starts_with(&format!("{page}/")));
    if about_a_case {
        info.get("id").filter(|id| super::canonical::is_canonical_number(id))?.parse().ok()
    } else {
        None
    }
}

/// The middleware: runs the request, then records it when [`action`] says so.
pub async fn record<B: MessageBody>(
    request: ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let method = request.method().clone();
    let remote = super::client::client_ip(request.request()).map(|ip| ip.to_string());
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let response = next.call(request).await?;
    let status = response.status();
    let req = response.request();
    let pattern = req.match_pattern();
    if let (Some(action), Some(state)) = (action(&method, pattern.as_deref(), req.path(), status), state) {
        let user_id = req.extensions().get::<AuditUser>().map(|u| u.0);
        let (path, case_id) = match &pattern {
            Some(pattern) => (
                route_path(pattern, req.match_info()),
                case_of(pattern, req.match_info()).or_else(|| req.extensions().get::<AuditCase>().map(|c| c.0)),
            ),
            // No route served it (404): what was asked, shortened; it names no case.
            None => (req.path().chars().take(200).collect(), None),
        };
        state.audit.record(AuditRow {
            id: 0,
            at: Utc::now().naive_utc(),
            user_id,
            method: method.to_string(),
            case_id,
            path: path.chars().take(500).collect(),
            status: i32::from(status.as_u16()),
            remote_addr: remote,
            action: action.to_string(),
            count: 1,
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
    /// `change`, `read_identity_number`, `export_ledger`, `download_document` or
    /// `authentication_failed`.
    pub action: String,
    /// How many requests the entry stands for: failed authentications are stored as one entry
    /// per client address and minute (per instance), with their number; 1 for everything else.
    pub count: i32,
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
            count: r.count,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_identity_reads_and_failed_logins_are_recorded_and_nothing_else() {
        let case = Some(CASE_PAGES[0]);
        assert_eq!(action(&Method::POST, Some("/api/v1/cases"), "/api/v1/cases", StatusCode::CREATED), Some("change"));
        let decision = Some("/api/v1/cases/{id}/decision");
        assert_eq!(action(&Method::POST, decision, "/api/v1/cases/7/decision", StatusCode::CONFLICT), Some("change"));
        assert_eq!(action(&Method::GET, case, "/api/v1/cases/7", StatusCode::OK), Some("read_identity_number"));
        assert_eq!(action(&Method::GET, case, "/api/v1/cases/7", StatusCode::NOT_FOUND), None);
        let events = Some("/api/v1/cases/{id}/events");
        assert_eq!(action(&Method::GET, events, "/api/v1/cases/7/events", StatusCode::OK), None);
        let list = Some("/api/v1/cases");
        assert_eq!(
            action(&Method::GET, list, "/api/v1/cases", StatusCode::UNAUTHORIZED),
            Some("authentication_failed")
        );
        assert_eq!(action(&Method::GET, Some("/healthz"), "/healthz", StatusCode::OK), None);
        assert_eq!(action(&Method::POST, None, "/api/v1/nothing", StatusCode::NOT_FOUND), Some("change"));
        // The console's doors are recorded the same way.
        assert_eq!(action(&Method::POST, Some("/intake"), "/intake", StatusCode::SEE_OTHER), Some("change"));
        assert_eq!(
            action(&Method::POST, Some("/login"), "/login", StatusCode::UNAUTHORIZED),
            Some("authentication_failed")
        );
        assert_eq!(action(&Method::GET, Some("/cases/{id}"), "/cases/7", StatusCode::OK), Some("read_identity_number"));
        assert_eq!(action(&Method::GET, Some("/cases"), "/cases", StatusCode::OK), None);
        let export = Some("/api/v1/cases/export");
        assert_eq!(action(&Method::GET, export, "/api/v1/cases/export", StatusCode::OK), Some("export_ledger"));
        assert_eq!(action(&Method::GET, export, "/api/v1/cases/export", StatusCode::NOT_FOUND), None);
        assert_eq!(action(&Method::GET, None, "/assets/console.0123.css", StatusCode::OK), None);
        let download = Some("/api/v1/documents/{id}");
        assert_eq!(action(&Method::GET, download, "/api/v1/documents/3", StatusCode::OK), Some("download_document"));
        assert_eq!(action(&Method::GET, download, "/api/v1/documents/3", StatusCode::NOT_FOUND), None);
    }

    #[test]
    fn failed_authentications_are_aggregated_per_address_and_minute() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap().and_hms_opt(10, 0, 5).unwrap();
        let row = |addr: &str, at: NaiveDateTime, action: &str| AuditRow {
            id: 0,
            at,
            user_id: None,
            method: "GET".into(),
            path: "/api/v1/cases".into(),
            status: 401,
            case_id: None,
            remote_addr: Some(addr.into()),
            action: action.into(),
            count: 1,
        };
        let mut aggregates = Aggregates::default();
        aggregates.0.insert((Some("192.0.2.9".into()), minute_of(at)), 41);
        aggregates.0.insert((Some("192.0.2.9".into()), minute_of(at) - TimeDelta::minutes(5)), 7);
        let later = at + TimeDelta::seconds(70);
        let plan = aggregates.plan(
            vec![
                row("192.0.2.1", at, FAILED_AUTHENTICATION),
                row("192.0.2.1", at + TimeDelta::seconds(30), FAILED_AUTHENTICATION),
                row("192.0.2.1", later, FAILED_AUTHENTICATION),
                row("192.0.2.9", at, FAILED_AUTHENTICATION),
                row("192.0.2.1", at, "change"),
            ],
            at,
        );
        assert_eq!(aggregates.0.len(), 1, "entries of earlier minutes are forgotten");
        assert_eq!(plan.rows.len(), 1, "other entries are stored one by one");
        let counts: Vec<(NaiveDateTime, i32)> =
            plan.new_aggregates.iter().map(|((_, minute), r)| (*minute, r.count)).collect();
        assert_eq!(counts, [(minute_of(at), 2), (minute_of(later), 1)]);
        assert_eq!(plan.increments, HashMap::from([(41, 1)]), "added to the stored entry of its minute");
        assert_eq!(plan.entries(), 5);
    }
}
