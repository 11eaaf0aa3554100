//! The test harness: a real server on 127.0.0.1:0 over its own database — a SQLite file in a temp
//! dir, or, when TEST_DATABASE_URL is set, a fresh PostgreSQL database dropped afterwards.

use std::net::TcpListener;

use chrono::Utc;
use diesel::{Connection, RunQueryDsl};
use gongkai::app::Application;
use gongkai::config::Settings;
use gongkai::domain::Role;
use gongkai::service::{users, ServiceError};
use gongkai::storage::Db;
use rand::Rng;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

/// A database of one test, removed when dropped.
pub enum TestDb {
    Sqlite { _dir: tempfile::TempDir, url: String },
    Postgres { admin_url: String, name: String, url: String },
}

impl TestDb {
    pub fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                // The administrative connection too (see below) unless the URL says otherwise.
                let admin_url = if admin_url.contains("gssencmode=") {
                    admin_url
                } else {
                    format!("{admin_url}{}gssencmode=disable", if admin_url.contains('?') { '&' } else { '?' })
                };
                let name = format!("gongkai_test_{}", rand::thread_rng().gen::<u64>());
                let mut conn = diesel::PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but PostgreSQL is not reachable: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn).unwrap();
                let base = admin_url.split('?').next().unwrap();
                // No TLS and no GSSAPI to the local server: libpq's OpenSSL state, and Kerberos's
                // mutexes (`k5_mutex_lock` assertion, seen in CI after every test had passed), can
                // abort the test process at exit while pooled connections of still-running servers
                // close.
                let url = format!("{}/{name}?sslmode=disable&gssencmode=disable", &base[..base.rfind('/').unwrap()]);
                TestDb::Postgres { admin_url, name, url }
            }
            _ => {
                let dir = tempfile::tempdir().unwrap();
                let url = dir.path().join("gongkai.sqlite3").to_string_lossy().into_owned();
                TestDb::Sqlite { _dir: dir, url }
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name, .. } = self {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
            }
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    /// An administrator bound to no agency.
    pub admin: String,
    /// Dropped with the app: the server's connections go with the database.
    #[allow(dead_code)]
    pub test_db: TestDb,
}

/// Today's date in China, as the service counts it (UTC+8).
pub fn china_today() -> chrono::NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

pub fn test_settings(url: &str) -> Settings {
    test_settings_with(url, &[])
}

/// The test settings with extra `GONGKAI__…` overrides.
pub fn test_settings_with(url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut env = vec![
        ("GONGKAI__SERVER__WORKERS".to_string(), "2".to_string()),
        ("GONGKAI__DATABASE__POOL_SIZE".to_string(), "4".to_string()),
        ("GONGKAI__LOG__LEVEL".to_string(), "warn".to_string()),
        // Tests send many deliberate 401s from one address; the limit has its own test.
        ("GONGKAI__AUTH__MAX_FAILURES_PER_MINUTE".to_string(), "1000000".to_string()),
        // Tests date their cases in past years and expect their letters mailed; the rule that a
        // step entered after the fact is not mailed has its own tests (with the default, 3 days).
        ("GONGKAI__MAIL__BACKDATED_DAYS".to_string(), "100000".to_string()),
        // Documents' files go to the system's temporary directory, not ./data of the checkout
        // (content-addressed, so tests sharing it cannot disturb each other).
        ("GONGKAI__FILES__DIR".to_string(), test_files_dir()),
    ];
    env.extend(extra.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())));
    Settings::load_from(None, Some(url), env).unwrap()
}

/// The documents' store of this test process.
pub fn test_files_dir() -> String {
    std::env::temp_dir().join(format!("gongkai-test-files-{}", std::process::id())).to_string_lossy().into_owned()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// A test app with extra settings, e.g. `[("GONGKAI__SERVER__BODY_LIMIT_BYTES", "1000")]`.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let test_db = TestDb::new();
    let settings = test_settings_with(test_db.url(), extra);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = tokio::task::spawn_blocking(move || Application::build(&settings, listener)).await.unwrap().unwrap();
    let address = format!("http://127.0.0.1:{}", app.port);
    let db = app.state.db.clone();
    tokio::spawn(app.server);
    let mut test = TestApp { address, client: reqwest::Client::new(), db, admin: String::new(), test_db };
    test.admin = test.user("root", Role::Admin, None).await;
    test
}

impl TestApp {
    /// Create a user directly (as `gongkai user add` does) and return its token.
    pub async fn user(&self, name: &str, role: Role, agency: Option<i64>) -> String {
        let db = self.db.clone();
        let name = name.to_string();
        tokio::task::spawn_blocking(move || {
            db.write_blocking(|conn| users::create_unchecked(conn, &name, role, agency, Utc::now().naive_utc()))
                .map_err(|e: ServiceError| e.to_string())
                .unwrap()
                .token
        })
        .await
        .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.unwrap()
    }

    /// Create an agency as the root administrator, with the letter settings every decision and
    /// fee notice needs (reconsideration body, court, how to pay, contact); returns its id.
    pub async fn agency(&self, code: &str, parent: Option<i64>) -> i64 {
        let id = self.bare_agency(code, parent).await;
        let settings = json!({
            "contact": format!("{code} 机关政府信息公开办公室，电话 0468-0000000"),
            "reconsideration_body": format!("{code} 机关的上一级人民政府"),
            "court": format!("{code} 机关所在地基层人民法院"),
            "fee_payment": "收款单位：财政局非税收入专户；账号：0000 0000",
        });
        let response = self
            .client
            .put(self.url(&format!("/api/v1/agencies/{id}/settings")))
            .bearer_auth(&self.admin)
            .json(&settings)
            .send()
            .await
            .unwrap();
        expect(response, StatusCode::OK).await;
        id
    }

    /// Create an agency as the root administrator, without letter settings; returns its id.
    pub async fn bare_agency(&self, code: &str, parent: Option<i64>) -> i64 {
        let response = self
            .post(
                "/api/v1/agencies",
                &self.admin,
                &json!({"name": format!("{code} 机关"), "code": code, "parent_id": parent}),
            )
            .await;
        let body = expect(response, StatusCode::CREATED).await;
        body["id"].as_i64().unwrap()
    }

    /// Register a simple request in `agency` received on `received_on`; returns the case.
    pub async fn intake(&self, token: &str, agency: i64, received_on: &str) -> Value {
        let response = self.post("/api/v1/cases", token, &intake_body(agency, received_on)).await;
        expect(response, StatusCode::CREATED).await
    }
}

pub fn intake_body(agency: i64, received_on: &str) -> Value {
    json!({
        "agency_id": agency,
        "channel": "in_person",
        "received_on": received_on,
        "applicant": {
            "category": "natural_person",
            "name": "张三",
            "id_number": "11010519491231002X",
            "phone": "13800000000",
            "email": "zhang@example.com"
        },
        "description": "2018年南山区棚户区改造补偿标准文件"
    })
}

/// Assert the status (printing the body when it differs) and return the JSON body.
pub async fn expect(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "unexpected status; body: {text}");
    if !status.is_success() {
        assert_eq!(content_type.as_deref(), Some("application/problem+json"), "errors are problem+json");
    }
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

/// Assert a problem with `status` and `code`, and return it.
pub async fn expect_problem(response: Response, status: StatusCode, code: &str) -> Value {
    let body = expect(response, status).await;
    assert_eq!(body["code"], code, "problem: {body}");
    assert_eq!(body["status"], status.as_u16());
    body
}

/// The field paths named by a problem.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map_or(Vec::new(), |errors| errors.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
}

/// A signed-in browser session of the console, driven over plain HTTP: it keeps the session
/// cookie, never follows redirects, and sends the CSRF token of the last page it read.
pub struct Console {
    pub address: String,
    pub client: reqwest::Client,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

/// A console response: status, `Location`, body.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// Assert a redirect to the sign-in page.
    pub fn assert_sign_in(&self) {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "body: {}", self.body);
        let location = self.location.as_deref().unwrap_or_default();
        assert!(location.starts_with("/login"), "redirected to {location}");
    }
}

impl Console {
    pub fn new(address: &str) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { address: address.to_string(), client, cookie: None, csrf: None }
    }

    /// Sign in with the login form; panics unless it works.
    pub async fn sign_in(address: &str, login: &str, password: &str) -> Self {
        let mut console = Self::new(address);
        let page = console.post_public("/login", &[("login", login), ("password", password)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-in failed: {}", page.body);
        assert!(console.cookie.is_some(), "no session cookie");
        console
    }

    fn remember(&mut self, response: &Response) {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            if let Some(rest) = text.strip_prefix("gongkai_session=") {
                let value = rest.split(';').next().unwrap().to_string();
                self.cookie = if value.is_empty() || text.contains("Max-Age=0") { None } else { Some(value) };
            }
        }
    }

    async fn read(&mut self, response: Response) -> Page {
        self.remember(&response);
        let status = response.status();
        let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        let body = response.text().await.unwrap();
        if let Some(token) = csrf_of(&body) {
            self.csrf = Some(token);
        }
        Page { status, location, body }
    }

    fn with_cookie(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.cookie {
            Some(cookie) => request.header("cookie", format!("gongkai_session={cookie}")),
            None => request,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.with_cookie(self.client.get(format!("{}{path}", self.address)));
        let response = request.send().await.unwrap();
        self.read(response).await
    }

    /// POST a form with this session's CSRF token (from the last page read).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf.clone().expect("read a page first: no CSRF token yet");
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// POST exactly these fields (no token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self.with_cookie(self.client.post(format!("{}{path}", self.address))).form(fields);
        let response = request.send().await.unwrap();
        self.read(response).await
    }

    /// POST a form with a file (`multipart/form-data`) and this session's CSRF token.
    pub async fn post_file(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, Vec<u8>)) -> Page {
        let token = self.csrf.clone().expect("read a page first: no CSRF token yet");
        let mut form = reqwest::multipart::Form::new().text("_csrf", token);
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        form = form.part("file", reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_string()));
        let request = self.with_cookie(self.client.post(format!("{}{path}", self.address))).multipart(form);
        let response = request.send().await.unwrap();
        self.read(response).await
    }

    pub async fn post_public(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_raw(path, fields).await
    }
}

/// The CSRF token in a page's forms, if any.
pub fn csrf_of(body: &str) -> Option<String> {
    let start = body.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    Some(body[start..].split('"').next()?.to_string())
}

impl TestApp {
    /// Create a user with a console sign-in name and password (as `gongkai user add --login
    /// --password-stdin` does); returns its API token.
    pub async fn console_user(
        &self,
        name: &str,
        login: &str,
        password: &str,
        role: Role,
        agency: Option<i64>,
    ) -> String {
        let db = self.db.clone();
        let (name, login, password) = (name.to_string(), login.to_string(), password.to_string());
        tokio::task::spawn_blocking(move || {
            let login = gongkai::domain::sign_in::Login::parse(&login).unwrap();
            let password = gongkai::domain::sign_in::Password::parse(&password, "password").unwrap();
            let hash = gongkai::service::sign_in::hash_password(&password).unwrap();
            db.write_blocking(|conn| {
                let created = users::create_unchecked(conn, &name, role, agency, Utc::now().naive_utc())?;
                gongkai::service::sign_in::set_credentials_unchecked(conn, created.user.id, Some(&login), Some(&hash))?;
                Ok::<_, ServiceError>(created.token)
            })
            .unwrap()
        })
        .await
        .unwrap()
    }
}
