//! Every way a source or recipe can be wrong, each with its exact message: what was wrong,
//! where (file, line), and how to fix it.

use std::path::Path;

use lathe_dataset::{Format, ModelProfile, Recipe, Report, RunOptions, Split, Step, check, run};

mod common;

fn recipe(paths: &[&str], steps: Vec<Step>) -> Recipe {
    common::recipe(paths, steps, Format::FineTuning)
}

/// The run's error with the temporary folder written as `DIR`, so messages can be compared.
fn failure(directory: &Path, recipe: &Recipe) -> String {
    let error = run(
        recipe,
        &RunOptions {
            base_dir: directory.to_path_buf(),
            output_dir: directory.join("out"),
            profile: ModelProfile::default(),
            progress: None,
        },
    )
    .expect_err("the run should fail");
    error
        .to_string()
        .replace(&directory.to_string_lossy().into_owned(), "DIR")
}

const GOOD: &str = "{\"prompt\":\"p\",\"completion\":\"c\"}\n";

#[test]
fn source_mistakes_name_the_file_and_the_fix() {
    let directory = tempfile::tempdir().unwrap();
    let write = |name: &str, contents: &[u8]| {
        let path = directory.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    };
    write("rows.xyz", GOOD.as_bytes());
    write("parts/a.jsonl", GOOD.as_bytes());
    write("parts/b.jsonl", b"{\"question\":\"p\",\"answer\":\"c\"}\n");
    write(
        "broken.jsonl",
        format!("{GOOD}{{\"prompt\":\"p\",\"completion\":}}\n").as_bytes(),
    );
    write("object.json", GOOD.as_bytes());
    write(
        "mixed.json",
        b"[{\"prompt\":\"p\",\"completion\":\"c\"}, 3]",
    );
    write("latin1.txt", b"caf\xe9\n");
    write("fake.parquet", b"PAR1 not really");
    write("numbers.jsonl", b"{\"prompt\":1,\"completion\":\"c\"}\n");
    let cases: Vec<(Recipe, &str)> = vec![
        (
            recipe(&[], vec![]),
            "recipe: source has no paths; name at least one file or glob",
        ),
        (
            recipe(&["missing.parquet"], vec![]),
            "source pattern \"missing.parquet\" matches no files; check the path (relative to the working directory) or the glob",
        ),
        (
            recipe(&["parts/[.jsonl"], vec![]),
            "source pattern \"parts/[.jsonl\" is not a valid glob: Pattern syntax error near position 6: invalid range pattern",
        ),
        (
            recipe(&["rows.xyz"], vec![]),
            "DIR/rows.xyz: cannot tell the file format from the extension; name it .parquet, .jsonl, .json, .csv, .tsv or .txt, or set the source format",
        ),
        (
            recipe(&["parts/*.jsonl"], vec![]),
            "DIR/parts/b.jsonl: columns [\"answer\", \"question\"] differ from the first file's [\"completion\", \"prompt\"]; all source files must share one schema",
        ),
        (
            recipe(&["broken.jsonl"], vec![]),
            "DIR/broken.jsonl:2: invalid JSON: expected value at line 1 column 28",
        ),
        (
            recipe(&["object.json"], vec![]),
            "DIR/object.json: cannot read as json: expected an array of objects; for one object per line, name the file .jsonl",
        ),
        (
            recipe(&["mixed.json"], vec![]),
            "DIR/mixed.json: cannot read as json: element 1 of the array is not an object",
        ),
        (
            recipe(&["fake.parquet"], vec![]),
            "DIR/fake.parquet: cannot read as parquet: Parquet error: Invalid Parquet file. Corrupt footer",
        ),
        (
            recipe(&["numbers.jsonl"], vec![]),
            "column \"prompt\" holds Int64 values, but the fine-tuning format needs text; cast or template it into a string",
        ),
    ];
    for (recipe, expected) in cases {
        assert_eq!(
            failure(directory.path(), &recipe),
            expected,
            "{:?}",
            recipe.source.paths
        );
    }
    let mut text = recipe(&["latin1.txt"], vec![]);
    text.format = Format::ContinuedPreTraining;
    text.steps = vec![Step::Rename {
        columns: [("text".to_string(), "input".to_string())].into(),
    }];
    assert_eq!(
        failure(directory.path(), &text),
        "DIR/latin1.txt: cannot read as text: stream did not contain valid UTF-8 (is it UTF-8 text?)"
    );
    assert!(
        !directory.path().join("out").join("data.jsonl").exists(),
        "a failed run leaves no output"
    );
}

#[test]
fn recipe_settings_out_of_range_are_refused_before_reading() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("rows.jsonl"), GOOD).unwrap();
    let with_split = |train: f64, validation: f64, test: f64| {
        let mut recipe = recipe(&["rows.jsonl"], vec![]);
        recipe.split = Some(Split {
            train,
            validation,
            test,
            seed: 1,
        });
        recipe
    };
    let cases: Vec<(Recipe, &str)> = vec![
        (
            recipe(
                &["rows.jsonl"],
                vec![Step::Limit {
                    columns: Vec::new(),
                    max_characters: None,
                    max_tokens: None,
                    action: Default::default(),
                }],
            ),
            "step 1 (limit): give `max_characters` or `max_tokens`",
        ),
        (
            recipe(
                &["rows.jsonl"],
                vec![Step::Sample {
                    n: None,
                    fraction: None,
                    seed: 1,
                }],
            ),
            "step 1 (sample): give exactly one of `n` or `fraction`",
        ),
        (
            with_split(90.0, 5.0, 0.0),
            "recipe: split percentages must add up to 100, but train 90 + validation 5 + test 0 = 95",
        ),
        (
            with_split(110.0, -10.0, 0.0),
            "recipe: split percentages must be zero or more, found train 110, validation -10, test 0",
        ),
    ];
    for (recipe, expected) in cases {
        assert_eq!(
            check(&recipe, directory.path()).unwrap_err().to_string(),
            expected
        );
        assert_eq!(failure(directory.path(), &recipe), expected);
    }
}

#[test]
fn a_file_that_is_not_a_tokenizer_is_named() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("rows.jsonl"), GOOD).unwrap();
    std::fs::write(directory.path().join("tokenizer.json"), "{\"version\": 1}").unwrap();
    let mut recipe = recipe(&["rows.jsonl"], vec![]);
    recipe.tokenizer = Some("tokenizer.json".into());
    let message = failure(directory.path(), &recipe);
    assert!(
        message.starts_with("tokenizer DIR/tokenizer.json: ")
            && message.ends_with("; give the path of a Hugging Face tokenizer.json"),
        "{message}"
    );
}

#[test]
fn files_larger_than_bedrock_accepts_are_reported() {
    let cases = [
        (Format::FineTuning, 1_000_000_000, None),
        (
            Format::FineTuning,
            1_000_000_001,
            Some(
                "train.jsonl: 1000000001 bytes, more than the 1000000000 bytes Bedrock accepts for fine-tuning training data",
            ),
        ),
        (
            Format::Chat,
            1_000_000_001,
            Some(
                "train.jsonl: 1000000001 bytes, more than the 1000000000 bytes Bedrock accepts for chat training data",
            ),
        ),
        (Format::ContinuedPreTraining, 1_000_000_001, None),
        (
            Format::ContinuedPreTraining,
            10_000_000_001,
            Some(
                "train.jsonl: 10000000001 bytes, more than the 10000000000 bytes Bedrock accepts for continued-pre-training training data",
            ),
        ),
    ];
    for (format, bytes, expected) in cases {
        let mut report = Report {
            records: 100,
            ..Report::default()
        };
        report.finish("train.jsonl", format, &ModelProfile::default(), bytes);
        let found: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert_eq!(found, expected.into_iter().collect::<Vec<_>>(), "{bytes}");
        if expected.is_some() {
            assert_eq!(report.summary(), "1 file too large");
        }
    }
}
