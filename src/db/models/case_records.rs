//! The records of casework: assessments, plans and goals, evaluations, follow-ups, referrals.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{
    AssessmentSource, ContactMode, EvaluationRecommendation, GoalStatus, ReferralDirection, ReferralStatus, RiskLevel,
};

/// An assessment (预估).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = assessments, check_for_backend(diesel::pg::Pg))]
pub struct Assessment {
    pub id: Uuid,
    pub case_id: Uuid,
    pub sources: Vec<AssessmentSource>,
    pub self_system: Option<String>,
    pub family_system: Option<String>,
    pub social_system: Option<String>,
    pub strengths: Option<String>,
    pub needs: Vec<String>,
    pub risk_level: RiskLevel,
    pub summary: String,
    pub assessed_at: DateTime<Utc>,
    pub assessed_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A version of a service plan (服务计划), without its goals.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_plans, check_for_backend(diesel::pg::Pg))]
pub struct ServicePlan {
    pub id: Uuid,
    pub case_id: Uuid,
    pub version_no: i32,
    pub overall_goal: String,
    pub intervention_model: Option<String>,
    pub planned_sessions: Option<i32>,
    pub end_date: Option<NaiveDate>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A goal of a service plan.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_goals, check_for_backend(diesel::pg::Pg))]
pub struct PlanGoal {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub case_id: Uuid,
    pub position: i32,
    pub description: String,
    pub measure: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub status: GoalStatus,
    pub updated_at: DateTime<Utc>,
}

/// An evaluation (评估), without its goal results.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evaluations, check_for_backend(diesel::pg::Pg))]
pub struct Evaluation {
    pub id: Uuid,
    pub case_id: Uuid,
    pub plan_id: Option<Uuid>,
    pub summary: String,
    pub client_feedback: Option<String>,
    pub recommendation: EvaluationRecommendation,
    pub evaluated_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// How far one goal got, as an evaluation records it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evaluation_goal_results, check_for_backend(diesel::pg::Pg))]
pub struct GoalResult {
    pub evaluation_id: Uuid,
    pub goal_id: Uuid,
    pub position: i32,
    pub result: GoalStatus,
    pub evidence: Option<String>,
}

/// A follow-up (跟进/回访).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = follow_ups, check_for_backend(diesel::pg::Pg))]
pub struct FollowUp {
    pub id: Uuid,
    pub case_id: Uuid,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub mode: Option<ContactMode>,
    pub finding: Option<String>,
    pub created_by: Uuid,
    pub done_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The writable fields of a follow-up: a new one, or the full new state of one.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = follow_ups, treat_none_as_null = true)]
pub struct FollowUpData {
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub mode: Option<ContactMode>,
    pub finding: Option<String>,
    pub done_by: Option<Uuid>,
}

/// A referral (转介).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = referrals, check_for_backend(diesel::pg::Pg))]
pub struct Referral {
    pub id: Uuid,
    pub case_id: Option<Uuid>,
    pub org_unit_id: Uuid,
    pub direction: ReferralDirection,
    pub organization: String,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub reason: String,
    pub consent_given: bool,
    pub status: ReferralStatus,
    pub status_note: Option<String>,
    pub created_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub client_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
}

/// A referral to insert (status `sent`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = referrals)]
pub struct NewReferral {
    pub id: Uuid,
    pub case_id: Option<Uuid>,
    pub org_unit_id: Uuid,
    pub direction: ReferralDirection,
    pub organization: String,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub reason: String,
    pub consent_given: bool,
    pub created_by: Uuid,
    pub client_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
}
