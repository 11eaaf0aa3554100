//! The sub-records of a case's steps: consultations and fee notices, and the requests a
//! per-request fee counts.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{cases, consultations, fee_notices};
use super::{count_u32, insert_returning_id, key, DbConnection, StorageError, StorageResult};
use crate::domain::case::{Case, Consultation, FeeNoticeRecord};
use crate::domain::event::CountedRequest;
use crate::domain::fees::FeeBasis;
use crate::domain::ids::{CaseId, ConsultationId, FeeNoticeId};
use crate::domain::types::{CaseStatus, Opinion, PartyKind};

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = consultations)]
pub(crate) struct ConsultationRow {
    id: i64,
    case_id: i64,
    party_kind: String,
    party: String,
    sent_on: NaiveDate,
    reply_due: NaiveDate,
    replied_on: Option<NaiveDate>,
    opinion: Option<String>,
}

impl TryFrom<ConsultationRow> for Consultation {
    type Error = StorageError;

    fn try_from(row: ConsultationRow) -> StorageResult<Self> {
        Ok(Self {
            id: ConsultationId::new(row.id),
            case_id: CaseId::new(row.case_id),
            party_kind: key(&row.party_kind, PartyKind::parse, "consultations.party_kind")?,
            party: row.party,
            sent_on: row.sent_on,
            reply_due: row.reply_due,
            replied_on: row.replied_on,
            opinion: row.opinion.as_deref().map(|o| key(o, Opinion::parse, "consultations.opinion")).transpose()?,
        })
    }
}

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = fee_notices)]
struct FeeNoticeRow {
    id: i64,
    case_id: i64,
    issued_on: NaiveDate,
    basis: String,
    pages: Option<i32>,
    nth_request: Option<i32>,
    amount_fen: i64,
    pay_by: NaiveDate,
    paid_on: Option<NaiveDate>,
}

fn fee_basis(value: &str) -> Option<FeeBasis> {
    match value {
        "per_page" => Some(FeeBasis::PerPage),
        "per_request" => Some(FeeBasis::PerRequest),
        _ => None,
    }
}

/// The stored key of a fee basis.
pub(crate) fn fee_basis_key(basis: FeeBasis) -> &'static str {
    match basis {
        FeeBasis::PerPage => "per_page",
        FeeBasis::PerRequest => "per_request",
    }
}

impl TryFrom<FeeNoticeRow> for FeeNoticeRecord {
    type Error = StorageError;

    fn try_from(row: FeeNoticeRow) -> StorageResult<Self> {
        Ok(Self {
            id: FeeNoticeId::new(row.id),
            case_id: CaseId::new(row.case_id),
            issued_on: row.issued_on,
            basis: key(&row.basis, fee_basis, "fee_notices.basis")?,
            pages: row.pages.map(|p| count_u32(p, "fee_notices.pages")).transpose()?,
            nth_request: row.nth_request.map(|n| count_u32(n, "fee_notices.nth_request")).transpose()?,
            amount_fen: row.amount_fen,
            pay_by: row.pay_by,
            paid_on: row.paid_on,
        })
    }
}

/// Insert a consultation; returns its id.
///
/// # Errors
/// A database error.
pub fn insert_consultation(
    conn: &mut DbConnection,
    case_id: CaseId,
    party_kind: PartyKind,
    party: &str,
    sent_on: NaiveDate,
    reply_due: NaiveDate,
) -> StorageResult<ConsultationId> {
    let row = (
        consultations::case_id.eq(case_id.get()),
        consultations::party_kind.eq(party_kind.as_str()),
        consultations::party.eq(party),
        consultations::sent_on.eq(sent_on),
        consultations::reply_due.eq(reply_due),
    );
    Ok(ConsultationId::new(insert_returning_id!(conn, consultations::table, consultations::id, row)?))
}

/// The consultations of a case, in the order sent.
///
/// # Errors
/// A database error or corrupt data.
pub fn consultations(conn: &mut DbConnection, case_id: CaseId) -> StorageResult<Vec<Consultation>> {
    let rows: Vec<ConsultationRow> = consultations::table
        .filter(consultations::case_id.eq(case_id.get()))
        .order(consultations::id)
        .select(ConsultationRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Consultation::try_from).collect()
}

/// Record a consultation's reply.
///
/// # Errors
/// A database error.
pub fn reply_consultation(
    conn: &mut DbConnection,
    id: ConsultationId,
    replied_on: NaiveDate,
    opinion: Opinion,
) -> StorageResult<()> {
    diesel::update(consultations::table.find(id.get()))
        .set((consultations::replied_on.eq(replied_on), consultations::opinion.eq(opinion.as_str())))
        .execute(conn)?;
    Ok(())
}

/// A fee notice to store.
#[derive(Clone, Copy, Debug)]
pub struct NewFeeNotice {
    pub case_id: CaseId,
    pub issued_on: NaiveDate,
    pub basis: FeeBasis,
    pub pages: Option<u32>,
    pub nth_request: Option<u32>,
    pub amount_fen: i64,
    pub pay_by: NaiveDate,
}

/// Insert a fee notice; returns its id.
///
/// # Errors
/// A database error; `Corrupt` for a count beyond the column's range.
pub fn insert_fee_notice(conn: &mut DbConnection, notice: &NewFeeNotice) -> StorageResult<FeeNoticeId> {
    let int = |n: Option<u32>, column: &str| {
        n.map(|n| i32::try_from(n).map_err(|_| StorageError::Corrupt(format!("{column} = {n}")))).transpose()
    };
    let row = (
        fee_notices::case_id.eq(notice.case_id.get()),
        fee_notices::issued_on.eq(notice.issued_on),
        fee_notices::basis.eq(fee_basis_key(notice.basis)),
        fee_notices::pages.eq(int(notice.pages, "fee_notices.pages")?),
        fee_notices::nth_request.eq(int(notice.nth_request, "fee_notices.nth_request")?),
        fee_notices::amount_fen.eq(notice.amount_fen),
        fee_notices::pay_by.eq(notice.pay_by),
    );
    Ok(FeeNoticeId::new(insert_returning_id!(conn, fee_notices::table, fee_notices::id, row)?))
}

/// The fee notices of a case, in the order issued.
///
/// # Errors
/// A database error or corrupt data.
pub fn fee_notices(conn: &mut DbConnection, case_id: CaseId) -> StorageResult<Vec<FeeNoticeRecord>> {
    let rows: Vec<FeeNoticeRow> = fee_notices::table
        .filter(fee_notices::case_id.eq(case_id.get()))
        .order(fee_notices::id)
        .select(FeeNoticeRow::as_select())
        .load(conn)?;
    rows.into_iter().map(FeeNoticeRecord::try_from).collect()
}

/// Record a fee's payment.
///
/// # Errors
/// A database error.
pub fn pay_fee(conn: &mut DbConnection, id: FeeNoticeId, paid_on: NaiveDate) -> StorageResult<()> {
    diesel::update(fee_notices::table.find(id.get())).set(fee_notices::paid_on.eq(paid_on)).execute(conn)?;
    Ok(())
}

/// The applicant's requests to the agency received in the month starting `month_start` up to
/// this one: every request received before it (by receipt date, then registration order) and this
/// one, last. A voided registration was never a request and is not counted.
///
/// # Errors
/// A database error.
pub fn requests_in_month(
    conn: &mut DbConnection,
    case: &Case,
    month_start: NaiveDate,
) -> StorageResult<Vec<CountedRequest>> {
    let rows: Vec<(i64, String, NaiveDate)> = cases::table
        .filter(cases::applicant_id.eq(case.applicant_id.get()))
        .filter(cases::agency_id.eq(case.agency_id.get()))
        .filter(cases::received_on.ge(month_start))
        .filter(cases::received_on.le(case.received_on))
        .filter(cases::status.ne(CaseStatus::Voided.as_str()))
        .order((cases::received_on.asc(), cases::id.asc()))
        .select((cases::id, cases::case_number, cases::received_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(id, _, on)| *on < case.received_on || *id <= case.id.get())
        .map(|(_, case_number, received_on)| CountedRequest { case_number, received_on })
        .collect())
}
