//! What a page answers when it cannot show what was asked: the sign-in page (no or ended
//! session), 404 for anything invisible (exactly as the API), 403, and the rest. Problems with a
//! form's input are not errors here: the form's handler shows the same page again with them.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use super::messages;
use super::templates;
use crate::service::ServiceError;
use crate::service::StorageError;

/// Why a page is not shown.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// No valid session: to the sign-in page, then back to `next`.
    #[error("sign-in required")]
    SignIn { next: Option<String> },
    /// Unknown, or not visible to the user (as the API's 404).
    #[error("not found")]
    NotFound,
    /// The role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// A state-changing form without this session's CSRF token.
    #[error("the form's CSRF token is missing or wrong")]
    Csrf,
    /// A request that breaks a rule and has no form to show it on (a bad filter in a link, a
    /// conflict): the Chinese message of its code.
    #[error("{code}: {detail}")]
    Rejected { status: StatusCode, code: &'static str, detail: String },
    /// Too many failed sign-ins from this address.
    #[error("too many failed sign-ins")]
    TooManyAttempts { retry_after_secs: u64 },
    /// The database is not reachable.
    #[error("service unavailable")]
    Unavailable,
    /// Anything else: logged with its causes, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl PageError {
    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }
}

impl From<ServiceError> for PageError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound { .. } => Self::NotFound,
            ServiceError::Forbidden(detail) => Self::Forbidden(detail),
            ServiceError::Invalid(v) => Self::Rejected {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: v.code,
                detail: messages::violation(&v),
            },
            ServiceError::Conflict { code, detail } => {
                Self::Rejected { status: StatusCode::CONFLICT, code, detail: messages::sentence(code, &detail) }
            }
            ServiceError::Storage(StorageError::Pool(e)) => {
                tracing::error!(error = %e, "no database connection");
                Self::Unavailable
            }
            ServiceError::Storage(e @ StorageError::Unavailable(_)) => {
                tracing::error!(error = %e, "writes are not possible");
                Self::Unavailable
            }
            ServiceError::Storage(e) => Self::internal(e),
            corrupt @ ServiceError::Corrupt(_) => Self::internal(corrupt),
        }
    }
}

impl From<StorageError> for PageError {
    fn from(error: StorageError) -> Self {
        ServiceError::Storage(error).into()
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } => StatusCode::SEE_OTHER,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) | Self::Csrf => StatusCode::FORBIDDEN,
            Self::Rejected { status, .. } => *status,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (title, message, code) = match self {
            Self::SignIn { next } => {
                let location = match next {
                    Some(next) => format!("/login?next={}", super::url_encode(next)),
                    None => "/login".to_string(),
                };
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, location))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish();
            }
            Self::NotFound => ("未找到", "没有这个页面，或者您无权查看它。".to_string(), "not_found"),
            Self::Forbidden(_) => ("无权操作", "您的角色不能进行这项操作。".to_string(), "forbidden"),
            Self::Csrf => (
                "表单已失效",
                "这个表单已失效（页面打开太久或来自其他网站），没有保存任何内容。请返回、刷新页面后重新提交。"
                    .to_string(),
                "csrf_token_invalid",
            ),
            Self::Rejected { code, detail, .. } => ("无法办理", detail.clone(), *code),
            Self::TooManyAttempts { retry_after_secs } => (
                "尝试次数过多",
                format!("此地址登录失败次数过多，请 {retry_after_secs} 秒后再试。"),
                "too_many_failed_authentications",
            ),
            Self::Unavailable => {
                ("暂时无法使用", "数据库暂时无法连接，请稍后再试。".to_string(), "service_unavailable")
            }
            Self::Internal(source) => {
                let mut chain = source.to_string();
                let mut next = source.source();
                while let Some(cause) = next {
                    chain.push_str(": ");
                    chain.push_str(&cause.to_string());
                    next = cause.source();
                }
                tracing::error!(error = %chain, "page failed");
                ("系统错误", "处理请求时出错，错误已记录。请稍后再试。".to_string(), "internal_error")
            }
        };
        let body = templates::render_error(status.as_u16(), title, &message, code);
        let mut response = HttpResponse::build(status);
        response.content_type("text/html; charset=utf-8").insert_header((header::CACHE_CONTROL, "no-store"));
        if let Self::TooManyAttempts { retry_after_secs } = self {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        response.body(body)
    }
}
