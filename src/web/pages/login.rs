//! 登录, 退出, 修改密码, and `/`: the dashboard for a signed-in user, the sign-in page otherwise.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::sign_in::Password;
use crate::http::AppState;
use crate::service::{sign_in, ServiceError};
use crate::web::context::{removed_session_cookie, see_other, session_cookie, PageContext, PostPage, PublicForm};
use crate::web::error::PageError;
use crate::web::{templates, view};

/// `/`: the dashboard when signed in, the sign-in page otherwise.
#[get("/")]
pub async fn root(ctx: Option<PageContext>) -> HttpResponse {
    see_other(if ctx.is_some() { "/dashboard" } else { "/login" })
}

#[derive(Debug, Deserialize)]
pub struct LoginParams {
    next: Option<String>,
    changed: Option<String>,
}

/// Only a path on this site is a place to return to (no `//host`, no scheme).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next) if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') => next.to_string(),
        _ => "/dashboard".to_string(),
    }
}

fn login_page(
    status: StatusCode,
    login: &str,
    next: &str,
    error: Option<&str>,
    notice: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let html = templates::render("login.html", minijinja::context! { login, next, error, notice })
        .map_err(PageError::internal)?;
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html))
}

/// 登录: the sign-in form.
#[get("/login")]
pub async fn login_page_get(params: web::Query<LoginParams>) -> Result<HttpResponse, PageError> {
    let next = safe_next(params.next.as_deref());
    let notice = params.changed.as_ref().map(|_| "密码已修改，请用新密码重新登录。");
    login_page(StatusCode::OK, "", &next, None, notice)
}

/// Sign in: check the name and password, start a session, go where the user was headed.
#[post("/login")]
pub async fn login_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: PublicForm,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let login = form.get("login").trim().to_string();
    let password = form.get("password").to_string();
    let next = safe_next(Some(form.get("next")));
    // Failures are counted per client address (behind a trusted proxy, its X-Forwarded-For), in
    // the limit the API's tokens count towards. Unlike a token, a password can be guessed: past
    // the limit every sign-in from the address waits, the right password too, for otherwise the
    // answer would tell a guesser which guess was right.
    let address = crate::http::client::client_ip(&req);
    if let Some(retry_after_secs) = address.and_then(|ip| state.auth_failures.blocked(ip)) {
        return Err(PageError::TooManyAttempts { retry_after_secs });
    }
    if login.is_empty() || password.is_empty() {
        return login_page(StatusCode::UNPROCESSABLE_ENTITY, &login, &next, Some("请填写用户名和密码。"), None);
    }
    let name = login.clone();
    let found = state.db.read(move |conn| sign_in::check_credentials(conn, &name, &password)).await?;
    let Some(user_id) = found else {
        if let Some(retry_after_secs) = address.and_then(|ip| state.auth_failures.record_failure(ip)) {
            return Err(PageError::TooManyAttempts { retry_after_secs });
        }
        // 401, so that the audit trail records it as a failed authentication.
        return login_page(StatusCode::UNAUTHORIZED, &login, &next, Some("用户名或密码不正确。"), None);
    };
    let (policy, now) = (state.sessions, state.now());
    let session = state.db.write(move |conn| sign_in::start_session(conn, user_id, policy, now)).await?;
    let mut response = see_other(&next);
    response.add_cookie(&session_cookie(&session.cookie_value, state.cookie_secure)).map_err(PageError::internal)?;
    Ok(response)
}

/// 退出: end the session.
#[post("/logout")]
pub async fn logout(page: PostPage) -> Result<HttpResponse, PageError> {
    let id = page.ctx.session.id;
    page.ctx.write(move |conn, _| sign_in::end_session(conn, id)).await?;
    let mut response = see_other("/login");
    response.add_cookie(&removed_session_cookie(page.ctx.state.cookie_secure)).map_err(PageError::internal)?;
    Ok(response)
}

/// 修改密码: the form.
#[get("/account")]
pub async fn account(ctx: PageContext) -> Result<HttpResponse, PageError> {
    ctx.render("account.html", serde_json::json!({}))
}

/// Change one's own password: every session of the user ends, this one too.
#[post("/account/password")]
pub async fn change_password(page: PostPage) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let fields = ["current_password", "new_password", "new_password_again"];
    let new = form.get("new_password").to_string();
    let checked = match Password::parse(&new, "new_password") {
        Ok(_) if new != form.get("new_password_again") => {
            Err(crate::domain::Violation::field("validation_failed", "new_password_again", "两次输入的新密码不一致"))
        }
        other => other,
    };
    let current = form.get("current_password").to_string();
    let verified = ctx.read_checked(move |conn, actor| sign_in::verify_own_password(conn, actor, &current)).await;
    let password = match (checked, verified) {
        (Ok(password), Ok(())) => password,
        (_, Err(e)) if !matches!(e, ServiceError::Invalid(_)) => return Err(e.into()),
        (checked, verified) => {
            let mut errors = std::collections::BTreeMap::new();
            for violation in
                [checked.err(), verified.err().and_then(ServiceError::into_violation)].into_iter().flatten()
            {
                for (field, message) in view::field_errors(&violation, &fields) {
                    errors.entry(field).or_insert(message);
                }
            }
            return ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "account.html",
                serde_json::json!({ "errors": errors }),
            );
        }
    };
    let hash = web::block(move || sign_in::hash_password(&password)).await.map_err(PageError::internal)??;
    ctx.write(move |conn, actor| sign_in::set_own_password(conn, actor, &hash)).await?;
    let mut response = see_other("/login?changed=1");
    response.add_cookie(&removed_session_cookie(ctx.state.cookie_secure)).map_err(PageError::internal)?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_next(Some("/cases/3?x=1")), "/cases/3?x=1");
        for bad in ["//evil.example", "https://evil.example", "cases", "/\\evil"] {
            assert_eq!(safe_next(Some(bad)), "/dashboard", "{bad}");
        }
        assert_eq!(safe_next(None), "/dashboard");
    }
}
