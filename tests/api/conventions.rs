//! The conventions every endpoint follows (API.md): problem+json errors, limits, pagination,
//! concurrency, idempotency, headers, probes, and the committed OpenAPI document.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{serve, test_config, Options, Res, TestApp};

#[track_caller]
fn assert_problem(res: &Res, status: u16) {
    assert_eq!(res.status.as_u16(), status, "body: {}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.body["status"], json!(status));
    assert!(res.body["type"].as_str().is_some_and(|t| t.starts_with("urn:shegong:problem:")));
    assert!(res.body["title"].is_string());
    assert!(res.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
}

#[track_caller]
fn assert_security_headers(res: &Res) {
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(res.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(res.header("x-request-id").is_some_and(|v| !v.is_empty()));
    assert_eq!(res.header("x-frame-options").as_deref(), Some("DENY"));
}

fn unit_body(parent: &str, name: &str) -> Value {
    json!({"parent_id": parent, "tier": "village", "name": name})
}

#[actix_web::test]
async fn probes_answer_and_carry_security_headers() {
    let app = TestApp::spawn().await;
    let live = app.send(Method::GET, "/livez", None, None, &[]).await.expect(200);
    assert_security_headers(&live);
    app.send(Method::GET, "/readyz", None, None, &[]).await.expect(200);
    let docs = app.send(Method::GET, "/docs/", None, None, &[]).await.expect(200);
    assert!(docs.text.contains("swagger"), "Swagger UI is served offline");
    let spec = app.send(Method::GET, "/openapi.json", None, None, &[]).await.expect(200);
    assert!(spec.body["paths"]["/api/v1/auth/login"].is_object());
}

#[actix_web::test]
async fn request_id_is_echoed_or_made() {
    let app = TestApp::spawn().await;
    let res = app.send(Method::GET, "/livez", None, None, &[("X-Request-Id", "phone-abc.123")]).await;
    assert_eq!(res.header("x-request-id").as_deref(), Some("phone-abc.123"));
    let res = app.send(Method::GET, "/livez", None, None, &[("X-Request-Id", "bad id with spaces")]).await;
    assert_ne!(res.header("x-request-id").as_deref(), Some("bad id with spaces"));
}

#[actix_web::test]
async fn readyz_is_503_fast_when_the_database_is_unreachable() {
    // A server whose database does not exist at all: nothing listens on port 1.
    let state = shegong::state::AppState::new(test_config("postgres://postgres@127.0.0.1:1/nowhere", &Options::default()))
        .expect("state");
    let base = serve(state);
    let client = reqwest::Client::new();
    let started = Instant::now();
    let res = client.get(format!("{base}/readyz")).send().await.expect("send");
    assert_eq!(res.status().as_u16(), 503);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert!(res.headers().get("retry-after").is_some());
    // Requests that need the database also fail fast with 503, never hang or 500.
    let started = Instant::now();
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "x", "password": "y"}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 503);
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

#[actix_web::test]
async fn every_error_is_problem_json() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;

    // 400: not JSON.
    let mut req = app.client.post(format!("{}/api/v1/auth/login", app.base)).header("content-type", "application/json");
    req = req.body("{\"username\": ");
    let res = req.send().await.expect("send");
    let res = Res { status: res.status(), headers: res.headers().clone(), text: String::new(), body: Value::Null };
    assert_eq!(res.status.as_u16(), 400);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"));

    // 401: no token, bad token.
    let res = app.send(Method::GET, "/api/v1/me", None, None, &[]).await;
    assert_problem(&res, 401);
    assert_security_headers(&res);
    assert_problem(&app.send(Method::GET, "/api/v1/me", Some("not-a-jwt"), None, &[]).await, 401);

    // 404: unknown route and unknown id, same body.
    let unknown_route = app.get("/api/v1/no-such-thing", &admin).await;
    assert_problem(&unknown_route, 404);
    assert_security_headers(&unknown_route);
    let unknown_id = app.get(&format!("/api/v1/org-units/{}", uuid::Uuid::now_v7()), &admin).await;
    assert_problem(&unknown_id, 404);
    assert_eq!(unknown_route.text, unknown_id.text);
    assert_problem(&app.get("/api/v1/org-units/not-a-uuid", &admin).await, 404);

    // 405 with Allow.
    let res = app.send(Method::DELETE, "/api/v1/me", Some(&admin), None, &[]).await;
    assert_problem(&res, 405);
    assert_eq!(res.header("allow").as_deref(), Some("GET"));

    // 413: a 2 MiB body.
    let big = json!({"parent_id": f.unit("town_a1"), "tier": "village", "name": "x".repeat(2 << 20)});
    let res = app.post("/api/v1/org-units", &admin, big).await;
    assert_problem(&res, 413);
    assert_security_headers(&res);

    // 415: not JSON.
    let res = app
        .client
        .post(format!("{}/api/v1/org-units", app.base))
        .bearer_auth(&admin)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 415);

    // 422: every failing field at once, unknown fields included.
    let res = app
        .post(
            "/api/v1/org-units",
            &admin,
            json!({"parent_id": f.unit("town_a1"), "tier": "village", "name": "", "phone": "12345", "status": "active"}),
        )
        .await;
    assert_problem(&res, 422);
    let fields: Vec<&str> = res.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["status"], "an unknown field is refused before anything else");
    let res = app
        .post(
            "/api/v1/org-units",
            &admin,
            json!({"parent_id": f.unit("town_a1"), "tier": "village", "name": "", "phone": "12345"}),
        )
        .await;
    assert_problem(&res, 422);
    let mut fields: Vec<&str> =
        res.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["name", "phone"]);
    let res = app.post("/api/v1/org-units", &admin, json!({"parent_id": f.unit("town_a1"), "tier": "hamlet", "name": "x"})).await;
    assert_problem(&res, 422);
    assert_eq!(res.body["errors"][0]["field"], "tier");
}

#[actix_web::test]
async fn detail_follows_accept_language() {
    let app = TestApp::spawn().await;
    let zh = app.send(Method::GET, "/api/v1/me", None, None, &[]).await;
    let en = app.send(Method::GET, "/api/v1/me", None, None, &[("Accept-Language", "en-US,en;q=0.9")]).await;
    assert!(zh.body["detail"].as_str().expect("detail").contains("登录"));
    assert_eq!(en.body["detail"], "Authentication is required or has expired.");
}

#[actix_web::test]
async fn internal_errors_show_no_internals() {
    let app = TestApp::spawn().await;
    app.fixture().await;
    let admin = app.token("admin_a").await;
    // Break the schema under the running server.
    app.sql("ALTER TABLE org_units RENAME COLUMN name TO name_gone").await;
    let res = app.get("/api/v1/org-units", &admin).await;
    assert_problem(&res, 500);
    assert_security_headers(&res);
    for leak in ["name_gone", "org_units", "SELECT", "column", "diesel", "src/", ".rs"] {
        assert!(!res.text.contains(leak), "500 body leaks `{leak}`: {}", res.text);
    }
}

#[actix_web::test]
async fn lists_page_with_cursors_and_limits() {
    let app = TestApp::spawn().await;
    app.fixture().await;
    let token = app.token("admin_root").await;
    assert_problem(&app.get("/api/v1/org-units?limit=1000", &token).await, 422);
    assert_problem(&app.get("/api/v1/org-units?limit=0", &token).await, 422);
    assert_problem(&app.get("/api/v1/org-units?cursor=%21%21", &token).await, 422);
    let total = app.sql_i64("SELECT count(*) FROM org_units").await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/org-units?limit=2".to_owned();
    loop {
        let res = app.get(&path, &token).await.expect(200);
        let items = res.body["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|i| i["id"].as_str().expect("id").to_owned()));
        match res.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/org-units?limit=2&cursor={c}"),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no row twice");
    assert_eq!(seen.len() as i64, total, "every row once");
}

#[actix_web::test]
async fn changes_need_if_match_and_exactly_one_concurrent_change_wins() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let path = format!("/api/v1/org-units/{}", f.unit("town_a1"));
    let current = app.get(&path, &admin).await.expect(200);
    let etag = current.header("etag").expect("etag");

    let res = app.send(Method::PATCH, &path, Some(&admin), Some(&json!({"name": "新名"})), &[]).await;
    assert_problem(&res, 428);
    assert_problem(&app.patch(&path, &admin, "\"999\"", json!({"name": "新名"})).await, 412);
    assert_problem(&app.patch(&path, &admin, "garbage", json!({"name": "新名"})).await, 412);

    let (a, b) = futures_util::future::join(
        app.patch(&path, &admin, &etag, json!({"name": "甲"})),
        app.patch(&path, &admin, &etag, json!({"name": "乙"})),
    )
    .await;
    let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 412], "a: {} b: {}", a.text, b.text);
    let winner = if a.status.as_u16() == 200 { &a } else { &b };
    let after = app.get(&path, &admin).await.expect(200);
    assert_eq!(after.body["name"], winner.body["name"]);
    assert_eq!(after.body["version"], json!(2));
    assert_ne!(after.header("etag"), Some(etag));
}

#[actix_web::test]
async fn idempotency_keys_replay_refuse_and_wait() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let other_admin = app.token("admin_root").await;
    let parent = f.unit("town_a1").to_string();
    let body = unit_body(&parent, "幸福村社会工作服务室");
    let key = [("Idempotency-Key", "key-0001")];

    let first = app.send(Method::POST, "/api/v1/org-units", Some(&admin), Some(&body), &key).await.expect(201);
    let second = app.send(Method::POST, "/api/v1/org-units", Some(&admin), Some(&body), &key).await.expect(201);
    assert_eq!(first.text, second.text, "the replay is the first answer");
    assert_eq!(first.header("location"), second.header("location"));
    assert_eq!(app.sql_i64("SELECT count(*) FROM org_units WHERE name = '幸福村社会工作服务室'").await, 1);

    // Same key, another body.
    let res = app.send(Method::POST, "/api/v1/org-units", Some(&admin), Some(&unit_body(&parent, "别的村")), &key).await;
    assert_problem(&res, 422);

    // Another user's key is another key.
    app.send(Method::POST, "/api/v1/org-units", Some(&other_admin), Some(&body), &key).await.expect(201);
    assert_eq!(app.sql_i64("SELECT count(*) FROM org_units WHERE name = '幸福村社会工作服务室'").await, 2);

    // While a first request still holds the key, a second one gets 409.
    let holder = app.db.connect().await;
    holder.batch_execute("BEGIN").await.expect("begin");
    holder
        .execute(
            "INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, response_body) \
             VALUES ($1, 'key-busy', 'POST', '/api/v1/org-units', '\\x00', 'null')",
            &[&f.user("admin_a")],
        )
        .await
        .expect("hold key");
    let busy = [("Idempotency-Key", "key-busy")];
    let res = app.send(Method::POST, "/api/v1/org-units", Some(&admin), Some(&unit_body(&parent, "忙碌村")), &busy).await;
    assert_problem(&res, 409);
    holder.batch_execute("ROLLBACK").await.expect("rollback");
    app.send(Method::POST, "/api/v1/org-units", Some(&admin), Some(&unit_body(&parent, "忙碌村")), &busy).await.expect(201);

    // A bad key is a 422 on the header.
    let long = "k".repeat(256);
    let res = app.send(Method::POST, "/api/v1/org-units", Some(&admin), Some(&body), &[("Idempotency-Key", &long)]).await;
    assert_problem(&res, 422);
}

#[actix_web::test]
async fn a_client_chosen_id_twice_is_one_record() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let id = uuid::Uuid::now_v7();
    let body = json!({"id": id, "parent_id": f.unit("town_a1"), "tier": "village", "name": "离线村"});
    app.post("/api/v1/org-units", &admin, body.clone()).await.expect(201);
    let again = app.post("/api/v1/org-units", &admin, body).await.expect(200);
    assert_eq!(again.id(), id.to_string());
    assert_eq!(app.sql_i64(&format!("SELECT count(*) FROM org_units WHERE id = '{id}'")).await, 1);
}

#[actix_web::test]
async fn writes_are_audited_and_the_audit_log_is_append_only() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let res = app.post("/api/v1/org-units", &admin, unit_body(&f.unit("town_a1").to_string(), "审计村")).await.expect(201);
    let request_id = res.header("x-request-id").expect("request id");
    let id = res.id();
    let n = app
        .sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE action = 'org_unit.create' AND entity_id = '{id}' \
             AND user_id = '{}' AND role = 'admin' AND outcome = 'success' AND request_id = '{request_id}'",
            f.user("admin_a")
        ))
        .await;
    assert_eq!(n, 1);
    // A denied access is audited too.
    let worker = app.token("worker_a1").await;
    app.post("/api/v1/org-units", &worker, unit_body(&f.unit("town_a1").to_string(), "x")).await.expect(403);
    assert_eq!(
        app.sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE outcome = 'denied' AND user_id = '{}'",
            f.user("worker_a1")
        ))
        .await,
        1
    );
    let conn = app.db.connect().await;
    assert!(conn.execute("UPDATE audit_events SET action = 'x'", &[]).await.is_err());
    assert!(conn.execute("DELETE FROM audit_events", &[]).await.is_err());
    assert!(app.sql_i64("SELECT count(*) FROM audit_events").await > 0);
}

#[actix_web::test]
async fn committed_openapi_document_is_current() {
    let generated = shegong::startup::openapi().to_pretty_json().expect("json") + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi")).expect("dir");
        std::fs::write(path, &generated).expect("write");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test committed_openapi` and commit it"
    );
}

#[actix_web::test]
async fn killed_database_connections_cost_at_most_one_failure() {
    let app = TestApp::spawn().await;
    app.fixture().await;
    let token = app.token("admin_a").await;
    app.get("/api/v1/org-units", &token).await.expect(200);
    // The database drops every connection the server holds.
    let killer = app.db.connect().await;
    killer
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .expect("terminate");
    let mut failures = 0;
    for _ in 0..5 {
        let res = app.get("/api/v1/org-units", &token).await;
        match res.status.as_u16() {
            200 => {}
            503 => failures += 1,
            other => panic!("unexpected {other}: {}", res.text),
        }
    }
    assert!(failures <= 1, "{failures} requests failed after the connections were killed");
}

#[actix_web::test]
async fn graceful_stop_lets_a_running_request_finish() {
    use shegong::startup::build_app;
    let db = crate::helpers::TestDb::create().await;
    let state = shegong::state::AppState::new(test_config(&db.app_url, &Options::default())).expect("state");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://127.0.0.1:{}", listener.local_addr().expect("addr").port());
    let server_state = state.clone();
    let server = actix_web::HttpServer::new(move || build_app(server_state.clone()))
        .workers(1)
        .disable_signals()
        .shutdown_timeout(10)
        .listen(listener)
        .expect("listen")
        .run();
    let handle = server.handle();
    let running = actix_web::rt::spawn(server);
    let app = TestApp { base: base.clone(), client: reqwest::Client::new(), state, db };
    let f = app.fixture().await;
    let token = app.token("admin_a").await;
    // Hold the unit's row so the PATCH waits inside its transaction.
    let holder = app.db.connect().await;
    holder.batch_execute("BEGIN").await.expect("begin");
    holder.execute("SELECT 1 FROM org_units WHERE id = $1 FOR UPDATE", &[&f.unit("town_a1")]).await.expect("lock");
    let path = format!("/api/v1/org-units/{}", f.unit("town_a1"));
    let slow = app.patch(&path, &token, "\"1\"", json!({"name": "慢请求"}));
    let stop = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        // What SIGTERM does: stop accepting, finish what is running.
        let stopping = handle.stop(true);
        tokio::time::sleep(Duration::from_millis(300)).await;
        holder.batch_execute("COMMIT").await.expect("commit");
        stopping.await;
    };
    let (res, ()) = futures_util::future::join(slow, stop).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text);
    assert_eq!(res.body["name"], "慢请求");
    running.await.expect("join").expect("server exits cleanly");
    assert!(app.client.get(format!("{base}/livez")).send().await.is_err(), "the server has stopped");
}

#[actix_web::test]
async fn response_field_sets_are_pinned_and_never_carry_secrets() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    let user_keys = [
        "certification",
        "created_at",
        "display_name",
        "id",
        "is_active",
        "org_unit_id",
        "phone",
        "role",
        "updated_at",
        "username",
        "version",
    ];
    for who in ["worker_a1", "sup_a", "admin_a"] {
        let token = app.token(who).await;
        let me = app.get("/api/v1/me", &token).await.expect(200);
        assert_eq!(keys(&me.body), vec!["permissions", "unit", "user"]);
        assert_eq!(keys(&me.body["user"]), user_keys);
        let users = app.get("/api/v1/users", &token).await.expect(200);
        for u in users.body["items"].as_array().expect("items") {
            assert_eq!(keys(u), user_keys, "{who}");
        }
        let text = format!("{}{}", me.text, users.text);
        assert!(!text.contains("password") && !text.contains("$argon2"), "{who} sees no password material");
    }
    let worker = app.token("worker_a1").await;
    let body = json!({"org_unit_id": f.unit("town_a1"), "name": "钉住", "id_type": "resident_id", "id_number": "11010519491231002X", "phone": "13800005678"});
    let created = app.post("/api/v1/clients", &worker, body).await.expect(201);
    let list = app.get("/api/v1/clients", &worker).await.expect(200);
    assert_eq!(
        keys(&list.body["items"][0]),
        [
            "birth_date",
            "categories",
            "created_at",
            "gender",
            "household_id",
            "id",
            "id_number_masked",
            "id_type",
            "name",
            "org_unit_id",
            "phone_masked",
            "risk_level",
            "version"
        ]
    );
    let detail = app.get(&format!("/api/v1/clients/{}", created.id()), &worker).await.expect(200);
    assert_eq!(
        keys(&detail.body),
        [
            "address",
            "age",
            "birth_date",
            "categories",
            "consent",
            "created_at",
            "created_by",
            "disability",
            "emergency_contact",
            "gender",
            "guardian",
            "household",
            "hukou_division_code",
            "id",
            "id_number",
            "id_type",
            "living_arrangement",
            "name",
            "notes",
            "org_unit_id",
            "phone",
            "risk_level",
            "self_care",
            "updated_at",
            "version"
        ]
    );
}

#[actix_web::test]
async fn the_audit_log_is_readable_in_scope() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let id =
        app.post("/api/v1/org-units", &admin, unit_body(&f.unit("town_a1").to_string(), "审计可查村")).await.expect(201).id();
    let res = app.get(&format!("/api/v1/audit-events?entity_id={id}"), &admin).await.expect(200);
    let actions: Vec<&str> = res.body["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, vec!["org_unit.create"]);
    let logins = app.get("/api/v1/audit-events?entity_type=user", &admin).await.expect(200);
    assert!(logins.body["items"].as_array().expect("items").iter().any(|e| e["action"] == "auth.login"));
    // The other branch sees none of it; workers read no audit log.
    let other = app.token("admin_b").await;
    let res = app.get(&format!("/api/v1/audit-events?entity_id={id}"), &other).await.expect(200);
    assert!(res.body["items"].as_array().expect("items").is_empty());
    let all = app.get("/api/v1/audit-events?limit=200", &other).await.expect(200);
    assert!(all.body["items"].as_array().expect("items").iter().all(|e| e["username"] != "admin_a"));
    let worker = app.token("worker_a1").await;
    app.get("/api/v1/audit-events", &worker).await.expect(403);
}

/// Keeps what a test's log subscriber writes.
#[derive(Clone, Default)]
struct LogCapture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[actix_web::test]
async fn a_line_logged_deep_inside_a_request_carries_its_request_id() {
    use actix_web::test::{call_service, init_service, TestRequest};
    let app = TestApp::spawn_with(Options { login_max_failures: 2, login_lock_secs: 60 }).await;
    let capture = LogCapture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone());
    let _logs = tracing::subscriber::set_default(subscriber.finish());
    // The application as the server builds it, answered on this thread, where the capture is.
    let service = init_service(shegong::startup::build_app(app.state.clone())).await;
    let mut ids = Vec::new();
    for given in [Some("guess-1"), None] {
        let mut req =
            TestRequest::post().uri("/api/v1/auth/login").set_json(json!({"username": "nobody", "password": "Wrong-1234"}));
        if let Some(id) = given {
            req = req.insert_header(("x-request-id", id));
        }
        let res = call_service(&service, req.to_request()).await;
        assert_eq!(res.status().as_u16(), 401);
        ids.push(res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("X-Request-Id").to_owned());
    }
    assert_eq!(ids[0], "guess-1");
    let out = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf-8");
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    let of = |message: &str| -> Vec<Value> {
        lines.iter().filter(|l| l["message"] == message).map(|l| l["span"]["request_id"].clone()).collect()
    };
    // The second failure locks the account for that address: the service's warning names that
    // request.
    assert_eq!(of("account locked for an address after repeated failed logins"), vec![json!(ids[1])], "{out}");
    assert_eq!(of("request"), vec![json!(ids[0]), json!(ids[1])], "{out}");
    // And the audit events of the two attempts carry the same ids.
    let audited =
        app.sql_i64(&format!("SELECT count(*) FROM audit_events WHERE request_id IN ('{}', '{}')", ids[0], ids[1])).await;
    assert_eq!(audited, 2);
}

#[actix_web::test]
async fn a_body_of_too_many_values_is_refused_before_it_is_parsed() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let body =
        |values: usize| json!({"parent_id": f.unit("town_a1"), "tier": "village", "name": "万值村", "extra": vec![0; values]});
    // Under 1 MiB, but 200,000 values.
    let res = app.post("/api/v1/org-units", &admin, body(200_000)).await;
    assert_problem(&res, 422);
    assert_eq!((&res.body["errors"][0]["field"], &res.body["errors"][0]["code"]), (&json!("body"), &json!("too_many_values")));
    // Below the limit a body is parsed as before: here the unknown field is what is wrong.
    let res = app.post("/api/v1/org-units", &admin, body(9_000)).await;
    assert_problem(&res, 422);
    assert_eq!((&res.body["errors"][0]["field"], &res.body["errors"][0]["code"]), (&json!("extra"), &json!("unknown_field")));
}
