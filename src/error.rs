//! The error policy: every error the API returns is an RFC 9457 `application/problem+json` body
//! made here and nowhere else.
//!
//! - Handlers, services and repositories return `AppError`; they never build error responses.
//! - `detail` and field messages are human readable, in the request's language (zh-CN default).
//! - A resource outside the caller's scope is `NotFound`, indistinguishable from a missing id.
//! - `Internal` errors are logged with the request id and answered with a fixed text: no SQL, no
//!   stack, no path ever reaches a client.
//! - Database unavailability (pool timeout, lost connection) is 503, so clients retry.

use actix_web::{
    http::{header, StatusCode},
    HttpResponse, ResponseError,
};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::i18n::{current_lang, Text};

/// One failing field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field (`guardian.phone`, `members[2].client_id`).
    pub field: String,
    /// Stable machine code of the rule (`required`, `too_long`, `invalid_check_digit`…).
    pub code: String,
    /// Message in both languages.
    pub message: Text,
}

impl FieldError {
    /// A field error from its parts.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: Text) -> Self {
        Self { field: field.into(), code: code.into(), message }
    }
}

/// Every failure the API can answer with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: malformed JSON, bad query string or path.
    #[error("bad request")]
    BadRequest(Text),
    /// 401: no, bad or expired credentials.
    #[error("unauthorized")]
    Unauthorized,
    /// 401 on login: bad username or password (one text for both).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 403: the role lacks this function.
    #[error("forbidden")]
    Forbidden(Text),
    /// 404: missing, or outside the caller's scope.
    #[error("not found")]
    NotFound,
    /// 405 with the allowed methods.
    #[error("method not allowed")]
    MethodNotAllowed(Vec<String>),
    /// 409: the request conflicts with the current state.
    #[error("conflict: {code}")]
    Conflict {
        /// Machine code of the conflict.
        code: &'static str,
        /// Human text.
        detail: Text,
        /// Extension members added to the problem body.
        extra: Map<String, Value>,
    },
    /// 412: `If-Match` is stale.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 413: body over the limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415: not JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 422: validation failed on these fields.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 422 with one message and no field (e.g. an idempotency key reused with another body).
    #[error("unprocessable: {0:?}")]
    Unprocessable(Text),
    /// 428: `If-Match` missing.
    #[error("precondition required")]
    PreconditionRequired,
    /// 429: throttled; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a retry can succeed.
        retry_after_secs: u64,
    },
    /// 503: the database cannot be reached.
    #[error("service unavailable")]
    Unavailable,
    /// 500: a bug or an unexpected failure; never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Shorthand for handler and service results.
pub type AppResult<T> = Result<T, AppError>;

/// The RFC 9457 problem body (shown in the OpenAPI document).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:shegong:problem:<slug>`).
    #[serde(rename = "type")]
    pub type_: String,
    /// Short English summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// Human-readable explanation in the request's language.
    pub detail: String,
    /// Every failing field (422 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
}

/// One failing field in a problem body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// Dotted path of the field.
    pub field: String,
    /// Machine code of the failed rule.
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

impl AppError {
    /// A 422 for one field.
    pub fn field(field: impl Into<String>, code: impl Into<String>, message: Text) -> Self {
        AppError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// A 409 without extension members.
    pub fn conflict(code: &'static str, detail: Text) -> Self {
        AppError::Conflict { code, detail, extra: Map::new() }
    }

    /// Wraps any error as an internal one.
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(e.into())
    }

    fn slug(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad-request",
            AppError::Unauthorized => "unauthorized",
            AppError::InvalidCredentials => "invalid-credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not-found",
            AppError::MethodNotAllowed(_) => "method-not-allowed",
            AppError::Conflict { .. } => "conflict",
            AppError::PreconditionFailed => "precondition-failed",
            AppError::PayloadTooLarge => "payload-too-large",
            AppError::UnsupportedMediaType => "unsupported-media-type",
            AppError::Validation(_) | AppError::Unprocessable(_) => "validation",
            AppError::PreconditionRequired => "precondition-required",
            AppError::TooManyRequests { .. } => "too-many-requests",
            AppError::Unavailable => "service-unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    fn detail(&self) -> Text {
        match self {
            AppError::BadRequest(t) | AppError::Forbidden(t) | AppError::Unprocessable(t) => t.clone(),
            AppError::Conflict { detail, .. } => detail.clone(),
            AppError::Unauthorized => Text::new("未登录或登录已失效。", "Authentication is required or has expired."),
            AppError::InvalidCredentials => Text::new("用户名或密码错误。", "Wrong username or password."),
            AppError::NotFound => Text::new("资源不存在。", "The resource does not exist."),
            AppError::MethodNotAllowed(_) => Text::new("该资源不支持此请求方法。", "This method is not allowed on the resource."),
            AppError::PreconditionFailed => {
                Text::new("记录已被他人修改，请刷新后重试。", "The record has changed since you read it; reload and try again.")
            }
            AppError::PayloadTooLarge => Text::new("请求体过大（上限 1 MiB）。", "The request body is too large (limit 1 MiB)."),
            AppError::UnsupportedMediaType => {
                Text::new("请求体须为 application/json。", "The request body must be application/json.")
            }
            AppError::Validation(_) => Text::new("请求数据未通过校验。", "The request did not pass validation."),
            AppError::PreconditionRequired => Text::new(
                "修改须携带 If-Match 请求头（记录的 ETag）。",
                "This change needs an If-Match header with the record's ETag.",
            ),
            AppError::TooManyRequests { .. } => Text::new("请求过于频繁，请稍后再试。", "Too many requests; try again later."),
            AppError::Unavailable => {
                Text::new("服务暂时不可用，请稍后重试。", "The service is temporarily unavailable; try again shortly.")
            }
            AppError::Internal(_) => Text::new("服务器内部错误。", "Internal server error."),
        }
    }

    /// The problem body for this error, in the current request's language.
    pub fn problem(&self) -> Value {
        let lang = current_lang();
        let status = self.status_code();
        let mut body = Map::new();
        body.insert("type".into(), format!("urn:shegong:problem:{}", self.slug()).into());
        body.insert("title".into(), status.canonical_reason().unwrap_or("Error").into());
        body.insert("status".into(), status.as_u16().into());
        body.insert("detail".into(), self.detail().get(lang).to_owned().into());
        match self {
            AppError::Validation(errors) => {
                let errors: Vec<Value> = errors
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "field": e.field,
                            "code": e.code,
                            "message": e.message.get(lang),
                        })
                    })
                    .collect();
                body.insert("errors".into(), Value::Array(errors));
            }
            AppError::Conflict { code, extra, .. } => {
                body.insert("code".into(), (*code).into());
                for (k, v) in extra {
                    body.insert(k.clone(), v.clone());
                }
            }
            _ => {}
        }
        Value::Object(body)
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Validation(_) | AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(e) = self {
            tracing::error!(error = ?e, "internal error");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            AppError::TooManyRequests { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.max(&1).to_string()));
            }
            AppError::MethodNotAllowed(allow) => {
                res.insert_header((header::ALLOW, allow.join(", ")));
            }
            AppError::Unauthorized | AppError::InvalidCredentials => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            AppError::Unavailable => {
                res.insert_header((header::RETRY_AFTER, "2"));
            }
            _ => {}
        }
        res.body(self.problem().to_string())
    }
}

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => AppError::NotFound,
            E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, ref info) => {
                tracing::warn!(error = %info.message(), "database connection lost");
                crate::db::note_connection_lost();
                AppError::Unavailable
            }
            E::DatabaseError(K::SerializationFailure, _) => AppError::conflict(
                "concurrent_update",
                Text::new("并发修改冲突，请重试。", "A concurrent change conflicted; try again."),
            ),
            E::DatabaseError(K::UniqueViolation, info) => {
                tracing::info!(constraint = ?info.constraint_name(), "unique violation");
                AppError::conflict("duplicate", Text::new("记录已存在。", "The record already exists."))
            }
            E::DatabaseError(K::Unknown, ref info)
                if info.message().contains("connection") || info.message().contains("terminating") =>
            {
                tracing::warn!(error = %info.message(), "database connection lost");
                crate::db::note_connection_lost();
                AppError::Unavailable
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        tracing::warn!(error = %e, "database pool unavailable");
        AppError::Unavailable
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errors: validator::ValidationErrors) -> Self {
        AppError::Validation(crate::extract::json::field_errors(&errors))
    }
}
