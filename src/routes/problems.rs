//! The error answers each kind of operation documents, as utoipa response sets: an operation
//! lists its success answers and names one set (`responses((status = 200, …), ChangeErrors)`),
//! instead of repeating a problem row per status. Every set is what the server can really answer
//! for such an operation: the edge checks (query, path and header text, URL length, body size and
//! type) apply to every route, database waits end in 503 everywhere, and rate limits in 429.

use std::collections::BTreeMap;

use utoipa::openapi::{
    content::ContentBuilder,
    response::{Response, ResponseBuilder},
    Ref, RefOr,
};
use utoipa::IntoResponses;

use crate::error::PROBLEM_JSON;

fn description(status: u16) -> &'static str {
    match status {
        400 => "Malformed JSON, or a query parameter that does not parse",
        401 => "Not signed in, or the credentials are wrong or expired",
        403 => "The caller's role may not do this",
        404 => "No such resource in the caller's scope",
        409 => "Conflicts with the current state (see `code`)",
        412 => "`If-Match` names a version that is no longer current",
        413 => "Body over 1 MiB",
        414 => "URL over 8 KiB",
        415 => "The body is not `application/json`",
        422 => "Invalid input: every failing field is listed in `errors`",
        428 => "`If-Match` is missing",
        429 => "Too many requests; retry after `Retry-After` seconds",
        503 => "The database is unavailable or busy; retry after `Retry-After` seconds",
        _ => "Error",
    }
}

fn problem(status: u16) -> Response {
    ResponseBuilder::new()
        .description(description(status))
        .content(PROBLEM_JSON, ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build())
        .build()
}

fn problems(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    statuses.iter().map(|s| (s.to_string(), RefOr::T(problem(*s)))).collect()
}

macro_rules! problem_set {
    ($(#[$doc:meta])* $name:ident: $($status:literal),+) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                problems(&[$($status),+])
            }
        }
    };
}

problem_set!(
    /// A list or a read without an id: bad query, not signed in, role refused.
    ListErrors: 400, 401, 403, 414, 422, 429, 503
);
problem_set!(
    /// A read of one resource by id.
    ReadErrors: 400, 401, 403, 404, 414, 422, 429, 503
);
problem_set!(
    /// A request that creates or acts without a version (a deletion, an action).
    WriteErrors: 400, 401, 403, 404, 409, 413, 414, 415, 422, 429, 503
);
/// A create that takes a client-chosen `id`: as [`WriteErrors`], and its 409 tells the id's
/// own conflicts apart.
pub struct CreateErrors;

impl IntoResponses for CreateErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut set = WriteErrors::responses();
        let conflict = ResponseBuilder::new()
            .description(
                "Conflicts with the current state (see `code`). `id_conflict`: the `id` is taken by a record with other \
                 data; nothing was changed, and `version`, `current` (the stored record as its detail shows it) and \
                 `fields` (the names that differ) say what is stored. `id_taken`: the `id` is used outside the \
                 caller's scope (no details). The same `id` with the same data is not a conflict: it answers 200 \
                 with the stored record.",
            )
            .content(PROBLEM_JSON, ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build())
            .build();
        set.insert("409".to_owned(), RefOr::T(conflict));
        set
    }
}

problem_set!(
    /// A change of a versioned resource (`If-Match` required).
    ChangeErrors: 400, 401, 403, 404, 409, 412, 413, 414, 415, 422, 428, 429, 503
);
problem_set!(
    /// Sign-in and token exchange (no bearer token).
    SignInErrors: 400, 401, 413, 414, 415, 422, 429, 503
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_of_every_set_is_described() {
        for set in [
            ListErrors::responses(),
            ReadErrors::responses(),
            WriteErrors::responses(),
            ChangeErrors::responses(),
            SignInErrors::responses(),
        ] {
            for status in set.keys() {
                assert_ne!(description(status.parse().expect("status")), "Error", "{status}");
            }
        }
    }
}
