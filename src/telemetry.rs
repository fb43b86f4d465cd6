//! Tracing set-up: text logs for people, JSON lines in production.
//!
//! Lines go out through `tracing-appender`'s non-blocking writer: a worker that logs a line hands
//! it to a bounded queue and goes on, and the appender's own thread writes the queue to standard
//! output. A slow log consumer (a full pipe, a stalled collector) therefore never blocks the
//! workers that answer requests; when it falls `MAX_PENDING_LINES` behind, new lines are dropped
//! rather than requests delayed. The appender's thread drains everything queued before it
//! flushes, and standard output sits behind a buffer here, so a busy server writes its access log
//! in a few large writes rather than one per line.
//!
//! Every line logged while a request is answered carries the request's id from the span that
//! `middleware::RequestSpan` opens around it (`request{request_id=…}:` in text, `"span"` in JSON).

use std::io::{BufWriter, IsTerminal};

use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{fmt, fmt::MakeWriter, util::SubscriberInitExt, EnvFilter};

use crate::config::LogFormat;

/// The most lines queued before new ones are dropped (the consumer is not keeping up); at a few
/// hundred bytes a line this bounds the queue to about 8 MiB.
const MAX_PENDING_LINES: usize = 32 * 1024;

/// Bytes gathered before a write to standard output, when that many are queued.
const WRITE_BUFFER: usize = 64 * 1024;

/// Keep it until the process ends: dropping it writes out the lines still queued.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    _worker: WorkerGuard,
}

/// The lossy, bounded writer in front of `out`, and the guard that flushes it.
fn non_blocking<W: std::io::Write + Send + 'static>(out: W) -> (NonBlocking, WorkerGuard) {
    NonBlockingBuilder::default().lossy(true).buffered_lines_limit(MAX_PENDING_LINES).thread_name("log-writer").finish(out)
}

/// The subscriber writing `format` lines at `level` (a tracing filter) to `writer`.
pub(crate) fn subscriber<W>(format: LogFormat, level: &str, writer: W, ansi: bool) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_target(false).with_ansi(ansi).with_writer(writer);
    match format {
        // The request span's fields once, under "span"; requests open no nested spans to list.
        LogFormat::Json => Box::new(builder.json().flatten_event(true).with_span_list(false).finish()),
        LogFormat::Text => Box::new(builder.finish()),
    }
}

/// Installs the global subscriber; a second call (tests) is ignored.
pub fn init(format: LogFormat, level: &str) -> LogGuard {
    let ansi = std::io::stdout().is_terminal();
    let (writer, worker) = non_blocking(BufWriter::with_capacity(WRITE_BUFFER, std::io::stdout()));
    let _ = subscriber(format, level, writer, ansi).try_init();
    LogGuard { _worker: worker }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use super::*;

    /// A consumer that keeps what it is given, and can be made to stall.
    #[derive(Clone, Default)]
    struct Sink {
        out: Arc<Mutex<Vec<u8>>>,
        stall: Arc<Mutex<()>>,
    }

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let _wait = self.stall.lock().unwrap_or_else(|e| e.into_inner());
            self.out.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn json_lines_carry_the_request_span_and_are_flushed_by_the_guard() {
        let sink = Sink::default();
        let (writer, guard) = non_blocking(sink.clone());
        tracing::subscriber::with_default(subscriber(LogFormat::Json, "info", writer, false), || {
            let span = tracing::error_span!("request", request_id = "req-1");
            let _inside = span.enter();
            tracing::info!(status = 200, "request");
            tracing::debug!("filtered out");
        });
        drop(guard);
        let out = String::from_utf8(sink.out.lock().expect("lock").clone()).expect("utf-8");
        let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
        assert_eq!(lines.len(), 1, "{out}");
        assert_eq!(lines[0]["message"], "request");
        assert_eq!(lines[0]["status"], 200);
        assert_eq!(lines[0]["span"]["request_id"], "req-1");
        assert_eq!(lines[0]["level"], "INFO");
    }

    #[test]
    fn a_stalled_consumer_loses_lines_instead_of_blocking_the_caller() {
        let sink = Sink::default();
        let stalled = sink.stall.lock().expect("lock");
        let (writer, guard) = non_blocking(sink.clone());
        let counter = writer.error_counter();
        let started = Instant::now();
        tracing::subscriber::with_default(subscriber(LogFormat::Text, "info", writer, false), || {
            for i in 0..MAX_PENDING_LINES + 1000 {
                tracing::info!(i, "line");
            }
        });
        assert!(started.elapsed() < Duration::from_secs(20), "logging waited for the consumer");
        assert!(counter.dropped_lines() >= 999, "dropped {}", counter.dropped_lines());
        drop(stalled);
        drop(guard);
        let out = String::from_utf8(sink.out.lock().expect("lock").clone()).expect("utf-8");
        assert!(out.lines().count() <= MAX_PENDING_LINES + 1, "{} lines", out.lines().count());
        assert!(out.lines().next().is_some_and(|l| l.ends_with("line i=0")), "{}", out.lines().next().unwrap_or(""));
    }
}
