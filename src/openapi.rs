//! The OpenAPI document: info, tags and the bearer scheme. Paths come from the route table.

use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

/// The API's top-level document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "shegong 社工站个案管理 API",
        description = "Case management for social-work stations (社工站): the four-tier hierarchy, clients, casework, service sessions and statistics. Errors are RFC 9457 problem+json; lists use keyset cursors; changes need If-Match; creates accept Idempotency-Key.",
        license(name = "MIT OR Apache-2.0")
    ),
    servers((url = "/", description = "This server")),
    modifiers(&BearerAuth),
    components(schemas(crate::error::Problem, crate::error::ProblemField)),
    tags(
        (name = "health", description = "Probes"),
        (name = "auth", description = "Sign-in, tokens and the caller's account"),
        (name = "reference", description = "Coded enums with zh-CN and English labels"),
        (name = "org-units", description = "The four-tier hierarchy (center → county → township → village)"),
        (name = "users", description = "User accounts and roles"),
        (name = "clients", description = "The client registry (服务对象)"),
        (name = "households", description = "Households (家庭档案)"),
        (name = "sessions", description = "Service sessions: individual (个案), group (小组), community (社区) work and visits (走访)"),
        (name = "groups", description = "Groups (小组) with members and attendance"),
        (name = "audit", description = "The audit log"),
        (name = "stats", description = "Statistics reported upward (服务人数, 服务人次, …) and their export"),
        (name = "cases", description = "Cases (个案): intake, transitions, transfers, records and the case timeline"),
        (name = "reviews", description = "Supervisor reviews (审核): plan and closure approvals"),
        (name = "supervision", description = "Supervision records (督导记录)"),
        (name = "rosters", description = "Rosters (台账) of the people under care programmes, their visits (走访) and the supervisors' alerts"),
        (name = "sync", description = "Offline sync for the mobile app: pulling changes and pushing a batch of mutations"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}
