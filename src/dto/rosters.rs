//! Bodies of the roster (台账) and alert endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{nullable, validate_not_blank};
use crate::domain::enums::{
    AlertKind, AlertStatus, LeaveReason, LevelChangeStatus, Programme, ProposalDecision, RiskLevel, VisitAction, VisitMode,
};

/// `POST /roster-entries`: enrol a client in a care programme.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRosterEntry {
    /// Client-chosen id (offline-first); the same id twice is the same entry.
    pub id: Option<Uuid>,
    /// The client (in scope, not deleted).
    pub client_id: Uuid,
    /// The unit responsible (default: the client's), in scope.
    pub org_unit_id: Option<Uuid>,
    /// The programme (one active entry per client and programme).
    pub programme: Programme,
    /// The level (四级分类).
    pub level: RiskLevel,
    /// Why this level (required for red).
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub level_reason: Option<String>,
    /// The worker responsible for visits (default: the caller; someone else: supervisors only).
    pub responsible_worker_id: Option<Uuid>,
    /// Days between visits, 1–366 (default: from the level, as the unit sets it).
    #[validate(range(min = 1, max = 366))]
    #[schema(minimum = 1, maximum = 366)]
    pub visit_interval_days: Option<i32>,
    /// Day of enrolment (default today; not in the future).
    #[validate(custom(function = "crate::domain::dates::validate_event_date"))]
    pub enrolled_on: Option<NaiveDate>,
    /// Notes.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub notes: Option<String>,
}

/// `PATCH /roster-entries/{id}`: absent = unchanged, `null` = cleared. The level changes only by
/// re-rating, leaving only by `leave`.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRosterEntry {
    /// A new responsible worker (supervisors only).
    pub responsible_worker_id: Option<Uuid>,
    /// Days between visits, 1–366; `null` = back to the level's interval.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(range(min = 1, max = 366))]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 366)]
    pub visit_interval_days: Option<Option<i32>>,
    /// New notes, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub notes: Option<Option<String>>,
}

/// `POST /roster-entries/{id}/leave`: the person leaves the roster; the entry stays.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveRoster {
    /// Why.
    pub reason: LeaveReason,
    /// The day (default today; not before enrolment, not in the future).
    #[validate(custom(function = "crate::domain::dates::validate_event_date"))]
    pub left_on: Option<NaiveDate>,
    /// A note.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub note: Option<String>,
}

/// `POST /roster-entries/{id}/rerate`: a new level (the responsible worker or a supervisor).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RerateRosterEntry {
    /// The new level.
    pub level: RiskLevel,
    /// Why (required for red).
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub reason: Option<String>,
}

/// `POST /roster-entries/{id}/proposal`: confirm or reject the pending re-rating.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideProposal {
    /// `confirm` or `reject`.
    pub decision: ProposalDecision,
    /// A note (why).
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub note: Option<String>,
}

/// Filters of `GET /roster-entries`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RosterQuery {
    /// Only this unit's subtree.
    pub org_unit_id: Option<Uuid>,
    /// Only this programme.
    pub programme: Option<Programme>,
    /// Only this level.
    pub level: Option<RiskLevel>,
    /// Only entries this worker is responsible for: a user id, or `me`.
    #[param(pattern = "^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")]
    pub responsible: Option<String>,
    /// Only this client's entries.
    pub client_id: Option<Uuid>,
    /// Only entries due on or before this day (a worker's week: `due_before` = Sunday).
    pub due_before: Option<NaiveDate>,
    /// `true`: only overdue entries; `false`: only the others.
    pub overdue: Option<bool>,
    /// `active` (default, most urgent first) or `left` (by the day they left).
    #[param(pattern = "^(active|left)$")]
    pub status: Option<String>,
}

/// One event of an entry's level history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LevelChangeOut {
    /// Id.
    pub id: Uuid,
    /// The level before (`null` at enrolment).
    pub from_level: Option<RiskLevel>,
    /// The level after (or proposed).
    pub to_level: RiskLevel,
    /// Why.
    pub reason: Option<String>,
    /// `proposed`, `confirmed`, `rejected` or `superseded`.
    pub status: LevelChangeStatus,
    /// The visit that observed it.
    pub session_id: Option<Uuid>,
    /// Who proposed or made it.
    pub proposed_by: Uuid,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub proposed_at: DateTime<Utc>,
    /// Who decided.
    pub decided_by: Option<Uuid>,
    /// When it was decided.
    #[serde(serialize_with = "crate::dto::time::rfc3339_opt")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The decision's note.
    pub decision_note: Option<String>,
}

/// A visit recorded on an entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RosterVisitOut {
    /// The visit (a session of method `visit`).
    pub session_id: Uuid,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub occurred_at: DateTime<Utc>,
    /// How.
    pub mode: VisitMode,
    /// The level it observed for this entry.
    pub level_observed: Option<RiskLevel>,
    /// What it led to.
    pub action: VisitAction,
    /// Who visited.
    pub recorded_by: Uuid,
}

/// A roster entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RosterEntryOut {
    /// Id.
    pub id: Uuid,
    /// The client.
    pub client_id: Uuid,
    /// The client's name.
    pub client_name: String,
    /// The unit responsible.
    pub org_unit_id: Uuid,
    /// The programme.
    pub programme: Programme,
    /// The level.
    pub level: RiskLevel,
    /// The worker responsible.
    pub responsible_worker_id: Uuid,
    /// Their name.
    pub responsible_worker_name: Option<String>,
    /// Days between visits.
    pub visit_interval_days: i32,
    /// Whether the interval was set for this entry (otherwise it follows the level).
    pub interval_fixed: bool,
    /// Enrolled.
    #[serde(serialize_with = "crate::dto::time::date")]
    pub enrolled_on: NaiveDate,
    /// Left (`null` while on the roster).
    #[serde(serialize_with = "crate::dto::time::date_opt")]
    pub left_on: Option<NaiveDate>,
    /// Why they left.
    pub leave_reason: Option<LeaveReason>,
    /// The note on leaving.
    pub leave_note: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// The newest visit (derived from the visits).
    #[serde(serialize_with = "crate::dto::time::rfc3339_opt")]
    pub last_visit_at: Option<DateTime<Utc>>,
    /// The day the next visit is due (derived; `null` once left).
    #[serde(serialize_with = "crate::dto::time::date_opt")]
    pub next_visit_due: Option<NaiveDate>,
    /// The due day has passed.
    pub overdue: bool,
    /// The pending re-rating a visit proposed, if any (detail only).
    pub pending_proposal: Option<LevelChangeOut>,
    /// Level history, newest first (detail only).
    pub level_history: Vec<LevelChangeOut>,
    /// Visits, newest first, at most 50 (detail only).
    pub visits: Vec<RosterVisitOut>,
    /// Version for `If-Match`.
    pub version: i32,
    /// Created.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// `PUT /org-units/{id}/visit-intervals`: days between visits per level for the rosters under
/// the unit (a higher risk never less often than a lower one).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetVisitIntervals {
    /// Red, 1–366 days.
    #[validate(range(min = 1, max = 366))]
    #[schema(minimum = 1, maximum = 366)]
    pub red: i32,
    /// Yellow, 1–366 days.
    #[validate(range(min = 1, max = 366))]
    #[schema(minimum = 1, maximum = 366)]
    pub yellow: i32,
    /// Blue, 1–366 days.
    #[validate(range(min = 1, max = 366))]
    #[schema(minimum = 1, maximum = 366)]
    pub blue: i32,
    /// Green, 1–366 days.
    #[validate(range(min = 1, max = 366))]
    #[schema(minimum = 1, maximum = 366)]
    pub green: i32,
}

/// The visit intervals in force for a unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitIntervalsOut {
    /// The unit asked about.
    pub org_unit_id: Uuid,
    /// The unit whose settings apply (`null`: the defaults of DOMAIN.md §3).
    pub set_by_unit_id: Option<Uuid>,
    /// Red.
    pub red: i32,
    /// Yellow.
    pub yellow: i32,
    /// Blue.
    pub blue: i32,
    /// Green.
    pub green: i32,
    /// Version of the unit's own settings (for `If-Match`; `0` when it has none).
    pub version: i32,
    /// Active entries whose interval the last change moved (answers of `PUT` only).
    pub entries_changed: Option<i64>,
}

/// Filters of `GET /alerts`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// `open` or `acknowledged` (default: both).
    pub status: Option<AlertStatus>,
    /// Only this unit's subtree.
    pub org_unit_id: Option<Uuid>,
}

/// `POST /alerts/{id}/acknowledge`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeAlert {
    /// What was done.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub note: Option<String>,
}

/// An alert on the supervisors' queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertOut {
    /// Id.
    pub id: Uuid,
    /// The unit.
    pub org_unit_id: Uuid,
    /// `urgent_report` or `red_rating`.
    pub kind: AlertKind,
    /// The visit that raised it.
    pub session_id: Option<Uuid>,
    /// The roster entry rated red.
    pub roster_entry_id: Option<Uuid>,
    /// The clients concerned.
    pub client_ids: Vec<Uuid>,
    /// What was found.
    pub summary: Option<String>,
    /// Who raised it.
    pub raised_by: Uuid,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub raised_at: DateTime<Utc>,
    /// `open` or `acknowledged`.
    pub status: AlertStatus,
    /// Who acknowledged it.
    pub acknowledged_by: Option<Uuid>,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339_opt")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// What was done.
    pub note: Option<String>,
    /// Version.
    pub version: i32,
}
