//! Request extractors: JSON bodies and query strings with field paths and Chinese messages in their
//! errors ([`super::messages`]), and the `If-Match` version.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::messages;
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
                _ => {
                    tracing::debug!(error = %e, "request body unreadable");
                    ApiError::bad_request("unreadable_body", "无法读取请求正文（连接中断或传输编码有误）")
                }
            })?;
            parse_json(&bytes).map(Json)
        })
    }
}

/// Parse a JSON document into `T`, with the path of the failing field.
///
/// # Errors
/// 400 `malformed_json` for syntax errors, 422 `validation_failed` for data errors; both in Chinese,
/// a data error naming the field and, for a date, the expected format.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if has_nul_escape(bytes) {
        return Err(nul_violation(bytes));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = result.map_err(|e| {
        let segments: Vec<Segment> = e.path().iter().map(Segment::of).collect();
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let raw = clean_serde_message(&inner.to_string());
                let mut field = if path == "." { String::new() } else { path };
                // serde names a missing field in its message, at the path of the enclosing object.
                if let Some(name) = raw.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
                    field = if field.is_empty() { name.to_string() } else { format!("{field}.{name}") };
                }
                let given = value_at(bytes, &segments);
                let message = messages::value_error(&raw, given.as_deref());
                field_violation(field, message)
            }
            _ => ApiError::bad_request("malformed_json", messages::json_syntax_error(&inner, bytes)),
        }
    })?;
    deserializer.end().map_err(|e| ApiError::bad_request("malformed_json", messages::json_syntax_error(&e, bytes)))?;
    Ok(value)
}

/// A 422 `validation_failed` for one field (the whole body when `field` is empty).
fn field_violation(field: String, message: String) -> ApiError {
    let detail = if field.is_empty() { message.clone() } else { format!("{field}：{message}") };
    ApiError::Invalid(Violation { code: "validation_failed", detail, errors: vec![FieldError::new(field, message)] })
}

/// One step of a field path, owned (serde_path_to_error's borrow the error).
enum Segment {
    Index(usize),
    Key(String),
    Other,
}

impl Segment {
    fn of(segment: &serde_path_to_error::Segment) -> Self {
        match segment {
            serde_path_to_error::Segment::Seq { index } => Self::Index(*index),
            serde_path_to_error::Segment::Map { key } => Self::Key(key.clone()),
            _ => Self::Other,
        }
    }
}

/// The text of the string (or the number) at `path` in a syntactically valid JSON document, to
/// quote it in the message: "“2026/10/09”不是有效的日期".
fn value_at(bytes: &[u8], path: &[Segment]) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    for segment in path {
        value = match segment {
            Segment::Index(i) => value.get_mut(*i)?.take(),
            Segment::Key(k) => value.get_mut(k.as_str())?.take(),
            Segment::Other => return None,
        };
    }
    match value {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
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

/// A query string. A parameter that does not parse is 400 `invalid_query` naming the parameter,
/// in Chinese (actix's `web::Query` says neither which parameter nor, for numbers, what is wrong).
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parsed parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

/// Parse a query string into `T`.
///
/// # Errors
/// 400 `invalid_query` naming the parameter, with a Chinese message.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let raw = e.into_inner().to_string();
        let missing = raw.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')).map(str::to_owned);
        let name = missing.clone().unwrap_or(if path == "." { String::new() } else { path });
        let given = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| *k == name).map(|(_, v)| v.into_owned());
        let message = match missing {
            Some(_) => "缺少必填的查询参数".to_owned(),
            None => messages::value_error(&raw, given.as_deref()),
        };
        let detail = if name.is_empty() {
            format!("查询参数无效：{message}")
        } else {
            format!("查询参数 {name}：{message}")
        };
        ApiError::BadRequest { code: "invalid_query", detail, errors: vec![FieldError::new(name, message)] }
    })
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
        .map_err(|_| ApiError::bad_request("invalid_if_match", "If-Match 应为案件的版本号，例如 \"3\""))
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
            format!("请求正文中的版本号为{b}，而 If-Match 为{h}，两者不一致"),
        )
        .into()),
        (h, b) => Ok(h.or(b)),
    }
}
