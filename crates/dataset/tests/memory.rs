//! Memory stays flat as rows grow, even with `shuffle = true`: the peak resident memory of a
//! process preparing 10N rows stays within a fixed bound of the one preparing N.
//!
//! Each run happens in a child process (this test binary run again, told by an environment
//! variable which run it is), so the peak it reports is that run's alone.

use std::path::Path;
use std::process::Command;

use lathe_dataset::{Format, ModelProfile, OutputFormat, Recipe, RunOptions, Step, run, synth};

mod common;

const CHILD: &str = "LATHE_MEMORY_TEST_SOURCE";
const SHUFFLED: &str = "LATHE_MEMORY_TEST_SHUFFLED";
const TEST_NAME: &str = "shuffled_runs_keep_memory_flat";

/// The seed's conversion, shuffled or not: shuffled, every row passes through the
/// disk-backed shuffle.
fn conversion(source: &Path, shuffled: bool) -> Recipe {
    let mut steps = common::seed_columns();
    if shuffled {
        steps.push(Step::Shuffle { seed: 42 });
    }
    common::recipe(&[&source.to_string_lossy()], steps, Format::FineTuning)
}

/// Peak resident memory of this process so far, in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Runs the conversion on `source` in a child process; its rows and peak memory in KiB.
fn measure(source: &Path, shuffled: bool) -> (u64, u64) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads", "1"])
        .env(CHILD, source)
        .env(SHUFFLED, if shuffled { "1" } else { "0" })
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|line| line.split_once("memory-child ").map(|(_, report)| report))
        .unwrap_or_else(|| panic!("no report from the child: {stdout}"));
    let (rows, kib) = line.split_once(' ').unwrap();
    (rows.parse().unwrap(), kib.parse().unwrap())
}

#[test]
fn shuffled_runs_keep_memory_flat() {
    if let Some(source) = std::env::var_os(CHILD) {
        let source = Path::new(&source);
        let directory = source.parent().unwrap();
        let shuffled = std::env::var(SHUFFLED).as_deref() == Ok("1");
        let outcome = run(
            &conversion(source, shuffled),
            &RunOptions {
                base_dir: directory.to_path_buf(),
                output_dir: directory.join(format!(
                    "out-{}-{shuffled}",
                    source.file_stem().unwrap().to_string_lossy()
                )),
                profile: ModelProfile::default(),
                progress: None,
            },
        )
        .unwrap();
        println!("memory-child {} {}", outcome.rows, peak_kib());
        return;
    }
    let directory = tempfile::tempdir().unwrap();
    let small = directory.path().join("small.parquet");
    let large = directory.path().join("large.parquet");
    synth::write_dialogsum(&small, 8_000, 1, OutputFormat::Parquet, None).unwrap();
    synth::write_dialogsum(&large, 80_000, 2, OutputFormat::Parquet, None).unwrap();
    let mut growth = Vec::new();
    for shuffled in [false, true] {
        let (small_rows, small_kib) = measure(&small, shuffled);
        let (large_rows, large_kib) = measure(&large, shuffled);
        assert_eq!((small_rows, large_rows), (8_000, 80_000));
        eprintln!(
            "shuffled {shuffled}: peak {small_kib} KiB for {small_rows} rows, {large_kib} KiB for {large_rows} rows"
        );
        growth.push(large_kib.saturating_sub(small_kib));
    }
    let output_kib = std::fs::metadata(directory.path().join("out-large-true/data.jsonl"))
        .unwrap()
        .len()
        >> 10;
    // Ten times the rows (about 40 MiB more output) may cost only the pipeline's batches in
    // flight (a few MiB) and, shuffled, the one bucket of at most 8 MiB being shuffled; holding
    // the rows would grow the peak by more than the output's size.
    let [plain, shuffled] = growth[..] else {
        unreachable!("two runs")
    };
    assert!(
        plain < 12 * 1024,
        "unshuffled, the peak grew by {plain} KiB for {output_kib} KiB more output"
    );
    assert!(
        shuffled < 24 * 1024 && shuffled < output_kib / 2,
        "shuffled, the peak grew by {shuffled} KiB for {output_kib} KiB more output"
    );
}
