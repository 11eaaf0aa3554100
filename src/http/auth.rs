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
                return Err(failed(
                    "请在请求头中提供 `Authorization: Bearer <令牌>`；令牌可用 `gongkai user add` 创建",
                ));
            };
            let hash = auth::hash_token(&token);
            let actor = match state.auth_cache.get(&hash) {
                Some(actor) => actor,
                None => {
                    let generation = state.auth_cache.generation();
                    let key = hash.clone();
                    let found = state.db.read(move |conn| auth::authenticate_hashed(conn, &key)).await?;
                    let actor = found.ok_or_else(|| failed("令牌无效、已被吊销，或其用户已停用"))?;
                    state.auth_cache.put(hash, actor.clone(), generation);
                    actor
                }
            };
            request.extensions_mut().insert(super::audit::AuditUser(actor.user_id.get()));
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

/// Valid tokens (by hash) with their actor, for a few seconds: most requests then need no
/// database task to authenticate. Only successes are kept; changes to users and tokens made
/// through this instance clear it ([`AuthCache::clear`]), so they take effect at once here and
/// within the time to live on other instances.
pub struct AuthCache {
    ttl: Duration,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    /// Counts the clears, so that a lookup that started before one cannot store what it found.
    generation: u64,
    by_hash: HashMap<String, (Instant, Actor)>,
}

impl AuthCache {
    /// Most tokens remembered at once (more are simply looked up again).
    const CAPACITY: usize = 10_000;

    /// A cache keeping entries for `ttl` (zero disables it).
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::new(Entries::default()) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The actor of a token hash found valid less than the time to live ago.
    pub fn get(&self, hash: &str) -> Option<Actor> {
        if self.ttl.is_zero() {
            return None;
        }
        match self.entries().by_hash.get(hash) {
            Some((at, actor)) if at.elapsed() < self.ttl => Some(actor.clone()),
            _ => None,
        }
    }

    /// The current generation: take it before looking a token up, and give it to [`Self::put`].
    pub fn generation(&self) -> u64 {
        self.entries().generation
    }

    /// Remember that `hash` belongs to `actor`, as found by a lookup that started at `generation`
    /// (nothing is stored when the cache was cleared since: the lookup may predate the change).
    pub fn put(&self, hash: String, actor: Actor, generation: u64) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if entries.generation != generation {
            return;
        }
        if entries.by_hash.len() >= Self::CAPACITY {
            entries.by_hash.retain(|_, (at, _)| at.elapsed() < self.ttl);
            if entries.by_hash.len() >= Self::CAPACITY {
                entries.by_hash.clear();
            }
        }
        entries.by_hash.insert(hash, (Instant::now(), actor));
    }

    /// Forget every token (after a change to users or tokens).
    pub fn clear(&self) {
        let mut entries = self.entries();
        entries.generation = entries.generation.wrapping_add(1);
        entries.by_hash.clear();
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn actor(user_id: i64) -> Actor {
        Actor {
            user_id: crate::domain::UserId::new(user_id),
            name: "clerk".into(),
            role: Role::Clerk,
            agency_id: Some(crate::domain::AgencyId::new(1)),
            scope: Some("/1/".into()),
        }
    }

    #[test]
    fn cache_keeps_tokens_for_its_time_to_live_only() {
        let cache = AuthCache::new(Duration::from_millis(50));
        assert_eq!(cache.get("h"), None);
        cache.put("h".into(), actor(7), cache.generation());
        assert_eq!(cache.get("h"), Some(actor(7)));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get("h"), None, "expired");
    }

    #[test]
    fn cache_clear_forgets_every_token_and_zero_disables_it() {
        let cache = AuthCache::new(Duration::from_secs(60));
        cache.put("a".into(), actor(1), 0);
        cache.put("b".into(), actor(2), 0);
        cache.clear();
        assert_eq!((cache.get("a"), cache.get("b")), (None, None));
        let off = AuthCache::new(Duration::ZERO);
        off.put("a".into(), actor(1), 0);
        assert_eq!(off.get("a"), None);
    }

    #[test]
    fn a_lookup_that_started_before_a_clear_is_not_stored() {
        let cache = AuthCache::new(Duration::from_secs(60));
        let before = cache.generation();
        cache.clear();
        cache.put("a".into(), actor(1), before);
        assert_eq!(cache.get("a"), None, "found before the revocation, so possibly stale");
        cache.put("a".into(), actor(1), cache.generation());
        assert_eq!(cache.get("a"), Some(actor(1)));
    }
}
