//! Hyperparameters under Bedrock's names, checked against lathe's table or a Bedrock model's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Result, TrainError};
use crate::model::LORA_TARGETS;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Integer,
    Float,
    Boolean,
    Choice(&'static [&'static str]),
    TargetList,
}

/// One row of a hyperparameter table: name, kind, allowed range and default.
#[derive(Debug, Clone, Copy)]
struct Entry {
    name: &'static str,
    kind: Kind,
    minimum: f64,
    maximum: f64,
    default: &'static str,
}

const fn entry(
    name: &'static str,
    kind: Kind,
    minimum: f64,
    maximum: f64,
    default: &'static str,
) -> Entry {
    Entry {
        name,
        kind,
        minimum,
        maximum,
        default,
    }
}

const SCHEDULERS: &[&str] = &["linear", "cosine", "constant"];

/// lathe's own table for local base models: as permissive as useful training allows.
const LATHE_TABLE: &[Entry] = &[
    entry("epochCount", Kind::Integer, 1.0, 100.0, "3"),
    entry("batchSize", Kind::Integer, 1.0, 256.0, "8"),
    entry("learningRate", Kind::Float, 1e-7, 1.0, "0.0001"),
    entry("learningRateWarmupSteps", Kind::Integer, 0.0, 10_000.0, "0"),
    entry("earlyStoppingPatience", Kind::Integer, 1.0, 100.0, "3"),
    entry("earlyStoppingThreshold", Kind::Float, 0.0, 1.0, "0"),
    entry("evalPercentage", Kind::Float, 0.0, 50.0, "10"),
    entry("gradientAccumulationSteps", Kind::Integer, 1.0, 1024.0, "1"),
    entry("weightDecay", Kind::Float, 0.0, 1.0, "0"),
    entry("maxGradNorm", Kind::Float, 0.0, 1000.0, "1"),
    entry(
        "learningRateScheduler",
        Kind::Choice(SCHEDULERS),
        0.0,
        0.0,
        "linear",
    ),
    entry("maxSteps", Kind::Integer, 0.0, 1e9, "0"),
    entry("seed", Kind::Integer, 0.0, 4_294_967_295.0, "42"),
    entry("loraRank", Kind::Integer, 1.0, 256.0, "8"),
    entry("loraAlpha", Kind::Float, 1.0, 1024.0, "16"),
    entry("loraDropout", Kind::Float, 0.0, 0.9, "0"),
    entry(
        "loraTargetModules",
        Kind::TargetList,
        0.0,
        0.0,
        "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
    ),
    entry("maxSequenceLength", Kind::Integer, 8.0, 32_768.0, "1024"),
    entry("packing", Kind::Boolean, 0.0, 0.0, "false"),
    entry("evalIntervalSteps", Kind::Integer, 0.0, 1e6, "0"),
];

/// Bedrock's published tables (REFERENCE.md); keys not listed there are refused for that model.
const COHERE_COMMAND_LIGHT: &[Entry] = &[
    entry("epochCount", Kind::Integer, 1.0, 100.0, "1"),
    entry("batchSize", Kind::Integer, 8.0, 32.0, "8"),
    entry("learningRate", Kind::Float, 5e-6, 0.1, "0.00001"),
    entry("earlyStoppingThreshold", Kind::Float, 0.0, 0.1, "0.01"),
    entry("earlyStoppingPatience", Kind::Integer, 1.0, 10.0, "6"),
    entry("evalPercentage", Kind::Float, 5.0, 50.0, "20"),
];

const TITAN_TEXT: &[Entry] = &[
    entry("epochCount", Kind::Integer, 1.0, 10.0, "5"),
    entry("batchSize", Kind::Integer, 1.0, 64.0, "1"),
    entry("learningRate", Kind::Float, 0.0, 1.0, "0.00001"),
    entry("learningRateWarmupSteps", Kind::Integer, 0.0, 250.0, "5"),
];

const LLAMA: &[Entry] = &[
    entry("epochCount", Kind::Integer, 1.0, 10.0, "5"),
    entry("batchSize", Kind::Integer, 1.0, 1.0, "1"),
    entry("learningRate", Kind::Float, 5e-6, 0.1, "0.0001"),
];

/// Which table governs a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    #[default]
    Lathe,
    /// The table of the Bedrock model this base model stands in for.
    Bedrock(String),
}

fn bedrock_table(model_id: &str) -> Option<&'static [Entry]> {
    if model_id.starts_with("cohere.command-light") {
        Some(COHERE_COMMAND_LIGHT)
    } else if model_id.starts_with("amazon.titan-text") {
        Some(TITAN_TEXT)
    } else if model_id.starts_with("meta.llama") {
        Some(LLAMA)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheduler {
    Linear,
    Cosine,
    Constant,
}

/// Checked hyperparameters with their meaning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hyperparameters {
    pub epoch_count: u64,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub warmup_steps: u64,
    pub early_stopping_patience: u64,
    pub early_stopping_threshold: f64,
    pub eval_percentage: f64,
    pub gradient_accumulation_steps: usize,
    pub weight_decay: f64,
    /// 0 turns clipping off.
    pub max_grad_norm: f64,
    pub scheduler: Scheduler,
    /// 0 means "as many as the epochs take".
    pub max_steps: u64,
    pub seed: u64,
    pub lora_rank: usize,
    pub lora_alpha: f64,
    pub lora_dropout: f32,
    pub lora_target_modules: Vec<String>,
    pub max_sequence_length: usize,
    pub packing: bool,
    /// 0 means "at the end of each epoch".
    pub eval_interval_steps: u64,
}

/// A hyperparameter value as given: Bedrock sends strings, JSON specs may use numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawValue {
    Text(String),
    Number(f64),
    Flag(bool),
}

impl RawValue {
    fn text(&self) -> String {
        match self {
            RawValue::Text(text) => text.trim().to_string(),
            RawValue::Number(number) => number.to_string(),
            RawValue::Flag(flag) => flag.to_string(),
        }
    }
}

fn describe(entry: &Entry) -> String {
    match entry.kind {
        Kind::Integer => format!("an integer from {} to {}", entry.minimum, entry.maximum),
        Kind::Float => format!("a number from {} to {}", entry.minimum, entry.maximum),
        Kind::Boolean => "true or false".into(),
        Kind::Choice(choices) => format!("one of {}", choices.join(", ")),
        Kind::TargetList => format!("a comma-separated list of {}", LORA_TARGETS.join(", ")),
    }
}

fn check(entry: &Entry, text: &str) -> std::result::Result<String, String> {
    let wrong = || format!("`{text}` is not allowed; expected {}", describe(entry));
    match entry.kind {
        Kind::Integer => {
            let value: f64 = text.parse::<i64>().map_err(|_| wrong())? as f64;
            if value < entry.minimum || value > entry.maximum {
                return Err(wrong());
            }
        }
        Kind::Float => {
            let value: f64 = text.parse().map_err(|_| wrong())?;
            if !value.is_finite() || value < entry.minimum || value > entry.maximum {
                return Err(wrong());
            }
        }
        Kind::Boolean => {
            text.parse::<bool>().map_err(|_| wrong())?;
        }
        Kind::Choice(choices) => {
            if !choices.contains(&text) {
                return Err(wrong());
            }
        }
        Kind::TargetList => {
            let targets: Vec<&str> = text.split(',').map(str::trim).collect();
            if targets.is_empty() || targets.iter().any(|target| !LORA_TARGETS.contains(target)) {
                return Err(wrong());
            }
        }
    }
    Ok(text.to_string())
}

impl Hyperparameters {
    /// Resolves given values against `table`, refusing unknown keys and out-of-range values.
    pub fn resolve(given: &BTreeMap<String, RawValue>, table: &Table) -> Result<Self> {
        let governing: &[Entry] = match table {
            Table::Lathe => LATHE_TABLE,
            Table::Bedrock(model_id) => bedrock_table(model_id).ok_or_else(|| TrainError::Hyperparameter {
                name: "table".into(),
                message: format!(
                    "no Bedrock hyperparameter table for `{model_id}`; known: cohere.command-light*, amazon.titan-text*, meta.llama*"
                ),
            })?,
        };
        let mut values: BTreeMap<&str, String> = LATHE_TABLE
            .iter()
            .map(|e| (e.name, e.default.to_string()))
            .collect();
        for entry in governing {
            values.insert(entry.name, entry.default.to_string());
        }
        for (name, raw) in given {
            let Some(entry) = governing.iter().find(|entry| entry.name == name) else {
                let known: Vec<&str> = governing.iter().map(|entry| entry.name).collect();
                return Err(TrainError::Hyperparameter {
                    name: name.clone(),
                    message: format!("unknown hyperparameter; allowed here: {}", known.join(", ")),
                });
            };
            let text = check(entry, &raw.text()).map_err(|message| TrainError::Hyperparameter {
                name: name.clone(),
                message,
            })?;
            values.insert(entry.name, text);
        }
        let text = |name: &str| values.get(name).cloned().unwrap_or_default();
        let integer = |name: &str| text(name).parse::<u64>().unwrap_or(0);
        let float = |name: &str| text(name).parse::<f64>().unwrap_or(0.0);
        Ok(Self {
            epoch_count: integer("epochCount"),
            batch_size: integer("batchSize") as usize,
            learning_rate: float("learningRate"),
            warmup_steps: integer("learningRateWarmupSteps"),
            early_stopping_patience: integer("earlyStoppingPatience"),
            early_stopping_threshold: float("earlyStoppingThreshold"),
            eval_percentage: float("evalPercentage"),
            gradient_accumulation_steps: integer("gradientAccumulationSteps") as usize,
            weight_decay: float("weightDecay"),
            max_grad_norm: float("maxGradNorm"),
            scheduler: match text("learningRateScheduler").as_str() {
                "cosine" => Scheduler::Cosine,
                "constant" => Scheduler::Constant,
                _ => Scheduler::Linear,
            },
            max_steps: integer("maxSteps"),
            seed: integer("seed"),
            lora_rank: integer("loraRank") as usize,
            lora_alpha: float("loraAlpha"),
            lora_dropout: float("loraDropout") as f32,
            lora_target_modules: text("loraTargetModules")
                .split(',')
                .map(|t| t.trim().to_string())
                .collect(),
            max_sequence_length: integer("maxSequenceLength") as usize,
            packing: text("packing") == "true",
            eval_interval_steps: integer("evalIntervalSteps"),
        })
    }
}
