//! Text search (`q`): served by trigram indexes (SQLite FTS5, PostgreSQL pg_trgm), the same
//! answers on both databases, and a bounded cost.

use std::collections::BTreeSet;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect, expect_problem, spawn_app, TestApp};

/// Every case id the list gives for `query`, following the cursor with pages of `limit`.
async fn search_all(app: &TestApp, query: &str, limit: usize) -> BTreeSet<i64> {
    let mut ids = BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/cases?{query}&limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = expect(app.get(&path, &app.admin).await, StatusCode::OK).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        ids.extend(items.iter().map(|c| c["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return ids,
        }
    }
}

fn encode(q: &str) -> String {
    q.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn text_search_gives_the_same_cases_on_both_databases_for_chinese_and_ascii_queries() {
    // Every search asks the index (on a few cases, the first look along the list would answer
    // them all); the answers must be the same as the walk's.
    gongkai::service::search::set_probe(0);
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let other = app.agency("BJ", None).await;
    // (agency, applicant name, description): what a person would search in.
    let rows = [
        (agency, "张三", "2018年南山区棚户区改造补偿标准文件"),
        (agency, "李四", "棚户区改造项目的环境影响评价"),
        (agency, "王五", "财政预算执行情况"),
        (other, "张三丰", "政府采购合同 Contract No. ABC-17"),
        (other, "Zhang Wei", "会议纪要 abc"),
        (agency, "Émile Zola", "Budget 100% report_2019"),
        (agency, "émile", "引号\"测试\"与反斜杠\\"),
    ];
    let mut cases = Vec::new();
    for (agency_id, name, description) in rows {
        let body = json!({
            "agency_id": agency_id, "channel": "post", "received_on": "2019-03-05",
            "applicant": {"category": "natural_person", "name": name}, "description": description
        });
        let case = expect(app.post("/api/v1/cases", &app.admin, &body).await, StatusCode::CREATED).await;
        cases.push((
            case["id"].as_i64().unwrap(),
            case["case_number"].as_str().unwrap().to_string(),
            name,
            description,
        ));
    }
    // What `q` means: the description, case number or applicant's name contains it, ignoring the
    // case of ASCII letters only.
    let expected = |q: &str| -> BTreeSet<i64> {
        let q = q.to_ascii_lowercase();
        cases
            .iter()
            .filter(|(_, number, name, description)| {
                [number.as_str(), name, description].iter().any(|text| text.to_ascii_lowercase().contains(&q))
            })
            .map(|(id, ..)| *id)
            .collect()
    };
    for q in [
        "棚户区",
        "棚户区改造",
        "张三",
        "张",
        "预算执行",
        "abc",
        "ABC",
        "aBc-17",
        "ns-2019",
        "NS-2019-0000",
        "BJ-",
        "100%",
        "_2019",
        "report_",
        "%",
        "\"测试\"",
        "\\",
        "émile",
        "Émile",
        "ÉMILE",
        "zhang wei",
        "不存在的检索词",
        "x",
    ] {
        let want = expected(q);
        let got = search_all(&app, &format!("q={}", encode(q)), 2).await;
        assert_eq!(got, want, "q = {q:?}");
    }
    // The check exists: a few of the queries above do match.
    assert_eq!(expected("棚户区").len(), 2);
    assert_eq!(expected("abc").len(), 2);
    assert_eq!(expected("émile").len(), 1, "É and é are different letters to the search");
    // With the list's other filters.
    let got = search_all(&app, &format!("q={}&agency_id={other}", encode("张三")), 50).await;
    assert_eq!(got.len(), 1);
    // And through the first look along the list, the same answers.
    gongkai::service::search::set_probe(gongkai::service::search::PROBE);
    for q in ["棚户区", "abc", "ns-2019", "émile", "100%"] {
        assert_eq!(search_all(&app, &format!("q={}", encode(q)), 2).await, expected(q), "q = {q:?}");
    }
}

#[tokio::test]
async fn the_search_index_follows_every_write_in_its_transaction() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let body = |name: &str, description: &str| {
        json!({
            "agency_id": agency, "channel": "post", "received_on": "2019-03-05",
            "applicant": {"category": "natural_person", "name": name, "id_number": "11010519491231002X"},
            "description": description
        })
    };
    let first =
        expect(app.post("/api/v1/cases", &app.admin, &body("赵钱孙", "城市更新专项规划")).await, StatusCode::CREATED)
            .await;
    assert_eq!(
        search_all(&app, &format!("q={}", encode("城市更新")), 50).await,
        BTreeSet::from([first["id"].as_i64().unwrap()])
    );
    // The same applicant (same identity number) applies again under another spelling of the name:
    // each case keeps the name as given on its application, and the search reads that.
    let second =
        expect(app.post("/api/v1/cases", &app.admin, &body("赵钱孙李", "另一份文件")).await, StatusCode::CREATED).await;
    let (first, second) = (first["id"].as_i64().unwrap(), second["id"].as_i64().unwrap());
    assert_eq!(search_all(&app, &format!("q={}", encode("赵钱孙李")), 50).await, BTreeSet::from([second]));
    assert_eq!(search_all(&app, &format!("q={}", encode("赵钱孙")), 50).await, BTreeSet::from([first, second]));
}

#[tokio::test]
async fn a_short_search_over_more_cases_than_its_window_is_refused_instead_of_scanning_them_all() {
    let app = spawn_app().await;
    let seeded = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["--database-url", app.test_db.url(), "seed", "--agencies", "3", "--cases", "20100"])
        .args(["--from-year", "2019", "--to-year", "2020", "--seed", "3"])
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    // A character no case has: walked, the window (20,000 cases) ends before a page is found.
    let response = app.get(&format!("/api/v1/cases?q={}", encode("龘")), &app.admin).await;
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "search_too_broad").await;
    assert_eq!(problem["errors"][0]["field"], "q");
    // Three characters go through the index: an empty answer, at once.
    let page =
        expect(app.get(&format!("/api/v1/cases?q={}", encode("龘龘龘")), &app.admin).await, StatusCode::OK).await;
    assert_eq!(page["items"], json!([]));
    // A common short word fills its page within the window.
    let page: Value =
        expect(app.get(&format!("/api/v1/cases?q={}&limit=20", encode("公开")), &app.admin).await, StatusCode::OK)
            .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 20);
    assert!(page["next_cursor"].is_string());
}
