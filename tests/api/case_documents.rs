//! Case documents (案件材料): upload, list, download, withdraw, their refusals, the audit of
//! downloads, the case's history, and the content-addressed store on disk.

use std::time::Duration;

use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{china_today, expect, expect_problem, spawn_app_with, TestApp};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
const PE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0";

struct Site {
    app: TestApp,
    /// The documents' store of this app alone.
    files: tempfile::TempDir,
    agency: i64,
    clerk: String,
    officer: String,
    auditor: String,
    case: i64,
}

async fn site_with(extra: &[(&str, &str)]) -> Site {
    let files = tempfile::tempdir().unwrap();
    let dir = files.path().to_string_lossy().into_owned();
    let mut settings = vec![("GONGKAI__FILES__DIR", dir.as_str())];
    settings.extend_from_slice(extra);
    let app = spawn_app_with(&settings).await;
    let agency = app.agency("DOC", None).await;
    let clerk = app.user("登记员", Role::Clerk, Some(agency)).await;
    let officer = app.user("承办人", Role::Officer, Some(agency)).await;
    let auditor = app.user("审计员", Role::Auditor, Some(agency)).await;
    let case = app.intake(&clerk, agency, &china_today().to_string()).await["id"].as_i64().unwrap();
    Site { app, files, agency, clerk, officer, auditor, case }
}

async fn site() -> Site {
    site_with(&[]).await
}

impl Site {
    async fn upload(&self, token: &str, case: i64, kind: &str, filename: &str, bytes: &[u8]) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url(&format!("/api/v1/cases/{case}/documents")))
            .query(&[("kind", kind), ("filename", filename)])
            .bearer_auth(token)
            .header("content-type", "application/octet-stream")
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap()
    }

    /// Every blob file in the store.
    fn blobs(&self) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        for dir in std::fs::read_dir(self.files.path()).unwrap() {
            for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
                found.push(file.unwrap().path());
            }
        }
        found
    }
}

fn kinds(events: &Value) -> Vec<String> {
    events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn an_uploaded_document_is_listed_downloaded_as_it_was_and_in_the_case_history() {
    let site = site().await;
    let response = site.upload(&site.clerk, site.case, "application", "2026年申请表（扫描件）.pdf", PDF).await;
    let document = expect(response, StatusCode::CREATED).await;
    assert_eq!(document["kind"], "application");
    assert_eq!(document["filename"], "2026年申请表（扫描件）.pdf");
    assert_eq!(document["media_type"], "application/pdf");
    assert_eq!(document["size"], PDF.len());
    assert_eq!(document["sha256"], gongkai::domain::documents::sha256_hex(PDF));
    assert_eq!(document["withdrawn"], false);
    let id = document["id"].as_i64().unwrap();

    let list =
        expect(site.app.get(&format!("/api/v1/cases/{}/documents", site.case), &site.auditor).await, StatusCode::OK)
            .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], id);

    let response = site.app.get(&format!("/api/v1/documents/{id}"), &site.auditor).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers().get(name).unwrap().to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let disposition = header("content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''2026%E5%B9%B4%E7%94%B3%E8%AF%B7%E8%A1%A8%EF%BC%88%E6%89%AB%E6%8F%8F%E4%BB%B6%EF%BC%89.pdf"),
        "{disposition}"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);

    let events =
        expect(site.app.get(&format!("/api/v1/cases/{}/events", site.case), &site.clerk).await, StatusCode::OK).await;
    assert_eq!(kinds(&events), ["received", "document_added"]);
    let added = &events[1];
    assert_eq!(added["seq"], document["event_seq"]);
    assert_eq!(added["payload"]["document_id"], id, "{added}");
}

#[tokio::test]
async fn the_same_file_twice_is_two_documents_and_one_file_on_disk() {
    let site = site().await;
    let first =
        expect(site.upload(&site.clerk, site.case, "identity_proof", "身份证.png", PNG).await, StatusCode::CREATED)
            .await;
    let second = expect(site.upload(&site.officer, site.case, "other", "照片", PNG).await, StatusCode::CREATED).await;
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["sha256"], second["sha256"]);
    assert_eq!(second["media_type"], "image/png", "a name without extension takes the sniffed type");
    let blobs = site.blobs();
    assert_eq!(blobs.len(), 1, "{blobs:?}");
    let sha = first["sha256"].as_str().unwrap();
    assert!(blobs[0].ends_with(format!("{}/{sha}", &sha[..2])));
    assert_eq!(std::fs::read(&blobs[0]).unwrap(), PNG);
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_with_413_and_nothing_is_stored() {
    let site = site_with(&[("GONGKAI__FILES__MAX_BYTES", "1000")]).await;
    let mut big = PDF.to_vec();
    big.resize(1001, b' ');
    let response = site.upload(&site.clerk, site.case, "application", "大文件.pdf", &big).await;
    expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "document_too_large").await;
    // Sent in chunks without a length: refused once the limit is passed.
    let raw =
        chunked_upload(&site, &format!("/api/v1/cases/{}/documents?kind=other&filename=a.txt", site.case), 20).await;
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    assert!(raw.contains("document_too_large"), "{raw}");
    expect(site.upload(&site.clerk, site.case, "application", "小文件.pdf", &big[..1000]).await, StatusCode::CREATED)
        .await;
    assert_eq!(site.blobs().len(), 1);
}

#[tokio::test]
async fn disguised_not_allowed_and_empty_files_are_refused() {
    let site = site().await;
    let case = site.case;
    let problem = expect_problem(
        site.upload(&site.clerk, case, "application", "申请表.pdf", PNG).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "document_type_mismatch",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("PNG"), "{problem}");
    expect_problem(
        site.upload(&site.clerk, case, "other", "发票.pdf", PE).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "document_type_mismatch",
    )
    .await;
    expect_problem(
        site.upload(&site.clerk, case, "other", "setup.exe", PE).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "document_type_not_allowed",
    )
    .await;
    expect_problem(
        site.upload(&site.clerk, case, "other", "setup", PE).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "document_type_not_allowed",
    )
    .await;
    expect_problem(
        site.upload(&site.clerk, case, "other", "空.pdf", b"").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "empty_document",
    )
    .await;
    expect_problem(
        site.upload(&site.clerk, case, "other", "../x.pdf", PDF).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_filename",
    )
    .await;
    let response = site.upload(&site.clerk, case, "scan", "x.pdf", PDF).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(site.blobs().is_empty(), "nothing refused is stored");
    let list =
        expect(site.app.get(&format!("/api/v1/cases/{case}/documents"), &site.clerk).await, StatusCode::OK).await;
    assert_eq!(list, json!({"items": []}));
}

#[tokio::test]
async fn another_agency_sees_no_document_and_an_auditor_uploads_none() {
    let site = site().await;
    let document =
        expect(site.upload(&site.clerk, site.case, "application", "a.pdf", PDF).await, StatusCode::CREATED).await;
    let id = document["id"].as_i64().unwrap();
    let other = site.app.agency("OTH", None).await;
    let stranger = site.app.user("外单位", Role::Officer, Some(other)).await;
    expect_problem(
        site.app.get(&format!("/api/v1/documents/{id}"), &stranger).await,
        StatusCode::NOT_FOUND,
        "document_not_found",
    )
    .await;
    expect_problem(
        site.app.get(&format!("/api/v1/cases/{}/documents", site.case), &stranger).await,
        StatusCode::NOT_FOUND,
        "case_not_found",
    )
    .await;
    expect_problem(
        site.upload(&stranger, site.case, "other", "b.pdf", PDF).await,
        StatusCode::NOT_FOUND,
        "case_not_found",
    )
    .await;
    let response = site.app.post(&format!("/api/v1/documents/{id}/withdraw"), &stranger, &json!({"reason": "x"})).await;
    expect_problem(response, StatusCode::NOT_FOUND, "document_not_found").await;
    expect_problem(
        site.upload(&site.auditor, site.case, "other", "b.pdf", PDF).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_problem(
        site.app.get("/api/v1/documents/999999", &site.clerk).await,
        StatusCode::NOT_FOUND,
        "document_not_found",
    )
    .await;
    // The supervisor of the parent agency sees it.
    let _ = site.agency;
}

#[tokio::test]
async fn a_withdrawal_needs_a_reason_and_a_handler_and_keeps_the_document() {
    let site = site().await;
    let document =
        expect(site.upload(&site.clerk, site.case, "correspondence", "函.pdf", PDF).await, StatusCode::CREATED).await;
    let path = format!("/api/v1/documents/{}/withdraw", document["id"]);
    expect_problem(
        site.app.post(&path, &site.officer, &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    expect_problem(
        site.app.post(&path, &site.officer, &json!({"reason": "  "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    expect_problem(
        site.app.post(&path, &site.clerk, &json!({"reason": "传错了"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let withdrawn =
        expect(site.app.post(&path, &site.officer, &json!({"reason": "传错了案件"})).await, StatusCode::OK).await;
    assert_eq!(withdrawn["withdrawn"], true);
    assert_eq!(withdrawn["withdraw_reason"], "传错了案件");
    expect_problem(
        site.app.post(&path, &site.officer, &json!({"reason": "再撤一次"})).await,
        StatusCode::CONFLICT,
        "document_already_withdrawn",
    )
    .await;

    let list =
        expect(site.app.get(&format!("/api/v1/cases/{}/documents", site.case), &site.clerk).await, StatusCode::OK)
            .await;
    assert_eq!(list["items"][0]["withdrawn"], true);
    assert_eq!(list["items"][0]["withdraw_reason"], "传错了案件");
    let events =
        expect(site.app.get(&format!("/api/v1/cases/{}/events", site.case), &site.clerk).await, StatusCode::OK).await;
    assert_eq!(kinds(&events), ["received", "document_added", "document_withdrawn"]);
    // Never deleted: still downloadable.
    let response = site.app.get(&format!("/api/v1/documents/{}", document["id"]), &site.clerk).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(site.blobs().len(), 1);
}

#[tokio::test]
async fn a_download_is_in_the_audit_trail_with_who_and_which_document() {
    let site = site().await;
    let document =
        expect(site.upload(&site.clerk, site.case, "application", "a.pdf", PDF).await, StatusCode::CREATED).await;
    let id = document["id"].as_i64().unwrap();
    let path = format!("/api/v1/documents/{id}");
    assert_eq!(site.app.get(&path, &site.officer).await.status(), StatusCode::OK);
    let me = expect(site.app.get("/api/v1/users/me", &site.officer).await, StatusCode::OK).await;
    let mut found = None;
    for _ in 0..100 {
        let page =
            expect(site.app.get(&format!("/api/v1/audit?case_id={}", site.case), &site.auditor).await, StatusCode::OK)
                .await;
        found = page["items"].as_array().unwrap().iter().find(|e| e["action"] == "download_document").cloned();
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let entry = found.expect("the download is audited");
    assert_eq!(entry["path"], path);
    assert_eq!(entry["user_id"], me["id"]);
    assert_eq!(entry["case_id"], site.case);
    assert_eq!(entry["method"], "GET");
    // A withdrawal is a change of the case, though its path names only the document.
    let withdraw = format!("{path}/withdraw");
    expect(site.app.post(&withdraw, &site.officer, &json!({"reason": "传错了"})).await, StatusCode::OK).await;
    let mut found = false;
    for _ in 0..100 {
        let page =
            expect(site.app.get(&format!("/api/v1/audit?case_id={}", site.case), &site.auditor).await, StatusCode::OK)
                .await;
        found =
            page["items"].as_array().unwrap().iter().any(|e| e["path"] == withdraw.as_str() && e["action"] == "change");
        if found {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(found, "the withdrawal is audited with its case");
}

#[tokio::test]
async fn a_voided_case_takes_no_new_documents() {
    let site = site().await;
    let supervisor = site.app.user("负责人", Role::Supervisor, Some(site.agency)).await;
    let response =
        site.app.post(&format!("/api/v1/cases/{}/void", site.case), &supervisor, &json!({"reason": "重复登记"})).await;
    expect(response, StatusCode::OK).await;
    expect_problem(
        site.upload(&site.clerk, site.case, "other", "a.pdf", PDF).await,
        StatusCode::CONFLICT,
        "case_voided",
    )
    .await;
}

/// POST `chunks` chunks of 100 bytes with `Transfer-Encoding: chunked` (no length known in
/// advance) over a raw connection; the response as text.
async fn chunked_upload(site: &Site, path: &str, chunks: usize) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let address = site.app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        site.clerk
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..chunks {
        // The server may answer and close before everything is sent.
        if stream.write_all(format!("64\r\n{}\r\n", "a".repeat(100)).as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    String::from_utf8_lossy(&response).into_owned()
}

/// `gongkai` with the database and the documents' store given.
fn gongkai(database: &str, files: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["--database-url", database])
        .args(args)
        .env("GONGKAI__FILES__DIR", files)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_backup_takes_the_files_along_copies_only_new_ones_and_restores_them() {
    let site = site().await;
    if site.app.test_db.is_postgres() {
        return; // PostgreSQL: pg_dump, then the files directory (README, "Documents").
    }
    expect(site.upload(&site.clerk, site.case, "application", "a.pdf", PDF).await, StatusCode::CREATED).await;
    expect(site.upload(&site.clerk, site.case, "other", "a-again.pdf", PDF).await, StatusCode::CREATED).await;
    let backups = tempfile::tempdir().unwrap();
    let first = backups.path().join("first.sqlite3");
    let database = site.app.test_db.url().to_owned();
    let output = gongkai(&database, site.files.path(), &["backup", "--output", first.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains(": 1 (") && stdout.contains("1 copied now"), "{stdout}");

    expect(site.upload(&site.clerk, site.case, "identity_proof", "b.png", PNG).await, StatusCode::CREATED).await;
    let second = backups.path().join("second.sqlite3");
    let output = gongkai(&database, site.files.path(), &["backup", "--output", second.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains(": 2 (") && stdout.contains("1 copied now"), "only the new file is copied: {stdout}");
    let store = gongkai::storage::blobs::BlobStore::new(backups.path().join("files"));
    let sha = gongkai::domain::documents::sha256_hex(PNG);
    assert!(store.contains(&sha));

    // Restored on a new machine: the database and the files.
    let (restored, restored_files) = (crate::helpers::TestDb::new(), tempfile::tempdir().unwrap());
    let output = gongkai(restored.url(), restored_files.path(), &["restore", "--input", second.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("2 documents' files"));
    let live = gongkai::storage::blobs::BlobStore::new(restored_files.path());
    assert_eq!(live.read(&sha).unwrap(), PNG);
    assert_eq!(live.read(&gongkai::domain::documents::sha256_hex(PDF)).unwrap(), PDF);

    // A damaged file in the backup is found, and the restore changes nothing.
    std::fs::write(store.path_of(&sha).unwrap(), b"damaged").unwrap();
    let (other, other_files) = (crate::helpers::TestDb::new(), tempfile::tempdir().unwrap());
    let output = gongkai(other.url(), other_files.path(), &["restore", "--input", second.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains(&sha), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!std::path::Path::new(other.url()).exists(), "no database restored");
}

/// The documents section of a case page, with what changes from run to run replaced.
fn section_of(body: &str) -> String {
    let start = body.find(r#"<section id="documents">"#).expect("the section is on the page");
    let end = start + body[start..].find("</section>").unwrap() + "</section>".len();
    let rules = [
        (r#"name="_csrf" value="[^"]*""#, r#"name="_csrf" value="[csrf]""#),
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]"),
        (r"/cases/\d+/documents/\d+", "/cases/[case]/documents/[id]"),
        (r"/cases/\d+/documents", "/cases/[case]/documents"),
        (r#"withdraw-\d+"#, "withdraw-[id]"),
    ];
    let mut text = body[start..end].to_string();
    for (pattern, replacement) in rules {
        text = regex::Regex::new(pattern).unwrap().replace_all(&text, replacement).into_owned();
    }
    text
}

#[tokio::test]
async fn the_case_page_lists_uploads_downloads_and_withdraws_documents_without_javascript() {
    use crate::helpers::Console;
    let site = site().await;
    let password = "安全的密码 2026";
    site.app.console_user("窗口登记员", "desk", password, Role::Clerk, Some(site.agency)).await;
    site.app.console_user("办案人", "handler", password, Role::Officer, Some(site.agency)).await;
    let case_page = format!("/cases/{}", site.case);

    let mut desk = Console::sign_in(&site.app.address, "desk", password).await;
    let page = desk.get(&case_page).await;
    assert!(page.body.contains("没有材料。"), "{}", page.body);
    assert!(page.body.contains(r#"enctype="multipart/form-data""#));
    let uploads = format!("{case_page}/documents");
    let sent = desk.post_file(&uploads, &[("kind", "application")], ("2026年申请表.pdf", PDF.to_vec())).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location.as_deref(), Some(format!("{case_page}?document=uploaded#documents").as_str()));
    let disguised = desk.post_file(&uploads, &[("kind", "other")], ("照片.pdf", PNG.to_vec())).await;
    assert_eq!(disguised.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(section_of(&disguised.body).contains("与文件内容（PNG 图片）不符"), "{}", section_of(&disguised.body));
    let page = desk.get(&format!("{case_page}?document=uploaded")).await;
    assert!(page.body.contains("材料已上传。"));
    assert!(!page.body.contains("撤回理由"), "a clerk is offered no withdrawal");

    let list =
        expect(site.app.get(&format!("/api/v1/cases/{}/documents", site.case), &site.clerk).await, StatusCode::OK)
            .await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let download = desk.get(&format!("{case_page}/documents/{id}")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), PDF);
    // Under another case's path: not found.
    let other = site.app.intake(&site.clerk, site.agency, &china_today().to_string()).await["id"].as_i64().unwrap();
    assert_eq!(desk.get(&format!("/cases/{other}/documents/{id}")).await.status, StatusCode::NOT_FOUND);

    let mut handler = Console::sign_in(&site.app.address, "handler", password).await;
    handler.get(&case_page).await;
    let withdraw = format!("{case_page}/documents/{id}/withdraw");
    let refused = handler.post(&withdraw, &[("reason", " ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("撤回材料须填写理由"));
    let done = handler.post(&withdraw, &[("reason", "扫描不清，已重新上传")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = handler.get(&case_page).await;
    let section = section_of(&page.body);
    assert!(section.contains("已撤回（") && section.contains("扫描不清，已重新上传"), "{section}");
    let sent = handler.post_file(&uploads, &[("kind", "identity_proof")], ("身份证.png", PNG.to_vec())).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = handler.get(&case_page).await;

    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| insta::assert_snapshot!("console_case_documents", section_of(&page.body)));

    // The console's download is in the audit trail, with the case.
    let mut entry = None;
    for _ in 0..100 {
        let page =
            expect(site.app.get(&format!("/api/v1/audit?case_id={}", site.case), &site.auditor).await, StatusCode::OK)
                .await;
        entry = page["items"].as_array().unwrap().iter().find(|e| e["action"] == "download_document").cloned();
        if entry.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(entry.expect("audited")["path"], format!("{case_page}/documents/{id}"));
}
