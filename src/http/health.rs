//! Liveness and readiness probes (public).

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;

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

/// The database is reachable.
#[utoipa::path(tag = "health", security(()), responses(
    (status = 200, description = "Ready", body = Health),
    (status = 503, description = "The database is not reachable", body = Health)))]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.clone();
    let ok = actix_web::rt::task::spawn_blocking(move || db.ping()).await.unwrap_or(false);
    if ok {
        HttpResponse::Ok().json(Health { status: "ok".into() })
    } else {
        HttpResponse::ServiceUnavailable().json(Health { status: "unavailable".into() })
    }
}
