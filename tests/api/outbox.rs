//! The outbox: letters queued with their steps, delivered by the worker (file transport, a real
//! SMTP server on loopback, an in-memory transport), retried, and resent after a crash with the
//! same Message-ID.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use chrono::{NaiveDateTime, SubsecRound as _, TimeDelta, Utc};
use gongkai::domain::Role;
use gongkai::notify::outbox::{
    build_message, deliver_pass, FileTransport, PassReport, SendError, SmtpSecurity, SmtpTransportAdapter, Transport,
    WorkerOptions,
};
use gongkai::storage::outbox::{self as store, NewOutboxRow, OutboxRow};
use gongkai::storage::{Db, StorageError};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect, intake_body, spawn_app, TestApp};

fn options(instance: &str) -> WorkerOptions {
    WorkerOptions {
        instance: instance.into(),
        from: "政府信息公开 <noreply@gongkai.invalid>".into(),
        batch_size: 50,
        lease: Duration::from_secs(300),
        max_attempts: 5,
        retry_base: Duration::from_secs(30),
        retry_max: Duration::from_secs(3600),
    }
}

/// One worker pass at the fixed instant `at`.
async fn pass(db: &Db, transport: Arc<dyn Transport>, options: WorkerOptions, at: NaiveDateTime) -> PassReport {
    let db = db.clone();
    tokio::task::spawn_blocking(move || deliver_pass(&db, transport.as_ref(), &options, &|| at).unwrap()).await.unwrap()
}

async fn outbox(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let body = expect(app.get(&format!("/api/v1/cases/{id}/outbox"), token).await, StatusCode::OK).await;
    body.as_array().unwrap().clone()
}

fn kinds(messages: &[Value]) -> Vec<(String, String, Option<String>)> {
    messages
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().unwrap().into(),
                m["status"].as_str().unwrap().into(),
                m["recipient"].as_str().map(Into::into),
            )
        })
        .collect()
}

fn k(kind: &str, status: &str, to: Option<&str>) -> (String, String, Option<String>) {
    (kind.into(), status.into(), to.map(Into::into))
}

/// A case with an e-mail address through correction, consultation, extension and decision.
async fn lifecycle(app: &TestApp) -> (String, i64) {
    let agency = app.agency("NS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let supervisor = app.user("supervisor", Role::Supervisor, Some(agency)).await;
    let id = app.intake(&officer, agency, "2019-03-05").await["id"].as_i64().unwrap();
    let step = |path: &'static str, token: &String, body: Value| {
        let (app, token) = (app, token.clone());
        async move { expect(app.post(&format!("/api/v1/cases/{id}/{path}"), &token, &body).await, StatusCode::OK).await }
    };
    step(
        "correction-request",
        &officer,
        json!({"issued_on": "2019-03-07", "respond_by": "2019-03-21", "matters": "请写明文号"}),
    )
    .await;
    step("correction", &officer, json!({"received_on": "2019-03-11"})).await;
    let body = json!({"party_kind": "third_party", "party": "某某公司", "sent_on": "2019-03-12"});
    let created = app.post(&format!("/api/v1/cases/{id}/consultations"), &officer, &body).await;
    let cid = expect(created, StatusCode::CREATED).await["id"].as_i64().unwrap();
    let reply = json!({"replied_on": "2019-03-15", "opinion": "none"});
    expect(app.post(&format!("/api/v1/cases/{id}/consultations/{cid}/reply"), &officer, &reply).await, StatusCode::OK)
        .await;
    let extension =
        json!({"approved_on": "2019-03-20", "notified_on": "2019-03-20", "working_days": 10, "reason": "材料较多"});
    step("extension", &supervisor, extension).await;
    step("decision", &officer, json!({"decided_on": "2019-03-28", "outcome": "disclosed", "basis": "予以公开"})).await;
    (officer, id)
}

#[tokio::test]
async fn each_step_that_owes_a_letter_queues_it_with_the_step() {
    let app = spawn_app().await;
    let (officer, id) = lifecycle(&app).await;
    let to = Some("zhang@example.com");
    let messages = outbox(&app, &officer, id).await;
    assert_eq!(
        kinds(&messages),
        [
            k("acknowledgement", "pending", to),
            k("correction_notice", "pending", to),
            k("extension_notice", "pending", to),
            k("decision", "pending", to),
        ]
    );
    let ids: HashSet<&str> = messages.iter().map(|m| m["message_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 4, "every message has its own Message-ID");
    // Every letter is issued and kept; the consulted party's address is not recorded, so its
    // letter is printed and posted instead of mailed.
    let letters = expect(app.get(&format!("/api/v1/cases/{id}/letters"), &officer).await, StatusCode::OK).await;
    let issued: Vec<(&str, &str)> = letters
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["kind"].as_str().unwrap(), l["delivery"].as_str().unwrap()))
        .collect();
    assert_eq!(
        issued,
        [
            ("acknowledgement", "email"),
            ("correction_notice", "email"),
            ("consultation_letter", "print"),
            ("extension_notice", "email"),
            ("decision", "email"),
        ]
    );
    // The subject names the letter's own document number (not the case number).
    let number = letters[0]["document_number"].as_str().unwrap();
    assert_eq!(number, "NS受〔2019〕1号");
    assert!(messages[0]["subject"].as_str().unwrap().contains(number), "{}", messages[0]);
    assert_eq!(messages[0]["attempts"], 0);

    // An applicant without an e-mail address: the letters are printed; a withdrawal is confirmed
    // by a letter of its own.
    let agency = app.agency("BS", None).await;
    let clerk = app.user("clerk", Role::Officer, Some(agency)).await;
    let mut body = intake_body(agency, "2019-03-05");
    body["applicant"]["email"] = Value::Null;
    let id = expect(app.post("/api/v1/cases", &clerk, &body).await, StatusCode::CREATED).await["id"].as_i64().unwrap();
    let withdrawal = json!({"withdrawn_on": "2019-03-08"});
    expect(app.post(&format!("/api/v1/cases/{id}/withdrawal"), &clerk, &withdrawal).await, StatusCode::OK).await;
    assert!(outbox(&app, &clerk, id).await.is_empty(), "nothing to mail");
    let letters = expect(app.get(&format!("/api/v1/cases/{id}/letters"), &clerk).await, StatusCode::OK).await;
    let issued: Vec<(&str, &str)> = letters
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["kind"].as_str().unwrap(), l["status"].as_str().unwrap()))
        .collect();
    assert_eq!(issued, [("acknowledgement", "print"), ("withdrawal_confirmation", "print")]);
    // Another agency's user does not see the outbox.
    let outsider = app.user("outsider", Role::Clerk, Some(agency)).await;
    let response = app.get("/api/v1/cases/1/outbox", &outsider).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// The value of a header (unfolded, RFC 2047 base64 words decoded).
fn header(message: &str, name: &str) -> String {
    let head = message.split("\r\n\r\n").next().unwrap().replace("\r\n ", " ").replace("\r\n\t", " ");
    let line = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase())))
        .unwrap_or_else(|| panic!("no {name} in {message}"));
    let value = line[name.len() + 1..].trim();
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.to_ascii_lowercase().find("=?utf-8?b?") {
        out.push_str(rest[..start].trim_end_matches(' '));
        let word = &rest[start + 10..];
        let end = word.find("?=").unwrap();
        let bytes = base64::engine::general_purpose::STANDARD.decode(&word[..end]).unwrap();
        out.push_str(&String::from_utf8(bytes).unwrap());
        rest = word[end + 2..].trim_start();
    }
    out.push_str(rest);
    out
}

fn eml_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[tokio::test]
async fn the_file_transport_writes_each_message_once_and_a_crash_resends_it_with_the_same_message_id() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let id = app.intake(&officer, agency, "2019-03-05").await["id"].as_i64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let transport: Arc<dyn Transport> = Arc::new(FileTransport { dir: dir.path().to_path_buf() });
    let now = Utc::now().naive_utc();

    let report = pass(&app.db, transport.clone(), options("a"), now).await;
    assert_eq!(report.sent.len(), 1, "{report:?} {:?}", outbox(&app, &officer, id).await);
    let files = eml_files(dir.path());
    assert_eq!(files.len(), 1);
    let ack = &outbox(&app, &officer, id).await[0];
    assert_eq!(ack["status"], "sent");
    assert_eq!(ack["attempts"], 1);
    assert!(ack["sent_at"].is_string());
    let eml = &files[0].1;
    assert_eq!(header(eml, "To"), "zhang@example.com");
    assert_eq!(header(eml, "Subject"), ack["subject"].as_str().unwrap());
    assert_eq!(header(eml, "Message-ID"), ack["message_id"].as_str().unwrap());
    assert!(pass(&app.db, transport.clone(), options("a"), now).await.is_empty(), "sent messages stay sent");

    // A crash between sending and marking: worker "b" claims and sends the decision letter,
    // then dies before marking it.
    let body = json!({"decided_on": "2019-03-28", "outcome": "disclosed", "basis": "予以公开"});
    expect(app.post(&format!("/api/v1/cases/{id}/decision"), &officer, &body).await, StatusCode::OK).await;
    let db = app.db.clone();
    let now = Utc::now().naive_utc();
    let claimed: Vec<OutboxRow> = tokio::task::spawn_blocking(move || {
        db.write_blocking(|conn| {
            store::claim(conn, "b", now, now + TimeDelta::minutes(5), 10, 10).map_err(StorageError::from)
        })
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(claimed.len(), 1);
    let message = build_message(&claimed[0], "noreply@gongkai.invalid").unwrap();
    transport.send(&claimed[0], &message).unwrap();
    // While the lease runs, nobody else takes it.
    assert!(pass(&app.db, transport.clone(), options("a"), now + TimeDelta::minutes(4)).await.is_empty());
    // After the lease, it is sent again: a recognisable duplicate, never a loss.
    let report = pass(&app.db, transport.clone(), options("a"), now + TimeDelta::minutes(6)).await;
    assert_eq!(report.sent, [claimed[0].id]);
    let decision = &outbox(&app, &officer, id).await[1];
    assert_eq!((decision["status"].as_str(), decision["attempts"].as_i64()), (Some("sent"), Some(2)));
    let copies: Vec<String> = eml_files(dir.path())
        .iter()
        .filter(|(name, _)| name.starts_with(&format!("outbox-{}-", claimed[0].id)))
        .map(|(_, eml)| header(eml, "Message-ID"))
        .collect();
    assert_eq!(copies.len(), 2);
    assert!(copies.iter().all(|m| m == decision["message_id"].as_str().unwrap()), "{copies:?}");
}

/// Records what it "sends"; fails while `down` is set.
#[derive(Default)]
struct Memory {
    sent: Mutex<Vec<i64>>,
    down: std::sync::atomic::AtomicBool,
}

impl Transport for Memory {
    fn send(&self, row: &OutboxRow, _message: &lettre::Message) -> Result<(), SendError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(SendError::Transient("connection refused".into()));
        }
        self.sent.lock().unwrap().push(row.id);
        Ok(())
    }
}

#[tokio::test]
async fn two_workers_deliver_five_hundred_messages_exactly_once() {
    let app = spawn_app().await;
    let now = Utc::now().naive_utc();
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|conn| {
            for i in 0..500 {
                let mid = format!("<bulk-{i}@gongkai.invalid>");
                store::insert(
                    conn,
                    &NewOutboxRow {
                        case_id: None,
                        kind: "digest",
                        recipient: Some("officer@example.com"),
                        subject: "s",
                        body_text: "t",
                        body_html: "<p>t</p>",
                        message_id: &mid,
                        status: "pending",
                        attempts: 0,
                        next_attempt_at: now,
                        created_at: now,
                    },
                )?;
            }
            Ok::<_, StorageError>(())
        })
    })
    .await
    .unwrap()
    .unwrap();
    // Two workers, each with its own connection pool (two instances), in parallel.
    let settings = crate::helpers::test_settings(app.test_db.url());
    let transport = Arc::new(Memory::default());
    let mut handles = Vec::new();
    for name in ["one", "two"] {
        let db = Db::connect(&settings.db_options()).unwrap();
        let transport: Arc<dyn Transport> = transport.clone();
        let mut options = options(name);
        options.batch_size = 20;
        handles.push(tokio::spawn(async move { pass(&db, transport, options, now).await }));
    }
    let mut total = 0;
    for handle in handles {
        total += handle.await.unwrap().sent.len();
    }
    let sent = transport.sent.lock().unwrap().clone();
    let unique: HashSet<i64> = sent.iter().copied().collect();
    assert_eq!((sent.len(), unique.len(), total), (500, 500, 500), "no duplicates, none missing");
}

#[tokio::test]
async fn a_transient_failure_is_retried_with_backoff_until_delivery() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let id = app.intake(&officer, agency, "2019-03-05").await["id"].as_i64().unwrap();
    let memory = Arc::new(Memory::default());
    memory.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let transport: Arc<dyn Transport> = memory.clone();
    // Whole seconds: PostgreSQL keeps microseconds.
    let t0 = Utc::now().naive_utc().trunc_subsecs(0) + TimeDelta::seconds(1);
    assert_eq!(pass(&app.db, transport.clone(), options("a"), t0).await.retrying.len(), 1);
    let m = &outbox(&app, &officer, id).await[0];
    assert_eq!((m["status"].as_str(), m["attempts"].as_i64()), (Some("pending"), Some(1)));
    assert!(m["last_error"].as_str().unwrap().contains("connection refused"));
    // Not before the backoff (30 s), then again with a doubled delay (60 s).
    assert!(pass(&app.db, transport.clone(), options("a"), t0 + TimeDelta::seconds(29)).await.is_empty());
    assert_eq!(pass(&app.db, transport.clone(), options("a"), t0 + TimeDelta::seconds(31)).await.retrying.len(), 1);
    let m = &outbox(&app, &officer, id).await[0];
    assert_eq!(m["attempts"], 2);
    let next = chrono::DateTime::parse_from_rfc3339(m["next_attempt_at"].as_str().unwrap()).unwrap().naive_utc();
    assert_eq!((next - (t0 + TimeDelta::seconds(31))).num_seconds(), 60);
    memory.down.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(pass(&app.db, transport.clone(), options("a"), next).await.sent.len(), 1);
    let m = &outbox(&app, &officer, id).await[0];
    assert_eq!((m["status"].as_str(), m["attempts"].as_i64()), (Some("sent"), Some(3)));
}

/// A free loopback port (nothing listens on it once returned).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// aiosmtpd on loopback storing into a Maildir; killed on drop.
struct Smtpd {
    child: std::process::Child,
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp_python() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(root.join("tests/smtp/setup_venv.sh")).output().unwrap();
    assert!(out.status.success(), "cannot install aiosmtpd: {}", String::from_utf8_lossy(&out.stderr));
    root.join(String::from_utf8(out.stdout).unwrap().trim())
}

fn start_smtpd(python: &Path, port: u16, maildir: &Path) -> Smtpd {
    let child = std::process::Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .spawn()
        .unwrap();
    // Dropping the guard kills and reaps the server, also when it does not come up.
    let server = Smtpd { child };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("aiosmtpd did not start");
}

/// The messages in a Maildir, decoded by Python's email package: [to, subject, message-id, text].
fn maildir_messages(python: &Path, maildir: &Path) -> Vec<Vec<String>> {
    let script = r#"
import email, email.policy, json, pathlib, sys
out = []
for p in sorted(pathlib.Path(sys.argv[1], 'new').iterdir()):
    m = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
    out.append([str(m['To']), str(m['Subject']), str(m['Message-ID']), m.get_body(('plain',)).get_content()])
print(json.dumps(out))
"#;
    let out = std::process::Command::new(python).args(["-c", script]).arg(maildir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn smtp_delivery_end_to_end_retries_while_the_server_is_down_and_resends_after_a_crash() {
    let python = tokio::task::spawn_blocking(smtp_python).await.unwrap();
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let id = app.intake(&officer, agency, "2019-03-05").await["id"].as_i64().unwrap();
    let port = free_port();
    let smtp = SmtpTransportAdapter::new("127.0.0.1", port, SmtpSecurity::None, None, Duration::from_secs(5)).unwrap();
    let transport: Arc<dyn Transport> = Arc::new(smtp);
    let t0 = Utc::now().naive_utc();

    // The server is down: a transient error, retried later.
    assert_eq!(pass(&app.db, transport.clone(), options("a"), t0).await.retrying.len(), 1);
    let m = &outbox(&app, &officer, id).await[0];
    assert_eq!((m["status"].as_str(), m["attempts"].as_i64()), (Some("pending"), Some(1)));
    assert!(m["last_error"].is_string());

    // Up: delivered at the next attempt.
    let mail_root = tempfile::tempdir().unwrap();
    // aiosmtpd's Mailbox creates the Maildir only when the directory does not exist.
    let maildir = mail_root.path().join("mail");
    let _smtpd = start_smtpd(&python, port, &maildir);
    let report = pass(&app.db, transport.clone(), options("a"), t0 + TimeDelta::seconds(31)).await;
    assert_eq!(report.sent.len(), 1, "{report:?} {}", outbox(&app, &officer, id).await[0]);
    let ack = &outbox(&app, &officer, id).await[0];
    assert_eq!(ack["status"], "sent");
    let got = maildir_messages(&python, &maildir);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0][0], "zhang@example.com");
    assert_eq!(got[0][1], ack["subject"].as_str().unwrap());
    assert_eq!(got[0][2], ack["message_id"].as_str().unwrap());
    assert!(got[0][3].contains("张三") && got[0][3].contains("NS-2019-00001"), "{}", got[0][3]);

    // A crash between sending and marking: the decision letter arrives twice, with one Message-ID.
    let body = json!({"decided_on": "2019-03-28", "outcome": "disclosed", "basis": "予以公开"});
    expect(app.post(&format!("/api/v1/cases/{id}/decision"), &officer, &body).await, StatusCode::OK).await;
    let db = app.db.clone();
    let t1 = t0 + TimeDelta::minutes(1);
    let claimed: Vec<OutboxRow> = tokio::task::spawn_blocking(move || {
        db.write_blocking(|conn| {
            store::claim(conn, "b", t1, t1 + TimeDelta::minutes(5), 10, 10).map_err(StorageError::from)
        })
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(claimed.len(), 1);
    let message = build_message(&claimed[0], "noreply@gongkai.invalid").unwrap();
    let sender = transport.clone();
    let row = claimed[0].clone();
    tokio::task::spawn_blocking(move || sender.send(&row, &message)).await.unwrap().unwrap();
    assert_eq!(pass(&app.db, transport.clone(), options("a"), t1 + TimeDelta::minutes(6)).await.sent.len(), 1);
    let got = maildir_messages(&python, &maildir);
    let decision_id = outbox(&app, &officer, id).await[1]["message_id"].as_str().unwrap().to_string();
    assert_eq!(got.iter().filter(|m| m[2] == decision_id).count(), 2, "the duplicate is recognisable");
    assert_eq!(got.len(), 3);
}

#[tokio::test]
async fn officers_with_an_address_get_one_digest_a_day_of_their_agencys_overdue_and_due_cases() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let body = json!({"name": "李四", "role": "officer", "agency_id": agency, "email": "lisi@example.gov.cn"});
    expect(app.post("/api/v1/users", &app.admin, &body).await, StatusCode::CREATED).await;
    let bad = json!({"name": "王五", "role": "officer", "agency_id": agency, "email": "not an address"});
    assert_eq!(app.post("/api/v1/users", &app.admin, &bad).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let number = |case: Value| case["case_number"].as_str().unwrap().to_string();
    let overdue = number(app.intake(&officer, agency, "2019-02-01").await);
    let due = number(app.intake(&officer, agency, "2019-03-05").await);
    let later = number(app.intake(&officer, agency, "2019-03-25").await);

    let db = app.db.clone();
    let (first, second, row) = tokio::task::spawn_blocking(move || {
        let (calendar, _) = gongkai::app::load_calendar(&db).unwrap();
        let rules = gongkai::service::clock::rules(true);
        let letters = gongkai::notify::letters::Letters::load(None).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2019, 3, 29).unwrap();
        let now = gongkai::service::Now {
            at: Utc::now().naive_utc(),
            today,
            calendar: &calendar,
            rules: &rules,
            letters: &letters,
            letter_policy: &gongkai::domain::letters::LetterPolicy::default(),
        };
        let first = gongkai::service::reminders::run(&db, 3, now).unwrap();
        let second = gongkai::service::reminders::run(&db, 3, now).unwrap();
        let row = db.write_blocking(|conn| store::find(conn, first[0].1).map_err(StorageError::from)).unwrap().unwrap();
        (first, second, row)
    })
    .await
    .unwrap();
    assert_eq!(first.len(), 1, "only the officer with an address");
    assert!(second.is_empty(), "once per day");
    assert_eq!(
        (row.kind.as_str(), row.recipient.as_deref(), row.status.as_str()),
        ("reminder_digest", Some("lisi@example.gov.cn"), "pending")
    );
    assert!(row.body_text.contains(&overdue) && row.body_text.contains(&due), "{}", row.body_text);
    assert!(!row.body_text.contains(&later), "{}", row.body_text);
    assert!(row.subject.contains("逾期 1 件") && row.subject.contains("即将到期 1 件"), "{}", row.subject);
}

#[tokio::test]
async fn gongkai_outbox_deliver_writes_the_eml_files_and_says_what_it_did() {
    let app = spawn_app().await;
    let agency = app.agency("NS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let id = app.intake(&officer, agency, "2019-03-05").await["id"].as_i64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = app.test_db.url().to_string();
    let file_dir = dir.path().to_string_lossy().into_owned();
    let run = move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["--database-url", &url, "outbox", "deliver"])
            .env("GONGKAI__MAIL__FILE_DIR", &file_dir)
            .env("GONGKAI__LOG__LEVEL", "warn")
            .output()
            .unwrap()
    };
    let out = tokio::task::spawn_blocking(run.clone()).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("message 1: sent") && stdout.ends_with("1 sent, 0 to retry, 0 failed\n"), "{stdout}");
    let files = eml_files(dir.path());
    assert_eq!(files.len(), 1);
    let ack = &outbox(&app, &officer, id).await[0];
    assert_eq!(header(&files[0].1, "To"), "zhang@example.com");
    assert_eq!(header(&files[0].1, "Message-ID"), ack["message_id"].as_str().unwrap());
    let again = tokio::task::spawn_blocking(run).await.unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).ends_with("0 sent, 0 to retry, 0 failed\n"));
}
