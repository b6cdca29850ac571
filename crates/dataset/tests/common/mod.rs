//! Shared recipe builders for the dataset crate's tests.
#![allow(dead_code)]

use lathe_dataset::{Format, OutputFormat, Recipe, Source, Step};

/// A recipe over `paths` (relative to the run's base folder) writing JSONL, without a split.
pub fn recipe(paths: &[&str], steps: Vec<Step>, format: Format) -> Recipe {
    Recipe {
        source: Source {
            paths: paths.iter().map(|path| path.to_string()).collect(),
            format: None,
            text_unit: Default::default(),
        },
        steps,
        format,
        output: OutputFormat::Jsonl,
        split: None,
        tokenizer: None,
    }
}

/// The seed's column steps: drop id and topic, rename to prompt/completion.
pub fn seed_columns() -> Vec<Step> {
    vec![
        Step::Drop {
            columns: vec!["id".into(), "topic".into()],
        },
        Step::Rename {
            columns: [
                ("dialogue".to_string(), "prompt".to_string()),
                ("summary".to_string(), "completion".to_string()),
            ]
            .into(),
        },
    ]
}

/// The seed's steps: its column steps, then a sample of `n` rows with `seed`.
pub fn seed_steps(n: u64, seed: u64) -> Vec<Step> {
    let mut steps = seed_columns();
    steps.push(Step::Sample {
        n: Some(n),
        fraction: None,
        seed,
    });
    steps
}
