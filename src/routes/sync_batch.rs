//! Pushing offline mutations (`POST /sync/batch`).

use actix_web::{post, web, HttpResponse};

use super::problems::WriteErrors;
use crate::auth::Actor;
use crate::dto::sync_batch::{SyncBatch, SyncBatchResult};
use crate::error::AppError;
use crate::extract::ValidatedJson;
use crate::services;
use crate::state::AppState;

/// Applies a device's offline mutations in order, each on its own (any signed-in user; each
/// mutation needs what its REST endpoint needs).
///
/// Every mutation gets a result, in order: `applied`, `merged` (the record moved on but none of
/// the changed fields did), `conflict` (per field `base`, `mine`, `theirs`; nothing written),
/// `rejected` (with the problem body the REST endpoint would answer) or `duplicate` (this
/// `mutation_id` was pushed before: its first result again, nothing written). One bad mutation
/// never fails the batch; more than 500 mutations is a 422 on `mutations`.
#[utoipa::path(
    tag = "sync",
    security(("bearer" = [])),
    request_body = SyncBatch,
    responses(
        (status = 200, description = "One result per mutation, in order", body = SyncBatchResult),
        WriteErrors,
    )
)]
#[post("/sync/batch")]
pub async fn post_sync_batch(
    state: web::Data<AppState>,
    actor: Actor,
    body: ValidatedJson<SyncBatch>,
) -> Result<HttpResponse, AppError> {
    // Each mutation's body is parsed here, as its own endpoint would parse it; a bad one is that
    // mutation's problem, not the batch's.
    let mutations = body.value.mutations.into_iter().map(|m| m.parse()).collect();
    Ok(HttpResponse::Ok().json(services::sync::batch::push(&state, &actor, mutations).await?))
}
