//! The audit log (`/audit-events`).

use actix_web::{get, web, HttpResponse};

use super::problems::ListErrors;
use crate::auth::Actor;
use crate::dto::audit::{AuditEventOut, AuditQuery};
use crate::error::AppError;
use crate::extract::PageParams;
use crate::paging::{Page, Paged};
use crate::services;
use crate::state::AppState;

/// Audit events of users in the caller's scope, newest first (supervisor, admin).
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery, PageParams),
    responses(
        (status = 200, description = "A page of events", body = Paged<AuditEventOut>),
        ListErrors,
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<AuditQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::audit::list(&state, &actor, query.into_inner(), &page).await?))
}
