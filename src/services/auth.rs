//! Sign-in, token rotation, sign-out and password changes.
//!
//! - Unknown user, wrong password and disabled account all answer the same 401 after the same
//!   amount of hashing work.
//! - Failed logins are counted in PostgreSQL per account and address, and per address alone (four
//!   times the limit: one address guessing across many names). At the limit that key is locked
//!   for the window (429 + Retry-After), each lock after the first twice as long. Nothing locks an
//!   account for every address: five wrong guesses from one place do not keep its owner out
//!   elsewhere.
//! - Refresh tokens rotate on every use. A spent token presented again within 60 s while its
//!   successor is unused gets that same successor back (a lost response on a village connection is
//!   not an attack); any other reuse revokes the whole family.

use std::net::IpAddr;

use chrono::{Duration as ChronoDuration, Utc};
use scoped_futures::ScopedFutureExt;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::auth::{jwt::refresh_hash, password::check_policy};
use crate::db::{
    models::{NewRefreshToken, User},
    repo, Conn,
};
use crate::domain::enums::AuditOutcome;
use crate::dto::auth::TokensOut;
use crate::error::AppError;
use crate::i18n::Text;
use crate::state::AppState;

/// How long a spent refresh token may still fetch its unused successor.
const REFRESH_GRACE_SECS: i64 = 60;

fn throttled(until: chrono::DateTime<Utc>) -> AppError {
    AppError::TooManyRequests { retry_after_secs: (until - Utc::now()).num_seconds().max(1) as u64 }
}

/// How many more failures one address may have than one account from it.
const ADDRESS_FAILURES_FACTOR: i32 = 4;

/// The throttle keys of a login: the account from the address, and the address alone.
fn throttle_keys(account: &str, address: Option<IpAddr>) -> [String; 2] {
    let address = address.map(|a| a.to_string()).unwrap_or_else(|| "unknown".to_owned());
    [format!("{account}@{address}"), format!("@{address}")]
}

/// Signs a user in; `address` is where the request came from (throttling counts by it).
pub async fn login(state: &AppState, username: &str, password: String, address: Option<IpAddr>) -> Result<TokensOut, AppError> {
    let key = username.trim().to_lowercase();
    let keys = throttle_keys(&key, address);
    let from = json!(address.map(|a| a.to_string()));
    let mut conn = state.conn().await?;
    if let Some(until) = repo::tokens::locked_until(&mut conn, &keys).await? {
        let event = audit_login(None, &key, AuditOutcome::Denied, json!({"reason": "throttled", "address": from}));
        repo::audit::insert(&mut conn, &event).await?;
        return Err(throttled(until));
    }
    let credentials = repo::users::find_credentials(&mut conn, &key).await?;
    // Release the connection while hashing: the hasher may queue.
    drop(conn);
    let hash = credentials.as_ref().map(|c| c.password_hash.clone());
    let verified = state.hasher.verify(password, hash).await?;
    let mut conn = state.conn().await?;
    // Check again: guesses sent in parallel all pass the first check and then queue for the
    // hasher; a lock set meanwhile by the earlier failures must stop the rest, right or wrong.
    if let Some(until) = repo::tokens::locked_until(&mut conn, &keys).await? {
        let event = audit_login(None, &key, AuditOutcome::Denied, json!({"reason": "throttled", "address": from}));
        repo::audit::insert(&mut conn, &event).await?;
        return Err(throttled(until));
    }
    let user = match &credentials {
        Some(c) if verified && c.is_active => repo::users::find(&mut conn, c.id).await?,
        _ => None,
    };
    let Some(user) = user else {
        let known = match &credentials {
            Some(c) => repo::users::find(&mut conn, c.id).await?.map(|u| (u.id, u.role, u.org_unit_id)),
            None => None,
        };
        let max = state.config.login_max_failures;
        let window = state.config.login_lock.as_secs() as i64;
        let key_for_tx = key.clone();
        let keys_for_tx = keys.clone();
        let from_for_tx = from.clone();
        let locked = crate::db::transaction::<_, AppError, _>(&mut conn, |conn| {
            let (key, [pair, alone], from) = (key_for_tx, keys_for_tx, from_for_tx);
            async move {
                let pair = repo::tokens::record_failure(conn, &pair, max, window).await?;
                let alone =
                    repo::tokens::record_failure(conn, &alone, max.saturating_mul(ADDRESS_FAILURES_FACTOR), window).await?;
                let event =
                    audit_login(known, &key, AuditOutcome::Failure, json!({"reason": "bad_credentials", "address": from}));
                repo::audit::insert(conn, &event).await?;
                Ok((pair, alone))
            }
            .scope_boxed_local()
        })
        .await?;
        match locked {
            (_, Some(_)) => tracing::warn!(address = %from, "address locked after repeated failed logins"),
            (Some(_), None) => {
                tracing::warn!(account = %key, address = %from, "account locked for an address after repeated failed logins")
            }
            (None, None) => {}
        }
        return Err(AppError::InvalidCredentials);
    };
    let family = Uuid::now_v7();
    let verified_hash = credentials.map(|c| c.password_hash);
    let (refresh_token, user) = crate::db::transaction::<_, AppError, _>(&mut conn, |conn| {
        async move {
            // Lock the account for the rest of the sign-in and check that the password just
            // verified is still its password: a change, reset or disabling committed meanwhile
            // wins, and one coming later waits for this session and then ends it too.
            let current = repo::users::lock_credentials(conn, user.id).await?;
            if !current.is_some_and(|c| c.is_active && Some(c.password_hash) == verified_hash) {
                return Err(AppError::InvalidCredentials);
            }
            let user = repo::users::find(conn, user.id).await?.ok_or(AppError::InvalidCredentials)?;
            // The account's count from this address starts over; the address's own count does not
            // (one good account must not launder guesses at others).
            repo::tokens::clear_failures(conn, &keys[0]).await?;
            let token = new_refresh(state, conn, user.id, family).await?;
            let event = audit_login(Some((user.id, user.role, user.org_unit_id)), &key, AuditOutcome::Success, json!({}));
            repo::audit::insert(conn, &event).await?;
            Ok((token, user))
        }
        .scope_boxed_local()
    })
    .await?;
    token_response(state, user, family, refresh_token)
}

fn audit_login(
    user: Option<(Uuid, crate::domain::enums::Role, Uuid)>,
    key: &str,
    outcome: AuditOutcome,
    details: serde_json::Value,
) -> crate::db::models::NewAuditEvent {
    super::audit::anonymous(user, key, "auth.login", outcome, details)
}

async fn new_refresh(state: &AppState, conn: &mut Conn, user_id: Uuid, family: Uuid) -> Result<String, AppError> {
    let id = Uuid::now_v7();
    let token = state.tokens.refresh_token(id);
    let ttl = ChronoDuration::from_std(state.tokens.refresh_ttl).map_err(AppError::internal)?;
    repo::tokens::insert(
        conn,
        &NewRefreshToken { id, family_id: family, user_id, token_hash: refresh_hash(&token), expires_at: Utc::now() + ttl },
    )
    .await?;
    Ok(token)
}

fn token_response(state: &AppState, user: User, family: Uuid, refresh_token: String) -> Result<TokensOut, AppError> {
    let access_token = state.tokens.issue_access(user.id, user.token_version, family).map_err(AppError::Internal)?;
    Ok(TokensOut {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.tokens.access_ttl.as_secs(),
        refresh_token,
        user: user.into(),
    })
}

fn invalid_refresh() -> AppError {
    AppError::Unauthorized
}

/// Rotates a refresh token.
pub async fn refresh(state: &AppState, presented: &str) -> Result<TokensOut, AppError> {
    // Tokens not made by this server never reach the database.
    state.tokens.refresh_token_id(presented).ok_or_else(invalid_refresh)?;
    let hash = refresh_hash(presented);
    let mut conn = state.conn().await?;
    enum Outcome {
        Issued(User, Uuid, String),
        Reused,
    }
    let outcome = crate::db::transaction::<_, AppError, _>(&mut conn, |conn| {
        async move {
            let token = repo::tokens::lock_by_hash(conn, &hash).await?.ok_or_else(invalid_refresh)?;
            if token.revoked_at.is_some() || token.expires_at <= Utc::now() {
                return Err(invalid_refresh());
            }
            let user = repo::users::find(conn, token.user_id).await?.filter(|u| u.is_active).ok_or_else(invalid_refresh)?;
            match (token.used_at, token.successor_id) {
                (None, _) => {
                    let successor = new_refresh(state, conn, user.id, token.family_id).await?;
                    let successor_id = state.tokens.refresh_token_id(&successor).ok_or_else(invalid_refresh)?;
                    repo::tokens::mark_used(conn, token.id, successor_id).await?;
                    Ok(Outcome::Issued(user, token.family_id, successor))
                }
                (Some(used_at), Some(successor_id)) => {
                    let successor = repo::tokens::find(conn, successor_id).await?;
                    let within_grace = (Utc::now() - used_at).num_seconds() <= REFRESH_GRACE_SECS;
                    match successor {
                        Some(s) if within_grace && s.used_at.is_none() && s.revoked_at.is_none() => {
                            Ok(Outcome::Issued(user, token.family_id, state.tokens.refresh_token(s.id)))
                        }
                        _ => {
                            repo::tokens::revoke_family(conn, token.family_id).await?;
                            let event = super::audit::anonymous(
                                Some((user.id, user.role, user.org_unit_id)),
                                &user.username,
                                "auth.refresh_reuse",
                                AuditOutcome::Denied,
                                json!({"family_id": token.family_id}),
                            );
                            repo::audit::insert(conn, &event).await?;
                            Ok(Outcome::Reused)
                        }
                    }
                }
                (Some(_), None) => Err(invalid_refresh()),
            }
        }
        .scope_boxed_local()
    })
    .await?;
    match outcome {
        Outcome::Issued(user, family, token) => token_response(state, user, family, token),
        // The revocation committed; the caller gets nothing.
        Outcome::Reused => Err(invalid_refresh()),
    }
}

/// Ends the session a refresh token belongs to (only the caller's own).
pub async fn logout(state: &AppState, actor: &Actor, presented: &str) -> Result<(), AppError> {
    if state.tokens.refresh_token_id(presented).is_none() {
        return Ok(());
    }
    let hash = refresh_hash(presented);
    let actor = actor.clone();
    let mut conn = state.conn().await?;
    crate::db::transaction::<_, AppError, _>(&mut conn, |conn| {
        async move {
            if let Some(token) = repo::tokens::lock_by_hash(conn, &hash).await? {
                if token.user_id == actor.id {
                    repo::tokens::revoke_family(conn, token.family_id).await?;
                    let event = super::audit::by(&actor, "auth.logout", "user", Some(actor.id), json!({}));
                    repo::audit::insert(conn, &event).await?;
                }
            }
            Ok(())
        }
        .scope_boxed_local()
    })
    .await
}

/// Changes the caller's password; every other session ends.
pub async fn change_password(state: &AppState, actor: &Actor, current: String, new: String) -> Result<(), AppError> {
    let errors = check_policy("new_password", &new, Some(&actor.username));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let stored = {
        let mut conn = state.conn().await?;
        repo::users::password_hash(&mut conn, actor.id).await?
    };
    if !state.hasher.verify(current, Some(stored)).await? {
        return Err(AppError::field(
            "current_password",
            "wrong_password",
            Text::new("当前密码不正确。", "The current password is wrong."),
        ));
    }
    let hash = state.hasher.hash(new).await?;
    let actor = actor.clone();
    let mut conn = state.conn().await?;
    crate::db::transaction::<_, AppError, _>(&mut conn, |conn| {
        async move {
            repo::users::set_password(conn, actor.id, &hash).await?;
            repo::users::revoke_sessions(conn, actor.id, Some(actor.session_id)).await?;
            let event = super::audit::by(&actor, "auth.change_password", "user", Some(actor.id), json!({}));
            repo::audit::insert(conn, &event).await?;
            Ok(())
        }
        .scope_boxed_local()
    })
    .await
}
