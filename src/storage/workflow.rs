//! Who handles a case and where (the handling columns of `cases`), and supervisors' chases.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{agencies, cases, chases, users};
use super::{insert_returning_id, key, DbBackend, DbConnection, StorageError, StorageResult};
use crate::domain::ids::{AgencyId, CaseId, UserId};
use crate::domain::lifecycle::StepKind;
use crate::domain::workflow::{Chase, Handling, Person, Unit};
use crate::domain::Role;

/// Write the handling columns of a case (its version is bumped with the event).
///
/// # Errors
/// A database error.
pub fn set_handling(conn: &mut DbConnection, id: CaseId, handling: &Handling) -> StorageResult<()> {
    diesel::update(cases::table.find(id.get()))
        .set((
            cases::unit_id.eq(handling.unit_id.map(AgencyId::get)),
            cases::handler_id.eq(handling.handler_id.map(UserId::get)),
            cases::routed_to.eq(handling.routed_to.map(AgencyId::get)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The agencies with these ids (those that exist), as the workflow rules need them.
///
/// # Errors
/// A database error.
pub fn units(conn: &mut DbConnection, ids: &[AgencyId]) -> StorageResult<Vec<Unit>> {
    let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    let rows: Vec<(i64, String, String)> = agencies::table
        .filter(agencies::id.eq_any(ids))
        .select((agencies::id, agencies::name, agencies::path))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, name, path)| Unit { id: AgencyId::new(id), name, path }).collect())
}

/// The agencies under `path` (itself included), in path order, as units a case may go to.
///
/// # Errors
/// A database error.
pub fn units_under(conn: &mut DbConnection, path: &str) -> StorageResult<Vec<Unit>> {
    let rows: Vec<(i64, String, String)> = agencies::table
        .filter(agencies::path.like(format!("{path}%")))
        .order(agencies::path)
        .select((agencies::id, agencies::name, agencies::path))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, name, path)| Unit { id: AgencyId::new(id), name, path }).collect())
}

type PersonRow = (i64, String, String, Option<i64>, bool);

fn person(row: PersonRow) -> StorageResult<Person> {
    let (id, name, role, agency_id, active) = row;
    Ok(Person {
        id: UserId::new(id),
        name,
        role: key(&role, Role::parse, "users.role")?,
        agency_id: agency_id.map(AgencyId::new),
        active,
    })
}

/// The people with these ids (those that exist).
///
/// # Errors
/// A database error or corrupt data.
pub fn people(conn: &mut DbConnection, ids: &[UserId]) -> StorageResult<Vec<Person>> {
    let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    let rows: Vec<PersonRow> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name, users::role, users::agency_id, users::active))
        .load(conn)?;
    rows.into_iter().map(person).collect()
}

/// The active officers and supervisors of a unit, by name: who may handle its cases.
///
/// # Errors
/// A database error or corrupt data.
pub fn handlers_of(conn: &mut DbConnection, unit: AgencyId) -> StorageResult<Vec<Person>> {
    let rows: Vec<PersonRow> = users::table
        .filter(users::agency_id.eq(unit.get()))
        .filter(users::active.eq(true))
        .filter(users::role.eq_any([Role::Officer.as_str(), Role::Supervisor.as_str()]))
        .order((users::name, users::id))
        .select((users::id, users::name, users::role, users::agency_id, users::active))
        .load(conn)?;
    rows.into_iter().map(person).collect()
}

/// The cases a caller with `scope` sees only because they are handled in, or routed to, a unit
/// of the scope while received above it (a department sees what the office routed to it).
///
/// # Errors
/// A database error.
pub fn routed_in(conn: &mut DbConnection, scope: &str) -> StorageResult<Vec<CaseId>> {
    let under = || agencies::table.filter(agencies::path.like(format!("{scope}%"))).select(agencies::id.nullable());
    let ids: Vec<i64> = cases::table
        .filter(cases::unit_id.eq_any(under()).or(cases::routed_to.eq_any(under())))
        .filter(cases::agency_id.ne_all(super::cases::agencies_under(scope)))
        .select(cases::id)
        .load(conn)?;
    Ok(ids.into_iter().map(CaseId::new).collect())
}

/// The open cases a handler holds, oldest first.
///
/// # Errors
/// A database error.
pub fn open_cases_of(conn: &mut DbConnection, handler: UserId) -> StorageResult<Vec<CaseId>> {
    let ids: Vec<i64> = cases::table
        .filter(cases::handler_id.eq(handler.get()))
        .filter(cases::status.eq_any(super::cases::OPEN_STATUSES))
        .order((cases::received_on, cases::id))
        .select(cases::id)
        .load(conn)?;
    Ok(ids.into_iter().map(CaseId::new).collect())
}

// ------------------------------------------------------------------ chases

#[derive(Queryable, Selectable)]
#[diesel(table_name = chases)]
struct ChaseRow {
    id: i64,
    case_id: i64,
    matter: String,
    due_on: NaiveDate,
    step: Option<String>,
    recorded_on: NaiveDate,
    recorded_by: i64,
    closed_on: Option<NaiveDate>,
    closed_by: Option<i64>,
    close_note: Option<String>,
    closed_by_seq: Option<i32>,
}

impl TryFrom<ChaseRow> for Chase {
    type Error = StorageError;

    fn try_from(row: ChaseRow) -> StorageResult<Self> {
        Ok(Self {
            id: row.id,
            case_id: CaseId::new(row.case_id),
            matter: row.matter,
            due_on: row.due_on,
            step: row.step.as_deref().map(|s| key(s, StepKind::parse, "chases.step")).transpose()?,
            recorded_on: row.recorded_on,
            recorded_by: UserId::new(row.recorded_by),
            closed_on: row.closed_on,
            closed_by: row.closed_by.map(UserId::new),
            close_note: row.close_note,
            closed_by_seq: row.closed_by_seq,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = chases)]
struct NewChaseRow<'a> {
    case_id: i64,
    agency_id: i64,
    matter: &'a str,
    due_on: NaiveDate,
    step: Option<&'a str>,
    recorded_on: NaiveDate,
    recorded_by: i64,
    recorded_at: NaiveDateTime,
}

/// A chase to record.
#[derive(Clone, Debug)]
pub struct NewChase<'a> {
    pub case_id: CaseId,
    pub agency_id: AgencyId,
    pub matter: &'a str,
    pub due_on: NaiveDate,
    pub step: Option<StepKind>,
    pub recorded_on: NaiveDate,
    pub recorded_by: UserId,
    pub recorded_at: NaiveDateTime,
}

/// Record a chase; returns its id.
///
/// # Errors
/// A database error.
pub fn insert_chase(conn: &mut DbConnection, chase: &NewChase<'_>) -> StorageResult<i64> {
    let row = NewChaseRow {
        case_id: chase.case_id.get(),
        agency_id: chase.agency_id.get(),
        matter: chase.matter,
        due_on: chase.due_on,
        step: chase.step.map(StepKind::as_str),
        recorded_on: chase.recorded_on,
        recorded_by: chase.recorded_by.get(),
        recorded_at: chase.recorded_at,
    };
    Ok(insert_returning_id!(conn, chases::table, chases::id, &row)?)
}

/// The chases of a case, in the order recorded.
///
/// # Errors
/// A database error or corrupt data.
pub fn chases_of(conn: &mut DbConnection, case_id: CaseId) -> StorageResult<Vec<Chase>> {
    let rows: Vec<ChaseRow> = chases::table
        .filter(chases::case_id.eq(case_id.get()))
        .order(chases::id)
        .select(ChaseRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Chase::try_from).collect()
}

/// How a chase was closed.
#[derive(Clone, Debug)]
pub struct Closing<'a> {
    pub on: NaiveDate,
    pub by: Option<UserId>,
    pub note: Option<&'a str>,
    pub seq: i32,
}

/// Close open chases; returns how many were still open (a closed one is left as it is).
///
/// # Errors
/// A database error.
pub fn close_chases(conn: &mut DbConnection, ids: &[i64], closing: &Closing<'_>) -> StorageResult<usize> {
    Ok(diesel::update(chases::table.filter(chases::id.eq_any(ids)).filter(chases::closed_on.is_null()))
        .set((
            chases::closed_on.eq(closing.on),
            chases::closed_by.eq(closing.by.map(UserId::get)),
            chases::close_note.eq(closing.note),
            chases::closed_by_seq.eq(closing.seq),
        ))
        .execute(conn)?)
}

/// An open chase with what a supervisor's list shows of its case.
#[derive(Clone, Debug)]
pub struct OpenChase {
    pub chase: Chase,
    pub case_number: String,
    pub agency_id: AgencyId,
    pub handling: Handling,
    pub case_due_on: Option<NaiveDate>,
}

type OpenChaseRow = (ChaseRow, String, i64, Option<i64>, Option<i64>, Option<i64>, Option<NaiveDate>);

/// The open chases a reminder digest lists: a handler's cases', or a supervisor's agency's,
/// earliest due first, with the case number.
///
/// # Errors
/// A database error or corrupt data.
pub fn open_chases_for(
    conn: &mut DbConnection,
    recipient: super::deadlines::Recipient,
    limit: i64,
) -> StorageResult<Vec<(Chase, String)>> {
    use super::deadlines::Recipient;
    let mut query = chases::table
        .inner_join(cases::table.on(cases::id.eq(chases::case_id)))
        .filter(chases::closed_on.is_null())
        .order((chases::due_on, chases::id))
        .limit(limit)
        .select((ChaseRow::as_select(), cases::case_number))
        .into_boxed::<DbBackend>();
    query = match recipient {
        Recipient::Handler { user_id, .. } => query.filter(cases::handler_id.eq(user_id.get())),
        Recipient::Supervisor { agency } => query.filter(chases::agency_id.eq(agency.get())),
    };
    let rows: Vec<(ChaseRow, String)> = query.load(conn)?;
    rows.into_iter().map(|(chase, number)| Ok((Chase::try_from(chase)?, number))).collect()
}

/// The open chases of the cases received under `scope` (`None`: everywhere), earliest due first,
/// at most `limit`.
///
/// # Errors
/// A database error or corrupt data.
pub fn open_chases(conn: &mut DbConnection, scope: Option<&str>, limit: i64) -> StorageResult<Vec<OpenChase>> {
    let mut query = chases::table
        .inner_join(cases::table.on(cases::id.eq(chases::case_id)))
        .filter(chases::closed_on.is_null())
        .order((chases::due_on, chases::id))
        .limit(limit)
        .select((
            ChaseRow::as_select(),
            cases::case_number,
            cases::agency_id,
            cases::unit_id,
            cases::handler_id,
            cases::routed_to,
            cases::due_on,
        ))
        .into_boxed::<DbBackend>();
    if let Some(scope) = scope {
        query = query.filter(chases::agency_id.eq_any(super::cases::agencies_under(scope)));
    }
    let rows: Vec<OpenChaseRow> = query.load(conn)?;
    rows.into_iter()
        .map(|(chase, case_number, agency_id, unit_id, handler_id, routed_to, case_due_on)| {
            Ok(OpenChase {
                chase: Chase::try_from(chase)?,
                case_number,
                agency_id: AgencyId::new(agency_id),
                handling: super::cases::handling(unit_id, handler_id, routed_to),
                case_due_on,
            })
        })
        .collect()
}
