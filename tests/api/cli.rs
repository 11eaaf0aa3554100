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
