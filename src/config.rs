//! Settings: `config/default.toml` (embedded in the binary), an optional file, `GONGKAI__SECTION__KEY`
//! environment variables, `DATABASE_URL`, then command-line flags. Unknown keys are errors.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

use crate::storage::DbOptions;

/// The embedded defaults (the documented file itself).
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// The default data directory, relative to the current directory.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// The name of the default SQLite database in the data directory.
pub const DATABASE_FILE: &str = "gongkai.sqlite3";

/// Where a database is, as printed at start-up and by every command that opens one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// A SQLite file, by its absolute path.
    Sqlite(PathBuf),
    /// A PostgreSQL URL without its password.
    Postgres(String),
}

impl DatabaseLocation {
    /// The location of a `database.url`: `postgres://…` (password removed) or a SQLite file path
    /// (`sqlite://` prefix allowed), made absolute against the current directory.
    pub fn of_url(url: &str) -> Self {
        if crate::storage::Backend::of_url(url) == crate::storage::Backend::Postgres {
            return Self::Postgres(without_password(url));
        }
        let path = Path::new(url.strip_prefix("sqlite://").unwrap_or(url));
        Self::Sqlite(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
    }

    /// The SQLite file, if it is one.
    pub fn sqlite_file(&self) -> Option<&Path> {
        match self {
            Self::Sqlite(path) => Some(path),
            Self::Postgres(_) => None,
        }
    }
}

impl std::fmt::Display for DatabaseLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "SQLite {}", path.display()),
            Self::Postgres(url) => write!(f, "PostgreSQL {url}"),
        }
    }
}

/// A PostgreSQL URL without the password of its user part or of a `password=` parameter.
pub fn without_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority_end, _) = rest.char_indices().find(|&(_, c)| c == '/' || c == '?').unwrap_or((rest.len(), ' '));
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => format!("{}@{host}", user.split_once(':').map_or(user, |(name, _)| name)),
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query.split('&').filter(|p| !p.starts_with("password=")).collect();
            if kept.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_owned(),
    };
    if scheme.is_empty() {
        format!("{authority}{tail}")
    } else {
        format!("{scheme}://{authority}{tail}")
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The data directory, absolute once loaded (a relative setting is taken from the current
    /// directory): the default SQLite database and the outbox files live in it.
    pub data_dir: String,
    /// Whether the database is the default one: `gongkai.sqlite3` in the default `./data` of the
    /// current directory, i.e. neither the database nor the data directory was configured.
    #[serde(skip)]
    pub database_is_default: bool,
    pub server: ServerSettings,
    pub auth: AuthSettings,
    pub session: SessionSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub clock: ClockSettings,
    pub background: BackgroundSettings,
    pub letters: LetterSettings,
    pub mail: MailSettings,
    pub metrics: MetricsSettings,
    pub ledger: LedgerSettings,
    pub portal: PortalSettings,
    pub files: FileSettings,
}

/// The documents of cases: where their files are kept and how large one may be.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    /// The content-addressed store (absolute once loaded; empty: `files` in `data_dir`).
    pub dir: String,
    /// Largest document accepted, in bytes (larger: 413).
    pub max_bytes: usize,
    /// How long sending a document may take, in seconds (slower uploads get 408).
    pub read_timeout_seconds: u64,
}

/// The public portal: online applications and the applicant's status page.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PortalSettings {
    /// `arithmetic` (a question the page shows, answered by a person) or `off`.
    pub challenge: ChallengeMode,
    /// Submissions accepted per client address and hour.
    pub submissions_per_hour: u32,
    /// Status look-ups (right or wrong) per client address and minute.
    pub lookups_per_minute: u32,
}

/// The challenge an application must pass.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeMode {
    Arithmetic,
    Off,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LedgerSettings {
    /// Largest ledger file `POST /api/v1/imports` and the console accept, in bytes (larger: 413).
    pub max_import_bytes: usize,
    /// How long sending a ledger file may take, in seconds.
    pub import_read_timeout_seconds: u64,
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
pub struct SessionSettings {
    pub idle_timeout_minutes: u32,
    pub lifetime_hours: u32,
    pub cookie_secure: bool,
}

impl SessionSettings {
    /// The session lifetimes as the service takes them.
    pub fn policy(&self) -> crate::service::sign_in::SessionPolicy {
        crate::service::sign_in::SessionPolicy {
            idle_timeout: chrono::TimeDelta::minutes(i64::from(self.idle_timeout_minutes.max(1))),
            lifetime: chrono::TimeDelta::hours(i64::from(self.lifetime_hours.max(1))),
        }
    }
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
        let mut settings: Self = builder.build()?.try_deserialize()?;
        settings.resolve_paths().map_err(|e| config::ConfigError::Message(format!("data_dir: {e}")))?;
        Ok(settings)
    }

    /// Makes `data_dir` absolute and puts the defaults that live in it there: the SQLite database
    /// when `database.url` is empty, the outbox files when `mail.file_dir` is empty, the documents'
    /// files when `files.dir` is empty.
    fn resolve_paths(&mut self) -> std::io::Result<()> {
        let given = self.data_dir.trim();
        let given = if given.is_empty() { DEFAULT_DATA_DIR } else { given };
        let is_default_dir = Path::new(given) == Path::new(DEFAULT_DATA_DIR);
        let data_dir = std::path::absolute(given)?;
        // `./data` made absolute keeps its `.` component; print it without.
        let data_dir: PathBuf = data_dir.components().filter(|c| !matches!(c, Component::CurDir)).collect();
        if self.database.url.trim().is_empty() {
            self.database.url = data_dir.join(DATABASE_FILE).to_string_lossy().into_owned();
            self.database_is_default = is_default_dir;
        }
        if self.mail.file_dir.trim().is_empty() {
            self.mail.file_dir = data_dir.join("outbox").to_string_lossy().into_owned();
        }
        if self.files.dir.trim().is_empty() {
            self.files.dir = data_dir.join("files").to_string_lossy().into_owned();
        }
        self.data_dir = data_dir.to_string_lossy().into_owned();
        Ok(())
    }

    /// Where the database is, for people: the SQLite file's absolute path, or the PostgreSQL URL
    /// without its password.
    pub fn database_location(&self) -> DatabaseLocation {
        DatabaseLocation::of_url(&self.database.url)
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
        let data = std::env::current_dir().unwrap().join("data");
        assert_eq!(settings.data_dir, data.to_string_lossy());
        assert_eq!(settings.database.url, data.join("gongkai.sqlite3").to_string_lossy());
        assert_eq!(settings.mail.file_dir, data.join("outbox").to_string_lossy());
        assert!(settings.database_is_default);
        assert_eq!(settings.log.format, LogFormat::Text);
        assert_eq!(settings.files.dir, data.join("files").to_string_lossy());
        assert_eq!(settings.files.max_bytes, 20 * 1024 * 1024);
    }

    #[test]
    fn the_documents_store_and_limit_come_from_the_environment() {
        let settings = Settings::load_from(
            None,
            None,
            env(&[("GONGKAI__FILES__DIR", "/mnt/files"), ("GONGKAI__FILES__MAX_BYTES", "1048576")]),
        )
        .unwrap();
        assert_eq!(settings.files.dir, "/mnt/files");
        assert_eq!(settings.files.max_bytes, 1_048_576);
    }

    #[test]
    fn the_database_and_the_outbox_live_in_the_data_directory() {
        let settings = Settings::load_from(None, None, env(&[("GONGKAI__DATA_DIR", "/srv/gongkai")])).unwrap();
        assert_eq!(settings.data_dir, "/srv/gongkai");
        assert_eq!(settings.database.url, "/srv/gongkai/gongkai.sqlite3");
        assert_eq!(settings.mail.file_dir, "/srv/gongkai/outbox");
        assert_eq!(settings.files.dir, "/srv/gongkai/files");
        assert!(!settings.database_is_default, "a configured data directory is not the default");
        assert_eq!(settings.database_location(), DatabaseLocation::Sqlite("/srv/gongkai/gongkai.sqlite3".into()));
        assert_eq!(settings.database_location().to_string(), "SQLite /srv/gongkai/gongkai.sqlite3");
        // A database given explicitly is used as given, and is not the default.
        let explicit = Settings::load_from(None, Some("x.db"), env(&[])).unwrap();
        assert_eq!(explicit.database.url, "x.db");
        assert!(!explicit.database_is_default);
        assert_eq!(
            explicit.database_location(),
            DatabaseLocation::Sqlite(std::env::current_dir().unwrap().join("x.db"))
        );
    }

    #[test]
    fn a_postgresql_location_is_printed_without_its_password() {
        let location = DatabaseLocation::of_url("postgres://gongkai:s3cret@db.internal:5432/gongkai?sslmode=require");
        assert_eq!(location.to_string(), "PostgreSQL postgres://gongkai@db.internal:5432/gongkai?sslmode=require");
        assert_eq!(
            without_password("postgresql://u@h/db?password=x&sslmode=disable"),
            "postgresql://u@h/db?sslmode=disable"
        );
        assert_eq!(without_password("postgres://h/db?password=x"), "postgres://h/db");
        assert_eq!(without_password("postgres://u:p@h"), "postgres://u@h");
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
