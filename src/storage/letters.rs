//! Letters as issued: each stored once, when its step is recorded, byte for byte, with its
//! document number (per agency, kind and year) and what became of it (e-mail, print and post,
//! service).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{agencies, letter_counters, letters};
use super::{insert_returning_id, key, per_backend, DbConnection, StorageResult};
use crate::domain::ids::{AgencyId, CaseId, ConsultationId};
use crate::domain::LetterKind;

/// How a letter goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Queued in the outbox to the applicant's e-mail address.
    Email,
    /// To be printed and posted (no e-mail address, or addressed to a third party).
    Print,
    /// Kept and printable, not sent: a step recorded after the fact, or an import.
    Recorded,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Print => "print",
            Self::Recorded => "recorded",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "email" => Some(Self::Email),
            "print" => Some(Self::Print),
            "recorded" => Some(Self::Recorded),
            _ => None,
        }
    }
}

/// A stored letter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedLetter {
    pub id: i64,
    pub case_id: CaseId,
    pub agency_id: AgencyId,
    pub kind: LetterKind,
    pub year: i32,
    pub number: i32,
    /// E.g. `南政信公答〔2026〕12号`.
    pub document_number: String,
    /// The event of the step the letter belongs to.
    pub event_seq: i32,
    pub consultation_id: Option<ConsultationId>,
    pub issued_on: NaiveDate,
    /// To whom: the applicant's name, or the consulted party's.
    pub recipient: String,
    pub subject: String,
    pub body_html: String,
    pub body_text: String,
    /// SHA-256 (hex) of `body_html`.
    pub sha256: String,
    /// The earlier letter this one corrects or replaces.
    pub refers_to: Option<i64>,
    pub delivery: Delivery,
    pub outbox_id: Option<i64>,
    pub printed_at: Option<NaiveDateTime>,
    pub posted_on: Option<NaiveDate>,
    pub tracking_number: Option<String>,
    pub served_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = letters)]
struct LetterRow {
    id: i64,
    case_id: i64,
    agency_id: i64,
    kind: String,
    year: i32,
    number: i32,
    document_number: String,
    event_seq: i32,
    consultation_id: Option<i64>,
    issued_on: NaiveDate,
    recipient: String,
    subject: String,
    body_html: String,
    body_text: String,
    sha256: String,
    refers_to: Option<i64>,
    delivery: String,
    outbox_id: Option<i64>,
    printed_at: Option<NaiveDateTime>,
    posted_on: Option<NaiveDate>,
    tracking_number: Option<String>,
    served_on: Option<NaiveDate>,
    created_at: NaiveDateTime,
}

impl TryFrom<LetterRow> for IssuedLetter {
    type Error = super::StorageError;

    fn try_from(row: LetterRow) -> StorageResult<Self> {
        Ok(Self {
            id: row.id,
            case_id: CaseId::new(row.case_id),
            agency_id: AgencyId::new(row.agency_id),
            kind: key(&row.kind, LetterKind::parse, "letters.kind")?,
            year: row.year,
            number: row.number,
            document_number: row.document_number,
            event_seq: row.event_seq,
            consultation_id: row.consultation_id.map(ConsultationId::new),
            issued_on: row.issued_on,
            recipient: row.recipient,
            subject: row.subject,
            body_html: row.body_html,
            body_text: row.body_text,
            sha256: row.sha256,
            refers_to: row.refers_to,
            delivery: key(&row.delivery, Delivery::parse, "letters.delivery")?,
            outbox_id: row.outbox_id,
            printed_at: row.printed_at,
            posted_on: row.posted_on,
            tracking_number: row.tracking_number,
            served_on: row.served_on,
            created_at: row.created_at,
        })
    }
}

fn convert(rows: Vec<LetterRow>) -> StorageResult<Vec<IssuedLetter>> {
    rows.into_iter().map(IssuedLetter::try_from).collect()
}

/// A letter to store.
#[derive(Clone, Debug)]
pub struct NewLetter<'a> {
    pub case_id: CaseId,
    pub agency_id: AgencyId,
    pub kind: LetterKind,
    pub year: i32,
    pub number: i32,
    pub document_number: &'a str,
    pub event_seq: i32,
    pub consultation_id: Option<ConsultationId>,
    pub issued_on: NaiveDate,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body_html: &'a str,
    pub body_text: &'a str,
    pub sha256: &'a str,
    pub refers_to: Option<i64>,
    pub delivery: Delivery,
    pub outbox_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Allocate the next document number of `agency_id` on `counter` (a letter kind's key, or `*`
/// for a counter shared by every kind) in `year` (locked until the transaction ends, so two
/// letters never share one).
///
/// # Errors
/// A database error.
pub fn next_number(conn: &mut DbConnection, agency_id: AgencyId, counter: &str, year: i32) -> StorageResult<i32> {
    use letter_counters::dsl as c;
    Ok(per_backend!(conn, |conn| diesel::insert_into(c::letter_counters)
        .values((c::agency_id.eq(agency_id.get()), c::kind.eq(counter), c::year.eq(year), c::last_number.eq(1)))
        .on_conflict((c::agency_id, c::kind, c::year))
        .do_update()
        .set(c::last_number.eq(c::last_number + 1))
        .returning(c::last_number)
        .get_result(conn))?)
}

/// Store a letter; returns its id.
///
/// # Errors
/// A database error.
pub fn insert(conn: &mut DbConnection, letter: &NewLetter<'_>) -> StorageResult<i64> {
    let row = (
        (
            letters::case_id.eq(letter.case_id.get()),
            letters::agency_id.eq(letter.agency_id.get()),
            letters::kind.eq(letter.kind.as_str()),
            letters::year.eq(letter.year),
            letters::number.eq(letter.number),
            letters::document_number.eq(letter.document_number),
            letters::event_seq.eq(letter.event_seq),
            letters::consultation_id.eq(letter.consultation_id.map(ConsultationId::get)),
            letters::issued_on.eq(letter.issued_on),
        ),
        (
            letters::recipient.eq(letter.recipient),
            letters::subject.eq(letter.subject),
            letters::body_html.eq(letter.body_html),
            letters::body_text.eq(letter.body_text),
            letters::sha256.eq(letter.sha256),
            letters::refers_to.eq(letter.refers_to),
            letters::delivery.eq(letter.delivery.as_str()),
            letters::outbox_id.eq(letter.outbox_id),
            letters::created_at.eq(letter.created_at),
        ),
    );
    Ok(insert_returning_id!(conn, letters::table, letters::id, row)?)
}

/// Every letter of a case, in the order issued.
///
/// # Errors
/// A database error or corrupt data.
pub fn of_case(conn: &mut DbConnection, case_id: CaseId) -> StorageResult<Vec<IssuedLetter>> {
    convert(
        letters::table
            .filter(letters::case_id.eq(case_id.get()))
            .order(letters::id)
            .select(LetterRow::as_select())
            .load(conn)?,
    )
}

/// The letter with `id` and the path of its agency, if any.
///
/// # Errors
/// A database error or corrupt data.
pub fn find_with_path(conn: &mut DbConnection, id: i64) -> StorageResult<Option<(IssuedLetter, String)>> {
    let row: Option<(LetterRow, String)> = letters::table
        .inner_join(agencies::table.on(agencies::id.eq(letters::agency_id)))
        .filter(letters::id.eq(id))
        .select((LetterRow::as_select(), agencies::path))
        .get_result(conn)
        .optional()?;
    row.map(|(letter, path)| Ok((IssuedLetter::try_from(letter)?, path))).transpose()
}

/// Which letters a print queue lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrintStatus {
    /// To be printed.
    Print,
    /// Printed, not yet posted.
    Printed,
    /// Posted, service not yet recorded.
    Posted,
    /// Served (送达).
    Served,
}

/// Letters of the agencies under `scope` (of `agency_id` only, when given) sent by post, in the
/// given state, oldest first, after `after`.
///
/// # Errors
/// A database error or corrupt data.
pub fn print_queue(
    conn: &mut DbConnection,
    scope: &str,
    agency_id: Option<AgencyId>,
    status: PrintStatus,
    after: Option<i64>,
    limit: i64,
) -> StorageResult<Vec<IssuedLetter>> {
    let visible = agencies::table.filter(agencies::path.like(format!("{scope}%"))).select(agencies::id);
    let mut query = letters::table
        .filter(letters::delivery.eq(Delivery::Print.as_str()))
        .filter(letters::agency_id.eq_any(visible))
        .order(letters::id)
        .limit(limit)
        .select(LetterRow::as_select())
        .into_boxed();
    query = match status {
        PrintStatus::Print => query.filter(letters::printed_at.is_null()).filter(letters::posted_on.is_null()),
        PrintStatus::Printed => query.filter(letters::printed_at.is_not_null()).filter(letters::posted_on.is_null()),
        PrintStatus::Posted => query.filter(letters::posted_on.is_not_null()).filter(letters::served_on.is_null()),
        PrintStatus::Served => query.filter(letters::served_on.is_not_null()),
    };
    if let Some(agency_id) = agency_id {
        query = query.filter(letters::agency_id.eq(agency_id.get()));
    }
    if let Some(after) = after {
        query = query.filter(letters::id.gt(after));
    }
    convert(query.load(conn)?)
}

/// Record that a letter was printed (at `at`).
///
/// # Errors
/// A database error.
pub fn mark_printed(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> StorageResult<()> {
    diesel::update(letters::table.find(id)).set(letters::printed_at.eq(at)).execute(conn)?;
    Ok(())
}

/// Record that a letter was posted on `on`, with its tracking number.
///
/// # Errors
/// A database error.
pub fn mark_posted(
    conn: &mut DbConnection,
    id: i64,
    on: NaiveDate,
    tracking_number: Option<&str>,
    at: NaiveDateTime,
) -> StorageResult<()> {
    diesel::update(letters::table.find(id))
        .set((letters::posted_on.eq(on), letters::tracking_number.eq(tracking_number)))
        .execute(conn)?;
    // A letter posted was printed, even if nobody said so.
    diesel::update(letters::table.find(id).filter(letters::printed_at.is_null()))
        .set(letters::printed_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Record that a letter was served (送达) on `on`.
///
/// # Errors
/// A database error.
pub fn mark_served(conn: &mut DbConnection, id: i64, on: NaiveDate) -> StorageResult<()> {
    diesel::update(letters::table.find(id)).set(letters::served_on.eq(on)).execute(conn)?;
    Ok(())
}

/// The agency's letter settings, if entered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgencySettings {
    /// The prefix of the document numbers, e.g. `南政信公`.
    pub document_prefix: Option<String>,
    /// The disclosure office's contact line (address, telephone).
    pub contact: Option<String>,
    /// The reconsideration body named in the remedies (复议机关).
    pub reconsideration_body: Option<String>,
    /// The court named in the remedies.
    pub court: Option<String>,
    /// How a fee is paid (缴纳方式): account, payee, reference.
    pub fee_payment: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

/// The settings of `agency_id` (empty when never entered).
///
/// # Errors
/// A database error.
pub fn settings(conn: &mut DbConnection, agency_id: AgencyId) -> StorageResult<AgencySettings> {
    #[derive(Queryable)]
    struct Row {
        document_prefix: Option<String>,
        contact: Option<String>,
        reconsideration_body: Option<String>,
        court: Option<String>,
        fee_payment: Option<String>,
        updated_at: NaiveDateTime,
    }
    use super::schema::agency_settings::dsl as s;
    let row: Option<Row> = s::agency_settings
        .find(agency_id.get())
        .select((s::document_prefix, s::contact, s::reconsideration_body, s::court, s::fee_payment, s::updated_at))
        .get_result(conn)
        .optional()?;
    Ok(row.map_or_else(AgencySettings::default, |r| AgencySettings {
        document_prefix: r.document_prefix,
        contact: r.contact,
        reconsideration_body: r.reconsideration_body,
        court: r.court,
        fee_payment: r.fee_payment,
        updated_at: Some(r.updated_at),
    }))
}

/// Replace the settings of `agency_id`.
///
/// # Errors
/// A database error.
pub fn put_settings(
    conn: &mut DbConnection,
    agency_id: AgencyId,
    settings: &AgencySettings,
    by: i64,
    at: NaiveDateTime,
) -> StorageResult<()> {
    use super::schema::agency_settings::dsl as s;
    let fields = (
        s::document_prefix.eq(settings.document_prefix.as_deref()),
        s::contact.eq(settings.contact.as_deref()),
        s::reconsideration_body.eq(settings.reconsideration_body.as_deref()),
        s::court.eq(settings.court.as_deref()),
        s::fee_payment.eq(settings.fee_payment.as_deref()),
        s::updated_at.eq(at),
        s::updated_by.eq(by),
    );
    // One statement: concurrent replacements never collide on the key.
    per_backend!(conn, |c| diesel::insert_into(s::agency_settings)
        .values((s::agency_id.eq(agency_id.get()), fields))
        .on_conflict(s::agency_id)
        .do_update()
        .set(fields)
        .execute(c))?;
    Ok(())
}
