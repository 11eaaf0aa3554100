//! Agencies: create, get, list within the caller's subtree.

use chrono::NaiveDateTime;

use super::{Actor, ServiceError, ServiceResult};
use crate::domain::case::Agency;
use crate::domain::error::Errors;
use crate::domain::ids::{AgencyId, CaseId};
use crate::domain::Violation;
use crate::storage::agencies;
pub use crate::storage::letters::AgencySettings;
use crate::storage::DbConnection;

/// A validated new agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAgency {
    pub name: String,
    pub code: String,
    pub parent_id: Option<AgencyId>,
    /// Open for online applications from the start.
    pub accepts_online_applications: bool,
}

impl NewAgency {
    /// Validate: a name of at most 200 characters, a code of 1–16 uppercase letters, digits or `-`.
    ///
    /// # Errors
    /// The field errors.
    pub fn parse(name: &str, code: &str, parent_id: Option<AgencyId>) -> Result<Self, Violation> {
        let mut errors = Errors::default();
        let name = errors.text("name", name, 200);
        let code = code.trim().to_string();
        if code.is_empty()
            || code.len() > 16
            || !code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        {
            errors.add("code", "应为1至16位：大写字母A–Z、数字或“-”");
        }
        errors.finish()?;
        Ok(Self { name, code, parent_id, accepts_online_applications: false })
    }
}

fn not_found() -> ServiceError {
    ServiceError::NotFound { what: "agency", code: "agency_not_found" }
}

/// Create an agency. Only admins; an admin bound to an agency creates only inside its subtree.
///
/// # Errors
/// 403 for other roles, 404 for an invisible parent, 422 for a duplicate code or a root agency
/// created by a bound admin.
pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewAgency, now: NaiveDateTime) -> ServiceResult<Agency> {
    let actor = &super::auth::current(conn, actor)?;
    actor.require(actor.role.can_administer(), "创建机关")?;
    let parent = match new.parent_id {
        Some(id) => Some(get_visible(conn, actor, id)?),
        None if actor.scope.is_some() => {
            return Err(
                Violation::field("parent_required", "parent_id", "所属机关的管理员只能在本机关之下创建机关").into()
            )
        }
        None => None,
    };
    if agencies::code_exists(conn, &new.code)? {
        return Err(Violation::field("duplicate_code", "code", format!("代码“{}”已被使用", new.code)).into());
    }
    Ok(agencies::insert(conn, &new.name, &new.code, parent.as_ref(), new.accepts_online_applications, now)?)
}

/// Open or close an agency for online applications (administrators who see it).
///
/// # Errors
/// 403 for other roles, 404 for an invisible agency.
pub fn set_accepts_online_applications(
    conn: &mut DbConnection,
    actor: &Actor,
    id: AgencyId,
    accepts: bool,
) -> ServiceResult<Agency> {
    let actor = &super::auth::current(conn, actor)?;
    actor.require(actor.role.can_administer(), "修改机关")?;
    get_visible(conn, actor, id)?;
    agencies::set_accepts_online_applications(conn, id, accepts)?;
    Ok(agencies::get(conn, id)?)
}

/// The agencies open for online applications (for the public application form).
///
/// # Errors
/// A database error.
pub fn list_online(conn: &mut DbConnection) -> ServiceResult<Vec<Agency>> {
    Ok(agencies::list_online(conn)?)
}

/// The agency with `id` if the caller sees it.
///
/// # Errors
/// 404 when it does not exist or is not visible.
pub fn get_visible(conn: &mut DbConnection, actor: &Actor, id: AgencyId) -> ServiceResult<Agency> {
    match agencies::find(conn, id)? {
        Some(row) if actor.sees(&row.path) => Ok(row),
        _ => Err(not_found()),
    }
}

/// The letter settings of a visible agency.
///
/// # Errors
/// 404 invisible agency.
pub fn settings(conn: &mut DbConnection, actor: &Actor, id: AgencyId) -> ServiceResult<AgencySettings> {
    get_visible(conn, actor, id)?;
    Ok(crate::storage::letters::settings(conn, id)?)
}

/// The letter settings of a visible case's receiving agency (a unit handling the case writes its
/// letters in the receiving agency's name, without seeing that agency otherwise).
///
/// # Errors
/// 404 invisible case.
pub fn settings_of_case(conn: &mut DbConnection, actor: &Actor, case_id: CaseId) -> ServiceResult<AgencySettings> {
    let case = super::cases::get_visible(conn, actor, case_id)?;
    Ok(crate::storage::letters::settings(conn, case.agency_id)?)
}

/// Replace the letter settings of an agency (its administrators and supervisors).
///
/// # Errors
/// 403 below supervisor; 404 invisible agency; 422 for texts too long.
pub fn put_settings(
    conn: &mut DbConnection,
    actor: &Actor,
    id: AgencyId,
    settings: &AgencySettings,
    now: NaiveDateTime,
) -> ServiceResult<AgencySettings> {
    get_visible(conn, actor, id)?;
    actor.require(actor.role.can_supervise(), "修改机关的文书设置")?;
    let mut errors = Errors::default();
    for (field, value, max) in [
        ("document_prefix", &settings.document_prefix, 40),
        ("contact", &settings.contact, 500),
        ("reconsideration_body", &settings.reconsideration_body, 200),
        ("court", &settings.court, 200),
        ("fee_payment", &settings.fee_payment, 1000),
    ] {
        errors.optional_text(field, value.as_deref(), max);
    }
    errors.finish()?;
    crate::storage::letters::put_settings(conn, id, settings, actor.user_id.get(), now)?;
    Ok(crate::storage::letters::settings(conn, id)?)
}

/// Agencies the caller sees, by id, after `after`.
///
/// # Errors
/// A database error.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    parent_id: Option<AgencyId>,
    after: Option<AgencyId>,
    limit: i64,
) -> ServiceResult<Vec<Agency>> {
    Ok(agencies::list(conn, actor.scope.as_deref(), parent_id, after, limit)?)
}
