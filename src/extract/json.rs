//! `ValidatedJson<T>`: the body extractor every write route uses.
//!
//! - Not `application/json` → 415; over 1 MiB → 413 (checked on `Content-Length` and while reading);
//!   more than 10,000 values → 422 on `body` before anything is parsed.
//! - Not JSON at all (syntax) → 400. JSON of the wrong shape (unknown field, wrong type, missing
//!   field) → 422 naming the field, so mass assignment is refused like any invalid field.
//! - Any string holding a control or bidi character → 422 naming the field; all strings to NFC.
//! - Then `validator` rules → 422 with every failing field at once.
//! - The canonical body is hashed for the idempotency store.

use std::borrow::Cow;

use actix_web::{dev::Payload, http::header, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{AppError, FieldError};
use crate::i18n::Text;

/// Largest accepted JSON body.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Most values (containers and the elements between their commas) a body may hold. A megabyte
/// of `[0,0,…]` or `[{},{},…]` would otherwise become a `serde_json::Value` tree 20 to 60 times
/// its size on its way to the DTO, and the allocator keeps much of that after the request. The
/// largest real body, a group session's attendance of a few hundred rows, holds about a thousand.
pub const MAX_BODY_VALUES: usize = 10_000;

/// The values of a JSON text, counted without parsing it: the commas and opening brackets
/// outside strings, plus one (the count of a text that is not JSON does not matter).
fn value_count(bytes: &[u8]) -> usize {
    let (mut count, mut in_string, mut escaped) = (1, false, false);
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b',' | b'[' | b'{' => count += 1,
                _ => {}
            }
        }
    }
    count
}

/// A parsed, validated JSON body and the hash of its canonical form.
#[derive(Debug)]
pub struct ValidatedJson<T> {
    /// The body.
    pub value: T,
    /// SHA-256 of the canonical JSON (sorted keys), for idempotency checks.
    pub body_hash: [u8; 32],
}

impl<T> ValidatedJson<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.value
    }
}

fn json_error(e: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let msg = inner.to_string();
    // serde's messages carry " at line X column Y"; the field path already says where.
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    let (field, code) = if let Some(rest) = msg.strip_prefix("unknown field `") {
        // The path already ends at the unknown key.
        let name = rest.split('`').next().unwrap_or("");
        let field = if path == "." || path.is_empty() { name.to_owned() } else { path };
        (field, "unknown_field")
    } else if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        let field = if path == "." || path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
        (field, "required")
    } else {
        (if path == "." { String::new() } else { path }, "invalid")
    };
    let message = match code {
        "unknown_field" => Text::new("不允许的字段。", "This field is not allowed here."),
        "required" => Text::new("必填。", "This field is required."),
        _ => Text::owned(format!("格式或取值不正确：{msg}"), format!("Invalid value: {msg}")),
    };
    AppError::field(if field.is_empty() { "body".into() } else { field }, code, message)
}

/// Parses and validates a JSON body (also used by tests and non-HTTP callers).
pub fn parse_body<T: DeserializeOwned + Validate>(bytes: &[u8]) -> Result<ValidatedJson<T>, AppError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        AppError::BadRequest(Text::owned(format!("请求体不是合法的 JSON：{e}"), format!("The body is not valid JSON: {e}")))
    })?;
    // Before any field is read: no control or bidi character gets in, and all text is NFC (the
    // hash too, so one body in two normal forms is one request).
    super::clean::clean_json(&mut value)?;
    // serde_json::Value keeps object keys sorted, so this serialisation is canonical.
    let canonical = serde_json::to_vec(&value).map_err(AppError::internal)?;
    let body_hash: [u8; 32] = Sha256::digest(&canonical).into();
    Ok(ValidatedJson { value: from_value(value)?, body_hash })
}

/// Turns parsed JSON into a validated body: shape errors name their field (422), then every
/// `validator` rule is checked. Bodies that dispatch on a tag use this for the chosen variant.
pub fn from_value<T: DeserializeOwned + Validate>(value: serde_json::Value) -> Result<T, AppError> {
    let parsed: T = serde_path_to_error::deserialize(value).map_err(json_error)?;
    parsed.validate()?;
    Ok(parsed)
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidatedJson<T> {
    type Error = AppError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        let declared_len =
            req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_len.is_some_and(|n| n > MAX_BODY_BYTES) {
                return Err(AppError::PayloadTooLarge);
            }
            if !content_type_ok {
                return Err(AppError::UnsupportedMediaType);
            }
            let mut body = Vec::with_capacity(declared_len.unwrap_or(1024).min(MAX_BODY_BYTES));
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|_| AppError::BadRequest(Text::new("请求体读取失败。", "The request body could not be read.")))?;
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(AppError::PayloadTooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            if value_count(&body) > MAX_BODY_VALUES {
                return Err(AppError::field(
                    "body",
                    "too_many_values",
                    Text::new("请求体包含的值过多（上限 10000 个）。", "The body holds too many values (limit 10,000)."),
                ));
            }
            parse_body(&body)
        })
    }
}

/// Flattens `validator` errors into field errors with dotted paths.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message_for(e)));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

fn param(e: &validator::ValidationError, name: &str) -> String {
    e.params.get(name).map(|v| v.to_string()).unwrap_or_default()
}

fn message_for(e: &validator::ValidationError) -> Text {
    if let Some(msg) = &e.message {
        // Custom validators put "zh|en" in the message.
        let msg: &Cow<'static, str> = msg;
        return match msg.split_once('|') {
            Some((zh, en)) => Text::owned(zh, en),
            None => Text::owned(msg.to_string(), msg.to_string()),
        };
    }
    match e.code.as_ref() {
        "length" => {
            let (min, max) = (param(e, "min"), param(e, "max"));
            match (min.is_empty(), max.is_empty()) {
                (false, false) => {
                    Text::owned(format!("长度须在 {min} 到 {max} 之间。"), format!("Length must be between {min} and {max}."))
                }
                (false, true) => Text::owned(format!("长度至少为 {min}。"), format!("Length must be at least {min}.")),
                _ => Text::owned(format!("长度不能超过 {max}。"), format!("Length must be at most {max}.")),
            }
        }
        "range" => {
            let (min, max) = (param(e, "min"), param(e, "max"));
            Text::owned(format!("取值须在 {min} 到 {max} 之间。"), format!("Value must be between {min} and {max}."))
        }
        "required" => Text::new("必填。", "This field is required."),
        "email" => Text::new("邮箱格式不正确。", "Not a valid e-mail address."),
        other => Text::owned(format!("取值不正确（{other}）。"), format!("Invalid value ({other}).")),
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errors: validator::ValidationErrors) -> Self {
        AppError::Validation(field_errors(&errors))
    }
}

#[cfg(test)]
mod body_reading_tests {
    use super::*;

    #[test]
    fn values_are_counted_outside_strings() {
        assert_eq!(value_count(b"{}"), 2);
        assert_eq!(value_count(br#"{"a": 1, "b": [1, 2, {"c": null}]}"#), 7);
        assert_eq!(value_count(br#"{"name": "a, [b] {c}", "x": "q\"uote, \\", "y": 1}"#), 4);
        assert_eq!(value_count(format!("[{}]", vec!["0"; 20_000].join(",")).as_bytes()), 20_001);
    }
}
