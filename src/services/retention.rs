//! Retention: personal information is kept no longer than its purpose needs (PIPL art. 19, 47).
//!
//! Policy:
//! - A client deleted more than `SHEGONG_RETENTION_DELETED_DAYS` ago is anonymised: what
//!   identifies the person goes, what the figures count stays (`repo::retention`), so statistics
//!   of past periods are unchanged. The narratives of their cases stay as written: they are
//!   append-only records of the work done, kept with the case.
//! - A case closed more than `SHEGONG_RETENTION_CASE_YEARS` ago is archived: it stays readable
//!   (and counted), but nothing more is written to it, and it cannot be reopened.
//! - The audit log is never touched; each record changed gets an event of its own, by the
//!   process (`system:retention`), so the client's access log shows it.
//! - Work goes in batches of [`BATCH`] rows, each its own transaction, oldest first: a purge that
//!   stops half-way leaves whole batches done and the next run goes on from there; two purges at
//!   once skip each other's rows.

use chrono::{DateTime, Duration, Months, Utc};
use serde::Serialize;
use serde_json::json;

use crate::db::{repo, Conn};
use crate::error::AppError;
use crate::state::AppState;

/// Rows per transaction.
pub const BATCH: i64 = 500;

/// What one purge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// Deleted clients anonymised.
    pub clients_anonymised: usize,
    /// Closed cases archived.
    pub cases_archived: usize,
}

/// Runs the purge as of `now` (the clock, or a moved one in tests).
pub async fn purge(state: &AppState, now: DateTime<Utc>) -> Result<PurgeReport, AppError> {
    let deleted_before = now - Duration::days(state.config.retention_deleted_days);
    let years = u32::try_from(state.config.retention_case_years).unwrap_or(1);
    let closed_before = now.checked_sub_months(Months::new(12 * years)).unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut conn = state.conn().await?;
    let mut report = PurgeReport::default();
    for work in [Work::Anonymise { deleted_before }, Work::Archive { closed_before }] {
        loop {
            let done = batch(&mut conn, work, now).await?;
            match work {
                Work::Anonymise { .. } => report.clients_anonymised += done,
                Work::Archive { .. } => report.cases_archived += done,
            }
            if done < BATCH as usize {
                break;
            }
        }
    }
    Ok(report)
}

/// One kind of retention work, with its cut-off.
#[derive(Debug, Clone, Copy)]
enum Work {
    /// Anonymise clients deleted before this.
    Anonymise { deleted_before: DateTime<Utc> },
    /// Archive cases closed before this.
    Archive { closed_before: DateTime<Utc> },
}

/// One batch in one transaction: the rows changed and an audit event for each.
async fn batch(conn: &mut Conn, work: Work, now: DateTime<Utc>) -> Result<usize, AppError> {
    use scoped_futures::ScopedFutureExt;
    crate::db::transaction::<usize, AppError, _>(conn, move |conn| {
        async move {
            let (ids, action, entity_type) = match work {
                Work::Anonymise { deleted_before } => {
                    (repo::retention::anonymise_deleted(conn, deleted_before, now, BATCH).await?, "client.anonymised", "client")
                }
                Work::Archive { closed_before } => {
                    (repo::retention::archive_closed(conn, closed_before, now, BATCH).await?, "case.archived", "case")
                }
            };
            let events: Vec<_> =
                ids.iter().map(|id| super::audit::system("retention", action, entity_type, Some(*id), json!({}))).collect();
            repo::audit::insert_all(conn, &events).await?;
            Ok(ids.len())
        }
        .scope_boxed_local()
    })
    .await
}
