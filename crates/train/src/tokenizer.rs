//! The model's tokenizer with the special ids training needs.

use std::path::Path;

use tokenizers::Tokenizer;

use crate::error::{Result, TrainError};

#[derive(Debug, Clone)]
pub struct TextTokenizer {
    inner: Tokenizer,
    eos_token_id: u32,
    pad_token_id: u32,
}

/// End-of-sequence spellings, tried in order when config.json names no eos id.
const EOS_SPELLINGS: [&str; 4] = ["</s>", "<|endoftext|>", "<|end_of_text|>", "<|im_end|>"];

impl TextTokenizer {
    pub fn new(inner: Tokenizer, eos_ids: &[u32]) -> Result<Self> {
        let eos_token_id = eos_ids
            .first()
            .copied()
            .or_else(|| EOS_SPELLINGS.iter().find_map(|token| inner.token_to_id(token)))
            .ok_or_else(|| {
                TrainError::Tokenizer(
                    "no end-of-sequence token: set eos_token_id in config.json or add </s> to the vocabulary".into(),
                )
            })?;
        Ok(Self {
            inner,
            eos_token_id,
            // Padding is never attended to nor trained on, so any id works; eos is always valid.
            pad_token_id: eos_token_id,
        })
    }

    pub fn from_file(path: &Path, eos_ids: &[u32]) -> Result<Self> {
        let inner = Tokenizer::from_file(path)
            .map_err(|error| TrainError::Tokenizer(format!("{}: {error}", path.display())))?;
        Self::new(inner, eos_ids)
    }

    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<u32>> {
        let encoding = self
            .inner
            .encode(text, add_special_tokens)
            .map_err(|error| TrainError::Tokenizer(error.to_string()))?;
        Ok(encoding.get_ids().to_vec())
    }

    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.inner
            .decode(ids, true)
            .map_err(|error| TrainError::Tokenizer(error.to_string()))
    }

    pub fn eos_token_id(&self) -> u32 {
        self.eos_token_id
    }

    pub fn pad_token_id(&self) -> u32 {
        self.pad_token_id
    }

    pub fn id_to_token(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }

    pub fn to_json(&self) -> Result<String> {
        self.inner
            .to_string(true)
            .map_err(|error| TrainError::Tokenizer(error.to_string()))
    }

    pub fn inner(&self) -> &Tokenizer {
        &self.inner
    }
}
