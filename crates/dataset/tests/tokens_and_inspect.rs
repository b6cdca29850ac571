//! Token counts from a real tokenizer.json, and the preview/stats views of a file.

use std::path::Path;

use lathe_dataset::inspect::{preview, stats};
use lathe_dataset::{Format, ModelProfile, Recipe, RunOptions, Step, TokenCounter, run};

mod common;

/// A word-level tokenizer in Hugging Face's tokenizer.json format.
const TOKENIZER: &str = r#"{
  "version": "1.0",
  "truncation": null,
  "padding": null,
  "added_tokens": [],
  "normalizer": null,
  "pre_tokenizer": {"type": "Whitespace"},
  "post_processor": null,
  "decoder": null,
  "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "hello": 1, "world": 2}, "unk_token": "[UNK]"}
}"#;

fn write(directory: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = directory.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_tokenizer_json_counts_and_truncates_by_tokens() {
    let directory = tempfile::tempdir().unwrap();
    let path = write(directory.path(), "tokenizer.json", TOKENIZER);
    let counter = TokenCounter::load(Some(&path)).unwrap();
    assert!(!counter.is_estimate());
    assert_eq!(counter.count("hello world foo bar", 19), 4);
    assert_eq!(counter.truncate("hello world foo bar", 2), "hello world ");
    assert_eq!(counter.truncate("hello", 2), "hello");
    let estimate = TokenCounter::Estimate;
    assert_eq!(estimate.count("hello world foo bar", 19), 4);
    assert_eq!(estimate.count("hello", 5), 1);
    assert_eq!(estimate.truncate("hello world", 1), "hello ");

    let bad = write(directory.path(), "broken.json", "{\"model\": 3}");
    let error = TokenCounter::load(Some(&bad)).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("tokenizer {}: ", bad.display())),
        "{error}"
    );
    assert!(
        error.ends_with("; give the path of a Hugging Face tokenizer.json"),
        "{error}"
    );
}

#[test]
fn recipes_count_with_their_tokenizer() {
    let directory = tempfile::tempdir().unwrap();
    write(directory.path(), "tokenizer.json", TOKENIZER);
    write(
        directory.path(),
        "rows.jsonl",
        "{\"prompt\":\"hello hello hello\",\"completion\":\"world\"}\n{\"prompt\":\"x\",\"completion\":\"y\"}\n",
    );
    let recipe = |tokenizer: Option<&str>, steps: Vec<Step>| Recipe {
        tokenizer: tokenizer.map(Into::into),
        ..common::recipe(&["rows.jsonl"], steps, Format::FineTuning)
    };
    let options = |name: &str| RunOptions {
        base_dir: directory.path().to_path_buf(),
        output_dir: directory.path().join(name),
        profile: ModelProfile::default(),
        progress: None,
    };
    let counted = run(&recipe(Some("tokenizer.json"), vec![]), &options("counted")).unwrap();
    assert_eq!(counted.tokens, 3 + 1 + 1 + 1);
    let estimated = run(&recipe(None, vec![]), &options("estimated")).unwrap();
    assert_eq!(estimated.tokens, 3 + 1 + 1 + 1);
    assert_eq!(estimated.characters, 17 + 5 + 1 + 1);
    let limited = vec![Step::Limit {
        columns: vec![],
        max_characters: None,
        max_tokens: Some(2),
        action: lathe_dataset::LimitAction::Truncate,
    }];
    let truncated = run(
        &recipe(Some("tokenizer.json"), limited),
        &options("truncated"),
    )
    .unwrap();
    assert_eq!(truncated.steps[0].truncated, 1);
    let text = std::fs::read_to_string(&truncated.files[0].path).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "{\"prompt\":\"hello \",\"completion\":\"world\"}"
    );
}

#[test]
fn preview_and_stats_read_any_source() {
    let directory = tempfile::tempdir().unwrap();
    let path = write(
        directory.path(),
        "rows.csv",
        "text,score\nab,1\nabcd,2\n,3\nabcdefghij,4\n",
    );
    let shown = preview(&path, 2).unwrap();
    assert_eq!(shown.columns, ["text", "score"]);
    assert_eq!(shown.rows, [["ab", "1"], ["abcd", "2"]]);
    let described = stats(&path, 3).unwrap();
    assert_eq!(described.rows, 4);
    let text = &described.columns[0];
    assert_eq!((text.values, text.nulls, text.min, text.max), (3, 1, 2, 10));
    assert_eq!(text.histogram, [(2, 5, 2), (5, 8, 0), (8, 11, 1)]);
    assert_eq!(
        stats(&path, 0).unwrap_err().to_string(),
        "recipe: a histogram needs at least one bucket"
    );
}
