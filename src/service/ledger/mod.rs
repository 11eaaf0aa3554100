//! The case ledger (台账): exporting an agency's cases page by page ([`export`]) and importing an
//! agency's existing ledger ([`import`]).

pub mod import;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::{agencies as agency_service, Actor, ServiceError, ServiceResult};
use crate::domain::event::CaseEvent;
use crate::domain::identity::mask;
use crate::domain::ids::AgencyId;
use crate::domain::ledger::{LedgerAppeal, LedgerEntry};
use crate::domain::CaseStatus;
use crate::storage::ledger::{self as store, ExportFilter, ExportRow};
use crate::storage::DbConnection;

/// What a ledger export holds: the case list's filters.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    pub agency_id: AgencyId,
    pub include_descendants: bool,
    pub status: Option<CaseStatus>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub concluded_from: Option<NaiveDate>,
    pub concluded_to: Option<NaiveDate>,
}

/// An export the caller may make: the filter within the caller's agencies, and whether identity
/// numbers are shown whole.
#[derive(Clone, Debug)]
pub struct ExportPlan {
    filter: ExportFilter,
    full_identity: bool,
    /// The agency's name, for the file's name.
    pub agency_name: String,
}

/// Cases per page of an export: each page is three queries, and only one page is held at a time.
pub const PAGE: i64 = 1000;

/// Check that the caller may export the ledger of `request.agency_id` and plan it. Identity
/// numbers are whole for the roles that register and handle requests (who hold them on every
/// case) and masked for auditors **[product rule]**.
///
/// # Errors
/// 404 when the agency is not visible; 422 for dates out of order.
pub fn plan(conn: &mut DbConnection, actor: &Actor, request: &ExportRequest) -> ServiceResult<ExportPlan> {
    let agency = agency_service::get_visible(conn, actor, request.agency_id)?;
    for (field, from, to) in [
        ("received_to", request.received_from, request.received_to),
        ("concluded_to", request.concluded_from, request.concluded_to),
    ] {
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(
                    crate::domain::Violation::field("validation_failed", field, "结束日期不得早于开始日期").into()
                );
            }
        }
    }
    let filter = ExportFilter {
        agency_id: Some(agency.id),
        subtree: request.include_descendants.then(|| agency.path.clone()),
        scope: actor.scope.clone(),
        status: request.status,
        received_from: request.received_from,
        received_to: request.received_to,
        concluded_from: request.concluded_from,
        concluded_to: request.concluded_to,
    };
    Ok(ExportPlan { filter, full_identity: actor.role.can_register(), agency_name: agency.name })
}

/// Write every case of the plan, oldest receipt first, one page at a time, to `on_entry`;
/// returns the number of cases. Stops at the first error of `on_entry`.
///
/// # Errors
/// A database error, corrupt data, or the error of `on_entry`.
pub fn export(
    conn: &mut DbConnection,
    plan: &ExportPlan,
    on_entry: &mut dyn FnMut(&LedgerEntry) -> ServiceResult<()>,
) -> ServiceResult<u64> {
    let mut after = None;
    let mut written = 0u64;
    loop {
        let rows = store::export_page(conn, &plan.filter, after, PAGE)?;
        let Some(last) = rows.last() else { return Ok(written) };
        after = Some((last.received_on, last.id));
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut facts = flags_of(store::flag_events(conn, &ids)?)?;
        let mut appeals: HashMap<i64, Vec<LedgerAppeal>> = HashMap::new();
        for (case_id, kind, filed_on, decided) in store::appeals_of(conn, &ids)? {
            appeals.entry(case_id).or_default().push(LedgerAppeal { kind, filed_on, decided });
        }
        let full = i64::try_from(rows.len()).is_ok_and(|n| n == PAGE);
        for row in rows {
            let flags = facts.remove(&row.id).unwrap_or_default();
            let case_appeals = appeals.remove(&row.id).unwrap_or_default();
            on_entry(&entry(row, flags, case_appeals, plan.full_identity)?)?;
            written += 1;
        }
        if !full {
            return Ok(written);
        }
    }
}

/// What the events of a case say for the ledger's flags.
#[derive(Default)]
struct Flags {
    corrected: bool,
    consulted: bool,
    fee_fen: Option<i64>,
    withdrawn: bool,
    extended: bool,
}

fn flags_of(events: Vec<(i64, i32, String, String)>) -> ServiceResult<HashMap<i64, Flags>> {
    let mut by_case: HashMap<i64, Vec<(i32, CaseEvent)>> = HashMap::new();
    for (case_id, seq, kind, payload) in events {
        let event = CaseEvent::from_stored(&kind, &payload)
            .map_err(|e| ServiceError::corrupt(format!("event {seq} of case {case_id}: {e}")))?;
        by_case.entry(case_id).or_default().push((seq, event));
    }
    Ok(by_case
        .into_iter()
        .map(|(case_id, events)| {
            let revoked: BTreeSet<i32> = events
                .iter()
                .filter_map(|(_, e)| match e {
                    CaseEvent::StepRevoked { seq, .. } => Some(*seq),
                    _ => None,
                })
                .collect();
            let mut flags = Flags::default();
            for (_, event) in events.iter().filter(|(seq, _)| !revoked.contains(seq)) {
                match event {
                    CaseEvent::CorrectionRequested { .. } => flags.corrected = true,
                    CaseEvent::ConsultationStarted { .. } => flags.consulted = true,
                    CaseEvent::FeePaid { amount_fen, .. } => {
                        flags.fee_fen = Some(flags.fee_fen.unwrap_or(0) + amount_fen);
                    }
                    CaseEvent::Withdrawn { .. } => flags.withdrawn = true,
                    CaseEvent::Imported { facts, .. } => {
                        flags.corrected |= facts.corrected;
                        flags.consulted |= facts.consulted;
                        flags.extended |= facts.extended;
                        flags.fee_fen = flags.fee_fen.or(facts.fee_fen);
                    }
                    _ => {}
                }
            }
            (case_id, flags)
        })
        .collect())
}

fn entry(row: ExportRow, flags: Flags, appeals: Vec<LedgerAppeal>, full_identity: bool) -> ServiceResult<LedgerEntry> {
    let keys = row.keys()?;
    Ok(LedgerEntry {
        case_number: row.case_number,
        received_on: row.received_on,
        channel: keys.channel,
        category: keys.category,
        name: row.applicant_name,
        id_number: row.id_number.map(|n| if full_identity { n } else { mask(&n) }),
        phone: row.applicant_phone,
        email: row.applicant_email,
        address: row.applicant_address,
        description: row.description,
        status: keys.status,
        due_on: row.due_on.filter(|_| keys.status != CaseStatus::Voided),
        concluded_on: row.concluded_on,
        outcome: keys.outcome,
        withdrawn: flags.withdrawn,
        basis: row.decision_basis,
        corrected: flags.corrected,
        consulted: flags.consulted,
        extended: row.extended || flags.extended,
        fee_fen: flags.fee_fen,
        appeals,
    })
}
