//! The sync state of records (`sync_rows`): where each syncable record last changed.

use diesel::prelude::*;
use diesel::sql_types::{Int4, Int8, Jsonb, Nullable, Text, Uuid as SqlUuid};
use uuid::Uuid;

/// A record's change as a pull serves it, at its position in commit order.
#[derive(Debug, Clone, QueryableByName)]
pub struct ChangeRow {
    /// Entity code (`SyncEntity`).
    #[diesel(sql_type = Text)]
    pub entity: String,
    /// Record id.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Path of the unit the record lives (or lived) under.
    #[diesel(sql_type = Text)]
    pub unit_path: String,
    /// The record's unit.
    #[diesel(sql_type = SqlUuid)]
    pub org_unit_id: Uuid,
    /// What the device does: `upsert`, `remove`, or `skip` (the old row of a record that moved
    /// within the caller's subtree).
    #[diesel(sql_type = Text)]
    pub op: String,
    /// The record's version.
    #[diesel(sql_type = Int4)]
    pub version: i32,
    /// Writing transaction's id.
    #[diesel(sql_type = Int8)]
    pub xid: i64,
    /// Order within the transaction.
    #[diesel(sql_type = Int8)]
    pub seq: i64,
    /// Whether every transaction older than this change has ended, so it may be served.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub ready: bool,
    /// The record as stored, for an upsert.
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub data: Option<serde_json::Value>,
}

/// A record a device may hold: what its checksum is made of.
#[derive(Debug, Clone, QueryableByName)]
pub struct HeldRow {
    /// The record's unit.
    #[diesel(sql_type = SqlUuid)]
    pub org_unit_id: Uuid,
    /// Entity code.
    #[diesel(sql_type = Text)]
    pub entity: String,
    /// Record id.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Version.
    #[diesel(sql_type = Int4)]
    pub version: i32,
}
