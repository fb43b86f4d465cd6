//! `GET /sync/changes` and `GET /sync/checksums`.
