//! Who is calling: tokens, roles and the agency subtree a user may see.

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{ServiceError, ServiceResult};
use crate::domain::Role;
use crate::storage::{users, DbConnection};

/// The authenticated caller of a use case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<i64>,
    /// Path prefix of the agencies the caller sees (`/1/4/`); `None` sees every agency.
    pub scope: Option<String>,
}

impl Actor {
    /// The command line acting on the database directly: an administrator who sees everything.
    pub fn system() -> Self {
        Self { user_id: 0, name: "gongkai command line".into(), role: Role::Admin, agency_id: None, scope: None }
    }

    /// Whether an agency with materialised `path` is the caller's agency or one of its descendants.
    pub fn sees(&self, agency_path: &str) -> bool {
        self.scope.as_deref().is_none_or(|scope| agency_path.starts_with(scope))
    }

    /// Require `allowed`, or fail with 403 naming `action`.
    ///
    /// # Errors
    /// `Forbidden` when the role does not allow it.
    pub fn require(&self, allowed: bool, action: &str) -> ServiceResult<()> {
        if allowed {
            Ok(())
        } else {
            Err(ServiceError::forbidden(format!("the role `{}` may not {action}", self.role)))
        }
    }
}

/// A new random API token (`gk_` and 43 base64url characters: 256 bits).
pub fn generate_token() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("gk_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a token: SHA-256, hex. Tokens are random, so a fast hash is enough.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The actor holding the token whose [`hash_token`] is `hash`, if the token is valid, unrevoked
/// and its user active.
///
/// # Errors
/// A database error.
pub fn authenticate_hashed(conn: &mut DbConnection, hash: &str) -> ServiceResult<Option<Actor>> {
    let Some((user, path)) = users::find_by_token(conn, hash)? else {
        return Ok(None);
    };
    let Some(role) = Role::parse(&user.role) else {
        return Ok(None);
    };
    if !user.active || (user.agency_id.is_some() && path.is_none()) {
        return Ok(None);
    }
    Ok(Some(Actor { user_id: user.id, name: user.name, role, agency_id: user.agency_id, scope: path }))
}
