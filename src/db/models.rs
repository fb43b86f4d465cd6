//! Row types: what the repositories read and write.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{
    AttendanceStatus, Certification, ClientCategory, CommunityKind, ContactMode, Gender, GroupStatus, GroupType,
    HouseholdRelation, IdType, LinkagePartner, LivingArrangement, RiskLevel, Role, SelfCare, ServiceType, SessionMethod,
    Tier, UnitStatus,
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
#[derive(Debug, Clone, Queryable, Selectable)]
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
    pub status: i16,
    pub response_body: serde_json::Value,
    pub etag: Option<String>,
    pub location: Option<String>,
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
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
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
