//! Authentication and the access scope: tokens, password hashing, the subtree a caller may see.

pub mod actor;
pub mod jwt;
pub mod password;
pub mod scope;

pub use actor::Actor;
pub use scope::AccessScope;
