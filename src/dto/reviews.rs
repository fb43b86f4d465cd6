//! Bodies of the review endpoints (the supervisor's queue and decisions).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::domain::enums::{CaseStatus, ClosureReason, ReviewDecision, ReviewKind, ReviewStatus};

/// A review (审核): a plan approval or a closure approval.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewOut {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: ReviewKind,
    /// Status.
    pub status: ReviewStatus,
    /// The case.
    pub case_id: Uuid,
    /// Its number.
    pub case_no: String,
    /// Its status now.
    pub case_status: CaseStatus,
    /// Its version now (for the next `If-Match`).
    pub case_version: i32,
    /// The client.
    pub client_id: Uuid,
    /// The client's name.
    pub client_name: String,
    /// Unit (that of the case).
    pub org_unit_id: Uuid,
    /// The plan version under review (a fast-tracked case gets it when the review is decided).
    pub plan_id: Option<Uuid>,
    /// The closure reason asked for (closure approvals).
    pub closure_reason: Option<ClosureReason>,
    /// The requester's note.
    pub request_comment: Option<String>,
    /// Who asked.
    pub requested_by: Uuid,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub requested_at: DateTime<Utc>,
    /// Who decided.
    pub decided_by: Option<Uuid>,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339_opt")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The supervisor's comment.
    pub comment: Option<String>,
}

/// Filters of `GET /reviews`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// Only reviews in this status (`pending` for the queue).
    pub status: Option<ReviewStatus>,
    /// Only this kind.
    pub kind: Option<ReviewKind>,
    /// Only reviews of this unit's subtree.
    pub org_unit_id: Option<Uuid>,
}

/// `POST /reviews/{id}/decision`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideReview {
    /// `approve` or `return`.
    pub decision: ReviewDecision,
    /// The supervisor's comment (required to return).
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub comment: Option<String>,
}

impl From<crate::db::models::ReviewRow> for ReviewOut {
    fn from(row: crate::db::models::ReviewRow) -> Self {
        let r = row.review;
        ReviewOut {
            id: r.id,
            kind: r.kind,
            status: r.status,
            case_id: r.case_id,
            case_no: row.case_no,
            case_status: row.case_status,
            case_version: row.case_version,
            client_id: row.client_id,
            client_name: row.client_name,
            org_unit_id: r.org_unit_id,
            plan_id: r.plan_id,
            closure_reason: r.closure_reason,
            request_comment: r.request_comment,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            comment: r.comment,
        }
    }
}
