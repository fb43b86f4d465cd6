//! Every wait on the database is bounded: a lock held elsewhere, a statement that runs too long
//! and a transaction left idle end in 503 with `Retry-After`, never a hang or a 500.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use shegong::{config::Config, error::AppError, state::AppState};

use crate::helpers::{serve, test_config, Options, TestApp, TestDb};

/// A server on a fresh database with settings changed by `change`.
async fn spawn(change: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::create().await;
    let mut config = test_config(&db.app_url, &Options::default());
    change(&mut config);
    let state = AppState::new(config).expect("state");
    let base = serve(state.clone());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    TestApp { base, client, state, db }
}

/// Holds a row lock on the unit `id` from a side connection; PATCHes its name as the root admin
/// and returns the response and how long it took, with the lock released afterwards and the
/// name the row has then.
async fn patch_locked_unit(app: &TestApp) -> (crate::helpers::Res, Duration, String) {
    let f = app.fixture().await;
    let admin = app.token("admin_root").await;
    let id = f.unit("town_a1");
    let path = format!("/api/v1/org-units/{id}");
    let etag = app.get(&path, &admin).await.expect(200).header("etag").expect("etag");
    let before = app.db.query_text(&format!("SELECT name FROM org_units WHERE id = '{id}'")).await;

    let holder = app.db.connect().await;
    holder.batch_execute(&format!("BEGIN; SELECT 1 FROM org_units WHERE id = '{id}' FOR UPDATE")).await.expect("hold");
    let started = Instant::now();
    let res = app.patch(&path, &admin, &etag, json!({"name": "锁等待中改的名字"})).await;
    let took = started.elapsed();
    holder.batch_execute("ROLLBACK").await.expect("release");

    let after = app.db.query_text(&format!("SELECT name FROM org_units WHERE id = '{id}'")).await;
    assert_eq!(after, before, "nothing may be written when the wait times out");
    // The same request goes through once the lock is gone: the connection is still good.
    app.patch(&path, &admin, &etag, json!({"name": "锁释放后改的名字"})).await.expect(200);
    (res, took, after)
}

#[track_caller]
fn assert_unavailable(res: &crate::helpers::Res) {
    assert_eq!(res.status.as_u16(), 503, "body: {}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(res.body["status"], 503);
    let retry: u64 = res.header("retry-after").expect("Retry-After").parse().expect("Retry-After in seconds");
    assert!(retry >= 1, "Retry-After {retry}");
}

#[actix_web::test]
async fn a_row_lock_held_elsewhere_ends_in_503_after_the_lock_timeout() {
    let lock_timeout = Duration::from_millis(400);
    let app = spawn(|c| {
        c.db_lock_timeout = lock_timeout;
        c.db_statement_timeout = Duration::from_secs(30);
    })
    .await;
    let (res, took, _) = patch_locked_unit(&app).await;
    assert_unavailable(&res);
    assert!(took >= lock_timeout, "answered after {took:?}, before the lock timeout: did it wait at all?");
    assert!(took < lock_timeout + Duration::from_secs(1), "answered after {took:?}");
    // The audit trail records no change either.
    assert_eq!(app.sql_i64("SELECT count(*) FROM audit_events WHERE action LIKE 'org_unit.update%'").await, 1);
}

#[actix_web::test]
async fn a_statement_past_the_statement_timeout_ends_in_503() {
    let statement_timeout = Duration::from_millis(400);
    let app = spawn(|c| {
        // Only the statement timeout bounds this wait.
        c.db_lock_timeout = Duration::ZERO;
        c.db_statement_timeout = statement_timeout;
    })
    .await;
    let (res, took, _) = patch_locked_unit(&app).await;
    assert_unavailable(&res);
    assert!(took >= statement_timeout && took < statement_timeout + Duration::from_secs(1), "answered after {took:?}");
}

#[actix_web::test]
async fn a_request_past_the_request_deadline_ends_in_503_whatever_it_waits_on() {
    // No timeout of the database's own fires (a frozen server would answer none): the request
    // deadline does, and the connection abandoned mid-query does not poison the pool.
    let deadline = Duration::from_secs(2);
    let app = spawn(|c| {
        c.db_lock_timeout = Duration::ZERO;
        c.db_statement_timeout = Duration::ZERO;
        c.request_timeout = deadline;
    })
    .await;
    let (res, took, _) = patch_locked_unit(&app).await;
    assert_unavailable(&res);
    assert!(took >= deadline && took < deadline + Duration::from_secs(1), "answered after {took:?}");
}

#[actix_web::test]
async fn a_transaction_left_idle_is_ended_by_the_server_and_reported_as_unavailable() {
    use diesel_async::SimpleAsyncConnection;
    let app = spawn(|c| c.db_idle_in_transaction_timeout = Duration::from_millis(200)).await;
    app.fixture().await;
    let mut conn = app.state.conn().await.expect("connection");
    conn.batch_execute("BEGIN").await.expect("begin");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let err = shegong::db::ping(&mut conn).await.expect_err("the server ended the session");
    assert!(matches!(AppError::from(err), AppError::Unavailable));
    drop(conn);
    // The pool replaces the connection: the next requests work.
    app.send(Method::GET, "/readyz", None, None, &[]).await.expect(200);
    app.token("admin_root").await;
}

#[actix_web::test]
async fn pooled_connections_carry_the_configured_limits() {
    use diesel::{sql_types::Text, QueryableByName};
    use diesel_async::RunQueryDsl;
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = Text)]
        value: String,
    }
    let app = spawn(|c| {
        c.db_statement_timeout = Duration::from_millis(4321);
        c.db_lock_timeout = Duration::from_millis(1234);
        c.db_idle_in_transaction_timeout = Duration::from_millis(5678);
    })
    .await;
    let mut conn = app.state.conn().await.expect("connection");
    let rows: Vec<Setting> = diesel::sql_query(
        "SELECT current_setting('statement_timeout') || ' ' || current_setting('lock_timeout') || ' ' \
         || current_setting('idle_in_transaction_session_timeout') AS value",
    )
    .load(&mut conn)
    .await
    .expect("settings");
    assert_eq!(rows[0].value, "4321ms 1234ms 5678ms");
}
