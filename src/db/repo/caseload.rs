//! The supervisor's caseload: open cases, overdue visits, recent sessions and pending reviews per
//! worker of a subtree, and the roster entries they answer for, each counted by one grouped
//! query over indexes.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::scope::subtree_units_sql;
use crate::db::{statement::Statement, Conn};

/// Open cases of one worker with one status and risk level.
#[derive(Debug, Clone, QueryableByName)]
pub struct OpenCases {
    #[diesel(sql_type = SqlUuid)]
    pub worker_id: Uuid,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub risk_level: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
}

/// A per-worker count (and minutes, for sessions).
#[derive(Debug, Clone, QueryableByName)]
pub struct WorkerCount {
    #[diesel(sql_type = SqlUuid)]
    pub worker_id: Uuid,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub minutes: Option<i64>,
}

/// The active roster entries one worker answers for.
#[derive(Debug, Clone, QueryableByName)]
pub struct RosterLoad {
    #[diesel(sql_type = SqlUuid)]
    pub worker_id: Uuid,
    /// Entries.
    #[diesel(sql_type = BigInt)]
    pub entries: i64,
    /// Of those, due before today.
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
    /// Of those, due today or in the six days after.
    #[diesel(sql_type = BigInt)]
    pub due_soon: i64,
}

/// A worker of the subtree.
#[derive(Debug, Clone, QueryableByName)]
pub struct Worker {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub display_name: String,
    #[diesel(sql_type = SqlUuid)]
    pub org_unit_id: Uuid,
    #[diesel(sql_type = Text)]
    pub role: String,
}

/// A caseload query over the subtree of `path`: `sql` gets the subquery of its units.
fn over(path: &str, sql: impl FnOnce(&str) -> String) -> Statement<'static> {
    let mut q = Statement::new("");
    let units = subtree_units_sql(&mut q, path);
    q.push(&sql(&units));
    q
}

/// Open cases of the subtree by worker, status and risk, with how many are overdue.
pub async fn open_cases(conn: &mut Conn, path: &str) -> QueryResult<Vec<OpenCases>> {
    over(path, |units| {
        format!(
            "SELECT worker_id, status, risk_level, count(*) AS n, count(*) FILTER (WHERE visit_due_at < now()) AS overdue \
             FROM cases WHERE is_open AND org_unit_id IN ({units}) GROUP BY worker_id, status, risk_level"
        )
    })
    .load(conn)
    .await
}

/// Sessions and minutes of the last 30 days in the subtree, by who recorded them.
pub async fn recent_sessions(conn: &mut Conn, path: &str) -> QueryResult<Vec<WorkerCount>> {
    over(path, |units| {
        format!(
            "SELECT recorded_by AS worker_id, count(*) AS n, sum(duration_minutes)::bigint AS minutes \
             FROM service_sessions WHERE org_unit_id IN ({units}) AND occurred_at >= now() - interval '30 days' \
             GROUP BY recorded_by"
        )
    })
    .load(conn)
    .await
}

/// Active roster entries of the subtree by responsible worker: how many, how many overdue (due
/// before `today`, as `fieldwork::is_overdue`), and how many due in the seven days from `today`
/// (what `due_before=today+7` lists, less the overdue). Index-only on `roster_entries_unit_due`.
pub async fn roster_entries(conn: &mut Conn, path: &str, today: NaiveDate) -> QueryResult<Vec<RosterLoad>> {
    let mut q = Statement::new("");
    let units = subtree_units_sql(&mut q, path);
    let today = q.arg::<Date, _>(today);
    q.push(&format!(
        // `{today}::date`: the day is bound as a date, but a captured copy of this statement
        // (bench/sqlcapture.py writes parameters in as untyped literals) must read it as one too.
        "SELECT responsible_worker_id AS worker_id, count(*) AS entries, \
                count(*) FILTER (WHERE next_visit_due < {today}) AS overdue, \
                count(*) FILTER (WHERE next_visit_due >= {today} AND next_visit_due < {today}::date + 7) AS due_soon \
         FROM roster_entries WHERE left_on IS NULL AND org_unit_id IN ({units}) GROUP BY responsible_worker_id"
    ));
    q.load(conn).await
}

/// Visits of the last 30 days in the subtree, by who recorded them (index-only on
/// `service_sessions_unit_visits`).
pub async fn recent_visits(conn: &mut Conn, path: &str) -> QueryResult<Vec<WorkerCount>> {
    over(path, |units| {
        format!(
            "SELECT recorded_by AS worker_id, count(*) AS n, NULL::bigint AS minutes \
             FROM service_sessions WHERE method = 'visit' AND org_unit_id IN ({units}) \
               AND occurred_at >= now() - interval '30 days' \
             GROUP BY recorded_by"
        )
    })
    .load(conn)
    .await
}

/// Pending reviews of the subtree, by the worker of the case.
pub async fn pending_reviews(conn: &mut Conn, path: &str) -> QueryResult<Vec<WorkerCount>> {
    over(path, |units| {
        format!(
            "SELECT c.worker_id, count(*) AS n, NULL::bigint AS minutes FROM reviews r JOIN cases c ON c.id = r.case_id \
             WHERE r.status = 'pending' AND r.org_unit_id IN ({units}) GROUP BY c.worker_id"
        )
    })
    .load(conn)
    .await
}

/// Active workers and supervisors of the subtree, and anyone else named by `also`.
pub async fn workers(conn: &mut Conn, path: &str, also: &[Uuid]) -> QueryResult<Vec<Worker>> {
    let mut q = Statement::new("");
    let units = subtree_units_sql(&mut q, path);
    let also = q.arg::<diesel::sql_types::Array<SqlUuid>, _>(also.to_vec());
    q.push(&format!(
        "SELECT id, display_name, org_unit_id, role FROM users \
         WHERE (org_unit_id IN ({units}) AND is_active AND role IN ('worker', 'supervisor')) OR id = ANY({also}) \
         ORDER BY display_name, id"
    ));
    q.load(conn).await
}
