//! The only place requests become trusted values. Each extractor answers a problem+json error
//! itself, so handlers only ever see well-formed input.

pub mod actor;
pub mod clean;
pub mod headers;
pub mod json;
pub mod page;

pub use headers::{IdempotencyKey, IfMatch};
pub use json::ValidatedJson;
pub use page::PageParams;
