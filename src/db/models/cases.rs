//! Cases (个案): the case row, its changes, list rows, facts, timeline events and transfers.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{CaseAction, CaseSource, CaseStatus, ClosureReason, RiskLevel, ServiceDomain};

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
    /// When the retention purge archived the case (it is then read-only).
    pub archived_at: Option<DateTime<Utc>>,
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
#[derive(Debug, Clone, Default, QueryableByName)]
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
    /// The consent on the client's file.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Jsonb>)]
    pub client_consent: Option<serde_json::Value>,
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
