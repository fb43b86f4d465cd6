//! The access scope: the subtree of the caller's unit. Every scoped query takes an `AccessScope`
//! and applies the one subtree predicate (`db::repo::scope`), so there is no second way to filter.

use uuid::Uuid;

/// The subtree a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessScope {
    /// The caller's own unit (the root of the subtree).
    pub unit_id: Uuid,
    /// Materialized path of that unit (`/<root>/.../<unit>/`).
    pub path: String,
}

impl AccessScope {
    /// The range of paths in the subtree (see [`subtree_range`]).
    pub fn path_range(&self) -> (String, String) {
        subtree_range(&self.path)
    }

    /// Whether a unit path lies inside the subtree.
    pub fn contains_path(&self, path: &str) -> bool {
        path.starts_with(&self.path)
    }
}

/// The paths of a subtree as a half-open range `[path, end)`: under the C collation every path
/// that starts with `path` (which ends in `/`) sorts at or after it and before the same text with
/// its final `/` raised to `0`, and nothing else does. A range, unlike `LIKE 'prefix%'` with a
/// bound parameter, stays an index range scan in a cached statement's generic plan.
pub fn subtree_range(path: &str) -> (String, String) {
    let end = match path.strip_suffix('/') {
        Some(stem) => format!("{stem}0"),
        // Paths always end in `/`; anything else matches only itself and its extensions.
        None => format!("{path}\u{10FFFF}"),
    };
    (path.to_owned(), end)
}

/// The materialized path of a unit under a parent path (or the root).
pub fn child_path(parent_path: Option<&str>, id: Uuid) -> String {
    match parent_path {
        Some(p) => format!("{p}{id}/"),
        None => format!("/{id}/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree() {
        let root = Uuid::now_v7();
        let a = Uuid::now_v7();
        let root_path = child_path(None, root);
        let a_path = child_path(Some(&root_path), a);
        let scope = AccessScope { unit_id: a, path: a_path.clone() };
        assert!(scope.contains_path(&a_path));
        assert!(scope.contains_path(&child_path(Some(&a_path), Uuid::now_v7())));
        assert!(!scope.contains_path(&root_path));
        assert!(!scope.contains_path(&child_path(Some(&root_path), Uuid::now_v7())));
        let (lo, hi) = scope.path_range();
        let inside = child_path(Some(&a_path), Uuid::now_v7());
        for p in [&a_path, &inside] {
            assert!(lo.as_str() <= p.as_str() && p.as_str() < hi.as_str(), "{p} is in the subtree");
        }
        // A sibling whose id extends this one's as text is outside (the `/` bounds it).
        let sibling = format!("{}0/", a_path.trim_end_matches('/'));
        for p in [&root_path, &sibling, &child_path(Some(&root_path), Uuid::now_v7())] {
            assert!(!(lo.as_str() <= p.as_str() && p.as_str() < hi.as_str()), "{p} is outside");
        }
    }
}
