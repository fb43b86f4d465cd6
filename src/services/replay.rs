//! A create under a client-chosen id that is already in use (API.md: the same id twice is the
//! same record; FIELDWORK.md §3: nothing is lost silently).
//!
//! - The same data again is a replay: the stored record, as the first answer gave it. "The same"
//!   is judged on the normalised values the create would insert, compared field by field with
//!   the stored ones (never the raw JSON: `" 王小明"` and `"王小明"` are one name).
//! - Other data is a conflict: 409 `id_conflict` with the stored `version`, the record as its
//!   detail shows it (`current`) and the names of the `fields` that differ, so an app can merge
//!   instead of believing its own version was kept.
//! - An id used by a record outside the caller's scope is `id_taken`, with nothing about it.
//!
//! Either way the audit log says so, with the id and field names only: `<entity>.create_replayed`
//! inside the write's transaction, `<entity>.id_conflict` on a connection of its own (the refused
//! write rolls back) or, inside a sync batch, in the batch's transaction.

use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::tx::{Effect, Written};
use crate::auth::Actor;
use crate::db::{repo, Conn};
use crate::error::AppError;
use crate::i18n::Text;
use crate::state::AppState;

/// The fields in which a create's data differs from the stored record.
#[derive(Debug, Default)]
pub struct Diff(Vec<&'static str>);

impl Diff {
    /// No difference yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes `name` when the create's value differs from the stored one.
    pub fn field<T: PartialEq + ?Sized>(&mut self, name: &'static str, mine: &T, stored: &T) -> &mut Self {
        if mine != stored {
            self.0.push(name);
        }
        self
    }

    /// Notes `name` when the create gave a value and it differs from the stored one (a field the
    /// create may leave to a default the server picks).
    pub fn given<T: PartialEq>(&mut self, name: &'static str, mine: Option<&T>, stored: &T) -> &mut Self {
        if mine.is_some_and(|m| m != stored) {
            self.0.push(name);
        }
        self
    }

    /// Whether the data is the same.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names of the differing fields.
    pub fn fields(&self) -> &[&'static str] {
        &self.0
    }
}

/// The 409 for an id used outside the caller's scope: nothing about the record.
pub fn id_taken() -> AppError {
    AppError::conflict("id_taken", Text::new("该 id 已被占用。", "This id is already taken."))
}

/// The 409 for the same id with other data: the stored version and record, and what differs.
pub fn id_conflict(version: i32, current: &impl Serialize, diff: &Diff) -> AppError {
    let mut extra = Map::new();
    extra.insert("version".into(), json!(version));
    extra.insert("current".into(), serde_json::to_value(current).unwrap_or(Value::Null));
    extra.insert("fields".into(), json!(diff.fields()));
    AppError::Conflict {
        code: "id_conflict",
        detail: Text::new(
            "该 id 已用于另一份不同的记录，未作任何修改；请核对 current 中的现有记录。",
            "This id already belongs to a record with other data; nothing was changed. See `current` for the stored record.",
        ),
        extra,
    }
}

/// The answer for a create whose id holds a record in the caller's scope: a replay with the stored
/// record (200) when `diff` is empty, audited as `<entity>.create_replayed`; otherwise
/// `id_conflict`.
pub async fn existing(
    conn: &mut Conn,
    actor: &Actor,
    entity: &str,
    id: Uuid,
    diff: &Diff,
    version: i32,
    current: &impl Serialize,
) -> Result<Written, AppError> {
    if !diff.is_empty() {
        return Err(id_conflict(version, current, diff));
    }
    let event = super::audit::by(actor, &format!("{entity}.create_replayed"), entity, Some(id), json!({}));
    repo::audit::insert(conn, &event).await?;
    Ok(Written { version: Some(version), id: Some(id), ..Written::new(Effect::Existing, current)? })
}

/// The audit event of a create refused because its id is in use (`id_conflict` or `id_taken`),
/// of a document number found outside the caller's scope (or refused because the day's checks
/// are used up), or `None` for any other outcome.
pub fn refusal_event(
    actor: &Actor,
    entity: &str,
    id: Option<Uuid>,
    error: &AppError,
) -> Option<crate::db::models::NewAuditEvent> {
    if let AppError::DocumentElsewhere(probe) = error {
        return Some(probe_event(actor, id, probe));
    }
    let AppError::Conflict { code, extra, .. } = error else { return None };
    if !matches!(*code, "id_conflict" | "id_taken") {
        return None;
    }
    let mut details = json!({"code": code});
    if let Some(fields) = extra.get("fields") {
        details["fields"] = fields.clone();
    }
    Some(super::audit::by(actor, &format!("{entity}.id_conflict"), entity, id, details))
}

/// A probe, denied: against the record that holds the number (so its access log shows it), with
/// the number masked and the record the caller was writing (if it has an id).
fn probe_event(actor: &Actor, id: Option<Uuid>, probe: &crate::error::DocumentProbe) -> crate::db::models::NewAuditEvent {
    let limited = probe.retry_after_secs.is_some();
    let action = if limited { super::probes::LIMITED_ACTION } else { super::probes::PROBE_ACTION };
    let details = json!({
        "id_type": probe.id_type,
        "id_number_masked": probe.masked,
        "in_scope": false,
        "record_id": id,
    });
    let mut event = super::audit::by(actor, action, "client", probe.existing, details);
    event.outcome = crate::domain::enums::AuditOutcome::Denied.as_str().to_owned();
    event
}

/// Records a refused create of `entity` under `id` after its transaction rolled back. Best effort,
/// like a denied access: a failure to record is logged, the 409 stands.
pub async fn audit_refusal<T>(state: &AppState, actor: &Actor, entity: &str, id: Option<Uuid>, result: &Result<T, AppError>) {
    let Err(error) = result else { return };
    let Some(event) = refusal_event(actor, entity, id, error) else { return };
    match state.conn().await {
        Ok(mut conn) => {
            if let Err(e) = repo::audit::insert(&mut conn, &event).await {
                tracing::error!(error = %e, "writing id-conflict audit event");
            }
        }
        Err(e) => tracing::error!(error = %e, "writing id-conflict audit event"),
    }
}
