use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect, expect_problem, fields, intake_body, spawn_app, TestApp};

struct Desk {
    app: TestApp,
    agency: i64,
    clerk: String,
    officer: String,
}

async fn desk() -> Desk {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    Desk { app, agency, clerk, officer }
}

async fn invalid_intake(desk: &Desk, body: Value) -> Value {
    let response = desk.app.post("/api/v1/cases", &desk.clerk, &body).await;
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await
}

#[tokio::test]
async fn intake_registers_a_case_with_number_due_date_and_event() {
    let desk = desk().await;
    let case = desk.app.intake(&desk.clerk, desk.agency, "2019-03-05").await;
    assert_eq!(case["case_number"], "NS-2019-00001");
    assert_eq!(case["status"], "received");
    assert_eq!(case["agency_id"], desk.agency);
    assert_eq!(case["received_on"], "2019-03-05");
    // 20 working days after Tuesday 2019-03-05, no holiday in between: Tuesday 2019-04-02.
    assert_eq!(case["due_on"], "2019-04-02");
    assert_eq!(case["paused"], false);
    assert_eq!(case["extended"], false);
    assert_eq!(case["overdue"], true);
    assert!(case["working_days_left"].as_i64().unwrap() < 0);
    assert_eq!(case["version"], 1);
    assert_eq!(case["applicant"]["name"], "张三");
    assert_eq!(case["applicant"]["id_number"], "11010519491231002X");
    assert_eq!(case["applicant"]["id_type"], "resident_id_card");
    let second = desk.app.intake(&desk.clerk, desk.agency, "2019-03-06").await;
    assert_eq!(second["case_number"], "NS-2019-00002");
    assert_eq!(second["applicant"]["id"], case["applicant"]["id"], "the same identity number is the same applicant");
    let next_year = desk.app.intake(&desk.clerk, desk.agency, "2020-01-06").await;
    assert_eq!(next_year["case_number"], "NS-2020-00001");

    let id = case["id"].as_i64().unwrap();
    let got = expect(desk.app.get(&format!("/api/v1/cases/{id}"), &desk.clerk).await, StatusCode::OK).await;
    assert_eq!(got["case_number"], "NS-2019-00001");
    let events = expect(desk.app.get(&format!("/api/v1/cases/{id}/events"), &desk.clerk).await, StatusCode::OK).await;
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["seq"], 1);
    assert_eq!(events[0]["kind"], "received");
    assert_eq!(events[0]["effective_on"], "2019-03-05");
    assert!(events[0]["actor_id"].as_i64().is_some());
    assert!(!events[0]["payload"].to_string().contains("11010519491231002X"), "events do not copy identity numbers");
}

#[tokio::test]
async fn the_intake_answer_is_the_case_as_stored() {
    // The intake builds its answer from what it wrote instead of reading the case back: a later
    // read must show exactly the same, for a first and a returning applicant, with and without
    // items.
    let desk = desk().await;
    let mut with_items = intake_body(desk.agency, "2024-12-30");
    with_items["items"] = json!([{"description": "2024年预算"}, {"description": "2024年决算"}]);
    with_items["submitted_on"] = json!("2024-12-28");
    let mut returning = intake_body(desk.agency, "2025-01-02");
    returning["applicant"]["phone"] = json!("13900000000");
    returning["applicant"]["address"] = json!("南山区红军路1号");
    returning["channel"] = json!("online");
    for body in [with_items, returning] {
        let mut created = expect(desk.app.post("/api/v1/cases", &desk.clerk, &body).await, StatusCode::CREATED).await;
        // The intake's answer is the case plus what the desk should check.
        assert_eq!(created.as_object_mut().unwrap().remove("warnings"), Some(json!([])));
        let id = created["id"].as_i64().unwrap();
        let got = expect(desk.app.get(&format!("/api/v1/cases/{id}"), &desk.clerk).await, StatusCode::OK).await;
        assert_eq!(created, got);
    }
}

#[tokio::test]
async fn an_organisation_is_checked_by_its_credit_code() {
    let desk = desk().await;
    let mut body = intake_body(desk.agency, "2021-06-01");
    body["applicant"] =
        json!({"category": "commercial_enterprise", "name": "某某有限公司", "id_number": "91350100M000100Y43"});
    let created = expect(desk.app.post("/api/v1/cases", &desk.clerk, &body).await, StatusCode::CREATED).await;
    assert_eq!(created["applicant"]["id_type"], "unified_social_credit_code");
    body["applicant"]["id_number"] = json!("91350100M000100Y44");
    let problem = invalid_intake(&desk, body).await;
    assert_eq!(fields(&problem), ["applicant.id_number"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("校验码"), "{problem}");
}

#[tokio::test]
async fn intake_validation_names_each_failing_field() {
    let desk = desk().await;
    let base = intake_body(desk.agency, "2019-03-05");

    let mut body = base.clone();
    body["channel"] = json!("pigeon");
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["channel"]);

    let mut body = base.clone();
    body["applicant"]["category"] = json!("alien");
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["applicant.category"]);

    let mut body = base.clone();
    body["applicant"].as_object_mut().unwrap().remove("name");
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["applicant.name"]);

    let mut body = base.clone();
    body["applicant"]["name"] = json!("   ");
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["applicant.name"]);

    let mut body = base.clone();
    body["received_on"] = json!("2019-02-30");
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["received_on"]);

    let mut body = base.clone();
    body["received_on"] = json!("05/03/2019");
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["received_on"]);

    let mut body = base.clone();
    body["received_on"] = json!("2999-01-01");
    let problem = invalid_intake(&desk, body).await;
    assert_eq!(fields(&problem), ["received_on"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("不得晚于今天"), "{problem}");

    let mut body = base.clone();
    body["applicant"]["id_number"] = json!("110105194912310021");
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["applicant.id_number"]);

    let mut body = base.clone();
    body["description"] = json!("长".repeat(4001));
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["description"]);

    let mut body = base.clone();
    body["items"] = json!([{"description": "ok"}, {"description": ""}]);
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["items[1].description"]);

    let mut body = base.clone();
    body["applicant"]["email"] = json!("not-an-address");
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["applicant.email"]);

    let mut body = base.clone();
    body["surprise"] = json!(1);
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["surprise"]);

    // Several problems are reported together.
    let mut body = base.clone();
    body["applicant"]["name"] = json!("");
    body["description"] = json!("");
    body["submitted_on"] = json!("2019-03-06");
    assert_eq!(fields(&invalid_intake(&desk, body).await), ["applicant.name", "description", "submitted_on"]);
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let desk = desk().await;
    let response = desk
        .app
        .client
        .post(desk.app.url("/api/v1/cases"))
        .bearer_auth(&desk.clerk)
        .header("content-type", "application/json")
        .body("{\"agency_id\": 1,")
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn an_officer_decides_a_case_and_it_is_concluded() {
    let desk = desk().await;
    let case = desk.app.intake(&desk.clerk, desk.agency, "2019-03-05").await;
    let id = case["id"].as_i64().unwrap();
    let decision =
        json!({"decided_on": "2019-03-20", "outcome": "disclosed", "basis": "依据第三十六条第（二）项予以提供"});
    let decided =
        expect(desk.app.post(&format!("/api/v1/cases/{id}/decision"), &desk.officer, &decision).await, StatusCode::OK)
            .await;
    assert_eq!(decided["status"], "concluded");
    assert_eq!(decided["outcome"], "disclosed");
    assert_eq!(decided["concluded_on"], "2019-03-20");
    assert_eq!(decided["late"], false);
    assert_eq!(decided["overdue"], false);
    assert_eq!(decided["working_days_left"], Value::Null);
    assert_eq!(decided["version"], 2);
    let events = expect(desk.app.get(&format!("/api/v1/cases/{id}/events"), &desk.clerk).await, StatusCode::OK).await;
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["received", "decided"]);
    assert_eq!(events[1]["payload"]["outcome"], "disclosed");
    assert_eq!(events[1]["effective_on"], "2019-03-20");

    let again = desk.app.post(&format!("/api/v1/cases/{id}/decision"), &desk.officer, &decision).await;
    expect_problem(again, StatusCode::CONFLICT, "case_concluded").await;
}

#[tokio::test]
async fn a_late_decision_is_marked_late() {
    let desk = desk().await;
    let case = desk.app.intake(&desk.clerk, desk.agency, "2019-03-05").await;
    let id = case["id"].as_i64().unwrap();
    let decision = json!({"decided_on": "2019-04-03", "outcome": "unavailable_not_held"});
    let decided =
        expect(desk.app.post(&format!("/api/v1/cases/{id}/decision"), &desk.officer, &decision).await, StatusCode::OK)
            .await;
    assert_eq!(decided["late"], true);
}

#[tokio::test]
async fn decision_dates_and_outcomes_are_checked() {
    let desk = desk().await;
    let case = desk.app.intake(&desk.clerk, desk.agency, "2019-03-05").await;
    let path = format!("/api/v1/cases/{}/decision", case["id"]);
    let post = |body: Value| {
        let request = desk.app.client.post(desk.app.url(&path)).bearer_auth(&desk.officer).json(&body);
        async move { request.send().await.unwrap() }
    };

    let before = post(json!({"decided_on": "2019-03-04", "outcome": "disclosed"})).await;
    let problem = expect_problem(before, StatusCode::UNPROCESSABLE_ENTITY, "date_before_receipt").await;
    assert_eq!(fields(&problem), ["decided_on"]);
    let future = post(json!({"decided_on": "2999-03-04", "outcome": "disclosed"})).await;
    expect_problem(future, StatusCode::UNPROCESSABLE_ENTITY, "date_in_future").await;
    let unknown = post(json!({"decided_on": "2019-03-20", "outcome": "maybe"})).await;
    assert_eq!(
        fields(&expect_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await),
        ["outcome"]
    );
    let missing = post(json!({"decided_on": "2019-03-20"})).await;
    expect_problem(missing, StatusCode::UNPROCESSABLE_ENTITY, "outcome_required").await;
    let lapse = post(json!({"decided_on": "2019-03-20", "outcome": "other_correction_overdue"})).await;
    expect_problem(lapse, StatusCode::UNPROCESSABLE_ENTITY, "correction_not_lapsed").await;
    let fee = post(json!({"decided_on": "2019-03-20", "outcome": "other_fee_unpaid"})).await;
    expect_problem(fee, StatusCode::UNPROCESSABLE_ENTITY, "fee_not_lapsed").await;
    let long = post(json!({"decided_on": "2019-03-20", "outcome": "disclosed", "basis": "x".repeat(8001)})).await;
    assert_eq!(fields(&expect_problem(long, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await), ["basis"]);
    // Nothing was changed by the refusals.
    let got = expect(desk.app.get(&format!("/api/v1/cases/{}", case["id"]), &desk.clerk).await, StatusCode::OK).await;
    assert_eq!(got["version"], 1);
    assert_eq!(got["status"], "received");
}

#[tokio::test]
async fn item_outcomes_roll_up_to_the_case_outcome() {
    let desk = desk().await;
    let mut body = intake_body(desk.agency, "2021-03-01");
    body["items"] = json!([{"description": "规划文件"}, {"description": "会议纪要"}]);
    let case = expect(desk.app.post("/api/v1/cases", &desk.clerk, &body).await, StatusCode::CREATED).await;
    let path = format!("/api/v1/cases/{}/decision", case["id"]);
    let (a, b) = (case["items"][0]["id"].as_i64().unwrap(), case["items"][1]["id"].as_i64().unwrap());

    let contradicting = json!({"decided_on": "2021-03-10", "outcome": "disclosed",
        "items": [{"id": a, "outcome": "disclosed"}, {"id": b, "outcome": "withheld_process_information"}]});
    let problem = expect_problem(
        desk.app.post(&path, &desk.officer, &contradicting).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outcome_contradicts_items",
    )
    .await;
    assert_eq!(fields(&problem), ["outcome"]);
    let incomplete = json!({"decided_on": "2021-03-10", "items": [{"id": a, "outcome": "disclosed"}]});
    expect_problem(
        desk.app.post(&path, &desk.officer, &incomplete).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "items_incomplete",
    )
    .await;
    let foreign = json!({"decided_on": "2021-03-10", "items": [{"id": a, "outcome": "disclosed"}, {"id": 99999, "outcome": "disclosed"}]});
    let problem = expect_problem(
        desk.app.post(&path, &desk.officer, &foreign).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_item",
    )
    .await;
    assert_eq!(fields(&problem), ["items[1].id"]);

    // A refused item needs its own reason (Art. 36 (3)).
    let unreasoned = json!({"decided_on": "2021-03-10", "basis": "总体说明",
        "items": [{"id": a, "outcome": "disclosed"}, {"id": b, "outcome": "withheld_process_information"}]});
    let problem = expect_problem(
        desk.app.post(&path, &desk.officer, &unreasoned).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "basis_required",
    )
    .await;
    assert_eq!(fields(&problem), ["items[1].basis"]);
    let derived = json!({"decided_on": "2021-03-10",
        "items": [{"id": a, "outcome": "disclosed"},
            {"id": b, "outcome": "withheld_process_information", "basis": "会议纪要系内部讨论记录"}]});
    let decided = expect(desk.app.post(&path, &desk.officer, &derived).await, StatusCode::OK).await;
    assert_eq!(decided["outcome"], "partially_disclosed");
    assert_eq!(decided["items"][0]["outcome"], "disclosed");
    assert_eq!(decided["items"][1]["outcome"], "withheld_process_information");
}

#[tokio::test]
async fn a_stale_version_is_refused_with_409() {
    let desk = desk().await;
    let case = desk.app.intake(&desk.clerk, desk.agency, "2019-03-05").await;
    let path = format!("/api/v1/cases/{}/decision", case["id"]);
    let stale_body = json!({"decided_on": "2019-03-20", "outcome": "disclosed", "version": 7});
    expect_problem(desk.app.post(&path, &desk.officer, &stale_body).await, StatusCode::CONFLICT, "version_conflict")
        .await;
    let stale_header = desk
        .app
        .client
        .post(desk.app.url(&path))
        .bearer_auth(&desk.officer)
        .header("If-Match", "\"3\"")
        .json(&json!({"decided_on": "2019-03-20", "outcome": "disclosed"}))
        .send()
        .await
        .unwrap();
    expect_problem(stale_header, StatusCode::CONFLICT, "version_conflict").await;
    let current = desk
        .app
        .client
        .post(desk.app.url(&path))
        .bearer_auth(&desk.officer)
        .header("If-Match", "\"1\"")
        .json(&json!({"decided_on": "2019-03-20", "outcome": "disclosed"}))
        .send()
        .await
        .unwrap();
    expect(current, StatusCode::OK).await;
}

#[tokio::test]
async fn withdrawal_concludes_the_case_as_other_misc() {
    let desk = desk().await;
    let case = desk.app.intake(&desk.clerk, desk.agency, "2019-03-05").await;
    let path = format!("/api/v1/cases/{}/withdrawal", case["id"]);
    let early = desk.app.post(&path, &desk.officer, &json!({"withdrawn_on": "2019-03-01"})).await;
    expect_problem(early, StatusCode::UNPROCESSABLE_ENTITY, "date_before_receipt").await;
    let withdrawn =
        expect(desk.app.post(&path, &desk.officer, &json!({"withdrawn_on": "2019-03-08"})).await, StatusCode::OK).await;
    assert_eq!(withdrawn["status"], "concluded");
    assert_eq!(withdrawn["outcome"], "other_misc");
    assert_eq!(withdrawn["concluded_on"], "2019-03-08");
    let again = desk.app.post(&path, &desk.officer, &json!({"withdrawn_on": "2019-03-09"})).await;
    expect_problem(again, StatusCode::CONFLICT, "case_concluded").await;
}

#[tokio::test]
async fn roles_limit_what_a_user_may_do_with_cases() {
    let desk = desk().await;
    let auditor = desk.app.user("auditor", Role::Auditor, Some(desk.agency)).await;
    let body = intake_body(desk.agency, "2019-03-05");
    expect_problem(desk.app.post("/api/v1/cases", &auditor, &body).await, StatusCode::FORBIDDEN, "forbidden").await;
    let case = desk.app.intake(&desk.clerk, desk.agency, "2019-03-05").await;
    let id = case["id"].as_i64().unwrap();
    let decision = json!({"decided_on": "2019-03-20", "outcome": "disclosed"});
    for token in [&desk.clerk, &auditor] {
        let response = desk.app.post(&format!("/api/v1/cases/{id}/decision"), token, &decision).await;
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        let response = desk
            .app
            .post(&format!("/api/v1/cases/{id}/withdrawal"), token, &json!({"withdrawn_on": "2019-03-08"}))
            .await;
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    expect(desk.app.get(&format!("/api/v1/cases/{id}"), &auditor).await, StatusCode::OK).await;
}

#[tokio::test]
async fn cases_of_another_agency_are_invisible() {
    let desk = desk().await;
    let child = desk.app.agency("NS-JY", Some(desk.agency)).await;
    let other = desk.app.agency("BS", None).await;
    let other_officer = desk.app.user("other officer", Role::Officer, Some(other)).await;
    let child_clerk = desk.app.user("child clerk", Role::Clerk, Some(child)).await;
    let case = desk.app.intake(&desk.clerk, desk.agency, "2019-03-05").await;
    let child_case = desk.app.intake(&child_clerk, child, "2019-03-05").await;
    let id = case["id"].as_i64().unwrap();

    for path in [format!("/api/v1/cases/{id}"), format!("/api/v1/cases/{id}/events")] {
        expect_problem(desk.app.get(&path, &other_officer).await, StatusCode::NOT_FOUND, "case_not_found").await;
        expect_problem(desk.app.get(&path, &child_clerk).await, StatusCode::NOT_FOUND, "case_not_found").await;
    }
    let decision = json!({"decided_on": "2019-03-20", "outcome": "disclosed"});
    let response = desk.app.post(&format!("/api/v1/cases/{id}/decision"), &other_officer, &decision).await;
    expect_problem(response, StatusCode::NOT_FOUND, "case_not_found").await;
    let response = desk.app.post("/api/v1/cases", &other_officer, &intake_body(desk.agency, "2019-03-05")).await;
    expect_problem(response, StatusCode::NOT_FOUND, "agency_not_found").await;
    let listed = expect(desk.app.get("/api/v1/cases", &other_officer).await, StatusCode::OK).await;
    assert!(listed["items"].as_array().unwrap().is_empty());
    let response = desk.app.get(&format!("/api/v1/cases?agency_id={}", desk.agency), &other_officer).await;
    expect_problem(response, StatusCode::NOT_FOUND, "agency_not_found").await;

    // The parent agency sees its child's cases.
    let got = desk.app.get(&format!("/api/v1/cases/{}", child_case["id"]), &desk.officer).await;
    expect(got, StatusCode::OK).await;
    let listed = expect(desk.app.get("/api/v1/cases", &desk.officer).await, StatusCode::OK).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_retried_intake_with_the_same_idempotency_key_returns_the_first_case() {
    let desk = desk().await;
    let body = intake_body(desk.agency, "2019-03-05");
    let send = |key: &'static str, body: Value| {
        desk.app
            .client
            .post(desk.app.url("/api/v1/cases"))
            .bearer_auth(&desk.clerk)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = expect(send("intake-1", body.clone()).await.unwrap(), StatusCode::CREATED).await;
    let retry = expect(send("intake-1", body.clone()).await.unwrap(), StatusCode::OK).await;
    assert_eq!(retry["id"], first["id"]);
    assert_eq!(retry["case_number"], first["case_number"]);
    let mut changed = body.clone();
    changed["description"] = json!("另一份文件");
    let reused = send("intake-1", changed).await.unwrap();
    expect_problem(reused, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;
    let other = expect(send("intake-2", body).await.unwrap(), StatusCode::CREATED).await;
    assert_ne!(other["id"], first["id"]);
    let listed = expect(desk.app.get("/api/v1/cases", &desk.clerk).await, StatusCode::OK).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn lists_mask_identity_numbers_filter_and_paginate() {
    let desk = desk().await;
    for day in ["2019-03-04", "2019-03-05", "2019-03-06", "2019-03-07", "2019-03-08"] {
        desk.app.intake(&desk.clerk, desk.agency, day).await;
    }
    let mut body = intake_body(desk.agency, "2026-11-20");
    body["applicant"] = json!({"category": "research_institution", "name": "某研究所"});
    body["description"] = json!("关于2026年预算的公开申请");
    let recent = expect(desk.app.post("/api/v1/cases", &desk.clerk, &body).await, StatusCode::CREATED).await;
    let decision = json!({"decided_on": "2019-03-20", "outcome": "disclosed"});
    let first_id = recent["id"].as_i64().unwrap() - 5;
    expect(
        desk.app.post(&format!("/api/v1/cases/{first_id}/decision"), &desk.officer, &decision).await,
        StatusCode::OK,
    )
    .await;

    let page = expect(desk.app.get("/api/v1/cases?limit=4", &desk.clerk).await, StatusCode::OK).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["id"], recent["id"], "newest first");
    assert_eq!(items[1]["applicant"]["id_number"], "110105********002X");
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest =
        expect(desk.app.get(&format!("/api/v1/cases?limit=4&cursor={cursor}"), &desk.clerk).await, StatusCode::OK)
            .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert_eq!(rest["next_cursor"], Value::Null);

    let count = |query: &'static str| {
        let app = &desk.app;
        let clerk = desk.clerk.clone();
        async move {
            let page = expect(app.get(&format!("/api/v1/cases?{query}"), &clerk).await, StatusCode::OK).await;
            page["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("status=concluded").await, 1);
    assert_eq!(count("status=received").await, 5);
    assert_eq!(count("received_from=2019-03-05&received_to=2019-03-07").await, 3);
    assert_eq!(count("overdue=true").await, 4);
    assert_eq!(count("due_before=2019-04-04").await, 2);
    assert_eq!(count("q=%E9%A2%84%E7%AE%97").await, 1);
    assert_eq!(count("q=NS-2019-0000").await, 5);
    assert_eq!(count("q=100%25").await, 0);
    let bad = desk.app.get("/api/v1/cases?status=lost", &desk.clerk).await;
    expect_problem(bad, StatusCode::BAD_REQUEST, "invalid_query").await;
    let bad = desk.app.get("/api/v1/cases?received_from=yesterday", &desk.clerk).await;
    expect_problem(bad, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn an_unknown_case_is_404() {
    let desk = desk().await;
    expect_problem(desk.app.get("/api/v1/cases/424242", &desk.clerk).await, StatusCode::NOT_FOUND, "case_not_found")
        .await;
    expect_problem(desk.app.get("/api/v1/cases/abc", &desk.clerk).await, StatusCode::BAD_REQUEST, "invalid_path").await;
}

#[tokio::test]
async fn events_cannot_be_changed_in_the_database() {
    let desk = desk().await;
    desk.app.intake(&desk.clerk, desk.agency, "2019-03-05").await;
    let db = desk.app.db.clone();
    let (update, delete) = tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let run = |sql: &'static str| {
            db.write_blocking(|conn| -> Result<usize, gongkai::service::ServiceError> {
                Ok(diesel::sql_query(sql).execute(conn)?)
            })
            .is_err()
        };
        (run("UPDATE case_events SET kind = 'x'"), run("DELETE FROM case_events"))
    })
    .await
    .unwrap();
    assert!(update && delete, "the database refuses to update or delete events");
}
