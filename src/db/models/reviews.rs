//! Supervisor reviews.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::*;
use crate::domain::enums::{CaseStatus, ClosureReason, ReviewKind, ReviewStatus};

/// A supervisor review.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reviews, check_for_backend(diesel::pg::Pg))]
pub struct Review {
    pub id: Uuid,
    pub kind: ReviewKind,
    pub case_id: Uuid,
    pub org_unit_id: Uuid,
    pub plan_id: Option<Uuid>,
    pub closure_reason: Option<ClosureReason>,
    pub request_comment: Option<String>,
    pub requested_by: Uuid,
    pub requested_at: DateTime<Utc>,
    pub status: ReviewStatus,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
}

/// A review to insert (status `pending`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reviews)]
pub struct NewReview {
    pub id: Uuid,
    pub kind: ReviewKind,
    pub case_id: Uuid,
    pub org_unit_id: Uuid,
    pub plan_id: Option<Uuid>,
    pub closure_reason: Option<ClosureReason>,
    pub request_comment: Option<String>,
    pub requested_by: Uuid,
}

/// A review with the case facts a queue shows.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    pub review: Review,
    pub case_no: String,
    pub case_status: CaseStatus,
    pub case_version: i32,
    pub client_id: Uuid,
    pub client_name: String,
}
