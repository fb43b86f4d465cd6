//! Rules that have to live in SQL as well as in Rust, and the proof that the two agree.
//!
//! - The visit interval of a risk level: the SQL function `case_visit_due` is the rule, because
//!   the stored column `cases.visit_due_at` and its index (`GET /cases?overdue=true`, caseloads,
//!   statistics) need it inside PostgreSQL; [`RiskLevel::visit_interval_days`] is its Rust
//!   statement, and these tests hold the two equal for every level.
//! - Open statuses: the generated column `cases.is_open` against [`case_flow::is_open`].
//! - Attendance that counts as served has one home, [`AttendanceStatus::counts_as_served`]: the
//!   queries take their `IN (…)` list from it (`db::repo::rules`).
//! - Population groups: the SQL function `population_groups` (the statistics count people per
//!   group inside PostgreSQL) against [`population::groups`].
//! - The seed writes cases in SQL for speed; every case number it writes is the one the Rust
//!   rule gives, and every status (with its pending review) is one the state machine reaches.

use std::collections::{btree_map::Entry, BTreeMap, HashSet};

use shegong::db::repo;
use shegong::domain::case_flow::{self, decide_review, transition, ReviewContext, TransitionContext, TransitionInput};
use shegong::domain::case_records::case_number;
use shegong::domain::enums::{
    AttendanceStatus, CaseAction, CaseStatus, ClientCategory, ClosureReason, ConsentScope, ReviewDecision, ReviewKind,
    ReviewStatus, RiskLevel, Role,
};
use shegong::domain::labels::Coded;
use shegong::domain::population;
use uuid::Uuid;

use crate::helpers::TestApp;

const DAY: i64 = 86_400;

#[actix_web::test]
async fn case_visit_due_is_the_visit_interval_of_every_risk_level() {
    let app = TestApp::spawn().await;
    let conn = app.db.connect().await;
    // A zone with daylight saving: an interval of days would move by an hour across a change;
    // the rule is whole days of 24 hours, as `visit_interval_days` says.
    conn.batch_execute("SET TIME ZONE 'America/New_York'").await.expect("time zone");
    let instants: [i64; 5] = [0, 1_710_054_000, 1_730_613_600, 1_767_225_599, 1_798_761_600];
    for risk in RiskLevel::ALL {
        for since in instants {
            let due: i64 = conn
                .query_one(
                    "SELECT extract(epoch FROM case_visit_due($1, to_timestamp($2::float8)))::int8",
                    &[&risk.code(), &(since as f64)],
                )
                .await
                .expect("case_visit_due")
                .get(0);
            assert_eq!(due, since + risk.visit_interval_days() * DAY, "{risk:?} from {since}");
        }
    }
    // The table's CHECK admits exactly the Rust risk levels, so no other code reaches the
    // function's fallback branch.
    let allowed: Vec<String> = conn
        .query(
            "SELECT unnest(regexp_matches(pg_get_constraintdef(oid), '''([a-z_]+)''', 'g')) FROM pg_constraint \
                WHERE conrelid = 'cases'::regclass AND pg_get_constraintdef(oid) LIKE '%risk_level%'",
            &[],
        )
        .await
        .expect("constraint")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let codes: Vec<&str> = RiskLevel::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(allowed, codes);
}

#[actix_web::test]
async fn population_groups_in_sql_are_the_rust_rule() {
    let app = TestApp::spawn().await;
    let conn = app.db.connect().await;
    let mut category_sets: Vec<Vec<ClientCategory>> = ClientCategory::ALL.iter().map(|c| vec![*c]).collect();
    category_sets.push(Vec::new());
    category_sets.push(vec![ClientCategory::Dibao, ClientCategory::LeftBehindChild, ClientCategory::Disabled]);
    category_sets.push(vec![ClientCategory::GeneralResident, ClientCategory::Tekun]);
    // Around the 60th and 18th birthdays, born on 29 February among them, and no birth date.
    let births = [None, Some("1966-12-31"), Some("2008-12-31"), Some("1964-02-29"), Some("2008-02-29"), Some("1990-06-15")];
    let days = ["2026-12-30", "2026-12-31", "2024-02-28", "2024-02-29", "2026-02-28", "2026-03-01"];
    let mut checked = 0;
    for categories in &category_sets {
        let codes: Vec<String> = categories.iter().map(|c| c.code().to_owned()).collect();
        for birth in births {
            for day in days {
                for disability in [false, true] {
                    let sql: Vec<String> = conn
                        .query_one(
                            "SELECT population_groups($1, $2::text::date, $3, $4::text::date)",
                            &[&codes, &birth, &disability, &day],
                        )
                        .await
                        .expect("population_groups")
                        .get(0);
                    let on = day.parse().expect("day");
                    let rust: Vec<String> =
                        population::groups(categories, birth.map(|b| b.parse().expect("birth")), disability, on)
                            .iter()
                            .map(|g| g.code().to_owned())
                            .collect();
                    assert_eq!(sql, rust, "{codes:?} born {birth:?} on {day}, disability {disability}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1000);
}

#[actix_web::test]
async fn generated_case_columns_follow_the_case_flow() {
    let app = TestApp::spawn().await;
    shegong::seed::demo(&app.state).await.expect("seed");
    let conn = app.db.connect().await;
    let id: Uuid = conn.query_one("SELECT id FROM cases ORDER BY id LIMIT 1", &[]).await.expect("a case").get(0);
    for status in CaseStatus::ALL {
        for risk in RiskLevel::ALL {
            let row = conn
                .query_one(
                    "UPDATE cases SET status = $2, risk_level = $3, closed_at = CASE WHEN $2 = 'closed' THEN now() END \
                     WHERE id = $1 RETURNING is_open, extract(epoch FROM visit_due_at)::int8, \
                     extract(epoch FROM coalesce(last_session_at, opened_at))::int8",
                    &[&id, &status.code(), &risk.code()],
                )
                .await
                .expect("update");
            let (is_open, due, since): (bool, Option<i64>, i64) = (row.get(0), row.get(1), row.get(2));
            assert_eq!(is_open, case_flow::is_open(*status), "{status:?}");
            // Visits are expected while a case is open and not suspended.
            let expects_visits = case_flow::is_open(*status) && *status != CaseStatus::Suspended;
            let expected = expects_visits.then(|| since + risk.visit_interval_days() * DAY);
            assert_eq!(due, expected, "{status:?} at {risk:?}");
        }
    }
}

#[actix_web::test]
async fn group_attendance_counts_what_the_rust_rule_counts() {
    let app = TestApp::spawn().await;
    shegong::seed::demo(&app.state).await.expect("seed");
    let conn = app.db.connect().await;
    // The seeded group sessions hold attendance of every status; recount per session by the
    // Rust rule and compare with the repository's figures.
    let mut db = app.state.conn().await.expect("a connection");
    let groups: Vec<Uuid> = conn
        .query("SELECT DISTINCT s.group_id FROM service_sessions s JOIN session_attendance a ON a.session_id = s.id", &[])
        .await
        .expect("groups")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(!groups.is_empty(), "the demo data has group attendance");
    let mut statuses_seen = HashSet::new();
    for group in groups {
        for f in repo::sessions::group_session_figures(&mut db, group).await.expect("figures") {
            let rows = conn
                .query("SELECT status, client_id IS NOT NULL FROM session_attendance WHERE session_id = $1", &[&f.id])
                .await
                .expect("attendance");
            let (mut attended, mut members_attended) = (0, 0);
            for r in &rows {
                let status = AttendanceStatus::from_code(r.get(0)).expect("a known status");
                statuses_seen.insert(status.code());
                if status.counts_as_served() {
                    attended += 1;
                    if r.get::<_, bool>(1) {
                        members_attended += 1;
                    }
                }
            }
            assert_eq!((f.attended, f.members_attended), (attended, members_attended), "session {}", f.id);
        }
    }
    assert_eq!(statuses_seen.len(), AttendanceStatus::ALL.len(), "every status is exercised");
}

/// Every (status, pending review) pair the state machine reaches from a new case with these
/// records, asking the real `transition` and `decide_review` as a supervisor with every input
/// given. Records only accumulate, so a case that got somewhere passes the same guards with its
/// records of today; the exceptions are given the benefit of the doubt: the risk level may have
/// been red once, and follow-ups open now were done before the case last moved.
fn reachable(records: &TransitionContext) -> HashSet<(CaseStatus, Option<ReviewKind>)> {
    let mut seen = HashSet::from([(CaseStatus::Intake, None)]);
    let mut todo = vec![(CaseStatus::Intake, None)];
    while let Some((status, pending)) = todo.pop() {
        let mut next = Vec::new();
        match pending {
            None => {
                let ctx = TransitionContext {
                    status,
                    role: Role::Supervisor,
                    risk_level: RiskLevel::Red,
                    has_pending_review: false,
                    open_follow_ups: 0,
                    ..records.clone()
                };
                for &action in CaseAction::ALL {
                    for &closure_reason in ClosureReason::ALL {
                        let input =
                            TransitionInput { action, reason: Some("原因".into()), closure_reason: Some(closure_reason) };
                        if let Ok(o) = transition(&ctx, &input) {
                            next.push((o.to, o.creates_review));
                        }
                    }
                }
            }
            Some(kind) => {
                for decision in ReviewDecision::ALL {
                    let ctx = ReviewContext {
                        role: Role::Supervisor,
                        is_requester: false,
                        review_status: ReviewStatus::Pending,
                        case_status: status,
                        plan_goal_count: records.plan_goal_count,
                        scheduled_follow_ups: records.scheduled_follow_ups,
                        comment: Some("意见".into()),
                    };
                    if let Ok(to) = decide_review(kind, *decision, &ctx) {
                        next.push((to, None));
                    }
                }
            }
        }
        for pair in next {
            if seen.insert(pair) {
                todo.push(pair);
            }
        }
    }
    seen
}

/// Whether a stored consent allows services today, read as the service reads it.
fn service_consent(stored: &Option<serde_json::Value>) -> bool {
    let consent = stored.clone().and_then(|v| serde_json::from_value::<shegong::dto::clients::Consent>(v).ok());
    let today = shegong::domain::dates::china_today();
    shegong::domain::consent::permits(consent.as_ref().map(|c| c.facts()).as_ref(), ConsentScope::Services, today)
}

/// A case with every record a guard asks for.
fn ready(status: CaseStatus) -> TransitionContext {
    TransitionContext {
        status,
        role: Role::Supervisor,
        is_assigned_worker: true,
        risk_level: RiskLevel::Red,
        assessment_count: 1,
        plan_goal_count: 1,
        individual_session_count: 1,
        has_evaluation: true,
        has_pending_review: false,
        scheduled_follow_ups: 0,
        open_follow_ups: 0,
        has_outgoing_referral: true,
        has_service_consent: true,
    }
}

#[test]
fn with_every_record_each_status_is_reachable() {
    let statuses: HashSet<CaseStatus> = reachable(&ready(CaseStatus::Intake)).into_iter().map(|(s, _)| s).collect();
    let with_follow_ups = TransitionContext { scheduled_follow_ups: 1, ..ready(CaseStatus::Intake) };
    let more: HashSet<CaseStatus> = reachable(&with_follow_ups).into_iter().map(|(s, _)| s).collect();
    assert_eq!(statuses.union(&more).count(), CaseStatus::ALL.len());
    assert!(!statuses.contains(&CaseStatus::FollowUp), "follow-up needs a scheduled follow-up");
}

#[actix_web::test]
async fn seeded_cases_follow_the_case_number_and_state_machine_rules() {
    let app = TestApp::spawn().await;
    shegong::seed::demo(&app.state).await.expect("demo seed");
    let conn = app.db.connect().await;
    let mut db = app.state.conn().await.expect("a connection");
    let demo_cases: HashSet<Uuid> =
        conn.query("SELECT id FROM cases", &[]).await.expect("cases").iter().map(|r| r.get(0)).collect();
    // A county without a division code: its stations number cases after the city's code, the
    // nearest one in their lineage.
    let county = "中宁县社会工作服务指导中心";
    let city_prefix: String = conn
        .query_one(
            "UPDATE org_units c SET division_code = NULL FROM org_units p WHERE c.name = $1 AND p.id = c.parent_id \
             RETURNING left(p.division_code, 6)",
            &[&county],
        )
        .await
        .expect("the county")
        .get(0);
    // Then the benchmark set: generated units in every county, more clients, more cases.
    shegong::seed::scale(&app.state, 1500).await.expect("scale seed");

    let rows = conn
        .query(
            "SELECT c.case_no, c.org_unit_id, extract(year FROM c.opened_at AT TIME ZONE 'Asia/Shanghai')::int4, c.status, \
                    (SELECT r.kind FROM reviews r WHERE r.case_id = c.id AND r.status = 'pending'), c.id \
             FROM cases c ORDER BY c.case_no",
            &[],
        )
        .await
        .expect("cases");
    assert!(rows.len() >= 50, "{} seeded cases", rows.len());

    // Case numbers: the prefix the service would give the case's unit now (asked of the
    // service's own numbering; cases numbered before the county lost its code keep theirs), the
    // China year of opening, and per prefix and year the sequence 1, 2, 3, … without gaps, which
    // the service's counters continue.
    let mut prefixes: BTreeMap<Uuid, String> = BTreeMap::new();
    let mut seqs: BTreeMap<(String, i32), (Vec<i32>, Uuid)> = BTreeMap::new();
    let mut after_city = 0;
    for r in &rows {
        let case_no: String = r.get(0);
        let unit_id: Uuid = r.get(1);
        let year: i32 = r.get(2);
        if let Entry::Vacant(slot) = prefixes.entry(unit_id) {
            let unit = repo::org_units::find(&mut db, unit_id).await.expect("unit").expect("the case's unit");
            let next = repo::cases::next_case_no(&mut db, &unit, 2999).await.expect("a number");
            slot.insert(next.split('-').next().expect("a prefix").to_owned());
        }
        let (written, seq) = case_no
            .split_once('-')
            .and_then(|(p, rest)| Some((p, rest.rsplit('-').next()?.parse().ok()?)))
            .unwrap_or_else(|| panic!("{case_no}"));
        if !demo_cases.contains(&r.get::<_, Uuid>(5)) {
            let prefix = &prefixes[&unit_id];
            assert_eq!(case_no, case_number(prefix, year, seq), "the Rust rule numbers this case differently");
            after_city += usize::from(*prefix == city_prefix);
        }
        seqs.entry((written.to_owned(), year)).or_insert_with(|| (Vec::new(), unit_id)).0.push(seq);
    }
    assert!(after_city > 0, "no seeded case in the county without a code");
    for ((prefix, year), (mut got, unit)) in seqs {
        got.sort_unstable();
        let n = i32::try_from(got.len()).expect("few");
        assert_eq!(got, (1..=n).collect::<Vec<_>>(), "{prefix}-{year}");
        if prefixes[&unit] == prefix {
            let unit = repo::org_units::find(&mut db, unit).await.expect("unit").expect("unit");
            assert_eq!(
                repo::cases::next_case_no(&mut db, &unit, year).await.expect("a number"),
                case_number(&prefix, year, n + 1)
            );
        }
    }

    // Statuses: each seeded case, with the review it waits for, is where the state machine can
    // bring a case with the records the seed gave it (counted by the service's own queries).
    let mut statuses = HashSet::new();
    let mut unreachable = Vec::new();
    for r in &rows {
        let status = CaseStatus::from_code(r.get(3)).expect("a known status");
        let pending = r.get::<_, Option<String>>(4).map(|k| ReviewKind::from_code(&k).expect("a known review kind"));
        let id: Uuid = r.get(5);
        let facts = repo::cases::facts(&mut db, id).await.expect("facts");
        let sessions = repo::cases::individual_session_count(&mut db, id).await.expect("sessions");
        let count = |n: i64| u32::try_from(n).expect("a count");
        let records = TransitionContext {
            assessment_count: count(facts.assessments),
            plan_goal_count: count(facts.latest_plan_goals),
            individual_session_count: count(sessions),
            has_evaluation: facts.evaluations > 0,
            scheduled_follow_ups: count(facts.follow_ups),
            has_outgoing_referral: facts.outgoing_referral,
            has_service_consent: service_consent(&facts.client_consent),
            ..ready(CaseStatus::Intake)
        };
        if !reachable(&records).contains(&(status, pending)) {
            unreachable.push(format!("{}: {status:?} waiting for {pending:?} with {records:?}", r.get::<_, String>(0)));
        }
        statuses.insert(status);
    }
    assert!(
        unreachable.is_empty(),
        "{} cases the state machine cannot reach, e.g. {:?}",
        unreachable.len(),
        &unreachable[..unreachable.len().min(3)]
    );
    assert_eq!(statuses.len(), CaseStatus::ALL.len(), "the seed spreads cases over every status: {statuses:?}");

    // Any transition the seed records is an edge of the state machine.
    for e in
        conn.query("SELECT action, from_status, to_status FROM case_events WHERE action IS NOT NULL", &[]).await.expect("events")
    {
        let action = CaseAction::from_code(e.get(0)).expect("action");
        let from = CaseStatus::from_code(e.get(1)).expect("from");
        let to = CaseStatus::from_code(e.get(2)).expect("to");
        let input = TransitionInput { action, reason: Some("原因".into()), closure_reason: Some(ClosureReason::GoalsAchieved) };
        assert_eq!(transition(&ready(from), &input).map(|o| o.to), Ok(to), "{action:?} from {from:?}");
    }
}
