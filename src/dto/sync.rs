//! Pulled changes (`GET /sync/changes`) and per-unit checksums (`GET /sync/checksums`).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::enums::{SyncEntity, SyncOp};

/// Where a pull starts and how much it takes.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// The `next_cursor` of the previous pull; empty or absent for the first download.
    pub since: Option<String>,
    /// Changes per page, 1–1000 (default 500).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// One record to bring up to date on the device.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncChange {
    /// Kind of record.
    pub entity: SyncEntity,
    /// Record id.
    pub id: Uuid,
    /// `upsert`: store `data` (replacing any older copy); `remove`: purge the local copy (the
    /// record was deleted or left the caller's scope).
    pub op: SyncOp,
    /// The record's version (its ETag) for an upsert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// The record's unit, for an upsert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_unit_id: Option<Uuid>,
    /// The record for an upsert: its fields as stored, named as in the record's PATCH body and
    /// detail; ID numbers only masked (`id_number_masked`); a client's phone and address whole
    /// only in the caller's unit and the village rooms directly beneath it, masked elsewhere
    /// (`contact_masked: true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub data: Option<serde_json::Value>,
}

/// A page of changes in commit order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncChanges {
    /// Changes, oldest first, each record at most once.
    pub changes: Vec<SyncChange>,
    /// Where the next pull starts (keep it even when `has_more` is false).
    pub next_cursor: String,
    /// Whether another page is ready now.
    pub has_more: bool,
}

/// What a device should hold of one unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitChecksum {
    /// The unit.
    pub org_unit_id: Uuid,
    /// Records of the unit the device should hold.
    pub count: i64,
    /// Their checksum: for each record, the first 8 bytes (big-endian) of SHA-256 of
    /// `"{entity}:{id}:{version}"`, summed modulo 2^64, as 16 lower-case hex digits.
    #[schema(pattern = "^[0-9a-f]{16}$")]
    pub checksum: String,
}

/// Per-unit checksums of everything in the caller's scope a device should hold.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncChecksums {
    /// Units holding at least one syncable record, by id.
    pub units: Vec<UnitChecksum>,
}
