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
    /// 414: the URL is longer than the server reads.
    #[error("uri too long")]
    UriTooLong,
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
    /// 409 `duplicate_document` for a document number registered outside the caller's scope, or
    /// 429 once the caller's out-of-scope hits of the day are used up. The answer says nothing
    /// about the record; the caller audits the probe (`services::replay::refusal_event`).
    #[error("document registered elsewhere")]
    DocumentElsewhere(Box<DocumentProbe>),
    /// 503: the database cannot be reached.
    #[error("service unavailable")]
    Unavailable,
    /// 500: a bug or an unexpected failure; never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A registration that named a document number held by a record outside the caller's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentProbe {
    /// The record that holds the number (for the audit log only, never the answer); `None`
    /// when the caller was refused before the lookup.
    pub existing: Option<uuid::Uuid>,
    /// The document type's code.
    pub id_type: String,
    /// The number, masked as lists show it.
    pub masked: String,
    /// Set when the day's hits are used up: seconds until the next day starts.
    pub retry_after_secs: Option<u64>,
}

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
    /// Machine code of a conflict (409 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Further members of a conflict (`existing_id`, `allowed_actions`, …).
    #[serde(flatten)]
    #[schema(additional_properties)]
    pub extensions: Map<String, Value>,
}

impl Problem {
    /// The members every problem body has and no extension may replace.
    const MEMBERS: [&'static str; 6] = ["type", "title", "status", "detail", "errors", "code"];
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
            AppError::UriTooLong => "uri-too-long",
            AppError::UnsupportedMediaType => "unsupported-media-type",
            AppError::Validation(_) | AppError::Unprocessable(_) => "validation",
            AppError::PreconditionRequired => "precondition-required",
            AppError::TooManyRequests { .. } => "too-many-requests",
            AppError::DocumentElsewhere(p) if p.retry_after_secs.is_some() => "too-many-requests",
            AppError::DocumentElsewhere(_) => "conflict",
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
            AppError::UriTooLong => Text::new("请求地址过长（上限 8 KiB）。", "The URL is too long (limit 8 KiB)."),
            AppError::UnsupportedMediaType => {
                Text::new("请求体须为 application/json。", "The request body must be application/json.")
            }
            AppError::Validation(_) => Text::new("请求数据未通过校验。", "The request did not pass validation."),
            AppError::PreconditionRequired => Text::new(
                "修改须携带 If-Match 请求头（记录的 ETag）。",
                "This change needs an If-Match header with the record's ETag.",
            ),
            AppError::TooManyRequests { .. } => Text::new("请求过于频繁，请稍后再试。", "Too many requests; try again later."),
            AppError::DocumentElsewhere(p) if p.retry_after_secs.is_some() => Text::new(
                "今日查重次数已用完：带证件号码的登记与修改请明天再试，或请督导协助。",
                "Your duplicate checks for today are used up: register or change document numbers tomorrow, or ask a supervisor.",
            ),
            AppError::DocumentElsewhere(_) => Text::new(
                "该证件号码已在其他服务站登记。如需在本站服务，请由上级督导办理转介或调档。",
                "This document number is registered at another station. To serve this person here, ask a supervisor above your unit to arrange a transfer.",
            ),
            AppError::Unavailable => {
                Text::new("服务暂时不可用，请稍后重试。", "The service is temporarily unavailable; try again shortly.")
            }
            AppError::Internal(_) => Text::new("服务器内部错误。", "Internal server error."),
        }
    }

    /// The problem body for this error, in the current request's language.
    pub fn problem(&self) -> Problem {
        let lang = current_lang();
        let status = self.status_code();
        let (errors, code, extensions) = match self {
            AppError::Validation(errors) => (
                Some(
                    errors
                        .iter()
                        .map(|e| ProblemField {
                            field: e.field.clone(),
                            code: e.code.clone(),
                            message: e.message.get(lang).to_owned(),
                        })
                        .collect(),
                ),
                None,
                Map::new(),
            ),
            // An extension never replaces a member the RFC defines (a case's `status` is not the
            // problem's).
            AppError::Conflict { code, extra, .. } => (
                None,
                Some((*code).to_owned()),
                extra
                    .iter()
                    .filter(|(k, _)| !Problem::MEMBERS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            // Only how to ask for a transfer: nothing about the record, its unit or its categories.
            AppError::DocumentElsewhere(p) if p.retry_after_secs.is_none() => {
                let mut extra = Map::new();
                extra.insert("registered_elsewhere".into(), Value::Bool(true));
                extra.insert(
                    "transfer_request".into(),
                    serde_json::json!({"ask_role": "supervisor", "permission": "cases:transfer"}),
                );
                (None, Some("duplicate_document".to_owned()), extra)
            }
            _ => (None, None, Map::new()),
        };
        Problem {
            type_: format!("urn:shegong:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail().get(lang).to_owned(),
            errors,
            code,
            extensions,
        }
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
            AppError::UriTooLong => StatusCode::URI_TOO_LONG,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Validation(_) | AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::DocumentElsewhere(p) if p.retry_after_secs.is_some() => StatusCode::TOO_MANY_REQUESTS,
            AppError::DocumentElsewhere(_) => StatusCode::CONFLICT,
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
        // Also on errors rendered outside the request pipeline (a request past its deadline).
        res.insert_header((header::CACHE_CONTROL, "no-store"));
        res.insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
        match self {
            AppError::TooManyRequests { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.max(&1).to_string()));
            }
            AppError::DocumentElsewhere(p) => {
                if let Some(secs) = p.retry_after_secs {
                    res.insert_header((header::RETRY_AFTER, secs.max(1).to_string()));
                }
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
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";
