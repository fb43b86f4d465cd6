//! Everything that speaks SQL: the schema, row models, and the repository functions.
//! Nothing outside this module writes a query. Repository functions on scoped tables take an
//! `&AccessScope`, so a caller cannot forget the subtree filter.

pub mod bulk;
mod errors;
pub mod models;
pub mod repo;
pub mod roles;
pub mod schema;
pub mod statement;

use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel_async::{
    async_connection_wrapper::AsyncConnectionWrapper,
    pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, PoolError, RecyclingMethod},
    AsyncConnection, AsyncPgConnection, RunQueryDsl,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The connection pool type.
pub type Pool = deadpool::managed::Pool<Manager>;
/// A connection checked out of the pool.
pub type PooledConn = deadpool::managed::Object<Manager>;
/// The async connection every repository function takes.
pub type Conn = AsyncPgConnection;

/// The SQL migrations, embedded in the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// A connection idle for longer than this is checked with a round trip before it is handed out.
const IDLE_CHECK: Duration = Duration::from_secs(1);
/// After a broken connection turns up, every connection is checked for this long.
const SUSPECT_FOR: Duration = Duration::from_secs(5);

/// When a request last lost its database connection (any pool of the process).
static CONNECTION_LOST_AT: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);

/// Records that a query failed because its connection was lost, so that the pools check their
/// connections for a while (the server seldom drops just one).
pub fn note_connection_lost() {
    if let Ok(mut at) = CONNECTION_LOST_AT.lock() {
        *at = Some(std::time::Instant::now());
    }
}

fn lost_recently() -> bool {
    CONNECTION_LOST_AT.lock().ok().and_then(|at| *at).is_some_and(|at| at.elapsed() < SUSPECT_FOR)
}

/// Makes and recycles pooled connections.
///
/// A connection whose socket the server has closed (a restart, `pg_terminate_backend`) is noticed
/// at checkout without a round trip and replaced. One that has sat idle for a while may have been
/// cut off silently (a firewall, a failover), so it answers a `SELECT 1` first, and so does every
/// connection for a few seconds after a broken one turned up: when the server drops one, it has
/// usually dropped them all (a query that lost its connection reports it through
/// [`note_connection_lost`]). A connection in steady use has just proved itself, and checking it
/// again would add a round trip to every request. The pool hands out the most recently used
/// connection first, so a failed one is looked at (and the check switched on) before the others.
pub struct Manager(AsyncDieselConnectionManager<AsyncPgConnection>);

impl deadpool::managed::Manager for Manager {
    type Type = AsyncPgConnection;
    type Error = PoolError;

    async fn create(&self) -> Result<AsyncPgConnection, PoolError> {
        self.0.create().await
    }

    async fn recycle(
        &self,
        conn: &mut AsyncPgConnection,
        metrics: &deadpool::managed::Metrics,
    ) -> deadpool::managed::RecycleResult<PoolError> {
        // Configured with `RecyclingMethod::Fast`: only the broken/closed check.
        if let Err(e) = self.0.recycle(conn, metrics).await {
            note_connection_lost();
            return Err(e);
        }
        if lost_recently() || metrics.last_used() >= IDLE_CHECK {
            if let Err(e) = ping(conn).await {
                note_connection_lost();
                return Err(PoolError::QueryError(e).into());
            }
        }
        Ok(())
    }
}

/// The limits every pooled connection is opened with, so that no wait on the database is
/// unbounded: PostgreSQL cancels a long statement or lock wait and ends a session left idle in a
/// transaction, and TCP keepalives (with a user timeout) notice a peer that vanished.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest wait for a pooled connection, and for a new one to be made.
    pub checkout: Duration,
    /// Longest TCP connect.
    pub connect: Duration,
    /// `statement_timeout` (zero: none).
    pub statement: Duration,
    /// `lock_timeout` (zero: none).
    pub lock: Duration,
    /// `idle_in_transaction_session_timeout` (zero: none).
    pub idle_in_transaction: Duration,
    /// Silence before the first keepalive probe.
    pub keepalives_idle: Duration,
    /// Time between keepalive probes.
    pub keepalives_interval: Duration,
}

/// Unanswered keepalive probes after which the peer counts as dead.
const KEEPALIVE_RETRIES: u32 = 3;

impl Limits {
    /// The limits a configuration asks for.
    pub fn from_config(config: &crate::config::Config) -> Self {
        Self {
            checkout: config.db_timeout,
            connect: config.db_connect_timeout,
            statement: config.db_statement_timeout,
            lock: config.db_lock_timeout,
            idle_in_transaction: config.db_idle_in_transaction_timeout,
            keepalives_idle: config.db_keepalives_idle,
            keepalives_interval: config.db_keepalives_interval,
        }
    }

    /// The connection parameters: the URL's own, plus the limits. The server settings go in the
    /// start-up packet (`options`), which costs no round trip and survives `DISCARD ALL`.
    fn connection_config(&self, url: &str) -> diesel::ConnectionResult<tokio_postgres::Config> {
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|e| diesel::ConnectionError::InvalidConnectionUrl(format!("{e}")))?;
        let mut options = config.get_options().unwrap_or_default().to_owned();
        for (name, value) in [
            ("statement_timeout", self.statement),
            ("lock_timeout", self.lock),
            ("idle_in_transaction_session_timeout", self.idle_in_transaction),
        ] {
            if !options.is_empty() {
                options.push(' ');
            }
            options.push_str(&format!("-c {name}={}", value.as_millis()));
        }
        // A dead peer that still has unacknowledged data is not probed by keepalives; the user
        // timeout bounds that case by the same total.
        let dead_after = self.keepalives_idle + self.keepalives_interval * KEEPALIVE_RETRIES;
        config
            .options(options)
            .connect_timeout(self.connect)
            .keepalives(true)
            .keepalives_idle(self.keepalives_idle)
            .keepalives_interval(self.keepalives_interval)
            .keepalives_retries(KEEPALIVE_RETRIES)
            .tcp_user_timeout(dead_after);
        Ok(config)
    }
}

/// Opens one connection with `limits` applied.
async fn connect(url: &str, limits: &Limits) -> diesel::ConnectionResult<AsyncPgConnection> {
    let config = limits.connection_config(url)?;
    let (client, connection) =
        config.connect(tokio_postgres::NoTls).await.map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    AsyncPgConnection::try_from_client_and_connection(client, connection).await
}

/// The secret kept under `name` in the database (`server_secrets`), made the first time it is asked
/// for: 256 bits from the operating system's generator, hex. Every process on the database gets
/// the same one; the first to ask makes it.
pub async fn kept_secret(url: &str, name: &str) -> anyhow::Result<String> {
    use diesel::sql_types::Text;
    use rand::RngCore;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        secret: String,
    }
    let mut conn = AsyncPgConnection::establish(url).await.context("connecting to keep a secret")?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    statement::Statement::new("INSERT INTO server_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind::<Text, _>(name.to_owned())
        .bind::<Text, _>(hex::encode(bytes))
        .execute(&mut conn)
        .await
        .context("keeping a secret")?;
    let row: Row = statement::Statement::new("SELECT secret FROM server_secrets WHERE name = $1")
        .bind::<Text, _>(name.to_owned())
        .get_result(&mut conn)
        .await
        .context("reading a kept secret")?;
    Ok(row.secret)
}

/// Builds the pool. Connections are made lazily; a checkout waits at most `limits.checkout`, so a
/// dead database answers 503 fast instead of hanging requests.
pub fn pool(url: &str, size: usize, limits: &Limits) -> anyhow::Result<Pool> {
    // Checked here so that a malformed URL stops the server at start rather than failing requests.
    limits.connection_config(url).map_err(|e| anyhow::anyhow!("DATABASE_URL: {e}"))?;
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let setup_limits = limits.clone();
    config.custom_setup = Box::new(move |url| {
        let limits = setup_limits.clone();
        let url = url.to_owned();
        Box::pin(async move { connect(&url, &limits).await })
    });
    let manager = Manager(AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config));
    let timeout = limits.checkout;
    Pool::builder(manager)
        .max_size(size)
        .queue_mode(deadpool::managed::QueueMode::Lifo)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .context("building the database pool")
}

/// Runs `f` in a transaction: commit when it returns `Ok`, roll back when it returns `Err`.
///
/// The closure returns a scoped boxed future (`async move { … }.scope_boxed_local()`), which lets
/// it borrow both the connection and the caller's values.
pub async fn transaction<'a, T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: for<'r> FnOnce(&'r mut Conn) -> scoped_futures::ScopedLocalBoxFuture<'a, 'r, Result<T, E>> + 'a,
    E: From<diesel::result::Error>,
{
    use diesel_async::TransactionManager;
    type Manager = <Conn as AsyncConnection>::TransactionManager;
    Manager::begin_transaction(conn).await?;
    match f(&mut *conn).await {
        Ok(value) => match Manager::commit_transaction(conn).await {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = Manager::rollback_transaction(conn).await;
                Err(e.into())
            }
        },
        Err(e) => {
            // A failed rollback leaves the connection broken; the pool then discards it.
            let _ = Manager::rollback_transaction(conn).await;
            Err(e)
        }
    }
}

/// A round trip to the database (the readiness probe and the idle-connection check).
pub async fn ping(conn: &mut Conn) -> diesel::QueryResult<()> {
    use diesel::IntoSql;
    diesel::select(1_i32.into_sql::<diesel::sql_types::Integer>()).get_result::<i32>(conn).await.map(|_| ())
}

/// Splits a postgres URL into (URL of the `postgres` maintenance database, database name).
fn split_database_url(url: &str) -> anyhow::Result<(String, String)> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let slash = base.rfind('/').context("DATABASE_URL has no database name")?;
    let name = &base[slash + 1..];
    if name.is_empty() || base[..slash].ends_with('/') {
        anyhow::bail!("DATABASE_URL has no database name");
    }
    let mut admin = format!("{}/postgres", &base[..slash]);
    if let Some(q) = query {
        admin.push('?');
        admin.push_str(q);
    }
    Ok((admin, name.to_owned()))
}

/// Creates the database named in `url` when it does not exist yet.
pub async fn ensure_database(url: &str) -> anyhow::Result<()> {
    if AsyncPgConnection::establish(url).await.is_ok() {
        return Ok(());
    }
    let (admin_url, name) = split_database_url(url)?;
    let mut admin =
        AsyncPgConnection::establish(&admin_url).await.with_context(|| "connecting to the maintenance database `postgres`")?;
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    match diesel::sql_query(format!("CREATE DATABASE {quoted}")).execute(&mut admin).await {
        Ok(_) => tracing::info!(database = %name, "created database"),
        // Another process may have created it in between.
        Err(diesel::result::Error::DatabaseError(_, info)) if info.message().contains("already exists") => {}
        Err(e) => return Err(e).context("creating the database"),
    }
    Ok(())
}

/// Runs pending migrations; returns the versions applied.
///
/// The harness is synchronous, so it runs on the blocking pool through `AsyncConnectionWrapper`.
pub async fn run_migrations(url: &str) -> anyhow::Result<Vec<String>> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        let mut conn = <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
            .context("connecting for migrations")?;
        // Two servers starting together must not both migrate.
        conn.batch_execute("SELECT pg_advisory_lock(7283400001)")?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("running migrations: {e}"))
            .map(|v| v.iter().map(|m| m.to_string()).collect());
        conn.batch_execute("SELECT pg_advisory_unlock(7283400001)")?;
        applied
    })
    .await
    .context("migration task")?
}

/// Runs pending migrations as the owner (`owner_url`), then makes the server's login role
/// (`app_url`) a member of the application group ([`roles::ensure_app_login`]); warns when the
/// server would run with more than the application's privileges. Both URLs must name the same
/// database. Returns the migrations applied.
pub async fn migrate(owner_url: &str, app_url: &str) -> anyhow::Result<Vec<String>> {
    let (_, owner_db) = split_database_url(owner_url).context("SHEGONG_MIGRATION_DATABASE_URL")?;
    let (_, app_db) = split_database_url(app_url)?;
    if owner_db != app_db {
        anyhow::bail!(
            "SHEGONG_MIGRATION_DATABASE_URL names the database `{owner_db}`, DATABASE_URL `{app_db}`: they must be the same"
        );
    }
    let applied = run_migrations(owner_url).await?;
    match roles::ensure_app_login(owner_url, app_url).await? {
        roles::AppLogin::Member(_) => {}
        roles::AppLogin::Owner(user) => tracing::warn!(
            %user,
            "DATABASE_URL signs in as the owner that runs the migrations: the server runs with the owner's privileges \
             (set SHEGONG_MIGRATION_DATABASE_URL to the owner and DATABASE_URL to a role of its own)"
        ),
        roles::AppLogin::Superuser(user) => {
            tracing::warn!(%user, "DATABASE_URL signs in as a superuser: the server runs with every privilege")
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{split_database_url, Limits};

    #[test]
    fn limits_go_into_the_connection_parameters() {
        let limits = Limits {
            checkout: Duration::from_millis(1500),
            connect: Duration::from_secs(3),
            statement: Duration::from_secs(10),
            lock: Duration::from_millis(2500),
            idle_in_transaction: Duration::ZERO,
            keepalives_idle: Duration::from_secs(30),
            keepalives_interval: Duration::from_secs(10),
        };
        let config = limits.connection_config("postgres://u:p@h:5432/db?options=-c%20search_path%3Dpublic").expect("config");
        assert_eq!(
            config.get_options(),
            Some(
                "-c search_path=public -c statement_timeout=10000 -c lock_timeout=2500 -c idle_in_transaction_session_timeout=0"
            )
        );
        assert_eq!(config.get_connect_timeout(), Some(&Duration::from_secs(3)));
        assert!(config.get_keepalives());
        assert_eq!(config.get_keepalives_idle(), Duration::from_secs(30));
        assert_eq!(config.get_keepalives_interval(), Some(Duration::from_secs(10)));
        assert_eq!(config.get_keepalives_retries(), Some(3));
        assert_eq!(config.get_tcp_user_timeout(), Some(&Duration::from_secs(60)));
        assert!(limits.connection_config("mysql://nope").is_err());
    }

    #[test]
    fn splits_urls() {
        let (a, n) = split_database_url("postgres://u:p@h:5432/shegong").expect("split");
        assert_eq!(a, "postgres://u:p@h:5432/postgres");
        assert_eq!(n, "shegong");
        let (a, n) = split_database_url("postgres://h/db1?sslmode=disable").expect("split");
        assert_eq!(a, "postgres://h/postgres?sslmode=disable");
        assert_eq!(n, "db1");
        assert!(split_database_url("postgres://h/").is_err());
    }
}
