//! Supervision records with their supervisees and linked cases. Scoped by the record's unit.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::scope::unit_ids;
use crate::auth::AccessScope;
use crate::db::{
    models::{SupervisionData, SupervisionRecord},
    schema::{supervision_cases, supervision_records, supervision_supervisees},
    Conn,
};

/// Filters of the supervision list.
#[derive(Debug, Clone, Default)]
pub struct SupervisionFilter {
    /// Only records by this supervisor.
    pub supervisor_id: Option<Uuid>,
    /// Only records with this supervisee.
    pub supervisee_id: Option<Uuid>,
    /// Only records that discuss this case.
    pub case_id: Option<Uuid>,
}

/// Who was supervised and which cases were discussed: `(record, user)` and `(record, case)` pairs.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// `(record_id, user_id)`.
    pub supervisees: Vec<(Uuid, Uuid)>,
    /// `(record_id, case_id)`.
    pub cases: Vec<(Uuid, Uuid)>,
}

/// Whether any record has this id.
pub async fn id_exists(conn: &mut Conn, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(supervision_records::table.filter(supervision_records::id.eq(id)))).get_result(conn).await
}

/// Inserts a record.
pub async fn insert(
    conn: &mut Conn,
    id: Uuid,
    org_unit_id: Uuid,
    supervisor_id: Uuid,
    data: &SupervisionData,
) -> QueryResult<SupervisionRecord> {
    diesel::insert_into(supervision_records::table)
        .values((
            supervision_records::id.eq(id),
            supervision_records::org_unit_id.eq(org_unit_id),
            supervision_records::supervisor_id.eq(supervisor_id),
            data,
        ))
        .returning(SupervisionRecord::as_returning())
        .get_result(conn)
        .await
}

/// A record in scope.
pub async fn find_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<SupervisionRecord>> {
    supervision_records::table
        .filter(supervision_records::id.eq(id))
        .filter(supervision_records::org_unit_id.eq_any(unit_ids(scope)))
        .select(SupervisionRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// A record in scope, locked.
pub async fn lock_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<SupervisionRecord>> {
    supervision_records::table
        .filter(supervision_records::id.eq(id))
        .filter(supervision_records::org_unit_id.eq_any(unit_ids(scope)))
        .select(SupervisionRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Replaces a record's fields and bumps its version.
pub async fn update(conn: &mut Conn, id: Uuid, data: &SupervisionData) -> QueryResult<SupervisionRecord> {
    diesel::update(supervision_records::table.find(id))
        .set((
            data,
            supervision_records::version.eq(supervision_records::version + 1),
            supervision_records::updated_at.eq(diesel::dsl::now),
        ))
        .returning(SupervisionRecord::as_returning())
        .get_result(conn)
        .await
}

/// Replaces the supervisees and the linked cases of a record.
pub async fn set_links(conn: &mut Conn, record_id: Uuid, supervisees: &[Uuid], cases: &[Uuid]) -> QueryResult<()> {
    diesel::delete(supervision_supervisees::table.filter(supervision_supervisees::record_id.eq(record_id))).execute(conn).await?;
    diesel::delete(supervision_cases::table.filter(supervision_cases::record_id.eq(record_id))).execute(conn).await?;
    let people: Vec<_> = supervisees
        .iter()
        .map(|u| (supervision_supervisees::record_id.eq(record_id), supervision_supervisees::user_id.eq(*u)))
        .collect();
    if !people.is_empty() {
        diesel::insert_into(supervision_supervisees::table).values(&people).execute(conn).await?;
    }
    let linked: Vec<_> =
        cases.iter().map(|c| (supervision_cases::record_id.eq(record_id), supervision_cases::case_id.eq(*c))).collect();
    if !linked.is_empty() {
        diesel::insert_into(supervision_cases::table).values(&linked).execute(conn).await?;
    }
    Ok(())
}

/// The supervisees and cases of some records.
pub async fn links_of(conn: &mut Conn, record_ids: &[Uuid]) -> QueryResult<Links> {
    let supervisees = supervision_supervisees::table
        .filter(supervision_supervisees::record_id.eq_any(record_ids))
        .order((supervision_supervisees::record_id, supervision_supervisees::user_id))
        .select((supervision_supervisees::record_id, supervision_supervisees::user_id))
        .load(conn)
        .await?;
    let cases = supervision_cases::table
        .filter(supervision_cases::record_id.eq_any(record_ids))
        .order((supervision_cases::record_id, supervision_cases::case_id))
        .select((supervision_cases::record_id, supervision_cases::case_id))
        .load(conn)
        .await?;
    Ok(Links { supervisees, cases })
}

/// A page of records in scope, newest first.
pub async fn list(
    conn: &mut Conn,
    scope: &AccessScope,
    filter: &SupervisionFilter,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<SupervisionRecord>> {
    let mut query = supervision_records::table.filter(supervision_records::org_unit_id.eq_any(unit_ids(scope))).into_boxed();
    if let Some(supervisor) = filter.supervisor_id {
        query = query.filter(supervision_records::supervisor_id.eq(supervisor));
    }
    if let Some(user) = filter.supervisee_id {
        query = query.filter(
            supervision_records::id.eq_any(
                supervision_supervisees::table
                    .filter(supervision_supervisees::user_id.eq(user))
                    .select(supervision_supervisees::record_id),
            ),
        );
    }
    if let Some(case) = filter.case_id {
        query =
            query.filter(supervision_records::id.eq_any(
                supervision_cases::table.filter(supervision_cases::case_id.eq(case)).select(supervision_cases::record_id),
            ));
    }
    if let Some(before) = before {
        query = query.filter(supervision_records::id.lt(before));
    }
    query.order(supervision_records::id.desc()).limit(limit).select(SupervisionRecord::as_select()).load(conn).await
}
