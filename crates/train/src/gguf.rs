//! GGUF import: llama-architecture weights dequantized to f32 in Hugging Face names and layout,
//! and the tokenizer rebuilt from the file's metadata.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use candle_core::Device;
use candle_core::quantized::gguf_file::{Content, Value};
use candle_core::quantized::tokenizer::TokenizerFromGguf;
use tokenizers::Tokenizer;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;

use crate::base_model::BaseModel;
use crate::chat::ChatTemplate;
use crate::config::ModelConfig;
use crate::error::{Result, TrainError, io_error};
use crate::model::interleaved_to_half_split;
use crate::tokenizer::TextTokenizer;

struct Metadata<'a> {
    content: &'a Content,
    architecture: String,
}

impl Metadata<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.content
            .metadata
            .get(&format!("{}.{key}", self.architecture))
    }

    fn required_usize(&self, key: &str) -> std::result::Result<usize, String> {
        self.get(key)
            .and_then(|value| {
                value
                    .to_u64()
                    .ok()
                    .or_else(|| value.to_u32().ok().map(u64::from))
            })
            .map(|value| value as usize)
            .ok_or_else(|| format!("metadata `{}.{key}` is missing", self.architecture))
    }

    fn f64_or(&self, key: &str, default: f64) -> f64 {
        self.get(key)
            .and_then(|value| value.to_f32().ok())
            .map(f64::from)
            .unwrap_or(default)
    }
}

fn gguf_error(path: &Path, message: impl Into<String>) -> TrainError {
    TrainError::Gguf {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// The Hugging Face name of a GGUF llama tensor.
fn hugging_face_name(gguf_name: &str) -> Option<String> {
    let fixed = match gguf_name {
        "token_embd.weight" => Some("model.embed_tokens.weight"),
        "output_norm.weight" => Some("model.norm.weight"),
        "output.weight" => Some("lm_head.weight"),
        _ => None,
    };
    if let Some(name) = fixed {
        return Some(name.to_string());
    }
    let rest = gguf_name.strip_prefix("blk.")?;
    let (layer, rest) = rest.split_once('.')?;
    let (module, kind) = rest.rsplit_once('.')?;
    let module = match module {
        "attn_norm" => "input_layernorm",
        "ffn_norm" => "post_attention_layernorm",
        "attn_q" => "self_attn.q_proj",
        "attn_k" => "self_attn.k_proj",
        "attn_v" => "self_attn.v_proj",
        "attn_output" => "self_attn.o_proj",
        "ffn_gate" => "mlp.gate_proj",
        "ffn_up" => "mlp.up_proj",
        "ffn_down" => "mlp.down_proj",
        _ => return None,
    };
    Some(format!("model.layers.{layer}.{module}.{kind}"))
}

/// Loads a llama-architecture GGUF file as a trainable base model.
pub fn load(path: &Path, device: &Device) -> Result<BaseModel> {
    let mut file = File::open(path).map_err(io_error(path))?;
    let content = Content::read(&mut file)
        .map_err(|error| gguf_error(path, format!("not a readable GGUF file: {error}")))?;
    let architecture = content
        .metadata
        .get("general.architecture")
        .and_then(|value| value.to_string().ok())
        .cloned()
        .unwrap_or_default();
    if architecture != "llama" {
        return Err(gguf_error(
            path,
            format!(
                "architecture `{architecture}` is not supported; only llama-architecture GGUF files are"
            ),
        ));
    }
    let metadata = Metadata {
        content: &content,
        architecture,
    };
    let tokenizer = gguf_tokenizer(&content).map_err(|message| gguf_error(path, message))?;
    let config = gguf_config(&metadata, &content, tokenizer.get_vocab_size(true))
        .map_err(|message| gguf_error(path, message))?;
    let mut tensors = HashMap::new();
    for gguf_name in content.tensor_infos.keys() {
        let Some(name) = hugging_face_name(gguf_name) else {
            return Err(gguf_error(
                path,
                format!("tensor `{gguf_name}` has no llama counterpart"),
            ));
        };
        let quantized = content
            .tensor(&mut file, gguf_name, device)
            .map_err(|error| gguf_error(path, format!("tensor `{gguf_name}`: {error}")))?;
        let mut tensor = quantized.dequantize(device)?;
        if name.ends_with("self_attn.q_proj.weight") {
            tensor = interleaved_to_half_split(&tensor, config.num_attention_heads)?;
        } else if name.ends_with("self_attn.k_proj.weight") {
            tensor = interleaved_to_half_split(&tensor, config.num_key_value_heads())?;
        }
        tensors.insert(name, tensor);
    }
    let config = ModelConfig {
        tie_word_embeddings: !tensors.contains_key("lm_head.weight"),
        ..config
    };
    let eos_ids = config.eos_token_ids();
    let text_tokenizer = TextTokenizer::new(tokenizer, &eos_ids)?;
    let chat_template = match content
        .metadata
        .get("tokenizer.chat_template")
        .and_then(|v| v.to_string().ok())
    {
        Some(source) => {
            let token = |key: &str| {
                content
                    .metadata
                    .get(key)
                    .and_then(|v| v.to_u32().ok())
                    .and_then(|id| text_tokenizer.id_to_token(id))
                    .unwrap_or_default()
            };
            Some(ChatTemplate::new(
                source.clone(),
                token("tokenizer.ggml.bos_token_id"),
                token("tokenizer.ggml.eos_token_id"),
            )?)
        }
        None => None,
    };
    Ok(BaseModel {
        config,
        tensors,
        tokenizer: text_tokenizer,
        chat_template,
        description: path.display().to_string(),
    })
}

fn gguf_config(
    metadata: &Metadata<'_>,
    content: &Content,
    vocab_size: usize,
) -> std::result::Result<ModelConfig, String> {
    let heads = metadata.required_usize("attention.head_count")?;
    let hidden = metadata.required_usize("embedding_length")?;
    let key = |name: &str| content.metadata.get(name).and_then(|v| v.to_u32().ok());
    let config = ModelConfig {
        model_type: "llama".into(),
        architectures: vec!["LlamaForCausalLM".into()],
        vocab_size,
        hidden_size: hidden,
        intermediate_size: metadata.required_usize("feed_forward_length")?,
        num_hidden_layers: metadata.required_usize("block_count")?,
        num_attention_heads: heads,
        num_key_value_heads: Some(
            metadata
                .required_usize("attention.head_count_kv")
                .unwrap_or(heads),
        ),
        head_dim: metadata
            .required_usize("rope.dimension_count")
            .ok()
            .filter(|&d| d != hidden / heads),
        rms_norm_eps: metadata.f64_or("attention.layer_norm_rms_epsilon", 1e-5),
        rope_theta: metadata.f64_or("rope.freq_base", 10_000.0),
        rope_scaling: None,
        max_position_embeddings: metadata.required_usize("context_length").unwrap_or(2048),
        tie_word_embeddings: true,
        attention_bias: false,
        mlp_bias: false,
        bos_token_id: key("tokenizer.ggml.bos_token_id"),
        eos_token_id: key("tokenizer.ggml.eos_token_id").map(serde_json::Value::from),
        hidden_act: "silu".into(),
        torch_dtype: "float32".into(),
    };
    config.validate()?;
    Ok(config)
}

/// candle rebuilds the BPE tokenizer; SmolLM2's pre-tokenizer (`smollm`) is one candle does not
/// know, so it is set here as transformers defines it: digits split one by one, then byte-level.
fn gguf_tokenizer(content: &Content) -> std::result::Result<Tokenizer, String> {
    let mut tokenizer =
        Tokenizer::from_gguf(content).map_err(|error| format!("tokenizer metadata: {error}"))?;
    let pre = content
        .metadata
        .get("tokenizer.ggml.pre")
        .and_then(|v| v.to_string().ok())
        .cloned()
        .unwrap_or_default();
    if pre == "smollm" {
        let sequence = Sequence::new(vec![
            PreTokenizerWrapper::Digits(Digits::new(true)),
            PreTokenizerWrapper::ByteLevel(ByteLevel::new(false, true, true)),
        ]);
        tokenizer.with_pre_tokenizer(Some(PreTokenizerWrapper::Sequence(sequence)));
    }
    Ok(tokenizer)
}
