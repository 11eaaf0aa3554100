//! Errors at the HTTP edge are Chinese: every problem's `title` and `detail` and every field message,
//! with the stable English `code` unchanged; unknown values list the valid ones with their labels,
//! dates that do not parse name the format.

use gongkai::domain::{Outcome, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect_problem, fields, intake_body, spawn_app, spawn_app_with, TestApp};

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A problem's title, detail and field messages are Chinese and its code is a stable English key.
fn assert_chinese(problem: &Value) {
    let title = problem["title"].as_str().unwrap_or_default();
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(has_chinese(title), "title not Chinese: {problem}");
    assert!(has_chinese(detail), "detail not Chinese: {problem}");
    for error in problem["errors"].as_array().into_iter().flatten() {
        assert!(has_chinese(error["message"].as_str().unwrap()), "field message not Chinese: {problem}");
    }
    let code = problem["code"].as_str().unwrap();
    assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{problem}");
}

/// A request that must fail: method, path, token, body, and the status and code it must get.
type BadRequest<'a> = (reqwest::Method, String, Option<&'a str>, Option<String>, StatusCode, &'static str);

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_owned());
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn an_unknown_outcome_is_refused_with_422_listing_every_code_with_its_chinese_label() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let case = app.intake(&app.admin, agency, "2019-03-05").await;
    let path = format!("/api/v1/cases/{}/decision", case["id"]);
    let body = json!({"decided_on": "2019-03-20", "outcome": "granted", "basis": "依据第三十六条"});
    let problem =
        expect_problem(app.post(&path, &app.admin, &body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            .await;
    assert_chinese(&problem);
    assert_eq!(fields(&problem), ["outcome"]);
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert_eq!(message, format!("“granted”不是有效的取值，应为以下之一：{}", Outcome::codes_with_labels()));
    for outcome in Outcome::ALL {
        assert!(message.contains(&format!("{}（{}）", outcome.as_str(), outcome.label())), "{message}");
    }
    assert!(problem["detail"].as_str().unwrap().starts_with("outcome：“granted”不是有效的取值"), "{problem}");
}

#[tokio::test]
async fn a_date_that_does_not_parse_is_refused_naming_the_expected_format() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let mut body = intake_body(agency, "2019-03-05");
    body["received_on"] = json!("2026/10/09");
    let problem = expect_problem(
        app.post("/api/v1/cases", &app.admin, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_chinese(&problem);
    assert_eq!(fields(&problem), ["received_on"]);
    assert_eq!(problem["errors"][0]["message"], "“2026/10/09”不是有效的日期，格式应为 YYYY-MM-DD，例如 2019-03-05");
    // A date that does not exist, and a number where a date belongs.
    body["received_on"] = json!("2019-02-30");
    let problem = expect_problem(
        app.post("/api/v1/cases", &app.admin, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["message"], "“2019-02-30”不是存在的日期，格式应为 YYYY-MM-DD，例如 2019-03-05");
    body["received_on"] = json!(20190305);
    let problem = expect_problem(
        app.post("/api/v1/cases", &app.admin, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("YYYY-MM-DD，例如 2019-03-05"), "{problem}");
    // In a query string too, naming the parameter.
    let path = format!("/api/v1/cases?agency_id={agency}&received_from=2019.03.01");
    let problem = expect_problem(app.get(&path, &app.admin).await, StatusCode::BAD_REQUEST, "invalid_query").await;
    assert_chinese(&problem);
    assert!(problem["detail"].as_str().unwrap().contains("YYYY-MM-DD"), "{problem}");
}

#[tokio::test]
async fn wrong_types_missing_and_unknown_fields_are_named_in_chinese() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let mut body = intake_body(agency, "2019-03-05");
    body["agency_id"] = json!("一");
    let problem = expect_problem(
        app.post("/api/v1/cases", &app.admin, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["agency_id"]);
    assert_eq!(problem["errors"][0]["message"], "类型不对：应为整数，实际为字符串“一”");

    let mut body = intake_body(agency, "2019-03-05");
    body["applicant"].as_object_mut().unwrap().remove("category");
    let problem = expect_problem(
        app.post("/api/v1/cases", &app.admin, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_chinese(&problem);
    assert_eq!(fields(&problem), ["applicant.category"]);

    let mut body = intake_body(agency, "2019-03-05");
    body["applicant"]["category"] = json!("citizen");
    let problem = expect_problem(
        app.post("/api/v1/cases", &app.admin, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["applicant.category"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("natural_person（自然人）"), "{problem}");

    let body = json!({"name": "鹤岗市南山区人民政府", "code": "NS2", "parent_id": null, "colour": "red"});
    let problem = expect_problem(
        app.post("/api/v1/agencies", &app.admin, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_chinese(&problem);
    assert!(problem["detail"].as_str().unwrap().contains("不认识的字段“colour”"), "{problem}");
}

#[tokio::test]
async fn every_problem_has_a_chinese_title_and_detail() {
    let app = spawn_app_with(&[("GONGKAI__SERVER__BODY_LIMIT_BYTES", "4000")]).await;
    let agency = app.agency("NS", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    let admin = app.admin.clone();
    let user: Value = {
        let body = json!({"name": "停用的", "role": "officer", "agency_id": agency});
        app.post("/api/v1/users", &admin, &body).await.json().await.unwrap()
    };
    let user_id = user["user"]["id"].as_i64().or(user["id"].as_i64()).unwrap();
    app.post(&format!("/api/v1/users/{user_id}/deactivate"), &admin, &json!({})).await;
    let big = json!({"name": "长".repeat(3000), "code": "BIG", "parent_id": null}).to_string();
    use reqwest::Method as M;
    let cases: Vec<BadRequest> = vec![
        (M::GET, "/api/v1/cases".into(), None, None, StatusCode::UNAUTHORIZED, "unauthorized"),
        (M::GET, "/api/v1/cases".into(), Some("gk_guess"), None, StatusCode::UNAUTHORIZED, "unauthorized"),
        (
            M::POST,
            "/api/v1/agencies".into(),
            Some(&clerk),
            Some(r#"{"name": "x", "code": "X", "parent_id": null}"#.into()),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (M::GET, "/api/v1/cases/999999".into(), Some(&admin), None, StatusCode::NOT_FOUND, "case_not_found"),
        (M::GET, "/api/v1/agencies/999999".into(), Some(&admin), None, StatusCode::NOT_FOUND, "agency_not_found"),
        (M::GET, "/api/v1/nothing-here".into(), Some(&admin), None, StatusCode::NOT_FOUND, "route_not_found"),
        (M::GET, "/api/v1/cases/abc".into(), Some(&admin), None, StatusCode::BAD_REQUEST, "invalid_path"),
        (
            M::GET,
            "/api/v1/reports/annual/2019?agency_id=abc".into(),
            Some(&admin),
            None,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (M::GET, "/api/v1/reports/annual/2019".into(), Some(&admin), None, StatusCode::BAD_REQUEST, "invalid_query"),
        (
            M::GET,
            format!("/api/v1/reports/annual/2019?agency_id={agency}&format=pdf"),
            Some(&admin),
            None,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (M::GET, "/api/v1/cases?agency_id=abc".into(), Some(&admin), None, StatusCode::BAD_REQUEST, "invalid_query"),
        (
            M::GET,
            "/api/v1/agencies?limit=0".into(),
            Some(&admin),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            M::POST,
            "/api/v1/agencies".into(),
            Some(&admin),
            Some(r#"{"name": "x", "code": }"#.into()),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            M::POST,
            "/api/v1/agencies".into(),
            Some(&admin),
            Some(String::new()),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            M::POST,
            "/api/v1/agencies".into(),
            Some(&admin),
            Some(r#"{"name": 5, "code": "X", "parent_id": null}"#.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            M::POST,
            "/api/v1/agencies".into(),
            Some(&admin),
            Some(big),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            M::POST,
            format!("/api/v1/users/{user_id}/tokens"),
            Some(&admin),
            Some("{}".into()),
            StatusCode::CONFLICT,
            "user_inactive",
        ),
        (
            M::POST,
            format!("/api/v1/reports/annual/2099/seal?agency_id={agency}"),
            Some(&admin),
            Some("{}".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "year_not_over",
        ),
    ];
    for (method, path, token, body, status, code) in cases {
        let response = send(&app, method.clone(), &path, token, body.as_deref()).await;
        let problem = expect_problem(response, status, code).await;
        assert_chinese(&problem);
        eprintln!("{method} {path} → {status}: {} — {}", problem["title"], problem["detail"]);
    }
    let path = "/api/v1/reports/annual/2019?agency_id=abc";
    let problem = expect_problem(app.get(path, &admin).await, StatusCode::BAD_REQUEST, "invalid_query").await;
    assert_eq!(fields(&problem), ["agency_id"], "the parameter is named: {problem}");
    assert_eq!(problem["detail"], "查询参数 agency_id：“abc”不是整数");
    let problem =
        expect_problem(app.get("/api/v1/cases/abc", &admin).await, StatusCode::BAD_REQUEST, "invalid_path").await;
    assert_eq!(problem["detail"], "路径参数 id 的值“abc”无效：编号只能由十进制数字组成，不带符号和前导零。");

    // 429 after repeated failures from one address.
    let app = spawn_app_with(&[("GONGKAI__AUTH__MAX_FAILURES_PER_MINUTE", "1")]).await;
    app.get("/api/v1/cases", "gk_guess").await;
    let problem = expect_problem(
        app.get("/api/v1/cases", "gk_guess").await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_failed_authentications",
    )
    .await;
    assert_chinese(&problem);
}
