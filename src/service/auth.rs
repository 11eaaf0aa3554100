//! Who is calling: tokens, roles and the agency subtree a user may see.

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{Actor, ServiceResult};
use crate::domain::{AgencyId, Role, UserId};
use crate::storage::{users, DbConnection};

/// The caller as the database has it now, for administrative actions: read inside their
/// transaction, so that a deactivated user, or a role or agency changed since the token was
/// looked up (or cached), is refused at once, on every instance. The command line's
/// [`Actor::system`] is not a stored user and passes as it is.
///
/// # Errors
/// 403 when the user is deactivated, gone, or its role is no longer one the service knows.
pub fn current(conn: &mut DbConnection, actor: &Actor) -> ServiceResult<Actor> {
    if *actor == Actor::system() {
        return Ok(actor.clone());
    }
    let refused = || super::ServiceError::forbidden("该用户已停用或不存在，不能执行管理操作");
    let (user, path) = users::find_with_path(conn, actor.user_id.get())?.ok_or_else(refused)?;
    let role = Role::parse(&user.role).ok_or_else(refused)?;
    if !user.active || (user.agency_id.is_some() && path.is_none()) {
        return Err(refused());
    }
    Ok(Actor {
        user_id: UserId::new(user.id),
        name: user.name,
        role,
        agency_id: user.agency_id.map(AgencyId::new),
        scope: path,
    })
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
    Ok(Some(Actor {
        user_id: UserId::new(user.id),
        name: user.name,
        role,
        agency_id: user.agency_id.map(AgencyId::new),
        scope: path,
    }))
}
