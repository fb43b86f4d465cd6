//! Bodies of the service-session and group endpoints. A session body is a tagged union on
//! `method`: each method has its own shape and its own rules.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationErrors};

use super::{nullable, validate_not_blank};
use crate::domain::enums::{
    AttendanceStatus, ClientCategory, CommunityKind, ContactMode, GroupStatus, GroupType, LinkagePartner, NeedFound, RiskLevel,
    ServiceDomain, ServiceType, SessionMethod, VisitAction, VisitMode,
};

/// An individual casework session (个案): on a case in an active status.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndividualSessionIn {
    /// Client-chosen id (offline-first); the same id twice is the same session.
    pub id: Option<Uuid>,
    /// When it happened (not in the future; more than 24 h ago marks it a late entry).
    #[validate(custom(function = "crate::domain::dates::validate_event_time"))]
    pub occurred_at: DateTime<Utc>,
    /// Minutes, 1–1440.
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: i32,
    /// Where.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub location: Option<String>,
    /// Services delivered (at most 13, no repeats).
    #[validate(length(max = 13))]
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeSet<ServiceType>, max_items = 13)]
    pub service_types: Vec<ServiceType>,
    /// What happened.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub summary: Option<String>,
    /// The case (in scope; assigned to the caller unless a supervisor records it).
    pub case_id: Uuid,
    /// How it was delivered.
    pub mode: ContactMode,
    /// Goals of the case's plans this session worked on.
    #[validate(length(max = 100))]
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeSet<Uuid>, max_items = 100)]
    pub goal_ids: Vec<Uuid>,
    /// The client's response.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub client_response: Option<String>,
    /// Next steps.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub next_steps: Option<String>,
    /// A new risk level for the case, when the session changed it.
    pub risk_change: Option<RiskLevel>,
}

/// One attendance row of a group session: a member, or a named walk-in participant.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceIn {
    /// A current member of the group (or omit and give `participant_name`).
    pub client_id: Option<Uuid>,
    /// Name of a walk-in participant who is not a registered member.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 50)]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub participant_name: Option<String>,
    /// Attendance.
    pub status: AttendanceStatus,
}

/// A group-work session (小组).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupSessionIn {
    /// Client-chosen id.
    pub id: Option<Uuid>,
    /// When it happened.
    #[validate(custom(function = "crate::domain::dates::validate_event_time"))]
    pub occurred_at: DateTime<Utc>,
    /// Minutes, 1–1440.
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: i32,
    /// Where.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub location: Option<String>,
    /// Services delivered.
    #[validate(length(max = 13))]
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeSet<ServiceType>, max_items = 13)]
    pub service_types: Vec<ServiceType>,
    /// What happened.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub summary: Option<String>,
    /// The group (in scope, planning or running).
    pub group_id: Uuid,
    /// Session number within the group (default: the next one).
    #[validate(range(min = 1, max = 1000))]
    #[schema(minimum = 1, maximum = 1000)]
    pub session_no: Option<i32>,
    /// Theme of the session.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub theme: Option<String>,
    /// One row per member or walk-in (at most 500).
    #[validate(length(max = 500), nested)]
    #[schema(max_items = 500)]
    pub attendance: Vec<AttendanceIn>,
}

/// A community-work session (社区).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunitySessionIn {
    /// Client-chosen id.
    pub id: Option<Uuid>,
    /// The unit that ran it (in scope).
    pub org_unit_id: Uuid,
    /// When it happened.
    #[validate(custom(function = "crate::domain::dates::validate_event_time"))]
    pub occurred_at: DateTime<Utc>,
    /// Minutes, 1–1440.
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: i32,
    /// Where.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub location: Option<String>,
    /// Services delivered.
    #[validate(length(max = 13))]
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeSet<ServiceType>, max_items = 13)]
    pub service_types: Vec<ServiceType>,
    /// What happened.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub summary: Option<String>,
    /// Title of the activity.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub title: String,
    /// Kind of activity.
    pub kind: CommunityKind,
    /// Headcount of participants (not named people).
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub participant_count: i32,
    /// Volunteers who took part.
    #[validate(range(min = 0, max = 100000))]
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub volunteer_count: i32,
    /// Volunteer hours given.
    #[validate(range(min = 0.0, max = 1000000.0))]
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub volunteer_hours: f64,
    /// 五社联动 partners involved (no repeats).
    #[validate(length(max = 5))]
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeSet<LinkagePartner>, max_items = 5)]
    pub partners: Vec<LinkagePartner>,
    /// Value of resources linked, in yuan (two decimals at most).
    #[validate(range(min = 0.0, max = 1000000000000.0))]
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000000000.0_f64)]
    pub resources_value_yuan: f64,
}

/// A level a visit observed for one of the visited clients' roster entries (a proposed
/// re-rating, unless it is the entry's level already).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelObservedIn {
    /// An active roster entry of one of the visited clients.
    pub roster_entry_id: Uuid,
    /// The level seen.
    pub level: RiskLevel,
    /// Why (required for red).
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub reason: Option<String>,
}

/// The case a visit opens (`action: open_case`): at intake, source `outreach`, assigned to the
/// visitor, in the visit's unit.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitCaseIn {
    /// One of the visited clients.
    pub client_id: Uuid,
    /// Service domain (at most one open case per client and domain).
    pub domain: ServiceDomain,
    /// The presenting problem (主诉), 1–5,000 characters.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(
        pattern = "^([^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub presenting_problem: String,
    /// Risk level (四级分类).
    pub risk_level: RiskLevel,
}

/// The referral a visit makes (`action: refer`): outgoing, on behalf of one visited client.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitReferralIn {
    /// One of the visited clients.
    pub client_id: Uuid,
    /// The organisation referred to, 1–100 characters.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
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
    #[validate(length(max = 32), custom(function = "crate::dto::validate_phone"))]
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
    /// The client (or guardian) agreed to share their information (required).
    pub consent_given: bool,
}

/// A visit (走访): one or more clients and/or their household, outside any case.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitSessionIn {
    /// Client-chosen id (offline-first); the same id twice is the same visit.
    pub id: Option<Uuid>,
    /// When it happened (not in the future; more than 24 h ago marks it a late entry).
    #[validate(custom(function = "crate::domain::dates::validate_event_time"))]
    pub occurred_at: DateTime<Utc>,
    /// Minutes, 1–1440.
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: i32,
    /// Where.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub location: Option<String>,
    /// Services delivered (at most 13, no repeats).
    #[validate(length(max = 13))]
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeSet<ServiceType>, max_items = 13)]
    pub service_types: Vec<ServiceType>,
    /// Summary.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub summary: Option<String>,
    /// The unit the visit is counted under (default: the first client's), in scope.
    pub org_unit_id: Option<Uuid>,
    /// The clients seen (1–100, no repeats, all in scope).
    #[validate(length(min = 1, max = 100))]
    #[schema(value_type = std::collections::BTreeSet<Uuid>, min_items = 1, max_items = 100)]
    pub client_ids: Vec<Uuid>,
    /// The household visited, in scope.
    pub household_id: Option<Uuid>,
    /// How.
    pub mode: VisitMode,
    /// What the worker found.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub findings: Option<String>,
    /// Needs found (no repeats).
    #[validate(length(max = 19))]
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeSet<NeedFound>, max_items = 19)]
    pub needs_found: Vec<NeedFound>,
    /// Levels observed, per roster entry of the clients seen.
    #[validate(length(max = 100), nested)]
    #[serde(default)]
    #[schema(max_items = 100)]
    pub levels_observed: Vec<LevelObservedIn>,
    /// What the visit led to (default `none`).
    #[serde(default = "no_action")]
    pub action: VisitAction,
    /// With `action: open_case`, the case to open.
    #[validate(nested)]
    pub case: Option<VisitCaseIn>,
    /// With `action: refer`, the referral to make.
    #[validate(nested)]
    pub referral: Option<VisitReferralIn>,
}

fn no_action() -> VisitAction {
    VisitAction::None
}

/// `POST /sessions`: one of the four methods, tagged by `method`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum CreateSession {
    /// 个案.
    Individual(IndividualSessionIn),
    /// 小组.
    Group(GroupSessionIn),
    /// 社区.
    Community(CommunitySessionIn),
    /// 走访 (boxed: the largest body by far).
    Visit(Box<VisitSessionIn>),
}

/// The derived schema of a tagged enum is `allOf` the variant and an object holding the tag, but
/// each variant refuses unknown fields (`additionalProperties: false`), which then refuses the tag
/// too: no body could match. So each variant is written out whole with `method` among its own
/// properties, which is exactly what the server accepts.
impl utoipa::PartialSchema for CreateSession {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::OneOfBuilder;
        OneOfBuilder::new()
            .item(tagged("individual", <IndividualSessionIn as utoipa::PartialSchema>::schema()))
            .item(tagged("group", <GroupSessionIn as utoipa::PartialSchema>::schema()))
            .item(tagged("community", <CommunitySessionIn as utoipa::PartialSchema>::schema()))
            .item(tagged("visit", <VisitSessionIn as utoipa::PartialSchema>::schema()))
            .description(Some("`POST /sessions`: one of the four methods, tagged by `method`."))
            .into()
    }
}

impl ToSchema for CreateSession {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <IndividualSessionIn as ToSchema>::schemas(schemas);
        <GroupSessionIn as ToSchema>::schemas(schemas);
        <CommunitySessionIn as ToSchema>::schemas(schemas);
        <VisitSessionIn as ToSchema>::schemas(schemas);
    }
}

/// A variant's object schema with the `method` tag as its first, required property.
fn tagged(
    method: &str,
    variant: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;
    let tag = ObjectBuilder::new().schema_type(Type::String).enum_values(Some([method])).description(Some("The method."));
    match variant {
        RefOr::T(Schema::Object(mut object)) => {
            object.properties.insert("method".to_owned(), tag.into());
            object.properties.move_index(object.properties.len() - 1, 0);
            object.required.insert(0, "method".to_owned());
            RefOr::T(Schema::Object(object))
        }
        // Not reached with the structs above; kept total so a future shape still documents the tag.
        other => AllOfBuilder::new().item(other).item(ObjectBuilder::new().property("method", tag).required("method")).into(),
    }
}

/// What `POST /sessions` receives: the tag, and the method's fields still as JSON. Serde's
/// tagged enums lose the path of a failing field, so the variant is parsed in a second step
/// (`CreateSession::from_envelope`) where every error names its field.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionEnvelope {
    /// The method tag.
    pub method: SessionMethod,
    /// Everything else.
    #[serde(flatten)]
    pub fields: serde_json::Map<String, serde_json::Value>,
}

impl Validate for SessionEnvelope {
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

impl CreateSession {
    /// Parses and validates the method's own fields.
    pub fn from_envelope(envelope: SessionEnvelope) -> Result<Self, crate::error::AppError> {
        use crate::extract::json::from_value;
        let fields = serde_json::Value::Object(envelope.fields);
        Ok(match envelope.method {
            SessionMethod::Individual => CreateSession::Individual(from_value(fields)?),
            SessionMethod::Group => CreateSession::Group(from_value(fields)?),
            SessionMethod::Community => CreateSession::Community(from_value(fields)?),
            SessionMethod::Visit => CreateSession::Visit(Box::new(from_value(fields)?)),
        })
    }
}

/// `PATCH /sessions/{id}`: the narrative and timing; the anchor (case, group, unit) and the
/// method cannot change. Method-specific fields are refused on other methods.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSession {
    /// New time (not in the future).
    #[validate(custom(function = "crate::domain::dates::validate_event_time"))]
    pub occurred_at: Option<DateTime<Utc>>,
    /// New duration.
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<i32>,
    /// New location, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub location: Option<Option<String>>,
    /// New services delivered.
    #[validate(length(max = 13))]
    #[schema(value_type = Option<std::collections::BTreeSet<ServiceType>>, max_items = 13)]
    pub service_types: Option<Vec<ServiceType>>,
    /// New summary, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub summary: Option<Option<String>>,
    /// Individual: new mode.
    pub mode: Option<ContactMode>,
    /// Individual: new client response, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub client_response: Option<Option<String>>,
    /// Individual: new next steps, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub next_steps: Option<Option<String>>,
    /// Group: new theme, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub theme: Option<Option<String>>,
    /// Group: the full attendance list again.
    #[validate(length(max = 500), nested)]
    #[schema(max_items = 500)]
    pub attendance: Option<Vec<AttendanceIn>>,
    /// Community: new title.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub title: Option<String>,
    /// Community: new participant count.
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub participant_count: Option<i32>,
    /// Community: new volunteer count.
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub volunteer_count: Option<i32>,
    /// Community: new volunteer hours.
    #[validate(range(min = 0.0, max = 1000000.0))]
    #[schema(minimum = 0, maximum = 1000000)]
    pub volunteer_hours: Option<f64>,
    /// Community: new partners.
    #[validate(length(max = 5))]
    #[schema(value_type = Option<std::collections::BTreeSet<LinkagePartner>>, max_items = 5)]
    pub partners: Option<Vec<LinkagePartner>>,
    /// Community: new resources value in yuan.
    #[validate(range(min = 0.0, max = 1000000000000.0))]
    #[schema(minimum = 0, maximum = 1000000000000.0_f64)]
    pub resources_value_yuan: Option<f64>,
}

/// An attendance row as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendanceOut {
    /// The member, when a registered client.
    pub client_id: Option<Uuid>,
    /// The walk-in's name.
    pub participant_name: Option<String>,
    /// Attendance.
    pub status: AttendanceStatus,
}

/// A service session of any method (fields of other methods are `null`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionOut {
    /// Id.
    pub id: Uuid,
    /// Method.
    pub method: SessionMethod,
    /// Unit it belongs to.
    pub org_unit_id: Uuid,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub occurred_at: DateTime<Utc>,
    /// Minutes.
    pub duration_minutes: i32,
    /// Where.
    pub location: Option<String>,
    /// Services delivered.
    pub service_types: Vec<ServiceType>,
    /// Summary.
    pub summary: Option<String>,
    /// Recorded more than 24 h after it happened (补录).
    pub late_entry: bool,
    /// Who recorded it.
    pub recorded_by: Uuid,
    /// Individual: the case.
    pub case_id: Option<Uuid>,
    /// Individual: the case's client.
    pub client_id: Option<Uuid>,
    /// Individual: mode.
    pub mode: Option<ContactMode>,
    /// Individual: plan goals worked on.
    pub goal_ids: Vec<Uuid>,
    /// Individual: the client's response.
    pub client_response: Option<String>,
    /// Individual: next steps.
    pub next_steps: Option<String>,
    /// Individual: new risk level.
    pub risk_change: Option<RiskLevel>,
    /// Group: the group.
    pub group_id: Option<Uuid>,
    /// Group: session number.
    pub session_no: Option<i32>,
    /// Group: theme.
    pub theme: Option<String>,
    /// Group: attendance (in the detail; lists leave it empty).
    pub attendance: Vec<AttendanceOut>,
    /// Community: title.
    pub title: Option<String>,
    /// Community: kind.
    pub kind: Option<CommunityKind>,
    /// Community: participants.
    pub participant_count: Option<i32>,
    /// Community: volunteers.
    pub volunteer_count: Option<i32>,
    /// Community: volunteer hours.
    pub volunteer_hours: Option<f64>,
    /// Community: partners.
    pub partners: Vec<LinkagePartner>,
    /// Community: resources linked, yuan.
    pub resources_value_yuan: Option<f64>,
    /// Visit: what only a visit has (`null` for other methods).
    pub visit: Option<VisitOut>,
    /// Version for `If-Match`.
    pub version: i32,
    /// Recorded.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// A roster entry a visit satisfied.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitEntryOut {
    /// The entry.
    pub roster_entry_id: Uuid,
    /// The level observed, when one was recorded.
    pub level_observed: Option<RiskLevel>,
}

/// What only a visit has.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitOut {
    /// The clients seen.
    pub client_ids: Vec<Uuid>,
    /// The household visited.
    pub household_id: Option<Uuid>,
    /// Households reached (走访户次 of this visit).
    pub households_reached: i32,
    /// How.
    pub mode: VisitMode,
    /// What the worker found.
    pub findings: Option<String>,
    /// Needs found.
    pub needs_found: Vec<NeedFound>,
    /// What it led to.
    pub action: VisitAction,
    /// The case it opened.
    pub opened_case_id: Option<Uuid>,
    /// The referral it made.
    pub referral_id: Option<Uuid>,
    /// The roster entries it satisfied (in the detail; lists leave it empty).
    pub roster_entries: Vec<VisitEntryOut>,
}

/// Filters of `GET /sessions`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Only this method.
    pub method: Option<SessionMethod>,
    /// Only sessions of this case.
    pub case_id: Option<Uuid>,
    /// Only sessions of this group.
    pub group_id: Option<Uuid>,
    /// Only sessions of this unit's subtree.
    pub org_unit_id: Option<Uuid>,
    /// Only sessions recorded by this user.
    pub recorded_by: Option<Uuid>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this time (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// `POST /groups`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    /// Client-chosen id.
    pub id: Option<Uuid>,
    /// Unit (in scope).
    pub org_unit_id: Uuid,
    /// Name, 1–50 characters.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 50, example = "留守儿童成长小组")]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub group_type: GroupType,
    /// Goals.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub goals: Option<String>,
    /// Categories of clients the group is for.
    #[validate(length(max = 22))]
    #[serde(default)]
    #[schema(max_items = 22)]
    pub target_categories: Vec<ClientCategory>,
    /// Planned number of sessions.
    #[validate(range(min = 1, max = 200))]
    #[schema(minimum = 1, maximum = 200)]
    pub planned_sessions: Option<i32>,
    /// Leaders: users in scope (default: the creator).
    #[validate(length(max = 10))]
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeSet<Uuid>, max_items = 10)]
    pub leader_ids: Vec<Uuid>,
}

/// `PATCH /groups/{id}`.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGroup {
    /// New name.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 50)]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub name: Option<String>,
    /// New type.
    #[serde(rename = "type")]
    pub group_type: Option<GroupType>,
    /// New goals, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub goals: Option<Option<String>>,
    /// New target categories.
    #[validate(length(max = 22))]
    #[schema(max_items = 22)]
    pub target_categories: Option<Vec<ClientCategory>>,
    /// New planned sessions, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(range(min = 1, max = 200))]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 200)]
    pub planned_sessions: Option<Option<i32>>,
    /// New leaders.
    #[validate(length(max = 10))]
    #[schema(value_type = Option<std::collections::BTreeSet<Uuid>>, max_items = 10)]
    pub leader_ids: Option<Vec<Uuid>>,
    /// New status: `planning` → `running` → `ended`, or `cancelled`.
    pub status: Option<GroupStatus>,
}

/// One member in `PUT /groups/{id}/members`.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupMemberIn {
    /// A client in scope.
    pub client_id: Uuid,
}

/// `PUT /groups/{id}/members`: the full current member list. Members not listed leave (with
/// today's date and the reason); new ones join today.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetGroupMembers {
    /// Every current member (at most 200).
    #[validate(length(max = 200))]
    #[schema(max_items = 200)]
    pub members: Vec<GroupMemberIn>,
    /// Why the members who are no longer listed left.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub exit_reason: Option<String>,
}

/// A membership period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupMemberOut {
    /// The client.
    pub client_id: Uuid,
    /// Their name.
    pub name: String,
    /// Joined.
    #[serde(serialize_with = "crate::dto::time::date")]
    pub joined_on: NaiveDate,
    /// Left (`null` while a member).
    #[serde(serialize_with = "crate::dto::time::date_opt")]
    pub left_on: Option<NaiveDate>,
    /// Why they left.
    pub exit_reason: Option<String>,
}

/// One session of a group with its attendance figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupSessionSummary {
    /// The session.
    pub id: Uuid,
    /// Session number.
    pub session_no: i32,
    /// When.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub occurred_at: DateTime<Utc>,
    /// Theme.
    pub theme: Option<String>,
    /// Attendees present or late (members and walk-ins): the session's person-times.
    pub attended: i64,
    /// Members on the attendance list.
    pub members_listed: i64,
    /// Members present or late.
    pub members_attended: i64,
    /// members_attended / members_listed (0 when nobody was listed).
    pub attendance_rate: f64,
}

/// A group (the list shows it without members and sessions).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupOut {
    /// Id.
    pub id: Uuid,
    /// Unit.
    pub org_unit_id: Uuid,
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub group_type: GroupType,
    /// Goals.
    pub goals: Option<String>,
    /// Target categories.
    pub target_categories: Vec<ClientCategory>,
    /// Planned sessions.
    pub planned_sessions: Option<i32>,
    /// Leaders.
    pub leader_ids: Vec<Uuid>,
    /// Status.
    pub status: GroupStatus,
    /// Version.
    pub version: i32,
    /// Created.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Membership periods (detail only).
    pub members: Vec<GroupMemberOut>,
    /// Sessions with attendance (detail only).
    pub sessions: Vec<GroupSessionSummary>,
    /// Σ members attended / Σ members listed over all sessions (detail only).
    pub attendance_rate: Option<f64>,
    /// Σ attendees present or late over all sessions (detail only).
    pub person_times: Option<i64>,
}

/// Filters of `GET /groups`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupQuery {
    /// Only this status.
    pub status: Option<GroupStatus>,
    /// Only groups of this unit's subtree.
    pub org_unit_id: Option<Uuid>,
}
