//! The audit writer: always inside the caller's transaction, so an action and its record commit
//! or roll back together.

use diesel_async::RunQueryDsl;

use super::scope::{newest_page, occurred_rows, PageBy, BY_TIME};
use crate::db::{models::NewAuditEvent, schema::audit_events, statement::Statement, Conn};

/// Appends one audit event.
pub async fn insert(conn: &mut Conn, event: &NewAuditEvent) -> diesel::QueryResult<()> {
    diesel::insert_into(audit_events::table).values(event).execute(conn).await.map(|_| ())
}

/// Appends several events in one statement.
pub async fn insert_all(conn: &mut Conn, events: &[NewAuditEvent]) -> diesel::QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    diesel::insert_into(audit_events::table).values(events).execute(conn).await.map(|_| ())
}

/// The action an out-of-scope duplicate-document hit is audited under, and counted by.
pub const PROBE_ACTION: &str = "client.duplicate_probe";

/// How many out-of-scope duplicate-document hits `user` has had since `since`. The action is
/// spelled out in the statement (not bound) so that the planner always proves the partial index
/// `audit_events_duplicate_probes` usable.
pub async fn probes_since(conn: &mut Conn, user: uuid::Uuid, since: chrono::DateTime<chrono::Utc>) -> diesel::QueryResult<i64> {
    use diesel::{ExpressionMethods, QueryDsl};
    const PREDICATE: &str = "action = 'client.duplicate_probe'";
    audit_events::table
        .filter(audit_events::user_id.eq(user))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(PREDICATE))
        .filter(audit_events::occurred_at.ge(since))
        .count()
        .get_result(conn)
        .await
}

/// One line of a client's access log: the event and the current display name of its user.
pub type AccessRow = (crate::db::models::AuditEvent, Option<String>);

/// A page of the events about one client's file (the client, its cases, sessions and records),
/// newest first (ties by id), on the primary key of `audit_event_clients`.
pub async fn access_log(
    conn: &mut Conn,
    client: uuid::Uuid,
    before: Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>,
    limit: i64,
) -> diesel::QueryResult<Vec<AccessRow>> {
    use crate::db::{models::AuditEvent, schema::audit_event_clients as ac, schema::users};
    use diesel::{BoolExpressionMethods, ExpressionMethods, JoinOnDsl, NullableExpressionMethods, QueryDsl, SelectableHelper};
    let mut q = ac::table
        .inner_join(audit_events::table.on(audit_events::id.eq(ac::event_id)))
        .left_join(users::table.on(audit_events::user_id.eq(users::id.nullable())))
        .filter(ac::client_id.eq(client))
        .into_boxed();
    if let Some((at, id)) = before {
        q = q.filter(ac::occurred_at.lt(at).or(ac::occurred_at.eq(at).and(ac::event_id.lt(id))));
    }
    q.order((ac::occurred_at.desc(), ac::event_id.desc()))
        .limit(limit)
        .select((AuditEvent::as_select(), users::display_name.nullable()))
        .load(conn)
        .await
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

/// A page of audit events made by users of the scope's units, newest first (ties by id).
///
/// One entity's or one user's events are found by that index; any other page walks the units of
/// the subtree (`scope::newest_page`) on `audit_events_unit`, so a county's page reads about 51
/// index entries per unit however long the county's history grows.
pub async fn list(
    conn: &mut Conn,
    scope: &crate::auth::AccessScope,
    filter: &AuditFilter,
    before: Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>,
    limit: i64,
) -> diesel::QueryResult<Vec<crate::db::models::AuditEvent>> {
    use diesel::sql_types::{Text, Uuid as SqlUuid};
    let mut q = Statement::new("");
    let mut rows = String::new();
    if let Some(t) = &filter.entity_type {
        rows += &format!(" AND k.entity_type = {}", q.generic_arg::<Text, _>(t.clone()));
    }
    if let Some(id) = filter.entity_id {
        rows += &format!(" AND k.entity_id = {}", q.generic_arg::<SqlUuid, _>(id));
    }
    if let Some(u) = filter.user_id {
        rows += &format!(" AND k.user_id = {}", q.generic_arg::<SqlUuid, _>(u));
    }
    rows += &occurred_rows(&mut q, filter.from, filter.to, before);
    let by = if filter.entity_id.is_some() || filter.user_id.is_some() { PageBy::OwnIndex } else { PageBy::EachUnit };
    let source = ("SELECT k.* FROM audit_events k", "audit_events", BY_TIME);
    newest_page(&mut q, scope, None, source, &rows, limit, by);
    q.load(conn).await
}
