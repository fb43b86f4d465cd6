//! Supervisor reviews (审核): the queue and the decisions.
//!
//! A decision moves the case as `domain::case_flow::decide_review` says, in the same transaction
//! as the review. Locks are taken case first, then review, as everywhere else, so a decision and
//! a transition on the same case serialise instead of deadlocking. A supervisor may not decide a
//! review they requested (403); a review outside the caller's scope is a 404.

use scoped_futures::ScopedFutureExt;
use serde_json::json;
use uuid::Uuid;

use super::cases::{event, lock_case, refused, review_out};
use super::tx::{self, Effect, Written};
use crate::auth::Actor;
use crate::db::{
    models::{CaseStatusChange, NewCaseEvent},
    repo::{self, reviews::ReviewFilter},
    Conn,
};
use crate::domain::case_flow::{decide_review, ReviewContext};
use crate::domain::enums::{CaseStatus, ReviewDecision, ReviewKind, ReviewStatus};
use crate::dto::reviews::{DecideReview, ReviewOut, ReviewQuery};
use crate::error::AppError;
use crate::paging::{Page, Paged};
use crate::state::AppState;

/// A page of reviews in scope, oldest first: with `status=pending`, the supervisor's queue.
pub async fn list(state: &AppState, actor: &Actor, query: ReviewQuery, page: &Page) -> Result<Paged<ReviewOut>, AppError> {
    let after = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    let Some(unit_path) = super::unit_filter(&mut conn, actor, query.org_unit_id).await? else {
        return Ok(Paged::empty());
    };
    let filter = ReviewFilter { status: query.status, kind: query.kind, unit_path };
    let rows = repo::reviews::list(&mut conn, &actor.scope, &filter, after, page.fetch_limit()).await?;
    Ok(page.finish(rows, |r| r.review.id).map(ReviewOut::from))
}

/// Approves or returns a pending review (a supervisor in scope who did not request it).
/// `expected_case_version` is the case's version the decision was made on: a decision taken on a
/// case that changed since (a plan rewritten, a transfer) is refused as stale.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_case_version: i32,
    body: DecideReview,
) -> Result<Written, AppError> {
    tx::write(state, actor, "review.decide", None, move |conn| {
        async move {
            let review = decide_in(conn, actor, id, expected_case_version, body).await?;
            Written::new(Effect::Changed, &review)
        }
        .scope_boxed_local()
    })
    .await
}

/// Decides a review inside the caller's transaction.
async fn decide_in(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    expected_case_version: i32,
    body: DecideReview,
) -> Result<ReviewOut, AppError> {
    let found = repo::reviews::find_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    let case = lock_case(conn, actor, found.case_id, Some(expected_case_version)).await?;
    let review = repo::reviews::lock(conn, id).await?;
    let facts = repo::cases::facts(conn, case.id).await?;
    let comment = body.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    let ctx = ReviewContext {
        role: actor.role,
        is_requester: review.requested_by == actor.id,
        review_status: review.status,
        case_status: case.status,
        plan_goal_count: u32::try_from(facts.latest_plan_goals).unwrap_or(u32::MAX),
        scheduled_follow_ups: u32::try_from(facts.follow_ups).unwrap_or(u32::MAX),
        comment: comment.clone(),
    };
    let to = decide_review(review.kind, body.decision, &ctx).map_err(|r| refused(r, None))?;
    // The plan approved is the latest version (after a fast track, the one written meanwhile).
    let plan_id = match review.kind {
        ReviewKind::PlanApproval => match review.plan_id {
            Some(plan) => Some(plan),
            None => repo::case_records::latest_plan(conn, case.id).await?.map(|p| p.id),
        },
        ReviewKind::ClosureApproval => None,
    };
    let status = match body.decision {
        ReviewDecision::Approve => ReviewStatus::Approved,
        ReviewDecision::Return => ReviewStatus::Returned,
    };
    repo::reviews::decide(conn, id, status, actor.id, comment.clone(), plan_id).await?;
    let closure_approved = review.kind == ReviewKind::ClosureApproval && body.decision == ReviewDecision::Approve;
    let change = CaseStatusChange {
        status: to,
        closed_at: (to == CaseStatus::Closed).then(|| Some(chrono::Utc::now())),
        closure_reason: closure_approved.then_some(review.closure_reason),
    };
    let updated = repo::cases::set_status(conn, case.id, &change).await?;
    let mut details = json!({"review_kind": review.kind, "decision": body.decision});
    if let Some(c) = &comment {
        details["comment"] = json!(c);
    }
    let decided = NewCaseEvent {
        from_status: Some(case.status),
        to_status: Some(to),
        entity_type: Some("review".to_owned()),
        entity_id: Some(id),
        ..event(&updated, actor, "review.decided", details)
    };
    repo::cases::insert_event(conn, &decided).await?;
    let audit = json!({"case_id": case.id, "kind": review.kind, "decision": body.decision, "from": case.status, "to": to});
    repo::audit::insert(conn, &super::audit::by(actor, "review.decide", "review", Some(id), audit)).await?;
    review_out(conn, id).await
}
