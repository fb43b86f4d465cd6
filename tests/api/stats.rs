//! Statistics: every figure against an independent plain-SQL count over a known data set,
//! scope, and the spreadsheet export read back.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use chrono::{Datelike, Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use shegong::domain::enums::{ClientCategory, PopulationGroup};
use shegong::domain::id_number::check_char_for;
use shegong::domain::labels::Coded;
use shegong::domain::population;

use crate::helpers::{consent, Fixture, TestApp};

fn resident_id(birth: &str, seq: u32) -> String {
    let body = format!("640502{birth}{seq:03}");
    format!("{body}{}", check_char_for(&body).expect("17 digits"))
}

fn at(days_ago: i64) -> String {
    (Utc::now() - Duration::days(days_ago)).to_rfc3339()
}

async fn client(app: &TestApp, token: &str, unit: uuid::Uuid, seq: u32, categories: Value) -> String {
    let body = json!({"org_unit_id": unit, "name": format!("对象{seq}"), "id_type": "resident_id",
        "id_number": resident_id("19500101", seq), "categories": categories, "consent": consent()});
    app.post("/api/v1/clients", token, body).await.expect(201).id()
}

/// A known data set: town_a1 has a group of three with four sessions where one member comes
/// every time, a walk-in once, and a community event; town_b1 has a community event too.
async fn data(app: &TestApp, f: &Fixture) {
    let a1 = app.token("worker_a1").await;
    let b1 = app.token("worker_b1").await;
    let c1 = client(app, &a1, f.unit("town_a1"), 11, json!(["dibao", "left_behind_elder"])).await;
    let c2 = client(app, &a1, f.unit("village_a1"), 13, json!(["dibao"])).await;
    let c3 = client(app, &a1, f.unit("town_a1"), 15, json!(["empty_nest_elder"])).await;
    client(app, &b1, f.unit("town_b1"), 17, json!(["dibao", "tekun"])).await;
    let group = app
        .post("/api/v1/groups", &a1, json!({"org_unit_id": f.unit("town_a1"), "name": "长者小组", "type": "support"}))
        .await
        .expect(201)
        .id();
    let members = json!({"members": [{"client_id": c1}, {"client_id": c2}, {"client_id": c3}]});
    app.send_current(Method::PUT, &format!("/api/v1/groups/{group}/members"), &a1, ("groups", &group), members).await.expect(200);
    for k in 0..4 {
        let mut attendance = vec![json!({"client_id": c1, "status": if k == 0 { "late" } else { "present" }})];
        attendance.push(json!({"client_id": c2, "status": if k % 2 == 0 { "present" } else { "absent" }}));
        attendance.push(json!({"client_id": c3, "status": "excused"}));
        if k == 3 {
            attendance.push(json!({"participant_name": "来访居民", "status": "present"}));
        }
        let body = json!({"method": "group", "group_id": group, "occurred_at": at(10 + k), "duration_minutes": 60, "attendance": attendance});
        app.post("/api/v1/sessions", &a1, body).await.expect(201);
    }
    let event = |unit: uuid::Uuid, n: i32| {
        json!({"method": "community", "org_unit_id": unit, "occurred_at": at(5), "duration_minutes": 120, "title": "社区活动",
               "kind": "event", "participant_count": n, "volunteer_count": 3, "volunteer_hours": 7.5, "resources_value_yuan": 100.25})
    };
    app.post("/api/v1/sessions", &a1, event(f.unit("village_a1"), 40)).await.expect(201);
    app.post("/api/v1/sessions", &b1, event(f.unit("town_b1"), 25)).await.expect(201);
}

fn period() -> String {
    let to = (Utc::now() + Duration::days(1)).date_naive();
    let from = to - Duration::days(60);
    format!("from={from}&to={to}")
}

#[actix_web::test]
async fn figures_match_plain_sql_and_stay_in_scope() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    data(&app, &f).await;
    let sup = app.token("sup_a").await;
    let res = app.get(&format!("/api/v1/stats?{}&group_by=unit", period()), &sup).await.expect(200);
    let total = &res.body["total"];

    // Independent counts over county_a's subtree.
    let in_a = format!(
        "org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = '{}') || '%')",
        f.unit("county_a")
    );
    let people = app
        .sql_i64(&format!(
            "SELECT count(DISTINCT a.client_id) FROM session_attendance a JOIN service_sessions s ON s.id = a.session_id \
             WHERE s.{in_a} AND a.status IN ('present', 'late') AND a.client_id IS NOT NULL"
        ))
        .await;
    let attendees = app
        .sql_i64(&format!(
            "SELECT count(*) FROM session_attendance a JOIN service_sessions s ON s.id = a.session_id WHERE s.{in_a} AND a.status IN ('present', 'late')"
        ))
        .await;
    let participants =
        app.sql_i64(&format!("SELECT coalesce(sum(participant_count), 0) FROM service_sessions WHERE {in_a}")).await;
    let individual = app.sql_i64(&format!("SELECT count(*) FROM service_sessions WHERE method = 'individual' AND {in_a}")).await;
    assert_eq!(people, 2, "c1 every time and c2 twice are two people");
    assert_eq!(total["people_served"], json!(people));
    assert_eq!(attendees, 4 + 2 + 1, "repeat attendance counts each time");
    assert_eq!(total["person_times"], json!(individual + attendees + participants));
    assert_eq!(total["sessions"], json!({"individual": individual, "group": 4, "community": 1, "visit": 0}));
    assert_eq!(total["minutes"]["group"], json!(240));
    assert_eq!(total["community_participants"], json!(40));
    assert_eq!(total["volunteer_hours"], json!(7.5));
    assert_eq!(total["resources_value_yuan"], json!(100.25));
    let registered = app.sql_i64(&format!("SELECT count(*) FROM clients WHERE deleted_at IS NULL AND {in_a}")).await;
    assert_eq!(total["clients_registered"], json!(registered));
    assert_eq!(registered, 3, "a client in two categories is one client");
    assert_eq!(total["clients_by_category"], json!({"dibao": 2, "left_behind_elder": 1, "empty_nest_elder": 1}));
    assert_eq!(total["pending_reviews"], json!(0));

    // One row per child unit of county_a, and the rows add up where they may.
    let rows = res.body["rows"].as_array().expect("rows");
    let units: Vec<&str> = rows.iter().map(|r| r["org_unit_id"].as_str().expect("unit")).collect();
    assert!(units.contains(&f.unit("town_a1").to_string().as_str()) && units.contains(&f.unit("town_a2").to_string().as_str()));
    let a1 = rows.iter().find(|r| r["org_unit_id"] == json!(f.unit("town_a1"))).expect("a1 row");
    assert_eq!(a1["figures"]["person_times"], total["person_times"]);
    let a2 = rows.iter().find(|r| r["org_unit_id"] == json!(f.unit("town_a2"))).expect("a2 row");
    assert_eq!(a2["figures"]["people_served"], json!(0));

    // By month: the months add up to the total for additive figures.
    let by_month = app.get(&format!("/api/v1/stats?{}&group_by=month", period()), &sup).await.expect(200);
    let sum: i64 =
        by_month.body["rows"].as_array().expect("rows").iter().map(|r| r["figures"]["person_times"].as_i64().expect("n")).sum();
    assert_eq!(json!(sum), by_month.body["total"]["person_times"]);

    // A township supervisor sees only the township; the other branch cannot ask for county_a.
    let sup_a1 = app.token("sup_a1").await;
    let own = app.get(&format!("/api/v1/stats?{}", period()), &sup_a1).await.expect(200);
    assert_eq!(own.body["org_unit_id"], json!(f.unit("town_a1")));
    let sup_b = app.token("sup_b").await;
    let b = app.get(&format!("/api/v1/stats?{}", period()), &sup_b).await.expect(200);
    assert_eq!(b.body["total"]["community_participants"], json!(25), "county_b's figures hold only county_b");
    assert_eq!(b.body["total"]["clients_registered"], json!(1));
    let random = app.get(&format!("/api/v1/stats?org_unit_id={}", uuid::Uuid::now_v7()), &sup_b).await.expect(404);
    let other = app.get(&format!("/api/v1/stats?org_unit_id={}", f.unit("county_a")), &sup_b).await.expect(404);
    assert_eq!(random.text, other.text);
    // The region's admin sees both branches.
    let root = app.token("admin_root").await;
    let all = app.get(&format!("/api/v1/stats?{}", period()), &root).await.expect(200);
    assert_eq!(all.body["total"]["community_participants"], json!(65));

    // Workers read no statistics; bad input is named.
    let worker = app.token("worker_a1").await;
    app.get("/api/v1/stats", &worker).await.expect(403);
    app.get("/api/v1/stats?group_by=week", &sup).await.expect(422);
    app.get("/api/v1/stats?from=2026-05-01&to=2026-04-01", &sup).await.expect(422);
    app.get("/api/v1/stats?from=yesterday", &sup).await.expect(400);
}

#[actix_web::test]
async fn export_matches_stats() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    data(&app, &f).await;
    let sup = app.token("sup_a").await;
    let stats = app.get(&format!("/api/v1/stats?{}", period()), &sup).await.expect(200);

    let res = app
        .client
        .get(format!("{}/api/v1/stats/export?{}&format=xlsx", app.base, period()))
        .bearer_auth(&sup)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-disposition"].to_str().expect("header").contains(".xlsx"));
    let bytes = res.bytes().await.expect("bytes");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a real xlsx");
    let sheet = book.worksheet_range("服务统计").expect("sheet");
    let header: Vec<String> = sheet.rows().nth(2).expect("header row").iter().map(|c| c.to_string()).collect();
    assert_eq!(header[0], "单位");
    assert_eq!(header[2], "服务人数");
    assert_eq!(header[3], "服务人次");
    let total = sheet.rows().next_back().expect("total row");
    assert!(total[0].to_string().ends_with("（合计）"));
    let num = |d: &Data| d.get_float().expect("number") as i64;
    assert_eq!(json!(num(&total[2])), stats.body["total"]["people_served"]);
    assert_eq!(json!(num(&total[3])), stats.body["total"]["person_times"]);
    assert_eq!(json!(num(&total[5])), stats.body["total"]["sessions"]["group"]);
    let unit_rows = sheet.rows().count() - 4;
    assert_eq!(unit_rows, stats.body["rows"].as_array().expect("rows").len());
    let names: Vec<String> = sheet.rows().skip(3).map(|r| r[0].to_string()).collect();
    assert!(names.iter().any(|n| n.starts_with("town_a1")), "unit names, not ids: {names:?}");
    let categories = book.worksheet_range("服务对象类别").expect("category sheet");
    assert!(categories.rows().any(|r| r[2] == "城乡低保对象"));

    let csv = app
        .client
        .get(format!("{}/api/v1/stats/export?{}&format=csv", app.base, period()))
        .bearer_auth(&sup)
        .send()
        .await
        .expect("send");
    assert!(csv.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
    let text = csv.text().await.expect("text");
    assert!(text.starts_with('\u{feff}'));
    assert!(text.lines().next().expect("header").contains("服务人次"));
    app.get("/api/v1/stats/export?format=pdf", &sup).await.expect(422);
}

async fn open_case(app: &TestApp, token: &str, client: &str, unit: uuid::Uuid, risk: &str) -> String {
    let body = json!({"client_id": client, "org_unit_id": unit, "source": "screening", "presenting_problem": "需要关注。",
                      "domain": "social_assistance", "risk_level": risk});
    app.post("/api/v1/cases", token, body).await.expect(201).id()
}

#[actix_web::test]
async fn caseload_matches_plain_sql_and_stays_in_scope() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    data(&app, &f).await;
    let a1 = app.token("worker_a1").await;
    let a1b = app.token("worker_a1b").await;
    let a2 = app.token("worker_a2").await;
    let c1 = client(&app, &a1, f.unit("town_a1"), 41, json!(["dibao"])).await;
    let c2 = client(&app, &a2, f.unit("town_a2"), 43, json!(["dibao"])).await;
    let red = open_case(&app, &a1, &c1, f.unit("town_a1"), "red").await;
    open_case(&app, &a1, &c1, f.unit("village_a1"), "blue").await;
    open_case(&app, &a1b, &c1, f.unit("town_a1"), "yellow").await;
    open_case(&app, &a2, &c2, f.unit("town_a2"), "red").await;
    // The red case was opened long ago and nobody has visited since: overdue.
    app.sql(&format!("UPDATE cases SET opened_at = now() - interval '20 days' WHERE id = '{red}'")).await;
    let etag = app.get(&format!("/api/v1/cases/{red}"), &a1).await.expect(200).header("etag").expect("etag");
    app.send(
        Method::POST,
        &format!("/api/v1/cases/{red}/transitions"),
        Some(&a1),
        Some(&json!({"action": "fast_track"})),
        &[("If-Match", etag.as_str())],
    )
    .await
    .expect(202);

    let sup = app.token("sup_a1").await;
    let res = app.get("/api/v1/caseload", &sup).await.expect(200);
    let workers = res.body["workers"].as_array().expect("workers");
    let row =
        |name: &str| workers.iter().find(|w| w["user_id"] == json!(f.user(name))).unwrap_or_else(|| panic!("{name} row")).clone();
    let w = row("worker_a1");
    let in_town = format!(
        "org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = '{}') || '%')",
        f.unit("town_a1")
    );
    let sql_open = app
        .sql_i64(&format!("SELECT count(*) FROM cases WHERE is_open AND worker_id = '{}' AND {in_town}", f.user("worker_a1")))
        .await;
    assert_eq!(w["open_cases"], json!(sql_open));
    assert_eq!(sql_open, 2);
    assert_eq!(w["by_risk"], json!({"blue": 1, "red": 1}));
    assert_eq!(w["by_status"], json!({"intake": 1, "intervention": 1}));
    assert_eq!(w["overdue_cases"], json!(1));
    assert_eq!(w["pending_reviews"], json!(1), "fast-track leaves a plan review pending");
    let sql_sessions = app
        .sql_i64(&format!("SELECT count(*) FROM service_sessions WHERE recorded_by = '{}' AND occurred_at >= now() - interval '30 days' AND {in_town}", f.user("worker_a1")))
        .await;
    assert_eq!(w["sessions_30d"], json!(sql_sessions));
    assert_eq!(w["minutes_30d"], json!(4 * 60 + 120));
    assert_eq!(row("worker_a1b")["open_cases"], json!(1));
    assert_eq!(
        res.body["totals"]["open_cases"],
        json!(app.sql_i64(&format!("SELECT count(*) FROM cases WHERE is_open AND {in_town}")).await)
    );
    assert!(workers.iter().all(|w| w["user_id"] != json!(f.user("worker_a2"))), "town_a2 is not in a township supervisor's view");

    // The county supervisor sees both towns; the other branch sees nothing of county_a.
    let county = app.token("sup_a").await;
    assert_eq!(app.get("/api/v1/caseload", &county).await.expect(200).body["totals"]["open_cases"], json!(4));
    let sup_b = app.token("sup_b").await;
    let other = app.get(&format!("/api/v1/caseload?org_unit_id={}", f.unit("county_a")), &sup_b).await.expect(404);
    let random = app.get(&format!("/api/v1/caseload?org_unit_id={}", uuid::Uuid::now_v7()), &sup_b).await.expect(404);
    assert_eq!(other.text, random.text);
    assert_eq!(app.get("/api/v1/caseload", &sup_b).await.expect(200).body["totals"]["open_cases"], json!(0));
    app.get("/api/v1/caseload", &a1).await.expect(403);

    // The statistics count the same cases.
    let stats = app.get(&format!("/api/v1/stats?{}", period()), &county).await.expect(200);
    assert_eq!(stats.body["total"]["cases_opened"], json!(4), "the red case was opened 20 days ago, inside the period too");
    assert_eq!(stats.body["total"]["open_at_end"], json!(4));
    assert_eq!(stats.body["total"]["open_by_risk"], json!({"blue": 1, "red": 2, "yellow": 1}));
    assert_eq!(stats.body["total"]["pending_reviews"], json!(1));
    assert_eq!(stats.body["total"]["overdue_cases"], json!(1));
}

/// Rows where the monthly totals (visits' persons and households included) differ from a plain
/// recount of the sessions, and rows left at zero: per unit, month and method; the clients served per month (an
/// individual session's client, each client a visit saw); and the clients' months per year.
pub(crate) async fn rollup_differences(app: &TestApp) -> i64 {
    app.sql_i64(
        "WITH months AS (SELECT org_unit_id, session_month(occurred_at) AS month, method, count(*) AS sessions, \
                sum(duration_minutes) AS minutes, sum(coalesce(participant_count, 0)) AS participants, \
                sum(coalesce(volunteer_hours, 0)::numeric) AS volunteer_hours, sum(coalesce(resources_value_fen, 0)) AS resources_value_fen, \
                sum(cardinality(client_ids)) AS persons, sum(coalesce(households_reached, 0)) AS households \
              FROM service_sessions GROUP BY 1, 2, 3), \
         served AS (SELECT org_unit_id, session_month(occurred_at) AS month, c AS client_id, count(*) AS sessions \
              FROM service_sessions CROSS JOIN LATERAL unnest(CASE method WHEN 'individual' THEN ARRAY[client_id] \
                                                                WHEN 'visit' THEN client_ids ELSE '{}' END) AS c \
              GROUP BY 1, 2, 3), \
         years AS (SELECT org_unit_id, extract(year FROM month)::int AS year, client_id, \
                          bit_or(1 << (extract(month FROM month)::int - 1)) AS months FROM served GROUP BY 1, 2, 3), \
         kept AS (SELECT org_unit_id, month, method, sessions, minutes, participants, volunteer_hours, resources_value_fen, \
                         persons, households FROM session_months) \
         SELECT (SELECT count(*) FROM ((SELECT * FROM kept EXCEPT SELECT * FROM months) UNION ALL (SELECT * FROM months EXCEPT SELECT * FROM kept)) d) \
              + (SELECT count(*) FROM session_months WHERE sessions = 0) + (SELECT count(*) FROM session_month_clients WHERE sessions = 0) \
              + (SELECT count(*) FROM ((SELECT org_unit_id, month, client_id, sessions::bigint FROM session_month_clients EXCEPT SELECT * FROM served) \
                  UNION ALL (SELECT * FROM served EXCEPT SELECT org_unit_id, month, client_id, sessions::bigint FROM session_month_clients)) d) \
              + (SELECT count(*) FROM ((SELECT org_unit_id, year, client_id, months FROM session_year_clients EXCEPT SELECT * FROM years) \
                  UNION ALL (SELECT * FROM years EXCEPT SELECT org_unit_id, year, client_id, months FROM session_year_clients)) d)",
    )
    .await
}

/// The monthly totals that the statistics read for whole months stay equal to a recount of
/// the sessions through inserts, edits that move sessions to other months and units, and
/// deletes; and periods that begin and end inside months (read partly from the totals, partly
/// from the sessions) give the same figures as plain counts.
#[actix_web::test]
async fn monthly_totals_follow_the_sessions_and_every_period_adds_up() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    data(&app, &f).await;
    assert_eq!(rollup_differences(&app).await, 0, "sessions made through the API are in the totals");

    // Two clients with cases, and a year of individual sessions written straight into the table
    // (as an import would), in two units.
    let a1 = app.token("worker_a1").await;
    let c1 = client(&app, &a1, f.unit("town_a1"), 61, json!(["dibao"])).await;
    let c2 = client(&app, &a1, f.unit("village_a1"), 63, json!(["empty_nest_elder"])).await;
    let k1 = open_case(&app, &a1, &c1, f.unit("town_a1"), "blue").await;
    let k2 = open_case(&app, &a1, &c2, f.unit("village_a1"), "red").await;
    app.sql(&format!(
        "INSERT INTO service_sessions (id, org_unit_id, method, occurred_at, duration_minutes, recorded_by, case_id, client_id, mode) \
         SELECT gen_random_uuid(), CASE WHEN g % 2 = 0 THEN '{town}'::uuid ELSE '{village}'::uuid END, 'individual', \
                now() - g * interval '3 days' - interval '1 hour', 20 + g, '{worker}', \
                CASE WHEN g % 2 = 0 THEN '{k1}'::uuid ELSE '{k2}'::uuid END, CASE WHEN g % 2 = 0 THEN '{c1}'::uuid ELSE '{c2}'::uuid END, 'home_visit' \
         FROM generate_series(1, 120) g",
        town = f.unit("town_a1"),
        village = f.unit("village_a1"),
        worker = f.user("worker_a1"),
    ))
    .await;
    assert_eq!(rollup_differences(&app).await, 0, "a bulk insert");
    // Edits: some sessions move back 40 days (into other months), some to another township, a
    // community event changes its figures; then some are deleted.
    app.sql(
        "UPDATE service_sessions SET occurred_at = occurred_at - interval '40 days', duration_minutes = duration_minutes + 5 \
             WHERE method = 'individual' AND duration_minutes % 3 = 0",
    )
    .await;
    app.sql(&format!(
        "UPDATE service_sessions SET org_unit_id = '{}' WHERE method = 'individual' AND duration_minutes % 7 = 0",
        f.unit("town_a2")
    ))
    .await;
    app.sql("UPDATE service_sessions SET participant_count = participant_count + 10, volunteer_hours = 2.25 WHERE method = 'community'").await;
    assert_eq!(rollup_differences(&app).await, 0, "edits");
    app.sql("DELETE FROM service_sessions WHERE method = 'individual' AND duration_minutes % 5 = 0").await;
    assert_eq!(rollup_differences(&app).await, 0, "deletes");
    assert!(app.sql_i64("SELECT count(DISTINCT month) FROM session_months").await >= 12, "the sessions span a year of months");

    // Periods ragged at both ends, of whole months only, of one day, and across a year.
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let first_of = |d: chrono::NaiveDate| d.with_day(1).expect("day 1");
    let this_month = first_of(today);
    let three_back = first_of(this_month - Duration::days(80));
    let periods = [
        (today - Duration::days(47), today - Duration::days(13)),
        (three_back, this_month - Duration::days(1)),
        (today - Duration::days(20), today - Duration::days(20)),
        (today - Duration::days(400), today),
    ];
    let sup = app.token("sup_a").await;
    let in_a = format!(
        "org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = '{}') || '%')",
        f.unit("county_a")
    );
    for (from, to) in periods {
        let within = format!(
            "{in_a} AND occurred_at >= '{from}'::timestamp AT TIME ZONE 'Asia/Shanghai' AND occurred_at < '{}'::timestamp AT TIME ZONE 'Asia/Shanghai'",
            to + Duration::days(1)
        );
        let res = app.get(&format!("/api/v1/stats?from={from}&to={to}&group_by=unit,month"), &sup).await.expect(200);
        let total = &res.body["total"];
        let count = |method: &str| {
            let within = within.clone();
            let method = method.to_owned();
            let app = &app;
            async move { app.sql_i64(&format!("SELECT count(*) FROM service_sessions WHERE method = '{method}' AND {within}")).await }
        };
        let minutes = app
            .sql_i64(&format!(
                "SELECT coalesce(sum(duration_minutes), 0) FROM service_sessions WHERE method = 'individual' AND {within}"
            ))
            .await;
        let participants =
            app.sql_i64(&format!("SELECT coalesce(sum(participant_count), 0) FROM service_sessions WHERE {within}")).await;
        let people = app
            .sql_i64(&format!(
                "SELECT count(DISTINCT c) FROM ( \
                   SELECT client_id AS c FROM service_sessions WHERE method = 'individual' AND {within} \
                   UNION ALL \
                   SELECT a.client_id FROM session_attendance a JOIN service_sessions s ON s.id = a.session_id \
                   WHERE s.{within} AND a.status IN ('present', 'late') AND a.client_id IS NOT NULL) x"
            ))
            .await;
        let label = format!("{from}..{to}");
        assert_eq!(
            total["sessions"],
            json!({"individual": count("individual").await, "group": count("group").await, "community": count("community").await,
                   "visit": count("visit").await}),
            "{label}"
        );
        assert_eq!(total["minutes"]["individual"], json!(minutes), "{label}");
        assert_eq!(total["community_participants"], json!(participants), "{label}");
        assert_eq!(total["people_served"], json!(people), "{label}");
        let rows = res.body["rows"].as_array().expect("rows");
        // Without months the whole months are read a client per year, not per month: the same.
        let by_unit = app.get(&format!("/api/v1/stats?from={from}&to={to}&group_by=unit"), &sup).await.expect(200);
        assert_eq!(by_unit.body["total"]["people_served"], json!(people), "{label}, by unit");
        let of_town = |r: &&Value| r["org_unit_id"] == json!(f.unit("town_a1"));
        let month_rows: i64 = rows.iter().filter(of_town).map(|r| r["figures"]["people_served"].as_i64().expect("n")).sum();
        let unit_row = by_unit.body["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(of_town)
            .map(|r| r["figures"]["people_served"].as_i64().expect("n"));
        let town_people = app
            .sql_i64(&format!(
                "SELECT count(DISTINCT c) FROM ( \
                   SELECT client_id AS c FROM service_sessions WHERE method = 'individual' AND {town} AND {period} \
                   UNION ALL \
                   SELECT a.client_id FROM session_attendance a JOIN service_sessions s ON s.id = a.session_id \
                   WHERE s.{town} AND s.{period} AND a.status IN ('present', 'late') AND a.client_id IS NOT NULL) x",
                town = format!("org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = '{}') || '%')", f.unit("town_a1")),
                period = format!("occurred_at >= '{from}'::timestamp AT TIME ZONE 'Asia/Shanghai' AND occurred_at < '{}'::timestamp AT TIME ZONE 'Asia/Shanghai'", to + Duration::days(1)),
            ))
            .await;
        assert_eq!(unit_row.unwrap_or(0), town_people, "{label}, town_a1 by unit");
        assert!(month_rows >= town_people, "{label}: per month, someone served in two months counts in both");
        // Unit-month rows add up to the total for the additive figures.
        let sum: i64 = rows.iter().map(|r| r["figures"]["sessions"]["individual"].as_i64().expect("n")).sum();
        assert_eq!(json!(sum), total["sessions"]["individual"], "{label}");
    }
}

#[actix_web::test]
async fn by_month_the_point_in_time_figures_sit_on_the_last_month_and_exports_say_when_they_were_taken() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    data(&app, &f).await;
    let a1 = app.token("worker_a1").await;
    let sup = app.token("sup_a1").await;
    let person = client(&app, &a1, f.unit("town_a1"), 61, json!(["dibao"])).await;
    open_case(&app, &a1, &person, f.unit("town_a1"), "yellow").await;
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let from = (today - Duration::days(70)).with_day(1).expect("first day");
    let query = format!("org_unit_id={}&from={from}&to={today}&group_by=month", f.unit("town_a1"));
    let res = app.get(&format!("/api/v1/stats?{query}"), &sup).await.expect(200);
    let rows = res.body["rows"].as_array().expect("rows");
    assert!(rows.iter().all(|r| r["month"].is_string()), "every row is a month: {rows:?}");
    let this_month = today.format("%Y-%m").to_string();
    let last = rows.iter().find(|r| r["month"] == json!(this_month)).expect("this month's row");
    assert_eq!(last["figures"]["open_at_end"], json!(1));
    assert_eq!(last["figures"]["open_at_end"], res.body["total"]["open_at_end"]);
    assert_eq!(last["figures"]["pending_reviews"], res.body["total"]["pending_reviews"]);
    for r in rows.iter().filter(|r| r["month"] != json!(this_month)) {
        assert_eq!(r["figures"]["open_at_end"], Value::Null, "taken once, at the end: {r:?}");
    }

    let csv = app
        .client
        .get(format!("{}/api/v1/stats/export?{query}&format=csv", app.base))
        .bearer_auth(&sup)
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = reader.headers().expect("headers").iter().map(str::to_owned).collect();
    for taken_now in ["逾期未访个案（截至导出时）", "待审核（截至导出时）", "逾期未访（截至导出时）"]
    {
        assert!(headers.iter().any(|h| h == taken_now), "{taken_now} in {headers:?}");
    }
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let (total, months) = records.split_last().expect("a total line");
    assert!(total[0].ends_with("（合计）"));
    assert!(months.iter().all(|r| !r[1].is_empty()), "no line without a month but the total");
}

#[actix_web::test]
async fn people_served_by_population_group_and_gender_match_plain_sql() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    data(&app, &f).await;
    let a1 = app.token("worker_a1").await;
    // A child and a disabled adult seen on visits, the child twice (one person, once per group).
    let child = app
        .post(
            "/api/v1/clients",
            &a1,
            json!({"org_unit_id": f.unit("town_a1"), "name": "小明", "id_type": "none", "birth_date": "2016-04-01",
                   "gender": "male", "categories": ["left_behind_child", "dibao"],
                   "guardian": {"name": "王奶奶", "relation": "祖母"}}),
        )
        .await
        .expect(201)
        .id();
    let adult = app
        .post(
            "/api/v1/clients",
            &a1,
            json!({"org_unit_id": f.unit("village_a1"), "name": "老李", "id_type": "none", "birth_date": "1980-04-01",
                   "disability": {"category": "physical", "grade": 2}}),
        )
        .await
        .expect(201)
        .id();
    for (clients, days_ago) in [(vec![child.clone()], 3), (vec![child, adult], 2)] {
        let body = json!({"method": "visit", "occurred_at": at(days_ago), "duration_minutes": 30, "client_ids": clients,
                          "mode": "home_visit"});
        app.post("/api/v1/sessions", &a1, body).await.expect(201);
    }
    let sup = app.token("sup_a").await;
    let res = app.get(&format!("/api/v1/stats?{}&group_by=unit", period()), &sup).await.expect(200);
    let total = &res.body["total"];

    // The people served over county_a's subtree, by plain SQL, grouped by the Rust rule.
    let to = (Utc::now() + Duration::days(1)).date_naive();
    let rows = app
        .db
        .connect()
        .await
        .query(
            &format!(
                "WITH a AS (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = '{}') || '%'), \
                 served AS ( \
                   SELECT x.client_id FROM session_attendance x JOIN service_sessions s ON s.id = x.session_id \
                   WHERE s.org_unit_id IN (SELECT id FROM a) AND x.status IN ('present', 'late') AND x.client_id IS NOT NULL \
                   UNION SELECT s.client_id FROM service_sessions s \
                   WHERE s.org_unit_id IN (SELECT id FROM a) AND s.method = 'individual' AND s.client_id IS NOT NULL \
                   UNION SELECT unnest(s.client_ids) FROM service_sessions s \
                   WHERE s.org_unit_id IN (SELECT id FROM a) AND s.method = 'visit') \
                 SELECT c.categories, c.birth_date::text, c.disability IS NOT NULL, coalesce(c.gender, 'unknown') \
                 FROM served JOIN clients c ON c.id = served.client_id",
                f.unit("county_a")
            ),
            &[],
        )
        .await
        .expect("served");
    let mut by_group: BTreeMap<String, i64> = PopulationGroup::ALL.iter().map(|g| (g.code().to_owned(), 0)).collect();
    let mut by_gender: BTreeMap<String, i64> = [("female".to_owned(), 0), ("male".to_owned(), 0)].into();
    for r in &rows {
        let categories: Vec<ClientCategory> =
            r.get::<_, Vec<String>>(0).iter().map(|c| ClientCategory::from_code(c).expect("category")).collect();
        let birth = r.get::<_, Option<String>>(1).map(|b| b.parse().expect("date"));
        for g in population::groups(&categories, birth, r.get(2), to) {
            *by_group.entry(g.code().to_owned()).or_default() += 1;
        }
        *by_gender.entry(r.get::<_, String>(3)).or_default() += 1;
    }
    assert_eq!(rows.len(), 4, "two group members and the two people visited");
    assert_eq!(total["people_served"], json!(rows.len()));
    assert_eq!(total["people_served_by_group"], json!(by_group));
    assert_eq!(total["people_served_by_gender"], json!(by_gender));
    assert_eq!(total["people_served_by_group"]["minor"], json!(1), "the child counts once");
    assert_eq!(total["people_served_by_group"]["disabled"], json!(1));
    // The township rows count their own people; every group is present in every row.
    let a1_row =
        res.body["rows"].as_array().expect("rows").iter().find(|r| r["org_unit_id"] == json!(f.unit("town_a1"))).cloned();
    let a1_row = a1_row.expect("town_a1 row");
    assert_eq!(a1_row["figures"]["people_served_by_group"].as_object().expect("groups").len(), PopulationGroup::ALL.len());
    let a2_row =
        res.body["rows"].as_array().expect("rows").iter().find(|r| r["org_unit_id"] == json!(f.unit("town_a2"))).cloned();
    assert_eq!(a2_row.expect("town_a2 row")["figures"]["people_served_by_group"]["other"], json!(0));
}
