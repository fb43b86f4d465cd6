//! Pushing offline mutations (`POST /sync/batch`).
