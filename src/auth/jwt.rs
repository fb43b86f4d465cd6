//! Access tokens (JWT, HS256 pinned) and refresh tokens (opaque, derived from their id).
//!
//! Access tokens carry `typ = "access"`, the user's `token_version` and the session (`sid`, the
//! refresh-token family). Every registered claim is required and checked: `exp`, `nbf`, `iat`,
//! `iss`, `aud`, `sub`. Anything else — `alg: none`, another algorithm or key, a tampered payload,
//! a refresh token — fails to decode and is a 401.
//!
//! A refresh token is `<id>.<HMAC-SHA256(key, id)>`: 256 bits nobody can guess, stored only as its
//! SHA-256, yet reproducible from its id, so a phone that lost a refresh response can be handed
//! the same successor again without the server keeping any token in the clear.

use std::time::Duration;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::Utc;
use hmac::{Hmac, Mac};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Config;

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// User id.
    pub sub: Uuid,
    /// Expiry (unix seconds).
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Token type; always `access`.
    pub typ: String,
    /// The user's `token_version` when issued.
    pub ver: i32,
    /// Session (refresh-token family) id.
    pub sid: Uuid,
}

/// Keys and rules for both kinds of token.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    refresh_key: Vec<u8>,
    issuer: String,
    audience: String,
    /// Lifetime of an access token.
    pub access_ttl: Duration,
    /// Lifetime of a refresh token.
    pub refresh_ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys").field("issuer", &self.issuer).finish_non_exhaustive()
    }
}

type HmacSha256 = Hmac<Sha256>;

impl TokenKeys {
    /// Keys from the configuration and its secret (configured, or kept in the database).
    pub fn new(config: &Config, secret: &str) -> Self {
        let secret = secret.as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.validate_exp = true;
        validation.leeway = 5;
        // The refresh key is derived, so one configured secret never signs two kinds of thing.
        let refresh_key = Sha256::new().chain_update(b"shegong refresh-token key\0").chain_update(secret).finalize().to_vec();
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            refresh_key,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            access_ttl: config.access_token_ttl,
            refresh_ttl: config.refresh_token_ttl,
        }
    }

    /// Signs an access token for a user and session.
    pub fn issue_access(&self, user_id: Uuid, token_version: i32, session_id: Uuid) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id,
            exp: now + self.access_ttl.as_secs() as i64,
            nbf: now,
            iat: now,
            typ: "access".into(),
            ver: token_version,
            sid: session_id,
        };
        Ok(encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// Verifies an access token; `None` for anything that is not a valid, current access token.
    pub fn verify_access(&self, token: &str) -> Option<Claims> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        (data.claims.typ == "access").then_some(data.claims)
    }

    /// The refresh token for a token id.
    pub fn refresh_token(&self, id: Uuid) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.refresh_key).unwrap_or_else(|_| unreachable_hmac());
        mac.update(id.as_bytes());
        format!("{}.{}", id.simple(), URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    /// The id inside a refresh token, if the token is authentic.
    pub fn refresh_token_id(&self, token: &str) -> Option<Uuid> {
        let (id, sig) = token.split_once('.')?;
        let id = Uuid::try_parse(id).ok()?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        let mut mac = HmacSha256::new_from_slice(&self.refresh_key).ok()?;
        mac.update(id.as_bytes());
        mac.verify_slice(&sig).ok()?;
        Some(id)
    }
}

/// HMAC accepts keys of any length; this cannot happen.
fn unreachable_hmac() -> HmacSha256 {
    #[allow(clippy::panic)]
    {
        panic!("HMAC key of any length is accepted")
    }
}

/// SHA-256 of a refresh token, as stored.
pub fn refresh_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
