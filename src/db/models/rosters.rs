//! Rosters (台账): entries, their level history, units' visit intervals, and the supervisors'
//! alerts that visits and red ratings raise.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{AlertKind, AlertStatus, LeaveReason, LevelChangeStatus, Programme, RiskLevel};

/// A client enrolled in a care programme of a unit.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = roster_entries, check_for_backend(diesel::pg::Pg))]
pub struct RosterEntry {
    pub id: Uuid,
    pub client_id: Uuid,
    pub org_unit_id: Uuid,
    pub programme: Programme,
    pub level: RiskLevel,
    pub responsible_worker_id: Uuid,
    pub visit_interval_days: i32,
    pub interval_fixed: bool,
    pub enrolled_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub leave_reason: Option<LeaveReason>,
    pub leave_note: Option<String>,
    pub notes: Option<String>,
    pub last_visit_at: Option<DateTime<Utc>>,
    pub next_visit_due: Option<NaiveDate>,
    pub created_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A roster entry to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = roster_entries)]
pub struct NewRosterEntry {
    pub id: Uuid,
    pub client_id: Uuid,
    pub org_unit_id: Uuid,
    pub programme: Programme,
    pub level: RiskLevel,
    pub responsible_worker_id: Uuid,
    pub visit_interval_days: i32,
    pub interval_fixed: bool,
    pub enrolled_on: NaiveDate,
    pub notes: Option<String>,
    pub created_by: Uuid,
}

/// The fields of an entry that change in place (the rest is its identity or derived).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = roster_entries, treat_none_as_null = true)]
pub struct RosterEntryChange {
    pub level: RiskLevel,
    pub responsible_worker_id: Uuid,
    pub visit_interval_days: i32,
    pub interval_fixed: bool,
    pub left_on: Option<NaiveDate>,
    pub leave_reason: Option<LeaveReason>,
    pub leave_note: Option<String>,
    pub notes: Option<String>,
}

/// One event of an entry's level history.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = roster_level_events, check_for_backend(diesel::pg::Pg))]
pub struct LevelEvent {
    pub id: Uuid,
    pub roster_entry_id: Uuid,
    pub from_level: Option<RiskLevel>,
    pub to_level: RiskLevel,
    pub reason: Option<String>,
    pub status: LevelChangeStatus,
    pub session_id: Option<Uuid>,
    pub proposed_by: Uuid,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

/// Days between visits a unit set per level.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = unit_visit_intervals, check_for_backend(diesel::pg::Pg))]
pub struct UnitIntervals {
    pub org_unit_id: Uuid,
    pub red: i32,
    pub yellow: i32,
    pub blue: i32,
    pub green: i32,
    pub updated_by: Uuid,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// An alert on the supervisors' queue.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = supervisor_alerts, check_for_backend(diesel::pg::Pg))]
pub struct Alert {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub kind: AlertKind,
    pub session_id: Option<Uuid>,
    pub roster_entry_id: Option<Uuid>,
    pub client_ids: Vec<Uuid>,
    pub summary: Option<String>,
    pub raised_by: Uuid,
    pub raised_at: DateTime<Utc>,
    pub status: AlertStatus,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub version: i32,
}
