//! Bulk loading for the seeding command: multi-row INSERTs in large transactions, with explicit
//! ids so rows can reference each other without a round trip per row.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::case_counters;
use super::DbConnection;

#[derive(Clone, Debug)]
pub struct BulkApplicant {
    pub id: i64,
    pub category: &'static str,
    pub name: String,
    pub id_type: Option<&'static str>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug)]
pub struct BulkCase {
    pub id: i64,
    pub agency_id: i64,
    pub case_number: String,
    pub year: i32,
    pub channel: &'static str,
    pub submitted_on: Option<NaiveDate>,
    pub received_on: NaiveDate,
    pub applicant_id: i64,
    pub applicant_category: &'static str,
    pub description: String,
    pub status: &'static str,
    pub outcome: Option<&'static str>,
    pub concluded_on: Option<NaiveDate>,
    pub decision_basis: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub paused: bool,
    pub extended: bool,
    pub version: i64,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub lapses_on: Option<NaiveDate>,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
}

#[derive(Clone, Debug)]
pub struct BulkEvent {
    pub case_id: i64,
    pub seq: i32,
    pub kind: &'static str,
    pub effective_on: NaiveDate,
    pub recorded_at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub payload: String,
}

#[derive(Clone, Debug)]
pub struct BulkConsultation {
    pub id: i64,
    pub case_id: i64,
    pub party_kind: &'static str,
    pub party: &'static str,
    pub sent_on: NaiveDate,
    pub reply_due: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub opinion: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub struct BulkFee {
    pub case_id: i64,
    pub issued_on: NaiveDate,
    pub basis: &'static str,
    pub pages: Option<i32>,
    pub nth_request: Option<i32>,
    pub amount_fen: i64,
    pub pay_by: NaiveDate,
    pub paid_on: Option<NaiveDate>,
}

/// Which case a row of an imported file created.
#[derive(Clone, Debug)]
pub struct BulkImportRow {
    pub import_id: i64,
    pub file_row: i32,
    pub case_id: i64,
}

#[derive(Clone, Debug)]
pub struct BulkAppeal {
    /// `None`: the database assigns it.
    pub id: Option<i64>,
    pub case_id: i64,
    pub agency_id: i64,
    pub kind: &'static str,
    pub filed_on: NaiveDate,
    pub result: Option<&'static str>,
    pub decided_on: Option<NaiveDate>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

/// Rows per INSERT statement: below SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
const ROWS_PER_STATEMENT: usize = 1000;

macro_rules! bulk_insert {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let mut inserted = 0usize;
        for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
            inserted += super::per_backend!($conn, |c| diesel::insert_into($table).values(chunk).execute(c)?);
        }
        Ok(inserted)
    }};
}

/// Set the case-number counters of seeded agencies.
///
/// # Errors
/// A database error.
pub fn counters(conn: &mut DbConnection, rows: &[(i64, i32, i32)]) -> QueryResult<usize> {
    let values: Vec<_> = rows
        .iter()
        .map(|&(agency, year, last)| {
            (case_counters::agency_id.eq(agency), case_counters::year.eq(year), case_counters::last_number.eq(last))
        })
        .collect();
    bulk_insert!(conn, case_counters::table, values)
}

#[derive(QueryableByName)]
struct MaxId {
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    id: Option<i64>,
}

/// The largest id of `table` (0 when empty). `table` must be one of this module's tables.
///
/// # Errors
/// A database error.
pub fn max_id(conn: &mut DbConnection, table: &'static str) -> QueryResult<i64> {
    let row: MaxId = diesel::sql_query(format!("SELECT MAX(id) AS id FROM {table}")).get_result(conn)?;
    Ok(row.id.unwrap_or(0))
}

#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

/// The tables whose secondary indexes a bulk load rebuilds.
const LOADED_TABLES: &str = "'cases', 'case_events', 'appeals', 'consultations', 'fee_notices', 'applicants'";

/// Drop the secondary (non-unique, not constraint) indexes of the loaded tables and return their
/// definitions, read from the database's own catalogue. Call inside the loading transaction.
///
/// # Errors
/// A database error.
pub fn drop_secondary_indexes(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    let query = match conn {
        DbConnection::Sqlite(_) => format!(
            "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({LOADED_TABLES}) ORDER BY name"
        ),
        DbConnection::Postgresql(_) => format!(
            "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = current_schema() \
             AND indexdef NOT LIKE 'CREATE UNIQUE%' AND tablename IN ({LOADED_TABLES}) ORDER BY indexname"
        ),
    };
    let indexes: Vec<IndexDefinition> = diesel::sql_query(query).load(conn)?;
    for index in &indexes {
        diesel::sql_query(format!("DROP INDEX {}", index.name)).execute(conn)?;
    }
    Ok(indexes.into_iter().map(|i| (i.name, i.definition)).collect())
}

/// Recreate indexes dropped by [`drop_secondary_indexes`].
///
/// # Errors
/// A database error.
pub fn create_indexes(conn: &mut DbConnection, indexes: &[(String, String)]) -> QueryResult<()> {
    for (_, definition) in indexes {
        diesel::sql_query(definition.as_str()).execute(conn)?;
    }
    Ok(())
}

/// Before loading, on SQLite: a page cache of 512 MiB for this connection and, when no other
/// connection has the file open, the rollback journal instead of WAL for the load.
///
/// In WAL mode every page of a load is written twice (to the log at commit, then to the file at
/// the checkpoint): 1.2 GB more for a million cases. A rollback journal keeps only the earlier
/// content of pages the load changes, and pages appended to the file have none, so the load is
/// written once and stays just as atomic: a crash rolls it back from the journal. Returns whether
/// the journal was switched; [`finish`] switches back.
///
/// # Errors
/// A database error.
pub fn prepare(conn: &mut DbConnection) -> QueryResult<bool> {
    let DbConnection::Sqlite(c) = conn else { return Ok(false) };
    diesel::sql_query("PRAGMA cache_size = -524288").execute(c)?;
    // Leaving WAL needs the file to itself: while a service reads it, the load goes through the
    // log as before (the busy error is that case, not a failure). It is tried at once rather
    // than after the busy timeout.
    let timeout: BusyTimeout = diesel::sql_query("PRAGMA busy_timeout").get_result(c)?;
    diesel::sql_query("PRAGMA busy_timeout = 0").execute(c)?;
    let mode: Result<JournalMode, _> = diesel::sql_query("PRAGMA journal_mode = DELETE").get_result(c);
    diesel::sql_query(format!("PRAGMA busy_timeout = {}", timeout.timeout)).execute(c)?;
    match mode {
        Ok(m) => Ok(m.journal_mode.eq_ignore_ascii_case("delete")),
        Err(e) => {
            tracing::info!(reason = %e, "the database stays in WAL mode for the load");
            Ok(false)
        }
    }
}

#[derive(QueryableByName)]
struct BusyTimeout {
    #[diesel(sql_type = BigInt)]
    timeout: i64,
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

/// After loading rows with explicit ids: move PostgreSQL's sequences past them and refresh the
/// planner's statistics (PostgreSQL also sets the visibility map that index-only scans need).
///
/// # Errors
/// A database error.
pub fn finish(conn: &mut DbConnection, journal_switched: bool) -> QueryResult<()> {
    match conn {
        DbConnection::Postgresql(c) => {
            for table in ["applicants", "cases", "consultations"] {
                diesel::sql_query(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
                ))
                .execute(c)?;
            }
            diesel::sql_query("VACUUM ANALYZE").execute(c)?;
        }
        DbConnection::Sqlite(c) => {
            diesel::sql_query(format!("PRAGMA analysis_limit = {}", super::SQLITE_ANALYSIS_LIMIT)).execute(c)?;
            diesel::sql_query("ANALYZE").execute(c)?;
            if journal_switched {
                diesel::sql_query("PRAGMA journal_mode = WAL").execute(c)?;
            }
        }
    }
    Ok(())
}

/// A row that can be written as SQL literals: bulk loading builds the text of multi-row INSERTs
/// (off the writing thread) and the database only parses and stores it, the same SQL on both
/// backends (`'…'` strings with quotes doubled, ISO dates, TRUE/FALSE, NULL).
pub trait SqlRow {
    /// `table (column, …)`.
    const INTO: &'static str;
    /// Append `(value, …)`.
    fn write_values(&self, out: &mut String);
}

/// The INSERT statements for `rows`, `per_statement` rows each, joined into one script.
pub fn insert_script<T: SqlRow>(rows: &[T], per_statement: usize) -> String {
    let mut out = String::with_capacity(rows.len() * 160);
    for chunk in rows.chunks(per_statement.max(1)) {
        out.push_str("INSERT INTO ");
        out.push_str(T::INTO);
        out.push_str(" VALUES ");
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            row.write_values(&mut out);
        }
        out.push_str(";\n");
    }
    out
}

/// Run a script built by [`insert_script`].
///
/// # Errors
/// A database error.
pub fn run_script(conn: &mut DbConnection, script: &str) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    if script.is_empty() {
        return Ok(());
    }
    conn.batch_execute(script)
}

mod lit {
    use std::fmt::Write as _;

    use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

    pub fn text(out: &mut String, value: &str) {
        out.push('\'');
        for c in value.chars() {
            if c == '\'' {
                out.push('\'');
            }
            out.push(c);
        }
        out.push('\'');
    }

    pub fn opt_text(out: &mut String, value: Option<&str>) {
        match value {
            Some(v) => text(out, v),
            None => out.push_str("NULL"),
        }
    }

    pub fn int(out: &mut String, value: i64) {
        let _ = write!(out, "{value}");
    }

    pub fn opt_int(out: &mut String, value: Option<i64>) {
        match value {
            Some(v) => int(out, v),
            None => out.push_str("NULL"),
        }
    }

    pub fn boolean(out: &mut String, value: bool) {
        out.push_str(if value { "TRUE" } else { "FALSE" });
    }

    pub fn date(out: &mut String, value: NaiveDate) {
        let _ = write!(out, "'{:04}-{:02}-{:02}'", value.year(), value.month(), value.day());
    }

    pub fn opt_date(out: &mut String, value: Option<NaiveDate>) {
        match value {
            Some(v) => date(out, v),
            None => out.push_str("NULL"),
        }
    }

    pub fn timestamp(out: &mut String, value: NaiveDateTime) {
        let _ = write!(
            out,
            "'{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}'",
            value.year(),
            value.month(),
            value.day(),
            value.hour(),
            value.minute(),
            value.second(),
            value.nanosecond() / 1000
        );
    }
}

/// Write `(a, b, …)` from literal writers.
macro_rules! values {
    ($out:expr, $($write:expr),+ $(,)?) => {{
        $out.push('(');
        let mut first = true;
        $(
            if !first { $out.push(','); }
            first = false;
            $write;
        )+
        let _ = first;
        $out.push(')');
    }};
}

impl SqlRow for BulkApplicant {
    const INTO: &'static str =
        "applicants (id, category, name, id_type, id_number, phone, email, address, created_at, updated_at)";
    fn write_values(&self, out: &mut String) {
        values!(
            out,
            lit::int(out, self.id),
            lit::text(out, self.category),
            lit::text(out, &self.name),
            lit::opt_text(out, self.id_type),
            lit::opt_text(out, self.id_number.as_deref()),
            lit::opt_text(out, self.phone.as_deref()),
            lit::opt_text(out, self.email.as_deref()),
            lit::opt_text(out, self.address.as_deref()),
            lit::timestamp(out, self.created_at),
            lit::timestamp(out, self.updated_at),
        );
    }
}

impl SqlRow for BulkCase {
    const INTO: &'static str = "cases (id, agency_id, case_number, year, channel, submitted_on, received_on, \
        applicant_id, applicant_category, description, status, outcome, concluded_on, decision_basis, due_on, paused, \
        extended, version, created_by, created_at, updated_at, lapses_on, applicant_name, applicant_phone, \
        applicant_email, applicant_address)";
    fn write_values(&self, out: &mut String) {
        values!(
            out,
            lit::int(out, self.id),
            lit::int(out, self.agency_id),
            lit::text(out, &self.case_number),
            lit::int(out, i64::from(self.year)),
            lit::text(out, self.channel),
            lit::opt_date(out, self.submitted_on),
            lit::date(out, self.received_on),
            lit::int(out, self.applicant_id),
            lit::text(out, self.applicant_category),
            lit::text(out, &self.description),
            lit::text(out, self.status),
            lit::opt_text(out, self.outcome),
            lit::opt_date(out, self.concluded_on),
            lit::opt_text(out, self.decision_basis.as_deref()),
            lit::opt_date(out, self.due_on),
            lit::boolean(out, self.paused),
            lit::boolean(out, self.extended),
            lit::int(out, self.version),
            lit::int(out, self.created_by),
            lit::timestamp(out, self.created_at),
            lit::timestamp(out, self.updated_at),
            lit::opt_date(out, self.lapses_on),
            lit::text(out, &self.applicant_name),
            lit::opt_text(out, self.applicant_phone.as_deref()),
            lit::opt_text(out, self.applicant_email.as_deref()),
            lit::opt_text(out, self.applicant_address.as_deref()),
        );
    }
}

impl SqlRow for BulkEvent {
    const INTO: &'static str = "case_events (case_id, seq, kind, effective_on, recorded_at, actor_id, payload)";
    fn write_values(&self, out: &mut String) {
        values!(
            out,
            lit::int(out, self.case_id),
            lit::int(out, i64::from(self.seq)),
            lit::text(out, self.kind),
            lit::date(out, self.effective_on),
            lit::timestamp(out, self.recorded_at),
            lit::opt_int(out, self.actor_id),
            lit::text(out, &self.payload),
        );
    }
}

impl SqlRow for BulkConsultation {
    const INTO: &'static str =
        "consultations (id, case_id, party_kind, party, sent_on, reply_due, replied_on, opinion)";
    fn write_values(&self, out: &mut String) {
        values!(
            out,
            lit::int(out, self.id),
            lit::int(out, self.case_id),
            lit::text(out, self.party_kind),
            lit::text(out, self.party),
            lit::date(out, self.sent_on),
            lit::date(out, self.reply_due),
            lit::opt_date(out, self.replied_on),
            lit::opt_text(out, self.opinion),
        );
    }
}

impl SqlRow for BulkFee {
    const INTO: &'static str =
        "fee_notices (case_id, issued_on, basis, pages, nth_request, amount_fen, pay_by, paid_on)";
    fn write_values(&self, out: &mut String) {
        values!(
            out,
            lit::int(out, self.case_id),
            lit::date(out, self.issued_on),
            lit::text(out, self.basis),
            lit::opt_int(out, self.pages.map(i64::from)),
            lit::opt_int(out, self.nth_request.map(i64::from)),
            lit::int(out, self.amount_fen),
            lit::date(out, self.pay_by),
            lit::opt_date(out, self.paid_on),
        );
    }
}

impl SqlRow for BulkImportRow {
    const INTO: &'static str = "import_rows (import_id, file_row, case_id)";
    fn write_values(&self, out: &mut String) {
        values!(
            out,
            lit::int(out, self.import_id),
            lit::int(out, i64::from(self.file_row)),
            lit::int(out, self.case_id),
        );
    }
}

/// Appeals with the ids given to them (written through [`AppealWithId`]) or without.
impl SqlRow for BulkAppeal {
    const INTO: &'static str =
        "appeals (case_id, agency_id, kind, filed_on, result, decided_on, created_by, created_at)";
    fn write_values(&self, out: &mut String) {
        values!(
            out,
            lit::int(out, self.case_id),
            lit::int(out, self.agency_id),
            lit::text(out, self.kind),
            lit::date(out, self.filed_on),
            lit::opt_text(out, self.result),
            lit::opt_date(out, self.decided_on),
            lit::int(out, self.created_by),
            lit::timestamp(out, self.created_at),
        );
    }
}

/// An appeal written with its id (reserved beforehand, so that its events can name it).
pub struct AppealWithId<'a>(pub &'a BulkAppeal);

impl SqlRow for AppealWithId<'_> {
    const INTO: &'static str =
        "appeals (id, case_id, agency_id, kind, filed_on, result, decided_on, created_by, created_at)";
    fn write_values(&self, out: &mut String) {
        let a = self.0;
        values!(
            out,
            lit::int(out, a.id.unwrap_or(0)),
            lit::int(out, a.case_id),
            lit::int(out, a.agency_id),
            lit::text(out, a.kind),
            lit::date(out, a.filed_on),
            lit::opt_text(out, a.result),
            lit::opt_date(out, a.decided_on),
            lit::int(out, a.created_by),
            lit::timestamp(out, a.created_at),
        );
    }
}
