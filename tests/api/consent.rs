//! Informed consent on a client's file: who may sign for a child, what it gates (casework past
//! intake, outgoing referrals), and that a withdrawal is final and on the timeline.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use shegong::domain::id_number::check_char_for;

use crate::helpers::{Fixture, Res, TestApp};

fn day(offset: i64) -> String {
    (Utc::now() - Duration::days(1) + Duration::days(offset)).date_naive().to_string()
}

fn signed(by: &str, relation: &str, scopes: Value) -> Value {
    json!({"signed_by": by, "relation": relation, "date": day(0), "scopes": scopes})
}

fn resident_id(birth: &str, seq: u32) -> String {
    let body = format!("640502{birth}{seq:03}");
    format!("{body}{}", check_char_for(&body).expect("17 digits"))
}

async fn patch_client(app: &TestApp, token: &str, id: &str, body: Value) -> Res {
    let etag = app.etag_of("clients", id).await;
    app.patch(&format!("/api/v1/clients/{id}"), token, &etag, body).await
}

async fn open_case(app: &TestApp, f: &Fixture, token: &str, client: &str) -> String {
    let body = json!({"client_id": client, "org_unit_id": f.unit("town_a1"), "source": "outreach",
                      "presenting_problem": "独居老人需要照料。", "domain": "elderly_care", "risk_level": "red"});
    app.post("/api/v1/cases", token, body).await.expect(201).id()
}

async fn act(app: &TestApp, token: &str, case: &str, action: &str) -> Res {
    app.send_current(
        Method::POST,
        &format!("/api/v1/cases/{case}/transitions"),
        token,
        ("cases", case),
        json!({"action": action}),
    )
    .await
}

fn referral_out() -> Value {
    json!({"direction": "out", "organization": "县残疾人联合会", "reason": "申请轮椅", "consent_given": true})
}

fn errors(res: &Res) -> Vec<(String, String)> {
    res.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["field"].as_str().unwrap_or_default().to_owned(), e["code"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

#[actix_web::test]
async fn a_child_under_14_consents_through_the_guardian_on_file() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    // Ten years old: the guardian signs, and it is the guardian on the file.
    let birth = (Utc::now() - Duration::days(365 * 10)).format("%Y%m%d").to_string();
    let child = |consent: Value| {
        json!({"org_unit_id": f.unit("town_a1"), "name": "马小花", "id_type": "resident_id",
               "id_number": resident_id(&birth, 21), "categories": ["left_behind_child"],
               "guardian": {"name": "马奶奶", "relation": "祖母", "phone": "13995512345"}, "consent": consent})
    };
    let res = app.post("/api/v1/clients", &worker, child(signed("马小花", "self", json!(["services"])))).await.expect(422);
    assert_eq!(errors(&res), vec![pair("consent.relation", "guardian_required")]);
    let res = app.post("/api/v1/clients", &worker, child(signed("马小花", "agent", json!(["services"])))).await.expect(422);
    assert_eq!(errors(&res), vec![pair("consent.relation", "guardian_required")]);
    let res = app.post("/api/v1/clients", &worker, child(signed("路人甲", "guardian", json!(["services"])))).await.expect(422);
    assert_eq!(errors(&res), vec![pair("consent.signed_by", "not_the_guardian")]);
    assert_eq!(app.sql_i64("SELECT count(*) FROM clients WHERE name = '马小花'").await, 0, "nothing written");

    let mut body = child(signed("马奶奶", "guardian", json!(["services"])));
    body["consent"].as_object_mut().expect("object").remove("scopes");
    let created = app.post("/api/v1/clients", &worker, body).await.expect(201);
    let consent = &created.body["consent"];
    assert_eq!(consent["relation"], "guardian");
    assert_eq!(consent["scopes"], json!(["services"]), "services alone unless listed");
    assert_eq!(consent["withdrawn_on"], Value::Null);

    // An adult signs for themselves; duplicate or empty uses are named.
    let adult =
        |consent: Value| json!({"org_unit_id": f.unit("town_a1"), "name": "马大叔", "id_type": "none", "consent": consent});
    let res = app.post("/api/v1/clients", &worker, adult(signed("马大叔", "self", json!([])))).await.expect(422);
    assert_eq!(errors(&res), vec![pair("consent.scopes", "required")]);
    let res =
        app.post("/api/v1/clients", &worker, adult(signed("马大叔", "self", json!(["services", "services"])))).await.expect(422);
    assert_eq!(errors(&res), vec![pair("consent.scopes", "duplicate")]);
    let res = app.post("/api/v1/clients", &worker, adult(signed("马大叔", "本人", json!(["services"])))).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "consent.relation");
    app.post("/api/v1/clients", &worker, adult(signed("马大叔", "self", json!(["services"])))).await.expect(201);
}

#[actix_web::test]
async fn a_case_leaves_intake_only_with_consent_to_services_on_file() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let body = json!({"org_unit_id": f.unit("town_a1"), "name": "未签同意", "id_type": "none"});
    let client = app.post("/api/v1/clients", &worker, body).await.expect(201).id();
    let case = open_case(&app, &f, &worker, &client).await;
    let detail = app.get(&format!("/api/v1/cases/{case}"), &worker).await.expect(200);
    assert_eq!(detail.body["allowed_actions"], json!(["decline"]), "nothing but declining without consent");
    for action in ["start_assessment", "fast_track"] {
        let res = act(&app, &worker, &case, action).await.expect(409);
        assert_eq!(res.body["code"], "consent_required");
    }
    assert_eq!(app.sql_i64(&format!("SELECT count(*) FROM cases WHERE id = '{case}' AND status = 'intake'")).await, 1);

    // Consent to publicity alone does not open casework.
    patch_client(&app, &worker, &client, json!({"consent": signed("未签同意", "self", json!(["media"]))})).await.expect(200);
    act(&app, &worker, &case, "start_assessment").await.expect(409);
    // Consent to services does (a new consent, replacing the first).
    patch_client(&app, &worker, &client, json!({"consent": signed("未签同意", "self", json!(["services"]))})).await.expect(200);
    let detail = app.get(&format!("/api/v1/cases/{case}"), &worker).await.expect(200);
    assert!(detail.body["allowed_actions"].as_array().expect("actions").contains(&json!("start_assessment")));
    act(&app, &worker, &case, "start_assessment").await.expect(200);
}

#[actix_web::test]
async fn a_withdrawal_is_final_stops_sharing_and_is_on_the_timeline() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let sup = app.token("sup_a1").await;
    let first = signed("张桂兰", "self", json!(["services", "sharing"]));
    let body = json!({"org_unit_id": f.unit("town_a1"), "name": "张桂兰", "id_type": "none", "consent": first});
    let client = app.post("/api/v1/clients", &worker, body).await.expect(201).id();
    let case = open_case(&app, &f, &worker, &client).await;
    act(&app, &worker, &case, "start_assessment").await.expect(200);
    let referrals = format!("/api/v1/cases/{case}/referrals");
    app.post(&referrals, &worker, referral_out()).await.expect(201);

    // A withdrawal needs its reason; then it stands.
    let mut withdrawn = first.clone();
    withdrawn["withdrawn_on"] = json!(day(0));
    let res = patch_client(&app, &worker, &client, json!({"consent": withdrawn})).await.expect(422);
    assert_eq!(errors(&res), vec![pair("consent.withdrawal_reason", "required")]);
    withdrawn["withdrawal_reason"] = json!("本人不愿再向其他机构提供信息");
    let res = patch_client(&app, &worker, &client, json!({"consent": withdrawn})).await.expect(200);
    assert_eq!(res.body["consent"]["withdrawn_on"], json!(day(0)));

    // Nothing is shared any more: a case referral out and a visit's referral are refused, and
    // nothing is written; a referral in shares nothing and goes on.
    let res = app.post(&referrals, &worker, referral_out()).await.expect(409);
    assert_eq!(res.body["code"], "no_sharing_consent");
    let visit = json!({"method": "visit", "occurred_at": (Utc::now() - Duration::hours(1)).to_rfc3339(),
                       "duration_minutes": 30, "client_ids": [client], "mode": "home_visit", "action": "refer",
                       "referral": {"client_id": client, "organization": "县残联", "reason": "辅具", "consent_given": true}});
    let res = app.post("/api/v1/sessions", &worker, visit.clone()).await.expect(409);
    assert_eq!(res.body["code"], "no_sharing_consent");
    assert_eq!(app.sql_i64("SELECT count(*) FROM referrals WHERE direction = 'out'").await, 1);
    assert_eq!(app.sql_i64("SELECT count(*) FROM service_sessions WHERE method = 'visit'").await, 0);
    let incoming = json!({"direction": "in", "organization": "街道办", "reason": "转入跟进", "consent_given": false});
    app.post(&referrals, &worker, incoming).await.expect(201);

    // A withdrawal is not undone, moved or removed; a new consent is dated on or after it.
    let res = patch_client(&app, &worker, &client, json!({"consent": null})).await.expect(422);
    assert_eq!(errors(&res), vec![pair("consent", "cannot_remove")]);
    let mut moved = withdrawn.clone();
    moved["withdrawn_on"] = json!(day(1));
    let res = patch_client(&app, &worker, &client, json!({"consent": moved})).await.expect(422);
    assert_eq!(errors(&res), vec![pair("consent.withdrawn_on", "withdrawal_final")]);
    let mut earlier = signed("张桂兰", "self", json!(["services"]));
    earlier["date"] = json!(day(-3));
    let res = patch_client(&app, &worker, &client, json!({"consent": earlier})).await.expect(422);
    assert_eq!(errors(&res), vec![pair("consent.date", "earlier_than_current")]);

    // Signed again: sharing is possible again.
    let again = signed("张桂兰", "self", json!(["services", "sharing"]));
    patch_client(&app, &worker, &client, json!({"consent": again})).await.expect(200);
    app.post(&referrals, &worker, referral_out()).await.expect(201);
    app.post("/api/v1/sessions", &worker, visit).await.expect(201);

    // The timeline tells the story; the audit log names the uses, not the signer.
    let timeline = app.get(&format!("/api/v1/clients/{client}/timeline"), &sup).await.expect(200);
    let kinds: Vec<&str> = timeline.body["items"].as_array().expect("items").iter().filter_map(|e| e["kind"].as_str()).collect();
    let consent_kinds: Vec<&str> = kinds.iter().copied().filter(|k| k.starts_with("consent.")).collect();
    assert_eq!(consent_kinds, vec!["consent.recorded", "consent.withdrawn", "consent.recorded"], "newest first: {kinds:?}");
    let withdrawal = timeline.body["items"].as_array().expect("items").iter().find(|e| e["kind"] == "consent.withdrawn").cloned();
    assert_eq!(withdrawal.expect("withdrawal")["actor_id"], json!(f.user("worker_a1")));
    let leaked = app
        .sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE entity_id = '{client}' AND action LIKE 'consent.%' \
             AND details::text LIKE '%张桂兰%'"
        ))
        .await;
    assert_eq!(leaked, 0, "the signer's name stays out of the audit log");
}

#[actix_web::test]
async fn a_consent_without_sharing_allows_no_referral_out() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let body = json!({"org_unit_id": f.unit("town_a1"), "name": "李阿姨", "id_type": "none",
                      "consent": signed("李阿姨", "self", json!(["services"]))});
    let client = app.post("/api/v1/clients", &worker, body).await.expect(201).id();
    let case = open_case(&app, &f, &worker, &client).await;
    act(&app, &worker, &case, "start_assessment").await.expect(200);
    let res = app.post(&format!("/api/v1/cases/{case}/referrals"), &worker, referral_out()).await.expect(409);
    assert_eq!(res.body["code"], "no_sharing_consent");
    assert_eq!(app.sql_i64("SELECT count(*) FROM referrals").await, 0);
    // Editing something else leaves the consent as it was, and records no consent event.
    patch_client(&app, &worker, &client, json!({"notes": "喜欢下午来访"})).await.expect(200);
    let events =
        app.sql_i64(&format!("SELECT count(*) FROM audit_events WHERE entity_id = '{client}' AND action LIKE 'consent.%'")).await;
    assert_eq!(events, 1, "only the consent given at registration");
}
