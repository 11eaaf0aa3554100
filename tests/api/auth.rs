use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect, expect_problem, spawn_app};

#[tokio::test]
async fn every_api_route_requires_a_token() {
    let app = spawn_app().await;
    for path in ["/api/v1/cases", "/api/v1/agencies", "/api/v1/users", "/api/v1/cases/1", "/api/v1/cases/1/events"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let response = app.client.post(app.url("/api/v1/cases")).json(&json!({})).send().await.unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn an_unknown_or_malformed_token_is_refused() {
    let app = spawn_app().await;
    expect_problem(app.get("/api/v1/cases", "gk_not-a-real-token").await, StatusCode::UNAUTHORIZED, "unauthorized")
        .await;
    let response = app.client.get(app.url("/api/v1/cases")).header("Authorization", "Basic abc").send().await.unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn a_deactivated_users_token_stops_working() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    let me = expect(app.get("/api/v1/users/me", &clerk).await, StatusCode::OK).await;
    assert_eq!(me["role"], "clerk");
    let id = me["id"].as_i64().unwrap();
    expect(app.post(&format!("/api/v1/users/{id}/deactivate"), &app.admin, &json!({})).await, StatusCode::OK).await;
    expect_problem(app.get("/api/v1/cases", &clerk).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    // Reactivation does not revive revoked tokens; a new token works.
    expect(app.post(&format!("/api/v1/users/{id}/activate"), &app.admin, &json!({})).await, StatusCode::OK).await;
    expect_problem(app.get("/api/v1/cases", &clerk).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let issued =
        expect(app.post(&format!("/api/v1/users/{id}/tokens"), &app.admin, &json!({})).await, StatusCode::CREATED)
            .await;
    let token = issued["token"].as_str().unwrap();
    expect(app.get("/api/v1/cases", token).await, StatusCode::OK).await;
}

#[tokio::test]
async fn a_token_revoked_by_rotation_stops_working() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let id = expect(app.get("/api/v1/users/me", &officer).await, StatusCode::OK).await["id"].as_i64().unwrap();
    let issued = expect(
        app.post(&format!("/api/v1/users/{id}/tokens"), &app.admin, &json!({"revoke_others": true})).await,
        StatusCode::CREATED,
    )
    .await;
    expect_problem(app.get("/api/v1/cases", &officer).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    expect(app.get("/api/v1/cases", issued["token"].as_str().unwrap()).await, StatusCode::OK).await;
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let token = app.admin.clone();
    let db = app.db.clone();
    let stored: Vec<String> = tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use gongkai::storage::schema::api_tokens;
        db.write_blocking(|conn| -> Result<Vec<String>, gongkai::service::ServiceError> {
            Ok(api_tokens::table.select(api_tokens::token_hash).load::<String>(conn)?)
        })
        .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
    assert!(!stored[0].contains(&token[3..]));
    assert_eq!(stored[0], gongkai::service::auth::hash_token(&token));
}
