//! `/api/v1/calendar`: the national working-day calendar, viewed by everyone, replaced by
//! administrators with the notice it comes from; every change is kept.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use actix_web::{get, put, web};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{AuthUser, FreshAuthUser};
use super::error::{ApiError, ReadErrors, WriteErrors};
use super::extract::Json;
use super::AppState;
use crate::domain::calendar::YearCalendar;
use crate::domain::error::Errors;
use crate::service::calendar::{CalendarChangeRow, CalendarYearRow};
use crate::service::{calendar, ServiceError};

/// One year of the calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYearResponse {
    pub year: i32,
    /// The State Council notices the data comes from.
    pub notices: Vec<String>,
    /// Every day of the official holiday periods, weekend days included.
    pub rest_days: BTreeSet<NaiveDate>,
    /// Weekend days made working days (调休上班).
    pub work_days: BTreeSet<NaiveDate>,
    /// `shipped` (the data released with gongkai) or `api` (replaced by an administrator).
    pub source: String,
    #[serde(serialize_with = "super::rfc3339")]
    pub updated_at: NaiveDateTime,
    pub updated_by: Option<i64>,
}

/// The years with data.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYearsResponse {
    pub years: Vec<CalendarYearResponse>,
    /// Dates in other years are computed Monday–Friday and marked `provisional`.
    pub note: String,
}

/// A year's new data.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutCalendarYearRequest {
    /// The notice this change comes from, e.g. `国办发明电〔2026〕12号` (recorded with the change).
    pub notice: String,
    pub notices: Vec<String>,
    pub rest_days: BTreeSet<NaiveDate>,
    pub work_days: BTreeSet<NaiveDate>,
}

impl PutCalendarYearRequest {
    /// The notice of the change and the year's data, checked (the data's own rules are checked
    /// by the use case).
    ///
    /// # Errors
    /// Every field error at once.
    pub fn validate(self) -> Result<(String, YearCalendar), crate::domain::Violation> {
        let mut errors = Errors::default();
        let notice = errors.text("notice", &self.notice, 500);
        if self.notices.is_empty() {
            errors.add("notices", "至少列出一份放假通知");
        }
        for (i, n) in self.notices.iter().enumerate() {
            errors.text(&format!("notices[{i}]"), n, 500);
        }
        if self.rest_days.len() + self.work_days.len() > 366 {
            errors.add("rest_days", "一年至多366天");
        }
        errors.finish()?;
        Ok((notice, YearCalendar { notices: self.notices, rest_days: self.rest_days, work_days: self.work_days }))
    }
}

/// Replace a year as `actor` and put the new calendar in force on this instance (the others
/// reload it within `background.calendar_refresh_seconds`): the API and the console both do it so.
///
/// # Errors
/// What the use case refuses.
pub async fn replace_year(
    state: &AppState,
    actor: crate::service::Actor,
    year: i32,
    data: YearCalendar,
    notice: String,
) -> Result<(CalendarYearRow, YearCalendar, usize), ServiceError> {
    let snapshot = state.snapshot();
    let (row, updated, recomputed) = state
        .db
        .write(move |conn| calendar::put_year(conn, &actor, year, data, &notice, &snapshot.calendar, snapshot.now()))
        .await?;
    let data = updated.year(year).cloned().unwrap_or_default();
    state.set_calendar(updated);
    let latest = state.db.read(calendar::latest_change).await?;
    state.calendar_change.store(latest, Ordering::Relaxed);
    Ok((row, data, recomputed))
}

/// A year replaced.
#[derive(Debug, Serialize, ToSchema)]
pub struct PutCalendarYearResponse {
    #[serde(flatten)]
    pub year: CalendarYearResponse,
    /// Cases whose deadlines were recomputed with the new data.
    pub recomputed_cases: usize,
}

/// One recorded change of a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarChangeResponse {
    pub id: i64,
    pub year: i32,
    #[serde(serialize_with = "super::rfc3339")]
    pub changed_at: NaiveDateTime,
    /// `null` for the data shipped with gongkai.
    pub changed_by: Option<i64>,
    pub notice: String,
    /// The year's data before the change (`null` when it had none).
    #[schema(value_type = Option<Object>)]
    pub previous: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

fn year_response(row: CalendarYearRow, data: YearCalendar) -> CalendarYearResponse {
    CalendarYearResponse {
        year: row.year,
        notices: data.notices,
        rest_days: data.rest_days,
        work_days: data.work_days,
        source: row.source,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
    }
}

fn check_year(year: i32) -> Result<(), ApiError> {
    use crate::domain::limits::YEARS;
    if YEARS.contains(&year) {
        Ok(())
    } else {
        let message = format!("年份应在{}至{}之间", YEARS.start(), YEARS.end());
        Err(crate::domain::Violation::field("validation_failed", "year", message).into())
    }
}

/// The years with calendar data.
#[utoipa::path(tag = "calendar", responses((status = 200, description = "The years", body = CalendarYearsResponse), ReadErrors))]
#[get("/calendar")]
async fn list_years(state: web::Data<AppState>, _user: AuthUser) -> Result<web::Json<CalendarYearsResponse>, ApiError> {
    let rows = state
        .db
        .read(|conn| {
            Ok::<_, ServiceError>(
                calendar::years(conn)?.into_iter().map(|(row, data)| year_response(row, data)).collect::<Vec<_>>(),
            )
        })
        .await?;
    Ok(web::Json(CalendarYearsResponse {
        years: rows,
        note: "没有日历数据的年份按周一至周五为工作日计算，结果标为暂定（provisional）".into(),
    }))
}

/// One year of the calendar.
#[utoipa::path(tag = "calendar", params(("year" = i32, Path, description = "The year")),
    responses((status = 200, description = "The year", body = CalendarYearResponse), ReadErrors))]
#[get("/calendar/{year}")]
async fn get_year(
    state: web::Data<AppState>,
    _user: AuthUser,
    year: web::Path<i32>,
) -> Result<web::Json<CalendarYearResponse>, ApiError> {
    let year = year.into_inner();
    check_year(year)?;
    let (row, data) = state.db.read(move |conn| calendar::get_year(conn, year)).await?;
    Ok(web::Json(year_response(row, data)))
}

/// Replace (or add) a year (administrators not bound to an agency). The change is recorded with
/// its notice, and the deadlines of the cases it may affect are recomputed.
#[utoipa::path(tag = "calendar", request_body = PutCalendarYearRequest, params(("year" = i32, Path, description = "The year")),
    responses((status = 200, description = "The new data", body = PutCalendarYearResponse), WriteErrors))]
#[put("/calendar/{year}")]
async fn put_year(
    state: web::Data<AppState>,
    user: FreshAuthUser,
    year: web::Path<i32>,
    body: Json<PutCalendarYearRequest>,
) -> Result<web::Json<PutCalendarYearResponse>, ApiError> {
    let year = year.into_inner();
    check_year(year)?;
    let (notice, data) = body.0.validate()?;
    let (row, data, recomputed) = replace_year(&state, user.0 .0, year, data, notice).await?;
    Ok(web::Json(PutCalendarYearResponse { year: year_response(row, data), recomputed_cases: recomputed }))
}

/// The recorded changes of a year, oldest first.
#[utoipa::path(tag = "calendar", params(("year" = i32, Path, description = "The year")),
    responses((status = 200, description = "The changes", body = Vec<CalendarChangeResponse>), ReadErrors))]
#[get("/calendar/{year}/changes")]
async fn year_changes(
    state: web::Data<AppState>,
    _user: AuthUser,
    year: web::Path<i32>,
) -> Result<web::Json<Vec<CalendarChangeResponse>>, ApiError> {
    let year = year.into_inner();
    check_year(year)?;
    let rows = state.db.read(move |conn| calendar::changes(conn, year)).await?;
    let to_value = |text: &str| serde_json::from_str::<serde_json::Value>(text).map_err(ApiError::internal);
    let changes = rows
        .into_iter()
        .map(|row: CalendarChangeRow| {
            Ok(CalendarChangeResponse {
                previous: row.previous.as_deref().map(to_value).transpose()?,
                data: to_value(&row.data)?,
                id: row.id,
                year: row.year,
                changed_at: row.changed_at,
                changed_by: row.changed_by,
                notice: row.notice,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(web::Json(changes))
}
