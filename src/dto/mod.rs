//! Request and response bodies: what the API speaks. Shared by routes (which parse and send them)
//! and services (which act on them); neither HTTP nor SQL lives here.
//!
//! Request bodies refuse unknown fields. Nullable fields of a PATCH are `Option<Option<T>>`:
//! absent = unchanged, `null` = clear.
//!
//! Every free text of a request carries a `pattern` that states what the edge (`domain::text`)
//! refuses, so a client or a fuzzer built from the document does not send it: control characters
//! (tab and line breaks allowed only where free text may hold them) and bidi controls; names
//! that must show something add one visible character to that. utoipa takes only a literal
//! there, hence the same strings repeated. Phones state the canonical forms `domain::phone` keeps.

pub mod audit;
pub mod auth;
pub mod case_records;
pub mod caseload;
pub mod cases;
pub mod clients;
pub mod org_units;
pub mod reviews;
pub mod rosters;
pub mod sessions;
pub mod stats;
pub mod supervision;
pub mod sync;
pub mod sync_batch;
pub mod time;
pub mod users;

use serde::{Deserialize, Deserializer};

/// Deserializes a present field (even `null`) as `Some(..)`, so that `#[serde(default)]` leaves
/// an absent one as `None`.
pub fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `zh|en` message for a custom validator error.
pub fn validation_error(code: &'static str, zh: &str, en: &str) -> validator::ValidationError {
    let mut e = validator::ValidationError::new(code);
    e.message = Some(format!("{zh}|{en}").into());
    e
}

/// Validates an optional phone number (mobile or landline).
pub fn validate_phone(phone: &str) -> Result<(), validator::ValidationError> {
    crate::domain::phone::normalize_phone(phone)
        .map(|_| ())
        .map_err(|e| validation_error(e.code(), &e.message_zh(), &e.message_en()))
}

/// Refuses a text of only whitespace or other invisible characters (the empty text is left to
/// the `length` rule, so a field gets one error, not two).
pub fn validate_not_blank(text: &str) -> Result<(), validator::ValidationError> {
    if !text.is_empty() && !crate::domain::text::has_visible(text) {
        Err(validation_error("blank", "不能为空白。", "Must not be blank."))
    } else {
        Ok(())
    }
}

fn validate_items(items: &[String], max: usize) -> Result<(), validator::ValidationError> {
    for item in items {
        if !crate::domain::text::has_visible(item) {
            return Err(validation_error("blank_item", "列表项不能为空白。", "A list item must not be blank."));
        }
        if item.chars().count() > max {
            return Err(validation_error(
                "item_too_long",
                &format!("列表项不能超过 {max} 个字符。"),
                &format!("A list item must be at most {max} characters."),
            ));
        }
    }
    Ok(())
}

/// Refuses a list of tags (problem types and the like) with a blank item or one over 50 characters.
pub fn validate_tags(items: &[String]) -> Result<(), validator::ValidationError> {
    validate_items(items, 50)
}

/// Refuses a list of short texts (needs and the like) with a blank item or one over 500 characters.
pub fn validate_lines(items: &[String]) -> Result<(), validator::ValidationError> {
    validate_items(items, 500)
}
