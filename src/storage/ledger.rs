//! The ledger: pages of cases for the export (keyset on the list's receipt order), and what an
//! import needs — the case numbers and identity documents already on file, the files imported
//! before, ids reserved for rows written in bulk, case-number counters, the import's record.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::cases::agencies_under;
use super::schema::{appeals, applicants, case_counters, case_events, cases, import_rows, imports};
use super::{insert_returning_id, key, per_backend, DbBackend, DbConnection, StorageResult};
use crate::domain::ids::{AgencyId, UserId};
use crate::domain::types::{AppealKind, AppealResult};
use crate::domain::{ApplicantCategory, CaseStatus, Channel, IdType, Outcome};

/// Which cases a ledger export holds.
#[derive(Clone, Debug, Default)]
pub struct ExportFilter {
    pub agency_id: Option<AgencyId>,
    /// With `agency_id`: its whole subtree (the path of the agency).
    pub subtree: Option<String>,
    /// The caller's agency path prefix (`None`: every agency).
    pub scope: Option<String>,
    pub status: Option<CaseStatus>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub concluded_from: Option<NaiveDate>,
    pub concluded_to: Option<NaiveDate>,
}

/// A case as the export reads it.
#[derive(Queryable, Clone, Debug)]
pub struct ExportRow {
    pub id: i64,
    pub case_number: String,
    pub received_on: NaiveDate,
    pub channel: String,
    pub applicant_category: String,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub description: String,
    pub status: String,
    pub due_on: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub decision_basis: Option<String>,
    pub extended: bool,
    pub id_number: Option<String>,
}

/// A case's closed-set columns read back.
pub struct ExportKeys {
    pub channel: Channel,
    pub category: ApplicantCategory,
    pub status: CaseStatus,
    pub outcome: Option<Outcome>,
}

impl ExportRow {
    /// The closed sets of the row.
    ///
    /// # Errors
    /// Corrupt data.
    pub fn keys(&self) -> StorageResult<ExportKeys> {
        Ok(ExportKeys {
            channel: key(&self.channel, Channel::parse, "cases.channel")?,
            category: key(&self.applicant_category, ApplicantCategory::parse, "cases.applicant_category")?,
            status: key(&self.status, CaseStatus::parse, "cases.status")?,
            outcome: self.outcome.as_deref().map(|o| key(o, Outcome::parse, "cases.outcome")).transpose()?,
        })
    }
}

/// The next page of the export after `after` (receipt date and id), oldest first.
///
/// # Errors
/// A database error.
pub fn export_page(
    conn: &mut DbConnection,
    filter: &ExportFilter,
    after: Option<(NaiveDate, i64)>,
    limit: i64,
) -> StorageResult<Vec<ExportRow>> {
    let mut query = cases::table
        .inner_join(applicants::table)
        .select((
            cases::id,
            cases::case_number,
            cases::received_on,
            cases::channel,
            cases::applicant_category,
            cases::applicant_name,
            cases::applicant_phone,
            cases::applicant_email,
            cases::applicant_address,
            cases::description,
            cases::status,
            cases::due_on,
            cases::concluded_on,
            cases::outcome,
            cases::decision_basis,
            cases::extended,
            applicants::id_number,
        ))
        .order((cases::received_on.asc(), cases::id.asc()))
        .limit(limit)
        .into_boxed::<DbBackend>();
    if let Some(scope) = &filter.scope {
        query = query.filter(cases::agency_id.eq_any(agencies_under(scope)));
    }
    match (&filter.subtree, filter.agency_id) {
        (Some(path), _) => query = query.filter(cases::agency_id.eq_any(agencies_under(path))),
        (None, Some(agency_id)) => query = query.filter(cases::agency_id.eq(agency_id.get())),
        (None, None) => {}
    }
    match filter.status {
        Some(status) => query = query.filter(cases::status.eq(status.as_str())),
        None => query = query.filter(cases::status.ne(CaseStatus::Voided.as_str())),
    }
    if let Some(from) = filter.received_from {
        query = query.filter(cases::received_on.ge(from));
    }
    if let Some(to) = filter.received_to {
        query = query.filter(cases::received_on.le(to));
    }
    if let Some(from) = filter.concluded_from {
        query = query.filter(cases::concluded_on.ge(from));
    }
    if let Some(to) = filter.concluded_to {
        query = query.filter(cases::concluded_on.le(to));
    }
    if let Some((received_on, id)) = after {
        query = query
            .filter(cases::received_on.ge(received_on))
            .filter(cases::received_on.gt(received_on).or(cases::received_on.eq(received_on).and(cases::id.gt(id))));
    }
    Ok(query.load(conn)?)
}

/// The events of these cases that the ledger's flags come from, as `(case id, seq, kind, payload)`.
///
/// # Errors
/// A database error.
pub fn flag_events(conn: &mut DbConnection, case_ids: &[i64]) -> StorageResult<Vec<(i64, i32, String, String)>> {
    const KINDS: [&str; 6] =
        ["correction_requested", "consultation_started", "fee_paid", "withdrawn", "imported", "step_revoked"];
    Ok(case_events::table
        .filter(case_events::case_id.eq_any(case_ids))
        .filter(case_events::kind.eq_any(KINDS))
        .select((case_events::case_id, case_events::seq, case_events::kind, case_events::payload))
        .order((case_events::case_id, case_events::seq))
        .load(conn)?)
}

/// An appeal as the export reads it.
pub type AppealFacts = (i64, AppealKind, NaiveDate, Option<(AppealResult, NaiveDate)>);

/// The appeals of these cases, by filing date.
///
/// # Errors
/// A database error or corrupt data.
pub fn appeals_of(conn: &mut DbConnection, case_ids: &[i64]) -> StorageResult<Vec<AppealFacts>> {
    type Row = (i64, String, NaiveDate, Option<String>, Option<NaiveDate>);
    let rows: Vec<Row> = appeals::table
        .filter(appeals::case_id.eq_any(case_ids))
        .select((appeals::case_id, appeals::kind, appeals::filed_on, appeals::result, appeals::decided_on))
        .order((appeals::case_id, appeals::filed_on, appeals::id))
        .load(conn)?;
    rows.into_iter()
        .map(|(case_id, kind, filed_on, result, decided_on)| {
            let kind = key(&kind, AppealKind::parse, "appeals.kind")?;
            let result = result.as_deref().map(|r| key(r, AppealResult::parse, "appeals.result")).transpose()?;
            Ok((case_id, kind, filed_on, result.zip(decided_on)))
        })
        .collect()
}

/// Rows per `IN (…)` list: below both databases' limits on bound parameters.
const CHUNK: usize = 1000;

/// Which of `numbers` the agency's cases already have.
///
/// # Errors
/// A database error.
pub fn existing_numbers(
    conn: &mut DbConnection,
    agency_id: AgencyId,
    numbers: &[&str],
) -> StorageResult<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in numbers.chunks(CHUNK) {
        let rows: Vec<String> = cases::table
            .filter(cases::agency_id.eq(agency_id.get()))
            .filter(cases::case_number.eq_any(chunk))
            .select(cases::case_number)
            .load(conn)?;
        found.extend(rows);
    }
    Ok(found)
}

/// The rows of a file with this SHA-256 that earlier imports into the agency created cases from.
///
/// # Errors
/// A database error.
pub fn rows_imported_before(conn: &mut DbConnection, agency_id: AgencyId, sha256: &str) -> StorageResult<HashSet<u32>> {
    let rows: Vec<i32> = import_rows::table
        .inner_join(imports::table)
        .filter(imports::agency_id.eq(agency_id.get()))
        .filter(imports::sha256.eq(sha256))
        .select(import_rows::file_row)
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|r| u32::try_from(r).ok()).collect())
}

/// The applicants on file with these identity documents: `(type, number) → (id, name)`.
///
/// # Errors
/// A database error.
pub fn applicants_by_identity(
    conn: &mut DbConnection,
    identities: &[(IdType, &str)],
) -> StorageResult<HashMap<(IdType, String), i64>> {
    let mut found = HashMap::new();
    for id_type in IdType::ALL {
        let numbers: Vec<&str> = identities.iter().filter(|(t, _)| t == id_type).map(|(_, n)| *n).collect();
        for chunk in numbers.chunks(CHUNK) {
            let rows: Vec<(i64, Option<String>)> = applicants::table
                .filter(applicants::id_type.eq(id_type.as_str()))
                .filter(applicants::id_number.eq_any(chunk))
                .select((applicants::id, applicants::id_number))
                .load(conn)?;
            found.extend(rows.into_iter().filter_map(|(id, number)| Some(((*id_type, number?), id))));
        }
    }
    Ok(found)
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// Reserve `n` ids of `table` (one of `cases`, `applicants`, `appeals`) for rows written with
/// explicit ids. PostgreSQL takes them from the table's sequence (concurrent writers get others);
/// SQLite, whose writers take turns, continues after the largest id used (its AUTOINCREMENT
/// counter included) and moves on with the rows written.
///
/// # Errors
/// A database error.
pub fn reserve_ids(conn: &mut DbConnection, table: &'static str, n: usize) -> StorageResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let count = i64::try_from(n).unwrap_or(i64::MAX);
    match conn {
        DbConnection::Postgresql(c) => {
            let ids: Vec<Id> = diesel::sql_query(format!(
                "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, $1)"
            ))
            .bind::<diesel::sql_types::BigInt, _>(count)
            .load(c)?;
            Ok(ids.into_iter().map(|i| i.id).collect())
        }
        DbConnection::Sqlite(c) => {
            let last: Id = diesel::sql_query(format!(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), \
                 COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0)) AS id"
            ))
            .get_result(c)?;
            Ok((1..=count).map(|i| last.id + i).collect())
        }
    }
}

/// Serialise imports into one agency: on PostgreSQL a transaction-scoped advisory lock, so that
/// the same file imported twice at once is written once (the second sees the first's cases);
/// SQLite's writers take turns anyway.
///
/// # Errors
/// A database error.
pub fn lock_agency_imports(conn: &mut DbConnection, agency_id: AgencyId) -> StorageResult<()> {
    /// The class of the advisory lock ("ledger").
    const LOCK_CLASS: i32 = 0x6c65_6467;
    if let DbConnection::Postgresql(c) = conn {
        let agency = i32::try_from(agency_id.get() % i64::from(i32::MAX)).unwrap_or(0);
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind::<diesel::sql_types::Integer, _>(LOCK_CLASS)
            .bind::<diesel::sql_types::Integer, _>(agency)
            .execute(c)?;
    }
    Ok(())
}

/// Move the agency's case-number counter of `year` to at least `last` (so that numbers allocated
/// later never meet imported ones), then allocate `take` more; returns the first allocated.
///
/// # Errors
/// A database error.
pub fn advance_counter(
    conn: &mut DbConnection,
    agency_id: AgencyId,
    year: i32,
    last: i32,
    take: i32,
) -> StorageResult<i32> {
    use case_counters::dsl::{agency_id as agency, case_counters as table, last_number, year as of_year};
    // Lock the row first (PostgreSQL), so that an intake allocating a number waits for this.
    diesel::update(table.filter(agency.eq(agency_id.get())).filter(of_year.eq(year)))
        .set(last_number.eq(last_number))
        .execute(conn)?;
    let current: Option<i32> = table
        .filter(agency.eq(agency_id.get()))
        .filter(of_year.eq(year))
        .select(last_number)
        .get_result(conn)
        .optional()?;
    let start = current.unwrap_or(0).max(last);
    match current {
        Some(_) => {
            diesel::update(table.filter(agency.eq(agency_id.get())).filter(of_year.eq(year)))
                .set(last_number.eq(start + take))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(table)
                .values((agency.eq(agency_id.get()), of_year.eq(year), last_number.eq(start + take)))
                .execute(conn)?;
        }
    }
    Ok(start + 1)
}

/// An import as recorded.
#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = imports)]
pub struct NewImport<'a> {
    pub agency_id: i64,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub imported_by: i64,
    pub imported_at: NaiveDateTime,
    pub rows_read: i32,
    pub created: i32,
    pub already_present: i32,
    pub invalid: i32,
}

/// Record an import; returns its id.
///
/// # Errors
/// A database error.
pub fn insert_import(conn: &mut DbConnection, import: &NewImport<'_>) -> StorageResult<i64> {
    Ok(insert_returning_id!(conn, imports::table, imports::id, import)?)
}

/// A recorded import.
#[derive(Queryable, Clone, Debug, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: i64,
    pub agency_id: i64,
    pub file_name: String,
    pub sha256: String,
    pub imported_by: i64,
    pub imported_at: NaiveDateTime,
    pub rows_read: i32,
    pub created: i32,
    pub already_present: i32,
    pub invalid: i32,
}

/// The latest imports into the agencies under `scope` (every agency: `None`), newest first.
///
/// # Errors
/// A database error.
pub fn recent_imports(conn: &mut DbConnection, scope: Option<&str>, limit: i64) -> StorageResult<Vec<ImportRecord>> {
    let mut query = imports::table.order(imports::id.desc()).limit(limit).into_boxed::<DbBackend>();
    if let Some(scope) = scope {
        query = query.filter(imports::agency_id.eq_any(agencies_under(scope)));
    }
    Ok(query
        .select((
            imports::id,
            imports::agency_id,
            imports::file_name,
            imports::sha256,
            imports::imported_by,
            imports::imported_at,
            imports::rows_read,
            imports::created,
            imports::already_present,
            imports::invalid,
        ))
        .load(conn)?)
}

/// The user the command line imports as: one named `name`, created (inactive, without a token)
/// the first time, so that imported cases name who brought them in.
///
/// # Errors
/// A database error.
pub fn command_line_user(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> StorageResult<UserId> {
    use super::schema::users;
    let found: Option<i64> = users::table
        .filter(users::name.eq(name))
        .filter(users::role.eq("admin"))
        .filter(users::active.eq(false))
        .filter(users::agency_id.is_null())
        .select(users::id)
        .order(users::id)
        .limit(1)
        .get_result(conn)
        .optional()?;
    if let Some(id) = found {
        return Ok(UserId::new(id));
    }
    let id = per_backend!(conn, |c| diesel::insert_into(users::table)
        .values((users::name.eq(name), users::role.eq("admin"), users::active.eq(false), users::created_at.eq(now),))
        .returning(users::id)
        .get_result::<i64>(c))?;
    Ok(UserId::new(id))
}
