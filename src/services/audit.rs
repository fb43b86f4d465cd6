//! Building audit events. Writes go through `db::repo::audit` inside the caller's transaction;
//! only denials, which have no transaction of their own, are written here directly.

use serde_json::Value;
use uuid::Uuid;

use crate::db::{models::NewAuditEvent, repo};

use crate::auth::Actor;
use crate::domain::enums::{AuditOutcome, Role};
use crate::domain::permissions::Permission;
use crate::i18n::current_request_id;
use crate::state::AppState;

/// An event done by an authenticated caller.
pub fn by(actor: &Actor, action: &str, entity_type: &str, entity_id: Option<Uuid>, details: Value) -> NewAuditEvent {
    NewAuditEvent {
        id: Uuid::now_v7(),
        user_id: Some(actor.id),
        username: Some(actor.username.clone()),
        role: Some(actor.role.as_str().to_owned()),
        org_unit_id: Some(actor.org_unit_id),
        action: action.to_owned(),
        entity_type: entity_type.to_owned(),
        entity_id,
        outcome: AuditOutcome::Success.as_str().to_owned(),
        request_id: current_request_id(),
        details,
    }
}

/// An event done by the service itself on a schedule or a command (the retention purge): no
/// user, and the process named in `username`.
pub fn system(process: &str, action: &str, entity_type: &str, entity_id: Option<Uuid>, details: Value) -> NewAuditEvent {
    let mut event = anonymous(None, &format!("system:{process}"), action, AuditOutcome::Success, details);
    event.entity_type = entity_type.to_owned();
    event.entity_id = entity_id;
    event
}

/// An event about an account that is not (yet) authenticated, such as a login.
pub fn anonymous(
    user: Option<(Uuid, Role, Uuid)>,
    username: &str,
    action: &str,
    outcome: AuditOutcome,
    details: Value,
) -> NewAuditEvent {
    NewAuditEvent {
        id: Uuid::now_v7(),
        user_id: user.map(|u| u.0),
        username: Some(username.to_owned()),
        role: user.map(|u| u.1.as_str().to_owned()),
        org_unit_id: user.map(|u| u.2),
        action: action.to_owned(),
        entity_type: "user".to_owned(),
        entity_id: user.map(|u| u.0),
        outcome: outcome.as_str().to_owned(),
        request_id: current_request_id(),
        details,
    }
}

/// Records that an authenticated caller named something that does not exist for them (a 404 on
/// `method path`): an id of another station's record and a made-up one alike, so the record
/// itself tells nothing either. Best effort, like [`denied`].
pub async fn probe(state: &AppState, actor: &Actor, method: &str, path: &str) {
    let mut event = by(actor, "access.not_found", "access", None, serde_json::json!({"method": method, "path": path}));
    event.outcome = AuditOutcome::Denied.as_str().to_owned();
    match state.conn().await {
        Ok(mut conn) => {
            if let Err(e) = repo::audit::insert(&mut conn, &event).await {
                tracing::error!(error = %e, "writing not-found audit event");
            }
        }
        Err(e) => tracing::error!(error = %e, "writing not-found audit event"),
    }
}

/// Records that the caller read the narrative text of these records of `entity_type`
/// (assessments, plans, evaluations, follow-ups, referrals, session notes and visit findings): one
/// event per request, however many records a page shows, naming them all (`details.ids`; the
/// one record also as the entity). Nothing read, nothing recorded. Like every write, the answer
/// is not given unless its record is kept.
pub async fn narrative_read(
    conn: &mut crate::db::Conn,
    actor: &Actor,
    entity_type: &str,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<(), crate::error::AppError> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    let entity_id = match ids.as_slice() {
        [] => return Ok(()),
        [one] => Some(*one),
        _ => None,
    };
    let event = by(actor, "narrative.read", entity_type, entity_id, serde_json::json!({"ids": ids}));
    repo::audit::insert(conn, &event).await?;
    Ok(())
}

/// The event of a denied access, for a caller that writes it in its own transaction.
pub fn denied_event(actor: &Actor, action: &str) -> NewAuditEvent {
    let mut event = by(actor, action, "access", None, serde_json::json!({}));
    event.outcome = AuditOutcome::Denied.as_str().to_owned();
    event
}

/// Records a denied access. Best effort: a failure to record is logged, the 403 stands.
pub async fn denied(state: &AppState, actor: &Actor, action: &str) {
    let event = denied_event(actor, action);
    match state.conn().await {
        Ok(mut conn) => {
            if let Err(e) = repo::audit::insert(&mut conn, &event).await {
                tracing::error!(error = %e, "writing denied-access audit event");
            }
        }
        Err(e) => tracing::error!(error = %e, "writing denied-access audit event"),
    }
}

/// A page of the audit log of the caller's scope (supervisors and admins).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    query: crate::dto::audit::AuditQuery,
    page: &crate::paging::Page,
) -> Result<crate::paging::Paged<crate::dto::audit::AuditEventOut>, crate::error::AppError> {
    super::require(state, actor, Permission::AuditRead, "audit.read").await?;
    let before = page.after::<(chrono::DateTime<chrono::Utc>, Uuid)>()?;
    let filter = repo::audit::AuditFilter {
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        user_id: query.user_id,
        from: query.from,
        to: query.to,
    };
    let mut conn = state.conn().await?;
    let rows = repo::audit::list(&mut conn, &actor.scope, &filter, before, page.fetch_limit()).await?;
    Ok(page.finish(rows, |e| (e.occurred_at, e.id)).map(Into::into))
}

/// A page of a client's access log: who saw or touched the file (the client, its cases, sessions
/// and records), newest first (supervisors and admins, the client in their scope). Looking at it
/// is itself recorded, and so shows in it.
pub async fn access_log(
    state: &AppState,
    actor: &Actor,
    client: Uuid,
    page: &crate::paging::Page,
) -> Result<crate::paging::Paged<crate::dto::audit::AccessLogEntry>, crate::error::AppError> {
    super::require(state, actor, Permission::AuditRead, "client.access_log").await?;
    let before = page.after::<(chrono::DateTime<chrono::Utc>, Uuid)>()?;
    let mut conn = state.conn().await?;
    repo::clients::find_in_scope(&mut conn, &actor.scope, client).await?.ok_or(crate::error::AppError::NotFound)?;
    let rows = repo::audit::access_log(&mut conn, client, before, page.fetch_limit()).await?;
    repo::audit::insert(&mut conn, &by(actor, "client.access_log", "client", Some(client), serde_json::json!({}))).await?;
    Ok(page.finish(rows, |(e, _)| (e.occurred_at, e.id)).map(Into::into))
}
