//! Cases (个案): intake, audited reads, the one door that changes a case's status (transitions),
//! transfers, field changes and the case timeline.
//!
//! Policy:
//! - Status changes only in [`transition_in`] and in review decisions (`services::reviews`), and
//!   both ask `domain::case_flow`; `GET /cases/{id}` answers `allowed_actions` from the same
//!   function with the same facts, so what the API offers is exactly what it accepts.
//! - Every change to a case locks its row first (in scope: a case outside it is a 404), checks
//!   the version when the request carries one, and writes its timeline event and audit event in
//!   the same transaction.
//! - Answers follow the state machine's order: 404 (scope), 412 (version), then the refusal's
//!   own status (403 role or assignment, 409 state, 422 input). A 403 is audited as a denial.
//! - The `*_in` functions do the work inside a transaction the caller holds; the HTTP services
//!   wrap them in `tx::write`, and seeding can call them directly.

use chrono::{DateTime, Datelike, Utc};
use scoped_futures::ScopedFutureExt;
use serde_json::{json, Value};
use uuid::Uuid;

use super::tx::{self, Claim, Effect, Written};
use crate::auth::Actor;
use crate::db::{
    models::{
        Case, CaseChanges, CaseFacts, CaseListRow, CaseStatusChange, NewCase, NewCaseEvent, NewCaseTransfer, NewReview, Review,
        User,
    },
    repo::{self, cases::CaseFilter},
    Conn,
};
use crate::domain::case_flow::{self, allowed_actions, Refusal, RefusalKind, TransitionContext, TransitionInput};
use crate::domain::case_records::may_work;
use crate::domain::enums::{CaseAction, CaseStatus, ConsentScope, ReferralStatus, ReviewDecision, ReviewKind};
use crate::domain::labels::Coded;
use crate::domain::permissions::{may, Permission};
use crate::dto::cases::{
    CaseEventOut, CaseOut, CaseQuery, CaseSummary, CreateCase, PendingReview, TransferCase, TransitionCase, UpdateCase,
};
use crate::dto::reviews::ReviewOut;
use crate::error::{AppError, FieldError};
use crate::i18n::{Lang, Text};
use crate::paging::{Page, Paged};
use crate::state::AppState;

fn field(field: impl Into<String>, code: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, code, Text::owned(zh, en))
}

pub(crate) fn id_taken() -> AppError {
    AppError::conflict("id_taken", Text::new("该 id 已被占用。", "This id is already taken."))
}

/// The API's answer to a refusal of the state machine; a 409 lists what the caller may do.
pub(crate) fn refused(refusal: Refusal, allowed: Option<&[CaseAction]>) -> AppError {
    let text = Text::owned(refusal.message_zh(), refusal.message_en());
    match refusal.kind() {
        RefusalKind::Forbidden => AppError::Forbidden(text),
        RefusalKind::Invalid => AppError::field(refusal.field().unwrap_or("body"), refusal.code(), text),
        RefusalKind::Conflict => {
            let mut extra = serde_json::Map::new();
            if let Some(actions) = allowed {
                extra.insert("allowed_actions".into(), json!(actions));
            }
            AppError::Conflict { code: refusal.code(), detail: text, extra }
        }
    }
}

fn case_not_open() -> AppError {
    AppError::conflict(
        "case_not_open",
        Text::new("个案已结束，不能再修改。", "The case is no longer open and cannot be changed."),
    )
}

/// What the state machine needs to know about a case beyond its row.
#[derive(Debug, Clone)]
pub(crate) struct CaseState {
    /// Counts of the case's records.
    pub facts: CaseFacts,
    /// Individual sessions recorded.
    pub individual_sessions: i64,
    /// The pending review, if any.
    pub pending: Option<Review>,
}

pub(crate) async fn load_state(conn: &mut Conn, case_id: Uuid) -> Result<CaseState, AppError> {
    Ok(CaseState {
        facts: repo::cases::facts(conn, case_id).await?,
        individual_sessions: repo::cases::individual_session_count(conn, case_id).await?,
        pending: repo::reviews::pending_for_case(conn, case_id).await?,
    })
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The state machine's view of a case, for this caller.
fn flow_context(case: &Case, actor: &Actor, state: &CaseState) -> TransitionContext {
    TransitionContext {
        status: case.status,
        role: actor.role,
        is_assigned_worker: case.worker_id == actor.id,
        risk_level: case.risk_level,
        assessment_count: count(state.facts.assessments),
        plan_goal_count: count(state.facts.latest_plan_goals),
        individual_session_count: count(state.individual_sessions),
        has_evaluation: state.facts.evaluations > 0,
        has_pending_review: state.pending.is_some(),
        scheduled_follow_ups: count(state.facts.follow_ups),
        open_follow_ups: count(state.facts.open_follow_ups),
        has_outgoing_referral: state.facts.outgoing_referral,
        has_service_consent: super::clients::consent_permits(&state.facts.client_consent, ConsentScope::Services),
    }
}

fn is_overdue(visit_due_at: Option<DateTime<Utc>>) -> bool {
    visit_due_at.is_some_and(|due| due < Utc::now())
}

/// A case in full, as this caller sees it (with the actions they may take).
pub(crate) async fn case_out(conn: &mut Conn, actor: &Actor, case: Case) -> Result<CaseOut, AppError> {
    let state = load_state(conn, case.id).await?;
    let allowed = allowed_actions(&flow_context(&case, actor, &state));
    Ok(CaseOut {
        id: case.id,
        case_no: case.case_no,
        client_id: case.client_id,
        client_name: case.client_name,
        org_unit_id: case.org_unit_id,
        worker_id: case.worker_id,
        worker_name: case.worker_name,
        source: case.source,
        presenting_problem: case.presenting_problem,
        domain: case.domain,
        problem_types: case.problem_types,
        risk_level: case.risk_level,
        status: case.status,
        opened_at: case.opened_at,
        closed_at: case.closed_at,
        archived_at: case.archived_at,
        closure_reason: case.closure_reason,
        next_follow_up_at: case.next_follow_up_at,
        last_session_at: case.last_session_at,
        overdue: is_overdue(case.visit_due_at),
        visit_due_at: case.visit_due_at,
        pending_review: state.pending.map(|r| PendingReview {
            id: r.id,
            kind: r.kind,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
        }),
        allowed_actions: allowed,
        created_by: case.created_by,
        version: case.version,
        created_at: case.created_at,
        updated_at: case.updated_at,
    })
}

fn summary(c: CaseListRow) -> CaseSummary {
    CaseSummary {
        id: c.id,
        case_no: c.case_no,
        client_id: c.client_id,
        client_name: c.client_name,
        org_unit_id: c.org_unit_id,
        worker_id: c.worker_id,
        worker_name: c.worker_name,
        domain: c.domain,
        risk_level: c.risk_level,
        status: c.status,
        opened_at: c.opened_at,
        overdue: is_overdue(c.visit_due_at),
        visit_due_at: c.visit_due_at,
        has_pending_review: c.has_pending_review,
        version: c.version,
    }
}

/// A timeline event of a case, by this actor; callers fill in what else applies.
pub(crate) fn event(case: &Case, actor: &Actor, kind: &str, details: Value) -> NewCaseEvent {
    NewCaseEvent {
        id: Uuid::now_v7(),
        case_id: case.id,
        client_id: case.client_id,
        kind: kind.to_owned(),
        action: None,
        from_status: None,
        to_status: None,
        entity_type: None,
        entity_id: None,
        actor_id: actor.id,
        details,
    }
}

/// Locks a case in scope for a change, checking the version when one is expected.
pub(crate) async fn lock_case(conn: &mut Conn, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<Case, AppError> {
    let case = repo::cases::lock_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    if expected_version.is_some_and(|v| v != case.version) {
        return Err(AppError::PreconditionFailed);
    }
    if case.archived_at.is_some() {
        return Err(AppError::conflict(
            "case_archived",
            Text::new(
                "个案已归档（结案已超过保存期限），只能查阅，不能再修改或重新开案。",
                "The case is archived (closed longer than the retention period): it can be read, not changed or reopened.",
            ),
        ));
    }
    Ok(case)
}

/// Whether a user may be given a case held by a unit at `unit_path`: an active worker or
/// supervisor inside the caller's scope whose own scope contains the unit (or they could not
/// see their own case).
pub async fn check_assignee(
    conn: &mut Conn,
    actor: &Actor,
    user_id: Uuid,
    unit_path: Option<&str>,
) -> Result<Option<User>, AppError> {
    let Some(user) = repo::users::find_in_scope(conn, &actor.scope, user_id).await? else { return Ok(None) };
    if !user.is_active || !may(user.role, Permission::CasesWorkAssigned) {
        return Ok(None);
    }
    if let Some(path) = unit_path {
        let home = repo::org_units::find(conn, user.org_unit_id).await?.ok_or(AppError::NotFound)?;
        if !path.starts_with(&home.path) {
            return Ok(None);
        }
    }
    Ok(Some(user))
}

/// The field error for a user who cannot be given the work.
pub fn worker_not_assignable(name: &str) -> FieldError {
    field(
        name,
        "not_assignable",
        "该社工不存在、已停用，或不在您的管辖范围内、看不到该单位的个案。",
        "No active worker in your scope who can see cases of that unit.",
    )
}

/// A page of cases in scope, newest first.
pub async fn list(state: &AppState, actor: &Actor, query: CaseQuery, page: &Page) -> Result<Paged<CaseSummary>, AppError> {
    let before = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    let Some(unit_path) = super::unit_filter(&mut conn, actor, query.org_unit_id).await? else {
        return Ok(Paged::empty());
    };
    let filter = CaseFilter {
        status: query.status,
        worker_id: query.worker_id,
        client_id: query.client_id,
        unit_path,
        risk_level: query.risk_level,
        overdue: query.overdue,
        pending_review: query.pending_review,
    };
    let rows = repo::cases::list(&mut conn, &actor.scope, &filter, before, page.fetch_limit()).await?;
    Ok(page.finish(rows, |r| r.id).map(summary))
}

/// One case in full, with the caller's allowed actions; the read is audited.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> Result<CaseOut, AppError> {
    let mut conn = state.conn().await?;
    crate::db::transaction(&mut conn, |conn| {
        async move {
            let case = repo::cases::find_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
            repo::audit::insert(conn, &super::audit::by(actor, "case.read", "case", Some(id), json!({}))).await?;
            case_out(conn, actor, case).await
        }
        .scope_boxed_local()
    })
    .await
}

/// Opens a case (intake).
pub async fn create(state: &AppState, actor: &Actor, claim: Option<Claim>, body: CreateCase) -> Result<Written, AppError> {
    super::require(state, actor, Permission::CasesCreate, "cases.create").await?;
    if let Err(e) = may_assign(actor, &body) {
        super::audit::denied(state, actor, "cases.assign").await;
        return Err(e);
    }
    let id = body.id;
    let result =
        tx::write(state, actor, "cases.create", claim, move |conn| create_in(conn, actor, body).scope_boxed_local()).await;
    super::replay::audit_refusal(state, actor, "case", id, &result).await;
    result
}

/// Refuses a create naming another worker unless the caller may assign cases.
pub fn may_assign(actor: &Actor, body: &CreateCase) -> Result<(), AppError> {
    if !may(actor.role, Permission::CasesAssign) && body.worker_id.is_some_and(|w| w != actor.id) {
        // Assigning someone else's caseload is a supervisor's function.
        return Err(AppError::Forbidden(Text::new(
            "只有督导可以将个案分派给其他社工。",
            "Only a supervisor may assign a case to someone else.",
        )));
    }
    Ok(())
}

/// Opens a case inside the caller's transaction and answers as `POST /cases` does (permissions
/// already checked).
pub async fn create_in(conn: &mut Conn, actor: &Actor, body: CreateCase) -> Result<Written, AppError> {
    let (case, created) = open_in(conn, actor, body).await?;
    let version = case.version;
    let id = case.id;
    let out = case_out(conn, actor, case).await?;
    Ok(if created { Written::created(id, version, &out)? } else { Written { id: Some(id), ..Written::changed(version, &out)? } })
}

/// Opens a case inside the caller's transaction: `(case, true)` when created, `(case, false)`
/// when a case with the client-chosen id already exists in scope.
pub async fn open_in(conn: &mut Conn, actor: &Actor, body: CreateCase) -> Result<(Case, bool), AppError> {
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    if repo::cases::id_exists(conn, id).await? {
        // The same id twice is the same case: the same data replays it, other data is a
        // conflict; outside the caller's scope the id is just taken.
        let existing = repo::cases::find_in_scope(conn, &actor.scope, id).await?.ok_or_else(id_taken)?;
        let mut diff = super::replay::Diff::new();
        let problem_types: Vec<String> = body.problem_types.iter().map(|t| t.trim().to_owned()).collect();
        diff.field("client_id", &body.client_id, &existing.client_id)
            .field("org_unit_id", &body.org_unit_id, &existing.org_unit_id)
            .field("worker_id", &body.worker_id.unwrap_or(actor.id), &existing.worker_id)
            .field("source", &body.source, &existing.source)
            .field("presenting_problem", body.presenting_problem.trim(), existing.presenting_problem.as_str())
            .field("domain", &body.domain, &existing.domain)
            .field("problem_types", &problem_types, &existing.problem_types)
            .field("risk_level", &body.risk_level, &existing.risk_level);
        if diff.is_empty() {
            repo::audit::insert(conn, &super::audit::by(actor, "case.create_replayed", "case", Some(id), json!({}))).await?;
            return Ok((existing, false));
        }
        let version = existing.version;
        let current = case_out(conn, actor, existing).await?;
        return Err(super::replay::id_conflict(version, &current, &diff));
    }
    let mut errors = Vec::new();
    if repo::clients::find_in_scope(conn, &actor.scope, body.client_id).await?.is_none() {
        errors.push(field("client_id", "not_found", "服务对象不存在或不在您的管辖范围内。", "No such client in your scope."));
    }
    let unit = repo::org_units::find_in_scope(conn, &actor.scope, body.org_unit_id).await?;
    if unit.is_none() {
        errors.push(field("org_unit_id", "not_found", "单位不存在或不在您的管辖范围内。", "No such unit in your scope."));
    }
    let worker_id = body.worker_id.unwrap_or(actor.id);
    if check_assignee(conn, actor, worker_id, unit.as_ref().map(|u| u.path.as_str())).await?.is_none() {
        errors.push(worker_not_assignable("worker_id"));
    }
    let Some(unit) = unit.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let case_no = repo::cases::next_case_no(conn, &unit, super::today().year()).await?;
    let case = repo::cases::insert(
        conn,
        &NewCase {
            id,
            case_no,
            client_id: body.client_id,
            org_unit_id: unit.id,
            worker_id,
            source: body.source,
            presenting_problem: body.presenting_problem.trim().to_owned(),
            domain: body.domain,
            problem_types: body.problem_types.iter().map(|t| t.trim().to_owned()).collect(),
            risk_level: body.risk_level,
            created_by: actor.id,
        },
    )
    .await?;
    let opened = NewCaseEvent {
        to_status: Some(CaseStatus::Intake),
        ..event(
            &case,
            actor,
            "case.opened",
            json!({"case_no": case.case_no, "source": case.source, "risk_level": case.risk_level}),
        )
    };
    repo::cases::insert_event(conn, &opened).await?;
    let details = json!({"client_id": case.client_id, "org_unit_id": case.org_unit_id, "worker_id": case.worker_id});
    repo::audit::insert(conn, &super::audit::by(actor, "case.create", "case", Some(id), details)).await?;
    Ok((case, true))
}

/// Changes a case's own fields (If-Match): the assigned worker or a supervisor, while it is open.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    patch: UpdateCase,
) -> Result<Written, AppError> {
    tx::write(state, actor, "case.update", None, move |conn| {
        update_in(conn, actor, id, expected_version, patch).scope_boxed_local()
    })
    .await
}

/// Changes a case's own fields inside the caller's transaction.
pub async fn update_in(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    patch: UpdateCase,
) -> Result<Written, AppError> {
    let case = lock_case(conn, actor, id, Some(expected_version)).await?;
    may_work(actor.role, case.worker_id == actor.id).map_err(|r| refused(r, None))?;
    if !case.is_open {
        return Err(case_not_open());
    }
    let changes = CaseChanges {
        presenting_problem: patch.presenting_problem.map(|p| p.trim().to_owned()),
        problem_types: patch.problem_types.map(|t| t.iter().map(|t| t.trim().to_owned()).collect()),
        domain: patch.domain,
        risk_level: patch.risk_level,
        next_follow_up_at: patch.next_follow_up_at,
    };
    let updated = repo::cases::update(conn, id, &changes).await?;
    let fields = changed_fields(&case, &updated);
    let mut details = json!({"fields": fields});
    if case.risk_level != updated.risk_level {
        details["risk_level"] = json!({"from": case.risk_level, "to": updated.risk_level});
    }
    repo::cases::insert_event(conn, &event(&updated, actor, "case.updated", details)).await?;
    repo::audit::insert(conn, &super::audit::by(actor, "case.update", "case", Some(id), json!({"fields": fields}))).await?;
    let version = updated.version;
    Written::changed(version, &case_out(conn, actor, updated).await?)
}

/// A case in scope as its detail shows it, without auditing a read.
pub async fn current_in(conn: &mut Conn, actor: &Actor, id: Uuid) -> Result<Option<(i32, CaseOut)>, AppError> {
    let Some(case) = repo::cases::find_in_scope(conn, &actor.scope, id).await? else { return Ok(None) };
    let version = case.version;
    Ok(Some((version, case_out(conn, actor, case).await?)))
}

fn changed_fields(before: &Case, after: &Case) -> Vec<&'static str> {
    let mut out = Vec::new();
    macro_rules! cmp {
        ($($f:ident),*) => { $( if before.$f != after.$f { out.push(stringify!($f)); } )* };
    }
    cmp!(presenting_problem, problem_types, domain, risk_level, next_follow_up_at);
    out
}

/// What a transition produced: the case, or the review it asked for.
#[derive(Debug)]
pub enum Transitioned {
    /// The case after the action.
    Case(Box<CaseOut>),
    /// The review the action created (the case waits for it).
    Review(Box<ReviewOut>),
}

/// Takes an action on a case (If-Match): 200 with the case, or 202 with the review it created.
pub async fn transition(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: TransitionCase,
) -> Result<Written, AppError> {
    tx::write(state, actor, "case.transition", None, move |conn| {
        async move {
            match transition_in(conn, actor, id, Some(expected_version), body).await? {
                Transitioned::Case(case) => Written::changed(case.version, &case),
                Transitioned::Review(review) => Written::new(Effect::Accepted, &review),
            }
        }
        .scope_boxed_local()
    })
    .await
}

/// Takes an action on a case inside the caller's transaction (checking the version when given).
pub async fn transition_in(
    conn: &mut Conn,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    body: TransitionCase,
) -> Result<Transitioned, AppError> {
    let case = lock_case(conn, actor, id, expected_version).await?;
    let state = load_state(conn, id).await?;
    let ctx = flow_context(&case, actor, &state);
    let input = TransitionInput { action: body.action, reason: body.reason.clone(), closure_reason: body.closure_reason };
    let outcome = case_flow::transition(&ctx, &input).map_err(|r| refused(r, Some(&allowed_actions(&ctx))))?;
    let change = CaseStatusChange {
        status: outcome.to,
        closed_at: match (case.status, outcome.to) {
            (_, CaseStatus::Closed) => Some(Some(Utc::now())),
            (CaseStatus::Closed, _) => Some(None),
            _ => None,
        },
        // A reopened case starts a new closure from scratch.
        closure_reason: (case.status == CaseStatus::Closed).then_some(None),
    };
    let updated = repo::cases::set_status(conn, id, &change).await?;
    let mut details = json!({});
    for (key, value) in [("reason", &body.reason), ("comment", &body.comment)] {
        if let Some(text) = value.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            details[key] = json!(text);
        }
    }
    if let Some(reason) = body.closure_reason.filter(|_| body.action == CaseAction::RequestClosure) {
        details["closure_reason"] = json!(reason);
    }
    let moved = NewCaseEvent {
        action: Some(body.action),
        from_status: Some(case.status),
        to_status: Some(outcome.to),
        ..event(&updated, actor, "case.transition", details)
    };
    repo::cases::insert_event(conn, &moved).await?;
    let mut audit = json!({"action": body.action, "from": case.status, "to": outcome.to});
    let result = match outcome.creates_review {
        None => None,
        Some(kind) => {
            let plan_id = match kind {
                ReviewKind::PlanApproval => repo::case_records::latest_plan(conn, id).await?.map(|p| p.id),
                ReviewKind::ClosureApproval => None,
            };
            let review = repo::reviews::insert(
                conn,
                &NewReview {
                    id: Uuid::now_v7(),
                    kind,
                    case_id: id,
                    org_unit_id: updated.org_unit_id,
                    plan_id,
                    closure_reason: body.closure_reason.filter(|_| kind == ReviewKind::ClosureApproval),
                    request_comment: body.comment.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned),
                    requested_by: actor.id,
                },
            )
            .await?;
            let requested = NewCaseEvent {
                entity_type: Some("review".to_owned()),
                entity_id: Some(review.id),
                ..event(&updated, actor, "review.requested", json!({"review_kind": kind, "plan_id": plan_id}))
            };
            repo::cases::insert_event(conn, &requested).await?;
            audit["review_id"] = json!(review.id);
            Some(review.id)
        }
    };
    repo::audit::insert(conn, &super::audit::by(actor, "case.transition", "case", Some(id), audit)).await?;
    match result {
        Some(review_id) => {
            let review = review_out(conn, review_id).await?;
            Ok(Transitioned::Review(Box::new(review)))
        }
        None => Ok(Transitioned::Case(Box::new(case_out(conn, actor, updated).await?))),
    }
}

/// Moves a case to another worker and/or unit inside the supervisor's scope, with a handover note.
pub async fn transfer(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: TransferCase,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::CasesTransfer, "cases.transfer").await?;
    tx::write(state, actor, "cases.transfer", None, move |conn| {
        async move {
            let case = lock_case(conn, actor, id, Some(expected_version)).await?;
            if !case.is_open {
                return Err(case_not_open());
            }
            let to_unit = match body.org_unit_id {
                Some(unit) => repo::org_units::find_in_scope(conn, &actor.scope, unit).await?.ok_or_else(|| {
                    AppError::field(
                        "org_unit_id",
                        "not_found",
                        Text::new("单位不存在或不在您的管辖范围内。", "No such unit in your scope."),
                    )
                })?,
                None => repo::org_units::find(conn, case.org_unit_id).await?.ok_or(AppError::NotFound)?,
            };
            if check_assignee(conn, actor, body.worker_id, Some(&to_unit.path)).await?.is_none() {
                return Err(AppError::Validation(vec![worker_not_assignable("worker_id")]));
            }
            if body.worker_id == case.worker_id && to_unit.id == case.org_unit_id {
                return Err(AppError::field(
                    "worker_id",
                    "unchanged",
                    Text::new("个案已由该社工在该单位负责。", "The case is already with this worker at this unit."),
                ));
            }
            let note = body.note.trim().to_owned();
            repo::cases::insert_transfer(
                conn,
                &NewCaseTransfer {
                    id: Uuid::now_v7(),
                    case_id: id,
                    from_worker_id: case.worker_id,
                    to_worker_id: body.worker_id,
                    from_unit_id: case.org_unit_id,
                    to_unit_id: to_unit.id,
                    note: note.clone(),
                    transferred_by: actor.id,
                },
            )
            .await?;
            let updated = repo::cases::reassign(conn, id, body.worker_id, to_unit.id).await?;
            let details = json!({
                "from_worker_id": case.worker_id,
                "to_worker_id": body.worker_id,
                "from_unit_id": case.org_unit_id,
                "to_unit_id": to_unit.id,
            });
            let mut with_note = details.clone();
            with_note["note"] = json!(note);
            repo::cases::insert_event(conn, &event(&updated, actor, "case.transferred", with_note)).await?;
            repo::audit::insert(conn, &super::audit::by(actor, "case.transfer", "case", Some(id), details)).await?;
            let version = updated.version;
            Written::changed(version, &case_out(conn, actor, updated).await?)
        }
        .scope_boxed_local()
    })
    .await
}

/// The case's timeline, newest first.
pub async fn timeline(state: &AppState, actor: &Actor, id: Uuid, page: &Page) -> Result<Paged<CaseEventOut>, AppError> {
    let before = page.after::<(DateTime<Utc>, Uuid)>()?;
    let mut conn = state.conn().await?;
    repo::cases::find_in_scope(&mut conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    let rows = repo::cases::events(&mut conn, id, before, page.fetch_limit()).await?;
    let lang = crate::i18n::current_lang();
    Ok(page.finish(rows, |e| (e.at, e.id)).map(|e| CaseEventOut {
        summary: event_summary(&e.kind, e.action, e.from_status, e.to_status, &e.details, lang),
        id: e.id,
        at: e.at,
        kind: e.kind,
        action: e.action,
        from_status: e.from_status,
        to_status: e.to_status,
        entity_type: e.entity_type,
        entity_id: e.entity_id,
        actor_id: e.actor_id,
        actor_name: e.actor_name,
        details: e.details,
    }))
}

fn label<T: Coded + serde::de::DeserializeOwned>(details: &Value, key: &str, lang: Lang) -> String {
    serde_json::from_value::<T>(details[key].clone())
        .map(|v| match lang {
            Lang::Zh => v.zh(),
            Lang::En => v.en(),
        })
        .unwrap_or("")
        .to_owned()
}

fn text_of(details: &Value, key: &str) -> String {
    match &details[key] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A one-line description of a case event, in `lang` (also used by the client timeline).
pub fn event_summary(
    kind: &str,
    action: Option<CaseAction>,
    from: Option<CaseStatus>,
    to: Option<CaseStatus>,
    details: &Value,
    lang: Lang,
) -> String {
    let zh = matches!(lang, Lang::Zh);
    let name = |c: Option<CaseStatus>| c.map(|s| if zh { s.zh() } else { s.en() }).unwrap_or("");
    let moved = match (from, to) {
        (Some(f), Some(t)) if f != t => {
            if zh {
                format!("（{} → {}）", name(Some(f)), name(Some(t)))
            } else {
                format!(" ({} → {})", name(Some(f)), name(Some(t)))
            }
        }
        _ => String::new(),
    };
    let base = match kind {
        "case.opened" => {
            if zh {
                format!("接案，个案编号 {}", text_of(details, "case_no"))
            } else {
                format!("Case opened as {}", text_of(details, "case_no"))
            }
        }
        "case.transition" => action.map(|a| if zh { a.zh() } else { a.en() }).unwrap_or("").to_owned(),
        "case.updated" => (if zh { "更新个案信息" } else { "Case details updated" }).to_owned(),
        "case.transferred" => (if zh { "个案转移" } else { "Case transferred" }).to_owned(),
        "review.requested" => {
            let k = label::<ReviewKind>(details, "review_kind", lang);
            if zh {
                format!("提交{k}")
            } else {
                format!("{k} requested")
            }
        }
        "review.decided" => {
            let k = label::<ReviewKind>(details, "review_kind", lang);
            let d = label::<ReviewDecision>(details, "decision", lang);
            if zh {
                format!("{k}：{d}")
            } else {
                format!("{k}: {d}")
            }
        }
        "assessment.added" => (if zh { "提交预估" } else { "Assessment recorded" }).to_owned(),
        "plan.added" => {
            let n = text_of(details, "version_no");
            if zh {
                format!("提交服务计划（第 {n} 版）")
            } else {
                format!("Service plan version {n} recorded")
            }
        }
        "evaluation.added" => (if zh { "提交评估" } else { "Evaluation recorded" }).to_owned(),
        "follow_up.scheduled" => {
            let due = text_of(details, "due_on");
            if zh {
                format!("安排跟进（{due}）")
            } else {
                format!("Follow-up scheduled for {due}")
            }
        }
        "follow_up.done" => (if zh { "完成跟进" } else { "Follow-up done" }).to_owned(),
        "follow_up.updated" => (if zh { "调整跟进安排" } else { "Follow-up rescheduled" }).to_owned(),
        "referral.added" => {
            let org = text_of(details, "organization");
            if zh {
                format!("转介：{org}")
            } else {
                format!("Referral: {org}")
            }
        }
        "referral.updated" => {
            let s = label::<ReferralStatus>(details, "to", lang);
            if zh {
                format!("转介状态更新为{s}")
            } else {
                format!("Referral {s}")
            }
        }
        "session.recorded" => (if zh { "记录个案服务" } else { "Session recorded" }).to_owned(),
        other => other.to_owned(),
    };
    format!("{base}{moved}")
}

/// One review as the API shows it (the caller has already checked scope).
pub(crate) async fn review_out(conn: &mut Conn, id: Uuid) -> Result<ReviewOut, AppError> {
    repo::reviews::rows(conn, &[id]).await?.into_iter().next().map(ReviewOut::from).ok_or(AppError::NotFound)
}
