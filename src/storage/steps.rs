//! The sub-records of a case's steps: consultations and fee notices.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{consultations, fee_notices};
use super::{insert_returning_id, DbConnection};

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = consultations)]
pub struct ConsultationRow {
    pub id: i64,
    pub case_id: i64,
    pub party_kind: String,
    pub party: String,
    pub sent_on: NaiveDate,
    pub reply_due: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub opinion: Option<String>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = consultations, treat_none_as_default_value = false)]
pub struct NewConsultationRow<'a> {
    pub case_id: i64,
    pub party_kind: &'a str,
    pub party: &'a str,
    pub sent_on: NaiveDate,
    pub reply_due: NaiveDate,
}

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = fee_notices)]
pub struct FeeNoticeRow {
    pub id: i64,
    pub case_id: i64,
    pub issued_on: NaiveDate,
    pub basis: String,
    pub pages: Option<i32>,
    pub nth_request: Option<i32>,
    pub amount_fen: i64,
    pub pay_by: NaiveDate,
    pub paid_on: Option<NaiveDate>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = fee_notices, treat_none_as_default_value = false)]
pub struct NewFeeNoticeRow<'a> {
    pub case_id: i64,
    pub issued_on: NaiveDate,
    pub basis: &'a str,
    pub pages: Option<i32>,
    pub nth_request: Option<i32>,
    pub amount_fen: i64,
    pub pay_by: NaiveDate,
}

/// Insert a consultation; returns its id.
///
/// # Errors
/// A database error.
pub fn insert_consultation(conn: &mut DbConnection, row: &NewConsultationRow<'_>) -> QueryResult<i64> {
    insert_returning_id!(conn, consultations::table, consultations::id, row)
}

/// The consultations of a case, in order.
///
/// # Errors
/// A database error.
pub fn consultations(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<ConsultationRow>> {
    consultations::table
        .filter(consultations::case_id.eq(case_id))
        .order(consultations::id)
        .select(ConsultationRow::as_select())
        .load(conn)
}

/// Record the reply to a consultation.
///
/// # Errors
/// A database error.
pub fn reply_consultation(
    conn: &mut DbConnection,
    id: i64,
    replied_on: NaiveDate,
    opinion: &str,
) -> QueryResult<usize> {
    diesel::update(consultations::table.find(id))
        .set((consultations::replied_on.eq(replied_on), consultations::opinion.eq(opinion)))
        .execute(conn)
}

/// Insert a fee notice; returns its id.
///
/// # Errors
/// A database error.
pub fn insert_fee_notice(conn: &mut DbConnection, row: &NewFeeNoticeRow<'_>) -> QueryResult<i64> {
    insert_returning_id!(conn, fee_notices::table, fee_notices::id, row)
}

/// The fee notices of a case, in order.
///
/// # Errors
/// A database error.
pub fn fee_notices(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<FeeNoticeRow>> {
    fee_notices::table
        .filter(fee_notices::case_id.eq(case_id))
        .order(fee_notices::id)
        .select(FeeNoticeRow::as_select())
        .load(conn)
}

/// Record the payment of a fee notice.
///
/// # Errors
/// A database error.
pub fn pay_fee(conn: &mut DbConnection, id: i64, paid_on: NaiveDate) -> QueryResult<usize> {
    diesel::update(fee_notices::table.find(id)).set(fee_notices::paid_on.eq(paid_on)).execute(conn)
}
