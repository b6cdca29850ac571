//! Token counting: Bedrock's estimate of 6 characters per token, or a real `tokenizer.json`.

use std::path::Path;

use crate::error::{DatasetError, Result};

/// Characters per token in Bedrock's own estimates.
pub const CHARACTERS_PER_TOKEN: u64 = 6;

#[derive(Clone)]
pub enum TokenCounter {
    Estimate,
    Tokenizer(Box<tokenizers::Tokenizer>),
}

impl std::fmt::Debug for TokenCounter {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenCounter::Estimate => formatter.write_str("TokenCounter::Estimate"),
            TokenCounter::Tokenizer(_) => formatter.write_str("TokenCounter::Tokenizer"),
        }
    }
}

impl TokenCounter {
    pub fn load(path: Option<&Path>) -> Result<TokenCounter> {
        let Some(path) = path else {
            return Ok(TokenCounter::Estimate);
        };
        let tokenizer =
            tokenizers::Tokenizer::from_file(path).map_err(|error| DatasetError::Tokenizer {
                path: path.to_path_buf(),
                message: format!("{error}; give the path of a Hugging Face tokenizer.json"),
            })?;
        Ok(TokenCounter::Tokenizer(Box::new(tokenizer)))
    }

    pub fn is_estimate(&self) -> bool {
        matches!(self, TokenCounter::Estimate)
    }

    /// Tokens in `text`; `characters` is its length in characters, already known to callers.
    pub fn count(&self, text: &str, characters: u64) -> u64 {
        match self {
            TokenCounter::Estimate => characters.div_ceil(CHARACTERS_PER_TOKEN),
            TokenCounter::Tokenizer(tokenizer) => tokenizer
                .encode_fast(text, false)
                .map(|encoding| encoding.len() as u64)
                // A text the tokenizer rejects still costs tokens: fall back to the estimate.
                .unwrap_or_else(|_| characters.div_ceil(CHARACTERS_PER_TOKEN)),
        }
    }

    /// The longest prefix of `text` with at most `tokens` tokens.
    pub fn truncate<'a>(&self, text: &'a str, tokens: u64) -> &'a str {
        match self {
            TokenCounter::Estimate => {
                prefix_chars(text, tokens.saturating_mul(CHARACTERS_PER_TOKEN))
            }
            // `encode_fast` skips offsets, which truncation needs.
            TokenCounter::Tokenizer(tokenizer) => match tokenizer.encode(text, false) {
                Ok(encoding) if encoding.len() as u64 > tokens => {
                    let end = encoding.get_offsets()[tokens as usize].0;
                    let mut end = end.min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    &text[..end]
                }
                Ok(_) => text,
                Err(_) => prefix_chars(text, tokens.saturating_mul(CHARACTERS_PER_TOKEN)),
            },
        }
    }
}

/// The first `characters` characters of `text`.
pub fn prefix_chars(text: &str, characters: u64) -> &str {
    match text.char_indices().nth(characters as usize) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}
