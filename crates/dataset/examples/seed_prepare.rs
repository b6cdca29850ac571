//! The seed's conversion (drop id and topic, rename to prompt/completion, sample N with seed
//! 42, JSONL) through the library alone, hashing the source for the version alongside, as
//! `lathe data prepare -o` does. For measuring the pipeline where the `lathe` binary (which
//! links everything else too) is not built: `seed_prepare SOURCE.parquet SAMPLE OUTPUT_DIR`.

use std::path::PathBuf;

use lathe_dataset::{Format, HashCache, ModelProfile, RunOptions, fingerprint, run};

// The tests' recipe builders: the seed's steps are written once.
#[path = "../tests/common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [source, sample, output] = arguments.as_slice() else {
        return Err("usage: seed_prepare SOURCE.parquet SAMPLE OUTPUT_DIR".into());
    };
    let recipe = common::recipe(
        &[source.as_str()],
        common::seed_steps(sample.parse()?, 42),
        Format::FineTuning,
    );
    let base_dir = PathBuf::from(".");
    let options = RunOptions {
        base_dir: base_dir.clone(),
        output_dir: PathBuf::from(output),
        profile: ModelProfile::default(),
        progress: None,
    };
    let (version, outcome) = std::thread::scope(|scope| {
        let version = scope.spawn(|| fingerprint(&recipe, &base_dir, &mut HashCache::in_memory()));
        let outcome = run(&recipe, &options);
        (version.join(), outcome)
    });
    let version = version.map_err(|_| "hashing the source panicked")??;
    let outcome = outcome?;
    println!(
        "{} rows, sha256 {}, version {}",
        outcome.rows, outcome.sha256, version.version
    );
    Ok(())
}
