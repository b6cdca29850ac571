//! The one error type of the trainer.

use std::path::PathBuf;

/// Everything that can go wrong while loading, training or saving a model.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("tensor operation failed: {0}")]
    Tensor(#[from] candle_core::Error),

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path}: invalid JSON at line {line}, column {column}: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{path}: {message}")]
    ModelConfig { path: PathBuf, message: String },

    #[error(
        "{path}: missing tensor `{name}`; the checkpoint does not match the model's config.json"
    )]
    MissingTensor { path: PathBuf, name: String },

    #[error("Hugging Face Hub: {0}")]
    Hub(#[from] lathe_hub::HubError),

    #[error("tokenizer: {0}")]
    Tokenizer(String),

    #[error("hyperparameter `{name}`: {message}")]
    Hyperparameter { name: String, message: String },

    #[error("{path}:{record}: {message}")]
    Record {
        path: PathBuf,
        record: usize,
        message: String,
    },

    #[error("training data: {0}")]
    Data(String),

    #[error("training spec {path}: {message}")]
    Spec { path: PathBuf, message: String },

    #[error("checkpoint {path}: {message}")]
    Checkpoint { path: PathBuf, message: String },

    #[error("GGUF {path}: {message}")]
    Gguf { path: PathBuf, message: String },

    #[error("training stopped because the loss became {value} at step {step}; lower learningRate")]
    NonFiniteLoss { step: u64, value: f32 },

    #[error("{0}")]
    Device(#[from] crate::device::DeviceError),

    #[error("training was cancelled")]
    Cancelled,
}

pub type Result<T> = std::result::Result<T, TrainError>;

/// Attaches a path to an I/O error, so messages say which file failed.
pub(crate) fn io_error(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> TrainError {
    let path = path.into();
    move |source| TrainError::Io { path, source }
}

pub(crate) fn json_error(path: impl Into<PathBuf>) -> impl FnOnce(serde_json::Error) -> TrainError {
    let path = path.into();
    move |error| TrainError::Json {
        path,
        line: error.line(),
        column: error.column(),
        message: error.to_string(),
    }
}
