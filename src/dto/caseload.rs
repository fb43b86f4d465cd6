//! Bodies of the caseload endpoint.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Query of `GET /caseload`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseloadQuery {
    /// The unit whose subtree to show (default: the caller's unit).
    pub org_unit_id: Option<Uuid>,
}

/// What one worker (or the whole unit) carries.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct Load {
    /// Open cases.
    pub open_cases: i64,
    /// Open cases by status.
    pub by_status: BTreeMap<String, i64>,
    /// Open cases by risk level.
    pub by_risk: BTreeMap<String, i64>,
    /// Open cases whose visit is overdue (last session older than the risk level's interval).
    pub overdue_cases: i64,
    /// Sessions recorded in the last 30 days.
    pub sessions_30d: i64,
    /// Minutes of those sessions.
    pub minutes_30d: i64,
    /// Reviews pending on their cases.
    pub pending_reviews: i64,
    /// Active roster entries they answer for (responsible worker).
    pub roster_entries: i64,
    /// Of those, entries whose next visit was due before today.
    pub overdue_visits: i64,
    /// Of those, entries whose next visit is due today or in the six days after.
    pub visits_due_7d: i64,
    /// Visits they recorded in the last 30 days (also counted in `sessions_30d`).
    pub visits_30d: i64,
}

/// One worker's load.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkerLoad {
    /// The worker.
    pub user_id: Uuid,
    /// Their name.
    pub display_name: String,
    /// Their unit.
    pub org_unit_id: Uuid,
    /// Their role.
    pub role: String,
    /// The figures.
    #[serde(flatten)]
    pub load: Load,
}

/// `GET /caseload`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseloadOut {
    /// The unit shown.
    pub org_unit_id: Uuid,
    /// Its name.
    pub org_unit_name: String,
    /// One row per worker, heaviest open caseload first.
    pub workers: Vec<WorkerLoad>,
    /// The whole unit.
    pub totals: Load,
}
