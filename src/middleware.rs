//! The request middleware: request id and its tracing span, language, access log, security
//! headers, and the problem+json safety net for any error response not made by `AppError`.
//!
//! Two layers, outermost first: `tracing_actix_web::TracingLogger` with `RequestSpan` chooses the
//! request id and runs the whole request inside a span that carries it, so every line logged
//! while answering (the access log, a warning deep in a service) names its request without being
//! told; then `request_context` sets the language, answers the headers and writes the access log.

use std::time::{Duration, Instant};

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderName, HeaderValue},
    middleware::Next,
    web, HttpMessage,
};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;
use uuid::Uuid;

use crate::error::{AppError, PROBLEM_JSON};
use crate::i18n::{Lang, RequestContext, REQUEST};
use crate::state::AppState;

/// The request id of a request (also in `X-Request-Id`).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn incoming_request_id(req: &ServiceRequest) -> Option<String> {
    let v = req.headers().get("x-request-id")?.to_str().ok()?;
    let ok = !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    ok.then(|| v.to_owned())
}

/// The span every request runs in, for `tracing_actix_web::TracingLogger`: named `request`, with
/// the request id as its one field. The id is a valid incoming `X-Request-Id`, else the UUIDv7
/// the logger made for the request; it is also left in the request's extensions as `RequestId`.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let generated = request.extensions().get::<tracing_actix_web::RequestId>().map(ToString::to_string);
        let request_id = incoming_request_id(request).or(generated).unwrap_or_else(|| Uuid::now_v7().to_string());
        // At ERROR, the most severe level, so that the span is enabled whenever any line is: with a
        // filter of `warn` a warning still carries its request id.
        let span = tracing::error_span!("request", request_id = %request_id);
        request.extensions_mut().insert(RequestId(request_id));
        span
    }

    fn on_request_end<B: MessageBody>(_: Span, _: &Result<ServiceResponse<B>, actix_web::Error>) {
        // The access log is written by `request_context`, which knows when the request started.
    }
}

/// Wraps every request, inside `RequestSpan`'s span.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let chosen = req.extensions().get::<RequestId>().map(|id| id.0.clone());
    let request_id = match chosen {
        Some(id) => id,
        // No `TracingLogger` in front (an app assembled by hand): the id is chosen here.
        None => {
            let id = incoming_request_id(&req).unwrap_or_else(|| Uuid::now_v7().to_string());
            req.extensions_mut().insert(RequestId(id.clone()));
            id
        }
    };
    let lang = Lang::from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let ctx = RequestContext { lang, request_id: request_id.clone() };
    let method = req.method().clone();
    let path = req.path().to_owned();
    let is_docs = path.starts_with("/docs");
    let started = Instant::now();

    let state = req.app_data::<web::Data<AppState>>().cloned();
    let deadline = state.as_ref().map(|s| s.config.request_timeout).unwrap_or(Duration::from_secs(30));
    let result = match tokio::time::timeout(deadline, REQUEST.scope(ctx.clone(), next.call(req))).await {
        Ok(result) => result,
        // Dropping the handler drops its database connection with it (the pool checks a
        // connection that comes back from an abandoned query before lending it again). The
        // request itself went with the handler, so the 503 is answered as an error, which the
        // server renders (problem+json with Retry-After, without the request's own headers).
        Err(_) => {
            tracing::warn!(method = %method, path = %path, "request timed out");
            return Err(AppError::Unavailable.into());
        }
    };
    // Handlers and extractors answer their own errors; an `Err` here comes from the framework
    // itself, and is rendered by `AppError`'s `ResponseError` downstream.
    let mut res = result?.map_into_boxed_body();

    let status = res.status();
    let is_problem =
        res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with(PROBLEM_JSON));
    if status.as_u16() >= 400 && !is_problem {
        let replacement = REQUEST.sync_scope(ctx.clone(), || {
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

    // Looking is recorded too: a signed-in caller's 404 is another station's record or a made-up
    // id, and either is a probe worth knowing about.
    if status == actix_web::http::StatusCode::NOT_FOUND {
        let actor = res.request().extensions().get::<crate::auth::Actor>().cloned();
        if let (Some(actor), Some(state)) = (actor, &state) {
            REQUEST.scope(ctx.clone(), crate::services::audit::probe(state, &actor, method.as_str(), &path)).await;
        }
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
        tracing::warn!(%method, %path, status, elapsed_ms, "request failed");
    } else {
        tracing::info!(%method, %path, status, elapsed_ms, "request");
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use actix_web::{middleware::from_fn, test, web, App, HttpResponse};
    use serde_json::Value;
    use tracing_actix_web::TracingLogger;

    use super::*;
    use crate::config::LogFormat;

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    async fn deep_inside() -> HttpResponse {
        tracing::warn!(answer = crate::i18n::current_lang() == Lang::En, "logged by a handler");
        HttpResponse::Ok().finish()
    }

    #[actix_web::test]
    async fn every_line_logged_while_answering_carries_the_request_id() {
        let capture = Capture::default();
        let writer = capture.clone();
        let _logs = tracing::subscriber::set_default(crate::telemetry::subscriber(
            LogFormat::Json,
            "warn",
            move || writer.clone(),
            false,
        ));
        let app = test::init_service(
            App::new()
                .route("/work", web::get().to(deep_inside))
                .wrap(from_fn(request_context))
                .wrap(TracingLogger::<RequestSpan>::new()),
        )
        .await;
        let given = test::TestRequest::get()
            .uri("/work")
            .insert_header(("x-request-id", "phone-42.a_b"))
            .insert_header(("accept-language", "en"))
            .to_request();
        let res = test::call_service(&app, given).await;
        assert_eq!(res.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("phone-42.a_b"));
        let res = test::call_service(&app, test::TestRequest::get().uri("/work").to_request()).await;
        let made = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("an id").to_owned();
        assert_eq!(Uuid::parse_str(&made).expect("a UUID").get_version_num(), 7);
        // An unusable incoming id is replaced.
        let bad = test::TestRequest::get().uri("/work").insert_header(("x-request-id", "a b")).to_request();
        let res = test::call_service(&app, bad).await;
        let replaced = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("an id").to_owned();
        assert!(Uuid::parse_str(&replaced).is_ok(), "{replaced}");
        tracing::warn!("logged outside any request");

        let out = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf-8");
        let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
        let ids: Vec<_> = lines.iter().map(|l| (l["message"].as_str().unwrap_or(""), l["span"]["request_id"].clone())).collect();
        assert_eq!(
            ids,
            [
                ("logged by a handler", Value::from("phone-42.a_b")),
                ("logged by a handler", Value::from(made)),
                ("logged by a handler", Value::from(replaced)),
                ("logged outside any request", Value::Null),
            ],
            "{out}"
        );
        // The language task-local is still set inside the span.
        assert_eq!(lines[0]["answer"], true);
        assert_eq!(lines[1]["answer"], false);
    }

    #[actix_web::test]
    async fn the_access_log_line_is_inside_the_span() {
        let capture = Capture::default();
        let writer = capture.clone();
        let _logs = tracing::subscriber::set_default(crate::telemetry::subscriber(
            LogFormat::Json,
            "info",
            move || writer.clone(),
            false,
        ));
        let app = test::init_service(
            App::new()
                .route("/work", web::get().to(|| async { HttpResponse::NoContent().finish() }))
                .wrap(from_fn(request_context))
                .wrap(TracingLogger::<RequestSpan>::new()),
        )
        .await;
        let req = test::TestRequest::get().uri("/work?x=1").insert_header(("x-request-id", "r-1")).to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status().as_u16(), 204);
        let out = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf-8");
        let line: Value = serde_json::from_str(out.lines().last().expect("a line")).expect("JSON");
        assert_eq!(line["message"], "request", "{out}");
        assert_eq!(line["span"]["request_id"], "r-1");
        assert_eq!(
            (line["method"].as_str(), line["path"].as_str(), line["status"].as_u64()),
            (Some("GET"), Some("/work"), Some(204))
        );
        assert!(line["elapsed_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{line}");
    }
}
