//! Bodies of the statistics endpoints.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Query of `GET /stats` and `GET /stats/export`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The unit whose subtree is counted (default: the caller's unit).
    pub org_unit_id: Option<Uuid>,
    /// First day of the period (default: 1 January of this year).
    pub from: Option<NaiveDate>,
    /// Last day of the period, inclusive (default: today).
    pub to: Option<NaiveDate>,
    /// `unit`, `month`, or `unit,month` (default `unit`).
    #[param(pattern = "^(unit|month)(,(unit|month))*$")]
    pub group_by: Option<String>,
}

/// Query of `GET /stats/export`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `xlsx` (default) or `csv`.
    #[param(pattern = "^(xlsx|csv)$")]
    pub format: Option<String>,
}

/// Counts by method.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct ByMethod {
    /// 个案.
    pub individual: i64,
    /// 小组.
    pub group: i64,
    /// 社区.
    pub community: i64,
    /// 走访.
    pub visit: i64,
}

/// The figures of DOMAIN.md §7 for one bucket (or the total).
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct Figures {
    /// 服务人数: distinct clients with an individual session, present/late at a group session, or
    /// seen on a visit.
    pub people_served: i64,
    /// 服务人数 by population group (REPORTING.md §2; codes of `population_group` in
    /// `/reference`, every group present): each person once per group they are in, by their age
    /// on the period's last day. A person may be in several groups.
    pub people_served_by_group: BTreeMap<String, i64>,
    /// 服务人数 by gender (`male`, `female`, and `unknown` when not recorded).
    pub people_served_by_gender: BTreeMap<String, i64>,
    /// 服务人次: individual sessions + group attendees present/late (walk-ins included) +
    /// community participant counts + visit person-times.
    pub person_times: i64,
    /// Sessions by method.
    pub sessions: ByMethod,
    /// Minutes by method.
    pub minutes: ByMethod,
    /// Community headcounts (not named people; reported apart from people_served).
    pub community_participants: i64,
    /// Volunteer hours.
    pub volunteer_hours: f64,
    /// Resources linked, yuan.
    pub resources_value_yuan: f64,
    /// 走访人次: the clients each visit saw, summed over the visits.
    pub visit_person_times: i64,
    /// 走访户次: the households each visit reached, summed over the visits (a client without a
    /// household counts as one).
    pub household_visits: i64,
    /// Clients registered in the period.
    pub clients_registered: i64,
    /// Clients registered in the period, by category (a client counts in each of theirs).
    pub clients_by_category: BTreeMap<String, i64>,
    /// Cases opened in the period.
    pub cases_opened: i64,
    /// Cases closed in the period.
    pub cases_closed: i64,
    /// Cases closed in the period, by closure reason.
    pub closed_by_reason: BTreeMap<String, i64>,
    /// Cases open at the end of the period (point in time: unit rows, the total, and by month the row of the period's last month).
    pub open_at_end: Option<i64>,
    /// Cases open at the end of the period by risk level (point in time: unit rows, the total, and by month the row of the period's last month).
    pub open_by_risk: Option<BTreeMap<String, i64>>,
    /// Open cases overdue for a visit now (point in time: unit rows, the total, and by month the row of the period's last month).
    pub overdue_cases: Option<i64>,
    /// Reviews pending now (point in time: unit rows, the total, and by month the row of the period's last month).
    pub pending_reviews: Option<i64>,
    /// 在册: roster entries at the period's end (now, for a period that runs on), by programme
    /// then by their level at that moment (point in time: unit rows, the total, and by month the row of the period's last month). A client on two
    /// programmes' rosters is an entry on each.
    pub roster_by_programme: Option<BTreeMap<String, BTreeMap<String, i64>>>,
    /// 在册人数: roster entries at the period's end, all programmes (point in time: unit rows, the total, and by month the row of the period's last month).
    pub roster_active: Option<i64>,
    /// Of those, the entries visited within their interval before the end (before today, for a
    /// period that runs on) (point in time: unit rows, the total, and by month the row of the period's last month).
    pub roster_covered: Option<i64>,
    /// 覆盖率: `roster_covered / roster_active`, four decimals, 0 with no entries (point in time: unit
    /// rows, the total, and by month the row of the period's last month).
    pub roster_coverage: Option<f64>,
    /// 逾期未访: active roster entries whose next visit was due before today (now, whatever the
    /// period; point in time: unit rows, the total, and by month the row of the period's last month).
    pub overdue_visits: Option<i64>,
}

/// One bucket of figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatsRow {
    /// The child unit (when grouped by unit).
    pub org_unit_id: Option<Uuid>,
    /// Its name.
    pub org_unit_name: Option<String>,
    /// The month `YYYY-MM` (when grouped by month).
    pub month: Option<String>,
    /// The figures.
    pub figures: Figures,
}

/// `GET /stats`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatsOut {
    /// The unit counted.
    pub org_unit_id: Uuid,
    /// Its name.
    pub org_unit_name: String,
    /// First day.
    #[serde(serialize_with = "crate::dto::time::date")]
    pub from: NaiveDate,
    /// Last day (inclusive).
    #[serde(serialize_with = "crate::dto::time::date")]
    pub to: NaiveDate,
    /// How rows are grouped.
    pub group_by: Vec<String>,
    /// One row per bucket.
    pub rows: Vec<StatsRow>,
    /// The whole subtree and period.
    pub total: Figures,
}
