//! Cases (`/cases`), their transitions, transfers and timeline, and their records
//! (assessments, plans, evaluations, follow-ups, referrals).

use actix_web::{get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::problems::{ChangeErrors, CreateErrors, ListErrors, ReadErrors};
use crate::auth::Actor;
use crate::dto::case_records::{
    AssessmentOut, CreateAssessment, CreateEvaluation, CreateFollowUp, CreatePlan, CreateReferral, EvaluationOut, FollowUpOut,
    PlanOut, ReferralOut, UpdateFollowUp, UpdateReferral,
};
use crate::dto::cases::{CaseEventOut, CaseOut, CaseQuery, CaseSummary, CreateCase, TransferCase, TransitionCase, UpdateCase};
use crate::dto::reviews::ReviewOut;
use crate::error::AppError;
use crate::extract::{IdempotencyKey, IfMatch, PageParams, ValidatedJson};
use crate::paging::{Page, Paged};
use crate::services;
use crate::state::AppState;

use super::{json_with_version, written};

/// Cases in scope, newest first.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(CaseQuery, PageParams),
    responses(
        (status = 200, description = "A page of cases", body = Paged<CaseSummary>),
        ListErrors,
    )
)]
#[get("/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<CaseQuery>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::cases::list(&state, &actor, query.into_inner(), &page).await?))
}

/// Opens a case (接案; worker, supervisor). A worker's case is their own; a supervisor may name
/// the worker.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = CreateCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Opened", body = CaseOut),
        (status = 200, description = "Already opened with this id and the same data (a replay)", body = CaseOut),
        CreateErrors,
    )
)]
#[post("/cases")]
pub async fn create_case(
    state: web::Data<AppState>,
    actor: Actor,
    key: IdempotencyKey,
    body: ValidatedJson<CreateCase>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::cases::create(&state, &actor, claim, body.value).await?, Some("/api/v1/cases")))
}

/// One case in full, with the actions the caller may take (the read is audited).
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case", body = CaseOut, headers(("ETag" = String, description = "Version"))),
        ReadErrors,
    )
)]
#[get("/cases/{id}")]
pub async fn get_case(state: web::Data<AppState>, actor: Actor, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let case = services::cases::get(&state, &actor, id.into_inner()).await?;
    Ok(json_with_version(&case, case.version))
}

/// Changes a case's own fields (the assigned worker or a supervisor; If-Match). The status, the
/// worker and the unit change only through transitions and transfers.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = UpdateCase,
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Changed", body = CaseOut),
        ChangeErrors,
    )
)]
#[patch("/cases/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<UpdateCase>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::cases::update(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// Takes an action on a case (If-Match): the only way its status changes.
///
/// 200 with the case, or 202 with the review when the action needs a supervisor's approval
/// (`submit_plan`, `request_closure`, `fast_track`). 409 when the action is not possible now,
/// with `allowed_actions`; 403 for the wrong role or a case assigned to someone else; 422 when an
/// input is missing (`reason`, `closure_reason`).
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = TransitionCase,
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "The ETag of the case", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Done", body = CaseOut),
        (status = 202, description = "Done; a review now waits for a supervisor", body = ReviewOut),
        ChangeErrors,
    )
)]
#[post("/cases/{id}/transitions")]
pub async fn transition_case(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<TransitionCase>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::cases::transition(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// Moves a case to another worker and/or unit in the supervisor's scope (转移; supervisor).
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = TransferCase,
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed"),
    ),
    responses(
        (status = 200, description = "Transferred", body = CaseOut),
        ChangeErrors,
    )
)]
#[post("/cases/{id}/transfer")]
pub async fn transfer_case(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<TransferCase>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::cases::transfer(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}

/// The case's timeline, newest first: transitions, reviews, records, transfers, with who and when.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id"), PageParams),
    responses(
        (status = 200, description = "A page of the timeline", body = Paged<CaseEventOut>),
        ReadErrors,
    )
)]
#[get("/cases/{id}/timeline")]
pub async fn get_case_timeline(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::cases::timeline(&state, &actor, id.into_inner(), &page).await?))
}

/// The case's assessments, newest first.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id"), PageParams),
    responses(
        (status = 200, description = "A page of assessments", body = Paged<AssessmentOut>),
        ReadErrors,
    )
)]
#[get("/cases/{id}/assessments")]
pub async fn list_assessments(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::case_records::assessments(&state, &actor, id.into_inner(), &page).await?))
}

/// Records an assessment (预估); its risk level becomes the case's. Assessments are append-only.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = CreateAssessment,
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Recorded", body = AssessmentOut),
        (status = 200, description = "Already recorded with this id and the same data (a replay)", body = AssessmentOut),
        CreateErrors,
    )
)]
#[post("/cases/{id}/assessments")]
pub async fn create_assessment(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ValidatedJson<CreateAssessment>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::case_records::create_assessment(&state, &actor, id.into_inner(), claim, body.value).await?, None))
}

/// The case's service-plan versions, newest first, with their goals.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id"), PageParams),
    responses(
        (status = 200, description = "A page of plan versions", body = Paged<PlanOut>),
        ReadErrors,
    )
)]
#[get("/cases/{id}/plans")]
pub async fn list_plans(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::case_records::plans(&state, &actor, id.into_inner(), &page).await?))
}

/// Records a new version of the service plan (服务计划); earlier versions stay as they were.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = CreatePlan,
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Recorded", body = PlanOut),
        (status = 200, description = "Already recorded with this id and the same data (a replay)", body = PlanOut),
        CreateErrors,
    )
)]
#[post("/cases/{id}/plans")]
pub async fn create_plan(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ValidatedJson<CreatePlan>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::case_records::create_plan(&state, &actor, id.into_inner(), claim, body.value).await?, None))
}

/// The case's evaluations, newest first.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id"), PageParams),
    responses(
        (status = 200, description = "A page of evaluations", body = Paged<EvaluationOut>),
        ReadErrors,
    )
)]
#[get("/cases/{id}/evaluations")]
pub async fn list_evaluations(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::case_records::evaluations(&state, &actor, id.into_inner(), &page).await?))
}

/// Records an evaluation (评估) with a result per goal of the latest plan.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = CreateEvaluation,
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Recorded", body = EvaluationOut),
        (status = 200, description = "Already recorded with this id and the same data (a replay)", body = EvaluationOut),
        CreateErrors,
    )
)]
#[post("/cases/{id}/evaluations")]
pub async fn create_evaluation(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ValidatedJson<CreateEvaluation>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::case_records::create_evaluation(&state, &actor, id.into_inner(), claim, body.value).await?, None))
}

/// The case's follow-ups, newest first.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id"), PageParams),
    responses(
        (status = 200, description = "A page of follow-ups", body = Paged<FollowUpOut>),
        ReadErrors,
    )
)]
#[get("/cases/{id}/follow-ups")]
pub async fn list_follow_ups(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::case_records::follow_ups(&state, &actor, id.into_inner(), &page).await?))
}

/// Schedules a follow-up (跟进/回访), or records one done on the spot.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = CreateFollowUp,
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Scheduled", body = FollowUpOut),
        (status = 200, description = "Already scheduled with this id and the same data (a replay)", body = FollowUpOut),
        CreateErrors,
    )
)]
#[post("/cases/{id}/follow-ups")]
pub async fn create_follow_up(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ValidatedJson<CreateFollowUp>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::case_records::create_follow_up(&state, &actor, id.into_inner(), claim, body.value).await?, None))
}

/// Reschedules a follow-up or records it done (If-Match); once done it is final.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = UpdateFollowUp,
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("fid" = Uuid, Path, description = "Follow-up id"),
        ("If-Match" = String, Header, description = "The ETag of the follow-up", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Changed", body = FollowUpOut),
        ChangeErrors,
    )
)]
#[patch("/cases/{id}/follow-ups/{fid}")]
pub async fn update_follow_up(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
    body: ValidatedJson<UpdateFollowUp>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let (id, fid) = path.into_inner();
    Ok(written(services::case_records::update_follow_up(&state, &actor, id, fid, if_match.0, body.value).await?, None))
}

/// The case's referrals, newest first.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Case id"), PageParams),
    responses(
        (status = 200, description = "A page of referrals", body = Paged<ReferralOut>),
        ReadErrors,
    )
)]
#[get("/cases/{id}/referrals")]
pub async fn list_referrals(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services::case_records::referrals(&state, &actor, id.into_inner(), &page).await?))
}

/// Records a referral (转介); an outgoing one needs the client's consent.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = CreateReferral,
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first answer (1–255 visible ASCII characters)", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Recorded", body = ReferralOut),
        (status = 200, description = "Already recorded with this id and the same data (a replay)", body = ReferralOut),
        CreateErrors,
    )
)]
#[post("/cases/{id}/referrals")]
pub async fn create_referral(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ValidatedJson<CreateReferral>,
) -> Result<HttpResponse, AppError> {
    let claim = key.claim(&body.body_hash);
    Ok(written(services::case_records::create_referral(&state, &actor, id.into_inner(), claim, body.value).await?, None))
}

/// Moves a referral on: `sent` → `accepted`/`declined`, `accepted` → `completed` (If-Match).
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = UpdateReferral,
    params(
        ("id" = Uuid, Path, description = "Referral id"),
        ("If-Match" = String, Header, description = "The ETag of the referral", pattern = "^(W/)?\"[0-9]+\"$"),
    ),
    responses(
        (status = 200, description = "Changed", body = ReferralOut),
        ChangeErrors,
    )
)]
#[patch("/referrals/{id}")]
pub async fn update_referral(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    body: ValidatedJson<UpdateReferral>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    Ok(written(services::case_records::update_referral(&state, &actor, id.into_inner(), if_match.0, body.value).await?, None))
}
