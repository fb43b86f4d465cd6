//! Service sessions (`/sessions`) and groups (`/groups`).

use actix_web::{get, patch, post, put, web, HttpResponse};
use uuid::Uuid;

use super::problems::{ChangeErrors, CreateErrors, ListErrors, ReadErrors};
use crate::auth::Actor;
use crate::dto::sessions::{
    CreateGroup, CreateSession, GroupOut, GroupQuery, SessionEnvelope, SessionOut, SessionQuery, SetGroupMembers, UpdateGroup,
    UpdateSession,
};
use crate::error::AppError;
use crate::extract::{IdempotencyKey, IfMatch, PageParams, ValidatedJson};
use crate::paging::{Page, Paged};
use crate::services;
use crate::state::AppState;

use super::{json_with_version, written};

/// Sessions in scope, newest first.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(SessionQuery, PageParams),
    responses(
        (status = 200, description = "A page of sessions", body = Paged<SessionOut>),
        ListErrors,
    )
)]
#[get("/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<SessionQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::sessions::list(&state, &actor, query.into_inner(), &page).await?))
}

/// Records a session: `method` is `individual`, `group` or `community`, each with its own fields.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    request_body = CreateSession,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Recorded", body = SessionOut),
        (status = 200, description = "Already recorded with this id and the same data (a replay)", body = SessionOut),
        CreateErrors,
    )
)]
#[post("/sessions")]
pub async fn create_session(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: ValidatedJson<SessionEnvelope>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    let session = CreateSession::from_envelope(body.value)?;
    Ok(written(services::sessions::create(&state, &actor, claim, session).await?, Some("/api/v1/sessions")))
}

/// One session in scope, with attendance.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The session", body = SessionOut, headers(("ETag" = String, description = "Version"))),
        ReadErrors,
    )
)]
#[get("/sessions/{id}")]
pub async fn get_session(state: web::Data<AppState>, actor: Actor, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let s = services::sessions::get(&state, &actor, id.into_inner()).await?;
    Ok(json_with_version(&s, s.version))
}

/// Edits a session (the recorder or a supervisor). Needs `If-Match`.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    request_body = UpdateSession,
    params(
        ("id" = Uuid, Path, description = "Session id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Changed", body = SessionOut),
        ChangeErrors,
    )
)]
#[patch("/sessions/{id}")]
pub async fn update_session(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<UpdateSession>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::sessions::update(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// Groups in scope, newest first.
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    params(GroupQuery, PageParams),
    responses(
        (status = 200, description = "A page of groups", body = Paged<GroupOut>),
        ListErrors,
    )
)]
#[get("/groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<GroupQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::sessions::list_groups(&state, &actor, query.into_inner(), &page).await?))
}

/// Creates a group (worker, supervisor).
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    request_body = CreateGroup,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Created", body = GroupOut),
        (status = 200, description = "Already created with this id and the same data (a replay)", body = GroupOut),
        CreateErrors,
    )
)]
#[post("/groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: ValidatedJson<CreateGroup>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::sessions::create_group(&state, &actor, claim, body.value).await?, Some("/api/v1/groups")))
}

/// One group with members, sessions and attendance figures.
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Group id")),
    responses(
        (status = 200, description = "The group", body = GroupOut, headers(("ETag" = String, description = "Version"))),
        ReadErrors,
    )
)]
#[get("/groups/{id}")]
pub async fn get_group(state: web::Data<AppState>, actor: Actor, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let g = services::sessions::get_group(&state, &actor, id.into_inner()).await?;
    Ok(json_with_version(&g, g.version))
}

/// Changes a group (worker, supervisor). Needs `If-Match`.
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    request_body = UpdateGroup,
    params(
        ("id" = Uuid, Path, description = "Group id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Changed", body = GroupOut),
        ChangeErrors,
    )
)]
#[patch("/groups/{id}")]
pub async fn update_group(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<UpdateGroup>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::sessions::update_group(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// Sets the current members of a group (worker, supervisor).
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    request_body = SetGroupMembers,
    params(
        ("id" = Uuid, Path, description = "Group id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed"),
    ),
    responses(
        (status = 200, description = "The group", body = GroupOut),
        ChangeErrors,
    )
)]
#[put("/groups/{id}/members")]
pub async fn set_group_members(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<SetGroupMembers>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::sessions::set_group_members(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}
