//! Row types: what the repositories read and write, one file per entity. Everything is
//! re-exported here, so callers name `crate::db::models::X` whatever file `X` lives in.

mod audit;
mod case_records;
mod cases;
mod clients;
mod groups;
mod households;
mod idempotency;
mod org_units;
mod reviews;
mod rosters;
mod sessions;
mod supervision;
mod sync;
mod tokens;
mod users;

pub use audit::*;
pub use case_records::*;
pub use cases::*;
pub use clients::*;
pub use groups::*;
pub use households::*;
pub use idempotency::*;
pub use org_units::*;
pub use reviews::*;
pub use rosters::*;
pub use sessions::*;
pub use supervision::*;
pub use sync::*;
pub use tokens::*;
pub use users::*;
