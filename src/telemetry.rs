//! Tracing set-up: text logs for people, JSON lines in production.
//!
//! Lines go to standard output through a background writer thread, so a slow log consumer (a
//! full pipe, a stalled collector) never blocks the workers that answer requests; if it falls
//! far behind, lines are dropped rather than requests delayed.

use std::io::IsTerminal;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Installs the global subscriber; a second call (tests) is ignored. Keep the returned guard
/// until the process ends: dropping it flushes the lines still queued.
pub fn init(format: LogFormat, level: &str) -> WorkerGuard {
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    // Buffered: the writer thread flushes whenever it has written every line queued, so a busy
    // server writes its access log in a few large writes instead of one system call per line.
    let (writer, guard) = tracing_appender::non_blocking(std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()));
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal())
        .with_writer(writer);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    guard
}
