//! Repeat requests (重复申请): `GET /api/v1/cases/{id}/similar` lists the same applicant's earlier
//! requests that read alike — same applicant by identity document, or by name and phone / e-mail
//! without one — only those the caller sees; the case page shows them and opens the decision as a
//! repeat; the decision letter names the earlier case. The precision and recall over a seeded
//! population are in `similar_population.rs`.

use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::console::PASSWORD;
use crate::helpers::{china_today, expect, expect_problem, spawn_app, Console, TestApp};

const ORIGINAL: &str = "申请公开南山区富力小区棚户区改造项目的补偿安置方案及补偿标准";
const REWORDED: &str = "您好，本人再次申请：富力小区棚户区改造项目补偿标准和补偿安置方案，请依法公开。2025年3月";
const OTHER_SUBJECT: &str = "申请公开区教育局2023年度部门预算及“三公”经费预算表";

/// An applicant as the intake takes it: with an identity number, or without one.
fn applicant(name: &str, id_number: Option<&str>, phone: Option<&str>, email: Option<&str>) -> Value {
    json!({"category": "natural_person", "name": name, "id_number": id_number, "phone": phone, "email": email})
}

async fn register(app: &TestApp, token: &str, agency: i64, on: &str, applicant: &Value, text: &str) -> i64 {
    let body =
        json!({"agency_id": agency, "channel": "post", "received_on": on, "applicant": applicant, "description": text});
    expect(app.post("/api/v1/cases", token, &body).await, StatusCode::CREATED).await["id"].as_i64().unwrap()
}

async fn similar(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let body = expect(app.get(&format!("/api/v1/cases/{id}/similar"), token).await, StatusCode::OK).await;
    body["items"].as_array().unwrap().clone()
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["case_id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn the_same_identity_documents_earlier_similar_request_is_listed_and_nothing_else() {
    let app = spawn_app().await;
    let a = app.agency("A", None).await;
    let officer = app.user("officer", Role::Officer, Some(a)).await;
    let zhang = applicant("张三", Some("11010519491231002X"), Some("13800000000"), None);
    // The same document with other contacts is still the same applicant.
    let zhang_moved = applicant("张三", Some("11010519491231002X"), Some("13911111111"), Some("z@example.com"));
    let other_number = gongkai::domain::identity::resident_id_with_check("11010519491231003").unwrap();
    let other = applicant("张三", Some(&other_number), Some("13800000000"), None);
    let first = register(&app, &officer, a, "2025-01-08", &zhang, ORIGINAL).await;
    let unrelated = register(&app, &officer, a, "2025-02-10", &zhang, OTHER_SUBJECT).await;
    let stranger = register(&app, &officer, a, "2025-02-11", &other, REWORDED).await;
    let again = register(&app, &officer, a, "2025-03-04", &zhang_moved, REWORDED).await;
    let later = register(&app, &officer, a, "2025-04-01", &zhang, ORIGINAL).await;

    let items = similar(&app, &officer, again).await;
    assert_eq!(ids(&items), [first], "{items:?}");
    let item = &items[0];
    let first_case = expect(app.get(&format!("/api/v1/cases/{first}"), &officer).await, StatusCode::OK).await;
    assert_eq!(item["case_number"], first_case["case_number"]);
    assert!(item["score"].as_f64().unwrap() >= 0.35 && item["score"].as_f64().unwrap() < 1.0, "{item}");
    assert_eq!((item["status"].as_str(), item["outcome"].as_str()), (Some("received"), None));
    assert_eq!(item["received_on"], "2025-01-08");
    assert_eq!(item["description"], ORIGINAL);
    assert_eq!(item["agency_id"], a);
    assert!(item["decision_letter_number"].is_null());
    assert!(!ids(&items).contains(&unrelated) && !ids(&items).contains(&stranger));

    // Earlier requests only: the first has none; the later one lists both, the identical text first.
    assert!(similar(&app, &officer, first).await.is_empty());
    let items = similar(&app, &officer, later).await;
    assert_eq!(ids(&items), [first, again]);
    assert!((items[0]["score"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    assert!(items[0]["score"].as_f64() > items[1]["score"].as_f64());

    // A voided request is not listed.
    let today = china_today().to_string();
    let mistake = register(&app, &officer, a, &today, &zhang, ORIGINAL).await;
    let supervisor = app.user("supervisor", Role::Supervisor, Some(a)).await;
    let voided = json!({"reason": "重复登记"});
    expect(app.post(&format!("/api/v1/cases/{mistake}/void"), &supervisor, &voided).await, StatusCode::OK).await;
    let newest = register(&app, &officer, a, &today, &zhang, ORIGINAL).await;
    // Equal scores: the newer first.
    assert_eq!(ids(&similar(&app, &officer, newest).await), [later, first, again]);
}

#[tokio::test]
async fn without_an_identity_document_the_same_name_and_phone_or_email_is_the_same_applicant() {
    let app = spawn_app().await;
    let a = app.agency("A", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(a)).await;
    let li = applicant("李四", None, Some("13700000001"), Some("li@example.com"));
    let by_phone =
        register(&app, &clerk, a, "2025-01-06", &applicant("李四", None, Some("13700000001"), None), ORIGINAL).await;
    let by_email =
        register(&app, &clerk, a, "2025-01-07", &applicant("李四", None, None, Some("li@example.com")), ORIGINAL).await;
    // Near misses: the same text from a namesake with other contacts, and from another name
    // with the same phone.
    let namesake =
        register(&app, &clerk, a, "2025-01-08", &applicant("李四", None, Some("13700000009"), None), ORIGINAL).await;
    let other_name =
        register(&app, &clerk, a, "2025-01-09", &applicant("王五", None, Some("13700000001"), None), ORIGINAL).await;
    // With an identity document, the same name and phone still match a request without one.
    let with_document = applicant("李四", Some("11010519491231002X"), Some("13700000001"), None);
    let documented = register(&app, &clerk, a, "2025-01-10", &with_document, ORIGINAL).await;
    let again = register(&app, &clerk, a, "2025-03-02", &li, REWORDED).await;

    let mut found = ids(&similar(&app, &clerk, again).await);
    found.sort_unstable();
    assert_eq!(found, [by_phone, by_email, documented]);
    assert!(!found.contains(&namesake) && !found.contains(&other_name));
    // …and a request under the document lists the earlier one without (same name and phone).
    assert_eq!(ids(&similar(&app, &clerk, documented).await), [by_phone]);
}

#[tokio::test]
async fn a_request_in_an_agency_the_caller_does_not_see_is_not_listed_and_an_invisible_case_is_404() {
    let app = spawn_app().await;
    let r = app.agency("R", None).await;
    let a = app.agency("A", Some(r)).await;
    let b = app.agency("B", None).await;
    let officer_a = app.user("officer", Role::Officer, Some(a)).await;
    let officer_r = app.user("officer R", Role::Officer, Some(r)).await;
    let zhang = applicant("张三", Some("11010519491231002X"), Some("13800000000"), None);
    let in_b = register(&app, &app.admin, b, "2025-01-08", &zhang, ORIGINAL).await;
    let in_r = register(&app, &app.admin, r, "2025-01-09", &zhang, ORIGINAL).await;
    let in_a = register(&app, &app.admin, a, "2025-01-10", &zhang, ORIGINAL).await;
    let again = register(&app, &app.admin, a, "2025-03-04", &zhang, REWORDED).await;

    assert_eq!(ids(&similar(&app, &officer_a, again).await), [in_a], "A's officer sees A's cases only");
    assert_eq!(ids(&similar(&app, &officer_r, again).await), [in_a, in_r], "R sees its subtree");
    assert_eq!(ids(&similar(&app, &app.admin, again).await), [in_a, in_r, in_b]);
    expect_problem(
        app.get(&format!("/api/v1/cases/{in_b}/similar"), &officer_a).await,
        StatusCode::NOT_FOUND,
        "case_not_found",
    )
    .await;
}

/// Decide `id` as `body` says.
async fn decide(app: &TestApp, token: &str, id: i64, body: Value) -> Value {
    expect(app.post(&format!("/api/v1/cases/{id}/decision"), token, &body).await, StatusCode::OK).await
}

#[tokio::test]
async fn a_repeat_by_name_and_contact_is_decided_as_repeated_and_the_letter_names_the_earlier_case() {
    let app = spawn_app().await;
    let a = app.agency("A", None).await;
    let officer = app.user("officer", Role::Officer, Some(a)).await;
    let li = applicant("李四", None, Some("13700000001"), None);
    let first = register(&app, &officer, a, "2025-01-06", &li, ORIGINAL).await;
    let first_case = decide(
        &app,
        &officer,
        first,
        json!({"decided_on": "2025-01-20", "outcome": "disclosed", "basis": "随本答复书提供。"}),
    )
    .await;
    let again = register(&app, &officer, a, "2025-03-03", &li, REWORDED).await;
    let items = similar(&app, &officer, again).await;
    assert_eq!(ids(&items), [first]);
    assert_eq!(
        (items[0]["outcome"].as_str(), items[0]["concluded_on"].as_str()),
        (Some("disclosed"), Some("2025-01-20"))
    );
    let number = items[0]["decision_letter_number"].as_str().expect("the earlier decision letter").to_owned();

    let body = json!({"decided_on": "2025-03-10", "outcome": "not_processed_repeated", "repeats_case_id": first});
    decide(&app, &officer, again, body).await;
    let response = app.get(&format!("/api/v1/cases/{again}/letters/decision?format=text"), &officer).await;
    assert_eq!(response.status(), StatusCode::OK);
    let letter = response.text().await.unwrap();
    let case_number = first_case["case_number"].as_str().unwrap();
    assert!(letter.contains(case_number) && letter.contains(&number), "{letter}");
    assert!(letter.contains("2025年1月20日"), "{letter}");

    // A request of another applicant with the same text is refused as the earlier case.
    let stranger = register(&app, &officer, a, "2025-03-04", &applicant("王五", None, Some("1"), None), ORIGINAL).await;
    let body = json!({"decided_on": "2025-03-10", "outcome": "not_processed_repeated", "repeats_case_id": first});
    let response = app.post(&format!("/api/v1/cases/{stranger}/decision"), &officer, &body).await;
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "earlier_case_invalid").await;
}

/// The section 该申请人此前的相似申请 of a page, numbers and dates redacted.
fn similar_section(body: &str) -> String {
    let start = body.find("<section id=\"similar\"").expect("the similar section");
    let end = start + body[start..].find("</section>").unwrap() + "</section>".len();
    let ids = regex::Regex::new(r"/cases/\d+").unwrap();
    let repeats = regex::Regex::new(r"repeats=\d+").unwrap();
    let numbers = regex::Regex::new(r"A-\d{4}-\d{5}").unwrap();
    let section = ids.replace_all(&body[start..end], "/cases/[id]");
    let section = repeats.replace_all(&section, "repeats=[id]");
    numbers.replace_all(&section, "[case number]").into_owned()
}

#[tokio::test]
async fn the_case_page_lists_similar_requests_and_opens_the_decision_as_a_repeat() {
    let app = spawn_app().await;
    let a = app.agency("A", None).await;
    let officer = app.console_user("办理人", "officer", PASSWORD, Role::Officer, Some(a)).await;
    let zhang = applicant("张三", Some("11010519491231002X"), Some("13800000000"), None);
    let first = register(&app, &officer, a, "2025-01-08", &zhang, ORIGINAL).await;
    decide(
        &app,
        &officer,
        first,
        json!({"decided_on": "2025-01-20", "outcome": "disclosed", "basis": "随本答复书提供。"}),
    )
    .await;
    let open =
        register(&app, &officer, a, "2025-02-10", &zhang, "请提供南山区富力小区棚改项目的补偿安置方案、补偿标准文件")
            .await;
    let today = china_today().to_string();
    let again = register(&app, &officer, a, &today, &zhang, REWORDED).await;

    let mut console = Console::sign_in(&app.address, "officer", PASSWORD).await;
    let page = console.get(&format!("/cases/{again}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let section = similar_section(&page.body);
    insta::assert_snapshot!("console_case_similar", section);
    // Only the answered request can be repeated.
    assert_eq!(page.body.matches(&format!("/cases/{again}?repeats={first}#step-decision")).count(), 1);
    assert!(!page.body.contains(&format!("repeats={open}")));

    // The link opens the decision form with the outcome and the earlier case chosen.
    let page = console.get(&format!("/cases/{again}?repeats={first}")).await;
    let form_start = page.body.find("id=\"step-decision\"").unwrap();
    let form = &page.body[form_start..];
    let form = &form[..form.find("</details>").unwrap()];
    assert!(form.starts_with("id=\"step-decision\" open"), "the decision form is open");
    assert!(form.contains("value=\"not_processed_repeated\" selected"), "{form}");
    assert!(form.contains(&format!("value=\"{first}\" selected")), "{form}");

    // The intake desk's 登记完成 page shows them at once.
    let page = console.get(&format!("/intake/registered/{again}")).await;
    assert!(page.body.contains("该申请人此前提出过2件内容相似的申请"), "{}", page.body);
    assert!(page.body.contains("<section id=\"similar\""));
    assert!(!page.body.contains("repeats="), "no decision from the intake desk");
}
