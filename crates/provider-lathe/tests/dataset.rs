//! The lathe_dataset resource through the provider interface the engine drives: the seed's
//! conversion planned, applied, re-planned with reasons, read back and destroyed.

use std::collections::BTreeMap;
use std::path::Path;

use lathe_config::value::Value;
use lathe_core::provider::{ApplyAction, ApplyRequest, PlanRequest, Progress, Provider};
use lathe_dataset::{OutputFormat, synth};
use lathe_hub::{Hub, HubConfig};
use lathe_provider_lathe::LatheProvider;

struct Silent;

impl Progress for Silent {
    fn message(&self, _text: &str) {}
}

/// Writes the DialogSum-shaped source every recipe here reads: `rows` rows made with `seed`.
fn write_source(directory: &Path, rows: u64, seed: u64) {
    synth::write_dialogsum(
        &directory.join("dialogsum.parquet"),
        rows,
        seed,
        OutputFormat::Parquet,
        None,
    )
    .unwrap();
}

fn provider(directory: &Path) -> LatheProvider {
    let hub = Hub::new(HubConfig {
        cache: directory.join("hf-cache"),
        endpoint: "http://127.0.0.1:9".into(),
        offline: true,
        token: None,
    });
    LatheProvider::new(directory, hub)
}

fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// The seed's script as a resource: drop id/topic, rename, sample 10 with seed.
fn seed_config(seed: i64) -> Value {
    object(&[
        ("source", Value::string("dialogsum.parquet")),
        (
            "drop_columns",
            Value::List(vec![Value::string("id"), Value::string("topic")]),
        ),
        (
            "rename_columns",
            object(&[
                ("dialogue", Value::string("prompt")),
                ("summary", Value::string("completion")),
            ]),
        ),
        (
            "sample",
            object(&[("n", Value::integer(10)), ("seed", Value::integer(seed))]),
        ),
        ("format", Value::string("fine-tuning")),
    ])
}

fn plan(
    provider: &LatheProvider,
    prior: Option<&Value>,
    config: &Value,
) -> lathe_core::provider::PlannedChange {
    provider
        .plan_resource(&PlanRequest {
            type_name: "lathe_dataset".into(),
            address: "lathe_dataset.dialogsum_v1".into(),
            prior: prior.cloned(),
            config: config.clone(),
            applying: false,
        })
        .unwrap()
}

fn apply(
    provider: &LatheProvider,
    action: ApplyAction,
    prior: Option<&Value>,
    planned: &Value,
    config: &Value,
) -> Value {
    provider
        .apply_resource(
            &ApplyRequest {
                type_name: "lathe_dataset".into(),
                address: "lathe_dataset.dialogsum_v1".into(),
                action,
                prior: prior.cloned(),
                planned: planned.clone(),
                config: config.clone(),
                dependents: Vec::new(),
            },
            &Silent,
        )
        .unwrap()
}

fn get<'a>(value: &'a Value, name: &str) -> &'a Value {
    value
        .as_object()
        .unwrap()
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn the_seed_conversion_as_a_resource() {
    let directory = tempfile::tempdir().unwrap();
    write_source(directory.path(), 200, 1);
    let provider = provider(directory.path());
    let config = seed_config(42);

    let created = plan(&provider, None, &config);
    let version = get(&created.planned, "version")
        .as_str()
        .unwrap()
        .to_string();
    assert!(version.starts_with("ds-"));
    assert_eq!(get(&created.planned, "rows"), &Value::Unknown);
    assert!(created.reasons.is_empty());

    let state = apply(
        &provider,
        ApplyAction::Create,
        None,
        &created.planned,
        &config,
    );
    assert_eq!(get(&state, "version").as_str(), Some(version.as_str()));
    assert_eq!(get(&state, "rows").as_f64(), Some(10.0));
    let path = get(&state, "path").as_str().unwrap();
    assert_eq!(path, format!(".lathe/datasets/{version}/data.jsonl"));
    let bytes = std::fs::read(directory.path().join(path)).unwrap();
    assert_eq!(bytes.iter().filter(|byte| **byte == b'\n').count(), 10);
    use sha2::Digest;
    assert_eq!(
        get(&state, "sha256").as_str().unwrap(),
        hex::encode(sha2::Sha256::digest(&bytes))
    );
    assert!(get(&state, "tokens").as_f64().unwrap() > 0.0);

    // Nothing changed: the plan keeps every attribute.
    let same = plan(&provider, Some(&state), &config);
    assert_eq!(same.planned, state);
    assert!(same.reasons.is_empty());

    // One transform changed: the reason names it, and the version moves.
    let reseeded = plan(&provider, Some(&state), &seed_config(7));
    assert_eq!(reseeded.reasons, ["sample.seed 42 → 7"]);
    assert_ne!(get(&reseeded.planned, "version"), get(&state, "version"));
    assert_eq!(get(&reseeded.planned, "sha256"), &Value::Unknown);

    // The source's content changed under the same name.
    write_source(directory.path(), 200, 2);
    let changed = plan(&provider, Some(&state), &config);
    assert_eq!(changed.reasons, ["source content changed"]);

    // Applying the new version, then reading: files present, so the state stands.
    let updated = apply(
        &provider,
        ApplyAction::Update,
        Some(&state),
        &changed.planned,
        &config,
    );
    assert_eq!(
        provider
            .read_resource("lathe_dataset", &updated)
            .unwrap()
            .as_ref(),
        Some(&updated)
    );
    assert_ne!(get(&updated, "sha256"), get(&state, "sha256"));

    // Output removed behind lathe's back: the resource reads as gone.
    let updated_dir = directory
        .path()
        .join(".lathe/datasets")
        .join(get(&updated, "version").as_str().unwrap());
    std::fs::remove_file(updated_dir.join("data.jsonl")).unwrap();
    assert_eq!(
        provider.read_resource("lathe_dataset", &updated).unwrap(),
        None
    );

    assert_eq!(
        apply(
            &provider,
            ApplyAction::Delete,
            Some(&updated),
            &Value::Null,
            &Value::Null
        ),
        Value::Null
    );
    assert!(!updated_dir.exists());
}

#[test]
fn splits_export_a_path_per_part() {
    let directory = tempfile::tempdir().unwrap();
    write_source(directory.path(), 100, 1);
    let provider = provider(directory.path());
    let mut config = seed_config(42);
    if let Value::Object(fields) = &mut config {
        fields.remove("sample");
        fields.insert(
            "splits".into(),
            object(&[
                ("train", Value::integer(80)),
                ("validation", Value::integer(20)),
                ("seed", Value::integer(3)),
            ]),
        );
    }
    let planned = plan(&provider, None, &config).planned;
    let state = apply(&provider, ApplyAction::Create, None, &planned, &config);
    let version = get(&state, "version").as_str().unwrap();
    assert_eq!(
        get(&state, "paths"),
        &object(&[
            (
                "train",
                Value::string(format!(".lathe/datasets/{version}/train.jsonl"))
            ),
            (
                "validation",
                Value::string(format!(".lathe/datasets/{version}/validation.jsonl"))
            ),
        ])
    );
    assert_eq!(
        get(&state, "rows_by_split"),
        &object(&[
            ("train", Value::integer(80)),
            ("validation", Value::integer(20))
        ])
    );
}

#[test]
fn configuration_mistakes_name_the_attribute() {
    let directory = tempfile::tempdir().unwrap();
    write_source(directory.path(), 20, 1);
    let provider = provider(directory.path());
    let with = |name: &str, value: Value| {
        let mut config = seed_config(42);
        if let Value::Object(fields) = &mut config {
            fields.insert(name.to_string(), value);
        }
        provider
            .plan_resource(&PlanRequest {
                type_name: "lathe_dataset".into(),
                address: "lathe_dataset.x".into(),
                prior: None,
                config,
                applying: false,
            })
            .unwrap_err()
    };
    let error = with("format", Value::string("sft"));
    assert_eq!(error.attribute.as_deref(), Some("format"));
    assert_eq!(
        error.message,
        "recipe: unknown format \"sft\"; use \"fine-tuning\", \"continued-pre-training\" or \"chat\""
    );
    let error = with(
        "sample",
        object(&[("n", Value::number(2.5)), ("seed", Value::integer(1))]),
    );
    assert_eq!(
        (error.attribute.as_deref(), error.message.as_str()),
        (
            Some("sample"),
            "sample.n must be a whole number of zero or more, found 2.5"
        )
    );
    let error = with(
        "splits",
        object(&[("train", Value::integer(90)), ("seed", Value::integer(1))]),
    );
    assert_eq!(error.attribute.as_deref(), Some("splits"));
    let error = with("source", Value::string("hf://datasets/org/missing"));
    assert_eq!(error.attribute.as_deref(), Some("source"));
    assert!(
        error.message.contains("is not in the Hugging Face cache"),
        "{}",
        error.message
    );
    let error = with(
        "drop_columns",
        Value::List(vec![Value::string("identifier")]),
    );
    assert_eq!(
        error.message,
        "step 1 (drop): column \"identifier\" does not exist (columns are [\"id\", \"dialogue\", \"summary\", \"topic\"])"
    );
}

/// Lays out `contents` as huggingface_hub caches a file: a blob, a snapshot link to it, and
/// the ref naming the snapshot's commit.
fn cache_file(
    cache: &Path,
    repository: &str,
    reference: &str,
    commit: &str,
    file: &str,
    contents: &[u8],
) {
    let repository = cache.join(repository);
    let etag = format!("etag-{}", file.replace('/', "-"));
    std::fs::create_dir_all(repository.join("blobs")).unwrap();
    std::fs::write(repository.join("blobs").join(&etag), contents).unwrap();
    let link = repository.join("snapshots").join(commit).join(file);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    let depth = file.split('/').count() + 1;
    std::os::unix::fs::symlink(format!("{}blobs/{etag}", "../".repeat(depth)), &link).unwrap();
    let reference = repository.join("refs").join(reference);
    std::fs::create_dir_all(reference.parent().unwrap()).unwrap();
    std::fs::write(reference, commit).unwrap();
}

/// The seed's block as the issue writes it, reading DialogSum's Parquet conversion from the
/// Hugging Face cache (offline, as on a machine that downloaded it before).
#[test]
fn the_seeds_block_reads_the_hub_dataset_from_the_cache() {
    let directory = tempfile::tempdir().unwrap();
    let parquet = directory.path().join("dialogsum.parquet");
    synth::write_dialogsum(&parquet, 12_460, 1, OutputFormat::Parquet, None).unwrap();
    cache_file(
        &directory.path().join("hf-cache"),
        "datasets--knkarthick--dialogsum",
        "refs/convert/parquet",
        "fedcba9876543210fedcba9876543210fedcba98",
        "default/train/0000.parquet",
        &std::fs::read(&parquet).unwrap(),
    );
    std::fs::remove_file(&parquet).unwrap();
    let provider = provider(directory.path());
    let mut config = seed_config(42);
    if let Value::Object(fields) = &mut config {
        fields.insert(
            "source".into(),
            Value::string("hf://datasets/knkarthick/dialogsum"),
        );
        fields.insert("split".into(), Value::string("train"));
        fields.insert(
            "sample".into(),
            object(&[("n", Value::integer(10_000)), ("seed", Value::integer(42))]),
        );
    }
    let planned = plan(&provider, None, &config).planned;
    let state = apply(&provider, ApplyAction::Create, None, &planned, &config);
    assert_eq!(get(&state, "rows").as_f64(), Some(10_000.0));
    assert_eq!(get(&state, "version"), get(&planned, "version"));
    let output =
        std::fs::read_to_string(directory.path().join(get(&state, "path").as_str().unwrap()))
            .unwrap();
    let first: serde_json::Value = serde_json::from_str(output.lines().next().unwrap()).unwrap();
    assert_eq!(
        first.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["completion", "prompt"]
    );
    // The cache was read, not the network: the plan of the same block is unchanged.
    assert!(plan(&provider, Some(&state), &config).reasons.is_empty());
}

/// A word-level tokenizer in Hugging Face's tokenizer.json format: one token per known word.
const TOKENIZER: &str = r#"{
  "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
  "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null,
  "decoder": null,
  "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "hello": 1, "world": 2}, "unk_token": "[UNK]"}
}"#;

/// `tokenizer` naming a model counts with that model's tokenizer.json from the hub's cache.
#[test]
fn a_model_named_as_tokenizer_counts_the_tokens() {
    let directory = tempfile::tempdir().unwrap();
    cache_file(
        &directory.path().join("hf-cache"),
        "models--example--tiny-llama",
        "main",
        "0123456789abcdef0123456789abcdef01234567",
        "tokenizer.json",
        TOKENIZER.as_bytes(),
    );
    // 4 + 2 words for the tokenizer; 26 + 11 characters, so 5 + 2 tokens by the estimate.
    std::fs::write(
        directory.path().join("rows.jsonl"),
        "{\"prompt\":\"hello  world  hello  world\",\"completion\":\"hello world\"}\n",
    )
    .unwrap();
    let provider = provider(directory.path());
    let config = |tokenizer: Option<&str>| {
        let mut pairs = vec![
            ("source", Value::string("rows.jsonl")),
            ("format", Value::string("fine-tuning")),
        ];
        if let Some(tokenizer) = tokenizer {
            pairs.push(("tokenizer", Value::string(tokenizer)));
        }
        object(&pairs)
    };
    let tokens = |config: &Value| {
        let planned = plan(&provider, None, config).planned;
        let state = apply(&provider, ApplyAction::Create, None, &planned, config);
        get(&state, "tokens").as_f64().unwrap()
    };
    assert_eq!(tokens(&config(Some("example/tiny-llama"))), 6.0);
    assert_eq!(tokens(&config(None)), 7.0);
    let error = provider
        .plan_resource(&PlanRequest {
            type_name: "lathe_dataset".into(),
            address: "lathe_dataset.x".into(),
            prior: None,
            config: config(Some("example/missing-model")),
            applying: false,
        })
        .unwrap_err();
    assert_eq!(error.attribute.as_deref(), Some("tokenizer"));
}
