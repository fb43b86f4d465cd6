//! Supervision records (`/supervision-records`, 督导记录).

use actix_web::{get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::problems::{ChangeErrors, CreateErrors, ListErrors, ReadErrors};
use crate::auth::Actor;
use crate::dto::supervision::{CreateSupervisionRecord, SupervisionQuery, SupervisionRecordOut, UpdateSupervisionRecord};
use crate::error::AppError;
use crate::extract::{IdempotencyKey, IfMatch, PageParams, ValidatedJson};
use crate::paging::{Page, Paged};
use crate::services;
use crate::state::AppState;

use super::{json_with_version, written};

/// Supervision records in scope, newest first.
#[utoipa::path(
    tag = "supervision",
    security(("bearer" = [])),
    params(SupervisionQuery, PageParams),
    responses(
        (status = 200, description = "A page of records", body = Paged<SupervisionRecordOut>),
        ListErrors,
    )
)]
#[get("/supervision-records")]
pub async fn list_supervision_records(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<SupervisionQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::supervision::list(&state, &actor, query.into_inner(), &page).await?))
}

/// Records a supervision (supervisor).
#[utoipa::path(
    tag = "supervision",
    security(("bearer" = [])),
    request_body = CreateSupervisionRecord,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Recorded", body = SupervisionRecordOut),
        (status = 200, description = "Already recorded with this id and the same data (a replay)", body = SupervisionRecordOut),
        CreateErrors,
    )
)]
#[post("/supervision-records")]
pub async fn create_supervision_record(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: ValidatedJson<CreateSupervisionRecord>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::supervision::create(&state, &actor, claim, body.value).await?, Some("/api/v1/supervision-records")))
}

/// One supervision record.
#[utoipa::path(
    tag = "supervision",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 200, description = "The record", body = SupervisionRecordOut, headers(("ETag" = String, description = "Version"))),
        ReadErrors,
    )
)]
#[get("/supervision-records/{id}")]
pub async fn get_supervision_record(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let record = services::supervision::get(&state, &actor, id.into_inner()).await?;
    Ok(json_with_version(&record, record.version))
}

/// Changes a supervision record (supervisor; If-Match), e.g. to mark agreed actions done.
#[utoipa::path(
    tag = "supervision",
    security(("bearer" = [])),
    request_body = UpdateSupervisionRecord,
    params(
        ("id" = Uuid, Path, description = "Record id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Changed", body = SupervisionRecordOut),
        ChangeErrors,
    )
)]
#[patch("/supervision-records/{id}")]
pub async fn update_supervision_record(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<UpdateSupervisionRecord>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::supervision::update(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}
