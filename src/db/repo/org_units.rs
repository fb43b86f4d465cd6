//! Org units: the hierarchy. Reads are scoped by path; a move rewrites the subtree's paths in
//! one statement inside the caller's transaction.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::{like_contains, scope::unit_path_in};
use crate::auth::{scope::subtree_range, AccessScope};
use crate::db::{
    models::{NewOrgUnit, OrgUnit, OrgUnitChanges},
    schema::org_units,
    statement::Statement,
    Conn,
};
use crate::domain::enums::Tier;

/// Filters of `GET /org-units`.
#[derive(Debug, Default, Clone)]
pub struct UnitFilter {
    /// Only this tier.
    pub tier: Option<Tier>,
    /// Only children of this unit.
    pub parent_id: Option<Uuid>,
    /// Name contains.
    pub q: Option<String>,
}

/// A unit inside the scope, or `None` (missing and out of scope are the same).
pub async fn find_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<OrgUnit>> {
    org_units::table
        .filter(org_units::id.eq(id))
        .filter(unit_path_in(scope))
        .select(OrgUnit::as_select())
        .first(conn)
        .await
        .optional()
}

/// A unit inside the scope, locked for the rest of the transaction.
pub async fn lock_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<OrgUnit>> {
    org_units::table
        .filter(org_units::id.eq(id))
        .filter(unit_path_in(scope))
        .select(OrgUnit::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// A unit by id, whatever the scope (for checks that must see outside it, such as tier rules).
pub async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<OrgUnit>> {
    org_units::table.find(id).select(OrgUnit::as_select()).first(conn).await.optional()
}

/// The root unit, if the deployment has one.
pub async fn root(conn: &mut Conn) -> QueryResult<Option<OrgUnit>> {
    org_units::table.filter(org_units::parent_id.is_null()).select(OrgUnit::as_select()).first(conn).await.optional()
}

/// A page of units in scope, in tree order (by path), after the given path.
pub async fn list(
    conn: &mut Conn,
    scope: &AccessScope,
    filter: &UnitFilter,
    after_path: Option<String>,
    limit: i64,
) -> QueryResult<Vec<OrgUnit>> {
    let mut query = org_units::table.filter(unit_path_in(scope)).into_boxed();
    if let Some(tier) = filter.tier {
        query = query.filter(org_units::tier.eq(tier));
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(org_units::parent_id.eq(parent));
    }
    if let Some(q) = &filter.q {
        query = query.filter(org_units::name.ilike(like_contains(q)));
    }
    if let Some(after) = after_path {
        query = query.filter(org_units::path.gt(after));
    }
    query.order(org_units::path.asc()).limit(limit).select(OrgUnit::as_select()).load(conn).await
}

/// Inserts a unit.
pub async fn insert(conn: &mut Conn, unit: &NewOrgUnit) -> QueryResult<OrgUnit> {
    diesel::insert_into(org_units::table).values(unit).returning(OrgUnit::as_returning()).get_result(conn).await
}

/// Applies changes when the stored version is `expected`; `None` when it is not.
pub async fn update(
    conn: &mut Conn,
    id: Uuid,
    expected: i32,
    changes: &OrgUnitChanges,
    new_parent: Option<Uuid>,
) -> QueryResult<Option<OrgUnit>> {
    let target = org_units::table.filter(org_units::id.eq(id).and(org_units::version.eq(expected)));
    let bump = (org_units::version.eq(org_units::version + 1), org_units::updated_at.eq(diesel::dsl::now));
    let result = match new_parent {
        Some(parent) => {
            diesel::update(target)
                .set((changes, bump, org_units::parent_id.eq(parent)))
                .returning(OrgUnit::as_returning())
                .get_result(conn)
                .await
        }
        None => diesel::update(target).set((changes, bump)).returning(OrgUnit::as_returning()).get_result(conn).await,
    };
    result.optional()
}

/// Rewrites the paths and depths of a whole subtree after its root moved.
pub async fn move_subtree(conn: &mut Conn, old_path: &str, new_path: &str, depth_delta: i16) -> QueryResult<usize> {
    use diesel::sql_types::{SmallInt, Text};
    // Lock the subtree first. A unit being created under it holds its parent's lock until it
    // commits; once this waits for that, the UPDATE (a new statement, so a new snapshot) sees the
    // new unit and rewrites its path as well.
    let (lo, hi) = subtree_range(old_path);
    Statement::new("SELECT 1 FROM org_units WHERE path >= $1 AND path < $2 FOR UPDATE")
        .bind::<Text, _>(&lo)
        .bind::<Text, _>(&hi)
        .execute(conn)
        .await?;
    Statement::new(
        "UPDATE org_units SET path = $3 || substr(path, char_length($1) + 1), depth = depth + $4 \
         WHERE path >= $1 AND path < $2",
    )
    .bind::<Text, _>(&lo)
    .bind::<Text, _>(&hi)
    .bind::<Text, _>(new_path)
    .bind::<SmallInt, _>(depth_delta)
    .execute(conn)
    .await
}

/// The direct children of a unit, by name.
pub async fn children_of(conn: &mut Conn, id: Uuid) -> QueryResult<Vec<OrgUnit>> {
    org_units::table
        .filter(org_units::parent_id.eq(id))
        .order((org_units::name.asc(), org_units::id.asc()))
        .select(OrgUnit::as_select())
        .load(conn)
        .await
}
