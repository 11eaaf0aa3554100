use diesel::{Connection, RunQueryDsl};
use std::process::Command;

use crate::helpers::TestDb;

fn gongkai(db: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[test]
fn user_add_prints_the_token_as_the_last_line() {
    let db = TestDb::new();
    let output = gongkai(&db, &["user", "add", "--name", "管理员", "--role", "admin"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let last = stdout.lines().last().unwrap();
    assert!(last.starts_with("gk_") && last.len() > 40, "{stdout}");
}

#[test]
fn user_add_refuses_a_clerk_without_an_agency_and_an_unknown_role() {
    let db = TestDb::new();
    let output = gongkai(&db, &["user", "add", "--name", "x", "--role", "clerk"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("agency"));
    let output = gongkai(&db, &["user", "add", "--name", "x", "--role", "boss"]);
    assert!(!output.status.success());
}

#[test]
fn every_command_has_help() {
    let db = TestDb::new();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["user", "add", "--help"],
        &["openapi", "--help"],
    ] {
        let output = gongkai(&db, args);
        assert!(output.status.success());
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage"));
    }
}

#[test]
fn an_unknown_setting_stops_the_start() {
    let db = TestDb::new();
    let output = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["migrate"])
        .env("DATABASE_URL", db.url())
        .env("GONGKAI__SERVER__PORTT", "1")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid settings"));
}

fn seed_and_report(db: &TestDb) -> serde_json::Value {
    let args = [
        "seed",
        "--agencies",
        "3",
        "--cases",
        "300",
        "--focus-cases",
        "200",
        "--focus-year",
        "2024",
        "--from-year",
        "2022",
        "--to-year",
        "2025",
        "--seed",
        "11",
    ];
    let output = gongkai(db, &args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("seeded 500 cases"), "{stdout}");
    // Agency 2 is the first department, which holds the 200 cases of 2024.
    let output = gongkai(db, &["report", "--year", "2024", "--agency", "2", "--output", "-"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("FAILED"), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn seeding_is_reproducible_and_its_report_passes_every_check() {
    let (first, second) = (TestDb::new(), TestDb::new());
    let report = seed_and_report(&first);
    let checks = report["checks"].as_array().unwrap();
    assert!(!checks.is_empty() && checks.iter().all(|c| c["passed"] == true), "{report}");
    let new_received = report["section_three"]["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["key"] == "new_received"))
        .map(|row| row["values"][6].as_i64().unwrap());
    // The 200 focus cases plus those of the spread that fell on that agency and year.
    assert!(new_received.is_some_and(|n| n >= 200), "{report}");
    assert_eq!(seed_and_report(&second), report, "the same seed gives the same population");
    if let TestDb::Sqlite { url, .. } = &first {
        // The load may leave WAL for a rollback journal; the file must be back in WAL after it.
        let mut conn = diesel::SqliteConnection::establish(url).unwrap();
        #[derive(diesel::QueryableByName)]
        struct Mode {
            #[diesel(sql_type = diesel::sql_types::Text)]
            journal_mode: String,
        }
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode").get_result(&mut conn).unwrap();
        assert_eq!(mode.journal_mode, "wal");
    }
}
