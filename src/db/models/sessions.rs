//! Service sessions of every method and group attendance.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{
    AttendanceStatus, CommunityKind, ContactMode, LinkagePartner, NeedFound, RiskLevel, ServiceType, SessionMethod, VisitAction,
    VisitMode,
};

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
    pub client_ids: Vec<Uuid>,
    pub households_reached: Option<i32>,
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

/// What only a visit has (one row per visit session).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = visits, check_for_backend(diesel::pg::Pg))]
pub struct Visit {
    pub session_id: Uuid,
    pub household_id: Option<Uuid>,
    pub mode: VisitMode,
    pub findings: Option<String>,
    pub needs_found: Vec<NeedFound>,
    pub action: VisitAction,
    pub opened_case_id: Option<Uuid>,
    pub referral_id: Option<Uuid>,
}

/// A roster entry a visit satisfied, with the level it observed.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = visit_roster_entries, check_for_backend(diesel::pg::Pg))]
pub struct VisitEntry {
    pub session_id: Uuid,
    pub roster_entry_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub level_observed: Option<RiskLevel>,
}
