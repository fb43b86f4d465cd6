//! The records of a case: assessments, service plans and their goals, evaluations, follow-ups
//! and referrals. Callers reach them through a case already found in scope; the `find` functions
//! that take no scope serve the client-chosen-id check, whose caller then checks the case.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::scope::unit_ids;
use crate::auth::AccessScope;
use crate::db::{
    models::{Assessment, Evaluation, FollowUp, FollowUpData, GoalResult, NewReferral, PlanGoal, Referral, ServicePlan},
    schema::{assessments, evaluation_goal_results, evaluations, follow_ups, plan_goals, referrals, service_plans},
    Conn,
};
use crate::domain::enums::{GoalStatus, ReferralStatus};

/// An assessment by id (any case).
pub async fn find_assessment(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Assessment>> {
    assessments::table.find(id).select(Assessment::as_select()).first(conn).await.optional()
}

/// Inserts an assessment.
pub async fn insert_assessment(conn: &mut Conn, row: &Assessment) -> QueryResult<Assessment> {
    diesel::insert_into(assessments::table).values(row).returning(Assessment::as_returning()).get_result(conn).await
}

/// A page of a case's assessments, newest first.
pub async fn assessments(conn: &mut Conn, case_id: Uuid, before: Option<Uuid>, limit: i64) -> QueryResult<Vec<Assessment>> {
    let mut query = assessments::table.filter(assessments::case_id.eq(case_id)).into_boxed();
    if let Some(before) = before {
        query = query.filter(assessments::id.lt(before));
    }
    query.order(assessments::id.desc()).limit(limit).select(Assessment::as_select()).load(conn).await
}

/// A plan version by id (any case).
pub async fn find_plan(conn: &mut Conn, id: Uuid) -> QueryResult<Option<ServicePlan>> {
    service_plans::table.find(id).select(ServicePlan::as_select()).first(conn).await.optional()
}

/// The latest plan version of a case.
pub async fn latest_plan(conn: &mut Conn, case_id: Uuid) -> QueryResult<Option<ServicePlan>> {
    service_plans::table
        .filter(service_plans::case_id.eq(case_id))
        .order(service_plans::version_no.desc())
        .select(ServicePlan::as_select())
        .first(conn)
        .await
        .optional()
}

/// Inserts a plan version with its goals.
pub async fn insert_plan(conn: &mut Conn, plan: &ServicePlan, goals: &[PlanGoal]) -> QueryResult<ServicePlan> {
    let plan =
        diesel::insert_into(service_plans::table).values(plan).returning(ServicePlan::as_returning()).get_result(conn).await?;
    if !goals.is_empty() {
        diesel::insert_into(plan_goals::table).values(goals).execute(conn).await?;
    }
    Ok(plan)
}

/// A page of a case's plan versions, newest first.
pub async fn plans(conn: &mut Conn, case_id: Uuid, before: Option<Uuid>, limit: i64) -> QueryResult<Vec<ServicePlan>> {
    let mut query = service_plans::table.filter(service_plans::case_id.eq(case_id)).into_boxed();
    if let Some(before) = before {
        query = query.filter(service_plans::id.lt(before));
    }
    query.order(service_plans::id.desc()).limit(limit).select(ServicePlan::as_select()).load(conn).await
}

/// The goals of some plan versions, in plan order.
pub async fn goals_of(conn: &mut Conn, plan_ids: &[Uuid]) -> QueryResult<Vec<PlanGoal>> {
    plan_goals::table
        .filter(plan_goals::plan_id.eq_any(plan_ids))
        .order((plan_goals::plan_id, plan_goals::position))
        .select(PlanGoal::as_select())
        .load(conn)
        .await
}

/// Records how far goals got.
pub async fn set_goal_statuses(conn: &mut Conn, results: &[(Uuid, GoalStatus)]) -> QueryResult<()> {
    for (goal, status) in results {
        diesel::update(plan_goals::table.find(goal))
            .set((plan_goals::status.eq(status), plan_goals::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// An evaluation by id (any case).
pub async fn find_evaluation(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Evaluation>> {
    evaluations::table.find(id).select(Evaluation::as_select()).first(conn).await.optional()
}

/// Inserts an evaluation with its goal results.
pub async fn insert_evaluation(conn: &mut Conn, evaluation: &Evaluation, results: &[GoalResult]) -> QueryResult<Evaluation> {
    let evaluation =
        diesel::insert_into(evaluations::table).values(evaluation).returning(Evaluation::as_returning()).get_result(conn).await?;
    if !results.is_empty() {
        diesel::insert_into(evaluation_goal_results::table).values(results).execute(conn).await?;
    }
    Ok(evaluation)
}

/// A page of a case's evaluations, newest first.
pub async fn evaluations(conn: &mut Conn, case_id: Uuid, before: Option<Uuid>, limit: i64) -> QueryResult<Vec<Evaluation>> {
    let mut query = evaluations::table.filter(evaluations::case_id.eq(case_id)).into_boxed();
    if let Some(before) = before {
        query = query.filter(evaluations::id.lt(before));
    }
    query.order(evaluations::id.desc()).limit(limit).select(Evaluation::as_select()).load(conn).await
}

/// The goal results of some evaluations, in the order they were given.
pub async fn results_of(conn: &mut Conn, evaluation_ids: &[Uuid]) -> QueryResult<Vec<GoalResult>> {
    evaluation_goal_results::table
        .filter(evaluation_goal_results::evaluation_id.eq_any(evaluation_ids))
        .order((evaluation_goal_results::evaluation_id, evaluation_goal_results::position))
        .select(GoalResult::as_select())
        .load(conn)
        .await
}

/// A follow-up by id (any case).
pub async fn find_follow_up(conn: &mut Conn, id: Uuid) -> QueryResult<Option<FollowUp>> {
    follow_ups::table.find(id).select(FollowUp::as_select()).first(conn).await.optional()
}

/// A follow-up of a case, locked.
pub async fn lock_follow_up(conn: &mut Conn, case_id: Uuid, id: Uuid) -> QueryResult<Option<FollowUp>> {
    follow_ups::table
        .filter(follow_ups::id.eq(id))
        .filter(follow_ups::case_id.eq(case_id))
        .select(FollowUp::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Inserts a follow-up.
pub async fn insert_follow_up(
    conn: &mut Conn,
    id: Uuid,
    case_id: Uuid,
    created_by: Uuid,
    data: &FollowUpData,
) -> QueryResult<FollowUp> {
    diesel::insert_into(follow_ups::table)
        .values((follow_ups::id.eq(id), follow_ups::case_id.eq(case_id), follow_ups::created_by.eq(created_by), data))
        .returning(FollowUp::as_returning())
        .get_result(conn)
        .await
}

/// Replaces a follow-up's fields and bumps its version.
pub async fn update_follow_up(conn: &mut Conn, id: Uuid, data: &FollowUpData) -> QueryResult<FollowUp> {
    diesel::update(follow_ups::table.find(id))
        .set((data, follow_ups::version.eq(follow_ups::version + 1), follow_ups::updated_at.eq(diesel::dsl::now)))
        .returning(FollowUp::as_returning())
        .get_result(conn)
        .await
}

/// A page of a case's follow-ups, newest first.
pub async fn follow_ups(conn: &mut Conn, case_id: Uuid, before: Option<Uuid>, limit: i64) -> QueryResult<Vec<FollowUp>> {
    let mut query = follow_ups::table.filter(follow_ups::case_id.eq(case_id)).into_boxed();
    if let Some(before) = before {
        query = query.filter(follow_ups::id.lt(before));
    }
    query.order(follow_ups::id.desc()).limit(limit).select(FollowUp::as_select()).load(conn).await
}

/// A referral by id (any case).
pub async fn find_referral(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Referral>> {
    referrals::table.find(id).select(Referral::as_select()).first(conn).await.optional()
}

/// A referral in scope, locked.
pub async fn lock_referral_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Referral>> {
    referrals::table
        .filter(referrals::id.eq(id))
        .filter(referrals::org_unit_id.eq_any(unit_ids(scope)))
        .select(Referral::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Inserts a referral.
pub async fn insert_referral(conn: &mut Conn, referral: &NewReferral) -> QueryResult<Referral> {
    diesel::insert_into(referrals::table).values(referral).returning(Referral::as_returning()).get_result(conn).await
}

/// Moves a referral on and bumps its version.
pub async fn set_referral_status(
    conn: &mut Conn,
    id: Uuid,
    status: ReferralStatus,
    note: Option<String>,
) -> QueryResult<Referral> {
    diesel::update(referrals::table.find(id))
        .set((
            referrals::status.eq(status),
            referrals::status_note.eq(note),
            referrals::version.eq(referrals::version + 1),
            referrals::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Referral::as_returning())
        .get_result(conn)
        .await
}

/// A page of a case's referrals, newest first.
pub async fn referrals(conn: &mut Conn, case_id: Uuid, before: Option<Uuid>, limit: i64) -> QueryResult<Vec<Referral>> {
    let mut query = referrals::table.filter(referrals::case_id.eq(case_id)).into_boxed();
    if let Some(before) = before {
        query = query.filter(referrals::id.lt(before));
    }
    query.order(referrals::id.desc()).limit(limit).select(Referral::as_select()).load(conn).await
}
