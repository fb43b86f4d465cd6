//! The client registry (`/clients`) and households (`/households`).

use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use uuid::Uuid;

use super::problems::{ChangeErrors, CreateErrors, ListErrors, ReadErrors, WriteErrors};
use crate::auth::Actor;
use crate::dto::audit::AccessLogEntry;
use crate::dto::clients::{
    ClientOut, ClientQuery, ClientSummary, CreateClient, CreateHousehold, HouseholdOut, SetHouseholdMembers, TimelineEntry,
    UpdateClient,
};
use crate::error::AppError;
use crate::extract::{IdempotencyKey, IfMatch, PageParams, ValidatedJson};
use crate::paging::{Page, Paged};
use crate::services;
use crate::state::AppState;

use super::{json_with_version, written};

/// Clients in scope, newest first, with identity numbers and phones masked.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(ClientQuery, PageParams),
    responses(
        (status = 200, description = "A page of clients", body = Paged<ClientSummary>),
        ListErrors,
    )
)]
#[get("/clients")]
pub async fn list_clients(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ClientQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::clients::list(&state, &actor, query.into_inner(), &page).await?))
}

/// Registers a client (worker, supervisor).
///
/// A document number already registered answers 409 `duplicate_document`: with `existing_id`
/// when that client is in the caller's scope; otherwise only `registered_elsewhere` and a
/// `transfer_request` hint (whom to ask), nothing about the record. Such an out-of-scope hit is
/// audited, and a user gets `SHEGONG_DUPLICATE_PROBES_PER_DAY` of them a day; past that, any
/// document number is refused with 429 until the next day (`Retry-After`).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    request_body = CreateClient,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Registered", body = ClientOut),
        (status = 200, description = "Already registered with this id and the same data (a replay)", body = ClientOut),
        CreateErrors,
    )
)]
#[post("/clients")]
pub async fn create_client(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: ValidatedJson<CreateClient>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::clients::create(&state, &actor, claim, body.value).await?, Some("/api/v1/clients")))
}

/// One client in full (the read is audited).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Client id")),
    responses(
        (status = 200, description = "The client", body = ClientOut, headers(("ETag" = String, description = "Version"))),
        ReadErrors,
    )
)]
#[get("/clients/{id}")]
pub async fn get_client(state: web::Data<AppState>, actor: Actor, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let client = services::clients::get(&state, &actor, id.into_inner()).await?;
    Ok(json_with_version(&client, client.version))
}

/// Changes a client (worker, supervisor). Needs `If-Match`; the whole record is re-validated. A
/// changed document number is checked for duplicates as a registration is (409, 429).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    request_body = UpdateClient,
    params(
        ("id" = Uuid, Path, description = "Client id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Changed", body = ClientOut),
        ChangeErrors,
    )
)]
#[patch("/clients/{id}")]
pub async fn update_client(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<UpdateClient>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::clients::update(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// Soft-deletes a client (supervisor); the record stays in the database with `deleted_at`.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Client id")),
    responses(
        (status = 204, description = "Deleted"),
        WriteErrors,
    )
)]
#[delete("/clients/{id}")]
pub async fn delete_client(state: web::Data<AppState>, actor: Actor, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    services::clients::delete(&state, &actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The client's history, newest first.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Client id"), PageParams),
    responses(
        (status = 200, description = "A page of the timeline", body = Paged<TimelineEntry>),
        ReadErrors,
    )
)]
#[get("/clients/{id}/timeline")]
pub async fn get_client_timeline(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::clients::timeline(&state, &actor, id.into_inner(), &page).await?))
}

/// Who saw or touched the client's file, newest first (supervisor, admin): every audited read and
/// write of the client, its cases, sessions and records, with who, their role, what and when.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Client id"), PageParams),
    responses(
        (status = 200, description = "A page of the access log", body = Paged<AccessLogEntry>),
        ReadErrors,
    )
)]
#[get("/clients/{id}/access-log")]
pub async fn get_client_access_log(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::audit::access_log(&state, &actor, id.into_inner(), &page).await?))
}

/// Creates a household (worker, supervisor).
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    request_body = CreateHousehold,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Created", body = HouseholdOut),
        (status = 200, description = "Already created with this id and the same data (a replay)", body = HouseholdOut),
        CreateErrors,
    )
)]
#[post("/households")]
pub async fn create_household(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: ValidatedJson<CreateHousehold>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::clients::create_household(&state, &actor, claim, body.value).await?, Some("/api/v1/households")))
}

/// One household with its members.
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id")),
    responses(
        (status = 200, description = "The household", body = HouseholdOut),
        ReadErrors,
    )
)]
#[get("/households/{id}")]
pub async fn get_household(state: web::Data<AppState>, actor: Actor, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let h = services::clients::get_household(&state, &actor, id.into_inner()).await?;
    Ok(json_with_version(&h, h.version))
}

/// Replaces the members of a household (worker, supervisor).
#[utoipa::path(
    tag = "households",
    security(("bearer" = [])),
    request_body = SetHouseholdMembers,
    params(
        ("id" = Uuid, Path, description = "Household id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed"),
    ),
    responses(
        (status = 200, description = "The household", body = HouseholdOut),
        ChangeErrors,
    )
)]
#[put("/households/{id}/members")]
pub async fn set_household_members(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<SetHouseholdMembers>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::clients::set_members(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}
