//! Agencies: create, get, list within the caller's subtree.

use chrono::NaiveDateTime;

use super::{Actor, ServiceError, ServiceResult};
use crate::domain::case::Agency;
use crate::domain::error::Errors;
use crate::domain::ids::AgencyId;
use crate::domain::Violation;
use crate::storage::agencies;
use crate::storage::DbConnection;

/// A validated new agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAgency {
    pub name: String,
    pub code: String,
    pub parent_id: Option<AgencyId>,
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
        Ok(Self { name, code, parent_id })
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
    Ok(agencies::insert(conn, &new.name, &new.code, parent.as_ref(), now)?)
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
