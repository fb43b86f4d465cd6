//! Bodies of the user-management endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{nullable, validate_not_blank, validate_phone, validation_error};
use crate::db::models::User;
use crate::domain::enums::{Certification, Role};

/// A user account (never with its password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserOut {
    /// Id.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// The user's unit; their scope is its subtree.
    pub org_unit_id: Uuid,
    /// Role.
    pub role: Role,
    /// Professional certification.
    pub certification: Certification,
    /// Whether the account may sign in.
    pub is_active: bool,
    /// Version for `If-Match`.
    pub version: i32,
    /// Created.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last changed.
    #[serde(serialize_with = "crate::dto::time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            phone: u.phone,
            org_unit_id: u.org_unit_id,
            role: u.role,
            certification: u.certification,
            is_active: u.is_active,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

fn validate_username(name: &str) -> Result<(), validator::ValidationError> {
    let ok = (3..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(validation_error(
            "invalid_username",
            "用户名须为 3–64 位字母、数字、下划线、点或连字符。",
            "A username is 3–64 letters, digits, '_', '.' or '-'.",
        ))
    }
}

/// `POST /users`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Client-chosen id; the same id twice is the same user.
    pub id: Option<Uuid>,
    /// Login name: 3–64 of `A-Z a-z 0-9 _ . -`, unique (case-insensitive).
    #[validate(custom(function = "validate_username"))]
    #[schema(pattern = "^[A-Za-z0-9_.-]{3,64}$", example = "wang.fang")]
    pub username: String,
    /// Name shown to others, 1–50 characters.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 50, example = "王芳")]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub display_name: String,
    /// Phone.
    #[validate(length(max = 32), custom(function = "validate_phone"))]
    #[schema(max_length = 32, example = "13895512345")]
    #[schema(pattern = "^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")]
    pub phone: Option<String>,
    /// Unit, inside the admin's scope.
    pub org_unit_id: Uuid,
    /// Role.
    pub role: Role,
    /// Certification (default `none`).
    pub certification: Option<Certification>,
    /// Initial password: 8–128 characters, not a common password.
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 8, max_length = 128)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub password: String,
}

/// `PATCH /users/{id}`.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// New display name.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "validate_not_blank"),
        custom(function = "crate::domain::text::validate_single_line")
    )]
    #[schema(min_length = 1, max_length = 50)]
    #[schema(
        pattern = "^([^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\u0020\\u00A0\\u00AD\\u034F\\u061C\\u115F\\u1160\\u1680\\u17B4\\u17B5\\u180B-\\u180F\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*)?$"
    )]
    pub display_name: Option<String>,
    /// New phone, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 32), custom(function = "validate_phone"))]
    #[schema(value_type = Option<String>, max_length = 32)]
    #[schema(pattern = "^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")]
    pub phone: Option<Option<String>>,
    /// Move the user to another unit in scope (takes effect on their next request).
    pub org_unit_id: Option<Uuid>,
    /// New role.
    pub role: Option<Role>,
    /// New certification.
    pub certification: Option<Certification>,
    /// Enable or disable the account (disabling ends its sessions at once).
    pub is_active: Option<bool>,
}

/// `POST /users/{id}/reset-password`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// The new password: 8–128 characters, not a common password.
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 8, max_length = 128)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub new_password: String,
}

/// Filters of `GET /users`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only this role.
    pub role: Option<Role>,
    /// Only users of this unit.
    pub org_unit_id: Option<Uuid>,
    /// Username or display name contains this text (one line: no control or bidi characters).
    #[param(pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub q: Option<String>,
    /// Only active (`true`) or disabled (`false`) accounts.
    pub is_active: Option<bool>,
}
