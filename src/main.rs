//! The `shegong` command: serve (default), migrate, seed, purge, openapi, create-admin.

use anyhow::Context;
use clap::{Parser, Subcommand};
use shegong::{config::Config, db, seed, startup, state::AppState, telemetry};

#[derive(Parser)]
#[command(name = "shegong", version, about = "社工站个案管理 API server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (migrates first unless SHEGONG_AUTO_MIGRATE=false).
    Serve {
        /// Seed the demo hierarchy and users when the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Create the database if needed and run pending migrations.
    Migrate,
    /// Load the demo data (does nothing when a hierarchy exists).
    Seed {
        /// Instead, load a large benchmark data set with this many more clients (and the
        /// staff, cases and sessions that go with them).
        #[arg(long)]
        scale: Option<i64>,
    },
    /// Run the retention purge once: anonymise clients deleted longer than
    /// SHEGONG_RETENTION_DELETED_DAYS, archive cases closed longer than SHEGONG_RETENTION_CASE_YEARS.
    Purge,
    /// Print the OpenAPI document.
    Openapi,
    /// Create an administrator at the root unit, or reset their password.
    CreateAdmin {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Password (8–128 characters, not a common one).
        #[arg(long)]
        password: String,
        /// Name of the root centre, created when the deployment has no units yet.
        #[arg(long, default_value = "社会工作指导中心")]
        unit_name: String,
    },
}

/// Creates the database if needed and runs pending migrations as the owner, then makes the
/// server's login role a member of the application group.
async fn prepare(config: &Config) -> anyhow::Result<()> {
    db::ensure_database(&config.migration_database_url).await?;
    let applied = db::migrate(&config.migration_database_url, &config.database_url).await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    Ok(())
}

/// A state connected as the owner, for work on the deployment itself (demo and benchmark data,
/// administrators), which the server's role is not meant to do (`VACUUM ANALYZE` after a bulk
/// load needs the owner).
fn owner_state(config: &Config) -> anyhow::Result<AppState> {
    AppState::new(Config { database_url: config.migration_database_url.clone(), ..config.clone() })
}

// Many small allocations per request (rows, JSON, headers) from several threads: mimalloc
// serves them with less work than the system allocator and returns memory to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The configuration with a JWT secret: the configured one, or (in development, without one) the
/// one this database keeps, generated the first time. No secret is ever a published default.
async fn with_jwt_secret(config: Config) -> anyhow::Result<Config> {
    if config.jwt_secret.is_some() {
        return Ok(config);
    }
    let secret = db::kept_secret(&config.database_url, "jwt").await?;
    tracing::warn!("SHEGONG_JWT_SECRET is not set: signing with a secret generated for this database and kept in it");
    Ok(Config { jwt_secret: Some(secret), ..config })
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    if let Command::Openapi = command {
        let doc = startup::openapi().to_pretty_json().context("serialising the OpenAPI document")?;
        println!("{doc}");
        return Ok(());
    }
    let config = Config::from_env()?;
    let _log = telemetry::init(config.log_format, &config.log_level);
    let migrate = match command {
        Command::Serve { demo } => config.auto_migrate || demo,
        _ => true,
    };
    if migrate {
        prepare(&config).await?;
    }
    if let Command::Migrate = command {
        return Ok(());
    }
    let config = with_jwt_secret(config).await?;
    match command {
        Command::Serve { demo } => {
            if demo && seed::demo(&owner_state(&config)?).await? {
                println!("Demo data loaded. Sign in as admin / {} (see seeds/README.md).", seed::DEMO_ADMIN_PASSWORD);
            }
            startup::serve(AppState::new(config)?).await
        }
        Command::Seed { scale: Some(clients) } => {
            // Set-based inserts of a large data set run longer than any request may.
            let state = owner_state(&Config { db_statement_timeout: std::time::Duration::ZERO, ..config })?;
            seed::scale(&state, clients).await?;
            println!("Benchmark data loaded ({clients} clients). Staff sign in with password {}.", seed::SCALE_PASSWORD);
            Ok(())
        }
        Command::Seed { scale: None } => {
            if seed::demo(&owner_state(&config)?).await? {
                println!("Demo data loaded.");
            } else {
                println!("A hierarchy already exists; nothing seeded.");
            }
            Ok(())
        }
        Command::CreateAdmin { username, password, unit_name } => {
            let id = seed::create_admin(&owner_state(&config)?, &username, &password, &unit_name).await?;
            println!("Administrator {username} ready (id {id}).");
            Ok(())
        }
        Command::Purge => {
            let report = shegong::services::retention::purge(&AppState::new(config)?, chrono::Utc::now())
                .await
                .map_err(|e| anyhow::anyhow!("retention purge: {e}"))?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        Command::Openapi | Command::Migrate => Ok(()),
    }
}
