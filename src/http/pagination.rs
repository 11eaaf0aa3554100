//! Cursor pagination: `limit` and an opaque `cursor`, answered with `{"items", "next_cursor"}`.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;
use crate::domain::ids::CaseId;
use crate::domain::{limits, Violation};

/// Largest page a list returns.
pub const MAX_LIMIT: i64 = 200;
/// Page size when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;

/// Paging parameters of every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    /// The validated page size.
    ///
    /// # Errors
    /// 422 when `limit` is outside 1–200.
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
            Some(_) => Err(Violation::field("validation_failed", "limit", format!("应在1至{MAX_LIMIT}之间")).into()),
        }
    }

    /// The (date, id) a cursor of [`cursor_for_case`] points past, if any.
    ///
    /// # Errors
    /// 422 for a cursor this service did not issue.
    pub fn cursor_received(&self) -> Result<Option<(chrono::NaiveDate, CaseId)>, ApiError> {
        let Some(cursor) = &self.cursor else { return Ok(None) };
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| {
                let (date, id) = text.strip_prefix("r:")?.split_once(':')?;
                let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
                // A cursor this service issued carries a date in the accepted range.
                (date >= limits::EARLIEST_DATE).then_some(())?;
                Some((date, CaseId::new(id.parse::<i64>().ok()?)))
            })
            .map(Some)
            .ok_or_else(|| Violation::field("invalid_cursor", "cursor", "不是上一页返回的游标").into())
    }

    /// The id the cursor points past, if any.
    ///
    /// # Errors
    /// 422 for a cursor this service did not issue.
    pub fn cursor_id(&self) -> Result<Option<i64>, ApiError> {
        let Some(cursor) = &self.cursor else { return Ok(None) };
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.strip_prefix("id:").and_then(|n| n.parse::<i64>().ok()))
            .map(Some)
            .ok_or_else(|| Violation::field("invalid_cursor", "cursor", "不是上一页返回的游标").into())
    }
}

/// Encode the cursor pointing past `id`.
pub fn cursor_for(id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

/// Encode the cursor of a list ordered by a date, then id, newest first: a case list by the
/// receipt date, a report cell's cases by the date that puts them in the cell.
pub fn cursor_for_case(received_on: chrono::NaiveDate, id: CaseId) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("r:{received_on}:{id}"))
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page from `limit + 1` fetched rows: the extra row only tells that another page exists.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        limit: i64,
        cursor_of: impl Fn(&R) -> String,
        map: impl FnMut(R) -> T,
    ) -> Self {
        let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_cursor = if more { rows.last().map(cursor_of) } else { None };
        Self { items: rows.into_iter().map(map).collect(), next_cursor }
    }
}
