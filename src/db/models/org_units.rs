//! Org units of the four-tier hierarchy.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{Tier, UnitStatus};

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
