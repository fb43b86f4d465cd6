//! Households and their members.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::HouseholdRelation;

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
