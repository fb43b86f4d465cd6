//! Text hygiene at the edge: one place that refuses control and bidi characters in every text the
//! API takes (rules in `domain::text`), and turns it into NFC.
//!
//! - JSON bodies: `clean_json` runs in `ValidatedJson` before deserialisation (422 naming the
//!   field path, like any invalid field).
//! - Path, query string and the headers the server reads: the `clean_input` middleware decodes
//!   and checks them before routing (422 naming the parameter or header), and rewrites a query
//!   whose values are not NFC.
//! - A URL over 8 KiB: 414.
//! - Query values that do not parse (`?org_unit_id='`): `query_error` answers 400 naming the
//!   parameter, without the parser's internals.

use std::borrow::Cow;

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    error::QueryPayloadError,
    http::{header, Uri},
    middleware::Next,
    HttpRequest, HttpResponse, ResponseError,
};
use percent_encoding::percent_decode;
use serde_json::Value;

use crate::domain::text::{self, Refused, TextKind};
use crate::error::AppError;
use crate::i18n::Text;

fn refused_error(field: &str, r: Refused) -> AppError {
    AppError::field(field, r.code(), Text::owned(r.message_zh(), r.message_en()))
}

fn not_utf8(field: &str) -> AppError {
    AppError::field(field, "invalid_encoding", Text::new("须为 UTF-8 文字。", "Must be UTF-8 text."))
}

/// Checks every string (and object key) of a JSON body and turns it into NFC in place; the
/// error names the first offending field as `a.b[2].c`.
pub fn clean_json(value: &mut Value) -> Result<(), AppError> {
    let mut path = String::new();
    walk(value, &mut path)
}

fn walk(value: &mut Value, path: &mut String) -> Result<(), AppError> {
    match value {
        Value::String(s) => {
            text::check(s, TextKind::Body).map_err(|r| refused_error(field_name(path), r))?;
            if let Cow::Owned(normal) = text::nfc(s) {
                *s = normal;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path)?;
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            // Keys are checked, never rewritten: a key not in NFC is an unknown field anyway.
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&key);
                text::check(&key, TextKind::Line).map_err(|r| refused_error(field_name(path), r))?;
                walk(&mut item, path)?;
                path.truncate(len);
                map.insert(key, item);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

fn field_name(path: &str) -> &str {
    if path.is_empty() {
        "body"
    } else {
        path
    }
}

/// One decoded text of a URL component: `+` is a space only in a query. Borrowed when there is
/// nothing to decode.
fn decode(raw: &str, plus_is_space: bool) -> Option<Cow<'_, str>> {
    if plus_is_space && raw.contains('+') {
        let spaced = raw.replace('+', " ");
        return percent_decode(spaced.as_bytes()).decode_utf8().ok().map(|d| Cow::Owned(d.into_owned()));
    }
    percent_decode(raw.as_bytes()).decode_utf8().ok()
}

/// A parameter name fit to show back (it may itself be what is wrong).
fn shown(name: &str) -> String {
    let clean: String = name.chars().filter(|c| text::refused(*c, TextKind::Line).is_none()).take(64).collect();
    if clean.is_empty() {
        "query".to_owned()
    } else {
        clean
    }
}

/// One `key=value` of a query, decoded and checked.
fn query_pair(part: &str) -> Result<(Cow<'_, str>, Cow<'_, str>), AppError> {
    let (raw_key, raw_value) = part.split_once('=').unwrap_or((part, ""));
    let key = decode(raw_key, true).ok_or_else(|| not_utf8("query"))?;
    text::check(&key, TextKind::Line).map_err(|r| refused_error(&shown(&key), r))?;
    let value = decode(raw_value, true).ok_or_else(|| not_utf8(&shown(&key)))?;
    text::check(&value, TextKind::Line).map_err(|r| refused_error(&shown(&key), r))?;
    Ok((key, value))
}

/// Checks the query string; returns it rewritten when some value was not NFC (rare, so the
/// rewrite decodes it a second time rather than keeping every pair of every query).
fn clean_query(query: &str) -> Result<Option<String>, AppError> {
    let parts = || query.split('&').filter(|p| !p.is_empty());
    let mut changed = false;
    for part in parts() {
        let (_, value) = query_pair(part)?;
        changed |= matches!(text::nfc(&value), Cow::Owned(_));
    }
    if !changed {
        return Ok(None);
    }
    let mut out = form_urlencoded::Serializer::new(String::new());
    for part in parts() {
        let (key, value) = query_pair(part)?;
        out.append_pair(&key, &text::nfc(&value));
    }
    Ok(Some(out.finish()))
}

/// Headers the server reads, checked for control and bidi characters.
const READ_HEADERS: [header::HeaderName; 4] =
    [header::ACCEPT_LANGUAGE, header::IF_MATCH, header::AUTHORIZATION, header::HeaderName::from_static("idempotency-key")];

fn clean_headers(req: &ServiceRequest) -> Result<(), AppError> {
    for name in &READ_HEADERS {
        for value in req.headers().get_all(name) {
            let shown_name = match name.as_str() {
                "accept-language" => "Accept-Language",
                "if-match" => "If-Match",
                "authorization" => "Authorization",
                _ => "Idempotency-Key",
            };
            let text = std::str::from_utf8(value.as_bytes()).map_err(|_| not_utf8(shown_name))?;
            // A tab is HTTP's own whitespace in a header value.
            text.split('\t').try_for_each(|part| text::check(part, TextKind::Line)).map_err(|r| refused_error(shown_name, r))?;
        }
    }
    Ok(())
}

fn clean_request(req: &mut ServiceRequest) -> Result<(), AppError> {
    let path = decode(req.path(), false).ok_or_else(|| not_utf8("path"))?;
    text::check(&path, TextKind::Line).map_err(|r| refused_error("path", r))?;
    clean_headers(req)?;
    let Some(query) = req.uri().query() else { return Ok(()) };
    if let Some(normal) = clean_query(query)? {
        let rebuilt = format!("{}?{normal}", req.path());
        let mut parts = req.uri().clone().into_parts();
        parts.path_and_query = rebuilt.parse().ok();
        if let Ok(uri) = Uri::from_parts(parts) {
            req.match_info_mut().get_mut().update(&uri);
            req.head_mut().uri = uri;
        }
    }
    Ok(())
}

/// Longest accepted path and query. Longer URLs (up to the 64 KiB the HTTP layer parses at all)
/// are answered 414; past that the HTTP layer itself answers an empty 400, before any middleware.
pub const MAX_URL_BYTES: usize = 8 * 1024;

fn uri_too_long() -> HttpResponse {
    AppError::UriTooLong.error_response()
}

/// The middleware: refuses a request whose path, query or read headers carry a refused
/// character (422 naming where), and passes on its query in NFC.
pub async fn clean_input(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.uri().path_and_query().map_or(0, |pq| pq.as_str().len()) > MAX_URL_BYTES {
        return Ok(req.into_response(uri_too_long()));
    }
    match clean_request(&mut req) {
        Ok(()) => Ok(next.call(req).await?.map_into_boxed_body()),
        Err(e) => Ok(req.into_response(e.error_response())),
    }
}

/// Which parameter a query parse error is about: the parser says what failed, not where, so the
/// parameter is found by its value (an unknown code) or by what its name says it holds.
fn failing_parameter(message: &str, query: &str) -> Option<String> {
    let quoted = |prefix: &str| message.split_once(prefix).and_then(|(_, rest)| rest.split('`').next()).map(str::to_owned);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    for prefix in ["missing field `", "duplicate field `", "unknown field `"] {
        if let Some(name) = quoted(prefix) {
            return Some(name);
        }
    }
    if let Some(value) = quoted("unknown variant `") {
        return pairs.iter().find(|(_, v)| *v == value).map(|(k, _)| k.clone());
    }
    pairs
        .iter()
        .find(|(k, v)| {
            let k = k.as_str();
            if k == "id" || k.ends_with("_id") {
                uuid::Uuid::parse_str(v).is_err()
            } else if matches!(k, "limit" | "year" | "month") {
                v.parse::<i64>().is_err()
            } else if matches!(k, "from" | "to" | "since" | "until" | "on") || k.ends_with("_at") || k.ends_with("_on") {
                v.parse::<chrono::DateTime<chrono::Utc>>().is_err() && v.parse::<chrono::NaiveDate>().is_err()
            } else if k.starts_with("is_") || k.starts_with("include_") {
                v.parse::<bool>().is_err()
            } else {
                false
            }
        })
        .map(|(k, _)| k.clone())
}

/// The error handler of every `web::Query`: 400 naming the parameter, and no parser internals
/// beyond the list of codes an unknown code was checked against.
pub fn query_error(e: QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
    let message = match &e {
        QueryPayloadError::Deserialize(inner) => inner.to_string(),
        other => other.to_string(),
    };
    let name = failing_parameter(&message, req.query_string()).map(|n| shown(&n));
    let codes = message.split_once("expected one of ").map(|(_, list)| list.replace('`', ""));
    let text = match (name, codes) {
        (Some(n), Some(list)) => Text::owned(
            format!("查询参数 {n} 的取值不正确，可选：{list}。"),
            format!("Query parameter `{n}` must be one of: {list}."),
        ),
        (Some(n), None) => {
            Text::owned(format!("查询参数 {n} 的取值不正确。"), format!("Query parameter `{n}` has an invalid value."))
        }
        (None, _) => Text::new("查询参数不正确。", "The query parameters are invalid."),
    };
    AppError::BadRequest(text).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_checked_with_their_path_and_made_nfc() {
        let mut v = serde_json::json!({"guardian": {"name": "cafe\u{301}"}, "tags": ["a", "b\u{0}"]});
        let err = clean_json(&mut v).expect_err("NUL");
        assert!(matches!(&err, AppError::Validation(f) if f[0].field == "tags[1]" && f[0].code == "control_character"));
        let mut v = serde_json::json!({"guardian": {"name": "cafe\u{301}"}, "notes": "一\n二\t三"});
        clean_json(&mut v).expect("clean");
        assert_eq!(v["guardian"]["name"], "caf\u{e9}");
        let mut v = serde_json::json!({"x": "\u{202e}"});
        assert!(matches!(clean_json(&mut v), Err(AppError::Validation(f)) if f[0].field == "x" && f[0].code == "bidi_control"));
        let mut v = serde_json::json!("\u{9f}");
        assert!(matches!(clean_json(&mut v), Err(AppError::Validation(f)) if f[0].field == "body"));
    }

    #[test]
    fn query_values_are_decoded_checked_and_rewritten_only_when_not_nfc() {
        assert!(matches!(clean_query("q=a%00b"), Err(AppError::Validation(f)) if f[0].field == "q"));
        assert!(matches!(clean_query("q=%E2%80%AE"), Err(AppError::Validation(f)) if f[0].code == "bidi_control"));
        assert!(matches!(clean_query("q=%FF"), Err(AppError::Validation(f)) if f[0].code == "invalid_encoding"));
        assert_eq!(clean_query("q=%E5%BC%A0+%E4%B8%89&limit=5").expect("ok"), None);
        assert_eq!(clean_query("q=cafe%CC%81").expect("ok").as_deref(), Some("q=caf%C3%A9"));
    }

    #[test]
    fn a_failing_query_parameter_is_named() {
        let uuid_msg = "UUID parsing failed: invalid character";
        assert_eq!(failing_parameter(uuid_msg, "limit=5&org_unit_id=%27").as_deref(), Some("org_unit_id"));
        let variant = "unknown variant `open`, expected one of `intake`, `closed`";
        assert_eq!(failing_parameter(variant, "status=open").as_deref(), Some("status"));
        assert_eq!(failing_parameter("invalid digit found in string", "limit=x").as_deref(), Some("limit"));
        assert_eq!(failing_parameter("input contains invalid characters", "from=yesterday").as_deref(), Some("from"));
        assert_eq!(failing_parameter("something else", "q=x"), None);
    }
}
