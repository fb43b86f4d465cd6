//! Individual casework sessions: each is checked against its case (scope, status, assignment,
//! plan goals), and the case follows it: the last-session time that drives the overdue rule,
//! a risk change, and an entry on the case's (and so the client's) timeline.

use std::collections::HashSet;

use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::{
    models::{Attendance, NewCaseEvent, Session},
    repo, Conn,
};
use crate::domain::case_flow::accepts_individual_sessions;
use crate::domain::enums::SessionMethod;
use crate::domain::permissions::{may, Permission};
use crate::dto::sessions::IndividualSessionIn;
use crate::error::AppError;
use crate::i18n::Text;

use super::{blank, check_time, field, no_repeats};

/// Checks an individual session against its case and builds it.
pub async fn individual_session(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    s: IndividualSessionIn,
) -> Result<(Session, Vec<Attendance>), AppError> {
    let mut errors = Vec::new();
    let late = check_time(s.occurred_at, &mut errors);
    no_repeats("service_types", &s.service_types, &mut errors);
    no_repeats("goal_ids", &s.goal_ids, &mut errors);
    let case = repo::cases::lock_in_scope(conn, &actor.scope, s.case_id).await?.ok_or_else(|| {
        AppError::field("case_id", "not_found", Text::new("个案不存在或不在您的管辖范围内。", "No such case in your scope."))
    })?;
    if !accepts_individual_sessions(case.status) {
        let mut extra = serde_json::Map::new();
        extra.insert("case_status".into(), json!(case.status));
        return Err(AppError::Conflict {
            code: "case_not_active",
            detail: Text::owned(
                format!("个案当前状态（{}）不能记录个案服务。", case.status),
                format!("No individual session can be recorded on a case in status {}.", case.status),
            ),
            extra,
        });
    }
    if !may(actor.role, Permission::CasesWorkAll) && case.worker_id != actor.id {
        return Err(AppError::Forbidden(Text::new(
            "只有个案的负责社工或督导可以记录个案服务。",
            "Only the case's worker or a supervisor may record its sessions.",
        )));
    }
    if !s.goal_ids.is_empty() {
        let known: HashSet<Uuid> = repo::sessions::goals_of_case(conn, case.id, &s.goal_ids).await?.into_iter().collect();
        for (i, g) in s.goal_ids.iter().enumerate() {
            if !known.contains(g) {
                errors.push(field(
                    format!("goal_ids[{i}]"),
                    "not_found",
                    "该目标不属于本个案的服务计划。",
                    "This goal is not in the case's plans.",
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut session = blank(id, SessionMethod::Individual, case.org_unit_id, actor, s.occurred_at, late);
    session.duration_minutes = s.duration_minutes;
    session.location = s.location;
    session.service_types = s.service_types;
    session.summary = s.summary;
    session.case_id = Some(case.id);
    session.client_id = Some(case.client_id);
    session.mode = Some(s.mode);
    session.goal_ids = s.goal_ids;
    session.client_response = s.client_response;
    session.next_steps = s.next_steps;
    session.risk_change = s.risk_change.filter(|r| *r != case.risk_level);
    Ok((session, Vec::new()))
}

/// What the case takes from a recorded session.
pub async fn after_individual_session(conn: &mut Conn, actor: &Actor, saved: &Session) -> Result<(), AppError> {
    let (Some(case_id), Some(client_id)) = (saved.case_id, saved.client_id) else { return Ok(()) };
    let before = repo::sessions::record_on_case(conn, case_id, saved.occurred_at, saved.risk_change).await?;
    let event = |kind: &str, details: serde_json::Value| NewCaseEvent {
        id: Uuid::now_v7(),
        case_id,
        client_id,
        kind: kind.to_owned(),
        action: None,
        from_status: None,
        to_status: None,
        entity_type: Some("session".into()),
        entity_id: Some(saved.id),
        actor_id: actor.id,
        details,
    };
    repo::cases::insert_event(
        conn,
        &event("session.recorded", json!({"mode": saved.mode, "occurred_at": saved.occurred_at, "late_entry": saved.late_entry})),
    )
    .await?;
    if let Some(to) = saved.risk_change {
        repo::cases::insert_event(conn, &event("case.risk_changed", json!({"from": before, "to": to}))).await?;
    }
    Ok(())
}
