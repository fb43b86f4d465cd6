//! Bodies of the supervision-record endpoints (督导记录).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{nullable, validate_not_blank};
use crate::domain::enums::{SupervisionFormat, SupervisionFunction};

/// An agreed action (行动事项).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionItem {
    /// What is to be done, 1–500 characters.
    #[validate(length(min = 1, max = 500), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 500, example = "两周内完成王某家庭的复访")]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub text: String,
    /// Who does it: the supervisor or one of the supervisees.
    pub owner_id: Option<Uuid>,
    /// By when.
    #[serde(serialize_with = "crate::dto::time::date_opt")]
    #[validate(custom(function = "crate::domain::dates::validate_planned_date"))]
    pub due_on: Option<NaiveDate>,
    /// Whether it is done.
    #[serde(default)]
    pub done: bool,
}

/// `POST /supervision-records` (supervisors).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSupervisionRecord {
    /// Client-chosen id; the same id twice is the same record.
    pub id: Option<Uuid>,
    /// The unit the record belongs to (default: the supervisor's own), in the supervisor's scope.
    pub org_unit_id: Option<Uuid>,
    /// When the supervision took place (not in the future).
    #[validate(custom(function = "crate::domain::dates::validate_event_time"))]
    pub occurred_at: DateTime<Utc>,
    /// Minutes, 1–1,440.
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: i32,
    /// Format.
    pub format: SupervisionFormat,
    /// Function.
    pub function: SupervisionFunction,
    /// The workers supervised (1–100, in scope).
    #[validate(length(min = 1, max = 100))]
    #[schema(value_type = std::collections::BTreeSet<Uuid>, min_items = 1, max_items = 100)]
    pub supervisee_ids: Vec<Uuid>,
    /// Cases discussed (at most 100, in scope).
    #[validate(length(max = 100))]
    #[schema(value_type = std::collections::BTreeSet<Uuid>, max_items = 100)]
    #[serde(default)]
    pub case_ids: Vec<Uuid>,
    /// Issues raised.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub issues: Option<String>,
    /// Advice given.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub advice: Option<String>,
    /// Agreed actions (at most 100).
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    #[serde(default)]
    pub action_items: Vec<ActionItem>,
}

/// `PATCH /supervision-records/{id}` (supervisors): absent = unchanged, `null` = cleared.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSupervisionRecord {
    /// When it took place.
    #[validate(custom(function = "crate::domain::dates::validate_event_time"))]
    pub occurred_at: Option<DateTime<Utc>>,
    /// Minutes.
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<i32>,
    /// Format.
    pub format: Option<SupervisionFormat>,
    /// Function.
    pub function: Option<SupervisionFunction>,
    /// Supervisees (replaces the list).
    #[validate(length(min = 1, max = 100))]
    #[schema(value_type = Option<std::collections::BTreeSet<Uuid>>, min_items = 1, max_items = 100)]
    pub supervisee_ids: Option<Vec<Uuid>>,
    /// Cases discussed (replaces the list).
    #[validate(length(max = 100))]
    #[schema(value_type = Option<std::collections::BTreeSet<Uuid>>, max_items = 100)]
    pub case_ids: Option<Vec<Uuid>>,
    /// Issues, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub issues: Option<Option<String>>,
    /// Advice, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub advice: Option<Option<String>>,
    /// Agreed actions (replaces the list; mark them done here).
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub action_items: Option<Vec<ActionItem>>,
}

/// A supervision record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupervisionRecordOut {
    /// Id.
    pub id: Uuid,
    /// Unit.
    pub org_unit_id: Uuid,
    /// The supervisor.
    pub supervisor_id: Uuid,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub occurred_at: DateTime<Utc>,
    /// Minutes.
    pub duration_minutes: i32,
    /// Format.
    pub format: SupervisionFormat,
    /// Function.
    pub function: SupervisionFunction,
    /// The workers supervised.
    pub supervisee_ids: Vec<Uuid>,
    /// Cases discussed.
    pub case_ids: Vec<Uuid>,
    /// Issues.
    pub issues: Option<String>,
    /// Advice.
    pub advice: Option<String>,
    /// Agreed actions.
    pub action_items: Vec<ActionItem>,
    /// Version for `If-Match`.
    pub version: i32,
    /// Created.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last changed.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// Filters of `GET /supervision-records`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupervisionQuery {
    /// Only records by this supervisor.
    pub supervisor_id: Option<Uuid>,
    /// Only records with this supervisee.
    pub supervisee_id: Option<Uuid>,
    /// Only records that discuss this case.
    pub case_id: Option<Uuid>,
}
