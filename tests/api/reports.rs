//! The annual report through the API: every cell of section three and section four checked against
//! a small reference model of report.md's counting rules, the exports (CSV, HTML, XLSX), section
//! two, the drill-down, sealing with drift and amendments, and appeals.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Dimensions, Range, Reader, Xlsx};
use chrono::{Datelike, Duration, NaiveDate};
use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect, expect_problem, fields, spawn_app, TestApp};

// ------------------------------------------------------------------ the tables of report.md

/// The six applicant categories, in column order (the seventh column is `total`).
const CATEGORIES: [&str; 6] = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "public_welfare_org",
    "legal_service_org",
    "other_org",
];

/// Every row of either template in report order, with its label exactly as printed (report.md).
const ROWS: [(&str, &str); 26] = [
    ("new_received", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("disclosed", "（一）予以公开"),
    ("partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("withheld_state_secret", "1.属于国家秘密"),
    ("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("withheld_endangers_security_stability", "3.危及“三安全一稳定”"),
    ("withheld_third_party_rights", "4.保护第三方合法权益"),
    ("withheld_internal_affairs", "5.属于三类内部事务信息"),
    ("withheld_process_information", "6.属于四类过程性信息"),
    ("withheld_enforcement_case_files", "7.属于行政执法案卷"),
    ("withheld_administrative_inquiry", "8.属于行政查询事项"),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable_still_unclear", "3.补正后申请内容仍不明确"),
    ("not_processed_petition_complaint", "1.信访举报投诉类申请"),
    ("not_processed_repeated", "2.重复申请"),
    ("not_processed_publication", "3.要求提供公开出版物"),
    ("not_processed_excessive", "4.无正当理由大量反复申请"),
    ("not_processed_confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
    ("other", "（六）其他处理"),
    ("other_correction_overdue", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_misc", "3.其他"),
    ("concluded_total", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
];

/// The 21 outcome codes.
const OUTCOMES: [&str; 21] = [
    "disclosed",
    "partially_disclosed",
    "withheld_state_secret",
    "withheld_prohibited_by_law",
    "withheld_endangers_security_stability",
    "withheld_third_party_rights",
    "withheld_internal_affairs",
    "withheld_process_information",
    "withheld_enforcement_case_files",
    "withheld_administrative_inquiry",
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_still_unclear",
    "not_processed_petition_complaint",
    "not_processed_repeated",
    "not_processed_publication",
    "not_processed_excessive",
    "not_processed_confirm_or_reissue",
    "other_correction_overdue",
    "other_fee_unpaid",
    "other_misc",
];

const APPEAL_KINDS: [&str; 3] = ["reconsideration", "litigation_direct", "litigation_after_reconsideration"];

/// The rows of a template: 2019 has the single `other` row, 2021 the three `other_*` rows.
fn rows(template: &str) -> Vec<&'static str> {
    ROWS.iter()
        .map(|&(key, _)| key)
        .filter(|key| match template {
            "2019" => !key.starts_with("other_"),
            _ => *key != "other",
        })
        .collect()
}

fn label(key: &str) -> &'static str {
    ROWS.iter().find(|(k, _)| *k == key).unwrap().1
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

// ------------------------------------------------------------------ the reference model

/// A case as the test recorded it through the API.
#[derive(Clone, Debug)]
struct Filed {
    id: i64,
    agency: i64,
    category: &'static str,
    received: NaiveDate,
    /// (conclusion date, outcome).
    concluded: Option<(NaiveDate, &'static str)>,
}

/// An appeal as the test recorded it through the API.
#[derive(Clone, Debug)]
struct FiledAppeal {
    agency: i64,
    kind: &'static str,
    filed: NaiveDate,
    /// (decision date, result).
    decided: Option<(NaiveDate, &'static str)>,
}

/// Section three of `year` in `template` for the cases of `agencies`, by report.md's counting rules.
fn expected_rows(cases: &[Filed], agencies: &[i64], year: i32, template: &str) -> Vec<(&'static str, [i64; 7])> {
    let (start, end) = (ymd(year, 1, 1), ymd(year, 12, 31));
    rows(template)
        .into_iter()
        .map(|key| {
            let mut values = [0i64; 7];
            for case in cases.iter().filter(|c| agencies.contains(&c.agency)) {
                let in_year = case.concluded.filter(|(on, _)| (start..=end).contains(on)).map(|(_, outcome)| outcome);
                let counted = match key {
                    "new_received" => case.received.year() == year,
                    "carried_over" => case.received < start && !matches!(case.concluded, Some((on, _)) if on < start),
                    "carried_forward" => case.received <= end && !matches!(case.concluded, Some((on, _)) if on <= end),
                    "concluded_total" => in_year.is_some(),
                    "other" => in_year.is_some_and(|outcome| outcome.starts_with("other_")),
                    row => in_year == Some(row),
                };
                if counted {
                    values[CATEGORIES.iter().position(|c| *c == case.category).unwrap()] += 1;
                    values[6] += 1;
                }
            }
            (key, values)
        })
        .collect()
}

/// Section four of `year` for the appeals of `agencies`: decided in Y by result; filed by 31 December
/// Y and not decided by then as pending.
fn expected_section_four(appeals: &[FiledAppeal], agencies: &[i64], year: i32) -> Value {
    let end = ymd(year, 12, 31);
    let mut section = serde_json::Map::new();
    for kind in APPEAL_KINDS {
        let (mut upheld, mut corrected, mut other, mut pending) = (0, 0, 0, 0);
        for appeal in appeals.iter().filter(|a| a.kind == kind && agencies.contains(&a.agency)) {
            match appeal.decided {
                Some((on, result)) if on.year() == year => match result {
                    "upheld" => upheld += 1,
                    "corrected" => corrected += 1,
                    _ => other += 1,
                },
                Some((on, _)) if appeal.filed <= end && on > end => pending += 1,
                None if appeal.filed <= end => pending += 1,
                _ => {}
            }
        }
        let total = upheld + corrected + other + pending;
        section.insert(
            kind.to_string(),
            json!({"upheld": upheld, "corrected": corrected, "other": other, "pending": pending, "total": total}),
        );
    }
    Value::Object(section)
}

/// Assert every cell of a report's JSON against the expected tables, and that all five checks pass.
fn assert_report(report: &Value, year: i32, template: &str, expected: &[(&str, [i64; 7])], section_four: &Value) {
    assert_eq!(report["year"], year);
    assert_eq!(report["template"], template);
    assert_eq!(
        report["section_three"]["columns"],
        json!([
            "natural_person",
            "commercial_enterprise",
            "research_institution",
            "public_welfare_org",
            "legal_service_org",
            "other_org",
            "total"
        ])
    );
    let rows = report["section_three"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len(), "{year}/{template}: row count");
    assert_eq!(rows.len(), if template == "2019" { 23 } else { 25 });
    for (row, (key, values)) in rows.iter().zip(expected) {
        assert_eq!(row["key"], *key, "{year}/{template}: row order");
        assert_eq!(row["label"], label(key), "{year}/{template}: label of {key}");
        assert_eq!(row["values"], json!(values), "{year}/{template}: row {key}");
    }
    assert_eq!(&report["section_four"], section_four, "{year}: section four");
    let checks = report["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["identity", "outcomes_sum", "total_column", "carried_over_matches_previous_year", "section_four_totals"]
    );
    for check in checks {
        assert_eq!(check["passed"], true, "{year}/{template}: {check}");
    }
}

fn row_values(report: &Value, key: &str) -> Value {
    report["section_three"]["rows"].as_array().unwrap().iter().find(|r| r["key"] == key).unwrap()["values"].clone()
}

// ------------------------------------------------------------------ the office

/// An agency with a child agency and its staff (shared with tests/api/documents.rs).
pub(crate) struct Office {
    pub(crate) app: TestApp,
    pub(crate) agency: i64,
    pub(crate) child: i64,
    pub(crate) clerk: String,
    pub(crate) officer: String,
    pub(crate) supervisor: String,
    cases: Vec<Filed>,
    appeals: Vec<(i64, FiledAppeal)>,
}

pub(crate) async fn office() -> Office {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let child = app.agency("NSJ", Some(agency)).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let supervisor = app.user("supervisor", Role::Supervisor, Some(agency)).await;
    Office { app, agency, child, clerk, officer, supervisor, cases: Vec::new(), appeals: Vec::new() }
}

fn case_body(agency: i64, category: &str, received_on: &str) -> Value {
    let applicant = if category == "natural_person" {
        json!({"category": category, "name": "张三", "id_number": "11010519491231002X"})
    } else if category == "legal_service_org" {
        // One law firm, known by its credit code, whose second request repeats its first.
        json!({"category": category, "name": format!("某某{category}"), "id_number": "31440000MD0000012M"})
    } else {
        json!({"category": category, "name": format!("某某{category}")})
    };
    json!({
        "agency_id": agency,
        "channel": "post",
        "received_on": received_on,
        "applicant": applicant,
        "description": "棚户区改造补偿标准文件"
    })
}

impl Office {
    /// Register a request; returns its index in `cases`.
    async fn receive(&mut self, agency: i64, category: &'static str, on: &str) -> usize {
        let created = expect(
            self.app.post("/api/v1/cases", &self.clerk, &case_body(agency, category, on)).await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(created["applicant"]["category"], category);
        self.cases.push(Filed {
            id: created["id"].as_i64().unwrap(),
            agency,
            category,
            received: date(on),
            concluded: None,
        });
        self.cases.len() - 1
    }

    async fn step(&self, i: usize, step: &str, body: Value) -> Value {
        let id = self.cases[i].id;
        expect(self.app.post(&format!("/api/v1/cases/{id}/{step}"), &self.officer, &body).await, StatusCode::OK).await
    }

    fn concluded(&mut self, i: usize, case: &Value, outcome: &'static str, on: NaiveDate) {
        assert_eq!(case["status"], "concluded");
        assert_eq!(case["outcome"], outcome);
        assert_eq!(case["concluded_on"], on.to_string());
        self.cases[i].concluded = Some((on, outcome));
    }

    /// Decide case `i`, with the facts its reply states: a text for every outcome (a refusal
    /// needs its reason), and for the outcomes that need them the correction, the request for
    /// reasons or the earlier case (the latest concluded request of the same category's
    /// applicant).
    async fn decide(&mut self, i: usize, outcome: &'static str, on: &str) {
        let mut body = json!({"decided_on": on, "outcome": outcome, "basis": "依法作出答复的理由和说明"});
        let received = self.cases[i].received;
        let day = |n: i64| (received + Duration::days(n)).to_string();
        match outcome {
            "unavailable_still_unclear" => {
                let request = json!({"issued_on": day(1), "respond_by": day(11), "matters": "请写明文件名称"});
                self.step(i, "correction-request", request).await;
                self.step(i, "correction", json!({"received_on": day(3)})).await;
            }
            "not_processed_excessive" => {
                let request = json!({"requested_on": day(1), "respond_by": day(11), "grounds": "一个月内申请六十件"});
                self.step(i, "reasons-request", request).await;
                self.step(i, "reasons", json!({"received_on": day(3), "reasons": "研究需要"})).await;
            }
            "not_processed_repeated" => {
                let case = &self.cases[i];
                let earlier = self
                    .cases
                    .iter()
                    .filter(|c| c.category == case.category && c.agency == case.agency && c.id != case.id)
                    .rfind(|c| c.concluded.is_some_and(|(d, o)| d <= date(on) && !o.starts_with("other")))
                    .expect("an earlier reply to the same applicant");
                body["repeats_case_id"] = json!(earlier.id);
            }
            _ => {}
        }
        let case = self.step(i, "decision", body).await;
        self.concluded(i, &case, outcome, date(on));
    }

    async fn withdraw(&mut self, i: usize, on: &str) {
        let case = self.step(i, "withdrawal", json!({"withdrawn_on": on})).await;
        self.concluded(i, &case, "other_misc", date(on));
    }

    /// A correction request the applicant lets lapse, concluded on the day it lapses.
    async fn lapse_correction(&mut self, i: usize, issued_on: &str, respond_by: &str) {
        let body = json!({"issued_on": issued_on, "respond_by": respond_by, "matters": "请补充文号"});
        let case = self.step(i, "correction-request", body).await;
        let lapses_on = date(case["correction"]["lapses_on"].as_str().unwrap());
        assert!(lapses_on > date(respond_by));
        let case =
            self.step(i, "decision", json!({"decided_on": lapses_on, "outcome": "other_correction_overdue"})).await;
        self.concluded(i, &case, "other_correction_overdue", lapses_on);
    }

    /// A per-page fee notice left unpaid, concluded on the day after `pay_by`.
    async fn lapse_fee(&mut self, i: usize, issued_on: &str, pages: u32) {
        let body = json!({"issued_on": issued_on, "basis": "per_page", "pages": pages});
        let case = self.step(i, "fee-notice", body).await;
        assert_eq!(case["status"], "awaiting_fee");
        let lapses_on = date(case["fee"]["pay_by"].as_str().unwrap()) + Duration::days(1);
        let case = self.step(i, "decision", json!({"decided_on": lapses_on, "outcome": "other_fee_unpaid"})).await;
        self.concluded(i, &case, "other_fee_unpaid", lapses_on);
    }

    /// File an appeal against case `i`; returns its index in `appeals`.
    async fn appeal(&mut self, i: usize, kind: &'static str, filed_on: &str) -> usize {
        let case = &self.cases[i];
        let path = format!("/api/v1/cases/{}/appeals", case.id);
        let appeal = expect(
            self.app.post(&path, &self.officer, &json!({"kind": kind, "filed_on": filed_on})).await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(appeal["case_id"], case.id);
        assert_eq!(appeal["kind"], kind);
        assert_eq!(appeal["result"], Value::Null);
        let filed = FiledAppeal { agency: case.agency, kind, filed: date(filed_on), decided: None };
        self.appeals.push((appeal["id"].as_i64().unwrap(), filed));
        self.appeals.len() - 1
    }

    async fn appeal_result(&mut self, a: usize, result: &'static str, decided_on: &str) {
        let id = self.appeals[a].0;
        let body = json!({"result": result, "decided_on": decided_on});
        let appeal =
            expect(self.app.post(&format!("/api/v1/appeals/{id}/result"), &self.officer, &body).await, StatusCode::OK)
                .await;
        assert_eq!(appeal["result"], result);
        assert_eq!(appeal["decided_on"], decided_on);
        self.appeals[a].1.decided = Some((date(decided_on), result));
    }

    pub(crate) async fn report(&self, year: i32, query: &str) -> Value {
        let path = format!("/api/v1/reports/annual/{year}?agency_id={}{query}", self.agency);
        expect(self.app.get(&path, &self.clerk).await, StatusCode::OK).await
    }

    fn expected(&self, year: i32, template: &str, subtree: bool) -> (Vec<(&'static str, [i64; 7])>, Value) {
        let agencies: Vec<i64> = if subtree { vec![self.agency, self.child] } else { vec![self.agency] };
        let appeals: Vec<FiledAppeal> = self.appeals.iter().map(|(_, a)| a.clone()).collect();
        (expected_rows(&self.cases, &agencies, year, template), expected_section_four(&appeals, &agencies, year))
    }
}

// ------------------------------------------------------------------ 1. the scenario

/// Three years of one agency (and a child agency): all six categories, all 21 outcomes, cases
/// carried over once and twice, appeals of every kind and result, some pending across year ends.
pub(crate) async fn three_years() -> Office {
    let mut o = office().await;
    let (ns, child) = (o.agency, o.child);

    // 2019.
    let a1 = o.receive(ns, "natural_person", "2019-03-05").await;
    o.decide(a1, "disclosed", "2019-03-20").await;
    let a2 = o.receive(ns, "commercial_enterprise", "2019-04-01").await;
    o.decide(a2, "partially_disclosed", "2019-04-19").await;
    let a3 = o.receive(ns, "research_institution", "2019-05-06").await;
    o.decide(a3, "withheld_state_secret", "2019-05-20").await;
    let a4 = o.receive(ns, "public_welfare_org", "2019-06-03").await;
    o.decide(a4, "withheld_prohibited_by_law", "2019-06-20").await;
    let a5 = o.receive(ns, "legal_service_org", "2019-07-01").await;
    o.decide(a5, "withheld_endangers_security_stability", "2019-07-15").await;
    let a6 = o.receive(ns, "other_org", "2019-08-01").await;
    o.decide(a6, "withheld_third_party_rights", "2019-08-20").await;
    let a7 = o.receive(ns, "natural_person", "2019-09-02").await;
    o.decide(a7, "withheld_internal_affairs", "2019-09-20").await;
    let a8 = o.receive(ns, "natural_person", "2019-10-08").await;
    o.decide(a8, "unavailable_not_held", "2019-10-25").await;
    let a12 = o.receive(ns, "other_org", "2019-05-10").await;
    o.withdraw(a12, "2019-05-15").await;
    // Open at the end of 2019, concluded in 2020.
    let a9 = o.receive(ns, "commercial_enterprise", "2019-12-02").await;
    let a11 = o.receive(ns, "natural_person", "2019-12-16").await;
    o.lapse_correction(a11, "2019-12-18", "2020-01-08").await;
    // Open at the end of 2019 and 2020, concluded in 2021: carried over twice.
    let a10 = o.receive(ns, "legal_service_org", "2019-11-04").await;
    let a13 = o.receive(ns, "research_institution", "2019-11-11").await;
    // The child agency.
    let d1 = o.receive(child, "natural_person", "2019-04-01").await;
    o.decide(d1, "disclosed", "2019-04-10").await;

    // 2020.
    o.decide(a9, "withheld_process_information", "2020-01-06").await;
    let b1 = o.receive(ns, "natural_person", "2020-03-02").await;
    o.decide(b1, "withheld_enforcement_case_files", "2020-03-20").await;
    let b2 = o.receive(ns, "commercial_enterprise", "2020-04-01").await;
    o.decide(b2, "withheld_administrative_inquiry", "2020-04-20").await;
    let b3 = o.receive(ns, "public_welfare_org", "2020-05-06").await;
    o.decide(b3, "unavailable_needs_creation", "2020-05-20").await;
    let b4 = o.receive(ns, "legal_service_org", "2020-06-01").await;
    o.decide(b4, "unavailable_still_unclear", "2020-06-19").await;
    let b5 = o.receive(ns, "other_org", "2020-07-01").await;
    o.decide(b5, "not_processed_petition_complaint", "2020-07-15").await;
    let b7 = o.receive(ns, "research_institution", "2020-08-03").await;
    o.decide(b7, "disclosed", "2020-08-20").await;
    let b8 = o.receive(ns, "natural_person", "2020-09-01").await;
    o.withdraw(b8, "2020-09-10").await;
    let b6 = o.receive(ns, "natural_person", "2020-12-21").await;
    let d2 = o.receive(child, "commercial_enterprise", "2020-12-01").await;

    // 2021.
    o.decide(b6, "not_processed_publication", "2021-01-08").await;
    o.decide(d2, "unavailable_not_held", "2021-01-15").await;
    o.decide(a10, "not_processed_repeated", "2021-02-01").await;
    o.withdraw(a13, "2021-03-01").await;
    let c1 = o.receive(ns, "natural_person", "2021-03-01").await;
    o.decide(c1, "not_processed_excessive", "2021-03-19").await;
    let c2 = o.receive(ns, "commercial_enterprise", "2021-04-01").await;
    o.decide(c2, "not_processed_confirm_or_reissue", "2021-04-20").await;
    let c3 = o.receive(ns, "other_org", "2021-05-06").await;
    o.lapse_fee(c3, "2021-05-10", 120).await;
    let c4 = o.receive(ns, "public_welfare_org", "2021-06-01").await;
    o.lapse_correction(c4, "2021-06-03", "2021-06-17").await;
    let c6 = o.receive(ns, "legal_service_org", "2021-07-01").await;
    o.decide(c6, "disclosed", "2021-07-20").await;
    let c7 = o.receive(ns, "natural_person", "2021-09-01").await;
    o.decide(c7, "partially_disclosed", "2021-09-17").await;
    let _c5 = o.receive(ns, "natural_person", "2021-12-20").await;
    let d3 = o.receive(child, "other_org", "2021-02-01").await;
    o.decide(d3, "disclosed", "2021-02-10").await;

    // Every outcome code was used.
    for outcome in OUTCOMES {
        assert!(o.cases.iter().any(|c| c.concluded.is_some_and(|(_, x)| x == outcome)), "{outcome} unused");
    }
    for category in CATEGORIES {
        assert!(o.cases.iter().any(|c| c.category == category), "{category} unused");
    }

    // Appeals. Reconsiderations: upheld and corrected in 2019; one pending over New Year 2020.
    let r1 = o.appeal(a3, "reconsideration", "2019-06-10").await;
    o.appeal_result(r1, "upheld", "2019-08-01").await;
    let r2 = o.appeal(a4, "reconsideration", "2019-07-01").await;
    o.appeal_result(r2, "corrected", "2019-09-02").await;
    let r3 = o.appeal(a1, "reconsideration", "2019-11-01").await;
    o.appeal_result(r3, "other", "2020-02-03").await;
    let r5 = o.appeal(b1, "reconsideration", "2020-04-01").await;
    o.appeal_result(r5, "upheld", "2020-05-06").await;
    let _r4 = o.appeal(c1, "reconsideration", "2021-04-01").await;
    // Direct litigation: pending in 2019 and upheld in 2020; corrected in 2020; pending in 2020 and
    // other in 2021; pending in 2021.
    let l1 = o.appeal(a5, "litigation_direct", "2019-08-01").await;
    o.appeal_result(l1, "upheld", "2020-03-02").await;
    let l2 = o.appeal(a8, "litigation_direct", "2020-01-10").await;
    o.appeal_result(l2, "corrected", "2020-06-01").await;
    let l3 = o.appeal(b2, "litigation_direct", "2020-05-06").await;
    o.appeal_result(l3, "other", "2021-01-20").await;
    let _l4 = o.appeal(c6, "litigation_direct", "2021-08-02").await;
    // Litigation after reconsideration.
    let la1 = o.appeal(a3, "litigation_after_reconsideration", "2019-08-20").await;
    o.appeal_result(la1, "corrected", "2020-04-01").await;
    let la2 = o.appeal(a4, "litigation_after_reconsideration", "2019-09-16").await;
    o.appeal_result(la2, "upheld", "2019-12-02").await;
    let la3 = o.appeal(a1, "litigation_after_reconsideration", "2020-02-17").await;
    o.appeal_result(la3, "other", "2020-10-09").await;
    let _la4 = o.appeal(b1, "litigation_after_reconsideration", "2020-06-01").await;
    // The child agency's reconsideration.
    let rd = o.appeal(d1, "reconsideration", "2019-05-06").await;
    o.appeal_result(rd, "upheld", "2019-06-03").await;
    o
}

#[tokio::test]
async fn three_years_of_cases_give_every_cell_of_the_reports_by_the_counting_rules() {
    let o = three_years().await;
    for year in 2019..=2021 {
        let template = if year <= 2020 { "2019" } else { "2021" };
        let report = o.report(year, "").await;
        let (rows, section_four) = o.expected(year, template, false);
        assert_report(&report, year, template, &rows, &section_four);
        assert_eq!(report["agency_id"], o.agency);
        assert_eq!(report["agency_name"], "NS 机关");
        assert_eq!(report["include_descendants"], false);
        assert_eq!(report["sealed"], Value::Null);
        // The identity holds in the reference model too, so the model itself is sound.
        for column in 0..7 {
            let cell = |key: &str| rows.iter().find(|(k, _)| *k == key).unwrap().1[column];
            assert_eq!(
                cell("new_received") + cell("carried_over"),
                cell("concluded_total") + cell("carried_forward"),
                "{year}: model identity"
            );
        }
    }
    // carried_over(Y) == carried_forward(Y−1), and the cases carried over twice are there.
    for year in 2020..=2021 {
        let before = o.report(year - 1, "").await;
        let now = o.report(year, "").await;
        assert_eq!(row_values(&now, "carried_over"), row_values(&before, "carried_forward"), "{year}");
    }
    let report_2020 = o.report(2020, "").await;
    // a10 and a13 (legal service, research) were open from November 2019 to 2021.
    // …and b6 (natural person) from December 2020 to January 2021.
    assert_eq!(row_values(&report_2020, "carried_forward"), json!([1, 0, 1, 0, 1, 0, 3]));
    assert_eq!(row_values(&report_2020, "carried_over"), json!([1, 1, 1, 0, 1, 0, 4]));
    let report_2021 = o.report(2021, "").await;
    assert_eq!(row_values(&report_2021, "other_fee_unpaid"), json!([0, 0, 0, 0, 0, 1, 1]));
    assert_eq!(row_values(&report_2021, "carried_forward"), json!([1, 0, 0, 0, 0, 0, 1]));
}

#[tokio::test]
async fn a_report_can_be_asked_for_in_the_other_template() {
    let o = three_years().await;
    // 2021 in the 2019 format: `other` sums the three other_* rows.
    let report = o.report(2021, "&template=2019").await;
    let (rows, section_four) = o.expected(2021, "2019", false);
    assert_report(&report, 2021, "2019", &rows, &section_four);
    let native = o.report(2021, "").await;
    let mut sum = [0i64; 7];
    for key in ["other_correction_overdue", "other_fee_unpaid", "other_misc"] {
        for (s, v) in sum.iter_mut().zip(row_values(&native, key).as_array().unwrap()) {
            *s += v.as_i64().unwrap();
        }
    }
    assert_eq!(row_values(&report, "other"), json!(sum));
    assert_eq!(row_values(&report, "other"), json!([0, 0, 1, 1, 0, 1, 3]));
    // 2019 in the 2021 format: the three rows apart.
    let report = o.report(2019, "&template=2021").await;
    let (rows, section_four) = o.expected(2019, "2021", false);
    assert_report(&report, 2019, "2021", &rows, &section_four);
    assert_eq!(row_values(&report, "other_misc"), json!([0, 0, 0, 0, 0, 1, 1]));
    assert_eq!(row_values(&report, "other_correction_overdue"), json!([0, 0, 0, 0, 0, 0, 0]));
    // An unknown template is a 400 (query parameter).
    let path = format!("/api/v1/reports/annual/2019?agency_id={}&template=2020", o.agency);
    let response = o.app.get(&path, &o.clerk).await;
    assert!(response.status().is_client_error(), "{}", response.status());
}

#[tokio::test]
async fn include_descendants_compiles_the_child_agencys_cases_too() {
    let o = three_years().await;
    for year in 2019..=2021 {
        let template = if year <= 2020 { "2019" } else { "2021" };
        let own = o.report(year, "").await;
        let whole = o.report(year, "&include_descendants=true").await;
        assert_eq!(whole["include_descendants"], true);
        let (rows, section_four) = o.expected(year, template, true);
        assert_report(&whole, year, template, &rows, &section_four);
        assert_ne!(own["section_three"], whole["section_three"], "{year}: the child's cases count only in the subtree");
    }
    let own = o.report(2019, "").await;
    let whole = o.report(2019, "&include_descendants=true").await;
    assert_eq!(row_values(&own, "disclosed"), json!([1, 0, 0, 0, 0, 0, 1]));
    assert_eq!(row_values(&whole, "disclosed"), json!([2, 0, 0, 0, 0, 0, 2]));
    assert_eq!(own["section_four"]["reconsideration"]["upheld"], 1);
    assert_eq!(whole["section_four"]["reconsideration"]["upheld"], 2);
    // The child's own report has only its cases.
    let path = format!("/api/v1/reports/annual/2020?agency_id={}", o.child);
    let child = expect(o.app.get(&path, &o.clerk).await, StatusCode::OK).await;
    let agencies = [o.child];
    assert_report(
        &child,
        2020,
        "2019",
        &expected_rows(&o.cases, &agencies, 2020, "2019"),
        &json!({
            "reconsideration": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
            "litigation_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
            "litigation_after_reconsideration": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}
        }),
    );
    assert_eq!(row_values(&child, "carried_forward"), json!([0, 1, 0, 0, 0, 0, 1]));
}

// ------------------------------------------------------------------ 2. exports

/// A small office with a few 2019 cases and appeals, for the exports.
async fn small_year() -> Office {
    let mut o = office().await;
    let ns = o.agency;
    let a = o.receive(ns, "natural_person", "2019-03-05").await;
    o.decide(a, "disclosed", "2019-03-20").await;
    let b = o.receive(ns, "commercial_enterprise", "2019-04-01").await;
    o.decide(b, "withheld_state_secret", "2019-04-19").await;
    let c = o.receive(ns, "other_org", "2019-05-06").await;
    o.withdraw(c, "2019-05-10").await;
    o.receive(ns, "legal_service_org", "2019-12-23").await;
    let r = o.appeal(b, "reconsideration", "2019-05-06").await;
    o.appeal_result(r, "corrected", "2019-07-01").await;
    o.appeal(a, "litigation_direct", "2019-06-03").await;
    o
}

async fn export(o: &Office, year: i32, query: &str) -> (String, reqwest::Response) {
    let path = format!("/api/v1/reports/annual/{year}?agency_id={}{query}", o.agency);
    let response = o.app.get(&path, &o.clerk).await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    (content_type, response)
}

#[tokio::test]
async fn the_csv_export_has_a_bom_a_title_and_one_line_per_row_with_keys_and_chinese_labels() {
    let o = small_year().await;
    let report = o.report(2019, "").await;
    let (content_type, response) = export(&o, 2019, "&format=csv").await;
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = response.text().await.unwrap();
    let body = text.strip_prefix('\u{feff}').expect("the CSV starts with a byte-order mark");
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert_eq!(lines[0], "title,标题,NS 机关2019年政府信息公开工作年度报告（统计部分·本级）");
    assert_eq!(lines[3], "scope,统计范围,本级");
    // Section two was not entered: said so, not left out.
    let two = lines.iter().position(|l| l.starts_with("section_two,")).unwrap();
    assert_eq!(lines[two + 1], "section_two_status,填报情况,未填报");
    assert_eq!(lines[two + 2], "");
    let start = lines.iter().position(|l| l.starts_with("section_three,")).unwrap();
    assert_eq!(lines[start], "section_three,三、收到和处理政府信息公开申请情况");
    assert_eq!(
        lines[start + 1],
        "key,label,natural_person,commercial_enterprise,research_institution,public_welfare_org,legal_service_org,other_org,total"
    );
    assert_eq!(lines[start + 2], ",,自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他,总计");
    let lines = &lines[start + 2..];
    let rows = report["section_three"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 23);
    for (line, row) in lines[1..=23].iter().zip(rows) {
        let values: Vec<String> = row["values"].as_array().unwrap().iter().map(|v| v.to_string()).collect();
        let expected =
            format!("{},{},{}", row["key"].as_str().unwrap(), row["label"].as_str().unwrap(), values.join(","));
        assert_eq!(*line, expected);
    }
    assert_eq!(lines[1], "new_received,一、本年新收政府信息公开申请数量,1,1,0,0,1,1,4");
    assert_eq!(lines[23], "carried_forward,四、结转下年度继续办理,0,0,0,0,1,0,1");
    assert_eq!(lines[24], "", "an empty line before section four");
    assert_eq!(lines[25], "section_four,四、政府信息公开行政复议、行政诉讼情况");
    assert_eq!(lines[26], "kind,label,upheld,corrected,other,pending,total");
    assert_eq!(lines[27], ",,结果维持,结果纠正,其他结果,尚未审结,总计");
    assert_eq!(lines[28], "reconsideration,行政复议,0,1,0,0,1");
    assert_eq!(lines[29], "litigation_direct,行政诉讼·未经复议直接起诉,0,0,0,1,1");
    assert_eq!(lines[30], "litigation_after_reconsideration,行政诉讼·复议后起诉,0,0,0,0,0");
}

#[tokio::test]
async fn the_html_export_is_a_printable_page_with_the_official_headings() {
    let o = small_year().await;
    let (content_type, response) = export(&o, 2019, "&format=html").await;
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = response.text().await.unwrap();
    for text in [
        "申请人情况",
        "法人或其他组织",
        "三、本年度办理结果",
        "NS 机关",
        "NS 机关2019年政府信息公开工作年度报告（统计部分·本级）",
        "本级：仅统计本机关的数据。",
        "<p class=\"missing\">未填报</p>",
        "勾稽关系：第一项加第二项之和等于第三项加第四项之和（各列）",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "（三）不予公开",
        "四、政府信息公开行政复议、行政诉讼情况",
        "未经复议直接起诉",
    ] {
        assert!(html.contains(text), "the page lacks {text}");
    }
    assert_eq!(html.matches("<tr data-key=").count(), 23);
    assert!(html.contains("<tr data-key=\"other\">"));
    assert!(!html.contains("data-key=\"other_misc\""));
}

fn open_xlsx(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

fn number(range: &Range<Data>, (row, col): (u32, u32)) -> i64 {
    match range.get_value((row, col)) {
        Some(Data::Float(f)) => {
            assert_eq!(f.fract(), 0.0);
            *f as i64
        }
        Some(Data::Int(i)) => *i,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}

fn string(range: &Range<Data>, (row, col): (u32, u32)) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("({row}, {col}) is not text: {other:?}"),
    }
}

fn merged(regions: &[Dimensions], start: (u32, u32), end: (u32, u32)) -> bool {
    regions.iter().any(|d| d.start == start && d.end == end)
}

#[tokio::test]
async fn the_xlsx_export_has_every_number_at_its_documented_address_and_the_merged_header() {
    let o = small_year().await;
    for template in ["2019", "2021"] {
        let report = o.report(2019, &format!("&template={template}")).await;
        let (content_type, response) = export(&o, 2019, &format!("&format=xlsx&template={template}")).await;
        assert_eq!(content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let mut workbook = open_xlsx(response.bytes().await.unwrap().to_vec());
        assert_eq!(
            workbook.sheet_names(),
            [
                "二、主动公开政府信息情况",
                "三、收到和处理政府信息公开申请情况",
                "四、政府信息公开行政复议、行政诉讼情况"
            ]
        );
        let title = "NS 机关2019年政府信息公开工作年度报告（统计部分·本级）";
        let two = workbook.worksheet_range("二、主动公开政府信息情况").unwrap();
        assert_eq!(string(&two, (0, 0)), title);
        assert_eq!(string(&two, (2, 0)), "未填报", "section two was not entered");
        let three = workbook.worksheet_range("三、收到和处理政府信息公开申请情况").unwrap();
        // Every number of section three, zeros included, at row 5 + i, columns D–J.
        let rows = report["section_three"]["rows"].as_array().unwrap();
        for (i, row) in rows.iter().enumerate() {
            for (j, value) in row["values"].as_array().unwrap().iter().enumerate() {
                let at = (5 + i as u32, 3 + j as u32);
                assert_eq!(number(&three, at), value.as_i64().unwrap(), "{template}: row {} col {j}", row["key"]);
            }
        }
        assert_eq!(number(&three, (5, 3)), 1, "D6: new_received, natural person");
        assert_eq!(number(&three, (5, 9)), 4, "J6: new_received, total");
        assert_eq!(number(&three, (6, 9)), 0, "J7: carried_over, total, a zero printed as 0");
        assert_eq!(string(&three, (0, 0)), title);
        assert_eq!(string(&three, (1, 0)), "三、收到和处理政府信息公开申请情况");
        assert_eq!(string(&three, (2, 0)), "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）");
        assert_eq!(string(&three, (2, 3)), "申请人情况");
        assert_eq!(string(&three, (3, 3)), "自然人");
        assert_eq!(string(&three, (3, 4)), "法人或其他组织");
        assert_eq!(string(&three, (4, 4)), "商业企业");
        assert_eq!(string(&three, (4, 8)), "其他");
        assert_eq!(string(&three, (3, 9)), "总计");
        assert_eq!(string(&three, (5, 0)), "一、本年新收政府信息公开申请数量");
        assert_eq!(string(&three, (7, 0)), "三、本年度办理结果");
        assert_eq!(string(&three, (7, 1)), "（一）予以公开");
        assert_eq!(string(&three, (9, 1)), "（三）不予公开");
        assert_eq!(string(&three, (9, 2)), "1.属于国家秘密");
        let last = 5 + rows.len() as u32 - 1;
        assert_eq!(string(&three, (last, 0)), "四、结转下年度继续办理");
        let regions = workbook.merge_cells_by_sheet_name("三、收到和处理政府信息公开申请情况").unwrap();
        for (start, end, what) in [
            ((0, 0), (0, 9), "report title A1:J1"),
            ((1, 0), (1, 9), "section title A2:J2"),
            ((2, 0), (4, 2), "note A3:C5"),
            ((2, 3), (2, 9), "申请人情况 D3:J3"),
            ((3, 3), (4, 3), "自然人 D4:D5"),
            ((3, 4), (3, 8), "法人或其他组织 E4:I4"),
            ((3, 9), (4, 9), "总计 J4:J5"),
            ((5, 0), (5, 2), "一、 A6:C6"),
            ((6, 0), (6, 2), "二、 A7:C7"),
            ((7, 1), (7, 2), "（一） B8:C8"),
            ((9, 1), (16, 1), "（三）不予公开 B10:B17"),
            ((17, 1), (19, 1), "（四）无法提供 B18:B20"),
            ((20, 1), (24, 1), "（五）不予处理 B21:B25"),
            ((last, 0), (last, 2), "四、 across A:C"),
            ((7, 0), (last - 1, 0), "三、本年度办理结果 down column A to （七）总计"),
        ] {
            assert!(merged(&regions, start, end), "{template}: {what} is not merged: {regions:?}");
        }
        if template == "2019" {
            assert_eq!(last, 27);
            assert!(merged(&regions, (25, 1), (25, 2)), "2019's （六） across B:C");
            assert_eq!(string(&three, (25, 1)), "（六）其他处理");
        } else {
            assert_eq!(last, 29);
            assert!(merged(&regions, (25, 1), (27, 1)), "2021's （六）其他处理 B26:B28");
            assert_eq!(string(&three, (27, 2)), "3.其他");
            assert_eq!(number(&three, (27, 8)), 1, "I28: other_misc, other organisations");
        }

        let four = workbook.worksheet_range("四、政府信息公开行政复议、行政诉讼情况").unwrap();
        let expected: Vec<i64> = APPEAL_KINDS
            .iter()
            .flat_map(|kind| {
                ["upheld", "corrected", "other", "pending", "total"]
                    .map(|k| report["section_four"][kind][k].as_i64().unwrap())
            })
            .collect();
        let actual: Vec<i64> = (0..15).map(|col| number(&four, (5, col))).collect();
        assert_eq!(actual, expected);
        assert_eq!(actual, [0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
        assert_eq!(string(&four, (0, 0)), title);
        assert_eq!(string(&four, (2, 0)), "行政复议");
        assert_eq!(string(&four, (2, 5)), "行政诉讼");
        assert_eq!(string(&four, (3, 5)), "未经复议直接起诉");
        assert_eq!(string(&four, (3, 10)), "复议后起诉");
        assert_eq!(string(&four, (4, 14)), "总计");
        let regions = workbook.merge_cells_by_sheet_name("四、政府信息公开行政复议、行政诉讼情况").unwrap();
        for (start, end) in [
            ((0, 0), (0, 14)),
            ((1, 0), (1, 14)),
            ((2, 0), (2, 4)),
            ((2, 5), (2, 14)),
            ((3, 5), (3, 9)),
            ((3, 10), (3, 14)),
        ] {
            assert!(merged(&regions, start, end), "section four: {start:?}-{end:?} not merged: {regions:?}");
        }
        for col in 0..5 {
            assert!(merged(&regions, (3, col), (4, col)), "行政复议's column label {col} spans two rows");
        }
    }
}

// ------------------------------------------------------------------ 3. the seed report

fn nanshan_section_two() -> Value {
    let zero3 = json!({"new_made": 0, "new_published": 0, "total_published": 0});
    json!({
        "template": "2019",
        "rules": zero3,
        "normative_documents": zero3,
        "licensing": {"previous_count": 26, "change": 0, "decisions": 83},
        "other_services": {"previous_count": 0, "change": 0, "decisions": 0},
        "penalties": {"previous_count": 5, "change": 0, "decisions": 9},
        "enforcement": {"previous_count": 0, "change": 0, "decisions": 0},
        "fees": {"previous_count": 0, "change": 0},
        "procurement": {"items": 0, "total_amount_fen": 0}
    })
}

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

#[tokio::test]
async fn the_nanshan_2019_report_is_recreated_from_an_agency_without_requests() {
    let app = spawn_app().await;
    let body = json!({"name": "鹤岗市南山区人民政府", "code": "NS", "parent_id": null});
    let agency = expect(app.post("/api/v1/agencies", &app.admin, &body).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let report_path = format!("/api/v1/reports/annual/2019?agency_id={agency}");
    let report = expect(app.get(&report_path, &officer).await, StatusCode::OK).await;
    let zero_rows: Vec<(&str, [i64; 7])> = rows("2019").into_iter().map(|k| (k, [0; 7])).collect();
    let zero_four = expected_section_four(&[], &[], 2019);
    assert_report(&report, 2019, "2019", &zero_rows, &zero_four);
    assert!(report.get("section_two").is_none(), "no section two before it is entered");
    assert_eq!(
        report["section_two_status"],
        json!({"state": "missing", "label": "未填报", "missing_agencies": [{"id": agency, "name": "鹤岗市南山区人民政府"}]})
    );
    assert_eq!(report["title"], "鹤岗市南山区人民政府2019年政府信息公开工作年度报告（统计部分·本级）");
    assert_eq!(report["scope"], "own");

    let path = format!("/api/v1/reports/annual/2019/section-two?agency_id={agency}");
    let stored = expect(put(&app, &path, &officer, &nanshan_section_two()).await, StatusCode::OK).await;
    assert_eq!(stored["figures"], nanshan_section_two());
    assert_eq!(stored["agency_id"], agency);
    assert_eq!(stored["year"], 2019);
    let got = expect(app.get(&path, &officer).await, StatusCode::OK).await;
    assert_eq!(got["figures"], nanshan_section_two());

    let report = expect(app.get(&report_path, &officer).await, StatusCode::OK).await;
    assert_eq!(report["section_two"], nanshan_section_two());
    assert_eq!(report["section_two_status"]["state"], "entered");
    assert_report(&report, 2019, "2019", &zero_rows, &zero_four);
    // The 2021 form of the same year has no section two in the 2019 format.
    let other = expect(app.get(&format!("{report_path}&template=2021"), &officer).await, StatusCode::OK).await;
    assert!(other.get("section_two").is_none());
    assert_eq!(other["section_two_status"]["label"], "未填报");

    let html = app.get(&format!("{report_path}&format=html"), &officer).await.text().await.unwrap();
    assert!(html.contains("鹤岗市南山区人民政府2019年政府信息公开工作年度报告（统计部分·本级）"));
    assert!(html.contains("二、主动公开政府信息情况"));
    assert!(html.contains(
        "<tr><td class=\"label\">行政许可</td><td class=\"num\">26</td><td class=\"num\">0</td><td class=\"num\">83</td></tr>"
    ));
    assert!(html.contains(
        "<tr><td class=\"label\">行政处罚</td><td class=\"num\">5</td><td class=\"num\">0</td><td class=\"num\">9</td></tr>"
    ));
    assert!(html.contains("第二十条第（九）项"));

    let bytes = app.get(&format!("{report_path}&format=xlsx"), &officer).await.bytes().await.unwrap().to_vec();
    let mut workbook = open_xlsx(bytes);
    assert_eq!(workbook.sheet_names().len(), 3);
    let two = workbook.worksheet_range("二、主动公开政府信息情况").unwrap();
    let find = |label: &str| -> u32 {
        (0..two.end().unwrap().0 + 1)
            .find(|&r| matches!(two.get_value((r, 0)), Some(Data::String(s)) if s == label))
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    let licensing = find("行政许可");
    assert_eq!([1, 2, 3].map(|c| number(&two, (licensing, c))), [26, 0, 83]);
    let penalties = find("行政处罚");
    assert_eq!([1, 2, 3].map(|c| number(&two, (penalties, c))), [5, 0, 9]);
    assert_eq!([1, 2, 3].map(|c| number(&two, (find("规章"), c))), [0, 0, 0]);
    assert_eq!([1, 2].map(|c| number(&two, (find("政府集中采购"), c))), [0, 0]);
    // Section three of the workbook is all zeros, printed as 0.
    let three = workbook.worksheet_range("三、收到和处理政府信息公开申请情况").unwrap();
    for row in 5..28 {
        for col in 3..10 {
            assert_eq!(number(&three, (row, col)), 0);
        }
    }
    let four = workbook.worksheet_range("四、政府信息公开行政复议、行政诉讼情况").unwrap();
    for col in 0..15 {
        assert_eq!(number(&four, (5, col)), 0);
    }
}

// ------------------------------------------------------------------ 3b. compiled reports

/// Section two in the 2019 form with `licensing` and `procurement` figures, the rest zero.
fn section_two_2019(licensing: [i64; 3], procurement_items: i64, procurement_fen: i64) -> Value {
    let zero3 = json!({"new_made": 0, "new_published": 0, "total_published": 0});
    let items = json!({"previous_count": 0, "change": 0, "decisions": 0});
    json!({
        "template": "2019",
        "rules": zero3,
        "normative_documents": zero3,
        "licensing": {"previous_count": licensing[0], "change": licensing[1], "decisions": licensing[2]},
        "other_services": items,
        "penalties": items,
        "enforcement": items,
        "fees": {"previous_count": 0, "change": 0},
        "procurement": {"items": procurement_items, "total_amount_fen": procurement_fen}
    })
}

#[tokio::test]
async fn a_compiled_report_sums_the_subtrees_section_two_and_names_the_agencies_that_have_not_entered_theirs() {
    let o = small_year().await;
    let grandchild = o.app.agency("NSJX", Some(o.child)).await;
    let two = |agency: i64| format!("/api/v1/reports/annual/2019/section-two?agency_id={agency}");
    expect(put(&o.app, &two(o.agency), &o.officer, &section_two_2019([26, 0, 83], 1, 1_500_000)).await, StatusCode::OK)
        .await;
    expect(put(&o.app, &two(o.child), &o.officer, &section_two_2019([4, -1, 7], 2, 250_000)).await, StatusCode::OK)
        .await;

    // The agency alone: its own figures, entered.
    let own = o.report(2019, "").await;
    assert_eq!(own["title"], "NS 机关2019年政府信息公开工作年度报告（统计部分·本级）");
    assert_eq!(own["scope"], "own");
    assert_eq!(own["section_two"], section_two_2019([26, 0, 83], 1, 1_500_000));
    assert_eq!(own["section_two_status"], json!({"state": "entered", "label": "已填报", "missing_agencies": []}));

    // Its subtree: the sum of the two that entered theirs; the grandchild named as missing.
    let whole = o.report(2019, "&include_descendants=true").await;
    assert_eq!(whole["title"], "NS 机关2019年政府信息公开工作年度报告（统计部分·汇总）");
    assert_eq!(whole["scope"], "compiled");
    assert_eq!(whole["section_two"], section_two_2019([30, -1, 90], 3, 1_750_000));
    assert_eq!(
        whole["section_two_status"],
        json!({"state": "partial", "label": "部分机关未填报", "missing_agencies": [{"id": grandchild, "name": "NSJX 机关"}]})
    );
    let sentence = "部分机关未填报：NSJX 机关未填报，以下为其余已填报机关数据之和。";

    let query = |format: &str| {
        format!("/api/v1/reports/annual/2019?agency_id={}&include_descendants=true&format={format}", o.agency)
    };
    let html = o.app.get(&query("html"), &o.clerk).await.text().await.unwrap();
    assert!(html.contains("<h1>NS 机关2019年政府信息公开工作年度报告（统计部分·汇总）</h1>"), "{html}");
    assert!(html.contains("汇总：统计本机关及其所属各级机关的数据。"));
    assert!(html.contains(&format!("<p class=\"note\">{sentence}</p>")));
    assert!(html.contains(
        "<tr><td class=\"label\">行政许可</td><td class=\"num\">30</td><td class=\"num\">-1</td><td class=\"num\">90</td></tr>"
    ));
    assert!(html
        .contains("<tr><td class=\"label\">政府集中采购</td><td class=\"num\">3</td><td class=\"num\">1.75</td></tr>"));

    let response = o.app.get(&query("csv"), &o.clerk).await;
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("-compiled.csv"));
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}title,标题,NS 机关2019年政府信息公开工作年度报告（统计部分·汇总）\r\n"));
    assert!(csv.contains(&format!("\r\nsection_two_status,填报情况,{sentence}\r\n")));
    assert!(csv.contains("\r\nlicensing,行政许可,30,-1,90\r\n"));

    let bytes = o.app.get(&query("xlsx"), &o.clerk).await.bytes().await.unwrap().to_vec();
    let mut workbook = open_xlsx(bytes);
    let sheet = workbook.worksheet_range("二、主动公开政府信息情况").unwrap();
    assert_eq!(string(&sheet, (0, 0)), "NS 机关2019年政府信息公开工作年度报告（统计部分·汇总）");
    assert_eq!(string(&sheet, (2, 0)), sentence);
    let licensing = (0..sheet.end().unwrap().0 + 1)
        .find(|&r| matches!(sheet.get_value((r, 0)), Some(Data::String(s)) if s == "行政许可"))
        .unwrap();
    assert_eq!([1, 2, 3].map(|c| number(&sheet, (licensing, c))), [30, -1, 90]);

    // Nobody in the child's subtree entered 2021's form: 未填报, both agencies named.
    let path = format!("/api/v1/reports/annual/2021?agency_id={}&include_descendants=true", o.child);
    let none = expect(o.app.get(&path, &o.clerk).await, StatusCode::OK).await;
    assert!(none.get("section_two").is_none());
    assert_eq!(none["section_two_status"]["state"], "missing");
    let names: Vec<&str> = none["section_two_status"]["missing_agencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["NSJ 机关", "NSJX 机关"]);
}

#[tokio::test]
async fn a_sub_agencys_section_two_entered_after_the_compiled_seal_shows_as_drift() {
    let o = small_year().await;
    let two = |agency: i64| format!("/api/v1/reports/annual/2019/section-two?agency_id={agency}");
    expect(put(&o.app, &two(o.agency), &o.officer, &section_two_2019([26, 0, 83], 0, 0)).await, StatusCode::OK).await;
    let seal = format!("/api/v1/reports/annual/2019/seal?agency_id={}&include_descendants=true", o.agency);
    expect(o.app.post(&seal, &o.supervisor, &json!({})).await, StatusCode::CREATED).await;
    let report = o.report(2019, "&include_descendants=true").await;
    assert_eq!(report["live_differs"], false);
    assert_eq!(report["section_two_status"]["state"], "partial");

    // The compiled seal covers the child: its figures need a supervisor and a reason.
    let response = put(&o.app, &two(o.child), &o.officer, &section_two_2019([4, 0, 7], 0, 0)).await;
    expect_problem(response, StatusCode::CONFLICT, "year_sealed").await;
    let path = format!("{}&amendment_reason={}", two(o.child), "补录下属机关数据");
    expect(put(&o.app, &path, &o.supervisor, &section_two_2019([4, 0, 7], 0, 0)).await, StatusCode::OK).await;

    let report = o.report(2019, "&include_descendants=true").await;
    assert_eq!(report["live_differs"], true);
    assert_eq!(report["section_two"], section_two_2019([26, 0, 83], 0, 0), "the sealed figures are shown");
    let path = format!("/api/v1/reports/annual/2019/drift?agency_id={}&include_descendants=true", o.agency);
    let d = expect(o.app.get(&path, &o.clerk).await, StatusCode::OK).await;
    assert_eq!(d["live_differs"], true);
    assert_eq!(
        cells_of(&d),
        [
            cell("section_two", "licensing", "decisions", 83, 90),
            cell("section_two", "licensing", "previous_count", 26, 30),
        ]
    );
}

// ------------------------------------------------------------------ 4. drill-down

async fn cell_ids(o: &Office, year: i32, query: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/reports/annual/{year}/cases?agency_id={}{query}&limit=2", o.agency);
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = expect(o.app.get(&path, &o.clerk).await, StatusCode::OK).await;
        ids.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    ids
}

#[tokio::test]
async fn every_opened_cell_lists_exactly_the_cases_behind_it() {
    let o = three_years().await;
    let agencies = [o.agency];
    let cells = [
        (2019, "new_received", "total"),
        (2019, "new_received", "natural_person"),
        (2019, "withheld_state_secret", "research_institution"),
        (2019, "withheld_state_secret", "total"),
        (2019, "disclosed", "natural_person"),
        (2020, "carried_over", "total"),
        (2020, "carried_over", "legal_service_org"),
        (2020, "carried_forward", "total"),
        (2021, "carried_over", "total"),
        (2021, "carried_forward", "natural_person"),
        (2021, "concluded_total", "total"),
        (2021, "other_misc", "total"),
        (2020, "other", "natural_person"),
        (2020, "withheld_process_information", "commercial_enterprise"),
    ];
    for ((year, row, column), subtree) in cells.into_iter().flat_map(|cell| [(cell, false), (cell, true)]) {
        // The subtree's list merges the agencies' own lists: the same order over both.
        let agencies = if subtree { vec![o.agency, o.child] } else { agencies.to_vec() };
        let query = if subtree { "&include_descendants=true" } else { "" };
        let (start, end) = (ymd(year, 1, 1), ymd(year, 12, 31));
        let mut expected = o
            .cases
            .iter()
            .filter(|c| agencies.contains(&c.agency) && (column == "total" || c.category == column))
            .filter(|c| {
                let in_year = c.concluded.filter(|(on, _)| (start..=end).contains(on)).map(|(_, x)| x);
                match row {
                    "new_received" => c.received.year() == year,
                    "carried_over" => c.received < start && !matches!(c.concluded, Some((on, _)) if on < start),
                    "carried_forward" => c.received <= end && !matches!(c.concluded, Some((on, _)) if on <= end),
                    "concluded_total" => in_year.is_some(),
                    "other" => in_year.is_some_and(|x| x.starts_with("other_")),
                    outcome => in_year == Some(outcome),
                }
            })
            .map(|c| {
                // Newest first by the date that puts the case in the cell, then by id.
                let by_receipt = matches!(row, "new_received" | "carried_over" | "carried_forward");
                let day = if by_receipt { c.received } else { c.concluded.map_or(c.received, |(on, _)| on) };
                (day, c.id)
            })
            .collect::<Vec<_>>();
        expected.sort_unstable_by(|a, b| b.cmp(a));
        let expected: Vec<i64> = expected.into_iter().map(|(_, id)| id).collect();
        let ids = cell_ids(&o, year, &format!("&row={row}&column={column}{query}")).await;
        assert_eq!(ids, expected, "{year} {row} × {column}{query}, newest first");
        assert!(!ids.is_empty(), "{year} {row} × {column}{query}: the scenario puts cases there");
        // The count agrees with the report's cell.
        let report = o.report(year, query).await;
        let index = CATEGORIES.iter().position(|c| *c == column).unwrap_or(6);
        assert_eq!(row_values(&report, row)[index], ids.len(), "{year} {row} × {column}{query}");
    }
    // The subtree adds the child's cases.
    let ids = cell_ids(&o, 2019, "&row=disclosed&column=natural_person&include_descendants=true").await;
    assert_eq!(ids.len(), 2);
    // The other template's rows can be opened when asked for.
    let ids = cell_ids(&o, 2021, "&row=other&column=total&template=2019").await;
    assert_eq!(ids.len(), 3);

    let base = format!("/api/v1/reports/annual/2019/cases?agency_id={}", o.agency);
    for (query, field) in [
        ("&row=bogus&column=total", "row"),
        ("&row=disclosed&column=bogus", "column"),
        ("&row=other_misc&column=total", "row"),
    ] {
        let problem = expect_problem(
            o.app.get(&format!("{base}{query}"), &o.clerk).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(fields(&problem), [field], "{query}");
    }
    let path = format!("/api/v1/reports/annual/2021/cases?agency_id={}&row=other&column=total", o.agency);
    let problem =
        expect_problem(o.app.get(&path, &o.clerk).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(fields(&problem), ["row"]);
}

// ------------------------------------------------------------------ 5. sealing

fn seal_path(o: &Office, year: i32) -> String {
    format!("/api/v1/reports/annual/{year}/seal?agency_id={}", o.agency)
}

async fn drift(o: &Office, year: i32) -> Value {
    let path = format!("/api/v1/reports/annual/{year}/drift?agency_id={}", o.agency);
    expect(o.app.get(&path, &o.clerk).await, StatusCode::OK).await
}

fn cells_of(drift: &Value) -> Vec<(String, String, String, i64, i64)> {
    let mut cells: Vec<_> = drift["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["section"].as_str().unwrap().to_string(),
                c["row"].as_str().unwrap().to_string(),
                c["column"].as_str().unwrap().to_string(),
                c["sealed"].as_i64().unwrap(),
                c["live"].as_i64().unwrap(),
            )
        })
        .collect();
    cells.sort();
    cells
}

fn cell(section: &str, row: &str, column: &str, sealed: i64, live: i64) -> (String, String, String, i64, i64) {
    (section.to_string(), row.to_string(), column.to_string(), sealed, live)
}

#[tokio::test]
async fn a_sealed_year_keeps_its_figures_and_changes_to_it_show_up_as_drift() {
    let mut o = small_year().await;
    let ns = o.agency;
    // Refusals first.
    let by_officer = o.app.post(&seal_path(&o, 2019), &o.officer, &json!({})).await;
    expect_problem(by_officer, StatusCode::FORBIDDEN, "forbidden").await;
    let this_year = format!("/api/v1/reports/annual/2026/seal?agency_id={ns}");
    let problem = expect_problem(
        o.app.post(&this_year, &o.supervisor, &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "year_not_over",
    )
    .await;
    assert_eq!(fields(&problem), ["year"]);
    let no_drift = format!("/api/v1/reports/annual/2019/drift?agency_id={ns}");
    expect_problem(o.app.get(&no_drift, &o.clerk).await, StatusCode::NOT_FOUND, "report_not_sealed").await;

    let before = o.report(2019, "").await;
    let seal = expect(o.app.post(&seal_path(&o, 2019), &o.supervisor, &json!({})).await, StatusCode::CREATED).await;
    let hash = seal["content_hash"].as_str().unwrap().to_string();
    assert_eq!(hash.len(), 64, "a SHA-256 in hex");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(seal["template"], "2019");
    assert_eq!(seal["reason"], Value::Null);
    let again = o.app.post(&seal_path(&o, 2019), &o.supervisor, &json!({})).await;
    expect_problem(again, StatusCode::CONFLICT, "already_sealed").await;

    let sealed = o.report(2019, "").await;
    assert_eq!(sealed["sealed"]["content_hash"], hash.as_str());
    assert_eq!(sealed["sealed"]["id"], seal["id"]);
    assert_eq!(sealed["live_differs"], false);
    assert_eq!(sealed["section_three"], before["section_three"]);
    assert_eq!(sealed["section_four"], before["section_four"]);
    let d = drift(&o, 2019).await;
    assert_eq!(d["live_differs"], false);
    assert_eq!(d["live_hash"], hash.as_str());
    assert_eq!(d["cells"], json!([]));
    assert_eq!(d["events"], json!([]));

    // A back-dated intake into 2019: refused for an officer (and for a supervisor without a reason).
    let mut body = case_body(ns, "natural_person", "2019-06-03");
    let refused = o.app.post("/api/v1/cases", &o.officer, &body).await;
    expect_problem(refused, StatusCode::CONFLICT, "year_sealed").await;
    let refused = o.app.post("/api/v1/cases", &o.supervisor, &body).await;
    expect_problem(refused, StatusCode::CONFLICT, "year_sealed").await;
    body["amendment_reason"] = json!("a letter found in the archive, received in June 2019");
    let refused = o.app.post("/api/v1/cases", &o.officer, &body).await;
    expect_problem(refused, StatusCode::CONFLICT, "year_sealed").await;
    let late = expect(o.app.post("/api/v1/cases", &o.supervisor, &body).await, StatusCode::CREATED).await;
    let late_id = late["id"].as_i64().unwrap();
    // A request of 2020 is no business of the 2019 seal.
    o.receive(ns, "natural_person", "2020-02-03").await;

    let sealed = o.report(2019, "").await;
    assert_eq!(sealed["live_differs"], true);
    assert_eq!(sealed["sealed"]["content_hash"], hash.as_str());
    assert_eq!(sealed["section_three"], before["section_three"], "the sealed figures are shown");
    let live = o.report(2019, "&live=true").await;
    assert_eq!(live["sealed"], Value::Null);
    assert_eq!(row_values(&live, "new_received"), json!([2, 1, 0, 0, 1, 1, 5]));
    let d = drift(&o, 2019).await;
    assert_eq!(d["live_differs"], true);
    assert_ne!(d["live_hash"], hash.as_str());
    assert_eq!(
        cells_of(&d),
        [
            cell("section_three", "carried_forward", "natural_person", 0, 1),
            cell("section_three", "carried_forward", "total", 1, 2),
            cell("section_three", "new_received", "natural_person", 1, 2),
            cell("section_three", "new_received", "total", 4, 5),
        ]
    );
    let events = d["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["case_id"], late_id);
    assert_eq!(events[0]["kind"], "received");
    assert_eq!(events[0]["payload"]["sealed_override"]["years"], json!([2019]));

    // An amendment of a 2019 outcome: supervisors only, with a reason.
    let first = o.cases[0].id;
    let amendment = json!({"outcome": "withheld_state_secret", "reason": "the reply withheld the file as secret",
        "basis": "属于国家秘密"});
    let path = format!("/api/v1/cases/{first}/amendment");
    expect_problem(o.app.post(&path, &o.officer, &amendment).await, StatusCode::FORBIDDEN, "forbidden").await;
    let amended = expect(o.app.post(&path, &o.supervisor, &amendment).await, StatusCode::OK).await;
    assert_eq!(amended["outcome"], "withheld_state_secret");
    assert_eq!(amended["concluded_on"], "2019-03-20");
    o.cases[0].concluded = Some((date("2019-03-20"), "withheld_state_secret"));
    let d = drift(&o, 2019).await;
    assert_eq!(
        cells_of(&d),
        [
            cell("section_three", "carried_forward", "natural_person", 0, 1),
            cell("section_three", "carried_forward", "total", 1, 2),
            cell("section_three", "disclosed", "natural_person", 1, 0),
            cell("section_three", "disclosed", "total", 1, 0),
            cell("section_three", "new_received", "natural_person", 1, 2),
            cell("section_three", "new_received", "total", 4, 5),
            cell("section_three", "withheld_state_secret", "natural_person", 0, 1),
            cell("section_three", "withheld_state_secret", "total", 1, 2),
        ]
    );
    let kinds: Vec<(i64, &str)> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["case_id"].as_i64().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [(late_id, "received"), (first, "amended")]);
    let amended_event = &d["events"][1];
    assert_eq!(amended_event["payload"]["previous"]["outcome"], "disclosed");
    assert_eq!(amended_event["payload"]["outcome"], "withheld_state_secret");

    // Sealing again needs a reason, and then shows the new figures and hash.
    let resealed = expect(
        o.app
            .post(&seal_path(&o, 2019), &o.supervisor, &json!({"reason": "the archived letter and the amendment"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let new_hash = resealed["content_hash"].as_str().unwrap();
    assert_ne!(new_hash, hash);
    assert_eq!(resealed["reason"], "the archived letter and the amendment");
    let sealed = o.report(2019, "").await;
    assert_eq!(sealed["sealed"]["content_hash"], new_hash);
    assert_eq!(sealed["live_differs"], false);
    assert_eq!(sealed["section_three"], live_three(&o, 2019).await);
    assert_eq!(row_values(&sealed, "withheld_state_secret"), json!([1, 1, 0, 0, 0, 0, 2]));
    let d = drift(&o, 2019).await;
    assert_eq!(d["live_differs"], false);
    assert_eq!(d["cells"], json!([]));
    assert_eq!(d["events"], json!([]));
    // 2020 carries the late case over, and its check 4 compares with the new seal of 2019.
    let report_2020 = o.report(2020, "").await;
    assert_eq!(row_values(&report_2020, "carried_over"), json!([1, 0, 0, 0, 1, 0, 2]));
    assert!(report_2020["checks"].as_array().unwrap().iter().all(|c| c["passed"] == true), "{report_2020}");
}

async fn live_three(o: &Office, year: i32) -> Value {
    o.report(year, "&live=true").await["section_three"].clone()
}

#[tokio::test]

async fn an_appeal_dated_in_a_sealed_year_is_listed_in_its_drift_even_on_a_case_concluded_before() {
    let o = small_year().await;
    expect(o.app.post(&seal_path(&o, 2020), &o.supervisor, &json!({})).await, StatusCode::CREATED).await;
    // The disclosed case of March 2019 is taken to reconsideration in March 2020.
    let path = format!("/api/v1/cases/{}/appeals", o.cases[0].id);
    let body = json!({"kind": "reconsideration", "filed_on": "2020-03-02"});
    expect_problem(o.app.post(&path, &o.officer, &body).await, StatusCode::CONFLICT, "year_sealed").await;
    let body = json!({"kind": "reconsideration", "filed_on": "2020-03-02", "amendment_reason": "filed late"});
    let appeal = expect(o.app.post(&path, &o.supervisor, &body).await, StatusCode::CREATED).await;
    let d = drift(&o, 2020).await;
    assert_eq!(
        cells_of(&d),
        [
            cell("section_four", "reconsideration", "pending", 0, 1),
            cell("section_four", "reconsideration", "total", 0, 1),
        ]
    );
    let events = d["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "the appeal_filed event changed section four of 2020: {d}");
    assert_eq!(events[0]["kind"], "appeal_filed");
    assert_eq!(events[0]["payload"]["appeal_id"], appeal["id"]);
}

#[tokio::test]

async fn an_amendment_of_a_later_year_is_not_listed_in_the_drift_of_a_sealed_year() {
    let mut o = small_year().await;
    let ns = o.agency;
    let later = o.receive(ns, "natural_person", "2020-03-02").await;
    o.decide(later, "disclosed", "2020-03-20").await;
    expect(o.app.post(&seal_path(&o, 2019), &o.supervisor, &json!({})).await, StatusCode::CREATED).await;
    let path = format!("/api/v1/cases/{}/amendment", o.cases[later].id);
    let amendment = json!({"outcome": "unavailable_not_held", "reason": "the file was never held"});
    expect(o.app.post(&path, &o.supervisor, &amendment).await, StatusCode::OK).await;
    let d = drift(&o, 2019).await;
    assert_eq!(d["live_differs"], false);
    assert_eq!(d["cells"], json!([]));
    assert_eq!(d["events"], json!([]), "an amendment dated and effective in 2020 cannot change 2019: {d}");
}

#[tokio::test]

async fn section_two_of_a_sealed_year_cannot_be_changed_without_a_supervisor_and_a_reason() {
    let o = small_year().await;
    expect(o.app.post(&seal_path(&o, 2019), &o.supervisor, &json!({})).await, StatusCode::CREATED).await;
    let path = format!("/api/v1/reports/annual/2019/section-two?agency_id={}", o.agency);
    let response = put(&o.app, &path, &o.officer, &nanshan_section_two()).await;
    expect_problem(response, StatusCode::CONFLICT, "year_sealed").await;
}

// ------------------------------------------------------------------ 6. appeals

#[tokio::test]
async fn appeals_are_checked_against_the_case_and_recorded_on_it() {
    let mut o = office().await;
    let ns = o.agency;
    let open = o.receive(ns, "natural_person", "2021-03-01").await;
    let open_id = o.cases[open].id;
    let path = format!("/api/v1/cases/{open_id}/appeals");
    let body = json!({"kind": "reconsideration", "filed_on": "2021-04-01"});
    expect_problem(o.app.post(&path, &o.officer, &body).await, StatusCode::CONFLICT, "case_not_concluded").await;

    let refused = o.receive(ns, "commercial_enterprise", "2021-03-01").await;
    o.decide(refused, "withheld_third_party_rights", "2021-03-19").await;
    let id = o.cases[refused].id;
    let path = format!("/api/v1/cases/{id}/appeals");
    // Before the decision.
    let early = json!({"kind": "reconsideration", "filed_on": "2021-03-10"});
    let problem = expect_problem(
        o.app.post(&path, &o.officer, &early).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "date_before_decision",
    )
    .await;
    assert_eq!(fields(&problem), ["filed_on"]);
    // Litigation after a reconsideration that does not exist yet.
    let after = json!({"kind": "litigation_after_reconsideration", "filed_on": "2021-04-01"});
    let problem = expect_problem(
        o.app.post(&path, &o.officer, &after).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_reconsideration",
    )
    .await;
    assert_eq!(fields(&problem), ["kind"]);
    // Clerks do not record appeals.
    let clerk = o.app.post(&path, &o.clerk, &json!({"kind": "reconsideration", "filed_on": "2021-04-01"})).await;
    expect_problem(clerk, StatusCode::FORBIDDEN, "forbidden").await;
    // A reconsideration, still pending: litigation after it is still refused.
    let r = o.appeal(refused, "reconsideration", "2021-04-01").await;
    let problem = expect_problem(
        o.app.post(&path, &o.officer, &after).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_reconsideration",
    )
    .await;
    assert_eq!(fields(&problem), ["kind"]);
    // A result before the filing is refused; then it is decided, and only once.
    let appeal_id = o.appeals[r].0;
    let result_path = format!("/api/v1/appeals/{appeal_id}/result");
    let problem = expect_problem(
        o.app.post(&result_path, &o.officer, &json!({"result": "corrected", "decided_on": "2021-03-31"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["decided_on"]);
    let problem = expect_problem(
        o.app.post(&result_path, &o.officer, &json!({"result": "overturned", "decided_on": "2021-06-01"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["result"]);
    o.appeal_result(r, "corrected", "2021-06-01").await;
    let second = o.app.post(&result_path, &o.officer, &json!({"result": "upheld", "decided_on": "2021-06-02"})).await;
    expect_problem(second, StatusCode::CONFLICT, "appeal_decided").await;
    // Litigation after the decided reconsideration, but not filed before its decision.
    let too_soon = json!({"kind": "litigation_after_reconsideration", "filed_on": "2021-05-31"});
    expect_problem(
        o.app.post(&path, &o.officer, &too_soon).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_reconsideration",
    )
    .await;
    let la = o.appeal(refused, "litigation_after_reconsideration", "2021-06-15").await;

    let case = expect(o.app.get(&format!("/api/v1/cases/{id}"), &o.clerk).await, StatusCode::OK).await;
    assert_eq!(case["corrected_on_appeal"], true);
    assert_eq!(case["status"], "concluded");
    assert_eq!(case["outcome"], "withheld_third_party_rights", "the recorded outcome stays as decided");
    assert_eq!(case["appeals"].as_array().unwrap().len(), 2);
    let list = expect(o.app.get(&path, &o.clerk).await, StatusCode::OK).await;
    let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["reconsideration", "litigation_after_reconsideration"]);
    assert_eq!(list[0]["result"], "corrected");
    assert_eq!(list[0]["decided_on"], "2021-06-01");
    assert_eq!(list[1]["result"], Value::Null);
    assert_eq!(list[1]["agency_id"], ns);

    // Direct litigation against a refusal: allowed before 2024, not since.
    let old = o.receive(ns, "natural_person", "2023-11-01").await;
    o.decide(old, "withheld_internal_affairs", "2023-11-20").await;
    let recent = o.receive(ns, "natural_person", "2023-12-01").await;
    o.decide(recent, "withheld_process_information", "2023-12-20").await;
    o.appeal(old, "litigation_direct", "2023-12-29").await;
    let path = format!("/api/v1/cases/{}/appeals", o.cases[recent].id);
    let direct = json!({"kind": "litigation_direct", "filed_on": "2024-01-02"});
    let problem = expect_problem(
        o.app.post(&path, &o.officer, &direct).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reconsideration_required",
    )
    .await;
    assert_eq!(fields(&problem), ["kind"]);
    // A disclosed case may still go to court directly.
    let disclosed = o.receive(ns, "natural_person", "2024-03-01").await;
    o.decide(disclosed, "disclosed", "2024-03-15").await;
    o.appeal(disclosed, "litigation_direct", "2024-04-01").await;
    let corrected_case =
        expect(o.app.get(&format!("/api/v1/cases/{}", o.cases[old].id), &o.clerk).await, StatusCode::OK).await;
    assert_eq!(corrected_case["corrected_on_appeal"], false);

    // The lists and the single appeal.
    let all = expect(o.app.get(&format!("/api/v1/appeals?agency_id={ns}"), &o.clerk).await, StatusCode::OK).await;
    let ids: Vec<i64> = all["items"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    let mut expected: Vec<i64> = o.appeals.iter().map(|(id, _)| *id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
    let la_id = o.appeals[la].0;
    let one = expect(o.app.get(&format!("/api/v1/appeals/{la_id}"), &o.clerk).await, StatusCode::OK).await;
    assert_eq!(one["kind"], "litigation_after_reconsideration");
    assert_eq!(one["case_id"], id);
    assert_eq!(one["filed_on"], "2021-06-15");

    // Another agency sees none of it.
    let other = o.app.agency("XX", None).await;
    let stranger = o.app.user("stranger", Role::Officer, Some(other)).await;
    expect_problem(
        o.app.get(&format!("/api/v1/appeals/{la_id}"), &stranger).await,
        StatusCode::NOT_FOUND,
        "appeal_not_found",
    )
    .await;
    let response = o.app.get(&format!("/api/v1/cases/{id}/appeals"), &stranger).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = o
        .app
        .post(
            &format!("/api/v1/appeals/{la_id}/result"),
            &stranger,
            &json!({"result": "upheld", "decided_on": "2021-07-01"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = o
        .app
        .post(
            &format!("/api/v1/cases/{id}/appeals"),
            &stranger,
            &json!({"kind": "reconsideration", "filed_on": "2021-07-01"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = o.app.get(&format!("/api/v1/appeals?agency_id={ns}"), &stranger).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let theirs = expect(o.app.get("/api/v1/appeals", &stranger).await, StatusCode::OK).await;
    assert_eq!(theirs["items"], json!([]));
    let report = format!("/api/v1/reports/annual/2021?agency_id={ns}");
    assert_eq!(o.app.get(&report, &stranger).await.status(), StatusCode::NOT_FOUND);
}

// ------------------------------------------------------------------ 7. section two validation

#[tokio::test]
async fn section_two_figures_are_validated_and_read_back() {
    let o = office().await;
    let path = format!("/api/v1/reports/annual/2019/section-two?agency_id={}", o.agency);
    expect_problem(o.app.get(&path, &o.clerk).await, StatusCode::NOT_FOUND, "section_two_not_found").await;

    let mut negative = nanshan_section_two();
    negative["penalties"]["decisions"] = json!(-1);
    let problem = expect_problem(
        put(&o.app, &path, &o.officer, &negative).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem).len(), 1);
    assert_eq!(fields(&problem), ["penalties.decisions"], "{problem}");
    // 本年增/减 may be negative.
    let mut shrinking = nanshan_section_two();
    shrinking["licensing"]["change"] = json!(-3);
    expect(put(&o.app, &path, &o.officer, &shrinking).await, StatusCode::OK).await;
    // Clerks only read.
    expect_problem(put(&o.app, &path, &o.clerk, &nanshan_section_two()).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    let got = expect(o.app.get(&path, &o.clerk).await, StatusCode::OK).await;
    assert_eq!(got["figures"], shrinking);

    // The 2021 form: replaces the figures of 2021.
    let path_2021 = format!("/api/v1/reports/annual/2021/section-two?agency_id={}", o.agency);
    let form_2021 = json!({
        "template": "2021",
        "rules": {"issued": 1, "repealed": 0, "in_force": 4},
        "normative_documents": {"issued": 2, "repealed": 1, "in_force": 10},
        "licensing": {"decisions": 83},
        "penalties": {"decisions": 9},
        "enforcement": {"decisions": 0},
        "fees": {"amount_fen": 1_234_500}
    });
    expect(put(&o.app, &path_2021, &o.officer, &form_2021).await, StatusCode::OK).await;
    let report = o.report(2021, "").await;
    assert_eq!(report["section_two"], form_2021);
    let html = o.app.get(&format!("/api/v1/reports/annual/2021?agency_id={}&format=html", o.agency), &o.clerk).await;
    let html = html.text().await.unwrap();
    assert!(html.contains("本年收费金额（单位：万元）"));
    assert!(html.contains("<td class=\"num\">1.2345</td>"), "an amount in 万元, exactly");
}

#[tokio::test]

async fn a_section_two_field_of_the_wrong_type_or_missing_is_named_by_its_path() {
    let o = office().await;
    let path = format!("/api/v1/reports/annual/2019/section-two?agency_id={}", o.agency);
    let mut wrong_type = nanshan_section_two();
    wrong_type["licensing"]["decisions"] = json!("eighty-three");
    let mut missing = nanshan_section_two();
    missing["penalties"].as_object_mut().unwrap().remove("decisions");
    let mut no_template = nanshan_section_two();
    no_template.as_object_mut().unwrap().remove("template");
    let mut named = Vec::new();
    for body in [wrong_type, missing, no_template] {
        let response = put(&o.app, &path, &o.officer, &body).await;
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        named.push(fields(&problem));
    }
    assert_eq!(named, [["licensing.decisions"], ["penalties.decisions"], ["template"]]);
}
