//! The case ledger (台账): export and import over HTTP, on SQLite and PostgreSQL.

use chrono::{Datelike, Utc};
use gongkai::domain::calendar::Calendar;
use gongkai::domain::china_date;
use gongkai::domain::clock::ClockRules;
use gongkai::domain::Role;
use gongkai::seed::{self, SeedOptions};
use reqwest::StatusCode;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

use crate::helpers::{expect, expect_problem, spawn_app, spawn_app_with, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const HEADER: [&str; 18] = [
    "申请编号",
    "收到申请日期",
    "申请方式",
    "申请人类型",
    "申请人姓名或名称",
    "证件号码",
    "联系方式",
    "申请内容",
    "办理状态",
    "答复期限",
    "答复日期",
    "办理结果",
    "依据",
    "是否补正",
    "是否征求意见",
    "是否延期",
    "收费金额",
    "复议诉讼情况",
];

async fn import(
    app: &TestApp,
    token: &str,
    agency: i64,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/imports?agency_id={agency}{query}")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn export(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    app.get(&format!("/api/v1/cases/export?{query}"), token).await
}

async fn count_cases(app: &TestApp, agency: i64) -> usize {
    let body =
        expect(app.get(&format!("/api/v1/cases?agency_id={agency}&limit=200"), &app.admin).await, StatusCode::OK).await;
    body["items"].as_array().unwrap().len()
}

/// A CSV ledger: the header line, then the rows.
fn csv(lines: &[&str]) -> Vec<u8> {
    lines.join("\n").into_bytes()
}

fn example_ledger() -> Vec<u8> {
    // A copy of ../shared/data/ledger-example.xlsx, kept in the repository so that a clean clone tests it.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ledger-example.xlsx");
    std::fs::read(path).unwrap_or_else(|e| panic!("the shared example ledger {path}: {e}"))
}

#[tokio::test]
async fn the_shared_example_ledger_imports_with_no_mapping() {
    let app = spawn_app().await;
    let agency = app.agency("BGS", None).await;
    let body = expect(
        import(&app, &app.admin, agency, "&file_name=example.xlsx", XLSX, example_ledger()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (body["rows"].as_u64(), body["created"].as_u64(), body["invalid"].as_u64()),
        (Some(40), Some(40), Some(0)),
        "{body}"
    );
    assert_eq!(count_cases(&app, agency).await, 40);
    // The report of 2025 counts the 37 concluded ones under their outcomes.
    let report =
        expect(app.get(&format!("/api/v1/reports/annual/2025?agency_id={agency}"), &app.admin).await, StatusCode::OK)
            .await;
    let row = |key: &str| {
        report["section_three"]["rows"].as_array().unwrap().iter().find(|r| r["key"] == key).unwrap()["values"][6]
            .as_i64()
            .unwrap()
    };
    assert_eq!(row("new_received"), 40);
    assert_eq!(row("concluded_total"), 37);
    assert_eq!(row("carried_forward"), 3);
    assert_eq!(row("withheld_state_secret"), 4);
    assert_eq!(row("other_misc"), 3, "其他处理 is counted as 其他");
    assert!(report["checks"].as_array().unwrap().iter().all(|c| c["passed"] == true), "{report}");
    // The same person's requests link up by identity document.
    let list =
        expect(app.get(&format!("/api/v1/cases?agency_id={agency}&q=李秀英"), &app.admin).await, StatusCode::OK).await;
    let ids: std::collections::BTreeSet<i64> =
        list["items"].as_array().unwrap().iter().map(|c| c["applicant"]["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 1, "{list}");
    // Each case names the import and its row; withdrawals noted in the remarks are withdrawals.
    let first = list["items"].as_array().unwrap().last().unwrap()["id"].as_i64().unwrap();
    let events = expect(app.get(&format!("/api/v1/cases/{first}/events"), &app.admin).await, StatusCode::OK).await;
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(&kinds[..2], ["received", "imported"], "{events}");
}

/// A hand-kept ledger: a merged title row, variant headers, dates in the four notations, outcome
/// labels with and without their group prefixes.
fn hand_kept_ledger() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("yyyy/m/d");
    let sheet = workbook.add_worksheet();
    sheet.merge_range(0, 0, 0, 8, "某局2019年依申请公开登记台账", &Format::new()).unwrap();
    let header =
        ["流水号", "受理日期", "提交方式", "申请人", "申请人类别", "身份证号", "所需信息", "回复时间", "处理结果"];
    for (c, text) in (0u16..).zip(header) {
        sheet.write_string(1, c, text).unwrap();
    }
    let rows: [(&str, &str, &str, &str, &str); 4] = [
        ("A-1", "现场", "张三", "自然人", "不予公开：属于国家秘密"),
        ("A-2", "网络", "某某有限公司", "商业企业", "本机关不掌握相关政府信息"),
        ("A-3", "信函", "某律师事务所", "法律服务机构", "（五）2.重复申请"),
        ("A-4", "电子邮件", "李四", "自然人", "部分公开"),
    ];
    for (r, (number, channel, name, category, outcome)) in (2u32..).zip(rows) {
        for (c, text) in (0u16..).zip([number, "", channel, name, category, "", "2018年预算", "", outcome]) {
            if !text.is_empty() {
                sheet.write_string(r, c, text).unwrap();
            }
        }
    }
    // Receipt dates: an Excel date, a serial number, `2019/3/5`, `2019年3月5日`.
    sheet.write_datetime_with_format(2, 1, ExcelDateTime::from_ymd(2019, 3, 5).unwrap(), &date).unwrap();
    sheet.write_number(3, 1, 43529.0).unwrap();
    sheet.write_string(4, 1, "2019/3/5").unwrap();
    sheet.write_string(5, 1, "2019年3月5日").unwrap();
    sheet.write_string(2, 5, "11010519491231002X").unwrap();
    for r in 2..6 {
        sheet.write_string(r, 7, "2019-03-20").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[tokio::test]
async fn variant_headers_four_date_notations_and_prefixed_labels_import_correctly() {
    let app = spawn_app().await;
    let agency = app.agency("HJ", None).await;
    let body = expect(import(&app, &app.admin, agency, "", XLSX, hand_kept_ledger()).await, StatusCode::CREATED).await;
    assert_eq!(body["created"], 4, "{body}");
    let list = expect(app.get(&format!("/api/v1/cases?agency_id={agency}"), &app.admin).await, StatusCode::OK).await;
    let mut cases: Vec<&Value> = list["items"].as_array().unwrap().iter().collect();
    cases.sort_by_key(|c| c["case_number"].as_str().unwrap().to_owned());
    let seen: Vec<(&str, &str, &str, &str)> = cases
        .iter()
        .map(|c| {
            (
                c["received_on"].as_str().unwrap(),
                c["channel"].as_str().unwrap(),
                c["outcome"].as_str().unwrap(),
                c["concluded_on"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("2019-03-05", "in_person", "withheld_state_secret", "2019-03-20"),
            ("2019-03-05", "online", "unavailable_not_held", "2019-03-20"),
            ("2019-03-05", "letter", "not_processed_repeated", "2019-03-20"),
            ("2019-03-05", "email", "partially_disclosed", "2019-03-20"),
        ]
    );
    assert_eq!(cases[1]["applicant"]["category"], "commercial_enterprise");
}

fn with_rows(rows: &[&str]) -> Vec<u8> {
    let mut lines =
        vec!["申请编号,收到申请日期,申请方式,申请人类型,申请人姓名或名称,证件号码,申请内容,答复日期,办理结果"];
    lines.extend_from_slice(rows);
    csv(&lines)
}

const GOOD: &str = "B-1,2019-03-05,当面,自然人,张三,11010519491231002X,预算,2019-03-20,予以公开";

#[tokio::test]
async fn every_bad_file_gives_a_clear_4xx_naming_the_problem_and_writes_nothing() {
    let app = spawn_app_with(&[("GONGKAI__LEDGER__MAX_IMPORT_BYTES", "20000")]).await;
    let agency = app.agency("BAD", None).await;
    let problem = |r, status, code| async move { expect_problem(r, status, code).await };
    problem(
        import(&app, &app.admin, agency, "", XLSX, b"not a workbook".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_a_workbook",
    )
    .await;
    let empty = Workbook::new().save_to_buffer().unwrap();
    let body = problem(
        import(&app, &app.admin, agency, "", XLSX, empty).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "empty_sheet",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("空"), "{body}");
    let missing = csv(&["申请编号,收到申请日期,申请方式,申请人姓名或名称,申请内容", "B-1,2019-03-05,当面,张三,预算"]);
    let body = problem(
        import(&app, &app.admin, agency, "", "text/csv", missing).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "missing_column",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("申请人类型"), "{body}");
    // A formula, cells merged inside the data.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, text) in (0u16..).zip(HEADER) {
        sheet.write_string(0, c, text).unwrap();
    }
    for (c, text) in (0u16..).zip(["B-1", "2019-03-05", "当面", "自然人", "张三", "", "", "预算"]) {
        sheet.write_string(1, c, text).unwrap();
    }
    sheet.write_formula(1, 10, "=B2+15").unwrap();
    sheet.write_string(1, 11, "予以公开").unwrap();
    let formula = workbook.save_to_buffer().unwrap();
    let body =
        expect(import(&app, &app.admin, agency, "", XLSX, formula).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["problems"][0]["code"], "formula_cell", "{body}");
    assert_eq!(body["problems"][0]["column"], "答复日期");
    assert_eq!(body["problems"][0]["row"], 2);
    let sheet = workbook.worksheet_from_index(0).unwrap();
    sheet.write_string(1, 10, "2019-03-20").unwrap();
    sheet.merge_range(2, 0, 3, 0, "B-2", &Format::new()).unwrap();
    let merged = workbook.save_to_buffer().unwrap();
    let body = problem(
        import(&app, &app.admin, agency, "", XLSX, merged).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "merged_cells",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("A3:A4"), "{body}");
    // A text in a date column; a case number twice.
    let text_date = with_rows(&[GOOD, "B-2,三月五日,当面,自然人,李四,,预算,,"]);
    let body =
        expect(import(&app, &app.admin, agency, "", "text/csv", text_date).await, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    assert_eq!((body["invalid"].as_u64(), body["created"].as_u64()), (Some(1), Some(0)), "{body}");
    let p = &body["problems"][0];
    assert_eq!(
        (p["row"].as_u64(), p["column"].as_str(), p["code"].as_str()),
        (Some(3), Some("收到申请日期"), Some("invalid_date"))
    );
    assert!(p["message"].as_str().unwrap().contains("三月五日"));
    let twice = with_rows(&[GOOD, GOOD]);
    let body =
        expect(import(&app, &app.admin, agency, "", "text/csv", twice).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["problems"][0]["code"], "duplicate_case_number", "{body}");
    // Too large; neither XLSX nor CSV.
    let large = with_rows(&vec![GOOD; 400]);
    problem(
        import(&app, &app.admin, agency, "", "text/csv", large).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    problem(
        import(&app, &app.admin, agency, "", "application/json", b"{}".to_vec()).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    assert_eq!(count_cases(&app, agency).await, 0, "nothing was written");
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_skip_invalid_writes_the_valid_rows() {
    let app = spawn_app().await;
    let agency = app.agency("DRY", None).await;
    let file = with_rows(&[GOOD, "B-2,2019-03-06,当面,自然人,李四,110105194912310021,预算,,"]);
    let body =
        expect(import(&app, &app.admin, agency, "&dry_run=true", "text/csv", file.clone()).await, StatusCode::OK).await;
    assert_eq!((body["created"].as_u64(), body["invalid"].as_u64()), (Some(1), Some(1)), "{body}");
    assert_eq!(body["problems"][0]["code"], "invalid_identity_number");
    assert_eq!(count_cases(&app, agency).await, 0);
    let body =
        expect(import(&app, &app.admin, agency, "&skip_invalid=true", "text/csv", file).await, StatusCode::CREATED)
            .await;
    assert_eq!((body["created"].as_u64(), body["invalid"].as_u64()), (Some(1), Some(1)), "{body}");
    assert_eq!(count_cases(&app, agency).await, 1);
    // A clerk of another agency may not import here; an auditor may not import at all.
    let other = app.agency("OTH", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(other)).await;
    expect_problem(
        import(&app, &clerk, agency, "", "text/csv", with_rows(&[GOOD])).await,
        StatusCode::NOT_FOUND,
        "agency_not_found",
    )
    .await;
    let auditor = app.user("auditor", Role::Auditor, None).await;
    expect_problem(
        import(&app, &auditor, agency, "", "text/csv", with_rows(&[GOOD])).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn importing_again_creates_nothing_twice() {
    let app = spawn_app().await;
    let agency = app.agency("AGN", None).await;
    let file = with_rows(&[GOOD, ",2019-04-01,邮寄,自然人,王五,,预算,,"]);
    let body = expect(import(&app, &app.admin, agency, "", "text/csv", file.clone()).await, StatusCode::CREATED).await;
    assert_eq!(body["created"], 2, "{body}");
    // The same file: both rows present (the one without a number found by its row).
    let body = expect(import(&app, &app.admin, agency, "", "text/csv", file).await, StatusCode::OK).await;
    assert_eq!((body["created"].as_u64(), body["already_present"].as_u64()), (Some(0), Some(2)), "{body}");
    // Another file with the same number: present; a new row is added.
    let other = with_rows(&[GOOD, "B-9,2019-05-01,传真,科研机构,某研究所,,数据,,"]);
    let body = expect(import(&app, &app.admin, agency, "", "text/csv", other).await, StatusCode::CREATED).await;
    assert_eq!((body["created"].as_u64(), body["already_present"].as_u64()), (Some(1), Some(1)), "{body}");
    assert_eq!(count_cases(&app, agency).await, 3);
    // The agency's own numbering continues past imported numbers of its pattern.
    let numbered = with_rows(&["AGN-2026-00007,2026-01-05,当面,自然人,赵六,,预算,,"]);
    expect(import(&app, &app.admin, agency, "", "text/csv", numbered).await, StatusCode::CREATED).await;
    let case = app.intake(&app.admin, agency, "2026-01-06").await;
    assert_eq!(case["case_number"], "AGN-2026-00008");
}

#[tokio::test]
async fn the_same_file_imported_twice_in_parallel_is_written_once() {
    let app = spawn_app().await;
    let agency = app.agency("PAR", None).await;
    let rows: Vec<String> =
        (1..=200).map(|i| format!(",2019-03-{:02},当面,自然人,申请人{i},,预算{i},,", i % 28 + 1)).collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let file = with_rows(&rows);
    let (a, b) = tokio::join!(
        import(&app, &app.admin, agency, "", "text/csv", file.clone()),
        import(&app, &app.admin, agency, "", "text/csv", file)
    );
    let (a, b) = (a.json::<Value>().await.unwrap(), b.json::<Value>().await.unwrap());
    let created = a["created"].as_u64().unwrap() + b["created"].as_u64().unwrap();
    assert_eq!(created, 200, "{a} {b}");
    assert_eq!(a["already_present"].as_u64().unwrap() + b["already_present"].as_u64().unwrap(), 200);
    let all =
        expect(app.get(&format!("/api/v1/cases?agency_id={agency}&limit=200"), &app.admin).await, StatusCode::OK).await;
    assert!(all["next_cursor"].is_null() && all["items"].as_array().unwrap().len() == 200, "{}", all["next_cursor"]);
}

#[tokio::test]
async fn the_export_has_the_ledgers_header_dates_as_dates_and_masks_identity_numbers_for_auditors() {
    let app = spawn_app().await;
    let agency = app.agency("EXP", None).await;
    let case = app.intake(&app.admin, agency, "2024-03-05").await;
    let decision =
        serde_json::json!({"decided_on": "2024-03-20", "outcome": "withheld_state_secret", "basis": "第十四条"});
    expect(app.post(&format!("/api/v1/cases/{}/decision", case["id"]), &app.admin, &decision).await, StatusCode::OK)
        .await;
    let appeal = serde_json::json!({"kind": "reconsideration", "filed_on": "2024-04-01"});
    expect(app.post(&format!("/api/v1/cases/{}/appeals", case["id"]), &app.admin, &appeal).await, StatusCode::CREATED)
        .await;
    let response = export(&app, &app.admin, &format!("agency_id={agency}&format=xlsx")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], XLSX);
    let bytes = response.bytes().await.unwrap();
    use calamine::{Data, Reader};
    let mut workbook: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = workbook.worksheet_range("台账").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header, HEADER);
    let row: Vec<&Data> = range.rows().nth(1).unwrap().iter().collect();
    assert!(matches!(row[1], Data::DateTime(_)), "{:?}", row[1]);
    assert_eq!(row[5].to_string(), "11010519491231002X");
    assert_eq!(row[11].to_string(), "属于国家秘密");
    assert_eq!(row[17].to_string(), "行政复议：2024年4月1日提起，尚未审结");
    let auditor = app.user("auditor", Role::Auditor, None).await;
    let text = export(&app, &auditor, &format!("agency_id={agency}&format=csv")).await.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(text.lines().next().unwrap().trim_start_matches('\u{feff}') == HEADER.join(","));
    assert!(text.contains("110105********002X") && !text.contains("11010519491231002X"), "{text}");
    // An invisible agency is 404, as for the list; the export is in the audit trail.
    let other = app.agency("EXQ", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(other)).await;
    expect_problem(
        export(&app, &clerk, &format!("agency_id={agency}&format=csv")).await,
        StatusCode::NOT_FOUND,
        "agency_not_found",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let audit = expect(app.get("/api/v1/audit?limit=100", &app.admin).await, StatusCode::OK).await;
    assert!(audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "export_ledger"), "{audit}");
}

/// Reports of every year, section three and four, of `agency` (alone and compiled).
async fn reports(app: &TestApp, agency: i64, years: std::ops::RangeInclusive<i32>) -> Vec<Value> {
    let mut out = Vec::new();
    for year in years {
        for subtree in [false, true] {
            let path = format!("/api/v1/reports/annual/{year}?agency_id={agency}&include_descendants={subtree}");
            let report = expect(app.get(&path, &app.admin).await, StatusCode::OK).await;
            out.push(serde_json::json!([year, subtree, report["section_three"], report["section_four"]]));
        }
    }
    out
}

#[tokio::test]
async fn a_seeded_population_exported_and_imported_into_an_empty_database_gives_the_same_reports() {
    let source = spawn_app().await;
    let now = Utc::now().naive_utc();
    let today = china_date(now);
    let db = source.db.clone();
    let seeded = tokio::task::spawn_blocking(move || {
        let options = SeedOptions {
            agencies: 3,
            cases: 900,
            from_year: 2019,
            to_year: today.year(),
            seed: 11,
            focus_cases: 0,
            focus_year: None,
            batch: 500,
        };
        seed::run(&db, &Calendar::shipped().unwrap(), ClockRules::default(), &options, today, now).unwrap()
    })
    .await
    .unwrap();
    let target = spawn_app().await;
    let root = target.agency("ROOT", None).await;
    let mut pairs = vec![(seeded.agency_ids[0], root)];
    for (i, &department) in seeded.agency_ids[1..].iter().enumerate() {
        pairs.push((department, target.agency(&format!("DEP{i}"), Some(root)).await));
    }
    let mut imported = 0;
    // The seeded government has no cases of its own: its departments' ledgers are brought in.
    for &(from, to) in &pairs[1..] {
        let file =
            export(&source, &source.admin, &format!("agency_id={from}&format=xlsx")).await.bytes().await.unwrap();
        let body = import(&target, &target.admin, to, "", XLSX, file.to_vec()).await;
        let status = body.status();
        let body: Value = body.json().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["invalid"], 0, "{body}");
        imported += body["created"].as_u64().unwrap_or(0);
    }
    assert_eq!(imported, seeded.cases as u64);
    let years = 2019..=today.year();
    for &(from, to) in &pairs {
        let (a, b) = (reports(&source, from, years.clone()).await, reports(&target, to, years.clone()).await);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "the report differs after the round trip");
        }
    }
}

#[test]
fn the_ledger_commands_exit_non_zero_on_invalid_rows_and_write_them_back() {
    let db = crate::helpers::TestDb::new();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(args)
            .env("DATABASE_URL", db.url())
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    };
    let seeded = run(&["seed", "--agencies", "2", "--cases", "60", "--from-year", "2024", "--to-year", "2024"]);
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ledger.csv");
    let exported = run(&["ledger", "export", "--agency", "2", "--format", "csv", "--output", out.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    assert!(String::from_utf8_lossy(&exported.stdout).contains("exported 60 cases"));
    // Importing the agency's own ledger again: everything present, exit 0.
    let again = run(&["ledger", "import", "--file", out.to_str().unwrap(), "--agency", "2"]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 created, 60 already present"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, with_rows(&[GOOD, "B-2,明天,当面,自然人,李四,,预算,,"])).unwrap();
    let refused = run(&["ledger", "import", "--file", bad.to_str().unwrap(), "--agency", "1", "--dry-run"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("第3行 收到申请日期 [invalid_date]"));
    let skipped = run(&["ledger", "import", "--file", bad.to_str().unwrap(), "--agency", "1", "--skip-invalid"]);
    assert!(skipped.status.success(), "{}", String::from_utf8_lossy(&skipped.stderr));
    assert!(String::from_utf8_lossy(&skipped.stdout).contains("1 created"));
    let rejects = dir.path().join("bad.未导入.xlsx");
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&rejects).unwrap();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].last().unwrap(), "错误原因");
    assert_eq!(rows[1][0], "B-2");
    assert!(rows[1].last().unwrap().contains("明天"));
}
