//! Sign-in, tokens and the caller's own account.

use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::problems::{ListErrors, SignInErrors, WriteErrors};
use crate::auth::Actor;
use crate::dto::auth::{ChangePassword, MeOut, RefreshTokens, SignIn, TokensOut};
use crate::error::AppError;
use crate::extract::ValidatedJson;
use crate::services;
use crate::state::AppState;

/// Signs in with username and password.
///
/// Unknown user and wrong password get the same 401. Repeated failures lock the account for a
/// while (429 with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in", body = TokensOut),
        SignInErrors,
    )
)]
#[post("/auth/login")]
pub async fn login(state: web::Data<AppState>, req: HttpRequest, body: ValidatedJson<SignIn>) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    // The peer's address, not a forwarded header anyone can write: behind a proxy, throttling
    // counts by the proxy's.
    let address = req.peer_addr().map(|a| a.ip());
    let tokens = services::auth::login(&state, &body.username, body.password, address).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Exchanges a refresh token for a new pair (the old refresh token is spent).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshTokens,
    responses(
        (status = 200, description = "New tokens", body = TokensOut),
        SignInErrors,
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: ValidatedJson<RefreshTokens>) -> Result<HttpResponse, AppError> {
    let tokens = services::auth::refresh(&state, &body.into_inner().refresh_token).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Ends the session of a refresh token.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshTokens,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        SignInErrors,
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    actor: Actor,
    body: ValidatedJson<RefreshTokens>,
) -> Result<HttpResponse, AppError> {
    services::auth::logout(&state, &actor, &body.into_inner().refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user, their unit, role and permissions.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = MeOut),
        ListErrors,
    )
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, actor: Actor) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::users::me(&state, &actor).await?))
}

/// Changes the caller's password; every other session ends.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePassword,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed"),
        WriteErrors,
    )
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    actor: Actor,
    body: ValidatedJson<ChangePassword>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    services::auth::change_password(&state, &actor, body.current_password, body.new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}
