//! The public pages /apply and /status, and the queue on the console's dashboard.

use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{china_today, spawn_app, Console};

const NAME: &str = "<script>alert(1)</script>{{ 7*7 }}";

/// The text between `start` and the next `end` after it.
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body.find(start).unwrap_or_else(|| panic!("{start} not in {body}")) + start.len();
    body[from..].split(end).next().unwrap()
}

fn answer(question: &str) -> i64 {
    let numbers: Vec<i64> = question.split(' ').filter_map(|w| w.parse().ok()).collect();
    if question.contains('减') {
        numbers[0] - numbers[1]
    } else {
        numbers[0] + numbers[1]
    }
}

#[tokio::test]
async fn apply_on_the_page_confirm_on_the_dashboard_and_follow_the_status() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let closed = app.agency("BS", None).await;
    let opened = app
        .client
        .patch(app.url(&format!("/api/v1/agencies/{agency}")))
        .bearer_auth(&app.admin)
        .json(&json!({"accepts_online_applications": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    app.console_user("登记员王五", "wangwu", "correct horse battery", Role::Clerk, Some(agency)).await;

    let mut visitor = Console::new(&app.address);
    let form = visitor.get("/apply").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&format!("<option value=\"{agency}\"")), "the open agency is offered");
    assert!(!form.body.contains(&format!("<option value=\"{closed}\"")), "a closed one is not");
    let key = between(&form.body, "name=\"idempotency_key\" value=\"", "\"").to_string();
    let id = between(&form.body, "name=\"challenge_id\" value=\"", "\"").to_string();
    let question = between(&form.body, "<label for=\"f-challenge\">", "<").to_string();
    let agency_text = agency.to_string();
    let fields = |answer: &str| {
        vec![
            ("idempotency_key", key.clone()),
            ("applicant.category", "natural_person".into()),
            ("applicant.name", NAME.into()),
            ("applicant.id_number", "11010519491231002X".into()),
            ("applicant.email", "zhang@example.com".into()),
            ("agency_id", agency_text.clone()),
            ("description", "2025年棚户区改造补偿标准".into()),
            ("items", "补偿标准\n安置方案".into()),
            ("delivery.form", "electronic".into()),
            ("delivery.method", "email".into()),
            ("challenge_id", id.clone()),
            ("challenge_answer", answer.into()),
        ]
    };
    let wrong = answer(&question) + 1;
    let owned = fields(&wrong.to_string());
    let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let again = visitor.post_public("/apply", &refs).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("验证题回答错误"), "{}", again.body);
    assert!(!again.body.contains("<script>alert"), "the typed name is escaped");
    let id = between(&again.body, "name=\"challenge_id\" value=\"", "\"").to_string();
    let question = between(&again.body, "<label for=\"f-challenge\">", "<").to_string();
    let mut owned = fields(&answer(&question).to_string());
    owned.iter_mut().find(|(k, _)| *k == "challenge_id").unwrap().1 = id;
    let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let applied = visitor.post_public("/apply", &refs).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let number = between(&applied.body, "<dd id=\"submission-number\">", "<").to_string();
    let code = between(&applied.body, "<dd id=\"query-code\">", "<").to_string();
    assert!(number.starts_with("WS-") && code.len() == 12, "{number} {code}");

    let pending = visitor.post_public("/status", &[("number", &number), ("code", &code)]).await;
    assert_eq!(pending.status, StatusCode::OK);
    assert!(pending.body.contains("等待机关确认"), "{}", pending.body);
    let wrong = visitor.post_public("/status", &[("number", &number), ("code", "ABCDEFGHJKMN")]).await;
    let unknown = visitor.post_public("/status", &[("number", "WS-20260101-AAAAAAAA"), ("code", &code)]).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        wrong.body.replace(&number, "N"),
        unknown.body.replace("WS-20260101-AAAAAAAA", "N"),
        "the same page for a wrong code and an unknown number"
    );

    // The clerk sees it on the dashboard and confirms it today.
    let mut clerk = Console::sign_in(&app.address, "wangwu", "correct horse battery").await;
    let board = clerk.get("/dashboard").await;
    assert!(board.body.contains("网上申请待确认"), "{}", board.body);
    assert!(board.body.contains(&number));
    assert!(!board.body.contains("<script>alert"), "the name is escaped on the dashboard");
    let submission = between(&board.body, "action=\"/submissions/", "/confirm").to_string();
    let today = china_today().to_string();
    let confirmed = clerk.post(&format!("/submissions/{submission}/confirm"), &[("received_on", &today)]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.body);
    let case_id = confirmed.location.as_deref().unwrap().strip_prefix("/intake/registered/").unwrap().to_string();
    let case_page = clerk.get(&format!("/cases/{case_id}")).await;
    assert!(!case_page.body.contains("withdrawal-requested"));
    let again = clerk.get("/dashboard").await;
    assert!(!again.body.contains(&number), "no longer in the queue");

    let status = visitor.post_public("/status", &[("number", &number), ("code", &code)]).await;
    assert_eq!(status.status, StatusCode::OK);
    assert!(status.body.contains("机关已确认收到"), "{}", status.body);
    assert!(status.body.contains(&format!("<dt>收到申请日期</dt><dd>{today}</dd>")));
    assert!(status.body.contains("政府信息公开申请受理回执"), "the acknowledgement is shown");
    assert!(status.body.contains("&lt;script&gt;") && !status.body.contains("<script>alert"));
    assert!(status.body.contains("{{ 7*7 }}"), "template syntax is not evaluated");
    assert!(!status.body.contains("登记员王五"), "no staff name");

    // The applicant asks to withdraw; the request is recorded.
    let asked = visitor.post_public("/status/withdraw", &[("number", &number), ("code", &code)]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("撤回申请的请求已记录"));
    let case_page = clerk.get(&format!("/cases/{case_id}")).await;
    assert!(case_page.body.contains("在网上进度查询页面申请撤回"), "the officer sees the request on the case");
}

#[tokio::test]
async fn a_rejected_application_shows_the_reason_on_the_status_page() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let patch = app.client.patch(app.url(&format!("/api/v1/agencies/{agency}"))).bearer_auth(&app.admin);
    patch.json(&json!({"accepts_online_applications": true})).send().await.unwrap();
    app.console_user("登记员", "clerk", "correct horse battery", Role::Clerk, Some(agency)).await;
    let challenge: serde_json::Value =
        app.client.get(app.url("/api/v1/public/challenge")).send().await.unwrap().json().await.unwrap();
    let body = json!({
        "agency_id": agency,
        "applicant": {"category": "natural_person", "name": "李四", "id_number": "11010519491231002X", "phone": "13800000000"},
        "description": "我要投诉小区物业",
        "delivery": {"form": "paper", "method": "post"},
        "challenge": {"id": challenge["id"], "answer": answer(challenge["question"].as_str().unwrap())},
    });
    let submitted: serde_json::Value =
        app.client.post(app.url("/api/v1/public/applications")).json(&body).send().await.unwrap().json().await.unwrap();
    let mut clerk = Console::sign_in(&app.address, "clerk", "correct horse battery").await;
    let board = clerk.get("/dashboard").await;
    let submission = between(&board.body, "action=\"/submissions/", "/confirm").to_string();
    let reason = "所提为投诉事项，请向12345热线反映";
    let rejected = clerk.post(&format!("/submissions/{submission}/reject"), &[("reason", reason)]).await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.body);
    let mut visitor = Console::new(&app.address);
    let number = submitted["submission_number"].as_str().unwrap();
    let code = submitted["query_code"].as_str().unwrap();
    let status = visitor.post_public("/status", &[("number", number), ("code", code)]).await;
    assert!(status.body.contains(reason), "{}", status.body);
    assert!(!status.body.contains("申请撤回"), "nothing to withdraw");
}

#[tokio::test]
async fn the_dashboard_queue_is_the_chosen_agencys_with_or_without_its_descendants() {
    let app = spawn_app().await;
    let a = app.agency("NS", None).await;
    let a1 = app.agency("NS-JY", Some(a)).await;
    let b = app.agency("BS", None).await;
    let mut numbers = Vec::new();
    for agency in [a, a1, b] {
        let patch = app.client.patch(app.url(&format!("/api/v1/agencies/{agency}"))).bearer_auth(&app.admin);
        patch.json(&json!({"accepts_online_applications": true})).send().await.unwrap();
        let body = json!({
            "agency_id": agency,
            "applicant": {"category": "natural_person", "name": "张三", "id_number": "11010519491231002X", "phone": "13800000000"},
            "description": "某文件",
            "delivery": {"form": "paper", "method": "post"},
        });
        let challenge: serde_json::Value =
            app.client.get(app.url("/api/v1/public/challenge")).send().await.unwrap().json().await.unwrap();
        let mut body = body;
        body["challenge"] = json!({"id": challenge["id"], "answer": answer(challenge["question"].as_str().unwrap())});
        let submitted: serde_json::Value = app
            .client
            .post(app.url("/api/v1/public/applications"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        numbers.push(submitted["submission_number"].as_str().unwrap().to_string());
    }
    app.console_user("管理员", "admin2", "correct horse battery", Role::Admin, None).await;
    let mut admin = Console::sign_in(&app.address, "admin2", "correct horse battery").await;
    let subtree = admin.get(&format!("/dashboard?agency_id={a}")).await;
    assert!(subtree.body.contains(&numbers[0]) && subtree.body.contains(&numbers[1]), "A and its child");
    assert!(!subtree.body.contains(&numbers[2]), "not B");
    let own = admin.get(&format!("/dashboard?agency_id={a}&descendants=0")).await;
    assert!(own.body.contains(&numbers[0]) && !own.body.contains(&numbers[1]) && !own.body.contains(&numbers[2]));
}
