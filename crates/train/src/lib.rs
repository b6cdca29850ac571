//! Training llama-family models with candle: LoRA and full fine-tuning, checkpoints, metrics.

mod atomic;
pub mod base_model;
pub mod chat;
pub mod checkpoint;
pub mod config;
pub mod data;
pub mod device;
pub mod error;
pub mod gguf;
pub mod hyperparameters;
pub mod job;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod optimizer;
pub mod output;
pub mod schedule;
pub mod spec;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokenizer;
pub mod trainer;
pub mod weights;

pub use base_model::BaseModel;
pub use config::ModelConfig;
pub use error::{Result, TrainError};
pub use hyperparameters::Hyperparameters;
pub use model::Llama;
pub use spec::TrainingSpec;
pub use trainer::{Event, Job, Method, Summary, train};
