use diesel::sql_types::Text;
use diesel::RunQueryDsl;
use diesel_migrations::MigrationHarness;
use gongkai::storage::{establish, revert_all_migrations, run_migrations, DbConnection};
use gongkai::storage::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

use crate::helpers::{test_settings, TestDb};

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// The schema as lines of text: every table, column (type, nullability, default), constraint,
/// index and trigger, sorted; the migrations' own bookkeeping left out.
fn schema(conn: &mut DbConnection, postgres: bool) -> Vec<String> {
    let queries: &[&str] = if postgres {
        &[
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
             || ' ' || COALESCE(column_default, '') AS line FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
            "SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
             AS line FROM pg_constraint WHERE connamespace = 'public'::regnamespace \
             AND conrelid::regclass::text <> '__diesel_schema_migrations'",
            "SELECT 'index ' || indexdef AS line FROM pg_indexes WHERE schemaname = 'public' \
             AND tablename <> '__diesel_schema_migrations'",
            "SELECT 'trigger ' || event_object_table || ' ' || trigger_name || ' ' || event_manipulation || ' ' \
             || action_timing || ' ' || action_statement AS line FROM information_schema.triggers \
             WHERE trigger_schema = 'public'",
            "SELECT 'function ' || p.proname || ' ' || md5(pg_get_functiondef(p.oid)) AS line FROM pg_proc p \
             WHERE p.pronamespace = 'public'::regnamespace",
            "SELECT 'extension ' || extname AS line FROM pg_extension",
        ]
    } else {
        &["SELECT type || ' ' || name || ' ' || tbl_name || ' ' || COALESCE(sql, '') AS line FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"]
    };
    let mut lines: Vec<String> = queries
        .iter()
        .flat_map(|q| diesel::sql_query(*q).load::<Line>(conn).unwrap().into_iter().map(|l| l.line))
        .collect();
    lines.sort();
    lines
}

#[test]
fn migrations_go_all_up_all_down_and_all_up_again_to_the_same_schema() {
    let db = TestDb::new();
    let settings = test_settings(db.url());
    let mut conn = establish(&settings.db_options()).unwrap();
    let postgres = db.is_postgres();
    let empty = schema(&mut conn, postgres);
    run_migrations(&mut conn).unwrap();
    let full = schema(&mut conn, postgres);
    assert!(full.iter().filter(|l| l.starts_with("table ") || l.starts_with("column ")).count() >= 9);
    assert!(full.iter().any(|l| l.contains("cases")), "the foundation creates the cases table");
    revert_all_migrations(&mut conn).unwrap();
    assert_eq!(schema(&mut conn, postgres), empty, "every down.sql reverts its up.sql");
    run_migrations(&mut conn).unwrap();
    assert_eq!(schema(&mut conn, postgres), full);
    drop(conn);
}

/// Revert the last applied migration; false when none was applied.
fn revert_last(conn: &mut DbConnection) -> bool {
    match conn {
        DbConnection::Postgresql(c) => c.revert_last_migration(POSTGRES_MIGRATIONS).is_ok(),
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS).is_ok(),
    }
}

fn run_next(conn: &mut DbConnection) {
    match conn {
        DbConnection::Postgresql(c) => c.run_next_migration(POSTGRES_MIGRATIONS).map(|_| ()).unwrap(),
        DbConnection::Sqlite(c) => c.run_next_migration(SQLITE_MIGRATIONS).map(|_| ()).unwrap(),
    }
}

#[test]
fn each_migration_down_and_up_again_gives_the_same_schema_at_every_step() {
    let db = TestDb::new();
    let settings = test_settings(db.url());
    let mut conn = establish(&settings.db_options()).unwrap();
    let postgres = db.is_postgres();
    run_migrations(&mut conn).unwrap();
    // Down one migration at a time, recording the schema at each level …
    let mut levels = vec![schema(&mut conn, postgres)];
    while revert_last(&mut conn) {
        levels.push(schema(&mut conn, postgres));
    }
    assert!(levels.len() > 8, "every migration was reverted ({} levels)", levels.len());
    // … then up one at a time: each level's schema is the same on the way up.
    levels.pop();
    for (step, expected) in levels.iter().rev().enumerate() {
        run_next(&mut conn);
        assert_eq!(&schema(&mut conn, postgres), expected, "after applying migration {}", step + 1);
    }
    drop(conn);
}

/// An index a migration (re)creates in an SQLite database that has statistics gets its own, so
/// that the planner does not weigh it by defaults against measured ones.
#[test]
fn a_migrated_sqlite_database_with_statistics_gets_them_for_the_indexes_a_migration_created() {
    let db = TestDb::new();
    if db.is_postgres() {
        return; // PostgreSQL's autovacuum keeps its own statistics.
    }
    let settings = test_settings(db.url());
    let mut conn = establish(&settings.db_options()).unwrap();
    run_migrations(&mut conn).unwrap();
    let stats = |conn: &mut DbConnection| -> Vec<String> {
        diesel::sql_query("SELECT idx AS line FROM sqlite_stat1 WHERE idx = 'cases_agency_concluded_received'")
            .load::<Line>(conn)
            .map(|lines| lines.into_iter().map(|l| l.line).collect())
            .unwrap_or_default()
    };
    assert!(stats(&mut conn).is_empty(), "a database that never ran ANALYZE is left without statistics");
    // A database with statistics (ANALYZE leaves an empty table out, so one case first), then the
    // migration that rebuilds the index taken back and run again.
    diesel::sql_query("PRAGMA foreign_keys = OFF").execute(&mut conn).unwrap();
    diesel::sql_query(
        "INSERT INTO cases (agency_id, case_number, year, channel, received_on, applicant_id, applicant_category, \
         description, status, version, created_by, created_at, updated_at) VALUES (1, 'T-1', 2026, 'in_person', \
         '2026-03-02', 1, 'natural_person', '统计', 'concluded', 1, 1, '2026-03-02 09:00:00', '2026-03-02 09:00:00')",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query("ANALYZE").execute(&mut conn).unwrap();
    assert_eq!(stats(&mut conn).len(), 1);
    let down = include_str!("../../migrations/sqlite/2026-12-06-000101_concluded_late/down.sql");
    for statement in down.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        diesel::sql_query(statement).execute(&mut conn).unwrap();
    }
    diesel::sql_query("DELETE FROM sqlite_stat1 WHERE idx = 'cases_agency_concluded_received'")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = '20261206000101'")
        .execute(&mut conn)
        .unwrap();
    run_migrations(&mut conn).unwrap();
    assert_eq!(stats(&mut conn).len(), 1, "the rebuilt index was analysed");
}
