//! The scoped lists at the scale of a county: newest first across every unit of the subtree,
//! page by page, with and without filters, equal to a plain query over the same subtree.

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
    format!("org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = '{}') || '%')", f.unit(unit))
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
