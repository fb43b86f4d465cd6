//! Bodies of the auth and self-service endpoints.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{org_units::OrgUnitOut, users::UserOut};

/// `POST /auth/login`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// Login name (case-insensitive).
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64, example = "admin")]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub username: String,
    /// Password.
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024, example = "Shegong-2026")]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub password: String,
}

/// `POST /auth/refresh` and `POST /auth/logout`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshTokens {
    /// The refresh token of the session.
    #[validate(length(min = 1, max = 512))]
    #[schema(min_length = 1, max_length = 512)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub refresh_token: String,
}

/// A fresh token pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokensOut {
    /// Access token (JWT), sent as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires (at most 900).
    pub expires_in: u64,
    /// Opaque refresh token; single use, rotated on every refresh.
    pub refresh_token: String,
    /// The signed-in user.
    pub user: UserOut,
}

/// `POST /me/password`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The current password.
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub current_password: String,
    /// The new password: 8–128 characters, not a common password.
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 8, max_length = 128)]
    #[schema(pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    pub new_password: String,
}

/// `GET /me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    /// The user.
    pub user: UserOut,
    /// The user's unit (the root of their scope).
    pub unit: OrgUnitOut,
    /// What the role may do, as `resource:action` codes.
    pub permissions: Vec<String>,
}
