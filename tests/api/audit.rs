use std::time::Duration;

use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect, expect_problem, spawn_app, TestApp};

/// The trail is written in batches: wait until it holds at least `n` entries for `query`.
async fn entries(app: &TestApp, token: &str, query: &str, n: usize) -> Vec<Value> {
    entries_until(app, token, query, |items| items.len() >= n).await
}

/// The entries for `query` once `done` holds for them (the trail is written in batches).
async fn entries_until(app: &TestApp, token: &str, query: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..50 {
        let page = expect(app.get(&format!("/api/v1/audit?{query}"), token).await, StatusCode::OK).await;
        let items = page["items"].as_array().unwrap().clone();
        if done(&items) {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the audit trail for {query} never got what the test waits for");
}

#[tokio::test]
async fn changes_identity_reads_and_failed_logins_are_audited_with_who_and_where() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let other = app.agency("BS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let auditor = app.user("auditor", Role::Auditor, Some(agency)).await;
    let other_auditor = app.user("other auditor", Role::Auditor, Some(other)).await;
    let case = app.intake(&officer, agency, "2019-03-05").await;
    let id = case["id"].as_i64().unwrap();
    let decision = json!({"decided_on": "2019-03-20", "outcome": "disclosed"});
    expect(app.post(&format!("/api/v1/cases/{id}/decision"), &officer, &decision).await, StatusCode::OK).await;
    expect(app.get(&format!("/api/v1/cases/{id}"), &auditor).await, StatusCode::OK).await;
    expect(app.get(&format!("/api/v1/cases/{id}/events"), &auditor).await, StatusCode::OK).await;
    expect_problem(app.get("/api/v1/cases", "gk_wrong").await, StatusCode::UNAUTHORIZED, "unauthorized").await;

    let officer_id = expect(app.get("/api/v1/users/me", &officer).await, StatusCode::OK).await["id"].as_i64().unwrap();
    let auditor_id = expect(app.get("/api/v1/users/me", &auditor).await, StatusCode::OK).await["id"].as_i64().unwrap();
    let of_case = entries(&app, &app.admin, &format!("case_id={id}"), 2).await;
    let actions: Vec<(&str, &str, i64)> = of_case
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["method"].as_str().unwrap(), e["user_id"].as_i64().unwrap()))
        .collect();
    // Newest first: the auditor's read of the full identity number, then the officer's decision.
    assert_eq!(actions, [("read_identity_number", "GET", auditor_id), ("change", "POST", officer_id)]);
    assert_eq!(of_case[0]["remote_addr"], "127.0.0.1");
    assert_eq!(of_case[1]["path"], format!("/api/v1/cases/{id}/decision"));
    assert_eq!(of_case[1]["status"], 200);

    // The failed authentication is stored, without a user.
    entries_until(&app, &app.admin, "", |all| {
        all.iter().any(|e| e["action"] == "authentication_failed" && e["user_id"].is_null())
    })
    .await;
    let by_officer = entries(&app, &auditor, &format!("user_id={officer_id}"), 2).await;
    assert!(by_officer.iter().all(|e| e["user_id"] == officer_id));
    // An auditor of another agency sees nothing of this agency's cases and users.
    let page = expect(app.get(&format!("/api/v1/audit?case_id={id}"), &other_auditor).await, StatusCode::OK).await;
    assert!(page["items"].as_array().unwrap().is_empty());
    expect_problem(app.get("/api/v1/audit", &officer).await, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn a_burst_of_entries_is_stored_whole() {
    use diesel::prelude::*;
    use gongkai::storage::audit::{self, AuditRow};
    use gongkai::storage::schema::audit_log;

    let app = spawn_app().await;
    // More entries than one INSERT carries (100 rows per statement), in one batch.
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_opt(8, 0, 0).unwrap();
    let rows: Vec<AuditRow> = (0..250)
        .map(|i| AuditRow {
            id: 0,
            at,
            user_id: None,
            method: "GET".into(),
            path: format!("/api/v1/burst/{i}"),
            status: 401,
            case_id: None,
            remote_addr: Some("127.0.0.1".into()),
            action: "authentication_failed".into(),
            count: 1,
        })
        .collect();
    let stored: Vec<String> = app
        .db
        .write_blocking(|conn| -> Result<_, gongkai::service::ServiceError> {
            audit::insert(conn, &rows)?;
            Ok(audit_log::table
                .filter(audit_log::path.like("/api/v1/burst/%"))
                .order(audit_log::id)
                .select(audit_log::path)
                .load(conn)?)
        })
        .unwrap();
    let expected: Vec<String> = rows.iter().map(|r| r.path.clone()).collect();
    assert_eq!(stored, expected);

    // Through the service: requests refused as unauthenticated (and then rate-limited), all
    // counted in one entry per address and minute (two when the loop crosses a minute).
    let attempts = 40;
    for _ in 0..attempts {
        let response = app.get("/api/v1/cases", "gk_wrong").await;
        assert!(matches!(response.status(), StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS));
    }
    let refused = |all: &[Value]| -> (usize, i64) {
        let failed: Vec<&Value> = all.iter().filter(|e| e["path"] == "/api/v1/cases").collect();
        (failed.len(), failed.iter().map(|e| e["count"].as_i64().unwrap()).sum())
    };
    let all = entries_until(&app, &app.admin, "limit=100", |all| refused(all).1 >= attempts).await;
    let (entries, count) = refused(&all);
    assert_eq!(count, attempts);
    assert!((1..=2).contains(&entries), "{entries} entries for {attempts} failures");
}
