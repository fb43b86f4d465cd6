//! The client registry: validation, de-duplication, masking, audit, search, scope, households.

use reqwest::Method;
use serde_json::{json, Value};
use shegong::domain::id_number::check_char_for;

use crate::helpers::{Fixture, TestApp};

/// A valid resident ID for a region, birth date (YYYYMMDD) and sequence (odd = male).
fn resident_id(region: &str, birth: &str, seq: u32) -> String {
    let body = format!("{region}{birth}{seq:03}");
    format!("{body}{}", check_char_for(&body).expect("17 digits"))
}

fn adult(f: &Fixture, name: &str, id_number: &str) -> Value {
    json!({
        "org_unit_id": f.unit("town_a1"),
        "name": name,
        "id_type": "resident_id",
        "id_number": id_number,
        "phone": "138 0000 5678",
        "categories": ["dibao"],
    })
}

async fn setup() -> (TestApp, Fixture, String) {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    (app, f, worker)
}

#[actix_web::test]
async fn registration_derives_identity_and_masks_lists() {
    let (app, f, worker) = setup().await;
    let res = app.post("/api/v1/clients", &worker, adult(&f, "李秀英", "11010519491231002x")).await.expect(201);
    assert_eq!(res.body["id_number"], "11010519491231002X", "normalised");
    assert_eq!(res.body["gender"], "female");
    assert_eq!(res.body["birth_date"], "1949-12-31");
    assert_eq!(res.body["phone"], "13800005678");
    assert!(res.header("etag").is_some() && res.header("location").is_some());
    let id = res.id();

    let list = app.get("/api/v1/clients", &worker).await.expect(200);
    let item = &list.body["items"][0];
    assert_eq!(item["id_number_masked"], "110105********002X");
    assert_eq!(item["phone_masked"], "138****5678");
    assert!(!list.text.contains("11010519491231002X") && !list.text.contains("13800005678"), "lists never show whole numbers");

    let before =
        app.sql_i64(&format!("SELECT count(*) FROM audit_events WHERE action = 'client.read' AND entity_id = '{id}'")).await;
    let detail = app.get(&format!("/api/v1/clients/{id}"), &worker).await.expect(200);
    assert_eq!(detail.body["id_number"], "11010519491231002X");
    assert_eq!(detail.body["phone"], "13800005678");
    let after = app
        .sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE action = 'client.read' AND entity_id = '{id}' AND user_id = '{}'",
            f.user("worker_a1")
        ))
        .await;
    assert_eq!(after, before + 1, "a detail read leaves one audit event");
}

#[actix_web::test]
async fn invalid_identity_and_cross_field_rules_name_the_field() {
    let (app, f, worker) = setup().await;
    let bad_check = app.post("/api/v1/clients", &worker, adult(&f, "张三", "340524198001010013")).await.expect(422);
    assert_eq!(bad_check.body["errors"][0]["field"], "id_number");
    assert_eq!(bad_check.body["errors"][0]["code"], "invalid_check_digit");

    let mut body = adult(&f, "张三", "11010519491231002X");
    body["birth_date"] = json!("1950-01-01");
    body["gender"] = json!("male");
    let res = app.post("/api/v1/clients", &worker, body).await.expect(422);
    let fields: Vec<&str> = res.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["birth_date", "gender"]);

    // A left-behind child must be under 16 and have a guardian.
    let child_id = resident_id("640502", "20150601", 123);
    let child = json!({"org_unit_id": f.unit("town_a1"), "name": "小明", "id_type": "resident_id", "id_number": child_id, "categories": ["left_behind_child"]});
    let res = app.post("/api/v1/clients", &worker, child.clone()).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "guardian");
    let mut with_guardian = child.clone();
    with_guardian["guardian"] = json!({"name": "王桂兰", "relation": "祖母", "phone": "13995512345"});
    app.post("/api/v1/clients", &worker, with_guardian).await.expect(201);

    let mut elder_child = adult(&f, "小红", &resident_id("640502", "20100101", 222));
    elder_child["categories"] = json!(["empty_nest_elder"]);
    elder_child["guardian"] = json!({"name": "监护人"});
    let res = app.post("/api/v1/clients", &worker, elder_child).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "categories");
    assert_eq!(res.body["errors"][0]["code"], "age_must_be_60_or_over");

    let en = app
        .send(
            Method::POST,
            "/api/v1/clients",
            Some(&worker),
            Some(&adult(&f, "张三", "340524198001010013")),
            &[("Accept-Language", "en")],
        )
        .await;
    assert!(en.body["errors"][0]["message"].as_str().expect("message").is_ascii());

    let none_with_number = json!({"org_unit_id": f.unit("town_a1"), "name": "无证", "id_type": "none", "id_number": "123456"});
    assert_eq!(app.post("/api/v1/clients", &worker, none_with_number).await.expect(422).body["errors"][0]["field"], "id_number");
    let too_many =
        json!({"org_unit_id": f.unit("town_a1"), "name": "多", "id_type": "none", "categories": vec!["dibao"; 10_000]});
    app.post("/api/v1/clients", &worker, too_many).await.expect(422);
    assert_eq!(app.sql_i64("SELECT count(*) FROM clients").await, 1, "only the valid child was written");
}

#[actix_web::test]
async fn duplicates_inside_and_outside_scope() {
    let (app, f, worker) = setup().await;
    let id_number = resident_id("640502", "19800101", 135);
    let first = app.post("/api/v1/clients", &worker, adult(&f, "马文", &id_number)).await.expect(201);
    let inside = app.post("/api/v1/clients", &worker, adult(&f, "马文", &id_number)).await.expect(409);
    assert_eq!(inside.body["existing_id"], first.body["id"]);

    let other = app.token("worker_b1").await;
    let mut body = adult(&f, "马文", &id_number);
    body["org_unit_id"] = json!(f.unit("town_b1"));
    let outside = app.post("/api/v1/clients", &other, body).await.expect(409);
    assert!(outside.body.get("existing_id").is_none(), "nothing leaks across branches: {}", outside.text);

    // A client-chosen id twice is one client.
    let id = uuid::Uuid::now_v7();
    let mut body = adult(&f, "离线登记", &resident_id("640502", "19700101", 246));
    body["id"] = json!(id);
    app.post("/api/v1/clients", &worker, body.clone()).await.expect(201);
    let again = app.post("/api/v1/clients", &worker, body).await.expect(200);
    assert_eq!(again.id(), id.to_string());
    assert_eq!(app.sql_i64(&format!("SELECT count(*) FROM clients WHERE id = '{id}'")).await, 1);
}

#[actix_web::test]
async fn search_by_name_phone_id_category_risk_and_unit() {
    let (app, f, worker) = setup().await;
    let mut a = adult(&f, "王小芳", &resident_id("640502", "19600101", 246));
    a["phone"] = json!("13912345678");
    a["categories"] = json!(["left_behind_elder", "dibao"]);
    a["risk_level"] = json!("red");
    app.post("/api/v1/clients", &worker, a).await.expect(201);
    let mut b = adult(&f, "李芳", &resident_id("640502", "19900101", 111));
    b["org_unit_id"] = json!(f.unit("village_a1"));
    app.post("/api/v1/clients", &worker, b).await.expect(201);
    app.post("/api/v1/clients", &worker, adult(&f, "张伟", &resident_id("640502", "19850101", 333))).await.expect(201);

    let names = |res: &crate::helpers::Res| -> Vec<String> {
        let mut v: Vec<String> =
            res.body["items"].as_array().expect("items").iter().map(|i| i["name"].as_str().expect("name").to_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(names(&app.get("/api/v1/clients?q=芳", &worker).await.expect(200)), vec!["李芳", "王小芳"]);
    assert_eq!(names(&app.get("/api/v1/clients?q=小芳", &worker).await.expect(200)), vec!["王小芳"]);
    assert_eq!(names(&app.get("/api/v1/clients?q=%E7%8E%8B%E5%B0%8F%E8%8A%B3", &worker).await.expect(200)), vec!["王小芳"]);
    assert!(names(&app.get("/api/v1/clients?q=芳小", &worker).await.expect(200)).is_empty());
    assert_eq!(names(&app.get("/api/v1/clients?q=139-1234-5678", &worker).await.expect(200)), vec!["王小芳"]);
    let id = resident_id("640502", "19850101", 333);
    assert_eq!(names(&app.get(&format!("/api/v1/clients?q={id}"), &worker).await.expect(200)), vec!["张伟"]);
    assert_eq!(names(&app.get("/api/v1/clients?category=left_behind_elder", &worker).await.expect(200)), vec!["王小芳"]);
    assert_eq!(names(&app.get("/api/v1/clients?risk_level=red", &worker).await.expect(200)), vec!["王小芳"]);
    assert_eq!(
        names(&app.get(&format!("/api/v1/clients?org_unit_id={}", f.unit("village_a1")), &worker).await.expect(200)),
        vec!["李芳"]
    );
    assert!(names(&app.get(&format!("/api/v1/clients?org_unit_id={}", f.unit("town_b1")), &worker).await.expect(200)).is_empty());
    app.get("/api/v1/clients?category=nonsense", &worker).await.expect(400);

    // Pages of one walk every client once.
    let mut seen = 0;
    let mut path = "/api/v1/clients?limit=1".to_owned();
    loop {
        let res = app.get(&path, &worker).await.expect(200);
        seen += res.body["items"].as_array().expect("items").len();
        match res.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/clients?limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, 3);
}

#[actix_web::test]
async fn other_branches_see_nothing() {
    let (app, f, worker) = setup().await;
    let id =
        app.post("/api/v1/clients", &worker, adult(&f, "赵敏", &resident_id("640502", "19750101", 555))).await.expect(201).id();
    let etag = "\"1\"";
    for who in ["worker_a2", "worker_b1", "sup_b"] {
        let token = app.token(who).await;
        let random = uuid::Uuid::now_v7();
        for (method, suffix) in [(Method::GET, ""), (Method::GET, "/timeline"), (Method::PATCH, ""), (Method::DELETE, "")] {
            let body = (method == Method::PATCH).then(|| json!({"name": "改名"}));
            let ours = app
                .send(
                    method.clone(),
                    &format!("/api/v1/clients/{id}{suffix}"),
                    Some(&token),
                    body.as_ref(),
                    &[("If-Match", etag)],
                )
                .await;
            let missing = app
                .send(
                    method.clone(),
                    &format!("/api/v1/clients/{random}{suffix}"),
                    Some(&token),
                    body.as_ref(),
                    &[("If-Match", etag)],
                )
                .await;
            if who == "sup_b" || method != Method::DELETE {
                assert_eq!(ours.status.as_u16(), 404, "{who} {method} {suffix}: {}", ours.text);
            }
            assert_eq!(ours.status, missing.status, "{who} {method} {suffix}");
            assert_eq!(ours.text, missing.text, "{who} {method} {suffix}: identical to a missing id");
        }
        let list = app.get("/api/v1/clients", &token).await.expect(200);
        assert!(list.body["items"].as_array().expect("items").is_empty(), "{who} lists nothing of town_a1");
    }
    assert_eq!(
        app.sql_i64(&format!("SELECT count(*) FROM clients WHERE id = '{id}' AND version = 1 AND deleted_at IS NULL")).await,
        1
    );
    // The county supervisor above sees it.
    let sup = app.token("sup_a").await;
    app.get(&format!("/api/v1/clients/{id}"), &sup).await.expect(200);
}

#[actix_web::test]
async fn updates_need_if_match_and_refuse_mass_assignment() {
    let (app, f, worker) = setup().await;
    let created =
        app.post("/api/v1/clients", &worker, adult(&f, "周芳", &resident_id("640502", "19700101", 777))).await.expect(201);
    let id = created.id();
    let path = format!("/api/v1/clients/{id}");
    app.send(Method::PATCH, &path, Some(&worker), Some(&json!({"name": "周芳芳"})), &[]).await.expect(428);
    app.patch(&path, &worker, "\"7\"", json!({"name": "周芳芳"})).await.expect(412);
    for forbidden in [
        json!({"org_unit_id": f.unit("town_a2")}),
        json!({"version": 9}),
        json!({"created_by": f.user("worker_a2")}),
        json!({"worker_id": f.user("worker_a2")}),
        json!({"status": "closed"}),
        json!({"deleted_at": null}),
    ] {
        let res = app.patch(&path, &worker, "\"1\"", forbidden.clone()).await.expect(422);
        assert_eq!(res.body["errors"][0]["code"], "unknown_field", "{forbidden}");
    }
    let res =
        app.patch(&path, &worker, "\"1\"", json!({"phone": null, "risk_level": "yellow", "notes": "家访记录"})).await.expect(200);
    assert_eq!(res.body["phone"], Value::Null);
    assert_eq!(res.body["risk_level"], "yellow");
    assert_eq!(res.body["version"], 2);
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    // The merged record is validated as a whole: an elder category on a 56-year-old is refused.
    let res = app.patch(&path, &worker, "\"2\"", json!({"categories": ["empty_nest_elder"]})).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "categories");
    assert_eq!(app.sql_i64(&format!("SELECT version::bigint FROM clients WHERE id = '{id}'")).await, 2);
    let audit =
        app.sql_i64(&format!("SELECT count(*) FROM audit_events WHERE action = 'client.update' AND entity_id = '{id}'")).await;
    assert_eq!(audit, 1);
}

#[actix_web::test]
async fn soft_delete_by_supervisor_only() {
    let (app, f, worker) = setup().await;
    let id =
        app.post("/api/v1/clients", &worker, adult(&f, "钱多", &resident_id("640502", "19700101", 999))).await.expect(201).id();
    app.send(Method::DELETE, &format!("/api/v1/clients/{id}"), Some(&worker), None, &[]).await.expect(403);
    let admin = app.token("admin_a").await;
    app.send(Method::DELETE, &format!("/api/v1/clients/{id}"), Some(&admin), None, &[]).await.expect(403);
    let sup = app.token("sup_a1").await;
    app.send(Method::DELETE, &format!("/api/v1/clients/{id}"), Some(&sup), None, &[]).await.expect(204);
    app.get(&format!("/api/v1/clients/{id}"), &sup).await.expect(404);
    assert!(app.get("/api/v1/clients", &sup).await.expect(200).body["items"].as_array().expect("items").is_empty());
    assert_eq!(app.sql_i64(&format!("SELECT count(*) FROM clients WHERE id = '{id}' AND deleted_at IS NOT NULL")).await, 1);
    // The document may be registered again once the old record is deleted.
    app.post("/api/v1/clients", &worker, adult(&f, "钱多", &resident_id("640502", "19700101", 999))).await.expect(201);
    // Admins register no clients.
    app.post("/api/v1/clients", &admin, adult(&f, "管理员", &resident_id("640502", "19700101", 888))).await.expect(403);
}

#[actix_web::test]
async fn households_and_timeline() {
    let (app, f, worker) = setup().await;
    let head =
        app.post("/api/v1/clients", &worker, adult(&f, "户主", &resident_id("640502", "19600101", 111))).await.expect(201).id();
    let spouse =
        app.post("/api/v1/clients", &worker, adult(&f, "配偶", &resident_id("640502", "19620101", 222))).await.expect(201).id();
    let household = app
        .post("/api/v1/households", &worker, json!({"org_unit_id": f.unit("town_a1"), "address": "滨河镇黄河村 3 组"}))
        .await
        .expect(201)
        .id();
    let res = app
        .send_current(
            Method::PUT,
            &format!("/api/v1/households/{household}/members"),
            &worker,
            ("households", &household),
            json!({"members": [{"client_id": head, "relation": "self"}, {"client_id": spouse, "relation": "spouse"}]}),
        )
        .await
        .expect(200);
    assert_eq!(res.body["members"].as_array().expect("members").len(), 2);
    let detail = app.get(&format!("/api/v1/clients/{spouse}"), &worker).await.expect(200);
    assert_eq!(detail.body["household"]["id"], json!(household));
    assert_eq!(detail.body["household"]["members"].as_array().expect("members").len(), 2);

    // A member outside the scope is refused and nothing changes.
    let other = app.token("worker_b1").await;
    let mut b = adult(&f, "外人", &resident_id("640502", "19600101", 333));
    b["org_unit_id"] = json!(f.unit("town_b1"));
    let outsider = app.post("/api/v1/clients", &other, b).await.expect(201).id();
    let res = app
        .send_current(
            Method::PUT,
            &format!("/api/v1/households/{household}/members"),
            &worker,
            ("households", &household),
            json!({"members": [{"client_id": head, "relation": "self"}, {"client_id": outsider, "relation": "other"}]}),
        )
        .await
        .expect(422);
    assert_eq!(res.body["errors"][0]["field"], "members[1].client_id");
    assert_eq!(app.sql_i64(&format!("SELECT count(*) FROM household_members WHERE household_id = '{household}'")).await, 2);
    app.get(&format!("/api/v1/households/{household}"), &other).await.expect(404);

    app.patch(&format!("/api/v1/clients/{head}"), &worker, "\"1\"", json!({"notes": "低保复核"})).await.expect(200);
    let timeline = app.get(&format!("/api/v1/clients/{head}/timeline"), &worker).await.expect(200);
    let kinds: Vec<&str> = timeline.body["items"].as_array().expect("items").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, vec!["client.updated", "household.changed", "client.registered"], "newest first");
}
