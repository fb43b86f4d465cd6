//! The stored outcomes of pushed offline mutations, per user and mutation id.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::{schema::sync_mutations, Conn};

/// The stored results of those of `ids` this user pushed before.
pub async fn find(conn: &mut Conn, user_id: Uuid, ids: &[Uuid]) -> QueryResult<Vec<(Uuid, serde_json::Value)>> {
    sync_mutations::table
        .filter(sync_mutations::user_id.eq(user_id))
        .filter(sync_mutations::mutation_id.eq_any(ids))
        .select((sync_mutations::mutation_id, sync_mutations::result))
        .load(conn)
        .await
}

/// The result of one mutation, to keep.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The mutation's id.
    pub mutation_id: Uuid,
    /// Its entity's code.
    pub entity: &'static str,
    /// Its operation's code.
    pub op: &'static str,
    /// The record's id.
    pub record_id: Uuid,
    /// The result as answered.
    pub result: serde_json::Value,
}

/// Keeps the results of a batch's new mutations (in chunks, within PostgreSQL's parameter limit).
pub async fn insert(conn: &mut Conn, user_id: Uuid, stored: &[Stored]) -> QueryResult<()> {
    for chunk in stored.chunks(1000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|s| {
                (
                    sync_mutations::user_id.eq(user_id),
                    sync_mutations::mutation_id.eq(s.mutation_id),
                    sync_mutations::entity.eq(s.entity),
                    sync_mutations::op.eq(s.op),
                    sync_mutations::record_id.eq(s.record_id),
                    sync_mutations::result.eq(&s.result),
                )
            })
            .collect();
        diesel::insert_into(sync_mutations::table).values(rows).execute(conn).await?;
    }
    Ok(())
}
