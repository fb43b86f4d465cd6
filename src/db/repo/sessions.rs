//! Service sessions, group attendance and groups. Scoped reads filter on the session's or
//! group's unit with the one subtree predicate.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::scope::{newest_page, occurred_rows, unit_ids, PageBy, BY_TIME};
use crate::auth::AccessScope;
use crate::db::{
    models::{Attendance, Group, GroupData, GroupMember, Session},
    schema::{clients, group_members, groups, service_sessions as ss, session_attendance as sa},
    statement::Statement,
    Conn,
};
use crate::domain::enums::{GroupStatus, RiskLevel, SessionMethod};

/// Filters of the session list.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub method: Option<SessionMethod>,
    pub case_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    /// Path of a unit whose subtree to keep (already checked to be in scope).
    pub unit_path: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Inserts a session and its attendance rows.
pub async fn insert(conn: &mut Conn, session: &Session, attendance: &[Attendance]) -> QueryResult<Session> {
    let saved = diesel::insert_into(ss::table).values(session).returning(Session::as_returning()).get_result(conn).await?;
    if !attendance.is_empty() {
        diesel::insert_into(sa::table).values(attendance).execute(conn).await?;
    }
    Ok(saved)
}

/// Whether any session has this id.
pub async fn id_exists(conn: &mut Conn, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(ss::table.filter(ss::id.eq(id)))).get_result(conn).await
}

/// A session in scope.
pub async fn find_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Session>> {
    ss::table
        .filter(ss::id.eq(id))
        .filter(ss::org_unit_id.eq_any(unit_ids(scope)))
        .select(Session::as_select())
        .first(conn)
        .await
        .optional()
}

/// A session in scope, locked.
pub async fn lock_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Session>> {
    ss::table
        .filter(ss::id.eq(id))
        .filter(ss::org_unit_id.eq_any(unit_ids(scope)))
        .select(Session::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The attendance rows of a session.
pub async fn attendance(conn: &mut Conn, session_id: Uuid) -> QueryResult<Vec<Attendance>> {
    sa::table.filter(sa::session_id.eq(session_id)).order(sa::row_no).select(Attendance::as_select()).load(conn).await
}

/// Replaces the attendance rows of a session.
pub async fn replace_attendance(conn: &mut Conn, session_id: Uuid, rows: &[Attendance]) -> QueryResult<()> {
    diesel::delete(sa::table.filter(sa::session_id.eq(session_id))).execute(conn).await?;
    if !rows.is_empty() {
        diesel::insert_into(sa::table).values(rows).execute(conn).await?;
    }
    Ok(())
}

/// Stores the new state of a session and bumps its version.
pub async fn update(conn: &mut Conn, s: &Session) -> QueryResult<Session> {
    diesel::update(ss::table.find(s.id))
        .set((
            ss::occurred_at.eq(s.occurred_at),
            ss::duration_minutes.eq(s.duration_minutes),
            ss::location.eq(&s.location),
            ss::service_types.eq(&s.service_types),
            ss::summary.eq(&s.summary),
            ss::mode.eq(s.mode),
            ss::client_response.eq(&s.client_response),
            ss::next_steps.eq(&s.next_steps),
            ss::theme.eq(&s.theme),
            ss::title.eq(&s.title),
            ss::participant_count.eq(s.participant_count),
            ss::volunteer_count.eq(s.volunteer_count),
            ss::volunteer_hours.eq(s.volunteer_hours),
            ss::partners.eq(&s.partners),
            ss::resources_value_fen.eq(s.resources_value_fen),
            ss::version.eq(ss::version + 1),
            ss::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Session::as_returning())
        .get_result(conn)
        .await
}

/// A page of sessions in scope, newest first by when they happened (ties by id).
///
/// A case's or a group's sessions are found by that index; any other page walks the units of
/// the subtree (`scope::newest_page`) on `service_sessions_unit_time` (group and
/// community work on `service_sessions_unit_method`), so a county's page reads about 51 index
/// entries per unit instead of sorting every session of the county. A recorder's sessions walk
/// the units too (the index carries `recorded_by`): joined with the scope, the recorder's own
/// index was planned as a bitmap of both and measured 4× slower at a county of 1,000,000 clients.
pub async fn list(
    conn: &mut Conn,
    scope: &AccessScope,
    filter: &SessionFilter,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Session>> {
    let mut q = Statement::new("");
    let mut rows = String::new();
    if let Some(m) = filter.method {
        // The code as text (one of three): group and community sessions are a sliver of all, and
        // only a method the planner can see takes their own index (`service_sessions_unit_method`).
        rows += &format!(" AND k.method = '{}'", m.as_str());
    }
    if let Some(c) = filter.case_id {
        rows += &format!(" AND k.case_id = {}", q.generic_arg::<SqlUuid, _>(c));
    }
    if let Some(g) = filter.group_id {
        rows += &format!(" AND k.group_id = {}", q.generic_arg::<SqlUuid, _>(g));
    }
    if let Some(u) = filter.recorded_by {
        rows += &format!(" AND k.recorded_by = {}", q.generic_arg::<SqlUuid, _>(u));
    }
    rows += &occurred_rows(&mut q, filter.from, filter.to, before);
    let by = if filter.case_id.is_some() || filter.group_id.is_some() { PageBy::OwnIndex } else { PageBy::EachUnit };
    let source = ("SELECT k.* FROM service_sessions k", "service_sessions", BY_TIME);
    newest_page(&mut q, scope, filter.unit_path.as_deref(), source, &rows, limit, by);
    q.load(conn).await
}

/// The next free session number of a group.
pub async fn next_session_no(conn: &mut Conn, group_id: Uuid) -> QueryResult<i32> {
    let max: Option<i32> =
        ss::table.filter(ss::group_id.eq(group_id)).select(diesel::dsl::max(ss::session_no)).first(conn).await?;
    Ok(max.unwrap_or(0) + 1)
}

/// Inserts a group.
pub async fn insert_group(
    conn: &mut Conn,
    id: Uuid,
    org_unit_id: Uuid,
    created_by: Uuid,
    data: &GroupData,
) -> QueryResult<Group> {
    diesel::insert_into(groups::table)
        .values((groups::id.eq(id), groups::org_unit_id.eq(org_unit_id), groups::created_by.eq(created_by), data))
        .returning(Group::as_returning())
        .get_result(conn)
        .await
}

/// Whether any group has this id.
pub async fn group_id_exists(conn: &mut Conn, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(groups::table.filter(groups::id.eq(id)))).get_result(conn).await
}

/// A group in scope.
pub async fn find_group(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Group>> {
    groups::table
        .filter(groups::id.eq(id))
        .filter(groups::org_unit_id.eq_any(unit_ids(scope)))
        .select(Group::as_select())
        .first(conn)
        .await
        .optional()
}

/// A group in scope, locked.
pub async fn lock_group(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Group>> {
    groups::table
        .filter(groups::id.eq(id))
        .filter(groups::org_unit_id.eq_any(unit_ids(scope)))
        .select(Group::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Stores the new state of a group.
pub async fn update_group(conn: &mut Conn, id: Uuid, data: &GroupData) -> QueryResult<Group> {
    diesel::update(groups::table.find(id))
        .set((data, groups::version.eq(groups::version + 1), groups::updated_at.eq(diesel::dsl::now)))
        .returning(Group::as_returning())
        .get_result(conn)
        .await
}

/// A page of groups in scope, newest first.
pub async fn list_groups(
    conn: &mut Conn,
    scope: &AccessScope,
    status: Option<GroupStatus>,
    unit_path: Option<String>,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<Group>> {
    let mut query = groups::table.filter(groups::org_unit_id.eq_any(unit_ids(scope))).into_boxed();
    if let Some(s) = status {
        query = query.filter(groups::status.eq(s));
    }
    if let Some(path) = unit_path {
        query = query.filter(groups::org_unit_id.eq_any(super::scope::subtree_ids(&path)));
    }
    if let Some(b) = before {
        query = query.filter(groups::id.lt(b));
    }
    query.order(groups::id.desc()).limit(limit).select(Group::as_select()).load(conn).await
}

/// Every membership period of a group.
pub async fn group_members(conn: &mut Conn, group_id: Uuid) -> QueryResult<Vec<GroupMember>> {
    group_members::table
        .inner_join(clients::table)
        .filter(group_members::group_id.eq(group_id))
        .order((group_members::left_on.is_not_null(), group_members::joined_on.asc(), clients::name.asc()))
        .select((
            group_members::client_id,
            clients::name,
            group_members::joined_on,
            group_members::left_on,
            group_members::exit_reason,
        ))
        .load(conn)
        .await
}

/// The current members of a group.
pub async fn current_member_ids(conn: &mut Conn, group_id: Uuid) -> QueryResult<Vec<Uuid>> {
    group_members::table
        .filter(group_members::group_id.eq(group_id))
        .filter(group_members::left_on.is_null())
        .select(group_members::client_id)
        .load(conn)
        .await
}

/// Closes the membership of clients who left and opens one for each who joined.
pub async fn change_members(
    conn: &mut Conn,
    group_id: Uuid,
    leaving: &[Uuid],
    joining: &[Uuid],
    on: NaiveDate,
    exit_reason: Option<&str>,
) -> QueryResult<()> {
    if !leaving.is_empty() {
        diesel::update(
            group_members::table
                .filter(group_members::group_id.eq(group_id))
                .filter(group_members::client_id.eq_any(leaving))
                .filter(group_members::left_on.is_null()),
        )
        .set((group_members::left_on.eq(on), group_members::exit_reason.eq(exit_reason)))
        .execute(conn)
        .await?;
    }
    let rows: Vec<_> = joining
        .iter()
        .map(|c| {
            (
                group_members::id.eq(Uuid::now_v7()),
                group_members::group_id.eq(group_id),
                group_members::client_id.eq(*c),
                group_members::joined_on.eq(on),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(group_members::table).values(&rows).execute(conn).await?;
    }
    diesel::update(groups::table.find(group_id))
        .set((groups::version.eq(groups::version + 1), groups::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Attendance figures of each session of a group, by session number.
#[derive(Debug, Clone, QueryableByName)]
pub struct GroupSessionFigures {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Int4)]
    pub session_no: i32,
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    pub theme: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub attended: i64,
    #[diesel(sql_type = BigInt)]
    pub members_listed: i64,
    #[diesel(sql_type = BigInt)]
    pub members_attended: i64,
}

/// The sessions of a group with their attendance counts.
pub async fn group_session_figures(conn: &mut Conn, group_id: Uuid) -> QueryResult<Vec<GroupSessionFigures>> {
    let served = super::rules::served_attendance();
    Statement::new(format!(
        "SELECT s.id, s.session_no, s.occurred_at, s.theme, \
                count(a.row_no) FILTER (WHERE a.status IN {served}) AS attended, \
                count(a.client_id) AS members_listed, \
                count(a.client_id) FILTER (WHERE a.status IN {served}) AS members_attended \
         FROM service_sessions s LEFT JOIN session_attendance a ON a.session_id = s.id \
         WHERE s.group_id = $1 \
         GROUP BY s.id ORDER BY s.session_no"
    ))
    .bind::<SqlUuid, _>(group_id)
    .load(conn)
    .await
}

/// The ids among `goals` that belong to a service plan of the case.
pub async fn goals_of_case(conn: &mut Conn, case_id: Uuid, goals: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let rows: Vec<Row> = Statement::new(
        "SELECT g.id FROM plan_goals g JOIN service_plans p ON p.id = g.plan_id WHERE p.case_id = $1 AND g.id = ANY($2)",
    )
    .bind::<SqlUuid, _>(case_id)
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(goals)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Moves a case's last-session time forward (never back, for late entries) and applies a risk
/// change (which is a change of the case, so its version moves). Returns the risk level before.
pub async fn record_on_case(
    conn: &mut Conn,
    case_id: Uuid,
    at: DateTime<Utc>,
    risk: Option<RiskLevel>,
) -> QueryResult<RiskLevel> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        before: String,
    }
    let row: Row = Statement::new(
        "UPDATE cases c SET last_session_at = GREATEST(c.last_session_at, $2), \
           risk_level = coalesce($3, c.risk_level), \
           version = c.version + CASE WHEN $3 IS NOT NULL AND $3 <> c.risk_level THEN 1 ELSE 0 END, \
           updated_at = CASE WHEN $3 IS NOT NULL AND $3 <> c.risk_level THEN now() ELSE c.updated_at END \
         FROM (SELECT risk_level FROM cases WHERE id = $1) old \
         WHERE c.id = $1 RETURNING old.risk_level AS before",
    )
    .bind::<SqlUuid, _>(case_id)
    .bind::<Timestamptz, _>(at)
    .bind::<Nullable<Text>, _>(risk.map(|r| r.as_str()))
    .get_result(conn)
    .await?;
    row.before.parse::<RiskLevel>().map_err(|e| diesel::result::Error::DeserializationError(e.into()))
}

/// Individual sessions recorded on a case.
pub async fn individual_count(conn: &mut Conn, case_id: Uuid) -> QueryResult<i64> {
    ss::table.filter(ss::case_id.eq(case_id)).filter(ss::method.eq(SessionMethod::Individual)).count().get_result(conn).await
}
