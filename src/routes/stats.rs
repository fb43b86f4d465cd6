//! Statistics (`/stats`) and their export.

use actix_web::{get, http::header, web, HttpResponse};

use crate::auth::Actor;
use crate::dto::stats::{ExportQuery, StatsOut, StatsQuery};
use crate::error::{AppError, Problem};
use crate::services;
use crate::state::AppState;

/// The figures of a subtree and period (supervisor, admin), by child unit and/or month.
#[utoipa::path(
    tag = "stats",
    security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, description = "The figures", body = StatsOut),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Workers read no statistics", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad period or grouping", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats")]
pub async fn get_stats(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::stats::stats(&state, &actor, &query).await?))
}

/// The same figures as a spreadsheet with Chinese headers (`xlsx` or `csv`).
#[utoipa::path(
    tag = "stats",
    security(("bearer" = [])),
    params(StatsQuery, ExportQuery),
    responses(
        (status = 200, description = "The spreadsheet", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Workers read no statistics", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad period, grouping or format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/export")]
pub async fn export_stats(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<StatsQuery>,
    format: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    let format = format.format.clone().unwrap_or_else(|| "xlsx".into());
    let file = services::stats::export(&state, &actor, &query, &format).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.file_name)))
        .body(file.bytes))
}
