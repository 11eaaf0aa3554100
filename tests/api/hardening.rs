//! Regression tests of issue 16 ("Hardening II"), each named after its finding.

use std::net::TcpListener;
use std::time::Duration;

use gongkai::app::Application;
use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    expect, expect_problem, fields, intake_body, spawn_app, spawn_app_with, test_settings_with, TestApp,
};

/// The audit entries matching `query` once `done` holds for them (the trail is written in batches).
async fn audit_until(app: &TestApp, query: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..100 {
        let page = expect(app.get(&format!("/api/v1/audit?{query}"), &app.admin).await, StatusCode::OK).await;
        let items = page["items"].as_array().unwrap().clone();
        if done(&items) {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the audit trail for {query} never got what the test waits for");
}

/// A second service on the same database, with extra settings; its base URL.
async fn second_instance(app: &TestApp, extra: &[(&str, &str)]) -> String {
    let settings = test_settings_with(app.test_db.url(), extra);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let other = tokio::task::spawn_blocking(move || Application::build(&settings, listener)).await.unwrap().unwrap();
    let address = format!("http://127.0.0.1:{}", other.port);
    tokio::spawn(other.server);
    address
}

// ---------------------------------------------------------------- 1. audit bypass

#[tokio::test]
async fn audit_bypass_non_canonical_case_ids_are_refused_and_every_case_read_is_audited() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let case = app.intake(&app.admin, agency, "2019-03-05").await;
    let id = case["id"].as_i64().unwrap();
    for spelling in [format!("+{id}"), format!("0{id}"), format!("%3{id}"), "-1".to_string(), "1e0".to_string()] {
        let response = app.get(&format!("/api/v1/cases/{spelling}"), &app.admin).await;
        expect_problem(response, StatusCode::BAD_REQUEST, "invalid_path").await;
    }
    // A change sent through an encoded id is refused too: the case stays open.
    let decision = json!({"decided_on": "2019-03-20", "outcome": "disclosed"});
    let encoded = format!("/api/v1/cases/%3{id}/decision");
    expect_problem(app.post(&encoded, &app.admin, &decision).await, StatusCode::BAD_REQUEST, "invalid_path").await;
    let read = expect(app.get(&format!("/api/v1/cases/{id}"), &app.admin).await, StatusCode::OK).await;
    assert_eq!(read["status"], "received");
    // The read is audited with its case, the refused change with its route's pattern.
    let entries = audit_until(&app, "limit=50", |all| {
        all.iter().any(|e| e["action"] == "read_identity_number") && all.iter().any(|e| e["status"] == 400)
    })
    .await;
    let read = entries.iter().find(|e| e["action"] == "read_identity_number").unwrap();
    assert_eq!(read["case_id"], id);
    assert_eq!(read["path"], format!("/api/v1/cases/{id}"));
    let refused = entries.iter().find(|e| e["status"] == 400 && e["method"] == "POST").unwrap();
    assert_eq!(refused["action"], "change");
    assert_eq!(refused["path"], "/api/v1/cases/{id}/decision");
}

// ---------------------------------------------------------------- 4. seal race

#[tokio::test]
async fn seal_race_parallel_first_seals_store_exactly_one_and_the_others_get_409() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let supervisor = app.user("supervisor", Role::Supervisor, Some(agency)).await;
    let path = app.url(&format!("/api/v1/reports/annual/2019/seal?agency_id={agency}"));
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let request = app.client.post(&path).bearer_auth(&supervisor).json(&json!({}));
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap());
    }
    let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let conflicts = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((created, conflicts), (1, 9), "{statuses:?}");
    // Sealing again with a reason replaces it, once.
    let again = app
        .post(&format!("/api/v1/reports/annual/2019/seal?agency_id={agency}"), &supervisor, &json!({"reason": "更正"}))
        .await;
    expect(again, StatusCode::CREATED).await;
}

// ---------------------------------------------------------------- 5. rate limits

#[tokio::test]
async fn failed_authentication_limit_counts_the_forwarded_client_only_behind_a_trusted_proxy() {
    let app = spawn_app_with(&[
        ("GONGKAI__AUTH__MAX_FAILURES_PER_MINUTE", "3"),
        ("GONGKAI__SERVER__TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    let from = |client: &str, token: &str| {
        app.client.get(app.url("/api/v1/users/me")).bearer_auth(token).header("x-forwarded-for", client).send()
    };
    for _ in 0..3 {
        expect_problem(from("203.0.113.7", "gk_guess").await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let limited = from("203.0.113.7", "gk_guess").await.unwrap();
    expect_problem(limited, StatusCode::TOO_MANY_REQUESTS, "too_many_failed_authentications").await;
    // Another client behind the same proxy is not punished, nor is a valid token of the first.
    expect_problem(from("203.0.113.8", "gk_typo").await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    expect(from("203.0.113.7", &app.admin).await.unwrap(), StatusCode::OK).await;
    // The audit trail names the client, not the proxy.
    let entries = audit_until(&app, "limit=50", |all| {
        all.iter().filter(|e| e["action"] == "authentication_failed").map(|e| e["count"].as_i64().unwrap()).sum::<i64>()
            >= 5
    })
    .await;
    let addresses: Vec<&str> = entries
        .iter()
        .filter(|e| e["action"] == "authentication_failed")
        .map(|e| e["remote_addr"].as_str().unwrap())
        .collect();
    assert!(addresses.contains(&"203.0.113.7") && addresses.contains(&"203.0.113.8"), "{addresses:?}");
    assert!(!addresses.contains(&"127.0.0.1"), "{addresses:?}");
}

#[tokio::test]
async fn failed_authentication_limit_ignores_forwarded_for_from_an_untrusted_peer() {
    let app = spawn_app_with(&[("GONGKAI__AUTH__MAX_FAILURES_PER_MINUTE", "2")]).await;
    for client in ["203.0.113.1", "203.0.113.2"] {
        let response =
            app.client.get(app.url("/api/v1/users/me")).bearer_auth("gk_x").header("x-forwarded-for", client);
        expect_problem(response.send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    // Both counted against the peer (this test's loopback address), whatever the header said.
    let third =
        app.client.get(app.url("/api/v1/users/me")).bearer_auth("gk_x").header("x-forwarded-for", "203.0.113.3");
    expect_problem(third.send().await.unwrap(), StatusCode::TOO_MANY_REQUESTS, "too_many_failed_authentications").await;
}

#[tokio::test]
async fn failed_logins_are_audited_as_one_entry_per_address_and_minute_with_their_count() {
    let app = spawn_app().await;
    for _ in 0..25 {
        let response = app.client.get(app.url("/api/v1/cases")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let entries = audit_until(&app, "limit=100", |all| {
        all.iter().filter(|e| e["action"] == "authentication_failed").map(|e| e["count"].as_i64().unwrap()).sum::<i64>()
            >= 25
    })
    .await;
    let failed: Vec<&Value> = entries.iter().filter(|e| e["action"] == "authentication_failed").collect();
    // One entry per minute: two when the loop happened to cross a minute.
    assert!((1..=2).contains(&failed.len()), "{failed:?}");
    assert_eq!(failed.iter().map(|e| e["count"].as_i64().unwrap()).sum::<i64>(), 25);
}

// ---------------------------------------------------------------- 7. privilege changes

#[tokio::test]
async fn a_deactivated_administrator_is_refused_admin_actions_at_once_on_another_instance() {
    // Both instances remember valid tokens for a minute.
    let app = spawn_app_with(&[("GONGKAI__AUTH__CACHE_SECONDS", "60")]).await;
    let other = second_instance(&app, &[("GONGKAI__AUTH__CACHE_SECONDS", "60")]).await;
    let agency = app.agency("NS", None).await;
    let second_admin = app.user("admin two", Role::Admin, None).await;
    // The second administrator works through the other instance (its token is now cached there).
    let me = app.client.get(format!("{other}/api/v1/users/me")).bearer_auth(&second_admin).send().await.unwrap();
    let me = expect(me, StatusCode::OK).await;
    // Deactivated through the first instance.
    let path = format!("/api/v1/users/{}/deactivate", me["id"]);
    expect(app.post(&path, &app.admin, &json!({})).await, StatusCode::OK).await;
    // On the other instance, within its cache window, no administrative action is possible.
    let body = json!({"name": "新管理员", "role": "admin", "agency_id": null});
    let create = app.client.post(format!("{other}/api/v1/users")).bearer_auth(&second_admin).json(&body).send().await;
    expect_problem(create.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    let agency_body = json!({"name": "另一机关", "code": "LY", "parent_id": agency});
    let create = app.client.post(format!("{other}/api/v1/agencies")).bearer_auth(&second_admin).json(&agency_body);
    expect_problem(create.send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
    let reactivate = format!("{other}/api/v1/users/{}/activate", me["id"]);
    let reactivate = app.client.post(reactivate).bearer_auth(&second_admin).json(&json!({})).send().await;
    expect_problem(reactivate.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn an_administrator_can_neither_reactivate_nor_deactivate_themselves() {
    let app = spawn_app().await;
    let me = expect(app.get("/api/v1/users/me", &app.admin).await, StatusCode::OK).await;
    for action in ["activate", "deactivate"] {
        let response = app.post(&format!("/api/v1/users/{}/{action}", me["id"]), &app.admin, &json!({})).await;
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
}

// ---------------------------------------------------------------- 8. smaller findings

#[tokio::test]
async fn a_nul_byte_in_any_text_is_refused_with_422() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let mut body = intake_body(agency, "2019-03-05");
    body["applicant"]["name"] = json!("张\u{0}三");
    let problem = expect_problem(
        app.post("/api/v1/cases", &app.admin, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["applicant.name"]);
    let agency_body = json!({"name": "机关\u{0}", "code": "X1", "parent_id": null});
    let problem = expect_problem(
        app.post("/api/v1/agencies", &app.admin, &agency_body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["name"]);
    let search = app.get("/api/v1/cases?q=%E5%BC%A0%00", &app.admin).await;
    let problem = expect_problem(search, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(fields(&problem), ["q"]);
    // The same text without the NUL is accepted.
    body["applicant"]["name"] = json!("张三");
    expect(app.post("/api/v1/cases", &app.admin, &body).await, StatusCode::CREATED).await;
}

#[tokio::test]
async fn a_page_count_above_100000_is_refused_with_422() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let case = app.intake(&app.admin, agency, "2019-03-05").await;
    let path = format!("/api/v1/cases/{}/fee-notice", case["id"]);
    for pages in [100_001_u64, 2_147_483_648, 4_294_967_295] {
        let body = json!({"issued_on": "2019-03-08", "basis": "per_page", "pages": pages});
        let problem = expect_problem(
            app.post(&path, &app.admin, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(fields(&problem), ["pages"], "{pages}");
    }
    let body = json!({"issued_on": "2019-03-08", "basis": "per_page", "pages": 100_000});
    let notice = expect(app.post(&path, &app.admin, &body).await, StatusCode::OK).await;
    assert_eq!(notice["status"], "awaiting_fee");
}

#[tokio::test]
async fn an_appeal_filed_twice_is_refused_with_409() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let case = app.intake(&app.admin, agency, "2019-03-05").await;
    let id = case["id"].as_i64().unwrap();
    let decision = json!({"decided_on": "2019-03-20", "outcome": "withheld_state_secret", "basis": "属于国家秘密"});
    expect(app.post(&format!("/api/v1/cases/{id}/decision"), &app.admin, &decision).await, StatusCode::OK).await;
    let appeal = json!({"kind": "reconsideration", "filed_on": "2019-05-01"});
    let path = format!("/api/v1/cases/{id}/appeals");
    expect(app.post(&path, &app.admin, &appeal).await, StatusCode::CREATED).await;
    expect_problem(app.post(&path, &app.admin, &appeal).await, StatusCode::CONFLICT, "appeal_duplicate").await;
    // In parallel: one more at most.
    let other = json!({"kind": "reconsideration", "filed_on": "2019-05-02"});
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let request = app.client.post(app.url(&path)).bearer_auth(&app.admin).json(&other);
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    let mut created = 0;
    for handle in handles {
        let status = handle.await.unwrap();
        assert!(matches!(status, StatusCode::CREATED | StatusCode::CONFLICT), "{status}");
        created += usize::from(status == StatusCode::CREATED);
    }
    assert_eq!(created, 1);
    let listed = expect(app.get(&path, &app.admin).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().map_or_else(|| listed["items"].as_array().unwrap().len(), Vec::len), 2);
}

#[tokio::test]
async fn answers_with_personal_data_are_not_stored_and_pages_get_security_headers() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let case = app.intake(&app.admin, agency, "2019-03-05").await;
    let read = app.get(&format!("/api/v1/cases/{}", case["id"]), &app.admin).await;
    assert_eq!(read.headers()["cache-control"], "no-store");
    assert_eq!(read.headers()["x-content-type-options"], "nosniff");
    let list = app.get("/api/v1/cases", &app.admin).await;
    assert_eq!(list.headers()["cache-control"], "no-store");
    let letter =
        app.get(&format!("/api/v1/cases/{}/letters/acknowledgement?format=html", case["id"]), &app.admin).await;
    assert_eq!(letter.status(), StatusCode::OK);
    assert!(letter.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(letter.headers()["cache-control"], "no-store");
    let csp = letter.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(letter.headers()["referrer-policy"], "no-referrer");
    let docs = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert!(docs.headers().contains_key("content-security-policy"), "every page, not only the API's");
    // A JSON answer is not a page.
    assert!(!list.headers().contains_key("content-security-policy"));
}

#[tokio::test]
async fn metrics_are_served_in_the_prometheus_format_to_allowed_addresses_only() {
    let app = spawn_app().await;
    expect(app.get("/api/v1/users/me", &app.admin).await, StatusCode::OK).await;
    let text = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(text.status(), StatusCode::OK);
    assert!(text.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = text.text().await.unwrap();
    for wanted in [
        r#"gongkai_http_requests_total{method="GET",route="/api/v1/users/me",status="200"} 1"#,
        "gongkai_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/users/me\",le=\"0.005\"}",
        "gongkai_db_pool_connections{",
        r#"gongkai_outbox_messages{status="pending"} 0"#,
        "gongkai_audit_entries_dropped_total 0",
        r#"gongkai_sweep_runs_total{result="done"}"#,
    ] {
        assert!(text.contains(wanted), "{wanted} missing from:\n{text}");
    }
    // An address outside `metrics.allow` does not see it (here: nothing is allowed).
    let closed = spawn_app_with(&[("GONGKAI__METRICS__ALLOW", "192.0.2.0/24")]).await;
    let response = closed.client.get(closed.url("/metrics")).send().await.unwrap();
    expect_problem(response, StatusCode::NOT_FOUND, "route_not_found").await;
}

#[tokio::test]
async fn a_message_whose_delivery_keeps_crashing_its_worker_ends_failed_after_max_attempts() {
    use chrono::TimeDelta;
    use gongkai::storage::outbox as store;
    use gongkai::storage::StorageError;

    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let case = app.intake(&app.admin, agency, "2019-03-05").await;
    let id = case["id"].as_i64().unwrap();
    let max_attempts = 3;
    let mut at = chrono::Utc::now().naive_utc() + TimeDelta::minutes(1);
    // Each claim is a worker that dies while sending: nothing marks the message, its lease expires.
    for attempt in 1..=max_attempts + 1 {
        let db = app.db.clone();
        let claimed = tokio::task::spawn_blocking(move || {
            db.write_blocking(|conn| {
                store::claim(conn, "crashing", at, at + TimeDelta::minutes(5), 10, max_attempts)
                    .map_err(StorageError::from)
            })
        })
        .await
        .unwrap()
        .unwrap();
        let expected = usize::from(attempt <= max_attempts);
        assert_eq!(claimed.len(), expected, "claim {attempt}");
        at += TimeDelta::minutes(6);
    }
    let messages = expect(app.get(&format!("/api/v1/cases/{id}/outbox"), &app.admin).await, StatusCode::OK).await;
    let message = &messages.as_array().map_or_else(|| messages["items"][0].clone(), |m| m[0].clone());
    assert_eq!(message["status"], "failed", "{message}");
    assert_eq!(message["attempts"], max_attempts);
    assert!(message["last_error"].as_str().unwrap().contains("lease"), "{message}");
}

#[tokio::test]
async fn an_email_address_the_mailer_cannot_parse_is_refused_at_input() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let mut body = intake_body(agency, "2019-03-05");
    body["applicant"]["email"] = json!("zhang@example@example.com");
    let problem = expect_problem(
        app.post("/api/v1/cases", &app.admin, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["applicant.email"]);
    let user = json!({"name": "李四", "role": "officer", "agency_id": agency, "email": "lisi@@example.gov.cn"});
    let problem = expect_problem(
        app.post("/api/v1/users", &app.admin, &user).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["email"]);
}

#[tokio::test]
async fn a_backup_to_a_mistyped_path_creates_nothing() {
    let app = spawn_app().await;
    if app.test_db.is_postgres() {
        return; // `gongkai backup` copies SQLite files; PostgreSQL is backed up with pg_dump.
    }
    let dir = tempfile::tempdir().unwrap();
    let missing_database = dir.path().join("gongaki.sqlite3");
    let output = dir.path().join("copy.sqlite3");
    let run = |database: &std::path::Path, output: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["--database-url", database.to_str().unwrap(), "backup", "--output", output.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let mistyped = run(&missing_database, &output);
    assert!(!mistyped.status.success());
    assert!(!missing_database.exists(), "no empty database was created");
    assert!(!output.exists(), "no copy of one either");
    let into_nowhere = run(std::path::Path::new(app.test_db.url()), &dir.path().join("no-such-dir/copy.sqlite3"));
    assert!(!into_nowhere.status.success());
    assert!(String::from_utf8_lossy(&into_nowhere.stderr).contains("does not exist"));
    assert!(run(std::path::Path::new(app.test_db.url()), &output).status.success());
}

#[tokio::test]
async fn readiness_is_refused_until_every_migration_is_applied() {
    let test_db = crate::helpers::TestDb::new();
    let settings = test_settings_with(test_db.url(), &[]);
    let options = settings.db_options();
    let readiness = tokio::task::spawn_blocking(move || {
        let db = gongkai::storage::Db::connect(&options).unwrap();
        let before = db.readiness();
        db.migrate().unwrap();
        (before, db.readiness())
    })
    .await
    .unwrap();
    assert_eq!(readiness.0, gongkai::storage::Readiness::MigrationsPending);
    assert_eq!(readiness.1, gongkai::storage::Readiness::Ready);
}

#[tokio::test]
async fn readiness_is_refused_while_the_database_cannot_be_written() {
    let app = spawn_app().await;
    let crate::helpers::TestDb::Postgres { admin_url, name, url } = &app.test_db else {
        return; // As root, a SQLite file cannot be made unwritable to this process.
    };
    use diesel::{Connection, RunQueryDsl};
    let mut admin = diesel::PgConnection::establish(admin_url).unwrap();
    diesel::sql_query(format!("ALTER DATABASE {name} SET default_transaction_read_only = on"))
        .execute(&mut admin)
        .unwrap();
    let settings = test_settings_with(url, &[]);
    let options = settings.db_options();
    let readiness = tokio::task::spawn_blocking(move || gongkai::storage::Db::connect(&options).unwrap().readiness())
        .await
        .unwrap();
    diesel::sql_query(format!("ALTER DATABASE {name} RESET default_transaction_read_only"))
        .execute(&mut admin)
        .unwrap();
    assert!(matches!(readiness, gongkai::storage::Readiness::NotWritable(_)), "{readiness:?}");
}

#[tokio::test]
async fn while_the_database_is_unreachable_requests_get_503_with_retry_after_and_recover_by_themselves() {
    let app =
        spawn_app_with(&[("GONGKAI__DATABASE__CONNECT_TIMEOUT_MS", "500"), ("GONGKAI__AUTH__CACHE_SECONDS", "60")])
            .await;
    let crate::helpers::TestDb::Postgres { admin_url, name, .. } = &app.test_db else {
        return; // SQLite is a file of this process: it cannot become unreachable while open.
    };
    use diesel::{Connection, RunQueryDsl};
    expect(app.get("/api/v1/agencies", &app.admin).await, StatusCode::OK).await;
    let mut admin = diesel::PgConnection::establish(admin_url).unwrap();
    // The database goes away: no new connections, the open ones are ended.
    diesel::sql_query(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).execute(&mut admin).unwrap();
    diesel::sql_query(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        .execute(&mut admin)
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app.get("/api/v1/agencies", &app.admin).await;
        statuses.push(response.status());
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(response.headers()["retry-after"], "5");
            expect_problem(response, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
        }
    }
    assert!(statuses.iter().all(|s| *s == StatusCode::SERVICE_UNAVAILABLE), "{statuses:?}");
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    // It comes back: the service recovers without a restart.
    diesel::sql_query(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).execute(&mut admin).unwrap();
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/api/v1/agencies", &app.admin).await.status() == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the service did not recover by itself");
}

#[tokio::test]
async fn a_request_body_sent_too_slowly_is_refused_with_408() {
    use std::io::{Read, Write};
    let app = spawn_app_with(&[("GONGKAI__SERVER__BODY_READ_TIMEOUT_MS", "300")]).await;
    let address = app.address.trim_start_matches("http://").to_string();
    let token = app.admin.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let head = format!(
            "POST /api/v1/agencies HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\""
        );
        stream.write_all(head.as_bytes()).unwrap();
        // The rest never comes.
        let mut answer = vec![0; 4096];
        let n = stream.read(&mut answer).unwrap_or(0);
        String::from_utf8_lossy(&answer[..n]).to_string()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body_timeout"), "{answer}");
}
