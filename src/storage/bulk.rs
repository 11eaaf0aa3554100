//! Bulk loading for the seeding command: multi-row INSERTs in large transactions, with explicit
//! ids so rows can reference each other without a round trip per row.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::{appeals, applicants, case_counters, case_events, cases, consultations, fee_notices};
use super::DbConnection;

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = applicants)]
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

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = cases)]
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
    pub decision_basis: Option<&'static str>,
    pub due_on: Option<NaiveDate>,
    pub paused: bool,
    pub extended: bool,
    pub version: i64,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub lapses_on: Option<NaiveDate>,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = case_events)]
pub struct BulkEvent {
    pub case_id: i64,
    pub seq: i32,
    pub kind: &'static str,
    pub effective_on: NaiveDate,
    pub recorded_at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub payload: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = consultations)]
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

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = fee_notices)]
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

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = appeals)]
pub struct BulkAppeal {
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
            inserted += match $conn {
                DbConnection::Postgresql(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConnection::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
        Ok(inserted)
    }};
}

/// Insert applicants.
///
/// # Errors
/// A database error.
pub fn applicants(conn: &mut DbConnection, rows: &[BulkApplicant]) -> QueryResult<usize> {
    bulk_insert!(conn, applicants::table, rows)
}

/// Insert cases.
///
/// # Errors
/// A database error.
pub fn cases(conn: &mut DbConnection, rows: &[BulkCase]) -> QueryResult<usize> {
    bulk_insert!(conn, cases::table, rows)
}

/// Insert events.
///
/// # Errors
/// A database error.
pub fn events(conn: &mut DbConnection, rows: &[BulkEvent]) -> QueryResult<usize> {
    bulk_insert!(conn, case_events::table, rows)
}

/// Insert consultations.
///
/// # Errors
/// A database error.
pub fn consultations(conn: &mut DbConnection, rows: &[BulkConsultation]) -> QueryResult<usize> {
    bulk_insert!(conn, consultations::table, rows)
}

/// Insert fee notices.
///
/// # Errors
/// A database error.
pub fn fees(conn: &mut DbConnection, rows: &[BulkFee]) -> QueryResult<usize> {
    bulk_insert!(conn, fee_notices::table, rows)
}

/// Insert appeals.
///
/// # Errors
/// A database error.
pub fn appeals(conn: &mut DbConnection, rows: &[BulkAppeal]) -> QueryResult<usize> {
    bulk_insert!(conn, appeals::table, rows)
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

/// After loading rows with explicit ids: move PostgreSQL's sequences past them and refresh the
/// planner's statistics (PostgreSQL also sets the visibility map that index-only scans need).
///
/// # Errors
/// A database error.
pub fn finish(conn: &mut DbConnection) -> QueryResult<()> {
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
            diesel::sql_query("ANALYZE").execute(c)?;
        }
    }
    Ok(())
}
