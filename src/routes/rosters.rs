//! Rosters (`/roster-entries`), the visit intervals of units (`/org-units/{id}/visit-intervals`)
//! and the supervisors' alerts (`/alerts`).

use actix_web::{get, patch, post, put, web, HttpResponse};
use uuid::Uuid;

use super::problems::{ChangeErrors, CreateErrors, ListErrors, ReadErrors, WriteErrors};
use super::{json_with_version, written};
use crate::auth::Actor;
use crate::dto::rosters::{
    AcknowledgeAlert, AlertOut, AlertQuery, CreateRosterEntry, DecideProposal, LeaveRoster, RerateRosterEntry, RosterEntryOut,
    RosterQuery, SetVisitIntervals, UpdateRosterEntry, VisitIntervalsOut,
};
use crate::error::AppError;
use crate::extract::{IdempotencyKey, IfMatch, PageParams, ValidatedJson};
use crate::paging::{Page, Paged};
use crate::services;
use crate::state::AppState;

/// Roster entries in scope: active ones most urgent first (next visit due), or those that left.
/// A worker's visits due this week: `?responsible=me&due_before=<Sunday>`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    params(RosterQuery, PageParams),
    responses(
        (status = 200, description = "A page of roster entries", body = Paged<RosterEntryOut>),
        ListErrors,
    )
)]
#[get("/roster-entries")]
pub async fn list_roster_entries(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<RosterQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::rosters::list(&state, &actor, query.into_inner(), &page).await?))
}

/// Enrols a client in a care programme (one active entry per client and programme).
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    request_body = CreateRosterEntry,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Enrolled", body = RosterEntryOut),
        (status = 200, description = "Already enrolled with this id and the same data (a replay)", body = RosterEntryOut),
        CreateErrors,
    )
)]
#[post("/roster-entries")]
pub async fn create_roster_entry(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: ValidatedJson<CreateRosterEntry>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::rosters::create(&state, &actor, claim, body.value).await?, Some("/api/v1/roster-entries")))
}

/// One roster entry in scope, with its level history, pending re-rating and visits.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Roster entry id")),
    responses(
        (status = 200, description = "The entry", body = RosterEntryOut, headers(("ETag" = String, description = "Version"))),
        ReadErrors,
    )
)]
#[get("/roster-entries/{id}")]
pub async fn get_roster_entry(state: web::Data<AppState>, actor: Actor, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let e = services::rosters::get(&state, &actor, id.into_inner()).await?;
    Ok(json_with_version(&e, e.version))
}

/// Changes a roster entry: interval, notes, and (supervisors) the responsible worker. Needs
/// `If-Match`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    request_body = UpdateRosterEntry,
    params(
        ("id" = Uuid, Path, description = "Roster entry id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Changed", body = RosterEntryOut),
        ChangeErrors,
    )
)]
#[patch("/roster-entries/{id}")]
pub async fn update_roster_entry(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<UpdateRosterEntry>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::rosters::update(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// Takes the person off the roster (the entry and its history stay). Needs `If-Match`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    request_body = LeaveRoster,
    params(
        ("id" = Uuid, Path, description = "Roster entry id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Left", body = RosterEntryOut),
        ChangeErrors,
    )
)]
#[post("/roster-entries/{id}/leave")]
pub async fn leave_roster(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<LeaveRoster>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::rosters::leave(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// Re-rates a roster entry (the responsible worker or a supervisor; red needs a reason and alerts
/// the supervisors). Needs `If-Match`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    request_body = RerateRosterEntry,
    params(
        ("id" = Uuid, Path, description = "Roster entry id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Re-rated", body = RosterEntryOut),
        ChangeErrors,
    )
)]
#[post("/roster-entries/{id}/rerate")]
pub async fn rerate_roster_entry(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<RerateRosterEntry>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::rosters::rerate(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// Confirms or rejects the re-rating a visit proposed. Needs `If-Match`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    request_body = DecideProposal,
    params(
        ("id" = Uuid, Path, description = "Roster entry id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Decided", body = RosterEntryOut),
        ChangeErrors,
    )
)]
#[post("/roster-entries/{id}/proposal")]
pub async fn decide_roster_proposal(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<DecideProposal>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::rosters::decide_proposal(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// The visit intervals in force for a unit: its own, the nearest unit's above it, or the defaults.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Unit id")),
    responses(
        (status = 200, description = "The intervals", body = VisitIntervalsOut, headers(("ETag" = String, description = "Version of the unit's own settings (\"0\" when it has none)"))),
        ReadErrors,
    )
)]
#[get("/org-units/{id}/visit-intervals")]
pub async fn get_visit_intervals(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let i = services::rosters::intervals(&state, &actor, id.into_inner()).await?;
    Ok(json_with_version(&i, i.version))
}

/// Sets a unit's visit intervals (supervisors and administrators); the active entries under it
/// that follow their level take them at once. Needs `If-Match` (`"0"` before the unit has any).
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    request_body = SetVisitIntervals,
    params(
        ("id" = Uuid, Path, description = "Unit id"),
        ("If-Match" = String, Header, description = "The ETag of the unit's own settings (\"0\" before it has any)", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Set", body = VisitIntervalsOut),
        ChangeErrors,
    )
)]
#[put("/org-units/{id}/visit-intervals")]
pub async fn set_visit_intervals(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<SetVisitIntervals>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::rosters::set_intervals(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// The supervisors' queue: urgent reports from visits and red ratings, oldest first.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    params(AlertQuery, PageParams),
    responses(
        (status = 200, description = "A page of alerts", body = Paged<AlertOut>),
        ListErrors,
    )
)]
#[get("/alerts")]
pub async fn list_alerts(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<AlertQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::rosters::alerts(&state, &actor, query.into_inner(), &page).await?))
}

/// Acknowledges an alert (a supervisor in scope), with what was done.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = [])),
    request_body = AcknowledgeAlert,
    params(("id" = Uuid, Path, description = "Alert id")),
    responses(
        (status = 200, description = "Acknowledged", body = AlertOut),
        WriteErrors,
    )
)]
#[post("/alerts/{id}/acknowledge")]
pub async fn acknowledge_alert(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<AcknowledgeAlert>,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::rosters::acknowledge(&state, &actor, id.into_inner(), body.value).await?, None))
}
