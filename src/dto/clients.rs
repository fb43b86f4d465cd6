//! Bodies of the client-registry and household endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{nullable, validate_not_blank, validate_phone};
use crate::domain::consent::ConsentFacts;
use crate::domain::enums::{
    ClientCategory, ConsentRelation, ConsentScope, DisabilityCategory, Gender, HouseholdRelation, IdType, LivingArrangement,
    RiskLevel, SelfCare,
};

/// A guardian or an emergency contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Name, 1–50 characters.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 50, example = "李桂英")]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub name: String,
    /// Relation to the client (e.g. 祖母, 父亲).
    #[validate(length(max = 20))]
    #[schema(max_length = 20, example = "祖母")]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub relation: Option<String>,
    /// Phone (mobile or landline).
    #[validate(length(max = 32), custom(function = "validate_phone"))]
    #[schema(max_length = 32, example = "13995512345")]
    #[schema(pattern = "^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")]
    pub phone: Option<String>,
}

/// A disability certificate's category and grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Disability {
    /// Category (残疾类别).
    pub category: DisabilityCategory,
    /// Grade 1 (most severe) to 4.
    #[validate(range(min = 1, max = 4))]
    #[schema(minimum = 1, maximum = 4)]
    pub grade: u8,
}

/// Informed consent (知情同意) on file: who signed, for which uses, and its withdrawal.
///
/// A consent on file is never removed or rewritten: it is withdrawn (`withdrawn_on` with
/// `withdrawal_reason`), which is final, or replaced by a new consent dated on or after it. For a
/// client under 14 the signer is the guardian on the client's file (`relation` `guardian`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// Who signed (the client, their guardian, or an authorised agent).
    #[validate(
        length(min = 1, max = 50),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 50)]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub signed_by: String,
    /// Relation of the signer to the client.
    pub relation: ConsentRelation,
    /// Date signed.
    #[serde(serialize_with = "crate::dto::time::date")]
    #[validate(custom(function = "crate::domain::dates::validate_event_date"))]
    pub date: NaiveDate,
    /// The uses consented to (default: `services` alone). Casework beyond intake needs
    /// `services`; an outgoing referral needs `sharing`.
    #[serde(default = "default_consent_scopes")]
    #[validate(length(max = 3))]
    #[schema(max_items = 3)]
    pub scopes: Vec<ConsentScope>,
    /// Date the consent was withdrawn; from then on it allows nothing.
    #[serde(default, serialize_with = "crate::dto::time::date_opt")]
    #[validate(custom(function = "crate::domain::dates::validate_event_date"))]
    pub withdrawn_on: Option<NaiveDate>,
    /// Why the consent was withdrawn (required with `withdrawn_on`).
    #[serde(default)]
    #[validate(length(min = 1, max = 500), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub withdrawal_reason: Option<String>,
}

fn default_consent_scopes() -> Vec<ConsentScope> {
    vec![ConsentScope::Services]
}

impl Consent {
    /// The facts the consent rules look at.
    pub fn facts(&self) -> ConsentFacts<'_> {
        ConsentFacts {
            signed_by: &self.signed_by,
            relation: self.relation,
            date: self.date,
            scopes: &self.scopes,
            withdrawn_on: self.withdrawn_on,
            has_withdrawal_reason: self.withdrawal_reason.as_deref().is_some_and(|r| !r.trim().is_empty()),
        }
    }
}

/// `POST /clients`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    /// Client-chosen id (offline-first); the same id twice is the same client.
    pub id: Option<Uuid>,
    /// Home station or village room, inside the caller's scope.
    pub org_unit_id: Uuid,
    /// Name, 1–50 characters.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 50, example = "王小明")]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub name: String,
    /// Gender; derived from a resident ID when omitted, and must agree with it when given.
    pub gender: Option<Gender>,
    /// Birth date; derived from a resident ID when omitted, and must agree with it when given.
    #[validate(custom(function = "crate::domain::dates::validate_birth_date"))]
    pub birth_date: Option<NaiveDate>,
    /// Identity document type.
    pub id_type: IdType,
    /// Document number: a GB 11643 resident ID (18 characters, or a 15-digit legacy number that is
    /// upgraded) for `resident_id`; required unless `id_type` is `none`.
    #[validate(length(min = 1, max = 32))]
    #[schema(min_length = 1, max_length = 32, example = "11010519491231002X")]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub id_number: Option<String>,
    /// Phone (mobile or landline).
    #[validate(length(max = 32), custom(function = "validate_phone"))]
    #[schema(max_length = 32, example = "13895512345")]
    #[schema(pattern = "^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")]
    pub phone: Option<String>,
    /// Address.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub address: Option<String>,
    /// 12-digit division code of the household registration (户籍地).
    #[schema(pattern = "^[0-9]{6}([0-9]{6})?$")]
    pub hukou_division_code: Option<String>,
    /// Categories (服务对象类别), at most 100, no repeats; age rules apply.
    #[validate(length(max = 100))]
    #[schema(value_type = std::collections::BTreeSet<ClientCategory>, max_items = 100)]
    #[serde(default)]
    pub categories: Vec<ClientCategory>,
    /// Living arrangement.
    pub living_arrangement: Option<LivingArrangement>,
    /// Ability to care for oneself.
    pub self_care: Option<SelfCare>,
    /// Disability certificate.
    #[validate(nested)]
    pub disability: Option<Disability>,
    /// Guardian; required under 18.
    #[validate(nested)]
    pub guardian: Option<Contact>,
    /// Emergency contact.
    #[validate(nested)]
    pub emergency_contact: Option<Contact>,
    /// Risk level (default `green`).
    pub risk_level: Option<RiskLevel>,
    /// Informed consent, if signed at registration (needed before a case leaves intake).
    #[validate(nested)]
    pub consent: Option<Consent>,
    /// Notes, up to 5,000 characters.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub notes: Option<String>,
}

/// `PATCH /clients/{id}`: absent = unchanged, `null` = cleared. The unit, the version and the
/// audit fields cannot be patched.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateClient {
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
    /// New gender, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<Option<Gender>>,
    /// New birth date, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    #[validate(custom(function = "crate::domain::dates::validate_birth_date"))]
    pub birth_date: Option<Option<NaiveDate>>,
    /// New document type (send `id_number` with it).
    pub id_type: Option<IdType>,
    /// New document number, or `null` (only with `id_type: none`).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 32))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 32)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub id_number: Option<Option<String>>,
    /// New phone, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 32), custom(function = "validate_phone"))]
    #[schema(value_type = Option<String>, max_length = 32)]
    #[schema(pattern = "^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")]
    pub phone: Option<Option<String>>,
    /// New address, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub address: Option<Option<String>>,
    /// New household-registration division code, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{6}([0-9]{6})?$")]
    pub hukou_division_code: Option<Option<String>>,
    /// New categories (replaces the list).
    #[validate(length(max = 100))]
    #[schema(value_type = Option<std::collections::BTreeSet<ClientCategory>>, max_items = 100)]
    pub categories: Option<Vec<ClientCategory>>,
    /// New living arrangement, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<LivingArrangement>)]
    pub living_arrangement: Option<Option<LivingArrangement>>,
    /// New self-care ability, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<SelfCare>)]
    pub self_care: Option<Option<SelfCare>>,
    /// New disability, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(value_type = Option<Disability>)]
    pub disability: Option<Option<Disability>>,
    /// New guardian, or `null` (refused under 18).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(value_type = Option<Contact>)]
    pub guardian: Option<Option<Contact>>,
    /// New emergency contact, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(value_type = Option<Contact>)]
    pub emergency_contact: Option<Option<Contact>>,
    /// New risk level.
    pub risk_level: Option<RiskLevel>,
    /// The consent on file with its withdrawal added, or a new consent replacing it (dated on or
    /// after it). `null` is refused once a consent is on file.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(value_type = Option<Consent>)]
    pub consent: Option<Option<Consent>>,
    /// New notes, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub notes: Option<Option<String>>,
}

/// A client as lists show it: identity numbers and phones masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientSummary {
    /// Id.
    pub id: Uuid,
    /// Home unit.
    pub org_unit_id: Uuid,
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: Option<Gender>,
    /// Birth date.
    #[serde(serialize_with = "crate::dto::time::date_opt")]
    pub birth_date: Option<NaiveDate>,
    /// Document type.
    pub id_type: IdType,
    /// Masked document number (`110105********002X`).
    pub id_number_masked: Option<String>,
    /// Masked phone (`138****5678`).
    pub phone_masked: Option<String>,
    /// Categories.
    pub categories: Vec<ClientCategory>,
    /// Risk level.
    pub risk_level: RiskLevel,
    /// Household, if any.
    pub household_id: Option<Uuid>,
    /// Version.
    pub version: i32,
    /// Registered.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// A member of a household as the client detail shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberOut {
    /// The member client.
    pub client_id: Uuid,
    /// Their name.
    pub name: String,
    /// Relation to the household head.
    pub relation: HouseholdRelation,
}

/// A household (家庭档案).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HouseholdOut {
    /// Id.
    pub id: Uuid,
    /// Unit.
    pub org_unit_id: Uuid,
    /// Address.
    pub address: Option<String>,
    /// Members.
    pub members: Vec<MemberOut>,
    /// The newest visits (at most 20, newest first): those recorded on the household, and those
    /// that saw any of its members.
    pub recent_visits: Vec<HouseholdVisitOut>,
    /// Version.
    pub version: i32,
    /// Created.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// A visit in the household view.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HouseholdVisitOut {
    /// The visit (its session's id).
    pub id: Uuid,
    /// When it happened.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub occurred_at: DateTime<Utc>,
    /// How it was made.
    pub mode: crate::domain::enums::VisitMode,
    /// Who recorded it.
    pub recorded_by: Uuid,
}

/// A client in full (the detail view; reading it is audited).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientOut {
    /// Id.
    pub id: Uuid,
    /// Home unit.
    pub org_unit_id: Uuid,
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: Option<Gender>,
    /// Birth date.
    #[serde(serialize_with = "crate::dto::time::date_opt")]
    pub birth_date: Option<NaiveDate>,
    /// Age in completed years today, when the birth date is known.
    pub age: Option<u32>,
    /// Document type.
    pub id_type: IdType,
    /// Document number, in full.
    pub id_number: Option<String>,
    /// Phone, in full.
    pub phone: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Household-registration division code.
    pub hukou_division_code: Option<String>,
    /// Categories.
    pub categories: Vec<ClientCategory>,
    /// Living arrangement.
    pub living_arrangement: Option<LivingArrangement>,
    /// Self-care ability.
    pub self_care: Option<SelfCare>,
    /// Disability.
    pub disability: Option<Disability>,
    /// Guardian.
    pub guardian: Option<Contact>,
    /// Emergency contact.
    pub emergency_contact: Option<Contact>,
    /// Risk level.
    pub risk_level: RiskLevel,
    /// The consent on file (withdrawn ones included: check `withdrawn_on`).
    pub consent: Option<Consent>,
    /// Notes.
    pub notes: Option<String>,
    /// The household with its members.
    pub household: Option<HouseholdOut>,
    /// Who registered the client.
    pub created_by: Uuid,
    /// Version for `If-Match`.
    pub version: i32,
    /// Registered.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last changed.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// Filters of `GET /clients`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    /// Search: part of a name, a full mobile number, or a full ID number (one line: no control
    /// or bidi characters).
    #[param(pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub q: Option<String>,
    /// Only clients in this category.
    pub category: Option<ClientCategory>,
    /// Only this risk level.
    pub risk_level: Option<RiskLevel>,
    /// Only clients of this unit's subtree.
    pub org_unit_id: Option<Uuid>,
    /// `true`: only clients with an open case; `false`: only clients without one.
    pub has_open_case: Option<bool>,
}

/// `POST /households`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHousehold {
    /// Client-chosen id.
    pub id: Option<Uuid>,
    /// Unit, in scope.
    pub org_unit_id: Uuid,
    /// Address.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub address: Option<String>,
}

/// One member in `PUT /households/{id}/members`.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    /// A client in scope.
    pub client_id: Uuid,
    /// Relation to the household head (`self` for the head).
    pub relation: HouseholdRelation,
}

/// `PUT /households/{id}/members`: the full member list.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetHouseholdMembers {
    /// Every member (at most 100); clients in another household move to this one.
    #[validate(length(max = 100))]
    #[schema(max_items = 100)]
    pub members: Vec<MemberIn>,
}

/// One entry of a timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// When it happened.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub at: DateTime<Utc>,
    /// What happened (`client.registered`, `client.updated`, `case.opened`, …).
    pub kind: String,
    /// The record it concerns.
    pub entity_type: String,
    /// Its id.
    pub entity_id: Option<Uuid>,
    /// Who did it.
    pub actor_id: Option<Uuid>,
    /// A short description.
    pub summary: String,
}
