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

fn url_for(db: &str) -> String {
    let admin = admin_url();
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b.to_owned(), format!("?{q}")),
        None => (admin.clone(), String::new()),
    };
    let slash = base.rfind('/').expect("TEST_DATABASE_URL has a database name");
    format!("{}/{db}{query}", &base[..slash])
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
        shegong::db::run_migrations(&url_for(&building)).await.expect("migrate template");
        admin.execute(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""), &[]).await.expect("rename");
    }
    admin.execute("SELECT pg_advisory_unlock(72834002)", &[]).await.expect("unlock");
    let _ = NAME.set(name.clone());
    name
}

/// A database of one test; dropped with it.
pub struct TestDb {
    pub name: String,
    pub url: String,
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
        Self { name, url, client }
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
