//! Cases: the projection row, its items, its append-only events, case numbers and idempotency keys.
//! Rows are read into the domain's types here ([`Case`], [`RecordedEvent`], …) and nowhere else.
//! The list and its filters are in [`super::case_list`].

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

pub use super::case_list::{agencies_under, list, CaseFilter, OPEN_STATUSES};
use super::schema::{agencies, applicants, case_events, case_items, cases, idempotency_keys};
use super::{insert_returning_id, key, DbConnection, StorageError, StorageResult};
use crate::domain::case::{Applicant, Case, CaseSummary, Item, Particulars};
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::ids::{AgencyId, ApplicantId, CaseId, ItemId, UserId};
use crate::domain::lifecycle::Projection;
use crate::domain::workflow::Handling;
use crate::domain::{ApplicantCategory, CaseStatus, Channel, Outcome};

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = cases)]
pub(crate) struct CaseRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_number: String,
    pub year: i32,
    pub channel: String,
    pub submitted_on: Option<NaiveDate>,
    pub received_on: NaiveDate,
    pub applicant_id: i64,
    pub applicant_category: String,
    pub description: String,
    pub status: String,
    pub outcome: Option<String>,
    pub concluded_on: Option<NaiveDate>,
    pub decision_basis: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub paused: bool,
    pub extended: bool,
    pub version: i64,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub lapses_on: Option<NaiveDate>,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub unit_id: Option<i64>,
    pub handler_id: Option<i64>,
    pub routed_to: Option<i64>,
}

/// The handling columns read into the domain's type.
pub(crate) fn handling(unit_id: Option<i64>, handler_id: Option<i64>, routed_to: Option<i64>) -> Handling {
    Handling {
        unit_id: unit_id.map(AgencyId::new),
        handler_id: handler_id.map(UserId::new),
        routed_to: routed_to.map(AgencyId::new),
    }
}

fn outcome(value: Option<&str>, column: &str) -> StorageResult<Option<Outcome>> {
    value.map(|o| key(o, Outcome::parse, column)).transpose()
}

impl TryFrom<CaseRow> for Case {
    type Error = StorageError;

    fn try_from(row: CaseRow) -> StorageResult<Self> {
        Ok(Self {
            channel: key(&row.channel, Channel::parse, "cases.channel")?,
            applicant_category: key(&row.applicant_category, ApplicantCategory::parse, "cases.applicant_category")?,
            status: key(&row.status, CaseStatus::parse, "cases.status")?,
            outcome: outcome(row.outcome.as_deref(), "cases.outcome")?,
            id: CaseId::new(row.id),
            agency_id: AgencyId::new(row.agency_id),
            case_number: row.case_number,
            year: row.year,
            submitted_on: row.submitted_on,
            received_on: row.received_on,
            applicant_id: ApplicantId::new(row.applicant_id),
            applicant: Particulars {
                name: row.applicant_name,
                phone: row.applicant_phone,
                email: row.applicant_email,
                address: row.applicant_address,
            },
            description: row.description,
            concluded_on: row.concluded_on,
            decision_basis: row.decision_basis,
            due_on: row.due_on,
            paused: row.paused,
            extended: row.extended,
            version: row.version,
            created_by: UserId::new(row.created_by),
            created_at: row.created_at,
            updated_at: row.updated_at,
            lapses_on: row.lapses_on,
            handling: handling(row.unit_id, row.handler_id, row.routed_to),
        })
    }
}

/// The columns of a case that a list shows: a list reads up to 200 of them per request, and on
/// SQLite each date and timestamp is a text parse, so the ones it does not show are not read.
#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = cases)]
pub(crate) struct CaseSummaryRow {
    pub id: i64,
    pub agency_id: i64,
    pub case_number: String,
    pub channel: String,
    pub received_on: NaiveDate,
    pub applicant_category: String,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub description: String,
    pub status: String,
    pub outcome: Option<String>,
    pub concluded_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub paused: bool,
    pub extended: bool,
    pub version: i64,
    pub unit_id: Option<i64>,
    pub handler_id: Option<i64>,
    pub routed_to: Option<i64>,
}

impl TryFrom<CaseSummaryRow> for CaseSummary {
    type Error = StorageError;

    fn try_from(row: CaseSummaryRow) -> StorageResult<Self> {
        Ok(Self {
            channel: key(&row.channel, Channel::parse, "cases.channel")?,
            status: key(&row.status, CaseStatus::parse, "cases.status")?,
            outcome: outcome(row.outcome.as_deref(), "cases.outcome")?,
            applicant_category: key(&row.applicant_category, ApplicantCategory::parse, "cases.applicant_category")?,
            id: CaseId::new(row.id),
            agency_id: AgencyId::new(row.agency_id),
            case_number: row.case_number,
            received_on: row.received_on,
            applicant: Particulars {
                name: row.applicant_name,
                phone: row.applicant_phone,
                email: row.applicant_email,
                address: row.applicant_address,
            },
            description: row.description,
            concluded_on: row.concluded_on,
            due_on: row.due_on,
            paused: row.paused,
            extended: row.extended,
            version: row.version,
            handling: handling(row.unit_id, row.handler_id, row.routed_to),
        })
    }
}

#[derive(Insertable, Debug)]
#[diesel(table_name = cases, treat_none_as_default_value = false)]
struct NewCaseRow<'a> {
    agency_id: i64,
    case_number: &'a str,
    year: i32,
    channel: &'a str,
    submitted_on: Option<NaiveDate>,
    received_on: NaiveDate,
    applicant_id: i64,
    applicant_category: &'a str,
    description: &'a str,
    status: &'a str,
    due_on: Option<NaiveDate>,
    paused: bool,
    extended: bool,
    version: i64,
    created_by: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    applicant_name: &'a str,
    applicant_phone: Option<&'a str>,
    applicant_email: Option<&'a str>,
    applicant_address: Option<&'a str>,
}

/// The derived columns a transition changes.
#[derive(AsChangeset, Debug)]
#[diesel(table_name = cases, treat_none_as_null = true)]
struct ProjectionChanges<'a> {
    status: &'a str,
    outcome: Option<&'a str>,
    concluded_on: Option<NaiveDate>,
    decision_basis: Option<&'a str>,
    due_on: Option<NaiveDate>,
    paused: bool,
    extended: bool,
    lapses_on: Option<NaiveDate>,
}

impl<'a> From<&'a Projection> for ProjectionChanges<'a> {
    fn from(p: &'a Projection) -> Self {
        Self {
            status: p.status.as_str(),
            outcome: p.outcome.map(Outcome::as_str),
            concluded_on: p.concluded_on,
            decision_basis: p.decision_basis.as_deref(),
            due_on: p.due_on,
            paused: p.paused,
            extended: p.extended,
            lapses_on: p.lapses_on,
        }
    }
}

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = case_items)]
pub(crate) struct ItemRow {
    pub id: i64,
    pub case_id: i64,
    pub position: i32,
    pub description: String,
    pub outcome: Option<String>,
}

impl TryFrom<ItemRow> for Item {
    type Error = StorageError;

    fn try_from(row: ItemRow) -> StorageResult<Self> {
        Ok(Self {
            outcome: outcome(row.outcome.as_deref(), "case_items.outcome")?,
            id: ItemId::new(row.id),
            position: row.position,
            description: row.description,
        })
    }
}

#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = case_events)]
pub(crate) struct EventRow {
    pub id: i64,
    pub case_id: i64,
    pub seq: i32,
    pub kind: String,
    pub effective_on: NaiveDate,
    pub recorded_at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub payload: String,
}

impl TryFrom<EventRow> for RecordedEvent {
    type Error = StorageError;

    fn try_from(row: EventRow) -> StorageResult<Self> {
        let event = CaseEvent::from_stored(&row.kind, &row.payload)
            .map_err(|e| StorageError::Corrupt(format!("event {} of case {}: {e}", row.seq, row.case_id)))?;
        Ok(Self {
            seq: row.seq,
            effective_on: row.effective_on,
            recorded_at: row.recorded_at,
            actor_id: row.actor_id.map(UserId::new),
            event,
        })
    }
}

fn convert<R, T: TryFrom<R, Error = StorageError>>(rows: Vec<R>) -> StorageResult<Vec<T>> {
    rows.into_iter().map(T::try_from).collect()
}

#[derive(Insertable, Debug)]
#[diesel(table_name = case_events, treat_none_as_default_value = false)]
struct NewEventRow<'a> {
    case_id: i64,
    seq: i32,
    kind: &'a str,
    effective_on: NaiveDate,
    recorded_at: NaiveDateTime,
    actor_id: Option<i64>,
    payload: &'a str,
}

/// Allocate the next number of `agency_id` in `year`. The counter row is locked until the
/// transaction ends, so concurrent intakes never get the same number.
///
/// # Errors
/// A database error.
pub fn next_number(conn: &mut DbConnection, agency_id: AgencyId, year: i32) -> StorageResult<i32> {
    use super::schema::case_counters::dsl::{agency_id as agency, case_counters, last_number, year as of_year};
    // One statement, one round trip, prepared once per connection: the first case of the year
    // creates the row at 1.
    Ok(super::per_backend!(conn, |c| diesel::insert_into(case_counters)
        .values((agency.eq(agency_id.get()), of_year.eq(year), last_number.eq(1)))
        .on_conflict((agency, of_year))
        .do_update()
        .set(last_number.eq(last_number + 1))
        .returning(last_number)
        .get_result(c))?)
}

/// Insert a case being registered (its `id` is assigned here and returned; outcome, conclusion
/// and lapse are left empty).
///
/// # Errors
/// A database error.
pub fn insert(conn: &mut DbConnection, case: &Case) -> StorageResult<CaseId> {
    let row = NewCaseRow {
        agency_id: case.agency_id.get(),
        case_number: &case.case_number,
        year: case.year,
        channel: case.channel.as_str(),
        submitted_on: case.submitted_on,
        received_on: case.received_on,
        applicant_id: case.applicant_id.get(),
        applicant_category: case.applicant_category.as_str(),
        description: &case.description,
        status: case.status.as_str(),
        due_on: case.due_on,
        paused: case.paused,
        extended: case.extended,
        version: case.version,
        created_by: case.created_by.get(),
        created_at: case.created_at,
        updated_at: case.updated_at,
        applicant_name: &case.applicant.name,
        applicant_phone: case.applicant.phone.as_deref(),
        applicant_email: case.applicant.email.as_deref(),
        applicant_address: case.applicant.address.as_deref(),
    };
    Ok(CaseId::new(insert_returning_id!(conn, cases::table, cases::id, &row)?))
}

/// Insert the items of a case in order (positions from 1).
///
/// # Errors
/// A database error.
pub fn insert_items(conn: &mut DbConnection, case_id: CaseId, items: &[String]) -> StorageResult<()> {
    for (position, description) in (1..).zip(items) {
        diesel::insert_into(case_items::table)
            .values((
                case_items::case_id.eq(case_id.get()),
                case_items::position.eq(position),
                case_items::description.eq(description),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Set the outcome of one item.
///
/// # Errors
/// A database error.
pub fn set_item_outcome(conn: &mut DbConnection, item_id: ItemId, value: Outcome) -> StorageResult<()> {
    diesel::update(case_items::table.find(item_id.get())).set(case_items::outcome.eq(value.as_str())).execute(conn)?;
    Ok(())
}

/// Append an event as the case's `event.seq`-th.
///
/// # Errors
/// A database error (a duplicate `seq` is a unique violation).
pub fn insert_event(conn: &mut DbConnection, case_id: CaseId, event: &RecordedEvent) -> StorageResult<()> {
    let payload = event.event.payload().to_string();
    let row = NewEventRow {
        case_id: case_id.get(),
        seq: event.seq,
        kind: event.event.kind(),
        effective_on: event.effective_on,
        recorded_at: event.recorded_at,
        actor_id: event.actor_id.map(UserId::get),
        payload: &payload,
    };
    insert_returning_id!(conn, case_events::table, case_events::id, &row)?;
    Ok(())
}

/// Write the projection and increment the version, only if the version is still
/// `expected_version`. Returns whether the row was updated (false: someone else changed it first).
///
/// # Errors
/// A database error.
pub fn update_versioned(
    conn: &mut DbConnection,
    id: CaseId,
    expected_version: i64,
    projection: &Projection,
    now: NaiveDateTime,
) -> StorageResult<bool> {
    let changes = ProjectionChanges::from(projection);
    let updated =
        diesel::update(cases::table.filter(cases::id.eq(id.get())).filter(cases::version.eq(expected_version)))
            .set((&changes, cases::version.eq(expected_version + 1), cases::updated_at.eq(now)))
            .execute(conn)?;
    Ok(updated == 1)
}

/// Rewrite the projection of a case without changing its version (the facts did not change, only
/// the calendar they are counted with).
///
/// # Errors
/// A database error.
pub fn set_projection(conn: &mut DbConnection, id: CaseId, projection: &Projection) -> StorageResult<()> {
    diesel::update(cases::table.find(id.get())).set(&ProjectionChanges::from(projection)).execute(conn)?;
    Ok(())
}

/// The case with `id` and the path of its agency, if any.
///
/// # Errors
/// A database error or corrupt data.
pub fn find_with_path(conn: &mut DbConnection, id: CaseId) -> StorageResult<Option<(Case, String)>> {
    let row: Option<(CaseRow, String)> = cases::table
        .inner_join(agencies::table)
        .filter(cases::id.eq(id.get()))
        .select((CaseRow::as_select(), agencies::path))
        .get_result(conn)
        .optional()?;
    row.map(|(case, path)| Ok((Case::try_from(case)?, path))).transpose()
}

/// What a case page is made of: the case, its agency's path, its applicant and its events.
pub type CasePage = (Case, String, Applicant, Vec<RecordedEvent>);

/// The case with `id`, its agency's path, its applicant and its events in order, in one query
/// (one round trip to PostgreSQL instead of two: the case's columns come once per event).
///
/// # Errors
/// A database error or corrupt data.
pub fn find_page(conn: &mut DbConnection, id: CaseId) -> StorageResult<Option<CasePage>> {
    let rows: Vec<(CaseRow, String, super::applicants::ApplicantRow, Option<EventRow>)> = cases::table
        .inner_join(agencies::table)
        .inner_join(applicants::table)
        .left_join(case_events::table)
        .filter(cases::id.eq(id.get()))
        .select((
            CaseRow::as_select(),
            agencies::path,
            super::applicants::ApplicantRow::as_select(),
            Option::<EventRow>::as_select(),
        ))
        .order(case_events::seq.asc())
        .load(conn)?;
    let mut rows = rows.into_iter();
    let Some((case, path, applicant, first)) = rows.next() else { return Ok(None) };
    let events = convert(first.into_iter().chain(rows.filter_map(|row| row.3)).collect())?;
    Ok(Some((Case::try_from(case)?, path, Applicant::try_from(applicant)?, events)))
}

/// The case with `id`.
///
/// # Errors
/// `NotFound`, a database error or corrupt data.
pub fn get(conn: &mut DbConnection, id: CaseId) -> StorageResult<Case> {
    Case::try_from(cases::table.find(id.get()).select(CaseRow::as_select()).get_result(conn)?)
}

/// The items of a case, in order.
///
/// # Errors
/// A database error or corrupt data.
pub fn items(conn: &mut DbConnection, case_id: CaseId) -> StorageResult<Vec<Item>> {
    convert(
        case_items::table
            .filter(case_items::case_id.eq(case_id.get()))
            .order(case_items::position)
            .select(ItemRow::as_select())
            .load(conn)?,
    )
}

/// The events of a case in order, after `after_seq`, at most `limit`.
///
/// # Errors
/// A database error or corrupt data.
pub fn events(
    conn: &mut DbConnection,
    case_id: CaseId,
    after_seq: i32,
    limit: i64,
) -> StorageResult<Vec<RecordedEvent>> {
    convert(
        case_events::table
            .filter(case_events::case_id.eq(case_id.get()))
            .filter(case_events::seq.gt(after_seq))
            .order(case_events::seq)
            .limit(limit)
            .select(EventRow::as_select())
            .load(conn)?,
    )
}

/// All events of a case, in order.
///
/// # Errors
/// A database error or corrupt data.
pub fn all_events(conn: &mut DbConnection, case_id: CaseId) -> StorageResult<Vec<RecordedEvent>> {
    convert(
        case_events::table
            .filter(case_events::case_id.eq(case_id.get()))
            .order(case_events::seq)
            .select(EventRow::as_select())
            .load(conn)?,
    )
}

/// The case created for an idempotency key of a user, with the hash of the request that created it.
///
/// # Errors
/// A database error.
pub fn find_idempotent(conn: &mut DbConnection, user_id: UserId, key: &str) -> StorageResult<Option<(String, CaseId)>> {
    let found: Option<(String, i64)> = idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(user_id.get()))
        .filter(idempotency_keys::key.eq(key))
        .select((idempotency_keys::request_hash, idempotency_keys::case_id))
        .get_result(conn)
        .optional()?;
    Ok(found.map(|(hash, id)| (hash, CaseId::new(id))))
}

/// Remember which case an idempotency key created.
///
/// # Errors
/// A database error (a concurrent first use of the key is a unique violation).
pub fn insert_idempotent(
    conn: &mut DbConnection,
    user_id: UserId,
    key: &str,
    request_hash: &str,
    case_id: CaseId,
    now: NaiveDateTime,
) -> StorageResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id.get()),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::case_id.eq(case_id.get()),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ids of open cases awaiting a correction or a fee whose lapse date is on or before `day`, by id
/// after `after`.
///
/// # Errors
/// A database error.
pub fn lapsed_ids(
    conn: &mut DbConnection,
    day: NaiveDate,
    after: Option<CaseId>,
    limit: i64,
) -> StorageResult<Vec<CaseId>> {
    let ids: Vec<i64> = cases::table
        .filter(cases::status.eq_any(["awaiting_correction", "awaiting_fee"]))
        .filter(cases::lapses_on.le(day))
        .filter(cases::id.gt(after.map_or(0, CaseId::get)))
        .order(cases::id)
        .limit(limit)
        .select(cases::id)
        .load(conn)?;
    Ok(ids.into_iter().map(CaseId::new).collect())
}

/// Ids of cases received in `[from, to]` (for recomputing their clocks after a calendar change).
///
/// # Errors
/// A database error.
pub fn ids_received_between(conn: &mut DbConnection, from: NaiveDate, to: NaiveDate) -> StorageResult<Vec<CaseId>> {
    let ids: Vec<i64> =
        cases::table.filter(cases::received_on.between(from, to)).order(cases::id).select(cases::id).load(conn)?;
    Ok(ids.into_iter().map(CaseId::new).collect())
}

/// Increment the version of a case (an event that changes none of its derived columns), only if
/// it is still `expected_version`. Returns whether it was updated.
///
/// # Errors
/// A database error.
pub fn touch_versioned(
    conn: &mut DbConnection,
    id: CaseId,
    expected_version: i64,
    now: NaiveDateTime,
) -> StorageResult<bool> {
    let updated =
        diesel::update(cases::table.filter(cases::id.eq(id.get())).filter(cases::version.eq(expected_version)))
            .set((cases::version.eq(expected_version + 1), cases::updated_at.eq(now)))
            .execute(conn)?;
    Ok(updated == 1)
}

/// Write the corrected facts of an intake into the case row (the clock columns follow with the
/// projection).
///
/// # Errors
/// A database error.
pub fn update_intake(
    conn: &mut DbConnection,
    id: CaseId,
    facts: &crate::domain::event::IntakeFacts,
) -> StorageResult<()> {
    use chrono::Datelike;
    diesel::update(cases::table.find(id.get()))
        .set((
            cases::received_on.eq(facts.received_on),
            cases::year.eq(facts.received_on.year()),
            cases::submitted_on.eq(facts.submitted_on),
            cases::channel.eq(facts.channel.as_str()),
            cases::agency_id.eq(facts.agency_id.get()),
            cases::applicant_name.eq(&facts.applicant_name),
            cases::applicant_phone.eq(facts.applicant_phone.as_deref()),
            cases::applicant_email.eq(facts.applicant_email.as_deref()),
            cases::applicant_address.eq(facts.applicant_address.as_deref()),
            cases::description.eq(&facts.description),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replace the items of a case (an intake correction; only while none has an outcome).
///
/// # Errors
/// A database error.
pub fn replace_items(conn: &mut DbConnection, case_id: CaseId, items: &[String]) -> StorageResult<()> {
    diesel::delete(case_items::table.filter(case_items::case_id.eq(case_id.get()))).execute(conn)?;
    insert_items(conn, case_id, items)
}

/// Clear the outcomes of a case's items (its conclusion was revoked).
///
/// # Errors
/// A database error.
pub fn clear_item_outcomes(conn: &mut DbConnection, case_id: CaseId) -> StorageResult<()> {
    diesel::update(case_items::table.filter(case_items::case_id.eq(case_id.get())))
        .set(case_items::outcome.eq(None::<String>))
        .execute(conn)?;
    Ok(())
}
