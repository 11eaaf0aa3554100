//! The annual report's section two in the console: the form laid out as the printed blocks,
//! stored by the same use case as `PUT /api/v1/reports/annual/{year}/section-two`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::console::{world, PASSWORD};
use crate::helpers::{expect, Console};

const YEAR: i32 = 2025;

async fn stored(w: &crate::console::World) -> Value {
    let path = format!("/api/v1/reports/annual/{YEAR}/section-two?agency_id={}", w.a);
    expect(w.app.get(&path, &w.app.admin).await, StatusCode::OK).await
}

fn form_path(agency: i64) -> String {
    format!("/reports/section-two?agency_id={agency}&year={YEAR}")
}

#[tokio::test]
async fn an_officer_enters_section_two_in_the_blocks_of_its_template_and_the_report_says_so() {
    let w = world().await;
    let mut officer = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    let report = officer.get(&format!("/reports?agency_id={}&year={YEAR}", w.a)).await;
    assert!(report.body.contains("未填报") && report.body.contains("填报第二部分"), "{}", report.body);
    let form = officer.get(&form_path(w.a)).await;
    assert_eq!(form.status, StatusCode::OK);
    for label in ["第二十条第（一）项", "本年制发件数", "行政规范性文件", "本年收费金额（单位：万元）"]
    {
        assert!(form.body.contains(label), "{label}");
    }
    assert!(form.body.contains(r#"<label for="f-rules-issued" class="sr">规章 本年制发件数</label>"#));
    let a = w.a.to_string();
    let fields = [
        ("agency_id", a.as_str()),
        ("year", "2025"),
        ("template", "2021"),
        ("rules.issued", "3"),
        ("rules.repealed", "1"),
        ("rules.in_force", "12"),
        ("normative_documents.issued", "7"),
        ("licensing.decisions", "1520"),
        ("fees.amount_fen", "12.5"),
    ];
    let saved = officer.post("/reports/section-two", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let figures = &stored(&w).await["figures"];
    assert_eq!(figures["template"], "2021");
    assert_eq!(figures["rules"], json!({"issued": 3, "repealed": 1, "in_force": 12}));
    assert_eq!(figures["licensing"]["decisions"], 1520);
    assert_eq!(figures["penalties"]["decisions"], 0, "an empty box is 0");
    assert_eq!(figures["fees"]["amount_fen"], 12_500_000, "12.5 万元");
    // The form shows the stored figures again, the amount in 万元.
    let form = officer.get(&form_path(w.a)).await;
    assert!(form.body.contains(r#"name="fees.amount_fen" value="12.5""#), "{}", form.body);
    let report = officer.get(&format!("/reports?agency_id={}&year={YEAR}", w.a)).await;
    assert!(report.body.contains("修改第二部分"));
}

#[tokio::test]
async fn a_refused_section_two_keeps_what_was_typed_and_names_the_field() {
    let w = world().await;
    let mut officer = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    officer.get(&form_path(w.a)).await;
    let a = w.a.to_string();
    let base = [("agency_id", a.as_str()), ("year", "2025"), ("template", "2021")];
    let bad_count = [base[0], base[1], base[2], ("rules.issued", "三"), ("rules.in_force", "12")];
    let page = officer.post("/reports/section-two", &bad_count).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(r#"name="rules.issued" value="三""#), "typed value kept");
    assert!(page.body.contains(r#"name="rules.in_force" value="12""#));
    assert!(page.body.contains("未能保存"));
    let bad_amount = [base[0], base[1], base[2], ("fees.amount_fen", "1,5")];
    let page = officer.post("/reports/section-two", &bad_amount).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("不是有效的金额（万元，最多六位小数）"));
    let negative = [base[0], base[1], base[2], ("licensing.decisions", "-4")];
    let page = officer.post("/reports/section-two", &negative).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    let path = format!("/api/v1/reports/annual/{YEAR}/section-two?agency_id={}", w.a);
    assert_eq!(w.app.get(&path, &w.app.admin).await.status(), StatusCode::NOT_FOUND, "nothing stored");
}

#[tokio::test]
async fn section_two_keeps_roles_visibility_and_the_seal() {
    let w = world().await;
    let a = w.a.to_string();
    let fields = [("agency_id", a.as_str()), ("year", "2025"), ("template", "2021"), ("rules.issued", "2")];
    // An auditor sees the figures and cannot change them.
    let mut auditor = Console::sign_in(&w.app.address, "auditor", PASSWORD).await;
    let form = auditor.get(&form_path(w.a)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("disabled") && !form.body.contains("保存第二部分"));
    assert_eq!(auditor.post("/reports/section-two", &fields).await.status, StatusCode::FORBIDDEN);
    // Another agency's figures are not there.
    let mut officer = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    officer.get(&form_path(w.a)).await;
    assert_eq!(officer.get(&form_path(w.b)).await.status, StatusCode::NOT_FOUND);
    let b = w.b.to_string();
    let other = [("agency_id", b.as_str()), ("year", "2025"), ("template", "2021"), ("rules.issued", "2")];
    assert_eq!(officer.post("/reports/section-two", &other).await.status, StatusCode::NOT_FOUND);
    // Once the year is sealed, a change needs a supervisor's reason.
    let seal = format!("/api/v1/reports/annual/{YEAR}/seal?agency_id={}", w.a);
    expect(w.app.post(&seal, &w.tokens["supervisor"], &json!({})).await, StatusCode::CREATED).await;
    let mut supervisor = Console::sign_in(&w.app.address, "supervisor", PASSWORD).await;
    supervisor.get(&form_path(w.a)).await;
    let refused = supervisor.post("/reports/section-two", &fields).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains(r#"id="f-amendment_reason-error""#), "the message is at the reason");
    let with_reason = [fields[0], fields[1], fields[2], fields[3], ("amendment_reason", "补录漏报的规章")];
    assert_eq!(supervisor.post("/reports/section-two", &with_reason).await.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&w).await["figures"]["rules"]["issued"], 2);
}

#[tokio::test]
async fn a_cell_of_more_than_a_page_is_read_to_its_end_through_the_next_links_newest_first() {
    let w = world().await;
    // 54 more cases of agency A received over three days of last year (with the world's own
    // case of today, outside that year): 51 would fill a page and start the next.
    let year = chrono::Utc::now().format("%Y").to_string().parse::<i32>().unwrap() - 1;
    let mut received: Vec<(String, i64)> = Vec::new();
    for n in 0..54 {
        let day = format!("{year}-06-{:02}", 10 + n % 3);
        let mut body = crate::helpers::intake_body(w.a, &day);
        body["applicant"]["email"] = Value::Null;
        let case = expect(w.app.post("/api/v1/cases", &w.app.admin, &body).await, StatusCode::CREATED).await;
        received.push((day, case["id"].as_i64().unwrap()));
    }
    received.sort_by(|a, b| b.cmp(a));
    let numbers: Vec<i64> = received.iter().map(|(_, id)| *id).collect();
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    let mut path = format!("/reports/cell?agency_id={}&year={year}&row=new_received&column=total", w.a);
    let mut seen: Vec<i64> = Vec::new();
    let link = regex::Regex::new(r#"href="/cases/(\d+)""#).unwrap();
    let next = regex::Regex::new(r#"href="([^"]*cursor=[^"]*)">下一页"#).unwrap();
    for _ in 0..3 {
        let page = clerk.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        seen.extend(link.captures_iter(&page.body).map(|c| c[1].parse::<i64>().unwrap()));
        match next.captures(&page.body) {
            Some(c) => path = c[1].replace("&#x2f;", "/").replace("&amp;", "&"),
            None => break,
        }
    }
    assert_eq!(seen, numbers, "every case once, the latest receipt first, then the higher id");
    let bad =
        clerk.get(&format!("/reports/cell?agency_id={}&year={year}&row=new_received&column=total&cursor=x", w.a)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("翻页位置无效"));
}
