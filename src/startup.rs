//! Builds the application: the same `App` for `main` and for the tests.

use std::sync::Arc;

use actix_web::{
    body::MessageBody,
    dev::{ResourceDef, ServiceFactory, ServiceRequest, ServiceResponse},
    error::{JsonPayloadError, PathError},
    middleware::from_fn,
    web, App, HttpRequest, HttpResponse, HttpServer,
};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt, UtoipaApp};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::AppError;
use crate::i18n::Text;
use crate::middleware::{request_context, RequestSpan};
use crate::openapi::ApiDoc;
use crate::routes;
use crate::state::AppState;

fn register<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(ApiDoc::openapi())
        .service(routes::health::livez)
        .service(routes::health::readyz)
        .service(scope::scope("/api/v1").configure(routes::configure))
}

/// The OpenAPI document generated from the route table.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = register(App::new().into_utoipa_app()).split_for_parts();
    api
}

/// Path templates of the documented routes with their methods.
type KnownRoutes = Arc<Vec<(ResourceDef, Vec<String>)>>;

/// Path templates of every documented route with their methods, to tell 405 from 404.
fn known_routes(api: &utoipa::openapi::OpenApi) -> Vec<(ResourceDef, Vec<String>)> {
    api.paths
        .paths
        .iter()
        .map(|(path, item)| {
            let mut methods = Vec::new();
            let ops =
                [("GET", &item.get), ("POST", &item.post), ("PUT", &item.put), ("PATCH", &item.patch), ("DELETE", &item.delete)];
            for (m, op) in ops {
                if op.is_some() {
                    methods.push(m.to_owned());
                }
            }
            (ResourceDef::new(path.as_str()), methods)
        })
        .collect()
}

async fn fallback(req: HttpRequest, routes: web::Data<KnownRoutes>) -> Result<HttpResponse, AppError> {
    let allowed = routes.iter().find(|(def, _)| def.is_match(req.path())).map(|(_, m)| m.clone());
    match allowed {
        Some(methods) if !methods.iter().any(|m| m == req.method().as_str()) => Err(AppError::MethodNotAllowed(methods)),
        _ => Err(AppError::NotFound),
    }
}

fn bad_path(_: PathError, _: &HttpRequest) -> actix_web::Error {
    // A malformed id names nothing that exists.
    AppError::NotFound.into()
}

fn bad_json(e: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    match e {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => AppError::PayloadTooLarge.into(),
        JsonPayloadError::ContentType => AppError::UnsupportedMediaType.into(),
        other => AppError::BadRequest(Text::owned(format!("请求体不正确：{other}"), format!("Invalid body: {other}"))).into(),
    }
}

/// The whole application around a state, for one HTTP worker (the server calls this on each
/// worker's thread; the worker gets database connections of its own, see `AppState::for_worker`).
///
/// # Panics
/// When the pool's settings are invalid, which `AppState::new` has already ruled out.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let state = state.for_worker().expect("the pool was built once already with these settings");
    let api = openapi();
    let routes = Arc::new(known_routes(&api));
    let (app, _) = register(
        App::new()
            .app_data(web::Data::new(state))
            .app_data(web::Data::new(routes))
            .app_data(web::QueryConfig::default().error_handler(crate::extract::clean::query_error))
            .app_data(web::PathConfig::default().error_handler(bad_path))
            .app_data(web::JsonConfig::default().limit(crate::extract::json::MAX_BODY_BYTES).error_handler(bad_json))
            .app_data(web::PayloadConfig::new(crate::extract::json::MAX_BODY_BYTES))
            .into_utoipa_app(),
    )
    .split_for_parts();
    app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .default_service(web::to(fallback))
        .wrap(from_fn(crate::extract::clean::clean_input))
        .wrap(from_fn(request_context))
        // Outermost, so that everything after it runs inside the request's span.
        .wrap(TracingLogger::<RequestSpan>::new())
}

/// Runs the server until SIGTERM/SIGINT (in-flight requests finish first).
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let bind = state.config.bind.clone();
    let workers = state.config.workers;
    let shutdown_secs = state.config.shutdown_timeout.as_secs();
    state.hasher.warm_up().await;
    spawn_housekeeping(state.clone());
    spawn_retention(state.clone());
    tracing::info!(%bind, workers, "listening");
    let server_state = state.clone();
    HttpServer::new(move || build_app(server_state.clone()))
        .workers(workers)
        .shutdown_timeout(shutdown_secs)
        .bind(&bind)?
        .run()
        .await?;
    Ok(())
}

/// Runs the retention purge every `SHEGONG_PURGE_INTERVAL_SECS` (not at all when 0), the first
/// time one interval after start. A failed run is logged and tried again at the next interval.
pub fn spawn_retention(state: AppState) {
    let every = state.config.purge_interval;
    if every.is_zero() {
        return;
    }
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            match crate::services::retention::purge(&state, chrono::Utc::now()).await {
                Ok(report) => tracing::info!(?report, "retention purge"),
                Err(e) => tracing::warn!(error = %e, "retention purge failed; trying again at the next interval"),
            }
        }
    });
}

/// Hourly clean-up: idempotency keys past their 7 days, refresh tokens long expired, login
/// throttles idle for a day.
fn spawn_housekeeping(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Ok(mut conn) = state.conn().await {
                let keys = crate::db::repo::idempotency::purge_older_than(&mut conn, 8).await;
                let tokens = crate::db::repo::tokens::purge_expired(&mut conn).await;
                let throttles = crate::db::repo::tokens::purge_idle_throttles(&mut conn).await;
                tracing::debug!(?keys, ?tokens, ?throttles, "housekeeping");
            }
        }
    });
}
