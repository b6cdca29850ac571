//! Progress while a pipeline runs: a rows counter the reader advances, a rate in rows/s, and a
//! watcher that reports at an interval yet returns the moment the work ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Rows read so far, shared between the pipeline and whoever shows progress.
#[derive(Debug, Clone, Default)]
pub struct RowCounter(Arc<AtomicU64>);

impl RowCounter {
    pub fn new() -> RowCounter {
        RowCounter::default()
    }

    pub fn add(&self, rows: u64) {
        self.0.fetch_add(rows, Ordering::Relaxed);
    }

    pub fn rows(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What a watcher's report is given: rows so far, time since the start, and their rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub rows: u64,
    pub elapsed: Duration,
    pub rows_per_second: f64,
}

impl Snapshot {
    pub fn new(rows: u64, elapsed: Duration) -> Snapshot {
        let seconds = elapsed.as_secs_f64();
        Snapshot {
            rows,
            elapsed,
            rows_per_second: if seconds > 0.0 {
                rows as f64 / seconds
            } else {
                0.0
            },
        }
    }
}

impl std::fmt::Display for Snapshot {
    /// `120000 rows read (48000 rows/s)`.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{} rows read ({:.0} rows/s)",
            self.rows, self.rows_per_second
        )
    }
}

/// Runs `work` on its own thread and calls `report` every `interval` until it finishes.
/// Finishing wakes the watcher at once: a sleeping poll loop would add up to one interval to
/// every run, which is most of the wall time of a small dataset.
pub fn watch<T: Send>(
    counter: &RowCounter,
    interval: Duration,
    work: impl FnOnce() -> T + Send,
    mut report: impl FnMut(Snapshot),
) -> std::thread::Result<T> {
    let started = Instant::now();
    let (done, finished) = channel::<()>();
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            // Dropped when `work` returns or unwinds, which is what wakes the watcher.
            let _done = done;
            work()
        });
        while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(interval) {
            report(Snapshot::new(counter.rows(), started.elapsed()));
        }
        worker.join()
    })
}
