//! Reference data: every coded enum with its labels.

use std::collections::BTreeMap;

use actix_web::{get, HttpResponse};

use crate::auth::Actor;
use crate::domain::{enums::reference_data, labels::Label};
use crate::error::AppError;

/// Every enum of the domain: `{name: [{code, zh, en}, …]}`.
#[utoipa::path(
    tag = "reference",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Enums by name", body = BTreeMap<String, Vec<Label>>),
        super::problems::ListErrors,
    )
)]
#[get("/reference")]
pub async fn get_reference(_actor: Actor) -> Result<HttpResponse, AppError> {
    let data: BTreeMap<&str, Vec<Label>> = reference_data().into_iter().collect();
    Ok(HttpResponse::Ok().json(data))
}
