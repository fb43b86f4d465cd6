//! Pure domain types and rules: no I/O, no HTTP, no SQL. Everything here is unit tested.

pub mod enums;
pub mod labels;
pub mod permissions;
pub mod division_code;
pub mod phone;
pub mod case_flow;
pub mod case_records;
pub mod client_rules;
pub mod id_number;
