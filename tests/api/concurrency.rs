use std::collections::HashSet;

use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{intake_body, spawn_app};

#[tokio::test]
async fn fifty_parallel_intakes_get_fifty_distinct_case_numbers() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    let requests = (0..50).map(|_| {
        let request =
            app.client.post(app.url("/api/v1/cases")).bearer_auth(&clerk).json(&intake_body(agency, "2019-03-05"));
        tokio::spawn(async move { request.send().await.unwrap().json::<serde_json::Value>().await.unwrap() })
    });
    let mut numbers = HashSet::new();
    for handle in requests.collect::<Vec<_>>() {
        let case = handle.await.unwrap();
        numbers.insert(case["case_number"].as_str().unwrap_or_else(|| panic!("intake failed: {case}")).to_string());
    }
    assert_eq!(numbers.len(), 50);
    let expected: HashSet<String> = (1..=50).map(|n| format!("NS-2019-{n:05}")).collect();
    assert_eq!(numbers, expected, "numbers are dense, without gaps");
}

#[tokio::test]
async fn twenty_parallel_decisions_on_one_case_give_exactly_one_success() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let case = app.intake(&officer, agency, "2019-03-05").await;
    let path = app.url(&format!("/api/v1/cases/{}/decision", case["id"]));
    let outcomes = ["disclosed", "unavailable_not_held", "unavailable_needs_creation", "withheld_state_secret"];
    let requests = (0..20).map(|i| {
        let body = json!({"decided_on": "2019-03-20", "outcome": outcomes[i % outcomes.len()], "basis": "答复的理由"});
        let request = app.client.post(&path).bearer_auth(&officer).json(&body);
        tokio::spawn(async move { request.send().await.unwrap().status() })
    });
    let mut statuses = Vec::new();
    for handle in requests.collect::<Vec<_>>() {
        statuses.push(handle.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT), "{statuses:?}");
    let events = app.get(&format!("/api/v1/cases/{}/events", case["id"]), &officer).await;
    let events: serde_json::Value = events.json().await.unwrap();
    assert_eq!(events.as_array().unwrap().len(), 2, "one decision event only");
}
