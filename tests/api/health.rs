use reqwest::StatusCode;

use crate::helpers::{expect, expect_problem, spawn_app};

#[tokio::test]
async fn probes_documentation_and_openapi_are_public() {
    let app = spawn_app().await;
    let healthz = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(expect(healthz, StatusCode::OK).await["status"], "ok");
    let readyz = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(expect(readyz, StatusCode::OK).await["status"], "ok");
    let doc = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    let doc = expect(doc, StatusCode::OK).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/cases"]["post"].is_object());
    let ui = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger"), "the UI is served from the binary");
    let config = app.client.get(app.url("/docs/swagger-initializer.js")).send().await.unwrap();
    assert!(config.text().await.unwrap().contains("/api/v1/openapi.json"));
}

#[tokio::test]
async fn an_unknown_route_is_a_problem_404() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/api/v1/nothing-here")).send().await.unwrap();
    expect_problem(response, StatusCode::NOT_FOUND, "route_not_found").await;
    // Outside the API a person gets the console's page.
    let response = app.client.get(app.url("/nothing-here")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(response.text().await.unwrap().contains("未找到"));
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = gongkai::cli::openapi_json().unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap_or_default();
    assert!(
        generated == committed,
        "openapi/openapi.json is out of date: run `cargo run -- openapi` and commit the result"
    );
}

/// Every type a document may be served with is documented for the download (a client, and the
/// fuzzer's content-type check, read the document).
#[test]
fn every_media_type_a_download_can_have_is_documented() {
    use gongkai::domain::documents::FileType;
    let document: serde_json::Value = serde_json::from_str(&gongkai::cli::openapi_json().unwrap()).unwrap();
    let content = &document["paths"]["/api/v1/documents/{id}"]["get"]["responses"]["200"]["content"];
    let documented: Vec<&str> = content.as_object().unwrap().keys().map(String::as_str).collect();
    let csv = [FileType::Text { encoding: gongkai::domain::documents::TextEncoding::Utf8, csv: true }];
    for file_type in FileType::ALL.iter().chain(&csv) {
        let essence = file_type.media_type().split(';').next().unwrap().trim();
        assert!(documented.contains(&essence), "{essence} is served but not documented: {documented:?}");
    }
}
