//! Bodies of the hierarchy endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{nullable, validate_not_blank, validate_phone};
use crate::db::models::OrgUnit;
use crate::domain::enums::{Tier, UnitStatus};

/// An org unit (指导中心 / 总站 / 服务站 / 服务室).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgUnitOut {
    /// Id.
    pub id: Uuid,
    /// Parent unit; `null` for the root.
    pub parent_id: Option<Uuid>,
    /// Tier.
    pub tier: Tier,
    /// Name.
    pub name: String,
    /// 12-digit statistical division code.
    pub division_code: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Status.
    pub status: UnitStatus,
    /// Depth below the root (root = 0).
    pub depth: i16,
    /// Version for `If-Match`.
    pub version: i32,
    /// Created.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last changed.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl From<OrgUnit> for OrgUnitOut {
    fn from(u: OrgUnit) -> Self {
        Self {
            id: u.id,
            parent_id: u.parent_id,
            tier: u.tier,
            name: u.name,
            division_code: u.division_code,
            address: u.address,
            phone: u.phone,
            status: u.status,
            depth: u.depth,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// `POST /org-units`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrgUnit {
    /// Client-chosen id (offline-first); the same id twice is the same unit.
    pub id: Option<Uuid>,
    /// Parent unit, inside the caller's scope.
    pub parent_id: Uuid,
    /// Tier: one below the parent's (a centre may also hold centres).
    pub tier: Tier,
    /// Name, 1–100 characters.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 100, example = "滨河镇社会工作服务站")]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub name: String,
    /// 12-digit division code (a 6-digit county code is padded); its level must match the tier.
    #[validate(length(min = 6, max = 12))]
    #[schema(pattern = "^[0-9]{6}([0-9]{6})?$", example = "640502100000")]
    pub division_code: Option<String>,
    /// Address.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub address: Option<String>,
    /// Phone (mobile or landline).
    #[validate(length(max = 32), custom(function = "validate_phone"))]
    #[schema(max_length = 32, example = "0955-7012345")]
    #[schema(pattern = "^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")]
    pub phone: Option<String>,
}

/// `PATCH /org-units/{id}`: absent = unchanged, `null` = cleared.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrgUnit {
    /// New name.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub name: Option<String>,
    /// New division code, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{6}([0-9]{6})?$")]
    pub division_code: Option<Option<String>>,
    /// New address, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, max_length = 200)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub address: Option<Option<String>>,
    /// New phone, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 32), custom(function = "validate_phone"))]
    #[schema(value_type = Option<String>, max_length = 32)]
    #[schema(pattern = "^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")]
    pub phone: Option<Option<String>>,
    /// New status.
    pub status: Option<UnitStatus>,
    /// Move the unit (and its whole subtree) under another parent in scope.
    pub parent_id: Option<Uuid>,
}

/// Filters of `GET /org-units`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgUnitQuery {
    /// Only this tier.
    pub tier: Option<Tier>,
    /// Only direct children of this unit.
    pub parent_id: Option<Uuid>,
    /// Name contains this text (one line: no control or bidi characters).
    #[param(pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub q: Option<String>,
}
