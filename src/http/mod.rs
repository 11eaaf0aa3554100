//! The HTTP API: actix-web handlers registered through utoipa-actix-web, so the OpenAPI document
//! is built from the same routing code as the server.

pub mod agencies;
pub mod appeals;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod canonical;
pub mod cases;
pub mod client;
pub mod corrections;
pub mod documents;
pub mod error;
pub mod extract;
pub mod headers;
pub mod health;
pub mod ledger;
pub mod letters;
pub mod logging;
pub mod messages;
pub mod metrics;
pub mod pagination;
pub mod portal;
pub mod public;
pub mod report_text;
pub mod reports;
pub mod similar;
pub mod steps;
pub mod submissions;
pub mod users;
pub mod workflow;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer, ResponseError as _};
use chrono::NaiveDateTime;
use tracing_actix_web::TracingLogger;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::{scope, service_config::ServiceConfig, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::service::Context;
use error::ApiError;
use extract::BodyLimit;

/// Shared state of every worker: the use cases' [`Context`] (database, calendar, rules, letters;
/// reached through `Deref`) and what only the HTTP server needs.
pub struct AppState {
    pub context: Context,
    /// Failed authentications per client address.
    pub auth_failures: auth::FailureLimiter,
    /// Tokens recently found valid.
    pub auth_cache: auth::AuthCache,
    /// Tokens recently found invalid.
    pub rejected_tokens: auth::RejectedTokens,
    /// The audit trail's writer.
    pub audit: audit::AuditSink,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`server.trusted_proxies`).
    pub trusted_proxies: Arc<Vec<client::IpNet>>,
    /// Clients that may read `/metrics` (`metrics.allow`).
    pub metrics_allow: Arc<Vec<client::IpNet>>,
    /// The service's metrics.
    pub metrics: metrics::Metrics,
    /// Text searches running at once at most (`database.search_concurrency`): more wait here,
    /// so that a crowd of searches cannot take every connection and core from case reads.
    pub search_slots: Arc<tokio::sync::Semaphore>,
    /// How long console sessions last, and whether their cookie is `Secure`.
    pub sessions: crate::service::sign_in::SessionPolicy,
    pub cookie_secure: bool,
    /// The largest ledger file an import accepts, and how long sending it may take.
    pub import_limit: usize,
    pub import_timeout: std::time::Duration,
    /// The public portal's challenges and per-address limits.
    pub portal: Arc<portal::Portal>,
    /// The documents' files (`files.dir`) and the largest one accepted (`files.max_bytes`).
    pub files: crate::service::documents::BlobStore,
    pub document_limit: usize,
    /// How long sending a document may take (`files.read_timeout_seconds`).
    pub document_timeout: std::time::Duration,
}

impl std::ops::Deref for AppState {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.context
    }
}

impl AppState {
    /// The state of a service; starts the audit writer thread.
    ///
    /// # Errors
    /// The audit writer thread cannot be started.
    pub fn new(context: Context) -> std::io::Result<Self> {
        Ok(Self {
            audit: audit::AuditSink::start(context.db.clone())?,
            context,
            auth_failures: auth::FailureLimiter::new(u32::MAX),
            auth_cache: auth::AuthCache::new(std::time::Duration::ZERO),
            rejected_tokens: auth::RejectedTokens::default(),
            trusted_proxies: Arc::default(),
            metrics_allow: Arc::new(client::IpNet::loopback()),
            metrics: metrics::Metrics::new().map_err(std::io::Error::other)?,
            search_slots: Arc::new(tokio::sync::Semaphore::new(2)),
            sessions: crate::service::sign_in::SessionPolicy::default(),
            cookie_secure: false,
            import_limit: 50 * 1024 * 1024,
            import_timeout: std::time::Duration::from_secs(120),
            portal: Arc::default(),
            files: crate::service::documents::BlobStore::new("data/files"),
            document_limit: 20 * 1024 * 1024,
            document_timeout: std::time::Duration::from_secs(120),
        })
    }

    /// Run at most `n` text searches at once.
    pub fn with_search_concurrency(mut self, n: usize) -> Self {
        self.search_slots = Arc::new(tokio::sync::Semaphore::new(n.max(1)));
        self
    }

    /// Believe `X-Forwarded-For` from `trusted_proxies`; let `metrics_allow` read `/metrics`.
    pub fn with_networks(mut self, trusted_proxies: Vec<client::IpNet>, metrics_allow: Vec<client::IpNet>) -> Self {
        self.trusted_proxies = Arc::new(trusted_proxies);
        self.metrics_allow = Arc::new(metrics_allow);
        self
    }

    /// Console sessions last as `policy` says; `secure` marks their cookie `Secure`.
    pub fn with_sessions(mut self, policy: crate::service::sign_in::SessionPolicy, secure: bool) -> Self {
        self.sessions = policy;
        self.cookie_secure = secure;
        self
    }

    /// Accept ledger files of up to `limit` bytes, sent within `timeout`.
    pub fn with_import_limit(mut self, limit: usize, timeout: std::time::Duration) -> Self {
        self.import_limit = limit;
        self.import_timeout = timeout;
        self
    }

    /// Keep documents' files in `files`; accept documents of up to `limit` bytes, sent within
    /// `timeout`.
    pub fn with_files(
        mut self,
        files: crate::service::documents::BlobStore,
        limit: usize,
        timeout: std::time::Duration,
    ) -> Self {
        self.files = files;
        self.document_limit = limit;
        self.document_timeout = timeout;
        self
    }

    /// The portal's challenge and limits as configured.
    pub fn with_portal(mut self, settings: &crate::config::PortalSettings) -> Self {
        self.portal = Arc::new(portal::Portal::new(settings));
        self
    }

    /// Remember valid tokens for `ttl` (zero: never).
    pub fn with_auth_cache(mut self, ttl: std::time::Duration) -> Self {
        self.auth_cache = auth::AuthCache::new(ttl);
        self
    }

    /// Allow `limit` failed authentications per client address and minute.
    pub fn with_failure_limit(mut self, limit: u32) -> Self {
        self.auth_failures = auth::FailureLimiter::new(limit);
        self
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gongkai",
        description = "Case tracking for government-information disclosure requests (政府信息公开申请): \
            intake, statutory clocks in working days, decisions with their legal grounds, and the annual report.",
        license(name = "MIT")
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "agencies", description = "The agency tree"),
        (name = "users", description = "Users, roles and tokens"),
        (name = "cases", description = "Disclosure requests and their lifecycle"),
        (name = "calendar", description = "The national working-day calendar"),
        (name = "appeals", description = "Reconsideration and litigation (section four)"),
        (name = "letters", description = "Letters as issued: the print queue, posting and service"),
        (name = "reports", description = "The annual report: sections two to four, the written parts and the whole document"),
        (name = "audit", description = "Who did what, when, from where"),
        (name = "workflow", description = "Who handles a case and where: assignment, routing to units, supervisors' chases"),
        (name = "submissions", description = "Online applications waiting for the intake desk"),
        (name = "public", description = "The public portal: online applications and the applicant's status (no sign-in)"),
        (name = "health", description = "Probes"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Every `/api/v1` route.
fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(agencies::create_agency)
        .service(agencies::list_agencies)
        .service(agencies::get_agency)
        .service(agencies::update_agency)
        .service(agencies::dashboard)
        .service(calendar::list_years)
        .service(calendar::get_year)
        .service(calendar::put_year)
        .service(calendar::year_changes)
        .service(users::create_user)
        .service(users::list_users)
        .service(users::me)
        .service(users::get_user)
        .service(users::deactivate_user)
        .service(users::activate_user)
        .service(users::issue_token)
        .service(users::set_login)
        .service(users::set_password)
        .service(cases::intake::create_case)
        .service(public::challenge)
        .service(public::apply)
        .service(public::status)
        .service(public::withdraw)
        .service(submissions::list_submissions)
        .service(submissions::confirm)
        .service(submissions::reject)
        .service(ledger::export_ledger)
        .service(ledger::import_ledger)
        .service(cases::list_cases)
        .service(cases::get_case)
        .service(cases::case_events)
        .service(cases::case_outbox)
        .service(cases::case_clock)
        .service(documents::upload_document)
        .service(documents::list_documents)
        .service(documents::download_document)
        .service(documents::withdraw_document)
        .service(similar::similar_cases)
        .service(steps::request_correction)
        .service(steps::receive_correction)
        .service(steps::start_consultation)
        .service(steps::list_consultations)
        .service(steps::reply_consultation)
        .service(steps::extend)
        .service(steps::issue_fee_notice)
        .service(steps::pay_fee)
        .service(steps::request_reasons)
        .service(steps::receive_reasons)
        .service(workflow::get_assignment)
        .service(workflow::assign)
        .service(workflow::reassign_all)
        .service(workflow::route)
        .service(workflow::accept_routing)
        .service(workflow::return_routing)
        .service(workflow::create_chase)
        .service(workflow::case_chases)
        .service(workflow::close_chase)
        .service(workflow::open_chases)
        .service(cases::decide)
        .service(cases::withdraw)
        .service(steps::amend)
        .service(corrections::void)
        .service(corrections::correct_intake)
        .service(corrections::revoke)
        .service(letters::print_queue)
        .service(letters::mark_printed)
        .service(letters::mark_posted)
        .service(letters::mark_served)
        .service(letters::get_settings)
        .service(letters::put_settings)
        .service(steps::case_letters)
        .service(steps::letter)
        .service(audit::list_audit)
        .service(appeals::file_appeal)
        .service(appeals::case_appeals)
        .service(appeals::list_appeals)
        .service(appeals::get_appeal)
        .service(appeals::appeal_result)
        .service(reports::annual_report)
        .service(reports::cell_cases)
        .service(reports::seal_report)
        .service(reports::drift)
        .service(reports::get_section_two)
        .service(reports::put_section_two)
        .service(report_text::get_text)
        .service(report_text::put_text)
        .service(report_text::text_versions)
        .service(report_text::text_figures)
        .service(report_text::report_document);
}

/// The OpenAPI document, built from the routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(health::healthz)
        .service(health::readyz)
        .service(scope::scope("/api/v1").configure(api_v1))
        .split_for_parts();
    api
}

/// Serialise a UTC instant stored without its zone as RFC 3339 (`2026-11-26T10:24:00.123456Z`),
/// as the API contract promises for every timestamp.
///
/// # Errors
/// Whatever the serialiser fails with.
pub fn rfc3339<S: serde::Serializer>(at: &NaiveDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

/// [`rfc3339`] for an optional instant (`null` when absent).
///
/// # Errors
/// Whatever the serialiser fails with.
pub fn rfc3339_opt<S: serde::Serializer>(at: &Option<NaiveDateTime>, serializer: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, serializer),
        None => serializer.serialize_none(),
    }
}

async fn openapi_json(document: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(document.get_ref())
}

/// Settings of the HTTP server.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    pub workers: usize,
    pub body_limit: usize,
    pub client_request_timeout: std::time::Duration,
    /// How long reading a request's body may take.
    pub body_read_timeout: std::time::Duration,
}

/// Build the server on a bound listener (port 0 picks a free port, as the tests do).
///
/// # Errors
/// The listener cannot be used.
pub fn server(listener: TcpListener, state: Arc<AppState>, options: &ServerOptions) -> std::io::Result<Server> {
    crate::web::templates::check().map_err(std::io::Error::other)?;
    let state = web::Data::from(state);
    let body_limit = options.body_limit;
    let body_timeout = extract::BodyTimeout(options.body_read_timeout);
    // Built once: served as JSON (before the /api/v1 scope, which would otherwise answer 404).
    let document = web::Data::new(openapi());
    let mut server = HttpServer::new(move || {
        let (app, api) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .map(|app| {
                // Innermost first: canonical paths are checked before routing reaches a handler,
                // the audit trail sees every answer (refusals too), the headers and the metrics
                // apply to everything, and the request's log span encloses it all.
                app.wrap(actix_web::middleware::from_fn(canonical::require_canonical_paths))
                    .wrap(actix_web::middleware::from_fn(audit::record))
                    .wrap(actix_web::middleware::from_fn(headers::security_headers))
                    .wrap(actix_web::middleware::from_fn(metrics::observe))
                    .wrap(TracingLogger::<logging::RedactedSpan>::new())
                    .app_data(state.clone())
                    .app_data(document.clone())
                    .route("/api/v1/openapi.json", web::get().to(openapi_json))
                    .route("/metrics", web::get().to(metrics::scrape))
                    .app_data(web::PayloadConfig::new(body_limit))
                    .app_data(BodyLimit(body_limit))
                    .app_data(body_timeout)
                    .app_data(web::PathConfig::default().error_handler(|err, req| {
                        let names: Vec<(String, String)> =
                            req.match_info().iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
                        ApiError::bad_request("invalid_path", messages::path_error(&err.to_string(), &names)).into()
                    }))
                    // `web::Query` (handlers not yet on `extract::Query`, which names the parameter).
                    .app_data(web::QueryConfig::default().error_handler(|err, _| {
                        ApiError::bad_request("invalid_query", messages::query_error(&err.to_string())).into()
                    }))
            })
            .service(health::healthz)
            .service(health::readyz)
            .service(scope::scope("/api/v1").configure(api_v1))
            .split_for_parts();
        // The routes' document is `api`; `openapi()` built the same one above for serving.
        drop(api);
        app.configure(crate::web::configure)
            .service(SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"])))
            .route(
                "/docs",
                web::get()
                    .to(|| async { HttpResponse::PermanentRedirect().insert_header(("Location", "/docs/")).finish() }),
            )
            .default_service(web::to(|req: actix_web::HttpRequest| async move {
                // Programs get problem+json; a person who typed a wrong address gets a page.
                if req.path().starts_with("/api/") {
                    ApiError::NotFound { what: "resource", code: "route_not_found" }.error_response()
                } else {
                    crate::web::error::PageError::NotFound.error_response()
                }
            }))
    });
    server = server.client_request_timeout(options.client_request_timeout);
    if options.workers > 0 {
        server = server.workers(options.workers);
    }
    Ok(server.listen(listener)?.run())
}
