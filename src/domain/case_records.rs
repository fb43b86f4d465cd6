//! Who may add or change the records of a case (assessments, plans, evaluations, follow-ups,
//! referrals), in which statuses, and how a referral moves on; plus the case number format.
//!
//! Policy:
//! - The same people who may move a case may write its records: the assigned worker, or any
//!   supervisor in scope; admins never (they do no casework). Scope itself is the caller's 404.
//! - Checks run in the order of [`super::case_flow`]: role, then assignment, then the case's
//!   state; every refusal is a [`Refusal`] with the same HTTP mapping.
//! - Each record belongs to a stage of the process: an assessment while the case is being
//!   assessed, planned or served; a plan while planning (or in intervention after a fast track);
//!   an evaluation while evaluating; follow-ups from the evaluation on; referrals whenever the
//!   case is open. Nothing is written to a suspended, closed, declined or voided case.
//! - A record under review is frozen: no new plan version while a submitted plan waits for the
//!   supervisor, no new evaluation while a closure request does. (After a fast track the plan is
//!   written while its review is pending: that is the point of the fast track.)

use super::case_flow::Refusal;
use super::enums::{CaseStatus, ReferralStatus, ReviewKind, Role};
use super::permissions::{may, Permission};

/// The kinds of record a case holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseRecord {
    /// 预估.
    Assessment,
    /// 服务计划 (a new version).
    Plan,
    /// 评估.
    Evaluation,
    /// 跟进 (scheduling one, or recording it done).
    FollowUp,
    /// 转介 (a new referral, or its progress).
    Referral,
}

/// What [`may_write`] needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordContext {
    /// Current status of the case.
    pub status: CaseStatus,
    /// Role of the caller.
    pub role: Role,
    /// Whether the caller is the case's assigned worker.
    pub is_assigned_worker: bool,
    /// The kind of the case's pending review, if one is pending.
    pub pending_review: Option<ReviewKind>,
}

/// Whether the caller may do casework on this case at all (change its fields, record progress).
pub fn may_work(role: Role, is_assigned_worker: bool) -> Result<(), Refusal> {
    if !may(role, Permission::CasesWorkAssigned) {
        Err(Refusal::RoleNotPermitted { role })
    } else if is_assigned_worker || may(role, Permission::CasesWorkAll) {
        Ok(())
    } else {
        Err(Refusal::NotAssignedWorker)
    }
}

fn state_refusal(code: &'static str, zh: &'static str, en: &'static str) -> Refusal {
    Refusal::GuardFailed { code, field: None, zh, en }
}

/// Whether the caller may add a record of `kind` (or, for follow-ups and referrals, record its
/// progress) on the case described by `ctx`.
pub fn may_write(kind: CaseRecord, ctx: &RecordContext) -> Result<(), Refusal> {
    use CaseStatus as S;
    may_work(ctx.role, ctx.is_assigned_worker)?;
    let stage_ok = match kind {
        CaseRecord::Assessment => matches!(ctx.status, S::Assessment | S::Planning | S::Intervention | S::Evaluation),
        CaseRecord::Plan => matches!(ctx.status, S::Planning | S::Intervention),
        CaseRecord::Evaluation => ctx.status == S::Evaluation,
        CaseRecord::FollowUp => matches!(ctx.status, S::Evaluation | S::FollowUp),
        CaseRecord::Referral => super::case_flow::is_open(ctx.status),
    };
    if !stage_ok {
        return Err(state_refusal(
            "record_not_allowed_in_status",
            "个案当前所处阶段不能添加或修改此类记录",
            "This kind of record cannot be written while the case is in its current status",
        ));
    }
    let frozen = match (kind, ctx.pending_review) {
        (CaseRecord::Plan, Some(ReviewKind::PlanApproval)) => ctx.status == S::Planning,
        (CaseRecord::Evaluation, Some(ReviewKind::ClosureApproval)) => true,
        _ => false,
    };
    if frozen {
        return Err(state_refusal(
            "review_pending",
            "该记录正在等待督导审核，审核前不能提交新版本",
            "This record is waiting for the supervisor's review; no new version until it is decided",
        ));
    }
    Ok(())
}

/// The statuses a referral may move to from `from`: `sent` → `accepted`/`declined`,
/// `accepted` → `completed`.
pub fn referral_next(from: ReferralStatus) -> &'static [ReferralStatus] {
    use ReferralStatus as R;
    match from {
        R::Sent => &[R::Accepted, R::Declined],
        R::Accepted => &[R::Completed],
        R::Declined | R::Completed => &[],
    }
}

/// The prefix of a case number: the first six digits of the nearest division code (the county
/// for a station, as in `640502-2026-0001`), or, for a unit without one in its ancestry, a
/// six-character code made from the unit's id.
pub fn case_number_prefix(division_code: Option<&str>, unit_id: uuid::Uuid) -> String {
    match division_code {
        Some(code) if code.len() >= 6 && code.bytes().all(|b| b.is_ascii_digit()) => code[..6].to_owned(),
        _ => {
            let hex = unit_id.simple().to_string().to_uppercase();
            hex[hex.len() - 6..].to_owned()
        }
    }
}

/// A case number: `<prefix>-<year>-<seq, at least four digits>`.
pub fn case_number(prefix: &str, year: i32, seq: i32) -> String {
    format!("{prefix}-{year}-{seq:04}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case_flow::RefusalKind;
    use crate::domain::labels::Coded;
    use CaseStatus as S;

    fn ctx(status: CaseStatus, role: Role) -> RecordContext {
        RecordContext { status, role, is_assigned_worker: role == Role::Worker, pending_review: None }
    }

    #[test]
    fn only_the_assigned_worker_or_a_supervisor_writes() {
        let mut c = ctx(S::Assessment, Role::Worker);
        assert!(may_write(CaseRecord::Assessment, &c).is_ok());
        c.is_assigned_worker = false;
        assert_eq!(may_write(CaseRecord::Assessment, &c), Err(Refusal::NotAssignedWorker));
        assert!(may_write(CaseRecord::Assessment, &ctx(S::Assessment, Role::Supervisor)).is_ok());
        let admin = ctx(S::Assessment, Role::Admin);
        assert_eq!(may_write(CaseRecord::Assessment, &admin), Err(Refusal::RoleNotPermitted { role: Role::Admin }));
        assert_eq!(may_write(CaseRecord::Assessment, &admin).map_err(|e| e.kind()), Err(RefusalKind::Forbidden));
    }

    #[test]
    fn records_belong_to_stages() {
        let allowed = |kind| -> Vec<CaseStatus> {
            S::ALL.iter().copied().filter(|&s| may_write(kind, &ctx(s, Role::Worker)).is_ok()).collect()
        };
        assert_eq!(allowed(CaseRecord::Assessment), vec![S::Assessment, S::Planning, S::Intervention, S::Evaluation]);
        assert_eq!(allowed(CaseRecord::Plan), vec![S::Planning, S::Intervention]);
        assert_eq!(allowed(CaseRecord::Evaluation), vec![S::Evaluation]);
        assert_eq!(allowed(CaseRecord::FollowUp), vec![S::Evaluation, S::FollowUp]);
        assert_eq!(
            allowed(CaseRecord::Referral),
            vec![S::Intake, S::Assessment, S::Planning, S::Intervention, S::Suspended, S::Evaluation, S::FollowUp]
        );
        let r = may_write(CaseRecord::Plan, &ctx(S::Closed, Role::Supervisor));
        assert_eq!(r.map_err(|e| (e.code(), e.kind())), Err(("record_not_allowed_in_status", RefusalKind::Conflict)));
    }

    #[test]
    fn a_record_under_review_is_frozen() {
        let mut c = ctx(S::Planning, Role::Worker);
        c.pending_review = Some(ReviewKind::PlanApproval);
        assert_eq!(may_write(CaseRecord::Plan, &c).map_err(|e| e.code()), Err("review_pending"));
        // Assessments are not under review.
        assert!(may_write(CaseRecord::Assessment, &c).is_ok());
        // After a fast track the plan is written while its review waits.
        c.status = S::Intervention;
        assert!(may_write(CaseRecord::Plan, &c).is_ok());
        let mut e = ctx(S::Evaluation, Role::Worker);
        e.pending_review = Some(ReviewKind::ClosureApproval);
        assert_eq!(may_write(CaseRecord::Evaluation, &e).map_err(|e| e.code()), Err("review_pending"));
        assert!(may_write(CaseRecord::FollowUp, &e).is_ok());
    }

    #[test]
    fn referrals_move_forward_only() {
        use ReferralStatus as R;
        assert_eq!(referral_next(R::Sent), &[R::Accepted, R::Declined]);
        assert_eq!(referral_next(R::Accepted), &[R::Completed]);
        assert!(referral_next(R::Declined).is_empty());
        assert!(referral_next(R::Completed).is_empty());
    }

    #[test]
    fn case_numbers() {
        let unit = uuid::Uuid::parse_str("0192f3a4-0000-7000-8000-00000abc12ef").expect("uuid");
        assert_eq!(case_number_prefix(Some("640502100000"), unit), "640502");
        assert_eq!(case_number_prefix(None, unit), "BC12EF");
        assert_eq!(case_number_prefix(Some("64"), unit), "BC12EF");
        assert_eq!(case_number("640502", 2026, 1), "640502-2026-0001");
        assert_eq!(case_number("640502", 2026, 12345), "640502-2026-12345");
    }
}
