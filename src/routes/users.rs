//! User accounts (`/users`).

use actix_web::{get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::problems::{ChangeErrors, CreateErrors, ListErrors, ReadErrors, WriteErrors};
use crate::auth::Actor;
use crate::dto::users::{CreateUser, ResetPassword, UpdateUser, UserOut, UserQuery};
use crate::error::AppError;
use crate::extract::{IdempotencyKey, IfMatch, PageParams, ValidatedJson};
use crate::paging::{Page, Paged};
use crate::services;
use crate::state::AppState;

use super::{json_with_version, written};

/// Users in the caller's scope, by username.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(UserQuery, PageParams),
    responses(
        (status = 200, description = "A page of users", body = Paged<UserOut>),
        ListErrors,
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<UserQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::users::list(&state, &actor, query.into_inner(), &page).await?))
}

/// Creates a user in a unit of the admin's scope.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Created", body = UserOut),
        (status = 200, description = "Already created with this id and the same data (a replay)", body = UserOut),
        CreateErrors,
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: ValidatedJson<CreateUser>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::users::create(&state, &actor, claim, body.value).await?, Some("/api/v1/users")))
}

/// One user in scope.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = UserOut, headers(("ETag" = String, description = "Version"))),
        ReadErrors,
    )
)]
#[get("/users/{id}")]
pub async fn get_user(state: web::Data<AppState>, actor: Actor, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let user = services::users::get(&state, &actor, id.into_inner()).await?;
    Ok(json_with_version(&user, user.version))
}

/// Changes a user (admin): role, unit, active, certification. Needs `If-Match`.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = UpdateUser,
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Changed", body = UserOut),
        ChangeErrors,
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<UpdateUser>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::users::update(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// Sets a new password for a user in scope (admin); all their sessions end.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = ResetPassword,
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 204, description = "Password set"),
        WriteErrors,
    )
)]
#[post("/users/{id}/reset-password")]
pub async fn reset_user_password(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<ResetPassword>,
) -> Result<HttpResponse, AppError> {
    services::users::reset_password(&state, &actor, id.into_inner(), body.into_inner().new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}
