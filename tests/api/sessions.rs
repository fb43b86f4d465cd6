//! Service sessions and groups: each method's shape, group attendance figures, late entries,
//! edits with If-Match, and scope.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use shegong::domain::id_number::check_char_for;

use crate::helpers::{consent, Fixture, TestApp};

fn resident_id(birth: &str, seq: u32) -> String {
    let body = format!("640502{birth}{seq:03}");
    format!("{body}{}", check_char_for(&body).expect("17 digits"))
}

async fn client(app: &TestApp, f: &Fixture, token: &str, seq: u32) -> String {
    let body = json!({
        "org_unit_id": f.unit("town_a1"), "name": format!("组员{seq}"), "id_type": "resident_id",
        "id_number": resident_id("19800101", seq), "categories": ["dibao"], "consent": consent(),
    });
    app.post("/api/v1/clients", token, body).await.expect(201).id()
}

async fn group_with_members(app: &TestApp, f: &Fixture, token: &str, n: u32) -> (String, Vec<String>) {
    let group = app
        .post(
            "/api/v1/groups",
            token,
            json!({"org_unit_id": f.unit("town_a1"), "name": "长者互助小组", "type": "support", "planned_sessions": 6}),
        )
        .await
        .expect(201)
        .id();
    let mut members = Vec::new();
    for i in 0..n {
        members.push(client(app, f, token, 100 + i * 2).await);
    }
    let body = json!({"members": members.iter().map(|m| json!({"client_id": m})).collect::<Vec<_>>()});
    app.send_current(Method::PUT, &format!("/api/v1/groups/{group}/members"), token, ("groups", &group), body).await.expect(200);
    (group, members)
}

fn at(days_ago: i64) -> String {
    (Utc::now() - Duration::days(days_ago)).to_rfc3339()
}

#[actix_web::test]
async fn group_attendance_rate_and_person_times() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let (group, members) = group_with_members(&app, &f, &worker, 10).await;
    // Six sessions; in session k (1..=6) the first 4 + k members attend (late counts), the rest
    // are absent or excused, and session 6 also has two walk-ins.
    let mut expected_members_attended = 0;
    for k in 1..=6usize {
        let mut attendance: Vec<Value> = members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let status = if i < 4 + k {
                    if i % 3 == 0 {
                        "late"
                    } else {
                        "present"
                    }
                } else if i % 2 == 0 {
                    "absent"
                } else {
                    "excused"
                };
                json!({"client_id": m, "status": status})
            })
            .collect();
        expected_members_attended += (4 + k).min(10);
        if k == 6 {
            attendance.push(json!({"participant_name": "路过的居民", "status": "present"}));
            attendance.push(json!({"participant_name": "志愿者小李", "status": "late"}));
        }
        let body = json!({"method": "group", "group_id": group, "occurred_at": at(7 - k as i64), "duration_minutes": 90, "theme": format!("第{k}次活动"), "attendance": attendance});
        let res = app.post("/api/v1/sessions", &worker, body).await.expect(201);
        assert_eq!(res.body["session_no"], json!(k));
    }
    let g = app.get(&format!("/api/v1/groups/{group}"), &worker).await.expect(200);
    assert_eq!(g.body["sessions"].as_array().expect("sessions").len(), 6);
    let person_times = expected_members_attended as i64 + 2;
    assert_eq!(g.body["person_times"], json!(person_times));
    let rate = expected_members_attended as f64 / 60.0;
    assert!((g.body["attendance_rate"].as_f64().expect("rate") - rate).abs() < 1e-4, "{}", g.body["attendance_rate"]);
    assert_eq!(g.body["sessions"][5]["attended"], json!(12));
    assert_eq!(g.body["sessions"][0]["attendance_rate"], json!(0.5));
    // The same figures from plain SQL over the stored rows.
    let sql_person_times = app
        .sql_i64(&format!(
            "SELECT count(*) FROM session_attendance a JOIN service_sessions s ON s.id = a.session_id \
             WHERE s.group_id = '{group}' AND a.status IN ('present', 'late')"
        ))
        .await;
    assert_eq!(sql_person_times, person_times);
}

#[actix_web::test]
async fn each_method_is_validated_for_its_own_shape() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let (group, members) = group_with_members(&app, &f, &worker, 2).await;
    let outsider = client(&app, &f, &worker, 900).await;

    let fields = |res: &crate::helpers::Res| -> Vec<String> {
        res.body["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().expect("field").to_owned()).collect()
    };
    // Community: the wrong kind, a negative count, a group field.
    let res = app
        .post("/api/v1/sessions", &worker, json!({"method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": at(1), "duration_minutes": 60, "title": "议事会", "kind": "party", "participant_count": 10}))
        .await
        .expect(422);
    assert_eq!(fields(&res), vec!["kind"]);
    let res = app
        .post("/api/v1/sessions", &worker, json!({"method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": at(1), "duration_minutes": 60, "title": "议事会", "kind": "deliberation", "participant_count": -1}))
        .await
        .expect(422);
    assert_eq!(fields(&res), vec!["participant_count"]);
    let res = app
        .post("/api/v1/sessions", &worker, json!({"method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": at(1), "duration_minutes": 60, "title": "议事会", "kind": "deliberation", "participant_count": 5, "group_id": group}))
        .await
        .expect(422);
    assert_eq!(fields(&res), vec!["group_id"]);
    // Group: a non-member, a row with neither member nor name, no duration.
    let res = app
        .post("/api/v1/sessions", &worker, json!({"method": "group", "group_id": group, "occurred_at": at(1), "duration_minutes": 60,
            "attendance": [{"client_id": members[0], "status": "present"}, {"client_id": outsider, "status": "present"}, {"status": "late"}]}))
        .await
        .expect(422);
    assert_eq!(fields(&res), vec!["attendance[1].client_id", "attendance[2]"]);
    let res = app
        .post("/api/v1/sessions", &worker, json!({"method": "group", "group_id": group, "occurred_at": at(1), "attendance": []}))
        .await
        .expect(422);
    assert_eq!(fields(&res), vec!["duration_minutes"]);
    // Unknown method, and a session in the future.
    app.post("/api/v1/sessions", &worker, json!({"method": "telepathy", "occurred_at": at(1)})).await.expect(422);
    let future = (Utc::now() + Duration::hours(2)).to_rfc3339();
    let res = app
        .post("/api/v1/sessions", &worker, json!({"method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": future, "duration_minutes": 60, "title": "明天", "kind": "event", "participant_count": 5}))
        .await
        .expect(422);
    assert_eq!(fields(&res), vec!["occurred_at"]);
    assert_eq!(app.sql_i64("SELECT count(*) FROM service_sessions").await, 0, "nothing was written");

    // A valid community session, recorded three days late.
    let res = app
        .post(
            "/api/v1/sessions",
            &worker,
            json!({"method": "community", "org_unit_id": f.unit("village_a1"), "occurred_at": at(3), "duration_minutes": 120,
            "title": "重阳节敬老活动", "kind": "event", "participant_count": 80, "volunteer_count": 12, "volunteer_hours": 36.5,
            "partners": ["community", "volunteer", "charity"], "resources_value_yuan": 1234.56, "service_types": ["visit_care"]}),
        )
        .await
        .expect(201);
    assert_eq!(res.body["late_entry"], json!(true));
    assert_eq!(res.body["resources_value_yuan"], json!(1234.56));
    assert_eq!(app.sql_i64("SELECT resources_value_fen FROM service_sessions").await, 123456);
    // A session from an hour ago is not late.
    let res = app
        .post("/api/v1/sessions", &worker, json!({"method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": (Utc::now() - Duration::hours(1)).to_rfc3339(), "duration_minutes": 30, "title": "政策宣讲", "kind": "education", "participant_count": 20}))
        .await
        .expect(201);
    assert_eq!(res.body["late_entry"], json!(false));
}

#[actix_web::test]
async fn closed_groups_take_no_sessions_and_edits_are_audited() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let (group, members) = group_with_members(&app, &f, &worker, 3).await;
    let body = json!({"method": "group", "group_id": group, "occurred_at": at(1), "duration_minutes": 60, "attendance": [{"client_id": members[0], "status": "present"}]});
    let session = app.post("/api/v1/sessions", &worker, body.clone()).await.expect(201);
    let sid = session.id();

    let path = format!("/api/v1/sessions/{sid}");
    app.send(Method::PATCH, &path, Some(&worker), Some(&json!({"summary": "补充"})), &[]).await.expect(428);
    app.patch(&path, &worker, "\"5\"", json!({"summary": "补充"})).await.expect(412);
    app.patch(&path, &worker, "\"1\"", json!({"participant_count": 3})).await.expect(422);
    let res = app
        .patch(&path, &worker, "\"1\"", json!({"summary": "组员分享了近况", "attendance": [{"client_id": members[0], "status": "late"}, {"client_id": members[1], "status": "present"}]}))
        .await
        .expect(200);
    assert_eq!(res.body["attendance"].as_array().expect("attendance").len(), 2);
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    let audit = app.sql_i64(&format!("SELECT count(*) FROM audit_events WHERE action = 'session.update' AND entity_id = '{sid}' AND details->'fields' ? 'summary' AND details->'fields' ? 'attendance'")).await;
    assert_eq!(audit, 1);
    // Someone else's session: another worker may not edit it; a supervisor may.
    let other = app.token("worker_a1b").await;
    app.patch(&path, &other, "\"2\"", json!({"summary": "x"})).await.expect(403);
    let sup = app.token("sup_a1").await;
    app.patch(&path, &sup, "\"2\"", json!({"duration_minutes": 75})).await.expect(200);

    // End the group: no more sessions (409).
    let g = app.get(&format!("/api/v1/groups/{group}"), &worker).await.expect(200);
    let etag = g.header("etag").expect("etag");
    let res = app.patch(&format!("/api/v1/groups/{group}"), &worker, &etag, json!({"status": "ended"})).await;
    assert_eq!(res.status.as_u16(), 409, "planning cannot jump to ended: {}", res.text);
    let res = app.patch(&format!("/api/v1/groups/{group}"), &worker, &etag, json!({"status": "running"})).await.expect(200);
    let etag = res.header("etag").expect("etag");
    app.patch(&format!("/api/v1/groups/{group}"), &worker, &etag, json!({"status": "ended"})).await.expect(200);
    app.post("/api/v1/sessions", &worker, body).await.expect(409);

    // Members who leave keep their history.
    let res = app
        .send_current(
            Method::PUT,
            &format!("/api/v1/groups/{group}/members"),
            &worker,
            ("groups", &group),
            json!({"members": [{"client_id": members[0]}], "exit_reason": "搬迁"}),
        )
        .await
        .expect(200);
    let periods = res.body["members"].as_array().expect("members");
    assert_eq!(periods.len(), 3);
    assert_eq!(periods.iter().filter(|m| m["left_on"].is_null()).count(), 1);
    assert!(periods.iter().any(|m| m["exit_reason"] == "搬迁"));
}

#[actix_web::test]
async fn sessions_and_groups_of_other_branches_do_not_exist() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let (group, members) = group_with_members(&app, &f, &worker, 1).await;
    let body = json!({"method": "group", "group_id": group, "occurred_at": at(1), "duration_minutes": 60, "attendance": [{"client_id": members[0], "status": "present"}]});
    let sid = app.post("/api/v1/sessions", &worker, body).await.expect(201).id();
    let community = json!({"method": "community", "org_unit_id": f.unit("town_a1"), "occurred_at": at(1), "duration_minutes": 60, "title": "活动", "kind": "event", "participant_count": 5});
    app.post("/api/v1/sessions", &worker, community).await.expect(201);

    let random = uuid::Uuid::now_v7();
    for who in ["worker_a2", "worker_b1", "sup_b"] {
        let token = app.token(who).await;
        let requests: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, "/api/v1/sessions/{}".into(), None),
            (Method::PATCH, "/api/v1/sessions/{}".into(), Some(json!({"summary": "x"}))),
            (Method::GET, "/api/v1/groups/{}".into(), None),
            (Method::PATCH, "/api/v1/groups/{}".into(), Some(json!({"name": "x"}))),
            (Method::PUT, "/api/v1/groups/{}/members".into(), Some(json!({"members": []}))),
        ];
        for (method, template, body) in requests {
            let id = if template.contains("sessions") { sid.clone() } else { group.clone() };
            let ours = app
                .send(method.clone(), &template.replace("{}", &id), Some(&token), body.as_ref(), &[("If-Match", "\"1\"")])
                .await;
            let missing = app
                .send(
                    method.clone(),
                    &template.replace("{}", &random.to_string()),
                    Some(&token),
                    body.as_ref(),
                    &[("If-Match", "\"1\"")],
                )
                .await;
            assert_eq!(ours.status.as_u16(), 404, "{who} {method} {template}: {}", ours.text);
            assert_eq!(ours.text, missing.text);
        }
        assert!(app.get("/api/v1/sessions", &token).await.expect(200).body["items"].as_array().expect("items").is_empty());
        assert!(app.get("/api/v1/groups", &token).await.expect(200).body["items"].as_array().expect("items").is_empty());
        // Their own units cannot host a session on our group.
        let body = json!({"method": "group", "group_id": group, "occurred_at": at(1), "duration_minutes": 60, "attendance": []});
        let res = app.post("/api/v1/sessions", &token, body).await.expect(422);
        assert_eq!(res.body["errors"][0]["field"], "group_id");
    }
    assert_eq!(app.sql_i64("SELECT count(*) FROM service_sessions").await, 2);
    // Filters.
    let sup = app.token("sup_a").await;
    assert_eq!(
        app.get("/api/v1/sessions?method=group", &sup).await.expect(200).body["items"].as_array().expect("items").len(),
        1
    );
    assert_eq!(
        app.get(&format!("/api/v1/sessions?group_id={group}"), &sup).await.expect(200).body["items"]
            .as_array()
            .expect("items")
            .len(),
        1
    );
    let from = (Utc::now() - Duration::hours(30)).to_rfc3339();
    let path = format!("/api/v1/sessions?from={}", urlencode(&from));
    assert_eq!(app.get(&path, &sup).await.expect(200).body["items"].as_array().expect("items").len(), 2);
    let path = format!("/api/v1/sessions?to={}", urlencode(&from));
    assert!(app.get(&path, &sup).await.expect(200).body["items"].as_array().expect("items").is_empty());
    assert_eq!(
        app.get(&format!("/api/v1/sessions?recorded_by={}", f.user("worker_a1")), &sup).await.expect(200).body["items"]
            .as_array()
            .expect("items")
            .len(),
        2
    );
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

async fn intervention_case(app: &TestApp, f: &Fixture, worker: &str, sup: &str, seq: u32) -> (String, String) {
    let client = client(app, f, worker, seq).await;
    let body = json!({"client_id": client, "org_unit_id": f.unit("town_a1"), "source": "outreach", "presenting_problem": "独居，行动不便。",
                      "domain": "elderly_care", "risk_level": "yellow"});
    let case = app.post("/api/v1/cases", worker, body).await.expect(201).id();
    let act = |token: String, action: Value| {
        let case = case.clone();
        async move {
            let etag = app.get(&format!("/api/v1/cases/{case}"), &token).await.expect(200).header("etag").expect("etag");
            app.send(
                Method::POST,
                &format!("/api/v1/cases/{case}/transitions"),
                Some(&token),
                Some(&action),
                &[("If-Match", etag.as_str())],
            )
            .await
        }
    };
    act(worker.to_owned(), json!({"action": "start_assessment"})).await.expect(200);
    app.post(
        &format!("/api/v1/cases/{case}/assessments"),
        worker,
        json!({"sources": ["interview"], "risk_level": "yellow", "summary": "需要探访"}),
    )
    .await
    .expect(201);
    act(worker.to_owned(), json!({"action": "start_planning"})).await.expect(200);
    let plan = app
        .post(
            &format!("/api/v1/cases/{case}/plans"),
            worker,
            json!({"overall_goal": "安全居家", "goals": [{"description": "安装扶手"}]}),
        )
        .await
        .expect(201);
    let goal = plan.body["goals"][0]["id"].as_str().expect("goal").to_owned();
    let review = act(worker.to_owned(), json!({"action": "submit_plan"})).await.expect(202).id();
    app.decide(sup, &review, json!({"decision": "approve"})).await.expect(200);
    (case, goal)
}

#[actix_web::test]
async fn individual_sessions_follow_their_case() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let sup = app.token("sup_a1").await;
    let (case, goal) = intervention_case(&app, &f, &worker, &sup, 300).await;
    let body = |extra: Value| {
        let mut b = json!({"method": "individual", "case_id": case, "occurred_at": at(2), "duration_minutes": 50, "mode": "home_visit",
                           "goal_ids": [goal], "client_response": "积极配合", "service_types": ["visit_care"]});
        for (k, v) in extra.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    // Shape errors name their field; goals must be the case's own.
    let res = app.post("/api/v1/sessions", &worker, body(json!({"mode": "carrier_pigeon"}))).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "mode");
    let res = app.post("/api/v1/sessions", &worker, body(json!({"goal_ids": [uuid::Uuid::now_v7()]}))).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "goal_ids[0]");
    // Another worker of the same station may not record on a case that is not theirs.
    let other = app.token("worker_a1b").await;
    app.post("/api/v1/sessions", &other, body(json!({}))).await.expect(403);

    // A risk change moves the case's risk and shows on its timeline; the visit clock restarts.
    let res = app.post("/api/v1/sessions", &worker, body(json!({"risk_change": "red"}))).await.expect(201);
    assert_eq!(res.body["late_entry"], json!(true));
    assert!(res.body["client_id"].is_string());
    let c = app.get(&format!("/api/v1/cases/{case}"), &worker).await.expect(200);
    assert_eq!(c.body["risk_level"], "red");
    assert!(c.body["last_session_at"].is_string());
    let timeline = app.get(&format!("/api/v1/cases/{case}/timeline"), &worker).await.expect(200);
    let kinds: Vec<&str> = timeline.body["items"].as_array().expect("items").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(kinds.contains(&"session.recorded") && kinds.contains(&"case.risk_changed"), "{kinds:?}");
    // A later session recorded earlier does not move the clock back.
    let last = c.body["last_session_at"].clone();
    app.post("/api/v1/sessions", &worker, body(json!({"occurred_at": at(6)}))).await.expect(201);
    assert_eq!(app.get(&format!("/api/v1/cases/{case}"), &worker).await.expect(200).body["last_session_at"], last);
    assert_eq!(
        app.get(&format!("/api/v1/sessions?case_id={case}"), &sup).await.expect(200).body["items"]
            .as_array()
            .expect("items")
            .len(),
        2
    );

    // On a case that is closed (here: voided) no session can be recorded.
    let etag = app.get(&format!("/api/v1/cases/{case}"), &sup).await.expect(200).header("etag").expect("etag");
    app.send(
        Method::POST,
        &format!("/api/v1/cases/{case}/transitions"),
        Some(&sup),
        Some(&json!({"action": "void", "reason": "重复建档"})),
        &[("If-Match", etag.as_str())],
    )
    .await
    .expect(200);
    let res = app.post("/api/v1/sessions", &worker, body(json!({}))).await.expect(409);
    assert_eq!(res.body["code"], "case_not_active");
    // Other branches cannot reach the case at all.
    let b1 = app.token("worker_b1").await;
    let res = app.post("/api/v1/sessions", &b1, body(json!({}))).await.expect(422);
    assert_eq!(res.body["errors"][0]["field"], "case_id");
    assert_eq!(app.sql_i64("SELECT count(*) FROM service_sessions WHERE method = 'individual'").await, 2);
}

#[actix_web::test]
async fn a_stale_member_list_ends_no_membership() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let worker = app.token("worker_a1").await;
    let (group, members) = group_with_members(&app, &f, &worker, 2).await;
    let path = format!("/api/v1/groups/{group}/members");
    let read = app.etag_of("groups", &group).await;
    // Someone else adds a member after the phone read the list.
    let third = client(&app, &f, &worker, 140).await;
    let all: Vec<Value> = members.iter().chain([&third]).map(|m| json!({"client_id": m})).collect();
    app.send_current(Method::PUT, &path, &worker, ("groups", &group), json!({"members": all})).await.expect(200);
    let open = "SELECT count(*) FROM group_members WHERE left_on IS NULL";
    assert_eq!(app.sql_i64(open).await, 3);

    // The phone replays its old list: without If-Match 428, with the old version 412.
    let stale = json!({"members": [{"client_id": members[0]}]});
    app.send(Method::PUT, &path, Some(&worker), Some(&stale), &[]).await.expect(428);
    app.send(Method::PUT, &path, Some(&worker), Some(&stale), &[("If-Match", read.as_str())]).await.expect(412);
    assert_eq!(app.sql_i64(open).await, 3, "no membership ended");
}
