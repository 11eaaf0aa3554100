//! Agencies: create, get, list within the caller's subtree.

use chrono::NaiveDateTime;

use super::{Actor, ServiceError, ServiceResult};
use crate::domain::error::Errors;
use crate::domain::Violation;
use crate::storage::agencies::{self, AgencyRow};
use crate::storage::DbConnection;

/// A validated new agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAgency {
    pub name: String,
    pub code: String,
    pub parent_id: Option<i64>,
}

impl NewAgency {
    /// Validate: a name of at most 200 characters, a code of 1–16 uppercase letters, digits or `-`.
    ///
    /// # Errors
    /// The field errors.
    pub fn parse(name: &str, code: &str, parent_id: Option<i64>) -> Result<Self, Violation> {
        let mut errors = Errors::default();
        let name = errors.text("name", name, 200);
        let code = code.trim().to_string();
        if code.is_empty()
            || code.len() > 16
            || !code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        {
            errors.add("code", "must be 1–16 characters: uppercase letters A–Z, digits or '-'");
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
pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewAgency, now: NaiveDateTime) -> ServiceResult<AgencyRow> {
    actor.require(actor.role.can_administer(), "create agencies")?;
    let parent = match new.parent_id {
        Some(id) => Some(get_visible(conn, actor, id)?),
        None if actor.scope.is_some() => {
            return Err(Violation::field(
                "parent_required",
                "parent_id",
                "an administrator of an agency creates agencies only inside its own subtree",
            )
            .into())
        }
        None => None,
    };
    if agencies::code_exists(conn, &new.code)? {
        return Err(Violation::field("duplicate_code", "code", format!("the code `{}` is taken", new.code)).into());
    }
    Ok(agencies::insert(conn, &new.name, &new.code, parent.as_ref(), now)?)
}

/// The agency with `id` if the caller sees it.
///
/// # Errors
/// 404 when it does not exist or is not visible.
pub fn get_visible(conn: &mut DbConnection, actor: &Actor, id: i64) -> ServiceResult<AgencyRow> {
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
    parent_id: Option<i64>,
    after: Option<i64>,
    limit: i64,
) -> ServiceResult<Vec<AgencyRow>> {
    Ok(agencies::list(conn, actor.scope.as_deref(), parent_id, after, limit)?)
}
