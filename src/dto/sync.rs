//! Pulled changes and per-unit checksums.
