//! The model architecture as Hugging Face's `config.json` describes it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Result, TrainError, io_error, json_error};

/// How the rotary frequencies are stretched for long contexts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RopeScaling {
    #[serde(alias = "type")]
    pub rope_type: String,
    pub factor: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_freq_factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high_freq_factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_max_position_embeddings: Option<usize>,
}

/// A llama-family decoder's shape. Field names follow `config.json` so the file round-trips.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    #[serde(default = "default_model_type")]
    pub model_type: String,
    #[serde(default = "default_architectures")]
    pub architectures: Vec<String>,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    #[serde(default)]
    pub num_key_value_heads: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_dim: Option<usize>,
    #[serde(default = "default_rms_norm_eps")]
    pub rms_norm_eps: f64,
    #[serde(default = "default_rope_theta")]
    pub rope_theta: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rope_scaling: Option<RopeScaling>,
    #[serde(default = "default_max_position_embeddings")]
    pub max_position_embeddings: usize,
    #[serde(default)]
    pub tie_word_embeddings: bool,
    /// Biases on q/k/v, as qwen2 has (llama calls it `attention_bias`).
    #[serde(default)]
    pub attention_bias: bool,
    #[serde(default)]
    pub mlp_bias: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bos_token_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eos_token_id: Option<serde_json::Value>,
    #[serde(default = "default_hidden_act")]
    pub hidden_act: String,
    #[serde(default = "default_torch_dtype")]
    pub torch_dtype: String,
}

fn default_model_type() -> String {
    "llama".into()
}
fn default_architectures() -> Vec<String> {
    vec!["LlamaForCausalLM".into()]
}
fn default_rms_norm_eps() -> f64 {
    1e-6
}
fn default_rope_theta() -> f64 {
    10_000.0
}
fn default_max_position_embeddings() -> usize {
    2048
}
fn default_hidden_act() -> String {
    "silu".into()
}
fn default_torch_dtype() -> String {
    "float32".into()
}

const SUPPORTED_MODEL_TYPES: [&str; 4] = ["llama", "mistral", "qwen2", "smollm"];

impl ModelConfig {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(io_error(path))?;
        let mut config: ModelConfig = serde_json::from_str(&text).map_err(json_error(path))?;
        // qwen2 configs never say `attention_bias`, yet every qwen2 checkpoint has q/k/v biases.
        if config.model_type == "qwen2" {
            config.attention_bias = true;
        }
        config
            .validate()
            .map_err(|message| TrainError::ModelConfig {
                path: path.to_path_buf(),
                message,
            })?;
        Ok(config)
    }

    /// Checks what the model code relies on, so a bad config fails at load, not mid-forward.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if !SUPPORTED_MODEL_TYPES.contains(&self.model_type.as_str()) {
            return Err(format!(
                "model_type `{}` is not supported; supported: {}",
                self.model_type,
                SUPPORTED_MODEL_TYPES.join(", ")
            ));
        }
        if self.hidden_act != "silu" {
            return Err(format!(
                "hidden_act `{}` is not supported; only `silu` is",
                self.hidden_act
            ));
        }
        if self.num_attention_heads == 0 || self.num_key_value_heads() == 0 {
            return Err("num_attention_heads and num_key_value_heads must be at least 1".into());
        }
        if !self
            .num_attention_heads
            .is_multiple_of(self.num_key_value_heads())
        {
            return Err(format!(
                "num_attention_heads ({}) must be a multiple of num_key_value_heads ({})",
                self.num_attention_heads,
                self.num_key_value_heads()
            ));
        }
        if self.head_dim().is_multiple_of(2) && self.head_dim() > 0 {
            Ok(())
        } else {
            Err(format!(
                "head dimension {} must be even and non-zero",
                self.head_dim()
            ))
        }?;
        if let Some(scaling) = &self.rope_scaling
            && !matches!(scaling.rope_type.as_str(), "llama3" | "linear" | "default")
        {
            return Err(format!(
                "rope_scaling type `{}` is not supported; supported: llama3, linear, default",
                scaling.rope_type
            ));
        }
        Ok(())
    }

    pub fn num_key_value_heads(&self) -> usize {
        self.num_key_value_heads.unwrap_or(self.num_attention_heads)
    }

    pub fn head_dim(&self) -> usize {
        self.head_dim
            .unwrap_or(self.hidden_size / self.num_attention_heads.max(1))
    }

    /// The end-of-sequence ids; config.json may hold one id or a list.
    pub fn eos_token_ids(&self) -> Vec<u32> {
        match &self.eos_token_id {
            Some(serde_json::Value::Number(n)) => {
                n.as_u64().map(|id| vec![id as u32]).unwrap_or_default()
            }
            Some(serde_json::Value::Array(ids)) => ids
                .iter()
                .filter_map(|id| id.as_u64().map(|id| id as u32))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Parameters in the model, counting tied embeddings once.
    pub fn parameter_count(&self) -> usize {
        let hidden = self.hidden_size;
        let head_dim = self.head_dim();
        let q = hidden * self.num_attention_heads * head_dim;
        let kv = 2 * hidden * self.num_key_value_heads() * head_dim;
        let o = self.num_attention_heads * head_dim * hidden;
        let mlp = 3 * hidden * self.intermediate_size;
        let layer = q + kv + o + mlp + 2 * hidden;
        let embeddings = self.vocab_size * hidden;
        let head = if self.tie_word_embeddings {
            0
        } else {
            embeddings
        };
        embeddings + head + self.num_hidden_layers * layer + hidden
    }
}
