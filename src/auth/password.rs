//! Password hashing (argon2id, OWASP parameters) and the password policy.
//!
//! The `argon2` crate hashes and verifies (`PasswordHasher` / `PasswordVerifier`, PHC strings).
//! Hashing is deliberately slow and needs 19 MiB of memory, so requests never hash on an async
//! worker: a hash waits for one of `SHEGONG_HASH_CONCURRENCY` permits of a fair semaphore, then
//! runs on a tokio blocking pool. A login storm therefore queues for the permits instead of
//! starving the workers that answer everything else, and no more than that many hashes hold
//! their 19 MiB at once. Unknown users are checked against a dummy hash so both failures take
//! the same time.
//!
//! The blocking pool is one of the hasher's own, not the runtime's shared one. On Linux its
//! threads run under the idle scheduling policy: when the machine is busy, requests that are
//! already signed in go first and sign-ins wait a little longer, rather than a storm of sign-ins
//! slowing every worker's lists. A thread cannot be lowered for one hash and raised again after
//! it: leaving SCHED_IDLE needs CAP_SYS_NICE, which a server does not have, so a shared blocking
//! thread would stay idle-class for whatever it ran next (DNS look-ups for new database
//! connections, say). Threads that only ever hash can keep the policy for life; they end after a
//! minute without work, and their memory goes with them.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::Semaphore;

use crate::error::{AppError, FieldError};
use crate::i18n::Text;

/// How long a hashing thread waits for the next hash before it ends.
const IDLE_THREAD_KEEP_ALIVE: Duration = Duration::from_secs(60);

fn params() -> Params {
    // OWASP: m = 19456 KiB, t = 2, p = 1.
    Params::new(19_456, 2, 1, None).unwrap_or_default()
}

/// Hashes a password now, on the calling thread (seeding, set-up; requests use `Hasher`).
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Whether a password matches a PHC string, recomputed with the string's own algorithm,
/// version and parameters (the comparison is in constant time).
fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("dummy password for unknown users").unwrap_or_default())
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

/// The hasher's blocking pool; shut down without waiting when the last hasher goes, since it
/// may go inside an async task, where waiting is not allowed.
#[derive(Debug)]
struct Pool(Option<tokio::runtime::Runtime>);

impl Drop for Pool {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

#[derive(Debug)]
struct Inner {
    permits: Arc<Semaphore>,
    pool: Pool,
}

/// The bounded hasher shared by all requests: a semaphore in front of a blocking pool of its own.
#[derive(Clone, Debug)]
pub struct Hasher {
    inner: Arc<Inner>,
}

impl Hasher {
    /// A hasher computing at most `concurrency` hashes at once.
    ///
    /// # Panics
    /// Not in practice: a current-thread runtime without I/O or time drivers starts no thread
    /// and opens nothing when it is built; its pool's threads start with the first hash.
    pub fn new(concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        // Only the blocking pool is used: a current-thread runtime starts no thread of its own.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(concurrency)
            .thread_keep_alive(IDLE_THREAD_KEEP_ALIVE)
            .thread_name_fn(|| {
                static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
                format!("argon2-{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
            })
            .on_thread_start(lower_priority)
            .build()
            .expect("a current-thread runtime without drivers can always be built");
        Self { inner: Arc::new(Inner { permits: Arc::new(Semaphore::new(concurrency)), pool: Pool(Some(runtime)) }) }
    }

    /// Runs `job` on the pool once a permit is free. The permit goes with the job, so a request
    /// that gives up waiting for its answer still counts until its hash is done.
    fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> impl Future<Output = Result<T, AppError>> {
        let permits = Arc::clone(&self.inner.permits);
        let pool = self.inner.pool.0.as_ref().map(|r| r.handle().clone());
        async move {
            let stopped = || AppError::internal(anyhow::anyhow!("the password hashers have stopped"));
            let permit = permits.acquire_owned().await.map_err(|_| stopped())?;
            let pool = pool.ok_or_else(stopped)?;
            pool.spawn_blocking(move || {
                let _permit = permit;
                job()
            })
            .await
            .map_err(AppError::internal)
        }
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

    /// The demo administrator's password, and its hash as stored by the earlier encoder.
    const OLD_PASSWORD: &str = crate::seed::DEMO_ADMIN_PASSWORD;
    const OLD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$yjwa5oUVcDQfkFC3wNh9Ig$y9xDrs3zh6QQH2xdAZLpeSL4RJc1VRG5H4vb85WZe9g";

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
    async fn the_hasher_answers_from_idle_threads_of_its_own() {
        let hasher = Hasher::new(2);
        let h = hasher.hash("a fine passphrase".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(hasher.verify("a fine passphrase".into(), Some(h.clone())).await.expect("verify"));
        assert!(!hasher.verify("wrong".into(), Some(h)).await.expect("verify"));
        assert!(!hasher.verify("anything".into(), None).await.expect("verify"));
        assert!(!hasher.verify("anything".into(), Some("not a hash".into())).await.expect("verify"));
        // Every hashing thread of the process runs under SCHED_IDLE (policy 5, the 41st field of
        // a thread's stat), and the test's own thread, which awaited them, does not.
        #[cfg(target_os = "linux")]
        {
            let policy = |stat: &str| -> String {
                let after_name = &stat[stat.rfind(')').expect("comm ends") + 2..];
                after_name.split(' ').nth(38).expect("policy field").to_owned()
            };
            let mut policies = Vec::new();
            for task in std::fs::read_dir("/proc/self/task").expect("tasks").flatten() {
                let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
                if comm.starts_with("argon2-") {
                    policies.push(policy(&std::fs::read_to_string(task.path().join("stat")).expect("stat")));
                }
            }
            assert!(!policies.is_empty(), "hashing threads are named argon2-N");
            assert!(policies.len() <= 2, "at most `concurrency` hashing threads: {policies:?}");
            assert!(policies.iter().all(|p| p == "5"), "policies {policies:?}");
            assert_eq!(policy(&std::fs::read_to_string("/proc/thread-self/stat").expect("stat")), "0");
        }
    }

    #[actix_web::test]
    async fn no_more_jobs_run_at_once_than_permits_and_abandoned_ones_keep_theirs() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let hasher = Hasher::new(2);
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let job = |running: Arc<AtomicUsize>, most: Arc<AtomicUsize>| {
            move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(50));
                running.fetch_sub(1, Ordering::SeqCst);
            }
        };
        // Two callers give up at once: their jobs have started and still hold their permits.
        for _ in 0..2 {
            let abandoned = hasher.run(job(Arc::clone(&running), Arc::clone(&most)));
            let _ = tokio::time::timeout(Duration::from_millis(5), abandoned).await;
        }
        let jobs: Vec<_> = (0..6).map(|_| hasher.run(job(Arc::clone(&running), Arc::clone(&most)))).collect();
        let started = std::time::Instant::now();
        for outcome in futures_util::future::join_all(jobs).await {
            outcome.expect("job");
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        // Six jobs of 50 ms, two at a time, after the two abandoned ones.
        assert!(started.elapsed() >= Duration::from_millis(150), "{:?}", started.elapsed());
    }

    #[test]
    fn hash_format_and_verify() {
        let h = hash_blocking("a fine passphrase").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_blocking("a fine passphrase", &h));
        assert!(!verify_blocking("another", &h));
        assert!(!verify_blocking("x", "not a hash"));
        // A hash stored by the earlier hand-assembled encoder (the demo administrator's).
        assert!(verify_blocking(OLD_PASSWORD, OLD_HASH));
        assert!(!verify_blocking("admin", OLD_HASH));
    }
}
