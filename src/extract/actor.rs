//! The `Actor` extractor: the authenticated caller, loaded from the database on every request.
//!
//! The token only says who the caller claims to be; role, unit, scope and whether the account is
//! still active (and its `token_version`) are read fresh, so disabling or moving a user takes
//! effect on their next request rather than when their token expires.

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::auth::{AccessScope, Actor};
use crate::db::repo;
use crate::error::AppError;
use crate::state::AppState;

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

impl FromRequest for Actor {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal(anyhow::anyhow!("state missing")))?;
            let token = token.ok_or(AppError::Unauthorized)?;
            let claims = state.tokens.verify_access(&token).ok_or(AppError::Unauthorized)?;
            let mut conn = state.conn().await?;
            let row = repo::users::find_actor(&mut conn, claims.sub).await?.ok_or(AppError::Unauthorized)?;
            if !row.is_active || row.token_version != claims.ver {
                return Err(AppError::Unauthorized);
            }
            let actor = Actor {
                id: row.id,
                username: row.username,
                role: row.role,
                org_unit_id: row.org_unit_id,
                unit_tier: row.unit_tier,
                scope: AccessScope { unit_id: row.org_unit_id, path: row.unit_path },
                session_id: claims.sid,
            };
            // Kept on the request, so that the middleware can record who a 404 answered.
            req.extensions_mut().insert(actor.clone());
            Ok(actor)
        })
    }
}
