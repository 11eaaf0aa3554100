//! problem+json errors (RFC 9457) with stable English codes and Chinese titles and details.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

use crate::domain::{FieldError, Violation};
use crate::service::ServiceError;
use crate::service::StorageError;

/// An error response (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    #[schema(example = "https://gongkai.example/problems/validation_failed")]
    pub problem_type: String,
    /// A short summary of the problem type, in Chinese (one per status).
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong in this instance, for a person (in Chinese).
    pub detail: String,
    /// A stable snake_case code for programs.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// The fields concerned, with their paths in the request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Every way a request fails, mapped to its status explicitly.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String, errors: Vec<FieldError> },
    #[error("authentication required")]
    Unauthorized { detail: &'static str },
    #[error("{0}")]
    Forbidden(String),
    #[error("{what} not found")]
    NotFound { what: &'static str, code: &'static str },
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error(transparent)]
    Invalid(Violation),
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    /// A body over a limit of its own (a document over `files.max_bytes`).
    #[error("{detail}")]
    TooLarge { code: &'static str, detail: String },
    #[error("too many failed authentications")]
    TooManyRequests { retry_after_secs: u64 },
    /// A per-address limit of the public portal (submissions, status look-ups).
    #[error("{detail}")]
    RateLimited { code: &'static str, detail: String, retry_after_secs: u64 },
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("service unavailable")]
    Unavailable,
    #[error("request body too slow")]
    BodyTimeout,
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
}

/// 422 for a text search whose cost bound was reached (see `storage::search`).
fn search_too_broad() -> Violation {
    Violation::field(
        "search_too_broad",
        "q",
        format!(
            "检索词过短或过于常见，在 {} 件案件内未能凑满一页：请使用至少 {} 个字符的检索词，或以机关、状态、收到日期缩小范围",
            crate::service::search::WINDOW,
            crate::service::search::INDEXED_CHARS
        ),
    )
}

/// Seconds a client is asked to wait (`Retry-After`) while the database is unreachable.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// Whether a database error means the database cannot be reached or written at all (rather than
/// that this request is wrong): the server is gone or restarting, the connection was lost, the
/// SQLite file or its directory is not writable or readable. Answered 503, like a pool timeout.
pub fn is_unreachable(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error as E};
    match error {
        E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _) | E::BrokenTransactionManager => true,
        E::DatabaseError(_, info) => {
            let message = info.message();
            // PostgreSQL: the server shutting down or restarting, connections terminated.
            message.contains("terminating connection")
                || message.contains("server closed the connection")
                || message.contains("the database system is")
                || message.contains("no connection to the server")
                // SQLite: the file (or its -wal/-shm) cannot be written or read.
                || message.contains("readonly database")
                || message.contains("disk I/O error")
                || message.contains("unable to open database")
                || message.contains("database or disk is full")
        }
        _ => false,
    }
}

impl ApiError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest { code, detail: detail.into(), errors: Vec::new() }
    }

    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    /// A stored value that should have been valid was not.
    pub fn corrupt(what: &str) -> Self {
        Self::Internal(format!("stored value is not valid: {what}").into())
    }

    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::NotFound { code, .. }
            | Self::Conflict { code, .. }
            | Self::RateLimited { code, .. }
            | Self::TooLarge { code, .. } => code,
            Self::Invalid(v) => v.code,
            Self::Unauthorized { .. } => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::TooManyRequests { .. } => "too_many_failed_authentications",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Internal(_) => "internal_error",
            Self::Unavailable => "service_unavailable",
            Self::BodyTimeout => "body_timeout",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::Unauthorized { detail } => (*detail).to_string(),
            Self::Forbidden(detail) => detail.clone(),
            Self::NotFound { code: "route_not_found", .. } => "没有这个接口，请查看 /docs 中的接口文档".to_string(),
            Self::NotFound { what, code } => format!("{}不存在，或您无权查看", not_found_subject(code, what)),
            Self::PayloadTooLarge { limit } => format!("请求正文超过了{limit}字节的上限"),
            Self::TooManyRequests { retry_after_secs } => {
                format!("本地址的认证失败次数过多，请在{retry_after_secs}秒后重试")
            }
            Self::MethodNotAllowed => "此接口不支持该请求方法".to_string(),
            Self::Internal(_) => "服务器处理请求时出错，已记入日志".to_string(),
            Self::Unavailable => format!("数据库暂时无法访问，请在 {UNAVAILABLE_RETRY_AFTER_SECS} 秒后重试"),
            Self::BodyTimeout => "请求体发送过慢，连接已超时".to_string(),
            Self::UnsupportedMediaType(detail) => detail.clone(),
            other => other.to_string(),
        }
    }
}

/// The title of a problem: what its status means, in Chinese.
pub fn title_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求格式有误",
        401 => "未通过身份认证",
        403 => "无权执行此操作",
        404 => "未找到",
        405 => "不支持的请求方法",
        408 => "请求超时",
        409 => "与当前状态冲突",
        413 => "请求正文过大",
        415 => "不支持的文件类型",
        422 => "请求不符合规则",
        429 => "请求过于频繁",
        500 => "服务器内部错误",
        503 => "服务暂不可用",
        s if s < 500 => "请求有误",
        _ => "服务器错误",
    }
}

/// What was not found, in Chinese, by the stable code (the `what` of the services is English, for
/// the logs); `what` itself when it is Chinese already, else a general word.
fn not_found_subject<'a>(code: &str, what: &'a str) -> &'a str {
    match code {
        "case_not_found" => "案件",
        "agency_not_found" => "机关",
        "user_not_found" => "用户",
        "appeal_not_found" => "行政复议或行政诉讼记录",
        "consultation_not_found" => "征求意见记录",
        "calendar_year_not_found" => "该年度的工作日历",
        "report_not_sealed" => "该年度已封存的报告",
        "section_two_not_found" => "该年度第二部分（主动公开）数据",
        "report_text_not_found" => "该年度报告的文字部分（或所请求的版本）",
        "letter_not_found" => "文书",
        "chase_not_found" => "督办事项",
        _ if what.chars().any(crate::domain::error::is_cjk) => what,
        _ => "所请求的资源",
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound { what, code } => Self::NotFound { what, code },
            ServiceError::Forbidden(detail) => Self::Forbidden(detail),
            ServiceError::Invalid(v) => Self::Invalid(v),
            ServiceError::Conflict { code, detail } => Self::Conflict { code, detail },
            ServiceError::Storage(StorageError::Pool(e)) => {
                tracing::error!(error = %e, "no database connection");
                Self::Unavailable
            }
            ServiceError::Storage(e @ (StorageError::Unavailable(_) | StorageError::Connection(_))) => {
                tracing::error!(error = %e, "writes are not possible");
                Self::Unavailable
            }
            ServiceError::Storage(StorageError::SearchTooBroad) => Self::Invalid(search_too_broad()),
            ServiceError::Storage(StorageError::Query(e)) if crate::service::search::is_timeout(&e) => {
                tracing::warn!("a text search reached the statement timeout");
                Self::Invalid(search_too_broad())
            }
            ServiceError::Storage(StorageError::Query(e)) if is_unreachable(&e) => {
                tracing::error!(error = %e, "the database is not reachable");
                Self::Unavailable
            }
            ServiceError::Storage(StorageError::Commit(message))
                if message.contains("readonly") || message.contains("disk I/O") || message.contains("disk is full") =>
            {
                tracing::error!(error = %message, "the database cannot be written");
                Self::Unavailable
            }
            ServiceError::Storage(e) => Self::internal(e),
            corrupt @ ServiceError::Corrupt(_) => Self::internal(corrupt),
        }
    }
}

impl From<Violation> for ApiError {
    fn from(v: Violation) -> Self {
        Self::Invalid(v)
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        ServiceError::Storage(e).into()
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::from(e).into()
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge { .. } | Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } | Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let Self::Internal(source) = self {
            // The cause chain goes to the log, never to the caller.
            let mut chain = source.to_string();
            let mut next = source.source();
            while let Some(cause) = next {
                chain.push_str(": ");
                chain.push_str(&cause.to_string());
                next = cause.source();
            }
            tracing::error!(error = %chain, "request failed");
        }
        let code = self.code();
        let problem = Problem {
            problem_type: format!("https://gongkai.example/problems/{code}"),
            title: title_of(status).to_string(),
            status: status.as_u16(),
            detail: self.detail(),
            code: code.to_string(),
            errors: match self {
                Self::Invalid(v) => v.errors.clone(),
                Self::BadRequest { errors, .. } => errors.clone(),
                _ => Vec::new(),
            },
        };
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if matches!(self, Self::Unauthorized { .. }) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Self::TooManyRequests { retry_after_secs } | Self::RateLimited { retry_after_secs, .. } = self {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        if matches!(self, Self::Unavailable) {
            response.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER_SECS.to_string()));
        }
        response.json(problem)
    }
}

/// The errors every authenticated endpoint may answer.
#[derive(IntoResponses)]
pub enum ReadErrors {
    /// Malformed query or path parameters.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No token, or a token that is unknown, revoked or of a deactivated user.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The role does not allow this.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// Unknown id, or not visible to the caller.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Too many failed authentications from this address.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
    /// A parameter breaks a rule.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// The database is unreachable for now; retry after `Retry-After` seconds.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// The errors every authenticated writing endpoint may answer.
#[derive(IntoResponses)]
pub enum WriteErrors {
    /// Malformed JSON.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No token, or a token that is unknown, revoked or of a deactivated user.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The role does not allow this.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// Unknown id, or not visible to the caller.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Conflict with the current state or version.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The request body is too large.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// A well-formed request that breaks a rule.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// Too many failed authentications from this address.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
    /// The request body was sent too slowly.
    #[response(status = 408, content_type = "application/problem+json")]
    BodyTimeout(Problem),
    /// The database is unreachable for now; retry after `Retry-After` seconds.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}
