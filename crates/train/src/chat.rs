//! Chat records rendered through the model's own Jinja chat template.

use minijinja::{Environment, Error as TemplateError, ErrorKind, Value, context};
use serde::{Deserialize, Serialize};

use crate::error::{Result, TrainError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

/// A Hugging Face `chat_template` with the special tokens it refers to.
#[derive(Debug, Clone)]
pub struct ChatTemplate {
    source: String,
    bos_token: String,
    eos_token: String,
}

fn message_values(messages: &[ChatMessage]) -> Value {
    let list: Vec<Value> = messages
        .iter()
        .map(|message| {
            Value::from_pairs([
                ("role", Value::from(message.role.as_str())),
                ("content", Value::from(message.content.as_str())),
            ])
        })
        .collect();
    Value::from(list)
}

fn raise_exception(message: String) -> std::result::Result<String, TemplateError> {
    Err(TemplateError::new(ErrorKind::InvalidOperation, message))
}

impl ChatTemplate {
    pub fn new(source: String, bos_token: String, eos_token: String) -> Result<Self> {
        let template = Self {
            source,
            bos_token,
            eos_token,
        };
        // Compile once up front so a broken template fails at load, not mid-run.
        template.render(&[], false)?;
        Ok(template)
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn bos_token(&self) -> &str {
        &self.bos_token
    }

    pub fn eos_token(&self) -> &str {
        &self.eos_token
    }

    pub fn render(&self, messages: &[ChatMessage], add_generation_prompt: bool) -> Result<String> {
        let mut environment = Environment::new();
        environment.add_function("raise_exception", raise_exception);
        environment
            .add_template("chat", &self.source)
            .map_err(|error| {
                TrainError::Tokenizer(format!("chat template does not compile: {error}"))
            })?;
        let template = environment
            .get_template("chat")
            .map_err(|error| TrainError::Tokenizer(format!("chat template: {error}")))?;
        template
            .render(context! {
                messages => message_values(messages),
                add_generation_prompt => add_generation_prompt,
                bos_token => &self.bos_token,
                eos_token => &self.eos_token,
            })
            .map_err(|error| {
                TrainError::Tokenizer(format!("chat template failed to render: {error}"))
            })
    }

    /// The conversation as text pieces in order, each marked whether it is trained on: an
    /// assistant turn's own text is, the turn headers and other roles' turns are not.
    pub fn segments(&self, messages: &[ChatMessage]) -> Result<Vec<(String, bool)>> {
        let mut pieces = Vec::new();
        let mut rendered = String::new();
        for (index, message) in messages.iter().enumerate() {
            let with_turn = self.render(&messages[..=index], false)?;
            if message.role == "assistant" {
                let header = self.render(&messages[..index], true)?;
                let header_part = suffix_after(&header, &rendered)?;
                let turn_part = suffix_after(&with_turn, &header)?;
                pieces.push((header_part, false));
                pieces.push((turn_part, true));
            } else {
                pieces.push((suffix_after(&with_turn, &rendered)?, false));
            }
            rendered = with_turn;
        }
        Ok(pieces
            .into_iter()
            .filter(|(text, _)| !text.is_empty())
            .collect())
    }
}

fn suffix_after(whole: &str, prefix: &str) -> Result<String> {
    whole.strip_prefix(prefix).map(str::to_string).ok_or_else(|| {
        TrainError::Tokenizer(
            "the chat template renders a conversation differently from its prefix, so turns cannot be masked; use prompt/completion records instead".into(),
        )
    })
}
