//! The staff console over plain HTTP: sign-in and sessions, CSRF, every route for every role,
//! hostile text, and snapshots of the rendered pages.

use std::collections::BTreeMap;

use chrono::Datelike;

use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    china_today, expect, intake_body, spawn_app, spawn_app_with, test_settings, Console, Page, TestApp,
};

pub(crate) const PASSWORD: &str = "安全的密码 2026";

/// Agencies R (root), A (a child of R) and B (unrelated); a user of each role bound to A with
/// the sign-in name of the role; a case in A and one in B.
pub(crate) struct World {
    pub app: TestApp,
    pub a: i64,
    pub b: i64,
    pub case_a: i64,
    pub case_b: i64,
    pub tokens: BTreeMap<&'static str, String>,
}

const ROLES: [(&str, Role); 5] = [
    ("clerk", Role::Clerk),
    ("officer", Role::Officer),
    ("supervisor", Role::Supervisor),
    ("admin", Role::Admin),
    ("auditor", Role::Auditor),
];

pub(crate) async fn world() -> World {
    let app = spawn_app().await;
    let r = app.agency("R", None).await;
    let a = app.agency("A", Some(r)).await;
    let b = app.agency("B", None).await;
    let mut tokens = BTreeMap::new();
    for (login, role) in ROLES {
        tokens.insert(login, app.console_user(&format!("{login} 用户"), login, PASSWORD, role, Some(a)).await);
    }
    let today = china_today().to_string();
    let case_a = app.intake(&app.admin, a, &today).await["id"].as_i64().unwrap();
    let case_b = app.intake(&app.admin, b, &today).await["id"].as_i64().unwrap();
    World { app, a, b, case_a, case_b, tokens }
}

async fn case_count(app: &TestApp) -> usize {
    let list = expect(app.get("/api/v1/cases?limit=200", &app.admin).await, StatusCode::OK).await;
    list["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn signing_in_starts_a_session_that_signing_out_ends() {
    let w = world().await;
    let mut anonymous = Console::new(&w.app.address);
    let page = anonymous.get("/").await;
    assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    anonymous.get("/dashboard").await.assert_sign_in();
    let login = anonymous.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    for label in ["用户名", "密码", "登录"] {
        assert!(login.body.contains(label), "{label}");
    }
    assert!(login.body.contains(r#"<label for="f-login">用户名</label>"#));
    assert!(login.body.contains(r#"<label for="f-password">密码</label>"#));

    let wrong = anonymous.post_public("/login", &[("login", "clerk"), ("password", "not the password")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("用户名或密码不正确") && anonymous.cookie.is_none());
    let unknown = anonymous.post_public("/login", &[("login", "nobody"), ("password", PASSWORD)]).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "the same answer for an unknown name");

    let response = anonymous
        .client
        .post(w.app.url("/login"))
        .form(&[("login", "Clerk"), ("password", PASSWORD), ("next", "/cases?status=received")])
        .send()
        .await
        .unwrap();
    let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("gongkai_session=gks_"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    assert_eq!(response.headers().get("location").unwrap(), "/cases?status=received", "back where the user was headed");

    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    assert_eq!(clerk.get("/").await.location.as_deref(), Some("/dashboard"));
    let dashboard = clerk.get("/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    for link in ["工作台", "登记申请", "案件", "年度报告", "管理"] {
        assert!(dashboard.body.contains(&format!(">{link}</a>")), "navigation link {link}");
    }
    let stale = clerk.cookie.clone();
    let out = clerk.post("/logout", &[]).await;
    assert_eq!((out.status, out.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    assert!(clerk.cookie.is_none(), "the cookie is removed");
    clerk.cookie = stale;
    clerk.get("/dashboard").await.assert_sign_in();

    // An open redirect is not possible through `next`.
    let response = anonymous
        .client
        .post(w.app.url("/login"))
        .form(&[("login", "clerk"), ("password", PASSWORD), ("next", "//evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers().get("location").unwrap(), "/dashboard");
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_configured() {
    let app = spawn_app_with(&[("GONGKAI__SESSION__COOKIE_SECURE", "true")]).await;
    app.console_user("管理员", "boss", PASSWORD, Role::Admin, None).await;
    let client = Console::new(&app.address).client;
    let response =
        client.post(app.url("/login")).form(&[("login", "boss"), ("password", PASSWORD)]).send().await.unwrap();
    let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly"), "{cookie}");
}

#[tokio::test]
async fn failed_sign_ins_count_towards_the_per_address_limit() {
    let app = spawn_app_with(&[("GONGKAI__AUTH__MAX_FAILURES_PER_MINUTE", "3")]).await;
    app.console_user("管理员", "boss", PASSWORD, Role::Admin, None).await;
    let mut console = Console::new(&app.address);
    for _ in 0..3 {
        let page = console.post_public("/login", &[("login", "boss"), ("password", "guess guess")]).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = console.post_public("/login", &[("login", "boss"), ("password", PASSWORD)]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits now");
    assert!(page.body.contains("尝试次数过多"));
    // The API shares the count: a bad token from the same address is refused with 429, while a
    // valid token (random, so nothing to guess) is still served.
    let api = app.client.get(app.url("/api/v1/users/me")).bearer_auth("not-a-token").send().await.unwrap();
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    let api = app.client.get(app.url("/api/v1/users/me")).bearer_auth(&app.admin).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::OK);
}

/// Move the sessions of the user `login` back in time: last used `idle` ago, started `age` ago.
fn age_sessions(app: &TestApp, login: &str, idle: chrono::TimeDelta, age: chrono::TimeDelta) {
    use diesel::prelude::*;
    use gongkai::storage::schema::{sessions, users};
    let now = chrono::Utc::now().naive_utc();
    let login = login.to_string();
    app.db
        .write_blocking(move |conn| {
            let id: i64 = users::table.filter(users::login.eq(&login)).select(users::id).get_result(conn)?;
            diesel::update(sessions::table.filter(sessions::user_id.eq(id)))
                .set((sessions::last_seen_at.eq(now - idle), sessions::created_at.eq(now - age)))
                .execute(conn)
                .map(|_| ())
                .map_err(gongkai::storage::StorageError::from)
        })
        .unwrap();
}

#[tokio::test]
async fn an_idle_or_too_old_session_leads_back_to_the_login_page() {
    let w = world().await;
    let mut idle = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    let mut old = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    assert_eq!(idle.get("/cases").await.status, StatusCode::OK);
    assert_eq!(old.get("/cases").await.status, StatusCode::OK);
    // 31 minutes without use (the idle timeout is 30), and a session started 13 hours ago
    // (the lifetime is 12) that was used a moment ago.
    age_sessions(&w.app, "clerk", chrono::TimeDelta::minutes(31), chrono::TimeDelta::minutes(40));
    age_sessions(&w.app, "officer", chrono::TimeDelta::seconds(5), chrono::TimeDelta::hours(13));
    let page = idle.get("/cases/1").await;
    page.assert_sign_in();
    assert_eq!(page.location.as_deref(), Some("/login?next=/cases/1"), "and back after signing in");
    old.get("/dashboard").await.assert_sign_in();
    // A form sent with an ended session writes nothing either.
    let before = case_count(&w.app).await;
    idle.post("/intake", &[("agency_id", &w.a.to_string())]).await.assert_sign_in();
    assert_eq!(case_count(&w.app).await, before);
}

#[tokio::test]
async fn a_password_change_a_reset_and_a_deactivation_end_every_session_of_the_user() {
    let w = world().await;
    let mut first = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    let mut second = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    let account = first.get("/account").await;
    assert!(account.body.contains("当前密码") && account.body.contains("新密码"));
    let wrong = first
        .post(
            "/account/password",
            &[("current_password", "wrong wrong"), ("new_password", "短"), ("new_password_again", "短")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("当前密码不正确") && wrong.body.contains("至少 8 个字符"), "{}", wrong.body);
    let changed = first
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "另一个好密码 2027"),
                ("new_password_again", "另一个好密码 2027"),
            ],
        )
        .await;
    assert_eq!(changed.location.as_deref(), Some("/login?changed=1"));
    first.get("/dashboard").await.assert_sign_in();
    second.get("/dashboard").await.assert_sign_in();
    assert_eq!(
        Console::new(&w.app.address)
            .post_public("/login", &[("login", "officer"), ("password", PASSWORD)])
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "the old password no longer works"
    );
    let mut again = Console::sign_in(&w.app.address, "officer", "另一个好密码 2027").await;

    // An administrator resets it over the API: the session ends, the API token still works.
    let officer_id =
        expect(w.app.get("/api/v1/users/me", &w.tokens["officer"]).await, StatusCode::OK).await["id"].as_i64().unwrap();
    let reset = w
        .app
        .post(&format!("/api/v1/users/{officer_id}/password"), &w.app.admin, &json!({"password": "重置后的密码 0001"}))
        .await;
    expect(reset, StatusCode::OK).await;
    again.get("/cases").await.assert_sign_in();
    expect(w.app.get("/api/v1/cases", &w.tokens["officer"]).await, StatusCode::OK).await;

    // Deactivation ends the sessions at once (no cache in between).
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    let clerk_id =
        expect(w.app.get("/api/v1/users/me", &w.tokens["clerk"]).await, StatusCode::OK).await["id"].as_i64().unwrap();
    expect(w.app.post(&format!("/api/v1/users/{clerk_id}/deactivate"), &w.app.admin, &json!({})).await, StatusCode::OK)
        .await;
    clerk.get("/cases").await.assert_sign_in();
    let page = Console::new(&w.app.address).post_public("/login", &[("login", "clerk"), ("password", PASSWORD)]).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED, "a deactivated user cannot sign in");
}

#[tokio::test]
async fn sessions_live_in_the_database_and_survive_a_restart() {
    let w = world().await;
    let mut console = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    // A second instance on the same database (as after a restart, or behind a load balancer)
    // knows the session, and a sign-out through one ends it on the other.
    let settings = test_settings(w.app.test_db.url());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let other = tokio::task::spawn_blocking(move || gongkai::app::Application::build(&settings, listener))
        .await
        .unwrap()
        .unwrap();
    let address = format!("http://127.0.0.1:{}", other.port);
    tokio::spawn(other.server);
    let mut there = Console {
        address: address.clone(),
        client: console.client.clone(),
        cookie: console.cookie.clone(),
        csrf: None,
    };
    assert_eq!(there.get("/cases").await.status, StatusCode::OK);
    console.get("/dashboard").await;
    console.post("/logout", &[]).await;
    there.get("/cases").await.assert_sign_in();
}

#[tokio::test]
async fn state_changing_forms_need_the_sessions_csrf_token() {
    let w = world().await;
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    let mut admin = Console::sign_in(&w.app.address, "admin", PASSWORD).await;
    clerk.get("/intake").await;
    admin.get("/admin").await;
    let before = case_count(&w.app).await;
    let agency = w.a.to_string();
    let today = china_today().to_string();
    let fields = [
        ("agency_id", agency.as_str()),
        ("channel", "in_person"),
        ("received_on", today.as_str()),
        ("applicant.category", "natural_person"),
        ("applicant.name", "张三"),
        ("description", "某文件"),
    ];
    let others_token = admin.csrf.clone().unwrap();
    for token in [None, Some("wrong-token"), Some(others_token.as_str()), Some("")] {
        let mut all = fields.to_vec();
        if let Some(token) = token {
            all.push(("_csrf", token));
        }
        let page = clerk.post_raw("/intake", &all).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "token {token:?}");
        assert!(page.body.contains("表单已失效"), "{}", page.body);
    }
    assert_eq!(case_count(&w.app).await, before, "nothing was registered");
    // Other forms alike: no user created, nobody signed out.
    let users_before = expect(w.app.get("/api/v1/users?limit=200", &w.app.admin).await, StatusCode::OK).await["items"]
        .as_array()
        .unwrap()
        .len();
    let page = admin
        .post_raw(
            "/admin/users",
            &[
                ("name", "新人"),
                ("login", "newbie"),
                ("password", PASSWORD),
                ("role", "clerk"),
                ("agency_id", agency.as_str()),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let users_after = expect(w.app.get("/api/v1/users?limit=200", &w.app.admin).await, StatusCode::OK).await["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(users_before, users_after);
    assert_eq!(clerk.post_raw("/logout", &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(clerk.get("/dashboard").await.status, StatusCode::OK, "still signed in");
    // With the token, the same form registers the request.
    let page = clerk.post("/intake", &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(case_count(&w.app).await, before + 1);
}

#[tokio::test]
async fn the_intake_form_keeps_what_was_typed_and_registers_once() {
    let w = world().await;
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    let form = clerk.get("/intake").await;
    for label in ["申请人类型", "姓名或名称", "证件号码", "申请方式", "收到申请日期", "申请内容", ">登记</button>"]
    {
        assert!(form.body.contains(label), "{label}");
    }
    let today = china_today().to_string();
    assert!(form.body.contains(&format!(r#"value="{today}""#)), "the receipt date defaults to today");
    let key =
        form.body.split(r#"name="idempotency_key" value=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    let agency = w.a.to_string();
    let mut fields = vec![
        ("idempotency_key", key.as_str()),
        ("agency_id", agency.as_str()),
        ("channel", "post"),
        ("received_on", today.as_str()),
        ("submitted_on", "2999-01-01"),
        ("applicant.category", "natural_person"),
        ("applicant.name", "王五"),
        ("applicant.id_number", "110105194912310021"),
        ("applicant.email", "not-an-address"),
        ("description", ""),
        ("items", "第一项\n\n第二项"),
    ];
    let page = clerk.post("/intake", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in
        ["居民身份证号码校验码（最后一位）不正确", "不是有效的电子邮件地址", "不能为空", "提交日期不得晚于收到申请日期"]
    {
        assert!(page.body.contains(message), "{message}: {}", page.body);
    }
    assert!(
        page.body.contains(r#"value="110105194912310021""#) && page.body.contains(r#"value="王五""#),
        "typed values kept"
    );
    assert!(page.body.contains("第一项\n\n第二项") || page.body.contains("第一项"), "items kept");
    assert!(page.body.contains(r#"<option value="post" selected>"#), "the channel kept");
    fields.retain(|(k, _)| !matches!(*k, "applicant.id_number" | "applicant.email" | "description" | "submitted_on"));
    fields.push(("applicant.id_number", "11010519491231002X"));
    fields.push(("description", "2018年南山区棚户区改造补偿标准文件"));
    fields.retain(|(k, _)| *k != "applicant.name");
    // The world's first request came from 张三 with this identity number.
    fields.push(("applicant.name", "张三"));
    let before = case_count(&w.app).await;
    let saved = clerk.post("/intake", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let location = saved.location.clone().unwrap();
    // The same form sent again (a double click, a resend) registers nothing new.
    let twice = clerk.post("/intake", &fields).await;
    assert_eq!(twice.location.as_deref(), Some(location.as_str()));
    assert_eq!(case_count(&w.app).await, before + 1);
    let done = clerk.get(&location).await;
    assert!(
        done.body.contains("A-") && done.body.contains("答复期限") && done.body.contains("打印受理回执"),
        "{}",
        done.body
    );
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let case = expect(w.app.get(&format!("/api/v1/cases/{id}"), &w.app.admin).await, StatusCode::OK).await;
    assert_eq!(case["channel"], "post");
    assert_eq!(case["items"].as_array().unwrap().len(), 2);
    assert!(done.body.contains(case["case_number"].as_str().unwrap()));
    assert!(done.body.contains(case["due_on"].as_str().unwrap()), "the same due date as the API");

    // The same identity document under another name registers, with the service's warning shown
    // beside the result.
    let mut other = fields.clone();
    other.retain(|(k, _)| !matches!(*k, "applicant.name" | "idempotency_key"));
    other.push(("applicant.name", "张叁"));
    let warned = clerk.post("/intake", &other).await;
    assert_eq!(warned.status, StatusCode::OK, "{}", warned.body);
    assert!(warned.body.contains("登记完成") && warned.body.contains("请注意"), "{}", warned.body);
}

/// What each role gets: the five roles in the order of [`ROLES`].
type Expected = [StatusCode; 5];
/// A form to send: path, fields, what each role gets.
type Post = (String, Vec<(&'static str, String)>, Expected);
const OK: StatusCode = StatusCode::OK;
const SEE: StatusCode = StatusCode::SEE_OTHER;
const NO: StatusCode = StatusCode::FORBIDDEN;
const GONE: StatusCode = StatusCode::NOT_FOUND;

#[tokio::test]
async fn every_console_route_answers_each_role_as_the_service_decides() {
    let w = world().await;
    let year = chrono::Utc::now().format("%Y").to_string();
    let last_year = (year.parse::<i32>().unwrap() - 1).to_string();
    let (a, b, case_a, case_b) = (w.a, w.b, w.case_a, w.case_b);
    // Last year sealed for A (so its drift view exists); a user in B.
    expect(
        w.app
            .post(
                &format!("/api/v1/reports/annual/{last_year}/seal?agency_id={a}"),
                &w.tokens["supervisor"],
                &json!({}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let b_user =
        w.app.post("/api/v1/users", &w.app.admin, &json!({"name": "B 的人", "role": "clerk", "agency_id": b})).await;
    let b_user = expect(b_user, StatusCode::CREATED).await["user"]["id"].as_i64().unwrap();
    let clerk_id =
        expect(w.app.get("/api/v1/users/me", &w.tokens["clerk"]).await, StatusCode::OK).await["id"].as_i64().unwrap();
    let all = [OK; 5];
    let hidden = [GONE; 5];
    let registrars = [OK, OK, OK, OK, NO];
    let readers_of_admin = [NO, NO, NO, OK, OK];
    let gets: Vec<(String, Expected)> = vec![
        ("/dashboard".into(), all),
        (format!("/dashboard?agency_id={a}"), all),
        (format!("/dashboard?agency_id={b}"), hidden),
        ("/intake".into(), registrars),
        ("/cases".into(), all),
        (format!("/cases?agency_id={b}"), hidden),
        (format!("/cases/{case_a}"), all),
        (format!("/cases/{case_b}"), hidden),
        (format!("/cases/{case_a}/letters/acknowledgement"), all),
        (format!("/cases/{case_b}/letters/acknowledgement"), hidden),
        (format!("/intake/registered/{case_a}"), all),
        (format!("/intake/registered/{case_b}"), hidden),
        (format!("/reports?agency_id={a}&year={year}"), all),
        (format!("/reports?agency_id={b}&year={year}"), hidden),
        (format!("/reports/cell?agency_id={a}&year={year}&row=new_received&column=total"), all),
        (format!("/reports/cell?agency_id={b}&year={year}&row=new_received&column=total"), hidden),
        (format!("/reports/export?agency_id={a}&year={year}&format=csv"), all),
        (format!("/reports/export?agency_id={a}&year={year}&format=xlsx"), all),
        (format!("/reports/export?agency_id={b}&year={year}&format=csv"), hidden),
        (format!("/reports/drift?agency_id={a}&year={last_year}"), all),
        (format!("/reports/drift?agency_id={b}&year={last_year}"), hidden),
        ("/admin".into(), readers_of_admin),
        (format!("/admin/calendar/{year}"), readers_of_admin),
        ("/account".into(), all),
        ("/ledger".into(), all),
        (format!("/cases/export?agency_id={a}&format=csv"), all),
        (format!("/cases/export?agency_id={b}&format=csv"), hidden),
        (format!("/reports/section-two?agency_id={a}&year={last_year}"), all),
        (format!("/reports/section-two?agency_id={b}&year={last_year}"), hidden),
        (format!("/agencies/{a}/settings"), all),
        (format!("/agencies/{b}/settings"), hidden),
        ("/intake/applicant?id_type=resident_id_card&id_number=11010519491231002X".into(), registrars),
    ];
    let today = china_today().to_string();
    let mut mismatches = Vec::new();
    for (index, (login, _)) in ROLES.iter().enumerate() {
        let mut console = Console::sign_in(&w.app.address, login, PASSWORD).await;
        for (path, expected) in &gets {
            let page = console.get(path).await;
            if page.status != expected[index] {
                mismatches.push(format!("{login} GET {path}: {} (expected {})", page.status, expected[index]));
            }
        }
        console.get("/dashboard").await;
        let (a_text, b_text) = (a.to_string(), b.to_string());
        let intake = |agency: &str| {
            vec![
                ("agency_id", agency.to_string()),
                ("channel", "in_person".to_string()),
                ("received_on", today.clone()),
                ("applicant.category", "natural_person".to_string()),
                ("applicant.name", "张三".to_string()),
                ("description", "某文件".to_string()),
            ]
        };
        let new_login = format!("new-{login}");
        let posts: Vec<Post> = vec![
            ("/intake".into(), intake(&b_text), [GONE, GONE, GONE, GONE, NO]),
            ("/intake".into(), intake(&a_text), [SEE, SEE, SEE, SEE, NO]),
            ("/reports/seal".into(), vec![("agency_id", b_text.clone()), ("year", last_year.clone())], hidden),
            (
                "/reports/seal".into(),
                vec![
                    ("agency_id", a_text.clone()),
                    ("year", last_year.clone()),
                    ("reason", format!("{login} 复核后重新封存")),
                ],
                [NO, NO, SEE, SEE, NO],
            ),
            (
                "/admin/agencies".into(),
                vec![("name", format!("{login} 的科室")), ("code", format!("K{index}")), ("parent_id", a_text.clone())],
                [NO, NO, NO, SEE, NO],
            ),
            (
                "/admin/users".into(),
                vec![
                    ("name", "新人".into()),
                    ("login", new_login.clone()),
                    ("password", PASSWORD.into()),
                    ("role", "clerk".into()),
                    ("agency_id", a_text.clone()),
                ],
                [NO, NO, NO, OK, NO],
            ),
            (format!("/admin/users/{b_user}/deactivate"), vec![], [NO, NO, NO, GONE, NO]),
            (format!("/admin/users/{b_user}/password"), vec![("password", PASSWORD.into())], [NO, NO, NO, GONE, NO]),
            (format!("/admin/users/{clerk_id}/token"), vec![], [NO, NO, NO, OK, NO]),
            (format!("/admin/calendar/{year}"), vec![("notice", "通知".into()), ("notices", "通知".into())], [NO; 5]),
            (
                format!("/cases/{case_b}/steps/decision"),
                vec![("decided_on", today.clone()), ("outcome", "disclosed".into()), ("basis", "依据".into())],
                hidden,
            ),
            // The one extension: granted by the supervisor, then refused to the administrator.
            (
                format!("/cases/{case_a}/steps/extension"),
                vec![
                    ("approved_on", today.clone()),
                    ("working_days", "10".into()),
                    ("reason", "需要调取档案".into()),
                    ("notified_on", today.clone()),
                ],
                [NO, NO, SEE, StatusCode::UNPROCESSABLE_ENTITY, NO],
            ),
            (
                "/reports/section-two".into(),
                vec![("agency_id", a_text.clone()), ("year", year.clone()), ("template", "2021".into())],
                [NO, SEE, SEE, SEE, NO],
            ),
            (
                "/reports/section-two".into(),
                vec![("agency_id", b_text.clone()), ("year", year.clone()), ("template", "2021".into())],
                hidden,
            ),
            (format!("/agencies/{a}/settings"), vec![("court", "某法院".into())], [NO, NO, SEE, SEE, NO]),
            (format!("/agencies/{b}/settings"), vec![("court", "某法院".into())], hidden),
        ];
        for (path, fields, expected) in &posts {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page = console.post(path, &fields).await;
            if page.status != expected[index] {
                mismatches.push(format!(
                    "{login} POST {path}: {} (expected {}) {}",
                    page.status,
                    expected[index],
                    &page.body.chars().take(300).collect::<String>()
                ));
            }
            console.get("/dashboard").await;
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

const SCRIPT: &str = "<script>alert(1)</script>";
const TEMPLATE: &str = "{{ 7*7 }}";

#[tokio::test]
async fn hostile_names_are_shown_as_text_on_every_page() {
    let app = spawn_app().await;
    let agency = expect(
        app.post("/api/v1/agencies", &app.admin, &json!({"name": SCRIPT, "code": "X", "parent_id": null})).await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    app.console_user(SCRIPT, "boss", PASSWORD, Role::Admin, None).await;
    let today = china_today().to_string();
    let mut ids = Vec::new();
    for (name, id_number) in [(SCRIPT, "11010519491231002X"), (TEMPLATE, "110101199003077571")] {
        let mut body = intake_body(agency, &today);
        body["applicant"]["name"] = json!(name);
        body["applicant"]["id_number"] = json!(id_number);
        body["applicant"]["email"] = Value::Null;
        body["description"] = json!(format!("{TEMPLATE} <b>粗体</b> {SCRIPT}"));
        ids.push(
            expect(app.post("/api/v1/cases", &app.admin, &body).await, StatusCode::CREATED).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let year = chrono::Utc::now().format("%Y").to_string();
    let mut console = Console::sign_in(&app.address, "boss", PASSWORD).await;
    let mut pages = vec![
        "/dashboard".to_string(),
        "/cases".to_string(),
        format!("/cases?q={}", crate::console::encode(TEMPLATE)),
        format!("/reports?agency_id={agency}&year={year}"),
        format!("/reports/cell?agency_id={agency}&year={year}&row=new_received&column=natural_person"),
        format!("/reports/export?agency_id={agency}&year={year}&format=html"),
        "/admin".to_string(),
        "/intake".to_string(),
        "/intake/applicant?id_type=resident_id_card&id_number=11010519491231002X".to_string(),
        "/intake/applicant?id_type=resident_id_card&id_number=110101199003077571".to_string(),
    ];
    for id in &ids {
        pages.push(format!("/cases/{id}"));
        pages.push(format!("/intake/registered/{id}"));
        pages.push(format!("/cases/{id}/letters/acknowledgement"));
    }
    for path in &pages {
        let page = console.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains(SCRIPT) && !page.body.contains("<b>粗体</b>"), "{path} shows markup as markup");
        assert!(!page.body.contains("<script>alert"), "{path}");
        assert!(page.body.contains("&lt;script&gt;alert(1)"), "{path} shows the name as text");
    }
    for path in
        [format!("/cases/{}", ids[1]), "/cases".to_string(), format!("/cases/{}/letters/acknowledgement", ids[1])]
    {
        let page = console.get(&path).await;
        assert!(page.body.contains(TEMPLATE), "{path} shows {TEMPLATE} as typed, not evaluated");
    }
}

/// Percent-encode a query value.
pub fn encode(value: &str) -> String {
    gongkai::web::url_encode(value)
}

/// The page's `<main>` with everything that changes from run to run replaced.
fn redacted(page: &Page, whole: bool) -> String {
    let body = if whole {
        page.body.clone()
    } else {
        let start = page.body.find("<main>").unwrap();
        let end = page.body.find("</main>").unwrap() + "</main>".len();
        page.body[start..end].to_string()
    };
    let rules = [
        (r#"name="_csrf" value="[^"]*""#, r#"name="_csrf" value="[csrf]""#),
        (r#"name="idempotency_key" value="[^"]*""#, r#"name="idempotency_key" value="[key]""#),
        (r"console\.[0-9a-f]{12}\.(css|js)", "console.[hash].$1"),
        (r"\d{4}-\d{2}-\d{2}", "[date]"),
        (r"\d{4}年\d{1,2}月\d{1,2}日", "[date]"),
        (r"\d{2}:\d{2}", "[time]"),
        (r"20\d\d", "[year]"),
    ];
    let mut text = body;
    for (pattern, replacement) in rules {
        text = regex::Regex::new(pattern).unwrap().replace_all(&text, replacement).into_owned();
    }
    text
}

#[tokio::test]
async fn console_pages_match_their_snapshots() {
    let w = world().await;
    // A case received today may be due next year: give that year a calendar when the shipped data
    // has none yet, so that the pages do not depend on the day the test runs.
    let next_year = china_today().year() + 1;
    let path = format!("/api/v1/calendar/{next_year}");
    if w.app.get(&path, &w.app.admin).await.status() == StatusCode::NOT_FOUND {
        let body = json!({"notice": "测试用日历", "notices": ["测试用日历"], "rest_days": [], "work_days": []});
        let put = w.app.client.put(w.app.url(&path)).bearer_auth(&w.app.admin).json(&body).send().await.unwrap();
        expect(put, StatusCode::OK).await;
    }
    let mut console = Console::new(&w.app.address);
    let login = console.get("/login").await;
    let mut admin = Console::sign_in(&w.app.address, "admin", PASSWORD).await;
    let year = chrono::Utc::now().format("%Y").to_string();
    let a = w.a;
    let mut pages = vec![("login", redacted(&login, true))];
    for (name, path) in [
        ("dashboard", "/dashboard".to_string()),
        ("cases", "/cases".to_string()),
        ("case", format!("/cases/{}", w.case_a)),
        ("intake", "/intake".to_string()),
        ("report", format!("/reports?agency_id={a}&year={year}")),
        ("admin", "/admin".to_string()),
    ] {
        let page = admin.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        pages.push((name, redacted(&page, false)));
    }
    admin.get("/intake").await;
    let rejected =
        admin.post("/intake", &[("applicant.name", "王五"), ("applicant.id_number", "110105194912310021")]).await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    pages.push(("intake_rejected", redacted(&rejected, false)));
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| {
        for (name, text) in pages {
            insta::assert_snapshot!(format!("console_{name}"), text);
        }
    });
}

#[tokio::test]
async fn administrators_set_sign_in_names_and_passwords_over_the_api() {
    let w = world().await;
    let created = w
        .app
        .post(
            "/api/v1/users",
            &w.app.admin,
            &json!({"name": "赵六", "role": "officer", "agency_id": w.a, "login": "ZhaoLiu", "password": PASSWORD}),
        )
        .await;
    let created = expect(created, StatusCode::CREATED).await;
    assert_eq!(created["user"]["login"], "zhaoliu");
    let id = created["user"]["id"].as_i64().unwrap();
    assert!(!created.to_string().contains(PASSWORD), "the password is never answered");
    Console::sign_in(&w.app.address, "zhaoliu", PASSWORD).await;

    // Taken names, bad names and short passwords are refused with their fields.
    let taken = w
        .app
        .post("/api/v1/users", &w.app.admin, &json!({"name": "x", "role": "clerk", "agency_id": w.a, "login": "clerk"}))
        .await;
    crate::helpers::expect_problem(taken, StatusCode::UNPROCESSABLE_ENTITY, "login_taken").await;
    let bad = w
        .app
        .post(
            "/api/v1/users",
            &w.app.admin,
            &json!({"name": "x", "role": "clerk", "agency_id": w.a, "login": "张三", "password": "short"}),
        )
        .await;
    let problem = crate::helpers::expect_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(crate::helpers::fields(&problem), ["login", "password"]);

    let client = reqwest::Client::new();
    let put = |login: &'static str, token: String| {
        let client = client.clone();
        let url = w.app.url(&format!("/api/v1/users/{id}/login"));
        async move { client.put(url).bearer_auth(token).json(&json!({ "login": login })).send().await.unwrap() }
    };
    let renamed = expect(put("zhao.liu", w.app.admin.clone()).await, StatusCode::OK).await;
    assert_eq!(renamed["login"], "zhao.liu");
    crate::helpers::expect_problem(
        put("admin", w.app.admin.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "login_taken",
    )
    .await;
    crate::helpers::expect_problem(
        put("x.y", w.tokens["supervisor"].clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    Console::sign_in(&w.app.address, "zhao.liu", PASSWORD).await;

    let reset = w
        .app
        .post(&format!("/api/v1/users/{id}/password"), &w.tokens["clerk"], &json!({"password": "whatever 1234"}))
        .await;
    crate::helpers::expect_problem(reset, StatusCode::FORBIDDEN, "forbidden").await;
    let short =
        w.app.post(&format!("/api/v1/users/{id}/password"), &w.app.admin, &json!({"password": "1234567"})).await;
    crate::helpers::expect_problem(short, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // An administrator of B does not see A's users.
    let b_admin = w.app.user("B 管理员", Role::Admin, Some(w.b)).await;
    let hidden =
        w.app.post(&format!("/api/v1/users/{id}/password"), &b_admin, &json!({"password": "whatever 1234"})).await;
    crate::helpers::expect_problem(hidden, StatusCode::NOT_FOUND, "user_not_found").await;
    expect(
        w.app.post(&format!("/api/v1/users/{id}/password"), &w.app.admin, &json!({"password": "新的密码 12345"})).await,
        StatusCode::OK,
    )
    .await;
    Console::sign_in(&w.app.address, "zhao.liu", "新的密码 12345").await;
    // The API token issued at creation is unaffected by all of this.
    expect(w.app.get("/api/v1/users/me", created["token"].as_str().unwrap()).await, StatusCode::OK).await;
}

#[tokio::test]
async fn the_console_is_in_the_audit_trail_like_the_api() {
    let w = world().await;
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    clerk.get(&format!("/cases/{}", w.case_a)).await;
    Console::new(&w.app.address).post_public("/login", &[("login", "clerk"), ("password", "wrong wrong")]).await;
    let mut entries = Vec::new();
    for _ in 0..50 {
        let trail = expect(w.app.get("/api/v1/audit?limit=200", &w.app.admin).await, StatusCode::OK).await;
        entries = trail["items"].as_array().unwrap().clone();
        let has = |action: &str, path: &str| entries.iter().any(|e| e["action"] == action && e["path"] == path);
        if has("read_identity_number", &format!("/cases/{}", w.case_a))
            && has("authentication_failed", "/login")
            && has("change", "/login")
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("console entries missing from the audit trail: {entries:?}");
}

#[tokio::test]
async fn the_dashboard_shows_the_figures_of_the_dashboard_api() {
    let w = world().await;
    let today = china_today();
    // Cases received over the last weeks in A: some due soon, some overdue.
    for days in [1, 20, 26, 27, 28, 40, 60] {
        w.app.intake(&w.app.admin, w.a, &(today - chrono::TimeDelta::days(days)).to_string()).await;
    }
    let api = expect(
        w.app.get(&format!("/api/v1/agencies/{}/dashboard?include_descendants=true", w.a), &w.tokens["officer"]).await,
        StatusCode::OK,
    )
    .await;
    let mut officer = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    let page = officer.get(&format!("/dashboard?agency_id={}", w.a)).await;
    assert_eq!(page.status, StatusCode::OK);
    let overdue = api["overdue_count"].as_i64().unwrap();
    let due_soon = api["due_soon_count"].as_i64().unwrap();
    assert!(overdue > 0, "the population has overdue cases: {api}");
    assert!(page.body.contains(&format!("已逾期（共 {overdue} 件）")), "{api}");
    assert!(page.body.contains(&format!("共 {due_soon} 件）")), "{api}");
    let open = api["open_total"].as_i64().unwrap();
    for entry in api["open_by_status"].as_array().unwrap() {
        let label = gongkai::domain::CaseStatus::parse(entry["status"].as_str().unwrap()).unwrap().label();
        assert!(
            page.body.contains(&format!(r#"">{}</a></span><span class="t">{label}</span>"#, entry["count"])),
            "{label}"
        );
    }
    assert!(page.body.contains(&format!(r#"<span class="n">{open}</span><span class="t">未办结合计</span>"#)), "{api}");
    for case in api["overdue"].as_array().unwrap() {
        assert!(page.body.contains(&format!(r#"<a href="/cases/{}">"#, case["id"])), "each overdue case is linked");
    }
}

#[tokio::test]
async fn the_case_list_pages_through_what_the_api_lists() {
    let w = world().await;
    let today = china_today();
    for days in 0..60 {
        w.app.intake(&w.app.admin, w.a, &(today - chrono::TimeDelta::days(days % 30)).to_string()).await;
    }
    let mut api_numbers = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/cases?limit=50&cursor={c}"),
            None => "/api/v1/cases?limit=50".to_string(),
        };
        let page = expect(w.app.get(&path, &w.tokens["clerk"]).await, StatusCode::OK).await;
        api_numbers
            .extend(page["items"].as_array().unwrap().iter().map(|c| c["case_number"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    let number = regex::Regex::new(r#"<a href="/cases/\d+">([A-Z]+-\d{4}-\d{5})</a>"#).unwrap();
    let next = regex::Regex::new(r#"<a href="(/cases\?[^"]*cursor=[^"]+)">下一页</a>"#).unwrap();
    let mut page_numbers = Vec::new();
    let mut path = "/cases".to_string();
    loop {
        let page = clerk.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        page_numbers.extend(number.captures_iter(&page.body).map(|c| c[1].to_string()));
        match next.captures(&page.body) {
            Some(c) => path = c[1].replace("&amp;", "&"),
            None => break,
        }
    }
    assert_eq!(page_numbers.len(), 61, "the clerk sees A's 60 cases and the world's first one");
    assert_eq!(page_numbers, api_numbers, "same cases, same order");
    // A filter travels with the paging links and agrees with the API's.
    let from = (today - chrono::TimeDelta::days(5)).to_string();
    let api = expect(
        w.app.get(&format!("/api/v1/cases?limit=200&received_from={from}"), &w.tokens["clerk"]).await,
        StatusCode::OK,
    )
    .await;
    let page = clerk.get(&format!("/cases?received_from={from}")).await;
    assert_eq!(number.captures_iter(&page.body).count(), api["items"].as_array().unwrap().len());
    let bad = clerk.get("/cases?received_from=yesterday").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("不是有效的日期") && bad.body.contains(r#"value="yesterday""#));
}

#[tokio::test]
async fn administration_creates_agencies_and_users_and_replaces_a_calendar_year() {
    let app = spawn_app().await;
    app.console_user("总管理员", "root", PASSWORD, Role::Admin, None).await;
    let mut root = Console::sign_in(&app.address, "root", PASSWORD).await;
    root.get("/admin").await;
    let bad = root.post("/admin/agencies", &[("name", ""), ("code", "NS")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("不能为空") && bad.body.contains(r#"value="NS""#), "the code is kept");
    let made = root.post("/admin/agencies", &[("name", "南山区人民政府"), ("code", "NS")]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let agencies = expect(app.get("/api/v1/agencies", &app.admin).await, StatusCode::OK).await;
    let agency = agencies["items"][0]["id"].as_i64().unwrap().to_string();

    root.get("/admin").await;
    let weak = root
        .post(
            "/admin/users",
            &[("name", "钱七"), ("login", "qian"), ("password", "short"), ("role", "clerk"), ("agency_id", &agency)],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.body.contains("至少 8 个字符") && weak.body.contains(r#"value="qian""#) && !weak.body.contains("short")
    );
    let created = root
        .post(
            "/admin/users",
            &[("name", "钱七"), ("login", "qian"), ("password", PASSWORD), ("role", "clerk"), ("agency_id", &agency)],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let token = regex::Regex::new(r#"id="token">(gk_[A-Za-z0-9_-]+)<"#).unwrap().captures(&created.body).unwrap()[1]
        .to_string();
    let me = expect(app.get("/api/v1/users/me", &token).await, StatusCode::OK).await;
    assert_eq!(
        (me["login"].as_str(), me["role"].as_str()),
        (Some("qian"), Some("clerk")),
        "the token shown once works"
    );
    let mut qian = Console::sign_in(&app.address, "qian", PASSWORD).await;
    assert_eq!(qian.get("/admin").await.status, StatusCode::FORBIDDEN, "a clerk does not administer");
    let taken = root
        .post(
            "/admin/users",
            &[("name", "又一个"), ("login", "QIAN"), ("password", PASSWORD), ("role", "clerk"), ("agency_id", &agency)],
        )
        .await;
    assert!(taken.status == StatusCode::UNPROCESSABLE_ENTITY && taken.body.contains("已被占用"), "{}", taken.body);

    let id = me["id"].as_i64().unwrap();
    root.get("/admin").await;
    let reset = root.post(&format!("/admin/users/{id}/password"), &[("password", "管理员重置的密码")]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    qian.get("/dashboard").await.assert_sign_in();
    let mut qian = Console::sign_in(&app.address, "qian", "管理员重置的密码").await;
    root.get("/admin").await;
    assert_eq!(root.post(&format!("/admin/users/{id}/deactivate"), &[]).await.status, StatusCode::SEE_OTHER);
    qian.get("/dashboard").await.assert_sign_in();
    expect(app.get("/api/v1/users/me", &token).await, StatusCode::UNAUTHORIZED).await;

    // A year of the calendar, replaced naming its notice: the change is recorded and in force.
    let year = root.get("/admin/calendar/2030").await;
    assert!(year.body.contains("还没有日历数据"));
    let bad = root.post("/admin/calendar/2030", &[("notice", ""), ("notices", ""), ("rest_days", "2030-13-01")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("不是有效的日期") && bad.body.contains("2030-13-01"));
    let notice = "国务院办公厅关于2030年部分节假日安排的通知";
    let saved = root
        .post(
            "/admin/calendar/2030",
            &[
                ("notice", notice),
                ("notices", notice),
                ("rest_days", "2030-10-01\n2030-10-02"),
                ("work_days", "2030-09-29"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let api = expect(app.get("/api/v1/calendar/2030", &app.admin).await, StatusCode::OK).await;
    assert_eq!(api["rest_days"], json!(["2030-10-01", "2030-10-02"]));
    assert_eq!(api["work_days"], json!(["2030-09-29"]));
    let page = root.get("/admin/calendar/2030").await;
    assert!(page.body.contains(notice) && page.body.contains("2030-10-02"));
}

#[tokio::test]
async fn assets_are_served_under_their_hash_for_a_year_and_nothing_comes_from_elsewhere() {
    let app = spawn_app().await;
    let mut console = Console::new(&app.address);
    let login = console.get("/login").await;
    let css =
        regex::Regex::new(r#"href="(/assets/console\.[0-9a-f]{12}\.css)""#).unwrap().captures(&login.body).unwrap()[1]
            .to_string();
    let js = regex::Regex::new(r#"src="(/assets/console\.[0-9a-f]{12}\.js)""#).unwrap().captures(&login.body).unwrap()
        [1]
    .to_string();
    for path in [&css, &js] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    }
    let stale = app.client.get(app.url("/assets/console.000000000000.css")).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
    let css = app.client.get(app.url(&css)).send().await.unwrap().text().await.unwrap();
    assert!(css.contains("@media print") && css.contains("size: A4"), "an A4 print style sheet");
    assert!(!regex::Regex::new(r#"(src|href)="https?://"#).unwrap().is_match(&login.body), "no outside resources");
}
