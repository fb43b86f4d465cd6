//! Clients (服务对象), their list rows and their timeline.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{CaseAction, CaseStatus, ClientCategory, Gender, IdType, LivingArrangement, RiskLevel, SelfCare};

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
