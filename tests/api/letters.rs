use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect, expect_problem, spawn_app};

async fn letter(app: &crate::helpers::TestApp, token: &str, id: i64, kind: &str, format: &str) -> reqwest::Response {
    app.get(&format!("/api/v1/cases/{id}/letters/{kind}?format={format}"), token).await
}

#[tokio::test]
async fn each_step_yields_its_letter_filled_from_the_case() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let case = app.intake(&officer, agency, "2019-03-05").await;
    let id = case["id"].as_i64().unwrap();

    let ack = letter(&app, &officer, id, "acknowledgement", "text").await;
    assert_eq!(ack.headers()["content-type"], "text/plain; charset=utf-8");
    let ack = ack.text().await.unwrap();
    assert!(ack.contains("NS-2019-00001") && ack.contains("张三"), "{ack}");
    assert!(ack.contains("2019年4月2日"), "the due date is stated: {ack}");

    let early = letter(&app, &officer, id, "correction_notice", "html").await;
    expect_problem(early, StatusCode::CONFLICT, "letter_not_applicable").await;
    let body = json!({"issued_on": "2019-03-07", "respond_by": "2019-03-21", "matters": "请写明文件的文号<b>"});
    expect(app.post(&format!("/api/v1/cases/{id}/correction-request"), &officer, &body).await, StatusCode::OK).await;
    let notice = letter(&app, &officer, id, "correction_notice", "html").await;
    assert_eq!(notice.headers()["content-type"], "text/html; charset=utf-8");
    let notice = notice.text().await.unwrap();
    assert!(notice.contains("请写明文件的文号&lt;b&gt;"), "the matters are escaped in HTML");
    assert!(notice.contains("2019年3月21日"));
    assert!(notice.contains("size: A4"));
    expect(
        app.post(&format!("/api/v1/cases/{id}/correction"), &officer, &json!({"received_on": "2019-03-15"})).await,
        StatusCode::OK,
    )
    .await;
    let decision =
        json!({"decided_on": "2019-03-28", "outcome": "withheld_state_secret", "basis": "经审查属于国家秘密"});
    expect(app.post(&format!("/api/v1/cases/{id}/decision"), &officer, &decision).await, StatusCode::OK).await;
    let reply = letter(&app, &officer, id, "decision", "text").await.text().await.unwrap();
    assert!(reply.contains("第十四条"), "the legal basis of the outcome: {reply}");
    assert!(reply.contains("行政复议") && reply.contains("行政诉讼"), "the applicant's rights: {reply}");
    assert!(reply.contains("经审查属于国家秘密"));
}

#[tokio::test]
async fn letters_are_checked_and_scoped() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let other = app.agency("BS", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    let outsider = app.user("outsider", Role::Clerk, Some(other)).await;
    let id = app.intake(&clerk, agency, "2019-03-05").await["id"].as_i64().unwrap();
    expect_problem(
        letter(&app, &clerk, id, "poem", "html").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    expect_problem(
        letter(&app, &clerk, id, "decision", "pdf").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    for kind in ["extension_notice", "consultation_letter", "fee_notice", "decision"] {
        expect_problem(letter(&app, &clerk, id, kind, "html").await, StatusCode::CONFLICT, "letter_not_applicable")
            .await;
    }
    expect_problem(
        letter(&app, &outsider, id, "acknowledgement", "html").await,
        StatusCode::NOT_FOUND,
        "case_not_found",
    )
    .await;
}
