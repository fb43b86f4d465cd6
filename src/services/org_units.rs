//! The hierarchy: reading units in scope, creating them and changing them (admins), and moving a
//! unit with its whole subtree.

use scoped_futures::ScopedFutureExt;
use serde_json::json;
use uuid::Uuid;

use super::tx::{self, Claim, Written};
use crate::auth::scope::child_path;
use crate::auth::Actor;
use crate::db::{
    models::{NewOrgUnit, OrgUnitChanges},
    repo::{self, org_units::UnitFilter},
};
use crate::domain::division_code::DivisionCode;
use crate::domain::enums::{Tier, UnitStatus};
use crate::domain::permissions::Permission;
use crate::dto::org_units::{CreateOrgUnit, OrgUnitOut, OrgUnitQuery, UpdateOrgUnit};
use crate::error::{AppError, FieldError};
use crate::i18n::Text;
use crate::paging::{Page, Paged};
use crate::state::AppState;

/// A page of the units in the caller's scope, in tree order.
pub async fn list(state: &AppState, actor: &Actor, query: OrgUnitQuery, page: &Page) -> Result<Paged<OrgUnitOut>, AppError> {
    let after = page.after::<String>()?;
    let filter = UnitFilter { tier: query.tier, parent_id: query.parent_id, q: query.q.filter(|q| !q.trim().is_empty()) };
    let mut conn = state.conn().await?;
    let rows = repo::org_units::list(&mut conn, &actor.scope, &filter, after, page.fetch_limit()).await?;
    Ok(page.finish(rows, |u| u.path.clone()).map(OrgUnitOut::from))
}

/// One unit in scope.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> Result<OrgUnitOut, AppError> {
    let mut conn = state.conn().await?;
    let unit = repo::org_units::find_in_scope(&mut conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    Ok(unit.into())
}

/// The direct children of a unit in scope.
pub async fn children(state: &AppState, actor: &Actor, id: Uuid, page: &Page) -> Result<Paged<OrgUnitOut>, AppError> {
    get(state, actor, id).await?;
    let query = OrgUnitQuery { tier: None, parent_id: Some(id), q: None };
    list(state, actor, query, page).await
}

fn division_code(field: &str, raw: &str, tier: Tier) -> Result<String, FieldError> {
    let code =
        DivisionCode::parse(raw).map_err(|e| FieldError::new(field, e.code(), Text::owned(e.message_zh(), e.message_en())))?;
    if !code.matches_tier(tier) {
        return Err(FieldError::new(
            field,
            "level_mismatch",
            Text::new("区划代码的层级与单位层级不符。", "The division code's level does not match the unit's tier."),
        ));
    }
    Ok(code.as_str().to_owned())
}

fn unit_not_found(field: &str) -> AppError {
    AppError::field(field, "not_found", Text::new("单位不存在或不在您的管辖范围内。", "No such unit in your scope."))
}

fn tier_error(field: &str, parent: Tier, child: Tier) -> AppError {
    AppError::field(
        field,
        "tier_mismatch",
        Text::owned(
            format!("{}下不能设立{}。", zh(parent), zh(child)),
            format!("A {} cannot sit under a {}.", child.as_str(), parent.as_str()),
        ),
    )
}

fn zh(t: Tier) -> &'static str {
    use crate::domain::labels::Coded;
    t.zh()
}

/// Creates a unit under a parent in the admin's scope.
pub async fn create(state: &AppState, actor: &Actor, claim: Option<Claim>, body: CreateOrgUnit) -> Result<Written, AppError> {
    super::require(state, actor, Permission::OrgUnitsWrite, "org_units.create").await?;
    let division = match &body.division_code {
        Some(raw) => Some(division_code("division_code", raw, body.tier).map_err(|e| AppError::Validation(vec![e]))?),
        None => None,
    };
    let phone = normalize_phone(body.phone.as_deref());
    let requested_id = body.id;
    let result = tx::write(state, actor, "org_units.create", claim, move |conn| {
        async move {
            let id = body.id.unwrap_or_else(Uuid::now_v7);
            if let Some(existing) = repo::org_units::find(conn, id).await? {
                // The same id twice is the same unit (an offline client retrying) when the data is
                // the same; other data is a conflict; outside the caller's scope the id is taken.
                if !actor.scope.contains_path(&existing.path) {
                    return Err(super::replay::id_taken());
                }
                let mut diff = super::replay::Diff::new();
                diff.field("parent_id", &Some(body.parent_id), &existing.parent_id)
                    .field("tier", &body.tier, &existing.tier)
                    .field("name", body.name.trim(), existing.name.as_str())
                    .field("division_code", &division, &existing.division_code)
                    .field("address", &body.address, &existing.address)
                    .field("phone", &phone, &existing.phone);
                let current = OrgUnitOut::from(existing.clone());
                return super::replay::existing(conn, actor, "org_unit", id, &diff, existing.version, &current).await;
            }
            // Locked, so that a move of the parent's subtree waits for this unit (and rewrites its
            // path too) or this unit waits for the move (and reads the new path).
            let parent = repo::org_units::lock_in_scope(conn, &actor.scope, body.parent_id)
                .await?
                .ok_or_else(|| unit_not_found("parent_id"))?;
            if !parent.tier.child_allowed(body.tier) {
                return Err(tier_error("tier", parent.tier, body.tier));
            }
            let unit = repo::org_units::insert(
                conn,
                &NewOrgUnit {
                    id,
                    parent_id: Some(parent.id),
                    tier: body.tier,
                    name: body.name.trim().to_owned(),
                    division_code: division,
                    address: body.address,
                    phone,
                    status: UnitStatus::Active,
                    path: child_path(Some(&parent.path), id),
                    depth: parent.depth + 1,
                },
            )
            .await?;
            repo::audit::insert(
                conn,
                &super::audit::by(actor, "org_unit.create", "org_unit", Some(id), json!({"name": unit.name, "tier": unit.tier})),
            )
            .await?;
            Written::created(id, unit.version, &OrgUnitOut::from(unit.clone()))
        }
        .scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "org_unit", requested_id, &result).await;
    result
}

fn normalize_phone(phone: Option<&str>) -> Option<String> {
    phone.map(|p| crate::domain::phone::normalize_phone(p).unwrap_or_else(|_| p.trim().to_owned()))
}

/// Changes a unit; a new `parent_id` moves it with its subtree.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    body: UpdateOrgUnit,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::OrgUnitsWrite, "org_units.update").await?;
    tx::write(state, actor, "org_units.update", None, move |conn| {
        async move {
            let unit = repo::org_units::lock_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
            if unit.version != expected_version {
                return Err(AppError::PreconditionFailed);
            }
            let mut errors = Vec::new();
            let division = match &body.division_code {
                Some(Some(raw)) => match division_code("division_code", raw, unit.tier) {
                    Ok(code) => Some(Some(code)),
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                },
                Some(None) => Some(None),
                None => None,
            };
            let mut new_parent = None;
            if let Some(parent_id) = body.parent_id.filter(|p| Some(*p) != unit.parent_id) {
                if unit.parent_id.is_none() || unit.id == actor.org_unit_id {
                    errors.push(FieldError::new(
                        "parent_id",
                        "cannot_move",
                        Text::new("不能移动根单位或您自己的单位。", "The root and your own unit cannot be moved."),
                    ));
                } else {
                    // Locked for the same reason as a new unit's parent: the parent may be moving too.
                    match repo::org_units::lock_in_scope(conn, &actor.scope, parent_id).await? {
                        None => return Err(unit_not_found("parent_id")),
                        Some(p) if p.path.starts_with(&unit.path) => errors.push(FieldError::new(
                            "parent_id",
                            "cycle",
                            Text::new("不能移动到自己的下级单位之下。", "A unit cannot move under its own descendant."),
                        )),
                        Some(p) if !p.tier.child_allowed(unit.tier) => return Err(tier_error("parent_id", p.tier, unit.tier)),
                        Some(p) => new_parent = Some(p),
                    }
                }
            }
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            let changes = OrgUnitChanges {
                name: body.name.map(|n| n.trim().to_owned()),
                division_code: division,
                address: body.address,
                phone: body.phone.map(|p| normalize_phone(p.as_deref())),
                status: body.status,
            };
            let updated = repo::org_units::update(conn, id, unit.version, &changes, new_parent.as_ref().map(|p| p.id))
                .await?
                .ok_or(AppError::PreconditionFailed)?;
            let mut details = json!({"changes": changes_json(&changes)});
            if let Some(parent) = &new_parent {
                let new_path = child_path(Some(&parent.path), unit.id);
                let moved = repo::org_units::move_subtree(conn, &unit.path, &new_path, parent.depth + 1 - unit.depth).await?;
                details["moved"] = json!({"from_parent": unit.parent_id, "to_parent": parent.id, "units": moved});
            }
            repo::audit::insert(conn, &super::audit::by(actor, "org_unit.update", "org_unit", Some(id), details)).await?;
            let fresh = repo::org_units::find(conn, id).await?.unwrap_or(updated);
            Written::changed(fresh.version, &OrgUnitOut::from(fresh.clone()))
        }
        .scope_boxed_local()
    })
    .await
}

fn changes_json(c: &OrgUnitChanges) -> serde_json::Value {
    json!({
        "name": c.name,
        "division_code": c.division_code,
        "address": c.address,
        "phone": c.phone,
        "status": c.status,
    })
}
