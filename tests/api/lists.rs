//! The scoped lists at the scale of a county (clients, cases, sessions, audit events): newest
//! first across every unit of the subtree, page by page, with and without filters, equal to a
//! plain query over the same subtree.

use reqwest::Method;
use serde_json::json;
use shegong::domain::id_number::check_char_for;

use crate::helpers::{Fixture, Res, TestApp};

fn resident_id(seq: u32) -> String {
    let body = format!("640502{}{seq:03}", if seq % 2 == 0 { "19600101" } else { "19610202" });
    format!("{body}{}", check_char_for(&body).expect("17 digits"))
}

fn ids(res: &Res) -> Vec<String> {
    res.body["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_owned()).collect()
}

/// Every page of `path` (which has a `?`), `limit` at a time.
async fn walk(app: &TestApp, token: &str, path: &str, limit: u32) -> Vec<String> {
    let mut seen = Vec::new();
    let mut url = format!("{path}&limit={limit}");
    loop {
        let res = app.get(&url, token).await.expect(200);
        let page = ids(&res);
        assert!(page.len() <= limit as usize);
        seen.extend(page);
        match res.body["next_cursor"].as_str() {
            Some(c) => url = format!("{path}&limit={limit}&cursor={c}"),
            None => break,
        }
    }
    seen
}

async fn plain(app: &TestApp, sql: &str) -> Vec<String> {
    let conn = app.db.connect().await;
    conn.query(sql, &[]).await.expect("query").iter().map(|r| r.get::<_, uuid::Uuid>(0).to_string()).collect()
}

fn subtree(f: &Fixture, unit: &str) -> String {
    format!(
        "org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = '{}') || '%')",
        f.unit(unit)
    )
}

#[actix_web::test]
async fn county_lists_walk_every_unit_newest_first() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let tokens = [
        ("town_a1", app.token("worker_a1").await),
        ("village_a1", app.token("worker_v_a1").await),
        ("town_a2", app.token("worker_a2").await),
        ("town_b1", app.token("worker_b1").await),
    ];
    // Clients registered in turn across four units, so that each unit's newest are interleaved
    // with the others'; a third of them have a case.
    let names = ["王建国", "李秀英", "张伟", "王芳", "马春梅", "海小龙"];
    for seq in 0..36u32 {
        let (unit, token) = &tokens[seq as usize % tokens.len()];
        let body = json!({"org_unit_id": f.unit(unit), "name": names[seq as usize % names.len()], "id_type": "resident_id",
                          "id_number": resident_id(seq), "categories": [if seq % 2 == 0 { "dibao" } else { "left_behind_elder" }],
                          "risk_level": if seq % 5 == 0 { "red" } else { "green" }});
        let client = app.post("/api/v1/clients", token, body).await.expect(201).id();
        if seq % 3 == 0 {
            let case = json!({"client_id": client, "org_unit_id": f.unit(unit), "source": "screening", "presenting_problem": "需要关注。",
                              "domain": "social_assistance", "risk_level": "yellow"});
            app.post("/api/v1/cases", token, case).await.expect(201);
        }
        // Sessions at five moments only, so that many share one and the order falls to their ids.
        let session = json!({"method": "community", "org_unit_id": f.unit(unit), "occurred_at": format!("2026-03-0{}T02:00:00Z", 1 + seq % 5),
                             "duration_minutes": 60, "title": format!("活动{seq}"), "kind": "event", "participant_count": 10});
        app.post("/api/v1/sessions", token, session).await.expect(201);
    }
    let sup = app.token("sup_a").await;
    let in_a = subtree(&f, "county_a");
    let live = "deleted_at IS NULL";

    let cases: Vec<(String, String)> = vec![
        ("/api/v1/clients?".into(), format!("SELECT id FROM clients WHERE {live} AND {in_a} ORDER BY id DESC")),
        ("/api/v1/clients?q=王".into(), format!("SELECT id FROM clients WHERE {live} AND {in_a} AND name LIKE '%王%' ORDER BY id DESC")),
        ("/api/v1/clients?category=dibao".into(), format!("SELECT id FROM clients WHERE {live} AND {in_a} AND 'dibao' = ANY(categories) ORDER BY id DESC")),
        ("/api/v1/clients?risk_level=red".into(), format!("SELECT id FROM clients WHERE {live} AND {in_a} AND risk_level = 'red' ORDER BY id DESC")),
        ("/api/v1/clients?has_open_case=true".into(), format!("SELECT id FROM clients c WHERE {live} AND {in_a} AND EXISTS (SELECT 1 FROM cases k WHERE k.client_id = c.id AND k.is_open) ORDER BY id DESC")),
        (
            format!("/api/v1/clients?org_unit_id={}", f.unit("town_a1")),
            format!("SELECT id FROM clients WHERE {live} AND {} ORDER BY id DESC", subtree(&f, "town_a1")),
        ),
        ("/api/v1/cases?".into(), format!("SELECT id FROM cases WHERE {in_a} ORDER BY id DESC")),
        ("/api/v1/cases?status=intake".into(), format!("SELECT id FROM cases WHERE {in_a} AND status = 'intake' ORDER BY id DESC")),
        (
            format!("/api/v1/cases?worker_id={}", f.user("worker_a2")),
            format!("SELECT id FROM cases WHERE {in_a} AND worker_id = '{}' ORDER BY id DESC", f.user("worker_a2")),
        ),
        ("/api/v1/sessions?".into(), format!("SELECT id FROM service_sessions WHERE {in_a} ORDER BY occurred_at DESC, id DESC")),
        (
            "/api/v1/sessions?method=community".into(),
            format!("SELECT id FROM service_sessions WHERE {in_a} AND method = 'community' ORDER BY occurred_at DESC, id DESC"),
        ),
        (
            format!("/api/v1/sessions?recorded_by={}", f.user("worker_a2")),
            format!("SELECT id FROM service_sessions WHERE {in_a} AND recorded_by = '{}' ORDER BY occurred_at DESC, id DESC", f.user("worker_a2")),
        ),
        (
            "/api/v1/sessions?from=2026-03-02T00:00:00Z&to=2026-03-04T02:00:00Z".into(),
            format!(
                "SELECT id FROM service_sessions WHERE {in_a} AND occurred_at >= '2026-03-02T00:00:00Z' AND occurred_at < '2026-03-04T02:00:00Z' \
                 ORDER BY occurred_at DESC, id DESC"
            ),
        ),
        (
            format!("/api/v1/sessions?org_unit_id={}", f.unit("town_a1")),
            format!("SELECT id FROM service_sessions WHERE {} ORDER BY occurred_at DESC, id DESC", subtree(&f, "town_a1")),
        ),
        ("/api/v1/audit-events?".into(), format!("SELECT id FROM audit_events WHERE {in_a} ORDER BY occurred_at DESC, id DESC")),
        (
            "/api/v1/audit-events?entity_type=client".into(),
            format!("SELECT id FROM audit_events WHERE {in_a} AND entity_type = 'client' ORDER BY occurred_at DESC, id DESC"),
        ),
        (
            format!("/api/v1/audit-events?user_id={}", f.user("worker_a2")),
            format!("SELECT id FROM audit_events WHERE {in_a} AND user_id = '{}' ORDER BY occurred_at DESC, id DESC", f.user("worker_a2")),
        ),
    ];
    for (path, sql) in &cases {
        let expected = plain(&app, sql).await;
        assert!(!expected.is_empty(), "{path} has something to find");
        for limit in [1, 4, 50] {
            assert_eq!(walk(&app, &sup, path, limit).await, expected, "{path} in pages of {limit}");
        }
    }
    // Nothing of county_b, and a soft-deleted client drops out of every page.
    let all = walk(&app, &sup, "/api/v1/clients?", 7).await;
    assert_eq!(all.len(), 27, "three of the four units are county_a's");
    let gone = &all[3];
    app.send(Method::DELETE, &format!("/api/v1/clients/{gone}"), Some(&sup), None, &[]).await.expect(204);
    let after = walk(&app, &sup, "/api/v1/clients?", 7).await;
    assert_eq!(after.len(), 26);
    assert!(!after.contains(gone));
}

/// The grams a name search walks, as they should be: every 1- and 2-character piece of each
/// living client's lower-cased name, with the client's unit. Returns what differs either way.
async fn stray_grams(app: &TestApp) -> i64 {
    app.sql_i64(
        "SELECT count(*) FROM (
           (SELECT org_unit_id, g, id FROM clients, unnest(name_grams(name)) g WHERE deleted_at IS NULL
            EXCEPT ALL SELECT org_unit_id, gram, id FROM client_name_grams)
           UNION ALL
           (SELECT org_unit_id, gram, id FROM client_name_grams
            EXCEPT ALL SELECT org_unit_id, g, id FROM clients, unnest(name_grams(name)) g WHERE deleted_at IS NULL)) d",
    )
    .await
}

#[actix_web::test]
async fn name_search_pages_newest_first_and_follows_every_change() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let tokens = [
        ("town_a1", app.token("worker_a1").await),
        ("village_a1", app.token("worker_v_a1").await),
        ("town_a2", app.token("worker_a2").await),
    ];
    // Surnames shared across units, a given name that is also a piece of others, and a Latin name.
    let names = ["王芳", "王小芳", "李芳", "王建国", "张王氏", "Li Ming", "海小龙", "王秀英"];
    let mut ids = Vec::new();
    for seq in 0..40u32 {
        let (unit, token) = &tokens[seq as usize % tokens.len()];
        let body = json!({"org_unit_id": f.unit(unit), "name": names[seq as usize % names.len()], "id_type": "resident_id",
                          "id_number": resident_id(100 + seq), "categories": [if seq % 2 == 0 { "dibao" } else { "left_behind_elder" }],
                          "risk_level": if seq % 4 == 0 { "red" } else { "green" }});
        ids.push(app.post("/api/v1/clients", token, body).await.expect(201).id());
        if seq % 3 == 0 {
            let case = json!({"client_id": ids[ids.len() - 1], "org_unit_id": f.unit(unit), "source": "screening",
                              "presenting_problem": "需要关注。", "domain": "social_assistance", "risk_level": "yellow"});
            app.post("/api/v1/cases", token, case).await.expect(201);
        }
    }
    let sup = app.token("sup_a").await;
    let in_a = subtree(&f, "county_a");
    let check = |label: &'static str| {
        let (app, sup, in_a) = (&app, &sup, &in_a);
        async move {
            let searches = [
                ("王", "%王%", ""),
                ("小芳", "%小芳%", ""),
                ("王小芳", "%王小芳%", ""),
                ("王秀英", "%王秀英%", ""),
                ("芳", "%芳%", "&category=dibao"),
                ("王", "%王%", "&risk_level=red"),
                ("王", "%王%", "&has_open_case=true"),
                ("王", "%王%", "&has_open_case=false"),
                ("LI", "%li%", ""),
                ("i m", "%i m%", ""),
                ("芳小", "%芳小%", ""),
            ];
            for (q, like, more) in searches {
                let mut sql =
                    format!("SELECT id FROM clients c WHERE deleted_at IS NULL AND {in_a} AND lower(name) LIKE '{like}'");
                match more {
                    "&category=dibao" => sql += " AND 'dibao' = ANY(categories)",
                    "&risk_level=red" => sql += " AND risk_level = 'red'",
                    "&has_open_case=true" => sql += " AND EXISTS (SELECT 1 FROM cases k WHERE k.client_id = c.id AND k.is_open)",
                    "&has_open_case=false" => {
                        sql += " AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.client_id = c.id AND k.is_open)"
                    }
                    _ => {}
                }
                let expected = plain(app, &format!("{sql} ORDER BY id DESC")).await;
                let path = format!("/api/v1/clients?q={}{more}", q.replace(' ', "%20"));
                for limit in [1, 3, 50] {
                    assert_eq!(walk(app, sup, &path, limit).await, expected, "{label}: {path} in pages of {limit}");
                }
            }
            assert_eq!(stray_grams(app).await, 0, "{label}: the grams are those of the living clients");
        }
    };
    check("registered").await;
    assert_eq!(
        plain(&app, &format!("SELECT id FROM clients WHERE {in_a} AND name LIKE '%王%'")).await.len(),
        25,
        "something to find"
    );

    // A new name, and a name changed back and forth.
    let renamed = &ids[0];
    app.patch(&format!("/api/v1/clients/{renamed}"), &tokens[0].1, "\"1\"", json!({"name": "赵小芳"})).await.expect(200);
    let other = &ids[3];
    app.patch(&format!("/api/v1/clients/{other}"), &tokens[0].1, "\"1\"", json!({"name": "王建"})).await.expect(200);
    // An edit that leaves the name alone.
    app.patch(&format!("/api/v1/clients/{other}"), &tokens[0].1, "\"2\"", json!({"risk_level": "yellow"})).await.expect(200);
    check("renamed").await;
    // A client moved to another unit by hand (as a migration or an administrator's SQL would).
    app.sql(&format!("UPDATE clients SET org_unit_id = '{}' WHERE id = '{}'", f.unit("town_b1"), ids[6])).await;
    check("moved").await;
    // Deleted clients drop out; a hard delete too (of clients without a case).
    app.send(Method::DELETE, &format!("/api/v1/clients/{}", ids[10]), Some(&sup), None, &[]).await.expect(204);
    app.sql(&format!("DELETE FROM clients WHERE id = '{}'", ids[13])).await;
    check("deleted").await;
    // And come back when restored.
    app.sql(&format!("UPDATE clients SET deleted_at = NULL WHERE id = '{}'", ids[10])).await;
    check("restored").await;
}
