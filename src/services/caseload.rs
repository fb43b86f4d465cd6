//! The supervisor's caseload view: who carries what, and what is slipping.

use std::collections::HashMap;

use uuid::Uuid;

use crate::auth::Actor;
use crate::db::repo;
use crate::domain::permissions::Permission;
use crate::dto::caseload::{CaseloadOut, CaseloadQuery, Load, WorkerLoad};
use crate::error::AppError;
use crate::state::AppState;

/// The caseload of a unit's subtree (supervisors and admins).
pub async fn caseload(state: &AppState, actor: &Actor, query: &CaseloadQuery) -> Result<CaseloadOut, AppError> {
    super::require(state, actor, Permission::CaseloadRead, "caseload.read").await?;
    let mut conn = state.conn().await?;
    let unit_id = query.org_unit_id.unwrap_or(actor.org_unit_id);
    let unit = repo::org_units::find_in_scope(&mut conn, &actor.scope, unit_id).await?.ok_or(AppError::NotFound)?;
    let open = repo::caseload::open_cases(&mut conn, &unit.path).await?;
    let sessions = repo::caseload::recent_sessions(&mut conn, &unit.path).await?;
    let reviews = repo::caseload::pending_reviews(&mut conn, &unit.path).await?;
    let rosters = repo::caseload::roster_entries(&mut conn, &unit.path, super::today()).await?;
    let visits = repo::caseload::recent_visits(&mut conn, &unit.path).await?;

    let mut loads: HashMap<Uuid, Load> = HashMap::new();
    let mut totals = Load::default();
    for row in open {
        for load in [loads.entry(row.worker_id).or_default(), &mut totals] {
            load.open_cases += row.n;
            load.overdue_cases += row.overdue;
            *load.by_status.entry(row.status.clone()).or_default() += row.n;
            *load.by_risk.entry(row.risk_level.clone()).or_default() += row.n;
        }
    }
    for row in sessions {
        for load in [loads.entry(row.worker_id).or_default(), &mut totals] {
            load.sessions_30d += row.n;
            load.minutes_30d += row.minutes.unwrap_or(0);
        }
    }
    for row in reviews {
        for load in [loads.entry(row.worker_id).or_default(), &mut totals] {
            load.pending_reviews += row.n;
        }
    }
    for row in rosters {
        for load in [loads.entry(row.worker_id).or_default(), &mut totals] {
            load.roster_entries += row.entries;
            load.overdue_visits += row.overdue;
            load.visits_due_7d += row.due_soon;
        }
    }
    for row in visits {
        for load in [loads.entry(row.worker_id).or_default(), &mut totals] {
            load.visits_30d += row.n;
        }
    }
    // Everyone who works in the unit gets a row, and so does anyone carrying its cases.
    let also: Vec<Uuid> = loads.keys().copied().collect();
    let people = repo::caseload::workers(&mut conn, &unit.path, &also).await?;
    let mut workers: Vec<WorkerLoad> = people
        .into_iter()
        .map(|w| WorkerLoad {
            load: loads.remove(&w.id).unwrap_or_default(),
            user_id: w.id,
            display_name: w.display_name,
            org_unit_id: w.org_unit_id,
            role: w.role,
        })
        .collect();
    workers.sort_by(|a, b| b.load.open_cases.cmp(&a.load.open_cases).then_with(|| a.display_name.cmp(&b.display_name)));
    Ok(CaseloadOut { org_unit_id: unit.id, org_unit_name: unit.name, workers, totals })
}
