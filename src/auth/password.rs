//! Password hashing (argon2id, OWASP parameters) and the password policy.
//!
//! Hashing is deliberately slow and needs 19 MiB of memory, so it runs on a few threads of its
//! own (`SHEGONG_HASH_CONCURRENCY`), each keeping its memory for the next hash: a login storm
//! queues for the hashers instead of starving the async workers that answer everything else, and
//! the process does not grow by 19 MiB for every thread that ever hashed. On Linux the hashing
//! threads also run under the idle scheduling policy: when the machine is busy, requests that are
//! already signed in go first and sign-ins wait a little longer, rather than a storm of sign-ins
//! slowing every worker's lists. Unknown users are checked against a dummy hash so both failures
//! take the same time.

use std::sync::{mpsc, Arc, Mutex, OnceLock};

use argon2::{
    password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use tokio::sync::oneshot;

use crate::error::{AppError, FieldError};
use crate::i18n::Text;

fn params() -> Params {
    // OWASP: m = 19456 KiB, t = 2, p = 1.
    Params::new(19_456, 2, 1, None).unwrap_or_default()
}

/// `params`' share of `memory`, grown to fit the first time.
fn blocks<'m>(memory: &'m mut Vec<Block>, params: &Params) -> &'m mut [Block] {
    let n = params.block_count();
    if memory.len() < n {
        memory.resize(n, Block::default());
    }
    &mut memory[..n]
}

/// Hashes a password into a PHC string, using `memory` for the algorithm's state.
fn hash_with(memory: &mut Vec<Block>, password: &str) -> anyhow::Result<String> {
    let params = params();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, blocks(memory, &params)).map_err(Into::into)
    })
    .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    let hash = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("hash parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether a password matches a PHC string, recomputed with the string's own parameters.
fn verify_with(memory: &mut Vec<Block>, password: &str, hash: &str) -> bool {
    let mut check = || -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = parsed.version.map(Version::try_from).transpose().ok()?.unwrap_or_default();
        let params = Params::try_from(&parsed).ok()?;
        let (salt, expected) = (parsed.salt?, parsed.hash?);
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes).ok()?;
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let computed = Output::init_with(expected.len(), |out| {
            argon2
                .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, blocks(memory, &params))
                .map_err(Into::into)
        })
        .ok()?;
        // `Output` compares in constant time.
        Some(computed == expected)
    };
    check().unwrap_or(false)
}

/// Hashes a password now, on the calling thread (seeding, set-up; requests use `Hasher`).
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    hash_with(&mut Vec::new(), password)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("dummy password for unknown users").unwrap_or_default())
}

enum Job {
    Hash(String, oneshot::Sender<anyhow::Result<String>>),
    Verify(String, Option<String>, oneshot::Sender<bool>),
}

/// The bounded hasher shared by all requests: a queue in front of a fixed set of hashing
/// threads. The threads end when the last clone of the hasher is dropped.
#[derive(Clone, Debug)]
pub struct Hasher {
    jobs: mpsc::Sender<Job>,
}

fn lower_priority() {
    // SCHED_IDLE: the thread runs only when no other thread of the machine is waiting for a core,
    // and a request that becomes ready takes the core back at once (a nice value only shrinks
    // the share; the hash would still hold the core for its time slice). Under a sustained full
    // load sign-ins slow down rather than everything else. Linux schedules each thread on its
    // own; elsewhere this would slow the whole process, so it is left alone.
    #[cfg(target_os = "linux")]
    {
        use thread_priority::{
            set_current_thread_priority, set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
            ThreadPriority, ThreadSchedulePolicy,
        };
        let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
        if let Err(e) = set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, idle) {
            // Not allowed here (a seccomp profile, say): the lowest nice value instead.
            tracing::warn!(error = ?e, "could not give a password-hashing thread the idle policy");
            if let Err(e) = set_current_thread_priority(ThreadPriority::Min) {
                tracing::warn!(error = ?e, "could not lower the priority of a password-hashing thread");
            }
        }
    }
}

fn hashing_thread(jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    lower_priority();
    let mut memory = Vec::new();
    loop {
        // The lock is held only while waiting for the next job, not while hashing.
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        match job {
            Ok(Job::Hash(password, reply)) => {
                let _ = reply.send(hash_with(&mut memory, &password));
            }
            Ok(Job::Verify(password, hash, reply)) => {
                let ok = match hash {
                    Some(h) => verify_with(&mut memory, &password, &h),
                    None => {
                        verify_with(&mut memory, &password, dummy_hash());
                        false
                    }
                };
                let _ = reply.send(ok);
            }
            Err(_) => return,
        }
    }
}

impl Hasher {
    /// A hasher computing at most `concurrency` hashes at once, on threads of its own.
    pub fn new(concurrency: usize) -> Self {
        let (tx, rx) = mpsc::channel();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..concurrency.max(1) {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || hashing_thread(rx));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-hashing thread");
            }
        }
        Self { jobs: tx }
    }

    fn send(&self, job: Job) -> Result<(), AppError> {
        self.jobs.send(job).map_err(|_| AppError::internal(anyhow::anyhow!("the password hashers have stopped")))
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Hash(password, tx))?;
        rx.await.map_err(AppError::internal)?.map_err(AppError::Internal)
    }

    /// Verifies a password against a stored hash, or against the dummy hash when there is none.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Verify(password, hash, tx))?;
        rx.await.map_err(AppError::internal)
    }

    /// Computes the dummy hash ahead of the first login, so the first unknown user is not faster.
    pub async fn warm_up(&self) {
        let _ = self.verify(String::new(), None).await;
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
        errors.push(FieldError::new(
            field,
            "too_short",
            Text::new("密码至少 8 个字符。", "The password must have at least 8 characters."),
        ));
    } else if len > 128 {
        errors.push(FieldError::new(
            field,
            "too_long",
            Text::new("密码不能超过 128 个字符。", "The password must have at most 128 characters."),
        ));
    }
    if is_common(password) {
        errors.push(FieldError::new(
            field,
            "common_password",
            Text::new("该密码过于常见，请换一个。", "This password is too common; choose another."),
        ));
    } else if username.is_some_and(|u| u.eq_ignore_ascii_case(password)) {
        errors.push(FieldError::new(
            field,
            "same_as_username",
            Text::new("密码不能与用户名相同。", "The password must differ from the username."),
        ));
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

    #[actix_web::test]
    async fn the_hasher_answers_from_its_own_threads() {
        let hasher = Hasher::new(2);
        let h = hasher.hash("a fine passphrase".into()).await.expect("hash");
        assert!(hasher.verify("a fine passphrase".into(), Some(h.clone())).await.expect("verify"));
        assert!(!hasher.verify("wrong".into(), Some(h)).await.expect("verify"));
        assert!(!hasher.verify("anything".into(), None).await.expect("verify"));
        // Every hashing thread of the process runs under SCHED_IDLE (policy 5, the 41st field of
        // a thread's stat), once it has taken a job.
        #[cfg(target_os = "linux")]
        {
            let mut policies = Vec::new();
            for task in std::fs::read_dir("/proc/self/task").expect("tasks").flatten() {
                let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
                if comm.starts_with("argon2-") {
                    let stat = std::fs::read_to_string(task.path().join("stat")).expect("stat");
                    let after_name = &stat[stat.rfind(')').expect("comm ends") + 2..];
                    policies.push(after_name.split(' ').nth(38).expect("policy field").to_owned());
                }
            }
            assert!(!policies.is_empty(), "hashing threads are named argon2-N");
            assert!(policies.iter().all(|p| p == "5"), "policies {policies:?}");
        }
    }

    #[test]
    fn hash_format_and_verify() {
        let h = hash_blocking("a fine passphrase").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        let mut memory = Vec::new();
        assert!(verify_with(&mut memory, "a fine passphrase", &h));
        assert!(!verify_with(&mut memory, "another", &h));
        assert!(!verify_with(&mut memory, "x", "not a hash"));
        // Hashes made by the argon2 crate's own encoder verify too, and ours verify there.
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let theirs = argon2.hash_password(b"a fine passphrase", &SaltString::generate(&mut OsRng)).expect("hash").to_string();
        assert!(verify_with(&mut memory, "a fine passphrase", &theirs));
        assert!(argon2.verify_password(b"a fine passphrase", &PasswordHash::new(&h).expect("parse")).is_ok());
    }
}
