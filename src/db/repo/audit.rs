//! The audit writer: always inside the caller's transaction, so an action and its record commit
//! or roll back together.

use diesel_async::RunQueryDsl;

use super::scope::{newest_page, occurred_rows, PageBy, BY_TIME};
use crate::db::{models::NewAuditEvent, schema::audit_events, statement::Statement, Conn};

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
