//! Pushing offline mutations (`POST /sync/batch`, FIELDWORK.md §3 "Push").
//!
//! - One transaction for the batch, a savepoint per mutation: a mutation refused half-way rolls
//!   back to its savepoint and the others stand; the results, the stored outcomes and the audit
//!   commit together, so a lost response can be replayed.
//! - Each mutation is the REST request it stands for, through the same service function (`*_in`)
//!   with the same permissions, validation, rules and audit; a refusal is `rejected` with exactly
//!   the problem body that endpoint would answer.
//! - An update on a record that moved on is merged three ways: when none of the fields it changes
//!   changed on the server since the device's `base`, it is applied on the current version
//!   (`merged`); otherwise nothing is written and the fields changed on both sides come back as
//!   a `conflict`. A transition (and a deletion) on a changed record is always a conflict.
//! - Idempotent by `mutation_id` per user: the stored result again, as `duplicate`.

use std::collections::HashMap;

use scoped_futures::ScopedFutureExt;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::{repo, Conn};
use crate::domain::enums::{MutationOp, MutationStatus, SyncEntity};
use crate::domain::permissions::Permission;
use crate::dto::sync_batch::{FieldConflict, Mutation, MutationBody, MutationResult, ParsedMutation, SyncBatchResult};
use crate::error::AppError;
use crate::services::{self, cases::Transitioned, permitted, tx::Written};
use crate::state::AppState;

/// What one mutation came to, before it is a result.
enum Outcome {
    /// Written on the version the device saw (or created).
    Applied(Option<i32>),
    /// Written on a newer version, none of its fields having changed there.
    Merged(Option<i32>),
    /// Not written: the record changed where the device changed it.
    Conflict(i32, Vec<FieldConflict>),
}

/// Applies a batch for `actor`.
pub async fn push(state: &AppState, actor: &Actor, batch: Vec<ParsedMutation>) -> Result<SyncBatchResult, AppError> {
    let mut conn = state.conn().await?;
    let probes_per_day = state.config.duplicate_probes_per_day;
    crate::db::transaction(&mut conn, |conn| {
        async move {
            let ids: Vec<Uuid> = batch.iter().map(|p| p.mutation.mutation_id).collect();
            let mut seen: HashMap<Uuid, Value> = repo::sync_mutations::find(conn, actor.id, &ids).await?.into_iter().collect();
            let mut results = Vec::with_capacity(batch.len());
            let mut counts: HashMap<&'static str, usize> = HashMap::new();
            let mut outcomes = Vec::new();
            for ParsedMutation { mutation: m, body } in batch {
                let result = match seen.get(&m.mutation_id) {
                    Some(stored) => duplicate(&m, stored),
                    None => {
                        let result = apply_one(conn, actor, &m, body, probes_per_day).await?;
                        let stored = serde_json::to_value(&result).map_err(AppError::internal)?;
                        seen.insert(m.mutation_id, stored.clone());
                        outcomes.push(repo::sync_mutations::Stored {
                            mutation_id: m.mutation_id,
                            entity: m.entity.as_str(),
                            op: m.op.as_str(),
                            record_id: m.id,
                            result: stored,
                        });
                        result
                    }
                };
                *counts.entry(result.status.as_str()).or_default() += 1;
                results.push(result);
            }
            // Kept in one statement: a round trip per mutation is most of a small mutation's cost.
            repo::sync_mutations::insert(conn, actor.id, &outcomes).await?;
            let details = json!({"mutations": results.len(), "statuses": counts});
            repo::audit::insert(conn, &services::audit::by(actor, "sync.batch", "sync", None, details)).await?;
            Ok(SyncBatchResult { results })
        }
        .scope_boxed_local()
    })
    .await
}

fn duplicate(m: &Mutation, stored: &Value) -> MutationResult {
    let mut result: MutationResult = serde_json::from_value(stored.clone()).unwrap_or(MutationResult {
        mutation_id: m.mutation_id,
        id: m.id,
        status: MutationStatus::Duplicate,
        version: None,
        conflicts: None,
        problem: None,
    });
    result.status = MutationStatus::Duplicate;
    result
}

/// One mutation in a savepoint of its own; a refusal becomes `rejected`, audited as the REST
/// endpoint audits it (a denial, a refused id), in the batch's transaction.
async fn apply_one(
    conn: &mut Conn,
    actor: &Actor,
    m: &Mutation,
    body: Result<MutationBody, AppError>,
    probes_per_day: i64,
) -> Result<MutationResult, AppError> {
    let outcome = crate::db::transaction::<Outcome, AppError, _>(conn, |conn| {
        async move { apply(conn, actor, m, body?, probes_per_day).await }.scope_boxed_local()
    })
    .await;
    let base = MutationResult {
        mutation_id: m.mutation_id,
        id: m.id,
        status: MutationStatus::Applied,
        version: None,
        conflicts: None,
        problem: None,
    };
    Ok(match outcome {
        Ok(Outcome::Applied(version)) => MutationResult { version, ..base },
        Ok(Outcome::Merged(version)) => MutationResult { status: MutationStatus::Merged, version, ..base },
        Ok(Outcome::Conflict(version, conflicts)) => {
            MutationResult { status: MutationStatus::Conflict, version: Some(version), conflicts: Some(conflicts), ..base }
        }
        // The database is gone: the whole batch fails and the device retries it.
        Err(e @ (AppError::Unavailable | AppError::Internal(_))) => return Err(e),
        Err(e) => {
            if matches!(e, AppError::Forbidden(_)) {
                repo::audit::insert(conn, &services::audit::denied_event(actor, action(m))).await?;
            }
            if let Some(event) = services::replay::refusal_event(actor, m.entity.as_str(), Some(m.id), &e) {
                repo::audit::insert(conn, &event).await?;
            }
            let problem = serde_json::to_value(e.problem()).map_err(AppError::internal)?;
            MutationResult { status: MutationStatus::Rejected, problem: Some(problem), ..base }
        }
    })
}

/// The audit action of the REST endpoint a mutation stands for (the name a denial is kept under).
fn action(m: &Mutation) -> &'static str {
    match (m.entity, m.op) {
        (SyncEntity::Client, MutationOp::Create) => "clients.create",
        (SyncEntity::Client, MutationOp::Update) => "clients.update",
        (SyncEntity::Client, MutationOp::Delete) => "clients.delete",
        (SyncEntity::Household, MutationOp::Create) => "households.create",
        (SyncEntity::Household, MutationOp::Update) => "households.members",
        (SyncEntity::Session, MutationOp::Create) => "sessions.create",
        (SyncEntity::Session, MutationOp::Update) => "sessions.update",
        (SyncEntity::RosterEntry, MutationOp::Create) => "rosters.create",
        (SyncEntity::RosterEntry, MutationOp::Update) => "rosters.update",
        (SyncEntity::Case, MutationOp::Create) => "cases.create",
        (SyncEntity::Case, MutationOp::Update) => "case.update",
        (SyncEntity::Case, MutationOp::Transition) => "case.transition",
        _ => "sync.mutation",
    }
}

/// The version the device saw; without one an update is what a PATCH without `If-Match` is.
fn base_version(m: &Mutation) -> Result<i32, AppError> {
    m.base_version.ok_or(AppError::PreconditionRequired)
}

fn created(w: Written) -> Outcome {
    Outcome::Applied(w.version)
}

async fn apply(
    conn: &mut Conn,
    actor: &Actor,
    m: &Mutation,
    body: MutationBody,
    probes_per_day: i64,
) -> Result<Outcome, AppError> {
    match body {
        MutationBody::CreateClient(body) => {
            permitted(actor, Permission::ClientsWrite)?;
            Ok(created(services::clients::create_in(conn, actor, *body, probes_per_day).await?))
        }
        MutationBody::UpdateClient(patch) => {
            permitted(actor, Permission::ClientsWrite)?;
            let base = base_version(m)?;
            let (version, current) = services::clients::current_in(conn, actor, m.id).await?.ok_or(AppError::NotFound)?;
            update(m, base, version, &to_json(&current)?, |v| {
                services::clients::update_in(conn, actor, m.id, v, *patch, probes_per_day)
            })
            .await
        }
        MutationBody::DeleteClient => {
            permitted(actor, Permission::ClientsDelete)?;
            let base = base_version(m)?;
            let (version, current) = services::clients::current_in(conn, actor, m.id).await?.ok_or(AppError::NotFound)?;
            if version != base {
                return Ok(Outcome::Conflict(version, changed_since(&m.base, &to_json(&current)?)));
            }
            services::clients::delete_in(conn, actor, m.id, Some(version)).await?;
            Ok(Outcome::Applied(None))
        }
        MutationBody::CreateHousehold(body) => {
            permitted(actor, Permission::HouseholdsWrite)?;
            Ok(created(services::clients::create_household_in(conn, actor, body).await?))
        }
        MutationBody::SetHouseholdMembers(body) => {
            permitted(actor, Permission::HouseholdsWrite)?;
            let base = base_version(m)?;
            let current = services::clients::household_in(conn, actor, m.id).await?.ok_or(AppError::NotFound)?;
            let mut theirs = to_json(&current)?;
            // The members as the members body names them (the detail adds names).
            let members: Vec<Value> =
                current.members.iter().map(|m| json!({"client_id": m.client_id, "relation": m.relation})).collect();
            theirs["members"] = Value::Array(members);
            update(m, base, current.version, &theirs, |v| services::clients::set_members_in(conn, actor, m.id, v, body)).await
        }
        MutationBody::CreateSession(body) => {
            permitted(actor, Permission::SessionsWrite)?;
            Ok(created(services::sessions::create_in(conn, actor, *body).await?))
        }
        MutationBody::UpdateSession(patch) => {
            permitted(actor, Permission::SessionsWrite)?;
            let base = base_version(m)?;
            let (version, current) = services::sessions::current_in(conn, actor, m.id).await?.ok_or(AppError::NotFound)?;
            update(m, base, version, &to_json(&current)?, |v| services::sessions::update_in(conn, actor, m.id, v, *patch)).await
        }
        MutationBody::CreateRosterEntry(body) => {
            permitted(actor, Permission::RostersWrite)?;
            services::rosters::may_assign(actor, &body)?;
            Ok(created(services::rosters::create_in(conn, actor, *body).await?))
        }
        MutationBody::UpdateRosterEntry(patch) => {
            permitted(actor, Permission::RostersWrite)?;
            let base = base_version(m)?;
            let (version, current) = services::rosters::current_in(conn, actor, m.id).await?.ok_or(AppError::NotFound)?;
            update(m, base, version, &to_json(&current)?, |v| services::rosters::update_in(conn, actor, m.id, v, patch)).await
        }
        MutationBody::CreateCase(body) => {
            permitted(actor, Permission::CasesCreate)?;
            services::cases::may_assign(actor, &body)?;
            Ok(created(services::cases::create_in(conn, actor, *body).await?))
        }
        MutationBody::UpdateCase(patch) => {
            let base = base_version(m)?;
            let (version, current) = services::cases::current_in(conn, actor, m.id).await?.ok_or(AppError::NotFound)?;
            update(m, base, version, &to_json(&current)?, |v| services::cases::update_in(conn, actor, m.id, v, patch)).await
        }
        MutationBody::TransitionCase(body) => {
            let base = base_version(m)?;
            let (version, current) = services::cases::current_in(conn, actor, m.id).await?.ok_or(AppError::NotFound)?;
            if version != base {
                // A case action is decided on the case as it is: never on one that moved on.
                let theirs = to_json(&current)?;
                let conflict = FieldConflict {
                    field: "status".into(),
                    base: m.base.get("status").cloned().unwrap_or(Value::Null),
                    mine: json!(body.action),
                    theirs: theirs.get("status").cloned().unwrap_or(Value::Null),
                };
                return Ok(Outcome::Conflict(version, vec![conflict]));
            }
            let version = match services::cases::transition_in(conn, actor, m.id, Some(base), body).await? {
                Transitioned::Case(case) => case.version,
                // The case waits for a review; its version moved with its status.
                Transitioned::Review(_) => {
                    services::cases::current_in(conn, actor, m.id).await?.map(|(v, _)| v).ok_or(AppError::NotFound)?
                }
            };
            Ok(Outcome::Applied(Some(version)))
        }
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, AppError> {
    serde_json::to_value(value).map_err(AppError::internal)
}

/// The fields of `base` whose stored value is no longer the one the device saw.
fn changed_since(base: &Map<String, Value>, theirs: &Value) -> Vec<FieldConflict> {
    base.iter()
        .filter_map(|(field, seen)| {
            let now = theirs.get(field).cloned().unwrap_or(Value::Null);
            (now != *seen).then(|| FieldConflict { field: field.clone(), base: seen.clone(), mine: Value::Null, theirs: now })
        })
        .collect()
}

/// The three-way merge of an update: on the version the device saw, the PATCH as it is; on a
/// newer one, only if none of the fields it changes changed there (a field whose base the device
/// did not send is unknown, so it conflicts), and then on the current version.
async fn update<F, Fut>(m: &Mutation, base: i32, version: i32, theirs: &Value, write: F) -> Result<Outcome, AppError>
where
    F: FnOnce(i32) -> Fut,
    Fut: std::future::Future<Output = Result<Written, AppError>>,
{
    if base == version {
        return Ok(Outcome::Applied(write(version).await?.version));
    }
    let conflicts: Vec<FieldConflict> = m
        .changes
        .iter()
        .filter_map(|(field, mine)| {
            let now = theirs.get(field).cloned().unwrap_or(Value::Null);
            match m.base.get(field) {
                // Unchanged there, or changed there to what the device wants too.
                Some(seen) if *seen == now || *mine == now => None,
                Some(seen) => Some(FieldConflict { field: field.clone(), base: seen.clone(), mine: mine.clone(), theirs: now }),
                None if *mine == now => None,
                None => Some(FieldConflict { field: field.clone(), base: Value::Null, mine: mine.clone(), theirs: now }),
            }
        })
        .collect();
    if !conflicts.is_empty() {
        return Ok(Outcome::Conflict(version, conflicts));
    }
    Ok(Outcome::Merged(write(version).await?.version))
}
