//! Scale-out: two service instances in one process, on different ports, over ONE database (one
//! SQLite file with two sets of pools, or one PostgreSQL database). Whatever goes through either
//! instance must behave as if there were a single service: dense unique case numbers, one winner
//! per raced decision, idempotent intake across instances, shared tokens, and one daily sweep.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::TcpListener;
use std::sync::{Arc, Barrier};
use std::time::Instant;

use chrono::Utc;
use gongkai::app::Application;
use gongkai::domain::Role;
use gongkai::http::AppState;
use gongkai::service::{sweep, users, ServiceError};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{expect, intake_body, test_settings_with, TestDb};

/// One running instance: its address and its state (pools, calendar).
struct Instance {
    address: String,
    state: Arc<AppState>,
    handle: actix_web::dev::ServerHandle,
}

impl Instance {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }
}

/// Build an instance on its own listener over `url` and run its server on the test runtime.
async fn start(url: &str) -> Instance {
    let settings = test_settings_with(url, &[("GONGKAI__AUTH__CACHE_SECONDS", "1")]);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = tokio::task::spawn_blocking(move || Application::build(&settings, listener))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("instance failed to start: {e:#}"));
    let address = format!("http://127.0.0.1:{}", app.port);
    let state = app.state.clone();
    let handle = app.server.handle();
    tokio::spawn(app.server);
    Instance { address, state, handle }
}

/// Create a user directly in the database (as `gongkai user add`); returns its token.
async fn user(instance: &Instance, name: &str, role: Role, agency: Option<i64>) -> String {
    let db = instance.state.db.clone();
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

/// Send on the runtime (concurrently with everything else spawned); status and JSON body.
fn spawn_send(request: RequestBuilder) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    tokio::spawn(async move {
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
        (status, body)
    })
}

async fn join_all(handles: Vec<tokio::task::JoinHandle<(StatusCode, Value)>>) -> Vec<(StatusCode, Value)> {
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

/// Every case `token` sees through `instance`, following the cursor.
async fn list_all(client: &Client, instance: &Instance, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = client.get(instance.url("/api/v1/cases")).bearer_auth(token).query(&[("limit", "200")]);
        if let Some(c) = &cursor {
            request = request.query(&[("cursor", c.as_str())]);
        }
        let page = expect(request.send().await.unwrap(), StatusCode::OK).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return items,
        }
    }
}

async fn events(client: &Client, instance: &Instance, token: &str, id: i64) -> Vec<Value> {
    let response = client.get(instance.url(&format!("/api/v1/cases/{id}/events"))).bearer_auth(token).send().await;
    expect(response.unwrap(), StatusCode::OK).await.as_array().unwrap().clone()
}

async fn case(client: &Client, instance: &Instance, token: &str, id: i64) -> Value {
    let response = client.get(instance.url(&format!("/api/v1/cases/{id}"))).bearer_auth(token).send().await;
    expect(response.unwrap(), StatusCode::OK).await
}

fn decided(events: &[Value]) -> Vec<&Value> {
    events.iter().filter(|e| e["kind"] == "decided").collect()
}

/// A resident identity number born 1949-12-31 in 110105 with sequence `seq`, with its ISO 7064
/// MOD 11-2 check character.
fn id_number(seq: u32) -> String {
    let body = format!("11010519491231{:03}", seq % 1000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(weights).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// An intake body for one of a few applicants (so that intakes do not all queue on one row).
fn intake_for(agency: i64, received_on: &str, applicant: u32) -> Value {
    let mut body = intake_body(agency, received_on);
    body["applicant"]["id_number"] = json!(id_number(applicant));
    body
}

#[tokio::test]
async fn two_instances_on_one_database_behave_as_one_service() {
    let started = Instant::now();
    let test_db = TestDb::new();
    // Started one after the other (concurrent start-up is the next test's subject).
    let a = start(test_db.url()).await;
    let b = start(test_db.url()).await;
    let instances = [&a, &b];
    let client = Client::new();
    let admin = user(&a, "root", Role::Admin, None).await;

    // Two agencies, created through different instances.
    let mut agencies = Vec::new();
    for (i, code) in ["NS", "BQ"].into_iter().enumerate() {
        let body = json!({"name": format!("{code} 机关"), "code": code, "parent_id": null});
        let request = client.post(instances[i].url("/api/v1/agencies")).bearer_auth(&admin).json(&body);
        let created = expect(request.send().await.unwrap(), StatusCode::CREATED).await;
        let id = created["id"].as_i64().unwrap();
        // What its decision letters must name.
        let settings = json!({"reconsideration_body": "上一级人民政府", "court": "基层人民法院"});
        let request = client
            .put(instances[i].url(&format!("/api/v1/agencies/{id}/settings")))
            .bearer_auth(&admin)
            .json(&settings);
        expect(request.send().await.unwrap(), StatusCode::OK).await;
        agencies.push((id, code));
    }

    // A token issued through A works through B (and its revocation through B holds on A).
    let body = json!({"name": "复核员", "role": "auditor", "agency_id": null});
    let created = expect(
        client.post(a.url("/api/v1/users")).bearer_auth(&admin).json(&body).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let auditor = created["token"].as_str().unwrap().to_string();
    let auditor_id = created["user"]["id"].as_i64().unwrap();
    let me = client.get(b.url("/api/v1/users/me")).bearer_auth(&auditor).send().await.unwrap();
    assert_eq!(expect(me, StatusCode::OK).await["id"], auditor_id, "A's token is valid on B");

    // The working tokens: a clerk and an officer per agency, made through the API on alternating
    // instances.
    let mut clerks = HashMap::new();
    let mut officers = HashMap::new();
    for (i, (agency, code)) in agencies.iter().enumerate() {
        for (j, role) in ["clerk", "officer"].into_iter().enumerate() {
            let body = json!({"name": format!("{code} {role}"), "role": role, "agency_id": agency});
            let request = client.post(instances[(i + j) % 2].url("/api/v1/users")).bearer_auth(&admin).json(&body);
            let token =
                expect(request.send().await.unwrap(), StatusCode::CREATED).await["token"].as_str().unwrap().to_string();
            if role == "clerk" { &mut clerks } else { &mut officers }.insert(*agency, token);
        }
    }

    // 200 intakes at once, half through each instance, over 2 agencies × 2 years × 5 applicants.
    let t = Instant::now();
    let handles = (0..200u32)
        .map(|i| {
            let instance = instances[(i % 2) as usize];
            let (agency, _) = agencies[((i / 2) % 2) as usize];
            let received = format!("{}-03-05", 2019 + (i / 4) % 2);
            let body = intake_for(agency, &received, i % 5);
            spawn_send(client.post(instance.url("/api/v1/cases")).bearer_auth(&clerks[&agency]).json(&body))
        })
        .collect();
    let intakes = join_all(handles).await;
    let intake_time = t.elapsed();
    let mut created_ids = BTreeSet::new();
    let mut created_numbers = BTreeSet::new();
    let mut per_group: BTreeMap<(String, String), Vec<u32>> = BTreeMap::new();
    for (status, body) in &intakes {
        assert_eq!(*status, StatusCode::CREATED, "every intake succeeds: {body}");
        assert!(created_ids.insert(body["id"].as_i64().unwrap()), "duplicate id: {body}");
        let number = body["case_number"].as_str().unwrap().to_string();
        assert!(created_numbers.insert(number.clone()), "duplicate case number {number}");
        let parts: Vec<&str> = number.split('-').collect();
        per_group.entry((parts[0].to_string(), parts[1].to_string())).or_default().push(parts[2].parse().unwrap());
    }
    assert_eq!(per_group.len(), 4, "{per_group:?}");
    for (group, numbers) in &mut per_group {
        numbers.sort_unstable();
        assert_eq!(*numbers, (1..=50).collect::<Vec<u32>>(), "numbers of {group:?} are dense and unique");
    }

    // Every created case is readable through both instances, and each list holds each exactly once.
    let mut by_id: HashMap<i64, &Value> = HashMap::new();
    for (_, body) in &intakes {
        by_id.insert(body["id"].as_i64().unwrap(), body);
    }
    for instance in instances {
        let listed = list_all(&client, instance, &auditor).await;
        let ids: Vec<i64> = listed.iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 200, "{} lists every case once", instance.address);
        assert_eq!(
            ids.iter().copied().collect::<BTreeSet<_>>(),
            created_ids,
            "{} lists exactly the created",
            instance.address
        );
        let numbers: BTreeSet<String> = listed.iter().map(|c| c["case_number"].as_str().unwrap().to_string()).collect();
        assert_eq!(numbers, created_numbers);
    }
    for (n, id) in created_ids.iter().enumerate() {
        let got = case(&client, instances[n % 2], &auditor, *id).await;
        assert_eq!(got["case_number"], by_id[id]["case_number"]);
    }

    // Concurrent decisions: 30 cases raced by 4 officers' requests each (2 through each instance,
    // different outcomes), 30 cases decided once, plus 10 retries of one Idempotency-Key (5
    // through each instance) and a reuse of the key with another body, all at once.
    let outcomes = ["disclosed", "unavailable_not_held", "unavailable_needs_creation", "withheld_state_secret"];
    let ids: Vec<i64> = created_ids.iter().copied().collect();
    let raced: Vec<i64> = ids.iter().copied().step_by(3).take(30).collect();
    let single: Vec<i64> = ids.iter().copied().skip(1).step_by(3).take(30).collect();
    let decide = |instance: &Instance, id: i64, outcome: &str| {
        let received = &by_id[&id]["received_on"];
        let year = &received.as_str().unwrap()[..4];
        let agency = by_id[&id]["agency_id"].as_i64().unwrap();
        let body = json!({"decided_on": format!("{year}-03-20"), "outcome": outcome, "basis": "答复的理由"});
        spawn_send(
            client
                .post(instance.url(&format!("/api/v1/cases/{id}/decision")))
                .bearer_auth(&officers[&agency])
                .json(&body),
        )
    };
    let (ns, _) = agencies[0];
    let idempotent_body = intake_for(ns, "2021-03-05", 7);
    let t = Instant::now();
    let mut race_handles = Vec::new();
    let mut single_handles = Vec::new();
    let mut retry_handles = Vec::new();
    for round in 0..4 {
        for (k, id) in raced.iter().enumerate() {
            race_handles.push((*id, outcomes[round], decide(instances[(round + k) % 2], *id, outcomes[round])));
        }
        if round == 0 {
            for (k, id) in single.iter().enumerate() {
                single_handles.push(decide(instances[k % 2], *id, outcomes[k % 4]));
            }
        }
        for j in 0..2 {
            let instance = instances[(round * 2 + j) % 2];
            let request = client
                .post(instance.url("/api/v1/cases"))
                .bearer_auth(&clerks[&ns])
                .header("Idempotency-Key", "scaleout-retry-1")
                .json(&idempotent_body);
            retry_handles.push(spawn_send(request));
        }
    }
    let retry_extra: Vec<_> = (0..2)
        .map(|j| {
            let request = client
                .post(instances[j].url("/api/v1/cases"))
                .bearer_auth(&clerks[&ns])
                .header("Idempotency-Key", "scaleout-retry-1")
                .json(&idempotent_body);
            spawn_send(request)
        })
        .collect();
    let mut race_results: HashMap<i64, Vec<(&str, StatusCode, Value)>> = HashMap::new();
    for (id, outcome, handle) in race_handles {
        let (status, body) = handle.await.unwrap();
        race_results.entry(id).or_default().push((outcome, status, body));
    }
    let singles = join_all(single_handles).await;
    let mut retries = join_all(retry_handles).await;
    retries.extend(join_all(retry_extra).await);
    let decision_time = t.elapsed();

    for (status, body) in &singles {
        assert_eq!(*status, StatusCode::OK, "an uncontested decision succeeds: {body}");
    }
    for (id, results) in &race_results {
        let statuses: Vec<StatusCode> = results.iter().map(|(_, s, _)| *s).collect();
        let winners: Vec<_> = results.iter().filter(|(_, s, _)| *s == StatusCode::OK).collect();
        assert_eq!(winners.len(), 1, "case {id}: exactly one decision wins: {results:?}");
        assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT), "case {id}: {results:?}");
        let winner = winners[0].0;
        for instance in instances {
            let got = case(&client, instance, &auditor, *id).await;
            assert_eq!(got["status"], "concluded");
            assert_eq!(got["outcome"], winner, "case {id}: the stored outcome is the winner's");
            let events = events(&client, instance, &auditor, *id).await;
            assert_eq!(decided(&events).len(), 1, "case {id}: one decided event: {events:?}");
            assert_eq!(events.len(), 2, "case {id}: received + decided");
        }
    }

    let statuses: Vec<StatusCode> = retries.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "one first use: {retries:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::OK), "{retries:?}");
    let retry_ids: HashSet<i64> = retries.iter().map(|(_, b)| b["id"].as_i64().unwrap()).collect();
    assert_eq!(retry_ids.len(), 1, "every retry, on either instance, returns the same case");
    assert_eq!(retries[0].1["case_number"], "NS-2021-00001", "the losers gave their number back");
    let mut other = idempotent_body.clone();
    other["description"] = json!("另一份申请");
    for instance in instances {
        let request = client
            .post(instance.url("/api/v1/cases"))
            .bearer_auth(&clerks[&ns])
            .header("Idempotency-Key", "scaleout-retry-1")
            .json(&other);
        let problem = expect(request.send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["code"], "idempotency_key_reused");
    }
    for instance in instances {
        assert_eq!(list_all(&client, instance, &auditor).await.len(), 201, "one case from ten retries");
    }

    // The sweep. Cases with a correction that lapsed on 2021-03-18, made on alternating
    // instances; then the once-per-day sweep from two threads at the same time, one per instance.
    let mut lapsed = BTreeSet::new();
    for k in 0..8 {
        let (agency, _) = agencies[k % 2];
        let instance = instances[k % 2];
        let request = client.post(instance.url("/api/v1/cases")).bearer_auth(&clerks[&agency]).json(&intake_for(
            agency,
            "2021-03-01",
            10 + k as u32,
        ));
        let id = expect(request.send().await.unwrap(), StatusCode::CREATED).await["id"].as_i64().unwrap();
        let body = json!({"issued_on": "2021-03-03", "respond_by": "2021-03-17", "matters": "补正申请人身份证明"});
        let request = client
            .post(instances[(k + 1) % 2].url(&format!("/api/v1/cases/{id}/correction-request")))
            .bearer_auth(&officers[&agency])
            .json(&body);
        let waiting = expect(request.send().await.unwrap(), StatusCode::OK).await;
        assert_eq!(waiting["status"], "awaiting_correction");
        lapsed.insert(id);
    }
    let t = Instant::now();
    let barrier = Arc::new(Barrier::new(2));
    let sweeps: Vec<_> = instances
        .iter()
        .map(|instance| {
            let state = instance.state.clone();
            let barrier = barrier.clone();
            tokio::task::spawn_blocking(move || {
                barrier.wait();
                let snapshot = state.snapshot();
                sweep::run(&state.db, snapshot.now(), true).map_err(|e| e.to_string())
            })
        })
        .collect();
    let mut reports = Vec::new();
    for handle in sweeps {
        reports.push(handle.await.unwrap().unwrap_or_else(|e| panic!("a sweep failed: {e}")));
    }
    let sweep_time = t.elapsed();
    assert_eq!(reports.iter().filter(|r| r.claimed).count(), 1, "exactly one instance claims the day: {reports:?}");
    let winner = reports.iter().find(|r| r.claimed).unwrap();
    let loser = reports.iter().find(|r| !r.claimed).unwrap();
    assert!(loser.concluded.is_empty(), "{reports:?}");
    let swept: BTreeSet<i64> = winner.concluded.iter().map(|(id, _)| id.get()).collect();
    assert_eq!(swept, lapsed, "the claiming run concludes exactly the lapsed cases");
    assert_eq!(winner.concluded.len(), lapsed.len(), "each once");
    for (n, id) in lapsed.iter().enumerate() {
        let instance = instances[n % 2];
        let got = case(&client, instance, &auditor, *id).await;
        assert_eq!(got["status"], "concluded");
        assert_eq!(got["outcome"], "other_correction_overdue");
        assert_eq!(got["concluded_on"], "2021-03-18");
        let events = events(&client, instances[(n + 1) % 2], &auditor, *id).await;
        let decided = decided(&events);
        assert_eq!(decided.len(), 1, "case {id} concluded once: {events:?}");
        assert_eq!(decided[0]["actor_id"], Value::Null, "a system event");
        assert_eq!(decided[0]["payload"]["system"], "sweep");
    }
    // The same day again, on either instance: nothing is claimed or done.
    for instance in instances {
        let state = instance.state.clone();
        let report = tokio::task::spawn_blocking(move || {
            let snapshot = state.snapshot();
            sweep::run(&state.db, snapshot.now(), true).map_err(|e| e.to_string())
        })
        .await
        .unwrap()
        .unwrap();
        assert!(!report.claimed && report.concluded.is_empty(), "{report:?}");
    }

    // Revoking the auditor through B locks it out of A as well.
    let request =
        client.post(b.url(&format!("/api/v1/users/{auditor_id}/deactivate"))).bearer_auth(&admin).json(&json!({}));
    expect(request.send().await.unwrap(), StatusCode::OK).await;
    // B refuses it at once; A, which remembers valid tokens for `auth.cache_seconds` (1 s here),
    // once that time is over.
    let me = client.get(b.url("/api/v1/users/me")).bearer_auth(&auditor).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "a token revoked on B is refused by B");
    let revoked = std::time::Instant::now();
    loop {
        let me = client.get(a.url("/api/v1/users/me")).bearer_auth(&auditor).send().await.unwrap();
        if me.status() == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(revoked.elapsed() < std::time::Duration::from_secs(3), "A still accepts a token revoked on B");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Stop both servers before the database goes, so that no worker is left holding a connection.
    a.handle.stop(true).await;
    b.handle.stop(true).await;
    eprintln!(
        "scaleout ({}): 200 intakes {intake_time:?}, 190 decisions + 12 retries {decision_time:?}, sweep {sweep_time:?}, \
         total {:?}",
        if test_db.is_postgres() { "postgres" } else { "sqlite" },
        started.elapsed()
    );
}

#[tokio::test]
async fn two_instances_started_together_on_a_fresh_database_both_come_up() {
    let test_db = TestDb::new();
    // Both migrate and seed the calendar at the same time, as replicas of one deployment would.
    let (a, b) = tokio::join!(start(test_db.url()), start(test_db.url()));
    let client = Client::new();
    for instance in [&a, &b] {
        let ready = client.get(instance.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK);
    }
    a.handle.stop(true).await;
    b.handle.stop(true).await;
}
