//! Clients and households. Every read is scoped and skips soft-deleted clients.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::scope::{newest_page, unit_ids, PageBy};
use crate::auth::AccessScope;
use crate::db::{
    models::{Client, ClientData, ClientListRow, ClientTimelineRow, Household, HouseholdMember},
    schema::{clients, household_members, households, org_units},
    statement::Statement,
    Conn,
};
use crate::domain::enums::{ClientCategory, HouseholdRelation, IdType, RiskLevel};

/// How `q` searches.
#[derive(Debug, Clone)]
pub enum ClientSearch {
    /// Name contains `text` (lower-cased); `gram` is one of its 1- or 2-character pieces, the
    /// whole of it when it is that short (see `name_grams` in SQL).
    Name { text: String, gram: String },
    /// Exact normalised phone.
    Phone(String),
    /// Exact normalised document number.
    Document(String),
}

/// Filters of the client list.
#[derive(Debug, Clone, Default)]
pub struct ClientFilter {
    /// Search.
    pub search: Option<ClientSearch>,
    /// Category.
    pub category: Option<ClientCategory>,
    /// Risk level.
    pub risk_level: Option<RiskLevel>,
    /// Path of a unit whose subtree to keep (already checked to be in scope).
    pub unit_path: Option<String>,
    /// Only clients with (`true`) or without (`false`) an open case.
    pub has_open_case: Option<bool>,
}

/// A living client in scope.
pub async fn find_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Client>> {
    clients::table
        .filter(clients::id.eq(id))
        .filter(clients::deleted_at.is_null())
        .filter(clients::org_unit_id.eq_any(unit_ids(scope)))
        .select(Client::as_select())
        .first(conn)
        .await
        .optional()
}

/// The living clients in scope among `ids`, each with its unit and household (whom a visit saw).
pub async fn homes_in_scope(conn: &mut Conn, scope: &AccessScope, ids: &[Uuid]) -> QueryResult<Vec<(Uuid, Uuid, Option<Uuid>)>> {
    clients::table
        .filter(clients::id.eq_any(ids))
        .filter(clients::deleted_at.is_null())
        .filter(clients::org_unit_id.eq_any(unit_ids(scope)))
        .select((clients::id, clients::org_unit_id, clients::household_id))
        .load(conn)
        .await
}

/// A living client in scope, locked for the rest of the transaction.
pub async fn lock_in_scope(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Client>> {
    clients::table
        .filter(clients::id.eq(id))
        .filter(clients::deleted_at.is_null())
        .filter(clients::org_unit_id.eq_any(unit_ids(scope)))
        .select(Client::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The consent on a client's file, with the row share-locked: a withdrawal committing meanwhile
/// waits for the caller's transaction, so nothing is shared on a consent already withdrawn.
pub async fn consent_for_share(conn: &mut Conn, id: Uuid) -> QueryResult<Option<serde_json::Value>> {
    clients::table
        .find(id)
        .select(clients::consent)
        .for_share()
        .first::<Option<serde_json::Value>>(conn)
        .await
        .optional()
        .map(Option::flatten)
}

/// Whether any client row (even deleted, in any scope) has this id.
pub async fn id_exists(conn: &mut Conn, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(clients::table.filter(clients::id.eq(id)))).get_result(conn).await
}

/// The living client holding a document, with its unit's path: `(id, path)`.
pub async fn find_by_document(
    conn: &mut Conn,
    id_type: IdType,
    id_number: &str,
    except: Option<Uuid>,
) -> QueryResult<Option<(Uuid, String)>> {
    let mut query = clients::table
        .inner_join(org_units::table)
        .filter(clients::id_type.eq(id_type))
        .filter(clients::id_number.eq(id_number))
        .filter(clients::deleted_at.is_null())
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(clients::id.ne(id));
    }
    query.select((clients::id, org_units::path)).first(conn).await.optional()
}

/// Inserts a client.
pub async fn insert(conn: &mut Conn, id: Uuid, org_unit_id: Uuid, created_by: Uuid, data: &ClientData) -> QueryResult<Client> {
    diesel::insert_into(clients::table)
        .values((clients::id.eq(id), clients::org_unit_id.eq(org_unit_id), clients::created_by.eq(created_by), data))
        .returning(Client::as_returning())
        .get_result(conn)
        .await
}

/// Replaces a client's fields and bumps its version.
pub async fn update(conn: &mut Conn, id: Uuid, data: &ClientData) -> QueryResult<Client> {
    diesel::update(clients::table.find(id))
        .set((data, clients::version.eq(clients::version + 1), clients::updated_at.eq(diesel::dsl::now)))
        .returning(Client::as_returning())
        .get_result(conn)
        .await
}

/// Marks a client deleted; the row stays.
pub async fn soft_delete(conn: &mut Conn, id: Uuid) -> QueryResult<()> {
    diesel::update(clients::table.find(id))
        .set((
            clients::deleted_at.eq(diesel::dsl::now),
            clients::version.eq(clients::version + 1),
            clients::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The columns of `ClientListRow`.
const LIST_COLUMNS: &str = "k.id, k.org_unit_id, k.name, k.gender, k.birth_date, k.id_type, k.id_number, k.phone, \
                            k.categories, k.household_id, k.risk_level, k.version, k.created_at";

/// A page of living clients in scope, newest first (ids are time-ordered v7 uuids).
///
/// An exact phone or document number names a handful of rows, found by their own index and
/// checked against the scope. Everything else walks the units of the subtree newest first
/// (`scope::newest_page`): a name part walks each unit's slice of `client_name_grams` for one of
/// its grams (an index-only scan when the gram is the whole part and nothing else filters),
/// anything else each unit's `clients_unit_recent`.
pub async fn list(
    conn: &mut Conn,
    scope: &AccessScope,
    filter: &ClientFilter,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<ClientListRow>> {
    use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
    let mut q = Statement::new("");
    // `rows` filters the walk (alias `k`); `client` the client's own row, which is the walk
    // itself unless a name part walks the grams (then alias `c`).
    let mut rows = String::new();
    let mut client = String::new();
    let (walk, c) = match filter.search {
        Some(ClientSearch::Name { .. }) => ("client_name_grams", "c"),
        _ => ("clients", "k"),
    };
    let mut by = PageBy::EachUnit;
    match &filter.search {
        Some(ClientSearch::Name { text, gram }) => {
            rows += &format!(" AND k.gram = {}", q.generic_arg::<Text, _>(gram.clone()));
            if text != gram {
                client += &format!(" AND lower({c}.name) LIKE {}", q.generic_arg::<Text, _>(super::like_contains(text)));
            }
        }
        Some(ClientSearch::Phone(phone)) => {
            client += &format!(" AND {c}.phone = {}", q.generic_arg::<Text, _>(phone.clone()));
            by = PageBy::OwnIndex;
        }
        Some(ClientSearch::Document(number)) => {
            client += &format!(" AND {c}.id_number = {}", q.generic_arg::<Text, _>(number.clone()));
            by = PageBy::OwnIndex;
        }
        None => {}
    }
    if let Some(category) = filter.category {
        client += &format!(" AND {c}.categories @> {}", q.generic_arg::<Array<Text>, _>(vec![category]));
    }
    if let Some(risk) = filter.risk_level {
        client += &format!(" AND {c}.risk_level = {}", q.generic_arg::<Text, _>(risk));
    }
    if let Some(wanted) = filter.has_open_case {
        // `is_open` as a bare column so that the partial index `cases_client_open` matches.
        let not = if wanted { "" } else { "NOT " };
        client += &format!(" AND {not}EXISTS (SELECT 1 FROM cases o WHERE o.client_id = {c}.id AND o.is_open)");
    }
    if let Some(before) = before {
        rows += &format!(" AND k.id < {}", q.generic_arg::<SqlUuid, _>(before));
    }
    if c == "k" {
        rows += " AND k.deleted_at IS NULL";
        rows += &client;
    } else if !client.is_empty() {
        // The grams hold living clients only; anything more is checked on the client's row.
        rows += &format!(" AND EXISTS (SELECT 1 FROM clients c WHERE c.id = k.id{client})");
    }
    let select = format!("SELECT {LIST_COLUMNS} FROM clients k");
    newest_page(&mut q, scope, filter.unit_path.as_deref(), (&select, walk, &["id"]), &rows, limit, by);
    q.load(conn).await
}

/// Inserts a household.
pub async fn insert_household(
    conn: &mut Conn,
    id: Uuid,
    org_unit_id: Uuid,
    address: Option<String>,
    created_by: Uuid,
) -> QueryResult<Household> {
    diesel::insert_into(households::table)
        .values((
            households::id.eq(id),
            households::org_unit_id.eq(org_unit_id),
            households::address.eq(address),
            households::created_by.eq(created_by),
        ))
        .returning(Household::as_returning())
        .get_result(conn)
        .await
}

/// A household in scope.
pub async fn find_household(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Household>> {
    households::table
        .filter(households::id.eq(id))
        .filter(households::org_unit_id.eq_any(unit_ids(scope)))
        .select(Household::as_select())
        .first(conn)
        .await
        .optional()
}

/// A household in scope, locked.
pub async fn lock_household(conn: &mut Conn, scope: &AccessScope, id: Uuid) -> QueryResult<Option<Household>> {
    households::table
        .filter(households::id.eq(id))
        .filter(households::org_unit_id.eq_any(unit_ids(scope)))
        .select(Household::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Whether any household has this id.
pub async fn household_id_exists(conn: &mut Conn, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(households::table.filter(households::id.eq(id)))).get_result(conn).await
}

/// The living members of a household, by relation then name.
pub async fn members(conn: &mut Conn, household_id: Uuid) -> QueryResult<Vec<HouseholdMember>> {
    household_members::table
        .inner_join(clients::table)
        .filter(household_members::household_id.eq(household_id))
        .filter(clients::deleted_at.is_null())
        .order((household_members::relation.asc(), clients::name.asc()))
        .select((household_members::client_id, clients::name, household_members::relation))
        .load(conn)
        .await
}

/// Replaces the members of a household; members of other households move here.
pub async fn set_members(conn: &mut Conn, household_id: Uuid, members: &[(Uuid, HouseholdRelation)]) -> QueryResult<()> {
    let ids: Vec<Uuid> = members.iter().map(|(id, _)| *id).collect();
    let old: Vec<Uuid> = household_members::table
        .filter(household_members::household_id.eq(household_id))
        .select(household_members::client_id)
        .load(conn)
        .await?;
    diesel::update(clients::table.filter(clients::id.eq_any(&old)))
        .set(clients::household_id.eq(None::<Uuid>))
        .execute(conn)
        .await?;
    diesel::delete(
        household_members::table
            .filter(household_members::household_id.eq(household_id).or(household_members::client_id.eq_any(&ids))),
    )
    .execute(conn)
    .await?;
    let rows: Vec<_> = members
        .iter()
        .map(|(client, relation)| {
            (
                household_members::household_id.eq(household_id),
                household_members::client_id.eq(*client),
                household_members::relation.eq(*relation),
            )
        })
        .collect();
    diesel::insert_into(household_members::table).values(&rows).execute(conn).await?;
    diesel::update(clients::table.filter(clients::id.eq_any(&ids)))
        .set(clients::household_id.eq(household_id))
        .execute(conn)
        .await?;
    diesel::update(households::table.find(household_id))
        .set((households::version.eq(households::version + 1), households::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A visit to a household, as the household view lists it.
#[derive(Debug, Clone, QueryableByName)]
pub struct HouseholdVisit {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub mode: crate::domain::enums::VisitMode,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub recorded_by: Uuid,
}

/// The newest visits to a household, newest first: those recorded on it, and those that saw any
/// of its living members (whatever household the visit named), in one query. The first set comes
/// from `visits_household`, the second from the GIN index on visits' clients.
pub async fn household_visits(conn: &mut Conn, household_id: Uuid, limit: i64) -> QueryResult<Vec<HouseholdVisit>> {
    use diesel::sql_types::{BigInt, Uuid as SqlUuid};
    Statement::new(
        "SELECT s.id, s.occurred_at, v.mode, s.recorded_by \
         FROM service_sessions s JOIN visits v ON v.session_id = s.id \
         WHERE s.id IN ( \
             SELECT session_id FROM visits WHERE household_id = $1 \
             UNION \
             SELECT x.id FROM service_sessions x \
             WHERE x.method = 'visit' AND x.client_ids && ARRAY( \
                 SELECT m.client_id FROM household_members m JOIN clients c ON c.id = m.client_id \
                 WHERE m.household_id = $1 AND c.deleted_at IS NULL)) \
         ORDER BY s.occurred_at DESC, s.id DESC LIMIT $2",
    )
    .bind::<SqlUuid, _>(household_id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// The client's history, newest first, before a point: the recorded changes to the client's
/// record (reads excluded), the events of the client's cases, and the visits that saw the client
/// (kind `visit.recorded`, the visit's mode in `details`), merged in one keyset query.
pub async fn history(
    conn: &mut Conn,
    client_id: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ClientTimelineRow>> {
    use diesel::sql_types::{BigInt, Timestamptz, Uuid as SqlUuid};
    // Each branch walks its own index newest first and stops at `limit`; the merge keeps `limit`.
    let (audit_after, case_after, visit_after) = match before {
        Some(_) => (" AND (occurred_at, id) < ($3, $4)", " AND (at, id) < ($3, $4)", " AND (s.occurred_at, s.id) < ($3, $4)"),
        None => ("", "", ""),
    };
    let sql = format!(
        "SELECT * FROM ( \
           (SELECT occurred_at AS at, id, action AS kind, entity_type, entity_id, user_id AS actor_id, \
                   NULL::text AS action, NULL::text AS from_status, NULL::text AS to_status, details, false AS from_case \
            FROM audit_events \
            WHERE entity_type = 'client' AND entity_id = $1 AND action <> 'client.read' AND outcome = 'success'{audit_after} \
            ORDER BY occurred_at DESC, id DESC LIMIT $2) \
           UNION ALL \
           (SELECT at, id, kind, 'case', case_id, actor_id, action, from_status, to_status, details, true \
            FROM case_events \
            WHERE client_id = $1{case_after} \
            ORDER BY at DESC, id DESC LIMIT $2) \
           UNION ALL \
           (SELECT s.occurred_at, s.id, 'visit.recorded', 'session', s.id, s.recorded_by, \
                   NULL, NULL, NULL, jsonb_build_object('mode', v.mode), false \
            FROM service_sessions s JOIN visits v ON v.session_id = s.id \
            WHERE s.method = 'visit' AND s.client_ids @> ARRAY[$1]{visit_after} \
            ORDER BY s.occurred_at DESC, s.id DESC LIMIT $2) \
         ) AS timeline ORDER BY at DESC, id DESC LIMIT $2"
    );
    let query = Statement::new(sql).bind::<SqlUuid, _>(client_id).bind::<BigInt, _>(limit);
    let query = match before {
        Some((at, id)) => query.bind::<Timestamptz, _>(at).bind::<SqlUuid, _>(id),
        None => query,
    };
    query.load(conn).await
}
