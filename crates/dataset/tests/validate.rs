//! Every bad-input case of `lathe data validate`, with its exact message.

use lathe_dataset::{Format, ModelProfile, TokenCounter, validate_file};

fn problems(content: &[u8], format: Format, profile: &str) -> (Vec<String>, String) {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("train.jsonl");
    std::fs::write(&path, content).unwrap();
    let report = validate_file(
        &path,
        format,
        &ModelProfile::named(profile).unwrap(),
        &TokenCounter::Estimate,
    )
    .unwrap();
    (
        report.problems.iter().map(ToString::to_string).collect(),
        report.summary(),
    )
}

const GOOD: &str = "{\"prompt\":\"p\",\"completion\":\"c\"}\n";

#[test]
fn fine_tuning_problems_name_file_line_and_field() {
    let long = "x".repeat(6 * 4096 + 1);
    let cases: Vec<(String, Vec<&str>)> = vec![
        (GOOD.repeat(3), vec![]),
        (
            format!("{GOOD}{{\"prompt\":\"p\",\"completion\":\"\"}}\n"),
            vec!["train.jsonl:2: \"completion\" is empty"],
        ),
        (
            format!("{GOOD}{{\"prompt\":\"p\",\"completion\":\" \\n \"}}\n"),
            vec!["train.jsonl:2: \"completion\" is empty"],
        ),
        (
            "{\"prompt\":\"p\"}\n".to_string(),
            vec!["train.jsonl:1: \"completion\" is missing"],
        ),
        (
            "{\"prompt\":1,\"completion\":\"c\"}\n".to_string(),
            vec!["train.jsonl:1: \"prompt\" must be a string, found a number"],
        ),
        (
            "{\"prompt\":null,\"completion\":[\"c\"]}\n".to_string(),
            vec![
                "train.jsonl:1: \"prompt\" must be a string, found null",
                "train.jsonl:1: \"completion\" must be a string, found an array",
            ],
        ),
        (
            "{\"prompt\":\"p\",\"completion\":\"c\"\n".to_string(),
            vec!["train.jsonl:1: invalid JSON: EOF while parsing an object at line 1 column 30"],
        ),
        (
            "[\"p\",\"c\"]\n".to_string(),
            vec!["train.jsonl:1: expected a JSON object, found an array"],
        ),
        (
            format!("{GOOD}\n{GOOD}"),
            vec!["train.jsonl:2: blank line; every line must hold one JSON object"],
        ),
        (format!("{GOOD}\n\n"), vec![]),
        (
            "{\"prompt\":\"p\",\"completion\":\"c\",\"id\":3}\n".to_string(),
            vec![
                "train.jsonl:1: \"id\" is not a fine-tuning field (expected [\"prompt\", \"completion\"])",
            ],
        ),
        (
            format!("{{\"prompt\":\"{long}\",\"completion\":\"c\"}}\n"),
            vec![
                "train.jsonl:1: record has 4098 tokens (estimated at 6 characters per token), more than the 4096 allowed for input and output together",
            ],
        ),
    ];
    for (content, expected) in cases {
        let (found, _) = problems(content.as_bytes(), Format::FineTuning, "default");
        assert_eq!(found, expected, "{}", &content[..content.len().min(80)]);
    }
}

#[test]
fn invalid_utf8_is_reported_by_byte() {
    let (found, summary) = problems(
        b"{\"prompt\":\"p\xff\",\"completion\":\"c\"}\n",
        Format::FineTuning,
        "default",
    );
    assert_eq!(found, ["train.jsonl:1: invalid UTF-8 at byte 13"]);
    assert_eq!(summary, "1 invalid UTF-8");
}

#[test]
fn whole_file_rules_and_the_summary() {
    let content = format!("{GOOD}{{\"prompt\":\"\",\"completion\":\"\"}}\nnot json\n");
    let (found, summary) = problems(content.as_bytes(), Format::FineTuning, "cohere");
    assert_eq!(
        found,
        [
            "train.jsonl:2: \"prompt\" is empty",
            "train.jsonl:2: \"completion\" is empty",
            "train.jsonl:3: invalid JSON: expected ident at line 1 column 2",
            "train.jsonl: 3 records, but the cohere profile needs at least 32",
        ]
    );
    assert_eq!(summary, "1 invalid JSON, 2 empty field, 1 too few records");
    let (found, _) = problems(GOOD.repeat(32).as_bytes(), Format::FineTuning, "cohere");
    assert!(found.is_empty());
    assert_eq!(
        ModelProfile::named("gpt").unwrap_err().to_string(),
        "recipe: unknown model profile \"gpt\"; the profiles are [\"default\", \"cohere\", \"titan\", \"llama\"]"
    );
}

#[test]
fn continued_pre_training_needs_input() {
    let cases: &[(&str, &[&str])] = &[
        ("{\"input\":\"Some text.\"}\n", &[]),
        ("{\"input\":\"\"}\n", &["train.jsonl:1: \"input\" is empty"]),
        (
            "{\"prompt\":\"x\"}\n",
            &[
                "train.jsonl:1: \"prompt\" is not a continued-pre-training field (expected [\"input\"])",
                "train.jsonl:1: \"input\" is missing",
            ],
        ),
    ];
    for (content, expected) in cases {
        let (found, _) = problems(content.as_bytes(), Format::ContinuedPreTraining, "default");
        assert_eq!(found, expected.to_vec(), "{content}");
    }
}

#[test]
fn chat_conversations_alternate_and_end_with_the_assistant() {
    let cases: &[(&str, &[&str])] = &[
        (
            "{\"system\":\"s\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
            &[],
        ),
        (
            "{\"messages\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
            &[],
        ),
        (
            "{\"system\":\"s\"}",
            &["train.jsonl:1: \"messages\" is missing"],
        ),
        (
            "{\"messages\":{}}",
            &["train.jsonl:1: \"messages\" must be an array, found an object"],
        ),
        (
            "{\"messages\":[]}",
            &["train.jsonl:1: \"messages\" is empty"],
        ),
        (
            "{\"messages\":[{\"role\":\"bot\",\"content\":\"q\"}]}",
            &[
                "train.jsonl:1: \"messages\"[0].\"role\" must be \"user\" or \"assistant\", found \"bot\"",
            ],
        ),
        (
            "{\"messages\":[{\"role\":\"assistant\",\"content\":\"a\"}]}",
            &[
                "train.jsonl:1: \"messages\"[0]: expected a message from \"user\", found one from \"assistant\"; turns must alternate, starting with \"user\"",
            ],
        ),
        (
            "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
            &["train.jsonl:1: the last message must be from \"assistant\" (the answer to learn)"],
        ),
        (
            "{\"messages\":[{\"role\":\"user\",\"content\":\"\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
            &["train.jsonl:1: \"messages\"[0].\"content\" is empty"],
        ),
        (
            "{\"messages\":[{\"role\":\"user\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
            &["train.jsonl:1: \"messages\"[0].\"content\" is missing"],
        ),
        (
            "{\"messages\":[\"hi\"]}",
            &["train.jsonl:1: \"messages\"[0] must be an object, found a string"],
        ),
        (
            "{\"system\":3,\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
            &["train.jsonl:1: \"system\" must be a string, found a number"],
        ),
    ];
    for (line, expected) in cases {
        let (found, _) = problems(format!("{line}\n").as_bytes(), Format::Chat, "default");
        assert_eq!(found, expected.to_vec(), "{line}");
    }
}
