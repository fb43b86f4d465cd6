//! Field work (FIELDWORK.md §1–2): rosters and their derived due days, visits and what they do
//! (roster links, level observations, opened cases, referrals, urgent reports), re-rating and
//! proposals, units' visit intervals, and bad input that writes nothing.

use chrono::{Duration, NaiveDate, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{consent, Fixture, Res, TestApp};

fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

fn days(n: i64) -> String {
    (today() + Duration::days(n)).to_string()
}

fn hours_ago(h: i64) -> String {
    (Utc::now() - Duration::hours(h)).to_rfc3339()
}

async fn person(app: &TestApp, f: &Fixture, token: &str, name: &str) -> String {
    let body = json!({"org_unit_id": f.unit("town_a1"), "name": name, "id_type": "none", "consent": consent()});
    app.post("/api/v1/clients", token, body).await.expect(201).id()
}

async fn enrol(app: &TestApp, token: &str, client: &str, programme: &str, level: &str, extra: Value) -> Res {
    let mut body = json!({"client_id": client, "programme": programme, "level": level});
    body.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
    app.post("/api/v1/roster-entries", token, body).await
}

fn visit(clients: &[&str], extra: Value) -> Value {
    let mut body = json!({"method": "visit", "occurred_at": hours_ago(1), "duration_minutes": 40,
                          "client_ids": clients, "mode": "home_visit"});
    body.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
    body
}

async fn send_current(app: &TestApp, path: &str, token: &str, entry: &str, body: Value) -> Res {
    app.send_current(Method::POST, path, token, ("roster_entries", entry), body).await
}

fn item_ids(res: &Res) -> Vec<String> {
    res.body["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_owned()).collect()
}

/// What a refused request must not have written.
const WRITTEN: &str = "SELECT (SELECT count(*) FROM roster_entries) + (SELECT count(*) FROM roster_level_events) \
     + (SELECT count(*) FROM service_sessions) + (SELECT count(*) FROM visits) + (SELECT count(*) FROM visit_roster_entries) \
     + (SELECT count(*) FROM cases) + (SELECT count(*) FROM referrals) + (SELECT count(*) FROM supervisor_alerts) \
     + (SELECT coalesce(sum(version), 0) FROM roster_entries)";

#[actix_web::test]
async fn a_workers_week() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let sup = app.token("sup_a1").await;

    // Monday: enrol three people; two of them live together.
    let grandma = person(&app, &f, &worker, "王奶奶").await;
    let grandson = person(&app, &f, &worker, "王小明").await;
    let neighbour = person(&app, &f, &worker, "李大爷").await;
    let household =
        app.post("/api/v1/households", &worker, json!({"org_unit_id": f.unit("town_a1"), "address": "滨河村3组"})).await;
    let household = household.expect(201).id();
    let members =
        json!({"members": [{"client_id": grandma, "relation": "self"}, {"client_id": grandson, "relation": "grandchild"}]});
    app.send_current(
        Method::PUT,
        &format!("/api/v1/households/{household}/members"),
        &worker,
        ("households", &household),
        members,
    )
    .await
    .expect(200);
    let e_grandma = enrol(&app, &worker, &grandma, "elder_care", "yellow", json!({})).await.expect(201);
    assert_eq!(e_grandma.body["visit_interval_days"], 14);
    assert_eq!(e_grandma.body["next_visit_due"], days(14));
    assert_eq!(e_grandma.body["overdue"], false);
    assert_eq!(e_grandma.body["level_history"][0]["from_level"], Value::Null);
    let e_grandma = e_grandma.id();
    let e_grandson = enrol(&app, &worker, &grandson, "child_care", "green", json!({})).await.expect(201).id();
    let e_neighbour = enrol(&app, &worker, &neighbour, "elder_care", "blue", json!({"enrolled_on": days(-27)})).await.expect(201);
    assert_eq!(e_neighbour.body["next_visit_due"], days(3));
    let e_neighbour = e_neighbour.id();

    // The week's due list: only the neighbour (due in 3 days).
    let week = format!("/api/v1/roster-entries?responsible=me&due_before={}", days(7));
    assert_eq!(item_ids(&app.get(&week, &worker).await.expect(200)), vec![e_neighbour.clone()]);
    let all = app.get("/api/v1/roster-entries?responsible=me", &worker).await.expect(200);
    assert_eq!(item_ids(&all), vec![e_neighbour.clone(), e_grandma.clone(), e_grandson.clone()], "most urgent first");

    // Tuesday: visit the household, see both, find a safety concern, open a case for the boy.
    let body = visit(
        &[&grandma, &grandson],
        json!({"household_id": household, "findings": "孩子独自在家，煤气灶无人看管。", "needs_found": ["safety_concern", "guardianship"],
               "levels_observed": [{"roster_entry_id": e_grandson, "level": "yellow", "reason": "监护不足"}],
               "action": "open_case",
               "case": {"client_id": grandson, "domain": "child_protection", "presenting_problem": "留守儿童监护缺失，存在安全隐患。", "risk_level": "yellow"}}),
    );
    let v = app.post("/api/v1/sessions", &worker, body).await.expect(201);
    assert_eq!(v.body["method"], "visit");
    assert_eq!(v.body["visit"]["households_reached"], 1, "one household, two people");
    assert_eq!(v.body["visit"]["roster_entries"].as_array().expect("entries").len(), 2);
    let case = v.body["visit"]["opened_case_id"].as_str().expect("a case was opened").to_owned();
    let visit_id = v.id();
    let c = app.get(&format!("/api/v1/cases/{case}"), &worker).await.expect(200);
    assert_eq!((c.body["status"].as_str(), c.body["source"].as_str()), (Some("intake"), Some("outreach")));
    assert_eq!(c.body["client_id"], grandson.as_str());
    let linked = app
        .sql_i64(&format!("SELECT count(*) FROM case_events WHERE case_id = '{case}' AND entity_id = '{visit_id}' AND kind = 'visit.opened_case'"))
        .await;
    assert_eq!(linked, 1, "the case's timeline points back at the visit");

    // Both entries were satisfied: their last visit moved, their due day with it.
    let visited_day = (Utc::now() - Duration::hours(1) + Duration::hours(8)).date_naive();
    let g = app.get(&format!("/api/v1/roster-entries/{e_grandma}"), &worker).await.expect(200);
    assert_eq!(g.body["next_visit_due"], (visited_day + Duration::days(14)).to_string());
    assert_eq!(g.body["visits"][0]["session_id"], visit_id.as_str());
    // The boy's level change is a proposal, not yet his level.
    let b = app.get(&format!("/api/v1/roster-entries/{e_grandson}"), &worker).await.expect(200);
    assert_eq!(b.body["level"], "green");
    assert_eq!(b.body["pending_proposal"]["to_level"], "yellow");
    assert_eq!(b.body["pending_proposal"]["session_id"], visit_id.as_str());

    // Wednesday: the supervisor re-rates the boy to red, with a reason: his interval follows and
    // the supervisors' queue gets an alert.
    let path = format!("/api/v1/roster-entries/{e_grandson}/rerate");
    let red = send_current(&app, &path, &sup, &e_grandson, json!({"level": "red"})).await.expect(422);
    assert_eq!(red.body["errors"][0]["field"], "reason");
    let red =
        send_current(&app, &path, &sup, &e_grandson, json!({"level": "red", "reason": "煤气隐患未消除，监护人联系不上"})).await;
    let red = red.expect(200);
    assert_eq!((red.body["level"].as_str(), red.body["visit_interval_days"].as_i64()), (Some("red"), Some(7)));
    assert_eq!(red.body["next_visit_due"], (visited_day + Duration::days(7)).to_string());
    assert_eq!(red.body["pending_proposal"], Value::Null, "the proposal was superseded");
    let statuses: Vec<&str> =
        red.body["level_history"].as_array().expect("history").iter().filter_map(|h| h["status"].as_str()).collect();
    assert_eq!(statuses, vec!["confirmed", "superseded", "confirmed"]);
    let alerts = app.get("/api/v1/alerts?status=open", &sup).await.expect(200);
    let kinds: Vec<&str> = alerts.body["items"].as_array().expect("items").iter().filter_map(|a| a["kind"].as_str()).collect();
    assert_eq!(kinds, vec!["red_rating"]);

    // The due list now holds the neighbour (day 3) and the boy (a week after the visit).
    let due = app.get(&week, &worker).await.expect(200);
    let expected = if visited_day + Duration::days(7) < today() + Duration::days(3) {
        vec![e_grandson.clone(), e_neighbour.clone()]
    } else {
        vec![e_neighbour.clone(), e_grandson.clone()]
    };
    assert_eq!(item_ids(&due), expected);
    let overdue = app.get("/api/v1/roster-entries?responsible=me&overdue=true", &worker).await.expect(200);
    assert!(item_ids(&overdue).is_empty());

    // The statistics count the visit: two people served, two person-times, one household, and
    // two of the three people on the roster visited within their interval.
    let stats = app.get(&format!("/api/v1/stats?org_unit_id={}", f.unit("town_a1")), &sup).await.expect(200);
    let total = &stats.body["total"];
    assert_eq!(total["people_served"], 2, "{total}");
    assert_eq!(total["person_times"], 2);
    assert_eq!((total["sessions"]["visit"].as_i64(), total["visit_person_times"].as_i64()), (Some(1), Some(2)));
    assert_eq!(total["household_visits"], 1);
    assert_eq!(total["cases_opened"], 1);
    assert_eq!((total["roster_active"].as_i64(), total["roster_covered"].as_i64()), (Some(3), Some(2)));
    assert_eq!(total["roster_coverage"], 0.6667);
    assert_eq!(total["overdue_visits"], 0);
    assert_eq!(total["roster_by_programme"]["child_care"], json!({"red": 1}), "the boy is red now");
    let caseload = app.get(&format!("/api/v1/caseload?org_unit_id={}", f.unit("town_a1")), &sup).await.expect(200);
    let mine = caseload.body["workers"].as_array().expect("workers").iter().find(|w| w["user_id"] == json!(f.user("worker_a1")));
    let mine = mine.expect("worker_a1's row");
    assert_eq!((mine["roster_entries"].as_i64(), mine["visits_30d"].as_i64()), (Some(3), Some(1)), "{mine}");
    // The same figures from plain SQL over the same rows.
    let plain =
        app.sql_i64("SELECT count(DISTINCT c) FROM service_sessions s, unnest(s.client_ids) c WHERE s.method = 'visit'").await;
    assert_eq!(total["people_served"].as_i64(), Some(plain));
}

#[actix_web::test]
async fn bad_input_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let outsider_token = app.token("worker_b1").await;
    let outsider = {
        let body = json!({"org_unit_id": f.unit("town_b1"), "name": "乙县对象", "id_type": "none"});
        app.post("/api/v1/clients", &outsider_token, body).await.expect(201).id()
    };
    let a = person(&app, &f, &worker, "甲").await;
    let entry = enrol(&app, &worker, &a, "basic_protection", "green", json!({"enrolled_on": days(-10)})).await.expect(201).id();
    let gone = person(&app, &f, &worker, "已删除").await;
    let sup = app.token("sup_a1").await;
    app.send(Method::DELETE, &format!("/api/v1/clients/{gone}"), Some(&sup), None, &[]).await.expect(204);
    let case = json!({"client_id": a, "org_unit_id": f.unit("town_a1"), "source": "self_referral", "presenting_problem": "生活困难",
                      "domain": "social_assistance", "risk_level": "blue"});
    app.post("/api/v1/cases", &worker, case).await.expect(201);
    let before = app.sql_i64(WRITTEN).await;

    let res = app.post("/api/v1/sessions", &worker, visit(&[&a, &outsider], json!({}))).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "client_ids[1]");
    let res = enrol(&app, &worker, &gone, "other", "green", json!({})).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "client_id");
    let res = enrol(&app, &worker, &outsider, "other", "green", json!({})).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "client_id");
    let res = enrol(&app, &worker, &a, "basic_protection", "blue", json!({})).await.expect(409);
    assert_eq!(
        (res.body["code"].as_str(), res.body["roster_entry_id"].as_str()),
        (Some("already_enrolled"), Some(entry.as_str()))
    );
    let res = enrol(&app, &worker, &a, "elder_care", "red", json!({})).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "level_reason");
    let res = enrol(&app, &worker, &a, "elder_care", "green", json!({"enrolled_on": days(3)})).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "enrolled_on");
    let res = enrol(&app, &worker, &a, "elder_care", "green", json!({"visit_interval_days": 0})).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "visit_interval_days");
    let leave = format!("/api/v1/roster-entries/{entry}/leave");
    let res = send_current(&app, &leave, &worker, &entry, json!({"reason": "relocated", "left_on": days(-11)})).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "left_on");
    let res = send_current(&app, &leave, &worker, &entry, json!({"reason": "moved_away"})).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "reason");
    let red = json!({"levels_observed": [{"roster_entry_id": entry, "level": "red"}]});
    let res = app.post("/api/v1/sessions", &worker, visit(&[&a], red)).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "levels_observed[0].reason");
    let other = json!({"levels_observed": [{"roster_entry_id": Uuid::now_v7(), "level": "blue"}]});
    let res = app.post("/api/v1/sessions", &worker, visit(&[&a], other)).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "levels_observed[0].roster_entry_id");
    let open = json!({"action": "open_case", "case": {"client_id": a, "domain": "social_assistance", "presenting_problem": "再次求助", "risk_level": "blue"}});
    let res = app.post("/api/v1/sessions", &worker, visit(&[&a], open)).await.expect(409);
    assert_eq!(res.body["code"], "case_already_open");
    assert_eq!(res.body["status"], 409);
    let res = app.post("/api/v1/sessions", &worker, visit(&[&a], json!({"action": "open_case"}))).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "case");
    let stray = json!({"action": "none", "referral": {"client_id": a, "organization": "县残联", "reason": "辅具", "consent_given": true}});
    let res = app.post("/api/v1/sessions", &worker, visit(&[&a], stray)).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "referral");
    let refer = json!({"action": "refer", "referral": {"client_id": a, "organization": "县残联", "reason": "辅具", "consent_given": false}});
    let res = app.post("/api/v1/sessions", &worker, visit(&[&a], refer)).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "referral.consent_given");
    let res = app.post("/api/v1/sessions", &worker, visit(&[&a, &a], json!({}))).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "client_ids");
    let res = app.post("/api/v1/sessions", &worker, visit(&[], json!({}))).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "client_ids");
    let res = app.post("/api/v1/sessions", &worker, visit(&[&a], json!({"mode": "telepathy"}))).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "mode");
    assert_eq!(app.sql_i64(WRITTEN).await, before, "nothing was written");

    // A worker who is not responsible may not re-rate; an admin may do no field work.
    let other_worker = app.token("worker_a1b").await;
    let rerate = format!("/api/v1/roster-entries/{entry}/rerate");
    send_current(&app, &rerate, &other_worker, &entry, json!({"level": "blue"})).await.expect(403);
    let admin = app.token("admin_a").await;
    enrol(&app, &admin, &a, "other", "green", json!({})).await.expect(403);
    app.post("/api/v1/sessions", &admin, visit(&[&a], json!({}))).await.expect(403);
    // A stale version is refused.
    let stale = app.send(Method::POST, &rerate, Some(&worker), Some(&json!({"level": "blue"})), &[("If-Match", "\"99\"")]).await;
    stale.expect(412);
    assert_eq!(app.sql_i64(WRITTEN).await, before, "nothing was written");

    // Leaving keeps the row; a second active entry may then be opened, and the left one shows
    // under `status=left`.
    send_current(&app, &leave, &worker, &entry, json!({"reason": "relocated", "note": "随子女迁往银川"})).await.expect(200);
    send_current(&app, &leave, &worker, &entry, json!({"reason": "relocated"})).await.expect(409);
    let again = enrol(&app, &worker, &a, "basic_protection", "green", json!({})).await.expect(201).id();
    let left = app.get("/api/v1/roster-entries?status=left", &worker).await.expect(200);
    assert_eq!(item_ids(&left), vec![entry.clone()]);
    assert_eq!(left.body["items"][0]["next_visit_due"], Value::Null);
    let active = app.get(&format!("/api/v1/roster-entries?client_id={a}"), &worker).await.expect(200);
    assert_eq!(item_ids(&active), vec![again]);
}

#[actix_web::test]
async fn proposals_are_confirmed_or_rejected_by_the_responsible_worker_or_a_supervisor() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let colleague = app.token("worker_a1b").await;
    let a = person(&app, &f, &worker, "甲").await;
    let entry = enrol(&app, &worker, &a, "disability_care", "green", json!({})).await.expect(201).id();
    // A colleague visits and sees blue: a proposal for the responsible worker.
    let seen = json!({"levels_observed": [{"roster_entry_id": entry, "level": "blue", "reason": "行动不便加重"}]});
    app.post("/api/v1/sessions", &colleague, visit(&[&a], seen.clone())).await.expect(201);
    let path = format!("/api/v1/roster-entries/{entry}/proposal");
    send_current(&app, &path, &colleague, &entry, json!({"decision": "confirm"})).await.expect(403);
    let done = send_current(&app, &path, &worker, &entry, json!({"decision": "confirm"})).await.expect(200);
    assert_eq!((done.body["level"].as_str(), done.body["visit_interval_days"].as_i64()), (Some("blue"), Some(30)));
    assert_eq!(done.body["level_history"][0]["status"], "confirmed");
    assert_eq!(done.body["level_history"][0]["reason"], "行动不便加重");
    assert_eq!(app.sql_i64("SELECT count(*) FROM roster_level_events").await, 2, "enrolment and the confirmed proposal");
    send_current(&app, &path, &worker, &entry, json!({"decision": "confirm"})).await.expect(409);

    // Another visit proposes yellow; the supervisor rejects it and the level stays.
    let seen = json!({"levels_observed": [{"roster_entry_id": entry, "level": "yellow", "reason": "情绪低落"}]});
    app.post("/api/v1/sessions", &colleague, visit(&[&a], seen)).await.expect(201);
    let sup = app.token("sup_a1").await;
    let kept = send_current(&app, &path, &sup, &entry, json!({"decision": "reject", "note": "短期波动"})).await.expect(200);
    assert_eq!(kept.body["level"], "blue");
    assert_eq!(kept.body["level_history"][0]["status"], "rejected");
    assert_eq!(kept.body["level_history"][0]["decision_note"], "短期波动");

    // A red observation is confirmed at once and alerts the supervisors.
    let seen = json!({"levels_observed": [{"roster_entry_id": entry, "level": "red", "reason": "跌倒后无人照料"}], "action": "urgent_report"});
    let v = app.post("/api/v1/sessions", &colleague, visit(&[&a], seen)).await.expect(201).id();
    let now = app.get(&format!("/api/v1/roster-entries/{entry}"), &worker).await.expect(200);
    assert_eq!((now.body["level"].as_str(), now.body["visit_interval_days"].as_i64()), (Some("red"), Some(7)));
    let open = app.get("/api/v1/alerts?status=open", &sup).await.expect(200);
    let mut kinds: Vec<&str> = open.body["items"].as_array().expect("items").iter().filter_map(|a| a["kind"].as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, vec!["red_rating", "urgent_report"]);
    assert!(open.body["items"].as_array().expect("items").iter().all(|a| a["session_id"] == v.as_str()));
    let alert = open.body["items"][0]["id"].as_str().expect("id").to_owned();
    let ack = format!("/api/v1/alerts/{alert}/acknowledge");
    app.post(&ack, &worker, json!({"note": "已处理"})).await.expect(403);
    let done = app.post(&ack, &sup, json!({"note": "已联系村委会，当天上门"})).await.expect(200);
    assert_eq!(done.body["status"], "acknowledged");
    app.post(&ack, &sup, json!({"note": "再次处理"})).await.expect(409);
    assert_eq!(item_ids(&app.get("/api/v1/alerts?status=open", &sup).await.expect(200)).len(), 1);
}

#[actix_web::test]
async fn a_units_intervals_apply_to_entries_that_follow_their_level() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let sup = app.token("sup_a").await;
    let a = person(&app, &f, &worker, "甲").await;
    let b = person(&app, &f, &worker, "乙").await;
    let follows = enrol(&app, &worker, &a, "elder_care", "green", json!({})).await.expect(201).id();
    let fixed = enrol(&app, &worker, &b, "elder_care", "green", json!({"visit_interval_days": 45})).await.expect(201).id();
    let town = f.unit("town_a1");
    let path = format!("/api/v1/org-units/{town}/visit-intervals");
    let shown = app.get(&path, &worker).await.expect(200);
    assert_eq!((shown.body["green"].as_i64(), shown.header("etag").as_deref()), (Some(90), Some("\"0\"")));
    let put = |token: String, etag: &'static str, body: Value| {
        let path = path.clone();
        let app = &app;
        async move { app.send(Method::PUT, &path, Some(&token), Some(&body), &[("If-Match", etag)]).await }
    };
    put(worker.clone(), "\"0\"", json!({"red": 7, "yellow": 14, "blue": 30, "green": 60})).await.expect(403);
    let res = put(sup.clone(), "\"0\"", json!({"red": 20, "yellow": 14, "blue": 30, "green": 60})).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "red");
    put(sup.clone(), "\"1\"", json!({"red": 7, "yellow": 14, "blue": 30, "green": 60})).await.expect(412);
    let res = put(sup.clone(), "\"0\"", json!({"red": 5, "yellow": 10, "blue": 30, "green": 60})).await.expect(200);
    assert_eq!(res.body["entries_changed"], 1);
    let e = app.get(&format!("/api/v1/roster-entries/{follows}"), &worker).await.expect(200);
    assert_eq!(e.body["visit_interval_days"], 60);
    assert_eq!(app.get(&format!("/api/v1/roster-entries/{fixed}"), &worker).await.expect(200).body["visit_interval_days"], 45);
    // The village room below inherits them; new entries take them; re-rating follows them.
    let below = app.get(&format!("/api/v1/org-units/{}/visit-intervals", f.unit("village_a1")), &worker).await.expect(200);
    assert_eq!((below.body["red"].as_i64(), below.body["set_by_unit_id"].as_str()), (Some(5), Some(town.to_string().as_str())));
    let c = person(&app, &f, &worker, "丙").await;
    let fresh = enrol(&app, &worker, &c, "elder_care", "yellow", json!({})).await.expect(201);
    assert_eq!(fresh.body["visit_interval_days"], 10);
    let path = format!("/api/v1/roster-entries/{follows}/rerate");
    let r = send_current(&app, &path, &worker, &follows, json!({"level": "red", "reason": "病重"})).await.expect(200);
    assert_eq!(r.body["visit_interval_days"], 5);
    // Clearing a fixed interval puts the entry back on its level's.
    let cleared = app
        .send_current(
            Method::PATCH,
            &format!("/api/v1/roster-entries/{fixed}"),
            &worker,
            ("roster_entries", &fixed),
            json!({"visit_interval_days": null}),
        )
        .await
        .expect(200);
    assert_eq!((cleared.body["visit_interval_days"].as_i64(), cleared.body["interval_fixed"].as_bool()), (Some(60), Some(false)));
}

#[actix_web::test]
async fn the_last_visit_is_the_newest_whatever_order_visits_are_recorded_or_edited_in() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let a = person(&app, &f, &worker, "甲").await;
    let entry = enrol(&app, &worker, &a, "basic_protection", "blue", json!({"enrolled_on": days(-60)})).await.expect(201).id();
    let at = |h: i64| json!({"occurred_at": hours_ago(h)});
    let recent = app.post("/api/v1/sessions", &worker, visit(&[&a], at(2))).await.expect(201).id();
    // A late entry of an older visit leaves the newer one standing.
    let old = app.post("/api/v1/sessions", &worker, visit(&[&a], at(24 * 20))).await.expect(201);
    assert_eq!(old.body["late_entry"], true);
    let old = old.id();
    let derived = "SELECT count(*) FROM roster_entries e WHERE e.last_visit_at IS NOT DISTINCT FROM \
                   (SELECT max(v.occurred_at) FROM visit_roster_entries v WHERE v.roster_entry_id = e.id)";
    assert_eq!(app.sql_i64(derived).await, 1);
    let e = app.get(&format!("/api/v1/roster-entries/{entry}"), &worker).await.expect(200);
    let expected = ((Utc::now() - Duration::hours(2) + Duration::hours(8)).date_naive() + Duration::days(30)).to_string();
    assert_eq!(e.body["next_visit_due"], expected);
    // Moving the recent visit back in time hands "last" to whichever is now newest.
    let moved = json!({"occurred_at": hours_ago(24 * 40)});
    app.send_current(Method::PATCH, &format!("/api/v1/sessions/{recent}"), &worker, ("service_sessions", &recent), moved)
        .await
        .expect(200);
    assert_eq!(app.sql_i64(derived).await, 1);
    assert_eq!(crate::stats::rollup_differences(&app).await, 0, "the monthly totals moved the visit's clients with it");
    let last = app.db.query_text(&format!("SELECT last_visit_at::text FROM roster_entries WHERE id = '{entry}'")).await;
    let old_at = app.db.query_text(&format!("SELECT occurred_at::text FROM service_sessions WHERE id = '{old}'")).await;
    assert_eq!(last, old_at);
    // The SQL that derives the due day agrees with the Rust rule for every entry.
    let rows = app
        .db
        .query_text(
            "SELECT string_agg(coalesce(china_date(last_visit_at)::text, '-') || '|' || enrolled_on || '|' || visit_interval_days \
             || '|' || next_visit_due, ';') FROM roster_entries",
        )
        .await;
    for row in rows.split(';') {
        let p: Vec<&str> = row.split('|').collect();
        let last = (p[0] != "-").then(|| p[0].parse::<NaiveDate>().expect("date"));
        let due = shegong::domain::fieldwork::next_visit_due(last, p[1].parse().expect("date"), p[2].parse().expect("days"));
        assert_eq!(due.to_string(), p[3], "{row}");
    }
    // Replaying a visit with its id records it once.
    let id = Uuid::now_v7();
    let mut body = visit(&[&a], json!({}));
    body["id"] = json!(id);
    app.post("/api/v1/sessions", &worker, body.clone()).await.expect(201);
    app.post("/api/v1/sessions", &worker, body).await.expect(200);
    assert_eq!(app.sql_i64(&format!("SELECT count(*) FROM visit_roster_entries WHERE session_id = '{id}'")).await, 1);
}

#[actix_web::test]
async fn a_referral_from_a_visit_is_the_visitors_to_follow() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let a = person(&app, &f, &worker, "甲").await;
    let refer = json!({"action": "refer", "referral": {"client_id": a, "organization": "县残联", "contact": "张科长", "phone": "0955-7012345",
                       "reason": "申请轮椅", "consent_given": true}});
    let v = app.post("/api/v1/sessions", &worker, visit(&[&a], refer)).await.expect(201);
    let referral = v.body["visit"]["referral_id"].as_str().expect("referral").to_owned();
    let row = app
        .sql_i64(&format!(
            "SELECT count(*) FROM referrals WHERE id = '{referral}' AND case_id IS NULL AND client_id = '{a}' AND direction = 'out' AND session_id = '{}'",
            v.id()
        ))
        .await;
    assert_eq!(row, 1);
    let path = format!("/api/v1/referrals/{referral}");
    let colleague = app.token("worker_a1b").await;
    app.send_current(Method::PATCH, &path, &colleague, ("referrals", &referral), json!({"status": "accepted"})).await.expect(403);
    let done = app.send_current(Method::PATCH, &path, &worker, ("referrals", &referral), json!({"status": "accepted"})).await;
    assert_eq!(done.expect(200).body["status"], "accepted");
}

#[actix_web::test]
async fn deleting_a_client_ends_their_roster_entries() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let a = person(&app, &f, &worker, "甲").await;
    let one = enrol(&app, &worker, &a, "elder_care", "blue", json!({})).await.expect(201).id();
    let two = enrol(&app, &worker, &a, "basic_protection", "green", json!({})).await.expect(201).id();
    let sup = app.token("sup_a1").await;
    app.send(Method::DELETE, &format!("/api/v1/clients/{a}"), Some(&sup), None, &[]).await.expect(204);
    let left = app.get("/api/v1/roster-entries?status=left", &worker).await.expect(200);
    let mut ids = item_ids(&left);
    ids.sort();
    let mut expected = vec![one, two];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(left.body["items"].as_array().expect("items").iter().all(|i| i["leave_reason"] == "other"));
    assert!(item_ids(&app.get("/api/v1/roster-entries", &worker).await.expect(200)).is_empty(), "no one to visit");
}
