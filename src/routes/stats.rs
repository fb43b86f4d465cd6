//! Statistics (`/stats`) and their export.

use actix_web::{get, http::header, web, HttpResponse};

use super::problems::ReadErrors;
use crate::auth::Actor;
use crate::dto::stats::{ExportQuery, StatsOut, StatsQuery};
use crate::error::AppError;
use crate::services::{self, stats::SheetFormat};
use crate::state::AppState;

/// The figures of a subtree and period (supervisor, admin), by child unit and/or month.
#[utoipa::path(
    tag = "stats",
    security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, description = "The figures", body = StatsOut),
        ReadErrors,
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
        (status = 200, description = "The spreadsheet: xlsx, or CSV with `format=csv`", content(
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("text/csv"),
        )),
        ReadErrors,
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
    let content_type = match file.format {
        SheetFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        SheetFormat::Csv => "text/csv; charset=utf-8",
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.file_name)))
        .body(file.bytes))
}
