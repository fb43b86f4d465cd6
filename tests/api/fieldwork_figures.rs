//! Field-work figures: visits and rosters in the statistics and their export, in the caseload,
//! in a client's timeline and in the household view. Every figure is checked against a plain
//! SQL count over the same rows, and coverage against the Rust rule (`fieldwork::covered`).

use std::collections::HashSet;
use std::io::Cursor;

use calamine::{DataType, Reader, Xlsx};
use chrono::{Datelike, Duration, Months, NaiveDate, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use shegong::domain::fieldwork::covered;
use shegong::domain::id_number::check_char_for;
use uuid::Uuid;

use crate::helpers::{Fixture, TestApp};

fn resident_id(birth: &str, seq: u32) -> String {
    let body = format!("640502{birth}{seq:03}");
    format!("{body}{}", check_char_for(&body).expect("17 digits"))
}

async fn client(app: &TestApp, token: &str, unit: Uuid, seq: u32) -> String {
    let body = json!({"org_unit_id": unit, "name": format!("走访对象{seq}"), "id_type": "resident_id",
        "id_number": resident_id("19480101", seq), "categories": ["dibao"]});
    app.post("/api/v1/clients", token, body).await.expect(201).id()
}

/// A moment of a China day, as RFC 3339.
fn cn(day: NaiveDate, hour: u32, minute: u32) -> String {
    format!("{day}T{hour:02}:{minute:02}:00+08:00")
}

/// The same moment as SQL.
fn cn_sql(day: NaiveDate) -> String {
    format!("'{day}'::timestamp AT TIME ZONE 'Asia/Shanghai'")
}

fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// A period from the 15th three months back to the 14th of last month: ragged at both ends, one
/// whole month inside, all of it in the past.
fn period() -> (NaiveDate, NaiveDate) {
    let first = today().with_day(1).expect("day 1");
    let from = (first - Months::new(3)).with_day(15).expect("15th");
    let to = (first - Months::new(1)).with_day(14).expect("14th");
    (from, to)
}

async fn visit(app: &TestApp, token: &str, at: String, clients: &[&str], household: Option<&str>, mode: &str) -> String {
    let mut body = json!({"method": "visit", "occurred_at": at, "duration_minutes": 40, "client_ids": clients, "mode": mode,
                          "findings": "生活基本正常。"});
    if let Some(h) = household {
        body["household_id"] = json!(h);
    }
    app.post("/api/v1/sessions", token, body).await.expect(201).id()
}

async fn enrol(app: &TestApp, token: &str, client: &str, programme: &str, level: &str, enrolled_on: NaiveDate) -> String {
    let mut body = json!({"client_id": client, "programme": programme, "level": level, "enrolled_on": enrolled_on});
    if level == "red" {
        body["level_reason"] = json!("独居，近期跌倒。");
    }
    app.post("/api/v1/roster-entries", token, body).await.expect(201).id()
}

async fn rerate(app: &TestApp, token: &str, entry: &str, level: &str) {
    let body = json!({"level": level, "reason": "走访后重新评估。"});
    app.send_current(Method::POST, &format!("/api/v1/roster-entries/{entry}/rerate"), token, ("roster_entries", entry), body)
        .await
        .expect(200);
}

async fn leave(app: &TestApp, token: &str, entry: &str, on: NaiveDate) {
    let body = json!({"reason": "relocated", "left_on": on});
    app.send_current(Method::POST, &format!("/api/v1/roster-entries/{entry}/leave"), token, ("roster_entries", entry), body)
        .await
        .expect(200);
}

/// What the data set made, by name.
struct Data {
    clients: Vec<String>,
    entries: Vec<(&'static str, String)>,
    visits: Vec<(&'static str, String)>,
}

impl Data {
    fn entry(&self, name: &str) -> &str {
        &self.entries.iter().find(|(n, _)| *n == name).expect("entry").1
    }
    fn visit(&self, name: &str) -> &str {
        &self.visits.iter().find(|(n, _)| *n == name).expect("visit").1
    }
}

/// Clients c1…c5 in town_a1 (c1 and c2 one household), c6 in town_a2, c7 in county_b; roster
/// entries of each, one re-rated inside the period and again after it, one left inside the
/// period and one after it; visits on both sides of each edge of the period and of its months;
/// and an individual session of c1, who is also visited.
async fn data(app: &TestApp, f: &Fixture) -> Data {
    let (from, to) = period();
    let a1 = app.token("worker_a1").await;
    let a2 = app.token("worker_a2").await;
    let b1 = app.token("worker_b1").await;
    let mut clients = Vec::new();
    for seq in 1..=5 {
        clients.push(client(app, &a1, f.unit("town_a1"), 200 + seq).await);
    }
    clients.push(client(app, &a2, f.unit("town_a2"), 206).await);
    clients.push(client(app, &b1, f.unit("town_b1"), 207).await);
    let c = |i: usize| clients[i - 1].clone();
    let household = app
        .post("/api/v1/households", &a1, json!({"org_unit_id": f.unit("town_a1"), "address": "幸福村3组"}))
        .await
        .expect(201)
        .id();
    let members = json!({"members": [{"client_id": c(1), "relation": "self"}, {"client_id": c(2), "relation": "spouse"}]});
    app.send_current(Method::PUT, &format!("/api/v1/households/{household}/members"), &a1, ("households", &household), members)
        .await
        .expect(200);

    let enrolled = from - Duration::days(60);
    let mut entries = vec![
        ("e1", enrol(app, &a1, &c(1), "basic_protection", "blue", enrolled).await),
        ("e2", enrol(app, &a1, &c(2), "elder_care", "green", enrolled).await),
        ("e3", enrol(app, &a1, &c(3), "child_care", "yellow", enrolled).await),
        ("e4", enrol(app, &a1, &c(4), "elder_care", "green", enrolled).await),
        ("e5", enrol(app, &a1, &c(5), "disability_care", "red", enrolled).await),
        ("e6", enrol(app, &a2, &c(6), "basic_protection", "green", enrolled).await),
        ("e7", enrol(app, &a1, &c(2), "basic_protection", "yellow", enrolled).await),
        ("eb", enrol(app, &b1, &c(7), "basic_protection", "red", enrolled).await),
    ];

    let month_end = (from.with_day(1).expect("day 1") + Months::new(1)) - Duration::days(1);
    let next_month = month_end + Duration::days(1);
    let h = Some(household.as_str());
    let visits = vec![
        // The day before the period, and its first minutes.
        ("before", visit(app, &a1, cn(from - Duration::days(1), 23, 0), &[&c(1), &c(2)], h, "home_visit").await),
        ("first", visit(app, &a1, cn(from, 0, 10), &[&c(1), &c(2)], h, "home_visit").await),
        // Either side of the end of the first month: its last edge day, and the whole month after.
        ("month_end", visit(app, &a1, cn(month_end, 23, 30), &[&c(3)], None, "phone").await),
        ("month_next", visit(app, &a1, cn(next_month, 0, 30), &[&c(1)], None, "video").await),
        ("c4", visit(app, &a1, cn(next_month + Duration::days(9), 10, 0), &[&c(4)], None, "home_visit").await),
        ("a2", visit(app, &a2, cn(next_month + Duration::days(19), 10, 0), &[&c(6)], None, "home_visit").await),
        // The period's last day, and just after it.
        ("last", visit(app, &a1, cn(to, 23, 0), &[&c(3)], None, "home_visit").await),
        ("after", visit(app, &a1, cn(to + Duration::days(1), 1, 0), &[&c(3)], None, "phone").await),
        // Recently, and in the other branch.
        ("recent", visit(app, &a1, (Utc::now() - Duration::days(2)).to_rfc3339(), &[&c(1)], None, "phone").await),
        ("b", visit(app, &b1, cn(next_month, 10, 0), &[&c(7)], None, "home_visit").await),
    ];

    // c3 was re-rated red inside the period, and blue after it; c4 left inside the period, and
    // c2's second entry after it.
    let e3 = entries[2].1.clone();
    rerate(app, &a1, &e3, "red").await;
    let red_at = cn_sql(from + Duration::days(5));
    app.sql(&format!(
        "UPDATE roster_level_events SET proposed_at = {red_at}, decided_at = {red_at} \
         WHERE roster_entry_id = '{e3}' AND to_level = 'red' AND status = 'confirmed'"
    ))
    .await;
    rerate(app, &a1, &e3, "blue").await;
    leave(app, &a1, &entries[3].1, to - Duration::days(3)).await;
    leave(app, &a1, &entries[6].1, to + Duration::days(5)).await;
    // An entry of today, due within the week.
    let soon = json!({"client_id": c(3), "programme": "other", "level": "green", "visit_interval_days": 5});
    entries.push(("e8", app.post("/api/v1/roster-entries", &a1, soon).await.expect(201).id()));

    // c1 has a case and an individual session on the period's first day, as well as visits.
    let case = app
        .post(
            "/api/v1/cases",
            &a1,
            json!({"client_id": c(1), "org_unit_id": f.unit("town_a1"), "source": "screening",
                   "presenting_problem": "需要关注。", "domain": "social_assistance", "risk_level": "blue"}),
        )
        .await
        .expect(201)
        .id();
    app.sql(&format!(
        "INSERT INTO service_sessions (id, org_unit_id, method, occurred_at, duration_minutes, recorded_by, case_id, client_id, mode) \
         VALUES (gen_random_uuid(), '{}', 'individual', {} + interval '9 hours', 45, '{}', '{case}', '{}', 'home_visit')",
        f.unit("town_a1"),
        cn_sql(from),
        f.user("worker_a1"),
        c(1),
    ))
    .await;
    Data { clients, entries, visits }
}

/// county_a's subtree, as a condition on a row's `org_unit_id`.
fn in_unit(f: &Fixture, unit: &str) -> String {
    format!(
        "org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = '{}') || '%')",
        f.unit(unit)
    )
}

fn within(from: NaiveDate, to: NaiveDate) -> String {
    format!("occurred_at >= {} AND occurred_at < {}", cn_sql(from), cn_sql(to + Duration::days(1)))
}

/// The number of entries of `in_a` covered at `end_day` by the Rust rule, reading each entry's
/// last linked visit before that day and its interval with plain SQL.
async fn covered_by_rust(app: &TestApp, d: &Data, in_a: &str, on_roster: &str, end_day: NaiveDate) -> i64 {
    let mut n = 0;
    for (_, id) in &d.entries {
        let counted =
            app.sql_i64(&format!("SELECT count(*) FROM roster_entries WHERE id = '{id}' AND {in_a} AND {on_roster}")).await;
        if counted == 0 {
            continue;
        }
        let last = app
            .sql_i64(&format!(
                "SELECT coalesce((SELECT (china_date(max(occurred_at)) - DATE '2000-01-01')::bigint FROM visit_roster_entries \
                 WHERE roster_entry_id = '{id}' AND occurred_at < {}), -1)",
                cn_sql(end_day)
            ))
            .await;
        let last = (last >= 0).then(|| NaiveDate::from_ymd_opt(2000, 1, 1).expect("epoch") + Duration::days(last));
        let interval = app.sql_i64(&format!("SELECT visit_interval_days::bigint FROM roster_entries WHERE id = '{id}'")).await;
        if covered(last, interval as i32, end_day) {
            n += 1;
        }
    }
    n
}

#[actix_web::test]
async fn visit_figures_match_plain_sql_across_month_and_period_edges() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let d = data(&app, &f).await;
    let (from, to) = period();
    let sup = app.token("sup_a").await;
    let res = app.get(&format!("/api/v1/stats?from={from}&to={to}&group_by=unit"), &sup).await.expect(200);
    let total = &res.body["total"];
    let in_a = in_unit(&f, "county_a");
    let visits = format!("method = 'visit' AND {in_a} AND {}", within(from, to));

    let sessions = app.sql_i64(&format!("SELECT count(*) FROM service_sessions WHERE {visits}")).await;
    let minutes = app.sql_i64(&format!("SELECT coalesce(sum(duration_minutes), 0) FROM service_sessions WHERE {visits}")).await;
    let persons =
        app.sql_i64(&format!("SELECT coalesce(sum(cardinality(client_ids)), 0) FROM service_sessions WHERE {visits}")).await;
    let households =
        app.sql_i64(&format!("SELECT coalesce(sum(households_reached), 0) FROM service_sessions WHERE {visits}")).await;
    assert_eq!(sessions, 6, "first, month_end, month_next, c4, a2 and last; not before, after, recent or county_b's");
    assert_eq!(total["sessions"]["visit"], json!(sessions));
    assert_eq!(total["minutes"]["visit"], json!(minutes));
    assert_eq!(persons, 7, "the first visit saw two people");
    assert_eq!(total["visit_person_times"], json!(persons));
    assert_eq!(households, 6, "the first visit's two people share one household");
    assert_eq!(total["household_visits"], json!(households));

    // People served: the individual session's client and every client a visit saw, once each.
    let period_rows = format!("{in_a} AND {}", within(from, to));
    let people = app
        .sql_i64(&format!(
            "SELECT count(DISTINCT c) FROM ( \
               SELECT client_id AS c FROM service_sessions WHERE method = 'individual' AND {period_rows} \
               UNION ALL SELECT unnest(client_ids) FROM service_sessions WHERE method = 'visit' AND {period_rows}) x"
        ))
        .await;
    assert_eq!(people, 5, "c1 (a session and visits), c2, c3, c4 and c6");
    assert_eq!(total["people_served"], json!(people));
    let individual =
        app.sql_i64(&format!("SELECT count(*) FROM service_sessions WHERE method = 'individual' AND {period_rows}")).await;
    assert_eq!(individual, 1);
    assert_eq!(total["person_times"], json!(individual + persons));
    assert_eq!(total["sessions"]["individual"], json!(individual));

    // By unit: town_a2's one visit is its own.
    let rows = res.body["rows"].as_array().expect("rows");
    let row = |unit: &str| rows.iter().find(|r| r["org_unit_id"] == json!(f.unit(unit))).expect("unit row")["figures"].clone();
    assert_eq!(row("town_a2")["visit_person_times"], json!(1));
    assert_eq!(row("town_a1")["visit_person_times"], json!(persons - 1));
    assert_eq!(row("town_a1")["people_served"], json!(4));

    // By month: each month's figures are that month's rows, the edges included, and add up.
    for group_by in ["month", "unit,month"] {
        let by_month = app.get(&format!("/api/v1/stats?from={from}&to={to}&group_by={group_by}"), &sup).await.expect(200);
        assert_eq!(by_month.body["total"]["visit_person_times"], json!(persons), "{group_by}");
        assert_eq!(by_month.body["total"]["people_served"], json!(people), "{group_by}");
        let month_rows: Vec<&Value> =
            by_month.body["rows"].as_array().expect("rows").iter().filter(|r| !r["month"].is_null()).collect();
        for key in ["visit_person_times", "household_visits"] {
            let sum: i64 = month_rows.iter().map(|r| r["figures"][key].as_i64().expect("n")).sum();
            assert_eq!(json!(sum), by_month.body["total"][key], "{group_by}: {key}");
        }
        let sum: i64 = month_rows.iter().map(|r| r["figures"]["sessions"]["visit"].as_i64().expect("n")).sum();
        assert_eq!(sum, sessions, "{group_by}");
        for month in [from, from.with_day(1).expect("1") + Months::new(1), to] {
            let key = format!("{:04}-{:02}", month.year(), month.month());
            let sql = app
                .sql_i64(&format!(
                    "SELECT coalesce(sum(cardinality(client_ids)), 0) FROM service_sessions WHERE {visits} \
                     AND to_char(occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = '{key}'"
                ))
                .await;
            let api: i64 = month_rows
                .iter()
                .filter(|r| r["month"] == json!(key))
                .map(|r| r["figures"]["visit_person_times"].as_i64().expect("n"))
                .sum();
            assert_eq!(api, sql, "{group_by}: {key}");
        }
        let first_month = format!("{:04}-{:02}", from.year(), from.month());
        let first: i64 = month_rows
            .iter()
            .filter(|r| r["month"] == json!(first_month))
            .map(|r| r["figures"]["visit_person_times"].as_i64().expect("n"))
            .sum();
        assert_eq!(first, 3, "{group_by}: the first day's two people and the month's last evening's one");
    }

    // The other branch sees only its own visit; nobody else's.
    let sup_b = app.token("sup_b").await;
    let b = app.get(&format!("/api/v1/stats?from={from}&to={to}"), &sup_b).await.expect(200);
    assert_eq!(b.body["total"]["visit_person_times"], json!(1));
    assert_eq!(b.body["total"]["roster_active"], json!(1));
    assert!(d.visits.len() > 8 && d.clients.len() == 7);
}

#[actix_web::test]
async fn roster_snapshot_and_coverage_match_plain_sql_and_the_rust_rule() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let d = data(&app, &f).await;
    let (from, to) = period();
    let end = to + Duration::days(1);
    let sup = app.token("sup_a").await;
    let res = app.get(&format!("/api/v1/stats?from={from}&to={to}&group_by=unit"), &sup).await.expect(200);
    let total = &res.body["total"];
    let in_a = in_unit(&f, "county_a");

    // On the roster at the end: enrolled by then and not left before it; the level as of then,
    // from the confirmed history (the enrolment's, for entries enrolled back-dated).
    let on_roster = format!("enrolled_on < '{end}' AND (left_on IS NULL OR left_on >= '{end}')");
    let level_at_end = format!(
        "coalesce((SELECT l.to_level FROM roster_level_events l WHERE l.roster_entry_id = e.id AND l.status = 'confirmed' \
                   AND l.decided_at < {e} ORDER BY l.decided_at DESC LIMIT 1), \
                  (SELECT l.to_level FROM roster_level_events l WHERE l.roster_entry_id = e.id AND l.status = 'confirmed' \
                   ORDER BY l.decided_at LIMIT 1))",
        e = cn_sql(end)
    );
    let active = app.sql_i64(&format!("SELECT count(*) FROM roster_entries WHERE {in_a} AND {on_roster}")).await;
    assert_eq!(active, 6, "e1, e2, e3, e5, e6 and e7 (left after the end); not e4 (left inside), e8 (enrolled today)");
    assert_eq!(total["roster_active"], json!(active));
    let by = &total["roster_by_programme"];
    for (programme, level) in [
        ("basic_protection", "blue"),
        ("basic_protection", "green"),
        ("basic_protection", "yellow"),
        ("child_care", "red"),
        ("elder_care", "green"),
        ("disability_care", "red"),
    ] {
        let n = app
            .sql_i64(&format!(
                "SELECT count(*) FROM roster_entries e WHERE e.{in_a} AND {on_roster} AND e.programme = '{programme}' \
                 AND {level_at_end} = '{level}'"
            ))
            .await;
        assert_eq!(by[programme][level], json!(n), "{programme} {level}");
    }
    assert_eq!(
        *by,
        json!({"basic_protection": {"blue": 1, "green": 1, "yellow": 1}, "child_care": {"red": 1},
               "disability_care": {"red": 1}, "elder_care": {"green": 1}}),
        "c3 was red at the end though blue now"
    );
    assert_eq!(
        app.sql_i64(&format!("SELECT count(*) FROM roster_entries WHERE id = '{}' AND level = 'blue'", d.entry("e3"))).await,
        1
    );

    // Coverage: the Rust rule over each entry's last linked visit before the end.
    let by_rust = covered_by_rust(&app, &d, &in_a, &on_roster, end).await;
    assert_eq!(by_rust, 3, "e2 (90 days), e3 (its last evening) and e6; not e1, e5 (never), e7 (14 days)");
    assert_eq!(total["roster_covered"], json!(by_rust));
    assert_eq!(total["roster_coverage"], json!(0.5));

    // Overdue now, whatever the period: active entries due before today.
    let overdue = app
        .sql_i64(&format!(
            "SELECT count(*) FROM roster_entries WHERE {in_a} AND left_on IS NULL AND next_visit_due < '{}'",
            today()
        ))
        .await;
    assert!(overdue >= 1, "e5 was never visited");
    assert_eq!(total["overdue_visits"], json!(overdue));

    // Unit rows carry the snapshot too, and add up to the total.
    let rows = res.body["rows"].as_array().expect("rows");
    let sum = |key: &str| rows.iter().map(|r| r["figures"][key].as_i64().expect("n")).sum::<i64>();
    assert_eq!(sum("roster_active"), active);
    assert_eq!(sum("roster_covered"), by_rust);
    let a2 = rows.iter().find(|r| r["org_unit_id"] == json!(f.unit("town_a2"))).expect("a2")["figures"].clone();
    assert_eq!(
        (a2["roster_active"].clone(), a2["roster_covered"].clone(), a2["roster_coverage"].clone()),
        (json!(1), json!(1), json!(1.0))
    );
    assert_eq!(a2["roster_by_programme"], json!({"basic_protection": {"green": 1}}));

    // A period that runs on: the roster as it stands, coverage judged at the end of today.
    let now = app.get(&format!("/api/v1/stats?from={}&to={}", today() - Duration::days(30), today()), &sup).await.expect(200);
    let now_total = &now.body["total"];
    let on_roster_now = format!("enrolled_on <= '{}' AND left_on IS NULL", today());
    let active_now = app.sql_i64(&format!("SELECT count(*) FROM roster_entries WHERE {in_a} AND {on_roster_now}")).await;
    assert_eq!(active_now, 6, "e1, e2, e3, e5, e6 and e8");
    assert_eq!(now_total["roster_active"], json!(active_now));
    assert_eq!(now_total["roster_by_programme"]["child_care"], json!({"blue": 1}), "c3 is blue now");
    let by_rust_now = covered_by_rust(&app, &d, &in_a, &on_roster_now, today() + Duration::days(1)).await;
    assert!(by_rust_now >= 1, "e1 was visited two days ago");
    assert_eq!(now_total["roster_covered"], json!(by_rust_now));
    let share = (by_rust_now as f64 / active_now as f64 * 10_000.0).round() / 10_000.0;
    assert_eq!(now_total["roster_coverage"], json!(share));
    assert_eq!(now_total["overdue_visits"], json!(overdue));

    // A unit with no roster: zeros, not gaps.
    let root = app.token("admin_root").await;
    let empty = app.get(&format!("/api/v1/stats?org_unit_id={}&from={from}&to={to}", f.unit("town_b2")), &root).await.expect(200);
    assert_eq!(
        (empty.body["total"]["roster_active"].clone(), empty.body["total"]["roster_coverage"].clone()),
        (json!(0), json!(0.0))
    );
}

#[actix_web::test]
async fn export_has_the_field_work_columns() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    data(&app, &f).await;
    let (from, to) = period();
    let sup = app.token("sup_a").await;
    let stats = app.get(&format!("/api/v1/stats?from={from}&to={to}"), &sup).await.expect(200);
    let total = &stats.body["total"];

    let csv = app
        .client
        .get(format!("{}/api/v1/stats/export?from={from}&to={to}&format=csv", app.base))
        .bearer_auth(&sup)
        .send()
        .await
        .expect("send");
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.expect("text");
    let mut reader = csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = reader.headers().expect("headers").iter().map(str::to_owned).collect();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let last = records.last().expect("total line");
    assert!(last[0].ends_with("（合计）"));
    let cell = |name: &str| {
        let i = headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {headers:?}"));
        last[i].to_owned()
    };
    assert_eq!(cell("走访次数"), total["sessions"]["visit"].to_string());
    assert_eq!(cell("走访人次"), total["visit_person_times"].to_string());
    assert_eq!(cell("走访户次"), total["household_visits"].to_string());
    assert_eq!(cell("在册人数"), total["roster_active"].to_string());
    assert_eq!(cell("已覆盖人数"), total["roster_covered"].to_string());
    assert_eq!(cell("覆盖率"), "0.5000");
    assert_eq!(cell("逾期未访（截至导出时）"), total["overdue_visits"].to_string());
    assert_eq!(cell("在册：兜底保障"), "3");
    assert_eq!(cell("服务人次"), total["person_times"].to_string());

    let res = app
        .client
        .get(format!("{}/api/v1/stats/export?from={from}&to={to}&format=xlsx", app.base))
        .bearer_auth(&sup)
        .send()
        .await
        .expect("send");
    let bytes = res.bytes().await.expect("bytes");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a real xlsx");
    let sheet = book.worksheet_range("服务统计").expect("sheet");
    let header: Vec<String> = sheet.rows().nth(2).expect("header row").iter().map(|c| c.to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let total_row = sheet.rows().next_back().expect("total row");
    assert_eq!(json!(total_row[col("走访人次")].get_float().expect("number") as i64), total["visit_person_times"]);
    assert_eq!(total_row[col("覆盖率")].get_float().expect("number"), 0.5);
    let levels = book.worksheet_range("台账分级").expect("roster sheet");
    let total_lines: Vec<Vec<String>> = levels
        .rows()
        .filter(|r| r[0].to_string().ends_with("（合计）"))
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(total_lines.len(), 6, "one line per programme and level at the end");
    assert!(
        total_lines.iter().any(|r| r[2] == "困境/留守儿童关爱" && r[3].starts_with("红色") && r[4] == "1"),
        "{total_lines:?}"
    );
}

#[actix_web::test]
async fn caseload_counts_roster_entries_and_visits_per_worker() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    data(&app, &f).await;
    let sup = app.token("sup_a1").await;
    let res = app.get("/api/v1/caseload", &sup).await.expect(200);
    let workers = res.body["workers"].as_array().expect("workers");
    let w = workers.iter().find(|w| w["user_id"] == json!(f.user("worker_a1"))).expect("worker_a1 row");
    let in_town = in_unit(&f, "town_a1");
    let mine = format!("responsible_worker_id = '{}' AND left_on IS NULL AND {in_town}", f.user("worker_a1"));
    let today = today();
    let entries = app.sql_i64(&format!("SELECT count(*) FROM roster_entries WHERE {mine}")).await;
    let overdue = app.sql_i64(&format!("SELECT count(*) FROM roster_entries WHERE {mine} AND next_visit_due < '{today}'")).await;
    let soon = app
        .sql_i64(&format!(
            "SELECT count(*) FROM roster_entries WHERE {mine} AND next_visit_due >= '{today}' AND next_visit_due < '{}'",
            today + Duration::days(7)
        ))
        .await;
    let visits = app
        .sql_i64(&format!(
            "SELECT count(*) FROM service_sessions WHERE method = 'visit' AND recorded_by = '{}' AND {in_town} \
             AND occurred_at >= now() - interval '30 days'",
            f.user("worker_a1")
        ))
        .await;
    assert_eq!(entries, 5, "e1, e2, e3, e5 and e8; e4 and e7 left, e6 is town_a2's");
    assert_eq!(w["roster_entries"], json!(entries));
    assert!(overdue >= 1, "e5 was never visited");
    assert_eq!(w["overdue_visits"], json!(overdue));
    assert!(soon >= 1, "e8 is due in five days");
    assert_eq!(w["visits_due_7d"], json!(soon));
    assert!(visits >= 1, "the visit two days ago");
    assert_eq!(w["visits_30d"], json!(visits));
    assert_eq!(res.body["totals"]["roster_entries"], json!(entries), "only worker_a1 answers for town_a1's roster");
    let other = workers.iter().find(|w| w["user_id"] == json!(f.user("worker_a1b"))).expect("worker_a1b row");
    assert_eq!((other["roster_entries"].clone(), other["visits_30d"].clone()), (json!(0), json!(0)));

    // The county sees town_a2's entry and worker too.
    let county = app.token("sup_a").await;
    let all = app.get("/api/v1/caseload", &county).await.expect(200);
    let a2 =
        all.body["workers"].as_array().expect("workers").iter().find(|w| w["user_id"] == json!(f.user("worker_a2"))).cloned();
    assert_eq!(a2.expect("worker_a2 row")["roster_entries"], json!(1));
    assert_eq!(
        all.body["totals"]["roster_entries"],
        json!(
            app.sql_i64(&format!("SELECT count(*) FROM roster_entries WHERE left_on IS NULL AND {}", in_unit(&f, "county_a")))
                .await
        )
    );
}

#[actix_web::test]
async fn a_clients_timeline_shows_the_visits_that_saw_them() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let d = data(&app, &f).await;
    let a1 = app.token("worker_a1").await;
    let c1 = &d.clients[0];
    // Every page, two at a time.
    let mut entries: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/clients/{c1}/timeline?limit=2&cursor={c}"),
            None => format!("/api/v1/clients/{c1}/timeline?limit=2"),
        };
        let page = app.get(&path, &a1).await.expect(200);
        entries.extend(page.body["items"].as_array().expect("items").iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(entries.len() < 200, "the pages end");
    }
    let times: Vec<String> = entries.iter().map(|e| e["at"].as_str().expect("at").to_owned()).collect();
    let parsed: Vec<chrono::DateTime<chrono::FixedOffset>> =
        times.iter().map(|t| chrono::DateTime::parse_from_rfc3339(t).expect("time")).collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "newest first across pages: {times:?}");
    let visits: Vec<&Value> = entries.iter().filter(|e| e["kind"] == "visit.recorded").collect();
    let shown: HashSet<String> = visits.iter().map(|e| e["entity_id"].as_str().expect("id").to_owned()).collect();
    assert_eq!(shown.len(), visits.len(), "each visit once");
    let expected = app
        .sql_i64(&format!("SELECT count(*) FROM service_sessions WHERE method = 'visit' AND client_ids @> ARRAY['{c1}'::uuid]"))
        .await;
    assert_eq!(expected, 4, "before, first, month_next and recent; none of c3's");
    assert_eq!(shown.len() as i64, expected);
    for name in ["before", "first", "month_next", "recent"] {
        assert!(shown.contains(d.visit(name)), "{name}");
    }
    assert!(!shown.contains(d.visit("last")), "c3's visit is not c1's");
    let first = visits.iter().find(|e| e["entity_id"] == json!(d.visit("first"))).expect("first");
    assert_eq!(first["entity_type"], "session");
    assert_eq!(first["actor_id"], json!(f.user("worker_a1")));
    assert!(first["summary"].as_str().expect("summary").contains("入户"), "{first}");
    let phone = visits.iter().find(|e| e["entity_id"] == json!(d.visit("recent"))).expect("recent");
    assert!(phone["summary"].as_str().expect("summary").contains("电话"), "{phone}");
    // The rest of the history is still there.
    assert!(entries.iter().any(|e| e["kind"] == "client.registered"));
}

#[actix_web::test]
async fn a_household_shows_its_newest_visits() {
    let app = TestApp::spawn().await;
    let f = app.fixture().await;
    let a1 = app.token("worker_a1").await;
    let c1 = client(&app, &a1, f.unit("town_a1"), 301).await;
    let c2 = client(&app, &a1, f.unit("town_a1"), 302).await;
    let c3 = client(&app, &a1, f.unit("town_a1"), 303).await;
    let household = app.post("/api/v1/households", &a1, json!({"org_unit_id": f.unit("town_a1")})).await.expect(201).id();
    let members = json!({"members": [{"client_id": c1, "relation": "self"}, {"client_id": c2, "relation": "child"}]});
    app.send_current(Method::PUT, &format!("/api/v1/households/{household}/members"), &a1, ("households", &household), members)
        .await
        .expect(200);
    let at = |hours: i64| (Utc::now() - Duration::hours(hours)).to_rfc3339();
    let on_household = visit(&app, &a1, at(5), &[&c3], Some(&household), "home_visit").await;
    let to_member = visit(&app, &a1, at(4), &[&c2], None, "phone").await;
    let to_both = visit(&app, &a1, at(3), &[&c1, &c3], None, "video").await;
    let elsewhere = visit(&app, &a1, at(2), &[&c3], None, "home_visit").await;

    let res = app.get(&format!("/api/v1/households/{household}"), &a1).await.expect(200);
    let shown: Vec<&str> =
        res.body["recent_visits"].as_array().expect("visits").iter().map(|v| v["id"].as_str().expect("id")).collect();
    assert_eq!(shown, vec![to_both.as_str(), to_member.as_str(), on_household.as_str()], "newest first; not {elsewhere}");
    let v = &res.body["recent_visits"][0];
    assert_eq!((v["mode"].clone(), v["recorded_by"].clone()), (json!("video"), json!(f.user("worker_a1"))));
    let sql = app
        .sql_i64(&format!(
            "SELECT count(*) FROM service_sessions s JOIN visits v ON v.session_id = s.id WHERE v.household_id = '{household}' \
             OR s.client_ids && ARRAY['{c1}'::uuid, '{c2}'::uuid]"
        ))
        .await;
    assert_eq!(sql, 3);

    // Only the newest twenty: more visits to a member, written straight into the tables.
    app.sql(&format!(
        "WITH s AS (INSERT INTO service_sessions (id, org_unit_id, method, occurred_at, duration_minutes, recorded_by, client_ids, households_reached) \
                    SELECT gen_random_uuid(), '{unit}', 'visit', now() - g * interval '1 minute', 20, '{worker}', ARRAY['{c2}'::uuid], 1 \
                    FROM generate_series(1, 25) g RETURNING id) \
         INSERT INTO visits (session_id, mode, action) SELECT id, 'phone', 'none' FROM s",
        unit = f.unit("town_a1"),
        worker = f.user("worker_a1"),
    ))
    .await;
    let res = app.get(&format!("/api/v1/households/{household}"), &a1).await.expect(200);
    let recent = res.body["recent_visits"].as_array().expect("visits");
    assert_eq!(recent.len(), 20);
    let newest = app
        .sql_i64(&format!(
            "SELECT count(*) FROM (SELECT s.id FROM service_sessions s WHERE s.method = 'visit' AND s.client_ids && ARRAY['{c1}'::uuid, '{c2}'::uuid] \
             ORDER BY s.occurred_at DESC, s.id DESC LIMIT 20) x WHERE x.id::text IN ({})",
            recent.iter().map(|v| format!("'{}'", v["id"].as_str().expect("id"))).collect::<Vec<_>>().join(", ")
        ))
        .await;
    assert_eq!(newest, 20, "the twenty newest");
    assert!(!recent.iter().any(|v| v["id"] == json!(on_household)), "the oldest fell off");
}
