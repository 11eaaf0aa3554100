//! Crash safety: the real binary is killed with SIGKILL in the middle of concurrent intakes and
//! decisions, restarted on the same database, and everything it acknowledged must be there, once
//! and whole, while what was in flight is either complete or absent.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use futures_util::{stream, StreamExt};
use rand::Rng;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestDb;

const RECEIVED_ON: &str = "2024-03-05";
const CONCLUDED_ON: &str = "2024-03-20";
const INTAKE_TASKS: usize = 10;
const CONCLUDE_TASKS: usize = 6;
const PRECREATED: u64 = 24;

/// A `gongkai serve` child process, killed when dropped.
struct Server {
    child: Child,
    address: String,
    log: PathBuf,
}

impl Server {
    fn start(url: &str, log: &Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let stderr = File::create(log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["--database-url", url, "serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("GONGKAI__LOG__LEVEL", "error")
            .env("GONGKAI__BACKGROUND__SWEEP_ENABLED", "false")
            .env_remove("RUST_LOG")
            .env_remove("DATABASE_URL")
            .env_remove("GONGKAI_CONFIG")
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        Server { child, address: format!("http://127.0.0.1:{port}"), log: log.to_path_buf() }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Wait until `/readyz` answers 200 (the database is migrated and reachable).
    async fn ready(&mut self, client: &Client) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the service exited ({status}) before it was ready:\n{}", self.log());
            }
            if let Ok(response) = client.get(self.url("/readyz")).send().await {
                if response.status() == StatusCode::OK {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "the service was not ready within 60 s:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no shutdown hook, no flush, no rollback but the database's own.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `gongkai user add` through the binary; returns the token (the last line).
fn user_add(url: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["--database-url", url, "user", "add"])
        .args(args)
        .env("GONGKAI__LOG__LEVEL", "error")
        .env_remove("RUST_LOG")
        .env_remove("DATABASE_URL")
        .env_remove("GONGKAI_CONFIG")
        .output()
        .unwrap();
    assert!(output.status.success(), "user add failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().last().unwrap().trim().to_string()
}

/// A valid resident identity number (GB 11643 check character) for the n-th fresh applicant.
fn identity_number(n: u64) -> String {
    let born = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(n);
    let body = format!("110105{}{:03}", born.format("%Y%m%d"), 100 + n % 900);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// One intake request: its key, its unique description and its body.
#[derive(Clone, Debug)]
struct Intake {
    key: String,
    description: String,
    id_number: String,
    body: Value,
}

impl Intake {
    /// Even requests come from one recurring applicant, odd ones from a new applicant each.
    fn new(agency: i64, n: u64) -> Intake {
        let (name, id_number) = if n % 2 == 1 {
            (format!("申请人{n}"), identity_number(n))
        } else {
            ("张三".to_string(), "11010519491231002X".to_string())
        };
        let description = format!("崩溃测试申请 第{n}号：2023年度财政预算执行情况");
        let body = json!({
            "agency_id": agency,
            "channel": "in_person",
            "received_on": RECEIVED_ON,
            "applicant": {"category": "natural_person", "name": name, "id_number": id_number},
            "description": description,
        });
        Intake { key: format!("crash-intake-{n}"), description, id_number, body }
    }
}

/// How a case is concluded: a decision with an outcome, or a withdrawal (`other_misc`).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Conclusion {
    kind: &'static str,
    outcome: &'static str,
}

impl Conclusion {
    fn for_case(id: i64) -> Conclusion {
        const OUTCOMES: [&str; 4] =
            ["disclosed", "unavailable_not_held", "unavailable_needs_creation", "withheld_state_secret"];
        if id % 5 == 0 {
            Conclusion { kind: "withdrawn", outcome: "other_misc" }
        } else {
            Conclusion { kind: "decided", outcome: OUTCOMES[(id % 4) as usize] }
        }
    }

    fn path_and_body(self, id: i64) -> (String, Value) {
        if self.kind == "withdrawn" {
            (format!("/api/v1/cases/{id}/withdrawal"), json!({"withdrawn_on": CONCLUDED_ON}))
        } else {
            (
                format!("/api/v1/cases/{id}/decision"),
                json!({"decided_on": CONCLUDED_ON, "outcome": self.outcome, "basis": "依据条例第三十六条答复"}),
            )
        }
    }
}

/// What the clients saw during the load.
#[derive(Default)]
struct Journal {
    /// 201 received; the id when the body could be read as well.
    acked_intakes: Vec<(Intake, Option<i64>)>,
    /// No answer: the process died with the request in flight (or before it was sent).
    failed_intakes: Vec<Intake>,
    acked_conclusions: Vec<(i64, Conclusion)>,
    failed_conclusions: Vec<(i64, Conclusion)>,
    /// Any other answer: there should be none.
    unexpected: Vec<String>,
}

struct Load {
    client: Client,
    address: String,
    agency: i64,
    clerk: String,
    officer: String,
    next: AtomicU64,
    open: Mutex<VecDeque<i64>>,
    stop: AtomicBool,
    journal: Mutex<Journal>,
}

impl Load {
    async fn intakes(self: Arc<Self>) {
        while !self.stop.load(Ordering::SeqCst) {
            let intake = Intake::new(self.agency, self.next.fetch_add(1, Ordering::SeqCst));
            let sent = self
                .client
                .post(format!("{}/api/v1/cases", self.address))
                .bearer_auth(&self.clerk)
                .header("Idempotency-Key", &intake.key)
                .json(&intake.body)
                .send()
                .await;
            match sent {
                Ok(response) if response.status() == StatusCode::CREATED => {
                    let id = response.json::<Value>().await.ok().and_then(|case| case["id"].as_i64());
                    if let Some(id) = id {
                        self.open.lock().unwrap().push_back(id);
                    }
                    self.journal.lock().unwrap().acked_intakes.push((intake, id));
                }
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    let mut journal = self.journal.lock().unwrap();
                    journal.unexpected.push(format!("intake {}: {status} {text}", intake.key));
                    journal.failed_intakes.push(intake);
                }
                Err(_) => {
                    self.journal.lock().unwrap().failed_intakes.push(intake);
                    return;
                }
            }
        }
    }

    async fn conclusions(self: Arc<Self>) {
        while !self.stop.load(Ordering::SeqCst) {
            let Some(id) = self.open.lock().unwrap().pop_front() else {
                tokio::time::sleep(Duration::from_millis(2)).await;
                continue;
            };
            let conclusion = Conclusion::for_case(id);
            let (path, body) = conclusion.path_and_body(id);
            let sent =
                self.client.post(format!("{}{path}", self.address)).bearer_auth(&self.officer).json(&body).send().await;
            match sent {
                Ok(response) if response.status() == StatusCode::OK => {
                    self.journal.lock().unwrap().acked_conclusions.push((id, conclusion));
                }
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    let mut journal = self.journal.lock().unwrap();
                    journal.unexpected.push(format!("{path}: {status} {text}"));
                    journal.failed_conclusions.push((id, conclusion));
                }
                Err(_) => {
                    self.journal.lock().unwrap().failed_conclusions.push((id, conclusion));
                    return;
                }
            }
        }
    }
}

async fn get_json(client: &Client, url: String, token: &str) -> Value {
    let response = client.get(&url).bearer_auth(token).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {url}: {text}");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_service_loses_nothing_it_acknowledged() {
    let started = Instant::now();
    let db = TestDb::new();
    let logs = tempfile::tempdir().unwrap();
    let url = db.url().to_string();
    let admin = user_add(&url, &["--name", "管理员", "--role", "admin"]);
    let client = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();

    // ------------------------------------------------------------------ first life
    let mut server = Server::start(&url, &logs.path().join("first.log"));
    server.ready(&client).await;
    let response = client
        .post(server.url("/api/v1/agencies"))
        .bearer_auth(&admin)
        .json(&json!({"name": "崩溃测试局", "code": "CR", "parent_id": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let agency = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // What its decision letters must name.
    let response = client
        .put(server.url(&format!("/api/v1/agencies/{agency}/settings")))
        .bearer_auth(&admin)
        .json(&json!({"reconsideration_body": "上一级人民政府", "court": "基层人民法院"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut tokens = Vec::new();
    for role in ["clerk", "officer"] {
        let response = client
            .post(server.url("/api/v1/users"))
            .bearer_auth(&admin)
            .json(&json!({"name": format!("{role} of CR"), "role": role, "agency_id": agency}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        tokens.push(response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string());
    }
    let (clerk, officer) = (tokens[0].clone(), tokens[1].clone());

    let load = Arc::new(Load {
        client: client.clone(),
        address: server.address.clone(),
        agency,
        clerk: clerk.clone(),
        officer: officer.clone(),
        next: AtomicU64::new(PRECREATED),
        open: Mutex::new(VecDeque::new()),
        stop: AtomicBool::new(false),
        journal: Mutex::new(Journal::default()),
    });
    // Cases for the deciders to start on.
    for n in 0..PRECREATED {
        let intake = Intake::new(agency, n);
        let response = client
            .post(server.url("/api/v1/cases"))
            .bearer_auth(&clerk)
            .header("Idempotency-Key", &intake.key)
            .json(&intake.body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        load.open.lock().unwrap().push_back(id);
        load.journal.lock().unwrap().acked_intakes.push((intake, Some(id)));
    }
    let setup = started.elapsed();

    // ------------------------------------------------------------------ load, then SIGKILL
    let load_started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..INTAKE_TASKS {
        tasks.push(tokio::spawn(load.clone().intakes()));
    }
    for _ in 0..CONCLUDE_TASKS {
        tasks.push(tokio::spawn(load.clone().conclusions()));
    }
    let kill_after = Duration::from_millis(rand::thread_rng().gen_range(800..1600));
    tokio::time::sleep(kill_after).await;
    server.kill();
    load.stop.store(true, Ordering::SeqCst);
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(30), task).await.expect("a load task hung").unwrap();
    }
    let load_time = load_started.elapsed();
    let journal = std::mem::take(&mut *load.journal.lock().unwrap());
    assert!(journal.unexpected.is_empty(), "unexpected answers under load: {:#?}", journal.unexpected);
    assert!(
        !journal.failed_intakes.is_empty() || !journal.failed_conclusions.is_empty(),
        "the kill caught nothing in flight"
    );
    assert!(journal.acked_intakes.len() as u64 > PRECREATED, "no intake was acknowledged under load");
    assert!(!journal.acked_conclusions.is_empty(), "no conclusion was acknowledged under load");

    // ------------------------------------------------------------------ second life
    let verify_started = Instant::now();
    let mut server = Server::start(&url, &logs.path().join("second.log"));
    let client = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    server.ready(&client).await;

    // Every case of the agency, page by page.
    let mut summaries: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut page_url = server.url(&format!("/api/v1/cases?agency_id={agency}&limit=200"));
        if let Some(cursor) = &cursor {
            page_url.push_str(&format!("&cursor={cursor}"));
        }
        let page = get_json(&client, page_url, &officer).await;
        summaries.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    // Each case in full with its events and its outbox.
    let fetched: Vec<(Value, Value, Value)> = stream::iter(summaries.iter().map(|s| s["id"].as_i64().unwrap()))
        .map(|id| {
            let (client, server_url, officer) = (&client, &server.address, &officer);
            async move {
                let case = get_json(client, format!("{server_url}/api/v1/cases/{id}"), officer).await;
                let events = get_json(client, format!("{server_url}/api/v1/cases/{id}/events"), officer).await;
                let outbox = get_json(client, format!("{server_url}/api/v1/cases/{id}/letters"), officer).await;
                (case, events, outbox)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;

    // No case is half-written.
    let mut cases: HashMap<i64, Value> = HashMap::new();
    let mut by_description: HashMap<String, Vec<i64>> = HashMap::new();
    let mut numbers = HashSet::new();
    let mut concluded: HashMap<i64, Conclusion> = HashMap::new();
    for (case, events, outbox) in fetched {
        let id = case["id"].as_i64().unwrap();
        let events = events.as_array().unwrap();
        // The outbox holds exactly the letters of the recorded steps: none lost, none twice.
        let mut letters: Vec<&str> = outbox.as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
        letters.sort_unstable();
        let mut owed: Vec<&str> = events
            .iter()
            .filter_map(|e| match e["kind"].as_str() {
                Some("received") => Some("acknowledgement"),
                Some("decided") => Some("decision"),
                Some("withdrawn") => Some("withdrawal_confirmation"),
                _ => None,
            })
            .collect();
        owed.sort_unstable();
        assert_eq!(letters, owed, "case {id}: the outbox does not match its steps");
        assert!(!events.is_empty(), "case {id} has no events: {case}");
        assert_eq!(events[0]["kind"], "received", "case {id} does not start with `received`: {events:?}");
        let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>(), "case {id}: event seqs are not 1..n");
        assert_eq!(seqs.last().copied(), case["version"].as_i64(), "case {id}: last seq ≠ version: {case} {events:?}");
        let endings: Vec<&Value> =
            events.iter().filter(|e| matches!(e["kind"].as_str(), Some("decided" | "withdrawn"))).collect();
        match case["status"].as_str().unwrap() {
            "concluded" => {
                assert_eq!(endings.len(), 1, "concluded case {id} needs exactly one ending event: {events:?}");
                assert_eq!(endings[0]["payload"]["outcome"], case["outcome"], "case {id}: event and case disagree");
                assert_eq!(case["concluded_on"], CONCLUDED_ON, "case {id}");
                let kind = if endings[0]["kind"] == "withdrawn" { "withdrawn" } else { "decided" };
                let outcome = Conclusion::for_case(id);
                assert_eq!(
                    (kind, case["outcome"].as_str()),
                    (outcome.kind, Some(outcome.outcome)),
                    "case {id} concluded otherwise than asked"
                );
                concluded.insert(id, outcome);
            }
            "received" => {
                assert!(endings.is_empty(), "open case {id} has an ending event: {events:?}");
                assert!(case["outcome"].is_null() && case["concluded_on"].is_null(), "open case {id}: {case}");
            }
            other => panic!("case {id} has status {other}"),
        }
        assert!(numbers.insert(case["case_number"].as_str().unwrap().to_string()), "duplicate number: {case}");
        by_description.entry(case["description"].as_str().unwrap().to_string()).or_default().push(id);
        cases.insert(id, case);
    }
    assert_eq!(cases.len(), summaries.len(), "the list repeats a case");
    let expected_numbers: HashSet<String> = (1..=cases.len()).map(|n| format!("CR-2024-{n:05}")).collect();
    assert_eq!(numbers, expected_numbers, "case numbers are not dense: a rolled-back intake kept its number");

    // Every acknowledged intake is there once, as sent; a failed one is there once or not at all.
    let mut known = HashSet::new();
    for (intake, id) in &journal.acked_intakes {
        known.insert(intake.description.clone());
        let found = by_description.get(&intake.description).cloned().unwrap_or_default();
        assert_eq!(found.len(), 1, "acknowledged intake {} found {} times", intake.key, found.len());
        if let Some(id) = id {
            assert_eq!(found[0], *id, "acknowledged intake {} has another id", intake.key);
        }
        let case = &cases[&found[0]];
        assert_eq!(case["applicant"]["id_number"], intake.id_number.as_str(), "case {}", found[0]);
        assert_eq!(case["received_on"], RECEIVED_ON);
    }
    let mut failed_present = 0;
    for intake in &journal.failed_intakes {
        known.insert(intake.description.clone());
        let found = by_description.get(&intake.description).map_or(0, Vec::len);
        assert!(found <= 1, "failed intake {} found {found} times", intake.key);
        failed_present += found;
    }
    for description in by_description.keys() {
        assert!(known.contains(description), "a case nobody asked for: {description}");
    }
    // Every acknowledged conclusion is there; a failed one is there whole or not at all; nothing
    // else was concluded.
    for (id, conclusion) in &journal.acked_conclusions {
        assert_eq!(concluded.get(id), Some(conclusion), "acknowledged conclusion of case {id} is lost");
    }
    let attempted: HashSet<i64> =
        journal.acked_conclusions.iter().chain(&journal.failed_conclusions).map(|(id, _)| *id).collect();
    for id in concluded.keys() {
        assert!(attempted.contains(id), "case {id} is concluded but nobody concluded it");
    }
    let failed_concluded = journal.failed_conclusions.iter().filter(|(id, _)| concluded.contains_key(id)).count();

    // Replaying each key: the acknowledged and the surviving failed intakes answer 200 with their
    // case; a failed intake that left nothing is created now (201), once.
    let replays: Vec<(Intake, StatusCode, i64)> =
        stream::iter(journal.acked_intakes.iter().map(|(intake, _)| intake).chain(&journal.failed_intakes))
            .map(|intake| {
                let request = client
                    .post(server.url("/api/v1/cases"))
                    .bearer_auth(&clerk)
                    .header("Idempotency-Key", &intake.key)
                    .json(&intake.body);
                async move {
                    let response = request.send().await.unwrap();
                    let status = response.status();
                    let text = response.text().await.unwrap();
                    let id = serde_json::from_str::<Value>(&text).ok().and_then(|case| case["id"].as_i64());
                    (intake.clone(), status, id.unwrap_or_else(|| panic!("replay of {}: {status} {text}", intake.key)))
                }
            })
            .buffer_unordered(8)
            .collect()
            .await;
    for (intake, status, id) in &replays {
        match by_description.get(&intake.description) {
            Some(found) => {
                assert_eq!((*status, *id), (StatusCode::OK, found[0]), "replay of {} did not find its case", intake.key)
            }
            None => assert_eq!(*status, StatusCode::CREATED, "replay of {}: no case, yet not created", intake.key),
        }
    }
    let verify_time = verify_started.elapsed();
    server.kill();

    eprintln!(
        "crash ({}): setup {setup:?}, load {load_time:?} (killed after {kill_after:?}), verify {verify_time:?}, \
         total {:?}; intakes acked {} failed {} (of which present {failed_present}); conclusions acked {} \
         failed {} (of which present {failed_concluded}); cases after restart {}",
        if db.is_postgres() { "postgres" } else { "sqlite" },
        started.elapsed(),
        journal.acked_intakes.len(),
        journal.failed_intakes.len(),
        journal.acked_conclusions.len(),
        journal.failed_conclusions.len(),
        cases.len(),
    );
}
