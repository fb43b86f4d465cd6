//! Domain rules that queries need inside their SQL text, written from the Rust rule itself so
//! that the database and the domain cannot count differently.
//!
//! Where a rule must live in SQL instead (a generated column or an index needs it, e.g.
//! `case_visit_due` and `cases.is_open`), the migration is the rule and
//! `tests/api/rules.rs` proves that it agrees with the Rust function for every variant.

use std::sync::LazyLock;

use crate::domain::enums::AttendanceStatus;
use crate::domain::labels::Coded;

/// A parenthesised SQL list of codes, e.g. `('present', 'late')`.
///
/// Codes are snake_case constants, but they are quoted as any literal would be (quotes doubled;
/// backslashes are plain characters with `standard_conforming_strings`, on since PostgreSQL 9.1).
fn code_list<C: Coded>(codes: impl IntoIterator<Item = C>) -> String {
    let quoted: Vec<String> = codes.into_iter().map(|c| format!("'{}'", c.code().replace('\'', "''"))).collect();
    format!("({})", quoted.join(", "))
}

/// The attendance statuses that count as served ([`AttendanceStatus::counts_as_served`]), as an
/// SQL list for `status IN …`.
pub fn served_attendance() -> &'static str {
    static LIST: LazyLock<String> =
        LazyLock::new(|| code_list(AttendanceStatus::ALL.iter().copied().filter(|s| s.counts_as_served())));
    &LIST
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_served_list_is_the_rust_rule() {
        let list = served_attendance();
        for status in AttendanceStatus::ALL {
            assert_eq!(list.contains(&format!("'{}'", status.code())), status.counts_as_served(), "{status:?}");
        }
        assert!(list.starts_with('(') && list.ends_with(')'));
    }
}
