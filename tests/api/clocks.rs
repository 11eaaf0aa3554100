//! The statutory clocks through the API: every step, its refusals, the explanation, the calendar,
//! the sweep and the dashboard. Each due date below was counted by hand against
//! config/calendar/cn-calendar.toml (the counting starts on the first working day after a date).

use chrono::{Duration, NaiveDate};
use gongkai::domain::calendar::Calendar;
use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{china_today, expect, expect_problem, fields, intake_body, spawn_app, TestApp};

struct Office {
    app: TestApp,
    agency: i64,
    clerk: String,
    officer: String,
    supervisor: String,
}

async fn office() -> Office {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let supervisor = app.user("supervisor", Role::Supervisor, Some(agency)).await;
    Office { app, agency, clerk, officer, supervisor }
}

impl Office {
    async fn case(&self, received_on: &str) -> i64 {
        self.app.intake(&self.clerk, self.agency, received_on).await["id"].as_i64().unwrap()
    }

    async fn step(&self, token: &str, id: i64, step: &str, body: Value) -> reqwest::Response {
        self.app.post(&format!("/api/v1/cases/{id}/{step}"), token, &body).await
    }

    async fn ok(&self, token: &str, id: i64, step: &str, body: Value) -> Value {
        expect(self.step(token, id, step, body).await, StatusCode::OK).await
    }

    async fn get(&self, id: i64) -> Value {
        expect(self.app.get(&format!("/api/v1/cases/{id}"), &self.clerk).await, StatusCode::OK).await
    }
}

fn today() -> NaiveDate {
    china_today()
}

#[tokio::test]
async fn receipt_dates_around_holidays_give_the_hand_counted_due_dates() {
    let office = office().await;
    // (receipt, due): ordinary Tuesday; Monday before National Day 2019 (1–7 Oct rest, Sat 12 Oct
    // worked); inside the holiday; on the make-up Saturday; the 2020 Spring Festival, extended to
    // 2 Feb; across New Year into Sunday 19 Jan 2020, a make-up working day; a Friday.
    let cases = [
        ("2019-03-05", "2019-04-02"),
        ("2019-09-30", "2019-11-01"),
        ("2019-10-03", "2019-11-01"),
        ("2019-10-12", "2019-11-08"),
        ("2020-01-20", "2020-02-25"),
        ("2019-12-20", "2020-01-19"),
        ("2019-03-08", "2019-04-08"),
    ];
    for (received, due) in cases {
        let case = office.app.intake(&office.clerk, office.agency, received).await;
        assert_eq!(case["due_on"], due, "received {received}");
        assert_eq!(case["provisional"], false);
    }
}

#[tokio::test]
async fn a_correction_stops_the_clock_and_the_corrected_application_restarts_it() {
    let office = office().await;
    let id = office.case("2019-03-05").await;
    let body = json!({"issued_on": "2019-03-07", "respond_by": "2019-03-21", "matters": "请补充所需信息的文号"});
    let case = office.ok(&office.officer, id, "correction-request", body).await;
    assert_eq!(case["status"], "awaiting_correction");
    assert_eq!(case["due_on"], Value::Null);
    assert_eq!(case["paused"], true);
    assert_eq!(case["correction"]["respond_by"], "2019-03-21");
    assert_eq!(case["correction"]["lapses_on"], "2019-03-22");
    // A second notice is refused, whatever the state.
    let again = office
        .step(
            &office.officer,
            id,
            "correction-request",
            json!({"issued_on": "2019-03-08", "respond_by": "2019-03-22", "matters": "x"}),
        )
        .await;
    expect_problem(again, StatusCode::UNPROCESSABLE_ENTITY, "correction_already_requested").await;
    // A decision needs the correction first.
    let decision =
        office.step(&office.officer, id, "decision", json!({"decided_on": "2019-03-12", "outcome": "disclosed"})).await;
    expect_problem(decision, StatusCode::CONFLICT, "correction_outstanding").await;
    // The corrected application arrives on Friday 15 March: a fresh 20 working days, with
    // Qingming (5 April) skipped, ends on Monday 15 April.
    let case = office.ok(&office.clerk, id, "correction", json!({"received_on": "2019-03-15"})).await;
    assert_eq!(case["status"], "received");
    assert_eq!(case["due_on"], "2019-04-15");
    assert_eq!(case["correction"]["corrected_on"], "2019-03-15");
    let clock = expect(office.app.get(&format!("/api/v1/cases/{id}/clock"), &office.clerk).await, StatusCode::OK).await;
    assert_eq!(clock["start"], "2019-03-15");
    assert_eq!(clock["counted_days"], 20);
    assert_eq!(clock["holidays"], json!(["2019-04-05"]));
}

#[tokio::test]
async fn correction_refusals() {
    let office = office().await;
    let id = office.case("2019-03-05").await;
    // Seven working days after Tuesday 5 March is Thursday 14 March.
    let late = office
        .step(
            &office.officer,
            id,
            "correction-request",
            json!({"issued_on": "2019-03-15", "respond_by": "2019-03-29", "matters": "x"}),
        )
        .await;
    let problem = expect_problem(late, StatusCode::UNPROCESSABLE_ENTITY, "correction_notice_too_late").await;
    assert!(problem["detail"].as_str().unwrap().contains("2019年3月14日"), "{problem}");
    let before = office
        .step(
            &office.officer,
            id,
            "correction-request",
            json!({"issued_on": "2019-03-04", "respond_by": "2019-03-29", "matters": "x"}),
        )
        .await;
    expect_problem(before, StatusCode::UNPROCESSABLE_ENTITY, "date_before_receipt").await;
    let empty = office
        .step(
            &office.officer,
            id,
            "correction-request",
            json!({"issued_on": "2019-03-06", "respond_by": "2019-03-29", "matters": " "}),
        )
        .await;
    assert_eq!(
        fields(&expect_problem(empty, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await),
        ["matters"]
    );
    let clerk = office
        .step(
            &office.clerk,
            id,
            "correction-request",
            json!({"issued_on": "2019-03-06", "respond_by": "2019-03-29", "matters": "x"}),
        )
        .await;
    expect_problem(clerk, StatusCode::FORBIDDEN, "forbidden").await;
    let not_waiting = office.step(&office.clerk, id, "correction", json!({"received_on": "2019-03-08"})).await;
    expect_problem(not_waiting, StatusCode::CONFLICT, "invalid_state").await;
    office
        .ok(
            &office.officer,
            id,
            "correction-request",
            json!({"issued_on": "2019-03-06", "respond_by": "2019-03-20", "matters": "x"}),
        )
        .await;
    let too_late = office.step(&office.clerk, id, "correction", json!({"received_on": "2019-03-21"})).await;
    expect_problem(too_late, StatusCode::UNPROCESSABLE_ENTITY, "correction_lapsed").await;
}

#[tokio::test]
async fn a_lapsed_correction_is_concluded_by_the_officer_or_by_the_sweep() {
    let office = office().await;
    let by_officer = office.case("2021-03-01").await;
    let by_sweep = office.case("2021-03-01").await;
    for id in [by_officer, by_sweep] {
        office
            .ok(
                &office.officer,
                id,
                "correction-request",
                json!({"issued_on": "2021-03-03", "respond_by": "2021-03-17", "matters": "x"}),
            )
            .await;
    }
    let early = office
        .step(
            &office.officer,
            by_officer,
            "decision",
            json!({"decided_on": "2021-03-17", "outcome": "other_correction_overdue"}),
        )
        .await;
    expect_problem(early, StatusCode::UNPROCESSABLE_ENTITY, "correction_not_lapsed").await;
    let concluded = office
        .ok(
            &office.officer,
            by_officer,
            "decision",
            json!({"decided_on": "2021-03-18", "outcome": "other_correction_overdue"}),
        )
        .await;
    assert_eq!(concluded["outcome"], "other_correction_overdue");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["sweep", "--database-url", office.app.test_db.url()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&format!("case {by_sweep}: concluded as other_correction_overdue")), "{stdout}");
    assert!(stdout.contains("1 case(s) concluded"), "{stdout}");
    let case = office.get(by_sweep).await;
    assert_eq!(case["status"], "concluded");
    assert_eq!(case["outcome"], "other_correction_overdue");
    assert_eq!(case["concluded_on"], "2021-03-18", "the day after the deadline");
    let events =
        expect(office.app.get(&format!("/api/v1/cases/{by_sweep}/events"), &office.clerk).await, StatusCode::OK).await;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "decided");
    assert_eq!(last["actor_id"], Value::Null, "a system event");
    assert_eq!(last["payload"]["system"], "sweep");
}

#[tokio::test]
async fn a_correction_not_yet_lapsed_cannot_be_concluded_as_overdue() {
    let office = office().await;
    let today = today();
    let id = office.case(&today.to_string()).await;
    let respond_by = today + Duration::days(30);
    office
        .ok(
            &office.officer,
            id,
            "correction-request",
            json!({"issued_on": today, "respond_by": respond_by, "matters": "x"}),
        )
        .await;
    let refused = office
        .step(&office.officer, id, "decision", json!({"decided_on": today, "outcome": "other_correction_overdue"}))
        .await;
    expect_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "correction_not_lapsed").await;
}

#[tokio::test]
async fn a_consultation_pauses_the_clock_for_its_working_days() {
    let office = office().await;
    let id = office.case("2019-03-05").await;
    let body = json!({"party_kind": "third_party", "party": "某某公司", "sent_on": "2019-03-11"});
    let consultation = expect(office.step(&office.officer, id, "consultations", body).await, StatusCode::CREATED).await;
    assert_eq!(consultation["case_id"], id);
    assert_eq!(consultation["reply_due"], "2019-04-01", "15 working days after Monday 11 March");
    let cid = consultation["id"].as_i64().unwrap();
    // Unanswered, the consultation paused the clock only to the end of its reply period, 1 April:
    // 6, 7, 8 and 11 March count, the 16 days left run 2–4 (Qingming 5 April), 8–12, 15–19 and
    // 22–24 April. Today that period is long over: the clock runs again by itself.
    let case = office.get(id).await;
    assert_eq!(case["status"], "received");
    assert_eq!(case["paused"], false);
    assert_eq!(case["due_on"], "2019-04-24");
    // Replied Friday 15 March: 12–15 March (4 working days) are not counted: 2 April + 4 working
    // days, skipping Qingming on 5 April, is Tuesday 9 April.
    let reply = json!({"replied_on": "2019-03-15", "opinion": "objection"});
    let case = office.ok(&office.officer, id, &format!("consultations/{cid}/reply"), reply.clone()).await;
    assert_eq!(case["status"], "received");
    assert_eq!(case["due_on"], "2019-04-09");
    assert_eq!(case["consultations"][0]["opinion"], "objection");
    let again = office.step(&office.officer, id, &format!("consultations/{cid}/reply"), reply).await;
    expect_problem(again, StatusCode::CONFLICT, "consultation_replied").await;
    let unknown = office
        .step(&office.officer, id, "consultations/999999/reply", json!({"replied_on": "2019-03-15", "opinion": "none"}))
        .await;
    expect_problem(unknown, StatusCode::NOT_FOUND, "consultation_not_found").await;
    let clock = expect(office.app.get(&format!("/api/v1/cases/{id}/clock"), &office.clerk).await, StatusCode::OK).await;
    assert_eq!(clock["pauses"][0]["kind"], "consultation");
    assert_eq!(clock["pauses"][0]["working_days"], 4);
    assert_eq!(clock["counted_days"], 20);
    assert!(clock["explanation"].as_array().unwrap().iter().any(|s| s.as_str().unwrap().contains("2019年4月9日")));
    let listed =
        expect(office.app.get(&format!("/api/v1/cases/{id}/consultations"), &office.clerk).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_extension_after_a_pause_adds_its_working_days() {
    let office = office().await;
    let id = office.case("2019-03-05").await;
    let body = json!({"party_kind": "agency", "party": "区财政局", "sent_on": "2019-03-11"});
    let cid = expect(office.step(&office.officer, id, "consultations", body).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    office
        .ok(
            &office.officer,
            id,
            &format!("consultations/{cid}/reply"),
            json!({"replied_on": "2019-03-15", "opinion": "consent"}),
        )
        .await;
    let extension =
        json!({"approved_on": "2019-04-01", "notified_on": "2019-04-02", "working_days": 20, "reason": "需要调取档案"});
    let officer = office.step(&office.officer, id, "extension", extension.clone()).await;
    expect_problem(officer, StatusCode::FORBIDDEN, "forbidden").await;
    let too_long = json!({"approved_on": "2019-04-01", "notified_on": "2019-04-02", "working_days": 21, "reason": "x"});
    expect_problem(
        office.step(&office.supervisor, id, "extension", too_long).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "extension_too_long",
    )
    .await;
    let too_late = json!({"approved_on": "2019-04-01", "notified_on": "2019-04-10", "working_days": 10, "reason": "x"});
    expect_problem(
        office.step(&office.supervisor, id, "extension", too_late).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "extension_too_late",
    )
    .await;
    // Due 9 April; 20 more working days: 10–12 April (3), 15–19 (8), 22–26 (13), Sunday 28 April,
    // a make-up day (14), 29–30 (16), 1–4 May are rest days, Sunday 5 May, a make-up day (17),
    // 6–8 May (20).
    let case = office.ok(&office.supervisor, id, "extension", extension).await;
    assert_eq!(case["extended"], true);
    assert_eq!(case["due_on"], "2019-05-08");
    assert_eq!(case["extension"]["working_days"], 20);
    let second = json!({"approved_on": "2019-04-03", "notified_on": "2019-04-03", "working_days": 5, "reason": "x"});
    expect_problem(
        office.step(&office.supervisor, id, "extension", second).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "extension_already_granted",
    )
    .await;
}

#[tokio::test]
async fn a_fee_per_page_is_computed_pauses_the_clock_and_is_paid() {
    let office = office().await;
    let id = office.case("2019-03-05").await;
    let payment = office.step(&office.clerk, id, "fee-payment", json!({"paid_on": "2019-03-08"})).await;
    expect_problem(payment, StatusCode::CONFLICT, "invalid_state").await;
    let no_pages =
        office.step(&office.officer, id, "fee-notice", json!({"issued_on": "2019-03-08", "basis": "per_page"})).await;
    assert_eq!(
        fields(&expect_problem(no_pages, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await),
        ["pages"]
    );
    let free = office
        .step(&office.officer, id, "fee-notice", json!({"issued_on": "2019-03-08", "basis": "per_page", "pages": 30}))
        .await;
    expect_problem(free, StatusCode::UNPROCESSABLE_ENTITY, "no_fee_due").await;
    // 120 pages: 31–100 at 10 yuan, 101–120 at 20 yuan = 1,100 yuan.
    let case = office
        .ok(&office.officer, id, "fee-notice", json!({"issued_on": "2019-03-08", "basis": "per_page", "pages": 120}))
        .await;
    assert_eq!(case["status"], "awaiting_fee");
    assert_eq!(case["fee"]["amount_fen"], 110_000);
    assert_eq!(case["fee"]["pay_by"], "2019-04-08", "20 working days after Friday 8 March, Qingming skipped");
    assert_eq!(case["paused"], true);
    let decision =
        office.step(&office.officer, id, "decision", json!({"decided_on": "2019-03-12", "outcome": "disclosed"})).await;
    expect_problem(decision, StatusCode::CONFLICT, "fee_outstanding").await;
    let second = office
        .step(&office.officer, id, "fee-notice", json!({"issued_on": "2019-03-09", "basis": "per_page", "pages": 50}))
        .await;
    expect_problem(second, StatusCode::UNPROCESSABLE_ENTITY, "fee_already_issued").await;
    // Paid Thursday 14 March: 11–14 March are not counted, so 2 April + 4 = 9 April.
    let case = office.ok(&office.clerk, id, "fee-payment", json!({"paid_on": "2019-03-14"})).await;
    assert_eq!(case["status"], "received");
    assert_eq!(case["due_on"], "2019-04-09");
    assert_eq!(case["fee"]["paid_on"], "2019-03-14");
}

#[tokio::test]
async fn a_fee_per_request_counts_the_applicants_requests_of_the_month() {
    let office = office().await;
    let mut ids = Vec::new();
    for day in 1..=11 {
        ids.push(office.case(&format!("2021-03-{day:02}")).await);
    }
    let tenth = office
        .step(&office.officer, ids[9], "fee-notice", json!({"issued_on": "2021-03-12", "basis": "per_request"}))
        .await;
    expect_problem(tenth, StatusCode::UNPROCESSABLE_ENTITY, "no_fee_due").await;
    let case = office
        .ok(&office.officer, ids[10], "fee-notice", json!({"issued_on": "2021-03-12", "basis": "per_request"}))
        .await;
    assert_eq!(case["fee"]["nth_request"], 11);
    assert_eq!(case["fee"]["amount_fen"], 10_000);
    let both = office
        .step(
            &office.officer,
            ids[0],
            "fee-notice",
            json!({"issued_on": "2021-03-12", "basis": "per_request", "pages": 40}),
        )
        .await;
    assert_eq!(fields(&expect_problem(both, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await), ["pages"]);
}

#[tokio::test]
async fn an_unpaid_fee_lapses_and_late_payment_is_refused() {
    let office = office().await;
    let id = office.case("2019-03-05").await;
    office
        .ok(&office.officer, id, "fee-notice", json!({"issued_on": "2019-03-08", "basis": "per_page", "pages": 31}))
        .await;
    let late = office.step(&office.clerk, id, "fee-payment", json!({"paid_on": "2019-04-09"})).await;
    expect_problem(late, StatusCode::UNPROCESSABLE_ENTITY, "fee_lapsed").await;
    let early = office
        .step(&office.officer, id, "decision", json!({"decided_on": "2019-04-08", "outcome": "other_fee_unpaid"}))
        .await;
    expect_problem(early, StatusCode::UNPROCESSABLE_ENTITY, "fee_not_lapsed").await;
    let case = office
        .ok(&office.officer, id, "decision", json!({"decided_on": "2019-04-09", "outcome": "other_fee_unpaid"}))
        .await;
    assert_eq!(case["outcome"], "other_fee_unpaid");
}

async fn listed_ids(app: &TestApp, path: &str, token: &str) -> Vec<i64> {
    let page = expect(app.get(path, token).await, StatusCode::OK).await;
    page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn overdue_and_due_before_filters_use_the_derived_due_dates() {
    let office = office().await;
    let old = office.case("2019-03-05").await;
    let today = today();
    let fresh = office.case(&today.to_string()).await;
    // An overdue case of another agency: not the clerk's, and kept apart by the agency filter.
    let other_agency = office.app.agency("XS", None).await;
    let other_clerk = office.app.user("other-clerk", Role::Clerk, Some(other_agency)).await;
    let other = office.app.intake(&other_clerk, other_agency, "2019-03-06").await["id"].as_i64().unwrap();
    let app = &office.app;
    assert_eq!(listed_ids(app, "/api/v1/cases?overdue=true", &office.clerk).await, [old]);
    assert_eq!(listed_ids(app, "/api/v1/cases?overdue=true", &app.admin).await, [other, old]);
    let of_other = format!("/api/v1/cases?overdue=true&agency_id={other_agency}");
    assert_eq!(listed_ids(app, &of_other, &app.admin).await, [other]);
    let fresh_case = office.get(fresh).await;
    assert_eq!(fresh_case["overdue"], false);
    assert_eq!(fresh_case["working_days_left"], 20);
    let consultation = json!({"party_kind": "third_party", "party": "x", "sent_on": today});
    expect(office.step(&office.officer, fresh, "consultations", consultation).await, StatusCode::CREATED).await;
    let status =
        expect(office.app.get("/api/v1/cases?status=in_consultation", &office.clerk).await, StatusCode::OK).await;
    assert_eq!(status["items"][0]["id"], fresh);
}

#[tokio::test]
async fn the_dashboard_shows_open_due_soon_overdue_and_late() {
    let office = office().await;
    let calendar = Calendar::shipped().unwrap();
    let today = today();
    // A receipt date whose due date falls within the next 5 working days.
    let mut received = today;
    while calendar.add_working_days(received, 20) > calendar.add_working_days(today, 2) {
        received -= Duration::days(1);
    }
    let soon = office.case(&received.to_string()).await;
    let overdue = office.case("2019-03-05").await;
    let late = office.case(&(today - Duration::days(60)).to_string()).await;
    office.ok(&office.officer, late, "decision", json!({"decided_on": today, "outcome": "disclosed"})).await;
    let board = expect(
        office.app.get(&format!("/api/v1/agencies/{}/dashboard", office.agency), &office.clerk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(board["open_total"], 2);
    assert_eq!(board["open_by_status"], json!([{"status": "received", "count": 2}]));
    assert_eq!(board["due_soon_count"], 1);
    assert_eq!(board["due_soon"][0]["id"], soon);
    assert_eq!(board["overdue_count"], 1);
    assert_eq!(board["overdue"][0]["id"], overdue);
    assert!(board["overdue"][0]["working_days_left"].as_i64().unwrap() < 0);
    assert_eq!(board["concluded_this_year"], 1);
    assert_eq!(board["concluded_late_this_year"], 1);
    let other = office.app.agency("BS", None).await;
    let hidden = office.app.get(&format!("/api/v1/agencies/{other}/dashboard"), &office.clerk).await;
    expect_problem(hidden, StatusCode::NOT_FOUND, "agency_not_found").await;
}

#[tokio::test]
async fn the_calendar_is_viewed_replaced_by_an_admin_and_recorded() {
    let office = office().await;
    let year = expect(office.app.get("/api/v1/calendar/2019", &office.clerk).await, StatusCode::OK).await;
    assert_eq!(year["source"], "shipped");
    assert!(year["rest_days"].as_array().unwrap().contains(&json!("2019-10-01")));
    assert!(year["work_days"].as_array().unwrap().contains(&json!("2019-10-12")));
    let years = expect(office.app.get("/api/v1/calendar", &office.clerk).await, StatusCode::OK).await;
    assert_eq!(years["years"].as_array().unwrap().len(), 9);
    expect_problem(
        office.app.get("/api/v1/calendar/2031", &office.clerk).await,
        StatusCode::NOT_FOUND,
        "calendar_year_not_found",
    )
    .await;
    expect_problem(
        office.app.get("/api/v1/calendar/1900", &office.clerk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    let id = office.case("2019-03-05").await;
    assert_eq!(office.get(id).await["due_on"], "2019-04-02");
    let mut rest_days: Vec<Value> = year["rest_days"].as_array().unwrap().clone();
    rest_days.push(json!("2019-03-29"));
    let body = json!({"notice": "测试通知〔2019〕1号", "notices": year["notices"], "rest_days": rest_days, "work_days": year["work_days"]});
    for token in [&office.clerk, &office.supervisor] {
        expect_problem(
            office
                .app
                .client
                .put(office.app.url("/api/v1/calendar/2019"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    let agency_admin = office.app.user("agency admin", Role::Admin, Some(office.agency)).await;
    let response = office
        .app
        .client
        .put(office.app.url("/api/v1/calendar/2019"))
        .bearer_auth(&agency_admin)
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = office
        .app
        .client
        .put(office.app.url("/api/v1/calendar/2019"))
        .bearer_auth(&office.app.admin)
        .json(&body)
        .send()
        .await
        .unwrap();
    let updated = expect(response, StatusCode::OK).await;
    assert_eq!(updated["source"], "api");
    assert!(updated["recomputed_cases"].as_i64().unwrap() >= 1);
    // Friday 29 March is now a rest day: the due date moves one working day.
    assert_eq!(office.get(id).await["due_on"], "2019-04-03");
    let listed = expect(office.app.get("/api/v1/cases", &office.clerk).await, StatusCode::OK).await;
    assert_eq!(listed["items"][0]["due_on"], "2019-04-03", "the stored projection was recomputed too");
    let changes = expect(office.app.get("/api/v1/calendar/2019/changes", &office.clerk).await, StatusCode::OK).await;
    let changes = changes.as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1]["notice"], "测试通知〔2019〕1号");
    assert!(changes[1]["changed_by"].as_i64().is_some());
    assert!(changes[1]["previous"]["rest_days"].is_array());

    let invalid = json!({"notice": "x", "notices": ["x"], "rest_days": [], "work_days": ["2019-03-04"]});
    let response = office
        .app
        .client
        .put(office.app.url("/api/v1/calendar/2019"))
        .bearer_auth(&office.app.admin)
        .json(&invalid)
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_calendar").await;
}

#[tokio::test]
async fn a_date_outside_the_calendar_data_is_provisional() {
    let office = office().await;
    let case = office.app.intake(&office.clerk, office.agency, "2017-06-01").await;
    assert_eq!(case["provisional"], true);
    let clock =
        expect(office.app.get(&format!("/api/v1/cases/{}/clock", case["id"]), &office.clerk).await, StatusCode::OK)
            .await;
    assert_eq!(clock["provisional"], true);
    assert_eq!(clock["calendar_years"], json!([2017]));
    assert_eq!(clock["notices"], json!([{"year": 2017, "notices": []}]));
    let listed = expect(office.app.get("/api/v1/cases", &office.clerk).await, StatusCode::OK).await;
    assert_eq!(listed["items"][0]["provisional"], true);
    let mut body = intake_body(office.agency, "2021-06-01");
    body["applicant"]["id_number"] = Value::Null;
    let covered = expect(office.app.post("/api/v1/cases", &office.clerk, &body).await, StatusCode::CREATED).await;
    assert_eq!(covered["provisional"], false);
}

#[tokio::test]
async fn the_overdue_list_is_the_same_with_more_overdue_cases_than_are_read_ahead() {
    use diesel::prelude::*;

    let office = office().await;
    let old = office.case("2019-03-05").await;
    // More open overdue cases than the PostgreSQL list reads the ids of ahead (10,000): the list
    // is then one query again. Written directly, as the service would not register 10,005 cases
    // in a test's time.
    let bulk = 10_005;
    let insert = format!(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {bulk}) \
         INSERT INTO cases (agency_id, case_number, year, channel, received_on, applicant_id, applicant_category, \
           description, status, due_on, paused, extended, version, created_by, created_at, updated_at) \
         SELECT c.agency_id, 'BULK-' || g.n, 2025, 'online', '2025-01-01', c.applicant_id, c.applicant_category, \
           'bulk', 'received', '2025-01-24', false, false, 1, c.created_by, c.created_at, c.updated_at \
         FROM g, (SELECT * FROM cases WHERE id = {old}) c"
    );
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let expected: Vec<i64> = office
        .app
        .db
        .write_blocking(move |conn| -> Result<_, gongkai::service::ServiceError> {
            diesel::sql_query(insert).execute(conn)?;
            let ids: Vec<Id> =
                diesel::sql_query("SELECT id FROM cases WHERE case_number LIKE 'BULK-%' ORDER BY id DESC")
                    .load(conn)?;
            Ok(ids.into_iter().map(|i| i.id).collect())
        })
        .unwrap();
    assert_eq!(expected.len(), bulk);
    let app = &office.app;
    // Newest receipt first, then newest registration; the old case comes last.
    let first = expect(app.get("/api/v1/cases?overdue=true&limit=200", &office.clerk).await, StatusCode::OK).await;
    let ids: Vec<i64> = first["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, expected[..200]);
    assert!(first["items"].as_array().unwrap().iter().all(|c| c["overdue"] == true));
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = listed_ids(app, &format!("/api/v1/cases?overdue=true&limit=200&cursor={cursor}"), &office.clerk).await;
    assert_eq!(next, expected[200..400]);
    let of_agency = format!("/api/v1/cases?due_before=2025-02-01&agency_id={}&limit=3", office.agency);
    assert_eq!(listed_ids(app, &of_agency, &app.admin).await, expected[..3]);
    // A narrower date reads its few ids ahead again.
    let before_2020 = listed_ids(app, "/api/v1/cases?overdue=true&due_before=2019-12-31", &office.clerk).await;
    assert_eq!(before_2020, [old]);
}
