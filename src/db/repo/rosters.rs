//! Rosters (台账), their level history, units' visit intervals, visits' links to entries, and
//! the supervisors' alerts. Scoped reads filter on the entry's (or alert's) unit with the one
//! subtree predicate.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Date, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::scope::{keyset_page, unit_ids, Direction, PageBy};
use crate::auth::AccessScope;
use crate::db::{
    models::{Alert, LevelEvent, NewRosterEntry, RosterEntry, RosterEntryChange, UnitIntervals, Visit, VisitEntry},
    schema::{
        clients, org_units, roster_entries as re, roster_level_events as le, service_sessions as ss, supervisor_alerts as sa,
        unit_visit_intervals as uvi, users, visit_roster_entries as vre, visits,
    },
    statement::Statement,
    Conn,
};
use crate::domain::enums::{AlertStatus, LevelChangeStatus, Programme, RiskLevel, ServiceDomain};
use crate::domain::fieldwork::Intervals;

/// Whether any entry has this id.
pub async fn id_exists(conn: &mut Conn, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(re::table.filter(re::id.eq(id)))).get_result(conn).await
}

/// An entry in scope.
pub async fn find_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<RosterEntry>> {
    re::table
        .filter(re::id.eq(id))
        .filter(re::org_unit_id.eq_any(unit_ids(scope)))
        .select(RosterEntry::as_select())
        .first(conn)
        .await
        .optional()
}

/// An entry in scope, locked.
pub async fn lock_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<RosterEntry>> {
    re::table
        .filter(re::id.eq(id))
        .filter(re::org_unit_id.eq_any(unit_ids(scope)))
        .select(RosterEntry::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The client's active entry in a programme, if any.
pub async fn active_entry(conn: &mut Conn, client_id: Uuid, programme: Programme) -> QueryResult<Option<Uuid>> {
    re::table
        .filter(re::client_id.eq(client_id))
        .filter(re::programme.eq(programme))
        .filter(re::left_on.is_null())
        .select(re::id)
        .first(conn)
        .await
        .optional()
}

/// The active entries in scope of some clients, locked (a visit to them records on each).
pub async fn lock_active_of_clients(conn: &mut Conn, scope: &AccessScope, clients: &[Uuid]) -> QueryResult<Vec<RosterEntry>> {
    re::table
        .filter(re::client_id.eq_any(clients))
        .filter(re::left_on.is_null())
        .filter(re::org_unit_id.eq_any(unit_ids(scope)))
        .order(re::id)
        .select(RosterEntry::as_select())
        .for_update()
        .load(conn)
        .await
}

/// Inserts an entry.
pub async fn insert(conn: &mut Conn, entry: &NewRosterEntry) -> QueryResult<RosterEntry> {
    diesel::insert_into(re::table).values(entry).returning(RosterEntry::as_returning()).get_result(conn).await
}

/// Stores the new state of an entry and bumps its version.
pub async fn update(conn: &mut Conn, id: Uuid, change: &RosterEntryChange) -> QueryResult<RosterEntry> {
    diesel::update(re::table.find(id))
        .set((change, re::version.eq(re::version + 1), re::updated_at.eq(diesel::dsl::now)))
        .returning(RosterEntry::as_returning())
        .get_result(conn)
        .await
}

/// Appends an event to an entry's level history.
pub async fn insert_level_event(conn: &mut Conn, event: &LevelEvent) -> QueryResult<()> {
    diesel::insert_into(le::table).values(event).execute(conn).await.map(|_| ())
}

/// An entry's level history, newest first.
pub async fn level_history(conn: &mut Conn, entry_id: Uuid) -> QueryResult<Vec<LevelEvent>> {
    le::table
        .filter(le::roster_entry_id.eq(entry_id))
        .order((le::proposed_at.desc(), le::id.desc()))
        .select(LevelEvent::as_select())
        .load(conn)
        .await
}

/// The pending proposals of some entries.
pub async fn pending_proposals(conn: &mut Conn, entries: &[Uuid]) -> QueryResult<Vec<LevelEvent>> {
    le::table
        .filter(le::roster_entry_id.eq_any(entries))
        .filter(le::status.eq(LevelChangeStatus::Proposed))
        .select(LevelEvent::as_select())
        .load(conn)
        .await
}

/// Closes an entry's pending proposal as decided.
pub async fn decide_proposal(
    conn: &mut Conn,
    entry_id: Uuid,
    status: LevelChangeStatus,
    by: Uuid,
    note: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(le::table.filter(le::roster_entry_id.eq(entry_id)).filter(le::status.eq(LevelChangeStatus::Proposed)))
        .set((le::status.eq(status), le::decided_by.eq(by), le::decided_at.eq(diesel::dsl::now), le::decision_note.eq(note)))
        .execute(conn)
        .await
}

/// The visits recorded on an entry, newest first (at most `limit`).
pub async fn visits_of_entry(conn: &mut Conn, entry_id: Uuid, limit: i64) -> QueryResult<Vec<EntryVisit>> {
    vre::table
        .inner_join(ss::table.on(ss::id.eq(vre::session_id)))
        .inner_join(visits::table.on(visits::session_id.eq(vre::session_id)))
        .filter(vre::roster_entry_id.eq(entry_id))
        .order((vre::occurred_at.desc(), vre::session_id.desc()))
        .limit(limit)
        .select((vre::session_id, vre::occurred_at, visits::mode, vre::level_observed, ss::recorded_by, visits::action))
        .load(conn)
        .await
}

/// A visit as an entry's detail lists it.
#[derive(Debug, Clone, Queryable)]
pub struct EntryVisit {
    pub session_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub mode: crate::domain::enums::VisitMode,
    pub level_observed: Option<RiskLevel>,
    pub recorded_by: Uuid,
    pub action: crate::domain::enums::VisitAction,
}

/// Moves the entries' last visit forward to `at` (never back: a late entry of an older visit
/// leaves a newer one standing). The derived due day follows in the same statement, and so does
/// the version: what the entry shows has changed.
pub async fn visited(conn: &mut Conn, entries: &[Uuid], at: DateTime<Utc>) -> QueryResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    Statement::new(
        "UPDATE roster_entries SET last_visit_at = GREATEST(last_visit_at, $2), version = version + 1, updated_at = now() \
         WHERE id = ANY($1) AND (last_visit_at IS NULL OR last_visit_at < $2)",
    )
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(entries)
    .bind::<diesel::sql_types::Timestamptz, _>(at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Recomputes the last visit of the entries a visit satisfied after its time changed.
pub async fn revisit(conn: &mut Conn, session_id: Uuid, at: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(vre::table.filter(vre::session_id.eq(session_id))).set(vre::occurred_at.eq(at)).execute(conn).await?;
    Statement::new(
        "UPDATE roster_entries e SET last_visit_at = m.last, version = e.version + 1, updated_at = now() \
         FROM (SELECT v.roster_entry_id, max(v.occurred_at) AS last FROM visit_roster_entries v \
               WHERE v.roster_entry_id IN (SELECT roster_entry_id FROM visit_roster_entries WHERE session_id = $1) \
               GROUP BY v.roster_entry_id) m \
         WHERE e.id = m.roster_entry_id AND e.last_visit_at IS DISTINCT FROM m.last",
    )
    .bind::<SqlUuid, _>(session_id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Stores a visit's own row and its links to roster entries.
pub async fn insert_visit(conn: &mut Conn, visit: &Visit, entries: &[VisitEntry]) -> QueryResult<()> {
    diesel::insert_into(visits::table).values(visit).execute(conn).await?;
    if !entries.is_empty() {
        diesel::insert_into(vre::table).values(entries).execute(conn).await?;
    }
    Ok(())
}

/// The visit rows of some sessions.
pub async fn visits_of_sessions(conn: &mut Conn, sessions: &[Uuid]) -> QueryResult<Vec<Visit>> {
    visits::table.filter(visits::session_id.eq_any(sessions)).select(Visit::as_select()).load(conn).await
}

/// The roster links of a visit.
pub async fn entries_of_visit(conn: &mut Conn, session_id: Uuid) -> QueryResult<Vec<VisitEntry>> {
    vre::table.filter(vre::session_id.eq(session_id)).order(vre::roster_entry_id).select(VisitEntry::as_select()).load(conn).await
}

/// The open case of a client in a service domain, if any.
pub async fn open_case_in_domain(conn: &mut Conn, client_id: Uuid, domain: ServiceDomain) -> QueryResult<Option<Uuid>> {
    use crate::db::schema::cases;
    cases::table
        .filter(cases::client_id.eq(client_id))
        .filter(cases::domain.eq(domain))
        .filter(cases::is_open)
        .select(cases::id)
        .first(conn)
        .await
        .optional()
}

/// The intervals in force for a unit: its own, or the nearest ancestor's that has any.
pub async fn intervals_for_unit(conn: &mut Conn, unit_id: Uuid) -> QueryResult<Option<UnitIntervals>> {
    let path: String = org_units::table.find(unit_id).select(org_units::path).first(conn).await?;
    let ancestors = ancestor_paths(&path);
    uvi::table
        .inner_join(org_units::table.on(org_units::id.eq(uvi::org_unit_id)))
        .filter(org_units::path.eq_any(ancestors))
        .order(diesel::dsl::sql::<diesel::sql_types::Integer>("length(org_units.path)").desc())
        .select(UnitIntervals::as_select())
        .first(conn)
        .await
        .optional()
}

/// The paths of a unit and of every unit above it (paths are `/`-separated segments that end
/// with `/`, e.g. `/a/b/`).
fn ancestor_paths(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, c) in path.char_indices() {
        if c == '/' && i > 0 {
            out.push(path[..=i].to_owned());
        }
    }
    out
}

/// A unit's own intervals.
pub async fn own_intervals(conn: &mut Conn, unit_id: Uuid) -> QueryResult<Option<UnitIntervals>> {
    uvi::table.find(unit_id).select(UnitIntervals::as_select()).first(conn).await.optional()
}

/// Sets a unit's own intervals, and applies them to the active entries under the unit that follow
/// their level and have no nearer unit with intervals of its own. Returns the entries changed.
pub async fn set_intervals(
    conn: &mut Conn,
    unit_id: Uuid,
    path: &str,
    i: &Intervals,
    by: Uuid,
) -> QueryResult<(UnitIntervals, usize)> {
    let saved = diesel::insert_into(uvi::table)
        .values((
            uvi::org_unit_id.eq(unit_id),
            uvi::red.eq(i.red),
            uvi::yellow.eq(i.yellow),
            uvi::blue.eq(i.blue),
            uvi::green.eq(i.green),
            uvi::updated_by.eq(by),
        ))
        .on_conflict(uvi::org_unit_id)
        .do_update()
        .set((
            uvi::red.eq(i.red),
            uvi::yellow.eq(i.yellow),
            uvi::blue.eq(i.blue),
            uvi::green.eq(i.green),
            uvi::updated_by.eq(by),
            uvi::version.eq(uvi::version + 1),
            uvi::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UnitIntervals::as_returning())
        .get_result(conn)
        .await?;
    let (lo, hi) = crate::auth::scope::subtree_range(path);
    let changed = Statement::new(
        "UPDATE roster_entries e SET visit_interval_days = CASE e.level WHEN 'red' THEN $4 WHEN 'yellow' THEN $5 WHEN 'blue' THEN $6 ELSE $7 END, \
                version = e.version + 1, updated_at = now() \
         FROM org_units u \
         WHERE u.id = e.org_unit_id AND u.path >= $1 AND u.path < $2 AND e.left_on IS NULL AND NOT e.interval_fixed \
           AND e.visit_interval_days <> CASE e.level WHEN 'red' THEN $4 WHEN 'yellow' THEN $5 WHEN 'blue' THEN $6 ELSE $7 END \
           AND NOT EXISTS (SELECT 1 FROM unit_visit_intervals n JOIN org_units nu ON nu.id = n.org_unit_id \
                           WHERE n.org_unit_id <> $3 AND nu.path > $8 AND starts_with(u.path, nu.path))",
    )
    .bind::<Text, _>(lo)
    .bind::<Text, _>(hi)
    .bind::<SqlUuid, _>(unit_id)
    .bind::<diesel::sql_types::Integer, _>(i.red)
    .bind::<diesel::sql_types::Integer, _>(i.yellow)
    .bind::<diesel::sql_types::Integer, _>(i.blue)
    .bind::<diesel::sql_types::Integer, _>(i.green)
    .bind::<Text, _>(path.to_owned())
    .execute(conn)
    .await?;
    Ok((saved, changed))
}

/// Filters of the roster list.
#[derive(Debug, Clone, Default)]
pub struct RosterFilter {
    /// Path of a unit whose subtree to keep (already checked to be in scope).
    pub unit_path: Option<String>,
    pub programme: Option<Programme>,
    pub level: Option<RiskLevel>,
    pub responsible: Option<Uuid>,
    pub client_id: Option<Uuid>,
    /// Due on or before this day.
    pub due_before: Option<NaiveDate>,
    /// Overdue (due before today) or not.
    pub overdue: Option<bool>,
    /// Left entries instead of active ones.
    pub left: bool,
}

/// A roster list row: the entry with its client's and worker's names.
#[derive(Debug, Clone, QueryableByName)]
pub struct RosterRow {
    #[diesel(embed)]
    pub entry: RosterEntry,
    #[diesel(sql_type = Text)]
    pub client_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub worker_name: Option<String>,
}

/// A page of entries in scope. Active entries come most urgent first (next visit due, then
/// id); entries that have left by when they left, then id.
///
/// A worker's list (`responsible`) reads their own index (`roster_entries_worker_due`); any other
/// walks each unit's (`roster_entries_unit_due`) and merges, as the other scoped lists do.
pub async fn list(
    conn: &mut Conn,
    scope: &AccessScope,
    filter: &RosterFilter,
    today: NaiveDate,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<RosterRow>> {
    let mut q = Statement::new("");
    let key = if filter.left { "left_on" } else { "next_visit_due" };
    let mut rows = String::from(if filter.left { " AND k.left_on IS NOT NULL" } else { " AND k.left_on IS NULL" });
    if let Some(p) = filter.programme {
        rows += &format!(" AND k.programme = '{}'", p.as_str());
    }
    if let Some(l) = filter.level {
        rows += &format!(" AND k.level = '{}'", l.as_str());
    }
    if let Some(w) = filter.responsible {
        rows += &format!(" AND k.responsible_worker_id = {}", q.generic_arg::<SqlUuid, _>(w));
    }
    if let Some(c) = filter.client_id {
        rows += &format!(" AND k.client_id = {}", q.generic_arg::<SqlUuid, _>(c));
    }
    if let Some(d) = filter.due_before {
        rows += &format!(" AND k.next_visit_due <= {}", q.generic_arg::<Date, _>(d));
    }
    match filter.overdue {
        Some(true) => rows += &format!(" AND k.next_visit_due < {}", q.generic_arg::<Date, _>(today)),
        Some(false) => rows += &format!(" AND k.next_visit_due >= {}", q.generic_arg::<Date, _>(today)),
        None => {}
    }
    if let Some((d, id)) = after {
        let (d, id) = (q.generic_arg::<Date, _>(d), q.generic_arg::<SqlUuid, _>(id));
        rows += &format!(" AND (k.{key}, k.id) > ({d}, {id})");
    }
    let by = if filter.responsible.is_some() || filter.client_id.is_some() { PageBy::OwnIndex } else { PageBy::EachUnit };
    let select = "SELECT k.*, c.name AS client_name, w.display_name AS worker_name FROM roster_entries k \
                  JOIN clients c ON c.id = k.client_id LEFT JOIN users w ON w.id = k.responsible_worker_id";
    let keys: &[&str] = if filter.left { &["left_on", "id"] } else { &["next_visit_due", "id"] };
    keyset_page(&mut q, scope, filter.unit_path.as_deref(), (select, "roster_entries", keys), &rows, limit, by, Direction::Asc);
    q.load(conn).await
}

/// The names of a client and a worker (an entry's detail).
pub async fn names(conn: &mut Conn, client_id: Uuid, worker_id: Uuid) -> QueryResult<(String, Option<String>)> {
    let client: String = clients::table.find(client_id).select(clients::name).first(conn).await?;
    let worker: Option<String> = users::table.find(worker_id).select(users::display_name).first(conn).await.optional()?;
    Ok((client, worker))
}

/// Closes the active entries of a client whose record was deleted (reason `other`); returns them.
pub async fn leave_all_of_client(conn: &mut Conn, client_id: Uuid, on: NaiveDate, note: &str) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    // An entry enrolled later today than the deletion (a clock between zones) leaves on its
    // enrolment day: leaving never comes before enrolling.
    let rows: Vec<Row> = Statement::new(
        "UPDATE roster_entries SET left_on = greatest(enrolled_on, $2), leave_reason = 'other', leave_note = $3, \
                version = version + 1, updated_at = now() \
         WHERE client_id = $1 AND left_on IS NULL RETURNING id",
    )
    .bind::<SqlUuid, _>(client_id)
    .bind::<Date, _>(on)
    .bind::<Text, _>(note.to_owned())
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Inserts an alert.
pub async fn insert_alert(conn: &mut Conn, alert: &Alert) -> QueryResult<()> {
    diesel::insert_into(sa::table).values(alert).execute(conn).await.map(|_| ())
}

/// An alert in scope, locked.
pub async fn lock_alert(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Alert>> {
    sa::table
        .filter(sa::id.eq(id))
        .filter(sa::org_unit_id.eq_any(unit_ids(scope)))
        .select(Alert::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Acknowledges an alert.
pub async fn acknowledge_alert(conn: &mut Conn, id: Uuid, by: Uuid, note: Option<&str>) -> QueryResult<Alert> {
    diesel::update(sa::table.find(id))
        .set((
            sa::status.eq(AlertStatus::Acknowledged),
            sa::acknowledged_by.eq(by),
            sa::acknowledged_at.eq(diesel::dsl::now),
            sa::note.eq(note),
            sa::version.eq(sa::version + 1),
        ))
        .returning(Alert::as_returning())
        .get_result(conn)
        .await
}

/// A page of alerts in scope, oldest first (the queue), optionally of one status and subtree.
pub async fn list_alerts(
    conn: &mut Conn,
    scope: &AccessScope,
    status: Option<AlertStatus>,
    unit_path: Option<String>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<Alert>> {
    let mut query = sa::table.filter(sa::org_unit_id.eq_any(unit_ids(scope))).into_boxed();
    if let Some(s) = status {
        query = query.filter(sa::status.eq(s));
    }
    if let Some(path) = unit_path {
        query = query.filter(sa::org_unit_id.eq_any(super::scope::subtree_ids(&path)));
    }
    if let Some(a) = after {
        query = query.filter(sa::id.gt(a));
    }
    query.order(sa::id.asc()).limit(limit).select(Alert::as_select()).load(conn).await
}
