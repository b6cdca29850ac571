//! Progress reporting: reports arrive while the work runs, with rows and their rate, and the
//! watcher returns as soon as the work ends rather than at its next tick.

use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use lathe_dataset::RowCounter;
use lathe_dataset::progress::{Snapshot, watch};

#[test]
fn snapshots_show_rows_and_their_rate() {
    let cases = [
        (
            120_000,
            Duration::from_millis(2500),
            "120000 rows read (48000 rows/s)",
        ),
        (0, Duration::ZERO, "0 rows read (0 rows/s)"),
        (5, Duration::from_secs(2), "5 rows read (2 rows/s)"),
    ];
    for (rows, elapsed, expected) in cases {
        assert_eq!(Snapshot::new(rows, elapsed).to_string(), expected);
    }
}

#[test]
fn reports_arrive_while_the_work_runs() {
    let counter = RowCounter::new();
    let (reported, reports) = channel::<u64>();
    let worker_counter = counter.clone();
    let result = watch(
        &counter,
        Duration::from_millis(5),
        move || {
            // The work ends only once the watcher has reported each count it set, so the
            // reports provably came while it ran; a watcher that never reports fails below.
            let mut seen = Vec::new();
            for rows in [10, 5] {
                worker_counter.add(rows);
                let wanted = worker_counter.rows();
                loop {
                    let report = reports.recv_timeout(Duration::from_secs(30)).unwrap();
                    if report == wanted {
                        seen.push(report);
                        break;
                    }
                }
            }
            seen
        },
        |snapshot| {
            let _ = reported.send(snapshot.rows);
        },
    )
    .unwrap();
    assert_eq!(result, [10, 15]);
}

#[test]
fn the_watcher_returns_when_the_work_does() {
    let counter = RowCounter::new();
    let started = Instant::now();
    let mut reports = 0;
    let value = watch(&counter, Duration::from_secs(60), || 7, |_| reports += 1).unwrap();
    assert_eq!((value, reports), (7, 0));
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_panicking_job_is_returned_as_an_error() {
    let counter = RowCounter::new();
    let result = watch(
        &counter,
        Duration::from_millis(1),
        || -> u32 { panic!("the pipeline broke") },
        |_| {},
    );
    assert!(result.is_err());
}
