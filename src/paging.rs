//! Keyset pagination as plain values: a page request (`limit` and an opaque cursor) and a page of
//! rows with the cursor of the next one.
//!
//! A cursor is the sort key of the last row served, as base64url JSON. It is opaque to clients;
//! a cursor that does not decode is a 422 on `cursor`. No list ever uses OFFSET or COUNT(*).
//! The request extractor (`extract::page`) builds a `Page` from the query string.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::{de::DeserializeOwned, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::i18n::Text;

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size.
pub const MAX_LIMIT: i64 = 200;

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

    /// A page of `limit` rows after a cursor.
    pub fn new(limit: i64, cursor: Option<String>) -> Self {
        Self { limit, cursor }
    }

    /// Decodes the cursor into the list's key type.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, AppError> {
        match &self.cursor {
            None => Ok(None),
            Some(c) => {
                let bytes = URL_SAFE_NO_PAD.decode(c).map_err(|_| cursor_error())?;
                serde_json::from_slice(&bytes).map(Some).map_err(|_| cursor_error())
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
        let next_cursor = if more { rows.last().map(|last| encode_cursor(&key(last))) } else { None };
        Paged { items: rows, next_cursor }
    }
}

/// A cursor for a sort key: base64url JSON, opaque to clients, read back by [`Page::after`].
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("a sort key serialises"))
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
