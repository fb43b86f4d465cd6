//! The caseload view (`/caseload`).

use actix_web::{get, web, HttpResponse};

use super::problems::ReadErrors;
use crate::auth::Actor;
use crate::dto::caseload::{CaseloadOut, CaseloadQuery};
use crate::error::AppError;
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
        ReadErrors,
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
