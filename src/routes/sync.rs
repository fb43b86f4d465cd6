//! `GET /sync/changes` and `GET /sync/checksums`: what a mobile app pulls (FIELDWORK.md §3).

use actix_web::{get, web, HttpResponse};

use super::problems::ListErrors;
use crate::auth::Actor;
use crate::dto::sync::{SyncChanges, SyncChecksums, SyncQuery};
use crate::error::AppError;
use crate::services;
use crate::state::AppState;

/// What changed in the caller's scope since `since`, in commit order, each record once at its
/// latest version; records deleted or no longer in scope come as `remove`. Without `since`, the
/// first download. Pull until `has_more` is false and keep `next_cursor` for next time.
#[utoipa::path(
    tag = "sync",
    security(("bearer" = [])),
    params(SyncQuery),
    responses(
        (status = 200, description = "A page of changes", body = SyncChanges),
        ListErrors,
    )
)]
#[get("/sync/changes")]
pub async fn get_sync_changes(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<SyncQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::sync::changes::pull(&state, &actor, query.into_inner()).await?))
}

/// Per unit in the caller's scope, the count and checksum of the records a device holds after a
/// full pull: a device compares its own and re-pulls only a unit that differs.
#[utoipa::path(
    tag = "sync",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Checksums per unit", body = SyncChecksums),
        ListErrors,
    )
)]
#[get("/sync/checksums")]
pub async fn get_sync_checksums(state: web::Data<AppState>, actor: Actor) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::sync::changes::checksums(&state, &actor).await?))
}
