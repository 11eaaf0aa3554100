//! The public portal's own state: the challenges asked and the per-address limits (all held by
//! the instance; see README, "The online channel").

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;

use super::auth::FailureLimiter;
use super::error::ApiError;
use crate::config::{ChallengeMode, PortalSettings};
use crate::domain::submission::arithmetic_challenge;
use crate::domain::Violation;

/// How long a challenge may be answered.
const CHALLENGE_TTL: Duration = Duration::from_secs(600);
/// Challenges an instance holds at most (older ones are dropped first).
const CHALLENGE_CAPACITY: usize = 100_000;

struct Asked {
    answer: i64,
    at: Instant,
    /// The idempotency key of the application that passed it: a retry of that application (its
    /// first answer lost) passes again; any other use fails.
    used_by: Option<Option<String>>,
}

/// The portal's challenges and limits.
pub struct Portal {
    pub mode: ChallengeMode,
    challenges: Mutex<HashMap<String, Asked>>,
    pub submissions: FailureLimiter,
    pub lookups: FailureLimiter,
}

impl Default for Portal {
    fn default() -> Self {
        Self::new(&PortalSettings {
            challenge: ChallengeMode::Off,
            submissions_per_hour: u32::MAX,
            lookups_per_minute: u32::MAX,
        })
    }
}

impl Portal {
    pub fn new(settings: &PortalSettings) -> Self {
        Self {
            mode: settings.challenge,
            challenges: Mutex::new(HashMap::new()),
            submissions: FailureLimiter::per(settings.submissions_per_hour, Duration::from_secs(3600)),
            lookups: FailureLimiter::per(settings.lookups_per_minute, Duration::from_secs(60)),
        }
    }

    fn challenges(&self) -> std::sync::MutexGuard<'_, HashMap<String, Asked>> {
        match self.challenges.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// A new challenge: its id and question. `None` when challenges are off.
    pub fn ask(&self) -> Option<(String, String)> {
        if self.mode == ChallengeMode::Off {
            return None;
        }
        let mut rng = rand::thread_rng();
        let (question, answer) = arithmetic_challenge(rng.gen_range(1..=20), rng.gen_range(1..=20), rng.gen_bool(0.5));
        let id = hex::encode(rng.gen::<[u8; 16]>());
        let mut challenges = self.challenges();
        if challenges.len() >= CHALLENGE_CAPACITY {
            challenges.retain(|_, asked| asked.at.elapsed() < CHALLENGE_TTL);
        }
        if challenges.len() < CHALLENGE_CAPACITY {
            challenges.insert(id.clone(), Asked { answer, at: Instant::now(), used_by: None });
        }
        Some((id, question))
    }

    /// Check the answer to challenge `id` for an application with `key` (its idempotency key).
    ///
    /// # Errors
    /// 422 `challenge_failed` when challenges are on and the answer is missing, wrong, expired
    /// or the challenge was used by another application.
    pub fn check(&self, answer: Option<(&str, &str)>, key: Option<&str>) -> Result<(), ApiError> {
        if self.mode == ChallengeMode::Off {
            return Ok(());
        }
        let failed =
            || ApiError::from(Violation::field("challenge_failed", "challenge", "验证题回答错误或已过期，请重新作答"));
        let Some((id, given)) = answer else { return Err(failed()) };
        let Ok(given) = given.trim().parse::<i64>() else { return Err(failed()) };
        let mut challenges = self.challenges();
        let Some(asked) = challenges.get_mut(id) else { return Err(failed()) };
        if asked.at.elapsed() >= CHALLENGE_TTL || asked.answer != given {
            // One attempt per challenge: a wrong answer spends it.
            challenges.remove(id);
            return Err(failed());
        }
        match &asked.used_by {
            None => {
                asked.used_by = Some(key.map(str::to_owned));
                Ok(())
            }
            Some(Some(used)) if Some(used.as_str()) == key => Ok(()),
            Some(_) => Err(failed()),
        }
    }

    /// Count a request of `ip` against `limiter`.
    ///
    /// # Errors
    /// 429 with `Retry-After` beyond the limit.
    pub fn count(limiter: &FailureLimiter, ip: Option<IpAddr>, code: &'static str, what: &str) -> Result<(), ApiError> {
        match ip.and_then(|ip| limiter.record_failure(ip)) {
            Some(retry_after_secs) => Err(ApiError::RateLimited {
                code,
                detail: format!("本地址的{what}过于频繁，请在{retry_after_secs}秒后重试"),
                retry_after_secs,
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portal() -> Portal {
        Portal::new(&PortalSettings {
            challenge: ChallengeMode::Arithmetic,
            submissions_per_hour: 1,
            lookups_per_minute: 1,
        })
    }

    fn answer_of(portal: &Portal, id: &str) -> i64 {
        portal.challenges().get(id).unwrap().answer
    }

    #[test]
    fn a_challenge_passes_once_with_its_answer_and_again_only_for_the_same_application() {
        let portal = portal();
        let (id, _) = portal.ask().unwrap();
        let answer = answer_of(&portal, &id).to_string();
        assert!(portal.check(None, None).is_err());
        assert!(portal.check(Some((&id, &answer)), Some("k1")).is_ok());
        assert!(portal.check(Some((&id, &answer)), Some("k1")).is_ok(), "a retry of the same application");
        assert!(portal.check(Some((&id, &answer)), Some("k2")).is_err(), "another application");
        assert!(portal.check(Some((&id, &answer)), None).is_err());
    }

    #[test]
    fn a_wrong_answer_spends_the_challenge() {
        let portal = portal();
        let (id, _) = portal.ask().unwrap();
        let answer = answer_of(&portal, &id);
        assert!(portal.check(Some((&id, &(answer + 1).to_string())), None).is_err());
        assert!(portal.check(Some((&id, &answer.to_string())), None).is_err());
    }

    #[test]
    fn challenges_off_ask_nothing_and_pass_everything() {
        let portal = Portal::default();
        assert!(portal.ask().is_none());
        assert!(portal.check(None, None).is_ok());
    }
}
