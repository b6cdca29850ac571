use thiserror::Error;

/// Why a policy document was rejected.
///
/// `path` names the offending element the way IAM's own messages do, with statement indices
/// counted from 0: `Statement[2].Condition`. A document whose `Statement` is a single object
/// uses `Statement` without an index.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyError {
    /// The text is not JSON at all.
    #[error("policy document is not valid JSON: {message} (line {line}, column {column})")]
    Syntax {
        message: String,
        line: usize,
        column: usize,
    },
    /// The text is JSON but not a valid policy document.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl PolicyError {
    pub(crate) fn invalid(path: &str, message: impl Into<String>) -> Self {
        PolicyError::Invalid {
            path: if path.is_empty() {
                "policy document".to_owned()
            } else {
                path.to_owned()
            },
            message: message.into(),
        }
    }

    pub(crate) fn from_json(error: &serde_json::Error) -> Self {
        let message = error.to_string();
        // serde_json appends " at line L column C"; the location already has its own fields.
        let message = match message.rfind(" at line ") {
            Some(index) => message[..index].to_owned(),
            None => message,
        };
        // serde_json counts column 0 for an error before a line's first character (empty
        // text); locations here are 1-based throughout.
        PolicyError::Syntax {
            message,
            line: error.line().max(1),
            column: error.column().max(1),
        }
    }
}
