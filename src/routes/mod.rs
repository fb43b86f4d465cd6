//! HTTP only: one file per resource, handlers named `verb_noun`, each parsing its input,
//! calling one service and shaping the response. The route table is `configure` below.

pub mod audit;
pub mod auth;
pub mod caseload;
pub mod cases;
pub mod clients;
pub mod health;
pub mod org_units;
pub mod problems;
pub mod reference;
pub mod reviews;
pub mod rosters;
pub mod sessions;
pub mod stats;
pub mod supervision;
pub mod sync;
pub mod sync_batch;
pub mod users;

use actix_web::{
    http::{header, StatusCode},
    HttpResponse,
};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::extract::headers::etag;
use crate::services::tx::{Effect, Written};

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
        .service(clients::get_client_access_log)
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
        .service(caseload::get_caseload)
        .service(stats::get_stats)
        .service(stats::export_stats)
        .service(sync::get_sync_changes)
        .service(sync::get_sync_checksums)
        .service(audit::list_audit_events)
        .service(cases::list_cases)
        .service(cases::create_case)
        .service(cases::get_case)
        .service(cases::update_case)
        .service(cases::transition_case)
        .service(cases::transfer_case)
        .service(cases::get_case_timeline)
        .service(cases::list_assessments)
        .service(cases::create_assessment)
        .service(cases::list_plans)
        .service(cases::create_plan)
        .service(cases::list_evaluations)
        .service(cases::create_evaluation)
        .service(cases::list_follow_ups)
        .service(cases::create_follow_up)
        .service(cases::update_follow_up)
        .service(cases::list_referrals)
        .service(cases::create_referral)
        .service(cases::update_referral)
        .service(reviews::list_reviews)
        .service(reviews::decide_review)
        .service(supervision::list_supervision_records)
        .service(supervision::create_supervision_record)
        .service(supervision::get_supervision_record)
        .service(supervision::update_supervision_record)
        .service(rosters::list_roster_entries)
        .service(rosters::create_roster_entry)
        .service(rosters::get_roster_entry)
        .service(rosters::update_roster_entry)
        .service(rosters::leave_roster)
        .service(rosters::rerate_roster_entry)
        .service(rosters::decide_roster_proposal)
        .service(rosters::get_visit_intervals)
        .service(rosters::set_visit_intervals)
        .service(rosters::list_alerts)
        .service(rosters::acknowledge_alert)
        .service(sync_batch::post_sync_batch);
}

/// A 200 JSON response carrying the resource's ETag.
pub fn json_with_version<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

/// The response to a write (fresh or replayed): the status says what happened, the `ETag` carries
/// the version, and a resource created in `collection` gets its `Location`.
pub fn written(w: Written, collection: Option<&str>) -> HttpResponse {
    let status = match w.effect {
        Effect::Created => StatusCode::CREATED,
        Effect::Existing | Effect::Changed => StatusCode::OK,
        Effect::Accepted => StatusCode::ACCEPTED,
        Effect::Done => return HttpResponse::NoContent().finish(),
    };
    let mut res = HttpResponse::build(status);
    if let Some(version) = w.version {
        res.insert_header((header::ETAG, etag(version)));
    }
    if let (Effect::Created, Some(collection), Some(id)) = (w.effect, collection, w.id) {
        res.insert_header((header::LOCATION, format!("{collection}/{id}")));
    }
    res.json(w.body)
}
