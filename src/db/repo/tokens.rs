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

/// The latest lock on any of the keys that is still running, if any.
pub async fn locked_until(conn: &mut Conn, keys: &[String]) -> QueryResult<Option<DateTime<Utc>>> {
    let until: Option<DateTime<Utc>> = lt::table
        .filter(lt::throttle_key.eq_any(keys))
        .filter(lt::locked_until.gt(diesel::dsl::now))
        .select(diesel::dsl::max(lt::locked_until))
        .first(conn)
        .await?;
    Ok(until)
}

/// The doublings of a lock after the first: the seventh lock in a row and later last 64 windows.
const MAX_BACKOFF_DOUBLINGS: i32 = 6;

/// Counts a failed login under `key` inside the window; at `max_failures` the key is locked, for
/// the window the first time and twice as long each time after (`locks` remembers how many).
/// Returns the end of the lock the key is under after this failure, if any.
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
        "INSERT INTO login_throttles AS t (throttle_key, failures, window_start, locked_until, locks) \
         VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END, CASE WHEN $2 <= 1 THEN 1 ELSE 0 END) \
         ON CONFLICT (throttle_key) DO UPDATE SET \
           failures = CASE WHEN t.locked_until > now() THEN t.failures \
                           WHEN t.window_start < now() - make_interval(secs => $3) OR t.locked_until IS NOT NULL \
                           THEN 1 ELSE t.failures + 1 END, \
           window_start = CASE WHEN t.locked_until > now() THEN t.window_start \
                           WHEN t.window_start < now() - make_interval(secs => $3) OR t.locked_until IS NOT NULL \
                           THEN now() ELSE t.window_start END, \
           locked_until = CASE WHEN t.locked_until > now() THEN t.locked_until \
                                WHEN t.window_start >= now() - make_interval(secs => $3) AND t.locked_until IS NULL \
                                AND t.failures + 1 >= $2 \
                                THEN now() + make_interval(secs => $3 * (1 << least(t.locks, $4))) END, \
           locks = CASE WHEN t.locked_until IS NULL AND t.window_start >= now() - make_interval(secs => $3) \
                             AND t.failures + 1 >= $2 THEN t.locks + 1 ELSE t.locks END \
         RETURNING t.locked_until",
    )
    .bind::<Text, _>(key)
    .bind::<Integer, _>(max_failures)
    .bind::<BigInt, _>(window_secs)
    .bind::<Integer, _>(MAX_BACKOFF_DOUBLINGS)
    .get_result(conn)
    .await?;
    Ok(row.locked_until)
}

/// Deletes throttle rows idle for a day (no failure counted, no lock running): a key that
/// misbehaves again starts over without backoff.
pub async fn purge_idle_throttles(conn: &mut Conn) -> QueryResult<usize> {
    Statement::new(
        "DELETE FROM login_throttles WHERE window_start < now() - interval '1 day' \
         AND (locked_until IS NULL OR locked_until < now() - interval '1 day')",
    )
    .execute(conn)
    .await
}

/// Forgets failures after a successful login.
pub async fn clear_failures(conn: &mut Conn, key: &str) -> QueryResult<()> {
    diesel::delete(lt::table.find(key)).execute(conn).await.map(|_| ())
}
