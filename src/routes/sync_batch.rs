//! `POST /sync/batch`.
