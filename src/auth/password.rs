//! Password hashing (argon2id, OWASP parameters) and the password policy.
//!
//! Hashing is deliberately slow, so it runs on the blocking pool behind a semaphore: a login
//! storm queues for the hasher instead of starving the async workers that answer everything else.
//! Unknown users are checked against a dummy hash so both failures take the same time.

use std::sync::{Arc, OnceLock};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::Semaphore;

use crate::error::{AppError, FieldError};
use crate::i18n::Text;

fn argon2() -> Argon2<'static> {
    // OWASP: m = 19456 KiB, t = 2, p = 1.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password now (blocking; call through `Hasher`).
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("dummy password for unknown users").unwrap_or_default())
}

/// The bounded hasher shared by all requests.
#[derive(Clone, Debug)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Hasher {
    /// A hasher computing at most `concurrency` hashes at once.
    pub fn new(concurrency: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrency.max(1))) }
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(f).await.map_err(AppError::internal)
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_blocking(&password)).await?.map_err(AppError::Internal)
    }

    /// Verifies a password against a stored hash, or against the dummy hash when there is none.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        self.run(move || match hash {
            Some(h) => verify_blocking(&password, &h),
            None => {
                verify_blocking(&password, dummy_hash());
                false
            }
        })
        .await
    }

    /// Computes the dummy hash ahead of the first login, so the first unknown user is not faster.
    pub async fn warm_up(&self) {
        let _ = self.run(|| dummy_hash().len()).await;
    }
}

const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.lines().any(|l| l.trim() == lower)
}

/// Checks a new password against the policy: 8–128 characters, not a common password, not the
/// username. Returns the violations for `field`.
pub fn check_policy(field: &str, password: &str, username: Option<&str>) -> Vec<FieldError> {
    let len = password.chars().count();
    let mut errors = Vec::new();
    if len < 8 {
        errors.push(FieldError::new(field, "too_short", Text::new("密码至少 8 个字符。", "The password must have at least 8 characters.")));
    } else if len > 128 {
        errors.push(FieldError::new(field, "too_long", Text::new("密码不能超过 128 个字符。", "The password must have at most 128 characters.")));
    }
    if is_common(password) {
        errors.push(FieldError::new(field, "common_password", Text::new("该密码过于常见，请换一个。", "This password is too common; choose another.")));
    } else if username.is_some_and(|u| u.eq_ignore_ascii_case(password)) {
        errors.push(FieldError::new(field, "same_as_username", Text::new("密码不能与用户名相同。", "The password must differ from the username.")));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check_policy("p", "short", None)[0].code, "too_short");
        assert_eq!(check_policy("p", &"x".repeat(129), None)[0].code, "too_long");
        assert_eq!(check_policy("p", "password", None)[0].code, "common_password");
        assert_eq!(check_policy("p", "Password1", None)[0].code, "common_password");
        assert_eq!(check_policy("p", "woaini1314", None)[0].code, "common_password");
        assert_eq!(check_policy("p", "zhangwei01", Some("ZhangWei01"))[0].code, "same_as_username");
        assert!(check_policy("p", "社会工作服务站的长期密码短语", None).is_empty());
        assert!(check_policy("p", "Correct-Horse-7", None).is_empty());
        assert!(COMMON_PASSWORDS.lines().count() > 200);
    }

    #[test]
    fn hash_format_and_verify() {
        let h = hash_blocking("a fine passphrase").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_blocking("a fine passphrase", &h));
        assert!(!verify_blocking("another", &h));
        assert!(!verify_blocking("x", "not a hash"));
    }
}
