//! The case page's 承办与督办 section (issue 21): an officer takes a case, a supervisor reassigns
//! it only with a reason (the refusal shown on the page), routes it, the department signs for it,
//! and the supervisor chases it and closes the chase; a clerk is offered none of it. The lists'
//! "my cases" filters and the dashboard's open chases.

use gongkai::domain::Role;
use reqwest::StatusCode;

use crate::helpers::{china_today, Console, TestApp};

const PASSWORD: &str = "correct horse battery staple";

struct Desk {
    app: TestApp,
    dept: i64,
    case: i64,
}

async fn desk() -> Desk {
    let app = crate::helpers::spawn_app().await;
    let office = app.agency("BGS", None).await;
    let dept = app.agency("CZJ", Some(office)).await;
    app.console_user("主任", "boss", PASSWORD, Role::Supervisor, Some(office)).await;
    app.console_user("王承办", "wang", PASSWORD, Role::Officer, Some(office)).await;
    app.console_user("李承办", "li", PASSWORD, Role::Officer, Some(office)).await;
    app.console_user("登记员", "clerk", PASSWORD, Role::Clerk, Some(office)).await;
    app.console_user("财政局承办", "cz", PASSWORD, Role::Officer, Some(dept)).await;
    let clerk = app.user("接待", Role::Clerk, Some(office)).await;
    let case = app.intake(&clerk, office, &china_today().to_string()).await["id"].as_i64().unwrap();
    Desk { app, dept, case }
}

/// The value of the first `<option>` whose text starts with `text`.
fn option(body: &str, text: &str) -> String {
    let re = regex::Regex::new(&format!(r#"<option value="(\d+)"[^>]*>{}"#, regex::escape(text))).unwrap();
    re.captures(body).unwrap_or_else(|| panic!("no option {text}: {body}"))[1].to_string()
}

#[tokio::test]
async fn the_case_page_takes_assigns_routes_signs_and_chases_a_case() {
    let d = desk().await;
    let page_path = format!("/cases/{}", d.case);
    let mut clerk = Console::sign_in(&d.app.address, "clerk", PASSWORD).await;
    let page = clerk.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("承办与督办") && page.body.contains("尚未分派"), "{}", page.body);
    assert!(!page.body.contains("由我承办") && !page.body.contains("督办本案"), "a clerk is offered nothing");

    let mut wang = Console::sign_in(&d.app.address, "wang", PASSWORD).await;
    let page = wang.get(&page_path).await;
    assert!(page.body.contains("由我承办") && !page.body.contains("督办本案"), "{}", page.body);
    let taken = wang.post(&format!("/cases/{}/assignment", d.case), &[("handler_id", "me")]).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    let page = wang.get(&page_path).await;
    assert!(page.body.contains("王承办") && page.body.contains("（本人）"), "{}", page.body);
    assert!(!page.body.contains("由我承办"));

    let mut boss = Console::sign_in(&d.app.address, "boss", PASSWORD).await;
    let page = boss.get(&page_path).await;
    assert!(page.body.contains("改派承办人") && page.body.contains("督办本案"), "{}", page.body);
    let li = option(&page.body, "李承办");
    let refused = boss.post(&format!("/cases/{}/assignment", d.case), &[("handler_id", li.as_str())]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("未能办理") && refused.body.contains("改派须说明理由"), "{}", refused.body);
    let moved = boss
        .post(&format!("/cases/{}/assignment", d.case), &[("handler_id", li.as_str()), ("reason", "王承办休假")])
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let page = boss.get(&page_path).await;
    assert!(page.body.contains("李承办") && page.body.contains("王承办休假"), "the reason is in the timeline");

    // Routed to the department, which signs for it on its own page.
    let dept = d.dept.to_string();
    let routed =
        boss.post(&format!("/cases/{}/routing", d.case), &[("unit_id", dept.as_str()), ("note", "请提供")]).await;
    assert_eq!(routed.status, StatusCode::SEE_OTHER, "{}", routed.body);
    let mut cz = Console::sign_in(&d.app.address, "cz", PASSWORD).await;
    let page = cz.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("待其签收或退回") && page.body.contains(">签收<"), "{}", page.body);
    let empty = cz.post(&format!("/cases/{}/routing/return", d.case), &[("reason", " ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("退回须说明理由"), "{}", empty.body);
    let signed = cz.post(&format!("/cases/{}/routing/accept", d.case), &[]).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let page = cz.get(&page_path).await;
    assert!(page.body.contains("由我承办"), "the department's officer may take it now");
    assert!(page.body.contains("转办至：CZJ 机关") && page.body.contains("签收单位：CZJ 机关"), "{}", page.body);
    assert!(page.body.contains("承办人：李承办") && page.body.contains("原承办：BGS 机关，王承办"), "{}", page.body);

    // The supervisor chases it and closes the chase with a note.
    let due = (china_today() + chrono::Duration::days(5)).to_string();
    let chased =
        boss.post(&format!("/cases/{}/chases", d.case), &[("matter", "请本周内答复"), ("due_on", due.as_str())]).await;
    assert_eq!(chased.status, StatusCode::SEE_OTHER, "{}", chased.body);
    let page = boss.get(&page_path).await;
    assert!(page.body.contains("请本周内答复") && page.body.contains("进行中"), "{}", page.body);
    let re = regex::Regex::new(r#"action="/cases/\d+/chases/(\d+)/close""#).unwrap();
    let chase = re.captures(&page.body).unwrap()[1].to_string();
    let closed = boss.post(&format!("/cases/{}/chases/{chase}/close", d.case), &[("note", "已答复")]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let page = boss.get(&page_path).await;
    assert!(page.body.contains("结束：已答复"), "{}", page.body);
}

#[tokio::test]
async fn the_list_filters_my_cases_and_the_dashboard_shows_open_chases_and_badly_late_cases() {
    let d = desk().await;
    let mut wang = Console::sign_in(&d.app.address, "wang", PASSWORD).await;
    let page = wang.get(&format!("/cases/{}", d.case)).await;
    assert_eq!(page.status, StatusCode::OK);
    wang.post(&format!("/cases/{}/assignment", d.case), &[("handler_id", "me")]).await;
    let admin_token = d.app.admin.clone();
    let office = d.app.get("/api/v1/agencies?limit=10", &admin_token).await.json::<serde_json::Value>().await.unwrap();
    let office_id =
        office["items"].as_array().unwrap().iter().find(|a| a["code"] == "BGS").unwrap()["id"].as_i64().unwrap();
    let old = d.app.intake(&admin_token, office_id, "2019-02-01").await;
    let old_number = old["case_number"].as_str().unwrap().to_string();

    let mine = wang.get("/cases?handling=me").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("王承办"), "{}", mine.body);
    assert!(!mine.body.contains(&old_number), "not his: {}", mine.body);
    let unassigned = wang.get("/cases?handling=unassigned").await;
    assert!(unassigned.body.contains(&old_number) && unassigned.body.contains("未分派"), "{}", unassigned.body);
    let bad = wang.get("/cases?handling=everything").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut boss = Console::sign_in(&d.app.address, "boss", PASSWORD).await;
    boss.get(&format!("/cases/{}", old["id"])).await;
    let due = (china_today() + chrono::Duration::days(3)).to_string();
    let chased =
        boss.post(&format!("/cases/{}/chases", old["id"]), &[("matter", "请立即答复"), ("due_on", due.as_str())]).await;
    assert_eq!(chased.status, StatusCode::SEE_OTHER, "{}", chased.body);
    let dashboard = boss.get(&format!("/dashboard?agency_id={office_id}&late_days=5")).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    let late = dashboard.body.split(r#"id="late""#).nth(1).unwrap().to_string();
    assert!(late.contains(&old_number), "the case of 2019 is badly late: {late}");
    let this_one = wang.get(&format!("/cases/{}", d.case)).await;
    let number =
        regex::Regex::new(r#"class="case-number">([^<]+)<"#).unwrap().captures(&this_one.body).unwrap()[1].to_string();
    assert!(!late.split("<h2").next().unwrap().contains(&number), "a case received today is not late");
    let chases =
        dashboard.body.split(r#"id="chases""#).nth(1).unwrap().split(r#"id="late""#).next().unwrap().to_string();
    assert!(chases.contains("请立即答复") && chases.contains(&old_number) && chases.contains("未分派"), "{chases}");
}
