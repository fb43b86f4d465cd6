//! Configuration from environment variables. Every variable has a working local default except
//! where a default would be unsafe: in production a missing JWT secret stops the server.
//! `.env.example` lists them all; keep it in step with `Config::from_env`.

use std::time::Duration;

use anyhow::{bail, Context};

/// Where the service runs; production turns unsafe defaults into startup errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Local work: readable logs, a fixed development JWT secret.
    Development,
    /// A real deployment.
    Production,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// A secret once shipped as the development default: published, so refused everywhere.
const PUBLISHED_JWT_SECRET: &str = "shegong-development-secret-do-not-use-in-production";

/// The shortest JWT secret accepted, in bytes.
pub const MIN_JWT_SECRET_LEN: usize = 32;

/// All settings of one server process.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: the server's own connections, as the application role (a member of
    /// `shegong_app`, owning nothing).
    pub database_url: String,
    /// `SHEGONG_MIGRATION_DATABASE_URL` (else `DATABASE_URL`): the owner, who creates the
    /// database, runs the migrations and loads demo data.
    pub migration_database_url: String,
    /// `SHEGONG_BIND`.
    pub bind: String,
    /// `SHEGONG_ENV`.
    pub environment: Environment,
    /// `SHEGONG_JWT_SECRET` (HMAC key for access tokens and refresh-token derivation). `None` in
    /// development without one: the server then keeps a generated one in the database
    /// (`db::kept_secret`) and fills it in before it builds its state.
    pub jwt_secret: Option<String>,
    /// `SHEGONG_JWT_ISSUER`.
    pub jwt_issuer: String,
    /// `SHEGONG_JWT_AUDIENCE`.
    pub jwt_audience: String,
    /// `SHEGONG_ACCESS_TOKEN_TTL_SECS` (at most 900).
    pub access_token_ttl: Duration,
    /// `SHEGONG_REFRESH_TOKEN_TTL_DAYS`.
    pub refresh_token_ttl: Duration,
    /// `SHEGONG_DB_POOL_SIZE`: database connections of the process, shared out among the HTTP
    /// workers.
    pub db_pool_size: usize,
    /// `SHEGONG_DB_TIMEOUT_MS`: longest wait for a pooled connection or a new one.
    pub db_timeout: Duration,
    /// `SHEGONG_DB_CONNECT_TIMEOUT_MS`: longest wait for a new connection's TCP connect and
    /// start-up.
    pub db_connect_timeout: Duration,
    /// `SHEGONG_DB_STATEMENT_TIMEOUT_MS`: PostgreSQL cancels a statement running longer
    /// (`statement_timeout`; zero turns it off).
    pub db_statement_timeout: Duration,
    /// `SHEGONG_DB_LOCK_TIMEOUT_MS`: PostgreSQL gives up a wait for a lock after this long
    /// (`lock_timeout`; zero turns it off).
    pub db_lock_timeout: Duration,
    /// `SHEGONG_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS`: PostgreSQL ends a session left idle inside a
    /// transaction for this long (`idle_in_transaction_session_timeout`; zero turns it off).
    pub db_idle_in_transaction_timeout: Duration,
    /// `SHEGONG_DB_KEEPALIVES_IDLE_SECS`: silence on a connection before TCP keepalive probes
    /// start; a peer that answers none of three probes (or acknowledges nothing for as long) is
    /// declared dead.
    pub db_keepalives_idle: Duration,
    /// `SHEGONG_DB_KEEPALIVES_INTERVAL_SECS`: time between two keepalive probes.
    pub db_keepalives_interval: Duration,
    /// `SHEGONG_REQUEST_TIMEOUT_SECS`: the longest a request may take before it is answered 503
    /// with `Retry-After`, whatever it waits on (a database that is frozen but still connected
    /// answers no timeout of its own).
    pub request_timeout: Duration,
    /// `SHEGONG_SHUTDOWN_TIMEOUT_SECS`: on SIGTERM, how long in-flight requests may still run
    /// before the process stops anyway.
    pub shutdown_timeout: Duration,
    /// `SHEGONG_AUTO_MIGRATE`: run pending migrations when `serve` starts.
    pub auto_migrate: bool,
    /// `SHEGONG_WORKERS`: HTTP worker threads.
    pub workers: usize,
    /// `SHEGONG_HASH_CONCURRENCY`: password hashes computed at once.
    pub hash_concurrency: usize,
    /// `SHEGONG_LOGIN_MAX_FAILURES`: wrong passwords before an account is locked.
    pub login_max_failures: i32,
    /// `SHEGONG_LOGIN_LOCK_SECS`: how long the lock (and the counting window) lasts.
    pub login_lock: Duration,
    /// `SHEGONG_DUPLICATE_PROBES_PER_DAY`: out-of-scope duplicate-ID-number hits one user gets
    /// per day (1 to 10,000).
    pub duplicate_probes_per_day: i64,
    /// `SHEGONG_RETENTION_DELETED_DAYS`: days a deleted client's record is kept whole before the
    /// purge anonymises it (1 to 36,500).
    pub retention_deleted_days: i64,
    /// `SHEGONG_RETENTION_CASE_YEARS`: years after its closure that a case is archived (1 to 100).
    pub retention_case_years: i32,
    /// `SHEGONG_PURGE_INTERVAL_SECS`: how often `serve` runs the retention purge (0: never; the
    /// `shegong purge` command runs it once).
    pub purge_interval: Duration,
    /// `SHEGONG_LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `SHEGONG_LOG_LEVEL` (a tracing filter such as `info` or `shegong=debug`).
    pub log_level: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse::<T>().map_err(|e| anyhow::anyhow!("{name}: cannot parse `{v}`: {e}")),
    }
}

/// The configured JWT secret: at least [`MIN_JWT_SECRET_LEN`] bytes and never the one that was
/// published; required in production, optional in development.
fn jwt_secret(configured: Option<String>, environment: Environment) -> anyhow::Result<Option<String>> {
    match (configured, environment) {
        (Some(s), _) if s.len() < MIN_JWT_SECRET_LEN || s == PUBLISHED_JWT_SECRET => {
            bail!("SHEGONG_JWT_SECRET must be at least {MIN_JWT_SECRET_LEN} characters and not a published one")
        }
        (Some(s), _) => Ok(Some(s)),
        (None, Environment::Production) => bail!("SHEGONG_JWT_SECRET is required when SHEGONG_ENV=production"),
        (None, Environment::Development) => Ok(None),
    }
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let environment = match var("SHEGONG_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => bail!("SHEGONG_ENV must be `development` or `production`, not `{other}`"),
        };
        let jwt_secret = jwt_secret(var("SHEGONG_JWT_SECRET"), environment)?;
        let access_secs: u64 = parsed("SHEGONG_ACCESS_TOKEN_TTL_SECS", 900)?;
        if !(30..=900).contains(&access_secs) {
            bail!("SHEGONG_ACCESS_TOKEN_TTL_SECS must be between 30 and 900");
        }
        let refresh_days: u64 = parsed("SHEGONG_REFRESH_TOKEN_TTL_DAYS", 30)?;
        let log_format = match var("SHEGONG_LOG_FORMAT").as_deref() {
            Some("json") => LogFormat::Json,
            Some("text") => LogFormat::Text,
            None if environment == Environment::Production => LogFormat::Json,
            None => LogFormat::Text,
            Some(other) => bail!("SHEGONG_LOG_FORMAT must be `text` or `json`, not `{other}`"),
        };
        let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let workers = parsed("SHEGONG_WORKERS", cpus)?;
        // PostgreSQL runs no more queries at once than it has cores; past about two connections
        // a core, more connections only take turns and cost switching.
        let db_pool_size = parsed("SHEGONG_DB_POOL_SIZE", 2 * cpus)?;
        if workers == 0 || db_pool_size == 0 {
            bail!("SHEGONG_WORKERS and SHEGONG_DB_POOL_SIZE must be at least 1");
        }
        let keepalives_idle: u64 = parsed("SHEGONG_DB_KEEPALIVES_IDLE_SECS", 30)?;
        let keepalives_interval: u64 = parsed("SHEGONG_DB_KEEPALIVES_INTERVAL_SECS", 10)?;
        if keepalives_idle == 0 || keepalives_interval == 0 {
            bail!("SHEGONG_DB_KEEPALIVES_IDLE_SECS and SHEGONG_DB_KEEPALIVES_INTERVAL_SECS must be at least 1");
        }
        let connect_timeout_ms: u64 = parsed("SHEGONG_DB_CONNECT_TIMEOUT_MS", 3000)?;
        if connect_timeout_ms == 0 {
            bail!("SHEGONG_DB_CONNECT_TIMEOUT_MS must be at least 1");
        }
        let duplicate_probes_per_day: i64 = parsed("SHEGONG_DUPLICATE_PROBES_PER_DAY", 20)?;
        if !(1..=10_000).contains(&duplicate_probes_per_day) {
            bail!("SHEGONG_DUPLICATE_PROBES_PER_DAY must be a number from 1 to 10000");
        }
        let retention_deleted_days: i64 = parsed("SHEGONG_RETENTION_DELETED_DAYS", 365)?;
        if !(1..=36_500).contains(&retention_deleted_days) {
            bail!("SHEGONG_RETENTION_DELETED_DAYS must be a number of days from 1 to 36500");
        }
        let retention_case_years: i32 = parsed("SHEGONG_RETENTION_CASE_YEARS", 10)?;
        if !(1..=100).contains(&retention_case_years) {
            bail!("SHEGONG_RETENTION_CASE_YEARS must be a number of years from 1 to 100");
        }
        let database_url = var("DATABASE_URL").unwrap_or_else(|| "postgres://postgres:postgres@localhost:5432/shegong".into());
        Ok::<_, anyhow::Error>(Self {
            migration_database_url: var("SHEGONG_MIGRATION_DATABASE_URL").unwrap_or_else(|| database_url.clone()),
            database_url,
            bind: var("SHEGONG_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            environment,
            jwt_secret,
            jwt_issuer: var("SHEGONG_JWT_ISSUER").unwrap_or_else(|| "shegong".into()),
            jwt_audience: var("SHEGONG_JWT_AUDIENCE").unwrap_or_else(|| "shegong-api".into()),
            access_token_ttl: Duration::from_secs(access_secs),
            refresh_token_ttl: Duration::from_secs(refresh_days * 86_400),
            db_pool_size,
            db_timeout: Duration::from_millis(parsed("SHEGONG_DB_TIMEOUT_MS", 1500)?),
            db_connect_timeout: Duration::from_millis(connect_timeout_ms),
            db_statement_timeout: Duration::from_millis(parsed("SHEGONG_DB_STATEMENT_TIMEOUT_MS", 10_000)?),
            db_lock_timeout: Duration::from_millis(parsed("SHEGONG_DB_LOCK_TIMEOUT_MS", 3000)?),
            db_idle_in_transaction_timeout: Duration::from_millis(parsed("SHEGONG_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", 15_000)?),
            db_keepalives_idle: Duration::from_secs(keepalives_idle),
            db_keepalives_interval: Duration::from_secs(keepalives_interval),
            request_timeout: Duration::from_secs(parsed("SHEGONG_REQUEST_TIMEOUT_SECS", 30)?.max(1)),
            shutdown_timeout: Duration::from_secs(parsed("SHEGONG_SHUTDOWN_TIMEOUT_SECS", 15)?),
            auto_migrate: parsed("SHEGONG_AUTO_MIGRATE", true)?,
            workers,
            hash_concurrency: parsed("SHEGONG_HASH_CONCURRENCY", 1)?,
            login_max_failures: parsed("SHEGONG_LOGIN_MAX_FAILURES", 5)?,
            login_lock: Duration::from_secs(parsed("SHEGONG_LOGIN_LOCK_SECS", 300)?),
            duplicate_probes_per_day,
            retention_deleted_days,
            retention_case_years,
            purge_interval: Duration::from_secs(parsed("SHEGONG_PURGE_INTERVAL_SECS", 86_400)?),
            log_format,
            log_level: var("SHEGONG_LOG_LEVEL").unwrap_or_else(|| "info".into()),
        })
        .context("configuration")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwt_secret_is_long_unpublished_and_required_only_in_production() {
        let long = "x".repeat(MIN_JWT_SECRET_LEN);
        assert_eq!(jwt_secret(Some(long.clone()), Environment::Production).ok().flatten(), Some(long.clone()));
        assert_eq!(jwt_secret(Some(long.clone()), Environment::Development).ok().flatten(), Some(long));
        assert!(jwt_secret(None, Environment::Production).is_err());
        assert!(matches!(jwt_secret(None, Environment::Development), Ok(None)));
        for env in [Environment::Development, Environment::Production] {
            assert!(jwt_secret(Some(PUBLISHED_JWT_SECRET.into()), env).is_err(), "{env:?}");
            assert!(jwt_secret(Some("short".into()), env).is_err(), "{env:?}");
        }
    }
}
