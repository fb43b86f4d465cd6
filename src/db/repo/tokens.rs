//! Refresh tokens and login throttles.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::{
    models::{NewRefreshToken, RefreshToken},
    schema::{login_throttles as lt, refresh_tokens as rt},
    statement::Statement,
    Conn,
};

/// Stores a refresh token.
pub async fn insert(conn: &mut Conn, token: &NewRefreshToken) -> QueryResult<()> {
    diesel::insert_into(rt::table).values(token).execute(conn).await.map(|_| ())
}

/// A refresh token by its hash, locked for the rest of the transaction.
pub async fn lock_by_hash(conn: &mut Conn, hash: &[u8]) -> QueryResult<Option<RefreshToken>> {
    rt::table.filter(rt::token_hash.eq(hash)).select(RefreshToken::as_select()).for_update().first(conn).await.optional()
}

/// A refresh token by id.
pub async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<RefreshToken>> {
    rt::table.find(id).select(RefreshToken::as_select()).first(conn).await.optional()
}

/// Marks a token spent and records its successor.
pub async fn mark_used(conn: &mut Conn, id: Uuid, successor: Uuid) -> QueryResult<()> {
    diesel::update(rt::table.find(id))
        .set((rt::used_at.eq(diesel::dsl::now), rt::successor_id.eq(successor)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Revokes a whole family.
pub async fn revoke_family(conn: &mut Conn, family: Uuid) -> QueryResult<usize> {
    diesel::update(rt::table.filter(rt::family_id.eq(family)).filter(rt::revoked_at.is_null()))
        .set(rt::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
}

/// Deletes tokens that expired more than a day ago.
pub async fn purge_expired(conn: &mut Conn) -> QueryResult<usize> {
    Statement::new("DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'").execute(conn).await
}

/// The lock on an account, if it is locked now.
pub async fn locked_until(conn: &mut Conn, key: &str) -> QueryResult<Option<DateTime<Utc>>> {
    let until: Option<Option<DateTime<Utc>>> = lt::table.find(key).select(lt::locked_until).first(conn).await.optional()?;
    Ok(until.flatten().filter(|t| *t > Utc::now()))
}

/// Counts a failed login inside the window; locks the account at `max_failures`.
/// Returns the end of the lock the account is under after this failure, if any.
pub async fn record_failure(
    conn: &mut Conn,
    key: &str,
    max_failures: i32,
    window_secs: i64,
) -> QueryResult<Option<DateTime<Utc>>> {
    use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<Timestamptz>)]
        locked_until: Option<DateTime<Utc>>,
    }
    // One statement: a failure outside the window (or after a lock ended) starts a new count; a
    // failure that lands while a lock is still running (it was hashed in parallel) keeps the lock.
    let row: Row = Statement::new(
        "INSERT INTO login_throttles AS t (username_key, failures, window_start, locked_until) \
         VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END) \
         ON CONFLICT (username_key) DO UPDATE SET \
           failures = CASE WHEN t.locked_until > now() THEN t.failures \
                           WHEN t.window_start < now() - make_interval(secs => $3) OR t.locked_until IS NOT NULL \
                           THEN 1 ELSE t.failures + 1 END, \
           window_start = CASE WHEN t.locked_until > now() THEN t.window_start \
                           WHEN t.window_start < now() - make_interval(secs => $3) OR t.locked_until IS NOT NULL \
                           THEN now() ELSE t.window_start END, \
           locked_until = CASE WHEN t.locked_until > now() THEN t.locked_until \
                                WHEN t.window_start >= now() - make_interval(secs => $3) AND t.locked_until IS NULL \
                                AND t.failures + 1 >= $2 THEN now() + make_interval(secs => $3) END \
         RETURNING t.locked_until",
    )
    .bind::<Text, _>(key)
    .bind::<Integer, _>(max_failures)
    .bind::<BigInt, _>(window_secs)
    .get_result(conn)
    .await?;
    Ok(row.locked_until)
}

/// Forgets failures after a successful login.
pub async fn clear_failures(conn: &mut Conn, key: &str) -> QueryResult<()> {
    diesel::delete(lt::table.find(key)).execute(conn).await.map(|_| ())
}
