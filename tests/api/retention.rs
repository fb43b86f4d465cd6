//! Retention: clients deleted long ago are anonymised and cases closed long ago archived, by
//! `services::retention::purge` (what `shegong purge` and the schedule in `serve`, `startup::spawn_retention`, run), with the
//! clock moved forward; figures and the audit log stay whole.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use shegong::domain::id_number::check_char_for;
use shegong::services::retention::{purge, PurgeReport};
use shegong::startup::spawn_retention;
use shegong::state::AppState;

use crate::helpers::{consent, Fixture, TestApp};

fn resident_id(birth: &str, seq: u32) -> String {
    let body = format!("640502{birth}{seq:03}");
    format!("{body}{}", check_char_for(&body).expect("17 digits"))
}

async fn register(app: &TestApp, f: &Fixture, token: &str, name: &str, seq: u32) -> String {
    let body = json!({"org_unit_id": f.unit("town_a1"), "name": name, "id_type": "resident_id",
                      "id_number": resident_id("19500315", seq), "phone": "13995512345", "address": "沙坡头区滨河镇3组",
                      "categories": ["dibao", "empty_nest_elder"], "notes": "儿子在银川打工",
                      "guardian": {"name": "王建国", "relation": "儿子", "phone": "13800000000"}, "consent": consent()});
    app.post("/api/v1/clients", token, body).await.expect(201).id()
}

async fn visit(app: &TestApp, token: &str, client: &str) {
    let body = json!({"method": "visit", "occurred_at": (Utc::now() - Duration::hours(2)).to_rfc3339(), "duration_minutes": 30,
                      "client_ids": [client], "mode": "home_visit", "findings": "老人身体尚可"});
    app.post("/api/v1/sessions", token, body).await.expect(201);
}

fn period() -> String {
    let today = Utc::now().date_naive();
    format!("from={}&to={}", today - Duration::days(30), today + Duration::days(1))
}

#[actix_web::test]
async fn a_client_deleted_past_the_period_is_anonymised_and_the_figures_stay() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let sup = app.token("sup_a1").await;
    let gone = register(&app, &f, &worker, "王秀英", 31).await;
    let kept = register(&app, &f, &worker, "李桂兰", 32).await;
    visit(&app, &worker, &gone).await;
    visit(&app, &worker, &kept).await;
    app.send(Method::DELETE, &format!("/api/v1/clients/{gone}"), Some(&sup), None, &[]).await.expect(204);
    let stats = |token: String| {
        let app = &app;
        async move { app.get(&format!("/api/v1/stats?{}", period()), &token).await.expect(200).body }
    };
    let figures_before = stats(sup.clone()).await;
    let audit_before = app.sql_i64("SELECT count(*) FROM audit_events").await;

    // Within the period nothing happens; past it, the record is anonymised once.
    let days = app.state.config.retention_deleted_days;
    assert_eq!(purge(&app.state, Utc::now()).await.expect("purge"), PurgeReport::default());
    let later = Utc::now() + Duration::days(days + 1);
    let report = purge(&app.state, later).await.expect("purge");
    assert_eq!(report, PurgeReport { clients_anonymised: 1, cases_archived: 0 });
    assert_eq!(purge(&app.state, later).await.expect("purge"), PurgeReport::default(), "done once");

    let row = app
        .sql_i64(&format!(
            "SELECT count(*) FROM clients WHERE id = '{gone}' AND name = '（已匿名）' AND id_type = 'none' \
             AND id_number IS NULL AND phone IS NULL AND address IS NULL AND guardian IS NULL AND emergency_contact IS NULL \
             AND consent IS NULL AND notes IS NULL AND birth_date = '1950-01-01' AND gender = 'male' \
             AND categories = ARRAY['dibao', 'empty_nest_elder'] AND org_unit_id = '{}' AND anonymised_at IS NOT NULL",
            f.unit("town_a1")
        ))
        .await;
    assert_eq!(row, 1, "identity gone, what the figures count kept");
    let leftovers = app
        .sql_i64(&format!(
            "SELECT count(*) FROM clients WHERE id = '{gone}' AND row_to_json(clients)::text ~ '(王秀英|13995512345|滨河镇|王建国|银川)'"
        ))
        .await;
    assert_eq!(leftovers, 0, "nothing of the person is left on the row");
    assert_eq!(app.sql_i64(&format!("SELECT count(*) FROM clients WHERE id = '{kept}' AND name = '李桂兰'")).await, 1);

    // The figures are the same, and the audit log only grew, by the purge's own event.
    assert_eq!(stats(sup.clone()).await, figures_before);
    let audit_after = app.sql_i64("SELECT count(*) FROM audit_events").await;
    assert_eq!(audit_after, audit_before + 1);
    let by = app
        .sql_i64(&format!(
            "SELECT count(*) FROM audit_events WHERE action = 'client.anonymised' AND entity_id = '{gone}' \
             AND username = 'system:retention' AND user_id IS NULL"
        ))
        .await;
    assert_eq!(by, 1);
}

#[actix_web::test]
async fn a_case_closed_past_the_period_is_archived_and_read_only() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let sup = app.token("sup_a1").await;
    let client = register(&app, &f, &worker, "张玉兰", 41).await;
    let other = register(&app, &f, &worker, "赵玉兰", 42).await;
    let open = |client: String| {
        let app = &app;
        let worker = worker.clone();
        let body = json!({"client_id": client, "org_unit_id": f.unit("town_a1"), "source": "outreach",
                          "presenting_problem": "独居老人需要照料。", "domain": "elderly_care", "risk_level": "blue"});
        async move { app.post("/api/v1/cases", &worker, body).await.expect(201).id() }
    };
    let old = open(client).await;
    let current = open(other).await;
    // Closed a day ago (its path to closure is tested elsewhere).
    app.sql(&format!(
        "UPDATE cases SET status = 'closed', closed_at = now() - interval '1 day', closure_reason = 'goals_achieved' WHERE id = '{old}'"
    ))
    .await;

    let years = i64::from(app.state.config.retention_case_years);
    assert_eq!(purge(&app.state, Utc::now()).await.expect("purge").cases_archived, 0);
    let later = Utc::now() + Duration::days(366 * years);
    assert_eq!(purge(&app.state, later).await.expect("purge").cases_archived, 1);

    let detail = app.get(&format!("/api/v1/cases/{old}"), &sup).await.expect(200);
    assert!(detail.body["archived_at"].is_string(), "{}", detail.text);
    assert_eq!(detail.body["status"], "closed");
    let reopen = app
        .send_current(
            Method::POST,
            &format!("/api/v1/cases/{old}/transitions"),
            &sup,
            ("cases", &old),
            json!({"action": "reopen", "reason": "家属再次求助"}),
        )
        .await
        .expect(409);
    assert_eq!(reopen.body["code"], "case_archived");
    let follow_up =
        app.post(&format!("/api/v1/cases/{old}/follow-ups"), &worker, json!({"due_on": "2027-01-10"})).await.expect(409);
    assert_eq!(follow_up.body["code"], "case_archived");
    assert_eq!(
        app.sql_i64(&format!("SELECT count(*) FROM case_events WHERE case_id = '{old}' AND kind <> 'case.opened'")).await,
        0
    );

    let untouched = app.get(&format!("/api/v1/cases/{current}"), &worker).await.expect(200);
    assert_eq!(untouched.body["archived_at"], Value::Null);
    let archived =
        app.sql_i64(&format!("SELECT count(*) FROM audit_events WHERE action = 'case.archived' AND entity_id = '{old}'")).await;
    assert_eq!(archived, 1);
}

#[actix_web::test]
async fn serve_runs_the_purge_on_its_schedule() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let sup = app.token("sup_a1").await;
    let gone = register(&app, &f, &worker, "马桂英", 51).await;
    app.send(Method::DELETE, &format!("/api/v1/clients/{gone}"), Some(&sup), None, &[]).await.expect(204);
    // Deleted long ago: move the record's clock back instead of the purge's.
    app.sql(&format!("UPDATE clients SET deleted_at = now() - interval '400 days' WHERE id = '{gone}'")).await;
    let config = shegong::config::Config { purge_interval: std::time::Duration::from_millis(200), ..(*app.state.config).clone() };
    spawn_retention(AppState::new(config).expect("state"));
    let mut anonymised = 0;
    for _ in 0..50 {
        anonymised =
            app.sql_i64(&format!("SELECT count(*) FROM clients WHERE id = '{gone}' AND anonymised_at IS NOT NULL")).await;
        if anonymised == 1 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(anonymised, 1, "the scheduled purge ran");
}
