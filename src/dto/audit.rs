//! Bodies of the audit-log endpoint.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::models::AuditEvent;

/// One audit event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEventOut {
    /// Id.
    pub id: Uuid,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub occurred_at: DateTime<Utc>,
    /// Who (null for an unknown account name at login).
    pub user_id: Option<Uuid>,
    /// Their username (or the name tried at login).
    pub username: Option<String>,
    /// Their role at the time.
    pub role: Option<String>,
    /// Their unit at the time.
    pub org_unit_id: Option<Uuid>,
    /// What (`client.read`, `case.transition`, `auth.login`, …).
    pub action: String,
    /// The kind of record.
    pub entity_type: String,
    /// The record.
    pub entity_id: Option<Uuid>,
    /// `success`, `denied` or `failure`.
    pub outcome: String,
    /// The request it came from (`X-Request-Id`).
    pub request_id: Option<String>,
    /// Details (field names changed, reasons; never identity numbers).
    pub details: serde_json::Value,
}

impl From<AuditEvent> for AuditEventOut {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: e.id,
            occurred_at: e.occurred_at,
            user_id: e.user_id,
            username: e.username,
            role: e.role,
            org_unit_id: e.org_unit_id,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            outcome: e.outcome,
            request_id: e.request_id,
            details: e.details,
        }
    }
}

/// Filters of `GET /audit-events`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this kind of record (one line: no control or bidi characters).
    #[param(pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub entity_type: Option<String>,
    /// Only this record.
    pub entity_id: Option<Uuid>,
    /// Only this user's actions.
    pub user_id: Option<Uuid>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this time (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// One event in a client's access log: who saw or touched the file, and how.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessLogEntry {
    /// The audit event's id.
    pub id: Uuid,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub occurred_at: DateTime<Utc>,
    /// Who.
    pub user_id: Option<Uuid>,
    /// Their username at the time.
    pub username: Option<String>,
    /// Their display name now (null for an account that no longer exists).
    pub display_name: Option<String>,
    /// Their role at the time.
    pub role: Option<String>,
    /// What (`client.read`, `narrative.read`, `case.transition`, `client.duplicate_probe`, …).
    pub action: String,
    /// The kind of record: the client, or one of its cases, sessions or records.
    pub entity_type: String,
    /// The record (null when a read named several, listed in `record_ids`).
    pub entity_id: Option<Uuid>,
    /// The records a read of narratives showed.
    pub record_ids: Vec<Uuid>,
    /// `success`, `denied` or `failure`.
    pub outcome: String,
}

impl From<(AuditEvent, Option<String>)> for AccessLogEntry {
    fn from((e, display_name): (AuditEvent, Option<String>)) -> Self {
        let record_ids = e.details.get("ids").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
        Self {
            id: e.id,
            occurred_at: e.occurred_at,
            user_id: e.user_id,
            username: e.username,
            display_name,
            role: e.role,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            record_ids,
            outcome: e.outcome,
        }
    }
}
