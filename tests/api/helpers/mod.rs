//! Test harness: per-test databases, a real server per test, and a standard fixture tree.

pub mod db;
pub mod fixtures;

pub use fixtures::Fixture;

use std::net::TcpListener;
use std::sync::Once;
use std::time::Duration;

use reqwest::{header::HeaderMap, Method, StatusCode};
use serde_json::Value;
use shegong::{config::Config, startup::build_app, state::AppState};

pub use db::TestDb;

fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var("TEST_LOG").is_ok_and(|v| v == "1" || v == "true") {
            // The guard lives as long as the test process.
            std::mem::forget(shegong::telemetry::init(shegong::config::LogFormat::Text, "info"));
        } else {
            // A process-wide subscriber that keeps what it is given to itself. Without one, a call
            // site first reached on a thread with no subscriber can be cached as uninteresting
            // while a test captures logs with a subscriber of its own on another thread.
            let _ = tracing_subscriber::fmt().with_writer(std::io::sink).with_max_level(tracing::Level::INFO).try_init();
        }
    });
}

/// A response as tests look at it.
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Res {
    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
    /// The `id` of the body.
    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_else(|| panic!("no id in {}", self.text)).to_owned()
    }
    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        self
    }
}

/// A running server on its own database.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub db: TestDb,
}

/// Settings the tests change.
pub struct Options {
    pub login_max_failures: i32,
    pub login_lock_secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self { login_max_failures: 5, login_lock_secs: 300 }
    }
}

/// The configuration of a test server on `database_url`.
pub fn test_config(database_url: &str, options: &Options) -> Config {
    let mut config = Config::from_env().expect("config");
    config.database_url = database_url.to_owned();
    config.db_pool_size = 4;
    // `serve` runs one worker, which gets the whole pool.
    config.workers = 1;
    // Generous: tests run many servers and databases at once on few cores, and a fresh
    // connection can take a while there; the tests of fast 503s set their own limits.
    config.db_timeout = Duration::from_secs(5);
    config.hash_concurrency = 2;
    config.login_max_failures = options.login_max_failures;
    config.login_lock = Duration::from_secs(options.login_lock_secs);
    config.jwt_secret = Some("test-secret-0123456789-abcdefghijklmnopqrstuvwxyz".into());
    config
}

/// Serves `state` on a random local port; returns the base URL.
pub fn serve(state: AppState) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = actix_web::HttpServer::new(move || build_app(state.clone()))
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .expect("listen")
        .run();
    actix_web::rt::spawn(server);
    format!("http://127.0.0.1:{port}")
}

impl TestApp {
    /// A fresh database and server.
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    /// A fresh database and server with changed settings.
    pub async fn spawn_with(options: Options) -> Self {
        init_logs();
        let db = TestDb::create().await;
        let state = AppState::new(test_config(&db.app_url, &options)).expect("state");
        let base = serve(state.clone());
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
        Self { base, client, state, db }
    }

    /// Sends a request; `body` as JSON when given.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Res {
        let mut req = self.client.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Res { status, headers, body, text }
    }

    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.send(Method::GET, path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.send(Method::POST, path, Some(token), Some(&body), &[]).await
    }

    pub async fn patch(&self, path: &str, token: &str, etag: &str, body: Value) -> Res {
        self.send(Method::PATCH, path, Some(token), Some(&body), &[("If-Match", etag)]).await
    }

    /// Signs in; panics unless it works. Returns the whole token response.
    pub async fn login_full(&self, username: &str, password: &str) -> Value {
        let res = self
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&serde_json::json!({"username": username, "password": password})),
                &[],
            )
            .await
            .expect(200);
        res.body
    }

    /// Signs in with the fixture password; returns the access token.
    pub async fn token(&self, username: &str) -> String {
        self.login_full(username, fixtures::PASSWORD).await["access_token"].as_str().expect("token").to_owned()
    }

    /// One number from plain SQL, to check the API against the database.
    /// The ETag of a row's current version, as a client that just read it would send it.
    pub async fn etag_of(&self, table: &str, id: &str) -> String {
        format!("\"{}\"", self.sql_i64(&format!("SELECT version::bigint FROM {table} WHERE id = '{id}'")).await)
    }

    /// A request with a body and `If-Match` carrying the row's current version.
    pub async fn send_current(&self, method: Method, path: &str, token: &str, row: (&str, &str), body: Value) -> Res {
        let etag = self.etag_of(row.0, row.1).await;
        self.send(method, path, Some(token), Some(&body), &[("If-Match", etag.as_str())]).await
    }

    /// The ETag a decision on this review is made on: its case's current version (`"1"` for an id
    /// that names no review, as a probe would send).
    pub async fn review_etag(&self, review: &str) -> String {
        let sql = format!(
            "SELECT coalesce((SELECT c.version::bigint FROM reviews r JOIN cases c ON c.id = r.case_id \
             WHERE r.id::text = '{review}'), 1)"
        );
        format!("\"{}\"", self.sql_i64(&sql).await)
    }

    /// Decides a review on its case's current version.
    pub async fn decide(&self, token: &str, review: &str, body: Value) -> Res {
        let etag = self.review_etag(review).await;
        self.send(
            Method::POST,
            &format!("/api/v1/reviews/{review}/decision"),
            Some(token),
            Some(&body),
            &[("If-Match", etag.as_str())],
        )
        .await
    }

    pub async fn sql_i64(&self, sql: &str) -> i64 {
        self.db.query_i64(sql).await
    }

    /// Runs plain SQL on the test database.
    pub async fn sql(&self, sql: &str) {
        self.db.execute(sql).await
    }

    /// Waits until `n` sessions of the test database wait for a lock (to line up concurrent
    /// requests behind a lock a test holds).
    pub async fn wait_for_lock_waiters(&self, n: i64) {
        for _ in 0..500 {
            let waiting = self
                .sql_i64("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
                .await;
            if waiting >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{n} sessions never waited for a lock");
    }
}

/// A consent the client signed themselves, for services and for sharing (what casework past
/// intake and outgoing referrals need). Dated yesterday, so it holds on the server's today in any
/// time zone.
pub fn consent() -> Value {
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    serde_json::json!({"signed_by": "本人签名", "relation": "self", "date": yesterday.to_string(),
                       "scopes": ["services", "sharing"]})
}
