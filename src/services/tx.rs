//! One transaction per write, with the `Idempotency-Key` contract of API.md folded in, and the
//! audit of a refusal decided inside it.
//!
//! A write answers with what it did (`Written`: an `Effect`, the resource as JSON, its version and
//! id), never with HTTP: the route turns the effect into a status, the version into an `ETag` and
//! the id of a created resource into a `Location`.
//!
//! The key is claimed inside the same transaction as the write and completed with the answer
//! before commit, so a key and its effect are never separated: a crash leaves neither. A second
//! request with the key waits (briefly) for the first: if the first is still running it gets 409;
//! once it committed, the stored answer is replayed; a different body under the same key is 422.
//! The body is kept as JSON because that is what the store keeps and a replay returns.

use scoped_futures::{ScopedFutureExt, ScopedLocalBoxFuture};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::{repo, Conn};
use crate::error::AppError;
use crate::i18n::Text;
use crate::state::AppState;

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A new resource was made.
    Created,
    /// The resource already existed under the client-chosen id; nothing was written.
    Existing,
    /// A resource was changed.
    Changed,
    /// A decision was asked for (a review); the resource waits for it.
    Accepted,
    /// The write is done and there is nothing to show (a deletion, a password reset).
    Done,
}

impl Effect {
    fn code(self) -> &'static str {
        match self {
            Effect::Created => "created",
            Effect::Existing => "existing",
            Effect::Changed => "changed",
            Effect::Accepted => "accepted",
            Effect::Done => "done",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [Effect::Created, Effect::Existing, Effect::Changed, Effect::Accepted, Effect::Done]
            .into_iter()
            .find(|e| e.code() == code)
    }
}

/// A write's answer, fresh or replayed under an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct Written {
    /// What happened.
    pub effect: Effect,
    /// The resource (or the review an action asked for), as answered.
    pub body: serde_json::Value,
    /// The resource's version, when it has one.
    pub version: Option<i32>,
    /// The id of the resource (a created one is found there).
    pub id: Option<Uuid>,
}

impl Written {
    /// An answer with a serialisable body.
    pub fn new(effect: Effect, body: &impl Serialize) -> Result<Self, AppError> {
        Ok(Self { effect, body: serde_json::to_value(body).map_err(AppError::internal)?, version: None, id: None })
    }

    /// A resource made by this write.
    pub fn created(id: Uuid, version: i32, body: &impl Serialize) -> Result<Self, AppError> {
        Ok(Self { id: Some(id), version: Some(version), ..Self::new(Effect::Created, body)? })
    }

    /// A resource that already existed under the requested id.
    pub fn existing(version: i32, body: &impl Serialize) -> Result<Self, AppError> {
        Ok(Self { version: Some(version), ..Self::new(Effect::Existing, body)? })
    }

    /// A write with nothing to show.
    pub fn done() -> Self {
        Self { effect: Effect::Done, body: serde_json::Value::Null, version: None, id: None }
    }

    /// A resource changed by this write.
    pub fn changed(version: i32, body: &impl Serialize) -> Result<Self, AppError> {
        Ok(Self { version: Some(version), ..Self::new(Effect::Changed, body)? })
    }
}

/// An `Idempotency-Key` and the hash of the request it stands for (method, path and body).
#[derive(Debug, Clone)]
pub struct Claim {
    key: String,
    request_hash: Vec<u8>,
    method: String,
    path: String,
}

impl Claim {
    /// The claim of `key` for a request with this method, path and canonical-body hash.
    pub fn new(key: String, method: &str, path: &str, body_hash: &[u8; 32]) -> Self {
        let request_hash = Sha256::new()
            .chain_update(method.as_bytes())
            .chain_update(b" ")
            .chain_update(path.as_bytes())
            .chain_update(b"\n")
            .chain_update(body_hash)
            .finalize()
            .to_vec();
        Self { key, request_hash, method: method.to_owned(), path: path.to_owned() }
    }
}

/// Runs `work` for `actor` in one transaction; under a claim, replays or refuses as API.md says.
/// A 403 decided inside the work (rolled back with everything else) is recorded as a denied
/// `action` on a connection of its own.
pub async fn write<'a, F>(
    state: &AppState,
    actor: &Actor,
    action: &str,
    claim: Option<Claim>,
    work: F,
) -> Result<Written, AppError>
where
    F: for<'r> FnOnce(&'r mut Conn) -> ScopedLocalBoxFuture<'a, 'r, Result<Written, AppError>> + 'a,
{
    let result = run(state, actor.id, claim, work).await;
    if matches!(result, Err(AppError::Forbidden(_))) {
        super::audit::denied(state, actor, action).await;
    }
    result
}

async fn run<'a, F>(state: &AppState, user_id: Uuid, claim: Option<Claim>, work: F) -> Result<Written, AppError>
where
    F: for<'r> FnOnce(&'r mut Conn) -> ScopedLocalBoxFuture<'a, 'r, Result<Written, AppError>> + 'a,
{
    let mut conn = state.conn().await?;
    crate::db::transaction::<Written, AppError, _>(&mut conn, |conn| {
        async move {
            if let Some(c) = &claim {
                match repo::idempotency::claim(conn, user_id, &c.key, &c.method, &c.path, &c.request_hash).await {
                    Ok(true) => {}
                    Ok(false) => return replay(conn, user_id, c).await,
                    Err(e) if repo::idempotency::is_lock_timeout(&e) => return Err(in_progress()),
                    Err(e) => return Err(e.into()),
                }
            }
            let written = work(conn).await?;
            if let Some(c) = &claim {
                repo::idempotency::complete(
                    conn,
                    user_id,
                    &c.key,
                    written.effect.code(),
                    &written.body,
                    written.version,
                    written.id,
                )
                .await?;
            }
            Ok(written)
        }
        .scope_boxed_local()
    })
    .await
}

fn in_progress() -> AppError {
    AppError::conflict(
        "idempotency_in_progress",
        Text::new("相同 Idempotency-Key 的请求仍在处理中。", "A request with this Idempotency-Key is still being processed."),
    )
}

async fn replay(conn: &mut Conn, user_id: Uuid, claim: &Claim) -> Result<Written, AppError> {
    let stored = repo::idempotency::find(conn, user_id, &claim.key).await?.ok_or_else(in_progress)?;
    if stored.request_hash != claim.request_hash {
        return Err(AppError::Unprocessable(Text::new(
            "该 Idempotency-Key 已用于另一个请求体。",
            "This Idempotency-Key was already used with a different request.",
        )));
    }
    let effect = stored
        .effect
        .as_deref()
        .map(|code| Effect::from_code(code).ok_or_else(|| AppError::internal(anyhow::anyhow!("stored effect {code}"))));
    match effect {
        None => Err(in_progress()),
        Some(effect) => {
            Ok(Written { effect: effect?, body: stored.response_body, version: stored.version, id: stored.resource_id })
        }
    }
}
