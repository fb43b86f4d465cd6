//! The pushed batch of offline mutations and its per-item results.
