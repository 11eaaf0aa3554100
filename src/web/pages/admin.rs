//! 管理: the agency tree and new agencies; users (create with sign-in name and password,
//! deactivate and reactivate, reset the password, issue an API token shown once); the working-day
//! calendar per year and its replacement, naming the notice. Administrators change; auditors read.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::domain::ids::AgencyId;
use crate::domain::sign_in::{Login, Password};
use crate::domain::{Role, Violation};
use crate::http::calendar::{replace_year, PutCalendarYearRequest};
use crate::service::agencies::{self, NewAgency};
use crate::service::{calendar, sign_in, users, ServiceError};
use crate::web::context::{see_other, FormData, PageContext, PostPage};
use crate::web::error::PageError;
use crate::web::pages::dashboard::agency_options;
use crate::web::view::field_errors;

const USER_FIELDS: &[&str] = &["name", "login", "password", "role", "agency_id", "email"];
const AGENCY_FIELDS: &[&str] = &["name", "code", "parent_id"];

fn require_reader(ctx: &PageContext) -> Result<(), PageError> {
    let role = ctx.actor().role;
    Ok(ctx.actor().require(role.can_administer() || role == Role::Auditor, "read the administration pages")?)
}

/// What the page shows again after a form with errors.
#[derive(Default)]
struct Again {
    form: &'static str,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
}

async fn show(ctx: &PageContext, status: StatusCode, again: Again) -> Result<HttpResponse, PageError> {
    let (agency_list, user_list, years) = ctx
        .read(|conn, actor| {
            let agency_list = agencies::list(conn, actor, None, None, 1000)?;
            let user_list = users::list(conn, actor, None, 1000)?;
            Ok((agency_list, user_list, calendar::years(conn)?))
        })
        .await?;
    let names: BTreeMap<i64, String> = agency_list.iter().map(|a| (a.id.get(), a.name.clone())).collect();
    let mut tree: Vec<&crate::domain::case::Agency> = agency_list.iter().collect();
    tree.sort_by(|a, b| a.path.cmp(&b.path));
    let top = tree.iter().map(|a| a.path.matches('/').count()).min().unwrap_or(0);
    let tree: Vec<Value> = tree
        .iter()
        .map(|a| {
            json!({ "id": a.id, "name": a.name, "code": a.code, "depth": a.path.matches('/').count().saturating_sub(top) })
        })
        .collect();
    let people: Vec<Value> = user_list
        .iter()
        .map(|u| {
            json!({
                "id": u.id, "name": u.name, "login": u.login, "role": u.role, "active": u.active,
                "agency": u.agency_id.and_then(|id| names.get(&id).cloned()),
                "is_me": u.id == ctx.actor().user_id.get(),
            })
        })
        .collect();
    let years: Vec<Value> = years
        .iter()
        .map(|(row, data)| {
            json!({
                "year": row.year, "notices": data.notices, "rest_days": data.rest_days.len(),
                "work_days": data.work_days.len(), "source": row.source,
            })
        })
        .collect();
    let roles: Vec<(String, String)> =
        Role::ALL.iter().map(|r| (r.as_str().to_string(), r.label().to_string())).collect();
    ctx.render_status(
        status,
        "admin.html",
        json!({
            "tree": tree, "users": people, "years": years, "roles": roles,
            "agencies": agency_options(&agency_list),
            "may_change": ctx.actor().role.can_administer(),
            "may_replace_calendar": ctx.actor().role.can_administer() && ctx.actor().scope.is_none(),
            "form": again.form, "values": again.values, "errors": again.errors,
        }),
    )
}

/// 管理.
#[get("/admin")]
pub async fn admin_page(ctx: PageContext) -> Result<HttpResponse, PageError> {
    require_reader(&ctx)?;
    show(&ctx, StatusCode::OK, Again::default()).await
}

fn optional_id(form: &FormData, field: &str) -> Result<Option<i64>, Violation> {
    form.optional(field)
        .map(|v| v.parse::<i64>().map_err(|_| Violation::field("validation_failed", field, "请从列表中选择")))
        .transpose()
}

/// A new agency.
#[post("/admin/agencies")]
pub async fn create_agency(page: PostPage) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let parsed = optional_id(&form, "parent_id")
        .and_then(|parent| NewAgency::parse(form.get("name"), form.get("code"), parent.map(AgencyId::new)));
    let result = match parsed {
        Ok(new) => {
            let now = ctx.state.now();
            ctx.write(move |conn, actor| agencies::create(conn, actor, &new, now)).await
        }
        Err(v) => Err(v.into()),
    };
    match result {
        Ok(_) => Ok(see_other("/admin#agencies")),
        Err(ServiceError::Invalid(v)) => {
            let again = Again { form: "agency", values: form.values(), errors: field_errors(&v, AGENCY_FIELDS) };
            show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, again).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A new user with a sign-in name and password (and its first API token, shown once).
#[post("/admin/users")]
pub async fn create_user(page: PostPage) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    ctx.actor().require(ctx.actor().role.can_administer(), "manage users")?;
    let mut problems = Vec::new();
    let role = Role::parse(form.get("role"));
    if role.is_none() {
        problems.push(crate::domain::FieldError::new("role", "请从列表中选择"));
    }
    let agency_id = optional_id(&form, "agency_id").map_err(|v| problems.extend(v.errors)).ok().flatten();
    let login = Login::parse(form.get("login")).map_err(|v| problems.extend(v.errors)).ok();
    let password = Password::parse(form.get("password"), "password").map_err(|v| problems.extend(v.errors)).ok();
    let again = |violation: Violation| {
        let mut values = form.values();
        values.remove("password");
        Again { form: "user", values, errors: field_errors(&violation, USER_FIELDS) }
    };
    let (Some(role), Some(login), Some(password), true) = (role, login, password, problems.is_empty()) else {
        let violation =
            Violation::check(problems).err().unwrap_or_else(|| Violation::field("validation_failed", "_", "填写有误"));
        return show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, again(violation)).await;
    };
    let hash = web::block(move || sign_in::hash_password(&password)).await.map_err(PageError::internal)??;
    let (name, email, now) = (form.get("name").to_string(), form.optional("email"), ctx.state.now());
    let result = ctx
        .write(move |conn, actor| {
            let created = users::create(conn, actor, &name, role, agency_id, now)?;
            users::set_email(conn, created.user.id, email.as_deref())?;
            sign_in::set_credentials_unchecked(conn, created.user.id, Some(&login), Some(&hash))?;
            Ok(created)
        })
        .await;
    match result {
        Ok(created) => {
            ctx.render("token.html", json!({ "name": created.user.name, "token": created.token, "created": true }))
        }
        Err(ServiceError::Invalid(v)) => show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, again(v)).await,
        Err(e) => Err(e.into()),
    }
}

async fn set_active(page: PostPage, id: i64, active: bool) -> Result<HttpResponse, PageError> {
    let now = page.ctx.state.now();
    page.ctx.write(move |conn, actor| users::set_active(conn, actor, id, active, now)).await?;
    page.ctx.state.auth_cache.clear();
    Ok(see_other("/admin#users"))
}

/// Deactivate a user: its tokens are revoked and its sessions end at once.
#[post("/admin/users/{id}/deactivate")]
pub async fn deactivate_user(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    set_active(page, id.into_inner(), false).await
}

/// Reactivate a user.
#[post("/admin/users/{id}/activate")]
pub async fn activate_user(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    set_active(page, id.into_inner(), true).await
}

/// Reset a user's password (its sessions end).
#[post("/admin/users/{id}/password")]
pub async fn reset_password(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let id = id.into_inner();
    ctx.actor().require(ctx.actor().role.can_administer(), "manage users")?;
    let password = match Password::parse(form.get("password"), "password") {
        Ok(password) => password,
        Err(v) => {
            let mut errors = field_errors(&v, &["password"]);
            if let Some(message) = errors.remove("password") {
                errors.insert(format!("password-{id}"), message);
            }
            let again = Again { form: "reset", values: BTreeMap::new(), errors };
            return show(&ctx, StatusCode::UNPROCESSABLE_ENTITY, again).await;
        }
    };
    let hash = web::block(move || sign_in::hash_password(&password)).await.map_err(PageError::internal)??;
    ctx.write(move |conn, actor| sign_in::set_credentials(conn, actor, id, None, Some(&hash))).await?;
    Ok(see_other("/admin#users"))
}

/// Issue a new API token for a user, shown this once.
#[post("/admin/users/{id}/token")]
pub async fn issue_token(page: PostPage, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, .. } = page;
    let (id, now) = (id.into_inner(), ctx.state.now());
    let created = ctx.write(move |conn, actor| users::issue_token(conn, actor, id, false, now)).await?;
    ctx.render("token.html", json!({ "name": created.user.name, "token": created.token, "created": false }))
}

async fn show_year(ctx: &PageContext, year: i32, status: StatusCode, again: Again) -> Result<HttpResponse, PageError> {
    let (data, changes) = ctx
        .read(move |conn, _| {
            let data = match calendar::get_year(conn, year) {
                Ok((_, data)) => Some(data),
                Err(ServiceError::NotFound { .. }) => None,
                Err(e) => return Err(e),
            };
            Ok((data, calendar::changes(conn, year)?))
        })
        .await?;
    let lines = |dates: &BTreeSet<NaiveDate>| dates.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    let mut values = again.values;
    if let Some(data) = &data {
        values.entry("notices".into()).or_insert_with(|| data.notices.join("\n"));
        values.entry("rest_days".into()).or_insert_with(|| lines(&data.rest_days));
        values.entry("work_days".into()).or_insert_with(|| lines(&data.work_days));
    }
    let changes: Vec<Value> = changes
        .iter()
        .map(|c| {
            json!({ "changed_at": (c.changed_at + chrono::TimeDelta::hours(8)).format("%Y-%m-%d %H:%M").to_string(),
                    "changed_by": c.changed_by, "notice": c.notice })
        })
        .collect();
    ctx.render_status(
        status,
        "calendar.html",
        json!({
            "year": year, "exists": data.is_some(),
            "rest_days": data.as_ref().map(|d| d.rest_days.iter().map(ToString::to_string).collect::<Vec<_>>()),
            "work_days": data.as_ref().map(|d| d.work_days.iter().map(ToString::to_string).collect::<Vec<_>>()),
            "notices": data.as_ref().map(|d| d.notices.clone()),
            "changes": changes,
            "may_replace": ctx.actor().role.can_administer() && ctx.actor().scope.is_none(),
            "values": values, "errors": again.errors,
        }),
    )
}

/// One year of the working-day calendar, its changes and the form to replace it.
#[get("/admin/calendar/{year}")]
pub async fn calendar_year(ctx: PageContext, year: web::Path<i32>) -> Result<HttpResponse, PageError> {
    require_reader(&ctx)?;
    let year = year.into_inner();
    if !(1949..=2200).contains(&year) {
        return Err(PageError::NotFound);
    }
    show_year(&ctx, year, StatusCode::OK, Again::default()).await
}

/// The dates of a box, one a line.
fn dates(form: &FormData, field: &'static str, problems: &mut Vec<crate::domain::FieldError>) -> BTreeSet<NaiveDate> {
    let mut out = BTreeSet::new();
    for line in form.get(field).lines().map(str::trim).filter(|l| !l.is_empty()) {
        match NaiveDate::parse_from_str(line, "%Y-%m-%d") {
            Ok(date) => {
                out.insert(date);
            }
            Err(_) => problems.push(crate::domain::FieldError::new(field, "不是有效的日期（格式：2019-03-05）")),
        }
    }
    out
}

/// Replace a year of the calendar, naming the notice (administrators bound to no agency).
#[post("/admin/calendar/{year}")]
pub async fn replace_calendar(page: PostPage, year: web::Path<i32>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let year = year.into_inner();
    if !(1949..=2200).contains(&year) {
        return Err(PageError::NotFound);
    }
    let fields = ["notice", "notices", "rest_days", "work_days"];
    let mut problems = Vec::new();
    let rest_days = dates(&form, "rest_days", &mut problems);
    let work_days = dates(&form, "work_days", &mut problems);
    let notices = form.get("notices").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
    let request = PutCalendarYearRequest { notice: form.get("notice").to_string(), notices, rest_days, work_days };
    let result = match (request.validate(), problems.is_empty()) {
        (Ok((notice, data)), true) => {
            replace_year(&ctx.state, ctx.actor().clone(), year, data, notice).await.map(|_| ())
        }
        (validated, _) => {
            if let Err(v) = validated {
                problems.extend(v.errors.into_iter().map(|mut e| {
                    if e.field.starts_with("notices") {
                        e.field = "notices".into();
                    }
                    e
                }));
            }
            Err(Violation::check(problems)
                .err()
                .unwrap_or_else(|| Violation::field("validation_failed", "_", "填写有误"))
                .into())
        }
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/admin/calendar/{year}"))),
        Err(ServiceError::Invalid(v)) => {
            let again = Again { form: "calendar", values: form.values(), errors: field_errors(&v, &fields) };
            show_year(&ctx, year, StatusCode::UNPROCESSABLE_ENTITY, again).await
        }
        Err(e) => Err(e.into()),
    }
}
