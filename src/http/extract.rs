//! Request extractors: JSON bodies with field paths in their errors, and the `If-Match` version.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::domain::{FieldError, Violation};

/// The largest accepted request body, in bytes (registered as app data beside `PayloadConfig`).
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

/// How long reading a request's body may take (registered as app data).
#[derive(Clone, Copy, Debug)]
pub struct BodyTimeout(pub std::time::Duration);

/// The default of `server.body_read_timeout_ms`.
pub const DEFAULT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// actix-web's own default.
pub const DEFAULT_BODY_LIMIT: usize = 262_144;

/// A JSON body. Syntax errors are 400; well-formed JSON with a wrong or missing field is 422
/// naming the field's path (`applicant.category`).
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().map_or(DEFAULT_BODY_LIMIT, |l| l.0);
        let timeout = req.app_data::<BodyTimeout>().map_or(DEFAULT_BODY_TIMEOUT, |t| t.0);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            // A body trickled in byte by byte would hold the request (and its worker's memory)
            // for as long as the client likes.
            let bytes = actix_web::rt::time::timeout(timeout, bytes).await.map_err(|_| ApiError::BodyTimeout)?;
            let bytes = bytes.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => ApiError::PayloadTooLarge { limit },
                _ => ApiError::bad_request("unreadable_body", format!("the request body could not be read: {e}")),
            })?;
            parse_json(&bytes).map(Json)
        })
    }
}

/// Parse a JSON document into `T`, with the path of the failing field.
///
/// # Errors
/// 400 `malformed_json` for syntax errors, 422 `validation_failed` for data errors.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if has_nul_escape(bytes) {
        return Err(nul_violation(bytes));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = result.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = clean_serde_message(&inner.to_string());
                let mut field = if path == "." { String::new() } else { path };
                // serde names a missing field in its message, at the path of the enclosing object.
                if let Some(name) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
                    field = if field.is_empty() { name.to_string() } else { format!("{field}.{name}") };
                }
                let detail = if field.is_empty() { message.clone() } else { format!("{field}: {message}") };
                ApiError::Invalid(Violation {
                    code: "validation_failed",
                    detail,
                    errors: vec![FieldError::new(field, message)],
                })
            }
            _ => ApiError::bad_request("malformed_json", format!("the request body is not valid JSON: {inner}")),
        }
    })?;
    deserializer.end().map_err(|e| {
        ApiError::bad_request("malformed_json", format!("trailing characters after the JSON value: {e}"))
    })?;
    Ok(value)
}

/// Whether the JSON text holds a `\u0000` escape (a NUL character in a string). JSON allows
/// escapes only inside strings, so any unescaped backslash followed by `u0000` is one; a raw NUL
/// byte is not valid JSON at all and fails to parse.
fn has_nul_escape(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes.get(i + 1) == Some(&b'u') && bytes.get(i + 2..i + 6) == Some(b"0000") {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// 422 naming the field whose text holds a NUL character (no text of this service may: PostgreSQL
/// cannot store one and refuses the whole statement).
fn nul_violation(bytes: &[u8]) -> ApiError {
    fn find(value: &serde_json::Value, path: &str) -> Option<String> {
        match value {
            serde_json::Value::String(s) => s.contains('\0').then(|| path.to_string()),
            serde_json::Value::Array(items) => {
                items.iter().enumerate().find_map(|(i, v)| find(v, &format!("{path}[{i}]")))
            }
            serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
                let here =
                    if path.is_empty() { k.replace('\0', "") } else { format!("{path}.{}", k.replace('\0', "")) };
                if k.contains('\0') {
                    Some(here)
                } else {
                    find(v, &here)
                }
            }),
            _ => None,
        }
    }
    let field = serde_json::from_slice::<serde_json::Value>(bytes).ok().and_then(|v| find(&v, "")).unwrap_or_default();
    ApiError::Invalid(Violation::field("validation_failed", &field, "不能含有空字符（NUL，U+0000）"))
}

/// serde's messages end with " at line 1 column 42"; the field path says more.
fn clean_serde_message(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The version a writer expects, from `If-Match` (`"3"`, `3` or `W/"3"`).
///
/// # Errors
/// 400 when the header is not a version number.
pub fn if_match_version(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(actix_web::http::header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::bad_request("invalid_if_match", "If-Match must be the case's version, e.g. \"3\""))
}

/// The expected version from `If-Match` or the body's `version`; both given and different is an error.
///
/// # Errors
/// 400 for a malformed header, 422 when the two disagree.
pub fn expected_version(req: &HttpRequest, body_version: Option<i64>) -> Result<Option<i64>, ApiError> {
    let header = if_match_version(req)?;
    match (header, body_version) {
        (Some(h), Some(b)) if h != b => Err(Violation::field(
            "version_mismatch",
            "version",
            format!("the body says version {b} but If-Match says {h}"),
        )
        .into()),
        (h, b) => Ok(h.or(b)),
    }
}
