//! Keyset pagination: `?limit=` (1–200, default 50) and an opaque `?cursor=`.
//!
//! A cursor is the sort key of the last row served, as base64url JSON. It is opaque to clients;
//! a cursor that does not decode is a 422 on `cursor`. No list ever uses OFFSET or COUNT(*).

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use futures_util::future::{ready, Ready};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::i18n::Text;

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size.
pub const MAX_LIMIT: i64 = 200;

/// Pagination query parameters (documented in every list).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone)]
pub struct Page {
    /// Rows to return.
    pub limit: i64,
    /// The raw cursor, decoded by the list that owns its shape.
    cursor: Option<String>,
}

fn cursor_error() -> AppError {
    AppError::field("cursor", "invalid", Text::new("分页游标无效。", "The cursor is not valid."))
}

impl Page {
    /// A first page of `limit` rows.
    pub fn first(limit: i64) -> Self {
        Self { limit, cursor: None }
    }

    /// Decodes the cursor into the list's key type.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, AppError> {
        match &self.cursor {
            None => Ok(None),
            Some(c) => {
                let bytes = URL_SAFE_NO_PAD.decode(c).map_err(|_| cursor_error())?;
                let mut value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| cursor_error())?;
                // A cursor is as easy to forge as any input: the same text rules apply.
                super::clean::clean_json(&mut value).map_err(|_| cursor_error())?;
                serde_json::from_value(value).map(Some).map_err(|_| cursor_error())
            }
        }
    }

    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the extra row and builds the page with the cursor of its last row.
    pub fn finish<T, K: Serialize>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> K) -> Paged<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last().and_then(|last| serde_json::to_vec(&key(last)).ok()).map(|b| URL_SAFE_NO_PAD.encode(b))
        } else {
            None
        };
        Paged { items: rows, next_cursor }
    }
}

impl FromRequest for Page {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()))
    }
}

fn parse(query: &str) -> Result<Page, AppError> {
    let mut limit = DEFAULT_LIMIT;
    let mut cursor = None;
    for (k, v) in url_pairs(query) {
        match k.as_str() {
            "limit" => {
                limit = v.parse::<i64>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                    AppError::field(
                        "limit",
                        "range",
                        Text::new("limit 须为 1 到 200 之间的整数。", "limit must be an integer from 1 to 200."),
                    )
                })?;
            }
            "cursor" if !v.is_empty() => cursor = Some(v),
            _ => {}
        }
    }
    Ok(Page { limit, cursor })
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Cursor of the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Paged<T> {
    /// A page with nothing on it.
    pub fn empty() -> Self {
        Paged { items: Vec::new(), next_cursor: None }
    }

    /// Converts every item.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(parse("").expect("default").limit, 50);
        assert_eq!(parse("limit=200").expect("max").limit, 200);
        assert!(parse("limit=201").is_err());
        assert!(parse("limit=0").is_err());
        assert!(parse("limit=abc").is_err());
    }

    #[test]
    fn cursor_round_trip() {
        let page = Page::first(2);
        let p = page.finish(vec![1, 2, 3], |n| (*n, "k"));
        assert_eq!(p.items, vec![1, 2]);
        let c = p.next_cursor.expect("more");
        let next = parse(&format!("cursor={c}&limit=2")).expect("parse");
        assert_eq!(next.after::<(i32, String)>().expect("decode"), Some((2, "k".to_owned())));
        assert!(parse("cursor=%%%").expect("p").after::<(i32, String)>().is_err());
        let last = page.finish(vec![1, 2], |n| *n);
        assert!(last.next_cursor.is_none());
    }
}
