//! A create under a client-chosen id that exists (API.md, FIELDWORK.md §3): the same data again is
//! a replay (200, the stored record), other data is 409 `id_conflict` with the stored version and
//! record and nothing written, and an id taken outside the caller's scope is `id_taken` with no
//! details. Both are audited.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{consent, Fixture, TestApp};

fn with(body: &Value, extra: Value) -> Value {
    let mut body = body.clone();
    body.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
    body
}

/// Posts `body` with a fresh id, then: `same` (the same data, perhaps written differently) → 200
/// with the record; `other` → 409 `id_conflict` naming `field`, with nothing changed; the same id
/// from `outsider` (another branch) → 409 `id_taken` with no details. Checks the audit rows.
#[allow(clippy::too_many_arguments)]
async fn check(
    app: &TestApp,
    path: &str,
    table: &str,
    entity: &str,
    token: &str,
    outsider: &str,
    body: Value,
    same: Value,
    other: Value,
    field: &str,
) {
    let id = Uuid::now_v7().to_string();
    let first = app.post(path, token, with(&body, json!({"id": id}))).await.expect(201);
    let version = first.body["version"].clone();

    let replay = app.post(path, token, with(&with(&body, same), json!({"id": id}))).await.expect(200);
    assert_eq!(replay.body["id"], json!(id), "{entity}");
    assert_eq!(replay.body["version"], version, "{entity}");

    let before = app.sql_i64(&format!("SELECT count(*) FROM {table}")).await;
    let stored =
        app.sql_i64(&format!("SELECT coalesce((to_jsonb(t)->>'version')::bigint, 0) FROM {table} t WHERE id = '{id}'")).await;
    let res = app.post(path, token, with(&with(&body, other), json!({"id": id}))).await.expect(409);
    assert_eq!(res.body["code"], "id_conflict", "{entity}: {}", res.text);
    assert_eq!(res.body["version"], version, "{entity}");
    assert_eq!(res.body["current"]["id"], json!(id), "{entity}");
    assert!(res.body["fields"].as_array().expect("fields").contains(&json!(field)), "{entity}: {}", res.body["fields"]);
    assert_eq!(app.sql_i64(&format!("SELECT count(*) FROM {table}")).await, before, "{entity}");
    assert_eq!(
        app.sql_i64(&format!("SELECT coalesce((to_jsonb(t)->>'version')::bigint, 0) FROM {table} t WHERE id = '{id}'")).await,
        stored,
        "{entity}"
    );

    let res = app.post(path, outsider, with(&body, json!({"id": id}))).await;
    if res.status == 409 {
        assert_eq!(res.body["code"], "id_taken", "{entity}");
        assert!(res.body.get("current").is_none() && res.body.get("version").is_none(), "{entity}: {}", res.text);
    } else {
        // Another branch may not even name this record's unit or case: a 422 or 404 that tells
        // nothing either.
        assert!(res.status == 422 || res.status == 404, "{entity}: {}", res.text);
    }

    let audited =
        |action: &str| format!("SELECT count(*) FROM audit_events WHERE action = '{entity}.{action}' AND entity_id = '{id}'");
    assert_eq!(app.sql_i64(&audited("create_replayed")).await, 1, "{entity}");
    assert!(app.sql_i64(&audited("id_conflict")).await >= 1, "{entity}");
    let details = format!(
        "SELECT count(*) FROM audit_events WHERE action = '{entity}.id_conflict' AND entity_id = '{id}' \
         AND details->>'code' = 'id_conflict' AND details->'fields' ? '{field}' AND NOT details ? 'current'"
    );
    assert_eq!(app.sql_i64(&details).await, 1, "{entity}");
}

async fn setup() -> (TestApp, Fixture, String, String) {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let outsider = app.token("worker_b1").await;
    (app, f, worker, outsider)
}

async fn client(app: &TestApp, f: &Fixture, token: &str, name: &str) -> String {
    let body = json!({"org_unit_id": f.unit("town_a1"), "name": name, "id_type": "none", "consent": consent()});
    app.post("/api/v1/clients", token, body).await.expect(201).id()
}

#[actix_web::test]
async fn clients() {
    let (app, f, worker, outsider) = setup().await;
    let body = json!({"org_unit_id": f.unit("town_a1"), "name": "王小明", "id_type": "resident_id",
                      "id_number": "11010519491231002X", "phone": "13800000000"});
    // The same person written another way (spaces, a lower-case check digit) is the same data.
    let same = json!({"name": " 王小明 ", "id_number": "11010519491231002x"});
    let other = json!({"phone": "13900000000"});
    check(&app, "/api/v1/clients", "clients", "client", &worker, &outsider, body, same, other, "phone").await;
}

#[actix_web::test]
async fn households() {
    let (app, f, worker, outsider) = setup().await;
    let body = json!({"org_unit_id": f.unit("town_a1"), "address": "滨河村3组"});
    let other = json!({"address": "滨河村4组"});
    check(&app, "/api/v1/households", "households", "household", &worker, &outsider, body, json!({}), other, "address").await;
}

#[actix_web::test]
async fn cases() {
    let (app, f, worker, outsider) = setup().await;
    let person = client(&app, &f, &worker, "李大爷").await;
    let body = json!({"client_id": person, "org_unit_id": f.unit("town_a1"), "source": "outreach",
                      "presenting_problem": "独居老人，近期跌倒两次。", "domain": "elderly_care", "risk_level": "yellow",
                      "problem_types": ["独居"]});
    let same = json!({"presenting_problem": "独居老人，近期跌倒两次。 "});
    let other = json!({"risk_level": "red"});
    check(&app, "/api/v1/cases", "cases", "case", &worker, &outsider, body, same, other, "risk_level").await;
}

#[actix_web::test]
async fn visits_and_community_sessions() {
    let (app, f, worker, outsider) = setup().await;
    let person = client(&app, &f, &worker, "王奶奶").await;
    let at = (Utc::now() - Duration::hours(2)).to_rfc3339();
    let body = json!({"method": "visit", "occurred_at": at, "duration_minutes": 40, "client_ids": [person],
                      "mode": "home_visit", "findings": "身体尚可"});
    let same = json!({"findings": "身体尚可  "});
    let other = json!({"duration_minutes": 45});
    check(&app, "/api/v1/sessions", "service_sessions", "session", &worker, &outsider, body, same, other, "duration_minutes")
        .await;

    let body = json!({"method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": at, "duration_minutes": 120,
                      "title": "社区活动", "kind": "event", "participant_count": 40, "volunteer_count": 3,
                      "volunteer_hours": 7.5, "resources_value_yuan": 100.25});
    let other = json!({"participant_count": 41});
    check(
        &app,
        "/api/v1/sessions",
        "service_sessions",
        "session",
        &worker,
        &outsider,
        body,
        json!({}),
        other,
        "participant_count",
    )
    .await;
}

#[actix_web::test]
async fn roster_entries() {
    let (app, f, worker, outsider) = setup().await;
    let person = client(&app, &f, &worker, "赵爷爷").await;
    let body = json!({"client_id": person, "programme": "elder_care", "level": "yellow", "notes": "独居"});
    let same = json!({"notes": " 独居"});
    let other = json!({"level": "blue"});
    check(&app, "/api/v1/roster-entries", "roster_entries", "roster_entry", &worker, &outsider, body, same, other, "level").await;
}

#[actix_web::test]
async fn groups() {
    let (app, f, worker, outsider) = setup().await;
    let body = json!({"org_unit_id": f.unit("town_a1"), "name": "长者小组", "type": "support"});
    let same = json!({"name": "长者小组 "});
    let other = json!({"name": "青少年小组"});
    check(&app, "/api/v1/groups", "groups", "group", &worker, &outsider, body, same, other, "name").await;
}

#[actix_web::test]
async fn supervision_records() {
    let (app, f, worker, _) = setup().await;
    let sup = app.token("sup_a1").await;
    let outsider = app.token("sup_b").await;
    let person = client(&app, &f, &worker, "孙阿姨").await;
    let _ = person;
    let body = json!({"occurred_at": "2026-10-20T06:00:00Z", "duration_minutes": 90, "format": "individual",
                      "function": "supportive", "supervisee_ids": [f.user("worker_a1")], "issues": "压力大"});
    let other = json!({"advice": "每周一次个别督导"});
    check(
        &app,
        "/api/v1/supervision-records",
        "supervision_records",
        "supervision_record",
        &sup,
        &outsider,
        body,
        json!({}),
        other,
        "advice",
    )
    .await;
}

#[actix_web::test]
async fn org_units_and_users() {
    let (app, f, _, _) = setup().await;
    let admin = app.token("admin_a").await;
    let outsider = app.token("admin_b").await;
    let body = json!({"parent_id": f.unit("town_a1"), "tier": "village", "name": "滨河村"});
    let other = json!({"name": "河东村"});
    check(&app, "/api/v1/org-units", "org_units", "org_unit", &admin, &outsider, body, json!({"name": " 滨河村"}), other, "name")
        .await;

    let body = json!({"username": "new_worker", "display_name": "新社工", "org_unit_id": f.unit("town_a1"),
                      "role": "worker", "password": "Another-Pass-2026"});
    let other = json!({"display_name": "另一位社工"});
    check(&app, "/api/v1/users", "users", "user", &admin, &outsider, body, json!({}), other, "display_name").await;
}

#[actix_web::test]
async fn case_records() {
    let (app, f, worker, outsider) = setup().await;
    let person = client(&app, &f, &worker, "周奶奶").await;
    let case = json!({"client_id": person, "org_unit_id": f.unit("town_a1"), "source": "outreach",
                      "presenting_problem": "独居老人", "domain": "elderly_care", "risk_level": "yellow"});
    let case = app.post("/api/v1/cases", &worker, case).await.expect(201).id();
    let start = json!({"action": "start_assessment"});
    let transitions = format!("/api/v1/cases/{case}/transitions");
    app.send_current(reqwest::Method::POST, &transitions, &worker, ("cases", &case), start).await.expect(200);
    let path = format!("/api/v1/cases/{case}/assessments");
    let body = json!({"sources": ["interview"], "needs": ["照料"], "risk_level": "yellow", "summary": "需要日间照料"});
    let same = json!({"summary": " 需要日间照料 "});
    let other = json!({"risk_level": "red"});
    check(&app, &path, "assessments", "assessment", &worker, &outsider, body, same, other, "risk_level").await;

    let path = format!("/api/v1/cases/{case}/referrals");
    let body = json!({"direction": "out", "organization": "街道卫生服务中心", "reason": "慢病管理", "consent_given": true});
    let other = json!({"organization": "区医院"});
    check(&app, &path, "referrals", "referral", &worker, &outsider, body, json!({}), other, "organization").await;
}
