//! What each role may do: the one table that services enforce (`services::require`, and the case
//! state machine for casework actions) and that `GET /me` shows as `resource:action` codes.
//! Scope (which units) is a separate question, answered by `auth::scope`.

use super::enums::Role;

/// A function of the system granted to roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read units in scope.
    OrgUnitsRead,
    /// Create and change units.
    OrgUnitsWrite,
    /// Read user accounts in scope.
    UsersRead,
    /// Create and change accounts, reset passwords.
    UsersWrite,
    /// Read the reference data.
    ReferenceRead,
    /// Read clients (lists masked, detail audited).
    ClientsRead,
    /// Register and change clients.
    ClientsWrite,
    /// Delete (soft) clients.
    ClientsDelete,
    /// Read households.
    HouseholdsRead,
    /// Create households and set their members.
    HouseholdsWrite,
    /// Read cases and their records.
    CasesRead,
    /// Open cases.
    CasesCreate,
    /// Open a case for another worker.
    CasesAssign,
    /// Work one's own cases: transitions, records, changes.
    CasesWorkAssigned,
    /// Work any case in scope.
    CasesWorkAll,
    /// Transfer a case to another worker.
    CasesTransfer,
    /// Reopen a closed case.
    CasesReopen,
    /// Void a case.
    CasesVoid,
    /// Read sessions.
    SessionsRead,
    /// Record and change sessions.
    SessionsWrite,
    /// Change sessions recorded by someone else.
    SessionsEditAll,
    /// Read groups.
    GroupsRead,
    /// Create and change groups and their members.
    GroupsWrite,
    /// Read reviews.
    ReviewsRead,
    /// Approve or return a review.
    ReviewsDecide,
    /// Read supervision records.
    SupervisionRead,
    /// Record and change supervision.
    SupervisionWrite,
    /// Read the caseload of a subtree.
    CaseloadRead,
    /// Read and export statistics.
    StatsRead,
    /// Read the audit log.
    AuditRead,
    /// Read rosters (台账) and their entries.
    RostersRead,
    /// Enrol clients, and change, re-rate or close the entries one is responsible for.
    RostersWrite,
    /// Change, re-rate or reassign any entry in scope.
    RostersManageAll,
    /// Set a unit's visit intervals.
    VisitIntervalsWrite,
    /// Read the alerts queue.
    AlertsRead,
    /// Acknowledge alerts.
    AlertsAcknowledge,
    /// Pull what changed in scope, for a device's offline copy.
    SyncPull,
}

use Permission as P;
use Role::{Admin, Supervisor, Worker};

const EVERYONE: &[Role] = &[Worker, Supervisor, Admin];
const CASEWORK: &[Role] = &[Worker, Supervisor];
const SUPERVISORS: &[Role] = &[Supervisor];
const ADMINS: &[Role] = &[Admin];
const OVERSIGHT: &[Role] = &[Supervisor, Admin];

/// The table: each permission, its code and the roles that have it.
const TABLE: &[(Permission, &str, &[Role])] = &[
    (P::OrgUnitsRead, "org_units:read", EVERYONE),
    (P::OrgUnitsWrite, "org_units:write", ADMINS),
    (P::UsersRead, "users:read", EVERYONE),
    (P::UsersWrite, "users:write", ADMINS),
    (P::ReferenceRead, "reference:read", EVERYONE),
    (P::ClientsRead, "clients:read", EVERYONE),
    (P::ClientsWrite, "clients:write", CASEWORK),
    (P::ClientsDelete, "clients:delete", SUPERVISORS),
    (P::HouseholdsRead, "households:read", EVERYONE),
    (P::HouseholdsWrite, "households:write", CASEWORK),
    (P::CasesRead, "cases:read", EVERYONE),
    (P::CasesCreate, "cases:create", CASEWORK),
    (P::CasesAssign, "cases:assign", SUPERVISORS),
    (P::CasesWorkAssigned, "cases:work_assigned", CASEWORK),
    (P::CasesWorkAll, "cases:work_all", SUPERVISORS),
    (P::CasesTransfer, "cases:transfer", SUPERVISORS),
    (P::CasesReopen, "cases:reopen", SUPERVISORS),
    (P::CasesVoid, "cases:void", SUPERVISORS),
    (P::SessionsRead, "sessions:read", EVERYONE),
    (P::SessionsWrite, "sessions:write", CASEWORK),
    (P::SessionsEditAll, "sessions:edit_all", SUPERVISORS),
    (P::GroupsRead, "groups:read", EVERYONE),
    (P::GroupsWrite, "groups:write", CASEWORK),
    (P::ReviewsRead, "reviews:read", EVERYONE),
    (P::ReviewsDecide, "reviews:decide", SUPERVISORS),
    (P::SupervisionRead, "supervision:read", EVERYONE),
    (P::SupervisionWrite, "supervision:write", SUPERVISORS),
    (P::CaseloadRead, "caseload:read", OVERSIGHT),
    (P::StatsRead, "stats:read", OVERSIGHT),
    (P::AuditRead, "audit:read", OVERSIGHT),
    (P::RostersRead, "rosters:read", EVERYONE),
    (P::RostersWrite, "rosters:write", CASEWORK),
    (P::RostersManageAll, "rosters:manage_all", SUPERVISORS),
    (P::VisitIntervalsWrite, "visit_intervals:write", OVERSIGHT),
    (P::AlertsRead, "alerts:read", EVERYONE),
    (P::AlertsAcknowledge, "alerts:acknowledge", SUPERVISORS),
    (P::SyncPull, "sync:pull", EVERYONE),
];

impl Permission {
    fn entry(self) -> &'static (Permission, &'static str, &'static [Role]) {
        // Every permission has a row (a unit test checks it), so the fallback is never reached.
        TABLE.iter().find(|(p, ..)| *p == self).unwrap_or(&TABLE[0])
    }

    /// The `resource:action` code shown by `GET /me`.
    pub fn code(self) -> &'static str {
        self.entry().1
    }

    /// Whether `role` has this permission.
    pub fn granted_to(self, role: Role) -> bool {
        self.entry().2.contains(&role)
    }
}

/// The permission codes of a role, in table order.
pub fn permissions(role: Role) -> Vec<&'static str> {
    TABLE.iter().filter(|(_, _, roles)| roles.contains(&role)).map(|(_, code, _)| *code).collect()
}

/// Whether `role` has `permission`.
pub fn may(role: Role, permission: Permission) -> bool {
    permission.granted_to(role)
}

/// Why a password reset is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetRefusal {
    /// One's own: a stolen access token must not become the account (the current password is
    /// asked by `/me/password`).
    Own,
    /// An administrator at the caller's unit or above it (only lower units' are the caller's to
    /// reset).
    PeerAdmin,
}

/// Whether an administrator may reset the password of a user (`role`) whose unit is, or is not,
/// strictly below the caller's (`below`, as the caller's scope tells): never their own, and an
/// administrator's only from above.
pub fn may_reset_password(actor: uuid::Uuid, target: uuid::Uuid, role: Role, below: bool) -> Result<(), ResetRefusal> {
    if actor == target {
        Err(ResetRefusal::Own)
    } else if role == Role::Admin && !below {
        Err(ResetRefusal::PeerAdmin)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_reset_only_for_others_and_administrators_only_below() {
        let (me, other) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        assert_eq!(may_reset_password(me, me, Role::Admin, false), Err(ResetRefusal::Own));
        assert_eq!(may_reset_password(me, me, Role::Worker, true), Err(ResetRefusal::Own));
        assert_eq!(may_reset_password(me, other, Role::Admin, false), Err(ResetRefusal::PeerAdmin));
        assert_eq!(may_reset_password(me, other, Role::Admin, true), Ok(()));
        assert_eq!(may_reset_password(me, other, Role::Worker, false), Ok(()));
        assert_eq!(may_reset_password(me, other, Role::Supervisor, true), Ok(()));
    }

    #[test]
    fn every_permission_has_one_row_and_a_unique_code() {
        for (i, (p, code, _)) in TABLE.iter().enumerate() {
            assert_eq!(p.code(), *code);
            assert_eq!(TABLE.iter().filter(|(q, ..)| q == p).count(), 1, "{code}");
            assert!(TABLE[i + 1..].iter().all(|(_, c, _)| c != code), "{code} twice");
        }
    }

    #[test]
    fn admins_do_no_casework_and_workers_manage_nothing() {
        assert!(!may(Role::Admin, P::CasesCreate));
        assert!(!may(Role::Admin, P::ClientsWrite));
        assert!(may(Role::Admin, P::UsersWrite));
        assert!(!may(Role::Worker, P::UsersWrite));
        assert!(!may(Role::Worker, P::ReviewsDecide));
        assert!(may(Role::Supervisor, P::ReviewsDecide));
        assert!(!may(Role::Supervisor, P::OrgUnitsWrite));
        assert!(permissions(Role::Worker).contains(&"households:write"));
        assert!(permissions(Role::Admin).contains(&"reviews:read"));
    }
}
