//! Statistics: every figure is counted from the event tables by SQL over the subtree, bucketed
//! by child unit and/or month inside PostgreSQL (GROUPING SETS give the totals in the same
//! pass). Nothing is loaded row by row.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;

const UNITS: &str = include_str!("../sql/stats_units.sql");
const SESSIONS: &str = include_str!("../sql/stats_sessions.sql");
const CLIENTS: &str = include_str!("../sql/stats_clients.sql");
const CASES: &str = include_str!("../sql/stats_cases.sql");

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
    /// One bucket per child unit.
    pub by_unit: bool,
    /// One bucket per month (China time).
    pub by_month: bool,
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
    pub community_participants: i64,
    #[diesel(sql_type = Double)]
    pub volunteer_hours: f64,
    #[diesel(sql_type = BigInt)]
    pub resources_value_fen: i64,
    #[diesel(sql_type = BigInt)]
    pub people_served: i64,
    #[diesel(sql_type = BigInt)]
    pub group_attendees: i64,
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

macro_rules! bound {
    ($sql:expr, $s:expr) => {
        diesel::sql_query($sql)
            .bind::<Text, _>($s.root_path.clone())
            .bind::<SqlUuid, _>($s.root_id)
            .bind::<Timestamptz, _>($s.from)
            .bind::<Timestamptz, _>($s.to)
            .bind::<Bool, _>($s.by_unit)
            .bind::<Bool, _>($s.by_month)
    };
}

/// Sessions, minutes, people served and attendance.
pub async fn sessions(conn: &mut Conn, s: &StatsScope) -> QueryResult<Vec<SessionFigures>> {
    bound!(format!("{UNITS}{SESSIONS}"), s).load(conn).await
}

/// Clients registered, in total and by category.
pub async fn clients(conn: &mut Conn, s: &StatsScope) -> QueryResult<Vec<LabelledCount>> {
    bound!(format!("{UNITS}{CLIENTS}"), s).load(conn).await
}

/// Case figures: opened, closed by reason, open by risk, overdue, pending reviews.
pub async fn cases(conn: &mut Conn, s: &StatsScope) -> QueryResult<Vec<LabelledCount>> {
    bound!(format!("{UNITS}{CASES}"), s).load(conn).await
}
