//! HTTP only: one file per resource, handlers named `verb_noun`, each parsing its input,
//! calling one service and shaping the response. The route table is `configure` below.

pub mod audit;
pub mod auth;
pub mod clients;
pub mod health;
pub mod org_units;
pub mod reference;
pub mod sessions;
pub mod stats;
pub mod users;

use actix_web::{http::StatusCode, HttpResponse};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::extract::headers::etag;
use crate::services::tx::Reply;

/// Every `/api/v1` route, read top to bottom.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::get_me)
        .service(auth::change_password)
        .service(reference::get_reference)
        .service(org_units::list_org_units)
        .service(org_units::create_org_unit)
        .service(org_units::get_org_unit)
        .service(org_units::update_org_unit)
        .service(org_units::list_org_unit_children)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::get_user)
        .service(users::update_user)
        .service(users::reset_user_password)
        .service(clients::list_clients)
        .service(clients::create_client)
        .service(clients::get_client)
        .service(clients::update_client)
        .service(clients::delete_client)
        .service(clients::get_client_timeline)
        .service(clients::create_household)
        .service(clients::get_household)
        .service(clients::set_household_members)
        .service(sessions::list_sessions)
        .service(sessions::create_session)
        .service(sessions::get_session)
        .service(sessions::update_session)
        .service(sessions::list_groups)
        .service(sessions::create_group)
        .service(sessions::get_group)
        .service(sessions::update_group)
        .service(sessions::set_group_members)
        // The statistics routes (`stats::get_stats`, `stats::export_stats`) are registered with
        // casework, whose tables the case figures read.
        .service(audit::list_audit_events);
}

/// A 200 JSON response carrying the resource's ETag.
pub fn json_with_version<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header(("ETag", etag(version))).json(body)
}

/// The response for a write's reply (fresh or replayed).
pub fn reply(r: Reply) -> HttpResponse {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    if let Some(etag) = &r.etag {
        res.insert_header(("ETag", etag.as_str()));
    }
    if let Some(location) = &r.location {
        res.insert_header(("Location", location.as_str()));
    }
    if status == StatusCode::NO_CONTENT {
        res.finish()
    } else {
        res.json(r.body)
    }
}
