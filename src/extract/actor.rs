//! `Actor`: the authenticated caller, loaded from the database on every request.
//!
//! The token only says who the caller claims to be; role, unit, scope and whether the account is
//! still active (and its `token_version`) are read fresh, so disabling or moving a user takes
//! effect on their next request rather than when their token expires.

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use crate::auth::AccessScope;
use crate::db::repo;
use crate::domain::enums::{Role, Tier};
use crate::error::AppError;
use crate::state::AppState;

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Actor {
    /// User id.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// The user's unit.
    pub org_unit_id: Uuid,
    /// Tier of the user's unit.
    pub unit_tier: Tier,
    /// The subtree the caller may see.
    pub scope: AccessScope,
    /// The session (refresh-token family) the access token belongs to.
    pub session_id: Uuid,
}

impl Actor {
    /// Whether the caller has one of these roles.
    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }

    /// A user acting outside any request (seeding, imports): the same identity and scope, with no
    /// session behind it.
    pub fn for_user(user: &crate::db::models::User, unit: &crate::db::models::OrgUnit) -> Self {
        Actor {
            id: user.id,
            username: user.username.clone(),
            role: user.role,
            org_unit_id: unit.id,
            unit_tier: unit.tier,
            scope: AccessScope { unit_id: unit.id, path: unit.path.clone() },
            session_id: Uuid::nil(),
        }
    }
}

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
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal(anyhow::anyhow!("state missing")))?;
            let token = token.ok_or(AppError::Unauthorized)?;
            let claims = state.tokens.verify_access(&token).ok_or(AppError::Unauthorized)?;
            let mut conn = state.conn().await?;
            let row = repo::users::find_actor(&mut conn, claims.sub).await?.ok_or(AppError::Unauthorized)?;
            if !row.is_active || row.token_version != claims.ver {
                return Err(AppError::Unauthorized);
            }
            Ok(Actor {
                id: row.id,
                username: row.username,
                role: row.role,
                org_unit_id: row.org_unit_id,
                unit_tier: row.unit_tier,
                scope: AccessScope { unit_id: row.org_unit_id, path: row.unit_path },
                session_id: claims.sid,
            })
        })
    }
}
