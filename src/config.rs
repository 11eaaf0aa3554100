//! Settings: `config/default.toml` (embedded in the binary), an optional file, `GONGKAI__SECTION__KEY`
//! environment variables, `DATABASE_URL`, then command-line flags. Unknown keys are errors.

use std::path::Path;
use std::time::Duration;

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

use crate::storage::DbOptions;

/// The embedded defaults (the documented file itself).
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub auth: AuthSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub clock: ClockSettings,
    pub background: BackgroundSettings,
    pub letters: LetterSettings,
    pub mail: MailSettings,
    pub metrics: MetricsSettings,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Addresses or networks (`127.0.0.0/8`, `::1`) that may read `/metrics`.
    pub allow: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub from: String,
    pub file_dir: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: crate::notify::outbox::SmtpSecurity,
    pub smtp_username: String,
    pub smtp_password: String,
    pub smtp_timeout_seconds: u64,
    pub worker_enabled: bool,
    pub worker_interval_seconds: u64,
    pub batch_size: i64,
    pub lease_seconds: u64,
    pub max_attempts: i32,
    pub retry_base_seconds: u64,
    pub retry_max_seconds: u64,
    pub reminders_enabled: bool,
    /// `HH:MM`, local time in China.
    pub reminders_at: String,
    pub reminder_due_within_days: u32,
    pub backdated_days: u32,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    File,
    Smtp,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LetterSettings {
    pub dir: String,
    pub number_pattern: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ClockSettings {
    pub fee_notice_pauses: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BackgroundSettings {
    pub sweep_enabled: bool,
    /// `HH:MM`, local time in China.
    pub sweep_at: String,
    pub calendar_refresh_seconds: u64,
}

impl BackgroundSettings {
    /// The sweep's time of day.
    ///
    /// # Errors
    /// `sweep_at` is not `HH:MM`.
    pub fn sweep_time(&self) -> Result<chrono::NaiveTime, chrono::ParseError> {
        chrono::NaiveTime::parse_from_str(&self.sweep_at, "%H:%M")
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub workers: usize,
    pub body_limit_bytes: usize,
    pub client_request_timeout_ms: u64,
    pub body_read_timeout_ms: u64,
    /// Addresses or networks of reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub max_failures_per_minute: u32,
    pub cache_seconds: u64,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    pub connect_timeout_ms: u64,
    pub sqlite_busy_timeout_ms: u64,
    pub sqlite_synchronous: SqliteSynchronous,
    pub search_concurrency: usize,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SqliteSynchronous {
    Normal,
    Full,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    /// Load the settings from the layers above, reading the process environment.
    ///
    /// # Errors
    /// A file that cannot be read, a malformed value, or an unknown key.
    pub fn load(file: Option<&Path>, database_url: Option<&str>) -> Result<Self, config::ConfigError> {
        Self::load_from(file, database_url, std::env::vars())
    }

    /// Load the settings with an explicit environment (for tests).
    ///
    /// # Errors
    /// As [`Settings::load`].
    pub fn load_from(
        file: Option<&Path>,
        database_url: Option<&str>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, config::ConfigError> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let env_database_url = env.iter().find(|(k, _)| k == "DATABASE_URL").map(|(_, v)| v.clone());
        let gongkai_env = env.into_iter().filter(|(k, _)| k.starts_with("GONGKAI__")).collect();
        let mut builder = Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml));
        if let Some(file) = file {
            builder = builder.add_source(File::from(file).required(true));
        }
        builder = builder
            .add_source(
                Environment::with_prefix("GONGKAI")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("server.trusted_proxies")
                    .with_list_parse_key("metrics.allow")
                    .source(Some(gongkai_env)),
            )
            .set_override_option("database.url", env_database_url)?
            .set_override_option("database.url", database_url.map(str::to_string))?;
        builder.build()?.try_deserialize()
    }

    /// The pool options of the database settings.
    pub fn db_options(&self) -> DbOptions {
        DbOptions {
            url: self.database.url.clone(),
            pool_size: self.database.pool_size,
            connect_timeout: Duration::from_millis(self.database.connect_timeout_ms),
            sqlite_busy_timeout: Duration::from_millis(self.database.sqlite_busy_timeout_ms),
            sqlite_synchronous_full: self.database.sqlite_synchronous == SqliteSynchronous::Full,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    #[test]
    fn defaults_load_without_any_file_or_environment() {
        let settings = Settings::load_from(None, None, env(&[])).unwrap();
        assert_eq!(settings.server.bind, "127.0.0.1:8080");
        assert_eq!(settings.database.url, "data/gongkai.sqlite3");
        assert_eq!(settings.log.format, LogFormat::Text);
    }

    #[test]
    fn environment_overrides_and_database_url_wins() {
        let settings = Settings::load_from(
            None,
            None,
            env(&[
                ("GONGKAI__SERVER__BIND", "0.0.0.0:9000"),
                ("GONGKAI__DATABASE__POOL_SIZE", "3"),
                ("DATABASE_URL", "x.db"),
            ]),
        )
        .unwrap();
        assert_eq!(settings.server.bind, "0.0.0.0:9000");
        assert_eq!(settings.database.pool_size, 3);
        assert_eq!(settings.database.url, "x.db");
        let flag = Settings::load_from(None, Some("y.db"), env(&[("DATABASE_URL", "x.db")])).unwrap();
        assert_eq!(flag.database.url, "y.db");
    }

    #[test]
    fn address_lists_come_from_comma_separated_variables() {
        let settings = Settings::load_from(
            None,
            None,
            env(&[("GONGKAI__SERVER__TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8"), ("GONGKAI__METRICS__ALLOW", "::1")]),
        )
        .unwrap();
        assert_eq!(settings.server.trusted_proxies, ["127.0.0.1", "10.0.0.0/8"]);
        assert_eq!(settings.metrics.allow, ["::1"]);
        let defaults = Settings::load_from(None, None, env(&[])).unwrap();
        assert!(defaults.server.trusted_proxies.is_empty());
        assert_eq!(defaults.metrics.allow, ["127.0.0.0/8", "::1"]);
    }

    #[test]
    fn an_unknown_key_is_an_error() {
        assert!(Settings::load_from(None, None, env(&[("GONGKAI__SERVER__BINDD", "x")])).is_err());
        assert!(Settings::load_from(None, None, env(&[("GONGKAI__NOPE__X", "x")])).is_err());
    }

    #[test]
    fn an_unknown_enum_value_is_an_error() {
        assert!(Settings::load_from(None, None, env(&[("GONGKAI__LOG__FORMAT", "xml")])).is_err());
    }
}
