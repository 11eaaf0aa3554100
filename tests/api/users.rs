use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect, expect_problem, spawn_app};

#[tokio::test]
async fn an_admin_creates_a_user_whose_token_works() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let created = expect(
        app.post("/api/v1/users", &app.admin, &json!({"name": "李四", "role": "officer", "agency_id": agency})).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["user"]["role"], "officer");
    assert_eq!(created["user"]["agency_id"], agency);
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("gk_"));
    let me = expect(app.get("/api/v1/users/me", token).await, StatusCode::OK).await;
    assert_eq!(me["name"], "李四");
    let id = me["id"].as_i64().unwrap();
    let got = expect(app.get(&format!("/api/v1/users/{id}"), &app.admin).await, StatusCode::OK).await;
    assert_eq!(got["active"], true);
    let list = expect(app.get("/api/v1/users", &app.admin).await, StatusCode::OK).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn roles_other_than_admin_and_auditor_need_an_agency() {
    let app = spawn_app().await;
    let response =
        app.post("/api/v1/users", &app.admin, &json!({"name": "x", "role": "clerk", "agency_id": null})).await;
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let response =
        app.post("/api/v1/users", &app.admin, &json!({"name": "x", "role": "boss", "agency_id": null})).await;
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "role");
}

#[tokio::test]
async fn non_admins_cannot_manage_users_and_admins_stay_in_their_subtree() {
    let app = spawn_app().await;
    let a = app.agency("A", None).await;
    let b = app.agency("B", None).await;
    let officer = app.user("officer", Role::Officer, Some(a)).await;
    let response = app.post("/api/v1/users", &officer, &json!({"name": "x", "role": "clerk", "agency_id": a})).await;
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    expect_problem(app.get("/api/v1/users", &officer).await, StatusCode::FORBIDDEN, "forbidden").await;
    let admin_a = app.user("admin a", Role::Admin, Some(a)).await;
    let response = app.post("/api/v1/users", &admin_a, &json!({"name": "x", "role": "clerk", "agency_id": b})).await;
    expect_problem(response, StatusCode::NOT_FOUND, "agency_not_found").await;
    let clerk_b = app.user("clerk b", Role::Clerk, Some(b)).await;
    let id_b = expect(app.get("/api/v1/users/me", &clerk_b).await, StatusCode::OK).await["id"].as_i64().unwrap();
    let response = app.get(&format!("/api/v1/users/{id_b}"), &admin_a).await;
    expect_problem(response, StatusCode::NOT_FOUND, "user_not_found").await;
    let response = app.post(&format!("/api/v1/users/{id_b}/deactivate"), &admin_a, &json!({})).await;
    expect_problem(response, StatusCode::NOT_FOUND, "user_not_found").await;
    let listed = expect(app.get("/api/v1/users", &admin_a).await, StatusCode::OK).await;
    let names: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["officer", "admin a"]);
}
