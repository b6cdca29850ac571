//! Tiny random llama models with a BPE tokenizer trained on the spot, saved in Hugging Face
//! layout, for fast tests anywhere (feature `testing`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokenizers::models::TrainerWrapper;
use tokenizers::models::bpe::{BPE, BpeTrainer};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer};

use crate::config::ModelConfig;
use crate::data::Objective;
use crate::error::{Result, TrainError, io_error};
use crate::hyperparameters::RawValue;
use crate::spec::{MethodChoice, TrainingSpec};
use crate::weights::save_model_folder;

pub const END_OF_TEXT: &str = "<|endoftext|>";

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TinyModelOptions {
    pub seed: u64,
    pub tie_word_embeddings: bool,
    /// qwen2-style biases on q/k/v.
    pub attention_bias: bool,
    pub vocab_size: usize,
}

impl Default for TinyModelOptions {
    fn default() -> Self {
        Self {
            seed: 7,
            tie_word_embeddings: false,
            attention_bias: false,
            vocab_size: 384,
        }
    }
}

const SUBJECTS: [&str; 6] = [
    "the cat",
    "a dog",
    "my friend",
    "the teacher",
    "our team",
    "a bird",
];
const VERBS: [&str; 6] = ["sees", "likes", "finds", "helps", "calls", "follows"];
const OBJECTS: [&str; 6] = [
    "the ball",
    "a book",
    "the river",
    "some bread",
    "the city",
    "a song",
];

/// Deterministic English-like sentences to train the tokenizer and fill test data.
pub fn corpus() -> Vec<String> {
    let mut sentences = Vec::new();
    for (i, subject) in SUBJECTS.iter().enumerate() {
        for (j, verb) in VERBS.iter().enumerate() {
            let object = OBJECTS[(i + j) % OBJECTS.len()];
            sentences.push(format!("{subject} {verb} {object} on day {}.", i * 6 + j));
        }
    }
    sentences
}

/// Prompt/completion records with a learnable rule: the completion repeats the subject.
pub fn completion_records(count: usize) -> Vec<String> {
    (0..count)
        .map(|index| {
            let subject = SUBJECTS[index % SUBJECTS.len()];
            let verb = VERBS[(index / SUBJECTS.len()) % VERBS.len()];
            let object = OBJECTS[(index * 5) % OBJECTS.len()];
            serde_json::json!({
                "prompt": format!("{subject} {verb} {object}. Who?"),
                "completion": format!(" {subject}."),
            })
            .to_string()
        })
        .collect()
}

pub fn train_tokenizer(vocab_size: usize) -> Result<Tokenizer> {
    let mut tokenizer = Tokenizer::new(BPE::default());
    tokenizer.with_pre_tokenizer(Some(ByteLevel::new(false, true, true)));
    tokenizer.with_decoder(Some(ByteLevel::default()));
    let mut trainer: TrainerWrapper = BpeTrainer::builder()
        .vocab_size(vocab_size)
        .min_frequency(1)
        .show_progress(false)
        .special_tokens(vec![AddedToken::from(END_OF_TEXT, true)])
        .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
        .build()
        .into();
    let sentences = corpus();
    tokenizer
        .train(&mut trainer, sentences.iter())
        .map_err(|error| TrainError::Tokenizer(format!("training the test tokenizer: {error}")))?;
    Ok(tokenizer)
}

pub fn tiny_config(options: &TinyModelOptions, vocab_size: usize, eos: u32) -> ModelConfig {
    ModelConfig {
        model_type: if options.attention_bias {
            "qwen2"
        } else {
            "llama"
        }
        .into(),
        architectures: vec![
            if options.attention_bias {
                "Qwen2ForCausalLM"
            } else {
                "LlamaForCausalLM"
            }
            .into(),
        ],
        vocab_size,
        hidden_size: 64,
        intermediate_size: 128,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        num_key_value_heads: Some(2),
        head_dim: None,
        rms_norm_eps: 1e-5,
        rope_theta: 10_000.0,
        rope_scaling: None,
        max_position_embeddings: 256,
        tie_word_embeddings: options.tie_word_embeddings,
        attention_bias: options.attention_bias,
        mlp_bias: false,
        bos_token_id: None,
        eos_token_id: Some(serde_json::Value::from(eos)),
        hidden_act: "silu".into(),
        torch_dtype: "float32".into(),
    }
}

/// Normal(0, std) samples by Box–Muller from our seeded generator.
fn normal(rng: &mut ChaCha8Rng, count: usize, std: f32) -> Vec<f32> {
    (0..count)
        .map(|_| {
            let u1: f32 = rng.random_range(f32::EPSILON..1.0);
            let u2: f32 = rng.random();
            std * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos()
        })
        .collect()
}

/// Random weights for `config`, in Hugging Face names.
pub fn random_tensors(config: &ModelConfig, seed: u64) -> Result<Vec<(String, Tensor)>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let device = Device::Cpu;
    let mut tensors = Vec::new();
    let mut matrix =
        |name: String, rows: usize, columns: usize, rng: &mut ChaCha8Rng| -> Result<()> {
            let values = normal(rng, rows * columns, 0.05);
            tensors.push((name, Tensor::from_vec(values, (rows, columns), &device)?));
            Ok(())
        };
    let hidden = config.hidden_size;
    let head_dim = config.head_dim();
    let query = config.num_attention_heads * head_dim;
    let key_value = config.num_key_value_heads() * head_dim;
    matrix(
        "model.embed_tokens.weight".into(),
        config.vocab_size,
        hidden,
        &mut rng,
    )?;
    let shapes = [
        ("self_attn.q_proj", query, hidden),
        ("self_attn.k_proj", key_value, hidden),
        ("self_attn.v_proj", key_value, hidden),
        ("self_attn.o_proj", hidden, query),
        ("mlp.gate_proj", config.intermediate_size, hidden),
        ("mlp.up_proj", config.intermediate_size, hidden),
        ("mlp.down_proj", hidden, config.intermediate_size),
    ];
    for layer in 0..config.num_hidden_layers {
        for (module, rows, columns) in shapes {
            matrix(
                format!("model.layers.{layer}.{module}.weight"),
                rows,
                columns,
                &mut rng,
            )?;
        }
    }
    if !config.tie_word_embeddings {
        matrix("lm_head.weight".into(), config.vocab_size, hidden, &mut rng)?;
    }
    let mut vector =
        |name: String, length: usize, center: f32, rng: &mut ChaCha8Rng| -> Result<()> {
            let values: Vec<f32> = normal(rng, length, 0.02)
                .into_iter()
                .map(|v| v + center)
                .collect();
            tensors.push((name, Tensor::from_vec(values, length, &device)?));
            Ok(())
        };
    for layer in 0..config.num_hidden_layers {
        vector(
            format!("model.layers.{layer}.input_layernorm.weight"),
            hidden,
            1.0,
            &mut rng,
        )?;
        vector(
            format!("model.layers.{layer}.post_attention_layernorm.weight"),
            hidden,
            1.0,
            &mut rng,
        )?;
        if config.attention_bias {
            vector(
                format!("model.layers.{layer}.self_attn.q_proj.bias"),
                query,
                0.0,
                &mut rng,
            )?;
            vector(
                format!("model.layers.{layer}.self_attn.k_proj.bias"),
                key_value,
                0.0,
                &mut rng,
            )?;
            vector(
                format!("model.layers.{layer}.self_attn.v_proj.bias"),
                key_value,
                0.0,
                &mut rng,
            )?;
        }
    }
    vector("model.norm.weight".into(), hidden, 1.0, &mut rng)?;
    Ok(tensors)
}

/// Writes a tiny model (2 layers, hidden 64) with its tokenizer into `folder`.
pub fn write_tiny_model(folder: &Path, options: &TinyModelOptions) -> Result<ModelConfig> {
    let tokenizer = train_tokenizer(options.vocab_size)?;
    let eos = tokenizer.token_to_id(END_OF_TEXT).ok_or_else(|| {
        TrainError::Tokenizer("the test tokenizer lost its end-of-text token".into())
    })?;
    let config = tiny_config(options, tokenizer.get_vocab_size(true), eos);
    let tensors = random_tensors(&config, options.seed)?;
    let json = tokenizer
        .to_string(true)
        .map_err(|error| TrainError::Tokenizer(error.to_string()))?;
    save_model_folder(folder, &config, &tensors, &json, &[])?;
    Ok(config)
}

/// Writes a tiny training project into `folder`: the tiny model in `base/` and `records`
/// prompt/completion records in `train.jsonl`.
pub fn write_tiny_project(folder: &Path, options: &TinyModelOptions, records: usize) -> Result<()> {
    write_tiny_model(&folder.join("base"), options)?;
    let data = folder.join("train.jsonl");
    std::fs::write(&data, completion_records(records).join("\n")).map_err(io_error(data))
}

/// Hyperparameters as a spec file gives them: names and values as text.
pub fn raw_hyperparameters(pairs: &[(&str, &str)]) -> BTreeMap<String, RawValue> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), RawValue::Text(value.to_string())))
        .collect()
}

/// A fine-tuning spec for a project [`write_tiny_project`] wrote in `folder`, trained with
/// `method` into `folder/output`; it starts afresh (no resume) on the default device.
pub fn tiny_project_spec(
    folder: &Path,
    method: MethodChoice,
    output: &str,
    hyperparameters: &[(&str, &str)],
) -> TrainingSpec {
    TrainingSpec {
        base_model: folder.join("base").display().to_string(),
        training_data: vec![folder.join("train.jsonl")],
        validation_data: Vec::new(),
        objective: Objective::FineTuning,
        method,
        hyperparameters: raw_hyperparameters(hyperparameters),
        hyperparameter_table: Default::default(),
        output_dir: folder.join(output),
        checkpoint_interval_steps: 0,
        resume: false,
        device: Default::default(),
    }
}

/// The same tensors as a map, for building a model in memory.
pub fn tensor_map(tensors: Vec<(String, Tensor)>) -> HashMap<String, Tensor> {
    tensors.into_iter().collect()
}
