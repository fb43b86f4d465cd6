//! Shared application state: one per process, cloned into every worker.

use std::sync::Arc;

use crate::auth::{jwt::TokenKeys, password::Hasher};
use crate::config::Config;
use crate::db::{Pool, PooledConn};
use crate::error::AppError;

/// Everything a handler may need from the process.
#[derive(Clone)]
pub struct AppState {
    /// Settings.
    pub config: Arc<Config>,
    /// Database pool.
    pub pool: Pool,
    /// Token signing and checking.
    pub tokens: TokenKeys,
    /// Bounded password hasher.
    pub hasher: Hasher,
}

impl AppState {
    /// State from a configuration (the pool connects lazily). The configuration must hold a JWT
    /// secret by now: configured, or the one the database keeps (`db::kept_secret`).
    pub fn new(config: Config) -> anyhow::Result<Self> {
        let secret = config.jwt_secret.as_deref().ok_or_else(|| anyhow::anyhow!("no JWT secret: set SHEGONG_JWT_SECRET"))?;
        let tokens = TokenKeys::new(&config, secret);
        let pool = crate::db::pool(&config.database_url, config.db_pool_size, &crate::db::Limits::from_config(&config))?;
        Ok(Self { tokens, hasher: Hasher::new(config.hash_concurrency), pool, config: Arc::new(config) })
    }

    /// The same state with a pool of its own, for one HTTP worker: its share of
    /// `SHEGONG_DB_POOL_SIZE`.
    ///
    /// Every worker runs its own single-threaded runtime, and a connection's socket is driven by
    /// a task on the runtime that opened it. Connections shared by all workers therefore send
    /// most queries through another thread: a wake-up and a context switch on the way out and
    /// again on the way back. A worker's own connections keep each query on the thread that asks.
    pub fn for_worker(&self) -> anyhow::Result<Self> {
        let size = self.config.db_pool_size.div_ceil(self.config.workers.max(1));
        Ok(Self {
            pool: crate::db::pool(&self.config.database_url, size, &crate::db::Limits::from_config(&self.config))?,
            ..self.clone()
        })
    }

    /// A pooled connection, or 503 when the database cannot be reached in time.
    pub async fn conn(&self) -> Result<PooledConn, AppError> {
        Ok(self.pool.get().await?)
    }
}
