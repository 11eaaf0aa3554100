//! The command line: `serve`, `migrate`, `user add`, `report`, `seed`, `backup`, … Every command
//! that opens a database first says which one ([`announce_database`]).

mod ledger;

use std::net::TcpListener;
use std::path::PathBuf;

use anyhow::Context as _;
use chrono::Utc;
use clap::{Parser, Subcommand};

use crate::app::{open_context, open_database, spawn_background, Application};
use crate::config::Settings;
use crate::domain::sign_in::Login;
use crate::domain::Role;
use crate::report::Template;
use crate::seed::{self, SeedOptions};
use crate::service::report::{self as report_service, ReportRequest, ReportView};
use crate::service::{sign_in, sweep, users, Actor, ServiceError};
use crate::storage::blobs::BlobStore;

/// Case tracking for government-information disclosure requests (政府信息公开申请).
#[derive(Debug, Parser)]
#[command(name = "gongkai", version, about)]
pub struct Cli {
    /// A settings file read after the built-in defaults (config/default.toml documents every key).
    #[arg(long, global = true, env = "GONGKAI_CONFIG")]
    pub config: Option<PathBuf>,
    /// The database: postgres://… for PostgreSQL, anything else is a SQLite file path
    /// (overrides DATABASE_URL and the settings).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the HTTP service, creating and migrating the database first.
    Serve {
        /// Address and port to listen on (default from settings: 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Create the database if needed and apply pending migrations, then exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The e-mail outbox.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Conclude every case whose correction or fee payment lapsed (recorded as system events).
    Sweep {
        /// Sweep as of this date (default: today in China).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
    /// Write the annual report of an agency and year to a file: its statistical part (JSON, CSV,
    /// XLSX or HTML) or the whole document (DOCX, or HTML with --document).
    Report {
        /// The reported year.
        #[arg(long)]
        year: i32,
        /// The agency.
        #[arg(long)]
        agency: i64,
        /// json, csv, xlsx, html or docx (the whole document as a Word file).
        #[arg(long, default_value = "json", value_parser = ["json", "csv", "xlsx", "html", "docx"])]
        format: String,
        /// The whole document (title, preamble, 一 to 六) instead of the statistical part; implied
        /// by --format docx, with --format html the printable page of the whole document.
        #[arg(long)]
        document: bool,
        /// 2019 or 2021 (default: the year's own).
        #[arg(long, value_parser = ["2019", "2021"])]
        template: Option<String>,
        /// Compile the agency's whole subtree.
        #[arg(long)]
        include_descendants: bool,
        /// The live figures even when the year is sealed.
        #[arg(long)]
        live: bool,
        /// Where to write it ("-" for standard output).
        #[arg(long)]
        output: PathBuf,
    },
    /// The case ledger (台账): export an agency's ledger, import an agency's existing one.
    Ledger {
        #[command(subcommand)]
        command: ledger::LedgerCommand,
    },
    /// Fill the database with a realistic, reproducible population (for benchmarks and demos).
    Seed {
        /// Agencies: a government and its departments.
        #[arg(long, default_value_t = 10)]
        agencies: u32,
        /// Cases spread over the departments and years.
        #[arg(long, default_value_t = 10_000)]
        cases: u64,
        #[arg(long, default_value_t = 2019)]
        from_year: i32,
        #[arg(long, default_value_t = 2025)]
        to_year: i32,
        /// Random seed: the same seed gives the same population.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Extra cases received by the first department in --focus-year (a hot agency for benchmarks).
        #[arg(long, default_value_t = 0)]
        focus_cases: u64,
        #[arg(long)]
        focus_year: Option<i32>,
        /// Cases per transaction.
        #[arg(long, default_value_t = 50_000)]
        batch: usize,
    },
    /// Write a consistent copy of the SQLite database while the service runs, and verify it;
    /// then copy the documents' files it names into `files/` beside it (only those not there
    /// yet: copies written into one directory share it) and check each one's SHA-256.
    Backup {
        /// The new file to write (it must not exist).
        #[arg(long)]
        output: PathBuf,
    },
    /// Replace the SQLite database with a verified copy (stop the service first), after putting
    /// the documents' files from `files/` beside it back into `files.dir`.
    Restore {
        /// The copy written by `gongkai backup`.
        #[arg(long)]
        input: PathBuf,
    },
    /// Write the OpenAPI document generated from the code.
    Openapi {
        /// Where to write it.
        #[arg(long, default_value = "openapi/openapi.json")]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Deliver every message that is due (one pass of the worker) and print what happened.
    Deliver,
    /// Queue today's reminder digests (each day and address once) without sending them.
    Remind {
        /// As of this date (default: today in China).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the API token is printed as the last line of standard output.
    Add {
        /// The user's name.
        #[arg(long)]
        name: String,
        /// clerk, officer, supervisor, admin or auditor.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The user's agency; only admin and auditor may have none (they then see every agency).
        #[arg(long)]
        agency: Option<i64>,
        /// The user's e-mail address (officers and supervisors get the daily reminder digest).
        #[arg(long)]
        email: Option<String>,
        /// The unique sign-in name for the staff console (letters, digits, `. _ - @`).
        #[arg(long)]
        login: Option<String>,
        /// Read the console password from standard input (its first line; needs --login).
        #[arg(long, requires = "login")]
        password_stdin: bool,
    },
    /// Set the console password of the user with a sign-in name (ends the user's sessions).
    SetPassword {
        /// The user's sign-in name.
        #[arg(long)]
        login: String,
        /// Read the new password from standard input (its first line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// The first line of standard input (without its line ending), checked as a new password.
fn password_from_stdin() -> anyhow::Result<crate::domain::sign_in::Password> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("cannot read the password from standard input")?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    crate::domain::sign_in::Password::parse(line, "password").map_err(|e| anyhow::anyhow!("{e}"))
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "expected one of: clerk, officer, supervisor, admin, auditor".to_string())
}

/// Run the parsed command.
///
/// # Errors
/// Whatever stops the command; `main` prints it and exits non-zero.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref(), cli.database_url.as_deref()).context("invalid settings")?;
    crate::telemetry::init(&settings.log);
    let opens = match &cli.command {
        Command::Openapi { .. } => None,
        Command::Serve { .. } | Command::Migrate => Some(NewDatabase::Expected),
        // Restoring into a new file is what a restore on a new machine does.
        Command::Restore { .. } => Some(NewDatabase::Expected),
        Command::Backup { .. } => Some(NewDatabase::Refused),
        _ => Some(NewDatabase::Warned),
    };
    if let Some(new_database) = opens {
        announce_database(&settings, new_database, &crate::instances::running())?;
    }
    match cli.command {
        Command::Serve { bind } => serve(&settings, bind),
        Command::Migrate => {
            open_database(&settings)?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Report { year, agency, format, document, template, include_descendants, live, output } => {
            let state = open_context(&settings)?;
            let request = ReportRequest {
                year,
                agency_id: crate::domain::AgencyId::new(agency),
                template: template.as_deref().and_then(Template::parse),
                include_descendants,
            };
            if document || format == "docx" {
                return write_document(&state, &request, &format, live, &output);
            }
            let view = state
                .db
                .write_blocking(|conn| {
                    if live {
                        report_service::live(conn, &Actor::system(), &request).map(|report| ReportView {
                            report,
                            seal: None,
                            live_differs: None,
                        })
                    } else {
                        report_service::view(conn, &Actor::system(), &request)
                    }
                })
                .map_err(|e: ServiceError| anyhow::anyhow!("cannot compute the report: {e}"))?;
            let bytes = match format.as_str() {
                "csv" => crate::report::csv::render_csv(&view.report).into_bytes(),
                "xlsx" => crate::report::xlsx::render_xlsx(&view.report)?,
                "html" => crate::report::html::render_html(&view.report).into_bytes(),
                _ => format!("{}\n", serde_json::to_string_pretty(&view.report)?).into_bytes(),
            };
            if output.as_os_str() == "-" {
                std::io::Write::write_all(&mut std::io::stdout(), &bytes)?;
            } else {
                std::fs::write(&output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
                let sealed = view.seal.map_or("live figures".to_string(), |s| format!("sealed {}", s.sealed_at));
                eprintln!("wrote {} ({sealed})", output.display());
            }
            for check in view.report.checks.iter().filter(|c| !c.passed) {
                eprintln!("check {} FAILED: {}", check.name, check.detail);
            }
            Ok(())
        }
        Command::Ledger { command } => ledger::run(&settings, command),
        Command::Seed { agencies, cases, from_year, to_year, seed, focus_cases, focus_year, batch } => {
            if from_year > to_year {
                anyhow::bail!("--from-year must not be after --to-year");
            }
            let state = open_context(&settings)?;
            let snapshot = state.snapshot();
            let options = SeedOptions { agencies, cases, from_year, to_year, seed, focus_cases, focus_year, batch };
            let started = std::time::Instant::now();
            let report =
                seed::run(&state.db, &snapshot.calendar, snapshot.rules, &options, snapshot.today, snapshot.at)
                    .map_err(|e| anyhow::anyhow!("seeding failed: {e}"))?;
            println!(
                "seeded {} cases, {} events, {} applicants, {} appeals into agencies {:?} in {:.1} s",
                report.cases,
                report.events,
                report.applicants,
                report.appeals,
                report.agency_ids,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Backup { output } => {
            let database = sqlite_path(&settings)?;
            let summary = crate::storage::backup::backup(&database, &output).context("backup failed")?;
            println!(
                "wrote {} ({} bytes, {} cases, {} events, {} migrations); integrity check ok",
                summary.path.display(),
                summary.bytes,
                summary.cases,
                summary.events,
                summary.migrations
            );
            let files = crate::storage::backup::copy_files(
                &output,
                &BlobStore::new(&settings.files.dir),
                &BlobStore::new(crate::storage::backup::files_beside(&output)),
            )
            .context("backup of the documents' files failed")?;
            println!(
                "documents' files in {}: {} ({} bytes, {} copied now), every SHA-256 checked",
                files.dir.display(),
                files.files,
                files.bytes,
                files.copied
            );
            Ok(())
        }
        Command::Restore { input } => {
            let database = sqlite_path(&settings)?;
            // The files first: extra files are harmless, a database naming missing ones is not.
            let (copied, live) =
                (BlobStore::new(crate::storage::backup::files_beside(&input)), BlobStore::new(&settings.files.dir));
            crate::storage::backup::copy_files(&input, &copied, &live)
                .context("restoring the documents' files failed (nothing else was changed)")?;
            let summary = crate::storage::backup::restore(&input, &database).context("restore failed")?;
            let files = crate::storage::backup::verify_files(&database, &live).context("restore failed")?;
            println!(
                "restored {} from {} ({} cases, {} events; {} documents' files in {})",
                database.display(),
                input.display(),
                summary.cases,
                summary.events,
                files.files,
                files.dir.display()
            );
            Ok(())
        }
        Command::Outbox { command: OutboxCommand::Deliver } => {
            let db = open_database(&settings)?;
            let (transport, options) = crate::app::mail_worker(&settings)?;
            let report =
                crate::notify::outbox::deliver_pass(&db, transport.as_ref(), &options, &|| Utc::now().naive_utc())
                    .context("outbox delivery failed")?;
            for id in &report.sent {
                println!("message {id}: sent");
            }
            for id in &report.retrying {
                println!("message {id}: not sent, will be retried");
            }
            for id in &report.failed {
                println!("message {id}: failed");
            }
            println!("{} sent, {} to retry, {} failed", report.sent.len(), report.retrying.len(), report.failed.len());
            Ok(())
        }
        Command::Outbox { command: OutboxCommand::Remind { today } } => {
            let state = open_context(&settings)?;
            let snapshot = state.snapshot_on(today);
            let queued =
                crate::service::reminders::run(&state.db, settings.mail.reminder_due_within_days, snapshot.now())
                    .map_err(|e| anyhow::anyhow!("reminders failed: {e}"))?;
            for (user, message) in &queued {
                println!("user {user}: digest queued as message {message}");
            }
            println!("{} digest(s) queued", queued.len());
            Ok(())
        }
        Command::Sweep { today } => {
            let state = open_context(&settings)?;
            let snapshot = state.snapshot_on(today);
            let report =
                sweep::run(&state.db, snapshot.now(), false).map_err(|e| anyhow::anyhow!("sweep failed: {e}"))?;
            for (id, outcome) in &report.concluded {
                println!("case {id}: concluded as {outcome}");
            }
            for id in &report.sealed {
                println!("case {id}: lapsed in a sealed year, left open for a supervisor to conclude");
            }
            for id in &report.settings_missing {
                println!("case {id}: lapsed, left open: its agency's letter settings lack the reconsideration body or the court");
            }
            println!("{} case(s) concluded", report.concluded.len());
            Ok(())
        }
        Command::User { command: UserCommand::Add { name, role, agency, email, login, password_stdin } } => {
            let login = login.as_deref().map(Login::parse).transpose().map_err(|e| anyhow::anyhow!("{e}"))?;
            // Hashed before the transaction: hashing takes a while on purpose.
            let password_hash = if password_stdin {
                Some(sign_in::hash_password(&password_from_stdin()?).map_err(|e| anyhow::anyhow!("{e}"))?)
            } else {
                None
            };
            let db = open_database(&settings)?;
            let now = Utc::now().naive_utc();
            let created = db
                .write_blocking(|conn| {
                    let created = users::create_unchecked(conn, &name, role, agency, now)?;
                    users::set_email(conn, created.user.id, email.as_deref())?;
                    sign_in::set_credentials_unchecked(
                        conn,
                        created.user.id,
                        login.as_ref(),
                        password_hash.as_deref(),
                    )?;
                    Ok(created)
                })
                .map_err(|e: ServiceError| anyhow::anyhow!("{e}"))?;
            println!("created user {} ({}) with role {}", created.user.id, created.user.name, created.user.role);
            if let Some(login) = &login {
                let password = if password_hash.is_some() { "with a password" } else { "without a password yet" };
                println!("sign-in name: {login} ({password})");
            }
            println!("{}", created.token);
            Ok(())
        }
        Command::User { command: UserCommand::SetPassword { login, password_stdin: _ } } => {
            let login = Login::parse(&login).map_err(|e| anyhow::anyhow!("{e}"))?;
            let hash = sign_in::hash_password(&password_from_stdin()?).map_err(|e| anyhow::anyhow!("{e}"))?;
            let db = open_database(&settings)?;
            let ended = db
                .write_blocking(|conn| sign_in::set_password_by_login(conn, &login, &hash))
                .map_err(|e: ServiceError| anyhow::anyhow!("{e}"))?;
            println!("password of {login} set; {ended} session(s) ended");
            Ok(())
        }
        Command::Openapi { output } => {
            let json = openapi_json()?;
            if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&output, json).with_context(|| format!("cannot write {}", output.display()))?;
            eprintln!("wrote {}", output.display());
            Ok(())
        }
    }
}

/// `gongkai report --format docx` (or `--document`): the whole document, the sealed one when the
/// year is sealed (unless `--live`), as a Word file or a printable page.
fn write_document(
    state: &crate::service::Context,
    request: &ReportRequest,
    format: &str,
    live: bool,
    output: &std::path::Path,
) -> anyhow::Result<()> {
    use crate::report::document::{docx, html};
    let view = state
        .db
        .write_blocking(|conn| crate::service::report_text::document(conn, &Actor::system(), request, live))
        .map_err(|e: ServiceError| anyhow::anyhow!("cannot build the document: {e}"))?;
    let bytes = match format {
        "docx" => docx::render_docx(&view.document)?,
        "html" => html::render_html(&view.document).into_bytes(),
        other => anyhow::bail!("the whole document is written as docx or html, not {other}"),
    };
    if output.as_os_str() == "-" {
        std::io::Write::write_all(&mut std::io::stdout(), &bytes)?;
    } else {
        std::fs::write(output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
        let sealed = view.seal.map_or("live figures, latest text".to_string(), |s| format!("sealed {}", s.sealed_at));
        eprintln!("wrote {} ({sealed}; document SHA-256 {})", output.display(), view.document.content_hash()?);
    }
    Ok(())
}

/// The OpenAPI document as pretty JSON with a final newline (the committed form).
///
/// # Errors
/// Serialisation fails.
pub fn openapi_json() -> anyhow::Result<String> {
    Ok(format!("{}\n", crate::http::openapi().to_pretty_json()?))
}

/// The SQLite file of the settings (backups of PostgreSQL are pg_dump's job).
fn sqlite_path(settings: &Settings) -> anyhow::Result<PathBuf> {
    match settings.database_location() {
        crate::config::DatabaseLocation::Sqlite(path) => Ok(path),
        crate::config::DatabaseLocation::Postgres(_) => {
            anyhow::bail!("the database is PostgreSQL: use pg_dump -Fc and pg_restore (see the README)")
        }
    }
}

fn serve(settings: &Settings, bind: Option<String>) -> anyhow::Result<()> {
    let bind = bind.unwrap_or_else(|| settings.server.bind.clone());
    let listener = TcpListener::bind(&bind).with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr().map_or(bind.clone(), |a| a.to_string());
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings, listener)?;
        spawn_background(app.state.clone(), settings)?;
        let database = settings.database_location().to_string();
        // Commands started elsewhere look here to see which database the service uses.
        let instance = crate::instances::Instance {
            pid: std::process::id(),
            database: database.clone(),
            data_dir: settings.data_dir.clone(),
            address: address.clone(),
            started_at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        let registration = crate::instances::register(&instance)
            .map_err(|e| tracing::warn!(error = %e, dir = %crate::instances::runtime_dir().display(), "cannot register the service"))
            .ok();
        tracing::info!(%address, %database, data_dir = %settings.data_dir, "gongkai is listening");
        eprintln!("gongkai 正在监听 http://{address}");
        let result = app.server.await.context("server failed");
        drop(registration);
        result
    })
}

/// What a command does when its SQLite file does not exist yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewDatabase {
    /// Creating it is the command's job (`serve`, `migrate`, `restore`): say so.
    Expected,
    /// Create it, with a warning naming the file and how to point at another one.
    Warned,
    /// There is nothing to work on (`backup`): refuse.
    Refused,
}

/// Print (on standard error) where the database is, and decide about a SQLite file that does not
/// exist yet. A command other than `serve`, `migrate` and `restore` that would create a new, empty
/// database at the default location while a service runs on another database refuses: that is a
/// command started in the wrong directory (the data directory is relative to it), and its result —
/// a user, a token, a report — would silently land where the service never looks.
///
/// # Errors
/// The refusals above, naming both databases and how to point at the right one.
pub fn announce_database(
    settings: &Settings,
    new_database: NewDatabase,
    running: &[crate::instances::Instance],
) -> anyhow::Result<()> {
    let location = settings.database_location();
    eprintln!("数据目录：{}", settings.data_dir);
    eprintln!("数据库：{location}");
    let Some(file) = location.sqlite_file().filter(|f| !f.exists()) else {
        return Ok(());
    };
    let shown = location.to_string();
    let others: Vec<&crate::instances::Instance> = running.iter().filter(|i| i.database != shown).collect();
    let services = others
        .iter()
        .map(|i| format!("  进程 {}（{}，自 {} 起）使用 {}", i.pid, i.address, i.started_at, i.database))
        .collect::<Vec<_>>()
        .join("\n");
    let example = match others.as_slice() {
        [one] => {
            let target = one.database.split_once(' ').map_or(one.database.as_str(), |(_, t)| t);
            format!("，例如 --database-url {target}")
        }
        _ => String::new(),
    };
    let how = format!(
        "要使用已有的数据库，请在其数据目录所在的目录下运行本命令，或用 --database-url <文件路径或 PostgreSQL URL>\
         （或环境变量 DATABASE_URL、GONGKAI__DATA_DIR=<数据目录>）指定{example}"
    );
    match new_database {
        NewDatabase::Expected => {
            eprintln!("数据库文件 {} 尚不存在，将新建。", file.display());
            if !others.is_empty() {
                eprintln!("注意：正在运行的服务使用的是另一个数据库：\n{services}");
            }
            Ok(())
        }
        NewDatabase::Refused => anyhow::bail!("数据库文件 {} 不存在。{how}。", file.display()),
        NewDatabase::Warned if settings.database_is_default && !others.is_empty() => anyhow::bail!(
            "数据库文件 {} 不存在：在这里继续会新建一个空数据库，而正在运行的服务看不到它。\n\
             正在运行的服务：\n{services}\n{how}。",
            file.display()
        ),
        NewDatabase::Warned => {
            eprintln!(
                "警告：数据库文件 {} 不存在，将新建一个空数据库。{}{how}。",
                file.display(),
                if others.is_empty() {
                    String::new()
                } else {
                    format!("正在运行的服务使用的是：\n{services}\n")
                }
            );
            Ok(())
        }
    }
}
