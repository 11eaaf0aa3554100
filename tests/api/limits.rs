//! Operating limits: body size, slow clients, failed authentications, and SQLite backups under load.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect, expect_problem, intake_body, spawn_app, spawn_app_with, TestDb};

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = spawn_app_with(&[("GONGKAI__SERVER__BODY_LIMIT_BYTES", "2000")]).await;
    let agency = app.agency("NS", None).await;
    let mut body = intake_body(agency, "2019-03-05");
    body["description"] = json!("长".repeat(1000));
    let response = app.post("/api/v1/cases", &app.admin, &body).await;
    expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let small = app.post("/api/v1/cases", &app.admin, &intake_body(agency, "2019-03-05")).await;
    expect(small, StatusCode::CREATED).await;
}

#[tokio::test]
async fn repeated_failed_authentications_are_slowed_down_with_429_but_a_valid_token_is_served() {
    let app = spawn_app_with(&[("GONGKAI__AUTH__MAX_FAILURES_PER_MINUTE", "5")]).await;
    for _ in 0..5 {
        expect_problem(app.get("/api/v1/cases", "gk_guess").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let limited = app.get("/api/v1/cases", "gk_guess").await;
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    expect_problem(limited, StatusCode::TOO_MANY_REQUESTS, "too_many_failed_authentications").await;
    // Failing credentials from the address are refused for the rest of the minute (a missing
    // token too), but a valid token from the same address is served: behind a proxy every user
    // shares it.
    let missing = app.client.get(app.url("/api/v1/cases")).send().await.unwrap();
    expect_problem(missing, StatusCode::TOO_MANY_REQUESTS, "too_many_failed_authentications").await;
    let valid = app.get("/api/v1/cases", &app.admin).await;
    expect(valid, StatusCode::OK).await;
    // The public probes are not affected.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_client_that_sends_its_request_too_slowly_is_disconnected() {
    let app = spawn_app_with(&[("GONGKAI__SERVER__CLIENT_REQUEST_TIMEOUT_MS", "300")]).await;
    let address = app.address.trim_start_matches("http://").to_string();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
        let started = Instant::now();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        (started.elapsed(), String::from_utf8_lossy(&answer).to_string())
    })
    .await
    .unwrap();
    let (waited, answer) = outcome;
    assert!(waited < Duration::from_secs(3), "disconnected after {waited:?}");
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_sqlite_backup_taken_under_load_is_consistent_and_restores() {
    let app = spawn_app().await;
    if app.test_db.is_postgres() {
        return; // PostgreSQL is backed up with pg_dump (README); this covers `gongkai backup`.
    }
    let agency = app.agency("NS", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    for _ in 0..20 {
        app.intake(&clerk, agency, "2019-03-05").await;
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.sqlite3");
    let load = (0..60).map(|_| {
        let request =
            app.client.post(app.url("/api/v1/cases")).bearer_auth(&clerk).json(&intake_body(agency, "2019-03-06"));
        tokio::spawn(async move { request.send().await.unwrap().status() })
    });
    let handles: Vec<_> = load.collect();
    let (database, target) = (app.test_db.url().to_string(), copy.clone());
    let backup = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["--database-url", &database, "backup", "--output", target.to_str().unwrap()])
            .output()
            .unwrap()
    });
    for handle in handles {
        assert_eq!(handle.await.unwrap(), StatusCode::CREATED);
    }
    let output = backup.await.unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = gongkai::storage::backup::verify(&copy).unwrap();
    assert!((20..=80).contains(&summary.cases), "a snapshot between the loads: {}", summary.cases);
    // A consistent snapshot: every case has its `received` event, no event lacks its case.
    assert_eq!(summary.events, summary.cases);
    // Writing over an existing file is refused.
    let again = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["--database-url", app.test_db.url(), "backup", "--output", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!again.status.success());
    // Restoring into a database no service uses.
    let restored = TestDb::new();
    let output = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["--database-url", restored.url(), "restore", "--input", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains(&format!("({} cases", summary.cases)));
    // Restoring over the running service's database is refused, and changes nothing.
    let output = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["--database-url", app.test_db.url(), "restore", "--input", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("in use"), "{}", String::from_utf8_lossy(&output.stderr));
    let listed = expect(app.get("/api/v1/cases?limit=200", &clerk).await, StatusCode::OK).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 80);
}
