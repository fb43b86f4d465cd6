//! Groups (小组) and their memberships.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{ClientCategory, GroupStatus, GroupType};

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
