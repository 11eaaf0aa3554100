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
        Box::pin(authenticate(req.clone(), Lookup::Cached))
    }
}

/// The caller of an administrative action (users, tokens, agencies, the calendar), read from the
/// database on every request, never from the token cache: a deactivated administrator, a revoked
/// token or a changed role takes effect at once on every instance for these actions. The
/// service functions check the role again inside their transaction.
#[derive(Clone, Debug)]
pub struct FreshAuthUser(pub AuthUser);

impl std::ops::Deref for FreshAuthUser {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.0 .0
    }
}

impl FromRequest for FreshAuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = req.clone();
        Box::pin(async move { authenticate(request, Lookup::Database).await.map(FreshAuthUser) })
    }
}

/// Whether a token may be found in the cache of valid tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lookup {
    Cached,
    Database,
}

/// Authenticate the bearer token of `request`. A valid token is always served. A failing one
/// (missing, unknown, revoked, of a deactivated user) is 401 and counts against the client's
/// address; past `auth.max_failures_per_minute` failures in the minute, failing requests from
/// that address get 429 instead (valid tokens from it are still served: behind a proxy, or in
/// an office sharing one address, one person's typos must not lock everyone out).
async fn authenticate(request: HttpRequest, lookup: Lookup) -> Result<AuthUser, ApiError> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::corrupt("application state missing"))?;
    let address = super::client::client_ip(&request);
    let failed = |detail: &'static str| -> ApiError {
        match address.and_then(|ip| state.auth_failures.record_failure(ip)) {
            Some(retry_after_secs) => ApiError::TooManyRequests { retry_after_secs },
            None => ApiError::Unauthorized { detail },
        }
    };
    let Some(token) = bearer_token(&request) else {
        return Err(failed("请在请求头中提供 `Authorization: Bearer <令牌>`；令牌可用 `gongkai user add` 创建"));
    };
    let hash = auth::hash_token(&token);
    let unknown = "令牌无效、已被吊销，或其用户已停用";
    let cached = match lookup {
        Lookup::Cached => state.auth_cache.get(&hash),
        Lookup::Database => None,
    };
    let actor = match cached {
        Some(actor) => actor,
        // Tokens are random: one found invalid never becomes valid (a revoked token stays
        // revoked, a reactivated user gets new tokens), so a repeated bad token costs no lookup.
        None if state.rejected_tokens.contains(&hash) => return Err(failed(unknown)),
        None => {
            let generation = state.auth_cache.generation();
            let key = hash.clone();
            let found = state.db.read(move |conn| auth::authenticate_hashed(conn, &key)).await?;
            let Some(actor) = found else {
                state.rejected_tokens.insert(hash);
                return Err(failed(unknown));
            };
            state.auth_cache.put(hash, actor.clone(), generation);
            actor
        }
    };
    request.extensions_mut().insert(super::audit::AuditUser(actor.user_id.get()));
    Ok(AuthUser(actor))
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

/// Failed authentications per client address in fixed one-minute windows: past the limit, the
/// address's failing requests get 429 until its window ends (guessing tokens is pointless, but a
/// flood of attempts still costs lookups and log lines).
pub struct FailureLimiter {
    limit: u32,
    window: Duration,
    entries: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl FailureLimiter {
    /// A limiter allowing `limit` failures per address and minute.
    pub fn new(limit: u32) -> Self {
        Self::per(limit, Duration::from_secs(60))
    }

    /// A limiter allowing `limit` events per address and `window` (the portal's limits count
    /// every submission or look-up, not only failures, with [`FailureLimiter::record_failure`]).
    pub fn per(limit: u32, window: Duration) -> Self {
        Self { limit, window, entries: Mutex::new(HashMap::new()) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (Instant, u32)>> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// `Some(seconds to wait)` when `ip` has used up the failures of its window, so that one more
    /// would be beyond the limit (nothing counted).
    pub fn blocked(&self, ip: IpAddr) -> Option<u64> {
        let entries = self.entries();
        let (start, count) = entries.get(&ip)?;
        let left = self.window.checked_sub(start.elapsed())?;
        (*count >= self.limit).then(|| left.as_secs().max(1))
    }

    /// Count a failure of `ip`; `Some(seconds to wait)` when it is beyond the limit of its window.
    pub fn record_failure(&self, ip: IpAddr) -> Option<u64> {
        let mut entries = self.entries();
        if entries.len() > 100_000 {
            entries.retain(|_, (start, _)| start.elapsed() < self.window);
        }
        let entry = entries.entry(ip).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
        (entry.1 > self.limit).then(|| self.window.saturating_sub(entry.0.elapsed()).as_secs().max(1))
    }
}

/// Hashes of tokens found invalid in the last minute (at most [`RejectedTokens::CAPACITY`]), so
/// that a client repeating a bad token is answered without a database lookup.
pub struct RejectedTokens {
    entries: Mutex<HashMap<String, Instant>>,
}

impl Default for RejectedTokens {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()) }
    }
}

impl RejectedTokens {
    const CAPACITY: usize = 10_000;
    const TTL: Duration = Duration::from_secs(60);

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Whether `hash` was found invalid less than a minute ago.
    pub fn contains(&self, hash: &str) -> bool {
        self.entries().get(hash).is_some_and(|at| at.elapsed() < Self::TTL)
    }

    /// Remember that `hash` is invalid.
    pub fn insert(&self, hash: String) {
        let mut entries = self.entries();
        if entries.len() >= Self::CAPACITY {
            entries.retain(|_, at| at.elapsed() < Self::TTL);
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
        }
        entries.insert(hash, Instant::now());
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
    fn failures_beyond_the_limit_ask_to_wait_and_other_addresses_are_not_affected() {
        let limiter = FailureLimiter::new(2);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        assert_eq!(limiter.record_failure(a), None);
        assert_eq!(limiter.record_failure(a), None);
        assert!(limiter.record_failure(a).is_some_and(|s| (1..=60).contains(&s)));
        assert_eq!(limiter.record_failure(b), None);
    }

    #[test]
    fn rejected_tokens_are_remembered() {
        let rejected = RejectedTokens::default();
        assert!(!rejected.contains("h"));
        rejected.insert("h".into());
        assert!(rejected.contains("h"));
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
