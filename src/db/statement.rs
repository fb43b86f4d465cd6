//! Hand-written SQL for the queries diesel's builder cannot say (LATERAL joins, GROUPING SETS),
//! run as cached prepared statements like diesel's own queries.
//!
//! `diesel::sql_query` never caches its statement: every call costs a Parse and a Describe round
//! trip before the Bind, and PostgreSQL plans it afresh. A [`Statement`] has fixed SQL text per
//! shape, so the connection prepares it once and reuses it, and after a few runs PostgreSQL may
//! settle on a generic plan. Placeholders are written `$1`, `$2`, … and may repeat; the text must
//! not use `$` for anything else (no dollar quoting).

use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{SqlType, Untyped};
use diesel::QueryResult;

type Bind<'a> = Box<dyn QueryFragment<Pg> + Send + 'a>;

/// A statement from SQL text with `$n` placeholders and its bound values, loaded into
/// `QueryableByName` rows.
#[must_use = "a statement does nothing until it is loaded or executed"]
pub struct Statement<'a> {
    text: String,
    binds: Vec<Bind<'a>>,
}

impl<'a> Statement<'a> {
    /// A statement with no values bound yet.
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), binds: Vec::new() }
    }

    /// Binds the next placeholder (`$1` first) to `value` as SQL type `ST`.
    pub fn bind<ST, T>(mut self, value: T) -> Self
    where
        ST: SqlType + diesel::sql_types::SingleValue,
        T: AsExpression<ST>,
        T::Expression: QueryFragment<Pg> + Send + 'a,
    {
        self.arg::<ST, T>(value);
        self
    }

    /// Binds a value to a new placeholder and returns the placeholder (`$n`) to write into text
    /// that is still being composed with [`Statement::push`].
    pub fn arg<ST, T>(&mut self, value: T) -> String
    where
        ST: SqlType + diesel::sql_types::SingleValue,
        T: AsExpression<ST>,
        T::Expression: QueryFragment<Pg> + Send + 'a,
    {
        self.binds.push(Box::new(value.as_expression()));
        format!("${}", self.binds.len())
    }

    /// Like [`Statement::arg`], but written as `(SELECT $n::type)`, which PostgreSQL evaluates
    /// once per execution and cannot look into while planning. (The cast keeps the type that
    /// the bare placeholder would have taken from its context.)
    ///
    /// A cached statement is planned for its bound values ("custom plans") until PostgreSQL finds
    /// that a plan made without them ("generic") costs no more; from then on it reuses that plan
    /// instead of planning every call. When the values sharpen the estimates, the custom plans
    /// always look cheaper and the statement is planned on every call, which costs more than
    /// running it. For queries whose shape is fixed by their text (the scoped lists), values the
    /// planner cannot see make both kinds of plan cost the same, so the statement settles on one
    /// plan after five calls.
    pub fn generic_arg<ST, T>(&mut self, value: T) -> String
    where
        ST: SqlType + diesel::sql_types::SingleValue + SqlName,
        T: AsExpression<ST>,
        T::Expression: QueryFragment<Pg> + Send + 'a,
    {
        format!("(SELECT {}::{})", self.arg::<ST, T>(value), ST::NAME)
    }

    /// Appends SQL text.
    pub fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }
}

impl QueryFragment<Pg> for Statement<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut rest = self.text.as_str();
        while let Some(at) = rest.find('$') {
            let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
            let n: usize = rest[at + 1..at + 1 + digits].parse().map_err(|_| placeholder_error(&rest[at..]))?;
            let bind = n.checked_sub(1).and_then(|i| self.binds.get(i)).ok_or_else(|| placeholder_error(&rest[at..]))?;
            out.push_sql(&rest[..at]);
            bind.walk_ast(out.reborrow())?;
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

/// The PostgreSQL name of a SQL type, for the casts of [`Statement::generic_arg`].
pub trait SqlName {
    /// The type as written in SQL.
    const NAME: &'static str;
}

macro_rules! sql_names {
    ($($ty:ty => $name:literal),* $(,)?) => {
        $(impl SqlName for $ty { const NAME: &'static str = $name; })*
    };
}

sql_names! {
    diesel::sql_types::Text => "text",
    diesel::sql_types::Array<diesel::sql_types::Text> => "text[]",
    diesel::sql_types::Uuid => "uuid",
    diesel::sql_types::Timestamptz => "timestamptz",
    diesel::sql_types::BigInt => "int8",
    diesel::sql_types::Integer => "int4",
    diesel::sql_types::Bool => "bool",
    diesel::sql_types::Date => "date",
}

fn placeholder_error(at: &str) -> diesel::result::Error {
    let shown: String = at.chars().take(12).collect();
    diesel::result::Error::QueryBuilderError(format!("no bound value for the placeholder at `{shown}`").into())
}

// No static query id: the statement cache keys it by its SQL text and bind types, which are the
// same for every call of one query shape.
impl QueryId for Statement<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Statement<'_> {
    type SqlType = Untyped;
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sql_types::{Integer, Text};

    fn sql(s: &Statement) -> String {
        diesel::debug_query::<Pg, _>(s).to_string()
    }

    #[test]
    fn placeholders_repeat_and_are_renumbered_in_order() {
        let s = Statement::new("SELECT $2, $1 WHERE a = $2").bind::<Integer, _>(1).bind::<Text, _>("x");
        let shown = sql(&s);
        assert!(shown.starts_with("SELECT $1, $2 WHERE a = $3"), "{shown}");
        assert!(shown.contains(r#"binds: ["x", 1, "x"]"#), "{shown}");
    }

    #[test]
    fn composed_text_gets_its_placeholders() {
        let mut s = Statement::new("SELECT 1 WHERE true");
        let a = s.arg::<Integer, _>(7);
        s.push(&format!(" AND b = {a}"));
        assert!(sql(&s).starts_with("SELECT 1 WHERE true AND b = $1"));
    }

    #[test]
    fn generic_args_are_hidden_from_the_planner() {
        let mut s = Statement::new("SELECT 1 WHERE a = ");
        let a = s.generic_arg::<Integer, _>(7);
        s.push(&a);
        assert!(sql(&s).starts_with("SELECT 1 WHERE a = (SELECT $1::int4)"));
    }

    #[test]
    fn an_unbound_placeholder_is_an_error() {
        let s = Statement::new("SELECT $2").bind::<Integer, _>(1);
        let mut builder = diesel::pg::PgQueryBuilder::default();
        assert!(s.to_sql(&mut builder, &Pg).is_err());
    }
}
