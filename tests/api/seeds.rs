//! The benchmark data set (`shegong seed --scale N`): what the set-based generator writes must be
//! data the service itself would accept, and consistent with its derived tables.

use std::collections::{BTreeMap, HashSet};

use chrono::{Days, NaiveDate};
use shegong::domain::client_rules::{check_client, ClientFacts};
use shegong::domain::enums::{CaseStatus, ClientCategory};
use shegong::domain::fieldwork::households_reached;
use shegong::domain::id_number::ResidentId;
use shegong::domain::labels::Coded;
use uuid::Uuid;

use crate::helpers::TestApp;

/// The programmes a client's categories call for (FIELDWORK.md §1), `other` when none does.
fn programmes_of(categories: &[String]) -> HashSet<&'static str> {
    let mut out: HashSet<&'static str> = categories
        .iter()
        .filter_map(|c| match c.as_str() {
            "dibao" | "dibao_edge" | "tekun" | "low_income" => Some("basic_protection"),
            "left_behind_child" | "distressed_child" | "orphan" | "de_facto_uncared_child" => Some("child_care"),
            "left_behind_elder" | "empty_nest_elder" | "living_alone_elder" | "disabled_elder" => Some("elder_care"),
            "disabled" | "severe_disabled" => Some("disability_care"),
            _ => None,
        })
        .collect();
    if out.is_empty() {
        out.insert("other");
    }
    out
}

/// What every seeded roster and visit must satisfy, whatever the scale: entries match their
/// clients, last visits are the latest visit links, visits stay inside their unit and count their
/// households by the Rust rule. Answers (roster clients, visits).
async fn check_fieldwork(app: &TestApp) -> (i64, i64) {
    let conn = app.db.connect().await;
    let today = app.sql_i64("SELECT ((now() AT TIME ZONE 'Asia/Shanghai')::date - date '2000-01-01')::bigint").await;
    let today = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a day").checked_add_days(Days::new(today as u64)).expect("today");

    // One active entry per client and programme, and every entry in a programme its client's
    // categories call for, enrolled within the past year and not before the client was registered.
    assert_eq!(
        app.sql_i64("SELECT count(*) FROM (SELECT 1 FROM roster_entries WHERE left_on IS NULL GROUP BY client_id, programme HAVING count(*) > 1) d")
            .await,
        0
    );
    let rows = conn
        .query(
            "SELECT c.categories, array_agg(e.programme), min(e.enrolled_on)::text, (c.created_at AT TIME ZONE 'Asia/Shanghai')::date::text \
             FROM roster_entries e JOIN clients c ON c.id = e.client_id GROUP BY c.id",
            &[],
        )
        .await
        .expect("entries");
    for r in &rows {
        let categories: Vec<String> = r.get(0);
        let programmes: HashSet<String> = r.get::<_, Vec<String>>(1).into_iter().collect();
        let expected: HashSet<String> = programmes_of(&categories).into_iter().map(str::to_owned).collect();
        assert_eq!(programmes, expected, "{categories:?}");
        let enrolled: NaiveDate = r.get::<_, String>(2).parse().expect("a day");
        let registered: NaiveDate = r.get::<_, String>(3).parse().expect("a day");
        assert!(enrolled >= registered && enrolled <= today && enrolled >= today - Days::new(366), "{enrolled} ({registered})");
    }
    // The responsible worker works at the entry's unit or above it.
    assert_eq!(
        app.sql_i64(
            "SELECT count(*) FROM roster_entries e JOIN org_units u ON u.id = e.org_unit_id JOIN users w ON w.id = e.responsible_worker_id \
             JOIN org_units wu ON wu.id = w.org_unit_id WHERE NOT (u.path LIKE wu.path || '%' AND w.role IN ('worker', 'supervisor'))"
        )
        .await,
        0
    );
    // Each entry's level is the latest confirmed one of its history, which starts with the
    // enrolment; red ratings have their reason and an alert.
    assert_eq!(
        app.sql_i64(
            "SELECT count(*) FROM roster_entries e WHERE e.level IS DISTINCT FROM (SELECT ev.to_level FROM roster_level_events ev \
             WHERE ev.roster_entry_id = e.id AND ev.status = 'confirmed' ORDER BY ev.decided_at DESC LIMIT 1) \
             OR NOT EXISTS (SELECT 1 FROM roster_level_events ev WHERE ev.roster_entry_id = e.id AND ev.from_level IS NULL)"
        )
        .await,
        0
    );
    assert_eq!(
        app.sql_i64(
            "SELECT count(*) FROM roster_level_events ev WHERE ev.to_level = 'red' AND ev.status = 'confirmed' \
             AND NOT EXISTS (SELECT 1 FROM supervisor_alerts a WHERE a.kind = 'red_rating' AND a.roster_entry_id = ev.roster_entry_id)"
        )
        .await,
        0
    );

    // The last visit of each entry is the latest visit linked to it.
    assert_eq!(
        app.sql_i64(
            "SELECT count(*) FROM roster_entries e WHERE e.last_visit_at IS DISTINCT FROM \
             (SELECT max(v.occurred_at) FROM visit_roster_entries v WHERE v.roster_entry_id = e.id)"
        )
        .await,
        0
    );
    // Links carry their visit's time, and join a visit to an active entry of a client it saw.
    assert_eq!(
        app.sql_i64(
            "SELECT count(*) FROM visit_roster_entries v JOIN service_sessions s ON s.id = v.session_id \
             JOIN roster_entries e ON e.id = v.roster_entry_id \
             WHERE v.occurred_at <> s.occurred_at OR s.method <> 'visit' OR NOT e.client_id = ANY (s.client_ids)"
        )
        .await,
        0
    );
    // Every visit has its row, sees only clients of its unit's subtree, and satisfies every
    // active entry of those clients enrolled by then.
    assert_eq!(
        app.sql_i64(
            "SELECT count(*) FROM service_sessions s JOIN org_units u ON u.id = s.org_unit_id WHERE s.method = 'visit' AND ( \
               NOT EXISTS (SELECT 1 FROM visits v WHERE v.session_id = s.id) \
               OR EXISTS (SELECT 1 FROM unnest(s.client_ids) c JOIN clients k ON k.id = c JOIN org_units ku ON ku.id = k.org_unit_id \
                          WHERE ku.path NOT LIKE u.path || '%') \
               OR EXISTS (SELECT 1 FROM roster_entries e WHERE e.client_id = ANY (s.client_ids) AND e.left_on IS NULL \
                          AND e.enrolled_on <= (s.occurred_at AT TIME ZONE 'Asia/Shanghai')::date \
                          AND NOT EXISTS (SELECT 1 FROM visit_roster_entries l WHERE l.session_id = s.id AND l.roster_entry_id = e.id)))"
        )
        .await,
        0
    );
    // Households reached, as the Rust rule counts them from the clients seen and the household.
    let visits = conn
        .query(
            "SELECT s.households_reached, v.household_id, s.client_ids, \
                    ARRAY(SELECT k.household_id FROM unnest(s.client_ids) WITH ORDINALITY c(id, n) JOIN clients k ON k.id = c.id ORDER BY c.n) \
             FROM service_sessions s JOIN visits v ON v.session_id = s.id",
            &[],
        )
        .await
        .expect("visits");
    for r in &visits {
        let clients: Vec<Uuid> = r.get(2);
        let homes: Vec<Option<Uuid>> = r.get(3);
        let seen: Vec<(Uuid, Option<Uuid>)> = clients.into_iter().zip(homes).collect();
        assert_eq!(r.get::<_, Option<i32>>(0), Some(households_reached(&seen, r.get(1))), "{seen:?}");
    }
    // A household visited as a whole: its members are the clients seen.
    assert_eq!(
        app.sql_i64(
            "SELECT count(*) FROM visits v JOIN service_sessions s ON s.id = v.session_id WHERE v.household_id IS NOT NULL \
             AND ARRAY(SELECT m.client_id FROM household_members m WHERE m.household_id = v.household_id ORDER BY 1) \
                 <> ARRAY(SELECT c FROM unnest(s.client_ids) c ORDER BY 1)"
        )
        .await,
        0
    );
    assert_eq!(crate::stats::rollup_differences(app).await, 0);
    let clients = app.sql_i64("SELECT count(DISTINCT client_id) FROM roster_entries").await;
    (clients, visits.len() as i64)
}

#[actix_web::test]
async fn the_demo_seed_has_rosters_and_a_year_of_visits() {
    let app = TestApp::spawn().await;
    shegong::seed::demo(&app.state).await.expect("seed");
    let (on_rosters, visits) = check_fieldwork(&app).await;
    // About a third of the 300 clients, each visited about every interval since enrolment.
    assert!((70..=130).contains(&on_rosters), "{on_rosters} clients on rosters");
    assert!(visits >= on_rosters * 2, "{visits} visits");

    // Levels spread like real files: most green, few red (at least one).
    let levels: BTreeMap<String, i64> = app
        .db
        .connect()
        .await
        .query("SELECT level, count(*) FROM roster_entries GROUP BY 1", &[])
        .await
        .expect("levels")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let n = |l: &str| levels.get(l).copied().unwrap_or(0);
    assert!(n("red") >= 1 && n("red") < n("yellow") && n("yellow") < n("blue") && n("blue") < n("green"), "{levels:?}");
    // Every programme but `other` has someone; visits are mostly at home, some by phone; some
    // see a household as a whole; some are overdue now; a few observed a level.
    assert_eq!(app.sql_i64("SELECT count(DISTINCT programme) FROM roster_entries WHERE programme <> 'other'").await, 4);
    let home = app.sql_i64("SELECT count(*) FROM visits WHERE mode = 'home_visit'").await;
    let phone = app.sql_i64("SELECT count(*) FROM visits WHERE mode = 'phone'").await;
    assert!(home > visits / 2 && phone > 0 && phone < home, "{home} home visits, {phone} by phone of {visits}");
    assert!(app.sql_i64("SELECT count(*) FROM visits WHERE household_id IS NOT NULL").await > 0);
    assert!(
        app.sql_i64("SELECT count(*) FROM service_sessions WHERE households_reached = 1 AND cardinality(client_ids) > 1").await
            > 0
    );
    let today = "(now() AT TIME ZONE 'Asia/Shanghai')::date";
    let overdue = app.sql_i64(&format!("SELECT count(*) FROM roster_entries WHERE next_visit_due < {today}")).await;
    assert!(overdue > 0 && overdue < on_rosters, "{overdue} overdue");
    assert!(app.sql_i64("SELECT count(*) FROM visit_roster_entries WHERE level_observed IS NOT NULL").await > 0);
    // One urgent report, open on the supervisors' queue.
    assert_eq!(app.sql_i64("SELECT count(*) FROM visits WHERE action = 'urgent_report'").await, 1);
    assert_eq!(
        app.sql_i64(
            "SELECT count(*) FROM supervisor_alerts a JOIN visits v ON v.session_id = a.session_id \
             WHERE a.kind = 'urgent_report' AND a.status = 'open' AND v.action = 'urgent_report'"
        )
        .await,
        1
    );

    // A demo worker's due list answers what the table holds.
    let token =
        app.login_full("bhz_worker", shegong::seed::DEMO_PASSWORD).await["access_token"].as_str().expect("token").to_owned();
    let mine = app
        .sql_i64("SELECT count(*) FROM roster_entries e JOIN users u ON u.id = e.responsible_worker_id WHERE u.username = 'bhz_worker'")
        .await;
    assert!(mine > 0, "bhz_worker is responsible for nobody");
    let listed = app.get("/api/v1/roster-entries?responsible=me&limit=100", &token).await.expect(200).body["items"]
        .as_array()
        .expect("items")
        .len();
    assert_eq!(listed as i64, mine);
}

#[actix_web::test]
async fn the_scale_seed_writes_valid_consistent_data() {
    let app = TestApp::spawn().await;
    shegong::seed::scale(&app.state, 3000).await.expect("seed");
    let conn = app.db.connect().await;

    // Every generated client has a valid resident ID that agrees with its birth date and gender,
    // and categories that fit its age.
    let today = chrono::Utc::now().date_naive();
    let rows = conn
        .query("SELECT id_number, birth_date::text, gender, categories, guardian IS NOT NULL FROM clients WHERE id_type = 'resident_id'", &[])
        .await
        .expect("clients");
    assert!(rows.len() >= 3000, "{} clients", rows.len());
    for r in &rows {
        let number: String = r.get(0);
        let id = ResidentId::parse(&number, today).unwrap_or_else(|e| panic!("{number}: {e:?}"));
        let birth: Option<NaiveDate> = r.get::<_, Option<String>>(1).map(|d| d.parse().expect("a date"));
        assert_eq!(Some(id.birth_date()), birth, "{number}");
        let gender: Option<String> = r.get(2);
        assert_eq!(gender.as_deref(), Some(id.gender().code()), "{number}");
        let categories: Vec<ClientCategory> =
            r.get::<_, Vec<String>>(3).iter().map(|c| ClientCategory::from_code(c).expect("a known category")).collect();
        let violations = check_client(&ClientFacts { birth_date: birth, categories: &categories, has_guardian: r.get(4), today });
        assert!(violations.is_empty(), "{number}: {:?}", violations.iter().map(|v| v.code).collect::<Vec<_>>());
    }

    // Cases in every status, sessions of every method, the monthly totals equal to a recount.
    let statuses: Vec<String> =
        conn.query("SELECT DISTINCT status FROM cases", &[]).await.expect("statuses").iter().map(|r| r.get(0)).collect();
    for status in CaseStatus::ALL {
        assert!(statuses.iter().any(|s| s == status.code()), "a case in status {}", status.code());
    }
    let methods = app.sql_i64("SELECT count(DISTINCT method) FROM service_sessions").await;
    assert_eq!(methods, 4);
    assert!(app.sql_i64("SELECT count(*) FROM service_sessions WHERE method = 'individual'").await > 3000);
    // Rosters for about a third of the clients, with their visits (and the monthly totals
    // equal to a recount).
    let (on_rosters, visits) = check_fieldwork(&app).await;
    let clients = app.sql_i64("SELECT count(*) FROM clients").await;
    assert!(on_rosters * 4 > clients && on_rosters * 2 < clients, "{on_rosters} of {clients} clients on rosters");
    assert!(visits >= on_rosters * 2, "{visits} visits");
    // Individual sessions carry time-ordered ids from when they happened, as the service makes them.
    let misordered = app
        .sql_i64(
            "SELECT count(*) FROM service_sessions WHERE method = 'individual' \
             AND left(replace(id::text, '-', ''), 12) <> lpad(to_hex((extract(epoch FROM occurred_at) * 1000)::bigint), 12, '0')",
        )
        .await;
    assert_eq!(misordered, 0);
    // Case numbers are unique and the counters continue after them.
    assert_eq!(app.sql_i64("SELECT count(*) - count(DISTINCT case_no) FROM cases").await, 0);

    // A generated township worker signs in and finds their station's clients and cases.
    let worker: String = conn
        .query_one("SELECT username FROM users WHERE username LIKE 'tw\\_%\\_1' ORDER BY username LIMIT 1", &[])
        .await
        .expect("a bench worker")
        .get(0);
    let token = app.login_full(&worker, "Bench-Pass-2026").await["access_token"].as_str().expect("token").to_owned();
    assert!(!app.get("/api/v1/clients", &token).await.expect(200).body["items"].as_array().expect("items").is_empty());
    assert!(!app.get("/api/v1/cases", &token).await.expect(200).body["items"].as_array().expect("items").is_empty());
    // A generated worker responsible for roster entries finds each of them on their list.
    let row = conn
        .query_one(
            "SELECT u.username, count(*) FROM users u JOIN roster_entries e ON e.responsible_worker_id = u.id \
             WHERE u.username LIKE 'tw\\_%' AND e.left_on IS NULL GROUP BY u.username ORDER BY u.username LIMIT 1",
            &[],
        )
        .await
        .expect("a bench worker with a roster");
    let (worker, entries): (String, i64) = (row.get(0), row.get(1));
    let token = app.login_full(&worker, "Bench-Pass-2026").await["access_token"].as_str().expect("token").to_owned();
    let listed = app.get("/api/v1/roster-entries?responsible=me&limit=100", &token).await.expect(200).body["items"]
        .as_array()
        .expect("items")
        .len();
    assert_eq!(listed as i64, entries.min(100), "{worker}");
}
