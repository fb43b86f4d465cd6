//! Stored responses of idempotent requests.

use diesel::prelude::*;

use crate::db::schema::*;

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
