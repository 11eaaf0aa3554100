use diesel::{Connection, RunQueryDsl};
use std::process::Command;

use crate::helpers::TestDb;

fn gongkai(db: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[test]
fn user_add_prints_the_token_as_the_last_line() {
    let db = TestDb::new();
    let output = gongkai(&db, &["user", "add", "--name", "管理员", "--role", "admin"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let last = stdout.lines().last().unwrap();
    assert!(last.starts_with("gk_") && last.len() > 40, "{stdout}");
}

#[test]
fn user_add_refuses_a_clerk_without_an_agency_and_an_unknown_role() {
    let db = TestDb::new();
    let output = gongkai(&db, &["user", "add", "--name", "x", "--role", "clerk"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("agency"));
    let output = gongkai(&db, &["user", "add", "--name", "x", "--role", "boss"]);
    assert!(!output.status.success());
}

#[test]
fn every_command_has_help() {
    let db = TestDb::new();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["user", "add", "--help"],
        &["openapi", "--help"],
    ] {
        let output = gongkai(&db, args);
        assert!(output.status.success());
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage"));
    }
}

#[test]
fn an_unknown_setting_stops_the_start() {
    let db = TestDb::new();
    let output = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["migrate"])
        .env("DATABASE_URL", db.url())
        .env("GONGKAI__SERVER__PORTT", "1")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid settings"));
}

fn seed_and_report(db: &TestDb) -> serde_json::Value {
    let args = [
        "seed",
        "--agencies",
        "3",
        "--cases",
        "300",
        "--focus-cases",
        "200",
        "--focus-year",
        "2024",
        "--from-year",
        "2022",
        "--to-year",
        "2025",
        "--seed",
        "11",
    ];
    let output = gongkai(db, &args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("seeded 500 cases"), "{stdout}");
    // Agency 2 is the first department, which holds the 200 cases of 2024.
    let output = gongkai(db, &["report", "--year", "2024", "--agency", "2", "--output", "-"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("FAILED"), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn seeding_is_reproducible_and_its_report_passes_every_check() {
    let (first, second) = (TestDb::new(), TestDb::new());
    let report = seed_and_report(&first);
    let checks = report["checks"].as_array().unwrap();
    assert!(!checks.is_empty() && checks.iter().all(|c| c["passed"] == true), "{report}");
    let new_received = report["section_three"]["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["key"] == "new_received"))
        .map(|row| row["values"][6].as_i64().unwrap());
    // The 200 focus cases plus those of the spread that fell on that agency and year.
    assert!(new_received.is_some_and(|n| n >= 200), "{report}");
    assert_eq!(seed_and_report(&second), report, "the same seed gives the same population");
    if let TestDb::Sqlite { url, .. } = &first {
        // The load may leave WAL for a rollback journal; the file must be back in WAL after it.
        let mut conn = diesel::SqliteConnection::establish(url).unwrap();
        #[derive(diesel::QueryableByName)]
        struct Mode {
            #[diesel(sql_type = diesel::sql_types::Text)]
            journal_mode: String,
        }
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode").get_result(&mut conn).unwrap();
        assert_eq!(mode.journal_mode, "wal");
    }
}

/// `gongkai` with the default settings (no database or data directory given), started in `dir`,
/// with its own registry of running services.
fn gongkai_in(dir: &std::path::Path, runtime: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    command.args(args).current_dir(dir).env("GONGKAI_RUNTIME_DIR", runtime).env_remove("RUST_LOG");
    command.env_remove("DATABASE_URL").env_remove("GONGKAI_CONFIG");
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("GONGKAI__")) {
        command.env_remove(key);
    }
    command
}

#[test]
fn every_command_that_opens_a_database_says_which_one() {
    let db = TestDb::new();
    let output = gongkai(&db, &["migrate"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = match &db {
        TestDb::Sqlite { url, .. } => format!("数据库：SQLite {url}"),
        TestDb::Postgres { url, .. } => format!("数据库：PostgreSQL {}", gongkai::config::without_password(url)),
    };
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("数据目录："), "{stderr}");
    let output = gongkai(&db, &["user", "add", "--name", "管理员", "--role", "admin"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains(&expected));
}

#[test]
fn a_command_that_creates_a_new_database_warns_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.sqlite3");
    let output = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["user", "add", "--name", "管理员", "--role", "admin"])
        .env("DATABASE_URL", &file)
        .env("GONGKAI_RUNTIME_DIR", dir.path().join("run"))
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("警告：数据库文件 {} 不存在，将新建一个空数据库", file.display())), "{stderr}");
    assert!(stderr.contains("--database-url"), "{stderr}");
    // The second time the file exists: no warning.
    let output = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["user", "add", "--name", "二号", "--role", "admin"])
        .env("DATABASE_URL", &file)
        .env("GONGKAI_RUNTIME_DIR", dir.path().join("run"))
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("警告"));
    // A backup of a database that does not exist is refused instead of copying a new empty one.
    let output = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["backup", "--output"])
        .arg(dir.path().join("copy.sqlite3"))
        .env("DATABASE_URL", dir.path().join("missing.sqlite3"))
        .env("GONGKAI_RUNTIME_DIR", dir.path().join("run"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(!dir.path().join("missing.sqlite3").exists());
}

/// A `gongkai serve` child process, killed when dropped.
struct Serve(std::process::Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn user_add_from_another_directory_refuses_to_create_a_second_database_the_service_does_not_see() {
    use std::io::BufRead;
    let (service_dir, other_dir, runtime) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut child = gongkai_in(service_dir.path(), runtime.path(), &["serve", "--bind", "127.0.0.1:0"])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let serve = Serve(child);
    let mut lines = std::io::BufReader::new(stderr).lines();
    let address = loop {
        let line = lines.next().expect("serve stopped before listening").unwrap();
        if let Some(address) = line.strip_prefix("gongkai 正在监听 ") {
            break address.to_owned();
        }
    };
    // Keep reading the service's output so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let service_db = service_dir.path().join("data").join("gongkai.sqlite3");
    assert!(service_db.exists());

    // Started in another directory, with the defaults: refused, both files named.
    let output = gongkai_in(other_dir.path(), runtime.path(), &["user", "add", "--name", "管理员", "--role", "admin"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    let here = other_dir.path().join("data").join("gongkai.sqlite3");
    assert!(stderr.contains(&format!("数据库文件 {} 不存在", here.display())), "{stderr}");
    assert!(stderr.contains(&format!("使用 SQLite {}", service_db.display())), "{stderr}");
    assert!(stderr.contains("--database-url"), "{stderr}");
    assert!(output.stdout.is_empty(), "no token printed");
    assert!(!other_dir.path().join("data").exists(), "no second database");

    // Pointed at the service's database, the token works against the service.
    let output = gongkai_in(other_dir.path(), runtime.path(), &["user", "add", "--name", "管理员", "--role", "admin"])
        .arg("--database-url")
        .arg(&service_db)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let token = String::from_utf8(output.stdout).unwrap().lines().last().unwrap().to_owned();
    let response =
        reqwest::Client::new().get(format!("{address}/api/v1/users/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    drop(serve);
}

fn gongkai_with_stdin(db: &TestDb, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_add_with_a_login_reads_the_password_from_standard_input_and_set_password_replaces_it() {
    use diesel::prelude::*;
    let db = TestDb::new();
    let args = ["user", "add", "--name", "管理员", "--login", "Root", "--role", "admin", "--password-stdin"];
    let output = gongkai_with_stdin(&db, &args, "first password\n");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.lines().last().unwrap().starts_with("gk_"), "the token is still the last line: {stdout}");
    assert!(!stdout.contains("first password") && stdout.contains("root"), "{stdout}");
    let options = gongkai::config::Settings::load_from(None, Some(db.url()), Vec::new()).unwrap().db_options();
    let mut conn = gongkai::storage::establish(&options).unwrap();
    let stored = |conn: &mut gongkai::storage::DbConnection| -> (Option<String>, Option<String>) {
        use gongkai::storage::schema::users;
        users::table.select((users::login, users::password_hash)).order(users::id.desc()).first(conn).unwrap()
    };
    let (login, hash) = stored(&mut conn);
    assert_eq!(login.as_deref(), Some("root"));
    let hash = hash.unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains("first password"));
    assert!(gongkai::service::sign_in::verify_password(&hash, "first password"));

    let output = gongkai_with_stdin(
        &db,
        &["user", "set-password", "--login", "ROOT", "--password-stdin"],
        "second password\r\n",
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (_, hash) = stored(&mut conn);
    assert!(
        gongkai::service::sign_in::verify_password(&hash.unwrap(), "second password"),
        "the line ending is not part of it"
    );
    // A short password, an unknown name and a taken name are refused.
    let output = gongkai_with_stdin(&db, &["user", "set-password", "--login", "root", "--password-stdin"], "short\n");
    assert!(!output.status.success());
    let output =
        gongkai_with_stdin(&db, &["user", "set-password", "--login", "nobody", "--password-stdin"], "long enough\n");
    assert!(!output.status.success());
    let output = gongkai_with_stdin(&db, &args, "another password\n");
    assert!(!output.status.success() && String::from_utf8_lossy(&output.stderr).contains("已被占用"));
    // Without --login, `user add` works as before and reads nothing.
    let output = gongkai(&db, &["user", "add", "--name", "程序", "--role", "auditor"]);
    assert!(output.status.success());
}
