//! Supervisor reviews. Scoped by the review's unit, which follows its case.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::scope::unit_ids;
use crate::auth::AccessScope;
use crate::db::{
    models::{NewReview, Review, ReviewRow},
    schema::{cases, clients, reviews},
    Conn,
};
use crate::domain::enums::{ReviewKind, ReviewStatus};

/// Filters of the review list.
#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    /// Status (`pending` for the queue).
    pub status: Option<ReviewStatus>,
    /// Kind.
    pub kind: Option<ReviewKind>,
    /// Path of a unit whose subtree to keep (already checked to be in scope).
    pub unit_path: Option<String>,
}

/// Inserts a pending review.
pub async fn insert(conn: &mut Conn, review: &NewReview) -> QueryResult<Review> {
    diesel::insert_into(reviews::table).values(review).returning(Review::as_returning()).get_result(conn).await
}

/// The pending review of a case, if any (there is at most one).
pub async fn pending_for_case(conn: &mut Conn, case_id: Uuid) -> QueryResult<Option<Review>> {
    reviews::table
        .filter(reviews::case_id.eq(case_id))
        .filter(reviews::status.eq(ReviewStatus::Pending))
        .select(Review::as_select())
        .first(conn)
        .await
        .optional()
}

/// A review in scope.
pub async fn find_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Review>> {
    reviews::table
        .filter(reviews::id.eq(id))
        .filter(reviews::org_unit_id.eq_any(unit_ids(scope)))
        .select(Review::as_select())
        .first(conn)
        .await
        .optional()
}

/// Locks a review (after its case, always in that order).
pub async fn lock(conn: &mut Conn, id: Uuid) -> QueryResult<Review> {
    reviews::table.find(id).select(Review::as_select()).for_update().first(conn).await
}

/// Records a decision.
pub async fn decide(
    conn: &mut Conn,
    id: Uuid,
    status: ReviewStatus,
    decided_by: Uuid,
    comment: Option<String>,
    plan_id: Option<Uuid>,
) -> QueryResult<Review> {
    diesel::update(reviews::table.find(id))
        .set((
            reviews::status.eq(status),
            reviews::decided_by.eq(decided_by),
            reviews::decided_at.eq(Utc::now()),
            reviews::comment.eq(comment),
            reviews::plan_id.eq(plan_id),
        ))
        .returning(Review::as_returning())
        .get_result(conn)
        .await
}

/// Reviews with their case facts, by id.
pub async fn rows(conn: &mut Conn, ids: &[Uuid]) -> QueryResult<Vec<ReviewRow>> {
    let rows = reviews::table
        .inner_join(cases::table.inner_join(clients::table))
        .filter(reviews::id.eq_any(ids))
        .order(reviews::id.asc())
        .select((Review::as_select(), cases::case_no, cases::status, cases::version, cases::client_id, clients::name))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(into_row).collect())
}

fn into_row(
    (review, case_no, case_status, case_version, client_id, client_name): (
        Review,
        String,
        crate::domain::enums::CaseStatus,
        i32,
        Uuid,
        String,
    ),
) -> ReviewRow {
    ReviewRow { review, case_no, case_status, case_version, client_id, client_name }
}

/// A page of reviews in scope, oldest first (the queue order).
pub async fn list(
    conn: &mut Conn,
    scope: &AccessScope,
    filter: &ReviewFilter,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<ReviewRow>> {
    let mut query = reviews::table
        .inner_join(cases::table.inner_join(clients::table))
        .filter(reviews::org_unit_id.eq_any(unit_ids(scope)))
        .into_boxed();
    if let Some(path) = &filter.unit_path {
        query = query.filter(reviews::org_unit_id.eq_any(super::scope::subtree_ids(path)));
    }
    if let Some(status) = filter.status {
        query = query.filter(reviews::status.eq(status));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(reviews::kind.eq(kind));
    }
    if let Some(after) = after {
        query = query.filter(reviews::id.gt(after));
    }
    let rows = query
        .order(reviews::id.asc())
        .limit(limit)
        .select((Review::as_select(), cases::case_no, cases::status, cases::version, cases::client_id, clients::name))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(into_row).collect())
}
