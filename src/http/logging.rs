//! The request's log span: method, route pattern (never the raw path or its query string, which
//! may carry an identity number searched with `q`), client address, request id and status. An
//! error's message is not recorded (it may quote a mistyped value); the status is, and a
//! server error's cause chain is logged by [`super::error::ApiError`] itself.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage as _};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

/// The root span builder of [`tracing_actix_web::TracingLogger`].
pub struct RedactedSpan;

impl RootSpanBuilder for RedactedSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern().unwrap_or_else(|| "unmatched".to_string());
        let request_id = request.extensions().get::<RequestId>().map(ToString::to_string).unwrap_or_default();
        let client = super::client::client_ip(request.request()).map(|ip| ip.to_string()).unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.client_ip = %client,
            request_id = %request_id,
            http.status_code = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(response) => response.status(),
            Err(error) => error.as_response_error().status_code(),
        };
        span.record("http.status_code", status.as_u16());
        if status.is_server_error() {
            // The cause was logged where it happened; this line ties the request to it.
            let _entered = span.enter();
            tracing::warn!(status = status.as_u16(), "request answered with a server error");
        }
    }
}
