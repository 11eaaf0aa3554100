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
