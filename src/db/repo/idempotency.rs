//! The idempotency store (`Idempotency-Key`), used inside the creating transaction.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::{models::StoredResponse, schema::idempotency_keys as ik, statement::Statement, Conn};

/// Claims a key; `true` when this request now owns it. A concurrent owner blocks this call until
/// its transaction ends, bounded by the caller's `lock_timeout`.
pub async fn claim(
    conn: &mut Conn,
    user_id: Uuid,
    key: &str,
    method: &str,
    path: &str,
    request_hash: &[u8],
) -> QueryResult<bool> {
    // Wait a moment for a concurrent holder of the key, then report it as in progress.
    Statement::new("SELECT set_config('lock_timeout', '300ms', true)").execute(conn).await?;
    let n = diesel::insert_into(ik::table)
        .values((
            ik::user_id.eq(user_id),
            ik::key.eq(key),
            ik::method.eq(method),
            ik::path.eq(path),
            ik::request_hash.eq(request_hash),
            ik::response_body.eq(serde_json::Value::Null),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Statement::new("SELECT set_config('lock_timeout', '0', true)").execute(conn).await?;
    Ok(n == 1)
}

/// The stored response of a key.
pub async fn find(conn: &mut Conn, user_id: Uuid, key: &str) -> QueryResult<Option<StoredResponse>> {
    ik::table
        .filter(ik::user_id.eq(user_id).and(ik::key.eq(key)))
        .select(StoredResponse::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records the response of an owned key.
pub async fn complete(
    conn: &mut Conn,
    user_id: Uuid,
    key: &str,
    effect: &str,
    body: &serde_json::Value,
    version: Option<i32>,
    resource_id: Option<Uuid>,
) -> QueryResult<()> {
    diesel::update(ik::table.filter(ik::user_id.eq(user_id).and(ik::key.eq(key))))
        .set((ik::effect.eq(effect), ik::response_body.eq(body), ik::version.eq(version), ik::resource_id.eq(resource_id)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Deletes keys older than `days` days.
pub async fn purge_older_than(conn: &mut Conn, days: i32) -> QueryResult<usize> {
    Statement::new("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(days => $1)")
        .bind::<diesel::sql_types::Integer, _>(days)
        .execute(conn)
        .await
}

/// Whether an error is the lock timeout `claim` sets while another request holds the key.
pub fn is_lock_timeout(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(_, info) if info.message().contains("lock timeout"))
}
