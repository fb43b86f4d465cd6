//! Repository functions, one module per table family. Scoped reads take `&AccessScope`.

pub mod audit;
pub mod case_records;
pub mod caseload;
pub mod cases;
pub mod clients;
pub mod idempotency;
pub mod org_units;
pub mod retention;
pub mod reviews;
pub mod rosters;
pub mod rules;
pub mod scope;
pub mod sessions;
pub mod stats;
pub mod supervision;
pub mod sync;
pub mod sync_mutations;
pub mod tokens;
pub mod users;

diesel::define_sql_function! {
    /// SQL `lower(text)`, typed so that the queries using it stay cacheable prepared statements
    /// (and match the expression indexes on `lower(...)`).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `%text%` for ILIKE, with the pattern characters of `text` escaped (backslash is the default
/// LIKE escape in PostgreSQL).
pub fn like_contains(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}
