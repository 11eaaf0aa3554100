//! One spelling per resource: under `/api/v1`, a path with percent-encoding, or whose numeric
//! parameters are not plain decimal digits (`/cases/+18`, `/cases/018`, `/cases/%31%38`), is
//! refused with 400 before any handler runs. The router decodes percent-encoding and `i64`
//! parsing accepts a sign, so without this one case had many paths, and whatever classified
//! requests by their path (the audit trail) could be sidestepped.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::error::ApiError;

/// Whether `text` is a number as this service writes it: 1–18 decimal digits, no sign, no
/// leading zero (ids and years; 18 digits always fit an `i64`).
pub fn is_canonical_number(text: &str) -> bool {
    (1..=18).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0')
}

/// Whether `text` is a key (`letters/{kind}`): lowercase ASCII letters and underscores.
fn is_key(text: &str) -> bool {
    (1..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// Why `path`, matched by route `pattern`, is not the canonical spelling of a resource.
fn violation(path: &str, pattern: Option<&str>) -> Option<String> {
    if path.contains('%') {
        return Some("路径中不能含有百分号编码（%xx）：请直接写出路径。".to_string());
    }
    let pattern = pattern?;
    for (segment, value) in pattern.split('/').zip(path.split('/')) {
        let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else { continue };
        let ok = if name == "kind" { is_key(value) } else { is_canonical_number(value) };
        if !ok {
            return Some(format!(
                "路径参数 {name} 的值“{}”无效：编号只能由十进制数字组成，不带符号和前导零。",
                value.chars().take(40).collect::<String>()
            ));
        }
    }
    None
}

/// The name of the first query parameter whose name or value holds a NUL character (`%00`):
/// no text of this service may contain one (PostgreSQL cannot store it, and it only ever comes
/// from a client probing for truncation bugs).
fn nul_in_query(query: &str) -> Option<String> {
    query.split('&').find(|pair| pair.contains("%00")).map(|pair| {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        name.replace("%00", "").chars().take(40).collect()
    })
}

/// The middleware (inside the audit trail's, so that refused requests are recorded too).
///
/// # Errors
/// Whatever the wrapped service fails with.
pub async fn require_canonical_paths<B: MessageBody + 'static>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if request.path().starts_with("/api/v1/") {
        // The pattern of the route this path would reach, computed from the raw path.
        if let Some(detail) = violation(request.path(), request.match_pattern().as_deref()) {
            let error = ApiError::bad_request("invalid_path", detail);
            return Ok(request.error_response(error));
        }
        if let Some(field) = nul_in_query(request.query_string()) {
            let error = ApiError::Invalid(crate::domain::Violation::field(
                "validation_failed",
                &field,
                "不能含有空字符（NUL，U+0000）",
            ));
            return Ok(request.error_response(error));
        }
    }
    Ok(next.call(request).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_digits_without_sign_or_leading_zero() {
        for good in ["1", "18", "2019", "999999999999999999"] {
            assert!(is_canonical_number(good), "{good}");
        }
        for bad in ["", "0", "+18", "-1", "018", " 18", "1e3", "１８", "9999999999999999999"] {
            assert!(!is_canonical_number(bad), "{bad}");
        }
    }

    #[test]
    fn a_nul_byte_in_a_query_parameter_is_found() {
        assert_eq!(nul_in_query("limit=5&q=ab%00cd"), Some("q".to_string()));
        assert_eq!(nul_in_query("q=abc&limit=5"), None);
    }

    #[test]
    fn non_canonical_spellings_of_a_case_are_refused() {
        let page = Some("/api/v1/cases/{id}");
        assert_eq!(violation("/api/v1/cases/18", page), None);
        assert!(violation("/api/v1/cases/+18", page).is_some());
        assert!(violation("/api/v1/cases/%31%38", page).is_some());
        assert!(violation("/api/v1/c%61ses/18", None).is_some(), "encoding anywhere");
        let letter = Some("/api/v1/cases/{id}/letters/{kind}");
        assert_eq!(violation("/api/v1/cases/18/letters/decision", letter), None);
        assert!(violation("/api/v1/cases/18/letters/Decision", letter).is_some());
        assert!(violation("/api/v1/cases/018/letters/decision", letter).is_some());
        assert_eq!(violation("/api/v1/cases", Some("/api/v1/cases")), None);
    }
}
