//! Storage: diesel over SQLite (bundled, the default) and PostgreSQL through one connection type.
//!
//! Backend-specific SQL lives here and nowhere else. Blocking diesel work runs on the blocking thread
//! pool through [`Db::read`] and [`Db::write`]; a write is always one transaction.
//!
//! Single-row lookups use `get_result`, not `first` (which binds a `LIMIT ?` that only costs). The
//! bundled SQLite is built with stable query plans (see `.cargo/config.toml`): without them it
//! prepared every statement with a bound limit again at each execution.

pub mod agencies;
pub mod appeals;
pub mod applicants;
pub mod audit;
pub mod backup;
pub mod blobs;
pub mod bulk;
pub mod calendar;
pub mod case_list;
pub mod cases;
pub mod deadlines;
pub mod documents;
pub mod ledger;
pub mod letters;
pub mod outbox;
pub mod report;
pub mod report_text;
pub mod schema;
pub mod search;
pub mod sessions;
pub mod similar;
pub mod steps;
pub mod submissions;
pub mod users;
pub mod workflow;
pub mod worklist;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, Pool, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// One connection to either database.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Run `$body` with `$c` bound to the concrete connection, for what the multi-backend connection
/// cannot run itself (RETURNING, ON CONFLICT, multi-row INSERTs): the same code, compiled once for
/// each backend.
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::storage::DbConnection::Postgresql($c) => $body,
            $crate::storage::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use per_backend;

/// Insert one row and return its generated `id`.
macro_rules! insert_returning_id {
    ($conn:expr, $table:expr, $id:expr, $values:expr) => {{
        use diesel::RunQueryDsl as _;
        $crate::storage::per_backend!($conn, |c| diesel::insert_into($table)
            .values($values)
            .returning($id)
            .get_result::<i64>(c))
    }};
}
pub(crate) use insert_returning_id;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// `postgres://` and `postgresql://` URLs are PostgreSQL; anything else is a SQLite path.
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// Failures below the service layer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database query failed")]
    Query(#[from] diesel::result::Error),
    #[error("could not get a database connection")]
    Pool(#[from] r2d2::PoolError),
    #[error("could not connect to the database")]
    Connection(#[from] diesel::ConnectionError),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("the database task was cancelled")]
    Cancelled,
    #[error("the database cannot take writes: {0}")]
    Unavailable(String),
    #[error("the transaction could not be committed: {0}")]
    Commit(String),
    #[error("could not prepare the database location: {0}")]
    Io(#[from] std::io::Error),
    #[error("the text search reached its cost bound")]
    SearchTooBroad,
    /// A stored value that breaks the domain's rules (an unknown key, a malformed event).
    #[error("corrupt data: {0}")]
    Corrupt(String),
}

/// A failed query (the error of the storage functions that return diesel's `QueryResult`).
pub use diesel::result::Error as QueryError;

/// The result of a storage function.
pub type StorageResult<T> = Result<T, StorageError>;

/// The backend of [`DbConnection`], for boxed queries that run on either database.
pub(crate) type DbBackend = <DbConnection as diesel::Connection>::Backend;

/// Read a stored key of a closed set (a status, a channel, …) back into its enum.
///
/// # Errors
/// `Corrupt`, naming the column, when the key is not one of the set.
pub(crate) fn key<T>(value: &str, parse: fn(&str) -> Option<T>, column: &str) -> StorageResult<T> {
    parse(value).ok_or_else(|| StorageError::Corrupt(format!("{column} = `{value}`")))
}

/// A stored non-negative count as `u32`.
///
/// # Errors
/// `Corrupt`, naming the column, for a negative value.
pub(crate) fn count_u32(value: i32, column: &str) -> StorageResult<u32> {
    u32::try_from(value).map_err(|_| StorageError::Corrupt(format!("{column} = {value}")))
}

/// Settings of the connection pools.
#[derive(Clone, Debug)]
pub struct DbOptions {
    pub url: String,
    pub pool_size: u32,
    pub connect_timeout: Duration,
    pub sqlite_busy_timeout: Duration,
    pub sqlite_synchronous_full: bool,
}

/// Opens connections of the backend the URL names, never guessing (the derived `establish`
/// would fall back to SQLite and create a file named after a PostgreSQL URL).
#[derive(Clone, Debug)]
pub struct Manager {
    options: DbOptions,
    backend: Backend,
    /// Only the writing pool switches a SQLite file to WAL (readers never take that lock).
    writer: bool,
}

impl Manager {
    fn sqlite_path(&self) -> &str {
        self.options.url.strip_prefix("sqlite://").unwrap_or(&self.options.url)
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.options.url)
                .map(DbConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(self.sqlite_path()).map_err(r2d2::Error::ConnectionError)?;
                let synchronous = if self.options.sqlite_synchronous_full { "FULL" } else { "NORMAL" };
                // temp_store: the sub-journal of each write's savepoint in a group commit (and any
                // sort) stays in memory instead of going through a temporary file.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON; \
                     PRAGMA temp_store = MEMORY;",
                    self.options.sqlite_busy_timeout.as_millis()
                ))
                .map_err(r2d2::Error::QueryError)?;
                // WAL is a property of the file: switch once, not on every new connection (the
                // switch needs a lock a long write transaction would hold).
                if self.writer && !journal_is_wal(&mut conn).map_err(r2d2::Error::QueryError)? {
                    conn.batch_execute("PRAGMA journal_mode = WAL").map_err(r2d2::Error::QueryError)?;
                }
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

#[derive(diesel::QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

fn journal_is_wal(conn: &mut SqliteConnection) -> diesel::QueryResult<bool> {
    use diesel::RunQueryDsl;
    let mode: JournalMode = diesel::sql_query("PRAGMA journal_mode").get_result(conn)?;
    Ok(mode.journal_mode.eq_ignore_ascii_case("wal"))
}

type DbPool = Pool<Manager>;

/// The PostgreSQL advisory lock key held while an instance migrates and seeds ("gongkai").
const SETUP_LOCK: i64 = 0x0067_6f6e_676b_6169;

/// The connection pools of the service. For SQLite, writes go through a pool of one connection
/// (SQLite serialises writers anyway), which the group-commit writer thread uses for [`Db::write`]
/// and commands use directly; reads go through the others. For PostgreSQL both use one pool.
#[derive(Clone)]
pub struct Db {
    read: DbPool,
    write: DbPool,
    backend: Backend,
    /// Requests waiting for a connection wait here, in the async runtime, instead of each
    /// occupying a blocking thread (whose memory would grow with the number of waiting requests).
    read_slots: Arc<Semaphore>,
    write_slots: Arc<Semaphore>,
    /// SQLite: the group-commit writer thread that runs [`Db::write`] (see [`writer`]).
    writer: Option<writer::Writer>,
}

impl Db {
    /// Create the pools (and, for SQLite, the database file's directory).
    ///
    /// # Errors
    /// The database cannot be reached or the directory cannot be created.
    pub fn connect(options: &DbOptions) -> Result<Self, StorageError> {
        let backend = Backend::of_url(&options.url);
        let manager = Manager { options: options.clone(), backend, writer: false };
        if backend == Backend::Sqlite {
            if let Some(dir) = std::path::Path::new(manager.sqlite_path()).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)?;
                }
            }
        }
        let build = |size: u32, writer: bool| {
            Pool::builder()
                .max_size(size.max(1))
                // SQLite readers connect when first needed rather than all at start: a command
                // that only writes (a bulk load) then has the file to itself.
                .min_idle((backend == Backend::Sqlite && !writer).then_some(0))
                .connection_timeout(options.connect_timeout)
                // A broken connection is noticed by `has_broken`; testing each checkout with a
                // query cost a parsed `SELECT 1` per database task.
                .test_on_check_out(false)
                .build(Manager { writer, ..manager.clone() })
        };
        // SQLite: the writing connection first, so that the file is in WAL before anyone reads.
        let (read, write) = match backend {
            Backend::Sqlite => {
                let write = build(1, true)?;
                (build(options.pool_size, false)?, write)
            }
            Backend::Postgres => {
                let pool = build(options.pool_size, false)?;
                (pool.clone(), pool)
            }
        };
        let read_slots = Arc::new(Semaphore::new(usize::try_from(read.max_size()).unwrap_or(usize::MAX)));
        let (writer, write_slots) = match backend {
            // Writes queue for the writer thread (up to its channel's capacity, so that queuing
            // never blocks an async worker); the others wait on the semaphore.
            Backend::Sqlite => (Some(writer::Writer::start(write.clone())?), writer::QUEUE),
            Backend::Postgres => (None, usize::try_from(write.max_size()).unwrap_or(usize::MAX)),
        };
        let write_slots = Arc::new(Semaphore::new(write_slots));
        Ok(Self { read, write, backend, read_slots, write_slots, writer })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Apply every pending migration.
    ///
    /// # Errors
    /// A migration fails.
    pub fn migrate(&self) -> Result<(), StorageError> {
        self.setup_blocking(|_| Ok::<_, StorageError>(()))
    }

    /// Apply pending migrations and then run `f`, holding a lock that other instances starting at
    /// the same time wait for (PostgreSQL: an advisory lock; SQLite: one immediate transaction),
    /// so that two instances never migrate or seed the same database at once.
    ///
    /// # Errors
    /// A migration or `f` fails (on SQLite everything is rolled back).
    pub fn setup_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<StorageError> + From<diesel::result::Error>,
    {
        let mut conn = self.write.get().map_err(StorageError::from)?;
        match &mut *conn {
            DbConnection::Postgresql(c) => {
                c.batch_execute(&format!("SELECT pg_advisory_lock({SETUP_LOCK})"))?;
                let result = run_migrations(&mut conn).map_err(E::from).and_then(|()| transaction(&mut conn, f));
                // Released with the session anyway; unlocking keeps the pooled connection clean.
                let unlocked = conn.batch_execute(&format!("SELECT pg_advisory_unlock({SETUP_LOCK})"));
                let value = result?;
                unlocked?;
                Ok(value)
            }
            DbConnection::Sqlite(_) => transaction(&mut conn, |c| {
                run_migrations(c)?;
                f(c)
            }),
        }
    }

    /// Run read-only work on a pooled connection off the async executor.
    ///
    /// # Errors
    /// The pool has no connection in time, or `f` fails.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let pool = self.read.clone();
        let _slot = self.read_slots.acquire().await.map_err(|_| E::from(StorageError::Cancelled))?;
        actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(StorageError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|_| E::from(StorageError::Cancelled))?
    }

    /// Run `f` atomically off the async executor. On PostgreSQL it is one transaction; on SQLite it
    /// runs on the writer thread in a savepoint of a `BEGIN IMMEDIATE` transaction shared with the
    /// writes queued beside it (group commit, see [`writer`]), and the result comes back after
    /// the commit.
    ///
    /// # Errors
    /// The pool has no connection in time, the transaction cannot commit, or `f` fails (then
    /// everything `f` did is rolled back).
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + From<diesel::result::Error> + Send + 'static,
    {
        let _slot = self.write_slots.acquire().await.map_err(|_| E::from(StorageError::Cancelled))?;
        if let Some(writer) = &self.writer {
            let (reply, answer) = tokio::sync::oneshot::channel();
            writer
                .submit(Box::new(writer::Task { work: f, reply }))
                .map_err(|_| E::from(StorageError::Unavailable("the writer thread stopped".into())))?;
            return answer.await.map_err(|_| E::from(StorageError::Cancelled))?;
        }
        let pool = self.write.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(StorageError::from)?;
            transaction(&mut conn, f)
        })
        .await
        .map_err(|_| E::from(StorageError::Cancelled))?
    }

    /// Run `f` as one transaction on the calling thread (for commands and tests, not handlers).
    ///
    /// # Errors
    /// As [`Db::write`].
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<StorageError> + From<diesel::result::Error>,
    {
        let mut conn = self.write.get().map_err(StorageError::from)?;
        transaction(&mut conn, f)
    }

    /// Run `f` atomically from a thread outside the async runtime, waiting for the result: on
    /// SQLite through the writer thread like [`Db::write`] (in the transaction it shares with the
    /// writes queued beside it, instead of taking the write connection away from it for a
    /// transaction of its own), on PostgreSQL as [`Db::write_blocking`]. For background threads
    /// such as the audit writer; it must not be called from an async task.
    ///
    /// # Errors
    /// As [`Db::write`].
    pub fn write_queued_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + From<diesel::result::Error> + Send + 'static,
    {
        let Some(writer) = &self.writer else { return self.write_blocking(f) };
        let (reply, answer) = tokio::sync::oneshot::channel();
        writer
            .submit(Box::new(writer::Task { work: f, reply }))
            .map_err(|_| E::from(StorageError::Unavailable("the writer thread stopped".into())))?;
        answer.blocking_recv().map_err(|_| E::from(StorageError::Cancelled))?
    }

    /// Run `f` on the write connection outside any transaction (maintenance such as VACUUM).
    ///
    /// # Errors
    /// The pool has no connection in time, or `f` fails.
    pub fn maintenance_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<StorageError>,
    {
        let mut conn = self.write.get().map_err(StorageError::from)?;
        f(&mut conn)
    }

    /// The use of the connection pools (`read` and `write` on SQLite; one `main` pool on
    /// PostgreSQL), for the metrics.
    pub fn pool_states(&self) -> Vec<(&'static str, PoolUse)> {
        let of = |pool: &DbPool| {
            let state = pool.state();
            PoolUse { connections: state.connections, idle: state.idle_connections, max: pool.max_size() }
        };
        match self.backend {
            Backend::Sqlite => vec![("read", of(&self.read)), ("write", of(&self.write))],
            Backend::Postgres => vec![("main", of(&self.read))],
        }
    }

    /// Whether the service can do its work on this database: reachable, every migration applied,
    /// and writable (a write transaction that changes nothing is begun and committed, through
    /// the same path as every write: on SQLite the writer thread's `BEGIN IMMEDIATE`).
    pub fn readiness(&self) -> Readiness {
        let pending = (|| -> Result<bool, String> {
            let mut conn = self.read.get().map_err(|e| e.to_string())?;
            let pending = match &mut *conn {
                DbConnection::Postgresql(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
                DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
            };
            pending.map_err(|e| e.to_string())
        })();
        match pending {
            // Looking the migrations up creates their table when missing: a write.
            Err(e) if e.contains("read-only") || e.contains("readonly") => return Readiness::NotWritable(e),
            Err(e) => return Readiness::Unreachable(e),
            Ok(true) => return Readiness::MigrationsPending,
            Ok(false) => {}
        }
        let written = self.write_queued_blocking(|conn| -> Result<(), StorageError> {
            diesel::RunQueryDsl::execute(
                diesel::sql_query("UPDATE case_counters SET last_number = last_number WHERE 1 = 0"),
                conn,
            )?;
            Ok(())
        });
        match written {
            Ok(()) => Readiness::Ready,
            Err(e) => Readiness::NotWritable(e.to_string()),
        }
    }
}

/// What [`Db::readiness`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// No connection, or it failed.
    Unreachable(String),
    /// The database lacks migrations of this version (being migrated, or migrated by an older one).
    MigrationsPending,
    /// Reads work, writes do not (read-only file or directory, full disk, read-only server).
    NotWritable(String),
}

/// How much of a connection pool is in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    pub connections: u32,
    pub idle: u32,
    pub max: u32,
}

/// Run `f` in a transaction: `BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL.
///
/// # Errors
/// `f` fails (rolled back), or begin/commit fail.
pub fn transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Postgresql(_) => conn.transaction(f),
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    if let DbConnection::Sqlite(c) = conn {
                        AnsiTransactionManager::commit_transaction(c)?;
                    }
                    Ok(value)
                }
                Err(e) => {
                    if let DbConnection::Sqlite(c) = conn {
                        // The original error matters more than a failed rollback.
                        let _ = AnsiTransactionManager::rollback_transaction(c);
                    }
                    Err(e)
                }
            }
        }
    }
}

/// Apply every pending migration of the connection's backend.
///
/// # Errors
/// A migration fails.
pub fn run_migrations(conn: &mut DbConnection) -> Result<(), StorageError> {
    let result = match conn {
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        DbConnection::Sqlite(c) => match c.run_pending_migrations(SQLITE_MIGRATIONS).map(|applied| applied.len()) {
            Ok(0) => Ok(()),
            Ok(_) => analyse_new_indexes(c).map_err(Into::into),
            Err(e) => Err(e),
        },
    };
    result.map_err(|e| StorageError::Migration(e.to_string()))
}

/// The rows SQLite's `ANALYZE` samples per index (`PRAGMA analysis_limit`): enough for the planner,
/// seconds faster than a full scan of a million cases. One figure for every `ANALYZE` the service
/// runs: the planner compares indexes by their statistics, and sampled figures set beside exact
/// ones make it pick the wrong index (a count the covering index answers in 23 ms took 300 ms).
pub(crate) const SQLITE_ANALYSIS_LIMIT: u32 = 1000;

/// In an SQLite database that has statistics (`ANALYZE` ran, as the seed command does), gather
/// them for the indexes a migration created: SQLite's planner weighs an index without statistics
/// by defaults, and with the others measured it then picks worse plans (a report that took 70 ms
/// took 290 ms after an index was rebuilt). A database that never ran `ANALYZE` is left without.
fn analyse_new_indexes(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
    use diesel::{QueryableByName, RunQueryDsl};
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let has_statistics: Vec<Name> =
        diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
            .load(conn)?;
    if has_statistics.is_empty() {
        return Ok(());
    }
    let missing: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' \
         AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)",
    )
    .load(conn)?;
    diesel::sql_query(format!("PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")).execute(conn)?;
    for Name { name } in missing {
        // The name comes from sqlite_master; quoted as an identifier all the same.
        diesel::sql_query(format!("ANALYZE \"{}\"", name.replace('"', "\"\""))).execute(conn)?;
    }
    Ok(())
}

/// Revert every applied migration (used by the migration test).
///
/// # Errors
/// A down migration fails.
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<(), StorageError> {
    let result = match conn {
        DbConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| StorageError::Migration(e.to_string()))
}

/// Open a single connection without a pool (for the migration test and tools).
///
/// # Errors
/// The database cannot be reached.
pub fn establish(options: &DbOptions) -> Result<DbConnection, StorageError> {
    let manager = Manager { options: options.clone(), backend: Backend::of_url(&options.url), writer: true };
    manager.connect().map_err(|e| match e {
        r2d2::Error::ConnectionError(c) => StorageError::Connection(c),
        r2d2::Error::QueryError(q) => StorageError::Query(q),
    })
}

/// Whether the error is a unique-constraint violation.
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(error, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }

    /// The bundled SQLite is built with the flags of `.cargo/config.toml` (a build without them
    /// works, but reads, lists and intake lose up to a third of their throughput; see there).
    #[test]
    fn the_bundled_sqlite_has_the_project_build_flags() {
        let mut conn = diesel::sqlite::SqliteConnection::establish(":memory:").unwrap();
        let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
            .load::<CompileOption>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|o| o.compile_options)
            .collect();
        // FTS5 serves the text search (libsqlite3-sys's bundled build enables it).
        for wanted in ["THREADSAFE=2", "DEFAULT_MEMSTATUS=0", "ENABLE_QPSG", "ENABLE_FTS5"] {
            assert!(options.iter().any(|o| o == wanted), "{wanted} missing from {options:?}");
        }
        for unwanted in ["ENABLE_STAT4", "ENABLE_MEMORY_MANAGEMENT"] {
            assert!(!options.iter().any(|o| o == unwanted), "{unwanted} in {options:?}");
        }
    }
}
