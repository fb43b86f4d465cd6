//! The hierarchy (`/org-units`).

use actix_web::{get, patch, post, web, HttpResponse};
use uuid::Uuid;

use crate::auth::Actor;
use crate::dto::org_units::{CreateOrgUnit, OrgUnitOut, OrgUnitQuery, UpdateOrgUnit};
use crate::error::{AppError, Problem};
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
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
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
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer")),
    responses(
        (status = 201, description = "Created", body = OrgUnitOut),
        (status = 200, description = "Already created with this id", body = OrgUnitOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Conflict", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
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
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in scope", body = Problem, content_type = "application/problem+json"),
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
        ("If-Match" = String, Header, description = "The ETag of the version being changed"),
    ),
    responses(
        (status = 200, description = "Changed", body = OrgUnitOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/org-units/{id}")]
pub async fn update_org_unit(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<UpdateOrgUnit>,
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
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
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
