//! Liveness and readiness probes (public).

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::service::Readiness;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when a dependency is down.
    pub status: String,
}

/// The process is up.
#[utoipa::path(tag = "health", security(()), responses((status = 200, description = "Up", body = Health)))]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// The service can work: the database is reachable, migrated to this version and writable.
/// `status` is `ok`, or `unavailable`, `migrations_pending` or `read_only` (with 503).
#[utoipa::path(tag = "health", security(()), responses(
    (status = 200, description = "Ready", body = Health),
    (status = 503, description = "The database is not reachable, not migrated, or not writable", body = Health)))]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.clone();
    let readiness = actix_web::rt::task::spawn_blocking(move || db.readiness())
        .await
        .unwrap_or_else(|e| Readiness::Unreachable(e.to_string()));
    let status = match readiness {
        Readiness::Ready => return HttpResponse::Ok().json(Health { status: "ok".into() }),
        Readiness::Unreachable(e) => {
            tracing::warn!(error = %e, "not ready: the database is not reachable");
            "unavailable"
        }
        Readiness::MigrationsPending => "migrations_pending",
        Readiness::NotWritable(e) => {
            tracing::warn!(error = %e, "not ready: the database cannot be written");
            "read_only"
        }
    };
    HttpResponse::ServiceUnavailable().json(Health { status: status.into() })
}
