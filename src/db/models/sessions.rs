//! Service sessions of every method and group attendance.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{AttendanceStatus, CommunityKind, ContactMode, LinkagePartner, RiskLevel, ServiceType, SessionMethod};

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
