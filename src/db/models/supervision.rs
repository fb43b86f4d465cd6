//! Supervision records (督导记录).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{SupervisionFormat, SupervisionFunction};

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
