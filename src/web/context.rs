//! The signed-in user of a page: [`PageContext`] for pages that only show (GET), [`PostPage`] for
//! forms that change something — it carries the submitted fields and exists only when the form
//! carried this session's CSRF token, so a state-changing handler cannot forget the check.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use minijinja::value::Value;
use serde::Serialize;

use super::error::PageError;
use super::templates;
use crate::http::audit::AuditUser;
use crate::http::AppState;
use crate::service::sign_in::{self, Session, SessionCheck};
use crate::service::DbConnection;
use crate::service::{Actor, ServiceError, ServiceResult};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "gongkai_session";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";

/// The session cookie with `value`, as every response sets it.
pub fn session_cookie(value: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish()
}

/// A cookie that removes the session cookie.
pub fn removed_session_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = session_cookie("", secure);
    cookie.make_removal();
    cookie
}

/// The signed-in user of a page, with the state the page needs.
pub struct PageContext {
    pub state: web::Data<AppState>,
    pub session: Session,
    /// The path of the page (for the navigation).
    pub path: String,
}

impl PageContext {
    /// The acting user.
    pub fn actor(&self) -> &Actor {
        &self.session.actor
    }

    /// Run read-only service work as the user.
    ///
    /// # Errors
    /// What the service answers, as a page error.
    pub async fn read<T, F>(&self, f: F) -> Result<T, PageError>
    where
        F: FnOnce(&mut DbConnection, &Actor) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let actor = self.session.actor.clone();
        Ok(self.state.db.read(move |conn| f(conn, &actor)).await?)
    }

    /// [`Self::read`] keeping the service's error (for a form that shows a rule's finding at its field).
    ///
    /// # Errors
    /// What the service answers.
    pub async fn read_checked<T, F>(&self, f: F) -> Result<T, ServiceError>
    where
        F: FnOnce(&mut DbConnection, &Actor) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let actor = self.session.actor.clone();
        self.state.db.read(move |conn| f(conn, &actor)).await
    }

    /// Run one use case as the user, in one transaction.
    ///
    /// # Errors
    /// What the service answers (nothing was written then).
    pub async fn write<T, F>(&self, f: F) -> Result<T, ServiceError>
    where
        F: FnOnce(&mut DbConnection, &Actor) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let actor = self.session.actor.clone();
        self.state.db.write(move |conn| f(conn, &actor)).await
    }

    /// Render a page with the layout's data (user, CSRF token, navigation) and `context`.
    ///
    /// # Errors
    /// The template fails (a 500).
    pub fn render(&self, template: &str, context: impl Serialize) -> Result<HttpResponse, PageError> {
        self.render_status(StatusCode::OK, template, context)
    }

    /// [`Self::render`] with a status (a form with errors answers 422).
    ///
    /// # Errors
    /// The template fails (a 500).
    pub fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        context: impl Serialize,
    ) -> Result<HttpResponse, PageError> {
        let actor = self.actor();
        let me = minijinja::context! {
            name => actor.name.clone(),
            role => actor.role.as_str(),
            user_id => actor.user_id.get(),
            may_register => actor.role.can_register(),
            may_administer => actor.role.can_administer(),
            may_supervise => actor.role.can_supervise(),
        };
        let base = minijinja::context! {
            me,
            csrf => self.session.csrf_token.clone(),
            nav => section(&self.path),
            today => self.state.today().to_string(),
        };
        let html = templates::render(
            template,
            minijinja::context! { ..base, ..Value::from(minijinja::value::Serde(&context)) },
        )
        .map_err(PageError::internal)?;
        Ok(HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(html))
    }
}

/// Which navigation entry a path belongs to.
fn section(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    match first {
        "intake" => "intake",
        "cases" => "cases",
        "reports" => "reports",
        "admin" => "admin",
        "account" => "account",
        "ledger" => "cases",
        "agencies" => "admin",
        _ => "dashboard",
    }
}

/// The path and query of a request, to come back to after signing in (GET only).
fn return_path(req: &HttpRequest) -> Option<String> {
    (req.method() == Method::GET).then(|| {
        let query = req.query_string();
        if query.is_empty() {
            req.path().to_string()
        } else {
            format!("{}?{query}", req.path())
        }
    })
}

async fn authenticate(req: HttpRequest) -> Result<PageContext, PageError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| PageError::Internal("application state missing".into()))?;
    let sign_in = || PageError::SignIn { next: return_path(&req) };
    let Some(cookie) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()) else {
        return Err(sign_in());
    };
    if cookie.is_empty() || cookie.len() > 200 {
        return Err(sign_in());
    }
    let (policy, now) = (state.sessions, state.now());
    let checked = state.db.read(move |conn| sign_in::check_session(conn, &cookie, policy, now)).await?;
    let session = match checked {
        SessionCheck::Valid(session) => session,
        SessionCheck::Expired { id } => {
            state.db.write(move |conn| sign_in::end_session(conn, id)).await?;
            return Err(sign_in());
        }
        SessionCheck::Unknown => return Err(sign_in()),
    };
    if session.needs_touch {
        let id = session.id;
        state.db.write(move |conn| sign_in::touch(conn, id, now)).await?;
    }
    req.extensions_mut().insert(AuditUser(session.actor.user_id.get()));
    Ok(PageContext { state, session, path: req.path().to_string() })
}

impl FromRequest for PageContext {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            // A form that changes something must use `PostPage`, which checks the CSRF token.
            if req.method() != Method::GET && req.method() != Method::HEAD {
                return Err(PageError::Csrf);
            }
            authenticate(req).await
        })
    }
}

/// The fields of a submitted form, in order (a name may repeat).
#[derive(Clone, Debug, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed, `None` when empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        let value = self.get(name).trim();
        (!value.is_empty()).then(|| value.to_string())
    }

    /// The fields as a map (for showing the typed values again), without the CSRF token.
    pub fn values(&self) -> BTreeMap<String, String> {
        self.0.iter().filter(|(k, _)| k != CSRF_FIELD).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// Parse an urlencoded body.
    ///
    /// # Errors
    /// Not urlencoded.
    pub fn parse(body: &[u8]) -> Result<Self, PageError> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).map(FormData).map_err(|_| PageError::Rejected {
            status: StatusCode::BAD_REQUEST,
            code: "malformed_form",
            detail: "提交的表单无法读取。".to_string(),
        })
    }
}

/// Read a request body of at most the configured size.
async fn body(req: &HttpRequest, payload: &mut Payload) -> Result<web::Bytes, PageError> {
    let limit =
        req.app_data::<crate::http::extract::BodyLimit>().map_or(crate::http::extract::DEFAULT_BODY_LIMIT, |l| l.0);
    let mut bytes = web::BytesMut::new();
    use futures_util::StreamExt as _;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| PageError::Rejected {
            status: StatusCode::BAD_REQUEST,
            code: "unreadable_body",
            detail: "提交的内容无法读取。".to_string(),
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(PageError::Rejected {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "payload_too_large",
                detail: format!("提交的内容超过 {limit} 字节。"),
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}

/// The fields of a submitted form without a session (the sign-in form).
pub struct PublicForm(pub FormData);

impl FromRequest for PublicForm {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move { Ok(PublicForm(FormData::parse(&body(&req, &mut payload).await?)?)) })
    }
}

/// A submitted form of a signed-in user that carried the session's CSRF token.
pub struct PostPage {
    pub ctx: PageContext,
    pub form: FormData,
}

impl FromRequest for PostPage {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let ctx = authenticate(req.clone()).await?;
            let form = FormData::parse(&body(&req, &mut payload).await?)?;
            if !constant_time_eq(form.get(CSRF_FIELD).as_bytes(), ctx.session.csrf_token.as_bytes()) {
                return Err(PageError::Csrf);
            }
            Ok(PostPage { ctx, form })
        })
    }
}

/// A file sent with a form.
pub struct Upload {
    /// The file's name as the browser gave it (for the record; never a path here).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a form's file is, which decides its size limit.
pub trait UploadKind {
    /// The largest file accepted.
    fn limit(state: &AppState) -> usize;
    /// How long sending it may take.
    fn timeout(state: &AppState) -> std::time::Duration;
    /// The refusal of a larger one, for a person.
    fn too_large(limit: usize) -> String;
}

/// A ledger to import (`ledger.max_import_bytes`).
pub struct LedgerFile;

impl UploadKind for LedgerFile {
    fn limit(state: &AppState) -> usize {
        state.import_limit
    }
    fn timeout(state: &AppState) -> std::time::Duration {
        state.import_timeout
    }
    fn too_large(limit: usize) -> String {
        format!("文件超过 {} MB，请分成几个文件导入。", limit / (1024 * 1024))
    }
}

/// A case document (`files.max_bytes`).
pub struct DocumentFile;

impl UploadKind for DocumentFile {
    fn limit(state: &AppState) -> usize {
        state.document_limit
    }
    fn timeout(state: &AppState) -> std::time::Duration {
        state.document_timeout
    }
    fn too_large(limit: usize) -> String {
        format!("文件超过 {} MB 的上限，未上传。", limit / (1024 * 1024))
    }
}

/// A submitted form with a file (`multipart/form-data`) of a signed-in user that carried the
/// session's CSRF token: the text fields, and the one file (at most the limit of `K`).
pub struct UploadPage<K = LedgerFile> {
    pub ctx: PageContext,
    pub form: FormData,
    pub file: Option<Upload>,
    kind: std::marker::PhantomData<K>,
}

/// The largest text field of an upload form.
const UPLOAD_TEXT_LIMIT: usize = 64 * 1024;

async fn read_upload(
    req: &HttpRequest,
    payload: Payload,
    file_limit: usize,
    too_large_message: fn(usize) -> String,
) -> Result<(FormData, Option<Upload>), PageError> {
    use futures_util::StreamExt as _;
    let unreadable = || PageError::Rejected {
        status: StatusCode::BAD_REQUEST,
        code: "malformed_form",
        detail: "提交的表单无法读取（应为带文件的表单）。".to_string(),
    };
    let too_large = |limit: usize| PageError::Rejected {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        code: "payload_too_large",
        detail: too_large_message(limit),
    };
    let mut multipart = actix_multipart::Multipart::new(req.headers(), payload);
    let (mut fields, mut file) = (Vec::new(), None);
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| unreadable())?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_string);
        let limit = if file_name.is_some() { file_limit } else { UPLOAD_TEXT_LIMIT };
        let bytes = field.bytes(limit).await.map_err(|_| too_large(limit))?.map_err(|_| unreadable())?;
        match file_name {
            Some(file_name) if file.is_none() => file = Some(Upload { name: file_name, bytes: bytes.to_vec() }),
            Some(_) => return Err(unreadable()),
            None => fields.push((name, String::from_utf8(bytes.to_vec()).map_err(|_| unreadable())?)),
        }
    }
    Ok((FormData(fields), file.filter(|f| !f.name.is_empty() || !f.bytes.is_empty())))
}

impl<K: UploadKind + 'static> FromRequest for UploadPage<K> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let ctx = authenticate(req.clone()).await?;
            let (limit, timeout) = (K::limit(&ctx.state), K::timeout(&ctx.state));
            let read = actix_web::rt::time::timeout(timeout, read_upload(&req, payload, limit, K::too_large));
            let (form, file) = read.await.map_err(|_| PageError::Rejected {
                status: StatusCode::REQUEST_TIMEOUT,
                code: "body_timeout",
                detail: "上传时间过长，连接已断开；请重试。".to_string(),
            })??;
            if !constant_time_eq(form.get(CSRF_FIELD).as_bytes(), ctx.session.csrf_token.as_bytes()) {
                return Err(PageError::Csrf);
            }
            Ok(UploadPage { ctx, form, file, kind: std::marker::PhantomData })
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A 303 to `location` (after a form was handled: the browser then shows it with a GET).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location.to_string())).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
    }

    #[test]
    fn pages_belong_to_their_navigation_entry() {
        assert_eq!(section("/cases/4"), "cases");
        assert_eq!(section("/reports/cell"), "reports");
        assert_eq!(section("/"), "dashboard");
        assert_eq!(section("/intake/registered/3"), "intake");
    }

    #[test]
    fn forms_keep_repeated_fields_and_drop_the_token_from_values() {
        let form = FormData::parse(b"a=1&b=%E5%BC%A0&a=2&_csrf=t").unwrap();
        assert_eq!(form.get("a"), "1");
        assert_eq!(form.get("b"), "张");
        assert_eq!(form.optional("missing"), None);
        assert!(!form.values().contains_key(CSRF_FIELD));
    }
}
