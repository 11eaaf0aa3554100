use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect, expect_problem, fields, spawn_app};

#[tokio::test]
async fn an_admin_creates_lists_and_gets_agencies() {
    let app = spawn_app().await;
    let body = json!({"name": "鹤岗市南山区人民政府", "code": "NS", "parent_id": null});
    let created = expect(app.post("/api/v1/agencies", &app.admin, &body).await, StatusCode::CREATED).await;
    assert_eq!(created["name"], "鹤岗市南山区人民政府");
    assert_eq!(created["code"], "NS");
    assert_eq!(created["parent_id"], serde_json::Value::Null);
    let id = created["id"].as_i64().unwrap();
    let child = app.agency("NS-JY", Some(id)).await;
    let got = expect(app.get(&format!("/api/v1/agencies/{child}"), &app.admin).await, StatusCode::OK).await;
    assert_eq!(got["parent_id"], id);
    let list = expect(app.get("/api/v1/agencies", &app.admin).await, StatusCode::OK).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let children = expect(app.get(&format!("/api/v1/agencies?parent_id={id}"), &app.admin).await, StatusCode::OK).await;
    assert_eq!(children["items"].as_array().unwrap().len(), 1);
    assert_eq!(children["items"][0]["id"], child);
}

#[tokio::test]
async fn agency_codes_are_validated_and_unique() {
    let app = spawn_app().await;
    app.agency("NS", None).await;
    let duplicate =
        app.post("/api/v1/agencies", &app.admin, &json!({"name": "x", "code": "NS", "parent_id": null})).await;
    let problem = expect_problem(duplicate, StatusCode::UNPROCESSABLE_ENTITY, "duplicate_code").await;
    assert_eq!(fields(&problem), ["code"]);
    let bad = app.post("/api/v1/agencies", &app.admin, &json!({"name": "", "code": "ns 1", "parent_id": null})).await;
    let problem = expect_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(fields(&problem), ["name", "code"]);
    let unknown_parent =
        app.post("/api/v1/agencies", &app.admin, &json!({"name": "x", "code": "X", "parent_id": 999})).await;
    expect_problem(unknown_parent, StatusCode::NOT_FOUND, "agency_not_found").await;
}

#[tokio::test]
async fn only_admins_create_agencies() {
    let app = spawn_app().await;
    let root = app.agency("NS", None).await;
    for role in [Role::Clerk, Role::Officer, Role::Supervisor, Role::Auditor] {
        let token = app.user("u", role, Some(root)).await;
        let response =
            app.post("/api/v1/agencies", &token, &json!({"name": "x", "code": "X", "parent_id": root})).await;
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
}

#[tokio::test]
async fn a_user_sees_its_agency_and_descendants_only() {
    let app = spawn_app().await;
    let root = app.agency("NS", None).await;
    let dept = app.agency("NS-JY", Some(root)).await;
    let office = app.agency("NS-JY-1", Some(dept)).await;
    let other = app.agency("BS", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(dept)).await;
    let list = expect(app.get("/api/v1/agencies", &clerk).await, StatusCode::OK).await;
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [dept, office]);
    for invisible in [root, other, 12345] {
        let response = app.get(&format!("/api/v1/agencies/{invisible}"), &clerk).await;
        expect_problem(response, StatusCode::NOT_FOUND, "agency_not_found").await;
    }
}

#[tokio::test]
async fn an_agency_admin_creates_only_inside_its_subtree() {
    let app = spawn_app().await;
    let root = app.agency("NS", None).await;
    let dept = app.agency("NS-JY", Some(root)).await;
    let admin = app.user("dept admin", Role::Admin, Some(dept)).await;
    let inside =
        app.post("/api/v1/agencies", &admin, &json!({"name": "x", "code": "NS-JY-2", "parent_id": dept})).await;
    expect(inside, StatusCode::CREATED).await;
    let above = app.post("/api/v1/agencies", &admin, &json!({"name": "x", "code": "NS-2", "parent_id": root})).await;
    expect_problem(above, StatusCode::NOT_FOUND, "agency_not_found").await;
    let new_root = app.post("/api/v1/agencies", &admin, &json!({"name": "x", "code": "ROOT", "parent_id": null})).await;
    expect_problem(new_root, StatusCode::UNPROCESSABLE_ENTITY, "parent_required").await;
}

#[tokio::test]
async fn agency_lists_are_paginated() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.agency(&format!("A{i}"), None).await;
    }
    let first = expect(app.get("/api/v1/agencies?limit=2", &app.admin).await, StatusCode::OK).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let mut seen: Vec<String> =
        first["items"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap().into()).collect();
    let mut cursor = first["next_cursor"].as_str().unwrap().to_string();
    loop {
        let page =
            expect(app.get(&format!("/api/v1/agencies?limit=2&cursor={cursor}"), &app.admin).await, StatusCode::OK)
                .await;
        seen.extend(page["items"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ["A0", "A1", "A2", "A3", "A4"]);
    let too_many = app.get("/api/v1/agencies?limit=1000", &app.admin).await;
    expect_problem(too_many, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let bad_cursor = app.get("/api/v1/agencies?cursor=zzz", &app.admin).await;
    expect_problem(bad_cursor, StatusCode::UNPROCESSABLE_ENTITY, "invalid_cursor").await;
}
