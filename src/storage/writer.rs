//! Group commit for SQLite: one thread owns the write path and runs the writes waiting for it as
//! one transaction, each write inside its own savepoint.
//!
//! SQLite has a single writer at a time anyway. Handing the connection from request to request
//! cost a thread wake-up per write and a commit (a WAL append) per write; with this thread the
//! connection stays hot and one commit serves every write that arrived while the previous batch
//! ran. Each write is still atomic (a write that fails is rolled back to its savepoint and the
//! others are kept), and each caller hears of its result only after the commit, so a reported
//! success is as durable as before. When the commit fails, every write of the batch fails.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::Connection as _;
use tokio::sync::oneshot;

use super::{DbConnection, DbPool, StorageError};

/// Most writes in one transaction (a bound on how long the first of them waits for its answer).
const MAX_BATCH: usize = 64;

/// Writes of requests that may wait for the thread at once ([`super::Db::write`] takes one of
/// these slots before it queues, so that queuing never blocks an async worker).
pub(super) const QUEUE: usize = 4 * MAX_BATCH;

/// Room in the channel beyond [`QUEUE`] for background threads that queue writes without a slot
/// (the audit writer, one write at a time), so that they never fill it for requests.
const BACKGROUND: usize = 8;

/// A write waiting for the writer thread.
pub(super) trait Job: Send {
    /// Run inside the batch's transaction, in a savepoint of its own (rolled back if it fails).
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Box<dyn Pending>;
    /// Report that the write could not run at all.
    fn fail(self: Box<Self>, error: StorageError);
}

/// A write that ran and waits for the batch's commit before its caller is told.
pub(super) trait Pending: Send {
    fn report(self: Box<Self>, commit: Result<(), &StorageError>);
}

/// A write as the caller gave it, with the channel its result goes back on.
pub(super) struct Task<F, T, E> {
    pub work: F,
    pub reply: oneshot::Sender<Result<T, E>>,
}

struct Ran<T, E> {
    result: Result<T, E>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Job for Task<F, T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send,
    T: Send + 'static,
    E: From<StorageError> + From<diesel::result::Error> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Box<dyn Pending> {
        let Task { work, reply } = *self;
        // Nested in the batch's transaction, diesel makes this a savepoint: released when `work`
        // succeeds, rolled back to when it fails.
        let result = conn.transaction(work);
        Box::new(Ran { result, reply })
    }

    fn fail(self: Box<Self>, error: StorageError) {
        // The caller may have gone away (a dropped request); nothing to tell then.
        let _ = self.reply.send(Err(E::from(error)));
    }
}

impl<T: Send, E: From<StorageError> + Send> Pending for Ran<T, E> {
    fn report(self: Box<Self>, commit: Result<(), &StorageError>) {
        let outcome = match (self.result, commit) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(error)) => Err(E::from(StorageError::Commit(error.to_string()))),
            (Err(error), _) => Err(error),
        };
        let _ = self.reply.send(outcome);
    }
}

/// The sending side: cheap to clone, one per [`super::Db`].
#[derive(Clone)]
pub(super) struct Writer {
    sender: SyncSender<Box<dyn Job>>,
}

impl Writer {
    /// Start the writer thread on `pool` (which it takes a connection from for each batch, so that
    /// commands using the pool directly interleave with it).
    pub fn start(pool: DbPool) -> Result<Self, StorageError> {
        let (sender, receiver) = sync_channel::<Box<dyn Job>>(QUEUE + BACKGROUND);
        std::thread::Builder::new().name("gongkai-writer".into()).spawn(move || write_loop(&pool, &receiver))?;
        Ok(Self { sender })
    }

    /// Queue a job; `Err` gives the job back when the writer thread is gone.
    pub fn submit(&self, job: Box<dyn Job>) -> Result<(), Box<dyn Job>> {
        self.sender.send(job).map_err(|e| e.0)
    }
}

fn write_loop(pool: &DbPool, receiver: &Receiver<Box<dyn Job>>) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match pool.get() {
            Ok(mut conn) => run_batch(&mut conn, batch),
            Err(e) => {
                let message = e.to_string();
                for job in batch {
                    job.fail(StorageError::Unavailable(message.clone()));
                }
            }
        }
    }
}

fn run_batch(conn: &mut DbConnection, batch: Vec<Box<dyn Job>>) {
    if let Err(e) = begin(conn) {
        let message = e.to_string();
        for job in batch {
            job.fail(StorageError::Unavailable(message.clone()));
        }
        return;
    }
    let mut pending = Vec::with_capacity(batch.len());
    let mut poisoned = false;
    for job in batch {
        if poisoned {
            job.fail(StorageError::Commit("an earlier write of the same transaction panicked".into()));
            continue;
        }
        match catch_unwind(AssertUnwindSafe(|| job.run(conn))) {
            Ok(report) => pending.push(report),
            Err(_) => {
                // The panicking write's caller sees its channel closed; the savepoint state is
                // unknown, so the whole transaction is abandoned below.
                tracing::error!("a database write panicked; its transaction is rolled back");
                poisoned = true;
            }
        }
    }
    let outcome = if poisoned {
        rollback_all(conn);
        Err(StorageError::Commit("another write of the same transaction panicked".into()))
    } else {
        commit(conn).map_err(StorageError::from)
    };
    for report in pending {
        report.report(outcome.as_ref().map(|_| ()));
    }
}

fn begin(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
        DbConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
    }
}

fn commit(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    let result = match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::commit_transaction(c),
        DbConnection::Postgresql(c) => AnsiTransactionManager::commit_transaction(c),
    };
    if result.is_err() {
        // A failed COMMIT may leave the transaction open; never let the next batch inherit it.
        let _ = rollback(conn);
    }
    result
}

/// Roll back every open savepoint and the transaction (after a panic left them in an unknown
/// state).
fn rollback_all(conn: &mut DbConnection) {
    loop {
        let depth = match conn {
            DbConnection::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth(),
            DbConnection::Postgresql(c) => {
                AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
            }
        };
        if !matches!(depth, Ok(Some(_))) || rollback(conn).is_err() {
            return;
        }
    }
}

fn rollback(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
        DbConnection::Postgresql(c) => AnsiTransactionManager::rollback_transaction(c),
    }
}
