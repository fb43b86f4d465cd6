//! The cross-scope tests (QUALITY 1–4): a caller's scope is the subtree of their unit. Anything
//! outside it is a 404 byte-identical to a random id's, lists hold exactly the subtree, and
//! writes naming an outside object change nothing.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{fixtures::Fixture, Res, TestApp};

fn ids(res: &Res) -> BTreeSet<String> {
    res.body["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_owned()).collect()
}

fn unit_ids(f: &Fixture, names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| f.unit(n).to_string()).collect()
}

fn user_ids(f: &Fixture, names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| f.user(n).to_string()).collect()
}

/// Ids from plain SQL (one text column), as a set.
async fn sql_ids(app: &TestApp, query: &str) -> BTreeSet<String> {
    let joined = app.db.query_text(&format!("SELECT coalesce(string_agg(id::text, ','), '') FROM ({query}) q")).await;
    joined.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The caller's subtree as a SQL predicate on `org_units` aliased `u`.
fn subtree_of(username: &str) -> String {
    format!(
        "u.path LIKE (SELECT o.path FROM org_units o JOIN users x ON x.org_unit_id = o.id WHERE x.username = '{username}') || '%'"
    )
}

/// Asserts a 404 that cannot be told apart from a random id's.
#[track_caller]
fn assert_hidden(res: &Res, random: &Res, what: &str) {
    assert_eq!(res.status.as_u16(), 404, "{what}: {}", res.text);
    assert_eq!(res.text, random.text, "{what}: the 404 tells nothing");
    assert_eq!(res.header("content-type"), random.header("content-type"), "{what}");
}

#[actix_web::test]
async fn a_township_worker_sees_only_their_township_subtree() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;

    let units = app.get("/api/v1/org-units", &worker).await.expect(200);
    assert_eq!(ids(&units), unit_ids(&f, &["town_a1", "village_a1"]));
    assert_eq!(units.body["next_cursor"], json!(null));
    // Filters narrow the scope, never widen it.
    let by_parent = app.get(&format!("/api/v1/org-units?parent_id={}", f.unit("county_a")), &worker).await.expect(200);
    assert_eq!(ids(&by_parent), unit_ids(&f, &["town_a1"]), "town_a2 is a child of county_a but out of scope");
    assert!(ids(&app.get(&format!("/api/v1/org-units?parent_id={}", f.unit("county_b")), &worker).await.expect(200)).is_empty());
    assert!(ids(&app.get("/api/v1/org-units?q=town_a2", &worker).await.expect(200)).is_empty());
    assert!(ids(&app.get("/api/v1/org-units?tier=county", &worker).await.expect(200)).is_empty());
    assert!(ids(&app.get("/api/v1/org-units?tier=center", &worker).await.expect(200)).is_empty());
    assert_eq!(
        ids(&app.get("/api/v1/org-units?q=%E7%A4%BE%E4%BC%9A", &worker).await.expect(200)).len(),
        2,
        "q=社会 over the scope only"
    );

    let random = app.get(&format!("/api/v1/org-units/{}", Uuid::now_v7()), &worker).await;
    let random_children = app.get(&format!("/api/v1/org-units/{}/children", Uuid::now_v7()), &worker).await;
    assert_eq!(random.status.as_u16(), 404);
    for name in ["town_a2", "county_a", "root", "county_b", "town_b1", "town_b2", "village_b1"] {
        let res = app.get(&format!("/api/v1/org-units/{}", f.unit(name)), &worker).await;
        assert_hidden(&res, &random, name);
        let res = app.get(&format!("/api/v1/org-units/{}/children", f.unit(name)), &worker).await;
        assert_hidden(&res, &random_children, &format!("{name}/children"));
    }
    for name in ["town_a1", "village_a1"] {
        app.get(&format!("/api/v1/org-units/{}", f.unit(name)), &worker).await.expect(200);
    }
    let children = app.get(&format!("/api/v1/org-units/{}/children", f.unit("town_a1")), &worker).await.expect(200);
    assert_eq!(ids(&children), unit_ids(&f, &["village_a1"]));

    let users = app.get("/api/v1/users", &worker).await.expect(200);
    assert_eq!(ids(&users), user_ids(&f, &["sup_a1", "worker_a1", "worker_a1b", "worker_v_a1"]));
    assert!(ids(&app.get(&format!("/api/v1/users?org_unit_id={}", f.unit("town_a2")), &worker).await.expect(200)).is_empty());
    assert!(ids(&app.get("/api/v1/users?q=worker_a2", &worker).await.expect(200)).is_empty());
    assert!(ids(&app.get("/api/v1/users?role=admin", &worker).await.expect(200)).is_empty());
    let random_user = app.get(&format!("/api/v1/users/{}", Uuid::now_v7()), &worker).await;
    assert_eq!(random_user.text, random.text, "one 404 for every kind of object");
    for name in ["worker_a2", "worker_b1", "sup_a", "admin_a", "admin_root", "sup_b", "admin_b"] {
        let res = app.get(&format!("/api/v1/users/{}", f.user(name)), &worker).await;
        assert_hidden(&res, &random_user, name);
    }
    app.get(&format!("/api/v1/users/{}", f.user("worker_v_a1")), &worker).await.expect(200);
}

#[actix_web::test]
async fn a_county_supervisor_reads_down_the_tree_but_not_across() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let sup = app.token("sup_a").await;

    let units = app.get("/api/v1/org-units", &sup).await.expect(200);
    assert_eq!(ids(&units), unit_ids(&f, &["county_a", "town_a1", "town_a2", "village_a1"]));
    let users = app.get("/api/v1/users", &sup).await.expect(200);
    assert_eq!(ids(&users), user_ids(&f, &["admin_a", "sup_a", "sup_a1", "worker_a1", "worker_a1b", "worker_v_a1", "worker_a2"]));
    for name in ["county_a", "town_a1", "town_a2", "village_a1"] {
        app.get(&format!("/api/v1/org-units/{}", f.unit(name)), &sup).await.expect(200);
    }
    let children = app.get(&format!("/api/v1/org-units/{}/children", f.unit("county_a")), &sup).await.expect(200);
    assert_eq!(ids(&children), unit_ids(&f, &["town_a1", "town_a2"]));
    for name in ["worker_a2", "worker_v_a1", "admin_a"] {
        app.get(&format!("/api/v1/users/{}", f.user(name)), &sup).await.expect(200);
    }

    let random = app.get(&format!("/api/v1/org-units/{}", Uuid::now_v7()), &sup).await;
    for name in ["root", "county_b", "town_b1", "town_b2", "village_b1"] {
        assert_hidden(&app.get(&format!("/api/v1/org-units/{}", f.unit(name)), &sup).await, &random, name);
        assert_hidden(&app.get(&format!("/api/v1/org-units/{}/children", f.unit(name)), &sup).await, &random, name);
    }
    for name in ["admin_root", "admin_b", "sup_b", "worker_b1"] {
        assert_hidden(&app.get(&format!("/api/v1/users/{}", f.user(name)), &sup).await, &random, name);
    }
    assert!(ids(&app.get(&format!("/api/v1/users?org_unit_id={}", f.unit("town_b1")), &sup).await.expect(200)).is_empty());
    assert!(ids(&app.get("/api/v1/org-units?q=county_b", &sup).await.expect(200)).is_empty());
}

#[actix_web::test]
async fn an_admin_cannot_touch_the_other_county() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    let versions = "SELECT (SELECT sum(version) FROM org_units) + (SELECT sum(version) FROM users)";
    let before = app.sql_i64(versions).await;
    let units_before = app.sql_i64("SELECT count(*) FROM org_units").await;

    let random = app.patch(&format!("/api/v1/org-units/{}", Uuid::now_v7()), &admin, "\"1\"", json!({"name": "改名"})).await;
    assert_eq!(random.status.as_u16(), 404);
    for name in ["county_b", "town_b1", "village_b1", "root"] {
        let res = app.patch(&format!("/api/v1/org-units/{}", f.unit(name)), &admin, "\"1\"", json!({"name": "改名"})).await;
        assert_hidden(&res, &random, name);
        // Even a body that would be refused is answered with the same 404 first.
        let res = app
            .patch(&format!("/api/v1/org-units/{}", f.unit(name)), &admin, "\"1\"", json!({"parent_id": f.unit("county_a")}))
            .await;
        assert_hidden(&res, &random, name);
    }
    let random_user = app.patch(&format!("/api/v1/users/{}", Uuid::now_v7()), &admin, "\"1\"", json!({"is_active": false})).await;
    for name in ["worker_b1", "admin_b", "sup_b", "admin_root"] {
        let path = format!("/api/v1/users/{}", f.user(name));
        assert_hidden(&app.patch(&path, &admin, "\"1\"", json!({"is_active": false})).await, &random_user, name);
        assert_hidden(&app.patch(&path, &admin, "\"1\"", json!({"org_unit_id": f.unit("town_a1")})).await, &random_user, name);
        let res = app.post(&format!("{path}/reset-password"), &admin, json!({"new_password": "Taken-Over-2026"})).await;
        assert_hidden(&res, &random_user, &format!("{name} reset"));
    }
    // Creating under a unit of the other county (or above one's own) is a 422 on parent_id.
    for name in ["county_b", "town_b1", "root"] {
        let tier = match name {
            "county_b" => "township",
            "town_b1" => "village",
            _ => "county",
        };
        let res =
            app.post("/api/v1/org-units", &admin, json!({"parent_id": f.unit(name), "tier": tier, "name": "越权单位"})).await;
        assert_eq!(res.status.as_u16(), 422, "{name}: {}", res.text);
        assert_eq!(res.body["errors"][0]["field"], "parent_id");
    }
    assert_eq!(app.sql_i64(versions).await, before, "no row changed");
    assert_eq!(app.sql_i64("SELECT count(*) FROM org_units").await, units_before, "nothing created");
    assert_eq!(app.sql_i64("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NOT NULL").await, 0);
    // Their tokens still work, and the password is the old one.
    app.token("worker_b1").await;
    app.token("admin_b").await;
}

#[actix_web::test]
async fn list_totals_equal_a_plain_sql_count_over_each_callers_subtree() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    // Some more rows, so that the counts are not all tiny.
    let root = app.token("admin_root").await;
    for (parent, tier, name) in
        [("county_b", "township", "乙县新镇"), ("town_a2", "village", "甲县新村"), ("root", "county", "丙县")]
    {
        app.post("/api/v1/org-units", &root, json!({"parent_id": f.unit(parent), "tier": tier, "name": name})).await.expect(201);
    }
    for username in f.users.keys() {
        let token = app.token(username).await;
        let units = app.get("/api/v1/org-units?limit=200", &token).await.expect(200);
        let expected = sql_ids(&app, &format!("SELECT u.id FROM org_units u WHERE {}", subtree_of(username))).await;
        assert!(!expected.is_empty());
        assert_eq!(ids(&units), expected, "{username}: units");
        assert_eq!(
            units.body["items"].as_array().expect("items").len() as i64,
            app.sql_i64(&format!("SELECT count(*) FROM org_units u WHERE {}", subtree_of(username))).await,
            "{username}: no duplicates"
        );
        let users = app.get("/api/v1/users?limit=200", &token).await.expect(200);
        let expected = sql_ids(
            &app,
            &format!("SELECT s.id FROM users s JOIN org_units u ON u.id = s.org_unit_id WHERE {}", subtree_of(username)),
        )
        .await;
        assert_eq!(ids(&users), expected, "{username}: users");
        assert!(expected.contains(&f.user(username).to_string()), "everyone sees themself");
    }
}

#[actix_web::test]
async fn out_of_scope_ids_in_paths_are_hidden_for_every_method() {
    // A worker probing the other branch with every kind of request learns nothing: reads are 404,
    // writes they may not do at all are 403 before any lookup (so no existence leaks either way).
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let outside = f.unit("town_b1");
    let missing = Uuid::now_v7();
    for (method, template, body) in [
        (Method::PATCH, "/api/v1/org-units/{}", json!({"name": "x"})),
        (Method::PATCH, "/api/v1/users/{}", json!({"display_name": "x"})),
        (Method::POST, "/api/v1/users/{}/reset-password", json!({"new_password": "Taken-Over-2026"})),
    ] {
        let on = |id: Uuid| template.replace("{}", &id.to_string());
        let target = if template.contains("users") { f.user("worker_b1") } else { outside };
        let a = app.send(method.clone(), &on(target), Some(&worker), Some(&body), &[("If-Match", "\"1\"")]).await;
        let b = app.send(method.clone(), &on(missing), Some(&worker), Some(&body), &[("If-Match", "\"1\"")]).await;
        assert_eq!(a.status.as_u16(), 403, "{method} {template}: {}", a.text);
        assert_eq!(a.text, b.text, "{method} {template}");
    }
    assert_eq!(app.sql_i64("SELECT count(*) FROM org_units WHERE version <> 1").await, 0);
    assert_eq!(app.sql_i64("SELECT count(*) FROM users WHERE version <> 1").await, 0);
}

#[actix_web::test]
async fn user_pages_cover_the_scope_exactly_once() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let admin = app.token("admin_a").await;
    // Names that sort differently by bytes and by collation, in and out of scope.
    for (name, unit) in [("Zeta.W", "town_a1"), ("alpha_w", "village_a1"), ("Alpha-w2", "town_a2"), ("mid.w", "county_a")] {
        let body = json!({"username": name, "display_name": "分页", "org_unit_id": f.unit(unit), "role": "worker", "password": "Paging-Pass-2026"});
        app.post("/api/v1/users", &admin, body).await.expect(201);
    }
    let root = app.token("admin_root").await;
    let body = json!({"username": "beta.b", "display_name": "分页", "org_unit_id": f.unit("town_b2"), "role": "worker", "password": "Paging-Pass-2026"});
    app.post("/api/v1/users", &root, body).await.expect(201);

    let expected = sql_ids(
        &app,
        &format!("SELECT s.id FROM users s JOIN org_units u ON u.id = s.org_unit_id WHERE {}", subtree_of("admin_a")),
    )
    .await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=2".to_owned();
    loop {
        let res = app.get(&path, &admin).await.expect(200);
        let items = res.body["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|i| i["id"].as_str().expect("id").to_owned()));
        match res.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/users?limit=2&cursor={c}"),
            None => break,
        }
    }
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no user twice");
    assert_eq!(unique, expected, "every user of the subtree once, nobody else");
}

#[actix_web::test]
async fn rosters_visits_and_alerts_of_another_branch_do_not_exist() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker_b = app.token("worker_b1").await;
    // County b's field work: a client on a roster, a visit with an urgent report, unit intervals.
    let body = json!({"org_unit_id": f.unit("town_b1"), "name": "乙县对象", "id_type": "none"});
    let client = app.post("/api/v1/clients", &worker_b, body).await.expect(201).id();
    let entry = app
        .post("/api/v1/roster-entries", &worker_b, json!({"client_id": client, "programme": "elder_care", "level": "green"}))
        .await
        .expect(201)
        .id();
    let visit = json!({"method": "visit", "occurred_at": "2026-01-05T02:00:00Z", "duration_minutes": 30, "client_ids": [client],
                       "mode": "home_visit", "action": "urgent_report", "findings": "独居老人生病"});
    let visit_id = app.post("/api/v1/sessions", &worker_b, visit).await.expect(201).id();
    let alert = app.db.query_text(&format!("SELECT id::text FROM supervisor_alerts WHERE session_id = '{visit_id}'")).await;
    let sup_b = app.token("sup_b").await;
    let intervals = json!({"red": 7, "yellow": 14, "blue": 30, "green": 60});
    let town_b = f.unit("town_b1");
    app.send(
        Method::PUT,
        &format!("/api/v1/org-units/{town_b}/visit-intervals"),
        Some(&sup_b),
        Some(&intervals),
        &[("If-Match", "\"0\"")],
    )
    .await
    .expect(200);
    let before = app
        .sql_i64(
            "SELECT (SELECT sum(version) FROM roster_entries) + (SELECT sum(version) FROM supervisor_alerts) \
             + (SELECT sum(version) FROM unit_visit_intervals) + (SELECT count(*) FROM service_sessions) + (SELECT count(*) FROM roster_level_events)",
        )
        .await;

    for username in ["worker_a1", "sup_a", "admin_a"] {
        let token = app.token(username).await;
        let random = app.get(&format!("/api/v1/roster-entries/{}", Uuid::now_v7()), &token).await;
        assert_hidden(&app.get(&format!("/api/v1/roster-entries/{entry}"), &token).await, &random, "entry");
        assert_hidden(&app.get(&format!("/api/v1/org-units/{town_b}/visit-intervals"), &token).await, &random, "intervals");
        assert_hidden(&app.get(&format!("/api/v1/sessions/{visit_id}"), &token).await, &random, "visit");
        for list in
            ["/api/v1/roster-entries", "/api/v1/roster-entries?status=left", "/api/v1/alerts", "/api/v1/sessions?method=visit"]
        {
            assert!(ids(&app.get(list, &token).await.expect(200)).is_empty(), "{username}: {list}");
        }
        let filtered = format!("/api/v1/roster-entries?org_unit_id={town_b}&responsible={}", f.user("worker_b1"));
        assert!(ids(&app.get(&filtered, &token).await.expect(200)).is_empty(), "{username}: filters never widen");
        // Writes naming the other branch's records find nothing (or are not the role's to make).
        let expect = if username == "admin_a" { 403 } else { 404 };
        for (method, path, body) in [
            (Method::PATCH, format!("/api/v1/roster-entries/{entry}"), json!({"notes": "x"})),
            (Method::POST, format!("/api/v1/roster-entries/{entry}/leave"), json!({"reason": "relocated"})),
            (Method::POST, format!("/api/v1/roster-entries/{entry}/rerate"), json!({"level": "blue"})),
            (Method::POST, format!("/api/v1/roster-entries/{entry}/proposal"), json!({"decision": "reject"})),
        ] {
            let res = app.send(method.clone(), &path, Some(&token), Some(&body), &[("If-Match", "\"1\"")]).await;
            assert_eq!(res.status.as_u16(), expect, "{username} {method} {path}: {}", res.text);
        }
        let ack = app.post(&format!("/api/v1/alerts/{alert}/acknowledge"), &token, json!({"note": "x"})).await;
        assert_eq!(ack.status.as_u16(), if username == "sup_a" { 404 } else { 403 }, "{username}: {}", ack.text);
        let put = app
            .send(
                Method::PUT,
                &format!("/api/v1/org-units/{town_b}/visit-intervals"),
                Some(&token),
                Some(&intervals),
                &[("If-Match", "\"1\"")],
            )
            .await;
        assert_eq!(put.status.as_u16(), if username == "worker_a1" { 403 } else { 404 }, "{username}: {}", put.text);
    }
    // A visit or an enrolment naming the other branch's client is refused with the field named.
    let worker = app.token("worker_a1").await;
    let visit = json!({"method": "visit", "occurred_at": "2026-01-05T02:00:00Z", "duration_minutes": 30, "client_ids": [client], "mode": "phone"});
    let res = app.post("/api/v1/sessions", &worker, visit).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "client_ids[0]");
    let res =
        app.post("/api/v1/roster-entries", &worker, json!({"client_id": client, "programme": "other", "level": "green"})).await;
    assert_eq!(res.expect(422).body["errors"][0]["field"], "client_id");
    let after = app
        .sql_i64(
            "SELECT (SELECT sum(version) FROM roster_entries) + (SELECT sum(version) FROM supervisor_alerts) \
             + (SELECT sum(version) FROM unit_visit_intervals) + (SELECT count(*) FROM service_sessions) + (SELECT count(*) FROM roster_level_events)",
        )
        .await;
    assert_eq!(after, before, "nothing changed");
    // Every probe was recorded, with who and what, and reads the same for a made-up id.
    let probes = |who: &str, path: String| {
        format!(
            "SELECT count(*) FROM audit_events WHERE action = 'access.not_found' AND outcome = 'denied' AND username = '{who}' \
             AND details->>'path' = '{path}' AND details->>'method' IN ('GET', 'POST')"
        )
    };
    assert_eq!(app.sql_i64(&probes("worker_a1", format!("/api/v1/roster-entries/{entry}/rerate"))).await, 1);
    assert_eq!(
        app.sql_i64(&probes("sup_a", format!("/api/v1/roster-entries/{entry}"))).await,
        1,
        "the GET (the PATCH is a PATCH)"
    );
    assert_eq!(app.sql_i64(&probes("sup_a", format!("/api/v1/alerts/{alert}/acknowledge"))).await, 1);
    assert_eq!(app.sql_i64(&probes("admin_a", format!("/api/v1/sessions/{visit_id}"))).await, 1);
    // Their own supervisor sees it all.
    assert_eq!(ids(&app.get("/api/v1/roster-entries", &sup_b).await.expect(200)).len(), 1);
    assert_eq!(ids(&app.get("/api/v1/alerts", &sup_b).await.expect(200)), BTreeSet::from([alert]));
}
