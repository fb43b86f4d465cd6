//! Row types: what the repositories read and write.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{
    AssessmentSource, AttendanceStatus, CaseAction, CaseSource, CaseStatus, Certification, ClientCategory, ClosureReason,
    CommunityKind, ContactMode, EvaluationRecommendation, Gender, GoalStatus, GroupStatus, GroupType, HouseholdRelation, IdType,
    LinkagePartner, LivingArrangement, ReferralDirection, ReferralStatus, ReviewKind, ReviewStatus, RiskLevel, Role, SelfCare,
    ServiceDomain, ServiceType, SessionMethod, SupervisionFormat, SupervisionFunction, Tier, UnitStatus,
};

/// An org unit row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = org_units, check_for_backend(diesel::pg::Pg))]
pub struct OrgUnit {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub tier: Tier,
    pub name: String,
    pub division_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub status: UnitStatus,
    pub path: String,
    pub depth: i16,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new org unit.
#[derive(Debug, Insertable)]
#[diesel(table_name = org_units)]
pub struct NewOrgUnit {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub tier: Tier,
    pub name: String,
    pub division_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub status: UnitStatus,
    pub path: String,
    pub depth: i16,
}

/// Changes to an org unit's own fields (`None` = unchanged, `Some(None)` = cleared).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = org_units)]
pub struct OrgUnitChanges {
    pub name: Option<String>,
    pub division_code: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub status: Option<UnitStatus>,
}

/// A user row without the password hash (which only login reads).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub org_unit_id: Uuid,
    pub role: Role,
    pub certification: Certification,
    pub is_active: bool,
    pub token_version: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new user.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub org_unit_id: Uuid,
    pub role: Role,
    pub certification: Certification,
    pub is_active: bool,
    pub password_hash: String,
}

/// Changes to a user.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub phone: Option<Option<String>>,
    pub org_unit_id: Option<Uuid>,
    pub role: Option<Role>,
    pub certification: Option<Certification>,
    pub is_active: Option<bool>,
}

/// What the `Actor` extractor loads per request.
#[derive(Debug, Clone, Queryable)]
pub struct ActorRow {
    pub id: Uuid,
    pub username: String,
    pub role: Role,
    pub org_unit_id: Uuid,
    pub is_active: bool,
    pub token_version: i32,
    pub unit_tier: Tier,
    pub unit_path: String,
}

/// What login needs about an account.
#[derive(Debug, Clone, Queryable)]
pub struct Credentials {
    pub id: Uuid,
    pub is_active: bool,
    pub password_hash: String,
}

/// A refresh-token row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens, check_for_backend(diesel::pg::Pg))]
pub struct RefreshToken {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub successor_id: Option<Uuid>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new refresh token.
#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub token_hash: Vec<u8>,
    pub expires_at: DateTime<Utc>,
}

/// An audit event to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub org_unit_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub outcome: String,
    pub request_id: Option<String>,
    pub details: serde_json::Value,
}

/// An audit event as read back.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub org_unit_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub outcome: String,
    pub request_id: Option<String>,
    pub details: serde_json::Value,
}

/// A stored idempotent response.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys, check_for_backend(diesel::pg::Pg))]
pub struct StoredResponse {
    pub request_hash: Vec<u8>,
    /// `None` while the first request with the key is still being worked on.
    pub effect: Option<String>,
    pub response_body: serde_json::Value,
    pub version: Option<i32>,
    pub resource_id: Option<Uuid>,
}

/// A client row (服务对象).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clients, check_for_backend(diesel::pg::Pg))]
pub struct Client {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub name: String,
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    pub id_type: IdType,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub hukou_division_code: Option<String>,
    pub categories: Vec<ClientCategory>,
    pub living_arrangement: Option<LivingArrangement>,
    pub self_care: Option<SelfCare>,
    pub disability: Option<serde_json::Value>,
    pub guardian: Option<serde_json::Value>,
    pub emergency_contact: Option<serde_json::Value>,
    pub household_id: Option<Uuid>,
    pub risk_level: RiskLevel,
    pub consent: Option<serde_json::Value>,
    pub notes: Option<String>,
    pub created_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A client in a list: the columns of its (masked) summary.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = clients, check_for_backend(diesel::pg::Pg))]
pub struct ClientListRow {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub name: String,
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    pub id_type: IdType,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub categories: Vec<ClientCategory>,
    pub household_id: Option<Uuid>,
    pub risk_level: RiskLevel,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

/// A client to insert, or the full new state of one to update (the service merges a PATCH
/// into the stored record and validates the result as a whole).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = clients, treat_none_as_null = true)]
pub struct ClientData {
    pub name: String,
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    pub id_type: IdType,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub hukou_division_code: Option<String>,
    pub categories: Vec<ClientCategory>,
    pub living_arrangement: Option<LivingArrangement>,
    pub self_care: Option<SelfCare>,
    pub disability: Option<serde_json::Value>,
    pub guardian: Option<serde_json::Value>,
    pub emergency_contact: Option<serde_json::Value>,
    pub household_id: Option<Uuid>,
    pub risk_level: RiskLevel,
    pub consent: Option<serde_json::Value>,
    pub notes: Option<String>,
}

/// A household row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = households, check_for_backend(diesel::pg::Pg))]
pub struct Household {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub address: Option<String>,
    pub created_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A member of a household, with the client's name.
#[derive(Debug, Clone, Queryable)]
pub struct HouseholdMember {
    pub client_id: Uuid,
    pub name: String,
    pub relation: HouseholdRelation,
}

/// A group (小组).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = groups, check_for_backend(diesel::pg::Pg))]
pub struct Group {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub name: String,
    pub group_type: GroupType,
    pub goals: Option<String>,
    pub target_categories: Vec<ClientCategory>,
    pub planned_sessions: Option<i32>,
    pub leader_ids: Vec<Uuid>,
    pub status: GroupStatus,
    pub created_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The editable fields of a group (insert, or full new state on update).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = groups, treat_none_as_null = true)]
pub struct GroupData {
    pub name: String,
    pub group_type: GroupType,
    pub goals: Option<String>,
    pub target_categories: Vec<ClientCategory>,
    pub planned_sessions: Option<i32>,
    pub leader_ids: Vec<Uuid>,
    pub status: GroupStatus,
}

/// A membership period of a client in a group, with the client's name.
#[derive(Debug, Clone, Queryable)]
pub struct GroupMember {
    pub client_id: Uuid,
    pub name: String,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub exit_reason: Option<String>,
}

/// A service session of any method.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = service_sessions, check_for_backend(diesel::pg::Pg))]
pub struct Session {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub method: SessionMethod,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub service_types: Vec<ServiceType>,
    pub summary: Option<String>,
    pub late_entry: bool,
    pub recorded_by: Uuid,
    pub case_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub mode: Option<ContactMode>,
    pub goal_ids: Vec<Uuid>,
    pub client_response: Option<String>,
    pub next_steps: Option<String>,
    pub risk_change: Option<RiskLevel>,
    pub group_id: Option<Uuid>,
    pub session_no: Option<i32>,
    pub theme: Option<String>,
    pub title: Option<String>,
    pub kind: Option<CommunityKind>,
    pub participant_count: Option<i32>,
    pub volunteer_count: Option<i32>,
    pub volunteer_hours: Option<f64>,
    pub partners: Vec<LinkagePartner>,
    pub resources_value_fen: Option<i64>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One attendance row of a group session.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = session_attendance, check_for_backend(diesel::pg::Pg))]
pub struct Attendance {
    pub session_id: Uuid,
    pub row_no: i32,
    pub client_id: Option<Uuid>,
    pub participant_name: Option<String>,
    pub status: AttendanceStatus,
}
/// A case row (个案).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases, check_for_backend(diesel::pg::Pg))]
pub struct Case {
    pub id: Uuid,
    pub case_no: String,
    pub client_id: Uuid,
    pub org_unit_id: Uuid,
    pub worker_id: Uuid,
    pub source: CaseSource,
    pub presenting_problem: String,
    pub domain: ServiceDomain,
    pub problem_types: Vec<String>,
    pub risk_level: RiskLevel,
    pub status: CaseStatus,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closure_reason: Option<ClosureReason>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
    pub last_session_at: Option<DateTime<Utc>>,
    pub is_open: bool,
    pub visit_due_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The client's name, kept on the case by a trigger.
    pub client_name: String,
    /// The worker's name, kept on the case by a trigger.
    pub worker_name: String,
}

/// A case to insert (status `intake`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = cases)]
pub struct NewCase {
    pub id: Uuid,
    pub case_no: String,
    pub client_id: Uuid,
    pub org_unit_id: Uuid,
    pub worker_id: Uuid,
    pub source: CaseSource,
    pub presenting_problem: String,
    pub domain: ServiceDomain,
    pub problem_types: Vec<String>,
    pub risk_level: RiskLevel,
    pub created_by: Uuid,
}

/// Changes to a case's own fields (`None` = unchanged, `Some(None)` = cleared). Status, worker
/// and unit change only through transitions and transfers.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = cases)]
pub struct CaseChanges {
    pub presenting_problem: Option<String>,
    pub problem_types: Option<Vec<String>>,
    pub domain: Option<ServiceDomain>,
    pub risk_level: Option<RiskLevel>,
    pub next_follow_up_at: Option<Option<DateTime<Utc>>>,
}

/// A change of a case's status (`closed_at` and `closure_reason`: `None` = unchanged).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = cases)]
pub struct CaseStatusChange {
    pub status: CaseStatus,
    pub closed_at: Option<Option<DateTime<Utc>>>,
    pub closure_reason: Option<Option<ClosureReason>>,
}

/// A case in a list: the columns of its summary, with the names people look for.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = cases, check_for_backend(diesel::pg::Pg))]
pub struct CaseListRow {
    pub id: Uuid,
    pub case_no: String,
    pub client_id: Uuid,
    pub client_name: String,
    pub org_unit_id: Uuid,
    pub worker_id: Uuid,
    pub worker_name: String,
    pub domain: ServiceDomain,
    pub risk_level: RiskLevel,
    pub status: CaseStatus,
    pub opened_at: DateTime<Utc>,
    pub visit_due_at: Option<DateTime<Utc>>,
    pub has_pending_review: bool,
    pub version: i32,
}

/// What the state machine needs to know about a case's records, counted in one query.
#[derive(Debug, Clone, Copy, Default, QueryableByName)]
pub struct CaseFacts {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub assessments: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub latest_plan_goals: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub evaluations: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub follow_ups: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub open_follow_ups: i64,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub outgoing_referral: bool,
}

/// An event of a case's timeline to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_events)]
pub struct NewCaseEvent {
    pub id: Uuid,
    pub case_id: Uuid,
    pub client_id: Uuid,
    pub kind: String,
    pub action: Option<CaseAction>,
    pub from_status: Option<CaseStatus>,
    pub to_status: Option<CaseStatus>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub actor_id: Uuid,
    pub details: serde_json::Value,
}

/// An event of a case's timeline, with the actor's name.
#[derive(Debug, Clone, Queryable)]
pub struct CaseEventRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: String,
    pub action: Option<CaseAction>,
    pub from_status: Option<CaseStatus>,
    pub to_status: Option<CaseStatus>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub actor_id: Uuid,
    pub at: DateTime<Utc>,
    pub details: serde_json::Value,
    pub actor_name: String,
}

/// A transfer of a case to another worker or unit.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_transfers)]
pub struct NewCaseTransfer {
    pub id: Uuid,
    pub case_id: Uuid,
    pub from_worker_id: Uuid,
    pub to_worker_id: Uuid,
    pub from_unit_id: Uuid,
    pub to_unit_id: Uuid,
    pub note: String,
    pub transferred_by: Uuid,
}

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
    pub case_id: Uuid,
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
}

/// A referral to insert (status `sent`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = referrals)]
pub struct NewReferral {
    pub id: Uuid,
    pub case_id: Uuid,
    pub org_unit_id: Uuid,
    pub direction: ReferralDirection,
    pub organization: String,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub reason: String,
    pub consent_given: bool,
    pub created_by: Uuid,
}

/// A supervisor review.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reviews, check_for_backend(diesel::pg::Pg))]
pub struct Review {
    pub id: Uuid,
    pub kind: ReviewKind,
    pub case_id: Uuid,
    pub org_unit_id: Uuid,
    pub plan_id: Option<Uuid>,
    pub closure_reason: Option<ClosureReason>,
    pub request_comment: Option<String>,
    pub requested_by: Uuid,
    pub requested_at: DateTime<Utc>,
    pub status: ReviewStatus,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
}

/// A review to insert (status `pending`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reviews)]
pub struct NewReview {
    pub id: Uuid,
    pub kind: ReviewKind,
    pub case_id: Uuid,
    pub org_unit_id: Uuid,
    pub plan_id: Option<Uuid>,
    pub closure_reason: Option<ClosureReason>,
    pub request_comment: Option<String>,
    pub requested_by: Uuid,
}

/// A review with the case facts a queue shows.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    pub review: Review,
    pub case_no: String,
    pub case_status: CaseStatus,
    pub case_version: i32,
    pub client_id: Uuid,
    pub client_name: String,
}

/// A supervision record (督导记录), without its supervisees and cases.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = supervision_records, check_for_backend(diesel::pg::Pg))]
pub struct SupervisionRecord {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub supervisor_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub format: SupervisionFormat,
    pub function: SupervisionFunction,
    pub issues: Option<String>,
    pub advice: Option<String>,
    pub action_items: serde_json::Value,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The writable fields of a supervision record: a new one, or the full new state of one.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = supervision_records, treat_none_as_null = true)]
pub struct SupervisionData {
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub format: SupervisionFormat,
    pub function: SupervisionFunction,
    pub issues: Option<String>,
    pub advice: Option<String>,
    pub action_items: serde_json::Value,
}

/// One entry of a client's timeline: a change to the client's record (from the audit log) or an
/// event of one of the client's cases.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClientTimelineRow {
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    /// The audit action, or the case event's kind.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub kind: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub entity_type: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    pub entity_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    pub actor_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub action: Option<CaseAction>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub from_status: Option<CaseStatus>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub to_status: Option<CaseStatus>,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub details: serde_json::Value,
    /// Whether the entry is a case event.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub from_case: bool,
}
