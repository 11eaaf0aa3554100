//! Text search of the case list (`q`): a case matches when its description, its case number or
//! the applicant's name as given on its application (`cases.applicant_name`) contains `q`,
//! ignoring the case of ASCII letters (other characters as typed), the same on both databases.
//!
//! How a search is served, so that its cost is bounded whatever `q` is:
//! 0. On PostgreSQL, the next [`PROBE`] (200) cases of the list are checked first: a common term
//!    (whose many candidates PostgreSQL would collect whole) fills its page among
//!    them, and a list that short is complete. Only otherwise:
//! 1. `q` of at least [`INDEXED_CHARS`] characters looks its candidates up in a trigram index
//!    (SQLite: an FTS5 table with the `trigram` tokenizer, kept by triggers; PostgreSQL: `pg_trgm`
//!    GIN indexes), at most [`CANDIDATES_MAX`] + 1 of them. When there are no more than that, the
//!    list is those cases (with the list's other filters, checked exactly, sorted, one page).
//! 2. Otherwise — a shorter `q`, or one so common that the index has more candidates (then
//!    walking the list in order finds a page within a few rows) — the list is walked in order,
//!    but over at most [`WINDOW`] cases from the cursor: a page the window cannot fill is refused
//!    with 422 `search_too_broad` rather than walked on through the whole table.
//! 3. On PostgreSQL the search runs under a `statement_timeout` of [`PG_TIMEOUT_MS`] as a last
//!    line (answered the same way).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{DbConnection, StorageError};

/// The shortest `q` the trigram indexes can serve.
pub const INDEXED_CHARS: usize = 3;

/// Most index candidates a search sorts itself; with more, the term is common and the list is
/// walked in order instead.
pub const CANDIDATES_MAX: i64 = 10_000;

/// Cases a search checks first, in the list's order, before it asks the index.
pub const PROBE: i64 = 200;

/// [`PROBE`], or what a test set (0: every search asks the index at once, so that a test on a
/// few cases exercises it). The answers are the same either way; only the work differs.
static PROBE_NOW: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(PROBE);

/// The probe's size in force.
pub fn probe() -> i64 {
    PROBE_NOW.load(std::sync::atomic::Ordering::Relaxed)
}

/// For tests: set the probe's size (see [`PROBE_NOW`]).
#[doc(hidden)]
pub fn set_probe(size: i64) {
    PROBE_NOW.store(size.max(0), std::sync::atomic::Ordering::Relaxed);
}

/// Most cases a walked search examines for one page.
pub const WINDOW: i64 = 20_000;

/// PostgreSQL's bound on each statement of a search, in milliseconds.
pub const PG_TIMEOUT_MS: u32 = 3_000;

/// How the list finds the cases matching `q`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// These cases (a superset of the matches: the list checks each).
    Candidates(Vec<i64>),
    /// Walk the list's order, checking each case, within a window.
    Walk,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Escape LIKE's wildcards (`\` is the escape character on both databases).
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The LIKE pattern of `q`: anywhere in the text, ASCII letters lowered.
pub fn pattern(q: &str) -> String {
    format!("%{}%", escape_like(q)).to_ascii_lowercase()
}

/// Find how to serve `q`.
///
/// # Errors
/// A database error.
pub fn plan(conn: &mut DbConnection, q: &str) -> QueryResult<Plan> {
    if q.chars().count() < INDEXED_CHARS {
        return Ok(Plan::Walk);
    }
    let more = CANDIDATES_MAX + 1;
    let candidates: Vec<Id> = match conn {
        DbConnection::Sqlite(_) => {
            // An FTS5 string: the whole of `q` as one phrase, i.e. its trigrams in a row.
            let phrase = format!("\"{}\"", q.replace('"', "\"\""));
            diesel::sql_query("SELECT rowid AS id FROM cases_fts WHERE cases_fts MATCH $1 LIMIT $2")
                .bind::<Text, _>(&phrase)
                .bind::<BigInt, _>(more)
                .load(conn)?
        }
        DbConnection::Postgresql(_) => diesel::sql_query(
            "SELECT id FROM cases WHERE description ILIKE $1 OR case_number ILIKE $1 OR applicant_name ILIKE $1 \
             LIMIT $2",
        )
        .bind::<Text, _>(format!("%{}%", escape_like(q)))
        .bind::<BigInt, _>(more)
        .load(conn)?,
    };
    if i64::try_from(candidates.len()).map_or(true, |n| n > CANDIDATES_MAX) {
        return Ok(Plan::Walk);
    }
    Ok(Plan::Candidates(candidates.into_iter().map(|r| r.id).collect()))
}

/// The columns of the exact test, as SQL of the connection's database: SQLite's LIKE ignores the
/// case of ASCII letters only; PostgreSQL's LIKE ignores none, so both sides' ASCII letters are
/// lowered with `translate` (not `lower`, which would fold other letters too and answer
/// differently from SQLite). The pattern is [`pattern`]`(q)`.
pub fn matched_columns(conn: &DbConnection) -> [String; 3] {
    ["cases.description", "cases.case_number", "cases.applicant_name"].map(|name| match conn {
        DbConnection::Sqlite(_) => name.to_string(),
        DbConnection::Postgresql(_) => {
            format!("translate({name}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
        }
    })
}

/// The exact test of `q` against a case: an SQL expression for `.filter(…)`.
macro_rules! search_matches {
    ($conn:expr, $q:expr) => {{
        let [description, number, name] = $crate::storage::search::matched_columns($conn);
        let p = $crate::storage::search::pattern($q);
        diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("({description} LIKE "))
            .bind::<diesel::sql_types::Text, _>(p.clone())
            .sql(&format!(" ESCAPE '\\' OR {number} LIKE "))
            .bind::<diesel::sql_types::Text, _>(p.clone())
            .sql(&format!(" ESCAPE '\\' OR {name} LIKE "))
            .bind::<diesel::sql_types::Text, _>(p)
            .sql(" ESCAPE '\\')")
    }};
}
pub(crate) use search_matches;

/// Run a search `list` under PostgreSQL's statement timeout (a transaction of its own, so that
/// the setting ends with it); as it is on SQLite, whose bounds are the candidate limit and the
/// window.
///
/// # Errors
/// As `list`.
pub fn bounded<T>(
    conn: &mut DbConnection,
    list: impl FnOnce(&mut DbConnection) -> Result<T, StorageError>,
) -> Result<T, StorageError> {
    match conn {
        DbConnection::Sqlite(_) => list(conn),
        DbConnection::Postgresql(_) => conn.transaction(|conn| {
            diesel::sql_query(format!("SET LOCAL statement_timeout = {PG_TIMEOUT_MS}")).execute(conn)?;
            list(conn)
        }),
    }
}

/// Whether an error is PostgreSQL's statement timeout.
pub fn is_timeout(error: &diesel::result::Error) -> bool {
    matches!(error, diesel::result::Error::DatabaseError(_, info) if info.message().contains("statement timeout"))
}

/// The (receipt date, id) of the last case of a walked search's window, when the filtered list
/// goes on beyond it (`None`: the window holds the rest of the list).
pub type WindowEnd = Option<(NaiveDate, i64)>;
