//! Consistent copies of a SQLite database while the service runs, and their restoration, with
//! the files of the case documents ([`copy_files`]: into `files/` beside the copy).
//! (PostgreSQL has pg_dump and pg_restore, and the files are copied with `cp -n`; see the README.)

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;

use super::blobs::BlobStore;
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

/// The directory of document files beside a copy: `files/` in the copy's directory, shared by
/// every copy written there (blobs are named by their content and never change, so a second
/// copy into the same directory adds only the files that are new since the first).
pub fn files_beside(copy: &Path) -> PathBuf {
    copy.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).join("files")
}

/// What the document files of a copy came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilesSummary {
    /// The directory holding them.
    pub dir: PathBuf,
    /// Distinct files the copy's documents name (all present, each with its SHA-256 checked).
    pub files: u64,
    /// Of them, copied now (the others were there already).
    pub copied: u64,
    pub bytes: u64,
}

/// The blobs a SQLite database's documents name (none before documents existed).
fn hashes_in(database: &Path) -> Result<Vec<String>, StorageError> {
    #[derive(QueryableByName)]
    struct Hash {
        #[diesel(sql_type = Text)]
        sha256: String,
    }
    let mut conn = SqliteConnection::establish(&format!("file:{}?mode=ro", database.display()))?;
    let has_documents: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents')",
    ))
    .get_result(&mut conn)?;
    if !has_documents {
        return Ok(Vec::new());
    }
    let rows: Vec<Hash> = diesel::sql_query("SELECT DISTINCT sha256 FROM documents ORDER BY sha256").load(&mut conn)?;
    Ok(rows.into_iter().map(|h| h.sha256).collect())
}

/// Copy the files of the documents in the copy `copy` from the live store `from` into `to`
/// (those not there yet), then check every one of them in `to` against its SHA-256. The copy is
/// taken first: the files of its documents were all stored before their rows were committed, so
/// they are all in `from`.
///
/// # Errors
/// A file missing or damaged in either store, or an I/O or database error.
pub fn copy_files(copy: &Path, from: &BlobStore, to: &BlobStore) -> Result<FilesSummary, StorageError> {
    let hashes = hashes_in(copy)?;
    let mut summary = FilesSummary { dir: to.root().to_path_buf(), ..FilesSummary::default() };
    for sha256 in &hashes {
        if from.copy_to(to, sha256).map_err(|e| blob_error(sha256, e))? {
            summary.copied += 1;
        }
    }
    let checked = verify_files(copy, to)?;
    summary.files = checked.files;
    summary.bytes = checked.bytes;
    Ok(summary)
}

/// Check that every file the documents in `database` name is in `store` with its SHA-256.
///
/// # Errors
/// A file missing or damaged, or a database error.
pub fn verify_files(database: &Path, store: &BlobStore) -> Result<FilesSummary, StorageError> {
    let mut summary = FilesSummary { dir: store.root().to_path_buf(), ..FilesSummary::default() };
    for sha256 in hashes_in(database)? {
        summary.bytes += store.verify(&sha256).map_err(|e| blob_error(&sha256, e))?;
        summary.files += 1;
    }
    Ok(summary)
}

fn blob_error(sha256: &str, error: std::io::Error) -> StorageError {
    StorageError::Io(std::io::Error::new(error.kind(), format!("document file {sha256}: {error}")))
}
