//! The integration tests: one binary, each test on its own PostgreSQL database cloned from a
//! migrated template, talking HTTP to a real server on a random local port.

mod helpers;

mod auth;
mod cases;
mod clients;
mod consent;
mod conventions;
mod fieldwork;
mod fieldwork_figures;
mod hierarchy;
mod id_conflicts;
mod input;
mod layers;
mod lists;
mod looks;
mod privileges;
mod properties;
mod retention;
mod role_matrix;
mod rules;
mod scope;
mod seeds;
mod sessions;
mod spec;
mod stats;
mod sync_batch;
mod sync_changes;
mod timeouts;
