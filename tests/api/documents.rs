//! The whole annual report (issue 20) through the API: the written parts (versions, roles, a
//! sealed year, Chinese errors), the figures they can use (the fee sentence against the fee
//! events), the document read back from the DOCX with an XML parser (headings, section three's
//! cells against the JSON report, merged cells), sealing with the document and the text's drift,
//! compiled reports, the command line and the console's form.

use std::io::{Cursor, Read as _};
use std::process::Command;

use chrono::NaiveDate;
use gongkai::domain::Role;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect, expect_problem, fields, spawn_app, Console, TestApp};
use crate::reports::{office, three_years, Office};

// ------------------------------------------------------------------ reading a DOCX back

/// How a table cell is merged vertically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Merge {
    None,
    Restart,
    Continue,
}

#[derive(Clone, Debug)]
struct Cell {
    text: String,
    span: usize,
    merge: Merge,
}

#[derive(Clone, Debug)]
enum Block {
    Paragraph { style: String, text: String },
    Table(Vec<Vec<Cell>>),
}

/// One part of a DOCX package.
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut file = archive.by_name(name).unwrap_or_else(|_| panic!("{name} missing from the package"));
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text
}

fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name).unwrap().map(|a| a.value.into_owned())
}

fn entity(name: &str) -> &'static str {
    match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        other => panic!("unexpected entity {other}"),
    }
}

/// The body of `word/document.xml` as paragraphs (outside tables) and tables of cells, in order.
fn read_docx(bytes: &[u8]) -> Vec<Block> {
    let xml = part(bytes, "word/document.xml");
    let mut reader = Reader::from_str(&xml);
    let mut blocks = Vec::new();
    let mut table: Option<Vec<Vec<Cell>>> = None;
    let mut row: Option<Vec<Cell>> = None;
    let mut cell: Option<Cell> = None;
    let mut paragraph: Option<(String, String)> = None;
    let mut in_text = false;
    loop {
        let event = reader.read_event().unwrap();
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "w:tbl" => table = Some(Vec::new()),
                "w:tr" => row = Some(Vec::new()),
                "w:tc" => cell = Some(Cell { text: String::new(), span: 1, merge: Merge::None }),
                "w:gridSpan" => cell.as_mut().unwrap().span = attribute(e, "w:val").unwrap().parse().unwrap(),
                "w:vMerge" => {
                    cell.as_mut().unwrap().merge = match attribute(e, "w:val").as_deref() {
                        Some("restart") => Merge::Restart,
                        _ => Merge::Continue,
                    }
                }
                "w:p" => paragraph = Some((String::new(), String::new())),
                "w:pStyle" => paragraph.as_mut().unwrap().0 = attribute(e, "w:val").unwrap(),
                "w:br" => paragraph.as_mut().unwrap().1.push('\n'),
                "w:t" => in_text = matches!(event, Event::Start(_)),
                _ => {}
            },
            Event::Text(t) if in_text => paragraph.as_mut().unwrap().1.push_str(t),
            Event::GeneralRef(r) if in_text => paragraph.as_mut().unwrap().1.push_str(entity(r)),
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => {
                    let (style, text) = paragraph.take().unwrap();
                    match cell.as_mut() {
                        Some(cell) => {
                            if !cell.text.is_empty() {
                                cell.text.push('\n');
                            }
                            cell.text.push_str(&text);
                        }
                        None => blocks.push(Block::Paragraph { style, text }),
                    }
                }
                "w:tc" => row.as_mut().unwrap().push(cell.take().unwrap()),
                "w:tr" => table.as_mut().unwrap().push(row.take().unwrap()),
                "w:tbl" => blocks.push(Block::Table(table.take().unwrap())),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    blocks
}

/// The section headings (paragraphs of the heading style), in order.
fn headings(blocks: &[Block]) -> Vec<String> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph { style, text } if style == "Heading1" => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// The first table after the heading starting with `number`、.
fn table_after(blocks: &[Block], number: &str) -> Vec<Vec<Cell>> {
    let start = blocks
        .iter()
        .position(|b| matches!(b, Block::Paragraph { style, text } if style == "Heading1" && text.starts_with(&format!("{number}、"))))
        .unwrap_or_else(|| panic!("no heading {number}"));
    blocks[start..]
        .iter()
        .find_map(|b| match b {
            Block::Table(rows) => Some(rows.clone()),
            _ => None,
        })
        .unwrap()
}

/// The paragraphs of the section whose heading starts with `number`、 (up to the next heading).
fn section_text(blocks: &[Block], number: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for block in blocks {
        if let Block::Paragraph { style, text } = block {
            if style == "Heading1" {
                inside = text.starts_with(&format!("{number}、"));
            } else if inside {
                out.push(text.clone());
            }
        }
    }
    out
}

/// Section three's body rows as read from the Word table: the label (the last non-empty label
/// cell before the seven figures) and the seven figures.
fn section_three_rows(table: &[Vec<Cell>]) -> Vec<(String, Vec<i64>)> {
    table[3..]
        .iter()
        .map(|row| {
            let (labels, figures) = row.split_at(row.len() - 7);
            let label = labels.iter().rev().find(|c| !c.text.is_empty()).unwrap().text.clone();
            (label, figures.iter().map(|c| c.text.parse().unwrap()).collect())
        })
        .collect()
}

fn json_rows(report: &Value) -> Vec<(String, Vec<i64>)> {
    report["section_three"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let values = r["values"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
            (r["label"].as_str().unwrap().to_owned(), values)
        })
        .collect()
}

async fn bytes(response: reqwest::Response, content_type: &str) -> Vec<u8> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap().to_vec();
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers["content-type"].to_str().unwrap(), content_type);
    body
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

async fn docx(app: &TestApp, token: &str, year: i32, query: &str) -> Vec<u8> {
    let path = format!("/api/v1/reports/annual/{year}/document?format=docx&{query}");
    bytes(app.get(&path, token).await, DOCX).await
}

async fn put_text(app: &TestApp, token: &str, year: i32, agency: i64, body: &Value) -> reqwest::Response {
    let path = format!("/api/v1/reports/annual/{year}/text?agency_id={agency}");
    app.client.put(app.url(&path)).bearer_auth(token).json(body).send().await.unwrap()
}

fn text(overview: &str) -> Value {
    json!({
        "overview": overview,
        "problems_and_improvements": "（一）存在的问题\n\n公开内容不够全面。\n\n1.加强培训\n2.完善制度",
        "other_matters": "无。"
    })
}

// ------------------------------------------------------------------ the document of many cases

#[tokio::test]
async fn the_docx_has_the_six_headings_and_section_three_equals_the_json_report_in_both_templates() {
    let o = three_years().await;
    let agency = o.agency;
    for (year, template) in [(2020, "2019"), (2021, "2021"), (2021, "2019"), (2020, "2021")] {
        let query = format!("agency_id={agency}&template={template}");
        let report = o.report(year, &format!("&template={template}")).await;
        let blocks = read_docx(&docx(&o.app, &o.clerk, year, &query).await);
        let numbers: Vec<String> = headings(&blocks).iter().map(|h| h.split('、').next().unwrap().to_owned()).collect();
        assert_eq!(numbers, ["一", "二", "三", "四", "五", "六"], "{year} in {template}");
        match &blocks[0] {
            Block::Paragraph { style, text } => {
                assert_eq!(style, "Title");
                assert_eq!(text, &format!("NS 机关{year}年政府信息公开工作年度报告"));
            }
            other => panic!("the title comes first, not {other:?}"),
        }
        let table = table_after(&blocks, "三");
        let rows = section_three_rows(&table);
        assert_eq!(rows, json_rows(&report), "{year} in {template}: section three as read from Word");
        assert_eq!(rows.len(), if template == "2019" { 23 } else { 25 });
        assert!(rows.iter().any(|(_, v)| v[6] > 0), "a non-trivial population");
        // Section four: the fifteen figures in the order of the JSON.
        let four = table_after(&blocks, "四");
        let figures: Vec<i64> = four[3].iter().map(|c| c.text.parse().unwrap()).collect();
        let mut expected = Vec::new();
        for kind in ["reconsideration", "litigation_direct", "litigation_after_reconsideration"] {
            for column in ["upheld", "corrected", "other", "pending", "total"] {
                expected.push(report["section_four"][kind][column].as_i64().unwrap());
            }
        }
        assert_eq!(figures, expected, "{year} in {template}: section four");
    }
}

#[tokio::test]
async fn the_header_cells_of_sections_three_and_four_are_merged_as_in_the_official_table() {
    let o = office().await;
    let blocks = read_docx(&docx(&o.app, &o.clerk, 2021, &format!("agency_id={}", o.agency)).await);
    let three = table_after(&blocks, "三");
    let summary = |row: &[Cell]| row.iter().map(|c| (c.text.clone(), c.span, c.merge)).collect::<Vec<_>>();
    let note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）".to_owned();
    assert_eq!(summary(&three[0]), [(note, 3, Merge::Restart), ("申请人情况".into(), 7, Merge::None)]);
    assert_eq!(
        summary(&three[1]),
        [
            (String::new(), 3, Merge::Continue),
            ("自然人".into(), 1, Merge::Restart),
            ("法人或其他组织".into(), 5, Merge::None),
            ("总计".into(), 1, Merge::Restart),
        ]
    );
    let third: Vec<(String, usize, Merge)> = summary(&three[2]);
    assert_eq!(third[0], (String::new(), 3, Merge::Continue));
    assert_eq!(third[1], (String::new(), 1, Merge::Continue));
    let organisations: Vec<&str> = third[2..7].iter().map(|c| c.0.as_str()).collect();
    assert_eq!(organisations, ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]);
    assert_eq!(third[7], (String::new(), 1, Merge::Continue));
    // 三、本年度办理结果 spans the outcome rows and （七）总计 in the first column.
    let body = &three[3..];
    assert_eq!((body[0][0].text.as_str(), body[0][0].span), ("一、本年新收政府信息公开申请数量", 3));
    assert_eq!((body[2][0].text.as_str(), body[2][0].merge), ("三、本年度办理结果", Merge::Restart));
    let continued = body[3..].iter().take_while(|r| r[0].merge == Merge::Continue).count();
    assert_eq!(continued, 21, "（二）…（七） of template 2021 under 三、本年度办理结果");
    // （三）不予公开 spans its eight sub-rows.
    let withheld = body.iter().position(|r| r.iter().any(|c| c.text == "（三）不予公开")).unwrap();
    let cell = body[withheld].iter().position(|c| c.text == "（三）不予公开").unwrap();
    assert_eq!(body[withheld][cell].merge, Merge::Restart);
    assert!(body[withheld + 1..withheld + 8].iter().all(|r| r[cell].merge == Merge::Continue));
    assert_eq!(body[withheld][cell + 1].text, "1.属于国家秘密");
    // Section four: 行政复议 over five columns, 行政诉讼 over ten, split in two.
    let four = table_after(&blocks, "四");
    assert_eq!(summary(&four[0]), [("行政复议".into(), 5, Merge::None), ("行政诉讼".into(), 10, Merge::None)]);
    assert_eq!(four[1][0], Cell { text: "结果维持".into(), span: 1, merge: Merge::Restart });
    assert_eq!((four[1][5].text.as_str(), four[1][5].span), ("未经复议直接起诉", 5));
    assert_eq!((four[1][6].text.as_str(), four[1][6].span), ("复议后起诉", 5));
    assert_eq!(four[2][0].merge, Merge::Continue);
    assert_eq!(four[2].len(), 15);
}

impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.span == other.span && self.merge == other.merge
    }
}

// ------------------------------------------------------------------ the text

#[tokio::test]
async fn the_text_is_kept_in_versions_with_who_and_when() {
    let o = office().await;
    let (app, agency) = (&o.app, o.agency);
    let path = format!("/api/v1/reports/annual/2021/text?agency_id={agency}");
    let problem = expect_problem(app.get(&path, &o.clerk).await, StatusCode::NOT_FOUND, "report_text_not_found").await;
    assert_eq!(problem["detail"], "该年度报告的文字部分（或所请求的版本）不存在，或您无权查看");
    let first = expect(put_text(app, &o.officer, 2021, agency, &text("第一稿")).await, StatusCode::OK).await;
    assert_eq!(first["version"], 1);
    assert_eq!(first["overview"], "第一稿");
    let officer_id = first["updated_by"].as_i64().unwrap();
    assert!(first["updated_at"].as_str().unwrap().ends_with('Z'));
    let second =
        expect(put_text(app, &o.supervisor, 2021, agency, &text("第二稿\r\n\r\n（一）小标题  ")).await, StatusCode::OK)
            .await;
    assert_eq!(second["version"], 2);
    assert_eq!(second["overview"], "第二稿\n\n（一）小标题", "line ends and trailing spaces normalised");
    assert_ne!(second["updated_by"], officer_id);
    // GET answers the contract's fields plus version, updated_by, updated_at.
    let latest = expect(app.get(&path, &o.clerk).await, StatusCode::OK).await;
    let mut keys: Vec<&str> = latest.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "agency_id",
            "other_matters",
            "overview",
            "problems_and_improvements",
            "updated_at",
            "updated_by",
            "version",
            "year"
        ]
    );
    assert_eq!(latest["version"], 2);
    let old = expect(app.get(&format!("{path}&version=1"), &o.clerk).await, StatusCode::OK).await;
    assert_eq!(old["overview"], "第一稿");
    assert_eq!(old["updated_by"], officer_id);
    let versions = expect(
        app.get(&format!("/api/v1/reports/annual/2021/text/versions?agency_id={agency}"), &o.clerk).await,
        StatusCode::OK,
    )
    .await;
    let numbers: Vec<i64> =
        versions["items"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [2, 1]);
    // A save from a stale version is refused.
    let mut stale = text("第三稿");
    stale["version"] = json!(1);
    expect_problem(put_text(app, &o.officer, 2021, agency, &stale).await, StatusCode::CONFLICT, "version_conflict")
        .await;
    let response = app
        .client
        .put(app.url(&path))
        .bearer_auth(&o.officer)
        .header("If-Match", "\"2\"")
        .json(&text("第三稿"))
        .send()
        .await
        .unwrap();
    assert_eq!(expect(response, StatusCode::OK).await["version"], 3);
}

#[tokio::test]
async fn officers_write_the_text_clerks_and_auditors_read_it_and_other_agencies_do_not_see_it() {
    let o = office().await;
    let (app, agency) = (&o.app, o.agency);
    let auditor = app.user("auditor", Role::Auditor, Some(agency)).await;
    let other = app.agency("QT", None).await;
    let stranger = app.user("stranger", Role::Supervisor, Some(other)).await;
    let child_officer = app.user("child officer", Role::Officer, Some(o.child)).await;
    for token in [&o.clerk, &auditor] {
        let problem =
            expect_problem(put_text(app, token, 2021, agency, &text("x")).await, StatusCode::FORBIDDEN, "forbidden")
                .await;
        assert!(problem["detail"].as_str().unwrap().contains("年度报告的文字部分"), "{problem}");
    }
    expect(put_text(app, &o.officer, 2021, agency, &text("本机关")).await, StatusCode::OK).await;
    let path = format!("/api/v1/reports/annual/2021/text?agency_id={agency}");
    for token in [&o.clerk, &auditor, &app.admin] {
        expect(app.get(&path, token).await, StatusCode::OK).await;
    }
    // Invisible: another tree, and a child agency's staff looking up.
    for token in [&stranger, &child_officer] {
        expect_problem(app.get(&path, token).await, StatusCode::NOT_FOUND, "agency_not_found").await;
        expect_problem(put_text(app, token, 2021, agency, &text("x")).await, StatusCode::NOT_FOUND, "agency_not_found")
            .await;
        let document = format!("/api/v1/reports/annual/2021/document?agency_id={agency}");
        expect_problem(app.get(&document, token).await, StatusCode::NOT_FOUND, "agency_not_found").await;
        let figures = format!("/api/v1/reports/annual/2021/text/figures?agency_id={agency}");
        expect_problem(app.get(&figures, token).await, StatusCode::NOT_FOUND, "agency_not_found").await;
    }
    // The child's own text is its officer's to write.
    expect(put_text(app, &child_officer, 2021, o.child, &text("下级")).await, StatusCode::OK).await;
}

#[tokio::test]
async fn a_malformed_text_is_refused_in_chinese_naming_the_field() {
    let o = office().await;
    let (app, agency) = (&o.app, o.agency);
    let missing = json!({"overview": "只有总体情况"});
    let problem = expect_problem(
        put_text(app, &o.officer, 2021, agency, &missing).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["problems_and_improvements"]);
    assert!(problem["detail"].as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{problem}");
    let mut bell = text("响铃\u{7}");
    let problem = expect_problem(
        put_text(app, &o.officer, 2021, agency, &bell).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["overview"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("控制字符（U+0007）"), "{problem}");
    bell["overview"] = json!("字".repeat(20_001));
    let problem = expect_problem(
        put_text(app, &o.officer, 2021, agency, &bell).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("不得超过20000个字符"), "{problem}");
    let mut unknown = text("x");
    unknown["summary"] = json!("?");
    let problem = expect_problem(
        put_text(app, &o.officer, 2021, agency, &unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["summary"]);
    let mut added = text("x");
    added["additional_sections"] = json!([{"title": "保密审查情况", "text": "无。"}]);
    let problem = expect_problem(
        put_text(app, &o.officer, 2021, agency, &added).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["additional_sections"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("2019年表格式"), "{problem}");
    // …which a 2020 report (template 2019) may have, printed before the other matters.
    let saved = expect(put_text(app, &o.officer, 2020, agency, &added).await, StatusCode::OK).await;
    assert_eq!(saved["additional_sections"][0]["title"], "保密审查情况");
    let blocks = read_docx(&docx(app, &o.clerk, 2020, &format!("agency_id={agency}")).await);
    let numbered: Vec<String> = headings(&blocks);
    assert_eq!(numbered[5], "六、保密审查情况");
    assert_eq!(numbered[6], "七、其他需要报告的事项");
    let response = app
        .client
        .put(app.url(&format!("/api/v1/reports/annual/2021/text?agency_id={agency}")))
        .bearer_auth(&o.officer)
        .header("content-type", "application/json")
        .body("{\"overview\": ")
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
}

// ------------------------------------------------------------------ seal, edit, drift

async fn seal(o: &Office, year: i32, query: &str, body: Value) -> Value {
    let path = format!("/api/v1/reports/annual/{year}/seal?agency_id={}{query}", o.agency);
    expect(o.app.post(&path, &o.supervisor, &body).await, StatusCode::CREATED).await
}

#[tokio::test]
async fn a_sealed_document_is_reproduced_byte_for_byte_and_a_later_text_shows_as_drift() {
    let o = office().await;
    let (app, agency) = (&o.app, o.agency);
    let received = o.app.intake(&o.clerk, agency, "2021-03-01").await;
    let id = received["id"].as_i64().unwrap();
    let decision = json!({"decided_on": "2021-03-15", "outcome": "disclosed"});
    expect(app.post(&format!("/api/v1/cases/{id}/decision"), &o.officer, &decision).await, StatusCode::OK).await;
    expect(put_text(app, &o.officer, 2021, agency, &text("封存前的总体情况")).await, StatusCode::OK).await;
    let query = format!("agency_id={agency}");
    let sealed = seal(&o, 2021, "", json!({})).await;
    assert_eq!(sealed["text_version"], 1);
    let document_hash = sealed["document_hash"].as_str().unwrap().to_owned();
    assert_eq!(document_hash.len(), 64);

    let path = format!("/api/v1/reports/annual/2021/document?format=docx&{query}");
    let response = app.get(&path, &o.clerk).await;
    assert_eq!(response.headers()["x-document-sha256"].to_str().unwrap(), document_hash);
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\"gongkai-annual-report-2021-"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''NS%20"), "{disposition}");
    let before = bytes(response, DOCX).await;
    let drift_path = format!("/api/v1/reports/annual/2021/drift?{query}");
    let drift = expect(app.get(&drift_path, &o.clerk).await, StatusCode::OK).await;
    assert_eq!(drift["text_changed"], false);
    assert_eq!(drift["sealed_text_version"], 1);

    // The sealed year's text changes only by a supervisor with a reason.
    expect_problem(put_text(app, &o.officer, 2021, agency, &text("改")).await, StatusCode::CONFLICT, "year_sealed")
        .await;
    expect_problem(put_text(app, &o.supervisor, 2021, agency, &text("改")).await, StatusCode::CONFLICT, "year_sealed")
        .await;
    let mut amended = text("封存后修改的总体情况");
    amended["amendment_reason"] = json!("更正错别字");
    let saved = expect(put_text(app, &o.supervisor, 2021, agency, &amended).await, StatusCode::OK).await;
    assert_eq!((saved["version"].as_i64(), saved["amendment_reason"].as_str()), (Some(2), Some("更正错别字")));
    let by_query = format!("/api/v1/reports/annual/2021/text?agency_id={agency}&amendment_reason=%E5%86%8D%E6%94%B9");
    let response =
        app.client.put(app.url(&by_query)).bearer_auth(&o.supervisor).json(&text("封存后再改")).send().await.unwrap();
    assert_eq!(expect(response, StatusCode::OK).await["amendment_reason"], "再改");

    let drift = expect(app.get(&drift_path, &o.clerk).await, StatusCode::OK).await;
    assert_eq!(drift["text_changed"], true);
    assert_eq!((drift["sealed_text_version"].as_i64(), drift["text_version"].as_i64()), (Some(1), Some(3)));
    assert_eq!(drift["live_differs"], false, "the figures did not change");
    // The sealed document is the same, byte for byte; the live one prints the new text.
    assert_eq!(docx(app, &o.clerk, 2021, &query).await, before);
    let sealed_text = section_text(&read_docx(&before), "一");
    assert_eq!(sealed_text, ["封存前的总体情况"]);
    let live = read_docx(&docx(app, &o.clerk, 2021, &format!("{query}&live=true")).await);
    assert_eq!(section_text(&live, "一"), ["封存后再改"]);
    // Saving the sealed words again is no change.
    let mut back = text("封存前的总体情况");
    back["amendment_reason"] = json!("恢复封存时的文字");
    expect(put_text(app, &o.supervisor, 2021, agency, &back).await, StatusCode::OK).await;
    let drift = expect(app.get(&drift_path, &o.clerk).await, StatusCode::OK).await;
    assert_eq!(drift["text_changed"], false);
    // Sealed documents are signed with the agency and the day of the seal.
    let signature = read_docx(&before)
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph { style, text } if style == "Signature" => Some(text.clone()),
            _ => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(signature[0], "NS 机关");
    assert!(signature[1].ends_with('日'), "{signature:?}");
}

// ------------------------------------------------------------------ figures and fees

/// A case received on `on`, its id.
async fn receive(o: &Office, agency: i64, on: &str) -> i64 {
    o.app.intake(&o.clerk, agency, on).await["id"].as_i64().unwrap()
}

async fn step(o: &Office, token: &str, id: i64, step: &str, body: Value) -> Value {
    expect(o.app.post(&format!("/api/v1/cases/{id}/{step}"), token, &body).await, StatusCode::OK).await
}

/// The fee figures of `year` computed here from the cases' events: notices and payments dated in
/// the year that were not revoked, of cases not voided; lapses are decisions `other_fee_unpaid`.
async fn fees_from_events(o: &Office, ids: &[i64], year: i32) -> [i64; 5] {
    let mut figures = [0i64; 5];
    for id in ids {
        let events = expect(o.app.get(&format!("/api/v1/cases/{id}/events"), &o.clerk).await, StatusCode::OK).await;
        let events = events.as_array().unwrap();
        let revoked: Vec<i64> = events
            .iter()
            .filter(|e| e["kind"] == "step_revoked")
            .map(|e| e["payload"]["seq"].as_i64().unwrap())
            .collect();
        let counts = |e: &&Value| !revoked.contains(&e["seq"].as_i64().unwrap());
        if events.iter().filter(counts).any(|e| e["kind"] == "voided") {
            continue;
        }
        for event in events.iter().filter(counts) {
            let on = NaiveDate::parse_from_str(event["effective_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
            if chrono::Datelike::year(&on) != year {
                continue;
            }
            let amount = event["payload"]["amount_fen"].as_i64().unwrap_or(0);
            match event["kind"].as_str().unwrap() {
                "fee_notice_issued" => {
                    figures[0] += 1;
                    figures[1] += amount;
                }
                "fee_paid" => {
                    figures[2] += 1;
                    figures[3] += amount;
                }
                "decided" if event["payload"]["outcome"] == "other_fee_unpaid" => figures[4] += 1,
                _ => {}
            }
        }
    }
    figures
}

/// `1100元` or `12.50元`.
fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{}元", fen / 100)
    } else {
        format!("{}.{:02}元", fen / 100, fen % 100)
    }
}

#[tokio::test]
async fn the_fee_sentence_states_the_figures_of_the_fee_events_and_the_document_prints_it() {
    let o = office().await;
    let agency = o.agency;
    let fee = |issued_on: &str, pages: u32| json!({"issued_on": issued_on, "basis": "per_page", "pages": pages});
    // Paid: 120 pages, 1100 yuan.
    let paid = receive(&o, agency, "2021-03-01").await;
    step(&o, &o.officer, paid, "fee-notice", fee("2021-03-03", 120)).await;
    step(&o, &o.clerk, paid, "fee-payment", json!({"paid_on": "2021-03-10"})).await;
    // Lapsed: 31 pages, 10 yuan, not paid.
    let lapsed = receive(&o, agency, "2021-04-01").await;
    let case = step(&o, &o.officer, lapsed, "fee-notice", fee("2021-04-06", 31)).await;
    let pay_by = NaiveDate::parse_from_str(case["fee"]["pay_by"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let lapses_on = (pay_by + chrono::Duration::days(1)).to_string();
    step(&o, &o.officer, lapsed, "decision", json!({"decided_on": lapses_on, "outcome": "other_fee_unpaid"})).await;
    // Revoked: a notice recorded by mistake.
    let revoked = receive(&o, agency, "2021-05-06").await;
    let case = step(&o, &o.officer, revoked, "fee-notice", fee("2021-05-10", 50)).await;
    let seq = case["version"].as_i64().unwrap();
    step(&o, &o.supervisor, revoked, &format!("steps/{seq}/revoke"), json!({"reason": "误录收费通知"})).await;
    // Voided: a registration that was a mistake, with its notice.
    let voided = receive(&o, agency, "2021-06-01").await;
    step(&o, &o.officer, voided, "fee-notice", fee("2021-06-02", 40)).await;
    step(&o, &o.supervisor, voided, "void", json!({"reason": "重复登记"})).await;
    // Issued in 2020, paid in 2021: the payment counts in 2021.
    let across = receive(&o, agency, "2020-12-10").await;
    step(&o, &o.officer, across, "fee-notice", fee("2020-12-15", 100)).await;
    step(&o, &o.clerk, across, "fee-payment", json!({"paid_on": "2021-01-05"})).await;
    // A child agency's fee counts only in the compiled figures.
    let child = receive(&o, o.child, "2021-07-01").await;
    step(&o, &o.officer, child, "fee-notice", fee("2021-07-02", 60)).await;

    let own = fees_from_events(&o, &[paid, lapsed, revoked, voided, across], 2021).await;
    assert_eq!(own, [2, 111_000, 2, 180_000, 1], "the scenario as the events tell it");
    let path = format!("/api/v1/reports/annual/2021/text/figures?agency_id={agency}");
    let figures = expect(o.app.get(&path, &o.clerk).await, StatusCode::OK).await;
    let fees = &figures["fees"];
    let served = ["notices_issued", "notices_amount_fen", "paid", "paid_amount_fen", "lapsed_unpaid"]
        .map(|k| fees[k].as_i64().unwrap());
    assert_eq!(served, own);
    let sentence = figures["sentences"]["other_matters"].as_str().unwrap().to_owned();
    assert_eq!(
        sentence,
        format!(
            "依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），2021年本机关发出信息处理费收费通知{}件，金额合计{}；实际收取信息处理费{}件，金额合计{}；因申请人逾期未缴纳信息处理费而不再处理的政府信息公开申请{}件。",
            own[0],
            yuan(own[1]),
            own[2],
            yuan(own[3]),
            own[4]
        )
    );
    // The totals for 一 are the report's, against last year's.
    // Received in 2021: the paid, lapsed and revoked cases (the voided one counts nowhere).
    assert_eq!(figures["requests"]["received"], 3);
    assert_eq!(figures["previous_year"]["received"], 1);
    assert_eq!(figures["change"]["received"], 2);
    let overview = figures["sentences"]["overview"].as_str().unwrap();
    assert!(overview.contains("共收到政府信息公开申请3件，比上年增加2件（增长200.0%）"), "{overview}");
    let compiled = expect(o.app.get(&format!("{path}&include_descendants=true"), &o.clerk).await, StatusCode::OK).await;
    assert_eq!(compiled["fees"]["notices_issued"], 3);
    assert!(compiled["sentences"]["other_matters"].as_str().unwrap().contains("本机关及所属各级机关"));

    // The author keeps the sentence; the document prints it under 六, and its figures are the events'.
    let mut body = text("总体情况");
    body["other_matters"] = json!(sentence);
    expect(put_text(&o.app, &o.officer, 2021, agency, &body).await, StatusCode::OK).await;
    let blocks = read_docx(&docx(&o.app, &o.clerk, 2021, &format!("agency_id={agency}")).await);
    let printed = section_text(&blocks, "六").join("");
    let numbers: Vec<String> = printed
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|s| !s.is_empty() && *s != ".")
        .map(str::to_owned)
        .collect();
    // 2020 and 109 from the measures' number, 2021 the year, then the five figures.
    assert_eq!(
        numbers,
        [
            "2020",
            "109",
            "2021",
            &own[0].to_string(),
            &(own[1] / 100).to_string(),
            &own[2].to_string(),
            &(own[3] / 100).to_string(),
            &own[4].to_string()
        ]
    );
}

// ------------------------------------------------------------------ compiled reports

#[tokio::test]
async fn a_compiled_document_has_the_subtrees_tables_and_the_compiling_agencys_own_text() {
    let o = three_years().await;
    let (app, agency) = (&o.app, o.agency);
    let child_officer = app.user("child officer", Role::Officer, Some(o.child)).await;
    expect(put_text(app, &o.officer, 2021, agency, &text("汇总机关自己的总体情况")).await, StatusCode::OK).await;
    expect(put_text(app, &child_officer, 2021, o.child, &text("下级机关的总体情况")).await, StatusCode::OK).await;
    let report = o.report(2021, "&include_descendants=true").await;
    let bytes = docx(app, &o.clerk, 2021, &format!("agency_id={agency}&include_descendants=true")).await;
    let blocks = read_docx(&bytes);
    assert_eq!(section_three_rows(&table_after(&blocks, "三")), json_rows(&report));
    assert_ne!(json_rows(&report), json_rows(&o.report(2021, "").await), "the child's cases are in");
    assert_eq!(section_text(&blocks, "一"), ["汇总机关自己的总体情况"]);
    let preamble = blocks.iter().take(3).filter_map(|b| match b {
        Block::Paragraph { text, .. } => Some(text.clone()),
        _ => None,
    });
    assert!(preamble.collect::<String>().contains("及其所属各级机关的汇总数据"));
    // The HTML page is the same document.
    let path = format!("/api/v1/reports/annual/2021/document?format=html&agency_id={agency}&include_descendants=true");
    let page = String::from_utf8(bytes_of(app.get(&path, &o.clerk).await).await).unwrap();
    assert!(page.contains("<h1>NS 机关2021年政府信息公开工作年度报告</h1>"));
    assert!(page.contains("汇总机关自己的总体情况") && !page.contains("下级机关的总体情况"));
}

async fn bytes_of(response: reqwest::Response) -> Vec<u8> {
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.unwrap().to_vec()
}

// ------------------------------------------------------------------ command line and console

#[tokio::test]
async fn the_command_line_writes_the_same_docx_as_the_api() {
    let o = office().await;
    let agency = o.agency;
    expect(put_text(&o.app, &o.officer, 2021, agency, &text("命令行")).await, StatusCode::OK).await;
    seal(&o, 2021, "", json!({})).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.docx");
    let url = o.app.test_db.url().to_owned();
    let output = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["report", "--year", "2021", "--agency", &agency.to_string(), "--format", "docx", "--output"])
        .arg(&file)
        .env("DATABASE_URL", &url)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let written = std::fs::read(&file).unwrap();
    assert_eq!(written, docx(&o.app, &o.clerk, 2021, &format!("agency_id={agency}")).await, "the sealed document");
}

#[tokio::test]
async fn the_console_form_saves_the_text_and_offers_the_document() {
    let app = spawn_app().await;
    let agency = app.agency("KZ", None).await;
    app.console_user("科员", "officer", "a long password", Role::Officer, Some(agency)).await;
    let mut console = Console::sign_in(&app.address, "officer", "a long password").await;
    let page = console.get(&format!("/reports/text?agency_id={agency}&year=2021")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for label in [
        "<label for=\"f-overview\">一、总体情况",
        "<label for=\"f-problems_and_improvements\">五、存在的主要问题及改进情况",
        "<label for=\"f-other_matters\">六、其他需要报告的事项",
    ] {
        assert!(page.body.contains(label), "{label}");
    }
    // A new text starts from the sentences of the figures.
    assert!(page.body.contains("2021年，本机关共收到政府信息公开申请0件"), "{}", page.body);
    // Without the session's token nothing is saved.
    let fields = [("agency_id", agency.to_string()), ("year", "2021".into()), ("version", "0".into())];
    let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form.extend([("overview", "控制台写的总体情况"), ("problems_and_improvements", "无"), ("other_matters", "无")]);
    let refused = console.post_raw("/reports/text", &form).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let saved = console.post("/reports/text", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = console.get(saved.location.as_deref().unwrap()).await;
    assert!(page.body.contains("已保存为第1版") && page.body.contains("控制台写的总体情况"));
    let path = format!("/api/v1/reports/annual/2021/text?agency_id={agency}");
    assert_eq!(expect(app.get(&path, &app.admin).await, StatusCode::OK).await["overview"], "控制台写的总体情况");
    // A rule broken: the form again, with what was typed and the field's message in Chinese.
    let mut bad = form.clone();
    bad[2] = ("version", "1");
    bad[3] = ("overview", "响铃\u{7}");
    let page = console.post("/reports/text", &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("f-overview-error") && page.body.contains("控制字符"), "{}", page.body);
    // The downloads.
    let report = console.get(&format!("/reports?agency_id={agency}&year=2021")).await;
    assert!(report.body.contains(&format!("/reports/document?agency_id={agency}&amp;year=2021&amp;format=docx")));
    let download = console
        .client
        .get(format!("{}/reports/document?agency_id={agency}&year=2021&format=docx", app.address))
        .header("cookie", format!("gongkai_session={}", console.cookie.clone().unwrap()))
        .send()
        .await
        .unwrap();
    let body = bytes(download, DOCX).await;
    assert_eq!(section_text(&read_docx(&body), "一"), ["控制台写的总体情况"]);
}
