//! Set-based bulk loading for demo and benchmark data. The generators are SQL scripts that run
//! inside PostgreSQL (no row-by-row round trips), parameterised through session settings.

use diesel::sql_types::Text;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use crate::db::Conn;
use crate::domain::fieldwork::Intervals;

const UNITS: &str = include_str!("sql/scale_units.sql");
const CLIENTS: &str = include_str!("sql/scale_clients.sql");
const ACTIVITIES: &str = include_str!("sql/scale_activities.sql");
const CASES: &str = include_str!("sql/scale_cases.sql");
const FIELDWORK: &str = include_str!("sql/scale_fieldwork.sql");

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    set_config: String,
}

async fn set(conn: &mut Conn, name: &str, value: &str) -> diesel::QueryResult<()> {
    diesel::sql_query("SELECT set_config($1, $2, false)")
        .bind::<Text, _>(name)
        .bind::<Text, _>(value)
        .get_result::<Setting>(conn)
        .await
        .map(|_| ())
}

/// Fills every county with townships, villages, workers, supervisors and admins (all with the
/// given password hash) where it has none.
pub async fn units_and_users(conn: &mut Conn, password_hash: &str) -> diesel::QueryResult<()> {
    set(conn, "shegong.seed_password_hash", password_hash).await?;
    conn.batch_execute(UNITS).await
}

/// Adds `count` clients spread over the townships and villages that have a worker.
pub async fn clients(conn: &mut Conn, count: i64) -> diesel::QueryResult<()> {
    set(conn, "shegong.seed_clients", &count.to_string()).await?;
    conn.batch_execute(CLIENTS).await
}

/// Adds a year of group and community work to every township that has none.
pub async fn activities(conn: &mut Conn) -> diesel::QueryResult<()> {
    conn.batch_execute(ACTIVITIES).await
}

/// Opens cases (in every status, with assessments, plans, pending reviews and their individual
/// sessions) for `share_percent` of the clients that have none.
pub async fn cases(conn: &mut Conn, share_percent: i32) -> diesel::QueryResult<()> {
    set(conn, "shegong.seed_case_share", &share_percent.to_string()).await?;
    conn.batch_execute(CASES).await
}

/// Enrols `share_percent` of the clients on no roster yet in the programmes their categories call
/// for, and writes their visits of the past year (rosters, households, visits, level history and
/// alerts; see `sql/scale_fieldwork.sql`). The default days between visits are the domain's.
pub async fn fieldwork(conn: &mut Conn, share_percent: i32) -> diesel::QueryResult<()> {
    let d = Intervals::defaults();
    set(conn, "shegong.seed_roster_share", &share_percent.to_string()).await?;
    set(conn, "shegong.seed_intervals", &format!("{},{},{},{}", d.red, d.yellow, d.blue, d.green)).await?;
    conn.batch_execute(FIELDWORK).await
}

/// Refreshes planner statistics and settles GIN pending lists after a bulk load.
pub async fn analyze(conn: &mut Conn) -> diesel::QueryResult<()> {
    conn.batch_execute("VACUUM ANALYZE").await
}
