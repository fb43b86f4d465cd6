//! The pushed batch of offline mutations and its per-item results.
//! `POST /sync/batch`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::domain::enums::{MutationOp, MutationStatus, SyncEntity};
use crate::domain::labels::Coded;

/// The most mutations one batch may carry.
pub const MAX_MUTATIONS: usize = 500;

/// `POST /sync/batch`: a day's offline work, applied in order, each mutation on its own.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncBatch {
    /// The mutations, 1–500, in the order they were made on the device.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_items = 1, max_items = 500)]
    pub mutations: Vec<Mutation>,
}

/// One change made offline.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// Device-chosen id of this mutation: the same id pushed again is answered with the first
    /// result (status `duplicate`) and writes nothing.
    pub mutation_id: Uuid,
    /// The kind of record.
    pub entity: SyncEntity,
    /// What to do with it.
    pub op: MutationOp,
    /// The record's id (for a create, the id the device chose).
    pub id: Uuid,
    /// The version the device last saw (its `ETag`): required for `update`, `delete` and
    /// `transition`, where it acts as `If-Match`.
    pub base_version: Option<i32>,
    /// For `update`: the values the device saw of the fields it changed, as the pulled record
    /// showed them; a changed field missing here counts as unknown.
    #[serde(default)]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub base: Map<String, Value>,
    /// The body the REST endpoint takes: the create body (`create`, without `id`), the PATCH body
    /// (`update`; for a household, the members body of `PUT /households/{id}/members`), or the
    /// transition body of `POST /cases/{id}/transitions` (`transition`). Not used by `delete`.
    #[serde(default)]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub changes: Map<String, Value>,
}

/// A field changed both on the device and on the server since the device's base.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldConflict {
    /// The field (a PATCH body's field name).
    pub field: String,
    /// The value the device saw (`null` when it did not say).
    pub base: Value,
    /// The device's new value.
    pub mine: Value,
    /// The value stored now.
    pub theirs: Value,
}

/// What became of one mutation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MutationResult {
    /// The mutation's id.
    pub mutation_id: Uuid,
    /// The record's id.
    pub id: Uuid,
    /// `applied`, `merged`, `conflict`, `rejected` or `duplicate`.
    pub status: MutationStatus,
    /// The record's version after the mutation (applied, merged, duplicate) or the stored version
    /// it conflicts with (conflict); absent after a deletion and when rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// The fields changed on both sides (conflict only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<FieldConflict>>,
    /// The problem+json body the REST endpoint would have answered (rejected only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::error::Problem>)]
    pub problem: Option<Value>,
}

/// The answer to a batch: one result per mutation, in the order of the mutations.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncBatchResult {
    /// The results, in the order of the mutations.
    pub results: Vec<MutationResult>,
}

/// A mutation's `changes`, parsed and validated as its REST endpoint parses its body.
#[derive(Debug)]
pub enum MutationBody {
    /// `POST /clients`.
    CreateClient(Box<crate::dto::clients::CreateClient>),
    /// `PATCH /clients/{id}`.
    UpdateClient(Box<crate::dto::clients::UpdateClient>),
    /// `DELETE /clients/{id}`.
    DeleteClient,
    /// `POST /households`.
    CreateHousehold(crate::dto::clients::CreateHousehold),
    /// `PUT /households/{id}/members`.
    SetHouseholdMembers(crate::dto::clients::SetHouseholdMembers),
    /// `POST /sessions`.
    CreateSession(Box<crate::dto::sessions::CreateSession>),
    /// `PATCH /sessions/{id}`.
    UpdateSession(Box<crate::dto::sessions::UpdateSession>),
    /// `POST /roster-entries`.
    CreateRosterEntry(Box<crate::dto::rosters::CreateRosterEntry>),
    /// `PATCH /roster-entries/{id}`.
    UpdateRosterEntry(crate::dto::rosters::UpdateRosterEntry),
    /// `POST /cases`.
    CreateCase(Box<crate::dto::cases::CreateCase>),
    /// `PATCH /cases/{id}`.
    UpdateCase(crate::dto::cases::UpdateCase),
    /// `POST /cases/{id}/transitions`.
    TransitionCase(crate::dto::cases::TransitionCase),
}

/// A mutation with its parsed body, or the problem its REST endpoint would answer for the body.
#[derive(Debug)]
pub struct ParsedMutation {
    /// The mutation as pushed.
    pub mutation: Mutation,
    /// Its body, or why it is refused.
    pub body: Result<MutationBody, crate::error::AppError>,
}

impl Mutation {
    /// Parses `changes` as the REST endpoint of this entity and operation parses its body (a
    /// create's with the mutation's `id`); an entity and operation a batch cannot do is refused.
    pub fn parse(self) -> ParsedMutation {
        let body = self.body();
        ParsedMutation { mutation: self, body }
    }

    fn body(&self) -> Result<MutationBody, crate::error::AppError> {
        use crate::extract::json::from_value;
        use MutationOp::*;
        use SyncEntity::*;
        let changes = || Value::Object(self.changes.clone());
        let created = || {
            let mut body = self.changes.clone();
            body.insert("id".into(), serde_json::json!(self.id));
            Value::Object(body)
        };
        Ok(match (self.entity, self.op) {
            (Client, Create) => MutationBody::CreateClient(Box::new(from_value(created())?)),
            (Client, Update) => MutationBody::UpdateClient(Box::new(from_value(changes())?)),
            (Client, Delete) => MutationBody::DeleteClient,
            (Household, Create) => MutationBody::CreateHousehold(from_value(created())?),
            (Household, Update) => MutationBody::SetHouseholdMembers(from_value(changes())?),
            (Session, Create) => {
                MutationBody::CreateSession(Box::new(crate::dto::sessions::CreateSession::from_envelope(from_value(created())?)?))
            }
            (Session, Update) => MutationBody::UpdateSession(Box::new(from_value(changes())?)),
            (RosterEntry, Create) => MutationBody::CreateRosterEntry(Box::new(from_value(created())?)),
            (RosterEntry, Update) => MutationBody::UpdateRosterEntry(from_value(changes())?),
            (Case, Create) => MutationBody::CreateCase(Box::new(from_value(created())?)),
            (Case, Update) => MutationBody::UpdateCase(from_value(changes())?),
            (Case, Transition) => MutationBody::TransitionCase(from_value(changes())?),
            (entity, op) => {
                return Err(crate::error::AppError::field(
                    "op",
                    "unsupported",
                    crate::i18n::Text::owned(
                        format!("同步不支持对“{}”执行“{}”操作。", entity.zh(), op.zh()),
                        format!("A sync batch cannot {} a {}.", op.as_str(), entity.as_str()),
                    ),
                ))
            }
        })
    }
}
