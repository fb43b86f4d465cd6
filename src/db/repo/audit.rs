//! The audit writer: always inside the caller's transaction, so an action and its record commit
//! or roll back together.

use diesel_async::RunQueryDsl;

use crate::db::{models::NewAuditEvent, schema::audit_events, Conn};

/// Appends one audit event.
pub async fn insert(conn: &mut Conn, event: &NewAuditEvent) -> diesel::QueryResult<()> {
    diesel::insert_into(audit_events::table).values(event).execute(conn).await.map(|_| ())
}
