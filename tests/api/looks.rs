//! Every look is recorded (issue 18): out-of-scope duplicate-document hits are audited, limited
//! per user and day and answered without a trace of the record; reads of narratives are audited
//! once per request; a client's access log shows supervisors and admins who saw the file.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use shegong::domain::id_number::check_char_for;

use crate::helpers::{consent, Fixture, TestApp};

fn resident_id(birth: &str, seq: u32) -> String {
    let body = format!("640502{birth}{seq:03}");
    format!("{body}{}", check_char_for(&body).expect("17 digits"))
}

fn person(unit: uuid::Uuid, name: &str, id_number: &str) -> Value {
    json!({"org_unit_id": unit, "name": name, "id_type": "resident_id", "id_number": id_number, "categories": ["dibao"],
           "consent": consent()})
}

async fn probes(app: &TestApp, f: &Fixture, user: &str, action: &str) -> i64 {
    app.sql_i64(&format!(
        "SELECT count(*) FROM audit_events WHERE user_id = '{}' AND action = '{action}' AND outcome = 'denied'",
        f.user(user)
    ))
    .await
}

#[actix_web::test]
async fn an_out_of_scope_duplicate_is_audited_and_tells_only_whom_to_ask() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let (worker, other) = (app.token("worker_a1").await, app.token("worker_b1").await);
    let number = resident_id("19800101", 135);
    let existing = app.post("/api/v1/clients", &worker, person(f.unit("town_a1"), "马文", &number)).await.expect(201).id();

    let res = app.post("/api/v1/clients", &other, person(f.unit("town_b1"), "马文", &number)).await.expect(409);
    assert_eq!(res.body["code"], "duplicate_document");
    assert_eq!(res.body["registered_elsewhere"], true);
    assert_eq!(res.body["transfer_request"]["ask_role"], "supervisor", "{}", res.text);
    for secret in [existing.as_str(), &f.unit("town_a1").to_string(), &f.unit("county_a").to_string(), "dibao", "低保", &number]
    {
        assert!(!res.text.contains(secret), "the answer names {secret}: {}", res.text);
    }
    assert!(res.body.get("existing_id").is_none());

    // Recorded: who, against which record, the number masked, never whole.
    let row = app
        .db
        .query_text(&format!(
            "SELECT entity_id::text || ' ' || (details->>'id_number_masked') || ' ' || (details->>'in_scope') || ' ' || details::text
             FROM audit_events WHERE action = 'client.duplicate_probe' AND user_id = '{}'",
            f.user("worker_b1")
        ))
        .await;
    assert!(row.starts_with(&format!("{existing} 640502********")), "{row}");
    assert!(row.contains(" false "), "{row}");
    assert!(!row.contains(&number), "the audit keeps no plaintext number: {row}");
    assert_eq!(probes(&app, &f, "worker_b1", "client.duplicate_probe").await, 1);

    // A PATCH to the number and a sync batch's create are probes too.
    let own = app
        .post("/api/v1/clients", &other, person(f.unit("town_b1"), "马武", &resident_id("19800101", 157)))
        .await
        .expect(201)
        .id();
    let etag = app.etag_of("clients", &own).await;
    let res = app.patch(&format!("/api/v1/clients/{own}"), &other, &etag, json!({"id_number": number})).await.expect(409);
    assert!(!res.text.contains(&existing), "{}", res.text);
    let batch = json!({"mutations": [{"mutation_id": uuid::Uuid::now_v7(), "entity": "client", "op": "create",
        "id": uuid::Uuid::now_v7(), "changes": person(f.unit("town_b1"), "马文", &number)}]});
    let res = app.post("/api/v1/sync/batch", &other, batch).await.expect(200);
    assert_eq!(res.body["results"][0]["status"], "rejected", "{}", res.text);
    assert_eq!(res.body["results"][0]["problem"]["code"], "duplicate_document");
    assert!(!res.text.contains(&existing), "{}", res.text);
    assert_eq!(probes(&app, &f, "worker_b1", "client.duplicate_probe").await, 3);

    // Inside the scope the 409 still points at the record, and is no probe.
    let res = app.post("/api/v1/clients", &worker, person(f.unit("town_a1"), "马文", &number)).await.expect(409);
    assert_eq!(res.body["existing_id"], existing.as_str());
    assert_eq!(probes(&app, &f, "worker_a1", "client.duplicate_probe").await, 0);
}

#[actix_web::test]
async fn past_the_days_probes_every_document_check_is_429() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let (worker, other) = (app.token("worker_a1").await, app.token("worker_b1").await);
    let number = resident_id("19700101", 111);
    app.post("/api/v1/clients", &worker, person(f.unit("town_a1"), "张三", &number)).await.expect(201);
    let limit = app.state.config.duplicate_probes_per_day;
    for _ in 0..limit {
        app.post("/api/v1/clients", &other, person(f.unit("town_b1"), "张三", &number)).await.expect(409);
    }
    let res = app.post("/api/v1/clients", &other, person(f.unit("town_b1"), "张三", &number)).await.expect(429);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"));
    let retry: i64 = res.header("retry-after").expect("Retry-After").parse().expect("seconds");
    assert!((1..=86_400).contains(&retry), "{retry}");
    // The refusal does not depend on whether the number is on file.
    let fresh = app.post("/api/v1/clients", &other, person(f.unit("town_b1"), "李四", &resident_id("19700101", 133))).await;
    assert_eq!(fresh.expect(429).text, res.text);
    assert_eq!(probes(&app, &f, "worker_b1", "client.duplicate_probe").await, limit);
    assert_eq!(probes(&app, &f, "worker_b1", "client.duplicate_probe_limited").await, 2);
    assert_eq!(app.sql_i64("SELECT count(*) FROM clients WHERE name = '李四'").await, 0);
    // Another user is not limited by it; one without a number is not checked at all.
    let other2 = app.token("worker_a2").await;
    app.post("/api/v1/clients", &other2, person(f.unit("town_a2"), "王五", &resident_id("19700101", 155))).await.expect(201);
    app.post("/api/v1/clients", &other, json!({"org_unit_id": f.unit("town_b1"), "name": "无证", "id_type": "none"}))
        .await
        .expect(201);
}

/// The ids of a client's file: the client, its case, the case's assessment and a visit.
struct File {
    client: String,
    case: String,
    assessment: String,
    session: String,
}

/// The fixture, `worker_a1`'s and `sup_a1`'s tokens, and a client of `town_a1` with a case, an
/// assessment and a visit recorded by `worker_a1`.
async fn setup() -> (TestApp, Fixture, String, String, File) {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let file = file(&app, &f, &worker).await;
    let sup = app.token("sup_a1").await;
    (app, f, worker, sup, file)
}

async fn file(app: &TestApp, f: &Fixture, worker: &str) -> File {
    let client = app
        .post("/api/v1/clients", worker, person(f.unit("town_a1"), "王奶奶", &resident_id("19400101", 222)))
        .await
        .expect(201)
        .id();
    let case = app
        .post(
            "/api/v1/cases",
            worker,
            json!({"client_id": client, "org_unit_id": f.unit("town_a1"), "source": "outreach",
            "presenting_problem": "独居老人，近期跌倒两次。", "domain": "elderly_care", "risk_level": "yellow",
            "problem_types": ["独居"]}),
        )
        .await
        .expect(201)
        .id();
    app.send(
        reqwest::Method::POST,
        &format!("/api/v1/cases/{case}/transitions"),
        Some(worker),
        Some(&json!({"action": "start_assessment"})),
        &[("If-Match", "\"1\"")],
    )
    .await
    .expect(200);
    let assessment = json!({"sources": ["interview"], "self_system": "行动不便，情绪低落。", "family_system": "子女在外地。",
        "social_system": "邻里关系良好。", "strengths": "愿意接受帮助。", "needs": ["居家安全"], "risk_level": "yellow",
        "summary": "跌倒风险高。"});
    let assessment = app.post(&format!("/api/v1/cases/{case}/assessments"), worker, assessment).await.expect(201).id();
    let at = (Utc::now() - Duration::hours(2)).to_rfc3339();
    let visit = json!({"method": "visit", "occurred_at": at, "duration_minutes": 40, "client_ids": [client],
                       "mode": "home_visit", "findings": "家中地面湿滑，老人独自洗澡。"});
    let session = app.post("/api/v1/sessions", worker, visit).await.expect(201).id();
    File { client, case, assessment, session }
}

async fn narrative_reads(app: &TestApp, f: &Fixture, user: &str) -> Vec<String> {
    let rows = app
        .db
        .query_text(&format!(
            "SELECT coalesce(string_agg(entity_type || ':' || (details->'ids')::text, '|' ORDER BY occurred_at), '')
             FROM audit_events WHERE action = 'narrative.read' AND user_id = '{}'",
            f.user(user)
        ))
        .await;
    rows.split('|').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[actix_web::test]
async fn reading_narratives_is_recorded_once_per_request() {
    let (app, f, worker, sup, File { case, assessment, session, .. }) = setup().await;
    assert!(narrative_reads(&app, &f, "sup_a1").await.is_empty());

    app.get(&format!("/api/v1/cases/{case}/assessments"), &sup).await.expect(200);
    assert_eq!(narrative_reads(&app, &f, "sup_a1").await, vec![format!("assessment:[\"{assessment}\"]")]);
    app.get(&format!("/api/v1/sessions/{session}"), &sup).await.expect(200);
    assert_eq!(narrative_reads(&app, &f, "sup_a1").await.last(), Some(&format!("session:[\"{session}\"]")));

    // A list is one event naming every record on the page.
    let at = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let community = json!({"method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": at, "duration_minutes": 60,
        "title": "议事会", "kind": "deliberation", "participant_count": 5});
    let second = app.post("/api/v1/sessions", &worker, community).await.expect(201).id();
    let before = app.sql_i64("SELECT count(*) FROM audit_events WHERE action = 'narrative.read'").await;
    let page = app.get("/api/v1/sessions", &sup).await.expect(200);
    assert_eq!(page.body["items"].as_array().expect("items").len(), 2);
    assert_eq!(app.sql_i64("SELECT count(*) FROM audit_events WHERE action = 'narrative.read'").await, before + 1);
    let last = narrative_reads(&app, &f, "sup_a1").await.pop().expect("a read");
    assert!(last.contains(&session) && last.contains(&second), "{last}");
    // Nothing read, nothing recorded.
    let empty = app.get(&format!("/api/v1/cases/{case}/evaluations"), &sup).await.expect(200);
    assert!(empty.body["items"].as_array().expect("items").is_empty());
    assert_eq!(app.sql_i64("SELECT count(*) FROM audit_events WHERE action = 'narrative.read'").await, before + 1);
}

#[actix_web::test]
async fn the_access_log_shows_who_saw_the_file() {
    let (app, f, worker, sup, File { client, session, .. }) = setup().await;
    app.get(&format!("/api/v1/sessions/{session}"), &sup).await.expect(200);

    let log_path = format!("/api/v1/clients/{client}/access-log");
    let admin = app.token("admin_a").await;
    let log = app.get(&log_path, &admin).await.expect(200);
    let items = log.body["items"].as_array().expect("items").clone();
    let read = items
        .iter()
        .find(|e| e["action"] == "narrative.read" && e["user_id"] == f.user("sup_a1").to_string().as_str())
        .unwrap_or_else(|| panic!("the supervisor's read of the visit is in the log: {}", log.text));
    assert_eq!(read["role"], "supervisor");
    assert_eq!(read["entity_type"], "session");
    assert_eq!(read["entity_id"], session.as_str());
    assert_eq!(read["outcome"], "success");
    assert!(read["display_name"].is_string(), "{read}");
    // The worker's own writes are there too: the client, the case, the assessment, the visit.
    let actions: Vec<&str> = items.iter().map(|e| e["action"].as_str().expect("action")).collect();
    for action in ["client.create", "narrative.read"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert!(items.len() >= 4, "{actions:?}");
    // Newest first, and keyset pages walk the same events once each.
    let times: Vec<&str> = items.iter().map(|e| e["occurred_at"].as_str().expect("time")).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{log_path}?limit=2&cursor={c}"),
            None => format!("{log_path}?limit=2"),
        };
        let page = app.get(&path, &admin).await.expect(200);
        walked.extend(page.body["items"].as_array().expect("items").iter().map(|e| e["id"].as_str().expect("id").to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    // Each page read is itself recorded (newer than the walk's start), so the walk sees the events
    // of the first read and nothing twice.
    let unique: std::collections::BTreeSet<&String> = walked.iter().collect();
    assert_eq!(unique.len(), walked.len(), "no event twice");
    for e in &items {
        assert!(walked.contains(&e["id"].as_str().expect("id").to_owned()), "{e}");
    }

    // Workers may not; outside the scope the client does not exist.
    app.get(&log_path, &worker).await.expect(403);
    let other = app.token("sup_b").await;
    let hidden = app.get(&log_path, &other).await.expect(404);
    let random = app.get(&format!("/api/v1/clients/{}/access-log", uuid::Uuid::now_v7()), &other).await.expect(404);
    assert_eq!(hidden.text, random.text);
    // Looking at the log is recorded as well.
    assert!(
        app.sql_i64(&format!("SELECT count(*) FROM audit_events WHERE action = 'client.access_log' AND entity_id = '{client}'"))
            .await
            >= 1
    );
}
