//! Stored responses of idempotent requests.

use diesel::prelude::*;

use uuid::Uuid;

use crate::db::schema::*;

/// A stored idempotent response.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys, check_for_backend(diesel::pg::Pg))]
pub struct StoredResponse {
    pub request_hash: Vec<u8>,
    /// `None` while the first request with the key is still being worked on.
    pub effect: Option<String>,
    pub response_body: serde_json::Value,
    pub version: Option<i32>,
    pub resource_id: Option<Uuid>,
}
