//! The request middleware: request id, language, access log, security headers, and the
//! problem+json safety net for any error response not made by `AppError`.

use std::time::Instant;

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderName, HeaderValue},
    middleware::Next,
    HttpMessage,
};
use uuid::Uuid;

use crate::error::{AppError, PROBLEM_JSON};
use crate::i18n::{Lang, RequestContext, REQUEST};

/// The request id of a request (also in `X-Request-Id`).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn incoming_request_id(req: &ServiceRequest) -> Option<String> {
    let v = req.headers().get("x-request-id")?.to_str().ok()?;
    let ok = !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    ok.then(|| v.to_owned())
}

/// Wraps every request.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = incoming_request_id(&req).unwrap_or_else(|| Uuid::now_v7().to_string());
    let lang = Lang::from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let ctx = RequestContext { lang, request_id: request_id.clone() };
    let method = req.method().clone();
    let path = req.path().to_owned();
    let is_docs = path.starts_with("/docs");
    let started = Instant::now();

    // No tracing span per request: entering and leaving one on every poll costs more than the
    // rest of the access log. The few lines logged inside a request carry its id themselves
    // (`i18n::current_request_id`).
    let result = REQUEST.scope(ctx.clone(), next.call(req)).await;
    // Handlers and extractors answer their own errors; an `Err` here comes from the framework
    // itself, and is rendered by `AppError`'s `ResponseError` downstream.
    let mut res = result?.map_into_boxed_body();

    let status = res.status();
    let is_problem =
        res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with(PROBLEM_JSON));
    if status.as_u16() >= 400 && !is_problem {
        let replacement = REQUEST.sync_scope(ctx, || {
            let error = match status.as_u16() {
                400 => AppError::BadRequest(crate::i18n::Text::new("请求格式不正确。", "The request is malformed.")),
                401 => AppError::Unauthorized,
                404 => AppError::NotFound,
                413 => AppError::PayloadTooLarge,
                415 => AppError::UnsupportedMediaType,
                503 => AppError::Unavailable,
                _ => AppError::Internal(anyhow::anyhow!("unhandled error status {status}")),
            };
            let mut r = actix_web::ResponseError::error_response(&error);
            *r.status_mut() = status;
            r
        });
        let http_req = res.request().clone();
        res = ServiceResponse::new(http_req, replacement);
    }

    let headers = res.headers_mut();
    let set = |headers: &mut actix_web::http::header::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert(HeaderName::from_static("x-request-id"), v);
    }
    set(headers, "cache-control", "no-store");
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cross-origin-resource-policy", "same-origin");
    if !is_docs {
        set(headers, "content-security-policy", "default-src 'none'; frame-ancestors 'none'");
    }
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = status.as_u16();
    if status >= 500 {
        tracing::warn!(%method, %path, %request_id, status, elapsed_ms, "request failed");
    } else {
        tracing::info!(%method, %path, %request_id, status, elapsed_ms, "request");
    }
    Ok(res)
}
