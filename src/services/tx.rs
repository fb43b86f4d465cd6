//! One transaction per write, with the `Idempotency-Key` contract of API.md folded in.
//!
//! The key is claimed inside the same transaction as the write and completed with the response
//! before commit, so a key and its effect are never separated: a crash leaves neither. A second
//! request with the key waits (briefly) for the first: if the first is still running it gets 409;
//! once it committed, the stored response is replayed; a different body under the same key is 422.

use scoped_futures::{ScopedFutureExt, ScopedLocalBoxFuture};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::{repo, Conn};
use crate::error::AppError;
use crate::extract::IdempotencyKey;
use crate::i18n::Text;
use crate::state::AppState;

/// The outcome of a write, as it will be (and, under a key, was) answered.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: serde_json::Value,
    /// `ETag`, when the body is a versioned resource.
    pub etag: Option<String>,
    /// `Location` of a created resource.
    pub location: Option<String>,
}

impl Reply {
    /// A reply with a serialisable body.
    pub fn new(status: u16, body: &impl Serialize) -> Result<Self, AppError> {
        Ok(Self { status, body: serde_json::to_value(body).map_err(AppError::internal)?, etag: None, location: None })
    }
    /// Adds the ETag of a version.
    pub fn with_version(mut self, version: i32) -> Self {
        self.etag = Some(crate::extract::headers::etag(version));
        self
    }
    /// Adds a Location.
    pub fn at(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }
}

/// The idempotency side of a creating request.
pub struct Idempotency<'a> {
    /// The key header, method and path.
    pub key: &'a IdempotencyKey,
    /// Hash of the canonical body.
    pub body_hash: &'a [u8; 32],
}

/// Runs `work` in one transaction; under an `Idempotency-Key`, replays or refuses as API.md says.
pub async fn write<'a, F>(
    state: &AppState,
    user_id: Uuid,
    idempotency: Option<Idempotency<'_>>,
    work: F,
) -> Result<Reply, AppError>
where
    F: for<'r> FnOnce(&'r mut Conn) -> ScopedLocalBoxFuture<'a, 'r, Result<Reply, AppError>> + 'a,
{
    let claim = idempotency.and_then(|i| {
        i.key.key.clone().map(|key| {
            let hash = Sha256::new()
                .chain_update(i.key.method.as_bytes())
                .chain_update(b" ")
                .chain_update(i.key.path.as_bytes())
                .chain_update(b"\n")
                .chain_update(i.body_hash)
                .finalize()
                .to_vec();
            (key, hash, i.key.method.clone(), i.key.path.clone())
        })
    });
    let mut conn = state.conn().await?;
    crate::db::transaction::<Reply, AppError, _>(&mut conn, |conn| {
        async move {
            if let Some((key, hash, method, path)) = &claim {
                match repo::idempotency::claim(conn, user_id, key, method, path, hash).await {
                    Ok(true) => {}
                    Ok(false) => return replay(conn, user_id, key, hash).await,
                    Err(e) if repo::idempotency::is_lock_timeout(&e) => return Err(in_progress()),
                    Err(e) => return Err(e.into()),
                }
            }
            let reply = work(conn).await?;
            if let Some((key, ..)) = &claim {
                let status = i16::try_from(reply.status).map_err(AppError::internal)?;
                repo::idempotency::complete(
                    conn,
                    user_id,
                    key,
                    status,
                    &reply.body,
                    reply.etag.as_deref(),
                    reply.location.as_deref(),
                )
                .await?;
            }
            Ok(reply)
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

async fn replay(conn: &mut Conn, user_id: Uuid, key: &str, hash: &[u8]) -> Result<Reply, AppError> {
    let stored = repo::idempotency::find(conn, user_id, key).await?.ok_or_else(in_progress)?;
    if stored.request_hash != hash {
        return Err(AppError::Unprocessable(Text::new(
            "该 Idempotency-Key 已用于另一个请求体。",
            "This Idempotency-Key was already used with a different request.",
        )));
    }
    if stored.status == 0 {
        return Err(in_progress());
    }
    Ok(Reply {
        status: u16::try_from(stored.status).map_err(AppError::internal)?,
        body: stored.response_body,
        etag: stored.etag,
        location: stored.location,
    })
}
