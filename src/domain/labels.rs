//! Coded enums with Chinese and English labels.
//!
//! Every enum of the domain is stored as its snake_case `code` (a `text` column with a CHECK
//! constraint), travels in JSON as that code, and is served with its labels by `GET /reference`.
//! One macro defines them all so that the code, the labels, the database mapping and the OpenAPI
//! schema cannot drift apart.

use serde::Serialize;
use utoipa::ToSchema;

/// One value of a coded enum, as `GET /reference` serves it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Label {
    /// The code used in the API and the database.
    pub code: &'static str,
    /// Chinese (zh-CN) label.
    pub zh: &'static str,
    /// English label.
    pub en: &'static str,
}

/// Implemented by every coded enum.
pub trait Coded: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The reference-data name of the enum (e.g. `case_status`).
    const NAME: &'static str;
    /// The snake_case code.
    fn code(self) -> &'static str;
    /// The zh-CN label.
    fn zh(self) -> &'static str;
    /// The English label.
    fn en(self) -> &'static str;
    /// Parses a code.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
    /// All values as labels.
    fn labels() -> Vec<Label> {
        Self::ALL.iter().map(|v| Label { code: v.code(), zh: v.zh(), en: v.en() }).collect()
    }
}

/// Defines a coded enum: `Variant = ("code", "中文", "English")`.
#[macro_export]
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $refname:literal {
            // `$code` is a `tt`, not a `literal`: a `literal` fragment reaches derive macros
            // wrapped in an invisible group, which serde reads but utoipa does not, so the
            // OpenAPI document listed the Rust variant names instead of the wire codes.
            $( $(#[$vmeta:meta])* $variant:ident = ($code:tt, $zh:literal, $en:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $crate::domain::labels::Coded for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const NAME: &'static str = $refname;
            fn code(self) -> &'static str { match self { $(Self::$variant => $code),+ } }
            fn zh(self) -> &'static str { match self { $(Self::$variant => $zh),+ } }
            fn en(self) -> &'static str { match self { $(Self::$variant => $en),+ } }
        }

        impl $name {
            /// The snake_case code of this value.
            pub fn as_str(self) -> &'static str {
                <Self as $crate::domain::labels::Coded>::code(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::domain::labels::Coded>::from_code(s)
                    .ok_or_else(|| format!("unknown {} code `{}`", $refname, s))
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                // Straight from the row's bytes: a list decodes several codes per row.
                std::str::from_utf8(bytes.as_bytes())?.parse::<$name>().map_err(Into::into)
            }
        }
    };
}
