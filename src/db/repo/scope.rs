//! The one subtree predicate. A scoped table filters with
//! `org_unit_id = ANY (units_in(scope))`, an index range scan on `org_units.path`.

use diesel::prelude::*;

use crate::auth::AccessScope;
use crate::db::schema::org_units;

/// Ids of every unit in the scope's subtree, as a subquery.
#[diesel::dsl::auto_type]
pub fn units_in(pattern: String) -> _ {
    org_units::table.filter(org_units::path.like(pattern)).select(org_units::id)
}

/// The subquery for a scope.
pub fn unit_ids(scope: &AccessScope) -> units_in {
    units_in(scope.like_pattern())
}

/// The path predicate on `org_units` itself.
#[diesel::dsl::auto_type]
pub fn path_in(pattern: String) -> _ {
    org_units::path.like(pattern)
}

/// The path predicate for a scope.
pub fn unit_path_in(scope: &AccessScope) -> path_in {
    path_in(scope.like_pattern())
}
