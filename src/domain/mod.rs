//! Pure domain types and rules: no I/O, no HTTP, no SQL. Everything here is unit tested.

pub mod case_flow;
pub mod case_records;
pub mod client_rules;
pub mod consent;
pub mod dates;
pub mod division_code;
pub mod enums;
pub mod fieldwork;
pub mod id_number;
pub mod labels;
pub mod permissions;
pub mod phone;
pub mod population;
pub mod sync;
pub mod text;
