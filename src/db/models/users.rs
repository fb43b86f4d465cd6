//! Users, and what sign-in and the per-request actor read about them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{Certification, Role, Tier};

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
