//! Tracing set-up: text logs for people, JSON lines in production.
//!
//! A worker that logs a line appends it to a shared buffer and goes on; a writer thread of its own
//! writes the buffer to standard output every few milliseconds. A slow log consumer (a full pipe,
//! a stalled collector) therefore never blocks the workers that answer requests, and a busy
//! server writes its access log in a few large writes, without waking a thread for every line.
//! If the consumer falls far behind, lines are dropped (and counted) rather than requests delayed.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::{fmt, fmt::MakeWriter, EnvFilter};

use crate::config::LogFormat;

/// How often the writer thread writes out what has been logged.
const FLUSH_EVERY: Duration = Duration::from_millis(20);
/// The most the buffer holds before new lines are dropped (the consumer is not keeping up).
const MAX_PENDING: usize = 8 * 1024 * 1024;

#[derive(Default)]
struct Shared {
    pending: Mutex<Vec<u8>>,
    dropped: AtomicU64,
    stop: AtomicBool,
    wake: Condvar,
}

/// Where the subscriber writes: the shared buffer.
#[derive(Clone)]
struct Lines(Arc<Shared>);

impl Write for Lines {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut pending = self.0.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() + line.len() > MAX_PENDING {
            self.0.dropped.fetch_add(1, Ordering::Relaxed);
        } else {
            pending.extend_from_slice(line);
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Lines {
    type Writer = Lines;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Writes the buffer out until told to stop, then once more.
fn write_out(shared: &Shared) {
    let mut batch = Vec::new();
    loop {
        let stopping = {
            let pending = shared.pending.lock().unwrap_or_else(|e| e.into_inner());
            let (mut pending, _) = shared.wake.wait_timeout(pending, FLUSH_EVERY).unwrap_or_else(|e| e.into_inner());
            std::mem::swap(&mut *pending, &mut batch);
            shared.stop.load(Ordering::Relaxed)
        };
        let dropped = shared.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            let _ = writeln!(
                batch,
                "{{\"level\":\"WARN\",\"message\":\"{dropped} log lines dropped: the log consumer is too slow\"}}"
            );
        }
        if !batch.is_empty() {
            // Locked per batch: the process may print to standard output too (the CLI does).
            let mut out = std::io::stdout().lock();
            // A failed write (a closed pipe) loses these lines; there is nowhere else to report it.
            let _ = out.write_all(&batch).and_then(|()| out.flush());
            batch.clear();
        }
        if stopping {
            return;
        }
    }
}

/// Keep it until the process ends: dropping it writes out the lines still buffered.
pub struct LogGuard {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.wake.notify_one();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Installs the global subscriber; a second call (tests) is ignored.
pub fn init(format: LogFormat, level: &str) -> LogGuard {
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let shared = Arc::new(Shared::default());
    let writer = {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new().name("log-writer".into()).spawn(move || write_out(&shared)).ok()
    };
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal())
        .with_writer(Lines(Arc::clone(&shared)));
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    LogGuard { shared, writer }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_kept_in_order_and_dropped_past_the_limit() {
        let shared = Arc::new(Shared::default());
        let mut lines = Lines(Arc::clone(&shared));
        lines.write_all(b"one\n").expect("write");
        lines.write_all(b"two\n").expect("write");
        assert_eq!(&*shared.pending.lock().expect("lock"), b"one\ntwo\n");
        lines.write_all(&vec![b'x'; MAX_PENDING]).expect("write");
        assert_eq!(shared.dropped.load(Ordering::Relaxed), 1);
        assert_eq!(shared.pending.lock().expect("lock").len(), 8);
    }
}
