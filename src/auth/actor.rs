//! `Actor`: who is acting, with the role, unit and subtree they act in. A plain value: the
//! request extractor (`extract::actor`) builds it from a verified token and a fresh read of the
//! user, and services take it as it is.

use uuid::Uuid;

use super::AccessScope;
use crate::domain::enums::{Role, Tier};

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Actor {
    /// User id.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// The user's unit.
    pub org_unit_id: Uuid,
    /// Tier of the user's unit.
    pub unit_tier: Tier,
    /// The subtree the caller may see.
    pub scope: AccessScope,
    /// The session (refresh-token family) the access token belongs to.
    pub session_id: Uuid,
}

impl Actor {
    /// Whether the caller has one of these roles.
    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }
}
