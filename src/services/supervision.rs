//! Supervision records (督导记录): written by supervisors, read by everyone in scope.
//!
//! A record belongs to a unit in the supervisor's scope (their own by default). The people
//! supervised and the cases discussed must be in the supervisor's scope too, and each agreed
//! action is owned by the supervisor or one of the supervisees. A PATCH is merged into the record
//! and the result checked as a whole.

use chrono::{Duration, Utc};
use scoped_futures::ScopedFutureExt;
use serde_json::json;
use uuid::Uuid;

use super::tx::{self, Claim, Written};
use crate::auth::Actor;
use crate::db::{
    models::{SupervisionData, SupervisionRecord},
    repo::{self, supervision::SupervisionFilter},
    Conn,
};
use crate::domain::permissions::{may, Permission};
use crate::dto::supervision::{
    ActionItem, CreateSupervisionRecord, SupervisionQuery, SupervisionRecordOut, UpdateSupervisionRecord,
};
use crate::error::{AppError, FieldError};
use crate::i18n::Text;
use crate::paging::{Page, Paged};
use crate::state::AppState;

fn field(field: impl Into<String>, code: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, code, Text::owned(zh, en))
}

async fn outs(conn: &mut Conn, records: Vec<SupervisionRecord>) -> Result<Vec<SupervisionRecordOut>, AppError> {
    let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
    let links = repo::supervision::links_of(conn, &ids).await?;
    Ok(records
        .into_iter()
        .map(|r| SupervisionRecordOut {
            supervisee_ids: links.supervisees.iter().filter(|(rec, _)| *rec == r.id).map(|(_, u)| *u).collect(),
            case_ids: links.cases.iter().filter(|(rec, _)| *rec == r.id).map(|(_, c)| *c).collect(),
            action_items: serde_json::from_value(r.action_items).unwrap_or_default(),
            id: r.id,
            org_unit_id: r.org_unit_id,
            supervisor_id: r.supervisor_id,
            occurred_at: r.occurred_at,
            duration_minutes: r.duration_minutes,
            format: r.format,
            function: r.function,
            issues: r.issues,
            advice: r.advice,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

async fn out(conn: &mut Conn, record: SupervisionRecord) -> Result<SupervisionRecordOut, AppError> {
    outs(conn, vec![record]).await?.into_iter().next().ok_or(AppError::NotFound)
}

/// The whole record, checked: people and cases in scope, owners among the people, no time travel.
struct Draft {
    data: SupervisionData,
    supervisee_ids: Vec<Uuid>,
    case_ids: Vec<Uuid>,
}

async fn check(conn: &mut Conn, actor: &Actor, supervisor_id: Uuid, draft: &Draft, items: &[ActionItem]) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if draft.data.occurred_at > Utc::now() + Duration::minutes(5) {
        errors.push(field("occurred_at", "in_future", "督导时间不能晚于现在。", "The supervision cannot be in the future."));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, user_id) in draft.supervisee_ids.iter().enumerate() {
        let name = format!("supervisee_ids[{i}]");
        if !seen.insert(*user_id) {
            errors.push(field(name, "duplicate", "同一人重复出现。", "This person is listed twice."));
            continue;
        }
        let ok = repo::users::find_in_scope(conn, &actor.scope, *user_id)
            .await?
            .is_some_and(|u| may(u.role, Permission::CasesWorkAssigned));
        if !ok {
            errors.push(field(name, "not_found", "社工不存在或不在您的管辖范围内。", "No such worker in your scope."));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (i, case_id) in draft.case_ids.iter().enumerate() {
        let name = format!("case_ids[{i}]");
        if !seen.insert(*case_id) {
            errors.push(field(name, "duplicate", "同一个案重复出现。", "This case is listed twice."));
        } else if repo::cases::find_in_scope(conn, &actor.scope, *case_id).await?.is_none() {
            errors.push(field(name, "not_found", "个案不存在或不在您的管辖范围内。", "No such case in your scope."));
        }
    }
    for (i, item) in items.iter().enumerate() {
        if let Some(owner) = item.owner_id {
            if owner != supervisor_id && !draft.supervisee_ids.contains(&owner) {
                errors.push(field(
                    format!("action_items[{i}].owner_id"),
                    "not_a_participant",
                    "负责人须为督导本人或被督导者。",
                    "The owner is the supervisor or one of the supervisees.",
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// A page of records in scope, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    query: SupervisionQuery,
    page: &Page,
) -> Result<Paged<SupervisionRecordOut>, AppError> {
    let before = page.after::<Uuid>()?;
    let mut conn = state.conn().await?;
    let filter =
        SupervisionFilter { supervisor_id: query.supervisor_id, supervisee_id: query.supervisee_id, case_id: query.case_id };
    let rows = repo::supervision::list(&mut conn, &actor.scope, &filter, before, page.fetch_limit()).await?;
    let paged = page.finish(rows, |r| r.id);
    let items = outs(&mut conn, paged.items).await?;
    Ok(Paged { items, next_cursor: paged.next_cursor })
}

/// One record in scope.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> Result<SupervisionRecordOut, AppError> {
    let mut conn = state.conn().await?;
    let record = repo::supervision::find_in_scope(&mut conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
    out(&mut conn, record).await
}

/// Records a supervision (supervisors).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    claim: Option<Claim>,
    body: CreateSupervisionRecord,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::SupervisionWrite, "supervision.create").await?;
    let requested_id = body.id;
    let result = tx::write(state, actor, "supervision.create", claim, move |conn| {
        async move {
            let id = body.id.unwrap_or_else(Uuid::now_v7);
            if repo::supervision::id_exists(conn, id).await? {
                // The same id twice is the same record: the same data replays it, other data is
                // a conflict; outside the caller's scope the id is just taken.
                let existing =
                    repo::supervision::find_in_scope(conn, &actor.scope, id).await?.ok_or_else(super::replay::id_taken)?;
                let version = existing.version;
                let current = out(conn, existing).await?;
                let sorted = |ids: &[Uuid]| {
                    let mut ids = ids.to_vec();
                    ids.sort();
                    ids
                };
                let items = serde_json::to_value(&body.action_items).map_err(AppError::internal)?;
                let stored_items = serde_json::to_value(&current.action_items).map_err(AppError::internal)?;
                let mut diff = super::replay::Diff::new();
                diff.given("org_unit_id", body.org_unit_id.as_ref(), &current.org_unit_id)
                    .field("occurred_at", &body.occurred_at.timestamp_micros(), &current.occurred_at.timestamp_micros())
                    .field("duration_minutes", &body.duration_minutes, &current.duration_minutes)
                    .field("format", &body.format, &current.format)
                    .field("function", &body.function, &current.function)
                    .field("issues", &trimmed(body.issues.clone()), &current.issues)
                    .field("advice", &trimmed(body.advice.clone()), &current.advice)
                    .field("action_items", &items, &stored_items)
                    .field("supervisee_ids", &sorted(&body.supervisee_ids), &sorted(&current.supervisee_ids))
                    .field("case_ids", &sorted(&body.case_ids), &sorted(&current.case_ids));
                return super::replay::existing(conn, actor, "supervision_record", id, &diff, version, &current).await;
            }
            let unit_id = body.org_unit_id.unwrap_or(actor.org_unit_id);
            if repo::org_units::find_in_scope(conn, &actor.scope, unit_id).await?.is_none() {
                return Err(AppError::field(
                    "org_unit_id",
                    "not_found",
                    Text::new("单位不存在或不在您的管辖范围内。", "No such unit in your scope."),
                ));
            }
            let draft = Draft {
                data: SupervisionData {
                    occurred_at: body.occurred_at,
                    duration_minutes: body.duration_minutes,
                    format: body.format,
                    function: body.function,
                    issues: trimmed(body.issues),
                    advice: trimmed(body.advice),
                    action_items: serde_json::to_value(&body.action_items).map_err(AppError::internal)?,
                },
                supervisee_ids: body.supervisee_ids,
                case_ids: body.case_ids,
            };
            check(conn, actor, actor.id, &draft, &body.action_items).await?;
            let record = repo::supervision::insert(conn, id, unit_id, actor.id, &draft.data).await?;
            repo::supervision::set_links(conn, id, &draft.supervisee_ids, &draft.case_ids).await?;
            let details =
                json!({"org_unit_id": unit_id, "supervisees": draft.supervisee_ids.len(), "cases": draft.case_ids.len()});
            repo::audit::insert(conn, &super::audit::by(actor, "supervision.create", "supervision_record", Some(id), details))
                .await?;
            let version = record.version;
            Written::created(id, version, &out(conn, record).await?)
        }
        .scope_boxed_local()
    })
    .await;
    super::replay::audit_refusal(state, actor, "supervision_record", requested_id, &result).await;
    result
}

/// Changes a record (supervisors, If-Match), e.g. to mark agreed actions done.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    patch: UpdateSupervisionRecord,
) -> Result<Written, AppError> {
    super::require(state, actor, Permission::SupervisionWrite, "supervision.update").await?;
    tx::write(state, actor, "supervision.update", None, move |conn| {
        async move {
            let current = repo::supervision::lock_in_scope(conn, &actor.scope, id).await?.ok_or(AppError::NotFound)?;
            if current.version != expected_version {
                return Err(AppError::PreconditionFailed);
            }
            let before = out(conn, current.clone()).await?;
            let items = patch.action_items.unwrap_or(before.action_items);
            let draft = Draft {
                data: SupervisionData {
                    occurred_at: patch.occurred_at.unwrap_or(current.occurred_at),
                    duration_minutes: patch.duration_minutes.unwrap_or(current.duration_minutes),
                    format: patch.format.unwrap_or(current.format),
                    function: patch.function.unwrap_or(current.function),
                    issues: patch.issues.map(trimmed).unwrap_or(current.issues),
                    advice: patch.advice.map(trimmed).unwrap_or(current.advice),
                    action_items: serde_json::to_value(&items).map_err(AppError::internal)?,
                },
                supervisee_ids: patch.supervisee_ids.unwrap_or(before.supervisee_ids),
                case_ids: patch.case_ids.unwrap_or(before.case_ids),
            };
            check(conn, actor, current.supervisor_id, &draft, &items).await?;
            let record = repo::supervision::update(conn, id, &draft.data).await?;
            repo::supervision::set_links(conn, id, &draft.supervisee_ids, &draft.case_ids).await?;
            repo::audit::insert(conn, &super::audit::by(actor, "supervision.update", "supervision_record", Some(id), json!({})))
                .await?;
            let version = record.version;
            Written::changed(version, &out(conn, record).await?)
        }
        .scope_boxed_local()
    })
    .await
}
