//! The hierarchy and the user accounts through the API: creating every tier under the right
//! parent, the tier and division-code rules, partial PATCHes, moving a subtree, user creation and
//! changes inside the admin's subtree only, `GET /me` and `GET /reference`.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{fixtures::Fixture, Res, TestApp};

#[track_caller]
fn assert_fields(res: &Res, expected: &[(&str, &str)]) {
    assert_eq!(res.status.as_u16(), 422, "{}", res.text);
    let mut got: Vec<(String, String)> = res.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["field"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = expected.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect();
    want.sort();
    assert_eq!(got, want, "{}", res.text);
}

async fn path_of(app: &TestApp, id: impl std::fmt::Display) -> String {
    app.db.query_text(&format!("SELECT path FROM org_units WHERE id = '{id}'")).await
}

async fn version_of(app: &TestApp, table: &str, id: impl std::fmt::Display) -> i64 {
    app.sql_i64(&format!("SELECT version::bigint FROM {table} WHERE id = '{id}'")).await
}

async fn etag(app: &TestApp, path: &str, token: &str) -> String {
    app.get(path, token).await.expect(200).header("etag").expect("etag")
}

/// Every unit's path is its parent's path plus its own id, and its depth one more: the invariant
/// a subtree move must keep.
async fn assert_tree_consistent(app: &TestApp) {
    let broken = app
        .sql_i64(
            "SELECT count(*) FROM org_units c LEFT JOIN org_units p ON p.id = c.parent_id \
             WHERE (p.id IS NULL AND (c.path <> '/' || c.id || '/' OR c.depth <> 0)) \
                OR (p.id IS NOT NULL AND (c.path <> p.path || c.id || '/' OR c.depth <> p.depth + 1))",
        )
        .await;
    assert_eq!(broken, 0, "every path and depth follows the parent");
}

fn unit(parent: impl std::fmt::Display, tier: &str, name: &str) -> Value {
    json!({"parent_id": parent.to_string(), "tier": tier, "name": name})
}

#[actix_web::test]
async fn each_tier_is_created_under_the_right_parent() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_root").await;
    let root_path = path_of(&app, f.unit("root")).await;

    // centre → centre (a city centre under the province's), centre → county → township → village.
    let mut parent = f.unit("root").to_string();
    let mut parent_path = root_path;
    for (depth, (tier, name, code)) in [
        ("center", "中卫市社会工作指导中心", "640500000000"),
        ("county", "中宁县社会工作总站", "640521"),
        ("township", "宁安镇社会工作服务站", "640521100000"),
        ("village", "某村社会工作室", "640521100201"),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({"parent_id": parent, "tier": tier, "name": name, "division_code": code, "address": "宁夏", "phone": "0955-7012345"});
        let res = app.post("/api/v1/org-units", &admin, body).await.expect(201);
        let id = res.id();
        assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(res.header("location"), Some(format!("/api/v1/org-units/{id}")));
        assert_eq!(res.body["tier"], tier);
        assert_eq!(res.body["name"], name);
        assert_eq!(res.body["parent_id"], json!(parent));
        assert_eq!(res.body["depth"], json!(depth + 1));
        assert_eq!(res.body["status"], "active");
        assert_eq!(res.body["version"], 1);
        assert_eq!(res.body["division_code"].as_str().map(str::len), Some(12), "stored as 12 digits");
        let fetched = app.get(&format!("/api/v1/org-units/{id}"), &admin).await.expect(200);
        assert_eq!(fetched.body, res.body);
        let path = path_of(&app, &id).await;
        assert_eq!(path, format!("{parent_path}{id}/"));
        parent = id;
        parent_path = path;
    }
    let county = app.sql_i64("SELECT count(*) FROM org_units WHERE division_code = '640521000000'").await;
    assert_eq!(county, 1, "a 6-digit county code is padded");
    assert_tree_consistent(&app).await;
}

#[actix_web::test]
async fn tier_and_division_code_rules_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_root").await;
    let before = app.sql_i64("SELECT count(*) FROM org_units").await;
    for (parent, tier) in [
        ("root", "township"),
        ("root", "village"),
        ("county_a", "county"),
        ("county_a", "village"),
        ("county_a", "center"),
        ("town_a1", "township"),
        ("town_a1", "county"),
        ("village_a1", "village"),
    ] {
        let res = app.post("/api/v1/org-units", &admin, unit(f.unit(parent), tier, "错层单位")).await;
        assert_fields(&res, &[("tier", "tier_mismatch")]);
    }
    for (parent, tier, code) in [
        ("county_a", "township", "640521000000"),
        ("county_a", "township", "640521100201"),
        ("root", "county", "640000000000"),
        ("town_a1", "village", "640521100000"),
        ("root", "center", "640521"),
    ] {
        let mut body = unit(f.unit(parent), tier, "错级单位");
        body["division_code"] = json!(code);
        let res = app.post("/api/v1/org-units", &admin, body).await;
        assert_fields(&res, &[("division_code", "level_mismatch")]);
    }
    let mut body = unit(f.unit("county_a"), "township", "坏代码");
    body["division_code"] = json!("64052110000x");
    assert_eq!(app.post("/api/v1/org-units", &admin, body).await.expect(422).body["errors"][0]["field"], "division_code");
    // A missing parent is a 422 on parent_id, like an out-of-scope one.
    let res = app.post("/api/v1/org-units", &admin, unit(uuid::Uuid::now_v7(), "township", "无父")).await;
    assert_fields(&res, &[("parent_id", "not_found")]);
    assert_eq!(app.sql_i64("SELECT count(*) FROM org_units").await, before, "nothing written");
}

#[actix_web::test]
async fn patch_changes_fields_and_null_clears_them() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let path = format!("/api/v1/org-units/{}", f.unit("town_a1"));

    let tag = etag(&app, &path, &admin).await;
    let res = app
        .patch(
            &path,
            &admin,
            &tag,
            json!({"name": "  滨河镇社会工作服务站 ", "division_code": "640521100000", "address": "滨河路 1 号", "phone": "0955-7012345", "status": "suspended"}),
        )
        .await
        .expect(200);
    assert_eq!(res.body["name"], "滨河镇社会工作服务站", "names are trimmed");
    assert_eq!(res.body["division_code"], "640521100000");
    assert_eq!(res.body["address"], "滨河路 1 号");
    assert!(res.body["phone"].is_string());
    assert_eq!(res.body["status"], "suspended");
    assert_eq!(res.body["version"], 2);
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));

    // Absent = unchanged; null = cleared.
    let res = app.patch(&path, &admin, "\"2\"", json!({"division_code": null, "address": null, "phone": null})).await.expect(200);
    assert_eq!(res.body["division_code"], Value::Null);
    assert_eq!(res.body["address"], Value::Null);
    assert_eq!(res.body["phone"], Value::Null);
    assert_eq!(res.body["name"], "滨河镇社会工作服务站");
    assert_eq!(res.body["status"], "suspended");
    assert_eq!(res.body["version"], 3);
    let stored = app
        .sql_i64(&format!(
            "SELECT count(*) FROM org_units WHERE id = '{}' AND division_code IS NULL AND address IS NULL AND phone IS NULL AND version = 3",
            f.unit("town_a1")
        ))
        .await;
    assert_eq!(stored, 1);

    // A wrong-level code and fields that are not the client's to set change nothing.
    assert_fields(
        &app.patch(&path, &admin, "\"3\"", json!({"division_code": "640521000000"})).await,
        &[("division_code", "level_mismatch")],
    );
    for forbidden in [json!({"tier": "county"}), json!({"path": "/x/"}), json!({"version": 9}), json!({"depth": 1})] {
        let res = app.patch(&path, &admin, "\"3\"", forbidden.clone()).await;
        assert_eq!(res.status.as_u16(), 422, "{forbidden}: {}", res.text);
    }
    assert_fields(&app.patch(&path, &admin, "\"3\"", json!({"name": ""})).await, &[("name", "length")]);
    assert_eq!(version_of(&app, "org_units", f.unit("town_a1")).await, 3);
}

#[actix_web::test]
async fn moving_a_unit_moves_its_whole_subtree() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_root").await;
    // A second village under town_a1, so the subtree has two levels and siblings.
    let extra = app.post("/api/v1/org-units", &admin, unit(f.unit("town_a1"), "village", "新村")).await.expect(201).id();
    let old_path = path_of(&app, f.unit("town_a1")).await;
    let sup_a = app.token("sup_a").await;
    let sup_b = app.token("sup_b").await;
    let worker = app.token("worker_a1").await;
    app.get(&format!("/api/v1/org-units/{}", f.unit("village_a1")), &sup_a).await.expect(200);
    app.get(&format!("/api/v1/org-units/{}", f.unit("village_a1")), &sup_b).await.expect(404);

    let path = format!("/api/v1/org-units/{}", f.unit("town_a1"));
    let tag = etag(&app, &path, &admin).await;
    let res = app.patch(&path, &admin, &tag, json!({"parent_id": f.unit("county_b"), "name": "迁移镇"})).await.expect(200);
    assert_eq!(res.body["parent_id"], json!(f.unit("county_b")));
    assert_eq!(res.body["name"], "迁移镇");
    assert_eq!(res.body["depth"], 2);
    assert_eq!(res.body["version"], 2);

    let new_parent = path_of(&app, f.unit("county_b")).await;
    for (id, depth) in [(f.unit("town_a1").to_string(), 2), (f.unit("village_a1").to_string(), 3), (extra.clone(), 3)] {
        let p = path_of(&app, &id).await;
        assert!(p.starts_with(&new_parent), "{p} is under county_b's {new_parent}");
        assert!(p.ends_with(&format!("{id}/")));
        assert_eq!(app.sql_i64(&format!("SELECT depth::bigint FROM org_units WHERE id = '{id}'")).await, depth);
    }
    assert_eq!(app.sql_i64(&format!("SELECT count(*) FROM org_units WHERE path LIKE '{old_path}%'")).await, 0);
    assert_tree_consistent(&app).await;
    let audited = app
        .sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE action = 'org_unit.update' AND entity_id = '{}' AND (details->'moved'->>'units')::int = 3",
            f.unit("town_a1")
        ))
        .await;
    assert_eq!(audited, 1);

    // Scopes follow the tree at once.
    app.get(&format!("/api/v1/org-units/{}", f.unit("village_a1")), &sup_a).await.expect(404);
    app.get(&format!("/api/v1/users/{}", f.user("worker_a1")), &sup_a).await.expect(404);
    app.get(&format!("/api/v1/org-units/{}", f.unit("village_a1")), &sup_b).await.expect(200);
    app.get(&format!("/api/v1/users/{}", f.user("worker_v_a1")), &sup_b).await.expect(200);
    let mine = app.get("/api/v1/org-units", &worker).await.expect(200);
    assert_eq!(mine.body["items"].as_array().expect("items").len(), 3, "{}", mine.text);
}

/// Creates a village under `town` while county_a moves under `new_parent`, both lined up behind
/// a lock on `town`, in the given order. Returns the new village's id.
async fn create_while_moving(
    app: &TestApp,
    f: &Fixture,
    token: &str,
    town: &str,
    new_parent: &str,
    create_first: bool,
) -> String {
    let holder = app.db.connect().await;
    holder.batch_execute("BEGIN").await.expect("begin");
    holder.execute("SELECT 1 FROM org_units WHERE id = $1 FOR UPDATE", &[&f.unit(town)]).await.expect("lock");
    let county_a = format!("/api/v1/org-units/{}", f.unit("county_a"));
    let version = format!("\"{}\"", version_of(app, "org_units", f.unit("county_a")).await);
    let create = async {
        app.post("/api/v1/org-units", token, unit(f.unit(town), "village", &format!("迁移中新建的村{town}"))).await
    };
    let moving = async { app.patch(&county_a, token, &version, json!({"parent_id": new_parent})).await };
    let release = async {
        app.wait_for_lock_waiters(2).await;
        holder.batch_execute("ROLLBACK").await.expect("rollback");
    };
    let (created, moved) = if create_first {
        let later = async {
            app.wait_for_lock_waiters(1).await;
            futures_util::future::join(moving, release).await.0
        };
        futures_util::future::join(create, later).await
    } else {
        let later = async {
            app.wait_for_lock_waiters(1).await;
            futures_util::future::join(create, release).await.0
        };
        let (moved, created) = futures_util::future::join(moving, later).await;
        (created, moved)
    };
    moved.expect(200);
    created.expect(201).id()
}

#[actix_web::test]
async fn a_unit_created_while_its_parent_moves_lands_under_the_new_path() {
    // A village is created under a township while the township's county moves under another
    // centre. Whatever the order, the new village's path must follow the move; a stale path would
    // put it (and everything later recorded there) in the old branch's scope.
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let root = app.token("admin_root").await;
    let city = app.post("/api/v1/org-units", &root, unit(f.unit("root"), "center", "市指导中心")).await.expect(201).id();
    let sup_a = app.token("sup_a").await;

    let first = create_while_moving(&app, &f, &root, "town_a1", &city, true).await;
    assert_tree_consistent(&app).await;
    assert!(path_of(&app, &first).await.starts_with(&path_of(&app, &city).await), "the new village moved with its township");
    app.get(&format!("/api/v1/org-units/{first}"), &sup_a).await.expect(200);

    // The other order: the move takes the lock first, then the create reads the moved parent.
    let root_id = f.unit("root").to_string();
    let second = create_while_moving(&app, &f, &root, "town_a2", &root_id, false).await;
    assert_tree_consistent(&app).await;
    assert!(!path_of(&app, &second).await.starts_with(&path_of(&app, &city).await));
    assert!(path_of(&app, &second).await.starts_with(&path_of(&app, f.unit("county_a")).await));
    app.get(&format!("/api/v1/org-units/{second}"), &sup_a).await.expect(200);
}

#[actix_web::test]
async fn impossible_moves_are_422_and_change_nothing() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let root_admin = app.token("admin_root").await;
    let admin_a = app.token("admin_a").await;
    let snapshot = "SELECT count(*) FROM org_units WHERE version <> 1";

    let county_a = format!("/api/v1/org-units/{}", f.unit("county_a"));
    let town_a1 = format!("/api/v1/org-units/{}", f.unit("town_a1"));
    let root = format!("/api/v1/org-units/{}", f.unit("root"));
    // Under its own descendant, or under itself.
    assert_fields(
        &app.patch(&county_a, &root_admin, "\"1\"", json!({"parent_id": f.unit("town_a1")})).await,
        &[("parent_id", "cycle")],
    );
    assert_fields(
        &app.patch(&county_a, &root_admin, "\"1\"", json!({"parent_id": f.unit("village_a1")})).await,
        &[("parent_id", "cycle")],
    );
    assert_fields(
        &app.patch(&town_a1, &root_admin, "\"1\"", json!({"parent_id": f.unit("town_a1")})).await,
        &[("parent_id", "cycle")],
    );
    // The root.
    let res = app.patch(&root, &root_admin, "\"1\"", json!({"parent_id": f.unit("county_a")})).await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.text);
    assert_eq!(res.body["errors"][0]["field"], "parent_id");
    // A tier that does not fit the new parent.
    assert_fields(
        &app.patch(&town_a1, &root_admin, "\"1\"", json!({"parent_id": f.unit("town_a2")})).await,
        &[("parent_id", "tier_mismatch")],
    );
    assert_fields(
        &app.patch(&town_a1, &root_admin, "\"1\"", json!({"parent_id": f.unit("root")})).await,
        &[("parent_id", "tier_mismatch")],
    );
    // A parent outside the admin's subtree, or the admin's own unit.
    assert_fields(
        &app.patch(&town_a1, &admin_a, "\"1\"", json!({"parent_id": f.unit("county_b")})).await,
        &[("parent_id", "not_found")],
    );
    assert_fields(
        &app.patch(&county_a, &admin_a, "\"1\"", json!({"parent_id": f.unit("county_b")})).await,
        &[("parent_id", "cannot_move")],
    );

    assert_eq!(app.sql_i64(snapshot).await, 0, "no unit changed");
    assert_tree_consistent(&app).await;
    // The same parent again is no move at all.
    app.patch(&town_a1, &admin_a, "\"1\"", json!({"parent_id": f.unit("county_a")})).await.expect(200);
}

fn new_user(f: &Fixture, username: &str, unit: &str) -> Value {
    json!({
        "username": username, "display_name": "李娜", "phone": "138 9551 2345",
        "org_unit_id": f.unit(unit), "role": "worker", "certification": "assistant",
        "password": "Li-Na-Strong-2026",
    })
}

#[track_caller]
fn assert_no_secret(res: &Res) {
    for leak in ["password", "argon2", "hash", "token_version"] {
        assert!(!res.text.contains(leak), "response carries `{leak}`: {}", res.text);
    }
}

#[actix_web::test]
async fn users_are_created_without_ever_showing_a_password_hash() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let res = app.post("/api/v1/users", &admin, new_user(&f, "li.na", "village_a1")).await.expect(201);
    assert_no_secret(&res);
    let id = res.id();
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.header("location"), Some(format!("/api/v1/users/{id}")));
    assert_eq!(res.body["username"], "li.na");
    assert_eq!(res.body["org_unit_id"], json!(f.unit("village_a1")));
    assert_eq!(res.body["role"], "worker");
    assert_eq!(res.body["certification"], "assistant");
    assert_eq!(res.body["is_active"], true);
    assert_eq!(res.body["phone"], "13895512345", "phones are stored normalised");
    let audited = app
        .sql_i64(&format!("SELECT count(*) FROM audit_events WHERE action = 'user.create' AND entity_id = '{id}' AND details::text NOT LIKE '%Li-Na%'"))
        .await;
    assert_eq!(audited, 1);

    // Nowhere else either: detail, list, PATCH, login, /me.
    let detail = app.get(&format!("/api/v1/users/{id}"), &admin).await.expect(200);
    assert_no_secret(&detail);
    assert_eq!(detail.body, res.body);
    assert_no_secret(&app.get("/api/v1/users?limit=200", &admin).await.expect(200));
    assert_no_secret(
        &app.patch(&format!("/api/v1/users/{id}"), &admin, "\"1\"", json!({"display_name": "李娜娜"})).await.expect(200),
    );
    let login = app
        .send(Method::POST, "/api/v1/auth/login", None, Some(&json!({"username": "LI.NA", "password": "Li-Na-Strong-2026"})), &[])
        .await
        .expect(200);
    assert!(!login.body["user"].to_string().contains("argon2"));
    assert!(login.body["user"].get("password_hash").is_none());
    let token = login.body["access_token"].as_str().expect("token").to_owned();
    assert_no_secret(&app.get("/api/v1/me", &token).await.expect(200));

    // Usernames are unique, whatever the case.
    let res = app.post("/api/v1/users", &admin, new_user(&f, "LI.NA", "town_a1")).await.expect(409);
    assert_eq!(res.body["code"], "username_taken");
    assert_eq!(app.sql_i64("SELECT count(*) FROM users WHERE lower(username) = 'li.na'").await, 1);

    // Bad bodies name every failing field; unknown fields are refused.
    let res = app
        .post("/api/v1/users", &admin, json!({"username": "a b", "display_name": "", "phone": "123", "org_unit_id": f.unit("town_a1"), "role": "worker", "password": "Li-Na-Strong-2026"}))
        .await;
    let mut fields: Vec<String> =
        res.body["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().expect("field").to_owned()).collect();
    fields.sort();
    assert_eq!(fields, vec!["display_name", "phone", "username"], "{}", res.text);
    let mut body = new_user(&f, "mass.assign", "town_a1");
    body["is_active"] = json!(false);
    assert_fields(&app.post("/api/v1/users", &admin, body).await, &[("is_active", "unknown_field")]);
    let mut body = new_user(&f, "mass.assign", "town_a1");
    body["password_hash"] = json!("$argon2id$v=19$m=19456,t=2,p=1$x");
    assert_fields(&app.post("/api/v1/users", &admin, body).await, &[("password_hash", "unknown_field")]);
    assert_eq!(app.sql_i64("SELECT count(*) FROM users WHERE username = 'mass.assign'").await, 0);
}

#[actix_web::test]
async fn admins_place_users_only_inside_their_subtree() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let users_before = app.sql_i64("SELECT count(*) FROM users").await;
    for outside in ["county_b", "town_b1", "village_b1", "root"] {
        let res = app.post("/api/v1/users", &admin, new_user(&f, "outsider", outside)).await;
        assert_fields(&res, &[("org_unit_id", "not_found")]);
    }
    let res = app.post("/api/v1/users", &admin, json!({"username": "nowhere", "display_name": "无", "org_unit_id": uuid::Uuid::now_v7(), "role": "worker", "password": "Li-Na-Strong-2026"})).await;
    assert_fields(&res, &[("org_unit_id", "not_found")]);
    assert_eq!(app.sql_i64("SELECT count(*) FROM users").await, users_before, "nothing written");
    assert_eq!(app.sql_i64("SELECT count(*) FROM audit_events WHERE action = 'user.create'").await, 0);

    // Moving a user out of the subtree is refused the same way; the row stays as it was.
    let path = format!("/api/v1/users/{}", f.user("worker_a1"));
    for outside in ["town_b1", "root"] {
        let res = app.patch(&path, &admin, "\"1\"", json!({"org_unit_id": f.unit(outside)})).await;
        assert_fields(&res, &[("org_unit_id", "not_found")]);
    }
    let unchanged = app
        .sql_i64(&format!(
            "SELECT count(*) FROM users WHERE id = '{}' AND org_unit_id = '{}' AND version = 1",
            f.user("worker_a1"),
            f.unit("town_a1")
        ))
        .await;
    assert_eq!(unchanged, 1);

    // Inside the subtree a move, a role and a certification change all work.
    let res = app
        .patch(&path, &admin, "\"1\"", json!({"org_unit_id": f.unit("village_a1"), "role": "supervisor", "certification": "intermediate", "phone": "13895512345"}))
        .await
        .expect(200);
    assert_eq!(res.body["org_unit_id"], json!(f.unit("village_a1")));
    assert_eq!(res.body["role"], "supervisor");
    assert_eq!(res.body["certification"], "intermediate");
    assert_eq!(res.body["version"], 2);
    let res = app.patch(&path, &admin, "\"2\"", json!({"phone": null})).await.expect(200);
    assert_eq!(res.body["phone"], Value::Null);
    assert_eq!(res.body["role"], "supervisor", "absent fields are unchanged");
    // Fields that are not the admin's to set.
    for forbidden in
        [json!({"username": "renamed"}), json!({"password_hash": "x"}), json!({"token_version": 3}), json!({"version": 9})]
    {
        let res = app.patch(&path, &admin, "\"3\"", forbidden.clone()).await;
        assert_eq!(res.status.as_u16(), 422, "{forbidden}: {}", res.text);
    }
    assert_eq!(version_of(&app, "users", f.user("worker_a1")).await, 3);
}

#[actix_web::test]
async fn admins_cannot_change_their_own_role_unit_or_active_state() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let path = format!("/api/v1/users/{}", f.user("admin_a"));
    assert_fields(&app.patch(&path, &admin, "\"1\"", json!({"role": "supervisor"})).await, &[("role", "self_change")]);
    assert_fields(&app.patch(&path, &admin, "\"1\"", json!({"is_active": false})).await, &[("is_active", "self_change")]);
    assert_fields(
        &app.patch(&path, &admin, "\"1\"", json!({"org_unit_id": f.unit("town_a1")})).await,
        &[("org_unit_id", "self_change")],
    );
    assert_fields(
        &app.patch(&path, &admin, "\"1\"", json!({"role": "worker", "is_active": false, "org_unit_id": f.unit("town_a1")})).await,
        &[("is_active", "self_change"), ("org_unit_id", "self_change"), ("role", "self_change")],
    );
    assert_eq!(version_of(&app, "users", f.user("admin_a")).await, 1);
    // Restating the current values, or changing their own name, is fine.
    let res = app
        .patch(&path, &admin, "\"1\"", json!({"role": "admin", "is_active": true, "display_name": "管理员甲"}))
        .await
        .expect(200);
    assert_eq!(res.body["display_name"], "管理员甲");
    app.get("/api/v1/me", &admin).await.expect(200);
}

#[actix_web::test]
async fn me_shows_user_unit_role_and_permissions() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let me = app.get("/api/v1/me", &worker).await.expect(200);
    assert_eq!(me.body["user"]["id"], json!(f.user("worker_a1")));
    assert_eq!(me.body["user"]["username"], "worker_a1");
    assert_eq!(me.body["user"]["role"], "worker");
    assert_eq!(me.body["unit"]["id"], json!(f.unit("town_a1")));
    assert_eq!(me.body["unit"]["tier"], "township");
    assert_eq!(me.body["unit"]["parent_id"], json!(f.unit("county_a")));
    let perms: BTreeSet<&str> =
        me.body["permissions"].as_array().expect("permissions").iter().filter_map(Value::as_str).collect();
    for p in ["org_units:read", "users:read", "clients:write", "cases:create"] {
        assert!(perms.contains(p), "worker may {p}");
    }
    for p in ["org_units:write", "users:write", "reviews:decide"] {
        assert!(!perms.contains(p), "worker may not {p}");
    }

    let admin = app.token("admin_a").await;
    let me = app.get("/api/v1/me", &admin).await.expect(200);
    assert_eq!(me.body["user"]["role"], "admin");
    assert_eq!(me.body["unit"]["tier"], "county");
    let perms: BTreeSet<&str> =
        me.body["permissions"].as_array().expect("permissions").iter().filter_map(Value::as_str).collect();
    assert!(perms.contains("org_units:write") && perms.contains("users:write"));
    assert!(!perms.contains("cases:create") && !perms.contains("clients:write"), "admins do no casework");

    let sup = app.token("sup_a").await;
    let me = app.get("/api/v1/me", &sup).await.expect(200);
    let perms: BTreeSet<&str> =
        me.body["permissions"].as_array().expect("permissions").iter().filter_map(Value::as_str).collect();
    assert!(perms.contains("reviews:decide") && !perms.contains("users:write"));
}

#[actix_web::test]
async fn reference_serves_every_enum_with_labels() {
    let app = TestApp::spawn().await;
    app.fixture().await;
    app.send(Method::GET, "/api/v1/reference", None, None, &[]).await.expect(401);
    let token = app.token("worker_a1").await;
    let res = app.get("/api/v1/reference", &token).await.expect(200);
    let data = res.body.as_object().expect("object");
    let codes = |name: &str| -> Vec<String> {
        data.get(name)
            .unwrap_or_else(|| panic!("reference lacks {name}"))
            .as_array()
            .expect("list")
            .iter()
            .map(|l| l["code"].as_str().expect("code").to_owned())
            .collect()
    };
    // Every label is complete: a code, a Chinese and an English text.
    for (name, labels) in data {
        let labels = labels.as_array().unwrap_or_else(|| panic!("{name} is a list"));
        assert!(!labels.is_empty(), "{name} is empty");
        for l in labels {
            for key in ["code", "zh", "en"] {
                assert!(l[key].as_str().is_some_and(|s| !s.is_empty()), "{name}: {l} lacks {key}");
            }
            let code = l["code"].as_str().unwrap_or("");
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{name}: {code} is snake_case"
            );
            assert!(l["zh"].as_str().is_some_and(|s| !s.is_ascii()), "{name}: {l} has a Chinese label");
        }
    }
    // The enums of DOMAIN.md, with the codes it names.
    let expect = |name: &str, want: &[&str]| {
        let got: BTreeSet<String> = codes(name).into_iter().collect();
        let want: BTreeSet<String> = want.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(got, want, "{name}");
    };
    expect("tier", &["center", "county", "township", "village"]);
    expect("role", &["worker", "supervisor", "admin"]);
    expect("unit_status", &["active", "suspended", "closed"]);
    expect("certification", &["none", "assistant", "intermediate", "senior"]);
    expect("risk_level", &["red", "yellow", "blue", "green"]);
    expect("session_method", &["individual", "group", "community", "visit"]);
    expect(
        "case_status",
        &[
            "intake",
            "not_opened",
            "assessment",
            "planning",
            "intervention",
            "suspended",
            "evaluation",
            "follow_up",
            "closed",
            "voided",
        ],
    );
    expect(
        "case_action",
        &[
            "decline",
            "start_assessment",
            "fast_track",
            "start_planning",
            "submit_plan",
            "reassess",
            "suspend",
            "resume",
            "start_evaluation",
            "request_closure",
            "complete_follow_up",
            "reopen",
            "void",
        ],
    );
    expect(
        "service_type",
        &[
            "needs_assessment",
            "psych_support",
            "care",
            "social_integration",
            "capacity_building",
            "resource_linking",
            "policy_linking",
            "crisis_intervention",
            "rights_protection",
            "tutoring",
            "family_relations",
            "rehab_support",
            "visit_care",
        ],
    );
    expect(
        "client_category",
        &[
            "dibao",
            "dibao_edge",
            "tekun",
            "low_income",
            "temp_assistance",
            "orphan",
            "de_facto_uncared_child",
            "distressed_child",
            "left_behind_child",
            "left_behind_elder",
            "empty_nest_elder",
            "living_alone_elder",
            "disabled_elder",
            "disabled",
            "severe_disabled",
            "left_behind_woman",
            "family_planning_special",
            "mental_disorder",
            "homeless",
            "community_correction",
            "youfu",
            "general_resident",
        ],
    );
    expect(
        "closure_reason",
        &[
            "goals_achieved",
            "client_request",
            "referred_out",
            "relocated",
            "lost_contact",
            "deceased",
            "not_eligible",
            "project_ended",
            "other",
        ],
    );
    for name in [
        "gender",
        "id_type",
        "self_care",
        "household_relation",
        "case_source",
        "service_domain",
        "review_kind",
        "review_status",
        "referral_status",
        "contact_mode",
        "attendance_status",
        "community_kind",
        "linkage_partner",
        "group_type",
        "group_status",
        "supervision_format",
        "supervision_function",
    ] {
        assert!(!codes(name).is_empty(), "{name}");
    }
    let tiers = &data["tier"];
    assert_eq!(
        tiers[0],
        json!({"code": "center", "zh": tiers[0]["zh"], "en": tiers[0]["en"]}),
        "labels carry exactly code, zh, en"
    );
}
