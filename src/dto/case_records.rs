//! Bodies of a case's records: assessments, service plans, evaluations, follow-ups, referrals.
//! Assessments, plans and evaluations are append-only: a correction is a new one.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::{nullable, validate_lines, validate_not_blank, validate_phone};
use crate::domain::enums::{
    AssessmentSource, ContactMode, EvaluationRecommendation, GoalStatus, ReferralDirection, ReferralStatus, RiskLevel,
};

/// `POST /cases/{id}/assessments`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAssessment {
    /// Client-chosen id; the same id twice is the same assessment.
    pub id: Option<Uuid>,
    /// Where the information came from (at least one, no repeats).
    #[validate(length(min = 1, max = 4))]
    #[schema(value_type = std::collections::BTreeSet<AssessmentSource>, min_items = 1, max_items = 4)]
    pub sources: Vec<AssessmentSource>,
    /// The client's own system (个人系统).
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub self_system: Option<String>,
    /// The family system (家庭系统).
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub family_system: Option<String>,
    /// The social system (社会系统).
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub social_system: Option<String>,
    /// Strengths and resources (优势).
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub strengths: Option<String>,
    /// Needs, most pressing first (at most 100, each 1–500 characters).
    #[validate(length(max = 100), custom(function = "validate_lines"))]
    #[schema(
        max_items = 100,
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    #[serde(default)]
    pub needs: Vec<String>,
    /// The risk level this assessment finds; it becomes the case's risk level.
    pub risk_level: RiskLevel,
    /// Summary, 1–5,000 characters.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub summary: String,
    /// When the assessment was made (default: now); not in the future.
    #[validate(custom(function = "crate::domain::dates::validate_event_time"))]
    pub assessed_at: Option<DateTime<Utc>>,
}

/// An assessment (预估).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentOut {
    /// Id.
    pub id: Uuid,
    /// Case.
    pub case_id: Uuid,
    /// Sources.
    pub sources: Vec<AssessmentSource>,
    /// Individual system.
    pub self_system: Option<String>,
    /// Family system.
    pub family_system: Option<String>,
    /// Social system.
    pub social_system: Option<String>,
    /// Strengths.
    pub strengths: Option<String>,
    /// Needs by priority.
    pub needs: Vec<String>,
    /// Risk level found.
    pub risk_level: RiskLevel,
    /// Summary.
    pub summary: String,
    /// When assessed.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub assessed_at: DateTime<Utc>,
    /// Assessor.
    pub assessed_by: Uuid,
    /// Recorded.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// One goal of a new plan version.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalIn {
    /// What is to be achieved, 1–1,000 characters.
    #[validate(length(min = 1, max = 1000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 1000, example = "三个月内每周参加两次社区老年活动")]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub description: String,
    /// How it is measured.
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub measure: Option<String>,
    /// By when.
    #[serde(serialize_with = "crate::dto::time::date_opt")]
    #[validate(custom(function = "crate::domain::dates::validate_planned_date"))]
    pub due_date: Option<NaiveDate>,
}

/// `POST /cases/{id}/plans`: a new version of the service plan.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlan {
    /// Client-chosen id; the same id twice is the same plan version.
    pub id: Option<Uuid>,
    /// The overall goal, 1–5,000 characters.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub overall_goal: String,
    /// Specific goals (at most 100); a plan is submitted for approval only with at least one.
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    #[serde(default)]
    pub goals: Vec<GoalIn>,
    /// Intervention model (e.g. 任务中心模式, 危机介入模式).
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub intervention_model: Option<String>,
    /// Planned number of sessions, 1–1,000.
    #[validate(range(min = 1, max = 1000))]
    #[schema(minimum = 1, maximum = 1000)]
    pub planned_sessions: Option<i32>,
    /// Planned end date.
    #[validate(custom(function = "crate::domain::dates::validate_planned_date"))]
    pub end_date: Option<NaiveDate>,
}

/// A goal of a plan version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalOut {
    /// Id (evaluations refer to it).
    pub id: Uuid,
    /// Position in the plan, from 1.
    pub position: i32,
    /// Description.
    pub description: String,
    /// Measure.
    pub measure: Option<String>,
    /// Due date.
    #[serde(serialize_with = "crate::dto::time::date_opt")]
    pub due_date: Option<NaiveDate>,
    /// How far it got, as the latest evaluation says.
    pub status: GoalStatus,
}

/// A version of a service plan (服务计划).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanOut {
    /// Id.
    pub id: Uuid,
    /// Case.
    pub case_id: Uuid,
    /// Version number, from 1.
    pub version_no: i32,
    /// Overall goal.
    pub overall_goal: String,
    /// Goals.
    pub goals: Vec<GoalOut>,
    /// Intervention model.
    pub intervention_model: Option<String>,
    /// Planned sessions.
    pub planned_sessions: Option<i32>,
    /// Planned end date.
    #[serde(serialize_with = "crate::dto::time::date_opt")]
    pub end_date: Option<NaiveDate>,
    /// Author.
    pub created_by: Uuid,
    /// Recorded.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// How far one goal got.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalResultIn {
    /// A goal of the case's latest plan.
    pub goal_id: Uuid,
    /// `achieved`, `partly` or `not_achieved`.
    pub result: GoalStatus,
    /// Evidence.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub evidence: Option<String>,
}

/// `POST /cases/{id}/evaluations`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEvaluation {
    /// Client-chosen id; the same id twice is the same evaluation.
    pub id: Option<Uuid>,
    /// Summary, 1–5,000 characters.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub summary: String,
    /// Results per goal of the latest plan (at most 100, each goal once).
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    #[serde(default)]
    pub goal_results: Vec<GoalResultIn>,
    /// What the client says.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub client_feedback: Option<String>,
    /// What the worker recommends.
    pub recommendation: EvaluationRecommendation,
}

/// An evaluation (评估).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationOut {
    /// Id.
    pub id: Uuid,
    /// Case.
    pub case_id: Uuid,
    /// The plan version evaluated.
    pub plan_id: Option<Uuid>,
    /// Summary.
    pub summary: String,
    /// Results per goal.
    pub goal_results: Vec<GoalResultIn>,
    /// Client feedback.
    pub client_feedback: Option<String>,
    /// Recommendation.
    pub recommendation: EvaluationRecommendation,
    /// Evaluator.
    pub evaluated_by: Uuid,
    /// Recorded.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// `POST /cases/{id}/follow-ups`: schedule a follow-up (or record one done on the spot).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFollowUp {
    /// Client-chosen id; the same id twice is the same follow-up.
    pub id: Option<Uuid>,
    /// When it is due.
    #[validate(custom(function = "crate::domain::dates::validate_planned_date"))]
    pub due_on: NaiveDate,
    /// How it is (or was) made.
    pub mode: Option<ContactMode>,
    /// When it was done (not in the future).
    #[validate(custom(function = "crate::domain::dates::validate_event_date"))]
    pub done_on: Option<NaiveDate>,
    /// What was found (with `done_on`).
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub finding: Option<String>,
}

/// `PATCH /cases/{id}/follow-ups/{fid}`: reschedule, or record it done (once done it is final).
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFollowUp {
    /// New due date.
    #[validate(custom(function = "crate::domain::dates::validate_planned_date"))]
    pub due_on: Option<NaiveDate>,
    /// When it was done (not in the future).
    #[validate(custom(function = "crate::domain::dates::validate_event_date"))]
    pub done_on: Option<NaiveDate>,
    /// How, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ContactMode>)]
    pub mode: Option<Option<ContactMode>>,
    /// What was found, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub finding: Option<Option<String>>,
}

/// A follow-up (跟进/回访).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpOut {
    /// Id.
    pub id: Uuid,
    /// Case.
    pub case_id: Uuid,
    /// Due.
    #[serde(serialize_with = "crate::dto::time::date")]
    pub due_on: NaiveDate,
    /// Done, when done.
    #[serde(serialize_with = "crate::dto::time::date_opt")]
    pub done_on: Option<NaiveDate>,
    /// Mode.
    pub mode: Option<ContactMode>,
    /// Finding.
    pub finding: Option<String>,
    /// Who scheduled it.
    pub created_by: Uuid,
    /// Who recorded it done.
    pub done_by: Option<Uuid>,
    /// Version for `If-Match`.
    pub version: i32,
    /// Created.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last changed.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// `POST /cases/{id}/referrals`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReferral {
    /// Client-chosen id; the same id twice is the same referral.
    pub id: Option<Uuid>,
    /// `out` (to another organisation) or `in` (from one).
    pub direction: ReferralDirection,
    /// The other organisation, 1–100 characters.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 100, example = "中卫市残疾人联合会")]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub organization: String,
    /// Contact person.
    #[validate(length(max = 50))]
    #[schema(max_length = 50)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub contact: Option<String>,
    /// Contact phone (mobile or landline).
    #[validate(length(max = 32), custom(function = "validate_phone"))]
    #[schema(max_length = 32)]
    #[schema(pattern = "^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")]
    pub phone: Option<String>,
    /// Why, 1–5,000 characters.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub reason: String,
    /// Whether the client (or guardian) agreed; an outgoing referral shares their information
    /// and needs it.
    pub consent_given: bool,
}

/// `PATCH /referrals/{id}`: move a referral on (`sent` → `accepted`/`declined` → `completed`).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReferral {
    /// The new status.
    pub status: ReferralStatus,
    /// A note on the change.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub note: Option<String>,
}

/// A referral (转介).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralOut {
    /// Id.
    pub id: Uuid,
    /// The case, for a referral made in casework.
    pub case_id: Option<Uuid>,
    /// The client, for a referral made on a visit.
    pub client_id: Option<Uuid>,
    /// The visit it was made on, if any.
    pub session_id: Option<Uuid>,
    /// Unit (that of the case or visit).
    pub org_unit_id: Uuid,
    /// Direction.
    pub direction: ReferralDirection,
    /// The other organisation.
    pub organization: String,
    /// Contact person.
    pub contact: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// Reason.
    pub reason: String,
    /// Consent given.
    pub consent_given: bool,
    /// Status.
    pub status: ReferralStatus,
    /// Note on the latest status change.
    pub status_note: Option<String>,
    /// Who recorded it.
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

impl From<crate::db::models::Assessment> for AssessmentOut {
    fn from(a: crate::db::models::Assessment) -> Self {
        AssessmentOut {
            id: a.id,
            case_id: a.case_id,
            sources: a.sources,
            self_system: a.self_system,
            family_system: a.family_system,
            social_system: a.social_system,
            strengths: a.strengths,
            needs: a.needs,
            risk_level: a.risk_level,
            summary: a.summary,
            assessed_at: a.assessed_at,
            assessed_by: a.assessed_by,
            created_at: a.created_at,
        }
    }
}

impl From<crate::db::models::FollowUp> for FollowUpOut {
    fn from(f: crate::db::models::FollowUp) -> Self {
        FollowUpOut {
            id: f.id,
            case_id: f.case_id,
            due_on: f.due_on,
            done_on: f.done_on,
            mode: f.mode,
            finding: f.finding,
            created_by: f.created_by,
            done_by: f.done_by,
            version: f.version,
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }
}

impl From<crate::db::models::Referral> for ReferralOut {
    fn from(r: crate::db::models::Referral) -> Self {
        ReferralOut {
            id: r.id,
            case_id: r.case_id,
            client_id: r.client_id,
            session_id: r.session_id,
            org_unit_id: r.org_unit_id,
            direction: r.direction,
            organization: r.organization,
            contact: r.contact,
            phone: r.phone,
            reason: r.reason,
            consent_given: r.consent_given,
            status: r.status,
            status_note: r.status_note,
            created_by: r.created_by,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
