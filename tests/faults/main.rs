//! Faults as tests: PostgreSQL stopped and started under a running server, and SIGTERM to the
//! real binary with a request in flight. Each test runs a throwaway PostgreSQL cluster of its own
//! (see `cluster.rs`), so stopping it disturbs no other test.

mod cluster;

use std::net::TcpListener;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shegong::{config::Config, startup::build_app, state::AppState};
use tokio_postgres::NoTls;

use cluster::{free_port, within, Cluster};

const PASSWORD: &str = "Fault-Test-Pass-2026";

struct Res {
    status: StatusCode,
    retry_after: Option<String>,
    content_type: Option<String>,
    headers: reqwest::header::HeaderMap,
    body: Value,
    text: String,
}

async fn send(client: &reqwest::Client, method: Method, url: &str, token: Option<&str>, body: Option<Value>) -> Res {
    send_with(client, method, url, token, body, &[]).await
}

async fn send_with(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Res {
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = res.status();
    let headers = res.headers().clone();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (retry_after, content_type) = (header("retry-after"), header("content-type"));
    let text = res.text().await.expect("body");
    Res { status, retry_after, content_type, body: serde_json::from_str(&text).unwrap_or(Value::Null), text, headers }
}

async fn login(client: &reqwest::Client, base: &str) -> String {
    let res = send(
        client,
        Method::POST,
        &format!("{base}/api/v1/auth/login"),
        None,
        Some(json!({"username": "admin", "password": PASSWORD})),
    )
    .await;
    assert_eq!(res.status, 200, "login: {}", res.text);
    res.body["access_token"].as_str().expect("access_token").to_owned()
}

/// A 503 problem with `Retry-After`, answered within `limit`.
#[track_caller]
fn assert_fast_503(what: &str, res: &Res, took: Duration, limit: Duration) {
    assert_eq!(res.status, 503, "{what}: {}", res.text);
    assert_eq!(res.content_type.as_deref(), Some("application/problem+json"), "{what}");
    assert!(res.retry_after.is_some(), "{what}: no Retry-After");
    assert!(took < limit, "{what} took {took:?}");
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client")
}

#[actix_web::test]
async fn a_stopped_database_answers_503_fast_and_comes_back_without_a_restart() {
    let Some(cluster) = Cluster::start() else { return };
    let url = cluster.url("shegong");
    shegong::db::ensure_database(&url).await.expect("create the database");
    shegong::db::migrate(&url, &cluster.app_url("shegong")).await.expect("migrate");
    let mut config = Config::from_env().expect("config");
    config.database_url = url;
    config.workers = 1;
    config.db_pool_size = 4;
    config.hash_concurrency = 2;
    config.jwt_secret = Some("fault-test-secret-0123456789-abcdefghijklmnop".into());
    // The administrator is made as the owner, like `shegong create-admin`; the server runs as the
    // application's role.
    let owner = AppState::new(config.clone()).expect("owner state");
    shegong::seed::create_admin(&owner, "admin", PASSWORD, "测试中心").await.expect("create admin");
    let state = AppState::new(Config { database_url: cluster.app_url("shegong"), ..config }).expect("state");

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://127.0.0.1:{}", listener.local_addr().expect("addr").port());
    let server_state = state.clone();
    let server = actix_web::HttpServer::new(move || build_app(server_state.clone()))
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .expect("listen")
        .run();
    actix_web::rt::spawn(server);

    let client = client();
    let token = login(&client, &base).await;
    let me = format!("{base}/api/v1/me");
    let units = format!("{base}/api/v1/org-units");
    assert_eq!(send(&client, Method::GET, &format!("{base}/readyz"), None, None).await.status, 200);
    let list = send(&client, Method::GET, &units, Some(&token), None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let unit_id = list.body["items"][0]["id"].as_str().expect("a unit").to_owned();
    let unit = format!("{units}/{unit_id}");

    cluster.pg_ctl_stop();

    let started = Instant::now();
    let ready = send(&client, Method::GET, &format!("{base}/readyz"), None, None).await;
    assert_fast_503("/readyz", &ready, started.elapsed(), Duration::from_secs(2));
    // Every kind of request, again and again: 503 fast, never a hang or a 500.
    for round in 0..3 {
        for (method, url, body) in [
            (Method::GET, me.as_str(), None),
            (Method::GET, units.as_str(), None),
            (Method::GET, unit.as_str(), None),
            (Method::PATCH, unit.as_str(), Some(json!({"name": "停库时改的名字"}))),
        ] {
            let started = Instant::now();
            let res = send_with(&client, method.clone(), url, Some(&token), body, &[("If-Match", "\"1\"")]).await;
            assert_fast_503(&format!("round {round}: {method} {url}"), &res, started.elapsed(), Duration::from_secs(2));
        }
        let started = Instant::now();
        let res = send(
            &client,
            Method::POST,
            &format!("{base}/api/v1/auth/login"),
            None,
            Some(json!({"username": "admin", "password": PASSWORD})),
        )
        .await;
        assert_fast_503("login", &res, started.elapsed(), Duration::from_secs(2));
    }

    cluster.pg_ctl_start();

    let back = within(Duration::from_secs(10), || async {
        send(&client, Method::GET, &format!("{base}/readyz"), None, None).await.status == 200
    })
    .await;
    assert!(back.is_some(), "/readyz did not come back within 10 s of the database");
    // Everything works again, with the same server and the same token.
    let res = send(&client, Method::GET, &me, Some(&token), None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = send(&client, Method::GET, &unit, Some(&token), None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let etag = res.headers.get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_owned();
    let res =
        send_with(&client, Method::PATCH, &unit, Some(&token), Some(json!({"name": "重启后改的名字"})), &[("If-Match", &etag)])
            .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["name"], "重启后改的名字");
    login(&client, &base).await;
}

/// The real binary serving the database `shegong` of `cluster` on `port` as the application's
/// role (migrating as the owner), with extra settings.
fn spawn_binary(cluster: &Cluster, port: u16, env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_shegong"))
        .arg("serve")
        .env("SHEGONG_MIGRATION_DATABASE_URL", cluster.url("shegong"))
        .env("DATABASE_URL", cluster.app_url("shegong"))
        .env("SHEGONG_BIND", format!("127.0.0.1:{port}"))
        .env("SHEGONG_ENV", "development")
        .env("SHEGONG_WORKERS", "1")
        .env("SHEGONG_LOG_LEVEL", "warn")
        .envs(env.iter().copied())
        .spawn()
        .expect("start the server")
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let ready = within(Duration::from_secs(60), || async {
        client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200)
    })
    .await;
    assert!(ready.is_some(), "the server did not become ready");
}

async fn wait_exit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

fn sigterm(child: &Child) {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
}

async fn pg(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await.expect("connect");
    tokio::spawn(conn);
    client
}

/// Waits until a session of the database waits for a lock.
async fn wait_for_lock_waiter(observer: &tokio_postgres::Client) {
    let waiting = within(Duration::from_secs(10), || async {
        let row = observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )
            .await
            .expect("pg_stat_activity");
        row.get::<_, i64>(0) > 0
    })
    .await;
    assert!(waiting.is_some(), "the request never waited for the lock");
}

#[tokio::test]
async fn sigterm_lets_a_slow_request_finish_and_never_waits_on_a_stuck_one_past_the_shutdown_timeout() {
    let Some(cluster) = Cluster::start() else { return };
    let url = cluster.url("shegong");
    let out = Command::new(env!("CARGO_BIN_EXE_shegong"))
        .args(["create-admin", "--username", "admin", "--password", PASSWORD])
        .env("SHEGONG_MIGRATION_DATABASE_URL", &url)
        .env("DATABASE_URL", cluster.app_url("shegong"))
        .env("SHEGONG_LOG_LEVEL", "warn")
        .output()
        .expect("create-admin");
    assert!(out.status.success(), "create-admin: {}", String::from_utf8_lossy(&out.stderr));
    let observer = pg(&url).await;
    let unit_id: String = observer.query_one("SELECT id::text FROM org_units LIMIT 1", &[]).await.expect("unit").get(0);
    let client = client();

    // 1. A request held up by a row lock when SIGTERM arrives completes, then the process exits 0.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = spawn_binary(&cluster, port, &[("SHEGONG_DB_LOCK_TIMEOUT_MS", "20000")]);
    wait_ready(&client, &base).await;
    let token = login(&client, &base).await;
    let unit = format!("{base}/api/v1/org-units/{unit_id}");
    let etag = send(&client, Method::GET, &unit, Some(&token), None)
        .await
        .headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    let holder = pg(&url).await;
    holder.batch_execute(&format!("BEGIN; SELECT 1 FROM org_units WHERE id = '{unit_id}' FOR UPDATE")).await.expect("lock");
    let patch = {
        let (client, unit, token, etag) = (client.clone(), unit.clone(), token.clone(), etag.clone());
        tokio::spawn(async move {
            send_with(
                &client,
                Method::PATCH,
                &unit,
                Some(&token),
                Some(json!({"name": "关停时改的名字"})),
                &[("If-Match", &etag)],
            )
            .await
        })
    };
    wait_for_lock_waiter(&observer).await;
    sigterm(&server);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(server.try_wait().expect("try_wait").is_none(), "the server quit with a request in flight");
    holder.batch_execute("ROLLBACK").await.expect("release");
    let res = patch.await.expect("request task");
    assert_eq!(res.status, 200, "the in-flight request: {}", res.text);
    assert_eq!(res.body["name"], "关停时改的名字");
    let status = wait_exit(&mut server, Duration::from_secs(10)).await.expect("the server did not exit after its last request");
    assert!(status.success(), "exit status {status}");

    // 2. A request stuck on the database (no statement or lock timeout to end it) holds up the
    //    exit no longer than the shutdown timeout.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = spawn_binary(
        &cluster,
        port,
        &[("SHEGONG_DB_LOCK_TIMEOUT_MS", "0"), ("SHEGONG_DB_STATEMENT_TIMEOUT_MS", "0"), ("SHEGONG_SHUTDOWN_TIMEOUT_SECS", "2")],
    );
    wait_ready(&client, &base).await;
    let token = login(&client, &base).await;
    let unit = format!("{base}/api/v1/org-units/{unit_id}");
    let etag = send(&client, Method::GET, &unit, Some(&token), None)
        .await
        .headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    holder.batch_execute(&format!("BEGIN; SELECT 1 FROM org_units WHERE id = '{unit_id}' FOR UPDATE")).await.expect("lock");
    let stuck = {
        let (client, unit, token) = (client.clone(), unit.clone(), token.clone());
        tokio::spawn(async move {
            client
                .patch(&unit)
                .bearer_auth(token)
                .header("If-Match", etag)
                .json(&json!({"name": "不会写入的名字"}))
                .send()
                .await
                .map(|r| r.status())
        })
    };
    wait_for_lock_waiter(&observer).await;
    let started = Instant::now();
    sigterm(&server);
    let status = wait_exit(&mut server, Duration::from_secs(8)).await;
    let took = started.elapsed();
    if status.is_none() {
        let _ = server.kill();
    }
    holder.batch_execute("ROLLBACK").await.expect("release");
    let status = status.unwrap_or_else(|| panic!("still running {took:?} after SIGTERM with a 2 s shutdown timeout"));
    assert!(took < Duration::from_secs(5), "exited {took:?} after SIGTERM with a 2 s shutdown timeout");
    assert!(status.success(), "exit status {status}");
    // The stuck request was cut off, not answered with a success.
    assert!(!stuck.await.expect("request task").is_ok_and(|s| s.is_success()));
    let name: String =
        observer.query_one(&format!("SELECT name FROM org_units WHERE id = '{unit_id}'"), &[]).await.expect("name").get(0);
    assert_eq!(name, "关停时改的名字");
}
