//! The outbox worker: claims due messages under a lease, sends them through a transport, and marks
//! each `sent`, `pending` again (transient error, exponential backoff) or `failed`.
//!
//! Guarantee: **at least once, with recognisable duplicates.** A message is marked `sent` only
//! after the transport accepted it. A worker that dies between the two leaves the message
//! `sending` with a lease that expires; another pass then sends it again, with the same
//! Message-ID (chosen when the message was queued), so the receiving side can recognise the copy.
//! A message is never lost: it leaves `pending`/`sending` only as `sent` or `failed`.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport as _};

use crate::storage::outbox::{self, OutboxRow};
use crate::storage::{Db, StorageError};

/// Why a message was not sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later (connection refused, timeout, 4xx reply).
    #[error("transient: {0}")]
    Transient(String),
    /// Retrying will not help (5xx reply, malformed address).
    #[error("permanent: {0}")]
    Permanent(String),
}

/// Delivers one message. Implementations block; the worker runs on a blocking thread.
pub trait Transport: Send + Sync {
    /// Send `message` (already built, with its Message-ID) to its recipient.
    ///
    /// # Errors
    /// [`SendError`] classifies the failure.
    fn send(&self, row: &OutboxRow, message: &Message) -> Result<(), SendError>;
}

/// Writes each message as `<dir>/outbox-<id>-<attempt>.eml` (the default: no mail server needed).
#[derive(Clone, Debug)]
pub struct FileTransport {
    pub dir: PathBuf,
}

impl Transport for FileTransport {
    fn send(&self, row: &OutboxRow, message: &Message) -> Result<(), SendError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| SendError::Transient(format!("{}: {e}", self.dir.display())))?;
        let path = self.dir.join(format!("outbox-{}-{}.eml", row.id, row.attempts));
        let tmp = path.with_extension("eml.tmp");
        std::fs::write(&tmp, message.formatted())
            .map_err(|e| SendError::Transient(format!("{}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, &path).map_err(|e| SendError::Transient(format!("{}: {e}", path.display())))
    }
}

/// SMTP through lettre (blocking transport, rustls).
pub struct SmtpTransportAdapter {
    inner: SmtpTransport,
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No encryption (a relay on the same machine, tests).
    None,
}

impl SmtpTransportAdapter {
    /// An SMTP transport to `host:port`.
    ///
    /// # Errors
    /// The TLS parameters cannot be built for `host`.
    pub fn new(
        host: &str,
        port: u16,
        security: SmtpSecurity,
        credentials: Option<(String, String)>,
        timeout: Duration,
    ) -> Result<Self, SendError> {
        let tls = match security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::Starttls | SmtpSecurity::Tls => {
                let params = TlsParameters::new(host.to_string()).map_err(|e| SendError::Permanent(e.to_string()))?;
                if security == SmtpSecurity::Tls {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder = SmtpTransport::builder_dangerous(host).port(port).tls(tls).timeout(Some(timeout));
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Self { inner: builder.build() })
    }
}

impl Transport for SmtpTransportAdapter {
    fn send(&self, _row: &OutboxRow, message: &Message) -> Result<(), SendError> {
        self.inner.send(message).map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                SendError::Permanent(e.to_string())
            } else {
                SendError::Transient(e.to_string())
            }
        })
    }
}

/// The worker's settings.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// Names this worker in `claimed_by`.
    pub instance: String,
    pub from: String,
    pub batch_size: i64,
    pub lease: Duration,
    pub max_attempts: i32,
    pub retry_base: Duration,
    pub retry_max: Duration,
}

/// The delay before the next attempt after `attempts` failed ones: `base × 2^(attempts−1)`,
/// capped at `max`.
pub fn backoff(attempts: i32, base: Duration, max: Duration) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(30);
    base.checked_mul(1u32 << exponent).map_or(max, |d| d.min(max))
}

/// What to do with a message after a failed attempt: retry at the instant given, or fail.
pub fn after_failure(
    error: &SendError,
    attempts: i32,
    now: NaiveDateTime,
    options: &WorkerOptions,
) -> (&'static str, NaiveDateTime) {
    match error {
        SendError::Transient(_) if attempts < options.max_attempts => {
            let delay = backoff(attempts, options.retry_base, options.retry_max);
            (("pending"), now + TimeDelta::from_std(delay).unwrap_or(TimeDelta::hours(1)))
        }
        _ => ("failed", now),
    }
}

/// Build the e-mail of a queued message.
///
/// # Errors
/// [`SendError::Permanent`] for an unusable address.
pub fn build_message(row: &OutboxRow, from: &str) -> Result<Message, SendError> {
    let to: Mailbox = row
        .recipient
        .as_deref()
        .ok_or_else(|| SendError::Permanent("no recipient".into()))?
        .parse()
        .map_err(|e| SendError::Permanent(format!("recipient: {e}")))?;
    let from: Mailbox = from.parse().map_err(|e| SendError::Permanent(format!("from address: {e}")))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(row.body_text.clone()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(row.body_html.clone())),
        )
        .map_err(|e| SendError::Permanent(format!("message: {e}")))
}

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    pub sent: Vec<i64>,
    pub retrying: Vec<i64>,
    pub failed: Vec<i64>,
}

impl PassReport {
    pub fn is_empty(&self) -> bool {
        self.sent.is_empty() && self.retrying.is_empty() && self.failed.is_empty()
    }
}

/// One pass: claim due messages batch by batch and send them, until none is due. `clock` gives
/// the current instant (tests control it).
///
/// # Errors
/// A database error (messages already handled keep their new status; a claimed message whose
/// status could not be written is resent after its lease expires).
pub fn deliver_pass(
    db: &Db,
    transport: &dyn Transport,
    options: &WorkerOptions,
    clock: &dyn Fn() -> NaiveDateTime,
) -> Result<PassReport, StorageError> {
    let mut report = PassReport::default();
    let lease = TimeDelta::from_std(options.lease).unwrap_or(TimeDelta::minutes(5));
    loop {
        let now = clock();
        let batch = db.write_blocking(|conn| {
            outbox::claim(conn, &options.instance, now, now + lease, options.batch_size.max(1), options.max_attempts)
                .map_err(StorageError::from)
        })?;
        if batch.is_empty() {
            return Ok(report);
        }
        for row in batch {
            let result = build_message(&row, &options.from).and_then(|m| transport.send(&row, &m));
            let now = clock();
            match result {
                Ok(()) => {
                    db.write_blocking(|conn| {
                        outbox::mark_sent(conn, row.id, &options.instance, now).map_err(StorageError::from)
                    })?;
                    tracing::info!(id = row.id, kind = %row.kind, "outbox message sent");
                    report.sent.push(row.id);
                }
                Err(error) => {
                    let (status, next) = after_failure(&error, row.attempts, now, options);
                    let text = error.to_string();
                    db.write_blocking(|conn| {
                        outbox::mark_unsent(conn, row.id, &options.instance, status, next, &text)
                            .map_err(StorageError::from)
                    })?;
                    tracing::warn!(id = row.id, attempts = row.attempts, status, error = %text, "outbox message not sent");
                    if status == "failed" {
                        report.failed.push(row.id);
                    } else {
                        report.retrying.push(row.id);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> WorkerOptions {
        WorkerOptions {
            instance: "test".into(),
            from: "gongkai <noreply@gongkai.invalid>".into(),
            batch_size: 10,
            lease: Duration::from_secs(300),
            max_attempts: 5,
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
        }
    }

    #[test]
    fn backoff_doubles_from_thirty_seconds_and_stops_at_an_hour() {
        let (base, max) = (Duration::from_secs(30), Duration::from_secs(3600));
        let delays: Vec<u64> = (1..=9).map(|a| backoff(a, base, max).as_secs()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(1000, base, max), max);
        assert_eq!(backoff(0, base, max), base);
    }

    #[test]
    fn transient_errors_are_retried_until_the_last_attempt_and_permanent_ones_fail_at_once() {
        let now = NaiveDateTime::parse_from_str("2026-11-26 10:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let o = options();
        let transient = SendError::Transient("connection refused".into());
        assert_eq!(after_failure(&transient, 1, now, &o), ("pending", now + TimeDelta::seconds(30)));
        assert_eq!(after_failure(&transient, 3, now, &o), ("pending", now + TimeDelta::seconds(120)));
        assert_eq!(after_failure(&transient, 5, now, &o).0, "failed");
        assert_eq!(after_failure(&SendError::Permanent("550".into()), 1, now, &o).0, "failed");
    }
}
