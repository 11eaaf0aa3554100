use std::time::Duration;

use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect, expect_problem, spawn_app, TestApp};

/// The trail is written in batches: wait until it holds at least `n` entries for `query`.
async fn entries(app: &TestApp, token: &str, query: &str, n: usize) -> Vec<Value> {
    for _ in 0..50 {
        let page = expect(app.get(&format!("/api/v1/audit?{query}"), token).await, StatusCode::OK).await;
        let items = page["items"].as_array().unwrap().clone();
        if items.len() >= n {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the audit trail did not reach {n} entries for {query}");
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

    let all = entries(&app, &app.admin, "", 4).await;
    assert!(all.iter().any(|e| e["action"] == "authentication_failed" && e["user_id"].is_null()));
    let by_officer = entries(&app, &auditor, &format!("user_id={officer_id}"), 2).await;
    assert!(by_officer.iter().all(|e| e["user_id"] == officer_id));
    // An auditor of another agency sees nothing of this agency's cases and users.
    let page = expect(app.get(&format!("/api/v1/audit?case_id={id}"), &other_auditor).await, StatusCode::OK).await;
    assert!(page["items"].as_array().unwrap().is_empty());
    expect_problem(app.get("/api/v1/audit", &officer).await, StatusCode::FORBIDDEN, "forbidden").await;
}
