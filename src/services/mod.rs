//! Use cases: permissions, rules, one transaction each, and the audit record of what happened.
//! No HTTP types here; the routes turn results into responses.

pub mod audit;
pub mod auth;
pub mod case_records;
pub mod caseload;
pub mod cases;
pub mod clients;
pub mod org_units;
pub mod probes;
pub mod replay;
pub mod retention;
pub mod reviews;
pub mod rosters;
pub mod sessions;
pub mod stats;
pub mod supervision;
pub mod sync;
pub mod tx;
pub mod users;

use crate::auth::Actor;
use crate::domain::permissions::{may, Permission};
use crate::error::AppError;
use crate::i18n::Text;
use crate::state::AppState;

/// Refuses (403, audited as a denied `action`) unless the caller's role has `permission`.
pub async fn require(state: &AppState, actor: &Actor, permission: Permission, action: &str) -> Result<(), AppError> {
    let allowed = permitted(actor, permission);
    if allowed.is_err() {
        audit::denied(state, actor, action).await;
    }
    allowed
}

/// Refuses (403, not audited: the caller records the denial) unless the caller's role has
/// `permission`.
pub fn permitted(actor: &Actor, permission: Permission) -> Result<(), AppError> {
    if may(actor.role, permission) {
        return Ok(());
    }
    Err(AppError::Forbidden(Text::new("当前角色无权执行此操作。", "Your role may not do this.")))
}

/// Today's date where the stations are (China Standard Time, UTC+8): ages and "not in the
/// future" are judged on the local calendar day.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// A list's `org_unit_id` filter: `Some(None)` without one, `Some(Some(path))` for a unit in the
/// caller's scope, and `None` for a unit outside it, which holds nothing the caller may see.
pub async fn unit_filter(
    conn: &mut crate::db::Conn,
    actor: &Actor,
    unit: Option<uuid::Uuid>,
) -> Result<Option<Option<String>>, AppError> {
    match unit {
        None => Ok(Some(None)),
        Some(id) => Ok(crate::db::repo::org_units::find_in_scope(conn, &actor.scope, id).await?.map(|u| Some(u.path))),
    }
}
