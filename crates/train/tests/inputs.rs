//! Bad input is refused with a message saying what, where and the allowed range.

mod common;

use lathe_train::data::{Encoding, Objective, Record, make_batch, pack, read_records};
use lathe_train::hyperparameters::{Hyperparameters, Table};
use lathe_train::testing::{TinyModelOptions, raw_hyperparameters, write_tiny_model};

fn resolve(table: Table, pairs: &[(&str, &str)]) -> Result<Hyperparameters, String> {
    Hyperparameters::resolve(&raw_hyperparameters(pairs), &table).map_err(|error| error.to_string())
}

/// A table, the values given, and a fragment of the expected refusal (None: accepted).
type Case = (
    Table,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
);

#[test]
fn hyperparameters_are_checked_against_their_table() {
    let cases: &[Case] = &[
        (
            Table::Lathe,
            &[("epochCount", "3"), ("learningRate", "0.001")],
            None,
        ),
        (
            Table::Lathe,
            &[("epochCount", "0")],
            Some(
                "hyperparameter `epochCount`: `0` is not allowed; expected an integer from 1 to 100",
            ),
        ),
        (
            Table::Lathe,
            &[("learningRate", "2")],
            Some("expected a number from 0.0000001 to 1"),
        ),
        (
            Table::Lathe,
            &[("batchSize", "eight")],
            Some("`eight` is not allowed; expected an integer from 1 to 256"),
        ),
        (
            Table::Lathe,
            &[("epochs", "3")],
            Some("hyperparameter `epochs`: unknown hyperparameter; allowed here: epochCount"),
        ),
        (
            Table::Lathe,
            &[("learningRateScheduler", "step")],
            Some("expected one of linear, cosine, constant"),
        ),
        (
            Table::Lathe,
            &[("loraTargetModules", "q_proj,embed")],
            Some("a comma-separated list of q_proj"),
        ),
        (
            Table::Bedrock("meta.llama3-1-8b-instruct-v1:0".into()),
            &[("batchSize", "2")],
            Some("expected an integer from 1 to 1"),
        ),
        (
            Table::Bedrock("meta.llama3-1-8b-instruct-v1:0".into()),
            &[("loraRank", "8")],
            Some("unknown hyperparameter; allowed here: epochCount, batchSize, learningRate"),
        ),
        (
            Table::Bedrock("cohere.command-light-text-v14".into()),
            &[("evalPercentage", "4")],
            Some("expected a number from 5 to 50"),
        ),
        (
            Table::Bedrock("amazon.titan-text-lite-v1".into()),
            &[("learningRateWarmupSteps", "250")],
            None,
        ),
        (
            Table::Bedrock("anthropic.claude".into()),
            &[],
            Some("no Bedrock hyperparameter table"),
        ),
    ];
    for (table, pairs, expected) in cases {
        let result = resolve(table.clone(), pairs);
        match (expected, result) {
            (None, Ok(_)) => {}
            (Some(fragment), Err(message)) => assert!(
                message.contains(fragment),
                "{pairs:?}: `{message}` lacks `{fragment}`"
            ),
            (expected, result) => panic!("{pairs:?}: expected {expected:?}, got {result:?}"),
        }
    }
}

#[test]
fn bedrock_defaults_apply_for_a_bedrock_stand_in() {
    let hyperparameters =
        resolve(Table::Bedrock("cohere.command-light-text-v14".into()), &[]).unwrap();
    assert_eq!(hyperparameters.batch_size, 8);
    assert_eq!(hyperparameters.early_stopping_patience, 6);
    assert_eq!(hyperparameters.eval_percentage, 20.0);
}

#[test]
fn bad_records_name_file_and_line() {
    let folder = tempfile::tempdir().unwrap();
    let cases: &[(&str, Objective, &str)] = &[
        (
            "{\"prompt\":\"a\",\"completion\":\"b\"}\n{\"prompt\":\"a\"}\n",
            Objective::FineTuning,
            ":2: a record needs exactly",
        ),
        (
            "{\"prompt\":\"a\",\"completion\":\"b\"}\nnot json\n",
            Objective::FineTuning,
            ":2: expected ident at line 1 column 2",
        ),
        (
            "{\"input\":\"text\"}\n",
            Objective::FineTuning,
            ":1: fine-tuning takes",
        ),
        (
            "{\"prompt\":\"a\",\"completion\":\"b\"}\n",
            Objective::ContinuedPreTraining,
            ":1: continued pre-training takes",
        ),
        (
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n",
            Objective::FineTuning,
            ":1: a chat record needs at least one assistant",
        ),
        (
            "{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"x\"}]}\n",
            Objective::FineTuning,
            "role `robot`",
        ),
        ("\n\n", Objective::FineTuning, "holds no records"),
    ];
    for (index, (text, objective, fragment)) in cases.iter().enumerate() {
        let path = folder.path().join(format!("case{index}.jsonl"));
        std::fs::write(&path, text).unwrap();
        let message = read_records(&path, *objective).unwrap_err().to_string();
        assert!(
            message.contains(fragment),
            "case {index}: `{message}` lacks `{fragment}`"
        );
        if message.contains(':') && fragment.starts_with(':') {
            assert!(message.starts_with(&path.display().to_string()));
        }
    }
}

#[test]
fn completion_loss_covers_completion_and_eos_only() {
    let folder = tempfile::tempdir().unwrap();
    write_tiny_model(&folder.path().join("m"), &TinyModelOptions::default()).unwrap();
    let base =
        lathe_train::BaseModel::load(&folder.path().join("m"), &candle_core::Device::Cpu).unwrap();
    let encoding = Encoding {
        tokenizer: &base.tokenizer,
        chat_template: None,
        max_sequence_length: 12,
    };
    let record = Record::Completion {
        prompt: "the cat sees a book".into(),
        completion: " the cat".into(),
    };
    let example = encoding.encode(&record).unwrap();
    let prompt_length = base
        .tokenizer
        .encode("the cat sees a book", true)
        .unwrap()
        .len();
    assert!(example.targets[..prompt_length].iter().all(|t| !t));
    assert!(example.targets[prompt_length..].iter().all(|t| *t));
    assert_eq!(
        *example.tokens.last().unwrap(),
        base.tokenizer.eos_token_id()
    );

    let long = Record::Pretraining {
        input: "the cat sees a book on day 3. ".repeat(10),
    };
    let set = encoding.encode_all(&[record.clone(), long]).unwrap();
    assert_eq!(set.truncated, 1);
    assert!(set.examples.iter().all(|e| e.tokens.len() <= 12));
}

#[test]
fn packing_keeps_examples_apart() {
    let example = |tokens: Vec<u32>| lathe_train::data::Example {
        targets: vec![true; tokens.len()],
        tokens,
    };
    let rows = pack(
        &[
            example(vec![1, 2, 3]),
            example(vec![4, 5]),
            example(vec![6, 7, 8, 9]),
        ],
        6,
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].tokens, vec![1, 2, 3, 4, 5]);
    assert_eq!(rows[0].segments.as_deref(), Some(&[0, 0, 0, 1, 1][..]));
    let refs: Vec<_> = rows.iter().collect();
    let batch = make_batch(&refs, 0, &candle_core::Device::Cpu).unwrap();
    // Predictions never cross an example boundary: 2 + 1 in row 0, 3 in row 1.
    assert_eq!(batch.target_count, 6);
    let positions = batch.positions.unwrap().to_vec2::<u32>().unwrap();
    assert_eq!(positions[0], vec![0, 1, 2, 0, 1]);
}

#[test]
fn chat_records_train_on_assistant_turns_only() {
    use lathe_train::chat::{ChatMessage, ChatTemplate};
    // ChatML, as SmolLM2 and Qwen write it.
    let source = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    let template = ChatTemplate::new(source.into(), String::new(), "<|im_end|>".into()).unwrap();
    let message = |role: &str, content: &str| ChatMessage {
        role: role.into(),
        content: content.into(),
    };
    let conversation = [
        message("system", "Be brief."),
        message("user", "Hi"),
        message("assistant", "Hello!"),
        message("user", "Bye"),
        message("assistant", "Bye!"),
    ];
    let segments = template.segments(&conversation).unwrap();
    let trained: Vec<&str> = segments
        .iter()
        .filter(|(_, t)| *t)
        .map(|(s, _)| s.as_str())
        .collect();
    assert_eq!(trained, vec!["Hello!<|im_end|>\n", "Bye!<|im_end|>\n"]);
    let all: String = segments.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(all, template.render(&conversation, false).unwrap());

    let broken = ChatTemplate::new(
        "{% for m in messages %}{{ m.content".into(),
        String::new(),
        String::new(),
    );
    assert!(
        broken
            .unwrap_err()
            .to_string()
            .contains("chat template does not compile")
    );
    let raising = ChatTemplate::new(
        "{{ raise_exception('roles must alternate') }}".into(),
        String::new(),
        String::new(),
    );
    assert!(
        raising
            .unwrap_err()
            .to_string()
            .contains("roles must alternate")
    );
}
