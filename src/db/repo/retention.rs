//! The retention purge's writes: anonymising clients deleted long ago, archiving cases closed
//! long ago. Each takes a batch (oldest first, rows another purge holds are skipped) and returns
//! the ids it changed, so the caller audits exactly those.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::{statement::Statement, Conn};
use diesel::QueryResult;

/// The name an anonymised client keeps.
pub const ANONYMISED_NAME: &str = "（已匿名）";

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Anonymises up to `limit` clients deleted before `deleted_before`: the name, document, phone,
/// address, guardian, emergency contact, consent and notes go; the birth date keeps its year.
/// What statistics count stays: the unit, gender, categories, self-care, disability, risk level,
/// household and the division code of the household registration.
pub async fn anonymise_deleted(
    conn: &mut Conn,
    deleted_before: DateTime<Utc>,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Uuid>> {
    let rows: Vec<Id> = Statement::new(
        "UPDATE clients c SET name = $3, id_type = 'none', id_number = NULL, phone = NULL, address = NULL, \
             birth_date = date_trunc('year', c.birth_date)::date, guardian = NULL, emergency_contact = NULL, \
             consent = NULL, notes = NULL, anonymised_at = $2, version = c.version + 1, updated_at = $2 \
         WHERE c.id IN (SELECT id FROM clients \
                        WHERE deleted_at IS NOT NULL AND anonymised_at IS NULL AND deleted_at < $1 \
                        ORDER BY deleted_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
         RETURNING c.id",
    )
    .bind::<Timestamptz, _>(deleted_before)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(ANONYMISED_NAME)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Archives up to `limit` cases closed before `closed_before` (they are read-only from then on).
pub async fn archive_closed(
    conn: &mut Conn,
    closed_before: DateTime<Utc>,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Uuid>> {
    let rows: Vec<Id> = Statement::new(
        "UPDATE cases k SET archived_at = $2, version = k.version + 1, updated_at = $2 \
         WHERE k.id IN (SELECT id FROM cases \
                        WHERE status = 'closed' AND archived_at IS NULL AND closed_at < $1 \
                        ORDER BY closed_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING k.id",
    )
    .bind::<Timestamptz, _>(closed_before)
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}
