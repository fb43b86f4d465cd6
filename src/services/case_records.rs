//! The records of a case: assessments, service plans, evaluations, follow-ups and referrals.
//!
//! Policy:
//! - Reads need the case in scope (404 otherwise). Writes lock the case row first, so they
//!   serialise with its transitions: a plan cannot slip in after `submit_plan` has counted goals.
//! - `domain::case_records::may_write` decides who may write what when (403 role or assignment,
//!   409 stage or pending review); every write adds a timeline event and an audit event.
//! - Assessments, plans and evaluations are append-only (the database refuses UPDATE and DELETE);
//!   a correction is a new one, and a new plan is the next version with new goals. Follow-ups are
//!   recorded done once; referrals only move forward.
//! - A client-chosen id that exists on the same case replays that record (200); anywhere else it
//!   is taken (409).

use chrono::{Duration, Utc};
use scoped_futures::ScopedFutureExt;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::cases::{event, id_taken, lock_case, refused};
use super::replay::Diff;
use super::tx::{self, Claim, Effect, Written};
use crate::auth::Actor;
use crate::db::{
    models::{
        Assessment, Case, CaseChanges, Evaluation, FollowUpData, GoalResult, NewCaseEvent, NewReferral, PlanGoal, ServicePlan,
    },
    repo, Conn,
};
use crate::domain::case_records::{may_work, may_write, referral_next, CaseRecord, RecordContext};
use crate::domain::enums::{GoalStatus, ReferralDirection};
use crate::domain::permissions::{may, Permission};
use crate::domain::phone::normalize_phone;
use crate::dto::case_records::{
    AssessmentOut, CreateAssessment, CreateEvaluation, CreateFollowUp, CreatePlan, CreateReferral, EvaluationOut, FollowUpOut,
    GoalOut, GoalResultIn, PlanOut, ReferralOut, UpdateFollowUp, UpdateReferral,
};
use crate::error::{AppError, FieldError};
use crate::i18n::Text;
use crate::paging::{Page, Paged};
use crate::state::AppState;

fn field(field: impl Into<String>, code: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, code, Text::owned(zh, en))
}

/// Refuses writing a record of `kind` on `case` unless the caller may, now.
async fn check_write(conn: &mut Conn, actor: &Actor, case: &Case, kind: CaseRecord) -> Result<(), AppError> {
    let pending = repo::reviews::pending_for_case(conn, case.id).await?;
    let ctx = RecordContext {
        status: case.status,
        role: actor.role,
        is_assigned_worker: case.worker_id == actor.id,
        pending_review: pending.map(|r| r.kind),
    };
    may_write(kind, &ctx).map_err(|r| refused(r, None))
}

/// The case of a read, in scope.
async fn readable_case(conn: &mut Conn, actor: &Actor, case_id: Uuid) -> Result<Case, AppError> {
    repo::cases::find_in_scope(conn, &actor.scope, case_id).await?.ok_or(AppError::NotFound)
}

/// Replays a record created earlier with the same client-chosen id on the same case.
fn replay<T>(existing: Option<(Uuid, T)>, case_id: Uuid) -> Result<Option<T>, AppError> {
    match existing {
        None => Ok(None),
        Some((owner, record)) if owner == case_id => Ok(Some(record)),
        Some(_) => Err(id_taken()),
    }
}

/// A record under an id that exists on this case: the same data is a replay (audited), other
/// data the conflict of `services::replay`.
async fn replayed<T: Serialize>(
    conn: &mut Conn,
    actor: &Actor,
    entity: &str,
    id: Uuid,
    diff: &Diff,
    version: Option<i32>,
    out: &T,
) -> Result<(), AppError> {
    if !diff.is_empty() {
        let mut conflict = super::replay::id_conflict(version.unwrap_or_default(), out, diff);
        // A record without versions (an assessment, a plan, an evaluation) says so.
        if let (None, AppError::Conflict { extra, .. }) = (version, &mut conflict) {
            extra.insert("version".into(), serde_json::Value::Null);
        }
        return Err(conflict);
    }
    repo::audit::insert(conn, &super::audit::by(actor, &format!("{entity}.create_replayed"), entity, Some(id), json!({})))
        .await?;
    Ok(())
}

fn created<T: Serialize>(out: &T, fresh: bool, version: Option<i32>) -> Result<Written, AppError> {
    let effect = if fresh { Effect::Created } else { Effect::Existing };
    Ok(Written { version, ..Written::new(effect, out)? })
}

fn entity_event(
    case: &Case,
    actor: &Actor,
    kind: &str,
    entity_type: &str,
    entity_id: Uuid,
    details: serde_json::Value,
) -> NewCaseEvent {
    NewCaseEvent { entity_type: Some(entity_type.to_owned()), entity_id: Some(entity_id), ..event(case, actor, kind, details) }
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

// ---- assessments -------------------------------------------------------------------------

/// A page of a case's assessments, newest first.
pub async fn assessments(state: &AppState, actor: &Actor, case_id: Uuid, page: &Page) -> Result<Paged<AssessmentOut>, AppError> {
    let before = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    readable_case(&mut conn, actor, case_id).await?;
    let rows = repo::case_records::assessments(&mut conn, case_id, before, page.fetch_limit()).await?;
    let paged = page.finish(rows, |a| a.id);
    super::audit::narrative_read(&mut conn, actor, "assessment", paged.items.iter().map(|a| a.id)).await?;
    Ok(paged.map(AssessmentOut::from))
}

/// Records an assessment.
pub async fn create_assessment(
    state: &AppState,
    actor: &Actor,
    case_id: Uuid,
    claim: Option<Claim>,
    body: CreateAssessment,
) -> Result<Written, AppError> {
    let requested_id = body.id;
    let result = tx::write(state, actor, "assessment.create", claim, move |conn| {
        async move {
            let (out, fresh) = add_assessment_in(conn, actor, case_id, body).await?;
            created(&out, fresh, None)
        }
        .scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "assessment", requested_id, &result).await;
    result
}

/// Records an assessment inside the caller's transaction; its risk level becomes the case's.
pub async fn add_assessment_in(
    conn: &mut Conn,
    actor: &Actor,
    case_id: Uuid,
    body: CreateAssessment,
) -> Result<(AssessmentOut, bool), AppError> {
    let case = lock_case(conn, actor, case_id, None).await?;
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    let existing = repo::case_records::find_assessment(conn, id).await?.map(|a| (a.case_id, a));
    if let Some(a) = replay(existing, case_id)? {
        let needs: Vec<String> = body.needs.iter().map(|n| n.trim().to_owned()).collect();
        let mut diff = Diff::new();
        diff.field("sources", &body.sources, &a.sources)
            .field("self_system", &trimmed(body.self_system.clone()), &a.self_system)
            .field("family_system", &trimmed(body.family_system.clone()), &a.family_system)
            .field("social_system", &trimmed(body.social_system.clone()), &a.social_system)
            .field("strengths", &trimmed(body.strengths.clone()), &a.strengths)
            .field("needs", &needs, &a.needs)
            .field("risk_level", &body.risk_level, &a.risk_level)
            .field("summary", body.summary.trim(), a.summary.as_str())
            .given("assessed_at", body.assessed_at.map(|t| t.timestamp_micros()).as_ref(), &a.assessed_at.timestamp_micros());
        let out = AssessmentOut::from(a);
        replayed(conn, actor, "assessment", id, &diff, None, &out).await?;
        return Ok((out, false));
    }
    check_write(conn, actor, &case, CaseRecord::Assessment).await?;
    let now = Utc::now();
    let mut errors = Vec::new();
    let mut sources = body.sources.clone();
    sources.sort();
    sources.dedup();
    if sources.len() != body.sources.len() {
        errors.push(field("sources", "duplicate", "信息来源重复。", "A source is listed twice."));
    }
    let assessed_at = body.assessed_at.unwrap_or(now);
    if assessed_at > now + Duration::minutes(5) {
        errors.push(field("assessed_at", "in_future", "预估时间不能晚于现在。", "The assessment cannot be in the future."));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let assessment = repo::case_records::insert_assessment(
        conn,
        &Assessment {
            id,
            case_id,
            sources: body.sources,
            self_system: trimmed(body.self_system),
            family_system: trimmed(body.family_system),
            social_system: trimmed(body.social_system),
            strengths: trimmed(body.strengths),
            needs: body.needs.iter().map(|n| n.trim().to_owned()).collect(),
            risk_level: body.risk_level,
            summary: body.summary.trim().to_owned(),
            assessed_at,
            assessed_by: actor.id,
            created_at: now,
        },
    )
    .await?;
    let mut details = json!({"risk_level": assessment.risk_level});
    if assessment.risk_level != case.risk_level {
        repo::cases::update(conn, case_id, &CaseChanges { risk_level: Some(assessment.risk_level), ..Default::default() })
            .await?;
        details["previous_risk_level"] = json!(case.risk_level);
    }
    repo::cases::insert_event(conn, &entity_event(&case, actor, "assessment.added", "assessment", id, details)).await?;
    repo::audit::insert(conn, &super::audit::by(actor, "assessment.create", "assessment", Some(id), json!({"case_id": case_id})))
        .await?;
    Ok((AssessmentOut::from(assessment), true))
}

// ---- plans -------------------------------------------------------------------------------

async fn plan_outs(conn: &mut Conn, plans: Vec<ServicePlan>) -> Result<Vec<PlanOut>, AppError> {
    let ids: Vec<Uuid> = plans.iter().map(|p| p.id).collect();
    let goals = repo::case_records::goals_of(conn, &ids).await?;
    Ok(plans
        .into_iter()
        .map(|p| PlanOut {
            goals: goals
                .iter()
                .filter(|g| g.plan_id == p.id)
                .map(|g| GoalOut {
                    id: g.id,
                    position: g.position,
                    description: g.description.clone(),
                    measure: g.measure.clone(),
                    due_date: g.due_date,
                    status: g.status,
                })
                .collect(),
            id: p.id,
            case_id: p.case_id,
            version_no: p.version_no,
            overall_goal: p.overall_goal,
            intervention_model: p.intervention_model,
            planned_sessions: p.planned_sessions,
            end_date: p.end_date,
            created_by: p.created_by,
            created_at: p.created_at,
        })
        .collect())
}

async fn plan_out(conn: &mut Conn, plan: ServicePlan) -> Result<PlanOut, AppError> {
    plan_outs(conn, vec![plan]).await?.into_iter().next().ok_or(AppError::NotFound)
}

/// A page of a case's plan versions, newest first.
pub async fn plans(state: &AppState, actor: &Actor, case_id: Uuid, page: &Page) -> Result<Paged<PlanOut>, AppError> {
    let before = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    readable_case(&mut conn, actor, case_id).await?;
    let rows = repo::case_records::plans(&mut conn, case_id, before, page.fetch_limit()).await?;
    let paged = page.finish(rows, |p| p.id);
    super::audit::narrative_read(&mut conn, actor, "plan", paged.items.iter().map(|p| p.id)).await?;
    let items = plan_outs(&mut conn, paged.items).await?;
    Ok(Paged { items, next_cursor: paged.next_cursor })
}

/// Records a new version of the service plan.
pub async fn create_plan(
    state: &AppState,
    actor: &Actor,
    case_id: Uuid,
    claim: Option<Claim>,
    body: CreatePlan,
) -> Result<Written, AppError> {
    let requested_id = body.id;
    let result = tx::write(state, actor, "plan.create", claim, move |conn| {
        async move {
            let (out, fresh) = add_plan_in(conn, actor, case_id, body).await?;
            created(&out, fresh, None)
        }
        .scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "plan", requested_id, &result).await;
    result
}

/// Records a new plan version inside the caller's transaction.
pub async fn add_plan_in(conn: &mut Conn, actor: &Actor, case_id: Uuid, body: CreatePlan) -> Result<(PlanOut, bool), AppError> {
    let case = lock_case(conn, actor, case_id, None).await?;
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    let existing = repo::case_records::find_plan(conn, id).await?.map(|p| (p.case_id, p));
    if let Some(p) = replay(existing, case_id)? {
        let mut diff = Diff::new();
        diff.field("overall_goal", body.overall_goal.trim(), p.overall_goal.as_str())
            .field("intervention_model", &trimmed(body.intervention_model.clone()), &p.intervention_model)
            .field("planned_sessions", &body.planned_sessions, &p.planned_sessions)
            .field("end_date", &body.end_date, &p.end_date);
        let stored: Vec<(String, Option<String>, Option<chrono::NaiveDate>)> = repo::case_records::goals_of(conn, &[p.id])
            .await?
            .into_iter()
            .map(|g| (g.description, g.measure, g.due_date))
            .collect();
        let goals: Vec<(String, Option<String>, Option<chrono::NaiveDate>)> =
            body.goals.iter().map(|g| (g.description.trim().to_owned(), trimmed(g.measure.clone()), g.due_date)).collect();
        diff.field("goals", &goals, &stored);
        let out = plan_out(conn, p).await?;
        replayed(conn, actor, "plan", id, &diff, None, &out).await?;
        return Ok((out, false));
    }
    check_write(conn, actor, &case, CaseRecord::Plan).await?;
    let version_no = repo::case_records::latest_plan(conn, case_id).await?.map_or(1, |p| p.version_no + 1);
    let now = Utc::now();
    let goals: Vec<PlanGoal> = body
        .goals
        .iter()
        .enumerate()
        .map(|(i, g)| PlanGoal {
            id: Uuid::now_v7(),
            plan_id: id,
            case_id,
            position: i32::try_from(i + 1).unwrap_or(i32::MAX),
            description: g.description.trim().to_owned(),
            measure: trimmed(g.measure.clone()),
            due_date: g.due_date,
            status: GoalStatus::Open,
            updated_at: now,
        })
        .collect();
    let plan = ServicePlan {
        id,
        case_id,
        version_no,
        overall_goal: body.overall_goal.trim().to_owned(),
        intervention_model: trimmed(body.intervention_model),
        planned_sessions: body.planned_sessions,
        end_date: body.end_date,
        created_by: actor.id,
        created_at: now,
    };
    let plan = repo::case_records::insert_plan(conn, &plan, &goals).await?;
    let details = json!({"version_no": version_no, "goals": goals.len()});
    repo::cases::insert_event(conn, &entity_event(&case, actor, "plan.added", "plan", id, details)).await?;
    let audit = json!({"case_id": case_id, "version_no": version_no});
    repo::audit::insert(conn, &super::audit::by(actor, "plan.create", "plan", Some(id), audit)).await?;
    Ok((plan_out(conn, plan).await?, true))
}

// ---- evaluations -------------------------------------------------------------------------

async fn evaluation_outs(conn: &mut Conn, evaluations: Vec<Evaluation>) -> Result<Vec<EvaluationOut>, AppError> {
    let ids: Vec<Uuid> = evaluations.iter().map(|e| e.id).collect();
    let results = repo::case_records::results_of(conn, &ids).await?;
    Ok(evaluations
        .into_iter()
        .map(|e| EvaluationOut {
            goal_results: results
                .iter()
                .filter(|r| r.evaluation_id == e.id)
                .map(|r| GoalResultIn { goal_id: r.goal_id, result: r.result, evidence: r.evidence.clone() })
                .collect(),
            id: e.id,
            case_id: e.case_id,
            plan_id: e.plan_id,
            summary: e.summary,
            client_feedback: e.client_feedback,
            recommendation: e.recommendation,
            evaluated_by: e.evaluated_by,
            created_at: e.created_at,
        })
        .collect())
}

async fn evaluation_out(conn: &mut Conn, evaluation: Evaluation) -> Result<EvaluationOut, AppError> {
    evaluation_outs(conn, vec![evaluation]).await?.into_iter().next().ok_or(AppError::NotFound)
}

/// A page of a case's evaluations, newest first.
pub async fn evaluations(state: &AppState, actor: &Actor, case_id: Uuid, page: &Page) -> Result<Paged<EvaluationOut>, AppError> {
    let before = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    readable_case(&mut conn, actor, case_id).await?;
    let rows = repo::case_records::evaluations(&mut conn, case_id, before, page.fetch_limit()).await?;
    let paged = page.finish(rows, |e| e.id);
    super::audit::narrative_read(&mut conn, actor, "evaluation", paged.items.iter().map(|e| e.id)).await?;
    let items = evaluation_outs(&mut conn, paged.items).await?;
    Ok(Paged { items, next_cursor: paged.next_cursor })
}

/// Records an evaluation.
pub async fn create_evaluation(
    state: &AppState,
    actor: &Actor,
    case_id: Uuid,
    claim: Option<Claim>,
    body: CreateEvaluation,
) -> Result<Written, AppError> {
    let requested_id = body.id;
    let result = tx::write(state, actor, "evaluation.create", claim, move |conn| {
        async move {
            let (out, fresh) = add_evaluation_in(conn, actor, case_id, body).await?;
            created(&out, fresh, None)
        }
        .scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "evaluation", requested_id, &result).await;
    result
}

/// Records an evaluation inside the caller's transaction; its results become the goals' status.
pub async fn add_evaluation_in(
    conn: &mut Conn,
    actor: &Actor,
    case_id: Uuid,
    body: CreateEvaluation,
) -> Result<(EvaluationOut, bool), AppError> {
    let case = lock_case(conn, actor, case_id, None).await?;
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    let existing = repo::case_records::find_evaluation(conn, id).await?.map(|e| (e.case_id, e));
    if let Some(e) = replay(existing, case_id)? {
        let mut diff = Diff::new();
        diff.field("summary", body.summary.trim(), e.summary.as_str())
            .field("client_feedback", &trimmed(body.client_feedback.clone()), &e.client_feedback)
            .field("recommendation", &body.recommendation, &e.recommendation);
        let out = evaluation_out(conn, e).await?;
        let results = serde_json::to_value(&out.goal_results).map_err(AppError::internal)?;
        let mine: Vec<(Uuid, GoalStatus)> = body.goal_results.iter().map(|r| (r.goal_id, r.result)).collect();
        let stored: Vec<(Uuid, GoalStatus)> = serde_json::from_value::<Vec<serde_json::Value>>(results)
            .unwrap_or_default()
            .iter()
            .filter_map(|r| {
                Some((
                    serde_json::from_value(r.get("goal_id")?.clone()).ok()?,
                    serde_json::from_value(r.get("result")?.clone()).ok()?,
                ))
            })
            .collect();
        diff.field("goal_results", &mine, &stored);
        replayed(conn, actor, "evaluation", id, &diff, None, &out).await?;
        return Ok((out, false));
    }
    check_write(conn, actor, &case, CaseRecord::Evaluation).await?;
    let plan = repo::case_records::latest_plan(conn, case_id).await?;
    let goals = match &plan {
        Some(p) => repo::case_records::goals_of(conn, &[p.id]).await?,
        None => Vec::new(),
    };
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, r) in body.goal_results.iter().enumerate() {
        if !goals.iter().any(|g| g.id == r.goal_id) {
            errors.push(field(
                format!("goal_results[{i}].goal_id"),
                "not_found",
                "该目标不属于本个案最新的服务计划。",
                "No such goal in the case's latest plan.",
            ));
        } else if !seen.insert(r.goal_id) {
            errors.push(field(
                format!("goal_results[{i}].goal_id"),
                "duplicate",
                "同一目标重复出现。",
                "This goal is listed twice.",
            ));
        }
        if r.result == GoalStatus::Open {
            errors.push(field(
                format!("goal_results[{i}].result"),
                "invalid",
                "评估结果须为已达成、部分达成或未达成。",
                "A result is `achieved`, `partly` or `not_achieved`.",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let evaluation = Evaluation {
        id,
        case_id,
        plan_id: plan.map(|p| p.id),
        summary: body.summary.trim().to_owned(),
        client_feedback: trimmed(body.client_feedback),
        recommendation: body.recommendation,
        evaluated_by: actor.id,
        created_at: Utc::now(),
    };
    let results: Vec<GoalResult> = body
        .goal_results
        .iter()
        .enumerate()
        .map(|(i, r)| GoalResult {
            evaluation_id: id,
            goal_id: r.goal_id,
            position: i32::try_from(i + 1).unwrap_or(i32::MAX),
            result: r.result,
            evidence: trimmed(r.evidence.clone()),
        })
        .collect();
    let evaluation = repo::case_records::insert_evaluation(conn, &evaluation, &results).await?;
    let statuses: Vec<(Uuid, GoalStatus)> = results.iter().map(|r| (r.goal_id, r.result)).collect();
    repo::case_records::set_goal_statuses(conn, &statuses).await?;
    let details = json!({"recommendation": evaluation.recommendation, "goal_results": results.len()});
    repo::cases::insert_event(conn, &entity_event(&case, actor, "evaluation.added", "evaluation", id, details)).await?;
    repo::audit::insert(conn, &super::audit::by(actor, "evaluation.create", "evaluation", Some(id), json!({"case_id": case_id})))
        .await?;
    Ok((evaluation_out(conn, evaluation).await?, true))
}

// ---- follow-ups --------------------------------------------------------------------------

fn check_done_on(data: &FollowUpData) -> Result<(), AppError> {
    if data.done_on.is_some_and(|d| d > super::today()) {
        return Err(AppError::field(
            "done_on",
            "in_future",
            Text::new("完成日期不能晚于今天。", "The date done cannot be in the future."),
        ));
    }
    Ok(())
}

/// A page of a case's follow-ups, newest first.
pub async fn follow_ups(state: &AppState, actor: &Actor, case_id: Uuid, page: &Page) -> Result<Paged<FollowUpOut>, AppError> {
    let before = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    readable_case(&mut conn, actor, case_id).await?;
    let rows = repo::case_records::follow_ups(&mut conn, case_id, before, page.fetch_limit()).await?;
    let paged = page.finish(rows, |f| f.id);
    super::audit::narrative_read(&mut conn, actor, "follow_up", paged.items.iter().map(|f| f.id)).await?;
    Ok(paged.map(FollowUpOut::from))
}

/// Schedules a follow-up.
pub async fn create_follow_up(
    state: &AppState,
    actor: &Actor,
    case_id: Uuid,
    claim: Option<Claim>,
    body: CreateFollowUp,
) -> Result<Written, AppError> {
    let requested_id = body.id;
    let result = tx::write(state, actor, "follow_up.create", claim, move |conn| {
        async move {
            let (out, fresh) = schedule_follow_up_in(conn, actor, case_id, body).await?;
            let version = out.version;
            created(&out, fresh, Some(version))
        }
        .scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "follow_up", requested_id, &result).await;
    result
}

/// Schedules a follow-up (or records one done) inside the caller's transaction.
pub async fn schedule_follow_up_in(
    conn: &mut Conn,
    actor: &Actor,
    case_id: Uuid,
    body: CreateFollowUp,
) -> Result<(FollowUpOut, bool), AppError> {
    let case = lock_case(conn, actor, case_id, None).await?;
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    let existing = repo::case_records::find_follow_up(conn, id).await?.map(|f| (f.case_id, f));
    if let Some(f) = replay(existing, case_id)? {
        let mut diff = Diff::new();
        diff.field("due_on", &body.due_on, &f.due_on)
            .field("done_on", &body.done_on, &f.done_on)
            .field("mode", &body.mode, &f.mode)
            .field("finding", &trimmed(body.finding.clone()), &f.finding);
        let version = f.version;
        let out = FollowUpOut::from(f);
        replayed(conn, actor, "follow_up", id, &diff, Some(version), &out).await?;
        return Ok((out, false));
    }
    check_write(conn, actor, &case, CaseRecord::FollowUp).await?;
    let data = FollowUpData {
        due_on: body.due_on,
        done_on: body.done_on,
        mode: body.mode,
        finding: trimmed(body.finding),
        done_by: body.done_on.map(|_| actor.id),
    };
    check_done_on(&data)?;
    let follow_up = repo::case_records::insert_follow_up(conn, id, case_id, actor.id, &data).await?;
    let details = json!({"due_on": follow_up.due_on, "mode": follow_up.mode});
    repo::cases::insert_event(conn, &entity_event(&case, actor, "follow_up.scheduled", "follow_up", id, details)).await?;
    if let Some(done_on) = follow_up.done_on {
        repo::cases::insert_event(
            conn,
            &entity_event(&case, actor, "follow_up.done", "follow_up", id, json!({"done_on": done_on})),
        )
        .await?;
    }
    repo::audit::insert(conn, &super::audit::by(actor, "follow_up.create", "follow_up", Some(id), json!({"case_id": case_id})))
        .await?;
    Ok((FollowUpOut::from(follow_up), true))
}

/// Reschedules a follow-up or records it done (If-Match); once done it is final.
pub async fn update_follow_up(
    state: &AppState,
    actor: &Actor,
    case_id: Uuid,
    id: Uuid,
    expected_version: i32,
    patch: UpdateFollowUp,
) -> Result<Written, AppError> {
    tx::write(state, actor, "follow_up.update", None, move |conn| {
        async move {
            let case = lock_case(conn, actor, case_id, None).await?;
            let current = repo::case_records::lock_follow_up(conn, case_id, id).await?.ok_or(AppError::NotFound)?;
            if current.version != expected_version {
                return Err(AppError::PreconditionFailed);
            }
            check_write(conn, actor, &case, CaseRecord::FollowUp).await?;
            if current.done_on.is_some() {
                return Err(AppError::conflict(
                    "follow_up_done",
                    Text::new("该跟进已记录完成，不能再修改。", "This follow-up is recorded as done and cannot change."),
                ));
            }
            let done_on = patch.done_on;
            let data = FollowUpData {
                due_on: patch.due_on.unwrap_or(current.due_on),
                done_on,
                mode: patch.mode.unwrap_or(current.mode),
                finding: patch.finding.map(trimmed).unwrap_or(current.finding),
                done_by: done_on.map(|_| actor.id),
            };
            check_done_on(&data)?;
            let updated = repo::case_records::update_follow_up(conn, id, &data).await?;
            let (kind, details) = match updated.done_on {
                Some(d) => ("follow_up.done", json!({"done_on": d, "mode": updated.mode})),
                None => ("follow_up.updated", json!({"due_on": updated.due_on})),
            };
            repo::cases::insert_event(conn, &entity_event(&case, actor, kind, "follow_up", id, details)).await?;
            let audit = json!({"case_id": case_id, "done": updated.done_on.is_some()});
            repo::audit::insert(conn, &super::audit::by(actor, "follow_up.update", "follow_up", Some(id), audit)).await?;
            let version = updated.version;
            Written::changed(version, &FollowUpOut::from(updated))
        }
        .scope_boxed_local()
    })
    .await
}

// ---- referrals ---------------------------------------------------------------------------

/// A page of a case's referrals, newest first.
pub async fn referrals(state: &AppState, actor: &Actor, case_id: Uuid, page: &Page) -> Result<Paged<ReferralOut>, AppError> {
    let before = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    readable_case(&mut conn, actor, case_id).await?;
    let rows = repo::case_records::referrals(&mut conn, case_id, before, page.fetch_limit()).await?;
    let paged = page.finish(rows, |r| r.id);
    super::audit::narrative_read(&mut conn, actor, "referral", paged.items.iter().map(|r| r.id)).await?;
    Ok(paged.map(ReferralOut::from))
}

/// Records a referral.
pub async fn create_referral(
    state: &AppState,
    actor: &Actor,
    case_id: Uuid,
    claim: Option<Claim>,
    body: CreateReferral,
) -> Result<Written, AppError> {
    let requested_id = body.id;
    let result = tx::write(state, actor, "referral.create", claim, move |conn| {
        async move {
            let (out, fresh) = add_referral_in(conn, actor, case_id, body).await?;
            let version = out.version;
            created(&out, fresh, Some(version))
        }
        .scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "referral", requested_id, &result).await;
    result
}

/// Records a referral inside the caller's transaction. An outgoing referral shares the client's
/// information with another organisation, so it needs their consent.
pub async fn add_referral_in(
    conn: &mut Conn,
    actor: &Actor,
    case_id: Uuid,
    body: CreateReferral,
) -> Result<(ReferralOut, bool), AppError> {
    let case = lock_case(conn, actor, case_id, None).await?;
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    let existing = repo::case_records::find_referral(conn, id).await?.map(|r| (r.case_id.unwrap_or(Uuid::nil()), r));
    if let Some(r) = replay(existing, case_id)? {
        let phone = body.phone.as_deref().map(|p| normalize_phone(p).unwrap_or_else(|_| p.to_owned()));
        let mut diff = Diff::new();
        diff.field("direction", &body.direction, &r.direction)
            .field("organization", body.organization.trim(), r.organization.as_str())
            .field("contact", &trimmed(body.contact.clone()), &r.contact)
            .field("phone", &phone, &r.phone)
            .field("reason", body.reason.trim(), r.reason.as_str())
            .field("consent_given", &body.consent_given, &r.consent_given);
        let version = r.version;
        let out = ReferralOut::from(r);
        replayed(conn, actor, "referral", id, &diff, Some(version), &out).await?;
        return Ok((out, false));
    }
    check_write(conn, actor, &case, CaseRecord::Referral).await?;
    let mut errors = Vec::new();
    if body.direction == ReferralDirection::Out && !body.consent_given {
        errors.push(field(
            "consent_given",
            "consent_required",
            "转出须先征得服务对象（或监护人）同意。",
            "An outgoing referral needs the client's (or guardian's) consent.",
        ));
    }
    let phone = match body.phone.as_deref().map(normalize_phone) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            errors.push(FieldError::new("phone", e.code(), Text::owned(e.message_zh(), e.message_en())));
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if body.direction == ReferralDirection::Out {
        super::clients::require_sharing_consent(conn, case.client_id).await?;
    }
    let referral = repo::case_records::insert_referral(
        conn,
        &NewReferral {
            id,
            case_id: Some(case_id),
            org_unit_id: case.org_unit_id,
            direction: body.direction,
            organization: body.organization.trim().to_owned(),
            contact: trimmed(body.contact),
            phone,
            reason: body.reason.trim().to_owned(),
            consent_given: body.consent_given,
            created_by: actor.id,
            client_id: Some(case.client_id),
            session_id: None,
        },
    )
    .await?;
    let details = json!({"direction": referral.direction, "organization": referral.organization});
    repo::cases::insert_event(conn, &entity_event(&case, actor, "referral.added", "referral", id, details)).await?;
    repo::audit::insert(conn, &super::audit::by(actor, "referral.create", "referral", Some(id), json!({"case_id": case_id})))
        .await?;
    Ok((ReferralOut::from(referral), true))
}

/// Moves a referral on (If-Match): the case's assigned worker or a supervisor, whatever the
/// case's status (a referral may complete after the case closed as referred out).
pub async fn update_referral(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: UpdateReferral,
) -> Result<Written, AppError> {
    tx::write(state, actor, "referral.update", None, move |conn| {
        async move {
            // Case first, then referral: the lock order of every casework write.
            let found = repo::case_records::find_referral(conn, id).await?.ok_or(AppError::NotFound)?;
            let case = match found.case_id {
                Some(case_id) => Some(lock_case(conn, actor, case_id, None).await?),
                None => None,
            };
            let current = repo::case_records::lock_referral_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
            if current.version != expected_version {
                return Err(AppError::PreconditionFailed);
            }
            match &case {
                Some(case) => may_work(actor.role, case.worker_id == actor.id).map_err(|r| refused(r, None))?,
                // A referral made on a visit belongs to whoever recorded it, and to supervisors.
                None if may(actor.role, Permission::SessionsEditAll)
                    || (may(actor.role, Permission::SessionsWrite) && current.created_by == actor.id) => {}
                None => {
                    return Err(AppError::Forbidden(Text::new(
                        "只有转介的记录人或督导可以更新转介。",
                        "Only the referral's recorder or a supervisor may update it.",
                    )))
                }
            }
            let next = referral_next(current.status);
            if !next.contains(&body.status) {
                let mut extra = serde_json::Map::new();
                extra.insert("allowed_statuses".into(), json!(next));
                return Err(AppError::Conflict {
                    code: "referral_status_not_allowed",
                    detail: Text::new("转介状态不能这样变更。", "The referral cannot move to that status."),
                    extra,
                });
            }
            let note = trimmed(body.note);
            let updated = repo::case_records::set_referral_status(conn, id, body.status, note.clone()).await?;
            if let Some(case) = &case {
                let details = json!({"from": current.status, "to": updated.status, "note": note});
                repo::cases::insert_event(conn, &entity_event(case, actor, "referral.updated", "referral", id, details)).await?;
            }
            let audit =
                json!({"case_id": found.case_id, "session_id": found.session_id, "from": current.status, "to": updated.status});
            repo::audit::insert(conn, &super::audit::by(actor, "referral.update", "referral", Some(id), audit)).await?;
            let version = updated.version;
            Written::changed(version, &ReferralOut::from(updated))
        }
        .scope_boxed_local()
    })
    .await
}
