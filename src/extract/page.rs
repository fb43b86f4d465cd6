//! The page extractor: `?limit=` (1–200, default 50) and an opaque `?cursor=` become a
//! `paging::Page`; a limit out of range is a 422 on `limit`.

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use futures_util::future::{ready, Ready};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::i18n::Text;
use crate::paging::{Page, DEFAULT_LIMIT, MAX_LIMIT};

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
            "cursor" if !v.is_empty() => {
                checked_cursor(&v)?;
                cursor = Some(v);
            }
            _ => {}
        }
    }
    Ok(Page::new(limit, cursor))
}

/// A cursor is as easy to forge as any input: the strings inside it meet the same text rules
/// before any list decodes it into its key.
fn checked_cursor(raw: &str) -> Result<(), AppError> {
    let invalid = || AppError::field("cursor", "invalid", Text::new("分页游标无效。", "The cursor is not valid."));
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(raw) else { return Err(invalid()) };
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return Err(invalid()) };
    super::clean::clean_json(&mut value).map_err(|_| invalid())
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
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
        assert!(parse("cursor=%%%").is_err(), "a cursor that does not decode is refused with the page");
        let last = page.finish(vec![1, 2], |n| *n);
        assert!(last.next_cursor.is_none());
    }
}
