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
    /// The LIKE pattern matching every path in the subtree (paths hold only hex and `-` and `/`,
    /// so there is nothing to escape).
    pub fn like_pattern(&self) -> String {
        format!("{}%", self.path)
    }

    /// Whether a unit path lies inside the subtree.
    pub fn contains_path(&self, path: &str) -> bool {
        path.starts_with(&self.path)
    }
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
        assert_eq!(scope.like_pattern(), format!("{a_path}%"));
    }
}
