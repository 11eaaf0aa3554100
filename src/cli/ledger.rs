//! `gongkai ledger export` and `gongkai ledger import`: the case ledger (台账) from the command
//! line, with progress on a terminal (rows read, checked, written, with a rate and an estimate)
//! and a summary line either way.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::NaiveDate;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::open_context;
use crate::config::Settings;
use crate::domain::ledger::parse_mapping;
use crate::domain::{AgencyId, CaseStatus};
use crate::ledger::write::{rejects_workbook, LedgerWriter};
use crate::ledger::Format;
use crate::service::ledger::import::{self, problems_by_row, ImportOptions, Stage};
use crate::service::ledger::{self, ExportRequest};
use crate::service::{Actor, ServiceError};

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Write an agency's ledger (one row per case) to a file.
    Export {
        /// The agency.
        #[arg(long)]
        agency: i64,
        /// Also its sub-agencies.
        #[arg(long)]
        include_descendants: bool,
        /// Received on or after this date.
        #[arg(long)]
        received_from: Option<NaiveDate>,
        /// Received on or before this date.
        #[arg(long)]
        received_to: Option<NaiveDate>,
        /// Concluded on or after this date.
        #[arg(long)]
        concluded_from: Option<NaiveDate>,
        /// Concluded on or before this date.
        #[arg(long)]
        concluded_to: Option<NaiveDate>,
        /// Only cases of this status (received, awaiting_correction, …, concluded, voided).
        #[arg(long)]
        status: Option<String>,
        /// xlsx or csv.
        #[arg(long, value_parser = ["xlsx", "csv"])]
        format: String,
        /// The file to write.
        #[arg(long)]
        output: PathBuf,
    },
    /// Import an agency's ledger (XLSX or CSV). Exit status 0 only when no row is invalid (with
    /// --skip-invalid: when the valid rows were written).
    Import {
        /// The ledger file (.xlsx or .csv).
        #[arg(long)]
        file: PathBuf,
        /// The agency whose ledger it is.
        #[arg(long)]
        agency: i64,
        /// Check every row and report; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the valid rows even when others are invalid.
        #[arg(long)]
        skip_invalid: bool,
        /// A column the ledger names otherwise: `原列名=台账列名` (repeatable).
        #[arg(long = "map")]
        mapping: Vec<String>,
        /// Where to write the invalid rows with their problems (default: beside the file,
        /// `<name>.未导入.xlsx`).
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
}

/// The name of the user the command line imports as.
const COMMAND_LINE_USER: &str = "命令行（台账导入）";

/// A progress bar on a terminal; nothing otherwise.
fn bar(len: Option<u64>, what: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = match len {
        Some(len) => (ProgressBar::new(len), "{msg} [{bar:30}] {pos}/{len} 行  {per_sec}  剩余约 {eta}"),
        None => (ProgressBar::new_spinner(), "{spinner} {msg} {pos} 行  {per_sec}"),
    };
    let style = ProgressStyle::default_bar().template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    let bar = bar.with_style(style.progress_chars("=> "));
    bar.set_message(what);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Run a ledger command.
///
/// # Errors
/// Whatever stops it; for an import, invalid rows (unless skipped).
pub fn run(settings: &Settings, command: LedgerCommand) -> anyhow::Result<()> {
    match command {
        LedgerCommand::Export {
            agency,
            include_descendants,
            received_from,
            received_to,
            concluded_from,
            concluded_to,
            status,
            format,
            output,
        } => {
            let status = status
                .map(|s| CaseStatus::parse(&s).ok_or_else(|| anyhow::anyhow!("unknown status `{s}`")))
                .transpose()?;
            let request = ExportRequest {
                agency_id: AgencyId::new(agency),
                include_descendants,
                status,
                received_from,
                received_to,
                concluded_from,
                concluded_to,
            };
            let format = if format == "csv" { Format::Csv } else { Format::Xlsx };
            export(settings, &request, format, &output)
        }
        LedgerCommand::Import { file, agency, dry_run, skip_invalid, mapping, rejects } => {
            let options = ImportFile { file, agency, dry_run, skip_invalid, mapping, rejects };
            import(settings, &options)
        }
    }
}

fn export(settings: &Settings, request: &ExportRequest, format: Format, output: &Path) -> anyhow::Result<()> {
    let state = open_context(settings)?;
    let started = Instant::now();
    let out = std::fs::File::create(output).with_context(|| format!("cannot create {}", output.display()))?;
    let progress = bar(None, "导出");
    let rows = state
        .db
        .maintenance_blocking(|conn| -> Result<u64, ServiceError> {
            let plan = ledger::plan(conn, &Actor::system(), request)?;
            let broken = |e: crate::ledger::write::WriteError| ServiceError::corrupt(format!("{e}"));
            let mut writer = LedgerWriter::new(format, std::io::BufWriter::new(out)).map_err(broken)?;
            let rows = ledger::export(conn, &plan, &mut |entry| {
                progress.inc(1);
                writer.write(entry).map_err(broken)
            })?;
            progress.set_message("写入文件");
            writer.finish().map_err(broken)?;
            Ok(rows)
        })
        .map_err(|e| anyhow::anyhow!("export failed: {e}"))?;
    progress.finish_and_clear();
    println!(
        "exported {rows} cases of agency {} to {} in {:.1} s",
        request.agency_id.get(),
        output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

struct ImportFile {
    file: PathBuf,
    agency: i64,
    dry_run: bool,
    skip_invalid: bool,
    mapping: Vec<String>,
    rejects: Option<PathBuf>,
}

fn import(settings: &Settings, options: &ImportFile) -> anyhow::Result<()> {
    let format = Format::of_path(&options.file)
        .ok_or_else(|| anyhow::anyhow!("{}: the file must end in .xlsx or .csv", options.file.display()))?;
    let mapping =
        parse_mapping(options.mapping.iter().map(String::as_str)).map_err(|e| anyhow::anyhow!(e.message()))?;
    let bytes = std::fs::read(&options.file).with_context(|| format!("cannot read {}", options.file.display()))?;
    let state = open_context(settings)?;
    let snapshot = state.snapshot();
    let started = Instant::now();
    let agency_id = AgencyId::new(options.agency);
    let reading = bar(None, "读取并校验");
    let checked = import::check(&bytes, format, &mapping, agency_id, snapshot.today, &mut |rows| {
        reading.set_position(u64::from(rows));
    })
    .map_err(|e| {
        anyhow::anyhow!("{}: {}", options.file.display(), e.into_violation().map_or_else(String::new, |v| v.detail))
    })?;
    reading.finish_and_clear();
    let file_name = options.file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let import_options = ImportOptions::for_file(agency_id, &file_name, &bytes, options.dry_run, options.skip_invalid);
    let writing = std::cell::RefCell::new(ProgressBar::hidden());
    let report = state
        .db
        .write_blocking(|conn| -> Result<_, ServiceError> {
            let user_id = crate::storage::ledger::command_line_user(conn, COMMAND_LINE_USER, snapshot.at)?;
            let actor = Actor { user_id, name: COMMAND_LINE_USER.into(), ..Actor::system() };
            import::import(conn, &actor, &import_options, checked, snapshot.now(), &mut |stage| match stage {
                Stage::Checked(n) if n > 0 => *writing.borrow_mut() = bar(Some(u64::from(n)), "写入"),
                Stage::Checked(_) => {}
                Stage::Written(n) => writing.borrow().set_position(u64::from(n)),
            })
        })
        .map_err(|e| anyhow::anyhow!("import failed: {e}"))?;
    writing.borrow().finish_and_clear();
    const SHOWN: usize = 50;
    for p in report.problems.iter().take(SHOWN) {
        let column = if p.column.is_empty() { String::new() } else { format!(" {}", p.column) };
        eprintln!("第{}行{column} [{}]：{}", p.row, p.code, p.message);
    }
    if report.problems.len() > SHOWN {
        eprintln!("…… 另有 {} 个问题（见未导入行的工作簿）", report.problems.len() - SHOWN);
    }
    if report.invalid > 0 {
        let path = options.rejects.clone().unwrap_or_else(|| rejects_path(&options.file));
        write_rejects(&bytes, format, report.header_row, &report.problems, &path)?;
        eprintln!("invalid rows with their problems: {}", path.display());
    }
    let verb = if options.dry_run { "checked" } else { "imported" };
    let created = if options.dry_run { "would be created" } else { "created" };
    println!(
        "{verb} {} into agency {}: {} rows, {} {created}, {} already present, {} invalid{} in {:.1} s",
        options.file.display(),
        options.agency,
        report.rows,
        report.created,
        report.already_present,
        report.invalid,
        report.import_id.map_or_else(String::new, |id| format!(" (import {id})")),
        started.elapsed().as_secs_f64()
    );
    if report.invalid > 0 && (options.dry_run || !options.skip_invalid) {
        anyhow::bail!(
            "{} invalid rows; {}",
            report.invalid,
            if options.dry_run { "dry run" } else { "nothing written" }
        );
    }
    Ok(())
}

/// `ledger.xlsx` → `ledger.未导入.xlsx`, beside it.
fn rejects_path(file: &Path) -> PathBuf {
    let stem = file.file_stem().map_or_else(|| "ledger".into(), |s| s.to_string_lossy().into_owned());
    file.with_file_name(format!("{stem}.未导入.xlsx"))
}

/// Write the invalid rows of the file, as it had them, with their problems in an extra column.
fn write_rejects(
    bytes: &[u8],
    format: Format,
    header_row: u32,
    problems: &[crate::domain::ledger::Problem],
    path: &Path,
) -> anyhow::Result<()> {
    let by_row = problems_by_row(problems);
    let mut rows = Vec::new();
    let header =
        crate::ledger::rows_after_header(bytes, format, header_row, &|n| by_row.contains_key(&n), &mut |n, cells| {
            rows.push((cells, by_row.get(&n).cloned().unwrap_or_default()));
        })
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    let workbook = rejects_workbook(&header, &rows).map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(path, workbook).with_context(|| format!("cannot write {}", path.display()))
}
