//! Pulling changes (`GET /sync/changes`) and checksums (`GET /sync/checksums`).
//!
//! A cursor names the scope it was issued for (the caller's unit path, and whether reviews were
//! served) and a position in commit order. When the caller's scope changed since (the user moved
//! to another unit, or their role changed), the next pulls first walk the old scope and tell the
//! device to remove every record the new scope does not show, then start a first download of the
//! new scope; a device never keeps what it may no longer see.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::auth::scope::subtree_range;
use crate::auth::Actor;
use crate::db::models::ChangeRow;
use crate::db::repo::{self, sync::PathPosition};
use crate::domain::enums::{SyncEntity, SyncOp};
use crate::domain::id_number::mask_id_number;
use crate::domain::permissions::{may, Permission};
use crate::domain::phone::mask_phone;
use crate::domain::sync::{checksum, contact_shown, record_hash};
use crate::dto::sync::{SyncChange, SyncChanges, SyncChecksums, SyncQuery, UnitChecksum};
use crate::error::AppError;
use crate::i18n::Text;
use crate::paging::{encode_cursor, Page};
use crate::state::AppState;

/// Changes per page unless asked otherwise.
const DEFAULT_LIMIT: i64 = 500;
/// The most changes a page holds.
const MAX_LIMIT: i64 = 1000;

/// How long a pull waits for older transactions to end before answering without the changes
/// committed behind them, in steps.
const PENDING_WAIT: std::time::Duration = std::time::Duration::from_millis(25);
const PENDING_WAITS: u32 = 8;

/// Where a device stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cursor {
    /// The scope path the position belongs to.
    p: String,
    /// Whether reviews were served.
    r: bool,
    /// Position: transaction id and sequence of the last change served (during a first download,
    /// the download's horizon: its changes are served from there once the walk is done).
    x: i64,
    s: i64,
    /// A first download under way: how far its walk through the scope has come.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    d: Option<PathPosition>,
    /// An unfinished walk of the scope held before (the new scope's download starts after it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    o: Option<Revocation>,
}

/// The scope a device held before its user's scope changed, and how far its walk has come.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Revocation {
    p: String,
    x: i64,
    s: i64,
    at: PathPosition,
}

impl Cursor {
    fn start(actor: &Actor, reviews: bool) -> Self {
        Self { p: actor.scope.path.clone(), r: reviews, x: 0, s: 0, d: None, o: None }
    }
}

fn limit_of(query: &SyncQuery) -> Result<i64, AppError> {
    match query.limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::field(
            "limit",
            "out_of_range",
            Text::new("每页条数应在 1–1000 之间。", "The page size must be between 1 and 1000."),
        )),
    }
}

/// Whether the caller's pull includes reviews: those they can act on.
fn serves_reviews(actor: &Actor) -> bool {
    may(actor.role, Permission::ReviewsDecide)
}

/// The next page of changes in the caller's scope after `query.since`; audited once per pull.
pub async fn pull(state: &AppState, actor: &Actor, query: SyncQuery) -> Result<SyncChanges, AppError> {
    crate::services::require(state, actor, Permission::SyncPull, "sync.pull").await?;
    let limit = limit_of(&query)?;
    let since = query.since.filter(|s| !s.is_empty());
    let cursor = Page::new(limit, since)
        .after::<Cursor>()
        .map_err(|_| AppError::field("since", "invalid", Text::new("同步游标无效。", "The sync cursor is not valid.")))?;
    let reviews = serves_reviews(actor);
    let first_download = cursor.is_none();
    let mut conn = state.conn().await?;

    let (rows, mut next, more, revoking) = match cursor {
        Some(c) if c.o.is_some() || c.p != actor.scope.path || c.r != reviews => {
            let old = match c.o {
                Some(o) => o,
                None => Revocation { p: c.p, x: c.x, s: c.s, at: (String::new(), 0, 0) },
            };
            let (olo, ohi) = subtree_range(&old.p);
            let (nlo, nhi) = actor.scope.path_range();
            let mut rows =
                repo::sync::revocations(&mut conn, (&olo, &ohi), (old.x, old.s), (&nlo, &nhi), reviews, &old.at, limit + 1)
                    .await?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let mut next = Cursor::start(actor, reviews);
            if more {
                let last = rows.last().expect("a full page has a last row");
                next.o = Some(Revocation { at: (last.unit_path.clone(), last.xid, last.seq), ..old });
            }
            // Once the old scope is walked, the new scope's first download follows at once.
            (rows, next, true, true)
        }
        c => {
            let mut next = c.unwrap_or_else(|| Cursor::start(actor, reviews));
            let range = actor.scope.path_range();
            let range = (range.0.as_str(), range.1.as_str());
            if (next.x, next.s) == (0, 0) && next.d.is_none() {
                // A first download: the scope's records as they stand before the horizon, walked
                // by unit path (each page reads only itself), then what changed from there.
                next.x = repo::sync::horizon(&mut conn).await?;
                next.d = Some((String::new(), 0, 0));
            }
            let mut rows = Vec::new();
            if let Some(at) = next.d.take() {
                rows = repo::sync::download(&mut conn, range, next.x, &at, reviews, limit + 1).await?;
                if rows.len() as i64 > limit {
                    rows.truncate(limit as usize);
                    let last = rows.last().expect("a full page has a last row");
                    next.d = Some((last.unit_path.clone(), last.xid, last.seq));
                }
            }
            let room = limit - rows.len() as i64;
            let more = if next.d.is_some() || room == 0 {
                true
            } else {
                let (changed, more) = changed_since(&mut conn, range, (next.x, next.s), reviews, room, rows.is_empty()).await?;
                if let Some(last) = changed.last() {
                    (next.x, next.s) = (last.xid, last.seq);
                }
                rows.extend(changed);
                more
            };
            (rows, next, more, false)
        }
    };
    next.p = actor.scope.path.clone();

    let changes: Vec<SyncChange> = rows.into_iter().filter_map(|row| change_of(actor, row)).collect();
    let upserts = changes.iter().filter(|c| c.op == SyncOp::Upsert).count();
    let details = json!({
        "upserts": upserts,
        "removes": changes.len() - upserts,
        "first_download": first_download,
        "revoking": revoking,
    });
    repo::audit::insert(&mut conn, &crate::services::audit::by(actor, "sync.pull", "sync", None, details)).await?;
    Ok(SyncChanges { changes, next_cursor: encode_cursor(&next), has_more: more })
}

/// The ready changes after `after`, at most `limit`, and whether more follow (or wait behind an
/// older transaction). With `may_wait`, changes committed just now that wait for an older
/// transaction to end are waited for a little: it is usually a matter of milliseconds, better
/// than sending the device back empty-handed; past that, `has_more` tells it to ask again.
async fn changed_since(
    conn: &mut crate::db::Conn,
    range: (&str, &str),
    after: repo::sync::Position,
    reviews: bool,
    limit: i64,
    may_wait: bool,
) -> Result<(Vec<ChangeRow>, bool), AppError> {
    let mut waited = 0;
    loop {
        let rows = repo::sync::changes(conn, range, after, reviews, limit + 1).await?;
        let fetched = rows.len();
        let mut ready: Vec<ChangeRow> = rows.into_iter().take_while(|r| r.ready).collect();
        let waiting = ready.len() < fetched && ready.len() as i64 <= limit;
        if waiting && ready.is_empty() && may_wait && waited < PENDING_WAITS {
            waited += 1;
            tokio::time::sleep(PENDING_WAIT).await;
            continue;
        }
        let more = waiting || ready.len() as i64 > limit;
        ready.truncate(limit as usize);
        return Ok((ready, more));
    }
}

/// What the device does with one row, and the record as it may see it.
fn change_of(actor: &Actor, row: ChangeRow) -> Option<SyncChange> {
    let entity = SyncEntity::from_str(&row.entity).ok()?;
    match row.op.as_str() {
        "upsert" => {
            let mut data = row.data?;
            shape(actor, entity, &row.unit_path, row.version, &mut data);
            Some(SyncChange {
                entity,
                id: row.id,
                op: SyncOp::Upsert,
                version: Some(row.version),
                org_unit_id: Some(row.org_unit_id),
                data: Some(data),
            })
        }
        "remove" => Some(SyncChange { entity, id: row.id, op: SyncOp::Remove, version: None, org_unit_id: None, data: None }),
        _ => None,
    }
}

/// The stored record as the caller may read it: ID numbers masked; a client's contact details
/// whole only where the caller works (see `domain::sync::contact_shown`).
fn shape(actor: &Actor, entity: SyncEntity, unit_path: &str, version: i32, data: &mut Value) {
    let Some(obj) = data.as_object_mut() else { return };
    obj.insert("version".into(), json!(version));
    if entity != SyncEntity::Client {
        return;
    }
    obj.remove("deleted_at");
    let number = obj.remove("id_number");
    let masked = number.as_ref().and_then(Value::as_str).map(mask_id_number);
    obj.insert("id_number_masked".into(), json!(masked));
    let shown = contact_shown(&actor.scope.path, unit_path);
    obj.insert("contact_masked".into(), json!(!shown));
    if shown {
        return;
    }
    if let Some(phone) = obj.get_mut("phone") {
        if let Some(p) = phone.as_str() {
            *phone = json!(mask_phone(p));
        }
    }
    obj.insert("address".into(), Value::Null);
    for contact in ["guardian", "emergency_contact"] {
        if let Some(Value::Object(c)) = obj.get_mut(contact) {
            if let Some(p) = c.get("phone").and_then(Value::as_str).map(mask_phone) {
                c.insert("phone".into(), json!(p));
            }
        }
    }
}

/// Per unit in scope, the count and checksum of the records a device that pulled everything holds.
pub async fn checksums(state: &AppState, actor: &Actor) -> Result<SyncChecksums, AppError> {
    crate::services::require(state, actor, Permission::SyncPull, "sync.checksums").await?;
    let mut conn = state.conn().await?;
    let (lo, hi) = actor.scope.path_range();
    let held = repo::sync::held(&mut conn, (&lo, &hi), serves_reviews(actor)).await?;
    let mut units: BTreeMap<uuid::Uuid, Vec<u64>> = BTreeMap::new();
    for row in held {
        units.entry(row.org_unit_id).or_default().push(record_hash(&row.entity, row.id, row.version));
    }
    let units = units
        .into_iter()
        .map(|(org_unit_id, hashes)| UnitChecksum { org_unit_id, count: hashes.len() as i64, checksum: checksum(hashes) })
        .collect();
    Ok(SyncChecksums { units })
}
