//! Response headers by what a response is, not by which handler made it, so that pages added
//! later (the staff console) get them too:
//! - every response: `X-Content-Type-Options: nosniff`;
//! - every `/api/v1` answer and every HTML page: `Cache-Control: no-store` unless the handler set
//!   a cache policy itself (case pages, lists, letters and reports carry personal data; no proxy
//!   or browser cache may keep them);
//! - HTML pages: a `Content-Security-Policy` allowing only the service's own scripts, styles
//!   (inline styles too: the printable report and letters have them) and images, no framing, and
//!   `Referrer-Policy: no-referrer`, so no case URL leaks to another site.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// The policy of HTML pages.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The middleware.
///
/// # Errors
/// Whatever the wrapped service fails with.
pub async fn security_headers<B: MessageBody>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let api = request.path().starts_with("/api/v1/") && request.path() != "/api/v1/openapi.json";
    let mut response = next.call(request).await?;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if (api || html) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if html {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Ok(response)
}
