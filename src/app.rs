//! Start-up: connect, migrate, load the calendar and build the HTTP server; the background tasks
//! (daily sweep, calendar refresh) of a running service.

use std::net::TcpListener;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use anyhow::Context as _;
use chrono::{NaiveDateTime, TimeDelta, Utc};

use crate::config::{MailTransport, Settings};
use crate::domain::calendar::Calendar;
use crate::domain::letters::LetterPolicy;
use crate::http::client::IpNet;
use crate::http::{self, AppState, ServerOptions};
use crate::notify::letters::Letters;
use crate::notify::outbox::{deliver_pass, FileTransport, SmtpTransportAdapter, Transport, WorkerOptions};
use crate::service::{calendar as calendar_service, clock, reminders, sweep, Context, Db, ServiceError};

/// The outbox transport and worker options of the settings; `instance` names the worker.
///
/// # Errors
/// The SMTP TLS parameters cannot be built.
pub fn mail_worker(settings: &Settings) -> anyhow::Result<(Box<dyn Transport>, WorkerOptions)> {
    let mail = &settings.mail;
    let transport: Box<dyn Transport> = match mail.transport {
        MailTransport::File => Box::new(FileTransport { dir: mail.file_dir.clone().into() }),
        MailTransport::Smtp => {
            let credentials =
                (!mail.smtp_username.is_empty()).then(|| (mail.smtp_username.clone(), mail.smtp_password.clone()));
            Box::new(
                SmtpTransportAdapter::new(
                    &mail.smtp_host,
                    mail.smtp_port,
                    mail.smtp_security,
                    credentials,
                    Duration::from_secs(mail.smtp_timeout_seconds),
                )
                .map_err(|e| anyhow::anyhow!("mail settings: {e}"))?,
            )
        }
    };
    let options = WorkerOptions {
        instance: format!("{}-{:08x}", std::process::id(), rand::random::<u32>()),
        from: mail.from.clone(),
        batch_size: mail.batch_size,
        lease: Duration::from_secs(mail.lease_seconds),
        max_attempts: mail.max_attempts,
        retry_base: Duration::from_secs(mail.retry_base_seconds),
        retry_max: Duration::from_secs(mail.retry_max_seconds),
    };
    Ok((transport, options))
}

/// A built, not yet running, service.
pub struct Application {
    pub server: Server,
    pub state: Arc<AppState>,
    pub port: u16,
}

/// Connect to the database and apply pending migrations.
///
/// # Errors
/// The database cannot be reached or a migration fails.
pub fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.db_options()).context("cannot open the database")?;
    db.migrate().context("cannot migrate the database")?;
    Ok(db)
}

/// Store the shipped calendar years the database lacks, then load the calendar from the database.
///
/// # Errors
/// The shipped data or the stored data is invalid, or the database fails.
pub fn load_calendar(db: &Db) -> anyhow::Result<(Calendar, i64)> {
    let shipped = Calendar::shipped().context("the shipped calendar is invalid")?;
    let now = Utc::now().naive_utc();
    db.setup_blocking(|conn| calendar_service::seed(conn, &shipped, now))
        .map_err(|e: ServiceError| anyhow::anyhow!("cannot store the calendar: {e}"))?;
    db.write_blocking(calendar_service::load)
        .map_err(|e: ServiceError| anyhow::anyhow!("cannot load the calendar: {e}"))
}

/// What every command's use cases run in: the database, the calendar, the rules and the letters.
///
/// # Errors
/// As [`open_database`] and [`load_calendar`]; letter templates that do not compile.
pub fn open_context(settings: &Settings) -> anyhow::Result<Context> {
    let db = open_database(settings)?;
    let (calendar, change) = load_calendar(&db)?;
    let rules = clock::rules(settings.clock.fee_notice_pauses);
    let letters = Letters::load(Some(std::path::Path::new(&settings.letters.dir)))
        .with_context(|| format!("cannot load the letter templates in {}", settings.letters.dir))?;
    let policy = LetterPolicy {
        number_pattern: settings.letters.number_pattern.clone(),
        backdated_days: settings.mail.backdated_days,
    };
    Ok(Context::new(db, calendar, change, rules, letters).with_letter_policy(policy))
}

/// The state of the HTTP server: the context and the server's own parts (audit writer, limits).
///
/// # Errors
/// As [`open_context`]; the audit writer cannot be started.
pub fn open_state(settings: &Settings) -> anyhow::Result<Arc<AppState>> {
    let state = AppState::new(open_context(settings)?)
        .context("cannot start the audit writer")?
        .with_failure_limit(settings.auth.max_failures_per_minute)
        .with_auth_cache(std::time::Duration::from_secs(settings.auth.cache_seconds))
        .with_search_concurrency(settings.database.search_concurrency)
        .with_networks(
            IpNet::parse_all(&settings.server.trusted_proxies)
                .map_err(|e| anyhow::anyhow!("server.trusted_proxies: {e}"))?,
            IpNet::parse_all(&settings.metrics.allow).map_err(|e| anyhow::anyhow!("metrics.allow: {e}"))?,
        )
        .with_sessions(settings.session.policy(), settings.session.cookie_secure)
        .with_portal(&settings.portal)
        .with_files(
            crate::service::documents::BlobStore::new(&settings.files.dir),
            settings.files.max_bytes,
            std::time::Duration::from_secs(settings.files.read_timeout_seconds),
        )
        .with_import_limit(
            settings.ledger.max_import_bytes,
            std::time::Duration::from_secs(settings.ledger.import_read_timeout_seconds),
        );
    Ok(Arc::new(state))
}

impl Application {
    /// Open and migrate the database, load the calendar, and bind the server to `listener`.
    ///
    /// # Errors
    /// The database or the listener cannot be used.
    pub fn build(settings: &Settings, listener: TcpListener) -> anyhow::Result<Self> {
        let state = open_state(settings)?;
        let port = listener.local_addr()?.port();
        let options = ServerOptions {
            workers: settings.server.workers,
            body_limit: settings.server.body_limit_bytes,
            client_request_timeout: Duration::from_millis(settings.server.client_request_timeout_ms),
            body_read_timeout: Duration::from_millis(settings.server.body_read_timeout_ms),
        };
        let server = http::server(listener, state.clone(), &options)?;
        Ok(Self { server, state, port })
    }
}

/// Start the background tasks on the current runtime: the calendar refresh and, when enabled,
/// the outbox worker, the reminder digests and the daily sweep.
///
/// # Errors
/// `background.sweep_at` is not `HH:MM`, or the mail settings are unusable.
pub fn spawn_background(state: Arc<AppState>, settings: &Settings) -> anyhow::Result<()> {
    let refresh = Duration::from_secs(settings.background.calendar_refresh_seconds.max(1));
    let refreshing = state.clone();
    actix_web::rt::spawn(async move {
        loop {
            actix_web::rt::time::sleep(refresh).await;
            let state = refreshing.clone();
            let result = actix_web::rt::task::spawn_blocking(move || refresh_calendar(&state)).await;
            if let Ok(Err(e)) = result {
                tracing::warn!(error = %e, "calendar refresh failed");
            }
        }
    });
    if settings.mail.worker_enabled {
        let (transport, options) = mail_worker(settings)?;
        let transport: Arc<dyn Transport> = Arc::from(transport);
        let options = Arc::new(options);
        let interval = Duration::from_secs(settings.mail.worker_interval_seconds.max(1));
        let db = state.db.clone();
        actix_web::rt::spawn(async move {
            loop {
                let (db, transport, options) = (db.clone(), transport.clone(), options.clone());
                let result = actix_web::rt::task::spawn_blocking(move || {
                    deliver_pass(&db, transport.as_ref(), &options, &|| Utc::now().naive_utc())
                })
                .await;
                match result {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::error!(error = %e, "outbox delivery failed"),
                    Err(e) => tracing::error!(error = %e, "outbox delivery task failed"),
                }
                actix_web::rt::time::sleep(interval).await;
            }
        });
    }
    if settings.mail.reminders_enabled {
        let at = chrono::NaiveTime::parse_from_str(&settings.mail.reminders_at, "%H:%M")
            .context("mail.reminders_at must be HH:MM")?;
        let within = settings.mail.reminder_due_within_days;
        let state = state.clone();
        actix_web::rt::spawn(async move {
            loop {
                let state_now = state.clone();
                let result = actix_web::rt::task::spawn_blocking(move || {
                    let snapshot = state_now.snapshot();
                    reminders::run(&state_now.db, within, snapshot.now())
                })
                .await;
                match result {
                    Ok(Ok(queued)) if !queued.is_empty() => {
                        tracing::info!(digests = queued.len(), "reminder digests queued");
                    }
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::error!(error = %e, "reminder digests failed"),
                    Err(e) => tracing::error!(error = %e, "reminder task failed"),
                }
                actix_web::rt::time::sleep(until_next(Utc::now().naive_utc(), at)).await;
            }
        });
    }
    if settings.background.sweep_enabled {
        let at = settings.background.sweep_time().context("background.sweep_at must be HH:MM")?;
        actix_web::rt::spawn(async move {
            loop {
                let state_now = state.clone();
                let result = actix_web::rt::task::spawn_blocking(move || {
                    let snapshot = state_now.snapshot();
                    sweep::run(&state_now.db, snapshot.now(), true)
                })
                .await;
                match result {
                    Ok(Ok(report)) if report.claimed => {
                        state.metrics.sweep_run("done");
                        tracing::info!(day = ?report.day, concluded = report.concluded.len(), "daily sweep done");
                    }
                    Ok(Ok(_)) => state.metrics.sweep_run("already_done"),
                    Ok(Err(e)) => {
                        state.metrics.sweep_run("failed");
                        tracing::error!(error = %e, "daily sweep failed");
                    }
                    Err(e) => {
                        state.metrics.sweep_run("failed");
                        tracing::error!(error = %e, "daily sweep task failed");
                    }
                }
                actix_web::rt::time::sleep(until_next(Utc::now().naive_utc(), at)).await;
            }
        });
    }
    Ok(())
}

/// Reload the calendar when another instance changed it.
fn refresh_calendar(state: &AppState) -> Result<(), ServiceError> {
    let latest = state.db.write_blocking(calendar_service::latest_change)?;
    if latest != state.calendar_change.load(Ordering::Relaxed) {
        let (calendar, change) = state.db.write_blocking(calendar_service::load)?;
        state.set_calendar(calendar);
        state.calendar_change.store(change, Ordering::Relaxed);
        tracing::info!(change, "calendar reloaded");
    }
    Ok(())
}

/// How long from `now` (UTC) until the next `at` in China (UTC+8).
fn until_next(now: NaiveDateTime, at: chrono::NaiveTime) -> Duration {
    let local = now + TimeDelta::hours(8);
    let mut next = local.date().and_time(at);
    if next <= local {
        next += TimeDelta::days(1);
    }
    (next - local).to_std().unwrap_or(Duration::from_secs(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_sweep_is_later_today_or_tomorrow_in_china() {
        let at = chrono::NaiveTime::from_hms_opt(0, 30, 0).unwrap();
        // 2026-11-26 10:00 UTC is 18:00 in China: the next 00:30 is 6 h 30 min away.
        let now = NaiveDateTime::parse_from_str("2026-11-26 10:00", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(until_next(now, at), Duration::from_secs(6 * 3600 + 1800));
        // 16:00 UTC is 00:00 in China: 30 minutes.
        let now = NaiveDateTime::parse_from_str("2026-11-26 16:00", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(until_next(now, at), Duration::from_secs(1800));
    }
}
