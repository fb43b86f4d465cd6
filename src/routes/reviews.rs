//! Supervisor reviews (`/reviews`): the queue and decisions.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::problems::{ChangeErrors, ListErrors};
use crate::auth::Actor;
use crate::dto::reviews::{DecideReview, ReviewOut, ReviewQuery};
use crate::error::AppError;
use crate::extract::{IfMatch, PageParams, ValidatedJson};
use crate::paging::{Page, Paged};
use crate::services;
use crate::state::AppState;

use super::written;

/// Reviews in scope, oldest first; `status=pending` is the supervisor's queue.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(ReviewQuery, PageParams),
    responses(
        (status = 200, description = "A page of reviews", body = Paged<ReviewOut>),
        ListErrors,
    )
)]
#[get("/reviews")]
pub async fn list_reviews(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ReviewQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::reviews::list(&state, &actor, query.into_inner(), &page).await?))
}

/// Approves or returns a pending review (a supervisor in scope who did not request it); the case
/// moves on accordingly. Returning needs a comment.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    request_body = DecideReview,
    params(
        ("id" = Uuid, Path, description = "Review id"),
        ("If-Match" = String, Header, description = "The ETag of the case's version the decision was made on (`case_version` of the review)"),
    ),
    responses(
        (status = 200, description = "Decided", body = ReviewOut),
        ChangeErrors,
    )
)]
#[post("/reviews/{id}/decision")]
pub async fn decide_review(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<DecideReview>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::reviews::decide(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}
