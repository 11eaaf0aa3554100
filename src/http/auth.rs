//! Bearer-token authentication as an extractor: every `/api/v1` handler takes an [`AuthUser`].

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::error::ApiError;
use super::AppState;
use crate::service::{auth, Actor};

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct AuthUser(pub Actor);

impl std::ops::Deref for AuthUser {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.0
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let address = req.peer_addr().map(|a| a.ip());
        let request = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::corrupt("application state missing"))?;
            let limiter = &state.auth_failures;
            if let Some(ip) = address {
                limiter.check(ip).map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
            }
            let failed = |detail: &'static str| {
                if let Some(ip) = address {
                    limiter.record_failure(ip);
                }
                ApiError::Unauthorized { detail }
            };
            let Some(token) = token else {
                return Err(failed("send `Authorization: Bearer <token>`; `gongkai user add` creates a token"));
            };
            let actor = state.db.read(move |conn| auth::authenticate(conn, &token)).await.map_err(ApiError::from)?;
            let actor = actor.ok_or_else(|| failed("the token is unknown, revoked, or its user is deactivated"))?;
            request.extensions_mut().insert(super::audit::AuditUser(actor.user_id));
            Ok(AuthUser(actor))
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 256).then(|| token.to_string())
}

/// Failed authentications per client address in fixed one-minute windows: past the limit, an
/// address gets 429 until its window ends (guessing tokens is pointless, but a flood of attempts
/// still costs database lookups).
pub struct FailureLimiter {
    limit: u32,
    window: Duration,
    entries: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl FailureLimiter {
    /// A limiter allowing `limit` failures per address and minute.
    pub fn new(limit: u32) -> Self {
        Self { limit, window: Duration::from_secs(60), entries: Mutex::new(HashMap::new()) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (Instant, u32)>> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// `Err(seconds to wait)` when `ip` used up its failures in the current window.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        match self.entries().get(&ip) {
            Some(&(start, count)) if count >= self.limit && start.elapsed() < self.window => {
                Err(self.window.saturating_sub(start.elapsed()).as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    /// Count a failure of `ip`.
    pub fn record_failure(&self, ip: IpAddr) {
        let mut entries = self.entries();
        if entries.len() > 100_000 {
            entries.retain(|_, (start, _)| start.elapsed() < self.window);
        }
        let entry = entries.entry(ip).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}
