//! Offline sync for the mobile app (FIELDWORK.md §3): pulling what changed in the caller's scope
//! (`changes`) and pushing a day's offline work as one batch of mutations (`batch`).

pub mod batch;
pub mod changes;
