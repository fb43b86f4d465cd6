//! The hierarchy (`/org-units`).

use actix_web::{get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::problems::{ChangeErrors, CreateErrors, ListErrors, ReadErrors};
use crate::auth::Actor;
use crate::dto::org_units::{CreateOrgUnit, OrgUnitOut, OrgUnitQuery, UpdateOrgUnit};
use crate::error::AppError;
use crate::extract::{IdempotencyKey, IfMatch, PageParams, ValidatedJson};
use crate::paging::{Page, Paged};
use crate::services;
use crate::state::AppState;

use super::{json_with_version, written};

/// Units in the caller's scope, in tree order.
#[utoipa::path(
    tag = "org-units",
    security(("bearer" = [])),
    params(OrgUnitQuery, PageParams),
    responses(
        (status = 200, description = "A page of units", body = Paged<OrgUnitOut>),
        ListErrors,
    )
)]
#[get("/org-units")]
pub async fn list_org_units(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<OrgUnitQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::org_units::list(&state, &actor, query.into_inner(), &page).await?))
}

/// Creates a unit under a parent in scope (admin).
#[utoipa::path(
    tag = "org-units",
    security(("bearer" = [])),
    request_body = CreateOrgUnit,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Created", body = OrgUnitOut),
        (status = 200, description = "Already created with this id and the same data (a replay)", body = OrgUnitOut),
        CreateErrors,
    )
)]
#[post("/org-units")]
pub async fn create_org_unit(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: ValidatedJson<CreateOrgUnit>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::org_units::create(&state, &actor, claim, body.value).await?, Some("/api/v1/org-units")))
}

/// One unit in scope.
#[utoipa::path(
    tag = "org-units",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Unit id")),
    responses(
        (status = 200, description = "The unit", body = OrgUnitOut, headers(("ETag" = String, description = "Version"))),
        ReadErrors,
    )
)]
#[get("/org-units/{id}")]
pub async fn get_org_unit(state: web::Data<AppState>, actor: Actor, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let unit = services::org_units::get(&state, &actor, id.into_inner()).await?;
    Ok(json_with_version(&unit, unit.version))
}

/// Changes a unit (admin); `parent_id` moves it with its subtree. Needs `If-Match`.
#[utoipa::path(
    tag = "org-units",
    security(("bearer" = [])),
    request_body = UpdateOrgUnit,
    params(
        ("id" = Uuid, Path, description = "Unit id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Changed", body = OrgUnitOut),
        ChangeErrors,
    )
)]
#[patch("/org-units/{id}")]
pub async fn update_org_unit(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<UpdateOrgUnit>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::org_units::update(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// The direct children of a unit in scope.
#[utoipa::path(
    tag = "org-units",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Unit id"), PageParams),
    responses(
        (status = 200, description = "A page of children", body = Paged<OrgUnitOut>),
        ReadErrors,
    )
)]
#[get("/org-units/{id}/children")]
pub async fn list_org_unit_children(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::org_units::children(&state, &actor, id.into_inner(), &page).await?))
}
