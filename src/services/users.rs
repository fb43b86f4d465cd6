//! User accounts: everyone reads the users in their scope; admins create and change them there,
//! and can never place anyone outside their own subtree.

use scoped_futures::ScopedFutureExt;
use serde_json::json;
use uuid::Uuid;

use super::tx::{self, Claim, Written};
use crate::auth::password::check_policy;
use crate::auth::Actor;
use crate::db::{
    models::{NewUser, UserChanges},
    repo::{self, users::UserFilter},
};
use crate::domain::enums::Certification;
use crate::domain::permissions::Permission;
use crate::dto::auth::MeOut;
use crate::dto::users::{CreateUser, UpdateUser, UserOut, UserQuery};
use crate::error::{AppError, FieldError};
use crate::i18n::Text;
use crate::paging::{Page, Paged};
use crate::state::AppState;

/// A page of users in scope.
pub async fn list(state: &AppState, actor: &Actor, query: UserQuery, page: &Page) -> Result<Paged<UserOut>, AppError> {
    let after = page.after::<(String, Uuid)>()?;
    let filter = UserFilter {
        role: query.role,
        org_unit_id: query.org_unit_id,
        q: query.q.filter(|q| !q.trim().is_empty()),
        is_active: query.is_active,
    };
    let mut conn = state.conn().await?;
    let rows = repo::users::list(&mut conn, &actor.scope, &filter, after, page.fetch_limit()).await?;
    Ok(page.finish(rows, |u| (u.username.clone(), u.id)).map(UserOut::from))
}

/// One user in scope.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> Result<UserOut, AppError> {
    let mut conn = state.conn().await?;
    Ok(repo::users::find_in_scope(&mut conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?.into())
}

/// The caller, their unit and their permissions.
pub async fn me(state: &AppState, actor: &Actor) -> Result<MeOut, AppError> {
    let mut conn = state.conn().await?;
    let user = repo::users::find(&mut conn, actor.id).await?.ok_or(AppError::Unauthorized)?;
    let unit = repo::org_units::find(&mut conn, actor.org_unit_id).await?.ok_or(AppError::Unauthorized)?;
    Ok(MeOut {
        user: user.into(),
        unit: unit.into(),
        permissions: crate::domain::permissions::permissions(actor.role).into_iter().map(str::to_owned).collect(),
    })
}

fn unit_not_in_scope() -> AppError {
    AppError::field("org_unit_id", "not_found", Text::new("单位不存在或不在您的管辖范围内。", "No such unit in your scope."))
}

/// Creates a user in a unit of the admin's scope.
pub async fn create(state: &AppState, actor: &Actor, claim: Option<Claim>, body: CreateUser) -> Result<Written, AppError> {
    super::require(state, actor, Permission::UsersWrite, "users.create").await?;
    let errors = check_policy("password", &body.password, Some(&body.username));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let password_hash = state.hasher.hash(body.password.clone()).await?;
    let requested_id = body.id;
    let result = tx::write(state, actor, "users.create", claim, move |conn| {
        async move {
            let id = body.id.unwrap_or_else(Uuid::now_v7);
            if let Some(existing) = repo::users::find(conn, id).await? {
                // The same id twice is the same account when the data is the same (the password
                // is not compared: only its hash is kept); other data is a conflict; outside the
                // caller's scope the id is just taken.
                repo::users::find_in_scope(conn, &actor.scope, id).await?.ok_or_else(super::replay::id_taken)?;
                let phone = body.phone.clone().map(|p| crate::domain::phone::normalize_phone(&p).unwrap_or(p));
                let mut diff = super::replay::Diff::new();
                diff.field("username", &body.username, &existing.username)
                    .field("display_name", body.display_name.trim(), existing.display_name.as_str())
                    .field("phone", &phone, &existing.phone)
                    .field("org_unit_id", &body.org_unit_id, &existing.org_unit_id)
                    .field("role", &body.role, &existing.role)
                    .field("certification", &body.certification.unwrap_or(Certification::None), &existing.certification);
                let current = UserOut::from(existing.clone());
                return super::replay::existing(conn, actor, "user", id, &diff, existing.version, &current).await;
            }
            repo::org_units::find_in_scope(conn, &actor.scope, body.org_unit_id).await?.ok_or_else(unit_not_in_scope)?;
            if repo::users::username_taken(conn, &body.username).await? {
                return Err(AppError::conflict("username_taken", Text::new("用户名已被使用。", "This username is taken.")));
            }
            let user = repo::users::insert(
                conn,
                &NewUser {
                    id,
                    username: body.username,
                    display_name: body.display_name.trim().to_owned(),
                    phone: body.phone.map(|p| crate::domain::phone::normalize_phone(&p).unwrap_or(p)),
                    org_unit_id: body.org_unit_id,
                    role: body.role,
                    certification: body.certification.unwrap_or(Certification::None),
                    is_active: true,
                    password_hash,
                },
            )
            .await?;
            let details = json!({"username": user.username, "role": user.role, "org_unit_id": user.org_unit_id});
            repo::audit::insert(conn, &super::audit::by(actor, "user.create", "user", Some(id), details)).await?;
            Written::created(id, user.version, &UserOut::from(user.clone()))
        }
        .scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "user", requested_id, &result).await;
    result
}

/// Changes a user in scope. Disabling ends their sessions; a move changes what they see on their
/// next request.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: UpdateUser,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::UsersWrite, "users.update").await?;
    tx::write(state, actor, "users.update", None, move |conn| {
        async move {
            let user = repo::users::lock_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
            if user.version != expected_version {
                return Err(AppError::PreconditionFailed);
            }
            if id == actor.id {
                let mut errors = Vec::new();
                for (field, changed) in [
                    ("role", body.role.is_some_and(|r| r != user.role)),
                    ("is_active", body.is_active == Some(false)),
                    ("org_unit_id", body.org_unit_id.is_some_and(|u| u != user.org_unit_id)),
                ] {
                    if changed {
                        errors.push(FieldError::new(
                            field,
                            "self_change",
                            Text::new(
                                "不能修改自己的角色、单位或启用状态。",
                                "You cannot change your own role, unit or active state.",
                            ),
                        ));
                    }
                }
                if !errors.is_empty() {
                    return Err(AppError::Validation(errors));
                }
            }
            if let Some(unit) = body.org_unit_id {
                repo::org_units::find_in_scope(conn, &actor.scope, unit).await?.ok_or_else(unit_not_in_scope)?;
            }
            let disabling = body.is_active == Some(false) && user.is_active;
            let changes = UserChanges {
                display_name: body.display_name.map(|n| n.trim().to_owned()),
                phone: body.phone.map(|p| p.map(|p| crate::domain::phone::normalize_phone(&p).unwrap_or(p))),
                org_unit_id: body.org_unit_id,
                role: body.role,
                certification: body.certification,
                is_active: body.is_active,
            };
            let updated =
                repo::users::update(conn, id, user.version, &changes, disabling).await?.ok_or(AppError::PreconditionFailed)?;
            if disabling {
                repo::users::revoke_sessions(conn, id, None).await?;
            }
            let details = json!({
                "changes": {
                    "display_name": changes.display_name, "phone": changes.phone, "org_unit_id": changes.org_unit_id,
                    "role": changes.role, "certification": changes.certification, "is_active": changes.is_active,
                }
            });
            repo::audit::insert(conn, &super::audit::by(actor, "user.update", "user", Some(id), details)).await?;
            Written::changed(updated.version, &UserOut::from(updated.clone()))
        }
        .scope_boxed_local()
    })
    .await
}

/// Sets a new password for a user in scope and ends all their sessions.
pub async fn reset_password(state: &AppState, actor: &Actor, id: Uuid, new_password: String) -> Result<(), AppError> {
    super::require(state, actor, Permission::UsersWrite, "users.reset_password").await?;
    let target = get(state, actor, id).await?;
    // Checked before the (costly) hash: one's own password changes with the current one
    // (`/me/password`), and an administrator's only from above their unit.
    let target_path = {
        let mut conn = state.conn().await?;
        repo::org_units::find(&mut conn, target.org_unit_id).await?.ok_or(AppError::NotFound)?.path
    };
    let below = actor.scope.contains_path(&target_path) && target_path != actor.scope.path;
    if let Err(refusal) = crate::domain::permissions::may_reset_password(actor.id, id, target.role, below) {
        super::audit::denied(state, actor, "users.reset_password").await;
        return Err(AppError::Forbidden(match refusal {
            crate::domain::permissions::ResetRefusal::Own => Text::new(
                "不能重置自己的密码，请使用“修改密码”（须输入当前密码）。",
                "You cannot reset your own password; change it with your current one (/me/password).",
            ),
            crate::domain::permissions::ResetRefusal::PeerAdmin => Text::new(
                "只能重置下级单位管理员的密码。",
                "You may reset an administrator's password only from a unit above theirs.",
            ),
        }));
    }
    let errors = check_policy("new_password", &new_password, Some(&target.username));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = state.hasher.hash(new_password).await?;
    tx::write(state, actor, "users.reset_password", None, move |conn| {
        async move {
            repo::users::lock_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
            repo::users::set_password(conn, id, &hash).await?;
            repo::users::revoke_sessions(conn, id, None).await?;
            repo::audit::insert(conn, &super::audit::by(actor, "user.reset_password", "user", Some(id), json!({}))).await?;
            Ok(Written::done())
        }
        .scope_boxed_local()
    })
    .await
    .map(|_| ())
}
