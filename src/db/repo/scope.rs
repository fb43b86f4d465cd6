//! The one subtree predicate. A scoped table filters with
//! `org_unit_id = ANY (SELECT id FROM org_units WHERE path >= $lo AND path < $hi)`, an index
//! range scan on `org_units.path` (see `auth::scope::subtree_range`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::auth::{scope::subtree_range, AccessScope};
use crate::db::{schema::org_units, statement::Statement};

/// The path predicate on `org_units` for the range `[lo, hi)`.
#[diesel::dsl::auto_type]
pub fn path_between(lo: String, hi: String) -> _ {
    org_units::path.ge(lo).and(org_units::path.lt(hi))
}

/// Ids of every unit whose path lies in `[lo, hi)`, as a subquery.
#[diesel::dsl::auto_type]
pub fn units_between(lo: String, hi: String) -> _ {
    let in_range: path_between = path_between(lo, hi);
    org_units::table.filter(in_range).select(org_units::id)
}

/// The subquery of a scope's units.
pub fn unit_ids(scope: &AccessScope) -> units_between {
    let (lo, hi) = scope.path_range();
    units_between(lo, hi)
}

/// The subquery of the units under a path (a list's `org_unit_id` filter, already checked to
/// lie in the caller's scope).
pub fn subtree_ids(path: &str) -> units_between {
    let (lo, hi) = subtree_range(path);
    units_between(lo, hi)
}

/// The path predicate on `org_units` itself for a scope.
pub fn unit_path_in(scope: &AccessScope) -> path_between {
    let (lo, hi) = scope.path_range();
    path_between(lo, hi)
}

/// The subtree predicate on an `org_units` alias (`u`) as SQL text, its bounds bound to `q` as
/// generic arguments (a plan over a subtree is the same for every subtree).
fn range_sql(q: &mut Statement, (lo, hi): (String, String)) -> String {
    let lo = q.generic_arg::<Text, _>(lo);
    let hi = q.generic_arg::<Text, _>(hi);
    format!("u.path >= {lo} AND u.path < {hi}")
}

/// The ids of the units under a path, as a SQL subquery bound to `q` (hand-written queries over a
/// subtree already checked to lie in the caller's scope).
pub fn subtree_units_sql(q: &mut Statement, path: &str) -> String {
    format!("SELECT u.id FROM org_units u WHERE {}", range_sql(q, subtree_range(path)))
}

/// How a scoped list finds its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageBy {
    /// The filter names a few rows through an index of its own (a phone, a worker's cases):
    /// those rows, checked against the subtree.
    OwnIndex,
    /// Anything else: each unit's `(org_unit_id, id DESC)` index, merged.
    EachUnit,
}

/// The ordering keys of lists of things that happened (sessions, audit events): newest first by
/// `occurred_at`, ties by id.
pub const BY_TIME: &[&str] = &["occurred_at", "id"];

/// The conditions (text starting with ` AND`, values bound to `q`) of a list ordered by
/// [`BY_TIME`]: what happened in `[from, to)` and, for a next page, before the cursor's row
/// (one row comparison, which the `(org_unit_id, occurred_at DESC, id DESC)` indexes answer).
pub fn occurred_rows(
    q: &mut Statement,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    before: Option<(DateTime<Utc>, Uuid)>,
) -> String {
    let mut rows = String::new();
    if let Some(from) = from {
        rows += &format!(" AND k.occurred_at >= {}", q.generic_arg::<Timestamptz, _>(from));
    }
    if let Some(to) = to {
        rows += &format!(" AND k.occurred_at < {}", q.generic_arg::<Timestamptz, _>(to));
    }
    if let Some((at, id)) = before {
        let (at, id) = (q.generic_arg::<Timestamptz, _>(at), q.generic_arg::<SqlUuid, _>(id));
        rows += &format!(" AND (k.occurred_at, k.id) < ({at}, {id})");
    }
    rows
}

/// Completes `q` as a scoped list: the newest `limit` rows of `table` (alias `k`, with
/// `k.org_unit_id`) that pass `rows` (text starting with ` AND`), in the scope and, when given,
/// under `unit_path`, selected by `select` (which reads `FROM {table} k`). Newest means the
/// largest `keys` (columns of `k`, compared in order, the last one unique): `["id"]` for
/// time-ordered ids, `["occurred_at", "id"]` for rows ordered by when they happened.
///
/// "Newest first across a subtree" written as `org_unit_id IN (subtree) ORDER BY id DESC` reads
/// and sorts every row of the subtree. `PageBy::EachUnit` walks each unit's index for at most
/// `limit` ids (an index-only scan) and merges them, so the cost follows the number of units and
/// the page size, not the rows the subtree holds; only then are the page's rows read. The limit
/// is written into the text: a plan made for "some limit" would be one for large pages.
pub fn newest_page(
    q: &mut Statement,
    scope: &AccessScope,
    unit_path: Option<&str>,
    source: (&str, &str, &[&str]),
    rows: &str,
    limit: i64,
    by: PageBy,
) {
    keyset_page(q, scope, unit_path, source, rows, limit, by, Direction::Desc)
}

/// Which end of the keys a page starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Largest first (newest).
    Desc,
    /// Smallest first (most urgent, for due dates).
    Asc,
}

/// [`newest_page`] in either direction: the first `limit` rows by `keys` ascending or
/// descending, walked the same way (each unit's index, merged).
#[allow(clippy::too_many_arguments)]
pub fn keyset_page(
    q: &mut Statement,
    scope: &AccessScope,
    unit_path: Option<&str>,
    (select, table, keys): (&str, &str, &[&str]),
    rows: &str,
    limit: i64,
    by: PageBy,
    direction: Direction,
) {
    let dir = match direction {
        Direction::Desc => "DESC",
        Direction::Asc => "ASC",
    };
    let order = |alias: &str| keys.iter().map(|c| format!("{alias}.{c} {dir}")).collect::<Vec<_>>().join(", ");
    let (k_order, x_order) = (order("k"), order("x"));
    let walked = keys.iter().map(|c| format!("k.{c}")).collect::<Vec<_>>().join(", ");
    let mut units = range_sql(q, scope.path_range());
    if let Some(path) = unit_path {
        units += &format!(" AND {}", range_sql(q, subtree_range(path)));
    }
    let text = match by {
        // The scope is a check on each row the own index returns, in its order, so the walk stops
        // at the page's end. As `org_unit_id IN (subtree)` PostgreSQL made it a hash join driven
        // by the subtree's units and sorted every matching row first (a worker's 173 due roster
        // entries at 1,000,000 clients, each joined to its client); `OFFSET 0` keeps the EXISTS
        // a per-row subplan (one probe of `org_units_pkey`) instead.
        PageBy::OwnIndex => format!(
            "{select} WHERE EXISTS (SELECT 1 FROM org_units u WHERE u.id = k.org_unit_id AND {units} OFFSET 0){rows} \
             ORDER BY {k_order} LIMIT {limit}"
        ),
        PageBy::EachUnit => format!(
            "{select} WHERE k.id IN (\
               SELECT x.id FROM org_units u CROSS JOIN LATERAL \
                 (SELECT {walked} FROM {table} k WHERE k.org_unit_id = u.id{rows} ORDER BY {k_order} LIMIT {limit}) x \
               WHERE {units} ORDER BY {x_order} LIMIT {limit}) \
             ORDER BY {k_order}"
        ),
    };
    q.push(&text);
}
