//! Pulling changes (`GET /sync/changes`) and checksums (`GET /sync/checksums`).
