//! The caseload view (`/caseload`).

use actix_web::{get, web, HttpResponse};

use crate::auth::Actor;
use crate::dto::caseload::{CaseloadOut, CaseloadQuery};
use crate::error::{AppError, Problem};
use crate::services;
use crate::state::AppState;

/// Per worker of a subtree: open cases by status and risk, overdue visits, sessions and minutes of
/// the last 30 days, pending reviews; with the unit's totals (supervisor, admin).
#[utoipa::path(
    tag = "stats",
    security(("bearer" = [])),
    params(CaseloadQuery),
    responses(
        (status = 200, description = "The caseload", body = CaseloadOut),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Workers see no caseload", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/caseload")]
pub async fn get_caseload(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<CaseloadQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::caseload::caseload(&state, &actor, &query).await?))
}
