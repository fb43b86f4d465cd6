//! Cases, their numbers, their timeline and their transfers. Every read of a case is scoped by
//! the case's unit; records hanging off a case are reached through a case already checked.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::scope::{newest_page, unit_ids, PageBy};
use crate::auth::AccessScope;
use crate::db::{
    models::{
        Case, CaseChanges, CaseEventRow, CaseFacts, CaseListRow, CaseStatusChange, NewCase, NewCaseEvent, NewCaseTransfer,
        OrgUnit,
    },
    schema::{case_events, case_number_counters, case_transfers, cases, org_units, referrals, reviews, users},
    statement::Statement,
    Conn,
};
use crate::domain::case_records::{case_number, case_number_prefix};
use crate::domain::enums::{CaseStatus, RiskLevel};

/// Filters of the case list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Status.
    pub status: Option<CaseStatus>,
    /// Assigned worker.
    pub worker_id: Option<Uuid>,
    /// Client.
    pub client_id: Option<Uuid>,
    /// Path of a unit whose subtree to keep (already checked to be in scope).
    pub unit_path: Option<String>,
    /// Risk level.
    pub risk_level: Option<RiskLevel>,
    /// Only cases whose visit is overdue (`true`) or not (`false`).
    pub overdue: Option<bool>,
    /// Only cases with (`true`) or without (`false`) a pending review.
    pub pending_review: Option<bool>,
}

/// A case in scope.
pub async fn find_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Case>> {
    cases::table
        .filter(cases::id.eq(id))
        .filter(cases::org_unit_id.eq_any(unit_ids(scope)))
        .select(Case::as_select())
        .first(conn)
        .await
        .optional()
}

/// A case in scope, locked for the rest of the transaction (every change to a case and to the
/// records its state machine counts takes this lock first, so they serialise per case).
pub async fn lock_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Case>> {
    cases::table
        .filter(cases::id.eq(id))
        .filter(cases::org_unit_id.eq_any(unit_ids(scope)))
        .select(Case::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Whether any case has this id.
pub async fn id_exists(conn: &mut Conn, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(cases::table.filter(cases::id.eq(id)))).get_result(conn).await
}

/// Takes the next case number for a unit and year (race-free: the counter row is upserted and
/// stays locked until the transaction ends).
pub async fn next_case_no(conn: &mut Conn, unit: &OrgUnit, year: i32) -> QueryResult<String> {
    let lineage: Vec<Uuid> = unit.path.split('/').filter_map(|p| Uuid::parse_str(p).ok()).collect();
    let code: Option<String> = org_units::table
        .filter(org_units::id.eq_any(&lineage))
        .filter(org_units::division_code.is_not_null())
        .order(org_units::depth.desc())
        .select(org_units::division_code)
        .first::<Option<String>>(conn)
        .await
        .optional()?
        .flatten();
    let prefix = case_number_prefix(code.as_deref(), unit.id);
    let seq: i32 = diesel::insert_into(case_number_counters::table)
        .values((
            case_number_counters::prefix.eq(&prefix),
            case_number_counters::year.eq(year),
            case_number_counters::last_seq.eq(1),
        ))
        .on_conflict((case_number_counters::prefix, case_number_counters::year))
        .do_update()
        .set(case_number_counters::last_seq.eq(case_number_counters::last_seq + 1))
        .returning(case_number_counters::last_seq)
        .get_result(conn)
        .await?;
    Ok(case_number(&prefix, year, seq))
}

/// Inserts a case.
pub async fn insert(conn: &mut Conn, case: &NewCase) -> QueryResult<Case> {
    diesel::insert_into(cases::table).values(case).returning(Case::as_returning()).get_result(conn).await
}

/// Changes a case's own fields and bumps its version.
pub async fn update(conn: &mut Conn, id: Uuid, changes: &CaseChanges) -> QueryResult<Case> {
    diesel::update(cases::table.find(id))
        .set((changes, cases::version.eq(cases::version + 1), cases::updated_at.eq(diesel::dsl::now)))
        .returning(Case::as_returning())
        .get_result(conn)
        .await
}

/// Moves a case to a status and bumps its version.
pub async fn set_status(conn: &mut Conn, id: Uuid, change: &CaseStatusChange) -> QueryResult<Case> {
    diesel::update(cases::table.find(id))
        .set((change, cases::version.eq(cases::version + 1), cases::updated_at.eq(diesel::dsl::now)))
        .returning(Case::as_returning())
        .get_result(conn)
        .await
}

/// Gives a case to another worker and unit; its reviews and referrals move with it.
pub async fn reassign(conn: &mut Conn, id: Uuid, worker_id: Uuid, unit_id: Uuid) -> QueryResult<Case> {
    diesel::update(reviews::table.filter(reviews::case_id.eq(id))).set(reviews::org_unit_id.eq(unit_id)).execute(conn).await?;
    diesel::update(referrals::table.filter(referrals::case_id.eq(id)))
        .set(referrals::org_unit_id.eq(unit_id))
        .execute(conn)
        .await?;
    diesel::update(cases::table.find(id))
        .set((
            cases::worker_id.eq(worker_id),
            cases::org_unit_id.eq(unit_id),
            cases::version.eq(cases::version + 1),
            cases::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Case::as_returning())
        .get_result(conn)
        .await
}

/// A page of cases in scope, newest first, with client and worker names.
///
/// A worker's or a client's cases are found by that index (`cases_worker` is already newest
/// first); any other page walks the units of the subtree newest first (`scope::newest_page`).
/// The names and the pending-review flag are the case's own columns (kept by triggers), so a
/// page reads its 50 rows and nothing else. (An index holding every column of a summary, read
/// without the rows, measured no faster: merging the units' wide entries costs what the 50 row
/// lookups save.)
pub async fn list(
    conn: &mut Conn,
    scope: &AccessScope,
    filter: &CaseFilter,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<CaseListRow>> {
    use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
    let mut q = Statement::new("");
    let mut rows = String::new();
    if let Some(status) = filter.status {
        rows += &format!(" AND k.status = {}", q.generic_arg::<Text, _>(status));
    }
    if let Some(worker) = filter.worker_id {
        rows += &format!(" AND k.worker_id = {}", q.generic_arg::<SqlUuid, _>(worker));
    }
    if let Some(client) = filter.client_id {
        rows += &format!(" AND k.client_id = {}", q.generic_arg::<SqlUuid, _>(client));
    }
    if let Some(risk) = filter.risk_level {
        rows += &format!(" AND k.risk_level = {}", q.generic_arg::<Text, _>(risk));
    }
    match filter.overdue {
        Some(true) => rows += &format!(" AND k.visit_due_at < {}", q.generic_arg::<Timestamptz, _>(Utc::now())),
        Some(false) => {
            rows += &format!(" AND (k.visit_due_at IS NULL OR k.visit_due_at >= {})", q.generic_arg::<Timestamptz, _>(Utc::now()))
        }
        None => {}
    }
    match filter.pending_review {
        Some(true) => rows += " AND k.has_pending_review",
        Some(false) => rows += " AND NOT k.has_pending_review",
        None => {}
    }
    if let Some(before) = before {
        rows += &format!(" AND k.id < {}", q.generic_arg::<SqlUuid, _>(before));
    }
    let select = "SELECT k.id, k.case_no, k.client_id, k.client_name, k.org_unit_id, k.worker_id, k.worker_name, \
                  k.domain, k.risk_level, k.status, k.opened_at, k.visit_due_at, k.has_pending_review, k.version FROM cases k";
    let by = if filter.worker_id.is_some() || filter.client_id.is_some() { PageBy::OwnIndex } else { PageBy::EachUnit };
    newest_page(&mut q, scope, filter.unit_path.as_deref(), (select, "cases", &["id"]), &rows, limit, by);
    q.load(conn).await
}

/// Counts of the records the state machine's guards look at, in one round trip.
pub async fn facts(conn: &mut Conn, case_id: Uuid) -> QueryResult<CaseFacts> {
    Statement::new(
        "SELECT \
           (SELECT count(*) FROM assessments WHERE case_id = $1) AS assessments, \
           (SELECT count(*) FROM plan_goals WHERE plan_id = \
              (SELECT id FROM service_plans WHERE case_id = $1 ORDER BY version_no DESC LIMIT 1)) AS latest_plan_goals, \
           (SELECT count(*) FROM evaluations WHERE case_id = $1) AS evaluations, \
           (SELECT count(*) FROM follow_ups WHERE case_id = $1) AS follow_ups, \
           (SELECT count(*) FROM follow_ups WHERE case_id = $1 AND done_on IS NULL) AS open_follow_ups, \
           EXISTS (SELECT 1 FROM referrals WHERE case_id = $1 AND direction = 'out' AND status <> 'declined') AS outgoing_referral, \
           (SELECT c.consent FROM cases k JOIN clients c ON c.id = k.client_id WHERE k.id = $1) AS client_consent",
    )
    .bind::<diesel::sql_types::Uuid, _>(case_id)
    .get_result(conn)
    .await
}

/// Individual sessions recorded on a case (the `start_evaluation` guard).
pub async fn individual_session_count(conn: &mut Conn, case_id: Uuid) -> QueryResult<i64> {
    super::sessions::individual_count(conn, case_id).await
}

/// Appends an event to a case's timeline.
pub async fn insert_event(conn: &mut Conn, event: &NewCaseEvent) -> QueryResult<()> {
    diesel::insert_into(case_events::table).values(event).execute(conn).await.map(|_| ())
}

/// A page of a case's timeline, newest first, with the actors' names.
pub async fn events(
    conn: &mut Conn,
    case_id: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<CaseEventRow>> {
    let mut query = case_events::table
        .inner_join(users::table.on(users::id.eq(case_events::actor_id)))
        .filter(case_events::case_id.eq(case_id))
        .into_boxed();
    if let Some((at, id)) = before {
        query = query.filter(case_events::at.lt(at).or(case_events::at.eq(at).and(case_events::id.lt(id))));
    }
    query
        .order((case_events::at.desc(), case_events::id.desc()))
        .limit(limit)
        .select((
            case_events::id,
            case_events::case_id,
            case_events::kind,
            case_events::action,
            case_events::from_status,
            case_events::to_status,
            case_events::entity_type,
            case_events::entity_id,
            case_events::actor_id,
            case_events::at,
            case_events::details,
            users::display_name,
        ))
        .load(conn)
        .await
}

/// Records a transfer.
pub async fn insert_transfer(conn: &mut Conn, transfer: &NewCaseTransfer) -> QueryResult<()> {
    diesel::insert_into(case_transfers::table).values(transfer).execute(conn).await.map(|_| ())
}
