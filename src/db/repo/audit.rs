//! The audit writer: always inside the caller's transaction, so an action and its record commit
//! or roll back together.

use diesel_async::RunQueryDsl;

use crate::db::{models::NewAuditEvent, schema::audit_events, Conn};

/// Appends one audit event.
pub async fn insert(conn: &mut Conn, event: &NewAuditEvent) -> diesel::QueryResult<()> {
    diesel::insert_into(audit_events::table).values(event).execute(conn).await.map(|_| ())
}

/// Filters of the audit list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<uuid::Uuid>,
    pub user_id: Option<uuid::Uuid>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

/// A page of audit events made by users of the scope's units, newest first.
pub async fn list(
    conn: &mut Conn,
    scope: &crate::auth::AccessScope,
    filter: &AuditFilter,
    before: Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>,
    limit: i64,
) -> diesel::QueryResult<Vec<crate::db::models::AuditEvent>> {
    use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl, SelectableHelper};
    let mut query = audit_events::table
        .filter(audit_events::org_unit_id.eq_any(super::scope::unit_ids(scope).nullable()))
        .into_boxed();
    if let Some(t) = &filter.entity_type {
        query = query.filter(audit_events::entity_type.eq(t.clone()));
    }
    if let Some(id) = filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(id));
    }
    if let Some(u) = filter.user_id {
        query = query.filter(audit_events::user_id.eq(u));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(to));
    }
    if let Some((at, id)) = before {
        query = query.filter(audit_events::occurred_at.lt(at).or(audit_events::occurred_at.eq(at).and(audit_events::id.lt(id))));
    }
    query
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .limit(limit)
        .select(crate::db::models::AuditEvent::as_select())
        .load(conn)
        .await
}
