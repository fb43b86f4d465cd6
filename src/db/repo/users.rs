//! Users. Scoped by their unit's place in the tree.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::{like_contains, scope::unit_ids};
use crate::auth::AccessScope;
use crate::db::{
    models::{ActorRow, Credentials, NewUser, User, UserChanges},
    schema::{org_units, refresh_tokens, users},
    Conn,
};
use crate::domain::enums::Role;

/// Filters of `GET /users`.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only users of this unit.
    pub org_unit_id: Option<Uuid>,
    /// Username or display name contains.
    pub q: Option<String>,
    /// Only active (or inactive) users.
    pub is_active: Option<bool>,
}

/// The caller's identity and scope, in one indexed join.
pub async fn find_actor(conn: &mut Conn, id: Uuid) -> QueryResult<Option<ActorRow>> {
    users::table
        .inner_join(org_units::table)
        .filter(users::id.eq(id))
        .select((
            users::id,
            users::username,
            users::role,
            users::org_unit_id,
            users::is_active,
            users::token_version,
            org_units::tier,
            org_units::path,
        ))
        .first(conn)
        .await
        .optional()
}

/// Login data by case-insensitive username.
pub async fn find_credentials(conn: &mut Conn, username: &str) -> QueryResult<Option<Credentials>> {
    users::table
        .filter(super::lower(users::username).eq(username.to_lowercase()))
        .select((users::id, users::is_active, users::password_hash))
        .first(conn)
        .await
        .optional()
}

/// Login data of a user by id, locked against changes until the transaction ends.
pub async fn lock_credentials(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Credentials>> {
    users::table.find(id).select((users::id, users::is_active, users::password_hash)).for_share().first(conn).await.optional()
}

/// The password hash of a user.
pub async fn password_hash(conn: &mut Conn, id: Uuid) -> QueryResult<String> {
    users::table.find(id).select(users::password_hash).first(conn).await
}

/// A user by id, whatever the scope.
pub async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<User>> {
    users::table.find(id).select(User::as_select()).first(conn).await.optional()
}

/// A user in scope.
pub async fn find_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .filter(users::id.eq(id))
        .filter(users::org_unit_id.eq_any(unit_ids(scope)))
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

/// A user in scope, locked for the rest of the transaction.
pub async fn lock_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .filter(users::id.eq(id))
        .filter(users::org_unit_id.eq_any(unit_ids(scope)))
        .select(User::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// A page of users in scope, ordered by username.
pub async fn list(
    conn: &mut Conn,
    scope: &AccessScope,
    filter: &UserFilter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<User>> {
    let mut query = users::table.filter(users::org_unit_id.eq_any(unit_ids(scope))).into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(unit) = filter.org_unit_id {
        query = query.filter(users::org_unit_id.eq(unit));
    }
    if let Some(active) = filter.is_active {
        query = query.filter(users::is_active.eq(active));
    }
    if let Some(q) = &filter.q {
        let pattern = like_contains(q);
        query = query.filter(users::username.ilike(pattern.clone()).or(users::display_name.ilike(pattern)));
    }
    if let Some((name, id)) = after {
        query = query.filter(users::username.gt(name.clone()).or(users::username.eq(name).and(users::id.gt(id))));
    }
    query.order((users::username.asc(), users::id.asc())).limit(limit).select(User::as_select()).load(conn).await
}

/// Inserts a user.
pub async fn insert(conn: &mut Conn, user: &NewUser) -> QueryResult<User> {
    diesel::insert_into(users::table).values(user).returning(User::as_returning()).get_result(conn).await
}

/// Applies changes when the stored version is `expected`. `end_sessions` also bumps
/// `token_version`, which kills every access token at once.
pub async fn update(
    conn: &mut Conn,
    id: Uuid,
    expected: i32,
    changes: &UserChanges,
    end_sessions: bool,
) -> QueryResult<Option<User>> {
    let bump = if end_sessions { 1 } else { 0 };
    diesel::update(users::table.filter(users::id.eq(id).and(users::version.eq(expected))))
        .set((
            changes,
            users::version.eq(users::version + 1),
            users::token_version.eq(users::token_version + bump),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Sets a new password hash and ends every access token of the user.
pub async fn set_password(conn: &mut Conn, id: Uuid, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::token_version.eq(users::token_version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Revokes every refresh token of a user, except one session's when given.
pub async fn revoke_sessions(conn: &mut Conn, user_id: Uuid, keep_family: Option<Uuid>) -> QueryResult<usize> {
    let mut query = diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .into_boxed();
    if let Some(family) = keep_family {
        query = query.filter(refresh_tokens::family_id.ne(family));
    }
    query.set(refresh_tokens::revoked_at.eq(diesel::dsl::now)).execute(conn).await
}

/// Whether any user exists with this username (case-insensitive).
pub async fn username_taken(conn: &mut Conn, username: &str) -> QueryResult<bool> {
    Ok(find_credentials(conn, username).await?.is_some())
}
