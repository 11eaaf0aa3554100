//! The ledger (台账) in the console: the export download and the import form (a file upload),
//! the same stream and the same check and import as the API.

use reqwest::StatusCode;

use crate::console::{world, PASSWORD};
use crate::helpers::{expect, Console};

fn example_ledger() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ledger-example.xlsx")).unwrap()
}

async fn count(w: &crate::console::World, agency: i64) -> usize {
    let path = format!("/api/v1/cases?agency_id={agency}&limit=200");
    expect(w.app.get(&path, &w.app.admin).await, StatusCode::OK).await["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_clerk_checks_then_imports_a_ledger_and_exports_it_again() {
    let w = world().await;
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    let page = clerk.get("/ledger").await;
    assert_eq!(page.status, StatusCode::OK);
    for label in ["导出台账", "导入台账", "台账文件", "只检查，不写入"] {
        assert!(page.body.contains(label), "{label}");
    }
    let a = w.a.to_string();
    let before = count(&w, w.a).await;
    // First a dry run: the counts, nothing written.
    let checked = clerk
        .post_file("/ledger/import", &[("agency_id", &a), ("mode", "dry_run")], ("台账2025.xlsx", example_ledger()))
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(
        checked.body.contains("检查结果（未写入）") && checked.body.contains("每一行都可以导入"),
        "{}",
        checked.body
    );
    assert_eq!(count(&w, w.a).await, before);
    // Then the import.
    let imported = clerk
        .post_file("/ledger/import", &[("agency_id", &a), ("mode", "import")], ("台账2025.xlsx", example_ledger()))
        .await;
    assert_eq!(imported.status, StatusCode::OK);
    assert!(imported.body.contains("导入完成"), "{}", imported.body);
    let after = count(&w, w.a).await;
    assert!(after > before, "cases were created");
    // The same file again creates nothing.
    let again = clerk
        .post_file("/ledger/import", &[("agency_id", &a), ("mode", "import")], ("台账2025.xlsx", example_ledger()))
        .await;
    assert!(again.body.contains("已在系统中"));
    assert_eq!(count(&w, w.a).await, after);
    // The export is the API's stream: a workbook with the ledger's header.
    let export = clerk
        .client
        .get(format!("{}/cases/export?agency_id={a}&format=csv", w.app.address))
        .header("cookie", format!("gongkai_session={}", clerk.cookie.clone().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    assert!(export.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let text = export.text().await.unwrap();
    assert!(
        text.trim_start_matches('\u{feff}').starts_with("申请编号,收到申请日期"),
        "{}",
        &text[..80.min(text.len())]
    );
}

#[tokio::test]
async fn a_bad_ledger_is_named_and_nothing_is_written() {
    let w = world().await;
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    clerk.get("/ledger").await;
    let a = w.a.to_string();
    let before = count(&w, w.a).await;
    // Not a workbook.
    let page = clerk
        .post_file(
            "/ledger/import",
            &[("agency_id", &a), ("mode", "import")],
            ("x.xlsx", b"PK\x03\x04 not a zip".to_vec()),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert!(page.body.contains(r#"role="alert""#));
    // A row with a bad identity number: listed with its row and column; nothing written.
    let csv = "申请编号,收到申请日期,申请方式,申请人类型,申请人姓名或名称,证件号码,申请内容\n\
               X-1,2025-03-05,当面,自然人,张三,110105194912310021,某文件\n\
               X-2,2025-03-06,当面,自然人,李四,11010519491231002X,另一文件";
    let page = clerk
        .post_file("/ledger/import", &[("agency_id", &a), ("mode", "import")], ("l.csv", csv.as_bytes().to_vec()))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert!(page.body.contains("一行也没有写入") && page.body.contains("证件号码"), "{}", page.body);
    assert_eq!(count(&w, w.a).await, before);
    // With skip_invalid the good row is written.
    let page = clerk
        .post_file("/ledger/import", &[("agency_id", &a), ("mode", "skip_invalid")], ("l.csv", csv.as_bytes().to_vec()))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(count(&w, w.a).await, before + 1);
    // No file chosen.
    let page = clerk.post("/ledger/import", &[("agency_id", &a)]).await;
    assert!(page.status.is_client_error());
}

#[tokio::test]
async fn the_ledger_keeps_roles_visibility_and_csrf() {
    let w = world().await;
    let b = w.b.to_string();
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    clerk.get("/ledger").await;
    // Another agency's ledger is not there, for export or import.
    let export = clerk.get(&format!("/cases/export?agency_id={b}&format=csv")).await;
    assert_eq!(export.status, StatusCode::NOT_FOUND);
    let import =
        clerk.post_file("/ledger/import", &[("agency_id", &b), ("mode", "import")], ("l.xlsx", example_ledger())).await;
    assert_eq!(import.status, StatusCode::NOT_FOUND, "{}", import.body);
    assert_eq!(count(&w, w.b).await, 1);
    // An auditor sees no import form and is refused one.
    let mut auditor = Console::sign_in(&w.app.address, "auditor", PASSWORD).await;
    let page = auditor.get("/ledger").await;
    assert!(!page.body.contains("导入台账"));
    let a = w.a.to_string();
    let refused = auditor
        .post_file("/ledger/import", &[("agency_id", &a), ("mode", "import")], ("l.xlsx", example_ledger()))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Without the session's token nothing is read.
    clerk.csrf = Some("forged".into());
    let forged =
        clerk.post_file("/ledger/import", &[("agency_id", &a), ("mode", "import")], ("l.xlsx", example_ledger())).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&w, w.a).await, 1);
}
