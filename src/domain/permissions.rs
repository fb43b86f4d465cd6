//! What each role may do, as `resource:action` codes (shown by `GET /me`, enforced by services).

use super::enums::Role;

/// The permission codes of a role.
pub fn permissions(role: Role) -> &'static [&'static str] {
    match role {
        Role::Worker => &[
            "org_units:read",
            "users:read",
            "reference:read",
            "clients:read",
            "clients:write",
            "cases:read",
            "cases:create",
            "cases:work_assigned",
            "sessions:read",
            "sessions:write",
            "groups:read",
            "groups:write",
            "reviews:request",
        ],
        Role::Supervisor => &[
            "org_units:read",
            "users:read",
            "reference:read",
            "clients:read",
            "clients:write",
            "clients:delete",
            "cases:read",
            "cases:create",
            "cases:work_all",
            "cases:transfer",
            "cases:reopen",
            "cases:void",
            "sessions:read",
            "sessions:write",
            "groups:read",
            "groups:write",
            "reviews:request",
            "reviews:decide",
            "supervision:write",
            "caseload:read",
            "stats:read",
            "audit:read",
        ],
        Role::Admin => &[
            "org_units:read",
            "org_units:write",
            "users:read",
            "users:write",
            "reference:read",
            "clients:read",
            "cases:read",
            "sessions:read",
            "groups:read",
            "caseload:read",
            "stats:read",
            "audit:read",
        ],
    }
}

/// A worker-only or supervisor-only function is never given to an admin: admins run the hierarchy,
/// they do no casework.
pub fn may(role: Role, permission: &str) -> bool {
    permissions(role).contains(&permission)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_do_no_casework_and_workers_manage_nothing() {
        assert!(!may(Role::Admin, "cases:create"));
        assert!(!may(Role::Admin, "clients:write"));
        assert!(may(Role::Admin, "users:write"));
        assert!(!may(Role::Worker, "users:write"));
        assert!(!may(Role::Worker, "reviews:decide"));
        assert!(may(Role::Supervisor, "reviews:decide"));
        assert!(!may(Role::Supervisor, "org_units:write"));
    }
}
