//! Statistics: every figure is counted from the event tables by SQL over the subtree, bucketed
//! by child unit and/or month inside PostgreSQL (GROUPING SETS give the totals in the same
//! pass). Nothing is loaded row by row.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::auth::scope::subtree_range;
use crate::db::{statement::Statement, Conn};

const UNITS: &str = include_str!("../sql/stats_units.sql");
const SESSIONS: &str = include_str!("../sql/stats_sessions.sql");
/// Where `stats_sessions.sql` takes the attendance statuses that count as served.
const SERVED_MARK: &str = "/* served attendance */";
const CLIENTS: &str = include_str!("../sql/stats_clients.sql");
const CASES: &str = include_str!("../sql/stats_cases.sql");
const ROSTERS: &str = include_str!("../sql/stats_rosters.sql");

/// What to count: a subtree, a period, and how to bucket.
#[derive(Debug, Clone)]
pub struct StatsScope {
    /// Path of the unit whose subtree is counted.
    pub root_path: String,
    /// Its id (rows directly on it form their own bucket).
    pub root_id: Uuid,
    /// Period start (inclusive).
    pub from: DateTime<Utc>,
    /// Period end (exclusive).
    pub to: DateTime<Utc>,
    /// Start of the first whole month inside the period (`to` when there is none).
    pub whole_from: DateTime<Utc>,
    /// End of the last whole month inside the period (`to` when there is none).
    pub whole_to: DateTime<Utc>,
    /// The first and last year of the whole months (an empty range when there are none).
    pub whole_years: (i32, i32),
    /// The whole months of the period in those two years, as bits (January = 1); the years
    /// between them have all twelve.
    pub whole_year_months: (i32, i32),
    /// One bucket per child unit.
    pub by_unit: bool,
    /// One bucket per month (China time).
    pub by_month: bool,
    /// The roster snapshot: who is on it is read as of the start of this day (the day after the
    /// period, or tomorrow for a period that runs on).
    pub roster_end_day: NaiveDate,
    /// The first moment of `roster_end_day` (levels are read as of it).
    pub roster_end: DateTime<Utc>,
    /// The day coverage is judged at (`fieldwork::covered`'s `end_day`: the day after the period,
    /// or tomorrow for a period that runs on).
    pub covered_end_day: NaiveDate,
    /// The first moment of `covered_end_day` (visits before it count).
    pub covered_end: DateTime<Utc>,
    /// Today, China time (overdue visits are those due before it).
    pub today: NaiveDate,
    /// The period's last day: population groups go by the age on it.
    pub last_day: NaiveDate,
}

/// Session figures of one bucket (or the total, when `bucket` and `month` are null).
#[derive(Debug, Clone, QueryableByName)]
pub struct SessionFigures {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub bucket: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub month: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub individual_sessions: i64,
    #[diesel(sql_type = BigInt)]
    pub group_sessions: i64,
    #[diesel(sql_type = BigInt)]
    pub community_sessions: i64,
    #[diesel(sql_type = BigInt)]
    pub individual_minutes: i64,
    #[diesel(sql_type = BigInt)]
    pub group_minutes: i64,
    #[diesel(sql_type = BigInt)]
    pub community_minutes: i64,
    #[diesel(sql_type = BigInt)]
    pub visit_sessions: i64,
    #[diesel(sql_type = BigInt)]
    pub visit_minutes: i64,
    /// 走访人次: the clients each visit saw, summed.
    #[diesel(sql_type = BigInt)]
    pub visit_person_times: i64,
    /// 走访户次: the households each visit reached, summed.
    #[diesel(sql_type = BigInt)]
    pub household_visits: i64,
    #[diesel(sql_type = BigInt)]
    pub community_participants: i64,
    #[diesel(sql_type = Double)]
    pub volunteer_hours: f64,
    #[diesel(sql_type = BigInt)]
    pub resources_value_fen: i64,
    #[diesel(sql_type = BigInt)]
    pub people_served: i64,
    #[diesel(sql_type = BigInt)]
    pub group_attendees: i64,
    /// The people served by population group (`group:<code>`) and by gender (`gender:<code>`,
    /// `gender:unknown`); null when nobody was served.
    #[diesel(sql_type = Nullable<diesel::sql_types::Jsonb>)]
    pub people_by: Option<serde_json::Value>,
}

/// A labelled count of one bucket (`label` null = the plain total of the family).
#[derive(Debug, Clone, QueryableByName)]
pub struct LabelledCount {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub bucket: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub month: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub label: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Every family of figures of one subtree and period, each as its query gives it.
#[derive(Debug, Clone)]
pub struct FigureRows {
    /// Sessions, minutes, people served and attendance, per bucket and in total.
    pub sessions: Vec<SessionFigures>,
    /// Clients registered, in total (`label` null) and by category.
    pub clients: Vec<LabelledCount>,
    /// Case figures: opened, closed by reason, open by risk, overdue, pending reviews.
    pub cases: Vec<LabelledCount>,
    /// Roster figures: `roster:<programme>:<level>`, `covered`, `overdue_visits`.
    pub rosters: Vec<LabelledCount>,
}

/// `stats_sessions.sql` with the served attendance statuses written in.
fn sessions_sql() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| SESSIONS.replace(SERVED_MARK, super::rules::served_attendance()));
    &SQL
}

/// One query of figures: the `units` CTE, then `sql`, with the placeholders of
/// `stats_units.sql` bound.
fn statement(sql: &str, s: &StatsScope) -> Statement<'static> {
    let (lo, hi) = subtree_range(&s.root_path);
    Statement::new(format!("{UNITS}{sql}"))
        .bind::<Text, _>(lo)
        .bind::<SqlUuid, _>(s.root_id)
        .bind::<Timestamptz, _>(s.from)
        .bind::<Timestamptz, _>(s.to)
        .bind::<Bool, _>(s.by_unit)
        .bind::<Bool, _>(s.by_month)
        .bind::<Text, _>(hi)
        .bind::<Timestamptz, _>(s.whole_from)
        .bind::<Timestamptz, _>(s.whole_to)
}

/// Every figure of a subtree and period: sessions, minutes, people served and attendance, and
/// visits' person-times and households; clients registered, in total and by category; the case
/// figures (opened, closed by reason, open by risk, overdue, pending reviews); and the roster
/// figures (entries by programme and level at the end, covered, overdue visits).
///
/// The four queries read one snapshot (a read-only repeatable-read transaction), so the figures
/// agree with each other. The transaction gives them room to hash the distinct counts in memory,
/// and turns off JIT compilation, which costs more than it saves on queries of this size.
pub async fn figures(conn: &mut Conn, s: &StatsScope) -> QueryResult<FigureRows> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(async |conn| {
            Statement::new("SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)").execute(conn).await?;
            let sessions = statement(sessions_sql(), s)
                .bind::<Integer, _>(s.whole_years.0)
                .bind::<Integer, _>(s.whole_years.1)
                .bind::<Integer, _>(s.whole_year_months.0)
                .bind::<Integer, _>(s.whole_year_months.1)
                .bind::<Date, _>(s.last_day)
                .load(conn)
                .await?;
            let clients = statement(CLIENTS, s).load(conn).await?;
            let cases = statement(CASES, s).load(conn).await?;
            let rosters = statement(ROSTERS, s)
                .bind::<Date, _>(s.roster_end_day)
                .bind::<Timestamptz, _>(s.roster_end)
                .bind::<Date, _>(s.covered_end_day)
                .bind::<Timestamptz, _>(s.covered_end)
                .bind::<Date, _>(s.today)
                .load(conn)
                .await?;
            Ok(FigureRows { sessions, clients, cases, rosters })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_served_statuses_are_written_into_the_session_figures() {
        assert_eq!(SESSIONS.matches(SERVED_MARK).count(), 1);
        assert!(!sessions_sql().contains(SERVED_MARK));
        assert!(sessions_sql().contains(&format!("a.status IN {}", super::super::rules::served_attendance())));
    }
}
