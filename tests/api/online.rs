//! Online applications: submit → the queue → confirm or reject → the applicant's status page.

use chrono::Duration;
use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{china_today, expect, expect_problem, spawn_app_with, TestApp};

const NO_CHALLENGE: (&str, &str) = ("GONGKAI__PORTAL__CHALLENGE", "off");

struct Desk {
    app: TestApp,
    agency: i64,
    clerk: String,
}

async fn desk_with(extra: &[(&str, &str)]) -> Desk {
    let app = spawn_app_with(extra).await;
    let agency = app.agency("NS", None).await;
    let opened = app
        .client
        .patch(app.url(&format!("/api/v1/agencies/{agency}")))
        .bearer_auth(&app.admin)
        .json(&json!({"accepts_online_applications": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(expect(opened, StatusCode::OK).await["accepts_online_applications"], true);
    let clerk = app.user("登记员王五", Role::Clerk, Some(agency)).await;
    Desk { app, agency, clerk }
}

async fn desk() -> Desk {
    desk_with(&[NO_CHALLENGE]).await
}

fn application(agency: i64, name: &str) -> Value {
    json!({
        "agency_id": agency,
        "applicant": {
            "category": "natural_person",
            "name": name,
            "id_number": "11010519491231002X",
            "email": "zhang@example.com",
            "address": "南山区某街1号"
        },
        "description": "2025年南山区棚户区改造补偿标准文件",
        "items": [{"description": "补偿标准"}, {"description": "安置方案"}],
        "delivery": {"form": "electronic", "method": "email"}
    })
}

impl Desk {
    async fn submit(&self, body: &Value) -> Value {
        let response =
            self.app.client.post(self.app.url("/api/v1/public/applications")).json(body).send().await.unwrap();
        expect(response, StatusCode::CREATED).await
    }

    async fn status(&self, number: &str, code: &str) -> reqwest::Response {
        let query = [("number", number), ("code", code)];
        self.app.client.get(self.app.url("/api/v1/public/status")).query(&query).send().await.unwrap()
    }

    async fn queue(&self) -> Vec<Value> {
        let list = expect(self.app.get("/api/v1/submissions", &self.clerk).await, StatusCode::OK).await;
        list["items"].as_array().unwrap().clone()
    }

    /// Run SQL on the test's database (to date a submission in the past).
    async fn sql(&self, sql: String) {
        let db = self.app.db.clone();
        tokio::task::spawn_blocking(move || {
            use diesel::RunQueryDsl;
            db.write_blocking(|conn| -> Result<usize, gongkai::service::ServiceError> {
                Ok(diesel::sql_query(sql).execute(conn)?)
            })
            .unwrap()
        })
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn a_confirmed_submission_is_a_case_received_on_the_day_of_confirmation() {
    let desk = desk().await;
    let submitted = desk.submit(&application(desk.agency, "张三")).await;
    assert_eq!(submitted["status"], "pending");
    let code = submitted["query_code"].as_str().unwrap();
    assert!(code.len() >= 10 && code.chars().all(|c| "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains(c)), "{code}");
    let number = submitted["submission_number"].as_str().unwrap();

    // Submitted three days ago (12:00 in China), confirmed today.
    let submitted_on = china_today() - Duration::days(3);
    desk.sql(format!("UPDATE submissions SET submitted_at = '{submitted_on} 04:00:00'")).await;
    let queue = desk.queue().await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["submission_number"], number);
    assert_eq!(queue[0]["status"], "pending");
    assert_eq!(queue[0]["submitted_on"], submitted_on.to_string());
    assert!(queue[0]["age_working_days"].as_i64().unwrap() >= 0);
    let id = queue[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/submissions/{id}/confirm");
    let confirm = |body: Value| {
        let request = desk.app.client.post(desk.app.url(&path)).bearer_auth(&desk.clerk).json(&body);
        async move { request.send().await.unwrap() }
    };

    let early = json!({"received_on": (submitted_on - Duration::days(1)).to_string()});
    expect_problem(confirm(early).await, StatusCode::UNPROCESSABLE_ENTITY, "received_before_submission").await;
    let future = json!({"received_on": (china_today() + Duration::days(1)).to_string()});
    expect_problem(confirm(future).await, StatusCode::UNPROCESSABLE_ENTITY, "date_in_future").await;

    let case = expect(confirm(json!({})).await, StatusCode::CREATED).await;
    assert_eq!(case["channel"], "online");
    assert_eq!(case["received_on"], china_today().to_string());
    assert_eq!(case["submitted_on"], submitted_on.to_string());
    assert_eq!(case["applicant"]["name"], "张三");
    assert_eq!(case["items"].as_array().unwrap().len(), 2);
    // The due date is that of any request received today: 20 working days from it.
    let in_person = desk.app.intake(&desk.clerk, desk.agency, &china_today().to_string()).await;
    assert_eq!(case["due_on"], in_person["due_on"]);
    assert!(case["due_on"].as_str().unwrap() > china_today().to_string().as_str());

    expect_problem(confirm(json!({})).await, StatusCode::CONFLICT, "submission_settled").await;
    let reject = desk.app.post(&format!("/api/v1/submissions/{id}/reject"), &desk.clerk, &json!({"reason": "x"})).await;
    expect_problem(reject, StatusCode::CONFLICT, "submission_settled").await;

    // The applicant follows it by the submission number or the case number.
    let status = expect(desk.status(number, code).await, StatusCode::OK).await;
    assert_eq!(status["status"], "received");
    assert_eq!(status["received_on"], case["received_on"]);
    assert_eq!(status["due_on"], case["due_on"]);
    assert_eq!(status["case_number"], case["case_number"]);
    assert!(!status["clock"].as_array().unwrap().is_empty());
    assert_eq!(status["steps"][0]["label"], "收到申请");
    assert_eq!(status["letters"][0]["kind"], "acknowledgement");
    let by_case = expect(desk.status(case["case_number"].as_str().unwrap(), code).await, StatusCode::OK).await;
    assert_eq!(by_case, status);
    let text = status.to_string();
    assert!(!text.contains("登记员王五"), "no staff name: {text}");
    assert!(!text.contains(&in_person["case_number"].as_str().unwrap().to_string()), "no other case");
}

#[tokio::test]
async fn a_rejected_submission_shows_the_reason_to_the_applicant() {
    let desk = desk().await;
    let submitted = desk.submit(&application(desk.agency, "张三")).await;
    let id = desk.queue().await[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/submissions/{id}/reject");
    let missing = desk.app.post(&path, &desk.clerk, &json!({"reason": " "})).await;
    expect_problem(missing, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let reason = "所提为投诉事项，请向12345热线反映";
    let rejected = expect(desk.app.post(&path, &desk.clerk, &json!({"reason": reason})).await, StatusCode::OK).await;
    assert_eq!(rejected["status"], "rejected");
    expect_problem(
        desk.app.post(&path, &desk.clerk, &json!({"reason": reason})).await,
        StatusCode::CONFLICT,
        "submission_settled",
    )
    .await;
    let confirm = desk.app.post(&format!("/api/v1/submissions/{id}/confirm"), &desk.clerk, &json!({})).await;
    expect_problem(confirm, StatusCode::CONFLICT, "submission_settled").await;
    let status =
        desk.status(submitted["submission_number"].as_str().unwrap(), submitted["query_code"].as_str().unwrap()).await;
    let status = expect(status, StatusCode::OK).await;
    assert_eq!(status["status"], "rejected");
    assert_eq!(status["reject_reason"], reason);
    assert_eq!(status["received_on"], Value::Null);
    let cases = expect(desk.app.get("/api/v1/cases", &desk.clerk).await, StatusCode::OK).await;
    assert!(cases["items"].as_array().unwrap().is_empty(), "a rejected submission is no case");
}

#[tokio::test]
async fn twenty_parallel_confirmations_make_exactly_one_case() {
    let desk = desk().await;
    desk.submit(&application(desk.agency, "张三")).await;
    let id = desk.queue().await[0]["id"].as_i64().unwrap();
    let path = desk.app.url(&format!("/api/v1/submissions/{id}/confirm"));
    let started = std::time::Instant::now();
    let requests = (0..20).map(|_| {
        let request = desk.app.client.post(&path).bearer_auth(&desk.clerk).json(&json!({}));
        tokio::spawn(async move { request.send().await.unwrap().status() })
    });
    let mut statuses = Vec::new();
    for handle in requests.collect::<Vec<_>>() {
        statuses.push(handle.await.unwrap());
    }
    println!("20 concurrent confirmations answered in {:.1?}", started.elapsed());
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT), "{statuses:?}");
    let cases = expect(desk.app.get("/api/v1/cases", &desk.clerk).await, StatusCode::OK).await;
    assert_eq!(cases["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_wrong_code_another_submissions_code_and_a_guessed_number_answer_the_same_404() {
    let desk = desk().await;
    let first = desk.submit(&application(desk.agency, "张三")).await;
    let second = desk.submit(&application(desk.agency, "李四")).await;
    let (number, code) = (first["submission_number"].as_str().unwrap(), first["query_code"].as_str().unwrap());
    let other_code = second["query_code"].as_str().unwrap();
    let mut answers = Vec::new();
    for (n, c) in [(number, "ABCDEFGHJKMN"), (number, other_code), ("WS-20261206-ABCDEFGH", code), (number, "")] {
        let response = desk.status(n, c).await;
        answers.push(expect_problem(response, StatusCode::NOT_FOUND, "submission_not_found").await);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    expect(desk.status(number, &code.to_lowercase()).await, StatusCode::OK).await;
}

#[tokio::test]
async fn status_look_ups_beyond_the_limit_get_429_with_retry_after() {
    let desk = desk_with(&[NO_CHALLENGE, ("GONGKAI__PORTAL__LOOKUPS_PER_MINUTE", "3")]).await;
    let submitted = desk.submit(&application(desk.agency, "张三")).await;
    let (number, code) = (submitted["submission_number"].as_str().unwrap(), submitted["query_code"].as_str().unwrap());
    for _ in 0..3 {
        expect(desk.status(number, code).await, StatusCode::OK).await;
    }
    let limited = desk.status(number, code).await;
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    expect_problem(limited, StatusCode::TOO_MANY_REQUESTS, "too_many_lookups").await;
}

#[tokio::test]
async fn submissions_beyond_the_hourly_limit_get_429() {
    let desk = desk_with(&[NO_CHALLENGE, ("GONGKAI__PORTAL__SUBMISSIONS_PER_HOUR", "2")]).await;
    desk.submit(&application(desk.agency, "张三")).await;
    desk.submit(&application(desk.agency, "张三")).await;
    let response =
        desk.app.client.post(desk.app.url("/api/v1/public/applications")).json(&application(desk.agency, "张三"));
    let limited = response.send().await.unwrap();
    assert!(limited.headers().contains_key("retry-after"));
    expect_problem(limited, StatusCode::TOO_MANY_REQUESTS, "too_many_submissions").await;
    assert_eq!(desk.queue().await.len(), 2);
}

#[tokio::test]
async fn an_applicant_name_with_markup_is_inert_in_the_status_and_the_letters() {
    let desk = desk().await;
    let name = "<script>alert(1)</script>{{ 7*7 }}";
    let submitted = desk.submit(&application(desk.agency, name)).await;
    let id = desk.queue().await[0]["id"].as_i64().unwrap();
    let confirm = desk.app.post(&format!("/api/v1/submissions/{id}/confirm"), &desk.clerk, &json!({})).await;
    expect(confirm, StatusCode::CREATED).await;
    let status =
        desk.status(submitted["submission_number"].as_str().unwrap(), submitted["query_code"].as_str().unwrap()).await;
    let status = expect(status, StatusCode::OK).await;
    let letter = &status["letters"][0];
    let html = letter["html"].as_str().unwrap();
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(html.contains("{{ 7*7 }}"), "template syntax is not evaluated: {html}");
    assert!(letter["text"].as_str().unwrap().contains("{{ 7*7 }}"));
}

#[tokio::test]
async fn a_retried_submission_with_the_same_idempotency_key_is_stored_once() {
    let desk = desk().await;
    let body = application(desk.agency, "张三");
    let send = || {
        desk.app
            .client
            .post(desk.app.url("/api/v1/public/applications"))
            .header("Idempotency-Key", "page-1")
            .json(&body)
    };
    let first = expect(send().send().await.unwrap(), StatusCode::CREATED).await;
    let again = expect(send().send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(first["submission_number"], again["submission_number"]);
    assert_eq!(desk.queue().await.len(), 1);
    let number = first["submission_number"].as_str().unwrap();
    expect(desk.status(number, again["query_code"].as_str().unwrap()).await, StatusCode::OK).await;
    expect(desk.status(number, first["query_code"].as_str().unwrap()).await, StatusCode::NOT_FOUND).await;
    let mut other = body.clone();
    other["description"] = json!("另一份申请");
    let reused = desk
        .app
        .client
        .post(desk.app.url("/api/v1/public/applications"))
        .header("Idempotency-Key", "page-1")
        .json(&other)
        .send()
        .await
        .unwrap();
    expect_problem(reused, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;
}

#[tokio::test]
async fn applications_need_an_open_agency_a_valid_identity_and_a_contact() {
    let desk = desk().await;
    let closed = desk.app.agency("BS", None).await;
    let response = desk.app.client.post(desk.app.url("/api/v1/public/applications")).json(&application(closed, "张三"));
    expect_problem(response.send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "agency_not_accepting_online")
        .await;
    let mut bad = application(desk.agency, "张三");
    bad["applicant"]["id_number"] = json!("110105194912310021");
    bad["applicant"]["email"] = Value::Null;
    let response = desk.app.client.post(desk.app.url("/api/v1/public/applications")).json(&bad).send().await.unwrap();
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["applicant.id_number", "applicant.email"]);
    assert!(desk.queue().await.is_empty());
}

#[tokio::test]
async fn only_admins_open_an_agency_and_clerks_see_only_their_agencies_queue() {
    let desk = desk().await;
    let other = desk.app.agency("BS", None).await;
    let path = format!("/api/v1/agencies/{other}");
    let by_clerk = desk
        .app
        .client
        .patch(desk.app.url(&path))
        .bearer_auth(&desk.clerk)
        .json(&json!({"accepts_online_applications": true}));
    expect_problem(by_clerk.send().await.unwrap(), StatusCode::FORBIDDEN, "forbidden").await;
    let by_admin = desk
        .app
        .client
        .patch(desk.app.url(&path))
        .bearer_auth(&desk.app.admin)
        .json(&json!({"accepts_online_applications": true}));
    expect(by_admin.send().await.unwrap(), StatusCode::OK).await;
    desk.submit(&application(other, "张三")).await;
    assert!(desk.queue().await.is_empty(), "the clerk of NS does not see BS's submissions");
    let all = expect(desk.app.get("/api/v1/submissions", &desk.app.admin).await, StatusCode::OK).await;
    let id = all["items"][0]["id"].as_i64().unwrap();
    let confirm = desk.app.post(&format!("/api/v1/submissions/{id}/confirm"), &desk.clerk, &json!({})).await;
    expect_problem(confirm, StatusCode::NOT_FOUND, "submission_not_found").await;
    let auditor = desk.app.user("auditor", Role::Auditor, None).await;
    expect_problem(desk.app.get("/api/v1/submissions", &auditor).await, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn with_the_arithmetic_challenge_an_application_needs_the_right_answer() {
    let desk = desk_with(&[]).await;
    let body = application(desk.agency, "张三");
    let post = |body: Value| desk.app.client.post(desk.app.url("/api/v1/public/applications")).json(&body).send();
    expect_problem(post(body.clone()).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "challenge_failed").await;
    let ask = || async {
        let challenge = desk.app.client.get(desk.app.url("/api/v1/public/challenge")).send().await.unwrap();
        let challenge = expect(challenge, StatusCode::OK).await;
        let question = challenge["question"].as_str().unwrap().to_string();
        let numbers: Vec<i64> = question.split(' ').filter_map(|w| w.parse().ok()).collect();
        let answer = if question.contains('减') { numbers[0] - numbers[1] } else { numbers[0] + numbers[1] };
        (challenge["id"].as_str().unwrap().to_string(), answer)
    };
    let (id, answer) = ask().await;
    let mut wrong = body.clone();
    wrong["challenge"] = json!({"id": id, "answer": answer + 1});
    expect_problem(post(wrong).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "challenge_failed").await;
    let (id, answer) = ask().await;
    let mut right = body.clone();
    right["challenge"] = json!({"id": id, "answer": answer.to_string()});
    expect(post(right.clone()).await.unwrap(), StatusCode::CREATED).await;
    expect_problem(post(right).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "challenge_failed").await;
    assert_eq!(desk.queue().await.len(), 1);
}

#[tokio::test]
async fn the_applicant_asks_to_withdraw_and_the_desk_sees_it() {
    let desk = desk().await;
    let submitted = desk.submit(&application(desk.agency, "张三")).await;
    let body = json!({"number": submitted["submission_number"], "code": submitted["query_code"]});
    let path = desk.app.url("/api/v1/public/withdrawal-requests");
    let wrong = desk.app.client.post(&path).json(&json!({"number": submitted["submission_number"], "code": "X"}));
    expect_problem(wrong.send().await.unwrap(), StatusCode::NOT_FOUND, "submission_not_found").await;
    let asked = expect(desk.app.client.post(&path).json(&body).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(asked["withdrawal_requested"], true);
    assert_eq!(desk.queue().await[0]["withdrawal_requested"], true);
}

#[tokio::test]
async fn the_number_and_code_are_mailed_through_the_outbox() {
    let desk = desk().await;
    let submitted = desk.submit(&application(desk.agency, "张三")).await;
    let code = submitted["query_code"].as_str().unwrap().to_string();
    let db = desk.app.db.clone();
    let bodies = tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use gongkai::storage::schema::outbox;
        db.write_blocking(|conn| -> Result<Vec<(String, String)>, gongkai::service::ServiceError> {
            Ok(outbox::table
                .filter(outbox::kind.eq("submission_receipt"))
                .select((outbox::recipient.assume_not_null(), outbox::body_text))
                .load(conn)?)
        })
        .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0].0, "zhang@example.com");
    assert!(bodies[0].1.contains(&code) && bodies[0].1.contains(submitted["submission_number"].as_str().unwrap()));
}

#[tokio::test]
async fn the_annual_report_counts_confirmed_submissions_only() {
    let desk = desk().await;
    for name in ["张三", "李四", "王五"] {
        desk.submit(&application(desk.agency, name)).await;
    }
    let queue = desk.queue().await;
    let (first, second) = (queue[0]["id"].as_i64().unwrap(), queue[1]["id"].as_i64().unwrap());
    let confirm = desk.app.post(&format!("/api/v1/submissions/{first}/confirm"), &desk.clerk, &json!({})).await;
    expect(confirm, StatusCode::CREATED).await;
    let reject =
        desk.app.post(&format!("/api/v1/submissions/{second}/reject"), &desk.clerk, &json!({"reason": "咨询"})).await;
    expect(reject, StatusCode::OK).await;
    let year = china_today().format("%Y");
    let report = desk.app.get(&format!("/api/v1/reports/annual/{year}?agency_id={}", desk.agency), &desk.clerk).await;
    let report = expect(report, StatusCode::OK).await;
    let rows = report["section_three"]["rows"].as_array().unwrap();
    let received = rows.iter().find(|r| r["key"] == "new_received").unwrap();
    assert_eq!(received["values"][6], 1, "one confirmed; the rejected and the pending one are no requests: {received}");
}

#[tokio::test]
async fn a_confirmation_without_a_body_is_dated_today_and_a_wrong_date_is_refused() {
    let desk = desk().await;
    desk.submit(&application(desk.agency, "张三")).await;
    let id = desk.queue().await[0]["id"].as_i64().unwrap();
    let url = desk.app.url(&format!("/api/v1/submissions/{id}/confirm"));
    let garbage =
        desk.app.post(&format!("/api/v1/submissions/{id}/confirm"), &desk.clerk, &json!({"received_on": "明天"})).await;
    expect_problem(garbage, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let unknown = desk
        .app
        .post(&format!("/api/v1/submissions/{id}/confirm"), &desk.clerk, &json!({"received": "2026-01-01"}))
        .await;
    expect_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(desk.queue().await[0]["status"], "pending", "nothing was confirmed by a wrong body");
    let bare = desk.app.client.post(&url).bearer_auth(&desk.clerk).send().await.unwrap();
    let case = expect(bare, StatusCode::CREATED).await;
    assert_eq!(case["received_on"], china_today().to_string());
}

#[tokio::test]
async fn a_revoked_step_is_not_among_the_applicants_steps() {
    let desk = desk().await;
    let submitted = desk.submit(&application(desk.agency, "张三")).await;
    let id = desk.queue().await[0]["id"].as_i64().unwrap();
    let confirm = desk.app.post(&format!("/api/v1/submissions/{id}/confirm"), &desk.clerk, &json!({})).await;
    let case = expect(confirm, StatusCode::CREATED).await;
    let supervisor = desk.app.user("负责人", Role::Supervisor, Some(desk.agency)).await;
    let today = china_today().to_string();
    let respond_by = (china_today() + Duration::days(30)).to_string();
    let request = json!({"issued_on": today, "respond_by": respond_by, "matters": "请补充文号"});
    let path = format!("/api/v1/cases/{}/correction-request", case["id"]);
    expect(desk.app.post(&path, &supervisor, &request).await, StatusCode::OK).await;
    let (number, code) = (submitted["submission_number"].as_str().unwrap(), submitted["query_code"].as_str().unwrap());
    let labels = |status: &Value| -> Vec<String> {
        status["steps"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap().to_string()).collect()
    };
    let before = expect(desk.status(number, code).await, StatusCode::OK).await;
    assert_eq!(labels(&before), ["收到申请", "补正告知"]);
    assert_eq!(before["status"], "awaiting_correction");
    let revoke = format!("/api/v1/cases/{}/steps/2/revoke", case["id"]);
    expect(desk.app.post(&revoke, &supervisor, &json!({"reason": "误录"})).await, StatusCode::OK).await;
    let after = expect(desk.status(number, code).await, StatusCode::OK).await;
    assert_eq!(labels(&after), ["收到申请"]);
    assert_eq!(after["status"], "received");
}
