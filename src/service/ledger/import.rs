//! Importing an agency's ledger: every row checked before anything is written (the file's rows by
//! the domain's rules in [`check`], outside any transaction; then, in the import's transaction,
//! against the database: rows already present by case number or from the same file, sealed
//! years), and the valid rows written in one transaction with the import's record.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use super::super::{agencies as agency_service, cases::seals_since, Actor, Now, ServiceError, ServiceResult};
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::ids::{AgencyId, AppealId, ApplicantId, UserId};
use crate::domain::intake::NewApplicant;
use crate::domain::ledger::{LedgerCase, Mapping, Problem};
use crate::domain::lifecycle::project;
use crate::domain::{Outcome, Violation};
use crate::ledger::{CheckedFile, FileError, Format};
use crate::storage::bulk::{self, AppealWithId, BulkAppeal, BulkApplicant, BulkCase, BulkEvent, BulkImportRow};
use crate::storage::ledger::{self as store, NewImport};
use crate::storage::DbConnection;

/// What an import is asked to do.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub agency_id: AgencyId,
    pub file_name: String,
    /// SHA-256 of the file (hex).
    pub sha256: String,
    /// Check only; write nothing.
    pub dry_run: bool,
    /// Write the valid rows even when others are invalid.
    pub skip_invalid: bool,
}

impl ImportOptions {
    /// The options of importing `bytes`, read from the file `file_name` (kept to 255 characters):
    /// the file is known again by its SHA-256.
    pub fn for_file(agency_id: AgencyId, file_name: &str, bytes: &[u8], dry_run: bool, skip_invalid: bool) -> Self {
        use sha2::{Digest, Sha256};
        Self {
            agency_id,
            file_name: file_name.chars().take(255).collect(),
            sha256: hex::encode(Sha256::digest(bytes)),
            dry_run,
            skip_invalid,
        }
    }
}

/// What an import found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows in the file.
    pub rows: u32,
    /// Cases created (in a dry run: that would be created).
    pub created: u32,
    /// Rows whose case is on file already (same case number for the agency, or the same file).
    pub already_present: u32,
    /// Rows with at least one problem.
    pub invalid: u32,
    pub problems: Vec<Problem>,
    /// The recorded import, when cases were written.
    pub import_id: Option<i64>,
    /// The sheet row of the header.
    pub header_row: u32,
}

impl ImportReport {
    /// Whether cases were written.
    pub fn written(&self) -> bool {
        self.import_id.is_some()
    }
}

/// A file-level problem as the API answers it (422 with a stable code).
pub fn file_violation(error: &FileError) -> Violation {
    Violation::field(error.code(), "file", error.message())
}

/// Read and check a file's rows for `agency_id` on `today` (no database needed).
///
/// # Errors
/// 422 naming what makes the file unreadable as a ledger.
pub fn check(
    bytes: &[u8],
    format: Format,
    mapping: &Mapping,
    agency_id: AgencyId,
    today: NaiveDate,
    progress: &mut dyn FnMut(u32),
) -> ServiceResult<CheckedFile> {
    crate::ledger::check_file(bytes, format, mapping, agency_id, today, progress)
        .map_err(|e| ServiceError::Invalid(file_violation(&e)))
}

/// Where a long import stands (for a progress bar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Checked against the database: this many cases to write.
    Checked(u32),
    /// Cases written so far.
    Written(u32),
}

/// Check the rows against the database and, unless a dry run or refused, write them: one
/// transaction (the caller's), one import record, an `imported` event on every case.
///
/// Applicants are matched on their identity document as at intake (the ledger's name and contact
/// details do not overwrite a record already on file: the ledger is older than what it holds).
///
/// # Errors
/// 403 for roles that may not register requests, 404 for an invisible agency.
pub fn import(
    conn: &mut DbConnection,
    actor: &Actor,
    options: &ImportOptions,
    file: CheckedFile,
    now: Now<'_>,
    progress: &mut dyn FnMut(Stage),
) -> ServiceResult<ImportReport> {
    actor.require(actor.role.can_register(), "导入台账")?;
    let agency = agency_service::get_visible(conn, actor, options.agency_id)?;
    if !options.dry_run {
        store::lock_agency_imports(conn, agency.id)?;
    }
    let CheckedFile { header, checked } = file;
    let mut problems = checked.problems;
    let numbers: Vec<&str> = checked.valid.iter().filter_map(|c| c.case_number.as_deref()).collect();
    let existing = store::existing_numbers(conn, agency.id, &numbers)?;
    let same_file = store::rows_imported_before(conn, agency.id, &options.sha256)?;
    let earliest = checked.valid.iter().map(LedgerCase::earliest).min();
    let seals = match earliest {
        Some(from) => seals_since(conn, agency.id, from, &now)?,
        None => crate::domain::seal::Seals::none(),
    };
    let mut already_present = 0u32;
    let mut to_create = Vec::new();
    for case in checked.valid {
        let present = case.case_number.as_ref().is_some_and(|n| existing.contains(n)) || same_file.contains(&case.row);
        if present {
            already_present += 1;
            continue;
        }
        let years = seals.touched_since(case.earliest());
        if !years.is_empty() {
            let list = years.iter().map(|y| format!("{y}年")).collect::<Vec<_>>().join("、");
            problems.push(Problem {
                row: case.row,
                column: header.name(crate::domain::ledger::LedgerColumn::ReceivedOn),
                code: "year_sealed".to_owned(),
                message: format!("{list}的年度报告已封存，导入此行会改变已封存的统计数字：请通过登记和办理步骤（由负责人填写变更理由）补录"),
            });
            continue;
        }
        to_create.push(case);
    }
    problems.sort_by_key(|p| p.row);
    let mut report = ImportReport {
        rows: checked.rows,
        created: u32::try_from(to_create.len()).unwrap_or(u32::MAX),
        already_present,
        invalid: 0,
        problems,
        import_id: None,
        header_row: header.row,
    };
    report.invalid = {
        let mut rows: Vec<u32> = report.problems.iter().map(|p| p.row).collect();
        rows.dedup();
        u32::try_from(rows.len()).unwrap_or(u32::MAX)
    };
    progress(Stage::Checked(if options.dry_run { 0 } else { report.created }));
    let refused = report.invalid > 0 && !options.skip_invalid;
    if options.dry_run || refused || to_create.is_empty() {
        // A dry run says how many rows would be created; a refused import created none.
        if refused && !options.dry_run {
            report.created = 0;
        }
        return Ok(report);
    }
    let import_id = store::insert_import(
        conn,
        &NewImport {
            agency_id: agency.id.get(),
            file_name: &options.file_name,
            sha256: &options.sha256,
            imported_by: actor.user_id.get(),
            imported_at: now.at,
            rows_read: i32::try_from(report.rows).unwrap_or(i32::MAX),
            created: i32::try_from(report.created).unwrap_or(i32::MAX),
            already_present: i32::try_from(report.already_present).unwrap_or(i32::MAX),
            invalid: i32::try_from(report.invalid).unwrap_or(i32::MAX),
        },
    )?;
    write(conn, actor.user_id, &agency, import_id, &to_create, &now, progress)?;
    report.import_id = Some(import_id);
    Ok(report)
}

/// Rows per statement of the bulk writes.
const ROWS_PER_STATEMENT: usize = 100;
/// Cases per script: their rows are built, run and dropped before the next ones.
const BATCH: usize = 5_000;

/// Write the cases of the valid rows.
fn write(
    conn: &mut DbConnection,
    user: UserId,
    agency: &crate::domain::case::Agency,
    import_id: i64,
    cases: &[LedgerCase],
    now: &Now<'_>,
    progress: &mut dyn FnMut(Stage),
) -> ServiceResult<()> {
    // Applicants: those on file by identity document, one new record per new document, and one
    // per row without a document (as at intake).
    let identities: Vec<_> = cases
        .iter()
        .filter_map(|c| c.intake.applicant.identity.as_ref().map(|i| (i.id_type, i.number.as_str())))
        .collect();
    let mut applicant_ids: HashMap<(crate::domain::IdType, String), i64> =
        store::applicants_by_identity(conn, &identities)?;
    let mut new_applicants: Vec<&NewApplicant> = Vec::new();
    let mut applicant_of_row: Vec<Option<usize>> = Vec::with_capacity(cases.len());
    let mut new_by_identity: HashMap<(crate::domain::IdType, &str), usize> = HashMap::new();
    for case in cases {
        let applicant = &case.intake.applicant;
        let slot = match &applicant.identity {
            Some(i) if applicant_ids.contains_key(&(i.id_type, i.number.clone())) => None,
            Some(i) => Some(*new_by_identity.entry((i.id_type, i.number.as_str())).or_insert_with(|| {
                new_applicants.push(applicant);
                new_applicants.len() - 1
            })),
            None => {
                new_applicants.push(applicant);
                Some(new_applicants.len() - 1)
            }
        };
        applicant_of_row.push(slot);
    }
    let new_ids = store::reserve_ids(conn, "applicants", new_applicants.len())?;
    let rows: Vec<BulkApplicant> = new_applicants
        .iter()
        .zip(&new_ids)
        .map(|(a, &id)| BulkApplicant {
            id,
            category: a.category.as_str(),
            name: a.name.clone(),
            id_type: a.identity.as_ref().map(|i| i.id_type.as_str()),
            id_number: a.identity.as_ref().map(|i| i.number.clone()),
            phone: a.phone.clone(),
            email: a.email.clone(),
            address: a.address.clone(),
            created_at: now.at,
            updated_at: now.at,
        })
        .collect();
    for row in &rows {
        if let (Some(t), Some(n)) = (row.id_type.and_then(crate::domain::IdType::parse), &row.id_number) {
            applicant_ids.insert((t, n.clone()), row.id);
        }
    }
    bulk::run_script(conn, &bulk::insert_script(&rows, ROWS_PER_STATEMENT))?;
    drop(rows);
    let numbers = allocate_numbers(conn, agency, cases)?;
    let case_ids = store::reserve_ids(conn, "cases", cases.len())?;
    let appeal_count = cases.iter().map(|c| c.appeals.len()).sum();
    let mut appeal_ids = store::reserve_ids(conn, "appeals", appeal_count)?.into_iter();
    let mut written = 0u32;
    for (chunk_start, chunk) in (0..).step_by(BATCH).zip(cases.chunks(BATCH)) {
        let mut batch = Batch::default();
        for (offset, case) in chunk.iter().enumerate() {
            let i = chunk_start + offset;
            let applicant_id = match (applicant_of_row[i], &case.intake.applicant.identity) {
                (Some(slot), _) => new_ids[slot],
                (None, Some(identity)) => *applicant_ids
                    .get(&(identity.id_type, identity.number.clone()))
                    .ok_or_else(|| ServiceError::corrupt("an applicant looked up is missing"))?,
                (None, None) => return Err(ServiceError::corrupt("an applicant without a record")),
            };
            let ids = (case_ids[i], applicant_id);
            batch.add(case, ids, &numbers[i], agency.id, user, import_id, &mut appeal_ids, now)?;
        }
        let mut script = bulk::insert_script(&batch.cases, ROWS_PER_STATEMENT);
        script.push_str(&bulk::insert_script(&batch.events, ROWS_PER_STATEMENT));
        let appeals: Vec<AppealWithId<'_>> = batch.appeals.iter().map(AppealWithId).collect();
        script.push_str(&bulk::insert_script(&appeals, ROWS_PER_STATEMENT));
        script.push_str(&bulk::insert_script(&batch.import_rows, ROWS_PER_STATEMENT));
        bulk::run_script(conn, &script)?;
        written += u32::try_from(chunk.len()).unwrap_or(u32::MAX);
        progress(Stage::Written(written));
    }
    Ok(())
}

/// The case number of every row: its own, or the agency's next of its receipt year. The agency's
/// counters are moved past imported numbers of its own pattern (`NS-2019-00042`), so that later
/// intakes never get a number a row brought in.
fn allocate_numbers(
    conn: &mut DbConnection,
    agency: &crate::domain::case::Agency,
    cases: &[LedgerCase],
) -> ServiceResult<Vec<String>> {
    let prefix = format!("{}-", agency.code);
    let mut per_year: BTreeMap<i32, (i32, i32)> = BTreeMap::new();
    for case in cases {
        let year = case.intake.received_on.year();
        let entry = per_year.entry(year).or_insert((0, 0));
        match &case.case_number {
            Some(number) => {
                let own = number
                    .strip_prefix(&prefix)
                    .and_then(|rest| rest.split_once('-'))
                    .filter(|(y, _)| y.parse::<i32>().ok() == Some(year))
                    .and_then(|(_, n)| n.parse::<i32>().ok());
                if let Some(n) = own {
                    entry.0 = entry.0.max(n);
                }
            }
            None => entry.1 += 1,
        }
    }
    let mut next: HashMap<i32, i32> = HashMap::new();
    for (year, (last, take)) in per_year {
        next.insert(year, store::advance_counter(conn, agency.id, year, last, take)?);
    }
    Ok(cases
        .iter()
        .map(|case| match &case.case_number {
            Some(number) => number.clone(),
            None => {
                let year = case.intake.received_on.year();
                let n = next.entry(year).or_insert(1);
                let number = format!("{}-{year}-{:05}", agency.code, *n);
                *n += 1;
                number
            }
        })
        .collect())
}

/// The rows of one batch of cases.
#[derive(Default)]
struct Batch {
    cases: Vec<BulkCase>,
    events: Vec<BulkEvent>,
    appeals: Vec<BulkAppeal>,
    import_rows: Vec<BulkImportRow>,
}

impl Batch {
    /// The case of a row with its events (received, imported, the conclusion, its appeals).
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        case: &LedgerCase,
        (case_id, applicant_id): (i64, i64),
        number: &str,
        agency_id: AgencyId,
        user: UserId,
        import_id: i64,
        appeal_ids: &mut impl Iterator<Item = i64>,
        now: &Now<'_>,
    ) -> ServiceResult<()> {
        let intake = &case.intake;
        let mut events: Vec<RecordedEvent> = Vec::with_capacity(3 + 2 * case.appeals.len());
        let mut push = |effective_on: NaiveDate, event: CaseEvent| {
            let seq = i32::try_from(events.len() + 1).unwrap_or(i32::MAX);
            events.push(RecordedEvent { seq, effective_on, recorded_at: now.at, actor_id: Some(user), event });
        };
        push(
            intake.received_on,
            CaseEvent::Received {
                channel: intake.channel,
                submitted_on: intake.submitted_on,
                received_on: intake.received_on,
                applicant_id: ApplicantId::new(applicant_id),
                applicant_category: intake.applicant.category,
                case_number: number.to_owned(),
                description: intake.description.clone(),
                items: Vec::new(),
                sealed_override: None,
            },
        );
        push(
            now.today,
            CaseEvent::Imported { import_id, row: case.row, facts: case.facts.clone(), sealed_override: None },
        );
        if let Some(conclusion) = &case.conclusion {
            let event = if conclusion.withdrawn && conclusion.outcome == Outcome::OtherMisc {
                CaseEvent::Withdrawn { outcome: Outcome::OtherMisc, sealed_override: None }
            } else {
                CaseEvent::Decided {
                    outcome: conclusion.outcome,
                    basis: conclusion.basis.clone(),
                    items: Vec::new(),
                    already_public: false,
                    responsible_agency: None,
                    repeats: None,
                    over_objection_reason: None,
                    system: None,
                    sealed_override: None,
                }
            };
            push(conclusion.on, event);
        }
        for appeal in &case.appeals {
            let id = appeal_ids.next().ok_or_else(|| ServiceError::corrupt("too few appeal ids reserved"))?;
            let appeal_id = Some(AppealId::new(id));
            push(appeal.filed_on, CaseEvent::AppealFiled { appeal_id, kind: appeal.kind, sealed_override: None });
            if let Some((result, on)) = appeal.decided {
                push(on, CaseEvent::AppealDecided { appeal_id, kind: appeal.kind, result, sealed_override: None });
            }
            self.appeals.push(BulkAppeal {
                id: Some(id),
                case_id,
                agency_id: agency_id.get(),
                kind: appeal.kind.as_str(),
                filed_on: appeal.filed_on,
                result: appeal.decided.map(|(r, _)| r.as_str()),
                decided_on: appeal.decided.map(|(_, on)| on),
                created_by: user.get(),
                created_at: now.at,
            });
        }
        // The clock from the case's own dates, as of today.
        let projection = project(&events, now.calendar, now.rules, now.today);
        let applicant = &intake.applicant;
        self.cases.push(BulkCase {
            id: case_id,
            agency_id: agency_id.get(),
            case_number: number.to_owned(),
            year: intake.received_on.year(),
            channel: intake.channel.as_str(),
            submitted_on: intake.submitted_on,
            received_on: intake.received_on,
            applicant_id,
            applicant_category: applicant.category.as_str(),
            description: intake.description.clone(),
            status: projection.status.as_str(),
            outcome: projection.outcome.map(Outcome::as_str),
            concluded_on: projection.concluded_on,
            decision_basis: projection.decision_basis,
            due_on: projection.due_on,
            paused: projection.paused,
            extended: projection.extended,
            version: i64::try_from(events.len()).unwrap_or(i64::MAX),
            created_by: user.get(),
            created_at: now.at,
            updated_at: now.at,
            lapses_on: projection.lapses_on,
            applicant_name: applicant.name.clone(),
            applicant_phone: applicant.phone.clone(),
            applicant_email: applicant.email.clone(),
            applicant_address: applicant.address.clone(),
        });
        self.import_rows.push(BulkImportRow {
            import_id,
            file_row: i32::try_from(case.row).unwrap_or(i32::MAX),
            case_id,
        });
        self.events.extend(events.into_iter().map(|e| BulkEvent {
            case_id,
            seq: e.seq,
            kind: e.event.kind(),
            effective_on: e.effective_on,
            recorded_at: e.recorded_at,
            actor_id: e.actor_id.map(UserId::get),
            payload: e.event.payload().to_string(),
        }));
        Ok(())
    }
}

/// The rows whose problems the rejected-rows workbook lists, with their messages joined.
pub fn problems_by_row(problems: &[Problem]) -> BTreeMap<u32, String> {
    let mut by_row: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for p in problems {
        let text = if p.column.is_empty() { p.message.clone() } else { format!("{}：{}", p.column, p.message) };
        by_row.entry(p.row).or_default().push(text);
    }
    by_row.into_iter().map(|(row, messages)| (row, messages.join("；"))).collect()
}

/// Which rows of a report are invalid.
pub fn invalid_rows(report: &ImportReport) -> HashSet<u32> {
    report.problems.iter().map(|p| p.row).collect()
}
