//! The outbox: letters and digests waiting for delivery, claimed by workers under a lease.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text, Timestamp};

use super::schema::outbox;
use super::{insert_returning_id, DbConnection};

/// A message of the outbox.
#[derive(Clone, Debug, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub case_id: Option<i64>,
    pub kind: String,
    pub recipient: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A message to queue.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub struct NewOutboxRow<'a> {
    pub case_id: Option<i64>,
    pub kind: &'a str,
    pub recipient: Option<&'a str>,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub message_id: &'a str,
    pub status: &'a str,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Queue a message; returns its id.
///
/// # Errors
/// A database error.
pub fn insert(conn: &mut DbConnection, row: &NewOutboxRow<'_>) -> QueryResult<i64> {
    insert_returning_id!(conn, outbox::table, outbox::id, row)
}

/// The messages of a case, oldest first.
///
/// # Errors
/// A database error.
pub fn of_case(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<OutboxRow>> {
    outbox::table.filter(outbox::case_id.eq(case_id)).order(outbox::id.asc()).select(OutboxRow::as_select()).load(conn)
}

/// One message.
///
/// # Errors
/// A database error.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<OutboxRow>> {
    outbox::table.find(id).select(OutboxRow::as_select()).get_result(conn).optional()
}

/// Claim up to `limit` messages due at `now` for `instance` until `until`: pending messages whose
/// `next_attempt_at` has come, and messages whose previous claim expired (a worker that crashed
/// while sending). Each claim counts as an attempt, so a message whose sending keeps crashing
/// its worker is not claimed again once it has had `max_attempts`: it is marked `failed` instead.
/// Call in its own, short transaction.
///
/// On PostgreSQL the rows are chosen with `FOR UPDATE SKIP LOCKED`, so concurrent workers never
/// claim the same row; SQLite has a single writer, so a plain `UPDATE` is atomic.
///
/// # Errors
/// A database error.
pub fn claim(
    conn: &mut DbConnection,
    instance: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
    max_attempts: i32,
) -> QueryResult<Vec<OutboxRow>> {
    diesel::update(
        outbox::table
            .filter(outbox::status.eq("sending"))
            .filter(outbox::claimed_until.lt(now))
            .filter(outbox::attempts.ge(max_attempts)),
    )
    .set((
        outbox::status.eq("failed"),
        outbox::last_error.eq(Some(format!(
            "delivery did not finish in {max_attempts} attempts: the worker stopped while sending (lease expired)"
        ))),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    let lock = match conn {
        DbConnection::Postgresql(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE outbox SET status = 'sending', claimed_by = $1, claimed_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox \
             WHERE (status = 'pending' AND next_attempt_at <= $3) OR (status = 'sending' AND claimed_until < $3) \
             ORDER BY id LIMIT $4{lock}) \
         RETURNING id, case_id, kind, recipient, subject, body_text, body_html, message_id, status, attempts, \
             next_attempt_at, last_error, claimed_by, claimed_until, created_at, sent_at"
    );
    let mut rows: Vec<OutboxRow> = diesel::sql_query(sql)
        .bind::<Text, _>(instance)
        .bind::<Timestamp, _>(until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Mark a claimed message sent. False when `instance` no longer holds the claim (its lease
/// expired and another worker took the message: that worker will mark it).
///
/// # Errors
/// A database error.
pub fn mark_sent(conn: &mut DbConnection, id: i64, instance: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(outbox::table.find(id).filter(outbox::claimed_by.eq(instance)))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(Some(at)),
            outbox::last_error.eq(None::<String>),
            outbox::claimed_by.eq(None::<String>),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Return a claimed message to `pending` (retry at `next_attempt_at`) or mark it `failed`.
///
/// # Errors
/// A database error.
pub fn mark_unsent(
    conn: &mut DbConnection,
    id: i64,
    instance: &str,
    status: &str,
    next_attempt_at: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(outbox::table.find(id).filter(outbox::claimed_by.eq(instance)))
        .set((
            outbox::status.eq(status),
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::last_error.eq(Some(error)),
            outbox::claimed_by.eq(None::<String>),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Claim the digest of `day` for `recipient`: true the first time only.
///
/// # Errors
/// A database error.
pub fn claim_reminder(
    conn: &mut DbConnection,
    day: chrono::NaiveDate,
    recipient: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::sql_query(
        "INSERT INTO reminder_runs (day, recipient, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (day, recipient) DO NOTHING",
    )
    .bind::<Date, _>(day)
    .bind::<Text, _>(recipient)
    .bind::<Timestamp, _>(at)
    .execute(conn)?;
    Ok(n == 1)
}

/// Counts of messages by status (for `gongkai outbox deliver`'s summary and tests).
///
/// # Errors
/// A database error.
pub fn count_status(conn: &mut DbConnection, status: &str) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let c: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM outbox WHERE status = $1")
        .bind::<Text, _>(status)
        .get_result(conn)?;
    Ok(c.n)
}

/// The statuses of the outbox queue's depth: messages waiting, being sent, and given up on.
pub const QUEUE_STATUSES: [&str; 3] = ["pending", "sending", "failed"];

/// How many messages are in each of [`QUEUE_STATUSES`] (every status present, zeros too).
///
/// # Errors
/// A database error.
pub fn count_queue(conn: &mut DbConnection) -> QueryResult<Vec<(&'static str, i64)>> {
    let counts: Vec<(String, i64)> = outbox::table
        .filter(outbox::status.eq_any(QUEUE_STATUSES))
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(QUEUE_STATUSES
        .iter()
        .map(|status| (*status, counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n)))
        .collect())
}
