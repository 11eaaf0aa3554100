//! The team workflow (issue 21) through the API: assignment and reassignment, an officer taking
//! a case, routing to a unit with its signature or return, the lists by handler and unit, bulk
//! reassignment, supervisors' chases and what closes them, and each refusal — on SQLite and
//! PostgreSQL.

use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{china_today, expect, expect_problem, spawn_app, TestApp};

/// An office (受理机关) with two departments under it, an unrelated agency, and their people.
struct Office {
    app: TestApp,
    office: i64,
    dept: i64,
    other_dept: i64,
    elsewhere: i64,
    clerk: String,
    auditor: String,
    boss: String,
    officer: String,
    officer_id: i64,
    colleague: String,
    colleague_id: i64,
    dept_officer: String,
    dept_officer_id: i64,
    dept_boss: String,
    other_officer: String,
}

async fn id_of(app: &TestApp, token: &str) -> i64 {
    expect(app.get("/api/v1/users/me", token).await, StatusCode::OK).await["id"].as_i64().unwrap()
}

async fn office() -> Office {
    let app = spawn_app().await;
    let office = app.agency("BGS", None).await;
    let dept = app.agency("CZJ", Some(office)).await;
    let other_dept = app.agency("JYJ", Some(office)).await;
    let elsewhere = app.agency("QT", None).await;
    let clerk = app.user("登记员", Role::Clerk, Some(office)).await;
    let auditor = app.user("审计员", Role::Auditor, Some(office)).await;
    let boss = app.user("主任", Role::Supervisor, Some(office)).await;
    let officer = app.user("王承办", Role::Officer, Some(office)).await;
    let colleague = app.user("李承办", Role::Officer, Some(office)).await;
    let dept_officer = app.user("财政局承办", Role::Officer, Some(dept)).await;
    let dept_boss = app.user("财政局负责人", Role::Supervisor, Some(dept)).await;
    let other_officer = app.user("教育局承办", Role::Officer, Some(other_dept)).await;
    let officer_id = id_of(&app, &officer).await;
    let colleague_id = id_of(&app, &colleague).await;
    let dept_officer_id = id_of(&app, &dept_officer).await;
    Office {
        app,
        office,
        dept,
        other_dept,
        elsewhere,
        clerk,
        auditor,
        boss,
        officer,
        officer_id,
        colleague,
        colleague_id,
        dept_officer,
        dept_officer_id,
        dept_boss,
        other_officer,
    }
}

impl Office {
    async fn case(&self) -> i64 {
        let today = china_today().to_string();
        self.app.intake(&self.clerk, self.office, &today).await["id"].as_i64().unwrap()
    }

    async fn call(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.app.post(path, token, &body).await
    }

    async fn assign(&self, token: &str, case: i64, body: Value) -> reqwest::Response {
        self.app.post(&format!("/api/v1/cases/{case}/assignment"), token, &body).await
    }

    async fn ids(&self, token: &str, query: &str) -> Vec<i64> {
        let page = expect(self.app.get(&format!("/api/v1/cases?{query}"), token).await, StatusCode::OK).await;
        page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
    }

    async fn kinds(&self, case: i64) -> Vec<String> {
        let events =
            expect(self.app.get(&format!("/api/v1/cases/{case}/events"), &self.boss).await, StatusCode::OK).await;
        let list = events.get("items").unwrap_or(&events).as_array().unwrap().clone();
        list.iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
    }
}

fn in_days(n: i64) -> String {
    (china_today() + chrono::Duration::days(n)).to_string()
}

#[tokio::test]
async fn a_supervisor_assigns_and_reassigns_only_with_a_reason_and_each_change_is_an_event() {
    let o = office().await;
    let case = o.case().await;
    let got = expect(o.app.get(&format!("/api/v1/cases/{case}"), &o.clerk).await, StatusCode::OK).await;
    assert_eq!(got["unit_id"], o.office);
    assert_eq!(got["handler_id"], Value::Null);

    let assigned = expect(o.assign(&o.boss, case, json!({"handler_id": o.officer_id})).await, StatusCode::OK).await;
    assert_eq!(assigned["handler"]["id"], o.officer_id);
    assert_eq!(assigned["handler"]["name"], "王承办");
    assert_eq!(assigned["unit"]["id"], o.office);

    let again = o.assign(&o.boss, case, json!({"handler_id": o.colleague_id})).await;
    let problem = expect_problem(again, StatusCode::CONFLICT, "already_assigned").await;
    assert!(problem["detail"].as_str().unwrap().contains("王承办"), "{problem}");
    let moved = o.assign(&o.boss, case, json!({"handler_id": o.colleague_id, "reason": "王承办休假"})).await;
    assert_eq!(expect(moved, StatusCode::OK).await["handler"]["id"], o.colleague_id);
    let same = o.assign(&o.boss, case, json!({"handler_id": o.colleague_id, "reason": "再次"})).await;
    expect_problem(same, StatusCode::CONFLICT, "assignment_unchanged").await;

    assert_eq!(o.kinds(case).await, vec!["received", "assigned", "assigned"]);
    let events = expect(o.app.get(&format!("/api/v1/cases/{case}/events"), &o.boss).await, StatusCode::OK).await;
    let last = events.get("items").unwrap_or(&events).as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["payload"]["reason"], "王承办休假", "{last}");
    assert_eq!(last["payload"]["previous_handler_id"], o.officer_id, "{last}");
}

#[tokio::test]
async fn a_clerk_or_an_auditor_does_not_assign_and_handlers_belong_to_the_unit() {
    let o = office().await;
    let case = o.case().await;
    for token in [&o.clerk, &o.auditor] {
        expect_problem(
            o.assign(token, case, json!({"handler_id": o.officer_id})).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    // A department's officer is not a handler of the office.
    let wrong = o.assign(&o.boss, case, json!({"handler_id": o.dept_officer_id})).await;
    expect_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "handler_not_in_unit").await;
    let outside = o.assign(&o.boss, case, json!({"unit_id": o.elsewhere})).await;
    expect_problem(outside, StatusCode::UNPROCESSABLE_ENTITY, "unit_outside_agency").await;
    let unknown = o.assign(&o.boss, case, json!({"handler_id": 999_999})).await;
    expect_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let nothing = o.assign(&o.boss, case, json!({})).await;
    expect_problem(nothing, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // The supervisor moves it to the department with its officer in one step.
    let both = o.assign(&o.boss, case, json!({"unit_id": o.dept, "handler_id": o.dept_officer_id})).await;
    let both = expect(both, StatusCode::OK).await;
    assert_eq!((both["unit"]["id"].as_i64(), both["handler"]["id"].as_i64()), (Some(o.dept), Some(o.dept_officer_id)));
    // A stale version is refused.
    let stale = json!({"handler_id": o.officer_id, "unit_id": o.office, "reason": "回到办公室", "version": 1});
    expect_problem(o.assign(&o.boss, case, stale).await, StatusCode::CONFLICT, "version_conflict").await;
}

#[tokio::test]
async fn an_officer_takes_an_unassigned_case_of_their_unit_for_themselves_only() {
    let o = office().await;
    let case = o.case().await;
    let for_other = o.assign(&o.officer, case, json!({"handler_id": o.colleague_id})).await;
    expect_problem(for_other, StatusCode::FORBIDDEN, "forbidden").await;
    expect(o.assign(&o.officer, case, json!({"handler_id": o.officer_id})).await, StatusCode::OK).await;
    // Taken already: a colleague taking it too would take it from him, which needs a reason.
    let taken = o.assign(&o.colleague, case, json!({"handler_id": o.colleague_id})).await;
    expect_problem(taken, StatusCode::CONFLICT, "already_assigned").await;
    let shown = expect(o.app.get(&format!("/api/v1/cases/{case}/assignment"), &o.clerk).await, StatusCode::OK).await;
    assert_eq!((shown["handler"]["id"].as_i64(), shown["unit"]["id"].as_i64()), (Some(o.officer_id), Some(o.office)));
    assert_eq!(shown["routed_to"], Value::Null);
}

#[tokio::test]
async fn parallel_assignments_of_one_case_one_wins_and_the_other_gets_409() {
    let o = office().await;
    for _ in 0..4 {
        let case = o.case().await;
        let (a, b) = tokio::join!(
            o.assign(&o.officer, case, json!({"handler_id": o.officer_id})),
            o.assign(&o.colleague, case, json!({"handler_id": o.colleague_id})),
        );
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "one wins, the other is told");
        let loser = if a.status() == StatusCode::CONFLICT { a } else { b };
        let problem = expect(loser, StatusCode::CONFLICT).await;
        assert!(["already_assigned", "version_conflict"].contains(&problem["code"].as_str().unwrap()), "{problem}");
        assert_eq!(o.kinds(case).await, vec!["received", "assigned"], "one assignment recorded");
    }
}

#[tokio::test]
async fn routing_is_signed_for_or_returned_by_the_unit_it_was_sent_to() {
    let o = office().await;
    let case = o.case().await;
    let routing = format!("/api/v1/cases/{case}/routing");
    let route = |unit: i64| json!({"unit_id": unit, "note": "请提供该文件"});
    expect_problem(
        o.call(&o.officer, &routing, route(o.elsewhere)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unit_outside_agency",
    )
    .await;
    expect_problem(o.call(&o.clerk, &routing, route(o.dept)).await, StatusCode::FORBIDDEN, "forbidden").await;
    let routed = expect(o.call(&o.officer, &routing, route(o.dept)).await, StatusCode::OK).await;
    assert_eq!(routed["routed_to"]["id"], o.dept);
    expect_problem(o.call(&o.officer, &routing, route(o.other_dept)).await, StatusCode::CONFLICT, "routing_pending")
        .await;

    // The department sees it now, in its unit's list; the other department does not.
    expect(o.app.get(&format!("/api/v1/cases/{case}"), &o.dept_officer).await, StatusCode::OK).await;
    assert_eq!(o.ids(&o.dept_officer, "").await, vec![case]);
    assert_eq!(o.ids(&o.dept_officer, &format!("unit_id={}", o.dept)).await, vec![case]);
    assert_eq!(o.ids(&o.boss, &format!("unit_id={}", o.dept)).await, vec![case]);
    let accept = format!("/api/v1/cases/{case}/routing/accept");
    // The department signs first, then works the case.
    let early = json!({"issued_on": china_today(), "respond_by": in_days(15), "matters": "请写明文件名称"});
    let early = o.call(&o.dept_officer, &format!("/api/v1/cases/{case}/correction-request"), early).await;
    let problem = expect_problem(early, StatusCode::FORBIDDEN, "forbidden").await;
    assert!(problem["detail"].as_str().unwrap().contains("请先签收"), "{problem}");
    expect_problem(o.call(&o.other_officer, &accept, json!({})).await, StatusCode::NOT_FOUND, "case_not_found").await;
    // The office sees it but it was sent to the department.
    expect_problem(o.call(&o.officer, &accept, json!({})).await, StatusCode::FORBIDDEN, "forbidden").await;

    let back = format!("/api/v1/cases/{case}/routing/return");
    expect_problem(
        o.call(&o.dept_officer, &back, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reason_required",
    )
    .await;
    expect_problem(
        o.call(&o.dept_officer, &back, json!({"reason": "  "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reason_required",
    )
    .await;
    let returned =
        expect(o.call(&o.dept_officer, &back, json!({"reason": "不属于本单位职责"})).await, StatusCode::OK).await;
    assert_eq!((returned["routed_to"].clone(), returned["unit"]["id"].as_i64()), (Value::Null, Some(o.office)));
    expect_problem(
        o.app.get(&format!("/api/v1/cases/{case}"), &o.dept_officer).await,
        StatusCode::NOT_FOUND,
        "case_not_found",
    )
    .await;
    expect_problem(o.call(&o.dept_officer, &accept, json!({})).await, StatusCode::NOT_FOUND, "case_not_found").await;

    expect(o.call(&o.officer, &routing, route(o.dept)).await, StatusCode::OK).await;
    let accepted = expect(o.call(&o.dept_officer, &accept, json!({})).await, StatusCode::OK).await;
    assert_eq!((accepted["unit"]["id"].as_i64(), accepted["routed_to"].clone()), (Some(o.dept), Value::Null));
    expect_problem(o.call(&o.dept_officer, &accept, json!({})).await, StatusCode::CONFLICT, "not_routed").await;
    // The department's officer takes it, and works it: the case answers in the office's name.
    expect(o.assign(&o.dept_officer, case, json!({"handler_id": o.dept_officer_id})).await, StatusCode::OK).await;
    assert_eq!(o.ids(&o.dept_officer, "handler_id=me").await, vec![case]);
    let correction = json!({"issued_on": china_today(), "respond_by": in_days(15), "matters": "请写明所需文件的名称"});
    let extended = o.call(&o.dept_officer, &format!("/api/v1/cases/{case}/correction-request"), correction).await;
    let extended = expect(extended, StatusCode::OK).await;
    assert_eq!(extended["agency_id"], o.office);
    assert_eq!(
        o.kinds(case).await,
        vec![
            "received",
            "routed",
            "routing_returned",
            "routed",
            "routing_accepted",
            "assigned",
            "correction_requested"
        ]
    );
}

#[tokio::test]
async fn lists_filter_by_handler_unit_and_unassigned() {
    let o = office().await;
    let mine = o.case().await;
    let theirs = o.case().await;
    let nobodys = o.case().await;
    expect(o.assign(&o.officer, mine, json!({"handler_id": o.officer_id})).await, StatusCode::OK).await;
    expect(o.assign(&o.boss, theirs, json!({"handler_id": o.colleague_id})).await, StatusCode::OK).await;
    assert_eq!(o.ids(&o.officer, "handler_id=me").await, vec![mine]);
    assert_eq!(o.ids(&o.boss, &format!("handler_id={}", o.colleague_id)).await, vec![theirs]);
    assert_eq!(o.ids(&o.boss, "unassigned=true").await, vec![nobodys]);
    let unit = o.ids(&o.boss, &format!("unit_id={}", o.office)).await;
    assert_eq!(unit, vec![nobodys, theirs, mine]);
    assert!(o.ids(&o.boss, &format!("unit_id={}", o.dept)).await.is_empty());
    let bad = o.app.get("/api/v1/cases?handler_id=somebody", &o.boss).await;
    expect_problem(bad, StatusCode::BAD_REQUEST, "invalid_query").await;
    let invisible = o.app.get(&format!("/api/v1/cases?unit_id={}", o.elsewhere), &o.boss).await;
    expect_problem(invisible, StatusCode::NOT_FOUND, "agency_not_found").await;
}

#[tokio::test]
async fn a_supervisor_moves_all_open_cases_of_a_person_at_once() {
    let o = office().await;
    let mut open = Vec::new();
    for _ in 0..3 {
        let case = o.case().await;
        expect(o.assign(&o.boss, case, json!({"handler_id": o.officer_id})).await, StatusCode::OK).await;
        open.push(case);
    }
    let done = o.case().await;
    expect(o.assign(&o.boss, done, json!({"handler_id": o.officer_id})).await, StatusCode::OK).await;
    let decision =
        json!({"decided_on": china_today(), "outcome": "disclosed", "basis": "依据第三十六条第（二）项予以提供"});
    expect(o.app.post(&format!("/api/v1/cases/{done}/decision"), &o.officer, &decision).await, StatusCode::OK).await;

    let path = format!("/api/v1/users/{}/reassign", o.officer_id);
    let body = json!({"handler_id": o.colleague_id, "reason": "王承办调离"});
    expect_problem(o.app.post(&path, &o.officer, &body).await, StatusCode::FORBIDDEN, "forbidden").await;
    let no_reason = json!({"handler_id": o.colleague_id, "reason": " "});
    expect_problem(o.app.post(&path, &o.boss, &no_reason).await, StatusCode::UNPROCESSABLE_ENTITY, "reason_required")
        .await;
    let wrong = json!({"handler_id": o.dept_officer_id, "reason": "调往财政局"});
    let problem = expect_problem(
        o.app.post(&path, &o.boss, &wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "handler_not_in_unit",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().starts_with("案件"), "{problem}");
    assert_eq!(o.ids(&o.boss, &format!("handler_id={}", o.officer_id)).await.len(), 4, "all or nothing");

    let moved = expect(o.app.post(&path, &o.boss, &body).await, StatusCode::OK).await;
    assert_eq!(moved["moved"], 3);
    let mut ids: Vec<i64> = moved["case_ids"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, open);
    assert_eq!(o.ids(&o.officer, "handler_id=me").await, vec![done], "the concluded case stays with its handler");
}

#[tokio::test]
async fn chases_come_from_supervisors_above_the_receiving_agency_and_close_by_their_step_or_a_note() {
    let o = office().await;
    let case = o.case().await;
    let chases_path = format!("/api/v1/cases/{case}/chases");
    let body = json!({"matter": "请于期限内作出答复", "due_on": in_days(7), "step": "decision"});
    expect_problem(o.call(&o.officer, &chases_path, body.clone()).await, StatusCode::FORBIDDEN, "forbidden").await;
    expect_problem(o.call(&o.clerk, &chases_path, body.clone()).await, StatusCode::FORBIDDEN, "forbidden").await;
    let past = json!({"matter": "请答复", "due_on": in_days(-1)});
    expect_problem(o.call(&o.boss, &chases_path, past).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        .await;
    let blank = json!({"matter": " ", "due_on": in_days(3)});
    expect_problem(o.call(&o.boss, &chases_path, blank).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        .await;
    let created = expect(o.call(&o.boss, &chases_path, body).await, StatusCode::CREATED).await;
    assert_eq!((created["open"].as_bool(), created["step"].as_str()), (Some(true), Some("decision")));
    let other = expect(
        o.call(&o.boss, &chases_path, json!({"matter": "请说明延误原因", "due_on": in_days(3)})).await,
        StatusCode::CREATED,
    )
    .await;

    // Routed to the department, its supervisor is not above the receiving agency.
    o.app.post(&format!("/api/v1/cases/{case}/routing"), &o.officer, &json!({"unit_id": o.dept})).await;
    let theirs = json!({"matter": "请加快", "due_on": in_days(3)});
    expect_problem(o.call(&o.dept_boss, &chases_path, theirs).await, StatusCode::FORBIDDEN, "forbidden").await;

    let list =
        expect(o.app.get(&format!("/api/v1/chases?agency_id={}", o.office), &o.boss).await, StatusCode::OK).await;
    let listed: Vec<i64> = list["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(listed, vec![other["id"].as_i64().unwrap(), created["id"].as_i64().unwrap()], "earliest due first");
    assert!(list["items"][0]["case_number"].as_str().is_some());
    assert_eq!(list["items"][0]["routed_to"], o.dept);
    let elsewhere = o.app.get(&format!("/api/v1/chases?agency_id={}", o.elsewhere), &o.boss).await;
    expect_problem(elsewhere, StatusCode::NOT_FOUND, "agency_not_found").await;

    let close = |id: i64| format!("/api/v1/cases/{case}/chases/{id}/close");
    let other_id = other["id"].as_i64().unwrap();
    expect_problem(
        o.call(&o.boss, &close(other_id), json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "note_required",
    )
    .await;
    let closed = expect(o.call(&o.boss, &close(other_id), json!({"note": "已电话说明"})).await, StatusCode::OK).await;
    assert_eq!((closed["open"].as_bool(), closed["close_note"].as_str()), (Some(false), Some("已电话说明")));
    expect_problem(
        o.call(&o.boss, &close(other_id), json!({"note": "再次"})).await,
        StatusCode::CONFLICT,
        "chase_closed",
    )
    .await;
    expect_problem(
        o.call(&o.boss, &close(999_999), json!({"note": "x"})).await,
        StatusCode::NOT_FOUND,
        "chase_not_found",
    )
    .await;

    // The decision settles the chase that asked for it.
    expect(
        o.app.post(&format!("/api/v1/cases/{case}/routing/accept"), &o.dept_officer, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    let decision =
        json!({"decided_on": china_today(), "outcome": "disclosed", "basis": "依据第三十六条第（二）项予以提供"});
    let decided = o.app.post(&format!("/api/v1/cases/{case}/decision"), &o.dept_officer, &decision).await;
    let decided = expect(decided, StatusCode::OK).await;
    let chases = expect(o.app.get(&format!("/api/v1/cases/{case}/chases"), &o.auditor).await, StatusCode::OK).await;
    let first = chases["items"].as_array().unwrap().iter().find(|c| c["id"] == created["id"]).unwrap().clone();
    assert_eq!(first["open"], false);
    assert_eq!(first["closed_by_seq"], decided["version"], "closed by the decision's event");
    let open = expect(o.app.get("/api/v1/chases", &o.boss).await, StatusCode::OK).await;
    assert!(open["items"].as_array().unwrap().is_empty(), "{open}");

    let late = o.call(&o.boss, &chases_path, json!({"matter": "请答复", "due_on": in_days(3)})).await;
    expect_problem(late, StatusCode::CONFLICT, "case_concluded").await;
    let kinds = o.kinds(case).await;
    assert_eq!(kinds.iter().filter(|k| *k == "chase_recorded").count(), 2);
    assert_eq!(kinds.iter().filter(|k| *k == "chase_closed").count(), 1);
}

/// A user with an e-mail address (digests go to addresses): their token and id.
async fn with_address(o: &Office, name: &str, role: &str, email: &str) -> (String, i64) {
    let body = json!({"name": name, "role": role, "agency_id": o.office, "email": email});
    let created = expect(o.app.post("/api/v1/users", &o.app.admin, &body).await, StatusCode::CREATED).await;
    (created["token"].as_str().unwrap().to_string(), created["user"]["id"].as_i64().unwrap())
}

#[tokio::test]
async fn reminders_go_to_the_handler_first_else_to_the_units_officers_and_list_open_chases() {
    use gongkai::storage::outbox as store;
    use gongkai::storage::StorageError;
    let o = office().await;
    let (alice, alice_id) = with_address(&o, "赵承办", "officer", "zhao@example.gov.cn").await;
    let (_, bob_id) = with_address(&o, "钱承办", "officer", "qian@example.gov.cn").await;
    with_address(&o, "孙主任", "supervisor", "sun@example.gov.cn").await;
    let number = |case: &Value| case["case_number"].as_str().unwrap().to_string();
    let alices = o.app.intake(&o.clerk, o.office, "2019-02-01").await;
    let bobs = o.app.intake(&o.clerk, o.office, "2019-02-01").await;
    let nobodys = o.app.intake(&o.clerk, o.office, "2019-02-01").await;
    expect(o.assign(&alice, alices["id"].as_i64().unwrap(), json!({"handler_id": alice_id})).await, StatusCode::OK)
        .await;
    expect(o.assign(&o.boss, bobs["id"].as_i64().unwrap(), json!({"handler_id": bob_id})).await, StatusCode::OK).await;
    let chase = json!({"matter": "请说明逾期原因", "due_on": in_days(2)});
    let path = format!("/api/v1/cases/{}/chases", alices["id"]);
    expect(o.call(&o.boss, &path, chase).await, StatusCode::CREATED).await;

    let db = o.app.db.clone();
    let digests = tokio::task::spawn_blocking(move || {
        let (calendar, _) = gongkai::app::load_calendar(&db).unwrap();
        let rules = gongkai::service::clock::rules(true);
        let letters = gongkai::notify::letters::Letters::load(None).unwrap();
        let now = gongkai::service::Now {
            at: chrono::Utc::now().naive_utc(),
            today: chrono::NaiveDate::from_ymd_opt(2019, 3, 29).unwrap(),
            calendar: &calendar,
            rules: &rules,
            letters: &letters,
            letter_policy: &gongkai::domain::letters::LetterPolicy::default(),
        };
        let queued = gongkai::service::reminders::run(&db, 3, now).unwrap();
        queued
            .into_iter()
            .map(|(_, id)| {
                db.write_blocking(|conn| store::find(conn, id).map_err(StorageError::from)).unwrap().unwrap()
            })
            .map(|row| (row.recipient.unwrap(), row.subject, row.body_text))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let body_of = |address: &str| digests.iter().find(|d| d.0 == address).map(|d| d.2.clone()).unwrap();
    let zhao = body_of("zhao@example.gov.cn");
    assert!(zhao.contains(&number(&alices)) && zhao.contains(&number(&nobodys)), "{zhao}");
    assert!(!zhao.contains(&number(&bobs)), "another handler's case is theirs: {zhao}");
    assert!(zhao.contains("督办事项（1 件）") && zhao.contains("请说明逾期原因"), "{zhao}");
    let qian = body_of("qian@example.gov.cn");
    assert!(
        qian.contains(&number(&bobs)) && qian.contains(&number(&nobodys)) && !qian.contains(&number(&alices)),
        "{qian}"
    );
    assert!(!qian.contains("督办"), "{qian}");
    let sun = body_of("sun@example.gov.cn");
    for case in [&alices, &bobs, &nobodys] {
        assert!(sun.contains(&number(case)), "{sun}");
    }
    let subject = &digests.iter().find(|d| d.0 == "sun@example.gov.cn").unwrap().1;
    assert!(subject.contains("督办 1 件"), "{subject}");
}
