//! The sync state (`sync_rows`, kept by triggers: see the migration `…000019_sync_changes`): a
//! scope's changes in commit order, the records a scope no longer holds, and what a device holds.

use diesel::sql_types::{Bool, Int8, Text};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use crate::db::models::{ChangeRow, HeldRow};
use crate::db::statement::Statement;
use crate::db::Conn;

/// A position in commit order: the writing transaction's id and the sequence within it.
pub type Position = (i64, i64);

/// The record as a pull serves it, from the row of its own table (internal columns dropped).
/// Members of households and groups and the visit of a session travel with their record.
const DATA: &str = "CASE WHEN p.op = 'upsert' AND p.ready THEN CASE p.entity \
    WHEN 'client' THEN (SELECT to_jsonb(x) - 'name_grams' FROM clients x WHERE x.id = p.id) \
    WHEN 'household' THEN (SELECT to_jsonb(x) || jsonb_build_object('members', \
        (SELECT coalesce(jsonb_agg(jsonb_build_object('client_id', m.client_id, 'relation', m.relation) ORDER BY m.client_id), '[]'::jsonb) \
         FROM household_members m WHERE m.household_id = x.id)) FROM households x WHERE x.id = p.id) \
    WHEN 'case' THEN (SELECT to_jsonb(x) FROM cases x WHERE x.id = p.id) \
    WHEN 'session' THEN (SELECT to_jsonb(x) || jsonb_build_object('visit', \
        (SELECT to_jsonb(v) - 'session_id' FROM visits v WHERE v.session_id = x.id)) FROM service_sessions x WHERE x.id = p.id) \
    WHEN 'roster_entry' THEN (SELECT to_jsonb(x) FROM roster_entries x WHERE x.id = p.id) \
    WHEN 'group' THEN (SELECT to_jsonb(x) || jsonb_build_object('members', \
        (SELECT coalesce(jsonb_agg(jsonb_build_object('client_id', m.client_id, 'joined_on', m.joined_on) ORDER BY m.client_id), '[]'::jsonb) \
         FROM group_members m WHERE m.group_id = x.id AND m.left_on IS NULL)) FROM groups x WHERE x.id = p.id) \
    WHEN 'review' THEN (SELECT to_jsonb(x) FROM reviews x WHERE x.id = p.id) \
    END END";

/// Every transaction older than this has ended: changes written before it are all committed (or
/// gone), and any change still to commit will sort after it.
pub async fn horizon(conn: &mut Conn) -> diesel::QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Horizon {
        #[diesel(sql_type = Int8)]
        xid: i64,
    }
    let row: Horizon =
        Statement::new("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xid").get_result(conn).await?;
    Ok(row.xid)
}

/// The changes in the subtree `[lo, hi)` after `after`, oldest first, at most `limit`, each with
/// what the device must do (`op`): `upsert` a live record (with its data), `remove` a record
/// that is gone or left the subtree, or `skip` the old row of one that moved within it.
///
/// A change may be served only once every transaction older than it has ended (`ready`): a
/// change committing later then has a larger transaction id than anything served, so it sorts
/// after any cursor served. Rows sort by transaction id, so the ready ones come first; the
/// caller stops at the first that is not. Reviews only with `reviews`.
///
/// The rows are read unit path by unit path (the paths found by walking the index from one to
/// the next), each from its position on: the index is ordered by path first, so reading the
/// subtree as one range would pass over every row it holds to find the few changed since. A
/// township's pull then costs a few index probes per unit, not its whole history.
pub async fn changes(
    conn: &mut Conn,
    (lo, hi): (&str, &str),
    after: Position,
    reviews: bool,
    limit: i64,
) -> diesel::QueryResult<Vec<ChangeRow>> {
    let text = format!(
        "WITH RECURSIVE paths(p) AS ( \
           (SELECT unit_path FROM sync_rows WHERE unit_path >= $1 AND unit_path < $2 ORDER BY unit_path LIMIT 1) \
           UNION ALL \
           SELECT (SELECT s.unit_path FROM sync_rows s WHERE s.unit_path > paths.p AND s.unit_path < $2 \
                   ORDER BY s.unit_path LIMIT 1) \
           FROM paths WHERE paths.p IS NOT NULL) \
         SELECT p.entity, p.id, p.unit_path, p.org_unit_id, p.op, p.version, p.xid, p.seq, p.ready, {DATA} AS data FROM ( \
           SELECT r.entity, r.id, r.unit_path, r.org_unit_id, r.version, r.xid, r.seq, \
                  r.xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS ready, \
                  CASE WHEN r.live THEN 'upsert' \
                       WHEN EXISTS (SELECT 1 FROM sync_rows l WHERE l.entity = r.entity AND l.id = r.id AND l.live \
                                    AND l.unit_path >= $1 AND l.unit_path < $2) THEN 'skip' \
                       ELSE 'remove' END AS op \
           FROM paths JOIN LATERAL ( \
             SELECT * FROM sync_rows r WHERE r.unit_path = paths.p AND (r.xid, r.seq) > ($3, $4) \
               AND ($5 OR r.entity <> 'review') ORDER BY r.xid, r.seq LIMIT $6) r ON true \
           ORDER BY r.xid, r.seq LIMIT $6) p \
         ORDER BY p.xid, p.seq"
    );
    Statement::new(text)
        .bind::<Text, _>(lo)
        .bind::<Text, _>(hi)
        .bind::<Int8, _>(after.0)
        .bind::<Int8, _>(after.1)
        .bind::<Bool, _>(reviews)
        .bind::<Int8, _>(limit)
        .load(conn)
        .await
}

/// A first download: the live records of the subtree `[lo, hi)` written before `horizon`,
/// walked in (path, position) order after `at`, at most `limit`. What changes while the walk
/// goes on is written at or after the horizon, and the pulls after the walk serve it from there.
pub async fn download(
    conn: &mut Conn,
    (lo, hi): (&str, &str),
    horizon: i64,
    at: &PathPosition,
    reviews: bool,
    limit: i64,
) -> diesel::QueryResult<Vec<ChangeRow>> {
    let text = format!(
        "SELECT p.entity, p.id, p.unit_path, p.org_unit_id, p.op, p.version, p.xid, p.seq, p.ready, {DATA} AS data FROM ( \
           SELECT r.entity, r.id, r.unit_path, r.org_unit_id, 'upsert' AS op, r.version, r.xid, r.seq, true AS ready \
           FROM sync_rows r \
           WHERE r.unit_path < $1 AND (r.unit_path, r.xid, r.seq) > ($2, $3, $4) \
             AND r.live AND r.xid < $5 AND ($6 OR r.entity <> 'review') \
           ORDER BY r.unit_path, r.xid, r.seq LIMIT $7) p \
         ORDER BY p.unit_path, p.xid, p.seq"
    );
    let at = walk_start(lo, at);
    Statement::new(text)
        .bind::<Text, _>(hi)
        .bind::<Text, _>(at.0)
        .bind::<Int8, _>(at.1)
        .bind::<Int8, _>(at.2)
        .bind::<Int8, _>(horizon)
        .bind::<Bool, _>(reviews)
        .bind::<Int8, _>(limit)
        .load(conn)
        .await
}

/// Where a walk through the rows of a subtree stands: unit path, then position.
pub type PathPosition = (String, i64, i64);

/// The records of the old subtree `old` a device may hold (live ones, and any changed after its
/// position `held_to`) that the new subtree `new` does not show: each a `remove`, walked in
/// (path, position) order after `at`.
pub async fn revocations(
    conn: &mut Conn,
    old: (&str, &str),
    held_to: Position,
    new: (&str, &str),
    reviews: bool,
    at: &PathPosition,
    limit: i64,
) -> diesel::QueryResult<Vec<ChangeRow>> {
    let start = walk_start(old.0, at);
    Statement::new(
        "SELECT r.entity, r.id, r.unit_path, r.org_unit_id, 'remove' AS op, r.version, r.xid, r.seq, true AS ready, NULL::jsonb AS data \
         FROM sync_rows r \
         WHERE r.unit_path < $1 AND (r.unit_path, r.xid, r.seq) > ($7, $8, $9) \
           AND (r.live OR (r.xid, r.seq) > ($2, $3)) \
           AND NOT EXISTS (SELECT 1 FROM sync_rows l WHERE l.entity = r.entity AND l.id = r.id AND l.live \
                           AND l.unit_path >= $4 AND l.unit_path < $5 AND ($6 OR l.entity <> 'review')) \
         ORDER BY r.unit_path, r.xid, r.seq LIMIT $10",
    )
    .bind::<Text, _>(old.1)
    .bind::<Int8, _>(held_to.0)
    .bind::<Int8, _>(held_to.1)
    .bind::<Text, _>(new.0)
    .bind::<Text, _>(new.1)
    .bind::<Bool, _>(reviews)
    .bind::<Text, _>(start.0)
    .bind::<Int8, _>(start.1)
    .bind::<Int8, _>(start.2)
    .bind::<Int8, _>(limit)
    .load(conn)
    .await
}

/// Where a walk of the subtree starting at `lo` resumes after `at`: never before the subtree. The
/// walk's row comparison must be its only lower bound: beside a second bound on the path (`>=
/// lo`), PostgreSQL may start the index scan at the row's bound and read the index from there,
/// which from the empty start is the whole table (72 s for a township at a million clients).
fn walk_start<'a>(lo: &'a str, at: &'a PathPosition) -> (&'a str, i64, i64) {
    if at.0.as_str() < lo {
        (lo, 0, 0)
    } else {
        (at.0.as_str(), at.1, at.2)
    }
}

/// Every live record of the subtree `[lo, hi)` (reviews only with `reviews`): what a device that
/// pulled everything holds.
pub async fn held(conn: &mut Conn, (lo, hi): (&str, &str), reviews: bool) -> diesel::QueryResult<Vec<HeldRow>> {
    Statement::new(
        "SELECT r.org_unit_id, r.entity, r.id, r.version FROM sync_rows r \
         WHERE r.live AND r.unit_path >= $1 AND r.unit_path < $2 AND ($3 OR r.entity <> 'review')",
    )
    .bind::<Text, _>(lo)
    .bind::<Text, _>(hi)
    .bind::<Bool, _>(reviews)
    .load(conn)
    .await
}
