//! Mistakes put right: the applicant as given on each application, void, intake correction,
//! revocation of a step (issue 14).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect, intake_body, spawn_app, TestApp};
use gongkai::domain::Role;

struct Office {
    app: TestApp,
    agency: i64,
    sibling: i64,
    clerk: String,
    sibling_clerk: String,
    officer: String,
}

async fn office() -> Office {
    let app = spawn_app().await;
    let root = app.agency("QX", None).await;
    let agency = app.agency("QX-1", Some(root)).await;
    let sibling = app.agency("QX-2", Some(root)).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    let sibling_clerk = app.user("sibling clerk", Role::Clerk, Some(sibling)).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    Office { app, agency, sibling, clerk, sibling_clerk, officer }
}

fn with_applicant(agency: i64, received_on: &str, name: &str, phone: Option<&str>, email: Option<&str>) -> Value {
    let mut body = intake_body(agency, received_on);
    body["applicant"] = json!({
        "category": "natural_person", "name": name, "id_number": "11010519491231002X",
        "phone": phone, "email": email,
    });
    body
}

async fn register(app: &TestApp, token: &str, body: &Value) -> Value {
    expect(app.post("/api/v1/cases", token, body).await, StatusCode::CREATED).await
}

#[tokio::test]
async fn the_earlier_case_keeps_its_applicants_name_after_a_conflicting_intake() {
    let o = office().await;
    let first =
        register(&o.app, &o.clerk, &with_applicant(o.agency, "2025-03-03", "张伟", Some("13800000001"), None)).await;
    let second = register(&o.app, &o.clerk, &with_applicant(o.agency, "2025-04-01", "张卫", None, None)).await;
    // The desk is told, and the new case is registered as given.
    assert_eq!(second["warnings"][0]["code"], "applicant_name_differs", "{second}");
    assert_eq!(second["applicant"]["name"], "张卫");
    assert_eq!(second["applicant"]["id"], first["applicant"]["id"], "the requests are linked");
    // The earlier case still says what its application said.
    let id = first["id"].as_i64().unwrap();
    let earlier = expect(o.app.get(&format!("/api/v1/cases/{id}"), &o.clerk).await, StatusCode::OK).await;
    assert_eq!(earlier["applicant"]["name"], "张伟");
    assert_eq!(earlier["applicant"]["phone"], "13800000001");
    // Searching the earlier name still finds it.
    let found = expect(o.app.get("/api/v1/cases?q=%E5%BC%A0%E4%BC%9F", &o.clerk).await, StatusCode::OK).await;
    let ids: Vec<i64> = found["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [id]);
    // Its letters are addressed as it said.
    let letter = o.app.get(&format!("/api/v1/cases/{id}/letters/acknowledgement?format=text"), &o.clerk).await;
    assert!(letter.text().await.unwrap().contains("张伟："));
}

#[tokio::test]
async fn an_intake_in_another_agency_never_redirects_this_agencys_letters() {
    let o = office().await;
    let mine =
        register(&o.app, &o.clerk, &with_applicant(o.agency, "2025-03-03", "张伟", None, Some("zhang@example.com")))
            .await;
    // A clerk of a sibling agency registers a request with the same identity number and another
    // e-mail address.
    register(
        &o.app,
        &o.sibling_clerk,
        &with_applicant(o.sibling, "2025-03-04", "张伟", None, Some("other@example.com")),
    )
    .await;
    let id = mine["id"].as_i64().unwrap();
    let decision = json!({"decided_on": "2025-03-20", "outcome": "disclosed", "basis": "予以提供"});
    expect(o.app.post(&format!("/api/v1/cases/{id}/decision"), &o.officer, &decision).await, StatusCode::OK).await;
    let outbox = expect(o.app.get(&format!("/api/v1/cases/{id}/outbox"), &o.officer).await, StatusCode::OK).await;
    let recipients: Vec<&str> = outbox.as_array().unwrap().iter().filter_map(|m| m["recipient"].as_str()).collect();
    assert_eq!(recipients, ["zhang@example.com", "zhang@example.com"], "acknowledgement and decision");
    let page = expect(o.app.get(&format!("/api/v1/cases/{id}"), &o.officer).await, StatusCode::OK).await;
    assert_eq!(page["applicant"]["email"], "zhang@example.com");
}

async fn post_ok(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    expect(app.post(path, token, &body).await, StatusCode::OK).await
}

fn report_cell(report: &Value, row: &str) -> i64 {
    let rows = report["section_three"]["rows"].as_array().unwrap();
    let row = rows.iter().find(|r| r["key"] == row).unwrap();
    row["values"].as_array().unwrap().last().unwrap().as_i64().unwrap()
}

#[tokio::test]
async fn a_voided_case_leaves_the_report_the_lists_and_the_dashboard_and_keeps_its_history() {
    let o = office().await;
    let supervisor = o.app.user("supervisor", Role::Supervisor, Some(o.agency)).await;
    let kept = register(&o.app, &o.clerk, &intake_body(o.agency, "2025-03-03")).await["id"].as_i64().unwrap();
    let mistake = register(&o.app, &o.clerk, &intake_body(o.agency, "2025-03-03")).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/reports/annual/2025?agency_id={}&live=true", o.agency);
    let before = expect(o.app.get(&path, &o.officer).await, StatusCode::OK).await;
    assert_eq!(report_cell(&before, "new_received"), 2);
    // The officer did not register it (the clerk did): a supervisor voids it.
    let refused =
        o.app.post(&format!("/api/v1/cases/{mistake}/void"), &o.officer, &json!({"reason": "重复登记"})).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let voided =
        post_ok(&o.app, &supervisor, &format!("/api/v1/cases/{mistake}/void"), json!({"reason": "重复登记"})).await;
    assert_eq!(voided["status"], "voided");
    assert_eq!(voided["overdue"], false);
    let after = expect(o.app.get(&path, &o.officer).await, StatusCode::OK).await;
    assert_eq!(report_cell(&after, "new_received"), 1, "the report leaves it out");
    assert_eq!(report_cell(&after, "carried_forward"), 1);
    let list = expect(o.app.get("/api/v1/cases?overdue=false", &o.officer).await, StatusCode::OK).await;
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [kept], "the lists leave it out");
    let asked = expect(o.app.get("/api/v1/cases?status=voided", &o.officer).await, StatusCode::OK).await;
    assert_eq!(asked["items"][0]["id"], mistake, "unless asked for");
    let board =
        expect(o.app.get(&format!("/api/v1/agencies/{}/dashboard", o.agency), &o.officer).await, StatusCode::OK).await;
    assert_eq!(board["overdue_count"], 1, "only the kept case is overdue");
    let events = expect(o.app.get(&format!("/api/v1/cases/{mistake}/events"), &o.officer).await, StatusCode::OK).await;
    assert_eq!(events.as_array().unwrap().last().unwrap()["kind"], "voided");
    let letters =
        expect(o.app.get(&format!("/api/v1/cases/{mistake}/letters"), &o.officer).await, StatusCode::OK).await;
    assert_eq!(letters.as_array().unwrap().len(), 1, "its acknowledgement is kept");
    // Nothing more can be done on it.
    let decision = json!({"decided_on": "2025-03-20", "outcome": "disclosed", "basis": "予以公开"});
    let refused = o.app.post(&format!("/api/v1/cases/{mistake}/decision"), &o.officer, &decision).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_corrected_receipt_date_moves_the_deadline_and_the_report() {
    let o = office().await;
    let supervisor = o.app.user("supervisor", Role::Supervisor, Some(o.agency)).await;
    let case = register(&o.app, &o.clerk, &intake_body(o.agency, "2024-12-30")).await;
    let id = case["id"].as_i64().unwrap();
    assert_eq!(case["due_on"], "2025-01-27");
    let body = json!({"reason": "收到日期录错", "received_on": "2025-01-02"});
    let corrected = post_ok(&o.app, &supervisor, &format!("/api/v1/cases/{id}/intake-correction"), body).await;
    assert_eq!(corrected["received_on"], "2025-01-02");
    assert_ne!(corrected["due_on"], case["due_on"], "the deadline is recomputed");
    let got = expect(o.app.get(&format!("/api/v1/cases/{id}"), &o.officer).await, StatusCode::OK).await;
    assert_eq!(got["due_on"], corrected["due_on"]);
    let report = |year: i32| format!("/api/v1/reports/annual/{year}?agency_id={}&live=true", o.agency);
    let y2024 = expect(o.app.get(&report(2024), &o.officer).await, StatusCode::OK).await;
    let y2025 = expect(o.app.get(&report(2025), &o.officer).await, StatusCode::OK).await;
    assert_eq!(report_cell(&y2024, "new_received"), 0, "no longer received in 2024");
    assert_eq!(report_cell(&y2025, "new_received"), 1);
    let nothing =
        o.app.post(&format!("/api/v1/cases/{id}/intake-correction"), &supervisor, &json!({"reason": "x"})).await;
    assert_eq!(nothing.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_revoked_step_stops_counting_and_its_sent_letter_is_rectified() {
    let o = office().await;
    let supervisor = o.app.user("supervisor", Role::Supervisor, Some(o.agency)).await;
    let id = register(&o.app, &o.clerk, &intake_body(o.agency, "2025-03-03")).await["id"].as_i64().unwrap();
    let notice = json!({"issued_on": "2025-03-04", "respond_by": "2025-03-20", "matters": "请补充文号"});
    let awaiting = post_ok(&o.app, &o.officer, &format!("/api/v1/cases/{id}/correction-request"), notice).await;
    assert_eq!(awaiting["status"], "awaiting_correction");
    let revoked =
        post_ok(&o.app, &supervisor, &format!("/api/v1/cases/{id}/steps/2/revoke"), json!({"reason": "误发补正告知"}))
            .await;
    assert_eq!(revoked["status"], "received", "the clock as if it had not happened");
    assert_eq!(revoked["due_on"], "2025-03-31");
    assert_eq!(revoked["correction"]["requested_on"], Value::Null);
    let letters = expect(o.app.get(&format!("/api/v1/cases/{id}/letters"), &o.officer).await, StatusCode::OK).await;
    let kinds: Vec<&str> = letters.as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["acknowledgement", "correction_notice", "rectification"]);
    let rectification = &letters[2];
    assert_eq!(rectification["refers_to"], letters[1]["id"]);
    let text = o.app.get(&format!("/api/v1/cases/{id}/letters/rectification?format=text"), &o.officer).await;
    let text = text.text().await.unwrap();
    assert!(text.contains(letters[1]["document_number"].as_str().unwrap()) && text.contains("误发补正告知"), "{text}");
    // A correction notice may be issued again; a step cannot be revoked twice, nor the receipt.
    let again = o.app.post(&format!("/api/v1/cases/{id}/steps/2/revoke"), &supervisor, &json!({"reason": "x"})).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let receipt = o.app.post(&format!("/api/v1/cases/{id}/steps/1/revoke"), &supervisor, &json!({"reason": "x"})).await;
    assert_eq!(receipt.status(), StatusCode::CONFLICT);
    let officer = o.app.post(&format!("/api/v1/cases/{id}/steps/2/revoke"), &o.officer, &json!({"reason": "x"})).await;
    assert_eq!(officer.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_reprinted_letter_equals_the_stored_one_after_an_amendment() {
    let o = office().await;
    let supervisor = o.app.user("supervisor", Role::Supervisor, Some(o.agency)).await;
    let id = register(&o.app, &o.clerk, &intake_body(o.agency, "2025-03-03")).await["id"].as_i64().unwrap();
    let decision = json!({"decided_on": "2025-03-20", "outcome": "disclosed", "basis": "予以提供"});
    post_ok(&o.app, &o.officer, &format!("/api/v1/cases/{id}/decision"), decision).await;
    let first = o.app.get(&format!("/api/v1/cases/{id}/letters/decision"), &o.officer).await;
    assert_eq!(first.headers()["x-letter-source"], "stored");
    let first = first.text().await.unwrap();
    let amendment = json!({"outcome": "unavailable_not_held", "reason": "结果录错"});
    post_ok(&o.app, &supervisor, &format!("/api/v1/cases/{id}/amendment"), amendment).await;
    let letters = expect(o.app.get(&format!("/api/v1/cases/{id}/letters"), &o.officer).await, StatusCode::OK).await;
    let decisions: Vec<&Value> = letters.as_array().unwrap().iter().filter(|l| l["kind"] == "decision").collect();
    assert_eq!(decisions.len(), 2, "the amendment issues a new letter");
    assert_eq!(decisions[1]["refers_to"], decisions[0]["id"]);
    let earlier = decisions[0]["document_number"].as_str().unwrap();
    // The earlier letter, byte for byte as issued, still cites what it cited.
    let url = format!("/api/v1/cases/{id}/letters/decision?number={}", earlier);
    let reprinted = o.app.get(&url, &o.officer).await.text().await.unwrap();
    assert_eq!(reprinted, first);
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(reprinted.as_bytes())), decisions[0]["sha256"].as_str().unwrap());
    let latest = o.app.get(&format!("/api/v1/cases/{id}/letters/decision"), &o.officer).await.text().await.unwrap();
    assert!(latest.contains(earlier) && latest.contains("原文书同时作废"), "the new letter refers to the earlier");
}

#[tokio::test]
async fn entering_an_old_case_does_not_email_the_applicant_unless_asked() {
    let app = crate::helpers::spawn_app_with(&[("GONGKAI__MAIL__BACKDATED_DAYS", "3")]).await;
    let agency = app.agency("OLD", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    let old = register(&app, &clerk, &intake_body(agency, "2025-03-03")).await["id"].as_i64().unwrap();
    let letters = expect(app.get(&format!("/api/v1/cases/{old}/letters"), &clerk).await, StatusCode::OK).await;
    assert_eq!(letters[0]["delivery"], "recorded", "kept and printable, not mailed");
    let outbox = expect(app.get(&format!("/api/v1/cases/{old}/outbox"), &clerk).await, StatusCode::OK).await;
    assert!(outbox.as_array().unwrap().is_empty());
    let mut asked = intake_body(agency, "2025-03-03");
    asked["notify"] = json!(true);
    let id = register(&app, &clerk, &asked).await["id"].as_i64().unwrap();
    let outbox = expect(app.get(&format!("/api/v1/cases/{id}/outbox"), &clerk).await, StatusCode::OK).await;
    assert_eq!(outbox.as_array().unwrap().len(), 1, "notify: true mails it");
    let today = gongkai::domain::china_date(chrono::Utc::now().naive_utc()).to_string();
    let fresh = register(&app, &clerk, &intake_body(agency, &today)).await["id"].as_i64().unwrap();
    let letters = expect(app.get(&format!("/api/v1/cases/{fresh}/letters"), &clerk).await, StatusCode::OK).await;
    assert_eq!(letters[0]["delivery"], "email");
}

#[tokio::test]
async fn an_unanswered_consultation_resumes_the_clock_and_a_served_letter_moves_its_reply_period() {
    let o = office().await;
    let id = register(&o.app, &o.clerk, &intake_body(o.agency, "2024-03-04")).await["id"].as_i64().unwrap();
    let body = json!({"party_kind": "third_party", "party": "某公司", "sent_on": "2024-03-06"});
    expect(o.app.post(&format!("/api/v1/cases/{id}/consultations"), &o.officer, &body).await, StatusCode::CREATED)
        .await;
    // Fifteen working days after 6 March the pause ended by itself: moved by exactly those days.
    let case = expect(o.app.get(&format!("/api/v1/cases/{id}"), &o.officer).await, StatusCode::OK).await;
    assert_eq!(case["status"], "received");
    assert_eq!(case["due_on"], "2024-04-23");
    let letters = expect(o.app.get(&format!("/api/v1/cases/{id}/letters"), &o.officer).await, StatusCode::OK).await;
    let letter = letters.as_array().unwrap().iter().find(|l| l["kind"] == "consultation_letter").unwrap().clone();
    assert_eq!(letter["delivery"], "print");
    let lid = letter["id"].as_i64().unwrap();
    let queue = expect(o.app.get("/api/v1/letters?status=print", &o.clerk).await, StatusCode::OK).await;
    assert!(queue["items"].as_array().unwrap().iter().any(|l| l["id"] == lid), "in the print queue");
    post_ok(
        &o.app,
        &o.clerk,
        &format!("/api/v1/letters/{lid}/posted"),
        json!({"posted_on": "2024-03-07", "tracking_number": "EMS1"}),
    )
    .await;
    let served =
        post_ok(&o.app, &o.clerk, &format!("/api/v1/letters/{lid}/served"), json!({"served_on": "2024-03-11"})).await;
    assert_eq!(served["status"], "served");
    let case = expect(o.app.get(&format!("/api/v1/cases/{id}"), &o.officer).await, StatusCode::OK).await;
    assert_eq!(case["consultations"][0]["reply_due"], "2024-04-01", "the case shows the period from service");
    let clock = expect(o.app.get(&format!("/api/v1/cases/{id}/clock"), &o.officer).await, StatusCode::OK).await;
    assert_eq!(clock["consultations"][0]["reply_due"], "2024-04-01", "counted from service");
    assert_eq!(clock["consultations"][0]["served_on"], "2024-03-11");
}
