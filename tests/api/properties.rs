//! Property tests of the two decoders that take text straight from a request: the list cursor
//! and the access token. Whatever arrives, they answer (a page or a 422; claims or nothing) and
//! never panic, and a token nobody signed never authenticates.

use actix_web::{body::MessageBody, test::TestRequest, FromRequest, ResponseError};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use shegong::auth::jwt::TokenKeys;
use shegong::paging::Page;
use uuid::Uuid;

use crate::helpers::{test_config, Options};

/// The page a request with this query string asks for.
fn page_of(query: &str) -> Result<Page, shegong::error::AppError> {
    let req = TestRequest::with_uri(&format!("/api/v1/things?{query}")).to_http_request();
    Page::extract(&req).into_inner()
}

/// A request carrying `cursor` (percent-encoded as a client would send it): the page, or the
/// refusal of a cursor that is not one the server could have made.
fn page_after(cursor: &str) -> Result<Page, shegong::error::AppError> {
    let query = serde_urlencoded::to_string([("cursor", cursor)]).expect("encodable");
    page_of(&query)
}

/// A refusal of a cursor is the 422 naming `cursor`.
fn is_cursor_422(e: shegong::error::AppError) -> Result<(), TestCaseError> {
    let res = e.error_response();
    prop_assert_eq!(res.status().as_u16(), 422);
    let body = res.into_body().try_into_bytes().map_err(|_| TestCaseError::fail("a streamed problem body"))?;
    let problem: serde_json::Value = serde_json::from_slice(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(problem["errors"][0]["field"].as_str(), Some("cursor"), "{}", problem);
    Ok(())
}

/// The cursor is refused with the page, or decodes (or is refused) as each key shape the lists
/// use.
fn accept_or_refuse(page: Result<Page, shegong::error::AppError>) -> Result<(), TestCaseError> {
    match page {
        Ok(page) => decode_every_key(&page),
        Err(e) => is_cursor_422(e),
    }
}

/// Decodes the cursor as each key shape the lists use: a refusal is the 422 on `cursor`.
fn decode_every_key(page: &Page) -> Result<(), TestCaseError> {
    fn check<K: serde::de::DeserializeOwned>(page: &Page) -> Result<(), TestCaseError> {
        if let Err(e) = page.after::<K>() {
            is_cursor_422(e)?;
        }
        Ok(())
    }
    check::<Uuid>(page)?;
    check::<(DateTime<Utc>, Uuid)>(page)?;
    check::<(String, Uuid)>(page)?;
    check::<(Option<Uuid>, Option<String>)>(page)?;
    check::<serde_json::Value>(page)
}

/// Arbitrary JSON, to be encoded as a cursor the way the server encodes its own.
fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::from),
        Just(serde_json::Value::from(Uuid::nil().to_string())),
        Just(serde_json::Value::from("2026-12-02T10:00:00Z")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(".{0,8}", inner, 0..3).prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_query_strings_never_panic(query in any::<String>()) {
        // The request line needs a valid URI; the raw query string is what `Page` reads.
        let uri = format!("/x?{}", query.replace(|c: char| !c.is_ascii_graphic(), "%20").replace('#', "%23"));
        if let Ok(uri) = uri.parse::<actix_web::http::Uri>() {
            let req = TestRequest::default().uri(&uri.to_string()).to_http_request();
            if let Ok(page) = Page::extract(&req).into_inner() {
                prop_assert!((1..=200).contains(&page.limit));
                decode_every_key(&page)?;
            }
        }
    }

    #[test]
    fn arbitrary_cursors_decode_or_are_a_422(cursor in any::<String>()) {
        accept_or_refuse(page_after(&cursor))?;
    }

    #[test]
    fn base64_cursors_of_arbitrary_bytes_decode_or_are_a_422(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        accept_or_refuse(page_after(&URL_SAFE_NO_PAD.encode(bytes)))?;
    }

    #[test]
    fn cursors_of_arbitrary_json_decode_or_are_a_422(value in json()) {
        let cursor = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&value).expect("json"));
        accept_or_refuse(page_after(&cursor))?;
    }

    #[test]
    fn a_cursor_the_server_made_decodes_to_its_key(at in 0i64..4_102_444_800, id in any::<u128>(), rows in 2usize..6) {
        let key = (DateTime::from_timestamp(at, 0).expect("in range"), Uuid::from_u128(id));
        let page = Page::first(1);
        let served = page.finish(vec![key; rows], |k| *k);
        let cursor = served.next_cursor.expect("more rows than the page");
        prop_assert_eq!(page_after(&cursor).expect("a cursor the server made").after::<(DateTime<Utc>, Uuid)>().expect("decodes"), Some(key));
    }
}

fn keys(secret: &str) -> TokenKeys {
    let config = test_config("postgres://unused", &Options::default());
    TokenKeys::new(&config, secret)
}

const SECRET: &str = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/// Ways to damage a token: replace, delete or insert one character, cut it short, or reorder
/// and repeat its three parts.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(prop::sample::Index, char),
    Delete(prop::sample::Index),
    Insert(prop::sample::Index, char),
    Truncate(prop::sample::Index),
    Parts([usize; 3]),
}

fn token_char() -> impl Strategy<Value = char> {
    prop_oneof![
        8 => prop::sample::select("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".chars().collect::<Vec<_>>()),
        1 => Just('.'),
        1 => any::<char>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), token_char()).prop_map(|(i, c)| Mutation::Replace(i, c)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Delete),
        1 => (any::<prop::sample::Index>(), token_char()).prop_map(|(i, c)| Mutation::Insert(i, c)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        1 => [0usize..3, 0usize..3, 0usize..3].prop_map(Mutation::Parts),
    ]
}

fn apply(token: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    for m in mutations {
        match m {
            Mutation::Replace(i, c) if !chars.is_empty() => {
                let at = i.index(chars.len());
                chars[at] = *c;
            }
            Mutation::Delete(i) if !chars.is_empty() => {
                chars.remove(i.index(chars.len()));
            }
            Mutation::Insert(i, c) => chars.insert(i.index(chars.len() + 1), *c),
            Mutation::Truncate(i) => chars.truncate(i.index(chars.len() + 1)),
            Mutation::Parts(order) => {
                let text: String = chars.iter().collect();
                let parts: Vec<&str> = text.split('.').collect();
                if parts.len() == 3 {
                    chars = order.iter().map(|&p| parts[p]).collect::<Vec<_>>().join(".").chars().collect();
                }
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_authenticates(token in any::<String>()) {
        prop_assert!(keys(SECRET).verify_access(&token).is_none());
    }

    #[test]
    fn arbitrary_three_part_tokens_never_authenticate(token in "[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,120}\\.[A-Za-z0-9_-]{0,50}") {
        prop_assert!(keys(SECRET).verify_access(&token).is_none());
    }

    #[test]
    fn a_damaged_token_never_authenticates(
        user in any::<u128>(),
        ver in any::<i32>(),
        sid in any::<u128>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let keys = keys(SECRET);
        let token = keys.issue_access(Uuid::from_u128(user), ver, Uuid::from_u128(sid)).expect("signed");
        // The untouched token is accepted, so a refusal below is the damage's doing.
        let claims = keys.verify_access(&token).expect("a fresh token is valid");
        prop_assert_eq!((claims.sub, claims.ver, claims.sid), (Uuid::from_u128(user), ver, Uuid::from_u128(sid)));
        let damaged = apply(&token, &mutations);
        prop_assume!(damaged != token);
        prop_assert!(keys.verify_access(&damaged).is_none(), "{damaged} authenticated after {mutations:?}");
    }

    #[test]
    fn a_token_signed_with_another_secret_never_authenticates(other in "[ -~]{1,64}", user in any::<u128>(), sid in any::<u128>()) {
        prop_assume!(other != SECRET);
        let forged = keys(&other).issue_access(Uuid::from_u128(user), 1, Uuid::from_u128(sid)).expect("signed");
        prop_assert!(keys(SECRET).verify_access(&forged).is_none());
    }
}
