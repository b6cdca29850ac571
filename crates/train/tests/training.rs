//! End-to-end training on the tiny model: loss falls, outputs have Bedrock's and PEFT's layout,
//! runs are deterministic, and every trainable tensor learns.

mod common;

use candle_core::Device;
use lathe_train::spec::MethodChoice;
use lathe_train::testing::TinyModelOptions;
use lathe_train::{Job, Method, train};

use common::{Fixture, model_bytes, run};

const QUICK: &[(&str, &str)] = &[
    ("epochCount", "4"),
    ("batchSize", "4"),
    ("learningRate", "0.003"),
    ("evalPercentage", "20"),
    ("seed", "3"),
];

#[test]
fn lora_training_lowers_loss_and_writes_peft_adapter() {
    let fixture = Fixture::new(&TinyModelOptions::default(), 40);
    let spec = fixture.spec(MethodChoice::Lora, "lora", QUICK);
    let summary = run(&spec);
    assert_eq!(summary.method, Method::Lora);
    assert_eq!(summary.validation_examples, 8);
    let first = summary.first_validation_loss.expect("validation ran");
    let best = summary.best_validation_loss.expect("best loss");
    assert!(
        best < first,
        "validation loss did not fall: {first} -> {best}"
    );

    let out = &spec.output_dir;
    let training_csv = std::fs::read_to_string(out.join("step_wise_training_metrics.csv")).unwrap();
    assert!(
        training_csv.starts_with(
            "step_number,epoch_number,training_loss,learning_rate,tokens_per_second\n"
        )
    );
    assert_eq!(training_csv.lines().count() as u64, summary.steps + 1);
    let validation_csv = std::fs::read_to_string(out.join("validation_metrics.csv")).unwrap();
    assert!(validation_csv.starts_with("step_number,epoch_number,validation_loss\n"));
    assert!(
        std::fs::read_to_string(out.join("loss_curve.svg"))
            .unwrap()
            .contains("<svg")
    );

    let adapter_config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("adapter/adapter_config.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(adapter_config["peft_type"], "LORA");
    assert_eq!(adapter_config["r"], 8);
    let adapter =
        candle_core::safetensors::load(out.join("adapter/adapter_model.safetensors"), &Device::Cpu)
            .unwrap();
    assert_eq!(
        adapter.len(),
        2 * 7 * 2,
        "A and B for 7 projections in 2 layers"
    );
    for layer in 0..2 {
        for module in [
            "self_attn.q_proj",
            "self_attn.k_proj",
            "self_attn.v_proj",
            "self_attn.o_proj",
            "mlp.gate_proj",
            "mlp.up_proj",
            "mlp.down_proj",
        ] {
            for part in ["lora_A", "lora_B"] {
                let name = format!("base_model.model.model.layers.{layer}.{module}.{part}.weight");
                assert!(adapter.contains_key(&name), "missing {name}");
            }
        }
    }
    let q_a = &adapter["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"];
    assert_eq!(q_a.dims(), &[8, 64]);

    // The merged model loads back and differs from the base.
    let merged = lathe_train::BaseModel::load(&out.join("model"), &Device::Cpu).unwrap();
    let base = lathe_train::BaseModel::load(&fixture.path().join("base"), &Device::Cpu).unwrap();
    let name = "model.layers.1.mlp.down_proj.weight";
    let difference = (&merged.tensors[name] - &base.tensors[name])
        .unwrap()
        .abs()
        .unwrap()
        .sum_all()
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!(difference > 0.0);
}

#[test]
fn full_fine_tuning_lowers_loss() {
    let fixture = Fixture::new(
        &TinyModelOptions {
            tie_word_embeddings: true,
            ..Default::default()
        },
        40,
    );
    let spec = fixture.spec(MethodChoice::Full, "full", QUICK);
    let summary = run(&spec);
    assert_eq!(summary.method, Method::Full);
    assert!(summary.adapter_dir.is_none());
    let first = summary.first_training_loss.unwrap();
    let last = summary.last_training_loss.unwrap();
    assert!(last < first * 0.8, "training loss {first} -> {last}");
    assert!(summary.best_validation_loss.unwrap() < summary.first_validation_loss.unwrap());
}

#[test]
fn same_seed_gives_bit_identical_weights() {
    let fixture = Fixture::new(&TinyModelOptions::default(), 24);
    let settings = &[
        ("epochCount", "2"),
        ("batchSize", "4"),
        ("loraDropout", "0.1"),
        ("seed", "11"),
    ];
    let first = fixture.spec(MethodChoice::Lora, "first", settings);
    let second = fixture.spec(MethodChoice::Lora, "second", settings);
    run(&first);
    run(&second);
    assert_eq!(
        model_bytes(&first.output_dir),
        model_bytes(&second.output_dir)
    );
    let other_seed = fixture.spec(
        MethodChoice::Lora,
        "third",
        &[
            ("epochCount", "2"),
            ("batchSize", "4"),
            ("loraDropout", "0.1"),
            ("seed", "12"),
        ],
    );
    run(&other_seed);
    assert_ne!(
        model_bytes(&first.output_dir),
        model_bytes(&other_seed.output_dir)
    );
}

#[test]
fn packing_and_gradient_accumulation_train() {
    let fixture = Fixture::new(
        &TinyModelOptions {
            attention_bias: true,
            ..Default::default()
        },
        32,
    );
    let spec = fixture.spec(
        MethodChoice::Full,
        "packed",
        &[
            ("epochCount", "3"),
            ("batchSize", "2"),
            ("gradientAccumulationSteps", "2"),
            ("packing", "true"),
            ("maxSequenceLength", "64"),
            ("learningRate", "0.003"),
            ("evalPercentage", "0"),
        ],
    );
    let summary = run(&spec);
    assert!(summary.last_training_loss.unwrap() < summary.first_training_loss.unwrap());
    assert_eq!(summary.validation_examples, 0);
}

#[test]
fn early_stopping_keeps_best_checkpoint() {
    let fixture = Fixture::new(&TinyModelOptions::default(), 30);
    // Demanding an improvement of a whole nat per evaluation makes every evaluation after the
    // first count against patience, so the stop point is known exactly.
    let spec = fixture.spec(
        MethodChoice::Full,
        "early",
        &[
            ("epochCount", "20"),
            ("batchSize", "8"),
            ("earlyStoppingPatience", "2"),
            ("earlyStoppingThreshold", "1"),
            ("evalIntervalSteps", "1"),
            ("evalPercentage", "20"),
        ],
    );
    let job = Job::from_spec(&spec, &Device::Cpu).unwrap();
    let mut events = Vec::new();
    let summary = train(&job, &mut |event| events.push(event.clone())).unwrap();
    assert!(
        summary.stopped_early,
        "expected early stop; events: {events:?}"
    );
    assert_eq!(summary.steps, 2);
    assert_eq!(
        summary.best_step,
        Some(0),
        "the base model itself stays best"
    );
    // The result is the best checkpoint's weights, not the last step's.
    let best = lathe_train::BaseModel::load(&spec.output_dir.join("model"), &Device::Cpu).unwrap();
    let store = lathe_train::checkpoint::CheckpointStore::new(spec.output_dir.join("checkpoints"));
    let saved = store
        .load(lathe_train::checkpoint::Slot::Best, &Device::Cpu)
        .unwrap()
        .unwrap();
    let name = "model.layers.0.mlp.up_proj.weight";
    let same = best.tensors[name]
        .eq(&saved.trainable[name])
        .unwrap()
        .min_all()
        .unwrap()
        .to_scalar::<u8>()
        .unwrap();
    assert_eq!(same, 1);
    assert!(
        events
            .iter()
            .any(|event| matches!(event, lathe_train::Event::StoppedEarly { .. }))
    );
}
