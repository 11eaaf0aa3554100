//! The working-day calendar: shipped data loaded into the database, viewed and replaced by
//! administrators, every change recorded.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};

use super::cases::steps::recompute_clocks;
use super::{Actor, Now, ServiceError, ServiceResult};
use crate::domain::calendar::{Calendar, YearCalendar};
use crate::domain::Violation;
use crate::storage::calendar as store;
pub use crate::storage::calendar::{CalendarChangeRow, CalendarYearRow};
use crate::storage::DbConnection;

fn to_json<T: serde::Serialize>(value: &T) -> ServiceResult<String> {
    serde_json::to_string(value).map_err(|e| ServiceError::corrupt(e.to_string()))
}

fn to_row(
    year: i32,
    data: &YearCalendar,
    source: &str,
    at: NaiveDateTime,
    by: Option<i64>,
) -> ServiceResult<CalendarYearRow> {
    Ok(CalendarYearRow {
        year,
        notices: to_json(&data.notices)?,
        rest_days: to_json(&data.rest_days)?,
        work_days: to_json(&data.work_days)?,
        source: source.to_string(),
        updated_at: at,
        updated_by: by,
    })
}

/// Every stored year with its validated data.
///
/// # Errors
/// A database error or corrupt data.
pub fn years(conn: &mut DbConnection) -> ServiceResult<Vec<(CalendarYearRow, YearCalendar)>> {
    store::all(conn)?.into_iter().map(|row| year_of(&row).map(|data| (row, data))).collect()
}

/// The id of the latest calendar change (0 when none): instances reload when it moves.
///
/// # Errors
/// A database error.
pub fn latest_change(conn: &mut DbConnection) -> ServiceResult<i64> {
    Ok(store::latest_change(conn)?)
}

/// The stored data of a year as a validated [`YearCalendar`].
///
/// # Errors
/// Stored JSON that does not parse or validate (corrupt data).
pub fn year_of(row: &CalendarYearRow) -> ServiceResult<YearCalendar> {
    let parse_dates = |text: &str| -> ServiceResult<BTreeSet<NaiveDate>> {
        serde_json::from_str(text).map_err(|e| ServiceError::corrupt(format!("calendar {}: {e}", row.year)))
    };
    let data = YearCalendar {
        notices: serde_json::from_str(&row.notices).map_err(|e| ServiceError::corrupt(e.to_string()))?,
        rest_days: parse_dates(&row.rest_days)?,
        work_days: parse_dates(&row.work_days)?,
    };
    data.validate(row.year).map_err(|e| ServiceError::corrupt(e.to_string()))?;
    Ok(data)
}

/// Store every shipped year the database does not have yet (an administrator's replacement is
/// never overwritten by a newer release).
///
/// # Errors
/// A database error.
pub fn seed(conn: &mut DbConnection, shipped: &Calendar, at: NaiveDateTime) -> ServiceResult<usize> {
    let mut added = 0;
    for year in shipped.years() {
        if store::find(conn, year)?.is_some() {
            continue;
        }
        let Some(data) = shipped.year(year) else { continue };
        let row = to_row(year, data, "shipped", at, None)?;
        store::put(conn, &row)?;
        let notice = data.notices.join("；");
        store::insert_change(conn, year, at, None, &format!("随系统提供：{notice}"), None, &row_json(&row))?;
        added += 1;
    }
    Ok(added)
}

fn row_json(row: &CalendarYearRow) -> String {
    format!("{{\"notices\":{},\"rest_days\":{},\"work_days\":{}}}", row.notices, row.rest_days, row.work_days)
}

/// The calendar stored in the database.
///
/// # Errors
/// A database error or corrupt data.
pub fn load(conn: &mut DbConnection) -> ServiceResult<(Calendar, i64)> {
    let rows = store::all(conn)?;
    let mut years = Vec::with_capacity(rows.len());
    for row in &rows {
        years.push((row.year, year_of(row)?));
    }
    Ok((Calendar::from_years(years), store::latest_change(conn)?))
}

/// One stored year.
///
/// # Errors
/// 404 when the year has no data.
pub fn get_year(conn: &mut DbConnection, year: i32) -> ServiceResult<(CalendarYearRow, YearCalendar)> {
    let row = store::find(conn, year)?
        .ok_or(ServiceError::NotFound { what: "calendar year", code: "calendar_year_not_found" })?;
    let data = year_of(&row)?;
    Ok((row, data))
}

/// The recorded changes of a year.
///
/// # Errors
/// A database error.
pub fn changes(conn: &mut DbConnection, year: i32) -> ServiceResult<Vec<CalendarChangeRow>> {
    Ok(store::changes(conn, year)?)
}

/// Replace (or add) a year as an administrator, naming the notice it comes from; the clocks of the
/// cases whose periods may touch that year are recomputed with the new data.
///
/// # Errors
/// 403 for non-admins, 422 for invalid data.
pub fn put_year(
    conn: &mut DbConnection,
    actor: &Actor,
    year: i32,
    data: YearCalendar,
    notice: &str,
    calendar: &Calendar,
    now: Now<'_>,
) -> ServiceResult<(CalendarYearRow, Calendar, usize)> {
    let actor = &super::auth::current(conn, actor)?;
    actor.require(actor.role.can_administer() && actor.scope.is_none(), "替换全国工作日历")?;
    data.validate(year).map_err(|e| Violation::field("invalid_calendar", "rest_days", e.to_string()))?;
    let previous = store::find(conn, year)?;
    let row = to_row(year, &data, "api", now.at, Some(actor.user_id.get()))?;
    store::put(conn, &row)?;
    store::insert_change(
        conn,
        year,
        now.at,
        Some(actor.user_id.get()),
        notice,
        previous.as_ref().map(row_json).as_deref(),
        &row_json(&row),
    )?;
    let mut updated = calendar.clone();
    updated.set_year(year, data).map_err(|e| Violation::field("invalid_calendar", "rest_days", e.to_string()))?;
    // A period of at most 40 working days plus pauses starts at most a few months before the
    // year; cases received from the previous year on may count days in it.
    let from = NaiveDate::from_ymd_opt(year - 1, 1, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let recomputed = recompute_clocks(conn, from, to, Now { calendar: &updated, ..now })?;
    Ok((row, updated, recomputed))
}
