//! One rule, one answer: "overdue" as the list filter, the list summary, the case page, the
//! clock and the dashboard say it, over a seeded population.

use std::collections::BTreeSet;

use chrono::{Datelike, Utc};
use gongkai::domain::calendar::Calendar;
use gongkai::domain::china_date;
use gongkai::domain::clock::ClockRules;
use gongkai::seed::{self, SeedOptions};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{expect, spawn_app, TestApp};

/// Every page of a list, following `next_cursor`.
async fn all_pages(app: &TestApp, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&limit=200&cursor={c}"),
            None => format!("{path}&limit=200"),
        };
        let page = expect(app.get(&url, &app.admin).await, StatusCode::OK).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

fn ids(cases: &[Value]) -> BTreeSet<i64> {
    cases.iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn every_case_listed_as_overdue_says_so_on_its_page_and_no_other_case_does() {
    let app = spawn_app().await;
    let now = Utc::now().naive_utc();
    let today = china_date(now);
    let db = app.db.clone();
    let report = tokio::task::spawn_blocking(move || {
        let options = SeedOptions {
            agencies: 3,
            cases: 1200,
            from_year: today.year() - 1,
            to_year: today.year(),
            seed: 7,
            focus_cases: 0,
            focus_year: None,
            batch: 400,
        };
        seed::run(&db, &Calendar::shipped().unwrap(), ClockRules::default(), &options, today, now).unwrap()
    })
    .await
    .unwrap();
    let root = report.agency_ids[0];
    // Besides the seeded ones: requests received two months ago and still open — one untouched,
    // one consulted only after its due date had passed (paused, yet overdue), one awaiting a
    // correction (no due date: not overdue).
    let long_ago = (today - chrono::Days::new(60)).to_string();
    let mut late = Vec::new();
    for _ in 0..3 {
        late.push(app.intake(&app.admin, root, &long_ago).await["id"].as_i64().unwrap());
    }
    let consulted = serde_json::json!({"party_kind": "third_party", "party": "某公司", "sent_on": today});
    expect(
        app.post(&format!("/api/v1/cases/{}/consultations", late[1]), &app.admin, &consulted).await,
        StatusCode::CREATED,
    )
    .await;
    let notice = (today - chrono::Days::new(58)).to_string();
    let correction =
        serde_json::json!({"issued_on": notice, "respond_by": today + chrono::Days::new(30), "matters": "补充"});
    expect(
        app.post(&format!("/api/v1/cases/{}/correction-request", late[2]), &app.admin, &correction).await,
        StatusCode::OK,
    )
    .await;

    let overdue = all_pages(&app, "/api/v1/cases?overdue=true").await;
    let open = all_pages(&app, "/api/v1/cases?overdue=false").await;
    let overdue_ids = ids(&overdue);
    assert!(overdue_ids.contains(&late[0]) && overdue_ids.contains(&late[1]), "{overdue_ids:?}");
    assert!(!overdue_ids.contains(&late[2]), "a case awaiting a correction has no due date");
    assert!(open.len() > overdue.len(), "and open cases that are not overdue");
    // The list filter and the list summary agree.
    assert!(overdue.iter().all(|c| c["overdue"] == true), "every case the filter lists says overdue");
    let said_overdue: Vec<Value> = open.iter().filter(|c| c["overdue"] == true).cloned().collect();
    assert_eq!(ids(&said_overdue), ids(&overdue), "no open case outside the filter says overdue");
    // The case page (the live clock) and the clock explanation agree, both ways.
    for case in &open {
        let id = case["id"].as_i64().unwrap();
        let page = expect(app.get(&format!("/api/v1/cases/{id}"), &app.admin).await, StatusCode::OK).await;
        assert_eq!(page["overdue"], case["overdue"], "case {id}: page and list disagree");
        assert_eq!(page["due_on"], case["due_on"], "case {id}: the stored due date is the live one");
        let clock = expect(app.get(&format!("/api/v1/cases/{id}/clock"), &app.admin).await, StatusCode::OK).await;
        assert_eq!(clock["overdue"], case["overdue"], "case {id}: clock and list disagree");
    }
    // The dashboard counts the same cases.
    let board = expect(
        app.get(&format!("/api/v1/agencies/{root}/dashboard?include_descendants=true&limit=200"), &app.admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(board["overdue_count"].as_u64().unwrap(), u64::try_from(overdue.len()).unwrap());
    let listed: Vec<Value> = board["overdue"].as_array().unwrap().clone();
    assert!(ids(&listed).is_subset(&ids(&overdue)));
}
