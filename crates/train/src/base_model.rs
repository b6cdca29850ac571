//! A base model to train from: a Hugging Face folder or a GGUF file, with its tokenizer.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{Device, Tensor};
use serde_json::Value;

use crate::chat::ChatTemplate;
use crate::config::ModelConfig;
use crate::error::{Result, TrainError, io_error, json_error};
use crate::tokenizer::TextTokenizer;
use crate::{gguf, weights};

#[derive(Debug)]
pub struct BaseModel {
    pub config: ModelConfig,
    pub tensors: HashMap<String, Tensor>,
    pub tokenizer: TextTokenizer,
    pub chat_template: Option<ChatTemplate>,
    /// Where the model came from, for messages.
    pub description: String,
}

/// A special token in tokenizer_config.json: a plain string or `{"content": ...}`.
fn token_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Object(object)) => object
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

impl BaseModel {
    /// Loads `location`: a `.gguf` file or a Hugging Face model folder.
    pub fn load(location: &Path, device: &Device) -> Result<Self> {
        if location
            .extension()
            .is_some_and(|extension| extension == "gguf")
        {
            return gguf::load(location, device);
        }
        if !location.is_dir() {
            return Err(TrainError::ModelConfig {
                path: location.to_path_buf(),
                message: "not a model folder (config.json, *.safetensors, tokenizer.json) nor a .gguf file".into(),
            });
        }
        Self::load_folder(location, device)
    }

    fn load_folder(folder: &Path, device: &Device) -> Result<Self> {
        let config = weights::load_config(folder)?;
        let tensors = weights::load_tensors(folder, device)?;
        let tokenizer =
            TextTokenizer::from_file(&folder.join("tokenizer.json"), &config.eos_token_ids())?;
        let tokenizer_config_path = folder.join("tokenizer_config.json");
        let chat_template = if tokenizer_config_path.exists() {
            let text = std::fs::read_to_string(&tokenizer_config_path)
                .map_err(io_error(&tokenizer_config_path))?;
            let tokenizer_config: Value =
                serde_json::from_str(&text).map_err(json_error(&tokenizer_config_path))?;
            match tokenizer_config
                .get("chat_template")
                .and_then(Value::as_str)
            {
                Some(source) => Some(ChatTemplate::new(
                    source.to_string(),
                    token_text(tokenizer_config.get("bos_token")),
                    token_text(tokenizer_config.get("eos_token")),
                )?),
                None => None,
            }
        } else {
            None
        };
        Ok(Self {
            config,
            tensors,
            tokenizer,
            chat_template,
            description: folder.display().to_string(),
        })
    }

    /// tokenizer_config.json contents for a saved folder, so the chat template travels along.
    pub fn tokenizer_config_json(&self) -> Option<String> {
        let template = self.chat_template.as_ref()?;
        let value = serde_json::json!({
            "chat_template": template.source(),
            "bos_token": template.bos_token(),
            "eos_token": template.eos_token(),
        });
        serde_json::to_string_pretty(&value).ok()
    }
}
