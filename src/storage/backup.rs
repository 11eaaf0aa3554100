//! Consistent copies of a SQLite database while the service runs, and their restoration.
//! (PostgreSQL has pg_dump and pg_restore; see the README.)

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;

use super::StorageError;

/// What a copy holds, checked by opening it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    pub cases: i64,
    pub events: i64,
    pub migrations: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

fn quote(path: &Path) -> Result<String, StorageError> {
    let text = path.to_str().ok_or_else(|| StorageError::Migration("the path is not valid UTF-8".into()))?;
    Ok(format!("'{}'", text.replace('\'', "''")))
}

/// Open a copy read-only, run SQLite's integrity check, and count what it holds.
///
/// # Errors
/// The file is not a SQLite database, fails the integrity check, or lacks gongkai's tables.
pub fn verify(path: &Path) -> Result<BackupSummary, StorageError> {
    let url = format!("file:{}?mode=ro", path.display());
    let mut conn = SqliteConnection::establish(&url)?;
    let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn)?;
    if check.iter().any(|c| c.integrity_check != "ok") {
        let problems: Vec<String> = check.into_iter().map(|c| c.integrity_check).take(5).collect();
        return Err(StorageError::Migration(format!("integrity check failed: {}", problems.join("; "))));
    }
    let count = |conn: &mut SqliteConnection, sql: &str| -> Result<i64, StorageError> {
        Ok(diesel::sql_query(sql).get_result::<Count>(conn)?.n)
    };
    Ok(BackupSummary {
        path: path.to_path_buf(),
        bytes: std::fs::metadata(path)?.len(),
        cases: count(&mut conn, "SELECT COUNT(*) AS n FROM cases")?,
        events: count(&mut conn, "SELECT COUNT(*) AS n FROM case_events")?,
        migrations: count(&mut conn, "SELECT COUNT(*) AS n FROM __diesel_schema_migrations")?,
    })
}

/// Write a consistent copy of the SQLite database at `database` to `output` with `VACUUM INTO`
/// (a read transaction: the service keeps running), then verify the copy.
///
/// # Errors
/// `output` exists, the copy cannot be written, or it fails verification.
pub fn backup(database: &Path, output: &Path) -> Result<BackupSummary, StorageError> {
    // Everything is checked before anything is created: opening a mistyped database path would
    // create an empty database there (and back that up), a mistyped output directory would fail
    // only after the copy.
    let refuse = |kind: std::io::ErrorKind, message: String| Err(StorageError::Io(std::io::Error::new(kind, message)));
    if output.exists() {
        return refuse(std::io::ErrorKind::AlreadyExists, format!("{} exists: choose a new file", output.display()));
    }
    let directory = output.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !directory.is_dir() {
        return refuse(std::io::ErrorKind::NotFound, format!("the directory {} does not exist", directory.display()));
    }
    if !database.is_file() {
        return refuse(std::io::ErrorKind::NotFound, format!("there is no database at {}", database.display()));
    }
    let mut conn = SqliteConnection::establish(&database.to_string_lossy())?;
    conn.batch_execute("PRAGMA busy_timeout = 10000")?;
    let is_gongkai: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__diesel_schema_migrations')",
    ))
    .get_result(&mut conn)?;
    if !is_gongkai {
        return refuse(std::io::ErrorKind::InvalidData, format!("{} is not a gongkai database", database.display()));
    }
    if let Err(e) = conn.batch_execute(&format!("VACUUM INTO {}", quote(output)?)) {
        let _ = std::fs::remove_file(output);
        return Err(e.into());
    }
    verify(output)
}

/// Replace the SQLite database at `database` with the verified copy `input`. The service must be
/// stopped: an exclusive lock on the database is taken first and refused while it runs.
///
/// # Errors
/// The copy fails verification, the database is in use, or the files cannot be written.
pub fn restore(input: &Path, database: &Path) -> Result<BackupSummary, StorageError> {
    let summary = verify(input)?;
    if database.exists() {
        let mut conn = SqliteConnection::establish(&database.to_string_lossy())?;
        // Leaving WAL mode needs the only connection to the file: it fails while a service has
        // the database open, which is exactly what must not happen during a restore.
        let in_use = || {
            StorageError::Io(std::io::Error::new(
                std::io::ErrorKind::WouldBlock,
                "the database is in use: stop the service before restoring",
            ))
        };
        conn.batch_execute("PRAGMA busy_timeout = 0").map_err(|_| in_use())?;
        let mode: JournalMode =
            diesel::sql_query("PRAGMA journal_mode = DELETE").get_result(&mut conn).map_err(|_| in_use())?;
        if !mode.journal_mode.eq_ignore_ascii_case("delete") {
            return Err(in_use());
        }
    }
    // Copy next to the target, then rename over it: the target is replaced whole or not at all.
    let staging = database.with_extension("restoring");
    if staging.exists() {
        std::fs::remove_file(&staging)?;
    }
    std::fs::copy(input, &staging)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", database.display()));
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    std::fs::rename(&staging, database)?;
    let restored = verify(database)?;
    if restored.cases != summary.cases || restored.events != summary.events {
        return Err(StorageError::Migration("the restored database differs from the copy".into()));
    }
    Ok(restored)
}
