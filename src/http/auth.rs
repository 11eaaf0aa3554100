//! Bearer-token authentication as an extractor: every `/api/v1` handler takes an [`AuthUser`].

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use super::error::ApiError;
use super::AppState;
use crate::service::{auth, Actor};

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct AuthUser(pub Actor);

impl std::ops::Deref for AuthUser {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.0
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::corrupt("application state missing"))?;
            let token = token.ok_or(ApiError::Unauthorized {
                detail: "send `Authorization: Bearer <token>`; `gongkai user add` creates a token",
            })?;
            let actor =
                state.db.read(move |conn| auth::authenticate(conn, &token)).await.map_err(ApiError::from)?.ok_or(
                    ApiError::Unauthorized { detail: "the token is unknown, revoked, or its user is deactivated" },
                )?;
            Ok(AuthUser(actor))
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 256).then(|| token.to_string())
}
