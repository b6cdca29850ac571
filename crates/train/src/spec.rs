//! The training spec: a JSON file naming the base model, data, method, hyperparameters and output.
//!
//! ```json
//! {
//!   "base_model": "models/smollm2",          // HF folder, .gguf file, or hf://ORG/NAME
//!   "training_data": ["train.jsonl"],
//!   "validation_data": ["validation.jsonl"], // optional; else evalPercentage is held out
//!   "objective": "fine_tuning",              // or "continued_pre_training"
//!   "method": "auto",                         // "lora", "full", or "auto" (LoRA above 50M parameters)
//!   "hyperparameters": {"epochCount": "2", "learningRate": "0.0002"},
//!   "hyperparameter_table": "lathe",          // or {"bedrock": "meta.llama3-1-8b-instruct-v1:0"}
//!   "output_dir": "out",
//!   "checkpoint_interval_steps": 50,          // 0: only at the end of each epoch
//!   "resume": true,                            // continue from out/checkpoints when present
//!   "device": "auto"                           // "cpu", "cuda" (needs the `cuda` build), or "auto"
//! }
//! ```
//! Relative paths are taken from the spec file's folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::data::Objective;
use crate::device::DeviceChoice;
use crate::error::{Result, TrainError, io_error, json_error};
use crate::hyperparameters::{RawValue, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MethodChoice {
    #[default]
    Auto,
    Lora,
    Full,
}

/// Models above this many parameters train with LoRA when the spec says `auto`.
pub const LORA_THRESHOLD_PARAMETERS: usize = 50_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSpec {
    pub base_model: String,
    pub training_data: Vec<PathBuf>,
    #[serde(default)]
    pub validation_data: Vec<PathBuf>,
    #[serde(default = "default_objective")]
    pub objective: Objective,
    #[serde(default)]
    pub method: MethodChoice,
    #[serde(default)]
    pub hyperparameters: BTreeMap<String, RawValue>,
    #[serde(default)]
    pub hyperparameter_table: Table,
    pub output_dir: PathBuf,
    #[serde(default)]
    pub checkpoint_interval_steps: u64,
    #[serde(default = "default_resume")]
    pub resume: bool,
    #[serde(default)]
    pub device: DeviceChoice,
}

fn default_objective() -> Objective {
    Objective::FineTuning
}

fn default_resume() -> bool {
    true
}

impl TrainingSpec {
    /// Reads a spec file, resolving its relative paths against the file's folder.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(io_error(path))?;
        let mut spec: TrainingSpec = serde_json::from_str(&text).map_err(json_error(path))?;
        let folder = path.parent().unwrap_or(Path::new("."));
        spec.resolve_paths(folder);
        if spec.training_data.is_empty() {
            return Err(TrainError::Spec {
                path: path.to_path_buf(),
                message: "`training_data` must name at least one JSONL file".into(),
            });
        }
        Ok(spec)
    }

    pub fn resolve_paths(&mut self, folder: &Path) {
        let resolve = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = folder.join(&*path);
            }
        };
        self.training_data.iter_mut().for_each(resolve);
        self.validation_data.iter_mut().for_each(resolve);
        resolve(&mut self.output_dir);
        let is_hub = self.base_model.starts_with("hf://");
        if !is_hub && Path::new(&self.base_model).is_relative() {
            self.base_model = folder.join(&self.base_model).display().to_string();
        }
    }
}
