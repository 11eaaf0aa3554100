//! `GET /metrics`: the service's metrics in the Prometheus text format, for the clients of
//! `metrics.allow` only (others get 404, as if it did not exist): requests by route pattern,
//! method and status, their latency, the database pools, the outbox queue, the audit trail's
//! dropped entries and the sweep's runs.
//!
//! The `prometheus` crate (TiKV's, maintained, without its protobuf feature) rather than a
//! hand-written registry: the text format, label escaping and histogram buckets are its job. Each
//! [`AppState`] has a registry of its own, so several services in one process (the tests) do not
//! count into each other.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use prometheus::{Encoder as _, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry};

use super::error::ApiError;
use super::AppState;

/// The metrics of one service.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    sweep_runs: IntCounterVec,
    audit_dropped: IntCounter,
    audit_retries: IntCounter,
    pool: IntGaugeVec,
    outbox: IntGaugeVec,
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    ///
    /// # Errors
    /// A metric cannot be registered (a programming error: duplicate names).
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("gongkai".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered, by route pattern, method and status"),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to answer an HTTP request, by route pattern")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["route", "method"],
        )?;
        let sweep_runs = IntCounterVec::new(
            Opts::new("sweep_runs_total", "Daily sweep runs of this instance: done, already_done (another instance or an earlier run had the day), failed"),
            &["result"],
        )?;
        let audit_dropped =
            IntCounter::new("audit_entries_dropped_total", "Audit entries that could not be stored and were dropped")?;
        let audit_retries = IntCounter::new(
            "audit_store_retries_total",
            "Times a batch of audit entries was stored again after a failure",
        )?;
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database connections by pool and state (idle, in_use, max)"),
            &["pool", "state"],
        )?;
        let outbox = IntGaugeVec::new(
            Opts::new("outbox_messages", "Outbox messages waiting or given up on, by status"),
            &["status"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(sweep_runs.clone()))?;
        registry.register(Box::new(audit_dropped.clone()))?;
        registry.register(Box::new(audit_retries.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(outbox.clone()))?;
        for result in ["done", "already_done", "failed"] {
            sweep_runs.with_label_values(&[result]);
        }
        Ok(Self { registry, requests, latency, sweep_runs, audit_dropped, audit_retries, pool, outbox })
    }

    /// Count a sweep run: `done`, `already_done` or `failed`.
    pub fn sweep_run(&self, result: &str) {
        self.sweep_runs.with_label_values(&[result]).inc();
    }

    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.latency.with_label_values(&[route, method]).observe(seconds);
    }

    /// Bring a counter kept elsewhere (an atomic) up to `total`.
    fn catch_up(counter: &IntCounter, total: u64) {
        let current = counter.get();
        if total > current {
            counter.inc_by(total - current);
        }
    }
}

/// The middleware: counts and times every request by the pattern of the route that served it
/// (`unmatched` when none did), so that ids never become label values.
///
/// # Errors
/// Whatever the wrapped service fails with.
pub async fn observe<B: MessageBody>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let started = Instant::now();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let method = request.method().clone();
    let outcome = next.call(request).await;
    if let Some(state) = state {
        let (route, status) = match &outcome {
            Ok(response) => (response.request().match_pattern(), response.status().as_u16()),
            Err(error) => (None, error.as_response_error().status_code().as_u16()),
        };
        let route = route.unwrap_or_else(|| "unmatched".to_string());
        state.metrics.observe(&route, method.as_str(), status, started.elapsed().as_secs_f64());
    }
    outcome
}

/// `GET /metrics`.
///
/// # Errors
/// 404 for a client outside `metrics.allow`.
pub async fn scrape(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let allowed =
        super::client::client_ip(&request).is_some_and(|ip| super::client::any_contains(&state.metrics_allow, ip));
    if !allowed {
        return Err(ApiError::NotFound { what: "resource", code: "route_not_found" });
    }
    let metrics = &state.metrics;
    for (pool, state) in state.db.pool_states() {
        metrics.pool.with_label_values(&[pool, "idle"]).set(i64::from(state.idle));
        metrics.pool.with_label_values(&[pool, "in_use"]).set(i64::from(state.connections - state.idle));
        metrics.pool.with_label_values(&[pool, "max"]).set(i64::from(state.max));
    }
    let counters = state.audit.counters();
    Metrics::catch_up(&metrics.audit_dropped, counters.dropped.load(std::sync::atomic::Ordering::Relaxed));
    Metrics::catch_up(&metrics.audit_retries, counters.retries.load(std::sync::atomic::Ordering::Relaxed));
    // The queue's depth is read each time; when the database is down the other metrics are still
    // answered (the outbox gauges keep their last values).
    let queue = state.db.read(crate::service::outbox::queue_depth).await;
    match queue {
        Ok(counts) => {
            for (status, n) in counts {
                metrics.outbox.with_label_values(&[status]).set(n);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: the outbox queue could not be counted"),
    }
    let mut text = Vec::new();
    prometheus::TextEncoder::new()
        .encode(&metrics.registry.gather(), &mut text)
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(HttpResponse::Ok().content_type(prometheus::TEXT_FORMAT).body(text))
}
