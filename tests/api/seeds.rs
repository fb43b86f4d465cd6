//! The benchmark data set (`shegong seed --scale N`): what the set-based generator writes must be
//! data the service itself would accept, and consistent with its derived tables.

use chrono::NaiveDate;
use shegong::domain::client_rules::{check_client, ClientFacts};
use shegong::domain::enums::{CaseStatus, ClientCategory};
use shegong::domain::id_number::ResidentId;
use shegong::domain::labels::Coded;

use crate::helpers::TestApp;

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
    assert_eq!(methods, 3);
    assert!(app.sql_i64("SELECT count(*) FROM service_sessions WHERE method = 'individual'").await > 3000);
    assert_eq!(crate::stats::rollup_differences(&app).await, 0);
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
}
