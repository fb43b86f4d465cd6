//! Bodies of the case endpoints: cases, transitions, transfers and the case timeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{nullable, validate_not_blank, validate_tags};
use crate::domain::enums::{CaseAction, CaseSource, CaseStatus, ClosureReason, ReviewKind, RiskLevel, ServiceDomain};

/// `POST /cases`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCase {
    /// Client-chosen id (offline-first); the same id twice is the same case.
    pub id: Option<Uuid>,
    /// The client, in the caller's scope.
    pub client_id: Uuid,
    /// The unit that holds the case, in the caller's scope.
    pub org_unit_id: Uuid,
    /// Where the case came from.
    pub source: CaseSource,
    /// The presenting problem (主诉), 1–5,000 characters.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000, example = "老人独居，近期跌倒两次，子女在外务工。")]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub presenting_problem: String,
    /// Service domain.
    pub domain: ServiceDomain,
    /// Risk level (四级分类).
    pub risk_level: RiskLevel,
    /// The assigned worker (supervisors only; a worker's own cases are theirs). Must be able to
    /// see the case's unit.
    pub worker_id: Option<Uuid>,
    /// Problem types (tags, at most 100, each 1–50 characters).
    #[validate(length(max = 100), custom(function = "validate_tags"))]
    #[schema(max_items = 100, max_length = 50, pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$", example = json!(["独居", "跌倒风险"]))]
    #[serde(default)]
    pub problem_types: Vec<String>,
}

/// `PATCH /cases/{id}`: absent = unchanged, `null` = cleared. The status, the worker and the
/// unit change only through transitions and transfers.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCase {
    /// New presenting problem.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub presenting_problem: Option<String>,
    /// New problem types (replaces the list).
    #[validate(length(max = 100), custom(function = "validate_tags"))]
    #[schema(
        max_items = 100,
        max_length = 50,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    pub problem_types: Option<Vec<String>>,
    /// New service domain.
    pub domain: Option<ServiceDomain>,
    /// New risk level.
    pub risk_level: Option<RiskLevel>,
    /// When the next follow-up contact is planned, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    #[validate(custom(function = "crate::domain::dates::validate_planned_time"))]
    pub next_follow_up_at: Option<Option<DateTime<Utc>>>,
}

/// `POST /cases/{id}/transitions`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionCase {
    /// The action to take (see `allowed_actions` of the case).
    pub action: CaseAction,
    /// A note for the record or for the reviewing supervisor.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub comment: Option<String>,
    /// Why (required by `decline`, `suspend`, `resume`, `reopen` and `void`).
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub reason: Option<String>,
    /// Closure reason (required by `request_closure`; `referred_out` needs an outgoing referral).
    pub closure_reason: Option<ClosureReason>,
}

/// `POST /cases/{id}/transfer`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferCase {
    /// The worker (or supervisor) who takes the case over, in the caller's scope.
    pub worker_id: Uuid,
    /// The unit the case moves to (default: it stays where it is), in the caller's scope and the
    /// new worker's.
    pub org_unit_id: Option<Uuid>,
    /// Handover note (交接说明), 1–5,000 characters.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub note: String,
}

/// The pending review of a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingReview {
    /// Review id.
    pub id: Uuid,
    /// Kind.
    pub kind: ReviewKind,
    /// Who asked.
    pub requested_by: Uuid,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub requested_at: DateTime<Utc>,
}

/// A case in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseOut {
    /// Id.
    pub id: Uuid,
    /// Case number (个案编号), e.g. `640502-2026-0001`.
    pub case_no: String,
    /// Client.
    pub client_id: Uuid,
    /// Client's name.
    pub client_name: String,
    /// Unit holding the case.
    pub org_unit_id: Uuid,
    /// Assigned worker.
    pub worker_id: Uuid,
    /// Assigned worker's name.
    pub worker_name: String,
    /// Source.
    pub source: CaseSource,
    /// Presenting problem.
    pub presenting_problem: String,
    /// Service domain.
    pub domain: ServiceDomain,
    /// Problem types.
    pub problem_types: Vec<String>,
    /// Risk level.
    pub risk_level: RiskLevel,
    /// Status.
    pub status: CaseStatus,
    /// Opened (intake).
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub opened_at: DateTime<Utc>,
    /// Closed (结案), when closed.
    #[serde(serialize_with = "crate::dto::time::rfc3339_opt")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Archived by the retention purge (closed longer than `SHEGONG_RETENTION_CASE_YEARS`): the
    /// case is then read-only.
    #[serde(serialize_with = "crate::dto::time::rfc3339_opt")]
    pub archived_at: Option<DateTime<Utc>>,
    /// Closure reason, once a closure is approved.
    pub closure_reason: Option<ClosureReason>,
    /// Planned next follow-up contact.
    #[serde(serialize_with = "crate::dto::time::rfc3339_opt")]
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// Last individual session.
    #[serde(serialize_with = "crate::dto::time::rfc3339_opt")]
    pub last_session_at: Option<DateTime<Utc>>,
    /// When the next visit is due by the risk level's interval; `null` when none is expected.
    #[serde(serialize_with = "crate::dto::time::rfc3339_opt")]
    pub visit_due_at: Option<DateTime<Utc>>,
    /// Whether that visit is overdue.
    pub overdue: bool,
    /// The review waiting for a supervisor, if any (the case is frozen meanwhile).
    pub pending_review: Option<PendingReview>,
    /// The actions the caller may take now (`POST /cases/{id}/transitions`).
    pub allowed_actions: Vec<CaseAction>,
    /// Who opened the case.
    pub created_by: Uuid,
    /// Version for `If-Match`.
    pub version: i32,
    /// Created.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last changed.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// A case as lists show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseSummary {
    /// Id.
    pub id: Uuid,
    /// Case number.
    pub case_no: String,
    /// Client.
    pub client_id: Uuid,
    /// Client's name.
    pub client_name: String,
    /// Unit.
    pub org_unit_id: Uuid,
    /// Assigned worker.
    pub worker_id: Uuid,
    /// Assigned worker's name.
    pub worker_name: String,
    /// Service domain.
    pub domain: ServiceDomain,
    /// Risk level.
    pub risk_level: RiskLevel,
    /// Status.
    pub status: CaseStatus,
    /// Opened.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub opened_at: DateTime<Utc>,
    /// Next visit due.
    #[serde(serialize_with = "crate::dto::time::rfc3339_opt")]
    pub visit_due_at: Option<DateTime<Utc>>,
    /// Whether the visit is overdue.
    pub overdue: bool,
    /// Whether a review is pending.
    pub has_pending_review: bool,
    /// Version.
    pub version: i32,
}

/// Filters of `GET /cases`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only cases in this status.
    pub status: Option<CaseStatus>,
    /// Only cases assigned to this worker.
    pub worker_id: Option<Uuid>,
    /// Only cases of this client.
    pub client_id: Option<Uuid>,
    /// Only cases of this unit's subtree.
    pub org_unit_id: Option<Uuid>,
    /// Only this risk level.
    pub risk_level: Option<RiskLevel>,
    /// `true`: only cases whose visit is overdue; `false`: only the others.
    pub overdue: Option<bool>,
    /// `true`: only cases with a pending review; `false`: only the others.
    pub pending_review: Option<bool>,
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseEventOut {
    /// Id.
    pub id: Uuid,
    /// When it happened.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub at: DateTime<Utc>,
    /// What happened: `case.opened`, `case.transition`, `case.updated`, `case.transferred`,
    /// `review.requested`, `review.decided`, `assessment.added`, `plan.added`, `evaluation.added`,
    /// `follow_up.scheduled`, `follow_up.done`, `referral.added`, `referral.updated`, …
    pub kind: String,
    /// The action, for transitions.
    pub action: Option<CaseAction>,
    /// Status before, when it changed.
    pub from_status: Option<CaseStatus>,
    /// Status after, when it changed.
    pub to_status: Option<CaseStatus>,
    /// The record it concerns (`assessment`, `plan`, `review`…).
    pub entity_type: Option<String>,
    /// Its id.
    pub entity_id: Option<Uuid>,
    /// Who did it.
    pub actor_id: Uuid,
    /// Their name.
    pub actor_name: String,
    /// A short description in the request's language.
    pub summary: String,
    /// Particulars: reason, comment, decision, note, changed fields…
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}
