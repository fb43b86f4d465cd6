//! The case state machine (DOMAIN.md §4): one pure transition function and the review decisions.
//!
//! Policy:
//! - [`transition`] is the only place that knows which action leads where, who may take it and
//!   what it needs; [`allowed_actions`] asks it about every action instead of keeping a second
//!   table, so the two cannot disagree.
//! - Checks run in a fixed order so that each refusal maps to one HTTP answer: an admin is refused
//!   outright (403, admins do no casework); then an action that does not exist from the current
//!   status (409, with the allowed actions); then who may act (403); then the guards (409 for the
//!   state of the case, 422 for missing input, naming the field).
//! - A worker acts only on cases assigned to them; a supervisor may do everything a worker may on
//!   every case in scope (scope itself is the caller's 404 check), and alone may `reopen` and
//!   `void`.
//! - A pending review freezes the process: no action is taken until the supervisor approves or
//!   returns it, so a decision can never land on a case that has moved on. (After a `fast_track`
//!   the worker keeps recording sessions and writes the plan meanwhile; sessions are not actions.)
//! - A reason or comment counts as given only when it is not blank.
//! - Nothing here deletes anything: `void` is a status, and `not_opened`, `closed` and `voided`
//!   are the only statuses that are not open.

use std::fmt;

use super::enums::{CaseAction, CaseStatus, ClosureReason, ReviewDecision, ReviewKind, ReviewStatus, RiskLevel, Role};
use super::labels::Coded;
use super::permissions::{may, Permission};

/// What [`transition`] needs to know about the case and the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionContext {
    /// Current status of the case.
    pub status: CaseStatus,
    /// Role of the caller.
    pub role: Role,
    /// Whether the caller is the case's assigned worker.
    pub is_assigned_worker: bool,
    /// Current risk level of the case.
    pub risk_level: RiskLevel,
    /// Number of submitted assessments.
    pub assessment_count: u32,
    /// Number of goals in the latest service plan (0 when there is no plan).
    pub plan_goal_count: u32,
    /// Number of individual sessions recorded on the case.
    pub individual_session_count: u32,
    /// Whether an evaluation has been submitted.
    pub has_evaluation: bool,
    /// Whether a review of the case is pending.
    pub has_pending_review: bool,
    /// Number of follow-ups scheduled (done or not).
    pub scheduled_follow_ups: u32,
    /// Number of scheduled follow-ups not yet done.
    pub open_follow_ups: u32,
    /// Whether the case has an outgoing referral.
    pub has_outgoing_referral: bool,
    /// Whether the client's consent on file allows services today (`domain::consent::permits`).
    pub has_service_consent: bool,
}

/// The action requested, with its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionInput {
    /// The action to take.
    pub action: CaseAction,
    /// Free-text reason (required by `decline`, `suspend`, `resume`, `reopen`, `void`).
    pub reason: Option<String>,
    /// Closure reason (required by `request_closure`).
    pub closure_reason: Option<ClosureReason>,
}

/// The result of an accepted action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The status the case moves to (unchanged for `submit_plan` and `request_closure`).
    pub to: CaseStatus,
    /// The review to create in `pending` status, if any.
    pub creates_review: Option<ReviewKind>,
}

/// Why an action or a review decision was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The action does not exist from this status (409; answer with [`allowed_actions`]).
    NotAllowedFromStatus {
        /// Current status of the case.
        status: CaseStatus,
        /// The refused action.
        action: CaseAction,
    },
    /// The caller's role may not do this (403).
    RoleNotPermitted {
        /// The caller's role.
        role: Role,
    },
    /// A worker acted on a case assigned to someone else (403).
    NotAssignedWorker,
    /// The supervisor who requested a review may not decide it (403).
    RequesterCannotDecide,
    /// A guard failed: 422 when `field` names missing input, 409 when the case is not ready.
    GuardFailed {
        /// Stable snake_case code of the guard (e.g. `no_assessment`).
        code: &'static str,
        /// Request field to fix, for input guards (e.g. `reason`); `None` for state guards.
        field: Option<&'static str>,
        /// zh-CN message.
        zh: &'static str,
        /// English message.
        en: &'static str,
    },
}

/// The kinds of refusal, which the API answers differently (403, 409, 422).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The caller may not do this.
    Forbidden,
    /// The case's current state does not allow it.
    Conflict,
    /// A field of the request is missing or wrong.
    Invalid,
}

impl Refusal {
    /// Stable snake_case code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotAllowedFromStatus { .. } => "action_not_allowed",
            Refusal::RoleNotPermitted { .. } => "role_not_permitted",
            Refusal::NotAssignedWorker => "not_assigned_worker",
            Refusal::RequesterCannotDecide => "requester_cannot_decide",
            Refusal::GuardFailed { code, .. } => code,
        }
    }

    /// The request field to highlight, for refusals caused by missing input.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::GuardFailed { field, .. } => *field,
            _ => None,
        }
    }

    /// What kind of refusal this is: the caller lacks the function, the case is in the wrong
    /// state, or a field of the request is missing or wrong.
    pub fn kind(&self) -> RefusalKind {
        match self {
            Refusal::NotAllowedFromStatus { .. } => RefusalKind::Conflict,
            Refusal::RoleNotPermitted { .. } | Refusal::NotAssignedWorker | Refusal::RequesterCannotDecide => {
                RefusalKind::Forbidden
            }
            Refusal::GuardFailed { field: Some(_), .. } => RefusalKind::Invalid,
            Refusal::GuardFailed { field: None, .. } => RefusalKind::Conflict,
        }
    }

    /// zh-CN message.
    pub fn message_zh(&self) -> String {
        match self {
            Refusal::NotAllowedFromStatus { status, action } => {
                format!("个案当前状态为「{}」，不能执行「{}」", status.zh(), action.zh())
            }
            Refusal::RoleNotPermitted { role } => format!("「{}」角色无权执行此操作", role.zh()),
            Refusal::NotAssignedWorker => "只有个案的负责社工或督导可以执行此操作".to_owned(),
            Refusal::RequesterCannotDecide => "不能审核自己提交的申请".to_owned(),
            Refusal::GuardFailed { zh, .. } => (*zh).to_owned(),
        }
    }

    /// English message.
    pub fn message_en(&self) -> String {
        match self {
            Refusal::NotAllowedFromStatus { status, action } => {
                format!("Action `{}` is not allowed while the case is `{}`", action.code(), status.code())
            }
            Refusal::RoleNotPermitted { role } => format!("Role `{}` may not do this", role.code()),
            Refusal::NotAssignedWorker => "Only the case's assigned worker or a supervisor may do this".to_owned(),
            Refusal::RequesterCannotDecide => "You cannot decide a review you requested".to_owned(),
            Refusal::GuardFailed { en, .. } => (*en).to_owned(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for Refusal {}

/// The guards, each with its code, field and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Guard {
    ReasonRequired,
    ReviewPending,
    RiskNotRed,
    NoAssessment,
    PlanWithoutGoals,
    NoIndividualSession,
    NoEvaluation,
    ClosureReasonRequired,
    ReferralRequired,
    FollowUpsOpen,
    CommentRequired,
    ReviewNotPending,
    CaseNotAwaitingReview,
    ConsentRequired,
}

impl Guard {
    fn refusal(self) -> Refusal {
        let (code, field, zh, en) = match self {
            Guard::ReasonRequired => ("reason_required", Some("reason"), "请填写原因", "A reason is required"),
            Guard::ReviewPending => (
                "review_pending",
                None,
                "个案有待审核的申请，请等待督导审核",
                "A review of this case is pending; wait for the supervisor's decision",
            ),
            Guard::RiskNotRed => {
                ("risk_not_red", None, "只有红色（高风险）个案可以快速介入", "Only a red (high-risk) case can be fast-tracked")
            }
            Guard::NoAssessment => ("no_assessment", None, "请先提交至少一份预估", "Submit at least one assessment first"),
            Guard::PlanWithoutGoals => {
                ("plan_without_goals", None, "服务计划至少需要一个目标", "The service plan needs at least one goal")
            }
            Guard::NoIndividualSession => {
                ("no_individual_session", None, "请先记录至少一次个案服务", "Record at least one individual session first")
            }
            Guard::NoEvaluation => ("no_evaluation", None, "请先提交评估", "Submit an evaluation first"),
            Guard::ClosureReasonRequired => {
                ("closure_reason_required", Some("closure_reason"), "请选择结案原因", "A closure reason is required")
            }
            Guard::ReferralRequired => (
                "referral_required",
                None,
                "以「已转介」结案须先登记转出记录",
                "Closing as referred out needs an outgoing referral",
            ),
            Guard::FollowUpsOpen => ("follow_ups_open", None, "还有未完成的跟进", "Some follow-ups are not done yet"),
            Guard::CommentRequired => {
                ("comment_required", Some("comment"), "退回时请填写意见", "A comment is required to return a review")
            }
            Guard::ReviewNotPending => ("review_not_pending", None, "该申请已审核", "This review has already been decided"),
            Guard::CaseNotAwaitingReview => (
                "case_not_awaiting_review",
                None,
                "个案当前状态不适用该审核",
                "The case is not in a status this review applies to",
            ),
            Guard::ConsentRequired => (
                "consent_required",
                None,
                "服务对象（或其监护人）的知情同意尚未登记或已撤回，个案不能离开接案阶段",
                "A case leaves intake only with the client's (or guardian's) consent to services on file",
            ),
        };
        Refusal::GuardFailed { code, field, zh, en }
    }
}

/// Who may take an action (admins never may).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    /// The assigned worker, or anyone who works every case in scope.
    AssignedWorker,
    /// Those granted this permission only.
    Granted(Permission),
}

fn present(text: Option<&str>) -> bool {
    text.is_some_and(|t| !t.trim().is_empty())
}

fn require(ok: bool, guard: Guard) -> Result<(), Refusal> {
    if ok {
        Ok(())
    } else {
        Err(guard.refusal())
    }
}

/// Whether the case is still open (not `not_opened`, `closed` or `voided`).
pub fn is_open(status: CaseStatus) -> bool {
    use CaseStatus as S;
    match status {
        S::Intake | S::Assessment | S::Planning | S::Intervention | S::Suspended | S::Evaluation | S::FollowUp => true,
        S::NotOpened | S::Closed | S::Voided => false,
    }
}

/// Whether individual sessions may be recorded on a case in this status.
pub fn accepts_individual_sessions(status: CaseStatus) -> bool {
    use CaseStatus as S;
    match status {
        S::Assessment | S::Planning | S::Intervention | S::Evaluation | S::FollowUp => true,
        S::Intake | S::NotOpened | S::Suspended | S::Closed | S::Voided => false,
    }
}

/// Applies `input` to the case described by `ctx`: the new status and any review to create, or
/// why not.
pub fn transition(ctx: &TransitionContext, input: &TransitionInput) -> Result<Outcome, Refusal> {
    use CaseAction as A;
    use CaseStatus as S;

    if !may(ctx.role, Permission::CasesWorkAssigned) {
        return Err(Refusal::RoleNotPermitted { role: ctx.role });
    }

    let (to, actor, creates_review) = match (ctx.status, input.action) {
        (S::Intake, A::Decline) => (S::NotOpened, Actor::AssignedWorker, None),
        (S::Intake, A::StartAssessment) => (S::Assessment, Actor::AssignedWorker, None),
        (S::Intake, A::FastTrack) => (S::Intervention, Actor::AssignedWorker, Some(ReviewKind::PlanApproval)),
        (S::Assessment, A::StartPlanning) => (S::Planning, Actor::AssignedWorker, None),
        (S::Planning, A::SubmitPlan) => (S::Planning, Actor::AssignedWorker, Some(ReviewKind::PlanApproval)),
        (S::Intervention, A::Reassess) => (S::Assessment, Actor::AssignedWorker, None),
        (S::Intervention, A::Suspend) => (S::Suspended, Actor::AssignedWorker, None),
        (S::Suspended, A::Resume) => (S::Intervention, Actor::AssignedWorker, None),
        (S::Intervention, A::StartEvaluation) => (S::Evaluation, Actor::AssignedWorker, None),
        (S::Evaluation, A::RequestClosure) => (S::Evaluation, Actor::AssignedWorker, Some(ReviewKind::ClosureApproval)),
        (S::FollowUp, A::CompleteFollowUp) => (S::Closed, Actor::AssignedWorker, None),
        (S::Closed, A::Reopen) => (S::Assessment, Actor::Granted(Permission::CasesReopen), None),
        (from, A::Void) if is_open(from) => (S::Voided, Actor::Granted(Permission::CasesVoid), None),
        (status, action) => return Err(Refusal::NotAllowedFromStatus { status, action }),
    };

    match actor {
        Actor::AssignedWorker if ctx.is_assigned_worker || may(ctx.role, Permission::CasesWorkAll) => {}
        Actor::AssignedWorker => return Err(Refusal::NotAssignedWorker),
        Actor::Granted(permission) if may(ctx.role, permission) => {}
        Actor::Granted(_) => return Err(Refusal::RoleNotPermitted { role: ctx.role }),
    }

    require(!ctx.has_pending_review, Guard::ReviewPending)?;

    // State guards come before input guards: input can be retyped, the case's state cannot.
    match input.action {
        A::Decline | A::Suspend | A::Resume | A::Reopen | A::Void => {
            require(present(input.reason.as_deref()), Guard::ReasonRequired)?;
        }
        A::FastTrack => {
            require(ctx.risk_level == RiskLevel::Red, Guard::RiskNotRed)?;
            require(ctx.has_service_consent, Guard::ConsentRequired)?;
        }
        A::StartAssessment => require(ctx.has_service_consent, Guard::ConsentRequired)?,
        A::StartPlanning => require(ctx.assessment_count > 0, Guard::NoAssessment)?,
        A::SubmitPlan => require(ctx.plan_goal_count > 0, Guard::PlanWithoutGoals)?,
        A::StartEvaluation => require(ctx.individual_session_count > 0, Guard::NoIndividualSession)?,
        A::RequestClosure => {
            require(ctx.has_evaluation, Guard::NoEvaluation)?;
            let reason = input.closure_reason.ok_or_else(|| Guard::ClosureReasonRequired.refusal())?;
            if reason == ClosureReason::ReferredOut {
                require(ctx.has_outgoing_referral, Guard::ReferralRequired)?;
            }
        }
        A::CompleteFollowUp => require(ctx.open_follow_ups == 0, Guard::FollowUpsOpen)?,
        A::Reassess => {}
    }

    Ok(Outcome { to, creates_review })
}

/// The actions the caller could take now, in display order.
///
/// Each action is tried through [`transition`] with a reason and every closure reason filled in,
/// so that only the case's state and the caller's rights decide, not input not yet typed.
pub fn allowed_actions(ctx: &TransitionContext) -> Vec<CaseAction> {
    CaseAction::ALL
        .iter()
        .copied()
        .filter(|&action| {
            ClosureReason::ALL.iter().any(|&closure_reason| {
                let input = TransitionInput { action, reason: Some("reason".to_owned()), closure_reason: Some(closure_reason) };
                transition(ctx, &input).is_ok()
            })
        })
        .collect()
}

/// What [`decide_review`] needs to know about the review, the case and the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewContext {
    /// Role of the caller.
    pub role: Role,
    /// Whether the caller requested this review.
    pub is_requester: bool,
    /// Current status of the review.
    pub review_status: ReviewStatus,
    /// Current status of the case.
    pub case_status: CaseStatus,
    /// Number of goals in the latest service plan (a fast-tracked case may not have one yet).
    pub plan_goal_count: u32,
    /// Number of follow-ups scheduled on the case.
    pub scheduled_follow_ups: u32,
    /// The supervisor's comment (required to return a review).
    pub comment: Option<String>,
}

/// Decides a pending review: the status the case moves to, or why not.
///
/// Approving a plan puts the case in `intervention`; returning it sends it back to `planning`
/// (also after a fast track). Approving a closure moves the case to `follow_up` when follow-ups
/// are scheduled and to `closed` otherwise; returning it sends the case back to `intervention`.
pub fn decide_review(kind: ReviewKind, decision: ReviewDecision, ctx: &ReviewContext) -> Result<CaseStatus, Refusal> {
    use CaseStatus as S;

    if !may(ctx.role, Permission::ReviewsDecide) {
        return Err(Refusal::RoleNotPermitted { role: ctx.role });
    }
    if ctx.is_requester {
        return Err(Refusal::RequesterCannotDecide);
    }
    require(ctx.review_status == ReviewStatus::Pending, Guard::ReviewNotPending)?;

    // `intervention` is where a fast-tracked case waits for its plan's approval.
    let applies = match kind {
        ReviewKind::PlanApproval => matches!(ctx.case_status, S::Planning | S::Intervention),
        ReviewKind::ClosureApproval => ctx.case_status == S::Evaluation,
    };
    require(applies, Guard::CaseNotAwaitingReview)?;

    match (kind, decision) {
        (ReviewKind::PlanApproval, ReviewDecision::Approve) => {
            require(ctx.plan_goal_count > 0, Guard::PlanWithoutGoals)?;
            Ok(S::Intervention)
        }
        (ReviewKind::ClosureApproval, ReviewDecision::Approve) => {
            Ok(if ctx.scheduled_follow_ups > 0 { S::FollowUp } else { S::Closed })
        }
        (ReviewKind::PlanApproval, ReviewDecision::Return) => {
            require(present(ctx.comment.as_deref()), Guard::CommentRequired)?;
            Ok(S::Planning)
        }
        (ReviewKind::ClosureApproval, ReviewDecision::Return) => {
            require(present(ctx.comment.as_deref()), Guard::CommentRequired)?;
            Ok(S::Intervention)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseAction as A;
    use CaseStatus as S;

    /// A context where every guard is satisfied.
    fn ready(status: CaseStatus, role: Role) -> TransitionContext {
        TransitionContext {
            status,
            role,
            is_assigned_worker: role == Role::Worker,
            risk_level: RiskLevel::Red,
            assessment_count: 1,
            plan_goal_count: 2,
            individual_session_count: 3,
            has_evaluation: true,
            has_pending_review: false,
            scheduled_follow_ups: 0,
            open_follow_ups: 0,
            has_outgoing_referral: true,
            has_service_consent: true,
        }
    }

    fn full(action: CaseAction) -> TransitionInput {
        TransitionInput { action, reason: Some("家属要求".to_owned()), closure_reason: Some(ClosureReason::GoalsAchieved) }
    }

    fn bare(action: CaseAction) -> TransitionInput {
        TransitionInput { action, reason: None, closure_reason: None }
    }

    fn guard_code(r: Result<Outcome, Refusal>) -> &'static str {
        match r {
            Err(Refusal::GuardFailed { code, .. }) => code,
            other => panic!("expected a guard refusal, got {other:?}"),
        }
    }

    /// The table of DOMAIN.md §4, written out independently of `transition`.
    fn expected(status: CaseStatus, action: CaseAction) -> Option<(CaseStatus, Option<ReviewKind>)> {
        let open = [S::Intake, S::Assessment, S::Planning, S::Intervention, S::Suspended, S::Evaluation, S::FollowUp];
        Some(match (status, action) {
            (S::Intake, A::Decline) => (S::NotOpened, None),
            (S::Intake, A::StartAssessment) => (S::Assessment, None),
            (S::Intake, A::FastTrack) => (S::Intervention, Some(ReviewKind::PlanApproval)),
            (S::Assessment, A::StartPlanning) => (S::Planning, None),
            (S::Planning, A::SubmitPlan) => (S::Planning, Some(ReviewKind::PlanApproval)),
            (S::Intervention, A::Reassess) => (S::Assessment, None),
            (S::Intervention, A::Suspend) => (S::Suspended, None),
            (S::Suspended, A::Resume) => (S::Intervention, None),
            (S::Intervention, A::StartEvaluation) => (S::Evaluation, None),
            (S::Evaluation, A::RequestClosure) => (S::Evaluation, Some(ReviewKind::ClosureApproval)),
            (S::FollowUp, A::CompleteFollowUp) => (S::Closed, None),
            (S::Closed, A::Reopen) => (S::Assessment, None),
            (s, A::Void) if open.contains(&s) => (S::Voided, None),
            _ => return None,
        })
    }

    #[test]
    fn every_status_action_pair_matches_the_table() {
        let mut allowed = 0;
        for &status in S::ALL {
            for &action in A::ALL {
                let got = transition(&ready(status, Role::Supervisor), &full(action));
                match expected(status, action) {
                    Some((to, creates_review)) => {
                        allowed += 1;
                        assert_eq!(got, Ok(Outcome { to, creates_review }), "{status:?} + {action:?}");
                    }
                    None => assert_eq!(got, Err(Refusal::NotAllowedFromStatus { status, action }), "{status:?} + {action:?}"),
                }
            }
        }
        assert_eq!(allowed, 12 + 7, "12 single edges and void from 7 open statuses");
    }

    #[test]
    fn assigned_worker_may_do_every_worker_action() {
        for &status in S::ALL {
            for &action in A::ALL {
                let got = transition(&ready(status, Role::Worker), &full(action));
                match expected(status, action) {
                    Some(_) if matches!(action, A::Reopen | A::Void) => {
                        assert_eq!(got, Err(Refusal::RoleNotPermitted { role: Role::Worker }), "{status:?} + {action:?}");
                    }
                    Some((to, creates_review)) => {
                        assert_eq!(got, Ok(Outcome { to, creates_review }), "{status:?} + {action:?}");
                    }
                    None => assert_eq!(got, Err(Refusal::NotAllowedFromStatus { status, action })),
                }
            }
        }
    }

    #[test]
    fn other_workers_are_refused_and_supervisors_need_no_assignment() {
        let mut ctx = ready(S::Intake, Role::Worker);
        ctx.is_assigned_worker = false;
        assert_eq!(transition(&ctx, &full(A::StartAssessment)), Err(Refusal::NotAssignedWorker));
        // The status check comes first, so an impossible action is still a 409.
        assert_eq!(
            transition(&ctx, &full(A::Resume)),
            Err(Refusal::NotAllowedFromStatus { status: S::Intake, action: A::Resume })
        );
        // A supervisor-only action is a role problem, assigned or not.
        assert_eq!(transition(&ctx, &full(A::Void)), Err(Refusal::RoleNotPermitted { role: Role::Worker }));

        let mut sup = ready(S::Intake, Role::Supervisor);
        sup.is_assigned_worker = false;
        assert!(transition(&sup, &full(A::StartAssessment)).is_ok());
        assert!(transition(&sup, &full(A::Void)).is_ok());
    }

    #[test]
    fn admins_take_no_case_actions() {
        for &status in S::ALL {
            for &action in A::ALL {
                let mut ctx = ready(status, Role::Admin);
                ctx.is_assigned_worker = true;
                let got = transition(&ctx, &full(action));
                assert_eq!(got, Err(Refusal::RoleNotPermitted { role: Role::Admin }), "{status:?} + {action:?}");
            }
        }
    }

    #[test]
    fn reason_is_required_and_must_not_be_blank() {
        let cases = [
            (S::Intake, A::Decline),
            (S::Intervention, A::Suspend),
            (S::Suspended, A::Resume),
            (S::Closed, A::Reopen),
            (S::Planning, A::Void),
        ];
        for (status, action) in cases {
            let ctx = ready(status, Role::Supervisor);
            let r = transition(&ctx, &bare(action));
            assert_eq!(guard_code(r), "reason_required", "{action:?}");
            assert_eq!(r.err().and_then(|e| e.field()), Some("reason"));
            for blank in ["", "   ", "\n\t"] {
                let input = TransitionInput { reason: Some(blank.to_owned()), ..bare(action) };
                assert_eq!(guard_code(transition(&ctx, &input)), "reason_required");
            }
            let input = TransitionInput { reason: Some("重复登记".to_owned()), ..bare(action) };
            assert!(transition(&ctx, &input).is_ok(), "{action:?}");
        }
        // Actions that need no reason succeed without one.
        assert!(transition(&ready(S::Intake, Role::Worker), &bare(A::StartAssessment)).is_ok());
        assert!(transition(&ready(S::Intervention, Role::Worker), &bare(A::Reassess)).is_ok());
    }

    #[test]
    fn fast_track_needs_red_risk_and_creates_a_plan_review() {
        for risk in [RiskLevel::Yellow, RiskLevel::Blue, RiskLevel::Green] {
            let mut ctx = ready(S::Intake, Role::Worker);
            ctx.risk_level = risk;
            assert_eq!(guard_code(transition(&ctx, &bare(A::FastTrack))), "risk_not_red");
        }
        let ctx = ready(S::Intake, Role::Worker);
        assert_eq!(
            transition(&ctx, &bare(A::FastTrack)),
            Ok(Outcome { to: S::Intervention, creates_review: Some(ReviewKind::PlanApproval) })
        );
    }

    #[test]
    fn start_planning_needs_an_assessment() {
        let mut ctx = ready(S::Assessment, Role::Worker);
        ctx.assessment_count = 0;
        assert_eq!(guard_code(transition(&ctx, &bare(A::StartPlanning))), "no_assessment");
        ctx.assessment_count = 1;
        assert_eq!(transition(&ctx, &bare(A::StartPlanning)).map(|o| o.to), Ok(S::Planning));
    }

    #[test]
    fn submit_plan_needs_goals_and_no_pending_review() {
        let mut ctx = ready(S::Planning, Role::Worker);
        ctx.plan_goal_count = 0;
        let r = transition(&ctx, &bare(A::SubmitPlan));
        assert_eq!(guard_code(r), "plan_without_goals");
        assert_eq!(r.err().map(|e| e.kind()), Some(RefusalKind::Conflict));
        ctx.plan_goal_count = 1;
        assert_eq!(
            transition(&ctx, &bare(A::SubmitPlan)),
            Ok(Outcome { to: S::Planning, creates_review: Some(ReviewKind::PlanApproval) })
        );
        ctx.has_pending_review = true;
        assert_eq!(guard_code(transition(&ctx, &bare(A::SubmitPlan))), "review_pending");
    }

    #[test]
    fn start_evaluation_needs_an_individual_session() {
        let mut ctx = ready(S::Intervention, Role::Worker);
        ctx.individual_session_count = 0;
        assert_eq!(guard_code(transition(&ctx, &bare(A::StartEvaluation))), "no_individual_session");
        ctx.individual_session_count = 1;
        assert_eq!(transition(&ctx, &bare(A::StartEvaluation)).map(|o| o.to), Ok(S::Evaluation));
    }

    #[test]
    fn request_closure_guards() {
        let closure = |reason: Option<ClosureReason>| TransitionInput { closure_reason: reason, ..bare(A::RequestClosure) };
        let mut ctx = ready(S::Evaluation, Role::Worker);
        ctx.has_evaluation = false;
        assert_eq!(guard_code(transition(&ctx, &closure(Some(ClosureReason::GoalsAchieved)))), "no_evaluation");
        // The state guard is reported before the missing input.
        assert_eq!(guard_code(transition(&ctx, &closure(None))), "no_evaluation");

        ctx.has_evaluation = true;
        let r = transition(&ctx, &closure(None));
        assert_eq!(guard_code(r), "closure_reason_required");
        assert_eq!(r.as_ref().err().map(|e| e.kind()), Some(RefusalKind::Invalid));
        assert_eq!(r.err().and_then(|e| e.field()), Some("closure_reason"));

        ctx.has_outgoing_referral = false;
        assert_eq!(guard_code(transition(&ctx, &closure(Some(ClosureReason::ReferredOut)))), "referral_required");
        for &reason in ClosureReason::ALL.iter().filter(|&&r| r != ClosureReason::ReferredOut) {
            assert_eq!(
                transition(&ctx, &closure(Some(reason))),
                Ok(Outcome { to: S::Evaluation, creates_review: Some(ReviewKind::ClosureApproval) }),
                "{reason:?}"
            );
        }
        ctx.has_outgoing_referral = true;
        assert!(transition(&ctx, &closure(Some(ClosureReason::ReferredOut))).is_ok());

        ctx.has_pending_review = true;
        assert_eq!(guard_code(transition(&ctx, &closure(Some(ClosureReason::GoalsAchieved)))), "review_pending");
    }

    #[test]
    fn complete_follow_up_needs_all_follow_ups_done() {
        let mut ctx = ready(S::FollowUp, Role::Worker);
        ctx.scheduled_follow_ups = 3;
        ctx.open_follow_ups = 1;
        assert_eq!(guard_code(transition(&ctx, &bare(A::CompleteFollowUp))), "follow_ups_open");
        ctx.open_follow_ups = 0;
        assert_eq!(transition(&ctx, &bare(A::CompleteFollowUp)).map(|o| o.to), Ok(S::Closed));
    }

    #[test]
    fn a_pending_review_freezes_the_case() {
        // After a fast track the case is in intervention with a plan review pending.
        let mut ctx = ready(S::Intervention, Role::Supervisor);
        ctx.has_pending_review = true;
        for action in [A::Reassess, A::Suspend, A::StartEvaluation, A::Void] {
            assert_eq!(guard_code(transition(&ctx, &full(action))), "review_pending", "{action:?}");
        }
        assert!(allowed_actions(&ctx).is_empty());
    }

    #[test]
    fn allowed_actions_for_some_contexts() {
        assert_eq!(allowed_actions(&ready(S::Intake, Role::Worker)), vec![A::Decline, A::StartAssessment, A::FastTrack]);
        assert_eq!(
            allowed_actions(&ready(S::Intake, Role::Supervisor)),
            vec![A::Decline, A::StartAssessment, A::FastTrack, A::Void]
        );
        let mut ctx = ready(S::Intervention, Role::Worker);
        ctx.individual_session_count = 0;
        assert_eq!(allowed_actions(&ctx), vec![A::Reassess, A::Suspend]);
        assert_eq!(allowed_actions(&ready(S::Closed, Role::Supervisor)), vec![A::Reopen]);
        assert!(allowed_actions(&ready(S::Closed, Role::Worker)).is_empty());
        assert!(allowed_actions(&ready(S::Voided, Role::Supervisor)).is_empty());
        assert!(allowed_actions(&ready(S::NotOpened, Role::Supervisor)).is_empty());
        assert!(allowed_actions(&ready(S::Planning, Role::Admin)).is_empty());
        let mut other = ready(S::Planning, Role::Worker);
        other.is_assigned_worker = false;
        assert!(allowed_actions(&other).is_empty());
        // Without a referral, closure is still possible for other reasons.
        let mut ctx = ready(S::Evaluation, Role::Worker);
        ctx.has_outgoing_referral = false;
        assert_eq!(allowed_actions(&ctx), vec![A::RequestClosure]);
        ctx.has_evaluation = false;
        assert!(allowed_actions(&ctx).is_empty());
    }

    #[test]
    fn allowed_actions_agree_with_transition() {
        for &status in S::ALL {
            for role in [Role::Worker, Role::Supervisor, Role::Admin] {
                let ctx = ready(status, role);
                let allowed = allowed_actions(&ctx);
                for &action in A::ALL {
                    assert_eq!(allowed.contains(&action), transition(&ctx, &full(action)).is_ok());
                }
            }
        }
    }

    #[test]
    fn open_statuses_and_sessions() {
        let open: Vec<_> = S::ALL.iter().copied().filter(|&s| is_open(s)).collect();
        assert_eq!(open, vec![S::Intake, S::Assessment, S::Planning, S::Intervention, S::Suspended, S::Evaluation, S::FollowUp]);
        let sessions: Vec<_> = S::ALL.iter().copied().filter(|&s| accepts_individual_sessions(s)).collect();
        assert_eq!(sessions, vec![S::Assessment, S::Planning, S::Intervention, S::Evaluation, S::FollowUp]);
    }

    fn review(case_status: CaseStatus) -> ReviewContext {
        ReviewContext {
            role: Role::Supervisor,
            is_requester: false,
            review_status: ReviewStatus::Pending,
            case_status,
            plan_goal_count: 1,
            scheduled_follow_ups: 0,
            comment: None,
        }
    }

    fn decide_code(r: Result<CaseStatus, Refusal>) -> &'static str {
        match r {
            Err(e) => e.code(),
            Ok(s) => panic!("expected a refusal, got {s:?}"),
        }
    }

    #[test]
    fn plan_approval_decisions() {
        use ReviewDecision::{Approve, Return};
        let k = ReviewKind::PlanApproval;
        assert_eq!(decide_review(k, Approve, &review(S::Planning)), Ok(S::Intervention));
        // Fast-tracked: approving keeps intervention, returning sends the case to planning.
        assert_eq!(decide_review(k, Approve, &review(S::Intervention)), Ok(S::Intervention));
        let with_comment = ReviewContext { comment: Some("目标需可测量".to_owned()), ..review(S::Intervention) };
        assert_eq!(decide_review(k, Return, &with_comment), Ok(S::Planning));
        let with_comment = ReviewContext { comment: Some("目标需可测量".to_owned()), ..review(S::Planning) };
        assert_eq!(decide_review(k, Return, &with_comment), Ok(S::Planning));

        let r = decide_review(k, Return, &review(S::Planning));
        assert_eq!(decide_code(r), "comment_required");
        assert_eq!(r.err().map(|e| (e.kind(), e.field())), Some((RefusalKind::Invalid, Some("comment"))));
        let blank = ReviewContext { comment: Some("  ".to_owned()), ..review(S::Planning) };
        assert_eq!(decide_code(decide_review(k, Return, &blank)), "comment_required");

        let no_goals = ReviewContext { plan_goal_count: 0, ..review(S::Intervention) };
        assert_eq!(decide_code(decide_review(k, Approve, &no_goals)), "plan_without_goals");

        for status in [S::Intake, S::Assessment, S::Evaluation, S::Voided, S::Closed] {
            assert_eq!(decide_code(decide_review(k, Approve, &review(status))), "case_not_awaiting_review");
        }
    }

    #[test]
    fn closure_approval_decisions() {
        use ReviewDecision::{Approve, Return};
        let k = ReviewKind::ClosureApproval;
        assert_eq!(decide_review(k, Approve, &review(S::Evaluation)), Ok(S::Closed));
        let scheduled = ReviewContext { scheduled_follow_ups: 2, ..review(S::Evaluation) };
        assert_eq!(decide_review(k, Approve, &scheduled), Ok(S::FollowUp));
        assert_eq!(decide_code(decide_review(k, Return, &review(S::Evaluation))), "comment_required");
        let with_comment = ReviewContext { comment: Some("评估证据不足".to_owned()), ..review(S::Evaluation) };
        assert_eq!(decide_review(k, Return, &with_comment), Ok(S::Intervention));
        for status in [S::Planning, S::Intervention, S::FollowUp, S::Voided] {
            assert_eq!(decide_code(decide_review(k, Approve, &review(status))), "case_not_awaiting_review");
        }
    }

    #[test]
    fn who_may_decide_a_review() {
        use ReviewDecision::Approve;
        let k = ReviewKind::PlanApproval;
        for role in [Role::Worker, Role::Admin] {
            let ctx = ReviewContext { role, ..review(S::Planning) };
            assert_eq!(decide_review(k, Approve, &ctx), Err(Refusal::RoleNotPermitted { role }));
        }
        let own = ReviewContext { is_requester: true, ..review(S::Planning) };
        let r = decide_review(k, Approve, &own);
        assert_eq!(r, Err(Refusal::RequesterCannotDecide));
        assert_eq!(r.err().map(|e| e.kind()), Some(RefusalKind::Forbidden));
        for status in [ReviewStatus::Approved, ReviewStatus::Returned] {
            let done = ReviewContext { review_status: status, ..review(S::Planning) };
            assert_eq!(decide_code(decide_review(k, Approve, &done)), "review_not_pending");
        }
    }

    #[test]
    fn a_case_leaves_intake_only_with_consent_to_services() {
        let without = TransitionContext { has_service_consent: false, ..ready(S::Intake, Role::Worker) };
        for action in [A::StartAssessment, A::FastTrack] {
            let refusal = transition(&without, &full(action)).expect_err("refused");
            assert_eq!((refusal.code(), refusal.kind()), ("consent_required", RefusalKind::Conflict));
            assert!(transition(&ready(S::Intake, Role::Worker), &full(action)).is_ok());
        }
        // Declining needs no consent, and the actions offered say so.
        assert!(transition(&without, &full(A::Decline)).is_ok());
        assert_eq!(allowed_actions(&without), vec![A::Decline]);
        // Consent is asked for at intake; a case already under way keeps moving.
        let later = TransitionContext { has_service_consent: false, ..ready(S::Assessment, Role::Worker) };
        assert!(transition(&later, &full(A::StartPlanning)).is_ok());
    }

    #[test]
    fn refusals_map_to_http_answers() {
        let not_allowed = Refusal::NotAllowedFromStatus { status: S::Closed, action: A::Suspend };
        assert_eq!((not_allowed.kind(), not_allowed.code()), (RefusalKind::Conflict, "action_not_allowed"));
        assert!(not_allowed.message_zh().contains("结案"));
        assert!(not_allowed.message_en().contains("suspend"));
        assert_eq!(Refusal::NotAssignedWorker.kind(), RefusalKind::Forbidden);
        assert_eq!(Refusal::RoleNotPermitted { role: Role::Admin }.kind(), RefusalKind::Forbidden);
        assert!(Refusal::RoleNotPermitted { role: Role::Admin }.message_zh().contains("管理员"));
        let all_guards = [
            Guard::ReasonRequired,
            Guard::ReviewPending,
            Guard::RiskNotRed,
            Guard::NoAssessment,
            Guard::PlanWithoutGoals,
            Guard::NoIndividualSession,
            Guard::NoEvaluation,
            Guard::ClosureReasonRequired,
            Guard::ReferralRequired,
            Guard::FollowUpsOpen,
            Guard::CommentRequired,
            Guard::ReviewNotPending,
            Guard::CaseNotAwaitingReview,
            Guard::ConsentRequired,
        ];
        let mut codes: Vec<_> = all_guards.iter().map(|g| g.refusal().code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all_guards.len());
        for g in all_guards {
            let r = g.refusal();
            assert!(!r.message_zh().is_empty() && !r.message_en().is_empty());
            assert_eq!(r.kind(), if r.field().is_some() { RefusalKind::Invalid } else { RefusalKind::Conflict });
        }
    }

    /// Arbitrary sequences of actions and review decisions, by arbitrary callers on cases with
    /// arbitrary records.
    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn role() -> impl Strategy<Value = Role> {
            prop_oneof![2 => Just(Role::Worker), 3 => Just(Role::Supervisor), 1 => Just(Role::Admin)]
        }

        fn reason() -> impl Strategy<Value = Option<String>> {
            prop::option::of(prop::sample::select(vec!["", "  ", "\t\n", "家属要求", "x"]).prop_map(str::to_owned))
        }

        /// What the case's records and the caller are like at one step.
        #[derive(Debug, Clone)]
        struct Facts {
            role: Role,
            is_assigned_worker: bool,
            risk_level: RiskLevel,
            assessment_count: u32,
            plan_goal_count: u32,
            individual_session_count: u32,
            has_evaluation: bool,
            scheduled_follow_ups: u32,
            open_follow_ups: u32,
            has_outgoing_referral: bool,
        }

        fn facts() -> impl Strategy<Value = Facts> {
            (
                role(),
                prop::bool::weighted(0.8),
                prop::sample::select(RiskLevel::ALL.to_vec()),
                0u32..3,
                0u32..3,
                0u32..3,
                prop::bool::weighted(0.8),
                (0u32..3, 0u32..3),
                any::<bool>(),
            )
                .prop_map(
                    |(role, assigned, risk, assessments, goals, sessions, evaluation, (scheduled, open), referral)| Facts {
                        role,
                        is_assigned_worker: assigned,
                        risk_level: risk,
                        assessment_count: assessments,
                        plan_goal_count: goals,
                        individual_session_count: sessions,
                        has_evaluation: evaluation,
                        scheduled_follow_ups: scheduled,
                        open_follow_ups: open.min(scheduled),
                        has_outgoing_referral: referral,
                    },
                )
        }

        #[derive(Debug, Clone)]
        enum Step {
            /// `steer` picks among the actions documented from the current status instead, so that
            /// walks get past the first steps.
            Act {
                facts: Facts,
                action: CaseAction,
                steer: Option<prop::sample::Index>,
                reason: Option<String>,
                closure_reason: Option<ClosureReason>,
            },
            Decide {
                facts: Facts,
                decision: ReviewDecision,
                is_requester: bool,
                comment: Option<String>,
            },
        }

        fn step() -> impl Strategy<Value = Step> {
            prop_oneof![
                2 => (
                    facts(),
                    prop::sample::select(CaseAction::ALL.to_vec()),
                    prop::option::weighted(0.8, any::<prop::sample::Index>()),
                    reason(),
                    prop::option::of(prop::sample::select(ClosureReason::ALL.to_vec())),
                )
                    .prop_map(|(facts, action, steer, reason, closure_reason)| Step::Act {
                        facts,
                        action,
                        steer,
                        reason,
                        closure_reason
                    }),
                1 => (facts(), prop::sample::select(ReviewDecision::ALL.to_vec()), any::<bool>(), reason())
                    .prop_map(|(facts, decision, is_requester, comment)| Step::Decide { facts, decision, is_requester, comment }),
            ]
        }

        /// The statuses a review decision may lead to (DOMAIN.md §4), written out independently
        /// of `decide_review`.
        fn decided(kind: ReviewKind, decision: ReviewDecision, follow_ups: u32) -> CaseStatus {
            match (kind, decision) {
                (ReviewKind::PlanApproval, ReviewDecision::Approve) => S::Intervention,
                (ReviewKind::PlanApproval, ReviewDecision::Return) => S::Planning,
                (ReviewKind::ClosureApproval, ReviewDecision::Approve) if follow_ups > 0 => S::FollowUp,
                (ReviewKind::ClosureApproval, ReviewDecision::Approve) => S::Closed,
                (ReviewKind::ClosureApproval, ReviewDecision::Return) => S::Intervention,
            }
        }

        /// Every (status, pending review) pair reachable from a new case by the documented edges
        /// alone: actions while no review is pending, decisions while one is.
        fn documented_reach() -> Vec<(CaseStatus, Option<ReviewKind>)> {
            let mut reached = vec![(S::Intake, None)];
            let mut i = 0;
            while i < reached.len() {
                let next: Vec<(CaseStatus, Option<ReviewKind>)> = match reached[i] {
                    (from, None) => A::ALL.iter().filter_map(|&a| expected(from, a)).collect(),
                    (_, Some(kind)) => [(ReviewDecision::Approve, 0), (ReviewDecision::Approve, 1), (ReviewDecision::Return, 0)]
                        .into_iter()
                        .map(|(decision, follow_ups)| (decided(kind, decision, follow_ups), None))
                        .collect(),
                };
                for pair in next {
                    if !reached.contains(&pair) {
                        reached.push(pair);
                    }
                }
                i += 1;
            }
            reached
        }

        fn context(status: CaseStatus, pending: Option<ReviewKind>, f: &Facts) -> TransitionContext {
            TransitionContext {
                status,
                role: f.role,
                is_assigned_worker: f.is_assigned_worker,
                risk_level: f.risk_level,
                assessment_count: f.assessment_count,
                plan_goal_count: f.plan_goal_count,
                individual_session_count: f.individual_session_count,
                has_evaluation: f.has_evaluation,
                has_pending_review: pending.is_some(),
                scheduled_follow_ups: f.scheduled_follow_ups,
                open_follow_ups: f.open_follow_ups,
                has_outgoing_referral: f.has_outgoing_referral,
                has_service_consent: true,
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn every_reached_status_follows_a_documented_edge(steps in prop::collection::vec(step(), 1..60)) {
                let reachable = documented_reach();
                let mut status = S::Intake;
                let mut pending: Option<ReviewKind> = None;
                for step in steps {
                    match step {
                        Step::Act { facts, action, steer, reason, closure_reason } => {
                            let documented: Vec<CaseAction> = A::ALL.iter().copied().filter(|&a| expected(status, a).is_some()).collect();
                            let action = match steer {
                                Some(i) if !documented.is_empty() => *i.get(&documented),
                                _ => action,
                            };
                            let ctx = context(status, pending, &facts);
                            let input = TransitionInput { action, reason: reason.clone(), closure_reason };
                            let allowed = allowed_actions(&ctx);
                            match transition(&ctx, &input) {
                                Ok(outcome) => {
                                    prop_assert_eq!(expected(status, action), Some((outcome.to, outcome.creates_review)));
                                    prop_assert!(pending.is_none(), "an action while a review is pending");
                                    prop_assert!(facts.role != Role::Admin);
                                    if facts.role == Role::Worker {
                                        prop_assert!(facts.is_assigned_worker && !matches!(action, A::Reopen | A::Void));
                                    }
                                    prop_assert!(allowed.contains(&action), "{action:?} taken but not offered");
                                    status = outcome.to;
                                    pending = outcome.creates_review;
                                }
                                Err(refusal) => {
                                    prop_assert!(!refusal.message_zh().is_empty() && !refusal.message_en().is_empty());
                                    if refusal.kind() == RefusalKind::Invalid {
                                        prop_assert!(refusal.field().is_some());
                                    }
                                }
                            }
                        }
                        Step::Decide { facts, decision, is_requester, comment } => {
                            let kind = pending.unwrap_or(ReviewKind::PlanApproval);
                            let ctx = ReviewContext {
                                role: facts.role,
                                is_requester,
                                review_status: if pending.is_some() { ReviewStatus::Pending } else { ReviewStatus::Approved },
                                case_status: status,
                                plan_goal_count: facts.plan_goal_count,
                                scheduled_follow_ups: facts.scheduled_follow_ups,
                                comment,
                            };
                            match decide_review(kind, decision, &ctx) {
                                Ok(to) => {
                                    prop_assert!(pending.is_some(), "a decision without a pending review");
                                    prop_assert_eq!(facts.role, Role::Supervisor);
                                    prop_assert!(!is_requester);
                                    prop_assert_eq!(to, decided(kind, decision, facts.scheduled_follow_ups));
                                    status = to;
                                    pending = None;
                                }
                                Err(refusal) => prop_assert!(!refusal.message_en().is_empty()),
                            }
                        }
                    }
                    prop_assert!(reachable.contains(&(status, pending)), "{status:?} with {pending:?} pending is not reachable by the documented edges");
                    if !is_open(status) {
                        prop_assert!(pending.is_none(), "a review pending on a case that is not open");
                    }
                }
            }

            #[test]
            fn allowed_actions_are_exactly_the_accepted_ones(facts in facts(), status in prop::sample::select(S::ALL.to_vec()), pending in any::<bool>()) {
                let ctx = context(status, pending.then_some(ReviewKind::PlanApproval), &facts);
                let allowed = allowed_actions(&ctx);
                for &action in A::ALL {
                    let accepted = ClosureReason::ALL.iter().any(|&closure_reason| {
                        transition(&ctx, &TransitionInput { action, reason: Some("原因".to_owned()), closure_reason: Some(closure_reason) }).is_ok()
                    });
                    prop_assert_eq!(allowed.contains(&action), accepted, "{:?}", action);
                }
            }
        }
    }
}
