//! Per-test databases cloned from a migrated template.
//!
//! The template's name carries a hash of the migrations, so a changed migration builds a new
//! template; an advisory lock makes concurrent test processes build it once.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use tokio_postgres::{Client, NoTls};
use uuid::Uuid;

fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres:postgres@localhost:5432/postgres".into())
}

/// The login role the test servers sign in as: made a member of `shegong_app` by
/// `shegong::db::migrate`, as `shegong migrate` does for a deployment's DATABASE_URL.
pub const APP_USER: &str = "shegong_test_app";

fn url_for(db: &str) -> String {
    let admin = admin_url();
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b.to_owned(), format!("?{q}")),
        None => (admin.clone(), String::new()),
    };
    let slash = base.rfind('/').expect("TEST_DATABASE_URL has a database name");
    format!("{}/{db}{query}", &base[..slash])
}

/// The URL of `db` as `user` with the password `password`: TEST_DATABASE_URL's host, port and
/// parameters with that user.
pub fn url_as(db: &str, user: &str, password: &str) -> String {
    let owner = url_for(db);
    let (scheme, rest) = owner.split_once("://").expect("TEST_DATABASE_URL is a URL");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

/// The URL of `db` as [`APP_USER`] (password the same as the name).
fn app_url_for(db: &str) -> String {
    url_as(db, APP_USER, APP_USER)
}

async fn connect(url: &str) -> Client {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await.unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
    actix_web::rt::spawn(async move {
        let _ = conn.await;
    });
    client
}

fn migrations_hash() -> String {
    let mut hasher = Sha256::new();
    let mut dirs: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .expect("migrations dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        hasher.update(dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        if let Ok(sql) = std::fs::read(dir.join("up.sql")) {
            hasher.update(sql);
        }
    }
    hex::encode(&hasher.finalize()[..6])
}

/// The template database, built once per migration set.
async fn template() -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    if let Some(n) = NAME.get() {
        return n.clone();
    }
    let name = format!("shegong_tpl_{}", migrations_hash());
    let admin = connect(&admin_url()).await;
    admin.execute("SELECT pg_advisory_lock(72834002)", &[]).await.expect("lock");
    let exists = admin.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name]).await.expect("query").is_some();
    if !exists {
        let building = format!("{name}_building");
        admin.execute(&format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"), &[]).await.expect("drop");
        admin.execute(&format!("CREATE DATABASE \"{building}\""), &[]).await.expect("create template");
        shegong::db::migrate(&url_for(&building), &app_url_for(&building)).await.expect("migrate template");
        admin.execute(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""), &[]).await.expect("rename");
    }
    admin.execute("SELECT pg_advisory_unlock(72834002)", &[]).await.expect("unlock");
    // The role belongs to the cluster, not to the template: make sure it is there even when the
    // template was built by an earlier run.
    shegong::db::roles::ensure_app_login(&admin_url(), &app_url_for(&name)).await.expect("the application's login role");
    let _ = NAME.set(name.clone());
    name
}

/// A database of one test; dropped with it.
pub struct TestDb {
    pub name: String,
    /// As the owner (the superuser of TEST_DATABASE_URL), for the tests' own SQL.
    pub url: String,
    /// As [`APP_USER`], for the server.
    pub app_url: String,
    client: Client,
}

impl TestDb {
    /// Clones the template into a new database.
    pub async fn create() -> Self {
        let template = template().await;
        let name = format!("t_{}", Uuid::new_v4().simple());
        let admin = connect(&admin_url()).await;
        // Cloning needs the template to have no sessions; retry briefly if another test is cloning.
        let mut attempt = 0;
        loop {
            match admin.execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""), &[]).await {
                Ok(_) => break,
                Err(e) if attempt < 50 => {
                    attempt += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("creating test database: {e}"),
            }
        }
        let url = url_for(&name);
        let client = connect(&url).await;
        Self { app_url: app_url_for(&name), name, url, client }
    }

    /// One number from a query.
    pub async fn query_i64(&self, sql: &str) -> i64 {
        let row = self.client.query_one(sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.get::<_, i64>(0)
    }

    /// One text from a query.
    pub async fn query_text(&self, sql: &str) -> String {
        let row = self.client.query_one(sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.get::<_, String>(0)
    }

    /// Runs statements.
    pub async fn execute(&self, sql: &str) {
        self.client.batch_execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// A separate connection (to hold locks or transactions while the server works).
    pub async fn connect(&self) -> Client {
        connect(&self.url).await
    }

    /// A connection as the server's role.
    pub async fn connect_as_app(&self) -> Client {
        connect(&self.app_url).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let url = admin_url();
        // Drop runs outside any async context we can borrow: use a short-lived thread and runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                if let Ok((client, conn)) = tokio_postgres::connect(&url, NoTls).await {
                    tokio::spawn(conn);
                    let _ = client.execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"), &[]).await;
                }
            });
        })
        .join();
    }
}
