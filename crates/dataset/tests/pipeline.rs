//! Recipes run end to end on real files: sources, transforms, formats, hashes and versions.

use std::path::{Path, PathBuf};

use lathe_dataset::{
    Format, HashCache, ModelProfile, OutputFormat, RunOptions, Split, Step, fingerprint, run, synth,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

mod common;
use common::{recipe, seed_steps};

fn options(directory: &Path, output: &str) -> RunOptions {
    RunOptions {
        base_dir: directory.to_path_buf(),
        output_dir: directory.join(output),
        profile: ModelProfile::default(),
        progress: None,
    }
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

fn synth_parquet(directory: &Path, rows: u64) -> PathBuf {
    let path = directory.join("dialogsum.parquet");
    synth::write_dialogsum(&path, rows, 3, OutputFormat::Parquet, None).unwrap();
    path
}

#[test]
fn the_seed_conversion_keeps_file_order_and_is_reproducible() {
    let directory = tempfile::tempdir().unwrap();
    synth_parquet(directory.path(), 3000);
    synth::write_dialogsum(
        &directory.path().join("dialogsum.jsonl"),
        3000,
        3,
        OutputFormat::Jsonl,
        None,
    )
    .unwrap();
    let source: Vec<Value> = lines(&directory.path().join("dialogsum.jsonl"));

    let first = run(
        &recipe(
            &["dialogsum.parquet"],
            seed_steps(1000, 42),
            Format::FineTuning,
        ),
        &options(directory.path(), "a"),
    )
    .unwrap();
    assert_eq!(first.rows, 1000);
    assert_eq!(first.files.len(), 1);
    let output = &first.files[0];
    assert_eq!(output.path, directory.path().join("a/data.jsonl"));
    assert_eq!(output.sha256, sha256_of(&output.path));
    assert_eq!(first.sha256, output.sha256);
    let records = lines(&output.path);
    assert_eq!(records.len(), 1000);
    // Every record is a source row, in the source's order.
    let mut last_index = None;
    for record in &records {
        let object = record.as_object().unwrap();
        assert_eq!(object.keys().collect::<Vec<_>>(), ["completion", "prompt"]);
        let index = source
            .iter()
            .position(|row| {
                row["dialogue"] == record["prompt"] && row["summary"] == record["completion"]
            })
            .unwrap();
        assert!(
            last_index.is_none_or(|last| index > last),
            "rows must keep file order"
        );
        last_index = Some(index);
    }
    let characters: u64 = records
        .iter()
        .map(|record| {
            record["prompt"].as_str().unwrap().chars().count() as u64
                + record["completion"].as_str().unwrap().chars().count() as u64
        })
        .sum();
    assert_eq!(first.characters, characters);
    assert!(first.tokens >= characters / 6 && first.tokens <= characters / 6 + 2000);

    let again = run(
        &recipe(
            &["dialogsum.parquet"],
            seed_steps(1000, 42),
            Format::FineTuning,
        ),
        &options(directory.path(), "b"),
    )
    .unwrap();
    assert_eq!(
        again.sha256, first.sha256,
        "same recipe, source and seed give the same bytes"
    );
    let other = run(
        &recipe(
            &["dialogsum.parquet"],
            seed_steps(1000, 7),
            Format::FineTuning,
        ),
        &options(directory.path(), "c"),
    )
    .unwrap();
    assert_ne!(other.sha256, first.sha256, "another seed picks other rows");
    assert_eq!(other.rows, 1000);
    // The JSONL source gives the same bytes as the Parquet one.
    let from_jsonl = run(
        &recipe(
            &["dialogsum.jsonl"],
            seed_steps(1000, 42),
            Format::FineTuning,
        ),
        &options(directory.path(), "d"),
    )
    .unwrap();
    assert_eq!(from_jsonl.sha256, first.sha256);
}

#[test]
fn output_bytes_are_pinned_across_machines() {
    let directory = tempfile::tempdir().unwrap();
    synth::write_dialogsum(
        &directory.path().join("in.jsonl"),
        200,
        11,
        OutputFormat::Jsonl,
        None,
    )
    .unwrap();
    assert_eq!(
        sha256_of(&directory.path().join("in.jsonl")),
        PINNED_SYNTH_SHA256
    );
    let outcome = run(
        &recipe(&["in.jsonl"], seed_steps(50, 42), Format::FineTuning),
        &options(directory.path(), "out"),
    )
    .unwrap();
    assert_eq!(outcome.sha256, PINNED_OUTPUT_SHA256);
}

const PINNED_SYNTH_SHA256: &str =
    "3e67f6023be65c34697de4be748aa610f9a97ee6828cccee5008c2b16e2ca4f2";
const PINNED_OUTPUT_SHA256: &str =
    "454f3f1aed2c2c061d6866072c524c37955bd001a869ff6f208983a3e41fc164";

const ROWS: &[(&str, &str, i64)] = &[
    ("Hello, world", "greeting", 1),
    ("Say \"hi\"", "quote", 2),
    ("Tab\there", "tab", 3),
    ("Hello, world", "greeting", 1),
    ("Ünïcödé ✓", "unicode", 5),
];

fn write_all_formats(directory: &Path) {
    let jsonl: String = ROWS
        .iter()
        .map(|(prompt, completion, score)| {
            format!(
                "{}\n",
                serde_json::json!({"prompt": prompt, "completion": completion, "score": score})
            )
        })
        .collect();
    std::fs::write(directory.join("rows.jsonl"), &jsonl).unwrap();
    let array: Vec<Value> = ROWS
        .iter()
        .map(|(p, c, s)| serde_json::json!({"prompt": p, "completion": c, "score": s}))
        .collect();
    std::fs::write(
        directory.join("rows.json"),
        serde_json::to_string_pretty(&array).unwrap(),
    )
    .unwrap();
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let csv: String = std::iter::once("prompt,completion,score\n".to_string())
        .chain(
            ROWS.iter()
                .map(|(p, c, s)| format!("{},{},{s}\n", quote(p), quote(c))),
        )
        .collect();
    std::fs::write(directory.join("rows.csv"), csv).unwrap();
    let tsv: String = std::iter::once("prompt\tcompletion\tscore\n".to_string())
        .chain(
            ROWS.iter()
                .map(|(p, c, s)| format!("{}\t{}\t{s}\n", quote(p), quote(c))),
        )
        .collect();
    std::fs::write(directory.join("rows.tsv"), tsv).unwrap();
}

#[test]
fn every_source_format_gives_the_same_output() {
    let directory = tempfile::tempdir().unwrap();
    write_all_formats(directory.path());
    let steps = || {
        vec![Step::Drop {
            columns: vec!["score".into()],
        }]
    };
    let reference = run(
        &recipe(&["rows.jsonl"], steps(), Format::FineTuning),
        &options(directory.path(), "jsonl"),
    )
    .unwrap();
    assert_eq!(reference.rows, 5);
    let records = lines(&reference.files[0].path);
    assert_eq!(records[1]["prompt"], "Say \"hi\"");
    assert_eq!(records[4]["prompt"], "Ünïcödé ✓");
    for file in ["rows.json", "rows.csv", "rows.tsv"] {
        let outcome = run(
            &recipe(&[file], steps(), Format::FineTuning),
            &options(directory.path(), &format!("out-{file}")),
        )
        .unwrap();
        assert_eq!(outcome.sha256, reference.sha256, "{file}");
    }
    // Parquet written by lathe itself from the JSONL rows, then read back.
    let mut to_parquet = recipe(&["rows.jsonl"], steps(), Format::FineTuning);
    to_parquet.output = OutputFormat::Parquet;
    let parquet = run(&to_parquet, &options(directory.path(), "parquet")).unwrap();
    assert_eq!(parquet.rows, 5);
    let from_parquet = run(
        &recipe(&["parquet/data.parquet"], vec![], Format::FineTuning),
        &options(directory.path(), "again"),
    )
    .unwrap();
    assert_eq!(from_parquet.sha256, reference.sha256);
}

#[test]
fn globs_read_files_in_sorted_order() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::create_dir(directory.path().join("parts")).unwrap();
    for (name, prompt) in [
        ("part-2.jsonl", "second"),
        ("part-1.jsonl", "first"),
        ("part-3.jsonl", "third"),
    ] {
        std::fs::write(
            directory.path().join("parts").join(name),
            format!("{{\"prompt\":\"{prompt}\",\"completion\":\"c\"}}\n"),
        )
        .unwrap();
    }
    let outcome = run(
        &recipe(&["parts/part-*.jsonl"], vec![], Format::FineTuning),
        &options(directory.path(), "out"),
    )
    .unwrap();
    let prompts: Vec<String> = lines(&outcome.files[0].path)
        .iter()
        .map(|record| record["prompt"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(prompts, ["first", "second", "third"]);
    let error = run(
        &recipe(&["parts/nothing-*.jsonl"], vec![], Format::FineTuning),
        &options(directory.path(), "none"),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "source pattern \"parts/nothing-*.jsonl\" matches no files; check the path (relative to the working directory) or the glob"
    );
}

#[test]
fn plain_text_becomes_continued_pre_training_records() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(
        directory.path().join("book.txt"),
        "First line.\n\nSecond paragraph,\nstill second.\n\n\nThird.\n",
    )
    .unwrap();
    let steps = || {
        vec![Step::Rename {
            columns: [("text".to_string(), "input".to_string())].into(),
        }]
    };
    let by_line = run(
        &recipe(&["book.txt"], steps(), Format::ContinuedPreTraining),
        &options(directory.path(), "line"),
    )
    .unwrap();
    assert_eq!(by_line.rows, 4);
    let mut paragraphs = recipe(&["book.txt"], steps(), Format::ContinuedPreTraining);
    paragraphs.source.text_unit = lathe_dataset::TextUnit::Paragraph;
    let by_paragraph = run(&paragraphs, &options(directory.path(), "paragraph")).unwrap();
    let records = lines(&by_paragraph.files[0].path);
    assert_eq!(
        records,
        vec![
            serde_json::json!({"input": "First line."}),
            serde_json::json!({"input": "Second paragraph,\nstill second."}),
            serde_json::json!({"input": "Third."}),
        ]
    );
    assert_eq!(
        std::fs::read_to_string(&by_paragraph.files[0].path)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
        "{\"input\":\"First line.\"}"
    );
}

#[test]
fn transforms_apply_in_order_and_are_counted() {
    let directory = tempfile::tempdir().unwrap();
    write_all_formats(directory.path());
    let steps = vec![
        Step::Deduplicate { columns: vec![] },
        Step::Filter {
            expression: "score >= 2".into(),
        },
        Step::Template {
            column: "prompt".into(),
            template: "Summarize:\n{{prompt}} ({{completion}})".into(),
        },
        Step::Select {
            columns: vec!["prompt".into(), "completion".into()],
        },
        Step::Limit {
            columns: vec!["prompt".into()],
            max_characters: Some(20),
            max_tokens: None,
            action: lathe_dataset::LimitAction::Truncate,
        },
    ];
    let outcome = run(
        &recipe(&["rows.jsonl"], steps, Format::FineTuning),
        &options(directory.path(), "out"),
    )
    .unwrap();
    let counts: Vec<(u64, u64, u64)> = outcome
        .steps
        .iter()
        .map(|step| (step.rows_in, step.rows_out, step.truncated))
        .collect();
    assert_eq!(
        counts,
        [(5, 4, 0), (4, 3, 0), (3, 3, 0), (3, 3, 0), (3, 3, 3)]
    );
    let records = lines(&outcome.files[0].path);
    assert_eq!(records[0]["prompt"], "Summarize:\nSay \"hi\" ");
    assert_eq!(records[1]["prompt"], "Summarize:\nTab\there ");
    assert_eq!(records[2]["prompt"], "Summarize:\nÜnïcödé ✓");
    assert_eq!(records[2]["prompt"].as_str().unwrap().chars().count(), 20);

    let dropping = vec![
        Step::Drop {
            columns: vec!["score".into()],
        },
        Step::Limit {
            columns: vec![],
            max_characters: None,
            max_tokens: Some(3),
            action: lathe_dataset::LimitAction::Drop,
        },
    ];
    let outcome = run(
        &recipe(&["rows.jsonl"], dropping, Format::FineTuning),
        &options(directory.path(), "drop"),
    )
    .unwrap();
    // "Hello, world" + "greeting" is 2 + 2 tokens at 6 characters per token: dropped, with its
    // duplicate and the Unicode row.
    assert_eq!(outcome.steps[1].rows_out, 2);
    assert_eq!(outcome.rows, 2);
}

#[test]
fn splits_are_exact_disjoint_and_seeded() {
    let directory = tempfile::tempdir().unwrap();
    synth_parquet(directory.path(), 1000);
    let mut split_recipe = recipe(
        &["dialogsum.parquet"],
        seed_steps(1000, 1),
        Format::FineTuning,
    );
    split_recipe.split = Some(Split {
        train: 80.0,
        validation: 10.0,
        test: 10.0,
        seed: 5,
    });
    let outcome = run(&split_recipe, &options(directory.path(), "split")).unwrap();
    let rows: Vec<(String, u64)> = outcome
        .files
        .iter()
        .map(|file| (file.part.clone(), file.rows))
        .collect();
    assert_eq!(
        rows,
        [
            ("train".to_string(), 800),
            ("validation".to_string(), 100),
            ("test".to_string(), 100)
        ]
    );
    let mut prompts: Vec<String> = outcome
        .files
        .iter()
        .flat_map(|file| lines(&file.path))
        .map(|record| {
            record["prompt"].as_str().unwrap().to_string() + record["completion"].as_str().unwrap()
        })
        .collect();
    prompts.sort();
    let before = prompts.len();
    prompts.dedup();
    assert_eq!(before, 1000);
    assert!(prompts.len() > 900, "synthetic rows are mostly distinct");
    split_recipe.split = Some(Split {
        train: 80.0,
        validation: 10.0,
        test: 10.0,
        seed: 6,
    });
    let other = run(&split_recipe, &options(directory.path(), "split-6")).unwrap();
    assert_ne!(other.files[1].sha256, outcome.files[1].sha256);
    assert_eq!(other.files[0].rows, 800);
    split_recipe.split = Some(Split {
        train: 80.0,
        validation: 30.0,
        test: 0.0,
        seed: 6,
    });
    let error = run(&split_recipe, &options(directory.path(), "bad")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "recipe: split percentages must add up to 100, but train 80 + validation 30 + test 0 = 110"
    );
}

#[test]
fn shuffle_is_a_seeded_permutation() {
    let directory = tempfile::tempdir().unwrap();
    synth_parquet(directory.path(), 500);
    let mut steps = seed_steps(500, 1);
    let ordered = run(
        &recipe(&["dialogsum.parquet"], steps.clone(), Format::FineTuning),
        &options(directory.path(), "ordered"),
    )
    .unwrap();
    steps.push(Step::Shuffle { seed: 9 });
    let shuffled = run(
        &recipe(&["dialogsum.parquet"], steps.clone(), Format::FineTuning),
        &options(directory.path(), "shuffled"),
    )
    .unwrap();
    let again = run(
        &recipe(&["dialogsum.parquet"], steps, Format::FineTuning),
        &options(directory.path(), "again"),
    )
    .unwrap();
    assert_eq!(shuffled.sha256, again.sha256);
    assert_ne!(shuffled.sha256, ordered.sha256);
    let mut a: Vec<String> = std::fs::read_to_string(&ordered.files[0].path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut b: Vec<String> = std::fs::read_to_string(&shuffled.files[0].path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_ne!(a, b);
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn the_version_follows_recipe_and_content() {
    let directory = tempfile::tempdir().unwrap();
    synth_parquet(directory.path(), 100);
    let base = recipe(
        &["dialogsum.parquet"],
        seed_steps(10, 42),
        Format::FineTuning,
    );
    // The project's cache is on disk throughout: content changes must still show.
    let cache = &mut HashCache::for_project(directory.path());
    let version = fingerprint(&base, directory.path(), cache).unwrap();
    assert!(version.version.starts_with("ds-") && version.version.len() == 19);
    assert_eq!(
        fingerprint(&base, directory.path(), cache).unwrap(),
        version
    );
    let reseeded = recipe(
        &["dialogsum.parquet"],
        seed_steps(10, 7),
        Format::FineTuning,
    );
    assert_ne!(
        fingerprint(&reseeded, directory.path(), cache)
            .unwrap()
            .version,
        version.version
    );
    std::fs::copy(
        directory.path().join("dialogsum.parquet"),
        directory.path().join("moved.parquet"),
    )
    .unwrap();
    let moved = recipe(&["moved.parquet"], seed_steps(10, 42), Format::FineTuning);
    assert_eq!(
        fingerprint(&moved, directory.path(), cache)
            .unwrap()
            .version,
        version.version,
        "moving a file is no change"
    );
    synth::write_dialogsum(
        &directory.path().join("moved.parquet"),
        100,
        4,
        OutputFormat::Parquet,
        None,
    )
    .unwrap();
    let changed = fingerprint(&moved, directory.path(), cache).unwrap();
    assert_ne!(changed.source_sha256, version.source_sha256);
    assert_eq!(changed.recipe_sha256, version.recipe_sha256);
    assert_ne!(changed.version, version.version);
}

#[test]
fn recipe_mistakes_are_explained() {
    let directory = tempfile::tempdir().unwrap();
    synth_parquet(directory.path(), 20);
    let cases: Vec<(Vec<Step>, &str)> = vec![
        (
            vec![],
            "the fine-tuning format needs column \"prompt\", but the data has [\"id\", \"dialogue\", \"summary\", \"topic\"]; rename or template a column to \"prompt\"",
        ),
        (
            vec![Step::Rename {
                columns: [
                    ("dialogue".to_string(), "prompt".to_string()),
                    ("summary".to_string(), "completion".to_string()),
                ]
                .into(),
            }],
            "the fine-tuning format writes only [\"prompt\", \"completion\"], but the data also has [\"id\", \"topic\"]; drop them with drop_columns or pick columns with select_columns",
        ),
        (
            vec![Step::Drop {
                columns: vec!["identifier".into()],
            }],
            "step 1 (drop): column \"identifier\" does not exist (columns are [\"id\", \"dialogue\", \"summary\", \"topic\"])",
        ),
        (
            vec![Step::Rename {
                columns: [("dialogue".to_string(), "summary".to_string())].into(),
            }],
            "step 1 (rename): two columns would be named \"summary\"; drop one first or rename to another name",
        ),
        (
            vec![Step::Sample {
                n: Some(1),
                fraction: Some(0.5),
                seed: 1,
            }],
            "step 1 (sample): give exactly one of `n` or `fraction`",
        ),
        (
            vec![Step::Sample {
                n: None,
                fraction: Some(1.5),
                seed: 1,
            }],
            "step 1 (sample): fraction must be between 0 and 1, found 1.5",
        ),
        (
            vec![Step::Template {
                column: "prompt".into(),
                template: "Say {{dialog}}".into(),
            }],
            "template at column 7: unknown column \"dialog\"; the columns are [\"id\", \"dialogue\", \"summary\", \"topic\"]",
        ),
        (
            vec![Step::Template {
                column: "prompt".into(),
                template: "Say {{dialogue".into(),
            }],
            "template at column 5: this `{{` is never closed; end the placeholder with `}}`",
        ),
    ];
    for (steps, expected) in cases {
        let error = run(
            &recipe(&["dialogsum.parquet"], steps.clone(), Format::FineTuning),
            &options(directory.path(), "out"),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string().lines().next().unwrap(),
            expected,
            "{steps:?}"
        );
        assert_eq!(
            lathe_dataset::check(
                &recipe(&["dialogsum.parquet"], steps, Format::FineTuning),
                directory.path()
            )
            .unwrap_err()
            .to_string()
            .lines()
            .next()
            .unwrap(),
            expected
        );
    }
    assert!(!directory.path().join("out").join("data.jsonl").exists());
}

#[test]
fn bad_records_fail_the_run_and_write_nothing() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(
        directory.path().join("rows.jsonl"),
        "{\"prompt\":\"a\",\"completion\":\"b\"}\n{\"prompt\":\"c\",\"completion\":\"  \"}\n{\"prompt\":null,\"completion\":\"d\"}\n",
    )
    .unwrap();
    let error = run(
        &recipe(&["rows.jsonl"], vec![], Format::FineTuning),
        &options(directory.path(), "out"),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the prepared data has 2 problem(s):\ndata.jsonl:2: \"completion\" is empty\ndata.jsonl:3: \"prompt\" is missing\nsummary: 1 missing field, 1 empty field"
    );
    let leftovers: Vec<_> = std::fs::read_dir(directory.path().join("out"))
        .unwrap()
        .collect();
    assert!(leftovers.is_empty(), "no partial files: {leftovers:?}");
}

#[test]
fn chat_records_follow_the_bedrock_conversation_schema() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(
        directory.path().join("rows.jsonl"),
        "{\"system\":\"Be brief.\",\"prompt\":\"Hi?\",\"completion\":\"Hello.\"}\n{\"system\":null,\"prompt\":\"Q\",\"completion\":\"A\"}\n",
    )
    .unwrap();
    let outcome = run(
        &recipe(&["rows.jsonl"], vec![], Format::Chat),
        &options(directory.path(), "jsonl"),
    )
    .unwrap();
    let text = std::fs::read_to_string(&outcome.files[0].path).unwrap();
    assert_eq!(
        text,
        "{\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi?\"},{\"role\":\"assistant\",\"content\":\"Hello.\"}]}\n\
         {\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},{\"role\":\"assistant\",\"content\":\"A\"}]}\n"
    );
    let report = lathe_dataset::validate_file(
        &outcome.files[0].path,
        Format::Chat,
        &ModelProfile::default(),
        &lathe_dataset::TokenCounter::Estimate,
    )
    .unwrap();
    assert!(report.is_valid(), "{}", report.render(10));
    let mut parquet = recipe(&["rows.jsonl"], vec![], Format::Chat);
    parquet.output = OutputFormat::Parquet;
    let outcome = run(&parquet, &options(directory.path(), "parquet")).unwrap();
    assert_eq!(outcome.rows, 2);
    assert_eq!(outcome.files[0].sha256, sha256_of(&outcome.files[0].path));
}

#[test]
fn openai_conversations_become_bedrock_conversations() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(
        directory.path().join("chats.jsonl"),
        "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi?\"},{\"role\":\"assistant\",\"content\":\"Hello.\"}]}\n\
         {\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},{\"role\":\"assistant\",\"content\":\"A\"}]}\n",
    )
    .unwrap();
    let outcome = run(
        &recipe(&["chats.jsonl"], vec![], Format::Chat),
        &options(directory.path(), "jsonl"),
    )
    .unwrap();
    let records = lines(&outcome.files[0].path);
    assert_eq!(
        records,
        vec![
            serde_json::json!({"system": "Be brief.", "messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}]}),
            serde_json::json!({"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}),
        ]
    );
    assert_eq!(outcome.characters, 9 + 3 + 6 + 1 + 1);
    let mut parquet = recipe(&["chats.jsonl"], vec![], Format::Chat);
    parquet.output = OutputFormat::Parquet;
    assert_eq!(
        run(&parquet, &options(directory.path(), "parquet"))
            .unwrap()
            .rows,
        2
    );

    std::fs::write(
        directory.path().join("bad.jsonl"),
        "{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},{\"role\":\"user\",\"content\":\"again\"}]}\n",
    )
    .unwrap();
    let error = run(
        &recipe(&["bad.jsonl"], vec![], Format::Chat),
        &options(directory.path(), "bad"),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the prepared data has 1 problem(s):\ndata.jsonl:1: \"messages\"[1]: expected a message from \"assistant\", found one from \"user\"; turns must alternate, starting with \"user\"\nsummary: 1 bad conversation"
    );
}
