//! Header extractors: `If-Match` (optimistic concurrency) and `Idempotency-Key`.

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use futures_util::future::{ready, Ready};

use crate::error::AppError;
use crate::i18n::Text;
use crate::services::tx::Claim;

/// The version a client read, from `If-Match: "<version>"`. Missing → 428.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub i32);

/// The `ETag` value for a record version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(raw) = req.headers().get("if-match") else {
            return ready(Err(AppError::PreconditionRequired));
        };
        let parsed =
            raw.to_str().ok().map(|v| v.trim().trim_start_matches("W/").trim_matches('"')).and_then(|v| v.parse::<i32>().ok());
        // An If-Match that names no version of ours can never match.
        ready(parsed.map(IfMatch).ok_or(AppError::PreconditionFailed))
    }
}

impl IdempotencyKey {
    /// The claim this key makes for a request with this canonical-body hash (none without a key).
    pub fn claim(&self, body_hash: &[u8; 32]) -> Option<Claim> {
        self.key.clone().map(|key| Claim::new(key, &self.method, &self.path, body_hash))
    }
}

/// The client's `Idempotency-Key`, if any, with the request's method and path.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// The key (1–255 visible ASCII characters).
    pub key: Option<String>,
    /// Method of the request, part of what the key stands for.
    pub method: String,
    /// Path of the request.
    pub path: String,
}

impl FromRequest for IdempotencyKey {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = match req.headers().get("idempotency-key") {
            None => None,
            Some(v) => match v.to_str() {
                Ok(s) if !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| (0x21..=0x7e).contains(&b)) => Some(s.to_owned()),
                _ => {
                    return ready(Err(AppError::field(
                        "Idempotency-Key",
                        "invalid",
                        Text::new(
                            "Idempotency-Key 须为 1–255 个可见 ASCII 字符。",
                            "Idempotency-Key must be 1–255 visible ASCII characters.",
                        ),
                    )))
                }
            },
        };
        ready(Ok(IdempotencyKey { key, method: req.method().to_string(), path: req.path().to_owned() }))
    }
}
